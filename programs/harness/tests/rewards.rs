#![allow(deprecated)]
//! Integration tests of epoch submission and reward claims.
mod common;

use anchor_lang::error::ErrorCode as AnchorCode;
use common::*;
use poc_harness::*;
use poc_network::errors::PocError;
use poc_network::events::*;
use poc_network::logic::{rewards_proof, rewards_root};
use poc_network::state::*;
use solana_sdk::{pubkey::Pubkey, signature::Keypair, signer::Signer, system_instruction, transaction::TransactionError};

fn entries(pairs: &[(&Keypair, u64)]) -> Vec<([u8; 32], u64)> {
    pairs.iter().map(|(k, a)| (k.pubkey().to_bytes(), *a)).collect()
}

#[tokio::test]
async fn oracle_submits_epochs_in_order() {
    let mut env = start().await;
    let (a, b) = (env.onboard().await, env.onboard().await);
    let e0 = entries(&[(&a, 300_000_000), (&b, 200_000_000)]);
    env.end_epoch(0).await;
    let root = rewards_root(&e0).unwrap();
    let oracle = env.oracle.insecure_clone();
    let logs = env.send_logs(&[submit_epoch_rewards_ix(&oracle.pubkey(), 0, root, 500_000_000)], &[&oracle]).await;
    let ev: Vec<EpochRewardsSubmitted> = events(&logs);
    assert_eq!((ev[0].epoch, ev[0].root, ev[0].cumulative_total, ev[0].epoch_amount), (0, root, 500_000_000, 500_000_000));
    let er: EpochRewards = env.anchor(&epoch_pda(0)).await;
    assert_eq!((er.epoch, er.root, er.cumulative_total, er.epoch_amount), (0, root, 500_000_000, 500_000_000));
    let n = env.network().await;
    assert_eq!((n.next_epoch, n.total_emitted), (1, 500_000_000));

    env.end_epoch(1).await;
    let e1 = entries(&[(&a, 900_000_000), (&b, 600_000_000)]);
    env.submit(1, &e1).await.unwrap();
    let er: EpochRewards = env.anchor(&epoch_pda(1)).await;
    assert_eq!((er.cumulative_total, er.epoch_amount), (1_500_000_000, 1_000_000_000));
}

#[tokio::test]
async fn only_the_oracle_may_submit() {
    let mut env = start().await;
    let a = env.onboard().await;
    env.end_epoch(0).await;
    let e = entries(&[(&a, 1)]);
    let impostor = env.owner.insecure_clone();
    let res = env.send(&[submit_epoch_rewards_ix(&impostor.pubkey(), 0, rewards_root(&e).unwrap(), 1)], &[&impostor]).await;
    assert_custom(res, 0, poc(PocError::WrongOracle));
    let mut ix = submit_epoch_rewards_ix(&env.oracle.pubkey(), 0, rewards_root(&e).unwrap(), 1);
    ix.accounts[0].is_signer = false;
    let res = env.send(&[ix], &[]).await;
    assert!(matches!(res, Err(TransactionError::InstructionError(0, _))), "{res:?}");
    assert_eq!(env.network().await.next_epoch, 0);
}

#[tokio::test]
async fn a_rotated_oracle_loses_its_rights() {
    let mut env = start().await;
    let a = env.onboard().await;
    let admin = env.admin.insecure_clone();
    let new_oracle = Keypair::new();
    env.send(&[rotate_oracle_ix(&admin.pubkey(), &new_oracle.pubkey())], &[&admin]).await.unwrap();
    env.end_epoch(0).await;
    let e = entries(&[(&a, 1)]);
    assert_custom(env.submit(0, &e).await, 0, poc(PocError::WrongOracle));
    env.oracle = new_oracle;
    let payer = env.ctx.payer.insecure_clone();
    env.send(&[solana_sdk::system_instruction::transfer(&payer.pubkey(), &env.oracle.pubkey(), SOL)], &[]).await.unwrap();
    env.submit(0, &e).await.unwrap();
}

