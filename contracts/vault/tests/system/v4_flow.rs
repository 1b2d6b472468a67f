//! The vault on the real Uniswap v4 PoolManager, end to end in one world:
//! deposits add full-range liquidity to the vault's own position, swaps pay
//! it fees, withdrawals remove it, and the manager (the pool's hook) sets
//! the pool's LP fee and rebalances.

use alloy_primitives::U256;

use crate::fixture::*;

#[test]
fn deposit_swap_collect_and_withdraw_on_the_pool_manager() {
    let mut s = Sys::new();
    assert_eq!(s.pool_fee(), 3_000);
    let alice = s.alice;
    let d = s.deposit(alice, eth(10), usdc(20_000));
    assert!(d.shares > U256::ZERO);
    let l = s.ledger();
    assert!(l.liquidity > U256::ZERO, "{l:?}");
    let pos = s.view(s.lens, &ILens::positionCall {});
    assert_eq!(pos.liquidity, l.liquidity);
    // swaps both ways pay the position fees
    s.swap(true, eth(5));
    s.swap(false, usdc(10_000));
    let pos = s.view(s.lens, &ILens::positionCall {});
    assert!(pos.fees0 > U256::ZERO && pos.fees1 > U256::ZERO, "{pos:?}");
    let (f0, f1) = (pos.fees0, pos.fees1);
    // the next deposit collects them for the holders so far
    let bob = s.bob;
    s.move_price_to(2_000);
    s.deposit(bob, eth(1), usdc(2_000));
    let fc = s.events_from::<IVault::FeesCollected>(s.vault);
    assert_eq!(fc.len(), 1);
    assert!(fc[0].amount0 >= f0 && fc[0].amount1 >= f1, "{fc:?}");
    let l = s.ledger();
    assert_eq!(l.acc.fee0_total, fc[0].amount0 * il_math::WAD);
    // alice leaves with her part
    let shares = s.shares(alice);
    let (b0, b1) = (s.balance0(alice), s.balance1(alice));
    let w = s.withdraw(alice, shares);
    assert_eq!(s.balance0(alice) - b0, w.amount0);
    assert_eq!(s.balance1(alice) - b1, w.amount1);
    assert!(w.amount0 > eth(9) && w.amount1 > usdc(18_000), "{w:?}");
}

#[test]
fn the_keeper_sets_the_pool_fee_and_rebalances() {
    let mut s = Sys::with(Setup {
        pool_fee: None,
        seed_pool: true,
    });
    assert_eq!(s.pool_fee(), 500);
    let alice = s.alice;
    s.deposit(alice, eth(10), usdc(20_000));
    // 80 % volatility: the 30 bps tier
    let r = s
        .keeper_call(&IManager::updateVolatilityCall {
            sigma: U256::from(800_000_000_000_000_000u64),
        })
        .unwrap();
    assert_eq!((r.tier, r.feePips), (1, 3_000));
    assert_eq!(s.pool_fee(), 3_000);
    // rebalance to 75 % in the pool
    let before = s.ledger().liquidity;
    let delta = s
        .keeper_call(&IManager::rebalanceCall {
            targetBps: 7_500,
            amount0Min: U256::ZERO,
            amount1Min: U256::ZERO,
        })
        .unwrap();
    assert!(delta.is_negative());
    assert_eq!(s.ledger().liquidity, before - delta.unsigned_abs());
    assert_eq!(
        s.view(s.lens, &ILens::positionCall {}).liquidity,
        s.ledger().liquidity
    );
}
