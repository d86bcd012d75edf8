//! Cases as people handle them: applying (online, at a window or kiosk, through an agent, on a
//! home visit, as a batch or a bundle), acting on a case, seeing it, following its progress.
//! Each action checks who may act (role and scope) here, what may happen now in the core's
//! state machine, and is written by the store in one transaction.

use super::calendar::CaseSettings;
use super::uploads::{self, Upload};
use super::{owner, scope_filter};
use crate::auth::{Auth, Origin};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::access::{Actor, Owner, Permission};
use onewindow_core::audit::Context;
use onewindow_core::case::apply::{
    ApplicationInput, CleanApplication, Intake, Placement, clean_applicant, new_case,
};
use onewindow_core::case::clock::{self, ClockView, Light};
use onewindow_core::case::machine::{self, Action, Env};
use onewindow_core::case::workflow::Workflow;
use onewindow_core::case::*;
use onewindow_core::catalog::bundle::TopicKind;
use onewindow_core::catalog::record::PublishedGuide;
use onewindow_core::identity::Role;
use onewindow_core::time::{china, local_date};
use onewindow_core::{DomainError, FieldError, Text};
use onewindow_store::{
    BundleRecord, CaseFile, CaseFilter, CaseRecord, Created, Grouping, ScopeFilter, StepItem,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

const CASE: Text = Text::fixed("办件", "case");

pub async fn settings(state: &AppState) -> AppResult<Arc<CaseSettings>> {
    state.calendar.get(state.store.as_ref()).await
}

pub fn now() -> DateTime<Utc> {
    onewindow_store::backend::now()
}

/// The published guide of a matter and where its cases belong.
async fn placement(state: &AppState, code: &str) -> AppResult<(PublishedGuide, Placement)> {
    let view = super::catalog::view(state).await?;
    let g = view
        .guide(&code.trim().to_ascii_uppercase())
        .cloned()
        .ok_or_else(|| {
            AppError::from(FieldError::new(
                "matter_code",
                Text::new(
                    format!("事项“{code}”不存在或未公开"),
                    format!("no published matter '{code}'"),
                ),
            ))
        })?;
    let region_id = state
        .org_facts
        .department_region(state.store.as_ref(), g.department_id)
        .await?
        .ok_or_else(AppError::internal)?;
    let p = Placement {
        matter_id: g.matter_id,
        matter_code: g.code.clone(),
        matter_name: g.guide.name.clone(),
        guide_version_id: g.version_id,
        department_id: g.department_id,
        region_id,
        statutory_days: g.guide.statutory_days,
        promised_days: g.guide.promised_days,
    };
    Ok((g, p))
}

/// The working day an application counts as received: online ones by the online closing time,
/// the others by the closing time of the matter's hall.
async fn intake(
    state: &AppState,
    s: &CaseSettings,
    guide: &PublishedGuide,
    channel: Channel,
    at: DateTime<Utc>,
) -> AppResult<(NaiveDate, Option<NaiveDate>)> {
    let mut closes = s.rules.online_closes.clone();
    if channel != Channel::Online
        && let Some(h) = guide.guide.hall_id
        && let Some(hall) = state.store.hall(h).await?
    {
        closes = hall.closes;
    }
    let closes = onewindow_core::calendar::parse_time(&closes)
        .unwrap_or_else(|| chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default());
    let local = at.with_timezone(&china()).naive_local();
    let received = s
        .calendar
        .received_day(local, closes)
        .unwrap_or(local.date());
    let due = s
        .calendar
        .add_workdays(received, s.rules.completeness_days)
        .ok();
    Ok((received, due))
}

/// Who may file through which channel: window, home-visit and batch intake is the clerks' work
/// in their scope; anyone signed in may apply online, at a kiosk, or as an authorised agent.
fn may_file(auth: &Auth, channel: Channel, owner: &Owner) -> AppResult<()> {
    match channel {
        Channel::Window | Channel::HomeVisit | Channel::Batch => {
            auth.actor.may(Permission::CaseIntake, owner)?;
        }
        Channel::Online | Channel::Kiosk | Channel::Agent => {}
    }
    Ok(())
}

fn intake_for(
    auth: &Auth,
    at: DateTime<Utc>,
    received: (NaiveDate, Option<NaiveDate>),
    s: &CaseSettings,
    channel: Channel,
) -> Intake {
    // A person applying for themselves owns the case; staff and agents file for others.
    let own = !auth.actor.is_staff() && channel != Channel::Agent;
    Intake {
        now: at,
        received_on: received.0,
        completeness_due: received.1,
        applicant_user_id: own.then_some(auth.user.id),
        bundle_id: None,
        batch_id: None,
        delivery_days: s.rules.delivery_days,
        // What the window ticked as handed in, it received on paper (收件清单).
        received_by: (matches!(
            channel,
            Channel::Window | Channel::HomeVisit | Channel::Batch
        ) && auth.actor.has(Permission::CaseIntake))
        .then(|| (Some(auth.user.id), auth.user.display_name.clone())),
    }
}

fn with_agent(mut app: CleanApplication, auth: &Auth) -> CleanApplication {
    if app.channel == Channel::Agent
        && let Some(a) = app.agency.as_mut()
    {
        a.user_id = Some(auth.user.id);
    }
    app
}

/// A new application for one matter, with its uploaded materials.
pub async fn apply(
    state: &AppState,
    auth: &Auth,
    input: ApplicationInput,
    files: Vec<Upload>,
) -> AppResult<Created> {
    let (guide, p) = placement(state, &input.matter_code).await?;
    let owner = owner(state, Some(p.department_id), Some(p.region_id)).await?;
    may_file(auth, input.channel, &owner)?;
    if input.channel == Channel::Batch {
        return Err(FieldError::new(
            "channel",
            Text::fixed("批量受理请使用批量申请", "use the batch intake for batches"),
        )
        .into());
    }
    let s = settings(state).await?;
    let at = now();
    let mut app = with_agent(input.clean(&guide.guide, local_date(at))?, auth);
    super::licences::reuse::resolve(state, auth, &guide.guide, &mut app).await?;
    let stored = uploads::store(&state.config.uploads_dir, &files, &s.rules).await?;
    for m in app.materials.iter_mut() {
        if stored.iter().any(|f| f.material == m.name) {
            m.provided = true;
        }
    }
    let received = intake(state, &s, &guide, app.channel, at).await?;
    let d = new_case(
        app.clone(),
        &p,
        &intake_for(auth, at, received, &s, app.channel),
    );
    Ok(state
        .store
        .create_cases(&auth.ctx(), Grouping::Single, vec![d], stored)
        .await?)
}

/// One visit for many applicants (批量受理): a clerk files them together, each its own case.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchInput {
    pub matter_code: String,
    /// What the batch is, e.g. "东方村集体土地所有权确权登记".
    pub title: String,
    pub applicants: Vec<ApplicantInfo>,
    pub delivery: DeliveryMethod,
    #[serde(default)]
    pub delivery_address: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The batch desk received every applicant's materials on paper with the batch (收件清单
    /// for the whole batch); otherwise none is received yet and acceptance waits for them.
    #[serde(default)]
    pub materials_received: bool,
}

