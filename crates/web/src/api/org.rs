//! Regions, departments, halls, zones and windows. Records are never deleted: `PUT …/active`
//! deactivates or reactivates them. Every change carries the `version` read (409 when stale).

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::extract::ApiPath as Path;
use crate::service::org;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::org::*;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regions, create_region))
        .routes(routes!(get_region, update_region))
        .routes(routes!(set_region_active))
        .routes(routes!(list_departments, create_department))
        .routes(routes!(get_department, update_department))
        .routes(routes!(set_department_active))
        .routes(routes!(list_halls, create_hall))
        .routes(routes!(get_hall, update_hall))
        .routes(routes!(set_hall_active))
        .routes(routes!(list_zones, create_zone))
        .routes(routes!(get_zone, update_zone))
        .routes(routes!(set_zone_active))
        .routes(routes!(list_windows, create_window))
        .routes(routes!(get_window, update_window))
        .routes(routes!(set_window_active))
}

/// The regions the caller may see.
#[utoipa::path(get, path = "/api/v1/regions", tag = "organisation", responses((status = 200, body = Vec<Region>), Errors))]
async fn list_regions(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Region>>> {
    Ok(Json(org::regions(&state, &auth).await?))
}

/// Create a region（新增区划）.
#[utoipa::path(post, path = "/api/v1/regions", tag = "organisation", request_body = NewRegion, responses((status = 201, body = Region), Errors))]
async fn create_region(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(new): ApiJson<NewRegion>,
) -> AppResult<(StatusCode, Json<Region>)> {
    Ok((
        StatusCode::CREATED,
        Json(org::create_region(&state, &auth, new).await?),
    ))
}

/// One region.
#[utoipa::path(get, path = "/api/v1/regions/{id}", tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Region), Errors))]
async fn get_region(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Region>> {
    Ok(Json(org::region(&state, &auth, id).await?))
}

/// Edit a region: fields left out are kept.
#[utoipa::path(patch, path = "/api/v1/regions/{id}", tag = "organisation", params(("id" = i64, Path)), request_body = RegionUpdate, responses((status = 200, body = Region), Errors))]
async fn update_region(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(upd): ApiJson<RegionUpdate>,
) -> AppResult<Json<Region>> {
    Ok(Json(org::update_region(&state, &auth, id, upd).await?))
}

/// Deactivate or reactivate a region（停用/启用区划）.
#[utoipa::path(put, path = "/api/v1/regions/{id}/active", tag = "organisation", params(("id" = i64, Path)), request_body = ActiveChange, responses((status = 200, body = Region), Errors))]
async fn set_region_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<ActiveChange>,
) -> AppResult<Json<Region>> {
    Ok(Json(
        org::set_region_active(&state, &auth, id, c.version, c.active).await?,
    ))
}

/// The departments the caller may see.
#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation", responses((status = 200, body = Vec<Department>), Errors))]
async fn list_departments(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<Department>>> {
    Ok(Json(org::departments(&state, &auth).await?))
}

/// Create a department（新增部门）.
#[utoipa::path(post, path = "/api/v1/departments", tag = "organisation", request_body = NewDepartment, responses((status = 201, body = Department), Errors))]
async fn create_department(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(new): ApiJson<NewDepartment>,
) -> AppResult<(StatusCode, Json<Department>)> {
    Ok((
        StatusCode::CREATED,
        Json(org::create_department(&state, &auth, new).await?),
    ))
}

/// One department.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Department), Errors))]
async fn get_department(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Department>> {
    Ok(Json(org::department(&state, &auth, id).await?))
}

/// Edit a department: fields left out are kept.
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = i64, Path)), request_body = DepartmentUpdate, responses((status = 200, body = Department), Errors))]
async fn update_department(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(upd): ApiJson<DepartmentUpdate>,
) -> AppResult<Json<Department>> {
    Ok(Json(org::update_department(&state, &auth, id, upd).await?))
}

/// Deactivate or reactivate a department（停用/启用部门）.
#[utoipa::path(put, path = "/api/v1/departments/{id}/active", tag = "organisation", params(("id" = i64, Path)), request_body = ActiveChange, responses((status = 200, body = Department), Errors))]
async fn set_department_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<ActiveChange>,
) -> AppResult<Json<Department>> {
    Ok(Json(
        org::set_department_active(&state, &auth, id, c.version, c.active).await?,
    ))
}

