//! Grid governance (网格化管理): grids and their boundaries, categories, the district's rules,
//! community problems through their flow, ledgers, patrols.

use super::Errors;
use super::cases::file_response;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery, read_multipart};
use crate::service::events::{
    self as ev, EventAct, EventLine, EventQuery, EventStats, EventView, Reported, Reporter,
};
use crate::service::grid::{
    self as svc, CategoryUpdate, CheckinInput, CoverageLine, GridLine, ImportResult, IssuedKey,
    LandmarkImport, PatrolReport, StaffInput,
};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use onewindow_core::grid::category::{Answers, Category, NewCategory};
use onewindow_core::grid::event::Source;
use onewindow_core::grid::report::{Event, GridRules, NewEvent, Point};
use onewindow_store::{CaseFile, Checkin, EventPhoto};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(add_photos))
        .layer(DefaultBodyLimit::max(crate::service::uploads::BODY_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(grids))
        .routes(routes!(import, export))
        .routes(routes!(import_landmarks, export_landmarks))
        .routes(routes!(place))
        .routes(routes!(coverage))
        .routes(routes!(staff))
        .routes(routes!(categories, create_category))
        .routes(routes!(update_category))
        .routes(routes!(rules, save_rules))
        .routes(routes!(report, list))
        .routes(routes!(stats))
        .routes(routes!(view))
        .routes(routes!(act))
        .routes(routes!(photo))
        .routes(routes!(check_in, patrols))
        .routes(routes!(issue_key))
        .merge(uploads)
}

/// Every grid, by level and code, with its region, leader, workers and boundary.
#[utoipa::path(get, path = "/api/v1/grids", tag = "grid",
    responses((status = 200, body = Vec<GridLine>), Errors))]
async fn grids(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<GridLine>>> {
    Ok(Json(svc::list(&state, &auth).await?))
}

/// Import grids from a GeoJSON FeatureCollection (`code`, `name`, `level`, `parent` in each
/// feature's properties). New codes are added, known ones updated; a file with any problem
/// imports nothing.
#[utoipa::path(post, path = "/api/v1/grids/geojson", tag = "grid",
    request_body(content = Object, content_type = "application/geo+json"),
    responses((status = 200, body = ImportResult), Errors))]
async fn import(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> AppResult<Json<ImportResult>> {
    Ok(Json(svc::import(&state, &auth, &body).await?))
}

/// Every grid as a GeoJSON FeatureCollection, as the import reads it.
#[utoipa::path(get, path = "/api/v1/grids/geojson", tag = "grid",
    responses((status = 200, body = Object, content_type = "application/geo+json"), Errors))]
async fn export(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let doc = svc::export(&state, &auth).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
        doc.to_string(),
    )
        .into_response())
}

/// Replace the district's landmarks (地标) with a GeoJSON FeatureCollection of points (`name`
/// and `kind` in each feature's properties). A reported point is named by its grid and the
/// nearest landmark. A file with any problem changes nothing.
#[utoipa::path(post, path = "/api/v1/grids/landmarks", tag = "grid",
    request_body(content = Object, content_type = "application/geo+json"),
    responses((status = 200, body = LandmarkImport), Errors))]
async fn import_landmarks(
    State(state): State<AppState>,
    auth: Auth,
    body: Bytes,
) -> AppResult<Json<LandmarkImport>> {
    Ok(Json(svc::import_landmarks(&state, &auth, &body).await?))
}

/// The landmarks as a GeoJSON FeatureCollection, as the import reads it.
#[utoipa::path(get, path = "/api/v1/grids/landmarks", tag = "grid",
    responses((status = 200, body = Object, content_type = "application/geo+json"), Errors))]
async fn export_landmarks(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let doc = svc::export_landmarks(&state, &auth).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
        doc.to_string(),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PlaceParams {
    /// Longitude (WGS 84 degrees).
    lon: f64,
    /// Latitude (WGS 84 degrees).
    lat: f64,
}

/// A point as people name it: its grid and where it is from the nearest landmark
/// ("滨海街道第1片区第3网格，滨海社区居委会东北约150米"). The report forms name a picked place
/// with it. Public, as the map is.
#[utoipa::path(get, path = "/api/v1/grids/place", tag = "grid", security(()), params(PlaceParams),
    responses((status = 200, body = svc::PlaceName), Errors))]
async fn place(
    State(state): State<AppState>,
    lang: crate::lang::ReqLang,
    ApiQuery(p): ApiQuery<PlaceParams>,
) -> AppResult<Json<svc::PlaceName>> {
    Ok(Json(
        svc::name_place(
            &state,
            Point {
                lon: p.lon,
                lat: p.lat,
            },
            lang.0,
        )
        .await?,
    ))
}

