//! Bad-rating rectification (差评整改): every bad rating opens a record that is verified (核实),
//! then rectified (整改) or, when the rating has no basis, explained (说明); then the rater is called
//! back (回访) and gives a new rating (再评价). A pure state machine, like the case's: the store
//! writes what `act` returns under the record's version.

use super::rating::check_level;
use crate::calendar::{Calendar, CalendarError};
use crate::error::{DomainError, FieldError};
use crate::i18n::Text;
use crate::supervision::lights::{LightDates, LightRule, light_dates};
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Call-back attempts that reach nobody before the record is closed as unreachable.
pub const MAX_CALLBACK_ATTEMPTS: i64 = 3;

vocabulary!(
    /// Where a rectification stands.
    #[derive(Default)]
    State {
        /// The department finds out what happened.
        #[default]
        Verifying = ("verifying", "待核实", "to verify"),
        /// The rating was founded; the department puts it right.
        Rectifying = ("rectifying", "整改中", "rectifying"),
        /// The rating had no basis; the department explains (e.g. no legal basis to grant).
        Explaining = ("explaining", "待说明", "to explain"),
        CallingBack = ("calling_back", "待回访", "to call back"),
        /// The rater was reached and gives a new rating.
        ReEvaluating = ("re_evaluating", "待再评价", "to re-evaluate"),
        Closed = ("closed", "已办结", "closed"),
    }
);

impl State {
    /// Whether the deadline still runs.
    pub fn is_open(self) -> bool {
        self != State::Closed
    }
}

vocabulary!(
    /// How a closed record ended.
    Outcome {
        /// Founded, put right, rater called back.
        Rectified = ("rectified", "已整改", "rectified"),
        /// Unfounded, explained, rater called back.
        Explained = ("explained", "已解释说明", "explained"),
        Unreachable = ("unreachable", "无法回访", "rater unreachable"),
        /// The rating was upheld as mistaken or malicious on appeal.
        Voided = ("voided", "申诉成立，差评作废", "voided on appeal"),
    }
);

/// What the department (or the rater, for the new rating) does next.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = RectificationAction)]
pub enum Action {
    /// 核实: what was found, and whether the rating was founded.
    Verify { finding: String, founded: bool },
    /// 整改: what was done about it.
    Rectify { measures: String },
    /// 说明: why the rating had no basis, as told to the rater.
    Explain { explanation: String },
    /// 回访: a call to the rater; `reached` false counts an attempt.
    CallBack { reached: bool, note: String },
    /// 再评价: the rater's new level after the call.
    ReEvaluate {
        level: i64,
        #[serde(default)]
        comment: Option<String>,
    },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Verify { .. } => "verify",
            Action::Rectify { .. } => "rectify",
            Action::Explain { .. } => "explain",
            Action::CallBack { .. } => "call_back",
            Action::ReEvaluate { .. } => "re_evaluate",
        }
    }

    pub fn name(&self) -> Text {
        match self {
            Action::Verify { .. } => Text::fixed("核实", "verify"),
            Action::Rectify { .. } => Text::fixed("整改", "rectify"),
            Action::Explain { .. } => Text::fixed("解释说明", "explain"),
            Action::CallBack { .. } => Text::fixed("回访", "call back"),
            Action::ReEvaluate { .. } => Text::fixed("再评价", "re-evaluate"),
        }
    }
}

/// The part of a record the actions change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = RectificationProgress)]
pub struct Progress {
    pub state: State,
    pub founded: Option<bool>,
    pub finding: Option<String>,
    pub measures: Option<String>,
    pub explanation: Option<String>,
    pub callback_attempts: i64,
    pub callback_note: Option<String>,
    pub re_level: Option<i64>,
    pub re_comment: Option<String>,
    pub outcome: Option<Outcome>,
}

impl Progress {
    pub fn opened() -> Progress {
        Progress::default()
    }
}

/// A rectification as recorded, with what it rectifies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rectification {
    pub id: i64,
    pub rating_id: i64,
    pub rating_kind: String,
    pub rating_channel: String,
    pub rating_level: i64,
    pub rating_reason: Option<String>,
    pub rating_comment: Option<String>,
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
    pub department_id: Option<i64>,
    pub region_id: i64,
    pub clerk_id: Option<i64>,
    pub window_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub progress: Progress,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    pub due_on: NaiveDate,
    pub yellow_on: NaiveDate,
    pub red_on: NaiveDate,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Times a supervisor urged it (督办).
    pub urge_count: i64,
    /// How far the warning job warned: 0 none, 1 at yellow, 2 at red.
    pub warned: i64,
    pub version: i64,
}

impl Rectification {
    /// The light on `day`: none once closed.
    pub fn light_on(&self, day: NaiveDate) -> Option<crate::case::clock::Light> {
        self.progress.state.is_open().then(|| {
            crate::supervision::lights::light_on(
                LightDates {
                    yellow_from: self.yellow_on,
                    red_from: self.red_on,
                },
                day,
            )
        })
    }
}

