//! The deployment manifest: which chain, which addresses, which Uniswap v4
//! pool, from which block. The deployer writes it; the keeper, the demo,
//! the tests and the docs read it. JSON, one object:
//!
//! ```json
//! {
//!   "chain_id": 412346,
//!   "block": 41,
//!   "deployer": "0xf39F…2266",
//!   "keeper": "0x7099…79C8",
//!   "contracts": {
//!     "token0": "0x…", "token1": "0x…", "oracle": "0x…",
//!     "pool_manager": "0x…", "swap_router": "0x…",
//!     "hedge": "0x…", "engine": "0x…", "planner": "0x…", "vault": "0x…",
//!     "vault_ops": "0x…", "manager": "0x…", "manager_ops": "0x…",
//!     "lens": "0x…"
//!   },
//!   "pool": {
//!     "currency0": "0x…", "currency1": "0x…", "fee": 8388608,
//!     "tick_spacing": 60, "hooks": "0x…", "id": "0x…"
//!   }
//! }
//! ```
//!
//! `block` is the block of the deployment's last transaction: logs of
//! interest start after it. `deployer` owns every ownable contract.
//! `swap_router` (v4's `PoolSwapTest`, through which the demo's trader
//! swaps) is present only where one exists: the local chain deploys it.
//! `pool` is the vault's v4 pool key (currency0/1 are token0/1, the hook is
//! the manager, the fee is v4's dynamic-fee flag) and its `PoolId`; a
//! manifest whose key disagrees with its contracts or id is refused.

use std::path::Path;

use alloy::{
    primitives::{Address, B256, aliases::I24, aliases::U24, keccak256},
    sol_types::SolValue,
};
use serde::{Deserialize, Serialize};

use crate::bindings::v4::PoolKey;

/// Addresses of a deployed system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contracts {
    /// token0 (the volatile asset, e.g. WETH): v4's currency0, so the lower
    /// address of the two.
    #[serde(with = "crate::address::checksummed")]
    pub token0: Address,
    /// token1 (the numeraire, e.g. USDC); values are in token1.
    #[serde(with = "crate::address::checksummed")]
    pub token1: Address,
    /// The price feed (token1 per token0).
    #[serde(with = "crate::address::checksummed")]
    pub oracle: Address,
    /// Uniswap v4's `PoolManager`: the vault's pool lives in it.
    #[serde(with = "crate::address::checksummed")]
    pub pool_manager: Address,
    /// v4's `PoolSwapTest` router, where the chain has one (the local chain
    /// deploys it for the demo's trader).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::address::checksummed_opt"
    )]
    pub swap_router: Option<Address>,
    /// The hedge venue (perpetual on token0, token1 collateral).
    #[serde(with = "crate::address::checksummed")]
    pub hedge: Address,
    /// The vault's pure arithmetic.
    #[serde(with = "crate::address::checksummed")]
    pub engine: Address,
    /// Plans, prices and views (the manager's and the lens's arithmetic).
    #[serde(with = "crate::address::checksummed")]
    pub planner: Address,
    /// The vault (custody, shares, the v4 position).
    #[serde(with = "crate::address::checksummed")]
    pub vault: Address,
    /// The vault's operations program (delegate-called by the vault).
    #[serde(with = "crate::address::checksummed")]
    pub vault_ops: Address,
    /// The manager (keeper entrypoints, bounds, fee tiers; the pool's hook).
    #[serde(with = "crate::address::checksummed")]
    pub manager: Address,
    /// The manager's operations program (the owner's functions,
    /// delegate-called by the manager).
    #[serde(with = "crate::address::checksummed")]
    pub manager_ops: Address,
    /// Read-only views over the vault.
    #[serde(with = "crate::address::checksummed")]
    pub lens: Address,
}

