//! A case's clock: statutory and promised deadlines in working days from acceptance, moved on by
//! special procedures (the clock stands still) and by an approved extension; the time used and
//! left; the supervision light. The start day is not counted.

use super::{Case, CaseState, CaseStep, ExtensionState, StepState};
use crate::calendar::{Calendar, CalendarError};
use crate::supervision::lights::{LightRule, light_dates};
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

vocabulary!(
    /// 电子监察 lights: green on time, yellow near the deadline, red overdue.
    Light {
        Green = ("green", "正常", "on time"),
        Yellow = ("yellow", "临近超期", "near deadline"),
        Red = ("red", "已超期", "overdue"),
    }
);

impl Light {
    /// The light with `left` working days to the deadline (negative: past it).
    pub fn of(left: i64, yellow_days: i64) -> Light {
        if left < 0 {
            Light::Red
        } else if left <= yellow_days {
            Light::Yellow
        } else {
            Light::Green
        }
    }
}

/// Extension days that count: only an approved extension moves the deadlines.
pub fn extension_days(case: &Case) -> i64 {
    case.extension
        .as_ref()
        .filter(|e| e.state == ExtensionState::Approved)
        .map_or(0, |e| e.days)
}

/// The statutory and promised deadlines as of the last ended pause: what is stored with the
/// case. Each is `None` when it falls in a year the calendar does not know yet.
pub fn dues(case: &Case, cal: &Calendar) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let Some(base) = case.accepted_on else {
        return (None, None);
    };
    let extra = case.paused_days + extension_days(case);
    (
        cal.add_workdays(base, case.statutory_days + extra).ok(),
        cal.add_workdays(base, case.promised_days + extra).ok(),
    )
}

/// The working days an open pause has lasted by `today` (the start day not counted).
fn open_pause_days(case: &Case, cal: &Calendar, today: NaiveDate) -> Result<i64, CalendarError> {
    match case.paused_since {
        Some(since) if today > since => cal.workdays_between(since, today),
        _ => Ok(0),
    }
}

/// Everything a page shows about a case's time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ClockView {
    pub accepted_on: Option<NaiveDate>,
    pub statutory_due: Option<NaiveDate>,
    pub promised_due: Option<NaiveDate>,
    pub delivery_due: Option<NaiveDate>,
    /// Working days used, pauses excluded.
    pub used_days: i64,
    pub promised_left: Option<i64>,
    pub statutory_left: Option<i64>,
    pub paused: bool,
    /// Working days the clock has stood still, the open pause included.
    pub paused_days: i64,
    pub extension_days: i64,
    /// None when the clock is not running (before acceptance, after the case ended).
    pub light: Option<Light>,
    /// For a decided case: whether the decision came by the promised deadline.
    pub on_time: Option<bool>,
    /// Why a figure is missing (a year without calendar data).
    pub problem: Option<String>,
}

pub fn view(case: &Case, cal: &Calendar, today: NaiveDate, rule: LightRule) -> ClockView {
    let mut v = ClockView {
        accepted_on: case.accepted_on,
        statutory_due: case.statutory_due,
        promised_due: case.promised_due,
        delivery_due: case.delivery_due,
        used_days: 0,
        promised_left: None,
        statutory_left: None,
        paused: case.paused_since.is_some(),
        paused_days: case.paused_days,
        extension_days: extension_days(case),
        light: None,
        on_time: None,
        problem: None,
    };
    if let Err(e) = fill(&mut v, case, cal, today, rule) {
        v.problem = Some(e.text().zh.into_owned());
    }
    v
}

