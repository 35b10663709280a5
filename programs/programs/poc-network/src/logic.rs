//! Pure, dependency-light logic shared by the instructions and unit-tested directly:
//! emission schedule, epoch timing, Merkle verification, H3 validation and the
//! parsing of the Ed25519 precompile instruction that carries the possession proof.

use anchor_lang::solana_program::hash::hashv;

/// Domain-separation prefix of a Merkle leaf (packages/protocol/SPEC.md §Rewards Merkle tree).
pub const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation prefix of an inner Merkle node.
pub const NODE_PREFIX: u8 = 0x01;
/// Longest accepted proof: 2^32 leaves is far beyond any realistic network.
pub const MAX_PROOF_LEN: usize = 32;
/// Prefix of the message a hotspot key signs to prove possession at onboarding.
pub const ONBOARD_DOMAIN: &[u8] = b"poc-network:onboard:v1";
/// Size of the possession message: domain ‖ program ‖ hotspot ‖ owner ‖ maker.
pub const ONBOARD_MESSAGE_LEN: usize = 22 + 32 * 4;
/// Antenna gain bounds in dBi×10 (0.0 ..= 15.0 dBi).
pub const MIN_GAIN_DBI_X10: u16 = 0;
pub const MAX_GAIN_DBI_X10: u16 = 150;
/// Elevation bounds in metres above sea level.
pub const MIN_ELEVATION_M: i32 = -500;
pub const MAX_ELEVATION_M: i32 = 10_000;
/// Number of LoRaWAN region codes: codes 0..REGION_COUNT index packages/protocol/src/regions.ts REGIONS
/// (EU868, US915, AU915, AS923_1, AS923_2, AS923_3, AS923_4, KR920, IN865, RU864, CN470, EU433).
pub const REGION_COUNT: u8 = 12;
/// Resolution every asserted location must have.
pub const H3_RESOLUTION: u64 = 12;

/// Reward emission for `epoch`: `initial` halved every `halving_interval` epochs.
/// Returns None for a zero interval (rejected at initialisation anyway).
pub fn emission_for_epoch(initial: u64, halving_interval: u64, epoch: u64) -> Option<u64> {
    let halvings = epoch.checked_div(halving_interval)?;
    if halvings >= 64 {
        return Some(0);
    }
    Some(initial >> halvings)
}

/// Genesis time aligned down to a multiple of the epoch length, so chain epoch `e` is the
/// wall-clock epoch `genesis_epoch + e` (unix time / length), the numbering the oracle uses.
/// Returns (genesis_ts, genesis_epoch); None for a negative clock or a non-positive length.
pub fn align_genesis(now: i64, epoch_length: i64) -> Option<(i64, u64)> {
    if now < 0 || epoch_length <= 0 {
        return None;
    }
    let genesis = now.checked_sub(now.checked_rem(epoch_length)?)?;
    let genesis_epoch = u64::try_from(genesis.checked_div(epoch_length)?).ok()?;
    Some((genesis, genesis_epoch))
}

/// Unix time at which `epoch` ends: genesis + (epoch + 1) × length, overflow-checked.
pub fn epoch_end_ts(genesis_ts: i64, epoch_length: i64, epoch: u64) -> Option<i64> {
    let count = i64::try_from(epoch.checked_add(1)?).ok()?;
    genesis_ts.checked_add(epoch_length.checked_mul(count)?)
}

/// sha256(0x00 ‖ hotspot_key ‖ u64_le(cumulative)).
pub fn leaf_hash(hotspot_key: &[u8; 32], cumulative: u64) -> [u8; 32] {
    hashv(&[&[LEAF_PREFIX], hotspot_key, &cumulative.to_le_bytes()]).to_bytes()
}

/// sha256(0x01 ‖ min(a, b) ‖ max(a, b)), the pair ordered bytewise.
pub fn node_hash(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    hashv(&[&[NODE_PREFIX], lo, hi]).to_bytes()
}

/// Folds a sibling list onto a leaf and compares with the root.
pub fn verify_proof(root: &[u8; 32], leaf: [u8; 32], proof: &[[u8; 32]]) -> bool {
    if proof.len() > MAX_PROOF_LEN {
        return false;
    }
    let computed = proof.iter().fold(leaf, |acc, sibling| node_hash(&acc, sibling));
    &computed == root
}

