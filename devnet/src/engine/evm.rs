//! The EVM executor: revm's interpreter (`revm-interpreter`) with the
//! engine's [`Frame`] as its `Host`, and the standard precompiles from
//! `revm-precompile`.
//!
//! Everything the interpreter does to the chain goes through the engine's
//! one journaled state: storage, balances, logs, warm/cold access sets,
//! transient storage, the refund counter, self-destructs. When the
//! interpreter stops for a nested CALL or CREATE
//! (`InterpreterAction::NewFrame`), the call runs through [`Engine::call`] /
//! [`Engine::create`] (which dispatch to wasm, a native handler or the EVM
//! again), and its outcome is fed back into the interpreter before it resumes,
//! as revm's own handler does. Analysed bytecode (jump tables) is cached by
//! code hash.
//!
//! Spec: Cancun, as Arbitrum runs it. Gas is exactly what revm computes;
//! block values are this chain's (see [`super::BlockEnv`]): `NUMBER` is the
//! L1 block estimate, `PREVRANDAO`/`DIFFICULTY` 1, no blobs.

use std::{borrow::Cow, cell::RefCell, collections::HashMap};

use alloy::primitives::{Address, B256, Bytes, KECCAK256_EMPTY, Log, U256, keccak256};
use revm_interpreter::{
    CallInput, CallInputs, CallScheme, CallValue, CreateInputs, CreateScheme, FrameInput, Host,
    InputsImpl, InstructionResult, Interpreter, InterpreterAction, InterpreterResult, SStoreResult,
    SelfDestructResult, SharedMemory, StateLoad,
    bytecode::Bytecode,
    context_interface::{cfg::GasParams, host::LoadError, journaled_state::AccountInfoLoad},
    instructions::{GasTable, InstructionTable, gas_table_spec, instruction_table},
    interpreter::{EthInterpreter, ExtBytecode},
    interpreter_types::{Jumps, ReturnData},
    primitives::hardfork::SpecId,
    state::AccountInfo,
};
use revm_precompile::{PrecompileStatus, Precompiles};

use super::{BlockEnv, CallKind, Engine, ExitStatus, Frame, Halt, Message, ProgramExit};

/// The EVM specification this chain runs (Arbitrum runs Cancun).
pub const SPEC: SpecId = SpecId::CANCUN;
/// EIP-170: most bytes of deployed code.
pub const MAX_CODE_SIZE: usize = 0x6000;
/// EIP-3860: most bytes of init code.
pub const MAX_INITCODE_SIZE: usize = 2 * MAX_CODE_SIZE;
/// `BLOBBASEFEE`: 1 wei, EIP-4844's minimum blob base fee (what a chain
/// whose blocks carry no blob gas computes; this chain has no blobs).
pub const BLOB_BASE_FEE: u64 = 1;
/// `PREVRANDAO` / `DIFFICULTY`: 1, as on Arbitrum.
pub const PREVRANDAO: u64 = 1;
/// Blocks back that `BLOCKHASH` answers (older ones give 0).
pub const BLOCK_HASH_HISTORY: u64 = 256;

/// `BLOCKHASH(n)` on this chain, for an L1 block number `n` within the last
/// 256 of the current L1 estimate: `keccak256("il-devnet L1 block" ‖
/// chain id (8 bytes, big-endian) ‖ n (8 bytes, big-endian))`. Arbitrum's
/// block hashes in the EVM are pseudo-random and not the parent chain's
/// either; this one is deterministic so replays agree.
pub fn block_hash(chain_id: u64, number: u64) -> B256 {
    let mut preimage = b"il-devnet L1 block".to_vec();
    preimage.extend_from_slice(&chain_id.to_be_bytes());
    preimage.extend_from_slice(&number.to_be_bytes());
    keccak256(preimage)
}

/// The EVM runtime: instruction and gas tables for [`SPEC`], the analysed
/// bytecode cache and the standard precompiles.
pub struct EvmRuntime {
    table: Box<InstructionTable<EthInterpreter, EvmHost>>,
    gas_table: Box<GasTable>,
    gas_params: GasParams,
    precompiles: &'static Precompiles,
    code: RefCell<HashMap<B256, Bytecode>>,
}

impl std::fmt::Debug for EvmRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvmRuntime")
            .field("cached_code", &self.code.borrow().len())
            .finish_non_exhaustive()
    }
}

