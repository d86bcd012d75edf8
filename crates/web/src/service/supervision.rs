//! Electronic supervision (电子监察): counts and lists of running clocks by light for any slice,
//! urging (督办) and its answers, and the warning job that rings at yellow and raises at red.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::cases::{self, CaseLine, settings};
use crate::service::{owner, scope_filter};
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::access::Permission;
use onewindow_core::audit::Context;
use onewindow_core::case::{Channel, Dossier};
use onewindow_core::identity::Role;
use onewindow_core::supervision::figures::{Period, month_of};
use onewindow_core::supervision::urge::{
    self, Urge, UrgeLevel, UrgeLogLine, UrgeOrigin, UrgeState,
};
use onewindow_core::time::local_date;
use onewindow_core::{DomainError, Text};
use onewindow_store::{
    Escalation, LightCounts, LightPick, NewUrge, Referral, Slice, StoreError, UrgeFilter, Warning,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A slice as a query names it. Unknown parameters are refused (an unknown slice is a mistake
/// to show, not to ignore).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SliceParams {
    /// Region code (GB/T 2260); the regions under it are included.
    pub region: Option<String>,
    pub department_id: Option<i64>,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    /// Matter code.
    pub matter: Option<String>,
    /// Channel code (`window`, `online`, …).
    pub channel: Option<String>,
    /// `green`, `yellow`, `red` or `step_red` (a review step over its own limit): cases under
    /// review by light; `late`: this month's cases concluded after their promised deadline
    /// (超期办结). Default red.
    pub light: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

fn unknown(field: &str, zh: &str, en: &str) -> AppError {
    AppError::bad_request(field, Text::new(zh.to_string(), en.to_string()))
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The slice a supervisor asks for, checked: each named thing exists, and a named department
/// or region lies in the asker's scope.
pub async fn slice(state: &AppState, auth: &Auth, p: &SliceParams) -> AppResult<Slice> {
    let a = &auth.actor;
    a.require(Permission::Supervise)?;
    let mut s = Slice {
        scope: scope_filter(a),
        ..Default::default()
    };
    if let Some(code) = blank(&p.region) {
        let r = state
            .store
            .region_by_code(code)
            .await?
            .ok_or_else(|| unknown("region", "没有这个行政区划", "no such region"))?;
        if !a.covers_region(&r.path) && a.scope.department_id.is_none() {
            return Err(DomainError::forbidden().into());
        }
        s.region_path = Some(r.path);
    }
    if let Some(id) = p.department_id {
        let d = state
            .store
            .department(id)
            .await?
            .ok_or_else(|| unknown("department_id", "没有这个部门", "no such department"))?;
        if !a.covers(&owner(state, Some(d.id), Some(d.region_id)).await?) {
            return Err(DomainError::forbidden().into());
        }
        s.department_id = Some(id);
    }
    if let Some(id) = p.window_id {
        state
            .store
            .window(id)
            .await?
            .ok_or_else(|| unknown("window_id", "没有这个窗口", "no such window"))?;
        s.window_id = Some(id);
    }
    if let Some(id) = p.clerk_id {
        let u = state.store.user(id).await?;
        if !u.is_some_and(|u| u.roles.iter().any(|r| r.is_staff())) {
            return Err(unknown(
                "clerk_id",
                "没有这个工作人员",
                "no such staff member",
            ));
        }
        s.clerk_id = Some(id);
    }
    if let Some(code) = blank(&p.matter) {
        let m = state
            .store
            .matter_by_code(&code.to_ascii_uppercase())
            .await?
            .ok_or_else(|| unknown("matter", "没有这个事项", "no such matter"))?;
        s.matter_id = Some(m.id);
    }
    if let Some(code) = blank(&p.channel) {
        s.channel = Some(
            Channel::parse(code)
                .ok_or_else(|| unknown("channel", "没有这个办理渠道", "no such channel"))?,
        );
    }
    Ok(s)
}

pub fn pick(p: &SliceParams, today: NaiveDate) -> AppResult<LightPick> {
    Ok(match blank(&p.light).unwrap_or("red") {
        "red" => LightPick::Red,
        "yellow" => LightPick::Yellow,
        "green" => LightPick::Green,
        "step_red" => LightPick::StepRed,
        "late" => LightPick::ConcludedLate {
            from: month_of(today),
        },
        _ => {
            return Err(unknown(
                "light",
                "灯色应为 green、yellow、red、step_red 或 late",
                "light must be green, yellow, red, step_red or late",
            ));
        }
    })
}

/// A slice's lights today and a page of its cases of one light.
#[derive(Serialize, ToSchema)]
pub struct Lights {
    pub today: NaiveDate,
    /// Cases under review by the light of their handling clock. Only cases under review have
    /// one: a decided case has left the lights.
    pub counts: LightCounts,
    /// Cases of the slice concluded this month after their promised deadline (超期办结), as the
    /// figures count them (`late`): apart from the lights, and never urged.
    pub concluded_late: i64,
    /// Cases of the light asked for (red by default), the longest in it first; with
    /// `light=late`, this month's cases concluded late, the latest first.
    pub cases: Vec<CaseLine>,
}

/// The slice's cases under review by light, and this month's concluded late: the counts alone
/// (a home page's), without the list.
pub async fn light_counts(
    state: &AppState,
    auth: &Auth,
    p: &SliceParams,
) -> AppResult<(LightCounts, i64)> {
    let s = slice(state, auth, p).await?;
    counts_of(state, &s, local_date(cases::now())).await
}

async fn counts_of(state: &AppState, s: &Slice, today: NaiveDate) -> AppResult<(LightCounts, i64)> {
    let counts = state.store.light_counts(s, today).await?;
    let month = Period::new(Some(month_of(today)), Some(today)).map_err(AppError::from)?;
    Ok((counts, state.store.figures(s, month).await?.late))
}

pub async fn lights(state: &AppState, auth: &Auth, p: &SliceParams) -> AppResult<Lights> {
    let s = slice(state, auth, p).await?;
    let today = local_date(cases::now());
    let pick = pick(p, today)?;
    let (counts, concluded_late) = counts_of(state, &s, today).await?;
    let page = state
        .store
        .light_cases(
            &s,
            pick,
            today,
            p.limit.unwrap_or(50).clamp(1, 500),
            p.offset.unwrap_or(0).max(0),
        )
        .await?;
    let set = settings(state).await?;
    Ok(Lights {
        today,
        counts,
        concluded_late,
        cases: cases::lines(&set, page, today),
    })
}

/// The supervisor's bell.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeInput {
    /// A review step of the case, to urge that step's department.
    #[serde(default)]
    pub step_id: Option<i64>,
    /// `reminder` (default), `yellow_card` or `red_card`.
    #[serde(default)]
    pub level: Option<String>,
    pub message: String,
}

/// Rings the bell on a case (or one of its steps): addressed to whoever holds it now.
pub async fn urge(
    state: &AppState,
    auth: &Auth,
    case_id: i64,
    input: UrgeInput,
) -> AppResult<Urge> {
    auth.actor.require(Permission::Urge)?;
    let (rec, st) = cases::load(state, auth, case_id).await?;
    if !auth.actor.covers(&st.owner) {
        return Err(DomainError::forbidden().into());
    }
    let level = match blank(&input.level) {
        None => UrgeLevel::Reminder,
        Some(code) => UrgeLevel::parse(code).ok_or_else(|| {
            unknown(
                "level",
                "督办级别应为 reminder、yellow_card 或 red_card",
                "level must be reminder, yellow_card or red_card",
            )
        })?,
    };
    let message = urge::clean_message(&input.message).map_err(DomainError::Invalid)?;
    let at = cases::now();
    let new = new_urge(
        state,
        &rec.dossier,
        input.step_id,
        UrgeOrigin::Manual,
        level,
        message,
        at,
    )
    .await?;
    let u = state.store.issue_urge(&auth.ctx(), new).await?;
    super::urge_live::send(state, &u);
    Ok(u)
}

/// An urge of `level` on a case as it is now: its holder, its time limits from today, and a
/// red card's rectification notice.
async fn new_urge(
    state: &AppState,
    d: &Dossier,
    step_id: Option<i64>,
    origin: UrgeOrigin,
    level: UrgeLevel,
    message: String,
    at: DateTime<Utc>,
) -> AppResult<NewUrge> {
    let (department_id, target_user_id) = urge::holder(d, step_id)?;
    let (respond_by, escalate_on, rectification) =
        limits(state, level, department_id, d, at).await?;
    Ok(NewUrge {
        case_id: d.case.id,
        step_id,
        department_id,
        region_id: d.case.region_id,
        target_user_id,
        origin,
        level,
        message,
        respond_by,
        escalate_on,
        rectification,
        at,
    })
}

type Limits = (Option<NaiveDate>, Option<NaiveDate>, Option<String>);

async fn limits(
    state: &AppState,
    level: UrgeLevel,
    department_id: i64,
    d: &Dossier,
    at: DateTime<Utc>,
) -> AppResult<Limits> {
    let s = settings(state).await?;
    let l = s
        .rules
        .urge
        .limits(level, local_date(at), &s.calendar)
        .map_err(|e| AppError::bad_request("calendar", e.text()))?;
    let rectification = if level == UrgeLevel::RedCard {
        let dept = state
            .store
            .department(department_id)
            .await?
            .map(|d| d.name)
            .unwrap_or_default();
        Some(urge::rectification_notice(
            &d.case.number,
            &dept,
            l.respond_by,
        ))
    } else {
        None
    };
    Ok((Some(l.respond_by), l.escalate_on, rectification))
}

/// Whether this person answers this urge: the one it names, or anyone of its department when it
/// names nobody; a red card also its department's head (a leader of the department).
pub fn answers(auth: &Auth, u: &Urge) -> bool {
    let a = &auth.actor;
    let of_dept = a.scope.department_id == Some(u.department_id);
    match u.target_user_id {
        Some(id) if id == a.user_id => true,
        None => of_dept && a.has(Permission::CaseRead),
        Some(_) => u.level == UrgeLevel::RedCard && of_dept && a.has_role(Role::Leader),
    }
}

/// The urges waiting for this person's answer, newest first.
pub async fn mine(state: &AppState, auth: &Auth) -> AppResult<Vec<Urge>> {
    let a = &auth.actor;
    if !a.is_staff() {
        return Ok(Vec::new());
    }
    let mut list = state
        .store
        .urges(&UrgeFilter {
            open_only: true,
            answerer: Some((a.user_id, a.scope.department_id)),
            limit: 200,
            ..Default::default()
        })
        .await?;
    if let Some(d) = a.scope.department_id
        && a.has_role(Role::Leader)
    {
        // The department's red cards, whoever they name.
        let reds = state
            .store
            .urges(&UrgeFilter {
                scope: onewindow_store::ScopeFilter::department(d),
                open_only: true,
                limit: 200,
                ..Default::default()
            })
            .await?;
        for u in reds {
            if u.level == UrgeLevel::RedCard && !list.iter().any(|x| x.id == u.id) {
                list.push(u);
            }
        }
        list.sort_by_key(|u| std::cmp::Reverse(u.id));
    }
    Ok(list)
}

/// An urge with its trail, for whoever answers it or supervises it.
#[derive(Serialize, ToSchema)]
pub struct UrgeView {
    #[serde(flatten)]
    pub urge: Urge,
    pub log: Vec<UrgeLogLine>,
    /// Whether the asker may answer it now.
    pub may_answer: bool,
}

pub async fn view(state: &AppState, auth: &Auth, id: i64) -> AppResult<UrgeView> {
    auth.actor.require_staff()?;
    let u = state
        .store
        .urge(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("督办", "urge")))?;
    let may_answer = answers(auth, &u);
    let supervises = auth.actor.has(Permission::Supervise)
        && auth
            .actor
            .covers(&owner(state, Some(u.department_id), Some(u.region_id)).await?);
    if !may_answer && !supervises {
        return Err(DomainError::forbidden().into());
    }
    let log = state.store.urge_log(id).await?;
    Ok(UrgeView {
        may_answer: may_answer && u.state == UrgeState::Open,
        urge: u,
        log,
    })
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// The version of the urge as read.
    pub version: i64,
    pub response: String,
}

/// Answers an urge (签收反馈): it stops climbing.
pub async fn answer(state: &AppState, auth: &Auth, id: i64, input: AnswerInput) -> AppResult<Urge> {
    auth.actor.require_staff()?;
    let u = state
        .store
        .urge(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("督办", "urge")))?;
    if !answers(auth, &u) {
        return Err(DomainError::forbidden().into());
    }
    let response = urge::clean_response(&input.response).map_err(DomainError::Invalid)?;
    let u = state
        .store
        .answer_urge(&auth.ctx(), id, input.version, response, cases::now())
        .await?;
    super::urge_live::send(state, &u);
    Ok(u)
}