/// Builds every level of the tree from already-hashed leaves (callers sort them).
/// Level 0 is the leaves, the last level holds the root. An odd node is promoted unchanged.
pub fn build_levels(leaves: Vec<[u8; 32]>) -> Vec<Vec<[u8; 32]>> {
    let mut levels = vec![leaves];
    while levels.last().map(|l| l.len() > 1).unwrap_or(false) {
        let prev = levels.last().expect("non-empty");
        let next: Vec<[u8; 32]> = prev
            .chunks(2)
            .map(|pair| if pair.len() == 2 { node_hash(&pair[0], &pair[1]) } else { pair[0] })
            .collect();
        levels.push(next);
    }
    levels
}

/// Root of the tree over `(hotspot_key, cumulative)` entries, sorted by key first.
/// Returns None for an empty set.
pub fn rewards_root(entries: &[([u8; 32], u64)]) -> Option<[u8; 32]> {
    let mut sorted = entries.to_vec();
    sorted.sort_by_key(|e| e.0);
    let leaves = sorted.iter().map(|(k, c)| leaf_hash(k, *c)).collect::<Vec<_>>();
    if leaves.is_empty() {
        return None;
    }
    build_levels(leaves).last().map(|l| l[0])
}

/// Sibling list for the entry at `index` of the key-sorted entries.
pub fn rewards_proof(entries: &[([u8; 32], u64)], key: &[u8; 32]) -> Option<Vec<[u8; 32]>> {
    let mut sorted = entries.to_vec();
    sorted.sort_by_key(|e| e.0);
    let mut index = sorted.iter().position(|(k, _)| k == key)?;
    let levels = build_levels(sorted.iter().map(|(k, c)| leaf_hash(k, *c)).collect());
    let mut proof = Vec::new();
    for level in &levels[..levels.len() - 1] {
        let sibling = index ^ 1;
        if sibling < level.len() {
            proof.push(level[sibling]);
        }
        index /= 2;
    }
    Some(proof)
}

/// True when `code` names one of the REGION_COUNT LoRaWAN regions.
pub fn is_valid_region(code: u8) -> bool {
    code < REGION_COUNT
}

/// True when `cell` is a valid H3 cell index (mode 1) at resolution 12.
pub fn is_valid_h3_res12(cell: u64) -> bool {
    let high_bit = cell >> 63;
    let mode = (cell >> 59) & 0xf;
    let reserved = (cell >> 56) & 0x7;
    let resolution = (cell >> 52) & 0xf;
    let base_cell = (cell >> 45) & 0x7f;
    if high_bit != 0 || mode != 1 || reserved != 0 || resolution != H3_RESOLUTION || base_cell > 121 {
        return false;
    }
    for r in 1..=15u64 {
        let digit = (cell >> ((15 - r) * 3)) & 0x7;
        let ok = if r <= H3_RESOLUTION { digit <= 6 } else { digit == 7 };
        if !ok {
            return false;
        }
    }
    true
}

/// The message a hotspot key signs to prove possession when it is onboarded.
pub fn onboard_message(
    program_id: &[u8; 32],
    hotspot_key: &[u8; 32],
    owner: &[u8; 32],
    maker: &[u8; 32],
) -> Vec<u8> {
    let mut message = Vec::with_capacity(ONBOARD_MESSAGE_LEN);
    message.extend_from_slice(ONBOARD_DOMAIN);
    message.extend_from_slice(program_id);
    message.extend_from_slice(hotspot_key);
    message.extend_from_slice(owner);
    message.extend_from_slice(maker);
    message
}

/// What a well-formed single-signature Ed25519 precompile instruction attests.
#[derive(Debug, PartialEq, Eq)]
pub struct Ed25519Attestation<'a> {
    pub public_key: [u8; 32],
    pub message: &'a [u8],
}

