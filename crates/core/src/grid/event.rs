//! A community problem's way through the 数字城管 flow (DESIGN.md §3): reported → registered
//! (立案) or declined → dispatched to a department (派遣) → signed for (签收) or returned to the
//! dispatcher (退回, wrong department, within a limit) → handled, with an extension if approved
//! → fed back (处理反馈) → verified on site by the grid worker (核查): closed (结案) or reopened
//! → called back (回访). A pure state machine, like the case's: time, calendar and limits come in
//! through `Env`; the store writes what `act` returns under the record's version.

use super::limit::{Limit, StepLimits};
use crate::calendar::Calendar;
use crate::case::clock::Light;
use crate::error::{DomainError, FieldError};
use crate::evaluation::rating::check_level;
use crate::i18n::Text;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary!(
    /// Where an event came from.
    #[schema(as = EventSource)]
    Source {
        Grid = ("grid", "网格员上报", "grid worker"),
        Citizen = ("citizen", "群众反映", "citizen"),
        Hotline = ("hotline", "12345热线", "hotline"),
        Open311 = ("open311", "Open311接口", "Open311"),
        Ledger = ("ledger", "台账问题", "standing ledger"),
    }
);

vocabulary!(
    /// Where an event stands.
    #[derive(Default)]
    #[schema(as = EventState)]
    State {
        #[default]
        Reported = ("reported", "待立案", "reported"),
        Declined = ("declined", "不予立案", "declined"),
        Registered = ("registered", "待派遣", "registered"),
        Dispatched = ("dispatched", "待签收", "dispatched"),
        Handling = ("handling", "处置中", "handling"),
        Verifying = ("verifying", "待核查", "to verify"),
        Verified = ("verified", "待结案", "verified"),
        Closed = ("closed", "已结案", "closed"),
    }
);

impl State {
    /// Whether the event is still being dealt with (Open311's `open`).
    pub fn is_open(self) -> bool {
        !matches!(self, State::Declined | State::Closed)
    }
}

/// What is done with an event.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = EventAction)]
pub enum Action {
    /// 立案, with the category corrected if need be.
    Register {
        #[serde(default)]
        category_id: Option<i64>,
    },
    /// 不予立案, with the reason.
    Decline { reason: String },
    /// 派遣 to a department (and the grid, when it was not found by location).
    Dispatch {
        department_id: i64,
        #[serde(default)]
        grid_id: Option<i64>,
    },
    /// 签收 by the department.
    Sign,
    /// 退回: not this department's; back to the dispatcher within the limit.
    Return { reason: String },
    /// 申请延期: more working days, with the reason.
    RequestExtension { days: i64, reason: String },
    /// 审批延期 by the dispatcher.
    DecideExtension { approve: bool, note: String },
    /// 处理反馈: what was done.
    FeedBack { result: String },
    /// 核查 on site by the grid worker, with a photo: passed, or reopened.
    Verify {
        passed: bool,
        note: String,
        #[serde(default)]
        photo: Option<String>,
    },
    /// 结案.
    Close,
    /// 催办 / 督办 by a supervisor or the dispatcher, while it is open.
    Urge { note: String },
    /// 回访: the reporter's satisfaction, 1 to 5.
    Callback {
        satisfaction: i64,
        #[serde(default)]
        note: Option<String>,
    },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Register { .. } => "register",
            Action::Decline { .. } => "decline",
            Action::Dispatch { .. } => "dispatch",
            Action::Sign => "sign",
            Action::Return { .. } => "return",
            Action::RequestExtension { .. } => "request_extension",
            Action::DecideExtension { .. } => "decide_extension",
            Action::FeedBack { .. } => "feed_back",
            Action::Verify { .. } => "verify",
            Action::Close => "close",
            Action::Urge { .. } => "urge",
            Action::Callback { .. } => "callback",
        }
    }

    pub fn name(&self) -> Text {
        match self {
            Action::Register { .. } => Text::fixed("立案", "register"),
            Action::Decline { .. } => Text::fixed("不予立案", "decline"),
            Action::Dispatch { .. } => Text::fixed("派遣", "dispatch"),
            Action::Sign => Text::fixed("签收", "sign for"),
            Action::Return { .. } => Text::fixed("退回", "return"),
            Action::RequestExtension { .. } => Text::fixed("申请延期", "ask for more time"),
            Action::DecideExtension { .. } => Text::fixed("审批延期", "decide the extension"),
            Action::FeedBack { .. } => Text::fixed("处理反馈", "feed back"),
            Action::Verify { .. } => Text::fixed("核查", "verify"),
            Action::Close => Text::fixed("结案", "close"),
            Action::Urge { .. } => Text::fixed("督办", "urge"),
            Action::Callback { .. } => Text::fixed("回访", "call back"),
        }
    }
}

