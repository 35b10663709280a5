//! Proof-of-coverage network: hotspot registry (makers, onboarding with a possession
//! proof, location assertions, transfers) and lazily claimed, Merkle-committed rewards.
#![allow(unexpected_cfgs)]
#![allow(deprecated)] // anchor 0.31 codegen calls AccountInfo::realloc

use anchor_lang::prelude::*;
use anchor_lang::solana_program::{
    bpf_loader_upgradeable, ed25519_program,
    sysvar::instructions::{load_current_index_checked, load_instruction_at_checked},
};
use anchor_lang::system_program;
use anchor_spl::associated_token::AssociatedToken;
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount};

pub mod errors;
pub mod events;
pub mod logic;
pub mod state;

use errors::PocError;
use events::*;
use state::*;

declare_id!("4EtdmGR8cRUh1XT9JEJYB9bQGwQv2fsykqEzAMY6fwjM");

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct InitializeNetworkArgs {
    pub oracle: Pubkey,
    pub epoch_length_secs: i64,
    pub initial_epoch_emission: u64,
    pub halving_interval_epochs: u64,
    pub onboarding_fee_lamports: u64,
    pub location_fee_lamports: u64,
}

#[program]
pub mod poc_network {
    use super::*;

    /// Creates the network config, the reward mint (PDA, decimals 6, minted only by the
    /// network PDA) and the fee treasury. Only the program's upgrade authority may call it (so
    /// nobody can front-run the deployer); it becomes the admin.
    pub fn initialize_network(ctx: Context<InitializeNetwork>, args: InitializeNetworkArgs) -> Result<()> {
        require!(args.epoch_length_secs > 0, PocError::InvalidEpochLength);
        require!(args.halving_interval_epochs > 0, PocError::InvalidHalvingInterval);
        let now = Clock::get()?.unix_timestamp;
        let (genesis_ts, genesis_epoch) =
            logic::align_genesis(now, args.epoch_length_secs).ok_or(PocError::MathOverflow)?;
        let network = &mut ctx.accounts.network;
        network.set_inner(NetworkConfig {
            admin: ctx.accounts.admin.key(),
            oracle: args.oracle,
            reward_mint: ctx.accounts.reward_mint.key(),
            genesis_ts,
            genesis_epoch,
            epoch_length_secs: args.epoch_length_secs,
            initial_epoch_emission: args.initial_epoch_emission,
            halving_interval_epochs: args.halving_interval_epochs,
            onboarding_fee_lamports: args.onboarding_fee_lamports,
            location_fee_lamports: args.location_fee_lamports,
            next_epoch: 0,
            total_emitted: 0,
            total_claimed: 0,
            hotspot_count: 0,
            maker_count: 0,
            bump: ctx.bumps.network,
            reward_mint_bump: ctx.bumps.reward_mint,
            treasury_bump: ctx.bumps.treasury,
            pending_admin: None,
        });
        ctx.accounts.treasury.bump = ctx.bumps.treasury;
        emit!(NetworkInitialized {
            admin: network.admin,
            oracle: network.oracle,
            reward_mint: network.reward_mint,
            genesis_ts,
            genesis_epoch,
            epoch_length_secs: args.epoch_length_secs,
            initial_epoch_emission: args.initial_epoch_emission,
            halving_interval_epochs: args.halving_interval_epochs,
        });
        Ok(())
    }

    /// Admin: change the onboarding and location fees.
    pub fn update_fees(ctx: Context<AdminOnly>, onboarding_fee_lamports: u64, location_fee_lamports: u64) -> Result<()> {
        let network = &mut ctx.accounts.network;
        network.onboarding_fee_lamports = onboarding_fee_lamports;
        network.location_fee_lamports = location_fee_lamports;
        emit!(FeesUpdated { onboarding_fee_lamports, location_fee_lamports });
        Ok(())
    }

    /// Admin: hand the oracle role (submitting epoch roots) to another key.
    pub fn rotate_oracle(ctx: Context<AdminOnly>, new_oracle: Pubkey) -> Result<()> {
        let network = &mut ctx.accounts.network;
        let from = network.oracle;
        network.oracle = new_oracle;
        emit!(OracleRotated { from, to: new_oracle });
        Ok(())
    }

