/**
 * `pnpm --filter @braid/runtime openapi`: regenerates apps/runtime/openapi.json from the controllers.
 * The app is built in preview mode (module graph only, no providers run), so no database is needed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/config.service.js';
import { buildOpenApiDocument, serialiseOpenApi } from './openapi.document.js';

export const openApiFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../openapi.json');

export async function generateOpenApi(): Promise<string> {
  const config = loadConfig({ BRAID_SANDBOX: 'off' });
  const app = await NestFactory.create(
    AppModule.forRoot({ config, database: { url: 'postgres://preview@127.0.0.1:1/preview', kind: 'external' } }),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    return serialiseOpenApi(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(openApiFile, await generateOpenApi());
  process.stdout.write(`Wrote ${openApiFile}\n`);
}
