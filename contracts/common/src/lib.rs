//! Building blocks shared by every contract of the project, written once:
//!
//! - [`erc20::Erc20`]: balances, allowances, supply and metadata with the
//!   standard `Transfer`/`Approval` events and ERC-6093 errors. The token,
//!   the pool's LP shares and the vault's shares all use it.
//! - [`ownable::Ownable2Step`]: an owner with a two-step transfer.
//! - [`pausable::Pausable`]: a pause flag with `Paused`/`Unpaused` events.
//!
//! Components do not know their contract's error type. Each fallible method
//! is generic over `E: From<SpecificSolError>...` (the `*Errors` traits), and
//! `#[derive(SolidityError)]` on a contract's error enum provides those `From`
//! impls, so a component error becomes the contract's named Solidity error
//! without a conversion table per contract.
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;


pub mod erc20;
pub mod short_string;
pub mod ownable;
pub mod pausable;

pub use erc20::{Erc20, Erc20Errors, Erc20Metadata};
pub use short_string::ShortString;
pub use ownable::{Ownable2Step, OwnableErrors};
pub use pausable::{Pausable, PausableErrors};

#[cfg(test)]
mod tests;

/// Solidity interface export (feature `export-abi`, the one cargo-stylus
/// uses). Each contract's `main.rs` prints [`abi::render`] and a test
/// compares it with the committed `I<Contract>.sol`, so the code and the
/// interface the keeper binds to cannot drift apart.
///
/// stylus-sdk's export covers functions and errors; events come from the
/// `#[sol(abi)]` event interfaces (`Erc20Events`, `OwnableEvents`, ...) so the
/// committed file is the whole public surface.
#[cfg(feature = "export-abi")]
pub mod abi {
    use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
    use core::fmt::{self, Write};

    use alloy_sol_types::private::alloy_json_abi::Event;

    /// Writes one `interface` block (stylus-sdk's `GenerateAbi::fmt_abi`).
    pub type Part = fn(&mut fmt::Formatter<'_>) -> fmt::Result;

    struct Interface(Part);

    impl fmt::Display for Interface {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            (self.0)(f)
        }
    }

    /// The Solidity interfaces of a contract: a header, the contract's
    /// interface and those of the traits it implements (`parts`), then an
    /// `I<name>Events` interface with every event in `events` (sorted,
    /// deduplicated).
    pub fn render(name: &str, parts: &[Part], events: &[BTreeMap<String, Vec<Event>>]) -> String {
        let mut out = String::from(
            "// SPDX-License-Identifier: MIT OR Apache-2.0\n\
             // Generated from the Rust contract by `scripts/export-abi.sh`\n\
             // (stylus-sdk export-abi + event ABIs). Do not edit: regenerate.\n\
             pragma solidity ^0.8.23;\n\n",
        );
        for part in parts {
            // writing to a String cannot fail
            let _ = write!(out, "{}", Interface(*part));
        }
        let mut lines: Vec<String> = events
            .iter()
            .flat_map(|map| map.values().flatten())
            .map(|event| format!("    {};", event.full_signature()))
            .collect();
        lines.sort();
        lines.dedup();
        let _ = writeln!(out, "interface I{name}Events {{");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        out.push_str("}\n");
        out
    }
}
