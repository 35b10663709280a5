//! The bank side of the local chain: one OS thread owns the solana-program-test context and
//! answers JSON-RPC calls one at a time.
//!
//! The context lives on a current-thread tokio runtime that is only driven while a request
//! is being handled. program-test's simulated PoH task (a new blockhash every 6.4 ms) then
//! advances only while requests run, so a blockhash handed out by getLatestBlockhash stays
//! valid for many requests rather than the ~1 s it would live on a free-running runtime.

use std::collections::{BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};
use solana_program_test::ProgramTestContext;
use solana_sdk::{
    account::Account,
    clock::Clock,
    hash::Hash,
    message::{Message, VersionedMessage},
    pubkey::Pubkey,
    rent::Rent,
    signature::{Keypair, Signature},
    signer::Signer,
    system_transaction,
    transaction::{TransactionError, VersionedTransaction},
};

pub const VERSION: &str = "2.2.20";
const LAMPORTS_PER_SIGNATURE: u64 = 5_000;
const TOKEN_PROGRAM: Pubkey = solana_sdk::pubkey!("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn invalid_params(msg: impl Into<String>) -> Self {
        RpcError { code: -32602, message: msg.into(), data: None }
    }
    fn internal(msg: impl std::fmt::Display) -> Self {
        RpcError { code: -32603, message: msg.to_string(), data: None }
    }
}

type RpcResult = Result<Value, RpcError>;

struct TxRecord {
    slot: u64,
    block_time: i64,
    tx: VersionedTransaction,
    err: Option<TransactionError>,
    logs: Vec<String>,
    units: u64,
    fee: u64,
    pre_balances: Vec<u64>,
    post_balances: Vec<u64>,
}

pub struct Bank {
    ctx: ProgramTestContext,
    payer: Keypair,
    /// Every address seen in a transaction or airdrop: the index behind getProgramAccounts.
    known: BTreeSet<Pubkey>,
    txs: HashMap<Signature, TxRecord>,
    order: Vec<Signature>,
    genesis_hash: String,
}

fn now_unix() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn param(params: &Value, i: usize) -> Option<&Value> {
    params.as_array().and_then(|a| a.get(i)).filter(|v| !v.is_null())
}

fn config<'a>(params: &'a Value, i: usize, key: &str) -> Option<&'a Value> {
    param(params, i).and_then(|c| c.get(key)).filter(|v| !v.is_null())
}

fn pubkey_param(params: &Value, i: usize) -> Result<Pubkey, RpcError> {
    param(params, i)
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: expected a pubkey at {i}")))
}

fn decode_tx(params: &Value) -> Result<VersionedTransaction, RpcError> {
    let raw = param(params, 0).and_then(|v| v.as_str()).ok_or_else(|| RpcError::invalid_params("missing transaction"))?;
    let encoding = config(params, 1, "encoding").and_then(|v| v.as_str()).unwrap_or("base58");
    let bytes = match encoding {
        "base64" => base64::engine::general_purpose::STANDARD.decode(raw).map_err(|e| RpcError::invalid_params(e.to_string()))?,
        "base58" => bs58::decode(raw).into_vec().map_err(|e| RpcError::invalid_params(e.to_string()))?,
        other => return Err(RpcError::invalid_params(format!("unsupported encoding {other}"))),
    };
    bincode::deserialize(&bytes).map_err(|e| RpcError::invalid_params(format!("failed to deserialize transaction: {e}")))
}

fn account_json(acc: &Account, data_slice: Option<&Value>) -> Value {
    let mut data: &[u8] = &acc.data;
    if let Some(slice) = data_slice {
        let offset = slice.get("offset").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let length = slice.get("length").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        let start = offset.min(data.len());
        let end = start.saturating_add(length).min(data.len());
        data = &data[start..end];
    }
    json!({
        "data": [base64::engine::general_purpose::STANDARD.encode(data), "base64"],
        "executable": acc.executable,
        "lamports": acc.lamports,
        "owner": acc.owner.to_string(),
        "rentEpoch": acc.rent_epoch,
        "space": acc.data.len(),
    })
}

fn tx_error_json(err: &TransactionError) -> Value {
    serde_json::to_value(err).unwrap_or_else(|_| json!(err.to_string()))
}