    /// Admin, step 1 of 2: propose a new admin, who takes over by signing `accept_admin`.
    /// Proposing the current admin withdraws a pending proposal.
    pub fn propose_admin(ctx: Context<AdminOnly>, new_admin: Pubkey) -> Result<()> {
        let network = &mut ctx.accounts.network;
        network.pending_admin = (new_admin != network.admin).then_some(new_admin);
        emit!(AdminProposed { admin: network.admin, proposed: network.pending_admin });
        Ok(())
    }

    /// Proposed admin, step 2 of 2: accept the role; the previous admin loses it.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        let network = &mut ctx.accounts.network;
        let from = network.admin;
        network.admin = ctx.accounts.new_admin.key();
        network.pending_admin = None;
        emit!(AdminRotated { from, to: network.admin });
        Ok(())
    }

    /// Admin: approve a maker whose `authority` key will co-sign onboardings.
    pub fn approve_maker(ctx: Context<ApproveMaker>, authority: Pubkey) -> Result<()> {
        let network = &mut ctx.accounts.network;
        network.maker_count = network.maker_count.checked_add(1).ok_or(PocError::MathOverflow)?;
        ctx.accounts.maker.set_inner(Maker {
            authority,
            approved_at: Clock::get()?.unix_timestamp,
            hotspots_onboarded: 0,
            bump: ctx.bumps.maker,
        });
        emit!(MakerApproved { authority });
        Ok(())
    }

    /// Admin: revoke a maker by closing its approval (rent back to the admin).
    pub fn revoke_maker(ctx: Context<RevokeMaker>) -> Result<()> {
        let network = &mut ctx.accounts.network;
        network.maker_count = network.maker_count.checked_sub(1).ok_or(PocError::MathOverflow)?;
        emit!(MakerRevoked { authority: ctx.accounts.maker.authority });
        Ok(())
    }

    /// Onboards a hotspot. Signed by the owner and the approved maker's authority; the
    /// instruction right before this one must be an Ed25519 precompile instruction in which
    /// the hotspot key signs the possession message (logic::onboard_message). `max_fee_lamports`
    /// is the highest onboarding fee the owner agreed to when signing. `region` is the LoRaWAN
    /// region code (logic::REGION_COUNT) the owner and maker agree the hotspot operates in.
    pub fn onboard_hotspot(
        ctx: Context<OnboardHotspot>,
        hotspot_key: Pubkey,
        max_fee_lamports: u64,
        region: u8,
    ) -> Result<()> {
        require!(logic::is_valid_region(region), PocError::InvalidRegion);
        let owner = ctx.accounts.owner.key();
        let maker_authority = ctx.accounts.maker_authority.key();
        verify_possession_proof(&ctx.accounts.instructions, &hotspot_key, &owner, &maker_authority)?;

        let fee = ctx.accounts.network.onboarding_fee_lamports;
        require!(fee <= max_fee_lamports, PocError::FeeAboveMaximum);
        pay_fee(&ctx.accounts.owner, &ctx.accounts.treasury, &ctx.accounts.system_program, fee)?;

        let now = Clock::get()?.unix_timestamp;
        let network = &mut ctx.accounts.network;
        network.hotspot_count = network.hotspot_count.checked_add(1).ok_or(PocError::MathOverflow)?;
        let maker = &mut ctx.accounts.maker;
        maker.hotspots_onboarded = maker.hotspots_onboarded.checked_add(1).ok_or(PocError::MathOverflow)?;
        ctx.accounts.hotspot.set_inner(Hotspot {
            hotspot_key,
            owner,
            maker: maker_authority,
            onboarded_at: now,
            updated_at: now,
            location: 0,
            gain_dbi_x10: 0,
            elevation_m: 0,
            region,
            location_asserts: 0,
            location_asserted_at: 0,
            claimed: 0,
            bump: ctx.bumps.hotspot,
        });
        emit!(HotspotOnboarded { hotspot_key, owner, maker: maker_authority, region, fee_lamports: fee, timestamp: now });
        Ok(())
    }

    /// Owner: assert (or re-assert) the hotspot's location, antenna gain, elevation and the
    /// LoRaWAN region code of that location. Every assertion pays the location fee into the treasury.
    pub fn assert_location(
        ctx: Context<AssertLocation>,
        location: u64,
        gain_dbi_x10: u16,
        elevation_m: i32,
        region: u8,
    ) -> Result<()> {
        require!(logic::is_valid_h3_res12(location), PocError::InvalidLocation);
        require!(logic::is_valid_region(region), PocError::InvalidRegion);
        require!(
            (logic::MIN_GAIN_DBI_X10..=logic::MAX_GAIN_DBI_X10).contains(&gain_dbi_x10),
            PocError::InvalidGain
        );
        require!(
            (logic::MIN_ELEVATION_M..=logic::MAX_ELEVATION_M).contains(&elevation_m),
            PocError::InvalidElevation
        );
        let fee = ctx.accounts.network.location_fee_lamports;
        pay_fee(&ctx.accounts.owner, &ctx.accounts.treasury, &ctx.accounts.system_program, fee)?;

        let now = Clock::get()?.unix_timestamp;
        let hotspot = &mut ctx.accounts.hotspot;
        hotspot.location = location;
        hotspot.gain_dbi_x10 = gain_dbi_x10;
        hotspot.elevation_m = elevation_m;
        hotspot.region = region;
        hotspot.location_asserts = hotspot.location_asserts.checked_add(1).ok_or(PocError::MathOverflow)?;
        hotspot.location_asserted_at = now;
        hotspot.updated_at = now;
        emit!(LocationAsserted {
            hotspot_key: hotspot.hotspot_key,
            owner: hotspot.owner,
            location,
            gain_dbi_x10,
            elevation_m,
            region,
            location_asserts: hotspot.location_asserts,
            fee_lamports: fee,
            timestamp: now,
        });
        Ok(())
    }

    /// Owner: hand the hotspot (and its future claims) to a new owner.
    pub fn transfer_hotspot(ctx: Context<TransferHotspot>, new_owner: Pubkey) -> Result<()> {
        let hotspot = &mut ctx.accounts.hotspot;
        require!(new_owner != hotspot.owner, PocError::SameOwner);
        let from = hotspot.owner;
        hotspot.owner = new_owner;
        hotspot.updated_at = Clock::get()?.unix_timestamp;
        emit!(HotspotTransferred { hotspot_key: hotspot.hotspot_key, from, to: new_owner });
        Ok(())
    }

    /// Oracle: commit the Merkle root of cumulative rewards for `epoch`. Epochs are strictly
    /// consecutive from 0, only after they ended, and the newly emitted amount
    /// (cumulative_total − previous cumulative_total) may not exceed the halving schedule.
    pub fn submit_epoch_rewards(
        ctx: Context<SubmitEpochRewards>,
        epoch: u64,
        root: [u8; 32],
        cumulative_total: u64,
    ) -> Result<()> {
        let network = &mut ctx.accounts.network;
        require!(epoch == network.next_epoch, PocError::EpochOutOfOrder);
        let now = Clock::get()?.unix_timestamp;
        let ends = logic::epoch_end_ts(network.genesis_ts, network.epoch_length_secs, epoch)
            .ok_or(PocError::MathOverflow)?;
        require!(now >= ends, PocError::EpochNotEnded);
        require!(cumulative_total >= network.total_emitted, PocError::CumulativeDecreased);
        let epoch_amount = cumulative_total.checked_sub(network.total_emitted).ok_or(PocError::MathOverflow)?;
        let allowed = logic::emission_for_epoch(
            network.initial_epoch_emission,
            network.halving_interval_epochs,
            epoch,
        )
        .ok_or(PocError::MathOverflow)?;
        require!(epoch_amount <= allowed, PocError::EmissionExceeded);

        network.next_epoch = epoch.checked_add(1).ok_or(PocError::MathOverflow)?;
        network.total_emitted = cumulative_total;
        ctx.accounts.epoch_rewards.set_inner(EpochRewards {
            epoch,
            root,
            cumulative_total,
            epoch_amount,
            submitted_at: now,
            bump: ctx.bumps.epoch_rewards,
        });
        emit!(EpochRewardsSubmitted { epoch, root, cumulative_total, epoch_amount });
        Ok(())
    }

    /// Hotspot owner: prove (hotspot_key, cumulative) against the latest epoch root and mint
    /// cumulative − already-claimed to the owner's associated token account. The owner signs
    /// and pays that account's rent, so nobody can spend someone else's lamports on a claim.
    pub fn claim_rewards(
        ctx: Context<ClaimRewards>,
        epoch: u64,
        cumulative: u64,
        proof: Vec<[u8; 32]>,
    ) -> Result<()> {
        require!(proof.len() <= logic::MAX_PROOF_LEN, PocError::ProofTooLong);
        let hotspot_key = ctx.accounts.hotspot.hotspot_key;
        let leaf = logic::leaf_hash(&hotspot_key.to_bytes(), cumulative);
        require!(
            logic::verify_proof(&ctx.accounts.epoch_rewards.root, leaf, &proof),
            PocError::InvalidMerkleProof
        );
        let claimed = ctx.accounts.hotspot.claimed;
        require!(cumulative > claimed, PocError::NothingToClaim);
        let amount = cumulative.checked_sub(claimed).ok_or(PocError::MathOverflow)?;

        let network = &mut ctx.accounts.network;
        let total_claimed = network.total_claimed.checked_add(amount).ok_or(PocError::MathOverflow)?;
        require!(total_claimed <= network.total_emitted, PocError::ClaimExceedsEmitted);
        network.total_claimed = total_claimed;
        ctx.accounts.hotspot.claimed = cumulative;

        let bump = [ctx.accounts.network.bump];
        let seeds: &[&[u8]] = &[NETWORK_SEED, &bump];
        token::mint_to(
            CpiContext::new_with_signer(
                ctx.accounts.token_program.to_account_info(),
                MintTo {
                    mint: ctx.accounts.reward_mint.to_account_info(),
                    to: ctx.accounts.owner_token_account.to_account_info(),
                    authority: ctx.accounts.network.to_account_info(),
                },
                &[seeds],
            ),
            amount,
        )?;
        emit!(RewardsClaimed {
            hotspot_key,
            owner: ctx.accounts.owner.key(),
            epoch,
            amount,
            cumulative_claimed: cumulative,
        });
        Ok(())
    }

    /// Admin: move collected fees out of the treasury (it stays rent exempt).
    pub fn withdraw_treasury(ctx: Context<WithdrawTreasury>, amount: u64) -> Result<()> {
        let treasury = ctx.accounts.treasury.to_account_info();
        let keep = Rent::get()?.minimum_balance(treasury.data_len());
        let available = treasury.lamports().checked_sub(keep).ok_or(PocError::TreasuryInsufficient)?;
        require!(amount <= available, PocError::TreasuryInsufficient);
        treasury.sub_lamports(amount)?;
        ctx.accounts.to.to_account_info().add_lamports(amount)?;
        emit!(TreasuryWithdrawn { to: ctx.accounts.to.key(), amount });
        Ok(())
    }
}

