//! The product end to end on the real Uniswap v4 PoolManager and the
//! release wasm: a wallet deposits; an independent trader swaps through the
//! PoolManager both ways; the vault's IL on a fee-less path is il-math's
//! closed form; the fees the PoolManager pays the vault are the lens's fee
//! income to the wei; the keeper role sets the pool's LP fee (read back from
//! slot0), rebalances and hedges within bounds and a stranger cannot; the
//! depositor withdraws the lens's value of their share.

use alloy::{
    primitives::{I256, U256, aliases::U24},
    providers::{DynProvider, Provider},
    rpc::types::{Filter, TransactionReceipt},
    sol_types::SolEvent,
};
use il_deploy::{
    Manifest,
    bindings::{IHedge, ILens, IManager, IToken, IVault, v4::IPoolManager},
    ops,
    send::{SendError, Sender},
};
use il_e2e::{Env, INITIAL_ANSWER, eth, usd};
use il_math::{Price, RangePosition, Rounding};

/// 0.8 annualised volatility in WAD: the default table's middle tier (30 bps).
const SIGMA_80: u64 = 800_000_000_000_000_000;

fn reason(r: Result<TransactionReceipt, SendError>) -> String {
    match r {
        Ok(receipt) => panic!(
            "expected a revert, got transaction {}",
            receipt.transaction_hash
        ),
        Err(e) => e
            .revert_reason()
            .unwrap_or_else(|| panic!("not a revert: {e}"))
            .to_owned(),
    }
}

/// token1 raw for `amount0` token0 raw at `answer` (8 decimals, 18 -> 6
/// decimals), rounded down.
fn at_price(amount0: U256, answer: u64) -> U256 {
    amount0 * U256::from(answer) * U256::from(1_000_000u64) / (U256::from(100_000_000u64) * eth(1))
}

/// Mints `amount0` token0 and its worth of token1 at the initial price to
/// alice, who deposits them.
async fn deposit_alice(env: &Env, amount0: U256) -> ops::Deposited {
    let m = env.manifest;
    let amount1 = at_price(amount0, INITIAL_ANSWER);
    let mut owner = env.sender(&env.accounts.deployer);
    ops::mint_test_tokens(
        &mut owner,
        &m,
        env.accounts.alice.address(),
        amount0,
        amount1,
    )
    .await
    .unwrap();
    let mut alice = env.sender(&env.accounts.alice);
    ops::deposit(&mut alice, &m, amount0, amount1, U256::from(1))
        .await
        .unwrap()
}

/// Gives bob, the trader, `amount0` token0 and `amount1` token1.
async fn fund_bob(env: &Env, amount0: U256, amount1: U256) {
    let mut owner = env.sender(&env.accounts.deployer);
    ops::mint_test_tokens(
        &mut owner,
        &env.manifest,
        env.accounts.bob.address(),
        amount0,
        amount1,
    )
    .await
    .unwrap();
}

/// Moves the oracle to `answer` and has bob arbitrage the pool to it
/// through the PoolManager.
async fn shock(env: &Env, answer: u64) -> ops::Swapped {
    let m = env.manifest;
    let mut owner = env.sender(&env.accounts.deployer);
    ops::set_oracle(&mut owner, &m, I256::try_from(answer).unwrap())
        .await
        .unwrap();
    let mut bob: Sender<'_, DynProvider> = env.sender(&env.accounts.bob);
    ops::arbitrage_to_oracle(&mut bob, &env.provider, &m, 1)
        .await
        .unwrap()
        .expect("a move of the oracle calls for a trade")
}

/// The oracle price the lens values at.
async fn lens_price(env: &Env) -> Price {
    let p = ILens::new(env.manifest.contracts.lens, &env.provider)
        .price()
        .call()
        .await
        .unwrap();
    Price::new(p.num, p.den).unwrap()
}

