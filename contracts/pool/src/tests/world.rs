//! A test host that runs the pool next to two real `il-token` contracts.
//!
//! stylus-test's `TestVM::mock_call` cannot serve a pool call: the answer is
//! looked up by calldata, but the return data the SDK then reads is the
//! *last mocked* one, not the matched one, so a `transfer` followed by two
//! `balanceOf`s reads the wrong bytes. This host wraps the pool's `TestVM`
//! (storage, logs, block, sender) and answers the pool's calls to its
//! tokens by running `il_token::Token` natively on a `TestVM` of each
//! token, with `msg.sender` set to the pool: real ERC-20 semantics and
//! errors, real balances.
//!
//! It also gives what a chain gives and a bare `TestVM` does not: a revert
//! undoes state ([`World::call`] snapshots the storage of the pool and of
//! both tokens and restores it when the call returns an error).
//!
//! Fault injection ([`Mode`]) stands for tokens that do not follow the
//! standard: returning `false`, reverting, or returning nothing.

use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    rc::Rc,
};

use alloy_primitives::{Address, B256, U256, address};
use alloy_sol_types::{SolCall, SolValue, sol};
use il_token::Token;
use stylus_sdk::{
    stylus_core::{
        AccountAccess, BlockAccess, CalldataAccess, ChainAccess, CryptographyAccess, Host,
        MemoryAccess, MessageAccess, MeteringAccess, RawLogAccess, StorageAccess, UnsafeCallAccess,
        UnsafeDeploymentAccess,
    },
    testing::TestVM,
};

use crate::{Pool, PoolError};

sol! {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// The pool's address.
pub const POOL: Address = address!("0x0000000000000000000000000000000000001001");
/// token0 and token1.
pub const TOKEN0: Address = address!("0x0000000000000000000000000000000000002000");
pub const TOKEN1: Address = address!("0x0000000000000000000000000000000000003000");
/// The tokens' owner (mints supply).
pub const MINTER: Address = address!("0x00000000000000000000000000000000000000ee");

/// How a token answers the pool (the token's own state is untouched in
/// every mode but `Normal` and `NoReturn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A standard ERC-20 (il-token).
    Normal,
    /// `transfer`/`transferFrom` return `false` without moving anything.
    ReturnFalse,
    /// Every call reverts with empty data.
    Revert,
    /// `transfer`/`transferFrom` move the tokens but return no data (as
    /// USDT on mainnet).
    NoReturn,
    /// `balanceOf` reverts; transfers work.
    BalanceReverts,
}

struct TokenSlot {
    vm: TestVM,
    mode: Cell<Mode>,
}

struct State {
    pool_vm: TestVM,
    tokens: HashMap<Address, TokenSlot>,
    return_data: RefCell<Vec<u8>>,
    calls: Cell<u32>,
}

/// The pool's host: see the module documentation.
#[derive(Clone)]
pub struct World {
    state: Rc<State>,
}

impl World {
    /// A world with two tokens (18 decimals, no faucet) and an empty pool
    /// storage at [`POOL`], block time `1_700_000_000`.
    pub fn new() -> Self {
        let pool_vm = TestVM::new();
        pool_vm.set_contract_address(POOL);
        pool_vm.set_block_timestamp(1_700_000_000);
        let mut tokens = HashMap::new();
        for (address, symbol) in [(TOKEN0, "TK0"), (TOKEN1, "TK1")] {
            let vm = TestVM::new();
            vm.set_contract_address(address);
            vm.set_sender(MINTER);
            Token::from(&vm)
                .constructor(symbol.into(), symbol.into(), 18, MINTER, U256::ZERO, 0)
                .expect("token constructor");
            tokens.insert(
                address,
                TokenSlot {
                    vm,
                    mode: Cell::new(Mode::Normal),
                },
            );
        }
        Self {
            state: Rc::new(State {
                pool_vm,
                tokens,
                return_data: RefCell::new(Vec::new()),
                calls: Cell::new(0),
            }),
        }
    }

    /// The pool's own `TestVM` (sender, time, logs).
    pub fn vm(&self) -> &TestVM {
        &self.state.pool_vm
    }

    fn slot(&self, token: Address) -> &TokenSlot {
        self.state.tokens.get(&token).expect("known token")
    }

    /// Sets how `token` answers the pool.
    pub fn set_mode(&self, token: Address, mode: Mode) {
        self.slot(token).mode.set(mode);
    }

    /// Mints `amount` of `token` to `to`.
    pub fn mint(&self, token: Address, to: Address, amount: U256) {
        let slot = self.slot(token);
        slot.vm.set_sender(MINTER);
        Token::from(&slot.vm).mint(to, amount).expect("mint");
    }

