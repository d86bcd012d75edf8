//! Enterprise supervisors (监督员) and their reports.

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::extract::ApiPath as Path;
use crate::service::supervisors::{self as svc, ReportAct, ReportInput};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::evaluation::supervisor::{NewSupervisor, Report, Supervisor};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(appoint, list))
        .routes(routes!(file, reports))
        .routes(routes!(act))
}

/// Appoint an enterprise supervisor（选聘监督员）with a contact point (a department or a hall)
/// and, if they report themselves, their enterprise account.
#[utoipa::path(post, path = "/api/v1/supervisors", tag = "evaluation", request_body = NewSupervisor,
    responses((status = 201, body = Supervisor), Errors))]
async fn appoint(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(s): ApiJson<NewSupervisor>,
) -> AppResult<(StatusCode, Json<Supervisor>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::appoint(&state, &auth, s).await?),
    ))
}

/// Supervisors in scope.
#[utoipa::path(get, path = "/api/v1/supervisors", tag = "evaluation",
    responses((status = 200, body = Vec<Supervisor>), Errors))]
async fn list(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Supervisor>>> {
    Ok(Json(svc::list(&state, &auth).await?))
}

/// A visit, an inspection or a suggestion（走访调查、明察暗访、意见建议）: by the supervisor's own
/// account, or recorded by the office naming the supervisor.
#[utoipa::path(post, path = "/api/v1/supervisor-reports", tag = "evaluation", request_body = ReportInput,
    responses((status = 201, body = Report), Errors))]
async fn file(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<ReportInput>,
) -> AppResult<(StatusCode, Json<Report>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::file(&state, &auth, r).await?),
    ))
}

/// Reports with what came of each: the office's in scope, a department's referred to it, a
/// supervisor's own.
#[utoipa::path(get, path = "/api/v1/supervisor-reports", tag = "evaluation",
    responses((status = 200, body = Vec<Report>), Errors))]
async fn reports(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Report>>> {
    Ok(Json(svc::reports(&state, &auth).await?))
}

/// `refer` (department_id) or `note` (outcome) by the office; `resolve` (outcome) by the
/// department it was referred to.
#[utoipa::path(post, path = "/api/v1/supervisor-reports/{id}/actions", tag = "evaluation", params(("id" = i64, Path)),
    request_body = ReportAct, responses((status = 200, body = Report), Errors))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReportAct>,
) -> AppResult<Json<Report>> {
    Ok(Json(svc::act(&state, &auth, id, input).await?))
}
