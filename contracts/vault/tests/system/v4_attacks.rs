//! Attacks on the vault's v4 position (issue #13), each measured: what the
//! attacker ends with, in token1 raw units at the oracle price, fees
//! included (`cargo test -p il-vault --test system v4_attacks --
//! --nocapture` prints the figures).
//!
//! - a sandwich around a deposit or a rebalance: beyond the manager's
//!   `maxDeviationBps` (1 %) the victim's call reverts with
//!   `ManagerPriceDeviation`; within it the attacker's two swaps pay the
//!   pool's fee on a move of up to 1 % of the pool's depth, more than the
//!   spot moved by 1 % takes from the victim (second order in the move);
//! - donations: tokens sent to the vault stay outside its books; tokens
//!   donated to the pool (`PoolDonateTest.donate`) are fees to the holders
//!   of the moment, and a depositor right after gets none of them;
//! - the callback and the hook: `unlockCallback` from anyone but the
//!   PoolManager inside the vault's own unlock refuses, on the vault and on
//!   its operations program; the operations program called directly
//!   refuses everything; only the manager (the hook) sets the pool's fee;
//! - the lens's fee income is what the PoolManager paid the vault, to the
//!   wei, and its IL on a fee-less pool is il-math's closed form.

use alloy_primitives::{Address, Bytes, I256, U256, aliases::U160};
use alloy_sol_types::{SolCall, SolValue};
use il_math::{Price, RangePosition, Rounding, vault::to_liquidity};
use il_testkit::v4::{self, IPoolManager};

use crate::fixture::*;

/// Token1 raw units as a decimal string with 2 places (6-decimals token1),
/// to the cent (rounded half up in magnitude).
fn show(x: I256) -> String {
    let neg = x.is_negative();
    let m = x.unsigned_abs();
    let cents = (m + u(5_000)) / u(10_000);
    format!(
        "{}{}.{:02}",
        if neg { "-" } else { "" },
        cents / u(100),
        cents % u(100)
    )
}

fn signed(x: U256) -> I256 {
    I256::from_raw(x)
}

/// The sqrt price of `cents` / 100 dollars per token0 (floor).
fn sqrt_at_cents(cents: i128) -> U256 {
    Price::from_oracle(i(cents * 1_000_000), ORACLE_DECIMALS, DECIMALS0, DECIMALS1)
        .unwrap()
        .sqrt_price_x96(Rounding::Floor)
}

/// What `who` holds of both tokens, in token1 at `price` (floor).
fn worth(s: &mut Sys, who: Address, price: &Price) -> I256 {
    let (b0, b1) = (s.balance0(who), s.balance1(who));
    signed(price.quote(b0, Rounding::Floor).unwrap() + b1)
}

/// The attacker: the stranger with 10,000 token0 and 20,000,000 token1 of
/// its own, approved to the swap router (the fixture's).
fn arm(s: &mut Sys) -> Address {
    let attacker = s.stranger;
    s.mint(attacker, eth(10_000), usdc(20_000_000));
    attacker
}

/// `who` swaps the pool's spot exactly to `sqrt_price` with its own tokens.
fn swap_spot_to(s: &mut Sys, who: Address, sqrt_price: U256) {
    let now = s.pool_state().sqrt_price;
    let zero_for_one = sqrt_price < now;
    let budget = if zero_for_one {
        s.balance0(who)
    } else {
        s.balance1(who)
    };
    let call = v4::swap_call(&s.key, zero_for_one, budget, Some(U160::from(sqrt_price)));
    let router = s.v4.swap_router;
    s.ok(who, router, &call);
    assert_eq!(
        s.pool_state().sqrt_price,
        sqrt_price,
        "the swap stopped short"
    );
}

fn rebalance(s: &mut Sys, target: u16) -> Result<I256, il_testkit::Revert> {
    s.keeper_call(&IManager::rebalanceCall {
        targetBps: target,
        amount0Min: U256::ZERO,
        amount1Min: U256::ZERO,
    })
}

