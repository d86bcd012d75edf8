//! Petition agency (信访代理): stations and their agents, cases under agency with the signed
//! authorization, errands and resolution, guarantors and their meetings, aid, the leaders'
//! reception rota and receptions, and the ledgers with the monthly report.

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery, read_multipart};
use crate::service::petition_ledgers::{self as ledgers, MonthlyReport, PetitionLedgers};
use crate::service::petition_rota::{self as rota, ReceptionLine, RotaLine};
use crate::service::petitions::{
    self as svc, PetitionFile, PetitionLine, PetitionQuery, StationLine, StoredFile,
};
use crate::service::uploads;
use crate::state::AppState;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use onewindow_core::petitions::case::{Action, NewPetition, Petition};
use onewindow_core::petitions::rota::RotaDay;
use onewindow_core::petitions::station::{NewStation, Station};
use onewindow_core::petitions::support::{Aid, Meeting, Reception};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(upload_authorization))
        .layer(DefaultBodyLimit::max(uploads::BODY_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(stations, create_station))
        .routes(routes!(set_agents))
        .routes(routes!(take))
        .routes(routes!(list))
        .routes(routes!(file))
        .routes(routes!(authorization))
        .routes(routes!(act))
        .routes(routes!(set_guarantor))
        .routes(routes!(add_meeting))
        .routes(routes!(record_aid))
        .routes(routes!(get_rota, set_rota))
        .routes(routes!(fill_rota))
        .routes(routes!(receptions, record_reception))
        .routes(routes!(get_ledgers))
        .routes(routes!(monthly))
        .merge(uploads)
}

/// The stations in the reader's region, with their agents and cases.
#[utoipa::path(get, path = "/api/v1/petition-stations", tag = "petitions",
    responses((status = 200, body = Vec<StationLine>), Errors))]
async fn stations(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<StationLine>>> {
    Ok(Json(svc::stations(&state, &auth).await?))
}

/// Set up a station in a village or community（信访代理工作站）.
#[utoipa::path(post, path = "/api/v1/petition-stations", tag = "petitions", request_body = NewStation,
    responses((status = 201, body = Station), Errors))]
async fn create_station(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(s): ApiJson<NewStation>,
) -> AppResult<(StatusCode, Json<Station>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::create_station(&state, &auth, s).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AgentsInput {
    version: i64,
    /// Agents' account ids.
    agents: Vec<i64>,
}

/// Set a station's agents（代理员）, under its version.
#[utoipa::path(put, path = "/api/v1/petition-stations/{id}/agents", tag = "petitions",
    params(("id" = i64, Path)), request_body = AgentsInput, responses((status = 200, body = Station), Errors))]
async fn set_agents(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(a): ApiJson<AgentsInput>,
) -> AppResult<Json<Station>> {
    Ok(Json(
        svc::set_agents(&state, &auth, id, a.version, a.agents).await?,
    ))
}

/// Upload a signed authorization（代理委托书）: multipart, one file (PDF, JPG or PNG, checked by
/// its content). The answer names it for the case taken in.
#[utoipa::path(post, path = "/api/v1/petition-authorizations", tag = "petitions",
    request_body(content_type = "multipart/form-data", description = "one file part"),
    responses((status = 201, body = StoredFile), Errors))]
async fn upload_authorization(
    State(state): State<AppState>,
    auth: Auth,
    mp: Multipart,
) -> AppResult<(StatusCode, Json<StoredFile>)> {
    let form = read_multipart(mp).await?;
    Ok((
        StatusCode::CREATED,
        Json(svc::upload_authorization(&state, &auth, form.files).await?),
    ))
}

/// Take a case in at a station, by one of its agents; `authorization` names the uploaded,
/// signed authorization and the day it was signed. Without it the case is refused.
#[utoipa::path(post, path = "/api/v1/petition-stations/{id}/petitions", tag = "petitions",
    params(("id" = i64, Path)), request_body = NewPetition, responses((status = 201, body = Petition), Errors))]
