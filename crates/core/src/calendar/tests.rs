//! The calendar against the State Council's notices for 2024, 2025 and 2026, day by day: the
//! expected days off and days worked are written here from the notices' own words, independently
//! of the built-in table.

use super::*;
use chrono::Datelike;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Every day of `year`: worked unless a weekend or in `off`, and worked if in `on`.
fn check_year(cal: &Calendar, year: i32, off: &[(u32, u32, u32, u32)], on: &[(u32, u32)]) {
    let mut day = d(year, 1, 1);
    let mut worked_days = 0;
    while day.year() == year {
        let in_off = off
            .iter()
            .any(|&(m1, d1, m2, d2)| day >= d(year, m1, d1) && day <= d(year, m2, d2));
        let in_on = on.iter().any(|&(m, dd)| day == d(year, m, dd));
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let expected = in_on || (!weekend && !in_off);
        assert_eq!(cal.is_workday(day), Ok(expected), "{day}");
        worked_days += usize::from(expected);
        day = day.succ_opt().unwrap();
    }
    // The year's working days, counted from 31 December of the year before.
    let prev = d(year - 1, 12, 31);
    assert_eq!(
        cal.workdays_between(prev, d(year, 12, 31)),
        Ok(worked_days as i64),
        "{year}"
    );
}

#[test]
fn notice_2024() {
    // 元旦 1月1日；春节 2月10日至17日（2月4日、18日上班）；清明 4月4日至6日（4月7日上班）；
    // 劳动节 5月1日至5日（4月28日、5月11日上班）；端午 6月10日；中秋 9月15日至17日（9月14日上班）；
    // 国庆 10月1日至7日（9月29日、10月12日上班）。
    let cal = Calendar::builtin();
    check_year(
        &cal,
        2024,
        &[
            (1, 1, 1, 1),
            (2, 10, 2, 17),
            (4, 4, 4, 6),
            (5, 1, 5, 5),
            (6, 10, 6, 10),
            (9, 15, 9, 17),
            (10, 1, 10, 7),
        ],
        &[
            (2, 4),
            (2, 18),
            (4, 7),
            (4, 28),
            (5, 11),
            (9, 14),
            (9, 29),
            (10, 12),
        ],
    );
}

#[test]
fn notice_2025() {
    // 元旦 1月1日；春节 1月28日至2月4日（1月26日、2月8日上班）；清明 4月4日至6日；
    // 劳动节 5月1日至5日（4月27日上班）；端午 5月31日至6月2日；
    // 国庆、中秋 10月1日至8日（9月28日、10月11日上班）。
    let cal = Calendar::builtin();
    check_year(
        &cal,
        2025,
        &[
            (1, 1, 1, 1),
            (1, 28, 2, 4),
            (4, 4, 4, 6),
            (5, 1, 5, 5),
            (5, 31, 6, 2),
            (10, 1, 10, 8),
        ],
        &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
    );
}

#[test]
fn notice_2026() {
    // DESIGN.md §3: 元旦 Jan 1–3 (Jan 4 worked), 春节 Feb 15–23 (Feb 14 and 28 worked),
    // 清明 Apr 4–6, 劳动 May 1–5 (May 9 worked), 端午 Jun 19–21, 中秋 Sep 25–27,
    // 国庆 Oct 1–7 (Sep 20 and Oct 10 worked).
    let cal = Calendar::builtin();
    check_year(
        &cal,
        2026,
        &[
            (1, 1, 1, 3),
            (2, 15, 2, 23),
            (4, 4, 4, 6),
            (5, 1, 5, 5),
            (6, 19, 6, 21),
            (9, 25, 9, 27),
            (10, 1, 10, 7),
        ],
        &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
    );
    assert_eq!(cal.holiday(d(2026, 2, 17)), Some("春节"));
}

#[test]
fn every_built_in_year_is_consistent() {
    let all = builtin();
    assert_eq!(all.first().map(|y| y.year), Some(2004));
    assert_eq!(all.last().map(|y| y.year), Some(2026));
    assert_eq!(all.len(), 23);
    for y in &all {
        y.check().unwrap_or_else(|e| panic!("{}: {}", y.year, e.en));
    }
    // 2008 onwards have 清明、端午、中秋; the 2015 notice added 3 September
    let cal = Calendar::builtin();
    assert_eq!(
        cal.holiday(d(2015, 9, 3)),
        Some("中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日")
    );
    assert_eq!(cal.is_workday(d(2015, 9, 6)), Ok(true));
    assert_eq!(
        cal.is_workday(d(2007, 5, 7)),
        Ok(false),
        "the 2007 May golden week"
    );
}

