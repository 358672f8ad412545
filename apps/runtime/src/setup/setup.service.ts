import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SessionsService } from '../auth/sessions.service.js';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { type PublicUser, toPublicUser, UsersService } from '../users/users.service.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { SetupError, SetupErrorCode } from './setup.errors.js';

// Two replicas (or two browser tabs) setting up at once: exactly one owner is created.
const SETUP_LOCK_KEY = 4_242_002;

@Injectable()
export class SetupService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Setup');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly workspaces: WorkspacesService,
    private readonly sessions: SessionsService,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  async isSetupRequired(): Promise<boolean> {
    return (await this.users.count()) === 0;
  }

  /** Creates the owner and their first workspace, only while no user exists; returns a new session. */
  async createOwner(input: { email: string; password: string; workspaceName: string }): Promise<{ user: PublicUser; session: { secret: string; expiresAt: Date } }> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_KEY]);
      if ((await this.users.count(em)) > 0) {
        throw new SetupError(SetupErrorCode.ALREADY_SET_UP, 'Braid is already set up: sign in instead, or ask an owner to add you to a workspace.');
      }
      const user = await this.users.createUser(input.email, input.password, em);
      await this.workspaces.createWorkspace(user.id, input.workspaceName, em);
      const session = await this.sessions.createSession(user.id, em);
      return { user: toPublicUser(user), session };
    });
  }

  /** Scripted set-ups: BRAID_OWNER_EMAIL / BRAID_OWNER_PASSWORD create the owner at start when nobody exists. */
  async onApplicationBootstrap(): Promise<void> {
    const owner = this.config.owner;
    if (!owner || !(await this.isSetupRequired())) return;
    try {
      const { user } = await this.createOwner({ email: owner.email, password: owner.password, workspaceName: owner.workspaceName });
      this.logger.log(`Created the owner account ${user.email} from BRAID_OWNER_EMAIL.`);
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
    }
  }
}