#[tokio::test]
async fn epochs_out_of_order_or_twice_are_rejected() {
    let mut env = start().await;
    let a = env.onboard().await;
    env.end_epoch(2).await;
    let e = entries(&[(&a, 10)]);
    assert_custom(env.submit(1, &e).await, 0, poc(PocError::EpochOutOfOrder));
    env.submit(0, &e).await.unwrap();
    // Replaying epoch 0 fails (its account exists) and changes nothing.
    let res = env.submit(0, &entries(&[(&a, 20)])).await;
    assert!(matches!(res, Err(TransactionError::InstructionError(0, _))), "{res:?}");
    assert_custom(env.submit(2, &e).await, 0, poc(PocError::EpochOutOfOrder));
    let n = env.network().await;
    assert_eq!((n.next_epoch, n.total_emitted), (1, 10));
}

#[tokio::test]
async fn an_epoch_cannot_be_submitted_before_it_ends() {
    let mut env = start().await;
    let a = env.onboard().await;
    let e = entries(&[(&a, 10)]);
    env.set_time(env.genesis_ts + EPOCH_LEN - 1).await;
    assert_custom(env.submit(0, &e).await, 0, poc(PocError::EpochNotEnded));
    env.set_time(env.genesis_ts + EPOCH_LEN).await;
    env.submit(0, &e).await.unwrap();
}

#[tokio::test]
async fn emission_schedule_caps_each_epoch_and_halves() {
    let mut env = start().await;
    let a = env.onboard().await;
    env.end_epoch(10).await;
    assert_custom(env.submit(0, &entries(&[(&a, EMISSION + 1)])).await, 0, poc(PocError::EmissionExceeded));
    let mut cumulative = 0;
    for epoch in 0..HALVING {
        cumulative += EMISSION;
        env.submit(epoch, &entries(&[(&a, cumulative)])).await.unwrap();
    }
    // Epoch HALVING is in the second era: half the emission.
    let over = entries(&[(&a, cumulative + EMISSION / 2 + 1)]);
    assert_custom(env.submit(HALVING, &over).await, 0, poc(PocError::EmissionExceeded));
    env.submit(HALVING, &entries(&[(&a, cumulative + EMISSION / 2)])).await.unwrap();
    // The cumulative total never decreases.
    assert_custom(env.submit(HALVING + 1, &entries(&[(&a, cumulative)])).await, 0, poc(PocError::CumulativeDecreased));
    assert_eq!(env.network().await.total_emitted, cumulative + EMISSION / 2);
}

#[tokio::test]
async fn epoch_timing_overflow_is_an_error_not_a_wrap() {
    // A clock near i64::MAX: the end of epoch 0 (genesis + length) does not fit in an i64.
    let mut env = start_bare().await;
    env.set_time(i64::MAX - 10).await;
    let admin = env.admin.insecure_clone();
    env.send(&[initialize_network_ix(&admin.pubkey(), default_args(env.oracle.pubkey()))], &[&admin]).await.unwrap();
    let n = env.network().await;
    assert!(n.genesis_ts.checked_add(EPOCH_LEN).is_none());
    let root = rewards_root(&[([1; 32], 0)]).unwrap();
    let oracle = env.oracle.insecure_clone();
    let res = env.send(&[submit_epoch_rewards_ix(&oracle.pubkey(), 0, root, 0)], &[&oracle]).await;
    assert_custom(res, 0, poc(PocError::MathOverflow));
    assert_eq!(env.network().await.next_epoch, 0);
}

#[tokio::test]
async fn owner_claims_cumulative_rewards_once() {
    let mut env = start().await;
    let (a, b) = (env.onboard().await, env.onboard().await);
    let owner = env.owner.pubkey();
    env.end_epoch(0).await;
    let e0 = entries(&[(&a, 300_000_000), (&b, 200_000_000)]);
    env.submit(0, &e0).await.unwrap();

    let proof = rewards_proof(&e0, &a.pubkey().to_bytes()).unwrap();
    let owner_kp = env.owner.insecure_clone();
    let logs = env.send_logs(&[claim_rewards_ix(&a.pubkey(), &owner, 0, 300_000_000, proof.clone())], &[&owner_kp]).await;
    assert_eq!(env.token_balance(&owner).await, 300_000_000);
    let ev: Vec<RewardsClaimed> = events(&logs);
    assert_eq!((ev[0].hotspot_key, ev[0].owner, ev[0].amount, ev[0].cumulative_claimed), (a.pubkey(), owner, 300_000_000, 300_000_000));
    assert_eq!(env.hotspot(&a.pubkey()).await.claimed, 300_000_000);

    // Replayed claim: nothing more is paid.
    let res = env.send(&[claim_rewards_ix(&a.pubkey(), &owner, 0, 300_000_000, proof)], &[&owner_kp]).await;
    assert_custom(res, 0, poc(PocError::NothingToClaim));
    assert_eq!(env.token_balance(&owner).await, 300_000_000);

    env.claim(&b.pubkey(), 0, &e0).await.unwrap();
    assert_eq!(env.token_balance(&owner).await, 500_000_000);
    let n = env.network().await;
    assert_eq!((n.total_emitted, n.total_claimed), (500_000_000, 500_000_000));
}

