//! `il-demo`: the whole product on a local Stylus chain, in one command.
//!
//! Starts `il-devnet` in process on a free port, deploys and wires every
//! contract from the release wasm with the deployer, funds a depositor
//! (alice) and a trader (bob), deposits from alice's wallet, then walks a
//! seeded daily price path: each day the oracle moves, bob arbitrages the
//! pool to it, and the real `il-keeper tick` binary runs against the chain
//! as cron would run it. Alice withdraws at the end (unless `--no-withdrawal`:
//! she keeps her shares, e.g. for the web page). The summary comes from
//! the chain (the lens's views and the contracts' events), with the same
//! path's backtest beside it.
//!
//! With `--keep-running` the chain stays up, `cast` commands to use it are
//! printed, and the depositor's web page (the built `web/dist`, see
//! `--web-dir`) is served on 127.0.0.1 with the deployment's
//! `/manifest.json` and a `/network.json` naming the chain, until Ctrl-C or
//! SIGTERM stops the page and then the chain (exit 0).
//!
//! Any failure prints one line `il-demo: ...`, stops the chain and exits 1.

mod web;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use alloy::{
    eips::BlockNumberOrTag,
    network::EthereumWallet,
    primitives::{B256, I256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
};
use clap::Parser;
use il_deploy::{
    Manifest,
    bindings::{ILens, IManager, IVault},
    deploy::{Artifacts, SystemConfig, deploy_system},
    ops::{self, fmt_units},
    send::Sender,
};
use il_devnet::{Config, Devnet, DevnetHandle};
use il_keeper::backtest::prices::{Model, Synthetic, generate};
use tokio::signal::unix::{SignalKind, signal};

/// The one-command demo of il-guard.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Days of the price path (one oracle update, arbitrage and keeper tick per day).
    #[arg(long, default_value_t = 45, value_parser = clap::value_parser!(u32).range(2..=3650))]
    days: u32,
    /// Annualised volatility of the seeded GBM path.
    #[arg(long, default_value_t = 1.1)]
    sigma: f64,
    /// Seed of the path (same seed, same path).
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// First ETH price, USD.
    #[arg(long, default_value_t = 1_850.25)]
    start_price: f64,
    /// Alice's deposit, whole tWETH (tUSDC follows at the first price).
    #[arg(long, default_value_t = 10)]
    deposit_eth: u64,
    /// Leave the chain running at the end, print `cast` commands to use it,
    /// and serve the depositor's web page (`--web-dir`) against it.
    #[arg(long)]
    keep_running: bool,
    /// Alice keeps her shares at the end (no withdrawal): the vault stays
    /// funded, e.g. for the web page with `--keep-running`.
    #[arg(long)]
    no_withdrawal: bool,
    /// Port of the local chain (0: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The il-keeper binary (default: next to this one).
    #[arg(long, env = "IL_KEEPER_BIN")]
    keeper_bin: Option<PathBuf>,
    /// Directory of the release wasm (default: the build's target dir).
    #[arg(long, env = "IL_WASM_DIR")]
    wasm_dir: Option<PathBuf>,
    /// Where the manifest, keeper config, keeper state and path CSV go.
    #[arg(long, default_value = "out/demo")]
    out: PathBuf,
    /// The built web page served with `--keep-running` (`npm --prefix web run build`).
    #[arg(long, env = "IL_WEB_DIR", default_value = "web/dist")]
    web_dir: PathBuf,
    /// Port of the web page with `--keep-running` (0: a free one).
    #[arg(long, default_value_t = 0)]
    web_port: u16,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = Args::parse();
    let started = Instant::now();
    match run(&args).await {
        Ok(()) => println!("\ndone in {:.1} s", started.elapsed().as_secs_f64()),
        Err(e) => {
            eprintln!("il-demo: {e}");
            std::process::exit(1);
        }
    }
}

/// Prints a progress line.
fn step(text: &str) {
    println!("==> {text}");
}

fn e<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |err| format!("{what}: {err}")
}

/// Everything the keeper did, from the chain's events.
#[derive(Debug, Default)]
struct Actions {
    tiers: Vec<(u64, u32, u32, B256)>,
    rebalances: Vec<(u64, u16, u16, B256)>,
    hedges: Vec<(u64, I256, I256, B256)>,
}