pub const MAX_BATCH: usize = 2000;

pub async fn apply_batch(state: &AppState, auth: &Auth, b: BatchInput) -> AppResult<Created> {
    auth.actor.require(Permission::CaseIntake)?;
    let (guide, p) = placement(state, &b.matter_code).await?;
    let owner = owner(state, Some(p.department_id), Some(p.region_id)).await?;
    may_file(auth, Channel::Batch, &owner)?;
    let title = onewindow_core::validate::text::required("title", &b.title, 100)?;
    if b.applicants.is_empty() || b.applicants.len() > MAX_BATCH {
        return Err(FieldError::new(
            "applicants",
            Text::new(
                format!("批量申请应有1到{MAX_BATCH}名申请人"),
                format!("a batch has 1 to {MAX_BATCH} applicants"),
            ),
        )
        .into());
    }
    let s = settings(state).await?;
    let at = now();
    let received = intake(state, &s, &guide, Channel::Batch, at).await?;
    let mut dossiers = Vec::new();
    for (i, a) in b.applicants.into_iter().enumerate() {
        let input = ApplicationInput {
            matter_code: b.matter_code.clone(),
            channel: Channel::Batch,
            applicant: a,
            agency: None,
            materials: vec![],
            note: b.note.clone(),
            delivery: b.delivery,
            delivery_address: b.delivery_address.clone(),
            licences: vec![],
        };
        let mut app = input.clean(&guide.guide, local_date(at)).map_err(|e| {
            FieldError::new(
                format!(
                    "applicants[{i}].{}",
                    e.field.trim_start_matches("applicant.")
                ),
                e.reason,
            )
        })?;
        if b.materials_received {
            for m in app.materials.iter_mut() {
                m.provided = true;
            }
        }
        dossiers.push(new_case(
            app,
            &p,
            &intake_for(auth, at, received, &s, Channel::Batch),
        ));
    }
    Ok(state
        .store
        .create_cases(
            &auth.ctx(),
            Grouping::Batch {
                matter_id: p.matter_id,
                title,
            },
            dossiers,
            vec![],
        )
        .await?)
}

/// 一件事: one form and one set of materials for every matter of a bundle.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleInput {
    pub topic_code: String,
    pub channel: Channel,
    pub applicant: ApplicantInfo,
    #[serde(default)]
    pub agency: Option<Agency>,
    pub delivery: DeliveryMethod,
    #[serde(default)]
    pub delivery_address: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

pub async fn apply_bundle(
    state: &AppState,
    auth: &Auth,
    b: BundleInput,
    files: Vec<Upload>,
) -> AppResult<Created> {
    let view = super::catalog::view(state).await?;
    let topic = view
        .topic(&b.topic_code)
        .filter(|t| t.kind == TopicKind::Bundle)
        .cloned()
        .ok_or_else(|| {
            AppError::from(FieldError::new(
                "topic_code",
                Text::new(
                    format!("“{}”不是“一件事”套餐", b.topic_code),
                    format!("'{}' is not a bundle", b.topic_code),
                ),
            ))
        })?;
    let s = settings(state).await?;
    let at = now();
    let today = local_date(at);
    let applicant = clean_applicant(b.applicant.clone(), today)?;
    let stored = uploads::store(&state.config.uploads_dir, &files, &s.rules).await?;
    let mut dossiers = Vec::new();
    for code in &topic.matters {
        let (guide, p) = placement(state, code).await?;
        let owner = owner(state, Some(p.department_id), Some(p.region_id)).await?;
        may_file(auth, b.channel, &owner)?;
        let input = ApplicationInput {
            matter_code: code.clone(),
            channel: b.channel,
            applicant: b.applicant.clone(),
            agency: b.agency.clone(),
            materials: vec![],
            note: b.note.clone(),
            delivery: b.delivery,
            delivery_address: b.delivery_address.clone(),
            licences: vec![],
        };
        let mut app = with_agent(input.clean(&guide.guide, today)?, auth);
        for m in app.materials.iter_mut() {
            if stored.iter().any(|f| f.material == m.name) {
                m.provided = true;
            }
        }
        let received = intake(state, &s, &guide, b.channel, at).await?;
        dossiers.push(new_case(
            app,
            &p,
            &intake_for(auth, at, received, &s, b.channel),
        ));
    }
    Ok(state
        .store
        .create_cases(
            &auth.ctx(),
            Grouping::Bundle {
                topic_id: topic.id,
                topic_name: topic.name.clone(),
                applicant_name: applicant.name,
                applicant_id_number: applicant.id_number,
            },
            dossiers,
            stored,
        )
        .await?)
}

