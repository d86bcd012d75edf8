//! `onewindow supervision relight|rebuild|warn`: the supervision upkeep an operator may run by
//! hand (the serving instances do the same on their own: relight at start, warnings every
//! minute).

use crate::cli::{Db, SupervisionWhat};
use onewindow_core::audit::Context;
use std::process::ExitCode;

pub async fn run(
    what: &SupervisionWhat,
    url_of: impl Fn(&Db) -> String,
) -> Result<ExitCode, String> {
    let db = match what {
        SupervisionWhat::Relight { db }
        | SupervisionWhat::Rebuild { db }
        | SupervisionWhat::Warn { db } => db,
    };
    let store = onewindow_store::open(&url_of(db))
        .await
        .map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    let (_, state) = onewindow_web::build(store.clone(), onewindow_web::WebConfig::default());
    let outcome = match what {
        SupervisionWhat::Relight { .. } => onewindow_web::service::cases::relight(&state)
            .await
            .map(|n| format!("light days recomputed: {n} case(s) changed")),
        SupervisionWhat::Rebuild { .. } => {
            let ctx = Context::system("supervision rebuild");
            match store.rebuild_running(&ctx).await {
                Ok(running) => store
                    .rebuild_figures(&ctx)
                    .await
                    .map(|figures| {
                        format!(
                            "rollups rebuilt from the cases: {} row(s) were wrong \
                             (running clocks {running}, figures {figures})",
                            running + figures
                        )
                    })
                    .map_err(Into::into),
                Err(e) => Err(e.into()),
            }
        }
        SupervisionWhat::Warn { .. } => onewindow_web::service::supervision::warn(
            &state,
            onewindow_web::service::cases::now(),
        )
        .await
        .map(|r| {
            format!(
                "warnings: {} reminder(s), {} raised at red, {} late step(s), {} urge(s) escalated, \
                 {} rectification(s) near their limit, {} overdue",
                r.reminders,
                r.raised,
                r.step_reminders,
                r.escalated,
                r.rectifications_reminded,
                r.rectifications_overdue
            )
        }),
    };
    store.close().await;
    let line = outcome.map_err(|e| e.message.zh.to_string())?;
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}
