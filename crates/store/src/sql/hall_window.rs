//! Serving at a window: the actions a clerk takes (call, call again, no-show, transfer, finish,
//! pause, resume), a no-show put back in the queue, the hall's board, and the pad's rating.
//! Each action is one transaction that first takes the window's seat row, so two clicks on one
//! window never both call.

use super::audit::{Pending, append_all};
use super::hall::{TICKET_COLS, TicketRow, WINDOW_CATEGORIES, hall_category, hall_region, head};
use super::org::change;
use crate::backend::{Backend, placeholders, sql};
use crate::error::{Result, StoreError};
use crate::model::{Rated, Rater, RatingPlace, RectifyPlan, WindowAct, WindowOutcome};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::evaluation::PadRating;
use onewindow_core::evaluation::rating::{Channel as RatingChannel, Kind};
use onewindow_core::hall::board::{Board, CallLine, CategoryQueue, WindowScreen};
use onewindow_core::hall::queue::{Waiting, pick};
use onewindow_core::hall::stats::TicketFact;
use onewindow_core::hall::ticket::{Priority, Ticket};
use onewindow_core::hall::window::{self, WindowAction, clean_case_numbers};
use onewindow_core::time::local_date;
use onewindow_core::{DomainError, FieldError, Text};
use serde_json::json;
use std::collections::HashMap;

fn ticket(row: Option<TicketRow>, what: &str) -> Result<Ticket> {
    row.ok_or_else(|| StoreError::Database(format!("{what}: the ticket row went missing")))?
        .try_into()
}

/// The trail's line for a ticket: its number, where it stands and where.
pub(super) fn ticket_change(
    kind: &str,
    t: &Ticket,
    region_id: i64,
    extra: serde_json::Value,
) -> Change {
    let mut after = json!({
        "number": t.number,
        "state": t.state.code(),
        "window_id": t.window_id,
        "category_id": t.category_id,
    });
    if let (Some(a), Some(e)) = (after.as_object_mut(), extra.as_object()) {
        a.extend(e.clone());
    }
    change(
        "ticket",
        kind,
        t.id,
        (None, Some(region_id)),
        None,
        Some(&after),
    )
}

async fn update_ticket<B: Backend>(
    tx: &mut B::Tx,
    set: &str,
    id: i64,
    args: Vec<crate::backend::Arg>,
) -> Result<Option<TicketRow>> {
    let mut q = sql(String::new());
    q.args = args;
    let n = q.args.len();
    q.text = format!(
        "UPDATE tickets SET {set}, version = version + 1 WHERE id = ${} RETURNING {TICKET_COLS}",
        n + 1
    )
    .into();
    B::opt(tx, q.bind(id)).await
}

/// The open windows among `ids`, each with its hall and the hall's region; an unknown or
/// deactivated one answers with its error.
pub(super) async fn open_windows<B: Backend>(
    tx: &mut B::Tx,
    ids: &[i64],
) -> Result<HashMap<i64, Result<(i64, i64)>>> {
    let mut q = sql(format!(
        "SELECT w.id, w.hall_id, w.active, h.region_id FROM windows w
         JOIN halls h ON h.id = w.hall_id WHERE w.id IN ({})",
        placeholders(1, ids.len())
    ));
    for id in ids {
        q = q.bind(*id);
    }
    let rows: Vec<(i64, i64, bool, i64)> = B::all(tx, q).await?;
    Ok(ids
        .iter()
        .map(|id| {
            let found = match rows.iter().find(|r| r.0 == *id) {
                None => Err(DomainError::not_found(Text::fixed("窗口", "window")).into()),
                Some((_, _, false, _)) => Err(DomainError::conflict(
                    "window",
                    "该窗口已停用",
                    "this window is deactivated",
                )
                .into()),
                Some((_, hall_id, true, region_id)) => Ok((*hall_id, *region_id)),
            };
            (*id, found)
        })
        .collect())
}