async fn run(args: &Args) -> Result<(), String> {
    if !(args.sigma.is_finite() && args.sigma > 0.0 && args.sigma < 5.0) {
        return Err(format!("--sigma {} is not in (0, 5)", args.sigma));
    }
    let keeper_bin = match &args.keeper_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .map_err(e("locating il-demo"))?
            .with_file_name("il-keeper"),
    };
    if !keeper_bin.is_file() {
        return Err(format!(
            "{} not found: build it with `cargo build --release -p il-keeper` (scripts/demo.sh does)",
            keeper_bin.display()
        ));
    }
    let artifacts = Artifacts::load(args.wasm_dir.as_deref()).map_err(|err| err.to_string())?;
    std::fs::create_dir_all(&args.out).map_err(e(&format!("creating {}", args.out.display())))?;
    let out = args.out.canonicalize().map_err(e("out dir"))?;

    let path = generate(&Synthetic {
        model: Model::Gbm,
        sigma: args.sigma,
        drift: 0.0,
        days: args.days,
        steps_per_day: 1,
        seed: args.seed,
        start_price: args.start_price,
        ..Synthetic::default()
    })
    .map_err(e("price path"))?;
    write_path_csv(&out.join("path.csv"), &path.times, &path.close)?;
    // bound now, so that a taken --web-port fails before the long run
    let web_listener = if args.keep_running {
        Some(web::bind(args.web_port).await?)
    } else {
        None
    };

    let chain = Devnet::spawn(Config {
        port: args.port,
        ..Default::default()
    })
    .await
    .map_err(e("local chain"))?;
    let url = chain.url();
    step(&format!(
        "local Stylus chain at {url} (chain id {})",
        chain.chain_id()
    ));
    let keys: Vec<PrivateKeySigner> = chain.dev_accounts()[..4]
        .iter()
        .map(|a| PrivateKeySigner::from_bytes(&a.private_key).expect("dev keys are valid"))
        .collect();
    let result = drive(
        args,
        &url,
        &keys,
        &artifacts,
        &out,
        &path.close,
        &keeper_bin,
    )
    .await;
    let result = match (result, web_listener) {
        (Ok(()), Some(listener)) => keep_running(args, &chain, &out, &keys, listener).await,
        (result, _) => result,
    };
    chain.shutdown().await.map_err(e("stopping the chain"))?;
    result
}

/// Prints how to use the chain, serves the web page (if built) and waits
/// for Ctrl-C or SIGTERM; the page stops before this returns.
async fn keep_running(
    args: &Args,
    chain: &DevnetHandle,
    out: &Path,
    keys: &[PrivateKeySigner],
    listener: tokio::net::TcpListener,
) -> Result<(), String> {
    // installed before the line scripts wait for: from then on SIGTERM is a stop
    let mut term = signal(SignalKind::terminate()).map_err(e("SIGTERM handler"))?;
    let url = chain.url();
    print_cast_help(&url, out, keys);
    println!();
    let server = if args.web_dir.join("index.html").is_file() {
        let manifest =
            std::fs::read(out.join("manifest.json")).map_err(e("reading manifest.json"))?;
        let network = serde_json::json!({
            "chainId": chain.chain_id(),
            "rpcUrl": url,
            "name": "il-devnet (local)",
        });
        let server = web::WebServer::start(
            listener,
            &args.web_dir,
            manifest,
            network.to_string().into_bytes(),
        )?;
        println!("web page: http://{}/", server.addr());
        println!(
            "  in a browser wallet: import alice's dev key (KEY above, account 2) and add the network chain id {}, RPC {url}",
            chain.chain_id()
        );
        Some(server)
    } else {
        drop(listener);
        println!("web page: not built (npm --prefix web ci && npm --prefix web run build)");
        None
    };
    println!("\nthe chain keeps running; Ctrl-C stops it");
    let _ = std::io::stdout().flush();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    if let Some(server) = server {
        server.shutdown().await;
    }
    Ok(())
}

