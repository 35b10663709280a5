#![allow(deprecated)]
//! Integration tests of network setup, makers, onboarding, locations and transfers,
//! run natively inside solana-program-test's bank.
mod common;

use anchor_lang::error::ErrorCode as AnchorCode;
use common::*;
use poc_harness::*;
use poc_network::errors::PocError;
use poc_network::events::*;
use poc_network::logic::REGION_COUNT;
use poc_network::state::*;
use solana_sdk::{
    account::Account, instruction::{AccountMeta, InstructionError}, program_pack::Pack, pubkey::Pubkey,
    signature::Keypair, signer::Signer, system_instruction, transaction::TransactionError,
};

#[tokio::test]
async fn initialize_network_creates_config_mint_and_treasury() {
    let mut env = start().await;
    let n = env.network().await;
    assert_eq!(n.admin, env.admin.pubkey());
    assert_eq!(n.oracle, env.oracle.pubkey());
    assert_eq!(n.reward_mint, reward_mint_pda());
    // Aligned down to a multiple of the epoch length (wall-clock epoch numbering).
    assert_eq!(n.genesis_ts, 1_700_000_000 - 1_700_000_000 % EPOCH_LEN);
    assert_eq!(n.genesis_epoch, (1_700_000_000 / EPOCH_LEN) as u64);
    assert_eq!((n.epoch_length_secs, n.initial_epoch_emission, n.halving_interval_epochs), (EPOCH_LEN, EMISSION, HALVING));
    assert_eq!((n.onboarding_fee_lamports, n.location_fee_lamports), (ONBOARD_FEE, LOCATION_FEE));
    assert_eq!((n.next_epoch, n.total_emitted, n.total_claimed, n.maker_count), (0, 0, 0, 1));
    let mint_acc = env.account(&reward_mint_pda()).await.unwrap();
    assert_eq!(mint_acc.owner, anchor_spl::token::ID);
    let mint = spl_token_mint(&mint_acc);
    assert_eq!(mint.decimals, 6);
    assert_eq!(mint.mint_authority, Some(network_pda()).into());
    assert_eq!(mint.supply, 0);
    let treasury = env.account(&treasury_pda()).await.unwrap();
    assert_eq!(treasury.owner, poc_network::ID);
}

fn spl_token_mint(acc: &Account) -> anchor_spl::token::spl_token::state::Mint {
    anchor_spl::token::spl_token::state::Mint::unpack(&acc.data).unwrap()
}

#[tokio::test]
async fn initialize_emits_event() {
    let mut env = start_bare().await;
    let admin = env.admin.insecure_clone();
    let logs = env.send_logs(&[initialize_network_ix(&admin.pubkey(), default_args(env.oracle.pubkey()))], &[&admin]).await;
    let ev: Vec<NetworkInitialized> = events(&logs);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].admin, admin.pubkey());
    assert_eq!(ev[0].reward_mint, reward_mint_pda());
}

#[tokio::test]
async fn reinitialisation_is_rejected() {
    let mut env = start().await;
    let attacker = env.owner.insecure_clone();
    let res = env.send(&[initialize_network_ix(&attacker.pubkey(), default_args(attacker.pubkey()))], &[&attacker]).await;
    assert!(matches!(res, Err(TransactionError::InstructionError(0, _))), "{res:?}");
    // Not even the upgrade authority can initialise a second time.
    let admin = env.admin.insecure_clone();
    let res = env.send(&[initialize_network_ix(&admin.pubkey(), default_args(admin.pubkey()))], &[&admin]).await;
    assert!(matches!(res, Err(TransactionError::InstructionError(0, _))), "{res:?}");
    assert_eq!(env.network().await.admin, env.admin.pubkey());
    assert_eq!(env.network().await.oracle, env.oracle.pubkey());
}

#[tokio::test]
async fn initialize_validates_parameters() {
    let mut env = start_bare().await;
    let admin = env.admin.insecure_clone();
    let mut args = default_args(env.oracle.pubkey());
    args.epoch_length_secs = 0;
    let res = env.send(&[initialize_network_ix(&admin.pubkey(), args)], &[&admin]).await;
    assert_custom(res, 0, poc(PocError::InvalidEpochLength));
    let mut args = default_args(env.oracle.pubkey());
    args.halving_interval_epochs = 0;
    let res = env.send(&[initialize_network_ix(&admin.pubkey(), args)], &[&admin]).await;
    assert_custom(res, 0, poc(PocError::InvalidHalvingInterval));
}

