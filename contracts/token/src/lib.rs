//! ERC-20 test token for local chains and testnets: the owner mints supply,
//! and anyone may draw a fixed amount from a faucet at most once per
//! cooldown, so a new user can try the vault without asking anyone.
//!
//! Not a production asset: on mainnet the vault uses real tokens.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::string::String;

use alloy_primitives::{Address, U256};
use alloy_sol_types::sol;
use il_common::{Erc20, Erc20Metadata, Ownable2Step, ShortString, erc20, ownable};
use stylus_sdk::{
    prelude::*,
    storage::{StorageMap, StorageU8, StorageU64, StorageU256},
};

sol! {
    /// The token's own events (ERC-20 and ownership events come from il-common).
    #[sol(abi)]
    interface TokenEvents {
        /// `account` drew `amount` from the faucet.
        #[derive(Debug, PartialEq, Eq)]
        event FaucetDrawn(address indexed account, uint256 amount);
        /// The owner set the faucet to `amount` per draw, one draw per `cooldown` seconds.
        #[derive(Debug, PartialEq, Eq)]
        event FaucetUpdated(uint256 amount, uint64 cooldown);
    }
}

pub use TokenEvents::{FaucetDrawn, FaucetUpdated};

sol! {
    /// The faucet is off (its amount is zero).
    #[derive(Debug, PartialEq, Eq)]
    error TokenFaucetDisabled();
    /// Name and symbol must be 1 to 31 bytes.
    #[derive(Debug, PartialEq, Eq)]
    error TokenInvalidMetadata();
    /// The caller drew too recently; the next draw is allowed at `availableAt` (unix seconds).
    #[derive(Debug, PartialEq, Eq)]
    error TokenFaucetCooldown(uint64 availableAt);
}

/// Every way a call can fail, as named Solidity errors.
#[derive(SolidityError, Debug, PartialEq)]
pub enum TokenError {
    InsufficientBalance(erc20::ERC20InsufficientBalance),
    InvalidSender(erc20::ERC20InvalidSender),
    InvalidReceiver(erc20::ERC20InvalidReceiver),
    InsufficientAllowance(erc20::ERC20InsufficientAllowance),
    InvalidApprover(erc20::ERC20InvalidApprover),
    InvalidSpender(erc20::ERC20InvalidSpender),
    SupplyOverflow(erc20::ERC20SupplyOverflow),
    Unauthorized(ownable::OwnableUnauthorizedAccount),
    InvalidOwner(ownable::OwnableInvalidOwner),
    InvalidMetadata(TokenInvalidMetadata),
    FaucetDisabled(TokenFaucetDisabled),
    FaucetCooldown(TokenFaucetCooldown),
}

/// The token's storage.
#[storage]
#[entrypoint]
pub struct Token {
    erc20: Erc20,
    name: ShortString,
    symbol: ShortString,
    decimals: StorageU8,
    ownable: Ownable2Step,
    faucet_amount: StorageU256,
    faucet_cooldown: StorageU64,
    /// Unix time of each account's last faucet draw (0: never).
    last_draw: StorageMap<Address, StorageU64>,
}

#[public]
#[implements(IErc20, IOwnable)]
impl Token {
    /// Sets metadata, the owner and the faucet (`faucet_amount` 0 turns it off).
    ///
    /// # Errors
    /// `TokenInvalidMetadata` for an empty name or symbol or one over 31
    /// bytes, `OwnableInvalidOwner` for a zero owner.
    ///
    /// # Events
    /// `OwnershipTransferred(0, owner)`, `FaucetUpdated`.
    #[constructor]
    pub fn constructor(
        &mut self,
        name: String,
        symbol: String,
        decimals: u8,
        owner: Address,
        faucet_amount: U256,
        faucet_cooldown: u64,
    ) -> Result<(), TokenError> {
        if name.is_empty() || symbol.is_empty() || !self.name.set(&name) || !self.symbol.set(&symbol) {
            return Err(TokenInvalidMetadata {}.into());
        }
        self.decimals.set(alloy_primitives::Uint::<8, 1>::from(decimals));
        self.ownable.init::<TokenError>(owner)?;
        self.set_faucet_unchecked(faucet_amount, faucet_cooldown);
        Ok(())
    }

