//! `il_math::v4` against the real Uniswap v4 core on the local chain
//! (il-devnet's EVM; the npm build artifacts of `@uniswap/v4-core` 1.0.2,
//! installed by `scripts/setup.sh`): v4's `TickMath` through its own test
//! contract, the tick `PoolManager.initialize` stores in `slot0`, and the
//! token amounts `modifyLiquidity` takes and pays, compared to the wei.
//!
//! Needs `scripts/setup.sh` only (the pools' currencies are v4's EVM
//! `TestERC20`, no Stylus contract is involved).

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, B256, I256, U256, aliases::U160},
    providers::DynProvider,
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolError},
};
use il_devnet::{Config, Devnet, DevnetHandle};
use il_e2e::v4::{
    self, IPoolManager, ITickMathTest, IV4Errors::InvalidSqrtPrice, IV4Errors::InvalidTick,
    IV4Errors::TickSpacingTooLarge, IV4Errors::TickSpacingTooSmall, PoolKey, V4,
};
use il_math::{
    MathError, Price, Rounding,
    v4::{
        MAX_SQRT_PRICE, MAX_TICK, MAX_TICK_SPACING, MIN_SQRT_PRICE, MIN_TICK, Q96,
        amounts_for_liquidity, full_range_ticks, liquidity_for_amounts, sqrt_price_at_tick,
        tick_at_sqrt_price,
    },
};

/// anvil's (and il-devnet's) dev account 0.
fn dev_key() -> PrivateKeySigner {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        .parse()
        .expect("key")
}

async fn devnet() -> (DevnetHandle, DynProvider, Address) {
    let node = Devnet::spawn(Config {
        port: 0,
        ..Config::default()
    })
    .await
    .unwrap_or_else(|e| panic!("devnet: {e}"));
    let key = dev_key();
    let p = v4::provider(&node.url(), &key);
    (node, p, key.address())
}

/// A deterministic pseudo-random sequence (xorshift64): the same sample on
/// every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A tick in `[MIN_TICK, MAX_TICK]`.
    fn tick(&mut self) -> i32 {
        let span = u64::try_from(MAX_TICK - MIN_TICK + 1).expect("positive");
        MIN_TICK + i32::try_from(self.next() % span).expect("fits")
    }

    /// A sqrt price in `[MIN_SQRT_PRICE, MAX_SQRT_PRICE)`, log-uniform.
    fn sqrt_price(&mut self) -> U256 {
        let bits = 33 + (self.next() % 128) as usize;
        let raw = U256::from_limbs([self.next(), self.next(), self.next(), 0]);
        let x = raw & ((U256::from(1u8) << bits) - U256::from(1u8));
        x.clamp(MIN_SQRT_PRICE, MAX_SQRT_PRICE - U256::from(1u8))
    }
}

fn u160(x: U256) -> U160 {
    U160::from(x)
}

/// The ticks the tick-math comparisons cover: both ends, each bit of the
/// tick alone and all bits below it (every factor of the algorithm, alone
/// and together), and pseudo-random ticks.
fn sample_ticks(rng: &mut Rng, random: usize) -> Vec<i32> {
    let mut ticks = vec![MIN_TICK, MIN_TICK + 1, -1, 0, 1, MAX_TICK - 1, MAX_TICK];
    for bit in 0..20 {
        for t in [1i32 << bit, (1i32 << bit) - 1] {
            if t <= MAX_TICK {
                ticks.extend([t, -t]);
            }
        }
    }
    ticks.extend((0..random).map(|_| rng.tick()));
    ticks
}

