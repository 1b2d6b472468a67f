//! World state (accounts, storage, activated programs) and the journal that
//! undoes every change of a failed call frame: balances, nonces, code,
//! storage, activations, and the per-transaction state both VMs share (the
//! EIP-2929 warm sets, EIP-1153 transient storage, the EIP-3529 refund
//! counter, accounts created and self-destructed in the transaction), as
//! geth journals them.

use std::collections::{BTreeMap, HashMap, HashSet};

use alloy::primitives::{Address, B256, Bytes, KECCAK256_EMPTY, Log, U256, keccak256};
use serde::{Deserialize, Serialize};

/// One account. Contracts have code; externally owned accounts do not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Balance in wei.
    pub balance: U256,
    /// Transactions sent (EOA) or contracts created (contract; starts at 1).
    pub nonce: u64,
    /// Account code: EVM bytecode, Stylus code `0xEFF000 ...`, a precompile
    /// marker, or empty.
    code: Bytes,
    /// keccak256 of `code`, kept with it (hashing 24 KiB on every call
    /// would cost more than running the program).
    #[serde(default)]
    code_hash: B256,
}

impl Account {
    /// The code.
    pub fn code(&self) -> &Bytes {
        &self.code
    }

    /// Sets the code and its hash.
    pub fn set_code(&mut self, code: Bytes) {
        self.code_hash = if code.is_empty() {
            B256::ZERO
        } else {
            keccak256(&code)
        };
        self.code = code;
    }

    /// keccak256 of the code (`keccak256("")` for none).
    pub fn code_hash(&self) -> B256 {
        if self.code.is_empty() {
            KECCAK256_EMPTY
        } else if self.code_hash.is_zero() {
            // a hand-written or older state file without the hash
            keccak256(&self.code)
        } else {
            self.code_hash
        }
    }

    /// EIP-161 emptiness: no code, nonce 0, balance 0.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty() && self.nonce == 0 && self.balance.is_zero()
    }
}

/// What ArbWasm recorded when it activated a code hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramInfo {
    /// Stylus version the code was activated against.
    pub version: u16,
    /// keccak256 of the validated (decompressed) wasm.
    pub module_hash: B256,
    /// Block timestamp of activation (or of the last keepalive), seconds.
    pub activated_at: u64,
    /// Initial linear memory of the module, in 64 KiB pages.
    pub footprint: u16,
    /// Gas an uncached call pays to start the program on top of
    /// `cached_gas` (Nitro's `initGas`; `il_wasm::costs`).
    pub init_gas: u64,
    /// Gas every call pays to start the program (Nitro's `cachedGas`).
    #[serde(default)]
    pub cached_gas: u64,
    /// Nitro's asm size estimate in whole KiB, bytes (`codehashAsmSize`;
    /// keepalives are priced on it).
    #[serde(default)]
    pub asm_size: u32,
}

/// The persistent part of the chain: accounts, storage and activations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorldState {
    /// Accounts by address.
    pub accounts: BTreeMap<Address, Account>,
    /// Non-zero storage slots by account, then slot.
    pub storage: BTreeMap<Address, BTreeMap<U256, B256>>,
    /// Activated programs by code hash.
    pub programs: BTreeMap<B256, ProgramInfo>,
    /// ArbWasm's data pricer (activation and keepalive fees).
    #[serde(default)]
    pub data_pricer: super::gas::DataPricer,
}

impl WorldState {
    /// The account at `address` (a default, empty one if absent).
    pub fn account(&self, address: &Address) -> Account {
        self.accounts.get(address).cloned().unwrap_or_default()
    }

    /// Storage of `address` at `key` (zero if unset).
    pub fn storage(&self, address: &Address, key: &U256) -> B256 {
        self.storage
            .get(address)
            .and_then(|s| s.get(key))
            .copied()
            .unwrap_or(B256::ZERO)
    }

