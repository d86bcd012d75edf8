//! Enterprise supervisors (监督员): people chosen from local enterprises (40 from 40 enterprises
//! in the seeds), each with a contact point (监督联系点) at a department or hall, who visit and
//! inspect and report what they found. Each report is followed to what came of it: referred to a
//! department and answered (办理), or noted (存档) by the office.

use crate::error::{DomainError, FieldError};
use crate::i18n::Text;
use crate::validate::{mobile, text, uscc};
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A supervisor as appointed.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSupervisor {
    pub name: String,
    pub phone: String,
    /// The enterprise they come from.
    pub enterprise: String,
    /// Its unified social credit code (统一社会信用代码), checked when given.
    #[serde(default)]
    pub uscc: Option<String>,
    /// Their contact point: a department…
    #[serde(default)]
    pub department_id: Option<i64>,
    /// …or a hall.
    #[serde(default)]
    pub hall_id: Option<i64>,
    /// The account they sign in with to report (an enterprise account), if any.
    #[serde(default)]
    pub user_id: Option<i64>,
    pub appointed_on: NaiveDate,
    #[serde(default)]
    pub term_until: Option<NaiveDate>,
}

impl NewSupervisor {
    pub fn clean(self) -> Result<NewSupervisor, FieldError> {
        let uscc = match self
            .uscc
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(code) => Some(
                uscc::parse(code)
                    .map_err(|reason| FieldError::new("uscc", reason))?
                    .code,
            ),
            None => None,
        };
        if self.department_id.is_none() && self.hall_id.is_none() {
            return Err(FieldError::new(
                "department_id",
                Text::fixed(
                    "请指定监督联系点（部门或大厅）",
                    "name the contact point: a department or a hall",
                ),
            ));
        }
        if self.term_until.is_some_and(|t| t < self.appointed_on) {
            return Err(FieldError::new(
                "term_until",
                Text::fixed("任期截止早于聘任日期", "the term ends before it starts"),
            ));
        }
        Ok(NewSupervisor {
            name: text::required("name", &self.name, 50)?,
            phone: mobile::parse(&self.phone).map_err(|r| FieldError::new("phone", r))?,
            enterprise: text::required("enterprise", &self.enterprise, 100)?,
            uscc,
            ..self
        })
    }
}

/// A supervisor as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Supervisor {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub enterprise: String,
    pub uscc: Option<String>,
    pub department_id: Option<i64>,
    pub hall_id: Option<i64>,
    pub region_id: i64,
    pub user_id: Option<i64>,
    pub appointed_on: NaiveDate,
    pub term_until: Option<NaiveDate>,
    pub active: bool,
    pub version: i64,
}

vocabulary!(
    /// What a supervisor reports.
    ReportKind {
        Visit = ("visit", "走访调查", "visit"),
        Inspection = ("inspection", "明察暗访", "inspection"),
        Suggestion = ("suggestion", "意见建议", "suggestion"),
    }
);

vocabulary!(
    /// Where a report stands.
    #[derive(Default)]
    ReportState {
        /// Recorded, awaiting the office.
        #[default]
        Open = ("open", "待处理", "open"),
        /// Sent to a department to act on.
        Referred = ("referred", "已转办", "referred"),
        /// The department said what it did.
        Resolved = ("resolved", "已办结", "resolved"),
        /// Kept on file by the office: nothing to act on.
        Noted = ("noted", "已存档", "noted"),
    }
);

/// A report as given.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// `visit`, `inspection` or `suggestion`.
    pub kind: String,
    pub visited_on: NaiveDate,
    /// Where (an enterprise, a hall, a window).
    pub place: String,
    /// The department it concerns, if one.
    #[serde(default)]
    pub department_id: Option<i64>,
    pub findings: String,
    #[serde(default)]
    pub suggestions: Option<String>,
}

impl NewReport {
    pub fn clean(self, today: NaiveDate) -> Result<(ReportKind, NewReport), FieldError> {
        let kind = ReportKind::parse(&self.kind).ok_or_else(|| {
            FieldError::new(
                "kind",
                Text::fixed(
                    "类型应为 visit、inspection 或 suggestion",
                    "kind must be visit, inspection or suggestion",
                ),
            )
        })?;
        if self.visited_on > today {
            return Err(FieldError::new(
                "visited_on",
                Text::fixed("日期不能晚于今天", "the day is after today"),
            ));
        }
        Ok((
            kind,
            NewReport {
                place: text::required("place", &self.place, 200)?,
                findings: text::required("findings", &self.findings, 4000)?,
                suggestions: text::optional(
                    "suggestions",
                    self.suggestions.as_deref().unwrap_or(""),
                    4000,
                )?,
                ..self
            },
        ))
    }
}

