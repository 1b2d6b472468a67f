//! Shared by `tests/devnet.rs`, `tests/anvil.rs` and `examples/measure_tick.rs`: a deployed
//! system on an in-process local Stylus chain (the REAL release wasm, by
//! `il_deploy::deploy::deploy_system`), a deposit, the owner's hedge ratio,
//! a trader with tokens, and a price shock with arbitrage.
#![allow(dead_code)]

use std::path::PathBuf;

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use il_deploy::Manifest;
use il_deploy::bindings::IManager;
use il_deploy::deploy::{Artifacts, SystemConfig, deploy_system};
use il_deploy::{ops, send::Sender};
use il_devnet::{Config as DevnetConfig, Devnet, DevnetHandle};
use il_keeper::config::{ChainArgs, Config};

/// A path in a temp directory of its own, removed (with everything in it)
/// when the test ends.
pub struct TempPath(pub PathBuf);

impl TempPath {
    /// `file` in a fresh directory `<temp>/il-keeper-<name>-<pid>`.
    pub fn new(name: &str, file: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("il-keeper-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir.join(file))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl std::ops::Deref for TempPath {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl AsRef<std::path::Path> for TempPath {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

/// ETH at $1,850.25 with 8 oracle decimals.
pub const ANSWER: u64 = 185_025_000_000;

pub struct System {
    pub node: DevnetHandle,
    pub manifest: Manifest,
    pub owner: DynProvider,
    pub trader: DynProvider,
    pub trader_addr: Address,
    pub dir: PathBuf,
}

pub fn wallet(node: &DevnetHandle, i: usize) -> DynProvider {
    ProviderBuilder::new()
        .wallet(EthereumWallet::from(
            node.dev_accounts()[i].signer().clone(),
        ))
        .connect_http(node.url().parse().unwrap())
        .erased()
}

pub async fn rpc(node: &DevnetHandle, method: &str, params: serde_json::Value) {
    node.request(
        &serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}),
    )
    .await
    .unwrap();
}

pub async fn system(name: &str) -> System {
    let artifacts = Artifacts::load(None).unwrap_or_else(|e| {
        panic!(
            "{e} (build them with `CARGO_TARGET_DIR=<your target dir> scripts/build-contracts.sh`)"
        )
    });
    let node = Devnet::spawn(DevnetConfig {
        port: 0,
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let owner = wallet(&node, 0);
    let deployer = node.dev_accounts()[0].address;
    let keeper = node.dev_accounts()[1].address;
    let manifest = deploy_system(
        &owner,
        deployer,
        &artifacts,
        &SystemConfig::test_tokens(keeper, U256::from(ANSWER)),
        |_| {},
    )
    .await
    .unwrap();
    let c = manifest.contracts;
    let e18 = U256::from(10u64).pow(U256::from(18));
    let e6 = U256::from(1_000_000u64);
    // The owner deposits 10 tWETH + 18,502.5 tUSDC; the trader gets tokens.
    let (a0, a1) = (U256::from(10u8) * e18, U256::from(18_502_500_000u64));
    let trader_addr = node.dev_accounts()[2].address;
    let mut owner_tx = Sender::new(&owner, deployer);
    ops::mint_test_tokens(&mut owner_tx, &manifest, deployer, a0, a1)
        .await
        .unwrap();
    ops::mint_test_tokens(
        &mut owner_tx,
        &manifest,
        trader_addr,
        U256::from(1_000u32) * e18,
        U256::from(10_000_000u64) * e6,
    )
    .await
    .unwrap();
    ops::deposit(&mut owner_tx, &manifest, a0, a1, U256::from(1))
        .await
        .unwrap();
    // Hedge half the LP's token0; the shortest cooldowns.
    let r = IManager::new(c.manager, &owner)
        .setParams(
            86_400,
            100,
            100,
            0,
            2_500,
            600,
            5_000,
            U256::MAX,
            2_000,
            600,
        )
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    let trader = wallet(&node, 2);
    let dir = std::env::temp_dir().join(format!("il-keeper-devnet-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    System {
        node,
        manifest,
        owner,
        trader,
        trader_addr,
        dir,
    }
}

/// The keeper's configuration for `s` (also written to `<dir>/keeper.toml`).
pub fn keeper_config(s: &System) -> Config {
    let manifest = s.dir.join("manifest.json");
    s.manifest.save(&manifest).unwrap();
    let key = s.dir.join("key.hex");
    std::fs::write(&key, s.node.dev_accounts()[1].private_key.to_string()).unwrap();
    let text = format!(
        "[chain]\nrpc_url = \"{}\"\n[contracts]\nmanifest = \"{}\"\n\
         [keeper]\nkey_file = \"{}\"\nstate = \"{}\"\nreceipt_timeout_secs = 20\n",
        s.node.url(),
        manifest.display(),
        key.display(),
        s.dir.join("state.db").display()
    );
    std::fs::write(s.dir.join("keeper.toml"), &text).unwrap();
    Config::from_toml(&text, &ChainArgs::default()).unwrap()
}

/// Moves time forward, sets the oracle to `answer` and trades the pool to it.
pub async fn shock(s: &System, answer: u64) {
    rpc(&s.node, "evm_increaseTime", serde_json::json!([3_600])).await;
    let deployer = s.node.dev_accounts()[0].address;
    let answer = alloy::primitives::I256::try_from(answer).unwrap();
    ops::set_oracle(&mut Sender::new(&s.owner, deployer), &s.manifest, answer)
        .await
        .unwrap();
    let mut trader = Sender::new(&s.trader, s.trader_addr);
    ops::arbitrage_to_oracle(&mut trader, &s.trader, &s.manifest, 1)
        .await
        .unwrap()
        .expect("a moved oracle calls for a trade");
}

pub async fn count(s: &System, address: Address, topic: B256) -> usize {
    s.owner
        .get_logs(
            &Filter::new()
                .address(address)
                .event_signature(topic)
                .from_block(0),
        )
        .await
        .unwrap()
        .len()
}

pub async fn counts(s: &System) -> [usize; 3] {
    let m = s.manifest.contracts.manager;
    [
        count(s, m, IManager::VolatilityUpdated::SIGNATURE_HASH).await,
        count(s, m, IManager::Rebalanced::SIGNATURE_HASH).await,
        count(s, m, IManager::Hedged::SIGNATURE_HASH).await,
    ]
}

/// Opens the store, waiting up to 5 s for a lock still held by an aborted
/// task of this process; any other error fails at once.
pub async fn open_when_unlocked(db: &std::path::Path) -> il_keeper::store::Store {
    for _ in 0..100 {
        match il_keeper::store::Store::open(db) {
            Ok(s) => return s,
            Err(il_keeper::store::StoreError::Locked(_)) => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => panic!("opening the store: {e}"),
        }
    }
    panic!(
        "the aborted run's lock on {} was never released",
        db.display()
    );
}
