use anchor_lang::prelude::*;

pub const NETWORK_SEED: &[u8] = b"network";
pub const REWARD_MINT_SEED: &[u8] = b"reward_mint";
pub const TREASURY_SEED: &[u8] = b"treasury";
pub const MAKER_SEED: &[u8] = b"maker";
pub const HOTSPOT_SEED: &[u8] = b"hotspot";
pub const EPOCH_SEED: &[u8] = b"epoch";
pub const REWARD_DECIMALS: u8 = 6;

/// Global configuration, PDA ["network"]. It is also the reward mint's mint authority.
#[account]
#[derive(InitSpace)]
pub struct NetworkConfig {
    pub admin: Pubkey,
    pub oracle: Pubkey,
    pub reward_mint: Pubkey,
    /// Initialisation time aligned down to a multiple of the epoch length; chain epoch `n`
    /// covers [genesis + n·len, genesis + (n+1)·len).
    pub genesis_ts: i64,
    /// genesis_ts / epoch_length: chain epoch `n` is wall-clock epoch `genesis_epoch + n`.
    pub genesis_epoch: u64,
    pub epoch_length_secs: i64,
    /// Emission of epoch 0, in reward base units.
    pub initial_epoch_emission: u64,
    /// The emission halves every this many epochs.
    pub halving_interval_epochs: u64,
    pub onboarding_fee_lamports: u64,
    pub location_fee_lamports: u64,
    /// Index of the next epoch the oracle may submit.
    pub next_epoch: u64,
    /// Cumulative rewards committed by submitted epochs (never above the schedule).
    pub total_emitted: u64,
    /// Rewards minted to owners so far (never above `total_emitted`).
    pub total_claimed: u64,
    pub hotspot_count: u64,
    pub maker_count: u64,
    pub bump: u8,
    pub reward_mint_bump: u8,
    pub treasury_bump: u8,
    /// Key proposed by the admin with `propose_admin`; it becomes the admin when it signs
    /// `accept_admin`. None when no rotation is pending.
    pub pending_admin: Option<Pubkey>,
}

/// Program-owned lamport vault for fees, PDA ["treasury"].
#[account]
#[derive(InitSpace)]
pub struct Treasury {
    pub bump: u8,
}

/// An approved maker, PDA ["maker", authority]. Closed by revoke_maker.
#[account]
#[derive(InitSpace)]
pub struct Maker {
    /// Key that co-signs every onboarding of this maker's hotspots.
    pub authority: Pubkey,
    pub approved_at: i64,
    pub hotspots_onboarded: u64,
    pub bump: u8,
}

/// A hotspot, PDA ["hotspot", hotspot_key].
/// Layout after the 8-byte discriminator: hotspot_key @8, owner @40, maker @72.
#[account]
#[derive(InitSpace)]
pub struct Hotspot {
    pub hotspot_key: Pubkey,
    pub owner: Pubkey,
    /// Authority key of the maker that onboarded it.
    pub maker: Pubkey,
    pub onboarded_at: i64,
    pub updated_at: i64,
    /// H3 resolution-12 cell, 0 until the first assertion.
    pub location: u64,
    pub gain_dbi_x10: u16,
    pub elevation_m: i32,
    /// LoRaWAN region code: the index in packages/protocol/src/regions.ts REGIONS (logic::REGION_COUNT
    /// of them), set at onboarding and by every location assertion.
    pub region: u8,
    pub location_asserts: u32,
    pub location_asserted_at: i64,
    /// Cumulative reward amount already minted for this hotspot.
    pub claimed: u64,
    pub bump: u8,
}

/// One epoch's rewards commitment, PDA ["epoch", u64_le(epoch)].
#[account]
#[derive(InitSpace)]
pub struct EpochRewards {
    pub epoch: u64,
    /// Merkle root over (hotspot_key, cumulative amount) leaves.
    pub root: [u8; 32],
    /// Sum of all cumulative amounts in the tree (cumulative emission up to this epoch).
    pub cumulative_total: u64,
    /// Amount newly emitted by this epoch (cumulative_total − previous cumulative_total).
    pub epoch_amount: u64,
    pub submitted_at: i64,
    pub bump: u8,
}
