// `pnpm braid flows …` and `pnpm braid runs …`: flows as JSON files (scripts, Git-based workflows) and bulk
// replays, run against the configured database through the runtime's own services (no HTTP server).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { pino } from 'pino';
import { AppModule } from '../app.module.js';
import { connectDatabase } from '../bootstrap.js';
import type { BraidConfig } from '../config/config.service.js';
import { FlowsService } from '../flows/flows.service.js';
import { RunsService } from '../runs/runs.service.js';
import type { CliCommand } from './braid.cli.js';

type Out = (line: string) => void;

class UsageError extends Error {}

/** `--name value` options (repeatable ones collect every value) and positional arguments. */
export function parseArgs(args: string[], flags: string[] = []): { options: Record<string, string[]>; positional: string[] } {
  const options: Record<string, string[]> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (flags.includes(name)) {
      options[name] = ['true'];
      continue;
    }
    const value = inline ?? args[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value.`);
    if (inline === undefined) i += 1;
    (options[name] ??= []).push(value);
  }
  return { options, positional };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function one(options: Record<string, string[]>, name: string, required: true): string;
function one(options: Record<string, string[]>, name: string, required?: false): string | undefined;
function one(options: Record<string, string[]>, name: string, required = false): string | undefined {
  const values = options[name];
  if (!values || values.length === 0) {
    if (required) throw new UsageError(`--${name} is required.`);
    return undefined;
  }
  if (values.length > 1) throw new UsageError(`--${name} is given more than once.`);
  return values[0];
}

function workspaceOf(options: Record<string, string[]>): string {
  const workspace = one(options, 'workspace', true);
  if (!UUID.test(workspace)) throw new UsageError('--workspace must be a workspace id (GET /api/v1/workspaces lists them).');
  return workspace;
}

/** File name of a flow: its name in lower-case words joined by dashes. */
export function flowSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug || 'flow';
}

/** Boots the runtime's services on the configured database without an HTTP server (and without the sandbox). */
async function withRuntime<T>(config: BraidConfig, work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const quiet: BraidConfig = { ...config, logLevel: config.logLevel === 'debug' || config.logLevel === 'trace' ? config.logLevel : 'error', sandbox: { ...config.sandbox, enabled: false } };
  const database = await connectDatabase(quiet, pino({ level: quiet.logLevel }));
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(AppModule.forRoot({ config: quiet, database }), { logger: false, abortOnError: false });
  } catch (error) {
    await database.stop?.();
    throw error;
  }
  try {
    return await work(app);
  } finally {
    await app.close(); // stops pg-boss, the pool and an embedded PostgreSQL
  }
}

interface FlowFile {
  format: 'braid-flow';
  formatVersion: 1;
  /** The flow this file was exported from: importing into the same workspace updates that flow's draft. */
  id?: string;
  name: string;
  definition: unknown;
  [key: string]: unknown;
}

async function exportFlows(args: string[], config: BraidConfig, out: Out): Promise<number> {
  const { options } = parseArgs(args, ['all']);
  const workspaceId = workspaceOf(options);
  const all = options.all !== undefined;
  const ids = options.id ?? [];
  if (all === (ids.length > 0)) throw new UsageError('Give either --all or one or more --id <flow id>.');
  for (const id of ids) if (!UUID.test(id)) throw new UsageError(`--id ${id} is not a flow id.`);
  const dir = path.resolve(one(options, 'output') ?? '.');
  await fs.mkdir(dir, { recursive: true });
  return withRuntime(config, async (app) => {
    const flows = app.get(FlowsService, { strict: false });
    const chosen = all ? (await flows.list(workspaceId)).map((f) => f.id) : ids;
    const used = new Set<string>();
    for (const flowId of chosen) {
      const exported = await flows.exportFlow(workspaceId, flowId);
      let base = flowSlug(exported.name);
      for (let n = 2; used.has(base); n += 1) base = `${flowSlug(exported.name)}-${n}`;
      used.add(base);
      const file = path.join(dir, `${base}.flow.json`);
      const { format, formatVersion, ...rest } = exported;
      const document: FlowFile = { format, formatVersion, id: flowId, ...rest };
      await fs.writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
      out(`${flowId} → ${file}`);
    }
    out(`Exported ${chosen.length} flow(s) to ${dir}.`);
    return 0;
  });
}

async function importFlows(args: string[], config: BraidConfig, out: Out): Promise<number> {
  const { options, positional } = parseArgs(args);
  const workspaceId = workspaceOf(options);
  if (positional.length === 0) throw new UsageError('Name one or more .flow.json files to import.');
  const connectionMap: Record<string, string> = {};
  for (const pair of options.connection ?? []) {
    const [from, to] = pair.split('=', 2);
    if (!from || !to) throw new UsageError(`--connection ${pair} must look like <ref in the file>=<connection id here>.`);
    connectionMap[from] = to;
  }
  const documents: Array<{ file: string; document: FlowFile }> = [];
  for (const file of positional) {
    let document: FlowFile;
    try {
      document = JSON.parse(await fs.readFile(file, 'utf8')) as FlowFile;
    } catch (error) {
      throw new UsageError(`${file} is not a readable JSON file: ${(error as Error).message}`);
    }
    if (document?.format !== 'braid-flow' || document.formatVersion !== 1 || typeof document.definition !== 'object') {
      throw new UsageError(`${file} is not a Braid flow file (format "braid-flow", formatVersion 1, definition).`);
    }
    documents.push({ file, document });
  }
  return withRuntime(config, async (app) => {
    const flows = app.get(FlowsService, { strict: false });
    const existing = new Set((await flows.list(workspaceId)).map((f) => f.id));
    let failed = 0;
    for (const { file, document } of documents) {
      try {
        if (document.id && existing.has(document.id)) {
          await flows.replaceDraft(workspaceId, document.id, document.definition);
          out(`${file} → updated the draft of flow ${document.id} (publish it to take effect)`);
        } else {
          const created = await flows.importFlow(workspaceId, null, { definition: document.definition, name: document.name }, connectionMap);
          out(`${file} → created flow ${created.id}`);
        }
      } catch (error) {
        failed += 1;
        const pointer = (error as { extra?: { pointer?: string } }).extra?.pointer;
        out(`${file}: ${(error as Error).message}${pointer ? ` (at ${pointer})` : ''}`);
      }
    }
    out(`Imported ${documents.length - failed} of ${documents.length} file(s).`);
    return failed > 0 ? 1 : 0;
  });
}

async function replayFailed(args: string[], config: BraidConfig, out: Out): Promise<number> {
  const { options } = parseArgs(args);
  const workspaceId = workspaceOf(options);
  const flowId = one(options, 'flow', true);
  if (!UUID.test(flowId)) throw new UsageError('--flow must be a flow id.');
  const version = one(options, 'version') ?? 'current';
  if (version !== 'current' && version !== 'original') throw new UsageError('--version must be current or original.');
  const from = one(options, 'from');
  const to = one(options, 'to');
  return withRuntime(config, async (app) => {
    const result = await app.get(RunsService, { strict: false }).replayFailed(workspaceId, flowId, {
      version,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    });
    out(`Queued ${result.count} replay(s) of failed runs of flow ${flowId}${result.count ? `: ${result.runIds.join(', ')}` : ''}.`);
    return 0;
  });
}

function withUsage(usage: string[], run: CliCommand['run']): CliCommand['run'] {
  return async (args, config, out) => {
    try {
      return await run(args, config, out);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      out(error.message);
      for (const line of usage) out(line);
      return 2;
    }
  };
}

const flowsUsage = [
  'Usage:',
  '  pnpm braid flows export --workspace <id> (--all | --id <flow id> …) [--output <dir>]   one <name>.flow.json per flow',
  '  pnpm braid flows import --workspace <id> <file.flow.json> … [--connection <ref>=<connection id> …]',
  '    a file exported from this workspace updates its flow\'s draft; otherwise a new flow is created',
];

export const flowsCommand: CliCommand = {
  summary: 'Export flows to JSON files (one per flow) or import them (drafts; publish to take effect).',
  run: withUsage(flowsUsage, async (args, config, out) => {
    const [sub, ...rest] = args;
    if (sub === 'export') return exportFlows(rest, config, out);
    if (sub === 'import') return importFlows(rest, config, out);
    throw new UsageError(sub ? `Unknown flows command "${sub}".` : 'Say export or import.');
  }),
};

const runsUsage = [
  'Usage:',
  '  pnpm braid runs replay-failed --workspace <id> --flow <flow id> [--from <ISO time>] [--to <ISO time>] [--version current|original]',
];

export const runsCommand: CliCommand = {
  summary: 'Replay the failed runs of a flow (optionally within a time window).',
  run: withUsage(runsUsage, async (args, config, out) => {
    const [sub, ...rest] = args;
    if (sub === 'replay-failed') return replayFailed(rest, config, out);
    throw new UsageError(sub ? `Unknown runs command "${sub}".` : 'Say replay-failed.');
  }),
};
