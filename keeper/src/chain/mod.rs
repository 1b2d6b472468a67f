//! The keeper's chain side: the client ([`Client`]: provider, signer,
//! chain-id check, one-batch snapshot reads, named reverts), the
//! transaction layer ([`tx`]) and the snapshot ([`snapshot`]).
//!
//! Every contract call goes through `il_deploy::bindings` (the contracts'
//! committed interfaces); no selector is written by hand.

pub mod programs;
pub mod revert;
pub mod rpc;
pub mod snapshot;
pub mod tx;

use std::path::Path;
use std::time::Duration;

use alloy::eips::BlockNumberOrTag;
use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, Bytes, U64};
use alloy::rpc::client::RpcClient;
use alloy::rpc::types::{Transaction, TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::TransportError;

use crate::config::{Config, Deployed, KeySource, PasswordSource};
use crate::store::{ChainView, MinedInfo};

pub use revert::decode_revert;
pub use rpc::{Counter, Counts, RpcFailure, Unreachable};
pub use snapshot::Snapshot;

/// A chain-side failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The endpoint reports another chain (exit 2: the configuration is wrong).
    #[error(
        "chain.chain_id: the endpoint reports chain {found}, the configuration says {expected}"
    )]
    WrongChain {
        /// Configured.
        expected: u64,
        /// Reported.
        found: u64,
    },
    /// The key could not be loaded (exit 2).
    #[error("keeper key: {0}")]
    Key(String),
    /// A call that needs a key without one (exit 2).
    #[error("keeper key: none configured (set keeper.keystore, key_file or key_env)")]
    NoKey,
    /// Transport errors for the whole budget (exit 1).
    #[error(transparent)]
    Unreachable(#[from] Unreachable),
    /// The node answered with an error (exit 1).
    #[error("{0}")]
    Node(String),
    /// A simulated call reverted with this named error (not sent).
    #[error("reverted: {0}")]
    Revert(String),
    /// A return value did not decode as the interface says (exit 1).
    #[error("decoding {what}: {reason}")]
    Decode {
        /// Which call.
        what: String,
        /// Why.
        reason: String,
    },
}

impl ChainError {
    /// True for configuration problems (exit 2); else runtime (exit 1).
    #[must_use]
    pub fn is_input(&self) -> bool {
        matches!(self, Self::WrongChain { .. } | Self::Key(_) | Self::NoKey)
    }
}

/// Turns a transport error of an `eth_call`/`eth_estimateGas` into a named
/// revert when it carries revert data.
fn classify(what: &str, e: RpcFailure) -> ChainError {
    match e {
        RpcFailure::Unreachable(u) => ChainError::Unreachable(u),
        RpcFailure::Node { source, .. } => revert_of(&source).map_or_else(
            || ChainError::Node(format!("{what}: {source}")),
            ChainError::Revert,
        ),
    }
}

/// The named revert carried by an error response, if any.
#[must_use]
pub fn revert_of(e: &TransportError) -> Option<String> {
    let payload = e.as_error_resp()?;
    match payload.as_revert_data() {
        Some(data) => Some(decode_revert(&data)),
        None if payload.message.contains("revert") => Some(payload.message.to_string()),
        None => None,
    }
}

/// Loads the keeper's signing key from its configured source.
///
/// # Errors
/// [`ChainError::Key`] naming the source (never echoing key material).
pub fn load_signer(source: &KeySource) -> Result<PrivateKeySigner, ChainError> {
    let parse = |text: &str, from: &str| {
        text.trim()
            .parse::<PrivateKeySigner>()
            .map_err(|_| ChainError::Key(format!("{from} does not hold a hex private key")))
    };
    match source {
        KeySource::Env(name) => {
            let v = std::env::var(name)
                .map_err(|_| ChainError::Key(format!("environment variable {name} is not set")))?;
            parse(&v, &format!("environment variable {name}"))
        }
        KeySource::KeyFile(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| ChainError::Key(format!("key file {}: {e}", path.display())))?;
            parse(&text, &format!("key file {}", path.display()))
        }
        KeySource::Keystore { path, password } => {
            let pw = match password {
                PasswordSource::Env(name) => std::env::var(name).map_err(|_| {
                    ChainError::Key(format!("keystore password variable {name} is not set"))
                })?,
                PasswordSource::File(f) => std::fs::read_to_string(f)
                    .map_err(|e| {
                        ChainError::Key(format!("keystore password file {}: {e}", f.display()))
                    })?
                    .trim_end_matches(['\n', '\r'])
                    .to_string(),
            };
            decrypt_keystore(path, &pw)
        }
    }
}

