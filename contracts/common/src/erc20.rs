//! ERC-20 core: balances, allowances, total supply and metadata.
//!
//! Used by the test token, the pool's LP shares and the vault's shares, so a
//! wallet or `cast` shows each of them the same way. Errors follow ERC-6093
//! (the names OpenZeppelin Contracts 5 uses), events follow EIP-20.
//!
//! The interface, events and errors are declared once in the `sol!`
//! interface [`IERC20`]; contracts route its selectors with
//! `crate::lean_router!` to the methods `crate::erc20_methods!` generates
//! (delegating here, optionally calling a hook of the contract before every
//! transfer between holders), and include its ABI in their exported
//! interface.
//!
//! Supply invariant: the sum of all balances equals `total_supply` <= 2^256-1,
//! so once `total_supply` is checked no balance can overflow.

#[allow(unused_imports)]
use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolEvent, sol};

use crate::lean::{Word, emit};
use stylus_sdk::prelude::*;

use crate::slots;

sol! {
    /// The ERC-20 interface (EIP-20) with ERC-6093 errors.
    #[sol(abi)]
    interface IERC20 {
        /// Token name.
        function name() external view returns (string);
        /// Token symbol.
        function symbol() external view returns (string);
        /// Decimals of raw amounts.
        function decimals() external view returns (uint8);
        /// Total supply, raw units.
        function totalSupply() external view returns (uint256);
        /// Balance of `account`.
        function balanceOf(address account) external view returns (uint256);
        /// Moves `value` from the caller to `to`.
        function transfer(address to, uint256 value) external returns (bool);
        /// Moves `value` from `from` to `to` with the caller's allowance.
        function transferFrom(address from, address to, uint256 value) external returns (bool);
        /// Lets `spender` move up to `value` of the caller's tokens.
        function approve(address spender, uint256 value) external returns (bool);
        /// What `spender` may still move out of `owner`'s balance.
        function allowance(address owner, address spender) external view returns (uint256);

        /// `value` tokens moved from `from` to `to`; the zero address stands for
        /// mint (as `from`) and burn (as `to`).
        #[derive(Debug, PartialEq, Eq)]
        event Transfer(address indexed from, address indexed to, uint256 value);
        /// `owner` allowed `spender` to move `value` of its tokens.
        #[derive(Debug, PartialEq, Eq)]
        event Approval(address indexed owner, address indexed spender, uint256 value);

        /// `sender` holds `balance`, less than the `needed` amount.
        #[derive(Debug, PartialEq, Eq)]
        error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
        /// Tokens cannot come from this address (the zero address).
        #[derive(Debug, PartialEq, Eq)]
        error ERC20InvalidSender(address sender);
        /// Tokens cannot go to this address (the zero address).
        #[derive(Debug, PartialEq, Eq)]
        error ERC20InvalidReceiver(address receiver);
        /// `spender` may move `allowance`, less than the `needed` amount.
        #[derive(Debug, PartialEq, Eq)]
        error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
        /// Approvals cannot be given by this address (the zero address).
        #[derive(Debug, PartialEq, Eq)]
        error ERC20InvalidApprover(address approver);
        /// Approvals cannot be given to this address (the zero address).
        #[derive(Debug, PartialEq, Eq)]
        error ERC20InvalidSpender(address spender);
        /// Minting `amount` would take the supply past 2^256 - 1.
        #[derive(Debug, PartialEq, Eq)]
        error ERC20SupplyOverflow(uint256 supply, uint256 amount);
    }
}

pub use IERC20::{
    Approval, ERC20InsufficientAllowance, ERC20InsufficientBalance, ERC20InvalidApprover,
    ERC20InvalidReceiver, ERC20InvalidSender, ERC20InvalidSpender, ERC20SupplyOverflow, Transfer,
};

/// The errors an [`Erc20`] method can return, as `From` conversions into the
/// contract's own error enum (derived by `#[derive(SolidityError)]` when the
/// enum has one variant per error below).
pub trait Erc20Errors:
    From<ERC20InsufficientBalance>
    + From<ERC20InvalidSender>
    + From<ERC20InvalidReceiver>
    + From<ERC20InsufficientAllowance>
    + From<ERC20InvalidApprover>
    + From<ERC20InvalidSpender>
    + From<ERC20SupplyOverflow>
{
}