fn fill(
    v: &mut ClockView,
    case: &Case,
    cal: &Calendar,
    today: NaiveDate,
    rule: LightRule,
) -> Result<(), CalendarError> {
    let Some(base) = case.accepted_on else {
        return Ok(());
    };
    let end = case.decided_on.unwrap_or(today).max(base);
    let open = if case.decided_on.is_none() {
        open_pause_days(case, cal, today)?
    } else {
        0
    };
    v.paused_days = case.paused_days + open;
    let extra = v.paused_days + v.extension_days;
    // Each deadline on its own: a promised one this year still shows when the statutory one
    // falls in a year without calendar data.
    let promised = cal.add_workdays(base, case.promised_days + extra);
    let statutory = cal.add_workdays(base, case.statutory_days + extra);
    v.promised_due = promised.as_ref().ok().copied();
    v.statutory_due = statutory.as_ref().ok().copied();
    if let Err(e) = statutory.and(promised) {
        v.problem = Some(e.text().zh.into_owned());
    }
    v.used_days = (cal.workdays_between(base, end)? - v.paused_days).max(0);
    let promised_left = case.promised_days + v.extension_days - v.used_days;
    let statutory_left = case.statutory_days + v.extension_days - v.used_days;
    v.promised_left = Some(promised_left);
    v.statutory_left = Some(statutory_left);
    match case.state {
        CaseState::Reviewing if v.paused => {}
        CaseState::Reviewing => {
            let threshold = rule.threshold(case.promised_days + v.extension_days);
            // Against the earlier deadline's date, so that the day after it is red even when
            // it is a rest day (as for steps and delivery); by the counts when a deadline falls
            // in a year the calendar does not know.
            let due = match (v.promised_due, v.statutory_due) {
                (Some(p), Some(s)) => Some(p.min(s)),
                _ => None,
            };
            let left = match due {
                Some(due) => days_left(cal, today, due)?,
                None => promised_left.min(statutory_left),
            };
            v.light = Some(Light::of(left, threshold));
        }
        CaseState::Decided | CaseState::Concluded => {
            v.on_time = Some(promised_left >= 0);
            if let Some(due) = case.delivery_due {
                let left = days_left(cal, today, due)?;
                v.light = Some(Light::of(left, rule.threshold(case.delivery_days)));
            }
        }
        CaseState::Delivered => v.on_time = Some(promised_left >= 0),
        _ => {}
    }
    Ok(())
}

/// Working days from `day` to the deadline `due` (the light's measure): those after `day` up to
/// and including `due`; once past it, minus the working days since, and at least minus one, so
/// that a rest day after the deadline is already overdue.
pub fn days_left(cal: &Calendar, day: NaiveDate, due: NaiveDate) -> Result<i64, CalendarError> {
    Ok(if day <= due {
        cal.workdays_between(day, due)?
    } else {
        -cal.workdays_between(due, day)?.max(1)
    })
}

/// The days a case's running clock turns yellow and red, as `view` would show them, or
/// `(None, None)` when no clock runs: while under review (not paused) against the earlier of its
/// deadlines, once decided against its delivery deadline.
pub fn light_days(
    case: &Case,
    cal: &Calendar,
    rule: LightRule,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let (due, limit) = match case.state {
        CaseState::Reviewing if case.paused_since.is_none() => {
            let due = match (case.promised_due, case.statutory_due) {
                (Some(p), Some(s)) => Some(p.min(s)),
                (p, s) => p.or(s),
            };
            (due, case.promised_days + extension_days(case))
        }
        CaseState::Decided | CaseState::Concluded => (case.delivery_due, case.delivery_days),
        _ => (None, 0),
    };
    match due.map(|d| light_dates(cal, d, rule.threshold(limit))) {
        Some(Ok(d)) => (Some(d.yellow_from), Some(d.red_from)),
        _ => (None, None),
    }
}

/// The first day an active review step is over its own limit, the earliest of them; `None`
/// while no step is active (or none has a deadline the calendar can place).
pub fn step_red_day(steps: &[CaseStep]) -> Option<NaiveDate> {
    steps
        .iter()
        .filter(|s| s.state == StepState::Active)
        .filter_map(|s| s.due.and_then(|d| d.succ_opt()))
        .min()
}

/// Sets the days a case's lights change (the case's and its steps'), as they follow from its
/// state now: after every action and when the calendar or the light rule changed.
pub fn relight(d: &mut super::Dossier, cal: &Calendar, rule: LightRule) {
    (d.case.yellow_on, d.case.red_on) = light_days(&d.case, cal, rule);
    d.case.step_red_on = if d.case.state == CaseState::Reviewing && d.case.paused_since.is_none() {
        step_red_day(&d.steps)
    } else {
        None
    };
}

/// A step's light: red once past its own limit, even when the whole case is on time.
pub fn step_light(
    step: &CaseStep,
    cal: &Calendar,
    today: NaiveDate,
    rule: LightRule,
) -> Option<Light> {
    let due = step.due?;
    let at = match step.state {
        StepState::Active => today,
        StepState::Done => step.finished_on?,
        StepState::Waiting => return None,
    };
    let left = days_left(cal, at, due).ok()?;
    if step.state == StepState::Done {
        return Some(if left < 0 { Light::Red } else { Light::Green });
    }
    Some(Light::of(left, rule.threshold(step.days)))
}
