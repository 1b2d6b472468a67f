//! A call frame and the hostio semantics every executor uses.

use std::collections::BTreeMap;

use alloy::primitives::{Address, B256, Bytes, Log, LogData, U256, keccak256};

use super::{
    BlockEnv, CallResult, Engine, ExitStatus, Halt, MAX_CALL_DEPTH, Message,
    gas::{self, INK_PER_FUEL, INK_PER_GAS},
};

/// The kind of a call between programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// CALL: new context, optional value.
    Call,
    /// STATICCALL: new context, no state changes.
    StaticCall,
    /// DELEGATECALL: callee's code in the caller's context (storage, sender, value).
    DelegateCall,
    /// CALLCODE (EVM only): callee's code on the caller's storage, with the
    /// caller as `msg.sender` and its own value (moved from the caller to itself).
    CallCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CachedSlot {
    value: B256,
    dirty: bool,
}

/// One executing call frame: its message, gas, storage cache, output and the
/// return data of its last call. Executors reach the chain only through it.
#[derive(Debug, Clone)]
pub struct Frame {
    engine: Engine,
    msg: Message,
    reentrant: bool,
    ink_left: u64,
    return_data: Vec<u8>,
    output: Vec<u8>,
    cache: BTreeMap<U256, CachedSlot>,
}

impl Frame {
    pub(crate) fn new(engine: Engine, msg: Message, reentrant: bool) -> Self {
        let ink_left = msg.gas.saturating_mul(INK_PER_GAS);
        Self {
            engine,
            msg,
            reentrant,
            ink_left,
            return_data: Vec::new(),
            output: Vec::new(),
            cache: BTreeMap::new(),
        }
    }

    /// Moves this frame out, leaving one with the same message, no gas and
    /// empty buffers (executors that need an owned frame use this and put it back).
    pub fn take(&mut self) -> Frame {
        let blank = Frame {
            engine: self.engine.clone(),
            msg: self.msg.clone(),
            reentrant: self.reentrant,
            ink_left: 0,
            return_data: Vec::new(),
            output: Vec::new(),
            cache: BTreeMap::new(),
        };
        std::mem::replace(self, blank)
    }

    /// The engine this frame runs on.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The message (caller, acting address, code address, value, input, depth).
    pub fn message(&self) -> &Message {
        &self.msg
    }

    /// Acting address: `contract_address` (the caller's for delegate calls).
    pub fn address(&self) -> Address {
        self.msg.address
    }

    /// Address whose code runs.
    pub fn code_address(&self) -> Address {
        self.msg.code_address
    }

    /// `msg.sender`.
    pub fn caller(&self) -> Address {
        self.msg.caller
    }

    /// `msg.value`, wei.
    pub fn value(&self) -> U256 {
        self.msg.value
    }

    /// Calldata.
    pub fn input(&self) -> &[u8] {
        &self.msg.input
    }

    /// Static context.
    pub fn is_static(&self) -> bool {
        self.msg.is_static
    }

    /// `msg_reentrant`: the acting address already had an open frame when
    /// this one started (as on Nitro).
    pub fn reentrant(&self) -> bool {
        self.reentrant
    }

    /// Gas left (ink / 10,000, rounded down).
    pub fn gas_left(&self) -> u64 {
        self.ink_left / INK_PER_GAS
    }

    /// Ink left.
    pub fn ink_left(&self) -> u64 {
        self.ink_left
    }

    /// Wasm fuel equivalent of the ink left (ink / 100, rounded down).
    pub(crate) fn fuel(&self) -> u64 {
        self.ink_left / INK_PER_FUEL
    }

    /// Sets the ink from wasm fuel, keeping the sub-fuel remainder.
    pub(crate) fn set_fuel(&mut self, fuel: u64) {
        let remainder = self.ink_left % INK_PER_FUEL;
        self.ink_left = fuel.saturating_mul(INK_PER_FUEL).saturating_add(remainder);
    }

    /// Charges `ink`.
    ///
    /// # Errors
    /// [`Halt::OutOfGas`] (and all ink consumed) if less is left.
    pub fn charge_ink(&mut self, ink: u64) -> Result<(), Halt> {
        match self.ink_left.checked_sub(ink) {
            Some(left) => {
                self.ink_left = left;
                Ok(())
            }
            None => {
                self.ink_left = 0;
                Err(Halt::OutOfGas)
            }
        }
    }

    /// Charges `gas` (x 10,000 ink).
    ///
    /// # Errors
    /// [`Halt::OutOfGas`] if less is left.
    pub fn charge_gas(&mut self, gas: u64) -> Result<(), Halt> {
        self.charge_ink(gas.saturating_mul(INK_PER_GAS))
    }

