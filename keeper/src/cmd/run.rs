//! `il-keeper run --interval 60s`: the `tick` pass in a loop, holding the
//! run lock for the whole life of the process. SIGINT/SIGTERM between
//! passes stops at once; during a pass the pass finishes (its in-flight
//! transaction wait is bounded by the receipt timeout) and records, then
//! the loop exits 0. A failed pass is logged and the loop goes on, except
//! for configuration errors (exit 2).

use std::time::Duration;

use crate::cli::{Failure, Globals};
use crate::config::ChainArgs;
use crate::pass::run_pass;

use super::tick::{Pass, pass_failure, prepare_pass, print_report, runtime};

/// Arguments of `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Chain, contract and key overrides.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Time between the starts of two passes (`60s`, `5m`).
    #[arg(long, env = "IL_INTERVAL", default_value = "60s", value_parser = humantime::parse_duration)]
    pub interval: Duration,
    /// Simulate and log; send nothing.
    #[arg(long, env = "IL_DRY_RUN")]
    pub dry_run: bool,
}

/// Resolves when SIGINT or SIGTERM arrives.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        match (term, int) {
            (Ok(mut t), Ok(mut i)) => {
                tokio::select! {
                    _ = t.recv() => {}
                    _ = i.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

impl RunArgs {
    /// Runs passes until a signal.
    ///
    /// # Errors
    /// [`Failure`]: configuration (2), the lock or the runtime (1).
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        if self.interval.is_zero() {
            return Err(Failure::input(eyre::eyre!("--interval must be positive")));
        }
        let Pass {
            cfg,
            client,
            mut store,
            opts,
        } = prepare_pass(g, &self.chain, self.dry_run)?;
        runtime()?.block_on(async {
            let stop = shutdown_signal();
            tokio::pin!(stop);
            let mut stopping = false;
            loop {
                let started = tokio::time::Instant::now();
                // The pass is not raced against the signal: it always
                // finishes and records. The signal is noticed after it.
                let pass = run_pass(&cfg, &client, &mut store, &opts);
                tokio::pin!(pass);
                let result = loop {
                    tokio::select! {
                        r = &mut pass => break r,
                        () = &mut stop, if !stopping => {
                            tracing::warn!("signal received: finishing the current pass, then stopping");
                            stopping = true;
                        }
                    }
                };
                match result {
                    Ok(r) => print_report(&r, g.json),
                    Err(e) if e.is_input() => return Err(pass_failure(e)),
                    Err(e) => tracing::error!("pass failed: {e}"),
                }
                if stopping {
                    return Ok(());
                }
                tokio::select! {
                    () = tokio::time::sleep_until(started + self.interval) => {}
                    () = &mut stop => {
                        tracing::info!("signal received between passes: stopping");
                        return Ok(());
                    }
                }
            }
        })
    }
}