#[tokio::test]
async fn approve_maker_requires_admin() {
    let mut env = start().await;
    let intruder = env.owner.insecure_clone();
    let res = env.send(&[approve_maker_ix(&intruder.pubkey(), &Pubkey::new_unique())], &[&intruder]).await;
    assert_custom(res, 0, poc(PocError::Unauthorized));
}

#[tokio::test]
async fn approve_maker_twice_is_rejected() {
    let mut env = start().await;
    let admin = env.admin.insecure_clone();
    let maker = env.maker.pubkey();
    let res = env.send(&[approve_maker_ix(&admin.pubkey(), &maker)], &[&admin]).await;
    assert!(matches!(res, Err(TransactionError::InstructionError(0, _))), "{res:?}");
    assert_eq!(env.network().await.maker_count, 1);
}

#[tokio::test]
async fn approve_maker_missing_admin_signature_is_rejected() {
    let mut env = start().await;
    let mut ix = approve_maker_ix(&env.admin.pubkey(), &Pubkey::new_unique());
    ix.accounts[0].is_signer = false;
    let res = env.send(&[ix], &[]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::AccountNotSigner));
}

#[tokio::test]
async fn revoke_maker_closes_the_account_and_blocks_onboarding() {
    let mut env = start().await;
    let admin = env.admin.insecure_clone();
    let maker = env.maker.insecure_clone();
    let rent = env.lamports(&maker_pda(&maker.pubkey())).await;
    let before = env.lamports(&admin.pubkey()).await;
    let logs = env.send_logs(&[revoke_maker_ix(&admin.pubkey(), &maker.pubkey())], &[&admin]).await;
    assert_eq!(events::<MakerRevoked>(&logs)[0].authority, maker.pubkey());
    assert!(env.account(&maker_pda(&maker.pubkey())).await.is_none());
    assert_eq!(env.lamports(&admin.pubkey()).await, before + rent);
    assert_eq!(env.network().await.maker_count, 0);

    let hotspot = Keypair::new();
    let owner = env.owner.insecure_clone();
    let res = env
        .send(
            &[possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()), onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)],
            &[&owner, &maker],
        )
        .await;
    assert_custom(res, 1, anchor_err(AnchorCode::AccountNotInitialized));

    // Re-approval after revocation works (a fresh account).
    env.send(&[approve_maker_ix(&admin.pubkey(), &maker.pubkey())], &[&admin]).await.unwrap();
    env.onboard().await;
}

#[tokio::test]
async fn closed_maker_cannot_be_revived_within_the_same_transaction() {
    let mut env = start().await;
    let admin = env.admin.insecure_clone();
    let maker = env.maker.insecure_clone();
    let owner = env.owner.insecure_clone();
    let hotspot = Keypair::new();
    let res = env
        .send(
            &[
                revoke_maker_ix(&admin.pubkey(), &maker.pubkey()),
                system_instruction::transfer(&admin.pubkey(), &maker_pda(&maker.pubkey()), 10_000_000),
                possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()),
                onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE),
            ],
            &[&admin, &owner, &maker],
        )
        .await;
    assert!(matches!(res, Err(TransactionError::InstructionError(3, _))), "{res:?}");
    assert!(env.account(&hotspot_pda(&hotspot.pubkey())).await.is_none());
}

#[tokio::test]
async fn revoke_maker_requires_admin() {
    let mut env = start().await;
    let intruder = env.owner.insecure_clone();
    let res = env.send(&[revoke_maker_ix(&intruder.pubkey(), &env.maker.pubkey())], &[&intruder]).await;
    assert_custom(res, 0, poc(PocError::Unauthorized));
}

