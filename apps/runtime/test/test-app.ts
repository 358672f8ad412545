import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import pg from 'pg';
import supertest from 'supertest';
import { inject } from 'vitest';
import { type BraidApp, createBraidApp } from '../src/bootstrap.js';
import { type BraidConfig, loadConfig } from '../src/config/config.service.js';
import { UsersService } from '../src/users/users.service.js';
import { WorkspacesService } from '../src/workspaces/workspaces.service.js';
import { createScratchDatabase } from './scratch-database.js';

type Agent = ReturnType<typeof supertest.agent>;

/**
 * A browser-like client: keeps cookies, and sends the CSRF token it learnt at sign-in on every request
 * (`withoutCsrf()` gives a copy that does not, to test the refusal).
 */
export class Client {
  constructor(
    readonly agent: Agent,
    public csrfToken?: string,
    private readonly sendCsrf = true,
  ) {}

  private csrf<T extends supertest.Test>(test: T): T {
    return this.sendCsrf && this.csrfToken ? (test.set('X-CSRF-Token', this.csrfToken) as T) : test;
  }

  get(url: string) { return this.agent.get(url); }
  post(url: string) { return this.csrf(this.agent.post(url)); }
  put(url: string) { return this.csrf(this.agent.put(url)); }
  patch(url: string) { return this.csrf(this.agent.patch(url)); }
  delete(url: string) { return this.csrf(this.agent.delete(url)); }

  withoutCsrf(): Client {
    return new Client(this.agent, this.csrfToken, false);
  }

  /** Signs in; the session cookie and CSRF token are kept for the next requests. */
  async login(email: string, password: string): Promise<supertest.Response> {
    const response = await this.agent.post('/api/v1/auth/login').send({ email, password });
    if (response.status === 200) this.csrfToken = response.body.csrfToken;
    return response;
  }
}

export interface SignedInUser {
  client: Client;
  user: { id: string; email: string };
  workspace: { id: string; name: string; role: string };
  email: string;
  password: string;
}

export interface TestApp {
  braid: BraidApp;
  config: BraidConfig;
  server: Server;
  /** Name of this test file's own database. */
  databaseName: string;
  /** JSON log lines written so far. */
  logs: string[];
  /** A plain request without cookies: `t.request().get('/healthz')`. */
  request(): supertest.Agent;
  /** A fresh cookie-keeping client, not signed in. */
  agent(): Client;
  /** Creates the owner through POST /api/v1/setup and returns their signed-in client and first workspace. */
  signUpOwner(input?: { email?: string; password?: string; workspaceName?: string }): Promise<SignedInUser>;
  /** Another user (created directly, no shared workspace) owning a workspace of their own, signed in. */
  signUpUser(input?: { email?: string; password?: string; workspaceName?: string }): Promise<SignedInUser>;
  /** Runs SQL on this test file's database. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface CreateTestAppOptions {
  /** Extra environment variables (validated like in production). */
  env?: Record<string, string>;
}

/**
 * Boots the real runtime (same bootstrap as main.ts, migrations included) on a new database
 * `braid_test_<random>` of the test run's PostgreSQL. Call `close()` in afterAll: it drops the database.
 */
export async function createTestApp(options: CreateTestAppOptions = {}): Promise<TestApp> {
  const database = await createScratchDatabase(inject('adminDatabaseUrl'));
  const config = loadConfig({
    DATABASE_URL: database.url,
    BRAID_SANDBOX: 'off',
    BRAID_LOG_LEVEL: 'info',
    // An external database needs a vault key (connection secrets); each test app gets its own.
    BRAID_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...options.env,
  });
  const logs: string[] = [];
  const braid = await createBraidApp(config, { logDestination: { write: (line: string) => void logs.push(line) } });
  await braid.app.init();
  const server = braid.app.getHttpServer() as Server;
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  let counter = 0;

  const t: TestApp = {
    braid,
    config,
    server,
    databaseName: database.name,
    logs,
    request: () => supertest.agent(server),
    agent: () => new Client(supertest.agent(server)),
    async signUpOwner(input = {}) {
      const email = input.email ?? 'owner@example.com';
      const password = input.password ?? 'owner-password-1';
      const client = t.agent();
      const response = await client.agent.post('/api/v1/setup').send({ email, password, workspaceName: input.workspaceName ?? 'Acme' });
      if (response.status !== 201) throw new Error(`set-up failed: ${response.status} ${JSON.stringify(response.body)}`);
      client.csrfToken = response.body.csrfToken;
      return { client, user: response.body.user, workspace: response.body.workspaces[0], email, password };
    },
    async signUpUser(input = {}) {
      counter += 1;
      const email = input.email ?? `user${counter}@example.com`;
      const password = input.password ?? `user-password-${counter}`;
      const user = await braid.app.get(UsersService).createUser(email, password);
      const workspace = await braid.app.get(WorkspacesService).createWorkspace(user.id, input.workspaceName ?? `Workspace of ${email}`);
      const client = t.agent();
      const login = await client.login(email, password);
      if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
      return { client, user: login.body.user, workspace, email, password };
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async close() {
      await pool.end();
      await braid.close();
      await database.drop();
    },
  };
  return t;
}
