//! The SQL logic, written once over [`Backend`], so that SQLite and PostgreSQL run the same
//! statements with their own drivers.

mod appointments;
pub(crate) mod audit;
mod calendar;
mod case_rows;
pub(crate) mod cases;
mod catalog;
mod complaints;
mod enterprise;
mod enterprise_service;
mod entity;
mod evaluation;
mod events;
mod figures;
mod grid;
mod hall;
mod hall_calls;
mod hall_window;
mod identity;
mod licences;
mod marginal;
mod org;
mod petitions;
pub(crate) mod rollup;
mod rows;
mod security;
mod session_cache;
mod settings;
mod supervision;
mod supervisors;
mod trail;

use crate::backend::{Arg, Backend, Sql, now, sql};
use crate::error::{Result, StoreError};
use crate::group::Grouper;
use crate::model::ScopeFilter;
use crate::{Store, migrate};
use async_trait::async_trait;
use chrono::NaiveDate;
use onewindow_core::DomainError;
use onewindow_core::Text;
use std::sync::Arc;

pub struct SqlStore<B: Backend> {
    b: Arc<B>,
    /// The case engine's writes, committed in groups.
    group: Grouper<B>,
    /// Calls at the hall's windows, decided in batches.
    calls: hall_calls::CallBatcher,
    sessions: session_cache::SessionCache,
    /// `cases::record_select` for this database, built once.
    case_record_sql: String,
}

impl<B: Backend> SqlStore<B> {
    /// Needs a Tokio runtime: it starts the group-commit task.
    pub fn new(b: B) -> SqlStore<B> {
        let b = Arc::new(b);
        SqlStore {
            group: Grouper::start(b.clone()),
            calls: hall_calls::CallBatcher::start(b.clone()),
            b,
            sessions: Default::default(),
            case_record_sql: cases::record_select::<B>(),
        }
    }
}

/// Adds `AND {col} IN (…)` with the values bound; nothing when there are none.
pub(crate) fn and_in(q: Sql, col: &str, values: Vec<crate::backend::Arg>) -> Sql {
    if values.is_empty() {
        return q;
    }
    let mut q = q;
    let mut ps = Vec::new();
    for v in values {
        ps.push(q.next_placeholder());
        q.args.push(v);
    }
    q.text = format!("{} AND {col} IN ({})", q.text, ps.join(", ")).into();
    q
}

/// Adds the scope restriction to a query whose owning department id is `dept_col` and whose
/// region id is `region_col` (either may be absent for records that have none).
pub(crate) fn scope_where(
    q: Sql,
    scope: &ScopeFilter,
    dept_col: Option<&str>,
    region_col: Option<&str>,
) -> Sql {
    let mut q = q;
    if let Some(d) = scope.department_id {
        let cond = match dept_col {
            Some(col) => format!(" AND {col} = {}", q.next_placeholder()),
            None => " AND 1 = 0".to_string(),
        };
        q.text = format!("{}{cond}", q.text).into();
        q = q.bind(d);
    }
    if let Some(path) = &scope.region_path {
        let p = q.next_placeholder();
        let in_region =
            |col: &str| format!("{col} IN (SELECT id FROM regions WHERE path LIKE {p} || '%')");
        let cond = match (dept_col, region_col) {
            (Some(d), Some(r)) => format!(
                " AND ({} OR {d} IN (SELECT id FROM departments WHERE {}))",
                in_region(r),
                in_region("region_id")
            ),
            (None, Some(r)) => format!(" AND {}", in_region(r)),
            (Some(d), None) => format!(
                " AND {d} IN (SELECT id FROM departments WHERE {})",
                in_region("region_id")
            ),
            (None, None) => " AND 1 = 0".to_string(),
        };
        q.text = format!("{}{cond}", q.text).into();
        q = q.bind(path.clone());
    }
    q
}

