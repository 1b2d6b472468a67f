//! The planner is a thin ABI layer over `il_math::vault`: these tests check
//! the word layouts against the library functions and the error mapping.

use alloy_primitives::{I256, U256};
use il_math::{
    Price,
    vault::{self, HolderRecord, Ledger, PoolState},
};
use stylus_sdk::testing::TestVM;

use super::*;

const ETH: u128 = 1_000_000_000_000_000_000;

fn u(x: u128) -> U256 {
    U256::from(x)
}

fn planner() -> Planner {
    Planner::from(&TestVM::new())
}

/// Price 4 (sqrtPriceX96 = 2 * 2^96), full range at spacing 60.
fn pool() -> PoolState {
    let (tick_lower, tick_upper) = il_math::v4::full_range_ticks(60).unwrap();
    PoolState {
        sqrt_price: U256::from(2u8) << 96,
        tick_lower,
        tick_upper,
    }
}

fn pool_words(p: &PoolState) -> [U256; 3] {
    let tick = |t: i32| I256::try_from(t).unwrap().into_raw();
    [p.sqrt_price, tick(p.tick_lower), tick(p.tick_upper)]
}

fn price() -> Price {
    Price::new(u(4), u(1)).unwrap()
}

#[test]
fn rebalance_and_value_return_the_library_results_in_their_layout() {
    let p = pool();
    let mut args = pool_words(&p).to_vec();
    args.extend_from_slice(&[
        u(4),
        u(1),
        u(100 * ETH),
        u(25 * ETH),
        u(100 * ETH),
        u(5_000),
    ]);
    let out = planner().rebalance_plan(args).unwrap();
    let plan = vault::plan_rebalance(&p, &price(), u(100 * ETH), u(25 * ETH), u(100 * ETH), 5_000)
        .unwrap();
    assert!(!plan.burn.is_zero());
    assert_eq!(
        out,
        vec![
            U256::from(plan.current_bps),
            plan.burn,
            plan.add,
            plan.add0,
            plan.add1,
            plan.burn_value
        ]
    );
    assert_eq!(
        plan.burn_value,
        vault::lp_value(&p, plan.burn, &price()).unwrap()
    );
}

#[test]
fn range_plan_returns_the_rule_range_or_the_full_range() {
    use il_math::range::RangeRule;
    let p = pool();
    let rule = RangeRule {
        k_bps: 20_000,
        horizon_secs: 7 * 86_400,
        min_width: 600,
        max_width: 60_000,
    };
    let sigma = il_math::range::sigma_from_percent(80);
    let args = |r: &RangeRule| {
        let mut a = pool_words(&p).to_vec();
        a.extend_from_slice(&[u(4), u(1), u(100 * ETH), sigma, u(60)]);
        a.extend_from_slice(&[
            U256::from(r.k_bps),
            U256::from(r.horizon_secs),
            U256::from(r.min_width.unsigned_abs()),
            U256::from(r.max_width.unsigned_abs()),
        ]);
        a
    };
    let plan = vault::plan_rerange(&p, &price(), u(100 * ETH), sigma, 60, Some(&rule)).unwrap();
    let tick = |t: i32| I256::try_from(t).unwrap().into_raw();
    assert_eq!(
        planner().range_plan(args(&rule)).unwrap(),
        vec![
            tick(plan.tick_lower),
            tick(plan.tick_upper),
            plan.burn_value
        ]
    );
    // k = 0: the full range, the other rule words ignored
    let full = RangeRule { k_bps: 0, ..rule };
    let (lo, hi) = il_math::v4::full_range_ticks(60).unwrap();
    assert_eq!(
        planner().range_plan(args(&full)).unwrap(),
        vec![tick(lo), tick(hi), plan.burn_value]
    );
    // a rule out of its domain: PlannerMath(3)
    let bad = RangeRule {
        min_width: 90,
        ..rule
    };
    assert_eq!(
        planner().range_plan(args(&bad)),
        Err(PlannerError::from(PlannerMath {
            code: il_math::MathError::InvalidInput.code()
        }))
    );
}

