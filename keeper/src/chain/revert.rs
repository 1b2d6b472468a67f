//! Named-error decoding of reverts, on top of [`il_deploy::bindings::decode_revert`]
//! (the contracts' committed interfaces): printed as a call,
//! `ManagerCooldown(availableAt: 1700000000)`, and the inner error of a
//! `ManagerCallFailed(target, reason)` (or the vault's and lens's
//! `...CallFailed`) decoded too.

use alloy::primitives::{Address, Bytes};
use alloy::sol_types::SolInterface;
use il_deploy::bindings::{ILens, IManager, IVault};

/// Depth of nested `...CallFailed(target, reason)` decoding.
const MAX_DEPTH: usize = 4;

/// `Name { a: 1, b: 2 }` (il-deploy's rendering) as `Name(a: 1, b: 2)`;
/// `Name` as `Name()`.
fn as_call(text: &str) -> String {
    match text.split_once(" { ") {
        Some((name, fields)) => {
            let fields = fields.strip_suffix(" }").unwrap_or(fields);
            format!("{name}({fields})")
        }
        None if text.contains('(') => text.to_string(),
        None => format!("{text}()"),
    }
}

fn nested(prefix: &str, target: Address, reason: &Bytes, depth: usize) -> String {
    format!(
        "{prefix}(target: {target}, reason: {})",
        decode_depth(reason, depth + 1)
    )
}

fn decode_depth(data: &[u8], depth: usize) -> String {
    if data.is_empty() {
        return "empty revert data".to_string();
    }
    if depth < MAX_DEPTH {
        if let Ok(IManager::IManagerErrors::ManagerCallFailed(f)) =
            IManager::IManagerErrors::abi_decode(data)
        {
            return nested("ManagerCallFailed", f.target, &f.reason, depth);
        }
        if let Ok(IVault::IVaultErrors::VaultCallFailed(f)) = IVault::IVaultErrors::abi_decode(data)
        {
            return nested("VaultCallFailed", f.target, &f.reason, depth);
        }
        if let Ok(ILens::ILensErrors::LensCallFailed(f)) = ILens::ILensErrors::abi_decode(data) {
            return nested("LensCallFailed", f.target, &f.reason, depth);
        }
    }
    il_deploy::bindings::decode_revert(data).map_or_else(
        || format!("unknown revert 0x{}", alloy::primitives::hex::encode(data)),
        |t| as_call(&t),
    )
}

/// The revert data as its named Solidity error with arguments, e.g.
/// `ManagerCooldown(availableAt: 1700000000)`; nested `...CallFailed`
/// reasons are decoded too. Unknown data prints as `unknown revert 0x..`.
#[must_use]
pub fn decode_revert(data: &[u8]) -> String {
    decode_depth(data, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{Address, U256};
    use alloy::sol_types::SolError;

    #[test]
    fn manager_errors_print_with_names_and_arguments() {
        let data = IManager::ManagerCooldown {
            availableAt: 1_700_000_000,
        }
        .abi_encode();
        assert_eq!(
            decode_revert(&data),
            "ManagerCooldown(availableAt: 1700000000)"
        );
        let data = IManager::ManagerNothingToDo {}.abi_encode();
        assert_eq!(decode_revert(&data), "ManagerNothingToDo()");
        let data = IManager::ManagerPriceDeviation {
            deviationBps: U256::from(250),
            maxBps: U256::from(100),
        }
        .abi_encode();
        assert_eq!(
            decode_revert(&data),
            "ManagerPriceDeviation(deviationBps: 250, maxBps: 100)"
        );
    }

    #[test]
    fn call_failed_decodes_the_inner_error() {
        let inner = IVault::VaultInsufficientIdle {
            needed: U256::from(5),
            available: U256::from(2),
        }
        .abi_encode();
        let target = Address::with_last_byte(7);
        let data = IManager::ManagerCallFailed {
            target,
            reason: inner.into(),
        }
        .abi_encode();
        assert_eq!(
            decode_revert(&data),
            format!(
                "ManagerCallFailed(target: {target}, reason: VaultInsufficientIdle(needed: 5, available: 2))"
            )
        );
    }

    #[test]
    fn unknown_and_empty_data_are_said_so() {
        assert_eq!(decode_revert(&[]), "empty revert data");
        assert_eq!(
            decode_revert(&[0xde, 0xad, 0xbe, 0xef]),
            "unknown revert 0xdeadbeef"
        );
    }
}
