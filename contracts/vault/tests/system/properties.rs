//! Properties over random sequences (proptest; each case starts from the
//! same deployed system, restored from a snapshot; the books property runs
//! 10,000 sequences, `IL_PROPERTY_CASES` to change):
//! - the books: shares sum to the supply; the vault holds exactly its
//!   ledger (its liquidity in the PoolManager, idle tokens); holders'
//!   benchmarks sum to the vault's; `pnl = il + fees + hedgePnl` for the
//!   vault and every holder; a withdrawal never pays more than the
//!   pro-rata part of the holdings (the fees the position is owed
//!   included);
//! - without rebalances or hedges, a withdrawal of `s` of a holder's `b`
//!   shares, valued at the oracle price `P` (set to the spot), satisfies
//!   `b * (out0 * P + out1) <= s * (hold + fees + hedgePnl) + b * 2`
//!   (token1 raw units; `hold`, `fees`, `hedgePnl` from `accountOf` just
//!   before): nobody takes out more than they put in plus their fees and
//!   hedge PnL (2 units of rounding slack per valuation);
//! - rounding never favours the caller: deposit then withdraw at once
//!   returns at most the deposit, token by token;
//! - a donation (first deposit, then tokens sent straight to the vault, or
//!   donated to the pool's liquidity with v4's `donate`) costs the attacker
//!   more than it takes from the victim.

use std::cell::RefCell;

use alloy_primitives::{Address, I256, U256};
use il_math::{Rounding, vault::lp_amounts};
use il_testkit::Snapshot;
use proptest::prelude::*;

use crate::fixture::*;

/// The deployed system and its fresh snapshot, per test thread.
fn with_system<T>(f: impl FnOnce(&mut Sys) -> T) -> T {
    thread_local! {
        static SETUP: RefCell<Option<(Sys, Snapshot)>> = const { RefCell::new(None) };
    }
    SETUP.with(|cell| {
        let mut guard = cell.borrow_mut();
        let (s, snap) = guard.get_or_insert_with(|| {
            // the manager's default tier table: `Tier` moves the pool's fee
            let s = Sys::with(Setup {
                pool_fee: None,
                seed_pool: true,
            });
            let snap = s.w.snapshot();
            (s, snap)
        });
        s.w.revert(snap);
        f(s)
    })
}

#[derive(Clone, Debug)]
enum Op {
    /// Holder `who` deposits up to `milli0 / 1000` token0 and `units1` token1.
    Deposit {
        who: usize,
        milli0: u64,
        units1: u64,
    },
    /// Holder `who` withdraws `bps` of their shares.
    Withdraw { who: usize, bps: u64 },
    /// `from` sends `bps` of their shares to `to`.
    Transfer { from: usize, to: usize, bps: u64 },
    /// A trade through the pool (the oracle is not updated).
    Swap { zero_for_one: bool, milli: u64 },
    /// The market moves to `dollars`: spot and oracle.
    Shock { dollars: i128 },
    /// The keeper rebalances toward `bps` (refusals are fine).
    Rebalance { bps: u16 },
    /// The keeper hedges (refusals are fine).
    Hedge,
    /// Time passes (the oracle is refreshed at the same answer).
    Wait { seconds: u64 },
    /// The keeper reports a volatility (refusals are fine: a tier cooldown).
    Tier { pct: u64 },
    /// The feed stops updating for `seconds` (past the venue's and the
    /// manager's price age): deposits and keeper actions are refused by
    /// name, withdrawals still go through (the hedge part in kind).
    Stale { seconds: u64 },
    /// The venue's owner queues new risk parameters (in or out of their
    /// bounds: refusals are fine), and two days later anyone applies them.
    VenueParams {
        fee_pips: u32,
        initial_bps: u16,
        maintenance_bps: u16,
        spread_pips: u32,
        impact_pips: u32,
        cover_bps: u16,
    },
}

