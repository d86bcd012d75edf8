//! Tokens for integrations, the caller's own account, password change and preferences.

use super::Errors;
use crate::auth::{Auth, Origin};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::service::{session, users};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use onewindow_core::Lang;
use onewindow_core::identity::{PasswordChange, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token, revoke_token))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(preferences))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

/// Sign in and receive a bearer token. Five failures for one account (or twenty from one
/// address) within fifteen minutes lock it for the rest of the window (429).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", security(()),
    request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 429, body = crate::error::ErrorBody), Errors))]
async fn create_token(
    State(state): State<AppState>,
    origin: Origin,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<Json<TokenResponse>> {
    let s = session::sign_in(&state, &origin, &req.username, &req.password, "bearer").await?;
    Ok(Json(TokenResponse {
        token: s.token,
        expires_at: s.session.expires_at,
        user: s.user,
    }))
}

/// Revoke the token (or end the session) this request is made with.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", responses((status = 204), Errors))]
async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
) -> AppResult<StatusCode> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| crate::lang::cookie(&headers, crate::auth::SESSION_COOKIE).map(str::to_string))
        .ok_or_else(AppError::unauthorized)?;
    state
        .store
        .end_session(&auth.ctx(), &crate::auth::token_hash(&token))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    /// For browser sessions: the token to send as `X-CSRF-Token` on changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), Errors))]
async fn me(auth: Auth) -> Json<Me> {
    Json(Me {
        csrf_token: (!auth.bearer).then(|| auth.session.csrf_token.clone()),
        user: auth.user,
    })
}

/// Change one's own password. Every other session of the account ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), Errors))]
async fn change_password(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    users::change_password(&state, &auth, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// Large text and high contrast (适老化).
    pub large_text: Option<bool>,
    #[schema(value_type = Option<String>, example = "zh")]
    pub lang: Option<Lang>,
}

/// Save one's display preferences.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "auth", request_body = Preferences,
    responses((status = 200, body = User), Errors))]
async fn preferences(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(p): ApiJson<Preferences>,
) -> AppResult<Json<User>> {
    Ok(Json(
        users::set_preferences(&state, &auth, p.large_text, p.lang).await?,
    ))
}
