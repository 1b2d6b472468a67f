//! Charts of a backtest, as PNG and SVG, with `plotters`.
//!
//! Text in the PNGs is drawn with DejaVu Sans embedded in the binary (the
//! `dejavu` crate, through plotters' `ab_glyph` feature), so no system font
//! or fontconfig is needed; the SVGs carry text as `<text>` elements.
//!
//! Charts: `price` (the path), `pnl` (value minus hold, per strategy),
//! `il` (measured IL of the unhedged LP and the closed form), `payoff` (PnL
//! against the final price of LP, hold, delta-hedged LP and LP + strangle).

use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::engine::{BacktestReport, StrategyKind};

/// Chart size in pixels.
const SIZE: (u32, u32) = (1100, 650);

/// A chart that could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chart {file}: {reason}")]
pub struct PlotError {
    /// The file.
    pub file: String,
    /// What failed.
    pub reason: String,
}

static FONTS: Once = Once::new();

fn register_fonts() {
    FONTS.call_once(|| {
        // The embedded font is a valid TTF; a failure would only drop text.
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// One line of a chart.
struct Line {
    name: String,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    dashed: bool,
}

/// A chart's content, drawn identically on both backends.
struct Chart {
    file: &'static str,
    title: String,
    x_desc: &'static str,
    y_desc: &'static str,
    lines: Vec<Line>,
    /// Vertical markers (x, label, colour); empty labels stay out of the legend.
    markers: Vec<(f64, String, RGBColor)>,
}

const PALETTE: [RGBColor; 10] = [
    RGBColor(0x44, 0x44, 0x44),
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0xbc, 0xbd, 0x22),
];

fn bounds(lines: &[Line]) -> (f64, f64, f64, f64) {
    let mut b = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for l in lines {
        for &(x, y) in &l.points {
            if x.is_finite() && y.is_finite() {
                b = (b.0.min(x), b.1.max(x), b.2.min(y), b.3.max(y));
            }
        }
    }
    if !b.0.is_finite() {
        return (0.0, 1.0, 0.0, 1.0);
    }
    let pad = ((b.3 - b.2) * 0.05).max(b.3.abs().max(1e-9) * 1e-6);
    let xpad = if b.1 > b.0 { 0.0 } else { 1.0 };
    // Extra room at the top for the legend.
    (b.0, b.1 + xpad, b.2 - pad, b.3 + pad + 0.3 * (b.3 - b.2))
}

/// Axis numbers: `1,250,000` -> `1.25M`, `-35,000` -> `-35k`, `0.5` -> `0.5`.
fn short(v: f64) -> String {
    let a = v.abs();
    let (x, unit) = if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{unit}")
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Chart) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (x0, x1, y0, y1) = bounds(&c.lines);
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 24))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(95)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc(c.x_desc)
        .y_desc(c.y_desc)
        .label_style(("sans-serif", 14))
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .axis_desc_style(("sans-serif", 16))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| e.to_string())?;
    for (x, label, color) in &c.markers {
        let color = *color;
        let drawn = chart
            .draw_series(DashedLineSeries::new(
                vec![(*x, y0), (*x, y1)],
                6,
                4,
                color.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        if !label.is_empty() {
            drawn
                .label(label.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
    }
    for line in &c.lines {
        let color = line.color;
        let style = color.stroke_width(2);
        let series = if line.dashed {
            chart.draw_series(DashedLineSeries::new(line.points.clone(), 8, 5, style))
        } else {
            chart.draw_series(LineSeries::new(line.points.clone(), style))
        };
        series
            .map_err(|e| e.to_string())?
            .label(line.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

fn write(dir: &Path, c: &Chart) -> Result<Vec<PathBuf>, PlotError> {
    register_fonts();
    let png = dir.join(format!("{}.png", c.file));
    let svg = dir.join(format!("{}.svg", c.file));
    let fail = |p: &Path, reason: String| PlotError {
        file: p.display().to_string(),
        reason,
    };
    {
        let root = BitMapBackend::new(&png, SIZE).into_drawing_area();
        draw(&root, c).map_err(|e| fail(&png, e))?;
    }
    {
        let root = SVGBackend::new(&svg, SIZE).into_drawing_area();
        draw(&root, c).map_err(|e| fail(&svg, e))?;
    }
    Ok(vec![png, svg])
}

fn zip(xs: &[f64], ys: &[f64]) -> Vec<(f64, f64)> {
    xs.iter().copied().zip(ys.iter().copied()).collect()
}

/// Writes the four charts (PNG and SVG each) into `dir` (created if
/// needed). Returns the files written.
///
/// # Errors
/// [`PlotError`] naming the file that failed (directory not writable...).
pub fn write_charts(r: &BacktestReport, dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    std::fs::create_dir_all(dir).map_err(|e| PlotError {
        file: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    let se = &r.series;
    let mut files = Vec::new();

    files.extend(write(
        dir,
        &Chart {
            file: "price",
            title: "Reference price".into(),
            x_desc: "days",
            y_desc: "token1 per token0",
            lines: vec![Line {
                name: "price".into(),
                points: zip(&se.days, &se.price),
                color: PALETTE[1],
                dashed: false,
            }],
            markers: vec![],
        },
    )?);

    let hold = se
        .strategies
        .iter()
        .position(|&k| k == StrategyKind::Hold)
        .map(|i| &se.values[i]);
    let pnl_lines = se
        .strategies
        .iter()
        .zip(&se.labels)
        .zip(&se.values)
        .enumerate()
        .map(|(j, ((&k, label), vals))| Line {
            name: label.clone(),
            points: se
                .days
                .iter()
                .zip(vals)
                .enumerate()
                .map(|(i, (&d, &v))| (d, v - hold.map_or(0.0, |h| h[i])))
                .collect(),
            color: PALETTE[j % PALETTE.len()],
            dashed: k == StrategyKind::Hold,
        })
        .collect();
    files.extend(write(
        dir,
        &Chart {
            file: "pnl",
            title: "Value minus hold, per strategy".into(),
            x_desc: "days",
            y_desc: "token1",
            lines: pnl_lines,
            markers: vec![],
        },
    )?);

    let pct = |v: &[f64]| v.iter().map(|x| x * 100.0).collect::<Vec<_>>();
    files.extend(write(
        dir,
        &Chart {
            file: "il",
            title: "Impermanent loss of the unhedged LP (fees excluded)".into(),
            x_desc: "days",
            y_desc: "% of hold value",
            lines: vec![
                Line {
                    name: "measured (LP - fees - hold)".into(),
                    points: zip(&se.days, &pct(&se.il_measured)),
                    color: PALETTE[1],
                    dashed: false,
                },
                Line {
                    name: "closed form IL(P/P0)".into(),
                    points: zip(&se.days, &pct(&se.il_closed_form)),
                    color: PALETTE[4],
                    dashed: true,
                },
            ],
            markers: vec![],
        },
    )?);

    files.extend(write(dir, &payoff_chart(r))?);
    Ok(files)
}

/// The picture of Proposition 4.1, relative to holding, at the horizon and
/// without fees: the LP's IL `c (sqrt(r) - (r + 1) / 2)` (which is also a
/// delta-hedged LP's PnL: the hedge removes exactly the hold's exposure),
/// the strangle's payoff minus its cost, and their sum plus the pool return
/// `r_p c`, which the proposition keeps >= 0 over `[P_i, P_s]`.
fn payoff_chart(r: &BacktestReport) -> Chart {
    let p0 = r.first_price;
    let c = r.capital;
    let (lo, hi) = match &r.strangle {
        Some(s) => (
            (s.lower * 0.7).min(0.4 * p0),
            (s.upper * 1.15).max(2.5 * p0),
        ),
        None => (0.3 * p0, 3.0 * p0),
    };
    let xs: Vec<f64> = (0..=400)
        .map(|i| lo + (hi - lo) * f64::from(i) / 400.0)
        .collect();
    let il = |p: f64| {
        let x = p / p0;
        c * (x.sqrt() - (x + 1.0) / 2.0)
    };
    let mut lines = vec![
        Line {
            name: "zero".into(),
            points: vec![(lo, 0.0), (hi, 0.0)],
            color: PALETTE[0],
            dashed: true,
        },
        Line {
            name: "IL: LP - hold (= delta-hedged LP PnL)".into(),
            points: xs.iter().map(|&p| (p, il(p))).collect(),
            color: PALETTE[1],
            dashed: false,
        },
    ];
    let grey = RGBColor(150, 150, 150);
    let mut markers = vec![(
        r.last_price,
        format!("final price {:.2}", r.last_price),
        PALETTE[4],
    )];
    if let Some(s) = &r.strangle {
        let strangle =
            |p: f64| s.qty * ((s.put_strike - p).max(0.0) + (p - s.call_strike).max(0.0)) - s.cost;
        lines.push(Line {
            name: "strangle payoff - cost".into(),
            points: xs.iter().map(|&p| (p, strangle(p))).collect(),
            color: PALETTE[5],
            dashed: true,
        });
        lines.push(Line {
            name: format!(
                "IL + strangle + pool return {:.1}% (Prop. 4.1)",
                s.pool_return * 100.0
            ),
            points: xs
                .iter()
                .map(|&p| (p, il(p) + strangle(p) + s.pool_return * c))
                .collect(),
            color: PALETTE[3],
            dashed: false,
        });
        markers.push((
            s.lower,
            format!("interval [{:.0}, {:.0}]", s.lower, s.upper),
            grey,
        ));
        markers.push((s.upper, String::new(), grey));
    }
    Chart {
        file: "payoff",
        title: "PnL against holding at the horizon, by final price (fees excluded)".into(),
        x_desc: "final price (token1 per token0)",
        y_desc: "token1",
        lines,
        markers,
    }
}
