//! Full keeper passes against the local Stylus chain running the REAL
//! release wasm, deployed by `il_deploy::deploy::deploy_system`: a price
//! shock (oracle `setAnswer` plus arbitrage swaps by another account, time
//! moved forward) leads to the expected fee tier on chain (the v4 pool's LP fee in slot0), a
//! rebalance (`Rebalanced`) and, with the owner's `hedgeRatioBps`, a hedge
//! (`Hedged`); a pass killed right after a broadcast, followed by another,
//! acts once; an overlapping run is refused by the lock.
//!
//! Needs the release wasm: `CARGO_TARGET_DIR=... scripts/build-contracts.sh`.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{ANSWER, count, counts, keeper_config, shock, system};
use il_deploy::bindings::ILens;
use il_keeper::chain::Client;
use il_keeper::chain::tx::{Hook, Stage};
use il_keeper::config::Config;
use il_keeper::pass::{PassOptions, run_pass};
use il_keeper::policy::Action;
use il_keeper::store::{Store, StoreError, TxStatus};

async fn pass(cfg: &Config, opts: &PassOptions) -> il_keeper::pass::PassReport {
    let client = Client::from_config(cfg).unwrap();
    let mut store = Store::open(&cfg.keeper.state).unwrap();
    run_pass(cfg, &client, &mut store, opts).await.unwrap()
}

fn acted(r: &il_keeper::pass::PassReport) -> Vec<String> {
    r.sent.iter().map(|t| t.rule.clone()).collect()
}

async fn keeper_bin(config: &Path, args: &[&str]) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_il-keeper"));
    c.arg("--config")
        .arg(config)
        .args(args)
        .env_remove("RUST_LOG");
    tokio::task::spawn_blocking(move || c.output().unwrap())
        .await
        .unwrap()
}

