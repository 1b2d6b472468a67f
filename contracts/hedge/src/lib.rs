//! Reference hedge venue: a small, honest perpetual-style market on the base
//! token (token0, e.g. ETH), collateralised in the quote token (token1, e.g.
//! USDC), marked to an oracle with Chainlink's `AggregatorV3Interface` shape.
//! It exists so that the vault's hedge can run end to end on local chains and
//! testnets; the vault talks to it through a narrow interface (`deposit`,
//! `withdraw`, `trade`, `exit` and the views), so an adapter to a production
//! venue can replace it.
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
//!   liquidation settlements and bad debt move between an account's
//!   collateral and the signed house balance. Anyone may `fund` the house;
//!   the owner may `defund` what the house holds beyond the traders' net
//!   unrealised profit at the mark. Hence the invariant, exact to the unit:
//!   `sum(collateral) + house == tokens held` (what came in minus what went
//!   out; tokens sent without `deposit`/`fund` are not counted). Every token
//!   payment is limited by that amount (`HedgeInsufficientLiquidity`): with a
//!   house deficit, the last withdrawers may have to wait for funding.
//! - Margins are basis points of the notional `|size| * P`: opening size needs
//!   equity >= initial margin afterwards, withdrawing collateral too;
//!   reducing size is never blocked by margin; below maintenance margin
//!   anyone may liquidate.
//! - No funding rate: positions are marked to the oracle and nothing else
//!   accrues. (Funding is a parameter of the keeper's backtest only.)
//! - The collateral token must return `true` from `transfer`/`transferFrom`
//!   (tokens that return nothing are not supported).
//!
//! Not a production venue: there is no insurance fund, no open-interest cap
//! and no price band beyond the oracle's checks.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

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
use position::{Fill, Position, ceil_share, signed_add, signed_sub};
use stylus_sdk::prelude::*;

/// Default trade fee: 500 pips = 5 bps of the traded notional.
pub const DEFAULT_TRADE_FEE_PIPS: u32 = 500;
/// Default initial margin: 1_000 bps = 10 % of the notional (10x leverage).
pub const DEFAULT_INITIAL_MARGIN_BPS: u16 = 1_000;
/// Default maintenance margin: 500 bps = 5 % of the notional.
pub const DEFAULT_MAINTENANCE_MARGIN_BPS: u16 = 500;
/// Default liquidation penalty: 100 bps = 1 % of the notional.
pub const DEFAULT_LIQUIDATION_PENALTY_BPS: u16 = 100;
/// Default oldest usable oracle answer: one hour. A real Chainlink feed's
/// heartbeat may be longer (24 h on many Arbitrum feeds): set it with
/// `setParams` to the feed's heartbeat.
pub const DEFAULT_MAX_PRICE_AGE: u64 = 3_600;
/// Highest trade fee: 10_000 pips = 1 %.
pub const MAX_TRADE_FEE_PIPS: u32 = 10_000;
/// Lowest `maxPriceAge`: one minute.
pub const MIN_MAX_PRICE_AGE: u64 = 60;
/// Highest `maxPriceAge`: seven days.
pub const MAX_MAX_PRICE_AGE: u64 = 7 * 86_400;

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
        /// Anyone: closes `account`'s position below maintenance margin; returns the penalty credited to the caller.
        function liquidate(address account) external returns (uint256 penalty);
        /// Anyone: adds `amount` to the house (pulled with transferFrom).
        function fund(uint256 amount) external;
        /// Owner only: takes `amount` of the house's free liquidity to `to`.
        function defund(uint256 amount, address to) external;
        /// Owner only: sets the risk parameters.
        function setParams(uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge) external;
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
        /// The risk parameters.
        function params() external view returns (uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge);
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
        /// The owner set the risk parameters.
        #[derive(Debug, PartialEq, Eq)]
        event ParamsUpdated(uint32 tradeFeePips, uint16 initialMarginBps, uint16 maintenanceMarginBps, uint16 liquidationPenaltyBps, uint64 maxPriceAge);

        /// An amount (or a size delta) of zero.
        #[derive(Debug, PartialEq, Eq)]
        error HedgeZeroAmount();
        /// The zero address where a token, an oracle or a receiver is needed.
        #[derive(Debug, PartialEq, Eq)]
        error HedgeZeroAddress();
        /// A risk parameter or a decimals figure is outside its bounds.
        #[derive(Debug, PartialEq, Eq)]
        error HedgeInvalidParameter();
        /// An exit fraction outside `(0, 1e18]`.
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
        /// The venue can pay out `available`, less than `needed`.
        #[derive(Debug, PartialEq, Eq)]
        error HedgeInsufficientLiquidity(uint256 available, uint256 needed);
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