impl<T> Erc20Errors for T where
    T: From<ERC20InsufficientBalance>
        + From<ERC20InvalidSender>
        + From<ERC20InvalidReceiver>
        + From<ERC20InsufficientAllowance>
        + From<ERC20InvalidApprover>
        + From<ERC20InvalidSpender>
        + From<ERC20SupplyOverflow>
{
}

/// Slot of the total supply.
const SUPPLY: U256 = slots::base(b"il.erc20.supply");
/// Base of the balances map (`keccak(account . BALANCES)`).
const BALANCES: U256 = slots::base(b"il.erc20.balances");
/// Base of the allowances map (`keccak(spender . keccak(owner . ALLOWANCES))`).
const ALLOWANCES: U256 = slots::base(b"il.erc20.allowances");

/// ERC-20 state (supply, balances, allowances in hashed slots, see
/// [`crate::slots`]). Embed it as a field of a `#[storage]` contract.
#[storage]
pub struct Erc20 {}

/// Name, symbol and decimals of a token, supplied by the contract (constants
/// for the pool and vault shares, short strings in storage for the test
/// token). Kept out of [`Erc20`] storage on purpose: the SDK's
/// `StorageString` costs ~20 KB of wasm (a ruint division and the long
/// string layout), most of a contract's 24 KB budget.
pub trait Erc20Metadata {
    /// Token name.
    fn erc20_name(&self) -> String;
    /// Token symbol.
    fn erc20_symbol(&self) -> String;
    /// Decimals of raw amounts.
    fn erc20_decimals(&self) -> u8;
}

impl Erc20 {
    /// Total supply, raw units.
    pub fn total_supply(&self) -> U256 {
        slots::get(self.vm(), SUPPLY)
    }

    /// Balance of `account`, raw units.
    pub fn balance_of(&self, account: Address) -> U256 {
        slots::get(self.vm(), self.balance_slot(account))
    }