#[allow(clippy::too_many_lines)]
async fn drive(
    args: &Args,
    url: &str,
    keys: &[PrivateKeySigner],
    artifacts: &Artifacts,
    out: &Path,
    closes: &[f64],
    keeper_bin: &Path,
) -> Result<(), String> {
    let (owner, keeper, alice, bob) = (&keys[0], &keys[1], &keys[2], &keys[3]);
    let mut wallet = EthereumWallet::from(owner.clone());
    wallet.register_signer(alice.clone());
    wallet.register_signer(bob.clone());
    let provider = ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(url.parse().map_err(e("url"))?)
        .erased();

    // 1. deploy
    let answer = |price: f64| U256::from((price * 1e8).round() as u128);
    let config = SystemConfig::test_tokens(keeper.address(), answer(closes[0]));
    step("deploying from the release wasm (StylusDeployer: create + activate + constructor)");
    let m = deploy_system(&provider, owner.address(), artifacts, &config, |s| {
        println!("    {s}")
    })
    .await
    .map_err(|err| err.to_string())?;
    let manifest_path = out.join("manifest.json");
    m.save(&manifest_path).map_err(|err| err.to_string())?;
    println!("    manifest: {}", manifest_path.display());

    // 2. the owner turns the hedge on (half of the LP's token0)
    let mut owner_tx = Sender::new(&provider, owner.address());
    let manager = IManager::new(m.contracts.manager, &provider);
    let p = manager.params().call().await.map_err(e("manager.params"))?;
    owner_tx
        .send_call(
            "manager.setParams(hedgeRatioBps = 5000)",
            m.contracts.manager,
            IManager::setParamsCall {
                maxPriceAge: p.maxPriceAge,
                maxDeviationBps: p.maxDeviationBps,
                maxSlippageBps: p.maxSlippageBps,
                minLpBps: 2_000,
                maxStepBps: p.maxStepBps,
                rebalanceCooldown: p.rebalanceCooldown,
                hedgeRatioBps: 5_000,
                maxHedgeStep: p.maxHedgeStep,
                collateralBps: p.collateralBps,
                hedgeCooldown: p.hedgeCooldown,
            },
        )
        .await
        .map_err(|err| err.to_string())?;
    step("owner: hedge ratio 50 % of the LP's token0, LP share floor 20 %");

    // 3. wallets
    let unit0 = U256::from(10u64).pow(U256::from(18));
    let amount0 = U256::from(args.deposit_eth) * unit0;
    let amount1 = config.token1_for(amount0).map_err(|err| err.to_string())?;
    ops::mint_test_tokens(&mut owner_tx, &m, alice.address(), amount0, amount1)
        .await
        .map_err(|err| err.to_string())?;
    ops::mint_test_tokens(
        &mut owner_tx,
        &m,
        bob.address(),
        U256::from(100_000u64) * unit0,
        U256::from(500_000_000_000_000u64),
    )
    .await
    .map_err(|err| err.to_string())?;
    step(&format!(
        "alice {} and bob {} funded with test tokens",
        alice.address(),
        bob.address()
    ));
    let mut alice_tx = Sender::new(&provider, alice.address());
    let dep = ops::deposit(&mut alice_tx, &m, amount0, amount1, U256::from(1))
        .await
        .map_err(|err| err.to_string())?;
    let share_decimals = IVault::new(m.contracts.vault, &provider)
        .decimals()
        .call()
        .await
        .map_err(e("vault.decimals"))?;
    step(&format!(
        "alice deposits {} tWETH + {} tUSDC -> {} shares  tx {}",
        fmt_units(dep.amount0, 18, 4),
        fmt_units(dep.amount1, 6, 2),
        fmt_units(dep.shares, share_decimals, 12),
        dep.tx
    ));

    // 4. the keeper's config, as a user would write it
    let keeper_toml = out.join("keeper.toml");
    let state = out.join("keeper.db");
    for stale in [state.clone(), out.join("keeper.db.lock")] {
        let _ = std::fs::remove_file(stale);
    }
    std::fs::write(
        &keeper_toml,
        format!(
            "[chain]\nrpc_url = \"{url}\"\nchain_id = 412346\n\n[contracts]\nmanifest = \"manifest.json\"\n\n[keeper]\nkey_env = \"IL_DEMO_KEEPER_KEY\"\nstate = \"keeper.db\"\n"
        ),
    )
    .map_err(e("writing keeper.toml"))?;
    step(&format!(
        "keeper {} configured: {}",
        keeper.address(),
        keeper_toml.display()
    ));

    // 5. the price path, one day per step
    let latest = provider
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await
        .map_err(e("latest block"))?
        .ok_or("no latest block")?;
    let t0 = latest.header.timestamp + 60;
    let mut bob_tx = Sender::new(&provider, bob.address());
    // the v4 pool's LP fee (slot0), as the manager's hook last set it
    let mut fee_in_force = ops::slot0(&provider, &m)
        .await
        .map_err(|err| err.to_string())?
        .lp_fee;
    let mut actions = Actions::default();
    let mut from_block = provider
        .get_block_number()
        .await
        .map_err(e("block number"))?
        + 1;
    step(&format!(
        "{} days of prices (GBM, sigma {:.0} %/yr, seed {}): oracle, arbitrage, il-keeper tick",
        closes.len() - 1,
        args.sigma * 100.0,
        args.seed
    ));
    for (day, &price) in closes.iter().enumerate().skip(1) {
        let t = t0 + day as u64 * 86_400;
        let _: serde_json::Value = provider
            .raw_request("evm_setNextBlockTimestamp".into(), (t,))
            .await
            .map_err(e("evm_setNextBlockTimestamp"))?;
        ops::set_oracle(
            &mut owner_tx,
            &m,
            I256::try_from(answer(price)).map_err(e("answer"))?,
        )
        .await
        .map_err(|err| err.to_string())?;
        let swap = ops::arbitrage_to_oracle(&mut bob_tx, &provider, &m, 1)
            .await
            .map_err(|err| err.to_string())?;
        let tick = Command::new(keeper_bin)
            .arg("--config")
            .arg(&keeper_toml)
            .arg("tick")
            .env(
                "IL_DEMO_KEEPER_KEY",
                alloy::primitives::hex::encode_prefixed(keeper.to_bytes()),
            )
            .env_remove("IL_CONFIG")
            .output()
            .map_err(e("running il-keeper"))?;
        if !tick.status.success() {
            let err = String::from_utf8_lossy(&tick.stderr);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("(no output)");
            return Err(format!(
                "day {day}: il-keeper tick exited {}: {last}",
                tick.status.code().unwrap_or(-1)
            ));
        }
        let to_block = provider
            .get_block_number()
            .await
            .map_err(e("block number"))?;
        let new = collect_actions(
            &provider,
            &m,
            from_block,
            to_block,
            day as u64,
            &mut actions,
            &mut fee_in_force,
        )
        .await?;
        from_block = to_block + 1;
        let fee = ops::slot0(&provider, &m)
            .await
            .map_err(|err| err.to_string())?
            .lp_fee;
        let trade = swap.map_or_else(
            || "no trade".to_owned(),
            |s| {
                format!(
                    "bob {} {}",
                    if s.zero_for_one { "sells" } else { "buys" },
                    if s.zero_for_one {
                        fmt_units(s.amount_in, 18, 3) + " tWETH"
                    } else {
                        fmt_units(s.amount_out, 18, 3) + " tWETH"
                    }
                )
            },
        );
        println!(
            "    day {day:>3}  ETH {:>10}  pool fee {:>3} bps  {trade:<24} keeper: {}",
            money(price),
            fee / 100,
            if new.is_empty() {
                "-".to_owned()
            } else {
                new.join(", ")
            }
        );
    }

    // 6. alice's account from the lens, then her withdrawal
    let lens = ILens::new(m.contracts.lens, &provider);
    let acct = lens
        .accountOf(alice.address())
        .call()
        .await
        .map_err(e("lens.accountOf"))?;
    let vault_view = lens
        .accounting()
        .call()
        .await
        .map_err(e("lens.accounting"))?;
    let wd = if args.no_withdrawal {
        step("alice keeps her shares (--no-withdrawal)");
        None
    } else {
        let wd = ops::withdraw(&mut alice_tx, &m, dep.shares, U256::ZERO, U256::ZERO)
            .await
            .map_err(|err| err.to_string())?;
        step(&format!(
            "alice withdraws {} shares -> {} tWETH + {} tUSDC (hedge payout {} tUSDC)  tx {}",
            fmt_units(wd.shares, share_decimals, 12),
            fmt_units(wd.amount0, 18, 4),
            fmt_units(wd.amount1, 6, 2),
            fmt_units(wd.hedge_paid, 6, 2),
            wd.tx
        ));
        Some(wd)
    };

    // 7. the same path through the backtest
    let deposited = dep.amount0 * answer(closes[0])
        / U256::from(100_000_000u64)
        / U256::from(1_000_000_000_000u64)
        + dep.amount1;
    let backtest = run_backtest(keeper_bin, out, &deposited)?;

    // 8. summary
    println!(
        "\n=== on chain (lens.accountOf(alice){}; tUSDC) ===",
        if wd.is_some() {
            " before her withdrawal"
        } else {
            ""
        }
    );
    let row = |k: &str, v: String| println!("  {k:<28}{v:>16}");
    row(
        "deposited value",
        fmt_signed(I256::try_from(deposited).unwrap_or_default()),
    );
    row(
        "value now",
        fmt_signed(I256::try_from(acct.value).unwrap_or_default()),
    );
    row(
        "hold value now",
        fmt_signed(I256::try_from(acct.hold).unwrap_or_default()),
    );
    row("total PnL vs hold", fmt_signed(acct.pnl));
    row("  IL (divergence loss)", fmt_signed(acct.il));
    row("  fee income", fmt_signed(acct.fees));
    row("  hedge PnL", fmt_signed(acct.hedgePnl));
    println!(
        "  vault-wide: pnl {} = il {} + fees {} + hedge {}",
        fmt_signed(vault_view.pnl),
        fmt_signed(vault_view.il),
        fmt_signed(vault_view.fees),
        fmt_signed(vault_view.hedgePnl)
    );
    println!("  deposit  tx {}", dep.tx);
    if let Some(wd) = &wd {
        println!("  withdraw tx {}", wd.tx);
    }
    println!("\n=== keeper actions on chain ===");
    println!("  fee-tier changes: {}", actions.tiers.len());
    for (day, from, to, tx) in &actions.tiers {
        println!(
            "    day {day:>3}  {} -> {} bps  tx {tx}",
            from / 100,
            to / 100
        );
    }
    println!("  rebalances: {}", actions.rebalances.len());
    for (day, from, to, tx) in &actions.rebalances {
        println!(
            "    day {day:>3}  LP {} % -> {} %  tx {tx}",
            from / 100,
            to / 100
        );
    }
    println!("  hedges: {}", actions.hedges.len());
    for (day, from, to, tx) in &actions.hedges {
        println!(
            "    day {day:>3}  short {} -> {} tWETH  tx {tx}",
            fmt_units(from.unsigned_abs(), 18, 4),
            fmt_units(to.unsigned_abs(), 18, 4)
        );
    }
    println!("\n{backtest}");
    Ok(())
}

