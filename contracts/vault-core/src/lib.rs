//! The IL-managed LP vault: custody, shares and exact accounting.
//!
//! Depositors put in two tokens and receive shares (an ERC-20). The vault
//! holds liquidity in a Uniswap v4 pool (its own position in the
//! `PoolManager`, over the full range of ticks), an idle reserve of both
//! tokens, and an account at the hedge venue, and keeps exact fixed-point
//! accounting of what each holder's position did against simply holding
//! what they put in.
//!
//! The system is split by responsibility (and because a Stylus program
//! must stay under 24 KiB compressed, which the whole did not come close
//! to):
//! - this **vault** holds the money: deposits, withdrawals, shares, the
//!   accounting state, the v4 position, and the asset moves only its
//!   controller may make (`moveLiquidity`, `rerange`, `adjustHedge`). It is two
//!   programs over this one crate and one storage: `il-vault` (deposits,
//!   withdrawals, shares, views) and `il-vault-ops` (the controller's moves,
//!   `setPool`, `configure`, `unlockCallback`), which the first runs by
//!   delegate call for every function it does not route itself;
//! - the **manager** (`il-manager`), its controller once wired and the
//!   pool's hook (it sets the pool's dynamic LP fee), holds the owner, the
//!   keeper role and every bound: fee tiers, rebalances and hedges computed
//!   on chain, pause and deposit cap;
//! - the **lens** (`il-lens`) reads the views: value, hold benchmark, IL,
//!   fee income and hedge PnL, vault-wide and per holder, the position and
//!   deposit previews;
//! - the **engine** (`il-engine`) computes the vault's accounting
//!   transitions, the **planner** (`il-planner`) the manager's plans and
//!   the lens's views.
//!
//! Math: the vault holds no fixed-point code. Its accounting state is a
//! word record (`il_math::vault::Ledger`) and every transition of it
//! (checkpoint, deposit, withdrawal, share transfer) is computed by the
//! **engine** (`il-engine`), a stateless contract that is exactly
//! `il_math::vault`; the vault moves tokens and stores the results.
//!
//! The v4 position: every change goes through `PoolManager.unlock`, which
//! calls the vault's `unlockCallback` back; the callback makes the one
//! `modifyLiquidity` the vault asked for, pays what the vault owes
//! (`sync`, transfer, `settle`) and takes what it is owed (`take`). Only the
//! `PoolManager` may call it (and it calls back only the caller of
//! `unlock`: the vault itself, inside its own unlock); every other function
//! refuses to be re-entered (`ReentrantCall`). Reads of the pool (its
//! price) go through `extsload`, as v4-periphery's `StateView` does.
//!
//! Accounting (rules in `il_math::vault`): before every deposit, withdrawal
//! and controller move the vault touches its position, which pays it the
//! fees earned since (v4 pays fees as tokens); they join the idle tokens and
//! are credited per share (a MasterChef-style accumulator per token), as is
//! the change of its venue equity not due to collateral moves. A share
//! transfer moves a pro-rata part of the sender's benchmark and credits (as
//! of the last checkpoint) to the receiver.
//!
//! Internal accounting (`liquidity`, `idle0`, `idle1`): tokens sent to the
//! vault outside a deposit are ignored, so a donation cannot move the share price;
//! `MINIMUM_SHARES` are locked at the first deposit as well. Deposits and
//! withdrawals are pro rata in tokens. Rounding favours the vault.
//!
//! The hedge in deposits and withdrawals (the venue account is valued by
//! the venue at its oracle mark, the LP by the pool at spot):
//! - a deposit buys into the venue equity at the HIGHER of its value at the
//!   mark and at the pool's spot, a withdrawal is paid at the LOWER, so no
//!   one trades against holders on a move the pool shows before the feed;
//! - a withdrawal closes its fraction of the venue account and the
//!   withdrawer bears the whole cost of that close (fee, spread);
//! - withdrawals are never paused and never wait for the venue: when the
//!   venue cannot value or pay (stale feed, no liquidity), the LP and idle
//!   parts are paid and the withdrawer's fraction of the venue position is
//!   moved to their own venue account (`transferPosition`), in kind;
//! - while a hedge is open, shares minted by a deposit are locked for
//!   `DEPOSIT_LOCK`, so the keeper sizes the hedge for them before they can
//!   leave (a deposit does not trade at the venue; a withdrawal closes its
//!   fraction of whatever the venue holds).
//!
//! Control: the controller (the manager) makes the asset moves; handing
//! control to another address takes `CONTROLLER_DELAY` once the vault holds
//! deposits, announced by `ControllerProposed`, so holders can leave first.
//!
//! Storage: the vault's words live in hashed slots (`il_common::slots`),
//! read once per call and written back once.
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, Bytes, I256, U256};
use alloy_sol_types::{SolCall, SolEvent, sol};
use il_common::{
    Erc20, Erc20Metadata,
    erc20::{
        ERC20InsufficientAllowance, ERC20InsufficientBalance, ERC20InvalidApprover,
        ERC20InvalidReceiver, ERC20InvalidSender, ERC20InvalidSpender, ERC20SupplyOverflow,
    },
    lean::{self, Word, emit},
    slots,
    venue::{self, VenueRead},
};
use il_math::{
    MathError,
    vault::{HolderRecord, Ledger},
};
use stylus_sdk::prelude::*;

/// Shares minted to nobody (the zero address) at the first deposit, so the
/// supply never returns to zero and no first depositor can inflate the
/// share price against later ones (the engine subtracts them from the
/// first depositor's shares: `il_engine::MINIMUM_SHARES`).
pub const MINIMUM_SHARES: u64 = 1_000;

/// While a hedge is open, shares minted by a deposit cannot be withdrawn or
/// transferred for this long (seconds): one day, longer than the manager's
/// longest wait for a hedge in the same or the opposite direction
/// (`il_manager::REVERSAL_COOLDOWN`, 6 h), so the keeper can size the hedge
/// for the new shares before they can leave.
pub const DEPOSIT_LOCK: u64 = 86_400;

/// A new controller takes over this long (seconds, two days) after it was
/// proposed, once the vault holds deposits.
pub const CONTROLLER_DELAY: u64 = 2 * 86_400;

