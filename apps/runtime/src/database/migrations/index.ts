import { Accounts1763700000000 } from './1763700000000-accounts.js';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the build and the tests run the same set.
 * A feature adds its migration class at the end of this list.
 */
export const migrations = [Accounts1763700000000];
