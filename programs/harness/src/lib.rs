#![allow(deprecated)]
//! Native harness for the `poc-network` Anchor program.
//!
//! No SBF toolchain is available here, so the program runs as a native builtin inside
//! solana-program-test's real bank (SPL Token and the ATA program run as their bundled SBF
//! binaries). The local chain binary and the Rust integration tests both build on this crate.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Once;

use anchor_lang::{InstructionData, ToAccountMetas};
use solana_log_collector::LogCollector;
use solana_program_test::{
    get_runtime_environment_key, invoke_builtin_function, EbpfError, EbpfVm, InvokeContext, ProgramTest,
    ProgramTestContext,
};
use solana_sdk::program_stubs::{set_syscall_stubs, SyscallStubs};
use solana_sdk::{
    account::Account, account_info::AccountInfo, bpf_loader_upgradeable, ed25519_program,
    entrypoint::ProgramResult, instruction::Instruction, pubkey::Pubkey, rent::Rent, signature::Keypair,
    signer::Signer, system_program, sysvar,
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

thread_local! {
    /// Set while a native instruction runs on this thread: the log collector of its
    /// transaction (None when the bank is not recording logs for that transaction).
    static CURRENT_LOGS: RefCell<Option<Option<Rc<RefCell<LogCollector>>>>> = const { RefCell::new(None) };
}

/// Appends a line to the running transaction's logs. Returns false outside a native
/// instruction (the caller then falls back to stdout).
fn log_line(line: String) -> bool {
    CURRENT_LOGS.with(|logs| match logs.borrow().as_ref() {
        Some(Some(collector)) => {
            if let Ok(mut collector) = collector.try_borrow_mut() {
                collector.log(&line);
            }
            true
        }
        Some(None) => true,
        None => false,
    })
}

/// `msg!` sink: "Program log: …" into the running transaction's logs, as on-chain.
///
/// Anchor logs compared public keys as a bare "Left:"/"Right:" line each followed by
/// `Pubkey::log()`, which off-chain prints to stdout and cannot be routed. Without the key
/// lines, Anchor's TypeScript error parser would read the next "Right:" as a key and throw, so
/// the bare labels are dropped: the error line itself ("AnchorError caused by account …") stays.
fn msg_hook(message: &str) {
    if message == "Left:" || message == "Right:" {
        return;
    }
    if !log_line(format!("Program log: {message}")) {
        println!("{message}");
    }
}

/// Delegates every syscall stub to program-test's, except `sol_log_data` (events), which
/// program-test leaves at the default (stdout) and which belongs in the transaction logs.
struct LogRoutingStubs {
    inner: Box<dyn SyscallStubs>,
}

impl SyscallStubs for LogRoutingStubs {
    fn sol_log(&self, message: &str) {
        self.inner.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        self.inner.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        self.inner.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(
        &self,
        instruction: &Instruction,
        account_infos: &[AccountInfo],
        signers_seeds: &[&[&[u8]]],
    ) -> ProgramResult {
        self.inner.sol_invoke_signed(instruction, account_infos, signers_seeds)
    }
    fn sol_get_sysvar(&self, sysvar_id_addr: *const u8, var_addr: *mut u8, offset: u64, length: u64) -> u64 {
        self.inner.sol_get_sysvar(sysvar_id_addr, var_addr, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_clock_sysvar(var_addr)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_epoch_schedule_sysvar(var_addr)
    }
    fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_fees_sysvar(var_addr)
    }
    fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_rent_sysvar(var_addr)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_epoch_rewards_sysvar(var_addr)
    }
    fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
        self.inner.sol_get_last_restart_slot(var_addr)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        self.inner.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memcpy(dst, src, n)
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        self.inner.sol_memmove(dst, src, n)
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        self.inner.sol_memcmp(s1, s2, n, result)
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        self.inner.sol_memset(s, c, n)
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        self.inner.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        self.inner.sol_set_return_data(data)
    }
    fn sol_log_data(&self, fields: &[&[u8]]) {
        use base64::Engine;
        let encoded: Vec<String> =
            fields.iter().map(|f| base64::engine::general_purpose::STANDARD.encode(f)).collect();
        if !log_line(format!("Program data: {}", encoded.join(" "))) {
            self.inner.sol_log_data(fields)
        }
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}

struct Placeholder;
impl SyscallStubs for Placeholder {}

fn install_log_routing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        solana_msg::set_log_hook(msg_hook);
        let inner = set_syscall_stubs(Box::new(Placeholder));
        set_syscall_stubs(Box::new(LogRoutingStubs { inner }));
    });
}

/// The builtin entry registered with the bank: like program-test's `processor!`, plus it
/// exposes the transaction's log collector to `msg!` and `emit!` while the program runs.
fn builtin_entry(vm: *mut EbpfVm<InvokeContext>, _a0: u64, _a1: u64, _a2: u64, _a3: u64, _a4: u64) {
    // SAFETY: mirrors solana_program_test::processor!: the runtime passes a pointer offset by
    // the runtime-environment key from the start of the EbpfVm it owns.
    let vm = unsafe {
        &mut *((vm as *mut u64).offset(-(get_runtime_environment_key() as isize)) as *mut EbpfVm<InvokeContext>)
    };
    let collector = vm.context_object_pointer.get_log_collector();
    let previous = CURRENT_LOGS.with(|logs| logs.replace(Some(collector)));
    vm.program_result = invoke_builtin_function(native_entry, vm.context_object_pointer)
        .map_err(EbpfError::SyscallError)
        .into();
    CURRENT_LOGS.with(|logs| *logs.borrow_mut() = previous);
}

