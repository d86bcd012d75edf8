//! Enterprise service (政务服务进企业 / 项目管家): enterprises, projects and their cases, visits,
//! work items, joint consultations, policy notices and the monthly figures.

use super::Errors;
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::extract::{ApiJson, ApiQuery};
use crate::service::consultations;
use crate::service::enterprise::{
    self as svc, EnterpriseFile, ItemFile, ItemQuery, PlanInput, ProjectFile, ProjectInput,
    ReportInput, VisitFile,
};
use crate::service::enterprise_figures::{self, Figures};
use crate::service::policies;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use onewindow_core::enterprise::consultation::{Consultation, NewConsultation};
use onewindow_core::enterprise::firm::{Enterprise, NewEnterprise};
use onewindow_core::enterprise::policy::{NewPolicy, Policy, Push};
use onewindow_core::enterprise::project::{Project, Team};
use onewindow_core::enterprise::visit::Visit;
use onewindow_core::enterprise::work::{Action, Item, NewItem};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register, enterprises))
        .routes(routes!(enterprise_file))
        .routes(routes!(link_account))
        .routes(routes!(create_project))
        .routes(routes!(project_file))
        .routes(routes!(set_team))
        .routes(routes!(link_case))
        .routes(routes!(plan, visits))
        .routes(routes!(visit_file))
        .routes(routes!(report))
        .routes(routes!(visit_photo))
        .routes(routes!(record_item, items))
        .routes(routes!(item_file))
        .routes(routes!(act))
        .routes(routes!(record_consultation, list_consultations))
        .routes(routes!(finish_follow_up))
        .routes(routes!(publish, list_policies))
        .routes(routes!(my_policies))
        .routes(routes!(open_policy))
        .routes(routes!(figures))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct SearchParams {
    /// Part of the name or the credit code.
    q: Option<String>,
}

/// Register an enterprise（企业建档）: its credit code is checked (GB 32100); the policy notices
/// open for it are pushed at once.
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "enterprise", request_body = NewEnterprise,
    responses((status = 201, body = Enterprise), Errors))]
async fn register(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(e): ApiJson<NewEnterprise>,
) -> AppResult<(StatusCode, Json<Enterprise>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::register(&state, &auth, e).await?),
    ))
}

/// Enterprises in the reader's region, by name.
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprise", params(SearchParams),
    responses((status = 200, body = Vec<Enterprise>), Errors))]
async fn enterprises(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> AppResult<Json<Vec<Enterprise>>> {
    Ok(Json(svc::enterprises(&state, &auth, p.q.as_deref()).await?))
}

/// An enterprise's file: projects, items, visits and the policies pushed to it; for staff in
/// scope and for the enterprise's own account.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprise", params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseFile), Errors))]
async fn enterprise_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<EnterpriseFile>> {
    Ok(Json(svc::enterprise_file(&state, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// An enterprise account's user name.
    pub username: String,
}

/// Let an enterprise account speak for the enterprise (confirm its items, read its policies).
#[utoipa::path(put, path = "/api/v1/enterprises/{id}/account", tag = "enterprise", params(("id" = i64, Path)),
    request_body = AccountInput, responses((status = 204), Errors))]
async fn link_account(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(a): ApiJson<AccountInput>,
) -> AppResult<StatusCode> {
    svc::link_account(&state, &auth, id, &a.username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Register an investment project with its milestones in order and, for a key project（挂牌）,
/// its steward, leader, department and working team.
#[utoipa::path(post, path = "/api/v1/projects", tag = "enterprise", request_body = ProjectInput,
    responses((status = 201, body = Project), Errors))]
async fn create_project(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(p): ApiJson<ProjectInput>,
) -> AppResult<(StatusCode, Json<Project>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::create_project(&state, &auth, p).await?),
    ))
}

/// A project with its team by name, handovers, late milestones and cases with their lights.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "enterprise", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectFile), Errors))]
async fn project_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<ProjectFile>> {
    Ok(Json(svc::project_file(&state, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    pub version: i64,
    pub team: Team,
}

/// Hand a project over to a new team（交接）: each change of steward, leader or department is
/// kept.
#[utoipa::path(put, path = "/api/v1/projects/{id}/team", tag = "enterprise", params(("id" = i64, Path)),
    request_body = TeamInput, responses((status = 200, body = Project), Errors))]
async fn set_team(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(t): ApiJson<TeamInput>,
) -> AppResult<Json<Project>> {
    Ok(Json(
        svc::set_team(&state, &auth, id, t.version, t.team).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseLink {
    /// The case number.
    pub case: String,
}

/// Put a case under the project（全流程帮办代办）: its light shows on the project and a green
/// channel project's cases go first in the workbench.
#[utoipa::path(post, path = "/api/v1/projects/{id}/cases", tag = "enterprise", params(("id" = i64, Path)),
    request_body = CaseLink, responses((status = 200, body = ProjectFile), Errors))]
async fn link_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(c): ApiJson<CaseLink>,
) -> AppResult<Json<ProjectFile>> {
    Ok(Json(svc::link_case(&state, &auth, id, &c.case).await?))
}

/// Plan visits（计划走访）: one enterprise, or a mobile service team's round of several.
#[utoipa::path(post, path = "/api/v1/visits", tag = "enterprise", request_body = PlanInput,
    responses((status = 201, body = Vec<Visit>), Errors))]
