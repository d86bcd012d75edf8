//! The catalog: public search, guides, topics and statistics; staff editing, review, import and
//! export.

use super::Errors;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiPath as Path, ApiQuery};
use crate::service::catalog::{self as svc, MatterItem, MatterList, SearchQuery};
use crate::service::catalog_io::{self, Format, ImportOutcome};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use onewindow_core::Text;
use onewindow_core::catalog::Guide;
use onewindow_core::catalog::bundle::{MergedMaterial, Topic, TopicInput};
use onewindow_core::catalog::record::{GuideVersion, Matter, NewMatter};
use onewindow_core::catalog::stats::CatalogStats;
use onewindow_core::catalog::version::{Difference, VersionAction, differences};
use onewindow_core::org::ActiveChange;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(suggest))
        .routes(routes!(guide))
        .routes(routes!(topics))
        .routes(routes!(topic))
        .routes(routes!(stats))
        .routes(routes!(staff_matters, create_matter))
        .routes(routes!(versions))
        .routes(routes!(save_draft))
        .routes(routes!(set_matter_active))
        .routes(routes!(act))
        .routes(routes!(diff))
        .routes(routes!(save_topic))
        .routes(routes!(set_topic_active))
        .routes(routes!(get_synonyms, put_synonyms))
        .routes(routes!(import))
        .routes(routes!(export))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words, pinyin (`xiuxue`) or initials (`xx`); empty to browse.
    pub q: Option<String>,
    pub department_id: Option<i64>,
    /// A life event, theme or bundle code.
    pub topic: Option<String>,
    /// At most 200; 20 by default.
    pub limit: Option<usize>,
    pub offset: Option<usize>,
}

/// Search the published catalog (no sign-in needed).
#[utoipa::path(get, path = "/api/v1/matters", tag = "catalog", security(()), params(SearchParams),
    responses((status = 200, body = MatterList), Errors))]