/// The open urges addressed to me, one line per case: the most pressing (the highest level,
/// then the newest) with how many more wait on the same case. What the workbench shows, so that
/// a case warned at yellow, then at red, then urged by hand is one line, not three.
#[derive(Serialize, ToSchema)]
pub struct UrgeGroup {
    pub latest: Urge,
    /// Other open urges of the same case addressed to me.
    pub others: usize,
    /// The system's own warning (自动预警), which may be marked read; a supervisor's urge and
    /// any card need an answer.
    pub may_mark_read: bool,
    /// How many of the case's urges (the latest and the others) may be marked read.
    pub readable: usize,
}

pub async fn mine_by_case(state: &AppState, auth: &Auth) -> AppResult<Vec<UrgeGroup>> {
    let all = mine(state, auth).await?;
    let mut groups: Vec<UrgeGroup> = Vec::new();
    for u in all {
        let readable = usize::from(urge::may_mark_read(&u));
        match groups.iter_mut().find(|g| g.latest.case_id == u.case_id) {
            Some(g) => {
                g.others += 1;
                g.readable += readable;
                if (u.level as u8, u.id) > (g.latest.level as u8, g.latest.id) {
                    g.latest = u;
                }
            }
            None => groups.push(UrgeGroup {
                latest: u,
                others: 0,
                may_mark_read: false,
                readable,
            }),
        }
    }
    for g in &mut groups {
        g.may_mark_read = urge::may_mark_read(&g.latest);
    }
    groups.sort_by_key(|g| std::cmp::Reverse((g.latest.level as u8, g.latest.id)));
    Ok(groups)
}

