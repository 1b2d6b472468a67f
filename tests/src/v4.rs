//! Uniswap v4 core on a chain, through JSON-RPC only: the npm build
//! artifacts of `@uniswap/v4-core` 1.0.2 (`scripts/setup.sh` installs them
//! under `node_modules`; BUSL-1.1, never committed), a fixed sequence of
//! pool operations whose results two chains must agree on, and a native
//! anvil for the side-by-side runs.

use std::{path::PathBuf, time::Duration};

pub use il_devnet::foundry::Anvil;

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{
        Address, B256, Bytes, I256, U256,
        aliases::{I24, U24, U160},
    },
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolEvent, SolValue},
};

/// The v4 ABI the tests use (event constructors take more than seven
/// arguments, hence the lint exception).
#[allow(clippy::too_many_arguments)]
mod abi {
    alloy::sol! {
        /// v4's pool key.
        #[derive(Debug, PartialEq, Eq)]
        struct PoolKey { address currency0; address currency1; uint24 fee; int24 tickSpacing; address hooks; }
        /// v4's `IPoolManager.ModifyLiquidityParams`.
        #[derive(Debug, PartialEq, Eq)]
        struct ModifyLiquidityParams { int24 tickLower; int24 tickUpper; int256 liquidityDelta; bytes32 salt; }
        /// v4's `IPoolManager.SwapParams`.
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
            function mint(address to, uint256 id, uint256 amount) external;
            function extsload(bytes32 slot) external view returns (bytes32 value);
            event Initialize(bytes32 indexed id, address indexed currency0, address indexed currency1, uint24 fee, int24 tickSpacing, address hooks, uint160 sqrtPriceX96, int24 tick);
            event ModifyLiquidity(bytes32 indexed id, address indexed sender, int24 tickLower, int24 tickUpper, int256 liquidityDelta, bytes32 salt);
            event Swap(bytes32 indexed id, address indexed sender, int128 amount0, int128 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick, uint24 fee);
            error CurrencyNotSettled();
            error CurrenciesOutOfOrderOrEqual(address currency0, address currency1);
        }

        /// v4's `PoolModifyLiquidityTest` router.
        interface IPoolModifyLiquidityTest {
            function modifyLiquidity(PoolKey key, ModifyLiquidityParams params, bytes hookData) external payable returns (int256 delta);
        }

        /// v4's `PoolSwapTest` router.
        interface IPoolSwapTest {
            function swap(PoolKey key, SwapParams params, TestSettings testSettings, bytes hookData) external payable returns (int256 delta);
        }

        /// v4's `TickMathTest`: the library `TickMath` behind external calls.
        interface ITickMathTest {
            function getSqrtPriceAtTick(int24 tick) external pure returns (uint160);
            function getTickAtSqrtPrice(uint160 sqrtPriceX96) external pure returns (int24);
        }

        /// The errors of v4's `TickMath` and of `PoolManager.initialize` the
        /// tests expect by name.
        interface IV4Errors {
            error InvalidTick(int24 tick);
            error InvalidSqrtPrice(uint160 sqrtPriceX96);
            error TickSpacingTooLarge(int24 tickSpacing);
            error TickSpacingTooSmall(int24 tickSpacing);
        }

        /// ERC-20 as both the Stylus `il-token` and v4's `TestERC20` serve it.
        interface IErc20 {
            function approve(address spender, uint256 amount) external returns (bool);
            function balanceOf(address owner) external view returns (uint256);
            function mint(address to, uint256 amount) external;
        }
    }
}
pub use abi::*;

