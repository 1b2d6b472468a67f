//! A lean ABI router: a contract's entrypoint matching selectors from its
//! `sol!` interface and decoding arguments word by word.
//!
//! Why not the SDK's `#[public]`: it generates an argument decoder and a
//! return encoder per function signature, ~20 KB of wasm for a vault-sized
//! contract (measured), where a Stylus program has 24 KiB compressed in
//! all. Here one decoder per argument *type* serves every function.
//!
//! A contract declares its whole interface once, in a `#[sol(abi)]`
//! `interface` (functions, events, errors): the router dispatches on those
//! selectors, tests call through alloy's encoding of the same definitions
//! (so a decoding mistake fails a test), and the exported `.sol` file is
//! rendered from the same JSON ABI ([`crate::abi::render_json`]).
//!
//! Every routed function is non-payable (a call with value reverts
//! `NotPayable`), an unknown selector reverts `UnknownSelector`, malformed
//! calldata reverts `BadCalldata`, and the Stylus constructor selector
//! (`stylus_constructor()`, 0x5585258d) runs the constructor once
//! (`AlreadyInitialized` after).

use alloc::{string::String, vec::Vec};

use alloy_primitives::{Address, B256, Bytes, FixedBytes, I256, U256};
use alloy_sol_types::{SolError, sol};

use crate::{
    lean::{Word, encode, u256_at},
    slots,
};

sol! {
    /// Errors every routed contract can return.
    #[sol(abi)]
    interface RouterErrors {
        /// No function has this selector.
        #[derive(Debug, PartialEq, Eq)]
        error UnknownSelector(bytes4 selector);
        /// The function does not accept value.
        #[derive(Debug, PartialEq, Eq)]
        error NotPayable();
        /// The calldata does not decode as the function's arguments.
        #[derive(Debug, PartialEq, Eq)]
        error BadCalldata();
        /// The constructor already ran.
        #[derive(Debug, PartialEq, Eq)]
        error AlreadyInitialized();
        /// The contract is already executing further up the call stack, and this
        /// function does not accept being re-entered.
        #[derive(Debug, PartialEq, Eq)]
        error ReentrantCall();
    }
}

pub use RouterErrors::{
    AlreadyInitialized, BadCalldata, NotPayable, ReentrantCall, UnknownSelector,
};

/// The Stylus constructor selector: `keccak("stylus_constructor()")[..4]`.
pub const CONSTRUCTOR_SELECTOR: [u8; 4] = [0x55, 0x85, 0x25, 0x8d];

/// Slot of the constructor-ran flag.
const CONSTRUCTED: U256 = slots::base(b"il.router.constructed");

/// Revert data of a router error without arguments (see [`unknown`] for
/// the one with).
pub fn revert<E: SolError>(_error: E) -> Vec<u8> {
    encode(E::SELECTOR, &[], None)
}

/// Revert data of `UnknownSelector(selector)`.
pub fn unknown(selector: [u8; 4]) -> Vec<u8> {
    let mut word = [0u8; 32];
    word[..4].copy_from_slice(&selector);
    encode(UnknownSelector::SELECTOR, &[B256::from(word)], None)
}

/// Splits calldata into its selector and arguments.
pub fn selector(input: &[u8]) -> Result<([u8; 4], &[u8]), Vec<u8>> {
    let sel: [u8; 4] = input
        .get(..4)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| unknown([0; 4]))?;
    Ok((sel, &input[4..]))
}

/// Runs the constructor guard: passes once, then `AlreadyInitialized`.
pub fn constructor_guard<H: stylus_sdk::stylus_core::Host + ?Sized>(vm: &H) -> Result<(), Vec<u8>> {
    if !slots::get(vm, CONSTRUCTED).is_zero() {
        return Err(revert(AlreadyInitialized {}));
    }
    slots::set(vm, CONSTRUCTED, U256::from(1u8));
    Ok(())
}

