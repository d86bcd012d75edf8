//! Calls decided together. When many windows call at once, the calls that are waiting are taken
//! as one batch in one transaction: the windows, their seats, whoever stands at them and the
//! categories they serve are read with one statement each; each category's queue head is read
//! once, with as many tickets as windows in the batch may take from it; the core's rule then
//! assigns tickets window by window in memory, exactly as one call after another would; and the
//! claims, the passes and the trail are written with one statement each before one commit. The
//! answer comes after the commit. On PostgreSQL the heads are read `FOR UPDATE SKIP LOCKED` and
//! claimed with `WHERE state = 'waiting'`, so several instances never call one ticket twice.

use super::audit::{Pending, append_all};
use super::hall::{TICKET_COLS, TicketRow};
use super::hall_window::{self, ticket_change};
use crate::backend::{Backend, multi_row, placeholders, sql};
use crate::error::{Result, StoreError};
use crate::model::{WindowAct, WindowOutcome};
use onewindow_core::DomainError;
use onewindow_core::audit::{Change, Context};
use onewindow_core::hall::queue::{Waiting, pick};
use onewindow_core::hall::ticket::{Priority, Ticket};
use onewindow_core::hall::window::{self, WindowAction};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most calls in one batch.
const MAX_BATCH: usize = 256;

struct Job {
    ctx: Context,
    act: WindowAct,
    reply: oneshot::Sender<Result<WindowOutcome>>,
}

pub(crate) struct CallBatcher {
    jobs: mpsc::Sender<Job>,
}

impl CallBatcher {
    /// Starts the calling task; it ends when the last handle is dropped.
    pub fn start<B: Backend>(b: Arc<B>) -> CallBatcher {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(b, rx));
        CallBatcher { jobs }
    }

    /// A call-next, answered once the batch it joined has committed.
    pub async fn call(&self, ctx: &Context, act: WindowAct) -> Result<WindowOutcome> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                ctx: ctx.clone(),
                act,
                reply,
            })
            .await
            .map_err(|_| StoreError::Database("the calling task has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Database("the calling task dropped a call".into()))?
    }
}

async fn run<B: Backend>(b: Arc<B>, mut rx: mpsc::Receiver<Job>) {
    // A window calling twice in one batch waits for the next: its second call finishes what
    // the first one called.
    let mut carry: Vec<Job> = Vec::new();
    loop {
        if carry.is_empty() {
            match rx.recv().await {
                Some(j) => carry.push(j),
                None => return,
            }
        }
        while carry.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => carry.push(j),
                Err(_) => break,
            }
        }
        let mut batch: Vec<Job> = Vec::new();
        let mut later: Vec<Job> = Vec::new();
        for j in carry.drain(..) {
            if batch.iter().any(|x| x.act.window_id == j.act.window_id) {
                later.push(j);
            } else {
                batch.push(j);
            }
        }
        carry = later;
        let answers = match decide::<B>(b.as_ref(), &batch).await {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(error = %e, "a batch of calls failed");
                batch.iter().map(|_| Err(copy(&e))).collect()
            }
        };
        for (j, a) in batch.into_iter().zip(answers) {
            let _ = j.reply.send(a);
        }
    }
}

fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::Domain(d) => StoreError::Domain(d.clone()),
        other => StoreError::Database(other.to_string()),
    }
}

fn ids_in(first: usize, n: usize) -> String {
    placeholders(first, n)
}

/// A waiting ticket as read for the batch.
#[derive(Clone, Debug)]
struct Cand {
    id: i64,
    priority: Priority,
    arrival: i64,
    for_window: Option<i64>,
}

/// One category's part of the queue, as far as the batch may need it.
struct Queue {
    /// By rank, then arrival.
    best: Vec<Cand>,
    /// Ordinary tickets by arrival.
    ordinary: Vec<Cand>,
    /// The latest arrivals called in this category, newest first, at most `max_passes`: a
    /// waiting ordinary ticket's passes are how many of these arrived after it.
    recent: Vec<i64>,
    /// The lists were cut at their limit: more tickets may wait than were read.
    cut: bool,
}