    /// `from` transfers `amount` of `token` to `to` (a payment to the pool or a donation).
    pub fn send(&self, token: Address, from: Address, to: Address, amount: U256) {
        let slot = self.slot(token);
        slot.vm.set_sender(from);
        Token::from(&slot.vm)
            .transfer(to, amount)
            .expect("transfer");
    }

    /// `owner` approves `spender` for `amount` of `token`.
    pub fn approve(&self, token: Address, owner: Address, spender: Address, amount: U256) {
        let slot = self.slot(token);
        slot.vm.set_sender(owner);
        Token::from(&slot.vm)
            .approve(spender, amount)
            .expect("approve");
    }

    /// `account`'s balance of `token`.
    pub fn balance(&self, token: Address, account: Address) -> U256 {
        Token::from(&self.slot(token).vm)
            .balance_of(account)
            .expect("balanceOf")
    }

    /// Number of calls the pool made to its tokens so far.
    pub fn token_calls(&self) -> u32 {
        self.state.calls.get()
    }

    /// Runs `f` on the pool as `sender`, like a transaction: when `f` returns
    /// an error, the storage of the pool and of both tokens is restored to
    /// what it was before (logs are not rolled back).
    pub fn call<T>(
        &self,
        pool: &mut Pool,
        sender: Address,
        f: impl FnOnce(&mut Pool) -> Result<T, PoolError>,
    ) -> Result<T, PoolError> {
        let vms: Vec<&TestVM> = std::iter::once(&self.state.pool_vm)
            .chain(self.state.tokens.values().map(|s| &s.vm))
            .collect();
        let saved: Vec<_> = vms.iter().map(|vm| vm.snapshot().storage).collect();
        self.state.pool_vm.set_sender(sender);
        let result = f(pool);
        if result.is_err() {
            for (vm, storage) in vms.iter().zip(saved) {
                vm.clear_storage();
                for (key, value) in storage {
                    vm.set_storage(key, value);
                }
            }
        }
        result
    }

    /// Executes one call of the pool to `to`: returns `(success, data)`.
    fn dispatch(&self, to: Address, data: &[u8]) -> (bool, Vec<u8>) {
        self.state.calls.set(self.state.calls.get() + 1);
        let Some(slot) = self.state.tokens.get(&to) else {
            // no code at `to`: the call succeeds with no data, as on chain
            return (true, Vec::new());
        };
        let mode = slot.mode.get();
        if mode == Mode::Revert {
            return (false, Vec::new());
        }
        slot.vm.set_sender(POOL);
        let mut token = Token::from(&slot.vm);
        let selector: [u8; 4] = data
            .get(..4)
            .and_then(|s| s.try_into().ok())
            .unwrap_or_default();
        let moved = match selector {
            balanceOfCall::SELECTOR => {
                if mode == Mode::BalanceReverts {
                    return (false, Vec::new());
                }
                let call = balanceOfCall::abi_decode(data).expect("balanceOf calldata");
                return (
                    true,
                    token
                        .balance_of(call.account)
                        .expect("balanceOf")
                        .abi_encode(),
                );
            }
            _ if mode == Mode::ReturnFalse => return (true, false.abi_encode()),
            transferCall::SELECTOR => {
                let call = transferCall::abi_decode(data).expect("transfer calldata");
                token.transfer(call.to, call.value)
            }
            transferFromCall::SELECTOR => {
                let call = transferFromCall::abi_decode(data).expect("transferFrom calldata");
                token.transfer_from(call.from, call.to, call.value)
            }
            _ => panic!("the pool called an unexpected token function {selector:?}"),
        };
        match moved {
            Ok(_) if mode == Mode::NoReturn => (true, Vec::new()),
            Ok(ok) => (true, ok.abi_encode()),
            Err(error) => (false, Vec::<u8>::from(error)),
        }
    }

    unsafe fn call_raw(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the SDK passes a 20-byte address and `data_len` bytes of calldata.
        let (to, data) = unsafe {
            (
                Address::from_slice(std::slice::from_raw_parts(to, 20)),
                std::slice::from_raw_parts(data, data_len).to_vec(),
            )
        };
        let (ok, out) = self.dispatch(to, &data);
        *outs_len = out.len();
        *self.state.return_data.borrow_mut() = out;
        u8::from(!ok)
    }
}

impl Host for World {}

impl CryptographyAccess for World {
    fn native_keccak256(&self, input: &[u8]) -> B256 {
        self.state.pool_vm.native_keccak256(input)
    }
}

