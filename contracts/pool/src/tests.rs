//! Unit, table-driven and property tests of the pool, run against two real
//! `il-token` contracts through [`world::World`].

use alloy_primitives::{Address, U256, address};
use alloy_sol_types::SolEvent;

use super::*;

mod abi_calls;
mod props;
mod world;

use world::{Mode, POOL, TOKEN0, TOKEN1, World};

const OWNER: Address = address!("0x00000000000000000000000000000000000000a1");
const MANAGER: Address = address!("0x00000000000000000000000000000000000000f1");
const ALICE: Address = address!("0x00000000000000000000000000000000000000b2");
const BOB: Address = address!("0x00000000000000000000000000000000000000c3");
const T0: u64 = 1_700_000_000;
const FAR: u64 = 2_000_000_000;

/// `n * 10^18`.
fn e18(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn u(n: u128) -> U256 {
    U256::from(n)
}

fn deadline() -> U256 {
    U256::from(FAR)
}

/// A pool with fee `fee` (max 100_000), owned by OWNER, fee manager MANAGER;
/// ALICE and BOB hold 10^9 of each token and approved the pool for all.
fn setup(fee: u32) -> (World, Pool) {
    let world = World::new();
    world.vm().set_sender(OWNER);
    let mut pool = Pool::from(&world);
    pool.constructor(TOKEN0, TOKEN1, fee, MAX_FEE_PIPS, OWNER)
        .unwrap();
    pool.set_fee_manager(MANAGER).unwrap();
    for who in [ALICE, BOB] {
        for token in [TOKEN0, TOKEN1] {
            world.mint(token, who, e18(1_000_000_000));
            world.approve(token, who, POOL, U256::MAX);
        }
    }
    (world, pool)
}

/// ALICE sends `a0`/`a1` to the pool and mints to herself.
fn add(world: &World, pool: &mut Pool, a0: U256, a1: U256) -> U256 {
    world.send(TOKEN0, ALICE, POOL, a0);
    world.send(TOKEN1, ALICE, POOL, a1);
    world.call(pool, ALICE, |p| p.mint(ALICE)).unwrap()
}

fn reserves(pool: &Pool) -> (U256, U256) {
    let (r0, r1, _) = pool.get_reserves().unwrap();
    (r0, r1)
}

fn logs_of<E: SolEvent>(world: &World) -> Vec<E> {
    world
        .vm()
        .get_emitted_logs()
        .iter()
        .filter(|(t, _)| t.first() == Some(&E::SIGNATURE_HASH))
        .map(|(t, d)| E::decode_raw_log(t.iter().copied(), d).unwrap())
        .collect()
}

fn last<E: SolEvent>(world: &World) -> E {
    logs_of::<E>(world).pop().expect("event emitted")
}

fn unauthorized(account: Address) -> PoolError {
    PoolError::from(OwnableUnauthorizedAccount { account })
}

// ---------------------------------------------------------------- constructor

#[test]
fn constructor_sets_tokens_fee_and_owner() {
    let world = World::new();
    let mut pool = Pool::from(&world);
    pool.constructor(TOKEN0, TOKEN1, 3_000, 10_000, OWNER)
        .unwrap();
    assert_eq!(pool.token0().unwrap(), TOKEN0);
    assert_eq!(pool.token1().unwrap(), TOKEN1);
    assert_eq!(pool.fee().unwrap(), 3_000);
    assert_eq!(pool.max_fee().unwrap(), 10_000);
    assert_eq!(pool.fee_manager().unwrap(), Address::ZERO);
    assert_eq!(pool.owner().unwrap(), OWNER);
    assert_eq!(pool.get_reserves().unwrap(), (U256::ZERO, U256::ZERO, 0));
    assert_eq!(pool.total_supply().unwrap(), U256::ZERO);
    assert_eq!(
        last::<FeeTierChanged>(&world),
        FeeTierChanged {
            previousFee: 0,
            newFee: 3_000
        }
    );
    assert_eq!(
        last::<il_common::ownable::OwnershipTransferred>(&world).newOwner,
        OWNER
    );
}

#[test]
fn lp_shares_have_fixed_metadata_and_minimum_liquidity() {
    let (_world, pool) = setup(3_000);
    assert_eq!(pool.name().unwrap(), "IL Pool LP");
    assert_eq!(pool.symbol().unwrap(), "ILP-LP");
    assert_eq!(pool.decimals().unwrap(), 18);
    assert_eq!(pool.minimum_liquidity().unwrap(), U256::from(1_000));
}

#[test]
fn constructor_refuses_zero_or_identical_tokens() {
    for (t0, t1, expected) in [
        (Address::ZERO, TOKEN1, PoolError::from(PoolZeroAddress {})),
        (TOKEN0, Address::ZERO, PoolError::from(PoolZeroAddress {})),
        (
            TOKEN0,
            TOKEN0,
            PoolError::from(PoolIdenticalTokens { token: TOKEN0 }),
        ),
    ] {
        let world = World::new();
        let mut pool = Pool::from(&world);
        assert_eq!(
            pool.constructor(t0, t1, 3_000, 10_000, OWNER),
            Err(expected)
        );
    }
}

#[test]
fn constructor_refuses_a_fee_above_its_cap_or_a_cap_above_ten_percent() {
    let cases = [
        (
            3_001,
            3_000,
            PoolFeeTooHigh {
                fee: 3_001,
                maximum: 3_000,
            },
        ),
        (
            0,
            100_001,
            PoolFeeTooHigh {
                fee: 100_001,
                maximum: 100_000,
            },
        ),
    ];
    for (fee, max, expected) in cases {
        let world = World::new();
        let mut pool = Pool::from(&world);
        assert_eq!(
            pool.constructor(TOKEN0, TOKEN1, fee, max, OWNER),
            Err(PoolError::from(expected))
        );
    }
    // the bounds themselves are accepted
    let world = World::new();
    let mut pool = Pool::from(&world);
    pool.constructor(TOKEN0, TOKEN1, 100_000, 100_000, OWNER)
        .unwrap();
}

#[test]
fn constructor_refuses_a_zero_owner() {
    let world = World::new();
    let mut pool = Pool::from(&world);
    assert_eq!(
        pool.constructor(TOKEN0, TOKEN1, 0, 0, Address::ZERO),
        Err(PoolError::from(OwnableInvalidOwner {
            owner: Address::ZERO
        }))
    );
}

// ----------------------------------------------------------------------- mint

#[test]
fn first_mint_locks_minimum_liquidity() {
    // V2's `mint` test: 1 and 4 tokens give sqrt(4e36) = 2e18 shares.
    let (world, mut pool) = setup(3_000);
    world.send(TOKEN0, ALICE, POOL, e18(1));
    world.send(TOKEN1, ALICE, POOL, e18(4));
    let liquidity = world.call(&mut pool, BOB, |p| p.mint(ALICE)).unwrap();
    assert_eq!(liquidity, e18(2) - u(1_000));
    assert_eq!(pool.total_supply().unwrap(), e18(2));
    assert_eq!(pool.balance_of(ALICE).unwrap(), e18(2) - u(1_000));
    assert_eq!(pool.balance_of(Address::ZERO).unwrap(), u(1_000));
    assert_eq!(reserves(&pool), (e18(1), e18(4)));

    let transfers = logs_of::<il_common::erc20::Transfer>(&world);
    assert_eq!(
        transfers,
        vec![
            il_common::erc20::Transfer {
                from: Address::ZERO,
                to: Address::ZERO,
                value: u(1_000)
            },
            il_common::erc20::Transfer {
                from: Address::ZERO,
                to: ALICE,
                value: e18(2) - u(1_000)
            },
        ]
    );
    assert_eq!(
        last::<Sync>(&world),
        Sync {
            reserve0: U112::from(10u128.pow(18)),
            reserve1: U112::from(4 * 10u128.pow(18))
        }
    );
    assert_eq!(
        last::<Mint>(&world),
        Mint {
            sender: BOB,
            amount0: e18(1),
            amount1: e18(4)
        }
    );
}

#[test]
fn later_mints_are_pro_rata_and_unbalanced_excess_is_donated() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(1), e18(4));
    // balanced: 10% more of both gives 10% more shares
    world.send(TOKEN0, BOB, POOL, e18(1) / u(10));
    world.send(TOKEN1, BOB, POOL, e18(4) / u(10));
    let minted = world.call(&mut pool, BOB, |p| p.mint(BOB)).unwrap();
    assert_eq!(minted, e18(2) / u(10));
    // unbalanced: the smaller ratio counts, the excess token1 stays in the pool
    world.send(TOKEN0, BOB, POOL, e18(11) / u(10));
    world.send(TOKEN1, BOB, POOL, e18(88));
    let supply = pool.total_supply().unwrap();
    let minted = world.call(&mut pool, BOB, |p| p.mint(BOB)).unwrap();
    assert_eq!(minted, supply); // 1.1 / 1.1 of reserve0: doubles the supply
    assert_eq!(
        reserves(&pool),
        (e18(22) / u(10), e18(44) / u(10) + e18(88))
    );
}

