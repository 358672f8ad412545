import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { argon2id, hash, verify } from 'argon2';
import { EntityManager, Repository } from 'typeorm';
import { UserEntity } from './user.entity.js';
import { UsersError, UsersErrorCode } from './users.errors.js';

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface PublicUser {
  id: string;
  email: string;
}

export function toPublicUser(user: UserEntity): PublicUser {
  return { id: user.id, email: user.email };
}

@Injectable()
export class UsersService {
  // Verified against when the email is unknown, so both cases take the same time.
  private dummyHash: Promise<string> | undefined;

  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  count(manager?: EntityManager): Promise<number> {
    return (manager?.getRepository(UserEntity) ?? this.users).count();
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string, manager?: EntityManager): Promise<UserEntity | null> {
    return (manager?.getRepository(UserEntity) ?? this.users).findOneBy({ email: normaliseEmail(email) });
  }

  async createUser(email: string, password: string, manager?: EntityManager): Promise<UserEntity> {
    const repository = manager?.getRepository(UserEntity) ?? this.users;
    if (await repository.existsBy({ email: normaliseEmail(email) })) {
      throw new UsersError(UsersErrorCode.EMAIL_TAKEN, `A user with the email ${normaliseEmail(email)} already exists.`, { pointer: '/email' });
    }
    const passwordHash = await hash(password, { type: argon2id });
    return repository.save(repository.create({ email: normaliseEmail(email), passwordHash }));
  }

  /** The user when the password matches, otherwise undefined (same work either way). */
  async verifyPassword(email: string, password: string): Promise<UserEntity | undefined> {
    const user = await this.findByEmail(email);
    if (!user) {
      this.dummyHash ??= hash('braid-dummy-password', { type: argon2id });
      await verify(await this.dummyHash, password).catch(() => false);
      return undefined;
    }
    return (await verify(user.passwordHash, password).catch(() => false)) ? user : undefined;
  }
}
