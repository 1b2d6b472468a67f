//! ERC-20 core: balances, allowances, total supply and metadata.
//!
//! Used by the test token, the pool's LP shares and the vault's shares, so a
//! wallet or `cast` shows each of them the same way. Errors follow ERC-6093
//! (the names OpenZeppelin Contracts 5 uses), events follow EIP-20.
//!
//! Contracts expose the standard interface with [`erc20_interface!`]
//! (`crate::erc20_interface`), which generates the `IErc20` trait and its
//! `#[public]` impl delegating here, optionally calling a hook of the
//! contract before every transfer between holders.
//!
//! Supply invariant: the sum of all balances equals `total_supply` <= 2^256-1,
//! so once `total_supply` is checked no balance can overflow.

use alloc::string::String;

use alloy_primitives::{Address, U256};
use alloy_sol_types::sol;
use stylus_sdk::{
    prelude::*,
    storage::{StorageMap, StorageU256},
};

sol! {
    /// The ERC-20 events (EIP-20).
    #[sol(abi)]
    interface Erc20Events {
        /// `value` tokens moved from `from` to `to`; the zero address stands for
        /// mint (as `from`) and burn (as `to`).
        #[derive(Debug, PartialEq, Eq)]
        event Transfer(address indexed from, address indexed to, uint256 value);
        /// `owner` allowed `spender` to move `value` of its tokens.
        #[derive(Debug, PartialEq, Eq)]
        event Approval(address indexed owner, address indexed spender, uint256 value);
    }
}

pub use Erc20Events::{Approval, Transfer};

sol! {
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

/// ERC-20 state. Embed it as a field of a `#[storage]` contract.
#[storage]
pub struct Erc20 {
    balances: StorageMap<Address, StorageU256>,
    allowances: StorageMap<Address, StorageMap<Address, StorageU256>>,
    total_supply: StorageU256,
}

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
        self.total_supply.get()
    }

    /// Balance of `account`, raw units.
    pub fn balance_of(&self, account: Address) -> U256 {
        self.balances.get(account)
    }

    /// What `spender` may still move out of `owner`'s balance.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.allowances.getter(owner).get(spender)
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
        self.allowances.setter(owner).setter(spender).set(value);
        self.vm().log(Approval {
            owner,
            spender,
            value,
        });
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
        let left = current.checked_sub(value).ok_or(ERC20InsufficientAllowance {
            spender,
            allowance: current,
            needed: value,
        })?;
        self.allowances.setter(owner).setter(spender).set(left);
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
        let locked = self.balances.get(Address::ZERO);
        // cannot overflow: the locked balance is part of the supply, which was
        // just checked to fit.
        self.balances
            .setter(Address::ZERO)
            .set(locked.wrapping_add(value));
        self.vm().log(Transfer {
            from: Address::ZERO,
            to: Address::ZERO,
            value,
        });
        Ok(())
    }

    fn add_supply<E: Erc20Errors>(&mut self, value: U256) -> Result<(), E> {
        let supply = self.total_supply.get();
        let new_supply = supply.checked_add(value).ok_or(ERC20SupplyOverflow {
            supply,
            amount: value,
        })?;
        self.total_supply.set(new_supply);
        Ok(())
    }

    /// The one place balances and supply change. `from == 0` mints,
    /// `to == 0` burns.
    fn update<E: Erc20Errors>(&mut self, from: Address, to: Address, value: U256) -> Result<(), E> {
        if from.is_zero() {
            self.add_supply::<E>(value)?;
        } else {
            let balance = self.balances.get(from);
            let left = balance
                .checked_sub(value)
                .ok_or(ERC20InsufficientBalance {
                    sender: from,
                    balance,
                    needed: value,
                })?;
            self.balances.setter(from).set(left);
        }
        if to.is_zero() {
            let supply = self.total_supply.get();
            // cannot underflow: `value` was just taken from a balance, and
            // every balance is part of the supply.
            self.total_supply.set(supply.wrapping_sub(value));
        } else {
            let balance = self.balances.get(to);
            // cannot overflow: sum of balances == supply <= 2^256-1.
            self.balances.setter(to).set(balance.wrapping_add(value));
        }
        self.vm().log(Transfer { from, to, value });
        Ok(())
    }
}