/// An extension asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = EventExtension)]
pub struct Extension {
    pub days: i64,
    pub reason: String,
    /// None while undecided.
    pub approved: Option<bool>,
}

/// The part of an event its actions change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = EventProgress)]
pub struct Progress {
    pub state: State,
    pub category_id: Option<i64>,
    pub department_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub decline_reason: Option<String>,
    pub dispatched_at: Option<DateTime<Utc>>,
    /// Deadlines of the step under way.
    pub register_due: Option<DateTime<Utc>>,
    pub dispatch_due: Option<DateTime<Utc>>,
    pub sign_due: Option<DateTime<Utc>>,
    pub handle_due: Option<DateTime<Utc>>,
    pub returns: i64,
    pub extension: Option<Extension>,
    pub result: Option<String>,
    pub verify_note: Option<String>,
    pub verify_photo: Option<String>,
    pub reopened: i64,
    pub satisfaction: Option<i64>,
    /// When the step under way began (for the yellow light).
    pub step_at: Option<DateTime<Utc>>,
    /// When the department last fed back (for the on-time rate).
    pub fed_back_at: Option<DateTime<Utc>>,
    /// Times a supervisor rang the bell (督办).
    pub urges: i64,
}

/// One line of an event's trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub action: String,
    pub state: State,
    pub actor_name: String,
    pub note: Option<String>,
}

/// What an action needs besides the event: the time, the calendar and the limits (the
/// category's handling limit among them).
pub struct Env<'a> {
    pub now: DateTime<Utc>,
    pub cal: &'a Calendar,
    pub steps: StepLimits,
    pub handle: Limit,
}

fn invalid(e: FieldError) -> DomainError {
    DomainError::Invalid(e)
}

fn calendar(e: crate::calendar::CalendarError) -> DomainError {
    DomainError::invalid(
        "calendar",
        e.text().zh.into_owned(),
        e.text().en.into_owned(),
    )
}

/// The event as first reported: to be registered within the register limit.
pub fn reported(
    env: &Env,
    category_id: Option<i64>,
    grid_id: Option<i64>,
) -> Result<Progress, DomainError> {
    Ok(Progress {
        category_id,
        grid_id,
        step_at: Some(env.now),
        register_due: Some(env.steps.register.due(env.now, env.cal).map_err(calendar)?),
        ..Progress::default()
    })
}

/// The actions open in a state (before any check of who asks or of the limits).
/// A dispatched event not yet signed for may be dispatched again (manual override).
pub fn open_actions(p: &Progress) -> Vec<&'static str> {
    match p.state {
        State::Reported => vec!["register", "decline"],
        State::Registered => vec!["dispatch", "urge"],
        State::Dispatched => vec!["sign", "return", "dispatch", "urge"],
        State::Handling => {
            let mut v = vec!["feed_back", "return", "urge"];
            match p.extension.as_ref().map(|e| e.approved) {
                None => v.push("request_extension"),
                Some(None) => v.push("decide_extension"),
                Some(Some(_)) => {}
            }
            v
        }
        State::Verifying => vec!["verify", "urge"],
        State::Verified => vec!["close"],
        State::Closed if p.satisfaction.is_none() => vec!["callback"],
        State::Closed | State::Declined => Vec::new(),
    }
}

fn wrong_state(p: &Progress, a: &Action) -> DomainError {
    DomainError::WrongState {
        action: a.name(),
        state: p.state.name(),
        allowed: open_actions(p)
            .into_iter()
            .map(|c| (c.to_string(), Text::new(c, c)))
            .collect(),
    }
}

