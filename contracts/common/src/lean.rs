//! Lean ABI plumbing: one non-generic copy of each encoder for the whole
//! contract instead of one per event, error and call type.
//!
//! Why: Stylus rejects programs over 24 KiB (brotli). Measured on the vault
//! before this module, the SDK's typed paths cost ~1 KB of wasm per event
//! type (`LogAccess::log`), ~2 KB per called function (`SolCall` encode and
//! decode), and 15 KB for a 31-variant error enum (`SolidityError`). Every
//! event, error and call here has static arguments (plus, for errors, at
//! most one trailing `bytes`), so each is a selector or topic and a list of
//! 32-byte words, encoded by the functions below.
//!
//! The typed `sol!` definitions stay the source of truth: they give the
//! selectors and topic hashes (compile-time constants), the exported
//! interface, and the tests, which decode every emitted log and every error
//! with alloy's typed decoders (so a word out of order fails a test).

#[allow(unused_imports)]
use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, B256, I256, U256};
use stylus_sdk::{
    call::{call as sdk_call, static_call as sdk_static_call},
    prelude::*,
    stylus_core::calls::errors::Error as CallError,
};

/// A value with a static ABI encoding: one 32-byte word.
pub trait Word {
    /// The ABI word of `self`.
    fn to_word(&self) -> B256;
}

impl Word for U256 {
    fn to_word(&self) -> B256 {
        B256::from(self.to_be_bytes::<32>())
    }
}

impl Word for I256 {
    fn to_word(&self) -> B256 {
        B256::from(self.into_raw().to_be_bytes::<32>())
    }
}

impl Word for i32 {
    /// Sign-extended (without alloy's `Signed` conversions, whose panic
    /// paths pull formatting code into a program).
    fn to_word(&self) -> B256 {
        il_math::vault::tick_word(*self).to_word()
    }
}

/// The `i32` a sign-extended word holds (an `int24`/`int32` ABI value), or
/// `None` when the word holds none.
pub use il_math::vault::tick_of as i32_of;

/// Sign-extends the low `128` bits of `x` (an `int128` packed in a word).
pub fn sign_extend_128(x: U256) -> I256 {
    let l = x.as_limbs();
    let fill = if l[1] >> 63 == 1 { u64::MAX } else { 0 };
    I256::from_raw(U256::from_limbs([l[0], l[1], fill, fill]))
}

impl Word for Address {
    fn to_word(&self) -> B256 {
        self.into_word()
    }
}

impl Word for B256 {
    fn to_word(&self) -> B256 {
        *self
    }
}

impl Word for bool {
    fn to_word(&self) -> B256 {
        U256::from(u8::from(*self)).to_word()
    }
}

macro_rules! word_via_u256 {
    ($($t:ty),*) => {$(
        impl Word for $t {
            fn to_word(&self) -> B256 {
                U256::from(*self).to_word()
            }
        }
    )*};
}
word_via_u256!(u8, u16, u32, u64, u128);

/// Reads word `index` of ABI data as a `U256`, or `None` when `data` is too
/// short (a callee that returned less than its interface promises).
pub fn u256_at(data: &[u8], index: usize) -> Option<U256> {
    let start = index.checked_mul(32)?;
    let end = start.checked_add(32)?;
    let bytes: [u8; 32] = data.get(start..end)?.try_into().ok()?;
    Some(U256::from_be_bytes(bytes))
}

/// Word `index` as a signed integer (two's complement).
pub fn i256_at(data: &[u8], index: usize) -> Option<I256> {
    u256_at(data, index).map(I256::from_raw)
}

/// Word `index` as an address (the low 20 bytes).
pub fn address_at(data: &[u8], index: usize) -> Option<Address> {
    u256_at(data, index).map(crate::slots::to_address)
}

