//! A test host: stylus-sdk's `TestVM` for storage, logs, sender and time,
//! plus a native collateral token (balances and allowances, `transfer` and
//! `transferFrom` with ERC-20 semantics) and a settable Chainlink-shaped
//! oracle at fixed addresses, answering the venue's calls.
//!
//! Why not `TestVM::mock_call`: its mocks match exact calldata, and it
//! returns the data of the most recently registered mock to every call, so
//! a function that reads the oracle and then transfers tokens cannot be
//! mocked. A stateful token also lets the conservation property compare
//! the books with the venue's real token balance.

use std::{cell::RefCell, collections::HashMap, rc::Rc, slice};

use alloy_primitives::{Address, B256, I256, U256, address, aliases::U80};
use alloy_sol_types::{SolCall, sol};
use stylus_sdk::{
    stylus_core::{
        AccountAccess, BlockAccess, CalldataAccess, ChainAccess, CryptographyAccess, Host,
        MemoryAccess, MessageAccess, MeteringAccess, RawLogAccess, StorageAccess, UnsafeCallAccess,
        UnsafeDeploymentAccess,
    },
    testing::TestVM,
};

/// The collateral token's address in every test.
pub const TOKEN: Address = address!("0x00000000000000000000000000000000000000c0");
/// The oracle's address in every test.
pub const ORACLE: Address = address!("0x00000000000000000000000000000000000000f0");

sol! {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function decimals() external view returns (uint8);
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
}

/// How the fake token answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenMode {
    /// ERC-20 semantics, returns `true`.
    Normal,
    /// Moves nothing and returns `false`.
    ReturnsFalse,
    /// Reverts every call.
    Reverts,
}

/// One oracle round, as `latestRoundData` returns it.
#[derive(Clone, Copy, Debug)]
pub struct Round {
    pub round_id: u64,
    pub answer: I256,
    pub updated_at: u64,
    pub answered_in_round: u64,
}

struct Fakes {
    balances: HashMap<Address, U256>,
    allowances: HashMap<(Address, Address), U256>,
    token_mode: TokenMode,
    decimals: u8,
    round: Round,
    oracle_reverts: bool,
}

/// The host (see the module doc). Clones share all state.
#[derive(Clone)]
pub struct World {
    pub vm: TestVM,
    fakes: Rc<RefCell<Fakes>>,
}

impl World {
    /// A world at unix time `now` with an 8-decimals oracle answering
    /// `answer` (updated now, round 1).
    pub fn new(now: u64, answer: i128) -> Self {
        let vm = TestVM::new();
        vm.set_block_timestamp(now);
        let fakes = Fakes {
            balances: HashMap::new(),
            allowances: HashMap::new(),
            token_mode: TokenMode::Normal,
            decimals: 8,
            round: Round {
                round_id: 1,
                answer: I256::try_from(answer).unwrap(),
                updated_at: now,
                answered_in_round: 1,
            },
            oracle_reverts: false,
        };
        Self {
            vm,
            fakes: Rc::new(RefCell::new(fakes)),
        }
    }

    /// The venue's address.
    pub fn venue(&self) -> Address {
        self.vm.contract_address()
    }

    pub fn now(&self) -> u64 {
        self.vm.block_timestamp()
    }

    /// Token balance of `account`.
    pub fn balance(&self, account: Address) -> U256 {
        self.fakes
            .borrow()
            .balances
            .get(&account)
            .copied()
            .unwrap_or_default()
    }

    /// Gives `account` `amount` tokens and lets the venue pull all of them.
    pub fn fund_wallet(&self, account: Address, amount: U256) {
        let mut f = self.fakes.borrow_mut();
        let b = f.balances.entry(account).or_default();
        *b += amount;
        f.allowances
            .insert((account, self.vm.contract_address()), U256::MAX);
    }

    /// Sets what `owner` lets the venue pull.
    pub fn approve_venue(&self, owner: Address, amount: U256) {
        let venue = self.vm.contract_address();
        self.fakes
            .borrow_mut()
            .allowances
            .insert((owner, venue), amount);
    }

    pub fn set_token_mode(&self, mode: TokenMode) {
        self.fakes.borrow_mut().token_mode = mode;
    }

