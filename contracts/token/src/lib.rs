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
use alloy_sol_types::{SolEvent, sol};
use il_common::{
    Erc20, Erc20Metadata, Ownable2Step,
    lean::{Word, emit},
    short_string, slots,
};
use stylus_sdk::prelude::*;

sol! {
    /// The token's own functions, events and errors (the ERC-20 and
    /// ownership parts are `il_common`'s `IERC20` and `IOwnable`). The
    /// constructor (Stylus `stylus_constructor`) takes `(string name, string
    /// symbol, uint8 decimals, address owner, uint256 faucetAmount, uint64
    /// faucetCooldown)`.
    #[sol(abi)]
    interface IToken {
        /// Owner only: creates `amount` tokens for `to`.
        function mint(address to, uint256 amount) external;
        /// Mints the faucet amount to the caller, at most once per cooldown.
        function faucet() external returns (uint256 amount);
        /// Owner only: sets the faucet amount (0 turns it off) and cooldown (seconds).
        function setFaucet(uint256 amount, uint64 cooldown) external;
        /// Tokens minted per faucet draw (0: faucet off).
        function faucetAmount() external view returns (uint256);
        /// Seconds between two draws of one account.
        function faucetCooldown() external view returns (uint64);
        /// Unix time from which `account` may draw again (0 if it never drew).
        function nextFaucetAt(address account) external view returns (uint64);

        /// `account` drew `amount` from the faucet.
        #[derive(Debug, PartialEq, Eq)]
        event FaucetDrawn(address indexed account, uint256 amount);
        /// The owner set the faucet to `amount` per draw, one draw per `cooldown` seconds.
        #[derive(Debug, PartialEq, Eq)]
        event FaucetUpdated(uint256 amount, uint64 cooldown);

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
}

pub use IToken::{
    FaucetDrawn, FaucetUpdated, TokenFaucetCooldown, TokenFaucetDisabled, TokenInvalidMetadata,
};

use il_common::erc20::{
    ERC20InsufficientAllowance, ERC20InsufficientBalance, ERC20InvalidApprover,
    ERC20InvalidReceiver, ERC20InvalidSender, ERC20InvalidSpender, ERC20SupplyOverflow,
};
use il_common::ownable::{OwnableInvalidOwner, OwnableUnauthorizedAccount};

il_common::solidity_errors! {
    /// Every way a call can fail, as named Solidity errors.
    pub enum TokenError {
        InsufficientBalance(ERC20InsufficientBalance { sender, balance, needed }),
        InvalidSender(ERC20InvalidSender { sender }),
        InvalidReceiver(ERC20InvalidReceiver { receiver }),
        InsufficientAllowance(ERC20InsufficientAllowance { spender, allowance, needed }),
        InvalidApprover(ERC20InvalidApprover { approver }),
        InvalidSpender(ERC20InvalidSpender { spender }),
        SupplyOverflow(ERC20SupplyOverflow { supply, amount }),
        Unauthorized(OwnableUnauthorizedAccount { account }),
        InvalidOwner(OwnableInvalidOwner { owner }),
        InvalidMetadata(TokenInvalidMetadata {}),
        FaucetDisabled(TokenFaucetDisabled {}),
        FaucetCooldown(TokenFaucetCooldown { availableAt }),
    }
}

/// Words at `CONFIG`: name, symbol (short strings), decimals, faucet
/// amount, faucet cooldown (seconds).
const CONFIG: U256 = slots::base(b"il.token.config");
/// Map base of each account's last faucet draw (unix seconds, 0: never).
const LAST_DRAW: U256 = slots::base(b"il.token.last_draw");
const NAME: usize = 0;
const SYMBOL: usize = 1;
const DECIMALS: usize = 2;
const FAUCET_AMOUNT: usize = 3;
const FAUCET_COOLDOWN: usize = 4;

/// The token's storage (component state and the words above, in hashed
/// slots: see `il_common::slots`).
#[storage]
pub struct Token {
    erc20: Erc20,
    ownable: Ownable2Step,
}

impl Token {
    /// Sets metadata, the owner and the faucet (`faucet_amount` 0 turns it off).
    ///
    /// # Errors
    /// `TokenInvalidMetadata` for an empty name or symbol or one over 31
    /// bytes, `OwnableInvalidOwner` for a zero owner.
    ///
    /// # Events
    /// `OwnershipTransferred(0, owner)`, `FaucetUpdated`.
    pub fn constructor(
        &mut self,
        name: String,
        symbol: String,
        decimals: u8,
        owner: Address,
        faucet_amount: U256,
        faucet_cooldown: u64,
    ) -> Result<(), TokenError> {
        let (Some(name), Some(symbol)) =
            (short_string::encode(&name), short_string::encode(&symbol))
        else {
            return Err(TokenInvalidMetadata {}.into());
        };
        if name.is_zero() || symbol.is_zero() {
            return Err(TokenInvalidMetadata {}.into());
        }
        slots::store(self.vm(), CONFIG, &[name, symbol, U256::from(decimals)]);
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
        let amount = self.config()[FAUCET_AMOUNT];
        if amount.is_zero() {
            return Err(TokenFaucetDisabled {}.into());
        }
        let caller = self.vm().msg_sender();
        let now = self.vm().block_timestamp();
        let available_at = self.next_faucet_at(caller)?;
        if now < available_at {
            return Err(TokenFaucetCooldown {
                availableAt: available_at,
            }
            .into());
        }
        let slot = slots::keyed(self.vm(), caller.into_word(), LAST_DRAW);
        slots::set(self.vm(), slot, U256::from(now));
        self.erc20.mint::<TokenError>(caller, amount)?;
        emit(
            self.vm(),
            &[FaucetDrawn::SIGNATURE_HASH, caller.to_word()],
            &[amount.to_word()],
        );
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
    pub fn faucet_amount(&self) -> Result<U256, TokenError> {
        Ok(self.config()[FAUCET_AMOUNT])
    }

    /// Seconds between two draws of one account.
    pub fn faucet_cooldown(&self) -> Result<u64, TokenError> {
        Ok(self.cooldown())
    }

    /// Unix time from which `account` may draw again (0 if it never drew).
    pub fn next_faucet_at(&self, account: Address) -> Result<u64, TokenError> {
        let slot = slots::keyed(self.vm(), account.into_word(), LAST_DRAW);
        let last = slots::get(self.vm(), slot).saturating_to::<u64>();
        if last == 0 {
            return Ok(0);
        }
        // saturating: a cooldown near u64::MAX means "never again", not a wrap.
        Ok(last.saturating_add(self.cooldown()))
    }
}

impl Erc20Metadata for Token {
    fn erc20_name(&self) -> String {
        short_string::decode(self.config()[NAME])
    }

    fn erc20_symbol(&self) -> String {
        short_string::decode(self.config()[SYMBOL])
    }

    fn erc20_decimals(&self) -> u8 {
        self.config()[DECIMALS].saturating_to::<u8>()
    }
}

impl Token {
    fn cooldown(&self) -> u64 {
        self.config()[FAUCET_COOLDOWN].saturating_to::<u64>()
    }

    fn config(&self) -> [U256; 5] {
        let mut w = [U256::ZERO; 5];
        slots::load(self.vm(), CONFIG, &mut w);
        w
    }

    fn set_faucet_unchecked(&mut self, amount: U256, cooldown: u64) {
        let at = CONFIG.wrapping_add(U256::from(FAUCET_AMOUNT));
        slots::store(self.vm(), at, &[amount, U256::from(cooldown)]);
        emit(
            self.vm(),
            &[FaucetUpdated::SIGNATURE_HASH],
            &[amount.to_word(), cooldown.to_word()],
        );
    }
}

il_common::erc20_methods!(Token, erc20, TokenError);
il_common::ownable_methods!(Token, ownable, TokenError);

use il_common::{erc20::IERC20, ownable::IOwnable};

il_common::lean_router! {
    Token, TokenError;
    constructor(name: String, symbol: String, decimals: u8, owner: Address, faucet_amount: U256, faucet_cooldown: u64);
    IToken::mintCall => mint(to: Address, amount: U256);
    IToken::faucetCall => faucet();
    IToken::setFaucetCall => set_faucet(amount: U256, cooldown: u64);
    IToken::faucetAmountCall => faucet_amount();
    IToken::faucetCooldownCall => faucet_cooldown();
    IToken::nextFaucetAtCall => next_faucet_at(account: Address);
    IERC20::nameCall => name();
    IERC20::symbolCall => symbol();
    IERC20::decimalsCall => decimals();
    IERC20::totalSupplyCall => total_supply();
    IERC20::balanceOfCall => balance_of(account: Address);
    IERC20::transferCall => transfer(to: Address, value: U256);
    IERC20::transferFromCall => transfer_from(from: Address, to: Address, value: U256);
    IERC20::approveCall => approve(spender: Address, value: U256);
    IERC20::allowanceCall => allowance(owner: Address, spender: Address);
    IOwnable::ownerCall => owner();
    IOwnable::pendingOwnerCall => pending_owner();
    IOwnable::transferOwnershipCall => transfer_ownership(new_owner: Address);
    IOwnable::acceptOwnershipCall => accept_ownership();
}

/// The Solidity interface of the contract, as committed in `IToken.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> String {
    il_common::abi::render(
        "Token",
        &[
            IToken::abi::contract(),
            IERC20::abi::contract(),
            IOwnable::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests;
