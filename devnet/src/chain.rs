//! The chain on top of the engine: blocks (one per transaction, mined at
//! once), transactions and receipts, block time and time travel, snapshots,
//! the recent state history, and the state file. Every JSON-RPC method is
//! served from here ([`crate::rpc`] only parses envelopes and parameters).

use std::{
    collections::{HashMap, VecDeque},
    path::{Path, PathBuf},
    time::{SystemTime, UNIX_EPOCH},
};

use alloy::consensus::{
    Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, SignableTransaction, Signed,
    Transaction as _, TxEip1559, TxEnvelope, TxLegacy, transaction::SignerRecoverable,
};
use alloy::eips::{
    BlockId, BlockNumberOrTag,
    eip2718::{Decodable2718, Encodable2718, Typed2718},
    eip2930::AccessList,
};
use alloy::primitives::{Address, B64, B256, Bloom, Bytes, Log, TxKind, U256, logs_bloom};
use alloy::rpc::types::{
    Block as RpcBlock, BlockTransactions, FeeHistory, Filter, FilterBlockOption,
    Header as RpcHeader, Log as RpcLog, Transaction as RpcTransaction, TransactionReceipt,
    TransactionRequest,
};
use alloy::signers::SignerSync;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::accounts::{self, DevAccount};
use crate::engine::{
    BASE_FEE_WEI, BLOCK_GAS_LIMIT, BlockEnv, COINBASE, Engine, ExitStatus, Halt, TxError,
    TxOutcome, TxRequest, WorldState, gas,
};

/// Version of the state file format.
const STATE_FORMAT: u32 = 1;
/// Most blocks one `eth_getLogs` may scan.
const MAX_LOG_RANGE: u64 = 100_000;

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    /// Error code (-32700 parse, -32600 request, -32601 method, -32602
    /// params, -32603 internal, -32000 server, 3 execution reverted).
    pub code: i64,
    /// One readable line.
    pub message: String,
    /// Extra data (the revert data, hex, for code 3).
    pub data: Option<Value>,
}

impl RpcError {
    /// -32602.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self {
            code: -32602,
            message: message.into(),
            data: None,
        }
    }

    /// -32000, geth's code for rejected transactions and failed calls.
    pub fn server(message: impl Into<String>) -> Self {
        Self {
            code: -32000,
            message: message.into(),
            data: None,
        }
    }

    /// -32603.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: -32603,
            message: message.into(),
            data: None,
        }
    }

    /// Code 3 "execution reverted" with the revert data, as geth returns it
    /// (with the reason appended when the data is `Error(string)`).
    pub fn reverted(output: &[u8]) -> Self {
        use alloy::sol_types::SolError;
        let message = match alloy::sol_types::Revert::abi_decode(output) {
            Ok(r) => format!("execution reverted: {}", r.reason),
            Err(_) => "execution reverted".to_string(),
        };
        Self {
            code: 3,
            message,
            data: Some(Value::String(alloy::primitives::hex::encode_prefixed(
                output,
            ))),
        }
    }

    fn from_tx(e: TxError) -> Self {
        Self::server(e.to_string())
    }
}

/// Settings of a chain.
#[derive(Debug, Clone)]
pub struct ChainConfig {
    /// Chain id (412346 by default, as a Nitro dev node).
    pub chain_id: u64,
    /// Number of dev accounts.
    pub accounts: u32,
    /// Balance of each dev account, wei.
    pub balance: U256,
    /// Mnemonic of the dev accounts.
    pub mnemonic: String,
    /// State file: loaded at start if present, written after each block and at shutdown.
    pub state_file: Option<PathBuf>,
    /// Post-block states kept for queries at past blocks.
    pub history: usize,
    /// Nitro's activation rules to model (a debug chain allows the
    /// `console` imports; multi-value types are refused from ArbOS 60).
    pub activation: il_wasm::activation::Rules,
}

impl Default for ChainConfig {
    fn default() -> Self {
        Self {
            chain_id: crate::engine::DEFAULT_CHAIN_ID,
            accounts: 10,
            balance: U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18u64)),
            mnemonic: accounts::DEFAULT_MNEMONIC.to_string(),
            state_file: None,
            history: 128,
            activation: il_wasm::activation::Rules::default(),
        }
    }
}

