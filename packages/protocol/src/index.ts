export * from './beacon-payload';
export * from './datarate';
export * from './entropy';
export * from './keys';
export * from './protobuf';
export * from './regions';
export * from './reports';
export * from './aes-cmac';
export * from './mapper-frame';
export * from './mapper-log';
export * from './mapper-receipt';
export * from './mapper-registration';
export * from './time-on-air';
export * from './topics';
export * from './onboarding';
export {
  bridgeClientId,
  createMqttToken,
  hotspotMqttCredentials,
  verifyMqttToken,
  MQTT_TOKEN_CLOCK_SKEW_SECONDS,
  MQTT_TOKEN_DEFAULT_LIFETIME_SECONDS,
  MQTT_TOKEN_MAX_LIFETIME_SECONDS,
  type MqttTokenRejection,
} from './mqtt-auth';
export { buildCumulativeRewardsTree, leafHash, parentHash, verifyRewardsProof, type RewardLeaf, type RewardsTree } from './rewards-merkle';
export { KeyFileError, createKeyFile, loadKeyFile } from './keyfile';
export { BRIDGE_PUBLISH_PACE, HOTSPOT_PUBLISH_RATE, TokenBucket, type PublishRate } from './publish-rate';
