//! Live updates between instances. Several instances may serve one PostgreSQL database; a
//! display or a workbench is connected to one of them, while the clerk's call or the
//! supervisor's urge may come through another. Each instance sends what its own subscribers
//! hear to the others through the database (NOTIFY, after the change is committed), and passes
//! on what the others send (LISTEN). On SQLite there is one instance and nothing to relay.
//!
//! What travels is small: a call or a finish as its JSON (the voice must not wait), that a
//! hall's board changed (each instance reads it again from the database), or an urge's id
//! (read again, so a workbench sees it as committed), or that a cache every instance keeps (the
//! calendar, the grid map) is stale, so that a holiday entered through one instance counts on
//! all of them at once rather than when their copies expire.

use crate::state::AppState;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use tokio::sync::mpsc;

/// The database channel the instances share.
pub const CHANNEL: &str = "onewindow_live";

/// PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7900;

/// Messages waiting to be sent, in order.
const QUEUE: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Relayed {
    /// A hall event for the displays (`call`, `finish`) with its JSON.
    Hall {
        hall: i64,
        name: String,
        data: String,
    },
    /// A hall's board changed.
    Board { hall: i64 },
    /// Every hall's board changed (a staff member's name or photo).
    Boards,
    /// An urge was issued, raised, referred, escalated or answered.
    Urge { id: i64 },
    /// What a cache holds was changed.
    Stale { cache: Cache },
}

/// The caches each instance keeps of what changes rarely. (The catalog's view needs no message:
/// it compares the store's generation every second.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cache {
    /// The working-day calendar and the case rules.
    Calendar,
    /// Grids, categories and the grid rules.
    Grid,
}

/// A change to what `cache` holds, committed: forgotten here, and by the other instances.
pub fn stale(state: &AppState, cache: Cache) {
    forget_here(state, cache);
    publish(state, Relayed::Stale { cache });
}

fn forget_here(state: &AppState, cache: Cache) {
    match cache {
        Cache::Calendar => state.calendar.invalidate(),
        Cache::Grid => state.grid_map.invalidate(),
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    from: String,
    #[serde(flatten)]
    msg: Relayed,
}

/// This instance's end of the relay: its name among the instances and its queue of messages
/// to send.
pub struct Relay {
    pub instance: String,
    tx: mpsc::Sender<String>,
    rx: Mutex<Option<mpsc::Receiver<String>>>,
}

impl Default for Relay {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        let host = std::env::var("HOSTNAME").unwrap_or_default();
        Relay {
            instance: format!(
                "{host}:{}:{:08x}",
                std::process::id(),
                rand::random::<u32>()
            ),
            tx,
            rx: Mutex::new(Some(rx)),
        }
    }
}

/// Tells the other instances; on SQLite, nothing.
pub fn publish(state: &AppState, msg: Relayed) {
    if state.store.backend() != "postgres" {
        return;
    }
    let Ok(payload) = serde_json::to_string(&Envelope {
        from: state.relay.instance.clone(),
        msg,
    }) else {
        return;
    };
    if payload.len() > MAX_PAYLOAD {
        tracing::warn!(bytes = payload.len(), "a live update too large to relay");
        return;
    }
    if state.relay.tx.try_send(payload).is_err() {
        tracing::warn!("the relay's queue is full: a live update was not sent to other instances");
    }
}

/// Sends this instance's messages and passes on the others', until `stop` resolves.
pub async fn run(state: AppState, stop: impl std::future::Future<Output = ()>) {
    let Some(mut outgoing) = state.relay.rx.lock().ok().and_then(|mut r| r.take()) else {
        return;
    };
    let mut incoming = match state.store.listen(CHANNEL).await {
        Ok(Some(l)) => l,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen to the other instances: live updates stay on this one");
            return;
        }
    };
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(payload) = outgoing.recv() => {
                if let Err(e) = state.store.notify(CHANNEL, &payload).await {
                    tracing::warn!(error = %e, "a live update was not sent to the other instances");
                }
            }
            heard = incoming.recv() => match heard {
                Some(Some(payload)) => receive(&state, &payload).await,
                // The connection was made again: whatever was missed, the boards and the caches
                // are read anew.
                Some(None) => {
                    super::hall_live::changed_everywhere_here(&state);
                    forget_here(&state, Cache::Calendar);
                    forget_here(&state, Cache::Grid);
                }
                None => break,
            },
        }
    }
}

async fn receive(state: &AppState, payload: &str) {
    let Ok(e) = serde_json::from_str::<Envelope>(payload) else {
        tracing::warn!("an unreadable live update from another instance");
        return;
    };
    if e.from == state.relay.instance {
        return;
    }
    match e.msg {
        Relayed::Hall { hall, name, data } => state.hall_live.relayed(hall, &name, data),
        Relayed::Board { hall } => super::hall_live::changed_here(state, hall),
        Relayed::Boards => super::hall_live::changed_everywhere_here(state),
        Relayed::Urge { id } => match state.store.urge(id).await {
            Ok(Some(u)) => state.urge_live.send_here(&u),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, id, "a relayed urge could not be read"),
        },
        Relayed::Stale { cache } => forget_here(state, cache),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_as_sent() {
        for msg in [
            Relayed::Hall {
                hall: 3,
                name: "call".into(),
                data: r#"{"number":"A001"}"#.into(),
            },
            Relayed::Board { hall: 3 },
            Relayed::Boards,
            Relayed::Urge { id: 17 },
            Relayed::Stale {
                cache: Cache::Calendar,
            },
        ] {
            let text = serde_json::to_string(&Envelope {
                from: "a".into(),
                msg: msg.clone(),
            })
            .unwrap_or_default();
            let back: Envelope = serde_json::from_str(&text).expect("reads back");
            assert_eq!((back.from.as_str(), back.msg), ("a", msg));
        }
    }
}