/// Why a chain could not start.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The dev mnemonic is invalid.
    #[error(transparent)]
    Mnemonic(#[from] accounts::MnemonicError),
    /// The state file cannot be read or parsed.
    #[error("state file {path}: {reason}")]
    StateFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredBlock {
    header: Header,
    hash: B256,
    transactions: Vec<B256>,
    size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredTx {
    raw: Bytes,
    from: Address,
    block_number: u64,
    index: u64,
    success: bool,
    gas_used: u64,
    cumulative_gas_used: u64,
    effective_gas_price: u128,
    logs: Vec<Log>,
    first_log_index: u64,
    contract_address: Option<Address>,
}

impl StoredTx {
    fn envelope(&self) -> TxEnvelope {
        // stored bytes were decoded successfully when the transaction arrived
        TxEnvelope::decode_2718(&mut self.raw.as_ref())
            .expect("stored transactions are valid EIP-2718 envelopes")
    }
}

#[derive(Serialize, Deserialize)]
struct Persisted {
    format: u32,
    chain_id: u64,
    world: WorldState,
    blocks: Vec<StoredBlock>,
    transactions: HashMap<B256, StoredTx>,
    time_offset: i64,
}

struct Snapshot {
    world: WorldState,
    blocks: usize,
    time_offset: i64,
    next_timestamp: Option<u64>,
}

/// Where a query looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Latest,
    Pending,
    Past(u64),
}

/// The chain.
pub struct Chain {
    engine: Engine,
    chain_id: u64,
    accounts: Vec<DevAccount>,
    blocks: Vec<StoredBlock>,
    by_hash: HashMap<B256, u64>,
    txs: HashMap<B256, StoredTx>,
    time_offset: i64,
    next_timestamp: Option<u64>,
    history: VecDeque<(u64, WorldState)>,
    history_len: usize,
    snapshots: Vec<Snapshot>,
    state_file: Option<PathBuf>,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("chain_id", &self.chain_id)
            .field("blocks", &self.blocks.len())
            .finish_non_exhaustive()
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn hex_u64(v: u64) -> Value {
    Value::String(format!("0x{v:x}"))
}

fn to_json<T: Serialize>(v: &T) -> Result<Value, RpcError> {
    serde_json::to_value(v).map_err(|e| RpcError::internal(format!("serialization: {e}")))
}

impl Chain {
    /// A new chain: the dev accounts funded, or the state file's chain if it exists.
    ///
    /// # Errors
    /// [`ChainError`] for a bad mnemonic or an unreadable state file.
    pub fn new(config: &ChainConfig) -> Result<Self, ChainError> {
        let accounts = accounts::derive(&config.mnemonic, config.accounts)?;
        if let Some(path) = &config.state_file
            && path.exists()
        {
            return Self::load(path, config, accounts);
        }
        let mut world = WorldState::default();
        for a in &accounts {
            world.accounts.entry(a.address).or_default().balance = config.balance;
        }
        let engine = Engine::new(config.chain_id, world);
        engine.set_activation_rules(config.activation);
        let mut chain = Self {
            engine,
            chain_id: config.chain_id,
            accounts,
            blocks: Vec::new(),
            by_hash: HashMap::new(),
            txs: HashMap::new(),
            time_offset: 0,
            next_timestamp: None,
            history: VecDeque::new(),
            history_len: config.history.max(1),
            snapshots: Vec::new(),
            state_file: config.state_file.clone(),
        };
        let genesis = chain.seal(0, now(), Vec::new());
        chain.push_block(genesis);
        Ok(chain)
    }

    fn load(
        path: &Path,
        config: &ChainConfig,
        accounts: Vec<DevAccount>,
    ) -> Result<Self, ChainError> {
        let err = |reason: String| ChainError::StateFile {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let p: Persisted = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        if p.format != STATE_FORMAT {
            return Err(err(format!(
                "format {} (this node reads {STATE_FORMAT})",
                p.format
            )));
        }
        if p.chain_id != config.chain_id {
            return Err(err(format!(
                "written for chain id {}, not {}",
                p.chain_id, config.chain_id
            )));
        }
        if p.blocks.is_empty() {
            return Err(err("no blocks".to_string()));
        }
        let engine = Engine::new(p.chain_id, p.world);
        engine.set_activation_rules(config.activation);
        let by_hash = p.blocks.iter().map(|b| (b.hash, b.header.number)).collect();
        let latest = p.blocks.len() as u64 - 1;
        let mut history = VecDeque::new();
        history.push_back((latest, engine.world()));
        Ok(Self {
            engine,
            chain_id: p.chain_id,
            accounts,
            blocks: p.blocks,
            by_hash,
            txs: p.transactions,
            time_offset: p.time_offset,
            next_timestamp: None,
            history,
            history_len: config.history.max(1),
            snapshots: Vec::new(),
            state_file: config.state_file.clone(),
        })
    }

    /// Writes the state file atomically (temporary file, then rename).
    ///
    /// # Errors
    /// The I/O error as one line.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let p = Persisted {
            format: STATE_FORMAT,
            chain_id: self.chain_id,
            world: self.engine.world(),
            blocks: self.blocks.clone(),
            transactions: self.txs.clone(),
            time_offset: self.time_offset,
        };
        let json = serde_json::to_vec(&p).map_err(|e| e.to_string())?;
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, json).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The engine (tests and tools may inspect state directly).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The dev accounts.
    pub fn dev_accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Number of the latest block.
    pub fn latest_number(&self) -> u64 {
        (self.blocks.len() as u64).saturating_sub(1)
    }

    fn latest(&self) -> &StoredBlock {
        // the genesis block always exists
        self.blocks.last().expect("the chain has a genesis block")
    }

    /// Timestamp the next block gets: the one set by
    /// `evm_setNextBlockTimestamp`, else wall clock + offset, and always
    /// later than the latest block.
    fn next_block_timestamp(&self) -> u64 {
        let floor = self.latest().header.timestamp.saturating_add(1);
        match self.next_timestamp {
            Some(ts) => ts.max(floor),
            None => {
                let wall = now().saturating_add_signed(self.time_offset);
                wall.max(floor)
            }
        }
    }

    fn pending_env(&self) -> BlockEnv {
        BlockEnv {
            number: self.latest_number().saturating_add(1),
            timestamp: self.next_block_timestamp(),
            ..BlockEnv::default()
        }
    }

    fn env_of(&self, number: u64) -> BlockEnv {
        let h = &self.blocks[number as usize].header;
        BlockEnv {
            number: h.number,
            timestamp: h.timestamp,
            ..BlockEnv::default()
        }
    }

    fn seal(
        &self,
        number: u64,
        timestamp: u64,
        txs: Vec<(TxEnvelope, StoredTx)>,
    ) -> (StoredBlock, Vec<(B256, StoredTx)>) {
        let parent_hash = self.blocks.last().map(|b| b.hash).unwrap_or_default();
        let envelopes: Vec<TxEnvelope> = txs.iter().map(|(e, _)| e.clone()).collect();
        let receipts: Vec<ReceiptEnvelope> = txs
            .iter()
            .map(|(e, s)| receipt_envelope(e.ty(), s, s.logs.clone()))
            .collect();
        let mut bloom = Bloom::default();
        for (_, s) in &txs {
            bloom.accrue_bloom(&logs_bloom(s.logs.iter()));
        }
        let gas_used = txs.iter().map(|(_, s)| s.gas_used).sum();
        let header = Header {
            parent_hash,
            ommers_hash: alloy::consensus::EMPTY_OMMER_ROOT_HASH,
            beneficiary: COINBASE,
            state_root: self.engine.state_root(),
            transactions_root: alloy::consensus::proofs::calculate_transaction_root(&envelopes),
            receipts_root: alloy::consensus::proofs::calculate_receipt_root(&receipts),
            logs_bloom: bloom,
            difficulty: U256::from(1u64),
            number,
            gas_limit: BLOCK_GAS_LIMIT,
            gas_used,
            timestamp,
            extra_data: Bytes::new(),
            mix_hash: B256::ZERO,
            nonce: B64::ZERO,
            base_fee_per_gas: Some(BASE_FEE_WEI),
            ..Header::default()
        };
        let hash = header.hash_slow();
        let size = alloy::rlp::Encodable::length(&alloy::consensus::Block {
            header: header.clone(),
            body: alloy::consensus::BlockBody::<TxEnvelope> {
                transactions: envelopes,
                ommers: Vec::new(),
                withdrawals: None,
            },
        }) as u64;
        let stored = txs
            .into_iter()
            .map(|(e, s)| (e.tx_hash().to_owned(), s))
            .collect();
        (
            StoredBlock {
                header,
                hash,
                transactions: Vec::new(),
                size,
            },
            stored,
        )
    }

    fn push_block(&mut self, (mut block, txs): (StoredBlock, Vec<(B256, StoredTx)>)) {
        let number = block.header.number;
        for (hash, tx) in txs {
            block.transactions.push(hash);
            self.txs.insert(hash, tx);
        }
        self.by_hash.insert(block.hash, number);
        self.blocks.push(block);
        self.history.push_back((number, self.engine.world()));
        while self.history.len() > self.history_len {
            self.history.pop_front();
        }
        if let Err(e) = self.save() {
            tracing::error!("cannot save the state file: {e}");
        }
    }

    /// Records that a block used `timestamp`: an explicitly set next
    /// timestamp becomes the new clock (as anvil does).
    fn consume_timestamp(&mut self, timestamp: u64) {
        if self.next_timestamp.take().is_some() {
            self.time_offset = i64::try_from(timestamp)
                .unwrap_or(i64::MAX)
                .saturating_sub(i64::try_from(now()).unwrap_or(i64::MAX));
        }
    }

    /// Mines a block with `tx` (signed by `from`) in it.
    fn include(&mut self, envelope: TxEnvelope, from: Address) -> Result<B256, RpcError> {
        let number = self.latest_number().saturating_add(1);
        let timestamp = self.next_block_timestamp();
        self.engine.set_block_env(BlockEnv {
            number,
            timestamp,
            ..BlockEnv::default()
        });
        let req = request_of(&envelope, from);
        let out = self
            .engine
            .transact(&req, true)
            .map_err(RpcError::from_tx)?;
        self.consume_timestamp(timestamp);
        let hash = *envelope.tx_hash();
        let mut raw = Vec::new();
        envelope.encode_2718(&mut raw);
        let stored = StoredTx {
            raw: raw.into(),
            from,
            block_number: number,
            index: 0,
            success: out.status.is_success(),
            gas_used: out.gas_used,
            cumulative_gas_used: out.gas_used,
            effective_gas_price: u128::from(BASE_FEE_WEI),
            logs: out.logs.clone(),
            first_log_index: 0,
            // as geth and reth: the address a creation targets, even if it failed
            contract_address: req.to.is_none().then(|| from.create(envelope.nonce())),
        };
        log_outcome(hash, &out);
        let sealed = self.seal(number, timestamp, vec![(envelope, stored)]);
        self.push_block(sealed);
        Ok(hash)
    }

    /// Mines an empty block (`evm_mine`), optionally at `timestamp`.
    ///
    /// # Errors
    /// A timestamp not after the latest block's.
    pub fn mine_empty(&mut self, timestamp: Option<u64>) -> Result<(), RpcError> {
        if let Some(ts) = timestamp {
            self.set_next_timestamp(ts)?;
        }
        let number = self.latest_number().saturating_add(1);
        let ts = self.next_block_timestamp();
        self.consume_timestamp(ts);
        let sealed = self.seal(number, ts, Vec::new());
        self.push_block(sealed);
        Ok(())
    }

    fn set_next_timestamp(&mut self, ts: u64) -> Result<(), RpcError> {
        let latest = self.latest().header.timestamp;
        if ts <= latest {
            return Err(RpcError::invalid_params(format!(
                "timestamp {ts} is not after the latest block's timestamp {latest}"
            )));
        }
        self.next_timestamp = Some(ts);
        Ok(())
    }

    fn resolve(&self, id: Option<BlockId>) -> Result<At, RpcError> {
        let latest = self.latest_number();
        let number = match id {
            None => return Ok(At::Latest),
            Some(BlockId::Number(tag)) => match tag {
                BlockNumberOrTag::Latest | BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized => {
                    return Ok(At::Latest);
                }
                BlockNumberOrTag::Pending => return Ok(At::Pending),
                BlockNumberOrTag::Earliest => 0,
                BlockNumberOrTag::Number(n) => n,
            },
            Some(BlockId::Hash(h)) => *self
                .by_hash
                .get(&h.block_hash)
                .ok_or_else(|| RpcError::server(format!("block {} not found", h.block_hash)))?,
        };
        if number > latest {
            return Err(RpcError::server(format!(
                "block {number} not found (latest is {latest})"
            )));
        }
        Ok(if number == latest {
            At::Latest
        } else {
            At::Past(number)
        })
    }

    fn past_world(&self, number: u64) -> Result<&WorldState, RpcError> {
        self.history
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, w)| w)
            .ok_or_else(|| {
                RpcError::server(format!(
                    "state of block {number} is not available: this chain keeps the state of the last {} blocks",
                    self.history_len
                ))
            })
    }

    fn read<R>(
        &self,
        id: Option<BlockId>,
        f: impl FnOnce(&WorldState) -> R,
    ) -> Result<R, RpcError> {
        match self.resolve(id)? {
            At::Latest | At::Pending => Ok(self.engine.with_world(f)),
            At::Past(n) => Ok(f(self.past_world(n)?)),
        }
    }

    /// Runs `req` without committing, at the state and block of `id`.
    fn simulate(&self, req: &TxRequest, id: Option<BlockId>) -> Result<TxOutcome, RpcError> {
        let at = self.resolve(id)?;
        let env = match at {
            At::Latest => self.env_of(self.latest_number()),
            At::Pending => self.pending_env(),
            At::Past(n) => self.env_of(n),
        };
        self.engine.set_block_env(env);
        match at {
            At::Past(n) => {
                let past = self.past_world(n)?.clone();
                let current = self.engine.replace_world(past);
                let out = self.engine.transact(req, false);
                self.engine.replace_world(current);
                out.map_err(RpcError::from_tx)
            }
            _ => self.engine.transact(req, false).map_err(RpcError::from_tx),
        }
    }

    // ----- JSON-RPC methods -----

    /// `eth_chainId`.
    pub fn chain_id_hex(&self) -> Value {
        hex_u64(self.chain_id)
    }

    /// `eth_blockNumber`.
    pub fn block_number(&self) -> Value {
        hex_u64(self.latest_number())
    }

    /// `eth_accounts`.
    pub fn accounts(&self) -> Value {
        Value::Array(
            self.accounts
                .iter()
                .map(|a| Value::String(a.address.to_checksum(None)))
                .collect(),
        )
    }

    /// `eth_getBalance`.
    ///
    /// # Errors
    /// Unknown block or pruned state.
    pub fn get_balance(&self, address: Address, id: Option<BlockId>) -> Result<Value, RpcError> {
        let b = self.read(id, |w| w.account(&address).balance)?;
        to_json(&b)
    }

    /// `eth_getTransactionCount`.
    ///
    /// # Errors
    /// Unknown block or pruned state.
    pub fn get_transaction_count(
        &self,
        address: Address,
        id: Option<BlockId>,
    ) -> Result<Value, RpcError> {
        Ok(hex_u64(self.read(id, |w| w.account(&address).nonce)?))
    }

    /// `eth_getCode`.
    ///
    /// # Errors
    /// Unknown block or pruned state.
    pub fn get_code(&self, address: Address, id: Option<BlockId>) -> Result<Value, RpcError> {
        let code = self.read(id, |w| w.account(&address).code().clone())?;
        to_json(&code)
    }

    /// `eth_getStorageAt`.
    ///
    /// # Errors
    /// Unknown block or pruned state.
    pub fn get_storage_at(
        &self,
        address: Address,
        slot: U256,
        id: Option<BlockId>,
    ) -> Result<Value, RpcError> {
        let v = self.read(id, |w| w.storage(&address, &slot))?;
        to_json(&v)
    }

    /// `eth_getBlockByNumber` / `eth_getBlockByHash`: `null` if absent;
    /// `pending`, `safe` and `finalized` are the latest block.
    ///
    /// # Errors
    /// Serialization failures only.
    pub fn get_block(&self, id: BlockId, full: bool) -> Result<Value, RpcError> {
        let number = match id {
            BlockId::Hash(h) => match self.by_hash.get(&h.block_hash) {
                Some(n) => *n,
                None => return Ok(Value::Null),
            },
            BlockId::Number(tag) => match tag {
                BlockNumberOrTag::Number(n) => n,
                BlockNumberOrTag::Earliest => 0,
                // blocks are mined at once: nothing is ever pending beyond the latest block
                _ => self.latest_number(),
            },
        };
        let Some(block) = self.blocks.get(number as usize) else {
            return Ok(Value::Null);
        };
        let transactions = if full {
            BlockTransactions::Full(
                block
                    .transactions
                    .iter()
                    .map(|h| self.rpc_transaction(h))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| RpcError::internal("missing transaction"))?,
            )
        } else {
            BlockTransactions::Hashes(block.transactions.clone())
        };
        let rpc = RpcBlock {
            header: RpcHeader {
                hash: block.hash,
                inner: block.header.clone(),
                total_difficulty: Some(U256::from(number.saturating_add(1))),
                size: Some(U256::from(block.size)),
            },
            uncles: Vec::new(),
            transactions,
            withdrawals: None,
        };
        to_json(&rpc)
    }

    /// Transaction count of a block, `null` if absent.
    ///
    /// # Errors
    /// None in practice.
    pub fn block_transaction_count(&self, id: BlockId) -> Result<Value, RpcError> {
        let number = match id {
            BlockId::Hash(h) => self.by_hash.get(&h.block_hash).copied(),
            BlockId::Number(BlockNumberOrTag::Number(n)) => Some(n),
            BlockId::Number(BlockNumberOrTag::Earliest) => Some(0),
            BlockId::Number(_) => Some(self.latest_number()),
        };
        Ok(number
            .and_then(|n| self.blocks.get(n as usize))
            .map(|b| hex_u64(b.transactions.len() as u64))
            .unwrap_or(Value::Null))
    }

    fn rpc_transaction(&self, hash: &B256) -> Option<RpcTransaction> {
        let tx = self.txs.get(hash)?;
        let block = self.blocks.get(tx.block_number as usize)?;
        Some(RpcTransaction {
            inner: alloy::consensus::transaction::Recovered::new_unchecked(tx.envelope(), tx.from),
            block_hash: Some(block.hash),
            block_number: Some(tx.block_number),
            transaction_index: Some(tx.index),
            effective_gas_price: Some(tx.effective_gas_price),
            block_timestamp: Some(block.header.timestamp),
        })
    }

    /// `eth_getTransactionByHash`: `null` if unknown.
    ///
    /// # Errors
    /// Serialization failures only.
    pub fn get_transaction(&self, hash: B256) -> Result<Value, RpcError> {
        match self.rpc_transaction(&hash) {
            Some(t) => to_json(&t),
            None => Ok(Value::Null),
        }
    }

    fn rpc_logs(&self, hash: &B256, tx: &StoredTx) -> Vec<RpcLog> {
        let block = &self.blocks[tx.block_number as usize];
        tx.logs
            .iter()
            .enumerate()
            .map(|(i, log)| RpcLog {
                inner: log.clone(),
                block_hash: Some(block.hash),
                block_number: Some(tx.block_number),
                block_timestamp: Some(block.header.timestamp),
                transaction_hash: Some(*hash),
                transaction_index: Some(tx.index),
                log_index: Some(tx.first_log_index.saturating_add(i as u64)),
                removed: false,
            })
            .collect()
    }

    /// `eth_getTransactionReceipt`: `null` if unknown.
    ///
    /// # Errors
    /// Serialization failures only.
    pub fn get_receipt(&self, hash: B256) -> Result<Value, RpcError> {
        let Some(tx) = self.txs.get(&hash) else {
            return Ok(Value::Null);
        };
        let envelope = tx.envelope();
        let block = &self.blocks[tx.block_number as usize];
        let logs = self.rpc_logs(&hash, tx);
        let receipt = TransactionReceipt {
            inner: receipt_envelope(envelope.ty(), tx, logs),
            transaction_hash: hash,
            transaction_index: Some(tx.index),
            block_hash: Some(block.hash),
            block_number: Some(tx.block_number),
            gas_used: tx.gas_used,
            effective_gas_price: tx.effective_gas_price,
            blob_gas_used: None,
            blob_gas_price: None,
            from: tx.from,
            to: envelope.to(),
            contract_address: tx.contract_address,
        };
        to_json(&receipt)
    }

    /// `eth_getLogs`.
    ///
    /// # Errors
    /// Unknown blocks, reversed or too wide ranges.
    pub fn get_logs(&self, filter: &Filter) -> Result<Value, RpcError> {
        let latest = self.latest_number();
        let number_of = |tag: Option<BlockNumberOrTag>| -> Result<u64, RpcError> {
            match tag {
                None
                | Some(
                    BlockNumberOrTag::Latest
                    | BlockNumberOrTag::Pending
                    | BlockNumberOrTag::Safe
                    | BlockNumberOrTag::Finalized,
                ) => Ok(latest),
                Some(BlockNumberOrTag::Earliest) => Ok(0),
                Some(BlockNumberOrTag::Number(n)) => Ok(n.min(latest)),
            }
        };
        let (from, to) = match &filter.block_option {
            FilterBlockOption::AtBlockHash(h) => {
                let n = *self
                    .by_hash
                    .get(h)
                    .ok_or_else(|| RpcError::server(format!("block {h} not found")))?;
                (n, n)
            }
            FilterBlockOption::Range {
                from_block,
                to_block,
            } => (number_of(*from_block)?, number_of(*to_block)?),
        };
        if from > to {
            return Err(RpcError::invalid_params(format!(
                "invalid block range: fromBlock {from} is after toBlock {to}"
            )));
        }
        if to - from >= MAX_LOG_RANGE {
            return Err(RpcError::server(format!(
                "block range too wide: at most {MAX_LOG_RANGE} blocks per eth_getLogs"
            )));
        }
        let mut out = Vec::new();
        for n in from..=to {
            let block = &self.blocks[n as usize];
            if block.header.logs_bloom == Bloom::ZERO {
                continue;
            }
            for hash in &block.transactions {
                let Some(tx) = self.txs.get(hash) else {
                    continue;
                };
                for log in self.rpc_logs(hash, tx) {
                    if filter.matches_address(log.address()) && filter.matches_topics(log.topics())
                    {
                        out.push(log);
                    }
                }
            }
        }
        to_json(&out)
    }

    /// `eth_gasPrice`: the fixed base fee.
    pub fn gas_price(&self) -> Value {
        hex_u64(BASE_FEE_WEI)
    }

    /// `eth_feeHistory`.
    ///
    /// # Errors
    /// Unknown newest block.
    pub fn fee_history(
        &self,
        count: u64,
        newest: BlockNumberOrTag,
        percentiles: Option<Vec<f64>>,
    ) -> Result<Value, RpcError> {
        let newest = match newest {
            BlockNumberOrTag::Number(n) => n.min(self.latest_number()),
            BlockNumberOrTag::Earliest => 0,
            _ => self.latest_number(),
        };
        let count = count.clamp(1, 1024).min(newest.saturating_add(1));
        let oldest = newest.saturating_add(1).saturating_sub(count);
        let blocks = &self.blocks[oldest as usize..=newest as usize];
        let history = FeeHistory {
            base_fee_per_gas: vec![u128::from(BASE_FEE_WEI); blocks.len().saturating_add(1)],
            gas_used_ratio: blocks
                .iter()
                .map(|b| b.header.gas_used as f64 / b.header.gas_limit as f64)
                .collect(),
            base_fee_per_blob_gas: Vec::new(),
            blob_gas_used_ratio: Vec::new(),
            oldest_block: oldest,
            reward: percentiles.map(|p| vec![vec![0u128; p.len()]; blocks.len()]),
        };
        to_json(&history)
    }

    fn call_request(&self, req: &TransactionRequest, default_gas: u64) -> TxRequest {
        let priced = req.gas_price.is_some() || req.max_fee_per_gas.is_some();
        TxRequest {
            from: req.from.unwrap_or_default(),
            to: match req.to {
                Some(TxKind::Call(a)) => Some(a),
                Some(TxKind::Create) | None => None,
            },
            value: req.value.unwrap_or_default(),
            data: req.input.input().cloned().unwrap_or_default(),
            gas_limit: req.gas.unwrap_or(default_gas).min(gas::MAX_TX_GAS),
            gas_price: if priced {
                U256::from(BASE_FEE_WEI)
            } else {
                U256::ZERO
            },
            nonce: None,
            access_list: access_list_of(req.access_list.as_ref()),
        }
    }

    /// `eth_call`: the return data, or code 3 with the revert data.
    ///
    /// # Errors
    /// Reverts, halts, rejected requests, unknown blocks.
    pub fn call(&self, req: &TransactionRequest, id: Option<BlockId>) -> Result<Value, RpcError> {
        let tx = self.call_request(req, gas::MAX_TX_GAS);
        let out = self.simulate(&tx, id)?;
        match out.status {
            ExitStatus::Success => to_json(&out.output),
            ExitStatus::Revert => Err(RpcError::reverted(&out.output)),
            ExitStatus::Halt(h) => Err(RpcError::server(h.to_string())),
        }
    }

    /// `eth_estimateGas`: the least gas limit with which the transaction
    /// succeeds (binary search over the deterministic gas model).
    ///
    /// # Errors
    /// Code 3 if it reverts even with the cap; -32000 if it halts.
    pub fn estimate_gas(
        &self,
        req: &TransactionRequest,
        id: Option<BlockId>,
    ) -> Result<Value, RpcError> {
        let id = id.or(Some(BlockId::Number(BlockNumberOrTag::Pending)));
        let cap_tx = self.call_request(req, gas::MAX_TX_GAS);
        let cap = cap_tx.gas_limit;
        let out = self.simulate(&cap_tx, id)?;
        match &out.status {
            ExitStatus::Success => {}
            ExitStatus::Revert => return Err(RpcError::reverted(&out.output)),
            ExitStatus::Halt(Halt::OutOfGas) => {
                return Err(RpcError::server(format!(
                    "gas required exceeds allowance ({cap})"
                )));
            }
            ExitStatus::Halt(h) => return Err(RpcError::server(h.to_string())),
        }
        let succeeds = |gas_limit: u64| {
            let tx = TxRequest {
                gas_limit,
                ..cap_tx.clone()
            };
            matches!(self.simulate(&tx, id), Ok(o) if o.status.is_success())
        };
        let used = out.gas_used;
        if succeeds(used) {
            return Ok(hex_u64(used));
        }
        let mut lo = used;
        let mut hi = cap;
        let optimistic = used.saturating_add(gas::CALL_STIPEND).saturating_mul(64) / 63;
        if optimistic < hi && succeeds(optimistic) {
            hi = optimistic;
        }
        while lo.saturating_add(1) < hi {
            let mid = lo + (hi - lo) / 2;
            if succeeds(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hex_u64(hi))
    }

    /// `eth_sendRawTransaction`: decodes, checks and mines the transaction
    /// in a new block; returns its hash.
    ///
    /// # Errors
    /// Malformed or unsupported transactions, wrong chain id, bad
    /// signature, fee below the base fee, nonce, funds, intrinsic gas,
    /// init code over 48 KiB.
    pub fn send_raw_transaction(&mut self, raw: &[u8]) -> Result<Value, RpcError> {
        let mut slice = raw;
        let envelope = TxEnvelope::decode_2718(&mut slice)
            .map_err(|e| RpcError::invalid_params(format!("invalid transaction: {e}")))?;
        if !slice.is_empty() {
            return Err(RpcError::invalid_params(
                "invalid transaction: trailing bytes",
            ));
        }
        let ty = envelope.ty();
        if !matches!(
            envelope,
            TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_)
        ) {
            return Err(RpcError::server(format!(
                "transaction type {ty} not supported: this chain accepts legacy (EIP-155), EIP-2930 and EIP-1559 transactions"
            )));
        }
        match envelope.chain_id() {
            None => {
                return Err(RpcError::server(
                    "only replay-protected (EIP-155) transactions allowed",
                ));
            }
            Some(id) if id != self.chain_id => {
                return Err(RpcError::server(format!(
                    "invalid chain id: transaction has {id}, this chain is {}",
                    self.chain_id
                )));
            }
            Some(_) => {}
        }
        let from = envelope
            .recover_signer()
            .map_err(|e| RpcError::server(format!("invalid signature: {e}")))?;
        let max_fee = envelope.max_fee_per_gas();
        if max_fee < u128::from(BASE_FEE_WEI) {
            return Err(RpcError::server(format!(
                "max fee per gas less than block base fee: address {from}, maxFeePerGas: {max_fee}, baseFee: {BASE_FEE_WEI}"
            )));
        }
        let have = self.engine.balance(from);
        let want = U256::from(envelope.gas_limit())
            .saturating_mul(U256::from(max_fee))
            .saturating_add(envelope.value());
        if have < want {
            return Err(RpcError::from_tx(TxError::InsufficientFunds { have, want }));
        }
        let hash = self.include(envelope, from)?;
        to_json(&hash)
    }

    /// `eth_sendTransaction` for a dev account: fills nonce, gas (estimate)
    /// and fees, signs with the account's key and sends it.
    ///
    /// # Errors
    /// Unknown sender, estimation failures, and those of
    /// [`Chain::send_raw_transaction`].
    pub fn send_transaction(&mut self, req: &TransactionRequest) -> Result<Value, RpcError> {
        let from = req
            .from
            .ok_or_else(|| RpcError::invalid_params("eth_sendTransaction needs `from`"))?;
        let account = self
            .accounts
            .iter()
            .find(|a| a.address == from)
            .cloned()
            .ok_or_else(|| {
                RpcError::server(format!(
                    "unknown account {from}: only dev accounts can use eth_sendTransaction"
                ))
            })?;
        let gas_limit = match req.gas {
            Some(g) => g,
            None => {
                let est = self.estimate_gas(req, None)?;
                parse_hex_u64(&est).ok_or_else(|| RpcError::internal("bad estimate"))?
            }
        };
        let nonce = req.nonce.unwrap_or_else(|| self.engine.nonce(from));
        let to = req.to.unwrap_or(TxKind::Create);
        let input = req.input.input().cloned().unwrap_or_default();
        let value = req.value.unwrap_or_default();
        let envelope = if let Some(gas_price) = req.gas_price {
            let tx = TxLegacy {
                chain_id: Some(self.chain_id),
                nonce,
                gas_price,
                gas_limit,
                to,
                value,
                input,
            };
            let sig = account
                .signer()
                .sign_hash_sync(&tx.signature_hash())
                .map_err(|e| RpcError::internal(e.to_string()))?;
            TxEnvelope::Legacy(tx.into_signed(sig))
        } else {
            let tx = TxEip1559 {
                chain_id: self.chain_id,
                nonce,
                gas_limit,
                max_fee_per_gas: req
                    .max_fee_per_gas
                    .unwrap_or(u128::from(BASE_FEE_WEI).saturating_mul(2)),
                max_priority_fee_per_gas: req.max_priority_fee_per_gas.unwrap_or(0),
                to,
                value,
                access_list: req.access_list.clone().unwrap_or_default(),
                input,
            };
            let sig = account
                .signer()
                .sign_hash_sync(&tx.signature_hash())
                .map_err(|e| RpcError::internal(e.to_string()))?;
            let signed: Signed<TxEip1559> = tx.into_signed(sig);
            TxEnvelope::Eip1559(signed)
        };
        let mut raw = Vec::new();
        envelope.encode_2718(&mut raw);
        self.send_raw_transaction(&raw)
    }

    /// `evm_increaseTime`: moves the clock forward; returns the total offset (seconds).
    pub fn increase_time(&mut self, seconds: i64) -> Value {
        self.time_offset = self.time_offset.saturating_add(seconds);
        if let Some(ts) = self.next_timestamp.as_mut() {
            *ts = ts.saturating_add_signed(seconds);
        }
        json!(self.time_offset)
    }

    /// `evm_setNextBlockTimestamp` / `anvil_setNextBlockTimestamp`.
    ///
    /// # Errors
    /// A timestamp not after the latest block's.
    pub fn set_next_block_timestamp(&mut self, ts: u64) -> Result<Value, RpcError> {
        self.set_next_timestamp(ts)?;
        Ok(Value::Null)
    }

    /// `evm_snapshot`: the id of a snapshot of the whole chain.
    pub fn snapshot(&mut self) -> Value {
        self.snapshots.push(Snapshot {
            world: self.engine.world(),
            blocks: self.blocks.len(),
            time_offset: self.time_offset,
            next_timestamp: self.next_timestamp,
        });
        hex_u64(self.snapshots.len() as u64)
    }

    /// `evm_revert`: returns to snapshot `id` (and drops it and later ones);
    /// `false` if there is no such snapshot.
    pub fn revert(&mut self, id: u64) -> Value {
        let Some(index) = id.checked_sub(1).map(|i| i as usize) else {
            return Value::Bool(false);
        };
        if index >= self.snapshots.len() {
            return Value::Bool(false);
        }
        let snap = self.snapshots.split_off(index).swap_remove(0);
        for block in self.blocks.drain(snap.blocks..) {
            self.by_hash.remove(&block.hash);
            for h in block.transactions {
                self.txs.remove(&h);
            }
        }
        let latest = self.latest_number();
        self.history.retain(|(n, _)| *n <= latest);
        self.engine.set_world(snap.world);
        self.time_offset = snap.time_offset;
        self.next_timestamp = snap.next_timestamp;
        if let Err(e) = self.save() {
            tracing::error!("cannot save the state file: {e}");
        }
        Value::Bool(true)
    }

    /// `anvil_setBalance` (dev convenience, outside any block).
    pub fn set_balance(&mut self, address: Address, balance: U256) -> Value {
        self.engine.set_balance(address, balance);
        if let Some((_, w)) = self.history.back_mut() {
            w.accounts.entry(address).or_default().balance = balance;
        }
        Value::Null
    }
}