fn pay_fee<'info>(
    payer: &Signer<'info>,
    treasury: &Account<'info, Treasury>,
    system: &Program<'info, System>,
    lamports: u64,
) -> Result<()> {
    if lamports == 0 {
        return Ok(());
    }
    system_program::transfer(
        CpiContext::new(
            system.to_account_info(),
            system_program::Transfer { from: payer.to_account_info(), to: treasury.to_account_info() },
        ),
        lamports,
    )
}

fn verify_possession_proof(
    instructions: &UncheckedAccount,
    hotspot_key: &Pubkey,
    owner: &Pubkey,
    maker_authority: &Pubkey,
) -> Result<()> {
    let ixs = instructions.to_account_info();
    let current = load_current_index_checked(&ixs)? as usize;
    require!(current > 0, PocError::MissingPossessionProof);
    let proof_ix = load_instruction_at_checked(current - 1, &ixs)?;
    require!(proof_ix.program_id == ed25519_program::ID, PocError::MissingPossessionProof);
    let attestation =
        logic::parse_ed25519_instruction(&proof_ix.data).ok_or(PocError::InvalidPossessionProof)?;
    let expected = logic::onboard_message(
        &crate::ID.to_bytes(),
        &hotspot_key.to_bytes(),
        &owner.to_bytes(),
        &maker_authority.to_bytes(),
    );
    require!(
        attestation.public_key == hotspot_key.to_bytes() && attestation.message == expected.as_slice(),
        PocError::InvalidPossessionProof
    );
    Ok(())
}

