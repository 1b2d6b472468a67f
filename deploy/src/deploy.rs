//! The deployer: puts the whole system on a chain from the release wasm and
//! wires it, then returns the [`Manifest`].
//!
//! Every contract goes through the StylusDeployer at its Arbitrum address
//! ([`STYLUS_DEPLOYER`]), which creates, activates (paying the data fee)
//! and runs the Stylus constructor in ONE transaction, so nobody can call a
//! constructor between creation and initialisation. The same code path
//! serves the local chain (`il-devnet`) and Arbitrum Sepolia.
//!
//! Order (each step one transaction, each simulated with `eth_call` first so
//! a refusal is reported by its named error before any gas is spent):
//!
//! 1. token0, token1 (owner: the deployer), oracle, pool (fee = the
//!    manager's lowest default tier), hedge venue (token1 collateral),
//!    engine, vault (controller: the deployer), manager (keeper role), lens;
//! 2. `vault.configure(manager, cap, false)`: control passes to the manager;
//!    `pool.setFeeManager(manager)`;
//! 3. with [`SystemConfig::seed`]: mint and add the pool's first liquidity at
//!    the oracle price, mint and fund the venue's house.
//!
//! Data fee: each deployment sends [`SystemConfig::activation_budget`] wei;
//! the StylusDeployer pays ArbWasm's data fee from it and refunds the rest in
//! the same transaction.

use std::path::Path;

use alloy::{
    network::Ethereum,
    primitives::{Address, B256, I256, U256},
    providers::Provider,
    sol_types::{SolEvent, SolType, SolValue, sol_data},
    transports::{RpcError, TransportErrorKind},
};

use crate::{
    Contracts, Manifest,
    bindings::{IHedge, IPool, IToken, IVault},
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
pub const CONTRACT_CRATES: [(&str, &str); 8] = [
    ("token", "il_token"),
    ("oracle", "il_oracle"),
    ("pool", "il_pool"),
    ("hedge", "il_hedge"),
    ("engine", "il_engine"),
    ("vault", "il_vault"),
    ("manager", "il_manager"),
    ("lens", "il_lens"),
];

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
    /// The pool's cap on its fee, pips (at most `il_math::MAX_FEE_PIPS`).
    pub max_fee_pips: u32,
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
    /// token0 raw units added to the pool; token1 follows at the oracle price.
    pub pool_amount0: U256,
    /// token1 raw units funded into the venue's house.
    pub house: U256,
}

/// The pool fee the deployment starts with: the manager's lowest default
/// tier (5 bps), so pool and manager agree from the first block.
pub const INITIAL_FEE_PIPS: u32 = 500;

