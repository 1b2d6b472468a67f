//! The IL-managed LP vault: custody, shares and exact accounting.
//!
//! Depositors put in two tokens and receive shares (an ERC-20). The vault
//! holds an LP position in the pool, an idle reserve of both tokens, and an
//! account at the hedge venue, and keeps exact fixed-point accounting of
//! what each holder's position did against simply holding what they put in.
//!
//! The system is four contracts, split by responsibility (and because a
//! Stylus program must stay under 24 KiB compressed, which the whole did
//! not come close to):
//! - this **vault** holds the money: deposits, withdrawals, shares, the
//!   accounting state, and two asset moves only its controller may make
//!   (`moveLiquidity`, `adjustHedge`);
//! - the **manager** (`il-manager`), its controller once wired, holds the
//!   owner, the keeper role and every bound: fee tiers, rebalances and
//!   hedges computed on chain, pause and deposit cap;
//! - the **lens** (`il-lens`) computes the views: value, hold benchmark,
//!   IL, fee income and hedge PnL, vault-wide and per holder, and deposit
//!   previews;
//! - the **engine** (`il-engine`) computes, for all of them.
//!
//! Math: the vault holds no fixed-point code. Its accounting state is a
//! word record (`il_math::vault::Ledger`) and every transition of it
//! (checkpoint, deposit, withdrawal, share transfer) is computed by the
//! **engine** (`il-engine`), a stateless contract that is exactly
//! `il_math::vault`; the vault moves tokens and stores the results.
//!
//! Accounting (rules in `il_math::vault`): the pool's growth index
//! `g = sqrt(k) / supply` only rises with fees; at each checkpoint the vault
//! credits `lp * dg / shares` liquidity per share (a MasterChef-style
//! accumulator), and likewise the change of its venue equity not due to
//! collateral moves. Checkpoints run before every deposit, withdrawal and
//! controller move. A share transfer moves a pro-rata part of the sender's
//! benchmark and credits (as of the last checkpoint) to the receiver.
//!
//! Internal accounting (`lp`, `idle0`, `idle1`): tokens sent to the vault
//! outside a deposit are ignored, so a donation cannot move the share price;
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
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![deny(clippy::arithmetic_side_effects)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{Address, Bytes, I256, U256};
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
    /// address pool, address venue, address oracle, address engine, address
    /// controller)`.
    #[sol(abi)]
    interface IVault {
        /// Deposits at most `amount0Max`/`amount1Max` pro rata; mints at least `minShares` to `receiver`.
        function deposit(uint256 amount0Max, uint256 amount1Max, uint256 minShares, address receiver) external returns (uint256 shares, uint256 amount0, uint256 amount1);
        /// Redeems `shares` for at least `amount0Min`/`amount1Min` (hedge payout included), sent to `receiver`.
        function withdraw(uint256 shares, uint256 amount0Min, uint256 amount1Min, address receiver) external returns (uint256 amount0, uint256 amount1);
        /// Controller only: burns `burnLp` pool shares to idle, then adds idle `add0`/`add1` to the pool.
        function moveLiquidity(uint256 burnLp, uint256 add0, uint256 add1) external returns (uint256 minted, uint256 out0, uint256 out1);
        /// Controller only: funds the venue with `fund` idle token1, trades `sizeDelta`, and with `close` closes the position.
        function adjustHedge(uint256 fund, int256 sizeDelta, bool close) external returns (int256 newSize, uint256 paid);
        /// Controller only: sets the controller, the deposit cap (token1; 0: none) and the pause.
        function configure(address controller, uint256 depositCap, bool paused) external;
        /// token0, token1, pool, venue, oracle, engine.
        function contracts() external view returns (address token0, address token1, address pool, address venue, address oracle, address engine);
        /// controller, depositCap, paused, then the ledger record (12 words, il_math::vault::Ledger order).
        function state() external view returns (uint256[] words);
        /// A holder's record (6 words, il_math::vault::HolderRecord order).
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
        /// The controller moved liquidity: `lpDelta` pool shares minted (+) or burned (-) for `amount0`/`amount1` idle tokens.
        #[derive(Debug, PartialEq, Eq)]
        event LiquidityMoved(int256 lpDelta, uint256 amount0, uint256 amount1);
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
        /// The pool has no liquidity yet; seed it before the first deposit.
        #[derive(Debug, PartialEq, Eq)]
        error VaultPoolEmpty();
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
}
}