pub use IHedge::{
    BadDebt, Defunded, Deposited, Exited, Funded, HedgeIncompleteRound,
    HedgeInsufficientCollateral, HedgeInsufficientLiquidity, HedgeInsufficientMargin,
    HedgeInvalidFraction, HedgeInvalidParameter, HedgeInvalidPrice, HedgeMathError,
    HedgeNotLiquidatable, HedgeOracleUnavailable, HedgeStalePrice, HedgeTransferFailed,
    HedgeZeroAddress, HedgeZeroAmount, Liquidated, ParamsUpdated, Traded, Withdrawn,
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
        NotLiquidatable(HedgeNotLiquidatable { equity, maintenance }),
        Math(HedgeMathError { code }),
    }
}

impl From<MathError> for HedgeError {
    fn from(e: MathError) -> Self {
        HedgeMathError { code: e.code() }.into()
    }
}

/// Words at `CONFIG`: collateral token, oracle, oracle decimals, base
/// decimals, collateral decimals (set once), then the risk parameters
/// (`PARAMS`: trade fee pips, initial margin bps, maintenance margin bps,
/// liquidation penalty bps, max price age seconds).
const CONFIG: U256 = slots::base(b"il.hedge.config");
const CONFIG_WORDS: usize = 10;
const PARAMS: usize = 5;
/// Words at `TOTALS`: the house balance (signed), the sum of all collateral,
/// the sum of all sizes (signed) and of all entry notionals (signed).
const TOTALS: U256 = slots::base(b"il.hedge.totals");
/// Map base of the accounts: collateral, size (signed), entry (signed).
const ACCOUNTS: U256 = slots::base(b"il.hedge.accounts");

/// The venue's storage: ownership, then the words above in hashed slots
/// (see `il_common::slots`). Its entrypoint is `il_common::lean_router!`
/// (end of file).
#[storage]
pub struct Hedge {
    ownable: Ownable2Step,
}

/// The risk parameters, as `setParams` takes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Params {
    trade_fee_pips: u32,
    initial_margin_bps: u16,
    maintenance_margin_bps: u16,
    liquidation_penalty_bps: u16,
    max_price_age: u64,
}

