//! A Uniswap v4 pool over the full range of ticks with a dynamic LP fee, in
//! `f64`, and the fee-aware arbitrageur that trades it to the reference
//! price.
//!
//! Why `f64` here: the backtest must push half a million steps through six
//! strategies in well under a second, and a 256-bit `mul_div` costs ~100x a
//! float multiply. Per-step dynamics (price, trades, fees) are therefore
//! floats; every number the report states exactly (final LP values, tiers,
//! LVR rates, the policy's decisions, the keeper's rebalance plans) goes
//! through il-math at the points where it is taken. Relative rounding per
//! step is ~1e-16, so over a million steps the float state stays within
//! ~1e-12 of exact arithmetic (the fee-less check in `engine` measures
//! this).
//!
//! No `mul_add`: without the `fma` target feature (not in the x86-64
//! baseline) it compiles to a software routine ~20x slower than `a * b + c`.
//!
//! # The model (v4, full range)
//!
//! Units: token amounts in whole tokens (the backtest's tokens both have 18
//! decimals, so a raw amount is `1e18 x` this, and so is a raw liquidity);
//! price `P` in token1 per token0; `s = sqrt(P_pool)`.
//!
//! The pool is described *per unit of liquidity*. A full-range position of
//! liquidity `L` holds `x = L / s` token0 and `y = L s` token1 (`x y = L^2`:
//! v4's full range is the constant product, up to the finite-tick cut-off
//! below 1e-19 relative that il-math's exact values include), so one unit
//! holds `(1/s, s)` and is worth `P / s + s` at `P` (`2 sqrt(P)` at the
//! pool's own price).
//!
//! - **Fees are paid to liquidity, not added to it.** v4 takes the LP fee
//!   `f` from a swap's input: of a gross input `a`, `(1 - f) a` moves the
//!   price along the curve and `f a` is credited to the in-range liquidity
//!   pro rata (`feeGrowthGlobal`, here [`Pool::growth0`] /
//!   [`Pool::growth1`], fee tokens per unit of liquidity). A position's
//!   liquidity never changes with trading: its fees are tokens it collects
//!   (the vault: into its idle balance, credited per share), never
//!   compounded. (A V2 pool keeps the fee in its reserves, so `k` grows.)
//! - **Arbitrage.** Buying token0 costs `P_pool / (1 - f)` at the margin,
//!   selling it pays `(1 - f) P_pool`, so the arbitrageur trades exactly to
//!   the edge of the no-arbitrage band `[(1 - f) P, P / (1 - f)]`: the new
//!   sqrt price is `s' = sqrt((1 - f) P)` (pool too cheap) or
//!   `sqrt(P / (1 - f))` (too dear), in closed form, since the liquidity is
//!   constant. The curve moves by `dy = s' - s` token1 (buying token0) or
//!   `dx = 1/s' - 1/s` token0 (selling it) per unit of liquidity, and the
//!   fee on the input is `f / (1 - f)` of that: `dy f / (1 - f)` token1 or
//!   `dx f / (1 - f)` token0.
//! - **Uninformed volume** `V` (token1, per unit of liquidity) trades in
//!   offsetting directions: it pays `f V`, half in each token at the pool
//!   price, and leaves the price where it was.
//!
//! Flows are proportional to the pool's size (the arbitrage to the edge is,
//! and the noise volume is set as a turnover of the pool's value), so the
//! per-unit path does not depend on how much liquidity the pool holds, and
//! a position's own adds and removes leave it unchanged: a position is
//! `L x` this pool.

/// One unit of full-range liquidity, its LP fee and the fees it has been
/// paid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pool {
    /// Token0 per unit of liquidity, `1 / s`.
    pub x: f64,
    /// Token1 per unit of liquidity, `s = sqrt(P_pool)`.
    pub y: f64,
    /// LP fee as a fraction of a swap's input (0.003 = 30 bps = 3,000 pips).
    pub fee: f64,
    /// Token0 fees paid per unit of liquidity since the start (v4's
    /// `feeGrowthGlobal0X128 / 2^128`, in whole tokens).
    pub growth0: f64,
    /// Token1 fees paid per unit of liquidity since the start.
    pub growth1: f64,
}