fn op(with_keeper: bool) -> BoxedStrategy<Op> {
    let base = prop_oneof![
        3 => (0..3usize, 1..20_000u64, 1..40_000u64).prop_map(|(who, milli0, units1)| Op::Deposit { who, milli0, units1 }),
        2 => (0..3usize, 1..=10_000u64).prop_map(|(who, bps)| Op::Withdraw { who, bps }),
        1 => (0..3usize, 0..3usize, 1..=10_000u64).prop_map(|(from, to, bps)| Op::Transfer { from, to, bps }),
        2 => (any::<bool>(), 1..30_000u64).prop_map(|(zero_for_one, milli)| Op::Swap { zero_for_one, milli }),
        2 => (1_400..2_800i128).prop_map(|dollars| Op::Shock { dollars }),
        1 => (60..7_200u64).prop_map(|seconds| Op::Wait { seconds }),
    ];
    if with_keeper {
        prop_oneof![
            16 => base,
            2 => prop_oneof![Just(5_000u16), Just(7_500), Just(10_000)].prop_map(|bps| Op::Rebalance { bps }),
            3 => Just(Op::Hedge),
            1 => (5..150u64).prop_map(|pct| Op::Tier { pct }),
            1 => (il_hedge::DEFAULT_MAX_PRICE_AGE + 1..3 * 86_400u64).prop_map(|seconds| Op::Stale { seconds }),
            1 => (0..4_000u32, 100..6_000u16, 50..1_500u16, 0..12_000u32, 0..120_000u32, 500..11_000u16)
                .prop_map(|(fee_pips, initial_bps, maintenance_bps, spread_pips, impact_pips, cover_bps)| Op::VenueParams {
                    fee_pips, initial_bps, maintenance_bps, spread_pips, impact_pips, cover_bps,
                }),
        ]
        .boxed()
    } else {
        base.boxed()
    }
}

fn holders(s: &Sys) -> [Address; 3] {
    [s.alice, s.bob, s.carol]
}

/// Sets the oracle to the pool's spot (to the answer's 8 decimals).
fn oracle_to_spot(s: &mut Sys) {
    s.oracle_to_spot();
}

/// A keeper action may be refused (a target out of step, nothing to do,
/// not enough idle token1, a cooldown, a stale feed...), but only with one
/// of the manager's named errors.
fn named_refusal<T>(r: Result<T, il_testkit::Revert>) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert!(
            e.halt.is_none() && e.decode::<IManager::IManagerErrors>().is_some(),
            "unnamed refusal {e:?}"
        );
    }
    Ok(())
}

/// A holder's call refused only by name (`VaultLocked`, or the venue's
/// refusal to value a deposit's hedge while the feed is stale).
fn vault_refusal<T>(r: Result<T, il_testkit::Revert>) -> Result<Option<T>, TestCaseError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            prop_assert!(
                e.halt.is_none() && e.decode::<IVault::IVaultErrors>().is_some(),
                "unnamed refusal {e:?}"
            );
            Ok(None)
        }
    }
}

/// A venue call refused only by name.
fn venue_refusal<T>(r: Result<T, il_testkit::Revert>) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert!(
            e.halt.is_none() && e.decode::<IHedge::IHedgeErrors>().is_some(),
            "unnamed refusal {e:?}"
        );
    }
    Ok(())
}

/// Whether the venue can mark the vault's account now (a stale feed cannot).
fn venue_marks(s: &mut Sys) -> bool {
    let (venue, vault) = (s.venue, s.vault);
    s.w.view_sol(venue, &IHedge::equityOfCall { account: vault })
        .is_ok()
}

/// The books are consistent.
fn check_books(s: &mut Sys) -> Result<(), TestCaseError> {
    let hs = holders(s);
    let supply = s.supply();
    let mut sum = s.shares(Address::ZERO);
    for h in hs {
        sum += s.shares(h);
    }
    prop_assert_eq!(sum, supply, "shares sum to the supply");
    let l = s.ledger();
    let vault = s.vault;
    prop_assert_eq!(
        s.view(s.lens, &ILens::positionCall {}).liquidity,
        l.liquidity,
        "liquidity held in the PoolManager == ledger"
    );
    prop_assert_eq!(s.balance0(vault), l.idle0, "token0 held == ledger");
    prop_assert_eq!(s.balance1(vault), l.idle1, "token1 held == ledger");
    let (mut h0, mut h1) = (U256::ZERO, U256::ZERO);
    for h in hs {
        let r = s.holder(h);
        h0 += r.hold0;
        h1 += r.hold1;
    }
    prop_assert_eq!(
        (h0, h1),
        (l.hold0, l.hold1),
        "benchmarks sum to the vault's"
    );
    // views (they need the venue to mark the hedge; not while the feed is stale)
    if !venue_marks(s) {
        return Ok(());
    }
    let a = s.accounting();
    prop_assert_eq!(a.pnl, a.il + a.fees + a.hedgePnl);
    for h in hs {
        let m = s.account_of(h);
        prop_assert_eq!(m.pnl, m.il + m.fees + m.hedgePnl);
    }
    Ok(())
}

