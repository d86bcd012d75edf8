//! The audit trail (痕迹化管理).

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::service::audit;
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