/// Reads the arguments of a call, one head word at a time.
pub struct Args<'a> {
    data: &'a [u8],
    next: usize,
}

impl<'a> Args<'a> {
    /// The arguments `data` (calldata without the selector).
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, next: 0 }
    }

    /// The next argument.
    ///
    /// # Errors
    /// `BadCalldata` when it does not decode.
    pub fn arg<T: FromArg>(&mut self) -> Result<T, Vec<u8>> {
        let i = self.next;
        self.next = i.saturating_add(1);
        T::from_arg(self.data, i).ok_or_else(|| revert(BadCalldata {}))
    }
}

/// A type decodable from the head word `index` of ABI data (following the
/// offset for dynamic types).
pub trait FromArg: Sized {
    /// The value, or `None` when the data do not encode one.
    fn from_arg(data: &[u8], index: usize) -> Option<Self>;
}

impl FromArg for U256 {
    fn from_arg(data: &[u8], index: usize) -> Option<Self> {
        u256_at(data, index)
    }
}

impl FromArg for I256 {
    fn from_arg(data: &[u8], index: usize) -> Option<Self> {
        u256_at(data, index).map(I256::from_raw)
    }
}

impl FromArg for Address {
    fn from_arg(data: &[u8], index: usize) -> Option<Self> {
        let w = u256_at(data, index)?;
        // an address word has 12 zero bytes on the left
        w.wrapping_shr(160).is_zero().then(|| slots::to_address(w))
    }
}

impl FromArg for bool {
    fn from_arg(data: &[u8], index: usize) -> Option<Self> {
        let w = u256_at(data, index)?;
        (w <= U256::from(1u8)).then_some(!w.is_zero())
    }
}

macro_rules! small_arg {
    ($($t:ty),*) => {$(
        impl FromArg for $t {
            fn from_arg(data: &[u8], index: usize) -> Option<Self> {
                <$t>::try_from(u256_at(data, index)?).ok()
            }
        }
    )*};
}
small_arg!(u8, u16, u32, u64);

/// Start and length of a dynamic argument whose head is word `index`.
fn dynamic(data: &[u8], index: usize) -> Option<(usize, usize)> {
    let offset = usize::try_from(u256_at(data, index)?).ok()?;
    if offset % 32 != 0 {
        return None;
    }
    let start = offset / 32;
    let len = usize::try_from(u256_at(data, start)?).ok()?;
    Some((start.checked_add(1)?, len))
}

impl<T: FromArg> FromArg for Vec<T> {
    fn from_arg(data: &[u8], index: usize) -> Option<Self> {
        let (first, len) = dynamic(data, index)?;
        // elements are words after the length word (static element types)
        (0..len)
            .map(|i| T::from_arg(data, first.checked_add(i)?))
            .collect()
    }
}

impl FromArg for String {
    fn from_arg(data: &[u8], index: usize) -> Option<Self> {
        let (first, len) = dynamic(data, index)?;
        let start = first.checked_mul(32)?;
        let bytes = data.get(start..start.checked_add(len)?)?;
        core::str::from_utf8(bytes).ok().map(String::from)
    }
}

impl FromArg for Bytes {
    fn from_arg(data: &[u8], index: usize) -> Option<Self> {
        let (first, len) = dynamic(data, index)?;
        let start = first.checked_mul(32)?;
        data.get(start..start.checked_add(len)?)
            .map(Bytes::copy_from_slice)
    }
}

/// A return value: static words, or one dynamic array.
pub trait Ret {
    /// The ABI encoding of the return value.
    fn encode_ret(self) -> Vec<u8>;
}

impl Ret for () {
    fn encode_ret(self) -> Vec<u8> {
        Vec::new()
    }
}

/// Static words, concatenated.
#[inline(never)]
pub fn words(ws: &[B256]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ws.len().saturating_mul(32));
    for w in ws {
        out.extend_from_slice(w.as_slice());
    }
    out
}