/// The halls the caller may see.
#[utoipa::path(get, path = "/api/v1/halls", tag = "organisation", responses((status = 200, body = Vec<Hall>), Errors))]
async fn list_halls(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Hall>>> {
    Ok(Json(org::halls(&state, &auth).await?))
}

/// Create a hall（新增大厅）.
#[utoipa::path(post, path = "/api/v1/halls", tag = "organisation", request_body = NewHall, responses((status = 201, body = Hall), Errors))]
async fn create_hall(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(new): ApiJson<NewHall>,
) -> AppResult<(StatusCode, Json<Hall>)> {
    Ok((
        StatusCode::CREATED,
        Json(org::create_hall(&state, &auth, new).await?),
    ))
}

/// One hall.
#[utoipa::path(get, path = "/api/v1/halls/{id}", tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Hall), Errors))]
async fn get_hall(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Hall>> {
    Ok(Json(org::hall(&state, &auth, id).await?))
}

/// Edit a hall: fields left out are kept.
#[utoipa::path(patch, path = "/api/v1/halls/{id}", tag = "organisation", params(("id" = i64, Path)), request_body = HallUpdate, responses((status = 200, body = Hall), Errors))]
async fn update_hall(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(upd): ApiJson<HallUpdate>,
) -> AppResult<Json<Hall>> {
    Ok(Json(org::update_hall(&state, &auth, id, upd).await?))
}

/// Deactivate or reactivate a hall（停用/启用大厅）.
#[utoipa::path(put, path = "/api/v1/halls/{id}/active", tag = "organisation", params(("id" = i64, Path)), request_body = ActiveChange, responses((status = 200, body = Hall), Errors))]
async fn set_hall_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<ActiveChange>,
) -> AppResult<Json<Hall>> {
    Ok(Json(
        org::set_hall_active(&state, &auth, id, c.version, c.active).await?,
    ))
}

/// The zones of a hall.
#[utoipa::path(get, path = "/api/v1/halls/{hall_id}/zones", tag = "organisation", params(("hall_id" = i64, Path)), responses((status = 200, body = Vec<Zone>), Errors))]
async fn list_zones(
    State(state): State<AppState>,
    auth: Auth,
    Path(hall_id): Path<i64>,
) -> AppResult<Json<Vec<Zone>>> {
    Ok(Json(org::zones(&state, &auth, hall_id).await?))
}

/// Add a zone to a hall（新增分区）.
#[utoipa::path(post, path = "/api/v1/halls/{hall_id}/zones", tag = "organisation", params(("hall_id" = i64, Path)), request_body = NewZone, responses((status = 201, body = Zone), Errors))]
async fn create_zone(
    State(state): State<AppState>,
    auth: Auth,
    Path(hall_id): Path<i64>,
    ApiJson(new): ApiJson<NewZone>,
) -> AppResult<(StatusCode, Json<Zone>)> {
    Ok((
        StatusCode::CREATED,
        Json(org::create_zone(&state, &auth, hall_id, new).await?),
    ))
}

/// One zone.
#[utoipa::path(get, path = "/api/v1/zones/{id}", tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Zone), Errors))]
async fn get_zone(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Zone>> {
    Ok(Json(org::zone(&state, &auth, id).await?))
}

/// Edit a zone: fields left out are kept.
#[utoipa::path(patch, path = "/api/v1/zones/{id}", tag = "organisation", params(("id" = i64, Path)), request_body = ZoneUpdate, responses((status = 200, body = Zone), Errors))]
async fn update_zone(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(upd): ApiJson<ZoneUpdate>,
) -> AppResult<Json<Zone>> {
    Ok(Json(org::update_zone(&state, &auth, id, upd).await?))
}

/// Deactivate or reactivate a zone（停用/启用分区）.
#[utoipa::path(put, path = "/api/v1/zones/{id}/active", tag = "organisation", params(("id" = i64, Path)), request_body = ActiveChange, responses((status = 200, body = Zone), Errors))]
async fn set_zone_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<ActiveChange>,
) -> AppResult<Json<Zone>> {
    Ok(Json(
        org::set_zone_active(&state, &auth, id, c.version, c.active).await?,
    ))
}

/// The windows of a hall.
#[utoipa::path(get, path = "/api/v1/halls/{hall_id}/windows", tag = "organisation", params(("hall_id" = i64, Path)), responses((status = 200, body = Vec<Window>), Errors))]
async fn list_windows(
    State(state): State<AppState>,
    auth: Auth,
    Path(hall_id): Path<i64>,
) -> AppResult<Json<Vec<Window>>> {
    Ok(Json(org::windows(&state, &auth, hall_id).await?))
}

/// Add a window to a hall（新增窗口）.
#[utoipa::path(post, path = "/api/v1/halls/{hall_id}/windows", tag = "organisation", params(("hall_id" = i64, Path)), request_body = NewWindow, responses((status = 201, body = Window), Errors))]
async fn create_window(
    State(state): State<AppState>,
    auth: Auth,
    Path(hall_id): Path<i64>,
    ApiJson(new): ApiJson<NewWindow>,
) -> AppResult<(StatusCode, Json<Window>)> {
    Ok((
        StatusCode::CREATED,
        Json(org::create_window(&state, &auth, hall_id, new).await?),
    ))
}

/// One window.
#[utoipa::path(get, path = "/api/v1/windows/{id}", tag = "organisation", params(("id" = i64, Path)), responses((status = 200, body = Window), Errors))]
async fn get_window(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Window>> {
    Ok(Json(org::window(&state, &auth, id).await?))
}

/// Edit a window: fields left out are kept.
#[utoipa::path(patch, path = "/api/v1/windows/{id}", tag = "organisation", params(("id" = i64, Path)), request_body = WindowUpdate, responses((status = 200, body = Window), Errors))]
async fn update_window(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(upd): ApiJson<WindowUpdate>,
) -> AppResult<Json<Window>> {
    Ok(Json(org::update_window(&state, &auth, id, upd).await?))
}

/// Deactivate or reactivate a window（停用/启用窗口）.
#[utoipa::path(put, path = "/api/v1/windows/{id}/active", tag = "organisation", params(("id" = i64, Path)), request_body = ActiveChange, responses((status = 200, body = Window), Errors))]
async fn set_window_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<ActiveChange>,
) -> AppResult<Json<Window>> {
    Ok(Json(
        org::set_window_active(&state, &auth, id, c.version, c.active).await?,
    ))
}