#[test]
fn mint_rounds_shares_down() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, u(3_000), u(3_000)); // supply 3000
    world.send(TOKEN0, BOB, POOL, u(1));
    world.send(TOKEN1, BOB, POOL, u(1));
    assert_eq!(world.call(&mut pool, BOB, |p| p.mint(BOB)), Ok(u(1)));
    // 2 wei of token0 and 1 of token1: the smaller ratio counts
    world.send(TOKEN0, BOB, POOL, u(2));
    world.send(TOKEN1, BOB, POOL, u(1));
    assert_eq!(world.call(&mut pool, BOB, |p| p.mint(BOB)), Ok(u(1)));
}

#[test]
fn mint_without_a_deposit_mints_nothing_and_fails() {
    let (world, mut pool) = setup(3_000);
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.mint(ALICE)),
        Err(PoolError::from(PoolInsufficientLiquidityMinted {}))
    );
    add(&world, &mut pool, e18(1), e18(1));
    world.send(TOKEN0, ALICE, POOL, e18(1)); // one side only
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.mint(ALICE)),
        Err(PoolError::from(PoolInsufficientLiquidityMinted {}))
    );
}

#[test]
fn first_mint_must_exceed_the_locked_minimum() {
    let (world, mut pool) = setup(3_000);
    world.send(TOKEN0, ALICE, POOL, u(1_000));
    world.send(TOKEN1, ALICE, POOL, u(1_000));
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.mint(ALICE)),
        Err(PoolError::from(PoolInsufficientLiquidityMinted {}))
    );
    world.send(TOKEN0, ALICE, POOL, u(1));
    world.send(TOKEN1, ALICE, POOL, u(1));
    assert_eq!(world.call(&mut pool, ALICE, |p| p.mint(ALICE)), Ok(u(1)));
}

#[test]
fn mint_refuses_balances_beyond_uint112() {
    let (world, mut pool) = setup(3_000);
    let max = U256::from(U112::MAX);
    world.mint(TOKEN0, ALICE, max);
    world.send(TOKEN0, ALICE, POOL, max + u(1));
    world.send(TOKEN1, ALICE, POOL, e18(1));
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.mint(ALICE)),
        Err(PoolError::from(PoolOverflow {}))
    );
    // exactly 2^112 - 1 fits
    world.call(&mut pool, ALICE, |p| p.skim(ALICE)).unwrap();
    world.send(TOKEN0, ALICE, POOL, max);
    world.send(TOKEN1, ALICE, POOL, e18(1));
    world.call(&mut pool, ALICE, |p| p.mint(ALICE)).unwrap();
    assert_eq!(pool.get_reserves().unwrap().0, U256::from(U112::MAX));
}

#[test]
fn mint_to_the_zero_address_is_refused() {
    let (world, mut pool) = setup(3_000);
    world.send(TOKEN0, ALICE, POOL, e18(1));
    world.send(TOKEN1, ALICE, POOL, e18(1));
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.mint(Address::ZERO)),
        Err(PoolError::from(ERC20InvalidReceiver {
            receiver: Address::ZERO
        }))
    );
}

// ----------------------------------------------------------------------- burn

