//! An owner with a two-step transfer: the current owner proposes, the new
//! owner accepts. A typo in an address cannot hand a contract to nobody.
//! There is deliberately no `renounceOwnership`: an ownerless vault could no
//! longer be paused.

#[allow(unused_imports)]
use alloc::{string::String, vec, vec::Vec};
use alloy_primitives::Address;
use alloy_sol_types::{SolEvent, sol};

use crate::lean::{Word, emit};
use stylus_sdk::prelude::*;

use crate::slots;

sol! {
    /// Two-step ownership.
    #[sol(abi)]
    interface IOwnable {
        /// The current owner.
        function owner() external view returns (address);
        /// The address that may accept ownership (zero when none).
        function pendingOwner() external view returns (address);
        /// Owner only: proposes a new owner (zero cancels).
        function transferOwnership(address newOwner) external;
        /// Pending owner only: takes ownership.
        function acceptOwnership() external;

        /// `newOwner` may now accept ownership from `previousOwner`.
        #[derive(Debug, PartialEq, Eq)]
        event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
        /// Ownership moved from `previousOwner` to `newOwner`.
        #[derive(Debug, PartialEq, Eq)]
        event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

        /// `account` is not allowed to do this (not the owner, or not the
        /// pending owner when accepting).
        #[derive(Debug, PartialEq, Eq)]
        error OwnableUnauthorizedAccount(address account);
        /// `owner` cannot own the contract (the zero address).
        #[derive(Debug, PartialEq, Eq)]
        error OwnableInvalidOwner(address owner);
    }
}

pub use IOwnable::{
    OwnableInvalidOwner, OwnableUnauthorizedAccount, OwnershipTransferStarted, OwnershipTransferred,
};

/// The errors an [`Ownable2Step`] method can return (see `crate::erc20::Erc20Errors`).
pub trait OwnableErrors: From<OwnableUnauthorizedAccount> + From<OwnableInvalidOwner> {}
impl<T> OwnableErrors for T where T: From<OwnableUnauthorizedAccount> + From<OwnableInvalidOwner> {}

/// Slots of the owner and (next) the pending owner.
const OWNER: alloy_primitives::U256 = slots::base(b"il.ownable");

/// Owner and pending owner (hashed slots, see [`crate::slots`]). Embed it
/// as a field of a `#[storage]` contract.
#[storage]
pub struct Ownable2Step {}

impl Ownable2Step {
    /// Sets the first owner. Call once, from the constructor.
    ///
    /// # Errors
    /// `OwnableInvalidOwner` for the zero address.
    ///
    /// # Events
    /// `OwnershipTransferred(0, owner)`.
    pub fn init<E: OwnableErrors>(&mut self, owner: Address) -> Result<(), E> {
        if owner.is_zero() {
            return Err(OwnableInvalidOwner { owner }.into());
        }
        self.set_owners(owner, Address::ZERO);
        emit(
            self.vm(),
            &[
                OwnershipTransferred::SIGNATURE_HASH,
                Address::ZERO.to_word(),
                owner.to_word(),
            ],
            &[],
        );
        Ok(())
    }

    /// The current owner.
    pub fn owner(&self) -> Address {
        self.owners().0
    }

    /// The address that may accept ownership (zero when none).
    pub fn pending_owner(&self) -> Address {
        self.owners().1
    }

    fn owners(&self) -> (Address, Address) {
        let mut w = [alloy_primitives::U256::ZERO; 2];
        slots::load(self.vm(), OWNER, &mut w);
        (slots::to_address(w[0]), slots::to_address(w[1]))
    }

    fn set_owners(&self, owner: Address, pending: Address) {
        slots::store(
            self.vm(),
            OWNER,
            &[slots::from_address(owner), slots::from_address(pending)],
        );
    }

    /// Passes when the caller is the owner.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount(caller)` otherwise.
    pub fn only_owner<E: OwnableErrors>(&self) -> Result<(), E> {
        let caller = self.vm().msg_sender();
        if caller != self.owner() {
            return Err(OwnableUnauthorizedAccount { account: caller }.into());
        }
        Ok(())
    }

    /// Owner only: proposes `new_owner` (the zero address cancels a proposal).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount` when the caller is not the owner.
    ///
    /// # Events
    /// `OwnershipTransferStarted(owner, new_owner)`.
    pub fn transfer_ownership<E: OwnableErrors>(&mut self, new_owner: Address) -> Result<(), E> {
        self.only_owner::<E>()?;
        let owner = self.owner();
        self.set_owners(owner, new_owner);
        emit(
            self.vm(),
            &[
                OwnershipTransferStarted::SIGNATURE_HASH,
                owner.to_word(),
                new_owner.to_word(),
            ],
            &[],
        );
        Ok(())
    }

    /// Pending owner only: takes ownership.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount` when the caller is not the pending owner.
    ///
    /// # Events
    /// `OwnershipTransferred(previous, caller)`.
    pub fn accept_ownership<E: OwnableErrors>(&mut self) -> Result<(), E> {
        let caller = self.vm().msg_sender();
        let (previous, pending) = self.owners();
        if caller.is_zero() || caller != pending {
            return Err(OwnableUnauthorizedAccount { account: caller }.into());
        }
        self.set_owners(caller, Address::ZERO);
        emit(
            self.vm(),
            &[
                OwnershipTransferred::SIGNATURE_HASH,
                previous.to_word(),
                caller.to_word(),
            ],
            &[],
        );
        Ok(())
    }
}

/// Generates the ownership methods of a contract, delegating to its
/// [`Ownable2Step`] field `$field`, for `crate::lean_router!` to route the
/// [`IOwnable`] selectors to:
///
/// ```text
/// IOwnable::ownerCall => owner();
/// IOwnable::pendingOwnerCall => pending_owner();
/// IOwnable::transferOwnershipCall => transfer_ownership(new_owner: Address);
/// IOwnable::acceptOwnershipCall => accept_ownership();
/// ```
#[macro_export]
macro_rules! ownable_methods {
    ($contract:ident, $field:ident, $error:ty) => {
        impl $contract {
            /// The current owner.
            pub fn owner(&self) -> Result<alloy_primitives::Address, $error> {
                Ok(self.$field.owner())
            }

            /// The address that may accept ownership (zero when none).
            pub fn pending_owner(&self) -> Result<alloy_primitives::Address, $error> {
                Ok(self.$field.pending_owner())
            }

            /// Owner only: proposes a new owner (zero cancels).
            ///
            /// # Errors
            /// `OwnableUnauthorizedAccount`.
            ///
            /// # Events
            /// `OwnershipTransferStarted`.
            pub fn transfer_ownership(
                &mut self,
                new_owner: alloy_primitives::Address,
            ) -> Result<(), $error> {
                self.$field.transfer_ownership::<$error>(new_owner)
            }

            /// Pending owner only: takes ownership.
            ///
            /// # Errors
            /// `OwnableUnauthorizedAccount`.
            ///
            /// # Events
            /// `OwnershipTransferred`.
            pub fn accept_ownership(&mut self) -> Result<(), $error> {
                self.$field.accept_ownership::<$error>()
            }
        }
    };
}
