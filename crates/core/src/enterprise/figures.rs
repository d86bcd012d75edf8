//! The service teams' figures over a period (a month, or the year to date), computed live from
//! the records: visits planned and done, clues collected (work items), solved, still open at the
//! period's end, overdue among those, and escalated to the city. One rule for the page, the
//! workbook and the printed monthly report.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use super::work::Level;
use crate::time::local_date;

/// What the figures need of a work item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemFacts {
    /// The district (or other unit) it is counted under.
    pub unit: i64,
    pub level: Level,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub deadline: Option<NaiveDate>,
}

/// What the figures need of a visit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitFacts {
    pub unit: i64,
    pub planned_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
}

/// One unit's figures for a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tally {
    pub visits_planned: i64,
    pub visits_done: i64,
    /// Problems, needs and suggestions collected in the period (线索).
    pub clues: i64,
    /// Closed in the period on the enterprise's confirmation.
    pub solved: i64,
    /// Collected by the period's end and not closed then.
    pub open: i64,
    /// Of the open ones, past their deadline without a timely answer.
    pub overdue: i64,
    /// Collected in the period and now held by the city.
    pub escalated: i64,
}

impl Tally {
    pub fn add(&mut self, o: &Tally) {
        self.visits_planned += o.visits_planned;
        self.visits_done += o.visits_done;
        self.clues += o.clues;
        self.solved += o.solved;
        self.open += o.open;
        self.overdue += o.overdue;
        self.escalated += o.escalated;
    }

    /// Solved per clue collected in the period, in per cent (one decimal), if any were.
    pub fn solved_rate(&self) -> Option<f64> {
        (self.clues > 0).then(|| (self.solved as f64 * 1000.0 / self.clues as f64).round() / 10.0)
    }
}

/// The figures of each unit for the days `from` to `to` (inclusive), as they stood on `today`
/// (a period still running ends today).
pub fn tally(
    items: &[ItemFacts],
    visits: &[VisitFacts],
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> BTreeMap<i64, Tally> {
    let end = to.min(today);
    let within = |d: NaiveDate| d >= from && d <= to;
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    for v in visits {
        let t = out.entry(v.unit).or_default();
        if within(v.planned_on) {
            t.visits_planned += 1;
        }
        if v.done_at.is_some_and(|d| within(local_date(d))) {
            t.visits_done += 1;
        }
    }
    for i in items {
        let t = out.entry(i.unit).or_default();
        let created = local_date(i.created_at);
        let closed = i.closed_at.map(local_date);
        if within(created) {
            t.clues += 1;
            if i.level == Level::City {
                t.escalated += 1;
            }
        }
        if closed.is_some_and(within) {
            t.solved += 1;
        }
        let open = created <= end && closed.is_none_or(|c| c > end);
        if open {
            t.open += 1;
            let late = i.deadline.is_some_and(|due| {
                due < end && i.answered_at.map(local_date).is_none_or(|a| a > due)
            });
            if late {
                t.overdue += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    /// Noon in Beijing on that day.
    fn at(m: u32, day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, day, 4, 0, 0).unwrap()
    }

    fn item(unit: i64, created: (u32, u32)) -> ItemFacts {
        ItemFacts {
            unit,
            level: Level::District,
            created_at: at(created.0, created.1),
            answered_at: None,
            closed_at: None,
            deadline: None,
        }
    }

    #[test]
    fn a_month_counts_what_happened_in_it_and_what_was_open_at_its_end() {
        let solved = ItemFacts {
            answered_at: Some(at(6, 10)),
            closed_at: Some(at(6, 12)),
            deadline: Some(d(6, 20)),
            ..item(1, (6, 3))
        };
        let escalated_late = ItemFacts {
            level: Level::City,
            deadline: Some(d(6, 15)),
            ..item(1, (6, 5))
        };
        let answered_late = ItemFacts {
            answered_at: Some(at(6, 25)),
            deadline: Some(d(6, 20)),
            ..item(2, (5, 20))
        };
        let closed_next_month = ItemFacts {
            closed_at: Some(at(7, 2)),
            ..item(2, (5, 1))
        };
        let items = vec![
            solved,
            escalated_late,
            answered_late,
            closed_next_month,
            item(2, (7, 1)),
        ];
        let visits = vec![
            VisitFacts {
                unit: 1,
                planned_on: d(6, 2),
                done_at: Some(at(6, 3)),
            },
            VisitFacts {
                unit: 1,
                planned_on: d(6, 30),
                done_at: None,
            },
            VisitFacts {
                unit: 2,
                planned_on: d(5, 31),
                done_at: Some(at(6, 1)),
            },
        ];
        let june = tally(&items, &visits, d(6, 1), d(6, 30), d(9, 1));
        assert_eq!(
            june[&1],
            Tally {
                visits_planned: 2,
                visits_done: 1,
                clues: 2,
                solved: 1,
                open: 1,
                overdue: 1,
                escalated: 1,
            }
        );
        assert_eq!(
            june[&2],
            Tally {
                visits_planned: 0,
                visits_done: 1,
                clues: 0,
                solved: 0,
                open: 2,
                overdue: 1,
                escalated: 0,
            },
            "the May items still open on 30 June; one was answered after its day"
        );
        // Mid-June, the running month ends today: the late item is not yet late.
        let running = tally(&items, &visits, d(6, 1), d(6, 30), d(6, 14));
        assert_eq!(running[&1].overdue, 0);
        assert_eq!(running[&1].solved, 1);

        let mut city = Tally::default();
        june.values().for_each(|t| city.add(t));
        assert_eq!((city.clues, city.open, city.overdue), (2, 3, 2));
        assert_eq!(city.solved_rate(), Some(50.0));
        assert_eq!(Tally::default().solved_rate(), None);
    }
}