sol! {
    /// The vault's functions, events and errors (the share token's are
    /// `il_common`'s `IERC20`). The constructor (Stylus
    /// `stylus_constructor`) takes `(address token0, address token1,
    /// address poolManager, address venue, address oracle, address engine,
    /// address ops, address controller, uint32 tickSpacing)`; token0 must be
    /// the lower address (v4's currency0). `moveLiquidity`, `rerange`,
    /// `adjustHedge`, `configure`, `setPool` and `unlockCallback` run in the
    /// operations program `ops` (delegate call).
    #[sol(abi)]
    interface IVault {
        /// Deposits at most `amount0Max`/`amount1Max` pro rata; mints at least `minShares` to `receiver`.
        function deposit(uint256 amount0Max, uint256 amount1Max, uint256 minShares, address receiver) external returns (uint256 shares, uint256 amount0, uint256 amount1);
        /// Redeems `shares` for at least `amount0Min`/`amount1Min` (hedge payout included), sent to `receiver`.
        function withdraw(uint256 shares, uint256 amount0Min, uint256 amount1Min, address receiver) external returns (uint256 amount0, uint256 amount1);
        /// Controller only: adds (`liquidityDelta > 0`, from idle) or removes (`< 0`, to idle) liquidity; returns the tokens paid or received.
        function moveLiquidity(int256 liquidityDelta) external returns (uint256 amount0, uint256 amount1);
        /// Controller only: moves the whole position to `[tickLower, tickUpper]` (burn, then mint with the idle tokens the new range takes); returns what the burn paid, the liquidity minted and what the mint took.
        function rerange(int256 tickLower, int256 tickUpper) external returns (uint256 amount0Out, uint256 amount1Out, uint256 liquidity, uint256 amount0In, uint256 amount1In);
        /// Controller only, once, before any deposit: the pool is (token0, token1, dynamic fee, tickSpacing, `hooks`).
        function setPool(address hooks) external;
        /// The PoolManager calls this inside the vault's own `unlock`, and only then.
        function unlockCallback(bytes data) external returns (bytes);
        /// Controller only: funds the venue with `fund` idle token1, trades `sizeDelta`, and with `close` closes the position.
        function adjustHedge(uint256 fund, int256 sizeDelta, bool close) external returns (int256 newSize, uint256 paid);
        /// Controller only: sets the controller, the deposit cap (token1; 0: none) and the pause.
        function configure(address controller, uint256 depositCap, bool paused) external;
        /// token0, token1, the v4 PoolManager, venue, oracle, engine, and the vault's operations program (il-vault-ops).
        function contracts() external view returns (address token0, address token1, address poolManager, address venue, address oracle, address engine, address ops);
        /// The pool key's tick spacing and hooks, and the vault's range (the full range until a re-range).
        function pool() external view returns (uint32 tickSpacing, address hooks, int256 tickLower, int256 tickUpper);
        /// controller, depositCap, paused, then the ledger record (13 words, il_math::vault::Ledger order).
        function state() external view returns (uint256[] words);
        /// A holder's record (8 words, il_math::vault::HolderRecord order).
        function holder(address account) external view returns (uint256[] words);
        /// The controller proposed by `configure` and when it can take over (0, 0: none).
        function pendingController() external view returns (address controller, uint64 readyAt);
        /// Shares of `account` locked by a recent deposit, and until when (unix seconds).
        function lockOf(address account) external view returns (uint256 shares, uint64 unlockAt);

        /// `sender` deposited `amount0`/`amount1`; `receiver` got `shares`.
        #[derive(Debug, PartialEq, Eq)]
        event Deposit(address indexed sender, address indexed receiver, uint256 amount0, uint256 amount1, uint256 shares);
        /// `owner` redeemed `shares`; `receiver` got `amount0`/`amount1` (of which `hedgePaid` token1 came from the venue).
        #[derive(Debug, PartialEq, Eq)]
        event Withdraw(address indexed owner, address indexed receiver, uint256 amount0, uint256 amount1, uint256 shares, uint256 hedgePaid);
        /// Liquidity of the vault's position changed by `liquidityDelta` for `amount0`/`amount1` (paid when adding, received when removing).
        #[derive(Debug, PartialEq, Eq)]
        event LiquidityMoved(int256 liquidityDelta, uint256 amount0, uint256 amount1);
        /// The position paid `amount0`/`amount1` of fees, credited to the holders.
        #[derive(Debug, PartialEq, Eq)]
        event FeesCollected(uint256 amount0, uint256 amount1);
        /// The pool was set: (token0, token1, dynamic fee, tickSpacing, `hooks`), range `[tickLower, tickUpper]`.
        #[derive(Debug, PartialEq, Eq)]
        event PoolSet(address indexed hooks, int256 tickLower, int256 tickUpper);
        /// The position moved from `[fromLower, fromUpper]` to `[toLower, toUpper]`: `burned` liquidity removed (its IL realised
        /// into idle tokens), `minted` added in the new range from idle.
        #[derive(Debug, PartialEq, Eq)]
        event Reranged(int256 fromLower, int256 fromUpper, int256 toLower, int256 toUpper, uint256 burned, uint256 minted);
        /// The controller moved `funded` idle token1 to the venue, traded `sizeDelta` (position now `newSize`), and got `paid` back by closing.
        #[derive(Debug, PartialEq, Eq)]
        event HedgeAdjusted(uint256 funded, int256 sizeDelta, int256 newSize, uint256 paid);
        /// The controller set the controller, the deposit cap and the pause.
        #[derive(Debug, PartialEq, Eq)]
        event Configured(address indexed controller, uint256 depositCap, bool paused);
        /// `controller` was proposed; it can take over from `readyAt` (unix seconds).
        #[derive(Debug, PartialEq, Eq)]
        event ControllerProposed(address indexed controller, uint64 readyAt);
        /// The venue could not pay a withdrawal's part of the hedge: `fractionWad` of the
        /// vault's venue position went to `receiver`'s own account at the venue.
        #[derive(Debug, PartialEq, Eq)]
        event HedgeTransferred(address indexed receiver, uint256 fractionWad);
        /// Only the controller may do this; `account` is not the controller.
        #[derive(Debug, PartialEq, Eq)]
        error VaultNotController(address account);
        /// Deposits and controller moves are paused (withdrawals never are).
        #[derive(Debug, PartialEq, Eq)]
        error VaultPaused();
        /// An amount or share count of zero.
        #[derive(Debug, PartialEq, Eq)]
        error VaultZeroAmount();
        /// This address cannot be used here (the zero address).
        #[derive(Debug, PartialEq, Eq)]
        error VaultInvalidAddress(address account);
        /// The deposit would mint `shares`, fewer than `minShares`.
        #[derive(Debug, PartialEq, Eq)]
        error VaultInsufficientShares(uint256 shares, uint256 minShares);
        /// Amounts `amount0`/`amount1` are below the caller's minimums `min0`/`min1`.
        #[derive(Debug, PartialEq, Eq)]
        error VaultSlippage(uint256 amount0, uint256 amount1, uint256 min0, uint256 min1);
        /// The vault would hold `total1` token1, more than the cap.
        #[derive(Debug, PartialEq, Eq)]
        error VaultDepositCap(uint256 total1, uint256 cap);
        /// The caller holds `balance` shares, fewer than `requested`.
        #[derive(Debug, PartialEq, Eq)]
        error VaultExceedsBalance(uint256 balance, uint256 requested);
        /// The pool is not set or not initialised yet.
        #[derive(Debug, PartialEq, Eq)]
        error VaultPoolEmpty();
        /// `setPool` again, or after deposits.
        #[derive(Debug, PartialEq, Eq)]
        error VaultPoolAlreadySet();
        /// token0 must be the lower address (v4's currency0) and the tick spacing in 1..=32767.
        #[derive(Debug, PartialEq, Eq)]
        error VaultInvalidPool();
        /// `unlockCallback` from `caller`: only the PoolManager may call it, inside the vault's own unlock.
        #[derive(Debug, PartialEq, Eq)]
        error VaultUnexpectedCallback(address caller);
        /// The vault holds `available`, less than the move needs (`needed`).
        #[derive(Debug, PartialEq, Eq)]
        error VaultInsufficientIdle(uint256 needed, uint256 available);
        /// An addition or subtraction on the vault's books failed (il-math error code `code`: 2 overflow, 3 underflow).
        #[derive(Debug, PartialEq, Eq)]
        error VaultMath(uint8 code);
        /// The engine returned `length` words, not the layout the vault expects (wrong engine address).
        #[derive(Debug, PartialEq, Eq)]
        error VaultEngineOutput(uint256 length);
        /// A call to `target` failed; `reason` is its revert data (decode it with the target's interface).
        #[derive(Debug, PartialEq, Eq)]
        error VaultCallFailed(address target, bytes reason);
        /// These shares were minted by a deposit while a hedge is open; they are free from `unlockAt`.
        #[derive(Debug, PartialEq, Eq)]
        error VaultLocked(uint64 unlockAt);
        /// The proposed controller can take over only from `readyAt`.
        #[derive(Debug, PartialEq, Eq)]
        error VaultControllerNotReady(uint64 readyAt);
        /// `[tickLower, tickUpper]` is not a range of the pool: both ends multiples of the tick spacing, lower below upper, within the usable ticks.
        #[derive(Debug, PartialEq, Eq)]
        error VaultInvalidRange(int256 tickLower, int256 tickUpper);
}
}

pub use IVault::{
    Configured, ControllerProposed, Deposit, FeesCollected, HedgeAdjusted, HedgeTransferred,
    LiquidityMoved, PoolSet, Reranged, VaultCallFailed, VaultControllerNotReady, VaultDepositCap,
    VaultEngineOutput, VaultExceedsBalance, VaultInsufficientIdle, VaultInsufficientShares,
    VaultInvalidAddress, VaultInvalidPool, VaultInvalidRange, VaultLocked, VaultMath,
    VaultNotController, VaultPaused, VaultPoolAlreadySet, VaultPoolEmpty, VaultSlippage,
    VaultUnexpectedCallback, VaultZeroAmount, Withdraw,
};

il_common::solidity_errors! {
    /// Every way a call can fail, as named Solidity errors.
    pub enum VaultError {
        InsufficientBalance(ERC20InsufficientBalance { sender, balance, needed }),
        InvalidSender(ERC20InvalidSender { sender }),
        InvalidReceiver(ERC20InvalidReceiver { receiver }),
        InsufficientAllowance(ERC20InsufficientAllowance { spender, allowance, needed }),
        InvalidApprover(ERC20InvalidApprover { approver }),
        InvalidSpender(ERC20InvalidSpender { spender }),
        SupplyOverflow(ERC20SupplyOverflow { supply, amount }),
        NotController(VaultNotController { account }),
        Paused(VaultPaused {}),
        ZeroAmount(VaultZeroAmount {}),
        InvalidAddress(VaultInvalidAddress { account }),
        InsufficientShares(VaultInsufficientShares { shares, minShares }),
        Slippage(VaultSlippage { amount0, amount1, min0, min1 }),
        DepositCap(VaultDepositCap { total1, cap }),
        ExceedsBalance(VaultExceedsBalance { balance, requested }),
        PoolEmpty(VaultPoolEmpty {}),
        InsufficientIdle(VaultInsufficientIdle { needed, available }),
        Math(VaultMath { code }),
        Engine(VaultEngineOutput { length }),
        CallFailed(VaultCallFailed { target; reason }),
        Locked(VaultLocked { unlockAt }),
        ControllerNotReady(VaultControllerNotReady { readyAt }),
        PoolAlreadySet(VaultPoolAlreadySet {}),
        InvalidPool(VaultInvalidPool {}),
        InvalidRange(VaultInvalidRange { tickLower, tickUpper }),
        UnexpectedCallback(VaultUnexpectedCallback { caller }),
    }
}

