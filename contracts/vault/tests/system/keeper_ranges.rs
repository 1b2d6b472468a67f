//! The manager's side of concentrated ranges: the owner's range rule
//! (`setRangeRule`, run by `il-manager-ops` in the manager's storage) and
//! the keeper's `rerange` (where the contract puts the range, one per
//! cooldown, the price checks). The vault's own `rerange` and the value in
//! a range are in `ranges.rs`.

use alloy_primitives::{I256, U256};
use il_math::{
    Rounding,
    range::RangeRule,
    v4::{full_range_ticks, tick_at_sqrt_price},
    vault::{Holdings, liquidity_for, lp_amounts, plan_rerange, vault_value},
};

use crate::fixture::*;

/// k = 2, a week's horizon, 10 to 1,000 spacings wide.
const RULE: RangeRule = RangeRule {
    k_bps: 20_000,
    horizon_secs: 7 * 86_400,
    min_width: 600,
    max_width: 60_000,
};

fn sigma(percent: u64) -> U256 {
    il_math::range::sigma_from_percent(percent)
}

fn set_rule(s: &mut Sys, r: &RangeRule) {
    let (owner, manager) = (s.owner, s.manager);
    let call = IManager::setRangeRuleCall {
        kBps: r.k_bps,
        horizonSecs: r.horizon_secs,
        minWidth: u32::try_from(r.min_width).unwrap(),
        maxWidth: u32::try_from(r.max_width).unwrap(),
    };
    s.ok(owner, manager, &call);
}

fn rerange(s: &mut Sys) -> Result<IManager::rerangeReturn, il_testkit::Revert> {
    s.keeper_call(&IManager::rerangeCall {})
}

/// Alice's 10 token0 + 20,000 token1 in the pool, the rule set and 80 %
/// volatility reported.
fn ranged() -> Sys {
    let mut s = Sys::new();
    let alice = s.alice;
    s.deposit(alice, eth(10), usdc(20_000));
    set_rule(&mut s, &RULE);
    s.keeper_call(&IManager::updateVolatilityCall { sigma: sigma(80) })
        .unwrap();
    s
}

/// Past the cooldown, with a fresh oracle at the same answer.
fn later(s: &mut Sys, seconds: u64) {
    s.w.advance(seconds);
    let answer = s.view(s.oracle, &IOracle::latestAnswerCall {});
    s.set_answer(answer);
}

fn ticks(s: &mut Sys) -> (i32, i32) {
    let p = s.view(s.vault, &IVault::poolCall {});
    (p.tickLower.as_i32(), p.tickUpper.as_i32())
}

fn tick_word(t: i32) -> I256 {
    I256::try_from(t).unwrap()
}

/// The vault's value at the oracle from its books, as il-math's closed
/// forms give it (no hedge here).
fn book_value(s: &mut Sys) -> U256 {
    let (pool, l, price) = (s.pool_state(), s.ledger(), s.oracle_price());
    let h = Holdings {
        liquidity: l.liquidity,
        idle0: l.idle0,
        idle1: l.idle1,
        equity: I256::ZERO,
    };
    vault_value(&pool, &h, &price).unwrap()
}