/// One line of a rectification's trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = RectificationLogLine)]
pub struct LogLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub state: State,
    pub actor_name: String,
    pub note: Option<String>,
}

/// The record after `action`, with the note its trail line carries.
pub fn act(before: &Progress, action: Action) -> Result<(Progress, String), DomainError> {
    let state = before.state;
    let mut p = before.clone();
    let note = match (state, action) {
        (State::Verifying, Action::Verify { finding, founded }) => {
            let finding =
                text::required("finding", &finding, 2000).map_err(DomainError::Invalid)?;
            p.state = if founded {
                State::Rectifying
            } else {
                State::Explaining
            };
            p.founded = Some(founded);
            p.finding = Some(finding.clone());
            finding
        }
        (State::Rectifying, Action::Rectify { measures }) => {
            let measures =
                text::required("measures", &measures, 2000).map_err(DomainError::Invalid)?;
            p.state = State::CallingBack;
            p.measures = Some(measures.clone());
            measures
        }
        (State::Explaining, Action::Explain { explanation }) => {
            let explanation =
                text::required("explanation", &explanation, 2000).map_err(DomainError::Invalid)?;
            p.state = State::CallingBack;
            p.explanation = Some(explanation.clone());
            explanation
        }
        (State::CallingBack, Action::CallBack { reached, note }) => {
            let note = text::required("note", &note, 1000).map_err(DomainError::Invalid)?;
            p.callback_attempts += 1;
            p.callback_note = Some(note.clone());
            if reached {
                p.state = State::ReEvaluating;
            } else if p.callback_attempts >= MAX_CALLBACK_ATTEMPTS {
                p.state = State::Closed;
                p.outcome = Some(Outcome::Unreachable);
            }
            note
        }
        (State::ReEvaluating, Action::ReEvaluate { level, comment }) => {
            check_level("level", level).map_err(DomainError::Invalid)?;
            let comment = text::optional("comment", comment.as_deref().unwrap_or(""), 500)
                .map_err(DomainError::Invalid)?;
            p.state = State::Closed;
            p.re_level = Some(level);
            p.re_comment = comment.clone();
            p.outcome = Some(if p.founded == Some(false) {
                Outcome::Explained
            } else {
                Outcome::Rectified
            });
            comment.unwrap_or_else(|| format!("{level}"))
        }
        (_, action) => return Err(wrong_state(state, &action)),
    };
    Ok((p, note))
}

/// Closes an open record because its rating was voided on appeal.
pub fn void(before: &Progress) -> Option<Progress> {
    before.state.is_open().then(|| Progress {
        state: State::Closed,
        outcome: Some(Outcome::Voided),
        ..before.clone()
    })
}

/// The action open in each state.
pub fn open_action(state: State) -> Option<(&'static str, Text)> {
    match state {
        State::Verifying => Some(("verify", Text::fixed("核实", "verify"))),
        State::Rectifying => Some(("rectify", Text::fixed("整改", "rectify"))),
        State::Explaining => Some(("explain", Text::fixed("解释说明", "explain"))),
        State::CallingBack => Some(("call_back", Text::fixed("回访", "call back"))),
        State::ReEvaluating => Some(("re_evaluate", Text::fixed("再评价", "re-evaluate"))),
        State::Closed => None,
    }
}

fn wrong_state(state: State, action: &Action) -> DomainError {
    DomainError::WrongState {
        action: action.name(),
        state: state.name(),
        allowed: open_action(state)
            .map(|(c, n)| (c.to_string(), n))
            .into_iter()
            .collect(),
    }
}

/// The deadline of a record opened on `opened_on` (a local date) with `days` working days, and
/// the days its light turns yellow and red under `rule`. The opening day is not counted.
pub fn deadline(
    cal: &Calendar,
    opened_on: NaiveDate,
    days: i64,
    rule: LightRule,
) -> Result<(NaiveDate, LightDates), CalendarError> {
    let due = cal.add_workdays(opened_on, days)?;
    Ok((due, light_dates(cal, due, rule.threshold(days))?))
}

/// The local settings of evaluation (a part of the case rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EvaluationRule {
    /// Working days to verify, rectify and call back a bad rating (5 to 15; DESIGN.md §3).
    pub rectify_days: i64,
    /// Days a rating link sent by SMS or e-mail stays valid.
    pub link_days: i64,
    /// Days after a case ends during which it may be rated online.
    pub rate_days: i64,
    /// Working days after a rating during which the rated clerk may appeal it (申诉).
    pub appeal_days: i64,
    /// Working days to accept a complaint or not (投诉受理).
    pub complaint_accept_days: i64,
    /// Working days to answer an accepted complaint (投诉办理).
    pub complaint_days: i64,
}

