import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { WorkspaceAccess } from '../auth/auth.decorators.js';
import { UUID_PATTERN } from '../auth/auth.crypto.js';
import { UserEntity } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { WorkspaceEntity, WorkspaceMemberEntity, type WorkspaceRole } from './workspace.entity.js';
import { WorkspacesError, WorkspacesErrorCode } from './workspaces.errors.js';

const roleRank: Record<WorkspaceRole, number> = { viewer: 1, editor: 2, owner: 3 };

export function roleAtLeast(role: WorkspaceRole, required: WorkspaceRole): boolean {
  return roleRank[role] >= roleRank[required];
}

export interface WorkspaceMemberView {
  userId: string;
  email: string;
  role: WorkspaceRole;
  addedAt: string;
}

@Injectable()
export class WorkspacesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
  ) {}

  async listForUser(userId: string): Promise<WorkspaceAccess[]> {
    const rows: { id: string; name: string; role: WorkspaceRole }[] = await this.dataSource.query(
      `SELECT w.id, w.name, m.role FROM workspaces w JOIN workspace_members m ON m.workspace_id = w.id
        WHERE m.user_id = $1 ORDER BY w.created_at, w.id`,
      [userId],
    );
    return rows;
  }

  /** The caller's access to a workspace, or undefined when it does not exist or they are not a member. */
  async accessFor(userId: string, workspaceId: string): Promise<WorkspaceAccess | undefined> {
    if (!UUID_PATTERN.test(workspaceId)) return undefined;
    const rows: WorkspaceAccess[] = await this.dataSource.query(
      `SELECT w.id, w.name, m.role FROM workspaces w JOIN workspace_members m ON m.workspace_id = w.id
        WHERE w.id = $1 AND m.user_id = $2`,
      [workspaceId, userId],
    );
    return rows[0];
  }

  /** Creates a workspace with `ownerId` as its owner (inside the given transaction when there is one). */
  async createWorkspace(ownerId: string, name: string, manager?: EntityManager): Promise<WorkspaceAccess> {
    const create = async (em: EntityManager) => {
      const workspace = await em.getRepository(WorkspaceEntity).save({ name: name.trim() });
      await em.getRepository(WorkspaceMemberEntity).insert({ workspaceId: workspace.id, userId: ownerId, role: 'owner' });
      return { id: workspace.id, name: workspace.name, role: 'owner' as const };
    };
    return manager ? create(manager) : this.dataSource.transaction(create);
  }

  async rename(workspaceId: string, name: string): Promise<void> {
    await this.dataSource.getRepository(WorkspaceEntity).update({ id: workspaceId }, { name: name.trim() });
  }

  async listMembers(workspaceId: string, manager?: EntityManager): Promise<WorkspaceMemberView[]> {
    const rows: { user_id: string; email: string; role: WorkspaceRole; created_at: Date }[] = await (manager ?? this.dataSource).query(
      `SELECT m.user_id, u.email, m.role, m.created_at FROM workspace_members m JOIN users u ON u.id = m.user_id
        WHERE m.workspace_id = $1 ORDER BY m.created_at, u.email`,
      [workspaceId],
    );
    return rows.map((row) => ({ userId: row.user_id, email: row.email, role: row.role, addedAt: row.created_at.toISOString() }));
  }

  /** Changes a member's role; the last owner cannot step down (a workspace always has an owner). */
  async changeRole(workspaceId: string, userId: string, role: WorkspaceRole): Promise<WorkspaceMemberView> {
    return this.dataSource.transaction(async (em) => {
      const member = await this.lockMember(em, workspaceId, userId);
      if (member.role === 'owner' && role !== 'owner') await this.ensureAnotherOwner(em, workspaceId, userId);
      await em.getRepository(WorkspaceMemberEntity).update({ workspaceId, userId }, { role });
      return (await this.listMembers(workspaceId, em)).find((m) => m.userId === userId) as WorkspaceMemberView;
    });
  }

  /** Removes a member (an owner removing someone, or a member leaving); never the last owner. */
  async removeMember(workspaceId: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      const member = await this.lockMember(em, workspaceId, userId);
      if (member.role === 'owner') await this.ensureAnotherOwner(em, workspaceId, userId);
      await em.getRepository(WorkspaceMemberEntity).delete({ workspaceId, userId });
    });
  }

  /** Locks the workspace row (serialising membership changes) and returns the member. */
  private async lockMember(em: EntityManager, workspaceId: string, userId: string): Promise<WorkspaceMemberEntity> {
    await em.query('SELECT id FROM workspaces WHERE id = $1 FOR UPDATE', [workspaceId]);
    const member = UUID_PATTERN.test(userId) ? await em.getRepository(WorkspaceMemberEntity).findOneBy({ workspaceId, userId }) : null;
    if (!member) {
      throw new WorkspacesError(WorkspacesErrorCode.MEMBER_NOT_FOUND, 'No such member in this workspace. GET .../members lists them.');
    }
    return member;
  }

  private async ensureAnotherOwner(em: EntityManager, workspaceId: string, userId: string): Promise<void> {
    const [{ count }] = (await em.query(
      `SELECT count(*)::int AS count FROM workspace_members WHERE workspace_id = $1 AND role = 'owner' AND user_id <> $2`,
      [workspaceId, userId],
    )) as [{ count: number }];
    if (count === 0) {
      throw new WorkspacesError(WorkspacesErrorCode.LAST_OWNER, 'This is the last owner of the workspace. Make another member owner first.');
    }
  }

  /**
   * Adds a user to the workspace by email. An unknown email needs an initial password: the account is
   * created with it and the owner passes it on (e-mail invitations are on the roadmap).
   */
  async addMember(workspaceId: string, input: { email: string; role: WorkspaceRole; password?: string }): Promise<WorkspaceMemberView> {
    return this.dataSource.transaction(async (em) => {
      let user: UserEntity | null = await this.users.findByEmail(input.email, em);
      if (!user) {
        if (!input.password) {
          throw new WorkspacesError(
            WorkspacesErrorCode.PASSWORD_REQUIRED_FOR_NEW_USER,
            `No account uses ${input.email.trim().toLowerCase()} yet. Give an initial "password" to create it.`,
            { pointer: '/password' },
          );
        }
        user = await this.users.createUser(input.email, input.password, em);
      }
      const members = em.getRepository(WorkspaceMemberEntity);
      if (await members.existsBy({ workspaceId, userId: user.id })) {
        throw new WorkspacesError(WorkspacesErrorCode.ALREADY_MEMBER, `${user.email} is already a member of this workspace.`, { pointer: '/email' });
      }
      const member = await members.save(members.create({ workspaceId, userId: user.id, role: input.role }));
      return { userId: user.id, email: user.email, role: member.role, addedAt: member.createdAt.toISOString() };
    });
  }
}