impl From<MathError> for VaultError {
    fn from(err: MathError) -> Self {
        VaultMath { code: err.code() }.into()
    }
}

sol! {
    /// What the vault calls on other contracts (selectors only: the calls
    /// are encoded by `il_common::lean`).
    interface IExternal {
        function transfer(address to, uint256 value) external returns (bool);
        function transferFrom(address from, address to, uint256 value) external returns (bool);
        function approve(address spender, uint256 value) external returns (bool);
        function deposit(uint256 amount) external;
        function trade(int256 sizeDelta) external returns (int256 newSize);
        function exit(uint256 fractionWad, address to) external returns (uint256 paid);
        function equityOf(address account) external view returns (int256);
        function transferPosition(uint256 fractionWad, address to) external;
        function checkSpot() external view returns (uint256 num, uint256 den, uint256 deviationBps);
    }

    /// The engine functions the vault uses (`il-engine`).
    interface IEngineCalls {
        function checkpoint(uint256[] args) external view returns (uint256[]);
        function deposit(uint256[] args) external view returns (uint256[]);
        function withdraw(uint256[] args) external view returns (uint256[]);
        function settleVenue(uint256[] args) external view returns (uint256[]);
        function transfer(uint256[] args) external view returns (uint256[]);
    }
}

use IExternal::{
    approveCall, checkSpotCall, depositCall, equityOfCall, exitCall, tradeCall, transferCall,
    transferFromCall, transferPositionCall,
};
use il_common::v4::{self as uni, settleCall, syncCall, takeCall, unlockCall};

/// Words at `WIRING` (set once): token0, token1, the v4 PoolManager,
/// venue, oracle, engine, and the vault's operations program.
const WIRING: U256 = slots::base(b"il.vault.wiring");
/// Words at `POOL`: tick spacing (set once), hooks, tickLower, tickUpper
/// (set by `setPool`; ticks as two's complement words).
const POOL: U256 = slots::base(b"il.vault.pool");
/// Words at `ADMIN`: controller, deposit cap (token1; 0: none), paused,
/// proposed controller, when it can take over.
const ADMIN: U256 = slots::base(b"il.vault.admin");
/// Map base of deposit locks: locked shares, unlock time.
const LOCKS: U256 = slots::base(b"il.vault.locks");
/// Words at `LEDGER`: the `il_math::vault::Ledger` record.
const LEDGER: U256 = slots::base(b"il.vault.ledger");
/// Map base of holder records (`il_math::vault::HolderRecord`, 6 words).
const HOLDERS: U256 = slots::base(b"il.vault.holders");

/// Word indexes of the ledger record the vault itself updates.
const LIQUIDITY: usize = 0;
const IDLE0: usize = 1;
const IDLE1: usize = 2;
const HEDGE_ACTIVE: usize = 3;
const FEE0_PER_SHARE: usize = 6;
const FEE1_PER_SHARE: usize = 7;
const HEDGE_PER_SHARE: usize = 10;
const EQUITY_LAST: usize = 12;

type LedgerWords = [U256; Ledger::WORDS];
type HolderWords = [U256; HolderRecord::WORDS];

/// The contracts the vault is wired to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wiring {
    pub token0: Address,
    pub token1: Address,
    pub pool_manager: Address,
    pub venue: Address,
    pub oracle: Address,
    pub engine: Address,
    /// `il-vault-ops`: the controller operations and the unlock callback,
    /// run by delegate call in the vault's storage.
    pub ops: Address,
}

/// The pool key's tick spacing and hooks and the vault's range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PoolCfg {
    spacing: i32,
    hooks: Address,
    lower: i32,
    upper: i32,
}

impl PoolCfg {
    /// The pool key: (token0, token1, dynamic fee, spacing, hooks).
    fn key(&self, w: &Wiring) -> uni::Key {
        uni::Key {
            currency0: w.token0,
            currency1: w.token1,
            fee: uni::DYNAMIC_FEE_FLAG,
            tick_spacing: self.spacing,
            hooks: self.hooks,
        }
    }
}

/// The controller, the deposit cap, the pause and a proposed controller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Admin {
    controller: Address,
    deposit_cap: U256,
    paused: bool,
    pending: Address,
    ready_at: u64,
}

/// The vault's storage: the share token; everything else is in hashed
/// slots (wiring, admin, ledger, holder records).
#[storage]
pub struct Vault {
    shares: Erc20,
}

impl Vault {
    /// Wires the vault to its tokens, the v4 PoolManager (its pool's tick
    /// spacing; the hook is set later with `setPool`), the hedge venue,
    /// oracle, engine and its operations program (`il-vault-ops`), and sets
    /// the first controller (the deployer, who
    /// sets the pool and hands control to the manager with `configure`
    /// once the manager exists). The venue may pull token1 from the vault
    /// (an unlimited approval given here), which it does only when the
    /// controller funds the hedge. The vault's range is the full range of
    /// ticks for the spacing.
    ///
    /// # Errors
    /// `VaultInvalidAddress` for a zero address, `VaultInvalidPool` when
    /// token0 is not the lower address or the spacing is outside
    /// 1..=32767, `VaultCallFailed` if token1 refuses the approval.
    ///
    /// # Events
    /// `Configured`, token1's `Approval`.
    #[allow(clippy::too_many_arguments)]
    pub fn constructor(
        &mut self,
        token0: Address,
        token1: Address,
        pool_manager: Address,
        venue: Address,
        oracle: Address,
        engine: Address,
        ops: Address,
        controller: Address,
        tick_spacing: u32,
    ) -> Result<(), VaultError> {
        let wiring = [token0, token1, pool_manager, venue, oracle, engine, ops];
        for a in wiring.iter().chain([&controller]) {
            if a.is_zero() {
                return Err(VaultInvalidAddress { account: *a }.into());
            }
        }
        if token0 >= token1 || !(1..=32_767).contains(&tick_spacing) {
            return Err(VaultInvalidPool {}.into());
        }
        slots::store(self.vm(), WIRING, &wiring.map(slots::from_address));
        // v4's usable extremes for the spacing (checked above)
        let spacing = i32::try_from(tick_spacing).unwrap_or(1);
        let (lower, upper) = il_math::v4::full_range_ticks(spacing)?;
        let word = |t: i32| I256::try_from(t).unwrap_or_default().into_raw();
        slots::store(
            self.vm(),
            POOL,
            &[
                U256::from(tick_spacing),
                U256::ZERO,
                word(lower),
                word(upper),
            ],
        );
        self.write_admin(&Admin {
            controller,
            ..Admin::default()
        });
        emit(
            self.vm(),
            &[Configured::SIGNATURE_HASH, controller.to_word()],
            &[U256::ZERO.to_word(), false.to_word()],
        );
        let data = lean::encode(
            approveCall::SELECTOR,
            &[venue.to_word(), U256::MAX.to_word()],
            None,
        );
        self.expect_true(token1, &data)
    }

    /// Controller only, once, before any deposit: sets the pool's hook
    /// (the manager). The pool is then `(token0, token1, DYNAMIC_FEE_FLAG,
    /// tickSpacing, hooks)` in the PoolManager; it must be initialised there
    /// before the first deposit.
    ///
    /// # Errors
    /// `VaultNotController`, `VaultInvalidAddress` (zero), `VaultPoolAlreadySet`.
    ///
    /// # Events
    /// `PoolSet(hooks, tickLower, tickUpper)`.
    pub fn set_pool(&mut self, hooks: Address) -> Result<(), VaultError> {
        let caller = self.vm().msg_sender();
        if caller != self.read_admin().controller {
            return Err(VaultNotController { account: caller }.into());
        }
        if hooks.is_zero() {
            return Err(VaultInvalidAddress { account: hooks }.into());
        }
        let pool = self.pool_cfg();
        if !pool.hooks.is_zero() || !self.shares.total_supply().is_zero() {
            return Err(VaultPoolAlreadySet {}.into());
        }
        // cannot overflow: a hash plus one
        slots::set(
            self.vm(),
            POOL.wrapping_add(U256::from(1u8)),
            slots::from_address(hooks),
        );
        emit(
            self.vm(),
            &[PoolSet::SIGNATURE_HASH, hooks.to_word()],
            &[pool.lower.to_word(), pool.upper.to_word()],
        );
        Ok(())
    }

