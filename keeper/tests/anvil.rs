//! The transaction layer against a real node: Foundry's anvil (plain EVM:
//! ETH transfers only; the contracts need the local Stylus chain). Nonce
//! sequence, a stuck transaction replaced and mined, the gas cap, an RPC
//! that is down, and a run killed right after a broadcast reconciled by the
//! next one.
//!
//! anvil comes from npm (`@foundry-rs/anvil@1.7.1`, installed by
//! `scripts/setup.sh`); `il_devnet::foundry` starts its native binary (set
//! `IL_ANVIL` to use another one).

mod common;

use std::sync::Arc;
use std::time::Duration;

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::{Address, Bytes, U256};
use alloy::signers::local::PrivateKeySigner;
use il_keeper::chain::tx::{Call, Hook, Sender, Stage, TxError, TxLimits};
use il_keeper::chain::{ChainError, Client};
use il_keeper::config::Deployed;
use il_keeper::store::{self, Store, TxStatus};

const KEY0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ANVIL_CHAIN_ID: u64 = 31_337;

/// anvil from `il_devnet::foundry`: the native binary, stopped when the
/// test ends (drop, panic, or the test binary killed).
struct Anvil {
    _node: il_devnet::foundry::Anvil,
    url: url::Url,
}

async fn anvil() -> Anvil {
    let node = il_devnet::foundry::Anvil::spawn(&[]).unwrap_or_else(|e| panic!("{e}"));
    let url: url::Url = node.url().parse().unwrap();
    let node = Anvil { _node: node, url };
    let probe = client(&node, Duration::from_secs(10));
    probe.connect().await.expect("anvil answers eth_chainId");
    node
}

fn deployed() -> Deployed {
    let a = Address::with_last_byte;
    Deployed {
        vault: a(1),
        pool_manager: a(2),
        oracle: a(3),
        hedge: a(4),
        manager: a(5),
        lens: a(6),
    }
}

fn client(node: &Anvil, budget: Duration) -> Client {
    Client::new(
        node.url.clone(),
        ANVIL_CHAIN_ID,
        deployed(),
        Some(KEY0.parse::<PrivateKeySigner>().unwrap()),
        budget,
    )
}

fn limits() -> TxLimits {
    TxLimits {
        gas_price_cap: 100_000_000_000,
        receipt_timeout: Duration::from_secs(10),
        confirmations: 1,
        max_replacements: 3,
        poll: Duration::from_millis(50),
    }
}

fn transfer(to: Address) -> Call {
    Call {
        rule: "test".into(),
        to,
        data: Bytes::new(),
        value: U256::from(1u8),
        gas_limit: 21_000,
    }
}

/// A store in a temp directory removed when the returned path drops.
fn temp_store(name: &str) -> (common::TempPath, Store) {
    let db = common::TempPath::new(&format!("anvil-{name}"), "state.db");
    let s = Store::open(&db).unwrap();
    (db, s)
}