/// `sqrt(1) * 2^96`: price 1.
pub fn sqrt_price_1_1() -> U160 {
    U160::from(1u64) << 96
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

/// Raw units every token starts with on the deployer's account.
pub fn supply() -> U256 {
    U256::from(10u64).pow(U256::from(24u64))
}

/// The creation code of `contract` from `node_modules/@uniswap/v4-core/out`
/// ([`il_devnet::artifacts::v4_core`]). Panics with the set-up command when
/// the package is missing.
pub fn artifact(contract: &str) -> Bytes {
    il_devnet::artifacts::v4_core(contract)
        .unwrap_or_else(|e| panic!("{e}"))
        .into()
}

/// `node_modules/@uniswap/v4-core` of the repository, or `$IL_V4_CORE_DIR`
/// ([`il_devnet::artifacts::v4_core_dir`]).
pub fn v4_core_dir() -> PathBuf {
    il_devnet::artifacts::v4_core_dir()
}

/// A provider that signs as `key` on `url`.
pub fn provider(url: &str, key: &PrivateKeySigner) -> DynProvider {
    ProviderBuilder::new()
        .wallet(EthereumWallet::from(key.clone()))
        .connect_http(url.parse().expect("url"))
        .erased()
}

/// Sends `request` from `from` and waits for its receipt; panics (naming
/// `what`) if it is not mined with status 1.
pub async fn send_ok(
    p: &DynProvider,
    what: &str,
    request: TransactionRequest,
) -> TransactionReceipt {
    let receipt = p
        .send_transaction(request)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"))
        .with_timeout(Some(Duration::from_secs(120)))
        .get_receipt()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(receipt.status(), "{what}: mined with status 0");
    receipt
}

/// Calls `to` with `call` from `from` in a transaction; returns the receipt.
pub async fn transact<C: SolCall>(
    p: &DynProvider,
    from: Address,
    to: Address,
    call: &C,
) -> TransactionReceipt {
    let request = TransactionRequest::default()
        .with_from(from)
        .with_to(to)
        .with_input(call.abi_encode());
    send_ok(p, C::SIGNATURE, request).await
}

/// Deploys `code ‖ args` from `from`; returns the new address.
pub async fn deploy(p: &DynProvider, from: Address, code: &[u8], args: &[u8]) -> Address {
    let mut data = code.to_vec();
    data.extend_from_slice(args);
    let request = TransactionRequest::default()
        .with_from(from)
        .with_deploy_code(data);
    send_ok(p, "deployment", request)
        .await
        .contract_address
        .expect("a creation receipt has the contract address")
}

/// `eth_call` of `call` on `to`, decoded.
pub async fn view<C: SolCall>(p: &DynProvider, to: Address, call: &C) -> C::Return {
    let out = p
        .call(
            TransactionRequest::default()
                .with_to(to)
                .with_input(call.abi_encode()),
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE));
    C::abi_decode_returns(&out).unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
}

/// The v4 contracts of one chain.
#[derive(Debug, Clone, Copy)]
pub struct V4 {
    /// `PoolManager`.
    pub manager: Address,
    /// `PoolModifyLiquidityTest`.
    pub liquidity_router: Address,
    /// `PoolSwapTest`.
    pub swap_router: Address,
}

impl V4 {
    /// Deploys the PoolManager (owned by `from`) and the two test routers.
    pub async fn deploy(p: &DynProvider, from: Address) -> Self {
        let manager = deploy(p, from, &artifact("PoolManager"), &from.abi_encode()).await;
        let liquidity_router = deploy(
            p,
            from,
            &artifact("PoolModifyLiquidityTest"),
            &manager.abi_encode(),
        )
        .await;
        let swap_router = deploy(p, from, &artifact("PoolSwapTest"), &manager.abi_encode()).await;
        Self {
            manager,
            liquidity_router,
            swap_router,
        }
    }
}

/// The key of the tests' pool over `a` and `b` (sorted): 0.3% fee, tick
/// spacing 60, no hooks.
pub fn pool_key(a: Address, b: Address) -> PoolKey {
    pool_key_with(a, b, 3_000, 60)
}

/// The key of a pool over `a` and `b` (sorted) with a static LP fee in pips
/// and a tick spacing, no hooks. Pools of the same currencies differ by
/// their fee or spacing.
pub fn pool_key_with(a: Address, b: Address, fee_pips: u32, spacing: i32) -> PoolKey {
    let (currency0, currency1) = if a < b { (a, b) } else { (b, a) };
    PoolKey {
        currency0,
        currency1,
        fee: U24::from(fee_pips),
        tickSpacing: tick(spacing),
        hooks: Address::ZERO,
    }
}

/// A tick (or a tick spacing) as v4's `int24`; panics outside 24 bits.
pub fn tick(t: i32) -> I24 {
    I24::try_from(t).expect("a tick fits in 24 bits")
}

/// v4's `PoolId`: `keccak256(abi.encode(key))`.
pub fn pool_id(key: &PoolKey) -> B256 {
    alloy::primitives::keccak256(key.abi_encode())
}

