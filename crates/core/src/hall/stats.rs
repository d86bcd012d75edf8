//! The hall's figures for a period (大厅统计): tickets issued, served, no-shows and transfers;
//! waiting time (taking the ticket → the first call) and service time (the last call → finish),
//! average and 90th percentile, per category, window, clerk and hour of the day; the peak hours.

use crate::time::local;
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// One ticket as the figures see it.
#[derive(Clone, Debug)]
pub struct TicketFact {
    pub category_id: i64,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    pub issued_at: DateTime<Utc>,
    pub first_called_at: Option<DateTime<Utc>>,
    pub called_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `finished`, `no_show`, `waiting`, `called` or `cancelled`.
    pub state: String,
    pub transfers: i64,
}

/// The figures of one slice.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
#[schema(as = HallFigures)]
pub struct Figures {
    /// What the slice is: a category, window or clerk id, or the hour (0–23).
    pub key: i64,
    pub name: String,
    pub issued: i64,
    pub served: i64,
    pub no_show: i64,
    pub transferred: i64,
    /// Seconds, over the tickets called at least once.
    pub wait_avg: Option<i64>,
    pub wait_p90: Option<i64>,
    /// Seconds, over the tickets served.
    pub service_avg: Option<i64>,
    pub service_p90: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct HallStats {
    pub hall_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: Figures,
    pub by_category: Vec<Figures>,
    pub by_window: Vec<Figures>,
    pub by_clerk: Vec<Figures>,
    /// Hours of the day (China time) in which tickets were taken, in order.
    pub by_hour: Vec<Figures>,
    /// The busiest hours by tickets taken, busiest first (at most three).
    pub peak_hours: Vec<i64>,
}

/// The nearest-rank percentile of sorted seconds.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn seconds(a: DateTime<Utc>, b: Option<DateTime<Utc>>) -> Option<i64> {
    b.map(|b| (b - a).num_seconds().max(0))
}

fn figures<'a>(key: i64, name: String, facts: impl Iterator<Item = &'a TicketFact>) -> Figures {
    let mut f = Figures {
        key,
        name,
        ..Figures::default()
    };
    let mut waits = Vec::new();
    let mut services = Vec::new();
    for t in facts {
        f.issued += 1;
        match t.state.as_str() {
            "finished" => {
                f.served += 1;
                if let Some(c) = t.called_at
                    && let Some(s) = seconds(c, t.finished_at)
                {
                    services.push(s);
                }
            }
            "no_show" => f.no_show += 1,
            _ => {}
        }
        if t.transfers > 0 {
            f.transferred += 1;
        }
        if let Some(w) = seconds(t.issued_at, t.first_called_at) {
            waits.push(w);
        }
    }
    let avg = |v: &[i64]| (!v.is_empty()).then(|| v.iter().sum::<i64>() / v.len() as i64);
    waits.sort_unstable();
    services.sort_unstable();
    f.wait_avg = avg(&waits);
    f.wait_p90 = percentile(&waits, 90.0);
    f.service_avg = avg(&services);
    f.service_p90 = percentile(&services, 90.0);
    f
}

