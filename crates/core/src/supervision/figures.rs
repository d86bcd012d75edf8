//! The figures leaders ask for (统计分析), as docs/KPIS.md defines them. Each case, called
//! ticket and rating contributes counters to the days things happened to it; the store keeps
//! their sums per day and month and per slice (a rollup), adding a write's difference — what the
//! record contributes after it minus what it contributed before — in the write's transaction.
//! A figure for any period and slice is then a sum of a few rows, and the rates follow from the
//! sums here.

use crate::case::{Case, CaseState, Channel, DeliveryMethod};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::time::local_date;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// The counters, in the order of the rollup tables' columns.
pub const COUNTERS: [&str; 18] = [
    "received",
    "online",
    "no_visit",
    "one_visit",
    "accepted",
    "concluded",
    "on_spot",
    "on_time",
    "late",
    "used_days",
    "called",
    "wait_seconds",
    "ratings",
    "rating_sum",
    "satisfied",
    "bad",
    "due",
    "due_concluded",
];

/// Sums of what happened, for a day or any period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counters {
    /// Applications received (by the day submitted).
    pub received: i64,
    /// …of them online (网上申请).
    pub online: i64,
    /// …of them with no visit in person at all (不见面).
    pub no_visit: i64,
    /// …of them with at most one visit (最多跑一次), the no-visit ones included.
    pub one_visit: i64,
    /// Cases accepted (by the day of acceptance, deemed acceptance included).
    pub accepted: i64,
    /// Cases concluded (办结, by the day concluded).
    pub concluded: i64,
    /// …of them on the spot (即办).
    pub on_spot: i64,
    /// …of them decided by the promised deadline.
    pub on_time: i64,
    /// …of them decided after it (超期办结).
    pub late: i64,
    /// Working days used by the concluded ones, summed (pauses excluded).
    pub used_days: i64,
    /// Tickets called at a window for the first time (by the ticket's day).
    pub called: i64,
    /// Their waits from the ticket to the first call, summed, in seconds.
    pub wait_seconds: i64,
    /// Ratings given (by the day rated).
    pub ratings: i64,
    /// Their levels summed (1–5).
    pub rating_sum: i64,
    /// Ratings 3 and above (基本满意 or better).
    pub satisfied: i64,
    /// Ratings 1 and 2 (差评).
    pub bad: i64,
    /// Cases accepted and neither withdrawn nor refused whose promised deadline falls on the
    /// day (应办结, by the deadline's day).
    pub due: i64,
    /// …of them concluded (by now).
    pub due_concluded: i64,
}

impl Counters {
    /// The counters in `COUNTERS` order.
    pub fn to_array(self) -> [i64; 18] {
        [
            self.received,
            self.online,
            self.no_visit,
            self.one_visit,
            self.accepted,
            self.concluded,
            self.on_spot,
            self.on_time,
            self.late,
            self.used_days,
            self.called,
            self.wait_seconds,
            self.ratings,
            self.rating_sum,
            self.satisfied,
            self.bad,
            self.due,
            self.due_concluded,
        ]
    }

    pub fn to_vec(self) -> Vec<i64> {
        self.to_array().to_vec()
    }

    /// From the columns in `COUNTERS` order (missing ones count 0).
    pub fn from_slice(v: &[i64]) -> Counters {
        let g = |i: usize| v.get(i).copied().unwrap_or(0);
        Counters {
            received: g(0),
            online: g(1),
            no_visit: g(2),
            one_visit: g(3),
            accepted: g(4),
            concluded: g(5),
            on_spot: g(6),
            on_time: g(7),
            late: g(8),
            used_days: g(9),
            called: g(10),
            wait_seconds: g(11),
            ratings: g(12),
            rating_sum: g(13),
            satisfied: g(14),
            bad: g(15),
            due: g(16),
            due_concluded: g(17),
        }
    }

    pub fn add(&mut self, o: &Counters) {
        let (a, b) = (self.to_array(), o.to_array());
        *self = Counters::from_slice(&std::array::from_fn::<i64, 18, _>(|i| a[i] + b[i]));
    }

    pub fn is_zero(&self) -> bool {
        self.to_array().iter().all(|v| *v == 0)
    }
}

/// Where a contribution is counted: the slice columns of the rollup. 0 (and "" for the
/// channel) where a record has none: a ticket has no matter, a case taken in at no window no
/// window.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dims {
    pub region_id: i64,
    pub department_id: i64,
    pub matter_id: i64,
    pub channel: String,
    pub window_id: i64,
    pub clerk_id: i64,
}

