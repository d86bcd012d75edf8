//! Cases over JSON: apply (one matter, a batch, a bundle), list, see, act, upload and download
//! materials, follow progress, the workbench; the calendar, the case rules and review flows.

use super::Errors;
use crate::auth::{Auth, Origin};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiPath as Path, ApiQuery, parse_day, parse_json, read_multipart};
use crate::service::calendar as cal_svc;
use crate::service::cases::{
    self as svc, BatchInput, BundleInput, CaseList, CaseView, ListParams, Progress, Workbench,
};
use crate::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use onewindow_core::Text;
use onewindow_core::access::Permission;
use onewindow_core::calendar::YearArrangement;
use onewindow_core::case::apply::ApplicationInput;
use onewindow_core::case::machine::Action;
use onewindow_core::case::rules::Rules;
use onewindow_core::case::workflow::Workflow;
use onewindow_store::{CaseFile, Created, OutboxMessage};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::max(crate::service::uploads::BODY_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(list, apply))
        .routes(routes!(apply_batch))
        .routes(routes!(accept_batch))
        .routes(routes!(apply_bundle))
        .routes(routes!(bundle))
        .routes(routes!(case))
        .routes(routes!(act))
        .routes(routes!(download))
        .routes(routes!(progress))
        .routes(routes!(workbench))
        .routes(routes!(calendar_years))
        .routes(routes!(save_year))
        .routes(routes!(calendar_check))
        .routes(routes!(get_rules, put_rules))
        .routes(routes!(get_workflow, put_workflow))
        .routes(routes!(outbox))
        .merge(uploads)
}

/// Cases the caller may see: staff by scope, applicants their own.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListParams),
    responses((status = 200, body = CaseList), Errors))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> AppResult<Json<CaseList>> {
    Ok(Json(svc::list(&state, &auth, &p).await?))
}

/// Apply for one matter: online (citizens and enterprises), at a window or on a home visit
/// (clerks), at a kiosk, or as an agent with the authorization (`channel = agent`). Upload the
/// materials afterwards with `POST /api/v1/cases/{id}/files`.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = ApplicationInput,
    responses((status = 201, body = Created), Errors))]
async fn apply(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::apply(&state, &auth, input, vec![]).await?),
    ))
}

/// One visit for many applicants (批量受理): each applicant becomes a case of its own.
#[utoipa::path(post, path = "/api/v1/cases/batch", tag = "cases", request_body = BatchInput,
    responses((status = 201, body = Created), Errors))]
async fn apply_batch(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<BatchInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::apply_batch(&state, &auth, input).await?),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub accepted: usize,
}

/// Accept every case of a batch still awaiting acceptance, all in one transaction.
#[utoipa::path(post, path = "/api/v1/batches/{id}/accept", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = Accepted), Errors))]
async fn accept_batch(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Accepted>> {
    Ok(Json(Accepted {
        accepted: svc::accept_batch(&state, &auth, id).await?,
    }))
}

/// Apply for a "一件事" bundle: one form, split into the member matters' cases.
#[utoipa::path(post, path = "/api/v1/bundles", tag = "cases", request_body = BundleInput,
    responses((status = 201, body = Created), Errors))]
async fn apply_bundle(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<BundleInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::apply_bundle(&state, &auth, input, vec![]).await?),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct BundleView {
    pub bundle: onewindow_store::BundleRecord,
    pub cases: CaseList,
    /// Concluded when every member case is.
    pub concluded: bool,
}

/// A bundle with its member cases.
#[utoipa::path(get, path = "/api/v1/bundles/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = BundleView), Errors))]
async fn bundle(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<BundleView>> {
    let b = state
        .store
        .bundle(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("一件事", "bundle")))?;
    let mut cases = svc::list(
        &state,
        &auth,
        &ListParams {
            bundle_id: Some(id),
            limit: Some(100),
            ..Default::default()
        },
    )
    .await?;
    // Staff see the members in their scope; the applicant sees their own. A bundle with no
    // visible member is not shown at all.
    if cases.cases.is_empty() {
        cases = svc::list(
            &state,
            &auth,
            &ListParams {
                bundle_id: Some(id),
                mine: Some(true),
                limit: Some(100),
                ..Default::default()
            },
        )
        .await?;
    }
    if cases.cases.is_empty() {
        return Err(AppError::not_found(Text::fixed("一件事", "bundle")));
    }
    Ok(Json(BundleView {
        concluded: b.concluded_at.is_some(),
        bundle: b,
        cases,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseParams {
    /// `true`: the applicant's ID number, phone and addresses in full. Only for the applicant
    /// and for staff who take in, review or decide cases (otherwise 403); a staff member's look
    /// is an entry in the case's audit trail (`case.personal_view`). Without it they are masked
    /// (`110***********002X`, `139****0004`), except to the applicant.
    pub personal: Option<bool>,
}

/// A case with its clock, steps, history, files and the actions the caller can take now.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path), CaseParams),
    responses((status = 200, body = CaseView), Errors))]
async fn case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<CaseParams>,
) -> AppResult<Json<CaseView>> {
    Ok(Json(
        svc::view(&state, &auth, id, q.personal.unwrap_or(false)).await?,
    ))
}

/// Act on a case. The body names the action and its inputs, e.g. `{"action": "accept"}`,
/// `{"action": "refuse", "reason": "…"}`, `{"action": "finish_step", "step_id": 3, "outcome":
/// "agree"}`; `version` (optional) is the version you saw. An action not open in the case's
/// state answers 409 `wrong_state` with `allowed`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", params(("id" = i64, Path)),
    request_body = Action, responses((status = 200, body = CaseView), Errors))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(mut body): ApiJson<serde_json::Value>,
) -> AppResult<Json<CaseView>> {
    let version = match body.as_object_mut().and_then(|o| o.remove("version")) {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            AppError::bad_request("version", Text::fixed("应为整数", "must be a whole number"))
        })?),
    };
    let action: Action = parse_json(body.to_string().as_bytes())?;
    Ok(Json(svc::act(&state, &auth, id, version, action).await?))
}

