// Test code: plain operators on small values chosen not to wrap.
#![allow(clippy::arithmetic_side_effects)]

use dashu::{
    integer::{IBig, UBig},
    rational::RBig,
};
use proptest::prelude::*;

use super::*;
use crate::HedgeError;

fn u(v: u128) -> U256 {
    U256::from(v)
}

fn i(v: i128) -> I256 {
    I256::try_from(v).unwrap()
}

fn price(num: u128, den: u128) -> Price {
    Price::new(u(num), u(den)).unwrap()
}

fn pos(collateral: u128, size: i128, entry: i128) -> Position {
    Position {
        collateral: u(collateral),
        size: i(size),
        entry: i(entry),
    }
}

fn big(x: U256) -> UBig {
    UBig::from_le_bytes(&x.to_le_bytes::<32>())
}

fn ibig(x: I256) -> IBig {
    let (sign, abs) = x.into_sign_and_abs();
    let m = IBig::from(big(abs));
    if sign.is_negative() { -m } else { m }
}

fn rational(p: &Price) -> RBig {
    RBig::from_parts(big(p.num()).into(), big(p.den()))
}

fn r(x: I256) -> RBig {
    RBig::from(ibig(x))
}

#[test]
fn value_floors_toward_negative_infinity_for_both_sides() {
    let third = price(1, 3);
    assert_eq!(value(i(1), &third, Rounding::Floor), Ok(i(0)));
    assert_eq!(value(i(-1), &third, Rounding::Floor), Ok(i(-1)));
    assert_eq!(value(i(1), &third, Rounding::Ceil), Ok(i(1)));
    assert_eq!(value(i(-1), &third, Rounding::Ceil), Ok(i(0)));
    // equity = collateral + floor(size * P) - entry: both sides lose the fraction
    assert_eq!(pos(10, 1, 0).equity(&third), Ok(i(10)));
    assert_eq!(pos(10, -1, 0).equity(&third), Ok(i(9)));
}

#[test]
fn margin_and_fees_round_up() {
    // notional ceil(7 * 1/3) = 3; 10 % of 3 = 0.3 -> 1
    let third = price(1, 3);
    assert_eq!(notional(i(-7), &third), Ok(u(3)));
    assert_eq!(pos(0, -7, 0).margin(&third, 1_000), Ok(u(1)));
    assert_eq!(pos(0, 0, 0).margin(&third, 1_000), Ok(U256::ZERO));
    // 5 bps of 2_000_000 = 1_000 exactly; of 2_000_001 -> 1_001
    assert_eq!(ceil_share(u(2_000_000), 500, PIPS), Ok(u(1_000)));
    assert_eq!(ceil_share(u(2_000_001), 500, PIPS), Ok(u(1_001)));
}

#[test]
fn opening_costs_the_ceiling_and_pays_the_fee() {
    // long 10 at 100.5: cost 1005, fee 5 bps of 1005 = 0.5025 -> 1
    let p = price(201, 2);
    let fill = pos(1_000, 0, 0).trade(i(10), &p, 500, U256::ZERO).unwrap();
    assert_eq!(fill.after, pos(999, 10, 1_005));
    assert_eq!(
        (fill.realized, fill.fee, fill.bad_debt, fill.opens),
        (i(0), u(1), U256::ZERO, true)
    );
    // short 3 at 1/3: entry ceil(-1) = -1 (exact), at 2/3: ceil(-2) = -2; at 5/7: ceil(-15/7) = -2
    let fill = pos(10, 0, 0)
        .trade(i(-3), &price(5, 7), 0, U256::ZERO)
        .unwrap();
    assert_eq!(fill.after, pos(10, -3, -2));
    // adding to a short adds its cost basis
    let fill = fill
        .after
        .trade(i(-4), &price(5, 7), 0, U256::ZERO)
        .unwrap();
    assert_eq!(fill.after, pos(10, -7, -4)); // -2 + ceil(-20/7) = -2 - 2
}