/// What one arbitrage did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Trade {
    /// Fee paid to the liquidity, per unit, valued in token1 at the
    /// reference price.
    pub fee_value: f64,
    /// Signed token0 the pool received per unit of liquidity (negative: it
    /// paid token0 out).
    pub dx: f64,
}

impl Pool {
    /// A pool at price `p` (token1 per token0) with fee `fee` (fraction) and
    /// no fees paid yet.
    #[must_use]
    pub fn at_price(p: f64, fee: f64) -> Self {
        let s = p.sqrt();
        Self {
            x: 1.0 / s,
            y: s,
            fee,
            growth0: 0.0,
            growth1: 0.0,
        }
    }

    /// Spot price `y / x = s^2`.
    #[must_use]
    pub fn price(&self) -> f64 {
        self.y * self.y
    }

    /// Value of one unit of liquidity's holdings at price `p` (the curve
    /// only: fees paid are not part of the position).
    #[must_use]
    pub fn value_at(&self, p: f64) -> f64 {
        self.x * p + self.y
    }

    /// Value of one unit of liquidity at *fair* holdings for price `p`:
    /// `2 sqrt(p)` (the vault's valuation at the oracle, which a swap cannot
    /// move).
    #[must_use]
    pub fn fair_value(p: f64) -> f64 {
        2.0 * p.sqrt()
    }

    /// Token0 per unit of liquidity at fair holdings for `p`, `1 / sqrt(p)`:
    /// the position's delta there.
    #[must_use]
    pub fn fair_x(p: f64) -> f64 {
        1.0 / p.sqrt()
    }

    /// The fees paid per unit of liquidity so far, valued at `p`.
    #[must_use]
    pub fn fees_value(&self, p: f64) -> f64 {
        self.growth0 * p + self.growth1
    }

    /// The arbitrageur (see the module documentation): trades the pool to
    /// the edge of the no-arbitrage band around `p`, the fee on its input
    /// paid to the liquidity.
    pub fn arbitrage(&mut self, p: f64) -> Trade {
        let gamma = 1.0 - self.fee;
        // Band tests without dividing: s^2 < gamma p, s^2 gamma > p.
        let pool = self.y * self.y;
        if pool < gamma * p {
            // Pool too cheap: buy token0, pay token1 up to s' = sqrt(gamma p).
            let s = (gamma * p).sqrt();
            let dy = s - self.y;
            let x_new = 1.0 / s;
            let dx = x_new - self.x;
            let fee1 = dy * self.fee / gamma;
            self.x = x_new;
            self.y = s;
            self.growth1 += fee1;
            Trade {
                fee_value: fee1,
                dx,
            }
        } else if pool * gamma > p {
            // Pool too dear: sell token0 into it down to s' = sqrt(p / gamma).
            let s = (p / gamma).sqrt();
            let x_new = 1.0 / s;
            let dx = x_new - self.x;
            let fee0 = dx * self.fee / gamma;
            self.x = x_new;
            self.y = s;
            self.growth0 += fee0;
            Trade {
                fee_value: fee0 * p,
                dx,
            }
        } else {
            Trade::default()
        }
    }

    /// Uninformed volume worth `volume` token1 per unit of liquidity trading
    /// through the pool in offsetting directions: it pays `fee x volume`,
    /// half in each token at the pool price, and leaves the price where it
    /// was. Returns the fee paid (token1 value at the pool price).
    pub fn noise(&mut self, volume: f64) -> f64 {
        let fee = self.fee * volume;
        // fee / 2 of token1, and fee / 2 worth of token0 at the pool price
        // (y / x = P_pool, so fee / 2 / P_pool = fee / 2 * x / y).
        self.growth0 += 0.5 * fee * self.x / self.y;
        self.growth1 += 0.5 * fee;
        fee
    }
}

