//! Enterprise service (政务服务进企业 / 项目管家): who may register enterprises and projects, plan
//! and report visits, collect, assign, answer, escalate and confirm work items. Stewards work in
//! their region; a department answers what is assigned to it; items held by the city are
//! assigned by city-level staff; only the enterprise itself confirms that its problem is solved.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::uploads::{self, Upload};
use crate::service::{cases, owner};
use crate::state::AppState;
use onewindow_core::access::{Actor, Permission};
use onewindow_core::enterprise::consultation::Consultation;
use onewindow_core::enterprise::firm::{Enterprise, NewEnterprise};
use onewindow_core::enterprise::policy::Push;
use onewindow_core::enterprise::project::{self, Handover, Milestone, NewProject, Project, Team};
use onewindow_core::enterprise::visit::{NewVisit, Visit, VisitReport};
use onewindow_core::enterprise::work::{self, Action, Item, Kind, Level, LogLine, NewItem, State};
use onewindow_core::identity::Role;
use onewindow_core::time::local_date;
use onewindow_core::validate::RegionLevel;
use onewindow_core::{DomainError, FieldError, Text};
use onewindow_store::{VisitPhoto, WorkFilter};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

pub(crate) fn today() -> chrono::NaiveDate {
    local_date(cases::now())
}

/// Whether the actor's scope covers a record of this department and region.
pub(crate) async fn covers(
    state: &AppState,
    a: &Actor,
    department_id: Option<i64>,
    region_id: i64,
) -> AppResult<bool> {
    Ok(a.covers(&owner(state, department_id, Some(region_id)).await?))
}

/// The enterprise an enterprise account speaks for.
pub async fn own_enterprise(state: &AppState, auth: &Auth) -> AppResult<Option<i64>> {
    if !auth.actor.has_role(Role::Enterprise) {
        return Ok(None);
    }
    Ok(state.store.enterprise_of_account(auth.user.id).await?)
}

/// Whether the actor works at the city level (or above): only they assign what the city holds.
pub(crate) async fn at_city(state: &AppState, a: &Actor) -> AppResult<bool> {
    let Some(r) = a.scope.region_id else {
        return Ok(false);
    };
    Ok(state
        .store
        .region(r)
        .await?
        .is_some_and(|r| matches!(r.level, RegionLevel::Province | RegionLevel::City)))
}

/// Staff names by id, for display.
pub(crate) async fn names(
    state: &AppState,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for id in ids {
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id)
            && let Some(u) = state.store.user(id).await?
        {
            e.insert(u.display_name);
        }
    }
    Ok(out)
}