#[test]
fn reducing_realises_pnl_pro_rata() {
    // long 10 bought at 100 (entry 1000), sell 4 at 110: basis 400, pnl 440 - 400
    let fill = pos(500, 10, 1_000)
        .trade(i(-4), &price(110, 1), 0, U256::ZERO)
        .unwrap();
    assert_eq!(fill.after, pos(540, 6, 600));
    assert_eq!((fill.realized, fill.opens), (i(40), false));
    // short 10 sold at 100 (entry -1000), buy back 4 at 110: loss 40
    let fill = pos(500, -10, -1_000)
        .trade(i(4), &price(110, 1), 0, U256::ZERO)
        .unwrap();
    assert_eq!(fill.after, pos(460, -6, -600));
    assert_eq!(fill.realized, i(-40));
    // uneven split: long 3, entry 10; close 1 at 3: basis ceil(10/3) = 4, pnl 3 - 4 = -1
    let fill = pos(5, 3, 10)
        .trade(i(-1), &price(3, 1), 0, U256::ZERO)
        .unwrap();
    assert_eq!(fill.after, pos(4, 2, 6));
    assert_eq!(fill.realized, i(-1));
    // short 3, entry -10; close 1 at 3: basis ceil(-10/3) = -3, pnl -3 + 3 = 0
    let fill = pos(5, -3, -10)
        .trade(i(1), &price(3, 1), 0, U256::ZERO)
        .unwrap();
    assert_eq!(fill.after, pos(5, -2, -7));
    assert_eq!(fill.realized, i(0));
}

#[test]
fn full_close_realises_everything_and_leaves_no_entry() {
    let fill = pos(100, 7, 700)
        .trade(i(-7), &price(90, 1), 500, U256::ZERO)
        .unwrap();
    // pnl 630 - 700 = -70; fee ceil(630 * 5 bps) = 1
    assert_eq!(fill.after, pos(29, 0, 0));
    assert_eq!((fill.realized, fill.fee, fill.opens), (i(-70), u(1), false));
}

#[test]
fn flipping_closes_then_opens_the_rest() {
    // long 5 at entry 500, sell 8 at 120: close 5 (pnl 600 - 500 = 100), open short 3 (entry -360)
    let fill = pos(1_000, 5, 500)
        .trade(i(-8), &price(120, 1), 1_000, U256::ZERO)
        .unwrap();
    // fee 0.1 % of 960 = 0.96 -> 1
    assert_eq!(fill.after, pos(1_099, -3, -360));
    assert_eq!((fill.realized, fill.fee, fill.opens), (i(100), u(1), true));
}

#[test]
fn a_reduce_never_fails_on_its_fee_it_takes_what_is_left() {
    // long 10 at 100 with 5 collateral, price 99.6: loss 4 leaves 1, fee due 0.1 % of 996 -> 1
    let fill = pos(5, 10, 1_000)
        .trade(i(-10), &price(996, 10), 1_000, U256::ZERO)
        .unwrap();
    assert_eq!(fill.after, pos(0, 0, 0));
    assert_eq!(fill.fee, u(1));
    // with nothing left the fee is zero and the close still happens
    let fill = pos(0, 10, 1_000)
        .trade(i(-5), &price(100, 1), 10_000, U256::ZERO)
        .unwrap();
    assert_eq!((fill.after, fill.fee), (pos(0, 5, 500), U256::ZERO));
}

#[test]
fn an_opening_trade_must_pay_its_whole_fee() {
    // fee 1 % of 1000 = 10 > 9
    assert_eq!(
        pos(9, 0, 0).trade(i(10), &price(100, 1), 10_000, U256::ZERO),
        Err(HedgeError::from(HedgeInsufficientCollateral {
            available: u(9),
            needed: u(10)
        }))
    );
    assert!(
        pos(10, 0, 0)
            .trade(i(10), &price(100, 1), 10_000, U256::ZERO)
            .is_ok()
    );
    // a flip's opening side too: the close leaves 1 + 0 collateral, the fee is 2 % of ... 1 % of 2000 = 20
    assert_eq!(
        pos(1, 10, 1_000).trade(i(-20), &price(100, 1), 10_000, U256::ZERO),
        Err(HedgeError::from(HedgeInsufficientCollateral {
            available: u(1),
            needed: u(20)
        }))
    );
}

