//! The product end to end, on the release wasm: a wallet deposits, a trader
//! moves the price, the vault's IL view matches `il-math`, the keeper role
//! acts within bounds and a stranger cannot, the depositor withdraws their
//! share.

use alloy::{
    primitives::{I256, U256},
    providers::DynProvider,
};
use il_deploy::{
    bindings::{IHedge, ILens, IManager, IPool, IToken, IVault},
    ops,
    send::{SendError, Sender},
};
use il_e2e::{Env, INITIAL_ANSWER, eth, usd};
use il_math::{Price, WAD, il_between};

/// 0.8 annualised volatility in WAD: the default table's middle tier (30 bps).
const SIGMA_80: u64 = 800_000_000_000_000_000;

fn reason(r: Result<alloy::rpc::types::TransactionReceipt, SendError>) -> String {
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

/// token1 raw for `amount0` token0 raw at the initial answer (8 decimals,
/// 18 -> 6 decimals), rounded down.
fn at_initial_price(amount0: U256) -> U256 {
    amount0 * U256::from(INITIAL_ANSWER) * U256::from(1_000_000u64)
        / (U256::from(100_000_000u64) * eth(1))
}

async fn deposit_alice(env: &Env, amount0: U256) -> ops::Deposited {
    let m = env.manifest;
    let amount1 = at_initial_price(amount0);
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

/// Moves the oracle to `answer` and arbitrages the pool to it with bob.
async fn shock(env: &Env, answer: u64) {
    let m = env.manifest;
    let mut owner = env.sender(&env.accounts.deployer);
    ops::mint_test_tokens(
        &mut owner,
        &m,
        env.accounts.bob.address(),
        eth(1_000),
        usd(5_000_000),
    )
    .await
    .unwrap();
    ops::set_oracle(&mut owner, &m, I256::try_from(answer).unwrap())
        .await
        .unwrap();
    let mut bob: Sender<'_, DynProvider> = env.sender(&env.accounts.bob);
    let swap = ops::arbitrage_to_oracle(&mut bob, &env.provider, &m, 1)
        .await
        .unwrap();
    assert!(swap.is_some(), "a move of the oracle calls for a trade");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposit_price_move_il_matches_il_math_and_withdraw_pays_the_share() {
    let env = Env::start().await;
    let m = env.manifest;
    let alice = env.accounts.alice.address();
    let d = deposit_alice(&env, eth(10)).await;
    let vault = IVault::new(m.contracts.vault, &env.provider);
    assert_eq!(vault.balanceOf(alice).call().await.unwrap(), d.shares);
    assert!(d.shares > U256::ZERO);
    let lens = ILens::new(m.contracts.lens, &env.provider);
    let before = lens.accountOf(alice).call().await.unwrap();
    assert_eq!(before.shares, d.shares);
    // no price move yet: the view's floors (in the vault's favour) leave at most a few raw units
    assert!(
        before.il <= I256::ZERO && before.il > I256::try_from(-10).unwrap(),
        "IL before any move: {}",
        before.il
    );

    // the price rises by r = 1.44 (sqrt r = 1.2): IL(r) = 2.4 / 2.44 - 1 = -1.639...%
    let answer1 = INITIAL_ANSWER * 144 / 100;
    shock(&env, answer1).await;
    let a = lens.accounting().call().await.unwrap();
    assert_eq!(
        a.pnl,
        a.il + a.fees + a.hedgePnl,
        "the three parts sum to the total exactly"
    );
    assert!(
        a.fees > I256::ZERO,
        "the arbitrage paid the pool fee: {}",
        a.fees
    );
    assert_eq!(a.hedgePnl, I256::ZERO, "no hedge");
    let p0 = Price::new(U256::from(INITIAL_ANSWER), U256::from(1)).unwrap();
    let p1 = Price::new(U256::from(answer1), U256::from(1)).unwrap();
    let expected = il_between(&p0, &p1).unwrap(); // WAD, floor
    // the vault's IL as a fraction of what holding would be worth now
    let measured = a.il * I256::try_from(WAD).unwrap() / I256::try_from(a.hold).unwrap();
    let diff = (measured - expected).abs();
    // the deposit's last raw units (share and pool rounding) bound the gap: 1e-9 of the hold value
    assert!(
        diff <= I256::try_from(1_000_000_000u64).unwrap(),
        "vault IL {measured} vs il-math {expected} (WAD)"
    );

    // alice takes everything out: she gets the vault's valuation of her share, within the pool's spot-vs-oracle gap
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
    let paid = out.amount0 * U256::from(answer1) * U256::from(1_000_000u64)
        / (U256::from(100_000_000u64) * eth(1))
        + out.amount1;
    let gap = if paid > mine.value {
        paid - mine.value
    } else {
        mine.value - paid
    };
    assert!(
        gap * U256::from(1_000) <= mine.value,
        "paid {paid} vs valued {} (token1 raw)",
        mine.value
    );
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keeper_changes_the_fee_tier_rebalances_and_hedges_and_a_stranger_cannot() {
    let env = Env::start().await;
    let m = env.manifest;
    deposit_alice(&env, eth(20)).await;
    let manager_addr = m.contracts.manager;
    let manager = IManager::new(manager_addr, &env.provider);
    let pool = IPool::new(m.contracts.pool, &env.provider);
    let mut keeper = env.sender(&env.accounts.keeper);
    let mut stranger = env.sender(&env.accounts.stranger);
    let mut owner = env.sender(&env.accounts.deployer);
    let not_keeper = format!(
        "ManagerNotKeeper {{ account: {:?} }}",
        env.accounts.stranger.address()
    );

    // fee tier
    let sigma = U256::from(SIGMA_80);
    let r = stranger
        .send_call(
            "updateVolatility",
            manager_addr,
            IManager::updateVolatilityCall { sigma },
        )
        .await;
    assert_eq!(reason(r), not_keeper);
    assert_eq!(pool.fee().call().await.unwrap(), 500);
    keeper
        .send_call(
            "updateVolatility",
            manager_addr,
            IManager::updateVolatilityCall { sigma },
        )
        .await
        .unwrap();
    assert_eq!(
        pool.fee().call().await.unwrap(),
        3_000,
        "80 % volatility selects the 30 bps tier"
    );
    assert_eq!(manager.config().call().await.unwrap().tierIndex, 1);

    // rebalance: a quarter of the LP to idle (the default max step)
    let r = stranger
        .send_call(
            "rebalance",
            manager_addr,
            IManager::rebalanceCall {
                targetBps: 7_500,
                amount0Min: U256::ZERO,
                amount1Min: U256::ZERO,
            },
        )
        .await;
    assert_eq!(reason(r), not_keeper);
    let r = keeper
        .send_call(
            "rebalance",
            manager_addr,
            IManager::rebalanceCall {
                targetBps: 5_000,
                amount0Min: U256::ZERO,
                amount1Min: U256::ZERO,
            },
        )
        .await;
    assert!(
        reason(r).starts_with("ManagerInvalidTarget"),
        "a step over maxStepBps is refused"
    );
    let receipt = keeper
        .send_call(
            "rebalance",
            manager_addr,
            IManager::rebalanceCall {
                targetBps: 7_500,
                amount0Min: U256::ZERO,
                amount1Min: U256::ZERO,
            },
        )
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
    assert!(rebalanced.lpDelta < I256::ZERO);
    let r = keeper
        .send_call(
            "rebalance",
            manager_addr,
            IManager::rebalanceCall {
                targetBps: 5_000,
                amount0Min: U256::ZERO,
                amount1Min: U256::ZERO,
            },
        )
        .await;
    assert!(
        reason(r).starts_with("ManagerCooldown"),
        "a second rebalance within the cooldown is refused"
    );

    // hedge: off until the owner sets a ratio; then the keeper moves the venue position
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

    // time travel (local chain only): the cooldown passes and the keeper may act again
    if env.can_travel() {
        env.advance(p.rebalanceCooldown + 1).await;
        let mut updater = env.sender(&env.accounts.deployer);
        // refresh the oracle so its answer is not stale after the jump
        ops::set_oracle(&mut updater, &m, I256::try_from(INITIAL_ANSWER).unwrap())
            .await
            .unwrap();
        // the hedge's collateral came from idle token1, so the LP share is now a little above 75 %
        // (77.9 % measured); 60 % is within one 25 % step of it
        keeper
            .send_call(
                "rebalance",
                manager_addr,
                IManager::rebalanceCall {
                    targetBps: 6_000,
                    amount0Min: U256::ZERO,
                    amount1Min: U256::ZERO,
                },
            )
            .await
            .unwrap();
    } else {
        println!("external RPC: the cooldown-expiry step needs time travel and was skipped");
    }
    env.stop().await;
}
