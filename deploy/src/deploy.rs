//! The deployer: puts the whole system on a chain from the release wasm and
//! wires it on a Uniswap v4 pool, then returns the [`Manifest`].
//!
//! Every Stylus contract goes through the StylusDeployer at its Arbitrum
//! address ([`STYLUS_DEPLOYER`]), which creates, activates (paying the data
//! fee) and runs the Stylus constructor in ONE transaction, so nobody can
//! call a constructor between creation and initialisation. The same code
//! path serves the local chain (`il-devnet`) and Arbitrum.
//!
//! Uniswap v4: on Arbitrum One and Arbitrum Sepolia the vault's pool is
//! created in the canonical `PoolManager` ([`canonical_v4`], addresses from
//! Uniswap's deployment docs); on any other chain (the local chain, a Nitro
//! dev node) the deployer first creates a `PoolManager` (owner: the
//! deployer) and v4's test routers from the npm build artifacts of
//! `@uniswap/v4-core` ([`il_wasm::artifacts::v4_core`], installed by
//! `scripts/setup.sh`).
//!
//! Order (each step one transaction, each simulated with `eth_call` first so
//! a refusal is reported by its named error before any gas is spent):
//!
//! 1. token1, then token0 at a CREATE2 address below token1's (v4 orders a
//!    pool's currencies by address and the vault's token0 must be v4's
//!    currency0), the oracle (token1 per token0);
//! 2. the v4 contracts where the chain has none;
//! 3. the hedge venue (token1 collateral), engine, planner, vault
//!    operations program, vault (controller: the deployer), then the
//!    manager at a mined CREATE2 address whose low 14 bits are zero (a v4
//!    hook with no callbacks: [`il_wasm::deployer::mine_hook_salt`]);
//! 4. wiring, in this order: `vault.setPool(manager)`,
//!    `PoolManager.initialize(key, sqrtPriceX96)` (key: token0, token1, the
//!    dynamic-fee flag, the tick spacing, the manager; the price the
//!    oracle's), `manager.applyFee()` (a dynamic fee starts at 0),
//!    `vault.configure(manager, cap, false)` (control passes to the
//!    manager), then the lens;
//! 5. with [`SystemConfig::seed`]: the deployer mints and adds the pool's
//!    first full-range liquidity at the pool's price through v4's liquidity
//!    test router, and mints and funds the venue's house.
//!
//! Data fee: each Stylus deployment sends
//! [`SystemConfig::activation_budget`] wei; the StylusDeployer pays ArbWasm's
//! data fee from it and refunds the rest in the same transaction.

use std::path::Path;

use alloy::{
    network::Ethereum,
    primitives::{
        Address, B256, Bytes, I256, U256, address,
        aliases::{I24, U24, U160},
    },
    providers::Provider,
    sol_types::{SolEvent, SolType, SolValue, sol_data},
    transports::{RpcError, TransportErrorKind},
};
use il_math::{Price, Rounding};

use crate::{
    Contracts, Manifest,
    bindings::{
        IHedge, IManager, IToken, IVault,
        v4::{IPoolManager, IPoolModifyLiquidityTest, ModifyLiquidityParams, PoolKey},
    },
    manifest::Pool,
    send::{SendError, Sender},
};

pub use il_wasm::deployer::{
    ADDRESS as STYLUS_DEPLOYER, CONSTRUCTOR_SELECTOR, IStylusDeployer, constructor_calldata,
};

/// Constructor parameters (Stylus constructors decode their arguments as a
/// Solidity parameter list). The other constructors take only addresses
/// and `uint32`s, whose Rust types encode as they are.
type TokenArgs = (
    sol_data::String,
    sol_data::String,
    sol_data::Uint<8>,
    sol_data::Address,
    sol_data::Uint<256>,
    sol_data::Uint<64>,
);
type OracleArgs = (
    sol_data::Uint<8>,
    sol_data::String,
    sol_data::Int<256>,
    sol_data::Address,
);
type HedgeArgs = (
    sol_data::Address,
    sol_data::Address,
    sol_data::Uint<8>,
    sol_data::Uint<8>,
    sol_data::Address,
);

/// The contract crates, in deployment order, with their manifest names.
pub const CONTRACT_CRATES: [(&str, &str); 10] = [
    ("token", "il_token"),
    ("oracle", "il_oracle"),
    ("hedge", "il_hedge"),
    ("engine", "il_engine"),
    ("planner", "il_planner"),
    ("vault_ops", "il_vault_ops"),
    ("vault", "il_vault"),
    ("manager_ops", "il_manager_ops"),
    ("manager", "il_manager"),
    ("lens", "il_lens"),
];

/// Arbitrum One's chain id.
pub const ARBITRUM_ONE: u64 = 42_161;
/// Arbitrum Sepolia's chain id.
pub const ARBITRUM_SEPOLIA: u64 = 421_614;

/// Where Uniswap's deployment docs list the v4 contracts of every chain
/// (the addresses of [`canonical_v4`] come from this page, as of
/// Uniswap/docs `docs/contracts/v4/deployments.mdx`).
pub const V4_DEPLOYMENTS_URL: &str = "https://docs.uniswap.org/contracts/v4/deployments";

