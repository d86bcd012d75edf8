//! A petition case under agency (代理): taken in at a station with the petitioner's signed
//! authorization (代理委托书), worked by the agent department by department (each step with its
//! department, deadline and outcome), resolved with its outcome, and followed by the
//! petitioner's feedback. The petitioner comes in person at most once (最多跑一次): every later
//! errand is the agent's.

use crate::error::{DomainError, FieldError};
use crate::evaluation::rating::check_level;
use crate::i18n::Text;
use crate::validate::id_card::IdCard;
use crate::validate::{mobile, text};
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary!(
    /// Which ledger a case is on.
    Ledger {
        /// 存量积案: on the books before the agency took it.
        Backlog = ("backlog", "存量积案", "backlog"),
        /// 新增: came in since.
        New = ("new", "新增信访", "new"),
    }
);

vocabulary!(
    /// Where a case stands.
    #[derive(Default)]
    #[schema(as = PetitionState)]
    State {
        #[default]
        InHand = ("in_hand", "代理办理中", "in hand"),
        Resolved = ("resolved", "已办结", "resolved"),
    }
);

/// The signed authorization as uploaded (its file kept by content).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Authorization {
    pub sha256: String,
    pub file_name: String,
    pub signed_on: NaiveDate,
}

/// A case as taken in at a station.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPetition {
    pub ledger: Ledger,
    pub petitioner_name: String,
    /// 居民身份证号码 (GB 11643).
    pub petitioner_id_number: String,
    pub petitioner_phone: String,
    #[serde(default)]
    pub petitioner_address: String,
    /// 信访事项.
    pub subject: String,
    #[serde(default)]
    pub detail: String,
    /// Without it the agent may not act: the field is named.
    #[serde(default)]
    pub authorization: Option<Authorization>,
}

impl NewPetition {
    pub fn check(self, today: NaiveDate) -> Result<NewPetition, FieldError> {
        let auth = self.authorization.ok_or_else(|| {
            FieldError::text(
                "authorization",
                "须上传信访人签署的代理委托书",
                "the petitioner's signed authorization is required",
            )
        })?;
        if auth.signed_on > today {
            return Err(FieldError::text(
                "authorization.signed_on",
                "委托书签署日期不能晚于今天",
                "the authorization is signed today or earlier",
            ));
        }
        if auth.sha256.len() != 64 || !auth.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FieldError::text(
                "authorization.sha256",
                "委托书文件无效",
                "the authorization's file is not valid",
            ));
        }
        let id = IdCard::parse(&self.petitioner_id_number, today)
            .map_err(|t| FieldError::new("petitioner_id_number", t))?;
        Ok(NewPetition {
            ledger: self.ledger,
            petitioner_name: text::required("petitioner_name", &self.petitioner_name, 50)?,
            petitioner_id_number: id.number,
            petitioner_phone: mobile::parse(&self.petitioner_phone)
                .map_err(|t| FieldError::new("petitioner_phone", t))?,
            petitioner_address: text::optional(
                "petitioner_address",
                &self.petitioner_address,
                200,
            )?
            .unwrap_or_default(),
            subject: text::required("subject", &self.subject, 200)?,
            detail: text::optional("detail", &self.detail, 4000)?.unwrap_or_default(),
            authorization: Some(Authorization {
                file_name: text::required("authorization.file_name", &auth.file_name, 200)?,
                ..auth
            }),
        })
    }
}

/// One errand: to a department, by a day, and what came of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = PetitionStep)]
pub struct Step {
    pub department_id: i64,
    pub task: String,
    pub deadline: NaiveDate,
    pub outcome: Option<String>,
    pub done_on: Option<NaiveDate>,
}

/// The part of a case its actions change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = PetitionProgress)]
pub struct Progress {
    pub state: State,
    pub steps: Vec<Step>,
    /// Times the petitioner came in person (at most once).
    pub petitioner_visits: i64,
    pub outcome: Option<String>,
    pub resolved_on: Option<NaiveDate>,
    /// 1–5, the petitioner's word after the resolution.
    pub satisfaction: Option<i64>,
    pub feedback: Option<String>,
}