impl Default for EvaluationRule {
    fn default() -> Self {
        EvaluationRule {
            rectify_days: 15,
            link_days: 7,
            rate_days: 30,
            appeal_days: 5,
            complaint_accept_days: 2,
            complaint_days: 10,
        }
    }
}

impl EvaluationRule {
    pub fn check(self) -> Result<EvaluationRule, FieldError> {
        let within = |field: &str, v: i64, lo: i64, hi: i64| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(FieldError::new(
                    format!("evaluation.{field}"),
                    Text::new(format!("应为{lo}至{hi}"), format!("must be {lo} to {hi}")),
                ))
            }
        };
        within("rectify_days", self.rectify_days, 5, 15)?;
        within("link_days", self.link_days, 1, 30)?;
        within("rate_days", self.rate_days, 1, 365)?;
        within("appeal_days", self.appeal_days, 1, 15)?;
        within("complaint_accept_days", self.complaint_accept_days, 1, 10)?;
        within("complaint_days", self.complaint_days, 1, 60)?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(founded: bool) -> Action {
        Action::Verify {
            finding: "调取录像，属实".into(),
            founded,
        }
    }

    fn call(reached: bool) -> Action {
        Action::CallBack {
            reached,
            note: "电话回访".into(),
        }
    }

    #[test]
    fn founded_path_ends_rectified_with_the_new_level() {
        let (p, _) = act(&Progress::opened(), verify(true)).unwrap();
        assert_eq!(p.state, State::Rectifying);
        let (p, note) = act(
            &p,
            Action::Rectify {
                measures: " 约谈窗口人员 ".into(),
            },
        )
        .unwrap();
        assert_eq!(note, "约谈窗口人员");
        assert_eq!(p.state, State::CallingBack);
        let (p, _) = act(&p, call(true)).unwrap();
        assert_eq!(p.state, State::ReEvaluating);
        let (p, _) = act(
            &p,
            Action::ReEvaluate {
                level: 4,
                comment: None,
            },
        )
        .unwrap();
        assert_eq!(
            (p.state, p.outcome, p.re_level),
            (State::Closed, Some(Outcome::Rectified), Some(4))
        );
    }

    #[test]
    fn unfounded_path_is_explained_and_three_missed_calls_close_it() {
        let (p, _) = act(&Progress::opened(), verify(false)).unwrap();
        assert_eq!(p.state, State::Explaining);
        // Rectify is not open here; the error lists what is.
        match act(
            &p,
            Action::Rectify {
                measures: "x".into(),
            },
        ) {
            Err(DomainError::WrongState { allowed, .. }) => assert_eq!(allowed[0].0, "explain"),
            other => panic!("expected wrong state, got {other:?}"),
        }
        let (p, _) = act(
            &p,
            Action::Explain {
                explanation: "该事项无法律依据办理".into(),
            },
        )
        .unwrap();
        let (p, _) = act(&p, call(false)).unwrap();
        let (p, _) = act(&p, call(false)).unwrap();
        assert_eq!((p.state, p.callback_attempts), (State::CallingBack, 2));
        let (p, _) = act(&p, call(false)).unwrap();
        assert_eq!(
            (p.state, p.outcome),
            (State::Closed, Some(Outcome::Unreachable))
        );
        assert!(act(&p, call(true)).is_err());
        assert_eq!(void(&p), None);
    }

    #[test]
    fn bad_input_names_the_field() {
        let e = act(
            &Progress::opened(),
            Action::Verify {
                finding: " ".into(),
                founded: true,
            },
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("finding"));
        let p = Progress {
            state: State::ReEvaluating,
            ..Progress::default()
        };
        let e = act(
            &p,
            Action::ReEvaluate {
                level: 9,
                comment: None,
            },
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("level"));
        assert_eq!(void(&p).and_then(|v| v.outcome), Some(Outcome::Voided));
    }

    #[test]
    fn the_deadline_skips_the_spring_festival() {
        let cal = Calendar::builtin();
        // Opened Friday 2026-02-13; Feb 14 (Saturday) is worked, Feb 15–23 are holidays.
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (due, lights) = deadline(&cal, d("2026-02-13"), 5, LightRule::default()).unwrap();
        // Working days: 14, 24, 25, 26, 27.
        assert_eq!(due, d("2026-02-27"));
        assert_eq!(lights.red_from, d("2026-02-28"));
        // One working day left (the rule's default) from Thursday the 26th.
        assert_eq!(lights.yellow_from, d("2026-02-26"));
        assert!(EvaluationRule::default().check().is_ok());
        let e = EvaluationRule {
            rectify_days: 20,
            ..EvaluationRule::default()
        }
        .check()
        .unwrap_err();
        assert_eq!(e.field, "evaluation.rectify_days");
    }
}