pub(crate) async fn department_name(state: &AppState, id: Option<i64>) -> AppResult<String> {
    Ok(match id {
        Some(d) => state
            .store
            .department(d)
            .await?
            .map(|d| d.name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// Whether the steward's scope covers the region. The role (`EnterpriseServe`) is asked by every
/// caller first, before it reads its input or the record.
async fn serve_in(state: &AppState, auth: &Auth, region_id: i64) -> AppResult<()> {
    if !covers(state, &auth.actor, None, region_id).await? {
        return Err(DomainError::forbidden().into());
    }
    Ok(())
}

async fn enterprise_or_404(state: &AppState, id: i64) -> AppResult<Enterprise> {
    state
        .store
        .enterprise(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("企业", "enterprise")))
}

/// May this person read the enterprise's file: staff in scope, or the enterprise itself.
async fn may_see_enterprise(state: &AppState, auth: &Auth, e: &Enterprise) -> AppResult<bool> {
    if auth.actor.has(Permission::EnterpriseRead)
        && covers(state, &auth.actor, None, e.region_id).await?
    {
        return Ok(true);
    }
    Ok(own_enterprise(state, auth).await? == Some(e.id))
}

// ---- enterprises ----

pub async fn register(state: &AppState, auth: &Auth, e: NewEnterprise) -> AppResult<Enterprise> {
    auth.actor.require(Permission::EnterpriseServe)?;
    let e = e.check()?;
    if state.store.region(e.region_id).await?.is_none() {
        return Err(AppError::invalid(
            "region_id",
            "没有这个区划",
            "no such region",
        ));
    }
    serve_in(state, auth, e.region_id).await?;
    Ok(state
        .store
        .create_enterprise(&auth.ctx(), e, cases::now())
        .await?)
}

/// Enterprises in the actor's region, by name; `q` matches part of the name or credit code.
/// Whether the reader keeps the region's register (enterprises, projects, visits, figures): the
/// service team, not a department, which sees only the items assigned to it.
pub fn keeps_register(a: &onewindow_core::access::Actor) -> bool {
    a.has(Permission::EnterpriseRead) && a.scope.department_id.is_none()
}

pub async fn enterprises(
    state: &AppState,
    auth: &Auth,
    q: Option<&str>,
) -> AppResult<Vec<Enterprise>> {
    let a = &auth.actor;
    a.require(Permission::EnterpriseRead)?;
    // A department sees its items, not the register.
    let (None, Some(path)) = (a.scope.department_id, a.scope.region_path.as_deref()) else {
        return Ok(Vec::new());
    };
    Ok(state.store.enterprises(Some(path), q).await?)
}

/// The projects of every enterprise in the reader's region, key projects first, with their
/// enterprises' names: the list the service centre keeps (重点项目清单).
pub async fn projects(state: &AppState, auth: &Auth) -> AppResult<Vec<(Project, String)>> {
    let a = &auth.actor;
    a.require(Permission::EnterpriseRead)?;
    let (None, Some(path)) = (a.scope.department_id, a.scope.region_path.as_deref()) else {
        return Err(DomainError::forbidden().into());
    };
    let firms: HashMap<i64, String> = state
        .store
        .enterprises(Some(path), None)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let mut list: Vec<(Project, String)> = state
        .store
        .projects(None, Some(path))
        .await?
        .into_iter()
        .map(|p| {
            let firm = firms.get(&p.enterprise_id).cloned().unwrap_or_default();
            (p, firm)
        })
        .collect();
    list.sort_by_key(|(p, _)| (!p.key_project, !p.green_channel, p.id));
    Ok(list)
}

/// An enterprise's file: its projects, items, visits and the policies pushed to it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EnterpriseFile {
    pub enterprise: Enterprise,
    pub region_name: String,
    pub projects: Vec<Project>,
    pub items: Vec<Item>,
    pub visits: Vec<Visit>,
    pub policies: Vec<Push>,
}

pub async fn enterprise_file(state: &AppState, auth: &Auth, id: i64) -> AppResult<EnterpriseFile> {
    let e = enterprise_or_404(state, id).await?;
    if !may_see_enterprise(state, auth, &e).await? {
        return Err(DomainError::forbidden().into());
    }
    let region_name = state
        .store
        .region(e.region_id)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    Ok(EnterpriseFile {
        projects: state.store.projects(Some(id), None).await?,
        items: state
            .store
            .work_items(&WorkFilter {
                enterprise_id: Some(id),
                ..Default::default()
            })
            .await?,
        visits: state.store.visits_to(id).await?,
        policies: state.store.pushes_to(id).await?,
        region_name,
        enterprise: e,
    })
}

/// Lets an enterprise account speak for the enterprise (confirm its items, read its policies).
pub async fn link_account(
    state: &AppState,
    auth: &Auth,
    enterprise_id: i64,
    username: &str,
) -> AppResult<()> {
    auth.actor.require(Permission::EnterpriseServe)?;
    let e = enterprise_or_404(state, enterprise_id).await?;
    serve_in(state, auth, e.region_id).await?;
    let user = state
        .store
        .user_by_username(username.trim())
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AppError::invalid("username", "没有这个账号", "no such account"))?;
    Ok(state
        .store
        .set_enterprise_account(&auth.ctx(), user.id, enterprise_id)
        .await?)
}

// ---- projects ----

/// A project as entered, with its team (required in full for a key project).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub project: NewProject,
    #[serde(default)]
    pub team: Team,
}

/// A team's error, named as the input names it.
fn team_field(mut f: FieldError) -> FieldError {
    f.field = format!("team.{}", f.field);
    f
}

