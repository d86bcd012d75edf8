//! Electronic licences (电子证照): the departments' public seal keys, for anyone to verify a
//! licence with (online at `/verify/{code}`, or offline against a downloaded file).

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiQuery;
use crate::service::licences as svc;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use onewindow_core::licence::Licence;
use onewindow_core::licence::seal::PublishedKey;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(keys))
        .routes(routes!(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Staff: one department's licences (within their scope).
    department_id: Option<i64>,
}

/// Licences: a holder's own (an enterprise's by its credit code, a person's from the cases she
/// applied for), or, for staff, those of the departments in their scope; newest first.
#[utoipa::path(get, path = "/api/v1/licences", tag = "licences", params(ListParams),
    responses((status = 200, body = Vec<Licence>), Errors))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ListParams>,
) -> AppResult<Json<Vec<Licence>>> {
    Ok(Json(svc::list(&state, &auth, p.department_id).await?))
}

/// Every issuing department's seal keys (SM2, SEC1 public points in hex), the active one and
/// those rotated out, which still verify what they signed. Public: publishing them is what
/// lets anyone check a licence.
#[utoipa::path(get, path = "/api/v1/licence-keys", tag = "licences", security(()),
    responses((status = 200, body = Vec<PublishedKey>), Errors))]
async fn keys(State(state): State<AppState>) -> AppResult<Json<Vec<PublishedKey>>> {
    Ok(Json(svc::public_keys(&state).await?))
}
