import { leafHash, parentHash, type RewardLeaf } from '@poc/protocol';
import type { Sql, TransactionSql } from 'postgres';

/**
 * Each epoch's rewards Merkle tree, stored with the epoch so a proof is a lookup instead of a rebuild.
 *
 * Nodes are stored in aligned pages of 32. A page of level L holds everything the proof needs for levels L … L+4: the
 * sibling at L is in the page, and hashing the page up gives the siblings at L+1 … L+4 (a 32-block's parents are a
 * 16-block, and so on). So only the leaves (key and cumulative, in key order) and every 5th level above them are
 * stored — about 42 bytes per hotspot per epoch — and a proof reads one leaf page plus one node page per 5 levels
 * (4 pages at a million hotspots), however many hotspots there are.
 */
export const PAGE_NODES = 32;
const LEVELS_PER_PAGE = 5; // log2(PAGE_NODES)
const KEY_BYTES = 32;

export interface LeafPage {
  page: number;
  firstKey: Buffer;
  /** 32-byte hotspot keys, ascending. */
  keys: Buffer;
  /** u64 little-endian cumulative amounts, one per key. */
  cumulatives: Buffer;
}

export interface NodePage {
  level: number;
  page: number;
  /** 32-byte node hashes. */
  nodes: Buffer;
}

/** Nodes per level for `leafCount` leaves: n, ⌈n/2⌉, …, 1 (the tree promotes an odd last node). */
export function levelSizes(leafCount: number): number[] {
  const sizes = [leafCount];
  while (sizes[sizes.length - 1]! > 1) sizes.push(Math.ceil(sizes[sizes.length - 1]! / 2));
  return sizes;
}

/** Leaves in the tree's order (ascending key), sorting only when the input is not already. */
export function sortedByKey<T extends RewardLeaf>(leaves: T[]): T[] {
  for (let i = 1; i < leaves.length; i++) {
    if (Buffer.compare(leaves[i - 1]!.hotspotKey, leaves[i]!.hotspotKey) > 0) return [...leaves].sort((a, b) => Buffer.compare(a.hotspotKey, b.hotspotKey));
  }
  return leaves;
}

/** Cuts a tree built from `sortedLeaves` into pages: all leaves, and the nodes of levels 5, 10, … below the root. */
export function treePages(sortedLeaves: readonly RewardLeaf[], levels: readonly (readonly Buffer[])[]): { leafPages: LeafPage[]; nodePages: NodePage[] } {
  const leafPages: LeafPage[] = [];
  for (let start = 0; start < sortedLeaves.length; start += PAGE_NODES) {
    const chunk = sortedLeaves.slice(start, start + PAGE_NODES);
    const cumulatives = Buffer.alloc(chunk.length * 8);
    chunk.forEach((leaf, i) => cumulatives.writeBigUInt64LE(leaf.cumulative, i * 8));
    leafPages.push({ page: start / PAGE_NODES, firstKey: Buffer.from(chunk[0]!.hotspotKey), keys: Buffer.concat(chunk.map((l) => l.hotspotKey)), cumulatives });
  }
  const nodePages: NodePage[] = [];
  for (let level = LEVELS_PER_PAGE; level < levels.length - 1; level += LEVELS_PER_PAGE) {
    const nodes = levels[level]!;
    for (let start = 0; start < nodes.length; start += PAGE_NODES) {
      nodePages.push({ level, page: start / PAGE_NODES, nodes: Buffer.concat(nodes.slice(start, start + PAGE_NODES)) });
    }
  }
  return { leafPages, nodePages };
}

/**
 * Appends the siblings of node `index` at `level` and the levels above it that the aligned block `nodes` (starting at
 * `blockStart`) determines — up to 5 levels, stopping at the root. Same rule as the tree: no sibling past a level's end.
 */
function blockSiblings(nodes: Buffer[], blockStart: number, index: number, sizes: readonly number[], level: number, proof: Buffer[]): void {
  let block = nodes;
  let start = blockStart;
  let i = index;
  for (let k = 0; k < LEVELS_PER_PAGE && sizes[level + k]! > 1; k++) {
    const sibling = i ^ 1;
    if (sibling < sizes[level + k]!) proof.push(block[sibling - start]!);
    const parents: Buffer[] = [];
    for (let j = 0; j < block.length; j += 2) parents.push(j + 1 < block.length ? parentHash(block[j]!, block[j + 1]!) : block[j]!);
    block = parents;
    start >>= 1;
    i >>= 1;
  }
}

const split = (bytes: Buffer): Buffer[] => Array.from({ length: bytes.length / KEY_BYTES }, (_, j) => bytes.subarray(j * KEY_BYTES, (j + 1) * KEY_BYTES));

/** Page numbers of the node pages a proof for leaf `leafIndex` needs, keyed by level. */
export function nodePagesFor(leafIndex: number, leafCount: number): Map<number, number> {
  const sizes = levelSizes(leafCount);
  const pages = new Map<number, number>();
  for (let level = LEVELS_PER_PAGE; level < sizes.length - 1; level += LEVELS_PER_PAGE) pages.set(level, Math.floor(leafIndex / 2 ** level / PAGE_NODES));
  return pages;
}