fn matches_filters(acc: &Account, filters: Option<&Value>) -> Result<bool, RpcError> {
    let Some(filters) = filters.and_then(|f| f.as_array()) else { return Ok(true) };
    for f in filters {
        if let Some(size) = f.get("dataSize").and_then(|v| v.as_u64()) {
            if acc.data.len() as u64 != size {
                return Ok(false);
            }
        } else if let Some(m) = f.get("memcmp") {
            let offset = m.get("offset").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
            let raw = m.get("bytes").and_then(|v| v.as_str()).ok_or_else(|| RpcError::invalid_params("memcmp.bytes"))?;
            let bytes = match m.get("encoding").and_then(|v| v.as_str()).unwrap_or("base58") {
                "base64" => base64::engine::general_purpose::STANDARD.decode(raw).map_err(|e| RpcError::invalid_params(e.to_string()))?,
                _ => bs58::decode(raw).into_vec().map_err(|e| RpcError::invalid_params(e.to_string()))?,
            };
            if acc.data.get(offset..offset + bytes.len()) != Some(bytes.as_slice()) {
                return Ok(false);
            }
        } else {
            return Err(RpcError::invalid_params("unsupported filter"));
        }
    }
    Ok(true)
}

fn message_json(msg: &VersionedMessage) -> Value {
    let header = msg.header();
    let instructions: Vec<Value> = msg
        .instructions()
        .iter()
        .map(|ix| {
            json!({
                "programIdIndex": ix.program_id_index,
                "accounts": ix.accounts,
                "data": bs58::encode(&ix.data).into_string(),
                "stackHeight": null,
            })
        })
        .collect();
    let mut out = json!({
        "accountKeys": msg.static_account_keys().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        "header": {
            "numRequiredSignatures": header.num_required_signatures,
            "numReadonlySignedAccounts": header.num_readonly_signed_accounts,
            "numReadonlyUnsignedAccounts": header.num_readonly_unsigned_accounts,
        },
        "recentBlockhash": msg.recent_blockhash().to_string(),
        "instructions": instructions,
    });
    if let VersionedMessage::V0(v0) = msg {
        out["addressTableLookups"] = json!(v0
            .address_table_lookups
            .iter()
            .map(|l| json!({
                "accountKey": l.account_key.to_string(),
                "writableIndexes": l.writable_indexes,
                "readonlyIndexes": l.readonly_indexes,
            }))
            .collect::<Vec<_>>());
    }
    out
}

impl Bank {
    pub async fn new(ctx: ProgramTestContext) -> Bank {
        let payer = ctx.payer.insecure_clone();
        let genesis_hash = ctx.genesis_config().hash().to_string();
        let mut known = BTreeSet::new();
        known.insert(payer.pubkey());
        Bank { ctx, payer, known, txs: HashMap::new(), order: Vec::new(), genesis_hash }
    }

    async fn slot(&self) -> u64 {
        self.ctx.banks_client.get_root_slot().await.unwrap_or(0)
    }

    async fn context(&self) -> Value {
        json!({ "slot": self.slot().await, "apiVersion": VERSION })
    }

    async fn with_context(&self, value: Value) -> RpcResult {
        Ok(json!({ "context": self.context().await, "value": value }))
    }

    async fn account(&self, key: Pubkey) -> Result<Option<Account>, RpcError> {
        self.ctx.banks_client.get_account(key).await.map_err(RpcError::internal)
    }

    /// Keeps the Clock sysvar at wall-clock time (it never moves on its own here, since the
    /// bank stays on one slot), so epoch timing in the program follows real time.
    async fn sync_clock(&mut self) -> Result<(), RpcError> {
        let mut clock: Clock = self.ctx.banks_client.get_sysvar().await.map_err(RpcError::internal)?;
        let now = now_unix();
        if now > clock.unix_timestamp {
            clock.unix_timestamp = now;
            self.ctx.set_sysvar(&clock);
        }
        Ok(())
    }

