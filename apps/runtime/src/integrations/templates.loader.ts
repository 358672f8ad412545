import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type FlowDefinition, parseFlowDefinition } from '@braid/flow-model';
import { createAjv } from '../common/ajv.js';
import { pointerOf } from '../common/validation.pipe.js';
import { IntegrationsError, IntegrationsErrorCode } from './integrations.errors.js';

/** One connection a template needs; flows name it in `connectionRef`. */
export interface TemplateConnectionSlot {
  key: string;
  connector: string;
  title: string;
}

/** A switch that enables or disables the flows behind it. */
export interface TemplateModule {
  key: string;
  title: string;
  description?: string;
  /** Switched on when the integration is created without saying (default true). */
  default?: boolean;
  flows: string[];
}

/** `template.json` of a template folder (templates/README.md documents it). */
export interface TemplateManifest {
  id: string;
  title: string;
  summary: string;
  description: string[];
  direction: 'inbound' | 'outbound' | 'two-way';
  apps: string[];
  connections: TemplateConnectionSlot[];
  settings: Record<string, unknown>;
  modules: TemplateModule[];
  flows: Array<{ key: string; file: string; initialSync?: boolean; backfillPhases?: string[] }>;
}

export interface TemplateFlow {
  key: string;
  file: string;
  /** The integration's initial sync backfills this flow (its trigger can list existing records). */
  initialSync: boolean;
  backfillPhases?: string[];
  definition: FlowDefinition;
}

export interface LoadedTemplate {
  manifest: TemplateManifest;
  flows: TemplateFlow[];
  readme: string | null;
  directory: string;
}

const KEY = '^[a-z][a-z0-9_-]{0,63}$';

export const templateManifestSchema = {
  type: 'object',
  required: ['id', 'title', 'summary', 'description', 'direction', 'apps', 'connections', 'settings', 'modules', 'flows'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: KEY },
    title: { type: 'string', minLength: 1, maxLength: 120 },
    summary: { type: 'string', minLength: 1, maxLength: 300 },
    description: { type: 'array', items: { type: 'string', minLength: 1 } },
    direction: { enum: ['inbound', 'outbound', 'two-way'] },
    apps: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    connections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'connector', 'title'],
        additionalProperties: false,
        properties: { key: { type: 'string', pattern: KEY }, connector: { type: 'string', minLength: 1 }, title: { type: 'string', minLength: 1 } },
      },
    },
    settings: { type: 'object', required: ['type'], properties: { type: { const: 'object' } } },
    modules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'title', 'flows'],
        additionalProperties: false,
        properties: {
          key: { type: 'string', pattern: KEY },
          title: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          default: { type: 'boolean' },
          flows: { type: 'array', items: { type: 'string', pattern: KEY }, minItems: 1 },
        },
      },
    },
    flows: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['key', 'file'],
        additionalProperties: false,
        properties: {
          key: { type: 'string', pattern: KEY },
          file: { type: 'string', pattern: '^flows/[A-Za-z0-9._-]+\\.flow\\.json$' },
          initialSync: { type: 'boolean' },
          backfillPhases: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
} as const;

const ajv = createAjv();
const validateManifest = ajv.compile(templateManifestSchema);

function invalid(directory: string, message: string): IntegrationsError {
  return new IntegrationsError(IntegrationsErrorCode.TEMPLATE_INVALID, `Template ${directory}: ${message}`);
}

function readJson(path: string, directory: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw invalid(directory, `${path} is not valid JSON (${(error as Error).message}).`);
  }
}

/**
 * Reads one template folder: `template.json`, its `flows/*.flow.json` (structure checked by flow-model) and
 * `README.md`. Cross-references (module → flow, ids unique) are checked here; connectors and expressions
 * are checked by `templateProblems` against the connector catalog.
 */
export function loadTemplate(directory: string): LoadedTemplate {
  const manifestJson = readJson(join(directory, 'template.json'), directory);
  if (!validateManifest(manifestJson)) {
    const first = validateManifest.errors![0]!;
    throw invalid(directory, `template.json ${pointerOf(first) || '/'} ${first.message ?? 'is invalid'}.`);
  }
  const manifest = manifestJson as unknown as TemplateManifest;
  const unique = (what: string, keys: string[]) => {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) throw invalid(directory, `${what} "${key}" is declared twice.`);
      seen.add(key);
    }
  };
  unique('flow', manifest.flows.map((f) => f.key));
  unique('module', manifest.modules.map((m) => m.key));
  unique('connection slot', manifest.connections.map((c) => c.key));
  const flowKeys = new Set(manifest.flows.map((f) => f.key));
  for (const module of manifest.modules) {
    for (const flow of module.flows) if (!flowKeys.has(flow)) throw invalid(directory, `module "${module.key}" names flow "${flow}", which is not in "flows".`);
  }
  try {
    ajv.compile(manifest.settings);
  } catch (error) {
    throw invalid(directory, `the settings schema does not compile (${(error as Error).message}).`);
  }
  const flows = manifest.flows.map((entry): TemplateFlow => {
    const path = resolve(directory, entry.file);
    if (!existsSync(path)) throw invalid(directory, `flow "${entry.key}": ${entry.file} does not exist.`);
    const parsed = parseFlowDefinition(readJson(path, directory));
    if (!parsed.ok) {
      const problem = parsed.problems[0]!;
      throw invalid(directory, `${entry.file} is not a flow definition: ${problem.pointer} ${problem.message}`);
    }
    return { key: entry.key, file: entry.file, initialSync: entry.initialSync ?? false, ...(entry.backfillPhases ? { backfillPhases: entry.backfillPhases } : {}), definition: parsed.flow };
  });
  const readmePath = join(directory, 'README.md');
  return { manifest, flows, readme: existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : null, directory };
}

/** Every template folder under `root` (a folder with a `template.json`), sorted by id. */
export function loadTemplates(root: string): LoadedTemplate[] {
  if (!existsSync(root)) return [];
  const templates = readdirSync(root)
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isDirectory() && existsSync(join(path, 'template.json')))
    .map(loadTemplate);
  const ids = new Set<string>();
  for (const template of templates) {
    if (ids.has(template.manifest.id)) throw invalid(template.directory, `id "${template.manifest.id}" is used by another template.`);
    ids.add(template.manifest.id);
  }
  return templates.sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
}
