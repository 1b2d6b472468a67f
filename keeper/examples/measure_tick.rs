//! Measures keeper passes against the local Stylus chain (in-process
//! `il-devnet`, the REAL release wasm): JSON-RPC requests and calls of an
//! acting pass and of a no-op pass, and the wall time of a no-op pass, in
//! process (library) and as the `il-keeper tick` binary (median of `N`).
//!
//! ```sh
//! CARGO_TARGET_DIR=target scripts/build-contracts.sh
//! cargo run --profile host -p il-keeper --example measure_tick -- 9
//! ```
//! The binary timings need `target/<profile>/il-keeper` built with the same
//! profile (`cargo build --profile host -p il-keeper`); they are skipped
//! with a note when it is absent.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{ANSWER, keeper_config, shock, system};
use il_keeper::chain::Client;
use il_keeper::pass::{PassOptions, PassReport, run_pass};
use il_keeper::store::Store;

async fn pass(cfg: &il_keeper::config::Config) -> (PassReport, Duration) {
    let start = Instant::now();
    let client = Client::from_config(cfg).expect("client");
    let mut store = Store::open(&cfg.keeper.state).expect("store");
    let r = run_pass(cfg, &client, &mut store, &PassOptions::default())
        .await
        .expect("pass");
    (r, start.elapsed())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(9, |a| a.parse().expect("N: a number of runs"));
    let s = system("measure").await;
    let cfg = keeper_config(&s);
    // Warm-up: two observations, then a shock that makes the keeper act.
    pass(&cfg).await;
    shock(&s, ANSWER * 11 / 10).await;
    pass(&cfg).await;
    shock(&s, ANSWER).await;
    let (acting, t) = pass(&cfg).await;
    println!(
        "acting pass: {} tx sent ({}), {} HTTP requests / {} JSON-RPC calls, {:.1} ms",
        acting.sent.len(),
        acting
            .sent
            .iter()
            .map(|t| t.rule.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        acting.rpc.requests,
        acting.rpc.calls,
        t.as_secs_f64() * 1e3
    );
    let mut times = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let (r, t) = pass(&cfg).await;
        assert!(r.sent.is_empty(), "a no-op pass acted: {:?}", r.decisions);
        times.push(t);
        last = Some(r.rpc);
    }
    let rpc = last.expect("n >= 1");
    println!(
        "no-op pass (library, in process): {} HTTP requests / {} JSON-RPC calls, median {:.1} ms of {n} (min {:.1}, max {:.1})",
        rpc.requests,
        rpc.calls,
        median(times.clone()).as_secs_f64() * 1e3,
        times.iter().min().expect("n >= 1").as_secs_f64() * 1e3,
        times.iter().max().expect("n >= 1").as_secs_f64() * 1e3,
    );
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent()?.parent().map(|d| d.join("il-keeper")));
    match exe.filter(|p| p.is_file()) {
        Some(bin) => {
            let toml = s.dir.join("keeper.toml");
            let mut times = Vec::with_capacity(n);
            for _ in 0..n {
                let bin = bin.clone();
                let toml = toml.clone();
                let (out, t) = tokio::task::spawn_blocking(move || {
                    let start = Instant::now();
                    let out = std::process::Command::new(bin)
                        .arg("--config")
                        .arg(toml)
                        .arg("tick")
                        .output()
                        .expect("run il-keeper");
                    (out, start.elapsed())
                })
                .await
                .expect("join");
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                times.push(t);
            }
            println!(
                "no-op `il-keeper tick` (process, {}): median {:.1} ms of {n}",
                bin.display(),
                median(times).as_secs_f64() * 1e3
            );
        }
        None => println!("no il-keeper binary next to this example: binary timing skipped"),
    }
    s.node.shutdown().await.expect("shutdown");
    let _ = std::fs::remove_dir_all(&s.dir);
}
