// Test harness: a real sandbox on a random port and ConnectorContexts for a Togai connection to it, built the way
// the runtime builds them (createConnectorContext + an api-token CredentialProvider). Not part of the build.
/* eslint-disable @typescript-eslint/no-explicit-any -- tests read sandbox records and action outputs of many shapes;
   outputs are checked against the action's JSON Schema at run time instead. */
import {
  createConnectorContext,
  LimiterRegistry,
  realSleep,
  runAction,
  validateOutput,
  type ConnectorContext,
  type CredentialProvider,
  type RunInfo,
} from '@braid/connector-sdk';
import { startSandbox, wellKnown, type RunningSandbox, type SeedRequest } from '@braid/sandbox';
import { sandboxAdmin, type SandboxAdmin } from '@braid/sandbox/test-support';
import { togaiConnector } from '../togai.connector.js';

export interface ContextOptions {
  token?: string;
  connectionName?: string;
  run?: RunInfo;
  baseUrl?: string;
}

/** Records as the sandbox holds them (its own `inspect()`), for assertions on effects rather than responses. */
export type TogaiState = Record<'customers' | 'accounts' | 'contacts' | 'invoices' | 'payments' | 'events' | 'subscriptions', Array<Record<string, any>>>;

export interface TogaiHarness {
  running: RunningSandbox;
  url: string;
  /** `${sandbox}/togai` */
  baseUrl: string;
  admin: SandboxAdmin;
  context(options?: ContextOptions): ConnectorContext;
  /** Runs an action (input validated by the SDK) and checks the real output against the action's output schema. */
  run<T = any>(actionKey: string, input: unknown, options?: ContextOptions): Promise<T>;
  state(): TogaiState;
  /** Calls the sandbox served for one endpoint, e.g. `GET /togai/customers`. */
  callCount(endpoint: string): Promise<number>;
  close(): Promise<void>;
}

export function apiTokenCredentials(token: string): CredentialProvider {
  return { getAccessToken: async () => token };
}

/** Short retry waits so fault tests stay fast; the rate limiter still uses real time. */
const shortSleep = (ms: number, signal?: AbortSignal) => realSleep(Math.min(ms, 25), signal);

export async function startTogaiHarness(seed: string | SeedRequest = 'empty'): Promise<TogaiHarness> {
  const running = await startSandbox({ port: 0, seed });
  const baseUrl = `${running.url}/togai`;
  const admin = sandboxAdmin(running.url);
  // One limiter registry per sandbox: every context of the same connection shares the 10 rps quota, like the runtime.
  const limiters = new LimiterRegistry();
  const context = (options: ContextOptions = {}): ConnectorContext =>
    createConnectorContext({
      connector: togaiConnector,
      connection: {
        id: options.token ? `conn-${options.token.slice(0, 8)}` : 'conn-togai-test',
        name: options.connectionName ?? 'Togai – sandbox',
        settings: { baseUrl: options.baseUrl ?? baseUrl },
      },
      credentials: apiTokenCredentials(options.token ?? wellKnown.togai.apiToken),
      limiters,
      // The SDK SSRF-checks the API host too: the runtime allows the local sandbox the same way.
      ssrf: { allowHosts: ['127.0.0.1'] },
      sleep: shortSleep,
      ...(options.run ? { run: options.run } : {}),
    });
  const harness: TogaiHarness = {
    running,
    url: running.url,
    baseUrl,
    admin,
    context,
    run: async (actionKey, input, options) => {
      const action = togaiConnector.actions.find((a) => a.key === actionKey);
      if (!action) throw new Error(`no action ${actionKey}`);
      const output = await runAction(togaiConnector, actionKey, context(options), input);
      const check = validateOutput(action.output, output);
      if (!check.valid) throw new Error(`${actionKey} output does not match its schema: ${JSON.stringify(check.issues)}`);
      return output as any;
    },
    state: () => running.sandbox.service('togai')!.inspect() as TogaiState,
    callCount: async (endpoint) => (await admin.calls('togai')).counts[endpoint] ?? 0,
    close: () => running.close(),
  };
  return harness;
}

export const address = { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
