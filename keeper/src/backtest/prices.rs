//! Price paths for the backtest: CSV files, seeded synthetic paths (GBM and
//! Merton jump-diffusion) and the embedded default.
//!
//! A path is a sorted series of `(unix seconds, price)` with price in token1
//! per token0 (human units; the backtest's tokens both have 18 decimals, so
//! the raw price equals the human price). The last close is also kept as an
//! exact decimal when it came from text, so exact valuations use the number
//! the file holds, not its nearest `f64`.

use std::path::Path;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Normal, Poisson, StandardNormal};
use serde::Serialize;

use crate::decimal::{Decimal, parse_decimal};

/// Fewest rows a path may have (two returns: one to seed the volatility
/// estimate, one to trade on).
pub const MIN_ROWS: usize = 3;

/// Start of every synthetic path: 2024-01-01T00:00:00Z.
pub const SYNTHETIC_START: i64 = 1_704_067_200;

/// Problems with a price source, each naming where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// File name.
        path: String,
        /// OS error text.
        reason: String,
    },
    /// No header line.
    #[error("the CSV file is empty")]
    Empty,
    /// A required column is absent.
    #[error("missing column {wanted} (header has: {found})")]
    MissingColumn {
        /// The column (and accepted aliases).
        wanted: &'static str,
        /// The header as read.
        found: String,
    },
    /// A row has the wrong number of fields.
    #[error("line {line}: expected {expected} fields, found {found}")]
    FieldCount {
        /// 1-based line number.
        line: usize,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A timestamp that is not a date, date-time or unix time.
    #[error(
        "line {line}: cannot read timestamp {value:?} (want YYYY-MM-DD, RFC 3339 or unix seconds/milliseconds)"
    )]
    BadTimestamp {
        /// 1-based line number.
        line: usize,
        /// The text.
        value: String,
    },
    /// A price that is not a decimal number.
    #[error("line {line}: column {column}: {value:?} is not a number")]
    BadNumber {
        /// 1-based line number.
        line: usize,
        /// Column name.
        column: String,
        /// The text.
        value: String,
    },
    /// Zero or negative price.
    #[error("line {line}: column {column}: price {value} is not positive")]
    NonPositive {
        /// 1-based line number.
        line: usize,
        /// Column name.
        column: String,
        /// The text.
        value: String,
    },
    /// `low > high` in an OHLC row.
    #[error("line {line}: low {low} is above high {high}")]
    LowAboveHigh {
        /// 1-based line number.
        line: usize,
        /// Low.
        low: f64,
        /// High.
        high: f64,
    },
    /// Timestamp not after the previous row's.
    #[error(
        "line {line}: timestamp {ts} is before the previous row's {prev} (rows must be sorted by time)"
    )]
    Unsorted {
        /// 1-based line number.
        line: usize,
        /// This row's time (unix s).
        ts: i64,
        /// Previous row's time.
        prev: i64,
    },
    /// Same timestamp twice.
    #[error("line {line}: duplicate timestamp {ts}")]
    Duplicate {
        /// 1-based line number.
        line: usize,
        /// The repeated time (unix s).
        ts: i64,
    },
    /// Fewer rows than [`MIN_ROWS`].
    #[error("need at least {needed} price rows, found {found}")]
    TooFewRows {
        /// Minimum.
        needed: usize,
        /// Found.
        found: usize,
    },
    /// Bad synthetic-path parameter.
    #[error("synthetic path: {0}")]
    BadParameter(String),
}

/// A price path.
#[derive(Debug, Clone, PartialEq)]
pub struct PricePath {
    /// Where it came from (file name or generator with parameters).
    pub source: String,
    /// Unix seconds, strictly increasing.
    pub times: Vec<i64>,
    /// Close (reference) prices, token1 per token0, all positive.
    pub close: Vec<f64>,
    /// The last close exactly as written (synthetic paths: the `f64`'s
    /// decimal expansion rounded to 18 places).
    pub last_close_exact: Decimal,
    /// The first close exactly as written (same rule).
    pub first_close_exact: Decimal,
    /// The diffusion volatility the path was generated with (synthetic
    /// paths only).
    pub model_sigma: Option<f64>,
    /// `ln(close[i] / close[i - 1])`, computed once with the path (every
    /// strategy and estimator reads the same returns).
    pub log_returns: Vec<f64>,
}

