//! What the store needs from a database, and nothing more: open a write transaction, run a
//! statement with arguments, decode rows. Each database implements this with its own sqlx
//! driver (see `sqlite.rs`, `postgres.rs`); the SQL logic above it is written once.

use crate::error::StoreError;
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use std::borrow::Cow;
use std::future::Future;

/// A row type that both databases can decode (a `#[derive(FromRow)]` struct or a tuple).
pub trait Record:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static
{
}
impl<T> Record for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static
{
}

/// A statement argument. Only the types the schema uses.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arg {
    I64(Option<i64>),
    Text(Option<String>),
    Bool(Option<bool>),
    Time(Option<DateTime<Utc>>),
    Date(Option<chrono::NaiveDate>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::I64(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::I64(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_string))
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Bool(Some(v))
    }
}
impl From<Option<bool>> for Arg {
    fn from(v: Option<bool>) -> Arg {
        Arg::Bool(v)
    }
}
impl From<DateTime<Utc>> for Arg {
    fn from(v: DateTime<Utc>) -> Arg {
        Arg::Time(Some(v))
    }
}
impl From<chrono::NaiveDate> for Arg {
    fn from(v: chrono::NaiveDate) -> Arg {
        Arg::Date(Some(v))
    }
}
impl From<Option<chrono::NaiveDate>> for Arg {
    fn from(v: Option<chrono::NaiveDate>) -> Arg {
        Arg::Date(v)
    }
}
impl From<Option<DateTime<Utc>>> for Arg {
    fn from(v: Option<DateTime<Utc>>) -> Arg {
        Arg::Time(v)
    }
}

/// A statement with `$1, $2, …` placeholders (both databases accept them) and its arguments.
/// The text is always built by the store from its own fragments, never from user input.
#[derive(Clone, Debug)]
pub struct Sql {
    pub text: Cow<'static, str>,
    pub args: Vec<Arg>,
}

pub fn sql(text: impl Into<Cow<'static, str>>) -> Sql {
    Sql {
        text: text.into(),
        args: Vec::new(),
    }
}

impl Sql {
    pub fn bind(mut self, a: impl Into<Arg>) -> Sql {
        self.args.push(a.into());
        self
    }

    /// Replaces the arguments (for a statement rebuilt around another's text).
    pub fn with_args(mut self, args: Vec<Arg>) -> Sql {
        self.args = args;
        self
    }

    /// The placeholder for the next argument: `$n`.
    pub fn next_placeholder(&self) -> String {
        format!("${}", self.args.len() + 1)
    }

    /// Appends `AND col IN (regions at or below path)`: the records of a region and everything
    /// under it, by the materialised path ("/1/4/").
    pub fn and_under(self, col: &str, path: impl Into<Arg>) -> Sql {
        self.and(
            &format!("{col} IN (SELECT id FROM regions WHERE path LIKE $? || '%')"),
            path,
        )
    }

    /// Appends `AND cond`, where `$?` in `cond` (once or more) stands for `arg`.
    pub fn and(mut self, cond: &str, arg: impl Into<Arg>) -> Sql {
        let p = self.next_placeholder();
        self.text = format!("{} AND {}", self.text, cond.replace("$?", &p)).into();
        self.args.push(arg.into());
        self
    }
}

/// `$first, $first+1, …` for `n` arguments.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Most arguments in one multi-row statement.
const ARGS_PER_STATEMENT: usize = 2000;

/// Multi-row statements `{head} VALUES (…), (…) {tail}` for `rows` (one argument per column
/// each, all of one width), as many rows to a statement as `ARGS_PER_STATEMENT` allows, with
/// the placeholders the backend binds fastest in order.
pub fn multi_row<B: Backend>(head: &str, tail: &str, rows: Vec<Vec<Arg>>) -> Vec<Sql> {
    let width = rows.first().map_or(1, |r| r.len().max(1));
    let per = (ARGS_PER_STATEMENT / width).max(1);
    let mut out = Vec::with_capacity(rows.len().div_ceil(per));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut args = Vec::with_capacity(per * width);
        let mut values = Vec::with_capacity(per);
        for r in rows.by_ref().take(per) {
            values.push(format!(
                "({})",
                B::in_order_placeholders(args.len() + 1, r.len())
            ));
            args.extend(r);
        }
        out.push(sql(format!("{head} VALUES {} {tail}", values.join(", "))).with_args(args));
    }
    out
}

/// A table's row count and the checksum of its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDigest {
    pub table: String,
    pub rows: i64,
    pub checksum: String,
}

/// Messages from other instances on one channel, as they come; `None` when the connection
/// that hears them was lost and made again, so that some may have been missed.
pub type Listening = tokio::sync::mpsc::Receiver<Option<String>>;

/// What a column holds, as both databases can decode it: the five types the schema uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Text,
    Bool,
    Time,
    Date,
}