async fn plan(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(p): ApiJson<PlanInput>,
) -> AppResult<(StatusCode, Json<Vec<Visit>>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::plan(&state, &auth, p).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct VisitParams {
    /// First day planned (YYYY-MM-DD); the month's first when left out.
    from: Option<chrono::NaiveDate>,
    /// Last day planned; the month's last when left out.
    to: Option<chrono::NaiveDate>,
    /// Only the reader's own.
    mine: Option<bool>,
}

/// Visits planned in a period, in the reader's scope.
#[utoipa::path(get, path = "/api/v1/visits", tag = "enterprise", params(VisitParams),
    responses((status = 200, body = Vec<Visit>), Errors))]
async fn visits(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<VisitParams>,
) -> AppResult<Json<Vec<Visit>>> {
    let (first, last) =
        enterprise_figures::month_bounds(&svc::today().format("%Y-%m").to_string())?;
    Ok(Json(
        svc::visits(
            &state,
            &auth,
            p.from.unwrap_or(first),
            p.to.unwrap_or(last),
            p.mine.unwrap_or(false),
        )
        .await?,
    ))
}

/// A visit with its enterprise, steward, the items heard and photos.
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "enterprise", params(("id" = i64, Path)),
    responses((status = 200, body = VisitFile), Errors))]
async fn visit_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<VisitFile>> {
    Ok(Json(svc::visit_file(&state, &auth, id).await?))
}

/// Report a visit done（走访登记）: attendees, notes and the problems, needs and suggestions
/// heard, which become work items; one transaction. (Photos come with the page's form.)
#[utoipa::path(post, path = "/api/v1/visits/{id}/report", tag = "enterprise", params(("id" = i64, Path)),
    request_body = ReportInput, responses((status = 200, body = VisitFile), Errors))]
async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(r): ApiJson<ReportInput>,
) -> AppResult<Json<VisitFile>> {
    Ok(Json(svc::report(&state, &auth, id, r, Vec::new()).await?))
}

/// A visit's photo, for those who may see the visit.
#[utoipa::path(get, path = "/api/v1/visits/{id}/photos/{photo_id}", tag = "enterprise",
    params(("id" = i64, Path), ("photo_id" = i64, Path)),
    responses((status = 200, description = "the photo", content_type = "image/*"), Errors))]
async fn visit_photo(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, photo_id)): Path<(i64, i64)>,
) -> AppResult<axum::response::Response> {
    let (p, bytes) = svc::visit_photo(&state, &auth, id, photo_id).await?;
    let f = onewindow_store::CaseFile {
        id: p.id,
        case_id: None,
        bundle_id: None,
        material: "visit".into(),
        file_name: p.file_name,
        content_type: p.content_type,
        size: p.size,
        sha256: p.sha256,
        uploaded_by: None,
        uploaded_at: p.added_at,
    };
    Ok(super::cases::file_response(&f, bytes))
}

/// Record a problem, need or suggestion（问题/需求/建议清单）.
#[utoipa::path(post, path = "/api/v1/work-items", tag = "enterprise", request_body = NewItem,
    responses((status = 201, body = Item), Errors))]
async fn record_item(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(n): ApiJson<NewItem>,
) -> AppResult<(StatusCode, Json<Item>)> {
    Ok((
        StatusCode::CREATED,
        Json(svc::record_item(&state, &auth, n).await?),
    ))
}

/// Work items: the region's for its staff, the department's for it, an enterprise's own.
#[utoipa::path(get, path = "/api/v1/work-items", tag = "enterprise", params(ItemQuery),
    responses((status = 200, body = Vec<Item>), Errors))]
async fn items(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ItemQuery>,
) -> AppResult<Json<Vec<Item>>> {
    Ok(Json(svc::items(&state, &auth, &q).await?))
}

/// A work item with its trail, consultations and the actions open to the reader.
#[utoipa::path(get, path = "/api/v1/work-items/{id}", tag = "enterprise", params(("id" = i64, Path)),
    responses((status = 200, body = ItemFile), Errors))]
async fn item_file(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<ItemFile>> {
    Ok(Json(svc::item_file(&state, &auth, id).await?))
}

/// An action with the version it was read at.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ItemAct {
    pub version: i64,
    #[serde(flatten)]
    pub action: Action,
}

