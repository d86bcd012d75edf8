//! The audit trail (痕迹化管理).

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::service::{audit, security};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use onewindow_core::audit::Entry;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(trail))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TrailQuery {
    /// region, department, hall, zone, window, user or case.
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    /// Entries before this sequence number (paging).
    pub before_seq: Option<i64>,
    /// At most 1000; 100 by default.
    pub limit: Option<i64>,
}

/// Entries of one record (when `target_type` and `target_id` are given and the caller may see
/// the record), or of everything in the caller's scope; newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(TrailQuery), responses((status = 200, body = Vec<Entry>), Errors))]
async fn trail(
    State(state): State<AppState>,
    auth: Auth,
    q: crate::extract::ApiQuery<TrailQuery>,
) -> AppResult<Json<Vec<Entry>>> {
    let q = q.0;
    Ok(Json(
        audit::trail(
            &state,
            &auth,
            q.target_type,
            q.target_id,
            q.before_seq,
            q.limit,
        )
        .await?,
    ))
}

pub fn security_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(security_log))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SecurityQuery {
    /// `forbidden`, `not_found` or `sign_in_failed`; all when left out.
    pub kind: Option<String>,
    /// At most 500; 100 by default.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The security log (the administrator's): the sources of refused requests and failed sign-ins
/// within the alert window, those past the threshold marked, and the newest events.
#[utoipa::path(get, path = "/api/v1/security-log", tag = "audit", params(SecurityQuery), responses((status = 200, body = security::SecurityLog), Errors))]
async fn security_log(
    State(state): State<AppState>,
    auth: Auth,
    q: crate::extract::ApiQuery<SecurityQuery>,
) -> AppResult<Json<security::SecurityLog>> {
    let q = q.0;
    let kind = security::kind(q.kind.as_deref())?;
    Ok(Json(
        security::log(
            &state,
            &auth,
            kind,
            q.limit.unwrap_or(100),
            q.offset.unwrap_or(0),
        )
        .await?,
    ))
}