impl Default for EvmRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl EvmRuntime {
    /// Tables for [`SPEC`] and the Cancun precompiles (0x01..=0x0a).
    pub fn new() -> Self {
        Self {
            table: Box::new(instruction_table::<EthInterpreter, EvmHost>()),
            gas_table: Box::new(gas_table_spec(SPEC)),
            gas_params: GasParams::new_spec(SPEC),
            precompiles: Precompiles::new(revm_precompile::PrecompileSpecId::CANCUN),
            code: RefCell::new(HashMap::new()),
        }
    }

    /// True if `address` is one of the standard precompiles.
    pub fn is_precompile(&self, address: &Address) -> bool {
        self.precompiles.contains(address)
    }

    /// Addresses of the standard precompiles.
    pub fn precompile_addresses(&self) -> impl Iterator<Item = Address> + '_ {
        self.precompiles.addresses().copied()
    }

    /// Number of analysed bytecodes cached.
    pub fn cached_code(&self) -> usize {
        self.code.borrow().len()
    }

    /// The analysed bytecode of `code` (hash `code_hash`), cached.
    fn bytecode(&self, code_hash: B256, code: &Bytes) -> Bytecode {
        if let Some(b) = self.code.borrow().get(&code_hash) {
            return b.clone();
        }
        let analysed = Bytecode::new_legacy(code.clone());
        self.code.borrow_mut().insert(code_hash, analysed.clone());
        analysed
    }

    /// Runs a standard precompile on `frame`: its gas from the frame's, its
    /// output returned; a failure halts the frame (all its gas consumed).
    pub fn run_precompile(&self, frame: &mut Frame) -> ProgramExit {
        let Some(precompile) = self.precompiles.get(&frame.code_address()) else {
            return ProgramExit::Halt(Halt::Trap("not a precompile".to_string()));
        };
        let gas = frame.gas_left();
        match precompile.execute(frame.input(), gas, 0) {
            Ok(out) => {
                let used = out.gas_used.min(gas);
                frame.set_gas_left(gas.saturating_sub(used));
                match out.status {
                    PrecompileStatus::Success => ProgramExit::Return(out.bytes.to_vec()),
                    PrecompileStatus::Revert => ProgramExit::Revert(out.bytes.to_vec()),
                    PrecompileStatus::Halt(reason) => {
                        if reason.is_oog() {
                            ProgramExit::Halt(Halt::OutOfGas)
                        } else {
                            ProgramExit::Halt(Halt::Evm(format!("precompile failed: {reason}")))
                        }
                    }
                }
            }
            Err(e) => ProgramExit::Halt(Halt::Evm(format!("precompile failed: {e}"))),
        }
    }

    /// Runs account code `code` (hash `code_hash`) as EVM bytecode on `frame`.
    pub fn run(&self, frame: &mut Frame, code_hash: B256, code: &Bytes) -> ProgramExit {
        let bytecode = self.bytecode(code_hash, code);
        let bytecode_address = Some(frame.code_address());
        self.execute(
            frame,
            ExtBytecode::new_with_hash(bytecode, code_hash),
            bytecode_address,
        )
    }

    /// Runs `initcode` on a creation frame; on success the output is the
    /// code to deploy.
    pub fn run_initcode(&self, frame: &mut Frame, initcode: Bytes) -> ProgramExit {
        let bytecode = Bytecode::new_legacy(initcode);
        self.execute(frame, ExtBytecode::new(bytecode), None)
    }

    fn execute(
        &self,
        frame: &mut Frame,
        bytecode: ExtBytecode,
        bytecode_address: Option<Address>,
    ) -> ProgramExit {
        let inputs = InputsImpl {
            target_address: frame.address(),
            caller_address: frame.caller(),
            bytecode_address,
            input: CallInput::Bytes(Bytes::copy_from_slice(frame.input())),
            call_value: frame.value(),
            depth: frame.depth() as usize,
        };
        let mut interpreter = Interpreter::<EthInterpreter>::new(
            SharedMemory::new(),
            bytecode,
            inputs,
            frame.is_static(),
            SPEC,
            frame.gas_left(),
        );
        let engine = frame.engine().clone();
        let mut host = EvmHost {
            block: engine.block_env(),
            gas_params: self.gas_params.clone(),
            frame: frame.take(),
        };
        let result: InterpreterResult = loop {
            match interpreter.run_plain(&self.table, &self.gas_table, &mut host) {
                InterpreterAction::Return(result) => break result,
                InterpreterAction::NewFrame(FrameInput::Call(inputs)) => {
                    host.call(&mut interpreter, &inputs);
                }
                InterpreterAction::NewFrame(FrameInput::Create(inputs)) => {
                    host.create(&mut interpreter, &inputs);
                }
                InterpreterAction::NewFrame(FrameInput::Empty) => {
                    break InterpreterResult::new(
                        InstructionResult::FatalExternalError,
                        Bytes::new(),
                        interpreter.gas,
                    );
                }
            }
        };
        *frame = host.frame;
        frame.set_gas_left(result.gas.remaining());
        match result.result {
            r if r.is_ok() => {
                // this frame's own refunds (its children added theirs); the
                // journal undoes them if an enclosing frame reverts
                engine.state_mut().add_refund(result.gas.refunded());
                ProgramExit::Return(result.output.to_vec())
            }
            r if r.is_revert() => ProgramExit::Revert(result.output.to_vec()),
            InstructionResult::OpcodeNotFound | InstructionResult::NotActivated => {
                let pc = interpreter.bytecode.pc().saturating_sub(1);
                let opcode = interpreter.bytecode.bytecode_slice_at(pc);
                ProgramExit::Halt(Halt::InvalidOpcode(opcode))
            }
            r => ProgramExit::Halt(halt_of(r)),
        }
    }
}

