//! Electronic licences (电子证照): the departments' public seal keys, for anyone to verify a
//! licence with (online at `/verify/{code}`, or offline against a downloaded file).

use super::Errors;
use crate::auth::{Auth, Origin};
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery};
use crate::service::licences::{self as svc, shares};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use onewindow_core::licence::Licence;
use onewindow_core::licence::file::Publication;
use onewindow_core::licence::record::Standing;
use onewindow_store::LicenceShare;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(keys))
        .routes(routes!(list))
        .routes(routes!(file))
        .routes(routes!(one))
        .routes(routes!(set_status))
        .routes(routes!(shares_of, share))
        .routes(routes!(withdraw))
        .routes(routes!(shared))
        .routes(routes!(reuse))
        .routes(routes!(renewal))
        .routes(routes!(print_code))
        .routes(routes!(kiosk_print))
        .routes(routes!(import))
        .routes(routes!(kinds, create_kind))
        .routes(routes!(update_kind))
        .routes(routes!(matter_kind))
        .routes(routes!(rotate_key))
}

/// Licence types (证照类型), active first: for staff.
#[utoipa::path(get, path = "/api/v1/licence-kinds", tag = "licences",
    responses((status = 200, body = Vec<onewindow_core::licence::LicenceKind>), Errors))]
async fn kinds(
    State(state): State<AppState>,
    auth: Auth,
) -> AppResult<Json<Vec<onewindow_core::licence::LicenceKind>>> {
    Ok(Json(svc::kinds::list(&state, &auth).await?))
}

/// A new licence type: its department, fields (each with where it comes from and its rules),
/// validity and number prefix. For those who write the department's guides.
#[utoipa::path(post, path = "/api/v1/licence-kinds", tag = "licences",
    request_body = onewindow_core::licence::kind::NewLicenceKind,
    responses((status = 201, body = onewindow_core::licence::LicenceKind), Errors))]
async fn create_kind(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(k): ApiJson<onewindow_core::licence::kind::NewLicenceKind>,
) -> AppResult<(StatusCode, Json<onewindow_core::licence::LicenceKind>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::kinds::create(&state, &auth, k).await?),
    ))
}

/// Edit a licence type under its version (409 if someone changed it since), or retire it.
#[utoipa::path(put, path = "/api/v1/licence-kinds/{id}", tag = "licences", params(("id" = i64, Path)),
    request_body = svc::kinds::KindEdit,
    responses((status = 200, body = onewindow_core::licence::LicenceKind), Errors))]
async fn update_kind(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(e): ApiJson<svc::kinds::KindEdit>,
) -> AppResult<Json<onewindow_core::licence::LicenceKind>> {
    Ok(Json(svc::kinds::update(&state, &auth, id, e).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct MatterLicenceKind {
    /// The type the matter's approving decision issues; `null` for none.
    kind_id: Option<i64>,
}

/// Name the licence type a matter's approving decision issues (or none).
#[utoipa::path(put, path = "/api/v1/catalog/matters/{code}/licence-kind", tag = "licences",
    params(("code" = String, Path)), request_body = MatterLicenceKind,
    responses((status = 204), Errors))]
async fn matter_kind(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    ApiJson(m): ApiJson<MatterLicenceKind>,
) -> AppResult<StatusCode> {
    svc::kinds::set_for_matter(&state, &auth, &code, m.kind_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rotate a department's seal key: a new key signs from now on; the old one stays published to
/// verify what it signed. For the department's organisation administrators.
#[utoipa::path(post, path = "/api/v1/departments/{id}/seal-key", tag = "licences", params(("id" = i64, Path)),
    responses((status = 201, body = onewindow_core::licence::seal::PublishedKey), Errors))]
async fn rotate_key(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<(
    StatusCode,
    Json<onewindow_core::licence::seal::PublishedKey>,
)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::kinds::rotate(&state, &auth, id).await?),
    ))
}

/// Load a department's paper licences already issued (存量证照) from an XLSX or CSV file (the
/// request body): columns 证照类型, 证照编号, 持证人, 证件号码, 签发日期, 有效期至 and the type's field
/// labels. Every row is checked first; with any bad row nothing is loaded (422 with every error
/// by line and column), unless `partial=true`. For those who decide the department's cases.
#[utoipa::path(post, path = "/api/v1/licences/import", tag = "licences",
    params(crate::api::catalog::ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = svc::import::LicenceImport), Errors))]
async fn import(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<crate::api::catalog::ImportParams>,
    body: axum::body::Body,
) -> AppResult<(StatusCode, Json<svc::import::LicenceImport>)> {
    let body = axum::body::to_bytes(body, state.config.import_limit)
        .await
        .map_err(|_| crate::error::AppError::too_large())?;
    let outcome = svc::import::import(&state, &auth, &body, p.partial.unwrap_or(false)).await?;
    let status = if outcome.imported > 0 || outcome.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(outcome)))
}

/// A one-time code (eight digits, a day) to print the holder's valid licence at a hall's kiosk.
#[utoipa::path(post, path = "/api/v1/licences/{id}/print-codes", tag = "licences", params(("id" = i64, Path)),
    responses((status = 201, body = onewindow_store::PrintCode), Errors))]
