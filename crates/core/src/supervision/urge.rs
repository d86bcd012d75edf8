//! Urging (督办): a bell on a case or one of its review steps, addressed to whoever holds it now,
//! that stays until answered. Unanswered by its time limit it climbs a level: a reminder (提醒)
//! becomes a yellow card (黄牌警告) with its own limit, which becomes a red card (红牌督办) with a
//! rectification notice (整改通知) to the department's head; a red card unanswered by its limit
//! is referred to the supervision office (移交监察室), whose supervisors follow it up. The
//! warning job rings reminders when a clock turns yellow and raises the level when it turns red.

use crate::calendar::{Calendar, CalendarError};
use crate::case::{CaseState, Dossier, StepState};
use crate::error::{DomainError, FieldError};
use crate::i18n::Text;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary!(
    /// How strongly a case is urged.
    UrgeLevel {
        Reminder = ("reminder", "督办提醒", "reminder"),
        YellowCard = ("yellow_card", "黄牌警告", "yellow card"),
        RedCard = ("red_card", "红牌督办", "red card"),
    }
);

vocabulary!(
    /// Who rang the bell.
    UrgeOrigin {
        Manual = ("manual", "人工督办", "by a supervisor"),
        Yellow = ("yellow", "临近超期预警", "near-deadline warning"),
        Red = ("red", "超期报警", "overdue alarm"),
        StepRed = ("step_red", "环节超时预警", "step over its limit"),
    }
);

vocabulary!(
    UrgeState {
        Open = ("open", "待反馈", "awaiting a response"),
        Answered = ("answered", "已反馈", "answered"),
    }
);

impl UrgeLevel {
    /// The level an unanswered urge climbs to; a red card is the last.
    pub fn next(self) -> Option<UrgeLevel> {
        match self {
            UrgeLevel::Reminder => Some(UrgeLevel::YellowCard),
            UrgeLevel::YellowCard => Some(UrgeLevel::RedCard),
            UrgeLevel::RedCard => None,
        }
    }
}

/// The time limits of each level, in working days from the day it is issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgeRule {
    /// A reminder unanswered after this many working days becomes a yellow card.
    pub reminder_days: i64,
    /// A yellow card unanswered after this many becomes a red card.
    pub yellow_card_days: i64,
    /// The rectification a red card asks for is due within this many.
    pub red_card_days: i64,
}

impl Default for UrgeRule {
    fn default() -> Self {
        UrgeRule {
            reminder_days: 1,
            yellow_card_days: 2,
            red_card_days: 5,
        }
    }
}

impl UrgeRule {
    pub fn check(self) -> Result<UrgeRule, FieldError> {
        for (field, v) in [
            ("urge.reminder_days", self.reminder_days),
            ("urge.yellow_card_days", self.yellow_card_days),
            ("urge.red_card_days", self.red_card_days),
        ] {
            if !(1..=30).contains(&v) {
                return Err(FieldError::new(
                    field,
                    Text::new(
                        format!("应在1到30个工作日之间，实际为{v}"),
                        format!("must be 1 to 30 working days, got {v}"),
                    ),
                ));
            }
        }
        Ok(self)
    }

    fn days(self, level: UrgeLevel) -> i64 {
        match level {
            UrgeLevel::Reminder => self.reminder_days,
            UrgeLevel::YellowCard => self.yellow_card_days,
            UrgeLevel::RedCard => self.red_card_days,
        }
    }