#[test]
fn a_partial_close_carries_the_uncollected_loss_in_the_entry() {
    // long 10 at entry 1000 with 10 collateral; price 80: equity 10 + 800 - 1000 = -190
    let before = pos(10, 10, 1_000);
    let p = price(80, 1);
    assert_eq!(before.equity(&p), Ok(i(-190)));
    // close half: loss 100, collects 10, carries 90
    let (after, realized, bad_debt) = before.close(i(5), &p).unwrap();
    assert_eq!(after, pos(0, 5, 590));
    assert_eq!((realized, bad_debt), (i(-100), U256::ZERO));
    assert_eq!(after.equity(&p), Ok(i(-190)));
    // closing the rest writes the whole remaining shortfall off
    let (after, realized, bad_debt) = after.close(i(5), &p).unwrap();
    assert_eq!(after, pos(0, 0, 0));
    assert_eq!((realized, bad_debt), (i(-190), u(190)));
}

#[test]
fn fraction_of_rounds_toward_zero_and_takes_all_at_one() {
    let half = WAD / u(2);
    assert_eq!(fraction_of(i(7), half), Ok(i(3)));
    assert_eq!(fraction_of(i(-7), half), Ok(i(-3)));
    assert_eq!(fraction_of(i(-7), WAD), Ok(i(-7)));
    assert_eq!(fraction_of(i(1), u(1)), Ok(i(0)));
    assert_eq!(fraction_of(I256::MIN, WAD), Ok(I256::MIN));
}

#[test]
fn exit_payment_is_the_fraction_of_positive_equity_capped_at_collateral() {
    let half = WAD / u(2);
    // flat: half of 101 -> 50, no price needed
    assert_eq!(pos(101, 0, 0).exit_payment(half, None), Ok(u(50)));
    assert_eq!(pos(101, 0, 0).exit_payment(WAD, None), Ok(u(101)));
    // equity 10 + 1200 - 1000 = 210: half is 105, but only 10 is collateral
    assert_eq!(
        pos(10, 10, 1_000).exit_payment(half, Some(&price(120, 1))),
        Ok(u(10))
    );
    // equity 500 + 1000 - 1000: half of 500
    assert_eq!(
        pos(500, 10, 1_000).exit_payment(half, Some(&price(100, 1))),
        Ok(u(250))
    );
    // negative equity pays nothing
    assert_eq!(
        pos(10, 10, 1_000).exit_payment(half, Some(&price(50, 1))),
        Ok(U256::ZERO)
    );
}

#[test]
fn out_of_range_values_are_math_errors() {
    let p = price(u128::MAX, 1);
    assert_eq!(
        value(I256::MAX, &p, Rounding::Floor),
        Err(MathError::Overflow)
    );
    assert_eq!(
        pos(0, 0, 0).trade(I256::MAX, &p, 0, U256::ZERO),
        Err(HedgeError::from(MathError::Overflow))
    );
    assert_eq!(signed_add(I256::MAX, i(1)), Err(MathError::Overflow));
    assert_eq!(signed_sub(I256::MIN, i(1)), Err(MathError::Overflow));
}

#[test]
fn opened_is_the_delta_the_part_past_zero_or_nothing() {
    // (size, delta, opened)
    for (size, delta, opened_size) in [
        (0, 5, 5),
        (0, -5, -5),
        (3, 4, 4),
        (-3, -4, -4),
        (3, -2, 0),
        (3, -3, 0),
        (3, -5, -2),
        (-3, 5, 2),
    ] {
        assert_eq!(
            opened(i(size), i(delta)),
            Ok(i(opened_size)),
            "{size} {delta}"
        );
    }
}

#[test]
fn the_open_charge_is_paid_only_by_size_that_opens() {
    let p = price(100, 1);
    // opening 10 at 100: fee 1 % of 1000 = 10, plus a charge of 7
    let fill = pos(100, 0, 0).trade(i(10), &p, 10_000, u(7)).unwrap();
    assert_eq!((fill.after, fill.fee), (pos(83, 10, 1_000), u(17)));
    // it must be paid in full
    assert_eq!(
        pos(16, 0, 0).trade(i(10), &p, 10_000, u(7)),
        Err(HedgeError::from(HedgeInsufficientCollateral {
            available: u(16),
            needed: u(17)
        }))
    );
    // a reduce ignores it (the venue passes none: this shows it is never taken)
    let fill = pos(100, 10, 1_000).trade(i(-4), &p, 10_000, u(7)).unwrap();
    assert_eq!((fill.after, fill.fee), (pos(96, 6, 600), u(4)));
}

