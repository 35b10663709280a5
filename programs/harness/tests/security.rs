#![allow(deprecated)]
//! Attack tests for the security findings (see programs/README.md, "Security"): front-run
//! initialisation, key rotation, claims paid by someone other than the owner, superseded
//! epoch roots and fee changes after the owner signed.
mod common;

use anchor_lang::error::ErrorCode as AnchorCode;
use common::*;
use poc_harness::*;
use poc_network::errors::PocError;
use poc_network::events::*;
use poc_network::logic::{rewards_proof, REGION_COUNT};
use solana_sdk::{
    account::Account, bpf_loader_upgradeable, bpf_loader_upgradeable::UpgradeableLoaderState, pubkey::Pubkey,
    rent::Rent, signature::Keypair, signer::Signer, transaction::Transaction,
};

fn entries(pairs: &[(&Keypair, u64)]) -> Vec<([u8; 32], u64)> {
    pairs.iter().map(|(k, a)| (k.pubkey().to_bytes(), *a)).collect()
}

fn program_data_account(upgrade_authority: Pubkey, owner: Pubkey) -> Account {
    let state = UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address: Some(upgrade_authority) };
    let len = UpgradeableLoaderState::size_of_programdata_metadata();
    Account::new_data_with_space(Rent::default().minimum_balance(len), &state, len, &owner).unwrap()
}

// ---------------------------------------------------------------- initialisation

#[tokio::test]
async fn only_the_upgrade_authority_can_initialise_so_initialisation_cannot_be_front_run() {
    let mut env = start_bare().await;
    let attacker = env.owner.insecure_clone();
    // The attacker races the deployer, naming himself oracle.
    let res = env.send(&[initialize_network_ix(&attacker.pubkey(), default_args(attacker.pubkey()))], &[&attacker]).await;
    assert_custom(res, 0, poc(PocError::NotUpgradeAuthority));
    assert!(env.account(&network_pda()).await.is_none());
    assert!(env.account(&reward_mint_pda()).await.is_none());

    let admin = env.admin.insecure_clone();
    env.send(&[initialize_network_ix(&admin.pubkey(), default_args(env.oracle.pubkey()))], &[&admin]).await.unwrap();
    let n = env.network().await;
    assert_eq!((n.admin, n.oracle, n.pending_admin), (admin.pubkey(), env.oracle.pubkey(), None));
}

#[tokio::test]
async fn initialisation_without_a_program_data_account_is_rejected() {
    // A program not deployed through the upgradeable loader has no upgrade authority to
    // check: nobody may initialise it, not even the key that would have been its admin.
    let mut env = start_bare_deployed(false, |_| {}).await;
    assert!(env.account(&program_data_address()).await.is_none());
    let admin = env.admin.insecure_clone();
    let res = env.send(&[initialize_network_ix(&admin.pubkey(), default_args(env.oracle.pubkey()))], &[&admin]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::AccountNotInitialized));
    assert!(env.account(&network_pda()).await.is_none());
}

#[tokio::test]
async fn another_programs_program_data_cannot_stand_in_for_ours() {
    // Account confusion: the attacker deploys a program of his own, whose ProgramData names
    // him as upgrade authority, and passes that account instead.
    let attacker = Keypair::new();
    let other_program = Pubkey::new_unique();
    let foreign = Pubkey::find_program_address(&[other_program.as_ref()], &bpf_loader_upgradeable::ID).0;
    let attacker_pk = attacker.pubkey();
    let mut env = start_bare_with(move |pt| {
        pt.add_account(foreign, program_data_account(attacker_pk, bpf_loader_upgradeable::ID));
        pt.add_account(attacker_pk, Account { lamports: 10 * SOL, ..Account::default() });
    })
    .await;
    let mut ix = initialize_network_ix(&attacker.pubkey(), default_args(attacker.pubkey()));
    ix.accounts[1].pubkey = foreign;
    let res = env.send(&[ix], &[&attacker]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::ConstraintSeeds));
    assert!(env.account(&network_pda()).await.is_none());
}

#[tokio::test]
async fn a_program_data_account_not_owned_by_the_loader_is_rejected() {
    // Missing owner check: ProgramData-shaped bytes naming the attacker, at the right address
    // but owned by another program, are not the loader's record.
    let attacker = Keypair::new();
    let attacker_pk = attacker.pubkey();
    let mut env = start_bare_deployed(false, move |pt| {
        pt.add_account(program_data_address(), program_data_account(attacker_pk, Pubkey::new_unique()));
        pt.add_account(attacker_pk, Account { lamports: 10 * SOL, ..Account::default() });
    })
    .await;
    let res = env.send(&[initialize_network_ix(&attacker.pubkey(), default_args(attacker.pubkey()))], &[&attacker]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::AccountOwnedByWrongProgram));
}