#[tokio::test]
async fn later_epochs_pay_only_the_difference_and_old_roots_are_refused() {
    let mut env = start().await;
    let (a, b) = (env.onboard().await, env.onboard().await);
    let owner = env.owner.pubkey();
    env.end_epoch(1).await;
    let e0 = entries(&[(&a, 100), (&b, 50)]);
    let e1 = entries(&[(&a, 400), (&b, 50)]);
    env.submit(0, &e0).await.unwrap();
    env.submit(1, &e1).await.unwrap();
    env.claim(&a.pubkey(), 1, &e1).await.unwrap();
    assert_eq!(env.token_balance(&owner).await, 400);
    assert_custom(env.claim(&a.pubkey(), 1, &e1).await, 0, poc(PocError::NothingToClaim));
    assert_custom(env.claim(&a.pubkey(), 0, &e0).await, 0, poc(PocError::StaleEpochRoot));
    env.end_epoch(2).await;
    let e2 = entries(&[(&a, 1_000), (&b, 50)]);
    env.submit(2, &e2).await.unwrap();
    env.claim(&a.pubkey(), 2, &e2).await.unwrap();
    assert_eq!(env.token_balance(&owner).await, 1_000);
    assert_eq!(env.hotspot(&a.pubkey()).await.claimed, 1_000);
}

#[tokio::test]
async fn bad_merkle_proofs_are_rejected() {
    let mut env = start().await;
    let (a, b, c) = (env.onboard().await, env.onboard().await, env.onboard().await);
    let owner = env.owner.pubkey();
    env.end_epoch(0).await;
    let e0 = entries(&[(&a, 100), (&b, 200), (&c, 300)]);
    env.submit(0, &e0).await.unwrap();
    let owner_kp = env.owner.insecure_clone();
    let proof = rewards_proof(&e0, &a.pubkey().to_bytes()).unwrap();
    // Inflated amount.
    let res = env.send(&[claim_rewards_ix(&a.pubkey(), &owner, 0, 101, proof.clone())], &[&owner_kp]).await;
    assert_custom(res, 0, poc(PocError::InvalidMerkleProof));
    // Someone else's proof.
    let res = env.send(&[claim_rewards_ix(&c.pubkey(), &owner, 0, 100, proof.clone())], &[&owner_kp]).await;
    assert_custom(res, 0, poc(PocError::InvalidMerkleProof));
    // Tampered sibling.
    let mut bad = proof.clone();
    bad[0][5] ^= 0x40;
    let res = env.send(&[claim_rewards_ix(&a.pubkey(), &owner, 0, 100, bad)], &[&owner_kp]).await;
    assert_custom(res, 0, poc(PocError::InvalidMerkleProof));
    // Overlong proof.
    let res = env.send(&[claim_rewards_ix(&a.pubkey(), &owner, 0, 100, vec![[0; 32]; 33])], &[&owner_kp]).await;
    assert_custom(res, 0, poc(PocError::ProofTooLong));
    assert_eq!(env.token_balance(&owner).await, 0);
    env.claim(&a.pubkey(), 0, &e0).await.unwrap();
    assert_eq!(env.token_balance(&owner).await, 100);
}

