//! Volatility estimators on log returns, with explicit annualisation.
//!
//! Everything here is `f64`: an estimate never reaches the chain except as the
//! annualised sigma the keeper submits, which the caller converts to WAD with
//! [`sigma_to_wad`] (rounded to the nearest wei of WAD; the contract only uses
//! it to pick a fee tier and for the LVR rate, so sub-wei precision is moot).
//!
//! Conventions shared by every estimator:
//! - returns are log returns `ln(P_t / P_{t-1})`, **zero mean** (no drift is
//!   estimated: over keeper horizons the drift is noise, and RiskMetrics,
//!   realised volatility and the GARCH model below all assume it);
//! - a variance *per period* is annualised by multiplying with the number of
//!   periods per year, taken from the sample spacing with
//!   [`periods_per_year`] (a year is [`SECONDS_PER_YEAR`] = 365 days: crypto
//!   markets trade every day);
//! - the result is an annualised standard deviation as a fraction
//!   (0.8 = 80 %/yr).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Seconds in the year used for annualisation: 365 days of 86,400 s
/// (crypto markets trade 24/7, so calendar time is trading time).
pub const SECONDS_PER_YEAR: f64 = 365.0 * 86_400.0;

/// Default RiskMetrics decay factor (J.P. Morgan, 1996, daily data).
pub const DEFAULT_EWMA_LAMBDA: f64 = 0.94;

/// Fewest returns a GARCH(1,1) fit is attempted on; below this the estimate
/// falls back to EWMA (three parameters need a few dozen points before the
/// likelihood surface has a usable interior optimum).
pub const MIN_GARCH_RETURNS: usize = 50;

/// Number of leading squared returns in the GARCH variance backcast, and the
/// decay of its weights (the convention of Kevin Sheppard's `arch` package, so
/// fits are comparable with that reference implementation).
const BACKCAST_LEN: usize = 75;
const BACKCAST_DECAY: f64 = 0.94;

/// Which estimator produced a sigma.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Estimator {
    /// RiskMetrics exponentially weighted moving average of squared returns.
    Ewma,
    /// Rolling realised volatility over a window of returns.
    Realised,
    /// GARCH(1,1) fitted by Gaussian quasi maximum likelihood, one-step forecast.
    Garch,
}

impl fmt::Display for Estimator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ewma => "ewma",
            Self::Realised => "realised",
            Self::Garch => "garch",
        })
    }
}

/// Bad input to an estimator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VolError {
    /// Fewer returns than the estimator needs.
    #[error("volatility needs at least {needed} returns, got {got}")]
    TooFewReturns {
        /// Minimum number of returns.
        needed: usize,
        /// Number supplied.
        got: usize,
    },
    /// A price was zero, negative or not finite.
    #[error("price #{index} is {value}, prices must be positive and finite")]
    BadPrice {
        /// Position in the input.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A return was not finite.
    #[error("return #{index} is not finite")]
    BadReturn {
        /// Position in the input.
        index: usize,
    },
    /// EWMA decay outside (0, 1).
    #[error("EWMA lambda must be in (0, 1), got {0}")]
    BadLambda(f64),
    /// Zero-length rolling window.
    #[error("realised-volatility window must be at least 1")]
    BadWindow,
    /// Sample spacing not positive and finite.
    #[error("sample spacing must be a positive number of seconds, got {0}")]
    BadSpacing(f64),
}

/// Periods per year for samples `spacing_seconds` apart.
///
/// Domain: `spacing_seconds > 0` and finite. Range: `SECONDS_PER_YEAR /
/// spacing_seconds` (365 for daily data, 8,760 for hourly, 525,600 for
/// minutes). No rounding beyond `f64`.
///
/// # Errors
/// [`VolError::BadSpacing`] when the spacing is not positive and finite.
pub fn periods_per_year(spacing_seconds: f64) -> Result<f64, VolError> {
    if spacing_seconds.is_finite() && spacing_seconds > 0.0 {
        Ok(SECONDS_PER_YEAR / spacing_seconds)
    } else {
        Err(VolError::BadSpacing(spacing_seconds))
    }
}