/// Reads this step's fee-tier changes (the manager's `VolatilityUpdated`
/// with `changed`: it set the pool's LP fee), `Rebalanced` and `Hedged`
/// events; `fee` is the fee in force before them, updated.
async fn collect_actions(
    provider: &DynProvider,
    m: &Manifest,
    from: u64,
    to: u64,
    day: u64,
    actions: &mut Actions,
    fee: &mut u32,
) -> Result<Vec<String>, String> {
    let filter = Filter::new()
        .from_block(from)
        .to_block(to)
        .address(m.contracts.manager);
    let logs = provider.get_logs(&filter).await.map_err(e("eth_getLogs"))?;
    let mut new = Vec::new();
    for log in logs {
        let tx = log.transaction_hash.unwrap_or_default();
        if let Ok(ev) = log.log_decode::<IManager::VolatilityUpdated>() {
            let d = ev.inner.data;
            if d.changed {
                new.push(format!("fee {} -> {} bps", *fee / 100, d.feePips / 100));
                actions.tiers.push((day, *fee, d.feePips, tx));
                *fee = d.feePips;
            }
        } else if let Ok(ev) = log.log_decode::<IManager::Rebalanced>() {
            let d = ev.inner.data;
            new.push(format!(
                "rebalance LP {} % -> {} %",
                d.fromBps / 100,
                d.toBps / 100
            ));
            actions.rebalances.push((day, d.fromBps, d.toBps, tx));
        } else if let Ok(ev) = log.log_decode::<IManager::Hedged>() {
            let d = ev.inner.data;
            new.push(format!(
                "hedge short {} tWETH",
                fmt_units(d.newSize.unsigned_abs(), 18, 3)
            ));
            actions.hedges.push((day, d.previousSize, d.newSize, tx));
        }
    }
    Ok(new)
}

