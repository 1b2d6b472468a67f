//! The lens: read-only analytics of one IL vault.
//!
//! What a depositor, a wallet, the keeper and the manager ask: the vault's
//! accounting at the oracle price (value, hold benchmark, PnL, and its
//! split into IL, fee income and hedge PnL), the same for one holder, a
//! deposit preview, and the oracle price with the pool's deviation from
//! it. Everything is
//! computed with `il_math::vault` from the vault's stored records brought to
//! now (the pending checkpoint included), so a view answers exactly what a
//! withdrawal would settle.
//!
//! The lens has no privileges and holds nothing; it can be redeployed at
//! will. It is a separate contract because a Stylus program must stay
//! under 24 KiB compressed.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{Address, Bytes, I256, U256};
use alloy_sol_types::{SolCall, sol};
use il_common::{
    lean::{self, Word},
    slots, venue,
};
use il_math::{
    MathError, Price,
    vault::{self, HolderRecord, Ledger, PoolState, Split},
};
use stylus_sdk::prelude::*;

sol! {
    /// The lens's functions and errors. The constructor (Stylus
    /// `stylus_constructor`) takes `(address vault)`.
    #[sol(abi)]
    interface ILens {
        /// The vault and what it is wired to.
        function contracts() external view returns (address vault, address token0, address token1, address pool, address venue, address oracle, address engine);
        /// The oracle price (token1 raw per token0 raw, exact rational), when it was set, and the pool spot's deviation from it (bps, rounded up).
        function price() external view returns (uint256 num, uint256 den, uint256 updatedAt, uint256 deviationBps);
        /// Vault-wide accounting at the oracle price, token1 raw units: pnl = value - hold = il + fees + hedgePnl.
        function accounting() external view returns (uint256 value, uint256 hold, int256 pnl, int256 il, int256 fees, int256 hedgePnl);
        /// One holder's accounting, like `accounting`.
        function accountOf(address account) external view returns (uint256 shares, uint256 value, uint256 hold, int256 pnl, int256 il, int256 fees, int256 hedgePnl);
        /// Shares a deposit of at most `amount0Max`/`amount1Max` would mint now, and the amounts it would take.
        function previewDeposit(uint256 amount0Max, uint256 amount1Max) external view returns (uint256 shares, uint256 amount0, uint256 amount1);

        /// Fixed-point arithmetic failed (il-math error code).
        #[derive(Debug, PartialEq, Eq)]
        error LensMath(uint8 code);
        /// The oracle answered `answer`, not a positive price.
        #[derive(Debug, PartialEq, Eq)]
        error LensInvalidPrice(int256 answer);
        /// A call to `target` failed; `reason` is its revert data.
        #[derive(Debug, PartialEq, Eq)]
        error LensCallFailed(address target, bytes reason);
        /// This address cannot be used (the zero address).
        #[derive(Debug, PartialEq, Eq)]
        error LensInvalidAddress(address account);
    }
}

pub use ILens::{LensCallFailed, LensInvalidAddress, LensInvalidPrice, LensMath};

il_common::solidity_errors! {
    /// Every way a call can fail, as named Solidity errors.
    pub enum LensError {
        Math(LensMath { code }),
        InvalidPrice(LensInvalidPrice { answer }),
        CallFailed(LensCallFailed { target; reason }),
        InvalidAddress(LensInvalidAddress { account }),
    }
}

impl From<MathError> for LensError {
    fn from(err: MathError) -> Self {
        LensMath { code: err.code() }.into()
    }
}

sol! {
    /// What the lens reads (selectors only: the calls are encoded by `il_common::lean`).
    interface IReads {
        function contracts() external view returns (address, address, address, address, address, address);
        function state() external view returns (uint256[]);
        function holder(address account) external view returns (uint256[]);
        function totalSupply() external view returns (uint256);
        function balanceOf(address account) external view returns (uint256);
        function decimals() external view returns (uint8);
        function getReserves() external view returns (uint112, uint112, uint32);
        function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
        function deposit(uint256[] args) external view returns (uint256[]);
    }
}

use IReads::{
    balanceOfCall, contractsCall, decimalsCall, depositCall, getReservesCall, holderCall,
    latestRoundDataCall, stateCall, totalSupplyCall,
};

/// Words at `WIRING`: vault, token0, token1, pool, venue, oracle, engine,
/// then decimals of token0, token1 and the oracle answer.
const WIRING: U256 = slots::base(b"il.lens.wiring");

/// The lens's configuration, read once per call.
#[derive(Clone, Copy)]
struct Wiring {
    vault: Address,
    token0: Address,
    token1: Address,
    pool: Address,
    venue: Address,
    oracle: Address,
    engine: Address,
    decimals0: u8,
    decimals1: u8,
    oracle_decimals: u8,
}

/// A consistent read of the vault and its markets.
struct Snapshot {
    /// Controller, cap, paused, then the ledger (see `IVault.state`).
    state: Vec<U256>,
    ledger: Ledger,
    pool: PoolState,
    price: Price,
    updated_at: U256,
    /// The venue block (`il_common::venue`), valued.
    venue: [U256; 5],
    equity: I256,
    supply: U256,
}

