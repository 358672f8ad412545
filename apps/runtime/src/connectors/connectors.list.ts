import type { ConnectorDefinition } from '@braid/connector-sdk';
import { coreConnector } from '@braid/connector-core';
import { togaiConnector } from '@braid/connector-togai';
import { zohoBooksConnector } from '@braid/connector-zoho-books';
import { zohoCrmConnector } from '@braid/connector-zoho-crm';

/**
 * Every connector this runtime offers. Adding a connector is one line here (or a `register` call on
 * ConnectorsService at start-up): the runtime itself never changes.
 */
export const installedConnectors: ConnectorDefinition[] = [coreConnector, zohoBooksConnector, zohoCrmConnector, togaiConnector];
