//! `il-keeper tick`: one pass for cron (see [`crate::pass`]). Prints each
//! decision as one JSON line on stdout, then a summary line (or one JSON
//! object with `--json`). Exit 0 when done (acted or nothing to do), 1 on
//! a runtime failure (RPC down after the budget, a mined revert, another
//! run holding the lock), 2 on bad configuration.

use crate::chain::Client;
use crate::cli::{Failure, Globals};
use crate::config::{ChainArgs, Config};
use crate::pass::{PassError, PassOptions, PassReport, run_pass};
use crate::store::Store;

/// Arguments of `tick`.
#[derive(Debug, Clone, clap::Args)]
pub struct TickArgs {
    /// Chain, contract and key overrides.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// Simulate and log the decisions; send nothing.
    #[arg(long, env = "IL_DRY_RUN")]
    pub dry_run: bool,
}

/// Everything a chain-facing command needs, loaded and checked.
pub(crate) struct Setup {
    pub cfg: Config,
    pub client: Client,
}

/// Loads the configuration and builds the client (exit 2 on any problem).
pub(crate) fn setup(g: &Globals, chain: &ChainArgs) -> Result<Setup, Failure> {
    let cfg = Config::load(g.config.as_deref(), chain).map_err(Failure::input)?;
    let client = Client::from_config(&cfg).map_err(Failure::input)?;
    Ok(Setup { cfg, client })
}

/// A tokio runtime for a command (current thread: the keeper is I/O bound).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(eyre::eyre!("starting the async runtime: {e}")))
}

/// What `tick` and `run` need before their first pass.
pub(crate) struct Pass {
    pub cfg: Config,
    pub client: Client,
    pub store: Store,
    pub opts: PassOptions,
}

/// Loads the configuration, requires a key unless `dry_run`, and takes the
/// store's lock (exit 2 for configuration, 1 when another run holds the lock).
pub(crate) fn prepare_pass(g: &Globals, chain: &ChainArgs, dry_run: bool) -> Result<Pass, Failure> {
    let Setup { cfg, client } = setup(g, chain)?;
    if client.signer().is_none() && !dry_run {
        return Err(Failure::input(eyre::eyre!(
            "keeper key: none configured (set keeper.keystore, key_file or key_env, or use --dry-run)"
        )));
    }
    let store = open_store(&cfg)?;
    let opts = PassOptions {
        dry_run,
        hook: None,
    };
    Ok(Pass {
        cfg,
        client,
        store,
        opts,
    })
}

/// Maps a pass error to its exit code.
pub(crate) fn pass_failure(e: PassError) -> Failure {
    if e.is_input() {
        Failure::input(e)
    } else {
        Failure::runtime(e)
    }
}

/// Opens the store (exit 1 when another run holds the lock).
pub(crate) fn open_store(cfg: &Config) -> Result<Store, Failure> {
    Store::open(&cfg.keeper.state).map_err(Failure::runtime)
}

/// Prints a pass's decisions and summary.
pub(crate) fn print_report(r: &PassReport, json: bool) {
    if json {
        println!("{}", serde_json::to_string(r).unwrap_or_default());
        return;
    }
    for d in &r.decisions {
        println!("{}", d.to_log_line());
    }
    let sigma = r.estimate.as_ref().map_or_else(
        || "no estimate yet".to_string(),
        |e| format!("sigma {:.4} ({})", e.sigma, e.estimator),
    );
    let sent: Vec<String> = r
        .sent
        .iter()
        .map(|s| format!("{} {}", s.rule, s.hash))
        .collect();
    println!(
        "tick: block {}, {sigma}, {} decision(s), {} sent{}, {} reconciled, {} RPC request(s) / {} call(s)",
        r.block,
        r.decisions.len(),
        r.sent.len(),
        if sent.is_empty() {
            String::new()
        } else {
            format!(" [{}]", sent.join(", "))
        },
        r.reconciled,
        r.rpc.requests,
        r.rpc.calls
    );
}

impl TickArgs {
    /// Runs one pass.
    ///
    /// # Errors
    /// [`Failure`] with exit code 1 or 2 (see the module documentation).
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        let Pass {
            cfg,
            client,
            mut store,
            opts,
        } = prepare_pass(g, &self.chain, self.dry_run)?;
        let report = runtime()?
            .block_on(run_pass(&cfg, &client, &mut store, &opts))
            .map_err(pass_failure)?;
        print_report(&report, g.json);
        Ok(())
    }
}