    async fn balances(&self, keys: &[Pubkey]) -> Vec<u64> {
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            out.push(self.ctx.banks_client.get_balance(*k).await.unwrap_or(0));
        }
        out
    }

    /// Executes a transaction for real, records it, and returns its signature.
    async fn execute(&mut self, tx: VersionedTransaction) -> Result<(Signature, Option<TransactionError>, Vec<String>), RpcError> {
        let signature = tx.signatures.first().copied().unwrap_or_default();
        let keys: Vec<Pubkey> = tx.message.static_account_keys().to_vec();
        let pre_balances = self.balances(&keys).await;
        let res = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx.clone())
            .await
            .map_err(RpcError::internal)?;
        let Some(meta) = res.metadata else {
            // Rejected before execution (bad blockhash, already processed, …): nothing landed.
            let err = res.result.err().unwrap_or(TransactionError::AccountNotFound);
            return Err(RpcError {
                code: -32002,
                message: format!("Transaction simulation failed: {err}"),
                data: Some(json!({ "err": tx_error_json(&err), "logs": [], "accounts": null, "unitsConsumed": 0, "returnData": null })),
            });
        };
        let err = res.result.err();
        let post_balances = self.balances(&keys).await;
        self.known.extend(keys.iter().copied());
        let record = TxRecord {
            slot: self.slot().await,
            block_time: now_unix(),
            fee: LAMPORTS_PER_SIGNATURE * tx.signatures.len() as u64,
            tx,
            err: err.clone(),
            logs: meta.log_messages.clone(),
            units: meta.compute_units_consumed,
            pre_balances,
            post_balances,
        };
        self.txs.insert(signature, record);
        self.order.push(signature);
        Ok((signature, err, meta.log_messages))
    }

    async fn simulate(&mut self, tx: VersionedTransaction) -> Result<(Option<TransactionError>, Vec<String>, u64, Value), RpcError> {
        let sim = self.ctx.banks_client.simulate_transaction(tx).await.map_err(RpcError::internal)?;
        let err = match sim.result {
            Some(Err(e)) => Some(e),
            _ => None,
        };
        let (logs, units, return_data) = match sim.simulation_details {
            Some(d) => {
                let rd = match d.return_data {
                    Some(r) if !r.data.is_empty() => json!({
                        "programId": r.program_id.to_string(),
                        "data": [base64::engine::general_purpose::STANDARD.encode(&r.data), "base64"],
                    }),
                    _ => Value::Null,
                };
                (d.logs, d.units_consumed, rd)
            }
            None => (vec![], 0, Value::Null),
        };
        Ok((err, logs, units, return_data))
    }

    pub async fn handle(&mut self, method: &str, params: &Value) -> RpcResult {
        match method {
            "getHealth" => Ok(json!("ok")),
            "getVersion" => Ok(json!({ "solana-core": VERSION, "feature-set": 0 })),
            "getGenesisHash" => Ok(json!(self.genesis_hash)),
            "getIdentity" => Ok(json!({ "identity": self.payer.pubkey().to_string() })),
            "getSlot" => Ok(json!(self.slot().await)),
            "getBlockHeight" => Ok(json!(self.ctx.banks_client.get_root_block_height().await.map_err(RpcError::internal)?)),
            "getTransactionCount" => Ok(json!(self.order.len())),
            "getEpochInfo" => {
                let slot = self.slot().await;
                let height = self.ctx.banks_client.get_root_block_height().await.map_err(RpcError::internal)?;
                let schedule = self.ctx.genesis_config().epoch_schedule.clone();
                let (epoch, index) = schedule.get_epoch_and_slot_index(slot);
                Ok(json!({
                    "absoluteSlot": slot, "blockHeight": height, "epoch": epoch, "slotIndex": index,
                    "slotsInEpoch": schedule.get_slots_in_epoch(epoch), "transactionCount": self.order.len(),
                }))
            }
            "getRecentPrioritizationFees" => Ok(json!([])),
            "getLatestBlockhash" => {
                let (hash, last_valid) = self
                    .ctx
                    .banks_client
                    .get_latest_blockhash_with_commitment(Default::default())
                    .await
                    .map_err(RpcError::internal)?
                    .ok_or_else(|| RpcError::internal("no blockhash"))?;
                self.with_context(json!({ "blockhash": hash.to_string(), "lastValidBlockHeight": last_valid })).await
            }
            "isBlockhashValid" => {
                let hash: Hash = param(params, 0)
                    .and_then(|v| v.as_str())
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| RpcError::invalid_params("blockhash"))?;
                let probe = Message::new_with_blockhash(&[], Some(&self.payer.pubkey()), &hash);
                let valid = self.ctx.banks_client.get_fee_for_message(probe).await.map_err(RpcError::internal)?.is_some();
                self.with_context(json!(valid)).await
            }
            "getFeeForMessage" => {
                let raw = param(params, 0).and_then(|v| v.as_str()).ok_or_else(|| RpcError::invalid_params("message"))?;
                let bytes = base64::engine::general_purpose::STANDARD.decode(raw).map_err(|e| RpcError::invalid_params(e.to_string()))?;
                // Legacy: first byte is num_required_signatures; v0: version prefix byte first.
                let sigs = match bytes.first() {
                    Some(b) if b & 0x80 != 0 => bytes.get(1).copied().unwrap_or(1),
                    Some(b) => *b,
                    None => return Err(RpcError::invalid_params("empty message")),
                };
                self.with_context(json!(LAMPORTS_PER_SIGNATURE * sigs as u64)).await
            }
            "getMinimumBalanceForRentExemption" => {
                let size = param(params, 0).and_then(|v| v.as_u64()).unwrap_or(0) as usize;
                let rent: Rent = self.ctx.banks_client.get_rent().await.map_err(RpcError::internal)?;
                Ok(json!(rent.minimum_balance(size)))
            }
            "getBalance" => {
                let key = pubkey_param(params, 0)?;
                let lamports = self.ctx.banks_client.get_balance(key).await.map_err(RpcError::internal)?;
                self.with_context(json!(lamports)).await
            }
            "getAccountInfo" => {
                let key = pubkey_param(params, 0)?;
                let slice = config(params, 1, "dataSlice");
                let value = self.account(key).await?.map(|a| account_json(&a, slice)).unwrap_or(Value::Null);
                self.with_context(value).await
            }
            "getMultipleAccounts" => {
                let keys = param(params, 0).and_then(|v| v.as_array()).ok_or_else(|| RpcError::invalid_params("keys"))?;
                let slice = config(params, 1, "dataSlice").cloned();
                let mut out = Vec::with_capacity(keys.len());
                for k in keys {
                    let key: Pubkey = k.as_str().and_then(|s| s.parse().ok()).ok_or_else(|| RpcError::invalid_params("pubkey"))?;
                    out.push(self.account(key).await?.map(|a| account_json(&a, slice.as_ref())).unwrap_or(Value::Null));
                }
                self.with_context(json!(out)).await
            }
            "getProgramAccounts" => {
                let program = pubkey_param(params, 0)?;
                let filters = config(params, 1, "filters").cloned();
                let slice = config(params, 1, "dataSlice").cloned();
                let mut out = Vec::new();
                for key in self.known.clone() {
                    if let Some(acc) = self.account(key).await? {
                        if acc.owner == program && matches_filters(&acc, filters.as_ref())? {
                            out.push(json!({ "pubkey": key.to_string(), "account": account_json(&acc, slice.as_ref()) }));
                        }
                    }
                }
                if config(params, 1, "withContext").and_then(|v| v.as_bool()).unwrap_or(false) {
                    self.with_context(json!(out)).await
                } else {
                    Ok(json!(out))
                }
            }
            "getTokenAccountBalance" => {
                let key = pubkey_param(params, 0)?;
                let acc = self.account(key).await?.ok_or_else(|| RpcError::invalid_params("Invalid param: could not find account"))?;
                if acc.owner != TOKEN_PROGRAM || acc.data.len() < 72 {
                    return Err(RpcError::invalid_params("Invalid param: not a Token account"));
                }
                let mint = Pubkey::try_from(&acc.data[0..32]).map_err(RpcError::internal)?;
                let amount = u64::from_le_bytes(acc.data[64..72].try_into().map_err(RpcError::internal)?);
                let decimals = self.account(mint).await?.and_then(|m| m.data.get(44).copied()).unwrap_or(0);
                let ui = amount as f64 / 10f64.powi(decimals as i32);
                let ui_string = {
                    let s = format!("{:0>width$}", amount, width = decimals as usize + 1);
                    let (int, frac) = s.split_at(s.len() - decimals as usize);
                    let frac = frac.trim_end_matches('0');
                    if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") }
                };
                self.with_context(json!({ "amount": amount.to_string(), "decimals": decimals, "uiAmount": ui, "uiAmountString": ui_string })).await
            }
            "getTokenAccountsByOwner" => {
                let owner = pubkey_param(params, 0)?;
                let mint: Option<Pubkey> = config(params, 1, "mint").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
                let mut out = Vec::new();
                for key in self.known.clone() {
                    if let Some(acc) = self.account(key).await? {
                        if acc.owner == TOKEN_PROGRAM
                            && acc.data.len() == 165
                            && acc.data[32..64] == owner.to_bytes()
                            && mint.map(|m| acc.data[0..32] == m.to_bytes()).unwrap_or(true)
                        {
                            out.push(json!({ "pubkey": key.to_string(), "account": account_json(&acc, None) }));
                        }
                    }
                }
                self.with_context(json!(out)).await
            }
            "requestAirdrop" => {
                let to = pubkey_param(params, 0)?;
                let lamports = param(params, 1).and_then(|v| v.as_u64()).ok_or_else(|| RpcError::invalid_params("lamports"))?;
                // Two identical airdrops under one blockhash would be one transaction: wait for
                // the simulated PoH (driven while this request runs) to register a new hash.
                let mut tx = None;
                for _ in 0..100 {
                    let blockhash = self.ctx.banks_client.get_latest_blockhash().await.map_err(RpcError::internal)?;
                    let candidate = system_transaction::transfer(&self.payer, &to, lamports, blockhash);
                    if !self.txs.contains_key(&candidate.signatures[0]) {
                        tx = Some(candidate);
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(7)).await;
                }
                let tx = tx.ok_or_else(|| RpcError::internal("no fresh blockhash for the airdrop"))?;
                let (sig, err, _) = self.execute(tx.into()).await?;
                if let Some(err) = err {
                    return Err(RpcError::internal(format!("airdrop failed: {err}")));
                }
                Ok(json!(sig.to_string()))
            }
            "sendTransaction" => {
                let tx = decode_tx(params)?;
                if tx.verify_with_results().iter().any(|ok| !ok) {
                    return Err(RpcError { code: -32003, message: "Transaction signature verification failure".into(), data: None });
                }
                self.sync_clock().await?;
                let skip_preflight = config(params, 1, "skipPreflight").and_then(|v| v.as_bool()).unwrap_or(false);
                if !skip_preflight {
                    let (err, logs, units, return_data) = self.simulate(tx.clone()).await?;
                    if let Some(err) = err {
                        return Err(RpcError {
                            code: -32002,
                            message: format!("Transaction simulation failed: {err}"),
                            data: Some(json!({ "err": tx_error_json(&err), "logs": logs, "accounts": null, "unitsConsumed": units, "returnData": return_data })),
                        });
                    }
                }
                let (sig, _, _) = self.execute(tx).await?;
                Ok(json!(sig.to_string()))
            }
            "simulateTransaction" => {
                let mut tx = decode_tx(params)?;
                let sig_verify = config(params, 1, "sigVerify").and_then(|v| v.as_bool()).unwrap_or(false);
                if sig_verify && tx.verify_with_results().iter().any(|ok| !ok) {
                    return Err(RpcError { code: -32003, message: "Transaction signature verification failure".into(), data: None });
                }
                let mut replacement = Value::Null;
                if config(params, 1, "replaceRecentBlockhash").and_then(|v| v.as_bool()).unwrap_or(false) {
                    let (hash, last_valid) = self
                        .ctx
                        .banks_client
                        .get_latest_blockhash_with_commitment(Default::default())
                        .await
                        .map_err(RpcError::internal)?
                        .ok_or_else(|| RpcError::internal("no blockhash"))?;
                    tx.message.set_recent_blockhash(hash);
                    replacement = json!({ "blockhash": hash.to_string(), "lastValidBlockHeight": last_valid });
                }
                self.sync_clock().await?;
                let (err, logs, units, return_data) = self.simulate(tx).await?;
                let mut value = json!({
                    "err": err.as_ref().map(tx_error_json),
                    "logs": logs,
                    "accounts": null,
                    "unitsConsumed": units,
                    "returnData": return_data,
                });
                if !replacement.is_null() {
                    value["replacementBlockhash"] = replacement;
                }
                self.with_context(value).await
            }
            "getSignatureStatuses" => {
                let sigs = param(params, 0).and_then(|v| v.as_array()).ok_or_else(|| RpcError::invalid_params("signatures"))?;
                let mut out = Vec::with_capacity(sigs.len());
                for s in sigs {
                    let sig: Option<Signature> = s.as_str().and_then(|s| s.parse().ok());
                    out.push(match sig.and_then(|sig| self.txs.get(&sig)) {
                        Some(r) => {
                            let err = r.err.as_ref().map(tx_error_json);
                            let status = match &err {
                                Some(e) => json!({ "Err": e }),
                                None => json!({ "Ok": null }),
                            };
                            json!({ "slot": r.slot, "confirmations": null, "err": err, "status": status, "confirmationStatus": "finalized" })
                        }
                        None => Value::Null,
                    });
                }
                self.with_context(json!(out)).await
            }
            "getSignaturesForAddress" => {
                let addr = pubkey_param(params, 0)?;
                let limit = config(params, 1, "limit").and_then(|v| v.as_u64()).unwrap_or(1000) as usize;
                let before: Option<Signature> = config(params, 1, "before").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
                let until: Option<Signature> = config(params, 1, "until").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
                let mut out = Vec::new();
                let mut started = before.is_none();
                for sig in self.order.iter().rev() {
                    if !started {
                        started = Some(*sig) == before;
                        continue;
                    }
                    if Some(*sig) == until || out.len() >= limit {
                        break;
                    }
                    let r = &self.txs[sig];
                    if r.tx.message.static_account_keys().contains(&addr) {
                        out.push(json!({
                            "signature": sig.to_string(), "slot": r.slot, "err": r.err.as_ref().map(tx_error_json),
                            "memo": null, "blockTime": r.block_time, "confirmationStatus": "finalized",
                        }));
                    }
                }
                Ok(json!(out))
            }
            "getTransaction" => {
                let sig: Signature = param(params, 0)
                    .and_then(|v| v.as_str())
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| RpcError::invalid_params("signature"))?;
                let Some(r) = self.txs.get(&sig) else { return Ok(Value::Null) };
                let encoding = config(params, 1, "encoding").and_then(|v| v.as_str()).unwrap_or("json");
                let is_v0 = matches!(r.tx.message, VersionedMessage::V0(_));
                let max_version = config(params, 1, "maxSupportedTransactionVersion").and_then(|v| v.as_u64());
                if is_v0 && max_version.is_none() {
                    return Err(RpcError {
                        code: -32015,
                        message: "Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0".into(),
                        data: None,
                    });
                }
                let transaction = if encoding == "base64" {
                    json!([base64::engine::general_purpose::STANDARD.encode(bincode::serialize(&r.tx).map_err(RpcError::internal)?), "base64"])
                } else {
                    json!({ "signatures": r.tx.signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "message": message_json(&r.tx.message) })
                };
                let err = r.err.as_ref().map(tx_error_json);
                let status = match &err {
                    Some(e) => json!({ "Err": e }),
                    None => json!({ "Ok": null }),
                };
                let mut out = json!({
                    "slot": r.slot,
                    "blockTime": r.block_time,
                    "transaction": transaction,
                    "meta": {
                        "err": err, "status": status, "fee": r.fee,
                        "preBalances": r.pre_balances, "postBalances": r.post_balances,
                        "innerInstructions": [], "logMessages": r.logs,
                        "preTokenBalances": [], "postTokenBalances": [], "rewards": [],
                        "loadedAddresses": { "writable": [], "readonly": [] },
                        "computeUnitsConsumed": r.units,
                    },
                });
                if max_version.is_some() {
                    out["version"] = if is_v0 { json!(0) } else { json!("legacy") };
                }
                Ok(out)
            }
            _ => Err(RpcError { code: -32601, message: format!("Method not found: {method}"), data: None }),
        }
    }
}
