//! Concentrated ranges in the vault: its controller's `rerange` (the
//! whole position burned and minted again in a new range, the value kept,
//! the books and balances in step, the guards) and the vault's value in a
//! range (inside, below and above it) against il-math's closed form. The
//! controller here is a plain account (the manager's keeper entrypoint for
//! re-ranges is not in this step).

use alloy_primitives::{Address, I256, U256};
use il_math::{
    Rounding,
    range::RangeRule,
    v4::{RangePosition, full_range_ticks, tick_at_sqrt_price},
    vault::{liquidity_for, lp_amounts, plan_rerange},
};

use crate::fixture::*;

/// k = 2, a week's horizon, 10 to 1,000 spacings wide.
const RULE: RangeRule = RangeRule {
    k_bps: 20_000,
    horizon_secs: 7 * 86_400,
    min_width: 600,
    max_width: 60_000,
};

fn tick_word(t: i32) -> I256 {
    I256::try_from(t).unwrap()
}

fn ticks(s: &mut Sys) -> (i32, i32) {
    let p = s.view(s.vault, &IVault::poolCall {});
    (p.tickLower.as_i32(), p.tickUpper.as_i32())
}

fn rerange(
    s: &mut Sys,
    from: Address,
    (lower, upper): (i32, i32),
) -> Result<IVault::rerangeReturn, il_testkit::Revert> {
    let call = IVault::rerangeCall {
        tickLower: tick_word(lower),
        tickUpper: tick_word(upper),
    };
    s.w.call_sol(from, s.vault, &call)
}

/// Alice's 10 token0 + 20,000 token1 in the pool; the vault handed to
/// carol (a plain account) as its controller, the oracle fresh again.
fn controlled() -> (Sys, Address) {
    let mut s = Sys::new();
    let (alice, carol) = (s.alice, s.carol);
    s.deposit(alice, eth(10), usdc(20_000));
    s.hand_control(carol);
    s.set_answer(usd(START_PRICE));
    (s, carol)
}

/// The rule's range around the oracle at 80 % volatility.
fn rule_range(s: &mut Sys) -> (i32, i32) {
    let (pool, price, l) = (s.pool_state(), s.oracle_price(), s.ledger().liquidity);
    let sigma = il_math::range::sigma_from_percent(80);
    let plan = plan_rerange(&pool, &price, l, sigma, 60, Some(&RULE)).unwrap();
    (plan.tick_lower, plan.tick_upper)
}

#[test]
fn rerange_moves_the_whole_position_and_keeps_the_value() {
    let (mut s, carol) = controlled();
    let vault = s.vault;
    let (pool, price, before) = (s.pool_state(), s.oracle_price(), s.ledger());
    let value_before = s.accounting().value;
    let range = rule_range(&mut s);
    // 2 * 0.8 * sqrt(7/365) = 22 % of price on each side: about 2 * 2,200
    // ticks, rounded up to the spacing, centred on the oracle's tick
    assert_eq!(range.1 - range.0, 4_440);
    let centre = tick_at_sqrt_price(price.sqrt_price_x96(Rounding::Floor)).unwrap();
    assert!((range.0 + range.1 - 2 * centre).abs() <= 60);
    let out = rerange(&mut s, carol, range).unwrap();
    assert_eq!(ticks(&mut s), range);
    // all the liquidity burned (paid at the pool's price), then the most
    // the idle tokens pay for minted in the new range
    let (out0, out1) = lp_amounts(&pool, before.liquidity).unwrap();
    let minted = liquidity_for(&s.pool_state(), before.idle0 + out0, before.idle1 + out1).unwrap();
    assert_eq!(
        (out.amount0Out, out.amount1Out, out.liquidity),
        (out0, out1, minted)
    );
    assert_eq!(
        s.events_from::<IVault::Reranged>(vault),
        vec![IVault::Reranged {
            fromLower: tick_word(pool.tick_lower),
            fromUpper: tick_word(pool.tick_upper),
            toLower: tick_word(range.0),
            toUpper: tick_word(range.1),
            burned: before.liquidity,
            minted,
        }]
    );
    let after = s.ledger();
    assert_eq!(after.liquidity, minted);
    assert_eq!(
        (after.idle0, after.idle1),
        (
            before.idle0 + out0 - out.amount0In,
            before.idle1 + out1 - out.amount1In
        )
    );
    // the vault holds what its books say
    assert_eq!(s.balance0(vault), after.idle0);
    assert_eq!(s.balance1(vault), after.idle1);
    // a narrower range: several times the liquidity for the same tokens,
    // and a centred range takes both tokens in the full range's proportion
    assert!(minted > before.liquidity * u(4));
    assert!(after.idle1 < usdc(20), "{}", after.idle1);
    // the value is kept (the spot is the oracle's: rounding only)
    let value_after = s.accounting().value;
    assert!(
        value_after <= value_before && value_before - value_after < usdc(1) / u(100),
        "{value_before} -> {value_after}"
    );
    // and back to the full range
    let full = full_range_ticks(60).unwrap();
    rerange(&mut s, carol, full).unwrap();
    assert_eq!(ticks(&mut s), full);
    assert!(s.accounting().value + usdc(1) / u(100) > value_before);
}

