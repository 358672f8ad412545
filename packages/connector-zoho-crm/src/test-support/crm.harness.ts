// Test harness: a real sandbox on a random port, tokens from its real OAuth code flow, and ConnectorContexts built
// the way the runtime builds them (createConnectorContext + a refreshing CredentialProvider). Not part of the build.
/* eslint-disable @typescript-eslint/no-explicit-any -- tests read sandbox records and action outputs loosely; the
   outputs are checked against the action's output schema instead. */
import {
  createConnectorContext,
  createRefreshingCredentialProvider,
  LimiterRegistry,
  realSleep,
  refreshZohoAccessToken,
  runAction,
  validateOutput,
  zohoSandboxDataCenters,
  type ConnectorContext,
  type CredentialProvider,
} from '@braid/connector-sdk';
import { startSandbox, wellKnown, type RunningSandbox, type SeedRequest } from '@braid/sandbox';
import { obtainZohoTokens, sandboxAdmin, type SandboxAdmin, type ZohoTokens } from '@braid/sandbox/test-support';
import { ZOHO_CRM_SCOPES, zohoCrmConnector } from '../crm.connector.js';

export type CrmState = Record<'Accounts' | 'Contacts' | 'Addresses' | 'watchChannels', Array<Record<string, any>>>;

export interface CrmHarness {
  running: RunningSandbox;
  url: string;
  admin: SandboxAdmin;
  tokens: ZohoTokens;
  connectionName: string;
  credentials: CredentialProvider;
  context(options?: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void> }): ConnectorContext;
  /** Runs an action (input validated by the SDK) and checks the real output against the action's output schema. */
  run<T = any>(actionKey: string, input: unknown): Promise<T>;
  /** The CRM records as the sandbox holds them (its own `inspect()`), for assertions on effects. */
  state(): CrmState;
  /** CRM calls the sandbox served, by "METHOD /crm/v8/route". */
  calls(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** Retry waits are shortened so fault tests stay fast; the waits still happen and are recorded. */
export function recordingSleep(log: number[] = []) {
  return (ms: number, signal?: AbortSignal) => {
    log.push(ms);
    return realSleep(Math.min(ms, 20), signal);
  };
}

export async function startCrmHarness(
  options: { seed?: string | SeedRequest; dc?: 'com' | 'eu'; scopes?: string[]; connectionName?: string } = {},
): Promise<CrmHarness> {
  const running = await startSandbox({ port: 0, seed: options.seed ?? 'empty' });
  const admin = sandboxAdmin(running.url);
  const tokens = await obtainZohoTokens(running.url, { scopes: options.scopes ?? ZOHO_CRM_SCOPES, dc: options.dc ?? 'com' });
  const allowedAccountsServers = zohoSandboxDataCenters(running.url).map((dc) => dc.accountsServer);
  // What the runtime does per connection: cache the access token, refresh it at the accounts server of its DC.
  let stored = { accessToken: tokens.accessToken, expiresAt: Date.now() + tokens.expiresIn * 1000 };
  const credentials = createRefreshingCredentialProvider({
    load: async () => stored,
    refresh: async () => {
      const fresh = await refreshZohoAccessToken({
        accountsServer: tokens.accountsServer,
        clientId: wellKnown.webClient.clientId,
        clientSecret: wellKnown.webClient.clientSecret,
        refreshToken: tokens.refreshToken,
        allowedAccountsServers,
      });
      stored = { accessToken: fresh.accessToken, expiresAt: fresh.expiresAt };
      return stored;
    },
  });
  const connectionName = options.connectionName ?? (options.dc === 'eu' ? 'Zoho CRM – Acme GmbH' : 'Zoho CRM – Acme Inc');
  const limiters = new LimiterRegistry();
  const context = (ctxOptions: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {}) =>
    createConnectorContext({
      connector: zohoCrmConnector,
      connection: { id: `conn-crm-${options.dc ?? 'com'}`, name: connectionName, settings: { edition: 'enterprise' }, apiDomain: tokens.apiDomain },
      credentials,
      limiters,
      // the SDK SSRF-checks the API host too: allow the local sandbox, as the runtime does in its test config
      ssrf: { allowHosts: ['127.0.0.1'] },
      sleep: ctxOptions.sleep ?? recordingSleep(),
      // the connector's clock follows the sandbox's (tests move it forward instead of sleeping)
      now: () => new Date(running.sandbox.context.clock.now()),
    });
  const harness: CrmHarness = {
    running,
    url: running.url,
    admin,
    tokens,
    connectionName,
    credentials,
    context,
    run: async (actionKey, input) => {
      const action = zohoCrmConnector.actions.find((a) => a.key === actionKey);
      if (!action) throw new Error(`no action ${actionKey}`);
      const output = await runAction(zohoCrmConnector, actionKey, context(), input);
      const check = validateOutput(action.output, output);
      if (!check.valid) throw new Error(`${actionKey} output does not match its schema: ${JSON.stringify(check.issues)}`);
      return output as any;
    },
    state: () => running.sandbox.service('crm')!.inspect() as CrmState,
    calls: async () => (await admin.calls('crm')).counts,
    close: () => running.close(),
  };
  return harness;
}

export function totalCalls(counts: Record<string, number>, filter: (key: string) => boolean = () => true): number {
  return Object.entries(counts)
    .filter(([key]) => filter(key))
    .reduce((sum, [, n]) => sum + n, 0);
}
