//! `il-keeper config`: load, validate and print the configuration as the
//! keeper would use it (flags > env > file > defaults). Exit 2 on any
//! configuration error, naming the key.

use eyre::WrapErr;

use crate::cli::{Failure, Globals};
use crate::config::{ChainArgs, Config};

/// Arguments of `config`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// Chain, contract and key overrides.
    #[command(flatten)]
    pub chain: ChainArgs,
}

impl ConfigArgs {
    /// Loads and prints the resolved configuration (TOML-like summary, or
    /// JSON with `--json`).
    ///
    /// # Errors
    /// [`Failure::input`] for any configuration error.
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        let cfg = Config::load(g.config.as_deref(), &self.chain).map_err(Failure::input)?;
        if g.json {
            let text = serde_json::to_string_pretty(&cfg)
                .wrap_err("serialising the configuration")
                .map_err(Failure::runtime)?;
            println!("{text}");
        } else {
            let source = cfg.file.as_ref().map_or_else(
                || "built-in defaults".to_string(),
                |p| p.display().to_string(),
            );
            println!("configuration OK ({source})");
            println!(
                "chain       {} (chain id {})",
                cfg.chain.rpc_url, cfg.chain.chain_id
            );
            let show = |a: Option<alloy_primitives::Address>| {
                a.map_or_else(|| "-".to_string(), |a| a.to_checksum(None))
            };
            println!("vault       {}", show(cfg.contracts.vault));
            println!("poolManager {}", show(cfg.contracts.pool_manager));
            println!("oracle      {}", show(cfg.contracts.oracle));
            println!("hedge       {}", show(cfg.contracts.hedge));
            println!("manager     {}", show(cfg.contracts.manager));
            println!("lens        {}", show(cfg.contracts.lens));
            println!("state       {}", cfg.keeper.state.display());
            let key = match &cfg.keeper.key {
                None => "none (read-only)".to_string(),
                Some(crate::config::KeySource::Keystore { path, .. }) => {
                    format!("keystore {}", path.display())
                }
                Some(crate::config::KeySource::KeyFile(p)) => format!("key file {}", p.display()),
                Some(crate::config::KeySource::Env(n)) => format!("environment variable {n}"),
            };
            println!("key         {key}");
            println!(
                "limits      {} tx/run, gas price cap {} gwei, {} confirmation(s)",
                cfg.keeper.max_tx_per_run, cfg.keeper.gas_price_cap_gwei, cfg.keeper.confirmations
            );
            println!(
                "volatility  {} (lambda {}, window {})",
                cfg.volatility.estimator,
                cfg.volatility.ewma_lambda,
                cfg.volatility.realised_window
            );
            println!(
                "policy      hedge band {} bps, de-risk margin {} bps, redeploy margin {} bps, horizon {} s",
                cfg.policy.hedge_band_bps,
                cfg.policy.derisk_margin_bps,
                cfg.policy.redeploy_margin_bps,
                cfg.policy.horizon_secs
            );
        }
        Ok(())
    }
}
