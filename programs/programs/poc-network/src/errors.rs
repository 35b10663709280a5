use anchor_lang::prelude::*;

#[error_code]
pub enum PocError {
    #[msg("Signer is not the network admin")]
    Unauthorized,
    #[msg("Signer is not the network oracle")]
    WrongOracle,
    #[msg("Signer is not the hotspot owner")]
    NotHotspotOwner,
    #[msg("Maker signer does not match the approved maker")]
    WrongMaker,
    #[msg("Epoch length must be positive")]
    InvalidEpochLength,
    #[msg("Halving interval must be positive")]
    InvalidHalvingInterval,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("The possession proof must be an Ed25519 instruction right before onboard_hotspot")]
    MissingPossessionProof,
    #[msg("The Ed25519 instruction does not attest the expected key and message")]
    InvalidPossessionProof,
    #[msg("Location is not a valid H3 resolution-12 cell")]
    InvalidLocation,
    #[msg("Antenna gain out of range")]
    InvalidGain,
    #[msg("Elevation out of range")]
    InvalidElevation,
    #[msg("Epochs must be submitted in order, each once")]
    EpochOutOfOrder,
    #[msg("The epoch has not ended yet")]
    EpochNotEnded,
    #[msg("Cumulative total may not decrease")]
    CumulativeDecreased,
    #[msg("Epoch amount exceeds the emission schedule")]
    EmissionExceeded,
    #[msg("Merkle proof does not match the epoch root")]
    InvalidMerkleProof,
    #[msg("Merkle proof is too long")]
    ProofTooLong,
    #[msg("Nothing to claim: rewards already claimed up to this amount")]
    NothingToClaim,
    #[msg("Claims would exceed the emitted total")]
    ClaimExceedsEmitted,
    #[msg("Treasury would fall below rent exemption")]
    TreasuryInsufficient,
    #[msg("New owner must differ from the current owner")]
    SameOwner,
    #[msg("Not the network's reward mint")]
    WrongMint,
    #[msg("Only the program's upgrade authority may initialise the network")]
    NotUpgradeAuthority,
    #[msg("Signer is not the proposed admin")]
    NotPendingAdmin,
    #[msg("Claims must prove against the latest epoch root; this one has been superseded")]
    StaleEpochRoot,
    #[msg("The onboarding fee exceeds the maximum the owner accepted")]
    FeeAboveMaximum,
    #[msg("Region code is not one of the LoRaWAN regions the network knows")]
    InvalidRegion,
}
