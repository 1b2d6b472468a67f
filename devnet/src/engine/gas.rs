//! The local chain's deterministic gas model. It is modelled on the EVM and on
//! Stylus's ink, and it is documented in `devnet/README.md`; it is never
//! claimed to equal Nitro's prices.
//!
//! Units: gas (as in receipts); ink = gas x [`INK_PER_GAS`]; one wasmi fuel
//! unit (roughly one WebAssembly instruction) = [`INK_PER_FUEL`] ink.

/// Ink per unit of gas (Stylus's default ink price: 10,000 ink = 1 gas).
pub const INK_PER_GAS: u64 = 10_000;
/// Ink per wasmi fuel unit: 100 fuel (about 100 instructions) cost 1 gas.
pub const INK_PER_FUEL: u64 = 100;
/// The value `tx_ink_price` returns: ink per gas.
pub const INK_PRICE: u32 = 10_000;

/// Base cost of every hostio call from a wasm program, in ink (0.84 gas).
pub const HOSTIO_INK: u64 = 8_400;
/// Nitro's price of a hostio's pointer arguments beyond the base, in ink
/// (`crates/arbutil/src/pricing.rs`: `PTR_INK`).
pub const PTR_INK: u64 = 13_440 - HOSTIO_INK;
/// Nitro's price of a hostio that reaches the EVM's state, in ink (`EVM_API_INK`).
pub const EVM_API_INK: u64 = 59_673;
/// Nitro's price of a 256-bit division or remainder, in ink (`DIV_INK`).
pub const DIV_INK: u64 = 20_000;
/// Nitro's price of a 256-bit `mulmod`, in ink (`MUL_MOD_INK`).
pub const MUL_MOD_INK: u64 = 24_100;
/// Nitro's price of a 256-bit `addmod`, in ink (`ADD_MOD_INK`).
pub const ADD_MOD_INK: u64 = 21_000;
/// EIP-1153 TLOAD and TSTORE.
pub const TRANSIENT_GAS: u64 = 100;

/// Nitro's price of `math_pow` for a 32-byte big-endian `exponent`, in ink
/// (`pow_price`): 3,000 plus 17,500 for each byte from the first non-zero one,
/// plus one (20,500 for a zero exponent, 563,500 for a full one).
pub fn pow_ink(exponent: &[u8; 32]) -> u64 {
    let zeros = exponent.iter().take_while(|&&b| b == 0).count() as u64;
    3_000 + (33 - zeros) * 17_500
}

/// Cost per 32-byte word copied in or out of a program (args, results, return data, code).
pub const COPY_WORD_GAS: u64 = 3;

/// Intrinsic gas of every transaction.
pub const TX_BASE_GAS: u64 = 21_000;
/// Extra intrinsic gas of a contract creation transaction.
pub const TX_CREATE_GAS: u64 = 32_000;
/// Intrinsic gas per zero byte of transaction data.
pub const TX_DATA_ZERO_GAS: u64 = 4;
/// Intrinsic gas per non-zero byte of transaction data.
pub const TX_DATA_NONZERO_GAS: u64 = 16;
/// Intrinsic gas per access-list address (EIP-2930).
pub const ACCESS_LIST_ADDRESS_GAS: u64 = 2_400;
/// Intrinsic gas per access-list storage key (EIP-2930).
pub const ACCESS_LIST_SLOT_GAS: u64 = 1_900;
/// Intrinsic gas per 32-byte word of creation init code (EIP-3860).
pub const INITCODE_WORD_GAS: u64 = 2;

/// First access to a storage slot in a transaction.
pub const COLD_SLOAD_GAS: u64 = 2_100;
/// Later accesses to a storage slot in a transaction.
pub const WARM_ACCESS_GAS: u64 = 100;
/// Flushing a slot from zero to non-zero.
pub const SSTORE_SET_GAS: u64 = 20_000;
/// Flushing a slot that changes otherwise.
pub const SSTORE_RESET_GAS: u64 = 2_900;
/// First access to an account in a transaction (balance, code, call target).
pub const COLD_ACCOUNT_GAS: u64 = 2_600;
/// Extra cost of a call that transfers value.
pub const CALL_VALUE_GAS: u64 = 9_000;
/// Gas added to the callee's allowance when a call transfers value.
pub const CALL_STIPEND: u64 = 2_300;
/// Base cost of a log.
pub const LOG_GAS: u64 = 375;
/// Cost per log topic.
pub const LOG_TOPIC_GAS: u64 = 375;
/// Cost per byte of log data.
pub const LOG_DATA_GAS: u64 = 8;
/// Base cost of keccak256.
pub const KECCAK_GAS: u64 = 30;
/// Cost per 32-byte word hashed.
pub const KECCAK_WORD_GAS: u64 = 6;
/// Base cost of create1/create2.
pub const CREATE_GAS: u64 = 32_000;
/// Cost per byte of deployed code.
pub const CODE_DEPOSIT_GAS: u64 = 200;
/// EIP-3529: the refund is at most the gas used divided by this.
pub const MAX_REFUND_QUOTIENT: u64 = 5;