fn parse_hex_u64(v: &Value) -> Option<u64> {
    v.as_str()
        .and_then(|s| s.strip_prefix("0x"))
        .and_then(|s| u64::from_str_radix(s, 16).ok())
}

fn access_list_of(list: Option<&AccessList>) -> Vec<(Address, Vec<B256>)> {
    list.map(|l| {
        l.0.iter()
            .map(|item| (item.address, item.storage_keys.clone()))
            .collect()
    })
    .unwrap_or_default()
}

fn request_of(envelope: &TxEnvelope, from: Address) -> TxRequest {
    TxRequest {
        from,
        to: envelope.to(),
        value: envelope.value(),
        data: envelope.input().clone(),
        gas_limit: envelope.gas_limit(),
        // Arbitrum charges the base fee; priority fees are not paid.
        gas_price: U256::from(BASE_FEE_WEI),
        nonce: Some(envelope.nonce()),
        access_list: access_list_of(envelope.access_list()),
    }
}

fn receipt_envelope<L>(ty: u8, tx: &StoredTx, logs: Vec<L>) -> ReceiptEnvelope<L> {
    let receipt = ReceiptWithBloom {
        receipt: Receipt {
            status: Eip658Value::Eip658(tx.success),
            cumulative_gas_used: tx.cumulative_gas_used,
            logs,
        },
        logs_bloom: logs_bloom(tx.logs.iter()),
    };
    match ty {
        1 => ReceiptEnvelope::Eip2930(receipt),
        2 => ReceiptEnvelope::Eip1559(receipt),
        _ => ReceiptEnvelope::Legacy(receipt),
    }
}

fn log_outcome(hash: B256, out: &TxOutcome) {
    match &out.status {
        ExitStatus::Success => tracing::info!(%hash, gas = out.gas_used, "transaction succeeded"),
        ExitStatus::Revert => tracing::info!(
            %hash,
            gas = out.gas_used,
            data = %alloy::primitives::hex::encode_prefixed(&out.output),
            "transaction reverted"
        ),
        ExitStatus::Halt(h) => tracing::info!(%hash, gas = out.gas_used, "transaction failed: {h}"),
    }
}
