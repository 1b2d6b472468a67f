//! Uniswap v4-core on a [`World`]: the `PoolManager` and its test routers
//! deployed from the npm build artifacts (`@uniswap/v4-core`, installed by
//! `scripts/setup.sh`, read with `il_wasm::artifacts::v4_core`), and the
//! part of their ABI the tests use.

use alloy_primitives::{Address, Bytes, I256, U256, aliases::U160};
use alloy_sol_types::SolValue;

use crate::World;

mod abi {
    // event constructors take eight arguments (`Swap`)
    #![allow(clippy::too_many_arguments)]
    alloy_sol_types::sol! {
        /// v4's pool key.
        #[derive(Debug, PartialEq, Eq)]
        struct PoolKey { address currency0; address currency1; uint24 fee; int24 tickSpacing; address hooks; }
        /// `IPoolManager.ModifyLiquidityParams`.
        #[derive(Debug, PartialEq, Eq)]
        struct ModifyLiquidityParams { int24 tickLower; int24 tickUpper; int256 liquidityDelta; bytes32 salt; }
        /// `IPoolManager.SwapParams`.
        #[derive(Debug, PartialEq, Eq)]
        struct SwapParams { bool zeroForOne; int256 amountSpecified; uint160 sqrtPriceLimitX96; }
        /// `PoolSwapTest.TestSettings`.
        #[derive(Debug, PartialEq, Eq)]
        struct TestSettings { bool takeClaims; bool settleUsingBurn; }

        /// The part of v4's `PoolManager` the tests use.
        #[derive(Debug, PartialEq, Eq)]
        interface IPoolManager {
            function initialize(PoolKey key, uint160 sqrtPriceX96) external returns (int24 tick);
            function unlock(bytes data) external returns (bytes result);
            function updateDynamicLPFee(PoolKey key, uint24 newDynamicLPFee) external;
            function extsload(bytes32 slot) external view returns (bytes32 value);
            event ModifyLiquidity(bytes32 indexed id, address indexed sender, int24 tickLower, int24 tickUpper, int256 liquidityDelta, bytes32 salt);
            event Swap(bytes32 indexed id, address indexed sender, int128 amount0, int128 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick, uint24 fee);
            event Donate(bytes32 indexed id, address indexed sender, uint256 amount0, uint256 amount1);
            error UnauthorizedDynamicLPFeeUpdate();
            error ManagerLocked();
            error PoolNotInitialized();
        }

        /// v4's `PoolModifyLiquidityTest` router.
        interface IPoolModifyLiquidityTest {
            function modifyLiquidity(PoolKey key, ModifyLiquidityParams params, bytes hookData) external payable returns (int256 delta);
        }

        /// v4's `PoolSwapTest` router.
        interface IPoolSwapTest {
            function swap(PoolKey key, SwapParams params, TestSettings testSettings, bytes hookData) external payable returns (int256 delta);
        }

        /// v4's `PoolDonateTest` router.
        interface IPoolDonateTest {
            function donate(PoolKey key, uint256 amount0, uint256 amount1, bytes hookData) external payable returns (int256 delta);
        }
    }
}
pub use abi::*;

/// The PoolManager and the routers, deployed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V4 {
    pub pool_manager: Address,
    pub swap_router: Address,
    pub liquidity_router: Address,
    pub donate_router: Address,
}

/// v4's `TickMath.MIN_SQRT_PRICE + 1`: the lowest price limit a swap may take.
pub fn min_price_limit() -> U160 {
    U160::from(4_295_128_740u64)
}

/// v4's `TickMath.MAX_SQRT_PRICE - 1`.
pub fn max_price_limit() -> U160 {
    "1461446703485210103287273052203988822378723970341"
        .parse()
        .expect("a 160-bit number")
}

impl V4 {
    /// Deploys the PoolManager (owned by `owner`) and the swap, liquidity
    /// and donate routers from `owner`.
    ///
    /// # Panics
    /// When an artifact is missing (the message names `scripts/setup.sh`)
    /// or a constructor reverts.
    pub fn deploy(world: &mut World, owner: Address) -> Self {
        let create = |world: &mut World, name: &str, arg: Address| {
            let mut code = il_wasm::artifacts::v4_core(name).unwrap_or_else(|e| panic!("{e}"));
            code.extend_from_slice(&arg.abi_encode());
            world
                .create_evm(owner, &code)
                .unwrap_or_else(|e| panic!("deploy {name}: {e:?}"))
        };
        let pool_manager = create(world, "PoolManager", owner);
        Self {
            pool_manager,
            swap_router: create(world, "PoolSwapTest", pool_manager),
            liquidity_router: create(world, "PoolModifyLiquidityTest", pool_manager),
            donate_router: create(world, "PoolDonateTest", pool_manager),
        }
    }
}

/// The call that swaps `amount_in` (exact input) in `key`'s pool, stopping
/// at `limit` if given (else at the extreme price).
pub fn swap_call(
    key: &PoolKey,
    zero_for_one: bool,
    amount_in: U256,
    limit: Option<U160>,
) -> IPoolSwapTest::swapCall {
    let limit = limit.unwrap_or_else(|| {
        if zero_for_one {
            min_price_limit()
        } else {
            max_price_limit()
        }
    });
    IPoolSwapTest::swapCall {
        key: key.clone(),
        params: SwapParams {
            zeroForOne: zero_for_one,
            amountSpecified: -I256::try_from(amount_in).expect("an amount below 2^255"),
            sqrtPriceLimitX96: limit,
        },
        testSettings: TestSettings {
            takeClaims: false,
            settleUsingBurn: false,
        },
        hookData: Bytes::new(),
    }
}

/// The call that adds (`delta > 0`) or removes liquidity over
/// `[lower, upper]` through the liquidity router (salt 0).
pub fn modify_call(
    key: &PoolKey,
    lower: i32,
    upper: i32,
    delta: I256,
) -> IPoolModifyLiquidityTest::modifyLiquidityCall {
    IPoolModifyLiquidityTest::modifyLiquidityCall {
        key: key.clone(),
        params: ModifyLiquidityParams {
            tickLower: lower.try_into().expect("an int24 tick"),
            tickUpper: upper.try_into().expect("an int24 tick"),
            liquidityDelta: delta,
            salt: Default::default(),
        },
        hookData: Bytes::new(),
    }
}

/// The two amounts of a `BalanceDelta` (token0 in the high 128 bits),
/// positive when owed to the caller.
pub fn delta_amounts(delta: I256) -> (i128, i128) {
    let raw: U256 = delta.into_raw();
    let high = (raw >> 128usize).to::<u128>() as i128;
    let low = (raw & (U256::MAX >> 128usize)).to::<u128>() as i128;
    (high, low)
}