/// A ProgramTest with poc-network loaded natively (SPL Token/ATA are added by program-test).
/// Start it with [`start_bank`] so program logs and events land in the transaction logs.
pub fn program_test() -> ProgramTest {
    let mut pt = ProgramTest::default();
    pt.prefer_bpf(false);
    pt.add_builtin_program("poc_network", poc_network::ID, builtin_entry);
    pt
}

/// The upgradeable loader's ProgramData address of poc-network.
pub fn program_data_address() -> Pubkey {
    Pubkey::find_program_address(&[poc_network::ID.as_ref()], &bpf_loader_upgradeable::ID).0
}

/// Gives the natively loaded program the ProgramData account a deployment through the
/// upgradeable loader leaves behind (loader-owned, at the loader's PDA of the program id, with
/// `upgrade_authority`), so `initialize_network` can check who deployed it. Only the metadata
/// is stored: the code itself runs as a builtin, so no ELF follows it.
pub fn add_program_data(pt: &mut ProgramTest, upgrade_authority: Option<Pubkey>) {
    let state = bpf_loader_upgradeable::UpgradeableLoaderState::ProgramData {
        slot: 0,
        upgrade_authority_address: upgrade_authority,
    };
    let len = bpf_loader_upgradeable::UpgradeableLoaderState::size_of_programdata_metadata();
    let mut account = Account::new_data_with_space(Rent::default().minimum_balance(len), &state, len, &bpf_loader_upgradeable::ID)
        .expect("ProgramData serialises");
    account.rent_epoch = u64::MAX;
    pt.add_account(program_data_address(), account);
}

/// Starts the bank and routes native `msg!`/`emit!` output into transaction logs.
pub async fn start_bank(pt: ProgramTest) -> ProgramTestContext {
    let ctx = pt.start_with_context().await;
    install_log_routing();
    ctx
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
            program_data: program_data_address(),
            network: network_pda(),
            reward_mint: reward_mint_pda(),
            treasury: treasury_pda(),
            token_program: anchor_spl::token::ID,
            system_program: system_program::ID,
        },
        poc_network::instruction::InitializeNetwork { args },
    )
}

fn admin_only(admin: &Pubkey) -> poc_network::accounts::AdminOnly {
    poc_network::accounts::AdminOnly { admin: *admin, network: network_pda() }
}

pub fn update_fees_ix(admin: &Pubkey, onboarding_fee: u64, location_fee: u64) -> Instruction {
    ix(
        admin_only(admin),
        poc_network::instruction::UpdateFees { onboarding_fee_lamports: onboarding_fee, location_fee_lamports: location_fee },
    )
}

pub fn rotate_oracle_ix(admin: &Pubkey, new_oracle: &Pubkey) -> Instruction {
    ix(admin_only(admin), poc_network::instruction::RotateOracle { new_oracle: *new_oracle })
}

pub fn propose_admin_ix(admin: &Pubkey, new_admin: &Pubkey) -> Instruction {
    ix(admin_only(admin), poc_network::instruction::ProposeAdmin { new_admin: *new_admin })
}

pub fn accept_admin_ix(new_admin: &Pubkey) -> Instruction {
    ix(
        poc_network::accounts::AcceptAdmin { new_admin: *new_admin, network: network_pda() },
        poc_network::instruction::AcceptAdmin {},
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

/// Region code of EU868 (packages/protocol/src/regions.ts REGIONS[0]), the tests' default.
pub const REGION_EU868: u8 = 0;
/// Region code of US915 (REGIONS[1]).
pub const REGION_US915: u8 = 1;

pub fn onboard_hotspot_ix(owner: &Pubkey, maker_authority: &Pubkey, hotspot_key: &Pubkey, max_fee: u64) -> Instruction {
    onboard_hotspot_in_region_ix(owner, maker_authority, hotspot_key, max_fee, REGION_EU868)
}

pub fn onboard_hotspot_in_region_ix(
    owner: &Pubkey,
    maker_authority: &Pubkey,
    hotspot_key: &Pubkey,
    max_fee: u64,
    region: u8,
) -> Instruction {
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
        poc_network::instruction::OnboardHotspot { hotspot_key: *hotspot_key, max_fee_lamports: max_fee, region },
    )
}

pub fn assert_location_ix(owner: &Pubkey, hotspot_key: &Pubkey, location: u64, gain: u16, elevation: i32, region: u8) -> Instruction {
    ix(
        poc_network::accounts::AssertLocation {
            owner: *owner,
            network: network_pda(),
            treasury: treasury_pda(),
            hotspot: hotspot_pda(hotspot_key),
            system_program: system_program::ID,
        },
        poc_network::instruction::AssertLocation { location, gain_dbi_x10: gain, elevation_m: elevation, region },
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

/// Claim signed (and its token account's rent paid) by the hotspot's `owner`.
pub fn claim_rewards_ix(hotspot_key: &Pubkey, owner: &Pubkey, epoch: u64, cumulative: u64, proof: Vec<[u8; 32]>) -> Instruction {
    let mint = reward_mint_pda();
    ix(
        poc_network::accounts::ClaimRewards {
            owner: *owner,
            network: network_pda(),
            epoch_rewards: epoch_pda(epoch),
            hotspot: hotspot_pda(hotspot_key),
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
