//! The case state machine: which actions a case allows now, and what each one changes. Who may
//! act (role and scope) is the caller's question; this module answers "may this happen to this
//! case now" and "what does the case look like afterwards".

use super::clock;
use super::rules::Rules;
use super::workflow::Workflow;
use super::{
    ActionKind, CaseState, CaseStep, Decision, DeliveryMethod, Dossier, Extension, ExtensionState,
    Notice, NoticeChannel, Pause, StepOutcome, StepState, Supplement, SupplementItem,
};
use crate::calendar::Calendar;
use crate::error::{DomainError, FieldError};
use crate::i18n::Text;
use crate::validate::text;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// An action with what it needs. `DeemAccept` is the system's, when the completeness deadline
/// passes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    Accept {
        #[serde(default)]
        note: Option<String>,
    },
    /// 收件登记: the paper copies of these materials were handed in at the window.
    ReceiveMaterials {
        names: Vec<String>,
    },
    Refuse {
        reason: String,
    },
    RequestSupplement {
        items: Vec<SupplementItem>,
    },
    CompleteSupplement {
        #[serde(default)]
        note: Option<String>,
    },
    DeemAccept,
    ConcludeOnSpot {
        #[serde(default)]
        note: Option<String>,
        /// The licence's fields written on concluding, by key, when the result is one.
        #[serde(default)]
        licence: BTreeMap<String, String>,
    },
    Claim {
        step_id: i64,
    },
    FinishStep {
        step_id: i64,
        outcome: StepOutcome,
        #[serde(default)]
        opinion: Option<String>,
    },
    Pause {
        procedure: String,
        reason: String,
        expected_days: i64,
    },
    Resume {
        #[serde(default)]
        result: Option<String>,
    },
    RequestExtension {
        reason: String,
        #[serde(default)]
        days: Option<i64>,
    },
    ApproveExtension {
        #[serde(default)]
        note: Option<String>,
    },
    RejectExtension {
        note: String,
    },
    Decide {
        decision: Decision,
        #[serde(default)]
        reason: Option<String>,
    },
    Conclude {
        #[serde(default)]
        note: Option<String>,
        /// The licence's fields written on concluding (经营项目, 建设规模 …), by the type's
        /// field keys, when the matter's result is a licence.
        #[serde(default)]
        licence: BTreeMap<String, String>,
    },
    Deliver {
        #[serde(default)]
        tracking_number: Option<String>,
        #[serde(default)]
        note: Option<String>,
    },
    Withdraw {
        #[serde(default)]
        reason: Option<String>,
    },
}

impl Action {
    /// A conclusion without a note or a licence's written fields.
    pub fn conclude() -> Action {
        Action::Conclude {
            note: None,
            licence: BTreeMap::new(),
        }
    }

    /// The licence's fields written with a conclusion (none for the other actions).
    pub fn licence_entered(&self) -> BTreeMap<String, String> {
        match self {
            Action::Conclude { licence, .. } | Action::ConcludeOnSpot { licence, .. } => {
                licence.clone()
            }
            _ => BTreeMap::new(),
        }
    }

    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Accept { .. } => ActionKind::Accept,
            Action::ReceiveMaterials { .. } => ActionKind::ReceiveMaterials,
            Action::Refuse { .. } => ActionKind::Refuse,
            Action::RequestSupplement { .. } => ActionKind::RequestSupplement,
            Action::CompleteSupplement { .. } => ActionKind::CompleteSupplement,
            Action::DeemAccept => ActionKind::DeemAccept,
            Action::ConcludeOnSpot { .. } => ActionKind::ConcludeOnSpot,
            Action::Claim { .. } => ActionKind::Claim,
            Action::FinishStep { .. } => ActionKind::FinishStep,
            Action::Pause { .. } => ActionKind::Pause,
            Action::Resume { .. } => ActionKind::Resume,
            Action::RequestExtension { .. } => ActionKind::RequestExtension,
            Action::ApproveExtension { .. } => ActionKind::ApproveExtension,
            Action::RejectExtension { .. } => ActionKind::RejectExtension,
            Action::Decide { .. } => ActionKind::Decide,
            Action::Conclude { .. } => ActionKind::Conclude,
            Action::Deliver { .. } => ActionKind::Deliver,
            Action::Withdraw { .. } => ActionKind::Withdraw,
        }
    }

    /// The step an action is about, if any (the caller checks the actor's department).
    pub fn step_id(&self) -> Option<i64> {
        match self {
            Action::Claim { step_id } | Action::FinishStep { step_id, .. } => Some(*step_id),
            _ => None,
        }
    }
}

