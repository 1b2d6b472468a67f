//! The keeper's TOML configuration.
//!
//! Precedence, highest first: command-line flag > environment variable
//! (`IL_...`, both handled by clap on [`ChainArgs`]) > the file
//! (`--config`, default `keeper.toml`) > built-in defaults. Every section is
//! optional; unknown keys are errors (a typo must not silently fall back to a
//! default), and each validation error names the offending key.
//!
//! ```toml
//! [chain]
//! rpc_url = "http://127.0.0.1:8547"
//! chain_id = 412346
//! [contracts]
//! manifest = "deployments/local.json"   # or vault/manager/lens/... = "0x..."
//! [keeper]
//! key_env = "IL_KEEPER_KEY"             # or keystore = "...", key_file = "..."
//! max_tx_per_run = 3
//! gas_price_cap_gwei = 1.0
//! confirmations = 1
//! state = "il-keeper.db"
//! [volatility]
//! estimator = "ewma"
//! [policy]
//! hedge_band_bps = 500
//! ```
//!
//! Private keys are never read from the command line or from this file: only
//! a keystore path, a key-file path, or the *name* of an environment variable.

use std::path::{Path, PathBuf};

use alloy_primitives::{Address, U256};
use il_deploy::{Manifest, ManifestError};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::exact::Price;

use crate::policy::PolicyConfig;
use crate::vol::VolConfig;

/// Config file read when `--config` is not given (absent is fine).
pub const DEFAULT_CONFIG_FILE: &str = "keeper.toml";
/// The local Stylus chain's JSON-RPC endpoint (Nitro dev node's port).
pub const DEFAULT_RPC_URL: &str = "http://127.0.0.1:8547";
/// The local chain's id (Nitro dev node's).
pub const DEFAULT_CHAIN_ID: u64 = 412_346;
/// Default environment variable holding a keystore's password.
pub const DEFAULT_KEYSTORE_PASSWORD_ENV: &str = "IL_KEYSTORE_PASSWORD";
/// Default state database (SQLite), relative to the working directory.
pub const DEFAULT_STATE_FILE: &str = "il-keeper.db";
/// Default wait for a receipt before a transaction counts as stuck, seconds.
pub const DEFAULT_RECEIPT_TIMEOUT_SECS: u64 = 60;
/// Default total time budget for retrying transport errors, seconds.
pub const DEFAULT_RPC_BUDGET_SECS: u64 = 30;
/// Default number of fee-bumped replacements of a stuck transaction.
pub const DEFAULT_MAX_REPLACEMENTS: u32 = 3;

