#![allow(dead_code)]
use anchor_lang::{AccountDeserialize, AnchorDeserialize, Discriminator};
use poc_harness::*;
use solana_program_test::{BanksClientError, ProgramTestContext};
use solana_sdk::{
    account::Account, clock::Clock, instruction::{Instruction, InstructionError}, pubkey::Pubkey,
    signature::Keypair, signer::Signer, system_program, transaction::{Transaction, TransactionError},
};

pub const SOL: u64 = 1_000_000_000;
pub const EPOCH_LEN: i64 = 3_600;
pub const EMISSION: u64 = 1_000_000_000; // 1000 tokens (6 decimals) per epoch
pub const HALVING: u64 = 4;
pub const ONBOARD_FEE: u64 = 50_000_000;
pub const LOCATION_FEE: u64 = 10_000_000;
pub const CELL: u64 = 0x08c2a100d2c4c1ff;

pub struct Env {
    pub ctx: ProgramTestContext,
    pub admin: Keypair,
    pub oracle: Keypair,
    pub maker: Keypair,
    pub owner: Keypair,
    pub genesis_ts: i64,
}

pub fn funded(pt: &mut solana_program_test::ProgramTest, kp: &Keypair) {
    pt.add_account(kp.pubkey(), Account { lamports: 100 * SOL, owner: system_program::ID, ..Account::default() });
}

pub fn default_args(oracle: Pubkey) -> InitializeNetworkArgs {
    InitializeNetworkArgs {
        oracle,
        epoch_length_secs: EPOCH_LEN,
        initial_epoch_emission: EMISSION,
        halving_interval_epochs: HALVING,
        onboarding_fee_lamports: ONBOARD_FEE,
        location_fee_lamports: LOCATION_FEE,
    }
}

/// Started bank with funded admin/oracle/maker/owner, the admin being the program's upgrade
/// authority; nothing initialised yet.
pub async fn start_bare() -> Env {
    start_bare_with(|_| {}).await
}

pub async fn start_bare_with(extra: impl FnOnce(&mut solana_program_test::ProgramTest)) -> Env {
    start_bare_deployed(true, extra).await
}

/// Like `start_bare_with`; without `program_data` the program has no ProgramData account, as a
/// builtin that was never deployed through the upgradeable loader.
pub async fn start_bare_deployed(program_data: bool, extra: impl FnOnce(&mut solana_program_test::ProgramTest)) -> Env {
    let mut pt = program_test();
    let (admin, oracle, maker, owner) = (Keypair::new(), Keypair::new(), Keypair::new(), Keypair::new());
    for kp in [&admin, &oracle, &maker, &owner] {
        funded(&mut pt, kp);
    }
    if program_data {
        add_program_data(&mut pt, Some(admin.pubkey()));
    }
    extra(&mut pt);
    let ctx = poc_harness::start_bank(pt).await;
    let mut env = Env { ctx, admin, oracle, maker, owner, genesis_ts: 0 };
    env.set_time(1_700_000_000).await;
    env
}

/// Initialised network with one approved maker.
pub async fn start() -> Env {
    let mut env = start_bare().await;
    let args = default_args(env.oracle.pubkey());
    env.send(&[initialize_network_ix(&env.admin.pubkey(), args)], &[&env.admin.insecure_clone()]).await.unwrap();
    env.genesis_ts = env.network().await.genesis_ts;
    let (admin, maker) = (env.admin.insecure_clone(), env.maker.pubkey());
    env.send(&[approve_maker_ix(&admin.pubkey(), &maker)], &[&admin]).await.unwrap();
    env
}

impl Env {
    pub async fn set_time(&mut self, unix_timestamp: i64) {
        let mut clock: Clock = self.ctx.banks_client.get_sysvar().await.unwrap();
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
    }

    /// Sends a transaction paid by the context payer, with a blockhash never used before so
    /// identical retries are real replays rather than duplicate-signature rejections.
    pub async fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<(), TransactionError> {
        let blockhash = self.ctx.get_new_latest_blockhash().await.unwrap();
        let payer = self.ctx.payer.insecure_clone();
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
        self.ctx.banks_client.process_transaction(tx).await.map_err(|e: BanksClientError| e.unwrap())
    }