    /// The Merkle-Patricia state root of this state, as Ethereum computes it
    /// (accounts keyed by keccak(address), storage tries by keccak(slot)).
    pub fn state_root(&self) -> B256 {
        let accounts = self.accounts.iter().map(|(address, account)| {
            let storage_root = alloy::trie::root::storage_root_unhashed(
                self.storage
                    .get(address)
                    .into_iter()
                    .flat_map(|s| s.iter())
                    .map(|(k, v)| (B256::from(*k), U256::from_be_bytes(v.0))),
            );
            (
                *address,
                alloy::trie::TrieAccount {
                    nonce: account.nonce,
                    balance: account.balance,
                    storage_root,
                    code_hash: account.code_hash(),
                },
            )
        });
        alloy::trie::root::state_root_unhashed(accounts)
    }
}

/// Undo records, one per state change.
#[derive(Debug, Clone)]
enum JournalEntry {
    Account {
        address: Address,
        previous: Option<Account>,
    },
    Storage {
        address: Address,
        key: U256,
        previous: B256,
    },
    Program {
        code_hash: B256,
        previous: Option<ProgramInfo>,
    },
    DataPricer(super::gas::DataPricer),
    /// Every storage slot of an account removed (a self-destruct).
    StorageCleared {
        address: Address,
        previous: BTreeMap<U256, B256>,
    },
    WarmAccount(Address),
    WarmSlot(Address, U256),
    Transient {
        address: Address,
        key: U256,
        previous: U256,
    },
    Refund {
        previous: i64,
    },
    Created(Address),
    Destructed(Address),
}

/// A position in the journal and the log list to return to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    journal: usize,
    logs: usize,
}

/// World state plus the per-transaction journal, logs and access sets.
#[derive(Debug, Default)]
pub(crate) struct Journaled {
    pub world: WorldState,
    journal: Vec<JournalEntry>,
    logs: Vec<Log>,
    warm_accounts: HashSet<Address>,
    warm_slots: HashSet<(Address, U256)>,
    /// Value at the start of the transaction of every slot written in it
    /// (EIP-2200's "original value"). Not journaled: a revert does not change
    /// what the value was when the transaction began.
    original: HashMap<(Address, U256), B256>,
    /// EIP-1153 transient storage (non-zero values).
    transient: HashMap<(Address, U256), U256>,
    /// EIP-3529 refund counter of the transaction, gas (EVM SSTOREs only).
    refund: i64,
    /// Accounts created in this transaction (EIP-6780).
    created: HashSet<Address>,
    /// Accounts to delete at the end of the transaction (EIP-6780).
    destructed: HashSet<Address>,
    /// Open frames per acting address (reentrancy as on Nitro).
    active: HashMap<Address, u32>,
    /// Wasm pages the open program frames of the transaction hold (Nitro's
    /// `stylusPagesOpen`; released when a frame ends, not journaled).
    pages_open: u32,
    /// Most pages the transaction has held at once (`stylusPagesEver`).
    pages_ever: u32,
}

impl Journaled {
    pub fn new(world: WorldState) -> Self {
        Self {
            world,
            ..Self::default()
        }
    }

