//! Who a window calls next (叫号规则), how many are ahead of a ticket, and how long the wait is.
//!
//! A window serves an ordered set of categories. Among the waiting tickets of those categories
//! it calls the green channel first, then checked-in appointments, then the elderly and the
//! disabled, then everyone else; within a rank, the window's earlier category first, then arrival
//! order. Fairness: an ordinary ticket passed over `max_passes` times (someone who arrived after
//! it was called first) is called before anyone else the next time.

use super::ticket::Priority;
use std::time::Duration;

/// A waiting ticket as the queue sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    pub id: i64,
    pub category_id: i64,
    pub priority: Priority,
    /// Arrival order in the hall; a transfer keeps it.
    pub arrival: i64,
    /// How often someone who arrived later was called first.
    pub passed: i64,
}

/// The ticket to call, and the ordinary tickets it passes over (each is passed once more).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    pub ticket_id: i64,
    pub passes: Vec<i64>,
}

/// The window's order key of a ticket, or `None` when the window does not serve its category.
fn key(w: &Waiting, categories: &[i64]) -> Option<(u8, usize, i64)> {
    let rank = categories.iter().position(|c| *c == w.category_id)?;
    Some((w.priority.rank(), rank, w.arrival))
}

/// The next ticket for a window serving `categories` (in its order), if any waits.
pub fn pick(waiting: &[Waiting], categories: &[i64], max_passes: i64) -> Option<Pick> {
    let served: Vec<&Waiting> = waiting
        .iter()
        .filter(|w| categories.contains(&w.category_id))
        .collect();
    let overdue = served
        .iter()
        .filter(|w| w.priority == Priority::Ordinary && w.passed >= max_passes)
        .min_by_key(|w| w.arrival);
    let chosen = match overdue {
        Some(w) => *w,
        None => *served.iter().min_by_key(|w| key(w, categories))?,
    };
    let passes = served
        .iter()
        .filter(|w| w.priority == Priority::Ordinary && w.arrival < chosen.arrival)
        .map(|w| w.id)
        .collect();
    Some(Pick {
        ticket_id: chosen.id,
        passes,
    })
}

/// How many tickets of the same category would be called before this one, as things stand.
pub fn ahead(waiting: &[Waiting], ticket: &Waiting) -> usize {
    let mine = (ticket.priority.rank(), ticket.arrival);
    waiting
        .iter()
        .filter(|w| w.id != ticket.id && w.category_id == ticket.category_id)
        .filter(|w| (w.priority.rank(), w.arrival) < mine)
        .count()
}

/// The expected wait for a ticket with `ahead` people before it, from the recent service times
/// of its category (median) and the windows serving it now. `None` without any history or
/// without an open window.
pub fn estimated_wait(
    ahead: usize,
    recent_service: &[Duration],
    windows: usize,
) -> Option<Duration> {
    if recent_service.is_empty() || windows == 0 {
        return None;
    }
    let mut times = recent_service.to_vec();
    times.sort();
    let median = times[times.len() / 2];
    // Everyone ahead is served at `windows` counters at once; the ticket itself waits for the
    // turn, not for its own service.
    let rounds = ahead.div_ceil(windows) as u32;
    Some(median * rounds)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: i64, category_id: i64, priority: Priority, arrival: i64) -> Waiting {
        Waiting {
            id,
            category_id,
            priority,
            arrival,
            passed: 0,
        }
    }

    #[test]
    fn priority_then_category_order_then_arrival() {
        use Priority::*;
        let q = vec![
            t(1, 10, Ordinary, 1),
            t(2, 10, Elderly, 2),
            t(3, 20, Appointment, 3),
            t(4, 10, Green, 4),
            t(5, 20, Ordinary, 5),
        ];
        let next = pick(&q, &[10, 20], 3).unwrap();
        assert_eq!(next.ticket_id, 4, "green channel first");
        assert_eq!(
            next.passes,
            vec![1],
            "the earlier ordinary ticket is passed"
        );
        let q: Vec<Waiting> = q.into_iter().filter(|w| w.id != 4).collect();
        assert_eq!(
            pick(&q, &[10, 20], 3).unwrap().ticket_id,
            3,
            "then appointments"
        );
        let q: Vec<Waiting> = q.into_iter().filter(|w| w.id != 3).collect();
        assert_eq!(
            pick(&q, &[10, 20], 3).unwrap().ticket_id,
            2,
            "then the elderly"
        );
        let q: Vec<Waiting> = q.into_iter().filter(|w| w.id != 2).collect();
        let next = pick(&q, &[10, 20], 3).unwrap();
        assert_eq!(next.ticket_id, 1);
        assert!(next.passes.is_empty());
        // The window's first category comes first within a rank, before arrival.
        let q = vec![t(1, 10, Ordinary, 1), t(2, 20, Ordinary, 2)];
        let next = pick(&q, &[20, 10], 3).unwrap();
        assert_eq!(next.ticket_id, 2);
        assert_eq!(next.passes, vec![1]);
    }

    #[test]
    fn a_window_calls_only_its_categories() {
        let q = vec![t(1, 10, Priority::Green, 1)];
        assert_eq!(pick(&q, &[20], 3), None);
        assert_eq!(pick(&[], &[10], 3), None);
        assert_eq!(pick(&q, &[], 3), None);
    }

    #[test]
    fn an_ordinary_ticket_is_passed_at_most_the_limit() {
        let mut old = t(1, 10, Priority::Ordinary, 1);
        let mut q = vec![old.clone()];
        let mut called_before_it = 0;
        // A stream of elderly people keeps arriving; each pass counts.
        for i in 0..10 {
            q.push(t(100 + i, 10, Priority::Elderly, 10 + i));
            let next = pick(&q, &[10], 3).unwrap();
            if next.ticket_id == old.id {
                break;
            }
            called_before_it += 1;
            assert_eq!(next.passes, vec![old.id]);
            old.passed += 1;
            q.retain(|w| w.id != next.ticket_id);
            q[0].passed = old.passed;
        }
        assert_eq!(called_before_it, 3, "passed three times, then called");
    }

    #[test]
    fn people_ahead_and_the_estimated_wait() {
        use Priority::*;
        let q = vec![
            t(1, 10, Ordinary, 1),
            t(2, 10, Ordinary, 2),
            t(3, 10, Elderly, 3),
            t(4, 20, Ordinary, 0),
            t(5, 10, Ordinary, 5),
        ];
        assert_eq!(
            ahead(&q, &q[4]),
            3,
            "two earlier, one elderly; other categories apart"
        );
        assert_eq!(ahead(&q, &q[2]), 0);
        assert_eq!(ahead(&q, &q[0]), 1, "the elderly ticket goes before");
        let m = Duration::from_secs(60);
        let times = [m * 3, m * 5, m * 4];
        assert_eq!(
            estimated_wait(3, &times, 1),
            Some(m * 12),
            "median four minutes"
        );
        assert_eq!(estimated_wait(3, &times, 2), Some(m * 8));
        assert_eq!(estimated_wait(0, &times, 2), Some(Duration::ZERO));
        assert_eq!(estimated_wait(3, &[], 2), None);
        assert_eq!(estimated_wait(3, &times, 0), None);
    }
}