#[test]
fn burn_pays_out_pro_rata_and_keeps_the_minimum() {
    // V2's `burn` test: 3 and 3 tokens, burn everything but the lock.
    let (world, mut pool) = setup(3_000);
    let liquidity = add(&world, &mut pool, e18(3), e18(3));
    assert_eq!(liquidity, e18(3) - u(1_000));
    world
        .call(&mut pool, ALICE, |p| p.transfer(POOL, liquidity))
        .unwrap();
    let before = (world.balance(TOKEN0, BOB), world.balance(TOKEN1, BOB));
    let (a0, a1) = world.call(&mut pool, ALICE, |p| p.burn(BOB)).unwrap();
    assert_eq!((a0, a1), (e18(3) - u(1_000), e18(3) - u(1_000)));
    assert_eq!(world.balance(TOKEN0, BOB), before.0 + a0);
    assert_eq!(world.balance(TOKEN1, BOB), before.1 + a1);
    assert_eq!(pool.total_supply().unwrap(), u(1_000));
    assert_eq!(reserves(&pool), (u(1_000), u(1_000)));
    assert_eq!(world.balance(TOKEN0, POOL), u(1_000));
    assert_eq!(
        last::<Burn>(&world),
        Burn {
            sender: ALICE,
            amount0: a0,
            amount1: a1,
            to: BOB
        }
    );
    assert_eq!(
        last::<il_common::erc20::Transfer>(&world),
        il_common::erc20::Transfer {
            from: POOL,
            to: Address::ZERO,
            value: liquidity
        }
    );
    assert_eq!(
        last::<Sync>(&world),
        Sync {
            reserve0: U112::from(1_000),
            reserve1: U112::from(1_000)
        }
    );
}

#[test]
fn burn_rounds_payouts_down() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, u(3_000), u(7_000)); // supply floor(sqrt(21e6)) = 4582
    assert_eq!(pool.total_supply().unwrap(), u(4_582));
    world
        .call(&mut pool, ALICE, |p| p.transfer(POOL, u(1_000)))
        .unwrap();
    // 1000 * 3000 / 4582 = 654.7 -> 654; 1000 * 7000 / 4582 = 1527.7 -> 1527
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.burn(ALICE)),
        Ok((u(654), u(1_527)))
    );
}

#[test]
fn burn_of_nothing_fails() {
    let (world, mut pool) = setup(3_000);
    // an empty pool (no supply at all)
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.burn(ALICE)),
        Err(PoolError::from(PoolInsufficientLiquidityBurned {}))
    );
    add(&world, &mut pool, e18(1), e18(1));
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.burn(ALICE)),
        Err(PoolError::from(PoolInsufficientLiquidityBurned {}))
    );
    // one side rounding to zero also fails
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, u(1), e18(1)); // supply 1e9
    world
        .call(&mut pool, ALICE, |p| p.transfer(POOL, u(1_000)))
        .unwrap();
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.burn(ALICE)),
        Err(PoolError::from(PoolInsufficientLiquidityBurned {}))
    );
}

// ----------------------------------------------------------------------- swap

/// `(fee pips, amount in, reserve0, reserve1, expected out)`, token0 in, in
/// units of 1e18 but the output. The fee-3000 rows are Uniswap V2's
/// `swapTestCases` (V2's 0.3% is 3_000 pips); the others were computed
/// with Python integers from `floor(a*(1e6-f)*r1 / (r0*1e6 + a*(1e6-f)))`.
const SWAP_CASES: &[(u32, u64, u64, u64, &str)] = &[
    (3_000, 1, 5, 10, "1662497915624478906"),
    (3_000, 1, 10, 5, "453305446940074565"),
    (3_000, 2, 5, 10, "2851015155847869602"),
    (3_000, 2, 10, 5, "831248957812239453"),
    (3_000, 1, 10, 10, "906610893880149131"),
    (3_000, 1, 100, 100, "987158034397061298"),
    (3_000, 1, 1000, 1000, "996006981039903216"),
    (0, 1, 5, 10, "1666666666666666666"),
    (0, 2, 10, 5, "833333333333333333"),
    (0, 1, 1000, 1000, "999000999000999000"),
    (500, 1, 5, 10, "1665972164347028919"),
    (500, 2, 10, 5, "832986082173514459"),
    (500, 1, 1000, 1000, "998501997253744881"),
    (10_000, 1, 5, 10, "1652754590984974958"),
    (10_000, 2, 10, 5, "826377295492487479"),
    (10_000, 1, 1000, 1000, "989020869339354039"),
    (100_000, 1, 5, 10, "1525423728813559322"),
    (100_000, 2, 10, 5, "762711864406779661"),
    (100_000, 1, 1000, 1000, "899190728344489959"),
];

#[test]
fn swap_table_gives_exactly_the_largest_output_the_k_check_accepts() {
    for &(fee, amount_in, r0, r1, expected) in SWAP_CASES {
        let expected: U256 = expected.parse().unwrap();
        let (world, mut pool) = setup(fee);
        add(&world, &mut pool, e18(r0), e18(r1));
        assert_eq!(
            pool.get_amount_out(true, e18(amount_in)),
            Ok(expected),
            "fee {fee} row {r0}/{r1}"
        );
        world.send(TOKEN0, BOB, POOL, e18(amount_in));
        assert_eq!(
            world.call(&mut pool, BOB, |p| p.swap(U256::ZERO, expected + u(1), BOB)),
            Err(PoolError::from(PoolK {})),
            "fee {fee}: one more wei must fail"
        );
        world
            .call(&mut pool, BOB, |p| p.swap(U256::ZERO, expected, BOB))
            .unwrap();
        assert_eq!(reserves(&pool), (e18(r0 + amount_in), e18(r1) - expected));
    }
}

#[test]
fn swap_table_is_symmetric_for_token1_in() {
    for &(fee, amount_in, r0, r1, expected) in SWAP_CASES {
        let expected: U256 = expected.parse().unwrap();
        let (world, mut pool) = setup(fee);
        add(&world, &mut pool, e18(r1), e18(r0)); // mirrored pool
        assert_eq!(pool.get_amount_out(false, e18(amount_in)), Ok(expected));
        world.send(TOKEN1, BOB, POOL, e18(amount_in));
        assert_eq!(
            world.call(&mut pool, BOB, |p| p.swap(expected + u(1), U256::ZERO, BOB)),
            Err(PoolError::from(PoolK {}))
        );
        world
            .call(&mut pool, BOB, |p| p.swap(expected, U256::ZERO, BOB))
            .unwrap();
    }
}