/// How the asker stands to a case.
pub struct Standing {
    /// The applicant, or the agent who filed it.
    pub applicant: bool,
    /// Staff who may read it (the case's department or region, or a department with a step).
    pub staff: bool,
    /// Staff whose work on it needs the applicant's personal data: the window clerks who take it
    /// in and deliver it, the approvers of its department (who decide), whoever holds the role
    /// of one of its review steps in that step's department (a leader only where a stage is the
    /// leader's). Not administrators, supervisors or leaders otherwise.
    pub works_on: bool,
    pub owner: Owner,
}

async fn standing(state: &AppState, actor: &Actor, d: &Dossier) -> AppResult<Standing> {
    let owner = owner(state, Some(d.case.department_id), Some(d.case.region_id)).await?;
    let applicant = d.case.applicant_user_id == Some(actor.user_id)
        || d.case.agency.as_ref().and_then(|a| a.user_id) == Some(actor.user_id);
    let mut staff = actor.has(Permission::CaseRead) && actor.covers(&owner);
    if !staff && actor.has(Permission::CaseRead) {
        for st in &d.steps {
            if step_in_scope(state, actor, st.department_id).await? {
                staff = true;
                break;
            }
        }
    }
    let works_on = staff && works_on(state, actor, d, &owner).await?;
    Ok(Standing {
        applicant,
        staff,
        works_on,
        owner,
    })
}

