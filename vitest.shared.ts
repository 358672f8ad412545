// Tests import workspace packages from their TypeScript sources, so `pnpm test` needs no prior build.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

export const workspaceAliases: Record<string, string> = {
  // more specific first: aliases match by prefix
  '@braid/sandbox/test-support': path.join(root, 'apps/sandbox/src/test-support/index.ts'),
  '@braid/flow-model': path.join(root, 'packages/flow-model/src/index.ts'),
  '@braid/connector-sdk': path.join(root, 'packages/connector-sdk/src/index.ts'),
  '@braid/connector-core': path.join(root, 'packages/connector-core/src/index.ts'),
  '@braid/connector-zoho-books': path.join(root, 'packages/connector-zoho-books/src/index.ts'),
  '@braid/connector-zoho-crm': path.join(root, 'packages/connector-zoho-crm/src/index.ts'),
  '@braid/connector-togai': path.join(root, 'packages/connector-togai/src/index.ts'),
  '@braid/sandbox': path.join(root, 'apps/sandbox/src/index.ts'),
};