#[test]
fn rerange_puts_the_rule_range_around_the_oracle_and_keeps_the_value() {
    let mut s = ranged();
    let (vault, manager) = (s.vault, s.manager);
    let (pool, price, before) = (s.pool_state(), s.oracle_price(), s.ledger());
    let value_before = s.accounting().value;
    let plan = plan_rerange(&pool, &price, before.liquidity, sigma(80), 60, Some(&RULE)).unwrap();
    // the width is k sigma sqrt(h) each side: 2 * 0.8 * sqrt(7/365) = 22 %
    // of price, about 2 * 2,000 ticks, rounded up to the spacing
    assert_eq!(plan.tick_upper - plan.tick_lower, 4_440);
    let out = rerange(&mut s).unwrap();
    assert_eq!(
        (out.tickLower.as_i32(), out.tickUpper.as_i32()),
        (plan.tick_lower, plan.tick_upper)
    );
    assert_eq!(ticks(&mut s), (plan.tick_lower, plan.tick_upper));
    // centred on the oracle's tick, within half a spacing
    let centre = tick_at_sqrt_price(price.sqrt_price_x96(Rounding::Floor)).unwrap();
    assert!((plan.tick_lower + plan.tick_upper - 2 * centre).abs() <= 60);
    // the vault burned all its liquidity and minted what its idle tokens
    // pay for in the new range
    let (out0, out1) = lp_amounts(&pool, before.liquidity).unwrap();
    let new_pool = s.pool_state();
    let minted = liquidity_for(&new_pool, before.idle0 + out0, before.idle1 + out1).unwrap();
    assert_eq!(
        s.events_from::<IVault::Reranged>(vault),
        vec![IVault::Reranged {
            fromLower: tick_word(pool.tick_lower),
            fromUpper: tick_word(pool.tick_upper),
            toLower: tick_word(plan.tick_lower),
            toUpper: tick_word(plan.tick_upper),
            burned: before.liquidity,
            minted,
        }]
    );
    let after = s.ledger();
    assert_eq!(after.liquidity, minted);
    assert_eq!(s.balance0(vault), after.idle0);
    assert_eq!(s.balance1(vault), after.idle1);
    // a narrower range: more liquidity for about the same tokens
    assert!(minted > before.liquidity * u(4));
    // almost everything went back in: a centred range takes both tokens
    // in the proportion the full range held them
    assert!(after.idle1 < usdc(20), "{}", after.idle1);
    // the value is kept (the spot is the oracle's: only rounding moves)
    let value_after = s.accounting().value;
    assert!(
        value_after <= value_before && value_before - value_after < usdc(1) / u(100),
        "{value_before} -> {value_after}"
    );
    let rr = s.view(manager, &IManager::rangeRuleCall {});
    assert_eq!(rr.lastRerange, s.w.timestamp());
    // the manager's later actions run on the new range: a rebalance's plan
    // values the position there
    assert_eq!(
        s.view(s.lens, &ILens::accountingCall {}).value,
        book_value(&mut s)
    );
    // the same range again is nothing to do, cooldown or not
    assert_revert(rerange(&mut s), IManager::ManagerNothingToDo {});
    later(&mut s, 3_600);
    assert_revert(rerange(&mut s), IManager::ManagerNothingToDo {});
}

#[test]
fn a_price_that_leaves_the_range_is_followed_once_per_cooldown() {
    let mut s = ranged();
    let vault = s.vault;
    rerange(&mut s).unwrap();
    let first = ticks(&mut s);
    // the market walks up 25 %, out of the range (+/- 11 %)
    s.move_price_to(2_500);
    let spot_tick = tick_at_sqrt_price(s.pool_state().sqrt_price).unwrap();
    assert!(spot_tick > first.1);
    // within the cooldown: wait
    assert_revert(
        rerange(&mut s),
        IManager::ManagerCooldown {
            availableAt: s.w.timestamp() + 3_600,
        },
    );
    later(&mut s, 3_600);
    let before = s.ledger();
    // all token1 above the range
    let (out0, out1) = lp_amounts(&s.pool_state(), before.liquidity).unwrap();
    assert_eq!(out0, U256::ZERO);
    assert!(out1 > usdc(20_000));
    let value_before = s.accounting().value;
    let out = rerange(&mut s).unwrap();
    let now = ticks(&mut s);
    assert_eq!((out.tickLower.as_i32(), out.tickUpper.as_i32()), now);
    assert!(
        (now.0 + now.1 - 2 * spot_tick).abs() <= 60,
        "{now:?} {spot_tick}"
    );
    assert_eq!(now.1 - now.0, first.1 - first.0);
    let ev = s.events_from::<IVault::Reranged>(vault);
    assert_eq!(ev.len(), 1);
    assert_eq!((ev[0].fromLower.as_i32(), ev[0].fromUpper.as_i32()), first);
    // the new range takes token0 too, and the vault has little: what it
    // cannot take stays idle (one-sided, as after any exit without a swap)
    let after = s.ledger();
    assert_eq!(
        after.liquidity,
        liquidity_for(&s.pool_state(), before.idle0, before.idle1 + out1).unwrap()
    );
    assert_eq!(s.balance0(vault), after.idle0);
    assert_eq!(s.balance1(vault), after.idle1);
    // value kept at the oracle (== spot here) to rounding
    let value_after = s.accounting().value;
    assert!(value_before - value_after < usdc(1) / u(100));
    // a second call changes nothing
    later(&mut s, 3_600);
    assert_revert(rerange(&mut s), IManager::ManagerNothingToDo {});
    // and alice withdraws what the lens says she holds
    let alice = s.alice;
    s.withdraw_all_at_lens_value(alice);
}