/// Whether the case is this staff member's work (see [`Standing::works_on`]).
async fn works_on(state: &AppState, actor: &Actor, d: &Dossier, owner: &Owner) -> AppResult<bool> {
    // By role, not by permission: an administrator or a leader holds the permissions to act on
    // any case but handles none of them in the course of things.
    if actor.covers(owner) && (actor.has_role(Role::Clerk) || actor.has_role(Role::Approver)) {
        return Ok(true);
    }
    for s in &d.steps {
        if actor.has_role(s.role) && step_in_scope(state, actor, s.department_id).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn step_in_scope(state: &AppState, actor: &Actor, department_id: i64) -> AppResult<bool> {
    if actor.scope.department_id == Some(department_id) {
        return Ok(true);
    }
    if actor.scope.department_id.is_some() {
        return Ok(false);
    }
    Ok(actor.covers(&super::department_owner(state, department_id).await?))
}

/// A case the asker may see, and how they stand to it. Others get "not found": whether a case
/// number exists is not told to strangers.
pub async fn load(state: &AppState, auth: &Auth, id: i64) -> AppResult<(CaseRecord, Standing)> {
    let rec = state
        .store
        .case_record(id)
        .await?
        .ok_or_else(|| AppError::not_found(CASE))?;
    let st = standing(state, &auth.actor, &rec.dossier).await?;
    if !st.staff && !st.applicant {
        return Err(if auth.actor.is_staff() {
            DomainError::forbidden().into()
        } else {
            AppError::not_found(CASE)
        });
    }
    Ok((rec, st))
}

/// Whether this person may take this action on this case (the state machine decides whether it
/// may happen now).
async fn may_act(
    state: &AppState,
    auth: &Auth,
    d: &Dossier,
    st: &Standing,
    kind: ActionKind,
    step_id: Option<i64>,
) -> AppResult<bool> {
    let a = &auth.actor;
    let in_scope = |p: Permission| a.has(p) && a.covers(&st.owner);
    Ok(match kind {
        ActionKind::Accept
        | ActionKind::ReceiveMaterials
        | ActionKind::Refuse
        | ActionKind::RequestSupplement
        | ActionKind::ConcludeOnSpot
        | ActionKind::Deliver => in_scope(Permission::CaseIntake),
        ActionKind::Conclude => {
            in_scope(Permission::CaseIntake) || in_scope(Permission::CaseDecide)
        }
        ActionKind::CompleteSupplement | ActionKind::Withdraw => {
            st.applicant || in_scope(Permission::CaseIntake)
        }
        ActionKind::Claim | ActionKind::FinishStep => {
            let steps: Vec<&CaseStep> = match step_id {
                Some(id) => d.step(id).into_iter().collect(),
                // A step is claimed once: 认领 is open while an active step is not the
                // reader's already.
                None => d
                    .steps
                    .iter()
                    .filter(|s| s.state == StepState::Active)
                    .filter(|s| kind != ActionKind::Claim || s.assignee_id != Some(a.user_id))
                    .collect(),
            };
            let mut ok = false;
            for s in steps {
                let role_ok = a.has_role(s.role) || a.has_role(Role::Admin);
                if a.has(Permission::CaseReview)
                    && role_ok
                    && step_in_scope(state, a, s.department_id).await?
                {
                    ok = true;
                    break;
                }
            }
            ok
        }
        ActionKind::Pause | ActionKind::Resume | ActionKind::RequestExtension => {
            in_scope(Permission::CaseReview)
        }
        ActionKind::Decide => in_scope(Permission::CaseDecide),
        ActionKind::ApproveExtension | ActionKind::RejectExtension => {
            in_scope(Permission::CaseApproveExtension)
        }
        ActionKind::DeemAccept => false,
    })
}

/// The actions this person can take on the case now.
pub async fn my_actions(
    state: &AppState,
    auth: &Auth,
    d: &Dossier,
    st: &Standing,
    today: NaiveDate,
) -> AppResult<Vec<ActionKind>> {
    let mut out = Vec::new();
    for k in machine::allowed(d, today) {
        if may_act(state, auth, d, st, k, None).await? {
            out.push(k);
        }
    }
    Ok(out)
}

async fn workflow(state: &AppState, d: &Dossier) -> AppResult<Workflow> {
    Ok(state
        .store
        .workflow(d.case.matter_id)
        .await?
        .unwrap_or_else(|| Workflow::default_for(d.case.promised_days)))
}

/// Acts on a case: the version (when given) must be the one the person saw. Returns the case as
/// the action left it.
pub async fn act(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: Option<i64>,
    action: Action,
) -> AppResult<CaseView> {
    let (
        CaseRecord {
            dossier: d,
            events,
            files,
        },
        st,
    ) = load(state, auth, id).await?;
    let kind = action.kind();
    let entered = action.licence_entered();
    // What may happen now comes first: a wrong transition is a 409 for whoever tries it.
    machine::check_open(&d, kind, local_date(now()))?;
    if !may_act(state, auth, &d, &st, kind, action.step_id()).await? {
        return Err(DomainError::forbidden().into());
    }
    if let Some(v) = version
        && v != d.case.version
    {
        return Err(DomainError::stale("version").into());
    }
    if matches!(kind, ActionKind::Accept | ActionKind::ConcludeOnSpot) {
        complete(&d, &files)?;
    }
    let s = settings(state).await?;
    // Only acceptance opens the review flow; the other actions need not read it.
    let flow = if kind == ActionKind::Accept {
        workflow(state, &d).await?
    } else {
        Workflow::default_for(d.case.promised_days)
    };
    let at = now();
    let name = auth.user.display_name.clone();
    let window_id = seat_of(state, auth, kind).await?;
    let outcome = machine::act(
        &d,
        action,
        &Env {
            now: at,
            today: local_date(at),
            cal: &s.calendar,
            rules: &s.rules,
            workflow: &flow,
            actor_id: Some(auth.user.id),
            actor_name: &name,
            window_id,
        },
    )?;
    let ctx = auth.ctx();
    let note = outcome.note.clone();
    // A conclusion whose matter's result is a licence issues it in the same transaction: the
    // case is concluded with its licence, or not at all.
    let issuing = if matches!(kind, ActionKind::Conclude | ActionKind::ConcludeOnSpot) {
        super::licences::for_conclusion(state, &d, entered).await?
    } else {
        None
    };
    let after = match issuing {
        Some((licence, sign)) => {
            state
                .store
                .commit_action_issuing(&ctx, d, outcome, licence, sign)
                .await?
                .0
        }
        None => state.store.commit_action(&ctx, d, outcome).await?,
    };
    // The answer is the record as read plus the line just written: no second read.
    let mut events = events;
    events.push(CaseEvent {
        actor_id: ctx.actor_id,
        ..CaseEvent::of(&after.case, kind.code(), &ctx.actor_name, note.as_deref())
    });
    let rec = CaseRecord {
        dossier: after,
        events,
        files,
    };
    view_of(state, auth, rec, &st, false).await
}

/// The material names of a case's uploaded files.
fn uploaded(files: &[CaseFile]) -> Vec<String> {
    files.iter().map(|f| f.material.clone()).collect()
}

/// Acceptance needs every required material present (uploaded, received on paper, or held by
/// the platform): 422 naming what is missing otherwise. Deemed acceptance (art. 32) does not ask.
fn complete(d: &Dossier, files: &[CaseFile]) -> AppResult<()> {
    onewindow_core::case::materials::check_complete(&d.case.materials, &uploaded(files))
        .map_err(|e| DomainError::Invalid(e).into())
}

/// The window a clerk taking an application in sits at (the case is counted to it); other
/// actions need not look.
async fn seat_of(state: &AppState, auth: &Auth, kind: ActionKind) -> AppResult<Option<i64>> {
    if !kind.is_intake() {
        return Ok(None);
    }
    Ok(state.store.seat_of(auth.user.id).await?)
}

/// Accepts every case of a batch still awaiting acceptance, in one transaction.
pub async fn accept_batch(state: &AppState, auth: &Auth, batch_id: i64) -> AppResult<usize> {
    auth.actor.require(Permission::CaseIntake)?;
    let batch = state
        .store
        .batch(batch_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("批次", "batch")))?;
    let members = state
        .store
        .cases(&CaseFilter {
            batch_id: Some(batch.id),
            states: vec![CaseState::Submitted],
            limit: MAX_BATCH as i64,
            ..Default::default()
        })
        .await?;
    let s = settings(state).await?;
    let at = now();
    let name = auth.user.display_name.clone();
    let window_id = seat_of(state, auth, ActionKind::Accept).await?;
    let mut items = Vec::new();
    for c in members {
        let (
            CaseRecord {
                dossier: d, files, ..
            },
            st,
        ) = load(state, auth, c.id).await?;
        if !may_act(state, auth, &d, &st, ActionKind::Accept, None).await? {
            return Err(DomainError::forbidden().into());
        }
        // one case short of its materials holds the batch: it is named, nothing is accepted
        complete(&d, &files).map_err(|e| {
            AppError::from(DomainError::Invalid(FieldError::new(
                "materials",
                Text::new(
                    format!(
                        "{}：{}",
                        d.case.number,
                        e.body(onewindow_core::Lang::Zh).message
                    ),
                    format!(
                        "{}: {}",
                        d.case.number,
                        e.body(onewindow_core::Lang::En).message
                    ),
                ),
            )))
        })?;
        let flow = workflow(state, &d).await?;
        let out = machine::act(
            &d,
            Action::Accept {
                note: Some(format!("批量受理（{}）", batch.number)),
            },
            &Env {
                now: at,
                today: local_date(at),
                cal: &s.calendar,
                rules: &s.rules,
                workflow: &flow,
                actor_id: Some(auth.user.id),
                actor_name: &name,
                window_id,
            },
        )?;
        items.push((d, out));
    }
    let n = items.len();
    state.store.commit_actions(&auth.ctx(), items).await?;
    Ok(n)
}

/// The art. 32 sweep: cases whose completeness was not decided in time are accepted by law.
pub async fn deem_overdue(state: &AppState, at: DateTime<Utc>) -> AppResult<usize> {
    let today = local_date(at);
    let ids = state.store.cases_past_completeness(today, 500).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let s = settings(state).await?;
    let ctx = Context::system("deemed-acceptance");
    let mut n = 0;
    for id in ids {
        let Some(d) = state.store.dossier(id).await? else {
            continue;
        };
        let flow = workflow(state, &d).await?;
        let out = machine::act(
            &d,
            Action::DeemAccept,
            &Env {
                now: at,
                today,
                cal: &s.calendar,
                rules: &s.rules,
                workflow: &flow,
                actor_id: None,
                actor_name: "系统",
                window_id: None,
            },
        );
        // Someone may have acted meanwhile: then there is nothing to deem.
        if let Ok(out) = out
            && state.store.commit_action(&ctx, d, out).await.is_ok()
        {
            n += 1;
        }
    }
    Ok(n)
}

/// A case as a page or the API shows it.
#[derive(Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub dossier: Dossier,
    pub department: String,
    pub clock: ClockView,
    /// Lights of the steps, by step id.
    pub step_lights: Vec<(i64, Option<Light>)>,
    /// The own clocks of the active steps, by step id.
    pub step_readings: Vec<(i64, Option<clock::Reading>)>,
    /// What the asker can do now.
    pub actions: Vec<ActionKind>,
    pub events: Vec<CaseEvent>,
    pub files: Vec<CaseFile>,
    pub bundle: Option<BundleRecord>,
    /// The notices issued, with their document numbers (文号).
    pub documents: Vec<onewindow_core::case::documents::Document>,
}

