//! Connections: the [`Store`] handle, transactions ([`Tx`]), read connections ([`Reader`])
//! and the [`Conn`] every query function takes.
//!
//! SQLite gets two pools on one file: a writer pool of exactly one connection (writes queue
//! in FIFO order in the pool instead of spinning in SQLite's busy handler, and every write
//! transaction starts with `BEGIN IMMEDIATE`) and a reader pool (WAL lets readers run beside
//! the writer). PostgreSQL gets one pool with `synchronous_commit=on`.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::StoreError;
use crate::vault::Vault;

/// Which database engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one file in the data dir, WAL mode.
    Sqlite,
    /// The scale-out backend.
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StoreError::Config(
                "the URL must start with sqlite:, postgres:// or postgresql://".into(),
            ))
        }
    }

    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// How to connect.
#[derive(Clone, Debug)]
pub struct ConnectOptions {
    /// Database URL (`sqlite:///path/file.db` or `postgres://…`).
    pub url: String,
    /// Reader connections for SQLite; total connections for PostgreSQL.
    pub max_connections: u32,
    /// How long a connection waits for a lock / a pooled connection.
    pub acquire_timeout: Duration,
}

impl ConnectOptions {
    /// Options with sensible defaults for `url`.
    pub fn new(url: impl Into<String>) -> Self {
        ConnectOptions {
            url: url.into(),
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

enum Pools {
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
        /// The webhook inbox's own file: one writer, a few readers.
        inbox_write: SqlitePool,
        inbox_read: SqlitePool,
        path: PathBuf,
    },
    Pg(PgPool),
}

/// The inbox file next to a SQLite database file.
pub fn inbox_path(main: &Path) -> PathBuf {
    let mut name = main.as_os_str().to_owned();
    name.push("-inbox");
    PathBuf::from(name)
}

struct Inner {
    pools: Pools,
    vault: Arc<Vault>,
}

/// A cheap-to-clone handle on the database and the vault that seals personal data.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Connects (creating the SQLite file if needed) and applies the migrations.
    pub async fn open(options: &ConnectOptions, vault: Arc<Vault>) -> Result<Store, StoreError> {
        let store = Store::connect(options, vault).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(options: &ConnectOptions, vault: Arc<Vault>) -> Result<Store, StoreError> {
        let pools = match Backend::from_url(&options.url)? {
            Backend::Sqlite => {
                let base = SqliteConnectOptions::from_str(&options.url)
                    .map_err(|e| StoreError::Config(e.to_string()))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    // FULL: a commit is on disk before it returns, so an acknowledged
                    // webhook survives a power cut (NORMAL only survives a crash in WAL).
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(options.acquire_timeout)
                    // Rows cross from SQLite's worker thread to the task in a channel; a
                    // deeper one lets big reads (the monthly report) run ahead instead of
                    // waking the task for every row.
                    .row_buffer_size(1024)
                    .pragma("temp_store", "memory");
                let path = base.get_filename().to_path_buf();
                if let Some(dir) = path.parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir)?;
                }
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(base.clone())
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(options.max_connections.max(1))
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(base.clone())
                    .await?;
                let inbox_opts = base.filename(inbox_path(&path));
                let inbox_write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(inbox_opts.clone())
                    .await?;
                let inbox_read = SqlitePoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(inbox_opts)
                    .await?;
                Pools::Sqlite {
                    write,
                    read,
                    inbox_write,
                    inbox_read,
                    path,
                }
            }
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(&options.url)
                    .map_err(|e| StoreError::Config(e.to_string()))?
                    .options([("synchronous_commit", "on"), ("timezone", "UTC")]);
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections.max(2))
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(opts)
                    .await?;
                Pools::Pg(pool)
            }
        };
        Ok(Store {
            inner: Arc::new(Inner { pools, vault }),
        })
    }

    /// Applies pending migrations from the backend's embedded tree.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.inner.pools {
            Pools::Sqlite {
                write, inbox_write, ..
            } => {
                sqlx::migrate!("./migrations/sqlite").run(write).await?;
                sqlx::migrate!("./migrations/sqlite-inbox")
                    .run(inbox_write)
                    .await?;
            }
            Pools::Pg(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Refreshes the query planner's statistics. On SQLite this is `PRAGMA optimize` on the
    /// writer (with `analysis_limit`, so it costs milliseconds on any size): without
    /// statistics SQLite guesses index selectivity, and at a million complaints a wrong
    /// guess is the difference between 1 ms and a full scan. The server's `optimize` job
    /// runs it at start and every 6 hours, as SQLite recommends. Not in [`Store::open`]:
    /// statistics taken of a new, empty database made bulk loads into it (the benchmark's
    /// seeding, an import) slower and slower. On PostgreSQL it is `ANALYZE` (a sample
    /// per table, about a second at a million complaints): autovacuum would do it, but it
    /// can be turned off (it is on this project's CI machine), and then the planner keeps
    /// guessing from an empty table — finishing a deadline step scanned every open step.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        match &self.inner.pools {
            Pools::Sqlite { write, .. } => {
                let mut c = write.acquire().await?;
                sqlx::query("PRAGMA analysis_limit = 1000")
                    .execute(&mut *c)
                    .await?;
                sqlx::query("PRAGMA optimize = 0x10002")
                    .execute(&mut *c)
                    .await?;
            }
            Pools::Pg(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        match self.inner.pools {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Pg(_) => Backend::Postgres,
        }
    }

    /// The vault that seals personal data.
    pub fn vault(&self) -> &Arc<Vault> {
        &self.inner.vault
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match &self.inner.pools {
            Pools::Sqlite { write, .. } => {
                TxInner::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?)
            }
            Pools::Pg(pool) => TxInner::Pg(pool.begin().await?),
        };
        Ok(Tx {
            inner,
            vault: self.inner.vault.clone(),
            savepoints: 0,
        })
    }

    /// True when the webhook inbox lives in its own database (SQLite): processing then
    /// commits to the main database first and marks inbox rows afterwards (idempotent
    /// processing makes the gap safe).
    pub fn separate_inbox(&self) -> bool {
        matches!(self.inner.pools, Pools::Sqlite { .. })
    }

    /// A write transaction on the inbox (its own file on SQLite; the main database on
    /// PostgreSQL).
    pub async fn inbox_begin(&self) -> Result<Tx, StoreError> {
        let inner = match &self.inner.pools {
            Pools::Sqlite { inbox_write, .. } => {
                TxInner::Sqlite(inbox_write.begin_with("BEGIN IMMEDIATE").await?)
            }
            Pools::Pg(pool) => TxInner::Pg(pool.begin().await?),
        };
        Ok(Tx {
            inner,
            vault: self.inner.vault.clone(),
            savepoints: 0,
        })
    }

    /// A read connection on the inbox.
    pub async fn inbox_reader(&self) -> Result<Reader, StoreError> {
        let inner = match &self.inner.pools {
            Pools::Sqlite { inbox_read, .. } => ReaderInner::Sqlite(inbox_read.acquire().await?),
            Pools::Pg(pool) => ReaderInner::Pg(pool.acquire().await?),
        };
        Ok(Reader {
            inner,
            vault: self.inner.vault.clone(),
        })
    }

    /// A connection for reads outside any transaction.
    pub async fn reader(&self) -> Result<Reader, StoreError> {
        let inner = match &self.inner.pools {
            Pools::Sqlite { read, .. } => ReaderInner::Sqlite(read.acquire().await?),
            Pools::Pg(pool) => ReaderInner::Pg(pool.acquire().await?),
        };
        Ok(Reader {
            inner,
            vault: self.inner.vault.clone(),
        })
    }

    /// Answers when the database answers a trivial query (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut r = self.reader().await?;
        let mut c = r.conn();
        on_conn!(c, c => sqlx::query("SELECT 1").execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Writes a consistent copy of the database to `out` (and of the inbox to
    /// `<out>-inbox`) while the service runs (SQLite's `VACUUM INTO`). For PostgreSQL this
    /// returns [`StoreError::Config`]: use `pg_dump`.
    pub async fn backup_to(&self, out: &Path) -> Result<(), StoreError> {
        match &self.inner.pools {
            Pools::Sqlite {
                read, inbox_read, ..
            } => {
                let inbox_out = inbox_path(out);
                for file in [out, inbox_out.as_path()] {
                    if file.exists() {
                        return Err(StoreError::Config(format!(
                            "{} already exists; choose a new file",
                            file.display()
                        )));
                    }
                }
                let target = out.to_string_lossy().into_owned();
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(read)
                    .await?;
                let target = inbox_out.to_string_lossy().into_owned();
                sqlx::query("VACUUM INTO $1")
                    .bind(target)
                    .execute(inbox_read)
                    .await?;
                Ok(())
            }
            Pools::Pg(_) => Err(StoreError::Config(
                "online backup of PostgreSQL is done with pg_dump (see docs/RUNBOOK.md)".into(),
            )),
        }
    }

    /// The SQLite file, if this store is on SQLite.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match &self.inner.pools {
            Pools::Sqlite { path, .. } => Some(path),
            Pools::Pg(_) => None,
        }
    }

    /// Connections in use and idle, for metrics: (in use, idle).
    pub fn pool_stats(&self) -> (u32, u32) {
        match &self.inner.pools {
            Pools::Sqlite {
                read,
                write,
                inbox_write,
                inbox_read,
                ..
            } => {
                let pools = [read, write, inbox_write, inbox_read];
                let idle: usize = pools.iter().map(|p| p.num_idle()).sum();
                let size: u32 = pools.iter().map(|p| p.size()).sum();
                (size - idle as u32, idle as u32)
            }
            Pools::Pg(pool) => {
                let idle = pool.num_idle();
                (pool.size() - idle as u32, idle as u32)
            }
        }
    }

    /// Closes every connection (on shutdown; SQLite checkpoints the WAL on the last close).
    pub async fn close(&self) {
        match &self.inner.pools {
            Pools::Sqlite {
                write,
                read,
                inbox_write,
                inbox_read,
                ..
            } => {
                inbox_read.close().await;
                inbox_write.close().await;
                read.close().await;
                write.close().await;
            }
            Pools::Pg(pool) => pool.close().await,
        }
    }
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