/// V2's `optimisticTestCases`: `(output, reserve0, reserve1, input)`: the
/// input needed for an exact output, `ceil(out / 0.997)`.
#[test]
fn optimistic_table_from_uniswap_v2() {
    let cases: [(U256, U256, U256, U256); 4] = [
        (u(997_000_000_000_000_000), e18(5), e18(10), e18(1)),
        (u(997_000_000_000_000_000), e18(10), e18(5), e18(1)),
        (u(997_000_000_000_000_000), e18(5), e18(5), e18(1)),
        (e18(1), e18(5), e18(5), u(1_003_009_027_081_243_732)),
    ];
    for (out, r0, r1, input) in cases {
        let (world, mut pool) = setup(3_000);
        add(&world, &mut pool, r0, r1);
        world.send(TOKEN0, BOB, POOL, input);
        // token0 out, paid in token0: only the fee is charged
        assert_eq!(
            world.call(&mut pool, BOB, |p| p.swap(out + u(1), U256::ZERO, BOB)),
            Err(PoolError::from(PoolK {}))
        );
        world
            .call(&mut pool, BOB, |p| p.swap(out, U256::ZERO, BOB))
            .unwrap();
    }
}

#[test]
fn swap_moves_tokens_and_emits_sync_and_swap() {
    // V2's `swap:token0` test.
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(5), e18(10));
    let out = u(1_662_497_915_624_478_906);
    let bob1 = world.balance(TOKEN1, BOB);
    world.send(TOKEN0, BOB, POOL, e18(1));
    world
        .call(&mut pool, ALICE, |p| p.swap(U256::ZERO, out, BOB))
        .unwrap();
    assert_eq!(world.balance(TOKEN1, BOB), bob1 + out);
    assert_eq!(reserves(&pool), (e18(6), e18(10) - out));
    assert_eq!(
        (world.balance(TOKEN0, POOL), world.balance(TOKEN1, POOL)),
        (e18(6), e18(10) - out)
    );
    assert_eq!(
        last::<Sync>(&world),
        Sync {
            reserve0: U112::from(6 * 10u128.pow(18)),
            reserve1: U112::from(e18(10) - out)
        }
    );
    assert_eq!(
        last::<Swap>(&world),
        Swap {
            sender: ALICE,
            amount0In: e18(1),
            amount1In: U256::ZERO,
            amount0Out: U256::ZERO,
            amount1Out: out,
            to: BOB
        }
    );
}

#[test]
fn swap_refuses_bad_requests() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(5), e18(10));
    let cases = [
        (
            U256::ZERO,
            U256::ZERO,
            BOB,
            PoolError::from(PoolInsufficientOutputAmount {}),
        ),
        (
            e18(5),
            U256::ZERO,
            BOB,
            PoolError::from(PoolInsufficientLiquidity {}),
        ),
        (
            U256::ZERO,
            e18(10),
            BOB,
            PoolError::from(PoolInsufficientLiquidity {}),
        ),
        (
            u(1),
            U256::ZERO,
            TOKEN0,
            PoolError::from(PoolInvalidTo { to: TOKEN0 }),
        ),
        (
            U256::ZERO,
            u(1),
            TOKEN1,
            PoolError::from(PoolInvalidTo { to: TOKEN1 }),
        ),
        // nothing paid in
        (
            U256::ZERO,
            u(1),
            BOB,
            PoolError::from(PoolInsufficientInputAmount {}),
        ),
    ];
    for (out0, out1, to, expected) in cases {
        assert_eq!(
            world.call(&mut pool, BOB, |p| p.swap(out0, out1, to)),
            Err(expected)
        );
    }
    // the failed calls changed nothing
    assert_eq!(reserves(&pool), (e18(5), e18(10)));
    assert_eq!(world.balance(TOKEN1, POOL), e18(10));
}

#[test]
fn swap_refuses_balances_beyond_uint112() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(5), e18(10));
    let max = U256::from(U112::MAX);
    world.mint(TOKEN0, BOB, max);
    world.send(TOKEN0, BOB, POOL, max);
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap(U256::ZERO, u(1), BOB)),
        Err(PoolError::from(PoolOverflow {}))
    );
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.sync()),
        Err(PoolError::from(PoolOverflow {}))
    );
}

#[test]
fn fees_stay_in_the_pool_and_grow_k() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(1_000), e18(1_000));
    let k0 = e18(1_000) * e18(1_000);
    for _ in 0..5 {
        let out = pool.get_amount_out(true, e18(10)).unwrap();
        world
            .call(&mut pool, BOB, |p| {
                p.swap_exact_in(true, e18(10), out, BOB, deadline())
            })
            .unwrap();
        let out = pool.get_amount_out(false, e18(10)).unwrap();
        world
            .call(&mut pool, BOB, |p| {
                p.swap_exact_in(false, e18(10), out, BOB, deadline())
            })
            .unwrap();
    }
    let (r0, r1) = reserves(&pool);
    assert!(r0 * r1 > k0);
    // ALICE's shares are worth more than she put in, in both tokens
    let shares = pool.balance_of(ALICE).unwrap();
    world
        .call(&mut pool, ALICE, |p| p.transfer(POOL, shares))
        .unwrap();
    let (a0, a1) = world.call(&mut pool, ALICE, |p| p.burn(ALICE)).unwrap();
    assert!(a0 * a1 > (e18(1_000) - u(1_000)) * (e18(1_000) - u(1_000)));
}

#[test]
fn a_zero_fee_pool_keeps_k_within_rounding() {
    let (world, mut pool) = setup(0);
    add(&world, &mut pool, e18(1_000), e18(1_000));
    let out = pool.get_amount_out(true, e18(10)).unwrap();
    world
        .call(&mut pool, BOB, |p| {
            p.swap_exact_in(true, e18(10), out, BOB, deadline())
        })
        .unwrap();
    let (r0, r1) = reserves(&pool);
    assert!(r0 * r1 >= e18(1_000) * e18(1_000));
    // floor(out) leaves at most one wei of token1 of slack
    assert!((r0 * (r1 - u(1))) < e18(1_000) * e18(1_000));
}

// ------------------------------------------------------------ token failures

