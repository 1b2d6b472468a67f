//! Pre-funded development accounts, derived as anvil and Hardhat do.

use alloy::primitives::{Address, B256};
use alloy::signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English};

/// The standard development mnemonic (anvil, Hardhat, Nitro dev tooling).
pub const DEFAULT_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// Derivation path prefix; account `i` is `m/44'/60'/0'/0/i`.
pub const DERIVATION_PREFIX: &str = "m/44'/60'/0'/0/";

/// A development account: address and private key.
#[derive(Clone)]
pub struct DevAccount {
    /// The address.
    pub address: Address,
    /// The secp256k1 private key (32 bytes). Dev use only.
    pub private_key: B256,
    signer: PrivateKeySigner,
}

impl std::fmt::Debug for DevAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevAccount")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl DevAccount {
    /// The signer for this account.
    pub fn signer(&self) -> &PrivateKeySigner {
        &self.signer
    }
}

/// Why the dev accounts could not be derived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot derive dev account {index} from the mnemonic: {reason}")]
pub struct MnemonicError {
    /// Account index.
    pub index: u32,
    /// The derivation error.
    pub reason: String,
}

/// Derives accounts `0..count` of `mnemonic` along `m/44'/60'/0'/0/i`.
///
/// # Errors
/// [`MnemonicError`] for an invalid phrase.
pub fn derive(mnemonic: &str, count: u32) -> Result<Vec<DevAccount>, MnemonicError> {
    (0..count)
        .map(|index| {
            let signer = MnemonicBuilder::<English>::default()
                .phrase(mnemonic)
                .derivation_path(format!("{DERIVATION_PREFIX}{index}"))
                .and_then(|b| b.build())
                .map_err(|e| MnemonicError {
                    index,
                    reason: e.to_string(),
                })?;
            Ok(DevAccount {
                address: signer.address(),
                private_key: signer.to_bytes(),
                signer,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{address, b256};

    #[test]
    fn default_mnemonic_gives_the_well_known_accounts() {
        let accounts = derive(DEFAULT_MNEMONIC, 2).unwrap();
        assert_eq!(
            accounts[0].address,
            address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        );
        assert_eq!(
            accounts[0].private_key,
            b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        );
        assert_eq!(
            accounts[1].address,
            address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        );
    }

    #[test]
    fn an_invalid_phrase_is_a_named_error() {
        let err = derive("not a mnemonic", 1).unwrap_err();
        assert_eq!(err.index, 0);
    }
}
