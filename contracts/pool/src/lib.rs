//! Constant-product pair shaped like Uniswap V2, with a dynamic fee tier.
//!
//! The core is V2's pair: `getReserves`, `mint(to)`, `burn(to)`,
//! `swap(amount0Out, amount1Out, to)`, `skim`, `sync`, cumulative prices for
//! a TWAP, LP shares as an ERC-20 with `MINIMUM_LIQUIDITY` locked forever at
//! the first mint. Existing tooling that reads a V2 pair reads this one.
//!
//! Differences from V2, each on purpose:
//! - The swap fee is a tier in pips (1e-6), `fee()`, set by a fee manager
//!   (the vault) within `maxFee()` fixed at deployment, instead of a
//!   constant 0.3%. `fee() == 3_000` reproduces V2's numbers exactly.
//!   Fees stay in the pool (they grow `k`); there is no protocol fee, so no
//!   `kLast` and no factory.
//! - `swap` has no `data` argument: no flash swaps, no callback.
//! - Wallet entrypoints (`swapExactIn`, `addLiquidity`, `removeLiquidity`)
//!   pull tokens with `transferFrom` and take minimum amounts and a deadline,
//!   so a wallet trades without a router.
//! - Tokens must return `true` from `transfer`/`transferFrom`: a token that
//!   returns nothing (non-standard, e.g. USDT on mainnet) is refused with
//!   `PoolTransferFailed`, as is one whose call reverts or returns `false`.
//!   Fee-on-transfer and rebasing tokens are not supported.
//!
//! Reentrancy: V2 guards every state-changing function with its `lock`
//! modifier. Here the Stylus entrypoint refuses every reentrant call (stylus-sdk
//! 0.10's `msg_reentrant` guard, active because the crate does not enable the
//! SDK's `reentrant` feature), so a token cannot call back into the pool in
//! the middle of a `mint`/`burn`/`swap`; no per-function lock is needed.
//!
//! Units: token amounts in raw units (`U256`), reserves `uint112`, fees in
//! pips, times in unix seconds. Every division rounds in the pool's favour
//! (its LPs'), never the caller's.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::string::String;

use alloy_primitives::{Address, U256, Uint};
use alloy_sol_types::{SolCall, SolEvent, sol};
use il_common::{
    Erc20, Erc20Metadata, Ownable2Step,
    erc20::{
        ERC20InsufficientAllowance, ERC20InsufficientBalance, ERC20InvalidApprover,
        ERC20InvalidReceiver, ERC20InvalidSender, ERC20InvalidSpender, ERC20SupplyOverflow, IERC20,
    },
    lean::{self, Word, emit},
    ownable::{IOwnable, OwnableInvalidOwner, OwnableUnauthorizedAccount},
    slots,
};
use il_math::{MAX_FEE_PIPS, MathError, PIPS, Rounding};
use stylus_sdk::prelude::*;

/// `uint112`, the type of a reserve.
pub type U112 = Uint<112, 2>;

/// LP shares locked forever (credited to the zero address) at the first
/// mint, so the supply never returns to zero and the first LP cannot
/// inflate the share price against later ones (V2's value).
pub const MINIMUM_LIQUIDITY: u64 = 1_000;

/// `2^112`: one in UQ112x112 fixed point (V2's price-accumulator format: a
/// price `r1/r0` is `floor(r1 * 2^112 / r0)`, range `[0, 2^224)`,
/// resolution `2^-112`).
const Q112: U256 = U256::from_limbs([0, 1 << 48, 0, 0]);

/// The pips scale as a `U256` (`10^6`).
const PIPS_U256: U256 = U256::from_limbs([PIPS, 0, 0, 0]);

