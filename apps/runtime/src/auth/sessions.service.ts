import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { randomSecret, sha256 } from './auth.crypto.js';
import { SessionEntity } from './session.entity.js';

export const SESSION_COOKIE = 'braid_session';

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  /** A new session; the returned secret goes into the cookie and is never stored. */
  async createSession(userId: string, manager?: EntityManager): Promise<{ secret: string; expiresAt: Date }> {
    const secret = randomSecret();
    const expiresAt = new Date(Date.now() + this.config.sessionTtlHours * 3600_000);
    await (manager?.getRepository(SessionEntity) ?? this.sessions).insert({ tokenHash: sha256(secret), userId, expiresAt });
    // Expired sessions are cleaned up opportunistically.
    await this.sessions.delete({ expiresAt: LessThan(new Date()) });
    return { secret, expiresAt };
  }

  /** The live session for a cookie secret; expired ones count as absent. */
  async findSession(secret: string): Promise<SessionEntity | undefined> {
    const session = await this.sessions.findOneBy({ tokenHash: sha256(secret) });
    if (!session || session.expiresAt.getTime() <= Date.now()) return undefined;
    return session;
  }

  async deleteSession(secret: string): Promise<void> {
    await this.sessions.delete({ tokenHash: sha256(secret) });
  }
}
