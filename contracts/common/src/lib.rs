//! Building blocks shared by every contract of the project, written once:
//!
//! - [`erc20::Erc20`]: balances, allowances, supply with the standard
//!   `Transfer`/`Approval` events and ERC-6093 errors. The token, the
//!   pool's LP shares and the vault's shares all use it.
//! - [`ownable::Ownable2Step`]: an owner with a two-step transfer.
//! - [`pausable::Pausable`]: a pause flag with `Paused`/`Unpaused` events.
//! - [`v4`]: Uniswap v4's `PoolManager` as the vault system uses it (pool
//!   key, storage reads, the calls of an unlock callback).
//! - [`venue`]: the vault system's read of its hedge venue account (the
//!   vault and the lens value the hedge with the same code).
//! - [`router`] (`lean_router!`), [`lean`] (`solidity_errors!`, compact ABI
//!   encoding), [`slots`] (word records in hashed slots): the plumbing that
//!   keeps each contract under Stylus's 24 KiB (compressed) limit.
//!
//! Components do not know their contract's error type. Each fallible method
//! is generic over `E: From<SpecificSolError>...` (the `*Errors` traits), and
//! `solidity_errors!` on a contract's error type provides those `From`
//! impls, so a component error becomes the contract's named Solidity error
//! without a conversion table per contract.
#![deny(clippy::arithmetic_side_effects)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]

extern crate alloc;

#[doc(hidden)]
pub mod __private {
    pub use alloy_sol_types;
}

pub mod erc20;
pub mod lean;
pub mod ownable;
pub mod pausable;
pub mod router;
pub mod short_string;
pub mod slots;
pub mod v4;
pub mod venue;

pub use erc20::{Erc20, Erc20Errors, Erc20Metadata};
pub use ownable::{Ownable2Step, OwnableErrors};
pub use pausable::{Pausable, PausableErrors};

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests;

/// Solidity interface export (feature `export-abi`, the one cargo-stylus
/// uses): each contract's `main.rs` prints [`abi::render`] of the JSON ABIs
/// of its `sol!` interfaces (the same definitions its router dispatches
/// on), and a test compares it with the committed `I<Contract>.sol`, so the
/// code and the interface the keeper binds to cannot drift apart.
#[cfg(feature = "export-abi")]
pub mod abi {
    use alloc::{format, string::String};

    use alloy_sol_types::private::alloy_json_abi::JsonAbi;

    /// One Solidity `interface I<name>` with every function, event and
    /// error of `parts` (merged, deduplicated), under a license/pragma
    /// header and a note on where it comes from.
    pub fn render(name: &str, parts: &[JsonAbi]) -> String {
        let mut abi: JsonAbi = parts.iter().flat_map(|p| p.items()).collect();
        abi.dedup();
        format!(
            "// SPDX-License-Identifier: MIT OR Apache-2.0\n\
             // Generated from the contract's sol! interface by `scripts/export-abi.sh`\n\
             // (`cargo run --features export-abi`). Do not edit: regenerate.\n\
             pragma solidity ^0.8.23;\n\n{}",
            abi.to_sol(&format!("I{name}"), None)
        )
    }
}
