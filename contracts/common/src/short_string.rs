//! Strings of at most 31 bytes in one storage word: the bytes, then zero
//! padding, with the length in the last byte (the way Solidity stores short
//! strings). Much smaller code than the SDK's `StorageString`, which handles
//! any length; token names and symbols are short.

use alloc::string::String;

use alloy_primitives::FixedBytes;
use stylus_sdk::{prelude::*, storage::StorageFixedBytes};

/// Longest string a [`ShortString`] holds, in bytes.
pub const MAX_LEN: usize = 31;

/// A string of at most [`MAX_LEN`] bytes in one storage slot.
#[storage]
pub struct ShortString {
    word: StorageFixedBytes<32>,
}

impl ShortString {
    /// Stores `text`; returns `false` (and stores nothing) when it is longer
    /// than [`MAX_LEN`] bytes.
    pub fn set(&mut self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let Some(len) = u8::try_from(bytes.len()).ok().filter(|l| usize::from(*l) <= MAX_LEN) else {
            return false;
        };
        let mut word = [0u8; 32];
        word[..bytes.len()].copy_from_slice(bytes);
        word[MAX_LEN] = len;
        self.word.set(FixedBytes(word));
        true
    }

    /// The stored string (empty when never set). Only whole `&str`s are
    /// stored, so the bytes are always UTF-8; anything else reads as empty.
    pub fn get(&self) -> String {
        let word = self.word.get().0;
        let len = usize::from(word[MAX_LEN]).min(MAX_LEN);
        core::str::from_utf8(&word[..len])
            .map(String::from)
            .unwrap_or_default()
    }
}