#[test]
fn after_the_price_leaves_the_range_what_the_new_range_cannot_take_stays_idle() {
    let (mut s, carol) = controlled();
    let vault = s.vault;
    let first = rule_range(&mut s);
    rerange(&mut s, carol, first).unwrap();
    // the market walks up 25 %, out of the range (+/- 11 %)
    s.move_price_to(2_500);
    let spot_tick = tick_at_sqrt_price(s.pool_state().sqrt_price).unwrap();
    assert!(spot_tick > first.1);
    let before = s.ledger();
    let (out0, out1) = lp_amounts(&s.pool_state(), before.liquidity).unwrap();
    // above the range the position is all token1
    assert_eq!(out0, U256::ZERO);
    let value_before = s.accounting().value;
    let next = rule_range(&mut s);
    assert!(
        (next.0 + next.1 - 2 * spot_tick).abs() <= 60,
        "{next:?} {spot_tick}"
    );
    rerange(&mut s, carol, next).unwrap();
    let ev = s.events_from::<IVault::Reranged>(vault);
    assert_eq!((ev[0].fromLower.as_i32(), ev[0].fromUpper.as_i32()), first);
    // the new range needs token0 too, and the vault has little: it mints
    // what that pays for, the rest of the token1 stays idle (no swap)
    let after = s.ledger();
    assert_eq!(
        after.liquidity,
        liquidity_for(&s.pool_state(), before.idle0, before.idle1 + out1).unwrap()
    );
    assert!(after.idle1 > usdc(10_000), "{}", after.idle1);
    assert_eq!(s.balance0(vault), after.idle0);
    assert_eq!(s.balance1(vault), after.idle1);
    let value_after = s.accounting().value;
    assert!(value_before - value_after < usdc(1) / u(100));
    // alice withdraws what the lens says she holds, within 0.1 %
    let alice = s.alice;
    s.withdraw_all_at_lens_value(alice);
}

#[test]
fn the_value_in_a_range_is_the_closed_form_inside_below_and_above() {
    let (mut s, carol) = controlled();
    let range = rule_range(&mut s);
    rerange(&mut s, carol, range).unwrap();
    let (lower, upper) = range;
    for dollars in [2_000_i128, 1_500, 2_600] {
        // the oracle at the spot each time; the position's mix follows
        s.move_price_to(dollars);
        let tick = tick_at_sqrt_price(s.pool_state().sqrt_price).unwrap();
        match dollars {
            1_500 => assert!(tick < lower),
            2_600 => assert!(tick >= upper),
            _ => assert!(lower <= tick && tick < upper),
        }
        let (l, price) = (s.ledger(), s.oracle_price());
        let position = RangePosition::from_ticks(l.liquidity.to(), lower, upper).unwrap();
        let lp = position
            .value(price.sqrt_price_x96(Rounding::Floor))
            .unwrap();
        // the lens counts the fees the swaps paid the position with the
        // idle tokens (token0 quoted once, rounded down)
        let pos = s.view(s.lens, &ILens::positionCall {});
        let idle = price.quote(l.idle0 + pos.fees0, Rounding::Floor).unwrap() + l.idle1 + pos.fees1;
        assert_eq!(s.accounting().value, lp + idle, "at {dollars}");
        // the closed form is the float formula to 1e-12 relative, or to the
        // one raw unit the floor costs (values here are ~4e10 units)
        let f = |x: U256| f64::from(x);
        let q96 = 2f64.powi(96);
        let a = f(il_math::sqrt_price_at_tick(lower).unwrap()) / q96;
        let b = f(il_math::sqrt_price_at_tick(upper).unwrap()) / q96;
        let p = f(price.num()) / f(price.den());
        let c = p.sqrt().clamp(a, b);
        let liq = f(l.liquidity);
        let float = liq * (1.0 / c - 1.0 / b) * p + liq * (c - a);
        let rel = (f(lp) - float).abs() / float;
        assert!(
            rel < 1e-12 || (float - f(lp) >= 0.0 && float - f(lp) < 1.0),
            "at {dollars}: {lp} vs {float} ({rel:e})"
        );
    }
}

#[test]
fn only_the_controller_reranges_and_not_while_paused() {
    let (mut s, carol) = controlled();
    let (stranger, vault) = (s.stranger, s.vault);
    let range = rule_range(&mut s);
    assert_revert(
        rerange(&mut s, stranger, range),
        IVault::VaultNotController { account: stranger },
    );
    let pause = IVault::configureCall {
        controller: carol,
        depositCap: U256::ZERO,
        paused: true,
    };
    s.ok(carol, vault, &pause);
    assert_revert(rerange(&mut s, carol, range), IVault::VaultPaused {});
}

#[test]
fn the_vault_takes_only_ranges_of_its_pool() {
    let (mut s, carol) = controlled();
    let (lo, hi) = full_range_ticks(60).unwrap();
    for bad in [
        (-600, -600),    // empty
        (600, -600),     // reversed
        (-630, 600),     // not a multiple of the spacing
        (lo - 60, 600),  // below the usable ticks
        (-600, hi + 60), // above
    ] {
        assert_revert(
            rerange(&mut s, carol, bad),
            IVault::VaultInvalidRange {
                tickLower: tick_word(bad.0),
                tickUpper: tick_word(bad.1),
            },
        );
    }
    // a word that is no int24 at all
    let call = IVault::rerangeCall {
        tickLower: I256::MAX,
        tickUpper: tick_word(600),
    };
    assert_revert(
        s.w.call_sol(carol, s.vault, &call),
        IVault::VaultInvalidRange {
            tickLower: I256::MAX,
            tickUpper: tick_word(600),
        },
    );
    assert_eq!(ticks(&mut s), (lo, hi));
}

#[test]
fn an_empty_vault_moves_its_range_and_mints_nothing() {
    let mut s = Sys::new();
    let carol = s.carol;
    s.hand_control(carol);
    let out = rerange(&mut s, carol, (-600, 600)).unwrap();
    assert_eq!(out.liquidity, U256::ZERO);
    assert_eq!(ticks(&mut s), (-600, 600));
}
