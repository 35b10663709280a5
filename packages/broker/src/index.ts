export * from './access-control';
export { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker';
export { startOpsServer, type OpsServer, type Readiness } from './ops-server';
export { listenOn } from './listen';
