//! `il-keeper statement --account ADDR [--csv FILE]`: one depositor's
//! history from the chain's events, valued by the lens at each step.
//!
//! Rows, oldest first: every transaction that moved the account's vault
//! shares (a deposit to it, a withdrawal of its shares, a share transfer in
//! or out), then `now` (the latest block). Each row carries the lens's
//! `accountOf` at the end of that block (shares, value, hold, PnL, IL, fees,
//! hedge PnL; token1 raw units, exact): the statement is the lens read at
//! those blocks, so its last row IS `accountOf` at the latest block. Several
//! of the account's transactions in one block share that block's figures.
//!
//! The time-weighted return chains the value's change between cash flows:
//! for each row `i`, `V_before(i) / V_after(i - 1)`, `V_before` read at the
//! block before, `V_after` at the block itself; the last link runs to `now`.
//! Periods when the account held no shares are skipped (nothing at risk).
//!
//! While the account holds shares, each re-range of the vault's position
//! (the vault's `Reranged`: the position burned and minted in a new range,
//! its impermanent loss realised into idle tokens) is a row too, `rerange`,
//! with the old and new ranges: no cash flow, so the time-weighted return
//! runs through it (its link ends at the block itself).

use std::fmt::Write as _;
use std::path::PathBuf;

use alloy::eips::BlockNumberOrTag;
use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, B256, Bytes, I256, U64, U256};
use alloy::rpc::types::{Filter, Log, TransactionRequest};
use alloy::sol_types::{SolCall, SolEvent};
use il_deploy::bindings::{ILens, IVault};
use serde::Serialize;

use crate::chain::{ChainError, Client};
use crate::cli::{Failure, Globals};
use crate::config::{ChainArgs, Config};

use super::tick::runtime;

/// Arguments of `statement`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatementArgs {
    /// Chain and contract overrides.
    #[command(flatten)]
    pub chain: ChainArgs,
    /// The share holder (0x-prefixed address).
    #[arg(long, value_name = "ADDRESS")]
    pub account: Address,
    /// Also write the rows as CSV (a header row, then one row per line).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// First block searched for the account's events (the vault's
    /// deployment block is enough).
    #[arg(long, default_value_t = 0)]
    pub from_block: u64,
}

/// What happened to the account in one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A deposit that minted shares to the account.
    Deposit,
    /// A withdrawal of the account's shares.
    Withdraw,
    /// Shares transferred to the account.
    TransferIn,
    /// Shares transferred from the account.
    TransferOut,
    /// The vault moved its position to a new range while the account held
    /// shares (no cash flow: the realised IL is in the figures).
    Rerange,
    /// The latest block (no transaction).
    Now,
}

impl Event {
    fn as_str(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::Withdraw => "withdraw",
            Self::TransferIn => "transfer_in",
            Self::TransferOut => "transfer_out",
            Self::Rerange => "rerange",
            Self::Now => "now",
        }
    }
}

/// The lens's `accountOf` at one block (token1 raw units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// Shares held.
    #[serde(with = "crate::policy::dec")]
    pub shares: U256,
    /// Value of those shares at the oracle price.
    #[serde(with = "crate::policy::dec")]
    pub value: U256,
    /// Hold benchmark.
    #[serde(with = "crate::policy::dec")]
    pub hold: U256,
    /// `value - hold`.
    #[serde(with = "crate::policy::dec_signed")]
    pub pnl: I256,
    /// Divergence loss.
    #[serde(with = "crate::policy::dec_signed")]
    pub il: I256,
    /// Fee income.
    #[serde(with = "crate::policy::dec_signed")]
    pub fees: I256,
    /// Hedge PnL.
    #[serde(with = "crate::policy::dec_signed")]
    pub hedge_pnl: I256,
}

/// One row of the statement.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Block of the transaction (or the latest block for `now`).
    pub block: u64,
    /// Its timestamp.
    pub time: u64,
    /// What happened.
    pub event: Event,
    /// The transaction, if any.
    pub tx: Option<B256>,
    /// Shares in (+) or out (-) in the transaction.
    #[serde(with = "crate::policy::dec_signed")]
    pub shares_delta: I256,
    /// Tokens paid in (deposit) or out (withdrawal), raw.
    #[serde(with = "crate::policy::dec_opt")]
    pub amount0: Option<U256>,
    /// Token1, raw.
    #[serde(with = "crate::policy::dec_opt")]
    pub amount1: Option<U256>,
    /// A re-range's ticks: from lower, from upper, to lower, to upper.
    pub range: Option<[i32; 4]>,
    /// The lens's figures at the end of the block.
    #[serde(flatten)]
    pub figures: Figures,
}

