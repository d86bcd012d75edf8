//! Whether a hall takes tickets now: on a working day of the calendar (make-up Saturdays
//! included, holidays excluded), between its opening and closing times.

use crate::calendar::{Calendar, parse_time};
use crate::i18n::Text;
use chrono::NaiveDateTime;

/// `Ok` when the hall is open at `local` (China time); otherwise why not, for the person at the
/// kiosk.
pub fn check_open(
    hall: &crate::org::Hall,
    cal: &Calendar,
    local: NaiveDateTime,
) -> Result<(), Text> {
    check_hours_open(
        &hall.opens,
        &hall.closes,
        hall.lunch_break.as_deref(),
        cal,
        local,
    )
}

/// The same for hours given as they are stored: opening, closing, the lunch break if any.
pub fn check_hours_open(
    opens: &str,
    closes: &str,
    lunch: Option<&str>,
    cal: &Calendar,
    local: NaiveDateTime,
) -> Result<(), Text> {
    let day = local.date();
    if !cal.is_workday(day).map_err(|e| e.text())? {
        return Err(match cal.holiday(day) {
            Some(h) => Text::new(
                format!("{h}假期，大厅不办理业务"),
                format!("the hall is closed for {h}"),
            ),
            None => Text::new(
                "今天是休息日，大厅不办理业务",
                "the hall is closed on rest days",
            ),
        });
    }
    let (Some(o), Some(c)) = (parse_time(opens), parse_time(closes)) else {
        return Err(Text::new(
            "大厅的办公时间设置有误",
            "the hall's opening hours are not set right",
        ));
    };
    let hours = crate::org::hours_text(opens, closes, lunch);
    if local.time() < o {
        return Err(Text::new(
            format!("大厅尚未开始办公，办公时间{hours}"),
            format!("the hall is not open yet: it is open {hours}"),
        ));
    }
    if local.time() >= c {
        return Err(Text::new(
            format!("今日办公已结束，办公时间{hours}"),
            format!("the hall has closed for today: it is open {hours}"),
        ));
    }
    if let Some((a, b)) = lunch.and_then(crate::org::parse_span)
        && local.time() >= a
        && local.time() < b
    {
        let back = b.format("%H:%M");
        return Err(Text::new(
            format!("午间休息，{back}起继续办理（办公时间{hours}）"),
            format!("lunch break: open again from {back} ({hours})"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn open_on_working_days_within_hours_and_on_make_up_saturdays() {
        let cal = Calendar::builtin();
        // Monday 2026-03-02.
        assert!(check_hours_open("08:30", "17:30", None, &cal, at(2026, 3, 2, 8, 30)).is_ok());
        assert!(check_hours_open("08:30", "17:30", None, &cal, at(2026, 3, 2, 8, 29)).is_err());
        assert!(check_hours_open("08:30", "17:30", None, &cal, at(2026, 3, 2, 17, 30)).is_err());
        // Sunday 2026-03-01 is a rest day.
        let e = check_hours_open("08:30", "17:30", None, &cal, at(2026, 3, 1, 10, 0)).unwrap_err();
        assert!(e.zh.contains("休息日"), "{}", e.zh);
        // Saturday 2026-02-14 is a make-up working day for the Spring Festival of 2026.
        assert!(check_hours_open("08:30", "17:30", None, &cal, at(2026, 2, 14, 10, 0)).is_ok());
        // 2026-02-17 is the first day of the Spring Festival.
        let e = check_hours_open("08:30", "17:30", None, &cal, at(2026, 2, 17, 10, 0)).unwrap_err();
        assert!(e.zh.contains("假期"), "{}", e.zh);
        assert!(check_hours_open("8点", "17:30", None, &cal, at(2026, 3, 2, 10, 0)).is_err());
        assert!(check_hours_open("08:30", "17:30", None, &cal, at(2099, 3, 2, 10, 0)).is_err());
    }

    #[test]
    fn closed_over_the_lunch_break() {
        let cal = Calendar::builtin();
        let lunch = Some("11:30-13:30");
        let open = |h, m| check_hours_open("08:30", "17:00", lunch, &cal, at(2026, 3, 2, h, m));
        assert!(open(11, 29).is_ok());
        let e = open(11, 30).unwrap_err();
        assert!(e.zh.contains("午间休息，13:30起继续办理"), "{}", e.zh);
        assert!(e.zh.contains("08:30–11:30、13:30–17:00"), "{}", e.zh);
        assert!(open(13, 29).is_err());
        assert!(open(13, 30).is_ok());
        let e = open(17, 0).unwrap_err();
        assert!(e.zh.contains("08:30–11:30、13:30–17:00"), "{}", e.zh);
        assert!(e.zh.contains("今日办公已结束"), "{}", e.zh);
        assert!(open(8, 0).unwrap_err().zh.contains("尚未开始办公"));
    }
}