/// A configuration problem. All of these are exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// An explicitly named config file (or a manifest) could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// OS error text.
        reason: String,
    },
    /// Malformed TOML, an unknown key or a value of the wrong type (the
    /// message carries the key, line and column).
    #[error("{path}: {message}")]
    Toml {
        /// The file.
        path: String,
        /// Parser message, one line.
        message: String,
    },
    /// A well-formed value that is not acceptable.
    #[error("{key}: {reason}")]
    Invalid {
        /// Dotted key, e.g. `chain.rpc_url`.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The deployment manifest is malformed.
    #[error("manifest {path}: {reason}")]
    Manifest {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

fn invalid(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_string(),
        reason: reason.into(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    chain: RawChain,
    #[serde(default)]
    contracts: RawContracts,
    #[serde(default)]
    keeper: RawKeeper,
    #[serde(default)]
    volatility: VolConfig,
    #[serde(default)]
    policy: PolicyConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChain {
    rpc_url: Option<String>,
    chain_id: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContracts {
    manifest: Option<PathBuf>,
    token0: Option<String>,
    token1: Option<String>,
    vault: Option<String>,
    pool_manager: Option<String>,
    oracle: Option<String>,
    hedge: Option<String>,
    manager: Option<String>,
    lens: Option<String>,
    engine: Option<String>,
    planner: Option<String>,
    vault_ops: Option<String>,
    manager_ops: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeeper {
    keystore: Option<PathBuf>,
    keystore_password_env: Option<String>,
    keystore_password_file: Option<PathBuf>,
    key_file: Option<PathBuf>,
    key_env: Option<String>,
    max_tx_per_run: Option<u32>,
    gas_price_cap_gwei: Option<f64>,
    confirmations: Option<u64>,
    state: Option<PathBuf>,
    receipt_timeout_secs: Option<u64>,
    rpc_budget_secs: Option<u64>,
    max_replacements: Option<u32>,
    native_price: Option<String>,
    keepalive: Option<bool>,
    keepalive_margin_days: Option<u32>,
    keepalive_max_fee_eth: Option<f64>,
}

/// Flags (and their environment variables) that override the file. `tick`,
/// `run` and `status` flatten this into their arguments.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ChainArgs {
    /// JSON-RPC endpoint (http, https, ws or wss).
    #[arg(long, env = "IL_RPC_URL")]
    pub rpc_url: Option<String>,
    /// Chain id the endpoint must report.
    #[arg(long, env = "IL_CHAIN_ID")]
    pub chain_id: Option<u64>,
    /// Deployment manifest (JSON) supplying contract addresses.
    #[arg(long, env = "IL_MANIFEST")]
    pub manifest: Option<PathBuf>,
    /// Vault address (overrides the manifest).
    #[arg(long, env = "IL_VAULT")]
    pub vault: Option<String>,
    /// Uniswap v4 PoolManager address (overrides the manifest).
    #[arg(long, env = "IL_POOL_MANAGER")]
    pub pool_manager: Option<String>,
    /// Oracle address (overrides the manifest).
    #[arg(long, env = "IL_ORACLE")]
    pub oracle: Option<String>,
    /// Hedge venue address (overrides the manifest).
    #[arg(long, env = "IL_HEDGE")]
    pub hedge: Option<String>,
    /// Manager address: the keeper's entrypoints (overrides the manifest).
    #[arg(long, env = "IL_MANAGER")]
    pub manager: Option<String>,
    /// Lens address: read-only views (overrides the manifest).
    #[arg(long, env = "IL_LENS")]
    pub lens: Option<String>,
    /// Encrypted JSON keystore of the keeper account.
    #[arg(long, env = "IL_KEYSTORE")]
    pub keystore: Option<PathBuf>,
    /// File holding the keeper's hex private key (mode 0600).
    #[arg(long, env = "IL_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// NAME of the environment variable holding the private key (never the key).
    #[arg(long, env = "IL_KEY_ENV")]
    pub key_env: Option<String>,
    /// Most transactions one run may send.
    #[arg(long, env = "IL_MAX_TX_PER_RUN")]
    pub max_tx_per_run: Option<u32>,
    /// Refuse to send above this gas price (gwei).
    #[arg(long, env = "IL_GAS_PRICE_CAP_GWEI")]
    pub gas_price_cap_gwei: Option<f64>,
    /// Blocks to wait on top of a receipt's block.
    #[arg(long, env = "IL_CONFIRMATIONS")]
    pub confirmations: Option<u64>,
    /// State database (SQLite; its lock file sits next to it).
    #[arg(long, env = "IL_STATE")]
    pub state: Option<PathBuf>,
}

/// Where the keeper's signing key comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// An encrypted JSON keystore and where its password is.
    Keystore {
        /// Keystore file.
        path: PathBuf,
        /// Password source.
        password: PasswordSource,
    },
    /// A file with the hex private key.
    KeyFile(PathBuf),
    /// The name of an environment variable holding the hex private key.
    Env(String),
}

/// Where a keystore's password is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordSource {
    /// Named environment variable.
    Env(String),
    /// File holding the password.
    File(PathBuf),
}

/// `[chain]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainConfig {
    /// JSON-RPC endpoint.
    pub rpc_url: Url,
    /// Expected chain id.
    pub chain_id: u64,
}

/// `[contracts]`, after the manifest is merged in. Absent addresses are
/// errors only for the commands that need them ([`Contracts::require`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contracts {
    /// Manifest the addresses came from, if any.
    pub manifest: Option<PathBuf>,
    /// The pool's token0.
    pub token0: Option<Address>,
    /// The pool's token1 (the numeraire).
    pub token1: Option<Address>,
    /// Vault.
    pub vault: Option<Address>,
    /// Uniswap v4's PoolManager (the vault's pool lives in it).
    pub pool_manager: Option<Address>,
    /// Oracle.
    pub oracle: Option<Address>,
    /// Hedge venue.
    pub hedge: Option<Address>,
    /// Manager (the keeper's entrypoints).
    pub manager: Option<Address>,
    /// Lens (views).
    pub lens: Option<Address>,
    /// The vault's engine (arithmetic).
    pub engine: Option<Address>,
    /// The planner (the manager's and lens's arithmetic).
    pub planner: Option<Address>,
    /// The vault's operations program.
    pub vault_ops: Option<Address>,
    /// The manager's operations program (the owner's functions).
    pub manager_ops: Option<Address>,
}

/// The addresses the chain-facing commands need, all present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deployed {
    /// Vault.
    pub vault: Address,
    /// Uniswap v4's PoolManager (the vault's pool lives in it).
    pub pool_manager: Address,
    /// Oracle.
    pub oracle: Address,
    /// Hedge venue.
    pub hedge: Address,
    /// Manager.
    pub manager: Address,
    /// Lens.
    pub lens: Address,
}

impl Contracts {
    /// Every known contract by name (the Stylus programs among them are
    /// the ones whose lifetimes the keeper watches; others are skipped).
    #[must_use]
    pub fn named(&self) -> Vec<(&'static str, Address)> {
        [
            ("vault", self.vault),
            ("vault_ops", self.vault_ops),
            ("engine", self.engine),
            ("planner", self.planner),
            ("manager", self.manager),
            ("manager_ops", self.manager_ops),
            ("lens", self.lens),
            ("oracle", self.oracle),
            ("hedge", self.hedge),
            ("token0", self.token0),
            ("token1", self.token1),
        ]
        .into_iter()
        .filter_map(|(n, a)| a.map(|a| (n, a)))
        .collect()
    }

