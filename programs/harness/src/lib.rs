#![allow(deprecated)]
//! Native harness for the `poc-network` Anchor program.
//!
//! No SBF toolchain is available here, so the program runs as a native builtin inside
//! solana-program-test's real bank (SPL Token and the ATA program run as their bundled SBF
//! binaries). The local chain binary and the Rust integration tests both build on this crate.

use anchor_lang::{InstructionData, ToAccountMetas};
use solana_program_test::{processor, ProgramTest};
use solana_sdk::{
    account_info::AccountInfo, ed25519_program, entrypoint::ProgramResult, instruction::Instruction,
    pubkey::Pubkey, signature::Keypair, signer::Signer, system_program, sysvar,
};

pub use poc_network;
pub use poc_network::InitializeNetworkArgs;
use poc_network::state::*;

/// Anchor ≥0.29 ties the accounts slice and the AccountInfos to one lifetime, which the
/// program-test builtin signature cannot express; leaking a copy of the slice bridges it.
/// The leak is a few hundred bytes per instruction, acceptable for tests and a dev chain.
pub fn native_entry<'a, 'b, 'c, 'info>(
    program_id: &'a Pubkey,
    accounts: &'b [AccountInfo<'info>],
    data: &'c [u8],
) -> ProgramResult {
    let accounts: &'info [AccountInfo<'info>] = Box::leak(Box::new(accounts.to_vec()));
    poc_network::entry(program_id, accounts, data)
}

/// A ProgramTest with poc-network loaded natively (SPL Token/ATA are added by program-test).
pub fn program_test() -> ProgramTest {
    let mut pt = ProgramTest::new("poc_network", poc_network::ID, processor!(native_entry));
    pt.prefer_bpf(false);
    pt
}

pub fn network_pda() -> Pubkey {
    Pubkey::find_program_address(&[NETWORK_SEED], &poc_network::ID).0
}
pub fn reward_mint_pda() -> Pubkey {
    Pubkey::find_program_address(&[REWARD_MINT_SEED], &poc_network::ID).0
}
pub fn treasury_pda() -> Pubkey {
    Pubkey::find_program_address(&[TREASURY_SEED], &poc_network::ID).0
}
pub fn maker_pda(authority: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[MAKER_SEED, authority.as_ref()], &poc_network::ID).0
}
pub fn hotspot_pda(hotspot_key: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[HOTSPOT_SEED, hotspot_key.as_ref()], &poc_network::ID).0
}
pub fn epoch_pda(epoch: u64) -> Pubkey {
    Pubkey::find_program_address(&[EPOCH_SEED, &epoch.to_le_bytes()], &poc_network::ID).0
}
pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[owner.as_ref(), anchor_spl::token::ID.as_ref(), mint.as_ref()],
        &anchor_spl::associated_token::ID,
    )
    .0
}

fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id: poc_network::ID, accounts: accounts.to_account_metas(None), data: data.data() }
}

pub fn initialize_network_ix(admin: &Pubkey, args: InitializeNetworkArgs) -> Instruction {
    ix(
        poc_network::accounts::InitializeNetwork {
            admin: *admin,
            network: network_pda(),
            reward_mint: reward_mint_pda(),
            treasury: treasury_pda(),
            token_program: anchor_spl::token::ID,
            system_program: system_program::ID,
        },
        poc_network::instruction::InitializeNetwork { args },
    )
}

pub fn update_network_ix(admin: &Pubkey, oracle: Pubkey, onboarding_fee: u64, location_fee: u64) -> Instruction {
    ix(
        poc_network::accounts::UpdateNetwork { admin: *admin, network: network_pda() },
        poc_network::instruction::UpdateNetwork {
            oracle,
            onboarding_fee_lamports: onboarding_fee,
            location_fee_lamports: location_fee,
        },
    )
}

pub fn approve_maker_ix(admin: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        poc_network::accounts::ApproveMaker {
            admin: *admin,
            network: network_pda(),
            maker: maker_pda(authority),
            system_program: system_program::ID,
        },
        poc_network::instruction::ApproveMaker { authority: *authority },
    )
}

pub fn revoke_maker_ix(admin: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        poc_network::accounts::RevokeMaker { admin: *admin, network: network_pda(), maker: maker_pda(authority) },
        poc_network::instruction::RevokeMaker {},
    )
}

