//! The execution engine of the local chain, without networking.
//!
//! One engine executes every call frame: it owns the world state, the
//! journal (a failed frame's changes are undone, including storage a program
//! flushed before reverting), call frames with EVM semantics (call, static
//! call, delegate call, value transfer, depth limit 1024), reentrancy as on
//! Nitro, logs, return data, create1/create2 and the gas model of
//! [`gas`]. A frame's code runs in one of several executors:
//!
//! - the wasm executor ([`wasm`]): Stylus programs activated through ArbWasm;
//! - the EVM executor ([`evm`]): revm's interpreter with the frame as its
//!   host, for EVM bytecode and init code, and the standard precompiles
//!   `0x01..=0x0a`;
//! - native handlers ([`NativeProgram`]) installed at fixed addresses: the
//!   ArbWasm precompile at `0x71`, the StylusDeployer, ArbSys at `0x64`;
//! - native handlers registered by code hash: `il-testkit` runs natively
//!   compiled contracts this way.
//!
//! Every executor reaches the chain through the same [`Frame`] and journal,
//! so calls, state, access sets, transient storage, refunds and logs exist
//! once, whichever VM runs a frame.
//!
//! The engine is single-threaded (`Rc`/`RefCell`): the JSON-RPC node runs it
//! on one thread and serialises requests to it.

pub mod arbsys;
pub mod arbwasm;
pub mod deployer;
pub mod evm;
mod frame;
pub mod gas;
pub mod state;
pub mod wasm;

use std::{
    cell::{Ref, RefCell, RefMut},
    collections::HashMap,
    rc::Rc,
};

use alloy::primitives::{Address, B256, Bytes, Log, U256, address};
use alloy::sol_types::SolError;
use serde::{Deserialize, Serialize};

pub use frame::{CallKind, Frame};
pub use state::{Account, Checkpoint, ProgramInfo, WorldState};

use state::Journaled;

/// Deepest call stack: a call at depth 1025 fails.
pub const MAX_CALL_DEPTH: u32 = 1024;
/// Stylus version this chain activates programs against.
pub const STYLUS_VERSION: u16 = 2;
/// The chain id of a Nitro dev node, used by default.
pub const DEFAULT_CHAIN_ID: u64 = 412_346;
/// Fixed base fee: 0.1 gwei, Arbitrum's minimum.
pub const BASE_FEE_WEI: u64 = 100_000_000;
/// Block gas limit reported in headers (Arbitrum's value, 2^50).
pub const BLOCK_GAS_LIMIT: u64 = 1_125_899_906_842_624;
/// Coinbase of every block: Arbitrum's sequencer address.
pub const COINBASE: Address = address!("0xA4B000000000000000000073657175656e636572");
/// Code placed at precompile and native-handler addresses so `extcodesize`
/// is non-zero (Nitro does the same with `0xfe`). It never executes.
pub const PRECOMPILE_CODE: [u8; 1] = [0xfe];

/// Ethereum mainnet's first proof-of-stake block (the Merge)...
const L1_ANCHOR_NUMBER: u64 = 15_537_394;
/// ...and its timestamp, seconds; 12 s per L1 block since.
const L1_ANCHOR_TIMESTAMP: u64 = 1_663_224_179;
/// Seconds per L1 block.
pub const L1_BLOCK_SECONDS: u64 = 12;

/// The L1 block number this chain reports for a block at `timestamp`
/// (seconds): Ethereum mainnet's, estimated from the time at one block per
/// 12 s since the Merge (block 15,537,394 at 1,663,224,179), so it has the
/// magnitude Arbitrum One gives. Monotone in the timestamp; several L2 blocks
/// share one L1 number, as on Arbitrum. Saturates at 0 for very old times.
pub fn l1_block_number(timestamp: u64) -> u64 {
    if timestamp >= L1_ANCHOR_TIMESTAMP {
        L1_ANCHOR_NUMBER.saturating_add((timestamp - L1_ANCHOR_TIMESTAMP) / L1_BLOCK_SECONDS)
    } else {
        L1_ANCHOR_NUMBER
            .saturating_sub((L1_ANCHOR_TIMESTAMP - timestamp).div_ceil(L1_BLOCK_SECONDS))
    }
}

