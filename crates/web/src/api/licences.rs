//! Electronic licences (电子证照): the departments' public seal keys, for anyone to verify a
//! licence with (online at `/verify/{code}`, or offline against a downloaded file).

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiQuery;
use crate::service::licences as svc;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use onewindow_core::licence::Licence;
use onewindow_core::licence::file::Publication;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(keys))
        .routes(routes!(list))
        .routes(routes!(file))
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
/// those rotated out, which still verify what they signed; and the status list: the licences
/// their departments suspended, revoked or cancelled. Public: publishing them is what lets
/// anyone check a licence, offline too (`onewindow licence verify FILE --keys URL`).
#[utoipa::path(get, path = "/api/v1/licence-keys", tag = "licences", security(()),
    responses((status = 200, body = Publication), Errors))]
async fn keys(State(state): State<AppState>) -> AppResult<Json<Publication>> {
    Ok(Json(svc::publication(&state).await?))
}

/// The licence's document: a PDF with the fields, the department's seal and a QR code to its
/// verify page, the signed data embedded and the file itself signed. For its holder and the
/// staff whose scope covers its department (whose download is in the trail).
#[utoipa::path(get, path = "/api/v1/licences/{id}/file", tag = "licences", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), Errors))]
async fn file(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let base = crate::qr::public_base(&state, &headers);
    let (name, bytes) = svc::document(&state, &auth, id, &base).await?;
    Ok(super::cases::attachment(&name, "application/pdf", bytes))
}