/// Groups the facts by `key` (skipping those without one), named by `name`, in key order.
fn by(
    facts: &[TicketFact],
    key: impl Fn(&TicketFact) -> Option<i64>,
    name: impl Fn(i64) -> String,
) -> Vec<Figures> {
    let mut keys: Vec<i64> = facts.iter().filter_map(&key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .map(|k| figures(k, name(k), facts.iter().filter(|t| key(t) == Some(k))))
        .collect()
}

/// Everything for the period. `names` gives the display name of a category, window or clerk.
pub fn compute(
    hall_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    facts: &[TicketFact],
    category_name: impl Fn(i64) -> String,
    window_name: impl Fn(i64) -> String,
    clerk_name: impl Fn(i64) -> String,
) -> HallStats {
    let hour = |t: &TicketFact| Some(i64::from(local(t.issued_at).hour()));
    let by_hour = by(facts, hour, |h| format!("{h:02}:00–{:02}:00", h + 1));
    let mut peaks: Vec<&Figures> = by_hour.iter().filter(|h| h.issued > 0).collect();
    peaks.sort_by_key(|h| (std::cmp::Reverse(h.issued), h.key));
    HallStats {
        hall_id,
        from,
        to,
        total: figures(0, String::new(), facts.iter()),
        by_category: by(facts, |t| Some(t.category_id), category_name),
        // A window and a clerk are credited with the tickets they served or called.
        by_window: by(facts, |t| t.window_id, window_name),
        by_clerk: by(facts, |t| t.clerk_id, clerk_name),
        peak_hours: peaks.iter().take(3).map(|h| h.key).collect(),
        by_hour,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// 2026-03-02 at `h:m` in Beijing.
    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h - 8, m, 0).unwrap()
    }

    fn fact(
        cat: i64,
        win: Option<i64>,
        issued: (u32, u32),
        called: Option<(u32, u32)>,
        finished: Option<(u32, u32)>,
        state: &str,
    ) -> TicketFact {
        TicketFact {
            category_id: cat,
            window_id: win,
            clerk_id: win.map(|w| w * 10),
            issued_at: at(issued.0, issued.1),
            first_called_at: called.map(|c| at(c.0, c.1)),
            called_at: called.map(|c| at(c.0, c.1)),
            finished_at: finished.map(|c| at(c.0, c.1)),
            state: state.into(),
            transfers: 0,
        }
    }

    #[test]
    fn figures_on_a_hand_computed_morning() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let mut facts = vec![
            // Category 1 at window 1: waits 10 and 20 minutes, services 5 and 15.
            fact(1, Some(1), (9, 0), Some((9, 10)), Some((9, 15)), "finished"),
            fact(1, Some(1), (9, 5), Some((9, 25)), Some((9, 40)), "finished"),
            // A no-show after 30 minutes' wait.
            fact(1, Some(1), (9, 10), Some((9, 40)), Some((9, 42)), "no_show"),
            // Category 2 at window 2: waited 0, served 60 minutes; one still waiting.
            fact(
                2,
                Some(2),
                (10, 0),
                Some((10, 0)),
                Some((11, 0)),
                "finished",
            ),
            fact(2, None, (10, 30), None, None, "waiting"),
        ];
        facts[1].transfers = 1;
        let s = compute(
            7,
            day,
            day,
            &facts,
            |c| format!("类{c}"),
            |w| format!("{w}号窗口"),
            |u| format!("人员{u}"),
        );
        let t = &s.total;
        assert_eq!((t.issued, t.served, t.no_show, t.transferred), (5, 3, 1, 1));
        // Waits: 10, 20, 30, 0 minutes → avg 15 min; p90 (rank 4 of 4) 30 min.
        assert_eq!((t.wait_avg, t.wait_p90), (Some(900), Some(1800)));
        // Services: 5, 15, 60 → avg 80/3 min = 1600 s; p90 60 min.
        assert_eq!((t.service_avg, t.service_p90), (Some(1600), Some(3600)));
        let c1 = &s.by_category[0];
        assert_eq!((c1.name.as_str(), c1.issued, c1.served), ("类1", 3, 2));
        assert_eq!((c1.wait_avg, c1.service_avg), (Some(1200), Some(600)));
        assert_eq!(s.by_window.len(), 2, "the waiting ticket has no window");
        assert_eq!(s.by_clerk[1].name, "人员20");
        // Hours: 9 o'clock 3 tickets, 10 o'clock 2.
        assert_eq!(
            s.by_hour
                .iter()
                .map(|h| (h.key, h.issued))
                .collect::<Vec<_>>(),
            vec![(9, 3), (10, 2)]
        );
        assert_eq!(s.by_hour[0].name, "09:00–10:00");
        assert_eq!(s.peak_hours, vec![9, 10]);
        let empty = compute(
            7,
            day,
            day,
            &[],
            |_| String::new(),
            |_| String::new(),
            |_| String::new(),
        );
        assert_eq!(empty.total.wait_avg, None);
        assert!(empty.peak_hours.is_empty());
    }

    #[test]
    fn the_p90_is_the_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 90.0), Some(9));
        assert_eq!(percentile(&[5], 90.0), Some(5));
        assert_eq!(percentile(&[], 90.0), None);
    }
}