async fn take(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<NewPetition>,
) -> AppResult<(StatusCode, Json<Petition>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::take(&state, &auth, id, p).await?),
    ))
}

/// The cases the reader may see, petitioners' names masked.
#[utoipa::path(get, path = "/api/v1/petitions", tag = "petitions", params(PetitionQuery),
    responses((status = 200, body = Vec<PetitionLine>), Errors))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PetitionQuery>,
) -> AppResult<Json<Vec<PetitionLine>>> {
    Ok(Json(svc::list(&state, &auth, &q).await?))
}

/// A case with its petitioner, errands, trail, meetings and aid. The view is audited.
#[utoipa::path(get, path = "/api/v1/petitions/{id}", tag = "petitions", params(("id" = i64, Path)),
    responses((status = 200, body = PetitionFile), Errors))]
async fn file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<PetitionFile>> {
    Ok(Json(svc::file(&state, &auth, id).await?))
}

/// The signed authorization's file. The view is audited.
#[utoipa::path(get, path = "/api/v1/petitions/{id}/authorization", tag = "petitions",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), Errors))]
async fn authorization(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (f, bytes) = svc::authorization_file(&state, &auth, id).await?;
    Ok(authorization_response(id, f, bytes))
}

/// The authorization as a download, never shown as a page of ours.
pub fn authorization_response(id: i64, f: StoredFile, bytes: Vec<u8>) -> Response {
    let file = onewindow_store::CaseFile {
        id,
        case_id: None,
        bundle_id: None,
        material: "authorization".into(),
        content_type: uploads::mime_of(&f.file_name).to_string(),
        size: bytes.len() as i64,
        file_name: f.file_name,
        sha256: f.sha256,
        uploaded_by: None,
        uploaded_at: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
    };
    super::cases::file_response(&file, bytes)
}

/// An action with the version it was read at.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PetitionAct {
    pub version: i64,
    #[serde(flatten)]
    pub action: Action,
}

/// One step, by the station's agents or the office: `errand` (department_id, task, deadline),
/// `outcome` (step, outcome), `visit` (the petitioner came, at most once), `resolve`
/// (outcome, required; no errand open), `feedback` (satisfaction 1–5, note).
#[utoipa::path(post, path = "/api/v1/petitions/{id}/actions", tag = "petitions", params(("id" = i64, Path)),
    request_body = PetitionAct, responses((status = 200, body = Petition), Errors))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(a): ApiJson<PetitionAct>,
) -> AppResult<Json<Petition>> {
    Ok(Json(
        svc::act(&state, &auth, id, a.version, a.action).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct GuarantorInput {
    version: i64,
    /// A leader's account, or null to clear.
    leader_id: Option<i64>,
}

/// Name the leader who guarantees the case（包保）; the office only.
#[utoipa::path(put, path = "/api/v1/petitions/{id}/guarantor", tag = "petitions", params(("id" = i64, Path)),
    request_body = GuarantorInput, responses((status = 200, body = Petition), Errors))]
async fn set_guarantor(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(g): ApiJson<GuarantorInput>,
) -> AppResult<Json<Petition>> {
    Ok(Json(
        svc::set_guarantor(&state, &auth, id, g.version, g.leader_id).await?,
    ))
}

/// Record the guarantor's meeting on the case (by the guarantor or the office).
#[utoipa::path(post, path = "/api/v1/petitions/{id}/meetings", tag = "petitions", params(("id" = i64, Path)),
    request_body = Meeting, responses((status = 204), Errors))]
async fn add_meeting(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(m): ApiJson<Meeting>,
) -> AppResult<StatusCode> {
    svc::add_meeting(&state, &auth, id, m).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Record hardship aid（困难救助, with its amount in fen）or a legal-aid referral（法律援助）.
#[utoipa::path(post, path = "/api/v1/petitions/{id}/aid", tag = "petitions", params(("id" = i64, Path)),
    request_body = Aid, responses((status = 204), Errors))]
