// The JSON the flows API answers with, shared by the runtime that sends it and the editor that reads it, so the
// two cannot drift apart.
import type { Problem } from './flow.problems.js';
import type { FlowDefinition, FlowDirection } from './flow.types.js';

export interface FlowVersionInfo {
  id: string;
  version: number;
  publishedAt: string;
  publishedBy: string | null;
}

export interface FlowSummary {
  id: string;
  name: string;
  direction: FlowDirection;
  enabled: boolean;
  draftRevision: number;
  publishedVersion: FlowVersionInfo | null;
  triggerConnector: string;
  triggerKey: string;
  actionConnectors: string[];
  lastRun: { id: string; status: string; queuedAt: string; finishedAt: string | null } | null;
  createdAt: string;
  updatedAt: string;
}

export interface FlowDetail extends FlowSummary {
  draft: FlowDefinition;
  /** Problems that would stop the draft from being published (empty = publishable). */
  problems: Problem[];
  /** The draft differs from the published version. */
  hasUnpublishedChanges: boolean;
}

export interface FlowExport {
  format: 'braid-flow';
  formatVersion: 1;
  name: string;
  direction: FlowDirection;
  definition: FlowDefinition;
  /** The connections the flow refers to, by reference only (never credentials). */
  connections: Array<{ ref: string; connectorKey: string; name: string | null }>;
}

/** Why a run or one of its steps failed (connector errors add their own fields). */
export interface RunErrorInfo {
  code: string;
  message: string;
  stepId?: string;
  path?: string;
  retryable?: boolean;
  needsReconnect?: boolean;
  [key: string]: unknown;
}

export interface PreviewStepView {
  stepId: string;
  path: string;
  status: string;
  input: unknown;
  output: unknown;
  error: unknown;
  attempts: number;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string | null;
}

export interface PreviewResult {
  runId: string;
  mode: 'preview' | 'dry-run';
  status: 'succeeded' | 'failed';
  triggerOutput: unknown;
  output: unknown;
  error: RunErrorInfo | null;
  steps: PreviewStepView[];
}
