//! The working-day calendar (工作日): statutory holidays and make-up working days (调休) by year,
//! with a working-day index that answers every question in constant time. The years after the
//! last published notice are computed from the law (`provisional`), every answer that reads them
//! marked 暂定, until their notice is entered; a date before the first notice, or further ahead,
//! is an error, never a guess.

pub mod data;
pub mod provisional;

use crate::i18n::Text;
use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// One year's arrangement: the days off that would otherwise be worked (with the holiday's
/// name; weekends inside a holiday period may be listed too) and the weekend days worked instead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct YearArrangement {
    pub year: i32,
    pub holidays: Vec<Holiday>,
    pub workdays: Vec<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

/// The built-in arrangements, 2004–2026, from the State Council's notices.
pub fn builtin() -> Vec<YearArrangement> {
    data::NOTICES
        .iter()
        .map(|n| {
            let mut holidays = Vec::new();
            for &(m, d, len, name) in n.off {
                if let Some(start) = NaiveDate::from_ymd_opt(n.year, m, d) {
                    for k in 0..len {
                        if let Some(date) = start.checked_add_days(chrono::Days::new(u64::from(k)))
                        {
                            holidays.push(Holiday {
                                date,
                                name: data::HOLIDAY_NAMES[name].to_string(),
                            });
                        }
                    }
                }
            }
            let workdays =
                n.on.iter()
                    .filter_map(|&(m, d)| NaiveDate::from_ymd_opt(n.year, m, d))
                    .collect();
            YearArrangement {
                year: n.year,
                holidays,
                workdays,
            }
        })
        .collect()
}

impl YearArrangement {
    /// Checks that every date lies in the year, that a day is not both off and worked, and that
    /// make-up working days fall on weekends.
    pub fn check(&self) -> Result<(), Text> {
        if !(2000..=2100).contains(&self.year) {
            return Err(Text::new(
                format!("年份{}不在2000到2100之间", self.year),
                format!("year {} is outside 2000–2100", self.year),
            ));
        }
        for h in &self.holidays {
            if h.date.year() != self.year
                && !(h.date.year() == self.year - 1 && h.date.month() == 12)
            {
                return Err(Text::new(
                    format!("放假日期{}不属于{}年", h.date, self.year),
                    format!("holiday {} is not in {}", h.date, self.year),
                ));
            }
            if self.workdays.contains(&h.date) {
                return Err(Text::new(
                    format!("{}既是放假日又是调休上班日", h.date),
                    format!("{} is both off and worked", h.date),
                ));
            }
            if h.name.trim().is_empty() {
                return Err(Text::new(
                    format!("{}缺少节日名称", h.date),
                    format!("{} has no holiday name", h.date),
                ));
            }
        }
        for w in &self.workdays {
            if !matches!(w.weekday(), Weekday::Sat | Weekday::Sun) {
                return Err(Text::new(
                    format!("调休上班日{}不是周末", w),
                    format!("make-up working day {w} is not a weekend day"),
                ));
            }
        }
        Ok(())
    }
}

/// Why a calendar question has no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("no holiday arrangement for {0}")]
    UnknownYear(i32),
    #[error("bad day count {0}")]
    BadCount(i64),
}

impl CalendarError {
    pub fn text(&self) -> Text {
        match self {
            CalendarError::UnknownYear(y) => Text::new(
                format!("{y}年的节假日安排尚未录入，无法计算工作日"),
                format!(
                    "the holiday arrangement for {y} has not been entered; working days cannot be computed"
                ),
            ),
            CalendarError::BadCount(n) => Text::new(
                format!("工作日数{n}不合理（应在0到3650之间）"),
                format!("{n} is not a sensible number of working days (0 to 3650)"),
            ),
        }
    }
}

/// The most working days any one computation may add: ten years.
pub const MAX_DAYS: i64 = 3650;

/// How many years after the last published notice the calendar reaches by the law alone.
pub const PROVISIONAL_YEARS: i32 = 2;

/// A calendar over a run of known years, with a working-day index.
#[derive(Clone, Debug)]
pub struct Calendar {
    base: NaiveDate,
    /// Years with their notice; a gap in the run is an unknown year.
    known: Vec<bool>,
    /// Years after the last notice, computed from the law (暂定).
    provisional: Vec<bool>,
    first_year: i32,
    /// `worked[i]`: day `base + i` is a working day.
    worked: Vec<bool>,
    /// `cum[i]`: working days in `[base, base + i]`.
    cum: Vec<u32>,
    /// Day numbers of the working days, in order: the index for adding days.
    workdays: Vec<u32>,
    names: HashMap<NaiveDate, String>,
}