/// `slot0` of `key`'s pool, read from the PoolManager's storage with
/// `extsload` as v4's `StateLibrary.getSlot0` does: the pools mapping is at
/// slot 6, and the first word of a pool's state packs `sqrtPriceX96` (bits
/// 0..160) and `tick` (bits 160..184, signed). Returns `(sqrtPriceX96,
/// tick)`; an uninitialised pool reads `(0, 0)`.
pub async fn slot0(p: &DynProvider, manager: Address, key: &PoolKey) -> (U160, i32) {
    let mut preimage = pool_id(key).to_vec();
    preimage.extend_from_slice(&B256::with_last_byte(6).0);
    let slot = alloy::primitives::keccak256(&preimage);
    let word = U256::from_be_bytes(
        view(p, manager, &IPoolManager::extsloadCall { slot })
            .await
            .0,
    );
    let sqrt_price = U160::from(word & ((U256::from(1u8) << 160) - U256::from(1u8)));
    let high: U256 = word >> 160usize;
    let raw: u32 = (high & U256::from(0xff_ffffu32)).to();
    // sign-extend the 24-bit tick
    let tick = ((raw << 8) as i32) >> 8;
    (sqrt_price, tick)
}

/// `owner`'s balance of ERC-20 `token`.
pub async fn balance(p: &DynProvider, token: Address, owner: Address) -> U256 {
    view(p, token, &IErc20::balanceOfCall { owner }).await
}

/// Approves both test routers of `v4` to spend all of `from`'s `tokens`.
pub async fn approve_routers(p: &DynProvider, from: Address, v4: &V4, tokens: &[Address]) {
    for &token in tokens {
        for spender in [v4.liquidity_router, v4.swap_router] {
            transact(
                p,
                from,
                token,
                &IErc20::approveCall {
                    spender,
                    amount: U256::MAX,
                },
            )
            .await;
        }
    }
}

/// Token movements of one transaction from `from`'s point of view:
/// `paid` left its balances, `received` arrived (currency0, currency1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Moved {
    /// What `from` paid of currency0 and currency1.
    pub paid: [U256; 2],
    /// What `from` received of currency0 and currency1.
    pub received: [U256; 2],
    /// What the PoolManager's balances gained.
    pub manager_gained: [U256; 2],
    /// What the PoolManager's balances lost.
    pub manager_lost: [U256; 2],
}

/// Adds (`delta > 0`) or removes (`delta < 0`) liquidity of `key`'s pool
/// over `[lower, upper)` with `salt` through the liquidity router, from
/// `from`; returns the balance changes of `from` and of the PoolManager.
#[allow(clippy::too_many_arguments)]
pub async fn modify_liquidity(
    p: &DynProvider,
    from: Address,
    v4: &V4,
    key: &PoolKey,
    lower: i32,
    upper: i32,
    delta: I256,
    salt: B256,
) -> Moved {
    let tokens = [key.currency0, key.currency1];
    let mut before = [U256::ZERO; 4];
    for (i, t) in tokens.iter().enumerate() {
        before[i] = balance(p, *t, from).await;
        before[2 + i] = balance(p, *t, v4.manager).await;
    }
    let call = IPoolModifyLiquidityTest::modifyLiquidityCall {
        key: key.clone(),
        params: ModifyLiquidityParams {
            tickLower: tick(lower),
            tickUpper: tick(upper),
            liquidityDelta: delta,
            salt,
        },
        hookData: Bytes::new(),
    };
    transact(p, from, v4.liquidity_router, &call).await;
    let mut moved = Moved::default();
    for (i, t) in tokens.iter().enumerate() {
        let user = balance(p, *t, from).await;
        let manager = balance(p, *t, v4.manager).await;
        if user <= before[i] {
            moved.paid[i] = before[i] - user;
        } else {
            moved.received[i] = user - before[i];
        }
        if manager >= before[2 + i] {
            moved.manager_gained[i] = manager - before[2 + i];
        } else {
            moved.manager_lost[i] = before[2 + i] - manager;
        }
    }
    moved
}

/// The revert data of a failing `eth_call` of `request`; panics if the
/// call succeeds or the error carries no data.
pub async fn revert_data(p: &DynProvider, request: TransactionRequest) -> Bytes {
    let err = p.call(request).await.expect_err("the call reverts");
    err.as_error_resp()
        .and_then(|e| e.as_revert_data())
        .unwrap_or_else(|| panic!("no revert data in {err}"))
}

