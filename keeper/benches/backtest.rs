//! Backtest throughput: price steps per second, one core.
//!
//! `cargo bench -p il-keeper` (criterion). Paths are generated once, outside
//! the timed region: one year of minute steps (525,600), the size the issue's
//! targets name (>= 10 M steps/s for LP+hedge; all strategies in < 1 s).

use std::hint::black_box;

use alloy_primitives::U256;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use il_keeper::backtest::engine::{
    self, BacktestParams, GasParams, HedgeParams, RangeParams, SimVault, StrangleSetup,
    StrategyKind,
};
use il_keeper::backtest::prices::{Synthetic, generate};
use il_keeper::exact::Tier;
use il_keeper::policy::PolicyConfig;
use il_keeper::vol::{VolConfig, sigma_to_wad};

fn params(strategies: &[StrategyKind]) -> BacktestParams {
    let tier = |s: f64, fee_pips| Tier {
        min_sigma_wad: U256::from(sigma_to_wad(s).unwrap_or(0)),
        fee_pips,
    };
    BacktestParams {
        capital: 1_000_000.0,
        fee_pips: 3_000,
        noise_turnover_per_day: 0.2,
        noise_fee_elasticity: 1.0,
        hedge: HedgeParams {
            ratio_bps: 10_000,
            band_bps: 100,
            venue_fee_bps: 5.0,
            funding_apr: 0.0,
        },
        strangle: StrangleSetup {
            lower: 0.5,
            upper: 2.0,
            put_strike: 0.8,
            call_strike: 1.25,
            premiums: None,
            sigma: None,
            pool_return: 0.2,
        },
        tick_secs: 3_600,
        vol: VolConfig::default(),
        policy: PolicyConfig::default(),
        vault: SimVault {
            tiers: vec![tier(0.0, 500), tier(0.5, 3_000), tier(1.0, 10_000)],
            initial_tier: 1,
            hysteresis_wad: U256::from(sigma_to_wad(0.1).unwrap_or(0)),
            hedge_ratio_bps: 10_000,
            min_lp_bps: 2_000,
            max_lp_bps: 10_000,
            max_step_bps: 2_500,
            max_deviation_bps: 200,
            tier_cooldown_secs: 3_600,
            rebalance_cooldown_secs: 21_600,
            hedge_cooldown_secs: 3_600,
            tick_spacing: 60,
        },
        gas: GasParams {
            price_gwei: 0.02,
            native_price: None,
            fee_tier: 150_000,
            rebalance: 600_000,
            hedge: 400_000,
            rerange: 500_000,
        },
        range: RangeParams {
            ks_bps: vec![10_000, 20_000, 40_000],
            horizon_secs: 7 * 86_400,
            min_width: 600,
            max_width: None,
            swap: false,
        },
        fee_window_secs: 7 * 86_400,
        chart_points: 1_000,
        strategies: strategies.to_vec(),
    }
}

fn bench(c: &mut Criterion) {
    let path = generate(&Synthetic {
        steps_per_day: 1_440,
        ..Synthetic::default()
    })
    .expect("path");
    let steps = (path.close.len() - 1) as u64;
    let mut g = c.benchmark_group("backtest_one_year_of_minutes");
    g.sample_size(10);
    g.throughput(Throughput::Elements(steps));
    for (name, kinds) in [
        ("lp_hedge", vec![StrategyKind::LpHedge]),
        ("keeper_policy", vec![StrategyKind::Keeper]),
        ("all_strategies", StrategyKind::ALL.to_vec()),
    ] {
        let p = params(&kinds);
        g.bench_function(name, |b| {
            b.iter(|| engine::run(black_box(&path), black_box(&p), &mut |_| {}).expect("run"))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