/// The whole statement.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    /// The account.
    pub account: Address,
    /// The vault.
    pub vault: Address,
    /// Rows, oldest first, the last one `now`.
    pub rows: Vec<Row>,
    /// Time-weighted return from the first row to `now` (a fraction);
    /// `None` without any period holding shares.
    pub time_weighted_return: Option<f64>,
}

/// One transaction's effect on the account, before the lens is read.
#[derive(Debug, Clone)]
struct Entry {
    block: u64,
    tx: B256,
    event: Event,
    shares_delta: I256,
    amounts: Option<(U256, U256)>,
    range: Option<[i32; 4]>,
}

fn topic_address(log: &Log, i: usize) -> Option<Address> {
    log.topics().get(i).map(|t| Address::from_word(*t))
}

/// The account's entries from the vault's logs (in chain order).
fn entries(account: Address, logs: &[Log]) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    // the account's shares so far (re-ranges count while it holds some)
    let mut held = I256::ZERO;
    for log in logs {
        let (Some(block), Some(tx)) = (log.block_number, log.transaction_hash) else {
            continue;
        };
        let Some(topic0) = log.topics().first().copied() else {
            continue;
        };
        if out.last().is_none_or(|e| e.tx != tx) {
            out.push(Entry {
                block,
                tx,
                event: Event::Now,
                shares_delta: I256::ZERO,
                amounts: None,
                range: None,
            });
        }
        let Some(e) = out.last_mut() else { continue };
        if topic0 == IVault::Transfer::SIGNATURE_HASH {
            let (Some(from), Some(to)) = (topic_address(log, 1), topic_address(log, 2)) else {
                continue;
            };
            let Ok(t) = IVault::Transfer::decode_log_data(&log.inner.data) else {
                continue;
            };
            let v = I256::try_from(t.value).unwrap_or(I256::MAX);
            if to == account && from != account {
                held = held.saturating_add(v);
                e.shares_delta = e.shares_delta.saturating_add(v);
                if e.event == Event::Now && !from.is_zero() {
                    e.event = Event::TransferIn;
                }
            } else if from == account && to != account {
                held = held.saturating_sub(v);
                e.shares_delta = e.shares_delta.saturating_sub(v);
                if e.event == Event::Now && !to.is_zero() {
                    e.event = Event::TransferOut;
                }
            }
        } else if topic0 == IVault::Deposit::SIGNATURE_HASH {
            if topic_address(log, 2) == Some(account)
                && let Ok(d) = IVault::Deposit::decode_log_data(&log.inner.data)
            {
                e.event = Event::Deposit;
                e.amounts = Some((d.amount0, d.amount1));
            }
        } else if topic0 == IVault::Reranged::SIGNATURE_HASH {
            if held > I256::ZERO
                && e.event == Event::Now
                && let Ok(r) = IVault::Reranged::decode_log_data(&log.inner.data)
            {
                let tick = |v: I256| i32::try_from(v).unwrap_or_default();
                e.event = Event::Rerange;
                e.range = Some([
                    tick(r.fromLower),
                    tick(r.fromUpper),
                    tick(r.toLower),
                    tick(r.toUpper),
                ]);
            }
        } else if topic0 == IVault::Withdraw::SIGNATURE_HASH
            && topic_address(log, 1) == Some(account)
            && let Ok(w) = IVault::Withdraw::decode_log_data(&log.inner.data)
        {
            e.event = Event::Withdraw;
            e.amounts = Some((w.amount0, w.amount1));
        }
    }
    // transactions that did not move the account's shares
    out.retain(|e| e.event != Event::Now);
    out
}

