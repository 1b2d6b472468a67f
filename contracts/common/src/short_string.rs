//! Strings of at most 31 bytes in one word: the bytes, then zero padding,
//! with the length in the last byte (the way Solidity stores short
//! strings). Much smaller code than the SDK's `StorageString`, which handles
//! any length; token names and symbols are short.

use alloc::string::String;

use alloy_primitives::U256;

/// Longest string a short string holds, in bytes.
pub const MAX_LEN: usize = 31;

/// `text` as one word, or `None` when it is longer than [`MAX_LEN`] bytes.
pub fn encode(text: &str) -> Option<U256> {
    let bytes = text.as_bytes();
    let len = u8::try_from(bytes.len())
        .ok()
        .filter(|l| usize::from(*l) <= MAX_LEN)?;
    let mut word = [0u8; 32];
    word[..bytes.len()].copy_from_slice(bytes);
    word[MAX_LEN] = len;
    Some(U256::from_be_bytes(word))
}

/// The string in `word` (empty for zero). Only whole `&str`s are encoded,
/// so the bytes are UTF-8; anything else reads as empty.
pub fn decode(word: U256) -> String {
    let bytes = word.to_be_bytes::<32>();
    let len = usize::from(bytes[MAX_LEN]).min(MAX_LEN);
    core::str::from_utf8(&bytes[..len])
        .map(String::from)
        .unwrap_or_default()
}
