//! When a deadline's light changes. A clock is yellow once the working days left reach the
//! threshold — the larger of a number of working days (default 1) and a share of the limit
//! (default 20%, rounded up) — and red the day after its deadline. Both moments are dates, fixed
//! as long as the clock neither pauses nor gets an extension, so a stored case answers "which
//! light today" with two date comparisons: what counting a million open cases by light needs.

use crate::calendar::{Calendar, CalendarError};
use crate::case::clock::Light;
use crate::error::FieldError;
use crate::i18n::Text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// When a clock turns yellow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LightRule {
    /// Yellow with this many working days left, or fewer.
    pub yellow_days: i64,
    /// …or with this share of the limit left (percent, rounded up to whole days), if larger.
    pub yellow_percent: i64,
}

impl Default for LightRule {
    fn default() -> Self {
        LightRule {
            yellow_days: 1,
            yellow_percent: 20,
        }
    }
}

impl LightRule {
    pub fn check(self) -> Result<LightRule, FieldError> {
        if !(0..=10).contains(&self.yellow_days) {
            return Err(FieldError::new(
                "yellow_days",
                Text::fixed(
                    "临近超期天数应为0至10个工作日",
                    "yellow days must be 0 to 10",
                ),
            ));
        }
        if !(0..=50).contains(&self.yellow_percent) {
            return Err(FieldError::new(
                "yellow_percent",
                Text::fixed(
                    "临近超期比例应为0至50%",
                    "the yellow share must be 0 to 50%",
                ),
            ));
        }
        Ok(self)
    }

    /// The working days left at which a clock with a limit of `limit_days` turns yellow.
    pub fn threshold(self, limit_days: i64) -> i64 {
        let share = (limit_days.max(0) * self.yellow_percent + 99) / 100;
        self.yellow_days.max(share)
    }
}

/// The first day a running clock is yellow and the first day it is red.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct LightDates {
    pub yellow_from: NaiveDate,
    pub red_from: NaiveDate,
}

/// The light days of a clock whose last day on time is `due`, turning yellow with `threshold`
/// working days left (as `case::clock::days_left` counts them).
pub fn light_dates(
    cal: &Calendar,
    due: NaiveDate,
    threshold: i64,
) -> Result<LightDates, CalendarError> {
    let red_from = due.succ_opt().unwrap_or(due);
    // Walk back from the deadline while the day before still has no more than `threshold`
    // working days left; weekends and holidays before a working day share its count.
    let mut yellow_from = due;
    for _ in 0..(threshold.max(0) * 7 + 40) {
        let Some(before) = yellow_from.pred_opt() else {
            break;
        };
        if cal.workdays_between(before, due)? > threshold {
            break;
        }
        yellow_from = before;
    }
    Ok(LightDates {
        yellow_from,
        red_from,
    })
}

/// The light on `day` of a clock still running.
pub fn light_on(dates: LightDates, day: NaiveDate) -> Light {
    if day >= dates.red_from {
        Light::Red
    } else if day >= dates.yellow_from {
        Light::Yellow
    } else {
        Light::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The light the case clock gives on `day` for a deadline `due`, counted directly.
    fn counted(cal: &Calendar, due: NaiveDate, day: NaiveDate, threshold: i64) -> Light {
        Light::of(
            crate::case::clock::days_left(cal, day, due).unwrap(),
            threshold,
        )
    }

    #[test]
    fn the_threshold_is_the_larger_of_days_and_share() {
        let r = LightRule::default();
        assert_eq!(r.threshold(3), 1, "20% of 3 is 0.6, rounded up 1");
        assert_eq!(r.threshold(7), 2, "1.4 → 2");
        assert_eq!(r.threshold(20), 4);
        assert_eq!(r.threshold(0), 1);
        let days = LightRule {
            yellow_days: 3,
            yellow_percent: 10,
        };
        assert_eq!(days.threshold(20), 3);
        assert!(
            LightRule {
                yellow_days: 11,
                yellow_percent: 20
            }
            .check()
            .is_err()
        );
        assert_eq!(
            LightRule {
                yellow_days: 1,
                yellow_percent: 60
            }
            .check()
            .unwrap_err()
            .field,
            "yellow_percent"
        );
    }

    // Across weekends, the Spring Festival, its make-up Saturdays and the National Day week: on
    // every day, the stored dates give the light the clock counts.
    #[test]
    fn the_light_dates_agree_with_counting_on_every_day() {
        let cal = Calendar::builtin();
        let dues = [
            d(2026, 3, 2),   // a Monday: yellow from the Friday before
            d(2026, 2, 24),  // the first day after the Spring Festival holiday
            d(2026, 2, 28),  // a make-up Saturday
            d(2026, 10, 9),  // after National Day
            d(2025, 12, 31), // across the year's end
        ];
        for due in dues {
            for threshold in 0..5 {
                let dates = light_dates(&cal, due, threshold).unwrap();
                let mut day = due - chrono::Duration::days(40);
                while day <= due + chrono::Duration::days(10) {
                    assert_eq!(
                        light_on(dates, day),
                        counted(&cal, due, day, threshold),
                        "due {due}, threshold {threshold}, on {day}"
                    );
                    day = day.succ_opt().unwrap();
                }
            }
        }
    }

    #[test]
    fn a_monday_deadline_turns_yellow_on_friday_and_red_on_tuesday() {
        let cal = Calendar::builtin();
        let dates = light_dates(&cal, d(2026, 3, 9), 1).unwrap();
        assert_eq!(
            dates.yellow_from,
            d(2026, 3, 6),
            "Friday, and the weekend after it"
        );
        assert_eq!(light_on(dates, d(2026, 3, 5)), Light::Green);
        assert_eq!(light_on(dates, d(2026, 3, 8)), Light::Yellow);
        assert_eq!(light_on(dates, d(2026, 3, 10)), Light::Red);
        // Before Monday 2 March the Saturday is worked (the Spring Festival's make-up day): the
        // light turns yellow on that Saturday, and the Friday is still green.
        let dates = light_dates(&cal, d(2026, 3, 2), 1).unwrap();
        assert_eq!(dates.yellow_from, d(2026, 2, 28));
        assert_eq!(light_on(dates, d(2026, 2, 27)), Light::Green);
    }
}
