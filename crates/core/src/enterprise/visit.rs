//! Visits to enterprises (上门走访): planned for a day, then done with who came and what was
//! heard. A mobile service team's round (服务专班) plans many at once under one name.

use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A visit as planned.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    pub enterprise_id: i64,
    #[serde(default)]
    pub project_id: Option<i64>,
    pub planned_on: NaiveDate,
    /// The round of a mobile service team it belongs to, if any.
    #[serde(default)]
    pub round: Option<String>,
}

impl NewVisit {
    pub fn check(self, today: NaiveDate) -> Result<NewVisit, FieldError> {
        if self.planned_on < today {
            return Err(FieldError::new(
                "planned_on",
                Text::fixed(
                    "计划走访日期不能早于今天",
                    "a visit is planned for today or later",
                ),
            ));
        }
        let round = match self.round {
            Some(r) => text::optional("round", &r, 100)?,
            None => None,
        };
        Ok(NewVisit { round, ..self })
    }
}

/// What a done visit records.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitReport {
    /// Who took part, from both sides.
    pub attendees: String,
    pub notes: String,
}

impl VisitReport {
    pub fn check(self) -> Result<VisitReport, FieldError> {
        Ok(VisitReport {
            attendees: text::required("attendees", &self.attendees, 500)?,
            notes: text::required("notes", &self.notes, 4000)?,
        })
    }
}

/// A visit as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Visit {
    pub id: i64,
    pub steward_id: i64,
    pub enterprise_id: i64,
    pub project_id: Option<i64>,
    pub round: Option<String>,
    pub planned_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub attendees: String,
    pub notes: String,
    pub region_id: i64,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_are_planned_ahead_and_reported_in_full() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let v = NewVisit {
            enterprise_id: 1,
            project_id: None,
            planned_on: today,
            round: Some(" 三月服务专班 ".into()),
        };
        assert_eq!(
            v.clone().check(today).unwrap().round.as_deref(),
            Some("三月服务专班")
        );
        let late = NewVisit {
            planned_on: today.pred_opt().unwrap(),
            ..v
        };
        assert_eq!(late.check(today).unwrap_err().field, "planned_on");
        let r = VisitReport {
            attendees: "张经理、王管家".into(),
            notes: " ".into(),
        };
        assert_eq!(r.check().unwrap_err().field, "notes");
    }
}