    /// Sets the gas left (an executor that meters in gas, the EVM, reports
    /// what its frame has left when it ends).
    pub(crate) fn set_gas_left(&mut self, gas: u64) {
        self.ink_left = gas.saturating_mul(INK_PER_GAS);
    }

    fn refund_gas(&mut self, gas: u64) {
        self.ink_left = self
            .ink_left
            .saturating_add(gas.saturating_mul(INK_PER_GAS));
    }

    /// Charges for `bytes` copied across the program boundary (3 gas a word).
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn charge_copy(&mut self, bytes: usize) -> Result<(), Halt> {
        self.charge_gas(gas::words(bytes).saturating_mul(gas::COPY_WORD_GAS))
    }

    /// Opens `pages` more wasm pages in the transaction (a program's
    /// initial memory or its growth) and charges Nitro's memory model for
    /// them: `gas::memory_gas` over the pages the transaction's open frames
    /// hold and the most it has held.
    ///
    /// # Errors
    /// [`Halt::OutOfGas`] (the pages are then not opened).
    pub fn charge_pages(&mut self, pages: u32) -> Result<(), Halt> {
        if pages == 0 {
            return Ok(());
        }
        let cost = self.engine.state().pages_cost(pages);
        self.charge_gas(cost)?;
        self.engine.state_mut().open_pages(pages);
        Ok(())
    }

    /// `pay_for_memory_grow(pages)`: pays for and opens `pages` pages, as
    /// Nitro's instrumentation does before each `memory.grow` (a call made
    /// voluntarily opens pages that do not exist, as on Nitro).
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn pay_for_memory_grow(&mut self, pages: u16) -> Result<(), Halt> {
        self.charge_pages(u32::from(pages))
    }

    /// The data `write_result` set (returned on success, reverted with on failure).
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// `write_result(data)`.
    pub fn set_output(&mut self, data: Vec<u8>) {
        self.output = data;
    }

    /// Takes the output, leaving it empty.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    /// Return (or revert) data of the last call or failed creation.
    pub fn return_data(&self) -> &[u8] {
        &self.return_data
    }

    /// `read_return_data(offset, size)`: the overlapping part of the return
    /// data (never padded).
    pub fn return_data_slice(&self, offset: usize, size: usize) -> &[u8] {
        let start = offset.min(self.return_data.len());
        let end = start.saturating_add(size).min(self.return_data.len());
        &self.return_data[start..end]
    }

    /// `storage_load_bytes32`: the cached value, else the state's (2,100 gas
    /// cold, 100 warm), then cached.
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn storage_load(&mut self, key: U256) -> Result<B256, Halt> {
        if let Some(slot) = self.cache.get(&key) {
            return Ok(slot.value);
        }
        let address = self.msg.address;
        let cold = self.engine.state_mut().touch_slot(address, key);
        self.charge_gas(if cold {
            gas::COLD_SLOAD_GAS
        } else {
            gas::WARM_ACCESS_GAS
        })?;
        let value = self.engine.state().storage(address, key);
        self.cache.insert(
            key,
            CachedSlot {
                value,
                dirty: false,
            },
        );
        Ok(value)
    }

    /// `storage_cache_bytes32`: writes to the frame's cache only; nothing
    /// reaches the state until [`Frame::storage_flush`].
    pub fn storage_cache(&mut self, key: U256, value: B256) {
        self.cache.insert(key, CachedSlot { value, dirty: true });
    }

    /// `storage_flush_cache(clear)`: writes every dirty slot to the state
    /// (journaled: a later revert of this frame undoes them), then drops the
    /// cache if `clear`. Per slot: 20,000 gas zero to non-zero, 2,900 other
    /// changes, 100 unchanged, plus 2,100 if cold.
    ///
    /// # Errors
    /// [`Halt::WriteProtection`] in a static context with dirty slots,
    /// [`Halt::OutOfGas`] (also when less than `gas::SSTORE_SENTRY_GAS`
    /// is left as it starts, as on Nitro).
    pub fn storage_flush(&mut self, clear: bool) -> Result<(), Halt> {
        // Nitro's sentry: a flush needs the gas of a call stipend left
        if self.gas_left() < gas::SSTORE_SENTRY_GAS {
            return Err(Halt::OutOfGas);
        }
        let dirty: Vec<(U256, B256)> = self
            .cache
            .iter()
            .filter(|(_, s)| s.dirty)
            .map(|(k, s)| (*k, s.value))
            .collect();
        if !dirty.is_empty() && self.msg.is_static {
            return Err(Halt::WriteProtection);
        }
        let address = self.msg.address;
        for (key, value) in dirty {
            let (cold, current) = {
                let mut st = self.engine.state_mut();
                (st.touch_slot(address, key), st.storage(address, key))
            };
            let write = if current == value {
                gas::WARM_ACCESS_GAS
            } else if current.is_zero() {
                gas::SSTORE_SET_GAS
            } else {
                gas::SSTORE_RESET_GAS
            };
            let cost = write.saturating_add(if cold { gas::COLD_SLOAD_GAS } else { 0 });
            self.charge_gas(cost)?;
            self.engine.state_mut().set_storage(address, key, value);
            if let Some(slot) = self.cache.get_mut(&key) {
                slot.dirty = false;
            }
        }
        if clear {
            self.cache.clear();
        }
        Ok(())
    }