#[test]
fn adding_working_days_skips_weekends_and_holidays_and_counts_make_up_days() {
    let cal = Calendar::builtin();
    // The start day is not counted.
    assert_eq!(cal.add_workdays(d(2026, 11, 23), 1), Ok(d(2026, 11, 24)));
    assert_eq!(
        cal.add_workdays(d(2026, 11, 20), 1),
        Ok(d(2026, 11, 23)),
        "Friday + 1 is Monday"
    );
    assert_eq!(cal.add_workdays(d(2026, 11, 23), 0), Ok(d(2026, 11, 23)));
    // Across the Spring Festival: Feb 13 (Fri) + 1 = Feb 14 (Sat, worked); + 2 = Feb 24.
    assert_eq!(cal.add_workdays(d(2026, 2, 13), 1), Ok(d(2026, 2, 14)));
    assert_eq!(cal.add_workdays(d(2026, 2, 13), 2), Ok(d(2026, 2, 24)));
    // From a holiday: the first working day after it counts as one.
    assert_eq!(cal.add_workdays(d(2026, 2, 16), 1), Ok(d(2026, 2, 24)));
    // 20 working days from the National Day eve: Oct 8, 9, 10 (a worked Saturday), then three
    // full weeks, then Nov 2 and 3.
    assert_eq!(cal.add_workdays(d(2026, 9, 30), 20), Ok(d(2026, 11, 3)));
    assert_eq!(cal.workdays_between(d(2026, 9, 30), d(2026, 11, 3)), Ok(20));
    assert_eq!(
        cal.workdays_between(d(2026, 11, 3), d(2026, 9, 30)),
        Ok(-20)
    );
    // Over a year boundary.
    assert_eq!(
        cal.add_workdays(d(2025, 12, 31), 1),
        Ok(d(2026, 1, 4)),
        "a worked Sunday"
    );
}

#[test]
fn unknown_years_and_absurd_counts_are_errors() {
    let cal = Calendar::builtin();
    // the two years after the last notice are computed from the law, and say so
    assert_eq!(cal.is_workday(d(2027, 3, 1)), Ok(true));
    assert_eq!(cal.is_workday(d(2027, 2, 5)), Ok(false), "除夕 2027");
    assert!(cal.is_provisional(2027) && cal.is_provisional(2028));
    assert!(!cal.is_provisional(2026));
    assert_eq!(cal.years().last(), Some(&2026), "the notices");
    assert_eq!(
        cal.provisional_between(d(2026, 12, 30), d(2027, 1, 6)),
        Some(2027)
    );
    assert_eq!(
        cal.add_workdays(d(2026, 12, 30), 5),
        Ok(d(2027, 1, 7)),
        "元旦 2027 off, no make-up day yet"
    );
    assert_eq!(
        cal.is_workday(d(2029, 3, 1)),
        Err(CalendarError::UnknownYear(2029))
    );
    assert_eq!(
        cal.is_workday(d(2003, 3, 1)),
        Err(CalendarError::UnknownYear(2003))
    );
    assert_eq!(
        cal.add_workdays(d(2028, 12, 28), 5),
        Err(CalendarError::UnknownYear(2029))
    );
    assert_eq!(
        cal.add_workdays(d(2026, 1, 5), -1),
        Err(CalendarError::BadCount(-1))
    );
    assert_eq!(
        cal.add_workdays(d(2026, 1, 5), 100_000),
        Err(CalendarError::BadCount(100_000))
    );
    assert!(
        CalendarError::UnknownYear(2027)
            .text()
            .zh
            .contains("2027年")
    );
    // a gap in the years is unknown too
    let mut years = builtin();
    years.retain(|y| y.year != 2010);
    let cal = Calendar::new(&years);
    assert_eq!(
        cal.is_workday(d(2010, 6, 1)),
        Err(CalendarError::UnknownYear(2010))
    );
    assert_eq!(cal.is_workday(d(2011, 6, 1)), Ok(true));
}

#[test]
fn a_later_year_can_be_added() {
    let mut years = builtin();
    years.push(YearArrangement {
        year: 2027,
        holidays: vec![Holiday {
            date: d(2027, 1, 1),
            name: "元旦".into(),
        }],
        workdays: vec![],
    });
    let cal = Calendar::new(&years);
    assert_eq!(cal.is_workday(d(2027, 1, 1)), Ok(false));
    assert_eq!(cal.add_workdays(d(2026, 12, 31), 1), Ok(d(2027, 1, 4)));
    let bad = YearArrangement {
        year: 2027,
        holidays: vec![],
        workdays: vec![d(2027, 1, 6)],
    };
    assert!(bad.check().unwrap_err().zh.contains("不是周末"));
}

#[test]
fn applications_after_closing_count_from_the_next_working_day() {
    let cal = Calendar::builtin();
    let closes = parse_time("17:00").unwrap();
    let at = |y, m, dd, h, mi| d(y, m, dd).and_hms_opt(h, mi, 0).unwrap();
    assert_eq!(
        cal.received_day(at(2026, 11, 23, 16, 59), closes),
        Ok(d(2026, 11, 23))
    );
    assert_eq!(
        cal.received_day(at(2026, 11, 23, 17, 0), closes),
        Ok(d(2026, 11, 24))
    );
    assert_eq!(
        cal.received_day(at(2026, 11, 21, 10, 0), closes),
        Ok(d(2026, 11, 23)),
        "a Saturday"
    );
    assert_eq!(
        cal.received_day(at(2026, 2, 14, 10, 0), closes),
        Ok(d(2026, 2, 14)),
        "a worked Saturday"
    );
}