macro_rules! word_ret {
    ($($t:ty),*) => {$(
        impl Ret for $t {
            fn encode_ret(self) -> Vec<u8> {
                words(&[self.to_word()])
            }
        }
    )*};
}
word_ret!(
    U256,
    I256,
    Address,
    bool,
    u8,
    u16,
    u32,
    u64,
    i32,
    FixedBytes<32>
);

macro_rules! tuple_ret {
    ($($name:ident),+) => {
        impl<$($name: Word),+> Ret for ($($name,)+) {
            #[allow(non_snake_case)]
            fn encode_ret(self) -> Vec<u8> {
                let ($($name,)+) = self;
                words(&[$($name.to_word()),+])
            }
        }
    };
}
tuple_ret!(A, B);
tuple_ret!(A, B, C);
tuple_ret!(A, B, C, D);
tuple_ret!(A, B, C, D, E);
tuple_ret!(A, B, C, D, E, F);
tuple_ret!(A, B, C, D, E, F, G);
tuple_ret!(A, B, C, D, E, F, G, H);
tuple_ret!(A, B, C, D, E, F, G, H, I);
tuple_ret!(A, B, C, D, E, F, G, H, I, J);
tuple_ret!(A, B, C, D, E, F, G, H, I, J, K);
tuple_ret!(A, B, C, D, E, F, G, H, I, J, K, L);

impl Ret for Vec<U256> {
    fn encode_ret(self) -> Vec<u8> {
        let mut ws = Vec::with_capacity(self.len().saturating_add(2));
        ws.push(U256::from(32u8).to_word());
        ws.push(U256::from(self.len()).to_word());
        ws.extend(self.iter().map(Word::to_word));
        words(&ws)
    }
}

impl Ret for Bytes {
    fn encode_ret(self) -> Vec<u8> {
        dynamic_bytes(&self)
    }
}

/// The ABI encoding of one dynamic `bytes`/`string` return value: offset,
/// length, the bytes padded to words.
fn dynamic_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = words(&[
        U256::from(32u8).to_word(),
        U256::from(bytes.len()).to_word(),
    ]);
    out.extend_from_slice(bytes);
    let pad = bytes.len().next_multiple_of(32).saturating_sub(bytes.len());
    out.resize(out.len().saturating_add(pad), 0);
    out
}

impl Ret for String {
    fn encode_ret(self) -> Vec<u8> {
        dynamic_bytes(self.as_bytes())
    }
}

/// Defines a contract's entrypoint: routes each selector of its `sol!`
/// interface to a method returning `Result<T, Error>` (`T: Ret`), decoding
/// the arguments with [`FromArg`], and the Stylus constructor selector to
/// the constructor (once). The contract must be a `#[storage]` struct
/// without `#[entrypoint]` (this macro is its entrypoint).
///
/// Reentrancy: a call made while the contract is already executing further
/// up the stack (`msg_reentrant`, as on Nitro) reverts `ReentrantCall`,
/// except for the functions listed in an optional `#[reentrant(...)]` clause
/// (the vault's `unlockCallback`, which Uniswap v4's PoolManager calls back
/// inside the vault's own `unlock`). The SDK's guard (its `reentrant`
/// feature) is all or nothing for every contract built together; this one
/// is per function.
///
/// Fallback: with `#[fallback(method)]`, calldata whose selector matches
/// none is handed whole to `method(&[u8]) -> ArbResult` (the vault
/// delegates its controller operations to `il-vault-ops` so), after the
/// reentrancy guard.
///
/// ```text
/// il_common::lean_router! {
///     Vault, VaultError;
///     constructor(token0: Address, controller: Address);
///     #[reentrant(IVault::unlockCallbackCall)]
///     #[fallback(delegate_ops)]
///     IVault::depositCall => deposit(a0: U256, a1: U256, min: U256, to: Address);
///     IVault::stateCall => state();
/// }
/// ```
///
/// It also defines `pub fn route(input, host) -> ArbResult`, the native
/// entry the test kit dispatches to (the guard included), and, on wasm32,
/// the program's `user_entrypoint`.
#[macro_export]
macro_rules! lean_router {
    ($contract:ident, $error:ty; $($rest:tt)*) => {
        // SAFETY: the contract is the top-level storage of its program (this
        // macro is its entrypoint), as `#[entrypoint]` would declare.
        unsafe impl stylus_sdk::stylus_core::storage::TopLevelStorage for $contract {}

        $crate::lean_route! { $contract, $error; $($rest)* }
    };
}

