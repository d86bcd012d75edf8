//! Complaints (投诉) from the hotline, the web and letters: accepted or not within a set time
//! (受理), handled by the department named with a deadline (办理), answered (答复), closed with
//! the complainant's satisfaction (办结). A pure state machine; the store writes what `act`
//! returns under the record's version.

use super::rating::check_level;
use crate::error::{DomainError, FieldError};
use crate::i18n::Text;
use crate::validate::{mobile, text};
use crate::vocabulary::vocabulary;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary!(
    /// How a complaint came in.
    Source {
        Hotline = ("hotline", "热线电话", "hotline"),
        Web = ("web", "网上投诉", "web"),
        Letter = ("letter", "来信", "letter"),
        Visit = ("visit", "来访", "visit"),
    }
);

vocabulary!(
    /// Where a complaint stands.
    #[derive(Default)]
    #[schema(as = ComplaintState)]
    State {
        /// Awaiting the decision to accept it (受理).
        #[default]
        Received = ("received", "待受理", "received"),
        /// Accepted; the department handles it by its deadline.
        Handling = ("handling", "办理中", "handling"),
        /// Answered; awaiting the complainant's word.
        Answered = ("answered", "已答复", "answered"),
        /// Not accepted, with the reason told.
        Refused = ("refused", "不予受理", "not accepted"),
        Closed = ("closed", "已办结", "closed"),
    }
);

impl State {
    /// Whether a deadline runs.
    pub fn is_open(self) -> bool {
        matches!(self, State::Received | State::Handling | State::Answered)
    }
}

/// A complaint as it is lodged.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComplaint {
    /// `hotline`, `web`, `letter` or `visit` (staff record all but `web`).
    pub source: String,
    pub complainant_name: String,
    pub complainant_phone: String,
    /// The department complained of, if known.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// A case it concerns, if any.
    #[serde(default)]
    pub case_number: Option<String>,
    pub subject: String,
    pub content: String,
}

/// A lodged complaint, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanComplaint {
    pub source: Source,
    pub complainant_name: String,
    pub complainant_phone: String,
    pub department_id: Option<i64>,
    pub case_number: Option<String>,
    pub subject: String,
    pub content: String,
}

impl NewComplaint {
    pub fn clean(self) -> Result<CleanComplaint, FieldError> {
        let source = Source::parse(&self.source).ok_or_else(|| {
            FieldError::new(
                "source",
                Text::fixed(
                    "来源应为 hotline、web、letter 或 visit",
                    "source must be hotline, web, letter or visit",
                ),
            )
        })?;
        Ok(CleanComplaint {
            source,
            complainant_name: text::required("complainant_name", &self.complainant_name, 50)?,
            complainant_phone: mobile::parse(&self.complainant_phone)
                .map_err(|reason| FieldError::new("complainant_phone", reason))?,
            department_id: self.department_id,
            case_number: text::optional(
                "case_number",
                self.case_number.as_deref().unwrap_or(""),
                40,
            )?,
            subject: text::required("subject", &self.subject, 100)?,
            content: text::required("content", &self.content, 4000)?,
        })
    }
}

/// What is done with a complaint.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[schema(as = ComplaintAction)]
pub enum Action {
    /// 受理: the department that handles it.
    Accept { department_id: i64 },
    /// 不予受理, with the reason told.
    Refuse { reason: String },
    /// 答复: what the department found and did.
    Answer { reply: String },
    /// 办结: the complainant's satisfaction (1–5) and word.
    Close {
        satisfaction: i64,
        #[serde(default)]
        note: Option<String>,
    },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Accept { .. } => "accept",
            Action::Refuse { .. } => "refuse",
            Action::Answer { .. } => "answer",
            Action::Close { .. } => "close",
        }
    }

    pub fn name(&self) -> Text {
        match self {
            Action::Accept { .. } => Text::fixed("受理", "accept"),
            Action::Refuse { .. } => Text::fixed("不予受理", "refuse"),
            Action::Answer { .. } => Text::fixed("答复", "answer"),
            Action::Close { .. } => Text::fixed("办结", "close"),
        }
    }
}

/// The part of a complaint its actions change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = ComplaintProgress)]
pub struct Progress {
    pub state: State,
    /// The department handling it (set on acceptance).
    pub department_id: Option<i64>,
    pub refusal: Option<String>,
    pub reply: Option<String>,
    pub satisfaction: Option<i64>,
    pub close_note: Option<String>,
}

/// The actions open in a state.
pub fn open_actions(state: State) -> Vec<(&'static str, Text)> {
    match state {
        State::Received => vec![
            ("accept", Text::fixed("受理", "accept")),
            ("refuse", Text::fixed("不予受理", "refuse")),
        ],
        State::Handling => vec![("answer", Text::fixed("答复", "answer"))],
        State::Answered => vec![("close", Text::fixed("办结", "close"))],
        State::Refused | State::Closed => Vec::new(),
    }
}

