//! Background work of a serving instance: sending the outbox, accepting by law the cases whose
//! completeness was not decided in time (行政许可法 art. 32), recording the appointments nobody
//! came to, closing the hall's past days, the supervision warnings (reminders at yellow,
//! escalation at red and past an urge's limit), and the audit trail's hourly checkpoint.
//!
//! Several instances may share one database. Each job runs on the one instance that holds its
//! lease (`job_leases`), renewed every round; when that instance stops, the lease runs out after
//! three rounds and another takes the job over. Beneath the leases, each piece of work is
//! claimed once in the store whoever runs it: the outbox's messages are taken for sending
//! (`SKIP LOCKED` on PostgreSQL), a case is accepted under its version check, each warning is
//! claimed before it is acted on, and the hall's and appointments' sweeps are single updates.

use crate::service::cases::{deem_overdue, now};
use crate::service::notify::{Notifier, run_once};
use crate::state::AppState;
use std::time::Duration;

pub const OUTBOX_EVERY: Duration = Duration::from_secs(5);
pub const DEEMED_EVERY: Duration = Duration::from_secs(300);
pub const NO_SHOWS_EVERY: Duration = Duration::from_secs(60);
pub const HALL_DAYS_EVERY: Duration = Duration::from_secs(600);
pub const WARNINGS_EVERY: Duration = Duration::from_secs(60);
pub const UPGRADE_EVERY: Duration = Duration::from_secs(60);
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(3600);

/// How long a message taken for sending stays taken: long enough to send it, short enough that
/// another instance retries soon if this one stopped meanwhile.
const SENDING_LEASE: Duration = Duration::from_secs(120);

/// Whether this instance runs `job` this round: it holds or has now taken the job's lease.
async fn leased(state: &AppState, job: &str, every: Duration) -> bool {
    match state
        .store
        .lease_job(job, &state.relay.instance, every * 3)
        .await
    {
        Ok(held) => held,
        Err(e) => {
            tracing::error!(job, error = %e, "cannot take the job's lease");
            false
        }
    }
}

/// Runs until `stop` resolves.
pub async fn run(state: AppState, notifier: Notifier, stop: impl std::future::Future<Output = ()>) {
    let mut outbox = tokio::time::interval(OUTBOX_EVERY);
    let mut deemed = tokio::time::interval(DEEMED_EVERY);
    let mut no_shows = tokio::time::interval(NO_SHOWS_EVERY);
    let mut hall_days = tokio::time::interval(HALL_DAYS_EVERY);
    let mut warnings = tokio::time::interval(WARNINGS_EVERY);
    let mut checkpoints = tokio::time::interval(CHECKPOINT_EVERY);
    tokio::pin!(stop);
    // After an upgrade: cases written before their light days were kept (or under an older
    // light rule) get them, and figures of data written before the rollups were kept are
    // counted, beside the other work. Tried again every round until done: the instance that
    // held the lease may have stopped before it finished (a restart soon after a start).
    let first = state.clone();
    tokio::spawn(async move {
        loop {
            if leased(&first, "upgrade", UPGRADE_EVERY).await && upgrade(&first).await {
                return;
            }
            tokio::time::sleep(UPGRADE_EVERY).await;
        }
    });
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = outbox.tick() => {
                if leased(&state, "outbox", OUTBOX_EVERY).await {
                    run_once(state.store.as_ref(), &notifier, now(), SENDING_LEASE).await;
                }
            }
            _ = deemed.tick() => {
                if !leased(&state, "deemed", DEEMED_EVERY).await {
                    continue;
                }
                match deem_overdue(&state, now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(cases = n, "accepted by law after the completeness deadline"),
                    Err(e) => tracing::error!(error = ?e.message, "deemed-acceptance sweep failed"),
                }
            }
            _ = hall_days.tick() => {
                if !leased(&state, "hall-days", HALL_DAYS_EVERY).await {
                    continue;
                }
                match crate::service::hall::close_past_days(&state).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(tickets = n, "tickets left from earlier days closed"),
                    Err(e) => tracing::error!(error = ?e.message, "closing the hall's past days failed"),
                }
            }
            _ = warnings.tick() => {
                if !leased(&state, "warnings", WARNINGS_EVERY).await {
                    continue;
                }
                match crate::service::supervision::warn(&state, now()).await {
                    Ok(r) if r == Default::default() => {}
                    Ok(r) => tracing::info!(?r, "supervision warnings"),
                    Err(e) => tracing::error!(error = ?e.message, "supervision warnings failed"),
                }
            }
            _ = checkpoints.tick() => {
                if !leased(&state, "audit-checkpoint", CHECKPOINT_EVERY).await {
                    continue;
                }
                match checkpoint_if_moved(state.store.as_ref()).await {
                    Ok(Some(c)) => tracing::info!(root = %c.root, "audit checkpoint taken"),
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = %e, "audit checkpoint failed"),
                }
            }
            _ = no_shows.tick() => {
                if !leased(&state, "no-shows", NO_SHOWS_EVERY).await {
                    continue;
                }
                match crate::service::appointments::sweep_no_shows(&state).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(appointments = n, "appointments not checked in: no-shows"),
                    Err(e) => tracing::error!(error = ?e.message, "no-show sweep failed"),
                }
            }
        }
    }
}

/// Binds the trail's chains into a checkpoint, unless nothing was written since the last one.
pub async fn checkpoint_if_moved(
    store: &dyn onewindow_store::Store,
) -> Result<Option<onewindow_core::audit::Checkpoint>, onewindow_store::StoreError> {
    let heads = store.audit_heads().await?;
    let last = store.audit_checkpoints(1).await?;
    if last.first().is_some_and(|c| c.heads == heads) {
        return Ok(None);
    }
    store.take_audit_checkpoint().await.map(Some)
}

/// The work an upgrade leaves (see `run`); true when nothing is left.
async fn upgrade(state: &AppState) -> bool {
    let pending = |v: Option<String>| v.as_deref() == Some("\"pending\"");
    if let Ok(v) = state.store.setting("cases.relight").await
        && pending(v)
    {
        match crate::service::cases::relight(state).await {
            Ok(n) => {
                tracing::info!(cases = n, "light days recomputed after the upgrade");
                let ctx = onewindow_core::audit::Context::system("relight");
                if let Err(e) = state
                    .store
                    .put_setting(&ctx, "cases.relight", "\"done\"")
                    .await
                {
                    tracing::error!(error = ?e, "recording the relight failed");
                    return false;
                }
            }
            Err(e) => {
                tracing::error!(error = ?e.message, "recomputing light days failed");
                return false;
            }
        }
    }
    // Figures of data written before they were kept are counted once.
    if let Ok(Some(_)) = state.store.setting("figures.rebuild").await {
        let ctx = onewindow_core::audit::Context::system("figures");
        match state.store.rebuild_figures(&ctx).await {
            Ok(_) => tracing::info!("figures counted from the existing records"),
            Err(e) => {
                tracing::error!(error = ?e, "counting the figures failed");
                return false;
            }
        }
    }
    true
}