#[test]
fn token_failures_are_named_for_the_token() {
    for (mode, token) in [
        (Mode::ReturnFalse, TOKEN1),
        (Mode::Revert, TOKEN1),
        (Mode::NoReturn, TOKEN1),
        (Mode::ReturnFalse, TOKEN0),
    ] {
        let (world, mut pool) = setup(3_000);
        add(&world, &mut pool, e18(5), e18(10));
        world.set_mode(token, mode);
        let (out0, out1) = if token == TOKEN1 {
            (U256::ZERO, u(1))
        } else {
            (u(1), U256::ZERO)
        };
        let expected = PoolError::from(PoolTransferFailed { token });
        assert_eq!(
            world.call(&mut pool, BOB, |p| p.swap(out0, out1, BOB)),
            Err(expected.clone()),
            "{mode:?}"
        );
        assert_eq!(
            world.call(&mut pool, BOB, |p| p.swap_exact_in(
                token == TOKEN0,
                e18(1),
                U256::ZERO,
                BOB,
                deadline()
            )),
            Err(expected),
            "{mode:?} pull"
        );
    }
}

#[test]
fn a_failing_balance_query_is_named_for_the_token() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(5), e18(10));
    world.set_mode(TOKEN0, Mode::BalanceReverts);
    let expected = PoolError::from(PoolBalanceFailed { token: TOKEN0 });
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.sync()),
        Err(expected.clone())
    );
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.mint(BOB)),
        Err(expected.clone())
    );
    assert_eq!(world.call(&mut pool, BOB, |p| p.skim(BOB)), Err(expected));
}

#[test]
fn a_token_without_code_is_refused() {
    // A call to an address without code succeeds with no data: no bool, no uint.
    let nowhere = address!("0x0000000000000000000000000000000000009999");
    let world = World::new();
    let mut pool = Pool::from(&world);
    pool.constructor(nowhere, TOKEN1, 3_000, 3_000, OWNER)
        .unwrap();
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.sync()),
        Err(PoolError::from(PoolBalanceFailed { token: nowhere }))
    );
}

// ---------------------------------------------------------------- skim, sync

#[test]
fn skim_sends_the_excess_and_sync_absorbs_it() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(5), e18(10));
    world.send(TOKEN0, BOB, POOL, u(123));
    world.send(TOKEN1, BOB, POOL, u(456));
    let before = (world.balance(TOKEN0, ALICE), world.balance(TOKEN1, ALICE));
    world.call(&mut pool, BOB, |p| p.skim(ALICE)).unwrap();
    assert_eq!(world.balance(TOKEN0, ALICE), before.0 + u(123));
    assert_eq!(world.balance(TOKEN1, ALICE), before.1 + u(456));
    assert_eq!(world.balance(TOKEN0, POOL), e18(5));

    // nothing to skim: no token call moves anything, and it does not fail
    let calls = world.token_calls();
    world.call(&mut pool, BOB, |p| p.skim(ALICE)).unwrap();
    assert_eq!(world.token_calls(), calls + 2, "two balanceOf, no transfer");

    world.send(TOKEN1, BOB, POOL, u(789));
    world.call(&mut pool, BOB, |p| p.sync()).unwrap();
    assert_eq!(reserves(&pool), (e18(5), e18(10) + u(789)));
    assert_eq!(
        last::<Sync>(&world),
        Sync {
            reserve0: U112::from(5 * 10u128.pow(18)),
            reserve1: U112::from(e18(10) + u(789))
        }
    );
}

// ------------------------------------------------------------------ TWAP

/// `floor(num * 2^112 / den)`.
fn uq112(num: U256, den: U256) -> U256 {
    (num << 112) / den
}

#[test]
fn cumulative_prices_accumulate_once_per_block() {
    // V2's `update:price{0,1}CumulativeLast` test, with fee 3000.
    let (world, mut pool) = setup(3_000);
    let (a0, a1) = (e18(3), e18(3));
    add(&world, &mut pool, a0, a1);
    let (_, _, t) = pool.get_reserves().unwrap();
    assert_eq!(t, T0 as u32);
    world.vm().set_block_timestamp(T0 + 1);
    world.call(&mut pool, BOB, |p| p.sync()).unwrap();
    let p0 = uq112(a1, a0);
    let p1 = uq112(a0, a1);
    assert_eq!(pool.price0_cumulative_last().unwrap(), p0);
    assert_eq!(pool.price1_cumulative_last().unwrap(), p1);
    assert_eq!(pool.get_reserves().unwrap().2, (T0 + 1) as u32);

    // a swap 9 seconds later accumulates 9 s of the old price
    world.vm().set_block_timestamp(T0 + 10);
    world.send(TOKEN0, BOB, POOL, e18(3));
    world
        .call(&mut pool, BOB, |p| p.swap(U256::ZERO, e18(1), BOB))
        .unwrap();
    assert_eq!(pool.price0_cumulative_last().unwrap(), p0 * u(10));
    assert_eq!(pool.price1_cumulative_last().unwrap(), p1 * u(10));

    // same block: no accumulation
    world.call(&mut pool, BOB, |p| p.sync()).unwrap();
    assert_eq!(pool.price0_cumulative_last().unwrap(), p0 * u(10));

    // 10 more seconds at the new price 2/6
    world.vm().set_block_timestamp(T0 + 20);
    world.call(&mut pool, BOB, |p| p.sync()).unwrap();
    assert_eq!(
        pool.price0_cumulative_last().unwrap(),
        p0 * u(10) + uq112(e18(2), e18(6)) * u(10)
    );
    assert_eq!(
        pool.price1_cumulative_last().unwrap(),
        p1 * u(10) + uq112(e18(6), e18(2)) * u(10)
    );
}

#[test]
fn cumulative_prices_survive_the_uint32_timestamp_wrap() {
    let (world, mut pool) = setup(3_000);
    let wrap = 1u64 << 32;
    world.vm().set_block_timestamp(wrap - 5);
    add(&world, &mut pool, e18(1), e18(2));
    assert_eq!(pool.get_reserves().unwrap().2, (wrap - 5) as u32);
    world.vm().set_block_timestamp(wrap + 7); // stored as 7
    world.call(&mut pool, BOB, |p| p.sync()).unwrap();
    assert_eq!(pool.get_reserves().unwrap().2, 7);
    assert_eq!(
        pool.price0_cumulative_last().unwrap(),
        uq112(e18(2), e18(1)) * u(12)
    );
}

