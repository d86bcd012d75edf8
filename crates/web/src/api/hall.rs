//! The service hall: business categories (public to the kiosk) and the categories each window
//! calls, in its order.

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::extract::ApiPath as Path;
use crate::service::hall;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::hall::category::{Category, NewCategory};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(get_window_categories, set_window_categories))
}

/// The categories a window calls, first served first.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowCategories {
    pub category_ids: Vec<i64>,
}

/// The business categories of a hall（业务类别）, as the kiosk offers them; no sign-in needed.
#[utoipa::path(get, path = "/api/v1/halls/{hall_id}/categories", tag = "hall", params(("hall_id" = i64, Path)), responses((status = 200, body = Vec<Category>), Errors))]
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
