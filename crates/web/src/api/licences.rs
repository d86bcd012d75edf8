//! Electronic licences (电子证照): the departments' public seal keys, for anyone to verify a
//! licence with (online at `/verify/{code}`, or offline against a downloaded file).

use super::Errors;
use crate::error::AppResult;
use crate::service::licences as svc;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use onewindow_core::licence::seal::PublishedKey;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(keys))
}

/// Every issuing department's seal keys (SM2, SEC1 public points in hex), the active one and
/// those rotated out, which still verify what they signed. Public: publishing them is what
/// lets anyone check a licence.
#[utoipa::path(get, path = "/api/v1/licence-keys", tag = "licences", security(()),
    responses((status = 200, body = Vec<PublishedKey>), Errors))]
async fn keys(State(state): State<AppState>) -> AppResult<Json<Vec<PublishedKey>>> {
    Ok(Json(svc::public_keys(&state).await?))
}