/// Who acts, when, and on which calendar and rules.
pub struct Env<'a> {
    pub now: DateTime<Utc>,
    /// The local (Asia/Shanghai) date of `now`.
    pub today: NaiveDate,
    pub cal: &'a Calendar,
    pub rules: &'a Rules,
    /// The matter's review flow, used when the case is accepted.
    pub workflow: &'a Workflow,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    /// The window the actor sits at now, if any: a case taken in is counted to it.
    pub window_id: Option<i64>,
}

/// What an action did: the case afterwards, a line for its history, messages to send.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub after: Dossier,
    pub kind: ActionKind,
    pub note: Option<String>,
    pub notices: Vec<Notice>,
}

/// The actions a case allows on `today`, whoever asks.
pub fn allowed(d: &Dossier, today: NaiveDate) -> Vec<ActionKind> {
    use ActionKind::*;
    let c = &d.case;
    let mut out = Vec::new();
    match c.state {
        CaseState::Submitted => {
            out.extend([Accept, ReceiveMaterials, Refuse]);
            if d.supplements.is_empty() {
                out.push(RequestSupplement);
            }
            if c.promised_days == 0 {
                out.push(ConcludeOnSpot);
            }
            if c.completeness_due.is_some_and(|due| today > due) {
                out.push(DeemAccept);
            }
            out.push(Withdraw);
        }
        CaseState::Supplement => {
            out.extend([ReceiveMaterials, CompleteSupplement, Refuse, Withdraw]);
        }
        CaseState::Reviewing if c.paused_since.is_some() => out.extend([Resume, Withdraw]),
        CaseState::Reviewing => {
            if d.steps.iter().any(|s| s.state == StepState::Active) {
                out.extend([Claim, FinishStep]);
            }
            if d.steps_open().next().is_none() {
                out.push(Decide);
            }
            out.push(Pause);
            match c.extension.as_ref().map(|e| e.state) {
                None => out.push(RequestExtension),
                Some(ExtensionState::Requested) => out.extend([ApproveExtension, RejectExtension]),
                Some(_) => {}
            }
            out.push(Withdraw);
        }
        CaseState::Decided => out.push(Conclude),
        CaseState::Concluded => out.push(Deliver),
        CaseState::Refused | CaseState::Delivered | CaseState::Withdrawn => {}
    }
    out
}

fn wrong_state(d: &Dossier, kind: ActionKind, today: NaiveDate) -> DomainError {
    DomainError::WrongState {
        action: kind.name(),
        state: d.case.state.name(),
        allowed: allowed(d, today)
            .into_iter()
            .filter(|k| *k != ActionKind::DeemAccept)
            .map(|k| (k.code().to_string(), k.name()))
            .collect(),
    }
}

fn note(field: &str, v: Option<&str>) -> Result<Option<String>, DomainError> {
    Ok(text::optional(field, v.unwrap_or(""), 2000)?)
}

fn reason(field: &str, v: &str) -> Result<String, DomainError> {
    Ok(text::required(field, v, 2000)?)
}

/// The first working day on or after `d`; `d` itself when the calendar cannot say.
fn workday_from(cal: &Calendar, d: NaiveDate) -> NaiveDate {
    cal.this_or_next_workday(d).unwrap_or(d)
}