/// Uniswap v4 on a chain: the `PoolManager` and the test routers the
/// deployer and the demo's trader use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V4Contracts {
    /// The `PoolManager`.
    pub pool_manager: Address,
    /// v4's `PoolSwapTest` (swaps for a wallet), if the chain has one.
    pub swap_router: Option<Address>,
    /// v4's `PoolModifyLiquidityTest` (the deployer seeds the pool with
    /// it), if the chain has one.
    pub liquidity_router: Option<Address>,
}

/// The canonical Uniswap v4 deployment of `chain_id`, from Uniswap's
/// deployment docs ([`V4_DEPLOYMENTS_URL`]); `None` for a chain where the
/// deployer creates its own (the local chain).
///
/// - Arbitrum One (42161): `PoolManager`
///   `0x360e68faccca8ca495c1b759fd9eee466db9fb32`; no test routers.
/// - Arbitrum Sepolia (421614): `PoolManager`
///   `0xFB3e0C6F74eB1a21CC1Da29aeC80D2Dfe6C9a317`, `PoolSwapTest`
///   `0xf3a39c86dbd13c45365e57fb90fe413371f65af8`,
///   `PoolModifyLiquidityTest` `0x9a8ca723f5dccb7926d00b71dec55c2fea1f50f7`.
#[must_use]
pub const fn canonical_v4(chain_id: u64) -> Option<V4Contracts> {
    match chain_id {
        ARBITRUM_ONE => Some(V4Contracts {
            pool_manager: address!("0x360e68faccca8ca495c1b759fd9eee466db9fb32"),
            swap_router: None,
            liquidity_router: None,
        }),
        ARBITRUM_SEPOLIA => Some(V4Contracts {
            pool_manager: address!("0xFB3e0C6F74eB1a21CC1Da29aeC80D2Dfe6C9a317"),
            swap_router: Some(address!("0xf3a39c86dbd13c45365e57fb90fe413371f65af8")),
            liquidity_router: Some(address!("0x9a8ca723f5dccb7926d00b71dec55c2fea1f50f7")),
        }),
        _ => None,
    }
}

/// v4's `LPFeeLibrary.DYNAMIC_FEE_FLAG`: the pool key's fee when the hook
/// sets the LP fee.
pub const DYNAMIC_FEE_FLAG: u32 = 0x80_0000;

/// How many CREATE2 salts the deployer tries for the manager's hook
/// address (one in 16,384 has the 14 low bits zero: running out of 2^24
/// tries has probability about e^-1024).
pub const MAX_HOOK_SALT_TRIES: u64 = 1 << 24;

/// Why a deployment stopped. Every variant names the step.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// A release wasm is missing or unreadable.
    #[error("{0}")]
    Artifact(#[from] il_wasm::artifacts::MissingWasm),
    /// A wasm could not be made activation-ready.
    #[error("{contract}: {source}")]
    Wasm {
        /// Which contract.
        contract: &'static str,
        /// The preparation error.
        source: il_wasm::WasmError,
    },
    /// The prepared code exceeds Stylus's 24 KiB compressed limit.
    #[error("{contract}: {bytes} bytes of compressed code, over the {limit}-byte Stylus limit")]
    TooLarge {
        /// Which contract.
        contract: &'static str,
        /// Its code size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A v4-core build artifact (the local chain's PoolManager and routers)
    /// is missing or unreadable.
    #[error("{0}")]
    V4Artifact(#[from] il_wasm::artifacts::MissingArtifact),
    /// The canonical PoolManager of the chain has no code.
    #[error(
        "chain {chain_id} has no code at its canonical Uniswap v4 PoolManager {address} ({V4_DEPLOYMENTS_URL})"
    )]
    NoPoolManager {
        /// The chain's id.
        chain_id: u64,
        /// The address looked at.
        address: Address,
    },
    /// No CREATE2 salt within [`MAX_HOOK_SALT_TRIES`] gives the manager a
    /// hook address (low 14 bits zero) that is still free.
    #[error("no free hook address for the manager within {tries} CREATE2 salts")]
    HookSalt {
        /// Salts tried.
        tries: u64,
    },
    /// The chain has no StylusDeployer at [`STYLUS_DEPLOYER`].
    #[error(
        "chain {chain_id} has no StylusDeployer at {STYLUS_DEPLOYER}: is it an Arbitrum (Stylus) chain?"
    )]
    NoStylusDeployer {
        /// The chain's id.
        chain_id: u64,
    },
    /// The deployer account cannot pay.
    #[error(
        "{deployer} holds {balance} wei; the deployment needs at least {needed} wei (activation budget plus gas)"
    )]
    InsufficientFunds {
        /// The deployer.
        deployer: Address,
        /// Its balance.
        balance: U256,
        /// The estimate.
        needed: U256,
    },
    /// A deployment's receipt has no `ContractDeployed` event.
    #[error("{step}: no ContractDeployed event in transaction {tx}")]
    NoAddress {
        /// The step.
        step: String,
        /// Its hash.
        tx: B256,
    },
    /// A step's transaction was refused, failed, or the RPC failed.
    #[error(transparent)]
    Send(#[from] SendError),
    /// Reading the chain failed.
    #[error("{step}: {message}")]
    Rpc {
        /// The step.
        step: String,
        /// The error.
        message: String,
    },
    /// The configuration cannot work.
    #[error("invalid deployment configuration: {0}")]
    Config(String),
}