    /// Starts a transaction: clears journal, logs, access sets, transient
    /// storage, the refund counter and the created/destructed sets.
    pub fn begin_tx(&mut self) {
        self.journal.clear();
        self.logs.clear();
        self.warm_accounts.clear();
        self.warm_slots.clear();
        self.original.clear();
        self.transient.clear();
        self.refund = 0;
        self.created.clear();
        self.destructed.clear();
        self.active.clear();
        self.pages_open = 0;
        self.pages_ever = 0;
    }

    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            journal: self.journal.len(),
            logs: self.logs.len(),
        }
    }

    /// Undoes every change made after `cp`.
    pub fn revert_to(&mut self, cp: Checkpoint) {
        while self.journal.len() > cp.journal {
            match self.journal.pop() {
                Some(JournalEntry::Account { address, previous }) => match previous {
                    Some(a) => {
                        self.world.accounts.insert(address, a);
                    }
                    None => {
                        self.world.accounts.remove(&address);
                    }
                },
                Some(JournalEntry::Storage {
                    address,
                    key,
                    previous,
                }) => self.write_slot(address, key, previous),
                Some(JournalEntry::Program {
                    code_hash,
                    previous,
                }) => match previous {
                    Some(p) => {
                        self.world.programs.insert(code_hash, p);
                    }
                    None => {
                        self.world.programs.remove(&code_hash);
                    }
                },
                Some(JournalEntry::DataPricer(previous)) => self.world.data_pricer = previous,
                Some(JournalEntry::StorageCleared { address, previous }) => {
                    if !previous.is_empty() {
                        self.world.storage.insert(address, previous);
                    }
                }
                Some(JournalEntry::WarmAccount(address)) => {
                    self.warm_accounts.remove(&address);
                }
                Some(JournalEntry::WarmSlot(address, key)) => {
                    self.warm_slots.remove(&(address, key));
                }
                Some(JournalEntry::Transient {
                    address,
                    key,
                    previous,
                }) => self.write_transient(address, key, previous),
                Some(JournalEntry::Refund { previous }) => self.refund = previous,
                Some(JournalEntry::Created(address)) => {
                    self.created.remove(&address);
                }
                Some(JournalEntry::Destructed(address)) => {
                    self.destructed.remove(&address);
                }
                None => break,
            }
        }
        self.logs.truncate(cp.logs);
    }

    /// Logs emitted since the transaction began (and not reverted).
    #[cfg(test)]
    pub fn logs(&self) -> &[Log] {
        &self.logs
    }

    pub fn take_logs(&mut self) -> Vec<Log> {
        std::mem::take(&mut self.logs)
    }

    pub fn push_log(&mut self, log: Log) {
        self.logs.push(log);
    }

    /// Marks `address` accessed; true if it was cold. Journaled: a frame
    /// that reverts makes it cold again (EIP-2929, as geth does).
    pub fn touch_account(&mut self, address: Address) -> bool {
        let cold = self.warm_accounts.insert(address);
        if cold {
            self.journal.push(JournalEntry::WarmAccount(address));
        }
        cold
    }

    /// Marks the slot accessed; true if it was cold. Journaled as
    /// [`Journaled::touch_account`].
    pub fn touch_slot(&mut self, address: Address, key: U256) -> bool {
        let cold = self.warm_slots.insert((address, key));
        if cold {
            self.journal.push(JournalEntry::WarmSlot(address, key));
        }
        cold
    }

    /// True if `address` was accessed in this transaction.
    pub fn is_warm_account(&self, address: Address) -> bool {
        self.warm_accounts.contains(&address)
    }

    /// True if the slot was accessed in this transaction.
    pub fn is_warm_slot(&self, address: Address, key: U256) -> bool {
        self.warm_slots.contains(&(address, key))
    }

    /// The slot's value when the transaction began.
    pub fn original_storage(&self, address: Address, key: U256) -> B256 {
        match self.original.get(&(address, key)) {
            Some(v) => *v,
            None => self.storage(address, key),
        }
    }

    /// EIP-1153 `TLOAD`.
    pub fn transient(&self, address: Address, key: U256) -> U256 {
        self.transient
            .get(&(address, key))
            .copied()
            .unwrap_or(U256::ZERO)
    }

    /// EIP-1153 `TSTORE`, journaled.
    pub fn set_transient(&mut self, address: Address, key: U256, value: U256) {
        let previous = self.transient(address, key);
        if previous == value {
            return;
        }
        self.journal.push(JournalEntry::Transient {
            address,
            key,
            previous,
        });
        self.write_transient(address, key, value);
    }

    fn write_transient(&mut self, address: Address, key: U256, value: U256) {
        if value.is_zero() {
            self.transient.remove(&(address, key));
        } else {
            self.transient.insert((address, key), value);
        }
    }

    /// The refund counter, gas (may be negative inside a transaction).
    pub fn refund(&self) -> i64 {
        self.refund
    }

    /// Adds `delta` gas to the refund counter, journaled.
    pub fn add_refund(&mut self, delta: i64) {
        if delta == 0 {
            return;
        }
        self.journal.push(JournalEntry::Refund {
            previous: self.refund,
        });
        self.refund = self.refund.saturating_add(delta);
    }

    /// Records that `address` was created in this transaction, journaled.
    pub fn mark_created(&mut self, address: Address) {
        if self.created.insert(address) {
            self.journal.push(JournalEntry::Created(address));
        }
    }

    /// True if `address` was created in this transaction.
    pub fn is_created(&self, address: Address) -> bool {
        self.created.contains(&address)
    }

    /// Schedules `address` for deletion at the end of the transaction;
    /// false if it already was. Journaled.
    pub fn mark_destructed(&mut self, address: Address) -> bool {
        let new = self.destructed.insert(address);
        if new {
            self.journal.push(JournalEntry::Destructed(address));
        }
        new
    }

    /// Deletes the accounts self-destructed in this transaction (their
    /// balance, nonce, code and storage), journaled.
    pub fn delete_destructed(&mut self) {
        let mut doomed: Vec<Address> = self.destructed.iter().copied().collect();
        doomed.sort();
        for address in doomed {
            self.record_account(address);
            self.world.accounts.remove(&address);
            let previous = self.world.storage.remove(&address).unwrap_or_default();
            self.journal
                .push(JournalEntry::StorageCleared { address, previous });
        }
    }

    pub fn enter(&mut self, address: Address) -> bool {
        let open = self.active.entry(address).or_insert(0);
        let reentrant = *open > 0;
        *open = open.saturating_add(1);
        reentrant
    }

    pub fn leave(&mut self, address: Address) {
        if let Some(open) = self.active.get_mut(&address) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                self.active.remove(&address);
            }
        }
    }

    fn record_account(&mut self, address: Address) {
        let previous = self.world.accounts.get(&address).cloned();
        self.journal
            .push(JournalEntry::Account { address, previous });
    }

    /// Applies `f` to the account (created if absent), journaled.
    pub fn modify_account<R>(&mut self, address: Address, f: impl FnOnce(&mut Account) -> R) -> R {
        self.record_account(address);
        let account = self.world.accounts.entry(address).or_default();
        f(account)
    }

    /// Adds `amount` to the balance of `address`; false (and no change) on overflow.
    pub fn add_balance(&mut self, address: Address, amount: U256) -> bool {
        let current = self.world.account(&address).balance;
        match current.checked_add(amount) {
            Some(b) => {
                self.modify_account(address, |a| a.balance = b);
                true
            }
            None => false,
        }
    }

    /// Subtracts `amount`; false (and no change) if the balance is short.
    pub fn sub_balance(&mut self, address: Address, amount: U256) -> bool {
        let current = self.world.account(&address).balance;
        match current.checked_sub(amount) {
            Some(b) => {
                self.modify_account(address, |a| a.balance = b);
                true
            }
            None => false,
        }
    }

    /// Moves `amount` from `from` to `to`; false (and no change) if `from` is short.
    pub fn transfer(&mut self, from: Address, to: Address, amount: U256) -> bool {
        if amount.is_zero() || from == to {
            return self.world.account(&from).balance >= amount;
        }
        if !self.sub_balance(from, amount) {
            return false;
        }
        if !self.add_balance(to, amount) {
            // cannot happen: total supply is far below 2^256; undo for safety
            self.add_balance(from, amount);
            return false;
        }
        true
    }

    pub fn storage(&self, address: Address, key: U256) -> B256 {
        self.world.storage(&address, &key)
    }

    pub fn set_storage(&mut self, address: Address, key: U256, value: B256) {
        let previous = self.world.storage(&address, &key);
        if previous == value {
            return;
        }
        self.original.entry((address, key)).or_insert(previous);
        self.journal.push(JournalEntry::Storage {
            address,
            key,
            previous,
        });
        self.write_slot(address, key, value);
    }

    fn write_slot(&mut self, address: Address, key: U256, value: B256) {
        if value.is_zero() {
            if let Some(slots) = self.world.storage.get_mut(&address) {
                slots.remove(&key);
                if slots.is_empty() {
                    self.world.storage.remove(&address);
                }
            }
        } else {
            self.world
                .storage
                .entry(address)
                .or_default()
                .insert(key, value);
        }
    }

    /// Charges the data pricer with `bytes` at `now` (journaled) and returns the fee.
    pub fn price_data(&mut self, bytes: u32, now: u64) -> U256 {
        let previous = self.world.data_pricer;
        self.journal.push(JournalEntry::DataPricer(previous));
        self.world.data_pricer.update(bytes, now)
    }

    /// Pages open in the transaction's program frames.
    pub fn pages_open(&self) -> u32 {
        self.pages_open
    }

    /// The gas of opening `pages` more pages now (`gas::memory_gas`).
    pub fn pages_cost(&self, pages: u32) -> u64 {
        super::gas::memory_gas(pages, self.pages_open, self.pages_ever)
    }

    /// Records `pages` more pages open (paid for).
    pub fn open_pages(&mut self, pages: u32) {
        self.pages_open = self.pages_open.saturating_add(pages);
        self.pages_ever = self.pages_ever.max(self.pages_open);
    }

    /// Releases pages when a frame ends: back to `open` (the peak stays).
    pub fn close_pages(&mut self, open: u32) {
        self.pages_open = open;
    }

    pub fn set_program(&mut self, code_hash: B256, info: ProgramInfo) {
        let previous = self.world.programs.insert(code_hash, info);
        self.journal.push(JournalEntry::Program {
            code_hash,
            previous,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(b: u8) -> Address {
        Address::with_last_byte(b)
    }

    #[test]
    fn pages_are_counted_per_transaction_and_the_peak_is_paid_once() {
        let mut j = Journaled::default();
        j.begin_tx();
        // a program opens 10 pages, calls one that opens 5, both return
        let first = j.pages_cost(10);
        assert_eq!(first, super::super::gas::memory_gas(10, 0, 0));
        j.open_pages(10);
        let nested = j.pages_cost(5);
        assert_eq!(
            nested,
            5_000 + super::super::gas::memory_exp(15) - super::super::gas::memory_exp(10)
        );
        j.open_pages(5);
        j.close_pages(10);
        j.close_pages(0);
        // a second program in the same transaction pays the linear part only
        assert_eq!(j.pages_cost(15), 13_000);
        // a new transaction starts from nothing
        j.begin_tx();
        assert_eq!(j.pages_cost(10), first);
    }

    #[test]
    fn revert_undoes_balances_storage_programs_and_logs() {
        let mut j = Journaled::default();
        j.add_balance(addr(1), U256::from(100));
        let cp = j.checkpoint();
        assert!(j.transfer(addr(1), addr(2), U256::from(40)));
        j.set_storage(addr(2), U256::from(7), B256::with_last_byte(9));
        j.set_program(
            B256::with_last_byte(1),
            ProgramInfo {
                version: 2,
                module_hash: B256::ZERO,
                activated_at: 0,
                footprint: 1,
                init_gas: 1,
                cached_gas: 1,
                asm_size: 1_024,
            },
        );
        j.push_log(Log::new_unchecked(addr(2), vec![], Bytes::new()));
        j.revert_to(cp);
        assert_eq!(j.world.account(&addr(1)).balance, U256::from(100));
        assert!(!j.world.accounts.contains_key(&addr(2)));
        assert_eq!(j.storage(addr(2), U256::from(7)), B256::ZERO);
        assert!(j.world.storage.is_empty());
        assert!(j.world.programs.is_empty());
        assert!(j.logs().is_empty());
    }

    #[test]
    fn transfer_refuses_overdraft_without_change() {
        let mut j = Journaled::default();
        j.add_balance(addr(1), U256::from(5));
        assert!(!j.transfer(addr(1), addr(2), U256::from(6)));
        assert_eq!(j.world.account(&addr(1)).balance, U256::from(5));
        assert!(!j.world.accounts.contains_key(&addr(2)));
    }

    #[test]
    fn empty_state_has_the_empty_trie_root() {
        assert_eq!(
            WorldState::default().state_root(),
            alloy::trie::EMPTY_ROOT_HASH
        );
    }

    #[test]
    fn revert_makes_accessed_accounts_and_slots_cold_again() {
        let mut j = Journaled::default();
        assert!(j.touch_account(addr(1)));
        let cp = j.checkpoint();
        assert!(j.touch_account(addr(2)));
        assert!(!j.touch_account(addr(1)));
        assert!(j.touch_slot(addr(2), U256::from(3)));
        j.revert_to(cp);
        assert!(j.is_warm_account(addr(1)));
        assert!(!j.is_warm_account(addr(2)));
        assert!(!j.is_warm_slot(addr(2), U256::from(3)));
    }

    #[test]
    fn transient_storage_and_refunds_are_journaled_and_cleared_per_transaction() {
        let mut j = Journaled::default();
        j.set_transient(addr(1), U256::from(1), U256::from(5));
        j.add_refund(4_800);
        let cp = j.checkpoint();
        j.set_transient(addr(1), U256::from(1), U256::from(6));
        j.add_refund(-2_800);
        j.revert_to(cp);
        assert_eq!(j.transient(addr(1), U256::from(1)), U256::from(5));
        assert_eq!(j.refund(), 4_800);
        j.begin_tx();
        assert_eq!(j.transient(addr(1), U256::from(1)), U256::ZERO);
        assert_eq!(j.refund(), 0);
    }

    #[test]
    fn original_storage_is_the_value_before_the_transaction() {
        let mut j = Journaled::default();
        j.set_storage(addr(1), U256::from(1), B256::with_last_byte(7));
        j.begin_tx();
        j.set_storage(addr(1), U256::from(1), B256::with_last_byte(8));
        j.set_storage(addr(1), U256::from(1), B256::with_last_byte(9));
        assert_eq!(
            j.original_storage(addr(1), U256::from(1)),
            B256::with_last_byte(7)
        );
        assert_eq!(j.original_storage(addr(1), U256::from(2)), B256::ZERO);
    }

    #[test]
    fn destructed_accounts_are_deleted_with_their_storage_and_can_be_restored() {
        let mut j = Journaled::default();
        j.add_balance(addr(1), U256::from(9));
        j.set_storage(addr(1), U256::from(1), B256::with_last_byte(1));
        let cp = j.checkpoint();
        j.mark_created(addr(1));
        assert!(j.mark_destructed(addr(1)));
        assert!(!j.mark_destructed(addr(1)));
        j.delete_destructed();
        assert!(!j.world.accounts.contains_key(&addr(1)));
        assert!(j.world.storage.is_empty());
        j.revert_to(cp);
        assert_eq!(j.world.account(&addr(1)).balance, U256::from(9));
        assert_eq!(j.storage(addr(1), U256::from(1)), B256::with_last_byte(1));
        assert!(!j.is_created(addr(1)));
    }

    #[test]
    fn reentrancy_counts_open_frames() {
        let mut j = Journaled::default();
        assert!(!j.enter(addr(1)));
        assert!(j.enter(addr(1)));
        j.leave(addr(1));
        j.leave(addr(1));
        assert!(!j.enter(addr(1)));
    }
}