impl Params {
    /// `fee <= 1 %`, `0 < maintenance < initial <= 100 %`,
    /// `penalty < maintenance`, `maxPriceAge` in `[60 s, 7 days]`.
    fn is_valid(&self) -> bool {
        self.trade_fee_pips <= MAX_TRADE_FEE_PIPS
            && self.maintenance_margin_bps > 0
            && self.maintenance_margin_bps < self.initial_margin_bps
            && u64::from(self.initial_margin_bps) <= BPS
            && self.liquidation_penalty_bps < self.maintenance_margin_bps
            && (MIN_MAX_PRICE_AGE..=MAX_MAX_PRICE_AGE).contains(&self.max_price_age)
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
    net_size: I256,
    net_entry: I256,
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
        self.store_params(Params {
            trade_fee_pips: DEFAULT_TRADE_FEE_PIPS,
            initial_margin_bps: DEFAULT_INITIAL_MARGIN_BPS,
            maintenance_margin_bps: DEFAULT_MAINTENANCE_MARGIN_BPS,
            liquidation_penalty_bps: DEFAULT_LIQUIDATION_PENALTY_BPS,
            max_price_age: DEFAULT_MAX_PRICE_AGE,
        });
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
    /// an open position, the equity left must cover the initial margin.
    ///
    /// # Errors
    /// `HedgeZeroAmount`, `HedgeZeroAddress`, `HedgeInsufficientCollateral`
    /// (more than the collateral), `HedgeInsufficientMargin`, the oracle's
    /// errors (only with an open position), `HedgeInsufficientLiquidity`,
    /// `HedgeTransferFailed`.
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
        check_liquidity(&totals, amount)?;
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
    /// side; a trade that opens size needs the equity afterwards to cover
    /// the initial margin. Rounding favours the venue (see [`position`]).
    ///
    /// # Errors
    /// `HedgeZeroAmount`, the oracle's errors (`HedgeInvalidPrice`,
    /// `HedgeStalePrice`, `HedgeIncompleteRound`, `HedgeOracleUnavailable`),
    /// `HedgeInsufficientCollateral` (an opening trade cannot pay its fee),
    /// `HedgeInsufficientMargin`, `HedgeMathError`.
    ///
    /// # Events
    /// `Traded`, and `BadDebt` when a close loses more than the collateral.
    pub fn trade(&mut self, size_delta: I256) -> Result<I256, HedgeError> {
        if size_delta.is_zero() {
            return Err(HedgeZeroAmount {}.into());
        }
        let account = self.vm().msg_sender();
        let before = self.position(account);
        let config = self.config_now();
        let (price, _) = self.mark(&config)?;
        let fill = before.trade(size_delta, &price, config.params.trade_fee_pips)?;
        if fill.opens {
            check_initial_margin(&fill.after, &price, &config.params)?;
        }
        let mut totals = self.totals_now();
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
    /// only the venue's liquidity can. With no open position it pays the
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
        if fraction_wad.is_zero() || fraction_wad > WAD {
            return Err(HedgeInvalidFraction {
                fractionWad: fraction_wad,
            }
            .into());
        }
        if to.is_zero() {
            return Err(HedgeZeroAddress {}.into());
        }
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
                let trade = before.trade(delta, &price, config.params.trade_fee_pips)?;
                fill = Some((trade, delta));
            }
            mark = Some(price);
        }
        let closed = fill.map_or(before, |(trade, _)| trade.after);
        let paid = closed.exit_payment(fraction_wad, mark.as_ref())?;
        let mut totals = self.totals_now();
        // closing only moves value between the account and the house, so the
        // holdings before it are those the payment draws on.
        check_liquidity(&totals, paid)?;
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
    /// `HedgeMathError`.
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
        let maintenance = before.margin(&price, config.params.maintenance_margin_bps)?;
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
            config.params.liquidation_penalty_bps.into(),
            BPS,
        )?;
        let penalty = due.min(after.collateral);
        let mut totals = self.totals_now();
        totals.house = signed_add(
            totals.house,
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
        totals.house = signed_add(totals.house, to_signed(amount)?)?;
        self.store_totals(&totals);
        emit(
            self.vm(),
            &[Funded::SIGNATURE_HASH, from.to_word()],
            &[amount.to_word()],
        );
        Ok(())
    }

    /// Owner only: sends `amount` of the house to `to`, at most the free
    /// liquidity `min(house, house - traders)` floored at 0, where `traders =
    /// ceil(netSize * P) - netEntry` is the traders' net unrealised PnL at the
    /// mark (rounded up; the price is read only when the net size is not
    /// zero). So the house keeps what it owes the traders on net, and never
    /// pays out unrealised gains. It does not reserve for losses accounts
    /// cannot pay (liquidation is the mechanism for those).
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
        let value = if totals.net_size.is_zero() {
            I256::ZERO
        } else {
            let (price, _) = self.mark(&config)?;
            position::value(totals.net_size, &price, il_math::Rounding::Ceil)?
        };
        let traders = signed_sub(value, totals.net_entry)?;
        let free = positive_part(totals.house.min(signed_sub(totals.house, traders)?));
        if amount > free {
            return Err(HedgeInsufficientLiquidity {
                available: free,
                needed: amount,
            }
            .into());
        }
        totals.house = signed_sub(totals.house, to_signed(amount)?)?;
        self.store_totals(&totals);
        self.push(config.collateral, to, amount)?;
        emit(
            self.vm(),
            &[Defunded::SIGNATURE_HASH, to.to_word()],
            &[amount.to_word()],
        );
        Ok(())
    }

    /// Owner only: sets the trade fee (pips of the traded notional), the
    /// initial and maintenance margins and the liquidation penalty (bps of
    /// the notional) and the oldest usable oracle answer (seconds).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`; `HedgeInvalidParameter` unless
    /// `fee <= 10_000`, `0 < maintenance < initial <= 10_000`,
    /// `penalty < maintenance` and `60 <= maxPriceAge <= 604_800`.
    ///
    /// # Events
    /// `ParamsUpdated` with the new values.
    pub fn set_params(
        &mut self,
        trade_fee_pips: u32,
        initial_margin_bps: u16,
        maintenance_margin_bps: u16,
        liquidation_penalty_bps: u16,
        max_price_age: u64,
    ) -> Result<(), HedgeError> {
        self.ownable.only_owner::<HedgeError>()?;
        let params = Params {
            trade_fee_pips,
            initial_margin_bps,
            maintenance_margin_bps,
            liquidation_penalty_bps,
            max_price_age,
        };
        if !params.is_valid() {
            return Err(HedgeInvalidParameter {}.into());
        }
        self.store_params(params);
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
            p.margin(&price, config.params.initial_margin_bps)?,
            p.margin(&price, config.params.maintenance_margin_bps)?,
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

    /// `(tradeFeePips, initialMarginBps, maintenanceMarginBps,
    /// liquidationPenaltyBps, maxPriceAge)`.
    ///
    /// # Errors
    /// None (the `Result` is the router's calling convention).
    pub fn params(&self) -> Result<(u32, u16, u16, u16, u64), HedgeError> {
        let p = self.config_now().params;
        Ok((
            p.trade_fee_pips,
            p.initial_margin_bps,
            p.maintenance_margin_bps,
            p.liquidation_penalty_bps,
            p.max_price_age,
        ))
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

/// `max(x, 0)` as an unsigned value.
fn positive_part(x: I256) -> U256 {
    if x.is_positive() {
        x.unsigned_abs()
    } else {
        U256::ZERO
    }
}

/// `HedgeInsufficientMargin` unless `equity >= initial margin` at `price`.
#[inline(never)]
fn check_initial_margin(p: &Position, price: &Price, params: &Params) -> Result<(), HedgeError> {
    let equity = p.equity(price)?;
    let required = p.margin(price, params.initial_margin_bps)?;
    if equity < to_signed(required)? {
        return Err(HedgeInsufficientMargin { equity, required }.into());
    }
    Ok(())
}

/// `HedgeInsufficientLiquidity` unless the venue holds `needed`. What it
/// holds by its books is `sum(collateral) + house` (at least 0); the
/// invariant keeps that equal to the tokens received minus those sent.
#[inline(never)]
fn check_liquidity(totals: &Totals, needed: U256) -> Result<(), HedgeError> {
    let available = positive_part(signed_add(to_signed(totals.collateral)?, totals.house)?);
    if needed > available {
        return Err(HedgeInsufficientLiquidity { available, needed }.into());
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
            Some(age) => !updated_at.is_zero() && age <= U256::from(config.params.max_price_age),
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
        let mut w = [U256::ZERO; CONFIG_WORDS];
        slots::load(self.vm(), CONFIG, &mut w);
        // every word was stored from a value of its type: the conversions are exact.
        Config {
            collateral: slots::to_address(w[0]),
            oracle: slots::to_address(w[1]),
            oracle_decimals: w[2].saturating_to(),
            base_decimals: w[3].saturating_to(),
            collateral_decimals: w[4].saturating_to(),
            params: Params {
                trade_fee_pips: w[PARAMS].saturating_to(),
                initial_margin_bps: w[6].saturating_to(),
                maintenance_margin_bps: w[7].saturating_to(),
                liquidation_penalty_bps: w[8].saturating_to(),
                max_price_age: w[9].saturating_to(),
            },
        }
    }

    #[inline(never)]
    fn store_params(&mut self, p: Params) {
        let words = [
            U256::from(p.trade_fee_pips),
            U256::from(p.initial_margin_bps),
            U256::from(p.maintenance_margin_bps),
            U256::from(p.liquidation_penalty_bps),
            U256::from(p.max_price_age),
        ];
        // cannot overflow: a hash plus 5.
        slots::store(self.vm(), CONFIG.wrapping_add(U256::from(PARAMS)), &words);
        emit(
            self.vm(),
            &[ParamsUpdated::SIGNATURE_HASH],
            &words.map(|w| w.to_word()),
        );
    }

    #[inline(never)]
    fn totals_now(&self) -> Totals {
        let mut w = [U256::ZERO; 4];
        slots::load(self.vm(), TOTALS, &mut w);
        Totals {
            house: slots::to_signed(w[0]),
            collateral: w[1],
            net_size: slots::to_signed(w[2]),
            net_entry: slots::to_signed(w[3]),
        }
    }

    #[inline(never)]
    fn store_totals(&mut self, t: &Totals) {
        let words = [
            t.house.into_raw(),
            t.collateral,
            t.net_size.into_raw(),
            t.net_entry.into_raw(),
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
        totals.net_size = signed_add(totals.net_size, signed_sub(after.size, before.size)?)?;
        totals.net_entry = signed_add(totals.net_entry, signed_sub(after.entry, before.entry)?)?;
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
        totals.house = signed_add(
            totals.house,
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
    IHedge::liquidateCall => liquidate(account: Address);
    IHedge::fundCall => fund(amount: U256);
    IHedge::defundCall => defund(amount: U256, to: Address);
    IHedge::setParamsCall => set_params(
        trade_fee_pips: u32,
        initial_margin_bps: u16,
        maintenance_margin_bps: u16,
        liquidation_penalty_bps: u16,
        max_price_age: u64,
    );
    IHedge::positionOfCall => position_of(account: Address);
    IHedge::equityOfCall => equity_of(account: Address);
    IHedge::marginOfCall => margin_of(account: Address);
    IHedge::markPriceCall => mark_price();
    IHedge::houseCall => house();
    IHedge::paramsCall => params();
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
