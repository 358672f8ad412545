import fs from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { RunningSandbox } from '@braid/sandbox';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';

/**
 * Starts the local sandbox (stand-ins for Zoho and Togai, see CONTRACTS.md §3) with the runtime when
 * BRAID_SANDBOX=on, so Braid can be tried without real accounts. Its state is kept in
 * BRAID_DATA_DIR/sandbox-snapshot.json across restarts. `url` is undefined when it is off.
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
    // Loaded only when enabled: a production runtime with BRAID_SANDBOX=off never loads the sandbox code.
    const { startSandbox } = await import('@braid/sandbox');
    await fs.mkdir(this.config.dataDir, { recursive: true });
    this.running = await startSandbox({
      port: this.config.sandbox.port,
      host: '127.0.0.1',
      snapshotFile: path.join(this.config.dataDir, 'sandbox-snapshot.json'),
    });
    this.logger.log(`Sandbox (Zoho and Togai stand-ins) console: ${this.running.url}/`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }
}