#[test]
fn cumulative_prices_wrap_modulo_2_256_as_in_v2() {
    // price0 ~ 2^224; 2^32 - 1 seconds adds ~2^256 per update.
    let (world, mut pool) = setup(3_000);
    let max = U256::from(U112::MAX);
    world.mint(TOKEN1, ALICE, max);
    world.vm().set_block_timestamp(0);
    world.send(TOKEN0, ALICE, POOL, u(1));
    world.send(TOKEN1, ALICE, POOL, max);
    world.call(&mut pool, ALICE, |p| p.mint(ALICE)).unwrap();
    let step = uq112(max, u(1)) * U256::from(u32::MAX);
    let mut expected = U256::ZERO;
    let mut now = 0u64;
    for _ in 0..3 {
        now += u64::from(u32::MAX);
        world.vm().set_block_timestamp(now);
        world.call(&mut pool, BOB, |p| p.sync()).unwrap();
        expected = expected.wrapping_add(step);
        assert_eq!(pool.price0_cumulative_last().unwrap(), expected);
    }
    assert!(expected < step, "the accumulator wrapped");
}

// ------------------------------------------------------------------ fee tier

#[test]
fn fee_manager_sets_the_tier_within_the_cap() {
    let world = World::new();
    let mut pool = Pool::from(&world);
    pool.constructor(TOKEN0, TOKEN1, 3_000, 10_000, OWNER)
        .unwrap();
    world
        .call(&mut pool, OWNER, |p| p.set_fee_manager(MANAGER))
        .unwrap();
    assert_eq!(
        last::<FeeManagerChanged>(&world),
        FeeManagerChanged {
            previous: Address::ZERO,
            next: MANAGER
        }
    );
    world
        .call(&mut pool, MANAGER, |p| p.set_fee_tier(500))
        .unwrap();
    assert_eq!(pool.fee().unwrap(), 500);
    assert_eq!(
        last::<FeeTierChanged>(&world),
        FeeTierChanged {
            previousFee: 3_000,
            newFee: 500
        }
    );
    world
        .call(&mut pool, MANAGER, |p| p.set_fee_tier(10_000))
        .unwrap();
    assert_eq!(
        world.call(&mut pool, MANAGER, |p| p.set_fee_tier(10_001)),
        Err(PoolError::from(PoolFeeTooHigh {
            fee: 10_001,
            maximum: 10_000
        }))
    );
    assert_eq!(pool.fee().unwrap(), 10_000);
}

#[test]
fn no_one_sets_the_tier_before_a_manager_is_wired() {
    let world = World::new();
    let mut pool = Pool::from(&world);
    pool.constructor(TOKEN0, TOKEN1, 3_000, 10_000, OWNER)
        .unwrap();
    for caller in [OWNER, Address::ZERO, ALICE] {
        assert_eq!(
            world.call(&mut pool, caller, |p| p.set_fee_tier(500)),
            Err(PoolError::from(PoolNotFeeManager { account: caller }))
        );
    }
}

#[test]
fn a_new_fee_applies_to_the_next_swap() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(5), e18(10));
    world
        .call(&mut pool, MANAGER, |p| p.set_fee_tier(100_000))
        .unwrap();
    let expected = u(1_525_423_728_813_559_322); // the 10% row of SWAP_CASES
    assert_eq!(pool.get_amount_out(true, e18(1)), Ok(expected));
    world.send(TOKEN0, BOB, POOL, e18(1));
    // what was fine at 0.3% now breaks k
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap(
            U256::ZERO,
            u(1_662_497_915_624_478_906),
            BOB
        )),
        Err(PoolError::from(PoolK {}))
    );
    world
        .call(&mut pool, BOB, |p| p.swap(U256::ZERO, expected, BOB))
        .unwrap();
}

#[test]
fn access_matrix_for_privileged_functions() {
    // (caller, setFeeTier, setFeeManager, transferOwnership)
    let cases = [
        (OWNER, false, true, true),
        (MANAGER, true, false, false),
        (ALICE, false, false, false),
    ];
    for (caller, may_tier, may_wire, may_transfer) in cases {
        let (world, mut pool) = setup(3_000);
        let tier = world.call(&mut pool, caller, |p| p.set_fee_tier(1_000));
        if may_tier {
            assert_eq!(tier, Ok(()));
        } else {
            assert_eq!(
                tier,
                Err(PoolError::from(PoolNotFeeManager { account: caller }))
            );
        }
        let wire = world.call(&mut pool, caller, |p| p.set_fee_manager(BOB));
        if may_wire {
            assert_eq!(wire, Ok(()));
        } else {
            assert_eq!(wire, Err(unauthorized(caller)));
        }
        let transfer = world.call(&mut pool, caller, |p| p.transfer_ownership(BOB));
        if may_transfer {
            assert_eq!(transfer, Ok(()));
        } else {
            assert_eq!(transfer, Err(unauthorized(caller)));
        }
    }
}

#[test]
fn rewiring_the_fee_manager_revokes_the_old_one() {
    let (world, mut pool) = setup(3_000);
    world
        .call(&mut pool, OWNER, |p| p.set_fee_manager(BOB))
        .unwrap();
    assert_eq!(
        last::<FeeManagerChanged>(&world),
        FeeManagerChanged {
            previous: MANAGER,
            next: BOB
        }
    );
    assert_eq!(pool.fee_manager().unwrap(), BOB);
    assert_eq!(
        world.call(&mut pool, MANAGER, |p| p.set_fee_tier(1)),
        Err(PoolError::from(PoolNotFeeManager { account: MANAGER }))
    );
    world.call(&mut pool, BOB, |p| p.set_fee_tier(1)).unwrap();
}

// ---------------------------------------------------------- wallet: swaps

#[test]
fn swap_exact_in_pulls_the_input_and_pays_the_quote() {
    for zero_for_one in [true, false] {
        let (world, mut pool) = setup(3_000);
        add(&world, &mut pool, e18(5), e18(10));
        let (tin, tout) = if zero_for_one {
            (TOKEN0, TOKEN1)
        } else {
            (TOKEN1, TOKEN0)
        };
        let quote = pool.get_amount_out(zero_for_one, e18(1)).unwrap();
        let (bob_in, alice_out) = (world.balance(tin, BOB), world.balance(tout, ALICE));
        let out = world
            .call(&mut pool, BOB, |p| {
                p.swap_exact_in(zero_for_one, e18(1), quote, ALICE, deadline())
            })
            .unwrap();
        assert_eq!(out, quote);
        assert_eq!(world.balance(tin, BOB), bob_in - e18(1));
        assert_eq!(world.balance(tout, ALICE), alice_out + quote);
        let swap = last::<Swap>(&world);
        assert_eq!(swap.sender, BOB);
        assert_eq!(swap.to, ALICE);
        if zero_for_one {
            assert_eq!((swap.amount0In, swap.amount1Out), (e18(1), quote));
        } else {
            assert_eq!((swap.amount1In, swap.amount0Out), (e18(1), quote));
        }
    }
}

