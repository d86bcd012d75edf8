//! Appending to and reading the hash-chained trail.

use super::rows::{ENTRY_COLS, EntryRow};
use super::{SqlStore, scope_where};
use crate::AuditStore;
use crate::backend::{Backend, now, sql};
use crate::error::{Result, StoreError};
use crate::model::AuditFilter;
use async_trait::async_trait;
use onewindow_core::audit::{Broken, Change, Context, Entry, Verifier};

/// Appends one entry inside the caller's transaction. Locking the head row numbers entries
/// without gaps and chains them in commit order, with any number of writers; the insert moves
/// the head's hash along (a trigger), so an entry costs two statements.
pub(crate) async fn append<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    change: Change,
) -> Result<i64> {
    let head: Option<(i64, String)> = B::opt(
        tx,
        sql("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"),
    )
    .await?;
    let (seq, prev_hash) =
        head.ok_or_else(|| StoreError::Database("audit_head row is missing".into()))?;
    let mut e = Entry {
        seq,
        at: now(),
        actor_id: ctx.actor_id,
        actor_name: ctx.actor_name.clone(),
        actor_role: ctx.actor_role.clone(),
        action: change.action,
        target_type: change.target_type,
        target_id: change.target_id,
        department_id: change.department_id,
        region_id: change.region_id,
        summary: change.summary.to_string(),
        client_addr: ctx.client_addr.clone(),
        request_id: ctx.request_id.clone(),
        prev_hash,
        hash: String::new(),
    };
    e.hash = e.compute_hash();
    B::exec(
        tx,
        sql(format!(
            "INSERT INTO audit_log ({ENTRY_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
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
        .bind(e.hash),
    )
    .await?;
    // The head takes the new hash by trigger (migration 0005).
    Ok(seq)
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
