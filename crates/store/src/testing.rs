//! Fresh databases for tests: a temporary SQLite file always, and a new PostgreSQL database
//! whenever `ONEWINDOW_TEST_DATABASE_URL` names a server. Each is migrated, and dropped (or
//! deleted) when the test is done. When PostgreSQL is not configured this says so loudly, once
//! per test binary, so a green run on SQLite alone is never mistaken for a run on both.

use crate::{Store, StoreError, open};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub const ENV: &str = "ONEWINDOW_TEST_DATABASE_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);
static WARNED: std::sync::Once = std::sync::Once::new();

pub struct TestDb {
    pub kind: &'static str,
    pub url: String,
    pub store: Arc<dyn Store>,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database { admin_url: String, name: String },
    Done,
}

/// A test that panics never reaches `drop_db`; the database is removed here instead, on a
/// thread of its own because `Drop` cannot wait on the test's runtime.
impl Drop for TestDb {
    fn drop(&mut self) {
        let cleanup = std::mem::replace(&mut self.cleanup, Cleanup::Done);
        if matches!(cleanup, Cleanup::Done) {
            return;
        }
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(cleanup.run());
            }
        })
        .join();
    }
}

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{t}_{n}", std::process::id())
}

/// Whether the PostgreSQL half of the suite will run; prints the skip notice if not.
pub fn postgres_url() -> Option<String> {
    match std::env::var(ENV) {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            WARNED.call_once(|| {
                eprintln!(
                    "\n==================================================================\n\
                     SKIPPING PostgreSQL: {ENV} is not set.\n\
                     Only SQLite was tested. Set it, e.g.\n\
                     {ENV}=postgres://postgres@127.0.0.1:5432/postgres\n\
                     ==================================================================\n"
                );
            });
            None
        }
    }
}

impl TestDb {
    /// A fresh, migrated SQLite database in a temporary file.
    pub async fn sqlite() -> Result<TestDb, StoreError> {
        let path = std::env::temp_dir().join(format!("{}.db", unique("onewindow_test")));
        let url = format!("sqlite://{}", path.display());
        let store = open(&url).await?;
        store.migrate().await?;
        Ok(TestDb {
            kind: "sqlite",
            url,
            store,
            cleanup: Cleanup::File(path),
        })
    }

    /// A fresh, migrated PostgreSQL database on the server `admin_url` points at.
    pub async fn postgres(admin_url: &str) -> Result<TestDb, StoreError> {
        let name = unique("ow_test");
        let mut admin = PgConnection::connect(admin_url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        let mut url = url::Url::parse(admin_url)
            .map_err(|e| StoreError::Config(format!("{ENV} is not a URL: {e}")))?;
        url.set_path(&format!("/{name}"));
        let url = url.to_string();
        let store = open(&url).await?;
        store.migrate().await?;
        Ok(TestDb {
            kind: "postgres",
            url,
            store,
            cleanup: Cleanup::Database {
                admin_url: admin_url.to_string(),
                name,
            },
        })
    }

    /// SQLite always, PostgreSQL when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut v = vec![
            TestDb::sqlite()
                .await
                .expect("create a SQLite test database"),
        ];
        if let Some(u) = postgres_url() {
            v.push(
                TestDb::postgres(&u)
                    .await
                    .expect("create a PostgreSQL test database"),
            );
        }
        v
    }

    /// Closes the store and removes the database.
    pub async fn drop_db(mut self) {
        self.store.close().await;
        let cleanup = std::mem::replace(&mut self.cleanup, Cleanup::Done);
        cleanup.run().await;
    }
}

impl Cleanup {
    async fn run(self) {
        match self {
            Cleanup::Done => {}
            Cleanup::File(p) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut f = p.clone().into_os_string();
                    f.push(suffix);
                    let _ = std::fs::remove_file(f);
                }
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                    let _ = admin.close().await;
                }
            }
        }
    }
}