sol! {
    /// The pool's own functions, events and errors (the LP-share ERC-20 and
    /// ownership parts are `il_common`'s `IERC20` and `IOwnable`). The
    /// constructor (Stylus `stylus_constructor`) takes `(address token0,
    /// address token1, uint32 feePips, uint32 maxFeePips, address owner)`.
    /// Amounts are raw token units, fees pips (1e-6), times unix seconds.
    #[sol(abi)]
    interface IPool {
        /// The first token of the pair.
        function token0() external view returns (address);
        /// The second token of the pair.
        function token1() external view returns (address);
        /// The reserves and the block timestamp (mod 2^32) of their last update.
        function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
        /// Sum of the UQ112x112 price of token0 in token1 times seconds (wraps mod 2^256).
        function price0CumulativeLast() external view returns (uint256);
        /// Sum of the UQ112x112 price of token1 in token0 times seconds (wraps mod 2^256).
        function price1CumulativeLast() external view returns (uint256);
        /// LP shares locked forever at the first mint (1000).
        function MINIMUM_LIQUIDITY() external view returns (uint256);
        /// Mints LP shares to `to` for the tokens sent since the last update.
        function mint(address to) external returns (uint256 liquidity);
        /// Burns the LP shares held by the pool, paying both tokens to `to`.
        function burn(address to) external returns (uint256 amount0, uint256 amount1);
        /// Sends the outputs to `to` after checking the fee-adjusted invariant. No callback.
        function swap(uint256 amount0Out, uint256 amount1Out, address to) external;
        /// Sends balances above reserves to `to`.
        function skim(address to) external;
        /// Sets the reserves to the balances.
        function sync() external;
        /// The swap fee in pips.
        function fee() external view returns (uint32);
        /// The largest fee the fee manager may set, in pips.
        function maxFee() external view returns (uint32);
        /// The account allowed to call `setFeeTier` (zero: none).
        function feeManager() external view returns (address);
        /// Fee manager only: sets the swap fee (pips, at most `maxFee`).
        function setFeeTier(uint32 feePips) external;
        /// Owner only: sets the fee manager.
        function setFeeManager(address manager) external;
        /// Wallet swap: pulls `amountIn` with transferFrom, sends at least `minAmountOut` to `to`.
        function swapExactIn(bool zeroForOne, uint256 amountIn, uint256 minAmountOut, address to, uint256 deadline) external returns (uint256 amountOut);
        /// Wallet deposit at the reserve ratio (V2 router's optimal amounts).
        function addLiquidity(uint256 amount0Desired, uint256 amount1Desired, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) external returns (uint256 amount0, uint256 amount1, uint256 liquidity);
        /// Wallet withdrawal of the caller's LP shares.
        function removeLiquidity(uint256 liquidity, uint256 amount0Min, uint256 amount1Min, address to, uint256 deadline) external returns (uint256 amount0, uint256 amount1);
        /// Output of a swap at the current reserves and fee (floor).
        function getAmountOut(bool zeroForOne, uint256 amountIn) external view returns (uint256);

        /// `sender` added `amount0`/`amount1` and LP shares were minted.
        #[derive(Debug, PartialEq, Eq)]
        event Mint(address indexed sender, uint256 amount0, uint256 amount1);
        /// `sender` burnt LP shares; `amount0`/`amount1` went to `to`.
        #[derive(Debug, PartialEq, Eq)]
        event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to);
        /// A swap by `sender`: amounts in (measured from balances) and out (sent to `to`).
        #[derive(Debug, PartialEq, Eq)]
        event Swap(
            address indexed sender,
            uint256 amount0In,
            uint256 amount1In,
            uint256 amount0Out,
            uint256 amount1Out,
            address indexed to
        );
        /// The reserves are now `reserve0`/`reserve1`.
        #[derive(Debug, PartialEq, Eq)]
        event Sync(uint112 reserve0, uint112 reserve1);
        /// The swap fee changed from `previousFee` to `newFee` (pips).
        #[derive(Debug, PartialEq, Eq)]
        event FeeTierChanged(uint32 previousFee, uint32 newFee);
        /// The owner replaced the fee manager `previous` with `next` (zero: none).
        #[derive(Debug, PartialEq, Eq)]
        event FeeManagerChanged(address indexed previous, address indexed next);

        /// The liquidity a mint would create rounds to zero.
        #[derive(Debug, PartialEq, Eq)]
        error PoolInsufficientLiquidityMinted();
        /// A burn would pay out zero of one of the tokens.
        #[derive(Debug, PartialEq, Eq)]
        error PoolInsufficientLiquidityBurned();
        /// A swap asks for nothing out (or would give nothing out).
        #[derive(Debug, PartialEq, Eq)]
        error PoolInsufficientOutputAmount();
        /// A swap received nothing in.
        #[derive(Debug, PartialEq, Eq)]
        error PoolInsufficientInputAmount();
        /// The pool holds less than asked for (or has no liquidity).
        #[derive(Debug, PartialEq, Eq)]
        error PoolInsufficientLiquidity();
        /// Swap output cannot go to `to` (one of the pool's tokens).
        #[derive(Debug, PartialEq, Eq)]
        error PoolInvalidTo(address to);
        /// The fee-adjusted product of balances fell below the product of reserves.
        #[derive(Debug, PartialEq, Eq)]
        error PoolK();
        /// A balance does not fit a `uint112` reserve.
        #[derive(Debug, PartialEq, Eq)]
        error PoolOverflow();
        /// `deadline` (unix seconds) is before `now`.
        #[derive(Debug, PartialEq, Eq)]
        error PoolExpired(uint256 deadline, uint256 now);
        /// An amount (`amount`) fell short of the caller's `minimum`.
        #[derive(Debug, PartialEq, Eq)]
        error PoolSlippage(uint256 amount, uint256 minimum);
        /// The fee `fee` (pips) is above `maximum`.
        #[derive(Debug, PartialEq, Eq)]
        error PoolFeeTooHigh(uint32 fee, uint32 maximum);
        /// `account` is not the fee manager.
        #[derive(Debug, PartialEq, Eq)]
        error PoolNotFeeManager(address account);
        /// Both tokens are `token`.
        #[derive(Debug, PartialEq, Eq)]
        error PoolIdenticalTokens(address token);
        /// A token address is zero.
        #[derive(Debug, PartialEq, Eq)]
        error PoolZeroAddress();
        /// A `transfer`/`transferFrom` of `token` reverted, returned `false` or
        /// returned no boolean.
        #[derive(Debug, PartialEq, Eq)]
        error PoolTransferFailed(address token);
        /// `token.balanceOf(pool)` reverted or returned no `uint256`.
        #[derive(Debug, PartialEq, Eq)]
        error PoolBalanceFailed(address token);
        /// An `il-math` error; `code` is the index of the `MathError` variant
        /// (0 DivisionByZero, 1 Overflow, 2 Underflow, ...).
        #[derive(Debug, PartialEq, Eq)]
        error PoolMathError(uint8 code);
    }
}

pub use IPool::{
    Burn, FeeManagerChanged, FeeTierChanged, Mint, PoolBalanceFailed, PoolExpired, PoolFeeTooHigh,
    PoolIdenticalTokens, PoolInsufficientInputAmount, PoolInsufficientLiquidity,
    PoolInsufficientLiquidityBurned, PoolInsufficientLiquidityMinted, PoolInsufficientOutputAmount,
    PoolInvalidTo, PoolK, PoolMathError, PoolNotFeeManager, PoolOverflow, PoolSlippage,
    PoolTransferFailed, PoolZeroAddress, Swap, Sync,
};