fn decrypt_keystore(path: &Path, password: &str) -> Result<PrivateKeySigner, ChainError> {
    PrivateKeySigner::decrypt_keystore(path, password)
        .map_err(|e| ChainError::Key(format!("keystore {}: {e}", path.display())))
}

/// The connection to the chain: RPC client, addresses, optional signer.
#[derive(Debug, Clone)]
pub struct Client {
    rpc: RpcClient,
    counter: Counter,
    /// The chain id (checked against the endpoint by [`Client::connect`]).
    pub chain_id: u64,
    /// The contracts.
    pub contracts: Deployed,
    signer: Option<PrivateKeySigner>,
    /// Total time budget for transport retries.
    pub budget: Duration,
}

impl Client {
    /// A client for `url` without checking the endpoint (the snapshot checks
    /// the chain id in the same batch as its reads; see [`Client::connect`]
    /// for an explicit check).
    #[must_use]
    pub fn new(
        url: url::Url,
        chain_id: u64,
        contracts: Deployed,
        signer: Option<PrivateKeySigner>,
        budget: Duration,
    ) -> Self {
        let (rpc, counter) = rpc::http_client(url);
        Self {
            rpc,
            counter,
            chain_id,
            contracts,
            signer,
            budget,
        }
    }

    /// A client from the configuration: addresses required, the key loaded
    /// when one is configured. All of its errors are configuration errors
    /// (exit 2).
    ///
    /// # Errors
    /// [`crate::config::ConfigError`] for a missing address or a ws(s) URL
    /// (this client speaks HTTP only), [`ChainError::Key`] for a key that
    /// cannot be loaded.
    pub fn from_config(cfg: &Config) -> Result<Self, eyre::Report> {
        if !matches!(cfg.chain.rpc_url.scheme(), "http" | "https") {
            return Err(crate::config::ConfigError::Invalid {
                key: "chain.rpc_url".into(),
                reason: format!(
                    "{}: tick, run and status speak HTTP(S) JSON-RPC only",
                    cfg.chain.rpc_url
                ),
            }
            .into());
        }
        let contracts = cfg.contracts.require()?;
        let signer = cfg.keeper.key.as_ref().map(load_signer).transpose()?;
        Ok(Self::new(
            cfg.chain.rpc_url.clone(),
            cfg.chain.chain_id,
            contracts,
            signer,
            Duration::from_secs(cfg.keeper.rpc_budget_secs),
        ))
    }

    /// The raw RPC client.
    #[must_use]
    pub fn rpc(&self) -> &RpcClient {
        &self.rpc
    }

    /// Requests and calls sent so far.
    #[must_use]
    pub fn counts(&self) -> Counts {
        self.counter.get()
    }

    /// The signer, if any.
    #[must_use]
    pub fn signer(&self) -> Option<&PrivateKeySigner> {
        self.signer.as_ref()
    }

    /// Checks that the endpoint reports the configured chain id.
    ///
    /// # Errors
    /// [`ChainError::WrongChain`], [`ChainError::Unreachable`].
    pub async fn connect(&self) -> Result<(), ChainError> {
        let id: U64 = self.request("eth_chainId", ()).await?;
        let found = id.to::<u64>();
        if found != self.chain_id {
            return Err(ChainError::WrongChain {
                expected: self.chain_id,
                found,
            });
        }
        Ok(())
    }

