import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SESSION_COOKIE } from '../auth/sessions.service.js';

/** The OpenAPI document of the running app; also written to apps/runtime/openapi.json (checked for drift). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Braid runtime API')
    .setDescription(
      'Every /api/v1 route needs a session cookie (browser; state-changing requests also send X-CSRF-Token) ' +
        'or a personal API token (Authorization: Bearer). Errors have the shape { error: { code, message, details?, pointer? } }.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'Personal API token (braid_pat_...)' }, 'token')
    .addCookieAuth(SESSION_COOKIE, { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }, 'session')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Stable text form (two-space JSON, trailing newline) so the committed file diffs cleanly. */
export function serialiseOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
