//! Enterprise supervisors (监督员): appointed by the supervision office with a contact point;
//! their visit and inspection reports, filed by themselves (an enterprise account) or recorded by
//! the office, are referred to a department and answered, or noted.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::cases;
use crate::service::{owner, scope_filter};
use crate::state::AppState;
use onewindow_core::access::Permission;
use onewindow_core::evaluation::supervisor::{
    NewReport, NewSupervisor, Report, ReportAction, Supervisor,
};
use onewindow_core::identity::Role;
use onewindow_core::time::local_date;
use onewindow_core::{DomainError, Text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Appoints a supervisor with a contact point in the office's scope.
pub async fn appoint(state: &AppState, auth: &Auth, s: NewSupervisor) -> AppResult<Supervisor> {
    auth.actor.require(Permission::ReviewRatings)?;
    let s = s.clean()?;
    let region_id = match (s.department_id, s.hall_id) {
        (Some(d), _) => state
            .org_facts
            .department_region(state.store.as_ref(), d)
            .await?
            .ok_or_else(|| {
                AppError::invalid("department_id", "没有这个部门", "no such department")
            })?,
        (None, Some(h)) => state
            .store
            .hall(h)
            .await?
            .map(|h| h.region_id)
            .ok_or_else(|| AppError::invalid("hall_id", "没有这个大厅", "no such hall"))?,
        (None, None) => {
            return Err(AppError::invalid(
                "department_id",
                "请指定监督联系点",
                "name the contact point",
            ));
        }
    };
    if !auth
        .actor
        .covers(&owner(state, s.department_id, Some(region_id)).await?)
    {
        return Err(DomainError::forbidden().into());
    }
    if let Some(u) = s.user_id {
        let user = state.store.user(u).await?;
        if !user.is_some_and(|u| u.active && u.roles.contains(&Role::Enterprise)) {
            return Err(AppError::invalid(
                "user_id",
                "监督员账号应为有效的企业账号",
                "the supervisor's account must be an active enterprise account",
            ));
        }
    }
    Ok(state
        .store
        .appoint_supervisor(&auth.ctx(), s, region_id, cases::now())
        .await?)
}

pub async fn list(state: &AppState, auth: &Auth) -> AppResult<Vec<Supervisor>> {
    let a = &auth.actor;
    if !a.has(Permission::ReviewRatings) && !a.has(Permission::Supervise) {
        return Err(DomainError::forbidden().into());
    }
    Ok(state.store.supervisors(&scope_filter(a)).await?)
}

/// A report as posted: the office names the supervisor; a supervisor's own account does not.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SupervisorReportInput)]
pub struct ReportInput {
    #[serde(default)]
    pub supervisor_id: Option<i64>,
    pub report: NewReport,
}

pub async fn file(state: &AppState, auth: &Auth, input: ReportInput) -> AppResult<Report> {
    let a = &auth.actor;
    let sup = if a.is_staff() {
        a.require(Permission::ReviewRatings)?;
        let id = input.supervisor_id.ok_or_else(|| {
            AppError::invalid("supervisor_id", "请指定监督员", "name the supervisor")
        })?;
        let s = state
            .store
            .supervisor(id)
            .await?
            .ok_or_else(|| AppError::not_found(Text::fixed("监督员", "supervisor")))?;
        if !a.covers(&owner(state, s.department_id, Some(s.region_id)).await?) {
            return Err(DomainError::forbidden().into());
        }
        s
    } else {
        state
            .store
            .supervisor_of_user(auth.user.id)
            .await?
            .filter(|s| s.active)
            .ok_or_else(DomainError::forbidden)?
    };
    let today = local_date(cases::now());
    if sup.term_until.is_some_and(|t| t < today) {
        return Err(AppError::invalid(
            "supervisor_id",
            "该监督员任期已满",
            "the supervisor's term has ended",
        ));
    }
    let (kind, r) = input.report.clean(today)?;
    Ok(state
        .store
        .file_report(&auth.ctx(), &sup, kind, r, cases::now())
        .await?)
}

/// Reports: the office's in scope, a department's referred to it, a supervisor's own.
pub async fn reports(state: &AppState, auth: &Auth) -> AppResult<Vec<Report>> {
    let a = &auth.actor;
    if a.is_staff() {
        if !a.has(Permission::ReviewRatings)
            && !a.has(Permission::Rectify)
            && !a.has(Permission::Supervise)
        {
            return Err(DomainError::forbidden().into());
        }
        return Ok(state.store.reports(&scope_filter(a), None).await?);
    }
    match state.store.supervisor_of_user(auth.user.id).await? {
        Some(s) => Ok(state
            .store
            .reports(&onewindow_store::ScopeFilter::all(), Some(s.id))
            .await?),
        None => Err(DomainError::forbidden().into()),
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ReportAct {
    pub version: i64,
    #[serde(flatten)]
    pub action: ReportAction,
}

/// Refer or note: the office. Resolve: the department it was referred to.
pub async fn act(state: &AppState, auth: &Auth, id: i64, input: ReportAct) -> AppResult<Report> {
    let a = &auth.actor;
    // the department it was referred to resolves; the office refers and notes
    a.require(match &input.action {
        ReportAction::Resolve { .. } => Permission::Rectify,
        _ => Permission::ReviewRatings,
    })?;
    let r = state
        .store
        .report(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("监督报告", "report")))?;
    let allowed = match &input.action {
        ReportAction::Resolve { .. } => {
            a.has(Permission::Rectify)
                && r.referred_to.is_some()
                && a.covers(&owner(state, r.referred_to, Some(r.region_id)).await?)
        }
        ReportAction::Refer { department_id } => {
            if state
                .org_facts
                .department_region(state.store.as_ref(), *department_id)
                .await?
                .is_none()
            {
                return Err(AppError::invalid(
                    "department_id",
                    "没有这个部门",
                    "no such department",
                ));
            }
            a.has(Permission::ReviewRatings)
                && a.covers(&owner(state, r.department_id, Some(r.region_id)).await?)
        }
        ReportAction::Note { .. } => {
            a.has(Permission::ReviewRatings)
                && a.covers(&owner(state, r.department_id, Some(r.region_id)).await?)
        }
    };
    if !allowed {
        return Err(DomainError::forbidden().into());
    }
    Ok(state
        .store
        .act_on_report(&auth.ctx(), id, input.version, input.action, cases::now())
        .await?)
}
