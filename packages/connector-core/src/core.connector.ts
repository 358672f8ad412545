// The `core` connector: built-in actions and triggers that need no app connection.
import { defineConnector } from '@braid/connector-sdk';
import { aggregateAction } from './actions/aggregate.action.js';
import { delayAction } from './actions/delay.action.js';
import { failAction, stopAction } from './actions/flow-control.action.js';
import { httpRequestAction } from './actions/http-request.action.js';
import { deleteLinkAction, findLinkAction, upsertLinkAction } from './actions/links.action.js';
import { transformAction } from './actions/transform.action.js';
import { manualTrigger } from './triggers/manual.trigger.js';
import { scheduleTrigger } from './triggers/schedule.trigger.js';
import { webhookTrigger } from './triggers/webhook.trigger.js';

const icon =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2">' +
  '<circle cx="12" cy="12" r="3"/><path d="M12 2v4M12 18v4M2 12h4M18 12h4"/></svg>';

export const coreConnector = defineConnector({
  key: 'core',
  title: 'Braid core',
  description: 'Built-in steps: HTTP requests, delays, data transforms, record links, stop/fail, and the schedule, manual and webhook triggers.',
  icon,
  auth: { kind: 'none' },
  actions: [
    httpRequestAction,
    delayAction,
    transformAction,
    aggregateAction,
    findLinkAction,
    upsertLinkAction,
    deleteLinkAction,
    stopAction,
    failAction,
  ],
  triggers: [manualTrigger, scheduleTrigger, webhookTrigger],
});
