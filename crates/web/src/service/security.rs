//! The security log (操作安全日志): refused requests for records (403, and 404 on a record's
//! path) and failed sign-ins, with who, from where and when, so that someone walking ids or
//! guessing passwords is seen. Written beside the request, never in its way; counted in
//! `/metrics`; a source past the alert threshold within the window is an alert, logged once as
//! it crosses and shown to the administrator. Not in the audit hash chain: it records attempts,
//! not changes.

use crate::auth::Auth;
use crate::error::AppResult;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use onewindow_core::access::Permission;
use onewindow_store::{NewSecurityEvent, SecurityEvent, SecurityKind, SecuritySource};
use serde::Serialize;
use utoipa::ToSchema;

/// Records an event: counted at once, written in the background.
pub fn record(state: &AppState, event: NewSecurityEvent) {
    state.metrics.security_event(event.kind.code());
    let state = state.clone();
    tokio::spawn(async move {
        let addr = event.addr.clone();
        if let Err(e) = state.store.log_security(vec![event]).await {
            tracing::warn!(error = %e, "the security log could not be written");
            return;
        }
        alert_if_crossed(&state, &addr).await;
    });
}

/// Logs the alert when this source's events within the window have just reached the threshold
/// (once per crossing, not at every event after it).
async fn alert_if_crossed(state: &AppState, addr: &str) {
    let cfg = &state.config;
    let since = Utc::now() - window(state);
    let Ok(n) = state.store.security_count(addr, since).await else {
        return;
    };
    if n == cfg.security_alert_threshold {
        state.metrics.security_alert();
        tracing::warn!(
            addr = %addr,
            events = n,
            minutes = cfg.security_alert_window.as_secs() / 60,
            "security alert: refusals or failed sign-ins from one source"
        );
    }
}

/// Whether a source's events within the window have reached the alert threshold: what is
/// guessed at from there (a kiosk's print codes) is refused until the window passes.
pub async fn past_threshold(state: &AppState, addr: &str) -> AppResult<bool> {
    let since = Utc::now() - window(state);
    Ok(state.store.security_count(addr, since).await? >= state.config.security_alert_threshold)
}

fn window(state: &AppState) -> chrono::Duration {
    chrono::Duration::from_std(state.config.security_alert_window).unwrap_or_default()
}

/// A source of events within the alert window, with whether it is past the threshold.
#[derive(Serialize, ToSchema)]
#[schema(as = SecuritySourceLine)]
pub struct Source {
    #[serde(flatten)]
    pub source: SecuritySource,
    pub alert: bool,
}

/// The log as the administrator reads it: the sources of the last window (alerts first) and
/// the newest events.
#[derive(Serialize, ToSchema)]
pub struct SecurityLog {
    pub since: DateTime<Utc>,
    pub threshold: i64,
    pub window_minutes: u64,
    pub sources: Vec<Source>,
    pub alerts: usize,
    pub events: Vec<SecurityEvent>,
}

/// The kind a query names, checked.
pub fn kind(code: Option<&str>) -> AppResult<Option<SecurityKind>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => SecurityKind::parse(c).map(Some).ok_or_else(|| {
            crate::error::AppError::bad_request(
                "kind",
                onewindow_core::Text::fixed(
                    "类别应为 forbidden、not_found 或 sign_in_failed",
                    "kind must be forbidden, not_found or sign_in_failed",
                ),
            )
        }),
    }
}

pub async fn log(
    state: &AppState,
    auth: &Auth,
    kind: Option<SecurityKind>,
    limit: i64,
    offset: i64,
) -> AppResult<SecurityLog> {
    auth.actor.require(Permission::SecurityRead)?;
    let since = Utc::now() - window(state);
    let threshold = state.config.security_alert_threshold;
    let mut by_addr = std::collections::HashMap::<String, i64>::new();
    let found = state.store.security_sources(since, 200).await?;
    for s in &found {
        *by_addr.entry(s.addr.clone()).or_default() += s.events;
    }
    let sources: Vec<Source> = found
        .into_iter()
        .map(|s| Source {
            alert: by_addr.get(&s.addr).copied().unwrap_or(0) >= threshold,
            source: s,
        })
        .collect();
    let alerts = by_addr.values().filter(|n| **n >= threshold).count();
    let events = state
        .store
        .security_events(kind, limit.clamp(1, 500), offset.max(0))
        .await?;
    Ok(SecurityLog {
        since,
        threshold,
        window_minutes: state.config.security_alert_window.as_secs() / 60,
        sources,
        alerts,
        events,
    })
}