/// The constructor call of [`lean_route!`]: `constructor`, or the method
/// named in `constructor = name(...)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __constructor {
    ($c:ident; $($arg:ident),*) => { $c.constructor($($arg),*) };
    ($c:ident, $name:ident; $($arg:ident),*) => { $c.$name($($arg),*) };
}

/// [`lean_router!`] for a contract type declared in another crate, which
/// implements `TopLevelStorage` itself: two programs that share one storage
/// layout (`il-vault` and `il-vault-ops`, which runs by delegate call in the
/// vault's storage) each route their own functions over the same type.
#[macro_export]
macro_rules! lean_route {
    (
        $contract:ident, $error:ty;
        constructor $(= $cname:ident)? ( $($carg:ident : $cty:ty),* $(,)? );
        $( #[reentrant( $($rcall:path),* $(,)? )] )?
        $( #[fallback( $fallback:ident )] )?
        $( $call:path => $method:ident ( $($arg:ident : $ty:ty),* $(,)? ); )*
    ) => {
        /// Dispatches calldata to the contract (the program's entrypoint,
        /// and the native entry of the test kit).
        ///
        /// # Errors
        /// The revert data of the contract's error, or a router error.
        pub fn route(input: alloc::vec::Vec<u8>, host: stylus_sdk::host::VM) -> stylus_sdk::ArbResult {
            use stylus_sdk::{prelude::*, storage::StorageType};
            use $crate::__private::alloy_sol_types::SolCall;
            use $crate::router::Ret;
            // SAFETY: slot 0 is the root of the contract's storage.
            let mut contract = unsafe { <$contract as StorageType>::new(alloy_primitives::U256::ZERO, 0, host) };
            if !contract.vm().msg_value().is_zero() {
                return Err($crate::router::revert($crate::router::NotPayable {}));
            }
            let (selector, data) = $crate::router::selector(&input)?;
            #[allow(unused_mut)]
            let mut reenters = false;
            $( $( reenters |= selector == <$rcall as SolCall>::SELECTOR; )* )?
            if contract.vm().msg_reentrant() && !reenters {
                return Err($crate::router::revert($crate::router::ReentrantCall {}));
            }
            #[allow(unused_mut, unused_variables)]
            let mut args = $crate::router::Args::new(data);
            if selector == $crate::router::CONSTRUCTOR_SELECTOR {
                $crate::router::constructor_guard(contract.vm())?;
                $( let $carg: $cty = args.arg()?; )*
                return $crate::__constructor!(contract $(, $cname)?; $($carg),*)
                    .map(Ret::encode_ret)
                    .map_err(Into::into);
            }
            $(
                if selector == <$call as SolCall>::SELECTOR {
                    $( let $arg: $ty = args.arg()?; )*
                    return contract.$method($($arg),*).map(Ret::encode_ret).map_err(Into::into);
                }
            )*
            $( return contract.$fallback(&input); )?
            #[allow(unreachable_code)]
            Err($crate::router::unknown(selector))
        }

        /// The program's entrypoint (what the SDK's `#[entrypoint]`
        /// generates, without its all-or-nothing reentrancy guard: `route`
        /// has its own). Native builds (tests, the ABI export) have none;
        /// the test kit calls `route`.
        #[cfg(target_arch = "wasm32")]
        #[unsafe(no_mangle)]
        pub extern "C" fn user_entrypoint(len: usize) -> usize {
            use stylus_sdk::stylus_core::{CalldataAccess, MemoryAccess, StorageAccess};
            let host = stylus_sdk::host::VM { host: stylus_sdk::host::WasmVM {} };
            // a no-op that keeps the `pay_for_memory_grow` import, which
            // activation needs to price memory growth
            host.pay_for_memory_grow(0);
            let input = host.read_args(len);
            let (data, status) = match route(input, host.clone()) {
                Ok(data) => (data, 0),
                Err(data) => (data, 1),
            };
            host.flush_cache(false);
            host.write_result(&data);
            status
        }
    };
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use alloy_primitives::address;
    use alloy_sol_types::{SolCall, SolValue, sol};

    use super::*;

    sol! {
        function f(uint256 a, int256 b, address c, bool d, uint16 e, uint256[] f, string g, uint32[] h);
    }

    #[test]
    fn arguments_decode_as_alloy_encodes_them() {
        let call = fCall {
            a: U256::from(7),
            b: I256::try_from(-3).unwrap(),
            c: address!("0x00000000000000000000000000000000000000a1"),
            d: true,
            e: 513,
            f: vec![U256::from(1), U256::MAX],
            g: "hello".into(),
            h: vec![5, 6, 7],
        };
        let data = call.abi_encode();
        let mut a = Args::new(&data[4..]);
        assert_eq!(a.arg::<U256>().unwrap(), call.a);
        assert_eq!(a.arg::<I256>().unwrap(), call.b);
        assert_eq!(a.arg::<Address>().unwrap(), call.c);
        assert!(a.arg::<bool>().unwrap());
        assert_eq!(a.arg::<u16>().unwrap(), 513);
        assert_eq!(a.arg::<Vec<U256>>().unwrap(), call.f);
        assert_eq!(a.arg::<String>().unwrap(), "hello");
        assert_eq!(a.arg::<Vec<u32>>().unwrap(), vec![5, 6, 7]);
        // Truncated calldata: the dynamic argument's tail is missing.
        let short = &data[4..data.len() - 32];
        let mut b = Args::new(short);
        for _ in 0..7 {
            b.arg::<U256>().unwrap();
        }
        assert_eq!(b.arg::<Vec<u32>>(), Err(revert(BadCalldata {})));
    }

    #[test]
    fn malformed_arguments_are_refused() {
        let dirty_address = U256::MAX.abi_encode();
        assert_eq!(
            Args::new(&dirty_address).arg::<Address>(),
            Err(revert(BadCalldata {}))
        );
        let two = U256::from(2).abi_encode();
        assert_eq!(Args::new(&two).arg::<bool>(), Err(revert(BadCalldata {})));
        assert_eq!(
            Args::new(&U256::from(70_000).abi_encode()).arg::<u16>(),
            Err(revert(BadCalldata {}))
        );
    }

    #[test]
    fn returns_encode_as_alloy_decodes_them() {
        let t = (
            U256::from(1),
            I256::try_from(-2).unwrap(),
            address!("0x00000000000000000000000000000000000000b2"),
        );
        assert_eq!(t.encode_ret(), t.abi_encode_params());
        let v = vec![U256::from(3), U256::from(4)];
        assert_eq!(v.clone().encode_ret(), (v,).abi_encode_params());
        let s = String::from("a name");
        assert_eq!(s.clone().encode_ret(), (s,).abi_encode_params());
    }

    #[test]
    fn router_errors_encode_like_alloy() {
        assert_eq!(
            unknown([1, 2, 3, 4]),
            UnknownSelector {
                selector: [1, 2, 3, 4].into()
            }
            .abi_encode()
        );
        assert_eq!(revert(NotPayable {}), NotPayable {}.abi_encode());
        assert_eq!(
            CONSTRUCTOR_SELECTOR,
            alloy_primitives::keccak256("stylus_constructor()")[..4]
        );
    }
}
