//! Trails of records that move through states (rectifications, complaints, events, enterprises' work items): one line per step,
//! with the state it left the record in, who took it and their note.

use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use chrono::{DateTime, Utc};
use onewindow_core::audit::Context;

/// A trail table and the column naming its record.
pub(super) struct Trail {
    pub table: &'static str,
    pub key: &'static str,
}

pub(super) const RECTIFICATION: Trail = Trail {
    table: "rectification_log",
    key: "rectification_id",
};

pub(super) const COMPLAINT: Trail = Trail {
    table: "complaint_log",
    key: "complaint_id",
};

pub(super) const EVENT: Trail = Trail {
    table: "event_log",
    key: "event_id",
};

pub(super) const PETITION: Trail = Trail {
    table: "petition_log",
    key: "petition_id",
};

pub(super) const WORK_ITEM: Trail = Trail {
    table: "work_log",
    key: "work_item_id",
};

/// A line as stored: (at, action, state code, actor name, note).
pub(super) type Line = (DateTime<Utc>, String, String, String, Option<String>);

impl Trail {
    #[allow(clippy::too_many_arguments)]
    pub async fn write<B: Backend>(
        &self,
        tx: &mut B::Tx,
        ctx: &Context,
        id: i64,
        action: &str,
        state: &str,
        at: DateTime<Utc>,
        note: Option<&str>,
    ) -> Result<()> {
        B::exec(
            tx,
            sql(format!(
                "INSERT INTO {} ({}, at, action, state, actor_id, actor_name, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                self.table, self.key
            ))
            .bind(id)
            .bind(at)
            .bind(action)
            .bind(state)
            .bind(ctx.actor_id)
            .bind(ctx.actor_name.clone())
            .bind(note),
        )
        .await?;
        Ok(())
    }

    /// A record's lines in order, each made into `T` (which parses the state).
    pub async fn read<B: Backend, T>(
        &self,
        b: &B,
        id: i64,
        line: impl Fn(Line) -> Option<T>,
    ) -> Result<Vec<T>> {
        let rows: Vec<Line> = b
            .read_all(
                sql(format!(
                    "SELECT at, action, state, actor_name, note FROM {} WHERE {} = $1 ORDER BY id",
                    self.table, self.key
                ))
                .bind(id),
            )
            .await?;
        rows.into_iter()
            .map(|l| {
                let state = l.2.clone();
                line(l).ok_or_else(|| {
                    StoreError::Database(format!("unreadable state '{state}' in {}", self.table))
                })
            })
            .collect()
    }
}
