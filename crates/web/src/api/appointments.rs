//! Appointments (预约): slot plans, the bookable slots, booking, cancelling and moving with the
//! booking's code, and checking in at the kiosk.

use super::Errors;
use crate::auth::{Auth, MaybeAuth, Origin};
use crate::error::{AppError, AppResult};
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery};
use crate::service::appointments::{self as svc, Booked, Change, CheckIn, DaySlots};
use crate::service::hall::TicketView;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::hall::appointment::{Appointment, NewAppointment, SlotPlan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_plan, set_plan))
        .routes(routes!(slots))
        .routes(routes!(book))
        .routes(routes!(get_appointment))
        .routes(routes!(cancel))
        .routes(routes!(reschedule))
        .routes(routes!(check_in))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub slots: Vec<SlotPlan>,
}

/// A category's slot plan: the slots it offers every working day, each with its capacity.
#[utoipa::path(get, path = "/api/v1/hall/categories/{id}/slot-plan", tag = "hall", security(()), params(("id" = i64, Path)), responses((status = 200, body = Plan), Errors))]
async fn get_plan(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Json<Plan>> {
    Ok(Json(Plan {
        slots: svc::slot_plan(&state, id).await?,
    }))
}

/// Set a category's slot plan（设置预约时段）: those who manage the hall.
#[utoipa::path(put, path = "/api/v1/hall/categories/{id}/slot-plan", tag = "hall", params(("id" = i64, Path)), request_body = Plan, responses((status = 200, body = Plan), Errors))]
async fn set_plan(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<Plan>,
) -> AppResult<Json<Plan>> {
    Ok(Json(Plan {
        slots: svc::set_slot_plan(&state, &auth, id, p.slots).await?,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayParams {
    /// A bookable day (YYYY-MM-DD); the first bookable day when left out.
    pub day: Option<chrono::NaiveDate>,
}

/// The slots of a bookable day with the places taken, and the bookable days. Public.
#[utoipa::path(get, path = "/api/v1/hall/categories/{id}/slots", tag = "hall", security(()), params(("id" = i64, Path), DayParams), responses((status = 200, body = DaySlots), Errors))]
async fn slots(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<DayParams>,
) -> AppResult<Json<DaySlots>> {
    Ok(Json(svc::slots(&state, id, p.day).await?))
}

/// Book a slot（预约）with the ID number; the answer carries the booking's code, once.
#[utoipa::path(post, path = "/api/v1/hall/appointments", tag = "hall", security((), ("bearer" = [])), request_body = NewAppointment, responses((status = 201, body = Booked), Errors))]
async fn book(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    origin: Origin,
    ApiJson(new): ApiJson<NewAppointment>,
) -> AppResult<(StatusCode, Json<Booked>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::book(&state, auth.as_ref(), &origin, new).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CodeParams {
    /// The booking's code.
    pub code: Option<String>,
}

/// A booking, for whoever holds its code.
#[utoipa::path(get, path = "/api/v1/hall/appointments/{id}", tag = "hall", params(("id" = i64, Path), CodeParams), responses((status = 200, body = Appointment), Errors))]
async fn get_appointment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    ApiQuery(p): ApiQuery<CodeParams>,
) -> AppResult<Json<Appointment>> {
    let code = p.code.ok_or_else(AppError::unauthorized)?;
    Ok(Json(svc::appointment(&state, id, &code).await?))
}

/// Cancel a booking（取消预约）before its slot begins.
#[utoipa::path(post, path = "/api/v1/hall/appointments/{id}/cancel", tag = "hall", security(()), params(("id" = i64, Path)), request_body = Change, responses((status = 200, body = Appointment), Errors))]
async fn cancel(
    State(state): State<AppState>,
    origin: Origin,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<Change>,
) -> AppResult<Json<Appointment>> {
    Ok(Json(svc::cancel(&state, &origin, id, &c.code).await?))
}

/// Move a booking to another slot（改约）before its slot begins.
#[utoipa::path(post, path = "/api/v1/hall/appointments/{id}/reschedule", tag = "hall", security(()), params(("id" = i64, Path)), request_body = Change, responses((status = 200, body = Appointment), Errors))]
async fn reschedule(
    State(state): State<AppState>,
    origin: Origin,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<Change>,
) -> AppResult<Json<Appointment>> {
    Ok(Json(svc::reschedule(&state, &origin, id, c).await?))
}

/// Check in on arrival（预约签到）with the ID number: a ticket with the appointment's priority.
#[utoipa::path(post, path = "/api/v1/hall/check-in", tag = "hall", security((), ("bearer" = [])), request_body = CheckIn, responses((status = 201, body = TicketView), Errors))]
async fn check_in(
    State(state): State<AppState>,
    MaybeAuth(auth): MaybeAuth,
    origin: Origin,
    ApiJson(req): ApiJson<CheckIn>,
) -> AppResult<(StatusCode, Json<TicketView>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::check_in(&state, auth.as_ref(), &origin, req).await?),
    ))
}
