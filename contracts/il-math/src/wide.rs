//! Private multi-word helpers shared by the public modules.
//!
//! Everything here is generic over ruint's `Uint<BITS, LIMBS>` so one exact
//! algorithm serves the 256-, 512-, 768- and 1152-bit intermediates the
//! closed forms need. None uses a float; `div_rem` is the only one that can
//! panic (on a zero divisor), and every caller excludes that first.
//!
//! Two implementations give the same exact results. On chain (wasm32) the
//! multiplication, division and square root are one compact digit routine
//! each, for every width (a Stylus program has 24 KiB). On a host (the
//! keeper's replay, which values the vault thousands of times a run) they
//! are ruint's own operations, several times faster. This crate's tests use
//! the digit routines, the code contracts run, and check the host routines
//! against them (`host_routines_equal_the_digit_routines`).
#![cfg_attr(not(any(target_arch = "wasm32", test)), allow(dead_code))]

use crate::{error::MathError, fixed::Rounding};
use alloy_primitives::{U256, ruint::Uint};

/// 512-bit unsigned integer: products of two `U256`.
pub(crate) type U512 = Uint<512, 8>;
/// 768-bit unsigned integer: products of three `U256`.
pub(crate) type U768 = Uint<768, 12>;
/// 1024-bit unsigned integer: products of two `U512`.
pub(crate) type U1024 = Uint<1024, 16>;
/// 1152-bit unsigned integer: products of four `U256` and a 128-bit constant.
pub(crate) type U1152 = Uint<1152, 18>;

/// Zero-extends `x` into a type at least as wide (checked at compile time).
#[inline]
pub(crate) fn widen<const B1: usize, const L1: usize, const B2: usize, const L2: usize>(
    x: Uint<B1, L1>,
) -> Uint<B2, L2> {
    const { assert!(B2 >= B1 && L2 >= L1) };
    truncate(&x)
}

/// The low `B2` bits of `x` (all of it when `B2 >= B1`).
#[inline]
fn truncate<const B1: usize, const L1: usize, const B2: usize, const L2: usize>(
    x: &Uint<B1, L1>,
) -> Uint<B2, L2> {
    let mut limbs = [0_u64; L2];
    for (dst, src) in limbs.iter_mut().zip(x.as_limbs()) {
        *dst = *src;
    }
    Uint::from_limbs(limbs)
}

/// `x` in a narrower type, or `Overflow` when it does not fit.
#[inline]
pub(crate) fn narrow<const B1: usize, const L1: usize, const B2: usize, const L2: usize>(
    x: Uint<B1, L1>,
) -> Result<Uint<B2, L2>, MathError> {
    Uint::checked_from_limbs_slice(x.as_limbs()).ok_or(MathError::Overflow)
}

/// The low 256 bits of `x`. Only for values proven `< 2^256` by the caller.
#[inline]
pub(crate) fn low256(x: U512) -> U256 {
    let l = x.as_limbs();
    U256::from_limbs([l[0], l[1], l[2], l[3]])
}

/// Quotient and remainder of `n / d` for every width up to 1152 bits.
///
/// One compact long division serves every width (see [`divmod_digits`]):
/// ruint's `div_rem` is ~10 KB of wasm per integer width, and a Stylus
/// contract has 24 KiB in all. `d` must be non-zero (callers check).
#[cfg(test)]
pub(crate) fn div_rem<const B: usize, const L: usize>(
    n: Uint<B, L>,
    d: Uint<B, L>,
) -> (Uint<B, L>, Uint<B, L>) {
    const { assert!(B <= 1152 && L <= 18) };
    let (q, r) = divmod_digits(&to_digits(&n), &to_digits(&d));
    // q <= n and r < d, so both fit in B bits.
    (from_digits(&q), from_digits(&r))
}

/// `a * b` in the width the caller asks for, which must hold the whole
/// product (`B3 >= B1 + B2`, or a product known to fit): one compact
/// schoolbook multiplication serves every width (ruint instantiates a
/// multiplication per pair of widths).
#[inline]
pub(crate) fn mul<
    const B1: usize,
    const L1: usize,
    const B2: usize,
    const L2: usize,
    const B3: usize,
    const L3: usize,