async fn rpc(node: &Anvil, method: &'static str, params: serde_json::Value) -> serde_json::Value {
    let c = client(node, Duration::from_secs(5));
    c.request::<_, serde_json::Value>(method, params)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn nonces_are_consecutive_and_follow_the_chain() {
    let node = anvil().await;
    let c = client(&node, Duration::from_secs(5));
    let (_db, mut s) = temp_store("nonce");
    let run = s.begin_run().unwrap();
    let sender = Sender::new(&c, limits(), None).unwrap();
    let to = Address::with_last_byte(0x42);
    let mut nonces = Vec::new();
    for _ in 0..3 {
        let m = sender.send(&mut s, run, &transfer(to)).await.unwrap();
        assert!(m.success);
        assert_eq!(m.attempts, 1);
        nonces.push(m.nonce);
    }
    assert_eq!(nonces, vec![0, 1, 2]);
    // A transaction sent outside the keeper consumes nonce 3...
    let me = c.signer().unwrap().address();
    rpc(
        &node,
        "eth_sendTransaction",
        serde_json::json!([{"from": me, "to": to, "value": "0x1"}]),
    )
    .await;
    // ...so the next one uses 4.
    let m = sender.send(&mut s, run, &transfer(to)).await.unwrap();
    assert_eq!(m.nonce, 4);
    let txs = s.latest_transactions(10).unwrap();
    assert_eq!(txs.len(), 4);
    assert!(txs.iter().all(|t| t.status == TxStatus::Mined), "{txs:?}");
    assert_eq!(c.nonce(me, BlockNumberOrTag::Latest).await.unwrap(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stuck_transaction_is_replaced_with_bumped_fees_and_mined() {
    let node = anvil().await;
    rpc(&node, "evm_setAutomine", serde_json::json!([false])).await;
    let c = client(&node, Duration::from_secs(5));
    let (_db, mut s) = temp_store("stuck");
    let run = s.begin_run().unwrap();
    // Mine a block only once the first replacement is in the pool.
    let url = node.url.clone();
    let hook: Hook = Arc::new(move |stage| {
        let url = url.clone();
        Box::pin(async move {
            if stage == Stage::Broadcast(1) {
                let c = Client::new(
                    url,
                    ANVIL_CHAIN_ID,
                    deployed(),
                    None,
                    Duration::from_secs(5),
                );
                c.request::<_, serde_json::Value>("evm_mine", ())
                    .await
                    .unwrap();
            }
        })
    });
    let mut l = limits();
    l.receipt_timeout = Duration::from_secs(1);
    let sender = Sender::new(&c, l, Some(hook)).unwrap();
    let m = sender
        .send(&mut s, run, &transfer(Address::with_last_byte(0x43)))
        .await
        .unwrap();
    assert!(m.success);
    assert_eq!(m.attempts, 2);
    let txs = s.latest_transactions(10).unwrap();
    assert_eq!(txs.len(), 2);
    let (new, old) = (&txs[0], &txs[1]);
    assert_eq!(new.hash, m.hash);
    assert_eq!(new.status, TxStatus::Mined);
    assert_eq!(old.status, TxStatus::Replaced);
    assert_eq!(new.nonce, old.nonce);
    // Both fees bumped by at least 12.5 %.
    assert!(
        new.max_fee_per_gas * 8 >= old.max_fee_per_gas * 9,
        "{new:?} {old:?}"
    );
    assert!(
        new.max_priority_fee_per_gas * 8 >= old.max_priority_fee_per_gas * 9,
        "{new:?} {old:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stuck_transaction_gives_up_at_the_cap() {
    let node = anvil().await;
    rpc(&node, "evm_setAutomine", serde_json::json!([false])).await;
    let c = client(&node, Duration::from_secs(5));
    let (_db, mut s) = temp_store("stuck-cap");
    let run = s.begin_run().unwrap();
    let mut l = limits();
    l.receipt_timeout = Duration::from_millis(300);
    l.max_replacements = 2;
    let sender = Sender::new(&c, l, None).unwrap();
    let e = sender
        .send(&mut s, run, &transfer(Address::with_last_byte(0x44)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            TxError::Stuck {
                nonce: 0,
                attempts: 3,
                ..
            }
        ),
        "{e}"
    );
    let txs = s.latest_transactions(10).unwrap();
    assert_eq!(txs.len(), 3);
    assert!(txs.iter().all(|t| t.status == TxStatus::Sent), "{txs:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gas_price_above_the_cap_sends_and_records_nothing() {
    let node = anvil().await;
    let c = client(&node, Duration::from_secs(5));
    let (_db, mut s) = temp_store("cap");
    let run = s.begin_run().unwrap();
    let mut l = limits();
    l.gas_price_cap = 1;
    let sender = Sender::new(&c, l, None).unwrap();
    let e = sender
        .send(&mut s, run, &transfer(Address::with_last_byte(0x45)))
        .await
        .unwrap_err();
    assert!(matches!(e, TxError::GasCap { cap: 1, .. }), "{e}");
    assert!(s.latest_transactions(10).unwrap().is_empty());
    let me = c.signer().unwrap().address();
    assert_eq!(c.nonce(me, BlockNumberOrTag::Pending).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_rpc_that_is_down_fails_after_the_budget() {
    // Nothing listens on port 9.
    let c = Client::new(
        "http://127.0.0.1:9".parse().unwrap(),
        ANVIL_CHAIN_ID,
        deployed(),
        Some(KEY0.parse().unwrap()),
        Duration::from_secs(1),
    );
    let (_db, mut s) = temp_store("down");
    let run = s.begin_run().unwrap();
    let start = std::time::Instant::now();
    let sender = Sender::new(&c, limits(), None).unwrap();
    let e = sender
        .send(&mut s, run, &transfer(Address::with_last_byte(0x46)))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, TxError::Chain(ChainError::Unreachable(u)) if u.attempts >= 2),
        "{e}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(s.latest_transactions(10).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_after_broadcast_is_reconciled_from_the_chain() {
    let node = anvil().await;
    let (db, s) = temp_store("killed");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
    let hook: Hook = Arc::new(move |stage| {
        let tx = tx.clone();
        Box::pin(async move {
            if stage == Stage::Broadcast(0) {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                // Killed here: the store never hears of the broadcast.
                std::future::pending::<()>().await;
            }
        })
    });
    let c = client(&node, Duration::from_secs(5));
    let task = tokio::spawn(async move {
        let mut s = s;
        let run = s.begin_run().unwrap();
        let sender = Sender::new(&c, limits(), Some(hook)).unwrap();
        sender
            .send(&mut s, run, &transfer(Address::with_last_byte(0x47)))
            .await
    });
    rx.await.unwrap();
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());

    // The next run: the intent is there, unresolved; the chain mined it.
    // (A killed process frees its lock at exit; the aborted task frees it
    // when the runtime drops it, which may trail the JoinHandle slightly on
    // a loaded machine: wait for it, bounded.)
    let mut s = common::open_when_unlocked(&db).await;
    let open = s.unresolved().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].status, TxStatus::Intent);
    let c = client(&node, Duration::from_secs(5));
    let r = store::reconcile(&mut s, &c).await.unwrap();
    assert!(r.pending.is_empty());
    assert_eq!(r.resolved.len(), 1);
    assert_eq!(r.resolved[0].status, TxStatus::Mined);
    assert!(s.unresolved().unwrap().is_empty());
    // And the next nonce is past it: nothing is sent twice.
    let sender = Sender::new(&c, limits(), None).unwrap();
    assert_eq!(sender.next_nonce(&s).await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_transaction_left_pending_by_a_run_is_replaced_by_the_next() {
    let node = anvil().await;
    rpc(&node, "evm_setAutomine", serde_json::json!([false])).await;
    let c = client(&node, Duration::from_secs(5));
    let (db, mut s) = temp_store("resume");
    let run = s.begin_run().unwrap();
    let mut l = limits();
    l.receipt_timeout = Duration::from_millis(300);
    l.max_replacements = 0;
    let e = Sender::new(&c, l, None)
        .unwrap()
        .send(&mut s, run, &transfer(Address::with_last_byte(0x48)))
        .await
        .unwrap_err();
    assert!(matches!(e, TxError::Stuck { attempts: 1, .. }), "{e}");
    drop(s);

    // The next run: reconciliation finds it pending; resume replaces it.
    let mut s = Store::open(&db).unwrap();
    let r = store::reconcile(&mut s, &c).await.unwrap();
    assert_eq!(r.pending.len(), 1);
    let url = node.url.clone();
    let hook: Hook = Arc::new(move |stage| {
        let url = url.clone();
        Box::pin(async move {
            if stage == Stage::Broadcast(1) {
                let c = Client::new(
                    url,
                    ANVIL_CHAIN_ID,
                    deployed(),
                    None,
                    Duration::from_secs(5),
                );
                c.request::<_, serde_json::Value>("evm_mine", ())
                    .await
                    .unwrap();
            }
        })
    });
    let run = s.begin_run().unwrap();
    let mut l = limits();
    l.receipt_timeout = Duration::from_millis(300);
    let m = Sender::new(&c, l, Some(hook))
        .unwrap()
        .resume(&mut s, run, &r.pending)
        .await
        .unwrap();
    assert_eq!(m.nonce, 0);
    assert_eq!(m.attempts, 2);
    let txs = s.latest_transactions(10).unwrap();
    assert_eq!(txs.len(), 2);
    assert_eq!(txs[0].status, TxStatus::Mined);
    assert_eq!(txs[0].hash, m.hash);
    assert_eq!(txs[1].status, TxStatus::Replaced);
    assert!(txs[0].max_fee_per_gas * 8 >= txs[1].max_fee_per_gas * 9);
}
