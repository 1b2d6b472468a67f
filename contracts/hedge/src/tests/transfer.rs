//! `transferPosition` and `setPositionSender`.

use super::*;

const VAULT: Address = address!("0x00000000000000000000000000000000000000d1");

/// `market()` with the vault short 75 token0 on 30,000 of collateral (fee
/// 75: collateral 29,925, entry -150,000), and Alice accepting positions
/// from the vault.
fn vault_short() -> (World, Hedge) {
    let (world, mut hedge) = market();
    deposit(&world, &mut hedge, VAULT, usdc(30_000), usdc(30_000));
    hedge.trade(eth(-750)).unwrap();
    world.vm.set_sender(ALICE);
    hedge.set_position_sender(VAULT).unwrap();
    world.vm.set_sender(VAULT);
    (world, hedge)
}

fn position(hedge: &Hedge, who: Address) -> (I256, U256, I256) {
    hedge.position_of(who).unwrap()
}

/// `(fraction, moved size, moved collateral, moved entry)`: size and
/// collateral rounded toward zero, entry (of the moved size) toward +inf.
const SPLITS: [(u128, i128, u128, i128); 5] = [
    // a third: 25 token0, 9,975 collateral, entry -50,000
    (
        333_333_333_333_333_334,
        -25_000_000_000_000_000_050,
        9_975_000_000,
        -50_000_000_000,
    ),
    (
        500_000_000_000_000_000,
        -37_500_000_000_000_000_000,
        14_962_500_000,
        -75_000_000_000,
    ),
    (
        1_000_000_000_000_000_000,
        -75_000_000_000_000_000_000,
        29_925_000_000,
        -150_000_000_000,
    ),
    // one wei of the fraction moves 75 wei of size, and no collateral
    (1, -75, 0, 0),
    // a third, rounded down: 24.99... token0; the entry rounds toward +inf
    (
        333_333_333_333_333_333,
        -24_999_999_999_999_999_975,
        9_974_999_999,
        -49_999_999_999,
    ),
];

#[test]
fn transfer_position_moves_a_pro_rata_part_and_conserves_every_sum() {
    for (fraction, size, collateral, entry) in SPLITS {
        let (world, mut hedge) = vault_short();
        let whole = position(&hedge, VAULT);
        let equity = hedge.equity_of(VAULT).unwrap();
        assert_eq!(hedge.transfer_position(u(fraction), ALICE), Ok(()));
        let moved = (i(size), u(collateral), i(entry));
        assert_eq!(position(&hedge, ALICE), moved, "{fraction}");
        let kept = position(&hedge, VAULT);
        assert_eq!(
            (kept.0 + moved.0, kept.1 + moved.1, kept.2 + moved.2),
            whole
        );
        assert_eq!(
            last::<PositionTransferred>(&world),
            PositionTransferred {
                from: VAULT,
                to: ALICE,
                fractionWad: u(fraction),
                size: moved.0,
                collateral: moved.1,
                entry: moved.2,
            }
        );
        // at any price the two equities add up to the whole's, less at most
        // the unit each marked equity rounds down
        for dollars in [2_000, 1_337, 2_999] {
            world.set_answer(usd(dollars));
            let whole_equity = Position {
                collateral: whole.1,
                size: whole.0,
                entry: whole.2,
            }
            .equity(&hedge.mark(&hedge.config_now()).unwrap().0)
            .unwrap();
            let sum = hedge.equity_of(VAULT).unwrap() + hedge.equity_of(ALICE).unwrap();
            assert!(
                sum <= whole_equity && sum >= whole_equity - i(1),
                "{fraction} at {dollars}: {sum} vs {whole_equity}"
            );
        }
        world.set_answer(usd(2_000));
        assert!(
            hedge.equity_of(ALICE).unwrap()
                <= equity * i(fraction as i128) / i(1e18 as i128) + i(1)
        );
        // the books: the totals are the sums over the accounts
        let book = hedge.totals_now().book;
        assert_eq!(
            (book.long, book.short),
            (U256::ZERO, u(75_000_000_000_000_000_000))
        );
        assert_eq!(book.short_entry, i(-150_000_000_000));
        assert_eq!(
            books(&hedge, &[VAULT, ALICE]),
            I256::try_from(world.balance(world.venue())).unwrap()
        );
    }
}