/// Asserts `VaultCallFailed(manager, ManagerPriceDeviation { deviation, 100 })`
/// with the deviation of the spot now; returns it.
#[track_caller]
fn assert_deviation_refused<T: std::fmt::Debug>(
    s: &mut Sys,
    r: Result<T, il_testkit::Revert>,
) -> U256 {
    let deviation = s
        .pool_state()
        .spot()
        .unwrap()
        .deviation_bps(&s.oracle_price())
        .unwrap();
    assert!(deviation > u(100));
    let failed = r
        .unwrap_err()
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!(failed.target, s.manager);
    assert_eq!(
        <IManager::ManagerPriceDeviation as alloy_sol_types::SolError>::abi_decode(&failed.reason)
            .unwrap(),
        IManager::ManagerPriceDeviation {
            deviationBps: deviation,
            maxBps: u(100),
        }
    );
    deviation
}

// ---- sandwiches ------------------------------------------------------------------

/// Alice's 100 token0 + 200,000 token1 in the vault; Bob, the victim,
/// deposits `bob0` token0 and its value in token1 while the attacker holds
/// the spot at `front` (a sqrt price). Returns (the attacker's PnL, Bob's
/// PnL just after), token1 raw at the oracle price ($2,000).
fn deposit_sandwich(pool_fee: u32, bob0: u64, front: U256) -> (I256, I256) {
    let mut s = Sys::with(Setup {
        pool_fee: Some(pool_fee),
        seed_pool: true,
    });
    let (alice, bob) = (s.alice, s.bob);
    s.deposit(alice, eth(100), usdc(200_000));
    let attacker = arm(&mut s);
    let p = s.oracle_price();
    let start = s.pool_state().sqrt_price;
    let before = worth(&mut s, attacker, &p);
    swap_spot_to(&mut s, attacker, front);
    let (max0, max1) = (eth(bob0), usdc(bob0 * 2_100));
    s.mint(bob, max0, max1);
    let dep = s.try_deposit(bob, max0, max1, U256::ZERO).unwrap();
    swap_spot_to(&mut s, attacker, start);
    let attacker_pnl = worth(&mut s, attacker, &p) - before;
    let paid = signed(p.quote(dep.amount0, Rounding::Ceil).unwrap() + dep.amount1);
    let bob_pnl = signed(s.account_of(bob).value) - paid;
    (attacker_pnl, bob_pnl)
}

#[test]
fn a_sandwich_around_a_deposit_is_refused_beyond_the_bound() {
    let mut s = Sys::new();
    let (alice, bob) = (s.alice, s.bob);
    s.deposit(alice, eth(100), usdc(200_000));
    let attacker = arm(&mut s);
    // 1.5 % up: beyond maxDeviationBps
    swap_spot_to(&mut s, attacker, sqrt_at_cents(203_000));
    s.mint(bob, eth(100), usdc(210_000));
    let r = s.try_deposit(bob, eth(100), usdc(210_000), U256::ZERO);
    let deviation = assert_deviation_refused(&mut s, r);
    println!("deposit sandwich beyond the bound: refused at {deviation} bps");
    assert_eq!(deviation, u(150));
    assert_eq!(s.shares(bob), U256::ZERO);
}

#[test]
fn a_sandwich_around_a_deposit_within_the_bound_costs_the_attacker() {
    // the edge of the bound: 2,019.90 (99.5 bps, 100 rounded up)
    let edge = sqrt_at_cents(201_990);
    let (attacker, bob) = deposit_sandwich(3_000, 100, edge);
    println!(
        "deposit sandwich at +99.5 bps, 30 bps pool, Bob 100 token0: attacker {} token1, Bob {} token1",
        show(attacker),
        show(bob)
    );
    assert!(
        attacker < I256::ZERO,
        "the attacker gains {}",
        show(attacker)
    );
    // the same from below
    let (attacker, bob) = deposit_sandwich(3_000, 100, sqrt_at_cents(198_010));
    println!(
        "deposit sandwich at -99.5 bps, 30 bps pool, Bob 100 token0: attacker {} token1, Bob {} token1",
        show(attacker),
        show(bob)
    );
    assert!(
        attacker < I256::ZERO,
        "the attacker gains {}",
        show(attacker)
    );
}