    /// What `spender` may still move out of `owner`'s balance.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        slots::get(self.vm(), self.allowance_slot(owner, spender))
    }

    fn balance_slot(&self, account: Address) -> U256 {
        slots::keyed(self.vm(), account.into_word(), BALANCES)
    }

    fn allowance_slot(&self, owner: Address, spender: Address) -> U256 {
        let inner = slots::keyed(self.vm(), owner.into_word(), ALLOWANCES);
        slots::keyed(self.vm(), spender.into_word(), inner)
    }

    /// Moves `value` from `from` to `to`.
    ///
    /// # Errors
    /// `ERC20InvalidSender` / `ERC20InvalidReceiver` for the zero address,
    /// `ERC20InsufficientBalance` when `from` holds less than `value`.
    ///
    /// # Events
    /// `Transfer(from, to, value)`.
    pub fn transfer<E: Erc20Errors>(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<(), E> {
        if from.is_zero() {
            return Err(ERC20InvalidSender { sender: from }.into());
        }
        if to.is_zero() {
            return Err(ERC20InvalidReceiver { receiver: to }.into());
        }
        self.update::<E>(from, to, value)
    }

    /// Moves `value` from `from` to `to` on behalf of `spender`, spending its
    /// allowance (an allowance of 2^256-1 is infinite and never decreases).
    ///
    /// # Errors
    /// `ERC20InsufficientAllowance`, then as [`Self::transfer`].
    ///
    /// # Events
    /// `Transfer(from, to, value)` (no `Approval`: the spent allowance is
    /// readable with `allowance`, as in OpenZeppelin Contracts 5).
    pub fn transfer_from<E: Erc20Errors>(
        &mut self,
        spender: Address,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<(), E> {
        self.spend_allowance::<E>(from, spender, value)?;
        self.transfer::<E>(from, to, value)
    }

    /// Sets `spender`'s allowance over `owner`'s tokens to `value`.
    ///
    /// # Errors
    /// `ERC20InvalidApprover` / `ERC20InvalidSpender` for the zero address.
    ///
    /// # Events
    /// `Approval(owner, spender, value)`.
    pub fn approve<E: Erc20Errors>(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
    ) -> Result<(), E> {
        if owner.is_zero() {
            return Err(ERC20InvalidApprover { approver: owner }.into());
        }
        if spender.is_zero() {
            return Err(ERC20InvalidSpender { spender }.into());
        }
        slots::set(self.vm(), self.allowance_slot(owner, spender), value);
        emit(
            self.vm(),
            &[Approval::SIGNATURE_HASH, owner.to_word(), spender.to_word()],
            &[value.to_word()],
        );
        Ok(())
    }

    /// Decreases `spender`'s allowance over `owner`'s tokens by `value`,
    /// unless it is infinite (2^256-1).
    ///
    /// # Errors
    /// `ERC20InsufficientAllowance` when the allowance is below `value`.
    pub fn spend_allowance<E: Erc20Errors>(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
    ) -> Result<(), E> {
        let current = self.allowance(owner, spender);
        if current == U256::MAX {
            return Ok(());
        }
        let left = current
            .checked_sub(value)
            .ok_or(ERC20InsufficientAllowance {
                spender,
                allowance: current,
                needed: value,
            })?;
        slots::set(self.vm(), self.allowance_slot(owner, spender), left);
        Ok(())
    }

    /// Creates `value` tokens for `to`.
    ///
    /// # Errors
    /// `ERC20InvalidReceiver` for the zero address, `ERC20SupplyOverflow`.
    ///
    /// # Events
    /// `Transfer(0, to, value)`.
    pub fn mint<E: Erc20Errors>(&mut self, to: Address, value: U256) -> Result<(), E> {
        if to.is_zero() {
            return Err(ERC20InvalidReceiver { receiver: to }.into());
        }
        self.update::<E>(Address::ZERO, to, value)
    }

    /// Destroys `value` of `from`'s tokens.
    ///
    /// # Errors
    /// `ERC20InvalidSender` for the zero address, `ERC20InsufficientBalance`.
    ///
    /// # Events
    /// `Transfer(from, 0, value)`.
    pub fn burn<E: Erc20Errors>(&mut self, from: Address, value: U256) -> Result<(), E> {
        if from.is_zero() {
            return Err(ERC20InvalidSender { sender: from }.into());
        }
        self.update::<E>(from, Address::ZERO, value)
    }

    /// Mints `value` tokens that nobody can ever move: they are credited to
    /// the zero address, which has no key and which `transfer` refuses as a
    /// sender. This is Uniswap V2's minimum-liquidity lock (and the vault's
    /// dead shares): the supply can never return to zero, so the first
    /// holder cannot inflate the share price against later ones.
    ///
    /// # Errors
    /// `ERC20SupplyOverflow`.
    ///
    /// # Events
    /// `Transfer(0, 0, value)`, as Uniswap V2 emits.
    pub fn mint_locked<E: Erc20Errors>(&mut self, value: U256) -> Result<(), E> {
        self.add_supply::<E>(value)?;
        let slot = self.balance_slot(Address::ZERO);
        let locked = slots::get(self.vm(), slot);
        // cannot overflow: the locked balance is part of the supply, which was
        // just checked to fit.
        slots::set(self.vm(), slot, locked.wrapping_add(value));
        self.log_transfer(Address::ZERO, Address::ZERO, value);
        Ok(())
    }

    fn add_supply<E: Erc20Errors>(&mut self, value: U256) -> Result<(), E> {
        let supply = self.total_supply();
        let new_supply = supply.checked_add(value).ok_or(ERC20SupplyOverflow {
            supply,
            amount: value,
        })?;
        slots::set(self.vm(), SUPPLY, new_supply);
        Ok(())
    }

    /// The one place balances and supply change. `from == 0` mints,
    /// `to == 0` burns.
    fn update<E: Erc20Errors>(&mut self, from: Address, to: Address, value: U256) -> Result<(), E> {
        if from.is_zero() {
            self.add_supply::<E>(value)?;
        } else {
            let slot = self.balance_slot(from);
            let balance = slots::get(self.vm(), slot);
            let left = balance.checked_sub(value).ok_or(ERC20InsufficientBalance {
                sender: from,
                balance,
                needed: value,
            })?;
            slots::set(self.vm(), slot, left);
        }
        if to.is_zero() {
            let supply = self.total_supply();
            // cannot underflow: `value` was just taken from a balance, and
            // every balance is part of the supply.
            slots::set(self.vm(), SUPPLY, supply.wrapping_sub(value));
        } else {
            let slot = self.balance_slot(to);
            let balance = slots::get(self.vm(), slot);
            // cannot overflow: sum of balances == supply <= 2^256-1.
            slots::set(self.vm(), slot, balance.wrapping_add(value));
        }
        self.log_transfer(from, to, value);
        Ok(())
    }

    fn log_transfer(&self, from: Address, to: Address, value: U256) {
        emit(
            self.vm(),
            &[Transfer::SIGNATURE_HASH, from.to_word(), to.to_word()],
            &[value.to_word()],
        );
    }
}

/// Generates the ERC-20 methods of a contract, delegating to its [`Erc20`]
/// field `$field`, for `crate::lean_router!` to route the [`IERC20`]
/// selectors to: `name`, `symbol`, `decimals`, `total_supply`,
/// `balance_of`, `transfer`, `transfer_from`, `approve`, `allowance`.
///
/// `$contract` implements [`Erc20Metadata`]; `$error` is its error type and
/// converts from every ERC-20 error ([`Erc20Errors`]). With
/// `before_transfer = method`, the contract's `fn method(&mut self, from:
/// Address, to: Address, value: U256) -> Result<(), $error>` runs before
/// every `transfer`/`transferFrom` (the vault moves its per-holder
/// accounting there). The routes, in `lean_router!`:
///
/// ```text
/// IERC20::nameCall => name();
/// IERC20::symbolCall => symbol();
/// IERC20::decimalsCall => decimals();
/// IERC20::totalSupplyCall => total_supply();
/// IERC20::balanceOfCall => balance_of(account: Address);
/// IERC20::transferCall => transfer(to: Address, value: U256);
/// IERC20::transferFromCall => transfer_from(from: Address, to: Address, value: U256);
/// IERC20::approveCall => approve(spender: Address, value: U256);
/// IERC20::allowanceCall => allowance(owner: Address, spender: Address);
/// ```
#[macro_export]
macro_rules! erc20_methods {
    ($contract:ident, $field:ident, $error:ty $(, before_transfer = $hook:ident)?) => {
        impl $contract {
            /// Token name.
            pub fn name(&self) -> Result<alloc::string::String, $error> {
                Ok(<Self as $crate::erc20::Erc20Metadata>::erc20_name(self))
            }

            /// Token symbol.
            pub fn symbol(&self) -> Result<alloc::string::String, $error> {
                Ok(<Self as $crate::erc20::Erc20Metadata>::erc20_symbol(self))
            }

            /// Decimals of raw amounts.
            pub fn decimals(&self) -> Result<u8, $error> {
                Ok(<Self as $crate::erc20::Erc20Metadata>::erc20_decimals(self))
            }

            /// Total supply.
            pub fn total_supply(&self) -> Result<alloy_primitives::U256, $error> {
                Ok(self.$field.total_supply())
            }

            /// Balance of `account`.
            pub fn balance_of(&self, account: alloy_primitives::Address) -> Result<alloy_primitives::U256, $error> {
                Ok(self.$field.balance_of(account))
            }

            /// Moves `value` from the caller to `to`.
            ///
            /// # Errors
            /// ERC-6093 errors (and the hook's).
            ///
            /// # Events
            /// `Transfer`.
            pub fn transfer(&mut self, to: alloy_primitives::Address, value: alloy_primitives::U256) -> Result<bool, $error> {
                let from = stylus_sdk::prelude::HostAccess::vm(self).msg_sender();
                $( self.$hook(from, to, value)?; )?
                self.$field.transfer::<$error>(from, to, value)?;
                Ok(true)
            }

            /// Moves `value` from `from` to `to` with the caller's allowance.
            ///
            /// # Errors
            /// ERC-6093 errors (and the hook's).
            ///
            /// # Events
            /// `Transfer`.
            pub fn transfer_from(
                &mut self,
                from: alloy_primitives::Address,
                to: alloy_primitives::Address,
                value: alloy_primitives::U256,
            ) -> Result<bool, $error> {
                let spender = stylus_sdk::prelude::HostAccess::vm(self).msg_sender();
                $( self.$hook(from, to, value)?; )?
                self.$field.transfer_from::<$error>(spender, from, to, value)?;
                Ok(true)
            }

            /// Lets `spender` move up to `value` of the caller's tokens.
            ///
            /// # Errors
            /// `ERC20InvalidSpender` for the zero address.
            ///
            /// # Events
            /// `Approval`.
            pub fn approve(&mut self, spender: alloy_primitives::Address, value: alloy_primitives::U256) -> Result<bool, $error> {
                let owner = stylus_sdk::prelude::HostAccess::vm(self).msg_sender();
                self.$field.approve::<$error>(owner, spender, value)?;
                Ok(true)
            }

            /// What `spender` may still move out of `owner`'s balance.
            pub fn allowance(
                &self,
                owner: alloy_primitives::Address,
                spender: alloy_primitives::Address,
            ) -> Result<alloy_primitives::U256, $error> {
                Ok(self.$field.allowance(owner, spender))
            }
        }
    };
}