/// `selector` followed by `words`, then (if given) one dynamic `bytes`
/// argument after them (head: offset; tail: length, data, zero padding).
/// This is the ABI encoding of a call or error whose arguments are the
/// static `words` then `tail`.
#[inline(never)]
pub fn encode(selector: [u8; 4], words: &[B256], tail: Option<&[u8]>) -> Vec<u8> {
    let tail_len = tail.map_or(0, |t| {
        t.len().div_ceil(32).saturating_add(2).saturating_mul(32)
    });
    let mut out = Vec::with_capacity(
        4usize
            .saturating_add(words.len().saturating_mul(32))
            .saturating_add(tail_len),
    );
    out.extend_from_slice(&selector);
    for w in words {
        out.extend_from_slice(w.as_slice());
    }
    if let Some(bytes) = tail {
        // The offset is counted from the start of the arguments: after the
        // static words and this offset word itself.
        let offset = words.len().saturating_add(1).saturating_mul(32);
        out.extend_from_slice(U256::from(offset).to_word().as_slice());
        out.extend_from_slice(U256::from(bytes.len()).to_word().as_slice());
        out.extend_from_slice(bytes);
        let pad = bytes.len().next_multiple_of(32).saturating_sub(bytes.len());
        out.resize(out.len().saturating_add(pad), 0);
    }
    out
}

/// The ABI encoding of a call taking one `uint256[]`: `selector`, the
/// offset word (32), the length, then the words.
#[inline(never)]
pub fn encode_array(selector: [u8; 4], words: &[U256]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        words
            .len()
            .saturating_add(2)
            .saturating_mul(32)
            .saturating_add(4),
    );
    out.extend_from_slice(&selector);
    out.extend_from_slice(U256::from(32u8).to_word().as_slice());
    out.extend_from_slice(U256::from(words.len()).to_word().as_slice());
    for w in words {
        out.extend_from_slice(w.to_word().as_slice());
    }
    out
}

/// The words of a returned `uint256[]` (offset, length, words), or `None`
/// when `data` is not one.
pub fn decode_array(data: &[u8]) -> Option<Vec<U256>> {
    let offset = usize::try_from(u256_at(data, 0)?).ok()?;
    if offset != 32 {
        return None;
    }
    let len = usize::try_from(u256_at(data, 1)?).ok()?;
    (0..len).map(|i| u256_at(data, i.checked_add(2)?)).collect()
}

/// Emits an event with `topics` (the signature hash first, then the indexed
/// arguments) and static `data` words.
#[inline(never)]
pub fn emit<H: RawLogAccess + ?Sized>(vm: &H, topics: &[B256], data: &[B256]) {
    let mut bytes = Vec::with_capacity(topics.len().saturating_add(data.len()).saturating_mul(32));
    for w in topics.iter().chain(data) {
        bytes.extend_from_slice(w.as_slice());
    }
    vm.emit_log(&bytes, topics.len());
}

/// A state-changing call of `target` with ABI `data`; `Err` carries the
/// callee's revert data (empty if it returned none). Flushes and clears the
/// storage cache as the SDK's `call` does.
#[inline(never)]
pub fn call<S>(storage: &mut S, target: Address, data: &[u8]) -> Result<Vec<u8>, Vec<u8>>
where
    S: TopLevelStorage + HostAccess,
{
    let ctx = Call::new_mutating(storage);
    sdk_call(storage.vm(), ctx, target, data).map_err(revert_data)
}

/// A delegate call of `target` with `data`: `target`'s code runs in the
/// caller's storage, balance and `msg` (the vault runs `il-vault-ops` so,
/// the manager `il-manager-ops`).
/// `Err` as for [`call`]. Flushes and clears the storage cache first.
#[inline(never)]
pub fn delegate_call<S>(storage: &mut S, target: Address, data: &[u8]) -> Result<Vec<u8>, Vec<u8>>
where
    S: TopLevelStorage + HostAccess,
{
    let ctx = Call::new_mutating(storage);
    // SAFETY: the storage cache is flushed and cleared by the SDK before
    // the call; the callee is the caller's own operations program (the
    // vault's, the manager's), which keeps the caller's storage layout.
    unsafe { stylus_sdk::call::delegate_call(storage.vm(), ctx, target, data) }.map_err(revert_data)
}

