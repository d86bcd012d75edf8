//! Storage-side types that are not domain entities: sessions and query filters.

use chrono::{DateTime, Utc};

/// Which records a query may return: those of one department, or those under one region.
/// The empty filter returns everything and is only for the platform's own use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeFilter {
    pub department_id: Option<i64>,
    pub region_path: Option<String>,
    /// Accounts only: also list citizen and enterprise accounts, which have neither a department
    /// nor a region (for the region administrators who manage them).
    pub with_public_accounts: bool,
}

impl ScopeFilter {
    pub fn all() -> ScopeFilter {
        ScopeFilter::default()
    }

    pub fn department(id: i64) -> ScopeFilter {
        ScopeFilter {
            department_id: Some(id),
            ..ScopeFilter::default()
        }
    }

    pub fn region(path: impl Into<String>) -> ScopeFilter {
        ScopeFilter {
            region_path: Some(path.into()),
            ..ScopeFilter::default()
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub scope: ScopeFilter,
    /// Entries before this sequence number (for paging backwards).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    /// "cookie" for browser sessions, "bearer" for integration tokens.
    pub kind: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub idle_expires_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct NewSession {
    /// SHA-256 of the secret token; the token itself is never stored.
    pub token_hash: String,
    pub user_id: i64,
    pub kind: String,
    pub csrf_token: String,
    pub idle_expires_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub client_addr: Option<String>,
}
