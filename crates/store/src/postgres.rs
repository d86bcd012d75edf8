//! PostgreSQL, for cities that outgrow one machine: several instances of the binary share one
//! database. Migrations take an advisory lock so that instances starting together do not race.

use crate::backend::{Arg, Backend, ColumnKind, Record, Sql, TableDigest, decode_values};
use crate::bind_args;
use crate::error::{Result, StoreError};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Postgres, Transaction};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Arbitrary constant naming the migration lock ("OW" in ASCII, then 1).
const MIGRATION_LOCK: i64 = 0x4F57_0001;

pub struct PgBackend {
    pool: PgPool,
    opts: PgConnectOptions,
    /// The group-commit thread's own pools (`committer`), closed with this one.
    committers: Arc<Mutex<Vec<PgPool>>>,
}

impl PgBackend {
    pub async fn connect(url: &str, max_connections: u32) -> Result<PgBackend> {
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))?
            .application_name("onewindow");
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await?;
        Ok(PgBackend {
            pool,
            opts,
            committers: Default::default(),
        })
    }
}

fn text(q: &Sql) -> AssertSqlSafe<std::borrow::Cow<'static, str>> {
    AssertSqlSafe(q.text.clone())
}

impl Backend for PgBackend {
    type Tx = Transaction<'static, Postgres>;
    const ILIKE: &'static str = "ILIKE";

    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";

    const HIDE_SLICE_COLUMNS: bool = false;

    fn json_rows(fields: &[&str], from_where: &str, order: &str) -> String {
        let obj: Vec<String> = fields.iter().map(|f| format!("'{f}', {f}")).collect();
        format!(
            "(SELECT COALESCE(json_agg(json_build_object({}) ORDER BY {order}), '[]'::json)::text FROM {from_where})",
            obj.join(", ")
        )
    }

    // Concurrent writers draw from the identity's sequence (migration 0026): numbers may skip
    // where a transaction rolled back, which the chains' own places never do.
    fn audit_numbers(n: usize) -> String {
        format!("SELECT nextval('audit_log_seq_seq') FROM generate_series(1, {n})")
    }

    fn name(&self) -> &'static str {
        "postgres"
    }

    fn committer(&self) -> Self {
        // Lazy: its one connection is made on first use, on the committing thread's runtime.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_lazy_with(self.opts.clone());
        if let Ok(mut all) = self.committers.lock() {
            all.push(pool.clone());
        }
        PgBackend {
            pool,
            opts: self.opts.clone(),
            committers: self.committers.clone(),
        }
    }

    async fn begin(&self) -> Result<Self::Tx> {
        Ok(self.pool.begin().await?)
    }

    async fn commit(tx: Self::Tx) -> Result<()> {
        Ok(tx.commit().await?)
    }

    async fn all<T: Record>(tx: &mut Self::Tx, q: Sql) -> Result<Vec<T>> {
        let query = bind_args!(sqlx::query_as::<Postgres, T>(text(&q)), q.args);
        Ok(query.fetch_all(&mut **tx).await?)
    }

    async fn opt<T: Record>(tx: &mut Self::Tx, q: Sql) -> Result<Option<T>> {
        let query = bind_args!(sqlx::query_as::<Postgres, T>(text(&q)), q.args);
        Ok(query.fetch_optional(&mut **tx).await?)
    }

    async fn exec(tx: &mut Self::Tx, q: Sql) -> Result<u64> {
        let query = bind_args!(sqlx::query::<Postgres>(text(&q)), q.args);
        Ok(query.execute(&mut **tx).await?.rows_affected())
    }

    async fn script(tx: &mut Self::Tx, text: &'static str) -> Result<()> {
        sqlx::raw_sql(text).execute(&mut **tx).await?;
        Ok(())
    }

    async fn lock_migrations(tx: &mut Self::Tx) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn read_all<T: Record>(&self, q: Sql) -> Result<Vec<T>> {
        let query = bind_args!(sqlx::query_as::<Postgres, T>(text(&q)), q.args);
        Ok(query.fetch_all(&self.pool).await?)
    }

    async fn read_opt<T: Record>(&self, q: Sql) -> Result<Option<T>> {
        let query = bind_args!(sqlx::query_as::<Postgres, T>(text(&q)), q.args);
        Ok(query.fetch_optional(&self.pool).await?)
    }

    async fn read_values(&self, q: Sql, kinds: &[ColumnKind]) -> Result<Vec<Vec<Arg>>> {
        let query = bind_args!(sqlx::query::<Postgres>(text(&q)), q.args);
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|r| decode_values(r, kinds)).collect()
    }

    async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn listen(&self, channel: &str) -> Result<Option<crate::backend::Listening>> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(channel).await?;
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(async move {
            loop {
                // Ends when nobody hears any more, giving its connection back before the pool
                // closes (a pool closes only when every connection is back).
                let next = tokio::select! {
                    _ = tx.closed() => break,
                    next = listener.try_recv() => next,
                };
                let heard = match next {
                    Ok(Some(n)) => Some(n.payload().to_string()),
                    // The connection was lost; the next call makes it again.
                    Ok(None) => None,
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for other instances failed");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        None
                    }
                };
                if tx.send(heard).await.is_err() {
                    break;
                }
            }
        });
        Ok(Some(rx))
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn backup(&self, _path: &std::path::Path) -> Result<()> {
        Err(StoreError::Config(crate::backup::POSTGRES_GUIDANCE.into()))
    }

    async fn table_digests(&self) -> Result<Vec<TableDigest>> {
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
             ORDER BY table_name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(tables.len());
        for (table,) in tables {
            let q = format!(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))
                 FROM \"{}\" t",
                table.replace('"', "\"\"")
            );
            let (rows, checksum): (i64, String) = sqlx::query_as(AssertSqlSafe(q))
                .fetch_one(&self.pool)
                .await?;
            out.push(TableDigest {
                table,
                rows,
                checksum,
            });
        }
        Ok(out)
    }

    async fn integrity(&self) -> Result<String> {
        // PostgreSQL checks its pages as it reads them; reading every table is the check.
        self.table_digests().await?;
        Ok("ok".into())
    }

    async fn close(&self) {
        self.pool.close().await;
        let committers = match self.committers.lock() {
            Ok(all) => all.clone(),
            Err(_) => Vec::new(),
        };
        for p in committers {
            p.close().await;
        }
    }
}