il_common::solidity_errors! {
    /// Every way a call can fail, as named Solidity errors.
    pub enum PoolError {
        InsufficientLiquidityMinted(PoolInsufficientLiquidityMinted {}),
        InsufficientLiquidityBurned(PoolInsufficientLiquidityBurned {}),
        InsufficientOutputAmount(PoolInsufficientOutputAmount {}),
        InsufficientInputAmount(PoolInsufficientInputAmount {}),
        InsufficientLiquidity(PoolInsufficientLiquidity {}),
        InvalidTo(PoolInvalidTo { to }),
        K(PoolK {}),
        Overflow(PoolOverflow {}),
        Expired(PoolExpired { deadline, now }),
        Slippage(PoolSlippage { amount, minimum }),
        FeeTooHigh(PoolFeeTooHigh { fee, maximum }),
        NotFeeManager(PoolNotFeeManager { account }),
        IdenticalTokens(PoolIdenticalTokens { token }),
        ZeroAddress(PoolZeroAddress {}),
        TransferFailed(PoolTransferFailed { token }),
        BalanceFailed(PoolBalanceFailed { token }),
        Math(PoolMathError { code }),
        InsufficientBalance(ERC20InsufficientBalance { sender, balance, needed }),
        InvalidSender(ERC20InvalidSender { sender }),
        InvalidReceiver(ERC20InvalidReceiver { receiver }),
        InsufficientAllowance(ERC20InsufficientAllowance { spender, allowance, needed }),
        InvalidApprover(ERC20InvalidApprover { approver }),
        InvalidSpender(ERC20InvalidSpender { spender }),
        SupplyOverflow(ERC20SupplyOverflow { supply, amount }),
        Unauthorized(OwnableUnauthorizedAccount { account }),
        InvalidOwner(OwnableInvalidOwner { owner }),
    }
}

impl From<MathError> for PoolError {
    fn from(error: MathError) -> Self {
        PoolMathError { code: error as u8 }.into()
    }
}

/// Word at `CONFIG`: token0, token1 (addresses), the fee word
/// (`fee | maxFee << 32`, pips), the fee manager (an address).
const CONFIG: U256 = slots::base(b"il.pool.config");
const TOKEN0_AT: usize = 0;
const TOKEN1_AT: usize = 1;
const FEES_AT: usize = 2;
const FEE_MANAGER_AT: usize = 3;
/// Words at `STATE`: the reserves word (`reserve0 | reserve1 << 112 |
/// blockTimestampLast << 224`, packed as V2 packs them), then the two price
/// accumulators.
const STATE: U256 = slots::base(b"il.pool.state");

/// The pool's storage: the LP shares and ownership components, then the
/// words above in hashed slots (see `il_common::slots`).
#[storage]
pub struct Pool {
    erc20: Erc20,
    ownable: Ownable2Step,
}

impl Pool {
    /// Creates the pair of `token0` and `token1` with swap fee `fee_pips`,
    /// capped forever at `max_fee_pips`, owned by `owner`. The fee manager
    /// starts unset: the owner wires the vault with `setFeeManager` once it
    /// is deployed.
    ///
    /// The tokens are kept in the order given (prices are token1 per
    /// token0); they are not sorted as V2's factory sorts them.
    ///
    /// # Errors
    /// `PoolZeroAddress` for a zero token, `PoolIdenticalTokens`,
    /// `PoolFeeTooHigh` unless `fee_pips <= max_fee_pips <= 100_000` (10%),
    /// `OwnableInvalidOwner` for a zero owner.
    ///
    /// # Events
    /// `OwnershipTransferred(0, owner)`, `FeeTierChanged(0, fee_pips)`.
    pub fn constructor(
        &mut self,
        token0: Address,
        token1: Address,
        fee_pips: u32,
        max_fee_pips: u32,
        owner: Address,
    ) -> Result<(), PoolError> {
        if token0.is_zero() || token1.is_zero() {
            return Err(PoolZeroAddress {}.into());
        }
        if token0 == token1 {
            return Err(PoolIdenticalTokens { token: token0 }.into());
        }
        if max_fee_pips > MAX_FEE_PIPS {
            return Err(PoolFeeTooHigh {
                fee: max_fee_pips,
                maximum: MAX_FEE_PIPS,
            }
            .into());
        }
        let words = [
            slots::from_address(token0),
            slots::from_address(token1),
            // max_fee_pips < 2^32: the shifted value fits in 64 bits.
            U256::from(max_fee_pips).wrapping_shl(32),
        ];
        slots::store(self.vm(), CONFIG, &words);
        self.ownable.init::<PoolError>(owner)?;
        self.set_fee(fee_pips)
    }

    /// The first token of the pair.
    pub fn token0(&self) -> Result<Address, PoolError> {
        Ok(self.tokens().0)
    }

    /// The second token of the pair.
    pub fn token1(&self) -> Result<Address, PoolError> {
        Ok(self.tokens().1)
    }

    /// `(reserve0, reserve1, blockTimestampLast)`: the reserves (raw units,
    /// each `< 2^112`, returned as `uint112`) and the block timestamp mod
    /// 2^32 of their last update.
    pub fn get_reserves(&self) -> Result<(U256, U256, u32), PoolError> {
        Ok(unpack(self.state()[0]))
    }

    /// Sum over time of the price of token0 in token1 (`reserve1/reserve0`,
    /// UQ112x112) times the seconds it held, as V2: a TWAP over `[t1, t2]`
    /// is `(c(t2) - c(t1)) / (t2 - t1)` computed with wrapping subtraction.
    /// The sum wraps modulo 2^256 on purpose (V2 does the same).
    pub fn price0_cumulative_last(&self) -> Result<U256, PoolError> {
        Ok(self.state()[1])
    }

    /// As [`Self::price0_cumulative_last`] for token1 in token0
    /// (`reserve0/reserve1`).
    pub fn price1_cumulative_last(&self) -> Result<U256, PoolError> {
        Ok(self.state()[2])
    }

    /// LP shares locked forever at the first mint ([`MINIMUM_LIQUIDITY`]).
    pub fn minimum_liquidity(&self) -> Result<U256, PoolError> {
        Ok(U256::from(MINIMUM_LIQUIDITY))
    }

