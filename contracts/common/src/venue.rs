//! How the vault system reads its account at the hedge venue: one read
//! shared by the vault (deposits, withdrawals, checkpoints) and the lens
//! (previews), so both value the hedge the same way.
//!
//! The result is the engine's `venue` block (see `il-engine`): `valued,
//! equity, size, markNum, markDen`. Without a venue account (`active`
//! false) it is flat with zero equity; a flat account is its collateral
//! (`positionOf`, no price); an open position is valued by the venue itself
//! at its mark (`markPrice`, `equityOf`). When the venue cannot value it
//! (stale or failing feed) the block is unvalued (`valued` 0, the size still
//! read) and the venue's revert data is returned with it.

use alloc::vec::Vec;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, sol};
use stylus_sdk::prelude::*;

use crate::lean::{self, Word};

sol! {
    function positionOf(address account) external view returns (int256, uint256, int256);
    function markPrice() external view returns (uint256, uint256, uint256);
    function equityOf(address account) external view returns (int256);
}

/// The venue block and, when unvalued, why.
pub struct VenueRead {
    /// `valued, equity, size, markNum, markDen` (signed words two's complement).
    pub words: [U256; 5],
    /// The venue's revert data when it could not value the account.
    pub failure: Option<Vec<u8>>,
}

/// Reads `account`'s venue block at `venue` (see the module documentation).
///
/// # Errors
/// The venue's revert data when `positionOf` itself fails or answers too
/// little (the account cannot be read at all).
#[inline(never)]
pub fn read<H: Host + ?Sized>(
    vm: &H,
    venue: Address,
    account: Address,
    active: bool,
) -> Result<VenueRead, Vec<u8>> {
    let one = U256::from(1u8);
    let mut words = [one, U256::ZERO, U256::ZERO, one, one];
    if !active {
        return Ok(VenueRead {
            words,
            failure: None,
        });
    }
    let who = [account.to_word()];
    let pos = lean::static_call(
        vm,
        venue,
        &lean::encode(positionOfCall::SELECTOR, &who, None),
    )?;
    let (Some(size), Some(collateral)) = (lean::u256_at(&pos, 0), lean::u256_at(&pos, 1)) else {
        return Err(Vec::new());
    };
    if size.is_zero() {
        words[1] = collateral;
        return Ok(VenueRead {
            words,
            failure: None,
        });
    }
    words[2] = size;
    let valued = lean::static_call(vm, venue, &lean::encode(markPriceCall::SELECTOR, &[], None))
        .and_then(|mark| {
            let equity =
                lean::static_call(vm, venue, &lean::encode(equityOfCall::SELECTOR, &who, None))?;
            match (
                lean::u256_at(&equity, 0),
                lean::u256_at(&mark, 0),
                lean::u256_at(&mark, 1),
            ) {
                (Some(e), Some(n), Some(d)) => Ok([e, n, d]),
                _ => Err(Vec::new()),
            }
        });
    Ok(match valued {
        Ok([e, n, d]) => {
            (words[1], words[3], words[4]) = (e, n, d);
            VenueRead {
                words,
                failure: None,
            }
        }
        Err(reason) => {
            words[0] = U256::ZERO;
            VenueRead {
                words,
                failure: Some(reason),
            }
        }
    })
}