>(
    a: &Uint<B1, L1>,
    b: &Uint<B2, L2>,
) -> Uint<B3, L3> {
    const { assert!(B3 <= 1152 && L3 <= 18) };
    #[cfg(not(any(target_arch = "wasm32", test)))]
    return host::mul(a, b);
    #[cfg(any(target_arch = "wasm32", test))]
    return from_digits(&mul_digits(&to_digits(a), &to_digits(b)));
}

/// Schoolbook product of two digit strings, truncated to [`DIGITS`] digits
/// (callers size their types so nothing is lost).
#[inline(never)]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
// digit * digit + digit + carry < 2^64: no u64 operation below overflows,
// and every index stays below DIGITS by the `take`/bounds of the loops.
fn mul_digits(a: &Digits, b: &Digits) -> Digits {
    let mut out = [0_u32; DIGITS];
    let (al, bl) = (digit_len(a), digit_len(b));
    for i in 0..al {
        let mut carry = 0_u64;
        let ai = u64::from(a[i]);
        for j in 0..bl {
            if i + j >= DIGITS {
                break;
            }
            let t = ai * u64::from(b[j]) + u64::from(out[i + j]) + carry;
            out[i + j] = t as u32;
            carry = t >> 32;
        }
        if i + bl < DIGITS {
            out[i + bl] = carry as u32;
        }
    }
    out
}

/// Number of 32-bit digits of the widest intermediate (1152 bits).
const DIGITS: usize = 36;
/// A number as little-endian base-2^32 digits.
type Digits = [u32; DIGITS];

// index arithmetic: i < L <= 18, so 2 * i + 1 < 36 = DIGITS.
#[allow(clippy::arithmetic_side_effects)]
fn to_digits<const B: usize, const L: usize>(x: &Uint<B, L>) -> Digits {
    let mut out = [0_u32; DIGITS];
    for (i, limb) in x.as_limbs().iter().enumerate() {
        // truncation intended: the two 32-bit halves of a limb.
        #[allow(clippy::cast_possible_truncation)]
        {
            out[2 * i] = *limb as u32;
            out[2 * i + 1] = (*limb >> 32) as u32;
        }
    }
    out
}

// index arithmetic: i < L <= 18, so 2 * i + 1 < 36 = DIGITS.
#[allow(clippy::arithmetic_side_effects)]
fn from_digits<const B: usize, const L: usize>(d: &Digits) -> Uint<B, L> {
    let mut limbs = [0_u64; L];
    for (i, limb) in limbs.iter_mut().enumerate() {
        *limb = u64::from(d[2 * i]) | (u64::from(d[2 * i + 1]) << 32);
    }
    Uint::from_limbs(limbs)
}

/// Number of significant digits of `x` (0 for zero).
fn digit_len(x: &Digits) -> usize {
    // i < DIGITS: the + 1 cannot overflow.
    x.iter()
        .rposition(|d| *d != 0)
        .map_or(0, |i| i.wrapping_add(1))
}

