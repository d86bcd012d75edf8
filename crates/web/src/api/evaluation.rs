//! Service evaluation (好差评): online ratings and rating links, ratings in scope, appeals, and
//! the rectification of bad ratings.

use super::Errors;
use crate::auth::{Auth, Origin};
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery};
use crate::service::evaluation::{
    self as svc, ActInput, LinkInput, LinkView, PublicQuery, Publication, Receipt,
    RectificationView, ReviewInput,
};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::evaluation::rating::Given;
use onewindow_core::evaluation::rectification::Rectification;
use onewindow_core::evaluation::{Appeal, AppealDecision, AppealInput, Rating};
use onewindow_store::RatingLink;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rate_case))
        .routes(routes!(send_link))
        .routes(routes!(link))
        .routes(routes!(rate_by_link))
        .routes(routes!(ratings))
        .routes(routes!(appeal))
        .routes(routes!(appeals))
        .routes(routes!(decide))
        .routes(routes!(rectifications))
        .routes(routes!(rectification))
        .routes(routes!(act))
        .routes(routes!(urge))
        .routes(routes!(publication))
        .routes(routes!(open_review))
        .routes(routes!(supervisor_check))
}

/// The public results（好差评公示）: the figures of a hall, a department, a matter or the
/// district over a period (the last 365 days by default), halls and departments ranked by
/// satisfaction, and the bad ratings rectified, nobody named. No sign-in.
#[utoipa::path(get, path = "/api/v1/ratings/public", tag = "evaluation", security(()), params(PublicQuery),
    responses((status = 200, body = Publication), Errors))]
async fn publication(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PublicQuery>,
) -> AppResult<Json<Publication>> {
    Ok(Json(
        svc::publication(&state, &q, onewindow_core::Lang::Zh).await?,
    ))
}

/// An open review of a hall or a department（综合点评）by a signed-in citizen or enterprise,
/// with the online sub-scores. A bad one is rectified like any other.
#[utoipa::path(post, path = "/api/v1/reviews", tag = "evaluation",
    request_body = ReviewInput, responses((status = 201, body = Receipt), Errors))]
async fn open_review(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<ReviewInput>,
) -> AppResult<(StatusCode, Json<Receipt>)> {
    let r = svc::open_review(&state, &auth, r).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// A supervisor's check of a window in scope（监督查评）, with the on-site sub-scores.
#[utoipa::path(post, path = "/api/v1/supervisor-checks", tag = "evaluation",
    request_body = ReviewInput, responses((status = 201, body = Receipt), Errors))]
async fn supervisor_check(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<ReviewInput>,
) -> AppResult<(StatusCode, Json<Receipt>)> {
    let r = svc::supervisor_check(&state, &auth, r).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// The applicant rates an ended case online（一事一评）: the level, the online sub-scores
/// (efficiency, guide_accuracy, convenience, ease_of_use; all or none), a comment, and the reason
/// for a bad level. Once per case. A bad rating opens its rectification.
#[utoipa::path(post, path = "/api/v1/cases/{id}/rating", tag = "evaluation", params(("id" = i64, Path)),
    request_body = Given, responses((status = 201, body = Receipt), Errors))]
async fn rate_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(g): ApiJson<Given>,
) -> AppResult<(StatusCode, Json<Receipt>)> {
    let r = svc::rate_case(&state, &auth, id, g).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Send the applicant a one-time rating link by SMS or e-mail（评价短信）. The token travels only
/// in the message; it expires after the rules' days.
#[utoipa::path(post, path = "/api/v1/cases/{id}/rating-links", tag = "evaluation", params(("id" = i64, Path)),
    request_body = LinkInput, responses((status = 201, body = RatingLink), Errors))]
async fn send_link(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LinkInput>,
) -> AppResult<(StatusCode, Json<RatingLink>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::send_link(&state, &auth, id, input).await?),
    ))
}

/// What a rating link rates (public; 422 once used or expired).
#[utoipa::path(get, path = "/api/v1/rating-links/{token}", tag = "evaluation", security(()), params(("token" = String, Path)),
    responses((status = 200, body = LinkView), Errors))]
async fn link(
    State(state): State<AppState>,
    origin: Origin,
    Path(token): Path<String>,
) -> AppResult<Json<LinkView>> {
    Ok(Json(svc::link_view(&state, &origin, &token).await?))
}

