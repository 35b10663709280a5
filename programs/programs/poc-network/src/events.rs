use anchor_lang::prelude::*;

#[event]
pub struct NetworkInitialized {
    pub admin: Pubkey,
    pub oracle: Pubkey,
    pub reward_mint: Pubkey,
    pub genesis_ts: i64,
    pub genesis_epoch: u64,
    pub epoch_length_secs: i64,
    pub initial_epoch_emission: u64,
    pub halving_interval_epochs: u64,
}

#[event]
pub struct FeesUpdated {
    pub onboarding_fee_lamports: u64,
    pub location_fee_lamports: u64,
}

#[event]
pub struct OracleRotated {
    pub from: Pubkey,
    pub to: Pubkey,
}

/// `proposed` is None when the admin withdrew a pending proposal.
#[event]
pub struct AdminProposed {
    pub admin: Pubkey,
    pub proposed: Option<Pubkey>,
}

#[event]
pub struct AdminRotated {
    pub from: Pubkey,
    pub to: Pubkey,
}

#[event]
pub struct MakerApproved {
    pub authority: Pubkey,
}

#[event]
pub struct MakerRevoked {
    pub authority: Pubkey,
}

#[event]
pub struct HotspotOnboarded {
    pub hotspot_key: Pubkey,
    pub owner: Pubkey,
    pub maker: Pubkey,
    pub region: u8,
    pub fee_lamports: u64,
    pub timestamp: i64,
}

#[event]
pub struct LocationAsserted {
    pub hotspot_key: Pubkey,
    pub owner: Pubkey,
    pub location: u64,
    pub gain_dbi_x10: u16,
    pub elevation_m: i32,
    pub region: u8,
    pub location_asserts: u32,
    pub fee_lamports: u64,
    pub timestamp: i64,
}

#[event]
pub struct HotspotTransferred {
    pub hotspot_key: Pubkey,
    pub from: Pubkey,
    pub to: Pubkey,
}

#[event]
pub struct EpochRewardsSubmitted {
    pub epoch: u64,
    pub root: [u8; 32],
    pub cumulative_total: u64,
    pub epoch_amount: u64,
}

#[event]
pub struct RewardsClaimed {
    pub hotspot_key: Pubkey,
    pub owner: Pubkey,
    pub epoch: u64,
    pub amount: u64,
    pub cumulative_claimed: u64,
}

#[event]
pub struct TreasuryWithdrawn {
    pub to: Pubkey,
    pub amount: u64,
}