async fn search(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> AppResult<Json<MatterList>> {
    let view = svc::view(&state).await?;
    Ok(Json(svc::search(
        &view,
        &SearchQuery {
            q: p.q,
            department_id: p.department_id,
            topic: p.topic,
            limit: p.limit.unwrap_or(20),
            offset: p.offset.unwrap_or(0),
        },
    )?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestParams {
    pub q: String,
}

#[derive(Serialize, ToSchema)]
pub struct Suggestions {
    pub suggestions: Vec<String>,
}

/// Names to offer while someone types.
#[utoipa::path(get, path = "/api/v1/matters/suggest", tag = "catalog", security(()), params(SuggestParams),
    responses((status = 200, body = Suggestions), Errors))]
async fn suggest(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SuggestParams>,
) -> AppResult<Json<Suggestions>> {
    if p.q.len() > svc::MAX_QUERY_BYTES {
        return Err(AppError::bad_request(
            "q",
            Text::fixed("搜索词过长", "the search text is too long"),
        ));
    }
    let view = svc::view(&state).await?;
    Ok(Json(Suggestions {
        suggestions: view.index.suggest(&p.q, 8),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct GuideResponse {
    pub code: String,
    pub department: String,
    pub department_id: i64,
    /// The version a case filed now is filed under.
    pub version_id: i64,
    pub version_number: i64,
    pub guide: Guide,
}

/// A published guide.
#[utoipa::path(get, path = "/api/v1/matters/{code}", tag = "catalog", security(()), params(("code" = String, Path)),
    responses((status = 200, body = GuideResponse), Errors))]
async fn guide(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<GuideResponse>> {
    let view = svc::view(&state).await?;
    let p = view
        .guide(&code.to_ascii_uppercase())
        .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?;
    Ok(Json(GuideResponse {
        code: p.code.clone(),
        department: view.department(p.department_id).to_string(),
        department_id: p.department_id,
        version_id: p.version_id,
        version_number: p.version_number,
        guide: p.guide.clone(),
    }))
}

/// Life events, themes and bundles.
#[utoipa::path(get, path = "/api/v1/topics", tag = "catalog", security(()), responses((status = 200, body = Vec<Topic>), Errors))]
async fn topics(State(state): State<AppState>) -> AppResult<Json<Vec<Topic>>> {
    Ok(Json(svc::view(&state).await?.topics.clone()))
}

#[derive(Serialize, ToSchema)]
pub struct TopicResponse {
    pub topic: Topic,
    pub matters: Vec<MatterItem>,
    /// For a bundle: one list for all its matters, each paper once.
    pub merged_materials: Vec<MergedMaterial>,
}

/// A life event, theme or bundle with its matters.
#[utoipa::path(get, path = "/api/v1/topics/{code}", tag = "catalog", security(()), params(("code" = String, Path)),
    responses((status = 200, body = TopicResponse), Errors))]
async fn topic(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<Json<TopicResponse>> {
    let view = svc::view(&state).await?;
    let t = svc::topic(&view, &code)?;
    Ok(Json(TopicResponse {
        matters: t.guides.iter().map(|g| svc::item(&view, g)).collect(),
        topic: t.topic,
        merged_materials: t.merged,
    }))
}

/// Catalog statistics, computed from the published guides.
#[utoipa::path(get, path = "/api/v1/catalog/stats", tag = "catalog", security(()), responses((status = 200, body = CatalogStats), Errors))]
async fn stats(State(state): State<AppState>) -> AppResult<Json<CatalogStats>> {
    Ok(Json(svc::view(&state).await?.stats.clone()))
}

/// Matters of the departments in the caller's scope, drafts included.
#[utoipa::path(get, path = "/api/v1/catalog/matters", tag = "catalog", responses((status = 200, body = Vec<Matter>), Errors))]
async fn staff_matters(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Matter>>> {
    Ok(Json(svc::matters(&state, &auth).await?))
}

#[derive(Serialize, ToSchema)]
pub struct MatterWithVersion {
    pub matter: Matter,
    pub version: GuideVersion,
}

/// A new matter, its guide saved as the first draft.
#[utoipa::path(post, path = "/api/v1/catalog/matters", tag = "catalog", request_body = NewMatter,
    responses((status = 201, body = MatterWithVersion), Errors))]
async fn create_matter(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(new): ApiJson<NewMatter>,
) -> AppResult<(StatusCode, Json<MatterWithVersion>)> {
    let (matter, version) = svc::create_matter(&state, &auth, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(MatterWithVersion { matter, version }),
    ))
}

/// Every version of a matter's guide, newest first.
#[utoipa::path(get, path = "/api/v1/catalog/matters/{code}/versions", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = Vec<GuideVersion>), Errors))]
async fn versions(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> AppResult<Json<Vec<GuideVersion>>> {
    Ok(Json(
        svc::versions(&state, &auth, &code.to_ascii_uppercase())
            .await?
            .1,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    pub guide: Guide,
    pub note: Option<String>,
}

/// Save the guide as the draft (a new draft after a published or sent-back version).
#[utoipa::path(put, path = "/api/v1/catalog/matters/{code}/draft", tag = "catalog", params(("code" = String, Path)), request_body = DraftBody,
    responses((status = 200, body = GuideVersion), Errors))]
async fn save_draft(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<DraftBody>,
) -> AppResult<Json<GuideVersion>> {
    Ok(Json(
        svc::save_draft(&state, &auth, &code.to_ascii_uppercase(), b.guide, b.note).await?,
    ))
}

/// Withdraw a matter from (or return it to) the public catalog.
#[utoipa::path(put, path = "/api/v1/catalog/matters/{code}/active", tag = "catalog", params(("code" = String, Path)), request_body = ActiveChange,
    responses((status = 200, body = Matter), Errors))]
async fn set_matter_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    ApiJson(c): ApiJson<ActiveChange>,
) -> AppResult<Json<Matter>> {
    Ok(Json(
        svc::set_matter_active(
            &state,
            &auth,
            &code.to_ascii_uppercase(),
            c.version,
            c.active,
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    #[schema(value_type = String, example = "submit")]
    pub action: VersionAction,
    /// The reason, when sending back.
    pub note: Option<String>,
}

/// Submit a draft for review, or (a reviewer) approve and publish it, or send it back.
#[utoipa::path(post, path = "/api/v1/catalog/versions/{id}/actions", tag = "catalog", params(("id" = i64, Path)), request_body = ActionBody,
    responses((status = 200, body = GuideVersion), Errors))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ActionBody>,
) -> AppResult<Json<GuideVersion>> {
    Ok(Json(svc::act(&state, &auth, id, b.action, b.note).await?))
}

#[derive(Serialize, ToSchema)]
pub struct DiffResponse {
    pub version: i64,
    /// The version compared against: the one published before it, if any.
    pub against: Option<i64>,
    pub differences: Vec<Difference>,
}

/// What a version changes against the version published before it.
#[utoipa::path(get, path = "/api/v1/catalog/versions/{id}/diff", tag = "catalog", params(("id" = i64, Path)),
    responses((status = 200, body = DiffResponse), Errors))]