    /// The swap fee, in pips (3_000 = 0.3%).
    pub fn fee(&self) -> Result<u32, PoolError> {
        Ok(self.fees().0)
    }

    /// The largest fee the fee manager may set, in pips (fixed at deployment).
    pub fn max_fee(&self) -> Result<u32, PoolError> {
        Ok(self.fees().1)
    }

    /// The account allowed to call `setFeeTier` (zero: none yet).
    pub fn fee_manager(&self) -> Result<Address, PoolError> {
        Ok(self.manager())
    }

    /// Mints LP shares to `to` for the tokens sent to the pool since the last
    /// reserve update (V2 `mint`: send both tokens first, in one
    /// transaction). The first mint creates `floor(sqrt(a0 * a1))` shares
    /// of which `MINIMUM_LIQUIDITY` are locked; later mints create
    /// `min(floor(a0 * S / r0), floor(a1 * S / r1))` (an unbalanced deposit
    /// donates its excess to the pool).
    ///
    /// # Errors
    /// `PoolInsufficientLiquidityMinted` when that is zero (or the first mint
    /// is at most `MINIMUM_LIQUIDITY`), `PoolOverflow` when a balance exceeds
    /// `uint112`, `PoolBalanceFailed`, `ERC20InvalidReceiver` for `to == 0`.
    ///
    /// # Events
    /// `Transfer(0, 0, 1000)` (first mint), `Transfer(0, to, liquidity)`,
    /// `Sync`, `Mint(sender, amount0, amount1)`.
    pub fn mint(&mut self, to: Address) -> Result<U256, PoolError> {
        self.mint_to(to)
    }

    /// Burns the LP shares held by the pool itself (send them first, in one
    /// transaction) and sends their share of both balances to `to`:
    /// `floor(liquidity * balance / supply)` of each token.
    ///
    /// # Errors
    /// `PoolInsufficientLiquidityBurned` when either amount is zero,
    /// `PoolTransferFailed`, `PoolBalanceFailed`.
    ///
    /// # Events
    /// `Transfer(pool, 0, liquidity)`, the tokens' `Transfer`s, `Sync`,
    /// `Burn(sender, amount0, amount1, to)`.
    pub fn burn(&mut self, to: Address) -> Result<(U256, U256), PoolError> {
        self.burn_to(to)
    }

    /// Sends `amount0_out`/`amount1_out` to `to`, then requires that tokens
    /// paid in since the last update (measured from balances) keep
    /// `(b0 * 1e6 - in0 * fee) * (b1 * 1e6 - in1 * fee) >= r0 * r1 * 1e12`
    /// (V2's invariant with the fee in pips, compared exactly in 512 bits).
    /// Pay in first, in the same transaction. No flash-swap callback.
    ///
    /// # Errors
    /// `PoolInsufficientOutputAmount` when both outputs are zero,
    /// `PoolInsufficientLiquidity` when an output is not below its reserve,
    /// `PoolInvalidTo` when `to` is a token of the pair,
    /// `PoolInsufficientInputAmount` when nothing was paid in, `PoolK`,
    /// `PoolOverflow`, `PoolTransferFailed`, `PoolBalanceFailed`.
    ///
    /// # Events
    /// The tokens' `Transfer`s, `Sync`, `Swap(sender, in0, in1, out0, out1, to)`.
    pub fn swap(
        &mut self,
        amount0_out: U256,
        amount1_out: U256,
        to: Address,
    ) -> Result<(), PoolError> {
        self.swap_to(amount0_out, amount1_out, to)
    }

    /// Sends to `to` whatever the pool holds above its reserves (a balance
    /// below its reserve counts as nothing to skim).
    ///
    /// # Errors
    /// `PoolTransferFailed`, `PoolBalanceFailed`.
    ///
    /// # Events
    /// The tokens' `Transfer`s (none for a zero excess).
    pub fn skim(&mut self, to: Address) -> Result<(), PoolError> {
        let (b0, b1) = self.balances()?;
        let (r0, r1) = self.reserves();
        let (token0, token1) = self.tokens();
        self.pay(token0, to, b0.saturating_sub(r0))?;
        self.pay(token1, to, b1.saturating_sub(r1))
    }

    /// Sets the reserves to the balances (after a donation, or to recover
    /// from a token that moved balances behind the pool's back).
    ///
    /// # Errors
    /// `PoolOverflow` when a balance exceeds `uint112`, `PoolBalanceFailed`.
    ///
    /// # Events
    /// `Sync(reserve0, reserve1)`.
    pub fn sync(&mut self) -> Result<(), PoolError> {
        let (b0, b1) = self.balances()?;
        self.update(b0, b1)
    }

    /// Fee manager only: sets the swap fee to `fee_pips` (pips), at most
    /// `maxFee()`. Takes effect from the next swap.
    ///
    /// # Errors
    /// `PoolNotFeeManager(caller)`, `PoolFeeTooHigh`.
    ///
    /// # Events
    /// `FeeTierChanged(previous, fee_pips)`.
    pub fn set_fee_tier(&mut self, fee_pips: u32) -> Result<(), PoolError> {
        let caller = self.vm().msg_sender();
        let manager = self.manager();
        if manager.is_zero() || caller != manager {
            return Err(PoolNotFeeManager { account: caller }.into());
        }
        self.set_fee(fee_pips)
    }

    /// Owner only: makes `manager` the fee manager (zero: none).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount(caller)` for any caller but the owner.
    ///
    /// # Events
    /// `FeeManagerChanged(previous, manager)`.
    pub fn set_fee_manager(&mut self, manager: Address) -> Result<(), PoolError> {
        self.ownable.only_owner::<PoolError>()?;
        let previous = self.manager();
        let slot = CONFIG.wrapping_add(U256::from(FEE_MANAGER_AT));
        slots::set(self.vm(), slot, slots::from_address(manager));
        emit(
            self.vm(),
            &[
                FeeManagerChanged::SIGNATURE_HASH,
                previous.to_word(),
                manager.to_word(),
            ],
            &[],
        );
        Ok(())
    }