/// Metadata and faucet of a test token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSpec {
    /// ERC-20 name (at most 31 bytes).
    pub name: String,
    /// ERC-20 symbol (at most 31 bytes).
    pub symbol: String,
    /// Decimals.
    pub decimals: u8,
    /// Raw units the faucet gives per call (0: faucet off).
    pub faucet_amount: U256,
    /// Seconds between two faucet calls of one account.
    pub faucet_cooldown: u64,
}

/// What to deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemConfig {
    /// The keeper role (the address `il-keeper` signs with).
    pub keeper: Address,
    /// token0: the volatile asset.
    pub token0: TokenSpec,
    /// token1: the numeraire (and the hedge venue's collateral).
    pub token1: TokenSpec,
    /// Oracle decimals (Chainlink USD feeds: 8).
    pub oracle_decimals: u8,
    /// Oracle description (at most 31 bytes).
    pub oracle_description: String,
    /// The oracle's first answer: token1 per token0 in whole units, scaled
    /// by `10^oracle_decimals` (ETH at $1,850.25 with 8 decimals:
    /// 185_025_000_000).
    pub initial_answer: U256,
    /// The v4 pool's tick spacing (1..=32767; the vault's full range is
    /// its usable extremes).
    pub tick_spacing: u32,
    /// The vault's deposit cap (token1 raw value; 0: none).
    pub deposit_cap: U256,
    /// Wei sent with each deployment for the activation data fee; the
    /// excess comes back in the same transaction.
    pub activation_budget: U256,
    /// First liquidity and house funds (test tokens only: the deployer mints
    /// them). `None` on a chain where the owner provides liquidity later.
    pub seed: Option<Seed>,
}

/// First liquidity of the pool and the hedge venue's house.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed {
    /// token0 raw units the deployer adds to the pool over the full range
    /// (its own position, through v4's liquidity test router); token1
    /// follows at the oracle price.
    pub pool_amount0: U256,
    /// token1 raw units funded into the venue's house.
    pub house: U256,
}

/// The LP fee the pool charges once deployed: the manager's lowest default
/// tier (5 bps), which `manager.applyFee()` sets right after the pool's
/// `initialize` (a dynamic fee starts at 0).
pub const INITIAL_FEE_PIPS: u32 = 500;

/// The tick spacing of [`SystemConfig::test_tokens`] (v4's usual spacing
/// for a 0.3 % pool).
pub const DEFAULT_TICK_SPACING: u32 = 60;

impl SystemConfig {
    /// A WETH/USDC-shaped test system: tWETH (18 decimals, faucet 10 per
    /// hour) and tUSDC (6 decimals, faucet 25,000 per hour), an 8-decimal
    /// `ETH / USD` feed starting at `initial_answer`, tick spacing 60, no
    /// deposit cap, 0.01 ETH activation budget per contract, pool seeded
    /// with 100 tWETH and the house with 1,000,000 tUSDC.
    pub fn test_tokens(keeper: Address, initial_answer: U256) -> Self {
        let unit = |decimals: u8| U256::from(10u64).pow(U256::from(decimals));
        Self {
            keeper,
            token0: TokenSpec {
                name: "Test Wrapped Ether".into(),
                symbol: "tWETH".into(),
                decimals: 18,
                faucet_amount: U256::from(10u64) * unit(18),
                faucet_cooldown: 3_600,
            },
            token1: TokenSpec {
                name: "Test USD Coin".into(),
                symbol: "tUSDC".into(),
                decimals: 6,
                faucet_amount: U256::from(25_000u64) * unit(6),
                faucet_cooldown: 3_600,
            },
            oracle_decimals: 8,
            oracle_description: "ETH / USD".into(),
            initial_answer,
            tick_spacing: DEFAULT_TICK_SPACING,
            deposit_cap: U256::ZERO,
            activation_budget: U256::from(10_000_000_000_000_000u64),
            seed: Some(Seed {
                pool_amount0: U256::from(100u64) * unit(18),
                house: U256::from(1_000_000u64) * unit(6),
            }),
        }
    }

    /// token1 raw units worth `amount0` token0 raw units at the initial
    /// answer, rounded down:
    /// `amount0 * answer * 10^d1 / (10^oracle_decimals * 10^d0)`.
    ///
    /// # Errors
    /// [`DeployError::Config`] on overflow or a zero result.
    pub fn token1_for(&self, amount0: U256) -> Result<U256, DeployError> {
        let pow = |d: u8| U256::from(10u64).pow(U256::from(d));
        let overflow = || DeployError::Config("seed amounts overflow 256 bits".into());
        let num = amount0
            .checked_mul(self.initial_answer)
            .and_then(|x| x.checked_mul(pow(self.token1.decimals)))
            .ok_or_else(overflow)?;
        let den = pow(self.oracle_decimals)
            .checked_mul(pow(self.token0.decimals))
            .ok_or_else(overflow)?;
        let out = num / den;
        if out.is_zero() {
            return Err(DeployError::Config(format!(
                "{amount0} raw token0 is worth 0 raw token1 at answer {}",
                self.initial_answer
            )));
        }
        Ok(out)
    }

