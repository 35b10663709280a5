export { connectDatabase, type Database } from './connect';
export { migrate } from './migrate';
export { cliDatabaseUrl, localNetworkDatabaseUrlFile } from './cli-database-url';
export { databaseReadiness } from './readiness';
export { guardAgainstDriverTypeFetchFailures, isDriverTypeFetchFailure } from './driver-guard';