/// A case; with `personal`, the applicant's personal data in full (see [`view_of`]).
pub async fn view(state: &AppState, auth: &Auth, id: i64, personal: bool) -> AppResult<CaseView> {
    let (rec, st) = load(state, auth, id).await?;
    view_of(state, auth, rec, &st, personal).await
}

/// Whether the asker's work needs the applicant's ID number, phone and address: the applicant
/// and their agent, and the staff whose work the case is ([`Standing::works_on`]). Supervisors,
/// leaders and the rest see them masked, whatever permissions their role holds.
pub fn may_see_personal(st: &Standing) -> bool {
    st.applicant || st.works_on
}

/// Lets the asker see the case's personal data, or refuses: a staff member's look is an audit
/// entry (`case.personal_view`) in the case's trail, the applicant's own is not.
async fn reveal(state: &AppState, auth: &Auth, c: &Case, st: &Standing) -> AppResult<()> {
    if !may_see_personal(st) {
        return Err(DomainError::forbidden().into());
    }
    if !st.applicant {
        state
            .store
            .append_audit(
                &auth.ctx(),
                onewindow_core::audit::Change {
                    action: "case.personal_view".into(),
                    target_type: "case".into(),
                    target_id: Some(c.id),
                    department_id: Some(c.department_id),
                    region_id: Some(c.region_id),
                    summary: serde_json::json!({"number": c.number}),
                },
            )
            .await?;
    }
    Ok(())
}

/// The view of a dossier already loaded (after an action: the one just written). Personal data
/// is masked unless the asker is the applicant, or asks for it (`personal`) and may see it: 403
/// otherwise, and a staff member's look goes into the trail.
pub async fn view_of(
    state: &AppState,
    auth: &Auth,
    rec: CaseRecord,
    st: &Standing,
    personal: bool,
) -> AppResult<CaseView> {
    let CaseRecord {
        dossier: mut d,
        events,
        files,
    } = rec;
    if personal {
        reveal(state, auth, &d.case, st).await?;
    } else if !st.applicant {
        d.case.mask_personal();
    }
    let s = settings(state).await?;
    let today = local_date(now());
    let actions = my_actions(state, auth, &d, st, today).await?;
    let rule = s.rules.light_rule_for(&d.case.matter_code);
    let clock = s.clock(&d.case, today);
    let step_lights = d
        .steps
        .iter()
        .map(|x| (x.id, clock::step_light(x, &s.calendar, today, rule)))
        .collect();
    let step_readings = d
        .steps
        .iter()
        .map(|x| (x.id, clock::step_reading(x, &s.calendar, today, rule)))
        .collect();
    let department = super::catalog::view(state)
        .await?
        .department(d.case.department_id)
        .to_string();
    let bundle = match d.case.bundle_id {
        Some(b) => state.store.bundle(b).await?,
        None => None,
    };
    let documents = state.store.case_documents(d.case.id).await?;
    Ok(CaseView {
        documents,
        events,
        files,
        department,
        clock,
        step_lights,
        step_readings,
        actions,
        bundle,
        dossier: d,
    })
}