impl Dims {
    pub fn of_case(c: &Case) -> Dims {
        Dims {
            region_id: c.region_id,
            department_id: c.department_id,
            matter_id: c.matter_id,
            channel: c.channel.code().to_string(),
            window_id: c.window_id.unwrap_or(0),
            clerk_id: c.clerk_id.unwrap_or(0),
        }
    }

    /// The marginal rows a record with these columns counts in, as (column, key): one for the
    /// whole ("all", "0") and one per slice column. A rollup keeps these beside its rows by every
    /// column, so that a slice of one column sums a few rows instead of all its combinations.
    pub fn marginals(&self) -> [(&'static str, String); 7] {
        [
            ("all", "0".to_string()),
            ("region", self.region_id.to_string()),
            ("department", self.department_id.to_string()),
            ("matter", self.matter_id.to_string()),
            ("channel", self.channel.clone()),
            ("window", self.window_id.to_string()),
            ("clerk", self.clerk_id.to_string()),
        ]
    }
}

/// Visits in person an application costs its applicant: handing it in at a window, kiosk or
/// batch desk, and fetching the result at a window (unless it was handed over at the same visit,
/// on the spot). Online, agent and home-visit applications cost none to hand in.
pub fn visits(channel: Channel, delivery: DeliveryMethod, on_spot: bool) -> i64 {
    let hand_in = i64::from(matches!(
        channel,
        Channel::Window | Channel::Kiosk | Channel::Batch
    ));
    let fetch = i64::from(delivery == DeliveryMethod::Window && !(on_spot && hand_in == 1));
    hand_in + fetch
}

/// What the figures need of a case (a list reads only these columns to rebuild the rollup).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    pub dims: Dims,
    pub state: CaseState,
    pub channel: Channel,
    pub delivery: DeliveryMethod,
    pub promised_days: i64,
    pub submitted_at: DateTime<Utc>,
    pub accepted_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub promised_due: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub used_days: Option<i64>,
}

impl CaseFacts {
    pub fn of(c: &Case) -> CaseFacts {
        CaseFacts {
            dims: Dims::of_case(c),
            state: c.state,
            channel: c.channel,
            delivery: c.delivery,
            promised_days: c.promised_days,
            submitted_at: c.submitted_at,
            accepted_on: c.accepted_on,
            decided_on: c.decided_on,
            promised_due: c.promised_due,
            concluded_on: c.concluded_on,
            used_days: c.used_days,
        }
    }
}

/// What a case contributes, by day: received on the day it was submitted, accepted on the day of
/// acceptance, concluded (with its timeliness and the working days used) on the day concluded.
pub fn of_case(c: &CaseFacts) -> Vec<(NaiveDate, Counters)> {
    let mut out = Vec::new();
    let on_spot = c.promised_days == 0 && c.concluded_on.is_some();
    let v = visits(c.channel, c.delivery, on_spot);
    out.push((
        local_date(c.submitted_at),
        Counters {
            received: 1,
            online: i64::from(c.channel == Channel::Online),
            no_visit: i64::from(v == 0),
            one_visit: i64::from(v <= 1),
            ..Default::default()
        },
    ));
    if let Some(on) = c.accepted_on
        && !matches!(c.state, CaseState::Submitted | CaseState::Supplement)
    {
        out.push((
            on,
            Counters {
                accepted: 1,
                ..Default::default()
            },
        ));
    }
    // Due on its promised deadline: the cases a period's conclusion rate is over.
    if let (Some(_), Some(due)) = (c.accepted_on, c.promised_due)
        && !matches!(
            c.state,
            CaseState::Submitted
                | CaseState::Supplement
                | CaseState::Refused
                | CaseState::Withdrawn
        )
    {
        out.push((
            due,
            Counters {
                due: 1,
                due_concluded: i64::from(c.concluded_on.is_some()),
                ..Default::default()
            },
        ));
    }
    if let Some(on) = c.concluded_on {
        let on_time = match (c.decided_on, c.promised_due) {
            (Some(d), Some(due)) => d <= due,
            _ => true,
        };
        out.push((
            on,
            Counters {
                concluded: 1,
                on_spot: i64::from(on_spot),
                on_time: i64::from(on_time),
                late: i64::from(!on_time),
                used_days: c.used_days.unwrap_or(0),
                ..Default::default()
            },
        ));
    }
    out
}