#[test]
fn swap_exact_in_refuses_expired_slipped_empty_and_unfunded_swaps() {
    let (world, mut pool) = setup(3_000);
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap_exact_in(
            true,
            e18(1),
            U256::ZERO,
            BOB,
            deadline()
        )),
        Err(PoolError::from(PoolInsufficientLiquidity {}))
    );
    add(&world, &mut pool, e18(5), e18(10));
    world.vm().set_block_timestamp(T0 + 1);
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap_exact_in(
            true,
            e18(1),
            U256::ZERO,
            BOB,
            U256::from(T0)
        )),
        Err(PoolError::from(PoolExpired {
            deadline: U256::from(T0),
            now: U256::from(T0 + 1)
        }))
    );
    // the deadline itself is still valid
    world
        .call(&mut pool, BOB, |p| {
            p.swap_exact_in(true, u(1_000), U256::ZERO, BOB, U256::from(T0 + 1))
        })
        .unwrap();
    let quote = pool.get_amount_out(true, e18(1)).unwrap();
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap_exact_in(
            true,
            e18(1),
            quote + u(1),
            BOB,
            deadline()
        )),
        Err(PoolError::from(PoolSlippage {
            amount: quote,
            minimum: quote + u(1)
        }))
    );
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap_exact_in(
            true,
            U256::ZERO,
            U256::ZERO,
            BOB,
            deadline()
        )),
        Err(PoolError::from(PoolInsufficientInputAmount {}))
    );
    // an input too small for one wei out (1 wei of token1 buys 0.4985 token0)
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap_exact_in(
            false,
            u(1),
            U256::ZERO,
            BOB,
            deadline()
        )),
        Err(PoolError::from(PoolInsufficientOutputAmount {}))
    );
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap_exact_in(
            true,
            e18(1),
            U256::ZERO,
            TOKEN1,
            deadline()
        )),
        Err(PoolError::from(PoolInvalidTo { to: TOKEN1 }))
    );
    // no allowance: the token refuses transferFrom
    world.approve(TOKEN0, BOB, POOL, U256::ZERO);
    let before = reserves(&pool);
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.swap_exact_in(
            true,
            e18(1),
            U256::ZERO,
            BOB,
            deadline()
        )),
        Err(PoolError::from(PoolTransferFailed { token: TOKEN0 }))
    );
    assert_eq!(reserves(&pool), before);
}

#[test]
fn get_amount_out_refuses_zero_input_empty_pool_and_overflow() {
    let (world, mut pool) = setup(3_000);
    assert_eq!(
        pool.get_amount_out(true, e18(1)),
        Err(PoolError::from(PoolInsufficientLiquidity {}))
    );
    add(&world, &mut pool, e18(5), e18(10));
    assert_eq!(
        pool.get_amount_out(false, U256::ZERO),
        Err(PoolError::from(PoolInsufficientInputAmount {}))
    );
    assert_eq!(
        pool.get_amount_out(true, U256::MAX),
        Err(PoolError::from(PoolMathError {
            code: MathError::Overflow as u8
        }))
    );
    assert_eq!(MathError::Overflow as u8, 1, "the documented code");
}

// ------------------------------------------------------ wallet: liquidity

#[test]
fn add_liquidity_to_an_empty_pool_takes_the_desired_amounts() {
    let (world, mut pool) = setup(3_000);
    let result = world
        .call(&mut pool, ALICE, |p| {
            p.add_liquidity(e18(1), e18(4), e18(1), e18(4), BOB, deadline())
        })
        .unwrap();
    assert_eq!(result, (e18(1), e18(4), e18(2) - u(1_000)));
    assert_eq!(pool.balance_of(BOB).unwrap(), e18(2) - u(1_000));
    assert_eq!(
        last::<Mint>(&world),
        Mint {
            sender: ALICE,
            amount0: e18(1),
            amount1: e18(4)
        }
    );
}

#[test]
fn add_liquidity_keeps_the_reserve_ratio() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(2), e18(8)); // price 4
    let supply = pool.total_supply().unwrap();
    // token0 limits: 1 token0 needs 4 token1 of the 10 offered
    let (a0, a1, l) = world
        .call(&mut pool, BOB, |p| {
            p.add_liquidity(e18(1), e18(10), U256::ZERO, U256::ZERO, BOB, deadline())
        })
        .unwrap();
    assert_eq!((a0, a1, l), (e18(1), e18(4), supply / u(2)));
    // token1 limits: 2 token1 needs 0.5 token0 of the 3 offered
    let (a0, a1, _) = world
        .call(&mut pool, BOB, |p| {
            p.add_liquidity(e18(3), e18(2), U256::ZERO, U256::ZERO, BOB, deadline())
        })
        .unwrap();
    assert_eq!((a0, a1), (e18(1) / u(2), e18(2)));
    // the optimal amount rounds down: 1 wei of token0 is worth 4 wei of token1
    let (a0, a1, _) = world
        .call(&mut pool, BOB, |p| {
            p.add_liquidity(e18(1), u(7), U256::ZERO, U256::ZERO, BOB, deadline())
        })
        .unwrap();
    assert_eq!((a0, a1), (u(1), u(7)));
}

#[test]
fn add_liquidity_refuses_slippage_and_expiry() {
    let (world, mut pool) = setup(3_000);
    add(&world, &mut pool, e18(2), e18(8));
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.add_liquidity(
            e18(1),
            e18(10),
            U256::ZERO,
            e18(5),
            BOB,
            deadline()
        )),
        Err(PoolError::from(PoolSlippage {
            amount: e18(4),
            minimum: e18(5)
        }))
    );
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.add_liquidity(
            e18(3),
            e18(2),
            e18(1),
            U256::ZERO,
            BOB,
            deadline()
        )),
        Err(PoolError::from(PoolSlippage {
            amount: e18(1) / u(2),
            minimum: e18(1)
        }))
    );
    world.vm().set_block_timestamp(FAR + 1);
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.add_liquidity(
            e18(1),
            e18(4),
            U256::ZERO,
            U256::ZERO,
            BOB,
            deadline()
        )),
        Err(PoolError::from(PoolExpired {
            deadline: deadline(),
            now: U256::from(FAR + 1)
        }))
    );
    // nothing moved
    assert_eq!(reserves(&pool), (e18(2), e18(8)));
    assert_eq!(pool.balance_of(BOB).unwrap(), U256::ZERO);
}