/// A line of a case list, with its clock.
#[derive(Serialize, ToSchema)]
pub struct CaseLine {
    #[serde(flatten)]
    pub case: Case,
    /// The handling clock's light (supervision's): under review and running.
    pub light: Option<Light>,
    /// The clock that runs now (the handling clock under review, the delivery clock once
    /// decided), with its deadline, working days left and light: one reading of one clock.
    pub clock: Option<clock::Reading>,
    /// The project it is served under (全流程帮办代办), if any.
    pub project: Option<String>,
    /// Its project has the green channel (绿色通道): it goes first.
    pub green_channel: bool,
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub total: i64,
    pub cases: Vec<CaseLine>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// State codes, comma-separated (e.g. `submitted,reviewing`).
    pub state: Option<String>,
    /// Part of the case number or the applicant's name.
    pub q: Option<String>,
    pub matter: Option<String>,
    pub batch_id: Option<i64>,
    pub bundle_id: Option<i64>,
    /// Only the cases I applied for or filed as an agent.
    pub mine: Option<bool>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// Lines of a list, personal data masked.
pub fn lines(s: &CaseSettings, cases: Vec<Case>, today: NaiveDate) -> Vec<CaseLine> {
    cases
        .into_iter()
        .map(|mut c| {
            let v = s.clock(&c, today);
            // lists are for finding and counting, never for reaching the applicant
            c.mask_personal();
            CaseLine {
                light: v.light,
                clock: v.current(),
                project: None,
                green_channel: false,
                case: c,
            }
        })
        .collect()
}

pub async fn list(state: &AppState, auth: &Auth, p: &ListParams) -> AppResult<CaseList> {
    let mut states = Vec::new();
    for code in p.state.as_deref().unwrap_or("").split(',').map(str::trim) {
        if code.is_empty() {
            continue;
        }
        states.push(CaseState::parse(code).ok_or_else(|| {
            AppError::bad_request(
                "state",
                Text::new(
                    format!("未知的状态“{code}”"),
                    format!("unknown state '{code}'"),
                ),
            )
        })?);
    }
    let matter_id = match p.matter.as_deref().filter(|m| !m.is_empty()) {
        Some(code) => Some(
            state
                .store
                .matter_by_code(&code.to_ascii_uppercase())
                .await?
                .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?
                .id,
        ),
        None => None,
    };
    let mine = p.mine.unwrap_or(false) || !auth.actor.has(Permission::CaseRead);
    let filter = CaseFilter {
        scope: if mine {
            ScopeFilter::all()
        } else {
            scope_filter(&auth.actor)
        },
        owner_user_id: mine.then_some(auth.user.id),
        states,
        matter_id,
        bundle_id: p.bundle_id,
        batch_id: p.batch_id,
        q: p.q.clone(),
        id_below: None,
        limit: p.limit.unwrap_or(50).clamp(1, 500),
        offset: p.offset.unwrap_or(0).max(0),
    };
    let total = state.store.count_cases(&filter).await?;
    let cases = state.store.cases(&filter).await?;
    let s = settings(state).await?;
    Ok(CaseList {
        total,
        cases: lines(&s, cases, local_date(now())),
    })
}

/// The staff workbench: what waits for me and for my department.
#[derive(Serialize, ToSchema)]
pub struct Workbench {
    /// Review steps I have claimed.
    pub mine: Vec<StepLine>,
    /// Open review steps of my department nobody has claimed.
    pub queue: Vec<StepLine>,
    /// Applications awaiting acceptance in my scope (clerks).
    pub intake: Vec<CaseLine>,
    /// Cases ready for a decision (all steps done) in my scope.
    pub to_decide: Vec<CaseLine>,
    /// Extensions awaiting approval in my scope.
    pub extensions: Vec<CaseLine>,
    /// Decided or concluded cases to conclude or deliver.
    pub to_deliver: Vec<CaseLine>,
}

#[derive(Serialize, ToSchema)]
pub struct StepLine {
    pub step: CaseStep,
    pub case_id: i64,
    pub number: String,
    pub matter_name: String,
    pub applicant_name: String,
    pub light: Option<Light>,
    pub case_light: Option<Light>,
    pub project: Option<String>,
    pub green_channel: bool,
}

impl StepLine {
    /// The light a step's line shows: the worse of the step's own and its case's.
    pub fn shown_light(&self) -> Option<Light> {
        match (self.light, self.case_light) {
            (Some(Light::Red), _) | (_, Some(Light::Red)) => Some(Light::Red),
            (Some(Light::Yellow), _) | (_, Some(Light::Yellow)) => Some(Light::Yellow),
            (a, b) => a.or(b),
        }
    }
}

fn step_lines(s: &CaseSettings, items: Vec<StepItem>, today: NaiveDate) -> Vec<StepLine> {
    items
        .into_iter()
        .map(|i| StepLine {
            light: clock::step_light(
                &i.step,
                &s.calendar,
                today,
                s.rules.light_rule_for(&i.case.matter_code),
            ),
            case_light: s.clock(&i.case, today).light,
            case_id: i.case.id,
            project: None,
            green_channel: false,
            number: i.case.number,
            matter_name: i.case.matter_name,
            applicant_name: i.case.applicant.name,
            step: i.step,
        })
        .collect()
}

pub async fn workbench(state: &AppState, auth: &Auth) -> AppResult<Workbench> {
    let a = &auth.actor;
    if !a.has(Permission::CaseRead) {
        return Err(DomainError::forbidden().into());
    }
    let s = settings(state).await?;
    let today = local_date(now());
    let scope = scope_filter(a);
    let by_state = |states: Vec<CaseState>| CaseFilter {
        scope: scope.clone(),
        states,
        limit: 200,
        ..Default::default()
    };
    let mine = state.store.open_steps(None, Some(a.user_id), 200).await?;
    let queue = match a.scope.department_id {
        Some(d) if a.has(Permission::CaseReview) => state
            .store
            .open_steps(Some(d), None, 200)
            .await?
            .into_iter()
            .filter(|i| i.step.assignee_id.is_none() && a.has_role(i.step.role))
            .collect(),
        _ => Vec::new(),
    };
    let intake = if a.has(Permission::CaseIntake) {
        state
            .store
            .cases(&by_state(vec![CaseState::Submitted, CaseState::Supplement]))
            .await?
    } else {
        Vec::new()
    };
    let reviewing = if a.has(Permission::CaseDecide) || a.has(Permission::CaseApproveExtension) {
        let list = state
            .store
            .cases(&by_state(vec![CaseState::Reviewing]))
            .await?;
        let mut out = Vec::new();
        for c in list {
            if let Some(d) = state.store.dossier(c.id).await? {
                out.push(d);
            }
        }
        out
    } else {
        Vec::new()
    };
    let to_decide = reviewing
        .iter()
        .filter(|d| a.has(Permission::CaseDecide) && d.steps_open().next().is_none())
        .filter(|d| d.case.paused_since.is_none())
        .map(|d| d.case.clone())
        .collect();
    let extensions = reviewing
        .iter()
        .filter(|d| {
            a.has(Permission::CaseApproveExtension)
                && d.case
                    .extension
                    .as_ref()
                    .is_some_and(|e| e.state == ExtensionState::Requested)
        })
        .map(|d| d.case.clone())
        .collect();
    let to_deliver = if a.has(Permission::CaseIntake) {
        state
            .store
            .cases(&by_state(vec![CaseState::Decided, CaseState::Concluded]))
            .await?
    } else {
        Vec::new()
    };
    let mut w = Workbench {
        mine: step_lines(&s, mine, today),
        queue: step_lines(&s, queue, today),
        intake: lines(&s, intake, today),
        to_decide: lines(&s, to_decide, today),
        extensions: lines(&s, extensions, today),
        to_deliver: lines(&s, to_deliver, today),
    };
    green_first(state, &mut w).await?;
    Ok(w)
}

/// Marks the cases served under a project and puts those with the green channel (绿色通道,
/// 急事急办) first in every queue, keeping the order otherwise.
async fn green_first(state: &AppState, w: &mut Workbench) -> AppResult<()> {
    let mut ids: Vec<i64> = w.mine.iter().chain(&w.queue).map(Served::case_id).collect();
    for l in [&w.intake, &w.to_decide, &w.extensions, &w.to_deliver] {
        ids.extend(l.iter().map(Served::case_id));
    }
    ids.sort_unstable();
    ids.dedup();
    let found: std::collections::HashMap<i64, onewindow_store::CaseProject> = state
        .store
        .case_projects(&ids)
        .await?
        .into_iter()
        .map(|p| (p.case_id, p))
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    for l in [&mut w.mine, &mut w.queue] {
        mark_projects(l, &found);
    }
    for l in [
        &mut w.intake,
        &mut w.to_decide,
        &mut w.extensions,
        &mut w.to_deliver,
    ] {
        mark_projects(l, &found);
    }
    Ok(())
}

/// A workbench line that may be served under a project.
trait Served {
    fn case_id(&self) -> i64;
    fn set_project(&mut self, name: String, green_channel: bool);
    fn green_channel(&self) -> bool;
}

impl Served for StepLine {
    fn case_id(&self) -> i64 {
        self.case_id
    }
    fn set_project(&mut self, name: String, green_channel: bool) {
        self.project = Some(name);
        self.green_channel = green_channel;
    }
    fn green_channel(&self) -> bool {
        self.green_channel
    }
}

impl Served for CaseLine {
    fn case_id(&self) -> i64 {
        self.case.id
    }
    fn set_project(&mut self, name: String, green_channel: bool) {
        self.project = Some(name);
        self.green_channel = green_channel;
    }
    fn green_channel(&self) -> bool {
        self.green_channel
    }
}

/// Marks a list's lines with their project and puts the green channel first, keeping the order
/// otherwise.
fn mark_projects<T: Served>(
    lines: &mut [T],
    found: &std::collections::HashMap<i64, onewindow_store::CaseProject>,
) {
    for x in lines.iter_mut() {
        if let Some(p) = found.get(&x.case_id()) {
            x.set_project(p.project_name.clone(), p.green_channel);
        }
    }
    lines.sort_by_key(|x| !x.green_channel());
}

/// What anyone with the case number and the last four characters of the ID number sees.
#[derive(Serialize, ToSchema)]
pub struct Progress {
    pub number: String,
    pub matter_name: String,
    pub department: String,
    pub state: CaseState,
    pub state_name: String,
    pub applicant_masked: String,
    pub submitted_at: DateTime<Utc>,
    pub clock: ClockView,
    pub decision: Option<Decision>,
    pub delivery: DeliveryMethod,
    pub tracking_number: Option<String>,
    /// Supplement items still open.
    pub supplement: Vec<SupplementItem>,
    /// Milestones: when and what (staff names left out).
    pub events: Vec<(DateTime<Utc>, String, Option<String>)>,
}

pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

pub async fn progress(
    state: &AppState,
    origin: &Origin,
    number: &str,
    id_last4: &str,
) -> AppResult<Progress> {
    let number = onewindow_core::case::number::normalise(number);
    let last4 = id_last4.trim().to_ascii_uppercase();
    let key = format!("progress:{number}");
    super::session::throttle(
        state,
        Some(&key),
        &origin.addr,
        ("查询失败", "failed look-ups"),
    )
    .await?;
    let not_found = || {
        AppError::not_found(Text::fixed(
            "与编号和证件号码后4位相符的办件",
            "a case with this number and these last four characters",
        ))
    };
    let found = match state.store.case_id_by_number(&number).await? {
        Some(id) => state.store.dossier(id).await?,
        None => None,
    };
    let d = match found {
        Some(d)
            if last4.chars().count() == 4
                && d.case
                    .applicant
                    .id_number
                    .to_ascii_uppercase()
                    .ends_with(&last4) =>
        {
            d
        }
        _ => {
            state
                .store
                .record_login_attempt(&key, &origin.addr, false)
                .await?;
            return Err(not_found());
        }
    };
    let s = settings(state).await?;
    let today = local_date(now());
    let department = state
        .store
        .department(d.case.department_id)
        .await?
        .map(|x| x.name)
        .unwrap_or_default();
    let events = state
        .store
        .case_events(d.case.id)
        .await?
        .into_iter()
        .map(|e| {
            let kind = ActionKind::parse(&e.action);
            let name = match kind {
                Some(k) => k.name().zh.into_owned(),
                None if e.action == "submit" => "提交申请".to_string(),
                None => e.action,
            };
            // Reasons meant for the applicant are shown; the reviewers' working notes are not.
            let note = match kind {
                Some(ActionKind::Claim | ActionKind::FinishStep) => None,
                _ => e.note,
            };
            (e.at, name, note)
        })
        .collect();
    Ok(Progress {
        number: d.case.number.clone(),
        matter_name: d.case.matter_name.clone(),
        department,
        state: d.case.state,
        state_name: d.case.state.name().zh.into_owned(),
        applicant_masked: mask_name(&d.case.applicant.name),
        submitted_at: d.case.submitted_at,
        clock: s.clock(&d.case, today),
        decision: d.case.decision,
        delivery: d.case.delivery,
        tracking_number: d.case.tracking_number.clone(),
        supplement: d
            .open_supplement()
            .map(|x| x.items.clone())
            .unwrap_or_default(),
        events,
    })
}

/// More materials for a case (the applicant's supplement, or the clerk scanning papers in).
pub async fn upload(
    state: &AppState,
    auth: &Auth,
    id: i64,
    files: Vec<Upload>,
) -> AppResult<Vec<CaseFile>> {
    let (CaseRecord { dossier: d, .. }, st) = load(state, auth, id).await?;
    let clerk = auth.actor.has(Permission::CaseIntake) && auth.actor.covers(&st.owner);
    if !(st.applicant || clerk) {
        return Err(DomainError::forbidden().into());
    }
    if d.case.state.is_final() {
        return Err(DomainError::conflict(
            "state",
            format!("办件{}，不能再上传材料", d.case.state.name().zh),
            format!("the case is {}; no more uploads", d.case.state.name().en),
        )
        .into());
    }
    if files.is_empty() {
        return Err(FieldError::new("file", Text::fixed("请选择文件", "choose a file")).into());
    }
    let s = settings(state).await?;
    let stored = uploads::store(&state.config.uploads_dir, &files, &s.rules).await?;
    Ok(state.store.add_files(&auth.ctx(), id, stored).await?)
}

/// A stored file, for someone who may see its case.
pub async fn download(
    state: &AppState,
    auth: &Auth,
    file_id: i64,
) -> AppResult<(CaseFile, Vec<u8>)> {
    let f = state
        .store
        .file(file_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("文件", "file")))?;
    let case_id = match (f.case_id, f.bundle_id) {
        (Some(c), _) => c,
        (None, Some(b)) => state
            .store
            .cases(&CaseFilter {
                bundle_id: Some(b),
                limit: 1,
                ..Default::default()
            })
            .await?
            .first()
            .map(|c| c.id)
            .ok_or_else(|| AppError::not_found(Text::fixed("文件", "file")))?,
        (None, None) => return Err(AppError::not_found(Text::fixed("文件", "file"))),
    };
    load(state, auth, case_id).await?;
    let bytes = uploads::read(&state.config.uploads_dir, &f.sha256).await?;
    Ok((f, bytes))
}