/// Summary of a path's time grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spacing {
    /// Median spacing between rows, seconds.
    pub median_seconds: f64,
    /// Largest gap between rows, seconds.
    pub max_gap_seconds: f64,
    /// Total span, years of [`crate::vol::SECONDS_PER_YEAR`].
    pub years: f64,
}

impl PricePath {
    /// Median and largest spacing of the time grid, and the span in years.
    #[must_use]
    pub fn spacing(&self) -> Spacing {
        let gaps = || self.times.windows(2).map(|w| w[1] - w[0]);
        let first = gaps().next().unwrap_or(0);
        let (median, max) = if gaps().all(|g| g == first) {
            // Regular grid (every synthetic path): no sort needed.
            (first, first)
        } else {
            let mut all: Vec<i64> = gaps().collect();
            let mid = all.len() / 2;
            let max = all.iter().copied().max().unwrap_or(0);
            (*all.select_nth_unstable(mid).1, max)
        };
        let span = match (self.times.first(), self.times.last()) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        #[allow(clippy::cast_precision_loss)]
        Spacing {
            median_seconds: median as f64,
            max_gap_seconds: max as f64,
            years: span as f64 / crate::vol::SECONDS_PER_YEAR,
        }
    }

    fn from_rows(
        source: String,
        times: Vec<i64>,
        close: Vec<f64>,
        first: Decimal,
        last: Decimal,
    ) -> Result<Self, PriceError> {
        if close.len() < MIN_ROWS {
            return Err(PriceError::TooFewRows {
                needed: MIN_ROWS,
                found: close.len(),
            });
        }
        let log_returns = close.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        Ok(Self {
            source,
            times,
            close,
            last_close_exact: last,
            first_close_exact: first,
            model_sigma: None,
            log_returns,
        })
    }
}

const TIME_COLUMNS: [&str; 6] = ["timestamp", "time", "date", "datetime", "unix", "open_time"];
const CLOSE_COLUMNS: [&str; 3] = ["close", "price", "close_price"];