/// Updates a row only if its version is still the one the caller read; tells a missing row from
/// a stale version.
pub(crate) async fn versioned_update<B: Backend>(
    tx: &mut B::Tx,
    table: &'static str,
    what: Text,
    id: i64,
    version: i64,
    set: Sql,
) -> Result<()> {
    // `set` carries "col = $1, col2 = $2" with its arguments, or nothing when only the
    // version moves; id and version come last.
    let mut q = set;
    let pid = q.args.len() + 1;
    let cols = if q.text.is_empty() {
        String::new()
    } else {
        format!("{}, ", q.text)
    };
    q.text = format!(
        "UPDATE {table} SET {cols}version = version + 1 WHERE id = ${pid} AND version = ${}",
        pid + 1
    )
    .into();
    let q = q.bind(id).bind(version);
    if B::exec(tx, q).await? == 1 {
        return Ok(());
    }
    let exists: Option<(i64,)> = B::opt(
        tx,
        sql(format!("SELECT id FROM {table} WHERE id = $1")).bind(id),
    )
    .await?;
    Err(match exists {
        Some(_) => DomainError::stale("version").into(),
        None => DomainError::not_found(what).into(),
    })
}

/// `col = $1, …` for the columns whose new value differs from the old (each list one argument
/// per column of `cols`, in order), with those values bound.
pub(crate) fn changed_columns(cols: &[&str], new: Vec<Arg>, old: Vec<Arg>) -> Sql {
    let mut set = sql("");
    let mut parts = Vec::new();
    for ((col, n), o) in cols.iter().zip(new).zip(old) {
        if n != o {
            set = set.bind(n);
            parts.push(format!("{col} = ${}", set.args.len()));
        }
    }
    set.text = parts.join(", ").into();
    set
}

/// The version check done before an update reads the row, so the caller can compute a diff.
pub(crate) fn check_version(current: i64, given: i64) -> Result<()> {
    if current == given {
        Ok(())
    } else {
        Err(DomainError::stale("version").into())
    }
}

#[async_trait]
impl<B: Backend> Store for SqlStore<B> {
    fn backend(&self) -> &'static str {
        self.b.name()
    }

    async fn ping(&self) -> Result<()> {
        self.b.ping().await
    }

    async fn migrate(&self) -> Result<Vec<i64>> {
        let list = if self.b.name() == "sqlite" {
            migrate::SQLITE
        } else {
            migrate::POSTGRES
        };
        let applied = migrate::run(self.b.as_ref(), list).await?;
        // Reference data the platform cannot run without: the built-in calendar years.
        calendar::ensure_builtin(self.b.as_ref()).await?;
        Ok(applied)
    }

    async fn close(&self) {
        self.b.close().await
    }

    async fn backup(&self, path: &std::path::Path) -> Result<()> {
        self.b.backup(path).await
    }

    async fn table_digests(&self) -> Result<Vec<crate::backend::TableDigest>> {
        self.b.table_digests().await
    }

    async fn integrity(&self) -> Result<String> {
        self.b.integrity().await
    }

    async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        self.b.notify(channel, payload).await
    }

    async fn listen(&self, channel: &str) -> Result<Option<crate::backend::Listening>> {
        self.b.listen(channel).await
    }

    async fn lease_job(&self, job: &str, holder: &str, span: std::time::Duration) -> Result<bool> {
        let at = now();
        let until = at + chrono::Duration::from_std(span).unwrap_or(chrono::Duration::MAX);
        let mut tx = self.b.begin().await?;
        let won: Option<(String,)> = B::opt(
            &mut tx,
            sql(
                "INSERT INTO job_leases (job, holder, until) VALUES ($1, $2, $3)
                 ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until
                 WHERE job_leases.holder = excluded.holder OR job_leases.until <= $4
                 RETURNING holder",
            )
            .bind(job)
            .bind(holder)
            .bind(until)
            .bind(at),
        )
        .await?;
        B::commit(tx).await?;
        Ok(won.is_some())
    }
}