    pub fn set_oracle_decimals(&self, decimals: u8) {
        self.fakes.borrow_mut().decimals = decimals;
    }

    pub fn set_oracle_reverts(&self, reverts: bool) {
        self.fakes.borrow_mut().oracle_reverts = reverts;
    }

    /// A new round answering `answer`, updated now.
    pub fn set_answer(&self, answer: I256) {
        let now = self.now();
        let mut f = self.fakes.borrow_mut();
        let id = f.round.round_id + 1;
        f.round = Round {
            round_id: id,
            answer,
            updated_at: now,
            answered_in_round: id,
        };
    }

    pub fn set_round(&self, round: Round) {
        self.fakes.borrow_mut().round = round;
    }

    pub fn round(&self) -> Round {
        self.fakes.borrow().round
    }

    fn token_call(&self, data: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
        let mut f = self.fakes.borrow_mut();
        match f.token_mode {
            TokenMode::Reverts => return Err(b"token reverts".to_vec()),
            TokenMode::ReturnsFalse => return Ok(transferCall::abi_encode_returns(&false)),
            TokenMode::Normal => {}
        }
        let caller = self.vm.contract_address();
        let (from, to, value) = if let Ok(c) = transferCall::abi_decode(data) {
            (caller, c.to, c.value)
        } else if let Ok(c) = transferFromCall::abi_decode(data) {
            let allowance = f
                .allowances
                .get(&(c.from, caller))
                .copied()
                .unwrap_or_default();
            if allowance < c.value {
                return Err(b"allowance".to_vec());
            }
            if allowance != U256::MAX {
                f.allowances.insert((c.from, caller), allowance - c.value);
            }
            (c.from, c.to, c.value)
        } else {
            return Err(b"unknown token call".to_vec());
        };
        if to.is_zero() {
            return Err(b"zero receiver".to_vec());
        }
        let from_balance = f.balances.get(&from).copied().unwrap_or_default();
        if from_balance < value {
            return Err(b"balance".to_vec());
        }
        f.balances.insert(from, from_balance - value);
        *f.balances.entry(to).or_default() += value;
        Ok(transferCall::abi_encode_returns(&true))
    }

    fn oracle_call(&self, data: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
        let f = self.fakes.borrow();
        if f.oracle_reverts {
            return Err(b"oracle reverts".to_vec());
        }
        if decimalsCall::abi_decode(data).is_ok() {
            return Ok(decimalsCall::abi_encode_returns(&f.decimals));
        }
        if latestRoundDataCall::abi_decode(data).is_ok() {
            let r = f.round;
            return Ok(latestRoundDataCall::abi_encode_returns(
                &latestRoundDataReturn {
                    _0: U80::from(r.round_id),
                    _1: r.answer,
                    _2: U256::from(r.updated_at),
                    _3: U256::from(r.updated_at),
                    _4: U80::from(r.answered_in_round),
                },
            ));
        }
        Err(b"unknown oracle call".to_vec())
    }

    /// Runs a call to `to`, leaves its output as the return data, and
    /// returns the status byte the host ABI expects (0 success, 1 revert).
    fn dispatch(&self, to: Address, data: &[u8], outs_len: &mut usize) -> u8 {
        let result = if to == TOKEN {
            self.token_call(data)
        } else if to == ORACLE {
            self.oracle_call(data)
        } else {
            Err(b"no contract".to_vec())
        };
        let (status, out) = match result {
            Ok(out) => (0, out),
            Err(out) => (1, out),
        };
        *outs_len = out.len();
        self.vm.write_result(&out);
        status
    }
}

impl Host for World {}

impl CryptographyAccess for World {
    fn native_keccak256(&self, input: &[u8]) -> B256 {
        self.vm.native_keccak256(input)
    }
}

impl CalldataAccess for World {
    fn read_args(&self, len: usize) -> Vec<u8> {
        self.vm.read_args(len)
    }
    fn read_return_data(&self, offset: usize, size: Option<usize>) -> Vec<u8> {
        self.vm.read_return_data(offset, size)
    }
    fn return_data_size(&self) -> usize {
        self.vm.return_data_size()
    }
    fn write_result(&self, data: &[u8]) {
        self.vm.write_result(data)
    }
}