#[derive(Accounts)]
pub struct InitializeNetwork<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The upgradeable loader's ProgramData account of this program. Only the loader can
    /// create an account at this address, and it does so when the program is deployed.
    #[account(
        seeds = [crate::ID.as_ref()],
        bump,
        seeds::program = bpf_loader_upgradeable::ID,
        constraint = program_data.upgrade_authority_address == Some(admin.key()) @ PocError::NotUpgradeAuthority,
    )]
    pub program_data: Account<'info, ProgramData>,
    #[account(init, payer = admin, space = 8 + NetworkConfig::INIT_SPACE, seeds = [NETWORK_SEED], bump)]
    pub network: Account<'info, NetworkConfig>,
    #[account(
        init,
        payer = admin,
        seeds = [REWARD_MINT_SEED],
        bump,
        mint::decimals = REWARD_DECIMALS,
        mint::authority = network,
    )]
    pub reward_mint: Account<'info, Mint>,
    #[account(init, payer = admin, space = 8 + Treasury::INIT_SPACE, seeds = [TREASURY_SEED], bump)]
    pub treasury: Account<'info, Treasury>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct AdminOnly<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [NETWORK_SEED], bump = network.bump, constraint = network.admin == admin.key() @ PocError::Unauthorized)]
    pub network: Account<'info, NetworkConfig>,
}

