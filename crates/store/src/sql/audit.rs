//! Appending to and reading the hash-chained trail.

use super::rows::{ENTRY_COLS, EntryRow};
use super::{SqlStore, scope_where};
use crate::AuditStore;
use crate::backend::{Backend, multi_row, now, sql};
use crate::error::{Result, StoreError};
use crate::model::AuditFilter;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onewindow_core::audit::{Broken, Change, Context, Entry, Verifier};

/// Appends one entry inside the caller's transaction. Locking the head row numbers entries
/// without gaps and chains them in commit order, with any number of writers.
pub(crate) async fn append<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    change: Change,
) -> Result<i64> {
    let seqs = append_all::<B>(tx, vec![Pending::now(ctx, change)]).await?;
    Ok(seqs.last().copied().unwrap_or_default())
}

/// An entry to be appended: what happened, by whom, when.
pub(crate) struct Pending {
    pub ctx: Context,
    pub change: Change,
    pub at: DateTime<Utc>,
}

impl Pending {
    pub fn now(ctx: &Context, change: Change) -> Pending {
        Pending {
            ctx: ctx.clone(),
            change,
            at: now(),
        }
    }
}

/// Appends entries in order: the head is moved once for all of them, their hashes are chained
/// here, and they are inserted in multi-row statements (the head's hash follows by trigger,
/// migration 0005). Returns their sequence numbers.
pub(crate) async fn append_all<B: Backend>(
    tx: &mut B::Tx,
    pending: Vec<Pending>,
) -> Result<Vec<i64>> {
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let n = pending.len() as i64;
    let head: Option<(i64, String)> = B::opt(
        tx,
        sql("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash").bind(n),
    )
    .await?;
    let (last, mut prev_hash) =
        head.ok_or_else(|| StoreError::Database("audit_head row is missing".into()))?;
    let mut entries = Vec::with_capacity(pending.len());
    for (i, p) in pending.into_iter().enumerate() {
        let mut e = Entry {
            seq: last - n + 1 + i as i64,
            at: p.at,
            actor_id: p.ctx.actor_id,
            actor_name: p.ctx.actor_name,
            actor_role: p.ctx.actor_role,
            action: p.change.action,
            target_type: p.change.target_type,
            target_id: p.change.target_id,
            department_id: p.change.department_id,
            region_id: p.change.region_id,
            summary: p.change.summary.to_string(),
            client_addr: p.ctx.client_addr,
            request_id: p.ctx.request_id,
            prev_hash,
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        prev_hash = e.hash.clone();
        entries.push(e);
    }
    let seqs = entries.iter().map(|e| e.seq).collect();
    let rows = entries
        .into_iter()
        .map(|e| {
            sql("")
                .bind(e.seq)
                .bind(e.at)
                .bind(e.actor_id)
                .bind(e.actor_name)
                .bind(e.actor_role)
                .bind(e.action)
                .bind(e.target_type)
                .bind(e.target_id)
                .bind(e.department_id)
                .bind(e.region_id)
                .bind(e.summary)
                .bind(e.client_addr)
                .bind(e.request_id)
                .bind(e.prev_hash)
                .bind(e.hash)
                .args
        })
        .collect();
    for q in multi_row::<B>(&format!("INSERT INTO audit_log ({ENTRY_COLS})"), "", rows) {
        B::exec(tx, q).await?;
    }
    Ok(seqs)
}

const VERIFY_PAGE: i64 = 2000;

#[async_trait]
impl<B: Backend> AuditStore for SqlStore<B> {
    async fn audit_entries(&self, f: &AuditFilter) -> Result<Vec<Entry>> {
        let mut q = sql(format!("SELECT {ENTRY_COLS} FROM audit_log WHERE 1 = 1"));
        if let Some(t) = &f.target_type {
            q.text = format!("{} AND target_type = {}", q.text, q.next_placeholder()).into();
            q = q.bind(t.clone());
        }
        if let Some(id) = f.target_id {
            q.text = format!("{} AND target_id = {}", q.text, q.next_placeholder()).into();
            q = q.bind(id);
        }
        if let Some(id) = f.actor_id {
            q.text = format!("{} AND actor_id = {}", q.text, q.next_placeholder()).into();
            q = q.bind(id);
        }
        if let Some(s) = f.before_seq {
            q.text = format!("{} AND seq < {}", q.text, q.next_placeholder()).into();
            q = q.bind(s);
        }
        let mut q = scope_where(q, &f.scope, Some("department_id"), Some("region_id"));
        let limit = f.limit.clamp(1, 1000);
        q.text = format!("{} ORDER BY seq DESC LIMIT {limit}", q.text).into();
        let rows: Vec<EntryRow> = self.b.read_all(q).await?;
        Ok(rows.into_iter().map(Entry::from).collect())
    }

    async fn verify_audit(&self) -> Result<std::result::Result<u64, Broken>> {
        let mut v = Verifier::default();
        let mut after = 0i64;
        loop {
            let rows: Vec<EntryRow> = self
                .b
                .read_all(
                    sql(format!(
                        "SELECT {ENTRY_COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {VERIFY_PAGE}"
                    ))
                    .bind(after),
                )
                .await?;
            let n = rows.len();
            for r in rows {
                let e = Entry::from(r);
                if let Err(b) = v.check(&e) {
                    return Ok(Err(b));
                }
                after = e.seq;
            }
            if (n as i64) < VERIFY_PAGE {
                break;
            }
        }
        let head: Option<(i64, String)> = self
            .b
            .read_opt(sql("SELECT seq, hash FROM audit_head WHERE id = 1"))
            .await?;
        let (seq, _) =
            head.ok_or_else(|| StoreError::Database("audit_head row is missing".into()))?;
        Ok(v.finish(seq))
    }

    async fn append_audit(&self, ctx: &Context, change: Change) -> Result<i64> {
        let mut tx = self.b.begin().await?;
        let seq = append::<B>(&mut tx, ctx, change).await?;
        B::commit(tx).await?;
        Ok(seq)
    }
}