/// Parses Ed25519 precompile instruction data that carries exactly one signature whose
/// signature, public key and message all live in that same instruction (indices u16::MAX).
/// The precompile itself checks the signature; this only extracts what was signed and by whom.
pub fn parse_ed25519_instruction(data: &[u8]) -> Option<Ed25519Attestation<'_>> {
    const HEADER: usize = 2;
    const OFFSETS: usize = 14;
    if data.len() < HEADER + OFFSETS || data[0] != 1 {
        return None;
    }
    let u16_at = |at: usize| -> usize { u16::from_le_bytes([data[at], data[at + 1]]) as usize };
    let base = HEADER;
    let signature_offset = u16_at(base);
    let signature_ix = u16_at(base + 2);
    let pubkey_offset = u16_at(base + 4);
    let pubkey_ix = u16_at(base + 6);
    let message_offset = u16_at(base + 8);
    let message_size = u16_at(base + 10);
    let message_ix = u16_at(base + 12);
    let this = u16::MAX as usize;
    if signature_ix != this || pubkey_ix != this || message_ix != this {
        return None;
    }
    data.get(signature_offset..signature_offset.checked_add(64)?)?;
    let public_key: [u8; 32] = data.get(pubkey_offset..pubkey_offset.checked_add(32)?)?.try_into().ok()?;
    let message = data.get(message_offset..message_offset.checked_add(message_size)?)?;
    Some(Ed25519Attestation { public_key, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn emission_halves_on_schedule() {
        assert_eq!(emission_for_epoch(1_000, 10, 0), Some(1_000));
        assert_eq!(emission_for_epoch(1_000, 10, 9), Some(1_000));
        assert_eq!(emission_for_epoch(1_000, 10, 10), Some(500));
        assert_eq!(emission_for_epoch(1_000, 10, 25), Some(250));
        assert_eq!(emission_for_epoch(u64::MAX, 1, 63), Some(1));
        assert_eq!(emission_for_epoch(u64::MAX, 1, 64), Some(0));
        assert_eq!(emission_for_epoch(u64::MAX, 1, u64::MAX), Some(0));
        assert_eq!(emission_for_epoch(1_000, 0, 3), None);
    }

    #[test]
    fn region_codes_are_the_twelve_regions() {
        assert!((0..REGION_COUNT).all(is_valid_region));
        assert_eq!(REGION_COUNT, 12);
        assert!(!is_valid_region(12));
        assert!(!is_valid_region(u8::MAX));
    }

    #[test]
    fn genesis_is_aligned_to_wall_clock_epochs() {
        assert_eq!(align_genesis(1_700_000_000, 3_600), Some((1_699_999_200, 472_222)));
        assert_eq!(align_genesis(7_200, 3_600), Some((7_200, 2)));
        assert_eq!(align_genesis(59, 60), Some((0, 0)));
        assert_eq!(align_genesis(100, i64::MAX), Some((0, 0)));
        assert_eq!(align_genesis(-1, 60), None);
        assert_eq!(align_genesis(100, 0), None);
    }

    #[test]
    fn epoch_end_is_overflow_checked() {
        assert_eq!(epoch_end_ts(100, 60, 0), Some(160));
        assert_eq!(epoch_end_ts(100, 60, 2), Some(280));
        assert_eq!(epoch_end_ts(0, i64::MAX, 0), Some(i64::MAX));
        assert_eq!(epoch_end_ts(1, i64::MAX, 0), None);
        assert_eq!(epoch_end_ts(0, 2, u64::MAX), None);
        assert_eq!(epoch_end_ts(0, i64::MAX, 1), None);
    }

    #[test]
    fn leaf_and_node_hashes_match_the_shared_vectors() {
        // Test vectors shared with packages/sdk (test/chain/merkle.test.ts).
        let leaf = leaf_hash(&[1u8; 32], 1_000_000);
        assert_eq!(hex(&leaf), "f1da796f37bc742c5f2c2c22eb30ee2b41e8fb18afd434cf591398668f77c61a");
        let mut pre = vec![0u8];
        pre.extend_from_slice(&[1u8; 32]);
        pre.extend_from_slice(&1_000_000u64.to_le_bytes());
        assert_eq!(leaf, hashv(&[&pre]).to_bytes());
        let a = [2u8; 32];
        let b = [1u8; 32];
        assert_eq!(node_hash(&a, &b), node_hash(&b, &a));
        assert_eq!(hex(&node_hash(&a, &b)), "b331da6ec49d4547d9942a6727e5123f69bed5a0b97ac171cfbfd6201431fcfa");
        let mut pre = vec![1u8];
        pre.extend_from_slice(&b);
        pre.extend_from_slice(&a);
        assert_eq!(node_hash(&a, &b), hashv(&[&pre]).to_bytes());
    }

    fn key32(hex_text: &str) -> [u8; 32] {
        let bytes: Vec<u8> = (0..hex_text.len()).step_by(2).map(|i| u8::from_str_radix(&hex_text[i..i + 2], 16).unwrap()).collect();
        bytes.try_into().unwrap()
    }

    fn text<'a>(v: &'a serde_json::Value, field: &str) -> &'a str {
        v[field].as_str().unwrap_or_else(|| panic!("vector field {field}"))
    }

    #[test]
    fn rewards_tree_matches_the_vectors_shared_with_packages_protocol() {
        let vectors: serde_json::Value = serde_json::from_str(include_str!("../../../../packages/protocol/vectors/rewards-merkle.json")).unwrap();
        for v in vectors["leaves"].as_array().unwrap() {
            let cumulative: u64 = text(v, "cumulative").parse().unwrap();
            assert_eq!(hex(&leaf_hash(&key32(text(v, "hotspotKey")), cumulative)), text(v, "hash"));
        }
        for v in vectors["nodes"].as_array().unwrap() {
            assert_eq!(hex(&node_hash(&key32(text(v, "a")), &key32(text(v, "b")))), text(v, "hash"));
        }
        let trees = vectors["trees"].as_array().unwrap();
        assert!(!trees.is_empty());
        for t in trees {
            let entries: Vec<([u8; 32], u64)> = t["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (key32(text(e, "hotspotKey")), text(e, "cumulative").parse().unwrap()))
                .collect();
            let root = rewards_root(&entries).unwrap();
            assert_eq!(hex(&root), text(t, "root"));
            for (i, (key, amount)) in entries.iter().enumerate() {
                let expected: Vec<String> = t["proofs"][i].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
                let proof = rewards_proof(&entries, key).unwrap();
                assert_eq!(proof.iter().map(|p| hex(p)).collect::<Vec<_>>(), expected);
                assert!(verify_proof(&root, leaf_hash(key, *amount), &proof));
            }
        }
    }

    #[test]
    fn possession_message_matches_the_vectors_shared_with_packages_protocol() {
        let vectors: serde_json::Value = serde_json::from_str(include_str!("../../../../packages/protocol/vectors/possession.json")).unwrap();
        for v in vectors["messages"].as_array().unwrap() {
            let message = onboard_message(&key32(text(v, "programId")), &key32(text(v, "hotspotKey")), &key32(text(v, "owner")), &key32(text(v, "maker")));
            assert_eq!(hex(&message), text(v, "message"));
        }
    }

    fn entries(n: u8) -> Vec<([u8; 32], u64)> {
        (0..n).map(|i| ([i.wrapping_mul(37).wrapping_add(5); 32], 1_000 * (i as u64 + 1))).collect()
    }

    #[test]
    fn proofs_verify_for_every_leaf_of_many_tree_sizes() {
        for n in 1..=9u8 {
            let e = entries(n);
            let root = rewards_root(&e).unwrap();
            for (key, amount) in &e {
                let proof = rewards_proof(&e, key).unwrap();
                assert!(verify_proof(&root, leaf_hash(key, *amount), &proof), "n={n}");
                assert!(!verify_proof(&root, leaf_hash(key, amount + 1), &proof), "n={n}");
            }
        }
    }

    #[test]
    fn single_leaf_tree_has_the_leaf_as_root_and_empty_proof() {
        let e = vec![([7u8; 32], 42)];
        assert_eq!(rewards_root(&e).unwrap(), leaf_hash(&[7u8; 32], 42));
        assert!(rewards_proof(&e, &[7u8; 32]).unwrap().is_empty());
        assert!(rewards_root(&[]).is_none());
    }

    #[test]
    fn odd_node_is_promoted_unchanged() {
        let e = vec![([1u8; 32], 1), ([2u8; 32], 2), ([3u8; 32], 3)];
        let l: Vec<_> = e.iter().map(|(k, c)| leaf_hash(k, *c)).collect();
        let expected = node_hash(&node_hash(&l[0], &l[1]), &l[2]);
        assert_eq!(rewards_root(&e).unwrap(), expected);
        assert_eq!(rewards_proof(&e, &[3u8; 32]).unwrap(), vec![node_hash(&l[0], &l[1])]);
    }

    #[test]
    fn bad_proofs_are_rejected() {
        let e = entries(5);
        let root = rewards_root(&e).unwrap();
        let (key, amount) = e[2];
        let mut proof = rewards_proof(&e, &key).unwrap();
        assert!(verify_proof(&root, leaf_hash(&key, amount), &proof));
        proof[0][0] ^= 1;
        assert!(!verify_proof(&root, leaf_hash(&key, amount), &proof));
        assert!(!verify_proof(&root, leaf_hash(&key, amount), &[]));
        let too_long = vec![[0u8; 32]; MAX_PROOF_LEN + 1];
        assert!(!verify_proof(&root, leaf_hash(&key, amount), &too_long));
        // A leaf cannot be passed off as an inner node (domain separation).
        let inner = node_hash(&leaf_hash(&e[0].0, e[0].1), &leaf_hash(&e[1].0, e[1].1));
        assert_ne!(inner, leaf_hash(&e[0].0, e[0].1));
    }

    #[test]
    fn h3_cells_are_validated() {
        // 8c2a100d2c4c1ff: a real resolution-12 cell (New York).
        assert!(is_valid_h3_res12(0x08c2a100d2c4c1ff));
        // Same cell at resolution 11 is rejected.
        assert!(!is_valid_h3_res12(0x08b2a100d2c4c1ff & !0x7 | 0x7));
        assert!(!is_valid_h3_res12(0));
        assert!(!is_valid_h3_res12(u64::MAX));
        // Mode 2 (directed edge) rejected.
        assert!(!is_valid_h3_res12(0x108c2a100d2c4c1f));
        // Unused digit 13 must be 7.
        assert!(!is_valid_h3_res12(0x08c2a100d2c4c1fe & !0x1ff | 0x0ff));
        // A digit of 7 inside the used resolution is invalid.
        assert!(!is_valid_h3_res12(0x08c2a100d2c4c1ff | (0x7 << (3 * 3))));
        // Base cell above 121 is invalid.
        assert!(!is_valid_h3_res12((0x08c2a100d2c4c1ff & !(0x7f << 45)) | (122 << 45)));
    }

    fn ed_data(pk: [u8; 32], msg: &[u8], indices: u16) -> Vec<u8> {
        let mut d = vec![1u8, 0];
        let sig_off = 16u16;
        let pk_off = sig_off + 64;
        let msg_off = pk_off + 32;
        for v in [sig_off, indices, pk_off, indices, msg_off, msg.len() as u16, indices] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        d.extend_from_slice(&[9u8; 64]);
        d.extend_from_slice(&pk);
        d.extend_from_slice(msg);
        d
    }

    #[test]
    fn ed25519_instruction_parsing() {
        let msg = onboard_message(&[1; 32], &[2; 32], &[3; 32], &[4; 32]);
        assert_eq!(msg.len(), ONBOARD_MESSAGE_LEN);
        assert_eq!(&msg[..22], ONBOARD_DOMAIN);
        let data = ed_data([5; 32], &msg, u16::MAX);
        let parsed = parse_ed25519_instruction(&data).unwrap();
        assert_eq!(parsed.public_key, [5; 32]);
        assert_eq!(parsed.message, &msg[..]);
        // Data referenced from another instruction is refused.
        assert!(parse_ed25519_instruction(&ed_data([5; 32], &msg, 0)).is_none());
        // Two signatures are refused.
        let mut two = data.clone();
        two[0] = 2;
        assert!(parse_ed25519_instruction(&two).is_none());
        // Truncated data is refused.
        assert!(parse_ed25519_instruction(&data[..data.len() - 1]).is_none());
        assert!(parse_ed25519_instruction(&data[..10]).is_none());
    }
}