/// Decodes one row column by column as `kinds` says (for moving rows between databases, where
/// no struct names the columns).
pub(crate) fn decode_values<R>(row: &R, kinds: &[ColumnKind]) -> Result<Vec<Arg>, StoreError>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> chrono::NaiveDate: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Ok(match k {
                ColumnKind::Int => Arg::I64(row.try_get(i)?),
                ColumnKind::Text => Arg::Text(row.try_get(i)?),
                ColumnKind::Bool => Arg::Bool(row.try_get(i)?),
                ColumnKind::Time => Arg::Time(row.try_get(i)?),
                ColumnKind::Date => Arg::Date(row.try_get(i)?),
            })
        })
        .collect()
}

/// One database. `Tx` is an open write transaction; dropping it without commit rolls back, so
/// a failed action leaves nothing written.
pub trait Backend: Send + Sync + 'static {
    type Tx: Send;

    fn name(&self) -> &'static str;
    /// Case-insensitive LIKE.
    const ILIKE: &'static str;

    /// Appended to a SELECT that claims rows for this transaction while others claim other rows
    /// (PostgreSQL); empty where one writer at a time is all there is (SQLite).
    const SKIP_LOCKED: &'static str;

    /// Whether slice conditions over `cases` hide their columns from the planner (`+col`):
    /// SQLite's picks an index on any one column compared for equality, even when the light
    /// index that carries every slice column serves better; PostgreSQL's weighs them and would
    /// only lose the conditions it can check inside that index.
    const HIDE_SLICE_COLUMNS: bool;

    /// Placeholders for arguments `first..first + n` of a statement whose arguments are all
    /// bound in the order they appear (multi-row inserts and upserts). SQLite's driver finds
    /// each numbered placeholder by a linear search, quadratic in a statement of thousands of
    /// arguments; anonymous ones it binds in order at no cost.
    fn in_order_placeholders(first: usize, n: usize) -> String {
        placeholders(first, n)
    }

    /// A scalar subquery giving the rows of `from_where` (a table and its condition) as a JSON
    /// array of objects with `fields` as keys, in `order` (`'[]'` when there are none): several
    /// child lists in the one statement that reads their parent.
    fn json_rows(fields: &[&str], from_where: &str, order: &str) -> String;

    /// A query giving `n` new numbers for audit entries, one a row, inside the writing
    /// transaction (the whole trail's numbers, not a chain's places).
    fn audit_numbers(n: usize) -> String;

    /// Writes a consistent copy of the whole database to `path` while it serves.
    fn backup(&self, path: &std::path::Path)
    -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Every table with its rows counted and checksummed, in name order: equal digests, equal
    /// content (on the same kind of database).
    fn table_digests(&self) -> impl Future<Output = Result<Vec<TableDigest>, StoreError>> + Send;
    /// The database's own consistency check: `ok`, or what it found.
    fn integrity(&self) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// The same database for the group-commit thread (`group.rs`): on PostgreSQL with a
    /// connection of its own, made on that thread's runtime so that the database's answers wake
    /// the thread there; closed when this one is. Called on that runtime.
    fn committer(&self) -> Self
    where
        Self: Sized;
    fn begin(&self) -> impl Future<Output = Result<Self::Tx, StoreError>> + Send;
    fn commit(tx: Self::Tx) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn all<T: Record>(
        tx: &mut Self::Tx,
        q: Sql,
    ) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send;
    fn opt<T: Record>(
        tx: &mut Self::Tx,
        q: Sql,
    ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send;
    fn exec(tx: &mut Self::Tx, q: Sql) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Runs a script of several statements without arguments (migrations).
    fn script(
        tx: &mut Self::Tx,
        text: &'static str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Serialises migrations across instances sharing the database.
    fn lock_migrations(tx: &mut Self::Tx) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn read_all<T: Record>(
        &self,
        q: Sql,
    ) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send;
    fn read_opt<T: Record>(
        &self,
        q: Sql,
    ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send;

    /// The rows of `q`, each column decoded as `kinds` says.
    fn read_values(
        &self,
        q: Sql,
        kinds: &[ColumnKind],
    ) -> impl Future<Output = Result<Vec<Vec<Arg>>, StoreError>> + Send;

    /// Sends `payload` to the instances listening on `channel` (PostgreSQL's NOTIFY, delivered
    /// in order); nothing where one instance is all there is (SQLite).
    fn notify(
        &self,
        channel: &str,
        payload: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// What other instances send on `channel` from now on (PostgreSQL's LISTEN, on a connection
    /// of its own, made again when lost); `None` on SQLite.
    fn listen(
        &self,
        channel: &str,
    ) -> impl Future<Output = Result<Option<Listening>, StoreError>> + Send;

    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// Binds our arguments onto a sqlx query of either kind; one macro so the two drivers' binding
/// code cannot drift apart.
#[macro_export]
#[doc(hidden)]
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                $crate::backend::Arg::I64(v) => q.bind(v),
                $crate::backend::Arg::Text(v) => q.bind(v),
                $crate::backend::Arg::Bool(v) => q.bind(v),
                $crate::backend::Arg::Time(v) => q.bind(v),
                $crate::backend::Arg::Date(v) => q.bind(v),
            };
        }
        q
    }};
}

/// The current instant at the precision both databases keep (microseconds), so that what is
/// read back equals what was written.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    let micros = t.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(t)
}
