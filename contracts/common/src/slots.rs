//! Storage as runs of 32-byte words at hashed base slots, loaded and stored
//! by one loop each.
//!
//! Why: the SDK's typed storage fields inline a read or a write (key
//! encoding, a `try_from_be_slice(..).unwrap()` with its panic path) at
//! every access: measured ~500 bytes of wasm per field access in the vault,
//! where a contract has 24 KiB compressed in all. A contract here keeps its
//! state in a plain Rust struct, reads it with [`load`] at the start of a
//! call and writes it back with [`store`]; only these two loops touch the
//! host.
//!
//! Layout: a record of `N` words lives at `base .. base + N`, where `base`
//! is `keccak256(tag)` ([`base`]) for a singleton, or
//! `keccak256(key . base)` ([`keyed`], Solidity's mapping rule) for an entry
//! of a map. Hashed bases cannot collide with the slots 0, 1, 2, ... the SDK
//! gives `#[storage]` fields, nor with each other.

#[allow(unused_imports)]
use alloc::{string::String, vec, vec::Vec};
use alloy_primitives::{Address, B256, I256, U256};
use stylus_sdk::prelude::*;

use crate::lean::Word;

/// `keccak256(tag)` as a slot, at compile time.
pub const fn base(tag: &[u8]) -> U256 {
    U256::from_be_bytes(
        stylus_sdk::keccak_const::Keccak256::new()
            .update(tag)
            .finalize(),
    )
}

/// The slot of `key`'s entry in a map at `base`: `keccak256(key . base)`,
/// both as 32-byte words (Solidity's layout rule for mappings).
#[inline(never)]
pub fn keyed<H: Host + ?Sized>(vm: &H, key: B256, base: U256) -> U256 {
    let mut input = [0u8; 64];
    input[..32].copy_from_slice(&key.0);
    input[32..].copy_from_slice(&base.to_be_bytes::<32>());
    U256::from_be_bytes(vm.native_keccak256(&input).0)
}

/// Reads `words.len()` consecutive words from `base`.
#[inline(never)]
pub fn load<H: Host + ?Sized>(vm: &H, base: U256, words: &mut [U256]) {
    let mut key = base;
    for w in words.iter_mut() {
        *w = U256::from_be_bytes(vm.storage_load_bytes32(key).0);
        // a base is a hash: the run of a few words cannot wrap in practice,
        // and wrapping would only alias slot 0.., never fail.
        key = key.wrapping_add(U256::from(1u8));
    }
}

/// Writes `words` to consecutive slots from `base`.
#[inline(never)]
pub fn store<H: Host + ?Sized>(vm: &H, base: U256, words: &[U256]) {
    let mut key = base;
    for w in words {
        // SAFETY: the contract owns these slots (hashed bases, see the module
        // documentation); nothing else aliases them.
        unsafe { vm.storage_cache_bytes32(key, w.to_word()) };
        key = key.wrapping_add(U256::from(1u8));
    }
}

/// Reads one word.
pub fn get<H: Host + ?Sized>(vm: &H, slot: U256) -> U256 {
    let mut w = [U256::ZERO];
    load(vm, slot, &mut w);
    w[0]
}

/// Writes one word.
pub fn set<H: Host + ?Sized>(vm: &H, slot: U256, value: U256) {
    store(vm, slot, &[value]);
}

/// An address kept in a word (its low 20 bytes). Copied byte by byte, with
/// no panic path: alloy's `Address::from_word` converts a slice with
/// `unwrap`, whose panic path pulls the formatting machinery into every
/// program.
pub fn to_address(word: U256) -> Address {
    let b = word.to_be_bytes::<32>();
    let mut a = [0u8; 20];
    a.copy_from_slice(&b[12..]);
    Address::new(a)
}

/// A word holding an address.
pub fn from_address(a: Address) -> U256 {
    U256::from_be_bytes(a.into_word().0)
}

/// A signed integer kept in a word (two's complement).
pub fn to_signed(word: U256) -> I256 {
    I256::from_raw(word)
}
