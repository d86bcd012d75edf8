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

vocabulary!(
    /// Which of a case's clocks a reading is of.
    ClockKind {
        /// 办理时限: from acceptance to the decision, while the case is under review.
        Handling = ("handling", "办理时限", "handling limit"),
        /// 送达时限: from the decision to delivery (行政许可法 art. 44).
        Delivery = ("delivery", "送达时限", "delivery limit"),
        /// 环节时限: a review step's own limit.
        Step = ("step", "环节时限", "step limit"),
    }
);

/// A clock read on a day: its deadline, the working days left to it and its light. Every page,
/// list, export and the API read a clock through [`read`], so a light and its days left never
/// disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Reading {
    pub kind: ClockKind,
    /// The last day on time.
    pub due: NaiveDate,
    /// Read through a year computed from the law, its notice not yet entered (暂定).
    pub provisional: bool,
    /// Working days from the day read to `due` (see [`days_left`]); negative once past it.
    pub left: i64,
    pub light: Light,
}

/// The one rule: a clock whose last day on time is `due`, turning yellow with `threshold`
/// working days left, read on `today`.
pub fn read(
    cal: &Calendar,
    kind: ClockKind,
    due: NaiveDate,
    threshold: i64,
    today: NaiveDate,
) -> Result<Reading, CalendarError> {
    let left = days_left(cal, today, due)?;
    Ok(Reading {
        kind,
        due,
        provisional: cal.provisional_between(today, due).is_some(),
        left,
        light: Light::of(left, threshold),
    })
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
    /// The handling clock (办理时限) read today while the case is under review, against the
    /// earlier of its deadlines; standing still (no light) while paused.
    pub handling: Option<Reading>,
    /// The delivery clock (送达时限) read today, once decided and until delivered.
    pub delivery: Option<Reading>,
    /// The handling clock's light: what supervision lists and counts. None when it is not
    /// running (before acceptance, paused, once decided).
    pub light: Option<Light>,
    /// For a decided case: whether the decision came by the promised deadline.
    pub on_time: Option<bool>,
    /// The first year its deadlines were computed through from the law alone, that year's
    /// notice not yet entered: every date shown is then 暂定.
    pub provisional: Option<i32>,
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
        handling: None,
        delivery: None,
        light: None,
        on_time: None,
        provisional: None,
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
    v.provisional = [v.promised_due, v.statutory_due, case.delivery_due]
        .into_iter()
        .flatten()
        .find_map(|due| cal.provisional_between(base, due));
    if let Err(e) = statutory.and(promised) {
        v.problem = Some(e.text().zh.into_owned());
    }
    v.used_days = (cal.workdays_between(base, end)? - v.paused_days).max(0);
    let promised_left = case.promised_days + v.extension_days - v.used_days;
    let statutory_left = case.statutory_days + v.extension_days - v.used_days;
    v.promised_left = Some(promised_left);
    v.statutory_left = Some(statutory_left);
    match case.state {
        CaseState::Reviewing => {
            let threshold = rule.threshold(case.promised_days + v.extension_days);
            // Against the earlier deadline's date, so that the day after it is red even when
            // it is a rest day (as for steps and delivery); the one known when the other falls
            // in a year the calendar does not know (as `light_days` does); by the counts when
            // neither is known.
            let due = earlier_due(v.promised_due, v.statutory_due);
            let light = match due {
                Some(due) => {
                    let r = read(cal, ClockKind::Handling, due, threshold, today)?;
                    v.handling = Some(r);
                    r.light
                }
                None => Light::of(promised_left.min(statutory_left), threshold),
            };
            if !v.paused {
                v.light = Some(light);
            }
        }
        CaseState::Decided | CaseState::Concluded => {
            v.on_time = Some(promised_left >= 0);
            if let Some(due) = case.delivery_due {
                let threshold = rule.threshold(case.delivery_days);
                v.delivery = Some(read(cal, ClockKind::Delivery, due, threshold, today)?);
            }
        }
        CaseState::Delivered => v.on_time = Some(promised_left >= 0),
        _ => {}
    }
    Ok(())
}

/// The deadline a handling clock runs to: the earlier of the promised and the statutory one, or
/// the one known.
fn earlier_due(promised: Option<NaiveDate>, statutory: Option<NaiveDate>) -> Option<NaiveDate> {
    match (promised, statutory) {
        (Some(p), Some(s)) => Some(p.min(s)),
        (p, s) => p.or(s),
    }
}

impl ClockView {
    /// The clock that runs now, if any: the handling clock under review (not while paused),
    /// the delivery clock once decided. What a list shows beside a case.
    pub fn current(&self) -> Option<Reading> {
        match (self.handling, self.delivery) {
            (Some(h), _) if !self.paused => Some(h),
            (_, Some(d)) => Some(d),
            _ => None,
        }
    }
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

/// The days a case's handling clock turns yellow and red, as `view` would show them, or
/// `(None, None)` when it does not run: supervision's lights are those of cases under review
/// (not paused), against the earlier of their deadlines. A decided case has left them: its
/// delivery clock shows on its page and in the lists of those who deliver, and a case decided
/// late is counted as such (超期办结), not lit.
pub fn light_days(
    case: &Case,
    cal: &Calendar,
    rule: LightRule,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let (due, limit) = match case.state {
        CaseState::Reviewing if case.paused_since.is_none() => {
            let due = earlier_due(case.promised_due, case.statutory_due);
            (due, case.promised_days + extension_days(case))
        }
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

/// A case's clock recomputed on another calendar (a year's notice entered, replacing the
/// provisional one) or under another light rule: its deadlines as of its last ended pause, its
/// delivery deadline once decided, and the days its light changes. Review steps keep their
/// own deadlines (a few working days each, set when the step began).
pub fn recompute(case: &Case, cal: &Calendar, rule: LightRule) -> Case {
    let mut c = case.clone();
    if c.accepted_on.is_some() {
        (c.statutory_due, c.promised_due) = dues(&c, cal);
    }
    if let Some(on) = c.decided_on {
        c.delivery_due = cal.add_workdays(on, c.delivery_days).ok();
    }
    (c.yellow_on, c.red_on) = light_days(&c, cal, rule);
    c
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

/// An active step's own clock (环节时限) read today: red once past its own limit, even when the
/// whole case is on time.
pub fn step_reading(
    step: &CaseStep,
    cal: &Calendar,
    today: NaiveDate,
    rule: LightRule,
) -> Option<Reading> {
    if step.state != StepState::Active {
        return None;
    }
    read(
        cal,
        ClockKind::Step,
        step.due?,
        rule.threshold(step.days),
        today,
    )
    .ok()
}

/// A step's light: an active step's reading; a finished one red when it finished past its own
/// limit, green otherwise.
pub fn step_light(
    step: &CaseStep,
    cal: &Calendar,
    today: NaiveDate,
    rule: LightRule,
) -> Option<Light> {
    match step.state {
        StepState::Active => step_reading(step, cal, today, rule).map(|r| r.light),
        StepState::Done => {
            let left = days_left(cal, step.finished_on?, step.due?).ok()?;
            Some(if left < 0 { Light::Red } else { Light::Green })
        }
        StepState::Waiting => None,
    }
}