/// The next number in a day's sequence for `key`.
pub(crate) async fn next_seq<B: Backend>(tx: &mut B::Tx, key: &str, day: NaiveDate) -> Result<i64> {
    let (n,): (i64,) = B::opt(
        tx,
        sql("INSERT INTO counters (key, day, last) VALUES ($1, $2, 1)
             ON CONFLICT (key, day) DO UPDATE SET last = counters.last + 1
             RETURNING last")
        .bind(key)
        .bind(day),
    )
    .await?
    .ok_or_else(|| StoreError::Database("counter upsert returned nothing".into()))?;
    Ok(n)
}

/// Whether an active account holds the role (by its code).
pub(super) async fn has_active_role<B: Backend>(
    tx: &mut B::Tx,
    user_id: i64,
    role: &str,
) -> Result<bool> {
    let row: Option<(i64,)> = B::opt(
        tx,
        sql(
            "SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id
             WHERE r.user_id = $1 AND r.role = $2 AND u.active",
        )
        .bind(user_id)
        .bind(role),
    )
    .await?;
    Ok(row.is_some())
}

#[cfg(test)]
mod changed_columns_tests {
    use super::*;

    #[test]
    fn only_the_columns_whose_value_changed_are_set() {
        let cols = ["state", "yellow_on", "note"];
        let old: Vec<Arg> = vec!["review".into(), Arg::Date(None), "a".into()];
        let new: Vec<Arg> = vec!["decided".into(), Arg::Date(None), "b".into()];
        let set = changed_columns(&cols, new, old.clone());
        assert_eq!(set.text, "state = $1, note = $2");
        assert_eq!(set.args, vec![Arg::from("decided"), Arg::from("b")]);
        let none = changed_columns(&cols, old.clone(), old);
        assert!(none.args.is_empty() && none.text.is_empty());
    }

    /// The version moves, and only the columns that changed are written, on a real database
    /// of each kind; a stale version is refused.
    async fn versioned_update_writes_what_changed<B: Backend>(b: B) {
        let mut tx = b.begin().await.unwrap();
        let at = now();
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO regions (code, name, level, path, created_at, updated_at)
                 VALUES ('330000', '旧名', 'district', '/', $1, $2) RETURNING id",
            )
            .bind(at)
            .bind(at),
        )
        .await
        .unwrap()
        .unwrap();
        let what = || Text::fixed("区划", "region");
        let same = changed_columns(&["name"], vec!["旧名".into()], vec!["旧名".into()]);
        versioned_update::<B>(&mut tx, "regions", what(), id, 1, same)
            .await
            .unwrap();
        let renamed = changed_columns(&["name"], vec!["新名".into()], vec!["旧名".into()]);
        let stale = versioned_update::<B>(&mut tx, "regions", what(), id, 1, renamed.clone()).await;
        assert!(stale.unwrap_err().to_string().contains("version"));
        versioned_update::<B>(&mut tx, "regions", what(), id, 2, renamed)
            .await
            .unwrap();
        let row: Option<(String, i64)> = B::opt(
            &mut tx,
            sql("SELECT name, version FROM regions WHERE id = $1").bind(id),
        )
        .await
        .unwrap();
        assert_eq!(row, Some(("新名".to_string(), 3)));
        B::commit(tx).await.unwrap();
        b.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_versioned_update_with_nothing_changed_moves_only_the_version() {
        for db in crate::testing::TestDb::all().await {
            if db.kind == "sqlite" {
                let b = crate::sqlite::SqliteBackend::connect(&db.url)
                    .await
                    .unwrap();
                versioned_update_writes_what_changed(b).await;
            } else {
                let b = crate::postgres::PgBackend::connect(&db.url, 2)
                    .await
                    .unwrap();
                versioned_update_writes_what_changed(b).await;
            }
            db.drop_db().await;
        }
    }
}
