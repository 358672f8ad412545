import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/**
 * Nest's logger until the app's own pino logger takes over (and if creating the app fails): the same JSON
 * lines instead of Nest's coloured console output.
 */
export class BootstrapLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  private write(level: 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, params: unknown[]) {
    const context = typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const error = message instanceof Error ? message : params.find((p): p is Error => p instanceof Error);
    const text = message instanceof Error ? message.message : String(message);
    this.pino[level]({ ...(context ? { context } : {}), ...(error ? { err: error } : {}) }, text);
  }

  log(message: unknown, ...params: unknown[]) { this.write('info', message, params); }
  error(message: unknown, ...params: unknown[]) { this.write('error', message, params); }
  warn(message: unknown, ...params: unknown[]) { this.write('warn', message, params); }
  debug(message: unknown, ...params: unknown[]) { this.write('debug', message, params); }
  verbose(message: unknown, ...params: unknown[]) { this.write('trace', message, params); }
  fatal(message: unknown, ...params: unknown[]) { this.write('error', message, params); }
}