    /// The PoolManager's callback inside the vault's own `unlock` (the
    /// PoolManager calls back only the caller of `unlock`): makes the
    /// `modifyLiquidity` the vault asked for (the liquidity delta and who
    /// receives what the pool pays, two words of `data`), takes the fees it
    /// paid to the vault, pays what the vault owes (`sync`, transfer,
    /// `settle`) and takes what it is owed. Returns four words: the
    /// principal amounts (int256, negative when paid) and the fees.
    ///
    /// # Errors
    /// `VaultUnexpectedCallback` unless the caller is the PoolManager;
    /// `VaultCallFailed` (the PoolManager or a token refused).
    pub fn unlock_callback(&mut self, data: Bytes) -> Result<Bytes, VaultError> {
        let w = self.wiring();
        let caller = self.vm().msg_sender();
        let (Some(delta), Some(recipient)) = (lean::i256_at(&data, 0), lean::address_at(&data, 1))
        else {
            return Err(VaultUnexpectedCallback { caller }.into());
        };
        if caller != w.pool_manager {
            return Err(VaultUnexpectedCallback { caller }.into());
        }
        let pool = self.pool_cfg();
        let key = pool.key(&w);
        let out = self.call(
            w.pool_manager,
            &uni::modify_liquidity_call(&key, pool.lower, pool.upper, delta),
        )?;
        let (Some(caller_delta), Some(fees)) = (lean::u256_at(&out, 0), lean::u256_at(&out, 1))
        else {
            return Err(call_failed(w.pool_manager, Vec::new()));
        };
        let (c0, c1) = uni::amounts(caller_delta);
        let (f0, f1) = uni::amounts(fees);
        let me = self.vm().contract_address();
        let mut words = [B256::ZERO; 4];
        for (i, (token, c, f)) in [(w.token0, c0, f0), (w.token1, c1, f1)]
            .into_iter()
            .enumerate()
        {
            // the principal: what the liquidity change itself pays (> 0) or
            // costs (< 0); the fees (never negative) are the rest of the
            // caller's delta. Both are int128 amounts: the difference of
            // their two's complement words cannot wrap.
            let fee = f.into_raw();
            let principal = c.into_raw().wrapping_sub(fee);
            self.take(&w, token, me, fee)?;
            if principal.bit(255) {
                let owed = principal.wrapping_neg();
                let sync = lean::encode(syncCall::SELECTOR, &[token.to_word()], None);
                self.call(w.pool_manager, &sync)?;
                self.push(token, w.pool_manager, owed)?;
                self.call(
                    w.pool_manager,
                    &lean::encode(settleCall::SELECTOR, &[], None),
                )?;
            } else {
                self.take(&w, token, recipient, principal)?;
            }
            words[i] = principal.to_word();
            // cannot overflow: indexes 2 and 3 of four words
            words[i.wrapping_add(2)] = fee.to_word();
        }
        Ok(Bytes::from(il_common::router::words(&words)))
    }

    /// The vault program's fallback: calldata for a function it does not
    /// route itself (the controller operations and the unlock callback) is
    /// run by `il-vault-ops` in the vault's own storage (delegate call),
    /// its result or revert data returned as they are.
    ///
    /// # Errors
    /// The operation's revert data; `VaultCallFailed(ops, "")` if the
    /// delegate call failed without any.
    pub fn delegate_ops(&mut self, input: &[u8]) -> stylus_sdk::ArbResult {
        let ops = self.wiring().ops;
        lean::delegate_call(self, ops, input).map_err(|reason| {
            if reason.is_empty() {
                call_failed(ops, reason).into()
            } else {
                reason
            }
        })
    }

    /// The operations program's constructor: nothing to set (it keeps no
    /// state of its own; it runs in the vault's). Running it marks the
    /// program constructed, so the vault's constructor can never run on it.
    ///
    /// # Errors
    /// None.
    pub fn ops_constructor(&mut self) -> Result<(), VaultError> {
        Ok(())
    }

    /// Deposits at most `amount0_max`/`amount1_max` in the vault's current
    /// proportions (the position's tokens at the pool's price + idle + hedge
    /// equity, the latter at the higher of its oracle and spot marks) and
    /// mints shares to `receiver`. The position's fees are collected and
    /// credited to the existing holders first. The same share of the
    /// vault's liquidity is added to the position (cut to what the
    /// deposit's pool part pays for); the rest stays idle. The first deposit
    /// adds the most liquidity the amounts pay for (the rest stays idle),
    /// mints `sqrt(amount0 * amount1) - MINIMUM_SHARES` shares and locks
    /// `MINIMUM_SHARES`. Shares round down; the amounts taken round up.
    /// While a hedge is open the minted shares are locked for
    /// `DEPOSIT_LOCK`. Deposits open once the controller is a manager,
    /// which vouches for the price (`checkSpot`).
    ///
    /// # Errors
    /// `VaultPaused`, `VaultZeroAmount`, `VaultInvalidAddress`,
    /// `VaultPoolEmpty`, `VaultInsufficientShares`, `VaultDepositCap`,
    /// `VaultCallFailed` (the controller's `checkSpot` refused: a stale
    /// oracle or the pool's spot too far from it, e.g. `ManagerPriceDeviation`,
    /// or the controller is not a manager yet; a token transfer, the pool,
    /// the engine failed, or the venue cannot value the hedge now: a deposit
    /// must price it).
    ///
    /// # Events
    /// `Deposit`, `Transfer` (shares), the pool's and tokens' events.
    pub fn deposit(
        &mut self,
        amount0_max: U256,
        amount1_max: U256,
        min_shares: U256,
        receiver: Address,
    ) -> Result<(U256, U256, U256), VaultError> {
        let admin = self.read_admin();
        if admin.paused {
            return Err(VaultPaused {}.into());
        }
        if receiver.is_zero() {
            return Err(VaultInvalidAddress { account: receiver }.into());
        }
        if amount0_max.is_zero() || amount1_max.is_zero() {
            return Err(VaultZeroAmount {}.into());
        }
        // the controller (the manager) vouches for the pool's price: a fresh
        // oracle and the spot within its deviation bound (a deposit is
        // priced at spot, so a sandwich cannot move it far)
        let check = self.view(
            admin.controller,
            &lean::encode(checkSpotCall::SELECTOR, &[], None),
        )?;
        if lean::u256_at(&check, 2).is_none() {
            return Err(call_failed(admin.controller, check));
        }
        let w = self.wiring();
        let supply = self.shares.total_supply();
        let (mut args, venue) = self.engine_prefix(&w, Some(receiver))?;
        valued(&w, venue.failure)?;
        args.extend_from_slice(&[
            supply,
            self.shares.balance_of(receiver),
            amount0_max,
            amount1_max,
        ]);
        let out = self.engine(&w, IEngineCalls::depositCall::SELECTOR, &args, RECORDS + 8)?;
        let (mut ledger, holder) = split_records(&out);
        let [
            shares,
            amount0,
            amount1,
            liquidity,
            to_pool0,
            to_pool1,
            _total0,
            total1,
        ] = tail(&out);
        if shares.is_zero() || shares < min_shares {
            return Err(VaultInsufficientShares {
                shares,
                minShares: min_shares,
            }
            .into());
        }
        let total1 = add(total1, amount1)?;
        if !admin.deposit_cap.is_zero() && total1 > admin.deposit_cap {
            return Err(VaultDepositCap {
                total1,
                cap: admin.deposit_cap,
            }
            .into());
        }
        let sender = self.vm().msg_sender();
        let me = self.vm().contract_address();
        self.pull(w.token0, sender, me, amount0)?;
        self.pull(w.token1, sender, me, amount1)?;
        if !liquidity.is_zero() {
            // the engine counted `toPool` as going to the pool; the pool
            // takes exactly that (the same math), never more
            let (p0, p1, _, _) = self.modify(&w, il_math::to_signed(liquidity)?, me)?;
            for (slot, paid, quoted) in [(IDLE0, p0, to_pool0), (IDLE1, p1, to_pool1)] {
                let paid = paid.unsigned_abs();
                let left = quoted.checked_sub(paid).ok_or_else(|| -> VaultError {
                    VaultInsufficientIdle {
                        needed: paid,
                        available: quoted,
                    }
                    .into()
                })?;
                ledger[slot] = add(ledger[slot], left)?;
            }
            emit(
                self.vm(),
                &[LiquidityMoved::SIGNATURE_HASH],
                &[
                    liquidity.to_word(),
                    p0.unsigned_abs().to_word(),
                    p1.unsigned_abs().to_word(),
                ],
            );
        }
        self.write_ledger(&ledger);
        self.write_holder(receiver, &holder);
        if supply.is_zero() {
            self.shares
                .mint_locked::<VaultError>(U256::from(MINIMUM_SHARES))?;
        }
        self.shares.mint::<VaultError>(receiver, shares)?;
        if !venue.words[2].is_zero() {
            // a hedge is open: lock the new shares (see DEPOSIT_LOCK)
            let (mut locked, until) = self.lock_of(receiver)?;
            let now = self.vm().block_timestamp();
            if until <= now {
                locked = U256::ZERO;
            }
            let until = now.saturating_add(DEPOSIT_LOCK);
            let base = slots::keyed(self.vm(), receiver.into_word(), LOCKS);
            slots::store(self.vm(), base, &[add(locked, shares)?, U256::from(until)]);
        }
        emit(
            self.vm(),
            &[
                Deposit::SIGNATURE_HASH,
                sender.to_word(),
                receiver.to_word(),
            ],
            &[amount0.to_word(), amount1.to_word(), shares.to_word()],
        );
        Ok((shares, amount0, amount1))
    }