    /// When an urge of `level` issued on `on` must be answered, and the day after its limit,
    /// when it climbs to the next level if it is not answered (a red card is then referred to
    /// the supervision office, 移交监察室跟踪).
    pub fn limits(
        self,
        level: UrgeLevel,
        on: NaiveDate,
        cal: &Calendar,
    ) -> Result<Limits, CalendarError> {
        let respond_by = cal.add_workdays(on, self.days(level))?;
        Ok(Limits {
            respond_by,
            escalate_on: respond_by.succ_opt(),
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub respond_by: NaiveDate,
    pub escalate_on: Option<NaiveDate>,
}

/// An urge as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Urge {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub matter_name: String,
    pub step_id: Option<i64>,
    pub step_name: Option<String>,
    /// The department that answers it, and its region (for scope).
    pub department_id: i64,
    pub region_id: i64,
    /// The person who answers it; `None`: anyone of the department.
    pub target_user_id: Option<i64>,
    pub origin: UrgeOrigin,
    pub level: UrgeLevel,
    pub message: String,
    pub respond_by: Option<NaiveDate>,
    pub escalate_on: Option<NaiveDate>,
    /// A red card's rectification notice.
    pub rectification: Option<String>,
    /// The day an unanswered red card was referred to the supervision office.
    pub referred_on: Option<NaiveDate>,
    pub state: UrgeState,
    pub issued_by: Option<i64>,
    pub issued_by_name: String,
    pub issued_at: DateTime<Utc>,
    pub response: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_by_name: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// One line of an urge's trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct UrgeLogLine {
    pub at: DateTime<Utc>,
    /// `issue`, `escalate`, `refer` or `answer`.
    pub action: String,
    pub level: UrgeLevel,
    pub actor_name: String,
    pub note: Option<String>,
}

/// Who answers for a case (or one of its steps) now: the department, and the person when one
/// is known. A step: its department and whoever claimed it. A case under review: the one active
/// step's (several active steps: each department is urged through its step); decided or
/// concluded: the clerk who took it in, who delivers; before acceptance: the department.
pub fn holder(d: &Dossier, step_id: Option<i64>) -> Result<(i64, Option<i64>), DomainError> {
    let c = &d.case;
    // A case concluded (late or not), refused, withdrawn or delivered has nothing left to hurry:
    // lateness after the fact is a figure (超期办结), not an urge.
    if c.state.is_concluded() {
        return Err(DomainError::conflict(
            "case",
            format!("办件{}已{}，无需督办", c.number, c.state.name().zh),
            format!(
                "case {} is {}: nothing to urge",
                c.number,
                c.state.name().en
            ),
        ));
    }
    if let Some(id) = step_id {
        let s = d.step(id).ok_or_else(|| {
            DomainError::Invalid(FieldError::new(
                "step_id",
                Text::fixed("该办件没有这个审批环节", "the case has no such step"),
            ))
        })?;
        if s.state != StepState::Active {
            return Err(DomainError::Invalid(FieldError::new(
                "step_id",
                Text::new(
                    format!("环节“{}”不在办理中，无需督办", s.name),
                    format!("step '{}' is not being worked on", s.name),
                ),
            )));
        }
        return Ok((s.department_id, s.assignee_id));
    }
    Ok(match c.state {
        CaseState::Reviewing => {
            let mut active = d.steps.iter().filter(|s| s.state == StepState::Active);
            match (active.next(), active.next()) {
                (Some(s), None) => (s.department_id, s.assignee_id),
                _ => (c.department_id, None),
            }
        }
        CaseState::Decided => (c.department_id, c.clerk_id),
        _ => (c.department_id, None),
    })
}

/// The supervisor's words: required, at most 500 characters.
pub fn clean_message(v: &str) -> Result<String, FieldError> {
    text::required("message", v, 500)
}

/// The answer to an urge: required, at most 2000 characters.
pub fn clean_response(v: &str) -> Result<String, FieldError> {
    text::required("response", v, 2000)
}

/// What the warning job says, by origin.
pub fn warning_message(origin: UrgeOrigin, number: &str, due: Option<NaiveDate>) -> String {
    let due = due.map(|d| d.to_string()).unwrap_or_default();
    match origin {
        UrgeOrigin::Yellow => format!("办件{number}临近办理时限（{due}），请抓紧办理"),
        UrgeOrigin::Red => format!("办件{number}已超过办理时限（{due}），请立即办理并说明原因"),
        UrgeOrigin::StepRed => format!("办件{number}的审批环节已超过环节时限（{due}），请尽快办理"),
        UrgeOrigin::Manual => format!("请加快办理办件{number}"),
    }
}

/// Who issues the system's own warnings, in every trail and on every page (系统预警).
pub const SYSTEM: &str = "系统预警";

/// The answer that marks a system warning read.
pub const READ: &str = "已阅";

/// Whether an urge may be marked read instead of answered: the system's own reminder (自动预警),
/// still open and not yet raised to a card. A supervisor's urge and every card need an answer.
pub fn may_mark_read(u: &Urge) -> bool {
    u.origin != UrgeOrigin::Manual && u.level == UrgeLevel::Reminder && u.state == UrgeState::Open
}

/// Who issued an urge, as people read it: the supervisor's name, or 系统预警 for the system's
/// own warnings (whatever account name older entries were written under).
pub fn issuer(u: &Urge) -> &str {
    if u.origin == UrgeOrigin::Manual {
        &u.issued_by_name
    } else {
        SYSTEM
    }
}

/// The note of a red card referred to the supervision office.
pub fn referral_note(respond_by: Option<NaiveDate>) -> String {
    format!(
        "红牌督办逾期未反馈（时限{}），移交监察室跟踪问责",
        respond_by.map(|d| d.to_string()).unwrap_or_default()
    )
}

/// A red card's rectification notice (整改通知).
pub fn rectification_notice(number: &str, department: &str, respond_by: NaiveDate) -> String {
    format!(
        "整改通知：办件{number}经督办仍未按时反馈，请{department}负责人于{respond_by}前组织整改，\
         查明原因、落实责任，并书面反馈整改情况。"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn levels_climb_to_a_red_card_and_stop() {
        assert_eq!(UrgeLevel::Reminder.next(), Some(UrgeLevel::YellowCard));
        assert_eq!(UrgeLevel::YellowCard.next(), Some(UrgeLevel::RedCard));
        assert_eq!(UrgeLevel::RedCard.next(), None);
    }

    #[test]
    fn limits_count_working_days_across_the_spring_festival() {
        let cal = Calendar::builtin();
        let rule = UrgeRule::default();
        // Friday 13 Feb 2026: the next working day is Saturday 14 Feb (调休), then the
        // holiday runs to the 23rd.
        let l = rule
            .limits(UrgeLevel::Reminder, day(2026, 2, 13), &cal)
            .unwrap();
        assert_eq!(l.respond_by, day(2026, 2, 14));
        assert_eq!(l.escalate_on, Some(day(2026, 2, 15)));
        let l = rule
            .limits(UrgeLevel::YellowCard, day(2026, 2, 13), &cal)
            .unwrap();
        assert_eq!(l.respond_by, day(2026, 2, 24));
        let l = rule
            .limits(UrgeLevel::RedCard, day(2026, 2, 13), &cal)
            .unwrap();
        assert_eq!(l.respond_by, day(2026, 2, 27));
        assert_eq!(
            l.escalate_on,
            Some(day(2026, 2, 28)),
            "referred the day after"
        );
    }

    #[test]
    fn rule_bounds_name_the_field() {
        let bad = UrgeRule {
            yellow_card_days: 0,
            ..UrgeRule::default()
        };
        assert_eq!(bad.check().unwrap_err().field, "urge.yellow_card_days");
        assert!(UrgeRule::default().check().is_ok());
    }

    #[test]
    fn messages_are_required_and_bounded() {
        assert_eq!(clean_message("  ").unwrap_err().field, "message");
        assert!(clean_message(&"督".repeat(501)).is_err());
        assert_eq!(clean_message(" 请今天办结 ").unwrap(), "请今天办结");
        assert_eq!(clean_response("").unwrap_err().field, "response");
    }
}