/// Log returns `ln(p[i+1] / p[i])` of a price series.
///
/// Domain: every price positive and finite. Range: `prices.len() - 1` returns
/// (empty for fewer than two prices).
///
/// # Errors
/// [`VolError::BadPrice`] naming the first non-positive or non-finite price.
pub fn log_returns(prices: &[f64]) -> Result<Vec<f64>, VolError> {
    for (index, &value) in prices.iter().enumerate() {
        if !(value.is_finite() && value > 0.0) {
            return Err(VolError::BadPrice { index, value });
        }
    }
    Ok(prices.windows(2).map(|w| (w[1] / w[0]).ln()).collect())
}

fn check_returns(returns: &[f64], needed: usize) -> Result<(), VolError> {
    if returns.len() < needed {
        return Err(VolError::TooFewReturns {
            needed,
            got: returns.len(),
        });
    }
    match returns.iter().position(|r| !r.is_finite()) {
        Some(index) => Err(VolError::BadReturn { index }),
        None => Ok(()),
    }
}

fn annualise(variance_per_period: f64, periods_per_year: f64) -> f64 {
    (variance_per_period * periods_per_year).sqrt()
}

/// Annualised sigma as a WAD integer (0.8 -> 8e17), rounded to nearest.
///
/// Domain: finite, non-negative sigma below 1.8e19 (a WAD that fits `u128`
/// comfortably; any real volatility does). Returns `None` outside it.
#[must_use]
pub fn sigma_to_wad(sigma: f64) -> Option<u128> {
    if !(0.0..1.0e19).contains(&sigma) {
        return None;
    }
    // cannot overflow: sigma * 1e18 < 1e37 < u128::MAX (3.4e38).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((sigma * 1e18).round() as u128)
}

/// Online RiskMetrics EWMA: `var <- lambda * var + (1 - lambda) * r^2`.
///
/// The first return seeds the variance with `r^2` (so after one return the
/// estimate is `|r|`); the state after return `t` is the forecast for `t + 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ewma {
    lambda: f64,
    variance: Option<f64>,
}

impl Ewma {
    /// A fresh estimator with decay `lambda`.
    ///
    /// # Errors
    /// [`VolError::BadLambda`] unless `0 < lambda < 1`.
    pub fn new(lambda: f64) -> Result<Self, VolError> {
        if lambda > 0.0 && lambda < 1.0 {
            Ok(Self {
                lambda,
                variance: None,
            })
        } else {
            Err(VolError::BadLambda(lambda))
        }
    }

    /// Feeds one log return (non-finite returns are the caller's bug and are
    /// ignored, so one bad tick cannot poison the state).
    pub fn update(&mut self, r: f64) {
        if !r.is_finite() {
            return;
        }
        let sq = r * r;
        self.variance = Some(match self.variance {
            None => sq,
            Some(v) => self.lambda * v + (1.0 - self.lambda) * sq,
        });
    }

    /// Per-period variance forecast, `None` before the first return.
    #[must_use]
    pub fn variance(&self) -> Option<f64> {
        self.variance
    }

    /// Annualised sigma (fraction), `None` before the first return.
    #[must_use]
    pub fn sigma(&self, periods_per_year: f64) -> Option<f64> {
        self.variance.map(|v| annualise(v, periods_per_year))
    }
}

/// EWMA annualised sigma of a whole return series (see [`Ewma`]).
///
/// # Errors
/// [`VolError::BadLambda`], [`VolError::TooFewReturns`] (needs 1),
/// [`VolError::BadReturn`].
pub fn ewma_sigma(returns: &[f64], lambda: f64, periods_per_year: f64) -> Result<f64, VolError> {
    check_returns(returns, 1)?;
    let mut e = Ewma::new(lambda)?;
    for &r in returns {
        e.update(r);
    }
    // cannot be None: at least one finite return was fed.
    Ok(e.sigma(periods_per_year).unwrap_or(0.0))
}

/// Rolling realised volatility: `sqrt(sum(r^2) / window * periods_per_year)`
/// over the last `window` returns (zero mean, divisor `window`).
///
/// # Errors
/// [`VolError::BadWindow`] for `window == 0`; [`VolError::TooFewReturns`]
/// when fewer than `window` returns; [`VolError::BadReturn`].
pub fn realised_sigma(
    returns: &[f64],
    window: usize,
    periods_per_year: f64,
) -> Result<f64, VolError> {
    if window == 0 {
        return Err(VolError::BadWindow);
    }
    check_returns(returns, window)?;
    let tail = &returns[returns.len() - window..];
    let sum_sq: f64 = tail.iter().map(|r| r * r).sum();
    #[allow(clippy::cast_precision_loss)] // window is far below 2^52
    Ok(annualise(sum_sq / window as f64, periods_per_year))
}