#[tokio::test]
async fn onboard_hotspot_records_owner_maker_and_fee() {
    let mut env = start().await;
    let treasury_before = env.lamports(&treasury_pda()).await;
    let hotspot = Keypair::new();
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    let logs = env
        .send_logs(
            &[possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()), onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)],
            &[&owner, &maker],
        )
        .await;
    let h = env.hotspot(&hotspot.pubkey()).await;
    assert_eq!((h.hotspot_key, h.owner, h.maker), (hotspot.pubkey(), owner.pubkey(), maker.pubkey()));
    assert_eq!((h.onboarded_at, h.location, h.location_asserts, h.claimed), (1_700_000_000, 0, 0, 0));
    assert_eq!(env.lamports(&treasury_pda()).await, treasury_before + ONBOARD_FEE);
    assert_eq!(env.network().await.hotspot_count, 1);
    let m: Maker = env.anchor(&maker_pda(&maker.pubkey())).await;
    assert_eq!(m.hotspots_onboarded, 1);
    // msg! output of the native program lands in the transaction logs as on-chain.
    assert!(logs.iter().any(|l| l == "Program log: Instruction: OnboardHotspot"), "{logs:?}");
    let ev: Vec<HotspotOnboarded> = events(&logs);
    assert_eq!(ev.len(), 1);
    assert_eq!((ev[0].hotspot_key, ev[0].owner, ev[0].fee_lamports), (hotspot.pubkey(), owner.pubkey(), ONBOARD_FEE));
    assert_eq!((h.region, ev[0].region), (REGION_EU868, REGION_EU868));
    // Documented layout used by getProgramAccounts memcmp filters.
    let raw = env.account(&hotspot_pda(&hotspot.pubkey())).await.unwrap().data;
    assert_eq!(&raw[..8], Hotspot::DISCRIMINATOR);
    assert_eq!(&raw[8..40], hotspot.pubkey().as_ref());
    assert_eq!(&raw[40..72], owner.pubkey().as_ref());
    assert_eq!(&raw[72..104], maker.pubkey().as_ref());
}

use anchor_lang::Discriminator;

#[tokio::test]
async fn onboard_hotspot_stores_the_region_code_and_rejects_unknown_codes() {
    let mut env = start().await;
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    let last = Keypair::new();
    let logs = env
        .send_logs(
            &[
                possession_proof_ix(&last, &owner.pubkey(), &maker.pubkey()),
                onboard_hotspot_in_region_ix(&owner.pubkey(), &maker.pubkey(), &last.pubkey(), ONBOARD_FEE, REGION_COUNT - 1),
            ],
            &[&owner, &maker],
        )
        .await;
    assert_eq!(env.hotspot(&last.pubkey()).await.region, REGION_COUNT - 1);
    assert_eq!(events::<HotspotOnboarded>(&logs)[0].region, REGION_COUNT - 1);

    let unknown = Keypair::new();
    let res = env
        .send(
            &[
                possession_proof_ix(&unknown, &owner.pubkey(), &maker.pubkey()),
                onboard_hotspot_in_region_ix(&owner.pubkey(), &maker.pubkey(), &unknown.pubkey(), ONBOARD_FEE, REGION_COUNT),
            ],
            &[&owner, &maker],
        )
        .await;
    assert_custom(res, 1, poc(PocError::InvalidRegion));
    assert!(env.account(&hotspot_pda(&unknown.pubkey())).await.is_none());
}

#[tokio::test]
async fn onboarding_twice_is_rejected() {
    let mut env = start().await;
    let hotspot = env.onboard().await;
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    let res = env
        .send(
            &[possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()), onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)],
            &[&owner, &maker],
        )
        .await;
    assert!(matches!(res, Err(TransactionError::InstructionError(1, _))), "{res:?}");
    assert_eq!(env.network().await.hotspot_count, 1);
}

#[tokio::test]
async fn onboarding_through_an_unapproved_maker_is_rejected() {
    let mut env = start().await;
    let rogue = Keypair::new();
    let hotspot = Keypair::new();
    let owner = env.owner.insecure_clone();
    let res = env
        .send(
            &[possession_proof_ix(&hotspot, &owner.pubkey(), &rogue.pubkey()), onboard_hotspot_ix(&owner.pubkey(), &rogue.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)],
            &[&owner, &rogue],
        )
        .await;
    assert_custom(res, 1, anchor_err(AnchorCode::AccountNotInitialized));
}