    /// `transient_load_bytes32`: EIP-1153 TLOAD on the acting address (the
    /// same transient store the EVM's TLOAD reads), 100 gas.
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn transient_load(&mut self, key: U256) -> Result<B256, Halt> {
        self.charge_gas(gas::TRANSIENT_GAS)?;
        let value = self.engine.state().transient(self.msg.address, key);
        Ok(B256::from(value))
    }

    /// `transient_store_bytes32`: EIP-1153 TSTORE on the acting address
    /// (journaled: a revert of this frame undoes it; cleared at the end of
    /// the transaction), 100 gas.
    ///
    /// # Errors
    /// [`Halt::WriteProtection`] in a static context, [`Halt::OutOfGas`].
    pub fn transient_store(&mut self, key: U256, value: B256) -> Result<(), Halt> {
        self.charge_gas(gas::TRANSIENT_GAS)?;
        if self.msg.is_static {
            return Err(Halt::WriteProtection);
        }
        let address = self.msg.address;
        self.engine
            .state_mut()
            .set_transient(address, key, U256::from_be_bytes(value.0));
        Ok(())
    }

    fn account_access(&mut self, address: Address) -> Result<(), Halt> {
        let cold = self.engine.state_mut().touch_account(address);
        self.charge_gas(if cold {
            gas::COLD_ACCOUNT_GAS
        } else {
            gas::WARM_ACCESS_GAS
        })
    }

    /// `call_contract` / `static_call_contract` / `delegate_call_contract`.
    /// Charges account access (2,600 cold / 100 warm) and 9,000 for value,
    /// passes at most 63/64 of the gas left (plus a 2,300 stipend with
    /// value), runs the callee, takes back its unused gas and keeps its
    /// output as return data. Returns whether the callee succeeded.
    ///
    /// # Errors
    /// [`Halt::WriteProtection`] for a value call in a static context,
    /// [`Halt::OutOfGas`] if the fixed costs cannot be paid.
    pub fn call(
        &mut self,
        kind: CallKind,
        to: Address,
        data: &[u8],
        value: U256,
        gas_requested: u64,
    ) -> Result<bool, Halt> {
        let has_value = matches!(kind, CallKind::Call | CallKind::CallCode) && !value.is_zero();
        if kind == CallKind::Call && has_value && self.msg.is_static {
            return Err(Halt::WriteProtection);
        }
        self.account_access(to)?;
        if has_value {
            self.charge_gas(gas::CALL_VALUE_GAS)?;
        }
        let left = self.gas_left();
        let available = left.saturating_sub(left / 64);
        let passed = gas_requested.min(available);
        self.charge_gas(passed)?;
        let stipend = if has_value { gas::CALL_STIPEND } else { 0 };
        let depth = self.msg.depth.saturating_add(1);
        let msg = match kind {
            CallKind::Call => Message {
                kind,
                caller: self.msg.address,
                address: to,
                code_address: to,
                value,
                transfer: true,
                input: data.to_vec(),
                gas: passed.saturating_add(stipend),
                depth,
                is_static: self.msg.is_static,
            },
            CallKind::StaticCall => Message {
                kind,
                caller: self.msg.address,
                address: to,
                code_address: to,
                value: U256::ZERO,
                transfer: false,
                input: data.to_vec(),
                gas: passed,
                depth,
                is_static: true,
            },
            CallKind::DelegateCall => Message {
                kind,
                caller: self.msg.caller,
                address: self.msg.address,
                code_address: to,
                value: self.msg.value,
                transfer: false,
                input: data.to_vec(),
                gas: passed,
                depth,
                is_static: self.msg.is_static,
            },
            CallKind::CallCode => Message {
                kind,
                caller: self.msg.address,
                address: self.msg.address,
                code_address: to,
                value,
                transfer: true,
                input: data.to_vec(),
                gas: passed.saturating_add(stipend),
                depth,
                is_static: self.msg.is_static,
            },
        };
        let result: CallResult = self.engine.call(msg);
        self.refund_gas(result.gas_left);
        self.return_data = result.output;
        Ok(result.status.is_success())
    }