/// The vault's Uniswap v4 pool: its key and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// The lower-address currency (token0).
    #[serde(with = "crate::address::checksummed")]
    pub currency0: Address,
    /// The higher-address currency (token1).
    #[serde(with = "crate::address::checksummed")]
    pub currency1: Address,
    /// The key's fee: v4's dynamic-fee flag `0x800000` (the hook sets the
    /// LP fee), or a static fee in pips.
    pub fee: u32,
    /// The pool's tick spacing.
    pub tick_spacing: i32,
    /// The hook (the manager).
    #[serde(with = "crate::address::checksummed")]
    pub hooks: Address,
    /// v4's `PoolId`: `keccak256(abi.encode(key))`.
    pub id: B256,
}

impl Pool {
    /// The pool of `key`, with its id.
    #[must_use]
    pub fn from_key(key: &PoolKey) -> Self {
        Self {
            currency0: key.currency0,
            currency1: key.currency1,
            fee: key.fee.to(),
            tick_spacing: key.tickSpacing.as_i32(),
            hooks: key.hooks,
            id: pool_id(key),
        }
    }

    /// The pool key as v4 takes it (`None` when the fee or the spacing
    /// does not fit `uint24` / `int24`).
    #[must_use]
    pub fn key(&self) -> Option<PoolKey> {
        Some(PoolKey {
            currency0: self.currency0,
            currency1: self.currency1,
            fee: U24::try_from(self.fee).ok()?,
            tickSpacing: I24::try_from(self.tick_spacing).ok()?,
            hooks: self.hooks,
        })
    }
}

/// v4's `PoolId` of `key`: `keccak256(abi.encode(key))`.
#[must_use]
pub fn pool_id(key: &PoolKey) -> B256 {
    keccak256(key.abi_encode())
}

/// A deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The chain it lives on.
    pub chain_id: u64,
    /// Block of the deployment's last transaction.
    pub block: u64,
    /// The account that deployed and owns the contracts.
    #[serde(with = "crate::address::checksummed")]
    pub deployer: Address,
    /// The manager's keeper.
    #[serde(with = "crate::address::checksummed")]
    pub keeper: Address,
    /// The addresses.
    pub contracts: Contracts,
    /// The vault's v4 pool.
    pub pool: Pool,
}

/// Why a manifest could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read or written.
    #[error("manifest {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a manifest.
    #[error("manifest {path}: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, from the JSON parser (names the field and line).
        reason: String,
    },
    /// The manifest is for another chain.
    #[error("manifest {path} is for chain {found}, not chain {expected}")]
    WrongChain {
        /// The file.
        path: String,
        /// The chain the caller is on.
        expected: u64,
        /// The manifest's chain.
        found: u64,
    },
}

impl Manifest {
    /// Parses a manifest from JSON text (`path` names it in errors).
    ///
    /// # Errors
    /// [`ManifestError::Invalid`] for malformed JSON, a missing or unknown
    /// field, or an address that [`crate::address::parse_address`] refuses
    /// (malformed, bad EIP-55 checksum, zero).
    pub fn from_json(text: &str, path: &str) -> Result<Self, ManifestError> {
        let invalid = |reason: String| ManifestError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let manifest: Self = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        manifest.check().map_err(invalid)?;
        Ok(manifest)
    }

    /// The pool key as v4 takes it.
    ///
    /// # Panics
    /// Never for a manifest read by [`Manifest::from_json`] or written by
    /// the deployer (both check the key).
    #[must_use]
    pub fn pool_key(&self) -> PoolKey {
        self.pool
            .key()
            .expect("a checked manifest's fee and tick spacing fit v4's key")
    }

    /// What is wrong with the pool key, if anything: its currencies must be
    /// token0 < token1, its hook the manager, its fee and spacing in v4's
    /// ranges and its id the key's.
    ///
    /// # Errors
    /// One line naming the field.
    pub fn check(&self) -> Result<(), String> {
        let (p, c) = (&self.pool, &self.contracts);
        if (p.currency0, p.currency1) != (c.token0, c.token1) {
            return Err(format!(
                "pool.currency0/currency1 {}/{} are not contracts.token0/token1 {}/{}",
                p.currency0, p.currency1, c.token0, c.token1
            ));
        }
        if c.token0 >= c.token1 {
            return Err(format!(
                "contracts.token0 {} is not below token1 {} (v4 orders currencies by address)",
                c.token0, c.token1
            ));
        }
        if p.hooks != c.manager {
            return Err(format!(
                "pool.hooks {} is not contracts.manager {}",
                p.hooks, c.manager
            ));
        }
        if !(1..=32_767).contains(&p.tick_spacing) {
            return Err(format!(
                "pool.tick_spacing {} is not in 1..=32767",
                p.tick_spacing
            ));
        }
        let key = p
            .key()
            .ok_or_else(|| format!("pool.fee {} does not fit in 24 bits", p.fee))?;
        let id = pool_id(&key);
        if p.id != id {
            return Err(format!("pool.id {} is not the key's id {id}", p.id));
        }
        Ok(())
    }