#[tokio::test]
async fn onboarding_with_someone_elses_maker_account_is_rejected() {
    // Account confusion: a rogue signer passes the approved maker's PDA.
    let mut env = start().await;
    let rogue = Keypair::new();
    let hotspot = Keypair::new();
    let owner = env.owner.insecure_clone();
    let mut ix = onboard_hotspot_ix(&owner.pubkey(), &rogue.pubkey(), &hotspot.pubkey(), ONBOARD_FEE);
    ix.accounts[2].pubkey = maker_pda(&env.maker.pubkey());
    let res = env.send(&[possession_proof_ix(&hotspot, &owner.pubkey(), &rogue.pubkey()), ix], &[&owner, &rogue]).await;
    assert_custom(res, 1, anchor_err(AnchorCode::ConstraintSeeds));
}

#[tokio::test]
async fn onboarding_without_the_maker_signature_is_rejected() {
    let mut env = start().await;
    let hotspot = Keypair::new();
    let owner = env.owner.insecure_clone();
    let maker = env.maker.pubkey();
    let mut ix = onboard_hotspot_ix(&owner.pubkey(), &maker, &hotspot.pubkey(), ONBOARD_FEE);
    ix.accounts[1].is_signer = false;
    let res = env.send(&[possession_proof_ix(&hotspot, &owner.pubkey(), &maker), ix], &[&owner]).await;
    assert_custom(res, 1, anchor_err(AnchorCode::AccountNotSigner));
}

#[tokio::test]
async fn onboarding_without_the_owner_signature_is_rejected() {
    let mut env = start().await;
    let hotspot = Keypair::new();
    let owner = env.owner.pubkey();
    let maker = env.maker.insecure_clone();
    let mut ix = onboard_hotspot_ix(&owner, &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE);
    ix.accounts[0].is_signer = false;
    let res = env.send(&[possession_proof_ix(&hotspot, &owner, &maker.pubkey()), ix], &[&maker]).await;
    assert_custom(res, 1, anchor_err(AnchorCode::AccountNotSigner));
}

#[tokio::test]
async fn forged_ed25519_signature_is_rejected_by_the_precompile() {
    let mut env = start().await;
    let hotspot = Keypair::new();
    let impostor = Keypair::new();
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    let message = poc_network::logic::onboard_message(
        &poc_network::ID.to_bytes(),
        &hotspot.pubkey().to_bytes(),
        &owner.pubkey().to_bytes(),
        &maker.pubkey().to_bytes(),
    );
    // Signed by another key but claiming the hotspot's public key.
    let sig = impostor.sign_message(&message);
    let proof = ed25519_ix_raw(&hotspot.pubkey().to_bytes(), sig.as_ref().try_into().unwrap(), &message);
    let res = env.send(&[proof, onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)], &[&owner, &maker]).await;
    assert!(matches!(res, Err(TransactionError::InstructionError(0, _))), "{res:?}");
    assert!(env.account(&hotspot_pda(&hotspot.pubkey())).await.is_none());
}

#[tokio::test]
async fn proof_signed_by_a_different_key_is_rejected() {
    let mut env = start().await;
    let hotspot = Keypair::new();
    let other = Keypair::new();
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    // A valid signature, but by a key other than the hotspot being onboarded.
    let res = env
        .send(
            &[possession_proof_ix(&other, &owner.pubkey(), &maker.pubkey()), onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)],
            &[&owner, &maker],
        )
        .await;
    assert_custom(res, 1, poc(PocError::InvalidPossessionProof));
}

#[tokio::test]
async fn proof_for_another_owner_cannot_be_reused() {
    let mut env = start().await;
    let hotspot = Keypair::new();
    let thief = Keypair::new();
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    env.send(&[system_instruction::transfer(&owner.pubkey(), &thief.pubkey(), 10 * SOL)], &[&owner]).await.unwrap();
    // The hotspot signed for `owner`; the thief submits that proof for himself.
    let res = env
        .send(
            &[possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()), onboard_hotspot_ix(&thief.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)],
            &[&thief, &maker],
        )
        .await;
    assert_custom(res, 1, poc(PocError::InvalidPossessionProof));
}

#[tokio::test]
async fn onboarding_without_a_possession_proof_is_rejected() {
    let mut env = start().await;
    let hotspot = Keypair::new();
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    let res = env.send(&[onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)], &[&owner, &maker]).await;
    assert_custom(res, 0, poc(PocError::MissingPossessionProof));
    // A proof that is not the instruction right before onboarding does not count either.
    let res = env
        .send(
            &[
                possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()),
                system_instruction::transfer(&owner.pubkey(), &maker.pubkey(), 1),
                onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE),
            ],
            &[&owner, &maker],
        )
        .await;
    assert_custom(res, 2, poc(PocError::MissingPossessionProof));
}