    fn check(&self) -> Result<(), DeployError> {
        if self.keeper.is_zero() {
            return Err(DeployError::Config("the keeper address is zero".into()));
        }
        if self.initial_answer.is_zero() || self.initial_answer > U256::from(i128::MAX as u128) {
            return Err(DeployError::Config(format!(
                "initial oracle answer {} is not in 1..=2^127-1",
                self.initial_answer
            )));
        }
        if !(1..=32_767).contains(&self.tick_spacing) {
            return Err(DeployError::Config(format!(
                "tick spacing {} is not in 1..=32767",
                self.tick_spacing
            )));
        }
        for (name, spec) in [("token0", &self.token0), ("token1", &self.token1)] {
            if spec.decimals > il_math::MAX_DECIMALS {
                return Err(DeployError::Config(format!(
                    "{name} {} has {} decimals, over {}",
                    spec.symbol,
                    spec.decimals,
                    il_math::MAX_DECIMALS
                )));
            }
        }
        self.sqrt_price()?;
        Ok(())
    }

    /// The pool's first sqrt price: the oracle's first answer as a
    /// `sqrtPriceX96` (token1 raw per token0 raw), rounded down.
    ///
    /// # Errors
    /// [`DeployError::Config`] when the answer has no price in v4's range.
    pub fn sqrt_price(&self) -> Result<U256, DeployError> {
        let bad = |why: String| {
            DeployError::Config(format!(
                "initial oracle answer {} is not a v4 price: {why}",
                self.initial_answer
            ))
        };
        let answer = I256::try_from(self.initial_answer).map_err(|e| bad(e.to_string()))?;
        let price = Price::from_oracle(
            answer,
            self.oracle_decimals,
            self.token0.decimals,
            self.token1.decimals,
        )
        .map_err(|e| bad(e.to_string()))?;
        let sqrt = price.sqrt_price_x96(Rounding::Floor);
        il_math::tick_at_sqrt_price(sqrt).map_err(|e| bad(e.to_string()))?;
        Ok(sqrt)
    }
}

/// Release wasm of every contract, made activation-ready.
#[derive(Debug, Clone)]
pub struct Artifacts {
    codes: Vec<(&'static str, Vec<u8>)>,
}

impl Artifacts {
    /// Reads and prepares every contract's release wasm from `dir`, or from
    /// the default search path (`$IL_WASM_DIR`, `$CARGO_TARGET_DIR/...`,
    /// `target/wasm32-unknown-unknown/release`) when `dir` is `None`.
    ///
    /// # Errors
    /// [`DeployError::Artifact`] (its message names
    /// `scripts/build-contracts.sh`), [`DeployError::Wasm`],
    /// [`DeployError::TooLarge`].
    pub fn load(dir: Option<&Path>) -> Result<Self, DeployError> {
        let mut codes = Vec::with_capacity(CONTRACT_CRATES.len());
        for (name, krate) in CONTRACT_CRATES {
            let raw = match dir {
                Some(dir) => il_wasm::artifacts::read_wasm_in(dir, krate)?,
                None => il_wasm::artifacts::read_wasm(krate)?,
            };
            let wasm = il_wasm::prepare(&raw).map_err(|source| DeployError::Wasm {
                contract: name,
                source,
            })?;
            let code = il_wasm::contract_code(&wasm);
            if code.len() > il_wasm::MAX_CODE_SIZE {
                return Err(DeployError::TooLarge {
                    contract: name,
                    bytes: code.len(),
                    limit: il_wasm::MAX_CODE_SIZE,
                });
            }
            codes.push((name, code));
        }
        Ok(Self { codes })
    }