/// The team's people must be active staff; the steward a steward.
async fn check_team(state: &AppState, team: &Team) -> AppResult<()> {
    let people = [
        ("team.steward_id", team.steward_id),
        ("team.leader_id", team.leader_id),
    ];
    for (name, id) in people {
        if let Some(id) = id {
            let u = state.store.user(id).await?;
            let ok = u.is_some_and(|u| {
                u.active
                    && u.roles.iter().any(|r| r.is_staff())
                    && (name != "team.steward_id" || u.roles.contains(&Role::Steward))
            });
            if !ok {
                return Err(if name == "team.steward_id" {
                    AppError::invalid(
                        name,
                        "项目管家应为有效的管家账号",
                        "the steward must be an active steward",
                    )
                } else {
                    AppError::invalid(
                        name,
                        "包联领导应为有效的工作人员",
                        "the leader must be active staff",
                    )
                });
            }
        }
    }
    for (i, id) in team.members.iter().enumerate() {
        if !state.store.user(*id).await?.is_some_and(|u| u.active) {
            return Err(AppError::from(FieldError::new(
                format!("team.members[{i}]"),
                Text::fixed(
                    "工作班子成员应为有效账号",
                    "a member must be an active account",
                ),
            )));
        }
    }
    if let Some(d) = team.department_id
        && !state.store.department(d).await?.is_some_and(|d| d.active)
    {
        return Err(AppError::invalid(
            "team.department_id",
            "没有这个部门",
            "no such department",
        ));
    }
    Ok(())
}

pub async fn create_project(
    state: &AppState,
    auth: &Auth,
    input: ProjectInput,
) -> AppResult<Project> {
    auth.actor.require(Permission::EnterpriseServe)?;
    let p = input.project.check(today())?;
    let team = input.team.check(p.key_project).map_err(team_field)?;
    let e = state
        .store
        .enterprise(p.enterprise_id)
        .await?
        .ok_or_else(|| AppError::invalid("enterprise_id", "没有这家企业", "no such enterprise"))?;
    serve_in(state, auth, e.region_id).await?;
    check_team(state, &team).await?;
    Ok(state
        .store
        .create_project(&auth.ctx(), p, team, cases::now())
        .await?)
}

/// A project's case, with its light today.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LinkedCase {
    pub id: i64,
    pub number: String,
    pub matter_name: String,
    pub state: String,
    pub state_name: String,
    pub light: Option<String>,
    pub light_name: String,
    pub due: Option<chrono::NaiveDate>,
}

/// A project with its people by name, handovers, late milestones and cases.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProjectFile {
    pub project: Project,
    pub enterprise_name: String,
    pub steward_name: String,
    pub leader_name: String,
    pub department_name: String,
    pub member_names: Vec<String>,
    pub handovers: Vec<Handover>,
    pub late_milestones: Vec<Milestone>,
    pub cases: Vec<LinkedCase>,
}

pub async fn project_file(state: &AppState, auth: &Auth, id: i64) -> AppResult<ProjectFile> {
    let p = state
        .store
        .project(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("项目", "project")))?;
    let e = enterprise_or_404(state, p.enterprise_id).await?;
    if !may_see_enterprise(state, auth, &e).await? {
        return Err(DomainError::forbidden().into());
    }
    let mut ids: Vec<i64> = p.team.members.clone();
    ids.extend(p.team.steward_id);
    ids.extend(p.team.leader_id);
    let handovers = state.store.project_handovers(id).await?;
    let n = names(state, ids).await?;
    let name = |id: Option<i64>| id.and_then(|i| n.get(&i).cloned()).unwrap_or_default();
    let settings = cases::settings(state).await?;
    let day = today();
    let mut linked = Vec::new();
    for case_id in state.store.project_cases(id).await? {
        if let Some(d) = state.store.dossier(case_id).await? {
            let clock = settings.clock(&d.case, day);
            linked.push(LinkedCase {
                id: d.case.id,
                number: d.case.number.clone(),
                matter_name: d.case.matter_name.clone(),
                state: d.case.state.code().to_string(),
                state_name: d.case.state.name().zh.to_string(),
                light: clock.light.map(|l| l.code().to_string()),
                light_name: clock
                    .light
                    .map(|l| l.name().zh.to_string())
                    .unwrap_or_default(),
                due: d.case.promised_due,
            });
        }
    }
    Ok(ProjectFile {
        enterprise_name: e.name,
        steward_name: name(p.team.steward_id),
        leader_name: name(p.team.leader_id),
        department_name: department_name(state, p.team.department_id).await?,
        member_names: p.team.members.iter().map(|m| name(Some(*m))).collect(),
        late_milestones: project::overdue(&p.milestones, day)
            .into_iter()
            .cloned()
            .collect(),
        handovers,
        cases: linked,
        project: p,
    })
}

