//! Staff and public accounts.

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::extract::ApiPath as Path;
use crate::service::users;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::identity::{NewUser, PasswordReset, User, UserUpdate};
use onewindow_core::org::ActiveChange;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(set_user_active))
        .routes(routes!(reset_password))
        .routes(routes!(set_photo))
}

/// Set a staff member's photo for the screen over their window（工作人员照片）: the request
/// body is the PNG or JPEG image itself, at most 1 MB, judged by its content.
#[utoipa::path(put, path = "/api/v1/users/{id}/photo", tag = "users", params(("id" = i64, Path)), request_body(content = Vec<u8>, content_type = "image/jpeg"), responses((status = 204), Errors))]
async fn set_photo(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> AppResult<StatusCode> {
    users::set_photo(&state, &auth, id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The accounts the caller may see.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, body = Vec<User>), Errors))]
async fn list_users(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<User>>> {
    Ok(Json(users::users(&state, &auth).await?))
}

/// Create an account（新增账号）. Staff need a department or a region inside the caller's scope.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, responses((status = 201, body = User), Errors))]
async fn create_user(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(new): ApiJson<NewUser>,
) -> AppResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(users::create_user(&state, &auth, new).await?),
    ))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), responses((status = 200, body = User), Errors))]
async fn get_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<User>> {
    Ok(Json(users::user(&state, &auth, id).await?))
}

/// Edit an account. A change of roles or scope ends the account's sessions.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserUpdate, responses((status = 200, body = User), Errors))]
async fn update_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(upd): ApiJson<UserUpdate>,
) -> AppResult<Json<User>> {
    Ok(Json(users::update_user(&state, &auth, id, upd).await?))
}

/// Deactivate or reactivate an account. Deactivation ends its sessions.
#[utoipa::path(put, path = "/api/v1/users/{id}/active", tag = "users", params(("id" = i64, Path)), request_body = ActiveChange, responses((status = 200, body = User), Errors))]
async fn set_user_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<ActiveChange>,
) -> AppResult<Json<User>> {
    Ok(Json(
        users::set_user_active(&state, &auth, id, c.version, c.active).await?,
    ))
}

/// Set a new password for an account（重置密码）. All its sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = i64, Path)), request_body = PasswordReset, responses((status = 204), Errors))]
async fn reset_password(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<PasswordReset>,
) -> AppResult<StatusCode> {
    users::reset_password(&state, &auth, id, r).await?;
    Ok(StatusCode::NO_CONTENT)
}
