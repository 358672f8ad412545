import { BraidError } from '../common/braid.error.js';

export enum IntegrationsErrorCode {
  /** A template folder on disk is malformed (found when loading, before the runtime serves anything). */
  TEMPLATE_INVALID = 'TEMPLATE_INVALID',
  UNKNOWN_TEMPLATE = 'UNKNOWN_TEMPLATE',
  INTEGRATION_NOT_FOUND = 'INTEGRATION_NOT_FOUND',
  /** The settings do not match the template's settings schema (pointer into the body). */
  INVALID_SETTINGS = 'INVALID_SETTINGS',
  /** A connection slot is missing, unknown, or filled with a connection of another app. */
  INVALID_CONNECTIONS = 'INVALID_CONNECTIONS',
  UNKNOWN_MODULE = 'UNKNOWN_MODULE',
  /** A flow of the template could not be created or published (details carry the flow-model problems). */
  FLOW_REJECTED = 'FLOW_REJECTED',
  /** Initial sync needs the sync toolkit's backfill service, or the template has no flow that supports it. */
  INITIAL_SYNC_UNAVAILABLE = 'INITIAL_SYNC_UNAVAILABLE',
  INITIAL_SYNC_RUNNING = 'INITIAL_SYNC_RUNNING',
}

const integrationsStatus: Record<IntegrationsErrorCode, number> = {
  TEMPLATE_INVALID: 500,
  UNKNOWN_TEMPLATE: 404,
  INTEGRATION_NOT_FOUND: 404,
  INVALID_SETTINGS: 400,
  INVALID_CONNECTIONS: 400,
  UNKNOWN_MODULE: 400,
  FLOW_REJECTED: 400,
  INITIAL_SYNC_UNAVAILABLE: 409,
  INITIAL_SYNC_RUNNING: 409,
};

export class IntegrationsError extends BraidError<IntegrationsErrorCode> {
  get status(): number {
    return integrationsStatus[this.code];
  }

  static notFound(): IntegrationsError {
    return new IntegrationsError(IntegrationsErrorCode.INTEGRATION_NOT_FOUND, 'No such integration in this workspace. GET …/integrations lists them.');
  }

  static unknownTemplate(templateId: string, pointer?: string): IntegrationsError {
    return new IntegrationsError(IntegrationsErrorCode.UNKNOWN_TEMPLATE, `Unknown template "${templateId}". GET /api/v1/templates lists the available templates.`, pointer ? { pointer } : {});
  }
}