#[test]
fn the_full_range_comes_back_without_a_rule() {
    let mut s = ranged();
    rerange(&mut s).unwrap();
    later(&mut s, 3_600);
    set_rule(
        &mut s,
        &RangeRule {
            k_bps: 0,
            horizon_secs: 0,
            min_width: 0,
            max_width: 0,
        },
    );
    let r = s.view(s.manager, &IManager::rangeRuleCall {});
    assert_eq!(
        (r.kBps, r.horizonSecs, r.minWidth, r.maxWidth),
        (0, 0, 0, 0)
    );
    rerange(&mut s).unwrap();
    assert_eq!(ticks(&mut s), full_range_ticks(60).unwrap());
}

#[test]
fn the_range_rule_is_the_owners_and_bounded() {
    let mut s = ranged();
    let (stranger, manager, owner) = (s.stranger, s.manager, s.owner);
    let call = |k: u32, h: u64, lo: u32, hi: u32| IManager::setRangeRuleCall {
        kBps: k,
        horizonSecs: h,
        minWidth: lo,
        maxWidth: hi,
    };
    assert_revert(
        s.w.call_sol(stranger, manager, &call(20_000, 86_400, 600, 6_000)),
        IManager::OwnableUnauthorizedAccount { account: stranger },
    );
    let (lo, hi) = full_range_ticks(60).unwrap();
    let span = u32::try_from(hi - lo).unwrap();
    for bad in [
        call(20_000, 86_400, 90, 6_000),      // not a multiple of 60
        call(20_000, 86_400, 6_000, 600),     // min above max
        call(20_000, 86_400, 0, 600),         // narrower than a spacing
        call(20_000, 86_400, 600, span + 60), // wider than the usable span
        call(100_001, 86_400, 600, 6_000),    // k above 10
        call(20_000, 0, 600, 6_000),          // no horizon
        call(20_000, 31_536_001, 600, 6_000), // more than a year
        call(0, 86_400, 600, 6_000),          // "full range" with a rule
    ] {
        assert_revert(
            s.w.call_sol(owner, manager, &bad),
            IManager::ManagerInvalidRangeRule {},
        );
    }
    s.ok(owner, manager, &call(20_000, 86_400, 600, span));
    assert_eq!(
        s.events_from::<IManager::RangeRuleUpdated>(manager),
        vec![IManager::RangeRuleUpdated {
            kBps: 20_000,
            horizonSecs: 86_400,
            minWidth: 600,
            maxWidth: span,
        }]
    );
}

#[test]
fn rerange_is_the_keepers_bounded_by_the_price_checks() {
    let mut s = ranged();
    let (stranger, manager, vault) = (s.stranger, s.manager, s.vault);
    assert_revert(
        s.w.call_sol(stranger, manager, &IManager::rerangeCall {}),
        IManager::ManagerNotKeeper { account: stranger },
    );
    // nobody but the controller moves the vault's range
    assert_revert(
        s.w.call_sol(
            stranger,
            vault,
            &IVault::rerangeCall {
                tickLower: tick_word(-600),
                tickUpper: tick_word(600),
            },
        ),
        IVault::VaultNotController { account: stranger },
    );
    // a spot off the oracle
    s.swap(false, usdc(20_000));
    let deviation = s
        .pool_state()
        .spot()
        .unwrap()
        .deviation_bps(&s.oracle_price())
        .unwrap();
    assert_revert(
        rerange(&mut s),
        IManager::ManagerPriceDeviation {
            deviationBps: deviation,
            maxBps: u(100),
        },
    );
    // a stale oracle
    s.oracle_to_spot();
    let updated = s.w.timestamp();
    s.w.advance(3_601);
    assert_revert(
        rerange(&mut s),
        IManager::ManagerStalePrice {
            updatedAt: u(updated.into()),
            now: u((updated + 3_601).into()),
        },
    );
    // paused
    s.oracle_to_spot();
    s.set_paused(true);
    assert_revert(rerange(&mut s), IManager::ManagerPaused {});
    s.set_paused(false);
    rerange(&mut s).unwrap();
}