/// Block values visible to programs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockEnv {
    /// L2 block number (what `eth_blockNumber` and ArbSys `arbBlockNumber()`
    /// return; programs' `block.number` is [`BlockEnv::l1_block_number`]).
    pub number: u64,
    /// Unix timestamp, seconds.
    pub timestamp: u64,
    /// Base fee, wei per gas.
    pub basefee: U256,
    /// Coinbase.
    pub coinbase: Address,
    /// Gas limit.
    pub gas_limit: u64,
}

impl BlockEnv {
    /// `block.number` as programs in either VM see it on Arbitrum: the L1
    /// block number estimate of [`l1_block_number`] for this block's timestamp.
    pub fn l1_block_number(&self) -> u64 {
        l1_block_number(self.timestamp)
    }
}

impl Default for BlockEnv {
    fn default() -> Self {
        Self {
            number: 0,
            timestamp: 0,
            basefee: U256::from(BASE_FEE_WEI),
            coinbase: COINBASE,
            gas_limit: BLOCK_GAS_LIMIT,
        }
    }
}

/// Transaction values visible to programs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxEnv {
    /// `tx.origin`.
    pub origin: Address,
    /// `tx.gasprice`, wei.
    pub gas_price: U256,
}

/// Why a frame stopped exceptionally. Its state changes are undone and all
/// its gas is consumed (except [`Halt::DepthLimit`] and
/// [`Halt::InsufficientBalance`], which fail before the frame starts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Halt {
    /// Gas (ink) ran out.
    #[error("out of gas")]
    OutOfGas,
    /// A storage write, log, value transfer or creation in a static call.
    #[error("write protection: state change in a static call")]
    WriteProtection,
    /// The program trapped (panic/`unreachable`, out-of-bounds memory, ...).
    #[error("program trapped: {0}")]
    Trap(String),
    /// The call would exceed depth 1024.
    #[error("call depth limit of {MAX_CALL_DEPTH} exceeded")]
    DepthLimit,
    /// The caller cannot pay the value.
    #[error("insufficient balance for transfer")]
    InsufficientBalance,
    /// CREATE/CREATE2 target already has code or a nonce.
    #[error("contract address collision")]
    Collision,
    /// Deployed code over 24 KiB (EIP-170).
    #[error("max code size exceeded: {0} bytes, limit {max}", max = evm::MAX_CODE_SIZE)]
    CodeTooLarge(usize),
    /// The EVM met an opcode this spec does not define (or `INVALID`, 0xfe).
    #[error("invalid opcode: opcode 0x{0:02x} not defined")]
    InvalidOpcode(u8),
    /// Another EVM exception (bad jump, stack under/overflow, EIP-3541 code,
    /// a failed precompile...), with geth's wording where it has one.
    #[error("{0}")]
    Evm(String),
}

/// How a frame ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExitStatus {
    /// Returned normally; state kept.
    Success,
    /// Reverted with data; state undone, unused gas returned.
    Revert,
    /// Stopped exceptionally; state undone.
    Halt(Halt),
}

impl ExitStatus {
    /// True for [`ExitStatus::Success`].
    pub fn is_success(&self) -> bool {
        matches!(self, ExitStatus::Success)
    }
}

/// What a call frame produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallResult {
    /// How it ended.
    pub status: ExitStatus,
    /// Return data (success) or revert data (revert); empty on halt.
    pub output: Vec<u8>,
    /// Gas left to return to the caller.
    pub gas_left: u64,
}

/// What an executor reports for a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramExit {
    /// Success with return data.
    Return(Vec<u8>),
    /// Revert with data.
    Revert(Vec<u8>),
    /// Exceptional stop.
    Halt(Halt),
}

