//! `onewindow audit verify [--against FILE] | checkpoint [--new] [--json]`: checking the trail,
//! and the checkpoint a district publishes so that an outsider can hold the trail to it later.

use crate::cli::{AuditWhat, Db};
use onewindow_core::audit::Checkpoint;
use std::process::ExitCode;

pub async fn run(what: &AuditWhat, url_of: impl Fn(&Db) -> String) -> Result<ExitCode, String> {
    let db = match what {
        AuditWhat::Verify { db, .. } | AuditWhat::Checkpoint { db, .. } => db,
    };
    let store = onewindow_store::open(&url_of(db))
        .await
        .map_err(|e| e.to_string())?;
    let outcome = match what {
        AuditWhat::Verify { against, .. } => verify(store.as_ref(), against.as_deref()).await,
        AuditWhat::Checkpoint { new, json, .. } => checkpoint(store.as_ref(), *new, *json).await,
    };
    store.close().await;
    outcome
}

async fn verify(
    store: &dyn onewindow_store::Store,
    against: Option<&std::path::Path>,
) -> Result<ExitCode, String> {
    // The published checkpoint is read first: a file that is not one is the reader's mistake,
    // not a broken trail.
    let published = match against {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let c: Checkpoint = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{} is not a checkpoint printed by `onewindow audit checkpoint --json`: {e}",
                    path.display()
                )
            })?;
            Some(c)
        }
    };
    let mut result = store.verify_audit().await.map_err(|e| e.to_string())?;
    if let (Ok(_), Some(c)) = (&result, &published)
        && let Err(b) = store
            .check_audit_checkpoint(c)
            .await
            .map_err(|e| e.to_string())?
    {
        result = Err(b);
    }
    Ok(match result {
        Ok(n) => {
            println!("verified {n} audit entries: every chain is intact");
            if let Some(c) = published {
                println!(
                    "and it holds the published checkpoint of {} (root {})",
                    c.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    c.root
                );
            }
            ExitCode::SUCCESS
        }
        Err(broken) => {
            println!("audit chain broken: {broken}");
            ExitCode::from(1)
        }
    })
}

async fn checkpoint(
    store: &dyn onewindow_store::Store,
    new: bool,
    json: bool,
) -> Result<ExitCode, String> {
    let latest = if new {
        Some(
            store
                .take_audit_checkpoint()
                .await
                .map_err(|e| e.to_string())?,
        )
    } else {
        store
            .audit_checkpoints(1)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .next()
    };
    let Some(c) = latest else {
        println!("no checkpoint yet: take one with `onewindow audit checkpoint --new`");
        return Ok(ExitCode::from(1));
    };
    if json {
        let text = serde_json::to_string_pretty(&c).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        println!("审计检查点 audit checkpoint");
        println!(
            "时间 time:  {}",
            onewindow_core::time::local(c.at).format("%Y-%m-%d %H:%M:%S %:z")
        );
        println!("根 root:    {}", c.root);
        println!("链 chain  位置 place  末条哈希 head hash");
        for h in &c.heads {
            println!("{:>8}  {:>10}  {}", h.chain, h.link, h.hash);
        }
    }
    Ok(ExitCode::SUCCESS)
}
