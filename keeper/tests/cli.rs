//! The binary as a user (or cron) runs it: stdout, stderr, exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn keeper(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_il-keeper"))
        .args(args)
        // No stray keeper.toml from the caller's directory, no env overrides.
        .current_dir(std::env::temp_dir())
        .env_remove("RUST_LOG")
        .env_remove("IL_JSON")
        .env_remove("IL_CONFIG")
        .output()
        .expect("run il-keeper")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("il-keeper-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Exit 2 with exactly one line on stderr, containing `needle`.
fn assert_input_error(o: &Output, needle: &str) {
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout: {} stderr: {}",
        stdout(o),
        stderr(o)
    );
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
    assert!(stdout(o).is_empty());
}

#[test]
fn il_ratio_json_is_the_documented_object() {
    let o = keeper(&["il", "--ratio", "2", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "{\"ratio\":2,\"il\":-0.057190958417936635}\n");
}

#[test]
fn il_from_to_equals_ratio() {
    let a = keeper(&["il", "--from", "1800.5", "--to", "3601", "--json"]);
    let b = keeper(&["il", "--ratio", "2", "--json"]);
    assert_eq!(stdout(&a), stdout(&b));
    let human = keeper(&["il", "--ratio", "2"]);
    assert!(
        stdout(&human).contains("-5.7190958417936635 %"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn il_bad_input_exits_2_with_one_line() {
    assert_input_error(
        &keeper(&["il", "--ratio", "0"]),
        "error: --ratio 0: price is zero",
    );
    assert_input_error(
        &keeper(&["il", "--ratio", "two"]),
        "\"two\" is not a decimal number",
    );
    assert_input_error(
        &keeper(&["il", "--from", "-3", "--to", "1"]),
        "price must be positive",
    );
    let o = keeper(&["il"]);
    assert_eq!(o.status.code(), Some(2), "clap usage errors exit 2");
}

#[test]
fn strangle_json_and_errors() {
    let base = [
        "strangle",
        "--capital",
        "1000",
        "--price",
        "100",
        "--lower",
        "50",
        "--upper",
        "200",
        "--call-strike",
        "120",
        "--call-premium",
        "2",
        "--put-strike",
        "80",
        "--put-premium",
        "2",
        "--pool-return",
        "0.1",
    ];
    let mut args = base.to_vec();
    args.push("--json");
    let o = keeper(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "{\"min_put_qty\":2.071067811865475245,\"min_call_qty\":1.464466094067262378,\"qty\":2.071067811865475245,\"cost\":8.28427124746190098,\"covered\":true}\n"
    );
    let mut bad = base.to_vec();
    bad[12] = "-2";
    assert_eq!(bad[11], "--call-premium");
    assert_input_error(&keeper(&bad), "strangle: option premium is negative");
    let mut bad = base.to_vec();
    bad[4] = "250";
    assert_input_error(&keeper(&bad), "reference price outside the price interval");
}

#[test]
fn help_lists_exit_codes() {
    let o = keeper(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for line in [
        "0  done",
        "1  runtime failure",
        "2  bad configuration or input",
    ] {
        assert!(out.contains(line), "{out}");
    }
}

#[test]
fn config_errors_exit_2_and_name_the_key() {
    let dir = temp("config");
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let missing = dir.join("nope.toml").display().to_string();
    assert_input_error(&keeper(&["--config", &missing, "config"]), "cannot read");
    assert_input_error(
        &keeper(&["--config", &file("bad.toml", "[chain\n"), "config"]),
        "bad.toml",
    );
    assert_input_error(
        &keeper(&[
            "--config",
            &file("unknown.toml", "[chain]\nrpc = 1\n"),
            "config",
        ]),
        "rpc",
    );
    assert_input_error(
        &keeper(&[
            "--config",
            &file("addr.toml", "[contracts]\nvault = \"0x12\"\n"),
            "config",
        ]),
        "contracts.vault",
    );
    assert_input_error(
        &keeper(&[
            "--config",
            &file("url.toml", "[chain]\nrpc_url = \"localhost:8547\"\n"),
            "config",
        ]),
        "chain.rpc_url",
    );
    // The backtest reads the same file and refuses it the same way.
    assert_input_error(
        &keeper(&[
            "--config",
            &file("bad2.toml", "[policy]\nhorizon_secs = 0\n"),
            "backtest",
            "-q",
        ]),
        "policy.horizon_secs",
    );
    // Flags beat the file; env beats the file too.
    let good = file("good.toml", "[chain]\nrpc_url = \"http://127.0.0.1:1\"\n");
    let o = keeper(&[
        "--config",
        &good,
        "config",
        "--json",
        "--rpc-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["chain"]["rpc_url"], "http://127.0.0.1:9/");
    let o = Command::new(env!("CARGO_BIN_EXE_il-keeper"))
        .args(["config", "--json"])
        .current_dir(&dir)
        .env("IL_CONFIG", &good)
        .env("IL_RPC_URL", "http://127.0.0.1:7")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["chain"]["rpc_url"], "http://127.0.0.1:7/");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn backtest_without_arguments_prints_the_report() {
    let o = keeper(&["backtest"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "synthetic gbm sigma=0.8",
        "LP+hedge",
        "LP+strangle",
        "keeper",
        "sigma^2/8",
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
}

#[test]
fn backtest_same_seed_prints_the_same_json() {
    let args = ["backtest", "--days", "30", "--seed", "7", "--json", "-q"];
    let a = keeper(&args);
    let b = keeper(&args);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(stdout(&a), stdout(&b));
    let v: serde_json::Value = serde_json::from_str(&stdout(&a)).unwrap();
    // seven kinds, the range one once per k (1, 2, 4 by default)
    assert_eq!(v["strategies"].as_array().unwrap().len(), 9);
    let labels: Vec<&str> = v["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"LP range k=2"), "{labels:?}");
}

#[test]
fn backtest_csv_errors_name_the_line() {
    let dir = temp("csv");
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let f = write(
        "unsorted.csv",
        "timestamp,close\n2024-01-02,1\n2024-01-01,2\n2024-01-03,2\n",
    );
    assert_input_error(&keeper(&["backtest", "--prices", &f]), "line 3");
    let f = write("nocol.csv", "timestamp,open\n2024-01-01,1\n");
    assert_input_error(
        &keeper(&["backtest", "--prices", &f]),
        "missing column close",
    );
    let f = write(
        "neg.csv",
        "timestamp,close\n2024-01-01,1\n2024-01-02,0\n2024-01-03,2\n",
    );
    assert_input_error(&keeper(&["backtest", "--prices", &f]), "not positive");
    let missing = dir.join("missing.csv").display().to_string();
    assert_input_error(&keeper(&["backtest", "--prices", &missing]), "cannot read");
    assert_input_error(&keeper(&["backtest", "--steps-per-day", "7"]), "86,400");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn backtest_writes_charts_and_csv() {
    let dir = temp("plot");
    let csv = dir.join("report.csv");
    let decisions = dir.join("decisions.jsonl");
    let o = keeper(&[
        "backtest",
        "--days",
        "20",
        "--plot",
        dir.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--decisions",
        decisions.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for chart in ["price", "pnl", "il", "payoff"] {
        for ext in ["png", "svg"] {
            let p = dir.join(format!("{chart}.{ext}"));
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            assert!(len > 5_000, "{} is {len} bytes", p.display());
        }
    }
    let png = std::fs::read(dir.join("pnl.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let report = std::fs::read_to_string(&csv).unwrap();
    // a header and nine strategy rows (the range strategy once per k)
    assert_eq!(report.lines().count(), 10, "{report}");
    assert!(report.contains("\nLP range k=4,"), "{report}");
    assert!(
        std::fs::read_to_string(dir.join("series.csv"))
            .unwrap()
            .starts_with("day,price,hold,LP,")
    );
    for line in std::fs::read_to_string(&decisions).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["rule"].is_string() && v["reason"].is_string());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A config with every address, a key from `IL_TEST_KEY`, an unreachable
/// RPC (nothing listens on port 9) and a one-second retry budget.
fn chain_config(dir: &std::path::Path, extra: &str) -> String {
    let a = |n: u8| format!("0x{}", format!("{n:02x}").repeat(20));
    let text = format!(
        "[chain]\nrpc_url = \"http://127.0.0.1:9\"\n\
         [contracts]\nvault = \"{}\"\npool_manager = \"{}\"\noracle = \"{}\"\nhedge = \"{}\"\nmanager = \"{}\"\nlens = \"{}\"\n\
         [keeper]\nkey_env = \"IL_TEST_KEY\"\nrpc_budget_secs = 1\nstate = \"state.db\"\n{extra}",
        a(1),
        a(2),
        a(3),
        a(4),
        a(5),
        a(6)
    );
    let p = dir.join("chain.toml");
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const TEST_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

fn tick(config: &str, key: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_il-keeper"));
    c.args(["--config", config, "tick"])
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("RUST_LOG")
        .env_remove("IL_JSON")
        .env_remove("IL_RPC_URL")
        .env_remove("IL_STATE");
    match key {
        Some(k) => c.env("IL_TEST_KEY", k),
        None => c.env_remove("IL_TEST_KEY"),
    };
    c.output().expect("run il-keeper")
}

#[test]
fn tick_with_missing_key_or_address_exits_2() {
    let dir = temp("tick-input");
    let cfg = chain_config(&dir, "");
    assert_input_error(
        &tick(&cfg, None, &[]),
        "environment variable IL_TEST_KEY is not set",
    );
    assert_input_error(
        &tick(&cfg, Some("0x1234"), &[]),
        "does not hold a hex private key",
    );
    // ws(s) passes the config check but the chain commands speak HTTP only.
    let ws = dir.join("ws.toml");
    std::fs::write(
        &ws,
        std::fs::read_to_string(&cfg)
            .unwrap()
            .replace("http://127.0.0.1:9", "ws://127.0.0.1:9"),
    )
    .unwrap();
    assert_input_error(
        &tick(&ws.display().to_string(), Some(TEST_KEY), &[]),
        "chain.rpc_url",
    );
    // A missing manager address names the key.
    let text = std::fs::read_to_string(&cfg).unwrap();
    let no_manager: String = text
        .lines()
        .filter(|l| !l.starts_with("manager"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&cfg, no_manager).unwrap();
    assert_input_error(&tick(&cfg, Some(TEST_KEY), &[]), "contracts.manager");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn tick_with_unreachable_rpc_exits_1_after_the_budget() {
    let dir = temp("tick-rpc");
    let cfg = chain_config(&dir, "");
    let start = std::time::Instant::now();
    let o = tick(&cfg, Some(TEST_KEY), &[]);
    let took = start.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        // the first read of a pass: the programs' lifetimes
        last.starts_with("error: RPC unreachable for program lifetimes after"),
        "{err}"
    );
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn tick_refuses_while_another_run_holds_the_lock() {
    let dir = temp("tick-lock");
    let cfg = chain_config(&dir, "");
    let held = il_keeper::store::Store::open(&dir.join("state.db")).unwrap();
    let o = tick(&cfg, Some(TEST_KEY), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("another il-keeper run holds the lock"),
        "{}",
        stderr(&o)
    );
    drop(held);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn run_stops_with_exit_0_on_sigterm() {
    let dir = temp("run-term");
    let cfg = chain_config(&dir, "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_il-keeper"))
        .args(["--config", &cfg, "run", "--interval", "1s"])
        .current_dir(std::env::temp_dir())
        .env_remove("RUST_LOG")
        .env("IL_TEST_KEY", TEST_KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Passes fail (nothing listens on the RPC port) and the loop goes on.
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    assert!(child.try_wait().unwrap().is_none(), "run exited early");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "run did not stop"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("pass failed: RPC unreachable"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn deploy_refuses_bad_input_before_touching_the_chain() {
    // nothing listens on this port: every refusal below happens first
    let base = [
        "deploy",
        "--rpc-url",
        "http://127.0.0.1:9",
        "--chain-id",
        "412346",
    ];
    let run = |extra: &[&str], env: Option<(&str, &str)>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_il-keeper"));
        cmd.args(base)
            .args(extra)
            .current_dir(std::env::temp_dir())
            .env_remove("IL_CONFIG")
            .env_remove("IL_JSON");
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        cmd.output().expect("run il-keeper")
    };
    let key = (
        "IL_TEST_DEPLOY_KEY",
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    );
    assert_input_error(&run(&[], None), "deploy: no key configured");
    assert_input_error(
        &run(&["--key-env", "IL_TEST_DEPLOY_KEY_UNSET"], None),
        "IL_TEST_DEPLOY_KEY_UNSET is not set",
    );
    assert_input_error(
        &run(&["--key-env", key.0, "--price", "0"], Some(key)),
        "--price 0: expected a positive decimal",
    );
    assert_input_error(
        &run(&["--key-env", key.0, "--keeper", "0x1234"], Some(key)),
        "--keeper",
    );
    let dir = temp("deploy-exists");
    let out = dir.join("m.json");
    std::fs::write(&out, "{}").unwrap();
    let o = run(
        &["--key-env", key.0, "--out", out.to_str().unwrap()],
        Some(key),
    );
    assert_input_error(&o, "exists: pass --force");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "{}",
        "the existing file is untouched"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn status_never_needs_the_key() {
    // A keeper whose key variable is not set in this shell: status is
    // read-only and gets as far as the RPC (down here: exit 1, not a key error).
    let dir = temp("status-no-key");
    let a = alloy_primitives::Address::with_last_byte;
    let mut pool = il_deploy::manifest::Pool {
        currency0: a(1),
        currency1: a(2),
        fee: 0x80_0000,
        tick_spacing: 60,
        hooks: a(8),
        id: alloy_primitives::B256::ZERO,
    };
    pool.id = il_deploy::manifest::pool_id(&pool.key().unwrap());
    let manifest = il_deploy::Manifest {
        chain_id: 412_346,
        block: 1,
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
        pool,
    };
    manifest.save(&dir.join("m.json")).unwrap();
    let cfg = dir.join("keeper.toml");
    std::fs::write(
        &cfg,
        "[chain]\nrpc_url = \"http://127.0.0.1:9\"\nchain_id = 412346\n[contracts]\nmanifest = \"m.json\"\n\
         [keeper]\nkey_env = \"IL_TEST_STATUS_KEY_UNSET\"\nrpc_budget_secs = 1\nstate = \"k.db\"\n",
    )
    .unwrap();
    let o = keeper(&["--config", cfg.to_str().unwrap(), "status"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains("key"), "{}", stderr(&o));
    // tick, which signs, still refuses the missing key as bad configuration
    let o = keeper(&["--config", cfg.to_str().unwrap(), "tick"]);
    assert_input_error(&o, "IL_TEST_STATUS_KEY_UNSET is not set");
    std::fs::remove_dir_all(dir).unwrap();
}