/// Reads a CSV price file: a header, then one row per time. Needs a time
/// column (`timestamp`, `time`, `date`, `datetime`, `unix` or `open_time`)
/// and a close column (`close`, `price` or `close_price`); other columns
/// (open, high, low, volume...) are allowed, and `high`/`low`, when present,
/// are checked (`low <= high`). Column names are case-insensitive.
///
/// # Errors
/// [`PriceError`] naming the line and column of the first problem.
pub fn read_csv(path: &Path) -> Result<PricePath, PriceError> {
    let text = std::fs::read_to_string(path).map_err(|e| PriceError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse_csv(&text, &path.display().to_string())
}

/// [`read_csv`] on text already in memory; `source` names it in the result.
///
/// # Errors
/// As [`read_csv`].
pub fn parse_csv(text: &str, source: &str) -> Result<PricePath, PriceError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or(PriceError::Empty)?;
    let columns: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| columns.iter().position(|c| names.contains(&c.as_str()));
    let found = columns.join(",");
    let t_col = find(&TIME_COLUMNS).ok_or_else(|| PriceError::MissingColumn {
        wanted: "timestamp (or time, date, datetime, unix, open_time)",
        found: found.clone(),
    })?;
    let c_col = find(&CLOSE_COLUMNS).ok_or_else(|| PriceError::MissingColumn {
        wanted: "close (or price, close_price)",
        found: found.clone(),
    })?;
    let (h_col, l_col) = (find(&["high"]), find(&["low"]));

    let mut times = Vec::new();
    let mut close = Vec::new();
    let mut first_exact = None;
    let mut last_exact = None;
    for (idx, line) in lines {
        let line_no = idx + 1;
        let fields: Vec<&str> = line
            .split(',')
            .map(|f| f.trim().trim_matches('"'))
            .collect();
        if fields.len() != columns.len() {
            return Err(PriceError::FieldCount {
                line: line_no,
                expected: columns.len(),
                found: fields.len(),
            });
        }
        let ts = parse_timestamp(fields[t_col]).ok_or_else(|| PriceError::BadTimestamp {
            line: line_no,
            value: fields[t_col].to_string(),
        })?;
        if let Some(&prev) = times.last() {
            if ts == prev {
                return Err(PriceError::Duplicate { line: line_no, ts });
            }
            if ts < prev {
                return Err(PriceError::Unsorted {
                    line: line_no,
                    ts,
                    prev,
                });
            }
        }
        let price = |col: usize| -> Result<(f64, Decimal), PriceError> {
            let text = fields[col];
            let column = columns[col].clone();
            let dec = parse_decimal(text).map_err(|_| PriceError::BadNumber {
                line: line_no,
                column: column.clone(),
                value: text.to_string(),
            })?;
            if dec.is_negative() || dec.is_zero() {
                return Err(PriceError::NonPositive {
                    line: line_no,
                    column,
                    value: text.to_string(),
                });
            }
            let v: f64 = text.parse().map_err(|_| PriceError::BadNumber {
                line: line_no,
                column: column.clone(),
                value: text.to_string(),
            })?;
            Ok((v, dec))
        };
        let (c, c_exact) = price(c_col)?;
        if let (Some(h), Some(l)) = (h_col, l_col) {
            let (high, _) = price(h)?;
            let (low, _) = price(l)?;
            if low > high {
                return Err(PriceError::LowAboveHigh {
                    line: line_no,
                    low,
                    high,
                });
            }
        }
        if first_exact.is_none() {
            first_exact = Some(c_exact.clone());
        }
        last_exact = Some(c_exact);
        times.push(ts);
        close.push(c);
    }
    match (first_exact, last_exact) {
        (Some(first), Some(last)) => {
            PricePath::from_rows(source.to_string(), times, close, first, last)
        }
        _ => Err(PriceError::TooFewRows {
            needed: MIN_ROWS,
            found: 0,
        }),
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month[usize::try_from(m - 1).ok()?] {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400)
}

fn parse_clock(s: &str) -> Option<i64> {
    // HH:MM[:SS[.fff]] followed by nothing, `Z`, or a +HH:MM / -HH:MM offset.
    let (clock, offset) = if let Some(c) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        (c, 0)
    } else if s.len() > 6
        && (s.as_bytes()[s.len() - 6] == b'+' || s.as_bytes()[s.len() - 6] == b'-')
    {
        let (c, off) = s.split_at(s.len() - 6);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        (
            c,
            sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60),
        )
    } else {
        (s, 0)
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let sec = match parts.next() {
        None => 0,
        Some(sec) => sec.split('.').next()?.parse().ok()?,
    };
    if parts.next().is_some()
        || !(0..24).contains(&h)
        || !(0..60).contains(&m)
        || !(0..61).contains(&sec)
    {
        return None;
    }
    Some(h * 3600 + m * 60 + sec - offset)
}

/// Parses a timestamp: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.f]][Z|±HH:MM]`
/// (a space may replace the `T`), or a unix time as an integer (seconds, or
/// milliseconds when above 1e11, i.e. after the year 5138 in seconds).
/// Returns unix seconds.
#[must_use]
pub fn parse_timestamp(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        let v: i64 = s.parse().ok()?;
        return Some(if v > 100_000_000_000 { v / 1000 } else { v });
    }
    match s.split_once(['T', 't', ' ']) {
        None => parse_date(s),
        Some((date, clock)) => Some(parse_date(date)? + parse_clock(clock)?),
    }
}

/// Which synthetic model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Geometric Brownian motion.
    Gbm,
    /// Merton jump-diffusion: GBM plus compound-Poisson normal log jumps.
    Merton,
}

/// Parameters of a synthetic path. Rates are annual (per
/// [`crate::vol::SECONDS_PER_YEAR`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Synthetic {
    /// Model.
    pub model: Model,
    /// Diffusion volatility (fraction per sqrt-year), >= 0.
    pub sigma: f64,
    /// Drift of the price (annual, arithmetic: `E[S_T] = S_0 e^{drift T}`,
    /// jumps compensated).
    pub drift: f64,
    /// Length in days, > 0.
    pub days: u32,
    /// Steps per day; must divide 86,400 so times are whole seconds.
    pub steps_per_day: u32,
    /// Seed of the portable Xoshiro256++ generator.
    pub seed: u64,
    /// Starting price (token1 per token0), > 0.
    pub start_price: f64,
    /// Merton: expected jumps per year, >= 0.
    pub jump_intensity: f64,
    /// Merton: mean log jump size.
    pub jump_mean: f64,
    /// Merton: standard deviation of the log jump size, >= 0.
    pub jump_sd: f64,
}