    /// Owner only: creates `amount` tokens for `to`.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ERC20InvalidReceiver`, `ERC20SupplyOverflow`.
    ///
    /// # Events
    /// `Transfer(0, to, amount)`.
    pub fn mint(&mut self, to: Address, amount: U256) -> Result<(), TokenError> {
        self.ownable.only_owner::<TokenError>()?;
        self.erc20.mint(to, amount)
    }

    /// Mints the faucet amount to the caller, at most once per cooldown.
    ///
    /// # Errors
    /// `TokenFaucetDisabled` when the amount is zero, `TokenFaucetCooldown`
    /// when the caller drew less than a cooldown ago, `ERC20SupplyOverflow`.
    ///
    /// # Events
    /// `Transfer(0, caller, amount)`, `FaucetDrawn(caller, amount)`.
    pub fn faucet(&mut self) -> Result<U256, TokenError> {
        let amount = self.faucet_amount.get();
        if amount.is_zero() {
            return Err(TokenFaucetDisabled {}.into());
        }
        let caller = self.vm().msg_sender();
        let now = self.vm().block_timestamp();
        let available_at = self.next_faucet_at(caller);
        if now < available_at {
            return Err(TokenFaucetCooldown {
                availableAt: available_at,
            }
            .into());
        }
        self.last_draw.setter(caller).set(U64::from(now));
        self.erc20.mint::<TokenError>(caller, amount)?;
        self.vm().log(FaucetDrawn {
            account: caller,
            amount,
        });
        Ok(amount)
    }

    /// Owner only: sets the faucet amount (0 turns it off) and cooldown.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`.
    ///
    /// # Events
    /// `FaucetUpdated(amount, cooldown)`.
    pub fn set_faucet(&mut self, amount: U256, cooldown: u64) -> Result<(), TokenError> {
        self.ownable.only_owner::<TokenError>()?;
        self.set_faucet_unchecked(amount, cooldown);
        Ok(())
    }

    /// Tokens minted per faucet draw (0: faucet off).
    pub fn faucet_amount(&self) -> U256 {
        self.faucet_amount.get()
    }

    /// Seconds between two draws of one account.
    pub fn faucet_cooldown(&self) -> u64 {
        self.faucet_cooldown.get().to::<u64>()
    }

    /// Unix time from which `account` may draw again (0 if it never drew).
    pub fn next_faucet_at(&self, account: Address) -> u64 {
        let last = self.last_draw.get(account).to::<u64>();
        if last == 0 {
            return 0;
        }
        // saturating: a cooldown near u64::MAX means "never again", not a wrap.
        last.saturating_add(self.faucet_cooldown())
    }
}

type U64 = alloy_primitives::Uint<64, 1>;

impl Erc20Metadata for Token {
    fn erc20_name(&self) -> String {
        self.name.get()
    }

    fn erc20_symbol(&self) -> String {
        self.symbol.get()
    }

    fn erc20_decimals(&self) -> u8 {
        self.decimals.get().to::<u8>()
    }
}

impl Token {
    fn set_faucet_unchecked(&mut self, amount: U256, cooldown: u64) {
        self.faucet_amount.set(amount);
        self.faucet_cooldown.set(U64::from(cooldown));
        self.vm().log(FaucetUpdated { amount, cooldown });
    }
}

il_common::erc20_interface!(Token, erc20, TokenError);
il_common::ownable_interface!(Token, ownable, TokenError);

/// The Solidity interface of the contract, as committed in `IToken.sol`
/// (functions and errors from stylus-sdk's export, then every event).
#[cfg(feature = "export-abi")]
pub fn interface() -> String {
    use stylus_sdk::abi::GenerateAbi;
    il_common::abi::render(
        "Token",
        &[
            Token::fmt_abi,
            IErc20StylusAbiStruct::fmt_abi,
            IOwnableStylusAbiStruct::fmt_abi,
        ],
        &[
            TokenEvents::abi::events(),
            il_common::erc20::Erc20Events::abi::events(),
            il_common::ownable::OwnableEvents::abi::events(),
        ],
    )
}

#[cfg(test)]
mod tests;
