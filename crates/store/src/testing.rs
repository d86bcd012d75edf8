//! Fresh databases for tests: a temporary SQLite file always, and a new PostgreSQL database
//! whenever `ONEWINDOW_TEST_DATABASE_URL` names a server. Each is migrated, and dropped (or
//! deleted) when the test is done. When PostgreSQL is not configured this says so loudly, once
//! per test binary, so a green run on SQLite alone is never mistaken for a run on both.
//!
//! A database that takes long to prepare (the demo district) is prepared once per test process
//! and kept as a [`Template`]; each test gets its own copy (a copied file, a PostgreSQL database
//! created `TEMPLATE` it), so no test sees another's writes and none pays for the preparation.
//! Each test's time, from its first database to its last dropped, is kept for [`slowest`].

use crate::{Store, StoreError, open};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ENV: &str = "ONEWINDOW_TEST_DATABASE_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);
static WARNED: std::sync::Once = std::sync::Once::new();

pub struct TestDb {
    pub kind: &'static str,
    pub url: String,
    pub store: Arc<dyn Store>,
    cleanup: Cleanup,
}

#[derive(Clone)]
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
        clock::closed();
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

/// The prefixes of the names this module gives: test databases and templates, each followed by
/// the process id, so that what a killed run left behind can be told from a live run's.
const TEST_PREFIX: &str = "ow_test";
const TEMPLATE_PREFIX: &str = "ow_tpl";

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

fn sqlite_path(prefix: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}.db", unique(prefix)))
}

fn database_url(admin_url: &str, name: &str) -> Result<String, StoreError> {
    let mut url = url::Url::parse(admin_url)
        .map_err(|e| StoreError::Config(format!("{ENV} is not a URL: {e}")))?;
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}

async fn admin_sql(admin_url: &str, sql: String) -> Result<(), StoreError> {
    let mut admin = PgConnection::connect(admin_url).await?;
    let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut admin)
        .await
        .map(|_| ());
    let _ = admin.close().await;
    Ok(done?)
}

impl TestDb {
    /// A fresh, migrated SQLite database in a temporary file.
    pub async fn sqlite() -> Result<TestDb, StoreError> {
        Self::open_sqlite(sqlite_path(TEST_PREFIX)).await
    }

    async fn open_sqlite(path: PathBuf) -> Result<TestDb, StoreError> {
        let url = format!("sqlite://{}", path.display());
        let cleanup = Cleanup::File(path);
        let store = open(&url).await?;
        store.migrate().await?;
        Ok(TestDb::begun("sqlite", url, store, cleanup))
    }

    /// A fresh, migrated PostgreSQL database on the server `admin_url` points at.
    pub async fn postgres(admin_url: &str) -> Result<TestDb, StoreError> {
        Self::create_postgres(admin_url, unique(TEST_PREFIX), None).await
    }

    async fn create_postgres(
        admin_url: &str,
        name: String,
        template: Option<&str>,
    ) -> Result<TestDb, StoreError> {
        let sql = match template {
            None => format!("CREATE DATABASE {name}"),
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
        };
        admin_sql(admin_url, sql).await?;
        let url = database_url(admin_url, &name)?;
        let cleanup = Cleanup::Database {
            admin_url: admin_url.to_string(),
            name,
        };
        let store = open(&url).await?;
        store.migrate().await?;
        Ok(TestDb::begun("postgres", url, store, cleanup))
    }

    /// A database handed to a test: its time starts now (see [`slowest`]).
    fn begun(kind: &'static str, url: String, store: Arc<dyn Store>, cleanup: Cleanup) -> TestDb {
        clock::opened();
        TestDb {
            kind,
            url,
            store,
            cleanup,
        }
    }