/// The active review steps this person may claim or finish.
pub async fn workable_steps(
    state: &AppState,
    auth: &Auth,
    d: &Dossier,
    st: &Standing,
) -> AppResult<Vec<CaseStep>> {
    let mut out = Vec::new();
    for s in d.steps.iter().filter(|s| s.state == StepState::Active) {
        if may_act(state, auth, d, st, ActionKind::FinishStep, Some(s.id)).await? {
            out.push(s.clone());
        }
    }
    Ok(out)
}

/// Whether this person may add materials to the case.
pub fn may_upload(auth: &Auth, d: &Dossier, st: &Standing) -> bool {
    !d.case.state.is_final()
        && (st.applicant
            || (auth.actor.has(Permission::CaseIntake) && auth.actor.covers(&st.owner)))
}

/// Recomputes each open case's deadlines and the days its light changes (after the calendar or the light rule
/// changed, and once after an upgrade for cases written before they were kept); writes only
/// those that differ. Returns how many changed.
pub async fn relight(state: &AppState) -> AppResult<usize> {
    let s = settings(state).await?;
    let mut filter = onewindow_store::CaseFilter {
        scope: onewindow_store::ScopeFilter::all(),
        states: vec![
            CaseState::Reviewing,
            CaseState::Decided,
            CaseState::Concluded,
        ],
        limit: 1000,
        ..Default::default()
    };
    let mut changed = 0;
    loop {
        let page = state.store.cases(&filter).await?;
        let changes: Vec<_> = page
            .iter()
            .filter_map(|c| {
                let rule = s.rules.light_rule_for(&c.matter_code);
                let after = clock::recompute(c, &s.calendar, rule);
                (after != *c).then(|| (c.clone(), after))
            })
            .collect();
        changed += state
            .store
            .set_clocks(&Context::system("relight"), &changes)
            .await?;
        match page.last() {
            Some(last) if (page.len() as i64) == filter.limit => filter.id_below = Some(last.id),
            _ => return Ok(changed),
        }
    }
}