/// Upload materials (multipart: a `material` field, then one or more `file` fields).
#[utoipa::path(post, path = "/api/v1/cases/{id}/files", tag = "cases", params(("id" = i64, Path)),
    request_body(content = String, content_type = "multipart/form-data"),
    responses((status = 201, body = Vec<CaseFile>), Errors))]
async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<(StatusCode, Json<Vec<CaseFile>>)> {
    let form = read_multipart(mp).await?;
    Ok((
        StatusCode::CREATED,
        Json(svc::upload(&state, &auth, id, form.files).await?),
    ))
}

/// Download an uploaded material.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), Errors))]
async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (f, bytes) = svc::download(&state, &auth, id).await?;
    Ok(file_response(&f, bytes))
}

/// A stored file as an attachment, never rendered by the browser as a page of ours.
pub fn file_response(f: &CaseFile, bytes: Vec<u8>) -> Response {
    attachment(&f.file_name, &f.content_type, bytes)
}

/// Bytes as a download under a (Chinese) file name: an ASCII stand-in for old clients and the
/// UTF-8 name for the rest.
pub fn attachment(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    named_file("attachment", file_name, content_type, bytes)
}

/// The same, shown by the browser (a kiosk's PDF to print) rather than saved.
pub fn inline(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    named_file("inline", file_name, content_type, bytes)
}

fn named_file(disposition: &str, file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let name: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{name}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProgressParams {
    /// The case number, e.g. `D002-20261123-00017`.
    pub number: String,
    /// The last four characters of the applicant's ID number or credit code.
    pub id_last4: String,
}

/// Follow a case by its number and the last four characters of the ID (no sign-in). Repeated
/// failures from one address are refused for a while.
#[utoipa::path(get, path = "/api/v1/progress", tag = "cases", security(()), params(ProgressParams),
    responses((status = 200, body = Progress), Errors))]
async fn progress(
    State(state): State<AppState>,
    origin: Origin,
    ApiQuery(p): ApiQuery<ProgressParams>,
) -> AppResult<Json<Progress>> {
    Ok(Json(
        svc::progress(&state, &origin, &p.number, &p.id_last4).await?,
    ))
}

/// My work: claimed steps, my department's queue, intake, decisions, extensions, deliveries.
#[utoipa::path(get, path = "/api/v1/workbench", tag = "cases",
    responses((status = 200, body = Workbench), Errors))]
async fn workbench(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Workbench>> {
    Ok(Json(svc::workbench(&state, &auth).await?))
}

/// Every year the calendar knows: holidays and make-up working days.
#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "calendar", security(()),
    responses((status = 200, body = Vec<YearArrangement>), Errors))]
async fn calendar_years(State(state): State<AppState>) -> AppResult<Json<Vec<YearArrangement>>> {
    Ok(Json(svc::settings(&state).await?.years.clone()))
}

/// Enter or replace a year's arrangement (administrators), e.g. next year's once the State
/// Council publishes it.
#[utoipa::path(put, path = "/api/v1/calendar/years/{year}", tag = "calendar", params(("year" = i32, Path)),
    request_body = YearArrangement, responses((status = 204), Errors))]
async fn save_year(
    State(state): State<AppState>,
    auth: Auth,
    Path(year): Path<i32>,
    ApiJson(y): ApiJson<YearArrangement>,
) -> AppResult<StatusCode> {
    cal_svc::save_year(&state, &auth, year, y).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckParams {
    /// YYYY-MM-DD
    #[param(example = "2026-10-08")]
    pub date: String,
    /// Working days to add (the start day not counted).
    pub add: Option<i64>,
    /// A second date: working days after `date` up to and including it.
    pub until: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DayAnswer {
    pub date: NaiveDate,
    pub workday: bool,
    pub holiday: Option<String>,
    pub plus: Option<NaiveDate>,
    pub between: Option<i64>,
    /// The answer reads a year whose holiday notice is not yet entered: computed from the
    /// statutory holidays alone (暂定), its make-up working days unknown.
    pub provisional: bool,
}

fn calendar_error(field: &str, e: onewindow_core::calendar::CalendarError) -> AppError {
    onewindow_core::FieldError::new(field, e.text()).into()
}

/// Is a day a working day; what day is N working days later; how many lie between.
#[utoipa::path(get, path = "/api/v1/calendar/check", tag = "calendar", security(()), params(CheckParams),
    responses((status = 200, body = DayAnswer), Errors))]