pub use IVault::{
    Configured, ControllerProposed, Deposit, HedgeAdjusted, HedgeTransferred, LiquidityMoved,
    VaultCallFailed, VaultControllerNotReady, VaultDepositCap, VaultEngineOutput,
    VaultExceedsBalance, VaultInsufficientIdle, VaultInsufficientShares, VaultInvalidAddress,
    VaultLocked, VaultMath, VaultNotController, VaultPaused, VaultPoolEmpty, VaultSlippage,
    VaultZeroAmount, Withdraw,
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
        function totalSupply() external view returns (uint256);
        function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
        function mint(address to) external returns (uint256 liquidity);
        function burn(address to) external returns (uint256 amount0, uint256 amount1);
        function deposit(uint256 amount) external;
        function trade(int256 sizeDelta) external returns (int256 newSize);
        function exit(uint256 fractionWad, address to) external returns (uint256 paid);
        function equityOf(address account) external view returns (int256);
        function transferPosition(uint256 fractionWad, address to) external;
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
    approveCall, burnCall, depositCall, equityOfCall, exitCall, getReservesCall, mintCall,
    totalSupplyCall, tradeCall, transferCall, transferFromCall, transferPositionCall,
};

/// Words at `WIRING` (set once): token0, token1, pool, venue, oracle, engine.
const WIRING: U256 = slots::base(b"il.vault.wiring");
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
const LP: usize = 0;
const IDLE0: usize = 1;
const IDLE1: usize = 2;
const HEDGE_ACTIVE: usize = 3;
const EQUITY_LAST: usize = 11;
const FEE_PER_SHARE: usize = 6;
const HEDGE_PER_SHARE: usize = 8;

type LedgerWords = [U256; Ledger::WORDS];
type HolderWords = [U256; HolderRecord::WORDS];