/// A new team (交接): the steward, leader or department handed over, recorded.
pub async fn set_team(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    team: Team,
) -> AppResult<Project> {
    auth.actor.require(Permission::EnterpriseServe)?;
    let p = state
        .store
        .project(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("项目", "project")))?;
    serve_in(state, auth, p.region_id).await?;
    let team = team.check(p.key_project).map_err(team_field)?;
    check_team(state, &team).await?;
    Ok(state
        .store
        .set_project_team(&auth.ctx(), id, version, team, cases::now())
        .await?)
}

/// Puts a case, by its number, under a project (全流程帮办代办): its light shows on the project
/// and, if the project has the green channel, the case goes first in the workbench's queues.
pub async fn link_case(
    state: &AppState,
    auth: &Auth,
    project_id: i64,
    number: &str,
) -> AppResult<ProjectFile> {
    auth.actor.require(Permission::EnterpriseServe)?;
    let p = state
        .store
        .project(project_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("项目", "project")))?;
    serve_in(state, auth, p.region_id).await?;
    let case_id = state
        .store
        .case_id_by_number(number.trim())
        .await?
        .ok_or_else(|| AppError::invalid("case", "没有这个办件编号", "no case with this number"))?;
    let c =
        state.store.dossier(case_id).await?.ok_or_else(|| {
            AppError::invalid("case", "没有这个办件编号", "no case with this number")
        })?;
    if !auth.actor.has(Permission::CaseRead)
        || !covers(
            state,
            &auth.actor,
            Some(c.case.department_id),
            c.case.region_id,
        )
        .await?
    {
        return Err(AppError::invalid(
            "case",
            "该办件不在您的管辖范围",
            "the case is outside your scope",
        ));
    }
    state
        .store
        .link_case(&auth.ctx(), project_id, case_id, cases::now())
        .await?;
    project_file(state, auth, project_id).await
}

// ---- visits ----

/// Visits to plan: one enterprise, or a mobile team's round of several on one day.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub enterprise_ids: Vec<i64>,
    pub planned_on: chrono::NaiveDate,
    #[serde(default)]
    pub round: Option<String>,
    #[serde(default)]
    pub project_id: Option<i64>,
}

pub async fn plan(state: &AppState, auth: &Auth, input: PlanInput) -> AppResult<Vec<Visit>> {
    auth.actor.require(Permission::EnterpriseServe)?;
    if input.enterprise_ids.is_empty() {
        return Err(AppError::invalid(
            "enterprise_ids",
            "请选择走访企业",
            "choose the enterprises to visit",
        ));
    }
    let mut ids = input.enterprise_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    if input.project_id.is_some() && ids.len() > 1 {
        return Err(AppError::invalid(
            "project_id",
            "按项目走访时只能选择一家企业",
            "a visit about a project is to its one enterprise",
        ));
    }
    let mut visits = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let e = state.store.enterprise(*id).await?.ok_or_else(|| {
            AppError::from(FieldError::new(
                format!("enterprise_ids[{i}]"),
                Text::fixed("没有这家企业", "no such enterprise"),
            ))
        })?;
        serve_in(state, auth, e.region_id).await?;
        visits.push(
            NewVisit {
                enterprise_id: *id,
                project_id: input.project_id,
                planned_on: input.planned_on,
                round: input.round.clone(),
            }
            .check(today())?,
        );
    }
    if let Some(p) = input.project_id
        && state.store.project(p).await?.map(|p| p.enterprise_id) != Some(ids[0])
    {
        return Err(AppError::invalid(
            "project_id",
            "不是这家企业的项目",
            "not a project of this enterprise",
        ));
    }
    Ok(state
        .store
        .plan_visits(&auth.ctx(), auth.user.id, visits, cases::now())
        .await?)
}