    /// Redeems `shares` of the caller for their pro-rata part of the LP
    /// position (burned at spot, paid by the pool straight to `receiver`),
    /// the idle reserve and the hedge. Never paused. Amounts round down. The
    /// redeemed part of the caller's benchmark and credits leaves with the
    /// shares.
    ///
    /// The hedge part: the venue closes that fraction of the vault's account
    /// and pays it to the vault, which sends `receiver` the fraction of the
    /// equity at the lower of its oracle and spot marks, less the whole cost
    /// of the close, and keeps the rest for the remaining holders. When the
    /// venue cannot value or pay (stale feed, not enough liquidity), the
    /// fraction of the position itself goes to `receiver`'s own account at
    /// the venue (`HedgeTransferred`), and the LP and idle parts are paid all
    /// the same.
    ///
    /// # Errors
    /// `VaultZeroAmount`, `VaultInvalidAddress`, `VaultExceedsBalance`,
    /// `VaultLocked` (shares of a deposit made while a hedge is open, within
    /// `DEPOSIT_LOCK`), `VaultSlippage` (below `amount0_min`/`amount1_min`,
    /// hedge payout included), `VaultCallFailed` (the pool, a token or the
    /// engine failed, or the venue refused both to pay and to transfer).
    ///
    /// # Events
    /// `Withdraw`, `Transfer` (shares burned), `HedgeTransferred` (in kind),
    /// the pool's, tokens' and venue's events.
    pub fn withdraw(
        &mut self,
        shares: U256,
        amount0_min: U256,
        amount1_min: U256,
        receiver: Address,
    ) -> Result<(U256, U256), VaultError> {
        if shares.is_zero() {
            return Err(VaultZeroAmount {}.into());
        }
        if receiver.is_zero() {
            return Err(VaultInvalidAddress { account: receiver }.into());
        }
        let owner = self.vm().msg_sender();
        let balance = self.shares.balance_of(owner);
        if balance < shares {
            return Err(VaultExceedsBalance {
                balance,
                requested: shares,
            }
            .into());
        }
        self.check_unlocked(owner, balance, shares)?;
        let w = self.wiring();
        let supply = self.shares.total_supply();
        let (mut args, venue) = self.engine_prefix(&w, Some(owner))?;
        args.extend_from_slice(&[supply, balance, shares]);
        let out = self.engine(&w, IEngineCalls::withdrawCall::SELECTOR, &args, RECORDS + 5)?;
        let (mut ledger, holder) = split_records(&out);
        let [liquidity, idle0, idle1, fraction, equity_out] = tail(&out);

        let (mut amount0, mut amount1) = (idle0, idle1);
        if !liquidity.is_zero() {
            // the pool pays the removed liquidity straight to the receiver
            let (p0, p1, _, _) = self.modify(&w, il_math::to_negative(liquidity)?, receiver)?;
            amount0 = add(amount0, p0.unsigned_abs())?;
            amount1 = add(amount1, p1.unsigned_abs())?;
        }
        self.push(w.token0, receiver, idle0)?;
        self.push(w.token1, receiver, idle1)?;
        let mut hedge_paid = U256::ZERO;
        if !fraction.is_zero() {
            // (inKind, paid, equityAfter): paid when the venue valued the
            // account and paid the exit, else handed over in kind.
            let me = self.vm().contract_address();
            let exit = lean::encode(
                exitCall::SELECTOR,
                &[fraction.to_word(), me.to_word()],
                None,
            );
            let paid = match venue.failure {
                None => match lean::call(self, w.venue, &exit) {
                    Ok(o) => {
                        Some(lean::u256_at(&o, 0).ok_or_else(|| call_failed(w.venue, Vec::new()))?)
                    }
                    // the venue cannot pay now: hand the fraction over in kind
                    Err(_) => None,
                },
                Some(_) => None,
            };
            let settle = match paid {
                Some(paid) => [U256::ZERO, paid, self.venue_equity(&w)?.into_raw()],
                None => {
                    self.call(
                        w.venue,
                        &lean::encode(
                            transferPositionCall::SELECTOR,
                            &[fraction.to_word(), receiver.to_word()],
                            None,
                        ),
                    )?;
                    emit(
                        self.vm(),
                        &[HedgeTransferred::SIGNATURE_HASH, receiver.to_word()],
                        &[fraction.to_word()],
                    );
                    [U256::from(1u8), U256::ZERO, U256::ZERO]
                }
            };
            let mut args = ledger.to_vec();
            args.extend_from_slice(&[
                sub_held(supply, shares)?,
                fraction,
                venue.words[1],
                equity_out,
            ]);
            args.extend_from_slice(&settle);
            let out = self.engine(
                &w,
                IEngineCalls::settleVenueCall::SELECTOR,
                &args,
                Ledger::WORDS + 1,
            )?;
            ledger.copy_from_slice(&out[..Ledger::WORDS]);
            hedge_paid = out[Ledger::WORDS];
            self.push(w.token1, receiver, hedge_paid)?;
        }
        let total1 = add(amount1, hedge_paid)?;
        if amount0 < amount0_min || total1 < amount1_min {
            return Err(VaultSlippage {
                amount0,
                amount1: total1,
                min0: amount0_min,
                min1: amount1_min,
            }
            .into());
        }
        self.write_ledger(&ledger);
        self.write_holder(owner, &holder);
        self.shares.burn::<VaultError>(owner, shares)?;
        emit(
            self.vm(),
            &[
                Withdraw::SIGNATURE_HASH,
                owner.to_word(),
                receiver.to_word(),
            ],
            &[
                amount0.to_word(),
                total1.to_word(),
                shares.to_word(),
                hedge_paid.to_word(),
            ],
        );
        Ok((amount0, total1))
    }

    /// Controller only, not paused: adds `liquidity_delta` (> 0) to the
    /// vault's position, paid from idle tokens at the pool's price, or
    /// removes it (< 0) into idle tokens. Returns the tokens paid (adding)
    /// or received (removing). The position's fees are collected and
    /// credited first.
    ///
    /// # Errors
    /// `VaultNotController`, `VaultPaused`, `VaultZeroAmount` (a zero
    /// delta), `VaultInsufficientIdle` (removing more than the position
    /// holds, or adding more than the idle tokens pay for; when the vault's
    /// token balance cannot pay that either, the token's refusal inside the
    /// unlock: `VaultCallFailed(poolManager, VaultCallFailed(token, ..))`),
    /// `VaultPoolEmpty`, `VaultCallFailed`.
    ///
    /// # Events
    /// `LiquidityMoved`, `FeesCollected`, the PoolManager's `ModifyLiquidity`.
    pub fn move_liquidity(&mut self, liquidity_delta: I256) -> Result<(U256, U256), VaultError> {
        self.controlled(false)?;
        if liquidity_delta.is_zero() {
            return Err(VaultZeroAmount {}.into());
        }
        let w = self.wiring();
        let mut ledger = self.checkpoint(&w)?;
        let (a0, a1) = self.move_booked(&w, &mut ledger, liquidity_delta)?;
        self.write_ledger(&ledger);
        emit(
            self.vm(),
            &[LiquidityMoved::SIGNATURE_HASH],
            &[liquidity_delta.to_word(), a0.to_word(), a1.to_word()],
        );
        Ok((a0, a1))
    }