/// The lens has only its wiring (in a hashed slot).
#[storage]
pub struct Lens {}

impl Lens {
    /// Reads and stores the vault's wiring and the decimals of its tokens
    /// and oracle.
    ///
    /// # Errors
    /// `LensInvalidAddress` for a zero vault, `LensCallFailed` when the
    /// vault, a token or the oracle does not answer.
    pub fn constructor(&mut self, vault: Address) -> Result<(), LensError> {
        if vault.is_zero() {
            return Err(LensInvalidAddress { account: vault }.into());
        }
        let out = self.read(vault, &lean::encode(contractsCall::SELECTOR, &[], None))?;
        let mut words = [
            slots::from_address(vault),
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
        ];
        for (i, w) in words.iter_mut().enumerate().skip(1).take(6) {
            *w = word(vault, &out, i.saturating_sub(1))?;
        }
        for (i, target) in [(7usize, 1usize), (8, 2), (9, 5)] {
            let who = slots::to_address(words[target]);
            words[i] = word(
                who,
                &self.read(who, &lean::encode(decimalsCall::SELECTOR, &[], None))?,
                0,
            )?;
        }
        slots::store(self.vm(), WIRING, &words);
        Ok(())
    }

    /// The vault and what it is wired to.
    ///
    /// # Errors
    /// None.
    #[allow(clippy::type_complexity)]
    pub fn contracts(
        &self,
    ) -> Result<
        (
            Address,
            Address,
            Address,
            Address,
            Address,
            Address,
            Address,
        ),
        LensError,
    > {
        let w = self.wiring();
        Ok((
            w.vault, w.token0, w.token1, w.pool, w.venue, w.oracle, w.engine,
        ))
    }

    /// The oracle price, its time, and the pool's spot deviation from it.
    ///
    /// # Errors
    /// `LensInvalidPrice`, `LensMath`, `LensCallFailed`.
    pub fn price(&self) -> Result<(U256, U256, U256, U256), LensError> {
        let w = self.wiring();
        let pool = self.pool_state(&w)?;
        let (price, updated_at) = self.oracle_price(&w)?;
        let spot = Price::from_reserves(pool.reserve0, pool.reserve1)?;
        Ok((
            price.num(),
            price.den(),
            updated_at,
            spot.deviation_bps(&price)?,
        ))
    }

    /// Vault-wide accounting at the oracle price (accumulators brought to now).
    ///
    /// # Errors
    /// `LensInvalidPrice`, `LensMath`, `LensCallFailed`.
    pub fn accounting(&self) -> Result<(U256, U256, I256, I256, I256, I256), LensError> {
        let s = self.snapshot()?;
        let split = vault::vault_split(&s.ledger, &s.pool, &s.price, s.equity, s.supply)?;
        Ok(parts(&split))
    }

    /// `account`'s accounting: its shares and the split of its part.
    ///
    /// # Errors
    /// `LensInvalidPrice`, `LensMath`, `LensCallFailed`.
    #[allow(clippy::type_complexity)]
    pub fn account_of(
        &self,
        account: Address,
    ) -> Result<(U256, U256, U256, I256, I256, I256, I256), LensError> {
        let w = self.wiring();
        let s = self.snapshot()?;
        let shares = word(
            w.vault,
            &self.read(
                w.vault,
                &lean::encode(balanceOfCall::SELECTOR, &[account.to_word()], None),
            )?,
            0,
        )?;
        let record = self.read(
            w.vault,
            &lean::encode(holderCall::SELECTOR, &[account.to_word()], None),
        )?;
        let holder = HolderRecord::from_words(
            &lean::decode_array(&record).ok_or_else(|| failed(w.vault, Vec::new()))?,
        )?;
        let split = vault::holder_split(
            &s.ledger, &holder, &s.pool, &s.price, s.equity, s.supply, shares,
        )?;
        let (value, hold, pnl, il, fees, hedge) = parts(&split);
        Ok((shares, value, hold, pnl, il, fees, hedge))
    }

    /// What a deposit would mint and take now (the engine's deposit rule,
    /// the hedge at the higher of its oracle and spot marks, as the vault
    /// prices it).
    ///
    /// # Errors
    /// `LensMath`, `LensCallFailed` (the engine refused: e.g. an empty pool;
    /// or the venue cannot value the hedge now).
    pub fn preview_deposit(
        &self,
        amount0_max: U256,
        amount1_max: U256,
    ) -> Result<(U256, U256, U256), LensError> {
        let w = self.wiring();
        let s = self.snapshot_without_price(&w)?;
        let mut args: Vec<U256> = s.state[3..].to_vec();
        args.extend_from_slice(&HolderRecord::default().to_words());
        args.extend_from_slice(&[s.pool.reserve0, s.pool.reserve1, s.pool.supply]);
        args.extend_from_slice(&s.venue);
        args.extend_from_slice(&[s.supply, U256::ZERO, amount0_max, amount1_max]);
        let out = self.read(w.engine, &lean::encode_array(depositCall::SELECTOR, &args))?;
        let out = lean::decode_array(&out).ok_or_else(|| failed(w.engine, Vec::new()))?;
        let at = |i: usize| {
            out.get(i)
                .copied()
                .ok_or_else(|| failed(w.engine, Vec::new()))
        };
        Ok((at(18)?, at(19)?, at(20)?))
    }
}

