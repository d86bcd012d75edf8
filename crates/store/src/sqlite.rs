//! The embedded database: one file, write-ahead log, foreign keys on, `synchronous=FULL` so that
//! a write the server acknowledged survives a power cut. One connection writes (SQLite allows one
//! writer at a time; queuing in the pool is cheaper than retrying on SQLITE_BUSY), several read.

use crate::backend::{Arg, Backend, ColumnKind, Record, Sql, TableDigest, decode_values};
use crate::bind_args;
use crate::error::{Result, StoreError};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// Reading connections. Each is a thread of its own in the driver; on a small machine more of
/// them than cores only adds switching between them.
const READERS: u32 = 4;

pub struct SqliteBackend {
    writer: SqlitePool,
    readers: SqlitePool,
}

impl SqliteBackend {
    pub async fn connect(url: &str) -> Result<SqliteBackend> {
        let base = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("invalid SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
        if let Some(dir) = base.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Config(format!("cannot create directory {}: {e}", dir.display()))
            })?;
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.clone())
            .await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(base.read_only(true))
            .await?;
        Ok(SqliteBackend { writer, readers })
    }

    /// The durability settings as the writing connection sees them: journal mode, synchronous
    /// level (2 = FULL), foreign keys (1 = on) and busy timeout in milliseconds.
    pub async fn pragmas(&self) -> Result<(String, i64, i64, i64)> {
        let mut conn = self.writer.acquire().await?;
        let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?;
        let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await?;
        let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await?;
        let (busy,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await?;
        Ok((mode, sync, fk, busy))
    }
}

fn text(q: &Sql) -> AssertSqlSafe<std::borrow::Cow<'static, str>> {
    AssertSqlSafe(q.text.clone())
}

impl Backend for SqliteBackend {
    type Tx = Transaction<'static, Sqlite>;
    const ILIKE: &'static str = "LIKE";

    const SKIP_LOCKED: &'static str = "";

    const HIDE_SLICE_COLUMNS: bool = true;

    fn in_order_placeholders(_first: usize, n: usize) -> String {
        vec!["?"; n].join(", ")
    }

    fn json_rows(fields: &[&str], from_where: &str, order: &str) -> String {
        let obj: Vec<String> = fields.iter().map(|f| format!("'{f}', {f}")).collect();
        format!(
            "(SELECT json_group_array(json_object({}) ORDER BY {order}) FROM {from_where})",
            obj.join(", ")
        )
    }

    // The one writer numbers past the highest number written.
    fn audit_numbers(n: usize) -> String {
        format!(
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < {n}) \
             SELECT (SELECT COALESCE(MAX(seq), 0) FROM audit_log) + i FROM k ORDER BY i"
        )
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn committer(&self) -> Self {
        // The one writing connection runs on a thread of its own already.
        SqliteBackend {
            writer: self.writer.clone(),
            readers: self.readers.clone(),
        }
    }

    async fn begin(&self) -> Result<Self::Tx> {
        // IMMEDIATE takes the write lock up front, so a transaction that reads and then writes
        // never fails half-way with SQLITE_BUSY when another process holds the lock.
        Ok(self.writer.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn commit(tx: Self::Tx) -> Result<()> {
        Ok(tx.commit().await?)
    }

    async fn all<T: Record>(tx: &mut Self::Tx, q: Sql) -> Result<Vec<T>> {
        let query = bind_args!(sqlx::query_as::<Sqlite, T>(text(&q)), q.args);
        Ok(query.fetch_all(&mut **tx).await?)
    }

    async fn opt<T: Record>(tx: &mut Self::Tx, q: Sql) -> Result<Option<T>> {
        let query = bind_args!(sqlx::query_as::<Sqlite, T>(text(&q)), q.args);
        Ok(query.fetch_optional(&mut **tx).await?)
    }

    async fn exec(tx: &mut Self::Tx, q: Sql) -> Result<u64> {
        let query = bind_args!(sqlx::query::<Sqlite>(text(&q)), q.args);
        Ok(query.execute(&mut **tx).await?.rows_affected())
    }

    async fn script(tx: &mut Self::Tx, text: &'static str) -> Result<()> {
        sqlx::raw_sql(text).execute(&mut **tx).await?;
        Ok(())
    }

    async fn lock_migrations(_tx: &mut Self::Tx) -> Result<()> {
        // BEGIN IMMEDIATE already holds the only write lock.
        Ok(())
    }

    async fn read_all<T: Record>(&self, q: Sql) -> Result<Vec<T>> {
        let query = bind_args!(sqlx::query_as::<Sqlite, T>(text(&q)), q.args);
        Ok(query.fetch_all(&self.readers).await?)
    }

    async fn read_opt<T: Record>(&self, q: Sql) -> Result<Option<T>> {
        let query = bind_args!(sqlx::query_as::<Sqlite, T>(text(&q)), q.args);
        Ok(query.fetch_optional(&self.readers).await?)
    }

    async fn read_values(&self, q: Sql, kinds: &[ColumnKind]) -> Result<Vec<Vec<Arg>>> {
        let query = bind_args!(sqlx::query::<Sqlite>(text(&q)), q.args);
        let rows = query.fetch_all(&self.readers).await?;
        rows.iter().map(|r| decode_values(r, kinds)).collect()
    }

    async fn notify(&self, _channel: &str, _payload: &str) -> Result<()> {
        Ok(())
    }

    async fn listen(&self, _channel: &str) -> Result<Option<crate::backend::Listening>> {
        Ok(None)
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.readers).await?;
        Ok(())
    }

    async fn backup(&self, path: &std::path::Path) -> Result<()> {
        if path.exists() {
            return Err(StoreError::Config(format!(
                "{} exists already: a backup never overwrites",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Config("the backup path is not UTF-8".into()))?;
        // VACUUM INTO reads one snapshot while writers go on, and writes a compact database.
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.readers)
            .await?;
        Ok(())
    }

    async fn table_digests(&self) -> Result<Vec<TableDigest>> {
        use sha2::{Digest, Sha256};
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )
        .fetch_all(&self.readers)
        .await?;
        let mut out = Vec::with_capacity(tables.len());
        for (table,) in tables {
            let cols: Vec<(String,)> = sqlx::query_as("SELECT name FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(&self.readers)
                .await?;
            let row = cols
                .iter()
                .map(|(c,)| format!("quote(\"{}\")", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let q = format!(
                "SELECT r FROM (SELECT {row} AS r FROM \"{}\") ORDER BY r",
                table.replace('"', "\"\"")
            );
            let rows: Vec<(String,)> = sqlx::query_as(AssertSqlSafe(q))
                .fetch_all(&self.readers)
                .await?;
            let mut h = Sha256::new();
            for (r,) in &rows {
                h.update(r.as_bytes());
                h.update(b"\n");
            }
            out.push(TableDigest {
                table,
                rows: rows.len() as i64,
                checksum: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
            });
        }
        Ok(out)
    }

    async fn integrity(&self) -> Result<String> {
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("; "))
    }

    async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }
}
