//! Reference hedge venue: a small, honest perpetual-style market on the base
//! token (token0, e.g. ETH), collateralised in the quote token (token1, e.g.
//! USDC), marked to an oracle with Chainlink's `AggregatorV3Interface` shape.
//! It exists so that the vault's hedge can run end to end on local chains and
//! testnets; the vault talks to it through a narrow interface (`deposit`,
//! `withdraw`, `trade`, `exit`, `transferPosition` and the views), so an
//! adapter to a production venue can replace it.
//!
//! # Model
//! - Accounts are keyed by `msg.sender`: collateral (token1 raw), size
//!   (token0 raw, signed, negative = short) and entry notional (token1 raw,
//!   signed, the cost basis). Equity = `collateral + size * P - entry`; see
//!   [`position`] for the arithmetic and its rounding.
//! - `P` is the oracle's answer as an exact rational: token1 raw units per
//!   token0 raw unit (`il_math::Price::from_oracle`). Every use checks the
//!   answer is positive, the round is complete and its `updatedAt` is neither
//!   zero, in the future, nor older than `maxPriceAge`.
//! - The venue itself is every trader's counterparty: realised PnL, fees,
//!   charges, liquidation settlements and bad debt move between an account's
//!   collateral and the house balance. Anyone may `fund` the house; the
//!   owner may `defund` what it holds beyond its reserve ([`market`]).
//!   Invariant, exact to the unit: `sum(collateral) + house == tokens held`
//!   (what came in minus what went out; tokens sent without
//!   `deposit`/`fund` are not counted).
//! - Profits are paid by the house alone: the house never goes below zero. A
//!   close that would realise more profit than the house holds is refused
//!   (`HedgeInsufficientLiquidity(house, needed)`); the unpaid profit stays
//!   unrealised in the open position (the trader may close a smaller part,
//!   or wait for funding, for losers' losses to come in, or move the
//!   position away with `transferPosition`). So the tokens always cover
//!   every account's collateral: a trader's payout beyond what it put in
//!   can never come out of another account's collateral.
//! - Open interest is capped against the house: each side's notional may
//!   grow only while the house, after what it already owes, could pay that
//!   side its gain on a `coverBps` move. Opening size pays, besides the
//!   trade fee, a spread and a price impact whose rate grows with the side's
//!   open interest ([`market::open_charge`]), so that a trade across a small
//!   known oracle update does not pay (with the defaults, no update of at
//!   most 14 bps pays at any size), and the more size a trade across a
//!   larger one takes, the more of its gain the impact takes back. Reducing
//!   size pays the trade fee only.
//! - Margins are basis points of the notional `|size| * P`: opening size needs
//!   equity >= initial margin afterwards, withdrawing collateral too;
//!   reducing size is never blocked by margin; below maintenance margin
//!   anyone may liquidate.
//! - Risk parameters are bounded (see the `MIN_*`/`MAX_*` constants) and
//!   changed only through a queue: `queueParams` (owner), then
//!   `applyParams` (anyone) once `PARAMS_DELAY` has passed, so every holder
//!   sees a change coming and may leave before it applies to open positions.
//! - `transferPosition` moves a fraction of an account (size, collateral,
//!   entry) to an account that accepts positions from the sender: pure
//!   bookkeeping that reads no price and needs no liquidity.
//! - No funding rate: positions are marked to the oracle and nothing else
//!   accrues. (Funding is a parameter of the keeper's backtest only.)
//! - The collateral token must return `true` from `transfer`/`transferFrom`
//!   (tokens that return nothing are not supported).
//!
//! Not a production venue: the house is its only insurance (no insurance
//! fund, no auto-deleveraging, no funding rate to balance the sides), and
//! it prices at the oracle: a known oracle update larger than the opening
//! costs still pays a trader, bounded by the cap, the impact and, in the
//! end, by the house (see `docs/architecture.md`, "Threat model").
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

pub mod market;
pub mod position;

use alloy_primitives::{Address, I256, U256};
use alloy_sol_types::{SolCall, SolEvent, sol};
use il_common::{
    Ownable2Step,
    lean::{self, Word, emit},
    ownable::{OwnableInvalidOwner, OwnableUnauthorizedAccount},
    slots,
};
use il_math::{BPS, MathError, Price, WAD, signed_diff, to_signed};
use market::{Book, positive_part};
use position::{Fill, Position, ceil_share, signed_add, signed_sub};
use stylus_sdk::prelude::*;

/// Default trade fee: 500 pips = 5 bps of the traded notional (every trade).
pub const DEFAULT_TRADE_FEE_PIPS: u32 = 500;
/// Default initial margin: 1_000 bps = 10 % of the notional (10x leverage).
pub const DEFAULT_INITIAL_MARGIN_BPS: u16 = 1_000;
/// Default maintenance margin: 500 bps = 5 % of the notional.
pub const DEFAULT_MAINTENANCE_MARGIN_BPS: u16 = 500;
/// Default liquidation penalty: 100 bps = 1 % of the notional.
pub const DEFAULT_LIQUIDATION_PENALTY_BPS: u16 = 100;
/// Default oldest usable oracle answer: the floor, 25 h.
pub const DEFAULT_MAX_PRICE_AGE: u64 = MIN_MAX_PRICE_AGE;
/// Default spread on opened notional: 500 pips = 5 bps. With the trade fee
/// on both legs a round trip costs at least 15 bps, so no oracle update of
/// at most 14 bps pays.
pub const DEFAULT_SPREAD_PIPS: u32 = 500;
/// Default impact: 50_000 pips = 5 % on the marginal unit of a side at its
/// cap. The vault's 75-token0 hedge ($150,000) against a $1,000,000 house
/// pays 112.5 token1 (7.5 bps); a 12,000-token0 trade cannot open at all.
pub const DEFAULT_IMPACT_PIPS: u32 = 50_000;
/// Default cover: 2_000 bps: the house can pay the larger side its gain on
/// a 20 % move, so a side holds at most 5x the house's free liquidity in
/// notional ($5,000,000, 2,500 token0 at $2,000, against $1,000,000).
pub const DEFAULT_COVER_BPS: u16 = 2_000;

/// Delay between `queueParams` and the earliest `applyParams`: two days, so
/// a holder sees every change at least that long before it applies to its
/// position, and at most one change takes effect per two days.
pub const PARAMS_DELAY: u64 = 2 * 86_400;
/// Highest trade fee: 3_000 pips = 30 bps (6x the default). The fee also
/// applies to closes and exits, so the bound caps what a change can take
/// from a position on its way out.
pub const MAX_TRADE_FEE_PIPS: u32 = 3_000;
/// Initial margin bounds: 200 to 5_000 bps (50x to 2x). It gates opening
/// and withdrawing collateral only; closes never need it.
pub const MIN_INITIAL_MARGIN_BPS: u16 = 200;
/// See [`MIN_INITIAL_MARGIN_BPS`].
pub const MAX_INITIAL_MARGIN_BPS: u16 = 5_000;
/// Maintenance margin bounds: 100 to 1_000 bps (and below the initial
/// margin). The ceiling means no parameter change can ever make an account
/// with equity of at least 10 % of its notional liquidatable (the vault
/// keeps about 20 %); below that, the delay lets it top up or leave.
pub const MIN_MAINTENANCE_MARGIN_BPS: u16 = 100;
/// See [`MIN_MAINTENANCE_MARGIN_BPS`].
pub const MAX_MAINTENANCE_MARGIN_BPS: u16 = 1_000;
/// Highest liquidation penalty: 200 bps of the notional (and below the
/// maintenance margin), so a liquidator takes at most 2 % of the notional
/// and a liquidated account keeps the rest of its equity.
pub const MAX_LIQUIDATION_PENALTY_BPS: u16 = 200;
/// Lowest `maxPriceAge`: 25 h. Chainlink's standard feeds update at least
/// once per heartbeat, 24 h at the longest (ETH/USD on Arbitrum), plus an
/// hour for the update to land: a live feed is never stale to the venue,
/// so the owner cannot block withdrawals and exits by shortening it.
pub const MIN_MAX_PRICE_AGE: u64 = 25 * 3_600;
/// Highest `maxPriceAge`: seven days.
pub const MAX_MAX_PRICE_AGE: u64 = 7 * 86_400;
/// Highest spread: 10_000 pips = 1 % of the opened notional.
pub const MAX_SPREAD_PIPS: u32 = 10_000;
/// Highest impact: 100_000 pips = 10 % on the marginal unit at the cap.
pub const MAX_IMPACT_PIPS: u32 = 100_000;
/// Cover bounds: 1_000 to 10_000 bps. At the floor the house covers a 10 %
/// move (a side holds at most 10x the house's free liquidity); at the top
/// a 100 % move (1x).
pub const MIN_COVER_BPS: u16 = 1_000;
/// See [`MIN_COVER_BPS`].
pub const MAX_COVER_BPS: u16 = 10_000;