#[test]
fn a_sandwich_around_a_rebalance_costs_the_attacker_or_is_refused() {
    let mut s = Sys::new();
    let alice = s.alice;
    s.deposit(alice, eth(100), usdc(200_000));
    let attacker = arm(&mut s);
    let p = s.oracle_price();
    let start = s.pool_state().sqrt_price;
    // beyond the bound the keeper's rebalance is refused
    let snap = s.w.snapshot();
    swap_spot_to(&mut s, attacker, sqrt_at_cents(203_000));
    let r = rebalance(&mut s, 7_500);
    let deviation = s.pool_state().spot().unwrap().deviation_bps(&p).unwrap();
    assert_revert(
        r,
        IManager::ManagerPriceDeviation {
            deviationBps: deviation,
            maxBps: u(100),
        },
    );
    s.w.revert(&snap);
    // within: a burn to 75 % between the attacker's swaps
    let before = worth(&mut s, attacker, &p);
    swap_spot_to(&mut s, attacker, sqrt_at_cents(201_990));
    rebalance(&mut s, 7_500).unwrap();
    swap_spot_to(&mut s, attacker, start);
    let burn = worth(&mut s, attacker, &p) - before;
    // then an add back (a reversal: six hours later), the spot pushed down
    s.w.advance(il_manager::REVERSAL_COOLDOWN);
    s.set_answer(usd(START_PRICE));
    let before = worth(&mut s, attacker, &p);
    swap_spot_to(&mut s, attacker, sqrt_at_cents(198_010));
    let cur = s.view(s.manager, &IManager::configCall {});
    assert_eq!(cur.rebalanceDirection, il_manager::DOWN);
    let added = rebalance(&mut s, 9_999).unwrap();
    assert!(added > I256::ZERO);
    swap_spot_to(&mut s, attacker, start);
    let add = worth(&mut s, attacker, &p) - before;
    println!(
        "rebalance sandwich at 99.5 bps, 30 bps pool: burn {} token1, add {} token1 to the attacker (refused at {deviation} bps)",
        show(burn),
        show(add)
    );
    assert!(burn < I256::ZERO, "the attacker gains {}", show(burn));
    assert!(add < I256::ZERO, "the attacker gains {}", show(add));
}

// ---- donations -------------------------------------------------------------------

#[test]
fn a_donation_to_the_vault_changes_neither_share_price_nor_books() {
    let mut s = Sys::new();
    let (alice, stranger, vault) = (s.alice, s.stranger, s.vault);
    s.deposit(alice, eth(10), usdc(20_000));
    s.swap(true, eth(3));
    s.oracle_to_spot();
    let preview_call = ILens::previewDepositCall {
        amount0Max: eth(1),
        amount1Max: usdc(2_000),
    };
    let (l, a, preview) = (s.ledger(), s.accounting(), s.view(s.lens, &preview_call));
    s.mint(stranger, eth(50), usdc(100_000));
    for (token, value) in [(s.token0, eth(50)), (s.token1, usdc(100_000))] {
        s.ok(stranger, token, &IToken::transferCall { to: vault, value });
    }
    assert_eq!(s.ledger(), l);
    assert_eq!(s.accounting(), a);
    let after = s.view(s.lens, &preview_call);
    assert_eq!(
        (after.shares, after.amount0, after.amount1),
        (preview.shares, preview.amount0, preview.amount1)
    );
    // nor does it change what a holder takes out: Alice leaves with her
    // part of the books, the donation stays in the vault, unaccounted
    let quote = s.dry_run(|s| {
        let shares = s.shares(alice);
        s.withdraw(alice, shares)
    });
    let shares = s.shares(alice);
    let out = s.withdraw(alice, shares);
    assert_eq!((out.amount0, out.amount1), (quote.amount0, quote.amount1));
    let l = s.ledger();
    assert_eq!(s.balance0(vault), l.idle0 + eth(50));
    assert_eq!(s.balance1(vault), l.idle1 + usdc(100_000));
    println!(
        "donation to the vault: 50 token0 + 100,000 token1 left outside the books; Alice took {} token0 + {} token1",
        out.amount0, out.amount1
    );
}