#[tokio::test]
async fn a_fake_instructions_sysvar_is_rejected() {
    let mut env = start().await;
    let hotspot = Keypair::new();
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    let mut ix = onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE);
    ix.accounts[6] = AccountMeta::new_readonly(Pubkey::new_unique(), false);
    let res = env.send(&[possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()), ix], &[&owner, &maker]).await;
    assert_custom(res, 1, anchor_err(AnchorCode::ConstraintAddress));
}

#[tokio::test]
async fn hotspot_pda_must_match_the_hotspot_key() {
    // PDA seed check: an account address derived for another key is refused.
    let mut env = start().await;
    let hotspot = Keypair::new();
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    let mut ix = onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE);
    ix.accounts[5].pubkey = hotspot_pda(&Pubkey::new_unique());
    let res = env.send(&[possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()), ix], &[&owner, &maker]).await;
    assert_custom(res, 1, anchor_err(AnchorCode::ConstraintSeeds));
}

#[tokio::test]
async fn seed_prefixes_keep_maker_and_hotspot_pdas_apart() {
    // PDA seed collision: the same 32-byte key used as maker authority and hotspot key
    // yields distinct accounts, so onboarding the maker's own key as a hotspot works and
    // leaves the maker approval untouched.
    let mut env = start().await;
    let maker = env.maker.insecure_clone();
    let owner = env.owner.insecure_clone();
    assert_ne!(maker_pda(&maker.pubkey()), hotspot_pda(&maker.pubkey()));
    assert_ne!(epoch_pda(0), network_pda());
    env.send(
        &[possession_proof_ix(&maker, &owner.pubkey(), &maker.pubkey()), onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &maker.pubkey(), ONBOARD_FEE)],
        &[&owner, &maker],
    )
    .await
    .unwrap();
    let m: Maker = env.anchor(&maker_pda(&maker.pubkey())).await;
    assert_eq!((m.authority, m.hotspots_onboarded), (maker.pubkey(), 1));
    assert_eq!(env.hotspot(&maker.pubkey()).await.hotspot_key, maker.pubkey());
}

#[tokio::test]
async fn assert_location_stores_fields_charges_fee_and_counts() {
    let mut env = start().await;
    let hotspot = env.onboard().await;
    let owner = env.owner.insecure_clone();
    let treasury = env.lamports(&treasury_pda()).await;
    env.set_time(1_700_000_100).await;
    let logs = env.send_logs(&[assert_location_ix(&owner.pubkey(), &hotspot.pubkey(), CELL, 55, 30, REGION_US915)], &[&owner]).await;
    let h = env.hotspot(&hotspot.pubkey()).await;
    assert_eq!((h.location, h.gain_dbi_x10, h.elevation_m, h.location_asserts, h.location_asserted_at), (CELL, 55, 30, 1, 1_700_000_100));
    assert_eq!(h.region, REGION_US915);
    assert_eq!(env.lamports(&treasury_pda()).await, treasury + LOCATION_FEE);
    let ev: Vec<LocationAsserted> = events(&logs);
    assert_eq!((ev[0].location, ev[0].region, ev[0].location_asserts, ev[0].fee_lamports), (CELL, REGION_US915, 1, LOCATION_FEE));

    let moved = 0x08c2a100d2c4c3ff; // digit 12 changed, still resolution 12
    env.send(&[assert_location_ix(&owner.pubkey(), &hotspot.pubkey(), moved, 80, -10, REGION_US915)], &[&owner]).await.unwrap();
    let h = env.hotspot(&hotspot.pubkey()).await;
    assert_eq!((h.location, h.gain_dbi_x10, h.elevation_m, h.location_asserts), (moved, 80, -10, 2));
    assert_eq!(env.lamports(&treasury_pda()).await, treasury + 2 * LOCATION_FEE);
}

