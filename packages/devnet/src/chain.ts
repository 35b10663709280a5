export * from './localchain';
export * from './dev-network';