    /// Wallet swap: pulls `amount_in` of token0 (`zero_for_one`) or token1
    /// from the caller with `transferFrom` (approve the pool first) and
    /// sends the other token to `to`: `getAmountOut(zero_for_one,
    /// amount_in)`, at least `min_amount_out`, before `deadline` (unix
    /// seconds, inclusive).
    ///
    /// # Errors
    /// `PoolExpired`, `PoolInsufficientInputAmount` for a zero input,
    /// `PoolInsufficientLiquidity` for an empty pool, `PoolSlippage(out,
    /// min_amount_out)`, `PoolInsufficientOutputAmount` when the output
    /// rounds to zero, `PoolInvalidTo`, `PoolTransferFailed`, then as `swap`.
    ///
    /// # Events
    /// The tokens' `Transfer`s, `Sync`, `Swap`.
    pub fn swap_exact_in(
        &mut self,
        zero_for_one: bool,
        amount_in: U256,
        min_amount_out: U256,
        to: Address,
        deadline: U256,
    ) -> Result<U256, PoolError> {
        self.check_deadline(deadline)?;
        let amount_out = self.get_amount_out(zero_for_one, amount_in)?;
        if amount_out < min_amount_out {
            return Err(PoolSlippage {
                amount: amount_out,
                minimum: min_amount_out,
            }
            .into());
        }
        let sender = self.vm().msg_sender();
        let (token0, token1) = self.tokens();
        let (token_in, out0, out1) = if zero_for_one {
            (token0, U256::ZERO, amount_out)
        } else {
            (token1, amount_out, U256::ZERO)
        };
        self.pull(token_in, sender, amount_in)?;
        self.swap_to(out0, out1, to)?;
        Ok(amount_out)
    }

    /// Wallet deposit, as V2's router: pulls the optimal amounts of both
    /// tokens from the caller (approve the pool first) and mints LP shares
    /// to `to`. On an empty pool (no LP supply) the desired amounts are the
    /// deposit; otherwise the deposit keeps the reserve ratio:
    /// `amount1 = floor(amount0_desired * r1 / r0)` if that is at most
    /// `amount1_desired`, else `amount0 = floor(amount1_desired * r0 / r1)`.
    /// Returns `(amount0, amount1, liquidity)`.
    ///
    /// # Errors
    /// `PoolExpired`, `PoolSlippage(amount, min)` when an amount is below
    /// its minimum, `PoolTransferFailed`, then as `mint`.
    ///
    /// # Events
    /// The tokens' `Transfer`s, then as `mint`.
    pub fn add_liquidity(
        &mut self,
        amount0_desired: U256,
        amount1_desired: U256,
        amount0_min: U256,
        amount1_min: U256,
        to: Address,
        deadline: U256,
    ) -> Result<(U256, U256, U256), PoolError> {
        self.check_deadline(deadline)?;
        let (r0, r1) = self.reserves();
        let (amount0, amount1) = if self.erc20.total_supply().is_zero() {
            (amount0_desired, amount1_desired)
        } else {
            // floor: the optimal amount never exceeds the reserve ratio, and
            // `mint` floors the shares again: rounding favours the pool.
            let amount1_optimal = il_math::mul_div(amount0_desired, r1, r0, Rounding::Floor)?;
            if amount1_optimal <= amount1_desired {
                (amount0_desired, amount1_optimal)
            } else {
                // amount1_desired < a0d * r1 / r0, so this is <= amount0_desired.
                let amount0_optimal = il_math::mul_div(amount1_desired, r0, r1, Rounding::Floor)?;
                (amount0_optimal, amount1_desired)
            }
        };
        check_min(amount0, amount0_min)?;
        check_min(amount1, amount1_min)?;
        let sender = self.vm().msg_sender();
        let (token0, token1) = self.tokens();
        self.pull(token0, sender, amount0)?;
        self.pull(token1, sender, amount1)?;
        let liquidity = self.mint_to(to)?;
        Ok((amount0, amount1, liquidity))
    }

    /// Wallet withdrawal: moves `liquidity` LP shares from the caller to the
    /// pool and burns them (no approval needed), sending
    /// `(amount0, amount1)` to `to`, each at least its minimum, before
    /// `deadline`.
    ///
    /// # Errors
    /// `PoolExpired`, `ERC20InsufficientBalance` for more shares than the
    /// caller holds, `PoolSlippage(amount, min)`, then as `burn`.
    ///
    /// # Events
    /// `Transfer(caller, pool, liquidity)`, then as `burn`.
    pub fn remove_liquidity(
        &mut self,
        liquidity: U256,
        amount0_min: U256,
        amount1_min: U256,
        to: Address,
        deadline: U256,
    ) -> Result<(U256, U256), PoolError> {
        self.check_deadline(deadline)?;
        let sender = self.vm().msg_sender();
        let this = self.vm().contract_address();
        self.erc20.transfer::<PoolError>(sender, this, liquidity)?;
        let (amount0, amount1) = self.burn_to(to)?;
        check_min(amount0, amount0_min)?;
        check_min(amount1, amount1_min)?;
        Ok((amount0, amount1))
    }