/// An item heard on a visit.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heard {
    pub kind: Kind,
    pub title: String,
    #[serde(default)]
    pub detail: String,
}

/// A visit's report: who came, what was heard, and the items to follow up.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = VisitReportInput)]
pub struct ReportInput {
    pub version: i64,
    pub attendees: String,
    pub notes: String,
    #[serde(default)]
    pub items: Vec<Heard>,
}

async fn visit_or_404(state: &AppState, id: i64) -> AppResult<Visit> {
    state
        .store
        .visit(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("走访", "visit")))
}

pub async fn report(
    state: &AppState,
    auth: &Auth,
    id: i64,
    input: ReportInput,
    photos: Vec<Upload>,
) -> AppResult<VisitFile> {
    auth.actor.require(Permission::EnterpriseServe)?;
    let v = visit_or_404(state, id).await?;
    serve_in(state, auth, v.region_id).await?;
    if v.done_at.is_some() {
        return Err(AppError::invalid(
            "version",
            "该走访已登记",
            "the visit is already reported",
        ));
    }
    let report = VisitReport {
        attendees: input.attendees,
        notes: input.notes,
    }
    .check()?;
    if input.items.len() > 20 {
        return Err(AppError::invalid(
            "items",
            "一次走访最多登记20项",
            "at most 20 items a visit",
        ));
    }
    let mut items = Vec::with_capacity(input.items.len());
    for (i, h) in input.items.into_iter().enumerate() {
        let n = NewItem {
            enterprise_id: v.enterprise_id,
            project_id: v.project_id,
            kind: h.kind,
            title: h.title,
            detail: h.detail,
            visit_id: Some(v.id),
        }
        .check()
        .map_err(|mut f| {
            f.field = format!("items[{i}].{}", f.field);
            f
        })?;
        items.push(n);
    }
    let files = uploads::store_photos(state, &photos).await?;
    state
        .store
        .report_visit(
            &auth.ctx(),
            id,
            input.version,
            onewindow_store::VisitRecord {
                report,
                items,
                photos: files,
            },
            cases::now(),
        )
        .await?;
    visit_file(state, auth, id).await
}

/// A visit with its enterprise, steward, items and photos.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VisitFile {
    pub visit: Visit,
    pub enterprise_name: String,
    pub steward_name: String,
    pub items: Vec<Item>,
    pub photos: Vec<VisitPhoto>,
}

pub async fn visit_file(state: &AppState, auth: &Auth, id: i64) -> AppResult<VisitFile> {
    let v = visit_or_404(state, id).await?;
    let e = enterprise_or_404(state, v.enterprise_id).await?;
    let staff_ok = auth.actor.has(Permission::EnterpriseRead)
        && covers(state, &auth.actor, None, v.region_id).await?;
    if !staff_ok && v.steward_id != auth.user.id {
        return Err(DomainError::forbidden().into());
    }
    let n = names(state, [v.steward_id]).await?;
    Ok(VisitFile {
        enterprise_name: e.name,
        steward_name: n.get(&v.steward_id).cloned().unwrap_or_default(),
        items: state
            .store
            .work_items(&WorkFilter {
                visit_id: Some(id),
                ..Default::default()
            })
            .await?,
        photos: state.store.visit_photos(id).await?,
        visit: v,
    })
}

/// A visit's photo, for those who may see the visit.
pub async fn visit_photo(
    state: &AppState,
    auth: &Auth,
    id: i64,
    photo_id: i64,
) -> AppResult<(VisitPhoto, Vec<u8>)> {
    let f = visit_file(state, auth, id).await?;
    let p = f
        .photos
        .into_iter()
        .find(|p| p.id == photo_id)
        .ok_or_else(|| AppError::not_found(Text::fixed("照片", "photo")))?;
    let bytes = uploads::read(&state.config.uploads_dir, &p.sha256).await?;
    Ok((p, bytes))
}

