//! The file provenance and the security log (see `crate::security`).

use super::SqlStore;
use crate::backend::{Backend, sql};
use crate::error::Result;
use crate::security::{
    NewSecurityEvent, SecurityEvent, SecurityKind, SecuritySource, SecurityStore,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    at: DateTime<Utc>,
    kind: String,
    user_id: Option<i64>,
    username: Option<String>,
    addr: String,
    method: String,
    path: String,
    status: i64,
}

#[derive(sqlx::FromRow)]
struct SourceRow {
    addr: String,
    username: Option<String>,
    events: i64,
    last_at: DateTime<Utc>,
}

#[async_trait]
impl<B: Backend> SecurityStore for SqlStore<B> {
    async fn record_upload(
        &self,
        sha256: &str,
        purpose: &str,
        user_id: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        B::exec(
            &mut tx,
            sql(
                "INSERT INTO file_uploads (sha256, purpose, user_id, uploaded_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(sha256)
            .bind(purpose)
            .bind(user_id)
            .bind(at),
        )
        .await?;
        B::commit(tx).await
    }

    async fn uploaders(&self, sha256: &str, purpose: &str) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = self
            .b
            .read_all(
                sql(
                    "SELECT user_id FROM file_uploads WHERE sha256 = $1 AND purpose = $2
                     ORDER BY user_id",
                )
                .bind(sha256)
                .bind(purpose),
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn log_security(&self, events: Vec<NewSecurityEvent>) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.b.begin().await?;
        for e in events {
            B::exec(
                &mut tx,
                sql("INSERT INTO security_events
                     (at, kind, user_id, username, addr, method, path, status)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(e.at)
                .bind(e.kind.code())
                .bind(e.user_id)
                .bind(e.username)
                .bind(e.addr)
                .bind(e.method)
                .bind(e.path)
                .bind(e.status),
            )
            .await?;
        }
        B::commit(tx).await
    }

    async fn security_events(
        &self,
        kind: Option<SecurityKind>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SecurityEvent>> {
        let q = match kind {
            Some(k) => sql(format!(
                "SELECT id, at, kind, user_id, username, addr, method, path, status
                 FROM security_events WHERE kind = $1 ORDER BY id DESC LIMIT {} OFFSET {}",
                limit.clamp(1, 1000),
                offset.max(0)
            ))
            .bind(k.code()),
            None => sql(format!(
                "SELECT id, at, kind, user_id, username, addr, method, path, status
                 FROM security_events ORDER BY id DESC LIMIT {} OFFSET {}",
                limit.clamp(1, 1000),
                offset.max(0)
            )),
        };
        let rows: Vec<EventRow> = self.b.read_all(q).await?;
        Ok(rows
            .into_iter()
            .map(|r| SecurityEvent {
                id: r.id,
                at: r.at,
                kind: SecurityKind::parse(&r.kind).unwrap_or(SecurityKind::Forbidden),
                user_id: r.user_id,
                username: r.username,
                addr: r.addr,
                method: r.method,
                path: r.path,
                status: r.status,
            })
            .collect())
    }

    async fn security_count(&self, addr: &str, since: DateTime<Utc>) -> Result<i64> {
        let row: Option<(i64,)> = self
            .b
            .read_opt(
                sql("SELECT COUNT(*) FROM security_events WHERE addr = $1 AND at >= $2")
                    .bind(addr)
                    .bind(since),
            )
            .await?;
        Ok(row.map_or(0, |r| r.0))
    }

    async fn security_sources(
        &self,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<SecuritySource>> {
        let rows: Vec<SourceRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT addr, username, COUNT(*) AS events, MAX(at) AS last_at
                     FROM security_events WHERE at >= $1
                     GROUP BY addr, username ORDER BY COUNT(*) DESC, MAX(at) DESC LIMIT {}",
                    limit.clamp(1, 1000)
                ))
                .bind(since),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SecuritySource {
                addr: r.addr,
                username: r.username,
                events: r.events,
                last_at: r.last_at,
            })
            .collect())
    }
}