/// What one chain gave for the sequence of [`run_sequence`]: everything in
/// it must be equal on two chains that run the same v4 code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// After each step: the deployer's balances of currency0 and currency1
    /// and the PoolManager's.
    pub balances: Vec<[U256; 4]>,
    /// `Initialize`: sqrtPriceX96 and tick.
    pub initialize: (U160, I24),
    /// `ModifyLiquidity` data fields (tickLower, tickUpper, liquidityDelta,
    /// salt) and whether the sender is this chain's liquidity router.
    pub modify_liquidity: Vec<(I24, I24, I256, B256, bool)>,
    /// `Swap` data fields (amount0, amount1, sqrtPriceX96, liquidity, tick,
    /// fee) and whether the sender is this chain's swap router.
    pub swaps: Vec<(i128, i128, U160, u128, I24, U24, bool)>,
}

/// The swaps of the sequence: (zeroForOne, amountSpecified: negative for
/// exact input, positive for exact output).
pub fn swaps() -> Vec<(bool, I256)> {
    let e15 = I256::try_from(1_000_000_000_000_000i64).expect("fits");
    vec![
        (true, -e15),
        (false, -(e15 * I256::try_from(3).expect("fits"))),
        (true, e15 / I256::try_from(2).expect("fits")),
        (false, e15),
    ]
}

/// The `swap` call of the sequence's swap `(zero_for_one, amount)`.
pub fn swap_call(key: &PoolKey, zero_for_one: bool, amount: I256) -> IPoolSwapTest::swapCall {
    IPoolSwapTest::swapCall {
        key: key.clone(),
        params: SwapParams {
            zeroForOne: zero_for_one,
            amountSpecified: amount,
            sqrtPriceLimitX96: if zero_for_one {
                min_price_limit()
            } else {
                max_price_limit()
            },
        },
        testSettings: TestSettings {
            takeClaims: false,
            settleUsingBurn: false,
        },
        hookData: Bytes::new(),
    }
}

/// On a chain where `from` holds [`supply`] of tokens `a` and `b`: approves
/// the routers, initialises the pool at price 1, adds liquidity in two
/// ranges, swaps both ways (exact in and exact out), removes part of the
/// liquidity. Returns every balance and event field on the way.
pub async fn run_sequence(
    p: &DynProvider,
    from: Address,
    v4: &V4,
    a: Address,
    b: Address,
) -> Outcome {
    let key = pool_key(a, b);
    for token in [key.currency0, key.currency1] {
        for spender in [v4.liquidity_router, v4.swap_router] {
            transact(
                p,
                from,
                token,
                &IErc20::approveCall {
                    spender,
                    amount: U256::MAX,
                },
            )
            .await;
        }
    }
    let mut outcome = Outcome {
        balances: Vec::new(),
        initialize: (U160::ZERO, tick(0)),
        modify_liquidity: Vec::new(),
        swaps: Vec::new(),
    };
    let balances = |p: DynProvider, key: PoolKey| async move {
        let mut out = [U256::ZERO; 4];
        for (i, (token, owner)) in [
            (key.currency0, from),
            (key.currency1, from),
            (key.currency0, v4.manager),
            (key.currency1, v4.manager),
        ]
        .into_iter()
        .enumerate()
        {
            out[i] = view(&p, token, &IErc20::balanceOfCall { owner }).await;
        }
        out
    };
    outcome
        .balances
        .push(balances(p.clone(), key.clone()).await);

    let receipt = transact(
        p,
        from,
        v4.manager,
        &IPoolManager::initializeCall {
            key: key.clone(),
            sqrtPriceX96: sqrt_price_1_1(),
        },
    )
    .await;
    let init = events::<IPoolManager::Initialize>(&receipt, v4.manager);
    assert_eq!(init.len(), 1, "one Initialize event");
    outcome.initialize = (init[0].sqrtPriceX96, init[0].tick);

    let e18 = I256::try_from(1_000_000_000_000_000_000i64).expect("fits");
    let positions = [
        (tick(-120), tick(120), e18),
        (
            tick(-600),
            tick(-60),
            e18 / I256::try_from(4).expect("fits"),
        ),
        (
            tick(-120),
            tick(120),
            -(e18 / I256::try_from(2).expect("fits")),
        ),
    ];
    let mut steps: Vec<Step> = positions[..2].iter().map(|p| Step::Liquidity(*p)).collect();
    steps.extend(swaps().into_iter().map(|(z, a)| Step::Swap(z, a)));
    steps.push(Step::Liquidity(positions[2]));
    for step in steps {
        match step {
            Step::Liquidity((lower, upper, delta)) => {
                let call = IPoolModifyLiquidityTest::modifyLiquidityCall {
                    key: key.clone(),
                    params: ModifyLiquidityParams {
                        tickLower: lower,
                        tickUpper: upper,
                        liquidityDelta: delta,
                        salt: B256::ZERO,
                    },
                    hookData: Bytes::new(),
                };
                let receipt = transact(p, from, v4.liquidity_router, &call).await;
                for e in events::<IPoolManager::ModifyLiquidity>(&receipt, v4.manager) {
                    outcome.modify_liquidity.push((
                        e.tickLower,
                        e.tickUpper,
                        e.liquidityDelta,
                        e.salt,
                        e.sender == v4.liquidity_router,
                    ));
                }
            }
            Step::Swap(zero_for_one, amount) => {
                let receipt = transact(
                    p,
                    from,
                    v4.swap_router,
                    &swap_call(&key, zero_for_one, amount),
                )
                .await;
                for e in events::<IPoolManager::Swap>(&receipt, v4.manager) {
                    outcome.swaps.push((
                        e.amount0,
                        e.amount1,
                        e.sqrtPriceX96,
                        e.liquidity,
                        e.tick,
                        e.fee,
                        e.sender == v4.swap_router,
                    ));
                }
            }
        }
        outcome
            .balances
            .push(balances(p.clone(), key.clone()).await);
    }
    outcome
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Liquidity((I24, I24, I256)),
    Swap(bool, I256),
}