/// Reads one byte of the bytecode (0 past its end).
trait ByteAt {
    fn bytecode_slice_at(&self, pc: usize) -> u8;
}

impl ByteAt for ExtBytecode {
    fn bytecode_slice_at(&self, pc: usize) -> u8 {
        use revm_interpreter::interpreter_types::LegacyBytecode;
        self.bytecode_slice().get(pc).copied().unwrap_or(0)
    }
}

/// The halt an interpreter result stands for.
fn halt_of(r: InstructionResult) -> Halt {
    use InstructionResult as R;
    match r {
        R::OutOfGas
        | R::MemoryOOG
        | R::MemoryLimitOOG
        | R::PrecompileOOG
        | R::InvalidOperandOOG
        | R::ReentrancySentryOOG => Halt::OutOfGas,
        R::CallNotAllowedInsideStatic | R::StateChangeDuringStaticCall => Halt::WriteProtection,
        R::InvalidFEOpcode => Halt::InvalidOpcode(0xfe),
        R::InvalidJump => Halt::Evm("invalid jump destination".to_string()),
        R::StackUnderflow => Halt::Evm("stack underflow".to_string()),
        R::StackOverflow => Halt::Evm("stack limit reached 1024".to_string()),
        R::OutOfOffset => Halt::Evm("return data out of bounds".to_string()),
        R::CreateCollision => Halt::Collision,
        R::CreateContractSizeLimit => Halt::Evm("max code size exceeded".to_string()),
        R::CreateContractStartingWithEF => Halt::Evm(
            "invalid code: must not begin with 0xef (EIP-3541; Stylus code 0xEFF000 excepted)"
                .to_string(),
        ),
        R::CreateInitCodeSizeLimit => Halt::Evm(format!(
            "max initcode size exceeded: limit {MAX_INITCODE_SIZE} bytes"
        )),
        R::NonceOverflow => Halt::Evm("nonce overflow".to_string()),
        R::OverflowPayment => Halt::Evm("balance overflow".to_string()),
        R::PrecompileError => Halt::Evm("precompile failed".to_string()),
        R::CallTooDeep => Halt::DepthLimit,
        R::OutOfFunds => Halt::InsufficientBalance,
        other => Halt::Evm(format!("EVM error: {other:?}")),
    }
}

/// The interpreter's host: the frame it runs in (taken out of the engine's
/// call for the duration, as the wasm executor does) and the block values.
pub struct EvmHost {
    frame: Frame,
    block: BlockEnv,
    gas_params: GasParams,
}

impl std::fmt::Debug for EvmHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvmHost")
            .field("address", &self.frame.address())
            .finish_non_exhaustive()
    }
}

impl EvmHost {
    fn engine(&self) -> Engine {
        self.frame.engine().clone()
    }

