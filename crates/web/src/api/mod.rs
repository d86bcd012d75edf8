//! The JSON API under `/api/v1`. Every handler is registered through `OpenApiRouter`, so the
//! OpenAPI document at `/api/openapi.json` lists exactly the endpoints that exist.

mod appointments;
mod audit;
mod auth;
pub mod cases;
pub mod catalog;
mod complaints;
mod enterprise;
mod evaluation;
mod grid;
mod hall;
mod ops;
mod org;
pub mod petitions;
mod supervision;
mod supervisors;
mod users;

use crate::error::ErrorBody;
use crate::state::AppState;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "OneWindow (一窗通) API",
        description = "The platform's JSON API. Sign in with POST /api/v1/auth/token and send the token as `Authorization: Bearer TOKEN`. Errors are `{code, message, field}`; messages are in Chinese, or English with `Accept-Language: en`."
    ),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    security(("bearer" = []))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
            c.add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("ow_session"))),
            );
        }
    }
}

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(ops::router())
        .merge(auth::router())
        .merge(org::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(catalog::router())
        .merge(cases::router())
        .merge(hall::router())
        .merge(appointments::router())
        .merge(supervision::router())
        .merge(evaluation::router())
        .merge(complaints::router())
        .merge(supervisors::router())
        .merge(grid::router())
        .merge(enterprise::router())
        .merge(petitions::router())
        .split_for_parts()
}

/// Standard error responses, referenced by every path. Only the OpenAPI document uses this type;
/// the errors themselves are `AppError`s.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Errors {
    /// Malformed body or parameter; `field` names it.
    #[response(status = 400)]
    BadRequest(#[to_schema] ErrorBody),
    /// Not signed in.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Out of role or scope.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such record.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Duplicate value or stale version.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// Body too large.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// A value breaks a rule; `field` names it.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many attempts from one address or for one account (signing in, progress look-ups,
    /// rating links): wait and try again.
    #[response(status = 429)]
    Throttled(ErrorBody),
}