/// A read-only call of `target` with ABI `data`; `Err` as for [`call`].
#[inline(never)]
pub fn static_call<H: Host + ?Sized>(
    vm: &H,
    target: Address,
    data: &[u8],
) -> Result<Vec<u8>, Vec<u8>> {
    sdk_static_call(vm, Call::new(), target, data).map_err(revert_data)
}

fn revert_data(err: CallError) -> Vec<u8> {
    match err {
        CallError::Revert(data) => data,
        CallError::AbiDecodingFailed(_) => Vec::new(),
    }
}

/// Defines a contract's error type: the ABI-encoded revert data of one of
/// the listed `sol!` errors, built when the error is raised.
///
/// Why a byte string and not an enum: a contract's functions pass
/// `Result<T, E>` around everywhere; an enum of errors with addresses and
/// integers is ~100 bytes, copied at every `?`, which measurably bloats the
/// wasm. The encoded form is a `Vec` (12 bytes on wasm32), encoded once by
/// one shared function ([`encode`]).
///
/// Each variant lists the error's fields in declaration order, and at most
/// one trailing `bytes` field after a `;`:
///
/// ```text
/// il_common::solidity_errors! {
///     pub enum VaultError {
///         NotKeeper(VaultNotKeeper { account }),
///         ZeroAmount(VaultZeroAmount {}),
///         CallFailed(VaultCallFailed { target; reason }),
///     }
/// }
/// ```
///
/// It generates `pub struct VaultError(Vec<u8>)` with `From<Error>` for
/// every listed error (so `?` and il-common's generic component errors
/// work), `From<VaultError> for Vec<u8>` (what the router returns), the
/// error list of the exported interface (`export-abi`), `Debug` naming the
/// error, and, for tests, `standard` (alloy's own encoding of the same
/// error: equality with it checks the compact encoding).
#[macro_export]
macro_rules! solidity_errors {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $variant:ident ( $err:ident { $($field:ident),* $(; $bytes:ident)? } ) ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(PartialEq, Eq, Clone)]
        $vis struct $name(pub alloc::vec::Vec<u8>);

        $(
            impl From<$err> for $name {
                #[allow(unused_variables)]
                fn from(e: $err) -> Self {
                    $name($crate::lean::encode(
                        <$err as $crate::__private::alloy_sol_types::SolError>::SELECTOR,
                        &[ $( $crate::lean::Word::to_word(&e.$field) ),* ],
                        None $( .or(Some(&e.$bytes[..])) )?,
                    ))
                }
            }
        )*

        impl From<$name> for alloc::vec::Vec<u8> {
            fn from(e: $name) -> Self {
                e.0
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                use $crate::__private::alloy_sol_types::SolError;
                let selector = self.0.get(..4);
                $(
                    if selector == Some(&<$err as SolError>::SELECTOR[..]) {
                        return match <$err as SolError>::abi_decode(&self.0) {
                            Ok(e) => write!(f, "{}{:?}", stringify!($err), e),
                            Err(_) => write!(f, "{}(undecodable {:02x?})", stringify!($err), self.0),
                        };
                    }
                )*
                write!(f, "{}(unknown {:02x?})", stringify!($name), self.0)
            }
        }

        #[cfg(feature = "export-abi")]
        impl stylus_sdk::abi::export::internal::InnerTypes for $name {
            fn inner_types() -> alloc::vec::Vec<stylus_sdk::abi::export::internal::InnerType> {
                use $crate::__private::alloy_sol_types::SolError;
                alloc::vec![
                    $(
                        stylus_sdk::abi::export::internal::InnerType {
                            name: alloc::format!("error {};", <$err as SolError>::SIGNATURE.replace(',', ", ")),
                            id: core::any::TypeId::of::<$err>(),
                        }
                    ),*
                ]
            }
        }

        impl $name {
            /// alloy's standard ABI encoding of `e`, for tests that check
            /// the compact encoding against it.
            #[cfg(test)]
            pub fn standard<E: $crate::__private::alloy_sol_types::SolError>(e: &E) -> Self {
                $name(e.abi_encode())
            }
        }
    };
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use alloy_primitives::{Bytes, address};
    use alloy_sol_types::{SolCall, SolError, SolValue, sol};

    use super::*;

    sol! {
        function probe(address a, uint256 b, int256 c, bool d, uint8 e);
        error WithReason(address target, uint256 code, bytes reason);
    }

    #[test]
    fn i32_words_are_sign_extended_and_checked_back() {
        for t in [0, 1, -1, 887_272, -887_272, i32::MAX, i32::MIN] {
            let w = t.to_word();
            assert_eq!(w, I256::try_from(t).unwrap().to_word());
            assert_eq!(i32_of(U256::from_be_bytes(w.0)), Some(t));
        }
        // not the sign extension of an i32
        assert_eq!(i32_of(U256::from(u32::MAX)), None);
        assert_eq!(i32_of(U256::from(1u8) << 40), None);
        for x in [0i128, 7, -7, i128::MAX, i128::MIN] {
            let packed = I256::try_from(x).unwrap().into_raw() | (U256::from(0xabu8) << 200);
            assert_eq!(sign_extend_128(packed), I256::try_from(x).unwrap());
        }
    }

    #[test]
    fn encode_matches_alloy_for_static_calls() {
        let a = address!("0x00000000000000000000000000000000000000a1");
        let c = I256::try_from(-5).unwrap();
        let ours = encode(
            probeCall::SELECTOR,
            &[
                a.to_word(),
                U256::from(7).to_word(),
                c.to_word(),
                true.to_word(),
                9u8.to_word(),
            ],
            None,
        );
        let theirs = probeCall {
            a,
            b: U256::from(7),
            c,
            d: true,
            e: 9,
        }
        .abi_encode();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn encode_matches_alloy_with_a_trailing_bytes() {
        let a = address!("0x00000000000000000000000000000000000000a1");
        for len in [0usize, 1, 31, 32, 33, 70] {
            let reason: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let ours = encode(
                WithReason::SELECTOR,
                &[a.to_word(), U256::from(3).to_word()],
                Some(&reason),
            );
            let theirs = WithReason {
                target: a,
                code: U256::from(3),
                reason: Bytes::from(reason),
            }
            .abi_encode();
            assert_eq!(ours, theirs, "reason of {len} bytes");
        }
    }

    #[test]
    fn arrays_match_alloy() {
        sol! { function takes(uint256[] words) returns (uint256[]); }
        let words = vec![U256::from(1), U256::MAX, U256::ZERO];
        assert_eq!(
            encode_array(takesCall::SELECTOR, &words),
            takesCall {
                words: words.clone()
            }
            .abi_encode()
        );
        let returned = words.abi_encode();
        assert_eq!(decode_array(&returned), Some(words));
        assert_eq!(decode_array(&[0u8; 31]), None);
    }

    #[test]
    fn words_read_back() {
        let data = (
            U256::from(5),
            I256::try_from(-2).unwrap(),
            address!("0x00000000000000000000000000000000000000b2"),
        )
            .abi_encode();
        assert_eq!(u256_at(&data, 0), Some(U256::from(5)));
        assert_eq!(i256_at(&data, 1), Some(I256::try_from(-2).unwrap()));
        assert_eq!(
            address_at(&data, 2),
            Some(address!("0x00000000000000000000000000000000000000b2"))
        );
        assert_eq!(u256_at(&data, 3), None);
    }
}