    /// The account code (Stylus header + compressed wasm) of `contract`.
    pub fn code(&self, contract: &str) -> Option<&[u8]> {
        self.codes
            .iter()
            .find(|(n, _)| *n == contract)
            .map(|(_, c)| c.as_slice())
    }
}

/// The v4-core creation codes the deployer needs where the chain has no
/// v4 (read before the first transaction: a missing `node_modules` stops
/// the deployment before anything is sent).
struct LocalV4Code {
    pool_manager: Vec<u8>,
    swap_router: Vec<u8>,
    liquidity_router: Vec<u8>,
}

impl LocalV4Code {
    fn load() -> Result<Self, DeployError> {
        Ok(Self {
            pool_manager: il_wasm::artifacts::v4_core("PoolManager")?,
            swap_router: il_wasm::artifacts::v4_core("PoolSwapTest")?,
            liquidity_router: il_wasm::artifacts::v4_core("PoolModifyLiquidityTest")?,
        })
    }
}

/// `code ‖ abi.encode(arg)`: EVM creation code with one address argument.
fn with_address_arg(code: &[u8], arg: Address) -> Vec<u8> {
    let mut initcode = code.to_vec();
    initcode.extend_from_slice(&arg.abi_encode());
    initcode
}

/// Deploys and wires the system from `deployer`, which `provider` signs for
/// (alloy wallet filler; nonce, gas and chain id filled by the provider),
/// and returns the manifest. `on_step` receives one line per step.
///
/// # Errors
/// [`DeployError`], naming the step; a failed step leaves the earlier
/// contracts deployed (the error says which step to look at). Everything
/// that can be checked without sending (configuration, StylusDeployer,
/// PoolManager or its artifacts, balance) is checked before the first
/// transaction.
#[allow(clippy::too_many_lines)]
pub async fn deploy_system<P: Provider<Ethereum>>(
    provider: &P,
    deployer: Address,
    artifacts: &Artifacts,
    config: &SystemConfig,
    mut on_step: impl FnMut(&str),
) -> Result<Manifest, DeployError> {
    config.check()?;
    let sqrt_price = config.sqrt_price()?;
    let spacing = i32::try_from(config.tick_spacing).expect("checked: at most 32767");
    let (tick_lower, tick_upper) =
        il_math::v4::full_range_ticks(spacing).expect("checked: a valid tick spacing");
    let rpc = |step: &str| {
        let step = step.to_owned();
        move |e: RpcError<TransportErrorKind>| DeployError::Rpc {
            step,
            message: e.to_string(),
        }
    };
    let chain_id = provider.get_chain_id().await.map_err(rpc("eth_chainId"))?;
    let code = provider
        .get_code_at(STYLUS_DEPLOYER)
        .await
        .map_err(rpc("eth_getCode"))?;
    if code.is_empty() {
        return Err(DeployError::NoStylusDeployer { chain_id });
    }
    let canonical = canonical_v4(chain_id);
    let local_v4 = match canonical {
        Some(v4) => {
            let code = provider
                .get_code_at(v4.pool_manager)
                .await
                .map_err(rpc("eth_getCode PoolManager"))?;
            if code.is_empty() {
                return Err(DeployError::NoPoolManager {
                    chain_id,
                    address: v4.pool_manager,
                });
            }
            if config.seed.is_some() && v4.liquidity_router.is_none() {
                return Err(DeployError::Config(format!(
                    "chain {chain_id} has no v4 liquidity test router to seed the pool with: deploy without a seed"
                )));
            }
            None
        }
        None => Some(LocalV4Code::load()?),
    };
    let balance = provider
        .get_balance(deployer)
        .await
        .map_err(rpc("eth_getBalance"))?;
    let needed = config
        .activation_budget
        .saturating_add(U256::from(10_000_000_000_000_000u64));
    if balance < needed {
        return Err(DeployError::InsufficientFunds {
            deployer,
            balance,
            needed,
        });
    }
    // salts of this deployment's CREATE2 addresses start from the
    // deployer's nonce: a second deployment by the same account (same
    // token constructor arguments) mines other addresses
    let nonce = provider
        .get_transaction_count(deployer)
        .await
        .map_err(rpc("eth_getTransactionCount"))?;
    let mut tx = Sender::new(provider, deployer);
    let code = |name: &str| {
        artifacts
            .code(name)
            .expect("Artifacts::load reads every contract crate")
    };
    let budget = config.activation_budget;

    // 1. tokens (token0 below token1) and oracle
    let token = |spec: &TokenSpec| {
        TokenArgs::abi_encode_params(&(
            spec.name.clone(),
            spec.symbol.clone(),
            spec.decimals,
            deployer,
            spec.faucet_amount,
            spec.faucet_cooldown,
        ))
    };
    let token0 = deploy_one(
        &mut tx,
        &format!("deploy token0 {}", config.token0.symbol),
        code("token"),
        &token(&config.token0),
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("token0 {} at {token0}", config.token0.symbol));
    let init1 = constructor_calldata(&token(&config.token1));
    let initcode = il_wasm::initcode(code("token"));
    let salt1 = free_create2_above(provider, token0, &init1, &initcode, nonce).await?;
    let token1 = deploy_one(
        &mut tx,
        &format!("deploy token1 {}", config.token1.symbol),
        code("token"),
        &token(&config.token1),
        salt1,
        budget,
    )
    .await?;
    on_step(&format!(
        "token1 {} at {token1} (CREATE2: above token0, v4's currency order)",
        config.token1.symbol
    ));
    let answer =
        I256::try_from(config.initial_answer).map_err(|e| DeployError::Config(e.to_string()))?;
    let oracle_args = OracleArgs::abi_encode_params(&(
        config.oracle_decimals,
        config.oracle_description.clone(),
        answer,
        deployer,
    ));
    let oracle = deploy_one(
        &mut tx,
        "deploy oracle",
        code("oracle"),
        &oracle_args,
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("oracle {} at {oracle}", config.oracle_description));

    // 2. Uniswap v4
    let v4 = match (canonical, &local_v4) {
        (Some(v4), _) => {
            on_step(&format!(
                "Uniswap v4 PoolManager at {} (canonical on chain {chain_id}: {V4_DEPLOYMENTS_URL})",
                v4.pool_manager
            ));
            v4
        }
        (None, Some(local)) => {
            let (pool_manager, _) = tx
                .create(
                    "deploy v4 PoolManager",
                    with_address_arg(&local.pool_manager, deployer),
                )
                .await?;
            let (swap_router, _) = tx
                .create(
                    "deploy v4 PoolSwapTest",
                    with_address_arg(&local.swap_router, pool_manager),
                )
                .await?;
            let liquidity_router = if config.seed.is_some() {
                let (router, _) = tx
                    .create(
                        "deploy v4 PoolModifyLiquidityTest",
                        with_address_arg(&local.liquidity_router, pool_manager),
                    )
                    .await?;
                Some(router)
            } else {
                None
            };
            on_step(&format!(
                "Uniswap v4 PoolManager at {pool_manager} (v4-core {} from npm), swap router at {swap_router}",
                il_wasm::artifacts::V4_CORE_VERSION
            ));
            V4Contracts {
                pool_manager,
                swap_router: Some(swap_router),
                liquidity_router,
            }
        }
        (None, None) => unreachable!("the local v4 code is loaded when the chain has none"),
    };
    let pool_manager = v4.pool_manager;

    // 3. the vault system
    let hedge_args = HedgeArgs::abi_encode_params(&(
        token1,
        oracle,
        config.token0.decimals,
        config.token1.decimals,
        deployer,
    ));
    let hedge = deploy_one(
        &mut tx,
        "deploy hedge venue",
        code("hedge"),
        &hedge_args,
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("hedge venue at {hedge}"));
    let engine = deploy_one(
        &mut tx,
        "deploy engine",
        code("engine"),
        &[],
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("engine at {engine}"));
    let planner = deploy_one(
        &mut tx,
        "deploy planner",
        code("planner"),
        &[],
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("planner at {planner}"));
    let vault_ops = deploy_one(
        &mut tx,
        "deploy vault operations",
        code("vault_ops"),
        &[],
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("vault operations at {vault_ops}"));
    let vault_args = (
        token0,
        token1,
        pool_manager,
        hedge,
        oracle,
        engine,
        vault_ops,
        deployer,
        config.tick_spacing,
    )
        .abi_encode_params();
    let vault = deploy_one(
        &mut tx,
        "deploy vault",
        code("vault"),
        &vault_args,
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("vault at {vault}"));
    let manager_ops = deploy_one(
        &mut tx,
        "deploy manager operations",
        code("manager_ops"),
        &[],
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("manager operations at {manager_ops}"));
    let manager_args = (vault, planner, manager_ops, deployer, config.keeper).abi_encode_params();
    let manager_init = constructor_calldata(&manager_args);
    let manager_code = il_wasm::initcode(code("manager"));
    let (hook_salt, hook) =
        il_wasm::deployer::mine_hook_salt(&manager_init, &manager_code, 0, MAX_HOOK_SALT_TRIES)
            .ok_or(DeployError::HookSalt {
                tries: MAX_HOOK_SALT_TRIES,
            })?;
    if !provider
        .get_code_at(hook)
        .await
        .map_err(rpc("eth_getCode hook"))?
        .is_empty()
    {
        return Err(DeployError::HookSalt {
            tries: MAX_HOOK_SALT_TRIES,
        });
    }
    let manager = deploy_one(
        &mut tx,
        "deploy manager",
        code("manager"),
        &manager_args,
        hook_salt,
        budget,
    )
    .await?;
    on_step(&format!(
        "manager at {manager} (keeper {}; the pool's hook: CREATE2 salt {hook_salt}, low 14 bits zero)",
        config.keeper
    ));

    // 4. wiring
    tx.send_call(
        "vault.setPool(manager)",
        vault,
        IVault::setPoolCall { hooks: manager },
    )
    .await?;
    let key = PoolKey {
        currency0: token0,
        currency1: token1,
        fee: U24::from(DYNAMIC_FEE_FLAG),
        tickSpacing: I24::try_from(spacing).expect("checked: at most 32767"),
        hooks: manager,
    };
    tx.send_call(
        "PoolManager.initialize(key, oracle price)",
        pool_manager,
        IPoolManager::initializeCall {
            key: key.clone(),
            sqrtPriceX96: sqrt_price.to::<U160>(),
        },
    )
    .await?;
    tx.send_call("manager.applyFee()", manager, IManager::applyFeeCall {})
        .await?;
    tx.send_call(
        "vault.configure(manager)",
        vault,
        IVault::configureCall {
            controller: manager,
            depositCap: config.deposit_cap,
            paused: false,
        },
    )
    .await?;
    let pool = Pool::from_key(&key);
    on_step(&format!(
        "wired: pool {} initialised at the oracle price (sqrtPriceX96 {sqrt_price}), LP fee {INITIAL_FEE_PIPS} pips, the manager controls the vault",
        pool.id
    ));
    let lens = deploy_one(
        &mut tx,
        "deploy lens",
        code("lens"),
        &(vault, planner).abi_encode_params(),
        B256::ZERO,
        budget,
    )
    .await?;
    on_step(&format!("lens at {lens}"));

    // 5. seed
    if let Some(seed) = config.seed {
        let router = v4
            .liquidity_router
            .expect("checked: a seeded chain has a liquidity router");
        let state = il_math::vault::PoolState {
            sqrt_price,
            tick_lower,
            tick_upper,
        };
        let math = |e: il_math::MathError| DeployError::Config(format!("seed liquidity: {e}"));
        let amount1 = config.token1_for(seed.pool_amount0)?;
        let liquidity =
            il_math::vault::liquidity_for(&state, seed.pool_amount0, amount1).map_err(math)?;
        let (need0, need1) = il_math::vault::add_amounts(&state, liquidity).map_err(math)?;
        let total1 = need1
            .checked_add(seed.house)
            .ok_or_else(|| DeployError::Config("seed amounts overflow".into()))?;
        for (step, token, amount) in [
            ("mint token0 seed", token0, need0),
            ("mint token1 seed", token1, total1),
        ] {
            tx.send_call(
                step,
                token,
                IToken::mintCall {
                    to: deployer,
                    amount,
                },
            )
            .await?;
        }
        for (step, token, value) in [
            ("approve liquidity router token0", token0, need0),
            ("approve liquidity router token1", token1, need1),
        ] {
            tx.send_call(
                step,
                token,
                IToken::approveCall {
                    spender: router,
                    value,
                },
            )
            .await?;
        }
        tx.send_call(
            "seed the pool (full range)",
            router,
            IPoolModifyLiquidityTest::modifyLiquidityCall {
                key: key.clone(),
                params: ModifyLiquidityParams {
                    tickLower: I24::try_from(tick_lower).expect("a usable tick fits int24"),
                    tickUpper: I24::try_from(tick_upper).expect("a usable tick fits int24"),
                    liquidityDelta: I256::from_raw(liquidity),
                    salt: B256::ZERO,
                },
                hookData: Bytes::new(),
            },
        )
        .await?;
        on_step(&format!(
            "pool seeded over the full range: {} {} + {} {} (liquidity {liquidity})",
            crate::ops::fmt_units(need0, config.token0.decimals, 4),
            config.token0.symbol,
            crate::ops::fmt_units(need1, config.token1.decimals, 2),
            config.token1.symbol
        ));
        if !seed.house.is_zero() {
            tx.send_call(
                "approve hedge venue",
                token1,
                IToken::approveCall {
                    spender: hedge,
                    value: seed.house,
                },
            )
            .await?;
            tx.send_call(
                "hedge.fund(house)",
                hedge,
                IHedge::fundCall { amount: seed.house },
            )
            .await?;
            on_step(&format!(
                "hedge venue house funded: {} {}",
                crate::ops::fmt_units(seed.house, config.token1.decimals, 2),
                config.token1.symbol
            ));
        }
    }

    Ok(Manifest {
        chain_id,
        block: tx.last_block(),
        deployer,
        keeper: config.keeper,
        contracts: Contracts {
            token0,
            token1,
            oracle,
            pool_manager,
            swap_router: v4.swap_router,
            hedge,
            engine,
            planner,
            vault,
            vault_ops,
            manager,
            manager_ops,
            lens,
        },
        pool,
    })
}

/// How many CREATE2 salts [`free_create2_above`] tries.
const MAX_ORDER_SALT_TRIES: u64 = 1 << 20;

/// The salt `(base << 64) | i` of the `i`-th CREATE2 try of a deployment.
fn salt_of(base: u64, i: u64) -> B256 {
    B256::from((U256::from(base) << 64) | U256::from(i))
}

/// The first salt (counting from `(nonce << 64) + 1`) whose StylusDeployer
/// CREATE2 address for `init_data`/`initcode` is above `floor` and holds no
/// code yet.
async fn free_create2_above<P: Provider<Ethereum>>(
    provider: &P,
    floor: Address,
    init_data: &[u8],
    initcode: &[u8],
    nonce: u64,
) -> Result<B256, DeployError> {
    let code_hash = alloy::primitives::keccak256(initcode);
    for i in 1..=MAX_ORDER_SALT_TRIES {
        let salt = salt_of(nonce, i);
        let address =
            STYLUS_DEPLOYER.create2(il_wasm::deployer::init_salt(salt, init_data), code_hash);
        if address <= floor {
            continue;
        }
        let code = provider
            .get_code_at(address)
            .await
            .map_err(|e| DeployError::Rpc {
                step: "eth_getCode token1".into(),
                message: e.to_string(),
            })?;
        if code.is_empty() {
            return Ok(salt);
        }
    }
    Err(DeployError::Config(format!(
        "no free token1 address above token0 {floor} within {MAX_ORDER_SALT_TRIES} CREATE2 salts"
    )))
}

/// Deploys `code` through the StylusDeployer with constructor `args`
/// (CREATE with a zero `salt`, else CREATE2), sending `budget` wei for the
/// activation data fee.
async fn deploy_one<P: Provider<Ethereum>>(
    tx: &mut Sender<'_, P>,
    step: &str,
    code: &[u8],
    args: &[u8],
    salt: B256,
    budget: U256,
) -> Result<Address, DeployError> {
    let call = IStylusDeployer::deployCall {
        bytecode: il_wasm::initcode(code).into(),
        initData: constructor_calldata(args).into(),
        initValue: U256::ZERO,
        salt,
    };
    let receipt = tx
        .send_call_value(step, STYLUS_DEPLOYER, call, budget)
        .await?;
    receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.address() == STYLUS_DEPLOYER)
        .find_map(|l| IStylusDeployer::ContractDeployed::decode_log_data(l.data()).ok())
        .map(|e| e.deployedContract)
        .ok_or(DeployError::NoAddress {
            step: step.to_owned(),
            tx: receipt.transaction_hash,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token1_for_converts_at_the_oracle_answer() {
        let c = SystemConfig::test_tokens(Address::repeat_byte(1), U256::from(185_025_000_000u64));
        // 1 tWETH (1e18 raw) at $1,850.25 = 1,850.25 tUSDC = 1_850_250_000 raw.
        assert_eq!(
            c.token1_for(U256::from(10u64).pow(U256::from(18))).unwrap(),
            U256::from(1_850_250_000u64)
        );
        // 1 wei of token0 is worth nothing in 6-decimal token1.
        assert!(matches!(
            c.token1_for(U256::from(1)),
            Err(DeployError::Config(_))
        ));
    }

    #[test]
    fn config_check_names_the_problem() {
        let mut c = SystemConfig::test_tokens(Address::ZERO, U256::from(1));
        assert!(
            c.check()
                .unwrap_err()
                .to_string()
                .contains("keeper address is zero")
        );
        c.keeper = Address::repeat_byte(1);
        c.initial_answer = U256::ZERO;
        assert!(
            c.check()
                .unwrap_err()
                .to_string()
                .contains("initial oracle answer 0")
        );
        c.initial_answer = U256::from(185_025_000_000u64);
        c.tick_spacing = 0;
        assert!(
            c.check()
                .unwrap_err()
                .to_string()
                .contains("tick spacing 0 is not in 1..=32767")
        );
        c.tick_spacing = 60;
        c.check().unwrap();
        // a price above v4's highest (about 3.4e38 raw per raw): $1e10 per
        // whole token0 of 0 decimals, in a token1 of 36 decimals
        c.token0.decimals = 0;
        c.token1.decimals = 36;
        c.initial_answer = U256::from(10u64).pow(U256::from(18));
        assert!(
            c.check().unwrap_err().to_string().starts_with(
                "invalid deployment configuration: initial oracle answer 1000000000000000000 is not a v4 price"
            ),
            "{}",
            c.check().unwrap_err()
        );
    }

    #[test]
    fn the_first_sqrt_price_is_the_oracles() {
        let c = SystemConfig::test_tokens(Address::repeat_byte(1), U256::from(185_025_000_000u64));
        let s = c.sqrt_price().unwrap();
        // P = 1850.25e6 / 1e18 raw per raw: sqrt(P) * 2^96 ~ 3.408e24
        let p = (s.to::<u128>() as f64 / 2f64.powi(96)).powi(2);
        assert!((p / 1.85025e-9 - 1.0).abs() < 1e-12, "{p}");
    }

    #[test]
    fn canonical_v4_is_known_on_arbitrum_only() {
        let one = canonical_v4(ARBITRUM_ONE).unwrap();
        assert_eq!(
            one.pool_manager.to_string().to_lowercase(),
            "0x360e68faccca8ca495c1b759fd9eee466db9fb32"
        );
        assert_eq!((one.swap_router, one.liquidity_router), (None, None));
        let sepolia = canonical_v4(ARBITRUM_SEPOLIA).unwrap();
        assert_eq!(
            sepolia.pool_manager.to_string(),
            "0xFB3e0C6F74eB1a21CC1Da29aeC80D2Dfe6C9a317"
        );
        assert!(sepolia.swap_router.is_some() && sepolia.liquidity_router.is_some());
        assert_eq!(canonical_v4(412_346), None);
    }

    #[test]
    fn create2_salts_of_a_deployment_are_distinct_from_the_next_ones() {
        assert_ne!(salt_of(7, 1), salt_of(8, 1));
        assert_ne!(salt_of(7, 1), B256::ZERO);
        assert_eq!(salt_of(0, 5), B256::with_last_byte(5));
    }

    #[test]
    fn describe_revert_unwraps_constructor_errors() {
        use crate::send::describe_revert;
        use alloy::sol_types::SolError;
        let inner = crate::bindings::IManager::ManagerInvalidAddress {
            account: Address::ZERO,
        }
        .abi_encode();
        let outer = IStylusDeployer::ContractInitializationError {
            newContract: Address::repeat_byte(2),
            data: inner.into(),
        }
        .abi_encode();
        let text = describe_revert(&outer);
        assert!(text.contains("ManagerInvalidAddress"), "{text}");
        assert!(
            text.starts_with("ContractInitializationError(constructor of 0x0202"),
            "{text}"
        );
        assert_eq!(describe_revert(&[0xab]), "0xab");
    }
}
