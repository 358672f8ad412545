import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.errors.js';
import { loadConfig, repoRoot } from './config.service.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe(path.join(repoRoot, '.data'));
    expect(config.embeddedPgPort).toBe(5499);
    expect(config.bodyLimit).toBe('1mb');
    expect(config.sandbox).toEqual({ enabled: true, port: 4010 });
    expect(config.owner).toBeUndefined();
    expect(config.editorDir).toBe(path.join(repoRoot, 'apps/editor/dist'));
  });

  it('reads and coerces values', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/braid',
      BRAID_TRUST_PROXY: 'true',
      BRAID_SANDBOX: 'off',
      BRAID_OWNER_EMAIL: 'a@example.com',
      BRAID_OWNER_PASSWORD: 'long-enough',
      BRAID_PUBLIC_URL: 'https://braid.example.com/',
    });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/braid');
    expect(config.trustProxy).toBe(true);
    expect(config.sandbox.enabled).toBe(false);
    expect(config.owner).toEqual({ email: 'a@example.com', password: 'long-enough', workspaceName: 'My workspace' });
    expect(config.publicUrl).toBe('https://braid.example.com');
  });

  it('reads the engine tunables', () => {
    const config = loadConfig({ BRAID_WORKER_CONCURRENCY: '4', BRAID_ALLOWED_PRIVATE_HOSTS: 'erp.internal, 10.0.0.5' });
    expect(config.engine).toMatchObject({ workerConcurrency: 4, runLeaseSeconds: 30, runRetentionDays: 30, runJobExpireSeconds: 900 });
    expect(config.engine.allowedPrivateHosts).toEqual(['erp.internal', '10.0.0.5']);
  });

  it.each([
    ['PORT', 'abc', 'port number'],
    ['PORT', '70000', 'port number'],
    ['BRAID_LOG_LEVEL', 'loud', 'one of'],
    ['BRAID_BODY_LIMIT', 'huge', 'size like'],
    ['BRAID_TRUST_PROXY', 'maybe', 'true or false'],
    ['BRAID_SANDBOX', 'yes', 'on or off'],
    ['BRAID_SESSION_TTL_HOURS', '0', 'whole number'],
    ['BRAID_WORKER_CONCURRENCY', '0', 'whole number from 1 to 256'],
    ['BRAID_RUN_JOB_EXPIRE_SECONDS', '1', 'from 2 to 86400'],
    ['BRAID_ALLOWED_PRIVATE_HOSTS', 'a b', 'comma-separated list of host names'],
  ])('refuses %s=%s naming the variable and what is expected', (variable, value, expected) => {
    const error = errorOf({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(expected);
    expect(error.message).toContain(JSON.stringify(value));
  });

  it('needs both owner variables together', () => {
    expect(errorOf({ BRAID_OWNER_EMAIL: 'a@example.com' }).variable).toBe('BRAID_OWNER_PASSWORD');
    expect(errorOf({ BRAID_OWNER_PASSWORD: 'long-enough' }).variable).toBe('BRAID_OWNER_EMAIL');
    expect(errorOf({ BRAID_OWNER_EMAIL: 'not-an-email', BRAID_OWNER_PASSWORD: 'long-enough' }).variable).toBe('BRAID_OWNER_EMAIL');
  });

  it('does not echo the value of a secret variable it refuses', () => {
    const password = errorOf({ BRAID_OWNER_EMAIL: 'a@example.com', BRAID_OWNER_PASSWORD: 'short' });
    expect(password.variable).toBe('BRAID_OWNER_PASSWORD');
    expect(password.message).not.toContain('short');
    const url = errorOf({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(url.variable).toBe('DATABASE_URL');
    expect(url.message).toContain('PostgreSQL URL');
    expect(url.message).not.toContain('hunter2');
  });
});
