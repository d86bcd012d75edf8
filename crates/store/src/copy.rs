//! Moving a whole installation between the two databases: from SQLite to PostgreSQL when a city
//! outgrows one machine (or back, for a copy to try things on). Both ends are brought to this
//! binary's schema first; the rows then go table by table, parents before children, in one
//! transaction on the destination, so a failed copy leaves it as it was. Every table is then read
//! back on both sides and compared by count and by a checksum of its values, decoded the same
//! way on both (timestamps, dates, booleans as values, not as each database prints them).

use crate::backend::{Arg, Backend, ColumnKind, Sql, multi_row, sql};
use crate::error::{Result, StoreError};
use crate::postgres::PgBackend;
use crate::sqlite::SqliteBackend;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Rows read from a table at a time.
const PAGE: i64 = 5000;

/// The schema's own bookkeeping: each database keeps its own (its migrations' text differs).
const MIGRATIONS: &str = "ow_migrations";

/// Hears each table's name and rows as it is copied.
pub type Progress<'a> = &'a mut (dyn FnMut(&str, i64) + Send);

/// One table as moved: its rows and the checksum of its values on each side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableCopy {
    pub table: String,
    pub source_rows: i64,
    pub copied_rows: i64,
    pub source_checksum: String,
    pub copied_checksum: String,
}

impl TableCopy {
    pub fn matches(&self) -> bool {
        self.source_rows == self.copied_rows && self.source_checksum == self.copied_checksum
    }
}

#[derive(Clone, Debug)]
struct Table {
    name: String,
    columns: Vec<(String, ColumnKind)>,
    /// The primary key's columns; empty for a table without one (read whole).
    key: Vec<String>,
    /// The identity column, whose sequence PostgreSQL must be moved past the copied ids.
    identity: Option<String>,
    /// Columns written NULL at first and set once every table is in (see `parents_first`).
    deferred: Vec<String>,
}

