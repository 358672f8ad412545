import { Connections1763710000000 } from '../../connections/connections.migration.js';
import { Accounts1763700000000 } from './1763700000000-accounts.js';
import { TriggerAcceptFunction1763770000000 } from '../../triggers/accept.migration.js';
import { Flows1763720000000 } from '../../flows/flows.migration.js';
import { Integrations1763750000000 } from '../../integrations/integrations.migration.js';
import { RunsEventUnique1763720000001 } from '../../runs/runs.migration.js';
import { Sync1763740000000 } from '../../sync/sync.migration.js';
import { TriggerEventsRetention1763730000001, TriggerPollGeneration1763760000000, Triggers1763730000000 } from '../../triggers/triggers.migration.js';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the build and the tests run the same set.
 * A feature adds its migration class at the end of this list.
 */
export const migrations = [Accounts1763700000000, Connections1763710000000, Flows1763720000000, RunsEventUnique1763720000001, Triggers1763730000000, TriggerEventsRetention1763730000001, Sync1763740000000, Integrations1763750000000, TriggerPollGeneration1763760000000, TriggerAcceptFunction1763770000000];