fn parts(s: &Split) -> (U256, U256, I256, I256, I256, I256) {
    (s.value, s.hold, s.pnl, s.il, s.fees, s.hedge)
}

fn failed(target: Address, reason: Vec<u8>) -> LensError {
    LensCallFailed {
        target,
        reason: Bytes::from(reason),
    }
    .into()
}

/// Word `i` of `target`'s return data.
fn word(target: Address, data: &[u8], i: usize) -> Result<U256, LensError> {
    lean::u256_at(data, i).ok_or_else(|| failed(target, Vec::new()))
}

impl Lens {
    fn wiring(&self) -> Wiring {
        let mut w = [U256::ZERO; 10];
        slots::load(self.vm(), WIRING, &mut w);
        let small = |x: U256| x.saturating_to::<u8>();
        Wiring {
            vault: slots::to_address(w[0]),
            token0: slots::to_address(w[1]),
            token1: slots::to_address(w[2]),
            pool: slots::to_address(w[3]),
            venue: slots::to_address(w[4]),
            oracle: slots::to_address(w[5]),
            engine: slots::to_address(w[6]),
            decimals0: small(w[7]),
            decimals1: small(w[8]),
            oracle_decimals: small(w[9]),
        }
    }

    fn read(&self, target: Address, data: &[u8]) -> Result<Vec<u8>, LensError> {
        lean::static_call(self.vm(), target, data).map_err(|reason| failed(target, reason))
    }

    fn pool_state(&self, w: &Wiring) -> Result<PoolState, LensError> {
        let r = self.read(w.pool, &lean::encode(getReservesCall::SELECTOR, &[], None))?;
        let supply = self.read(w.pool, &lean::encode(totalSupplyCall::SELECTOR, &[], None))?;
        Ok(PoolState {
            reserve0: word(w.pool, &r, 0)?,
            reserve1: word(w.pool, &r, 1)?,
            supply: word(w.pool, &supply, 0)?,
        })
    }

    fn oracle_price(&self, w: &Wiring) -> Result<(Price, U256), LensError> {
        let round = self.read(
            w.oracle,
            &lean::encode(latestRoundDataCall::SELECTOR, &[], None),
        )?;
        let answer = I256::from_raw(word(w.oracle, &round, 1)?);
        let price = Price::from_oracle(answer, w.oracle_decimals, w.decimals0, w.decimals1)
            .map_err(|_| LensError::from(LensInvalidPrice { answer }))?;
        Ok((price, word(w.oracle, &round, 3)?))
    }

    /// The vault's state, the pool, the venue equity and the share supply.
    fn snapshot_without_price(&self, w: &Wiring) -> Result<Snapshot, LensError> {
        let state = self.read(w.vault, &lean::encode(stateCall::SELECTOR, &[], None))?;
        let state = lean::decode_array(&state).ok_or_else(|| failed(w.vault, Vec::new()))?;
        let ledger = Ledger::from_words(state.get(3..).unwrap_or_default())?;
        let venue = venue::read(self.vm(), w.venue, w.vault, ledger.hedge_active)
            .map_err(|reason| failed(w.venue, reason))?;
        if let Some(reason) = venue.failure {
            return Err(failed(w.venue, reason));
        }
        let supply = word(
            w.vault,
            &self.read(w.vault, &lean::encode(totalSupplyCall::SELECTOR, &[], None))?,
            0,
        )?;
        Ok(Snapshot {
            state,
            ledger,
            pool: self.pool_state(w)?,
            price: Price::new(U256::from(1u8), U256::from(1u8))?,
            updated_at: U256::ZERO,
            equity: I256::from_raw(venue.words[1]),
            venue: venue.words,
            supply,
        })
    }

    fn snapshot(&self) -> Result<Snapshot, LensError> {
        let w = self.wiring();
        let mut s = self.snapshot_without_price(&w)?;
        (s.price, s.updated_at) = self.oracle_price(&w)?;
        Ok(s)
    }
}

il_common::lean_router! {
    Lens, LensError;
    constructor(vault: Address);
    ILens::contractsCall => contracts();
    ILens::priceCall => price();
    ILens::accountingCall => accounting();
    ILens::accountOfCall => account_of(account: Address);
    ILens::previewDepositCall => preview_deposit(amount0_max: U256, amount1_max: U256);
}

/// The Solidity interface of the contract, as committed in `ILens.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> alloc::string::String {
    il_common::abi::render(
        "Lens",
        &[
            ILens::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}
