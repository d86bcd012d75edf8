//! The problems, needs and suggestions collected from enterprises (问题清单 / 需求清单 /
//! 建议清单) as work items: assigned to a responsible department with a deadline, answered,
//! and closed only when the enterprise confirms it, with its satisfaction. A district that
//! cannot solve one escalates it to the city (市级), where it is assigned again. A joint
//! consultation (集中会商 / 联席会议) may decide on it. A pure state machine, like the case's.

use crate::error::{DomainError, FieldError};
use crate::evaluation::rating::check_level;
use crate::i18n::Text;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary!(
    /// Which list an item is on.
    #[schema(as = ItemKind)]
    Kind {
        Problem = ("problem", "问题", "problem"),
        Need = ("need", "需求", "need"),
        Suggestion = ("suggestion", "建议", "suggestion"),
    }
);

vocabulary!(
    /// The level that holds an item.
    #[derive(Default)]
    Level {
        #[default]
        District = ("district", "区级", "district"),
        City = ("city", "市级", "city"),
    }
);

vocabulary!(
    /// Where an item stands.
    #[derive(Default)]
    #[schema(as = ItemState)]
    State {
        /// Collected; to be assigned (at its level).
        #[default]
        Recorded = ("recorded", "待交办", "to assign"),
        Assigned = ("assigned", "办理中", "in hand"),
        /// Answered; waiting for the enterprise's word.
        Answered = ("answered", "待企业确认", "awaiting the enterprise"),
        Closed = ("closed", "已办结", "closed"),
    }
);

/// The part of an item its actions change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = ItemProgress)]
pub struct Progress {
    pub state: State,
    pub level: Level,
    pub department_id: Option<i64>,
    pub deadline: Option<NaiveDate>,
    pub resolution: Option<String>,
    pub satisfaction: Option<i64>,
    /// Times the enterprise sent the answer back.
    pub reopened: i64,
    /// Joint consultations that decided on it.
    pub consultations: Vec<i64>,
}

/// An item as collected (on a visit, from the enterprise, at a consultation).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    pub enterprise_id: i64,
    #[serde(default)]
    pub project_id: Option<i64>,
    pub kind: Kind,
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// The visit it was heard on, if any.
    #[serde(default)]
    pub visit_id: Option<i64>,
}

impl NewItem {
    pub fn check(self) -> Result<NewItem, FieldError> {
        Ok(NewItem {
            title: text::required("title", &self.title, 200)?,
            detail: text::optional("detail", &self.detail, 4000)?.unwrap_or_default(),
            ..self
        })
    }
}

/// An item as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Item {
    pub id: i64,
    /// QY + date + sequence.
    pub number: String,
    pub enterprise_id: i64,
    pub project_id: Option<i64>,
    pub visit_id: Option<i64>,
    pub kind: Kind,
    pub title: String,
    pub detail: String,
    pub region_id: i64,
    pub progress: Progress,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

/// One line of an item's trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = ItemLogLine)]
pub struct LogLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub state: State,
    pub actor_name: String,
    pub note: Option<String>,
}

/// What is done with an item.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = ItemAction)]
pub enum Action {
    /// 交办: to a department, by a day.
    Assign {
        #[serde(default)]
        department_id: Option<i64>,
        #[serde(default)]
        deadline: Option<NaiveDate>,
    },
    /// 办理答复.
    Answer { resolution: String },
    /// 提级: the district cannot solve it; the city takes it.
    Escalate { reason: String },
    /// 会商: a joint consultation decided on it.
    Consult {
        consultation_id: i64,
        decision: String,
    },
    /// The enterprise's word: satisfied (closed, with 1–5) or not (back to the department).
    Confirm {
        satisfied: bool,
        #[serde(default)]
        satisfaction: Option<i64>,
        #[serde(default)]
        note: Option<String>,
    },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Assign { .. } => "assign",
            Action::Answer { .. } => "answer",
            Action::Escalate { .. } => "escalate",
            Action::Consult { .. } => "consult",
            Action::Confirm { .. } => "confirm",
        }
    }

    pub fn name(&self) -> Text {
        match self {
            Action::Assign { .. } => Text::fixed("交办", "assign"),
            Action::Answer { .. } => Text::fixed("办理答复", "answer"),
            Action::Escalate { .. } => Text::fixed("提级办理", "escalate"),
            Action::Consult { .. } => Text::fixed("会商", "consult"),
            Action::Confirm { .. } => Text::fixed("企业确认", "confirm"),
        }
    }
}

/// The actions open to an item.
pub fn open_actions(p: &Progress) -> Vec<&'static str> {
    let mut v = match p.state {
        State::Recorded => vec!["assign"],
        State::Assigned => vec!["answer"],
        State::Answered => vec!["confirm"],
        State::Closed => vec![],
    };
    if matches!(p.state, State::Recorded | State::Assigned) {
        if p.level == Level::District {
            v.push("escalate");
        }
        v.push("consult");
    }
    v
}

