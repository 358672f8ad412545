import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BRAID_CONFIG, type BraidConfig } from '../config/config.service.js';
import { ConnectorsService } from '../connectors/connectors.service.js';
import { IntegrationsError } from './integrations.errors.js';
import { type LoadedTemplate, loadTemplate } from './templates.loader.js';

/** A gallery card: what the template does, which apps and connections it needs, its switches and settings form. */
export interface TemplateCard {
  id: string;
  title: string;
  /** Same as `title` (the editor's flow list reads `name`). */
  name: string;
  summary: string;
  /** Same as `summary` (the editor's flow list reads `description`). */
  description: string;
  whatItDoes: string[];
  direction: string;
  apps: Array<{ key: string; title: string; icon: string | null }>;
  connections: Array<{ key: string; connector: string; title: string; authKind: string | null }>;
  modules: Array<{ key: string; title: string; description?: string; default: boolean; flows: string[] }>;
  settingsSchema: Record<string, unknown>;
  flows: Array<{ key: string; name: string; description?: string; trigger: string; initialSync: boolean }>;
  supportsInitialSync: boolean;
}

export interface TemplateDetail extends TemplateCard {
  readme: string | null;
}

/** The templates of the repository's `templates/` folder, loaded once at start. */
@Injectable()
export class TemplatesCatalog implements OnModuleInit {
  private readonly logger = new Logger('Templates');
  private templates = new Map<string, LoadedTemplate>();
  /** Folders that failed to load (shown to operators in the log and in GET /templates). */
  private failures: Array<{ directory: string; error: string }> = [];
  directory: string | null = null;

  constructor(
    private readonly connectors: ConnectorsService,
    @Inject(BRAID_CONFIG) private readonly config: BraidConfig,
  ) {}

  onModuleInit(): void {
    this.load(this.config.templatesDir);
  }

  /** (Re)loads every template folder under `directory`; a broken folder is logged and left out, never fatal. */
  load(directory: string | null): void {
    this.directory = directory;
    this.templates = new Map();
    this.failures = [];
    if (!directory || !existsSync(directory)) {
      this.logger.warn(`No templates folder found${directory ? ` at ${directory}` : ''}: the gallery is empty (set BRAID_TEMPLATES_DIR).`);
      return;
    }
    for (const name of readdirSync(directory).sort()) {
      const folder = join(directory, name);
      if (!statSync(folder).isDirectory() || !existsSync(join(folder, 'template.json'))) continue;
      try {
        const template = loadTemplate(folder);
        if (this.templates.has(template.manifest.id)) throw new Error(`id "${template.manifest.id}" is used by another template`);
        this.templates.set(template.manifest.id, template);
      } catch (error) {
        const message = (error as Error).message;
        this.failures.push({ directory: folder, error: message });
        this.logger.error(`Template left out: ${message}`);
      }
    }
  }

  all(): LoadedTemplate[] {
    return [...this.templates.values()].sort((a, b) => a.manifest.id.localeCompare(b.manifest.id));
  }

  loadFailures(): Array<{ directory: string; error: string }> {
    return this.failures;
  }

  find(templateId: string): LoadedTemplate | null {
    return this.templates.get(templateId) ?? null;
  }

  get(templateId: string, pointer?: string): LoadedTemplate {
    const template = this.templates.get(templateId);
    if (!template) throw IntegrationsError.unknownTemplate(templateId, pointer);
    return template;
  }

  card(template: LoadedTemplate): TemplateCard {
    const { manifest } = template;
    const catalog = this.connectors.describeAll();
    const connector = (key: string) => catalog.find((c) => c.key === key);
    return {
      id: manifest.id,
      title: manifest.title,
      name: manifest.title,
      summary: manifest.summary,
      description: manifest.summary,
      whatItDoes: manifest.description,
      direction: manifest.direction,
      apps: manifest.apps.map((key) => ({ key, title: connector(key)?.title ?? key, icon: connector(key)?.icon ?? null })),
      connections: manifest.connections.map((slot) => ({ ...slot, authKind: connector(slot.connector)?.auth.kind ?? null })),
      modules: manifest.modules.map((m) => ({ key: m.key, title: m.title, ...(m.description ? { description: m.description } : {}), default: m.default ?? true, flows: m.flows })),
      settingsSchema: manifest.settings,
      flows: template.flows.map((f) => ({
        key: f.key,
        name: f.definition.name,
        ...(f.definition.description ? { description: f.definition.description } : {}),
        trigger: `${f.definition.trigger.connector}.${f.definition.trigger.trigger}`,
        initialSync: f.initialSync,
      })),
      supportsInitialSync: template.flows.some((f) => f.initialSync),
    };
  }

  detail(templateId: string): TemplateDetail {
    const template = this.get(templateId);
    return { ...this.card(template), readme: template.readme };
  }

  /**
   * The flows feature's create-from-template hook (`POST …/flows {templateId}`): one flow of a template,
   * `<template id>/<flow key>` (or the template id alone for its first flow), with its connection slots and
   * `$vars` left for the user to fill in the editor.
   */
  async definitionFor(_workspaceId: string, templateId: string): Promise<{ name: string; direction: 'inbound' | 'outbound'; definition: unknown } | null> {
    const [id, flowKey] = templateId.split('/');
    const template = id ? this.templates.get(id) : undefined;
    const flow = template ? (flowKey ? template.flows.find((f) => f.key === flowKey) : template.flows[0]) : undefined;
    return flow ? { name: flow.definition.name, direction: flow.definition.direction, definition: flow.definition } : null;
  }
}