    /// Output of a swap of `amount_in` of token0 (`zero_for_one`) or token1
    /// at the current reserves and fee: the largest amount `swap` accepts,
    /// `floor(a * (1e6 - fee) * r_out / (r_in * 1e6 + a * (1e6 - fee)))`.
    ///
    /// # Errors
    /// `PoolInsufficientInputAmount` for a zero input,
    /// `PoolInsufficientLiquidity` when a reserve is zero, `PoolMathError`
    /// (Overflow) for an input above `~2^236`.
    pub fn get_amount_out(&self, zero_for_one: bool, amount_in: U256) -> Result<U256, PoolError> {
        let (r0, r1) = self.reserves();
        let (r_in, r_out) = if zero_for_one { (r0, r1) } else { (r1, r0) };
        amount_out(amount_in, r_in, r_out, self.fees().0)
    }
}

impl Erc20Metadata for Pool {
    fn erc20_name(&self) -> String {
        String::from("IL Pool LP")
    }

    fn erc20_symbol(&self) -> String {
        String::from("ILP-LP")
    }

    fn erc20_decimals(&self) -> u8 {
        18
    }
}

/// `floor(amount_in * (1e6 - fee) * r_out / (r_in * 1e6 + amount_in * (1e6 - fee)))`,
/// see [`Pool::get_amount_out`]. The stored fee is `<= MAX_FEE_PIPS < 1e6`.
///
/// # Errors
/// As [`Pool::get_amount_out`].
fn amount_out(amount_in: U256, r_in: U256, r_out: U256, fee_pips: u32) -> Result<U256, PoolError> {
    if amount_in.is_zero() {
        return Err(PoolInsufficientInputAmount {}.into());
    }
    if r_in.is_zero() || r_out.is_zero() {
        return Err(PoolInsufficientLiquidity {}.into());
    }
    // the stored fee is <= MAX_FEE_PIPS (10^5) < PIPS (10^6): never saturates.
    let keep = U256::from(PIPS.saturating_sub(u64::from(fee_pips)));
    let in_with_fee = il_math::mul(amount_in, keep)?;
    // cannot overflow: r_in < 2^112, so r_in * 10^6 < 2^132.
    let denominator = il_math::add(r_in.wrapping_mul(PIPS_U256), in_with_fee)?;
    Ok(il_math::mul_div(
        in_with_fee,
        r_out,
        denominator,
        Rounding::Floor,
    )?)
}

/// Passes when `amount >= minimum`.
fn check_min(amount: U256, minimum: U256) -> Result<(), PoolError> {
    if amount < minimum {
        return Err(PoolSlippage { amount, minimum }.into());
    }
    Ok(())
}

/// Passes when both balances fit a `uint112` reserve.
fn check_fits(balance0: U256, balance1: U256) -> Result<(), PoolError> {
    let max = U256::from(U112::MAX);
    if balance0 > max || balance1 > max {
        return Err(PoolOverflow {}.into());
    }
    Ok(())
}

/// Splits the reserves word into `(reserve0, reserve1, blockTimestampLast)`
/// (right shifts cannot overflow).
fn unpack(word: U256) -> (U256, U256, u32) {
    let mask = U256::from(U112::MAX);
    (
        word & mask,
        word.wrapping_shr(112) & mask,
        // the top 32 bits of the word: the timestamp.
        word.wrapping_shr(224).saturating_to::<u32>(),
    )
}

impl Pool {
    fn config(&self) -> [U256; 4] {
        let mut w = [U256::ZERO; 4];
        slots::load(self.vm(), CONFIG, &mut w);
        w
    }

    fn state(&self) -> [U256; 3] {
        let mut w = [U256::ZERO; 3];
        slots::load(self.vm(), STATE, &mut w);
        w
    }

    fn manager(&self) -> Address {
        slots::to_address(self.config()[FEE_MANAGER_AT])
    }

    fn tokens(&self) -> (Address, Address) {
        let config = self.config();
        (
            slots::to_address(config[TOKEN0_AT]),
            slots::to_address(config[TOKEN1_AT]),
        )
    }

    /// `(fee, maxFee)` in pips.
    fn fees(&self) -> (u32, u32) {
        let word = self.config()[FEES_AT];
        // the low and high 32-bit halves of the fee word
        (
            word.saturating_to::<u64>() as u32,
            word.wrapping_shr(32).saturating_to::<u32>(),
        )
    }

    /// The reserves, widened.
    fn reserves(&self) -> (U256, U256) {
        let (r0, r1, _) = unpack(self.state()[0]);
        (r0, r1)
    }

    /// The pool's balances of token0 and token1.
    fn balances(&self) -> Result<(U256, U256), PoolError> {
        let (token0, token1) = self.tokens();
        Ok((self.balance_in(token0)?, self.balance_in(token1)?))
    }

    fn balance_in(&self, token: Address) -> Result<U256, PoolError> {
        let this = self.vm().contract_address();
        let data = lean::encode(IERC20::balanceOfCall::SELECTOR, &[this.to_word()], None);
        lean::static_call(self.vm(), token, &data)
            .ok()
            .and_then(|out| lean::u256_at(&out, 0))
            .ok_or_else(|| PoolBalanceFailed { token }.into())
    }

    /// Sends `amount` of `token` to `to` (nothing for zero).
    fn pay(&mut self, token: Address, to: Address, amount: U256) -> Result<(), PoolError> {
        if amount.is_zero() {
            return Ok(());
        }
        let data = lean::encode(
            IERC20::transferCall::SELECTOR,
            &[to.to_word(), amount.to_word()],
            None,
        );
        self.token_call(token, &data)
    }

    /// Pulls `amount` of `token` from `from` into the pool with
    /// `transferFrom` (nothing for zero).
    fn pull(&mut self, token: Address, from: Address, amount: U256) -> Result<(), PoolError> {
        if amount.is_zero() {
            return Ok(());
        }
        let this = self.vm().contract_address();
        let words = [from.to_word(), this.to_word(), amount.to_word()];
        let data = lean::encode(IERC20::transferFromCall::SELECTOR, &words, None);
        self.token_call(token, &data)
    }

