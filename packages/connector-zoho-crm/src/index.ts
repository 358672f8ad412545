// @braid/connector-zoho-crm — the Zoho CRM v8 connector. Register `zohoCrmConnector` with the runtime.
export { zohoCrmConnector, ZOHO_CRM_SCOPES } from './crm.connector.js';
export { buildCriteria, escapeCriteriaValue, type CriteriaCondition, type CriteriaOperator } from './crm.criteria.js';
export type { CrmFieldInfo, CrmModuleInfo } from './crm.metadata.js';
export type { WriteOutput, WriteResult, WriteSummary } from './actions/records.write.js';
export type { RecordChangePayload, WatchState } from './triggers/record-changes.trigger.js';
export type { ModifiedCursor, ModifiedRecordPayload } from './triggers/modified-records.polling.js';