/// The contracts the vault is wired to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wiring {
    pub token0: Address,
    pub token1: Address,
    pub pool: Address,
    pub venue: Address,
    pub oracle: Address,
    pub engine: Address,
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
    /// Wires the vault to its tokens, pool, hedge venue, oracle and engine
    /// and sets the first controller (the deployer, who hands control to
    /// the manager with `configure` once the manager exists). The venue may
    /// pull token1 from the vault (an unlimited approval given here), which
    /// it does only when the controller funds the hedge.
    ///
    /// # Errors
    /// `VaultInvalidAddress` for a zero address, `VaultCallFailed` if token1
    /// refuses the approval.
    ///
    /// # Events
    /// `Configured`, token1's `Approval`.
    #[allow(clippy::too_many_arguments)]
    pub fn constructor(
        &mut self,
        token0: Address,
        token1: Address,
        pool: Address,
        venue: Address,
        oracle: Address,
        engine: Address,
        controller: Address,
    ) -> Result<(), VaultError> {
        let wiring = [token0, token1, pool, venue, oracle, engine];
        for a in wiring.iter().chain([&controller]) {
            if a.is_zero() {
                return Err(VaultInvalidAddress { account: *a }.into());
            }
        }
        slots::store(self.vm(), WIRING, &wiring.map(slots::from_address));
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

    /// Deposits at most `amount0_max`/`amount1_max` in the vault's current
    /// proportions (LP at spot reserves + idle + hedge equity, the latter at
    /// the higher of its oracle and spot marks) and mints shares to
    /// `receiver`. The pool's part of the vault goes to the pool at its
    /// ratio, the rest stays idle. The first deposit is added to the pool
    /// entirely (what does not match the pool's ratio stays idle), mints
    /// `sqrt(amount0 * amount1) - MINIMUM_SHARES` shares and locks
    /// `MINIMUM_SHARES`. Shares round down; the amounts taken round up.
    /// While a hedge is open the minted shares are locked for
    /// `DEPOSIT_LOCK`.
    ///
    /// # Errors
    /// `VaultPaused`, `VaultZeroAmount`, `VaultInvalidAddress`,
    /// `VaultPoolEmpty`, `VaultInsufficientShares`, `VaultDepositCap`,
    /// `VaultCallFailed` (a token transfer, the pool, the engine failed, or
    /// the venue cannot value the hedge now: a deposit must price it).
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
        let w = self.wiring();
        let ledger = self.read_ledger();
        let supply = self.shares.total_supply();
        let (mut args, venue) = self.engine_prefix(&w, &ledger, Some(receiver))?;
        valued(&w, venue.failure)?;
        args.extend_from_slice(&[
            supply,
            self.shares.balance_of(receiver),
            amount0_max,
            amount1_max,
        ]);
        let out = self.engine(&w, IEngineCalls::depositCall::SELECTOR, &args, 25)?;
        let (mut ledger, holder) = split_records(&out);
        let [
            shares,
            amount0,
            amount1,
            to_pool0,
            to_pool1,
            _total0,
            total1,
        ] = [
            out[18], out[19], out[20], out[21], out[22], out[23], out[24],
        ];
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
        self.mint_lp(&w, &mut ledger, to_pool0, to_pool1, false)?;
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
        let ledger = self.read_ledger();
        let supply = self.shares.total_supply();
        let (mut args, venue) = self.engine_prefix(&w, &ledger, Some(owner))?;
        args.extend_from_slice(&[supply, balance, shares]);
        let out = self.engine(&w, IEngineCalls::withdrawCall::SELECTOR, &args, 23)?;
        let (mut ledger, holder) = split_records(&out);
        let [lp, idle0, idle1, fraction, equity_out] =
            [out[18], out[19], out[20], out[21], out[22]];

        let (mut amount0, mut amount1) = (idle0, idle1);
        if !lp.is_zero() {
            self.push(w.pool, w.pool, lp)?;
            let burned = self.call(
                w.pool,
                &lean::encode(burnCall::SELECTOR, &[receiver.to_word()], None),
            )?;
            let (Some(b0), Some(b1)) = (lean::u256_at(&burned, 0), lean::u256_at(&burned, 1))
            else {
                return Err(call_failed(w.pool, Vec::new()));
            };
            amount0 = add(amount0, b0)?;
            amount1 = add(amount1, b1)?;
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

    /// Controller only, not paused: burns `burn_lp` pool shares into idle
    /// tokens, then adds idle `add0`/`add1` to the pool (at its ratio: what
    /// does not match is donated to the pool's LPs, as Uniswap V2's `mint`
    /// does, so the controller passes matching amounts). Returns the pool
    /// shares minted and the tokens the burn returned.
    ///
    /// # Errors
    /// `VaultNotController`, `VaultPaused`, `VaultZeroAmount` (nothing to
    /// do), `VaultInsufficientIdle`, `VaultCallFailed`.
    ///
    /// # Events
    /// `LiquidityMoved` (one per direction), the pool's `Burn`/`Mint`.
    pub fn move_liquidity(
        &mut self,
        burn_lp: U256,
        add0: U256,
        add1: U256,
    ) -> Result<(U256, U256, U256), VaultError> {
        self.controlled(false)?;
        if burn_lp.is_zero() && (add0.is_zero() || add1.is_zero()) {
            return Err(VaultZeroAmount {}.into());
        }
        let w = self.wiring();
        let mut ledger = self.checkpoint(&w)?;
        let (mut out0, mut out1) = (U256::ZERO, U256::ZERO);
        if !burn_lp.is_zero() {
            ledger[LP] = sub_held(ledger[LP], burn_lp)?;
            let me = self.vm().contract_address();
            self.push(w.pool, w.pool, burn_lp)?;
            let burned = self.call(
                w.pool,
                &lean::encode(burnCall::SELECTOR, &[me.to_word()], None),
            )?;
            let (Some(b0), Some(b1)) = (lean::u256_at(&burned, 0), lean::u256_at(&burned, 1))
            else {
                return Err(call_failed(w.pool, Vec::new()));
            };
            (out0, out1) = (b0, b1);
            ledger[IDLE0] = add(ledger[IDLE0], b0)?;
            ledger[IDLE1] = add(ledger[IDLE1], b1)?;
            let delta = il_math::to_negative(burn_lp)?;
            emit(
                self.vm(),
                &[LiquidityMoved::SIGNATURE_HASH],
                &[delta.to_word(), b0.to_word(), b1.to_word()],
            );
        }
        let minted = self.mint_lp(&w, &mut ledger, add0, add1, true)?;
        self.write_ledger(&ledger);
        Ok((minted, out0, out1))
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

    /// The contracts the vault is wired to: token0, token1, pool, venue,
    /// oracle, engine.
    pub fn contracts(
        &self,
    ) -> Result<(Address, Address, Address, Address, Address, Address), VaultError> {
        let w = self.wiring();
        Ok((w.token0, w.token1, w.pool, w.venue, w.oracle, w.engine))
    }

    /// Words: the controller, the deposit cap (token1; 0: none), whether
    /// deposits and controller moves are paused (0/1), and the ledger record
    /// as of the last checkpoint (12 words, `il_math::vault::Ledger` order: lp,
    /// idle0, idle1, hedgeActive, hold0, hold1, feePerShare, feeTotal,
    /// hedgePerShare, hedgeTotal, growthLast, equityLast; signed words in
    /// two's complement). The engine's `checkpoint` brings it to now (the
    /// lens does).
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

    /// One holder's record as of their last settlement (6 words,
    /// `il_math::vault::HolderRecord` order: hold0, hold1, feeLiquidity,
    /// feeDebt, hedgePnl, hedgeDebt).
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

/// The ledger and holder records at the start of an engine result.
fn split_records(out: &[U256]) -> (LedgerWords, HolderWords) {
    let mut l = [U256::ZERO; Ledger::WORDS];
    let mut h = [U256::ZERO; HolderRecord::WORDS];
    l.copy_from_slice(&out[..Ledger::WORDS]);
    h.copy_from_slice(&out[Ledger::WORDS..Ledger::WORDS + HolderRecord::WORDS]);
    (l, h)
}

impl Vault {
    fn wiring(&self) -> Wiring {
        let mut w = [U256::ZERO; 6];
        slots::load(self.vm(), WIRING, &mut w);
        let [token0, token1, pool, venue, oracle, engine] = w.map(slots::to_address);
        Wiring {
            token0,
            token1,
            pool,
            venue,
            oracle,
            engine,
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

    /// `ledger[12] (, holder[6]), pool[3], venue[5]`: the start of the
    /// engine's argument lists (the pool and the venue account as read now),
    /// and the venue block on its own.
    fn engine_prefix(
        &self,
        w: &Wiring,
        ledger: &LedgerWords,
        holder: Option<Address>,
    ) -> Result<(Vec<U256>, VenueRead), VaultError> {
        let mut args = Vec::with_capacity(30);
        args.extend_from_slice(ledger);
        if let Some(account) = holder {
            args.extend_from_slice(&self.read_holder(account));
        }
        let reserves = self.view(w.pool, &lean::encode(getReservesCall::SELECTOR, &[], None))?;
        let supply = self.view(w.pool, &lean::encode(totalSupplyCall::SELECTOR, &[], None))?;
        let (Some(reserve0), Some(reserve1), Some(supply)) = (
            lean::u256_at(&reserves, 0),
            lean::u256_at(&reserves, 1),
            lean::u256_at(&supply, 0),
        ) else {
            return Err(call_failed(w.pool, Vec::new()));
        };
        if reserve0.is_zero() || reserve1.is_zero() {
            return Err(VaultPoolEmpty {}.into());
        }
        let me = self.vm().contract_address();
        let venue = venue::read(self.vm(), w.venue, me, !ledger[HEDGE_ACTIVE].is_zero())
            .map_err(|reason| call_failed(w.venue, reason))?;
        args.extend_from_slice(&[reserve0, reserve1, supply]);
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

    /// The ledger with its accumulators brought to now (the venue must be
    /// able to value the account).
    fn checkpoint(&self, w: &Wiring) -> Result<LedgerWords, VaultError> {
        let ledger = self.read_ledger();
        let (mut args, venue) = self.engine_prefix(w, &ledger, None)?;
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

    /// Adds `(amount0, amount1)` to the pool and mints pool shares to the
    /// vault. With `from_idle` the tokens come out of idle (checked);
    /// otherwise they are new (a deposit's pool part, which the engine did
    /// not count as idle). Nothing when either amount is zero.
    fn mint_lp(
        &mut self,
        w: &Wiring,
        ledger: &mut LedgerWords,
        amount0: U256,
        amount1: U256,
        from_idle: bool,
    ) -> Result<U256, VaultError> {
        if amount0.is_zero() || amount1.is_zero() {
            return Ok(U256::ZERO);
        }
        if from_idle {
            ledger[IDLE0] = sub_held(ledger[IDLE0], amount0)?;
            ledger[IDLE1] = sub_held(ledger[IDLE1], amount1)?;
        }
        let me = self.vm().contract_address();
        self.push(w.token0, w.pool, amount0)?;
        self.push(w.token1, w.pool, amount1)?;
        let minted = self.call_u256(
            w.pool,
            &lean::encode(mintCall::SELECTOR, &[me.to_word()], None),
            0,
        )?;
        ledger[LP] = add(ledger[LP], minted)?;
        emit(
            self.vm(),
            &[LiquidityMoved::SIGNATURE_HASH],
            &[minted.to_word(), amount0.to_word(), amount1.to_word()],
        );
        Ok(minted)
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
        let mut args = Vec::with_capacity(17);
        args.extend_from_slice(&self.read_holder(from));
        args.extend_from_slice(&self.read_holder(to));
        args.extend_from_slice(&[
            ledger[FEE_PER_SHARE],
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

use il_common::erc20::IERC20;

il_common::lean_router! {
    Vault, VaultError;
    constructor(token0: Address, token1: Address, pool: Address, venue: Address, oracle: Address, engine: Address, controller: Address);
    IVault::depositCall => deposit(amount0_max: U256, amount1_max: U256, min_shares: U256, receiver: Address);
    IVault::withdrawCall => withdraw(shares: U256, amount0_min: U256, amount1_min: U256, receiver: Address);
    IVault::moveLiquidityCall => move_liquidity(burn_lp: U256, add0: U256, add1: U256);
    IVault::adjustHedgeCall => adjust_hedge(fund: U256, size_delta: I256, close: bool);
    IVault::configureCall => configure(controller: Address, deposit_cap: U256, paused: bool);
    IVault::contractsCall => contracts();
    IVault::stateCall => state();
    IVault::holderCall => holder(account: Address);
    IVault::pendingControllerCall => pending_controller();
    IVault::lockOfCall => lock_of(account: Address);
    IERC20::nameCall => name();
    IERC20::symbolCall => symbol();
    IERC20::decimalsCall => decimals();
    IERC20::totalSupplyCall => total_supply();
    IERC20::balanceOfCall => balance_of(account: Address);
    IERC20::transferCall => transfer(to: Address, value: U256);
    IERC20::transferFromCall => transfer_from(from: Address, to: Address, value: U256);
    IERC20::approveCall => approve(spender: Address, value: U256);
    IERC20::allowanceCall => allowance(owner: Address, spender: Address);
}

/// The Solidity interface of the contract, as committed in `IVault.sol`.
#[cfg(feature = "export-abi")]
pub fn interface() -> alloc::string::String {
    il_common::abi::render(
        "Vault",
        &[
            IVault::abi::contract(),
            IERC20::abi::contract(),
            il_common::router::RouterErrors::abi::contract(),
        ],
    )
}
