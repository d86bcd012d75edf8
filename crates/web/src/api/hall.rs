//! The service hall: business categories (public to the kiosk) and the categories each window
//! calls; tickets; the clerk's actions at a window; the board; the pad's rating.

use super::Errors;
use crate::auth::{Auth, MaybeAuth, Origin};
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery};
use crate::service::hall::{self, TicketRequest, TicketView};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use onewindow_core::evaluation::{PadRating, Rating};
use onewindow_core::hall::board::Board;
use onewindow_core::hall::category::{Category, NewCategory};
use onewindow_core::hall::stats::HallStats;
use onewindow_core::hall::ticket::Ticket;
use onewindow_core::hall::window::WindowAction;
use onewindow_store::WindowOutcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(get_window_categories, set_window_categories))
        .routes(routes!(take_ticket))
        .routes(routes!(get_ticket))
        .routes(routes!(requeue))
        .routes(routes!(board))
        .routes(routes!(call_next))
        .routes(routes!(call))
        .routes(routes!(recall))
        .routes(routes!(no_show))
        .routes(routes!(transfer))
        .routes(routes!(finish))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(rate))
        .routes(routes!(rate_at_kiosk))
        .routes(routes!(stats))
}

/// The categories a window calls, first served first.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowCategories {
    pub category_ids: Vec<i64>,
}

/// The business categories of a hall（业务类别）, as the kiosk offers them; no sign-in needed.
#[utoipa::path(get, path = "/api/v1/halls/{hall_id}/categories", tag = "hall", security(()), params(("hall_id" = i64, Path)), responses((status = 200, body = Vec<Category>), Errors))]
async fn list_categories(
    State(state): State<AppState>,
    Path(hall_id): Path<i64>,
) -> AppResult<Json<Vec<Category>>> {
    Ok(Json(hall::public_categories(&state, hall_id).await?))
}

/// Add a business category to a hall, with its ticket prefix（新增业务类别）.
#[utoipa::path(post, path = "/api/v1/halls/{hall_id}/categories", tag = "hall", params(("hall_id" = i64, Path)), request_body = NewCategory, responses((status = 201, body = Category), Errors))]
async fn create_category(
    State(state): State<AppState>,
    auth: Auth,
    Path(hall_id): Path<i64>,
    ApiJson(new): ApiJson<NewCategory>,
) -> AppResult<(StatusCode, Json<Category>)> {
    Ok((
        StatusCode::CREATED,
        Json(hall::create_category(&state, &auth, hall_id, new).await?),
    ))
}