    /// One JSON-RPC call with retries within the budget.
    ///
    /// # Errors
    /// [`ChainError::Unreachable`], [`ChainError::Node`].
    pub async fn request<P, R>(&self, method: &'static str, params: P) -> Result<R, ChainError>
    where
        P: alloy::rpc::json_rpc::RpcSend + Clone,
        R: alloy::rpc::json_rpc::RpcRecv,
    {
        rpc::with_retry(self.budget, method, || {
            self.rpc.request::<P, R>(method, params.clone())
        })
        .await
        .map_err(|e| match e {
            RpcFailure::Unreachable(u) => ChainError::Unreachable(u),
            RpcFailure::Node { what, source } => ChainError::Node(format!("{what}: {source}")),
        })
    }

    /// `eth_call` then `eth_estimateGas` of `data` to `to` from `from`, in
    /// one batch. Returns the call's output and the gas estimate.
    ///
    /// # Errors
    /// [`ChainError::Revert`] with the named error when either reverts,
    /// [`ChainError::Unreachable`], [`ChainError::Node`].
    pub async fn simulate(
        &self,
        from: Address,
        to: Address,
        data: &Bytes,
    ) -> Result<(Bytes, u64), ChainError> {
        let req = TransactionRequest::default()
            .with_from(from)
            .with_to(to)
            .with_input(data.clone());
        let block = BlockNumberOrTag::Pending;
        let out = rpc::with_retry(self.budget, "simulate", || async {
            let mut batch = self.rpc.new_batch();
            let call = batch.add_call::<_, Bytes>("eth_call", &(&req, block))?;
            let gas = batch.add_call::<_, U64>("eth_estimateGas", &(&req, block))?;
            batch.send().await?;
            let out = call.await?;
            let gas = gas.await?;
            Ok((out, gas.to::<u64>()))
        })
        .await
        .map_err(|e| classify("simulate", e))?;
        Ok(out)
    }

    /// The receipt of `hash`, if mined.
    ///
    /// # Errors
    /// [`ChainError::Unreachable`], [`ChainError::Node`].
    pub async fn receipt(&self, hash: B256) -> Result<Option<TransactionReceipt>, ChainError> {
        self.request("eth_getTransactionReceipt", (hash,)).await
    }

    /// The transaction `hash` as the node knows it (pending or mined).
    ///
    /// # Errors
    /// [`ChainError::Unreachable`], [`ChainError::Node`].
    pub async fn transaction(&self, hash: B256) -> Result<Option<Transaction>, ChainError> {
        self.request("eth_getTransactionByHash", (hash,)).await
    }

    /// `account`'s nonce at `tag` (`Latest`: mined; `Pending`: with the pool).
    ///
    /// # Errors
    /// [`ChainError::Unreachable`], [`ChainError::Node`].
    pub async fn nonce(&self, account: Address, tag: BlockNumberOrTag) -> Result<u64, ChainError> {
        let n: U64 = self
            .request("eth_getTransactionCount", (account, tag))
            .await?;
        Ok(n.to::<u64>())
    }

    /// The latest block number.
    ///
    /// # Errors
    /// [`ChainError::Unreachable`], [`ChainError::Node`].
    pub async fn block_number(&self) -> Result<u64, ChainError> {
        let n: U64 = self.request("eth_blockNumber", ()).await?;
        Ok(n.to::<u64>())
    }

    /// The account whose nonce the store reconciles: the signer's.
    fn account(&self) -> Option<Address> {
        self.signer.as_ref().map(PrivateKeySigner::address)
    }
}

impl ChainView for Client {
    async fn mined(&self, hash: B256) -> eyre::Result<Option<MinedInfo>> {
        Ok(self.receipt(hash).await?.map(|r| MinedInfo {
            block: r.block_number.unwrap_or_default(),
            success: r.status(),
        }))
    }

    async fn mined_nonce(&self) -> eyre::Result<u64> {
        let account = self.account().ok_or(ChainError::NoKey)?;
        Ok(self.nonce(account, BlockNumberOrTag::Latest).await?)
    }

    async fn known(&self, hash: B256) -> eyre::Result<bool> {
        Ok(self.transaction(hash).await?.is_some())
    }
}