unsafe impl UnsafeDeploymentAccess for World {
    unsafe fn create1(
        &self,
        code: *const u8,
        code_len: usize,
        endowment: *const u8,
        contract: *mut u8,
        revert_data_len: *mut usize,
    ) {
        unsafe {
            self.vm
                .create1(code, code_len, endowment, contract, revert_data_len)
        }
    }
    unsafe fn create2(
        &self,
        code: *const u8,
        code_len: usize,
        endowment: *const u8,
        salt: *const u8,
        contract: *mut u8,
        revert_data_len: *mut usize,
    ) {
        unsafe {
            self.vm
                .create2(code, code_len, endowment, salt, contract, revert_data_len)
        }
    }
}

impl StorageAccess for World {
    fn storage_load_bytes32(&self, key: U256) -> B256 {
        self.vm.storage_load_bytes32(key)
    }
    unsafe fn storage_cache_bytes32(&self, key: U256, value: B256) {
        unsafe { self.vm.storage_cache_bytes32(key, value) }
    }
    fn flush_cache(&self, clear: bool) {
        self.vm.flush_cache(clear)
    }
}

unsafe impl UnsafeCallAccess for World {
    unsafe fn call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _value: *const u8,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the SDK passes a 20-byte address and `data_len` bytes of calldata.
        let (to, data) = unsafe {
            (
                Address::from_slice(slice::from_raw_parts(to, 20)),
                slice::from_raw_parts(data, data_len),
            )
        };
        self.dispatch(to, data, outs_len)
    }
    unsafe fn static_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: as above.
        let (to, data) = unsafe {
            (
                Address::from_slice(slice::from_raw_parts(to, 20)),
                slice::from_raw_parts(data, data_len),
            )
        };
        self.dispatch(to, data, outs_len)
    }
    unsafe fn delegate_call_contract(
        &self,
        _to: *const u8,
        _data: *const u8,
        _data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        *outs_len = 0;
        1
    }
}

impl BlockAccess for World {
    fn block_basefee(&self) -> U256 {
        self.vm.block_basefee()
    }
    fn block_coinbase(&self) -> Address {
        self.vm.block_coinbase()
    }
    fn block_number(&self) -> u64 {
        self.vm.block_number()
    }
    fn block_timestamp(&self) -> u64 {
        self.vm.block_timestamp()
    }
    fn block_gas_limit(&self) -> u64 {
        self.vm.block_gas_limit()
    }
}

impl ChainAccess for World {
    fn chain_id(&self) -> u64 {
        self.vm.chain_id()
    }
}

impl AccountAccess for World {
    fn balance(&self, account: Address) -> U256 {
        AccountAccess::balance(&self.vm, account)
    }
    fn contract_address(&self) -> Address {
        self.vm.contract_address()
    }
    fn code(&self, account: Address) -> Vec<u8> {
        self.vm.code(account)
    }
    fn code_size(&self, account: Address) -> usize {
        self.vm.code_size(account)
    }
    fn code_hash(&self, account: Address) -> B256 {
        self.vm.code_hash(account)
    }
}

impl MemoryAccess for World {
    fn pay_for_memory_grow(&self, pages: u16) {
        self.vm.pay_for_memory_grow(pages)
    }
}

impl MessageAccess for World {
    fn msg_sender(&self) -> Address {
        self.vm.msg_sender()
    }
    fn msg_reentrant(&self) -> bool {
        self.vm.msg_reentrant()
    }
    fn msg_value(&self) -> U256 {
        self.vm.msg_value()
    }
    fn tx_origin(&self) -> Address {
        self.vm.tx_origin()
    }
}

impl MeteringAccess for World {
    fn evm_gas_left(&self) -> u64 {
        self.vm.evm_gas_left()
    }
    fn evm_ink_left(&self) -> u64 {
        self.vm.evm_ink_left()
    }
    fn tx_gas_price(&self) -> U256 {
        self.vm.tx_gas_price()
    }
    fn tx_ink_price(&self) -> u32 {
        self.vm.tx_ink_price()
    }
}

impl RawLogAccess for World {
    fn emit_log(&self, input: &[u8], num_topics: usize) {
        self.vm.emit_log(input, num_topics)
    }
    fn raw_log(&self, topics: &[B256], data: &[u8]) -> Result<(), &'static str> {
        self.vm.raw_log(topics, data)
    }
}