pub fn onboard_hotspot_ix(owner: &Pubkey, maker_authority: &Pubkey, hotspot_key: &Pubkey) -> Instruction {
    ix(
        poc_network::accounts::OnboardHotspot {
            owner: *owner,
            maker_authority: *maker_authority,
            maker: maker_pda(maker_authority),
            network: network_pda(),
            treasury: treasury_pda(),
            hotspot: hotspot_pda(hotspot_key),
            instructions: sysvar::instructions::ID,
            system_program: system_program::ID,
        },
        poc_network::instruction::OnboardHotspot { hotspot_key: *hotspot_key },
    )
}

pub fn assert_location_ix(owner: &Pubkey, hotspot_key: &Pubkey, location: u64, gain: u16, elevation: i32) -> Instruction {
    ix(
        poc_network::accounts::AssertLocation {
            owner: *owner,
            network: network_pda(),
            treasury: treasury_pda(),
            hotspot: hotspot_pda(hotspot_key),
            system_program: system_program::ID,
        },
        poc_network::instruction::AssertLocation { location, gain_dbi_x10: gain, elevation_m: elevation },
    )
}

pub fn transfer_hotspot_ix(owner: &Pubkey, hotspot_key: &Pubkey, new_owner: &Pubkey) -> Instruction {
    ix(
        poc_network::accounts::TransferHotspot { owner: *owner, hotspot: hotspot_pda(hotspot_key) },
        poc_network::instruction::TransferHotspot { new_owner: *new_owner },
    )
}

pub fn submit_epoch_rewards_ix(oracle: &Pubkey, epoch: u64, root: [u8; 32], cumulative_total: u64) -> Instruction {
    ix(
        poc_network::accounts::SubmitEpochRewards {
            oracle: *oracle,
            network: network_pda(),
            epoch_rewards: epoch_pda(epoch),
            system_program: system_program::ID,
        },
        poc_network::instruction::SubmitEpochRewards { epoch, root, cumulative_total },
    )
}

pub fn claim_rewards_ix(
    payer: &Pubkey,
    hotspot_key: &Pubkey,
    owner: &Pubkey,
    epoch: u64,
    cumulative: u64,
    proof: Vec<[u8; 32]>,
) -> Instruction {
    let mint = reward_mint_pda();
    ix(
        poc_network::accounts::ClaimRewards {
            payer: *payer,
            network: network_pda(),
            epoch_rewards: epoch_pda(epoch),
            hotspot: hotspot_pda(hotspot_key),
            owner: *owner,
            reward_mint: mint,
            owner_token_account: associated_token_address(owner, &mint),
            token_program: anchor_spl::token::ID,
            associated_token_program: anchor_spl::associated_token::ID,
            system_program: system_program::ID,
        },
        poc_network::instruction::ClaimRewards { epoch, cumulative, proof },
    )
}

pub fn withdraw_treasury_ix(admin: &Pubkey, to: &Pubkey, amount: u64) -> Instruction {
    ix(
        poc_network::accounts::WithdrawTreasury {
            admin: *admin,
            network: network_pda(),
            treasury: treasury_pda(),
            to: *to,
        },
        poc_network::instruction::WithdrawTreasury { amount },
    )
}

/// Ed25519 precompile instruction with one signature whose signature, public key and
/// message are all embedded in the instruction itself (indices u16::MAX).
pub fn ed25519_ix_raw(public_key: &[u8; 32], signature: &[u8; 64], message: &[u8]) -> Instruction {
    const HEADER: u16 = 2 + 14;
    let sig_off = HEADER;
    let pk_off = sig_off + 64;
    let msg_off = pk_off + 32;
    let mut data = vec![1u8, 0u8];
    for v in [sig_off, u16::MAX, pk_off, u16::MAX, msg_off, message.len() as u16, u16::MAX] {
        data.extend_from_slice(&v.to_le_bytes());
    }
    data.extend_from_slice(signature);
    data.extend_from_slice(public_key);
    data.extend_from_slice(message);
    Instruction { program_id: ed25519_program::ID, accounts: vec![], data }
}

/// The possession proof: `hotspot` signs the onboarding message for `owner` and `maker`.
pub fn possession_proof_ix(hotspot: &Keypair, owner: &Pubkey, maker_authority: &Pubkey) -> Instruction {
    let message = poc_network::logic::onboard_message(
        &poc_network::ID.to_bytes(),
        &hotspot.pubkey().to_bytes(),
        &owner.to_bytes(),
        &maker_authority.to_bytes(),
    );
    let signature = hotspot.sign_message(&message);
    ed25519_ix_raw(&hotspot.pubkey().to_bytes(), signature.as_ref().try_into().expect("64 bytes"), &message)
}