/// Wasm pages (64 KiB) a call frame gets without paying.
pub const FREE_PAGES: u16 = 2;
/// Cost of each further wasm page a frame holds (initial or grown).
pub const PAGE_GAS: u16 = 1_000;
/// Most wasm pages a frame may hold (8 MiB).
pub const PAGE_LIMIT: u16 = 128;

/// Fixed cost of starting a program (instantiation), before the size part.
pub const PROGRAM_INIT_BASE_GAS: u64 = 1_000;
/// Bytes of (uncompressed) wasm per extra unit of init gas.
pub const PROGRAM_INIT_BYTES_PER_GAS: u64 = 128;

/// Gas of ArbWasm `activateProgram` before the size part.
pub const ACTIVATION_BASE_GAS: u64 = 1_000_000;
/// Gas per byte of (uncompressed) wasm activated.
pub const ACTIVATION_BYTE_GAS: u64 = 10;
/// Activation data fee per byte of uncompressed wasm, in wei (1 gwei).
pub const DATA_FEE_PER_BYTE_WEI: u64 = 1_000_000_000;

/// Most gas a transaction may carry (Arbitrum's per-transaction cap).
pub const MAX_TX_GAS: u64 = 32_000_000;

/// Words (rounded up) of `len` bytes.
pub fn words(len: usize) -> u64 {
    (len as u64).div_ceil(32)
}

/// Intrinsic gas of a transaction: base, data bytes, creation surcharge and
/// init-code words, access list.
pub fn intrinsic_gas(
    data: &[u8],
    is_create: bool,
    access_addresses: u64,
    access_slots: u64,
) -> u64 {
    let zeros = data.iter().filter(|&&b| b == 0).count() as u64;
    let nonzeros = (data.len() as u64).saturating_sub(zeros);
    let mut gas = TX_BASE_GAS
        .saturating_add(zeros.saturating_mul(TX_DATA_ZERO_GAS))
        .saturating_add(nonzeros.saturating_mul(TX_DATA_NONZERO_GAS))
        .saturating_add(access_addresses.saturating_mul(ACCESS_LIST_ADDRESS_GAS))
        .saturating_add(access_slots.saturating_mul(ACCESS_LIST_SLOT_GAS));
    if is_create {
        gas = gas
            .saturating_add(TX_CREATE_GAS)
            .saturating_add(words(data.len()).saturating_mul(INITCODE_WORD_GAS));
    }
    gas
}

/// Gas to hold `pages` more wasm pages when a frame already holds `held`.
pub fn pages_gas(held: u32, pages: u32) -> u64 {
    let free = u32::from(FREE_PAGES);
    let billable_after = held.saturating_add(pages).saturating_sub(free);
    let billable_before = held.saturating_sub(free);
    u64::from(billable_after.saturating_sub(billable_before)).saturating_mul(u64::from(PAGE_GAS))
}

/// Init gas of a program of `wasm_len` uncompressed bytes.
pub fn program_init_gas(wasm_len: usize) -> u64 {
    PROGRAM_INIT_BASE_GAS.saturating_add((wasm_len as u64) / PROGRAM_INIT_BYTES_PER_GAS)
}

/// Gas of activating `wasm_len` bytes of wasm.
pub fn activation_gas(wasm_len: usize) -> u64 {
    ACTIVATION_BASE_GAS.saturating_add((wasm_len as u64).saturating_mul(ACTIVATION_BYTE_GAS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsic_gas_counts_bytes_and_creation() {
        assert_eq!(intrinsic_gas(&[], false, 0, 0), 21_000);
        assert_eq!(intrinsic_gas(&[0, 1, 0, 2], false, 0, 0), 21_000 + 8 + 32);
        // 33 bytes of init code = 2 words
        assert_eq!(
            intrinsic_gas(&[1; 33], true, 0, 0),
            21_000 + 33 * 16 + 32_000 + 4
        );
        assert_eq!(intrinsic_gas(&[], false, 2, 3), 21_000 + 4_800 + 5_700);
    }

    #[test]
    fn pow_costs_by_the_exponents_significant_bytes() {
        let mut e = [0u8; 32];
        assert_eq!(pow_ink(&e), 20_500);
        e[31] = 2;
        assert_eq!(pow_ink(&e), 38_000);
        e[0] = 1;
        assert_eq!(pow_ink(&e), 3_000 + 33 * 17_500);
        assert_eq!(PTR_INK, 5_040);
    }

    #[test]
    fn pages_beyond_the_free_ones_cost_page_gas() {
        assert_eq!(pages_gas(0, 2), 0);
        assert_eq!(pages_gas(0, 3), 1_000);
        assert_eq!(pages_gas(2, 1), 1_000);
        assert_eq!(pages_gas(5, 2), 2_000);
        assert_eq!(pages_gas(1, 0), 0);
    }
}
