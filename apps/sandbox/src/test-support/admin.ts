/**
 * Typed wrapper around the sandbox admin API (`/_admin`) for tests in any package: arm faults, read call counts,
 * reset, move the clock, read request bins. It talks HTTP, so it works against a sandbox in another process too.
 */
import type { FaultSpec } from '../core/sandbox.faults.js';
import type { SeedRequest, ServiceName } from '../core/sandbox.service.js';

export interface BinRequestView {
  id: number;
  bin: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
  json?: unknown;
  at: number;
}

export interface SandboxAdmin {
  reset(seed?: string | SeedRequest): Promise<void>;
  armFault(spec: FaultSpec): Promise<number>;
  clearFaults(): Promise<void>;
  /** calls served, e.g. { total: 3, counts: { 'GET /books/v3/contacts': 3 } } */
  calls(service?: ServiceName): Promise<{ total: number; counts: Record<string, number> }>;
  clearCalls(): Promise<void>;
  advanceClock(ms: number): Promise<void>;
  patchLimits(patch: Record<string, unknown>): Promise<void>;
  expireAccessTokens(userEmail?: string): Promise<number>;
  revokeRefreshToken(refreshToken: string): Promise<number>;
  binRequests(name: string): Promise<BinRequestView[]>;
  setBinStatus(name: string, status: number): Promise<void>;
  state(service: ServiceName): Promise<Record<string, unknown[]>>;
  deliveries(service?: ServiceName): Promise<Array<Record<string, unknown>>>;
}

export function sandboxAdmin(sandboxUrl: string): SandboxAdmin {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sandboxUrl}/_admin${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox admin ${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const query = (service?: string) => (service ? `?service=${encodeURIComponent(service)}` : '');
  return {
    reset: async (seed) => {
      await call('POST', '/reset', seed === undefined ? {} : { seed });
    },
    armFault: async (spec) => (await call<{ id: number }>('POST', '/faults', spec)).id,
    clearFaults: async () => {
      await call('DELETE', '/faults');
    },
    calls: async (service) => {
      const result = await call<{ total: number; counts: Record<string, number> }>('GET', `/calls${query(service)}`);
      return { total: result.total, counts: result.counts };
    },
    clearCalls: async () => {
      await call('DELETE', '/calls');
    },
    advanceClock: async (ms) => {
      await call('POST', '/clock/advance', { ms });
    },
    patchLimits: async (patch) => {
      await call('PATCH', '/limits', patch);
    },
    expireAccessTokens: async (userEmail) =>
      (await call<{ expired: number }>('POST', '/oauth/expire-access-tokens', userEmail ? { userEmail } : {})).expired,
    revokeRefreshToken: async (refreshToken) => (await call<{ revoked: number }>('POST', '/oauth/revoke', { refreshToken })).revoked,
    binRequests: async (name) => (await call<{ requests: BinRequestView[] }>('GET', `/bins/${encodeURIComponent(name)}`)).requests,
    setBinStatus: async (name, status) => {
      await call('PUT', `/bins/${encodeURIComponent(name)}`, { status });
    },
    state: async (service) => call<Record<string, unknown[]>>('GET', `/state${query(service)}`),
    deliveries: async (service) => (await call<{ deliveries: Array<Record<string, unknown>> }>('GET', `/deliveries${query(service)}`)).deliveries,
  };
}
