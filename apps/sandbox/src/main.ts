import path from 'node:path';
import { startSandbox } from './core/sandbox.server.js';
import { wellKnown } from './core/sandbox.tenants.js';

/** `pnpm sandbox`: the sandbox alone, e.g. to point a connector or a person's browser at it. */
const port = Number(process.env.SANDBOX_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`SANDBOX_PORT must be a port number (0-65535), got "${process.env.SANDBOX_PORT}"`);
  process.exit(1);
}
const snapshotFile = process.env.SANDBOX_SNAPSHOT ? path.resolve(process.env.SANDBOX_SNAPSHOT) : undefined;
const running = await startSandbox({
  port,
  host: process.env.SANDBOX_HOST ?? '127.0.0.1',
  seed: process.env.SANDBOX_SEED ?? 'demo',
  snapshotFile,
});
const w = wellKnown;
console.log(
  [
    `Braid sandbox listening on ${running.url} — console at ${running.url}/`,
    `  Zoho accounts/api_domain: com ${running.url}  eu ${running.url}/dc/eu  (Books /books/v3, CRM /crm/v8)`,
    `  Zoho web client: ${w.webClient.clientId} (secret: see the console or README; any loopback redirect URI)`,
    `  Zoho users: ${w.user.email} (com), ${w.euUser.email} (eu) — no password`,
    `  Togai: ${running.url}/togai (API token: see the console or README)`,
    `  Request bin: ${running.url}/bin/<name>   Admin API: ${running.url}/_admin`,
  ].join('\n'),
);
const stop = async () => {
  await running.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