/// Takes the seats of the windows acting (the clerk acting sits there now); returns whether
/// each is paused. Taking the seat row first serialises the actions of one window.
pub(super) async fn take_seats<'a, B: Backend>(
    tx: &mut B::Tx,
    acts: impl Iterator<Item = &'a WindowAct>,
) -> Result<HashMap<i64, bool>> {
    let mut q = sql(String::new());
    let mut values = Vec::new();
    for a in acts {
        values.push(format!("({})", placeholders(q.args.len() + 1, 3)));
        q = q.bind(a.window_id).bind(a.clerk_id).bind(a.at);
    }
    if values.is_empty() {
        return Ok(HashMap::new());
    }
    q.text = format!(
        "INSERT INTO window_seats (window_id, clerk_id, updated_at) VALUES {}
         ON CONFLICT (window_id) DO UPDATE SET clerk_id = COALESCE(excluded.clerk_id, window_seats.clerk_id),
         updated_at = excluded.updated_at RETURNING window_id, paused",
        values.join(", ")
    )
    .into();
    let rows: Vec<(i64, bool)> = B::all(tx, q).await?;
    Ok(rows.into_iter().collect())
}

pub(super) async fn act<B: Backend>(b: &B, ctx: &Context, a: WindowAct) -> Result<WindowOutcome> {
    let mut tx = b.begin().await?;
    let (hall_id, region_id) = open_windows::<B>(&mut tx, &[a.window_id])
        .await?
        .remove(&a.window_id)
        .unwrap_or_else(|| Err(DomainError::not_found(Text::fixed("窗口", "window")).into()))?;
    let paused = take_seats::<B>(&mut tx, std::iter::once(&a))
        .await?
        .get(&a.window_id)
        .copied()
        .unwrap_or(false);
    let current: Option<TicketRow> = B::opt(
        &mut tx,
        sql(format!(
            "SELECT {TICKET_COLS} FROM tickets WHERE window_id = $1 AND state = 'called'
             ORDER BY called_at DESC LIMIT 1"
        ))
        .bind(a.window_id),
    )
    .await?;
    let current: Option<Ticket> = current.map(Ticket::try_from).transpose()?;
    window::check(&a.action, paused, current.is_some())?;
    let mut trail: Vec<Change> = Vec::new();
    let mut out = WindowOutcome {
        window_id: a.window_id,
        hall_id,
        paused,
        ticket: None,
        finished: None,
    };
    let mut tallies = super::rollup::Tallies::default();
    match &a.action {
        WindowAction::CallNext | WindowAction::Call { .. } => {
            if let Some(c) = &current {
                let done = update_ticket::<B>(
                    &mut tx,
                    "state = 'finished', finished_at = $1",
                    c.id,
                    vec![a.at.into()],
                )
                .await?;
                let done = ticket(done, "finish")?;
                trail.push(ticket_change("finish", &done, region_id, json!({})));
                out.finished = Some(done);
            }
            let called = match &a.action {
                WindowAction::Call { ticket_id } => {
                    Some(call_one::<B>(&mut tx, &a, hall_id, *ticket_id).await?)
                }
                _ => call_next_in::<B>(&mut tx, &a, hall_id).await?,
            };
            if let Some(t) = &called {
                trail.push(ticket_change(
                    a.action.kind().code(),
                    t,
                    region_id,
                    json!({}),
                ));
                super::figures::track_call(&mut tallies, region_id, t);
            }
            out.ticket = called;
        }
        WindowAction::Recall | WindowAction::NoShow => {
            let c = current.as_ref().ok_or_else(no_current)?;
            let (set, args) = if a.action == WindowAction::Recall {
                ("recalls = recalls + 1", vec![])
            } else {
                ("state = 'no_show', finished_at = $1", vec![a.at.into()])
            };
            let t = ticket(
                update_ticket::<B>(&mut tx, set, c.id, args).await?,
                "recall",
            )?;
            trail.push(ticket_change(
                a.action.kind().code(),
                &t,
                region_id,
                json!({"recalls": t.recalls}),
            ));
            out.ticket = Some(t);
        }
        WindowAction::Transfer {
            category_id,
            window_id,
        } => {
            let c = current.as_ref().ok_or_else(no_current)?;
            let category = match category_id {
                Some(id) => {
                    hall_category::<B>(&mut tx, *id, hall_id, "category_id")
                        .await?
                        .id
                }
                None => c.category_id,
            };
            if let Some(to) = window_id {
                transfer_target::<B>(&mut tx, *to, a.window_id, hall_id).await?;
            }
            let t = update_ticket::<B>(
                &mut tx,
                "state = 'waiting', category_id = $1, for_window = $2, window_id = NULL,
                 clerk_id = NULL, called_at = NULL, transfers = transfers + 1",
                c.id,
                vec![category.into(), (*window_id).into()],
            )
            .await?;
            let t = ticket(t, "transfer")?;
            trail.push(ticket_change(
                "transfer",
                &t,
                region_id,
                json!({"from_window_id": a.window_id, "for_window": window_id}),
            ));
            out.ticket = Some(t);
        }
        WindowAction::Finish { case_numbers } => {
            let c = current.as_ref().ok_or_else(no_current)?;
            let numbers = clean_case_numbers(case_numbers)?;
            let case_ids = case_ids::<B>(&mut tx, &numbers).await?;
            for id in &case_ids {
                B::exec(
                    &mut tx,
                    sql("INSERT INTO ticket_cases (ticket_id, case_id) VALUES ($1, $2)")
                        .bind(c.id)
                        .bind(*id),
                )
                .await?;
            }
            let t = update_ticket::<B>(
                &mut tx,
                "state = 'finished', finished_at = $1",
                c.id,
                vec![a.at.into()],
            )
            .await?;
            let t = ticket(t, "finish")?;
            trail.push(ticket_change(
                "finish",
                &t,
                region_id,
                json!({"case_numbers": numbers}),
            ));
            out.finished = Some(t.clone());
            out.ticket = Some(t);
        }
        WindowAction::Pause | WindowAction::Resume => {
            let paused = a.action == WindowAction::Pause;
            B::exec(
                &mut tx,
                sql("UPDATE window_seats SET paused = $1 WHERE window_id = $2")
                    .bind(paused)
                    .bind(a.window_id),
            )
            .await?;
            out.paused = paused;
            trail.push(change(
                "window",
                a.action.kind().code(),
                a.window_id,
                (None, Some(region_id)),
                Some(&json!({"paused": !paused})),
                Some(&json!({"paused": paused})),
            ));
        }
    }
    append_all::<B>(
        &mut tx,
        trail.into_iter().map(|c| Pending::now(ctx, c)).collect(),
    )
    .await?;
    tallies.write::<B>(&mut tx).await?;
    B::commit(tx).await?;
    Ok(out)
}