/// The logs of `receipt` emitted by `emitter` that decode as `E`.
pub fn events<E: SolEvent>(receipt: &TransactionReceipt, emitter: Address) -> Vec<E> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.address() == emitter && l.topics().first() == Some(&E::SIGNATURE_HASH))
        .map(|l| E::decode_log_data(l.data()).expect("a log of the event's shape"))
        .collect()
}

/// Foundry's anvil (1.7.1, its native binary: `il_devnet::foundry`) on a
/// free port with the Cancun hardfork, as Arbitrum runs it; stopped when
/// dropped (and with the test binary). Panics with the set-up hint when
/// anvil is missing.
pub fn anvil() -> Anvil {
    Anvil::spawn(&["--hardfork", "cancun"]).unwrap_or_else(|e| panic!("{e}"))
}

/// Deploys the release wasm of workspace contract `package` (built by
/// `scripts/build-contracts.sh`) through the StylusDeployer: created,
/// activated (the data fee paid from `from`, the excess refunded) and
/// constructed with `constructor_args` (ABI-encoded parameters) in one
/// transaction. Returns the program's address.
pub async fn deploy_stylus(
    p: &DynProvider,
    from: Address,
    package: &str,
    constructor_args: &[u8],
) -> Address {
    use il_devnet::engine::deployer;
    let wasm = il_devnet::artifacts::read_wasm(package).unwrap_or_else(|e| panic!("{e}"));
    let (code, _) =
        il_devnet::testing::prepared_code(&wasm).unwrap_or_else(|e| panic!("{package}: {e}"));
    let call = deployer::IStylusDeployer::deployCall {
        bytecode: il_wasm::initcode(&code).into(),
        initData: il_devnet::testing::constructor_calldata(constructor_args).into(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
    };
    let request = TransactionRequest::default()
        .with_from(from)
        .with_to(deployer::ADDRESS)
        .with_input(call.abi_encode())
        // a budget for the activation data fee; the deployer refunds the rest
        .with_value(U256::from(10_000_000_000_000_000u64));
    let receipt = send_ok(p, package, request).await;
    events::<deployer::IStylusDeployer::ContractDeployed>(&receipt, deployer::ADDRESS)
        .first()
        .map(|e| e.deployedContract)
        .unwrap_or_else(|| panic!("{package}: no ContractDeployed event"))
}

/// Deploys the Stylus `il-token` ("Stylus Token", "STY", 18 decimals, owned
/// by `from`, faucet off) and mints [`supply`] to `from`.
pub async fn deploy_stylus_token(p: &DynProvider, from: Address) -> Address {
    use alloy::sol_types::{SolType, sol_data};
    type TokenArgs = (
        sol_data::String,
        sol_data::String,
        sol_data::Uint<8>,
        sol_data::Address,
        sol_data::Uint<256>,
        sol_data::Uint<64>,
    );
    let args = TokenArgs::abi_encode_params(&(
        "Stylus Token".to_string(),
        "STY".to_string(),
        18u8,
        from,
        U256::ZERO,
        0u64,
    ));
    let token = deploy_stylus(p, from, "il-token", &args).await;
    transact(
        p,
        from,
        token,
        &IErc20::mintCall {
            to: from,
            amount: supply(),
        },
    )
    .await;
    token
}

/// Deploys v4's `TickMathTest` (the `TickMath` library behind external
/// calls).
pub async fn deploy_tick_math_test(p: &DynProvider, from: Address) -> Address {
    deploy(p, from, &artifact("TickMathTest"), &[]).await
}

/// Deploys v4's `TestERC20`, which mints [`supply`] to `from`.
pub async fn deploy_test_erc20(p: &DynProvider, from: Address) -> Address {
    deploy(p, from, &artifact("TestERC20"), &supply().abi_encode()).await
}

/// `keccak256(key ‖ slot)`: the slot of `key` in a mapping at `slot`.
fn mapping_slot(key: B256, slot: U256) -> U256 {
    let mut pre = key.to_vec();
    pre.extend_from_slice(&slot.to_be_bytes::<32>());
    U256::from_be_bytes(alloy::primitives::keccak256(&pre).0)
}

/// One word of the PoolManager's storage.
async fn word(p: &DynProvider, manager: Address, slot: U256) -> U256 {
    let slot = B256::from(slot);
    U256::from_be_bytes(
        view(p, manager, &IPoolManager::extsloadCall { slot })
            .await
            .0,
    )
}

/// The fees v4 owes the position of `owner` over `[lower, upper]` (salt 0)
/// in pool `id` now, `(fee0, fee1)`, read from the PoolManager's storage as
/// v4-core's `StateLibrary` lays it out (pool state at
/// `keccak256(id ‖ 6)`: slot0, feeGrowthGlobal0X128, feeGrowthGlobal1X128,
/// liquidity, then the `ticks` mapping at +4 and `positions` at +6) and
/// computed as `Pool.getFeeGrowthInside` and `Position.update` do:
/// `floor((inside - last) * L / 2^128)`, growth differences wrapping.
pub async fn fees_owed(
    p: &DynProvider,
    manager: Address,
    id: B256,
    owner: Address,
    lower: i32,
    upper: i32,
) -> (U256, U256) {
    let state = mapping_slot(id, U256::from(6u8));
    let slot0 = word(p, manager, state).await;
    let raw: u32 = ((slot0 >> 160usize) & U256::from(0xff_ffffu32)).to();
    let tick = ((raw << 8) as i32) >> 8;
    let global = [
        word(p, manager, state + U256::from(1u8)).await,
        word(p, manager, state + U256::from(2u8)).await,
    ];
    let tick_word = |t: i32| B256::from(I256::try_from(t).expect("a tick").into_raw());
    let lower_slot = mapping_slot(tick_word(lower), state + U256::from(4u8));
    let upper_slot = mapping_slot(tick_word(upper), state + U256::from(4u8));
    let mut packed = owner.to_vec();
    packed.extend_from_slice(&lower.to_be_bytes()[1..]);
    packed.extend_from_slice(&upper.to_be_bytes()[1..]);
    packed.extend_from_slice(&[0u8; 32]);
    let position = mapping_slot(
        alloy::primitives::keccak256(&packed),
        state + U256::from(6u8),
    );
    let liquidity = word(p, manager, position).await & U256::from(u128::MAX);
    let mut owed = [U256::ZERO; 2];
    for (i, owed) in owed.iter_mut().enumerate() {
        let k = U256::from(1 + i);
        let out_lower = word(p, manager, lower_slot + k).await;
        let out_upper = word(p, manager, upper_slot + k).await;
        let below = if tick >= lower {
            out_lower
        } else {
            global[i].wrapping_sub(out_lower)
        };
        let above = if tick < upper {
            out_upper
        } else {
            global[i].wrapping_sub(out_upper)
        };
        let inside = global[i].wrapping_sub(below).wrapping_sub(above);
        let last = word(p, manager, position + k).await;
        // v4's FullMath.mulDiv(inside - last, liquidity, Q128): 512-bit exact
        let growth = inside.wrapping_sub(last);
        let product: alloy::primitives::Uint<512, 8> = growth.widening_mul(liquidity);
        let quotient = product >> 128usize;
        *owed = U256::from_limbs_slice(&quotient.as_limbs()[..4]);
    }
    (owed[0], owed[1])
}