/// Sqrt prices for the inverse: both ends, each sampled tick's price and
/// its neighbours, and pseudo-random prices.
fn sample_prices(rng: &mut Rng, ticks: &[i32], random: usize) -> Vec<U256> {
    let one = U256::from(1u8);
    let mut prices = vec![MIN_SQRT_PRICE, MAX_SQRT_PRICE - one, Q96];
    for &t in ticks {
        let s = sqrt_price_at_tick(t).expect("in range");
        prices.extend([s - one, s, s + one]);
    }
    prices.extend((0..random).map(|_| rng.sqrt_price()));
    prices.retain(|s| *s >= MIN_SQRT_PRICE && *s < MAX_SQRT_PRICE);
    prices
}

/// The revert of an `eth_call` of `call` on `to`.
async fn revert_of<C: SolCall>(p: &DynProvider, to: Address, call: &C) -> alloy::primitives::Bytes {
    v4::revert_data(
        p,
        TransactionRequest::default()
            .with_to(to)
            .with_input(call.abi_encode()),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn tick_math_matches_v4s_tick_math_and_the_pool_managers_slot0() {
    let (node, p, from) = devnet().await;
    let started = std::time::Instant::now();
    let tick_math = v4::deploy_tick_math_test(&p, from).await;
    let v4 = V4::deploy(&p, from).await;
    let a = v4::deploy_test_erc20(&p, from).await;
    let b = v4::deploy_test_erc20(&p, from).await;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    // 1. v4's getSqrtPriceAtTick, through TickMathTest, for every sampled tick
    let ticks = sample_ticks(&mut rng, 1_000);
    for &t in &ticks {
        let theirs = v4::view(
            &p,
            tick_math,
            &ITickMathTest::getSqrtPriceAtTickCall { tick: v4::tick(t) },
        )
        .await;
        assert_eq!(
            sqrt_price_at_tick(t).map(u160),
            Ok(theirs),
            "sqrt price at tick {t}"
        );
    }
    // out of range: v4 reverts InvalidTick, il-math says InvalidTick
    for t in [MIN_TICK - 1, MAX_TICK + 1] {
        let data = revert_of(
            &p,
            tick_math,
            &ITickMathTest::getSqrtPriceAtTickCall { tick: v4::tick(t) },
        )
        .await;
        assert_eq!(InvalidTick::abi_decode(&data).unwrap().tick, v4::tick(t));
        assert_eq!(sqrt_price_at_tick(t), Err(MathError::InvalidTick));
    }

    // 2. v4's getTickAtSqrtPrice and the tick PoolManager.initialize returns
    //    (eth_call: nothing is stored, so one key serves every price)
    let prices = sample_prices(&mut rng, &ticks, 1_000);
    let key = v4::pool_key_with(a, b, 3_000, 60);
    for &s in &prices {
        let ours = tick_at_sqrt_price(s).expect("in range");
        let theirs = v4::view(
            &p,
            tick_math,
            &ITickMathTest::getTickAtSqrtPriceCall {
                sqrtPriceX96: u160(s),
            },
        )
        .await;
        assert_eq!(theirs.as_i32(), ours, "tick at {s}");
        let initialized = v4::view(
            &p,
            v4.manager,
            &IPoolManager::initializeCall {
                key: key.clone(),
                sqrtPriceX96: u160(s),
            },
        )
        .await;
        assert_eq!(initialized.as_i32(), ours, "initialize at {s}");
    }
    // outside [MIN_SQRT_PRICE, MAX_SQRT_PRICE): InvalidSqrtPrice on both sides
    for s in [MIN_SQRT_PRICE - U256::from(1u8), MAX_SQRT_PRICE] {
        let call = IPoolManager::initializeCall {
            key: key.clone(),
            sqrtPriceX96: u160(s),
        };
        let data = revert_of(&p, v4.manager, &call).await;
        assert_eq!(
            InvalidSqrtPrice::abi_decode(&data).unwrap().sqrtPriceX96,
            u160(s)
        );
        assert_eq!(tick_at_sqrt_price(s), Err(MathError::InvalidSqrtPrice));
    }
    // tick spacings outside [1, 32767]: named errors on both sides
    for (spacing, small) in [(0, true), (MAX_TICK_SPACING + 1, false)] {
        let call = IPoolManager::initializeCall {
            key: v4::pool_key_with(a, b, 3_000, spacing),
            sqrtPriceX96: u160(Q96),
        };
        let data = revert_of(&p, v4.manager, &call).await;
        if small {
            assert!(TickSpacingTooSmall::abi_decode(&data).is_ok());
        } else {
            assert!(TickSpacingTooLarge::abi_decode(&data).is_ok());
        }
        assert_eq!(
            full_range_ticks(spacing),
            Err(MathError::InvalidTickSpacing)
        );
    }

    // 3. mined pools: slot0 holds the price given and tick_at_sqrt_price of
    //    it. A pool at sqrt_price_at_tick(t) gets tick t and one at that
    //    price minus one gets t - 1 only if our price of t is v4's exactly.
    let one = U256::from(1u8);
    let mut mined = vec![
        MIN_SQRT_PRICE,
        MIN_SQRT_PRICE + one,
        MAX_SQRT_PRICE - one,
        Q96,
        Q96 - one,
    ];
    for t in [
        MIN_TICK + 1,
        -600_001,
        -60,
        -1,
        1,
        60,
        123_457,
        700_001,
        MAX_TICK - 1,
    ] {
        let s = sqrt_price_at_tick(t).unwrap();
        mined.extend([s, s - one]);
    }
    mined.extend((0..4).map(|_| rng.sqrt_price()));
    for (i, &s) in mined.iter().enumerate() {
        // one pool per price: the keys differ by their fee
        let key = v4::pool_key_with(a, b, u32::try_from(i).unwrap(), 1);
        assert_eq!(v4::slot0(&p, v4.manager, &key).await, (U160::ZERO, 0));
        v4::transact(
            &p,
            from,
            v4.manager,
            &IPoolManager::initializeCall {
                key: key.clone(),
                sqrtPriceX96: u160(s),
            },
        )
        .await;
        let (stored, tick) = v4::slot0(&p, v4.manager, &key).await;
        assert_eq!(stored, u160(s));
        assert_eq!(tick, tick_at_sqrt_price(s).unwrap(), "slot0 tick at {s}");
    }
    println!(
        "v4 tick math: {} ticks (getSqrtPriceAtTick), {} sqrt prices (getTickAtSqrtPrice and \
         initialize by eth_call), {} mined pools (slot0), equal to il_math::v4 in {:.1?}",
        ticks.len(),
        prices.len(),
        mined.len(),
        started.elapsed()
    );
    node.shutdown().await.unwrap();
}

/// `10^e`.
fn pow10(e: u64) -> U256 {
    U256::from(10u64).pow(U256::from(e))
}

struct Ctx {
    p: DynProvider,
    from: Address,
    v4: V4,
    /// Comparisons made (each amount of each token, each side).
    compared: usize,
    salt: u8,
}

impl Ctx {
    /// Adds the liquidity `budget` (token0, token1) pays for over `[lower,
    /// upper)` at the pool's price, removes a third of it, then the rest;
    /// checks each amount moved (by the account and by the PoolManager)
    /// against `amounts_for_liquidity`. Returns the liquidity added.
    async fn round_trip(
        &mut self,
        label: &str,
        key: &PoolKey,
        (lower, upper): (i32, i32),
        budget: (U256, U256),
    ) -> u128 {
        let (price, tick) = v4::slot0(&self.p, self.v4.manager, key).await;
        let price = U256::from(price);
        let (a, b) = (
            sqrt_price_at_tick(lower).unwrap(),
            sqrt_price_at_tick(upper).unwrap(),
        );
        let liquidity = liquidity_for_amounts(price, a, b, budget.0, budget.1).unwrap();
        assert!(liquidity > 0, "{label}: some liquidity");
        self.salt += 1;
        let salt = B256::with_last_byte(self.salt);

        let take = amounts_for_liquidity(price, a, b, liquidity, true).unwrap();
        let moved = v4::modify_liquidity(
            &self.p,
            self.from,
            &self.v4,
            key,
            lower,
            upper,
            I256::try_from(liquidity).unwrap(),
            salt,
        )
        .await;
        assert_eq!(moved.paid, [take.0, take.1], "{label}: amounts taken");
        assert_eq!(moved.manager_gained, [take.0, take.1], "{label}: manager");
        assert_eq!(moved.received, [U256::ZERO; 2]);
        assert!(
            take.0 <= budget.0 && take.1 <= budget.1,
            "{label}: within the amounts"
        );

        let third = liquidity / 3;
        let mut paid_back = [U256::ZERO; 2];
        for part in [third, liquidity - third] {
            let pay = amounts_for_liquidity(price, a, b, part, false).unwrap();
            let moved = v4::modify_liquidity(
                &self.p,
                self.from,
                &self.v4,
                key,
                lower,
                upper,
                -I256::try_from(part).unwrap(),
                salt,
            )
            .await;
            assert_eq!(moved.received, [pay.0, pay.1], "{label}: amounts paid");
            assert_eq!(moved.manager_lost, [pay.0, pay.1], "{label}: manager");
            assert_eq!(moved.paid, [U256::ZERO; 2]);
            paid_back[0] += pay.0;
            paid_back[1] += pay.1;
        }
        assert!(paid_back[0] <= take.0 && paid_back[1] <= take.1);
        self.compared += 12;
        println!(
            "{label:<34} tick {tick:>8} range [{lower:>8}, {upper:>8}) L {liquidity:>40}: took \
             ({}, {}), paid back ({}, {})",
            take.0, take.1, paid_back[0], paid_back[1]
        );
        liquidity
    }
}

/// `t` rounded down to a multiple of `spacing`.
fn align(t: i32, spacing: i32) -> i32 {
    t.div_euclid(spacing) * spacing
}

#[tokio::test(flavor = "multi_thread")]
async fn amounts_for_liquidity_are_what_the_pool_manager_takes_and_pays() {
    let (node, p, from) = devnet().await;
    let v4 = V4::deploy(&p, from).await;
    let a = v4::deploy_test_erc20(&p, from).await;
    let b = v4::deploy_test_erc20(&p, from).await;
    v4::approve_routers(&p, from, &v4, &[a, b]).await;
    let mut ctx = Ctx {
        p: p.clone(),
        from,
        v4,
        compared: 0,
        salt: 0,
    };

    // (label, sqrt price, tick spacing, budget): a tick's exact price, an
    // oracle price (3000 USDC per ETH, 6 and 18 decimals) off the tick
    // grid, and prices toward both ends of the range (at the low one, token1
    // is worth 10^30 token0: a smaller token1 budget keeps the liquidity
    // of a range under the price within v4's per-tick maximum)
    let oracle = Price::new(
        U256::from(3_000_000_000u64),
        U256::from(10u64).pow(U256::from(18u64)),
    )
    .unwrap()
    .sqrt_price_x96(Rounding::Floor);
    let pools = [
        ("price 1 (tick 0)", Q96, 60, (pow10(20), pow10(20))),
        (
            "3000 USDC/ETH (6/18 decimals)",
            oracle,
            10,
            (pow10(20), pow10(20)),
        ),
        (
            "high price (tick 400017 + 12345)",
            sqrt_price_at_tick(400_017).unwrap() + U256::from(12_345u32),
            200,
            (pow10(20), pow10(20)),
        ),
        (
            "low price (tick -700003 - 7)",
            sqrt_price_at_tick(-700_003).unwrap() - U256::from(7u8),
            1,
            (pow10(20), pow10(12)),
        ),
    ];
    for (i, (label, price, spacing, budget)) in pools.into_iter().enumerate() {
        let key = v4::pool_key_with(a, b, 3_000 + u32::try_from(i).unwrap(), spacing);
        v4::transact(
            &p,
            from,
            ctx.v4.manager,
            &IPoolManager::initializeCall {
                key: key.clone(),
                sqrtPriceX96: u160(price),
            },
        )
        .await;
        let t = align(tick_at_sqrt_price(price).unwrap(), spacing);
        let s = spacing;
        let (min, max) = full_range_ticks(spacing).unwrap();
        let ranges = [
            ("range under the price", t - 10 * s, t - 2 * s),
            ("price inside the range", t - 3 * s, t + 4 * s),
            ("range over the price", t + 2 * s, t + 9 * s),
            ("full range", min, max),
        ];
        for (what, lower, upper) in ranges {
            ctx.round_trip(&format!("{label}: {what}"), &key, (lower, upper), budget)
                .await;
        }
        if price == sqrt_price_at_tick(t).unwrap() {
            // the price on a bound: token0 only at the lower bound, token1
            // only at the upper one
            ctx.round_trip(
                &format!("{label}: price at lower bound"),
                &key,
                (t, t + 5 * s),
                budget,
            )
            .await;
            ctx.round_trip(
                &format!("{label}: price at upper bound"),
                &key,
                (t - 5 * s, t),
                budget,
            )
            .await;
        }
    }

    // after a swap the price is wherever the swap left it: keep a full
    // range, swap token0 in, then round-trip new positions at that price
    let key = v4::pool_key_with(a, b, 3_000, 60);
    let (min, max) = full_range_ticks(60).unwrap();
    let (price, _) = v4::slot0(&p, ctx.v4.manager, &key).await;
    let keep = liquidity_for_amounts(
        U256::from(price),
        sqrt_price_at_tick(min).unwrap(),
        sqrt_price_at_tick(max).unwrap(),
        pow10(20),
        pow10(20),
    )
    .unwrap();
    v4::modify_liquidity(
        &p,
        from,
        &ctx.v4,
        &key,
        min,
        max,
        I256::try_from(keep).unwrap(),
        B256::repeat_byte(0xff),
    )
    .await;
    let exact_in = -I256::try_from(10u64.pow(18)).unwrap();
    v4::transact(
        &p,
        from,
        ctx.v4.swap_router,
        &v4::swap_call(&key, true, exact_in),
    )
    .await;
    let (after, tick) = v4::slot0(&p, ctx.v4.manager, &key).await;
    assert!(after < price, "the swap moved the price down");
    assert_eq!(tick, tick_at_sqrt_price(U256::from(after)).unwrap());
    let t = align(tick, 60);
    for (what, lower, upper) in [
        ("after a swap: inside", t - 120, t + 180),
        ("after a swap: range under", t - 600, t - 60),
        ("after a swap: range over", t + 60, t + 600),
    ] {
        ctx.round_trip(what, &key, (lower, upper), (pow10(20), pow10(20)))
            .await;
    }
    println!(
        "{} amounts compared with il_math::v4::amounts_for_liquidity: all equal to the wei",
        ctx.compared
    );
    node.shutdown().await.unwrap();
}

#[test]
fn the_tick_sample_covers_both_ends_and_every_bit_on_both_sides() {
    let ticks = sample_ticks(&mut Rng(1), 0);
    for t in [MIN_TICK, MIN_TICK + 1, 0, MAX_TICK - 1, MAX_TICK] {
        assert!(ticks.contains(&t), "{t}");
    }
    // each factor of v4's algorithm (bit of |tick|) is used, for both signs
    for bit in 0..20 {
        assert!(
            ticks.iter().any(|t| *t > 0 && t & (1 << bit) != 0),
            "bit {bit}"
        );
        assert!(
            ticks.iter().any(|t| *t < 0 && -t & (1 << bit) != 0),
            "bit {bit}"
        );
    }
}