    /// The addresses `tick`, `run` and `status` need.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the first missing `contracts.<name>`.
    pub fn require(&self) -> Result<Deployed, ConfigError> {
        let need = |key: &str, a: Option<Address>| {
            a.ok_or_else(|| {
                invalid(
                    &format!("contracts.{key}"),
                    "missing: set it, or contracts.manifest",
                )
            })
        };
        Ok(Deployed {
            vault: need("vault", self.vault)?,
            pool_manager: need("pool_manager", self.pool_manager)?,
            oracle: need("oracle", self.oracle)?,
            hedge: need("hedge", self.hedge)?,
            manager: need("manager", self.manager)?,
            lens: need("lens", self.lens)?,
        })
    }
}

/// `[keeper]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeeperConfig {
    /// Signing key source; `None` means read-only use (status, dry runs).
    pub key: Option<KeySource>,
    /// Most transactions one run may send (>= 1).
    pub max_tx_per_run: u32,
    /// Gas price cap, gwei (> 0).
    pub gas_price_cap_gwei: f64,
    /// Confirmations to wait for.
    pub confirmations: u64,
    /// State database path (SQLite).
    pub state: PathBuf,
    /// Seconds to wait for a receipt before replacing the transaction.
    pub receipt_timeout_secs: u64,
    /// Total seconds spent retrying transport errors before exit 1.
    pub rpc_budget_secs: u64,
    /// Fee-bumped replacements of a stuck transaction before giving up.
    pub max_replacements: u32,
    /// Token1 raw units per wei of the gas token, for the gas-vs-benefit
    /// guard; `None`: the oracle price (token0 is the gas token's wrapper,
    /// 18 decimals, as WETH).
    pub native_price: Option<Price>,
    /// Renew the contracts' Stylus programs (ArbWasm `codehashKeepalive`,
    /// or `activateProgram` once expired) when they come within
    /// `keepalive_margin_days` of expiry; off: warn only.
    pub keepalive: bool,
    /// Days before a program's expiry from which the keeper warns (and,
    /// with `keepalive`, renews it), 1 to 334.
    pub keepalive_margin_days: u32,
    /// Most one renewal may pay ArbWasm as its data fee (the call's value),
    /// ETH, in (0, 10]: the fee grows exponentially with the chain's recent
    /// activations, and a renewal that would pay more is skipped and
    /// recorded (the program keeps running until its expiry).
    pub keepalive_max_fee_eth: f64,
}

impl KeeperConfig {
    /// [`Self::keepalive_max_fee_eth`] in wei (to the nearest wei).
    #[must_use]
    pub fn keepalive_max_fee_wei(&self) -> U256 {
        // At most 10 ETH = 1e19 wei: exact enough in f64 for a cap, and
        // within u128.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let wei = (self.keepalive_max_fee_eth * 1e18).round() as u128;
        U256::from(wei)
    }
}

/// Default of `keeper.keepalive_margin_days`.
pub const DEFAULT_KEEPALIVE_MARGIN_DAYS: u32 = 30;

/// Default of `keeper.keepalive_max_fee_eth`: about 85 times the data fee
/// of the largest contract at the data pricer's floor (1,364 KiB x
/// 82,928,201 wei a byte = 0.000116 ETH).
pub const DEFAULT_KEEPALIVE_MAX_FEE_ETH: f64 = 0.01;

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    /// The file it was read from (`None`: defaults only).
    pub file: Option<PathBuf>,
    /// `[chain]`.
    pub chain: ChainConfig,
    /// `[contracts]`.
    pub contracts: Contracts,
    /// `[keeper]`.
    pub keeper: KeeperConfig,
    /// `[volatility]`.
    pub volatility: VolConfig,
    /// `[policy]`.
    pub policy: PolicyConfig,
}

/// Parses and checks an address with [`il_deploy::parse_address`] (`0x` +
/// 40 hex digits, EIP-55 checksum enforced on mixed case, not zero).
///
/// # Errors
/// [`ConfigError::Invalid`] naming `key`.
pub fn parse_address(key: &str, s: &str) -> Result<Address, ConfigError> {
    il_deploy::parse_address(s).map_err(|e| invalid(key, e.to_string()))
}