/// Code executed natively on a [`Frame`]: precompiles, the StylusDeployer,
/// and `il-testkit`'s natively compiled contracts.
pub trait NativeProgram {
    /// Runs one call frame. Use the frame's methods for every effect (they
    /// charge gas and journal state); return how the frame ended.
    fn run(&self, frame: &mut Frame) -> ProgramExit;
}

/// One call: who calls whom, with what, in which context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Kind of call (affects only bookkeeping; the fields below carry the semantics).
    pub kind: CallKind,
    /// `msg.sender` seen by the code.
    pub caller: Address,
    /// Acting address: whose storage, balance and `contract_address`.
    pub address: Address,
    /// Whose code runs (differs from `address` for delegate calls).
    pub code_address: Address,
    /// `msg.value` seen by the code.
    pub value: U256,
    /// Move `value` from `caller` to `address` before running.
    pub transfer: bool,
    /// Calldata.
    pub input: Vec<u8>,
    /// Gas the frame may use.
    pub gas: u64,
    /// Depth of this frame (the transaction's frame is 0).
    pub depth: u32,
    /// Static context: no storage writes, logs, value or creations.
    pub is_static: bool,
}

/// A transaction (or `eth_call`) for [`Engine::transact`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxRequest {
    /// Sender.
    pub from: Address,
    /// Recipient, or `None` to create a contract from `data`.
    pub to: Option<Address>,
    /// Value in wei.
    pub value: U256,
    /// Calldata or init code.
    pub data: Bytes,
    /// Gas limit.
    pub gas_limit: u64,
    /// Effective gas price charged per gas, wei.
    pub gas_price: U256,
    /// Expected sender nonce; checked when `Some`.
    pub nonce: Option<u64>,
    /// EIP-2930 access list: warmed addresses and slots.
    pub access_list: Vec<(Address, Vec<B256>)>,
}

/// Result of [`Engine::transact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxOutcome {
    /// How the transaction's frame ended.
    pub status: ExitStatus,
    /// Return or revert data.
    pub output: Bytes,
    /// Gas used, intrinsic included.
    pub gas_used: u64,
    /// Logs (empty unless successful).
    pub logs: Vec<Log>,
    /// Address created by a successful creation transaction.
    pub contract_address: Option<Address>,
}

/// A transaction that cannot be included at all (it is rejected, not mined).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// Nonce below the account's.
    #[error("nonce too low: next nonce {expected}, tx nonce {got}")]
    NonceTooLow {
        /// Account nonce.
        expected: u64,
        /// Transaction nonce.
        got: u64,
    },
    /// Nonce above the account's (this chain mines immediately and keeps no queue).
    #[error("nonce too high: next nonce {expected}, tx nonce {got}")]
    NonceTooHigh {
        /// Account nonce.
        expected: u64,
        /// Transaction nonce.
        got: u64,
    },
    /// Balance below gas limit x price + value.
    #[error("insufficient funds for gas * price + value: have {have} want {want}")]
    InsufficientFunds {
        /// Balance.
        have: U256,
        /// Needed.
        want: U256,
    },
    /// Gas limit below the intrinsic gas.
    #[error("intrinsic gas too low: have {have}, want {want}")]
    IntrinsicGasTooLow {
        /// Gas limit.
        have: u64,
        /// Intrinsic gas.
        want: u64,
    },
    /// Gas limit above the per-transaction cap.
    #[error("exceeds block gas limit: gas {have}, cap {cap}", cap = gas::MAX_TX_GAS)]
    GasLimitTooHigh {
        /// Gas limit.
        have: u64,
    },
    /// Creation init code over 48 KiB (EIP-3860).
    #[error("max initcode size exceeded: code size {size} limit {max}", max = evm::MAX_INITCODE_SIZE)]
    InitCodeTooLarge {
        /// Init code bytes.
        size: usize,
    },
}