#[test]
fn a_donation_to_the_pool_is_fees_to_the_holders_of_the_moment() {
    let mut s = Sys::new();
    let (alice, bob, stranger, vault, pm) =
        (s.alice, s.bob, s.stranger, s.vault, s.v4.pool_manager);
    s.deposit(alice, eth(100), usdc(200_000));
    let lv = s.ledger().liquidity;
    let before = s.accounting();
    // 10 token0 + 20,000 token1 donated to the liquidity in range: the
    // seeder's and the vault's, pro rata
    let (d0, d1) = (eth(10), usdc(20_000));
    s.donate(stranger, d0, d1);
    let donated = s.events_from::<IPoolManager::Donate>(pm);
    assert_eq!(donated.len(), 1);
    assert_eq!((donated[0].amount0, donated[0].amount1), (d0, d1));
    let total = s.view(s.lens, &ILens::positionCall {}).liquidity;
    assert_eq!(total, lv);
    // v4 credits amount * 2^128 / liquidityInRange per unit, then owes the
    // position its liquidity times that over 2^128 (both floor)
    let in_range = lv + s.liquidity_for(eth(SEED0), usdc(SEED1));
    let q128 = U256::from(1u8) << 128usize;
    let share = |d: U256| (d * q128 / in_range) * lv / q128;
    let pos = s.view(s.lens, &ILens::positionCall {});
    assert!(
        pos.fees0.abs_diff(share(d0)) <= u(1),
        "{} vs {}",
        pos.fees0,
        share(d0)
    );
    assert!(
        pos.fees1.abs_diff(share(d1)) <= u(1),
        "{} vs {}",
        pos.fees1,
        share(d1)
    );
    let p = s.oracle_price();
    let credited = p.quote(pos.fees0, Rounding::Floor).unwrap() + pos.fees1;
    let a = s.accounting();
    assert_eq!(a.fees - before.fees, signed(credited));
    assert_eq!(a.value, before.value + credited);
    // Bob deposits right after: the fees are collected for Alice first
    let bob_in = s.deposit(bob, eth(100), usdc(200_000));
    assert_eq!(
        s.events_from::<IVault::FeesCollected>(vault),
        vec![IVault::FeesCollected {
            amount0: pos.fees0,
            amount1: pos.fees1
        }]
    );
    assert_eq!(s.account_of(bob).fees, I256::ZERO);
    let alice_fees = s.account_of(alice).fees;
    assert!(alice_fees <= signed(credited) && alice_fees > signed(credited) * i(999) / i(1_000));
    // and leaving at once he takes none of them out
    let out = s.withdraw(bob, bob_in.shares);
    assert!(
        out.amount0 <= bob_in.amount0 && out.amount1 <= bob_in.amount1,
        "{bob_in:?} -> {out:?}"
    );
    println!(
        "donation to the pool: 10 token0 + 20,000 token1; the vault's part {} token0 + {} token1 ({} token1) to Alice, none to Bob",
        pos.fees0,
        pos.fees1,
        show(signed(credited))
    );
}

// ---- the callback, the operations program, the hook -----------------------------

#[test]
fn unlock_callback_refuses_anyone_but_the_pool_manager_in_an_unlock() {
    let mut s = Sys::new();
    let (alice, stranger, vault, ops, pm) =
        (s.alice, s.stranger, s.vault, s.ops, s.v4.pool_manager);
    s.deposit(alice, eth(10), usdc(20_000));
    let l = s.ledger();
    // "remove all the vault's liquidity, pay it to the stranger"
    let data = Bytes::from((-I256::from_raw(l.liquidity), stranger).abi_encode_params());
    let call = IVault::unlockCallbackCall { data: data.clone() };
    for target in [vault, ops] {
        assert_revert(
            s.w.call_sol(stranger, target, &call),
            IVault::VaultUnexpectedCallback { caller: stranger },
        );
        // malformed data as well
        assert_revert(
            s.w.call_sol(
                stranger,
                target,
                &IVault::unlockCallbackCall { data: Bytes::new() },
            ),
            IVault::VaultUnexpectedCallback { caller: stranger },
        );
    }
    // even with the PoolManager's address, outside an unlock the PoolManager
    // refuses the vault's modifyLiquidity (it is locked)
    if let Ok(r) = s.w.call(pm, vault, &call.abi_encode(), U256::ZERO) {
        panic!("the callback ran outside an unlock: {r:?}");
    }
    let r = s.w.call_sol(pm, vault, &call).unwrap_err();
    let failed = r
        .decode_error::<IVault::VaultCallFailed>()
        .expect("VaultCallFailed");
    assert_eq!(failed.target, pm);
    assert!(
        <IPoolManager::ManagerLocked as alloy_sol_types::SolError>::abi_decode(&failed.reason)
            .is_ok(),
        "0x{}",
        alloy_primitives::hex::encode(&failed.reason)
    );
    // nothing moved
    assert_eq!(s.ledger(), l);
    assert_eq!(
        s.view(s.lens, &ILens::positionCall {}).liquidity,
        l.liquidity
    );
    assert_eq!(s.balance0(stranger), U256::ZERO);
}