#[test]
fn remove_liquidity_burns_the_callers_shares() {
    let (world, mut pool) = setup(3_000);
    let shares = add(&world, &mut pool, e18(2), e18(8));
    let half = shares / u(2);
    let before = world.balance(TOKEN0, BOB);
    let (a0, a1) = world
        .call(&mut pool, ALICE, |p| {
            p.remove_liquidity(half, U256::ZERO, U256::ZERO, BOB, deadline())
        })
        .unwrap();
    let supply = e18(4);
    assert_eq!(a0, half * e18(2) / supply);
    assert_eq!(a1, half * e18(8) / supply);
    assert_eq!(world.balance(TOKEN0, BOB), before + a0);
    assert_eq!(pool.balance_of(ALICE).unwrap(), shares - half);
    assert_eq!(
        last::<Burn>(&world),
        Burn {
            sender: ALICE,
            amount0: a0,
            amount1: a1,
            to: BOB
        }
    );
}

#[test]
fn remove_liquidity_refuses_slippage_expiry_and_missing_shares() {
    let (world, mut pool) = setup(3_000);
    let shares = add(&world, &mut pool, e18(2), e18(8));
    let (a0, a1) = (shares * e18(2) / e18(4), shares * e18(8) / e18(4));
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.remove_liquidity(
            shares,
            a0 + u(1),
            U256::ZERO,
            ALICE,
            deadline()
        )),
        Err(PoolError::from(PoolSlippage {
            amount: a0,
            minimum: a0 + u(1)
        }))
    );
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.remove_liquidity(
            shares,
            U256::ZERO,
            a1 + u(1),
            ALICE,
            deadline()
        )),
        Err(PoolError::from(PoolSlippage {
            amount: a1,
            minimum: a1 + u(1)
        }))
    );
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.remove_liquidity(
            u(1),
            U256::ZERO,
            U256::ZERO,
            BOB,
            deadline()
        )),
        Err(PoolError::from(ERC20InsufficientBalance {
            sender: BOB,
            balance: U256::ZERO,
            needed: u(1)
        }))
    );
    world.vm().set_block_timestamp(FAR + 1);
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.remove_liquidity(
            shares,
            U256::ZERO,
            U256::ZERO,
            ALICE,
            deadline()
        )),
        Err(PoolError::from(PoolExpired {
            deadline: deadline(),
            now: U256::from(FAR + 1)
        }))
    );
    // the failed calls left ALICE's shares where they were
    assert_eq!(pool.balance_of(ALICE).unwrap(), shares);
    assert_eq!(pool.balance_of(POOL).unwrap(), U256::ZERO);
    world.vm().set_block_timestamp(T0);
    assert_eq!(
        world.call(&mut pool, ALICE, |p| p.remove_liquidity(
            shares,
            a0,
            a1,
            ALICE,
            deadline()
        )),
        Ok((a0, a1))
    );
}

#[test]
fn lp_shares_are_a_working_erc20() {
    let (world, mut pool) = setup(3_000);
    let shares = add(&world, &mut pool, e18(1), e18(1));
    world
        .call(&mut pool, ALICE, |p| p.approve(BOB, u(10)))
        .unwrap();
    assert_eq!(pool.allowance(ALICE, BOB).unwrap(), u(10));
    world
        .call(&mut pool, BOB, |p| p.transfer_from(ALICE, BOB, u(4)))
        .unwrap();
    assert_eq!(pool.balance_of(BOB).unwrap(), u(4));
    assert_eq!(pool.balance_of(ALICE).unwrap(), shares - u(4));
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.transfer_from(ALICE, BOB, u(7))),
        Err(PoolError::from(ERC20InsufficientAllowance {
            spender: BOB,
            allowance: u(6),
            needed: u(7)
        }))
    );
    // BOB's shares redeem like anyone's
    assert_eq!(
        world.call(&mut pool, BOB, |p| p.remove_liquidity(
            u(4),
            u(1),
            u(1),
            BOB,
            deadline()
        )),
        Ok((u(4), u(4)))
    );
}

#[test]
fn compact_error_encoding_matches_alloy() {
    fn check<E: alloy_sol_types::SolError + Clone>(e: E)
    where
        PoolError: From<E>,
    {
        assert_eq!(PoolError::from(e.clone()), PoolError::standard(&e));
    }
    check(PoolInsufficientLiquidityMinted {});
    check(PoolInsufficientLiquidityBurned {});
    check(PoolInsufficientOutputAmount {});
    check(PoolInsufficientInputAmount {});
    check(PoolInsufficientLiquidity {});
    check(PoolInvalidTo { to: TOKEN0 });
    check(PoolK {});
    check(PoolOverflow {});
    check(PoolExpired {
        deadline: u(1),
        now: u(2),
    });
    check(PoolSlippage {
        amount: u(3),
        minimum: U256::MAX,
    });
    check(PoolFeeTooHigh {
        fee: 100_001,
        maximum: u32::MAX,
    });
    check(PoolNotFeeManager { account: ALICE });
    check(PoolIdenticalTokens { token: TOKEN1 });
    check(PoolZeroAddress {});
    check(PoolTransferFailed { token: TOKEN0 });
    check(PoolBalanceFailed { token: TOKEN1 });
    check(PoolMathError { code: u8::MAX });
    check(ERC20InsufficientBalance {
        sender: ALICE,
        balance: u(1),
        needed: u(2),
    });
    check(ERC20InvalidSender {
        sender: Address::ZERO,
    });
    check(ERC20InvalidReceiver {
        receiver: Address::ZERO,
    });
    check(ERC20InsufficientAllowance {
        spender: BOB,
        allowance: u(1),
        needed: u(2),
    });
    check(ERC20InvalidApprover {
        approver: Address::ZERO,
    });
    check(ERC20InvalidSpender {
        spender: Address::ZERO,
    });
    check(ERC20SupplyOverflow {
        supply: U256::MAX,
        amount: u(1),
    });
    check(OwnableUnauthorizedAccount { account: BOB });
    check(OwnableInvalidOwner {
        owner: Address::ZERO,
    });
}