    /// Reads the manifest at `path`.
    ///
    /// # Errors
    /// [`ManifestError::Io`] when the file cannot be read, else as
    /// [`Manifest::from_json`].
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::from_json(&text, &shown)
    }

    /// [`Manifest::load`], then checks the chain id.
    ///
    /// # Errors
    /// As [`Manifest::load`]; [`ManifestError::WrongChain`] when the manifest
    /// is for another chain than `chain_id`.
    pub fn load_for_chain(path: &Path, chain_id: u64) -> Result<Self, ManifestError> {
        let manifest = Self::load(path)?;
        if manifest.chain_id != chain_id {
            return Err(ManifestError::WrongChain {
                path: path.display().to_string(),
                expected: chain_id,
                found: manifest.chain_id,
            });
        }
        Ok(manifest)
    }

    /// The manifest as pretty JSON (EIP-55 addresses), newline-terminated.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serialising plain integers and addresses cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes the manifest to `path` atomically (a temporary file in the same
    /// directory, then a rename), creating the directory if needed: a reader
    /// sees the old manifest or the new one, never half of one.
    ///
    /// # Errors
    /// [`ManifestError::Io`] when the directory or file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), ManifestError> {
        let shown = path.display().to_string();
        let io = |source| ManifestError::Io {
            path: shown.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        std::fs::write(&tmp, self.to_json()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }
}