    /// Runs a CALL/CALLCODE/DELEGATECALL/STATICCALL the interpreter asked
    /// for through the engine, then hands its outcome back: success flag on
    /// the stack, return data, output copied to memory, unused gas returned.
    fn call(&mut self, interpreter: &mut Interpreter<EthInterpreter>, inputs: &CallInputs) {
        let input = match &inputs.input {
            CallInput::Bytes(b) => b.to_vec(),
            // an empty range is `usize::MAX..usize::MAX`: never index with it
            CallInput::SharedBuffer(range) if range.is_empty() => Vec::new(),
            CallInput::SharedBuffer(range) => interpreter
                .memory
                .global_slice_range(range.clone())
                .to_vec(),
        };
        let value = inputs.value.get();
        let (kind, value, transfer) = match inputs.scheme {
            CallScheme::Call => (CallKind::Call, value, true),
            CallScheme::CallCode => (CallKind::CallCode, value, true),
            CallScheme::DelegateCall => (CallKind::DelegateCall, value, false),
            CallScheme::StaticCall => (CallKind::StaticCall, U256::ZERO, false),
        };
        let transfer = transfer && matches!(inputs.value, CallValue::Transfer(_));
        let msg = Message {
            kind,
            caller: inputs.caller,
            address: inputs.target_address,
            code_address: inputs.bytecode_address,
            value,
            transfer,
            input,
            gas: inputs.gas_limit,
            depth: self.frame.depth().saturating_add(1),
            is_static: inputs.is_static,
        };
        let result = self.engine().call(msg);
        let ok = result.status.is_success();
        let reverted = result.status == ExitStatus::Revert;
        let output = Bytes::from(result.output);
        if ok || reverted {
            let range = &inputs.return_memory_offset;
            let n = range.len().min(output.len());
            if n > 0 {
                interpreter.memory.set(range.start, &output[..n]);
            }
        }
        interpreter.return_data.set_buffer(output);
        interpreter.gas.erase_cost(result.gas_left);
        // the call popped its operands, so the stack has room
        let _ = interpreter.stack.push(U256::from(u8::from(ok)));
    }

    /// Runs a CREATE/CREATE2 through the engine and hands back the new
    /// address (or 0), the revert data and the unused gas.
    fn create(&mut self, interpreter: &mut Interpreter<EthInterpreter>, inputs: &CreateInputs) {
        let salt = match inputs.scheme() {
            CreateScheme::Create2 { salt } => Some(B256::from(salt)),
            _ => None,
        };
        let (result, address) = self.engine().create(
            inputs.caller(),
            inputs.value(),
            inputs.init_code(),
            salt,
            inputs.gas_limit(),
            self.frame.depth().saturating_add(1),
        );
        if result.status == ExitStatus::Revert {
            interpreter
                .return_data
                .set_buffer(Bytes::from(result.output));
        } else {
            interpreter.return_data.clear();
        }
        interpreter.gas.erase_cost(result.gas_left);
        let word = match address {
            Some(a) if result.status.is_success() => a.into_word().into(),
            _ => U256::ZERO,
        };
        let _ = interpreter.stack.push(word);
    }

    /// Warms `address`; `Err` (and it stays cold) if it is cold and
    /// `skip_cold_load` (the caller cannot pay for a cold access).
    fn warm_account(&self, address: Address, skip_cold_load: bool) -> Result<bool, LoadError> {
        let engine = self.frame.engine();
        let mut st = engine.state_mut();
        if skip_cold_load && !st.is_warm_account(address) {
            return Err(LoadError::ColdLoadSkipped);
        }
        Ok(st.touch_account(address))
    }

    fn warm_slot(
        &self,
        address: Address,
        key: U256,
        skip_cold_load: bool,
    ) -> Result<bool, LoadError> {
        let engine = self.frame.engine();
        let mut st = engine.state_mut();
        if skip_cold_load && !st.is_warm_slot(address, key) {
            return Err(LoadError::ColdLoadSkipped);
        }
        Ok(st.touch_slot(address, key))
    }
}

impl Host for EvmHost {
    fn basefee(&self) -> U256 {
        self.block.basefee
    }

    fn blob_gasprice(&self) -> U256 {
        U256::from(BLOB_BASE_FEE)
    }

    fn gas_limit(&self) -> U256 {
        U256::from(self.block.gas_limit)
    }

    fn difficulty(&self) -> U256 {
        U256::from(PREVRANDAO)
    }

    fn prevrandao(&self) -> Option<U256> {
        Some(U256::from(PREVRANDAO))
    }

    fn block_number(&self) -> U256 {
        U256::from(self.block.l1_block_number())
    }

    fn timestamp(&self) -> U256 {
        U256::from(self.block.timestamp)
    }