/// The coverage check: each grid's gaps, its children's overlaps and strays.
#[utoipa::path(get, path = "/api/v1/grids/coverage", tag = "grid",
    responses((status = 200, body = Vec<CoverageLine>), Errors))]
async fn coverage(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<CoverageLine>>> {
    Ok(Json(svc::coverage(&state, &auth).await?))
}

/// Name a grid's region, leader (网格长) and workers (网格员).
#[utoipa::path(put, path = "/api/v1/grids/{id}/staff", tag = "grid", params(("id" = i64, Path)),
    request_body = StaffInput, responses((status = 200, body = GridLine), Errors))]
async fn staff(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StaffInput>,
) -> AppResult<Json<GridLine>> {
    svc::set_staff(&state, &auth, id, input.clone()).await?;
    Ok(Json(svc::line(&state, id).await?))
}

/// The categories of problems, with their departments, limits and questions (also Open311's
/// services). Public.
#[utoipa::path(get, path = "/api/v1/grid/categories", tag = "grid", security(()),
    responses((status = 200, body = Vec<Category>), Errors))]
async fn categories(State(state): State<AppState>) -> AppResult<Json<Vec<Category>>> {
    Ok(Json(svc::categories(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/grid/categories", tag = "grid", request_body = NewCategory,
    responses((status = 201, body = Category), Errors))]
async fn create_category(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(c): ApiJson<NewCategory>,
) -> AppResult<(StatusCode, Json<Category>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::create_category(&state, &auth, c).await?),
    ))
}

/// The body of a category edit as the document shows it: the category's fields and the version
/// it was read at, in one object. The handler reads it as `CategoryUpdate` (the new category
/// flattened), whose generated schema would forbid `version` by the category's closed field list.
#[derive(ToSchema)]
#[allow(dead_code)]
struct CategoryEdit {
    version: i64,
    /// Default true.
    active: Option<bool>,
    code: String,
    name: String,
    group: Option<String>,
    description: Option<String>,
    keywords: Option<String>,
    department_id: Option<i64>,
    limit: onewindow_core::grid::limit::Limit,
    attributes: Option<Vec<onewindow_core::grid::category::Attribute>>,
}

#[utoipa::path(put, path = "/api/v1/grid/categories/{id}", tag = "grid", params(("id" = i64, Path)),
    request_body = CategoryEdit, responses((status = 200, body = Category), Errors))]
async fn update_category(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<CategoryUpdate>,
) -> AppResult<Json<Category>> {
    Ok(Json(svc::update_category(&state, &auth, id, c).await?))
}

/// The district's step limits and duplicate-hint distance and period.
#[utoipa::path(get, path = "/api/v1/grid/rules", tag = "grid",
    responses((status = 200, body = GridRules), Errors))]
async fn rules(State(state): State<AppState>, _auth: Auth) -> AppResult<Json<GridRules>> {
    Ok(Json(svc::rules(&state).await?))
}

#[utoipa::path(put, path = "/api/v1/grid/rules", tag = "grid", request_body = GridRules,
    responses((status = 200, body = GridRules), Errors))]
async fn save_rules(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<GridRules>,
) -> AppResult<Json<GridRules>> {
    Ok(Json(svc::save_rules(&state, &auth, r).await?))
}

/// A report as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// grid (grid workers), citizen (the public), hotline or ledger (the command centre).
    pub source: Source,
    pub category_id: Option<i64>,
    pub description: String,
    #[serde(default)]
    pub address: String,
    pub point: Option<Point>,
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_phone: String,
    #[serde(default)]
    pub reporter_email: String,
    /// Answers to the category's questions, by code.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: Answers,
}

/// Report a problem（上报）. Placed in its grid by its point (a point outside every grid is
/// refused); returned with the earlier reports of the same category nearby (duplicate hints).
#[utoipa::path(post, path = "/api/v1/events", tag = "grid", request_body = ReportInput,
    responses((status = 201, body = Reported), Errors))]
async fn report(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<ReportInput>,
) -> AppResult<(StatusCode, Json<Reported>)> {
    let e = NewEvent {
        category_id: r.category_id,
        description: r.description,
        address: r.address,
        point: r.point,
        reporter_name: r.reporter_name,
        reporter_phone: r.reporter_phone,
        reporter_email: r.reporter_email,
    };
    let out = ev::report(
        &state,
        Reporter::Person(&auth),
        r.source,
        e,
        &r.answers,
        Vec::new(),
        None,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ev::with_duplicates(&state, out).await?),
    ))
}

