//! `il-keeper deploy`: deploys and wires the whole system on a Stylus chain
//! (the local chain, a Nitro dev node, Arbitrum Sepolia) from the release
//! wasm with [`il_deploy::deploy::deploy_system`], and writes the manifest
//! the keeper then reads (`[contracts] manifest = ...`).
//!
//! The signing key (the owner of every contract) comes from the same
//! sources as the keeper's: `--keystore`, `--key-file` or `--key-env`
//! (never the command line). Exit 0 deployed, 1 the chain refused or
//! failed, 2 bad input.

use std::path::PathBuf;

use alloy::{
    network::EthereumWallet,
    primitives::U256,
    providers::{Provider, ProviderBuilder},
};
use il_deploy::deploy::{Artifacts, SystemConfig, deploy_system};

use crate::chain::load_signer;
use crate::cli::{Failure, Globals};
use crate::config::{ChainArgs, Config};
use crate::decimal::parse_decimal;

/// Arguments of `deploy`.
#[derive(Debug, Clone, clap::Args)]
pub struct DeployArgs {
    /// RPC URL, chain id and the deploying key (`--keystore`, `--key-file`
    /// or `--key-env`); other flags of this group are ignored here.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// The keeper role (the address `il-keeper tick` signs with).
    /// Default: the deploying account.
    #[arg(long, value_name = "ADDRESS")]
    pub keeper: Option<String>,
    /// Where to write the manifest. Default: deployments/<chain-id>.json.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite an existing manifest file.
    #[arg(long)]
    pub force: bool,
    /// Directory of the release wasm (default: $IL_WASM_DIR, then the
    /// build's target dir; `scripts/build-contracts.sh` writes it).
    #[arg(long, env = "IL_WASM_DIR", value_name = "DIR")]
    pub wasm_dir: Option<PathBuf>,
    /// The oracle's first price, token1 per token0 in whole units (the test
    /// feed has 8 decimals).
    #[arg(long, default_value = "1850.25")]
    pub price: String,
    /// Do not mint test tokens into the pool's first liquidity (100 tWETH at
    /// the price) and the hedge venue's house (1,000,000 tUSDC).
    #[arg(long)]
    pub no_seed: bool,
    /// Wei sent with each contract for its activation data fee; the
    /// StylusDeployer refunds the excess in the same transaction.
    #[arg(long, default_value = "10000000000000000", value_name = "WEI")]
    pub activation_budget: String,
}

impl DeployArgs {
    /// Deploys, prints a line per step, writes the manifest.
    ///
    /// # Errors
    /// [`Failure`]: exit 2 for bad input (key, address, price, an existing
    /// manifest, missing wasm), 1 when the chain refuses or fails.
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        let cfg = Config::load(g.config.as_deref(), &self.chain).map_err(Failure::input)?;
        let source = cfg.keeper.key.as_ref().ok_or_else(|| {
            Failure::input(eyre::eyre!(
                "deploy: no key configured (use --keystore, --key-file or --key-env)"
            ))
        })?;
        let signer = load_signer(source).map_err(Failure::input)?;
        let deployer = signer.address();
        let keeper = match &self.keeper {
            Some(text) => il_deploy::parse_address(text)
                .map_err(|e| Failure::input(eyre::eyre!("--keeper: {e}")))?,
            None => deployer,
        };
        let answer = parse_decimal(&self.price)
            .ok()
            .filter(|d| !d.is_negative() && !d.is_zero())
            .and_then(|d| d.to_fixed(8).ok())
            .ok_or_else(|| {
                Failure::input(eyre::eyre!(
                    "--price {}: expected a positive decimal, e.g. 1850.25",
                    self.price
                ))
            })?;
        let budget = U256::from_str_radix(self.activation_budget.trim(), 10).map_err(|_| {
            Failure::input(eyre::eyre!(
                "--activation-budget {}: expected wei as an integer",
                self.activation_budget
            ))
        })?;
        let out = self
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("deployments/{}.json", cfg.chain.chain_id)));
        if out.exists() && !self.force {
            return Err(Failure::input(eyre::eyre!(
                "{} exists: pass --force to overwrite it, or --out another file",
                out.display()
            )));
        }
        let artifacts = Artifacts::load(self.wasm_dir.as_deref()).map_err(Failure::input)?;
        let mut system = SystemConfig::test_tokens(keeper, answer);
        system.activation_budget = budget;
        if self.no_seed {
            system.seed = None;
        }
        let url = cfg.chain.rpc_url.clone();
        let chain_id = cfg.chain.chain_id;
        let json = g.json;
        let manifest = crate::cmd::tick::runtime()?.block_on(async move {
            let provider = ProviderBuilder::new()
                .wallet(EthereumWallet::from(signer))
                .connect_http(url);
            let actual = provider
                .get_chain_id()
                .await
                .map_err(|e| Failure::runtime(eyre::eyre!("eth_chainId: {e}")))?;
            if actual != chain_id {
                return Err(Failure::input(eyre::eyre!(
                    "the RPC serves chain {actual}, the configuration says {chain_id} (--chain-id)"
                )));
            }
            deploy_system(&provider, deployer, &artifacts, &system, |s| {
                if !json {
                    println!("{s}");
                }
            })
            .await
            .map_err(Failure::runtime)
        })?;
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::runtime(eyre::eyre!("{}: {e}", dir.display())))?;
        }
        manifest.save(&out).map_err(Failure::runtime)?;
        if json {
            println!("{}", manifest.to_json());
        } else {
            println!(
                "manifest written to {} (block {})",
                out.display(),
                manifest.block
            );
            if keeper == deployer {
                println!(
                    "keeper role: {deployer} (the deploying account; pass --keeper to use another)"
                );
            }
        }
        Ok(())
    }
}
