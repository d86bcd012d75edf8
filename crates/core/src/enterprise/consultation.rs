//! Joint consultations (集中会商 / 联席会议): the departments and levels a problem needs meet,
//! decide, and leave follow-ups (each with its department and day) that are ticked off when
//! done. The work items decided on carry the consultation in their trail.

use crate::error::FieldError;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::work::Level;

vocabulary!(
    /// How the departments met.
    Form {
        /// 集中会商: called for one or a few problems.
        Joint = ("joint", "集中会商", "joint consultation"),
        /// 联席会议: the standing meeting of departments and levels.
        Liaison = ("liaison", "联席会议", "joint meeting"),
    }
);

/// A task a consultation leaves (会商事项跟踪).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    pub task: String,
    pub department_id: i64,
    pub due: NaiveDate,
    /// The day it was reported done.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
}

/// A consultation as recorded, after the meeting.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsultation {
    pub form: Form,
    pub title: String,
    pub held_on: NaiveDate,
    #[serde(default)]
    pub level: Level,
    /// Who attended, by name and unit.
    pub attendees: String,
    /// The departments that took part: at least two (it is cross-department).
    pub department_ids: Vec<i64>,
    pub decisions: String,
    #[serde(default)]
    pub follow_ups: Vec<FollowUp>,
    /// The work items it decided on; each gets a 会商 line with the decisions.
    #[serde(default)]
    pub item_ids: Vec<i64>,
}

impl NewConsultation {
    /// The record cleaned, or the first field in error. A consultation is recorded after it
    /// was held, by at least two departments; a follow-up is due on or after that day.
    pub fn check(self, today: NaiveDate) -> Result<NewConsultation, FieldError> {
        if self.held_on > today {
            return Err(FieldError::text(
                "held_on",
                "会商日期不能晚于今天（会后登记）",
                "a consultation is recorded after it was held",
            ));
        }
        let mut departments = self.department_ids.clone();
        departments.sort_unstable();
        departments.dedup();
        if departments.len() < 2 {
            return Err(FieldError::text(
                "department_ids",
                "会商须有两个以上部门参加",
                "a joint consultation has at least two departments",
            ));
        }
        let mut follow_ups = Vec::with_capacity(self.follow_ups.len());
        for (i, f) in self.follow_ups.into_iter().enumerate() {
            let task = text::required(&format!("follow_ups[{i}].task"), &f.task, 500)?;
            if f.due < self.held_on {
                return Err(FieldError::text(
                    format!("follow_ups[{i}].due"),
                    "落实时限不能早于会商日期",
                    "a follow-up is due on or after the meeting",
                ));
            }
            follow_ups.push(FollowUp {
                task,
                done_on: None,
                ..f
            });
        }
        let mut items = self.item_ids.clone();
        items.sort_unstable();
        items.dedup();
        Ok(NewConsultation {
            form: self.form,
            title: text::required("title", &self.title, 200)?,
            held_on: self.held_on,
            level: self.level,
            attendees: text::required("attendees", &self.attendees, 1000)?,
            department_ids: departments,
            decisions: text::required("decisions", &self.decisions, 4000)?,
            follow_ups,
            item_ids: items,
        })
    }
}

/// A consultation as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Consultation {
    pub id: i64,
    pub form: Form,
    pub title: String,
    pub held_on: NaiveDate,
    pub level: Level,
    pub attendees: String,
    pub department_ids: Vec<i64>,
    pub decisions: String,
    pub follow_ups: Vec<FollowUp>,
    pub item_ids: Vec<i64>,
    pub region_id: i64,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl Consultation {
    /// Follow-ups past their day and not done.
    pub fn late_follow_ups(&self, today: NaiveDate) -> usize {
        self.follow_ups
            .iter()
            .filter(|f| f.done_on.is_none() && f.due < today)
            .count()
    }
}

/// The follow-ups after the one at `index` is reported done on `today`.
pub fn finish(
    follow_ups: &[FollowUp],
    index: usize,
    today: NaiveDate,
) -> Result<Vec<FollowUp>, FieldError> {
    let mut out = follow_ups.to_vec();
    let f = out
        .get_mut(index)
        .ok_or_else(|| FieldError::text("index", "没有这项会商事项", "no such follow-up"))?;
    if f.done_on.is_some() {
        return Err(FieldError::text(
            "index",
            "这项已落实",
            "this follow-up is already done",
        ));
    }
    f.done_on = Some(today);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn meeting() -> NewConsultation {
        NewConsultation {
            form: Form::Joint,
            title: " 精密铜带项目用电增容会商 ".into(),
            held_on: d(6, 1),
            level: Level::City,
            attendees: "发改委张某、供电公司李某、企业王某".into(),
            department_ids: vec![3, 2, 3],
            decisions: "供电公司6月底前完成增容".into(),
            follow_ups: vec![FollowUp {
                task: "完成110千伏线路接入".into(),
                department_id: 3,
                due: d(6, 30),
                done_on: Some(d(6, 2)),
            }],
            item_ids: vec![9, 9, 4],
        }
    }

    #[test]
    fn a_consultation_is_cross_department_and_after_the_fact() {
        let ok = meeting().check(d(6, 2)).unwrap();
        assert_eq!(ok.title, "精密铜带项目用电增容会商");
        assert_eq!(ok.department_ids, vec![2, 3]);
        assert_eq!(ok.item_ids, vec![4, 9]);
        assert_eq!(ok.follow_ups[0].done_on, None, "done only when reported");

        let e = meeting().check(d(5, 31)).unwrap_err();
        assert_eq!(e.field, "held_on");
        let mut one = meeting();
        one.department_ids = vec![3, 3];
        assert_eq!(one.check(d(6, 2)).unwrap_err().field, "department_ids");
        let mut early = meeting();
        early.follow_ups[0].due = d(5, 1);
        assert_eq!(early.check(d(6, 2)).unwrap_err().field, "follow_ups[0].due");
        let mut blank = meeting();
        blank.decisions = "  ".into();
        assert_eq!(blank.check(d(6, 2)).unwrap_err().field, "decisions");
    }

    #[test]
    fn follow_ups_are_ticked_off_once() {
        let ok = meeting().check(d(6, 2)).unwrap();
        let c = Consultation {
            id: 1,
            form: ok.form,
            title: ok.title,
            held_on: ok.held_on,
            level: ok.level,
            attendees: ok.attendees,
            department_ids: ok.department_ids,
            decisions: ok.decisions,
            follow_ups: ok.follow_ups,
            item_ids: ok.item_ids,
            region_id: 1,
            recorded_by: "管家".into(),
            created_at: Utc::now(),
            version: 1,
        };
        assert_eq!(c.late_follow_ups(d(6, 30)), 0);
        assert_eq!(c.late_follow_ups(d(7, 1)), 1);
        let done = finish(&c.follow_ups, 0, d(6, 20)).unwrap();
        assert_eq!(done[0].done_on, Some(d(6, 20)));
        assert_eq!(finish(&done, 0, d(6, 21)).unwrap_err().field, "index");
        assert_eq!(finish(&done, 5, d(6, 21)).unwrap_err().field, "index");
    }
}