impl Queue {
    fn head(&self, taken: &[i64], window_id: i64, ordinary: bool) -> Option<&Cand> {
        let list = if ordinary { &self.ordinary } else { &self.best };
        list.iter()
            .find(|c| !taken.contains(&c.id) && c.for_window.is_none_or(|w| w == window_id))
    }
}

struct Seat {
    hall_id: i64,
    region_id: i64,
    paused: bool,
    categories: Vec<i64>,
}

type Decision = (usize, Option<Ticket>);

async fn decide<B: Backend>(b: &B, jobs: &[Job]) -> Result<Vec<Result<WindowOutcome>>> {
    let mut answers: Vec<Option<Result<WindowOutcome>>> = jobs.iter().map(|_| None).collect();
    let mut tx = b.begin().await?;
    let wids: Vec<i64> = jobs.iter().map(|j| j.act.window_id).collect();
    let list = ids_in(1, wids.len());
    let with_ids = |text: String| {
        let mut q = sql(text);
        for w in &wids {
            q = q.bind(*w);
        }
        q
    };
    let mut windows = hall_window::open_windows::<B>(&mut tx, &wids).await?;
    let mut seats: HashMap<i64, Seat> = HashMap::new();
    for (i, j) in jobs.iter().enumerate() {
        match windows
            .remove(&j.act.window_id)
            .unwrap_or_else(|| Err(missing()))
        {
            Err(e) => answers[i] = Some(Err(e)),
            Ok((hall_id, region_id)) => {
                seats.insert(
                    j.act.window_id,
                    Seat {
                        hall_id,
                        region_id,
                        paused: false,
                        categories: Vec::new(),
                    },
                );
            }
        }
    }
    let live: Vec<usize> = (0..jobs.len()).filter(|i| answers[*i].is_none()).collect();
    if live.is_empty() {
        return Ok(answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err(missing())))
            .collect());
    }
    // Take the seats (this serialises with any other action at these windows).
    let paused = hall_window::take_seats::<B>(&mut tx, live.iter().map(|i| &jobs[*i].act)).await?;
    for (w, p) in paused {
        if let Some(s) = seats.get_mut(&w) {
            s.paused = p;
        }
    }
    let cats: Vec<(i64, i64)> = B::all(
        &mut tx,
        with_ids(format!(
            "SELECT window_id, category_id FROM window_categories WHERE window_id IN ({list})
             ORDER BY window_id, rank"
        )),
    )
    .await?;
    for (w, c) in cats {
        if let Some(s) = seats.get_mut(&w) {
            s.categories.push(c);
        }
    }
    let mut calling: Vec<usize> = Vec::new();
    for i in live {
        let a = &jobs[i].act;
        let Some(s) = seats.get(&a.window_id) else {
            continue;
        };
        // Calling next needs only an open window: whoever is at it is finished below.
        if let Err(e) = window::check(&a.action, s.paused, false) {
            answers[i] = Some(Err(e.into()));
        } else if s.categories.is_empty() {
            answers[i] = Some(Err(DomainError::conflict(
                "window",
                "该窗口尚未设置办理的业务类别",
                "this window serves no category yet",
            )
            .into()));
        } else {
            calling.push(i);
        }
    }

    // Whoever stands at a calling window is done.
    let mut trail: Vec<(usize, Change)> = Vec::new();
    let mut finished: HashMap<i64, Ticket> = HashMap::new();
    if !calling.is_empty() {
        let at = jobs[calling[0]].act.at;
        let mut q = sql(String::new()).bind(at);
        for i in &calling {
            q = q.bind(jobs[*i].act.window_id);
        }
        q.text = format!(
            "UPDATE tickets SET state = 'finished', finished_at = $1, version = version + 1
             WHERE window_id IN ({}) AND state = 'called' RETURNING {TICKET_COLS}",
            ids_in(2, calling.len())
        )
        .into();
        let rows: Vec<TicketRow> = B::all(&mut tx, q).await?;
        for r in rows {
            let t: Ticket = r.try_into()?;
            if let Some(w) = t.window_id {
                finished.insert(w, t);
            }
        }
    }

    // The queues of the categories the calling windows serve, as deep as they may need.
    let max_passes = jobs.first().map_or(3, |j| j.act.max_passes).max(0);
    // (hall, category) → how many calling windows serve it.
    let mut need: HashMap<(i64, i64), i64> = HashMap::new();
    for i in &calling {
        if let Some(s) = seats.get(&jobs[*i].act.window_id) {
            for c in &s.categories {
                *need.entry((s.hall_id, *c)).or_default() += 1;
            }
        }
    }
    let mut queues: HashMap<i64, Queue> = HashMap::new();
    let mine = format!(
        "(for_window IS NULL OR for_window IN ({}))",
        ids_in(4, wids.len())
    );
    for ((hall_id, c), n) in &need {
        let limit = n + 1;
        let read = |ordinary: bool| {
            let rank = if ordinary {
                format!(" AND rank = {}", Priority::Ordinary.rank())
            } else {
                String::new()
            };
            let order = if ordinary {
                "arrival, id"
            } else {
                "rank, arrival, id"
            };
            let mut q = sql(format!(
                "SELECT id, priority, arrival, for_window FROM tickets
                 WHERE hall_id = $1 AND category_id = $2 AND state = 'waiting'{rank} AND {mine}
                 ORDER BY {order} LIMIT $3{}",
                B::SKIP_LOCKED
            ))
            .bind(*hall_id)
            .bind(*c)
            .bind(limit);
            for w in &wids {
                q = q.bind(*w);
            }
            q
        };
        let best: Vec<(i64, String, i64, Option<i64>)> = B::all(&mut tx, read(false)).await?;
        let ordinary: Vec<(i64, String, i64, Option<i64>)> = B::all(&mut tx, read(true)).await?;
        let recent: Vec<(i64,)> = B::all(
            &mut tx,
            sql("SELECT arrival FROM category_calls WHERE category_id = $1 ORDER BY arrival DESC LIMIT $2")
                .bind(*c)
                .bind(max_passes),
        )
        .await?;
        let cand = |rows: Vec<(i64, String, i64, Option<i64>)>| -> Result<Vec<Cand>> {
            rows.into_iter()
                .map(|(id, p, arrival, for_window)| {
                    Ok(Cand {
                        id,
                        priority: Priority::parse(&p).ok_or_else(|| {
                            StoreError::Database(format!("unknown priority '{p}'"))
                        })?,
                        arrival,
                        for_window,
                    })
                })
                .collect()
        };
        let cut = best.len() as i64 >= limit || ordinary.len() as i64 >= limit;
        queues.insert(
            *c,
            Queue {
                best: cand(best)?,
                ordinary: cand(ordinary)?,
                recent: recent.into_iter().map(|r| r.0).collect(),
                cut,
            },
        );
    }

    // Window by window, in the order the calls came, as one call after another would.
    let mut taken: Vec<i64> = Vec::new();
    let mut chosen: Vec<(usize, i64, i64)> = Vec::new(); // (job, ticket, arrival)
    let mut calls_made: Vec<(i64, i64)> = Vec::new(); // category_calls rows
    let mut fallback: Vec<usize> = Vec::new();
    let mut decisions: Vec<Decision> = Vec::new();
    for i in &calling {
        let a = &jobs[*i].act;
        let Some(s) = seats.get(&a.window_id) else {
            continue;
        };
        let mut heads: Vec<Waiting> = Vec::new();
        let mut maybe_more = false;
        for c in &s.categories {
            let Some(q) = queues.get(c) else { continue };
            maybe_more |= q.cut;
            let best = q.head(&taken, a.window_id, false);
            let oldest = q.head(&taken, a.window_id, true);
            if let Some(b) = best.filter(|b| b.priority != Priority::Ordinary) {
                heads.push(Waiting {
                    id: b.id,
                    category_id: *c,
                    priority: b.priority,
                    arrival: b.arrival,
                    passed: 0,
                });
            }
            if let Some(o) = oldest {
                let passed = q.recent.iter().filter(|r| **r > o.arrival).count() as i64;
                heads.push(Waiting {
                    id: o.id,
                    category_id: *c,
                    priority: o.priority,
                    arrival: o.arrival,
                    passed: passed.min(max_passes),
                });
            }
        }
        match pick(&heads, &s.categories, max_passes) {
            Some(p) => {
                let arrival = heads
                    .iter()
                    .find(|h| h.id == p.ticket_id)
                    .map_or(0, |h| h.arrival);
                taken.push(p.ticket_id);
                chosen.push((*i, p.ticket_id, arrival));
                for c in &s.categories {
                    calls_made.push((*c, arrival));
                    if let Some(q) = queues.get_mut(c) {
                        q.recent.push(arrival);
                        q.recent.sort_unstable_by(|x, y| y.cmp(x));
                        q.recent.truncate(max_passes as usize);
                    }
                }
            }
            // The lists read were cut short: this window's turn is worked out on its own below.
            None if maybe_more => fallback.push(*i),
            None => decisions.push((*i, None)),
        }
    }

    // The claims, one statement.
    if !chosen.is_empty() {
        let mut q = sql(String::new());
        let mut values = Vec::new();
        for (i, id, _) in &chosen {
            let a = &jobs[*i].act;
            values.push(format!("({})", placeholders(q.args.len() + 1, 4)));
            q = q.bind(*id).bind(a.window_id).bind(a.clerk_id).bind(a.at);
        }
        q.text = format!(
            "UPDATE tickets SET state = 'called', window_id = v.column2, clerk_id = v.column3,
             called_at = v.column4, first_called_at = COALESCE(tickets.first_called_at, v.column4),
             for_window = NULL, version = tickets.version + 1
             FROM (VALUES {}) AS v WHERE tickets.id = v.column1 AND tickets.state = 'waiting'
             RETURNING {TICKET_COLS}",
            values.join(", ")
        )
        .into();
        let rows: Vec<TicketRow> = B::all(&mut tx, q).await?;
        let mut called: HashMap<i64, Ticket> = HashMap::new();
        for r in rows {
            let t: Ticket = r.try_into()?;
            called.insert(t.id, t);
        }
        for (i, id, _) in &chosen {
            match called.remove(id) {
                Some(t) => decisions.push((*i, Some(t))),
                None => {
                    answers[*i] = Some(Err(StoreError::Database(format!(
                        "ticket {id} was taken meanwhile"
                    ))))
                }
            }
        }
    }
    let rows = calls_made
        .iter()
        .map(|(c, arrival)| vec![(*c).into(), (*arrival).into()])
        .collect();
    for q in multi_row::<B>(
        "INSERT INTO category_calls (category_id, arrival)",
        "",
        rows,
    ) {
        B::exec(&mut tx, q).await?;
    }
    // Windows whose queues were read too short take their turn one by one, after the others.
    for i in fallback {
        let a = &jobs[i].act;
        let hall_id = seats.get(&a.window_id).map_or(0, |s| s.hall_id);
        let t = hall_window::call_next_in::<B>(&mut tx, a, hall_id).await?;
        decisions.push((i, t));
    }

    let mut tallies = super::rollup::Tallies::default();
    for (i, t) in decisions {
        let a = &jobs[i].act;
        let Some(s) = seats.get(&a.window_id) else {
            continue;
        };
        let done = finished.remove(&a.window_id);
        if let Some(d) = &done {
            trail.push((i, ticket_change("finish", d, s.region_id, json!({}))));
        }
        if let Some(t) = &t {
            trail.push((i, ticket_change("call_next", t, s.region_id, json!({}))));
            super::figures::track_call(&mut tallies, s.region_id, t);
        }
        answers[i] = Some(Ok(WindowOutcome {
            window_id: a.window_id,
            hall_id: s.hall_id,
            paused: s.paused,
            ticket: t,
            finished: done,
        }));
    }
    append_all::<B>(
        &mut tx,
        trail
            .into_iter()
            .map(|(i, c)| Pending::now(&jobs[i].ctx, c))
            .collect(),
    )
    .await?;
    tallies.write::<B>(&mut tx).await?;
    B::commit(tx).await?;
    Ok(answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(missing())))
        .collect())
}

fn missing() -> StoreError {
    StoreError::Database("a call was left unanswered".into())
}

/// Whether an action goes through the batch.
pub(crate) fn batched(a: &WindowAction) -> bool {
    *a == WindowAction::CallNext
}