async fn record_aid(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(a): ApiJson<Aid>,
) -> AppResult<StatusCode> {
    svc::record_aid(&state, &auth, id, a).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct Period {
    from: NaiveDate,
    to: NaiveDate,
}

/// The leaders' reception rota（领导接访排班）from `from` to `to`.
#[utoipa::path(get, path = "/api/v1/petition-rota", tag = "petitions", params(Period),
    responses((status = 200, body = Vec<RotaLine>), Errors))]
async fn get_rota(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<Period>,
) -> AppResult<Json<Vec<RotaLine>>> {
    Ok(Json(rota::rota(&state, &auth, p.from, p.to).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RotaInput {
    days: Vec<RotaDay>,
}

#[derive(Debug, Serialize, ToSchema)]
struct DaysSet {
    days: usize,
}

/// Set rota days by hand: working days only (a holiday is refused, naming the day).
#[utoipa::path(put, path = "/api/v1/petition-rota", tag = "petitions", request_body = RotaInput,
    responses((status = 200, body = DaysSet), Errors))]
async fn set_rota(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<RotaInput>,
) -> AppResult<Json<DaysSet>> {
    Ok(Json(DaysSet {
        days: rota::set_days(&state, &auth, r.days).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct FillInput {
    /// Leaders' account ids, in turn.
    leaders: Vec<i64>,
    from: NaiveDate,
    to: NaiveDate,
}

/// Fill the working days from `from` to `to` with the leaders in turn（循环排班）.
#[utoipa::path(post, path = "/api/v1/petition-rota/in-turn", tag = "petitions", request_body = FillInput,
    responses((status = 200, body = DaysSet), Errors))]
async fn fill_rota(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(f): ApiJson<FillInput>,
) -> AppResult<Json<DaysSet>> {
    Ok(Json(DaysSet {
        days: rota::fill(&state, &auth, f.leaders, f.from, f.to).await?,
    }))
}

/// Receptions in the period: all for the office, a leader's own for a leader.
#[utoipa::path(get, path = "/api/v1/petition-receptions", tag = "petitions", params(Period),
    responses((status = 200, body = Vec<ReceptionLine>), Errors))]
async fn receptions(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<Period>,
) -> AppResult<Json<Vec<ReceptionLine>>> {
    Ok(Json(rota::receptions(&state, &auth, p.from, p.to).await?))
}

/// Record a reception by the day's leader（领导接访）, tied to a case by `petition_id` if any.
#[utoipa::path(post, path = "/api/v1/petition-receptions", tag = "petitions", request_body = Reception,
    responses((status = 204), Errors))]
async fn record_reception(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<Reception>,
) -> AppResult<StatusCode> {
    rota::record(&state, &auth, r).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LedgerParams {
    /// The region (the reader's by default).
    region_id: Option<i64>,
    /// The first day (1 January of `to`'s year by default).
    from: Option<NaiveDate>,
    /// The last day (today by default).
    to: Option<NaiveDate>,
}

/// The backlog and new-case ledgers（减存台账/新增台账）of a period, by area, with the
/// guaranteed cases and the aid.
#[utoipa::path(get, path = "/api/v1/petition-ledgers", tag = "petitions", params(LedgerParams),
    responses((status = 200, body = PetitionLedgers), Errors))]
async fn get_ledgers(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<LedgerParams>,
) -> AppResult<Json<PetitionLedgers>> {
    Ok(Json(
        ledgers::ledgers(&state, &auth, p.region_id, p.from, p.to).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MonthParams {
    region_id: Option<i64>,
    /// "YYYY-MM" (this month by default).
    month: Option<String>,
}

/// The monthly report: the month and the year to its end.
#[utoipa::path(get, path = "/api/v1/petition-ledgers/monthly", tag = "petitions", params(MonthParams),
    responses((status = 200, body = MonthlyReport), Errors))]
async fn monthly(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<MonthParams>,
) -> AppResult<Json<MonthlyReport>> {
    Ok(Json(
        ledgers::monthly(&state, &auth, p.region_id, p.month.as_deref()).await?,
    ))
}