/// Rolling realised volatility maintained online in O(1) per return.
#[derive(Debug, Clone)]
pub struct RollingRealised {
    window: Vec<f64>,
    next: usize,
    filled: usize,
    sum_sq: f64,
    since_resum: usize,
}

impl RollingRealised {
    /// An empty window of `window` returns.
    ///
    /// # Errors
    /// [`VolError::BadWindow`] for `window == 0`.
    pub fn new(window: usize) -> Result<Self, VolError> {
        if window == 0 {
            return Err(VolError::BadWindow);
        }
        Ok(Self {
            window: vec![0.0; window],
            next: 0,
            filled: 0,
            sum_sq: 0.0,
            since_resum: 0,
        })
    }

    /// Feeds one log return (non-finite returns are ignored).
    pub fn update(&mut self, r: f64) {
        if !r.is_finite() {
            return;
        }
        let old = self.window[self.next];
        self.window[self.next] = r * r;
        self.sum_sq += r * r - old;
        self.next = (self.next + 1) % self.window.len();
        self.filled = (self.filled + 1).min(self.window.len());
        // Re-sum now and then so rounding in the running sum cannot drift.
        self.since_resum += 1;
        if self.since_resum >= 4 * self.window.len() {
            self.sum_sq = self.window.iter().sum();
            self.since_resum = 0;
        }
    }

    /// Annualised sigma over the returns seen so far (up to the window),
    /// `None` before the first return.
    #[must_use]
    pub fn sigma(&self, periods_per_year: f64) -> Option<f64> {
        if self.filled == 0 {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        Some(annualise(
            self.sum_sq.max(0.0) / self.filled as f64,
            periods_per_year,
        ))
    }
}

/// GARCH(1,1) parameters for per-period variance:
/// `s2[t] = omega + alpha * r[t-1]^2 + beta * s2[t-1]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GarchParams {
    /// Constant, per-period variance units (> 0).
    pub omega: f64,
    /// Reaction to the last squared return (>= 0).
    pub alpha: f64,
    /// Persistence of the last variance (>= 0); `alpha + beta < 1`.
    pub beta: f64,
}

/// A fitted GARCH(1,1) and its one-step forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GarchFit {
    /// Maximum-likelihood parameters.
    pub params: GarchParams,
    /// Gaussian log-likelihood at the optimum (with the `ln 2 pi` constant).
    pub log_likelihood: f64,
    /// Per-period variance forecast for the period after the last return.
    pub forecast_variance: f64,
    /// Objective evaluations the optimiser used.
    pub evaluations: usize,
}

/// Why a GARCH fit was not used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GarchError {
    /// Too few returns for a meaningful fit.
    #[error("GARCH needs at least {needed} returns, got {got}")]
    TooFewReturns {
        /// Minimum.
        needed: usize,
        /// Supplied.
        got: usize,
    },
    /// All returns are zero (no variance to model) or one is not finite.
    #[error("returns are degenerate (all zero or not finite)")]
    Degenerate,
    /// The optimiser ended at a non-finite likelihood or an integrated
    /// (alpha + beta ~ 1) model whose forecast is not mean reverting.
    #[error("GARCH fit failed: {0}")]
    FitFailed(&'static str),
}

/// Variance backcast for the first GARCH recursion: exponentially weighted
/// mean of the first 75 squared returns, weights 0.94^i (arch's convention).
fn backcast(returns: &[f64]) -> f64 {
    let n = returns.len().min(BACKCAST_LEN);
    let mut w = 1.0;
    let (mut num, mut den) = (0.0, 0.0);
    for r in &returns[..n] {
        num += w * r * r;
        den += w;
        w *= BACKCAST_DECAY;
    }
    num / den
}