/// The categories a window calls, in its order.
#[utoipa::path(get, path = "/api/v1/windows/{id}/categories", tag = "hall", params(("id" = i64, Path)), responses((status = 200, body = WindowCategories), Errors))]
async fn get_window_categories(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<WindowCategories>> {
    Ok(Json(WindowCategories {
        category_ids: hall::window_categories(&state, &auth, id).await?,
    }))
}

/// Set the categories a window calls, first served first（设置窗口办理的业务类别）.
#[utoipa::path(put, path = "/api/v1/windows/{id}/categories", tag = "hall", params(("id" = i64, Path)), request_body = WindowCategories, responses((status = 200, body = WindowCategories), Errors))]
async fn set_window_categories(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WindowCategories>,
) -> AppResult<Json<WindowCategories>> {
    Ok(Json(WindowCategories {
        category_ids: hall::set_window_categories(&state, &auth, id, &body.category_ids).await?,
    }))
}

/// Take a ticket（取号）: at the kiosk or on the phone without signing in; at the reception desk
/// (`source: desk`, 绿色通道, 残疾人) by the hall's staff. The answer carries the people ahead, the
/// estimated wait and, once only, the key of the ticket's own page.
#[utoipa::path(post, path = "/api/v1/hall/tickets", tag = "hall", security((), ("bearer" = [])), request_body = TicketRequest, responses((status = 201, body = TicketView), Errors))]
async fn take_ticket(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    origin: Origin,
    ApiJson(req): ApiJson<TicketRequest>,
) -> AppResult<(StatusCode, Json<TicketView>)> {
    Ok((
        StatusCode::CREATED,
        Json(hall::issue_ticket(&state, auth.as_ref(), &origin, req).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct KeyParams {
    /// The ticket page's key, as given when the ticket was taken.
    pub key: Option<String>,
}

/// A ticket and where it stands: for whoever holds its key, or the hall's staff.
#[utoipa::path(get, path = "/api/v1/hall/tickets/{id}", tag = "hall", params(("id" = i64, Path), KeyParams), responses((status = 200, body = TicketView), Errors))]
async fn get_ticket(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<KeyParams>,
) -> AppResult<Json<TicketView>> {
    Ok(Json(
        hall::ticket_view(&state, auth.as_ref(), id, p.key.as_deref()).await?,
    ))
}

/// Put a no-show back at the end of its queue（过号重排）, once, on its day.
#[utoipa::path(post, path = "/api/v1/hall/tickets/{id}/requeue", tag = "hall", params(("id" = i64, Path)), responses((status = 200, body = Ticket), Errors))]
async fn requeue(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Ticket>> {
    Ok(Json(hall::requeue(&state, &auth, id).await?))
}

/// The hall's board（叫号大屏）: each window's current call, waiting and estimated wait per
/// category, the latest calls with their voice lines. Public. Live: `GET /hall/{hall_id}/events`
/// (server-sent events `board`, `call`, `finish`).
#[utoipa::path(get, path = "/api/v1/halls/{hall_id}/board", tag = "hall", security(()), params(("hall_id" = i64, Path)), responses((status = 200, body = Board), Errors))]
async fn board(
    State(state): State<AppState>,
    Path(hall_id): Path<i64>,
) -> AppResult<impl IntoResponse> {
    let json = hall::board(&state, hall_id).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        json.to_string(),
    ))
}

async fn act(
    state: &AppState,
    auth: &Auth,
    id: i64,
    action: WindowAction,
) -> AppResult<Json<WindowOutcome>> {
    Ok(Json(hall::window_act(state, auth, id, action).await?))
}

/// Call the next ticket by the calling rule（叫号）, finishing whoever is at the window.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/call-next", tag = "hall", params(("id" = i64, Path)), responses((status = 200, body = WindowOutcome), Errors))]
async fn call_next(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<WindowOutcome>> {
    act(&state, &auth, id, WindowAction::CallNext).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBody {
    pub ticket_id: i64,
}

/// Call a chosen waiting ticket of the hall（指定叫号）.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/call", tag = "hall", params(("id" = i64, Path)), request_body = CallBody, responses((status = 200, body = WindowOutcome), Errors))]
async fn call(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CallBody>,
) -> AppResult<Json<WindowOutcome>> {
    act(
        &state,
        &auth,
        id,
        WindowAction::Call {
            ticket_id: b.ticket_id,
        },
    )
    .await
}

/// Call the person at the window again（重呼）.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/recall", tag = "hall", params(("id" = i64, Path)), responses((status = 200, body = WindowOutcome), Errors))]
async fn recall(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<WindowOutcome>> {
    act(&state, &auth, id, WindowAction::Recall).await
}

/// The person called did not come（过号）.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/no-show", tag = "hall", params(("id" = i64, Path)), responses((status = 200, body = WindowOutcome), Errors))]
async fn no_show(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<WindowOutcome>> {
    act(&state, &auth, id, WindowAction::NoShow).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub window_id: Option<i64>,
}

/// Send the person at the window back to the queue, keeping the arrival（转移）: to another
/// category, or to one window, or both.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/transfer", tag = "hall", params(("id" = i64, Path)), request_body = TransferBody, responses((status = 200, body = WindowOutcome), Errors))]
async fn transfer(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<TransferBody>,
) -> AppResult<Json<WindowOutcome>> {
    act(
        &state,
        &auth,
        id,
        WindowAction::Transfer {
            category_id: b.category_id,
            window_id: b.window_id,
        },
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishBody {
    /// The numbers of the cases taken in for this person.
    #[serde(default)]
    pub case_numbers: Vec<String>,
}

/// The person at the window is served（办结）, with the cases taken in.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/finish", tag = "hall", params(("id" = i64, Path)), request_body = FinishBody, responses((status = 200, body = WindowOutcome), Errors))]
async fn finish(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<FinishBody>,
) -> AppResult<Json<WindowOutcome>> {
    act(
        &state,
        &auth,
        id,
        WindowAction::Finish {
            case_numbers: b.case_numbers,
        },
    )
    .await
}

/// Pause the window（暂停服务）: it calls nobody until resumed.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/pause", tag = "hall", params(("id" = i64, Path)), responses((status = 200, body = WindowOutcome), Errors))]
async fn pause(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<WindowOutcome>> {
    act(&state, &auth, id, WindowAction::Pause).await
}

/// Resume the window（恢复服务）.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/resume", tag = "hall", params(("id" = i64, Path)), responses((status = 200, body = WindowOutcome), Errors))]
async fn resume(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<WindowOutcome>> {
    act(&state, &auth, id, WindowAction::Resume).await
}

/// Rate the service just finished at this window on its pad（评价器，一次一评）: 1 to 5, with a
/// reason for 1 or 2; within 10 minutes of the finish; once per service.
#[utoipa::path(post, path = "/api/v1/hall/windows/{id}/ratings", tag = "hall", security(()), params(("id" = i64, Path)), request_body = PadRating, responses((status = 201, body = Rating), Errors))]
async fn rate(
    State(state): State<AppState>,
    origin: Origin,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<PadRating>,
) -> AppResult<(StatusCode, Json<Rating>)> {
    Ok((
        StatusCode::CREATED,
        Json(hall::rate_at_pad(&state, &origin, id, r).await?),
    ))
}

/// Rate a service finished in this hall today at one of its kiosks（自助终端评价，一次一评）:
/// the ticket's id, 1 to 5, the on-site sub-scores, a reason for 1 or 2; once per service.
#[utoipa::path(post, path = "/api/v1/halls/{hall_id}/kiosk-ratings", tag = "hall", security(()), params(("hall_id" = i64, Path)), request_body = PadRating, responses((status = 201, body = Rating), Errors))]
async fn rate_at_kiosk(
    State(state): State<AppState>,
    origin: Origin,
    Path(hall_id): Path<i64>,
    ApiJson(r): ApiJson<PadRating>,
) -> AppResult<(StatusCode, Json<Rating>)> {
    Ok((
        StatusCode::CREATED,
        Json(hall::rate_at_kiosk(&state, &origin, hall_id, r).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeriodParams {
    /// First day (YYYY-MM-DD); the last day when left out.
    pub from: Option<chrono::NaiveDate>,
    /// Last day (YYYY-MM-DD); today when left out.
    pub to: Option<chrono::NaiveDate>,
}

/// The hall's figures for a period（大厅统计）: issued, served, no-shows, transfers; waiting and
/// service times (average and p90, seconds) per category, window, clerk and hour; peak hours.
#[utoipa::path(get, path = "/api/v1/halls/{hall_id}/stats", tag = "hall", params(("hall_id" = i64, Path), PeriodParams), responses((status = 200, body = HallStats), Errors))]
async fn stats(
    State(state): State<AppState>,
    auth: Auth,
    Path(hall_id): Path<i64>,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> AppResult<Json<HallStats>> {
    Ok(Json(
        hall::stats(&state, &auth, hall_id, p.from, p.to).await?,
    ))
}