#[test]
fn the_operations_program_called_directly_refuses_everything() {
    let mut s = Sys::new();
    let (alice, owner, stranger, ops, manager) = (s.alice, s.owner, s.stranger, s.ops, s.manager);
    s.deposit(alice, eth(10), usdc(20_000));
    // its own storage holds no controller: every operation refuses, for
    // anyone (the vault's deployer and controller included)
    for who in [stranger, owner, manager] {
        let calls: [(&str, Vec<u8>); 4] = [
            (
                "moveLiquidity",
                IVault::moveLiquidityCall {
                    liquidityDelta: i(-1),
                }
                .abi_encode(),
            ),
            (
                "adjustHedge",
                IVault::adjustHedgeCall {
                    fund: U256::ZERO,
                    sizeDelta: I256::ZERO,
                    close: true,
                }
                .abi_encode(),
            ),
            (
                "configure",
                IVault::configureCall {
                    controller: who,
                    depositCap: U256::ZERO,
                    paused: false,
                }
                .abi_encode(),
            ),
            ("setPool", IVault::setPoolCall { hooks: who }.abi_encode()),
        ];
        for (name, data) in calls {
            let r = s.w.call(who, ops, &data, U256::ZERO);
            assert_eq!(
                r.map_err(|d| {
                    <IVault::VaultNotController as alloy_sol_types::SolError>::abi_decode(&d).ok()
                }),
                Err(Some(IVault::VaultNotController { account: who })),
                "{name} by {who}"
            );
        }
    }
    // and it holds nothing; the vault's functions it does not route are
    // unknown to it
    assert_eq!((s.balance0(ops), s.balance1(ops)), (U256::ZERO, U256::ZERO));
    let r = s.w.call(
        stranger,
        ops,
        &IVault::depositCall {
            amount0Max: eth(1),
            amount1Max: usdc(2_000),
            minShares: U256::ZERO,
            receiver: stranger,
        }
        .abi_encode(),
        U256::ZERO,
    );
    assert!(r.is_err());
}

#[test]
fn only_the_hook_sets_the_pools_fee() {
    let mut s = Sys::new();
    let (owner, stranger, keeper, vault, pm) =
        (s.owner, s.stranger, s.keeper, s.vault, s.v4.pool_manager);
    let call = IPoolManager::updateDynamicLPFeeCall {
        key: s.key.clone(),
        newDynamicLPFee: 1u32.try_into().unwrap(),
    };
    for who in [stranger, owner, keeper, vault] {
        assert_revert(
            s.w.call_sol(who, pm, &call),
            IPoolManager::UnauthorizedDynamicLPFeeUpdate {},
        );
    }
    assert_eq!(s.pool_fee(), 3_000);
    // the manager (the hook) sets it, on the keeper's report or anyone's applyFee
    s.ok(
        owner,
        s.manager,
        &IManager::setTiersCall {
            minSigmas: vec![U256::ZERO],
            feesPips: vec![1],
            hysteresis: U256::ZERO,
        },
    );
    s.ok(stranger, s.manager, &IManager::applyFeeCall {});
    assert_eq!(s.pool_fee(), 1);
}

// ---- the lens against the PoolManager and il-math ---------------------------------

