//! Addresses as people type them: `0x` + 40 hex digits; all-lowercase or
//! all-uppercase accepted as is, mixed case must carry a valid EIP-55
//! checksum (a typo in a checksummed address is caught, not obeyed).
//! Written back with the checksum.

use alloy::primitives::Address;
use serde::{Deserialize, Deserializer, Serializer};

/// Why text is not an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not `0x` + 40 hex digits.
    #[error("{0:?} is not an address (want 0x + 40 hex digits)")]
    Malformed(String),
    /// Mixed case with a wrong EIP-55 checksum.
    #[error("{0:?} has a bad EIP-55 checksum")]
    Checksum(String),
    /// The zero address where a contract or account is required.
    #[error("the zero address is not allowed here")]
    Zero,
}

/// Parses `text` (surrounding whitespace ignored) as a non-zero address.
///
/// # Errors
/// [`AddressError::Malformed`], [`AddressError::Checksum`] for mixed case
/// with a wrong EIP-55 checksum, [`AddressError::Zero`].
pub fn parse_address(text: &str) -> Result<Address, AddressError> {
    let s = text.trim();
    let malformed = || AddressError::Malformed(s.to_owned());
    let hex = s.strip_prefix("0x").ok_or_else(malformed)?;
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    let mixed =
        hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
    let address = if mixed {
        Address::parse_checksummed(s, None).map_err(|_| AddressError::Checksum(s.to_owned()))?
    } else {
        s.parse::<Address>().map_err(|_| malformed())?
    };
    if address.is_zero() {
        return Err(AddressError::Zero);
    }
    Ok(address)
}

/// Serde for a non-zero address: written with its EIP-55 checksum, read
/// with [`parse_address`]. Use as `#[serde(with = "il_deploy::address::checksummed")]`.
pub mod checksummed {
    use super::{Address, Deserialize, Deserializer, Serializer, parse_address};

    /// Writes the checksummed form.
    ///
    /// # Errors
    /// Only the serializer's own.
    pub fn serialize<S: Serializer>(address: &Address, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&address.to_checksum(None))
    }

    /// Reads with [`parse_address`].
    ///
    /// # Errors
    /// The [`super::AddressError`] text, as a serde error.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Address, D::Error> {
        let text = String::deserialize(d)?;
        parse_address(&text).map_err(serde::de::Error::custom)
    }
}

/// [`checksummed`] for an optional address: absent (or `null`) is `None`.
/// Use as `#[serde(default, skip_serializing_if = "Option::is_none", with =
/// "il_deploy::address::checksummed_opt")]`.
pub mod checksummed_opt {
    use super::{Address, Deserialize, Deserializer, Serializer, parse_address};

    /// Writes the checksummed form (`null` for `None`).
    ///
    /// # Errors
    /// Only the serializer's own.
    pub fn serialize<S: Serializer>(address: &Option<Address>, s: S) -> Result<S::Ok, S::Error> {
        match address {
            Some(a) => s.serialize_str(&a.to_checksum(None)),
            None => s.serialize_none(),
        }
    }

    /// Reads with [`parse_address`].
    ///
    /// # Errors
    /// The [`super::AddressError`] text, as a serde error.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Address>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| parse_address(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_upper_and_checksummed_forms_parse() {
        let want: Address = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
            .parse()
            .unwrap();
        for text in [
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266",
            " 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 ",
        ] {
            assert_eq!(parse_address(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn bad_text_checksum_and_zero_are_named() {
        assert_eq!(
            parse_address("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
            Err(AddressError::Checksum(
                "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266".into()
            ))
        );
        for text in [
            "f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "0x1234",
            "0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        ] {
            assert_eq!(
                parse_address(text),
                Err(AddressError::Malformed(text.into()))
            );
        }
        assert_eq!(
            parse_address(&format!("{}", Address::ZERO)),
            Err(AddressError::Zero)
        );
    }
}
