//! The keeper's state: an embedded SQLite database (observations, volatility
//! estimates, decisions, transactions, runs) and the run lock.
//!
//! - **Schema** versioned with SQLite's `user_version`; [`Store::open`]
//!   applies the missing migrations in one transaction, and refuses a
//!   database written by a newer keeper.
//! - **Lock**: [`Store::open`] takes an exclusive `File::try_lock` on
//!   `<db>.lock` (next to the database) for the lifetime of the [`Store`];
//!   a second run fails at once with [`StoreError::Locked`] ("another
//!   il-keeper run holds the lock"). The OS drops the lock when a process
//!   dies, so a killed run never leaves a stale lock.
//! - **Transactions** go through `intent -> sent -> mined | failed |
//!   replaced | dropped`. The intent (nonce, signed hash, calldata, fees) is
//!   committed BEFORE the raw transaction is broadcast, so a run killed at
//!   any point leaves a row the next run resolves from chain data
//!   ([`reconcile`]) before it decides anything.
//! - Every write is one SQLite transaction: a killed run never half-records.

use std::fs::File;
use std::future::Future;
use std::path::{Path, PathBuf};

use alloy_primitives::{Address, B256, Bytes, U256};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The schema version this keeper writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

/// Migrations: entry `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started INTEGER NOT NULL,
    finished INTEGER,
    outcome TEXT
);
CREATE TABLE observations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    block INTEGER NOT NULL,
    time INTEGER NOT NULL,
    oracle_price REAL NOT NULL,
    oracle_updated_at INTEGER NOT NULL,
    spot_price REAL NOT NULL,
    price0_cumulative TEXT NOT NULL,
    twap_price REAL,
    growth TEXT NOT NULL,
    deviation_bps INTEGER NOT NULL,
    fee_pips INTEGER NOT NULL
);
CREATE INDEX observations_time ON observations(time);
CREATE TABLE estimates (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    time INTEGER NOT NULL,
    estimator TEXT NOT NULL,
    sigma REAL NOT NULL,
    sigma_wad TEXT NOT NULL,
    returns INTEGER NOT NULL,
    fallback TEXT
);
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    time INTEGER NOT NULL,
    rule TEXT NOT NULL,
    action TEXT NOT NULL,
    line TEXT NOT NULL
);
CREATE TABLE transactions (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    rule TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    to_address TEXT NOT NULL,
    calldata TEXT NOT NULL,
    gas_limit INTEGER NOT NULL,
    max_fee_per_gas TEXT NOT NULL,
    max_priority_fee_per_gas TEXT NOT NULL,
    status TEXT NOT NULL,
    block INTEGER,
    detail TEXT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE INDEX transactions_status ON transactions(status);
CREATE INDEX transactions_nonce ON transactions(nonce);
",
    "
-- 2: the pool is Uniswap v4 (no cumulative price, no sqrt(k) growth index):
-- the fee income rate comes from the fees earned per vault share.
ALTER TABLE observations DROP COLUMN price0_cumulative;
ALTER TABLE observations DROP COLUMN twap_price;
ALTER TABLE observations DROP COLUMN growth;
ALTER TABLE observations ADD COLUMN fee0_per_share TEXT NOT NULL DEFAULT '0';
ALTER TABLE observations ADD COLUMN fee1_per_share TEXT NOT NULL DEFAULT '0';
",
];

/// A state problem. Exit code 1 (the environment failed), except where the
/// caller maps otherwise.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another run holds the lock.
    #[error("another il-keeper run holds the lock {0}")]
    Locked(PathBuf),
    /// The lock file could not be created or locked.
    #[error("lock file {path}: {reason}")]
    LockFile {
        /// The lock file.
        path: PathBuf,
        /// OS error text.
        reason: String,
    },
    /// The database was written by a newer keeper.
    #[error(
        "state database {path} has schema version {found}, newer than this keeper's {supported}"
    )]
    TooNew {
        /// The database.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// [`SCHEMA_VERSION`].
        supported: i64,
    },
    /// SQLite failed.
    #[error("state database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A stored value does not parse (a corrupt row).
    #[error("state database: corrupt {what}: {value:?}")]
    Corrupt {
        /// Which column.
        what: &'static str,
        /// The text found.
        value: String,
    },
}