impl Contracts {
    /// Every address with its field name, in declaration order (the swap
    /// router only when present).
    #[must_use]
    pub fn named(&self) -> Vec<(&'static str, Address)> {
        let mut all = vec![
            ("token0", self.token0),
            ("token1", self.token1),
            ("oracle", self.oracle),
            ("pool_manager", self.pool_manager),
        ];
        if let Some(router) = self.swap_router {
            all.push(("swap_router", router));
        }
        all.extend([
            ("hedge", self.hedge),
            ("engine", self.engine),
            ("planner", self.planner),
            ("vault", self.vault),
            ("vault_ops", self.vault_ops),
            ("manager", self.manager),
            ("manager_ops", self.manager_ops),
            ("lens", self.lens),
        ]);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    fn sample() -> Manifest {
        let a = |n: u8| Address::with_last_byte(n);
        let contracts = Contracts {
            token0: a(1),
            token1: a(2),
            oracle: a(3),
            pool_manager: a(4),
            swap_router: Some(a(10)),
            hedge: a(5),
            engine: a(6),
            planner: a(11),
            vault: a(7),
            vault_ops: a(12),
            manager: a(8),
            manager_ops: a(13),
            lens: a(9),
        };
        let key = PoolKey {
            currency0: a(1),
            currency1: a(2),
            fee: U24::from(0x80_0000u32),
            tickSpacing: I24::try_from(60).unwrap(),
            hooks: a(8),
        };
        Manifest {
            chain_id: 412_346,
            block: 27,
            deployer: address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
            keeper: address!("70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            contracts,
            pool: Pool::from_key(&key),
        }
    }

    #[test]
    fn the_pool_id_is_v4s() {
        // v4-core's `PoolIdLibrary.toId` of this key, computed independently
        // as keccak256 over the five ABI words
        let m = sample();
        let mut words = Vec::new();
        for w in [
            Address::with_last_byte(1).into_word(),
            Address::with_last_byte(2).into_word(),
            B256::with_last_byte(0),
            B256::with_last_byte(60),
            Address::with_last_byte(8).into_word(),
        ] {
            words.extend_from_slice(w.as_slice());
        }
        words[64 + 29] = 0x80;
        assert_eq!(m.pool.id, keccak256(&words));
        assert_eq!(m.pool_key(), m.pool.key().unwrap());
        assert_eq!(Pool::from_key(&m.pool_key()), m.pool);
    }

    #[test]
    fn a_pool_key_that_disagrees_is_named() {
        let json = sample().to_json();
        let m: serde_json::Value = serde_json::from_str(&json).unwrap();
        let with = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = m.clone();
            f(&mut v);
            Manifest::from_json(&v.to_string(), "m.json")
                .unwrap_err()
                .to_string()
        };
        let err = with(&|v| v["pool"]["tick_spacing"] = 10.into());
        assert!(
            err.starts_with("manifest m.json: pool.id 0x") && err.contains("is not the key's id"),
            "{err}"
        );
        let err = with(&|v| {
            v["pool"]["hooks"] = Address::with_last_byte(9).to_checksum(None).into();
        });
        assert!(err.contains("pool.hooks"), "{err}");
        let err = with(&|v| {
            v["pool"]["currency0"] = Address::with_last_byte(3).to_checksum(None).into();
        });
        assert!(err.contains("pool.currency0/currency1"), "{err}");
        let err = with(&|v| v["pool"]["tick_spacing"] = 0.into());
        assert!(
            err.contains("pool.tick_spacing 0 is not in 1..=32767"),
            "{err}"
        );
        let err = with(&|v| v["pool"]["fee"] = (1u32 << 24).into());
        assert!(err.contains("does not fit in 24 bits"), "{err}");
        let err = with(&|v| {
            let t0 = v["contracts"]["token0"].clone();
            v["contracts"]["token0"] = v["contracts"]["token1"].clone();
            v["contracts"]["token1"] = t0.clone();
            v["pool"]["currency0"] = v["contracts"]["token0"].clone();
            v["pool"]["currency1"] = t0;
        });
        assert!(err.contains("is not below token1"), "{err}");
    }

    #[test]
    fn the_swap_router_is_optional() {
        let mut m = sample();
        m.contracts.swap_router = None;
        let json = m.to_json();
        assert!(!json.contains("swap_router"), "{json}");
        assert_eq!(Manifest::from_json(&json, "m.json").unwrap(), m);
        assert!(
            m.contracts.named().iter().all(|(n, _)| *n != "swap_router")
                && sample().contracts.named().len() == 13
        );
    }

    #[test]
    fn manifest_round_trips_through_a_file() {
        let dir = std::env::temp_dir().join(format!("il-deploy-manifest-{}", std::process::id()));
        let path = dir.join("nested/local.json");
        sample().save(&path).unwrap();
        assert_eq!(Manifest::load_for_chain(&path, 412_346).unwrap(), sample());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"deployer\": \"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\""));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn manifest_for_another_chain_is_refused() {
        let dir = std::env::temp_dir().join(format!("il-deploy-chain-{}", std::process::id()));
        let path = dir.join("m.json");
        sample().save(&path).unwrap();
        let err = Manifest::load_for_chain(&path, 421_614).unwrap_err();
        assert!(matches!(
            err,
            ManifestError::WrongChain {
                expected: 421_614,
                found: 412_346,
                ..
            }
        ));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unknown_missing_and_zero_fields_are_named() {
        let json = sample().to_json();
        let unknown = json.replace("\"block\"", "\"blok\"");
        let err = Manifest::from_json(&unknown, "m.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("blok"), "{err}");
        let zero = json.replace(
            &Address::with_last_byte(7).to_checksum(None),
            &Address::ZERO.to_checksum(None),
        );
        let err = Manifest::from_json(&zero, "m.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("manifest m.json: the zero address is not allowed here"),
            "{err}"
        );
        let err = Manifest::from_json("{", "m.json").unwrap_err();
        assert!(matches!(err, ManifestError::Invalid { .. }));
    }

    #[test]
    fn bad_checksum_is_refused() {
        let json = sample().to_json().replace(
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        );
        assert!(Manifest::from_json(&json, "m.json").is_err());
    }
}