    /// A fresh, migrated database of `kind` ("sqlite" or "postgres" on `admin_url`) to prepare
    /// and then keep with [`TestDb::into_template`].
    pub async fn for_template(kind: &str, admin_url: Option<&str>) -> Result<TestDb, StoreError> {
        sweep_leftovers(admin_url).await;
        let db = match (kind, admin_url) {
            ("postgres", Some(admin)) => {
                Self::create_postgres(admin, unique(TEMPLATE_PREFIX), None).await?
            }
            ("postgres", None) => {
                return Err(StoreError::Config(format!("{ENV} is not set")));
            }
            _ => Self::open_sqlite(sqlite_path(TEMPLATE_PREFIX)).await?,
        };
        clock::closed();
        Ok(db)
    }

    /// Closes this prepared database and keeps it as the template of later copies, until
    /// [`remove_templates`] (or, if the process never gets there, the next run's sweep).
    pub async fn into_template(mut self) -> Template {
        self.store.close().await;
        let source = std::mem::replace(&mut self.cleanup, Cleanup::Done);
        if let Ok(mut t) = TEMPLATES.lock() {
            t.push(source.clone());
        }
        Template {
            kind: self.kind,
            source,
        }
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

    /// Runs `statements` as someone with the database's files would: the audit log's
    /// append-only triggers off first (on PostgreSQL all its triggers, so heads stay as they
    /// were unless a statement moves them).
    pub async fn tamper_sql(&self, statements: &[String]) -> Result<(), StoreError> {
        use sqlx::{Connection, Executor};
        async fn run<C>(conn: &mut C, first: &str, statements: &[String]) -> Result<(), StoreError>
        where
            for<'c> &'c mut C: Executor<'c>,
        {
            sqlx::raw_sql(sqlx::AssertSqlSafe(first.to_string()))
                .execute(&mut *conn)
                .await?;
            for s in statements {
                sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone()))
                    .execute(&mut *conn)
                    .await?;
            }
            Ok(())
        }
        if self.kind == "sqlite" {
            let mut c = sqlx::SqliteConnection::connect(&self.url).await?;
            let first = "DROP TRIGGER IF EXISTS audit_log_no_delete; \
                         DROP TRIGGER IF EXISTS audit_log_no_update";
            run(&mut c, first, statements).await?;
            c.close().await?;
        } else {
            let mut c = PgConnection::connect(&self.url).await?;
            run(
                &mut c,
                "ALTER TABLE audit_log DISABLE TRIGGER USER",
                statements,
            )
            .await?;
            c.close().await?;
        }
        Ok(())
    }

    /// Closes the store and removes the database.
    pub async fn drop_db(mut self) {
        self.store.close().await;
        let cleanup = std::mem::replace(&mut self.cleanup, Cleanup::Done);
        cleanup.run().await;
        clock::closed();
    }
}

/// A prepared database kept for copying: see the module's comment. Its source is where it is
/// (the same as what removes it).
pub struct Template {
    pub kind: &'static str,
    source: Cleanup,
}

static TEMPLATES: Mutex<Vec<Cleanup>> = Mutex::new(Vec::new());

impl Template {
    /// A database of the test's own, as the template was when it was kept.
    pub async fn copy(&self) -> Result<TestDb, StoreError> {
        match &self.source {
            Cleanup::File(from) => {
                let path = sqlite_path(TEST_PREFIX);
                copy_file(from, &path)?;
                TestDb::open_sqlite(path).await
            }
            Cleanup::Database { admin_url, name } => {
                // PostgreSQL refuses a template another session is still leaving; it waits
                // five seconds for it, and one more try covers a slow exit.
                let mut tries = 0;
                loop {
                    let made =
                        TestDb::create_postgres(admin_url, unique(TEST_PREFIX), Some(name)).await;
                    match made {
                        Err(e) if tries < 3 && e.to_string().contains("accessed by other") => {
                            tries += 1;
                            tokio::time::sleep(Duration::from_millis(500)).await;
                        }
                        other => return other,
                    }
                }
            }
            Cleanup::Done => Err(StoreError::Config("the template was removed".into())),
        }
    }
}