// ---------------------------------------------------------------- key rotation

#[tokio::test]
async fn admin_rotation_takes_a_proposal_and_the_new_keys_acceptance() {
    let mut env = start().await;
    let (old, new) = (env.admin.insecure_clone(), Keypair::new());
    let logs = env.send_logs(&[propose_admin_ix(&old.pubkey(), &new.pubkey())], &[&old]).await;
    let ev: Vec<AdminProposed> = events(&logs);
    assert_eq!((ev[0].admin, ev[0].proposed), (old.pubkey(), Some(new.pubkey())));
    // Until accepted, the old admin stays in charge.
    let n = env.network().await;
    assert_eq!((n.admin, n.pending_admin), (old.pubkey(), Some(new.pubkey())));
    env.send(&[update_fees_ix(&old.pubkey(), 1, 1)], &[&old]).await.unwrap();

    let logs = env.send_logs(&[accept_admin_ix(&new.pubkey())], &[&new]).await;
    let ev: Vec<AdminRotated> = events(&logs);
    assert_eq!((ev[0].from, ev[0].to), (old.pubkey(), new.pubkey()));
    let n = env.network().await;
    assert_eq!((n.admin, n.pending_admin), (new.pubkey(), None));
    // The old admin lost every admin right; the new one has them.
    assert_custom(env.send(&[update_fees_ix(&old.pubkey(), 2, 2)], &[&old]).await, 0, poc(PocError::Unauthorized));
    assert_custom(env.send(&[rotate_oracle_ix(&old.pubkey(), &old.pubkey())], &[&old]).await, 0, poc(PocError::Unauthorized));
    assert_custom(env.send(&[propose_admin_ix(&old.pubkey(), &old.pubkey())], &[&old]).await, 0, poc(PocError::Unauthorized));
    env.send(&[update_fees_ix(&new.pubkey(), 3, 3)], &[&new]).await.unwrap();
    // A second acceptance (replay) does nothing: no proposal is pending.
    assert_custom(env.send(&[accept_admin_ix(&new.pubkey())], &[&new]).await, 0, poc(PocError::NotPendingAdmin));
}

#[tokio::test]
async fn only_the_admin_proposes_and_only_the_proposed_key_accepts() {
    let mut env = start().await;
    let admin = env.admin.insecure_clone();
    let intruder = env.owner.insecure_clone();
    let proposed = Keypair::new();
    // A non-admin cannot propose anyone, himself included.
    let res = env.send(&[propose_admin_ix(&intruder.pubkey(), &intruder.pubkey())], &[&intruder]).await;
    assert_custom(res, 0, poc(PocError::Unauthorized));
    let mut ix = propose_admin_ix(&admin.pubkey(), &intruder.pubkey());
    ix.accounts[0].is_signer = false;
    assert_custom(env.send(&[ix], &[]).await, 0, anchor_err(AnchorCode::AccountNotSigner));
    // Nothing pending: nobody can accept.
    assert_custom(env.send(&[accept_admin_ix(&intruder.pubkey())], &[&intruder]).await, 0, poc(PocError::NotPendingAdmin));

    env.send(&[propose_admin_ix(&admin.pubkey(), &proposed.pubkey())], &[&admin]).await.unwrap();
    assert_custom(env.send(&[accept_admin_ix(&intruder.pubkey())], &[&intruder]).await, 0, poc(PocError::NotPendingAdmin));
    let mut ix = accept_admin_ix(&proposed.pubkey());
    ix.accounts[0].is_signer = false;
    assert_custom(env.send(&[ix], &[]).await, 0, anchor_err(AnchorCode::AccountNotSigner));
    // Proposing the current admin withdraws the proposal.
    env.send(&[propose_admin_ix(&admin.pubkey(), &admin.pubkey())], &[&admin]).await.unwrap();
    assert_eq!(env.network().await.pending_admin, None);
    assert_custom(env.send(&[accept_admin_ix(&proposed.pubkey())], &[&proposed]).await, 0, poc(PocError::NotPendingAdmin));
    assert_eq!(env.network().await.admin, admin.pubkey());
}