/// The time-weighted return of `rows` (see the module documentation);
/// `before[i]` is the account's value at the block before row `i`.
fn twr(rows: &[Row], before: &[U256]) -> Option<f64> {
    let f = |v: U256| f64::from(v);
    let mut growth = 1.0_f64;
    let mut any = false;
    for i in 1..rows.len() {
        let start = rows[i - 1].figures.value;
        if rows[i - 1].figures.shares.is_zero() || start.is_zero() {
            continue;
        }
        growth *= f(before[i]) / f(start);
        any = true;
    }
    any.then_some(growth - 1.0)
}

/// `eth_call`s of the lens's `accountOf(account)` at `blocks`, and the
/// blocks' timestamps, in one batch.
async fn read_at(
    client: &Client,
    account: Address,
    blocks: &[u64],
) -> Result<(Vec<Figures>, Vec<u64>), ChainError> {
    let data = Bytes::from(ILens::accountOfCall { account }.abi_encode());
    let req = TransactionRequest::default()
        .with_to(client.contracts.lens)
        .with_input(data);
    let out = crate::chain::rpc::with_retry(client.budget, "statement reads", || async {
        let mut batch = client.rpc().new_batch();
        let mut calls = Vec::new();
        let mut heads = Vec::new();
        for &b in blocks {
            let tag = BlockNumberOrTag::Number(b);
            calls.push(batch.add_call::<_, Bytes>("eth_call", &(&req, tag))?);
            heads.push(batch.add_call::<_, Option<alloy::rpc::types::Block>>(
                "eth_getBlockByNumber",
                &(tag, false),
            )?);
        }
        batch.send().await?;
        let mut outs = Vec::new();
        for c in calls {
            outs.push(c.await?);
        }
        let mut times = Vec::new();
        for h in heads {
            times.push(h.await?.map_or(0, |b| b.header.timestamp));
        }
        Ok((outs, times))
    })
    .await
    .map_err(|e| match e {
        crate::chain::rpc::RpcFailure::Unreachable(u) => ChainError::Unreachable(u),
        crate::chain::rpc::RpcFailure::Node { what, source } => crate::chain::revert_of(&source)
            .map_or_else(
                || ChainError::Node(format!("{what}: {source}")),
                ChainError::Revert,
            ),
    })?;
    let figures = out
        .0
        .iter()
        .map(|bytes| {
            ILens::accountOfCall::abi_decode_returns(bytes)
                .map(|r| Figures {
                    shares: r.shares,
                    value: r.value,
                    hold: r.hold,
                    pnl: r.pnl,
                    il: r.il,
                    fees: r.fees,
                    hedge_pnl: r.hedgePnl,
                })
                .map_err(|e| ChainError::Decode {
                    what: "lens accountOf".into(),
                    reason: e.to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((figures, out.1))
}

/// Builds the statement of `account` from the chain.
///
/// # Errors
/// [`ChainError`]: the endpoint is unreachable, a read fails or reverts.
pub async fn statement(
    client: &Client,
    account: Address,
    from_block: u64,
) -> Result<Statement, ChainError> {
    let latest: U64 = client.request("eth_blockNumber", ()).await?;
    let latest = latest.to::<u64>();
    let vault = client.contracts.vault;
    let filter = Filter::new()
        .address(vault)
        .event_signature(vec![
            IVault::Transfer::SIGNATURE_HASH,
            IVault::Deposit::SIGNATURE_HASH,
            IVault::Withdraw::SIGNATURE_HASH,
            IVault::Reranged::SIGNATURE_HASH,
        ])
        .from_block(from_block.min(latest))
        .to_block(latest);
    let logs: Vec<Log> = client.request("eth_getLogs", (filter,)).await?;
    let entries = entries(account, &logs);
    // After each entry's block, before it, and the latest block.
    let mut blocks: Vec<u64> = entries.iter().map(|e| e.block).collect();
    blocks.extend(entries.iter().map(|e| e.block.saturating_sub(1)));
    blocks.push(latest);
    let (figures, times) = read_at(client, account, &blocks).await?;
    let n = entries.len();
    let mut rows = Vec::with_capacity(n + 1);
    let mut before = Vec::with_capacity(n + 1);
    for (i, e) in entries.into_iter().enumerate() {
        rows.push(Row {
            block: e.block,
            time: times[i],
            event: e.event,
            tx: Some(e.tx),
            shares_delta: e.shares_delta,
            amount0: e.amounts.map(|a| a.0),
            amount1: e.amounts.map(|a| a.1),
            range: e.range,
            figures: figures[i],
        });
        // a cash flow's link ends before its block; a re-range's (no cash
        // flow) at the block itself, so what it cost is in the return
        before.push(if e.event == Event::Rerange {
            figures[i].value
        } else {
            figures[n + i].value
        });
    }
    rows.push(Row {
        block: latest,
        time: times[2 * n],
        event: Event::Now,
        tx: None,
        shares_delta: I256::ZERO,
        amount0: None,
        amount1: None,
        range: None,
        figures: figures[2 * n],
    });
    before.push(figures[2 * n].value);
    let time_weighted_return = twr(&rows, &before);
    Ok(Statement {
        account,
        vault,
        rows,
        time_weighted_return,
    })
}

/// The rows as CSV: a header, then one line per row (raw integers).
#[must_use]
pub fn csv(s: &Statement) -> String {
    let mut out = String::from(
        "block,time,event,tx,shares_delta,amount0,amount1,shares,value,hold,pnl,il,fees,hedge_pnl,from_lower,from_upper,to_lower,to_upper\n",
    );
    for r in &s.rows {
        let opt = |v: Option<U256>| v.map_or_else(String::new, |v| v.to_string());
        let f = &r.figures;
        let range = r
            .range
            .map_or_else(|| ",,,".to_string(), |t| t.map(|x| x.to_string()).join(","));
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{range}",
            r.block,
            r.time,
            r.event.as_str(),
            r.tx.map_or_else(String::new, |t| t.to_string()),
            r.shares_delta,
            opt(r.amount0),
            opt(r.amount1),
            f.shares,
            f.value,
            f.hold,
            f.pnl,
            f.il,
            f.fees,
            f.hedge_pnl
        );
    }
    out
}

fn print_text(s: &Statement) {
    println!(
        "account {} in vault {} (token1 raw units)",
        s.account, s.vault
    );
    let headers = [
        "block",
        "event",
        "shares +/-",
        "shares",
        "value",
        "hold",
        "IL",
        "fees",
        "hedge PnL",
    ];
    let rows: Vec<[String; 9]> = s
        .rows
        .iter()
        .map(|r| {
            let f = &r.figures;
            [
                r.block.to_string(),
                match r.range {
                    Some([a, b, c, d]) => format!("rerange [{a}, {b}) -> [{c}, {d})"),
                    None => r.event.as_str().to_string(),
                },
                r.shares_delta.to_string(),
                f.shares.to_string(),
                f.value.to_string(),
                f.hold.to_string(),
                f.il.to_string(),
                f.fees.to_string(),
                f.hedge_pnl.to_string(),
            ]
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    println!("{}", line(headers.to_vec()));
    for r in &rows {
        println!("{}", line(r.iter().map(String::as_str).collect()));
    }
    match s.time_weighted_return {
        Some(t) => println!("time-weighted return: {:+.4} %", t * 100.0),
        None => println!("time-weighted return: - (the account never held shares over a period)"),
    }
}

impl StatementArgs {
    /// Prints the statement (a table, or `--json`) and writes `--csv`.
    ///
    /// # Errors
    /// [`Failure`]: configuration (2); RPC, a failed read or the CSV file (1).
    pub fn run(self, g: &Globals) -> Result<(), Failure> {
        // Read-only: the key is never loaded.
        let mut cfg = Config::load(g.config.as_deref(), &self.chain).map_err(Failure::input)?;
        cfg.keeper.key = None;
        let client = Client::from_config(&cfg).map_err(Failure::input)?;
        let st = runtime()?
            .block_on(async {
                client.connect().await?;
                statement(&client, self.account, self.from_block).await
            })
            .map_err(|e| {
                if e.is_input() {
                    Failure::input(e)
                } else {
                    Failure::runtime(e)
                }
            })?;
        if let Some(path) = &self.csv {
            std::fs::write(path, csv(&st))
                .map_err(|e| Failure::runtime(eyre::eyre!("writing {}: {e}", path.display())))?;
        }
        if g.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&st).map_err(|e| Failure::runtime(eyre::eyre!(e)))?
            );
        } else {
            print_text(&st);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(shares: u64, value: u64) -> Row {
        Row {
            block: 0,
            time: 0,
            event: Event::Deposit,
            tx: None,
            shares_delta: I256::ZERO,
            amount0: None,
            amount1: None,
            range: None,
            figures: Figures {
                shares: U256::from(shares),
                value: U256::from(value),
                hold: U256::ZERO,
                pnl: I256::ZERO,
                il: I256::ZERO,
                fees: I256::ZERO,
                hedge_pnl: I256::ZERO,
            },
        }
    }

    #[test]
    fn twr_chains_the_periods_between_flows_and_skips_empty_ones() {
        // 100 -> 110 before a deposit that brings it to 210; 210 -> 189
        // before a full withdrawal; nothing held; 50 deposited -> 55 now.
        let rows = [row(1, 100), row(2, 210), row(0, 0), row(1, 50), row(1, 55)];
        let before = [
            U256::ZERO,
            U256::from(110u8),
            U256::from(189u8),
            U256::ZERO,
            U256::from(55u8),
        ];
        let t = twr(&rows, &before).unwrap();
        let want = 1.1 * 0.9 * 1.1 - 1.0;
        assert!((t - want).abs() < 1e-12, "{t} vs {want}");
        assert_eq!(twr(&[row(0, 0), row(0, 0)], &[U256::ZERO; 2]), None);
    }

    fn log(block: u64, tx: u8, topics: Vec<B256>, data: Vec<u8>) -> Log {
        Log {
            inner: alloy::primitives::Log {
                address: Address::ZERO,
                data: alloy::primitives::LogData::new_unchecked(topics, data.into()),
            },
            block_number: Some(block),
            transaction_hash: Some(B256::with_last_byte(tx)),
            ..Log::default()
        }
    }

    fn transfer(block: u64, tx: u8, from: Address, to: Address, value: u64) -> Log {
        log(
            block,
            tx,
            vec![
                IVault::Transfer::SIGNATURE_HASH,
                from.into_word(),
                to.into_word(),
            ],
            U256::from(value).to_be_bytes::<32>().to_vec(),
        )
    }

    fn reranged(block: u64, tx: u8, ticks: [i32; 4]) -> Log {
        let e = IVault::Reranged {
            fromLower: I256::try_from(ticks[0]).unwrap(),
            fromUpper: I256::try_from(ticks[1]).unwrap(),
            toLower: I256::try_from(ticks[2]).unwrap(),
            toUpper: I256::try_from(ticks[3]).unwrap(),
            burned: U256::from(7u8),
            minted: U256::from(9u8),
        };
        log(
            block,
            tx,
            vec![IVault::Reranged::SIGNATURE_HASH],
            e.encode_data(),
        )
    }

    #[test]
    fn re_ranges_are_rows_while_the_account_holds_shares() {
        let (me, friend) = (Address::with_last_byte(0xAA), Address::with_last_byte(0xBB));
        let logs = [
            // before the account holds anything: not its row
            reranged(1, 1, [-887_220, 887_220, -600, 600]),
            transfer(2, 2, friend, me, 100),
            reranged(3, 3, [-600, 600, 1_200, 2_400]),
            transfer(4, 4, me, friend, 100),
            // after it left: not its row either
            reranged(5, 5, [1_200, 2_400, 0, 600]),
        ];
        let e = entries(me, &logs);
        let kinds: Vec<(u64, Event)> = e.iter().map(|e| (e.block, e.event)).collect();
        assert_eq!(
            kinds,
            [
                (2, Event::TransferIn),
                (3, Event::Rerange),
                (4, Event::TransferOut)
            ]
        );
        assert_eq!(e[1].range, Some([-600, 600, 1_200, 2_400]));
        assert_eq!(e[1].shares_delta, I256::ZERO);
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_row() {
        let s = Statement {
            account: Address::ZERO,
            vault: Address::ZERO,
            rows: vec![row(1, 100), row(1, 101)],
            time_weighted_return: Some(0.01),
        };
        let text = csv(&s);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("block,time,event,"));
        assert_eq!(
            lines[0].split(',').count(),
            lines[1].split(',').count(),
            "{text}"
        );
    }
}