/// What is done with a case.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = PetitionAction)]
pub enum Action {
    /// The agent goes to a department (代办), by a day.
    Errand {
        department_id: i64,
        task: String,
        deadline: NaiveDate,
    },
    /// What the department did for an errand.
    Outcome { step: usize, outcome: String },
    /// The petitioner came in person.
    Visit,
    /// 办结, with its outcome.
    Resolve { outcome: String },
    /// The petitioner's word.
    Feedback {
        satisfaction: i64,
        #[serde(default)]
        note: Option<String>,
    },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Errand { .. } => "errand",
            Action::Outcome { .. } => "outcome",
            Action::Visit => "visit",
            Action::Resolve { .. } => "resolve",
            Action::Feedback { .. } => "feedback",
        }
    }

    pub fn name(&self) -> Text {
        match self {
            Action::Errand { .. } => Text::fixed("代办交办", "errand"),
            Action::Outcome { .. } => Text::fixed("部门办理结果", "department's outcome"),
            Action::Visit => Text::fixed("信访人来访", "petitioner's visit"),
            Action::Resolve { .. } => Text::fixed("办结", "resolve"),
            Action::Feedback { .. } => Text::fixed("信访人评价", "petitioner's feedback"),
        }
    }
}

/// The actions open to a case.
pub fn open_actions(p: &Progress) -> Vec<&'static str> {
    match p.state {
        State::InHand => {
            let mut v = vec!["errand", "resolve"];
            if p.steps.iter().any(|s| s.done_on.is_none()) {
                v.insert(1, "outcome");
            }
            if p.petitioner_visits == 0 {
                v.push("visit");
            }
            v
        }
        State::Resolved if p.satisfaction.is_none() => vec!["feedback"],
        State::Resolved => vec![],
    }
}

/// The case after `action` on `today`, with the note of its trail line.
pub fn act(
    before: &Progress,
    action: Action,
    today: NaiveDate,
) -> Result<(Progress, String), DomainError> {
    let open = open_actions(before);
    if !open.contains(&action.code()) {
        if action.code() == "visit" {
            return Err(DomainError::invalid(
                "action",
                "信访人最多跑一次，此后由代理员代办",
                "the petitioner comes in person at most once; the agent runs the rest",
            ));
        }
        return Err(DomainError::WrongState {
            action: action.name(),
            state: before.state.name(),
            allowed: open
                .into_iter()
                .map(|c| (c.to_string(), Text::new(c, c)))
                .collect(),
        });
    }
    let mut p = before.clone();
    let note = match action {
        Action::Errand {
            department_id,
            task,
            deadline,
        } => {
            let task = text::required("task", &task, 500)?;
            if deadline < today {
                return Err(DomainError::invalid(
                    "deadline",
                    "办理时限不能早于今天",
                    "the deadline is in the past",
                ));
            }
            p.steps.push(Step {
                department_id,
                task: task.clone(),
                deadline,
                outcome: None,
                done_on: None,
            });
            task
        }
        Action::Outcome { step, outcome } => {
            let outcome = text::required("outcome", &outcome, 2000)?;
            let s = p
                .steps
                .get_mut(step)
                .filter(|s| s.done_on.is_none())
                .ok_or_else(|| {
                    DomainError::invalid("step", "没有这项待办结果", "no such open errand")
                })?;
            s.outcome = Some(outcome.clone());
            s.done_on = Some(today);
            outcome
        }
        Action::Visit => {
            p.petitioner_visits += 1;
            String::new()
        }
        Action::Resolve { outcome } => {
            let outcome = text::optional("outcome", &outcome, 4000)?.ok_or_else(|| {
                DomainError::invalid(
                    "outcome",
                    "办结须写明处理结果",
                    "a resolution states its outcome",
                )
            })?;
            if p.steps.iter().any(|s| s.done_on.is_none()) {
                return Err(DomainError::invalid(
                    "outcome",
                    "尚有部门未反馈办理结果",
                    "an errand still awaits its department's outcome",
                ));
            }
            p.state = State::Resolved;
            p.outcome = Some(outcome.clone());
            p.resolved_on = Some(today);
            outcome
        }
        Action::Feedback { satisfaction, note } => {
            check_level("satisfaction", satisfaction)?;
            let note = text::optional("note", note.as_deref().unwrap_or(""), 1000)?;
            p.satisfaction = Some(satisfaction);
            p.feedback = note.clone();
            note.unwrap_or_default()
        }
    };
    Ok((p, note))
}

/// Errands past their deadline without an outcome.
pub fn late_steps(p: &Progress, today: NaiveDate) -> usize {
    p.steps
        .iter()
        .filter(|s| s.done_on.is_none() && s.deadline < today)
        .count()
}

