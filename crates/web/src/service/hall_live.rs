//! The hall's live displays: every change at a window reaches the board, the window screens and
//! the pads of that hall as server-sent events. A call goes out at once (the voice must not
//! wait); the board is recomputed after a change, and changes that arrive while it is being
//! recomputed are folded into the next one, so a busy morning costs one board per round, not
//! one per call. What happens through another instance reaches this one's displays through the
//! relay (`relay.rs`).

use super::relay::{self, Relayed};
use crate::state::AppState;
use onewindow_core::hall::board::{Board, CallLine};
use onewindow_core::time::local_date;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::broadcast;

/// One server-sent event: its name (`board`, `call`, `finish`) and its JSON.
#[derive(Clone, Debug)]
pub struct LiveEvent {
    pub name: &'static str,
    pub data: Arc<str>,
}

struct Channel {
    tx: broadcast::Sender<LiveEvent>,
    latest: RwLock<Option<(Arc<Board>, Arc<str>)>>,
    refreshing: AtomicBool,
    dirty: AtomicBool,
}

#[derive(Default)]
pub struct HallLive {
    halls: Mutex<HashMap<i64, Arc<Channel>>>,
}

impl HallLive {
    fn channel(&self, hall_id: i64) -> Arc<Channel> {
        let mut halls = self.halls.lock().unwrap_or_else(|p| p.into_inner());
        halls
            .entry(hall_id)
            .or_insert_with(|| {
                Arc::new(Channel {
                    tx: broadcast::channel(256).0,
                    latest: RwLock::new(None),
                    refreshing: AtomicBool::new(false),
                    dirty: AtomicBool::new(false),
                })
            })
            .clone()
    }

    /// The events of a hall from now on.
    pub fn subscribe(&self, hall_id: i64) -> broadcast::Receiver<LiveEvent> {
        self.channel(hall_id).tx.subscribe()
    }

    fn send(&self, hall_id: i64, name: &'static str, data: String) {
        let _ = self.channel(hall_id).tx.send(LiveEvent {
            name,
            data: data.into(),
        });
    }

    /// A call or a finish heard from another instance, for this one's displays.
    pub fn relayed(&self, hall_id: i64, name: &str, data: String) {
        match name {
            "call" => self.send(hall_id, "call", data),
            "finish" => self.send(hall_id, "finish", data),
            _ => {}
        }
    }
}

fn send_everywhere(state: &AppState, hall_id: i64, name: &'static str, data: String) {
    state.hall_live.send(hall_id, name, data.clone());
    relay::publish(
        state,
        Relayed::Hall {
            hall: hall_id,
            name: name.into(),
            data,
        },
    );
}

/// A call, for the voice and the screens, sent at once.
pub fn call(state: &AppState, hall_id: i64, line: &CallLine) {
    if let Ok(j) = serde_json::to_string(line) {
        send_everywhere(state, hall_id, "call", j);
    }
}

/// A ticket finished at a window: the window's pad asks for a rating.
pub fn finished(state: &AppState, hall_id: i64, payload: serde_json::Value) {
    send_everywhere(state, hall_id, "finish", payload.to_string());
}

/// The hall's board: as the displays last got it when nothing has changed since, else read now.
pub async fn board(
    state: &AppState,
    hall_id: i64,
) -> crate::error::AppResult<(Arc<Board>, Arc<str>)> {
    let ch = state.hall_live.channel(hall_id);
    let settled = !ch.dirty.load(Ordering::SeqCst) && !ch.refreshing.load(Ordering::SeqCst);
    if settled
        && let Ok(l) = ch.latest.read()
        && let Some(b) = l.as_ref()
        && b.0.day == local_date(state.config.clock.now())
    {
        return Ok(b.clone());
    }
    refresh_now(state, &ch, hall_id).await
}

async fn refresh_now(
    state: &AppState,
    ch: &Channel,
    hall_id: i64,
) -> crate::error::AppResult<(Arc<Board>, Arc<str>)> {
    let day = local_date(state.config.clock.now());
    let b = Arc::new(state.store.board(hall_id, day).await?);
    let j: Arc<str> = serde_json::to_string(b.as_ref())
        .unwrap_or_else(|_| "{}".into())
        .into();
    if let Ok(mut l) = ch.latest.write() {
        *l = Some((b.clone(), j.clone()));
    }
    Ok((b, j))
}

/// Something every hall may show changed (a staff member's photo or name): every hall with
/// displays, on every instance, recomputes its board.
pub fn changed_everywhere(state: &AppState) {
    changed_everywhere_here(state);
    relay::publish(state, Relayed::Boards);
}

/// Every hall with displays on this instance recomputes its board.
pub fn changed_everywhere_here(state: &AppState) {
    let halls: Vec<i64> = {
        let halls = state
            .hall_live
            .halls
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        halls.keys().copied().collect()
    };
    for h in halls {
        changed_here(state, h);
    }
}

/// Something changed in the hall: every instance recomputes the board for its displays.
pub fn changed(state: &AppState, hall_id: i64) {
    changed_here(state, hall_id);
    relay::publish(state, Relayed::Board { hall: hall_id });
}

/// Recompute the board and send it to every display on this instance, folding changes that
/// arrive meanwhile into the next round.
pub fn changed_here(state: &AppState, hall_id: i64) {
    let ch = state.hall_live.channel(hall_id);
    // No display of this hall on this instance (the usual case for a change relayed from
    // another): forget the board rather than read it for nobody; the next reader reads it.
    if ch.tx.receiver_count() == 0 && !ch.refreshing.load(Ordering::SeqCst) {
        if let Ok(mut l) = ch.latest.write() {
            *l = None;
        }
        return;
    }
    ch.dirty.store(true, Ordering::SeqCst);
    if ch.refreshing.swap(true, Ordering::SeqCst) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        loop {
            ch.dirty.store(false, Ordering::SeqCst);
            match refresh_now(&state, &ch, hall_id).await {
                Ok((_, j)) => {
                    let _ = ch.tx.send(LiveEvent {
                        name: "board",
                        data: j,
                    });
                }
                Err(e) => tracing::warn!(hall_id, "the hall board could not be read: {e:?}"),
            }
            ch.refreshing.store(false, Ordering::SeqCst);
            if !ch.dirty.load(Ordering::SeqCst) || ch.refreshing.swap(true, Ordering::SeqCst) {
                break;
            }
        }
    });
}