/// Copies a closed SQLite database: its file, and its write-ahead log should closing have left
/// one.
fn copy_file(from: &Path, to: &Path) -> Result<(), StoreError> {
    let fail = |e: std::io::Error| {
        StoreError::Config(format!("copying the template {}: {e}", from.display()))
    };
    std::fs::copy(from, to).map_err(fail)?;
    let wal = |p: &Path| {
        let mut f = p.as_os_str().to_owned();
        f.push("-wal");
        PathBuf::from(f)
    };
    if wal(from).exists() {
        std::fs::copy(wal(from), wal(to)).map_err(fail)?;
    }
    Ok(())
}

/// Removes every template this process kept. The last test of a run calls it; a run stopped
/// before then leaves them to the next run's sweep.
pub async fn remove_templates() {
    let kept = TEMPLATES
        .lock()
        .map(|mut t| std::mem::take(&mut *t))
        .unwrap_or_default();
    for cleanup in kept {
        cleanup.run().await;
    }
}

/// The process id a test database or template name carries, after its prefix.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(TEST_PREFIX)
        .or_else(|| name.strip_prefix(TEMPLATE_PREFIX))?;
    rest.strip_prefix('_')?.split('_').next()?.parse().ok()
}

fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

/// Removes the test databases and templates of runs that were killed before they could: a
/// name's process is gone. (Only where /proc tells which processes live.)
async fn sweep_leftovers(admin_url: Option<&str>) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    if let Ok(dir) = std::fs::read_dir(std::env::temp_dir()) {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if let Some(pid) = owner_pid(&name)
                && !alive(pid)
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let Some(admin) = admin_url else { return };
    let Ok(mut conn) = PgConnection::connect(admin).await else {
        return;
    };
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT datname FROM pg_database WHERE datname LIKE 'ow\\_test\\_%' OR datname LIKE 'ow\\_tpl\\_%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default();
    for (name,) in names {
        if let Some(pid) = owner_pid(&name)
            && !alive(pid)
        {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
    let _ = conn.close().await;
}

/// Each test's time, by the name of the thread it runs on (the test harness names each test's
/// thread after the test): from its first database opened to its last dropped.
mod clock {
    use super::*;

    pub(super) struct Entry {
        pub(super) start: Instant,
        pub(super) end: Instant,
        pub(super) open: usize,
    }

    pub(super) static TIMES: Mutex<BTreeMap<String, Entry>> = Mutex::new(BTreeMap::new());

    fn name() -> Option<String> {
        let t = std::thread::current();
        let n = t.name()?;
        (n != "main" && !n.starts_with("tokio-")).then(|| n.to_string())
    }

    pub(super) fn opened() {
        let (Some(n), Ok(mut times)) = (name(), TIMES.lock()) else {
            return;
        };
        let now = Instant::now();
        let e = times.entry(n).or_insert(Entry {
            start: now,
            end: now,
            open: 0,
        });
        e.open += 1;
    }

    pub(super) fn closed() {
        let (Some(n), Ok(mut times)) = (name(), TIMES.lock()) else {
            return;
        };
        if let Some(e) = times.get_mut(&n) {
            e.open = e.open.saturating_sub(1);
            e.end = Instant::now();
        }
    }
}

/// How many tests other than the calling one still hold a database.
pub fn tests_running() -> usize {
    let me = std::thread::current().name().map(str::to_string);
    clock::TIMES
        .lock()
        .map(|t| {
            t.iter()
                .filter(|(n, e)| e.open > 0 && Some(*n) != me.as_ref())
                .count()
        })
        .unwrap_or(0)
}

/// The `n` slowest tests so far, with their times, slowest first.
pub fn slowest(n: usize) -> Vec<(String, Duration)> {
    let mut all: Vec<(String, Duration)> = clock::TIMES
        .lock()
        .map(|t| {
            t.iter()
                .map(|(k, e)| (k.clone(), e.end.duration_since(e.start)))
                .collect()
        })
        .unwrap_or_default();
    all.sort_by_key(|t| std::cmp::Reverse(t.1));
    all.truncate(n);
    all
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