/// The event after `action`, with the note of its trail line.
pub fn act(
    before: &Progress,
    action: Action,
    env: &Env,
) -> Result<(Progress, String), DomainError> {
    if !open_actions(before).contains(&action.code()) {
        return Err(wrong_state(before, &action));
    }
    let mut p = before.clone();
    let now = env.now;
    let due = |l: Limit| l.due(now, env.cal).map_err(calendar);
    let note = match action {
        Action::Register { category_id } => {
            p.state = State::Registered;
            p.category_id = category_id.or(p.category_id);
            p.register_due = None;
            p.dispatch_due = Some(due(env.steps.dispatch)?);
            String::new()
        }
        Action::Decline { reason } => {
            let reason = text::required("reason", &reason, 1000).map_err(invalid)?;
            p.state = State::Declined;
            p.register_due = None;
            p.decline_reason = Some(reason.clone());
            reason
        }
        Action::Dispatch {
            department_id,
            grid_id,
        } => {
            p.state = State::Dispatched;
            p.department_id = Some(department_id);
            p.grid_id = grid_id.or(p.grid_id);
            p.dispatched_at = Some(now);
            p.dispatch_due = None;
            p.sign_due = Some(due(env.steps.sign)?);
            p.handle_due = Some(due(env.handle)?);
            p.extension = None;
            String::new()
        }
        Action::Sign => {
            p.state = State::Handling;
            p.sign_due = None;
            String::new()
        }
        Action::Return { reason } => {
            let reason = text::required("reason", &reason, 1000).map_err(invalid)?;
            let since = p.dispatched_at.unwrap_or(now);
            let last = env
                .steps
                .return_within
                .due(since, env.cal)
                .map_err(calendar)?;
            if now > last {
                return Err(DomainError::conflict(
                    "action",
                    format!(
                        "已超过退回时限（派遣后{}）",
                        env.steps.return_within.text().zh
                    ),
                    format!(
                        "the time to return it ({} after dispatch) has passed",
                        env.steps.return_within.text().en
                    ),
                ));
            }
            p.state = State::Registered;
            p.department_id = None;
            p.returns += 1;
            p.sign_due = None;
            p.handle_due = None;
            p.dispatched_at = None;
            p.dispatch_due = Some(due(env.steps.dispatch)?);
            reason
        }
        Action::RequestExtension { days, reason } => {
            let max = env.steps.max_extension_days;
            if !(1..=max).contains(&days) {
                return Err(invalid(FieldError::new(
                    "days",
                    Text::new(
                        format!("延期应为1至{max}个工作日"),
                        format!("1 to {max} working days"),
                    ),
                )));
            }
            let reason = text::required("reason", &reason, 1000).map_err(invalid)?;
            p.extension = Some(Extension {
                days,
                reason: reason.clone(),
                approved: None,
            });
            reason
        }
        Action::DecideExtension { approve, note } => {
            let note = text::required("note", &note, 1000).map_err(invalid)?;
            if let Some(e) = p.extension.as_mut() {
                e.approved = Some(approve);
                if approve && let Some(old) = p.handle_due {
                    p.handle_due = Some(
                        Limit::working_days(e.days)
                            .due(old, env.cal)
                            .map_err(calendar)?,
                    );
                }
            }
            note
        }
        Action::FeedBack { result } => {
            let result = text::required("result", &result, 4000).map_err(invalid)?;
            p.state = State::Verifying;
            p.result = Some(result.clone());
            p.fed_back_at = Some(now);
            result
        }
        Action::Verify {
            passed,
            note,
            photo,
        } => {
            let note = text::required("note", &note, 1000).map_err(invalid)?;
            if photo.as_deref().is_none_or(|s| s.trim().is_empty()) {
                return Err(invalid(FieldError::new(
                    "photo",
                    Text::fixed(
                        "核查需附现场照片",
                        "a verification needs a photo from the site",
                    ),
                )));
            }
            p.verify_note = Some(note.clone());
            p.verify_photo = photo;
            if passed {
                p.state = State::Verified;
            } else {
                p.state = State::Handling;
                p.reopened += 1;
            }
            note
        }
        Action::Close => {
            p.state = State::Closed;
            String::new()
        }
        Action::Urge { note } => {
            let note = text::required("note", &note, 1000).map_err(invalid)?;
            p.urges += 1;
            note
        }
        Action::Callback { satisfaction, note } => {
            check_level("satisfaction", satisfaction).map_err(invalid)?;
            let note =
                text::optional("note", note.as_deref().unwrap_or(""), 1000).map_err(invalid)?;
            p.satisfaction = Some(satisfaction);
            note.unwrap_or_default()
        }
    };
    if p.state != before.state {
        p.step_at = Some(now);
    }
    Ok((p, note))
}