/// Parses an RPC URL: http, https, ws or wss, with a host.
///
/// # Errors
/// [`ConfigError::Invalid`] naming `key`.
pub fn parse_rpc_url(key: &str, s: &str) -> Result<Url, ConfigError> {
    let url =
        Url::parse(s.trim()).map_err(|e| invalid(key, format!("{s:?} is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https" | "ws" | "wss") {
        return Err(invalid(
            key,
            format!("{s:?}: scheme must be http, https, ws or wss"),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(key, format!("{s:?} has no host")));
    }
    Ok(url)
}

fn check_env_name(key: &str, name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        // Do not echo the value: someone may have pasted a key here.
        Err(invalid(
            key,
            "must be the NAME of an environment variable ([A-Za-z_][A-Za-z0-9_]*), not a key",
        ))
    }
}

/// Reads the deployer's manifest ([`il_deploy::Manifest`]) for `chain_id`.
fn read_manifest(path: &Path, chain_id: u64) -> Result<Manifest, ConfigError> {
    Manifest::load_for_chain(path, chain_id).map_err(|e| match e {
        ManifestError::Io { path, source } => ConfigError::Read {
            path,
            reason: source.to_string(),
        },
        ManifestError::Invalid { path, reason } => ConfigError::Manifest { path, reason },
        e @ ManifestError::WrongChain { .. } => ConfigError::Manifest {
            path: path.display().to_string(),
            reason: e.to_string(),
        },
    })
}

impl Config {
    /// Loads the configuration: the file `path` (or [`DEFAULT_CONFIG_FILE`]
    /// when `None`: a missing default file means "defaults"), then `args`
    /// on top, then validation and the manifest.
    ///
    /// # Errors
    /// [`ConfigError`]: an explicit file that cannot be read, malformed TOML
    /// or unknown keys, invalid values (naming the key), a bad manifest.
    pub fn load(path: Option<&Path>, args: &ChainArgs) -> Result<Self, ConfigError> {
        let (file, text) = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| ConfigError::Read {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?;
                (Some(p.to_path_buf()), Some(text))
            }
            None => {
                let p = Path::new(DEFAULT_CONFIG_FILE);
                match std::fs::read_to_string(p) {
                    Ok(text) => (Some(p.to_path_buf()), Some(text)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, None),
                    Err(e) => {
                        return Err(ConfigError::Read {
                            path: p.display().to_string(),
                            reason: e.to_string(),
                        });
                    }
                }
            }
        };
        let name = file
            .as_ref()
            .map_or_else(|| "defaults".to_string(), |p| p.display().to_string());
        let raw = match &text {
            Some(t) => Self::parse_raw(t, &name)?,
            None => RawConfig::default(),
        };
        let base = file
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Self::resolve(raw, args, file, &base)
    }

    /// Parses configuration text (no file system access except the
    /// manifest, resolved against the current directory).
    ///
    /// # Errors
    /// As [`Self::load`].
    pub fn from_toml(text: &str, args: &ChainArgs) -> Result<Self, ConfigError> {
        let raw = Self::parse_raw(text, "config")?;
        Self::resolve(raw, args, None, Path::new(""))
    }

    fn parse_raw(text: &str, name: &str) -> Result<RawConfig, ConfigError> {
        // A targeted message for the one mistake that matters most.
        if let Ok(value) = text.parse::<toml::Table>() {
            let keeper = value.get("keeper").and_then(toml::Value::as_table);
            if keeper.is_some_and(|k| k.contains_key("private_key") || k.contains_key("key")) {
                return Err(invalid(
                    "keeper.private_key",
                    "private keys are never read from the config file; use keystore, key_file or key_env",
                ));
            }
        }
        toml::from_str(text).map_err(|e| ConfigError::Toml {
            path: name.to_string(),
            message: e
                .to_string()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    fn resolve(
        raw: RawConfig,
        args: &ChainArgs,
        file: Option<PathBuf>,
        base: &Path,
    ) -> Result<Self, ConfigError> {
        let rpc = args
            .rpc_url
            .clone()
            .or(raw.chain.rpc_url)
            .unwrap_or_else(|| DEFAULT_RPC_URL.to_string());
        let rpc_url = parse_rpc_url("chain.rpc_url", &rpc)?;
        let chain_id = args
            .chain_id
            .or(raw.chain.chain_id)
            .unwrap_or(DEFAULT_CHAIN_ID);
        if chain_id == 0 {
            return Err(invalid("chain.chain_id", "must be positive"));
        }

        let addr = |key: &str,
                    flag: &Option<String>,
                    file: &Option<String>|
         -> Result<Option<Address>, ConfigError> {
            flag.as_ref()
                .or(file.as_ref())
                .map(|s| parse_address(key, s))
                .transpose()
        };
        let none = None;
        let mut contracts = Contracts {
            manifest: None,
            token0: addr("contracts.token0", &none, &raw.contracts.token0)?,
            token1: addr("contracts.token1", &none, &raw.contracts.token1)?,
            vault: addr("contracts.vault", &args.vault, &raw.contracts.vault)?,
            pool_manager: addr(
                "contracts.pool_manager",
                &args.pool_manager,
                &raw.contracts.pool_manager,
            )?,
            oracle: addr("contracts.oracle", &args.oracle, &raw.contracts.oracle)?,
            hedge: addr("contracts.hedge", &args.hedge, &raw.contracts.hedge)?,
            manager: addr("contracts.manager", &args.manager, &raw.contracts.manager)?,
            lens: addr("contracts.lens", &args.lens, &raw.contracts.lens)?,
            engine: addr("contracts.engine", &none, &raw.contracts.engine)?,
            planner: addr("contracts.planner", &none, &raw.contracts.planner)?,
            vault_ops: addr("contracts.vault_ops", &none, &raw.contracts.vault_ops)?,
            manager_ops: addr("contracts.manager_ops", &none, &raw.contracts.manager_ops)?,
        };
        let manifest = match (&args.manifest, &raw.contracts.manifest) {
            (Some(m), _) => Some(m.clone()),
            (None, Some(m)) if m.is_relative() => Some(base.join(m)),
            (None, m) => m.clone(),
        };
        if let Some(m) = manifest {
            let c = read_manifest(&m, chain_id)?.contracts;
            contracts.token0 = contracts.token0.or(Some(c.token0));
            contracts.token1 = contracts.token1.or(Some(c.token1));
            contracts.vault = contracts.vault.or(Some(c.vault));
            contracts.pool_manager = contracts.pool_manager.or(Some(c.pool_manager));
            contracts.oracle = contracts.oracle.or(Some(c.oracle));
            contracts.hedge = contracts.hedge.or(Some(c.hedge));
            contracts.manager = contracts.manager.or(Some(c.manager));
            contracts.lens = contracts.lens.or(Some(c.lens));
            contracts.engine = contracts.engine.or(Some(c.engine));
            contracts.planner = contracts.planner.or(Some(c.planner));
            contracts.vault_ops = contracts.vault_ops.or(Some(c.vault_ops));
            contracts.manager_ops = contracts.manager_ops.or(Some(c.manager_ops));
            contracts.manifest = Some(m);
        }

        let k = raw.keeper;
        let keystore = args.keystore.clone().or(k.keystore);
        let key_file = args.key_file.clone().or(k.key_file);
        let key_env = args.key_env.clone().or(k.key_env);
        let sources = usize::from(keystore.is_some())
            + usize::from(key_file.is_some())
            + usize::from(key_env.is_some());
        if sources > 1 {
            return Err(invalid(
                "keeper",
                "set only one of keystore, key_file and key_env",
            ));
        }
        if keystore.is_none()
            && (k.keystore_password_env.is_some() || k.keystore_password_file.is_some())
        {
            return Err(invalid(
                "keeper.keystore_password_env",
                "a keystore password source needs keeper.keystore",
            ));
        }
        let key = if let Some(path) = keystore {
            let password = match (k.keystore_password_env, k.keystore_password_file) {
                (Some(_), Some(_)) => {
                    return Err(invalid(
                        "keeper",
                        "set only one of keystore_password_env and keystore_password_file",
                    ));
                }
                (Some(env), None) => {
                    check_env_name("keeper.keystore_password_env", &env)?;
                    PasswordSource::Env(env)
                }
                (None, Some(f)) => PasswordSource::File(f),
                (None, None) => PasswordSource::Env(DEFAULT_KEYSTORE_PASSWORD_ENV.to_string()),
            };
            Some(KeySource::Keystore { path, password })
        } else if let Some(path) = key_file {
            Some(KeySource::KeyFile(path))
        } else if let Some(env) = key_env {
            check_env_name("keeper.key_env", &env)?;
            Some(KeySource::Env(env))
        } else {
            None
        };
        let max_tx_per_run = args.max_tx_per_run.or(k.max_tx_per_run).unwrap_or(3);
        if max_tx_per_run == 0 {
            return Err(invalid("keeper.max_tx_per_run", "must be at least 1"));
        }
        let gas_price_cap_gwei = args
            .gas_price_cap_gwei
            .or(k.gas_price_cap_gwei)
            .unwrap_or(1.0);
        if !(gas_price_cap_gwei.is_finite() && gas_price_cap_gwei > 0.0) {
            return Err(invalid(
                "keeper.gas_price_cap_gwei",
                format!("must be a positive number of gwei, got {gas_price_cap_gwei}"),
            ));
        }
        let confirmations = args.confirmations.or(k.confirmations).unwrap_or(1);
        let state = match (&args.state, &k.state) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) if p.is_relative() => base.join(p),
            (None, Some(p)) => p.clone(),
            (None, None) => PathBuf::from(DEFAULT_STATE_FILE),
        };
        let receipt_timeout_secs = k
            .receipt_timeout_secs
            .unwrap_or(DEFAULT_RECEIPT_TIMEOUT_SECS);
        if receipt_timeout_secs == 0 {
            return Err(invalid("keeper.receipt_timeout_secs", "must be positive"));
        }
        let rpc_budget_secs = k.rpc_budget_secs.unwrap_or(DEFAULT_RPC_BUDGET_SECS);
        let max_replacements = k.max_replacements.unwrap_or(DEFAULT_MAX_REPLACEMENTS);
        let native_price = k
            .native_price
            .as_deref()
            .map(|t| {
                Price::parse(t).map_err(|e| invalid("keeper.native_price", format!("{t:?}: {e}")))
            })
            .transpose()?;
        let keepalive = k.keepalive.unwrap_or(false);
        let keepalive_margin_days = k
            .keepalive_margin_days
            .unwrap_or(DEFAULT_KEEPALIVE_MARGIN_DAYS);
        // A keepalive is refused in a program's first 31 days, which a
        // margin above 365 - 31 days would ask for.
        if !(1..=334).contains(&keepalive_margin_days) {
            return Err(invalid(
                "keeper.keepalive_margin_days",
                format!("must be 1 to 334 days, got {keepalive_margin_days}"),
            ));
        }

        let keepalive_max_fee_eth = k
            .keepalive_max_fee_eth
            .unwrap_or(DEFAULT_KEEPALIVE_MAX_FEE_ETH);
        if !(keepalive_max_fee_eth.is_finite()
            && keepalive_max_fee_eth > 0.0
            && keepalive_max_fee_eth <= 10.0)
        {
            return Err(invalid(
                "keeper.keepalive_max_fee_eth",
                format!("must be above 0 and at most 10 ETH, got {keepalive_max_fee_eth}"),
            ));
        }

        raw.volatility
            .validate()
            .map_err(|e| invalid("volatility", e.to_string()))?;
        raw.policy
            .validate()
            .map_err(|(key, reason)| invalid(&format!("policy.{key}"), reason))?;

        Ok(Self {
            file,
            chain: ChainConfig { rpc_url, chain_id },
            contracts,
            keeper: KeeperConfig {
                key,
                max_tx_per_run,
                gas_price_cap_gwei,
                confirmations,
                state,
                receipt_timeout_secs,
                rpc_budget_secs,
                max_replacements,
                native_price,
                keepalive,
                keepalive_margin_days,
                keepalive_max_fee_eth,
            },
            volatility: raw.volatility,
            policy: raw.policy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VAULT: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    fn load(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, &ChainArgs::default())
    }

    fn temp_dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("il-keeper-config-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn example_config_parses_and_names_its_keys() {
        // The manifest it names does not exist here: drop that line.
        let text = include_str!("../keeper.example.toml")
            .replace("manifest = \"deployments/local.json\"", "");
        let c = load(&text).unwrap();
        assert_eq!(c.keeper.key, Some(KeySource::Env("IL_KEEPER_KEY".into())));
        assert_eq!(c.policy, PolicyConfig::default());
        assert_eq!(c.volatility, VolConfig::default());
        assert_eq!(c.chain.chain_id, DEFAULT_CHAIN_ID);
    }

    #[test]
    fn empty_config_gives_local_chain_defaults() {
        let c = load("").unwrap();
        assert_eq!(c.chain.rpc_url.as_str(), "http://127.0.0.1:8547/");
        assert_eq!(c.chain.chain_id, 412_346);
        assert_eq!(c.keeper.max_tx_per_run, 3);
        assert_eq!(c.keeper.key, None);
        assert_eq!(c.volatility, VolConfig::default());
        assert_eq!(c.policy, PolicyConfig::default());
    }

    #[test]
    fn full_config_parses() {
        let c = load(&format!(
            "[chain]\nrpc_url = \"https://arb.example/rpc\"\nchain_id = 421614\n\
             [contracts]\nvault = \"{VAULT}\"\npool_manager = \"0x{}\"\n\
             [keeper]\nkeystore = \"k.json\"\nkeystore_password_file = \"pw\"\nmax_tx_per_run = 2\ngas_price_cap_gwei = 0.5\nconfirmations = 3\n\
             [volatility]\nestimator = \"garch\"\newma_lambda = 0.97\n\
             [policy]\nhedge_band_bps = 250\n",
            "ab".repeat(20)
        ))
        .unwrap();
        assert_eq!(c.chain.chain_id, 421_614);
        assert_eq!(c.contracts.vault, Some(VAULT.parse().unwrap()));
        assert_eq!(
            c.keeper.key,
            Some(KeySource::Keystore {
                path: "k.json".into(),
                password: PasswordSource::File("pw".into())
            })
        );
        assert_eq!(c.volatility.estimator, crate::vol::Estimator::Garch);
        assert_eq!(c.policy.hedge_band_bps, 250);
    }

    #[test]
    fn flags_override_the_file() {
        let args = ChainArgs {
            rpc_url: Some("http://10.0.0.1:8547".into()),
            max_tx_per_run: Some(1),
            ..ChainArgs::default()
        };
        let c = Config::from_toml(
            "[chain]\nrpc_url = \"http://127.0.0.1:1\"\n[keeper]\nmax_tx_per_run = 5\n",
            &args,
        )
        .unwrap();
        assert_eq!(c.chain.rpc_url.as_str(), "http://10.0.0.1:8547/");
        assert_eq!(c.keeper.max_tx_per_run, 1);
    }

    #[test]
    fn malformed_toml_is_a_toml_error() {
        let e = load("[chain\nrpc_url = 1").unwrap_err();
        assert!(matches!(e, ConfigError::Toml { .. }), "{e}");
    }

    #[test]
    fn unknown_key_is_named() {
        let e = load("[chain]\nrpc_ulr = \"http://x\"\n").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Toml { message, .. } if message.contains("rpc_ulr")),
            "{e}"
        );
        let e = load("[policy]\nhedge_bnad_bps = 1\n").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Toml { message, .. } if message.contains("hedge_bnad_bps")),
            "{e}"
        );
        let e = load("[chian]\n").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Toml { message, .. } if message.contains("chian")),
            "{e}"
        );
    }

    #[test]
    fn wrong_type_is_named() {
        let e = load("[chain]\nchain_id = \"one\"\n").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Toml { message, .. } if message.contains("chain_id")),
            "{e}"
        );
    }

    #[test]
    fn bad_address_is_named() {
        let e = load("[contracts]\nvault = \"0x1234\"\n").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { key, .. } if key == "contracts.vault"),
            "{e}"
        );
        // One letter's case flipped: the EIP-55 checksum fails.
        let bad = VAULT.replace("FbDB", "fbDB");
        let e = load(&format!("[contracts]\nvault = \"{bad}\"\n")).unwrap_err();
        assert_eq!(
            e,
            ConfigError::Invalid {
                key: "contracts.vault".into(),
                reason: format!("{bad:?} has a bad EIP-55 checksum")
            }
        );
        let e = load(&format!("[contracts]\noracle = \"0x{}\"\n", "0".repeat(40))).unwrap_err();
        assert_eq!(
            e,
            ConfigError::Invalid {
                key: "contracts.oracle".into(),
                reason: "the zero address is not allowed here".into()
            }
        );
        assert!(
            load(&format!(
                "[contracts]\nvault = \"{}\"\n",
                VAULT.to_lowercase()
            ))
            .is_ok()
        );
    }

    #[test]
    fn malformed_url_is_named() {
        for url in ["not a url", "ftp://x", "http://"] {
            let e = load(&format!("[chain]\nrpc_url = \"{url}\"\n")).unwrap_err();
            assert!(
                matches!(&e, ConfigError::Invalid { key, .. } if key == "chain.rpc_url"),
                "{url}: {e}"
            );
        }
    }

    #[test]
    fn private_key_in_file_is_refused() {
        let e = load("[keeper]\nprivate_key = \"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\"\n").unwrap_err();
        assert_eq!(
            e,
            ConfigError::Invalid {
                key: "keeper.private_key".into(),
                reason: "private keys are never read from the config file; use keystore, key_file or key_env".into()
            }
        );
        let e = load("[keeper]\nkey_env = \"0xac0974bec39a17e36ba4a6b4d238ff944bacb478\"\n")
            .unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { key, reason } if key == "keeper.key_env" && !reason.contains("ac09")),
            "{e}"
        );
    }

    #[test]
    fn two_key_sources_are_refused() {
        let e = load("[keeper]\nkey_env = \"K\"\nkey_file = \"f\"\n").unwrap_err();
        assert_eq!(
            e,
            ConfigError::Invalid {
                key: "keeper".into(),
                reason: "set only one of keystore, key_file and key_env".into()
            }
        );
    }

    #[test]
    fn bad_keeper_numbers_are_named() {
        let e = load("[keeper]\nmax_tx_per_run = 0\n").unwrap_err();
        assert!(matches!(&e, ConfigError::Invalid { key, .. } if key == "keeper.max_tx_per_run"));
        let e = load("[keeper]\ngas_price_cap_gwei = -1.0\n").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { key, .. } if key == "keeper.gas_price_cap_gwei")
        );
        let e = load("[volatility]\newma_lambda = 1.5\n").unwrap_err();
        assert!(matches!(&e, ConfigError::Invalid { key, .. } if key == "volatility"));
    }

    #[test]
    fn the_keepalive_fee_cap_is_bounded_and_in_wei() {
        for bad in ["0.0", "-1.0", "10.5", "nan", "inf"] {
            let e = load(&format!("[keeper]\nkeepalive_max_fee_eth = {bad}\n")).unwrap_err();
            assert!(
                matches!(&e, ConfigError::Invalid { key, .. } if key == "keeper.keepalive_max_fee_eth"),
                "{bad}: {e}"
            );
        }
        let dflt = load("").unwrap();
        assert_eq!(
            dflt.keeper.keepalive_max_fee_wei(),
            U256::from(10_000_000_000_000_000u64)
        );
        let c = load("[keeper]\nkeepalive_max_fee_eth = 10\n").unwrap();
        assert_eq!(
            c.keeper.keepalive_max_fee_wei(),
            U256::from(10_000_000_000_000_000_000u128)
        );
        let c = load("[keeper]\nkeepalive_max_fee_eth = 0.000001\n").unwrap();
        assert_eq!(
            c.keeper.keepalive_max_fee_wei(),
            U256::from(1_000_000_000_000u64)
        );
    }

    #[test]
    fn missing_explicit_file_is_a_read_error_and_missing_default_is_fine() {
        let e = Config::load(
            Some(Path::new("/nonexistent/keeper.toml")),
            &ChainArgs::default(),
        )
        .unwrap_err();
        assert!(matches!(&e, ConfigError::Read { path, .. } if path == "/nonexistent/keeper.toml"));
    }

    fn sample_manifest(chain_id: u64) -> Manifest {
        let a = |n: u8| Address::with_last_byte(n);
        Manifest {
            chain_id,
            block: 27,
            deployer: a(100),
            keeper: a(101),
            contracts: il_deploy::Contracts {
                token0: a(1),
                token1: a(2),
                oracle: a(3),
                pool_manager: a(4),
                swap_router: None,
                hedge: a(5),
                engine: a(6),
                planner: a(10),
                vault: a(7),
                vault_ops: a(11),
                manager: a(8),
                manager_ops: a(12),
                lens: a(9),
            },
            pool: {
                let mut pool = il_deploy::manifest::Pool {
                    currency0: a(1),
                    currency1: a(2),
                    fee: 0x80_0000,
                    tick_spacing: 60,
                    hooks: a(8),
                    id: alloy_primitives::B256::ZERO,
                };
                pool.id = il_deploy::manifest::pool_id(&pool.key().unwrap());
                pool
            },
        }
    }

    #[test]
    fn manifest_supplies_addresses_relative_to_the_config_file() {
        let dir = temp_dir("manifest");
        sample_manifest(412_346)
            .save(&dir.join("local.json"))
            .unwrap();
        let other = "0x".to_string() + &"ef".repeat(20);
        std::fs::write(
            dir.join("keeper.toml"),
            format!("[contracts]\nmanifest = \"local.json\"\npool_manager = \"{other}\"\n[keeper]\nstate = \"k.db\"\n"),
        )
        .unwrap();
        let c = Config::load(Some(&dir.join("keeper.toml")), &ChainArgs::default()).unwrap();
        let d = c.contracts.require().unwrap();
        assert_eq!(d.vault, Address::with_last_byte(7));
        assert_eq!(d.manager, Address::with_last_byte(8));
        assert_eq!(d.lens, Address::with_last_byte(9));
        assert_eq!(c.contracts.token1, Some(Address::with_last_byte(2)));
        // An explicit address beats the manifest.
        assert_eq!(d.pool_manager, other.parse::<Address>().unwrap());
        assert_eq!(c.contracts.manifest, Some(dir.join("local.json")));
        // The state file is relative to the config file too.
        assert_eq!(c.keeper.state, dir.join("k.db"));

        sample_manifest(1).save(&dir.join("wrong.json")).unwrap();
        std::fs::write(
            dir.join("k2.toml"),
            "[contracts]\nmanifest = \"wrong.json\"\n",
        )
        .unwrap();
        let e = Config::load(Some(&dir.join("k2.toml")), &ChainArgs::default()).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Manifest { reason, .. } if reason.contains("is for chain 1, not chain 412346")),
            "{e}"
        );
        std::fs::write(dir.join("bad.json"), "{\"chain_id\": 412346}").unwrap();
        std::fs::write(
            dir.join("k3.toml"),
            "[contracts]\nmanifest = \"bad.json\"\n",
        )
        .unwrap();
        let e = Config::load(Some(&dir.join("k3.toml")), &ChainArgs::default()).unwrap_err();
        assert!(matches!(&e, ConfigError::Manifest { .. }), "{e}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_contract_is_named_by_require() {
        let c = load(&format!("[contracts]\nvault = \"{VAULT}\"\n")).unwrap();
        assert_eq!(
            c.contracts.require().unwrap_err(),
            ConfigError::Invalid {
                key: "contracts.pool_manager".into(),
                reason: "missing: set it, or contracts.manifest".into()
            }
        );
    }

    #[test]
    fn keepalive_margin_is_bounded() {
        let c = load("[keeper]\nkeepalive = true\n").unwrap();
        assert!(c.keeper.keepalive);
        assert_eq!(
            c.keeper.keepalive_margin_days,
            DEFAULT_KEEPALIVE_MARGIN_DAYS
        );
        for bad in ["0", "335"] {
            let e = load(&format!("[keeper]\nkeepalive_margin_days = {bad}\n")).unwrap_err();
            assert!(
                matches!(&e, ConfigError::Invalid { key, .. } if key == "keeper.keepalive_margin_days"),
                "{e}"
            );
        }
    }

    #[test]
    fn bad_native_price_is_named() {
        let e = load("[keeper]\nnative_price = \"-1\"\n").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { key, .. } if key == "keeper.native_price"),
            "{e}"
        );
        let c = load("[keeper]\nnative_price = \"0.000000003\"\n").unwrap();
        assert_eq!(
            c.keeper.native_price,
            Some(Price::parse("0.000000003").unwrap())
        );
    }
}
