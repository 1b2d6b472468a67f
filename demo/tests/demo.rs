//! The README's first command, end to end with a short path: the real
//! `il-demo` binary drives the real `il-keeper` binary against the local
//! chain. Needs the release wasm (`scripts/build-contracts.sh`).

use std::{path::PathBuf, process::Command};

/// The `il-keeper` binary of this build, built on demand (same profile).
fn keeper_bin() -> PathBuf {
    let demo = PathBuf::from(env!("CARGO_BIN_EXE_il-demo"));
    let keeper = demo.with_file_name("il-keeper");
    if !keeper.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "il-keeper", "--bin", "il-keeper"])
            .status()
            .expect("cargo build il-keeper");
        assert!(status.success(), "building il-keeper failed");
    }
    assert!(keeper.is_file(), "{} missing", keeper.display());
    keeper
}

fn wasm_dir() -> PathBuf {
    il_devnet::artifacts::find_wasm("il_vault")
        .unwrap_or_else(|e| panic!("{e}"))
        .parent()
        .expect("a directory")
        .to_path_buf()
}

#[test]
fn the_demo_runs_end_to_end_and_reports_from_the_chain() {
    let out = std::env::temp_dir().join(format!("il-demo-test-{}", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_il-demo"))
        .args(["--days", "6", "--seed", "3", "--out"])
        .arg(&out)
        .arg("--keeper-bin")
        .arg(keeper_bin())
        .arg("--wasm-dir")
        .arg(wasm_dir())
        .output()
        .expect("run il-demo");
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "il-demo failed: {stderr}\n{stdout}");
    for expected in [
        "==> deploying from the release wasm",
        "==> alice deposits 10.0000 tWETH",
        "    day   6  ETH",
        "==> alice withdraws",
        "=== on chain (lens.accountOf(alice)",
        "  vault-wide: pnl ",
        "=== keeper actions on chain ===",
        "=== the same path in the backtest",
        "  keeper  ",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // the keeper's state and the manifest are where the user can inspect them
    assert!(out.join("manifest.json").is_file());
    assert!(out.join("keeper.db").is_file());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bad_input_is_one_line_and_exit_1() {
    let run = Command::new(env!("CARGO_BIN_EXE_il-demo"))
        .args(["--sigma", "9"])
        .output()
        .expect("run il-demo");
    assert_eq!(run.status.code(), Some(1));
    assert!(run.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "il-demo: --sigma 9 is not in (0, 5)\n"
    );
}
