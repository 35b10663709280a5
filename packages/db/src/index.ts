export { connectDatabase, type Database } from './connect';
export { migrate } from './migrate';
export { databaseReadiness } from './readiness';
export { guardAgainstDriverTypeFetchFailures, isDriverTypeFetchFailure } from './driver-guard';