/// A concentrated position in the same pool: liquidity `l` over the sqrt
/// prices `[sa, sb)` (whole-token units, as [`Pool`]).
///
/// Its holdings at the pool's sqrt price `s` are v4's: with
/// `c = min(max(s, sa), sb)`, `x = l (1/c - 1/sb)` token0 and
/// `y = l (c - sa)` token1. Its fees are v4's `feeGrowthInside`: a swap pays
/// a position the fee on the part of its input that crossed the position's
/// own range, so an arbitrage from `s` to `s'` pays it `f / (1 - f)` of its
/// own token flow, `l (c' - c)` token1 (buying token0) or
/// `l (1/c' - 1/c)` token0 (selling), and uninformed volume at `s` pays it
/// `l` times the pool's per-unit growth when `sa <= s < sb`, nothing
/// otherwise. (The pool's path is the per-unit one of [`Pool`]: the
/// position is small against the pool, so it does not move the price.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeLp {
    /// Liquidity (whole-token units).
    pub l: f64,
    /// `sqrt` of the lower bound's price.
    pub sa: f64,
    /// `sqrt` of the upper bound's price.
    pub sb: f64,
    /// Token0 fees paid to the position so far.
    pub fee0: f64,
    /// Token1 fees paid to the position so far.
    pub fee1: f64,
}

impl RangeLp {
    /// A position of `l` over `[sa, sb)` with no fees yet.
    #[must_use]
    pub fn new(l: f64, sa: f64, sb: f64) -> Self {
        Self {
            l,
            sa,
            sb,
            fee0: 0.0,
            fee1: 0.0,
        }
    }

    fn clamp(&self, s: f64) -> f64 {
        s.clamp(self.sa, self.sb)
    }

    /// Token amounts held at the pool's sqrt price `s`.
    #[must_use]
    pub fn holdings(&self, s: f64) -> (f64, f64) {
        let c = self.clamp(s);
        (self.l * (1.0 / c - 1.0 / self.sb), self.l * (c - self.sa))
    }

    /// The holdings at pool sqrt price `s`, valued at `p`.
    #[must_use]
    pub fn value_at(&self, s: f64, p: f64) -> f64 {
        let (x, y) = self.holdings(s);
        x * p + y
    }

    /// Whether v4 counts the position as active at `s` (`sa <= s < sb`).
    #[must_use]
    pub fn in_range(&self, s: f64) -> bool {
        self.sa <= s && s < self.sb
    }

    /// Credits uninformed volume's fees: the pool's per-unit growth
    /// `(d0, d1)` taken at sqrt price `s`.
    pub fn noise(&mut self, s: f64, d0: f64, d1: f64) {
        if self.in_range(s) {
            self.fee0 += self.l * d0;
            self.fee1 += self.l * d1;
        }
    }

    /// Credits an arbitrage that moved the pool from `s` to `s_new` at fee
    /// `fee`: the fee on the position's own flow.
    pub fn arbitrage(&mut self, s: f64, s_new: f64, fee: f64) {
        let (c, c_new) = (self.clamp(s), self.clamp(s_new));
        if c_new == c {
            return;
        }
        let k = fee / (1.0 - fee);
        if c_new > c {
            self.fee1 += k * self.l * (c_new - c);
        } else {
            self.fee0 += k * self.l * (1.0 / c_new - 1.0 / c);
        }
    }

