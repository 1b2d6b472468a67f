//! The local chain's deterministic gas model, documented figure by figure
//! in `devnet/README.md`. Where Nitro's price is known from its source it is
//! Nitro's: a program's activation and start (`il_wasm::costs`), memory
//! pages per transaction, the activation data fee, the hostios' ink, the
//! storage sentries. Execution inside a program is priced by wasmi's fuel,
//! not by Nitro's per-instruction table.
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

/// Wasm pages (64 KiB) a transaction opens without paying (Nitro's
/// `FreePages`).
pub const FREE_PAGES: u16 = 2;
/// Gas of each page opened beyond the free ones (Nitro's `PageGas`).
pub const PAGE_GAS: u16 = 1_000;
/// Most wasm pages a program may hold (8 MiB, Nitro's `PageLimit`).
pub const PAGE_LIMIT: u16 = 128;
/// Nitro's `PageRamp`: reported by ArbWasm, not used by its cost (the
/// exponential part is the fixed table of [`memory_exp`]).
pub const PAGE_RAMP: u64 = 620_674_314;
/// The exponential memory table's value at [`PAGE_LIMIT`] pages, plus one.
const MEMORY_EXP_TOP: f64 = 31_874_000.0;

/// The exponential part of holding `pages` pages in one transaction
/// (Nitro's `memoryExponents`: `floor(b^p)` with `b = e^(ln(31,874,000)/128)`,
/// saturating above [`PAGE_LIMIT`]).
pub fn memory_exp(pages: u32) -> u64 {
    if pages > u32::from(PAGE_LIMIT) {
        return u64::MAX;
    }
    let base = (MEMORY_EXP_TOP.ln() / f64::from(PAGE_LIMIT)).exp();
    // at most 31,873,999: exact in f64, truncation as Go's conversion
    base.powf(f64::from(pages)) as u64
}

/// Gas of opening `new` pages when `open` are open and `ever` is the most
/// the transaction has held (Nitro's `MemoryModel.GasCost`): 1,000 per page
/// above the free two, re-paid whenever pages are reopened, plus the growth
/// of [`memory_exp`] over the transaction's peak, paid once.
pub fn memory_gas(new: u32, open: u32, ever: u32) -> u64 {
    let new_open = open.saturating_add(new);
    let new_ever = ever.max(new_open);
    let free = u32::from(FREE_PAGES);
    if new_ever <= free {
        return 0;
    }
    let adding = new_open
        .saturating_sub(free)
        .saturating_sub(open.saturating_sub(free));
    let linear = u64::from(adding).saturating_mul(u64::from(PAGE_GAS));
    let expand = memory_exp(new_ever).saturating_sub(memory_exp(ever));
    linear.saturating_add(expand)
}

/// Gas a storage flush must have left before it starts (Nitro's
/// `SSTORE_SENTRY_GAS`; checked, not charged).
pub const SSTORE_SENTRY_GAS: u64 = 2_300;
/// Gas a storage cache write must have left (the sentry plus Nitro's
/// `REQUIRED_ACCESS_GAS` of 10; checked, not charged).
pub const STORAGE_CACHE_SENTRY_GAS: u64 = SSTORE_SENTRY_GAS + 10;

/// The data pricer's floor, wei per asm byte ("5 Mb = $1").
pub const DATA_MIN_PRICE_WEI: u64 = 82_928_201;
/// The pricer's inertia, bytes: the price is `floor * e^(demand/inertia)`.
pub const DATA_INERTIA: u64 = 21_360_419;
/// Bytes of demand that drain each second (2^40 bytes a year).
pub const DATA_BYTES_PER_SECOND: u64 = (1 << 40) / (365 * 24) / 3_600;

/// ArbWasm's data pricer (Nitro's `data_pricer.go`): the demand of
/// recently activated asm bytes, which drains at
/// [`DATA_BYTES_PER_SECOND`]; each activation or keepalive adds its bytes
/// and pays `bytes * floor * e^(demand / inertia)` wei.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DataPricer {
    /// Bytes of demand after the last update.
    pub demand: u32,
    /// Time of the last update, seconds.
    pub last_update: u64,
}