impl Table {
    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|c| c.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Copies the installation at `from` into the new database at `to` (one SQLite, the other
/// PostgreSQL) and returns every table compared. `progress` hears each table as it is copied.
/// The destination must hold no installation yet; the source should not be serving (a copy is
/// a move: what is written to the source afterwards stays behind).
pub async fn copy(from: &str, to: &str, progress: Progress<'_>) -> Result<Vec<TableCopy>> {
    other_kinds(from, to)?;
    // Both ends at this binary's schema, the destination's reference data included.
    for url in [from, to] {
        let store = crate::open(url).await?;
        let migrated = store.migrate().await;
        store.close().await;
        migrated?;
    }
    between(from, to, Some(progress)).await
}

/// Compares two installations, one on each kind of database, table by table (after a copy,
/// or to see what changed on either side since): nothing is written.
pub async fn compare(from: &str, to: &str) -> Result<Vec<TableCopy>> {
    other_kinds(from, to)?;
    between(from, to, None).await
}

/// Copies (when there is `progress` to tell) and compares, whichever way the move goes.
async fn between(from: &str, to: &str, progress: Option<Progress<'_>>) -> Result<Vec<TableCopy>> {
    match connect(from, to).await? {
        Pair::SqliteToPg(src, dst) => {
            let out = copy_and_compare(&src, &dst, &dst, progress).await;
            src.close().await;
            dst.close().await;
            out
        }
        Pair::PgToSqlite(src, dst) => {
            let out = copy_and_compare(&src, &dst, &src, progress).await;
            src.close().await;
            dst.close().await;
            out
        }
    }
}

async fn copy_and_compare<S: Backend, D: Backend>(
    src: &S,
    dst: &D,
    pg: &PgBackend,
    progress: Option<Progress<'_>>,
) -> Result<Vec<TableCopy>> {
    let tables = match progress {
        Some(p) => transfer(src, dst, pg, p).await?,
        None => checked_schema(src, dst, pg).await?,
    };
    compare_tables(src, dst, &tables).await
}

fn other_kinds(from: &str, to: &str) -> Result<()> {
    if crate::db_kind(from)? == crate::db_kind(to)? {
        return Err(StoreError::Config(
            "copy moves an installation between SQLite and PostgreSQL; for a copy on the same \
             kind of database use `onewindow backup` (SQLite) or pg_dump (PostgreSQL)"
                .into(),
        ));
    }
    Ok(())
}

enum Pair {
    SqliteToPg(SqliteBackend, PgBackend),
    PgToSqlite(PgBackend, SqliteBackend),
}

async fn connect(from: &str, to: &str) -> Result<Pair> {
    Ok(if crate::db_kind(from)? == crate::DbKind::Sqlite {
        Pair::SqliteToPg(
            SqliteBackend::connect(from).await?,
            PgBackend::connect(to, 4).await?,
        )
    } else {
        Pair::PgToSqlite(
            PgBackend::connect(from, 4).await?,
            SqliteBackend::connect(to).await?,
        )
    })
}

/// The tables in copying order, once both databases are found to have the same ones at the
/// same migrations.
async fn checked_schema<S: Backend, D: Backend>(
    src: &S,
    dst: &D,
    pg: &PgBackend,
) -> Result<Vec<Table>> {
    let tables = schema(pg).await?;
    let sqlite_tables = if src.name() == "sqlite" {
        sqlite_columns(src).await?
    } else {
        sqlite_columns(dst).await?
    };
    same_tables(&tables, &sqlite_tables)?;
    same_migrations(src, dst).await?;
    Ok(tables)
}

/// Every table's rows from `src` into `dst`, in one transaction; returns the tables moved.
async fn transfer<S: Backend, D: Backend>(
    src: &S,
    dst: &D,
    pg: &PgBackend,
    progress: Progress<'_>,
) -> Result<Vec<Table>> {
    let tables = checked_schema(src, dst, pg).await?;
    for t in ["users", "audit_log"] {
        let (n,): (i64,) = dst
            .read_opt(sql(format!("SELECT COUNT(*) FROM {t}")))
            .await?
            .unwrap_or((0,));
        if n > 0 {
            return Err(StoreError::Config(format!(
                "the destination holds an installation already ({n} rows in {t}): copy only \
                 into a new database"
            )));
        }
    }

    let mut tx = dst.begin().await?;
    // What the destination's migrations filled in (reference data) gives way to the source's.
    for t in tables.iter().rev() {
        D::exec(&mut tx, sql(format!("DELETE FROM {}", t.name))).await?;
    }
    // Deferred columns' values, set once every table is in.
    let mut later: Vec<Sql> = Vec::new();
    for t in &tables {
        let head = format!("INSERT INTO {} ({})", t.name, t.column_list());
        let waiting: Vec<(usize, &String)> = t
            .deferred
            .iter()
            .filter_map(|d| t.columns.iter().position(|c| &c.0 == d).map(|i| (i, d)))
            .collect();
        let mut n = 0;
        let mut pages = Pages::of(t);
        while let Some(mut page) = pages.next(src).await? {
            n += page.len() as i64;
            for row in &mut page {
                for (i, col) in &waiting {
                    let null = null_like(&row[*i]);
                    let value = std::mem::replace(&mut row[*i], null);
                    if !is_null(&value) {
                        later.push(set_later(t, col, value, row)?);
                    }
                }
            }
            for q in multi_row::<D>(&head, "", page) {
                D::exec(&mut tx, q).await?;
            }
        }
        if let Some(id) = &t.identity
            && dst.name() == "postgres"
        {
            D::all::<(i64,)>(
                &mut tx,
                sql(format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', '{id}'),
                                   (SELECT COALESCE(MAX({id}), 0) + 1 FROM {0}), false)",
                    t.name
                )),
            )
            .await?;
        }
        progress(&t.name, n);
    }
    for q in later {
        D::exec(&mut tx, q).await?;
    }
    D::commit(tx).await?;
    Ok(tables)
}

/// Every table read on both sides and compared by count and checksum, in name order.
async fn compare_tables<S: Backend, D: Backend>(
    src: &S,
    dst: &D,
    tables: &[Table],
) -> Result<Vec<TableCopy>> {
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let (source_rows, source_checksum) = digest(src, t).await?;
        let (copied_rows, copied_checksum) = digest(dst, t).await?;
        out.push(TableCopy {
            table: t.name.clone(),
            source_rows,
            copied_rows,
            source_checksum,
            copied_checksum,
        });
    }
    out.sort_by(|a, b| a.table.cmp(&b.table));
    Ok(out)
}