/// The venue cannot pay: the vault's exit is refused, yet the transfer
/// moves its position; then the feed goes stale and even reverts, and the
/// owner's harshest parameters apply: transfers go on.
#[test]
fn transfer_position_needs_no_price_no_liquidity_and_no_parameter() {
    let (world, mut hedge) = deploy();
    // no charges, the lowest cover: the short side may hold 10x the house
    let mut p = Params::DEFAULT.0;
    (p[SPREAD], p[IMPACT], p[COVER]) = (0, 0, 1_000);
    force_params(&mut hedge, p);
    world.fund_wallet(FUNDER, usdc(20_000));
    world.vm.set_sender(FUNDER);
    hedge.fund(usdc(20_000)).unwrap();
    deposit(&world, &mut hedge, VAULT, usdc(30_000), usdc(30_000));
    hedge.trade(eth(-750)).unwrap();
    deposit(&world, &mut hedge, BOB, usdc(20_000), usdc(20_000));
    hedge.trade(eth(-250)).unwrap();
    // a 20 % drop: Bob closes first, +10,000 less 20 of fee
    world.set_answer(usd(1_600));
    hedge.trade(eth(250)).unwrap();
    assert_eq!(house(&hedge), i(10_120_000_000));
    // the vault's +30,000 (less 60) is more than the house holds
    world.vm.set_sender(VAULT);
    assert_eq!(
        hedge.exit(WAD, VAULT),
        Err(HedgeError::from(HedgeInsufficientLiquidity {
            available: usdc(10_120),
            needed: usdc(29_940),
        }))
    );
    let equity = hedge.equity_of(VAULT).unwrap();
    assert_eq!(equity, i(59_925_000_000));
    world.vm.set_sender(ALICE);
    hedge.set_position_sender(VAULT).unwrap();
    world.vm.set_sender(VAULT);
    assert_eq!(hedge.transfer_position(WAD / u(4), ALICE), Ok(()));
    // the owner's harshest parameters apply two days later
    world.vm.set_sender(OWNER);
    let w = Params([3_000, 5_000, 1_000, 200, 90_000, 10_000, 100_000, 1_000]).words();
    hedge
        .queue_params(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
        .unwrap();
    world.vm.set_block_timestamp(T0 + PARAMS_DELAY);
    hedge.apply_params().unwrap();
    // the feed is stale by now
    world.vm.set_sender(VAULT);
    assert!(is::<HedgeStalePrice>(&hedge.equity_of(VAULT).unwrap_err()));
    assert_eq!(hedge.transfer_position(WAD / u(3), ALICE), Ok(()));
    // and then it reverts
    world.set_oracle_reverts(true);
    assert_eq!(hedge.transfer_position(WAD, ALICE), Ok(()));
    assert_eq!(
        position(&hedge, VAULT),
        (I256::ZERO, U256::ZERO, I256::ZERO)
    );
    assert_eq!(
        position(&hedge, ALICE),
        (eth(-750), usdc(29_925), i(-150_000_000_000))
    );
    world.set_oracle_reverts(false);
    world.set_answer(usd(1_600));
    assert_eq!(hedge.equity_of(ALICE), Ok(equity));
    assert_eq!(
        books(&hedge, &[VAULT, ALICE, BOB]),
        I256::try_from(world.balance(world.venue())).unwrap()
    );
}

#[test]
fn transfer_position_refuses_bad_input_with_named_errors() {
    let (world, mut hedge) = vault_short();
    for f in [U256::ZERO, WAD + u(1), U256::MAX] {
        assert_eq!(
            hedge.transfer_position(f, ALICE),
            Err(HedgeError::from(HedgeInvalidFraction { fractionWad: f }))
        );
    }
    assert_eq!(
        hedge.transfer_position(WAD, Address::ZERO),
        Err(HedgeError::from(HedgeZeroAddress {}))
    );
    assert_eq!(
        hedge.transfer_position(WAD, VAULT),
        Err(HedgeError::from(HedgeSelfTransfer {}))
    );
    // Bob accepts positions from nobody, Carol from Alice only
    assert_eq!(
        hedge.transfer_position(WAD, BOB),
        Err(HedgeError::from(HedgeTransferNotApproved {
            from: VAULT,
            to: BOB
        }))
    );
    world.vm.set_sender(CAROL);
    hedge.set_position_sender(ALICE).unwrap();
    world.vm.set_sender(VAULT);
    assert_eq!(
        hedge.transfer_position(WAD, CAROL),
        Err(HedgeError::from(HedgeTransferNotApproved {
            from: VAULT,
            to: CAROL
        }))
    );
    // an empty account moves nothing
    world.vm.set_sender(BOB);
    hedge.set_position_sender(STRANGER).unwrap();
    world.vm.set_sender(STRANGER);
    assert_eq!(
        hedge.transfer_position(WAD, BOB),
        Err(HedgeError::from(HedgeNothingToTransfer {}))
    );
    // nor does a fraction that rounds to no size and no collateral: 1e9 wei
    // long ($0.000002) on 2 raw units of collateral
    deposit(&world, &mut hedge, STRANGER, u(3), u(3));
    hedge.trade(i(1_000_000_000)).unwrap();
    assert_eq!(position(&hedge, STRANGER), (i(1_000_000_000), u(2), i(2)));
    assert_eq!(
        hedge.transfer_position(u(1), BOB),
        Err(HedgeError::from(HedgeNothingToTransfer {}))
    );
    // Alice holds a long: the vault's short would net against it
    world.vm.set_sender(ALICE);
    world.fund_wallet(ALICE, usdc(1_000));
    hedge.deposit(usdc(1_000)).unwrap();
    hedge.trade(eth(1)).unwrap();
    world.vm.set_sender(VAULT);
    assert_eq!(
        hedge.transfer_position(WAD / u(2), ALICE),
        Err(HedgeError::from(HedgeOppositePosition {
            receiverSize: eth(1),
            movedSize: eth(-375),
        }))
    );
    assert_eq!(position(&hedge, VAULT).0, eth(-750));
    assert!(events::<PositionTransferred>(&world).is_empty());
}

#[test]
fn transfer_position_merges_into_a_position_on_the_same_side() {
    let (world, mut hedge) = vault_short();
    world.vm.set_sender(ALICE);
    world.fund_wallet(ALICE, usdc(1_000));
    hedge.deposit(usdc(1_000)).unwrap();
    hedge.trade(eth(-1)).unwrap();
    let alice = position(&hedge, ALICE);
    world.vm.set_sender(VAULT);
    hedge.transfer_position(WAD / u(2), ALICE).unwrap();
    assert_eq!(
        position(&hedge, ALICE),
        (
            alice.0 + eth(-375),
            alice.1 + u(14_962_500_000),
            alice.2 + i(-75_000_000_000)
        )
    );
    // Alice may now close or exit what she holds as any trader
    world.vm.set_sender(ALICE);
    assert!(hedge.exit(WAD, ALICE).unwrap() > U256::ZERO);
}

#[test]
fn set_position_sender_replaces_the_one_accepted_and_zero_accepts_none() {
    let (world, mut hedge) = vault_short();
    assert_eq!(hedge.position_sender_of(ALICE), Ok(VAULT));
    assert_eq!(
        last::<PositionSenderSet>(&world),
        PositionSenderSet {
            account: ALICE,
            sender: VAULT
        }
    );
    world.vm.set_sender(ALICE);
    hedge.set_position_sender(BOB).unwrap();
    assert_eq!(hedge.position_sender_of(ALICE), Ok(BOB));
    world.vm.set_sender(VAULT);
    assert!(is::<HedgeTransferNotApproved>(
        &hedge.transfer_position(WAD, ALICE).unwrap_err()
    ));
    world.vm.set_sender(ALICE);
    hedge.set_position_sender(Address::ZERO).unwrap();
    assert_eq!(hedge.position_sender_of(ALICE), Ok(Address::ZERO));
    assert_eq!(
        last::<PositionSenderSet>(&world),
        PositionSenderSet {
            account: ALICE,
            sender: Address::ZERO
        }
    );
}
