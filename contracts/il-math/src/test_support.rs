//! Test-only helpers: conversions to dashu's arbitrary-precision types (the
//! independent reference) and proptest strategies covering whole domains.
// Test code: plain operators on values chosen not to wrap (shifts < 256).
#![allow(clippy::arithmetic_side_effects)]

extern crate std;

use alloy_primitives::{I256, U256};
use dashu::{
    float::DBig,
    integer::{IBig, UBig},
};
use proptest::prelude::*;

/// Significant decimal digits of every `DBig` reference computation.
pub(crate) const REF_DIGITS: usize = 100;

pub(crate) fn big(x: U256) -> UBig {
    UBig::from_le_bytes(&x.to_le_bytes::<32>())
}

pub(crate) fn ibig(x: I256) -> IBig {
    let (sign, abs) = x.into_sign_and_abs();
    let m = IBig::from(big(abs));
    if sign.is_negative() { -m } else { m }
}

/// Panics if `x >= 2^256` (a test failure, by design).
pub(crate) fn from_ubig(x: &UBig) -> U256 {
    U256::try_from_le_slice(&x.to_le_bytes()).expect("value fits in 256 bits")
}

/// An integer as a decimal float with `REF_DIGITS` digits of precision.
pub(crate) fn dec(x: &IBig) -> DBig {
    DBig::from(x.clone()).with_precision(REF_DIGITS).value()
}

/// Uniform limbs shifted right by a uniform amount: every bit length from 0
/// to 256 is equally likely, so small, mid and full-width values all appear.
pub(crate) fn u256_any_magnitude() -> impl Strategy<Value = U256> {
    (any::<[u64; 4]>(), 0..=256_usize).prop_map(|(limbs, shift)| {
        if shift == 256 {
            U256::ZERO
        } else {
            U256::from_limbs(limbs) >> shift
        }
    })
}

/// Values in `[1, 2^bits)` with a log-uniform bit length.
pub(crate) fn u256_nonzero_below_bits(bits: usize) -> impl Strategy<Value = U256> {
    (any::<[u64; 4]>(), 0..bits).prop_map(move |(limbs, len)| {
        // keep `len + 1` low bits and force the top one: length exactly len + 1
        let mask = (U256::from(1_u8) << len) - U256::from(1_u8);
        (U256::from_limbs(limbs) & mask) | (U256::from(1_u8) << len)
    })
}
