//! Background work of a serving instance: sending the outbox, and accepting by law the cases
//! whose completeness was not decided in time (行政许可法 art. 32). Several instances may run
//! these at once: the outbox marks each message once, and a case is accepted under its version
//! check, so a second instance's attempt simply finds nothing to do.

use crate::service::cases::{deem_overdue, now};
use crate::service::notify::{Notifier, run_once};
use crate::state::AppState;
use std::time::Duration;

pub const OUTBOX_EVERY: Duration = Duration::from_secs(5);
pub const DEEMED_EVERY: Duration = Duration::from_secs(300);

/// Runs until `stop` resolves.
pub async fn run(state: AppState, notifier: Notifier, stop: impl std::future::Future<Output = ()>) {
    let mut outbox = tokio::time::interval(OUTBOX_EVERY);
    let mut deemed = tokio::time::interval(DEEMED_EVERY);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = outbox.tick() => {
                run_once(state.store.as_ref(), &notifier, now()).await;
            }
            _ = deemed.tick() => {
                match deem_overdue(&state, now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(cases = n, "accepted by law after the completeness deadline"),
                    Err(e) => tracing::error!(error = ?e.message, "deemed-acceptance sweep failed"),
                }
            }
        }
    }
}
