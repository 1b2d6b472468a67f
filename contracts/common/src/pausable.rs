//! A pause flag. Who may pause is the contract's decision (the owner); what
//! a pause stops is too (the vault stops deposits and keeper actions, never
//! withdrawals).

use alloy_primitives::Address;
use alloy_sol_types::sol;
use stylus_sdk::{prelude::*, storage::StorageBool};

sol! {
    /// Pause events.
    #[sol(abi)]
    interface PausableEvents {
        /// `account` paused the contract.
        #[derive(Debug, PartialEq, Eq)]
        event Paused(address account);
        /// `account` lifted the pause.
        #[derive(Debug, PartialEq, Eq)]
        event Unpaused(address account);
    }
}

pub use PausableEvents::{Paused, Unpaused};

sol! {
    /// The operation is not allowed while the contract is paused.
    #[derive(Debug, PartialEq, Eq)]
    error EnforcedPause();
    /// The operation needs the contract to be paused.
    #[derive(Debug, PartialEq, Eq)]
    error ExpectedPause();
}

/// The errors a [`Pausable`] method can return (see `crate::erc20::Erc20Errors`).
pub trait PausableErrors: From<EnforcedPause> + From<ExpectedPause> {}
impl<T> PausableErrors for T where T: From<EnforcedPause> + From<ExpectedPause> {}

/// The pause flag. Embed it as a field of a `#[storage]` contract.
#[storage]
pub struct Pausable {
    paused: StorageBool,
}

impl Pausable {
    /// Whether the contract is paused.
    pub fn paused(&self) -> bool {
        self.paused.get()
    }

    /// Passes when not paused.
    ///
    /// # Errors
    /// `EnforcedPause` when paused.
    pub fn when_not_paused<E: PausableErrors>(&self) -> Result<(), E> {
        if self.paused.get() {
            return Err(EnforcedPause {}.into());
        }
        Ok(())
    }

    /// Pauses. The caller's authority is checked by the contract.
    ///
    /// # Errors
    /// `EnforcedPause` when already paused.
    ///
    /// # Events
    /// `Paused(caller)`.
    pub fn pause<E: PausableErrors>(&mut self) -> Result<(), E> {
        self.when_not_paused::<E>()?;
        self.paused.set(true);
        self.vm().log(Paused {
            account: self.vm().msg_sender(),
        });
        Ok(())
    }

    /// Lifts the pause. The caller's authority is checked by the contract.
    ///
    /// # Errors
    /// `ExpectedPause` when not paused.
    ///
    /// # Events
    /// `Unpaused(caller)`.
    pub fn unpause<E: PausableErrors>(&mut self) -> Result<(), E> {
        if !self.paused.get() {
            return Err(ExpectedPause {}.into());
        }
        self.paused.set(false);
        let account: Address = self.vm().msg_sender();
        self.vm().log(Unpaused { account });
        Ok(())
    }
}