#[derive(Accounts)]
pub struct AcceptAdmin<'info> {
    pub new_admin: Signer<'info>,
    #[account(
        mut,
        seeds = [NETWORK_SEED],
        bump = network.bump,
        constraint = network.pending_admin == Some(new_admin.key()) @ PocError::NotPendingAdmin,
    )]
    pub network: Account<'info, NetworkConfig>,
}

#[derive(Accounts)]
#[instruction(authority: Pubkey)]
pub struct ApproveMaker<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, seeds = [NETWORK_SEED], bump = network.bump, constraint = network.admin == admin.key() @ PocError::Unauthorized)]
    pub network: Account<'info, NetworkConfig>,
    #[account(init, payer = admin, space = 8 + Maker::INIT_SPACE, seeds = [MAKER_SEED, authority.as_ref()], bump)]
    pub maker: Account<'info, Maker>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct RevokeMaker<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, seeds = [NETWORK_SEED], bump = network.bump, constraint = network.admin == admin.key() @ PocError::Unauthorized)]
    pub network: Account<'info, NetworkConfig>,
    #[account(mut, close = admin, seeds = [MAKER_SEED, maker.authority.as_ref()], bump = maker.bump)]
    pub maker: Account<'info, Maker>,
}

#[derive(Accounts)]
#[instruction(hotspot_key: Pubkey)]
pub struct OnboardHotspot<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub maker_authority: Signer<'info>,
    #[account(
        mut,
        seeds = [MAKER_SEED, maker_authority.key().as_ref()],
        bump = maker.bump,
        constraint = maker.authority == maker_authority.key() @ PocError::WrongMaker,
    )]
    pub maker: Account<'info, Maker>,
    #[account(mut, seeds = [NETWORK_SEED], bump = network.bump)]
    pub network: Account<'info, NetworkConfig>,
    #[account(mut, seeds = [TREASURY_SEED], bump = treasury.bump)]
    pub treasury: Account<'info, Treasury>,
    #[account(
        init,
        payer = owner,
        space = 8 + Hotspot::INIT_SPACE,
        seeds = [HOTSPOT_SEED, hotspot_key.as_ref()],
        bump,
    )]
    pub hotspot: Account<'info, Hotspot>,
    /// CHECK: the instructions sysvar, pinned by address.
    #[account(address = anchor_lang::solana_program::sysvar::instructions::ID)]
    pub instructions: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct AssertLocation<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(seeds = [NETWORK_SEED], bump = network.bump)]
    pub network: Account<'info, NetworkConfig>,
    #[account(mut, seeds = [TREASURY_SEED], bump = treasury.bump)]
    pub treasury: Account<'info, Treasury>,
    #[account(
        mut,
        seeds = [HOTSPOT_SEED, hotspot.hotspot_key.as_ref()],
        bump = hotspot.bump,
        constraint = hotspot.owner == owner.key() @ PocError::NotHotspotOwner,
    )]
    pub hotspot: Account<'info, Hotspot>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct TransferHotspot<'info> {
    pub owner: Signer<'info>,
    #[account(
        mut,
        seeds = [HOTSPOT_SEED, hotspot.hotspot_key.as_ref()],
        bump = hotspot.bump,
        constraint = hotspot.owner == owner.key() @ PocError::NotHotspotOwner,
    )]
    pub hotspot: Account<'info, Hotspot>,
}