/// The deadline of the step under way, if it has one.
pub fn step_due(p: &Progress) -> Option<DateTime<Utc>> {
    match p.state {
        State::Reported => p.register_due,
        State::Registered => p.dispatch_due,
        State::Dispatched => p.sign_due,
        State::Handling => p.handle_due,
        _ => None,
    }
}

/// The light of the step under way, as in supervision: red past its deadline, yellow in the
/// last fifth of its time, green before; none when no step is timed.
pub fn light(p: &Progress, now: DateTime<Utc>) -> Option<Light> {
    let due = step_due(p)?;
    if now > due {
        return Some(Light::Red);
    }
    let start = p.step_at.unwrap_or(now).min(due);
    let span = (due - start).num_seconds();
    let left = (due - now).num_seconds();
    Some(if left * 5 <= span {
        Light::Yellow
    } else {
        Light::Green
    })
}

/// Whether the department fed back within its (extended) limit; none before it did.
pub fn on_time(p: &Progress) -> Option<bool> {
    Some(p.fed_back_at? <= p.handle_due?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        crate::time::china()
            .with_ymd_and_hms(2026, 3, d, h, m, 0)
            .unwrap()
            .to_utc()
    }

    fn env(cal: &Calendar, now: DateTime<Utc>) -> Env<'_> {
        Env {
            now,
            cal,
            steps: StepLimits::default(),
            handle: Limit::working_days(5),
        }
    }

    #[test]
    fn the_whole_flow_with_return_extension_and_reopen() {
        let cal = Calendar::builtin();
        // Monday 2 March 2026, 9:00: a blocked drain reported by a grid worker.
        let p = reported(&env(&cal, at(2, 9, 0)), Some(3), Some(41)).unwrap();
        assert_eq!(p.register_due, Some(at(2, 9, 30)));
        let step =
            |p: &Progress, a: Action, now: DateTime<Utc>| act(p, a, &env(&cal, now)).map(|x| x.0);
        let p = step(&p, Action::Register { category_id: None }, at(2, 9, 10)).unwrap();
        assert_eq!(
            (p.state, p.dispatch_due),
            (State::Registered, Some(at(2, 9, 40)))
        );
        let p = step(
            &p,
            Action::Dispatch {
                department_id: 7,
                grid_id: None,
            },
            at(2, 9, 20),
        )
        .unwrap();
        assert_eq!(p.sign_due, Some(at(2, 10, 20)));
        // Five working days: Tuesday 3 to Monday 9, to its end.
        assert_eq!(p.handle_due, Some(at(10, 0, 0) - Duration::seconds(1)));
        // Wrong department: back to the dispatcher, then to the right one.
        let p = step(
            &p,
            Action::Return {
                reason: "不属于本部门职责".into(),
            },
            at(2, 10, 0),
        )
        .unwrap();
        assert_eq!(
            (p.state, p.department_id, p.returns),
            (State::Registered, None, 1)
        );
        let p = step(
            &p,
            Action::Dispatch {
                department_id: 8,
                grid_id: None,
            },
            at(2, 10, 30),
        )
        .unwrap();
        let p = step(&p, Action::Sign, at(2, 11, 0)).unwrap();
        assert_eq!(p.state, State::Handling);
        // Too late to return it now (2 working days after dispatch).
        let e = step(&p, Action::Return { reason: "x".into() }, at(5, 9, 0)).unwrap_err();
        assert_eq!(e.field(), Some("action"));
        let e = step(
            &p,
            Action::RequestExtension {
                days: 11,
                reason: "需更换管道".into(),
            },
            at(3, 9, 0),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("days"));
        let p = step(
            &p,
            Action::RequestExtension {
                days: 3,
                reason: "需更换管道".into(),
            },
            at(3, 9, 0),
        )
        .unwrap();
        assert!(open_actions(&p).contains(&"decide_extension"));
        let p = step(
            &p,
            Action::DecideExtension {
                approve: true,
                note: "同意".into(),
            },
            at(3, 10, 0),
        )
        .unwrap();
        // Due Monday 9 → three more working days: Thursday 12, to its end.
        assert_eq!(p.handle_due, Some(at(13, 0, 0) - Duration::seconds(1)));
        assert!(
            !open_actions(&p).contains(&"request_extension"),
            "one extension"
        );
        let p = step(
            &p,
            Action::FeedBack {
                result: "已疏通".into(),
            },
            at(4, 15, 0),
        )
        .unwrap();
        // The grid worker finds it still blocked: reopened.
        let e = step(
            &p,
            Action::Verify {
                passed: false,
                note: "仍有积水".into(),
                photo: None,
            },
            at(4, 16, 0),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("photo"));
        let p = step(
            &p,
            Action::Verify {
                passed: false,
                note: "仍有积水".into(),
                photo: Some("a.jpg".into()),
            },
            at(4, 16, 0),
        )
        .unwrap();
        assert_eq!((p.state, p.reopened), (State::Handling, 1));
        let p = step(
            &p,
            Action::FeedBack {
                result: "更换管道".into(),
            },
            at(6, 15, 0),
        )
        .unwrap();
        let p = step(
            &p,
            Action::Verify {
                passed: true,
                note: "已畅通".into(),
                photo: Some("b.jpg".into()),
            },
            at(6, 16, 0),
        )
        .unwrap();
        let p = step(&p, Action::Close, at(6, 16, 30)).unwrap();
        assert!(!p.state.is_open());
        let p = step(
            &p,
            Action::Callback {
                satisfaction: 5,
                note: None,
            },
            at(7, 10, 0),
        )
        .unwrap();
        assert_eq!(p.satisfaction, Some(5));
        match step(
            &p,
            Action::Callback {
                satisfaction: 4,
                note: None,
            },
            at(7, 11, 0),
        ) {
            Err(DomainError::WrongState { .. }) => {}
            other => panic!("called back once: {other:?}"),
        }
    }

    #[test]
    fn declined_with_a_reason_and_nothing_after() {
        let cal = Calendar::builtin();
        let p = reported(&env(&cal, at(2, 9, 0)), None, None).unwrap();
        let e = act(
            &p,
            Action::Decline { reason: " ".into() },
            &env(&cal, at(2, 9, 5)),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("reason"));
        let (p, _) = act(
            &p,
            Action::Decline {
                reason: "重复上报".into(),
            },
            &env(&cal, at(2, 9, 5)),
        )
        .unwrap();
        assert_eq!(p.state, State::Declined);
        assert!(open_actions(&p).is_empty());
        assert!(
            act(
                &p,
                Action::Register { category_id: None },
                &env(&cal, at(2, 9, 6))
            )
            .is_err()
        );
    }

    #[test]
    fn lights_follow_the_step_under_way_and_redispatch_and_urging_are_open() {
        let cal = Calendar::builtin();
        let p = reported(&env(&cal, at(2, 9, 0)), Some(3), None).unwrap();
        // 30 minutes to register: yellow in the last 6, red after.
        assert_eq!(light(&p, at(2, 9, 20)), Some(Light::Green));
        assert_eq!(light(&p, at(2, 9, 25)), Some(Light::Yellow));
        assert_eq!(light(&p, at(2, 9, 31)), Some(Light::Red));
        assert!(!open_actions(&p).contains(&"urge"));
        let step =
            |p: &Progress, a: Action, now: DateTime<Utc>| act(p, a, &env(&cal, now)).map(|x| x.0);
        let p = step(&p, Action::Register { category_id: None }, at(2, 9, 40)).unwrap();
        assert_eq!(p.step_at, Some(at(2, 9, 40)));
        let d = |department_id| Action::Dispatch {
            department_id,
            grid_id: None,
        };
        let p = step(&p, d(7), at(2, 9, 45)).unwrap();
        // Sent to the wrong department: the dispatcher sends it elsewhere before it is signed.
        let p = step(&p, d(8), at(2, 9, 50)).unwrap();
        assert_eq!((p.state, p.department_id), (State::Dispatched, Some(8)));
        let e = step(&p, Action::Urge { note: " ".into() }, at(2, 9, 55)).unwrap_err();
        assert_eq!(e.field(), Some("note"));
        let p = step(
            &p,
            Action::Urge {
                note: "请尽快签收".into(),
            },
            at(2, 9, 55),
        )
        .unwrap();
        assert_eq!((p.urges, p.state), (1, State::Dispatched));
        let p = step(&p, Action::Sign, at(2, 10, 0)).unwrap();
        let p = step(
            &p,
            Action::FeedBack {
                result: "已处理".into(),
            },
            at(3, 10, 0),
        )
        .unwrap();
        assert_eq!(on_time(&p), Some(true));
        assert_eq!(light(&p, at(20, 10, 0)), None);
    }
}