/// Knuth's algorithm D (TAOCP vol. 2, 4.3.1) in base 2^32, with u64
/// intermediates (native on wasm32's i64): `(n / d, n % d)`, `d != 0`.
/// Loops only, one instance for every width: about 1 KB of wasm.
#[inline(never)]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
// Every operation below is bounded by the algorithm's invariants (digits
// < 2^32, products of two digits < 2^64, qhat <= 2^32 + 1 before the
// correction loop); they are noted where not obvious.
fn divmod_digits(n: &Digits, d: &Digits) -> (Digits, Digits) {
    const BASE: u64 = 1 << 32;
    let mut q = [0_u32; DIGITS];
    let dl = digit_len(d);
    let nl = digit_len(n);
    if dl == 0 || nl < dl {
        return (q, *n);
    }
    if dl == 1 {
        let dv = u64::from(d[0]);
        let mut rem = 0_u64;
        for i in (0..nl).rev() {
            let cur = (rem << 32) | u64::from(n[i]);
            q[i] = (cur / dv) as u32;
            rem = cur % dv;
        }
        let mut r = [0_u32; DIGITS];
        r[0] = rem as u32;
        return (q, r);
    }
    // Normalise: shift so the divisor's top digit has its high bit set.
    let s = d[dl - 1].leading_zeros();
    let mut v = [0_u32; DIGITS];
    let mut u = [0_u32; DIGITS + 1];
    for i in (1..dl).rev() {
        v[i] = (d[i] << s) | if s == 0 { 0 } else { d[i - 1] >> (32 - s) };
    }
    v[0] = d[0] << s;
    u[nl] = if s == 0 { 0 } else { n[nl - 1] >> (32 - s) };
    for i in (1..nl).rev() {
        u[i] = (n[i] << s) | if s == 0 { 0 } else { n[i - 1] >> (32 - s) };
    }
    u[0] = n[0] << s;
    let vtop = u64::from(v[dl - 1]);
    let vnext = u64::from(v[dl - 2]);
    for j in (0..=nl - dl).rev() {
        let top = (u64::from(u[j + dl]) << 32) | u64::from(u[j + dl - 1]);
        let mut qhat = top / vtop;
        let mut rhat = top % vtop;
        while qhat >= BASE || qhat * vnext > ((rhat << 32) | u64::from(u[j + dl - 2])) {
            qhat -= 1;
            rhat += vtop;
            if rhat >= BASE {
                break;
            }
        }
        // Multiply and subtract qhat * v from u[j ..= j + dl].
        let mut borrow: i64 = 0;
        let mut carry: u64 = 0;
        for i in 0..dl {
            let p = qhat * u64::from(v[i]) + carry;
            carry = p >> 32;
            let t = i64::from(u[i + j]) - borrow - (p & 0xFFFF_FFFF) as i64;
            u[i + j] = t as u32;
            borrow = if t < 0 { 1 } else { 0 };
        }
        let t = i64::from(u[j + dl]) - borrow - carry as i64;
        u[j + dl] = t as u32;
        if t < 0 {
            // qhat was one too large: add v back.
            qhat -= 1;
            let mut c = 0_u64;
            for i in 0..dl {
                let sum = u64::from(u[i + j]) + u64::from(v[i]) + c;
                u[i + j] = sum as u32;
                c = sum >> 32;
            }
            u[j + dl] = u[j + dl].wrapping_add(c as u32);
        }
        q[j] = qhat as u32;
    }
    // Unnormalise the remainder.
    let mut r = [0_u32; DIGITS];
    for i in 0..dl {
        r[i] = (u[i] >> s) | if s == 0 { 0 } else { u[i + 1] << (32 - s) };
    }
    (q, r)
}

/// `n / d` rounded as asked.
///
/// # Errors
/// `DivisionByZero` if `d == 0`. (A ceiling never overflows: a remainder
/// implies `d >= 2`, so `q + 1 <= n`.)
#[inline]
pub(crate) fn div_round<const B: usize, const L: usize>(
    n: Uint<B, L>,
    d: Uint<B, L>,
    rounding: Rounding,
) -> Result<Uint<B, L>, MathError> {
    #[cfg(not(any(target_arch = "wasm32", test)))]
    return host::div_round(n, d, rounding);
    // q <= n fits in B bits.
    #[cfg(any(target_arch = "wasm32", test))]
    return Ok(from_digits(&div_round_digits(
        &to_digits(&n),
        &to_digits(&d),
        rounding,
    )?));
}

#[inline(never)]
fn div_round_digits(n: &Digits, d: &Digits, rounding: Rounding) -> Result<Digits, MathError> {
    if digit_len(d) == 0 {
        return Err(MathError::DivisionByZero);
    }
    let (q, r) = divmod_digits(n, d);
    Ok(if rounding == Rounding::Ceil && digit_len(&r) != 0 {
        add_one(&q)
    } else {
        q
    })
}

/// `x + 1` (callers guarantee no carry out of the top digit).
fn add_one(x: &Digits) -> Digits {
    let mut out = *x;
    for d in out.iter_mut() {
        let (v, carry) = d.overflowing_add(1);
        *d = v;
        if !carry {
            break;
        }
    }
    out
}

