//! An owner with a two-step transfer: the current owner proposes, the new
//! owner accepts. A typo in an address cannot hand a contract to nobody.
//! There is deliberately no `renounceOwnership`: an ownerless vault could no
//! longer be paused.

use alloy_primitives::Address;
use alloy_sol_types::sol;
use stylus_sdk::{prelude::*, storage::StorageAddress};

sol! {
    /// Ownership events.
    #[sol(abi)]
    interface OwnableEvents {
        /// `newOwner` may now accept ownership from `previousOwner`.
        #[derive(Debug, PartialEq, Eq)]
        event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
        /// Ownership moved from `previousOwner` to `newOwner`.
        #[derive(Debug, PartialEq, Eq)]
        event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    }
}

pub use OwnableEvents::{OwnershipTransferStarted, OwnershipTransferred};

sol! {
    /// `account` is not allowed to do this (not the owner, or not the
    /// pending owner when accepting).
    #[derive(Debug, PartialEq, Eq)]
    error OwnableUnauthorizedAccount(address account);
    /// `owner` cannot own the contract (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error OwnableInvalidOwner(address owner);
}

/// The errors an [`Ownable2Step`] method can return (see `crate::erc20::Erc20Errors`).
pub trait OwnableErrors: From<OwnableUnauthorizedAccount> + From<OwnableInvalidOwner> {}
impl<T> OwnableErrors for T where T: From<OwnableUnauthorizedAccount> + From<OwnableInvalidOwner> {}

/// Owner and pending owner. Embed it as a field of a `#[storage]` contract.
#[storage]
pub struct Ownable2Step {
    owner: StorageAddress,
    pending_owner: StorageAddress,
}

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
        self.owner.set(owner);
        self.vm().log(OwnershipTransferred {
            previousOwner: Address::ZERO,
            newOwner: owner,
        });
        Ok(())
    }

    /// The current owner.
    pub fn owner(&self) -> Address {
        self.owner.get()
    }

    /// The address that may accept ownership (zero when none).
    pub fn pending_owner(&self) -> Address {
        self.pending_owner.get()
    }

    /// Passes when the caller is the owner.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount(caller)` otherwise.
    pub fn only_owner<E: OwnableErrors>(&self) -> Result<(), E> {
        let caller = self.vm().msg_sender();
        if caller != self.owner.get() {
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
        self.pending_owner.set(new_owner);
        self.vm().log(OwnershipTransferStarted {
            previousOwner: self.owner.get(),
            newOwner: new_owner,
        });
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
        if caller.is_zero() || caller != self.pending_owner.get() {
            return Err(OwnableUnauthorizedAccount { account: caller }.into());
        }
        let previous = self.owner.get();
        self.owner.set(caller);
        self.pending_owner.set(Address::ZERO);
        self.vm().log(OwnershipTransferred {
            previousOwner: previous,
            newOwner: caller,
        });
        Ok(())
    }
}

/// Generates the `IOwnable` public interface of a contract (owner,
/// pendingOwner, transferOwnership, acceptOwnership) delegating to the
/// [`Ownable2Step`] field `$field`. Add `IOwnable` to `#[implements(...)]`.
#[macro_export]
macro_rules! ownable_interface {
    ($contract:ident, $field:ident, $error:ty) => {
        /// Two-step ownership.
        #[stylus_sdk::prelude::public]
        pub trait IOwnable {
            /// The current owner.
            fn owner(&self) -> stylus_sdk::alloy_primitives::Address;
            /// The address that may accept ownership (zero when none).
            fn pending_owner(&self) -> stylus_sdk::alloy_primitives::Address;
            /// Owner only: proposes a new owner (zero cancels).
            fn transfer_ownership(
                &mut self,
                new_owner: stylus_sdk::alloy_primitives::Address,
            ) -> Result<(), $error>;
            /// Pending owner only: takes ownership.
            fn accept_ownership(&mut self) -> Result<(), $error>;
        }

        #[stylus_sdk::prelude::public]
        impl IOwnable for $contract {
            fn owner(&self) -> stylus_sdk::alloy_primitives::Address {
                self.$field.owner()
            }

            fn pending_owner(&self) -> stylus_sdk::alloy_primitives::Address {
                self.$field.pending_owner()
            }

            fn transfer_ownership(
                &mut self,
                new_owner: stylus_sdk::alloy_primitives::Address,
            ) -> Result<(), $error> {
                self.$field.transfer_ownership::<$error>(new_owner)
            }

            fn accept_ownership(&mut self) -> Result<(), $error> {
                self.$field.accept_ownership::<$error>()
            }
        }
    };
}