    fn beneficiary(&self) -> Address {
        self.block.coinbase
    }

    fn slot_num(&self) -> U256 {
        U256::ZERO
    }

    fn chain_id(&self) -> U256 {
        U256::from(self.frame.chain_id())
    }

    fn effective_gas_price(&self) -> U256 {
        self.frame.tx_gas_price()
    }

    fn caller(&self) -> Address {
        self.frame.tx_origin()
    }

    fn blob_hash(&self, _number: usize) -> Option<U256> {
        // no blob transactions on this chain: BLOBHASH gives 0
        None
    }

    fn max_initcode_size(&self) -> usize {
        MAX_INITCODE_SIZE
    }

    fn gas_params(&self) -> &GasParams {
        &self.gas_params
    }

    fn is_amsterdam_eip8037_enabled(&self) -> bool {
        false
    }

    fn block_hash(&mut self, number: u64) -> Option<B256> {
        Some(block_hash(self.frame.chain_id(), number))
    }

    fn selfdestruct(
        &mut self,
        address: Address,
        target: Address,
        skip_cold_load: bool,
    ) -> Result<StateLoad<SelfDestructResult>, LoadError> {
        let is_cold = self.warm_account(target, skip_cold_load)?;
        let engine = self.engine();
        let mut st = engine.state_mut();
        let balance = st.world.account(&address).balance;
        let target_exists = !st.world.account(&target).is_empty();
        let created = st.is_created(address);
        if target != address {
            st.transfer(address, target, balance);
        } else if created && !balance.is_zero() {
            // destroyed with itself as beneficiary: the balance is burned
            st.sub_balance(address, balance);
        }
        // EIP-6780: only an account created in this transaction is deleted
        let previously_destroyed = created && !st.mark_destructed(address);
        Ok(StateLoad::new(
            SelfDestructResult {
                had_value: !balance.is_zero(),
                target_exists,
                previously_destroyed,
            },
            is_cold,
        ))
    }

    fn log(&mut self, log: Log) {
        self.frame.engine().state_mut().push_log(log);
    }

    fn sstore_skip_cold_load(
        &mut self,
        address: Address,
        key: U256,
        value: U256,
        skip_cold_load: bool,
    ) -> Result<StateLoad<SStoreResult>, LoadError> {
        let is_cold = self.warm_slot(address, key, skip_cold_load)?;
        let engine = self.engine();
        let mut st = engine.state_mut();
        let present = U256::from_be_bytes(st.storage(address, key).0);
        let original = U256::from_be_bytes(st.original_storage(address, key).0);
        st.set_storage(address, key, B256::from(value));
        Ok(StateLoad::new(
            SStoreResult {
                original_value: original,
                present_value: present,
                new_value: value,
            },
            is_cold,
        ))
    }

    fn sload_skip_cold_load(
        &mut self,
        address: Address,
        key: U256,
        skip_cold_load: bool,
    ) -> Result<StateLoad<U256>, LoadError> {
        let is_cold = self.warm_slot(address, key, skip_cold_load)?;
        let value = self.frame.engine().state().storage(address, key);
        Ok(StateLoad::new(U256::from_be_bytes(value.0), is_cold))
    }

    fn tstore(&mut self, address: Address, key: U256, value: U256) {
        self.frame
            .engine()
            .state_mut()
            .set_transient(address, key, value);
    }

    fn tload(&mut self, address: Address, key: U256) -> U256 {
        self.frame.engine().state().transient(address, key)
    }

    fn load_account_info_skip_cold_load(
        &mut self,
        address: Address,
        load_code: bool,
        skip_cold_load: bool,
    ) -> Result<AccountInfoLoad<'_>, LoadError> {
        let is_cold = self.warm_account(address, skip_cold_load)?;
        let engine = self.engine();
        let account = engine.account(address);
        let is_empty = account.is_empty();
        let code_hash = account.code_hash();
        let code = if load_code {
            Some(if account.code().is_empty() {
                Bytecode::default()
            } else {
                engine.evm().bytecode(code_hash, account.code())
            })
        } else {
            None
        };
        let info = AccountInfo {
            balance: account.balance,
            nonce: account.nonce,
            code_hash: if account.code().is_empty() {
                KECCAK256_EMPTY
            } else {
                code_hash
            },
            code,
            ..AccountInfo::default()
        };
        Ok(AccountInfoLoad {
            account: Cow::Owned(info),
            is_cold,
            is_empty,
        })
    }
}
