//! Host-side timings of the hot paths (`cargo bench -p il-math`). On chain the
//! cost is wasm instructions (ink), which these numbers only rank.

use criterion::{Criterion, criterion_group, criterion_main};
use il_math::{
    I256, Price, Rounding, StrangleParams, U256, WAD, il_between, il_from_ratio, lp_value, mul_div,
    size_strangle, sqrt, sqrt_product,
};
use std::hint::black_box;

fn u(v: u128) -> U256 {
    U256::from(v)
}

fn benches(c: &mut Criterion) {
    // full-width operands: the 512-bit path with a 4-limb divisor
    let a = U256::MAX - u(12_345);
    let b = U256::MAX / u(3);
    let d = U256::MAX / u(2) + u(7);
    c.bench_function("mul_div/full_width", |bch| {
        bch.iter(|| mul_div(black_box(a), black_box(b), black_box(d), Rounding::Ceil))
    });
    // typical WAD operands: amount * price / 1e18
    c.bench_function("mul_div/wad", |bch| {
        bch.iter(|| {
            mul_div(
                black_box(u(123_456_789) * WAD),
                black_box(u(3_000) * WAD),
                black_box(WAD),
                Rounding::Floor,
            )
        })
    });
    c.bench_function("sqrt/u256_max", |bch| {
        bch.iter(|| sqrt(black_box(U256::MAX - u(99)), Rounding::Floor))
    });
    c.bench_function("sqrt/2^120", |bch| {
        bch.iter(|| sqrt(black_box(u(1 << 120) + u(12_345)), Rounding::Ceil))
    });
    // k = reserve0 * reserve1 near 2^224 times a price
    let k = (U256::from(1_u8) << 223) + u(987_654_321);
    c.bench_function("sqrt_product/k_2^224_times_p", |bch| {
        bch.iter(|| {
            sqrt_product(
                black_box(k),
                black_box(u(3_000_000_000_000)),
                Rounding::Floor,
            )
        })
    });
    c.bench_function("sqrt_product/full_width", |bch| {
        bch.iter(|| {
            sqrt_product(
                black_box(U256::MAX - u(5)),
                black_box(U256::MAX - u(9)),
                Rounding::Ceil,
            )
        })
    });
    c.bench_function("il_from_ratio/r=2", |bch| {
        bch.iter(|| il_from_ratio(black_box(u(2) * WAD)))
    });
    c.bench_function("il_from_ratio/r=1e-9", |bch| {
        bch.iter(|| il_from_ratio(black_box(u(1_000_000_000))))
    });
    let p0 = Price::from_oracle(I256::try_from(300_012_345_678_i64).unwrap(), 8, 18, 6).unwrap();
    let p1 = Price::from_reserves(u(1_000) * WAD, u(3_150_000_000_000)).unwrap();
    c.bench_function("il_between/oracle_vs_pool", |bch| {
        bch.iter(|| il_between(black_box(&p0), black_box(&p1)))
    });
    let big0 = Price::new(U256::MAX - u(3), U256::MAX / u(5)).unwrap();
    let big1 = Price::new(U256::MAX / u(7), U256::MAX - u(11)).unwrap();
    c.bench_function("il_between/full_width", |bch| {
        bch.iter(|| il_between(black_box(&big0), black_box(&big1)))
    });
    c.bench_function("lp_value/112_bit_reserves", |bch| {
        bch.iter(|| {
            lp_value(
                black_box(u(1 << 111)),
                black_box(u(1 << 100)),
                black_box(&p0),
                Rounding::Floor,
            )
        })
    });
    let w = |v: u128| U256::from(v) * WAD;
    let params = StrangleParams {
        capital: w(1_000),
        p0: w(100),
        p_lower: w(81),
        p_upper: w(121),
        call_strike: w(110),
        put_strike: w(90),
        call_premium: I256::try_from(2_000_000_000_000_000_000_i128).unwrap(),
        put_premium: I256::try_from(1_500_000_000_000_000_000_i128).unwrap(),
        pool_return: I256::try_from(7_000_000_000_000_000_i128).unwrap(),
    };
    c.bench_function("size_strangle", |bch| {
        bch.iter(|| size_strangle(black_box(&params)))
    });
}

criterion_group!(math, benches);
criterion_main!(math);