// The generated builders of `queueParams`, `ParamsQueued` and the like take
// as many arguments as the function or event has.
#[allow(clippy::too_many_arguments)]
mod interface {
    use alloy_sol_types::sol;
    sol! {
        /// The venue's functions, events and errors (ownership is il-common's
        /// `IOwnable`). The constructor (Stylus `stylus_constructor`) takes
        /// `(address collateral, address oracle, uint8 baseDecimals, uint8
        /// collateralDecimals, address owner)`. Units: sizes in token0 raw units
        /// (negative = short), amounts in token1 raw units, fractions in WAD.
        #[sol(abi)]
        interface IHedge {
            /// Pulls `amount` collateral from the caller (approve first) and credits it.
            function deposit(uint256 amount) external;
            /// Sends `amount` of the caller's collateral to `to`; an open position keeps its initial margin.
            function withdraw(uint256 amount, address to) external;
            /// Trades `sizeDelta` at the mark price (fee from collateral); returns the new size.
            function trade(int256 sizeDelta) external returns (int256 newSize);
            /// Closes `fractionWad` of the caller's position and pays that fraction of its equity to `to`.
            function exit(uint256 fractionWad, address to) external returns (uint256 paid);
            /// Moves `fractionWad` of the caller's position (size, collateral, entry) to `to`, which must accept positions from the caller; reads no price.
            function transferPosition(uint256 fractionWad, address to) external;
            /// Accepts positions moved in by `sender` with `transferPosition` from now on (one sender at a time; zero: from nobody).
            function setPositionSender(address sender) external;
            /// Anyone: closes `account`'s position below maintenance margin; returns the penalty credited to the caller.
            function liquidate(address account) external returns (uint256 penalty);
            /// Anyone: adds `amount` to the house (pulled with transferFrom).
            function fund(uint256 amount) external;
            /// Owner only: takes `amount` of the house's free liquidity to `to`.
            function defund(uint256 amount, address to) external;
            /// Owner only: queues new risk parameters (each within its bounds); they apply `PARAMS_DELAY` seconds later at the earliest.
            function queueParams(uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps) external;
            /// Anyone: applies the queued parameters once their time has come.
            function applyParams() external;
            /// Owner only: drops the queued parameters.
            function cancelParams() external;
            /// `account`'s size, collateral and entry notional.
            function positionOf(address account) external view returns (int256 size, uint256 collateral, int256 entryNotional);
            /// `account`'s equity at the mark (the collateral when it has no position).
            function equityOf(address account) external view returns (int256 equity);
            /// `account`'s initial and maintenance margins at the mark.
            function marginOf(address account) external view returns (uint256 initial, uint256 maintenance);
            /// The mark price `num / den` (token1 raw per token0 raw) and the oracle's `updatedAt`.
            function markPrice() external view returns (uint256 num, uint256 den, uint256 updatedAt);
            /// The house balance (signed).
            function house() external view returns (int256);
            /// The risk parameters in force.
            function params() external view returns (uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps);
            /// The queued risk parameters and the time they may apply from (all zero when none is queued).
            function pendingParams() external view returns (uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps, uint64 eta);
            /// The one address `account` accepts positions from (zero: nobody).
            function positionSenderOf(address account) external view returns (address);
            /// The collateral token (token1).
            function collateralToken() external view returns (address);
            /// The price feed (Chainlink `AggregatorV3Interface` shape).
            function oracle() external view returns (address);

            /// `account` deposited `amount` collateral.
            #[derive(Debug, PartialEq, Eq)]
            event Deposited(address indexed account, uint256 amount);
            /// `account` withdrew `amount` collateral to `to`.
            #[derive(Debug, PartialEq, Eq)]
            event Withdrawn(address indexed account, address indexed to, uint256 amount);
            /// `account` traded `sizeDelta` at `priceNum / priceDen` and now holds
            /// `newSize`; it paid `fee` and realised `realizedPnl` on the size it closed.
            #[derive(Debug, PartialEq, Eq)]
            event Traded(address indexed account, int256 sizeDelta, int256 newSize, uint256 priceNum, uint256 priceDen, uint256 fee, int256 realizedPnl);
            /// A position of `account` closed with a loss `amount` above its
            /// collateral; the house absorbed it.
            #[derive(Debug, PartialEq, Eq)]
            event BadDebt(address indexed account, uint256 amount);
            /// `account` closed `fractionWad` of its position and paid the same
            /// fraction of its equity, `paid`, to `to`.
            #[derive(Debug, PartialEq, Eq)]
            event Exited(address indexed account, address indexed to, uint256 fractionWad, uint256 paid);
            /// `liquidator` closed the position `size` of `account` at
            /// `priceNum / priceDen`, realising `realizedPnl`; `penalty` moved from
            /// the account's collateral to the liquidator's.
            #[derive(Debug, PartialEq, Eq)]
            event Liquidated(address indexed account, address indexed liquidator, int256 size, uint256 priceNum, uint256 priceDen, int256 realizedPnl, uint256 penalty);
            /// `from` added `amount` to the house.
            #[derive(Debug, PartialEq, Eq)]
            event Funded(address indexed from, uint256 amount);
            /// The owner took `amount` from the house to `to`.
            #[derive(Debug, PartialEq, Eq)]
            event Defunded(address indexed to, uint256 amount);
            /// These risk parameters are in force from now on (the constructor's
            /// defaults, or a queued change applied).
            #[derive(Debug, PartialEq, Eq)]
            event ParamsUpdated(uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps);
            /// The owner queued these risk parameters; they may apply from `eta`.
            #[derive(Debug, PartialEq, Eq)]
            event ParamsQueued(uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge, uint32 spreadPips, uint32 impactPips, uint16 coverBps, uint64 eta);
            /// The owner dropped the change queued for `eta`.
            #[derive(Debug, PartialEq, Eq)]
            event ParamsCancelled(uint64 eta);
            /// `from` moved `size`, `collateral` and `entry` (its `fractionWad`
            /// share) to `to`'s account.
            #[derive(Debug, PartialEq, Eq)]
            event PositionTransferred(address indexed from, address indexed to, uint256 fractionWad, int256 size, uint256 collateral, int256 entry);
            /// `account` accepts positions from `sender` only (zero: from nobody).
            #[derive(Debug, PartialEq, Eq)]
            event PositionSenderSet(address indexed account, address indexed sender);

            /// An amount (or a size delta) of zero.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeZeroAmount();
            /// The zero address where a token, an oracle or a receiver is needed.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeZeroAddress();
            /// A risk parameter or a decimals figure is outside its bounds.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeInvalidParameter();
            /// An exit or transfer fraction outside `(0, 1e18]`.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeInvalidFraction(uint256 fractionWad);
            /// The oracle answered zero or a negative price.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeInvalidPrice(int256 answer);
            /// The oracle's answer is older than `maxPriceAge`, never set (0) or
            /// from the future.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeStalePrice(uint256 updatedAt, uint256 now);
            /// The oracle's answer was carried over from an earlier round (the
            /// `uint80` round ids, widened).
            #[derive(Debug, PartialEq, Eq)]
            error HedgeIncompleteRound(uint256 roundId, uint256 answeredInRound);
            /// The oracle call reverted or returned too little data.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeOracleUnavailable(address oracle);
            /// A collateral token transfer reverted or did not return `true`.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeTransferFailed(address token);
            /// The account's collateral, `available`, is below `needed`.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeInsufficientCollateral(uint256 available, uint256 needed);
            /// Afterwards the account's `equity` would be below the `required`
            /// initial margin.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeInsufficientMargin(int256 equity, uint256 required);
            /// The house holds `available`, less than the `needed` it would pay
            /// (a profit it cannot pay, or more than its free liquidity).
            #[derive(Debug, PartialEq, Eq)]
            error HedgeInsufficientLiquidity(uint256 available, uint256 needed);
            /// Opening would take its side's notional to `openInterest`, above
            /// the `cap` the house can cover.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeOpenInterestCap(uint256 openInterest, uint256 cap);
            /// No parameter change is queued.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeNoPendingParams();
            /// The queued change may apply from `eta` only; it is `now`.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeParamsNotReady(uint256 eta, uint256 now);
            /// A position cannot be transferred to its own account.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeSelfTransfer();
            /// The fraction of the account rounds to nothing (no size, no
            /// collateral).
            #[derive(Debug, PartialEq, Eq)]
            error HedgeNothingToTransfer();
            /// `to` does not accept positions from `from` (see
            /// `setPositionSender`).
            #[derive(Debug, PartialEq, Eq)]
            error HedgeTransferNotApproved(address from, address to);
            /// The receiver holds `receiverSize` on the other side of the moved
            /// `movedSize`.
            #[derive(Debug, PartialEq, Eq)]
            error HedgeOppositePosition(int256 receiverSize, int256 movedSize);
            /// The account's `equity` is not below its `maintenance` margin (or it
            /// has no position: `maintenance` 0).
            #[derive(Debug, PartialEq, Eq)]
            error HedgeNotLiquidatable(int256 equity, uint256 maintenance);
            /// A computation left its range; `code` is `il_math::MathError::code`
            /// (1 DivisionByZero, 2 Overflow, 3 Underflow, ...).
            #[derive(Debug, PartialEq, Eq)]
            error HedgeMathError(uint8 code);
        }
    }
}