/// The visits of a period: the actor's own, or (for those who read the region's) all in scope.
pub async fn visits(
    state: &AppState,
    auth: &Auth,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    mine: bool,
) -> AppResult<Vec<Visit>> {
    let a = &auth.actor;
    a.require(Permission::EnterpriseRead)?;
    if mine {
        return Ok(state.store.visits(Some(a.user_id), from, to).await?);
    }
    let mut out = Vec::new();
    for v in state.store.visits(None, from, to).await? {
        if covers(state, a, None, v.region_id).await? {
            out.push(v);
        }
    }
    Ok(out)
}

// ---- work items ----

pub async fn record_item(state: &AppState, auth: &Auth, n: NewItem) -> AppResult<Item> {
    auth.actor.require(Permission::EnterpriseServe)?;
    let n = n.check()?;
    let e = state
        .store
        .enterprise(n.enterprise_id)
        .await?
        .ok_or_else(|| AppError::invalid("enterprise_id", "没有这家企业", "no such enterprise"))?;
    serve_in(state, auth, e.region_id).await?;
    Ok(state
        .store
        .record_work_item(&auth.ctx(), n, cases::now())
        .await?)
}

/// Which items to list, as asked.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// recorded, assigned, answered or closed.
    pub state: Option<String>,
    /// district or city.
    pub level: Option<String>,
    pub enterprise_id: Option<i64>,
    /// Only those past their deadline.
    pub overdue: Option<bool>,
}

/// Items the actor may see: a region's for its staff, a department's for it, an enterprise's
/// own for its account; newest first.
pub async fn items(state: &AppState, auth: &Auth, q: &ItemQuery) -> AppResult<Vec<Item>> {
    let a = &auth.actor;
    let mut f = WorkFilter {
        enterprise_id: q.enterprise_id,
        limit: 2000,
        ..Default::default()
    };
    if let Some(s) = q.state.as_deref().filter(|s| !s.is_empty()) {
        f.states = vec![State::parse(s).ok_or_else(|| {
            AppError::invalid(
                "state",
                "状态应为recorded、assigned、answered或closed",
                "the state is recorded, assigned, answered or closed",
            )
        })?];
    }
    if let Some(l) = q.level.as_deref().filter(|s| !s.is_empty()) {
        f.level = Some(Level::parse(l).ok_or_else(|| {
            AppError::invalid(
                "level",
                "层级应为district或city",
                "the level is district or city",
            )
        })?);
    }
    if let Some(own) = own_enterprise(state, auth).await? {
        f.enterprise_id = Some(own);
    } else {
        a.require(Permission::EnterpriseRead)?;
        match (a.scope.department_id, &a.scope.region_path) {
            (Some(d), _) => f.department_id = Some(d),
            (None, Some(p)) => f.region_path = Some(p.clone()),
            (None, None) => return Ok(Vec::new()),
        }
    }
    let mut list = state.store.work_items(&f).await?;
    if q.overdue == Some(true) {
        let day = today();
        list.retain(|i| work::overdue(&i.progress, day));
    }
    Ok(list)
}

async fn item_or_404(state: &AppState, id: i64) -> AppResult<Item> {
    state
        .store
        .work_item(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("清单事项", "work item")))
}

/// Who the reader is to an item.
struct Standing {
    staff: bool,
    serve: bool,
    city: bool,
    handles: bool,
    owner: bool,
}

async fn standing(state: &AppState, auth: &Auth, i: &Item) -> AppResult<Standing> {
    let a = &auth.actor;
    let in_region = covers(state, a, None, i.region_id).await?;
    let staff = a.has(Permission::EnterpriseRead)
        && covers(state, a, i.progress.department_id, i.region_id).await?;
    let handles = a.has(Permission::EnterpriseHandle)
        && i.progress.department_id.is_some()
        && (a.scope.department_id == i.progress.department_id
            || (a.has_role(Role::Admin) && in_region));
    Ok(Standing {
        staff,
        serve: a.has(Permission::EnterpriseServe) && in_region,
        city: at_city(state, a).await?,
        handles,
        owner: own_enterprise(state, auth).await? == Some(i.enterprise_id),
    })
}