async fn calendar_check(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<CheckParams>,
) -> AppResult<Json<DayAnswer>> {
    let s = svc::settings(&state).await?;
    let c = &s.calendar;
    let d = parse_day("date", &p.date)?;
    let workday = c.is_workday(d).map_err(|e| calendar_error("date", e))?;
    let plus = p
        .add
        .map(|n| c.add_workdays(d, n).map_err(|e| calendar_error("add", e)))
        .transpose()?;
    let between = match &p.until {
        Some(u) => Some(
            c.workdays_between(d, parse_day("until", u)?)
                .map_err(|e| calendar_error("until", e))?,
        ),
        None => None,
    };
    let last = [
        plus,
        p.until.as_deref().and_then(|u| parse_day("until", u).ok()),
    ]
    .into_iter()
    .flatten()
    .fold(d, |a, b| a.max(b));
    let first = p
        .until
        .as_deref()
        .and_then(|u| parse_day("until", u).ok())
        .map_or(d, |u| u.min(d));
    Ok(Json(DayAnswer {
        date: d,
        workday,
        holiday: c.holiday(d).map(str::to_string),
        plus,
        between,
        provisional: c.provisional_between(first, last).is_some(),
    }))
}

/// The case rules (the legal numbers, upload limits).
#[utoipa::path(get, path = "/api/v1/case-rules", tag = "calendar", security(()),
    responses((status = 200, body = Rules), Errors))]
async fn get_rules(State(state): State<AppState>) -> AppResult<Json<Rules>> {
    Ok(Json(svc::settings(&state).await?.rules.clone()))
}

/// Change the case rules (administrators).
#[utoipa::path(put, path = "/api/v1/case-rules", tag = "calendar", request_body = Rules,
    responses((status = 200, body = Rules), Errors))]
async fn put_rules(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<Rules>,
) -> AppResult<Json<Rules>> {
    Ok(Json(cal_svc::save_rules(&state, &auth, r).await?))
}

async fn staff_matter(
    state: &AppState,
    auth: &Auth,
    code: &str,
) -> AppResult<onewindow_core::catalog::record::Matter> {
    let m = state
        .store
        .matter_by_code(&code.to_ascii_uppercase())
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?;
    let dept = state.store.department(m.department_id).await?;
    let owner =
        crate::service::owner(state, Some(m.department_id), dept.map(|d| d.region_id)).await?;
    auth.actor.may(Permission::CaseRead, &owner)?;
    Ok(m)
}

/// A matter's review flow (the default one when none is configured).
#[utoipa::path(get, path = "/api/v1/catalog/matters/{code}/workflow", tag = "cases", params(("code" = String, Path)),
    responses((status = 200, body = Workflow), Errors))]
async fn get_workflow(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> AppResult<Json<Workflow>> {
    let m = staff_matter(&state, &auth, &code).await?;
    let promised = crate::service::catalog::view(&state)
        .await?
        .guide(&m.code)
        .map_or(1, |g| g.guide.promised_days);
    Ok(Json(
        state
            .store
            .workflow(m.id)
            .await?
            .unwrap_or_else(|| Workflow::default_for(promised)),
    ))
}

/// Configure a matter's review flow: stages, limits, roles, parallel departments.
#[utoipa::path(put, path = "/api/v1/catalog/matters/{code}/workflow", tag = "cases", params(("code" = String, Path)),
    request_body = Workflow, responses((status = 200, body = Workflow), Errors))]
async fn put_workflow(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    ApiJson(w): ApiJson<Workflow>,
) -> AppResult<Json<Workflow>> {
    auth.actor.require(Permission::CatalogWrite)?;
    let m = staff_matter(&state, &auth, &code).await?;
    Ok(Json(
        crate::service::workflows::save(&state, &auth, &m, w).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxParams {
    pub case_id: Option<i64>,
    pub limit: Option<i64>,
}

/// Notifications written by case actions, with their sending state (administrators).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "cases", params(OutboxParams),
    responses((status = 200, body = Vec<OutboxMessage>), Errors))]
async fn outbox(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<OutboxParams>,
) -> AppResult<Json<Vec<OutboxMessage>>> {
    auth.actor.require(Permission::CalendarWrite)?;
    Ok(Json(
        state
            .store
            .outbox(p.case_id, p.limit.unwrap_or(100))
            .await?,
    ))
}