impl SystemConfig {
    /// A WETH/USDC-shaped test system: tWETH (18 decimals, faucet 10 per
    /// hour) and tUSDC (6 decimals, faucet 25,000 per hour), an 8-decimal
    /// `ETH / USD` feed starting at `initial_answer`, fee cap 1 %, no deposit
    /// cap, 0.01 ETH activation budget per contract, pool seeded with 100
    /// tWETH and the house with 1,000,000 tUSDC.
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
            max_fee_pips: 10_000,
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
        if self.max_fee_pips < INITIAL_FEE_PIPS {
            return Err(DeployError::Config(format!(
                "max fee {} pips is below the initial {INITIAL_FEE_PIPS}",
                self.max_fee_pips
            )));
        }
        Ok(())
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

/// Deploys and wires the system from `deployer`, which `provider` signs for
/// (alloy wallet filler; nonce, gas and chain id filled by the provider),
/// and returns the manifest. `on_step` receives one line per step.
///
/// # Errors
/// [`DeployError`], naming the step; a failed step leaves the earlier
/// contracts deployed (the error says which step to look at).
pub async fn deploy_system<P: Provider<Ethereum>>(
    provider: &P,
    deployer: Address,
    artifacts: &Artifacts,
    config: &SystemConfig,
    mut on_step: impl FnMut(&str),
) -> Result<Manifest, DeployError> {
    config.check()?;
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
    let mut tx = Sender::new(provider, deployer);
    let code = |name: &str| {
        artifacts
            .code(name)
            .expect("Artifacts::load reads every contract crate")
    };

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
        config.activation_budget,
    )
    .await?;
    on_step(&format!("token0 {} at {token0}", config.token0.symbol));
    let token1 = deploy_one(
        &mut tx,
        &format!("deploy token1 {}", config.token1.symbol),
        code("token"),
        &token(&config.token1),
        config.activation_budget,
    )
    .await?;
    on_step(&format!("token1 {} at {token1}", config.token1.symbol));
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
        config.activation_budget,
    )
    .await?;
    on_step(&format!("oracle {} at {oracle}", config.oracle_description));
    let pool_args = (
        token0,
        token1,
        INITIAL_FEE_PIPS,
        config.max_fee_pips,
        deployer,
    )
        .abi_encode_params();
    let pool = deploy_one(
        &mut tx,
        "deploy pool",
        code("pool"),
        &pool_args,
        config.activation_budget,
    )
    .await?;
    on_step(&format!("pool at {pool}"));
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
        config.activation_budget,
    )
    .await?;
    on_step(&format!("hedge venue at {hedge}"));
    let engine = deploy_one(
        &mut tx,
        "deploy engine",
        code("engine"),
        &[],
        config.activation_budget,
    )
    .await?;
    on_step(&format!("engine at {engine}"));
    let vault_args = (token0, token1, pool, hedge, oracle, engine, deployer).abi_encode_params();
    let vault = deploy_one(
        &mut tx,
        "deploy vault",
        code("vault"),
        &vault_args,
        config.activation_budget,
    )
    .await?;
    on_step(&format!("vault at {vault}"));
    let manager_args = (vault, deployer, config.keeper).abi_encode_params();
    let manager = deploy_one(
        &mut tx,
        "deploy manager",
        code("manager"),
        &manager_args,
        config.activation_budget,
    )
    .await?;
    on_step(&format!("manager at {manager} (keeper {})", config.keeper));
    let lens = deploy_one(
        &mut tx,
        "deploy lens",
        code("lens"),
        &vault.abi_encode(),
        config.activation_budget,
    )
    .await?;
    on_step(&format!("lens at {lens}"));

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
    tx.send_call(
        "pool.setFeeManager(manager)",
        pool,
        IPool::setFeeManagerCall { manager },
    )
    .await?;
    on_step("wired: the manager controls the vault and the pool's fee");

    if let Some(seed) = config.seed {
        let amount1 = config.token1_for(seed.pool_amount0)?;
        let total1 = amount1
            .checked_add(seed.house)
            .ok_or_else(|| DeployError::Config("seed amounts overflow".into()))?;
        tx.send_call(
            "mint token0 seed",
            token0,
            IToken::mintCall {
                to: deployer,
                amount: seed.pool_amount0,
            },
        )
        .await?;
        tx.send_call(
            "mint token1 seed",
            token1,
            IToken::mintCall {
                to: deployer,
                amount: total1,
            },
        )
        .await?;
        tx.send_call(
            "approve pool token0",
            token0,
            IToken::approveCall {
                spender: pool,
                value: seed.pool_amount0,
            },
        )
        .await?;
        tx.send_call(
            "approve pool token1",
            token1,
            IToken::approveCall {
                spender: pool,
                value: amount1,
            },
        )
        .await?;
        let deadline = U256::from(u64::MAX);
        tx.send_call(
            "pool.addLiquidity(seed)",
            pool,
            IPool::addLiquidityCall {
                amount0Desired: seed.pool_amount0,
                amount1Desired: amount1,
                amount0Min: seed.pool_amount0,
                amount1Min: amount1,
                to: deployer,
                deadline,
            },
        )
        .await?;
        on_step(&format!(
            "pool seeded: {} {} + {} {}",
            crate::ops::fmt_units(seed.pool_amount0, config.token0.decimals, 4),
            config.token0.symbol,
            crate::ops::fmt_units(amount1, config.token1.decimals, 2),
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
            pool,
            hedge,
            engine,
            vault,
            manager,
            lens,
        },
    })
}

/// Deploys `code` through the StylusDeployer with constructor `args`,
/// sending `budget` wei for the activation data fee.
async fn deploy_one<P: Provider<Ethereum>>(
    tx: &mut Sender<'_, P>,
    step: &str,
    code: &[u8],
    args: &[u8],
    budget: U256,
) -> Result<Address, DeployError> {
    let call = IStylusDeployer::deployCall {
        bytecode: il_wasm::initcode(code).into(),
        initData: constructor_calldata(args).into(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
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
        c.initial_answer = U256::from(1);
        c.max_fee_pips = 100;
        assert!(
            c.check()
                .unwrap_err()
                .to_string()
                .contains("below the initial 500")
        );
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
