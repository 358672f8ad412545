import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';

interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

type StartSandbox = (options?: { port?: number; host?: string }) => Promise<RunningSandbox>;

/**
 * Starts the local sandbox (stand-ins for Zoho and Togai, see CONTRACTS.md §3) with the runtime when
 * BRAID_SANDBOX=on, so Braid can be tried without real accounts. `url` is undefined when it is off.
 */
@Injectable()
export class SandboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Sandbox');
  private running: RunningSandbox | undefined;

  constructor(@Inject(BRAID_CONFIG) private readonly config: BraidConfig) {}

  get url(): string | undefined {
    return this.running?.url;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.sandbox.enabled) return;
    let startSandbox: StartSandbox | undefined;
    try {
      // A variable specifier: the sandbox is optional at build time (it may not be built).
      const specifier = '@braid/sandbox';
      const sandboxModule = (await import(specifier)) as { startSandbox?: StartSandbox };
      startSandbox = sandboxModule.startSandbox;
    } catch (error) {
      this.logger.warn(`The sandbox is not available (${error instanceof Error ? error.message : String(error)}); build it with pnpm build, or set BRAID_SANDBOX=off.`);
      return;
    }
    if (typeof startSandbox !== 'function') {
      this.logger.warn('@braid/sandbox does not export startSandbox yet; continuing without the sandbox.');
      return;
    }
    this.running = await startSandbox({ port: this.config.sandbox.port, host: '127.0.0.1' });
    this.logger.log(`Sandbox console: ${this.running.url}/`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }
}
