//! Complaints (投诉): lodged, accepted or refused, answered, closed; with their figures.

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery};
use crate::service::complaints::{self as svc, ComplaintAct, ComplaintStats, ComplaintView};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::evaluation::complaint::{Complaint, NewComplaint};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lodge, list))
        .routes(routes!(stats))
        .routes(routes!(view))
        .routes(routes!(act))
}

/// Lodge a complaint（投诉）: a citizen or enterprise on the web, or the supervision office from
/// the hotline, a letter or a visit. It must be accepted or refused within the rules' days.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "evaluation", request_body = NewComplaint,
    responses((status = 201, body = Complaint), Errors))]
async fn lodge(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(c): ApiJson<NewComplaint>,
) -> AppResult<(StatusCode, Json<Complaint>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::lodge(&state, &auth, c).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only those not yet closed or refused.
    open: Option<bool>,
}

/// Complaints in scope (staff) or one's own (the public), newest first.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "evaluation", params(ListParams),
    responses((status = 200, body = Vec<Complaint>), Errors))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> AppResult<Json<Vec<Complaint>>> {
    Ok(Json(
        svc::list(&state, &auth, p.open.unwrap_or(false)).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct StatsParams {
    /// First day (YYYY-MM-DD); a year before `to` when left out.
    from: Option<chrono::NaiveDate>,
    /// Last day (YYYY-MM-DD); today when left out.
    to: Option<chrono::NaiveDate>,
}

/// Complaint figures（投诉统计）: received, accepted, refused, answered, closed, late, on-time
/// rate and satisfaction, in total and by department, source and state.
#[utoipa::path(get, path = "/api/v1/complaints/stats", tag = "evaluation", params(StatsParams),
    responses((status = 200, body = ComplaintStats), Errors))]
async fn stats(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> AppResult<Json<ComplaintStats>> {
    Ok(Json(svc::stats(&state, &auth, p.from, p.to).await?))
}

/// A complaint with its trail and the actions open to the reader.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = ComplaintView), Errors))]
async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<ComplaintView>> {
    Ok(Json(svc::view(&state, &auth, id).await?))
}

/// `accept` (department_id) or `refuse` (reason) by the office; `answer` (reply) by the
/// department; `close` (satisfaction, note) by the office.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/actions", tag = "evaluation", params(("id" = i64, Path)),
    request_body = ComplaintAct, responses((status = 200, body = Complaint), Errors))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ComplaintAct>,
) -> AppResult<Json<Complaint>> {
    Ok(Json(svc::act(&state, &auth, id, input).await?))
}