/** The leaf's cumulative amount and Merkle proof from its leaf page and the node pages `nodePagesFor` names. */
export function proofFromPages(key: Uint8Array, leafCount: number, leafPage: LeafPage, nodePages: ReadonlyMap<number, Buffer>): { cumulative: bigint; proof: Buffer[]; leafIndex: number } | null {
  const keys = split(leafPage.keys);
  const position = keys.findIndex((k) => k.equals(key));
  if (position < 0) return null;
  const cumulativeAt = (j: number) => leafPage.cumulatives.readBigUInt64LE(j * 8);
  const sizes = levelSizes(leafCount);
  const leafIndex = leafPage.page * PAGE_NODES + position;
  const proof: Buffer[] = [];
  blockSiblings(keys.map((k, j) => leafHash({ hotspotKey: k, cumulative: cumulativeAt(j) })), leafPage.page * PAGE_NODES, leafIndex, sizes, 0, proof);
  for (const [level, page] of nodePagesFor(leafIndex, leafCount)) {
    const nodes = nodePages.get(level);
    if (!nodes) throw new Error(`reward tree: node page ${page} of level ${level} is missing`);
    blockSiblings(split(nodes), page * PAGE_NODES, Math.floor(leafIndex / 2 ** level), sizes, level, proof);
  }
  return { cumulative: cumulativeAt(position), proof, leafIndex };
}

/** Writes an epoch's pages (call in the epoch's transaction). */
export async function storeTreePages(tx: TransactionSql, epoch: bigint, pages: { leafPages: LeafPage[]; nodePages: NodePage[] }): Promise<void> {
  const e = String(epoch);
  for (let i = 0; i < pages.leafPages.length; i += 5000) {
    const rows = pages.leafPages.slice(i, i + 5000).map((p) => ({ epoch: e, page: p.page, first_key: p.firstKey, keys: p.keys, cumulatives: p.cumulatives }));
    await tx`INSERT INTO reward_leaf_pages ${tx(rows)}`;
  }
  for (let i = 0; i < pages.nodePages.length; i += 5000) {
    const rows = pages.nodePages.slice(i, i + 5000).map((p) => ({ epoch: e, level: p.level, page: p.page, nodes: p.nodes }));
    await tx`INSERT INTO reward_node_pages ${tx(rows)}`;
  }
}

/**
 * Drops the pages of epochs more than `keepEpochs` before `epoch` that are older than the newest confirmed epoch:
 * claims use the newest confirmed epoch, and a later root proves a cumulative total at least as large.
 */
export async function pruneTreePages(tx: TransactionSql, epoch: bigint, keepEpochs: number): Promise<void> {
  const pruned = await tx<{ epoch: bigint }[]>`
    UPDATE epochs SET tree_pages = 'pruned'
    WHERE tree_pages = 'stored' AND epoch <= ${String(epoch - BigInt(keepEpochs))}::bigint
      AND epoch < (SELECT max(epoch) FROM epochs WHERE status = 'confirmed')
    RETURNING epoch`;
  if (pruned.length === 0) return;
  const epochs = pruned.map((r) => String(r.epoch));
  await tx`DELETE FROM reward_leaf_pages WHERE epoch IN ${tx(epochs)}`;
  await tx`DELETE FROM reward_node_pages WHERE epoch IN ${tx(epochs)}`;
}

/** Cumulative amount and proof of `key` in a stored epoch tree: one leaf page, then the node pages it names. */
export async function lookupTreeProof(sql: Sql, epoch: bigint, leafCount: number, key: Uint8Array): Promise<{ cumulative: bigint; proof: Buffer[] } | null> {
  const e = String(epoch);
  const [leafPage] = await sql<{ page: number; first_key: Buffer; keys: Buffer; cumulatives: Buffer }[]>`
    SELECT page, first_key, keys, cumulatives FROM reward_leaf_pages
    WHERE epoch = ${e}::bigint AND first_key <= ${Buffer.from(key)} ORDER BY first_key DESC LIMIT 1`;
  if (!leafPage) return null;
  const page: LeafPage = { page: leafPage.page, firstKey: leafPage.first_key, keys: leafPage.keys, cumulatives: leafPage.cumulatives };
  const position = split(page.keys).findIndex((k) => k.equals(key));
  if (position < 0) return null;
  const wanted = nodePagesFor(page.page * PAGE_NODES + position, leafCount);
  const nodes = new Map<number, Buffer>();
  if (wanted.size > 0) {
    const rows = await sql<{ level: number; nodes: Buffer }[]>`
      SELECT n.level, n.nodes FROM unnest(${[...wanted.keys()]}::int[], ${[...wanted.values()]}::int[]) AS w(level, page)
      JOIN reward_node_pages n ON n.epoch = ${e}::bigint AND n.level = w.level AND n.page = w.page`;
    for (const r of rows) nodes.set(r.level, r.nodes);
  }
  const found = proofFromPages(key, leafCount, page, nodes);
  return found && { cumulative: found.cumulative, proof: found.proof };
}