#[test]
fn the_lens_fee_income_is_what_the_pool_manager_paid() {
    let mut s = Sys::new();
    let (alice, bob, carol, vault) = (s.alice, s.bob, s.carol, s.vault);
    let mut paid = [U256::ZERO; 2];
    let collect = |s: &mut Sys, paid: &mut [U256; 2]| {
        for e in s.events_from::<IVault::FeesCollected>(vault) {
            paid[0] += e.amount0;
            paid[1] += e.amount1;
        }
    };
    s.deposit(alice, eth(40), usdc(80_000));
    for (k, who) in [bob, carol, alice, bob].into_iter().enumerate() {
        s.swap(true, eth(7 + k as u64));
        s.swap(false, usdc(15_000 + 1_000 * k as u64));
        s.oracle_to_spot();
        s.deposit(who, eth(2), usdc(4_200));
        collect(&mut s, &mut paid);
    }
    // a controller move touches the position as well
    s.swap(true, eth(5));
    s.oracle_to_spot();
    rebalance(&mut s, 7_500).unwrap();
    collect(&mut s, &mut paid);
    // a share transfer moves credit, not the total
    let value = s.shares(alice) / u(3);
    s.ok(alice, vault, &IVault::transferCall { to: carol, value });
    // the price moves: fees are valued at the oracle now
    s.move_price_to(2_300);
    let pos = s.view(s.lens, &ILens::positionCall {});
    let p = s.oracle_price();
    let a = s.accounting();
    let want = p.quote(paid[0] + pos.fees0, Rounding::Floor).unwrap() + paid[1] + pos.fees1;
    assert_eq!(a.fees, signed(want));
    // collected now, nothing pending: the sum of the events alone
    s.deposit(carol, eth(1), usdc(2_300));
    collect(&mut s, &mut paid);
    let pos = s.view(s.lens, &ILens::positionCall {});
    assert_eq!((pos.fees0, pos.fees1), (U256::ZERO, U256::ZERO));
    let a = s.accounting();
    let want = p.quote(paid[0], Rounding::Floor).unwrap() + paid[1];
    assert_eq!(a.fees, signed(want));
    let l = s.ledger();
    assert_eq!(
        (l.acc.fee0_total, l.acc.fee1_total),
        (paid[0] * il_math::WAD, paid[1] * il_math::WAD)
    );
    println!(
        "fee income: the PoolManager paid {} token0 + {} token1; the lens reports {} token1 at $2,300, to the wei",
        paid[0],
        paid[1],
        show(a.fees)
    );
    // holders' parts sum to at most the total
    let parts = [alice, bob, carol]
        .iter()
        .map(|w| s.account_of(*w).fees)
        .fold(I256::ZERO, |x, y| x + y);
    assert!(parts <= a.fees && parts * i(1_000) > a.fees * i(999));
}

#[test]
fn the_lens_il_on_a_fee_less_pool_is_the_closed_form() {
    let mut s = Sys::with(Setup {
        pool_fee: Some(0),
        seed_pool: true,
    });
    let alice = s.alice;
    s.deposit(alice, eth(1_000), usdc(2_000_000));
    // a quarter of the capital leaves the pool (at the entry price: idle
    // tokens have no IL)
    rebalance(&mut s, 7_500).unwrap();
    let l = s.ledger();
    let s0 = s.pool_state().sqrt_price;
    let position =
        RangePosition::full_range(to_liquidity(l.liquidity).unwrap(), SPACING as i32).unwrap();
    for dollars in [2_600, 1_700, 3_333, 2_000] {
        s.move_price_to(dollars);
        let s1 = s.oracle_price().sqrt_price_x96(Rounding::Floor);
        assert_eq!(s.pool_state().sqrt_price, s1);
        let a = s.accounting();
        assert_eq!((a.fees, a.hedgePnl), (I256::ZERO, I256::ZERO));
        let want = position.il(s0, s1).unwrap();
        let diff = (a.il - want).unsigned_abs();
        println!(
            "IL at ${dollars}: lens {} token1, RangePosition::il {} token1, off by {diff} raw",
            show(a.il),
            show(want)
        );
        if want.is_zero() {
            assert!(diff <= u(2), "{} vs 0", a.il);
        } else {
            assert!(
                diff * pow10(12) <= want.unsigned_abs(),
                "lens {} vs closed form {want}",
                a.il
            );
        }
    }
}