/// A case concluded after its promised deadline: (the day concluded, the deadline). A period
/// that begins after the deadline and holds the conclusion counts it as carried over (结转办结):
/// due in an earlier period, concluded in this one.
pub fn carried_of(c: &CaseFacts) -> Option<(NaiveDate, NaiveDate)> {
    match (c.concluded_on, c.promised_due) {
        (Some(on), Some(due)) if due < on => Some((on, due)),
        _ => None,
    }
}

/// A ticket's first call: its wait, counted on the ticket's day.
pub fn of_call(issued_at: DateTime<Utc>, first_called_at: DateTime<Utc>) -> Counters {
    Counters {
        called: 1,
        wait_seconds: (first_called_at - issued_at).num_seconds().max(0),
        ..Default::default()
    }
}

/// A rating (1–5).
pub fn of_rating(level: i64) -> Counters {
    Counters {
        ratings: 1,
        rating_sum: level,
        satisfied: i64::from(level >= 3),
        bad: i64::from(level <= 2),
        ..Default::default()
    }
}

/// The first day of the month of `d` (the monthly rollup's key).
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// A period of days, both ends included, checked: both given, in order, at most ten years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// First and last day (or month) of a stretch, both included.
pub type Span = (NaiveDate, NaiveDate);

/// Longest period a report covers, in days.
pub const MAX_PERIOD_DAYS: i64 = 3660;

impl Period {
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Period, FieldError> {
        let from = from.ok_or_else(|| {
            FieldError::new(
                "from",
                Text::fixed("请给出统计期间的起始日", "the period needs a first day"),
            )
        })?;
        let to = to.ok_or_else(|| {
            FieldError::new(
                "to",
                Text::fixed("请给出统计期间的截止日", "the period needs a last day"),
            )
        })?;
        if from > to {
            return Err(FieldError::new(
                "to",
                Text::new(
                    format!("截止日{to}早于起始日{from}"),
                    format!("the last day {to} is before the first day {from}"),
                ),
            ));
        }
        if (to - from).num_days() >= MAX_PERIOD_DAYS {
            return Err(FieldError::new(
                "to",
                Text::fixed("统计期间最长十年", "a period is at most ten years"),
            ));
        }
        Ok(Period { from, to })
    }

    /// The whole months inside the period, and the days outside them (at either end): what
    /// the monthly and the daily rollups answer.
    pub fn split(self) -> (Option<Span>, Vec<Span>) {
        let first = if self.from.day() == 1 {
            self.from
        } else {
            next_month(self.from)
        };
        // The first day after the last whole month.
        let end = if self.to.succ_opt().is_some_and(|d| d.day() == 1) {
            next_month(self.to)
        } else {
            month_of(self.to)
        };
        if first >= end {
            return (None, vec![(self.from, self.to)]);
        }
        let mut days = Vec::new();
        if self.from < first {
            days.push((self.from, first.pred_opt().unwrap_or(first)));
        }
        if end <= self.to {
            days.push((end, self.to));
        }
        let last = month_of(end.pred_opt().unwrap_or(end));
        (Some((first, last)), days)
    }
}

/// The first day of the month after the one `d` is in.
pub fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The figures of docs/KPIS.md from the sums of a period. Rates are percentages with one
/// decimal; `None` where the denominator is 0 (shown as "—").
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct Figures {
    pub received: i64,
    pub accepted: i64,
    pub concluded: i64,
    /// Cases due in the period (应办结): their promised deadline falls in it, up to today.
    pub due: i64,
    /// …of them concluded (by now).
    pub due_concluded: i64,
    /// due_concluded ÷ due (办结率): never above 100.
    pub conclusion_rate: Option<f64>,
    /// Concluded in the period, due in an earlier one (结转办结); set by the store apart from
    /// the counters (it needs the period's first day).
    pub carried: i64,
    /// on time ÷ concluded.
    pub on_time_rate: Option<f64>,
    /// Concluded after the promised deadline.
    pub overdue: i64,
    /// Working days used ÷ concluded.
    pub avg_used_days: Option<f64>,
    /// On the spot ÷ concluded (即办率).
    pub on_spot_rate: Option<f64>,
    /// Online ÷ received (网办率).
    pub online_rate: Option<f64>,
    /// No visit ÷ received (不见面率).
    pub no_visit_rate: Option<f64>,
    /// At most one visit ÷ received (最多跑一次率).
    pub one_visit_rate: Option<f64>,
    /// Wait to the first call ÷ tickets called, in minutes.
    pub avg_wait_minutes: Option<f64>,
    /// Ratings 3–5 ÷ ratings (满意率).
    pub satisfaction_rate: Option<f64>,
    /// Ratings 1–2 ÷ ratings (差评率).
    pub bad_rate: Option<f64>,
    /// Mean level of the ratings.
    pub avg_rating: Option<f64>,
    pub ratings: i64,
    pub called: i64,
}

