-- Each epoch's rewards Merkle tree, written in the epoch's own transaction so a proof is a lookup (see
-- oracle/src/epochs/reward-tree.ts): the leaves in aligned pages of 32 (keys and cumulative amounts in key order), and
-- the nodes of every 5th level above them in pages of 32. A proof reads one leaf page and one node page per 5 levels.
CREATE TABLE reward_leaf_pages (
  epoch        bigint NOT NULL REFERENCES epochs(epoch),
  page         integer NOT NULL,
  first_key    bytea NOT NULL,     -- the page's smallest hotspot key: finds the page of a key
  keys         bytea NOT NULL,     -- 32 bytes per leaf, ascending
  cumulatives  bytea NOT NULL,     -- u64 little-endian per leaf
  PRIMARY KEY (epoch, page)
);
CREATE UNIQUE INDEX reward_leaf_pages_key_idx ON reward_leaf_pages (epoch, first_key);
CREATE TABLE reward_node_pages (
  epoch  bigint NOT NULL REFERENCES epochs(epoch),
  level  smallint NOT NULL,        -- 5, 10, 15, … (the root is epochs.merkle_root)
  page   integer NOT NULL,
  nodes  bytea NOT NULL,           -- 32 bytes per node
  PRIMARY KEY (epoch, level, page)
);
-- 'stored': pages present; 'pruned': removed after newer epochs were confirmed; NULL: computed before this migration
-- (its proofs are rebuilt from epoch_rewards, as before).
ALTER TABLE epochs ADD COLUMN tree_pages text CHECK (tree_pages IN ('stored', 'pruned'));