fn db(cfg: &Config) -> &Path {
    &cfg.keeper.state
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_shock_moves_the_tier_rebalances_and_hedges_once() {
    let s = system("shock").await;
    let cfg = keeper_config(&s);
    let plain = PassOptions::default();
    // Three observations an hour apart with 10 % moves: sigma far above
    // the top tier's 100 %/yr.
    let r = pass(&cfg, &plain).await;
    assert!(r.estimate.is_none() && r.sent.is_empty());
    shock(&s, ANSWER * 11 / 10).await;
    let r = pass(&cfg, &plain).await;
    assert!(r.estimate.is_none() && r.sent.is_empty());
    shock(&s, ANSWER).await;
    assert_eq!(counts(&s).await, [0, 0, 0]);

    // A pass killed right after its first broadcast...
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
    let hook: Hook = Arc::new(move |stage| {
        let tx = tx.clone();
        Box::pin(async move {
            if stage == Stage::Broadcast(0) {
                if let Some(tx) = tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                std::future::pending::<()>().await;
            }
        })
    });
    let killed_cfg = cfg.clone();
    let task = tokio::spawn(async move {
        let opts = PassOptions {
            dry_run: false,
            hook: Some(hook),
        };
        pass(&killed_cfg, &opts).await
    });
    rx.await.unwrap();
    // ...while it holds the lock, a second run is refused.
    assert!(matches!(Store::open(db(&cfg)), Err(StoreError::Locked(_))));
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    // the aborted task's lock is freed when the runtime drops it
    drop(common::open_when_unlocked(db(&cfg)).await);

    // The next pass reconciles the broadcast and carries on from chain state.
    let r = pass(&cfg, &plain).await;
    assert_eq!(r.reconciled, 1, "{r:?}");
    assert_eq!(
        acted(&r),
        vec!["rebalance".to_string(), "hedge".to_string()],
        "{:#?}",
        r.decisions
    );
    let fee = ILens::new(s.manifest.contracts.lens, &s.owner)
        .position()
        .call()
        .await
        .unwrap()
        .lpFee;
    assert_eq!(
        fee,
        alloy::primitives::U256::from(10_000u32),
        "top tier: 100 bps, in the v4 pool's slot0"
    );
    assert_eq!(counts(&s).await, [1, 1, 1]);
    // Every decision of that pass: the tier holds, the others acted.
    assert!(
        matches!(r.decisions[0].action, Action::Hold),
        "{:?}",
        r.decisions[0]
    );

    // Another pass at once: cooldowns and the tier hold; nothing twice.
    let r = pass(&cfg, &plain).await;
    assert!(r.sent.is_empty(), "{:#?}", r.decisions);
    assert_eq!(counts(&s).await, [1, 1, 1]);
    let store = Store::open(db(&cfg)).unwrap();
    let txs = store.latest_transactions(10).unwrap();
    assert_eq!(txs.len(), 3, "{txs:?}");
    assert!(txs.iter().all(|t| t.status == TxStatus::Mined), "{txs:?}");
    drop(store);

    // The binary against the same chain and store: status and a dry run.
    let toml = s.dir.join("keeper.toml");
    let out = keeper_bin(&toml, &["--json", "status"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tier_index"], 2);
    assert_eq!(v["pool_fee_pips"], 10_000);
    assert_eq!(v["range"]["full_range"], true, "{v}");
    assert_eq!(v["range"]["in_range"], true, "{v}");
    assert!(v["hedge_size"].as_str().unwrap().starts_with('-'), "{v}");
    assert_eq!(v["transactions"].as_array().unwrap().len(), 3);
    assert!(!v["estimates"].as_array().unwrap().is_empty());
    let out = keeper_bin(&toml, &["status"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("fee tier     2 (10000 pips), pool fee 10000 pips"),
        "{text}"
    );
    // the vault holds the full range, the oracle inside it
    assert!(
        text.contains("(full range); oracle tick ") && text.contains(", in range"),
        "{text}"
    );
    assert_eq!(text.matches(" mined 0x").count(), 3, "{text}");
    let out = keeper_bin(&toml, &["tick", "--dry-run"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("tick: block"));
    assert_eq!(counts(&s).await, [1, 1, 1]);

    s.node.shutdown().await.unwrap();
    std::fs::remove_dir_all(&s.dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_through_the_binary_writes_a_manifest_the_keeper_uses() {
    let chain = il_devnet::Devnet::spawn(il_devnet::Config {
        port: 0,
        ..Default::default()
    })
    .await
    .unwrap();
    let key = chain.dev_accounts()[0].private_key.to_string();
    let keeper_addr = chain.dev_accounts()[1].address;
    let dir = std::env::temp_dir().join(format!("il-keeper-deploy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("local.json");
    let _ = std::fs::remove_file(&out);
    let url = chain.url();
    let args: Vec<String> = [
        "deploy",
        "--rpc-url",
        &url,
        "--chain-id",
        "412346",
        "--key-env",
        "IL_TEST_DEPLOYER_KEY",
        "--keeper",
        &keeper_addr.to_string(),
        "--out",
        out.to_str().unwrap(),
        "--price",
        "2000",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    let o = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_il-keeper"))
            .args(&args)
            .env("IL_TEST_DEPLOYER_KEY", key)
            .env_remove("IL_CONFIG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("manifest written to"), "{text}");
    let m = il_deploy::Manifest::load_for_chain(&out, 412_346).unwrap();
    assert_eq!(m.keeper, keeper_addr);
    // the keeper reads it: a dry-run tick through the binary, addresses from the manifest
    let cfg = dir.join("keeper.toml");
    std::fs::write(
        &cfg,
        format!("[chain]\nrpc_url = \"{url}\"\nchain_id = 412346\n[contracts]\nmanifest = \"local.json\"\n[keeper]\nstate = \"k.db\"\n"),
    )
    .unwrap();
    let o = keeper_bin(&cfg, &["tick", "--dry-run"]).await;
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let oracle = il_deploy::bindings::IOracle::new(
        m.contracts.oracle,
        alloy::providers::ProviderBuilder::new().connect_http(url.parse().unwrap()),
    );
    assert_eq!(
        oracle.latestAnswer().call().await.unwrap(),
        alloy::primitives::I256::try_from(200_000_000_000u64).unwrap(),
        "--price 2000 with the feed's 8 decimals"
    );
    chain.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_statement_lists_the_accounts_moves_and_ends_at_the_lens() {
    use alloy::eips::BlockId;
    use il_deploy::bindings::IVault;
    use il_deploy::{ops, send::Sender};

    let s = system("statement").await;
    keeper_config(&s);
    let owner = s.node.dev_accounts()[0].address;
    let friend = s.node.dev_accounts()[3].address;
    let vault = IVault::new(s.manifest.contracts.vault, &s.owner);
    let shares = vault.balanceOf(owner).call().await.unwrap();
    // a quarter of the shares to a friend, a price move, a withdrawal of a
    // third of the rest, another move
    let r = vault
        .transfer(friend, shares / alloy::primitives::U256::from(4u8))
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    shock(&s, ANSWER * 11 / 10).await;
    let left = vault.balanceOf(owner).call().await.unwrap();
    let zero = alloy::primitives::U256::ZERO;
    ops::withdraw(
        &mut Sender::new(&s.owner, owner),
        &s.manifest,
        left / alloy::primitives::U256::from(3u8),
        zero,
        zero,
    )
    .await
    .unwrap();
    shock(&s, ANSWER).await;

    let config = s.dir.join("keeper.toml");
    let csv = s.dir.join("statement.csv");
    let account = owner.to_string();
    let o = keeper_bin(
        &config,
        &[
            "--json",
            "statement",
            "--account",
            &account,
            "--csv",
            csv.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let events: Vec<&str> = rows.iter().map(|r| r["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        ["deposit", "transfer_out", "withdraw", "now"],
        "{v:#}"
    );
    assert_eq!(
        rows[1]["shares_delta"].as_str().unwrap(),
        format!("-{}", shares / alloy::primitives::U256::from(4u8))
    );
    // the last row is the lens's accountOf at the same block, to the unit
    let last = rows.last().unwrap();
    let block = last["block"].as_u64().unwrap();
    let at = ILens::new(s.manifest.contracts.lens, &s.owner)
        .accountOf(owner)
        .block(BlockId::number(block))
        .call()
        .await
        .unwrap();
    for (key, want) in [
        ("shares", at.shares.to_string()),
        ("value", at.value.to_string()),
        ("hold", at.hold.to_string()),
        ("pnl", at.pnl.to_string()),
        ("il", at.il.to_string()),
        ("fees", at.fees.to_string()),
        ("hedge_pnl", at.hedgePnl.to_string()),
    ] {
        assert_eq!(last[key].as_str().unwrap(), want, "{key}");
    }
    assert!(!at.fees.is_zero(), "the arbitrage paid the position fees");
    assert!(v["time_weighted_return"].as_f64().is_some(), "{v:#}");
    // the CSV: a header and one line per row
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), rows.len() + 1, "{text}");
    assert!(
        lines[0].starts_with("block,time,event,tx,shares_delta,"),
        "{text}"
    );
    assert!(lines[2].contains(",transfer_out,"), "{text}");
    // the table: a header, four rows, the return
    let o = keeper_bin(&config, &["statement", "--account", &account]).await;
    let text = String::from_utf8_lossy(&o.stdout);
    eprintln!("{text}");
    assert!(
        text.contains("block") && text.contains("hedge PnL"),
        "{text}"
    );
    assert!(text.contains("time-weighted return: "), "{text}");
    assert_eq!(text.lines().count(), 1 + 1 + 4 + 1, "{text}");
    // the friend's statement: the transfer in, then now
    let o = keeper_bin(
        &config,
        &["--json", "statement", "--account", &friend.to_string()],
    )
    .await;
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let events: Vec<&str> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["transfer_in", "now"], "{v:#}");
    // a stranger: just now, no return
    let o = keeper_bin(
        &config,
        &[
            "statement",
            "--account",
            &s.node.dev_accounts()[4].address.to_string(),
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("time-weighted return: -"), "{text}");
    s.node.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&s.dir);
}

/// Issue 15: the keeper watches its programs' yearly expiry. Fresh programs
/// are not due; 340 days on, `status` and a pass without keepalive warn in
/// one line and exit 0; one with keepalive but a fee cap below the data fee
/// sends nothing and says why; a pass with keepalive renews every program
/// (`codehashKeepalive`, one per code); past expiry the vault's calls fail
/// with `ProgramExpired`, a pass without keepalive fails naming the expired
/// programs, and one with keepalive reactivates them and the vault works.
#[tokio::test(flavor = "multi_thread")]
async fn programs_near_expiry_are_warned_renewed_and_reactivated() {
    use common::rpc;
    use il_keeper::chain::programs::{DAY, Life};

    let s = system("expiry").await;
    let cfg = keeper_config(&s);
    let toml = s.dir.join("keeper.toml");
    let with_keepalive = s.dir.join("keeper-keepalive.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&with_keepalive, format!("{text}keepalive = true\n")).unwrap();
    let renewing = Config::load(Some(&with_keepalive), &Default::default()).unwrap();
    let lens = ILens::new(s.manifest.contracts.lens, &s.owner);
    let later = |days: u64| {
        let node = &s.node;
        async move {
            rpc(node, "evm_increaseTime", serde_json::json!([days * DAY])).await;
            rpc(node, "evm_mine", serde_json::json!([])).await;
        }
    };

    // Fresh: every contract is a program with a year left; nothing is due.
    let r = pass(&cfg, &PassOptions::default()).await;
    assert!(r.sent.is_empty(), "{:?}", r.sent);
    let mut names: Vec<&str> = r
        .lifetimes
        .programs
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "engine",
            "hedge",
            "lens",
            "manager",
            "manager_ops",
            "oracle",
            "planner",
            "token0",
            "token1",
            "vault",
            "vault_ops"
        ]
    );
    assert!(
        r.lifetimes
            .programs
            .iter()
            .all(|p| p.secs_left() > 364 * DAY)
    );

    // 340 days on: inside the 30-day margin. Warned, exit 0, nothing sent.
    later(340).await;
    for args in [&["status"][..], &["tick"][..]] {
        let out = keeper_bin(&toml, args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("Stylus programs need renewal"))
            .collect();
        assert_eq!(warnings.len(), 1, "{args:?}: {stderr}");
        assert!(warnings[0].contains("vault ("), "{}", warnings[0]);
        assert!(
            warnings[0].contains("expires in 25.0 days"),
            "{}",
            warnings[0]
        );
    }
    let out = keeper_bin(&toml, &["status"]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("program      vault"), "{stdout}");

    // With keepalive but a fee cap below ArbWasm's data fee: nothing is
    // sent, each program's skip is said, and the tick succeeds (the
    // programs still run).
    let capped = s.dir.join("keeper-capped.toml");
    std::fs::write(
        &capped,
        format!("{text}keepalive = true\nkeepalive_max_fee_eth = 0.000001\n"),
    )
    .unwrap();
    let out = keeper_bin(&capped, &["tick"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let skips: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("above keeper.keepalive_max_fee_eth = 1000000000000 wei"))
        .collect();
    assert_eq!(skips.len(), 11, "{stderr}");
    assert!(skips.iter().any(|l| l.contains("vault (")), "{skips:?}");
    let r = pass(&cfg, &PassOptions::default()).await;
    assert!(
        r.lifetimes
            .programs
            .iter()
            .all(|p| p.secs_left() < 30 * DAY),
        "nothing was renewed"
    );

    // With keepalive: one codehashKeepalive per distinct code (the two test
    // tokens share theirs), then a year left again and nothing due.
    let r = pass(&renewing, &PassOptions::default()).await;
    let rules: Vec<&str> = r.sent.iter().map(|t| t.rule.as_str()).collect();
    assert_eq!(rules.len(), 10, "{rules:?}");
    assert!(
        rules.iter().all(|r| r.starts_with("keepalive:")),
        "{rules:?}"
    );
    let r = pass(&renewing, &PassOptions::default()).await;
    assert!(r.sent.is_empty(), "{:?}", r.sent);
    assert!(
        r.lifetimes
            .programs
            .iter()
            .all(|p| p.secs_left() > 364 * DAY)
    );

    // Past expiry: the vault cannot be read, a pass without keepalive fails
    // (exit 1) naming the expired programs.
    later(366).await;
    let err = lens.accounting().call().await.unwrap_err();
    let data = err.as_revert_data().expect("a revert with data");
    let named = il_deploy::bindings::decode_revert(&data).unwrap();
    assert!(named.starts_with("ProgramExpired"), "{named}");
    let out = keeper_bin(&toml, &["tick"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot run until renewed"), "{stderr}");
    assert!(stderr.contains("expired 1.0 days ago"), "{stderr}");
    let out = keeper_bin(&toml, &["status"]).await;
    assert_eq!(out.status.code(), Some(1));

    // With keepalive: reactivated, and the vault answers again.
    let r = pass(&renewing, &PassOptions::default()).await;
    let rules: Vec<&str> = r.sent.iter().map(|t| t.rule.as_str()).collect();
    assert_eq!(rules.len(), 10, "{rules:?}");
    assert!(
        rules.iter().all(|r| r.starts_with("reactivate:")),
        "{rules:?}"
    );
    assert!(
        r.lifetimes
            .programs
            .iter()
            .all(|p| matches!(p.life, Life::Expired { .. }))
    );
    lens.accounting().call().await.unwrap();
    let r = pass(&renewing, &PassOptions::default()).await;
    assert!(r.sent.is_empty(), "{:?}", r.sent);
    s.node.shutdown().await.unwrap();
    std::fs::remove_dir_all(&s.dir).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_out_of_the_range_is_reranged_once_and_withdrawn_at_the_lens_value() {
    use alloy::primitives::U256;
    use alloy::providers::Provider;
    use alloy::sol_types::SolEvent;
    use il_deploy::bindings::{IManager, IVault};
    use il_deploy::{ops, send::Sender};

    let s = system("range").await;
    let cfg = keeper_config(&s);
    let plain = PassOptions::default();
    let c = s.manifest.contracts;
    let owner = s.node.dev_accounts()[0].address;
    // No hedge (the withdrawal below is the range's alone); a range rule:
    // k = 0.5, a day's horizon, 10 to 50 spacings wide (at most +/- 16 %
    // around the oracle, whatever the volatility).
    let manager = IManager::new(c.manager, &s.owner);
    for r in [
        manager
            .setParams(86_400, 100, 100, 0, 2_500, 600, 0, U256::MAX, 2_000, 600)
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap(),
        manager
            .setRangeRule(5_000, 86_400, 600, 3_000)
            .send()
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap(),
    ] {
        assert!(r.status());
    }
    let reranged = || count(&s, c.vault, IVault::Reranged::SIGNATURE_HASH);
    let vault_range = || async {
        let p = IVault::new(c.vault, &s.owner).pool().call().await.unwrap();
        (
            i32::try_from(p.tickLower).unwrap(),
            i32::try_from(p.tickUpper).unwrap(),
        )
    };
    let oracle_tick = || async {
        let sqrt = ops::oracle_sqrt_price(&s.owner, &s.manifest).await.unwrap();
        il_math::tick_at_sqrt_price(sqrt).unwrap()
    };
    // Volatility needs three observations; the third pass reports it and
    // places the first range (the vault starts in the full range).
    pass(&cfg, &plain).await;
    shock(&s, ANSWER * 105 / 100).await;
    pass(&cfg, &plain).await;
    shock(&s, ANSWER).await;
    let r = pass(&cfg, &plain).await;
    assert!(
        acted(&r).contains(&"range".to_string()),
        "{:#?}",
        r.decisions
    );
    assert_eq!(reranged().await, 1);
    let first = vault_range().await;
    assert!((600..=3_000).contains(&(first.1 - first.0)), "{first:?}");

    // The market walks 30 % up, out of the range: one re-range, centred on
    // the oracle's tick.
    shock(&s, ANSWER * 13 / 10).await;
    let tick = oracle_tick().await;
    assert!(tick >= first.1, "{tick} {first:?}");
    let r = pass(&cfg, &plain).await;
    let range: Vec<_> = r
        .decisions
        .iter()
        .filter(|d| d.rule == il_keeper::policy::Rule::Range)
        .collect();
    assert_eq!(range.len(), 1);
    assert!(
        matches!(
            range[0].action,
            Action::Rerange {
                reason: il_keeper::policy::RerangeReason::OutOfRange
            }
        ),
        "{:#?}",
        range[0]
    );
    assert_eq!(reranged().await, 2);
    let now = vault_range().await;
    assert!(
        (now.0 + now.1 - 2 * tick).abs() <= 60,
        "{now:?} around {tick}"
    );
    let logs = s
        .owner
        .get_logs(
            &alloy::rpc::types::Filter::new()
                .address(c.vault)
                .event_signature(IVault::Reranged::SIGNATURE_HASH)
                .from_block(0),
        )
        .await
        .unwrap();
    let last = IVault::Reranged::decode_log_data(logs[1].data()).unwrap();
    assert_eq!(
        (
            i32::try_from(last.fromLower).unwrap(),
            i32::try_from(last.fromUpper).unwrap(),
            i32::try_from(last.toLower).unwrap(),
            i32::try_from(last.toUpper).unwrap()
        ),
        (first.0, first.1, now.0, now.1)
    );
    // A second pass at once re-ranges nothing.
    let r = pass(&cfg, &plain).await;
    assert!(
        !acted(&r).contains(&"range".to_string()),
        "{:#?}",
        r.decisions
    );
    assert_eq!(reranged().await, 2);
    // status shows the range
    let out = keeper_bin(&s.dir.join("keeper.toml"), &["status"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "range        [{}, {}); oracle tick ",
            now.0, now.1
        )) && text.contains(", in range; rule k 5000 bps"),
        "{text}"
    );

    // The depositor's statement says when the vault re-ranged (IL
    // realised), with the ranges.
    let out = keeper_bin(
        &s.dir.join("keeper.toml"),
        &["--json", "statement", "--account", &owner.to_string()],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reranges: Vec<&serde_json::Value> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["event"] == "rerange")
        .collect();
    assert_eq!(reranges.len(), 2, "{v}");
    assert_eq!(
        reranges[1]["range"],
        serde_json::json!([first.0, first.1, now.0, now.1]),
        "{v}"
    );

    // Everything withdrawn is worth what the lens said, within 0.1 %.
    let lens = il_deploy::bindings::ILens::new(c.lens, &s.owner);
    let before = lens.accountOf(owner).call().await.unwrap();
    let price = lens.price().call().await.unwrap();
    let w = ops::withdraw(
        &mut Sender::new(&s.owner, owner),
        &s.manifest,
        before.shares,
        U256::ZERO,
        U256::ZERO,
    )
    .await
    .unwrap();
    let paid = w.amount0 * price.num / price.den + w.amount1;
    assert!(
        paid <= before.value && before.value - paid <= before.value / U256::from(1_000u32),
        "paid {paid}, lens {}",
        before.value
    );
    s.node.shutdown().await.unwrap();
    std::fs::remove_dir_all(&s.dir).unwrap();
}