/// `(collateral, size, entry, fraction, part)`: size and collateral toward
/// zero, the entry of the part's size toward +inf.
#[test]
fn split_takes_no_more_than_its_share() {
    let third = WAD / u(3);
    for (whole, fraction, part) in [
        (pos(10, 7, 700), third, pos(3, 2, 200)),
        (pos(10, -7, -700), third, pos(3, -2, -200)),
        // entry 10 over 3 units: the part of 1 unit carries ceil(10 / 3)
        (pos(5, 3, 10), third, pos(1, 0, 0)),
        (pos(5, 3, 10), WAD / u(2), pos(2, 1, 4)),
        (pos(5, -3, -10), WAD / u(2), pos(2, -1, -3)),
        (pos(5, 3, 10), WAD, pos(5, 3, 10)),
        // 9 * 0.333...3 rounds down to 2
        (pos(9, 0, 0), third, pos(2, 0, 0)),
        (pos(0, 0, 0), WAD, pos(0, 0, 0)),
    ] {
        let receiver = pos(1, 1, 1);
        let (moved, kept, merged) = whole.split(fraction, &receiver).unwrap();
        assert_eq!(moved, part, "{whole:?}");
        assert_eq!(
            (
                kept.collateral + moved.collateral,
                kept.size + moved.size,
                kept.entry + moved.entry
            ),
            (whole.collateral, whole.size, whole.entry)
        );
        assert_eq!(
            merged,
            Position {
                collateral: part.collateral + u(1),
                size: part.size + i(1),
                entry: part.entry + i(1),
            }
        );
    }
    let full = Position {
        size: I256::MAX,
        ..Position::default()
    };
    assert_eq!(
        pos(0, 1, 0).split(WAD, &full).map(|_| ()),
        Err(MathError::Overflow)
    );
}

fn small_price() -> impl Strategy<Value = Price> {
    (1_u128..1_000_000_000, 1_u128..1_000_000_000).prop_map(|(n, d)| price(n, d))
}