/// A write transaction. Dropped without [`Tx::commit`] it rolls back.
pub struct Tx {
    inner: TxInner,
    vault: Arc<Vault>,
    savepoints: u32,
}

impl Tx {
    /// The connection to run queries on.
    pub fn conn(&mut self) -> Conn<'_> {
        let db = match &mut self.inner {
            TxInner::Sqlite(t) => DbConn::Sqlite(t),
            TxInner::Pg(t) => DbConn::Pg(t),
        };
        Conn {
            db,
            vault: &self.vault,
        }
    }

    /// Commits; on SQLite the commit is fsynced (`synchronous=FULL`).
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Pg(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Rolls back explicitly.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Pg(t) => t.rollback().await?,
        }
        Ok(())
    }

    /// Opens a savepoint so one unit of a batch can fail without losing the others.
    pub async fn savepoint(&mut self) -> Result<(), StoreError> {
        self.savepoints += 1;
        let mut c = self.conn();
        on_conn!(c, c => sqlx::query("SAVEPOINT unit").execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Keeps the work since the last [`Tx::savepoint`].
    pub async fn release_savepoint(&mut self) -> Result<(), StoreError> {
        let mut c = self.conn();
        on_conn!(c, c => sqlx::query("RELEASE SAVEPOINT unit").execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Undoes the work since the last [`Tx::savepoint`] and releases it.
    pub async fn rollback_to_savepoint(&mut self) -> Result<(), StoreError> {
        let mut c = self.conn();
        on_conn!(c, c => sqlx::query("ROLLBACK TO SAVEPOINT unit").execute(c).await.map(|r| r.rows_affected()))?;
        on_conn!(c, c => sqlx::query("RELEASE SAVEPOINT unit").execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

enum ReaderInner {
    Sqlite(PoolConnection<Sqlite>),
    Pg(PoolConnection<Postgres>),
}

/// A pooled connection for reads.
pub struct Reader {
    inner: ReaderInner,
    vault: Arc<Vault>,
}

impl Reader {
    /// The connection to run queries on.
    pub fn conn(&mut self) -> Conn<'_> {
        let db = match &mut self.inner {
            ReaderInner::Sqlite(c) => DbConn::Sqlite(c),
            ReaderInner::Pg(c) => DbConn::Pg(c),
        };
        Conn {
            db,
            vault: &self.vault,
        }
    }
}

pub(crate) enum DbConn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// A borrowed connection (inside a transaction or a reader) plus the vault.
pub struct Conn<'a> {
    pub(crate) db: DbConn<'a>,
    pub(crate) vault: &'a Vault,
}

impl Conn<'_> {
    /// The engine behind this connection.
    pub fn backend(&self) -> Backend {
        match self.db {
            DbConn::Sqlite(_) => Backend::Sqlite,
            DbConn::Pg(_) => Backend::Postgres,
        }
    }

    /// The vault, to seal and open personal data.
    pub fn vault(&self) -> &Vault {
        self.vault
    }
}
