//! The deployment manifest: which chain, which addresses, from which block.
//! The deployer writes it; the keeper, the demo, the tests and the docs read
//! it. JSON, one object:
//!
//! ```json
//! {
//!   "chain_id": 412346,
//!   "block": 27,
//!   "deployer": "0xf39F…2266",
//!   "keeper": "0x7099…79C8",
//!   "contracts": {
//!     "token0": "0x…", "token1": "0x…", "oracle": "0x…", "pool": "0x…",
//!     "hedge": "0x…", "engine": "0x…", "vault": "0x…", "manager": "0x…",
//!     "lens": "0x…"
//!   }
//! }
//! ```
//!
//! `block` is the block of the deployment's last transaction: logs of
//! interest start after it. `deployer` owns every ownable contract.

use std::path::Path;

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};

/// Addresses of a deployed system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contracts {
    /// The pool's token0 (the volatile asset, e.g. WETH).
    #[serde(with = "crate::address::checksummed")]
    pub token0: Address,
    /// The pool's token1 (the numeraire, e.g. USDC); values are in token1.
    #[serde(with = "crate::address::checksummed")]
    pub token1: Address,
    /// The price feed (token1 per token0).
    #[serde(with = "crate::address::checksummed")]
    pub oracle: Address,
    /// The constant-product pool.
    #[serde(with = "crate::address::checksummed")]
    pub pool: Address,
    /// The hedge venue (perpetual on token0, token1 collateral).
    #[serde(with = "crate::address::checksummed")]
    pub hedge: Address,
    /// The vault's pure arithmetic.
    #[serde(with = "crate::address::checksummed")]
    pub engine: Address,
    /// The vault (custody, shares).
    #[serde(with = "crate::address::checksummed")]
    pub vault: Address,
    /// The manager (keeper entrypoints, bounds, fee tiers).
    #[serde(with = "crate::address::checksummed")]
    pub manager: Address,
    /// Read-only views over the vault.
    #[serde(with = "crate::address::checksummed")]
    pub lens: Address,
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
        serde_json::from_str(text).map_err(|e| ManifestError::Invalid {
            path: path.to_owned(),
            reason: e.to_string(),
        })
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
    /// Every address with its field name, in declaration order.
    #[must_use]
    pub fn named(&self) -> [(&'static str, Address); 9] {
        [
            ("token0", self.token0),
            ("token1", self.token1),
            ("oracle", self.oracle),
            ("pool", self.pool),
            ("hedge", self.hedge),
            ("engine", self.engine),
            ("vault", self.vault),
            ("manager", self.manager),
            ("lens", self.lens),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    fn sample() -> Manifest {
        let a = |n: u8| Address::with_last_byte(n);
        Manifest {
            chain_id: 412_346,
            block: 27,
            deployer: address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
            keeper: address!("70997970C51812dc3A010C7d01b50e0d17dc79C8"),
            contracts: Contracts {
                token0: a(1),
                token1: a(2),
                oracle: a(3),
                pool: a(4),
                hedge: a(5),
                engine: a(6),
                vault: a(7),
                manager: a(8),
                lens: a(9),
            },
        }
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