    /// Controller only, not paused: moves the vault's whole position to
    /// `[tick_lower, tick_upper]`. The fees are collected and credited
    /// first; then all the position's liquidity is removed into idle tokens
    /// (at the pool's price: the range's impermanent loss is realised), the
    /// new range stored, and the most liquidity the idle tokens pay for at
    /// the pool's price (`il_math::vault::liquidity_for`) added to it; what
    /// the new range cannot take stays idle (one side, mostly, after the
    /// price left the old range). Returns what the burn paid, the liquidity
    /// minted and what the mint took. The accounting needs no other step:
    /// it values the position, whatever its range, at the oracle.
    ///
    /// # Errors
    /// `VaultNotController`, `VaultPaused`, `VaultInvalidRange` (ends not
    /// multiples of the spacing, not ordered, or outside the usable ticks),
    /// `VaultPoolEmpty`, `VaultCallFailed` (the venue cannot value the hedge
    /// for the checkpoint, or the PoolManager refused).
    ///
    /// # Events
    /// `Reranged`, `FeesCollected`, the PoolManager's `ModifyLiquidity`.
    pub fn rerange(
        &mut self,
        tick_lower: I256,
        tick_upper: I256,
    ) -> Result<(U256, U256, U256, U256, U256), VaultError> {
        self.controlled(false)?;
        let old = self.pool_cfg();
        let (lo, hi) = il_math::v4::full_range_ticks(old.spacing)?;
        let (lower, upper) = match (
            lean::i32_of(tick_lower.into_raw()),
            lean::i32_of(tick_upper.into_raw()),
        ) {
            (Some(l), Some(u))
                if lo <= l
                    && l < u
                    && u <= hi
                    && l.checked_rem(old.spacing) == Some(0)
                    && u.checked_rem(old.spacing) == Some(0) =>
            {
                (l, u)
            }
            _ => {
                return Err(VaultInvalidRange {
                    tickLower: tick_lower,
                    tickUpper: tick_upper,
                }
                .into());
            }
        };
        let w = self.wiring();
        let mut ledger = self.checkpoint(&w)?;
        let burned = ledger[LIQUIDITY];
        let (mut out0, mut out1) = (U256::ZERO, U256::ZERO);
        if !burned.is_zero() {
            (out0, out1) = self.move_booked(&w, &mut ledger, il_math::to_negative(burned)?)?;
        }
        // cannot overflow: a hash plus two and three
        for (i, t) in [(2u8, lower), (3, upper)] {
            slots::set(
                self.vm(),
                POOL.wrapping_add(U256::from(i)),
                il_math::vault::tick_word(t),
            );
        }
        let slot0 = uni::slot0(self.vm(), w.pool_manager, &old.key(&w))
            .map_err(|reason| call_failed(w.pool_manager, reason))?;
        let state = il_math::vault::PoolState {
            sqrt_price: slot0.sqrt_price_x96,
            tick_lower: lower,
            tick_upper: upper,
        };
        let minted = il_math::vault::liquidity_for(&state, ledger[IDLE0], ledger[IDLE1])?;
        let (mut in0, mut in1) = (U256::ZERO, U256::ZERO);
        if !minted.is_zero() {
            (in0, in1) = self.move_booked(&w, &mut ledger, il_math::to_signed(minted)?)?;
        }
        self.write_ledger(&ledger);
        emit(
            self.vm(),
            &[Reranged::SIGNATURE_HASH],
            &[
                old.lower.to_word(),
                old.upper.to_word(),
                lower.to_word(),
                upper.to_word(),
                burned.to_word(),
                minted.to_word(),
            ],
        );
        Ok((out0, out1, minted, in0, in1))
    }

    /// Controller only, not paused (except a close alone, which reduces
    /// risk): moves `fund` idle token1 to the venue as collateral, trades
    /// `size_delta` token0 there (negative: short), and, with `close`, then
    /// closes the whole position and brings all the vault's equity there
    /// back to idle token1. Returns the position size after the trade and
    /// what closing paid.
    ///
    /// # Errors
    /// `VaultNotController`, `VaultPaused`, `VaultZeroAmount` (nothing to
    /// do), `VaultInsufficientIdle`, `VaultCallFailed` (the venue refused,
    /// or cannot value the account now).
    ///
    /// # Events
    /// `HedgeAdjusted`, the venue's events.
    pub fn adjust_hedge(
        &mut self,
        fund: U256,
        size_delta: I256,
        close: bool,
    ) -> Result<(I256, U256), VaultError> {
        // closing alone reduces risk: allowed while paused
        let close_only = close && fund.is_zero() && size_delta.is_zero();
        self.controlled(close_only)?;
        if fund.is_zero() && size_delta.is_zero() && !close {
            return Err(VaultZeroAmount {}.into());
        }
        let w = self.wiring();
        let mut ledger = self.checkpoint(&w)?;
        if !fund.is_zero() {
            ledger[IDLE1] = sub_held(ledger[IDLE1], fund)?;
            ledger[HEDGE_ACTIVE] = U256::from(1u8);
            // Collateral moves are not PnL: the baseline moves with them.
            ledger[EQUITY_LAST] = add_signed(ledger[EQUITY_LAST], il_math::to_signed(fund)?)?;
            self.call(
                w.venue,
                &lean::encode(depositCall::SELECTOR, &[fund.to_word()], None),
            )?;
        }
        let mut new_size = I256::ZERO;
        if !size_delta.is_zero() {
            let data = lean::encode(tradeCall::SELECTOR, &[size_delta.to_word()], None);
            new_size = I256::from_raw(self.call_u256(w.venue, &data, 0)?);
        }
        let mut paid = U256::ZERO;
        if close {
            let me = self.vm().contract_address();
            paid = self.venue_exit(&w, &mut ledger, il_math::WAD, me)?;
            ledger[IDLE1] = add(ledger[IDLE1], paid)?;
            new_size = I256::ZERO;
        }
        self.write_ledger(&ledger);
        emit(
            self.vm(),
            &[HedgeAdjusted::SIGNATURE_HASH],
            &[
                fund.to_word(),
                size_delta.to_word(),
                new_size.to_word(),
                paid.to_word(),
            ],
        );
        Ok((new_size, paid))
    }

    /// Controller only: sets the deposit cap (token1 the vault may hold
    /// after a deposit; 0: none) and the pause (stops deposits and
    /// controller moves, never withdrawals), and hands control to
    /// `controller` (a new manager). A handover is immediate while the vault
    /// holds no deposits (the deployer to the first manager); after that it
    /// is proposed first (`ControllerProposed`) and takes effect when the
    /// controller repeats it from `CONTROLLER_DELAY` later, so holders see it
    /// coming. Configuring the current controller withdraws a proposal.
    ///
    /// # Errors
    /// `VaultNotController`, `VaultInvalidAddress` for a zero controller,
    /// `VaultControllerNotReady` (repeated before the delay is over).
    ///
    /// # Events
    /// `Configured`, `ControllerProposed`.
    pub fn configure(
        &mut self,
        controller: Address,
        deposit_cap: U256,
        paused: bool,
    ) -> Result<(), VaultError> {
        let caller = self.vm().msg_sender();
        let mut admin = self.read_admin();
        if caller != admin.controller {
            return Err(VaultNotController { account: caller }.into());
        }
        if controller.is_zero() {
            return Err(VaultInvalidAddress {
                account: controller,
            }
            .into());
        }
        admin.deposit_cap = deposit_cap;
        admin.paused = paused;
        let now = self.vm().block_timestamp();
        let immediate = self.shares.total_supply().is_zero();
        if controller == admin.controller || immediate {
            admin = Admin {
                controller,
                pending: Address::ZERO,
                ready_at: 0,
                ..admin
            };
        } else if controller == admin.pending {
            if now < admin.ready_at {
                return Err(VaultControllerNotReady {
                    readyAt: admin.ready_at,
                }
                .into());
            }
            admin = Admin {
                controller,
                pending: Address::ZERO,
                ready_at: 0,
                ..admin
            };
        } else {
            admin.pending = controller;
            admin.ready_at = now.saturating_add(CONTROLLER_DELAY);
            emit(
                self.vm(),
                &[ControllerProposed::SIGNATURE_HASH, controller.to_word()],
                &[admin.ready_at.to_word()],
            );
        }
        self.write_admin(&admin);
        emit(
            self.vm(),
            &[Configured::SIGNATURE_HASH, admin.controller.to_word()],
            &[deposit_cap.to_word(), paused.to_word()],
        );
        Ok(())
    }

    /// The contracts the vault is wired to: token0, token1, the v4
    /// PoolManager, venue, oracle, engine, and its operations program.
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
        VaultError,
    > {
        let w = self.wiring();
        Ok((
            w.token0,
            w.token1,
            w.pool_manager,
            w.venue,
            w.oracle,
            w.engine,
            w.ops,
        ))
    }

    /// The pool key's tick spacing and hooks (zero until `setPool`), and
    /// the vault's range of ticks.
    pub fn pool(&self) -> Result<(u32, Address, i32, i32), VaultError> {
        let p = self.pool_cfg();
        Ok((p.spacing.unsigned_abs(), p.hooks, p.lower, p.upper))
    }

    /// Words: the controller, the deposit cap (token1; 0: none), whether
    /// deposits and controller moves are paused (0/1), and the ledger record
    /// as of the last checkpoint (13 words, `il_math::vault::Ledger` order:
    /// liquidity, idle0, idle1, hedgeActive, hold0, hold1, fee0PerShare,
    /// fee1PerShare, fee0Total, fee1Total, hedgePerShare, hedgeTotal,
    /// equityLast; signed words in two's complement). Fees the position
    /// earned since are in the pool until the next checkpoint collects them.
    pub fn state(&self) -> Result<Vec<U256>, VaultError> {
        let a = self.read_admin();
        let mut words = [
            slots::from_address(a.controller),
            a.deposit_cap,
            U256::from(u8::from(a.paused)),
        ]
        .to_vec();
        words.extend_from_slice(&self.read_ledger());
        Ok(words)
    }

    /// One holder's record as of their last settlement (8 words,
    /// `il_math::vault::HolderRecord` order: hold0, hold1, fee0, fee0Debt,
    /// fee1, fee1Debt, hedgePnl, hedgeDebt).
    pub fn holder(&self, account: Address) -> Result<Vec<U256>, VaultError> {
        Ok(self.read_holder(account).to_vec())
    }

