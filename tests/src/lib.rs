//! `il-e2e`: the harness of the end-to-end tests.
//!
//! [`Env::start`] gives a chain with the whole system deployed by the
//! deployer from the release wasm, and five funded accounts with their
//! keys in one wallet: deployer (owns everything), keeper, alice
//! (depositor), bob (trader), stranger.
//!
//! - Default: an in-process `il-devnet` on a free port, dev accounts 0..=4.
//!   Needs `scripts/build-contracts.sh` run first (the tests say so).
//! - `IL_E2E_RPC_URL` set: that chain instead (a Nitro dev node, Arbitrum
//!   Sepolia...), with `IL_E2E_PRIVATE_KEY` a funded key (hex). The four
//!   other accounts are derived from it (`keccak256(key || i)`) and funded
//!   with `IL_E2E_FUND_WEI` each (default 0.02 ETH). Tests that need time
//!   travel are skipped there with a line saying so.

pub mod v4;

use std::time::Duration;

use alloy::{
    network::{EthereumWallet, TransactionBuilder},
    primitives::{U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use il_deploy::{
    Manifest,
    deploy::{Artifacts, SystemConfig, deploy_system},
    send::Sender,
};
use il_devnet::{Config, Devnet, DevnetHandle};

/// $1,850.25 with 8 decimals: the oracle's first answer in every test.
pub const INITIAL_ANSWER: u64 = 185_025_000_000;

/// One whole token0 (18 decimals).
pub fn eth(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

/// Whole token1 (6 decimals).
pub fn usd(n: u64) -> U256 {
    U256::from(n) * U256::from(1_000_000u64)
}

/// The accounts of a test.
#[derive(Debug, Clone)]
pub struct Accounts {
    /// Deploys and owns every contract.
    pub deployer: PrivateKeySigner,
    /// The manager's keeper role.
    pub keeper: PrivateKeySigner,
    /// A depositor.
    pub alice: PrivateKeySigner,
    /// A trader.
    pub bob: PrivateKeySigner,
    /// Nobody in particular.
    pub stranger: PrivateKeySigner,
}

/// A chain with the system deployed.
pub struct Env {
    /// Signs for every account in [`Accounts`].
    pub provider: DynProvider,
    /// The deployment.
    pub manifest: Manifest,
    /// The accounts.
    pub accounts: Accounts,
    /// The RPC URL.
    pub url: String,
    /// The in-process chain (`None` on an external RPC).
    pub devnet: Option<DevnetHandle>,
}

impl Env {
    /// Starts a chain (see the crate docs), deploys the system and returns
    /// the environment. Panics with one readable line on any failure: this
    /// is test set-up.
    pub async fn start() -> Self {
        let (url, devnet, keys) = match std::env::var("IL_E2E_RPC_URL") {
            Ok(url) => {
                let key = std::env::var("IL_E2E_PRIVATE_KEY").unwrap_or_else(|_| {
                    panic!("IL_E2E_RPC_URL is set: set IL_E2E_PRIVATE_KEY to a funded key")
                });
                let root: PrivateKeySigner = key
                    .trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("IL_E2E_PRIVATE_KEY: {e}"));
                let mut keys = vec![root.clone()];
                for i in 1u8..5 {
                    let mut seed = root.to_bytes().to_vec();
                    seed.push(i);
                    keys.push(
                        PrivateKeySigner::from_bytes(&keccak256(&seed))
                            .expect("a keccak digest is a valid key"),
                    );
                }
                (url, None, keys)
            }
            Err(_) => {
                let chain = Devnet::spawn(Config {
                    port: 0,
                    ..Default::default()
                })
                .await
                .unwrap_or_else(|e| panic!("devnet: {e}"));
                let keys = chain.dev_accounts()[..5]
                    .iter()
                    .map(|a| PrivateKeySigner::from_bytes(&a.private_key).expect("dev key"))
                    .collect::<Vec<_>>();
                (chain.url(), Some(chain), keys)
            }
        };
        let mut wallet = EthereumWallet::from(keys[0].clone());
        for k in &keys[1..] {
            wallet.register_signer(k.clone());
        }
        let provider = ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(url.parse().expect("url"))
            .erased();
        let accounts = Accounts {
            deployer: keys[0].clone(),
            keeper: keys[1].clone(),
            alice: keys[2].clone(),
            bob: keys[3].clone(),
            stranger: keys[4].clone(),
        };
        if devnet.is_none() {
            fund_accounts(&provider, &keys).await;
        }
        let artifacts = Artifacts::load(None).unwrap_or_else(|e| panic!("{e}"));
        let config =
            SystemConfig::test_tokens(accounts.keeper.address(), U256::from(INITIAL_ANSWER));
        let manifest = deploy_system(
            &provider,
            accounts.deployer.address(),
            &artifacts,
            &config,
            |_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("deploy: {e}"));
        Self {
            provider,
            manifest,
            accounts,
            url,
            devnet,
        }
    }

    /// A sender for `who` (any of [`Accounts`]).
    pub fn sender(&self, who: &PrivateKeySigner) -> Sender<'_, DynProvider> {
        Sender::new(&self.provider, who.address())
    }

    /// True on the in-process chain (time travel available).
    pub fn can_travel(&self) -> bool {
        self.devnet.is_some()
    }

    /// Mines a block `seconds` after the latest one (block timestamps run
    /// ahead of the wall clock when several blocks are mined per second, so
    /// the step is taken from the latest block, not from now).
    /// Panics on an external RPC: check [`Env::can_travel`] first.
    pub async fn advance(&self, seconds: u64) {
        assert!(self.can_travel(), "time travel needs the local chain");
        let latest = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await
            .expect("latest block")
            .expect("a latest block");
        let next = latest.header.timestamp + seconds;
        let _: serde_json::Value = self
            .provider
            .raw_request("evm_setNextBlockTimestamp".into(), (next,))
            .await
            .expect("evm_setNextBlockTimestamp");
        let _: serde_json::Value = self
            .provider
            .raw_request("evm_mine".into(), ())
            .await
            .expect("evm_mine");
    }

    /// Stops the in-process chain.
    pub async fn stop(self) {
        if let Some(chain) = self.devnet {
            chain.shutdown().await.expect("devnet shutdown");
        }
    }
}

/// Sends `IL_E2E_FUND_WEI` (default 0.02 ETH) from the first key to each of
/// the others that holds less.
async fn fund_accounts(provider: &DynProvider, keys: &[PrivateKeySigner]) {
    let amount = std::env::var("IL_E2E_FUND_WEI")
        .ok()
        .map(|s| {
            U256::from_str_radix(s.trim(), 10).unwrap_or_else(|e| panic!("IL_E2E_FUND_WEI: {e}"))
        })
        .unwrap_or(U256::from(20_000_000_000_000_000u64));
    for k in &keys[1..] {
        let have = provider
            .get_balance(k.address())
            .await
            .expect("eth_getBalance");
        if have >= amount {
            continue;
        }
        let tx = TransactionRequest::default()
            .with_from(keys[0].address())
            .with_to(k.address())
            .with_value(amount - have);
        let receipt = provider
            .send_transaction(tx)
            .await
            .expect("fund account")
            .with_timeout(Some(Duration::from_secs(180)))
            .get_receipt()
            .await
            .expect("fund receipt");
        assert!(receipt.status(), "funding {} failed", k.address());
    }
}

/// Runs Foundry's `cast` (its native binary from `il_devnet::foundry`,
/// installed by the README's test command; `$IL_CAST` overrides) with
/// `args` and returns what it printed and its status. Panics with the
/// install hint when cast is absent.
pub async fn cast_output(args: &[&str]) -> std::process::Output {
    let mut cmd = il_devnet::foundry::command("cast").unwrap_or_else(|e| panic!("{e}"));
    cmd.args(args);
    tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .unwrap_or_else(|e| panic!("cannot run cast: {e}"))
}

/// Runs `cast` with `args`; panics with its stderr if it fails. Returns
/// its trimmed stdout.
pub async fn cast(args: &[&str]) -> String {
    let shown = args.join(" ");
    let out = cast_output(args).await;
    assert!(
        out.status.success(),
        "cast {shown} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}