    /// The largest liquidity `(x, y)` can fund over `[sa, sb)` at pool sqrt
    /// price `s` (v4's `getLiquidityForAmounts`, in floats).
    #[must_use]
    pub fn fundable(sa: f64, sb: f64, s: f64, x: f64, y: f64) -> f64 {
        if s <= sa {
            x / (1.0 / sa - 1.0 / sb)
        } else if s >= sb {
            y / (sb - sa)
        } else {
            (x / (1.0 / s - 1.0 / sb)).min(y / (s - sa))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeless_arbitrage_reaches_the_price_on_the_curve() {
        let mut p = Pool::at_price(2_000.0, 0.0);
        let t = p.arbitrage(2_500.0);
        assert!((p.price() / 2_500.0 - 1.0).abs() < 1e-14);
        assert!((p.x * p.y - 1.0).abs() < 1e-14);
        assert_eq!(t.fee_value, 0.0);
        assert_eq!((p.growth0, p.growth1), (0.0, 0.0));
        p.arbitrage(1_500.0);
        assert!((p.price() / 1_500.0 - 1.0).abs() < 1e-14);
        assert!((p.x * p.y - 1.0).abs() < 1e-14);
        // at the pool's price, the held value is the fair value
        assert!((p.value_at(1_500.0) - Pool::fair_value(1_500.0)).abs() < 1e-12);
    }

    #[test]
    fn arbitrage_stops_at_the_band_edge_and_pays_the_fee_to_the_liquidity() {
        let fee = 0.003;
        let gamma = 1.0 - fee;
        let mut p = Pool::at_price(2_000.0, fee);
        let before = p;
        let t = p.arbitrage(2_200.0);
        // Buying token0: the pool price ends at gamma * p, on the curve
        // (the liquidity does not grow).
        assert!((p.price() / (gamma * 2_200.0) - 1.0).abs() < 1e-13);
        assert!((p.x * p.y - 1.0).abs() < 1e-14);
        assert!(t.dx < 0.0 && t.fee_value > 0.0);
        // The trader paid dy / gamma token1 gross: the fee is the rest, in
        // token1, and it is what the liquidity was paid.
        let dy = p.y - before.y;
        assert!((t.fee_value - (dy / gamma - dy)).abs() < 1e-15);
        assert_eq!((p.growth0, p.growth1), (0.0, t.fee_value));
        // The marginal cost of token0 after the trade is the reference price.
        assert!((p.price() / gamma / 2_200.0 - 1.0).abs() < 1e-13);
        // Inside the band: nothing happens.
        let inside = p;
        assert_eq!(p.arbitrage(2_195.0), Trade::default());
        assert_eq!(p, inside);
        // Selling token0: ends at p / gamma, the fee in token0.
        let t = p.arbitrage(1_800.0);
        assert!((p.price() / (1_800.0 / gamma) - 1.0).abs() < 1e-13);
        assert!(t.dx > 0.0);
        assert!((p.growth0 - t.dx * fee / gamma).abs() < 1e-18);
        assert!((t.fee_value - p.growth0 * 1_800.0).abs() < 1e-12);
    }

    #[test]
    fn arbitrage_profit_is_maximal_at_the_band_edge() {
        // Buying token0 to sqrt price u costs (u - s) / gamma token1 and
        // yields 1/s - 1/u token0 worth P each: the profit is largest at
        // u = sqrt(gamma P).
        let (fee, price) = (0.01, 2_500.0);
        let gamma = 1.0 - fee;
        let start = Pool::at_price(2_000.0, fee);
        let profit = |u: f64| (1.0 / start.y - 1.0 / u) * price - (u - start.y) / gamma;
        let mut p = start;
        p.arbitrage(price);
        let best = profit(p.y);
        for k in [0.999, 0.9999, 1.0001, 1.001] {
            assert!(profit(p.y * k) < best, "{k}");
        }
    }

    #[test]
    fn noise_volume_pays_fee_without_moving_price_or_liquidity() {
        let mut p = Pool::at_price(2_000.0, 0.003);
        let fee = p.noise(10_000.0);
        assert!((fee - 30.0).abs() < 1e-12);
        assert!((p.price() - 2_000.0).abs() < 1e-9);
        assert!((p.x * p.y - 1.0).abs() < 1e-15);
        // half in token1, half in token0 at the pool price
        assert!((p.growth1 - 15.0).abs() < 1e-12);
        assert!((p.growth0 * 2_000.0 - 15.0).abs() < 1e-9);
        assert!((p.fees_value(2_000.0) - 30.0).abs() < 1e-9);
        // the position's own value is untouched: fees are paid out
        assert!((p.value_at(2_000.0) - Pool::fair_value(2_000.0)).abs() < 1e-9);
    }

    #[test]
    fn fair_value_is_at_most_the_held_value() {
        let p = Pool::at_price(2_000.0, 0.0);
        assert!((Pool::fair_value(2_000.0) - p.value_at(2_000.0)).abs() < 1e-9);
        assert!((Pool::fair_x(2_000.0) - p.x).abs() < 1e-15);
        // away from the pool price the held (stale) holdings are worth more
        // than the fair ones: the arbitrageur's profit is the difference
        assert!(Pool::fair_value(3_000.0) < p.value_at(3_000.0));
        assert!(Pool::fair_value(1_000.0) < p.value_at(1_000.0));
    }

    #[test]
    fn a_range_inside_earns_what_full_range_liquidity_earns_per_unit() {
        // A range wider than the move: every trade is inside it, so it is
        // paid l times the pool's per-unit growth, exactly as v4's
        // feeGrowthInside pays it.
        let fee = 0.003;
        let mut pool = Pool::at_price(2_000.0, fee);
        let mut r = RangeLp::new(3.0, 1_000.0_f64.sqrt(), 4_000.0_f64.sqrt());
        for p in [2_100.0, 1_900.0, 2_300.0, 1_700.0] {
            let (g0, g1, s) = (pool.growth0, pool.growth1, pool.y);
            pool.noise(50.0);
            r.noise(s, pool.growth0 - g0, pool.growth1 - g1);
            pool.arbitrage(p);
            r.arbitrage(s, pool.y, fee);
        }
        assert!((r.fee0 / (3.0 * pool.growth0) - 1.0).abs() < 1e-12);
        assert!((r.fee1 / (3.0 * pool.growth1) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_range_is_paid_only_for_the_part_of_a_move_inside_it() {
        let fee = 0.003;
        let (sa, sb) = (1_900.0_f64.sqrt(), 2_100.0_f64.sqrt());
        let mut r = RangeLp::new(1.0, sa, sb);
        // 2,000 -> 2,500: only 2,000 -> 2,100 is inside
        let (s, s_new) = (2_000.0_f64.sqrt(), 2_500.0_f64.sqrt());
        r.arbitrage(s, s_new, fee);
        assert!((r.fee1 - fee / (1.0 - fee) * (sb - s)).abs() < 1e-15);
        assert_eq!(r.fee0, 0.0);
        // above the range: nothing, for trades and for noise
        let before = r;
        r.arbitrage(s_new, 2_600.0_f64.sqrt(), fee);
        r.noise(s_new, 1.0, 1.0);
        assert_eq!(r, before);
        // holdings above: all token1, l (sb - sa); below: all token0
        assert_eq!(r.holdings(s_new), (0.0, sb - sa));
        let (x, y) = r.holdings(1_000.0_f64.sqrt());
        assert!((x - (1.0 / sa - 1.0 / sb)).abs() < 1e-15 && y == 0.0);
        // the upper bound itself is out of range (v4: tick < upper)
        assert!(!r.in_range(sb) && r.in_range(sa));
    }

    #[test]
    fn fundable_liquidity_spends_the_scarcer_token_exactly() {
        let (sa, sb, s) = (1_600.0_f64.sqrt(), 2_500.0_f64.sqrt(), 2_000.0_f64.sqrt());
        let l = RangeLp::fundable(sa, sb, s, 10.0, 1_000.0);
        let (x, y) = RangeLp::new(l, sa, sb).holdings(s);
        assert!(x <= 10.0 * (1.0 + 1e-12) && y <= 1_000.0 * (1.0 + 1e-12));
        assert!((x / 10.0 - 1.0).abs() < 1e-12 || (y / 1_000.0 - 1.0).abs() < 1e-12);
        // one-sided outside the range
        assert!(
            (RangeLp::fundable(sa, sb, 30.0, 10.0, 0.0) * (1.0 / sa - 1.0 / sb) - 10.0).abs()
                < 1e-9
        );
        assert!((RangeLp::fundable(sa, sb, 60.0, 0.0, 10.0) * (sb - sa) - 10.0).abs() < 1e-9);
    }
}