/// Runs `il-keeper backtest` over the same path (the CSV written at the
/// start) with the contracts' parameters, and formats its keeper row.
fn run_backtest(keeper_bin: &Path, out: &Path, deposited: &U256) -> Result<String, String> {
    let capital = deposited.to_string().parse::<f64>().unwrap_or(0.0) / 1e6;
    let output = Command::new(keeper_bin)
        .args(["--json", "backtest", "--prices"])
        .arg(out.join("path.csv"))
        .args([
            "--capital",
            &format!("{capital:.2}"),
            "--noise-turnover",
            "0",
            "--tick",
            "1d",
        ])
        .args([
            "--tiers",
            "0:500,0.6:3000,1.0:10000",
            "--hysteresis",
            "0.05",
            "--initial-tier",
            "0",
            "--vault-hedge-ratio-bps",
            "5000",
            "--min-lp-bps",
            "2000",
        ])
        .env_remove("IL_CONFIG")
        .output()
        .map_err(e("running il-keeper backtest"))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "il-keeper backtest: {}",
            err.lines().last().unwrap_or("failed")
        ));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(e("backtest JSON"))?;
    let mut text = String::from(
        "=== the same path in the backtest (il-keeper backtest --prices path.csv; tUSDC, capital = alice's deposit) ===\n",
    );
    let strategies = report["strategies"].as_array().cloned().unwrap_or_default();
    text.push_str(&format!(
        "  {:<14}{:>14}{:>14}{:>14}{:>14}{:>9}\n",
        "strategy", "vs hold", "IL", "fees", "hedge PnL", "actions"
    ));
    for s in strategies {
        let f = |k: &str| s[k].as_f64().unwrap_or(0.0);
        text.push_str(&format!(
            "  {:<14}{:>14}{:>14}{:>14}{:>14}{:>9}\n",
            s["label"].as_str().unwrap_or("?"),
            money(f("vs_hold")),
            money(f("il")),
            money(f("fee_income")),
            money(f("hedge_pnl")),
            s["actions"].as_u64().unwrap_or(0)
        ));
    }
    text.push_str(
        "  Set up alike: the same daily closes, fee tiers and hysteresis, hedge ratio (50 %), LP floor (20 %),\n  \
         a keeper tick a day, hedge venue fee 5 bps and no funding, no uninformed volume. The `keeper` row is\n  \
         the one to hold against the chain. Where they differ, the model does: the chain's trader pushes the\n  \
         pool's spot all the way to the oracle each day while the backtest's arbitrageur stops where the\n  \
         marginal price net of the fee meets it; the chain's keeper builds its volatility history from its\n  \
         own observations (an empty SQLite store on day 0), sees the pool and oracle through the chain\n  \
         and is refused by on-chain bounds; the chain counts in integers rounded in the vault's favour,\n  \
         the backtest in f64.\n",
    );
    Ok(text)
}