    /// A `transfer`/`transferFrom` of `token`: the call must succeed and
    /// return the boolean `true` (exactly the word 1).
    fn token_call(&mut self, token: Address, data: &[u8]) -> Result<(), PoolError> {
        match lean::call(self, token, data) {
            Ok(out) if lean::u256_at(&out, 0) == Some(U256::from(1u8)) => Ok(()),
            _ => Err(PoolTransferFailed { token }.into()),
        }
    }

    fn check_deadline(&self, deadline: U256) -> Result<(), PoolError> {
        let now = U256::from(self.vm().block_timestamp());
        if now > deadline {
            return Err(PoolExpired { deadline, now }.into());
        }
        Ok(())
    }

    /// Validates and stores a new fee.
    fn set_fee(&mut self, fee_pips: u32) -> Result<(), PoolError> {
        let (previous, maximum) = self.fees();
        if fee_pips > maximum {
            return Err(PoolFeeTooHigh {
                fee: fee_pips,
                maximum,
            }
            .into());
        }
        // both < 2^32: the fee word is < 2^64.
        let word = U256::from(fee_pips) | U256::from(maximum).wrapping_shl(32);
        slots::set(self.vm(), CONFIG.wrapping_add(U256::from(FEES_AT)), word);
        emit(
            self.vm(),
            &[FeeTierChanged::SIGNATURE_HASH],
            &[previous.to_word(), fee_pips.to_word()],
        );
        Ok(())
    }

    /// V2's `_update`: accumulates the prices of the reserves that held since
    /// the last update (first update of a block only), then stores the
    /// balances as reserves.
    fn update(&mut self, balance0: U256, balance1: U256) -> Result<(), PoolError> {
        check_fits(balance0, balance1)?;
        let [packed, mut c0, mut c1] = self.state();
        let (r0, r1, last) = unpack(packed);
        // truncation to 32 bits is V2's timestamp format (wraps in 2106).
        let now = self.vm().block_timestamp() as u32;
        // wrapping on purpose: correct across the 2^32 wrap of `now`.
        let elapsed = now.wrapping_sub(last);
        if elapsed > 0 && !r0.is_zero() && !r1.is_zero() {
            let elapsed = U256::from(elapsed);
            // UQ112x112 prices: < 2^224, times elapsed < 2^32: the products
            // fit in 256 bits. The sums wrap modulo 2^256 on purpose (as V2):
            // TWAP readers subtract two readings with wrapping arithmetic.
            let price0 = il_math::mul_div(r1, Q112, r0, Rounding::Floor)?;
            let price1 = il_math::mul_div(r0, Q112, r1, Rounding::Floor)?;
            c0 = c0.wrapping_add(price0.wrapping_mul(elapsed));
            c1 = c1.wrapping_add(price1.wrapping_mul(elapsed));
        }
        // the three fields occupy disjoint bits (0..112, 112..224, 224..256):
        // balances < 2^112 (checked above), now < 2^32; no bit is shifted out.
        let packed = balance0 | balance1.wrapping_shl(112) | U256::from(now).wrapping_shl(224);
        slots::store(self.vm(), STATE, &[packed, c0, c1]);
        emit(
            self.vm(),
            &[Sync::SIGNATURE_HASH],
            &[balance0.to_word(), balance1.to_word()],
        );
        Ok(())
    }

    fn mint_to(&mut self, to: Address) -> Result<U256, PoolError> {
        let (r0, r1) = self.reserves();
        let (b0, b1) = self.balances()?;
        check_fits(b0, b1)?;
        // a balance below its reserve (a token that took funds back) adds
        // nothing: saturating to zero makes the mint fail below.
        let amount0 = b0.saturating_sub(r0);
        let amount1 = b1.saturating_sub(r1);
        let supply = self.erc20.total_supply();
        let liquidity = if supply.is_zero() {
            let root = il_math::sqrt_product(amount0, amount1, Rounding::Floor);
            let locked = U256::from(MINIMUM_LIQUIDITY);
            if root <= locked {
                return Err(PoolInsufficientLiquidityMinted {}.into());
            }
            self.erc20.mint_locked::<PoolError>(locked)?;
            // cannot underflow: root > locked.
            root.wrapping_sub(locked)
        } else {
            // floor both: shares never exceed the contribution's value.
            let by0 = il_math::mul_div(amount0, supply, r0, Rounding::Floor)?;
            let by1 = il_math::mul_div(amount1, supply, r1, Rounding::Floor)?;
            by0.min(by1)
        };
        if liquidity.is_zero() {
            return Err(PoolInsufficientLiquidityMinted {}.into());
        }
        self.erc20.mint::<PoolError>(to, liquidity)?;
        self.update(b0, b1)?;
        let sender = self.vm().msg_sender();
        emit(
            self.vm(),
            &[Mint::SIGNATURE_HASH, sender.to_word()],
            &[amount0.to_word(), amount1.to_word()],
        );
        Ok(liquidity)
    }

    fn burn_to(&mut self, to: Address) -> Result<(U256, U256), PoolError> {
        let this = self.vm().contract_address();
        let (token0, token1) = self.tokens();
        let (b0, b1) = self.balances()?;
        let liquidity = self.erc20.balance_of(this);
        if liquidity.is_zero() {
            // nothing to burn (this also covers an empty pool, supply 0)
            return Err(PoolInsufficientLiquidityBurned {}.into());
        }
        let supply = self.erc20.total_supply();
        // floor: pro rata of the balances, rounded in the remaining LPs' favour.
        let amount0 = il_math::mul_div(liquidity, b0, supply, Rounding::Floor)?;
        let amount1 = il_math::mul_div(liquidity, b1, supply, Rounding::Floor)?;
        if amount0.is_zero() || amount1.is_zero() {
            return Err(PoolInsufficientLiquidityBurned {}.into());
        }
        self.erc20.burn::<PoolError>(this, liquidity)?;
        self.pay(token0, to, amount0)?;
        self.pay(token1, to, amount1)?;
        let (b0, b1) = self.balances()?;
        self.update(b0, b1)?;
        let sender = self.vm().msg_sender();
        emit(
            self.vm(),
            &[Burn::SIGNATURE_HASH, sender.to_word(), to.to_word()],
            &[amount0.to_word(), amount1.to_word()],
        );
        Ok((amount0, amount1))
    }

