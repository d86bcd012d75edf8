//! Local time. The platform's "today", working days and opening hours are those of
//! Asia/Shanghai (UTC+8, no daylight saving); instants are stored in UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

/// UTC+8.
pub fn china() -> FixedOffset {
    // 8 hours is within the valid range, so the fallback is never taken.
    FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix())
}

pub fn local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&china())
}

/// The local date of an instant.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    local(t).date_naive()
}

/// The instant a local day begins (its midnight in Asia/Shanghai).
pub fn start_of(d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_time(chrono::NaiveTime::MIN);
    // UTC+8 has neither gaps nor folds, so the local midnight is one instant.
    (midnight - chrono::Duration::hours(8)).and_utc()
}

/// "2026-11-23 20:05:00", local.
pub fn display(t: DateTime<Utc>) -> String {
    local(t).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A date as notices print it: "2026年03月02日".
pub fn date_zh(d: NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

/// A day of the week as a notice or a screen says it: short in a table (周二, Tue), long on a
/// board's date line (星期二, Tuesday).
pub fn weekday(d: NaiveDate, lang: crate::Lang, long: bool) -> String {
    use chrono::Datelike;
    const ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    const EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let i = d.weekday().num_days_from_monday() as usize;
    match (lang, long) {
        (crate::Lang::Zh, true) => format!("星期{}", ZH[i]),
        (crate::Lang::Zh, false) => format!("周{}", ZH[i]),
        (crate::Lang::En, true) => EN[i].to_string(),
        (crate::Lang::En, false) => EN[i][..3].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekday_is_named_short_in_tables_and_long_on_a_board() {
        let tue = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        assert_eq!(weekday(tue, crate::Lang::Zh, false), "周二");
        assert_eq!(weekday(tue, crate::Lang::Zh, true), "星期二");
        assert_eq!(weekday(tue, crate::Lang::En, false), "Tue");
        let sun = NaiveDate::from_ymd_opt(2026, 12, 13).unwrap();
        assert_eq!(weekday(sun, crate::Lang::Zh, true), "星期日");
    }
    use chrono::TimeZone;

    #[test]
    fn a_local_day_starts_at_sixteen_hundred_utc_the_day_before() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let t = start_of(d);
        assert_eq!(t, Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap());
        assert_eq!(local_date(t), d);
        assert_eq!(
            local_date(t - chrono::Duration::seconds(1)),
            d.pred_opt().unwrap()
        );
    }

    #[test]
    fn late_utc_evening_is_the_next_local_day() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 17, 30, 0).unwrap();
        assert_eq!(
            local_date(t),
            NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
        );
        assert_eq!(display(t), "2026-11-24 01:30:00");
    }
}
