#!/usr/bin/env node
// `pnpm braid <command>`: operator commands run against the configured database (same environment as the runtime).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import { type BraidConfig, loadConfig } from '../config/config.service.js';
import { flowsCommand, runsCommand } from './flows.commands.js';
import { rotateKeysCommand } from './rotate-keys.command.js';

export interface CliCommand {
  summary: string;
  /** Returns the process exit code. */
  run(args: string[], config: BraidConfig, out: (line: string) => void): Promise<number>;
}

/** Every command; a feature adds one line. */
export const commands: Record<string, CliCommand> = {
  'rotate-keys': rotateKeysCommand,
  flows: flowsCommand,
  runs: runsCommand,
};

function usage(out: (line: string) => void): void {
  out('Usage: pnpm braid <command> [options]');
  for (const [name, command] of Object.entries(commands)) out(`  ${name.padEnd(14)} ${command.summary}`);
}

export async function runCli(argv: string[], env: Record<string, string | undefined>, out: (line: string) => void): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help') {
    usage(out);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    out(`Unknown command "${name}".`);
    usage(out);
    return 2;
  }
  try {
    return await command.run(args, loadConfig(env), out);
  } catch (error) {
    out(`${name} failed: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`));
}