impl DataPricer {
    /// Adds `bytes` of demand at time `now` and returns the fee in wei.
    pub fn update(&mut self, bytes: u32, now: u64) -> alloy::primitives::U256 {
        let passed = u32::try_from(now.saturating_sub(self.last_update)).unwrap_or(u32::MAX);
        let credit = u64::from(passed).saturating_mul(DATA_BYTES_PER_SECOND);
        let drained = u64::from(self.demand).saturating_sub(credit);
        let demand = u32::try_from(drained.saturating_add(u64::from(bytes))).unwrap_or(u32::MAX);
        self.demand = demand;
        self.last_update = now;
        let exponent = 10_000u64.saturating_mul(u64::from(demand)) / DATA_INERTIA;
        let multiplier = exp_bips(exponent, 12);
        let per_byte = DATA_MIN_PRICE_WEI.saturating_mul(multiplier) / 10_000;
        alloy::primitives::U256::from(per_byte.saturating_mul(u64::from(bytes)))
    }

    /// The fee [`DataPricer::update`] would charge, without updating.
    pub fn quote(&self, bytes: u32, now: u64) -> alloy::primitives::U256 {
        let mut copy = *self;
        copy.update(bytes, now)
    }
}

/// `10,000 * e^(x / 10,000)` for `x` in basis points, by the first
/// `terms` terms of its series evaluated from the innermost (as Nitro's
/// `ApproxExpBasisPoints`, non-negative inputs).
pub fn exp_bips(x: u64, terms: u64) -> u64 {
    const ONE: u64 = 10_000;
    let terms = terms.max(1);
    let mut acc = ONE.saturating_add(x / terms);
    for i in (1..terms).rev() {
        acc = ONE.saturating_add(acc.saturating_mul(x) / (i * ONE));
    }
    acc
}

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
    fn memory_costs_follow_nitros_table_and_model() {
        // values of Nitro's table (arbos/programs/memory.go)
        for (pages, value) in [
            (0, 1),
            (6, 2),
            (16, 8),
            (32, 75),
            (64, 5_645),
            (96, 424_206),
            (127, 27_849_408),
            (128, 31_873_999),
        ] {
            assert_eq!(memory_exp(pages), value, "{pages} pages");
        }
        assert_eq!(memory_exp(129), u64::MAX);
        // opening all 128 pages in any steps costs the same (Nitro's
        // memory_test.go): 126 x 1,000 + 31,873,999 - 1
        for jump in 1..=128u32 {
            let (mut total, mut pages) = (0u64, 0u32);
            while pages < 128 {
                let step = jump.min(128 - pages);
                total += memory_gas(step, pages, pages);
                pages += step;
            }
            assert_eq!(total, 31_999_998, "steps of {jump}");
        }
        assert_eq!(memory_gas(2, 0, 0), 0);
        assert_eq!(memory_gas(1, 2, 2), 1_000 + memory_exp(3) - memory_exp(2));
        // reopening below the peak pays the linear part only
        assert_eq!(memory_gas(3, 0, 10), 1_000);
        assert_eq!(memory_gas(129, 0, 0), u64::MAX);
    }

    #[test]
    fn the_data_fee_starts_at_the_floor_and_rises_with_demand() {
        assert_eq!(exp_bips(0, 12), 10_000);
        // e = 2.71828...
        assert_eq!(exp_bips(10_000, 12), 27_182);
        let mut p = DataPricer::default();
        // a tiny activation long after the last: almost the floor
        let fee = p.update(1_024, 1_000_000);
        assert_eq!(
            fee,
            alloy::primitives::U256::from(DATA_MIN_PRICE_WEI * 1_024)
        );
        // 21,360,419 bytes at once: e times the floor, within the series' error
        let mut p = DataPricer::default();
        let fee = p.update(21_360_419, 10);
        let per_byte = fee / alloy::primitives::U256::from(21_360_419u64);
        assert_eq!(
            per_byte,
            alloy::primitives::U256::from(DATA_MIN_PRICE_WEI * 27_182 / 10_000)
        );
        // the demand drains at 34,865 bytes a second
        assert_eq!(DATA_BYTES_PER_SECOND, 34_865);
        let q = p.quote(0, 10 + 100);
        assert_eq!(q, alloy::primitives::U256::ZERO);
        p.update(0, 110);
        assert_eq!(u64::from(p.demand), 21_360_419 - 100 * 34_865);
    }
}
