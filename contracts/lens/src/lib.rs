//! The lens: read-only analytics of one IL vault.
//!
//! What a depositor, a wallet, the keeper and the manager ask: the vault's
//! accounting at the oracle price (value, hold benchmark, PnL, and its
//! split into IL, fee income and hedge PnL), the same for one holder, a
//! deposit preview, the oracle price with the pool's deviation from it, and
//! the vault's v4 position (price, LP fee, liquidity, fees owed). The lens
//! reads (the vault's records, the position with `extsload` as
//! v4-periphery's `StateView` does, the oracle, the venue) and the engine
//! computes (`il_math::vault`): the records brought to now as a checkpoint
//! would, the fees the PoolManager owes the position credited, so a view
//! answers exactly what a withdrawal would settle.
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
use stylus_sdk::prelude::*;

sol! {
    /// The lens's functions and errors. The constructor (Stylus
    /// `stylus_constructor`) takes `(address vault, address planner)`.
    #[sol(abi)]
    interface ILens {
        /// The vault, what it is wired to, and the planner the lens computes with.
        function contracts() external view returns (address vault, address token0, address token1, address poolManager, address venue, address oracle, address engine, address planner);
        /// The vault's v4 position: the pool's price and LP fee (pips) now, the position's liquidity, and the fees the PoolManager owes it (raw token units, collected at the vault's next checkpoint).
        function position() external view returns (uint256 sqrtPriceX96, int256 tick, uint256 lpFee, uint256 liquidity, uint256 fees0, uint256 fees1);
        /// The oracle price (token1 raw per token0 raw, exact rational), when it was set, and the pool spot's deviation from it (bps, rounded up).
        function price() external view returns (uint256 num, uint256 den, uint256 updatedAt, uint256 deviationBps);
        /// Vault-wide accounting at the oracle price, token1 raw units: pnl = value - hold = il + fees + hedgePnl.
        function accounting() external view returns (uint256 value, uint256 hold, int256 pnl, int256 il, int256 fees, int256 hedgePnl);
        /// One holder's accounting, like `accounting`.
        function accountOf(address account) external view returns (uint256 shares, uint256 value, uint256 hold, int256 pnl, int256 il, int256 fees, int256 hedgePnl);
        /// Shares a deposit of at most `amount0Max`/`amount1Max` would mint now, and the amounts it would take.
        function previewDeposit(uint256 amount0Max, uint256 amount1Max) external view returns (uint256 shares, uint256 amount0, uint256 amount1);

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

pub use ILens::{LensCallFailed, LensInvalidAddress, LensInvalidPrice};

il_common::solidity_errors! {
    /// Every way a call can fail, as named Solidity errors.
    pub enum LensError {
        InvalidPrice(LensInvalidPrice { answer }),
        CallFailed(LensCallFailed { target; reason }),
        InvalidAddress(LensInvalidAddress { account }),
    }
}

sol! {
    /// What the lens reads (selectors only: the calls are encoded by `il_common::lean`).
    interface IReads {
        function contracts() external view returns (address, address, address, address, address, address);
        function pool() external view returns (uint32, address, int256, int256);
        function state() external view returns (uint256[]);
        function holder(address account) external view returns (uint256[]);
        function totalSupply() external view returns (uint256);
        function balanceOf(address account) external view returns (uint256);
        function decimals() external view returns (uint8);
        function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
        function deposit(uint256[] args) external view returns (uint256[]);
        function price(uint256[] args) external view returns (uint256[]);
        function accounting(uint256[] args) external view returns (uint256[]);
        function accountOf(uint256[] args) external view returns (uint256[]);
        function feesOwed(uint256[] args) external view returns (uint256[]);
    }
}

use IReads::{
    accountOfCall, accountingCall, balanceOfCall, contractsCall, decimalsCall, depositCall,
    feesOwedCall, holderCall, latestRoundDataCall, poolCall, priceCall, stateCall, totalSupplyCall,
};
use il_common::v4 as uni;

/// Words at `WIRING`: vault, token0, token1, PoolManager, venue, oracle,
/// engine, then decimals of token0, token1 and the oracle answer, then the
/// planner.
const WIRING: U256 = slots::base(b"il.lens.wiring");
const WIRING_WORDS: usize = 11;

/// The lens's configuration, read once per call.
#[derive(Clone, Copy)]
struct Wiring {
    vault: Address,
    token0: Address,
    token1: Address,
    pool_manager: Address,
    venue: Address,
    oracle: Address,
    engine: Address,
    decimals0: u8,
    decimals1: u8,
    oracle_decimals: u8,
    planner: Address,
}

/// Words of the engine's records: the ledger (13) and a holder (8).
const LEDGER_WORDS: usize = 13;
const HOLDER_WORDS: usize = 8;
/// The ledger word saying whether the vault has a venue account.
const HEDGE_ACTIVE: usize = 3;

/// A consistent read of the vault and its markets, as engine words.
struct Snapshot {
    /// The ledger (see `IVault.state`, from word 3).
    ledger: Vec<U256>,
    /// sqrtPriceX96, tickLower, tickUpper, fee0, fee1 (owed now).
    pool: [U256; 5],
    /// The venue block (`il_common::venue`), valued.
    venue: [U256; 5],
    supply: U256,
}

/// The vault's position as the PoolManager holds it.
struct Position {
    read: uni::PositionRead,
    lower: i32,
    upper: i32,
    fees: [U256; 2],
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
    pub fn constructor(&mut self, vault: Address, planner: Address) -> Result<(), LensError> {
        for a in [vault, planner] {
            if a.is_zero() {
                return Err(LensInvalidAddress { account: a }.into());
            }
        }
        let out = self.read(vault, &lean::encode(contractsCall::SELECTOR, &[], None))?;
        let mut words = [U256::ZERO; WIRING_WORDS];
        words[0] = slots::from_address(vault);
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
        words[10] = slots::from_address(planner);
        slots::store(self.vm(), WIRING, &words);
        Ok(())
    }

    /// The vault, what it is wired to, and the planner.
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
            Address,
        ),
        LensError,
    > {
        let w = self.wiring();
        Ok((
            w.vault,
            w.token0,
            w.token1,
            w.pool_manager,
            w.venue,
            w.oracle,
            w.engine,
            w.planner,
        ))
    }

    /// The oracle price, its time, and the pool's spot deviation from it.
    ///
    /// # Errors
    /// `LensInvalidPrice`, `LensCallFailed`.
    pub fn price(&self) -> Result<(U256, U256, U256, U256), LensError> {
        let w = self.wiring();
        let pos = self.position_read(&w)?;
        let (price, updated_at) = self.oracle_price(&w, pos.read.slot0.sqrt_price_x96)?;
        Ok((price[0], price[1], updated_at, price[2]))
    }

    /// The vault's v4 position: the pool's sqrtPriceX96, tick and LP fee
    /// (pips), the position's liquidity, and the fees the PoolManager owes
    /// it now.
    ///
    /// # Errors
    /// `LensCallFailed` (the pool not set or the PoolManager not answering).
    pub fn position(&self) -> Result<(U256, i32, U256, U256, U256, U256), LensError> {
        let pos = self.position_read(&self.wiring())?;
        let slot0 = pos.read.slot0;
        Ok((
            slot0.sqrt_price_x96,
            slot0.tick,
            U256::from(slot0.lp_fee),
            pos.read.liquidity,
            pos.fees[0],
            pos.fees[1],
        ))
    }

    /// Vault-wide accounting at the oracle price (accumulators brought to
    /// now, the fees owed to the position credited).
    ///
    /// # Errors
    /// `LensInvalidPrice`, `LensCallFailed`.
    pub fn accounting(&self) -> Result<(U256, U256, I256, I256, I256, I256), LensError> {
        let w = self.wiring();
        let s = self.snapshot(&w)?;
        let mut args = s.ledger.clone();
        self.priced(&w, &s, &mut args)?;
        let out = self.compute(w.planner, accountingCall::SELECTOR, &args, 6)?;
        Ok(parts(&out))
    }

    /// `account`'s accounting: its shares and the split of its part.
    ///
    /// # Errors
    /// `LensInvalidPrice`, `LensCallFailed`.
    #[allow(clippy::type_complexity)]
    pub fn account_of(
        &self,
        account: Address,
    ) -> Result<(U256, U256, U256, I256, I256, I256, I256), LensError> {
        let w = self.wiring();
        let s = self.snapshot(&w)?;
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
        let holder = lean::decode_array(&record).ok_or_else(|| failed(w.vault, Vec::new()))?;
        let mut args = s.ledger.clone();
        args.extend_from_slice(&holder);
        self.priced(&w, &s, &mut args)?;
        args.push(shares);
        let out = self.compute(w.planner, accountOfCall::SELECTOR, &args, 6)?;
        let (value, hold, pnl, il, fees, hedge) = parts(&out);
        Ok((shares, value, hold, pnl, il, fees, hedge))
    }

    /// What a deposit would mint and take now (the engine's deposit rule,
    /// the fees owed credited first, the hedge at the higher of its oracle
    /// and spot marks, as the vault prices it).
    ///
    /// # Errors
    /// `LensCallFailed` (the engine refused: e.g. an empty pool; or the
    /// venue cannot value the hedge now).
    pub fn preview_deposit(
        &self,
        amount0_max: U256,
        amount1_max: U256,
    ) -> Result<(U256, U256, U256), LensError> {
        let w = self.wiring();
        let s = self.snapshot(&w)?;
        let mut args = s.ledger.clone();
        args.extend_from_slice(&[U256::ZERO; HOLDER_WORDS]);
        args.extend_from_slice(&s.pool);
        args.extend_from_slice(&s.venue);
        args.extend_from_slice(&[s.supply, U256::ZERO, amount0_max, amount1_max]);
        let records = LEDGER_WORDS.saturating_add(HOLDER_WORDS);
        let out = self.compute(
            w.engine,
            depositCall::SELECTOR,
            &args,
            records.saturating_add(8),
        )?;
        let at = |i: usize| {
            out.get(records.saturating_add(i))
                .copied()
                .unwrap_or_default()
        };
        Ok((at(0), at(1), at(2)))
    }
}

/// An engine split: value, hold, then the signed parts.
fn parts(out: &[U256]) -> (U256, U256, I256, I256, I256, I256) {
    let at = |i: usize| out.get(i).copied().unwrap_or_default();
    let signed = |i: usize| I256::from_raw(at(i));
    (at(0), at(1), signed(2), signed(3), signed(4), signed(5))
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
        let mut w = [U256::ZERO; WIRING_WORDS];
        slots::load(self.vm(), WIRING, &mut w);
        let small = |x: U256| x.saturating_to::<u8>();
        Wiring {
            vault: slots::to_address(w[0]),
            token0: slots::to_address(w[1]),
            token1: slots::to_address(w[2]),
            pool_manager: slots::to_address(w[3]),
            venue: slots::to_address(w[4]),
            oracle: slots::to_address(w[5]),
            engine: slots::to_address(w[6]),
            decimals0: small(w[7]),
            decimals1: small(w[8]),
            oracle_decimals: small(w[9]),
            planner: slots::to_address(w[10]),
        }
    }

    fn read(&self, target: Address, data: &[u8]) -> Result<Vec<u8>, LensError> {
        lean::static_call(self.vm(), target, data).map_err(|reason| failed(target, reason))
    }

    /// Calls function `selector` of the engine or the planner (`target`)
    /// with `args`; the result must have `words` words.
    fn compute(
        &self,
        target: Address,
        selector: [u8; 4],
        args: &[U256],
        words: usize,
    ) -> Result<Vec<U256>, LensError> {
        let out = self.read(target, &lean::encode_array(selector, args))?;
        match lean::decode_array(&out) {
            Some(v) if v.len() == words => Ok(v),
            _ => Err(failed(target, Vec::new())),
        }
    }

    /// The vault's position in its pool (key and range from `vault.pool()`)
    /// and the fees it is owed.
    fn position_read(&self, w: &Wiring) -> Result<Position, LensError> {
        let p = self.read(w.vault, &lean::encode(poolCall::SELECTOR, &[], None))?;
        let small = |i: usize| -> Result<i32, LensError> {
            lean::i32_of(word(w.vault, &p, i)?).ok_or_else(|| failed(w.vault, Vec::new()))
        };
        let (spacing, lower, upper) = (small(0)?, small(2)?, small(3)?);
        let key = uni::Key {
            currency0: w.token0,
            currency1: w.token1,
            fee: uni::DYNAMIC_FEE_FLAG,
            tick_spacing: spacing,
            hooks: slots::to_address(word(w.vault, &p, 1)?),
        };
        let read = uni::read_position(self.vm(), w.pool_manager, &key, w.vault, lower, upper)
            .map_err(|reason| failed(w.pool_manager, reason))?;
        let owed = self.compute(
            w.planner,
            feesOwedCall::SELECTOR,
            &[
                read.liquidity,
                read.inside[0],
                read.last[0],
                read.inside[1],
                read.last[1],
            ],
            2,
        )?;
        Ok(Position {
            read,
            lower,
            upper,
            fees: [owed[0], owed[1]],
        })
    }

    /// The oracle price (num, den, the spot's deviation from it) at the
    /// pool's `sqrt_price`, and when the oracle was updated.
    fn oracle_price(&self, w: &Wiring, sqrt_price: U256) -> Result<([U256; 3], U256), LensError> {
        let round = self.read(
            w.oracle,
            &lean::encode(latestRoundDataCall::SELECTOR, &[], None),
        )?;
        let answer = I256::from_raw(word(w.oracle, &round, 1)?);
        if !answer.is_positive() {
            return Err(LensInvalidPrice { answer }.into());
        }
        let args = [
            answer.into_raw(),
            U256::from(w.oracle_decimals),
            U256::from(w.decimals0),
            U256::from(w.decimals1),
            sqrt_price,
        ];
        let p = self.compute(w.planner, priceCall::SELECTOR, &args, 3)?;
        Ok(([p[0], p[1], p[2]], word(w.oracle, &round, 3)?))
    }

    /// Appends `pool[3], fees[2], price[2], equity, supply` to `args`.
    fn priced(&self, w: &Wiring, s: &Snapshot, args: &mut Vec<U256>) -> Result<(), LensError> {
        let (price, _) = self.oracle_price(w, s.pool[0])?;
        args.extend_from_slice(&s.pool);
        args.extend_from_slice(&[price[0], price[1], s.venue[1], s.supply]);
        Ok(())
    }

    /// The vault's ledger, its position (with the fees owed), the venue
    /// block and the share supply.
    fn snapshot(&self, w: &Wiring) -> Result<Snapshot, LensError> {
        let state = self.read(w.vault, &lean::encode(stateCall::SELECTOR, &[], None))?;
        let state = lean::decode_array(&state).ok_or_else(|| failed(w.vault, Vec::new()))?;
        let ledger = state.get(3..).unwrap_or_default().to_vec();
        if ledger.len() != LEDGER_WORDS {
            return Err(failed(w.vault, Vec::new()));
        }
        let venue = venue::read(self.vm(), w.venue, w.vault, !ledger[HEDGE_ACTIVE].is_zero())
            .map_err(|reason| failed(w.venue, reason))?;
        if let Some(reason) = venue.failure {
            return Err(failed(w.venue, reason));
        }
        let supply = word(
            w.vault,
            &self.read(w.vault, &lean::encode(totalSupplyCall::SELECTOR, &[], None))?,
            0,
        )?;
        let pos = self.position_read(w)?;
        let tick = |t: i32| U256::from_be_bytes(t.to_word().0);
        Ok(Snapshot {
            ledger,
            pool: [
                pos.read.slot0.sqrt_price_x96,
                tick(pos.lower),
                tick(pos.upper),
                pos.fees[0],
                pos.fees[1],
            ],
            venue: venue.words,
            supply,
        })
    }
}

il_common::lean_router! {
    Lens, LensError;
    constructor(vault: Address, planner: Address);
    ILens::contractsCall => contracts();
    ILens::priceCall => price();
    ILens::positionCall => position();
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
