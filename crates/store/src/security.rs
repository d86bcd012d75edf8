//! What the platform keeps to defend itself: who uploaded which file (so that a record naming a
//! file by its hash names one of the namer's own), and the security log of refused requests for
//! records and failed sign-ins. Neither is part of the audit hash chain: they record attempts
//! and provenance, not changes.

use crate::error::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// What a security event was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecurityKind {
    /// A request for a record refused (403).
    Forbidden,
    /// A request for a record that is not there, or not told to the asker (404).
    NotFound,
    /// A sign-in with a wrong name or password.
    SignInFailed,
}

impl SecurityKind {
    pub const ALL: [SecurityKind; 3] = [
        SecurityKind::Forbidden,
        SecurityKind::NotFound,
        SecurityKind::SignInFailed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SecurityKind::Forbidden => "forbidden",
            SecurityKind::NotFound => "not_found",
            SecurityKind::SignInFailed => "sign_in_failed",
        }
    }

    pub fn parse(s: &str) -> Option<SecurityKind> {
        SecurityKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            SecurityKind::Forbidden => "越权访问被拒",
            SecurityKind::NotFound => "访问不存在的记录",
            SecurityKind::SignInFailed => "登录失败",
        }
    }
}

/// One entry of the security log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SecurityEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: SecurityKind,
    /// The signed-in account, if any.
    pub user_id: Option<i64>,
    /// The account's login, or the name tried at a failed sign-in.
    pub username: Option<String>,
    /// Where the request came from.
    pub addr: String,
    pub method: String,
    /// The path, without the query.
    pub path: String,
    pub status: i64,
}

/// An entry to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSecurityEvent {
    pub at: DateTime<Utc>,
    pub kind: SecurityKind,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub addr: String,
    pub method: String,
    pub path: String,
    pub status: i64,
}

/// Who caused how many events since a moment: the log's sources, most first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SecuritySource {
    pub addr: String,
    /// The account, when the events were by one (or the name tried).
    pub username: Option<String>,
    pub events: i64,
    pub last_at: DateTime<Utc>,
}

#[async_trait]
pub trait SecurityStore: Send + Sync {
    /// Records that `user_id` uploaded the file with this content for `purpose` (once).
    async fn record_upload(
        &self,
        sha256: &str,
        purpose: &str,
        user_id: i64,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Who uploaded the file with this content for `purpose`.
    async fn uploaders(&self, sha256: &str, purpose: &str) -> Result<Vec<i64>>;

    /// Writes entries of the security log.
    async fn log_security(&self, events: Vec<NewSecurityEvent>) -> Result<()>;
    /// The newest entries first, of one kind or all.
    async fn security_events(
        &self,
        kind: Option<SecurityKind>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SecurityEvent>>;
    /// How many entries came from `addr` since `since` (an index range, whatever the log's size).
    async fn security_count(&self, addr: &str, since: DateTime<Utc>) -> Result<i64>;
    /// Entries since `since`, by source (address and account), most first.
    async fn security_sources(
        &self,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<SecuritySource>>;
}