/// Whether an action is open on `today`: the 409 answer, listing the open ones, when not.
pub fn check_open(d: &Dossier, kind: ActionKind, today: NaiveDate) -> Result<(), DomainError> {
    if allowed(d, today).contains(&kind) {
        Ok(())
    } else {
        Err(wrong_state(d, kind, today))
    }
}

/// Runs an action: checks it is open now and its inputs, and returns the case afterwards.
pub fn act(d: &Dossier, action: Action, env: &Env) -> Result<Outcome, DomainError> {
    let kind = action.kind();
    check_open(d, kind, env.today)?;
    let mut after = d.clone();
    let c = &mut after.case;
    let mut out_note = None;
    match action {
        Action::Accept { note: n } => {
            out_note = note("note", n.as_deref())?;
            let on = workday_from(env.cal, env.today).max(c.received_on);
            accept(&mut after, on, false, env);
        }
        Action::ReceiveMaterials { names } => {
            let by = super::PaperReceipt {
                by_id: env.actor_id,
                by_name: env.actor_name.to_string(),
                at: env.now,
            };
            super::materials::receive(&mut c.materials, &names, by)?;
            out_note = Some(format!("收到纸质材料：{}", names.join("、")));
        }
        Action::DeemAccept => {
            let on = c.received_on;
            out_note = Some(format!(
                "未在{}前作出是否受理的决定，依法自收到申请之日起视为受理",
                c.completeness_due
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ));
            accept(&mut after, on, true, env);
        }
        Action::Refuse { reason: r } => {
            let r = reason("reason", &r)?;
            c.state = CaseState::Refused;
            c.closing_reason = Some(r.clone());
            c.completeness_due = None;
            out_note = Some(r);
        }
        Action::RequestSupplement { items } => {
            if items.is_empty() {
                return Err(DomainError::invalid(
                    "items",
                    "补正通知须一次性列明全部需要补正的材料",
                    "list every material to supplement, all at once",
                ));
            }
            let mut clean = Vec::new();
            for (i, it) in items.into_iter().enumerate() {
                clean.push(SupplementItem {
                    material: text::required(&format!("items[{i}].material"), &it.material, 200)?,
                    problem: text::required(&format!("items[{i}].problem"), &it.problem, 500)?,
                });
            }
            out_note = Some(
                clean
                    .iter()
                    .map(|i| format!("{}：{}", i.material, i.problem))
                    .collect::<Vec<_>>()
                    .join("；"),
            );
            c.state = CaseState::Supplement;
            c.completeness_due = None;
            after.supplements.push(Supplement {
                id: 0,
                items: clean,
                requested_at: env.now,
                requested_by: env.actor_name.to_string(),
                completed_at: None,
                completed_on: None,
            });
        }
        Action::CompleteSupplement { note: n } => {
            out_note = note("note", n.as_deref())?;
            c.state = CaseState::Submitted;
            // The completed application counts as received again; completeness is decided
            // within the same limit from then.
            c.received_on = workday_from(env.cal, env.today);
            c.completeness_due = env
                .cal
                .add_workdays(c.received_on, env.rules.completeness_days)
                .ok();
            if let Some(s) = after
                .supplements
                .iter_mut()
                .find(|s| s.completed_at.is_none())
            {
                s.completed_at = Some(env.now);
                s.completed_on = Some(env.today);
            }
        }
        Action::ConcludeOnSpot { note: n, .. } => {
            out_note = note("note", n.as_deref())?;
            let on = workday_from(env.cal, env.today).max(c.received_on);
            c.state = CaseState::Concluded;
            c.accepted_at = Some(env.now);
            c.accepted_on = Some(on);
            c.completeness_due = None;
            c.decision = Some(Decision::Approve);
            c.decided_at = Some(env.now);
            c.decided_on = Some(on);
            c.concluded_at = Some(env.now);
            c.concluded_on = Some(on);
            c.used_days = Some(0);
            let (s, p) = clock::dues(c, env.cal);
            c.statutory_due = s;
            c.promised_due = p;
            c.delivery_due = env.cal.add_workdays(on, c.delivery_days).ok();
        }
        Action::Claim { step_id } => {
            let step = active_step(&mut after, step_id)?;
            if let (Some(a), Some(me)) = (step.assignee_id, env.actor_id)
                && a != me
            {
                return Err(DomainError::conflict(
                    "step_id",
                    format!(
                        "该环节已由{}认领",
                        step.assignee_name.clone().unwrap_or_default()
                    ),
                    "another person has claimed this step",
                ));
            }
            step.assignee_id = env.actor_id;
            step.assignee_name = Some(env.actor_name.to_string());
            out_note = Some(step.name.clone());
        }
        Action::FinishStep {
            step_id,
            outcome,
            opinion,
        } => {
            let opinion = note("opinion", opinion.as_deref())?;
            if outcome == StepOutcome::Disagree && opinion.is_none() {
                return Err(DomainError::invalid(
                    "opinion",
                    "不同意时须写明审查意见",
                    "a disagreement needs an opinion",
                ));
            }
            let step = active_step(&mut after, step_id)?;
            if let (Some(a), Some(me)) = (step.assignee_id, env.actor_id)
                && a != me
            {
                return Err(DomainError::conflict(
                    "step_id",
                    format!(
                        "该环节已由{}认领，只能由其提交意见",
                        step.assignee_name.clone().unwrap_or_default()
                    ),
                    "the step is claimed by someone else",
                ));
            }
            step.assignee_id = env.actor_id.or(step.assignee_id);
            step.assignee_name = Some(env.actor_name.to_string());
            step.state = StepState::Done;
            step.outcome = Some(outcome);
            step.opinion = opinion.clone();
            step.finished_at = Some(env.now);
            step.finished_on = Some(env.today);
            let stage = step.stage;
            out_note = Some(format!(
                "{}：{}{}",
                step.name,
                outcome.name().zh,
                opinion.map(|o| format!("（{o}）")).unwrap_or_default()
            ));
            // Parallel join: the next stage starts when every step of this one is done.
            if after
                .steps
                .iter()
                .filter(|s| s.stage == stage)
                .all(|s| s.state == StepState::Done)
            {
                start_stage(&mut after, stage + 1, env);
            }
        }
        Action::Pause {
            procedure,
            reason: r,
            expected_days,
        } => {
            let procedure = text::required("procedure", &procedure, 50)?;
            let r = reason("reason", &r)?;
            if !(1..=365).contains(&expected_days) {
                return Err(DomainError::invalid(
                    "expected_days",
                    "特别程序所需时间应在1到365个工作日之间",
                    "a special procedure takes 1 to 365 working days",
                ));
            }
            c.paused_since = Some(env.today);
            out_note = Some(format!("{procedure}（预计{expected_days}个工作日）：{r}"));
            after.pauses.push(Pause {
                id: 0,
                procedure,
                reason: r,
                expected_days,
                started_on: env.today,
                started_at: env.now,
                ended_on: None,
                ended_at: None,
                workdays: None,
                result: None,
            });
        }
        Action::Resume { result } => {
            let result = note("result", result.as_deref())?;
            let w = end_pause(&mut after, result.clone(), env);
            out_note = Some(format!(
                "特别程序用时{w}个工作日，不计入办理时限{}",
                result.map(|r| format!("；结果：{r}")).unwrap_or_default()
            ));
        }
        Action::RequestExtension { reason: r, days } => {
            let r = reason("reason", &r)?;
            let max = env.rules.extension_for(c.joint);
            let days = days.unwrap_or(max);
            if !(1..=max).contains(&days) {
                return Err(DomainError::Invalid(FieldError::new(
                    "days",
                    Text::new(
                        format!("延期天数应在1到{max}个工作日之间，实际为{days}"),
                        format!("an extension is 1 to {max} working days, got {days}"),
                    ),
                )));
            }
            out_note = Some(format!("申请延期{days}个工作日：{r}"));
            c.extension = Some(Extension {
                days,
                reason: r,
                state: ExtensionState::Requested,
                requested_by: env.actor_name.to_string(),
                decided_by: None,
                decision_note: None,
            });
        }
        Action::ApproveExtension { note: n } => {
            let n = note("note", n.as_deref())?;
            if c.statutory_due.is_some_and(|due| env.today > due) {
                return Err(DomainError::invalid(
                    "state",
                    "法定期限已过，不能再批准延期",
                    "the statutory deadline has passed; an extension can no longer be approved",
                ));
            }
            if let Some(e) = c.extension.as_mut() {
                e.state = ExtensionState::Approved;
                e.decided_by = Some(env.actor_name.to_string());
                e.decision_note = n;
                out_note = Some(format!("批准延期{}个工作日：{}", e.days, e.reason));
            }
            refresh_dues(&mut after, env.cal);
        }
        Action::RejectExtension { note: n } => {
            let n = reason("note", &n)?;
            if let Some(e) = c.extension.as_mut() {
                e.state = ExtensionState::Rejected;
                e.decided_by = Some(env.actor_name.to_string());
                e.decision_note = Some(n.clone());
            }
            out_note = Some(n);
        }
        Action::Decide {
            decision,
            reason: r,
        } => {
            let r = note("reason", r.as_deref())?;
            if decision == Decision::Deny && r.is_none() {
                return Err(DomainError::invalid(
                    "reason",
                    "不予许可决定须说明理由，并告知申请人享有依法申请行政复议或者提起行政诉讼的权利",
                    "a denial needs its reasons (and the applicant's right to review or appeal)",
                ));
            }
            let on = workday_from(env.cal, env.today);
            c.state = CaseState::Decided;
            c.decision = Some(decision);
            c.decision_reason = r.clone();
            c.decided_at = Some(env.now);
            c.decided_on = Some(env.today);
            c.delivery_due = env.cal.add_workdays(on, c.delivery_days).ok();
            c.used_days = Some(
                clock::view(
                    c,
                    env.cal,
                    env.today,
                    env.rules.light_rule_for(&c.matter_code),
                )
                .used_days,
            );
            out_note = Some(format!(
                "{}{}",
                decision.name().zh,
                r.map(|r| format!("：{r}")).unwrap_or_default()
            ));
        }
        Action::Conclude { note: n, .. } => {
            out_note = note("note", n.as_deref())?;
            c.state = CaseState::Concluded;
            c.concluded_at = Some(env.now);
            c.concluded_on = Some(env.today);
        }
        Action::Deliver {
            tracking_number,
            note: n,
        } => {
            let tracking = text::optional(
                "tracking_number",
                tracking_number.as_deref().unwrap_or(""),
                50,
            )?;
            if c.delivery == DeliveryMethod::Post && tracking.is_none() {
                return Err(DomainError::invalid(
                    "tracking_number",
                    "邮寄送达须填写邮件单号",
                    "delivery by post needs the tracking number",
                ));
            }
            let n = note("note", n.as_deref())?;
            c.state = CaseState::Delivered;
            c.delivered_at = Some(env.now);
            c.tracking_number = tracking.clone();
            c.delivery_note = n.clone();
            out_note = Some(
                [
                    Some(c.delivery.name().zh.into_owned()),
                    tracking.map(|t| format!("单号{t}")),
                    n,
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("，"),
            );
        }
        Action::Withdraw { reason: r } => {
            out_note = note("reason", r.as_deref())?;
            if c.paused_since.is_some() {
                end_pause(&mut after, Some("申请人撤回申请".into()), env);
            }
            let c = &mut after.case;
            c.state = CaseState::Withdrawn;
            c.closing_reason = out_note.clone();
            c.completeness_due = None;
        }
    }
    after.case.updated_at = env.now;
    if kind.is_intake() && after.case.clerk_id.is_none() && env.actor_id.is_some() {
        after.case.clerk_id = env.actor_id;
        after.case.window_id = env.window_id;
    }
    let rule = env.rules.light_rule_for(&after.case.matter_code);
    clock::relight(&mut after, env.cal, rule);
    let notices = notices(&after, kind);
    Ok(Outcome {
        after,
        kind,
        note: out_note,
        notices,
    })
}

fn active_step(d: &mut Dossier, step_id: i64) -> Result<&mut CaseStep, DomainError> {
    let step = d
        .steps
        .iter_mut()
        .find(|s| s.id == step_id)
        .ok_or_else(|| DomainError::not_found(Text::fixed("审批环节", "review step")))?;
    if step.state != StepState::Active {
        return Err(DomainError::conflict(
            "step_id",
            format!("该环节{}，不能办理", step.state.name().zh),
            format!("the step is {}", step.state.name().en),
        ));
    }
    Ok(step)
}

/// Accepts the case on `on`: the clock starts, the first stage of the review flow opens.
fn accept(d: &mut Dossier, on: NaiveDate, deemed: bool, env: &Env) {
    let c = &mut d.case;
    c.state = CaseState::Reviewing;
    c.accepted_at = Some(env.now);
    c.accepted_on = Some(on);
    c.deemed_accepted = deemed;
    c.completeness_due = None;
    c.joint = c.joint || env.workflow.joint;
    let dept = c.department_id;
    d.steps = env
        .workflow
        .stages
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            let depts = if s.departments.is_empty() {
                vec![dept]
            } else {
                s.departments.clone()
            };
            depts.into_iter().map(move |department_id| CaseStep {
                id: 0,
                stage: i as i64 + 1,
                name: s.name.clone(),
                department_id,
                role: s.role,
                days: s.days,
                state: StepState::Waiting,
                assignee_id: None,
                assignee_name: None,
                started_on: None,
                due: None,
                finished_at: None,
                finished_on: None,
                outcome: None,
                opinion: None,
            })
        })
        .collect();
    refresh_dues(d, env.cal);
    start_stage_on(d, 1, on, env.cal);
}