/// One step: `assign` (department_id, deadline) and `escalate` (reason) by the stewards (the
/// city's for an item the city holds), `consult`, `answer` (resolution) by the department,
/// `confirm` (satisfied, satisfaction 1–5, note) by the enterprise only.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/actions", tag = "enterprise", params(("id" = i64, Path)),
    request_body = ItemAct, responses((status = 200, body = Item), Errors))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    ApiJson(a): ApiJson<ItemAct>,
) -> AppResult<Json<Item>> {
    Ok(Json(
        svc::act(&state, &auth, id, a.version, a.action).await?,
    ))
}

/// Record a joint consultation（集中会商/联席会议） held in the reader's region, with the
/// departments, decisions and follow-ups; each item it decided on gets its 会商 step.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "enterprise", request_body = NewConsultation,
    responses((status = 201, body = Consultation), Errors))]
async fn record_consultation(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(c): ApiJson<NewConsultation>,
) -> AppResult<(StatusCode, Json<Consultation>)> {
    Ok((
        StatusCode::CREATED,
        Json(consultations::record(&state, &auth, c).await?),
    ))
}

/// Consultations held in a period (the month when left out).
#[utoipa::path(get, path = "/api/v1/consultations", tag = "enterprise", params(VisitParams),
    responses((status = 200, body = Vec<Consultation>), Errors))]
async fn list_consultations(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<VisitParams>,
) -> AppResult<Json<Vec<Consultation>>> {
    let (first, last) =
        enterprise_figures::month_bounds(&svc::today().format("%Y-%m").to_string())?;
    Ok(Json(
        consultations::list(&state, &auth, p.from.unwrap_or(first), p.to.unwrap_or(last)).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    pub version: i64,
}

/// Report a consultation's follow-up done: by the department that owes it, or the region's
/// stewards.
#[utoipa::path(post, path = "/api/v1/consultations/{id}/follow-ups/{index}/done", tag = "enterprise",
    params(("id" = i64, Path), ("index" = usize, Path)),
    request_body = VersionInput, responses((status = 200, body = Consultation), Errors))]
async fn finish_follow_up(
    State(state): State<AppState>,
    auth: Auth,
    Path((id, index)): Path<(i64, usize)>,
    ApiJson(v): ApiJson<VersionInput>,
) -> AppResult<Json<Consultation>> {
    Ok(Json(
        consultations::finish(&state, &auth, id, v.version, index).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    #[serde(flatten)]
    pub policy: NewPolicy,
    /// The region it is for; the publisher's own when left out.
    #[serde(default)]
    pub region_id: Option<i64>,
}

/// Publish a policy notice（惠企政策）: pushed at once to every enterprise its audience
/// matches (未诉先办), and later to those registered while it is open.
#[utoipa::path(post, path = "/api/v1/policies", tag = "enterprise", request_body = PolicyInput,
    responses((status = 201, body = Policy), Errors))]
async fn publish(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(p): ApiJson<PolicyInput>,
) -> AppResult<(StatusCode, Json<Policy>)> {
    Ok((
        StatusCode::CREATED,
        Json(policies::publish(&state, &auth, p.policy, p.region_id).await?),
    ))
}

/// Notices in the reader's region, with how many enterprises they reached and how many read
/// them.
#[utoipa::path(get, path = "/api/v1/policies", tag = "enterprise",
    responses((status = 200, body = Vec<Policy>), Errors))]
async fn list_policies(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Policy>>> {
    Ok(Json(policies::list(&state, &auth).await?))
}

/// The notices pushed to the reader's enterprise.
#[utoipa::path(get, path = "/api/v1/my/policies", tag = "enterprise",
    responses((status = 200, body = Vec<Push>), Errors))]
async fn my_policies(State(state): State<AppState>, auth: Auth) -> AppResult<Json<Vec<Push>>> {
    Ok(Json(policies::mine(&state, &auth).await?))
}

/// Open a notice pushed to the reader's enterprise; the first opening is recorded.
#[utoipa::path(get, path = "/api/v1/my/policies/{id}", tag = "enterprise", params(("id" = i64, Path)),
    responses((status = 200, body = Policy), Errors))]
async fn open_policy(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Json<Policy>> {
    Ok(Json(policies::open(&state, &auth, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct MonthParams {
    /// YYYY-MM; this month when left out.
    month: Option<String>,
}

/// The month's figures（月度统计）, live, per district and in total, with the year to date and
/// each steward's visits.
#[utoipa::path(get, path = "/api/v1/enterprise-figures", tag = "enterprise", params(MonthParams),
    responses((status = 200, body = Figures), Errors))]
async fn figures(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<MonthParams>,
) -> AppResult<Json<Figures>> {
    Ok(Json(
        enterprise_figures::figures(&state, &auth, p.month.as_deref()).await?,
    ))
}