/// What is done with a report.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReportAction {
    /// 转办: to the department that should act.
    Refer { department_id: i64 },
    /// 办结: what the department did.
    Resolve { outcome: String },
    /// 存档: why nothing is to be done.
    Note { outcome: String },
}

impl ReportAction {
    pub fn code(&self) -> &'static str {
        match self {
            ReportAction::Refer { .. } => "refer",
            ReportAction::Resolve { .. } => "resolve",
            ReportAction::Note { .. } => "note",
        }
    }
}

/// The state after `action` and the outcome it records; refused when not open.
pub fn act(
    state: ReportState,
    action: &ReportAction,
) -> Result<(ReportState, Option<String>), DomainError> {
    let outcome = |o: &str| {
        text::required("outcome", o, 4000)
            .map(Some)
            .map_err(DomainError::Invalid)
    };
    match (state, action) {
        (ReportState::Open, ReportAction::Refer { .. }) => Ok((ReportState::Referred, None)),
        (ReportState::Referred, ReportAction::Resolve { outcome: o }) => {
            Ok((ReportState::Resolved, outcome(o)?))
        }
        (ReportState::Open, ReportAction::Note { outcome: o }) => {
            Ok((ReportState::Noted, outcome(o)?))
        }
        (state, action) => Err(DomainError::WrongState {
            action: Text::new(action.code(), action.code()),
            state: state.name(),
            allowed: match state {
                ReportState::Open => vec![
                    ("refer".into(), Text::fixed("转办", "refer")),
                    ("note".into(), Text::fixed("存档", "note")),
                ],
                ReportState::Referred => vec![("resolve".into(), Text::fixed("办结", "resolve"))],
                _ => Vec::new(),
            },
        }),
    }
}

/// A report as recorded, with what came of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = SupervisorReport)]
pub struct Report {
    pub id: i64,
    pub supervisor_id: i64,
    pub supervisor_name: String,
    pub region_id: i64,
    pub kind: ReportKind,
    pub visited_on: NaiveDate,
    pub place: String,
    pub department_id: Option<i64>,
    pub findings: String,
    pub suggestions: Option<String>,
    pub state: ReportState,
    pub referred_to: Option<i64>,
    pub outcome: Option<String>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appointed() -> NewSupervisor {
        NewSupervisor {
            name: "赵经理".into(),
            phone: "13812345678".into(),
            enterprise: "葫芦岛宏跃北方铜业有限责任公司".into(),
            uscc: None,
            department_id: Some(3),
            hall_id: None,
            user_id: None,
            appointed_on: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
            term_until: None,
        }
    }

    #[test]
    fn a_supervisor_needs_a_contact_point_and_valid_codes() {
        assert!(appointed().clean().is_ok());
        let e = NewSupervisor {
            department_id: None,
            ..appointed()
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "department_id");
        let e = NewSupervisor {
            uscc: Some("91211400MA0000000X".into()),
            ..appointed()
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "uscc");
        let e = NewSupervisor {
            term_until: NaiveDate::from_ymd_opt(2025, 1, 1),
            ..appointed()
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "term_until");
    }

    #[test]
    fn a_report_is_referred_and_resolved_or_noted() {
        let (s, _) = act(ReportState::Open, &ReportAction::Refer { department_id: 2 }).unwrap();
        assert_eq!(s, ReportState::Referred);
        assert!(
            act(
                s,
                &ReportAction::Note {
                    outcome: "x".into()
                }
            )
            .is_err()
        );
        let e = act(
            s,
            &ReportAction::Resolve {
                outcome: " ".into(),
            },
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("outcome"));
        let (s, o) = act(
            s,
            &ReportAction::Resolve {
                outcome: "已增设导办员".into(),
            },
        )
        .unwrap();
        assert_eq!(
            (s, o.as_deref()),
            (ReportState::Resolved, Some("已增设导办员"))
        );
        let (s, _) = act(
            ReportState::Open,
            &ReportAction::Note {
                outcome: "已向企业解释政策".into(),
            },
        )
        .unwrap();
        assert_eq!(s, ReportState::Noted);
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let r = NewReport {
            kind: "visit".into(),
            visited_on: today.succ_opt().unwrap(),
            place: "政务服务中心".into(),
            department_id: None,
            findings: "排队较长".into(),
            suggestions: None,
        };
        assert_eq!(r.clone().clean(today).unwrap_err().field, "visited_on");
        assert_eq!(
            NewReport {
                kind: "x".into(),
                ..r.clone()
            }
            .clean(today)
            .unwrap_err()
            .field,
            "kind"
        );
        assert!(
            NewReport {
                visited_on: today,
                ..r
            }
            .clean(today)
            .is_ok()
        );
    }
}