/// Marks the system's own warnings addressed to me read (已阅): `ids`, or all of them. A card
/// or a supervisor's urge needs an answer and is left as it is. Returns how many were marked.
pub async fn mark_read(state: &AppState, auth: &Auth, ids: Option<Vec<i64>>) -> AppResult<usize> {
    auth.actor.require_staff()?;
    let mut n = 0;
    for u in mine(state, auth).await? {
        if !urge::may_mark_read(&u) || ids.as_ref().is_some_and(|ids| !ids.contains(&u.id)) {
            continue;
        }
        match state
            .store
            .answer_urge(
                &auth.ctx(),
                u.id,
                u.version,
                urge::READ.to_string(),
                cases::now(),
            )
            .await
        {
            Ok(u) => {
                super::urge_live::send(state, &u);
                n += 1;
            }
            // answered or raised meanwhile: it is no longer the warning that was read
            Err(StoreError::Domain(DomainError::Conflict(_))) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(n)
}

/// Urges in the supervisor's scope: open ones, or all of one case.
pub async fn list(
    state: &AppState,
    auth: &Auth,
    case_id: Option<i64>,
    open_only: bool,
) -> AppResult<Vec<Urge>> {
    auth.actor.require(Permission::Supervise)?;
    Ok(state
        .store
        .urges(&UrgeFilter {
            scope: scope_filter(&auth.actor),
            case_id,
            open_only,
            limit: 500,
            ..Default::default()
        })
        .await?)
}

/// What one run of the warning job did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WarningRun {
    pub reminders: usize,
    pub raised: usize,
    pub step_reminders: usize,
    pub escalated: usize,
    /// Red cards past their limit referred to the supervision office.
    pub referred: usize,
    /// Bad-rating rectifications warned at yellow, and at red (差评整改预警).
    pub rectifications_reminded: usize,
    pub rectifications_overdue: usize,
}

/// The warning job (自动预警): a reminder when a case turns yellow or a step goes over its
/// limit; at red, the case's open urge raised a level (or a yellow card when none is open);
/// open urges past their time limit raised a level, and red cards past theirs referred to the
/// supervision office. Each warning is claimed in the store first,
/// so it happens once however many instances run the job and however often it restarts.
pub async fn warn(state: &AppState, at: DateTime<Utc>) -> AppResult<WarningRun> {
    let today = local_date(at);
    let ctx = Context::system(urge::SYSTEM);
    let mut run = WarningRun::default();
    for origin in [UrgeOrigin::Yellow, UrgeOrigin::Red, UrgeOrigin::StepRed] {
        for (case_id, on) in state.store.cases_to_warn(origin, today, 500).await? {
            let Some(d) = state.store.dossier(case_id).await? else {
                continue;
            };
            let warning = match warning(state, &d, origin, on, at).await {
                Ok(w) => w,
                Err(e) => {
                    tracing::warn!(case_id, "no warning could be made: {e:?}");
                    continue;
                }
            };
            let raised = matches!(warning, Warning::Escalate(_));
            match state
                .store
                .claim_warning(&ctx, case_id, origin, on, warning)
                .await
            {
                Ok(Some(u)) => {
                    super::urge_live::send(state, &u);
                    match (origin, raised) {
                        (UrgeOrigin::StepRed, _) => run.step_reminders += 1,
                        (_, true) => run.raised += 1,
                        _ => run.reminders += 1,
                    }
                }
                Ok(None) => {}
                // Answered or raised meanwhile: the next run decides again.
                Err(StoreError::Domain(DomainError::Conflict(_))) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    for u in state.store.urges_to_escalate(today, 500).await? {
        let Some(level) = u.level.next() else {
            let r = Referral {
                urge_id: u.id,
                version: u.version,
                note: urge::referral_note(u.respond_by),
                at,
            };
            if let Some(u) = state.store.refer_urge(&ctx, r).await? {
                super::urge_live::send(state, &u);
                run.referred += 1;
            }
            continue;
        };
        let Some(d) = state.store.dossier(u.case_id).await? else {
            continue;
        };
        let (respond_by, escalate_on, rectification) =
            limits(state, level, u.department_id, &d, at).await?;
        let e = Escalation {
            urge_id: u.id,
            version: u.version,
            level,
            respond_by,
            escalate_on,
            rectification,
            note: format!(
                "逾期未反馈（时限{}），升级为{}",
                u.respond_by.map(|d| d.to_string()).unwrap_or_default(),
                level.name().zh
            ),
            message: None,
            at,
        };
        if let Some(u) = state.store.escalate_urge(&ctx, e).await? {
            super::urge_live::send(state, &u);
            run.escalated += 1;
        }
    }
    let (reminded, overdue) = super::evaluation::warn(state, at).await?;
    run.rectifications_reminded = reminded;
    run.rectifications_overdue = overdue;
    Ok(run)
}

async fn warning(
    state: &AppState,
    d: &Dossier,
    origin: UrgeOrigin,
    on: NaiveDate,
    at: DateTime<Utc>,
) -> AppResult<Warning> {
    let due = on.pred_opt();
    match origin {
        UrgeOrigin::Red => {
            let open = state
                .store
                .urges(&UrgeFilter {
                    case_id: Some(d.case.id),
                    open_only: true,
                    limit: 50,
                    ..Default::default()
                })
                .await?;
            if let Some(u) = open
                .iter()
                .find(|u| u.step_id.is_none() && u.level.next().is_some())
            {
                let level = u.level.next().unwrap_or(UrgeLevel::RedCard);
                let (respond_by, escalate_on, rectification) =
                    limits(state, level, u.department_id, d, at).await?;
                // The urge now says what is true: the case is overdue, not near its deadline.
                let msg = urge::warning_message(UrgeOrigin::Red, &d.case.number, due);
                return Ok(Warning::Escalate(Escalation {
                    urge_id: u.id,
                    version: u.version,
                    level,
                    respond_by,
                    escalate_on,
                    rectification,
                    note: msg.clone(),
                    message: (u.origin != UrgeOrigin::Manual).then_some(msg),
                    at,
                }));
            }
            let msg = urge::warning_message(origin, &d.case.number, due);
            Ok(Warning::Issue(
                new_urge(state, d, None, origin, UrgeLevel::YellowCard, msg, at).await?,
            ))
        }
        UrgeOrigin::StepRed => {
            // The step whose limit ended the day before the light came on.
            let step = d
                .steps
                .iter()
                .find(|s| {
                    s.state == onewindow_core::case::StepState::Active
                        && s.due.and_then(|x| x.succ_opt()) == Some(on)
                })
                .or_else(|| {
                    d.steps
                        .iter()
                        .find(|s| s.state == onewindow_core::case::StepState::Active)
                })
                .map(|s| s.id);
            let msg = urge::warning_message(origin, &d.case.number, due);
            Ok(Warning::Issue(
                new_urge(state, d, step, origin, UrgeLevel::Reminder, msg, at).await?,
            ))
        }
        _ => {
            let due = d.case.red_on.and_then(|r| r.pred_opt());
            let msg = urge::warning_message(origin, &d.case.number, due);
            Ok(Warning::Issue(
                new_urge(state, d, None, origin, UrgeLevel::Reminder, msg, at).await?,
            ))
        }
    }
}

/// One window on the wall (窗口监控墙).
#[derive(Serialize, ToSchema)]
pub struct WallTile {
    pub window_id: i64,
    pub number: i64,
    pub label: Option<String>,
    /// Who sits there, what they serve now and how many they served today.
    pub screen: Option<onewindow_core::hall::board::WindowScreen>,
    /// The running cases taken in at this window, by light.
    pub lights: LightCounts,
}

#[derive(Serialize, ToSchema)]
pub struct Wall {
    pub hall_id: i64,
    pub hall_name: String,
    /// The halls in the supervisor's scope, to switch between.
    pub halls: Vec<(i64, String)>,
    pub today: NaiveDate,
    pub tiles: Vec<WallTile>,
}

/// The live window wall of a hall in scope (the first one when none is named): one tile per
/// active window, confidential (涉密) windows left out.
pub async fn wall(state: &AppState, auth: &Auth, hall_id: Option<i64>) -> AppResult<Wall> {
    let a = &auth.actor;
    a.require(Permission::Supervise)?;
    let scope = scope_filter(a);
    let halls: Vec<_> = state
        .store
        .halls(&scope)
        .await?
        .into_iter()
        .filter(|h| h.active)
        .collect();
    let hall = match hall_id {
        Some(id) => match halls.iter().find(|h| h.id == id) {
            Some(h) => h,
            None if state.store.hall(id).await?.is_some() => {
                return Err(DomainError::forbidden().into());
            }
            None => return Err(AppError::not_found(Text::fixed("大厅", "hall"))),
        },
        None => halls
            .first()
            .ok_or_else(|| AppError::not_found(Text::fixed("大厅", "hall")))?,
    };
    let windows: Vec<_> = state
        .store
        .windows(hall.id)
        .await?
        .into_iter()
        .filter(|w| w.active && !w.confidential)
        .collect();
    let (board, _) = crate::service::hall_live::board(state, hall.id).await?;
    let today = local_date(cases::now());
    let lights: std::collections::HashMap<i64, LightCounts> = state
        .store
        // The cases taken in at this hall's windows, whichever department: the hall is in the
        // supervisor's scope.
        .light_counts_by(
            &Slice {
                window_in: windows.iter().map(|w| w.id).collect(),
                ..Default::default()
            },
            onewindow_store::LightsBy::Window,
            today,
        )
        .await?
        .into_iter()
        .collect();
    let tiles = windows
        .iter()
        .map(|w| WallTile {
            window_id: w.id,
            number: w.number,
            label: w.label.clone(),
            screen: board.windows.iter().find(|s| s.window_id == w.id).cloned(),
            lights: lights.get(&w.id).copied().unwrap_or_default(),
        })
        .collect();
    Ok(Wall {
        hall_id: hall.id,
        hall_name: hall.name.clone(),
        halls: halls.iter().map(|h| (h.id, h.name.clone())).collect(),
        today,
        tiles,
    })
}