/// The complaint after `action`, with its trail line's note.
pub fn act(before: &Progress, action: Action) -> Result<(Progress, String), DomainError> {
    let mut p = before.clone();
    let note = match (before.state, action) {
        (State::Received, Action::Accept { department_id }) => {
            p.state = State::Handling;
            p.department_id = Some(department_id);
            String::new()
        }
        (State::Received, Action::Refuse { reason }) => {
            let reason = text::required("reason", &reason, 1000).map_err(DomainError::Invalid)?;
            p.state = State::Refused;
            p.refusal = Some(reason.clone());
            reason
        }
        (State::Handling, Action::Answer { reply }) => {
            let reply = text::required("reply", &reply, 4000).map_err(DomainError::Invalid)?;
            p.state = State::Answered;
            p.reply = Some(reply.clone());
            reply
        }
        (State::Answered, Action::Close { satisfaction, note }) => {
            check_level("satisfaction", satisfaction).map_err(DomainError::Invalid)?;
            let note = text::optional("note", note.as_deref().unwrap_or(""), 1000)
                .map_err(DomainError::Invalid)?;
            p.state = State::Closed;
            p.satisfaction = Some(satisfaction);
            p.close_note = note.clone();
            note.unwrap_or_default()
        }
        (state, action) => {
            return Err(DomainError::WrongState {
                action: action.name(),
                state: state.name(),
                allowed: open_actions(state)
                    .into_iter()
                    .map(|(c, n)| (c.to_string(), n))
                    .collect(),
            });
        }
    };
    Ok((p, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lodged() -> NewComplaint {
        NewComplaint {
            source: "hotline".into(),
            complainant_name: "王先生".into(),
            complainant_phone: "13912345678".into(),
            department_id: None,
            case_number: None,
            subject: "窗口推诿".into(),
            content: "办理营业执照时被要求补交清单外材料".into(),
        }
    }

    #[test]
    fn a_complaint_is_accepted_answered_and_closed() {
        assert_eq!(lodged().clean().unwrap().source, Source::Hotline);
        let p = Progress::default();
        let (p, _) = act(&p, Action::Accept { department_id: 7 }).unwrap();
        assert_eq!((p.state, p.department_id), (State::Handling, Some(7)));
        match act(
            &p,
            Action::Close {
                satisfaction: 5,
                note: None,
            },
        ) {
            Err(DomainError::WrongState { allowed, .. }) => assert_eq!(allowed[0].0, "answer"),
            other => panic!("{other:?}"),
        }
        let (p, _) = act(
            &p,
            Action::Answer {
                reply: "已核实并约谈窗口人员".into(),
            },
        )
        .unwrap();
        let e = act(
            &p,
            Action::Close {
                satisfaction: 0,
                note: None,
            },
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("satisfaction"));
        let (p, _) = act(
            &p,
            Action::Close {
                satisfaction: 4,
                note: Some("满意".into()),
            },
        )
        .unwrap();
        assert_eq!((p.state, p.satisfaction), (State::Closed, Some(4)));
        assert!(!p.state.is_open());
    }

    #[test]
    fn bad_input_names_its_field() {
        let e = NewComplaint {
            source: "fax".into(),
            ..lodged()
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "source");
        let e = NewComplaint {
            complainant_phone: "123".into(),
            ..lodged()
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "complainant_phone");
        let e = NewComplaint {
            content: " ".into(),
            ..lodged()
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "content");
        let e = act(&Progress::default(), Action::Refuse { reason: "".into() }).unwrap_err();
        assert_eq!(e.field(), Some("reason"));
    }
}

/// A complaint as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Complaint {
    pub id: i64,
    /// TS + date + sequence, e.g. TS202611300001.
    pub number: String,
    pub source: Source,
    pub complainant_name: String,
    pub complainant_phone: String,
    /// The account that lodged it on the web, if any.
    pub complainant_id: Option<i64>,
    pub department_id: Option<i64>,
    pub region_id: i64,
    pub case_id: Option<i64>,
    pub subject: String,
    pub content: String,
    pub progress: Progress,
    pub received_at: chrono::DateTime<chrono::Utc>,
    /// Last day to accept it or not.
    pub accept_due: chrono::NaiveDate,
    pub accepted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Last day to answer it, once accepted.
    pub answer_due: Option<chrono::NaiveDate>,
    pub answered_at: Option<chrono::DateTime<chrono::Utc>>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

impl Complaint {
    /// Whether a deadline was or is missed on `today`: not accepted by its day, or not answered
    /// by its day.
    pub fn late(&self, today: chrono::NaiveDate) -> bool {
        use crate::time::local_date;
        let accept_late = match self.accepted_at {
            Some(t) => local_date(t) > self.accept_due,
            None => self.progress.state == State::Received && today > self.accept_due,
        };
        let answer_late = match (self.answer_due, self.answered_at) {
            (Some(due), Some(t)) => local_date(t) > due,
            (Some(due), None) => self.progress.state == State::Handling && today > due,
            _ => false,
        };
        accept_late || answer_late
    }
}

/// One line of a complaint's trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = ComplaintLogLine)]
pub struct LogLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub state: State,
    pub actor_name: String,
    pub note: Option<String>,
}
