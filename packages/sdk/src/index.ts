export * from './client';
export * from './merkle';
export * from './pda';
export * from './possession';
export type { ChainWriter, RewardsRootSubmission, TransactionState } from './chain-writer';
export type { PocNetwork } from './idl/poc_network';
export { readKeypairFile } from './keypair-file';
