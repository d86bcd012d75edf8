//! A year's statutory days off by law, for a year whose State Council notice is not yet
//! published: 全国年节及纪念日放假办法, with the lunar dates and the 清明 solar term from the
//! Chinese calendar. Only the make-up working days (调休) wait for the notice; a calendar built
//! on these days marks every date it computes from them 暂定 (provisional).

use super::{Holiday, YearArrangement};
use chrono::NaiveDate;
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// Which version of 全国年节及纪念日放假办法 governs a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Law {
    /// 1999: 元旦 1, 春节 3 (初一至初三), 劳动节 3, 国庆 3.
    Of1999,
    /// 2007 (from 2008): 春节 3 (除夕至初二), 清明, 劳动节 1, 端午, 中秋 added.
    Of2007,
    /// 2013 (from 2014): 春节 3 (初一至初三).
    Of2013,
    /// 2024 (from 2025): 春节 4 (除夕至初三), 劳动节 2.
    Of2024,
}

fn law(year: i32) -> Law {
    match year {
        ..=2007 => Law::Of1999,
        2008..=2013 => Law::Of2007,
        2014..=2024 => Law::Of2013,
        _ => Law::Of2024,
    }
}

fn solar(d: SolarDay) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(d.get_year()).ok()?,
        u32::try_from(d.get_month()).ok()?,
        u32::try_from(d.get_day()).ok()?,
    )
}

/// The day of a lunar date in `year`'s lunar year.
fn lunar(year: i32, month: isize, day: usize) -> Option<NaiveDate> {
    let d = LunarDay::new(year as isize, month, day).ok()?;
    solar(d.get_solar_day())
}

/// The statutory days off of `year` by the law then in force, in date order, with the
/// holiday's name. Days only: weekends and the notice's make-up days are the calendar's.
pub fn statutory_days(year: i32) -> Vec<Holiday> {
    let law = law(year);
    let mut out: Vec<(NaiveDate, &str)> = Vec::new();
    let mut add = |d: Option<NaiveDate>, name: &'static str| {
        if let Some(d) = d {
            out.push((d, name));
        }
    };
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    add(ymd(1, 1), "元旦");
    // 春节 counts from 正月初一; 除夕 is the day before it.
    if let Some(new_year) = lunar(year, 1, 1) {
        let spring: &[i64] = match law {
            Law::Of1999 | Law::Of2013 => &[0, 1, 2],
            Law::Of2007 => &[-1, 0, 1],
            Law::Of2024 => &[-1, 0, 1, 2],
        };
        for k in spring {
            add(
                new_year.checked_add_signed(chrono::Duration::days(*k)),
                "春节",
            );
        }
    }
    if law != Law::Of1999 {
        let qingming = SolarTerm::new(year as isize, "清明").ok();
        add(qingming.and_then(|t| solar(t.get_solar_day())), "清明节");
        add(lunar(year, 5, 5), "端午节");
        add(lunar(year, 8, 15), "中秋节");
    }
    let labour: &[u32] = match law {
        Law::Of1999 => &[1, 2, 3],
        Law::Of2007 | Law::Of2013 => &[1],
        Law::Of2024 => &[1, 2],
    };
    for d in labour {
        add(ymd(5, *d), "劳动节");
    }
    for d in [1, 2, 3] {
        add(ymd(10, d), "国庆节");
    }
    out.sort_by_key(|(d, _)| *d);
    out.into_iter()
        .map(|(date, name)| Holiday {
            date,
            name: name.to_string(),
        })
        .collect()
}

/// A provisional arrangement for `year`: its statutory days off, no make-up working days.
pub fn arrangement(year: i32) -> YearArrangement {
    YearArrangement {
        year,
        holidays: statutory_days(year),
        workdays: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use chrono::Datelike;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // The rule against every published notice: each statutory day it gives is a day off that
    // year, whatever make-up days the notice added around it.
    #[test]
    fn every_statutory_day_is_off_in_its_years_notice() {
        let cal = Calendar::builtin();
        for year in 2004..=2026 {
            let days = statutory_days(year);
            let expected = match law(year) {
                Law::Of1999 => 10,
                Law::Of2007 | Law::Of2013 => 11,
                Law::Of2024 => 13,
            };
            // (中秋 may fall on 国庆, as in 2009 and 2020: one day, two holidays)
            assert_eq!(days.len(), expected, "{year}: {days:?}");
            for h in &days {
                assert_eq!(h.date.year(), year, "{year}: {h:?}");
                assert_eq!(
                    cal.is_workday(h.date),
                    Ok(false),
                    "{year}: {} {} is worked in the notice",
                    h.date,
                    h.name
                );
            }
        }
    }

    #[test]
    fn the_lunar_and_solar_term_days_are_the_known_ones() {
        let on = |year, name: &str| {
            statutory_days(year)
                .into_iter()
                .filter(|h| h.name == name)
                .map(|h| h.date)
                .collect::<Vec<_>>()
        };
        // 2026: 除夕 16 February, 清明 5 April, 端午 19 June, 中秋 25 September
        assert_eq!(
            on(2026, "春节"),
            vec![
                d(2026, 2, 16),
                d(2026, 2, 17),
                d(2026, 2, 18),
                d(2026, 2, 19)
            ]
        );
        assert_eq!(on(2026, "清明节"), vec![d(2026, 4, 5)]);
        assert_eq!(on(2026, "端午节"), vec![d(2026, 6, 19)]);
        assert_eq!(on(2026, "中秋节"), vec![d(2026, 9, 25)]);
        // 2027: 正月初一 6 February, 清明 5 April, 端午 9 June, 中秋 15 September
        assert_eq!(on(2027, "春节")[1], d(2027, 2, 6));
        assert_eq!(on(2027, "清明节"), vec![d(2027, 4, 5)]);
        assert_eq!(on(2027, "端午节"), vec![d(2027, 6, 9)]);
        assert_eq!(on(2027, "中秋节"), vec![d(2027, 9, 15)]);
        assert_eq!(on(2027, "劳动节"), vec![d(2027, 5, 1), d(2027, 5, 2)]);
        // 2014's 春节 began on 初一 (除夕 was worked)
        assert_eq!(on(2014, "春节")[0], d(2014, 1, 31));
    }
}