fn ratio(n: i64, d: i64, scale: f64) -> Option<f64> {
    (d > 0).then(|| ((n as f64) * scale / (d as f64) * 10.0).round() / 10.0)
}

impl From<Counters> for Figures {
    fn from(c: Counters) -> Figures {
        Figures {
            received: c.received,
            accepted: c.accepted,
            concluded: c.concluded,
            due: c.due,
            due_concluded: c.due_concluded,
            conclusion_rate: ratio(c.due_concluded, c.due, 100.0),
            carried: 0,
            on_time_rate: ratio(c.on_time, c.concluded, 100.0),
            overdue: c.late,
            avg_used_days: ratio(c.used_days, c.concluded, 1.0),
            on_spot_rate: ratio(c.on_spot, c.concluded, 100.0),
            online_rate: ratio(c.online, c.received, 100.0),
            no_visit_rate: ratio(c.no_visit, c.received, 100.0),
            one_visit_rate: ratio(c.one_visit, c.received, 100.0),
            avg_wait_minutes: ratio(c.wait_seconds, c.called * 60, 1.0),
            satisfaction_rate: ratio(c.satisfied, c.ratings, 100.0),
            bad_rate: ratio(c.bad, c.ratings, 100.0),
            avg_rating: ratio(c.rating_sum, c.ratings, 1.0),
            ratings: c.ratings,
            called: c.called,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_splits_into_whole_months_and_the_days_around_them() {
        let p = |a, b| Period::new(Some(a), Some(b)).unwrap().split();
        assert_eq!(
            p(day(2026, 1, 1), day(2026, 12, 31)),
            (Some((day(2026, 1, 1), day(2026, 12, 1))), vec![])
        );
        assert_eq!(
            p(day(2026, 1, 15), day(2026, 3, 10)),
            (
                Some((day(2026, 2, 1), day(2026, 2, 1))),
                vec![
                    (day(2026, 1, 15), day(2026, 1, 31)),
                    (day(2026, 3, 1), day(2026, 3, 10))
                ]
            )
        );
        assert_eq!(
            p(day(2026, 2, 3), day(2026, 2, 20)),
            (None, vec![(day(2026, 2, 3), day(2026, 2, 20))])
        );
        assert_eq!(
            p(day(2025, 12, 2), day(2026, 1, 31)),
            (
                Some((day(2026, 1, 1), day(2026, 1, 1))),
                vec![(day(2025, 12, 2), day(2025, 12, 31))]
            )
        );
        assert_eq!(
            p(day(2026, 2, 1), day(2026, 2, 28)),
            (Some((day(2026, 2, 1), day(2026, 2, 1))), vec![])
        );
    }

    #[test]
    fn periods_reversed_or_unbounded_are_refused() {
        assert_eq!(
            Period::new(None, Some(day(2026, 1, 1))).unwrap_err().field,
            "from"
        );
        assert_eq!(
            Period::new(Some(day(2026, 1, 1)), None).unwrap_err().field,
            "to"
        );
        assert_eq!(
            Period::new(Some(day(2026, 2, 1)), Some(day(2026, 1, 1)))
                .unwrap_err()
                .field,
            "to"
        );
        assert!(Period::new(Some(day(2016, 1, 1)), Some(day(2026, 12, 31))).is_err());
    }

    #[test]
    fn visits_count_hand_in_and_pick_up() {
        use Channel::*;
        use DeliveryMethod as D;
        assert_eq!(visits(Online, D::Post, false), 0);
        assert_eq!(visits(Online, D::Window, false), 1);
        assert_eq!(visits(Window, D::Window, false), 2);
        assert_eq!(
            visits(Window, D::Window, true),
            1,
            "handed over on the spot"
        );
        assert_eq!(visits(Window, D::Home, false), 1);
        assert_eq!(visits(Agent, D::Home, false), 0);
        assert_eq!(visits(HomeVisit, D::Home, false), 0);
    }

    #[test]
    fn rates_follow_the_sums_and_say_nothing_of_nothing() {
        let c = Counters {
            received: 8,
            online: 6,
            no_visit: 2,
            one_visit: 7,
            accepted: 6,
            concluded: 4,
            on_spot: 1,
            on_time: 3,
            late: 1,
            used_days: 10,
            called: 3,
            wait_seconds: 900,
            ratings: 4,
            rating_sum: 15,
            satisfied: 3,
            bad: 1,
            due: 6,
            due_concluded: 4,
        };
        let f = Figures::from(c);
        assert_eq!(f.conclusion_rate, Some(66.7));
        assert_eq!(f.on_time_rate, Some(75.0));
        assert_eq!(f.overdue, 1);
        assert_eq!(f.avg_used_days, Some(2.5));
        assert_eq!(f.on_spot_rate, Some(25.0));
        assert_eq!(f.online_rate, Some(75.0));
        assert_eq!(f.no_visit_rate, Some(25.0));
        assert_eq!(f.one_visit_rate, Some(87.5));
        assert_eq!(f.avg_wait_minutes, Some(5.0));
        assert_eq!(f.satisfaction_rate, Some(75.0));
        assert_eq!(f.bad_rate, Some(25.0));
        assert_eq!(f.avg_rating, Some(3.8));
        let none = Figures::from(Counters::default());
        assert_eq!((none.conclusion_rate, none.avg_wait_minutes), (None, None));
        let mut sum = c;
        sum.add(&c);
        assert_eq!(sum.received, 16);
        assert_eq!(Counters::from_slice(&c.to_vec()), c);
    }

    // 办结率 is over the cases due in the period, so it is a share: a backlog concluded late adds
    // to 办结数 and to 结转办结, never to the rate above 100%.
    #[test]
    fn the_conclusion_rate_is_a_share_of_the_cases_due() {
        let t = |h: u32| DateTime::from_timestamp(1_772_400_000 + i64::from(h) * 3600, 0).unwrap();
        let case =
            |accepted: NaiveDate, due: NaiveDate, concluded: Option<NaiveDate>, state| CaseFacts {
                dims: Dims::default(),
                state,
                channel: Channel::Online,
                delivery: DeliveryMethod::Post,
                promised_days: 5,
                submitted_at: t(0),
                accepted_on: Some(accepted),
                decided_on: concluded,
                promised_due: Some(due),
                concluded_on: concluded,
                used_days: concluded.map(|_| 3),
            };
        let march = (day(2026, 3, 1), day(2026, 3, 31));
        let in_march = |d: NaiveDate| d >= march.0 && d <= march.1;
        let cases = [
            // due and concluded in March
            case(
                day(2026, 3, 2),
                day(2026, 3, 9),
                Some(day(2026, 3, 6)),
                CaseState::Delivered,
            ),
            // due in March, still open
            case(
                day(2026, 3, 20),
                day(2026, 3, 27),
                None,
                CaseState::Reviewing,
            ),
            // February's backlog, concluded late in March: carried over
            case(
                day(2026, 2, 2),
                day(2026, 2, 9),
                Some(day(2026, 3, 3)),
                CaseState::Concluded,
            ),
            case(
                day(2026, 2, 3),
                day(2026, 2, 10),
                Some(day(2026, 3, 4)),
                CaseState::Delivered,
            ),
            // due in March, withdrawn: not due
            case(day(2026, 3, 2), day(2026, 3, 9), None, CaseState::Withdrawn),
        ];
        let mut sum = Counters::default();
        let mut carried = 0;
        for c in &cases {
            for (d, x) in of_case(c) {
                if in_march(d) {
                    sum.add(&x);
                }
            }
            if let Some((on, due)) = carried_of(c)
                && in_march(on)
                && due < march.0
            {
                carried += 1;
            }
        }
        let f = Figures::from(sum);
        assert_eq!((f.concluded, f.due, f.due_concluded, carried), (3, 2, 1, 2));
        assert_eq!(f.conclusion_rate, Some(50.0), "1 of the 2 due");
        // the old rule, concluded ÷ accepted, would say 100% with half of what was due open
        assert_eq!(f.concluded, f.accepted);
    }

    #[test]
    fn ratings_and_calls_contribute_their_parts() {
        assert_eq!(of_rating(2).bad, 1);
        assert_eq!(of_rating(3).satisfied, 1);
        let t0 = DateTime::from_timestamp(1_772_400_000, 0).unwrap();
        let c = of_call(t0, t0 + chrono::Duration::minutes(7));
        assert_eq!((c.called, c.wait_seconds), (1, 420));
    }
}
