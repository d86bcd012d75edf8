//! Time limits of community problems (数字城管 / 12345): register and dispatch within minutes,
//! sign for within an hour, handle within hours or working days, per category. Minutes and hours
//! run on the wall clock; working days run on the calendar and end at the close of the last day
//! (local time), the start day not counted, as the case clocks do.

use crate::calendar::{Calendar, CalendarError};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::time::{local_date, start_of};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Minutes,
    Hours,
    WorkingDays,
}

/// A time limit: an amount of a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub amount: i64,
    pub unit: Unit,
}

impl Limit {
    pub const fn minutes(amount: i64) -> Limit {
        Limit {
            amount,
            unit: Unit::Minutes,
        }
    }

    pub const fn hours(amount: i64) -> Limit {
        Limit {
            amount,
            unit: Unit::Hours,
        }
    }

    pub const fn working_days(amount: i64) -> Limit {
        Limit {
            amount,
            unit: Unit::WorkingDays,
        }
    }

    /// Checks a limit under `field`: at least one unit, at most a week of minutes, a month of
    /// hours, or 60 working days.
    pub fn check(self, field: &str) -> Result<Limit, FieldError> {
        let max = match self.unit {
            Unit::Minutes => 7 * 24 * 60,
            Unit::Hours => 31 * 24,
            Unit::WorkingDays => 60,
        };
        if !(1..=max).contains(&self.amount) {
            return Err(FieldError::new(
                field,
                Text::new(
                    format!("时限应为1至{max}"),
                    format!("the limit must be 1 to {max}"),
                ),
            ));
        }
        Ok(self)
    }

    /// The last instant on time for something started at `start`.
    pub fn due(self, start: DateTime<Utc>, cal: &Calendar) -> Result<DateTime<Utc>, CalendarError> {
        Ok(match self.unit {
            Unit::Minutes => start + Duration::minutes(self.amount),
            Unit::Hours => start + Duration::hours(self.amount),
            Unit::WorkingDays => {
                let last = cal.add_workdays(local_date(start), self.amount)?;
                start_of(last + Duration::days(1)) - Duration::seconds(1)
            }
        })
    }

    /// "30分钟", "2小时", "5个工作日".
    pub fn text(self) -> Text {
        let n = self.amount;
        match self.unit {
            Unit::Minutes => Text::new(format!("{n}分钟"), format!("{n} min")),
            Unit::Hours => Text::new(format!("{n}小时"), format!("{n} h")),
            Unit::WorkingDays => Text::new(format!("{n}个工作日"), format!("{n} working days")),
        }
    }
}

/// The limits of the steps every event shares (DESIGN.md §3: register and dispatch within
/// 30 minutes, sign for within an hour, return within 2 working days); the handling limit is
/// the category's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StepLimits {
    pub register: Limit,
    pub dispatch: Limit,
    pub sign: Limit,
    /// A department may send an event back (wrong department) within this of its dispatch.
    pub return_within: Limit,
    /// Longest extension a dispatcher may grant, in working days.
    pub max_extension_days: i64,
}

impl Default for StepLimits {
    fn default() -> Self {
        StepLimits {
            register: Limit::minutes(30),
            dispatch: Limit::minutes(30),
            sign: Limit::hours(1),
            return_within: Limit::working_days(2),
            max_extension_days: 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        crate::time::china()
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .to_utc()
    }

    #[test]
    fn minutes_and_hours_run_on_the_clock_working_days_on_the_calendar() {
        let cal = Calendar::builtin();
        // Friday 2026-02-13, 16:50, before the Spring Festival.
        let start = local(2026, 2, 13, 16, 50);
        assert_eq!(
            Limit::minutes(30).due(start, &cal).unwrap(),
            local(2026, 2, 13, 17, 20)
        );
        assert_eq!(
            Limit::hours(1).due(start, &cal).unwrap(),
            local(2026, 2, 13, 17, 50)
        );
        // Two working days: Saturday the 14th (worked), then Tuesday the 24th after the holiday,
        // to its last second.
        let due = Limit::working_days(2).due(start, &cal).unwrap();
        assert_eq!(due, local(2026, 2, 24, 23, 59) + Duration::seconds(59));
        assert_eq!(Limit::working_days(5).text().zh, "5个工作日");
    }

    #[test]
    fn limits_are_bounded() {
        assert!(Limit::minutes(30).check("limit").is_ok());
        assert_eq!(Limit::minutes(0).check("limit").unwrap_err().field, "limit");
        assert!(Limit::working_days(61).check("limit").is_err());
        assert!(Limit::hours(744).check("limit").is_ok());
        let d = StepLimits::default();
        assert_eq!((d.register, d.sign), (Limit::minutes(30), Limit::hours(1)));
    }
}
