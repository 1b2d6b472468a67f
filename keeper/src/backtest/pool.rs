//! A constant-product pool with a Uniswap-V2 fee, in `f64`, and the
//! fee-aware arbitrageur that trades it to the reference price.
//!
//! Why `f64` here: the backtest must push half a million steps through six
//! strategies in well under a second, and a 256-bit `mul_div` costs ~100x a
//! float multiply. Per-step dynamics (reserves, trades, fees) are therefore
//! floats; every number the report states exactly (final LP values, tiers,
//! LVR rates, the policy's decisions) goes through il-math at the points
//! where it is taken. Relative rounding per step is ~1e-16, so over a
//! million steps the float state stays within ~1e-12 of exact arithmetic
//! (the fee-less check in `engine` measures this).
//!
//! No `mul_add`: without the `fma` target feature (not in the x86-64
//! baseline) it compiles to a software routine ~20x slower than `a * b + c`.
//!
//! Units: reserves are token amounts in whole tokens (the backtest's tokens
//! both have 18 decimals, so a raw amount is `1e18 x` this), price is token1
//! per token0.
//!
//! The pool is described *per LP share*: arbitrage flow and noise volume are
//! both proportional to the pool's size, so a pool's per-share path does not
//! depend on how many shares exist, and an LP's own mints and burns (at the
//! pool ratio) leave it unchanged. An LP's position is `shares x` this pool.

/// Reserves of one pool share, and its fee.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pool {
    /// Token0 per share.
    pub x: f64,
    /// Token1 per share.
    pub y: f64,
    /// Fee as a fraction of the input (0.003 = 30 bps = 3,000 pips).
    pub fee: f64,
}

/// What one arbitrage did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Trade {
    /// Fee paid into the pool, valued in token1 at the reference price.
    pub fee_value: f64,
    /// Signed token0 the pool received (negative: it paid token0 out).
    pub dx: f64,
}

impl Pool {
    /// A pool holding `(x, y)` per share with fee `fee` (fraction).
    #[must_use]
    pub fn new(x: f64, y: f64, fee: f64) -> Self {
        Self { x, y, fee }
    }

    /// Spot price `y / x`.
    #[must_use]
    pub fn price(&self) -> f64 {
        self.y / self.x
    }

    /// Liquidity `sqrt(x y)` per share (the pool's growth index `g`).
    #[must_use]
    pub fn liquidity(&self) -> f64 {
        (self.x * self.y).sqrt()
    }

    /// Value per share at price `p`, at the reserves actually held.
    #[must_use]
    pub fn value_at(&self, p: f64) -> f64 {
        self.x * p + self.y
    }

    /// Value per share at *fair* reserves for price `p`: `2 sqrt(x y p)`
    /// (the vault's valuation, which a swap cannot move).
    #[must_use]
    pub fn fair_value(&self, p: f64) -> f64 {
        2.0 * (self.x * self.y * p).sqrt()
    }

    /// Token0 per share at fair reserves for price `p`: `sqrt(x y / p)`.
    #[must_use]
    pub fn fair_x(&self, p: f64) -> f64 {
        (self.x * self.y / p).sqrt()
    }

    /// The arbitrageur: if the pool price is outside the no-arbitrage band
    /// `[gamma p, p / gamma]` (`gamma = 1 - fee`), it trades exactly to the
    /// band's edge, paying the V2 fee on its input (the fee stays in the
    /// reserves). Buying token0 with `dy` of token1 gives
    /// `x' = x y / (y + gamma dy)`, `y' = y + dy`, and the marginal price
    /// after the trade, `y' / (gamma x')`, equals `p` when
    /// `gamma dy^2 + (1 + gamma) y dy + y^2 - gamma p x y = 0`; the root is
    /// taken in the cancellation-free form `-2c / (b + sqrt(b^2 - 4ac))`.
    /// Selling token0 is the mirror image.
    pub fn arbitrage(&mut self, p: f64) -> Trade {
        let gamma = 1.0 - self.fee;
        let k = self.x * self.y;
        // Band tests without dividing: y / x < gamma p  <=>  y < gamma p x.
        if self.y < gamma * p * self.x {
            // Pool too cheap: buy token0, pay token1.
            let (a, b, c) = (
                gamma,
                (1.0 + gamma) * self.y,
                self.y * self.y - gamma * p * k,
            );
            let dy = -2.0 * c / (b + (b * b - 4.0 * a * c).sqrt());
            let x_new = k / (gamma * dy + self.y);
            let dx = x_new - self.x;
            self.x = x_new;
            self.y += dy;
            Trade {
                fee_value: self.fee * dy,
                dx,
            }
        } else if self.y * gamma > p * self.x {
            // Pool too dear: sell token0 into it.
            let (a, b, c) = (
                gamma,
                (1.0 + gamma) * self.x,
                self.x * self.x - gamma * k / p,
            );
            let dx = -2.0 * c / (b + (b * b - 4.0 * a * c).sqrt());
            let y_new = k / (gamma * dx + self.x);
            self.y = y_new;
            self.x += dx;
            Trade {
                fee_value: self.fee * dx * p,
                dx,
            }
        } else {
            Trade::default()
        }
    }