async fn print_code(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<(StatusCode, Json<onewindow_store::PrintCode>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::kiosk::code_for(&state, &auth, id).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PrintInput {
    /// The holder's eight-digit print code.
    code: String,
}

/// Print at the hall's kiosk: the licence's sealed PDF for a print code not yet used and not
/// past its day, which the print spends (counted, in the licence's trail with the hall). Public,
/// as the kiosk is; 410 with the reason for a used or expired code, 429 after too many wrong
/// ones from one terminal.
#[utoipa::path(post, path = "/api/v1/halls/{hall_id}/licence-prints", tag = "licences", security(()),
    params(("hall_id" = i64, Path)), request_body = PrintInput,
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), Errors))]
async fn kiosk_print(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    Path(hall_id): Path<i64>,
    ApiJson(input): ApiJson<PrintInput>,
) -> AppResult<Response> {
    let base = crate::qr::public_base(&state, &headers);
    let (name, bytes) = svc::kiosk::print(&state, &origin, &base, hall_id, &input.code).await?;
    Ok(super::cases::attachment(&name, "application/pdf", bytes))
}

/// The renewal (延续) of a licence, filled in from it: the matter that renews its type and the
/// application's applicant and note, for its holder to complete and send to `POST /api/v1/cases`.
/// Refused for a suspended, revoked or cancelled licence, or a type without a renewal matter.
#[utoipa::path(get, path = "/api/v1/licences/{id}/renewal", tag = "licences", params(("id" = i64, Path)),
    responses((status = 200, body = svc::renewal::RenewalDraft), Errors))]
async fn renewal(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<svc::renewal::RenewalDraft>> {
    Ok(Json(svc::renewal::draft(&state, &auth, id).await?))
}

/// How many materials a licence stood for (电子证照·免提交), by licence type.
#[derive(Serialize, ToSchema)]
struct ReuseCount {
    kind: String,
    count: i64,
}

/// Materials of cases that a licence from the holder's library stood for, by type, in the
/// departments of the reader's scope (staff who read cases).
#[utoipa::path(get, path = "/api/v1/licence-reuse", tag = "licences",
    responses((status = 200, body = Vec<ReuseCount>), Errors))]
async fn reuse(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<ReuseCount>>> {
    Ok(Json(
        svc::reuse::figures(&state, &auth)
            .await?
            .into_iter()
            .map(|(kind, count)| ReuseCount { kind, count })
            .collect(),
    ))
}

/// A licence: for its holder, and for the staff whose scope covers its department.
#[utoipa::path(get, path = "/api/v1/licences/{id}", tag = "licences", params(("id" = i64, Path)),
    responses((status = 200, body = Licence), Errors))]
async fn one(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Licence>> {
    Ok(Json(svc::readable(&state, &auth, id).await?.0))
}

/// Suspend (暂扣), restore, revoke (吊销) or cancel (注销) a licence, with the reason: only its
/// issuing department, by those who decide its cases. The verify page and the status list show
/// it at once.
#[utoipa::path(post, path = "/api/v1/licences/{id}/status", tag = "licences", params(("id" = i64, Path)),
    request_body = svc::StatusInput, responses((status = 200, body = Licence), Errors))]
async fn set_status(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<svc::StatusInput>,
) -> AppResult<Json<Licence>> {
    Ok(Json(svc::set_status(&state, &auth, id, input).await?))
}

/// The shares (授权用证) its holder gave of a licence, newest first.
#[utoipa::path(get, path = "/api/v1/licences/{id}/shares", tag = "licences", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LicenceShare>), Errors))]
async fn shares_of(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<LicenceShare>>> {
    Ok(Json(shares::list(&state, &auth, id).await?))
}

/// Share a licence (授权用证): a link for someone, for 1–30 days, showing the chosen fields
/// besides its name, number, holder, issuer, dates and status. Its holder only.
#[utoipa::path(post, path = "/api/v1/licences/{id}/shares", tag = "licences", params(("id" = i64, Path)),
    request_body = shares::ShareInput, responses((status = 201, body = LicenceShare), Errors))]
async fn share(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<shares::ShareInput>,
) -> AppResult<(StatusCode, Json<LicenceShare>)> {
    Ok((
        StatusCode::CREATED,
        Json(shares::create(&state, &auth, id, input).await?),
    ))
}

/// Withdraw a share before its time.
#[utoipa::path(delete, path = "/api/v1/licences/{id}/shares/{share_id}", tag = "licences",
    params(("id" = i64, Path), ("share_id" = i64, Path)),
    responses((status = 200, body = LicenceShare), Errors))]
async fn withdraw(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, share_id)): Path<(i64, i64)>,
) -> AppResult<Json<LicenceShare>> {
    Ok(Json(shares::withdraw(&state, &auth, id, share_id).await?))
}

/// What a share shows, as its link's reader gets it.
#[derive(Serialize, ToSchema)]
struct Shared {
    /// Only the fields shared; the holder's ID number empty unless shared.
    licence: Licence,
    standing: Standing,
    recipient: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// A shared licence, by its link's token: public (the token is the permission), each call
/// counted and in the licence's trail; 410 with the reason after it expired or was withdrawn.
#[utoipa::path(get, path = "/api/v1/licence-shares/{token}", tag = "licences", security(()),
    params(("token" = String, Path)), responses((status = 200, body = Shared), Errors))]
async fn shared(
    State(state): State<AppState>,
    origin: Origin,
    Path(token): Path<String>,
) -> AppResult<Json<Shared>> {
    let o = shares::open(&state, &origin, &token).await?;
    Ok(Json(Shared {
        recipient: o.share.recipient,
        expires_at: o.share.expires_at,
        licence: o.licence,
        standing: o.standing,
    }))
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