#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct SubmitEpochRewards<'info> {
    #[account(mut)]
    pub oracle: Signer<'info>,
    #[account(
        mut,
        seeds = [NETWORK_SEED],
        bump = network.bump,
        constraint = network.oracle == oracle.key() @ PocError::WrongOracle,
    )]
    pub network: Account<'info, NetworkConfig>,
    #[account(
        init,
        payer = oracle,
        space = 8 + EpochRewards::INIT_SPACE,
        seeds = [EPOCH_SEED, epoch.to_le_bytes().as_ref()],
        bump,
    )]
    pub epoch_rewards: Account<'info, EpochRewards>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct ClaimRewards<'info> {
    #[account(mut, constraint = owner.key() == hotspot.owner @ PocError::NotHotspotOwner)]
    pub owner: Signer<'info>,
    #[account(mut, seeds = [NETWORK_SEED], bump = network.bump)]
    pub network: Account<'info, NetworkConfig>,
    /// Only the newest root counts: a later epoch may lower a hotspot's cumulative amount
    /// (a correction), and a proof against the older root must not still pay the higher one.
    #[account(
        seeds = [EPOCH_SEED, epoch.to_le_bytes().as_ref()],
        bump = epoch_rewards.bump,
        constraint = epoch_rewards.epoch.checked_add(1) == Some(network.next_epoch) @ PocError::StaleEpochRoot,
    )]
    pub epoch_rewards: Account<'info, EpochRewards>,
    #[account(mut, seeds = [HOTSPOT_SEED, hotspot.hotspot_key.as_ref()], bump = hotspot.bump)]
    pub hotspot: Account<'info, Hotspot>,
    #[account(
        mut,
        seeds = [REWARD_MINT_SEED],
        bump = network.reward_mint_bump,
        constraint = reward_mint.key() == network.reward_mint @ PocError::WrongMint,
    )]
    pub reward_mint: Account<'info, Mint>,
    #[account(
        init_if_needed,
        payer = owner,
        associated_token::mint = reward_mint,
        associated_token::authority = owner,
    )]
    pub owner_token_account: Account<'info, TokenAccount>,
    pub token_program: Program<'info, Token>,
    pub associated_token_program: Program<'info, AssociatedToken>,
    pub system_program: Program<'info, System>,
}

#[derive(Accounts)]
pub struct WithdrawTreasury<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [NETWORK_SEED], bump = network.bump, constraint = network.admin == admin.key() @ PocError::Unauthorized)]
    pub network: Account<'info, NetworkConfig>,
    #[account(mut, seeds = [TREASURY_SEED], bump = treasury.bump)]
    pub treasury: Account<'info, Treasury>,
    /// CHECK: any account may receive lamports.
    #[account(mut)]
    pub to: UncheckedAccount<'info>,
}