    /// The proposed controller and when it can take over (zeros: none).
    pub fn pending_controller(&self) -> Result<(Address, u64), VaultError> {
        let a = self.read_admin();
        Ok((a.pending, a.ready_at))
    }

    /// Shares of `account` locked by its last deposit while a hedge was
    /// open, and when they are free (both as stored: past locks read as
    /// free).
    pub fn lock_of(&self, account: Address) -> Result<(U256, u64), VaultError> {
        let mut w = [U256::ZERO; 2];
        let base = slots::keyed(self.vm(), account.into_word(), LOCKS);
        slots::load(self.vm(), base, &mut w);
        Ok((w[0], w[1].saturating_to()))
    }
}

impl Erc20Metadata for Vault {
    fn erc20_name(&self) -> alloc::string::String {
        "IL-managed LP share".into()
    }

    fn erc20_symbol(&self) -> alloc::string::String {
        "ilLP".into()
    }

    fn erc20_decimals(&self) -> u8 {
        18
    }
}

fn add(a: U256, b: U256) -> Result<U256, VaultError> {
    a.checked_add(b).ok_or_else(|| MathError::Overflow.into())
}

/// `held - amount`, refusing to move more than the vault holds.
fn sub_held(held: U256, amount: U256) -> Result<U256, VaultError> {
    held.checked_sub(amount).ok_or_else(|| {
        VaultInsufficientIdle {
            needed: amount,
            available: held,
        }
        .into()
    })
}

fn add_signed(word: U256, delta: I256) -> Result<U256, VaultError> {
    let sum = I256::from_raw(word)
        .checked_add(delta)
        .ok_or(MathError::Overflow)?;
    Ok(sum.into_raw())
}

/// A tick as a sign-extended word.
fn tick_word(t: i32) -> U256 {
    U256::from_be_bytes(t.to_word().0)
}

/// The ledger and holder records at the start of an engine result.
const RECORDS: usize = Ledger::WORDS + HolderRecord::WORDS;

/// The `N` words after the records of an engine result (whose length the
/// vault checked).
fn tail<const N: usize>(out: &[U256]) -> [U256; N] {
    let mut t = [U256::ZERO; N];
    for (d, s) in t.iter_mut().zip(out.iter().skip(RECORDS)) {
        *d = *s;
    }
    t
}

/// The ledger and holder records at the start of an engine result.
fn split_records(out: &[U256]) -> (LedgerWords, HolderWords) {
    let mut l = [U256::ZERO; Ledger::WORDS];
    let mut h = [U256::ZERO; HolderRecord::WORDS];
    l.copy_from_slice(&out[..Ledger::WORDS]);
    h.copy_from_slice(&out[Ledger::WORDS..RECORDS]);
    (l, h)
}

impl Vault {
    fn wiring(&self) -> Wiring {
        let mut w = [U256::ZERO; 7];
        slots::load(self.vm(), WIRING, &mut w);
        let [token0, token1, pool_manager, venue, oracle, engine, ops] = w.map(slots::to_address);
        Wiring {
            token0,
            token1,
            pool_manager,
            venue,
            oracle,
            engine,
            ops,
        }
    }

    fn pool_cfg(&self) -> PoolCfg {
        let mut w = [U256::ZERO; 4];
        slots::load(self.vm(), POOL, &mut w);
        // stored from an i32 spacing and i32 ticks
        let small = |x: U256| lean::i32_of(x).unwrap_or_default();
        PoolCfg {
            spacing: small(w[0]),
            hooks: slots::to_address(w[1]),
            lower: small(w[2]),
            upper: small(w[3]),
        }
    }

    fn read_admin(&self) -> Admin {
        let mut w = [U256::ZERO; 5];
        slots::load(self.vm(), ADMIN, &mut w);
        Admin {
            controller: slots::to_address(w[0]),
            deposit_cap: w[1],
            paused: !w[2].is_zero(),
            pending: slots::to_address(w[3]),
            // stored from a u64
            ready_at: w[4].saturating_to(),
        }
    }

    fn write_admin(&self, a: &Admin) {
        slots::store(
            self.vm(),
            ADMIN,
            &[
                slots::from_address(a.controller),
                a.deposit_cap,
                U256::from(u8::from(a.paused)),
                slots::from_address(a.pending),
                U256::from(a.ready_at),
            ],
        );
    }

    /// `VaultLocked` unless `shares` of `owner`'s `balance` are free of a
    /// deposit lock.
    fn check_unlocked(
        &self,
        owner: Address,
        balance: U256,
        shares: U256,
    ) -> Result<(), VaultError> {
        let (locked, until) = self.lock_of(owner)?;
        if until > self.vm().block_timestamp() && shares > balance.saturating_sub(locked) {
            return Err(VaultLocked { unlockAt: until }.into());
        }
        Ok(())
    }

    fn read_ledger(&self) -> LedgerWords {
        let mut w = [U256::ZERO; Ledger::WORDS];
        slots::load(self.vm(), LEDGER, &mut w);
        w
    }

    fn write_ledger(&self, w: &LedgerWords) {
        slots::store(self.vm(), LEDGER, w);
    }

    fn read_holder(&self, account: Address) -> HolderWords {
        let base = slots::keyed(self.vm(), account.into_word(), HOLDERS);
        let mut w = [U256::ZERO; HolderRecord::WORDS];
        slots::load(self.vm(), base, &mut w);
        w
    }

    fn write_holder(&self, account: Address, w: &HolderWords) {
        let base = slots::keyed(self.vm(), account.into_word(), HOLDERS);
        slots::store(self.vm(), base, w);
    }

    /// Passes when the caller is the controller and the vault is not paused
    /// (or the move is allowed while paused).
    fn controlled(&self, while_paused: bool) -> Result<(), VaultError> {
        let admin = self.read_admin();
        let caller = self.vm().msg_sender();
        if caller != admin.controller {
            return Err(VaultNotController { account: caller }.into());
        }
        if admin.paused && !while_paused {
            return Err(VaultPaused {}.into());
        }
        Ok(())
    }

    // ---- engine --------------------------------------------------------------

    /// `ledger[13] (, holder[8]), pool[3], fees[2], venue[5]`: the start of
    /// the engine's argument lists (the stored records, the pool and the
    /// venue account as read now, the fees the position just paid), and
    /// the venue block on its own. Collects the position's fees first.
    fn engine_prefix(
        &mut self,
        w: &Wiring,
        holder: Option<Address>,
    ) -> Result<(Vec<U256>, VenueRead), VaultError> {
        let ledger = self.read_ledger();
        let pool = self.pool_cfg();
        if pool.hooks.is_zero() {
            return Err(VaultPoolEmpty {}.into());
        }
        let slot0 = uni::slot0(self.vm(), w.pool_manager, &pool.key(w))
            .map_err(|reason| call_failed(w.pool_manager, reason))?;
        if slot0.sqrt_price_x96.is_zero() {
            return Err(VaultPoolEmpty {}.into());
        }
        let (fee0, fee1) = if ledger[LIQUIDITY].is_zero() {
            (U256::ZERO, U256::ZERO)
        } else {
            let me = self.vm().contract_address();
            let (_, _, f0, f1) = self.modify(w, I256::ZERO, me)?;
            if !(f0.is_zero() && f1.is_zero()) {
                emit(
                    self.vm(),
                    &[FeesCollected::SIGNATURE_HASH],
                    &[f0.to_word(), f1.to_word()],
                );
            }
            (f0, f1)
        };
        let mut args = Vec::with_capacity(34);
        args.extend_from_slice(&ledger);
        if let Some(account) = holder {
            args.extend_from_slice(&self.read_holder(account));
        }
        args.extend_from_slice(&[
            slot0.sqrt_price_x96,
            tick_word(pool.lower),
            tick_word(pool.upper),
            fee0,
            fee1,
        ]);
        let me = self.vm().contract_address();
        let venue = venue::read(self.vm(), w.venue, me, !ledger[HEDGE_ACTIVE].is_zero())
            .map_err(|reason| call_failed(w.venue, reason))?;
        args.extend_from_slice(&venue.words);
        Ok((args, venue))
    }

    /// The venue's equity of the vault's account now (after an exit).
    fn venue_equity(&self, w: &Wiring) -> Result<I256, VaultError> {
        let me = self.vm().contract_address();
        let out = self.view(
            w.venue,
            &lean::encode(equityOfCall::SELECTOR, &[me.to_word()], None),
        )?;
        Ok(I256::from_raw(
            lean::u256_at(&out, 0).ok_or_else(|| call_failed(w.venue, Vec::new()))?,
        ))
    }

