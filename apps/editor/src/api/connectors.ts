import type { ConnectorDescriptor } from '@braid/flow-model';
import { api, type ApiClient } from './client';

/** The installed connectors with their actions, triggers, schemas and samples (the editor's catalog). */
export async function listConnectors(client: ApiClient = api): Promise<ConnectorDescriptor[]> {
  return (await client.request<{ connectors: ConnectorDescriptor[] }>('GET', '/api/v1/connectors')).connectors;
}