/// Events in scope (staff) or one's own (the public), newest first; `mine` gives the reader's
/// work queue.
#[utoipa::path(get, path = "/api/v1/events", tag = "grid", params(EventQuery),
    responses((status = 200, body = Vec<EventLine>), Errors))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> AppResult<Json<Vec<EventLine>>> {
    Ok(Json(ev::list(&state, &auth, &q).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct PeriodParams {
    /// First day (YYYY-MM-DD); 29 days before `to` when left out.
    from: Option<chrono::NaiveDate>,
    /// Last day (YYYY-MM-DD); today when left out.
    to: Option<chrono::NaiveDate>,
}

/// The ledger's figures（台账统计）: received, registered, closed, closure and on-time rates, by
/// grid, level, category and department.
#[utoipa::path(get, path = "/api/v1/events/stats", tag = "grid", params(PeriodParams),
    responses((status = 200, body = EventStats), Errors))]
async fn stats(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> AppResult<Json<EventStats>> {
    Ok(Json(ev::stats(&state, &auth, p.from, p.to).await?))
}

/// An event with its trail, photos, light, duplicate hints and the actions open to the reader.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "grid", params(("id" = i64, Path)),
    responses((status = 200, body = EventView), Errors))]
async fn view(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<EventView>> {
    Ok(Json(ev::view(&state, &auth, id).await?))
}

/// One step: `register`, `decline`, `dispatch`, `sign`, `return`, `request_extension`,
/// `decide_extension`, `feed_back`, `verify` (with a photo's sha256), `close`, `urge`,
/// `callback`; with the version read.
#[utoipa::path(post, path = "/api/v1/events/{id}/actions", tag = "grid", params(("id" = i64, Path)),
    request_body = EventAct, responses((status = 200, body = Event), Errors))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EventAct>,
) -> AppResult<Json<Event>> {
    Ok(Json(ev::act(&state, &auth, id, input).await?))
}

/// Add photos (multipart, `file` fields; JPEG, PNG or GIF up to 10 MiB, checked by content).
#[utoipa::path(post, path = "/api/v1/events/{id}/photos", tag = "grid", params(("id" = i64, Path)),
    request_body(content = String, content_type = "multipart/form-data"),
    responses((status = 201, body = Vec<EventPhoto>), Errors))]
async fn add_photos(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<(StatusCode, Json<Vec<EventPhoto>>)> {
    let form = read_multipart(mp).await?;
    Ok((
        StatusCode::CREATED,
        Json(ev::add_photos(&state, &auth, id, form.files).await?),
    ))
}

/// A photo of an event.
#[utoipa::path(get, path = "/api/v1/events/{id}/photos/{photo_id}", tag = "grid",
    params(("id" = i64, Path), ("photo_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), Errors))]
async fn photo(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, photo_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (p, bytes) = ev::photo(&state, &auth, id, photo_id).await?;
    Ok(file_response(&photo_file(&p), bytes))
}

/// A photo as the file download sends it.
pub fn photo_file(p: &EventPhoto) -> CaseFile {
    CaseFile {
        id: p.id,
        case_id: None,
        bundle_id: None,
        material: p.stage.clone(),
        file_name: p.file_name.clone(),
        content_type: p.content_type.clone(),
        size: p.size,
        sha256: p.sha256.clone(),
        uploaded_by: None,
        uploaded_at: p.added_at,
    }
}

/// Check in on patrol（巡查打卡） where one stands.
#[utoipa::path(post, path = "/api/v1/patrols", tag = "grid", request_body = CheckinInput,
    responses((status = 201, body = Checkin), Errors))]
async fn check_in(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<CheckinInput>,
) -> AppResult<(StatusCode, Json<Checkin>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::check_in(&state, &auth, input).await?),
    ))
}

/// Patrols of a period（巡查记录）: by worker and by grid, the grids nobody visited, and the
/// check-ins. A grid worker sees their own.
#[utoipa::path(get, path = "/api/v1/patrols", tag = "grid", params(PeriodParams),
    responses((status = 200, body = PatrolReport), Errors))]
async fn patrols(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<PeriodParams>,
) -> AppResult<Json<PatrolReport>> {
    Ok(Json(svc::patrols(&state, &auth, p.from, p.to).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRequest {
    /// The client the key is for (an app, a partner system).
    pub name: String,
}

/// Issue an Open311 api key to a client. The key is shown in this answer only.
#[utoipa::path(post, path = "/api/v1/open311/keys", tag = "grid", request_body = KeyRequest,
    responses((status = 201, body = IssuedKey), Errors))]
async fn issue_key(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(r): ApiJson<KeyRequest>,
) -> AppResult<(StatusCode, Json<IssuedKey>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::issue_key(&state, &auth, &r.name).await?),
    ))
}