    /// Calls engine function `selector` with `args`; the result must have
    /// `words` words.
    fn engine(
        &self,
        w: &Wiring,
        selector: [u8; 4],
        args: &[U256],
        words: usize,
    ) -> Result<Vec<U256>, VaultError> {
        let out = self.view(w.engine, &lean::encode_array(selector, args))?;
        let out = lean::decode_array(&out).ok_or_else(|| call_failed(w.engine, Vec::new()))?;
        if out.len() != words {
            return Err(VaultEngineOutput {
                length: U256::from(out.len()),
            }
            .into());
        }
        Ok(out)
    }

    /// The ledger with its accumulators brought to now, the position's fees
    /// collected and credited (the venue must be able to value the account).
    fn checkpoint(&mut self, w: &Wiring) -> Result<LedgerWords, VaultError> {
        let (mut args, venue) = self.engine_prefix(w, None)?;
        valued(w, venue.failure)?;
        args.push(self.shares.total_supply());
        let out = self.engine(
            w,
            IEngineCalls::checkpointCall::SELECTOR,
            &args,
            Ledger::WORDS,
        )?;
        let mut l = [U256::ZERO; Ledger::WORDS];
        l.copy_from_slice(&out);
        Ok(l)
    }

    // ---- the v4 position -------------------------------------------------------

    /// Changes the vault's position by `delta` (`modify`, in the stored
    /// range) and books it in `ledger`: a removal takes the liquidity off
    /// the books first (refused with `VaultInsufficientIdle` before the
    /// PoolManager is asked) and adds what it paid to idle; an addition
    /// adds the liquidity and takes what it cost from idle. Returns the
    /// token amounts moved.
    fn move_booked(
        &mut self,
        w: &Wiring,
        ledger: &mut LedgerWords,
        delta: I256,
    ) -> Result<(U256, U256), VaultError> {
        let removing = delta.is_negative();
        if removing {
            ledger[LIQUIDITY] = sub_held(ledger[LIQUIDITY], delta.unsigned_abs())?;
        }
        let me = self.vm().contract_address();
        let (p0, p1, _, _) = self.modify(w, delta, me)?;
        let (a0, a1) = (p0.unsigned_abs(), p1.unsigned_abs());
        if removing {
            ledger[IDLE0] = add(ledger[IDLE0], a0)?;
            ledger[IDLE1] = add(ledger[IDLE1], a1)?;
        } else {
            ledger[LIQUIDITY] = add(ledger[LIQUIDITY], delta.into_raw())?;
            ledger[IDLE0] = sub_held(ledger[IDLE0], a0)?;
            ledger[IDLE1] = sub_held(ledger[IDLE1], a1)?;
        }
        Ok((a0, a1))
    }

    /// Changes the vault's position by `delta` inside one `unlock` (see
    /// `unlockCallback`): what removing pays goes to `recipient`, the fees
    /// to the vault. Returns the principal amounts (negative: paid by the
    /// vault) and the fees.
    fn modify(
        &mut self,
        w: &Wiring,
        delta: I256,
        recipient: Address,
    ) -> Result<(I256, I256, U256, U256), VaultError> {
        let data = il_common::router::words(&[delta.to_word(), recipient.to_word()]);
        let out = self.call(
            w.pool_manager,
            &lean::encode(unlockCall::SELECTOR, &[], Some(&data)),
        )?;
        // `bytes` returned: offset, length, then the callback's four words
        let word = |i: usize| lean::u256_at(&out, i);
        let (Some(p0), Some(p1), Some(f0), Some(f1)) = (word(2), word(3), word(4), word(5)) else {
            return Err(call_failed(w.pool_manager, Vec::new()));
        };
        Ok((I256::from_raw(p0), I256::from_raw(p1), f0, f1))
    }

    /// Takes `amount` of `token` the PoolManager owes the vault, to `to`.
    fn take(
        &mut self,
        w: &Wiring,
        token: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), VaultError> {
        if amount.is_zero() {
            return Ok(());
        }
        let data = lean::encode(
            takeCall::SELECTOR,
            &[token.to_word(), to.to_word(), amount.to_word()],
            None,
        );
        self.call(w.pool_manager, &data).map(drop)
    }

    // ---- external calls ------------------------------------------------------

    fn call(&mut self, target: Address, data: &[u8]) -> Result<Vec<u8>, VaultError> {
        lean::call(self, target, data).map_err(|reason| call_failed(target, reason))
    }

    fn call_u256(&mut self, target: Address, data: &[u8], word: usize) -> Result<U256, VaultError> {
        let out = self.call(target, data)?;
        lean::u256_at(&out, word).ok_or_else(|| call_failed(target, Vec::new()))
    }

    fn view(&self, target: Address, data: &[u8]) -> Result<Vec<u8>, VaultError> {
        lean::static_call(self.vm(), target, data).map_err(|reason| call_failed(target, reason))
    }

    /// A call whose first return word must be `true` (ERC-20 transfers).
    fn expect_true(&mut self, token: Address, data: &[u8]) -> Result<(), VaultError> {
        if self.call_u256(token, data, 0)? != U256::from(1u8) {
            return Err(call_failed(token, Vec::new()));
        }
        Ok(())
    }

    fn pull(
        &mut self,
        token: Address,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), VaultError> {
        if amount.is_zero() {
            return Ok(());
        }
        let data = lean::encode(
            transferFromCall::SELECTOR,
            &[from.to_word(), to.to_word(), amount.to_word()],
            None,
        );
        self.expect_true(token, &data)
    }

    fn push(&mut self, token: Address, to: Address, amount: U256) -> Result<(), VaultError> {
        if amount.is_zero() {
            return Ok(());
        }
        let data = lean::encode(
            transferCall::SELECTOR,
            &[to.to_word(), amount.to_word()],
            None,
        );
        self.expect_true(token, &data)
    }

    /// Closes `fraction` (WAD) of the venue position and sends that part of
    /// the equity to `to`; the accounting baseline moves with the payout.
    fn venue_exit(
        &mut self,
        w: &Wiring,
        ledger: &mut LedgerWords,
        fraction: U256,
        to: Address,
    ) -> Result<U256, VaultError> {
        let data = lean::encode(
            exitCall::SELECTOR,
            &[fraction.to_word(), to.to_word()],
            None,
        );
        let paid = self.call_u256(w.venue, &data, 0)?;
        ledger[EQUITY_LAST] = add_signed(ledger[EQUITY_LAST], il_math::to_negative(paid)?)?;
        Ok(paid)
    }

    /// Share transfers move a pro-rata part of the sender's record (as of
    /// the last checkpoint) to the receiver. Invalid transfers are left to
    /// the ERC-20 core, which reports the error next.
    ///
    /// No checkpoint here, on purpose: credits (fee liquidity, hedge PnL)
    /// move with the shares pro rata, so what accrued since the last
    /// checkpoint lands exactly where settling now would put it (the next
    /// checkpoint credits it per share, to the shares wherever they are).
    /// A transfer therefore never reads the pool, the engine's checkpoint or
    /// the venue, and a stale oracle never blocks one.
    fn before_share_transfer(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<(), VaultError> {
        let balance = self.shares.balance_of(from);
        if from == to || from.is_zero() || to.is_zero() || value.is_zero() || value > balance {
            return Ok(());
        }
        self.check_unlocked(from, balance, value)?;
        let w = self.wiring();
        let ledger = self.read_ledger();
        let mut args = Vec::with_capacity(22);
        args.extend_from_slice(&self.read_holder(from));
        args.extend_from_slice(&self.read_holder(to));
        args.extend_from_slice(&[
            ledger[FEE0_PER_SHARE],
            ledger[FEE1_PER_SHARE],
            ledger[HEDGE_PER_SHARE],
            balance,
            self.shares.balance_of(to),
            value,
        ]);
        let out = self.engine(
            &w,
            IEngineCalls::transferCall::SELECTOR,
            &args,
            2 * HolderRecord::WORDS,
        )?;
        let (mut a, mut b) = (
            [U256::ZERO; HolderRecord::WORDS],
            [U256::ZERO; HolderRecord::WORDS],
        );
        a.copy_from_slice(&out[..HolderRecord::WORDS]);
        b.copy_from_slice(&out[HolderRecord::WORDS..]);
        self.write_holder(from, &a);
        self.write_holder(to, &b);
        Ok(())
    }
}

/// `VaultCallFailed(venue, reason)` when the venue could not value the account.
fn valued(w: &Wiring, failure: Option<Vec<u8>>) -> Result<(), VaultError> {
    match failure {
        None => Ok(()),
        Some(reason) => Err(call_failed(w.venue, reason)),
    }
}

fn call_failed(target: Address, reason: Vec<u8>) -> VaultError {
    VaultCallFailed {
        target,
        reason: Bytes::from(reason),
    }
    .into()
}

il_common::erc20_methods!(
    Vault,
    shares,
    VaultError,
    before_transfer = before_share_transfer
);

// SAFETY: the vault is the top-level storage of both its programs
// (`il-vault` and `il-vault-ops`, which route over it with
// `il_common::lean_route!`).
unsafe impl stylus_sdk::stylus_core::storage::TopLevelStorage for Vault {}
