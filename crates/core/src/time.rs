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

#[cfg(test)]
mod tests {
    use super::*;
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