#[test]
fn hedge_and_slippage_return_the_library_results_in_their_layout() {
    let p = pool();
    let mut args = pool_words(&p).to_vec();
    args.extend_from_slice(&[
        u(4),
        u(1),
        u(100 * ETH),
        u(5_000),
        U256::ZERO,
        U256::ZERO,
        u(1_000 * ETH),
        u(2_000),
        u(10 * ETH),
    ]);
    let out = planner().hedge_plan(args).unwrap();
    let h = vault::plan_hedge(
        &p,
        &price(),
        u(100 * ETH),
        5_000,
        I256::ZERO,
        I256::ZERO,
        u(1_000 * ETH),
        2_000,
        u(10 * ETH),
    )
    .unwrap();
    assert!(h.delta.is_negative());
    assert_eq!(
        out,
        vec![
            h.target.into_raw(),
            h.delta.into_raw(),
            h.new_size.into_raw(),
            h.top_up
        ]
    );
    // a burn worth 8 returned 1 token0 + 4 token1: within 1 bps
    let burn = |amount1: u128| {
        let mut a = pool_words(&p).to_vec();
        a.extend_from_slice(&[u(4), u(1), U256::ZERO, u(ETH), u(amount1), u(8 * ETH)]);
        a.extend_from_slice(&[U256::ZERO, U256::ZERO, u(1)]);
        planner().slippage_ok(a).unwrap()
    };
    assert_eq!(burn(4 * ETH), vec![U256::from(1u8)]);
    // a removal that returned 1 % less than the liquidity is worth fails
    assert_eq!(burn(4 * ETH - 8 * ETH / 100), vec![U256::ZERO]);
    // a mint that took 2 % more token1 than v4 asks for the liquidity
    // fails; the amounts v4 asks for pass
    let l = u(ETH);
    let (a0, a1) = vault::add_amounts(&p, l).unwrap();
    let mint = |a1: U256| {
        let mut a = pool_words(&p).to_vec();
        a.extend_from_slice(&[
            u(4),
            u(1),
            l,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            a0,
            a1,
            u(1),
        ]);
        planner().slippage_ok(a).unwrap()
    };
    assert_eq!(mint(a1), vec![U256::from(1u8)]);
    assert_eq!(mint(a1 + a1 * u(2) / u(100)), vec![U256::ZERO]);
}

#[test]
fn short_argument_lists_are_invalid_input() {
    let invalid = Err(PlannerError::from(PlannerMath { code: 16 }));
    assert_eq!(planner().rebalance_plan(vec![U256::ZERO; 2]), invalid);
    assert_eq!(planner().hedge_plan(vec![]), invalid);
    assert_eq!(planner().slippage_ok(vec![U256::ZERO; 2]), invalid);
    // a pool and a price, then too few words for the rule
    let mut short = vec![U256::ZERO; 3];
    short.extend_from_slice(&[u(1), u(1), U256::ZERO, U256::ZERO, u(60)]);
    assert_eq!(planner().range_plan(short), invalid);
    // a tick word that is not an int24
    let mut args = pool_words(&pool()).to_vec();
    args[1] = U256::MAX >> 1;
    args.extend_from_slice(&[u(4), u(1), u(ETH), U256::ZERO, U256::ZERO, U256::ZERO]);
    args.extend_from_slice(&[U256::ZERO, U256::ZERO, u(1)]);
    assert_eq!(planner().slippage_ok(args), invalid);
}

#[test]
fn accounting_views_return_the_library_splits_in_their_layout() {
    let p = pool();
    let ledger = Ledger {
        liquidity: u(10 * ETH),
        idle1: u(ETH),
        hold0: u(5 * ETH),
        hold1: u(20 * ETH),
        ..Default::default()
    };
    let holder = HolderRecord {
        hold0: u(ETH),
        hold1: u(4 * ETH),
        ..Default::default()
    };
    let fees = (u(3), u(7));
    let price = Price::new(u(5), u(1)).unwrap();
    let mut args = ledger.to_words().to_vec();
    args.extend_from_slice(&pool_words(&p));
    args.extend_from_slice(&[fees.0, fees.1]);
    args.extend_from_slice(&[u(5), u(1), U256::ZERO, u(10 * ETH)]);
    let split = vault::vault_split(&ledger, &p, fees, &price, I256::ZERO, u(10 * ETH)).unwrap();
    let words = |s: &vault::Split| {
        vec![
            s.value,
            s.hold,
            s.pnl.into_raw(),
            s.il.into_raw(),
            s.fees.into_raw(),
            s.hedge.into_raw(),
        ]
    };
    assert!(!split.value.is_zero() && !split.fees.is_zero());
    assert_eq!(planner().accounting(args).unwrap(), words(&split));
    let mut args = ledger.to_words().to_vec();
    args.extend_from_slice(&holder.to_words());
    args.extend_from_slice(&pool_words(&p));
    args.extend_from_slice(&[fees.0, fees.1]);
    args.extend_from_slice(&[u(5), u(1), U256::ZERO, u(10 * ETH), u(2 * ETH)]);
    let mine = vault::holder_split(
        &ledger,
        &holder,
        &p,
        fees,
        &price,
        I256::ZERO,
        u(10 * ETH),
        u(2 * ETH),
    )
    .unwrap();
    assert_eq!(planner().account_of(args).unwrap(), words(&mine));
}

#[test]
fn fees_owed_is_growth_times_liquidity_over_2_128() {
    let q128 = U256::from(1u8) << 128;
    // growth of 3/2 per unit in token0, 1/4 in token1 (wrapping past zero)
    let args = vec![
        u(1_000),
        q128 * u(3) / u(2),
        U256::ZERO,
        q128 / u(8),
        U256::MAX - q128 / u(8) + u(1),
    ];
    assert_eq!(planner().fees_owed(args).unwrap(), vec![u(1_500), u(250)]);
}

#[test]
fn planner_errors_encode_like_alloy() {
    let e = PlannerMath { code: 7 };
    assert_eq!(PlannerError::from(e.clone()), PlannerError::standard(&e));
}