impl Default for Synthetic {
    /// The embedded default path: GBM, 80 %/yr, no drift, one year of hourly
    /// steps from 2,000, seed 42.
    fn default() -> Self {
        Self {
            model: Model::Gbm,
            sigma: 0.8,
            drift: 0.0,
            days: 365,
            steps_per_day: 24,
            seed: 42,
            start_price: 2_000.0,
            jump_intensity: 12.0,
            jump_mean: -0.03,
            jump_sd: 0.08,
        }
    }
}

/// Generates a synthetic path (exact log-normal steps, so the GBM is
/// unbiased for any step size). Same parameters and seed, same numbers on
/// every platform: the generator is the portable Xoshiro256++ seeded with
/// `seed_from_u64`, and the normals come from `rand_distr`'s ziggurat.
///
/// # Errors
/// [`PriceError::BadParameter`] for a negative or non-finite sigma, jump sd
/// or intensity, a non-positive start price, zero days, or steps per day that
/// do not divide 86,400; [`PriceError::TooFewRows`] never (at least 2 steps).
pub fn generate(p: &Synthetic) -> Result<PricePath, PriceError> {
    let bad = |m: &str| Err(PriceError::BadParameter(m.to_string()));
    if !(p.sigma.is_finite() && p.sigma >= 0.0) {
        return bad("sigma must be a non-negative number");
    }
    if !p.drift.is_finite() {
        return bad("drift must be a finite number");
    }
    if !(p.start_price.is_finite() && p.start_price > 0.0) {
        return bad("start price must be positive");
    }
    if p.days == 0 {
        return bad("days must be at least 1");
    }
    if p.steps_per_day == 0 || 86_400 % p.steps_per_day != 0 {
        return bad("steps per day must divide 86,400 (e.g. 1, 24, 96, 288, 1440)");
    }
    if p.model == Model::Merton
        && !(p.jump_intensity.is_finite()
            && p.jump_intensity >= 0.0
            && p.jump_sd.is_finite()
            && p.jump_sd >= 0.0
            && p.jump_mean.is_finite())
    {
        return bad("jump intensity and jump sd must be non-negative numbers, jump mean finite");
    }
    let steps = u64::from(p.days) * u64::from(p.steps_per_day);
    let step_seconds = i64::from(86_400 / p.steps_per_day);
    #[allow(clippy::cast_precision_loss)]
    let dt = step_seconds as f64 / crate::vol::SECONDS_PER_YEAR;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(p.seed);
    let (jumps, kappa) = match p.model {
        Model::Gbm => (None, 0.0),
        Model::Merton => {
            let jump = Normal::new(p.jump_mean, p.jump_sd)
                .map_err(|e| PriceError::BadParameter(e.to_string()))?;
            let count = if p.jump_intensity > 0.0 {
                Some(
                    Poisson::new(p.jump_intensity * dt)
                        .map_err(|e| PriceError::BadParameter(e.to_string()))?,
                )
            } else {
                None
            };
            (
                count.map(|c| (c, jump)),
                (p.jump_mean + 0.5 * p.jump_sd * p.jump_sd).exp() - 1.0,
            )
        }
    };
    // Compensated drift so that E[S_{t+dt} / S_t] = exp(drift dt).
    let mu = (p.drift
        - 0.5 * p.sigma * p.sigma
        - p.jump_intensity * kappa * f64::from(u8::from(p.model == Model::Merton)))
        * dt;
    let vol = p.sigma * dt.sqrt();
    let n =
        usize::try_from(steps).map_err(|_| PriceError::BadParameter("too many steps".into()))?;
    let mut times = Vec::with_capacity(n + 1);
    let mut close = Vec::with_capacity(n + 1);
    let mut log_p = p.start_price.ln();
    let mut t = SYNTHETIC_START;
    times.push(t);
    close.push(p.start_price);
    for _ in 0..n {
        let z: f64 = StandardNormal.sample(&mut rng);
        log_p += mu + vol * z;
        if let Some((count, jump)) = &jumps {
            let k: f64 = count.sample(&mut rng);
            // k is a small non-negative integer count.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            for _ in 0..(k as u64) {
                log_p += jump.sample(&mut rng);
            }
        }
        t += step_seconds;
        times.push(t);
        close.push(log_p.exp());
    }
    let source = match p.model {
        Model::Gbm => format!(
            "synthetic gbm sigma={} drift={} days={} steps/day={} seed={} start={}",
            p.sigma, p.drift, p.days, p.steps_per_day, p.seed, p.start_price
        ),
        Model::Merton => format!(
            "synthetic merton sigma={} drift={} jumps/yr={} jump mean={} jump sd={} days={} steps/day={} seed={} start={}",
            p.sigma,
            p.drift,
            p.jump_intensity,
            p.jump_mean,
            p.jump_sd,
            p.days,
            p.steps_per_day,
            p.seed,
            p.start_price
        ),
    };
    let first = Decimal::from_f64_18(close[0])
        .ok_or_else(|| PriceError::BadParameter("start price out of range".into()))?;
    let last_price = *close.last().unwrap_or(&p.start_price);
    let last = Decimal::from_f64_18(last_price)
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            PriceError::BadParameter(format!(
                "path ended at {last_price}, outside the representable range"
            ))
        })?;
    let mut path = PricePath::from_rows(source, times, close, first, last)?;
    path.model_sigma = Some(p.sigma);
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "timestamp,open,high,low,close,volume\n";

    #[test]
    fn reads_ohlc_csv_with_dates() {
        let text = format!(
            "{HEADER}2022-01-01,1,2,0.5,1.5,10\n2022-01-02,1.5,2,1,1.75,10\n2022-01-03,1.75,2,1,2.000000000000000001,10\n"
        );
        let p = parse_csv(&text, "t").unwrap();
        assert_eq!(p.times, vec![1_640_995_200, 1_641_081_600, 1_641_168_000]);
        assert_eq!(p.close, vec![1.5, 1.75, 2.0]);
        assert_eq!(p.last_close_exact.to_string(), "2.000000000000000001");
        assert_eq!(p.spacing().median_seconds, 86_400.0);
    }

    #[test]
    fn reads_close_only_csv_with_unix_times_and_aliases() {
        let p = parse_csv(
            "Time,Price\n1700000000,10\n1700000060,11\n1700000120000,12\n",
            "t",
        )
        .unwrap();
        assert_eq!(p.times, vec![1_700_000_000, 1_700_000_060, 1_700_000_120]);
    }

    #[test]
    fn missing_close_column_is_named() {
        let e = parse_csv("timestamp,open\n2022-01-01,1\n", "t").unwrap_err();
        assert_eq!(
            e,
            PriceError::MissingColumn {
                wanted: "close (or price, close_price)",
                found: "timestamp,open".into()
            }
        );
        let e = parse_csv("when,close\n1,1\n", "t").unwrap_err();
        assert!(
            matches!(e, PriceError::MissingColumn { wanted, .. } if wanted.starts_with("timestamp"))
        );
    }

    #[test]
    fn unsorted_and_duplicate_timestamps_are_rejected_with_line() {
        let e = parse_csv("time,close\n2,1\n1,1\n3,1\n", "x");
        assert_eq!(
            e,
            Err(PriceError::Unsorted {
                line: 3,
                ts: 1,
                prev: 2
            })
        );
        let e = parse_csv("time,close\n1,1\n1,1\n3,1\n", "x");
        assert_eq!(e, Err(PriceError::Duplicate { line: 3, ts: 1 }));
    }

    #[test]
    fn non_positive_and_malformed_prices_are_rejected() {
        let e = parse_csv("time,close\n1,1\n2,0\n3,1\n", "x");
        assert_eq!(
            e,
            Err(PriceError::NonPositive {
                line: 3,
                column: "close".into(),
                value: "0".into()
            })
        );
        let e = parse_csv("time,close\n1,1\n2,-5\n3,1\n", "x");
        assert_eq!(
            e,
            Err(PriceError::NonPositive {
                line: 3,
                column: "close".into(),
                value: "-5".into()
            })
        );
        let e = parse_csv("time,close\n1,abc\n", "x");
        assert_eq!(
            e,
            Err(PriceError::BadNumber {
                line: 2,
                column: "close".into(),
                value: "abc".into()
            })
        );
        let e = parse_csv("time,high,low,close\n1,1,2,1\n", "x");
        assert_eq!(
            e,
            Err(PriceError::LowAboveHigh {
                line: 2,
                low: 2.0,
                high: 1.0
            })
        );
        let e = parse_csv("time,close\n1,1,3\n", "x");
        assert_eq!(
            e,
            Err(PriceError::FieldCount {
                line: 2,
                expected: 2,
                found: 3
            })
        );
        let e = parse_csv("time,close\nyesterday,1\n", "x");
        assert_eq!(
            e,
            Err(PriceError::BadTimestamp {
                line: 2,
                value: "yesterday".into()
            })
        );
    }

    #[test]
    fn too_few_rows_and_empty_file_are_rejected() {
        assert_eq!(
            parse_csv("time,close\n1,1\n2,1\n", "x"),
            Err(PriceError::TooFewRows {
                needed: 3,
                found: 2
            })
        );
        assert_eq!(
            parse_csv("time,close\n", "x"),
            Err(PriceError::TooFewRows {
                needed: 3,
                found: 0
            })
        );
        assert_eq!(parse_csv("", "x"), Err(PriceError::Empty));
    }

    #[test]
    fn timestamps_parse_in_every_accepted_form() {
        assert_eq!(parse_timestamp("1970-01-01"), Some(0));
        assert_eq!(parse_timestamp("2000-03-01"), Some(951_868_800));
        assert_eq!(parse_timestamp("2024-02-29T12:30:00Z"), Some(1_709_209_800));
        assert_eq!(parse_timestamp("2024-02-29 12:30"), Some(1_709_209_800));
        assert_eq!(
            parse_timestamp("2024-02-29T14:30:00+02:00"),
            Some(1_709_209_800)
        );
        assert_eq!(parse_timestamp("2023-02-29"), None);
        assert_eq!(parse_timestamp("2023-13-01"), None);
        assert_eq!(parse_timestamp("-5"), None);
    }

    #[test]
    fn synthetic_paths_are_reproducible_and_seed_dependent() {
        let p = Synthetic {
            days: 10,
            ..Synthetic::default()
        };
        let a = generate(&p).unwrap();
        let b = generate(&p).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.close.len(), 241);
        assert_eq!(a.times[1] - a.times[0], 3_600);
        let c = generate(&Synthetic { seed: 43, ..p }).unwrap();
        assert_ne!(a.close, c.close);
        let m = generate(&Synthetic {
            model: Model::Merton,
            ..p
        })
        .unwrap();
        assert_ne!(a.close, m.close);
    }

    #[test]
    fn gbm_has_the_configured_volatility() {
        let p = Synthetic {
            days: 365,
            steps_per_day: 288,
            seed: 7,
            ..Synthetic::default()
        };
        let path = generate(&p).unwrap();
        let r = crate::vol::log_returns(&path.close).unwrap();
        let s = crate::vol::realised_sigma(&r, r.len(), 365.0 * 288.0).unwrap();
        // 105,120 returns: the sd of the estimate is sigma / sqrt(2n) ~ 0.2 %.
        assert!((s / 0.8 - 1.0).abs() < 0.01, "{s}");
    }

    #[test]
    fn bad_synthetic_parameters_are_named() {
        let e = generate(&Synthetic {
            steps_per_day: 7,
            ..Synthetic::default()
        });
        assert!(matches!(e, Err(PriceError::BadParameter(m)) if m.contains("86,400")));
        let e = generate(&Synthetic {
            sigma: -1.0,
            ..Synthetic::default()
        });
        assert!(matches!(e, Err(PriceError::BadParameter(m)) if m.contains("sigma")));
        let e = generate(&Synthetic {
            days: 0,
            ..Synthetic::default()
        });
        assert!(matches!(e, Err(PriceError::BadParameter(m)) if m.contains("days")));
    }
}
