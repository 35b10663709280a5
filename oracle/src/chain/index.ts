export * from './client';
export * from './localchain';
export * from './merkle';
export * from './pda';
export * from './possession';
export type { PocNetwork } from './idl/poc_network';
export * from './dev-network';