/// Generates the standard ERC-20 interface of a contract: a `#[public]`
/// trait `IErc20` (name, symbol, decimals, totalSupply, balanceOf, transfer,
/// transferFrom, approve, allowance) and its impl for `$contract`, delegating
/// to the [`Erc20`] field `$field`. Add `IErc20` to the contract's
/// `#[implements(...)]` list.
///
/// `$contract` implements [`Erc20Metadata`]; `$error` is the contract's
/// error enum and must convert from every ERC-20 error ([`Erc20Errors`]). With `before_transfer = method`, the contract's
/// `fn method(&mut self, from: Address, to: Address, value: U256) ->
/// Result<(), $error>` runs before every `transfer`/`transferFrom` (the vault
/// moves its per-holder accounting there).
#[macro_export]
macro_rules! erc20_interface {
    ($contract:ident, $field:ident, $error:ty $(, before_transfer = $hook:ident)?) => {
        /// The ERC-20 interface (EIP-20).
        #[stylus_sdk::prelude::public]
        pub trait IErc20 {
            /// Token name.
            fn name(&self) -> alloc::string::String;
            /// Token symbol.
            fn symbol(&self) -> alloc::string::String;
            /// Decimals of raw amounts.
            fn decimals(&self) -> u8;
            /// Total supply.
            fn total_supply(&self) -> stylus_sdk::alloy_primitives::U256;
            /// Balance of `account`.
            fn balance_of(
                &self,
                account: stylus_sdk::alloy_primitives::Address,
            ) -> stylus_sdk::alloy_primitives::U256;
            /// Moves `value` from the caller to `to`.
            fn transfer(
                &mut self,
                to: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $error>;
            /// Moves `value` from `from` to `to` with the caller's allowance.
            fn transfer_from(
                &mut self,
                from: stylus_sdk::alloy_primitives::Address,
                to: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $error>;
            /// Lets `spender` move up to `value` of the caller's tokens.
            fn approve(
                &mut self,
                spender: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $error>;
            /// Allowance of `spender` over `owner`'s tokens.
            fn allowance(
                &self,
                owner: stylus_sdk::alloy_primitives::Address,
                spender: stylus_sdk::alloy_primitives::Address,
            ) -> stylus_sdk::alloy_primitives::U256;
        }

        #[stylus_sdk::prelude::public]
        impl IErc20 for $contract {
            fn name(&self) -> alloc::string::String {
                <Self as $crate::erc20::Erc20Metadata>::erc20_name(self)
            }

            fn symbol(&self) -> alloc::string::String {
                <Self as $crate::erc20::Erc20Metadata>::erc20_symbol(self)
            }

            fn decimals(&self) -> u8 {
                <Self as $crate::erc20::Erc20Metadata>::erc20_decimals(self)
            }

            fn total_supply(&self) -> stylus_sdk::alloy_primitives::U256 {
                self.$field.total_supply()
            }

            fn balance_of(
                &self,
                account: stylus_sdk::alloy_primitives::Address,
            ) -> stylus_sdk::alloy_primitives::U256 {
                self.$field.balance_of(account)
            }

            fn transfer(
                &mut self,
                to: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $error> {
                let from = self.vm().msg_sender();
                $( self.$hook(from, to, value)?; )?
                self.$field.transfer::<$error>(from, to, value)?;
                Ok(true)
            }

            fn transfer_from(
                &mut self,
                from: stylus_sdk::alloy_primitives::Address,
                to: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $error> {
                let spender = self.vm().msg_sender();
                $( self.$hook(from, to, value)?; )?
                self.$field.transfer_from::<$error>(spender, from, to, value)?;
                Ok(true)
            }

            fn approve(
                &mut self,
                spender: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $error> {
                let owner = self.vm().msg_sender();
                self.$field.approve::<$error>(owner, spender, value)?;
                Ok(true)
            }

            fn allowance(
                &self,
                owner: stylus_sdk::alloy_primitives::Address,
                spender: stylus_sdk::alloy_primitives::Address,
            ) -> stylus_sdk::alloy_primitives::U256 {
                self.$field.allowance(owner, spender)
            }
        }
    };
}