    /// Like `send` but returns the log lines of a successful transaction.
    pub async fn send_logs(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Vec<String> {
        let blockhash = self.ctx.get_new_latest_blockhash().await.unwrap();
        let payer = self.ctx.payer.insecure_clone();
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        let tx = Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
        // The verifying path used by `send` commits through a queue and may still hold the
        // account locks for a moment after reporting success; retry that transient case.
        for _ in 0..200 {
            let res = self.ctx.banks_client.process_transaction_with_metadata(tx.clone()).await.unwrap();
            match res.result {
                Err(TransactionError::AccountInUse) => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
                other => {
                    other.unwrap();
                    return res.metadata.unwrap().log_messages;
                }
            }
        }
        panic!("accounts stayed locked")
    }

    pub async fn account(&mut self, key: &Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(*key).await.unwrap()
    }

    pub async fn lamports(&mut self, key: &Pubkey) -> u64 {
        self.account(key).await.map(|a| a.lamports).unwrap_or(0)
    }

    pub async fn anchor<T: AccountDeserialize>(&mut self, key: &Pubkey) -> T {
        let acc = self.account(key).await.expect("account exists");
        T::try_deserialize(&mut acc.data.as_slice()).expect("deserialises")
    }

    pub async fn network(&mut self) -> poc_network::state::NetworkConfig {
        self.anchor(&network_pda()).await
    }

    pub async fn hotspot(&mut self, key: &Pubkey) -> poc_network::state::Hotspot {
        self.anchor(&hotspot_pda(key)).await
    }

    pub async fn token_balance(&mut self, owner: &Pubkey) -> u64 {
        let ata = associated_token_address(owner, &reward_mint_pda());
        match self.account(&ata).await {
            Some(acc) => u64::from_le_bytes(acc.data[64..72].try_into().unwrap()),
            None => 0,
        }
    }

    /// Onboards a fresh hotspot for `self.owner` through `self.maker`.
    pub async fn onboard(&mut self) -> Keypair {
        let hotspot = Keypair::new();
        let (owner, maker) = (self.owner.insecure_clone(), self.maker.insecure_clone());
        self.send(
            &[possession_proof_ix(&hotspot, &owner.pubkey(), &maker.pubkey()), onboard_hotspot_ix(&owner.pubkey(), &maker.pubkey(), &hotspot.pubkey(), ONBOARD_FEE)],
            &[&owner, &maker],
        )
        .await
        .unwrap();
        hotspot
    }

    pub async fn end_epoch(&mut self, epoch: u64) {
        let t = self.genesis_ts + EPOCH_LEN * (epoch as i64 + 1);
        self.set_time(t).await;
    }

    pub async fn submit(&mut self, epoch: u64, entries: &[([u8; 32], u64)]) -> Result<(), TransactionError> {
        let root = poc_network::logic::rewards_root(entries).unwrap();
        let total = entries.iter().map(|e| e.1).sum();
        let oracle = self.oracle.insecure_clone();
        self.send(&[submit_epoch_rewards_ix(&oracle.pubkey(), epoch, root, total)], &[&oracle]).await
    }

    /// Claims as `self.owner`.
    pub async fn claim(&mut self, hotspot: &Pubkey, epoch: u64, entries: &[([u8; 32], u64)]) -> Result<(), TransactionError> {
        let owner = self.owner.insecure_clone();
        self.claim_as(&owner, hotspot, epoch, entries).await
    }

    pub async fn claim_as(
        &mut self,
        owner: &Keypair,
        hotspot: &Pubkey,
        epoch: u64,
        entries: &[([u8; 32], u64)],
    ) -> Result<(), TransactionError> {
        let cumulative = entries.iter().find(|e| e.0 == hotspot.to_bytes()).unwrap().1;
        let proof = poc_network::logic::rewards_proof(entries, &hotspot.to_bytes()).unwrap();
        self.send(&[claim_rewards_ix(hotspot, &owner.pubkey(), epoch, cumulative, proof)], &[owner]).await
    }
}

/// Asserts a program (custom) error at instruction `index`.
pub fn assert_custom(res: Result<(), TransactionError>, index: u8, code: u32) {
    match res {
        Err(TransactionError::InstructionError(i, InstructionError::Custom(c))) if i == index && c == code => {}
        other => panic!("expected custom error {code} at instruction {index}, got {other:?}"),
    }
}

pub fn poc(e: poc_network::errors::PocError) -> u32 {
    u32::from(e)
}

pub fn anchor_err(e: anchor_lang::error::ErrorCode) -> u32 {
    u32::from(e)
}

/// Decodes every event of type T from "Program data:" log lines.
pub fn events<T: AnchorDeserialize + Discriminator>(logs: &[String]) -> Vec<T> {
    use base64::Engine;
    logs.iter()
        .filter_map(|l| l.strip_prefix("Program data: "))
        .filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .filter(|bytes| bytes.starts_with(T::DISCRIMINATOR))
        .map(|bytes| T::deserialize(&mut &bytes[T::DISCRIMINATOR.len()..]).unwrap())
        .collect()
}