/// The item after `action` on `today`, with the note of its trail line.
pub fn act(
    before: &Progress,
    action: Action,
    today: NaiveDate,
) -> Result<(Progress, String), DomainError> {
    if !open_actions(before).contains(&action.code()) {
        return Err(DomainError::WrongState {
            action: action.name(),
            state: before.state.name(),
            allowed: open_actions(before)
                .into_iter()
                .map(|c| (c.to_string(), Text::new(c, c)))
                .collect(),
        });
    }
    let mut p = before.clone();
    let note = match action {
        Action::Assign {
            department_id,
            deadline,
        } => {
            let d = department_id.ok_or_else(|| {
                DomainError::invalid(
                    "department_id",
                    "交办须指定责任部门",
                    "an item is assigned to a responsible department",
                )
            })?;
            let by = deadline.ok_or_else(|| {
                DomainError::invalid(
                    "deadline",
                    "交办须明确办理时限",
                    "an item is assigned with a deadline",
                )
            })?;
            if by < today {
                return Err(DomainError::invalid(
                    "deadline",
                    "办理时限不能早于今天",
                    "the deadline is in the past",
                ));
            }
            p.state = State::Assigned;
            p.department_id = Some(d);
            p.deadline = Some(by);
            String::new()
        }
        Action::Answer { resolution } => {
            let r = text::required("resolution", &resolution, 4000)?;
            p.state = State::Answered;
            p.resolution = Some(r.clone());
            r
        }
        Action::Escalate { reason } => {
            let r = text::required("reason", &reason, 1000)?;
            p.state = State::Recorded;
            p.level = Level::City;
            p.department_id = None;
            p.deadline = None;
            r
        }
        Action::Consult {
            consultation_id,
            decision,
        } => {
            let d = text::required("decision", &decision, 2000)?;
            if !p.consultations.contains(&consultation_id) {
                p.consultations.push(consultation_id);
            }
            d
        }
        Action::Confirm {
            satisfied,
            satisfaction,
            note,
        } => {
            let note =
                text::optional("note", note.as_deref().unwrap_or(""), 1000)?.unwrap_or_default();
            if satisfied {
                let s = satisfaction.ok_or_else(|| {
                    DomainError::invalid(
                        "satisfaction",
                        "请企业给出满意度（1至5）",
                        "the enterprise's satisfaction (1 to 5) is needed",
                    )
                })?;
                check_level("satisfaction", s)?;
                p.state = State::Closed;
                p.satisfaction = Some(s);
            } else {
                if note.is_empty() {
                    return Err(DomainError::invalid(
                        "note",
                        "请说明未解决的原因",
                        "say what is still unsolved",
                    ));
                }
                p.state = State::Assigned;
                p.resolution = None;
                p.reopened += 1;
            }
            note
        }
    };
    Ok((p, note))
}

/// Past its deadline and not answered.
pub fn overdue(p: &Progress, today: NaiveDate) -> bool {
    p.state == State::Assigned && p.deadline.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn step(p: &Progress, a: Action) -> Result<Progress, DomainError> {
        act(p, a, d(10)).map(|x| x.0)
    }

    fn assign(dept: Option<i64>, by: Option<NaiveDate>) -> Action {
        Action::Assign {
            department_id: dept,
            deadline: by,
        }
    }

    #[test]
    fn an_item_is_solved_only_when_the_enterprise_confirms() {
        let p = Progress::default();
        assert_eq!(
            step(&p, assign(None, Some(d(20)))).unwrap_err().field(),
            Some("department_id")
        );
        assert_eq!(
            step(&p, assign(Some(4), Some(d(9)))).unwrap_err().field(),
            Some("deadline")
        );
        let p = step(&p, assign(Some(4), Some(d(20)))).unwrap();
        assert!(!overdue(&p, d(20)) && overdue(&p, d(21)));
        // Closing is the enterprise's word, after an answer.
        let confirm = |ok: bool, s: Option<i64>, note: &str| Action::Confirm {
            satisfied: ok,
            satisfaction: s,
            note: Some(note.into()),
        };
        assert!(matches!(
            step(&p, confirm(true, Some(5), "")),
            Err(DomainError::WrongState { .. })
        ));
        let p = step(
            &p,
            Action::Answer {
                resolution: "已协调供电公司增容".into(),
            },
        )
        .unwrap();
        assert_eq!(
            step(&p, confirm(true, None, "")).unwrap_err().field(),
            Some("satisfaction")
        );
        assert_eq!(
            step(&p, confirm(false, None, "")).unwrap_err().field(),
            Some("note")
        );
        let again = step(&p, confirm(false, None, "仍未通电")).unwrap();
        assert_eq!((again.state, again.reopened), (State::Assigned, 1));
        let done = step(&p, confirm(true, Some(5), "")).unwrap();
        assert_eq!((done.state, done.satisfaction), (State::Closed, Some(5)));
        assert!(open_actions(&done).is_empty());
    }

    #[test]
    fn the_district_escalates_to_the_city_once_and_consultations_are_kept() {
        let p = step(&Progress::default(), assign(Some(4), Some(d(20)))).unwrap();
        let p = step(
            &p,
            Action::Consult {
                consultation_id: 7,
                decision: "由自然资源局牵头办理".into(),
            },
        )
        .unwrap();
        assert_eq!(p.consultations, vec![7]);
        let p = step(
            &p,
            Action::Escalate {
                reason: "涉及市级用地指标".into(),
            },
        )
        .unwrap();
        assert_eq!(
            (p.state, p.level, p.department_id),
            (State::Recorded, Level::City, None)
        );
        assert!(
            !open_actions(&p).contains(&"escalate"),
            "the city does not escalate further"
        );
        let p = step(&p, assign(Some(40), Some(d(30)))).unwrap();
        assert_eq!((p.state, p.level), (State::Assigned, Level::City));
    }
}
