//! `il-devnet`: start a local Arbitrum chain (Stylus and EVM). See `devnet/README.md`.

use std::{net::IpAddr, path::PathBuf, process::ExitCode};

use alloy::primitives::U256;
use clap::Parser;
use il_devnet::{
    accounts::{DEFAULT_MNEMONIC, DERIVATION_PREFIX},
    chain::ChainConfig,
    engine::DEFAULT_CHAIN_ID,
    node::{Config, DEFAULT_PORT, Devnet},
};
use tracing_subscriber::EnvFilter;

/// A local Arbitrum chain: runs Stylus release .wasm programs and EVM bytecode in one state, speaks Ethereum JSON-RPC.
#[derive(Parser, Debug)]
#[command(name = "il-devnet", version, about)]
struct Cli {
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "IL_DEVNET_HOST")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one (the URL is printed on its own line).
    #[arg(long, default_value_t = DEFAULT_PORT, env = "IL_DEVNET_PORT")]
    port: u16,
    /// Chain id.
    #[arg(long, default_value_t = DEFAULT_CHAIN_ID, env = "IL_DEVNET_CHAIN_ID")]
    chain_id: u64,
    /// Number of pre-funded dev accounts.
    #[arg(long, default_value_t = 10)]
    accounts: u32,
    /// Balance of each dev account, in ETH.
    #[arg(long, default_value_t = 10_000)]
    balance: u64,
    /// Mnemonic of the dev accounts (m/44'/60'/0'/0/i).
    #[arg(long, default_value = DEFAULT_MNEMONIC, env = "IL_DEVNET_MNEMONIC")]
    mnemonic: String,
    /// State file: loaded at start if it exists, saved after every block and on SIGINT/SIGTERM.
    #[arg(long, env = "IL_DEVNET_STATE")]
    state: Option<PathBuf>,
    /// Post-block states kept for queries at past blocks.
    #[arg(long, default_value_t = 128)]
    history: usize,
    /// Model a debug chain: programs may import the `console` functions.
    #[arg(long)]
    debug: bool,
    /// The ArbOS version the chain models (Arbitrum One and Sepolia run 51;
    /// 50 and above report a 22,000-word stack depth; 60 and above refuse
    /// multi-value function types and serve `activationGas`, as Nitro does).
    #[arg(long, default_value_t = 51)]
    arbos_version: u64,
    /// More logging (-v: debug, -vv: trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_level = match cli.verbose {
        0 => "il_devnet=info",
        1 => "il_devnet=debug",
        _ => "il_devnet=trace",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level)),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("il-devnet: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("il-devnet: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> eyre::Result<()> {
    let config = Config {
        host: cli.host,
        port: cli.port,
        chain: ChainConfig {
            chain_id: cli.chain_id,
            accounts: cli.accounts,
            balance: U256::from(cli.balance) * U256::from(10u64).pow(U256::from(18u64)),
            mnemonic: cli.mnemonic.clone(),
            state_file: cli.state.clone(),
            history: cli.history,
            activation: il_wasm::activation::Rules {
                debug: cli.debug,
                arbos_version: cli.arbos_version,
            },
        },
    };
    let handle = Devnet::spawn(config).await?;

    println!(
        "il-devnet {} (Stylus in wasmi, EVM in revm; Cancun)",
        env!("CARGO_PKG_VERSION")
    );
    println!();
    println!("Available Accounts");
    println!("==================");
    for (i, a) in handle.dev_accounts().iter().enumerate() {
        println!("({i}) {} ({} ETH)", a.address, cli.balance);
    }
    println!();
    println!("Private Keys");
    println!("==================");
    for (i, a) in handle.dev_accounts().iter().enumerate() {
        println!("({i}) {}", a.private_key);
    }
    println!();
    println!("Wallet");
    println!("==================");
    println!("Mnemonic:          {}", cli.mnemonic);
    println!("Derivation path:   {DERIVATION_PREFIX}<i>");
    println!();
    println!("Chain ID:          {}", handle.chain_id());
    if let Some(state) = &cli.state {
        println!("State file:        {}", state.display());
    }
    println!();
    println!("Listening on {}", handle.addr());
    println!("{}", handle.url());

    wait_for_signal().await?;
    eprintln!("il-devnet: shutting down");
    handle.shutdown().await?;
    if let Some(state) = &cli.state {
        eprintln!("il-devnet: state saved to {}", state.display());
    }
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> eyre::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> eyre::Result<()> {
    tokio::signal::ctrl_c().await?;
    Ok(())
}