fn start_stage(d: &mut Dossier, stage: i64, env: &Env) {
    let on = workday_from(env.cal, env.today);
    start_stage_on(d, stage, on, env.cal);
}

fn start_stage_on(d: &mut Dossier, stage: i64, on: NaiveDate, cal: &Calendar) {
    for s in d.steps.iter_mut().filter(|s| s.stage == stage) {
        s.state = StepState::Active;
        s.started_on = Some(on);
        s.due = cal.add_workdays(on, s.days).ok();
    }
}

fn refresh_dues(d: &mut Dossier, cal: &Calendar) {
    let (s, p) = clock::dues(&d.case, cal);
    d.case.statutory_due = s;
    d.case.promised_due = p;
}

/// Ends the open pause; returns the working days it lasted, which move every deadline.
fn end_pause(d: &mut Dossier, result: Option<String>, env: &Env) -> i64 {
    let since = d.case.paused_since.take().unwrap_or(env.today);
    let w = if env.today > since {
        env.cal.workdays_between(since, env.today).unwrap_or(0)
    } else {
        0
    };
    d.case.paused_days += w;
    if let Some(p) = d.pauses.iter_mut().find(|p| p.ended_on.is_none()) {
        p.ended_on = Some(env.today);
        p.ended_at = Some(env.now);
        p.workdays = Some(w);
        p.result = result;
    }
    for s in d.steps.iter_mut().filter(|s| s.state == StepState::Active) {
        if let Some(due) = s.due {
            s.due = env.cal.add_workdays(due, w).ok();
        }
    }
    refresh_dues(d, env.cal);
    w
}