impl Calendar {
    /// A calendar from arrangements (duplicates: the last wins). Years between the first and the
    /// last that have no arrangement stay unknown.
    pub fn new(years: &[YearArrangement]) -> Calendar {
        let mut by_year: BTreeMap<i32, &YearArrangement> = BTreeMap::new();
        for y in years {
            by_year.insert(y.year, y);
        }
        let first_year = by_year.keys().next().copied().unwrap_or(2000);
        let noticed = by_year.keys().next_back().copied();
        // The years after the last notice, by the law, until their notices come.
        let ahead: Vec<YearArrangement> = noticed
            .map(|last| {
                (last + 1..=last + PROVISIONAL_YEARS)
                    .map(provisional::arrangement)
                    .collect()
            })
            .unwrap_or_default();
        for y in &ahead {
            by_year.insert(y.year, y);
        }
        let last_year = by_year.keys().next_back().copied().unwrap_or(2000);
        let base = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or_default();
        let end = NaiveDate::from_ymd_opt(last_year, 12, 31).unwrap_or_default();
        let n = usize::try_from((end - base).num_days() + 1).unwrap_or(0);
        let mut off: HashMap<NaiveDate, String> = HashMap::new();
        let mut on: Vec<NaiveDate> = Vec::new();
        for y in by_year.values() {
            for h in &y.holidays {
                off.insert(h.date, h.name.clone());
            }
            on.extend(&y.workdays);
        }
        let mut worked = Vec::with_capacity(n);
        let mut cum = Vec::with_capacity(n);
        let mut workdays = Vec::new();
        let mut count = 0u32;
        for i in 0..n {
            let d = base + chrono::Duration::days(i as i64);
            let w = on.contains(&d)
                || (!matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !off.contains_key(&d));
            if w {
                count += 1;
                workdays.push(i as u32);
            }
            worked.push(w);
            cum.push(count);
        }
        let provisional: Vec<bool> = (first_year..=last_year)
            .map(|y| noticed.is_some_and(|n| y > n))
            .collect();
        let known = (first_year..=last_year)
            .map(|y| by_year.contains_key(&y))
            .collect();
        Calendar {
            base,
            known,
            provisional,
            first_year,
            worked,
            cum,
            workdays,
            names: off,
        }
    }

    /// The built-in calendar, 2004–2026.
    pub fn builtin() -> Calendar {
        Calendar::new(&builtin())
    }

    /// The years with their notice.
    pub fn years(&self) -> Vec<i32> {
        self.known
            .iter()
            .zip(&self.provisional)
            .enumerate()
            .filter(|(_, (k, p))| **k && !**p)
            .map(|(i, _)| self.first_year + i as i32)
            .collect()
    }

    /// Whether `year` is computed from the law, its notice not yet entered (暂定).
    pub fn is_provisional(&self, year: i32) -> bool {
        usize::try_from(year - self.first_year)
            .ok()
            .and_then(|i| self.provisional.get(i))
            .copied()
            .unwrap_or(false)
    }

    /// The first provisional year from `a`'s to `b`'s (either order): whether an answer that
    /// spans them is 暂定.
    pub fn provisional_between(&self, a: NaiveDate, b: NaiveDate) -> Option<i32> {
        let (lo, hi) = (a.year().min(b.year()), a.year().max(b.year()));
        (lo..=hi).find(|y| self.is_provisional(*y))
    }

    fn index(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        let y = d.year();
        let known = usize::try_from(y - self.first_year)
            .ok()
            .and_then(|i| self.known.get(i))
            .copied()
            .unwrap_or(false);
        if !known {
            return Err(CalendarError::UnknownYear(y));
        }
        usize::try_from((d - self.base).num_days()).map_err(|_| CalendarError::UnknownYear(y))
    }

    fn date(&self, i: u32) -> NaiveDate {
        self.base + chrono::Duration::days(i64::from(i))
    }

    pub fn is_workday(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.worked[self.index(d)?])
    }

    /// The holiday a day belongs to, if it is one.
    pub fn holiday(&self, d: NaiveDate) -> Option<&str> {
        self.names.get(&d).map(String::as_str)
    }

    /// The day `n` working days after `d` (the start day not counted); `n = 0` gives `d`.
    pub fn add_workdays(&self, d: NaiveDate, n: i64) -> Result<NaiveDate, CalendarError> {
        if !(0..=MAX_DAYS).contains(&n) {
            return Err(CalendarError::BadCount(n));
        }
        let i = self.index(d)?;
        if n == 0 {
            return Ok(d);
        }
        let k = self.cum[i] as usize + n as usize - 1;
        match self.workdays.get(k) {
            Some(&day) => {
                let out = self.date(day);
                self.index(out)?;
                Ok(out)
            }
            None => Err(CalendarError::UnknownYear(
                self.first_year + self.known.len() as i32,
            )),
        }
    }

    /// Working days after `a` up to and including `b` (negative when `b` is before `a`).
    pub fn workdays_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i64, CalendarError> {
        let (i, j) = (self.index(a)?, self.index(b)?);
        Ok(i64::from(self.cum[j]) - i64::from(self.cum[i]))
    }

    /// The first working day on or after `d`.
    pub fn this_or_next_workday(&self, d: NaiveDate) -> Result<NaiveDate, CalendarError> {
        if self.is_workday(d)? {
            Ok(d)
        } else {
            self.add_workdays(d, 1)
        }
    }

    /// The day an application is received: the local date if it came on a working day before
    /// closing time, otherwise the next working day. The clock runs from this day (not counted).
    pub fn received_day(
        &self,
        local: chrono::NaiveDateTime,
        closes: NaiveTime,
    ) -> Result<NaiveDate, CalendarError> {
        let d = local.date();
        if self.is_workday(d)? && local.time() < closes {
            Ok(d)
        } else {
            self.add_workdays(d, 1)
        }
    }
}

/// Parses "HH:MM".
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

#[cfg(test)]
mod tests;
