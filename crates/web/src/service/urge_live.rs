//! Urges as they happen, for the workbenches that show them: each open page hears of an urge
//! addressed to its reader at once (server-sent events) and shows it until it is answered.
//! An urge made through another instance reaches this one's pages through the relay.

use onewindow_core::supervision::urge::Urge;
use std::sync::Arc;
use tokio::sync::broadcast;

pub struct UrgeLive {
    tx: broadcast::Sender<Arc<Urge>>,
}

impl Default for UrgeLive {
    fn default() -> Self {
        UrgeLive {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl UrgeLive {
    /// An urge heard from another instance: this instance's pages only.
    pub fn send_here(&self, u: &Urge) {
        let _ = self.tx.send(Arc::new(u.clone()));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Urge>> {
        self.tx.subscribe()
    }
}

/// An urge was issued, raised or answered: every instance's pages hear it.
pub fn send(state: &crate::state::AppState, u: &Urge) {
    state.urge_live.send_here(u);
    super::relay::publish(state, super::relay::Relayed::Urge { id: u.id });
}