    fn swap_to(
        &mut self,
        amount0_out: U256,
        amount1_out: U256,
        to: Address,
    ) -> Result<(), PoolError> {
        if amount0_out.is_zero() && amount1_out.is_zero() {
            return Err(PoolInsufficientOutputAmount {}.into());
        }
        let (r0, r1) = self.reserves();
        if amount0_out >= r0 || amount1_out >= r1 {
            return Err(PoolInsufficientLiquidity {}.into());
        }
        let (token0, token1) = self.tokens();
        if to == token0 || to == token1 {
            return Err(PoolInvalidTo { to }.into());
        }
        self.pay(token0, to, amount0_out)?;
        self.pay(token1, to, amount1_out)?;
        let (b0, b1) = self.balances()?;
        // cannot underflow: amount_out < reserve (checked above).
        let (left0, left1) = (r0.wrapping_sub(amount0_out), r1.wrapping_sub(amount1_out));
        let amount0_in = b0.saturating_sub(left0);
        let amount1_in = b1.saturating_sub(left1);
        if amount0_in.is_zero() && amount1_in.is_zero() {
            return Err(PoolInsufficientInputAmount {}.into());
        }
        check_fits(b0, b1)?;
        // b < 2^112 so b * 10^6 < 2^132; in <= b and fee < 10^6 so
        // in * fee <= b * 10^6: none of these can overflow or underflow.
        let fee = U256::from(self.fees().0);
        let adjusted0 = b0
            .wrapping_mul(PIPS_U256)
            .wrapping_sub(amount0_in.wrapping_mul(fee));
        let adjusted1 = b1
            .wrapping_mul(PIPS_U256)
            .wrapping_sub(amount1_in.wrapping_mul(fee));
        // r < 2^112, so r * 10^6 < 2^132.
        let (scaled0, scaled1) = (r0.wrapping_mul(PIPS_U256), r1.wrapping_mul(PIPS_U256));
        if il_math::cmp_products(adjusted0, adjusted1, scaled0, scaled1).is_lt() {
            return Err(PoolK {}.into());
        }
        self.update(b0, b1)?;
        let sender = self.vm().msg_sender();
        emit(
            self.vm(),
            &[Swap::SIGNATURE_HASH, sender.to_word(), to.to_word()],
            &[
                amount0_in.to_word(),
                amount1_in.to_word(),
                amount0_out.to_word(),
                amount1_out.to_word(),
            ],
        );
        Ok(())
    }
}

il_common::erc20_methods!(Pool, erc20, PoolError);
il_common::ownable_methods!(Pool, ownable, PoolError);

il_common::lean_router! {
    Pool, PoolError;
    constructor(token0: Address, token1: Address, fee_pips: u32, max_fee_pips: u32, owner: Address);
    IPool::token0Call => token0();
    IPool::token1Call => token1();
    IPool::getReservesCall => get_reserves();
    IPool::price0CumulativeLastCall => price0_cumulative_last();
    IPool::price1CumulativeLastCall => price1_cumulative_last();
    IPool::MINIMUM_LIQUIDITYCall => minimum_liquidity();
    IPool::mintCall => mint(to: Address);
    IPool::burnCall => burn(to: Address);
    IPool::swapCall => swap(amount0_out: U256, amount1_out: U256, to: Address);
    IPool::skimCall => skim(to: Address);
    IPool::syncCall => sync();
    IPool::feeCall => fee();
    IPool::maxFeeCall => max_fee();
    IPool::feeManagerCall => fee_manager();
    IPool::setFeeTierCall => set_fee_tier(fee_pips: u32);
    IPool::setFeeManagerCall => set_fee_manager(manager: Address);
    IPool::swapExactInCall => swap_exact_in(zero_for_one: bool, amount_in: U256, min_amount_out: U256, to: Address, deadline: U256);
    IPool::addLiquidityCall => add_liquidity(amount0_desired: U256, amount1_desired: U256, amount0_min: U256, amount1_min: U256, to: Address, deadline: U256);
    IPool::removeLiquidityCall => remove_liquidity(liquidity: U256, amount0_min: U256, amount1_min: U256, to: Address, deadline: U256);
    IPool::getAmountOutCall => get_amount_out(zero_for_one: bool, amount_in: U256);
    IERC20::nameCall => name();
    IERC20::symbolCall => symbol();
    IERC20::decimalsCall => decimals();
    IERC20::totalSupplyCall => total_supply();
    IERC20::balanceOfCall => balance_of(account: Address);
    IERC20::transferCall => transfer(to: Address, value: U256);
    IERC20::transferFromCall => transfer_from(from: Address, to: Address, value: U256);
    IERC20::approveCall => approve(spender: Address, value: U256);
    IERC20::allowanceCall => allowance(owner: Address, spender: Address);
    IOwnable::ownerCall => owner();
    IOwnable::pendingOwnerCall => pending_owner();
    IOwnable::transferOwnershipCall => transfer_ownership(new_owner: Address);
    IOwnable::acceptOwnershipCall => accept_ownership();
}

/// The Solidity interface of the contract, as committed in `IPool.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> String {
    il_common::abi::render(
        "Pool",
        &[
            IPool::abi::contract(),
            IERC20::abi::contract(),
            IOwnable::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}

#[cfg(test)]
// Tests use plain operators on values chosen not to wrap; a wrap would fail them.
#[allow(clippy::arithmetic_side_effects)]
mod tests;
