//! Command line: global flags, subcommands, logging, and the mapping of
//! failures to exit codes. `main.rs` only calls [`run`].

use std::fmt;
use std::path::PathBuf;

use clap::{ArgAction, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::cmd;

const AFTER_HELP: &str = "\
Exit codes:
  0  done (acted, or nothing to do)
  1  runtime failure (I/O error, RPC down after retries, a mined revert,
     a stuck transaction, another il-keeper run holds the lock)
  2  bad configuration or input (the message names the key, flag or line;
     wrong chain id, missing key or address)

A simulated revert or a gas price above the cap is not a failure: the
decision is logged as skipped (with the named error) and the exit code is 0.

Logs go to stderr (RUST_LOG overrides -v); results go to stdout.";

/// `il-keeper`: keeper, calculators and backtest for the IL-managed vault.
#[derive(Debug, Parser)]
#[command(name = "il-keeper", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true, env = "IL_JSON")]
    pub json: bool,
    /// Config file (TOML). Default: keeper.toml if it exists.
    #[arg(long, global = true, env = "IL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Impermanent loss of a constant-product position for a price ratio.
    Il(cmd::il::IlArgs),
    /// Long-strangle sizing (Proposition 4.1) for an LP position.
    Strangle(cmd::strangle::StrangleArgs),
    /// Replay the keeper's policy and the other strategies over a price path.
    Backtest(Box<cmd::backtest::BacktestArgs>),
    /// Validate the configuration and print it as resolved.
    Config(cmd::config::ConfigArgs),
    /// One keeper pass (cron): read, estimate, decide, simulate, send, record.
    Tick(Box<cmd::tick::TickArgs>),
    /// The tick pass in a loop until SIGINT/SIGTERM.
    Run(Box<cmd::run::RunArgs>),
    /// The vault at a glance: TVL, IL, fees, hedge, tier, estimates, actions.
    Status(Box<cmd::status::StatusArgs>),
    /// One account's history from the chain's events, valued by the lens at
    /// each step (value, hold, IL, fees, hedge PnL), and its time-weighted
    /// return.
    Statement(Box<cmd::statement::StatementArgs>),
    /// Deploy and wire the whole system from the release wasm; write the manifest.
    Deploy(Box<cmd::deploy::DeployArgs>),
}

/// How a run failed, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Exit 1: the environment failed (I/O, network, chain).
    Runtime,
    /// Exit 2: the configuration or input is wrong.
    Input,
}

/// A failure with its exit code; displays as one line.
#[derive(Debug)]
pub struct Failure {
    /// Which kind.
    pub kind: FailureKind,
    /// What happened (with context).
    pub report: eyre::Report,
}

impl Failure {
    /// Bad configuration or input (exit 2).
    pub fn input(e: impl Into<eyre::Report>) -> Self {
        Self {
            kind: FailureKind::Input,
            report: e.into(),
        }
    }

    /// Runtime failure (exit 1).
    pub fn runtime(e: impl Into<eyre::Report>) -> Self {
        Self {
            kind: FailureKind::Runtime,
            report: e.into(),
        }
    }

    /// The process exit code: 1 runtime, 2 input.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            FailureKind::Runtime => 1,
            FailureKind::Input => 2,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:#}` joins the context chain with ": " on one line.
        let text = format!("{:#}", self.report);
        f.write_str(&text.lines().map(str::trim).collect::<Vec<_>>().join(" "))
    }
}

/// Global options every subcommand sees.
#[derive(Debug, Clone)]
pub struct Globals {
    /// `--json`.
    pub json: bool,
    /// `--config`.
    pub config: Option<PathBuf>,
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    // A second init (tests calling run twice) is harmless: ignore it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Parses the command line, sets up logging and runs the subcommand.
///
/// # Errors
/// A [`Failure`] whose [`Failure::exit_code`] is the process's exit code.
/// Clap's own usage errors exit 2 (and `--help`/`--version` 0) before this
/// returns.
pub fn run() -> Result<(), Failure> {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let globals = Globals {
        json: cli.json,
        config: cli.config,
    };
    match cli.command {
        Command::Il(a) => a.run(&globals),
        Command::Strangle(a) => a.run(&globals),
        Command::Backtest(a) => a.run(&globals),
        Command::Config(a) => a.run(&globals),
        Command::Tick(a) => a.run(&globals),
        Command::Run(a) => a.run(&globals),
        Command::Status(a) => a.run(&globals),
        Command::Statement(a) => a.run(&globals),
        Command::Deploy(a) => a.run(&globals),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_documents_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("2  bad configuration or input"), "{help}");
    }

    #[test]
    fn failure_is_one_line_with_context() {
        let f = Failure::input(eyre::eyre!("inner\nsecond").wrap_err("outer"));
        assert_eq!(f.to_string(), "outer: inner second");
        assert_eq!(f.exit_code(), 2);
        assert_eq!(Failure::runtime(eyre::eyre!("x")).exit_code(), 1);
    }
}
