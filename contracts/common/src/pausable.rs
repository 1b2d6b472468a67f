//! A pause flag. Who may pause is the contract's decision (the owner); what
//! a pause stops is too (the vault stops deposits and keeper actions, never
//! withdrawals).

#[allow(unused_imports)]
use alloc::{string::String, vec, vec::Vec};
use alloy_primitives::Address;
use alloy_sol_types::{SolEvent, sol};

use crate::lean::{Word, emit};
use alloy_primitives::U256;
use stylus_sdk::prelude::*;

use crate::slots;

sol! {
    /// Pause events and errors (who may pause is the contract's decision).
    #[sol(abi)]
    interface IPausable {
        /// `account` paused the contract.
        #[derive(Debug, PartialEq, Eq)]
        event Paused(address account);
        /// `account` lifted the pause.
        #[derive(Debug, PartialEq, Eq)]
        event Unpaused(address account);

        /// The operation is not allowed while the contract is paused.
        #[derive(Debug, PartialEq, Eq)]
        error EnforcedPause();
        /// The operation needs the contract to be paused.
        #[derive(Debug, PartialEq, Eq)]
        error ExpectedPause();
    }
}

pub use IPausable::{EnforcedPause, ExpectedPause, Paused, Unpaused};

/// The errors a [`Pausable`] method can return (see `crate::erc20::Erc20Errors`).
pub trait PausableErrors: From<EnforcedPause> + From<ExpectedPause> {}
impl<T> PausableErrors for T where T: From<EnforcedPause> + From<ExpectedPause> {}

/// Slot of the pause flag.
const PAUSED: U256 = slots::base(b"il.pausable");

/// The pause flag (a hashed slot, see [`crate::slots`]). Embed it as a
/// field of a `#[storage]` contract.
#[storage]
pub struct Pausable {}

impl Pausable {
    /// Whether the contract is paused.
    pub fn paused(&self) -> bool {
        !slots::get(self.vm(), PAUSED).is_zero()
    }

    /// Passes when not paused.
    ///
    /// # Errors
    /// `EnforcedPause` when paused.
    pub fn when_not_paused<E: PausableErrors>(&self) -> Result<(), E> {
        if self.paused() {
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
        slots::set(self.vm(), PAUSED, U256::from(1u8));
        emit(
            self.vm(),
            &[Paused::SIGNATURE_HASH],
            &[self.vm().msg_sender().to_word()],
        );
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
        if !self.paused() {
            return Err(ExpectedPause {}.into());
        }
        slots::set(self.vm(), PAUSED, U256::ZERO);
        let account: Address = self.vm().msg_sender();
        emit(self.vm(), &[Unpaused::SIGNATURE_HASH], &[account.to_word()]);
        Ok(())
    }
}
