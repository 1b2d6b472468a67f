// Test code: plain operators on values chosen not to wrap.
#![allow(clippy::arithmetic_side_effects)]

use dashu::{
    integer::{IBig, UBig},
    rational::RBig,
};
use proptest::prelude::*;

use super::*;

fn u(v: u128) -> U256 {
    U256::from(v)
}

fn i(v: i128) -> I256 {
    I256::try_from(v).unwrap()
}

fn big(x: U256) -> UBig {
    UBig::from_le_bytes(&x.to_le_bytes::<32>())
}

fn rational(p: &Price) -> RBig {
    RBig::from_parts(big(p.num()).into(), big(p.den()))
}

/// $2,000 per 1e18 raw token0 in 1e6 raw token1: 2e-9.
fn eth_usd(dollars: u128) -> Price {
    Price::new(u(dollars * 100_000_000), u(100_000_000_000_000_000_000)).unwrap()
}

const ETH: u128 = 1_000_000_000_000_000_000;
const USDC: u128 = 1_000_000;

fn short_book(size: u128, entry: I256) -> Book {
    Book {
        short: u(size),
        short_entry: entry,
        ..Book::default()
    }
}

/// `(book, house, opened, expected charge or cap error)` at $2,000 with the
/// defaults (spread 500, impact 50_000, cover 2_000).
#[test]
fn open_charge_table() {
    let p = eth_usd(2_000);
    let house = i(1_000_000 * USDC as i128);
    let charge = |book: &Book, house: I256, opened: I256| {
        open_charge(book, house, &p, opened, 500, 50_000, 2_000)
    };
    // the vault's 75 short on an empty book: spread 75, impact
    // 150,000^2 / 1,000,000 * 0.5 % = 112.5
    assert_eq!(
        charge(&Book::default(), house, i(-75 * ETH as i128)),
        Ok(u(187_500_000))
    );
    // the same size long pays the same: the long side is empty too
    assert_eq!(
        charge(&Book::default(), house, i(75 * ETH as i128)),
        Ok(u(187_500_000))
    );
    // on top of a short side of $150,000 the impact grows: 150,000 *
    // 450,000 / 1,000,000 * 0.5 % = 337.5
    let book = short_book(75 * ETH, i(-150_000 * USDC as i128));
    assert_eq!(
        charge(&book, house, i(-75 * ETH as i128)),
        Ok(u(412_500_000))
    );
    // the side's cap is 5x the house: $5,000,000
    assert_eq!(
        charge(&book, house, i(-2_425 * ETH as i128)),
        Ok(u(2_425_000_000 + 124_887_500_000))
    );
    assert_eq!(
        charge(&book, house, i(-2_425 * ETH as i128 - 500_000_000)),
        Err(HedgeError::from(HedgeOpenInterestCap {
            openInterest: u(5_000_000 * USDC + 1),
            cap: u(5_000_000 * USDC),
        }))
    );
    // what the house owes comes off its capacity: at $1,800 the short side
    // is up 15,000, so the cap is 5 * 985,000 and 135,000 of it is taken
    let p18 = eth_usd(1_800);
    let at_1800 = |opened: I256| open_charge(&book, house, &p18, opened, 500, 50_000, 2_000);
    assert!(at_1800(i(-2_661 * ETH as i128)).is_ok());
    assert_eq!(
        at_1800(i(-2_662 * ETH as i128)),
        Err(HedgeError::from(HedgeOpenInterestCap {
            openInterest: u(4_926_600 * USDC),
            cap: u(4_925_000 * USDC),
        }))
    );
    // a house that owes all it holds can carry no new open interest
    assert_eq!(
        charge(&Book::default(), I256::ZERO, i(1)),
        Err(HedgeError::from(HedgeOpenInterestCap {
            openInterest: u(1),
            cap: U256::ZERO,
        }))
    );
}