/// `a` and `b` apart, relative to `b`.
fn relative_gap(a: I256, b: I256) -> f64 {
    let f = |v: I256| v.to_string().parse::<f64>().unwrap();
    ((f(a) - f(b)) / f(b)).abs()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fee_less_path_loses_il_math_s_closed_form_and_withdraw_pays_the_lens_value() {
    let env = Env::start().await;
    let m = env.manifest;
    let alice = env.accounts.alice.address();
    // the owner makes the pool fee-less: one tier of 0 pips, applied
    let mut owner = env.sender(&env.accounts.deployer);
    owner
        .send_call(
            "setTiers",
            m.contracts.manager,
            IManager::setTiersCall {
                minSigmas: vec![U256::ZERO],
                feesPips: vec![0],
                hysteresis: U256::ZERO,
            },
        )
        .await
        .unwrap();
    owner
        .send_call("applyFee", m.contracts.manager, IManager::applyFeeCall {})
        .await
        .unwrap();
    assert_eq!(ops::slot0(&env.provider, &m).await.unwrap().lp_fee, 0);

    // a large deposit, so that the last raw units of rounding stay far
    // under 1e-12 of the loss
    let d = deposit_alice(&env, eth(10_000)).await;
    let vault = IVault::new(m.contracts.vault, &env.provider);
    assert_eq!(vault.balanceOf(alice).call().await.unwrap(), d.shares);
    let lens = ILens::new(m.contracts.lens, &env.provider);
    let s0 = ops::slot0(&env.provider, &m).await.unwrap().sqrt_price_x96;
    let liquidity = lens.position().call().await.unwrap().liquidity;
    assert!(liquidity > U256::ZERO);

    // the price quadruples (sqrt r = 2): the trader buys token0 through the
    // PoolManager until the pool is at the oracle's price
    fund_bob(&env, eth(100_000), usd(100_000_000)).await;
    let answer1 = INITIAL_ANSWER * 4;
    let swap = shock(&env, answer1).await;
    assert!(!swap.zero_for_one && swap.fee_pips == 0, "{swap:?}");
    let s1 = ops::slot0(&env.provider, &m).await.unwrap().sqrt_price_x96;
    assert_eq!(
        s1,
        ops::oracle_sqrt_price(&env.provider, &m).await.unwrap(),
        "the pool is at the oracle's price"
    );

    let a = lens.accounting().call().await.unwrap();
    assert_eq!(a.pnl, a.il + a.fees + a.hedgePnl, "the parts sum exactly");
    assert_eq!(a.fees, I256::ZERO, "a fee-less pool pays no fees");
    assert_eq!(a.hedgePnl, I256::ZERO, "no hedge");
    let position = RangePosition::full_range(liquidity.to::<u128>(), 60).unwrap();
    let closed = position.il(s0, s1).unwrap();
    // about -20 % of the hold value: 2 sqrt(4) / (1 + 4) - 1
    assert!(closed < I256::ZERO);
    let gap = relative_gap(a.il, closed);
    assert!(
        gap <= 1e-12,
        "vault IL {} vs il-math {closed}: {gap:e} relative",
        a.il
    );
    let fraction = position.il_wad(s0, s1).unwrap();
    let want = il_math::il_between(
        &Price::new(U256::from(1u8), U256::from(1u8)).unwrap(),
        &Price::new(U256::from(4u8), U256::from(1u8)).unwrap(),
    )
    .unwrap();
    assert!(
        (fraction - want).abs() <= I256::try_from(1_000_000u64).unwrap(),
        "{fraction} vs the constant product's {want} (WAD)"
    );

    // alice takes everything out: she is paid the lens's value of her share
    // within 0.1 %
    let mine = lens.accountOf(alice).call().await.unwrap();
    let t0 = IToken::new(m.contracts.token0, &env.provider);
    let t1 = IToken::new(m.contracts.token1, &env.provider);
    let (b0, b1) = (
        t0.balanceOf(alice).call().await.unwrap(),
        t1.balanceOf(alice).call().await.unwrap(),
    );
    let mut w = env.sender(&env.accounts.alice);
    let out = ops::withdraw(&mut w, &m, d.shares, U256::ZERO, U256::ZERO)
        .await
        .unwrap();
    assert_eq!(t0.balanceOf(alice).call().await.unwrap() - b0, out.amount0);
    assert_eq!(t1.balanceOf(alice).call().await.unwrap() - b1, out.amount1);
    assert_eq!(vault.balanceOf(alice).call().await.unwrap(), U256::ZERO);
    let price = lens_price(&env).await;
    let paid = price.quote(out.amount0, Rounding::Floor).unwrap() + out.amount1;
    let gap = paid.abs_diff(mine.value);
    assert!(
        gap * U256::from(1_000) <= mine.value,
        "paid {paid} vs valued {} (token1 raw)",
        mine.value
    );
    env.stop().await;
}

/// The token flows of `receipt` in and out of the PoolManager, per token:
/// `(in, out)`.
fn pool_manager_flows(receipt: &TransactionReceipt, m: &Manifest) -> [(U256, U256); 2] {
    let pm = m.contracts.pool_manager;
    let mut flows = [(U256::ZERO, U256::ZERO); 2];
    for log in receipt.inner.logs() {
        let Some(i) = [m.contracts.token0, m.contracts.token1]
            .iter()
            .position(|t| *t == log.address())
        else {
            continue;
        };
        let Ok(t) = log.log_decode::<IToken::Transfer>() else {
            continue;
        };
        let t = t.inner.data;
        if t.to == pm {
            flows[i].0 += t.value;
        }
        if t.from == pm {
            flows[i].1 += t.value;
        }
    }
    flows
}

/// The fees the PoolManager paid the vault in `receipt`, from the token
/// flows alone: what left the PoolManager less what came in, plus the
/// principal the vault's `ModifyLiquidity` events moved (v4's amounts for
/// the liquidity at the pool's price, rounded up when adding, down when
/// removing: il-math's, bit-exact with v4-core).
fn fees_paid_in(receipt: &TransactionReceipt, m: &Manifest, sqrt_price: U256) -> [U256; 2] {
    let (lower, upper) = il_math::v4::full_range_ticks(m.pool.tick_spacing).unwrap();
    let (sa, sb) = (
        il_math::sqrt_price_at_tick(lower).unwrap(),
        il_math::sqrt_price_at_tick(upper).unwrap(),
    );
    // net principal the vault put in (+) or took out (-), per token
    let mut principal = [I256::ZERO; 2];
    for log in receipt.inner.logs() {
        if log.address() != m.contracts.pool_manager {
            continue;
        }
        let Ok(e) = log.log_decode::<IPoolManager::ModifyLiquidity>() else {
            continue;
        };
        let e = e.inner.data;
        assert_eq!(
            e.sender, m.contracts.vault,
            "only the vault's position moves"
        );
        let delta = e.liquidityDelta;
        let l = delta.unsigned_abs().to::<u128>();
        let (a0, a1) =
            il_math::v4::amounts_for_liquidity(sqrt_price, sa, sb, l, !delta.is_negative())
                .unwrap();
        for (p, a) in principal.iter_mut().zip([a0, a1]) {
            let a = I256::try_from(a).unwrap();
            *p += if delta.is_negative() { -a } else { a };
        }
    }
    let flows = pool_manager_flows(receipt, m);
    // out - in = fees - principal
    let mut fees = [U256::ZERO; 2];
    for i in 0..2 {
        let net_out = I256::try_from(flows[i].1).unwrap() - I256::try_from(flows[i].0).unwrap();
        let f = net_out + principal[i];
        assert!(f >= I256::ZERO, "token{i}: negative fees {f}");
        fees[i] = f.into_raw();
    }
    fees
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swaps_both_ways_pay_the_vault_the_fees_the_lens_counts_to_the_wei() {
    let env = Env::start().await;
    let m = env.manifest;
    let vault_addr = m.contracts.vault;
    deposit_alice(&env, eth(10)).await;
    let lens = ILens::new(m.contracts.lens, &env.provider);
    assert_eq!(lens.position().call().await.unwrap().fees0, U256::ZERO);

    // an independent trader, through the PoolManager, both ways
    fund_bob(&env, eth(100), usd(500_000)).await;
    let mut bob = env.sender(&env.accounts.bob);
    let sold = ops::swap(&mut bob, &m, true, eth(3), None).await.unwrap();
    assert!(sold.zero_for_one && sold.amount_in == eth(3));
    assert_eq!(sold.fee_pips, 500, "the pool's LP fee in force (slot0)");
    let bought = ops::swap(&mut bob, &m, false, usd(9_000), None)
        .await
        .unwrap();
    assert!(!bought.zero_for_one && bought.amount_out > eth(4));
    ops::swap(&mut bob, &m, true, eth(2), None).await.unwrap();
    // and back to the oracle's price, so the next deposit passes the
    // deviation check
    ops::arbitrage_to_oracle(&mut bob, &env.provider, &m, 0)
        .await
        .unwrap();

    // what the PoolManager owes the vault, read from its storage by this
    // test, is what the lens reports
    let (lower, upper) = il_math::v4::full_range_ticks(60).unwrap();
    let owed = il_e2e::v4::fees_owed(
        &env.provider,
        m.contracts.pool_manager,
        m.pool.id,
        vault_addr,
        lower,
        upper,
    )
    .await;
    let pos = lens.position().call().await.unwrap();
    assert_eq!((pos.fees0, pos.fees1), owed);
    assert!(owed.0 > U256::ZERO && owed.1 > U256::ZERO, "{owed:?}");

    // a checkpoint (a small deposit by the trader) collects them: the
    // vault's FeesCollected, the PoolManager's token flows and the lens
    // all agree to the wei
    let sqrt_price = ops::slot0(&env.provider, &m).await.unwrap().sqrt_price_x96;
    let mut bob_tx = env.sender(&env.accounts.bob);
    let dep = ops::deposit(
        &mut bob_tx,
        &m,
        eth(1),
        at_price(eth(1), INITIAL_ANSWER),
        U256::from(1),
    )
    .await
    .unwrap();
    let receipt = env
        .provider
        .get_transaction_receipt(dep.tx)
        .await
        .unwrap()
        .unwrap();
    let paid = fees_paid_in(&receipt, &m, sqrt_price);
    assert_eq!(
        (paid[0], paid[1]),
        owed,
        "the PoolManager paid what it owed"
    );
    let logs = env
        .provider
        .get_logs(
            &Filter::new()
                .address(vault_addr)
                .event_signature(IVault::FeesCollected::SIGNATURE_HASH)
                .from_block(0u64),
        )
        .await
        .unwrap();
    let mut collected = [U256::ZERO; 2];
    for l in &logs {
        let e = l.log_decode::<IVault::FeesCollected>().unwrap().inner.data;
        collected[0] += e.amount0;
        collected[1] += e.amount1;
    }
    assert_eq!(
        collected, paid,
        "every fee the vault collected, in this one deposit"
    );
    let after = lens.position().call().await.unwrap();
    assert_eq!((after.fees0, after.fees1), (U256::ZERO, U256::ZERO));
    let price = lens_price(&env).await;
    let income = price.quote(paid[0], Rounding::Floor).unwrap() + paid[1];
    let a = lens.accounting().call().await.unwrap();
    assert_eq!(
        a.fees,
        I256::try_from(income).unwrap(),
        "the lens's fee income is the fees paid, valued at the oracle"
    );
    assert_eq!(a.pnl, a.il + a.fees + a.hedgePnl);
    // alice held every share while they were earned: they are hers
    let mine = lens
        .accountOf(env.accounts.alice.address())
        .call()
        .await
        .unwrap();
    assert!(
        mine.fees <= a.fees && mine.fees + I256::try_from(2).unwrap() >= a.fees,
        "alice's {} of the vault's {}",
        mine.fees,
        a.fees
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keeper_sets_the_pool_fee_rebalances_and_hedges_and_a_stranger_cannot() {
    let env = Env::start().await;
    let m = env.manifest;
    deposit_alice(&env, eth(20)).await;
    let manager_addr = m.contracts.manager;
    let manager = IManager::new(manager_addr, &env.provider);
    let mut keeper = env.sender(&env.accounts.keeper);
    let mut stranger = env.sender(&env.accounts.stranger);
    let mut owner = env.sender(&env.accounts.deployer);
    let not_keeper = format!(
        "ManagerNotKeeper {{ account: {:?} }}",
        env.accounts.stranger.address()
    );
    let lp_fee = || async { ops::slot0(&env.provider, &m).await.unwrap().lp_fee };

    // the fee tier: the pool's LP fee, in slot0
    let sigma = U256::from(SIGMA_80);
    let r = stranger
        .send_call(
            "updateVolatility",
            manager_addr,
            IManager::updateVolatilityCall { sigma },
        )
        .await;
    assert_eq!(reason(r), not_keeper);
    assert_eq!(lp_fee().await, 500);
    // nobody but the hook changes the pool's fee
    let key = m.pool_key();
    let r = stranger
        .send_call(
            "updateDynamicLPFee",
            m.contracts.pool_manager,
            IPoolManager::updateDynamicLPFeeCall {
                key,
                newDynamicLPFee: U24::from(1u32),
            },
        )
        .await;
    assert_eq!(reason(r), "UnauthorizedDynamicLPFeeUpdate");
    let receipt = keeper
        .send_call(
            "updateVolatility",
            manager_addr,
            IManager::updateVolatilityCall { sigma },
        )
        .await
        .unwrap();
    assert!(
        receipt
            .inner
            .logs()
            .iter()
            .any(|l| l.log_decode::<IManager::FeeApplied>().is_ok()),
        "FeeApplied"
    );
    assert_eq!(
        lp_fee().await,
        3_000,
        "80 % volatility selects the 30 bps tier"
    );
    assert_eq!(manager.config().call().await.unwrap().tierIndex, 1);
    // and the next swap pays it
    fund_bob(&env, eth(10), usd(20_000)).await;
    let mut bob = env.sender(&env.accounts.bob);
    let s = ops::swap(&mut bob, &m, true, eth(1), None).await.unwrap();
    assert_eq!(s.fee_pips, 3_000);
    ops::arbitrage_to_oracle(&mut bob, &env.provider, &m, 0)
        .await
        .unwrap();

    // rebalance: a quarter of the LP to idle (the default max step)
    let rebalance = |target: u16| IManager::rebalanceCall {
        targetBps: target,
        amount0Min: U256::ZERO,
        amount1Min: U256::ZERO,
    };
    let r = stranger
        .send_call("rebalance", manager_addr, rebalance(7_500))
        .await;
    assert_eq!(reason(r), not_keeper);
    let r = keeper
        .send_call("rebalance", manager_addr, rebalance(5_000))
        .await;
    assert!(
        reason(r).starts_with("ManagerInvalidTarget"),
        "a step over maxStepBps is refused"
    );
    let lens = ILens::new(m.contracts.lens, &env.provider);
    let before = lens.position().call().await.unwrap().liquidity;
    let receipt = keeper
        .send_call("rebalance", manager_addr, rebalance(7_500))
        .await
        .unwrap();
    let rebalanced = receipt
        .inner
        .logs()
        .iter()
        .find_map(|l| l.log_decode::<IManager::Rebalanced>().ok())
        .expect("Rebalanced event")
        .inner
        .data;
    assert_eq!((rebalanced.fromBps, rebalanced.toBps), (10_000, 7_500));
    assert!(rebalanced.liquidityDelta < I256::ZERO);
    assert_eq!(
        lens.position().call().await.unwrap().liquidity,
        before - rebalanced.liquidityDelta.unsigned_abs(),
        "the vault's position in the PoolManager shrank by the delta"
    );
    let r = keeper
        .send_call("rebalance", manager_addr, rebalance(5_000))
        .await;
    assert!(
        reason(r).starts_with("ManagerCooldown"),
        "a second rebalance within the cooldown is refused"
    );

    // hedge: off until the owner sets a ratio; then the keeper moves the
    // venue position
    let p = manager.params().call().await.unwrap();
    let set = |ratio: u16| IManager::setParamsCall {
        maxPriceAge: p.maxPriceAge,
        maxDeviationBps: p.maxDeviationBps,
        maxSlippageBps: p.maxSlippageBps,
        minLpBps: p.minLpBps,
        maxStepBps: p.maxStepBps,
        rebalanceCooldown: p.rebalanceCooldown,
        hedgeRatioBps: ratio,
        maxHedgeStep: p.maxHedgeStep,
        collateralBps: p.collateralBps,
        hedgeCooldown: p.hedgeCooldown,
    };
    let r = stranger
        .send_call("setParams", manager_addr, set(5_000))
        .await;
    assert!(reason(r).starts_with("OwnableUnauthorizedAccount"));
    owner
        .send_call("setParams", manager_addr, set(5_000))
        .await
        .unwrap();
    let r = stranger
        .send_call("hedge", manager_addr, IManager::hedgeCall {})
        .await;
    assert_eq!(reason(r), not_keeper);
    let receipt = keeper
        .send_call("hedge", manager_addr, IManager::hedgeCall {})
        .await
        .unwrap();
    let hedged = receipt
        .inner
        .logs()
        .iter()
        .find_map(|l| l.log_decode::<IManager::Hedged>().ok())
        .expect("Hedged event")
        .inner
        .data;
    assert!(
        hedged.newSize < I256::ZERO,
        "short token0 against the LP's token0: {}",
        hedged.newSize
    );
    let position = IHedge::new(m.contracts.hedge, &env.provider)
        .positionOf(m.contracts.vault)
        .call()
        .await
        .unwrap();
    assert_eq!(position.size, hedged.newSize);

    // time travel (local chain only): the cooldown passes and the keeper
    // may act again
    if env.can_travel() {
        env.advance(p.rebalanceCooldown + 1).await;
        // refresh the oracle so its answer is not stale after the jump
        ops::set_oracle(&mut owner, &m, I256::try_from(INITIAL_ANSWER).unwrap())
            .await
            .unwrap();
        // the hedge's collateral came from idle token1, so the LP share is
        // now a little above 75 %; 60 % is within one 25 % step of it
        keeper
            .send_call("rebalance", manager_addr, rebalance(6_000))
            .await
            .unwrap();
    } else {
        println!("external RPC: the cooldown-expiry step needs time travel and was skipped");
    }
    env.stop().await;
}