#[tokio::test]
async fn assert_location_validates_inputs() {
    let mut env = start().await;
    let hotspot = env.onboard().await;
    let owner = env.owner.insecure_clone();
    let k = hotspot.pubkey();
    let res = env.send(&[assert_location_ix(&owner.pubkey(), &k, 0x08b2a100d2c4c1ff, 55, 30, REGION_US915)], &[&owner]).await;
    assert_custom(res, 0, poc(PocError::InvalidLocation));
    let res = env.send(&[assert_location_ix(&owner.pubkey(), &k, CELL, 151, 30, REGION_US915)], &[&owner]).await;
    assert_custom(res, 0, poc(PocError::InvalidGain));
    let res = env.send(&[assert_location_ix(&owner.pubkey(), &k, CELL, 55, 10_001, REGION_US915)], &[&owner]).await;
    assert_custom(res, 0, poc(PocError::InvalidElevation));
    let res = env.send(&[assert_location_ix(&owner.pubkey(), &k, CELL, 55, -501, REGION_US915)], &[&owner]).await;
    assert_custom(res, 0, poc(PocError::InvalidElevation));
    let res = env.send(&[assert_location_ix(&owner.pubkey(), &k, CELL, 55, 30, REGION_COUNT)], &[&owner]).await;
    assert_custom(res, 0, poc(PocError::InvalidRegion));
    assert_eq!(env.hotspot(&k).await.location_asserts, 0);
}

#[tokio::test]
async fn assert_location_by_a_non_owner_is_rejected() {
    let mut env = start().await;
    let hotspot = env.onboard().await;
    let intruder = env.maker.insecure_clone();
    let res = env.send(&[assert_location_ix(&intruder.pubkey(), &hotspot.pubkey(), CELL, 55, 30, REGION_US915)], &[&intruder]).await;
    assert_custom(res, 0, poc(PocError::NotHotspotOwner));
}

#[tokio::test]
async fn assert_location_without_owner_signature_is_rejected() {
    let mut env = start().await;
    let hotspot = env.onboard().await;
    let mut ix = assert_location_ix(&env.owner.pubkey(), &hotspot.pubkey(), CELL, 55, 30, REGION_US915);
    ix.accounts[0].is_signer = false;
    ix.accounts[0].is_writable = false;
    let res = env.send(&[ix], &[]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::AccountNotSigner));
}

#[tokio::test]
async fn a_hotspot_account_not_owned_by_the_program_is_rejected() {
    // Missing owner check: a forged Hotspot (right discriminator, attacker as owner) placed
    // at the real PDA address but owned by another program must not be accepted.
    let attacker = Keypair::new();
    let key = Pubkey::new_unique();
    let forged = Hotspot {
        hotspot_key: key,
        owner: attacker.pubkey(),
        maker: Pubkey::new_unique(),
        onboarded_at: 0,
        updated_at: 0,
        location: 0,
        gain_dbi_x10: 0,
        elevation_m: 0,
        region: 0,
        location_asserts: 0,
        location_asserted_at: 0,
        claimed: 0,
        bump: Pubkey::find_program_address(&[HOTSPOT_SEED, key.as_ref()], &poc_network::ID).1,
    };
    let mut data = Vec::new();
    anchor_lang::AccountSerialize::try_serialize(&forged, &mut data).unwrap();
    let attacker_pk = attacker.pubkey();
    let mut env = start_bare_with(move |pt| {
        pt.add_account(hotspot_pda(&key), Account { lamports: 10 * SOL, data, owner: Pubkey::new_unique(), ..Account::default() });
        pt.add_account(attacker_pk, Account { lamports: 10 * SOL, ..Account::default() });
    })
    .await;
    let admin = env.admin.insecure_clone();
    env.send(&[initialize_network_ix(&admin.pubkey(), default_args(env.oracle.pubkey()))], &[&admin]).await.unwrap();
    let res = env.send(&[assert_location_ix(&attacker.pubkey(), &key, CELL, 55, 30, REGION_US915)], &[&attacker]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::AccountOwnedByWrongProgram));
}

#[tokio::test]
async fn a_maker_account_cannot_pose_as_a_hotspot() {
    // Type cosplay: the maker approval is a program-owned account too, but its
    // discriminator differs.
    let mut env = start().await;
    let owner = env.owner.insecure_clone();
    let mut ix = transfer_hotspot_ix(&owner.pubkey(), &Pubkey::new_unique(), &Pubkey::new_unique());
    ix.accounts[1].pubkey = maker_pda(&env.maker.pubkey());
    let res = env.send(&[ix], &[&owner]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::AccountDiscriminatorMismatch));
}