alloy::sol! {
    /// Errors ArbWasm uses when a program cannot run.
    error ProgramNotWasm();
    error ProgramNotActivated();
    error ProgramNeedsUpgrade(uint16 version, uint16 stylusVersion);
    error ProgramExpired(uint64 ageInSeconds);
}

struct Inner {
    chain_id: u64,
    state: RefCell<Journaled>,
    block: RefCell<BlockEnv>,
    tx: RefCell<TxEnv>,
    wasm: wasm::WasmRuntime,
    evm: evm::EvmRuntime,
    natives: RefCell<HashMap<B256, Rc<dyn NativeProgram>>>,
    precompiles: HashMap<Address, Rc<dyn NativeProgram>>,
}

/// A handle to the engine (cheap to clone; single-threaded).
#[derive(Clone)]
pub struct Engine(Rc<Inner>);

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("chain_id", &self.0.chain_id)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// The Nitro activation rules this chain models (default: not debug,
    /// ArbOS 51); see `il_wasm::activation`.
    pub fn set_activation_rules(&self, rules: il_wasm::activation::Rules) {
        self.0.wasm.set_rules(rules);
    }

    /// The ArbOS version the chain models.
    pub fn arbos_version(&self) -> u64 {
        self.0.wasm.rules().arbos_version
    }

    /// A new engine over `world` with the ArbWasm, StylusDeployer and ArbSys
    /// handlers installed (and `0xfe` marker code at their addresses).
    pub fn new(chain_id: u64, world: WorldState) -> Self {
        let mut precompiles: HashMap<Address, Rc<dyn NativeProgram>> = HashMap::new();
        precompiles.insert(arbwasm::ADDRESS, Rc::new(arbwasm::ArbWasm));
        precompiles.insert(deployer::ADDRESS, Rc::new(deployer::StylusDeployer));
        precompiles.insert(arbsys::ADDRESS, Rc::new(arbsys::ArbSys));
        let engine = Self(Rc::new(Inner {
            chain_id,
            state: RefCell::new(Journaled::new(world)),
            block: RefCell::new(BlockEnv::default()),
            tx: RefCell::new(TxEnv::default()),
            wasm: wasm::WasmRuntime::new(),
            evm: evm::EvmRuntime::new(),
            natives: RefCell::new(HashMap::new()),
            precompiles,
        }));
        {
            let mut st = engine.state_mut();
            for address in engine.0.precompiles.keys() {
                let account = st.world.accounts.entry(*address).or_default();
                if account.code().is_empty() {
                    account.set_code(Bytes::from_static(&PRECOMPILE_CODE));
                    account.nonce = account.nonce.max(1);
                }
            }
        }
        engine
    }

    /// The chain id programs see.
    pub fn chain_id(&self) -> u64 {
        self.0.chain_id
    }

    pub(crate) fn state(&self) -> Ref<'_, Journaled> {
        self.0.state.borrow()
    }

    pub(crate) fn state_mut(&self) -> RefMut<'_, Journaled> {
        self.0.state.borrow_mut()
    }

    /// The wasm runtime (compiled-module cache, profiling timings).
    pub fn wasm(&self) -> &wasm::WasmRuntime {
        &self.0.wasm
    }

    /// The EVM runtime (analysed-bytecode cache, standard precompiles).
    pub fn evm(&self) -> &evm::EvmRuntime {
        &self.0.evm
    }

    /// ArbWasm's data pricer as it stands.
    pub fn data_pricer(&self) -> gas::DataPricer {
        self.state().world.data_pricer
    }

    /// A copy of the world state (accounts, storage, activations).
    pub fn world(&self) -> WorldState {
        self.state().world.clone()
    }

    /// Replaces the world state (used by `evm_revert` and test snapshots).
    /// Compiled modules stay cached by code hash.
    pub fn set_world(&self, world: WorldState) {
        let mut st = self.state_mut();
        *st = Journaled::new(world);
    }

    /// Runs `f` on the current world state without copying it.
    pub fn with_world<R>(&self, f: impl FnOnce(&WorldState) -> R) -> R {
        f(&self.state().world)
    }

    /// Swaps in `world` and returns the previous one (used to execute at a
    /// past block's state and then swap back).
    pub fn replace_world(&self, world: WorldState) -> WorldState {
        let mut st = self.state_mut();
        let previous = std::mem::replace(&mut st.world, world);
        st.begin_tx();
        previous
    }

    /// Merkle-Patricia root of the current state.
    pub fn state_root(&self) -> B256 {
        self.state().world.state_root()
    }

    /// The account at `address` (default if absent).
    pub fn account(&self, address: Address) -> Account {
        self.state().world.account(&address)
    }

    /// Balance of `address`, wei.
    pub fn balance(&self, address: Address) -> U256 {
        self.account(address).balance
    }

    /// Nonce of `address`.
    pub fn nonce(&self, address: Address) -> u64 {
        self.account(address).nonce
    }

    /// Code of `address`.
    pub fn code(&self, address: Address) -> Bytes {
        self.account(address).code().clone()
    }

    /// Storage of `address` at `key`.
    pub fn storage(&self, address: Address, key: U256) -> B256 {
        self.state().storage(address, key)
    }

    /// Activation record of `code_hash`, if activated.
    pub fn program(&self, code_hash: B256) -> Option<ProgramInfo> {
        self.state().world.programs.get(&code_hash).cloned()
    }

    /// Sets a balance outside any transaction (genesis, tests). Not journaled.
    pub fn set_balance(&self, address: Address, balance: U256) {
        self.state_mut()
            .world
            .accounts
            .entry(address)
            .or_default()
            .balance = balance;
    }

    /// Sets account code outside any transaction (tests, `il-testkit`). Not journaled.
    pub fn set_code(&self, address: Address, code: Bytes) {
        let mut st = self.state_mut();
        let account = st.world.accounts.entry(address).or_default();
        account.set_code(code);
        account.nonce = account.nonce.max(1);
    }

    /// The block values programs see.
    pub fn block_env(&self) -> BlockEnv {
        self.0.block.borrow().clone()
    }

    /// Sets the block values for the next executions.
    pub fn set_block_env(&self, env: BlockEnv) {
        *self.0.block.borrow_mut() = env;
    }

    pub(crate) fn tx_env(&self) -> TxEnv {
        self.0.tx.borrow().clone()
    }

    /// Runs code with hash `code_hash` natively with `program` instead of
    /// wasm. Such code counts as activated at the current Stylus version
    /// (ArbWasm and the StylusDeployer see it as active). Used by `il-testkit`.
    pub fn register_native(&self, code_hash: B256, program: Rc<dyn NativeProgram>) {
        self.0.natives.borrow_mut().insert(code_hash, program);
    }

    /// Executes one call frame (and everything it calls). The caller has
    /// already paid for `msg.gas`; `gas_left` of the result is returned to it.
    pub fn call(&self, msg: Message) -> CallResult {
        if msg.depth > MAX_CALL_DEPTH {
            return CallResult {
                status: ExitStatus::Halt(Halt::DepthLimit),
                output: Vec::new(),
                gas_left: msg.gas,
            };
        }
        let cp = self.state().checkpoint();
        if msg.transfer && !msg.value.is_zero() {
            if msg.is_static {
                return halted(Halt::WriteProtection);
            }
            if !self
                .state_mut()
                .transfer(msg.caller, msg.address, msg.value)
            {
                return CallResult {
                    status: ExitStatus::Halt(Halt::InsufficientBalance),
                    output: Vec::new(),
                    gas_left: msg.gas,
                };
            }
        }
        let acting = msg.address;
        let reentrant = self.state_mut().enter(acting);
        let mut frame = Frame::new(self.clone(), msg, reentrant);
        let exit = self.dispatch(&mut frame);
        self.state_mut().leave(acting);
        self.finish(cp, exit, frame.gas_left())
    }

    fn finish(&self, cp: Checkpoint, exit: ProgramExit, gas_left: u64) -> CallResult {
        match exit {
            ProgramExit::Return(output) => CallResult {
                status: ExitStatus::Success,
                output,
                gas_left,
            },
            ProgramExit::Revert(output) => {
                self.state_mut().revert_to(cp);
                CallResult {
                    status: ExitStatus::Revert,
                    output,
                    gas_left,
                }
            }
            ProgramExit::Halt(h) => {
                self.state_mut().revert_to(cp);
                halted(h)
            }
        }
    }

    fn dispatch(&self, frame: &mut Frame) -> ProgramExit {
        let code_address = frame.code_address();
        if let Some(p) = self.0.precompiles.get(&code_address) {
            return p.run(frame);
        }
        if self.0.evm.is_precompile(&code_address) {
            return self.0.evm.run_precompile(frame);
        }
        let account = self.account(code_address);
        if account.code().is_empty() {
            return ProgramExit::Return(Vec::new());
        }
        let code_hash = account.code_hash();
        if !il_wasm::is_stylus_code(account.code()) {
            return self.0.evm.run(frame, code_hash, account.code());
        }
        let native = self.0.natives.borrow().get(&code_hash).cloned();
        if let Some(native) = native {
            return native.run(frame);
        }
        match self.runnable_program(code_hash) {
            Ok(info) => self.0.wasm.run(frame, code_hash, account.code(), &info),
            Err(revert) => ProgramExit::Revert(revert),
        }
    }

    /// The activation record if `code_hash` may run now, else the ABI-encoded
    /// ArbWasm error a call reverts with.
    ///
    /// # Errors
    /// The revert data: `ProgramNotActivated()`, `ProgramNeedsUpgrade(..)` or `ProgramExpired(..)`.
    pub fn runnable_program(&self, code_hash: B256) -> Result<ProgramInfo, Vec<u8>> {
        if self.0.natives.borrow().contains_key(&code_hash) {
            // natively executed code needs no activation: always current
            return Ok(ProgramInfo {
                version: STYLUS_VERSION,
                module_hash: code_hash,
                activated_at: self.block_env().timestamp,
                footprint: 0,
                init_gas: 0,
                cached_gas: 0,
                asm_size: 0,
            });
        }
        let info = self
            .program(code_hash)
            .ok_or_else(|| ProgramNotActivated {}.abi_encode())?;
        if info.version != STYLUS_VERSION {
            return Err(ProgramNeedsUpgrade {
                version: info.version,
                stylusVersion: STYLUS_VERSION,
            }
            .abi_encode());
        }
        let age = self.block_env().timestamp.saturating_sub(info.activated_at);
        if age > arbwasm::EXPIRY_SECONDS {
            return Err(ProgramExpired { ageInSeconds: age }.abi_encode());
        }
        Ok(info)
    }

    /// CREATE (`salt` = `None`) or CREATE2 from `caller`, with `value` as
    /// endowment: bumps the caller's nonce, creates the account (nonce 1,
    /// the value moved) and runs `initcode` in the EVM; its output becomes
    /// the account's code (at most 24 KiB, 200 gas per byte, not starting
    /// with `0xEF` unless it is Stylus code `0xEFF000...`, as Nitro allows).
    /// Returns the frame result (revert data on a revert) and, on success,
    /// the new address.
    pub fn create(
        &self,
        caller: Address,
        value: U256,
        initcode: &[u8],
        salt: Option<B256>,
        gas: u64,
        depth: u32,
    ) -> (CallResult, Option<Address>) {
        let refused = |h: Halt| {
            let r = CallResult {
                status: ExitStatus::Halt(h),
                output: Vec::new(),
                gas_left: gas,
            };
            (r, None)
        };
        if depth > MAX_CALL_DEPTH {
            return refused(Halt::DepthLimit);
        }
        if self.balance(caller) < value {
            return refused(Halt::InsufficientBalance);
        }
        let nonce = self.nonce(caller);
        if nonce == u64::MAX {
            return refused(Halt::Evm("nonce overflow".to_string()));
        }
        self.state_mut()
            .modify_account(caller, |a| a.nonce = nonce.saturating_add(1));
        if initcode.len() > evm::MAX_INITCODE_SIZE {
            return (
                halted(Halt::Evm(format!(
                    "max initcode size exceeded: code size {} limit {}",
                    initcode.len(),
                    evm::MAX_INITCODE_SIZE
                ))),
                None,
            );
        }
        let address = match salt {
            Some(salt) => caller.create2(salt, alloy::primitives::keccak256(initcode)),
            None => caller.create(nonce),
        };
        self.state_mut().touch_account(address);
        let cp = self.state().checkpoint();
        let target = self.account(address);
        if !target.code().is_empty() || target.nonce != 0 {
            return (halted(Halt::Collision), None);
        }
        {
            let mut st = self.state_mut();
            st.mark_created(address);
            st.modify_account(address, |a| a.nonce = 1);
            if !st.transfer(caller, address, value) {
                st.revert_to(cp);
                drop(st);
                return refused(Halt::InsufficientBalance);
            }
        }
        let reentrant = self.state_mut().enter(address);
        let msg = Message {
            kind: CallKind::Call,
            caller,
            address,
            code_address: address,
            value,
            transfer: false,
            input: Vec::new(),
            gas,
            depth,
            is_static: false,
        };
        let mut frame = Frame::new(self.clone(), msg, reentrant);
        let exit = self
            .0
            .evm
            .run_initcode(&mut frame, Bytes::copy_from_slice(initcode));
        self.state_mut().leave(address);
        let gas_left = frame.gas_left();
        let exit = match exit {
            ProgramExit::Return(code) => match self.deposit_code(address, code, gas_left) {
                Ok(gas_left) => {
                    let r = CallResult {
                        status: ExitStatus::Success,
                        output: Vec::new(),
                        gas_left,
                    };
                    return (r, Some(address));
                }
                Err(h) => ProgramExit::Halt(h),
            },
            other => other,
        };
        (self.finish(cp, exit, gas_left), None)
    }

    /// Checks and stores the code a creation returned; the gas left after
    /// the 200 per byte deposit.
    fn deposit_code(&self, address: Address, code: Vec<u8>, gas_left: u64) -> Result<u64, Halt> {
        if code.len() > evm::MAX_CODE_SIZE {
            return Err(Halt::CodeTooLarge(code.len()));
        }
        if code.first() == Some(&0xEF) && !il_wasm::is_stylus_code(&code) {
            return Err(Halt::Evm(
                "invalid code: must not begin with 0xef (EIP-3541; Stylus code 0xEFF000 excepted)"
                    .to_string(),
            ));
        }
        let cost = (code.len() as u64).saturating_mul(gas::CODE_DEPOSIT_GAS);
        let gas_left = gas_left.checked_sub(cost).ok_or(Halt::OutOfGas)?;
        if !code.is_empty() {
            self.state_mut()
                .modify_account(address, |a| a.set_code(Bytes::from(code)));
        }
        Ok(gas_left)
    }

    /// Executes a transaction: checks nonce, funds, intrinsic gas and init
    /// code size, buys gas at `tx.gas_price`, warms the sender, recipient,
    /// coinbase, precompiles and access list, runs the call or creation,
    /// applies the EIP-3529 refund (the counter EVM `SSTORE`s built, at most
    /// a fifth of the gas used), deletes accounts self-destructed in the
    /// transaction they were created in (EIP-6780) and returns unused gas.
    /// The base fee is burned.
    /// With `commit = false` (eth_call, estimates) every change is undone.
    ///
    /// # Errors
    /// [`TxError`] when the transaction cannot be included at all.
    pub fn transact(&self, tx: &TxRequest, commit: bool) -> Result<TxOutcome, TxError> {
        let is_create = tx.to.is_none();
        let slots: usize = tx.access_list.iter().map(|(_, s)| s.len()).sum();
        let intrinsic = gas::intrinsic_gas(
            &tx.data,
            is_create,
            tx.access_list.len() as u64,
            slots as u64,
        );
        if tx.gas_limit > gas::MAX_TX_GAS {
            return Err(TxError::GasLimitTooHigh { have: tx.gas_limit });
        }
        if tx.gas_limit < intrinsic {
            return Err(TxError::IntrinsicGasTooLow {
                have: tx.gas_limit,
                want: intrinsic,
            });
        }
        let sender = self.account(tx.from);
        if let Some(nonce) = tx.nonce {
            if nonce < sender.nonce {
                return Err(TxError::NonceTooLow {
                    expected: sender.nonce,
                    got: nonce,
                });
            }
            if nonce > sender.nonce {
                return Err(TxError::NonceTooHigh {
                    expected: sender.nonce,
                    got: nonce,
                });
            }
        }
        let gas_cost = U256::from(tx.gas_limit).saturating_mul(tx.gas_price);
        let want = gas_cost.saturating_add(tx.value);
        if sender.balance < want {
            return Err(TxError::InsufficientFunds {
                have: sender.balance,
                want,
            });
        }
        if is_create && tx.data.len() > evm::MAX_INITCODE_SIZE {
            return Err(TxError::InitCodeTooLarge {
                size: tx.data.len(),
            });
        }

        {
            let mut st = self.state_mut();
            st.begin_tx();
            st.touch_account(tx.from);
            if let Some(to) = tx.to {
                st.touch_account(to);
            }
            // EIP-3651 (coinbase) and EIP-2929 (precompiles; on Arbitrum
            // its own precompiles too)
            st.touch_account(COINBASE);
            for address in self.0.evm.precompile_addresses() {
                st.touch_account(address);
            }
            for address in [arbsys::ADDRESS, arbwasm::ADDRESS] {
                st.touch_account(address);
            }
            for (address, keys) in &tx.access_list {
                st.touch_account(*address);
                for key in keys {
                    st.touch_slot(*address, U256::from_be_bytes(key.0));
                }
            }
        }
        *self.0.tx.borrow_mut() = TxEnv {
            origin: tx.from,
            gas_price: tx.gas_price,
        };
        let start = self.state().checkpoint();
        self.state_mut().sub_balance(tx.from, gas_cost);
        let gas = tx.gas_limit.saturating_sub(intrinsic);
        let (result, created) = match tx.to {
            Some(to) => {
                self.state_mut()
                    .modify_account(tx.from, |a| a.nonce = a.nonce.saturating_add(1));
                let r = self.call(Message {
                    kind: CallKind::Call,
                    caller: tx.from,
                    address: to,
                    code_address: to,
                    value: tx.value,
                    transfer: true,
                    input: tx.data.to_vec(),
                    gas,
                    depth: 0,
                    is_static: false,
                });
                (r, None)
            }
            None => self.create(tx.from, tx.value, &tx.data, None, gas, 0),
        };
        let spent = tx.gas_limit.saturating_sub(result.gas_left);
        let counter = u64::try_from(self.state().refund()).unwrap_or(0);
        let gas_left = result
            .gas_left
            .saturating_add(counter.min(spent / gas::MAX_REFUND_QUOTIENT));
        let gas_used = tx.gas_limit.saturating_sub(gas_left);
        self.state_mut().delete_destructed();
        let refund = U256::from(gas_left).saturating_mul(tx.gas_price);
        self.state_mut().add_balance(tx.from, refund);
        let logs = if result.status.is_success() {
            self.state_mut().take_logs()
        } else {
            Vec::new()
        };
        if !commit {
            self.state_mut().revert_to(start);
        }
        Ok(TxOutcome {
            status: result.status,
            output: result.output.into(),
            gas_used,
            logs,
            contract_address: created,
        })
    }
}

fn halted(h: Halt) -> CallResult {
    CallResult {
        status: ExitStatus::Halt(h),
        output: Vec::new(),
        gas_left: 0,
    }
}