/// Gaussian log-likelihood of GARCH(1,1) and the final conditional variance
/// `s2[n]` (the one-step forecast). `ln(2 pi)` included.
fn garch_loglik(returns: &[f64], p: GarchParams, backcast: f64) -> (f64, f64) {
    const LN_2PI: f64 = 1.837_877_066_409_345_5;
    let mut s2 = p.omega + (p.alpha + p.beta) * backcast;
    let mut ll = 0.0;
    for &r in returns {
        ll += -0.5 * (LN_2PI + s2.ln() + r * r / s2);
        s2 = p.omega + p.alpha * r * r + p.beta * s2;
    }
    (ll, s2)
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Unconstrained reparameterisation: `omega = exp(u0)`, `alpha + beta =
/// logistic(u1)`, `alpha = (alpha + beta) * logistic(u2)`. Every real vector
/// maps into the admissible set (omega > 0, alpha, beta >= 0, alpha + beta < 1).
fn to_params(u: [f64; 3]) -> GarchParams {
    let persistence = logistic(u[1]);
    let share = logistic(u[2]);
    GarchParams {
        omega: u[0].exp(),
        alpha: persistence * share,
        beta: persistence * (1.0 - share),
    }
}

fn from_params(p: GarchParams) -> [f64; 3] {
    let persistence = p.alpha + p.beta;
    let logit = |x: f64| (x / (1.0 - x)).ln();
    [
        p.omega.ln(),
        logit(persistence),
        logit(p.alpha / persistence),
    ]
}

/// Nelder-Mead minimiser (standard coefficients 1, 2, 1/2, 1/2) in 3
/// dimensions. Stops when the spread of function values falls below `ftol`
/// (relative) or after `max_evals` evaluations. Returns the best vertex,
/// its value and the evaluations used.
fn nelder_mead(
    f: &dyn Fn([f64; 3]) -> f64,
    start: [f64; 3],
    step: f64,
    ftol: f64,
    max_evals: usize,
) -> ([f64; 3], f64, usize) {
    let mut simplex: Vec<([f64; 3], f64)> = Vec::with_capacity(4);
    simplex.push((start, f(start)));
    for i in 0..3 {
        let mut x = start;
        x[i] += step;
        simplex.push((x, f(x)));
    }
    let mut evals = 4;
    let cmp = |a: &([f64; 3], f64), b: &([f64; 3], f64)| a.1.total_cmp(&b.1);
    while evals < max_evals {
        simplex.sort_by(cmp);
        let (best, worst) = (simplex[0].1, simplex[3].1);
        if (worst - best).abs() <= ftol * (best.abs() + 1e-12) {
            break;
        }
        let mut centroid = [0.0; 3];
        for (x, _) in &simplex[..3] {
            for (c, xd) in centroid.iter_mut().zip(x) {
                *c += xd / 3.0;
            }
        }
        let worst_x = simplex[3].0;
        let along = |t: f64| -> [f64; 3] {
            std::array::from_fn(|d| centroid[d] + t * (worst_x[d] - centroid[d]))
        };
        let xr = along(-1.0);
        let fr = f(xr);
        evals += 1;
        if fr < simplex[0].1 {
            let xe = along(-2.0);
            let fe = f(xe);
            evals += 1;
            simplex[3] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[2].1 {
            simplex[3] = (xr, fr);
        } else {
            // Contraction: outside if the reflection improved on the worst.
            let (xc, fc) = if fr < simplex[3].1 {
                let x = along(-0.5);
                (x, f(x))
            } else {
                let x = along(0.5);
                (x, f(x))
            };
            evals += 1;
            if fc < simplex[3].1.min(fr) {
                simplex[3] = (xc, fc);
            } else {
                // Shrink toward the best vertex.
                let b = simplex[0].0;
                for v in simplex.iter_mut().skip(1) {
                    for (vd, bd) in v.0.iter_mut().zip(b) {
                        *vd = bd + 0.5 * (*vd - bd);
                    }
                    v.1 = f(v.0);
                }
                evals += 3;
            }
        }
    }
    simplex.sort_by(cmp);
    (simplex[0].0, simplex[0].1, evals)
}

/// Fits a zero-mean GARCH(1,1) by Gaussian quasi maximum likelihood.
///
/// The optimiser is Nelder-Mead on the reparameterisation of `to_params`
/// (constraints hold by construction), started from the best of a small grid
/// of persistence / reaction pairs with variance targeting, and restarted
/// from its own optimum until the likelihood stops improving. Returns are
/// scaled to unit variance internally (so `omega` is well conditioned) and
/// `omega` is scaled back. The first conditional variance uses the arch
/// package's backcast, so the likelihood is the one `arch` maximises with
/// `mean="Zero", vol="GARCH", p=1, q=1, dist="normal"`.
///
/// # Errors
/// [`GarchError::TooFewReturns`] below [`MIN_GARCH_RETURNS`];
/// [`GarchError::Degenerate`] for all-zero or non-finite returns;
/// [`GarchError::FitFailed`] for a non-finite optimum or an integrated fit
/// (`alpha + beta > 0.9999`, whose forecast never mean-reverts).
pub fn fit_garch(returns: &[f64]) -> Result<GarchFit, GarchError> {
    fit_garch_warm(returns, None)
}

/// [`fit_garch`] started from a previous fit as well as the grid (a rolling
/// refit moves little, so the simplex starts small around it): the same
/// optimum in a fraction of the evaluations.
///
/// # Errors
/// As [`fit_garch`].
#[inline(never)]
pub fn fit_garch_warm(returns: &[f64], warm: Option<GarchParams>) -> Result<GarchFit, GarchError> {
    if returns.len() < MIN_GARCH_RETURNS {
        return Err(GarchError::TooFewReturns {
            needed: MIN_GARCH_RETURNS,
            got: returns.len(),
        });
    }
    if returns.iter().any(|r| !r.is_finite()) {
        return Err(GarchError::Degenerate);
    }
    #[allow(clippy::cast_precision_loss)]
    let n = returns.len() as f64;
    let var = returns.iter().map(|r| r * r).sum::<f64>() / n;
    if var <= 0.0 || !var.is_finite() {
        return Err(GarchError::Degenerate);
    }
    let scale = var.sqrt();
    let scaled: Vec<f64> = returns.iter().map(|r| r / scale).collect();
    let bc = backcast(&scaled);
    let objective = |u: [f64; 3]| {
        let (ll, _) = garch_loglik(&scaled, to_params(u), bc);
        if ll.is_finite() { -ll } else { f64::INFINITY }
    };
    // Starting grid (persistence, alpha share); omega by variance targeting
    // on the scaled data (unit variance).
    let mut best: Option<([f64; 3], f64)> = None;
    for &(alpha, beta) in &[
        (0.05, 0.90),
        (0.10, 0.85),
        (0.10, 0.60),
        (0.20, 0.70),
        (0.05, 0.50),
        (0.02, 0.97),
    ] {
        let u = from_params(GarchParams {
            omega: 1.0 - alpha - beta,
            alpha,
            beta,
        });
        let v = objective(u);
        if best.is_none_or(|(_, bv)| v < bv) {
            best = Some((u, v));
        }
    }
    let mut step = 0.5;
    if let Some(w) =
        warm.filter(|w| w.omega > 0.0 && w.alpha > 0.0 && w.beta > 0.0 && w.alpha + w.beta < 1.0)
    {
        let u = from_params(GarchParams {
            omega: w.omega / var,
            ..w
        });
        let v = objective(u);
        if best.is_none_or(|(_, bv)| v < bv) {
            best = Some((u, v));
            step = 0.1;
        }
    }
    let (mut u, mut value) = best.ok_or(GarchError::FitFailed("no starting point"))?;
    let mut evaluations = 0;
    for _ in 0..8 {
        let (nu, nv, e) = nelder_mead(&objective, u, step, 1e-12, 4_000);
        evaluations += e;
        let improved = value - nv;
        if nv <= value {
            u = nu;
            value = nv;
        }
        if improved.abs() <= 1e-10 * (value.abs() + 1.0) {
            break;
        }
    }
    let p = to_params(u);
    if !value.is_finite() || !p.omega.is_finite() {
        return Err(GarchError::FitFailed(
            "likelihood not finite at the optimum",
        ));
    }
    if p.alpha + p.beta > 0.9999 {
        return Err(GarchError::FitFailed("integrated fit (alpha + beta ~ 1)"));
    }
    let (ll_scaled, s2_next) = garch_loglik(&scaled, p, bc);
    // Back to the data's units: variances scale by scale^2, and the Gaussian
    // log-likelihood shifts by -n * ln(scale).
    let params = GarchParams {
        omega: p.omega * var,
        alpha: p.alpha,
        beta: p.beta,
    };
    Ok(GarchFit {
        params,
        log_likelihood: ll_scaled - n * scale.ln(),
        forecast_variance: s2_next * var,
        evaluations,
    })
}

/// A sigma with its provenance, as the policy and the logs want it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolEstimate {
    /// Annualised volatility (fraction, 0.8 = 80 %/yr).
    pub sigma: f64,
    /// The estimator that produced `sigma` (EWMA when GARCH fell back).
    pub estimator: Estimator,
    /// Why the requested estimator was not used, if it was not.
    pub fallback: Option<String>,
}

/// Settings of [`estimate`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VolConfig {
    /// Requested estimator.
    pub estimator: Estimator,
    /// EWMA decay.
    pub ewma_lambda: f64,
    /// Rolling window (returns) of the realised estimator.
    pub realised_window: usize,
}

