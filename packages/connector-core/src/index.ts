// @braid/connector-core — the `core` connector (key "core").
export { coreConnector } from './core.connector.js';
export { MAX_IN_STEP_DELAY_MS } from './actions/delay.action.js';
export type { HttpRequestInput, HttpRequestOutput } from './actions/http-request.action.js';
export { evaluateExpression, type ExpressionLimits } from './jsonata.evaluate.js';
export { validateManualPayload, type ManualTriggerConfig } from './triggers/manual.trigger.js';
export { validateCron, nextScheduleTimes, isValidTimeZone, type ScheduleTriggerConfig } from './triggers/schedule.trigger.js';
export {
  verifyHmacSignature,
  parseWebhookBody,
  type WebhookTriggerConfig,
  type WebhookSignatureConfig,
  type WebhookEventPayload,
} from './triggers/webhook.trigger.js';