fn no_current() -> StoreError {
    DomainError::conflict(
        "action",
        "窗口当前没有正在办理的号",
        "no ticket is being served at this window",
    )
    .into()
}

/// A window a ticket is transferred to: another active window of the same hall.
async fn transfer_target<B: Backend>(
    tx: &mut B::Tx,
    to: i64,
    from: i64,
    hall_id: i64,
) -> Result<()> {
    let w: Option<(i64, bool, i64)> = B::opt(
        tx,
        sql("SELECT hall_id, active, number FROM windows WHERE id = $1").bind(to),
    )
    .await?;
    match w {
        Some((h, true, _)) if h == hall_id && to != from => Ok(()),
        Some((_, _, n)) if to == from => Err(FieldError::new(
            "window_id",
            Text::new(
                format!("不能转移到本窗口（{n}号）"),
                format!("cannot transfer to this same window ({n})"),
            ),
        )
        .into()),
        _ => Err(FieldError::new(
            "window_id",
            Text::new(
                format!("窗口{to}不是本大厅在用的窗口"),
                format!("window {to} is not an active window of this hall"),
            ),
        )
        .into()),
    }
}

/// The cases named by their numbers; an unknown number is an error naming it.
async fn case_ids<B: Backend>(tx: &mut B::Tx, numbers: &[String]) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for n in numbers {
        let row: Option<(i64,)> = B::opt(
            tx,
            sql("SELECT id FROM cases WHERE number = $1").bind(n.as_str()),
        )
        .await?;
        let Some((id,)) = row else {
            return Err(FieldError::new(
                "case_numbers",
                Text::new(
                    format!("办件编号“{n}”不存在"),
                    format!("there is no case numbered '{n}'"),
                ),
            )
            .into());
        };
        ids.push(id);
    }
    Ok(ids)
}