/// Where a transaction is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxStatus {
    /// Signed and recorded; broadcast not yet confirmed (it may or may not
    /// have reached the node: [`reconcile`] finds out).
    Intent,
    /// Accepted by the node; no receipt yet.
    Sent,
    /// Mined with status 1.
    Mined,
    /// Mined with status 0 (reverted).
    Failed,
    /// Another transaction of ours with the same nonce was mined instead.
    Replaced,
    /// Never mined: its nonce was used by a transaction not in the store,
    /// or it never reached the node.
    Dropped,
}

impl TxStatus {
    /// The text stored in the `status` column.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intent => "intent",
            Self::Sent => "sent",
            Self::Mined => "mined",
            Self::Failed => "failed",
            Self::Replaced => "replaced",
            Self::Dropped => "dropped",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Ok(match s {
            "intent" => Self::Intent,
            "sent" => Self::Sent,
            "mined" => Self::Mined,
            "failed" => Self::Failed,
            "replaced" => Self::Replaced,
            "dropped" => Self::Dropped,
            _ => {
                return Err(StoreError::Corrupt {
                    what: "transactions.status",
                    value: s.to_string(),
                });
            }
        })
    }

    /// True while the transaction may still be mined.
    #[must_use]
    pub fn unresolved(self) -> bool {
        matches!(self, Self::Intent | Self::Sent)
    }
}

/// A signed transaction about to be broadcast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxIntent {
    /// Which policy rule it carries out (`fee_tier`, `rebalance`, `hedge`).
    pub rule: String,
    /// Account nonce.
    pub nonce: u64,
    /// Hash of the signed transaction.
    pub hash: B256,
    /// Recipient (the manager).
    pub to: Address,
    /// Calldata.
    pub calldata: Bytes,
    /// Gas limit.
    pub gas_limit: u64,
    /// EIP-1559 fee cap, wei per gas.
    pub max_fee_per_gas: u128,
    /// EIP-1559 tip, wei per gas.
    pub max_priority_fee_per_gas: u128,
}

/// A stored transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxRecord {
    /// Row id.
    pub id: i64,
    /// Run that sent it.
    pub run_id: i64,
    /// Rule.
    pub rule: String,
    /// Nonce.
    pub nonce: u64,
    /// Hash.
    pub hash: B256,
    /// Recipient.
    pub to: Address,
    /// Calldata.
    pub calldata: Bytes,
    /// Gas limit.
    pub gas_limit: u64,
    /// Fee cap, wei per gas.
    pub max_fee_per_gas: u128,
    /// Tip, wei per gas.
    pub max_priority_fee_per_gas: u128,
    /// Status.
    pub status: TxStatus,
    /// Block it was mined in, when mined or failed.
    pub block: Option<u64>,
    /// Free text: the named revert, the replacing hash, why dropped.
    pub detail: Option<String>,
    /// Unix seconds of the last update.
    pub updated: i64,
}

/// One observation of the market, as appended by `tick`.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Block number of the snapshot.
    pub block: u64,
    /// Block timestamp, unix seconds.
    pub time: u64,
    /// Oracle price, token1 raw per token0 raw (float, for the estimators:
    /// log returns do not depend on the unit; the exact price lives on chain).
    pub oracle_price: f64,
    /// When the oracle answer was updated, unix seconds.
    pub oracle_updated_at: u64,
    /// Pool spot price, token1 raw per token0 raw.
    pub spot_price: f64,
    /// Fees earned per vault share so far (credited plus owed by the
    /// PoolManager), WAD-scaled token0 raw units, for the fee income rate
    /// between observations (zero: not on record).
    pub fee0_per_share: U256,
    /// The same in token1.
    pub fee1_per_share: U256,
    /// Spot-vs-oracle deviation, bps.
    pub deviation_bps: u32,
    /// Pool fee in force, pips.
    pub fee_pips: u32,
}