    /// Uninformed volume worth `volume` token1 per share trading through the
    /// pool in offsetting directions: it pays `fee x volume` and leaves the
    /// price where it was (half the fee lands in each reserve, at the pool
    /// price). Returns the fee paid (token1).
    pub fn noise(&mut self, volume: f64) -> f64 {
        let fee = self.fee * volume;
        // fee / 2 of token1, and fee / 2 worth of token0 at the pool price.
        self.x += 0.5 * fee * self.x / self.y;
        self.y += 0.5 * fee;
        fee
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feeless_arbitrage_keeps_k_and_reaches_the_price() {
        let mut p = Pool::new(100.0, 200_000.0, 0.0);
        let k = p.x * p.y;
        let t = p.arbitrage(2_500.0);
        assert!((p.price() / 2_500.0 - 1.0).abs() < 1e-14);
        assert!((p.x * p.y / k - 1.0).abs() < 1e-14);
        assert_eq!(t.fee_value, 0.0);
        p.arbitrage(1_500.0);
        assert!((p.price() / 1_500.0 - 1.0).abs() < 1e-14);
        assert!((p.x * p.y / k - 1.0).abs() < 1e-14);
    }

    #[test]
    fn arbitrage_stops_at_the_band_edge_and_pays_the_fee() {
        let fee = 0.003;
        let mut p = Pool::new(100.0, 200_000.0, fee);
        let t = p.arbitrage(2_200.0);
        // Buying token0: the pool price ends at gamma * p.
        assert!(
            (p.price() / (0.997 * 2_200.0) - 1.0).abs() < 1e-13,
            "{}",
            p.price()
        );
        assert!(t.dx < 0.0 && t.fee_value > 0.0);
        // Fee: k grows by exactly the fee kept in the reserves.
        let dy = p.y - 200_000.0;
        assert!((t.fee_value - fee * dy).abs() < 1e-9);
        assert!((p.x * (p.y - fee * dy) / (100.0 * 200_000.0) - 1.0).abs() < 1e-13);
        // Inside the band: nothing happens.
        let before = p;
        assert_eq!(p.arbitrage(2_195.0), Trade::default());
        assert_eq!(p, before);
        // Selling token0: ends at p / gamma.
        p.arbitrage(1_800.0);
        assert!((p.price() / (1_800.0 / 0.997) - 1.0).abs() < 1e-13);
    }

    #[test]
    fn noise_volume_pays_fee_without_moving_price() {
        let mut p = Pool::new(100.0, 200_000.0, 0.003);
        let fee = p.noise(10_000.0);
        assert!((fee - 30.0).abs() < 1e-12);
        assert!((p.price() - 2_000.0).abs() < 1e-9);
        assert!((p.value_at(2_000.0) - 400_030.0).abs() < 1e-6);
    }

    #[test]
    fn fair_value_equals_held_value_at_the_pool_price() {
        let p = Pool::new(3.0, 6_000.0, 0.0);
        assert!((p.fair_value(2_000.0) - p.value_at(2_000.0)).abs() < 1e-9);
        assert!((p.fair_x(2_000.0) - 3.0).abs() < 1e-12);
        assert!(p.fair_value(3_000.0) < p.value_at(3_000.0));
    }
}