/// Claims a chosen waiting ticket of the hall for the window: one of the categories the window
/// serves, or one transferred to it by name.
async fn call_one<B: Backend>(
    tx: &mut B::Tx,
    a: &WindowAct,
    hall_id: i64,
    ticket_id: i64,
) -> Result<Ticket> {
    let not_waiting = || -> StoreError {
        DomainError::conflict(
            "ticket_id",
            format!("号{ticket_id}不在本大厅的等候队列中"),
            format!("ticket {ticket_id} is not waiting in this hall"),
        )
        .into()
    };
    let found: Option<(i64, Option<i64>, String)> = B::opt(
        tx,
        sql("SELECT category_id, for_window, number FROM tickets
             WHERE id = $1 AND hall_id = $2 AND state = 'waiting'")
        .bind(ticket_id)
        .bind(hall_id),
    )
    .await?;
    let (category_id, for_window, number) = found.ok_or_else(not_waiting)?;
    let cats = window_categories::<B>(tx, a.window_id).await?;
    let for_me = for_window == Some(a.window_id);
    if !for_me && (for_window.is_some() || !cats.contains(&category_id)) {
        return Err(FieldError::new(
            "ticket_id",
            Text::new(
                format!("本窗口不办理{number}号的业务"),
                format!("this window does not serve ticket {number}'s category"),
            ),
        )
        .into());
    }
    let called: Option<TicketRow> = B::opt(
        tx,
        sql(format!(
            "UPDATE tickets SET state = 'called', window_id = $1, clerk_id = $2, called_at = $3,
             first_called_at = COALESCE(first_called_at, $3),
             for_window = NULL, version = version + 1
             WHERE id = $4 AND state = 'waiting' RETURNING {TICKET_COLS}"
        ))
        .bind(a.window_id)
        .bind(a.clerk_id)
        .bind(a.at)
        .bind(ticket_id),
    )
    .await?;
    let called: Ticket = called.ok_or_else(not_waiting)?.try_into()?;
    record_passes::<B>(tx, &cats, called.arrival).await?;
    Ok(called)
}

async fn window_categories<B: Backend>(tx: &mut B::Tx, window_id: i64) -> Result<Vec<i64>> {
    let cats: Vec<(i64,)> = B::all(tx, sql(WINDOW_CATEGORIES).bind(window_id)).await?;
    Ok(cats.into_iter().map(|r| r.0).collect())
}

/// Every waiting ordinary ticket of these categories that arrived before `arrival` is passed
/// over once more.
async fn record_passes<B: Backend>(tx: &mut B::Tx, cats: &[i64], arrival: i64) -> Result<()> {
    if cats.is_empty() {
        return Ok(());
    }
    let mut q = sql(String::new());
    let mut values = Vec::new();
    for cat in cats {
        values.push(format!("(${}, ${})", q.args.len() + 1, q.args.len() + 2));
        q = q.bind(*cat).bind(arrival);
    }
    q.text = format!(
        "INSERT INTO category_calls (category_id, arrival) VALUES {}",
        values.join(", ")
    )
    .into();
    B::exec(tx, q).await?;
    Ok(())
}

/// Calls the next ticket for the window by the core's rule, reading only the heads of its
/// categories' queues.
pub(super) async fn call_next_in<B: Backend>(
    tx: &mut B::Tx,
    a: &WindowAct,
    hall_id: i64,
) -> Result<Option<Ticket>> {
    let cats = window_categories::<B>(tx, a.window_id).await?;
    if cats.is_empty() {
        return Err(DomainError::conflict(
            "window",
            "该窗口尚未设置办理的业务类别",
            "this window serves no category yet",
        )
        .into());
    }
    // The heads of the window's categories: each one's first ticket by rank and arrival, and
    // its oldest ordinary ticket with the passes it has had (passes only grow towards the front
    // of a category's queue, so the oldest is the one the fairness cap concerns). A ticket
    // transferred to another window is not this window's to call.
    let mine = "(for_window IS NULL OR for_window = $3)";
    let mut heads: Vec<Waiting> = Vec::new();
    for cat in &cats {
        let best: Option<(i64, String, i64)> = B::opt(
            tx,
            sql(format!(
                "SELECT id, priority, arrival FROM tickets
                 WHERE hall_id = $1 AND category_id = $2 AND state = 'waiting' AND {mine}
                 ORDER BY rank, arrival, id LIMIT 1{}",
                B::SKIP_LOCKED
            ))
            .bind(hall_id)
            .bind(*cat)
            .bind(a.window_id),
        )
        .await?;
        let Some(best) = best else { continue };
        let oldest: Option<(i64, String, i64)> = if best.1 == Priority::Ordinary.code() {
            Some(best.clone())
        } else {
            B::opt(
                tx,
                sql(format!(
                    "SELECT id, priority, arrival FROM tickets
                     WHERE hall_id = $1 AND category_id = $2 AND state = 'waiting' AND {mine}
                     AND rank = $4 ORDER BY arrival, id LIMIT 1{}",
                    B::SKIP_LOCKED
                ))
                .bind(hall_id)
                .bind(*cat)
                .bind(a.window_id)
                .bind(i64::from(Priority::Ordinary.rank())),
            )
            .await?
        };
        if best.1 != Priority::Ordinary.code() {
            heads.push(head(*cat, best, 0)?);
        }
        if let Some(o) = oldest {
            let (passed,): (i64,) = B::opt(
                tx,
                sql("SELECT count(*) FROM (SELECT 1 FROM category_calls
                     WHERE category_id = $1 AND arrival > $2 LIMIT $3) AS later")
                .bind(*cat)
                .bind(o.2)
                .bind(a.max_passes.max(0)),
            )
            .await?
            .unwrap_or((0,));
            heads.push(head(*cat, o, passed)?);
        }
    }
    let Some(chosen) = pick(&heads, &cats, a.max_passes) else {
        return Ok(None);
    };
    let id = chosen.ticket_id;
    let called: Option<TicketRow> = B::opt(
        tx,
        sql(format!(
            "UPDATE tickets SET state = 'called', window_id = $1, clerk_id = $2, called_at = $3,
             first_called_at = COALESCE(first_called_at, $3),
             for_window = NULL, version = version + 1 WHERE id = $4 AND state = 'waiting'
             RETURNING {TICKET_COLS}"
        ))
        .bind(a.window_id)
        .bind(a.clerk_id)
        .bind(a.at)
        .bind(id),
    )
    .await?;
    let called: Ticket = called
        .ok_or_else(|| StoreError::Database(format!("ticket {id} was taken meanwhile")))?
        .try_into()?;
    record_passes::<B>(tx, &cats, called.arrival).await?;
    Ok(Some(called))
}

/// Puts a no-show back at the end of its category's queue, once, on its own day.
pub(super) async fn requeue<B: Backend>(
    b: &B,
    ctx: &Context,
    ticket_id: i64,
    at: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Ticket> {
    let mut tx = b.begin().await?;
    let t: Option<TicketRow> = B::opt(
        &mut tx,
        sql(format!(
            "UPDATE tickets SET state = 'waiting', requeued = TRUE, arrival = $1, window_id = NULL,
             clerk_id = NULL, called_at = NULL, finished_at = NULL, version = version + 1
             WHERE id = $2 AND state = 'no_show' AND NOT requeued AND day = $3
             RETURNING {TICKET_COLS}"
        ))
        .bind(at.timestamp_micros())
        .bind(ticket_id)
        .bind(today),
    )
    .await?;
    let Some(t) = t else {
        let now: Option<(String, bool)> = B::opt(
            &mut tx,
            sql("SELECT state, requeued FROM tickets WHERE id = $1").bind(ticket_id),
        )
        .await?;
        return Err(match now {
            None => DomainError::not_found(Text::fixed("号", "ticket")),
            Some((_, true)) => DomainError::conflict(
                "ticket_id",
                "该号已重新排队过一次，请重新取号",
                "this ticket was put back once already; take a new one",
            ),
            Some((state, _)) if state == "no_show" => DomainError::conflict(
                "ticket_id",
                "过号只能在当天重新排队",
                "a no-show can be put back on its own day only",
            ),
            Some(_) => DomainError::conflict(
                "ticket_id",
                "只有过号的号才能重新排队",
                "only a no-show can be put back in the queue",
            ),
        }
        .into());
    };
    let t: Ticket = t.try_into()?;
    let region_id = hall_region::<B>(&mut tx, t.hall_id).await?;
    append_all::<B>(
        &mut tx,
        vec![Pending::now(
            ctx,
            ticket_change("requeue", &t, region_id, json!({})),
        )],
    )
    .await?;
    B::commit(tx).await?;
    Ok(t)
}

/// The hall's board on a day, with each category's wait from the day's service times.
pub(super) async fn board<B: Backend>(b: &B, hall_id: i64, day: NaiveDate) -> Result<Board> {
    type WindowLine = (
        i64,
        i64,
        Option<String>,
        Option<bool>,
        Option<i64>,
        Option<String>,
        Option<String>,
    );
    let windows: Vec<WindowLine> = b
        .read_all(
            sql("SELECT w.id, w.number, w.label, s.paused, s.clerk_id, u.display_name, p.sha256
                 FROM windows w LEFT JOIN window_seats s ON s.window_id = w.id
                 LEFT JOIN users u ON u.id = s.clerk_id LEFT JOIN staff_photos p ON p.user_id = s.clerk_id
                 WHERE w.hall_id = $1 AND w.active ORDER BY w.number")
            .bind(hall_id),
        )
        .await?;
    type Called = (i64, String, i64, i64, DateTime<Utc>, i64, String);
    let calls: Vec<Called> = b
        .read_all(
            sql("SELECT t.id, t.number, w.id, w.number, t.called_at, t.recalls, t.state FROM tickets t
                 JOIN windows w ON w.id = t.window_id
                 WHERE t.hall_id = $1 AND t.day = $2 AND t.called_at IS NOT NULL
                 ORDER BY t.called_at DESC LIMIT 200")
            .bind(hall_id)
            .bind(day),
        )
        .await?;
    let served: Vec<(i64, i64)> = b
        .read_all(
            sql("SELECT window_id, count(*) FROM tickets
                 WHERE hall_id = $1 AND day = $2 AND state = 'finished' AND window_id IS NOT NULL
                 GROUP BY window_id")
            .bind(hall_id)
            .bind(day),
        )
        .await?;
    let queues: Vec<(i64, String, String, i64, i64)> = b
        .read_all(
            sql("SELECT c.id, c.name, c.prefix,
                   (SELECT count(*) FROM tickets t WHERE t.hall_id = c.hall_id
                    AND t.category_id = c.id AND t.state = 'waiting'),
                   (SELECT count(*) FROM window_categories wc JOIN windows w ON w.id = wc.window_id
                    LEFT JOIN window_seats s ON s.window_id = w.id
                    WHERE wc.category_id = c.id AND w.active AND NOT COALESCE(s.paused, FALSE))
                 FROM hall_categories c WHERE c.hall_id = $1 AND c.active ORDER BY c.prefix")
            .bind(hall_id),
        )
        .await?;
    // The latest service times, today's first: before the day's first service the estimate
    // rests on the last two weeks' (a hall opening in the morning still says about how long).
    let times: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = b
        .read_all(
            sql("SELECT category_id, called_at, finished_at FROM tickets
                 WHERE hall_id = $1 AND day > $2 AND day <= $3 AND state = 'finished'
                   AND called_at IS NOT NULL
                 ORDER BY finished_at DESC LIMIT 500")
            .bind(hall_id)
            .bind(day - chrono::Duration::days(14))
            .bind(day),
        )
        .await?;
    let line = |c: &Called| CallLine::new(c.0, c.1.clone(), c.2, c.3, c.4, c.5);
    Ok(Board {
        hall_id,
        day,
        windows: windows
            .into_iter()
            .map(
                |(id, number, label, paused, clerk_id, clerk_name, photo)| WindowScreen {
                    window_id: id,
                    number,
                    label,
                    paused: paused.unwrap_or(false),
                    clerk_id,
                    clerk_name,
                    clerk_photo: photo.is_some(),
                    current: calls
                        .iter()
                        .find(|c| c.2 == id && c.6 == "called")
                        .map(line),
                    served_today: served.iter().find(|s| s.0 == id).map_or(0, |s| s.1),
                },
            )
            .collect(),
        queues: queues
            .into_iter()
            .map(|(id, name, prefix, waiting, windows)| {
                let recent: Vec<std::time::Duration> = times
                    .iter()
                    .filter(|t| t.0 == id)
                    .filter_map(|t| (t.2 - t.1).to_std().ok())
                    .collect();
                CategoryQueue::new(id, name, prefix, waiting, windows, &recent)
            })
            .collect(),
        recent: calls.iter().take(10).map(line).collect(),
    })
}

/// Records the on-site rating of a ticket: at the pad of the window that just finished it, or
/// at a kiosk of its hall the same day.
pub(super) async fn rate_on_site<B: Backend>(
    b: &B,
    ctx: &Context,
    place: RatingPlace,
    r: PadRating,
    plan: Option<RectifyPlan>,
    at: DateTime<Utc>,
) -> Result<Rated> {
    let mut tx = b.begin().await?;
    type T = (
        String,
        Option<i64>,
        Option<i64>,
        i64,
        Option<DateTime<Utc>>,
        i64,
    );
    let t: Option<T> = B::opt(
        &mut tx,
        sql(
            "SELECT t.state, t.window_id, t.clerk_id, t.hall_id, t.finished_at, h.region_id
             FROM tickets t JOIN halls h ON h.id = t.hall_id WHERE t.id = $1",
        )
        .bind(r.ticket_id),
    )
    .await?;
    let refuse = |zh: &str, en: &str| -> StoreError {
        FieldError::new("ticket_id", Text::new(zh.to_string(), en.to_string())).into()
    };
    let Some((state, at_window, clerk_id, hall_id, finished_at, region_id)) = t else {
        return Err(refuse("该号不存在", "no such ticket"));
    };
    let (channel, window_id) = match place {
        RatingPlace::Window(w) => {
            if state != "finished" || at_window != Some(w) {
                return Err(refuse(
                    "该号没有在本窗口办结，不能评价",
                    "this ticket was not served at this window",
                ));
            }
            if finished_at.is_none_or(|f| at - f > Duration::minutes(window::RATING_MINUTES)) {
                return Err(refuse(
                    "评价时间已过，请通过办件评价页面评价",
                    "the time to rate at the window has passed",
                ));
            }
            (RatingChannel::WindowPad, w)
        }
        RatingPlace::Kiosk(h) => {
            let Some(w) = at_window.filter(|_| state == "finished" && hall_id == h) else {
                return Err(refuse(
                    "该号没有在本大厅办结，不能评价",
                    "this ticket was not served in this hall",
                ));
            };
            if finished_at.is_none_or(|f| local_date(f) != local_date(at)) {
                return Err(refuse(
                    "自助终端只能评价当天办结的服务",
                    "a kiosk rates services finished today",
                ));
            }
            (RatingChannel::Kiosk, w)
        }
    };
    let taken: Option<(i64,)> = B::opt(
        &mut tx,
        sql("SELECT id FROM ratings WHERE ticket_id = $1").bind(r.ticket_id),
    )
    .await?;
    if taken.is_some() {
        return Err(DomainError::conflict(
            "ticket_id",
            "该次服务已评价，每次服务只能评价一次",
            "this service has been rated already",
        )
        .into());
    }
    let case: Option<(i64, i64, i64)> = B::opt(
        &mut tx,
        sql(
            "SELECT c.id, c.matter_id, c.department_id FROM ticket_cases tc JOIN cases c ON c.id = tc.case_id
             WHERE tc.ticket_id = $1 ORDER BY c.id LIMIT 1",
        )
        .bind(r.ticket_id),
    )
    .await?;
    let given = r.given();
    let rated = super::evaluation::insert_rating::<B>(
        &mut tx,
        ctx,
        super::evaluation::Insert {
            kind: Kind::Service,
            channel,
            given: &given,
            facts: super::evaluation::Facts {
                ticket_id: Some(r.ticket_id),
                case_id: case.map(|c| c.0),
                matter_id: case.map(|c| c.1),
                department_id: case.map(|c| c.2),
                region_id,
                hall_id: Some(hall_id),
                window_id: Some(window_id),
                clerk_id,
                figures_channel: onewindow_core::case::Channel::Window.code().into(),
            },
            online_case: false,
            rater: &Rater::default(),
            plan,
            at,
        },
    )
    .await?;
    B::commit(tx).await?;
    Ok(rated)
}

pub(super) async fn ticket_facts<B: Backend>(
    b: &B,
    hall_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TicketFact>> {
    type Row = (
        i64,
        Option<i64>,
        Option<i64>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        String,
        i64,
    );
    let rows: Vec<Row> = b
        .read_all(
            sql(
                "SELECT category_id, window_id, clerk_id, issued_at, first_called_at, called_at,
                 finished_at, state, transfers FROM tickets
                 WHERE hall_id = $1 AND day >= $2 AND day <= $3 ORDER BY id",
            )
            .bind(hall_id)
            .bind(from)
            .bind(to),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| TicketFact {
            category_id: r.0,
            window_id: r.1,
            clerk_id: r.2,
            issued_at: r.3,
            first_called_at: r.4,
            called_at: r.5,
            finished_at: r.6,
            state: r.7,
            transfers: r.8,
        })
        .collect())
}

/// Closes the days before `today`: tickets still waiting or called are cancelled (the hall
/// closed on them), and the calls recorded for the fairness rule before `from_arrival` (today's
/// first moment) are dropped, since no waiting ticket can have arrived before them. One trail
/// entry per hall. Returns how many tickets were closed.
pub(super) async fn close_past_days<B: Backend>(
    b: &B,
    ctx: &Context,
    today: NaiveDate,
    from_arrival: i64,
    at: DateTime<Utc>,
) -> Result<i64> {
    let mut tx = b.begin().await?;
    let closed: Vec<(i64, i64)> = B::all(
        &mut tx,
        sql(
            "UPDATE tickets SET state = 'cancelled', finished_at = COALESCE(finished_at, $1),
             version = version + 1 WHERE day < $2 AND state IN ('waiting', 'called')
             RETURNING id, hall_id",
        )
        .bind(at)
        .bind(today),
    )
    .await?;
    B::exec(
        &mut tx,
        sql("DELETE FROM category_calls WHERE arrival < $1").bind(from_arrival),
    )
    .await?;
    let mut halls: Vec<(i64, i64)> = Vec::new();
    for (_, h) in &closed {
        match halls.iter_mut().find(|x| x.0 == *h) {
            Some(x) => x.1 += 1,
            None => halls.push((*h, 1)),
        }
    }
    let mut trail = Vec::new();
    for (h, n) in &halls {
        let region = hall_region::<B>(&mut tx, *h).await?;
        trail.push(Pending::now(
            ctx,
            change(
                "hall",
                "close_day",
                *h,
                (None, Some(region)),
                None,
                Some(&json!({"before": today, "tickets_closed": n})),
            ),
        ));
    }
    append_all::<B>(&mut tx, trail).await?;
    B::commit(tx).await?;
    Ok(closed.len() as i64)
}