fn write_path_csv(file: &Path, times: &[i64], closes: &[f64]) -> Result<(), String> {
    let mut text = String::from("timestamp,close\n");
    for (t, c) in times.iter().zip(closes) {
        text.push_str(&format!("{t},{c}\n"));
    }
    std::fs::write(file, text).map_err(e(&format!("writing {}", file.display())))
}

fn print_cast_help(url: &str, out: &Path, keys: &[PrivateKeySigner]) {
    let m = Manifest::load(&out.join("manifest.json")).ok();
    let Some(m) = m else { return };
    let c = m.contracts;
    let key = alloy::primitives::hex::encode_prefixed(keys[2].to_bytes());
    println!("\n=== inspect or use the vault with cast (node_modules/.bin/cast) ===");
    println!(
        "export RPC={url} VAULT={} LENS={} TOKEN0={} TOKEN1={}",
        c.vault, c.lens, c.token0, c.token1
    );
    println!(
        "cast call $LENS 'accounting()(uint256,uint256,int256,int256,int256,int256)' --rpc-url $RPC"
    );
    println!("cast call $VAULT 'totalSupply()(uint256)' --rpc-url $RPC");
    println!(
        "# alice's dev key (the standard test mnemonic, account 2): never use it on a real chain"
    );
    println!("export KEY={key}");
    println!("cast send $TOKEN0 'faucet()' --private-key $KEY --rpc-url $RPC");
    println!("cast send $TOKEN1 'faucet()' --private-key $KEY --rpc-url $RPC");
    println!(
        "cast send $TOKEN0 'approve(address,uint256)' $VAULT 1000000000000000000 --private-key $KEY --rpc-url $RPC"
    );
    println!(
        "cast send $TOKEN1 'approve(address,uint256)' $VAULT 5000000000 --private-key $KEY --rpc-url $RPC"
    );
    println!(
        "cast send $VAULT 'deposit(uint256,uint256,uint256,address)' 1000000000000000000 5000000000 1 {} --private-key $KEY --rpc-url $RPC",
        keys[2].address()
    );
}

/// Signed token1 raw (6 decimals) as money.
fn fmt_signed(v: I256) -> String {
    let sign = if v.is_negative() { "-" } else { "" };
    format!("{sign}{}", fmt_units(v.unsigned_abs(), 6, 2))
}

/// A float as money with thousands separators.
fn money(v: f64) -> String {
    il_keeper::backtest::report::money(v, 2)
}