impl Table {
    fn key_of(&self, row: Option<&[Arg]>) -> Option<Vec<Arg>> {
        let row = row?;
        Some(
            self.key
                .iter()
                .filter_map(|k| self.columns.iter().position(|c| &c.0 == k))
                .map(|i| row[i].clone())
                .collect(),
        )
    }
}

/// `UPDATE t SET col = value WHERE key = row's key`, for a deferred column.
fn set_later(t: &Table, col: &str, value: Arg, row: &[Arg]) -> Result<Sql> {
    if t.key.is_empty() {
        return Err(StoreError::Config(format!(
            "{}.{col} must wait for a cycle of keys, but {} has no primary key",
            t.name, t.name
        )));
    }
    let key: Vec<Arg> = t.key_of(Some(row)).unwrap_or_default();
    let marks = crate::backend::placeholders(2, key.len());
    let mut args = vec![value];
    args.extend(key);
    Ok(sql(format!(
        "UPDATE {} SET {col} = $1 WHERE ({}) = ({marks})",
        t.name,
        t.key.join(", ")
    ))
    .with_args(args))
}

fn is_null(v: &Arg) -> bool {
    matches!(
        v,
        Arg::I64(None) | Arg::Text(None) | Arg::Bool(None) | Arg::Time(None) | Arg::Date(None)
    )
}

/// NULL of the same type as `v`.
fn null_like(v: &Arg) -> Arg {
    match v {
        Arg::I64(_) => Arg::I64(None),
        Arg::Text(_) => Arg::Text(None),
        Arg::Bool(_) => Arg::Bool(None),
        Arg::Time(_) => Arg::Time(None),
        Arg::Date(_) => Arg::Date(None),
    }
}

/// A table read a page at a time, in key order (whole, when it has no key).
struct Pages<'t> {
    table: &'t Table,
    kinds: Vec<ColumnKind>,
    after: Option<Vec<Arg>>,
    done: bool,
}

