//! Appending to and reading the hash-chained trail.

use super::rows::{ENTRY_COLS, EntryRow};
use super::{SqlStore, scope_where};
use crate::AuditStore;
use crate::backend::{Backend, multi_row, now, sql};
use crate::error::{Result, StoreError};
use crate::model::AuditFilter;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onewindow_core::audit::{
    Broken, CHAINS, Change, Checkpoint, Context, Entry, Head, Verifier, check_checkpoint, genesis,
};

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

/// Appends entries in order, all to one chain: a chain no other writer holds now (`SKIP LOCKED`
/// on PostgreSQL; the shortest, so the chains grow alike), whose head is moved once for all of
/// them. Only when every chain is held does the writer wait, on one of them. Their hashes are
/// chained here and they are inserted in multi-row statements (the head's hash follows by
/// trigger, migration 0026). Returns their numbers.
pub(crate) async fn append_all<B: Backend>(
    tx: &mut B::Tx,
    pending: Vec<Pending>,
) -> Result<Vec<i64>> {
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let n = pending.len() as i64;
    let numbers: Vec<(i64,)> = B::all(tx, sql(B::audit_numbers(pending.len()))).await?;
    let free: Option<(i64, i64, String)> = B::opt(
        tx,
        sql(format!(
            "UPDATE audit_heads SET link = link + $1 WHERE chain = \
             (SELECT chain FROM audit_heads ORDER BY link, chain LIMIT 1{}) \
             RETURNING chain, link, hash",
            B::SKIP_LOCKED
        ))
        .bind(n),
    )
    .await?;
    let (chain, last, hash) = match free {
        Some(head) => head,
        None => {
            let wait_on = 1 + numbers
                .first()
                .map_or(0, |(s,)| s.rem_euclid(CHAINS.into()));
            B::opt(
                tx,
                sql("UPDATE audit_heads SET link = link + $1 WHERE chain = $2 \
                     RETURNING chain, link, hash")
                .bind(n)
                .bind(wait_on),
            )
            .await?
            .ok_or_else(|| StoreError::Database("the audit chains' heads are missing".into()))?
        }
    };
    let chain = chain as i32;
    let first = last - n + 1;
    let mut prev_hash = if first == 1 { genesis(chain) } else { hash };
    let mut entries = Vec::with_capacity(pending.len());
    for (link, (p, (seq,))) in (first..).zip(pending.into_iter().zip(numbers)) {
        let mut e = Entry {
            seq,
            chain,
            link,
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
                .bind(i64::from(e.chain))
                .bind(e.link)
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
        let heads = self.audit_heads().await?;
        let mut count = 0u64;
        for chain in 1..=CHAINS {
            let mut v = Verifier::new(chain);
            let mut after = 0i64;
            loop {
                let rows: Vec<EntryRow> = self
                    .b
                    .read_all(
                        sql(format!(
                            "SELECT {ENTRY_COLS} FROM audit_log WHERE chain = $1 AND link > $2 \
                             ORDER BY link LIMIT {VERIFY_PAGE}"
                        ))
                        .bind(i64::from(chain))
                        .bind(after),
                    )
                    .await?;
                let n = rows.len();
                for r in rows {
                    let e = Entry::from(r);
                    if let Err(b) = v.check(&e) {
                        return Ok(Err(b));
                    }
                    after = e.link;
                }
                if (n as i64) < VERIFY_PAGE {
                    break;
                }
            }
            let head = heads
                .iter()
                .find(|h| h.chain == chain)
                .cloned()
                .ok_or_else(|| {
                    StoreError::Database(format!("the head of audit chain {chain} is missing"))
                })?;
            match v.finish(&head) {
                Ok(n) => count += n,
                Err(b) => return Ok(Err(b)),
            }
        }
        let (all,): (i64,) = self
            .b
            .read_opt(sql("SELECT COUNT(*) FROM audit_log"))
            .await?
            .unwrap_or((0,));
        if all as u64 != count {
            return Ok(Err(Broken::Outside {
                count: (all as u64).saturating_sub(count),
            }));
        }
        for c in self.audit_checkpoints(i64::MAX).await? {
            if let Err(b) = self.check_audit_checkpoint(&c).await? {
                return Ok(Err(b));
            }
        }
        Ok(Ok(count))
    }

    async fn audit_heads(&self) -> Result<Vec<Head>> {
        let rows: Vec<(i64, i64, String)> = self
            .b
            .read_all(sql(
                "SELECT chain, link, hash FROM audit_heads ORDER BY chain",
            ))
            .await?;
        Ok(rows
            .into_iter()
            .map(|(chain, link, hash)| Head {
                chain: chain as i32,
                link,
                hash: if link == 0 {
                    genesis(chain as i32)
                } else {
                    hash
                },
            })
            .collect())
    }

    async fn take_audit_checkpoint(&self) -> Result<Checkpoint> {
        // One statement reads every head as committed at one instant.
        let c = Checkpoint::of(now(), self.audit_heads().await?);
        let heads =
            serde_json::to_string(&c.heads).map_err(|e| StoreError::Database(e.to_string()))?;
        let mut tx = self.b.begin().await?;
        B::exec(
            &mut tx,
            sql("INSERT INTO audit_checkpoints (at, root, heads) VALUES ($1, $2, $3)")
                .bind(c.at)
                .bind(c.root.clone())
                .bind(heads),
        )
        .await?;
        B::commit(tx).await?;
        Ok(c)
    }

    async fn audit_checkpoints(&self, limit: i64) -> Result<Vec<Checkpoint>> {
        let rows: Vec<(DateTime<Utc>, String, String)> = self
            .b
            .read_all(
                sql("SELECT at, root, heads FROM audit_checkpoints ORDER BY id DESC LIMIT $1")
                    .bind(limit.clamp(0, i64::MAX)),
            )
            .await?;
        rows.into_iter()
            .map(|(at, root, heads)| {
                let heads: Vec<Head> = serde_json::from_str(&heads).map_err(|e| {
                    StoreError::Database(format!("an audit checkpoint's heads: {e}"))
                })?;
                Ok(Checkpoint { at, root, heads })
            })
            .collect()
    }

    async fn check_audit_checkpoint(
        &self,
        c: &Checkpoint,
    ) -> Result<std::result::Result<(), Broken>> {
        // The entries at the recorded heads, in one statement.
        let heads: Vec<&Head> = c.heads.iter().filter(|h| h.link > 0).collect();
        let mut found = std::collections::HashMap::new();
        if !heads.is_empty() {
            let mut q = sql("SELECT chain, link, hash FROM audit_log WHERE 1 = 0");
            for h in &heads {
                let (a, b) = (q.next_placeholder(), format!("${}", q.args.len() + 2));
                q.text = format!("{} OR (chain = {a} AND link = {b})", q.text).into();
                q = q.bind(i64::from(h.chain)).bind(h.link);
            }
            let rows: Vec<(i64, i64, String)> = self.b.read_all(q).await?;
            for (chain, link, hash) in rows {
                found.insert((chain as i32, link), hash);
            }
        }
        Ok(check_checkpoint(c, |chain, link| {
            found.get(&(chain, link)).cloned()
        }))
    }

    async fn append_audit(&self, ctx: &Context, change: Change) -> Result<i64> {
        let mut tx = self.b.begin().await?;
        let seq = append::<B>(&mut tx, ctx, change).await?;
        B::commit(tx).await?;
        Ok(seq)
    }
}