/// `ceil(n * r / 1e6) + ceil(ceil(n (2s + n) / c) * impact * cover / 2e10)`
/// against the exact `n * r / 1e6 + impact * cover * n (2s + n) / (2e10 *
/// c)`, in rationals.
fn exact_charge(s: U256, n: U256, capacity: U256, spread: u64, impact: u64, cover: u64) -> RBig {
    let (s, n, c) = (
        RBig::from(big(s)),
        RBig::from(big(n)),
        RBig::from(big(capacity)),
    );
    let spread = n.clone() * RBig::from(spread) / RBig::from(1_000_000u64);
    let impact = RBig::from(impact * cover) * n.clone() * (s.clone() + s + n)
        / (RBig::from(20_000_000_000u64) * c);
    spread + impact
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The charge is never below its exact value and exceeds it by less than
    /// 3 units (two roundings up, the second scaled by at most 0.05); the
    /// cap refuses exactly when `(s + n) * cover > capacity * 10_000`.
    #[test]
    fn open_charge_rounds_up_by_less_than_three_units_and_caps_exactly(
        short in 0_u128..10_000 * ETH,
        entry in -20_000_000_000_000_i128..0,
        house in 0_u128..10_000_000 * USDC,
        opened in 1_i128..5_000 * ETH as i128,
        long in any::<bool>(),
        dollars in 100_u128..10_000,
        spread in 0_u64..=crate::MAX_SPREAD_PIPS as u64,
        impact in 0_u64..=crate::MAX_IMPACT_PIPS as u64,
        cover in crate::MIN_COVER_BPS as u64..=crate::MAX_COVER_BPS as u64,
    ) {
        let p = eth_usd(dollars);
        let book = short_book(short, i(entry));
        let opened = if long { i(opened) } else { -i(opened) };
        let house = I256::try_from(house).unwrap();
        let result = open_charge(&book, house, &p, opened, spread, impact, cover);
        let s = p.quote(book.side(long), Rounding::Ceil).unwrap();
        let n = notional(opened, &p).unwrap();
        let owed = book.owed(&p).unwrap();
        let capacity = positive_part(house).checked_sub(owed).unwrap_or_default();
        let over = big(s + n) * UBig::from(cover) > big(capacity) * UBig::from(10_000u32);
        match result {
            Err(e) => {
                prop_assert!(over, "refused under the cap: {e:?}");
                prop_assert_eq!(e, HedgeError::from(HedgeOpenInterestCap {
                    openInterest: s + n,
                    cap: capacity * u(10_000) / U256::from(cover),
                }));
            }
            Ok(charge) => {
                prop_assert!(!over);
                let exact = exact_charge(s, n, capacity, spread, impact, cover);
                let got = RBig::from(big(charge));
                prop_assert!(got >= exact, "{charge} below {exact}");
                prop_assert!(got < exact.clone() + RBig::from(3u8), "{charge} vs {exact}");
            }
        }
    }

    /// Splitting a trade in two does not make it cheaper: the impact of the
    /// pieces telescopes to the whole's (each piece rounds up on its own, and
    /// the second sees the first's open interest).
    #[test]
    fn splitting_a_trade_does_not_lower_its_charge(
        first in 1_u128..1_000 * ETH,
        second in 1_u128..1_000 * ETH,
        short in 0_u128..1_000 * ETH,
        house in 1_000_000 * USDC..10_000_000 * USDC,
    ) {
        let p = eth_usd(2_000);
        let house = I256::try_from(house).unwrap();
        // entries as the venue books them: ceil(size * P) of the short size
        let entry = |size: u128| value(-i(size as i128), &p, Rounding::Ceil).unwrap();
        let book = short_book(short, entry(short));
        let charge = |book: &Book, size: u128| {
            open_charge(book, house, &p, -i(size as i128), 500, 50_000, 2_000)
        };
        let whole = charge(&book, first + second);
        let one = charge(&book, first);
        let after = short_book(short + first, book.short_entry + entry(first));
        let two = charge(&after, second);
        if let (Ok(whole), Ok(one), Ok(two)) = (whole, one, two) {
            prop_assert!(one + two + u(2) >= whole, "{one} + {two} vs {whole}");
        }
    }

    /// What the house owes is the positive part of each side's PnL at the
    /// mark, rounded up, exactly.
    #[test]
    fn owed_is_each_sides_gain_rounded_up(
        long in 0_u128..1_000_000 * ETH,
        short in 0_u128..1_000_000 * ETH,
        long_entry in -1_000_000_000_000_000_i128..1_000_000_000_000_000_000,
        short_entry in -1_000_000_000_000_000_000_i128..1_000_000_000_000_000,
        num in 1_u128..1_000_000_000_000,
        den in 1_u128..1_000_000_000_000,
    ) {
        let p = Price::new(u(num), u(den)).unwrap();
        let book = Book { long: u(long), short: u(short), long_entry: i(long_entry), short_entry: i(short_entry) };
        let owed = book.owed(&p).unwrap();
        let pr = rational(&p);
        let gain = |size: IBig, entry: i128| {
            let v = (RBig::from(size) * pr.clone()).ceil() - IBig::from(entry);
            if v > IBig::ZERO { v } else { IBig::ZERO }
        };
        let exact = gain(IBig::from(long), long_entry) + gain(-IBig::from(short), short_entry);
        prop_assert_eq!(IBig::from(big(owed)), exact.clone());
        // and the reserve adds the larger side's cover, rounded up
        let reserve = book.reserve(&p, 2_000).unwrap();
        let larger = (RBig::from(IBig::from(long.max(short))) * pr.clone()).ceil();
        let cover = (RBig::from(larger) * RBig::from(2_000u32) / RBig::from(10_000u32)).ceil();
        prop_assert_eq!(IBig::from(big(reserve)), exact + cover);
    }
}