/// A case as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Petition {
    pub id: i64,
    /// XF + date + sequence.
    pub number: String,
    pub station_id: i64,
    pub agent_id: i64,
    pub ledger: Ledger,
    pub petitioner_name: String,
    pub petitioner_id_number: String,
    pub petitioner_phone: String,
    pub petitioner_address: String,
    pub subject: String,
    pub detail: String,
    pub authorization: Authorization,
    /// The leader who guarantees a major backlog case (包保), if any.
    pub guarantor_id: Option<i64>,
    pub region_id: i64,
    pub taken_on: NaiveDate,
    pub progress: Progress,
    pub version: i64,
}

/// One line of a case's trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = PetitionLogLine)]
pub struct LogLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub state: State,
    pub actor_name: String,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn petition(auth: Option<Authorization>) -> NewPetition {
        NewPetition {
            ledger: Ledger::Backlog,
            petitioner_name: " 王大爷 ".into(),
            petitioner_id_number: "11010519491231002x".into(),
            petitioner_phone: "13904295555".into(),
            petitioner_address: String::new(),
            subject: "宅基地确权纠纷".into(),
            detail: String::new(),
            authorization: auth,
        }
    }

    fn signed(on: NaiveDate) -> Option<Authorization> {
        Some(Authorization {
            sha256: "ab".repeat(32),
            file_name: "代理委托书.pdf".into(),
            signed_on: on,
        })
    }

    #[test]
    fn a_case_needs_its_signed_authorization() {
        let e = petition(None).check(d(6, 1)).unwrap_err();
        assert_eq!(e.field, "authorization");
        let e = petition(signed(d(6, 2))).check(d(6, 1)).unwrap_err();
        assert_eq!(e.field, "authorization.signed_on");
        let ok = petition(signed(d(6, 1))).check(d(6, 1)).unwrap();
        assert_eq!(ok.petitioner_name, "王大爷");
        assert_eq!(ok.petitioner_id_number, "11010519491231002X");
        let mut bad = petition(signed(d(6, 1)));
        bad.petitioner_id_number = "110105194912310021".into();
        assert_eq!(
            bad.check(d(6, 1)).unwrap_err().field,
            "petitioner_id_number"
        );
    }

    #[test]
    fn the_agent_runs_the_errands_and_the_petitioner_comes_once() {
        let start = Progress::default();
        let errand = |dept: i64, by: NaiveDate| Action::Errand {
            department_id: dept,
            task: "协调确权登记".into(),
            deadline: by,
        };
        let e = act(&start, errand(4, d(5, 31)), d(6, 1)).unwrap_err();
        assert!(matches!(e, DomainError::Invalid(f) if f.field == "deadline"));
        let (p, _) = act(&start, errand(4, d(6, 10)), d(6, 1)).unwrap();
        let (p, _) = act(&p, Action::Visit, d(6, 1)).unwrap();
        let e = act(&p, Action::Visit, d(6, 2)).unwrap_err();
        assert!(matches!(e, DomainError::Invalid(f) if f.field == "action"));
        // Not resolved while an errand awaits its outcome, nor without an outcome.
        let resolve = |o: &str| Action::Resolve { outcome: o.into() };
        let e = act(&p, resolve("已调解"), d(6, 5)).unwrap_err();
        assert!(matches!(e, DomainError::Invalid(f) if f.field == "outcome"));
        assert_eq!(late_steps(&p, d(6, 11)), 1);
        let (p, _) = act(
            &p,
            Action::Outcome {
                step: 0,
                outcome: "自然资源局已出具确权意见".into(),
            },
            d(6, 8),
        )
        .unwrap();
        let e = act(&p, resolve("  "), d(6, 9)).unwrap_err();
        assert!(matches!(e, DomainError::Invalid(f) if f.field == "outcome"));
        let (p, _) = act(&p, resolve("双方达成调解协议"), d(6, 9)).unwrap();
        assert_eq!((p.state, p.resolved_on), (State::Resolved, Some(d(6, 9))));
        assert_eq!(open_actions(&p), vec!["feedback"]);
        let e = act(&p, errand(4, d(6, 20)), d(6, 9)).unwrap_err();
        assert!(matches!(e, DomainError::WrongState { .. }));
        let (p, _) = act(
            &p,
            Action::Feedback {
                satisfaction: 5,
                note: None,
            },
            d(6, 10),
        )
        .unwrap();
        assert!(open_actions(&p).is_empty());
    }
}