/// The messages an action sends to the applicant (and the agent who filed for them).
fn notices(d: &Dossier, kind: ActionKind) -> Vec<Notice> {
    let c = &d.case;
    let head = format!("您申请的“{}”（办件编号{}）", c.matter_name, c.number);
    let due = |x: Option<NaiveDate>| x.map(crate::time::date_zh);
    let text = match kind {
        ActionKind::Accept | ActionKind::DeemAccept => Some(format!(
            "{head}已受理{}。",
            due(c.promised_due)
                .map(|d| format!("，承诺于{d}前办结"))
                .unwrap_or_default()
        )),
        ActionKind::Refuse => Some(format!(
            "{head}不予受理，理由：{}。",
            c.closing_reason.clone().unwrap_or_default()
        )),
        ActionKind::RequestSupplement => Some(format!(
            "{head}需要补正材料：{}。请一次性补齐后提交。",
            d.open_supplement()
                .map(|s| s
                    .items
                    .iter()
                    .map(|i| format!("{}（{}）", i.material, i.problem))
                    .collect::<Vec<_>>()
                    .join("、"))
                .unwrap_or_default()
        )),
        ActionKind::Pause => d.open_pause().map(|p| {
            format!(
                "{head}进入{}程序，预计需要{}个工作日，该期间不计入办理时限。",
                p.procedure, p.expected_days
            )
        }),
        ActionKind::ApproveExtension => c.extension.as_ref().map(|e| {
            format!(
                "{head}经批准延长{}个工作日，理由：{}。",
                e.days, e.reason
            )
        }),
        ActionKind::Decide => c.decision.map(|dec| match dec {
            Decision::Approve => format!("{head}已作出准予许可决定。"),
            Decision::Deny => format!(
                "{head}已作出不予许可决定，理由：{}。您享有依法申请行政复议或者提起行政诉讼的权利。",
                c.decision_reason.clone().unwrap_or_default()
            ),
        }),
        ActionKind::Conclude | ActionKind::ConcludeOnSpot => Some(format!(
            "{head}已办结，{}。",
            match c.delivery {
                DeliveryMethod::Window => "请携带有效证件到窗口领取".to_string(),
                DeliveryMethod::Post => "结果将邮寄送达".to_string(),
                DeliveryMethod::Home => "工作人员将送证上门".to_string(),
            }
        )),
        ActionKind::Deliver => Some(format!("{head}办理结果已送达。欢迎对本次服务作出评价。")),
        ActionKind::Withdraw => Some(format!("{head}已撤回。")),
        _ => None,
    };
    let Some(body) = text else {
        return Vec::new();
    };
    let subject = format!("办件{}：{}", c.number, kind.name().zh);
    let mut out = vec![Notice {
        kind: NoticeChannel::Sms,
        recipient: c.applicant.phone.clone(),
        subject: subject.clone(),
        body: body.clone(),
    }];
    if let Some(email) = &c.applicant.email {
        out.push(Notice {
            kind: NoticeChannel::Email,
            recipient: email.clone(),
            subject: subject.clone(),
            body: body.clone(),
        });
    }
    if let Some(a) = &c.agency
        && a.phone != c.applicant.phone
    {
        out.push(Notice {
            kind: NoticeChannel::Sms,
            recipient: a.phone.clone(),
            subject,
            body,
        });
    }
    out
}

/// The message for a new application.
pub fn received_notices(d: &Dossier) -> Vec<Notice> {
    let c = &d.case;
    let body = format!(
        "您申请的“{}”已收到，办件编号{}。可凭编号和证件号码后4位查询办理进度。",
        c.matter_name, c.number
    );
    let subject = format!("办件{}：已收到申请", c.number);
    let mut out = vec![Notice {
        kind: NoticeChannel::Sms,
        recipient: c.applicant.phone.clone(),
        subject: subject.clone(),
        body: body.clone(),
    }];
    if let Some(email) = &c.applicant.email {
        out.push(Notice {
            kind: NoticeChannel::Email,
            recipient: email.clone(),
            subject,
            body,
        });
    }
    out
}