    /// `create1` (`salt` = `None`) / `create2`: 32,000 gas (+6 per init-code
    /// word for create2), then the init code runs in the EVM with at most
    /// 63/64 of the gas left (it pays its own execution and 200 per deployed
    /// code byte). On success returns the new address and clears the return
    /// data; on failure returns `None` with the init code's revert data.
    ///
    /// # Errors
    /// [`Halt::WriteProtection`] in a static context, [`Halt::OutOfGas`].
    pub fn create(
        &mut self,
        initcode: &[u8],
        endowment: U256,
        salt: Option<B256>,
    ) -> Result<Option<Address>, Halt> {
        if self.msg.is_static {
            return Err(Halt::WriteProtection);
        }
        let mut cost = gas::CREATE_GAS;
        if salt.is_some() {
            cost = cost
                .saturating_add(gas::words(initcode.len()).saturating_mul(gas::KECCAK_WORD_GAS));
        }
        self.charge_gas(cost)?;
        let left = self.gas_left();
        let passed = left.saturating_sub(left / 64);
        self.charge_gas(passed)?;
        let (result, address) = self.engine.create(
            self.msg.address,
            endowment,
            initcode,
            salt,
            passed,
            self.msg.depth.saturating_add(1),
        );
        self.refund_gas(result.gas_left);
        self.return_data = result.output;
        Ok(if result.status == ExitStatus::Success {
            address
        } else {
            None
        })
    }

    /// `emit_log`: 375 gas + 375 per topic + 8 per data byte.
    ///
    /// # Errors
    /// [`Halt::WriteProtection`] in a static context, [`Halt::Trap`] for more
    /// than 4 topics, [`Halt::OutOfGas`].
    pub fn emit_log(&mut self, topics: Vec<B256>, data: Vec<u8>) -> Result<(), Halt> {
        if self.msg.is_static {
            return Err(Halt::WriteProtection);
        }
        if topics.len() > 4 {
            return Err(Halt::Trap(format!(
                "emit_log with {} topics (at most 4)",
                topics.len()
            )));
        }
        let cost = gas::LOG_GAS
            .saturating_add((topics.len() as u64).saturating_mul(gas::LOG_TOPIC_GAS))
            .saturating_add((data.len() as u64).saturating_mul(gas::LOG_DATA_GAS));
        self.charge_gas(cost)?;
        let log = Log {
            address: self.msg.address,
            data: LogData::new_unchecked(topics, Bytes::from(data)),
        };
        self.engine.state_mut().push_log(log);
        Ok(())
    }

    /// `account_balance`.
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn balance(&mut self, address: Address) -> Result<U256, Halt> {
        self.account_access(address)?;
        Ok(self.engine.balance(address))
    }

    /// `account_code` (whole code; callers slice it).
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn code(&mut self, address: Address) -> Result<Bytes, Halt> {
        self.account_access(address)?;
        Ok(self.engine.code(address))
    }

    /// `account_code_size`.
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn code_size(&mut self, address: Address) -> Result<usize, Halt> {
        self.account_access(address)?;
        Ok(self.engine.code(address).len())
    }

    /// `account_codehash`: keccak of the code; zero for an account that does
    /// not exist (EIP-1052), `keccak256("")` for an existing one without code.
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn code_hash(&mut self, address: Address) -> Result<B256, Halt> {
        self.account_access(address)?;
        let account = self.engine.account(address);
        Ok(if account.is_empty() {
            B256::ZERO
        } else {
            account.code_hash()
        })
    }

    /// `native_keccak256`: 30 gas + 6 per word.
    ///
    /// # Errors
    /// [`Halt::OutOfGas`].
    pub fn keccak(&mut self, data: &[u8]) -> Result<B256, Halt> {
        self.charge_gas(
            gas::KECCAK_GAS
                .saturating_add(gas::words(data.len()).saturating_mul(gas::KECCAK_WORD_GAS)),
        )?;
        Ok(keccak256(data))
    }

    /// Block values.
    pub fn block(&self) -> BlockEnv {
        self.engine.block_env()
    }

    /// `chainid`.
    pub fn chain_id(&self) -> u64 {
        self.engine.chain_id()
    }

    /// `tx_origin`.
    pub fn tx_origin(&self) -> Address {
        self.engine.tx_env().origin
    }

    /// `tx_gas_price`, wei.
    pub fn tx_gas_price(&self) -> U256 {
        self.engine.tx_env().gas_price
    }

    /// Transfers `amount` of this frame's acting balance to `to` as a plain
    /// value call with the gas left (used by native handlers for refunds).
    ///
    /// # Errors
    /// As [`Frame::call`].
    pub fn send_value(&mut self, to: Address, amount: U256) -> Result<bool, Halt> {
        self.call(CallKind::Call, to, &[], amount, u64::MAX)
    }

    /// Depth of this frame (0 = the transaction's).
    pub fn depth(&self) -> u32 {
        self.msg.depth
    }

    /// True if a nested call from this frame would exceed the depth limit.
    pub fn at_depth_limit(&self) -> bool {
        self.msg.depth >= MAX_CALL_DEPTH
    }
}
