//! Electronic supervision: lights by slice, urging (督办) and the answers to it.

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery};
use crate::service::figures::{FigureParams, Report};
use crate::service::supervision::{
    self as svc, AnswerInput, Lights, SliceParams, UrgeInput, UrgeView, Wall,
};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::supervision::urge::Urge;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lights))
        .routes(routes!(wall))
        .routes(routes!(figures))
        .routes(routes!(urge_case, case_urges))
        .routes(routes!(urges))
        .routes(routes!(my_urges))
        .routes(routes!(my_urges_by_case))
        .routes(routes!(mark_read))
        .routes(routes!(get_urge))
        .routes(routes!(answer))
}

/// Running clocks of a slice by light today (green, yellow, red, and cases with a step over its
/// own limit), with a page of the cases of one light（红黄绿灯）. Supervisors and leaders.
#[utoipa::path(get, path = "/api/v1/supervision/lights", tag = "supervision", params(SliceParams),
    responses((status = 200, body = Lights), Errors))]
async fn lights(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<SliceParams>,
) -> AppResult<Json<Lights>> {
    Ok(Json(svc::lights(&state, &auth, &p).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct WallParams {
    /// A hall in scope; the first one when left out.
    hall_id: Option<i64>,
}

/// The live window wall（窗口监控）: one tile per window of a hall (confidential windows left
/// out) with its clerk, current ticket, served today and its running cases by light.
#[utoipa::path(get, path = "/api/v1/supervision/wall", tag = "supervision", params(WallParams),
    responses((status = 200, body = Wall), Errors))]
async fn wall(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<WallParams>,
) -> AppResult<Json<Wall>> {
    Ok(Json(svc::wall(&state, &auth, p.hall_id).await?))
}

/// The figures for a period and a slice（统计分析）: received, accepted, concluded, conclusion
/// rate, on-time rate, overdue, average working days used, on-the-spot, online, no-visit and
/// one-visit rates, average wait, satisfaction and bad-rating rates (docs/KPIS.md), with the
/// same per month (default) or per day, region, department, window, clerk, matter or channel.
#[utoipa::path(get, path = "/api/v1/supervision/figures", tag = "supervision", params(FigureParams),
    responses((status = 200, body = Report), Errors))]
async fn figures(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<FigureParams>,
) -> AppResult<Json<Report>> {
    Ok(Json(
        crate::service::figures::report(&state, &auth, &p).await?,
    ))
}

/// Ring the bell on a case or one of its steps（督办）: the person (or department) holding it
/// is warned at once and answers; unanswered, it climbs to a yellow and a red card.
#[utoipa::path(post, path = "/api/v1/cases/{id}/urges", tag = "supervision", params(("id" = i64, Path)),
    request_body = UrgeInput, responses((status = 201, body = Urge), Errors))]
async fn urge_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UrgeInput>,
) -> AppResult<(StatusCode, Json<Urge>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::urge(&state, &auth, id, input).await?),
    ))
}

/// The urges of a case, newest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/urges", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Urge>), Errors))]
async fn case_urges(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<Urge>>> {
    Ok(Json(svc::list(&state, &auth, Some(id), false).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct UrgeListParams {
    /// Only those awaiting an answer (default true).
    open: Option<bool>,
}

/// Urges in the supervisor's scope, newest first.
#[utoipa::path(get, path = "/api/v1/urges", tag = "supervision", params(UrgeListParams),
    responses((status = 200, body = Vec<Urge>), Errors))]
async fn urges(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<UrgeListParams>,
) -> AppResult<Json<Vec<Urge>>> {
    Ok(Json(
        svc::list(&state, &auth, None, p.open.unwrap_or(true)).await?,
    ))
}

/// The urges waiting for my answer.
#[utoipa::path(get, path = "/api/v1/urges/mine", tag = "supervision",
    responses((status = 200, body = Vec<Urge>), Errors))]
async fn my_urges(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Urge>>> {
    Ok(Json(svc::mine(&state, &auth).await?))
}

/// An urge with its trail (issued, raised, answered).
#[utoipa::path(get, path = "/api/v1/urges/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = UrgeView), Errors))]
async fn get_urge(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<UrgeView>> {
    Ok(Json(svc::view(&state, &auth, id).await?))
}

/// Answer an urge（督办反馈）: it is acknowledged and climbs no more.
#[utoipa::path(post, path = "/api/v1/urges/{id}/answer", tag = "supervision", params(("id" = i64, Path)),
    request_body = AnswerInput, responses((status = 200, body = Urge), Errors))]
async fn answer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> AppResult<Json<Urge>> {
    Ok(Json(svc::answer(&state, &auth, id, input).await?))
}

/// The system's own warnings to mark read.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// These urges; all of the system's warnings addressed to me when left out.
    #[serde(default)]
    pub ids: Option<Vec<i64>>,
}

#[derive(Serialize, ToSchema)]
pub struct Marked {
    /// How many were marked read.
    pub marked: usize,
}

/// Mark the system's own warnings (自动预警) addressed to me read (已阅). A supervisor's urge or
/// a card needs an answer and is left open.
#[utoipa::path(post, path = "/api/v1/urges/read", tag = "supervision",
    request_body = MarkRead, responses((status = 200, body = Marked), Errors))]
async fn mark_read(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<MarkRead>,
) -> AppResult<Json<Marked>> {
    Ok(Json(Marked {
        marked: svc::mark_read(&state, &auth, input.ids).await?,
    }))
}

/// The urges waiting for my answer, one line per case (the most pressing, and how many more).
#[utoipa::path(get, path = "/api/v1/urges/mine/by-case", tag = "supervision",
    responses((status = 200, body = Vec<svc::UrgeGroup>), Errors))]
async fn my_urges_by_case(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<svc::UrgeGroup>>> {
    Ok(Json(svc::mine_by_case(&state, &auth).await?))
}