impl CalldataAccess for World {
    fn read_args(&self, len: usize) -> Vec<u8> {
        self.state.pool_vm.read_args(len)
    }
    fn read_return_data(&self, offset: usize, size: Option<usize>) -> Vec<u8> {
        let data = self.state.return_data.borrow();
        let start = offset.min(data.len());
        let end = size.map_or(data.len(), |s| start.saturating_add(s).min(data.len()));
        data[start..end].to_vec()
    }
    fn return_data_size(&self) -> usize {
        self.state.return_data.borrow().len()
    }
    fn write_result(&self, data: &[u8]) {
        self.state.pool_vm.write_result(data)
    }
}

unsafe impl UnsafeDeploymentAccess for World {
    unsafe fn create1(&self, _: *const u8, _: usize, _: *const u8, _: *mut u8, _: *mut usize) {
        panic!("the pool deploys nothing")
    }
    unsafe fn create2(
        &self,
        _: *const u8,
        _: usize,
        _: *const u8,
        _: *const u8,
        _: *mut u8,
        _: *mut usize,
    ) {
        panic!("the pool deploys nothing")
    }
}

impl StorageAccess for World {
    fn storage_load_bytes32(&self, key: U256) -> B256 {
        self.state.pool_vm.storage_load_bytes32(key)
    }
    unsafe fn storage_cache_bytes32(&self, key: U256, value: B256) {
        // SAFETY: forwarded as is to the pool's TestVM.
        unsafe { self.state.pool_vm.storage_cache_bytes32(key, value) }
    }
    fn flush_cache(&self, clear: bool) {
        self.state.pool_vm.flush_cache(clear)
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
        // SAFETY: as the SDK's contract for `call_contract`.
        unsafe { self.call_raw(to, data, data_len, outs_len) }
    }
    unsafe fn static_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: as the SDK's contract for `static_call_contract`.
        unsafe { self.call_raw(to, data, data_len, outs_len) }
    }
    unsafe fn delegate_call_contract(
        &self,
        _: *const u8,
        _: *const u8,
        _: usize,
        _: u64,
        _: &mut usize,
    ) -> u8 {
        panic!("the pool makes no delegate call")
    }
}

impl BlockAccess for World {
    fn block_basefee(&self) -> U256 {
        self.state.pool_vm.block_basefee()
    }
    fn block_coinbase(&self) -> Address {
        self.state.pool_vm.block_coinbase()
    }
    fn block_number(&self) -> u64 {
        self.state.pool_vm.block_number()
    }
    fn block_timestamp(&self) -> u64 {
        self.state.pool_vm.block_timestamp()
    }
    fn block_gas_limit(&self) -> u64 {
        self.state.pool_vm.block_gas_limit()
    }
}

impl ChainAccess for World {
    fn chain_id(&self) -> u64 {
        self.state.pool_vm.chain_id()
    }
}

impl AccountAccess for World {
    fn balance(&self, account: Address) -> U256 {
        self.state.pool_vm.balance(account)
    }
    fn contract_address(&self) -> Address {
        self.state.pool_vm.contract_address()
    }
    fn code(&self, account: Address) -> Vec<u8> {
        self.state.pool_vm.code(account)
    }
    fn code_size(&self, account: Address) -> usize {
        self.state.pool_vm.code_size(account)
    }
    fn code_hash(&self, account: Address) -> B256 {
        self.state.pool_vm.code_hash(account)
    }
}

impl MemoryAccess for World {
    fn pay_for_memory_grow(&self, pages: u16) {
        self.state.pool_vm.pay_for_memory_grow(pages)
    }
}

impl MessageAccess for World {
    fn msg_sender(&self) -> Address {
        self.state.pool_vm.msg_sender()
    }
    fn msg_reentrant(&self) -> bool {
        self.state.pool_vm.msg_reentrant()
    }
    fn msg_value(&self) -> U256 {
        self.state.pool_vm.msg_value()
    }
    fn tx_origin(&self) -> Address {
        self.state.pool_vm.tx_origin()
    }
}

impl MeteringAccess for World {
    fn evm_gas_left(&self) -> u64 {
        self.state.pool_vm.evm_gas_left()
    }
    fn evm_ink_left(&self) -> u64 {
        self.state.pool_vm.evm_ink_left()
    }
    fn tx_gas_price(&self) -> U256 {
        self.state.pool_vm.tx_gas_price()
    }
    fn tx_ink_price(&self) -> u32 {
        self.state.pool_vm.tx_ink_price()
    }
}

impl RawLogAccess for World {
    fn emit_log(&self, input: &[u8], num_topics: usize) {
        self.state.pool_vm.emit_log(input, num_topics)
    }
    fn raw_log(&self, topics: &[B256], data: &[u8]) -> Result<(), &'static str> {
        self.state.pool_vm.raw_log(topics, data)
    }
}