/// Runs one op; `strict` checks the no-gain inequality on withdrawals.
fn run(s: &mut Sys, op: &Op, strict: bool) -> Result<(), TestCaseError> {
    let hs = holders(s);
    match *op {
        Op::Deposit {
            who,
            milli0,
            units1,
        } => {
            let (a0, a1) = (eth(milli0) / u(1_000), usdc(units1));
            s.mint(hs[who], a0, a1);
            let before = (s.balance0(hs[who]), s.balance1(hs[who]));
            if let Some(out) = vault_refusal(s.try_deposit(hs[who], a0, a1, U256::ZERO))? {
                prop_assert!(out.amount0 <= a0 && out.amount1 <= a1);
                prop_assert_eq!(
                    (s.balance0(hs[who]), s.balance1(hs[who])),
                    (before.0 - out.amount0, before.1 - out.amount1)
                );
            }
        }
        Op::Withdraw { who, bps } => {
            let balance = s.shares(hs[who]);
            let shares = balance * u(bps.into()) / u(10_000);
            if shares.is_zero() {
                return Ok(());
            }
            if strict {
                oracle_to_spot(s);
            }
            let view = strict.then(|| s.account_of(hs[who]));
            let (supply, l, pool) = (s.supply(), s.ledger(), s.pool_state());
            let (in0, in1) = lp_amounts(&pool, l.liquidity).unwrap();
            // the withdrawal collects the fees owed first, into idle
            let pos = s.view(s.lens, &ILens::positionCall {});
            let (idle0, idle1) = (l.idle0 + pos.fees0, l.idle1 + pos.fees1);
            let Some(out) = vault_refusal(s.try_withdraw(hs[who], shares))? else {
                // only a deposit lock refuses a withdrawal
                let lock = s.view(s.vault, &IVault::lockOfCall { account: hs[who] });
                prop_assert!(lock.unlockAt > s.w.timestamp(), "refused without a lock");
                return Ok(());
            };
            // at most the pro-rata part of the holdings
            prop_assert!(out.amount0 * supply <= shares * (in0 + idle0) + supply);
            let w = s.events_from::<IVault::Withdraw>(s.vault);
            let hedge_paid = w[0].hedgePaid;
            prop_assert!((out.amount1 - hedge_paid) * supply <= shares * (in1 + idle1) + supply);
            if let Some(view) = view {
                let p = s.oracle_price();
                let got = p.quote(out.amount0, Rounding::Floor).unwrap() + out.amount1;
                let entitled = I256::from_raw(view.hold) + view.fees + view.hedgePnl;
                let lhs = I256::from_raw(got * balance);
                let rhs = entitled * I256::from_raw(shares) + I256::from_raw(balance * u(2));
                prop_assert!(
                    lhs <= rhs,
                    "withdrew {got} for {shares}/{balance} shares, entitled {entitled}"
                );
            }
        }
        Op::Transfer { from, to, bps } => {
            let value = s.shares(hs[from]) * u(bps.into()) / u(10_000);
            let vault = s.vault;
            vault_refusal(s.w.call_sol(
                hs[from],
                vault,
                &IVault::transferCall { to: hs[to], value },
            ))?;
        }
        Op::Swap {
            zero_for_one,
            milli,
        } => {
            let amount = if zero_for_one {
                eth(milli) / u(1_000)
            } else {
                usdc(milli * 2)
            };
            s.swap(zero_for_one, amount);
            if strict {
                oracle_to_spot(s);
            }
        }
        Op::Shock { dollars } => {
            s.move_price_to(dollars);
            if strict {
                oracle_to_spot(s);
            }
        }
        Op::Rebalance { bps } => {
            let keeper = s.keeper;
            s.w.advance(3_600);
            oracle_to_spot(s);
            let r = s.w.call_sol(
                keeper,
                s.manager,
                &IManager::rebalanceCall {
                    targetBps: bps,
                    amount0Min: U256::ZERO,
                    amount1Min: U256::ZERO,
                },
            );
            named_refusal(r)?;
        }
        Op::Hedge => {
            let keeper = s.keeper;
            s.w.advance(3_600);
            oracle_to_spot(s);
            named_refusal(s.w.call_sol(keeper, s.manager, &IManager::hedgeCall {}))?;
        }
        Op::Wait { seconds } => {
            s.w.advance(seconds);
            let answer = s.view(s.oracle, &IOracle::latestAnswerCall {});
            s.set_answer(answer);
        }
        Op::Tier { pct } => {
            let sigma = il_math::WAD * U256::from(pct) / u(100);
            named_refusal(s.keeper_call(&IManager::updateVolatilityCall { sigma }))?;
        }
        Op::Stale { seconds } => s.w.advance(seconds),
        Op::VenueParams {
            fee_pips,
            initial_bps,
            maintenance_bps,
            spread_pips,
            impact_pips,
            cover_bps,
        } => {
            let (owner, venue, stranger) = (s.owner, s.venue, s.stranger);
            let queued = s.w.call_sol(
                owner,
                venue,
                &IHedge::queueParamsCall {
                    tradeFeePips: fee_pips,
                    initialMarginBps: initial_bps,
                    maintenanceMarginBps: maintenance_bps,
                    liquidationPenaltyBps: maintenance_bps / 2,
                    maxPriceAge: il_hedge::DEFAULT_MAX_PRICE_AGE,
                    spreadPips: spread_pips,
                    impactPips: impact_pips,
                    coverBps: cover_bps,
                },
            );
            venue_refusal(queued)?;
            s.w.advance(il_hedge::PARAMS_DELAY);
            venue_refusal(s.w.call_sol(stranger, venue, &IHedge::applyParamsCall {}))?;
            let answer = s.view(s.oracle, &IOracle::latestAnswerCall {});
            s.set_answer(answer);
        }
    }
    Ok(())
}