pub use interface::IHedge;

pub use IHedge::{
    BadDebt, Defunded, Deposited, Exited, Funded, HedgeIncompleteRound,
    HedgeInsufficientCollateral, HedgeInsufficientLiquidity, HedgeInsufficientMargin,
    HedgeInvalidFraction, HedgeInvalidParameter, HedgeInvalidPrice, HedgeMathError,
    HedgeNoPendingParams, HedgeNotLiquidatable, HedgeNothingToTransfer, HedgeOpenInterestCap,
    HedgeOppositePosition, HedgeOracleUnavailable, HedgeParamsNotReady, HedgeSelfTransfer,
    HedgeStalePrice, HedgeTransferFailed, HedgeTransferNotApproved, HedgeZeroAddress,
    HedgeZeroAmount, Liquidated, ParamsCancelled, ParamsQueued, ParamsUpdated, PositionSenderSet,
    PositionTransferred, Traded, Withdrawn,
};

sol! {
    // The calls the venue makes: Chainlink's AggregatorV3Interface (the part
    // it reads) and the collateral token's transfers.
    function decimals() external view returns (uint8);
    function latestRoundData() external view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

il_common::solidity_errors! {
    /// Every way a call can fail, as named Solidity errors.
    pub enum HedgeError {
        Unauthorized(OwnableUnauthorizedAccount { account }),
        InvalidOwner(OwnableInvalidOwner { owner }),
        ZeroAmount(HedgeZeroAmount {}),
        ZeroAddress(HedgeZeroAddress {}),
        InvalidParameter(HedgeInvalidParameter {}),
        InvalidFraction(HedgeInvalidFraction { fractionWad }),
        InvalidPrice(HedgeInvalidPrice { answer }),
        StalePrice(HedgeStalePrice { updatedAt, now }),
        IncompleteRound(HedgeIncompleteRound { roundId, answeredInRound }),
        OracleUnavailable(HedgeOracleUnavailable { oracle }),
        TransferFailed(HedgeTransferFailed { token }),
        InsufficientCollateral(HedgeInsufficientCollateral { available, needed }),
        InsufficientMargin(HedgeInsufficientMargin { equity, required }),
        InsufficientLiquidity(HedgeInsufficientLiquidity { available, needed }),
        OpenInterestCap(HedgeOpenInterestCap { openInterest, cap }),
        NoPendingParams(HedgeNoPendingParams {}),
        ParamsNotReady(HedgeParamsNotReady { eta, now }),
        SelfTransfer(HedgeSelfTransfer {}),
        NothingToTransfer(HedgeNothingToTransfer {}),
        TransferNotApproved(HedgeTransferNotApproved { from, to }),
        OppositePosition(HedgeOppositePosition { receiverSize, movedSize }),
        NotLiquidatable(HedgeNotLiquidatable { equity, maintenance }),
        Math(HedgeMathError { code }),
    }
}

impl From<MathError> for HedgeError {
    // one out-of-line copy: every `?` on a math result converts through it.
    #[inline(never)]
    fn from(e: MathError) -> Self {
        HedgeMathError { code: e.code() }.into()
    }
}

/// Words at `CONFIG`: collateral token, oracle, oracle decimals, base
/// decimals, collateral decimals (set once), then, from `PARAMS`, the risk
/// parameters in force (`PARAM_WORDS` words, in `Params::words` order).
const CONFIG: U256 = slots::base(b"il.hedge.config");
const PARAMS: usize = 5;
const PARAM_WORDS: usize = 8;
/// Words at `PENDING`: the queued risk parameters (`Params::words` order),
/// then the time they may apply from (0: nothing queued).
const PENDING: U256 = slots::base(b"il.hedge.pending");
const PENDING_WORDS: usize = PARAM_WORDS + 1;
/// Words at `TOTALS`: the house balance (signed), the sum of all collateral,
/// then the [`Book`]: long size, short size, long entry, short entry.
const TOTALS: U256 = slots::base(b"il.hedge.totals");
const TOTALS_WORDS: usize = 6;
/// Map base of the accounts: collateral, size (signed), entry (signed).
const ACCOUNTS: U256 = slots::base(b"il.hedge.accounts");
/// Map base of the position senders: `keyed(account, SENDERS)` holds the
/// one address `account` accepts positions from (zero: nobody).
const SENDERS: U256 = slots::base(b"il.hedge.senders");

/// The venue's storage: ownership, then the words above in hashed slots
/// (see `il_common::slots`). Its entrypoint is `il_common::lean_router!`
/// (end of file).
#[storage]
pub struct Hedge {
    ownable: Ownable2Step,
}

/// Index of each risk parameter in [`Params`], in storage and in the ABI's
/// lists (`queueParams`, `params`, `ParamsUpdated`, ...).
const FEE: usize = 0;
const IM: usize = 1;
const MM: usize = 2;
const PENALTY: usize = 3;
const MAX_AGE: usize = 4;
const SPREAD: usize = 5;
const IMPACT: usize = 6;
const COVER: usize = 7;

/// Inclusive bounds of each risk parameter, by index (the `MIN_*`/`MAX_*`
/// constants say why). Widening `as` casts: exact.
const BOUNDS: [(u64, u64); PARAM_WORDS] = [
    (0, MAX_TRADE_FEE_PIPS as u64),
    (MIN_INITIAL_MARGIN_BPS as u64, MAX_INITIAL_MARGIN_BPS as u64),
    (
        MIN_MAINTENANCE_MARGIN_BPS as u64,
        MAX_MAINTENANCE_MARGIN_BPS as u64,
    ),
    (0, MAX_LIQUIDATION_PENALTY_BPS as u64),
    (MIN_MAX_PRICE_AGE, MAX_MAX_PRICE_AGE),
    (0, MAX_SPREAD_PIPS as u64),
    (0, MAX_IMPACT_PIPS as u64),
    (MIN_COVER_BPS as u64, MAX_COVER_BPS as u64),
];

/// The risk parameters, by the indexes above: trade fee (pips), initial
/// and maintenance margins, liquidation penalty (bps of the notional),
/// oldest usable oracle answer (seconds), spread and impact (pips of the
/// opened notional), cover (bps). Every value in force is within `BOUNDS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Params([u64; PARAM_WORDS]);

impl Params {
    /// The defaults (`DEFAULT_*`; widening casts).
    const DEFAULT: Params = Params([
        DEFAULT_TRADE_FEE_PIPS as u64,
        DEFAULT_INITIAL_MARGIN_BPS as u64,
        DEFAULT_MAINTENANCE_MARGIN_BPS as u64,
        DEFAULT_LIQUIDATION_PENALTY_BPS as u64,
        DEFAULT_MAX_PRICE_AGE,
        DEFAULT_SPREAD_PIPS as u64,
        DEFAULT_IMPACT_PIPS as u64,
        DEFAULT_COVER_BPS as u64,
    ]);

    /// Each parameter within its bounds, and `penalty < maintenance <
    /// initial`.
    fn is_valid(&self) -> bool {
        let v = &self.0;
        v.iter()
            .zip(BOUNDS)
            .all(|(x, (lo, hi))| (lo..=hi).contains(x))
            && v[MM] < v[IM]
            && v[PENALTY] < v[MM]
    }

    /// The storage (and ABI) words.
    fn words(&self) -> [U256; PARAM_WORDS] {
        self.0.map(U256::from)
    }

    /// From words; a word of 2^64 or more reads as `u64::MAX` (outside
    /// every bound).
    fn from_words(w: &[U256]) -> Self {
        let mut v = [0u64; PARAM_WORDS];
        for (x, word) in v.iter_mut().zip(w) {
            let limbs = word.as_limbs();
            *x = if limbs[1..].iter().all(|l| *l == 0) {
                limbs[0]
            } else {
                u64::MAX
            };
        }
        Params(v)
    }
}

/// Static words returned as they are stored: the ABI encoding of a tuple of
/// static values (`params`, `pendingParams`), one small encoder for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Words<const N: usize>(pub [U256; N]);

impl<const N: usize> il_common::router::Ret for Words<N> {
    fn encode_ret(self) -> alloc::vec::Vec<u8> {
        il_common::router::words(&self.0.map(|w| w.to_word()))
    }
}

/// The `CONFIG` words, decoded.
struct Config {
    collateral: Address,
    oracle: Address,
    oracle_decimals: u8,
    base_decimals: u8,
    collateral_decimals: u8,
    params: Params,
}

/// The `TOTALS` words, decoded.
struct Totals {
    house: I256,
    collateral: U256,
    book: Book,
}

impl Hedge {
    /// Sets the collateral token, the oracle (its `decimals()` is read and
    /// stored), the decimals of the base and collateral tokens, the owner
    /// and the default risk parameters (`DEFAULT_*` constants).
    ///
    /// # Errors
    /// `HedgeZeroAddress` for a zero token or oracle, `HedgeOracleUnavailable`
    /// when `decimals()` fails, `HedgeInvalidParameter` when a decimals figure
    /// is above 36, `OwnableInvalidOwner` for a zero owner.
    ///
    /// # Events
    /// `OwnershipTransferred(0, owner)`, `ParamsUpdated` (the defaults).
    pub fn constructor(
        &mut self,
        collateral: Address,
        oracle: Address,
        base_decimals: u8,
        collateral_decimals: u8,
        owner: Address,
    ) -> Result<(), HedgeError> {
        if collateral.is_zero() || oracle.is_zero() {
            return Err(HedgeZeroAddress {}.into());
        }
        let oracle_decimals = lean::static_call(self.vm(), oracle, &decimalsCall::SELECTOR)
            .ok()
            .and_then(|out| lean::u256_at(&out, 0))
            .ok_or(HedgeOracleUnavailable { oracle })?;
        let max = U256::from(il_math::MAX_DECIMALS);
        if oracle_decimals > max
            || U256::from(base_decimals) > max
            || U256::from(collateral_decimals) > max
        {
            return Err(HedgeInvalidParameter {}.into());
        }
        self.ownable.init::<HedgeError>(owner)?;
        let words = [
            slots::from_address(collateral),
            slots::from_address(oracle),
            oracle_decimals,
            U256::from(base_decimals),
            U256::from(collateral_decimals),
        ];
        slots::store(self.vm(), CONFIG, &words);
        // no account exists yet: the defaults apply at once.
        self.store_params(&Params::DEFAULT);
        Ok(())
    }

    /// Pulls `amount` collateral (token1 raw) from the caller with
    /// `transferFrom` (approve the venue first) and credits the caller's
    /// account.
    ///
    /// # Errors
    /// `HedgeZeroAmount`, `HedgeTransferFailed`, `HedgeMathError` (overflow).
    ///
    /// # Events
    /// `Deposited(caller, amount)`.
    pub fn deposit(&mut self, amount: U256) -> Result<(), HedgeError> {
        let account = self.vm().msg_sender();
        self.pull(account, amount)?;
        let mut totals = self.totals_now();
        let before = self.position(account);
        let after = Position {
            collateral: il_math::add(before.collateral, amount)?,
            ..before
        };
        self.write(&mut totals, account, &before, &after)?;
        self.store_totals(&totals);
        emit(
            self.vm(),
            &[Deposited::SIGNATURE_HASH, account.to_word()],
            &[amount.to_word()],
        );
        Ok(())
    }

    /// Sends `amount` of the caller's collateral (token1 raw) to `to`. With
    /// an open position, the equity left must cover the initial margin. The
    /// house never goes below zero, so the tokens held always cover the
    /// collateral: no liquidity check is needed.
    ///
    /// # Errors
    /// `HedgeZeroAmount`, `HedgeZeroAddress`, `HedgeInsufficientCollateral`
    /// (more than the collateral), `HedgeInsufficientMargin`, the oracle's
    /// errors (only with an open position), `HedgeTransferFailed`.
    ///
    /// # Events
    /// `Withdrawn(caller, to, amount)`.
    pub fn withdraw(&mut self, amount: U256, to: Address) -> Result<(), HedgeError> {
        check_amount_and_receiver(amount, to)?;
        let account = self.vm().msg_sender();
        let before = self.position(account);
        let Some(collateral) = before.collateral.checked_sub(amount) else {
            return Err(HedgeInsufficientCollateral {
                available: before.collateral,
                needed: amount,
            }
            .into());
        };
        let after = Position {
            collateral,
            ..before
        };
        let config = self.config_now();
        if !after.size.is_zero() {
            let (price, _) = self.mark(&config)?;
            check_initial_margin(&after, &price, &config.params)?;
        }
        let mut totals = self.totals_now();
        self.write(&mut totals, account, &before, &after)?;
        self.store_totals(&totals);
        self.push(config.collateral, to, amount)?;
        emit(
            self.vm(),
            &[Withdrawn::SIGNATURE_HASH, account.to_word(), to.to_word()],
            &[amount.to_word()],
        );
        Ok(())
    }

    /// Trades `size_delta` token0 raw units (positive buys, negative sells)
    /// at the oracle's mark price with the trade fee (pips of the traded
    /// notional, rounded up) taken from collateral. Returns the new size.
    ///
    /// Reducing the position is never blocked by margin and realises PnL pro
    /// rata; going through zero closes, then opens the rest on the other
    /// side. Size that opens (an increase, or the new side of a flip) must
    /// fit its side's open-interest cap and pays the spread and impact on
    /// top of the fee ([`market::open_charge`]); the equity afterwards must
    /// cover the initial margin. A profit realised by a close is paid by the
    /// house, which must hold it. Rounding favours the venue (see
    /// [`position`] and [`market`]).
    ///
    /// # Errors
    /// `HedgeZeroAmount`, the oracle's errors (`HedgeInvalidPrice`,
    /// `HedgeStalePrice`, `HedgeIncompleteRound`, `HedgeOracleUnavailable`),
    /// `HedgeOpenInterestCap`, `HedgeInsufficientCollateral` (an opening
    /// trade cannot pay its fee and charge), `HedgeInsufficientMargin`,
    /// `HedgeInsufficientLiquidity` (the house cannot pay the realised
    /// profit), `HedgeMathError`.
    ///
    /// # Events
    /// `Traded` (its `fee` includes the charge), and `BadDebt` when a close
    /// loses more than the collateral.
    pub fn trade(&mut self, size_delta: I256) -> Result<I256, HedgeError> {
        if size_delta.is_zero() {
            return Err(HedgeZeroAmount {}.into());
        }
        let account = self.vm().msg_sender();
        let before = self.position(account);
        let config = self.config_now();
        let (price, _) = self.mark(&config)?;
        let mut totals = self.totals_now();
        let opened = position::opened(before.size, size_delta)?;
        let p = &config.params.0;
        let charge = if opened.is_zero() {
            U256::ZERO
        } else {
            market::open_charge(
                &totals.book,
                totals.house,
                &price,
                opened,
                p[SPREAD],
                p[IMPACT],
                p[COVER],
            )?
        };
        let fill = before.trade(size_delta, &price, p[FEE], charge)?;
        if fill.opens {
            check_initial_margin(&fill.after, &price, &config.params)?;
        }
        self.settle(&mut totals, account, &before, &fill, size_delta, &price)?;
        self.store_totals(&totals);
        Ok(fill.after.size)
    }

    /// Closes `fraction_wad` (WAD, in `(0, 1e18]`) of the caller's position
    /// at the mark (a trade, with its fee) and sends the same fraction of the
    /// equity left, rounded down and at most the collateral, to `to`; returns
    /// the amount paid. The vault uses it to pay a withdrawing depositor
    /// their share of the hedge. It never worsens the account's margin ratio
    /// (beyond a unit of rounding and the fee), so margin never blocks it;
    /// only the house's liquidity can, when the close realises a profit the
    /// house cannot pay (`transferPosition` then moves the fraction instead,
    /// with no price and no liquidity). With no open position it pays the
    /// fraction of the collateral and reads no price.
    ///
    /// # Errors
    /// `HedgeInvalidFraction`, `HedgeZeroAddress`, the oracle's errors (only
    /// with an open position), `HedgeInsufficientLiquidity`,
    /// `HedgeTransferFailed`, `HedgeMathError`.
    ///
    /// # Events
    /// `Traded` (when size was closed), `BadDebt` (see `trade`),
    /// `Exited(caller, to, fraction_wad, paid)`.
    pub fn exit(&mut self, fraction_wad: U256, to: Address) -> Result<U256, HedgeError> {
        check_fraction_and_receiver(fraction_wad, to)?;
        let account = self.vm().msg_sender();
        let before = self.position(account);
        let config = self.config_now();
        let mut mark = None;
        let mut fill = None;
        if !before.size.is_zero() {
            let (price, _) = self.mark(&config)?;
            let closing = position::fraction_of(before.size, fraction_wad)?;
            if !closing.is_zero() {
                let delta = signed_sub(I256::ZERO, closing)?;
                let trade = before.trade(delta, &price, config.params.0[FEE], U256::ZERO)?;
                fill = Some((trade, delta));
            }
            mark = Some(price);
        }
        let closed = fill.map_or(before, |(trade, _)| trade.after);
        let paid = closed.exit_payment(fraction_wad, mark.as_ref())?;
        let mut totals = self.totals_now();
        // the payment is at most the collateral, which the tokens held cover.
        if let (Some((trade, delta)), Some(price)) = (fill, mark) {
            self.settle(&mut totals, account, &before, &trade, delta, &price)?;
        }
        if !paid.is_zero() {
            let after = Position {
                // cannot underflow: exit_payment is at most the collateral.
                collateral: closed.collateral.wrapping_sub(paid),
                ..closed
            };
            self.write(&mut totals, account, &closed, &after)?;
        }
        self.store_totals(&totals);
        if !paid.is_zero() {
            self.push(config.collateral, to, paid)?;
        }
        emit(
            self.vm(),
            &[Exited::SIGNATURE_HASH, account.to_word(), to.to_word()],
            &[fraction_wad.to_word(), paid.to_word()],
        );
        Ok(paid)
    }

    /// Anyone: when `account`'s equity is below its maintenance margin at the
    /// mark, closes its whole position there (no trade fee) and moves a
    /// penalty, `ceil(notional * liquidationPenaltyBps / 10_000)` capped at
    /// the collateral left, to the caller's collateral in the venue (withdraw
    /// it with `withdraw`). A loss above the collateral is bad debt, absorbed
    /// by the house. Returns the penalty.
    ///
    /// # Errors
    /// `HedgeNotLiquidatable(equity, maintenance)` when the equity covers the
    /// maintenance margin or there is no position; the oracle's errors;
    /// `HedgeInsufficientLiquidity` (the close would realise a profit the
    /// house cannot pay: such a position owes the house nothing at this
    /// price); `HedgeMathError`.
    ///
    /// # Events
    /// `Liquidated`, and `BadDebt` when the loss exceeds the collateral.
    pub fn liquidate(&mut self, account: Address) -> Result<U256, HedgeError> {
        let before = self.position(account);
        if before.size.is_zero() {
            return Err(HedgeNotLiquidatable {
                equity: to_signed(before.collateral)?,
                maintenance: U256::ZERO,
            }
            .into());
        }
        let config = self.config_now();
        let (price, _) = self.mark(&config)?;
        let equity = before.equity(&price)?;
        let maintenance = before.margin(&price, config.params.0[MM])?;
        if equity >= to_signed(maintenance)? {
            return Err(HedgeNotLiquidatable {
                equity,
                maintenance,
            }
            .into());
        }
        let (mut after, realized, bad_debt) = before.close(before.size, &price)?;
        let due = ceil_share(
            position::notional(before.size, &price)?,
            config.params.0[PENALTY],
            BPS,
        )?;
        let penalty = due.min(after.collateral);
        let mut totals = self.totals_now();
        move_house(
            &mut totals,
            signed_diff(before.collateral, after.collateral)?,
        )?;
        // cannot underflow: penalty <= collateral.
        after.collateral = after.collateral.wrapping_sub(penalty);
        self.write(&mut totals, account, &before, &after)?;
        let liquidator = self.vm().msg_sender();
        let keeper_before = self.position(liquidator);
        let keeper_after = Position {
            collateral: il_math::add(keeper_before.collateral, penalty)?,
            ..keeper_before
        };
        self.write(&mut totals, liquidator, &keeper_before, &keeper_after)?;
        self.store_totals(&totals);
        self.report_bad_debt(account, bad_debt);
        emit(
            self.vm(),
            &[
                Liquidated::SIGNATURE_HASH,
                account.to_word(),
                liquidator.to_word(),
            ],
            &[
                before.size.to_word(),
                price.num().to_word(),
                price.den().to_word(),
                realized.to_word(),
                penalty.to_word(),
            ],
        );
        Ok(penalty)
    }

    /// Anyone: pulls `amount` (token1 raw) with `transferFrom` and adds it to
    /// the house, the liquidity that pays traders' profits.
    ///
    /// # Errors
    /// `HedgeZeroAmount`, `HedgeTransferFailed`, `HedgeMathError`.
    ///
    /// # Events
    /// `Funded(caller, amount)`.
    pub fn fund(&mut self, amount: U256) -> Result<(), HedgeError> {
        let from = self.vm().msg_sender();
        self.pull(from, amount)?;
        let mut totals = self.totals_now();
        move_house(&mut totals, to_signed(amount)?)?;
        self.store_totals(&totals);
        emit(
            self.vm(),
            &[Funded::SIGNATURE_HASH, from.to_word()],
            &[amount.to_word()],
        );
        Ok(())
    }

    /// Owner only: sends `amount` of the house to `to`, at most its free
    /// liquidity: the house minus its reserve, `owed + ceil(coverBps of the
    /// larger side's notional)` ([`Book::reserve`]; the price is read only
    /// with open interest). So the house keeps what it owes each side and
    /// what the larger side can win on a `coverBps` move: the owner cannot
    /// take the liquidity that pays open positions' profits. It does not
    /// reserve for losses accounts cannot pay (liquidation is the mechanism
    /// for those).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `HedgeZeroAmount`, `HedgeZeroAddress`,
    /// the oracle's errors, `HedgeInsufficientLiquidity(free, amount)`,
    /// `HedgeTransferFailed`, `HedgeMathError`.
    ///
    /// # Events
    /// `Defunded(to, amount)`.
    pub fn defund(&mut self, amount: U256, to: Address) -> Result<(), HedgeError> {
        self.ownable.only_owner::<HedgeError>()?;
        check_amount_and_receiver(amount, to)?;
        let config = self.config_now();
        let mut totals = self.totals_now();
        let book = totals.book;
        let reserve = if book.long.is_zero() && book.short.is_zero() {
            U256::ZERO
        } else {
            let (price, _) = self.mark(&config)?;
            book.reserve(&price, config.params.0[COVER])?
        };
        let free = il_math::sub(positive_part(totals.house), reserve).unwrap_or_default();
        if amount > free {
            return Err(HedgeInsufficientLiquidity {
                available: free,
                needed: amount,
            }
            .into());
        }
        move_house(&mut totals, il_math::to_negative(amount)?)?;
        self.store_totals(&totals);
        self.push(config.collateral, to, amount)?;
        emit(
            self.vm(),
            &[Defunded::SIGNATURE_HASH, to.to_word()],
            &[amount.to_word()],
        );
        Ok(())
    }

    /// Owner only: queues new risk parameters: the trade fee (pips of the
    /// traded notional), the initial and maintenance margins and the
    /// liquidation penalty (bps of the notional), the oldest usable oracle
    /// answer (seconds), the spread and impact on opened notional (pips) and
    /// the move the house covers (bps). Anyone may put them in force with
    /// `applyParams` from `now + PARAMS_DELAY`; a change queued earlier is
    /// replaced (its waiting time does not carry over). Nothing changes for
    /// open positions until then.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`; `HedgeInvalidParameter` unless `fee <=
    /// 3_000`, `200 <= initial <= 5_000`, `100 <= maintenance <= 1_000`,
    /// `maintenance < initial`, `penalty <= 200`, `penalty < maintenance`,
    /// `90_000 <= maxPriceAge <= 604_800`, `spread <= 10_000`, `impact <=
    /// 100_000` and `1_000 <= cover <= 10_000` (the `MIN_*`/`MAX_*`
    /// constants say why).
    ///
    /// # Events
    /// `ParamsQueued` with the values and the time they may apply from.
    ///
    /// The router passes each argument as its ABI word (a value too large
    /// for its `uintN` type is out of bounds, `HedgeInvalidParameter`).
    #[allow(clippy::too_many_arguments)] // the ABI's argument list
    pub fn queue_params(
        &mut self,
        trade_fee_pips: U256,
        initial_margin_bps: U256,
        maintenance_margin_bps: U256,
        liquidation_penalty_bps: U256,
        max_price_age: U256,
        spread_pips: U256,
        impact_pips: U256,
        cover_bps: U256,
    ) -> Result<(), HedgeError> {
        self.ownable.only_owner::<HedgeError>()?;
        let params = Params::from_words(&[
            trade_fee_pips,
            initial_margin_bps,
            maintenance_margin_bps,
            liquidation_penalty_bps,
            max_price_age,
            spread_pips,
            impact_pips,
            cover_bps,
        ]);
        if !params.is_valid() {
            return Err(HedgeInvalidParameter {}.into());
        }
        // saturating: a block timestamp plus two days cannot reach 2^64.
        let eta = self.vm().block_timestamp().saturating_add(PARAMS_DELAY);
        let mut words = [U256::ZERO; PENDING_WORDS];
        words[..PARAM_WORDS].copy_from_slice(&params.words());
        words[PARAM_WORDS] = U256::from(eta);
        slots::store(self.vm(), PENDING, &words);
        emit(
            self.vm(),
            &[ParamsQueued::SIGNATURE_HASH],
            &words.map(|w| w.to_word()),
        );
        Ok(())
    }

    /// Anyone: puts the queued parameters in force once `PARAMS_DELAY` has
    /// passed since they were queued, and clears the queue.
    ///
    /// # Errors
    /// `HedgeNoPendingParams`; `HedgeParamsNotReady(eta, now)` before then.
    ///
    /// # Events
    /// `ParamsUpdated` with the new values.
    pub fn apply_params(&mut self) -> Result<(), HedgeError> {
        let (params, eta) = self.pending()?;
        let now = self.vm().block_timestamp();
        if now < eta {
            return Err(HedgeParamsNotReady {
                eta: U256::from(eta),
                now: U256::from(now),
            }
            .into());
        }
        self.clear_pending();
        self.store_params(&params);
        Ok(())
    }

    /// Owner only: drops the queued parameters.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `HedgeNoPendingParams`.
    ///
    /// # Events
    /// `ParamsCancelled(eta)`.
    pub fn cancel_params(&mut self) -> Result<(), HedgeError> {
        self.ownable.only_owner::<HedgeError>()?;
        let (_, eta) = self.pending()?;
        self.clear_pending();
        emit(
            self.vm(),
            &[ParamsCancelled::SIGNATURE_HASH],
            &[U256::from(eta).to_word()],
        );
        Ok(())
    }

    /// Moves `fraction_wad` (WAD, in `(0, 1e18]`) of the caller's account to
    /// `to`'s: the size and collateral `|x| * fraction / 1e18` rounded toward
    /// zero, and the entry notional of that size rounded toward positive
    /// infinity ([`Position::split`]). So the moved part is never more than
    /// its share, the caller keeps the rest, and the two sum to what the
    /// caller had exactly (size, collateral and entry, hence equity at any
    /// price). `to`'s account adds the moved part to what it holds (flat or
    /// on the same side). Pure bookkeeping: it reads no price, needs no
    /// liquidity, charges no fee and no parameter applies, so neither the
    /// owner nor the oracle can block it. The vault uses it to hand a
    /// withdrawing depositor their part of the hedge when `exit` cannot pay
    /// (stale feed, house unable to pay).
    ///
    /// `to` must accept positions from the caller
    /// (`setPositionSender`): a moved part may be worth less than
    /// nothing (a position under water), and no price is read to tell, so
    /// nobody can push one into an account that did not ask for it.
    ///
    /// Margin: the moved and the kept part each keep the whole's ratio of
    /// equity to notional (up to a raw unit of rounding), so a split neither
    /// makes a healthy position liquidatable nor rescues a liquidatable one:
    /// both parts stay on the same side of the maintenance margin (a part
    /// exactly at the boundary may cross it by that unit). Merged into
    /// `to`'s position, `to`'s ratio becomes the notional-weighted mix of
    /// the two.
    ///
    /// # Errors
    /// `HedgeInvalidFraction`, `HedgeZeroAddress`, `HedgeSelfTransfer`,
    /// `HedgeTransferNotApproved(caller, to)`, `HedgeNothingToTransfer`
    /// (the fraction rounds to no size and no collateral),
    /// `HedgeOppositePosition` (`to` holds the other side), `HedgeMathError`.
    ///
    /// # Events
    /// `PositionTransferred(caller, to, fraction_wad, size, collateral,
    /// entry)` with the moved amounts.
    pub fn transfer_position(&mut self, fraction_wad: U256, to: Address) -> Result<(), HedgeError> {
        check_fraction_and_receiver(fraction_wad, to)?;
        let from = self.vm().msg_sender();
        if to == from {
            return Err(HedgeSelfTransfer {}.into());
        }
        if !self.approved(to, from) {
            return Err(HedgeTransferNotApproved { from, to }.into());
        }
        let before = self.position(from);
        let receiver = self.position(to);
        let (moved, kept, merged) = before.split(fraction_wad, &receiver)?;
        if moved == Position::default() {
            return Err(HedgeNothingToTransfer {}.into());
        }
        if !receiver.size.is_zero()
            && !moved.size.is_zero()
            && receiver.size.is_negative() != moved.size.is_negative()
        {
            return Err(HedgeOppositePosition {
                receiverSize: receiver.size,
                movedSize: moved.size,
            }
            .into());
        }
        let mut totals = self.totals_now();
        self.write(&mut totals, from, &before, &kept)?;
        self.write(&mut totals, to, &receiver, &merged)?;
        self.store_totals(&totals);
        emit(
            self.vm(),
            &[
                PositionTransferred::SIGNATURE_HASH,
                from.to_word(),
                to.to_word(),
            ],
            &[
                fraction_wad.to_word(),
                moved.size.to_word(),
                moved.collateral.to_word(),
                moved.entry.to_word(),
            ],
        );
        Ok(())
    }

    /// Accepts positions moved into the caller's account by `sender` with
    /// `transferPosition` from now on; `sender` replaces the one accepted
    /// before (one at a time keeps the check to a single word), and zero
    /// accepts none.
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    ///
    /// # Events
    /// `PositionSenderSet(caller, sender)`.
    pub fn set_position_sender(&mut self, sender: Address) -> Result<(), HedgeError> {
        let account = self.vm().msg_sender();
        let slot = self.sender_slot(account);
        slots::set(self.vm(), slot, slots::from_address(sender));
        emit(
            self.vm(),
            &[
                PositionSenderSet::SIGNATURE_HASH,
                account.to_word(),
                sender.to_word(),
            ],
            &[],
        );
        Ok(())
    }

    /// `account`'s size (token0 raw, negative = short), collateral and entry
    /// notional (token1 raw).
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    pub fn position_of(&self, account: Address) -> Result<(I256, U256, I256), HedgeError> {
        let p = self.position(account);
        Ok((p.size, p.collateral, p.entry))
    }

    /// `account`'s equity at the mark, `collateral + floor(size * P) - entry`
    /// (token1 raw, may be negative). With no open position it is the
    /// collateral and no price is read.
    ///
    /// # Errors
    /// The oracle's errors (with an open position), `HedgeMathError`.
    pub fn equity_of(&self, account: Address) -> Result<I256, HedgeError> {
        let p = self.position(account);
        if p.size.is_zero() {
            return Ok(to_signed(p.collateral)?);
        }
        let (price, _) = self.mark(&self.config_now())?;
        Ok(p.equity(&price)?)
    }

    /// `account`'s initial and maintenance margins at the mark (token1 raw,
    /// rounded up); `(0, 0)` with no open position (no price read).
    ///
    /// # Errors
    /// The oracle's errors (with an open position), `HedgeMathError`.
    pub fn margin_of(&self, account: Address) -> Result<(U256, U256), HedgeError> {
        let p = self.position(account);
        if p.size.is_zero() {
            return Ok((U256::ZERO, U256::ZERO));
        }
        let config = self.config_now();
        let (price, _) = self.mark(&config)?;
        Ok((
            p.margin(&price, config.params.0[IM])?,
            p.margin(&price, config.params.0[MM])?,
        ))
    }

    /// The mark price as the exact rational `num / den` (token1 raw units per
    /// token0 raw unit, not reduced) and the oracle's `updatedAt`.
    ///
    /// # Errors
    /// The oracle's errors, `HedgeMathError`.
    pub fn mark_price(&self) -> Result<(U256, U256, U256), HedgeError> {
        let (price, updated_at) = self.mark(&self.config_now())?;
        Ok((price.num(), price.den(), updated_at))
    }

    /// The house balance (token1 raw), signed.
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    pub fn house(&self) -> Result<I256, HedgeError> {
        Ok(self.totals_now().house)
    }

    /// The parameters in force, as the words of `(tradeFeePips,
    /// initialMarginBps, maintenanceMarginBps, liquidationPenaltyBps,
    /// maxPriceAge, spreadPips, impactPips, coverBps)`.
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    pub fn params(&self) -> Result<Words<PARAM_WORDS>, HedgeError> {
        Ok(Words(self.config_now().params.words()))
    }

    /// The queued parameters (as `params`) and the time they may apply
    /// from, `eta`; all zero when nothing is queued.
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    pub fn pending_params(&self) -> Result<Words<PENDING_WORDS>, HedgeError> {
        let mut w = [U256::ZERO; PENDING_WORDS];
        slots::load(self.vm(), PENDING, &mut w);
        Ok(Words(w))
    }

    /// The one address `account` accepts positions from (zero: nobody).
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    pub fn position_sender_of(&self, account: Address) -> Result<Address, HedgeError> {
        Ok(slots::to_address(slots::get(
            self.vm(),
            self.sender_slot(account),
        )))
    }

    /// The collateral token (token1).
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    pub fn collateral_token(&self) -> Result<Address, HedgeError> {
        Ok(self.config_now().collateral)
    }

    /// The price feed.
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    pub fn oracle(&self) -> Result<Address, HedgeError> {
        Ok(self.config_now().oracle)
    }
}

fn check_amount_and_receiver(amount: U256, to: Address) -> Result<(), HedgeError> {
    if amount.is_zero() {
        return Err(HedgeZeroAmount {}.into());
    }
    if to.is_zero() {
        return Err(HedgeZeroAddress {}.into());
    }
    Ok(())
}

/// `HedgeInvalidFraction` unless `fraction_wad` is in `(0, 1e18]`, then
/// `HedgeZeroAddress` for a zero `to`.
#[inline(never)]
fn check_fraction_and_receiver(fraction_wad: U256, to: Address) -> Result<(), HedgeError> {
    if fraction_wad.is_zero() || fraction_wad > WAD {
        return Err(HedgeInvalidFraction {
            fractionWad: fraction_wad,
        }
        .into());
    }
    if to.is_zero() {
        return Err(HedgeZeroAddress {}.into());
    }
    Ok(())
}

/// Adds `delta` to the house. The house pays every profit and may never go
/// below zero (so the tokens held always cover every account's
/// collateral): `HedgeInsufficientLiquidity(house, -delta)` when it would.
#[inline(never)]
fn move_house(totals: &mut Totals, delta: I256) -> Result<(), HedgeError> {
    let house = signed_add(totals.house, delta)?;
    if house.is_negative() {
        return Err(HedgeInsufficientLiquidity {
            available: positive_part(totals.house),
            needed: delta.unsigned_abs(),
        }
        .into());
    }
    totals.house = house;
    Ok(())
}

/// `HedgeInsufficientMargin` unless `equity >= initial margin` at `price`.
#[inline(never)]
fn check_initial_margin(p: &Position, price: &Price, params: &Params) -> Result<(), HedgeError> {
    let equity = p.equity(price)?;
    let required = p.margin(price, params.0[IM])?;
    if equity < to_signed(required)? {
        return Err(HedgeInsufficientMargin { equity, required }.into());
    }
    Ok(())
}

impl Hedge {
    /// The checked mark price and the oracle's `updatedAt`.
    #[inline(never)]
    fn mark(&self, config: &Config) -> Result<(Price, U256), HedgeError> {
        let oracle = config.oracle;
        let out = lean::static_call(self.vm(), oracle, &latestRoundDataCall::SELECTOR)
            .unwrap_or_default();
        let (Some(round_id), Some(answer), Some(updated_at), Some(answered_in_round)) = (
            lean::u256_at(&out, 0),
            lean::i256_at(&out, 1),
            lean::u256_at(&out, 3),
            lean::u256_at(&out, 4),
        ) else {
            return Err(HedgeOracleUnavailable { oracle }.into());
        };
        if !answer.is_positive() {
            return Err(HedgeInvalidPrice { answer }.into());
        }
        let now = U256::from(self.vm().block_timestamp());
        // fresh: set (not 0), not from the future, at most max age old.
        let fresh = match now.checked_sub(updated_at) {
            Some(age) => !updated_at.is_zero() && age <= U256::from(config.params.0[MAX_AGE]),
            None => false,
        };
        if !fresh {
            return Err(HedgeStalePrice {
                updatedAt: updated_at,
                now,
            }
            .into());
        }
        if answered_in_round < round_id {
            return Err(HedgeIncompleteRound {
                roundId: round_id,
                answeredInRound: answered_in_round,
            }
            .into());
        }
        let price = Price::from_oracle(
            answer,
            config.oracle_decimals,
            config.base_decimals,
            config.collateral_decimals,
        )?;
        Ok((price, updated_at))
    }

    #[inline(never)]
    fn config_now(&self) -> Config {
        let mut w = [U256::ZERO; PARAMS + PARAM_WORDS];
        slots::load(self.vm(), CONFIG, &mut w);
        // every word was stored from a value of its type: the conversions are exact.
        Config {
            collateral: slots::to_address(w[0]),
            oracle: slots::to_address(w[1]),
            oracle_decimals: w[2].saturating_to(),
            base_decimals: w[3].saturating_to(),
            collateral_decimals: w[4].saturating_to(),
            params: Params::from_words(&w[PARAMS..]),
        }
    }

    /// Puts `p` in force.
    #[inline(never)]
    fn store_params(&mut self, p: &Params) {
        let words = p.words();
        // cannot overflow: a hash plus 5.
        slots::store(self.vm(), CONFIG.wrapping_add(U256::from(PARAMS)), &words);
        emit(
            self.vm(),
            &[ParamsUpdated::SIGNATURE_HASH],
            &words.map(|w| w.to_word()),
        );
    }

    /// The queued parameters and the time they may apply from.
    ///
    /// # Errors
    /// `HedgeNoPendingParams` when nothing is queued.
    #[inline(never)]
    fn pending(&self) -> Result<(Params, u64), HedgeError> {
        let Words(w) = self.pending_params()?;
        let eta = w[PARAM_WORDS].as_limbs()[0];
        if eta == 0 {
            return Err(HedgeNoPendingParams {}.into());
        }
        Ok((Params::from_words(&w), eta))
    }

    fn clear_pending(&mut self) {
        slots::store(self.vm(), PENDING, &[U256::ZERO; PENDING_WORDS]);
    }

    fn sender_slot(&self, account: Address) -> U256 {
        slots::keyed(self.vm(), account.into_word(), SENDERS)
    }

    /// Whether `account` accepts positions from `sender`.
    fn approved(&self, account: Address, sender: Address) -> bool {
        self.position_sender_of(account) == Ok(sender)
    }

    #[inline(never)]
    fn totals_now(&self) -> Totals {
        let mut w = [U256::ZERO; TOTALS_WORDS];
        slots::load(self.vm(), TOTALS, &mut w);
        Totals {
            house: slots::to_signed(w[0]),
            collateral: w[1],
            book: Book {
                long: w[2],
                short: w[3],
                long_entry: slots::to_signed(w[4]),
                short_entry: slots::to_signed(w[5]),
            },
        }
    }

    #[inline(never)]
    fn store_totals(&mut self, t: &Totals) {
        let b = &t.book;
        let words = [
            t.house.into_raw(),
            t.collateral,
            b.long,
            b.short,
            b.long_entry.into_raw(),
            b.short_entry.into_raw(),
        ];
        slots::store(self.vm(), TOTALS, &words);
    }

    #[inline(never)]
    fn position(&self, account: Address) -> Position {
        let mut w = [U256::ZERO; 3];
        slots::load(
            self.vm(),
            slots::keyed(self.vm(), account.into_word(), ACCOUNTS),
            &mut w,
        );
        Position {
            collateral: w[0],
            size: slots::to_signed(w[1]),
            entry: slots::to_signed(w[2]),
        }
    }

    /// Stores `account`'s new position and moves the totals by the change.
    #[inline(never)]
    fn write(
        &mut self,
        totals: &mut Totals,
        account: Address,
        before: &Position,
        after: &Position,
    ) -> Result<(), HedgeError> {
        totals.collateral = match after.collateral.checked_sub(before.collateral) {
            Some(up) => il_math::add(totals.collateral, up)?,
            // cannot underflow: before > after here.
            None => il_math::sub(
                totals.collateral,
                before.collateral.wrapping_sub(after.collateral),
            )?,
        };
        totals.book.count(before, false)?;
        totals.book.count(after, true)?;
        let slot = slots::keyed(self.vm(), account.into_word(), ACCOUNTS);
        slots::store(
            self.vm(),
            slot,
            &[
                after.collateral,
                after.size.into_raw(),
                after.entry.into_raw(),
            ],
        );
        Ok(())
    }

    /// Applies a trade's fill: the collateral it moved goes to (or comes
    /// from) the house, then the position is stored.
    #[inline(never)]
    fn settle(
        &mut self,
        totals: &mut Totals,
        account: Address,
        before: &Position,
        fill: &Fill,
        size_delta: I256,
        price: &Price,
    ) -> Result<(), HedgeError> {
        move_house(
            totals,
            signed_diff(before.collateral, fill.after.collateral)?,
        )?;
        self.write(totals, account, before, &fill.after)?;
        self.report_bad_debt(account, fill.bad_debt);
        emit(
            self.vm(),
            &[Traded::SIGNATURE_HASH, account.to_word()],
            &[
                size_delta.to_word(),
                fill.after.size.to_word(),
                price.num().to_word(),
                price.den().to_word(),
                fill.fee.to_word(),
                fill.realized.to_word(),
            ],
        );
        Ok(())
    }

    fn report_bad_debt(&self, account: Address, amount: U256) {
        if !amount.is_zero() {
            emit(
                self.vm(),
                &[BadDebt::SIGNATURE_HASH, account.to_word()],
                &[amount.to_word()],
            );
        }
    }

    /// Pulls `amount` from `from` into the venue with `transferFrom`.
    #[inline(never)]
    fn pull(&mut self, from: Address, amount: U256) -> Result<(), HedgeError> {
        if amount.is_zero() {
            return Err(HedgeZeroAmount {}.into());
        }
        let this = self.vm().contract_address();
        let data = lean::encode(
            transferFromCall::SELECTOR,
            &[from.to_word(), this.to_word(), amount.to_word()],
            None,
        );
        let token = self.config_now().collateral;
        self.token_call(token, &data)
    }

    /// Sends `amount` of the collateral `token` to `to`.
    #[inline(never)]
    fn push(&mut self, token: Address, to: Address, amount: U256) -> Result<(), HedgeError> {
        let data = lean::encode(
            transferCall::SELECTOR,
            &[to.to_word(), amount.to_word()],
            None,
        );
        self.token_call(token, &data)
    }

    /// Calls the collateral token; it must succeed and return `true`.
    #[inline(never)]
    fn token_call(&mut self, token: Address, data: &[u8]) -> Result<(), HedgeError> {
        match lean::call(self, token, data) {
            Ok(out) if lean::u256_at(&out, 0) == Some(U256::from(1u8)) => Ok(()),
            _ => Err(HedgeTransferFailed { token }.into()),
        }
    }
}

il_common::ownable_methods!(Hedge, ownable, HedgeError);

use il_common::ownable::IOwnable;

il_common::lean_router! {
    Hedge, HedgeError;
    constructor(collateral: Address, oracle: Address, base_decimals: u8, collateral_decimals: u8, owner: Address);
    IHedge::depositCall => deposit(amount: U256);
    IHedge::withdrawCall => withdraw(amount: U256, to: Address);
    IHedge::tradeCall => trade(size_delta: I256);
    IHedge::exitCall => exit(fraction_wad: U256, to: Address);
    IHedge::transferPositionCall => transfer_position(fraction_wad: U256, to: Address);
    IHedge::setPositionSenderCall => set_position_sender(sender: Address);
    IHedge::liquidateCall => liquidate(account: Address);
    IHedge::fundCall => fund(amount: U256);
    IHedge::defundCall => defund(amount: U256, to: Address);
    IHedge::queueParamsCall => queue_params(
        trade_fee_pips: U256,
        initial_margin_bps: U256,
        maintenance_margin_bps: U256,
        liquidation_penalty_bps: U256,
        max_price_age: U256,
        spread_pips: U256,
        impact_pips: U256,
        cover_bps: U256,
    );
    IHedge::applyParamsCall => apply_params();
    IHedge::cancelParamsCall => cancel_params();
    IHedge::positionOfCall => position_of(account: Address);
    IHedge::equityOfCall => equity_of(account: Address);
    IHedge::marginOfCall => margin_of(account: Address);
    IHedge::markPriceCall => mark_price();
    IHedge::houseCall => house();
    IHedge::paramsCall => params();
    IHedge::pendingParamsCall => pending_params();
    IHedge::positionSenderOfCall => position_sender_of(account: Address);
    IHedge::collateralTokenCall => collateral_token();
    IHedge::oracleCall => oracle();
    IOwnable::ownerCall => owner();
    IOwnable::pendingOwnerCall => pending_owner();
    IOwnable::transferOwnershipCall => transfer_ownership(new_owner: Address);
    IOwnable::acceptOwnershipCall => accept_ownership();
}

/// The Solidity interface of the contract, as committed in `IHedge.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> alloc::string::String {
    il_common::abi::render(
        "Hedge",
        &[
            IHedge::abi::contract(),
            IOwnable::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}

#[cfg(test)]
mod tests;
