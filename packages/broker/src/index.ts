export * from './access-control';
export { startEmbeddedBroker, MAX_CONNECT_PACKET_BYTES, MAX_PACKET_BYTES, MAX_PACKET_BYTES_WITHOUT_AUTH, type EmbeddedBroker } from './embedded-broker';
export { startOpsServer, type OpsServer, type Readiness } from './ops-server';
export { listenOn } from './listen';
export { createRefusalLog } from './refusals';
export { GuardedConnection, MqttFrameMeter, type PacketRefusal, type PacketSizeLimits } from './packet-size-guard';
export { checkPublishShape, MAX_ENTROPY_PAYLOAD_BYTES, MAX_STATE_PAYLOAD_BYTES } from './publish-policy';
export { PublishRateLimiter } from './publish-rate-limiter';
export { TokenReplayCache } from './token-replay-cache';
