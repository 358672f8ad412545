import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity.js';
import { randomSecret, sha256, UUID_PATTERN } from './auth.crypto.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';

export const API_TOKEN_PREFIX = 'braid_pat_';

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

function toView(token: ApiTokenEntity): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class ApiTokensService {
  constructor(@InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>) {}

  /** Creates a token; the plain value is returned here once and never again. */
  async createToken(userId: string, name: string): Promise<ApiTokenView & { token: string }> {
    const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
    const saved = await this.tokens.save(
      this.tokens.create({ userId, name: name.trim(), tokenHash: sha256(token), prefix: token.slice(0, API_TOKEN_PREFIX.length + 6) }),
    );
    return { ...toView(saved), token };
  }

  async listTokens(userId: string): Promise<ApiTokenView[]> {
    const tokens = await this.tokens.find({ where: { userId, revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
    return tokens.map(toView);
  }

  async revokeToken(userId: string, tokenId: string): Promise<void> {
    const result = UUID_PATTERN.test(tokenId)
      ? await this.tokens.update({ id: tokenId, userId, revokedAt: IsNull() }, { revokedAt: new Date() })
      : { affected: 0 };
    if (!result.affected) {
      throw new AuthError(AuthErrorCode.TOKEN_NOT_FOUND, 'No such API token. GET /api/v1/tokens lists yours.');
    }
  }

  /** The live (not revoked) token for a bearer value, its last use recorded. */
  async authenticate(bearer: string): Promise<ApiTokenEntity | undefined> {
    if (!bearer.startsWith(API_TOKEN_PREFIX)) return undefined;
    const token = await this.tokens.findOneBy({ tokenHash: sha256(bearer), revokedAt: IsNull() });
    if (!token) return undefined;
    await this.tokens.update({ id: token.id }, { lastUsedAt: new Date() });
    return token;
  }
}