impl Default for VolConfig {
    fn default() -> Self {
        Self {
            estimator: Estimator::Ewma,
            ewma_lambda: DEFAULT_EWMA_LAMBDA,
            realised_window: 30,
        }
    }
}

impl VolConfig {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`VolError::BadLambda`], [`VolError::BadWindow`].
    pub fn validate(&self) -> Result<(), VolError> {
        Ewma::new(self.ewma_lambda)?;
        if self.realised_window == 0 {
            return Err(VolError::BadWindow);
        }
        Ok(())
    }
}

/// Annualised sigma of `returns` with the configured estimator.
///
/// GARCH falls back to EWMA (same lambda) when the fit fails or the data are
/// too few, and says why in `fallback`; the realised estimator uses all the
/// returns when there are fewer than its window (and says so).
///
/// # Errors
/// [`VolError`] for bad settings, no returns, or non-finite returns.
pub fn estimate(
    returns: &[f64],
    periods_per_year: f64,
    cfg: &VolConfig,
) -> Result<VolEstimate, VolError> {
    cfg.validate()?;
    check_returns(returns, 1)?;
    match cfg.estimator {
        Estimator::Ewma => Ok(VolEstimate {
            sigma: ewma_sigma(returns, cfg.ewma_lambda, periods_per_year)?,
            estimator: Estimator::Ewma,
            fallback: None,
        }),
        Estimator::Realised => {
            let window = cfg.realised_window.min(returns.len());
            let fallback = (window < cfg.realised_window)
                .then(|| format!("window shortened to the {window} returns available"));
            Ok(VolEstimate {
                sigma: realised_sigma(returns, window, periods_per_year)?,
                estimator: Estimator::Realised,
                fallback,
            })
        }
        Estimator::Garch => match fit_garch(returns) {
            Ok(fit) => Ok(VolEstimate {
                sigma: annualise(fit.forecast_variance, periods_per_year),
                estimator: Estimator::Garch,
                fallback: None,
            }),
            Err(e) => Ok(VolEstimate {
                sigma: ewma_sigma(returns, cfg.ewma_lambda, periods_per_year)?,
                estimator: Estimator::Ewma,
                fallback: Some(e.to_string()),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_per_year_follows_spacing() {
        assert_eq!(periods_per_year(86_400.0).unwrap(), 365.0);
        assert_eq!(periods_per_year(3_600.0).unwrap(), 8_760.0);
        assert_eq!(periods_per_year(60.0).unwrap(), 525_600.0);
        assert_eq!(periods_per_year(0.0), Err(VolError::BadSpacing(0.0)));
        assert!(matches!(
            periods_per_year(f64::NAN),
            Err(VolError::BadSpacing(_))
        ));
    }

    #[test]
    fn log_returns_reject_non_positive_prices() {
        assert_eq!(
            log_returns(&[1.0, 0.0, 2.0]),
            Err(VolError::BadPrice {
                index: 1,
                value: 0.0
            })
        );
        let r = log_returns(&[100.0, 110.0, 99.0]).unwrap();
        assert!((r[0] - (1.1f64).ln()).abs() < 1e-15);
        assert!((r[1] - (0.9f64).ln()).abs() < 1e-15);
    }

    #[test]
    fn ewma_matches_hand_computation() {
        // r = 0.01, -0.02, 0.03 ; lambda 0.94, seed r0^2:
        // v1 = 1e-4 ; v2 = .94e-4 + .06*4e-4 = 1.18e-4 ;
        // v3 = .94*1.18e-4 + .06*9e-4 = 1.1092e-4 + 0.54e-4 = 1.6492e-4.
        let s = ewma_sigma(&[0.01, -0.02, 0.03], 0.94, 365.0).unwrap();
        assert!((s - (1.6492e-4f64 * 365.0).sqrt()).abs() < 1e-15, "{s}");
    }

    #[test]
    fn ewma_rejects_lambda_outside_unit_interval() {
        assert_eq!(Ewma::new(1.0), Err(VolError::BadLambda(1.0)));
        assert_eq!(Ewma::new(0.0), Err(VolError::BadLambda(0.0)));
        assert_eq!(
            ewma_sigma(&[], 0.94, 365.0),
            Err(VolError::TooFewReturns { needed: 1, got: 0 })
        );
    }

    #[test]
    fn realised_matches_hand_computation() {
        // last 2 of (0.5, 0.01, -0.03): (1e-4 + 9e-4)/2 = 5e-4 per period.
        let s = realised_sigma(&[0.5, 0.01, -0.03], 2, 8_760.0).unwrap();
        assert!((s - (5e-4f64 * 8_760.0).sqrt()).abs() < 1e-12, "{s}");
        assert_eq!(
            realised_sigma(&[0.1], 2, 1.0),
            Err(VolError::TooFewReturns { needed: 2, got: 1 })
        );
        assert_eq!(realised_sigma(&[0.1], 0, 1.0), Err(VolError::BadWindow));
    }

    #[test]
    fn rolling_realised_equals_batch() {
        let rs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919 % 101) as f64 - 50.0) * 1e-3)
            .collect();
        let mut roll = RollingRealised::new(30).unwrap();
        for (i, &r) in rs.iter().enumerate() {
            roll.update(r);
            if i >= 29 {
                let batch = realised_sigma(&rs[..=i], 30, 365.0).unwrap();
                let online = roll.sigma(365.0).unwrap();
                assert!(
                    (batch - online).abs() < 1e-12 * batch.max(1.0),
                    "{i}: {batch} vs {online}"
                );
            }
        }
    }

    #[test]
    fn constant_returns_give_their_own_size() {
        let rs = vec![0.01; 200];
        let ppy: f64 = 365.0;
        let want = 0.01 * ppy.sqrt();
        assert!((ewma_sigma(&rs, 0.94, ppy).unwrap() - want).abs() < 1e-12);
        assert!((realised_sigma(&rs, 50, ppy).unwrap() - want).abs() < 1e-12);
    }

    #[test]
    fn reparameterisation_round_trips() {
        let p = GarchParams {
            omega: 2e-6,
            alpha: 0.08,
            beta: 0.9,
        };
        let q = to_params(from_params(p));
        assert!((q.omega - p.omega).abs() < 1e-18);
        assert!((q.alpha - p.alpha).abs() < 1e-12 && (q.beta - p.beta).abs() < 1e-12);
    }

    #[test]
    fn warm_start_reaches_the_same_optimum() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/garch_reference.json")).unwrap();
        let returns: Vec<f64> =
            serde_json::from_value(file["cases"][0]["returns"].clone()).unwrap();
        let cold = fit_garch(&returns).unwrap();
        let near = GarchParams {
            omega: cold.params.omega * 1.2,
            alpha: cold.params.alpha * 0.9,
            beta: cold.params.beta,
        };
        let warm = fit_garch_warm(&returns, Some(near)).unwrap();
        assert!((warm.log_likelihood - cold.log_likelihood).abs() < 1e-6);
        assert!((warm.forecast_variance / cold.forecast_variance - 1.0).abs() < 1e-3);
        assert!(
            warm.evaluations < cold.evaluations,
            "{} vs {}",
            warm.evaluations,
            cold.evaluations
        );
    }

    #[test]
    fn garch_falls_back_to_ewma_on_short_data() {
        let rs = vec![0.01, -0.01, 0.02];
        let cfg = VolConfig {
            estimator: Estimator::Garch,
            ..VolConfig::default()
        };
        let e = estimate(&rs, 365.0, &cfg).unwrap();
        assert_eq!(e.estimator, Estimator::Ewma);
        assert_eq!(
            e.fallback.as_deref(),
            Some("GARCH needs at least 50 returns, got 3")
        );
        assert_eq!(
            fit_garch(&rs),
            Err(GarchError::TooFewReturns { needed: 50, got: 3 })
        );
        assert_eq!(fit_garch(&[0.0; 60]), Err(GarchError::Degenerate));
    }

    #[test]
    fn garch_recovers_simulated_parameters() {
        // Simulate a long GARCH path with a fixed LCG + Box-Muller, then fit.
        let truth = GarchParams {
            omega: 1e-5,
            alpha: 0.1,
            beta: 0.85,
        };
        let mut state: u64 = 12345;
        let mut uniform = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let mut s2 = truth.omega / (1.0 - truth.alpha - truth.beta);
        let mut rs = Vec::with_capacity(20_000);
        for _ in 0..20_000 {
            let z = (-2.0 * uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * uniform()).cos();
            let r = s2.sqrt() * z;
            rs.push(r);
            s2 = truth.omega + truth.alpha * r * r + truth.beta * s2;
        }
        let fit = fit_garch(&rs).unwrap();
        assert!((fit.params.alpha - 0.1).abs() < 0.02, "{:?}", fit.params);
        assert!((fit.params.beta - 0.85).abs() < 0.03, "{:?}", fit.params);
        let uncond = fit.params.omega / (1.0 - fit.params.alpha - fit.params.beta);
        assert!((uncond / 2e-4 - 1.0).abs() < 0.15, "{uncond}");
    }

    /// Fits against Kevin Sheppard's `arch` (see tests/data/garch_reference.py):
    /// our optimum must be at least as likely as arch's, and the parameters and
    /// the forecast must agree closely.
    #[test]
    fn garch_matches_arch_reference_fits() {
        #[derive(Deserialize)]
        struct Case {
            name: String,
            returns: Vec<f64>,
            omega: f64,
            alpha: f64,
            beta: f64,
            log_likelihood: f64,
            forecast_variance: f64,
        }
        #[derive(Deserialize)]
        struct File {
            cases: Vec<Case>,
        }
        let file: File =
            serde_json::from_str(include_str!("../tests/data/garch_reference.json")).unwrap();
        assert_eq!(file.cases.len(), 4);
        for c in &file.cases {
            let fit = fit_garch(&c.returns).unwrap();
            let p = fit.params;
            assert!(
                fit.log_likelihood >= c.log_likelihood - 1e-6,
                "{}: ll {} < arch {}",
                c.name,
                fit.log_likelihood,
                c.log_likelihood
            );
            assert!(
                (fit.log_likelihood - c.log_likelihood).abs() < 1e-3,
                "{}: ll {} vs {}",
                c.name,
                fit.log_likelihood,
                c.log_likelihood
            );
            assert!(
                (p.alpha - c.alpha).abs() < 2e-3,
                "{}: alpha {} vs {}",
                c.name,
                p.alpha,
                c.alpha
            );
            assert!(
                (p.beta - c.beta).abs() < 5e-3,
                "{}: beta {} vs {}",
                c.name,
                p.beta,
                c.beta
            );
            assert!(
                (p.omega / c.omega - 1.0).abs() < 5e-2,
                "{}: omega {} vs {}",
                c.name,
                p.omega,
                c.omega
            );
            let rel = fit.forecast_variance / c.forecast_variance - 1.0;
            assert!(
                rel.abs() < 2e-3,
                "{}: forecast {} vs {}",
                c.name,
                fit.forecast_variance,
                c.forecast_variance
            );
        }
    }

    #[test]
    fn sigma_to_wad_rounds_to_nearest() {
        assert_eq!(sigma_to_wad(0.8), Some(800_000_000_000_000_000));
        assert_eq!(sigma_to_wad(0.0), Some(0));
        assert_eq!(sigma_to_wad(-0.1), None);
        assert_eq!(sigma_to_wad(f64::NAN), None);
    }
}