#[tokio::test]
async fn oracle_rotation_is_admin_only() {
    let mut env = start().await;
    let a = env.onboard().await;
    let intruder = env.owner.insecure_clone();
    // Neither a stranger nor the oracle itself may hand the oracle role on.
    for who in [intruder.insecure_clone(), env.oracle.insecure_clone()] {
        let res = env.send(&[rotate_oracle_ix(&who.pubkey(), &intruder.pubkey())], &[&who]).await;
        assert_custom(res, 0, poc(PocError::Unauthorized));
    }
    let mut ix = rotate_oracle_ix(&env.admin.pubkey(), &intruder.pubkey());
    ix.accounts[0].is_signer = false;
    assert_custom(env.send(&[ix], &[]).await, 0, anchor_err(AnchorCode::AccountNotSigner));
    assert_eq!(env.network().await.oracle, env.oracle.pubkey());

    let admin = env.admin.insecure_clone();
    let (old, new) = (env.oracle.insecure_clone(), Keypair::new());
    let logs = env.send_logs(&[rotate_oracle_ix(&admin.pubkey(), &new.pubkey())], &[&admin]).await;
    let ev: Vec<OracleRotated> = events(&logs);
    assert_eq!((ev[0].from, ev[0].to), (old.pubkey(), new.pubkey()));
    env.end_epoch(0).await;
    let e0 = entries(&[(&a, 10)]);
    assert_custom(env.submit(0, &e0).await, 0, poc(PocError::WrongOracle));
    env.send(&[solana_sdk::system_instruction::transfer(&admin.pubkey(), &new.pubkey(), SOL)], &[&admin]).await.unwrap();
    env.oracle = new;
    env.submit(0, &e0).await.unwrap();
}

// ---------------------------------------------------------------- who pays for a claim

#[tokio::test]
async fn a_third_party_cannot_make_a_claim_that_the_owner_did_not_sign() {
    // Before: any signer could send a claim for any hotspot and be its payer, so a service
    // holding the maker key and claiming on request paid token-account rent for everyone.
    // Now the owner signs every claim and pays the rent of its own token account.
    let mut env = start().await;
    let a = env.onboard().await;
    env.end_epoch(0).await;
    let e0 = entries(&[(&a, 500)]);
    env.submit(0, &e0).await.unwrap();
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    let proof = rewards_proof(&e0, &a.pubkey().to_bytes()).unwrap();

    // The maker's key signs and pays the transaction; the owner's signature is absent.
    let maker_before = env.lamports(&maker.pubkey()).await;
    let mut ix = claim_rewards_ix(&a.pubkey(), &owner.pubkey(), 0, 500, proof.clone());
    ix.accounts[0].is_signer = false;
    let blockhash = env.ctx.get_new_latest_blockhash().await.unwrap();
    let tx = Transaction::new_signed_with_payer(&[ix], Some(&maker.pubkey()), &[&maker], blockhash);
    let fee = env.ctx.banks_client.get_fee_for_message(tx.message.clone()).await.unwrap().unwrap();
    let res = env.ctx.banks_client.process_transaction(tx).await.map_err(|e| e.unwrap());
    assert_custom(res, 0, anchor_err(AnchorCode::AccountNotSigner));
    // The maker paid the fee of the transaction it chose to send, and nothing more.
    assert_eq!(env.lamports(&maker.pubkey()).await, maker_before - fee);
    let ata = associated_token_address(&owner.pubkey(), &reward_mint_pda());
    assert!(env.account(&ata).await.is_none());
    assert_eq!(env.hotspot(&a.pubkey()).await.claimed, 0);

    // The owner's own claim: the token account's rent comes from the owner, nobody else.
    let owner_before = env.lamports(&owner.pubkey()).await;
    let maker_before = env.lamports(&maker.pubkey()).await;
    env.send(&[claim_rewards_ix(&a.pubkey(), &owner.pubkey(), 0, 500, proof)], &[&owner]).await.unwrap();
    let rent = env.lamports(&ata).await;
    assert!(rent > 0);
    assert_eq!(env.lamports(&owner.pubkey()).await, owner_before - rent);
    assert_eq!(env.lamports(&maker.pubkey()).await, maker_before);
    assert_eq!(env.token_balance(&owner.pubkey()).await, 500);
}

// ---------------------------------------------------------------- superseded roots

#[tokio::test]
async fn a_superseded_root_cannot_be_claimed_after_a_downward_correction() {
    let mut env = start().await;
    let (a, b) = (env.onboard().await, env.onboard().await);
    let owner = env.owner.insecure_clone();
    env.end_epoch(1).await;
    let e0 = entries(&[(&a, 300), (&b, 200)]);
    env.submit(0, &e0).await.unwrap();
    // Epoch 1 corrects epoch 0: `a` earned only 100 so far, `b` gets the rest.
    let e1 = entries(&[(&a, 100), (&b, 1_400)]);
    env.submit(1, &e1).await.unwrap();

    // The old root still proves a = 300, but it no longer pays.
    assert_custom(env.claim(&a.pubkey(), 0, &e0).await, 0, poc(PocError::StaleEpochRoot));
    assert_custom(env.claim(&b.pubkey(), 0, &e0).await, 0, poc(PocError::StaleEpochRoot));
    assert_eq!(env.token_balance(&owner.pubkey()).await, 0);
    env.claim(&a.pubkey(), 1, &e1).await.unwrap();
    env.claim(&b.pubkey(), 1, &e1).await.unwrap();
    assert_eq!(env.token_balance(&owner.pubkey()).await, 1_500);
    let n = env.network().await;
    assert_eq!((n.total_emitted, n.total_claimed), (1_500, 1_500));
    assert_eq!(env.hotspot(&a.pubkey()).await.claimed, 100);
}