fn nonzero_size() -> impl Strategy<Value = i128> {
    prop_oneof![1_i128..1_000_000_000_000, -1_000_000_000_000_i128..-1]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Over any sequence of trades that ends flat (collateral large enough
    /// for no bad debt), the collateral change is at most the exact PnL minus
    /// the exact fees, and at most 4 units per trade below it.
    #[test]
    fn rounding_never_favours_the_trader(
        steps in proptest::collection::vec((nonzero_size(), small_price()), 1..12),
        close_price in small_price(),
        fee_pips in 0_u64..=10_000,
    ) {
        let start = u(1) << 200;
        let mut p = Position { collateral: start, size: I256::ZERO, entry: I256::ZERO };
        let mut exact = RBig::ZERO;
        let mut trades = 0_u32;
        let fee_rate = RBig::from_parts(IBig::from(fee_pips), UBig::from(PIPS));
        let mut run = |p: &mut Position, delta: I256, px: &Price| {
            let fill = p.trade(delta, px, fee_pips, U256::ZERO).unwrap();
            // buying `delta` costs delta * P; the fee is |delta| * P * rate
            let traded = r(delta) * rational(px);
            let fee = RBig::from(IBig::from(big(delta.unsigned_abs()))) * rational(px) * fee_rate.clone();
            exact -= traded + fee;
            prop_assert_eq!(fill.bad_debt, U256::ZERO);
            *p = fill.after;
            Ok(())
        };
        for (size, px) in &steps {
            run(&mut p, i(*size), px)?;
            trades += 1;
        }
        if !p.size.is_zero() {
            let delta = I256::ZERO - p.size;
            run(&mut p, delta, &close_price)?;
            trades += 1;
        }
        prop_assert_eq!(p.size, I256::ZERO);
        prop_assert_eq!(p.entry, I256::ZERO);
        let change = RBig::from(IBig::from(big(p.collateral)) - IBig::from(big(start)));
        prop_assert!(change <= exact, "trader got {change} > exact {exact}");
        prop_assert!(exact - change < RBig::from(IBig::from(4 * trades)), "rounding too coarse");
    }

    /// Equity floors, margins ceil: never in the trader's favour, never off by
    /// a whole unit more than needed.
    #[test]
    fn equity_and_margin_round_against_the_trader(
        collateral in 0_u128..1_000_000_000_000,
        size in nonzero_size(),
        entry in -1_000_000_000_000_000_i128..1_000_000_000_000_000,
        px in small_price(),
        bps in 1_u16..=10_000,
    ) {
        let p = pos(collateral, size, entry);
        let exact_equity = RBig::from(IBig::from(collateral)) + r(i(size)) * rational(&px) - RBig::from(IBig::from(entry));
        let equity = r(p.equity(&px).unwrap());
        prop_assert!(equity <= exact_equity && exact_equity - equity < RBig::ONE);
        let exact_margin = RBig::from(IBig::from(size.unsigned_abs())) * rational(&px) * RBig::from_parts(IBig::from(bps), UBig::from(BPS));
        let margin = RBig::from(IBig::from(big(p.margin(&px, bps.into()).unwrap())));
        prop_assert!(margin >= exact_margin && margin - exact_margin < RBig::from(IBig::from(2)));
    }

    /// A reduction without fee keeps the equity within one unit (the value
    /// of the two parts floors separately), whatever the collateral.
    #[test]
    fn reducing_keeps_the_equity(
        collateral in 0_u128..1_000_000,
        size in nonzero_size(),
        entry_price in small_price(),
        px in small_price(),
        cut in 1_u128..=1_000_000,
    ) {
        let entry = value(i(size), &entry_price, Rounding::Ceil).unwrap();
        let p = Position { collateral: u(collateral), size: i(size), entry };
        let closing = fraction_of(p.size, u(cut) * (WAD / u(1_000_000))).unwrap();
        prop_assume!(!closing.is_zero());
        let fill = p.trade(I256::ZERO - closing, &px, 0, U256::ZERO).unwrap();
        let before = p.equity(&px).unwrap();
        let after = fill.after.equity(&px).unwrap();
        if fill.bad_debt.is_zero() {
            prop_assert!(after <= before && before - after <= i(1), "{before} -> {after}");
        } else {
            // a full close of a position under water: the house takes the rest
            prop_assert_eq!(fill.after, Position::default());
            prop_assert_eq!(I256::ZERO - before, I256::try_from(fill.bad_debt).unwrap());
        }
    }

    /// An exit (fee 0) of fraction f leaves at least (1 - f) of the equity,
    /// up to two units of rounding: the margin ratio does not worsen.
    #[test]
    fn exit_keeps_the_margin_ratio(
        collateral in 0_u128..1_000_000_000_000,
        size in nonzero_size(),
        entry_price in small_price(),
        px in small_price(),
        f in 1_u128..=1_000_000,
    ) {
        let fraction = u(f) * (WAD / u(1_000_000));
        let entry = value(i(size), &entry_price, Rounding::Ceil).unwrap();
        let p = Position { collateral: u(collateral), size: i(size), entry };
        let before = p.equity(&px).unwrap();
        prop_assume!(before.is_positive());
        let closing = fraction_of(p.size, fraction).unwrap();
        let closed = if closing.is_zero() { p } else { p.trade(I256::ZERO - closing, &px, 0, U256::ZERO).unwrap().after };
        let paid = closed.exit_payment(fraction, Some(&px)).unwrap();
        let mut left = closed;
        left.collateral -= paid;
        let after = r(left.equity(&px).unwrap());
        let keep = r(before) * RBig::from_parts(IBig::from(big(WAD - fraction)), big(WAD));
        prop_assert!(after >= keep.clone() - RBig::from(IBig::from(2)), "left {after} < {keep}");
        // and the size left is at least the fraction kept (closing rounds toward zero)
        let kept_size = RBig::from(IBig::from(big(left.size.unsigned_abs())));
        let should = RBig::from(IBig::from(size.unsigned_abs())) * RBig::from_parts(IBig::from(big(WAD - fraction)), big(WAD));
        prop_assert!(kept_size >= should);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// A split conserves size, collateral and entry exactly, hence the
    /// exact equity at any price; the marked equities (each floored) add up
    /// to the whole's or one unit less; the part is never more than its
    /// share: no more collateral or size, no less entry in proportion to its
    /// size; a flat part carries no entry.
    #[test]
    fn split_conserves_everything_and_takes_no_more_than_its_share(
        collateral in 0_u128..1_000_000_000_000_000,
        size in -1_000_000_000_000_000_000_000_i128..1_000_000_000_000_000_000_000,
        entry_price in small_price(),
        loss in 0_u128..1_000_000,
        px in small_price(),
        fraction in 1_u128..=1_000_000_000_000_000_000,
    ) {
        let entry = value(i(size), &entry_price, Rounding::Ceil).unwrap() + i(loss as i128);
        let entry = if size == 0 { I256::ZERO } else { entry };
        let whole = Position { collateral: u(collateral), size: i(size), entry };
        let (part, kept, merged) = whole.split(u(fraction), &Position::default()).unwrap();
        prop_assert_eq!(merged, part);
        prop_assert_eq!(kept.collateral + part.collateral, whole.collateral);
        prop_assert_eq!(kept.size + part.size, whole.size);
        prop_assert_eq!(kept.entry + part.entry, whole.entry);
        let f = RBig::from_parts(IBig::from(fraction), big(WAD));
        prop_assert!(RBig::from(IBig::from(big(part.collateral))) <= RBig::from(IBig::from(collateral)) * f.clone());
        prop_assert!(RBig::from(IBig::from(big(part.size.unsigned_abs()))) <= RBig::from(IBig::from(size.unsigned_abs())) * f);
        prop_assert!(!part.size.is_negative() || size < 0);
        if part.size.is_zero() {
            prop_assert_eq!(part.entry, I256::ZERO);
        } else {
            // entry(part) >= entry * |part| / |size|, by less than a unit
            let share = r(entry) * RBig::from_parts(IBig::from(big(part.size.unsigned_abs())), big(whole.size.unsigned_abs()));
            prop_assert!(r(part.entry) >= share.clone() && r(part.entry) - share < RBig::ONE);
        }
        let exact = |p: &Position| RBig::from(IBig::from(big(p.collateral))) + r(p.size) * rational(&px) - r(p.entry);
        prop_assert_eq!(exact(&part) + exact(&kept), exact(&whole));
        let sum = part.equity(&px).unwrap() + kept.equity(&px).unwrap();
        let all = whole.equity(&px).unwrap();
        prop_assert!(sum <= all && all - sum <= i(1), "{sum} vs {all}");
    }

    /// Both parts keep the whole's margin ratio up to rounding: a whole more
    /// than 1 bps of notional above (below) a maintenance margin gives parts
    /// above (below) it, for parts of at least 1e15 size units and a whole of
    /// at least 1e6 collateral units.
    #[test]
    fn split_keeps_the_margin_ratio(
        collateral in 1_000_000_u128..1_000_000_000_000,
        size in prop_oneof![1_000_000_000_000_000_000_i128..1_000_000_000_000_000_000_000, -1_000_000_000_000_000_000_000_i128..-1_000_000_000_000_000_000],
        entry_dollars in 1_000_u128..3_000,
        dollars in 1_000_u128..3_000,
        fraction in 1_000_000_000_000_000_u128..=1_000_000_000_000_000_000,
        mm in 100_u64..=1_000,
    ) {
        let px = |d: u128| price(d * 100_000_000, 100_000_000_000_000_000_000);
        let whole = Position { collateral: u(collateral), size: i(size), entry: value(i(size), &px(entry_dollars), Rounding::Ceil).unwrap() };
        let p = px(dollars);
        let (part, kept, _) = whole.split(u(fraction), &Position::default()).unwrap();
        prop_assume!(part.size.unsigned_abs() >= u(1_000_000_000_000_000) && kept.size.unsigned_abs() >= u(1_000_000_000_000_000));
        // equity * 10_000 against notional * (mm +- 1)
        let ratio_side = |q: &Position, bps: u64| {
            let e = r(q.equity(&p).unwrap()) * RBig::from(10_000u32);
            let n = RBig::from(IBig::from(big(q.size.unsigned_abs()))) * rational(&p) * RBig::from(bps);
            e.cmp(&n)
        };
        use core::cmp::Ordering::*;
        if ratio_side(&whole, mm + 1) == Greater {
            prop_assert!(ratio_side(&part, mm) == Greater && ratio_side(&kept, mm) == Greater);
        }
        if ratio_side(&whole, mm - 1) == Less {
            prop_assert!(ratio_side(&part, mm) == Less && ratio_side(&kept, mm) == Less);
        }
    }
}
