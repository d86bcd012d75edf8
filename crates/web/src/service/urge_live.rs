//! Urges as they happen, for the workbenches that show them: each open page hears of an urge
//! addressed to its reader at once (server-sent events) and shows it until it is answered.
//! Subscribers on this instance only, like the hall's displays (several instances relay
//! through the database in issue 11).

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
    /// An urge was issued, raised or answered.
    pub fn send(&self, u: &Urge) {
        let _ = self.tx.send(Arc::new(u.clone()));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Urge>> {
        self.tx.subscribe()
    }
}