/// Random sequences the books property runs: `IL_PROPERTY_CASES` or 10,000
/// (natively compiled contracts and v4's PoolManager in the EVM, on the
/// chain's engine).
fn sequences() -> u32 {
    std::env::var("IL_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(sequences()))]

    /// The books hold under random sequences of deposits, withdrawals,
    /// transfers, swaps, price moves, keeper actions, fee tiers, stale feeds
    /// and venue parameter changes; and everyone can leave at the end, with
    /// a fresh feed or a stale one (the hedge part then in kind).
    #[test]
    fn books_stay_consistent_under_random_sequences(
        ops in prop::collection::vec(op(true), 1..=12),
        stale_at_end in any::<bool>(),
    ) {
        with_system(|s| {
            let mut p = s.params();
            p.hedgeRatioBps = 5_000;
            s.set_params(p);
            // holders accept their part of the hedge in kind (a stale feed)
            let (venue, vault) = (s.venue, s.vault);
            for h in holders(s) {
                s.ok(h, venue, &IHedge::setPositionSenderCall { sender: vault });
            }
            for o in &ops {
                run(s, o, false)?;
                check_books(s)?;
            }
            // everyone can leave once deposit locks are over, stale feed or
            // not, and the books end empty but for the locked shares
            s.w.advance(il_vault::DEPOSIT_LOCK);
            if stale_at_end {
                s.w.advance(il_hedge::DEFAULT_MAX_PRICE_AGE);
            } else {
                let answer = s.view(s.oracle, &IOracle::latestAnswerCall {});
                s.set_answer(answer);
            }
            for h in holders(s) {
                let b = s.shares(h);
                if !b.is_zero() {
                    s.withdraw(h, b);
                }
            }
            check_books(s)?;
            Ok::<(), TestCaseError>(())
        })?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn nobody_withdraws_more_than_contributions_fees_and_hedge_pnl(ops in prop::collection::vec(op(false), 1..=12)) {
        with_system(|s| {
            for o in &ops {
                run(s, o, true)?;
            }
            for (who, _) in holders(s).iter().enumerate() {
                run(s, &Op::Withdraw { who, bps: 10_000 }, true)?;
            }
            check_books(s)
        })?;
    }

    #[test]
    fn deposit_then_withdraw_never_returns_more(
        first0 in 1..10_000u64, first1 in 1..20_000u64,
        swap in 0..20_000u64,
        milli0 in 1..10_000u64, units1 in 1..20_000u64,
    ) {
        with_system(|s| {
            let (alice, bob) = (s.alice, s.bob);
            s.deposit(alice, eth(first0) / u(100), usdc(first1));
            if swap > 0 {
                s.swap(swap % 2 == 0, eth(swap) / u(1_000));
            }
            let (a0, a1) = (eth(milli0) / u(1_000), usdc(units1));
            s.mint(bob, a0, a1);
            let Ok(inn) = s.try_deposit(bob, a0, a1, U256::ZERO) else { return Ok(()) };
            let out = s.withdraw(bob, inn.shares);
            prop_assert!(out.amount0 <= inn.amount0, "token0: {} in, {} out", inn.amount0, out.amount0);
            prop_assert!(out.amount1 <= inn.amount1, "token1: {} in, {} out", inn.amount1, out.amount1);
            Ok::<(), TestCaseError>(())
        })?;
    }

    #[test]
    fn a_donation_attack_costs_the_attacker(
        seed in 1_001..1_000_000u64,
        donate0 in 0..100u64, donate1 in 0..200_000u64,
        to_pool in any::<bool>(),
        victim0 in 1..50u64,
    ) {
        with_system(|s| {
            let (attacker, victim, vault) = (s.stranger, s.alice, s.vault);
            let p = s.oracle_price();
            let worth = |a0: U256, a1: U256| p.quote(a0, Rounding::Floor).unwrap() + a1;
            // the first deposit: tiny, at the pool's ratio (2000 token1 units per 1e15 token0 units... raw)
            let a0 = U256::from(seed) * u(1_000_000_000);
            let a1 = U256::from(seed) * u(2);
            let first = s.deposit(attacker, a0, a1);
            // then a donation straight to the vault, or to the pool's
            // liquidity in range (v4's donate: fees to its LPs of the moment)
            let (d0, d1) = (eth(donate0), usdc(donate1));
            if to_pool {
                if !(d0.is_zero() && d1.is_zero()) {
                    s.donate(attacker, d0, d1);
                }
            } else {
                s.mint(attacker, d0, d1);
                if !d0.is_zero() {
                    s.ok(attacker, s.token0, &IToken::transferCall { to: vault, value: d0 });
                }
                if !d1.is_zero() {
                    s.ok(attacker, s.token1, &IToken::transferCall { to: vault, value: d1 });
                }
            }
            // the victim deposits
            let v0 = eth(victim0);
            let v1 = p.quote(v0, Rounding::Ceil).unwrap() * u(2);
            s.mint(victim, v0, v1);
            let Ok(vin) = s.try_deposit(victim, v0, v1, U256::ZERO) else {
                // refused: the victim lost nothing
                return Ok(());
            };
            prop_assert!(vin.shares > U256::ZERO);
            let back = s.withdraw(attacker, first.shares);
            let spent = worth(first.amount0 + d0, first.amount1 + d1);
            let got = worth(back.amount0, back.amount1);
            prop_assert!(got <= spent, "attacker spent {spent}, got {got}");
            // the attacker's gain from the victim is at most what it gave away
            let vout = s.withdraw(victim, vin.shares);
            let victim_in = worth(vin.amount0, vin.amount1);
            let victim_out = worth(vout.amount0, vout.amount1);
            let victim_loss = victim_in.saturating_sub(victim_out);
            prop_assert!(spent - got >= victim_loss, "attacker lost {}, victim lost {victim_loss}", spent - got);
            // a vault donation does not move the books
            prop_assert_eq!(s.ledger().idle0 + if to_pool { U256::ZERO } else { d0 }, s.balance0(vault));
            Ok::<(), TestCaseError>(())
        })?;
    }
}