/// Who takes a step on an item.
enum Party {
    /// The steward (assign, escalate, consult).
    Steward,
    /// The department the item is assigned to (answer).
    Department,
    /// The enterprise itself (confirm).
    Enterprise,
}

impl Party {
    fn of(action: &str) -> Option<Party> {
        match action {
            "assign" | "escalate" | "consult" => Some(Party::Steward),
            "answer" => Some(Party::Department),
            "confirm" => Some(Party::Enterprise),
            _ => None,
        }
    }
}

impl Standing {
    /// Whether any item could give this reader the standing for the action (`may` below, before
    /// scope and ownership), asked before the item is read.
    fn may_ever(auth: &Auth, action: &str) -> AppResult<()> {
        let a = &auth.actor;
        let can = match Party::of(action) {
            Some(Party::Steward) => a.has(Permission::EnterpriseServe),
            Some(Party::Department) => a.has(Permission::EnterpriseHandle),
            // staff who may see items are told below that only the enterprise confirms
            Some(Party::Enterprise) => {
                a.has_role(Role::Enterprise) || a.has(Permission::EnterpriseRead)
            }
            None => false,
        };
        if can {
            Ok(())
        } else {
            Err(DomainError::forbidden().into())
        }
    }

    fn may_see(&self) -> bool {
        self.staff || self.owner || self.handles
    }

    /// Whether this reader may take the action (its state aside).
    fn may(&self, action: &str, level: Level) -> bool {
        match Party::of(action) {
            Some(Party::Steward) => self.serve && (level == Level::District || self.city),
            Some(Party::Department) => self.handles,
            Some(Party::Enterprise) => self.owner,
            None => false,
        }
    }
}

/// An item with what the reader needs to work it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ItemFile {
    pub item: Item,
    pub enterprise_name: String,
    pub department_name: String,
    pub overdue: bool,
    pub log: Vec<LogLine>,
    pub consultations: Vec<Consultation>,
    /// The actions open to this reader now.
    pub actions: Vec<String>,
}

pub async fn item_file(state: &AppState, auth: &Auth, id: i64) -> AppResult<ItemFile> {
    let i = item_or_404(state, id).await?;
    let st = standing(state, auth, &i).await?;
    if !st.may_see() {
        return Err(DomainError::forbidden().into());
    }
    let mut consultations = Vec::new();
    for c in &i.progress.consultations {
        consultations.extend(state.store.consultation(*c).await?);
    }
    Ok(ItemFile {
        enterprise_name: enterprise_or_404(state, i.enterprise_id).await?.name,
        department_name: department_name(state, i.progress.department_id).await?,
        overdue: work::overdue(&i.progress, today()),
        log: state.store.work_log(id).await?,
        consultations,
        actions: work::open_actions(&i.progress)
            .into_iter()
            .filter(|a| st.may(a, i.progress.level))
            .map(String::from)
            .collect(),
        item: i,
    })
}

/// One step on an item, by whoever may take it.
pub async fn act(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    action: Action,
) -> AppResult<Item> {
    Standing::may_ever(auth, action.code())?;
    let i = item_or_404(state, id).await?;
    let st = standing(state, auth, &i).await?;
    if !st.may_see() {
        return Err(DomainError::forbidden().into());
    }
    let code = action.code();
    if !st.may(code, i.progress.level) {
        return Err(match code {
            "confirm" => AppError::invalid(
                "action",
                "办结须由企业本人确认，工作人员不能代为确认",
                "only the enterprise itself confirms that its item is solved",
            ),
            "assign" | "escalate" | "consult" if st.serve => AppError::invalid(
                "action",
                "该事项已提级至市级，由市级交办",
                "the city holds this item and assigns it",
            ),
            _ => DomainError::forbidden().into(),
        });
    }
    if let Action::Consult {
        consultation_id, ..
    } = &action
        && state.store.consultation(*consultation_id).await?.is_none()
    {
        return Err(AppError::invalid(
            "consultation_id",
            "没有这次会商",
            "no such consultation",
        ));
    }
    Ok(state
        .store
        .act_on_work_item(&auth.ctx(), id, version, action, cases::now())
        .await?)
}