// ---------------------------------------------------------------- fee raised after signing

#[tokio::test]
async fn onboarding_fails_when_the_fee_was_raised_above_the_owners_maximum() {
    let mut env = start().await;
    let (admin, owner, maker) = (env.admin.insecure_clone(), env.owner.insecure_clone(), env.maker.insecure_clone());
    let hotspot = Keypair::new();
    let onboarding = [
        possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()),
        onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE),
    ];
    // The owner signed for at most ONBOARD_FEE; the admin raises the fee before it lands.
    env.send(&[update_fees_ix(&admin.pubkey(), ONBOARD_FEE * 10, LOCATION_FEE)], &[&admin]).await.unwrap();
    let owner_before = env.lamports(&owner.pubkey()).await;
    let treasury_before = env.lamports(&treasury_pda()).await;
    assert_custom(env.send(&onboarding, &[&owner, &maker]).await, 1, poc(PocError::FeeAboveMaximum));
    assert_eq!(env.lamports(&owner.pubkey()).await, owner_before);
    assert_eq!(env.lamports(&treasury_pda()).await, treasury_before);
    assert!(env.account(&hotspot_pda(&hotspot.pubkey())).await.is_none());

    // A fee at or below the maximum is charged as it stands, not as the maximum.
    env.send(&[update_fees_ix(&admin.pubkey(), ONBOARD_FEE / 2, LOCATION_FEE)], &[&admin]).await.unwrap();
    let logs = env.send_logs(&onboarding, &[&owner, &maker]).await;
    assert_eq!(events::<HotspotOnboarded>(&logs)[0].fee_lamports, ONBOARD_FEE / 2);
    assert_eq!(env.lamports(&treasury_pda()).await, treasury_before + ONBOARD_FEE / 2);
}

// ---------------------------------------------------------------- region codes

#[tokio::test]
async fn out_of_range_region_codes_are_refused_at_onboarding_and_assertion_without_charging() {
    let mut env = start().await;
    let (owner, maker) = (env.owner.insecure_clone(), env.maker.insecure_clone());
    for code in [REGION_COUNT, 200, u8::MAX] {
        let hotspot = Keypair::new();
        let owner_before = env.lamports(&owner.pubkey()).await;
        let res = env
            .send(
                &[
                    possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()),
                    onboard_hotspot_in_region_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE, code),
                ],
                &[&owner, &maker],
            )
            .await;
        assert_custom(res, 1, poc(PocError::InvalidRegion));
        assert!(env.account(&hotspot_pda(&hotspot.pubkey())).await.is_none());
        assert_eq!(env.lamports(&owner.pubkey()).await, owner_before);
    }

    let hotspot = env.onboard().await;
    env.send(&[assert_location_ix(&owner.pubkey(), &hotspot.pubkey(), CELL, 55, 30, REGION_US915)], &[&owner]).await.unwrap();
    let treasury_before = env.lamports(&treasury_pda()).await;
    for code in [REGION_COUNT, u8::MAX] {
        let res = env.send(&[assert_location_ix(&owner.pubkey(), &hotspot.pubkey(), CELL, 55, 30, code)], &[&owner]).await;
        assert_custom(res, 0, poc(PocError::InvalidRegion));
    }
    let h = env.hotspot(&hotspot.pubkey()).await;
    assert_eq!((h.region, h.location_asserts), (REGION_US915, 1));
    assert_eq!(env.lamports(&treasury_pda()).await, treasury_before);
}

#[tokio::test]
async fn only_the_owner_can_change_the_region() {
    let mut env = start().await;
    let hotspot = env.onboard().await;
    let intruder = env.maker.insecure_clone();
    let res = env.send(&[assert_location_ix(&intruder.pubkey(), &hotspot.pubkey(), CELL, 55, 30, REGION_US915)], &[&intruder]).await;
    assert_custom(res, 0, poc(PocError::NotHotspotOwner));
    assert_eq!(env.hotspot(&hotspot.pubkey()).await.region, REGION_EU868);
}
