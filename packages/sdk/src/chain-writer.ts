/** One epoch's Merkle root of cumulative rewards, ready for the chain. */
export interface RewardsRootSubmission {
  epoch: bigint;
  root: Uint8Array;
  /** Number of leaves (hotspots with a cumulative total). */
  leafCount: number;
  /** Sum of all cumulative totals in the tree, base units. */
  totalCumulative: bigint;
}

export type TransactionState = 'confirmed' | 'pending' | 'failed';

/**
 * What the epoch runner needs from the chain engineer's client. Submissions must be idempotent per epoch on chain:
 * the runner reads on-chain state first and never submits an epoch whose root is already there.
 */
export interface ChainWriter {
  /** The root recorded on chain for `epoch`, or null when that epoch has none yet. */
  getEpochRoot(epoch: bigint): Promise<Uint8Array | null>;
  /** Sends the transaction and returns its signature without waiting for confirmation. */
  submitRewardsRoot(submission: RewardsRootSubmission): Promise<string>;
  transactionState(signature: string): Promise<TransactionState>;
}
