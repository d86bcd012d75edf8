//! A few days of the demo's hall: tickets taken through the day at its categories and served at
//! its windows, today's up to now. The board, the window wall and the hall's figures have
//! something to show, and the expected wait (预计等候) has service times to rest on.

use super::cases::Rng;
use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use onewindow_core::audit::Context;
use onewindow_core::calendar::{Calendar, parse_time};
use onewindow_core::hall::ticket::{Priority, TicketSource};
use onewindow_core::hall::window::WindowAction;
use onewindow_store::{NewTicket, ScopeFilter, Store, StoreError, WindowAct};

/// At most this many windows serve in the history (the rest stay closed).
const WINDOWS: usize = 16;

/// Plays the last `days` working days (today among them, up to `now`); answers how many tickets
/// were taken. Days that already have tickets are left as they are.
pub async fn play(store: &dyn Store, days: usize, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let ctx = Context::system("demo-hall");
    let Some(hall) = store
        .halls(&ScopeFilter::all())
        .await?
        .into_iter()
        .find(|h| h.name == super::HALL)
    else {
        return Ok(0);
    };
    let cal = Calendar::new(&store.calendar_years().await?);
    let clerk = store.user_by_username("clerk").await?.map(|u| u.id);
    let categories: Vec<i64> = store
        .categories(hall.id)
        .await?
        .into_iter()
        .filter(|c| c.active)
        .map(|c| c.id)
        .collect();
    // Two windows open for each category, as far as the windows serve it.
    let mut serving: Vec<(i64, Vec<i64>)> = Vec::new();
    for w in store.windows(hall.id).await? {
        if w.active && !w.confidential {
            serving.push((w.id, store.window_categories(w.id).await?));
        }
    }
    let mut windows: Vec<i64> = Vec::new();
    for &c in &categories {
        let open = |ws: &Vec<i64>| {
            serving
                .iter()
                .filter(|(w, cs)| ws.contains(w) && cs.contains(&c))
                .count()
        };
        for (w, cs) in &serving {
            if windows.len() < WINDOWS
                && open(&windows) < 2
                && cs.contains(&c)
                && !windows.contains(w)
            {
                windows.push(*w);
            }
        }
    }
    let (Some(opens), Some(closes)) = (parse_time(&hall.opens), parse_time(&hall.closes)) else {
        return Ok(0);
    };
    let lunch = hall.lunch();
    let today = onewindow_core::time::local_date(now);
    let mut day = today;
    let mut played = Vec::new();
    while played.len() < days {
        if cal.is_workday(day).unwrap_or(false) {
            played.push(day);
        }
        day -= chrono::Duration::days(1);
        if today - day > chrono::Duration::days(30) {
            break;
        }
    }
    let mut taken = 0;
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for day in played.into_iter().rev() {
        if !store.ticket_facts(hall.id, day, day).await?.is_empty() {
            continue;
        }
        let at = |t: NaiveTime| -> DateTime<Utc> {
            onewindow_core::time::china()
                .from_local_datetime(&day.and_time(t))
                .single()
                .map_or(now, |t| t.with_timezone(&Utc))
        };
        // The night before: what was left is closed and the fairness rule starts afresh.
        let midnight = onewindow_core::time::start_of(day);
        store
            .close_past_days(&ctx, day, midnight.timestamp_micros(), at(opens))
            .await?;
        let open =
            |t: NaiveTime| t >= opens && t < closes && !lunch.is_some_and(|(a, b)| t >= a && t < b);
        // Arrivals: each category's people through the open hours.
        let mut events: Vec<(DateTime<Utc>, Event)> = Vec::new();
        let span = (closes - opens).num_minutes().max(1) as u64;
        for &c in &categories {
            for _ in 0..(12 + r.below(20)) {
                let t = opens + chrono::Duration::minutes(r.below(span.saturating_sub(30)) as i64);
                if open(t) {
                    events.push((at(t), Event::Arrive(c)));
                }
            }
        }
        // Each window starts a little after opening and calls again when done.
        for &w in &windows {
            let t = opens + chrono::Duration::minutes(5 + r.below(15) as i64);
            events.push((at(t), Event::Call(w)));
        }
        let end = at(closes).min(now);
        while let Some(i) = (0..events.len()).min_by_key(|&i| events[i].0) {
            let (t, e) = events.swap_remove(i);
            if t >= end {
                continue;
            }
            match e {
                Event::Arrive(c) => {
                    store
                        .issue_ticket(
                            &ctx,
                            NewTicket {
                                hall_id: hall.id,
                                category_id: c,
                                day,
                                priority: Priority::Ordinary,
                                source: TicketSource::Kiosk,
                                id_number: None,
                                phone: None,
                                access_key: format!("demo{:016x}", r.below(u64::MAX)),
                                at: t,
                            },
                        )
                        .await?;
                    taken += 1;
                }
                Event::Call(w) => {
                    let local = onewindow_core::time::local(t).time();
                    let out = store
                        .window_act(
                            &ctx,
                            WindowAct {
                                window_id: w,
                                clerk_id: clerk,
                                action: WindowAction::CallNext,
                                max_passes: 3,
                                at: t,
                            },
                        )
                        .await?;
                    // Served in four to fourteen minutes; an idle window looks again soon;
                    // over lunch the windows wait for the afternoon.
                    let mut next = t + chrono::Duration::minutes(if out.ticket.is_some() {
                        4 + r.below(11) as i64
                    } else {
                        5
                    });
                    if let Some((a, b)) = lunch
                        && local < a
                        && onewindow_core::time::local(next).time() >= a
                    {
                        next = at(b);
                    }
                    events.push((next, Event::Call(w)));
                }
            }
        }
        // The day's last person at each window is served at closing; today's stay at the windows.
        if end < at(closes) {
            continue;
        }
        for &w in &windows {
            store
                .window_act(
                    &ctx,
                    WindowAct {
                        window_id: w,
                        clerk_id: clerk,
                        action: WindowAction::Finish {
                            case_numbers: Vec::new(),
                        },
                        max_passes: 3,
                        at: end,
                    },
                )
                .await
                .ok();
        }
    }
    // What was left waiting on past days is closed, as the nightly job does.
    let midnight = onewindow_core::time::start_of(today);
    store
        .close_past_days(&ctx, today, midnight.timestamp_micros(), now)
        .await?;
    Ok(taken)
}

enum Event {
    Arrive(i64),
    Call(i64),
}
