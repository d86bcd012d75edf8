//! Rollups: counters kept per key in their own table, added to in the transaction of every
//! change they count, so that figures are read from a few rows instead of by scanning history.
//! Changes are collected as deltas and written once per transaction, merged by key, in key
//! order (so that transactions on several PostgreSQL instances take the rows' locks in one
//! order), with one multi-row upsert per table.

use crate::backend::{Arg, Backend, multi_row};
use crate::error::Result;
use std::collections::BTreeMap;

/// A rollup table: its key columns (the primary key) and its counters.
pub(crate) struct Rollup {
    pub table: &'static str,
    pub keys: &'static [&'static str],
    pub counters: &'static [&'static str],
}

/// Deltas collected for one transaction.
#[derive(Default)]
pub(crate) struct Tallies {
    items: Vec<(&'static Rollup, Vec<Arg>, Vec<i64>)>,
}

type Key = (&'static str, Vec<Arg>);
type Sums = (&'static Rollup, Vec<i64>);
type Row = (Vec<Arg>, Vec<i64>);

impl Tallies {
    /// Adds `deltas` (one per counter) to the row of `key` (one argument per key column).
    pub fn add(&mut self, r: &'static Rollup, key: Vec<Arg>, deltas: Vec<i64>) {
        debug_assert_eq!(key.len(), r.keys.len());
        debug_assert_eq!(deltas.len(), r.counters.len());
        if deltas.iter().any(|d| *d != 0) {
            self.items.push((r, key, deltas));
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn truncate(&mut self, len: usize) {
        self.items.truncate(len);
    }

    pub async fn write<B: Backend>(self, tx: &mut B::Tx) -> Result<()> {
        // Merged by table and key; in key order within each table.
        let mut merged: BTreeMap<Key, Sums> = BTreeMap::new();
        for (r, key, deltas) in self.items {
            let e = merged
                .entry((r.table, key))
                .or_insert_with(|| (r, vec![0; deltas.len()]));
            for (sum, d) in e.1.iter_mut().zip(deltas) {
                *sum += d;
            }
        }
        let mut tables: Vec<(&'static Rollup, Vec<Row>)> = Vec::new();
        for ((table, key), (r, deltas)) in merged {
            if deltas.iter().all(|d| *d == 0) {
                continue;
            }
            match tables.last_mut() {
                Some((last, rows)) if last.table == table => rows.push((key, deltas)),
                _ => tables.push((r, vec![(key, deltas)])),
            }
        }
        for (r, rows) in tables {
            let cols: Vec<&str> = r.keys.iter().chain(r.counters).copied().collect();
            let set = r
                .counters
                .iter()
                .map(|c| format!("{c} = {t}.{c} + excluded.{c}", t = r.table))
                .collect::<Vec<_>>()
                .join(", ");
            let rows = rows
                .into_iter()
                .map(|(key, deltas)| {
                    key.into_iter()
                        .chain(deltas.into_iter().map(Arg::from))
                        .collect()
                })
                .collect();
            let head = format!("INSERT INTO {} ({})", r.table, cols.join(", "));
            let tail = format!("ON CONFLICT ({}) DO UPDATE SET {set}", r.keys.join(", "));
            for q in multi_row::<B>(&head, &tail, rows) {
                B::exec(tx, q).await?;
            }
        }
        Ok(())
    }
}