/// One stored volatility estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateRecord {
    /// Unix seconds.
    pub time: u64,
    /// Estimator name.
    pub estimator: String,
    /// Annualised sigma (fraction).
    pub sigma: f64,
    /// The same in WAD, as submitted.
    pub sigma_wad: String,
    /// Returns it was computed from.
    pub returns: u64,
    /// Why another estimator was used, if one was.
    pub fallback: Option<String>,
}

/// One stored decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRecord {
    /// Unix seconds of the snapshot.
    pub time: u64,
    /// Rule.
    pub rule: String,
    /// Action kind (`hold`, `skip`, `rebalance`, ...).
    pub action: String,
    /// The full decision as its JSON log line.
    pub line: String,
}

/// The state database, locked for this process.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    // Held for the lifetime of the store: dropping the file releases the lock.
    _lock: File,
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// SQLite integers are i64; nonces, blocks and times fit (< 2^63).
fn to_sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn from_sql_int(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn corrupt(what: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        what,
        value: value.to_string(),
    }
}

/// The lock file of the database at `db`: `<db>.lock`.
#[must_use]
pub fn lock_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".lock");
    PathBuf::from(p)
}

impl Store {
    /// Opens (creating if needed) the database at `path`, takes the run lock
    /// and applies pending migrations.
    ///
    /// # Errors
    /// [`StoreError::Locked`] when another process holds the lock,
    /// [`StoreError::LockFile`] when the lock file cannot be created,
    /// [`StoreError::TooNew`] for a newer schema, [`StoreError::Sql`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::LockFile {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            })?;
        }
        let lock_file = lock_path(path);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_file)
            .map_err(|e| StoreError::LockFile {
                path: lock_file.clone(),
                reason: e.to_string(),
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Locked(lock_file)),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::LockFile {
                    path: lock_file,
                    reason: e.to_string(),
                });
            }
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate(&mut conn, path)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            _lock: lock,
        })
    }

    /// The database path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version on disk.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Starts a run; returns its id.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn begin_run(&mut self) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO runs (started) VALUES (?1)",
            params![now_secs()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Marks a run finished with an outcome (`ok`, `error: ...`).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn finish_run(&mut self, run: i64, outcome: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE runs SET finished = ?1, outcome = ?2 WHERE id = ?3",
            params![now_secs(), outcome, run],
        )?;
        Ok(())
    }

    /// Appends an observation.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn add_observation(&mut self, run: i64, o: &Observation) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO observations (run_id, block, time, oracle_price, oracle_updated_at, spot_price, \
             fee0_per_share, fee1_per_share, deviation_bps, fee_pips) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
            params![
                run,
                to_sql_int(o.block),
                to_sql_int(o.time),
                o.oracle_price,
                to_sql_int(o.oracle_updated_at),
                o.spot_price,
                o.fee0_per_share.to_string(),
                o.fee1_per_share.to_string(),
                o.deviation_bps,
                o.fee_pips
            ],
        )?;
        Ok(())
    }

    /// The last `limit` observations, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Sql`], [`StoreError::Corrupt`].
    pub fn observations(&self, limit: usize) -> Result<Vec<Observation>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT block, time, oracle_price, oracle_updated_at, spot_price, fee0_per_share, \
             fee1_per_share, deviation_bps, fee_pips FROM observations ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, u32>(7)?,
                r.get::<_, u32>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (block, time, oracle, upd, spot, f0, f1, dev, fee) = row?;
            out.push(Observation {
                block: from_sql_int(block),
                time: from_sql_int(time),
                oracle_price: oracle,
                oracle_updated_at: from_sql_int(upd),
                spot_price: spot,
                fee0_per_share: f0
                    .parse()
                    .map_err(|_| corrupt("observations.fee0_per_share", &f0))?,
                fee1_per_share: f1
                    .parse()
                    .map_err(|_| corrupt("observations.fee1_per_share", &f1))?,
                deviation_bps: dev,
                fee_pips: fee,
            });
        }
        out.reverse();
        Ok(out)
    }

    /// Appends a volatility estimate.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn add_estimate(&mut self, run: i64, e: &EstimateRecord) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO estimates (run_id, time, estimator, sigma, sigma_wad, returns, fallback) \
             VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![
                run,
                to_sql_int(e.time),
                e.estimator,
                e.sigma,
                e.sigma_wad,
                to_sql_int(e.returns),
                e.fallback
            ],
        )?;
        Ok(())
    }

    /// The latest `limit` estimates, newest first.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn latest_estimates(&self, limit: usize) -> Result<Vec<EstimateRecord>, StoreError> {
        latest_estimates_in(&self.conn, limit)
    }

    /// Records a run's decisions, all or none.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn add_decisions(
        &mut self,
        run: i64,
        decisions: &[DecisionRecord],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for d in decisions {
            tx.execute(
                "INSERT INTO decisions (run_id, time, rule, action, line) VALUES (?1,?2,?3,?4,?5)",
                params![run, to_sql_int(d.time), d.rule, d.action, d.line],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The latest `limit` decisions that acted or were skipped, newest first.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn latest_decisions(&self, limit: usize) -> Result<Vec<DecisionRecord>, StoreError> {
        latest_decisions_in(&self.conn, limit)
    }

    /// Records a signed transaction as an intent, BEFORE it is broadcast.
    /// Returns its row id.
    ///
    /// # Errors
    /// [`StoreError::Sql`] (a duplicate hash included).
    pub fn record_intent(&mut self, run: i64, t: &TxIntent) -> Result<i64, StoreError> {
        let now = now_secs();
        self.conn.execute(
            "INSERT INTO transactions (run_id, rule, nonce, hash, to_address, calldata, gas_limit, \
             max_fee_per_gas, max_priority_fee_per_gas, status, created, updated) \
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,'intent',?10,?10)",
            params![
                run,
                t.rule,
                to_sql_int(t.nonce),
                t.hash.to_string(),
                t.to.to_checksum(None),
                t.calldata.to_string(),
                to_sql_int(t.gas_limit),
                t.max_fee_per_gas.to_string(),
                t.max_priority_fee_per_gas.to_string(),
                now
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Sets a transaction's status (and block, detail when given).
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn set_status(
        &mut self,
        hash: B256,
        status: TxStatus,
        block: Option<u64>,
        detail: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE transactions SET status = ?1, block = COALESCE(?2, block), \
             detail = COALESCE(?3, detail), updated = ?4 WHERE hash = ?5",
            params![
                status.as_str(),
                block.map(to_sql_int),
                detail,
                now_secs(),
                hash.to_string()
            ],
        )?;
        Ok(())
    }

    /// Applies several status changes atomically.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn apply(&mut self, changes: &[Resolution]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for c in changes {
            tx.execute(
                "UPDATE transactions SET status = ?1, block = COALESCE(?2, block), \
                 detail = COALESCE(?3, detail), updated = ?4 WHERE hash = ?5",
                params![
                    c.status.as_str(),
                    c.block.map(to_sql_int),
                    c.detail,
                    now_secs(),
                    c.hash.to_string()
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn select_txs(&self, filter: &str, limit: usize) -> Result<Vec<TxRecord>, StoreError> {
        select_txs_in(&self.conn, filter, limit)
    }

    /// Transactions that may still be mined (`intent`, `sent`), lowest
    /// nonce first.
    ///
    /// # Errors
    /// [`StoreError::Sql`], [`StoreError::Corrupt`].
    pub fn unresolved(&self) -> Result<Vec<TxRecord>, StoreError> {
        let mut v = self.select_txs("WHERE status IN ('intent', 'sent')", usize::MAX >> 1)?;
        v.sort_by_key(|t| (t.nonce, t.id));
        Ok(v)
    }

    /// The latest `limit` transactions, newest first.
    ///
    /// # Errors
    /// [`StoreError::Sql`], [`StoreError::Corrupt`].
    pub fn latest_transactions(&self, limit: usize) -> Result<Vec<TxRecord>, StoreError> {
        self.select_txs("", limit)
    }

    /// Highest nonce ever recorded, if any.
    ///
    /// # Errors
    /// [`StoreError::Sql`].
    pub fn max_nonce(&self) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> = self
            .conn
            .query_row("SELECT MAX(nonce) FROM transactions", [], |r| r.get(0))
            .optional()?
            .flatten();
        Ok(v.map(from_sql_int))
    }
}

fn latest_estimates_in(conn: &Connection, limit: usize) -> Result<Vec<EstimateRecord>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT time, estimator, sigma, sigma_wad, returns, fallback FROM estimates \
             ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(EstimateRecord {
            time: from_sql_int(r.get(0)?),
            estimator: r.get(1)?,
            sigma: r.get(2)?,
            sigma_wad: r.get(3)?,
            returns: from_sql_int(r.get(4)?),
            fallback: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn latest_decisions_in(conn: &Connection, limit: usize) -> Result<Vec<DecisionRecord>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT time, rule, action, line FROM decisions WHERE action <> 'hold' \
             ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok(DecisionRecord {
            time: from_sql_int(r.get(0)?),
            rule: r.get(1)?,
            action: r.get(2)?,
            line: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn select_txs_in(
    conn: &Connection,
    filter: &str,
    limit: usize,
) -> Result<Vec<TxRecord>, StoreError> {
    let sql = format!(
        "SELECT id, run_id, rule, nonce, hash, to_address, calldata, gas_limit, max_fee_per_gas, \
             max_priority_fee_per_gas, status, block, detail, updated FROM transactions {filter} \
             ORDER BY id DESC LIMIT ?1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, i64>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, String>(10)?,
            r.get::<_, Option<i64>>(11)?,
            r.get::<_, Option<String>>(12)?,
            r.get::<_, i64>(13)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (
            id,
            run_id,
            rule,
            nonce,
            hash,
            to,
            data,
            gas,
            fee,
            tip,
            status,
            block,
            detail,
            updated,
        ) = row?;
        out.push(TxRecord {
            id,
            run_id,
            rule,
            nonce: from_sql_int(nonce),
            hash: hash
                .parse()
                .map_err(|_| corrupt("transactions.hash", &hash))?,
            to: to
                .parse()
                .map_err(|_| corrupt("transactions.to_address", &to))?,
            calldata: data
                .parse()
                .map_err(|_| corrupt("transactions.calldata", &data))?,
            gas_limit: from_sql_int(gas),
            max_fee_per_gas: fee
                .parse()
                .map_err(|_| corrupt("transactions.max_fee_per_gas", &fee))?,
            max_priority_fee_per_gas: tip
                .parse()
                .map_err(|_| corrupt("transactions.max_priority_fee_per_gas", &tip))?,
            status: TxStatus::parse(&status)?,
            block: block.map(from_sql_int),
            detail,
            updated,
        });
    }
    Ok(out)
}

/// What `status` shows from the store: estimates, decisions, transactions.
pub type StoreView = (Vec<EstimateRecord>, Vec<DecisionRecord>, Vec<TxRecord>);

/// Latest estimates, non-hold decisions and transactions (newest first, at
/// most `limit` each) from a connection opened elsewhere (`status` opens
/// the database read-only, without the run lock).
///
/// # Errors
/// [`StoreError::Sql`], [`StoreError::Corrupt`].
pub fn read_only_view(conn: &Connection, limit: usize) -> Result<StoreView, StoreError> {
    Ok((
        latest_estimates_in(conn, limit)?,
        latest_decisions_in(conn, limit)?,
        select_txs_in(conn, "", limit)?,
    ))
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    let start = usize::try_from(found).unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql)?;
        // cannot overflow: a handful of migrations.
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
    }
    tx.commit()?;
    Ok(())
}

// ---- reconciliation -------------------------------------------------------

/// A mined transaction as the chain reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinedInfo {
    /// Block number.
    pub block: u64,
    /// Receipt status (true: success).
    pub success: bool,
}

/// What [`reconcile`] needs from the chain: receipts by hash, the account's
/// mined nonce, and whether the node still knows a pending transaction.
/// The live implementation is [`crate::chain::Client`]; tests use a fake.
pub trait ChainView {
    /// The receipt of `hash`, if mined.
    fn mined(&self, hash: B256) -> impl Future<Output = eyre::Result<Option<MinedInfo>>> + Send;
    /// The account's nonce at the latest block (transactions mined).
    fn mined_nonce(&self) -> impl Future<Output = eyre::Result<u64>> + Send;
    /// True when the node knows `hash` (pending in its pool, or mined).
    fn known(&self, hash: B256) -> impl Future<Output = eyre::Result<bool>> + Send;
}

/// One status change decided by [`reconcile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The transaction.
    pub hash: B256,
    /// Its new status.
    pub status: TxStatus,
    /// Block, when mined.
    pub block: Option<u64>,
    /// Why (for `replaced`: by which hash).
    pub detail: Option<String>,
}

/// The outcome of [`reconcile`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Status changes applied.
    pub resolved: Vec<Resolution>,
    /// Transactions still pending in the node's pool (status `sent`): the
    /// run must wait for them (or replace them) before acting again.
    pub pending: Vec<TxRecord>,
}

/// Resolves every unresolved transaction in `store` from chain data, before
/// a run decides anything:
/// - a hash with a receipt is `mined` (or `failed`), and every other
///   transaction of ours with the same nonce is `replaced` by it;
/// - otherwise, when the account's mined nonce is past the nonce, a
///   transaction not in the store consumed it: all are `dropped`;
/// - otherwise a hash the node still knows is pending (`sent`, returned in
///   [`Reconciled::pending`]); one it does not know never reached it (the
///   run was killed before the broadcast): `dropped`.
///
/// Changes are applied in one SQLite transaction.
///
/// # Errors
/// The chain's errors (nothing is written then), [`StoreError`].
pub async fn reconcile<C: ChainView>(store: &mut Store, chain: &C) -> eyre::Result<Reconciled> {
    let open = store.unresolved()?;
    if open.is_empty() {
        return Ok(Reconciled::default());
    }
    let mined_nonce = chain.mined_nonce().await?;
    let mut out = Reconciled::default();
    let mut i = 0;
    while i < open.len() {
        let nonce = open[i].nonce;
        let group: Vec<&TxRecord> = open[i..].iter().take_while(|t| t.nonce == nonce).collect();
        i += group.len();
        let mut winner = None;
        for t in &group {
            if let Some(m) = chain.mined(t.hash).await? {
                winner = Some((t.hash, m));
                break;
            }
        }
        if let Some((hash, m)) = winner {
            for t in &group {
                out.resolved.push(if t.hash == hash {
                    Resolution {
                        hash,
                        status: if m.success {
                            TxStatus::Mined
                        } else {
                            TxStatus::Failed
                        },
                        block: Some(m.block),
                        detail: (!m.success).then(|| "reverted on chain".to_string()),
                    }
                } else {
                    Resolution {
                        hash: t.hash,
                        status: TxStatus::Replaced,
                        block: None,
                        detail: Some(format!("nonce {nonce} mined by {hash}")),
                    }
                });
            }
            continue;
        }
        if mined_nonce > nonce {
            for t in &group {
                out.resolved.push(Resolution {
                    hash: t.hash,
                    status: TxStatus::Dropped,
                    block: None,
                    detail: Some(format!(
                        "nonce {nonce} was used by a transaction this keeper did not record"
                    )),
                });
            }
            continue;
        }
        for t in &group {
            if chain.known(t.hash).await? {
                if t.status == TxStatus::Intent {
                    out.resolved.push(Resolution {
                        hash: t.hash,
                        status: TxStatus::Sent,
                        block: None,
                        detail: None,
                    });
                }
                let mut pending = (*t).clone();
                pending.status = TxStatus::Sent;
                out.pending.push(pending);
            } else {
                out.resolved.push(Resolution {
                    hash: t.hash,
                    status: TxStatus::Dropped,
                    block: None,
                    detail: Some("never reached the node".into()),
                });
            }
        }
    }
    store.apply(&out.resolved)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    /// A state database path in a directory of its own, removed (with
    /// everything in it) when the test ends.
    struct TempDb(PathBuf);

    impl Drop for TempDb {
        fn drop(&mut self) {
            if let Some(dir) = self.0.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }

    impl std::ops::Deref for TempDb {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl AsRef<Path> for TempDb {
        fn as_ref(&self) -> &Path {
            &self.0
        }
    }

    fn temp_db(name: &str) -> TempDb {
        let dir =
            std::env::temp_dir().join(format!("il-keeper-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDb(dir.join("state.db"))
    }

    fn intent(nonce: u64, n: u8) -> TxIntent {
        TxIntent {
            rule: "rebalance".into(),
            nonce,
            hash: B256::with_last_byte(n),
            to: Address::with_last_byte(8),
            calldata: Bytes::from(vec![0xab, n]),
            gas_limit: 300_000,
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 1_000_000,
        }
    }

    #[derive(Default)]
    struct FakeChain {
        mined: HashMap<B256, MinedInfo>,
        nonce: u64,
        known: HashSet<B256>,
    }

    impl ChainView for FakeChain {
        async fn mined(&self, hash: B256) -> eyre::Result<Option<MinedInfo>> {
            Ok(self.mined.get(&hash).copied())
        }
        async fn mined_nonce(&self) -> eyre::Result<u64> {
            Ok(self.nonce)
        }
        async fn known(&self, hash: B256) -> eyre::Result<bool> {
            Ok(self.known.contains(&hash) || self.mined.contains_key(&hash))
        }
    }

    fn status_of(store: &Store, hash: B256) -> TxStatus {
        store
            .latest_transactions(100)
            .unwrap()
            .into_iter()
            .find(|t| t.hash == hash)
            .unwrap()
            .status
    }

    #[test]
    fn open_creates_the_schema_at_the_current_version() {
        let db = temp_db("schema");
        let store = Store::open(&db).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        drop(store);
        // Reopening is a no-op migration.
        let store = Store::open(&db).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let db = temp_db("newer");
        {
            let c = Connection::open(&db).unwrap();
            c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let e = Store::open(&db).unwrap_err();
        assert!(
            matches!(e, StoreError::TooNew { found, supported, .. } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
            "{e}"
        );
    }

    #[test]
    fn second_open_is_refused_while_the_first_holds_the_lock() {
        let db = temp_db("lock");
        let first = Store::open(&db).unwrap();
        let e = Store::open(&db).unwrap_err();
        assert!(
            matches!(&e, StoreError::Locked(p) if *p == lock_path(&db)),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("another il-keeper run holds the lock")
        );
        drop(first);
        Store::open(&db).unwrap();
    }

    #[test]
    fn observations_round_trip_oldest_first() {
        let db = temp_db("obs");
        let mut s = Store::open(&db).unwrap();
        let run = s.begin_run().unwrap();
        for i in 0..5u64 {
            s.add_observation(
                run,
                &Observation {
                    block: i,
                    time: 1000 + i * 60,
                    oracle_price: 2000.0 + f64::from(u32::try_from(i).unwrap()),
                    oracle_updated_at: 1000,
                    spot_price: 2000.0,
                    fee0_per_share: U256::MAX - U256::from(i),
                    fee1_per_share: U256::from(10u64.pow(18) + i),
                    deviation_bps: 3,
                    fee_pips: 3000,
                },
            )
            .unwrap();
        }
        let o = s.observations(3).unwrap();
        assert_eq!(o.iter().map(|o| o.block).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(o[2].fee0_per_share, U256::MAX - U256::from(4));
        assert_eq!(o[0].fee1_per_share, U256::from(10u64.pow(18) + 2));
    }

    #[tokio::test]
    async fn a_broadcast_intent_with_a_receipt_is_mined() {
        let db = temp_db("mined");
        let mut s = Store::open(&db).unwrap();
        let run = s.begin_run().unwrap();
        s.record_intent(run, &intent(7, 1)).unwrap();
        let mut chain = FakeChain {
            nonce: 8,
            ..FakeChain::default()
        };
        chain.mined.insert(
            B256::with_last_byte(1),
            MinedInfo {
                block: 42,
                success: true,
            },
        );
        let r = reconcile(&mut s, &chain).await.unwrap();
        assert!(r.pending.is_empty());
        assert_eq!(r.resolved.len(), 1);
        assert_eq!(status_of(&s, B256::with_last_byte(1)), TxStatus::Mined);
        assert_eq!(s.latest_transactions(1).unwrap()[0].block, Some(42));
        // Nothing left: a second pass does nothing.
        assert_eq!(
            reconcile(&mut s, &chain).await.unwrap(),
            Reconciled::default()
        );
    }

    #[tokio::test]
    async fn a_replacement_that_mined_marks_the_original_replaced() {
        let db = temp_db("replaced");
        let mut s = Store::open(&db).unwrap();
        let run = s.begin_run().unwrap();
        s.record_intent(run, &intent(3, 1)).unwrap();
        s.set_status(B256::with_last_byte(1), TxStatus::Sent, None, None)
            .unwrap();
        s.record_intent(run, &intent(3, 2)).unwrap();
        let mut chain = FakeChain {
            nonce: 4,
            ..FakeChain::default()
        };
        chain.mined.insert(
            B256::with_last_byte(2),
            MinedInfo {
                block: 9,
                success: false,
            },
        );
        reconcile(&mut s, &chain).await.unwrap();
        assert_eq!(status_of(&s, B256::with_last_byte(1)), TxStatus::Replaced);
        assert_eq!(status_of(&s, B256::with_last_byte(2)), TxStatus::Failed);
    }

    #[tokio::test]
    async fn a_nonce_used_by_someone_else_drops_ours() {
        let db = temp_db("foreign");
        let mut s = Store::open(&db).unwrap();
        let run = s.begin_run().unwrap();
        s.record_intent(run, &intent(5, 1)).unwrap();
        let chain = FakeChain {
            nonce: 6,
            ..FakeChain::default()
        };
        reconcile(&mut s, &chain).await.unwrap();
        assert_eq!(status_of(&s, B256::with_last_byte(1)), TxStatus::Dropped);
    }

    #[tokio::test]
    async fn an_intent_the_node_never_saw_is_dropped_and_a_known_one_stays_pending() {
        let db = temp_db("pending");
        let mut s = Store::open(&db).unwrap();
        let run = s.begin_run().unwrap();
        s.record_intent(run, &intent(5, 1)).unwrap();
        s.record_intent(run, &intent(6, 2)).unwrap();
        let mut chain = FakeChain {
            nonce: 5,
            ..FakeChain::default()
        };
        chain.known.insert(B256::with_last_byte(1));
        let r = reconcile(&mut s, &chain).await.unwrap();
        assert_eq!(r.pending.len(), 1);
        assert_eq!(r.pending[0].hash, B256::with_last_byte(1));
        assert_eq!(status_of(&s, B256::with_last_byte(1)), TxStatus::Sent);
        assert_eq!(status_of(&s, B256::with_last_byte(2)), TxStatus::Dropped);
        assert_eq!(s.max_nonce().unwrap(), Some(6));
    }

    #[tokio::test]
    async fn a_chain_error_writes_nothing() {
        struct Down;
        impl ChainView for Down {
            async fn mined(&self, _: B256) -> eyre::Result<Option<MinedInfo>> {
                Err(eyre::eyre!("connection refused"))
            }
            async fn mined_nonce(&self) -> eyre::Result<u64> {
                Ok(0)
            }
            async fn known(&self, _: B256) -> eyre::Result<bool> {
                Ok(false)
            }
        }
        let db = temp_db("down");
        let mut s = Store::open(&db).unwrap();
        let run = s.begin_run().unwrap();
        s.record_intent(run, &intent(0, 1)).unwrap();
        let e = reconcile(&mut s, &Down).await.unwrap_err();
        assert_eq!(e.to_string(), "connection refused");
        assert_eq!(status_of(&s, B256::with_last_byte(1)), TxStatus::Intent);
    }
}