impl<'t> Pages<'t> {
    fn of(table: &'t Table) -> Pages<'t> {
        Pages {
            table,
            kinds: table.columns.iter().map(|c| c.1).collect(),
            after: None,
            done: false,
        }
    }

    async fn next<B: Backend>(&mut self, b: &B) -> Result<Option<Vec<Vec<Arg>>>> {
        if self.done {
            return Ok(None);
        }
        let page = b
            .read_values(page_query(self.table, self.after.as_ref()), &self.kinds)
            .await?;
        self.after = self.table.key_of(page.last().map(Vec::as_slice));
        self.done = (page.len() as i64) < PAGE || self.table.key.is_empty();
        Ok(Some(page))
    }
}

/// The next page of `t` after the key `after`, in key order (a key-set page: no OFFSET to
/// skip over).
fn page_query(t: &Table, after: Option<&Vec<Arg>>) -> Sql {
    if t.key.is_empty() {
        return sql(format!("SELECT {} FROM {}", t.column_list(), t.name));
    }
    let key = t.key.join(", ");
    let mut q = sql(format!("SELECT {} FROM {}", t.column_list(), t.name));
    if let Some(after) = after {
        let marks = crate::backend::placeholders(1, after.len());
        q = sql(format!("{} WHERE ({key}) > ({marks})", q.text)).with_args(after.clone());
    }
    sql(format!("{} ORDER BY {key} LIMIT {PAGE}", q.text)).with_args(q.args)
}

/// A table's row count and a checksum of its values that both databases give alike: each row's
/// values printed one way, hashed, the hashes sorted (so row order does not matter) and hashed.
async fn digest<B: Backend>(b: &B, t: &Table) -> Result<(i64, String)> {
    let mut hashes: Vec<[u8; 32]> = Vec::new();
    let mut pages = Pages::of(t);
    while let Some(page) = pages.next(b).await? {
        for row in &page {
            let mut h = Sha256::new();
            for v in row {
                h.update(canonical(v).as_bytes());
                h.update(b"\x1f");
            }
            hashes.push(h.finalize().into());
        }
    }
    hashes.sort_unstable();
    let mut h = Sha256::new();
    for r in &hashes {
        h.update(r);
    }
    let hex = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((hashes.len() as i64, hex))
}

/// One value as text, the same whichever database it came from.
fn canonical(v: &Arg) -> String {
    match v {
        Arg::I64(Some(n)) => n.to_string(),
        Arg::Text(Some(s)) => serde_json::Value::String(s.clone()).to_string(),
        Arg::Bool(Some(b)) => b.to_string(),
        Arg::Time(Some(t)) => t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        Arg::Date(Some(d)) => d.to_string(),
        _ => "null".into(),
    }
}

/// The tables PostgreSQL has, with their columns' kinds, keys and identities, parents before
/// children (by the foreign keys).
async fn schema(pg: &PgBackend) -> Result<Vec<Table>> {
    let columns: Vec<(String, String, String, String)> = pg
        .read_all(sql(
            "SELECT table_name::text, column_name::text, data_type::text, is_identity::text
             FROM information_schema.columns
             WHERE table_schema = current_schema()
             ORDER BY table_name, ordinal_position",
        ))
        .await?;
    let keys: Vec<(String, String)> = pg
        .read_all(sql("SELECT tc.table_name::text, k.column_name::text
             FROM information_schema.table_constraints tc
             JOIN information_schema.key_column_usage k
               ON k.constraint_schema = tc.constraint_schema
              AND k.constraint_name = tc.constraint_name
              AND k.table_name = tc.table_name
             WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY'
             ORDER BY tc.table_name, k.ordinal_position"))
        .await?;
    // Each foreign key: the child table, its column, the parent, and whether it may be NULL.
    let links: Vec<(String, String, String, bool)> = pg
        .read_all(sql(
            "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text,
                    NOT a.attnotnull
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
             WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
             ORDER BY 1, 2",
        ))
        .await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for (table, column, data_type, identity) in columns {
        if table == MIGRATIONS {
            continue;
        }
        let kind = match data_type.as_str() {
            "bigint" | "integer" | "smallint" => ColumnKind::Int,
            "text" | "character varying" => ColumnKind::Text,
            "boolean" => ColumnKind::Bool,
            "timestamp with time zone" => ColumnKind::Time,
            "date" => ColumnKind::Date,
            other => {
                return Err(StoreError::Config(format!(
                    "{table}.{column} is of type {other}, which copy does not know"
                )));
            }
        };
        let t = tables.entry(table.clone()).or_insert_with(|| Table {
            name: table.clone(),
            columns: Vec::new(),
            key: Vec::new(),
            identity: None,
            deferred: Vec::new(),
        });
        if identity == "YES" {
            t.identity = Some(column.clone());
        }
        t.columns.push((column, kind));
    }
    for (table, column) in keys {
        if let Some(t) = tables.get_mut(&table) {
            t.key.push(column);
        }
    }
    let order = parents_first(&tables, &links)?;
    Ok(order
        .into_iter()
        .filter_map(|(name, deferred)| {
            tables.get(&name).map(|t| Table {
                deferred,
                ..t.clone()
            })
        })
        .collect())
}

/// The tables in an order where every parent comes before its children, with the columns to
/// fill in after all rows are in (`deferred`) where the keys form a cycle: a matter names its
/// published guide version, and the version its matter. Only a column that may be NULL can
/// wait, and only one on the cycle.
fn parents_first(
    tables: &BTreeMap<String, Table>,
    links: &[(String, String, String, bool)],
) -> Result<Vec<(String, Vec<String>)>> {
    let mut edges: Vec<&(String, String, String, bool)> = links
        .iter()
        .filter(|(c, _, p, _)| c != p && tables.contains_key(c) && tables.contains_key(p))
        .collect();
    let mut deferred: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut left: BTreeSet<&str> = tables.keys().map(String::as_str).collect();
    let mut order = Vec::with_capacity(tables.len());
    while !left.is_empty() {
        let ready: Vec<&str> = left
            .iter()
            .copied()
            .filter(|t| {
                !edges
                    .iter()
                    .any(|(c, _, p, _)| c == t && left.contains(p.as_str()))
            })
            .collect();
        if ready.is_empty() {
            // Break the cycle at a column that may wait: an edge whose parent leads back to
            // its child through the tables still left.
            let reaches = |from: &str, to: &str| {
                let mut seen = BTreeSet::new();
                let mut stack = vec![from];
                while let Some(t) = stack.pop() {
                    if t == to {
                        return true;
                    }
                    if seen.insert(t) {
                        stack.extend(
                            edges
                                .iter()
                                .filter(|(c, _, p, _)| c == t && left.contains(p.as_str()))
                                .map(|(_, _, p, _)| p.as_str()),
                        );
                    }
                }
                false
            };
            let Some(i) = edges.iter().position(|(c, _, p, nullable)| {
                *nullable && left.contains(c.as_str()) && reaches(p, c)
            }) else {
                return Err(StoreError::Config(format!(
                    "the foreign keys among {} form a cycle of columns that cannot be NULL:                      no order to copy them in",
                    left.iter().copied().collect::<Vec<_>>().join(", ")
                )));
            };
            let (c, col, _, _) = edges.remove(i);
            deferred.entry(c.clone()).or_default().push(col.clone());
            continue;
        }
        for t in ready {
            left.remove(t);
            order.push((t.to_string(), deferred.remove(t).unwrap_or_default()));
        }
    }
    Ok(order)
}

/// Every SQLite table (but SQLite's own) with its column names.
async fn sqlite_columns<B: Backend>(b: &B) -> Result<BTreeMap<String, BTreeSet<String>>> {
    let rows: Vec<(String, String)> = b
        .read_all(sql(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
        ))
        .await?;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (t, c) in rows {
        if t != MIGRATIONS {
            out.entry(t).or_default().insert(c);
        }
    }
    Ok(out)
}

/// The two schemas name the same tables and columns, or the copy would lose some.
fn same_tables(pg: &[Table], sqlite: &BTreeMap<String, BTreeSet<String>>) -> Result<()> {
    let pg_names: BTreeSet<&str> = pg.iter().map(|t| t.name.as_str()).collect();
    for t in sqlite.keys() {
        if !pg_names.contains(t.as_str()) {
            return Err(StoreError::Config(format!(
                "table {t} is in SQLite but not in PostgreSQL"
            )));
        }
    }
    for t in pg {
        let cols: BTreeSet<String> = t.columns.iter().map(|c| c.0.clone()).collect();
        match sqlite.get(&t.name) {
            None => {
                return Err(StoreError::Config(format!(
                    "table {} is in PostgreSQL but not in SQLite",
                    t.name
                )));
            }
            Some(s) if *s != cols => {
                return Err(StoreError::Config(format!(
                    "table {} has different columns: SQLite {:?}, PostgreSQL {:?}",
                    t.name, s, cols
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Both ends at the same migrations, by number (their text differs by database).
async fn same_migrations<S: Backend, D: Backend>(src: &S, dst: &D) -> Result<()> {
    let q = || sql(format!("SELECT version FROM {MIGRATIONS} ORDER BY version"));
    let a: Vec<(i64,)> = src.read_all(q()).await?;
    let b: Vec<(i64,)> = dst.read_all(q()).await?;
    if a != b {
        return Err(StoreError::Config(format!(
            "the two databases are at different migrations ({} and {})",
            a.len(),
            b.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_alike_whatever_their_database() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-03-02T10:00:00.25+08:00")
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok();
        assert_eq!(canonical(&Arg::Time(t)), "2026-03-02T02:00:00.250000Z");
        assert_eq!(canonical(&Arg::Text(Some("a\"|b".into()))), r#""a\"|b""#);
        assert_eq!(canonical(&Arg::Text(None)), "null");
        assert_ne!(
            canonical(&Arg::Text(Some("null".into()))),
            canonical(&Arg::Text(None))
        );
        assert_eq!(canonical(&Arg::Bool(Some(true))), "true");
    }
}