/// `(a + b) / 2` (the carry of the sum is kept as the top bit).
fn half_sum(a: &Digits, b: &Digits) -> Digits {
    let mut sum = [0_u32; DIGITS];
    let mut carry = 0_u64;
    for i in 0..DIGITS {
        let t = u64::from(a[i])
            .saturating_add(u64::from(b[i]))
            .saturating_add(carry);
        // truncation intended: the low 32 bits of a sum of three < 2^33 values.
        #[allow(clippy::cast_possible_truncation)]
        {
            sum[i] = t as u32;
        }
        carry = t >> 32;
    }
    let mut out = [0_u32; DIGITS];
    for i in 0..DIGITS {
        // the carry is 0 or 1: the truncation keeps it.
        #[allow(clippy::cast_possible_truncation)]
        let high = sum.get(i.wrapping_add(1)).copied().unwrap_or(carry as u32);
        out[i] = (sum[i] >> 1) | (high << 31);
    }
    out
}

/// `a < b`.
fn less(a: &Digits, b: &Digits) -> bool {
    for i in (0..DIGITS).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// Floor (largest `s` with `s*s <= x`) or ceiling (smallest `s` with
/// `s*s >= x`) of the square root of `x`, exact for every `x`.
#[inline]
pub(crate) fn isqrt<const B: usize, const L: usize>(
    x: Uint<B, L>,
    rounding: Rounding,
) -> Uint<B, L> {
    #[cfg(not(any(target_arch = "wasm32", test)))]
    return host::isqrt(x, rounding);
    // the root of a B-bit value has at most B/2 + 1 bits: it fits.
    #[cfg(any(target_arch = "wasm32", test))]
    return from_digits(&isqrt_digits(&to_digits(&x), rounding));
}

/// The host's routines: ruint's operations, the same exact results as the
/// digit routines (checked against them in this module's tests).
#[cfg(not(target_arch = "wasm32"))]
mod host {
    use super::{Digits, from_digits, isqrt_start, to_digits, truncate};
    use crate::{error::MathError, fixed::Rounding};
    use alloy_primitives::ruint::Uint;

    /// `a * b` in the caller's width: the product modulo `2^B3`, as the
    /// digit routine truncates (callers size `B3` so nothing is lost).
    #[inline]
    pub(super) fn mul<
        const B1: usize,
        const L1: usize,
        const B2: usize,
        const L2: usize,
        const B3: usize,
        const L3: usize,
    >(
        a: &Uint<B1, L1>,
        b: &Uint<B2, L2>,
    ) -> Uint<B3, L3> {
        let (a, b) = (truncate::<B1, L1, B3, L3>(a), truncate::<B2, L2, B3, L3>(b));
        a.wrapping_mul(b)
    }

    #[inline]
    pub(super) fn div_round<const B: usize, const L: usize>(
        n: Uint<B, L>,
        d: Uint<B, L>,
        rounding: Rounding,
    ) -> Result<Uint<B, L>, MathError> {
        if d.is_zero() {
            return Err(MathError::DivisionByZero);
        }
        let (q, r) = n.div_rem(d);
        // a remainder implies d >= 2, so q + 1 <= n: no overflow.
        Ok(if rounding == Rounding::Ceil && !r.is_zero() {
            q.wrapping_add(Uint::from(1_u8))
        } else {
            q
        })
    }

    /// Newton's iteration from the digit routine's start (above the root,
    /// within `2^-30` of it): the same floor, then the ceiling.
    pub(super) fn isqrt<const B: usize, const L: usize>(
        x: Uint<B, L>,
        rounding: Rounding,
    ) -> Uint<B, L> {
        if x.is_zero() {
            return x;
        }
        let digits: Digits = to_digits(&x);
        // bit_len <= B <= 1152: fits u32.
        let bits = u32::try_from(x.bit_len()).unwrap_or(u32::MAX);
        let mut s: Uint<B, L> = from_digits(&isqrt_start(&digits, bits));
        let one = Uint::<B, L>::from(1_u8);
        loop {
            // s > 0: it stays >= floor(sqrt(x)) >= 1.
            let q = x.wrapping_div(s);
            // floor((s + q) / 2) = s/2 + q/2 + (both odd), below 2^B.
            let y = s
                .wrapping_shr(1)
                .wrapping_add(q.wrapping_shr(1))
                .wrapping_add(s & q & one);
            if y >= s {
                break;
            }
            s = y;
        }
        // s = floor(sqrt(x)): s * s <= x fits in B bits, and s + 1 too.
        if rounding == Rounding::Ceil && s.wrapping_mul(s) != x {
            s.wrapping_add(one)
        } else {
            s
        }
    }
}

/// Newton iteration from above: `y = floor((s + floor(x / s)) / 2)` stays
/// `>= floor(sqrt(x))` (AM-GM) and decreases strictly until it reaches it.
/// The start is `(isqrt(t) + 1) * 2^(e/2)` with `t = floor(x / 2^e)` the top
/// 61 or 62 bits of `x` (`e` even): `x < (t + 1) 2^e <= (isqrt(t) + 1)^2 2^e`,
/// so it is above `sqrt(x)`, and within a relative `2^-30` of it, so Newton
/// needs about `log2(bits / 30)` steps instead of `log2(bits)`. One instance
/// for every width.
#[inline(never)]
fn isqrt_digits(x: &Digits, rounding: Rounding) -> Digits {
    let len = digit_len(x);
    if len == 0 {
        return *x;
    }
    // bits of x: 32 * (len - 1) + bit length of its top digit (len >= 1).
    let bits = 32_u32
        .saturating_mul(u32::try_from(len).unwrap_or(u32::MAX).saturating_sub(1))
        .saturating_add(32_u32.saturating_sub(x[len.saturating_sub(1)].leading_zeros()));
    let mut s = isqrt_start(x, bits);
    loop {
        let (q, _) = divmod_digits(x, &s);
        let y = half_sum(&s, &q);
        if !less(&y, &s) {
            break;
        }
        s = y;
    }
    if rounding == Rounding::Ceil && mul_digits(&s, &s) != *x {
        add_one(&s)
    } else {
        s
    }
}

/// `(isqrt(t) + 1) * 2^(e/2)` for `t = floor(x / 2^e)`, `e` the even number
/// that leaves `t` 61 or 62 bits (0 for a smaller `x`); `bits` is the bit
/// length of `x` (<= 32 * DIGITS).
// Index and shift arithmetic: bits <= 1152, so e <= 1092, e / 32 + 2 < 37
// (the `get`s cover the top), e / 2 <= 546 and (e / 2) / 32 + 2 < DIGITS;
// t < 2^62, so isqrt(t) + 1 <= 2^31 and the shifted start < 2^63 in u128.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
fn isqrt_start(x: &Digits, bits: u32) -> Digits {
    let e = bits.saturating_sub(62);
    let e = e + (e & 1);
    let w = (e / 32) as usize;
    let digit = |i: usize| u128::from(x.get(i).copied().unwrap_or(0));
    let window = digit(w) | (digit(w + 1) << 32) | (digit(w + 2) << 64);
    let t = (window >> (e % 32)) as u64;
    let r = u128::from(isqrt_u64(t) + 1);
    let h = e / 2;
    let v = r << (h % 32);
    let mut s = [0_u32; DIGITS];
    let at = (h / 32) as usize;
    s[at] = v as u32;
    s[at + 1] = (v >> 32) as u32;
    s[at + 2] = (v >> 64) as u32;
    s
}

/// `floor(sqrt(t))` for `t < 2^62` (Newton from `2^ceil(bits/2)`, in u64).
// t < 2^62: s <= 2^31 and t / s < 2^62, so s + t / s < 2^63; s > 0.
#[allow(clippy::arithmetic_side_effects)]
fn isqrt_u64(t: u64) -> u64 {
    if t < 2 {
        return t;
    }
    let mut s = 1_u64 << (64 - t.leading_zeros()).div_ceil(2);
    loop {
        let y = (s + t / s) >> 1;
        if y >= s {
            return s;
        }
        s = y;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isqrt_floor_and_ceil_at_square_boundaries_of_every_width() {
        // (2^k - 1)^2, its neighbours, and 2^(2k) for k across every branch.
        for k in [1_usize, 2, 31, 63, 64, 65, 100, 127, 128, 129, 200, 255] {
            let s = U512::from(1_u8)
                .wrapping_shl(k)
                .wrapping_sub(U512::from(1_u8));
            let sq = s.wrapping_mul(s);
            assert_eq!(isqrt(sq, Rounding::Floor), s, "k={k}");
            assert_eq!(isqrt(sq, Rounding::Ceil), s, "k={k}");
            let above = sq.wrapping_add(U512::from(1_u8));
            assert_eq!(isqrt(above, Rounding::Floor), s, "k={k}");
            assert_eq!(
                isqrt(above, Rounding::Ceil),
                s.wrapping_add(U512::from(1_u8)),
                "k={k}"
            );
            if k > 1 {
                // below a square (>= 4) is not a square
                let below = sq.wrapping_sub(U512::from(1_u8));
                assert_eq!(
                    isqrt(below, Rounding::Floor),
                    s.wrapping_sub(U512::from(1_u8)),
                    "k={k}"
                );
                assert_eq!(isqrt(below, Rounding::Ceil), s, "k={k}");
            }
        }
        assert_eq!(
            isqrt(U512::MAX, Rounding::Floor),
            U512::from(1_u8)
                .wrapping_shl(256)
                .wrapping_sub(U512::from(1_u8))
        );
        assert_eq!(
            isqrt(U512::MAX, Rounding::Ceil),
            U512::from(1_u8).wrapping_shl(256)
        );
        assert_eq!(isqrt(U512::ZERO, Rounding::Ceil), U512::ZERO);
    }

    /// Digits that exercise Knuth D's corner cases: qhat over-estimates and
    /// the rare add-back step need digits near 0, 2^31 and 2^32 - 1.
    #[allow(clippy::arithmetic_side_effects)]
    fn edgy_digits() -> impl proptest::strategy::Strategy<Value = [u64; 18]> {
        use proptest::prelude::*;
        let digit = prop_oneof![
            Just(0_u64),
            Just(1),
            Just(0x7fff_ffff),
            Just(0x8000_0000),
            Just(0xffff_fffe),
            Just(0xffff_ffff),
            any::<u32>().prop_map(u64::from),
        ];
        (proptest::collection::vec(digit, 36), 0_usize..=36).prop_map(|(d, len)| {
            let mut limbs = [0_u64; 18];
            for (i, x) in d.iter().take(len).enumerate() {
                limbs[i / 2] |= x << (32 * (i % 2));
            }
            limbs
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        #[test]
        fn div_rem_matches_ruint_on_edge_digits(n in edgy_digits(), d in edgy_digits()) {
            let (n, d) = (U1152::from_limbs(n), U1152::from_limbs(d));
            proptest::prop_assume!(!d.is_zero());
            let (q, r) = div_rem(n, d);
            let (q_ref, r_ref) = n.div_rem(d);
            proptest::prop_assert_eq!((q, r), (q_ref, r_ref));
        }

        /// The host's routines (what the keeper and native builds run) give
        /// what the digit routines (what contracts run) give, at every width
        /// the crate uses.
        #[test]
        fn host_routines_equal_the_digit_routines(a in edgy_digits(), b in edgy_digits(), ceil in proptest::bool::ANY) {
            let rounding = if ceil { Rounding::Ceil } else { Rounding::Floor };
            let (a, b) = (U1152::from_limbs(a), U1152::from_limbs(b));
            let (a256, b256) = (truncate::<1152, 18, 256, 4>(&a), truncate::<1152, 18, 256, 4>(&b));
            let (a512, b512) = (truncate::<1152, 18, 512, 8>(&a), truncate::<1152, 18, 512, 8>(&b));
            // products: 256 x 256 -> 512, 512 x 256 -> 768, 512 x 512 ->
            // 1024, and a truncated 1152-bit one
            proptest::prop_assert_eq!(host::mul::<256, 4, 256, 4, 512, 8>(&a256, &b256), mul::<256, 4, 256, 4, 512, 8>(&a256, &b256));
            proptest::prop_assert_eq!(host::mul::<512, 8, 256, 4, 768, 12>(&a512, &b256), mul::<512, 8, 256, 4, 768, 12>(&a512, &b256));
            proptest::prop_assert_eq!(host::mul::<512, 8, 512, 8, 1024, 16>(&a512, &b512), mul::<512, 8, 512, 8, 1024, 16>(&a512, &b512));
            proptest::prop_assert_eq!(host::mul::<1152, 18, 1152, 18, 1152, 18>(&a, &b), mul::<1152, 18, 1152, 18, 1152, 18>(&a, &b));
            proptest::prop_assert_eq!(host::div_round(a256, b256, rounding), div_round(a256, b256, rounding));
            proptest::prop_assert_eq!(host::div_round(a512, b512, rounding), div_round(a512, b512, rounding));
            proptest::prop_assert_eq!(host::div_round(a, b, rounding), div_round(a, b, rounding));
            proptest::prop_assert_eq!(host::isqrt(a256, rounding), isqrt(a256, rounding));
            proptest::prop_assert_eq!(host::isqrt(a512, rounding), isqrt(a512, rounding));
            proptest::prop_assert_eq!(host::isqrt(a, rounding), isqrt(a, rounding));
        }

        #[test]
        fn isqrt_is_the_exact_floor_and_ceiling_at_every_width(x in edgy_digits()) {
            let x = U1152::from_limbs(x);
            let s = isqrt(x, Rounding::Floor);
            // s < 2^576: s^2 and 2s fit 1152 bits. s^2 <= x < (s + 1)^2,
            // i.e. x - s^2 <= 2s.
            let sq = s.wrapping_mul(s);
            proptest::prop_assert!(sq <= x);
            proptest::prop_assert!(x.wrapping_sub(sq) <= s.wrapping_add(s));
            let c = isqrt(x, Rounding::Ceil);
            let expected = if sq == x { s } else { s.wrapping_add(U1152::from(1_u8)) };
            proptest::prop_assert_eq!(c, expected);
        }
    }

    #[test]
    fn isqrt_of_small_numbers_is_exact() {
        // every value below 2^16, and around the 62-bit window of the start
        for x in (0_u64..65_536).chain((1_u64 << 60) - 3..(1_u64 << 60) + 3) {
            let s = isqrt(U256::from(x), Rounding::Floor).to::<u64>();
            assert!(u128::from(s) * u128::from(s) <= u128::from(x), "{x}");
            assert!(u128::from(s + 1) * u128::from(s + 1) > u128::from(x), "{x}");
        }
        for t in [0_u64, 1, 2, 3, 4, 15, 16, 17, (1 << 62) - 1, 1 << 61] {
            let r = isqrt_u64(t);
            assert!(u128::from(r) * u128::from(r) <= u128::from(t), "{t}");
            assert!(u128::from(r + 1) * u128::from(r + 1) > u128::from(t), "{t}");
        }
    }

    #[test]
    fn narrow_refuses_values_that_do_not_fit() {
        let big = U512::from(1_u8).wrapping_shl(256);
        assert_eq!(narrow::<512, 8, 256, 4>(big), Err(MathError::Overflow));
        assert_eq!(
            narrow::<512, 8, 256, 4>(big.wrapping_sub(U512::from(1_u8))),
            Ok(U256::MAX)
        );
        assert_eq!(
            widen::<256, 4, 512, 8>(U256::MAX),
            big.wrapping_sub(U512::from(1_u8))
        );
    }

    #[test]
    fn div_round_rounds_up_only_with_a_remainder() {
        let seven = U256::from(7_u8);
        let two = U256::from(2_u8);
        assert_eq!(div_round(seven, two, Rounding::Floor), Ok(U256::from(3_u8)));
        assert_eq!(div_round(seven, two, Rounding::Ceil), Ok(U256::from(4_u8)));
        assert_eq!(
            div_round(U256::from(8_u8), two, Rounding::Ceil),
            Ok(U256::from(4_u8))
        );
        assert_eq!(
            div_round(seven, U256::ZERO, Rounding::Floor),
            Err(MathError::DivisionByZero)
        );
    }
}