/// Rate through a link (public): the link is spent with the rating.
#[utoipa::path(post, path = "/api/v1/rating-links/{token}/rating", tag = "evaluation", security(()), params(("token" = String, Path)),
    request_body = Given, responses((status = 201, body = Receipt), Errors))]
async fn rate_by_link(
    State(state): State<AppState>,
    origin: Origin,
    Path(token): Path<String>,
    ApiJson(g): ApiJson<Given>,
) -> AppResult<(StatusCode, Json<Receipt>)> {
    let r = svc::rate_by_link(&state, &origin, &token, g).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RatingParams {
    /// Only bad ratings (1 or 2).
    bad: Option<bool>,
}

/// Ratings: a clerk's own, or those in the asker's scope; the rater is never shown.
#[utoipa::path(get, path = "/api/v1/ratings", tag = "evaluation", params(RatingParams),
    responses((status = 200, body = Vec<Rating>), Errors))]
async fn ratings(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<RatingParams>,
) -> AppResult<Json<Vec<Rating>>> {
    Ok(Json(
        svc::ratings(&state, &auth, p.bad.unwrap_or(false)).await?,
    ))
}

/// Appeal a rating as mistaken or malicious（申诉）: the rated clerk, or the department's head,
/// within the rules' working days; once per rating.
#[utoipa::path(post, path = "/api/v1/ratings/{id}/appeal", tag = "evaluation", params(("id" = i64, Path)),
    request_body = AppealInput, responses((status = 201, body = Appeal), Errors))]
async fn appeal(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AppealInput>,
) -> AppResult<(StatusCode, Json<Appeal>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::appeal(&state, &auth, id, input).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct AppealParams {
    /// Only those awaiting a decision (default true).
    pending: Option<bool>,
}

/// Appeals in the supervisor's scope.
#[utoipa::path(get, path = "/api/v1/appeals", tag = "evaluation", params(AppealParams),
    responses((status = 200, body = Vec<Appeal>), Errors))]
async fn appeals(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<AppealParams>,
) -> AppResult<Json<Vec<Appeal>>> {
    Ok(Json(
        svc::appeals(&state, &auth, p.pending.unwrap_or(true)).await?,
    ))
}

/// Decide an appeal（复核）: upheld takes the rating out of the figures (never out of the trail)
/// and closes its rectification as voided.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/decision", tag = "evaluation", params(("id" = i64, Path)),
    request_body = AppealDecision, responses((status = 200, body = Appeal), Errors))]
async fn decide(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(d): ApiJson<AppealDecision>,
) -> AppResult<Json<Appeal>> {
    Ok(Json(svc::decide(&state, &auth, id, d).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RectificationParams {
    /// One state; open ones when left out.
    state: Option<String>,
    /// `green`, `yellow` or `red` today.
    light: Option<String>,
}

/// Bad-rating rectifications in scope（差评整改）.
#[utoipa::path(get, path = "/api/v1/rectifications", tag = "evaluation", params(RectificationParams),
    responses((status = 200, body = Vec<Rectification>), Errors))]
async fn rectifications(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<RectificationParams>,
) -> AppResult<Json<Vec<Rectification>>> {
    Ok(Json(
        svc::rectifications(&state, &auth, p.state.as_deref(), p.light.as_deref()).await?,
    ))
}

/// A rectification with its trail; the rater's contact only for those who call back.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}", tag = "evaluation", params(("id" = i64, Path)),
    responses((status = 200, body = RectificationView), Errors))]
async fn rectification(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<RectificationView>> {
    Ok(Json(svc::rectification(&state, &auth, id).await?))
}

/// One step: `verify` (finding, founded), `rectify` (measures), `explain` (explanation),
/// `call_back` (reached, note) or `re_evaluate` (level, comment), under the version read.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/actions", tag = "evaluation", params(("id" = i64, Path)),
    request_body = ActInput, responses((status = 200, body = Rectification), Errors))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ActInput>,
) -> AppResult<Json<Rectification>> {
    Ok(Json(
        svc::act(&state, &auth, id, input.version, input.action).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RectificationUrgeInput {
    message: String,
}

/// Ring the bell on a rectification（督办）: a supervisor in scope; the message goes into its
/// trail.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/urge", tag = "evaluation", params(("id" = i64, Path)),
    request_body = RectificationUrgeInput, responses((status = 200, body = Rectification), Errors))]
async fn urge(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RectificationUrgeInput>,
) -> AppResult<Json<Rectification>> {
    Ok(Json(svc::urge(&state, &auth, id, &input.message).await?))
}