async fn diff(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<DiffResponse>> {
    let (v, base) = version_and_base(&state, &auth, id).await?;
    Ok(Json(DiffResponse {
        version: v.number,
        against: base.as_ref().map(|b| b.number),
        differences: base
            .map(|b| differences(&b.guide, &v.guide))
            .unwrap_or_default(),
    }))
}

/// A version and the published version before it (what a reviewer compares against).
pub async fn version_and_base(
    state: &AppState,
    auth: &Auth,
    id: i64,
) -> AppResult<(GuideVersion, Option<GuideVersion>)> {
    let v = state
        .store
        .guide_version(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("指南版本", "guide version")))?;
    let m = state
        .store
        .matter(v.matter_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?;
    let (_, all) = svc::versions(state, auth, &m.code).await?;
    let base = all.into_iter().filter(|o| o.number < v.number).find(|o| {
        matches!(
            o.status,
            onewindow_core::catalog::version::VersionStatus::Published
                | onewindow_core::catalog::version::VersionStatus::Superseded
        )
    });
    Ok((v, base))
}

/// Create a life event, theme or bundle, or update one (with the version read).
#[utoipa::path(post, path = "/api/v1/catalog/topics", tag = "catalog", request_body = TopicInput, responses((status = 200, body = Topic), Errors))]
async fn save_topic(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(t): ApiJson<TopicInput>,
) -> AppResult<Json<Topic>> {
    Ok(Json(svc::save_topic(&state, &auth, t).await?))
}

/// Withdraw or restore a topic.
#[utoipa::path(put, path = "/api/v1/catalog/topics/{code}/active", tag = "catalog", params(("code" = String, Path)), request_body = ActiveChange,
    responses((status = 200, body = Topic), Errors))]
async fn set_topic_active(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    ApiJson(c): ApiJson<ActiveChange>,
) -> AppResult<Json<Topic>> {
    Ok(Json(
        svc::set_topic_active(&state, &auth, &code, c.version, c.active).await?,
    ))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Synonyms {
    /// One group per line, words separated by `；`: `身份证；居民身份证`.
    pub text: String,
}

/// The search synonyms.
#[utoipa::path(get, path = "/api/v1/catalog/synonyms", tag = "catalog", responses((status = 200, body = Synonyms), Errors))]
async fn get_synonyms(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Synonyms>> {
    Ok(Json(Synonyms {
        text: svc::synonyms(&state, &auth).await?,
    }))
}

/// Replace the search synonyms.
#[utoipa::path(put, path = "/api/v1/catalog/synonyms", tag = "catalog", request_body = Synonyms, responses((status = 204), Errors))]
async fn put_synonyms(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(s): ApiJson<Synonyms>,
) -> AppResult<StatusCode> {
    svc::save_synonyms(&state, &auth, &s.text).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// Import the good rows even when some are bad.
    pub partial: Option<bool>,
}

/// The 422 of an import: the rows' errors, or (a file that cannot be read at all) the usual
/// error body. Only the OpenAPI document uses this type.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum ImportRefused {
    Rows(ImportOutcome),
    Error(crate::error::ErrorBody),
}

/// Import an XLSX or CSV catalog (the file as the request body). Every row is checked first;
/// with any bad row nothing is imported (422 with every error), unless `partial=true`.
#[utoipa::path(post, path = "/api/v1/catalog/import", tag = "catalog", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(Errors, (status = 200, body = ImportOutcome), (status = 422, body = ImportRefused)))]
async fn import(
    State(state): State<AppState>,
    auth: Auth,
    lang: crate::lang::ReqLang,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: axum::body::Body,
) -> AppResult<Response> {
    svc::may_import(&auth)?;
    // Catalogs are larger than ordinary requests; they get their own limit.
    let body = axum::body::to_bytes(body, state.config.import_limit)
        .await
        .map_err(|_| AppError::too_large())?;
    let outcome = catalog_io::import(
        state.store.as_ref(),
        &auth.ctx(),
        &body,
        &crate::service::scope_filter(&auth.actor),
        p.partial.unwrap_or(false),
        lang.0,
    )
    .await?;
    state.catalog.invalidate();
    let status = if outcome.imported || outcome.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(outcome)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// `xlsx` (default) or `csv`.
    pub format: Option<String>,
}

/// The published catalog as XLSX or CSV, in the import format.
#[utoipa::path(get, path = "/api/v1/catalog/export", tag = "catalog", params(ExportParams),
    responses((status = 200, content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv; charset=utf-8"))), Errors))]
async fn export(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> AppResult<Response> {
    auth.actor
        .require(onewindow_core::access::Permission::OrgRead)?;
    let rows = catalog_io::rows(state.store.as_ref()).await?;
    let format = match p.format.as_deref() {
        None | Some("xlsx") => Format::Xlsx,
        Some("csv") => Format::Csv,
        Some(_) => {
            return Err(AppError::bad_request(
                "format",
                Text::fixed("格式应为 xlsx 或 csv", "format is xlsx or csv"),
            ));
        }
    };
    let (bytes, ctype, ext) = match format {
        Format::Csv => (
            catalog_io::write_csv(&rows),
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => (
            catalog_io::write_xlsx(&rows).map_err(|_| AppError::internal())?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let name: String =
        form_urlencoded::byte_serialize(format!("事项目录.{ext}").as_bytes()).collect();
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"catalog.{ext}\"; filename*=UTF-8''{name}"),
            ),
        ],
        bytes,
    )
        .into_response())
}