#[tokio::test]
async fn claims_use_the_named_epoch_account_only() {
    // Account confusion: the epoch account must be the PDA of the epoch argument.
    let mut env = start().await;
    let a = env.onboard().await;
    let owner = env.owner.pubkey();
    env.end_epoch(1).await;
    let e0 = entries(&[(&a, 100)]);
    let e1 = entries(&[(&a, 200)]);
    env.submit(0, &e0).await.unwrap();
    env.submit(1, &e1).await.unwrap();
    let owner_kp = env.owner.insecure_clone();
    let mut ix = claim_rewards_ix(&a.pubkey(), &owner, 0, 200, vec![]);
    ix.accounts[2].pubkey = epoch_pda(1);
    let res = env.send(&[ix], &[&owner_kp]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::ConstraintSeeds));
    // A hotspot account passed where the epoch belongs is refused by its discriminator.
    let mut ix = claim_rewards_ix(&a.pubkey(), &owner, 0, 100, vec![]);
    ix.accounts[2].pubkey = hotspot_pda(&a.pubkey());
    let res = env.send(&[ix], &[&owner_kp]).await;
    assert_custom(res, 0, anchor_err(AnchorCode::AccountDiscriminatorMismatch));
}

#[tokio::test]
async fn rewards_go_to_the_current_owner_only() {
    let mut env = start().await;
    let a = env.onboard().await;
    let old_owner = env.owner.insecure_clone();
    let buyer = Keypair::new();
    env.send(&[transfer_hotspot_ix(&old_owner.pubkey(), &a.pubkey(), &buyer.pubkey())], &[&old_owner]).await.unwrap();
    env.end_epoch(0).await;
    let e0 = entries(&[(&a, 700)]);
    env.submit(0, &e0).await.unwrap();
    env.send(&[system_instruction::transfer(&old_owner.pubkey(), &buyer.pubkey(), SOL)], &[&old_owner]).await.unwrap();
    // The previous owner cannot claim any more, not even into the new owner's account.
    assert_custom(env.claim_as(&old_owner, &a.pubkey(), 0, &e0).await, 0, poc(PocError::NotHotspotOwner));
    // The new owner cannot redirect the payout to another token account.
    let mut ix = claim_rewards_ix(&a.pubkey(), &buyer.pubkey(), 0, 700, vec![]);
    ix.accounts[5].pubkey = associated_token_address(&old_owner.pubkey(), &reward_mint_pda());
    let res = env.send(&[ix], &[&buyer]).await;
    assert!(matches!(res, Err(TransactionError::InstructionError(0, _))), "{res:?}");
    env.claim_as(&buyer, &a.pubkey(), 0, &e0).await.unwrap();
    assert_eq!(env.token_balance(&buyer.pubkey()).await, 700);
    assert_eq!(env.token_balance(&old_owner.pubkey()).await, 0);
}

#[tokio::test]
async fn claims_can_never_exceed_what_was_emitted() {
    // A buggy oracle commits a leaf larger than the epoch's total: the claim is capped.
    let mut env = start().await;
    let a = env.onboard().await;
    let owner = env.owner.pubkey();
    env.end_epoch(0).await;
    let e0 = entries(&[(&a, 150)]);
    let root = rewards_root(&e0).unwrap();
    let oracle = env.oracle.insecure_clone();
    env.send(&[submit_epoch_rewards_ix(&oracle.pubkey(), 0, root, 100)], &[&oracle]).await.unwrap();
    let owner_kp = env.owner.insecure_clone();
    let res = env.send(&[claim_rewards_ix(&a.pubkey(), &owner, 0, 150, vec![])], &[&owner_kp]).await;
    assert_custom(res, 0, poc(PocError::ClaimExceedsEmitted));
    assert_eq!(env.network().await.total_claimed, 0);
}

#[tokio::test]
async fn claim_with_a_forged_mint_is_rejected() {
    let mut env = start().await;
    let a = env.onboard().await;
    env.end_epoch(0).await;
    let e0 = entries(&[(&a, 5)]);
    env.submit(0, &e0).await.unwrap();
    let owner = env.owner.insecure_clone();
    let mut ix = claim_rewards_ix(&a.pubkey(), &owner.pubkey(), 0, 5, vec![]);
    ix.accounts[4].pubkey = Pubkey::new_unique();
    let res = env.send(&[ix], &[&owner]).await;
    assert!(matches!(res, Err(TransactionError::InstructionError(0, _))), "{res:?}");
}