#[tokio::test]
async fn transfer_hotspot_moves_ownership() {
    let mut env = start().await;
    let hotspot = env.onboard().await;
    let owner = env.owner.insecure_clone();
    let buyer = Keypair::new();
    let logs = env.send_logs(&[transfer_hotspot_ix(&owner.pubkey(), &hotspot.pubkey(), &buyer.pubkey())], &[&owner]).await;
    assert_eq!(env.hotspot(&hotspot.pubkey()).await.owner, buyer.pubkey());
    let ev: Vec<HotspotTransferred> = events(&logs);
    assert_eq!((ev[0].from, ev[0].to), (owner.pubkey(), buyer.pubkey()));
    // The previous owner lost control.
    let res = env.send(&[assert_location_ix(&owner.pubkey(), &hotspot.pubkey(), CELL, 55, 30, REGION_US915)], &[&owner]).await;
    assert_custom(res, 0, poc(PocError::NotHotspotOwner));
    let res = env.send(&[transfer_hotspot_ix(&owner.pubkey(), &hotspot.pubkey(), &owner.pubkey())], &[&owner]).await;
    assert_custom(res, 0, poc(PocError::NotHotspotOwner));
}

#[tokio::test]
async fn transfer_hotspot_rejects_non_owner_and_self_transfer() {
    let mut env = start().await;
    let hotspot = env.onboard().await;
    let owner = env.owner.insecure_clone();
    let thief = env.maker.insecure_clone();
    let res = env.send(&[transfer_hotspot_ix(&thief.pubkey(), &hotspot.pubkey(), &thief.pubkey())], &[&thief]).await;
    assert_custom(res, 0, poc(PocError::NotHotspotOwner));
    let res = env.send(&[transfer_hotspot_ix(&owner.pubkey(), &hotspot.pubkey(), &owner.pubkey())], &[&owner]).await;
    assert_custom(res, 0, poc(PocError::SameOwner));
    let mut ix = transfer_hotspot_ix(&owner.pubkey(), &hotspot.pubkey(), &thief.pubkey());
    ix.accounts[0].is_signer = false;
    let res = env.send(&[ix], &[]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::AccountNotSigner));
}

#[tokio::test]
async fn treasury_withdrawal_is_admin_only_and_keeps_rent() {
    let mut env = start().await;
    env.onboard().await;
    let admin = env.admin.insecure_clone();
    let intruder = env.owner.insecure_clone();
    let res = env.send(&[withdraw_treasury_ix(&intruder.pubkey(), &intruder.pubkey(), 1)], &[&intruder]).await;
    assert_custom(res, 0, poc(PocError::Unauthorized));
    let res = env.send(&[withdraw_treasury_ix(&admin.pubkey(), &admin.pubkey(), ONBOARD_FEE + 1)], &[&admin]).await;
    assert_custom(res, 0, poc(PocError::TreasuryInsufficient));
    let before = env.lamports(&admin.pubkey()).await;
    env.send(&[withdraw_treasury_ix(&admin.pubkey(), &admin.pubkey(), ONBOARD_FEE)], &[&admin]).await.unwrap();
    assert_eq!(env.lamports(&admin.pubkey()).await, before + ONBOARD_FEE);
}

#[tokio::test]
async fn update_fees_is_admin_only() {
    let mut env = start().await;
    let intruder = env.owner.insecure_clone();
    let res = env.send(&[update_fees_ix(&intruder.pubkey(), 0, 0)], &[&intruder]).await;
    assert_custom(res, 0, poc(PocError::Unauthorized));
    let admin = env.admin.insecure_clone();
    let logs = env.send_logs(&[update_fees_ix(&admin.pubkey(), 1, 2)], &[&admin]).await;
    let n = env.network().await;
    assert_eq!((n.oracle, n.onboarding_fee_lamports, n.location_fee_lamports), (env.oracle.pubkey(), 1, 2));
    let ev: Vec<FeesUpdated> = events(&logs);
    assert_eq!((ev[0].onboarding_fee_lamports, ev[0].location_fee_lamports), (1, 2));
}

#[allow(dead_code)]
fn _unused(_: InstructionError) {}
