//! Risk parameters: bounds, the queue and its delay.

use super::*;

fn queue_words(hedge: &mut Hedge, w: [U256; 8]) -> Result<(), HedgeError> {
    hedge.queue_params(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
}

fn queue(hedge: &mut Hedge, p: [u64; 8]) -> Result<(), HedgeError> {
    queue_words(hedge, Params(p).words())
}

fn queued(p: [u64; 8], eta: u64) -> ParamsQueued {
    ParamsQueued {
        tradeFeePips: p[FEE] as u32,
        initialMarginBps: p[IM] as u16,
        maintenanceMarginBps: p[MM] as u16,
        liquidationPenaltyBps: p[PENALTY] as u16,
        maxPriceAge: p[MAX_AGE],
        spreadPips: p[SPREAD] as u32,
        impactPips: p[IMPACT] as u32,
        coverBps: p[COVER] as u16,
        eta,
    }
}

fn pending(hedge: &Hedge) -> [u64; 9] {
    hedge.pending_params().unwrap().0.map(|w| w.to::<u64>())
}

/// `[fee, initial, maintenance, penalty, maxPriceAge, spread, impact,
/// cover]`, and whether it is within bounds.
const BOUND_CASES: [([u64; 8], bool); 27] = [
    ([3_000, 1_000, 500, 100, 90_000, 500, 50_000, 2_000], true),
    ([3_001, 1_000, 500, 100, 90_000, 500, 50_000, 2_000], false),
    ([0, 200, 100, 0, 90_000, 500, 50_000, 2_000], true),
    ([0, 199, 100, 0, 90_000, 500, 50_000, 2_000], false),
    ([500, 5_000, 500, 100, 90_000, 500, 50_000, 2_000], true),
    ([500, 5_001, 500, 100, 90_000, 500, 50_000, 2_000], false),
    ([500, 1_000, 99, 0, 90_000, 500, 50_000, 2_000], false),
    ([500, 2_000, 1_000, 100, 90_000, 500, 50_000, 2_000], true),
    ([500, 2_000, 1_001, 100, 90_000, 500, 50_000, 2_000], false),
    // maintenance must be below initial, penalty below maintenance
    ([500, 1_000, 1_000, 100, 90_000, 500, 50_000, 2_000], false),
    ([500, 1_000, 500, 200, 90_000, 500, 50_000, 2_000], true),
    ([500, 1_000, 500, 201, 90_000, 500, 50_000, 2_000], false),
    ([500, 1_000, 150, 150, 90_000, 500, 50_000, 2_000], false),
    ([500, 1_000, 500, 100, 89_999, 500, 50_000, 2_000], false),
    ([500, 1_000, 500, 100, 604_800, 500, 50_000, 2_000], true),
    ([500, 1_000, 500, 100, 604_801, 500, 50_000, 2_000], false),
    ([500, 1_000, 500, 100, 90_000, 0, 0, 2_000], true),
    ([500, 1_000, 500, 100, 90_000, 10_000, 50_000, 2_000], true),
    ([500, 1_000, 500, 100, 90_000, 10_001, 50_000, 2_000], false),
    ([500, 1_000, 500, 100, 90_000, 500, 100_000, 2_000], true),
    ([500, 1_000, 500, 100, 90_000, 500, 100_001, 2_000], false),
    ([500, 1_000, 500, 100, 90_000, 500, 50_000, 1_000], true),
    ([500, 1_000, 500, 100, 90_000, 500, 50_000, 999], false),
    ([500, 1_000, 500, 100, 90_000, 500, 50_000, 10_000], true),
    ([500, 1_000, 500, 100, 90_000, 500, 50_000, 10_001], false),
    // the seizure parameters and price age
    (
        [500, 10_000, 9_999, 9_998, 3_600, 500, 50_000, 2_000],
        false,
    ),
    ([500, 1_000, 500, 100, 60, 500, 50_000, 2_000], false),
];

#[test]
fn queue_params_is_owner_only_and_every_bound_is_inclusive() {
    let (world, mut hedge) = deploy();
    world.vm.set_sender(STRANGER);
    assert_eq!(
        queue(&mut hedge, Params::DEFAULT.0),
        Err(unauthorized(STRANGER))
    );
    world.vm.set_sender(OWNER);
    for (p, ok) in BOUND_CASES {
        let before = pending(&hedge);
        let r = queue(&mut hedge, p);
        if ok {
            assert_eq!(r, Ok(()), "{p:?}");
            assert_eq!(last::<ParamsQueued>(&world), queued(p, T0 + PARAMS_DELAY));
            assert_eq!(pending(&hedge)[..8], p);
            assert_eq!(pending(&hedge)[8], T0 + PARAMS_DELAY);
        } else {
            assert_eq!(r, Err(HedgeError::from(HedgeInvalidParameter {})), "{p:?}");
            assert_eq!(pending(&hedge), before);
        }
        // nothing applies at once
        assert_eq!(params(&hedge), Params::DEFAULT.0);
    }
    // a word too large for its uintN type is out of bounds too
    let mut w = Params::DEFAULT.words();
    for big in [
        U256::from(u64::MAX) + u(1),
        U256::from(65_536u32),
        U256::MAX,
    ] {
        w[COVER] = big;
        assert_eq!(
            queue_words(&mut hedge, w),
            Err(HedgeError::from(HedgeInvalidParameter {}))
        );
    }
}

#[test]
fn queued_params_apply_after_the_delay_and_anyone_may_apply_them() {
    let (world, mut hedge) = market();
    assert_eq!(
        hedge.apply_params(),
        Err(HedgeError::from(HedgeNoPendingParams {}))
    );
    let mut p = params(&hedge);
    (p[FEE], p[SPREAD]) = (1_000, 700);
    world.vm.set_sender(OWNER);
    queue(&mut hedge, p).unwrap();
    let eta = T0 + PARAMS_DELAY;
    // until then trades pay the fee in force (5 bps of 2000)
    deposit(&world, &mut hedge, ALICE, usdc(1_000), usdc(1_000));
    hedge.trade(eth(10)).unwrap();
    assert_eq!(last::<Traded>(&world).fee, usdc(1));
    world.vm.set_block_timestamp(eta - 1);
    world.vm.set_sender(STRANGER);
    assert_eq!(
        hedge.apply_params(),
        Err(HedgeError::from(HedgeParamsNotReady {
            eta: u(eta.into()),
            now: u((eta - 1).into()),
        }))
    );
    world.vm.set_block_timestamp(eta);
    hedge.apply_params().unwrap();
    assert_eq!(params(&hedge), p);
    assert_eq!(
        last::<ParamsUpdated>(&world),
        ParamsUpdated {
            tradeFeePips: 1_000,
            initialMarginBps: 1_000,
            maintenanceMarginBps: 500,
            liquidationPenaltyBps: 100,
            maxPriceAge: 90_000,
            spreadPips: 700,
            impactPips: 0,
            coverBps: 10_000,
        }
    );
    assert_eq!(pending(&hedge), [0; 9]);
    assert_eq!(
        hedge.apply_params(),
        Err(HedgeError::from(HedgeNoPendingParams {}))
    );
    // from now on: fee 10 bps and spread 7 bps of 2000 on an opening
    world.set_answer(usd(2_000));
    world.vm.set_sender(ALICE);
    hedge.trade(eth(10)).unwrap();
    assert_eq!(last::<Traded>(&world).fee, u(2_000_000 + 1_400_000));
}

#[test]
fn a_new_queue_replaces_the_old_one_and_restarts_the_delay() {
    let (world, mut hedge) = deploy();
    world.vm.set_sender(OWNER);
    let mut a = Params::DEFAULT.0;
    a[FEE] = 0;
    queue(&mut hedge, a).unwrap();
    world.vm.set_block_timestamp(T0 + 86_400);
    let mut b = Params::DEFAULT.0;
    b[FEE] = 2_000;
    queue(&mut hedge, b).unwrap();
    let eta = T0 + 86_400 + PARAMS_DELAY;
    world.vm.set_block_timestamp(T0 + PARAMS_DELAY);
    assert_eq!(
        hedge.apply_params(),
        Err(HedgeError::from(HedgeParamsNotReady {
            eta: u(eta.into()),
            now: u((T0 + PARAMS_DELAY).into()),
        }))
    );
    world.vm.set_block_timestamp(eta);
    hedge.apply_params().unwrap();
    assert_eq!(params(&hedge), b);
}

#[test]
fn only_the_owner_cancels_a_queued_change() {
    let (world, mut hedge) = deploy();
    world.vm.set_sender(OWNER);
    assert_eq!(
        hedge.cancel_params(),
        Err(HedgeError::from(HedgeNoPendingParams {}))
    );
    queue(&mut hedge, Params::DEFAULT.0).unwrap();
    world.vm.set_sender(STRANGER);
    assert_eq!(hedge.cancel_params(), Err(unauthorized(STRANGER)));
    world.vm.set_sender(OWNER);
    hedge.cancel_params().unwrap();
    assert_eq!(
        last::<ParamsCancelled>(&world),
        ParamsCancelled {
            eta: T0 + PARAMS_DELAY
        }
    );
    assert_eq!(pending(&hedge), [0; 9]);
    world.vm.set_block_timestamp(T0 + PARAMS_DELAY);
    assert_eq!(
        hedge.apply_params(),
        Err(HedgeError::from(HedgeNoPendingParams {}))
    );
}

#[test]
fn the_defaults_are_within_bounds() {
    assert!(Params::DEFAULT.is_valid());
}

// The price-age floor covers a 24 h heartbeat and an hour to land it, and a
// queued change waits longer than that: every holder sees a fresh price
// during the delay.
const _: () = assert!(MIN_MAX_PRICE_AGE >= 86_400 + 3_600 && PARAMS_DELAY > MIN_MAX_PRICE_AGE);
