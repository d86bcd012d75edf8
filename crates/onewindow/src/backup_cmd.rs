//! `onewindow backup PATH` (while the platform serves) and `onewindow restore PATH` (with it
//! stopped), for SQLite installations; both print every table's rows and checksum, so that a
//! restored database can be compared with what was backed up.

use onewindow_store::backend::TableDigest;
use std::path::Path;
use std::process::ExitCode;

fn print(digests: &[TableDigest]) {
    for d in digests {
        println!("{:<32} {:>10} {}", d.table, d.rows, d.checksum);
    }
    let rows: i64 = digests.iter().map(|d| d.rows).sum();
    println!("{} tables, {rows} rows", digests.len());
}

pub async fn backup(url: &str, path: &Path) -> Result<ExitCode, String> {
    if !url.starts_with("sqlite:") {
        return Err(onewindow_store::backup::POSTGRES_GUIDANCE.into());
    }
    let store = onewindow_store::open(url)
        .await
        .map_err(|e| e.to_string())?;
    let written = store.backup(path).await;
    store.close().await;
    written.map_err(|e| e.to_string())?;
    // What was written is read back and checked, as a restore would.
    let copy = onewindow_store::open(&format!("sqlite://{}", path.display()))
        .await
        .map_err(|e| e.to_string())?;
    let checked = async {
        let integrity = copy.integrity().await?;
        Ok::<_, onewindow_store::StoreError>((integrity, copy.table_digests().await?))
    }
    .await;
    copy.close().await;
    let (integrity, digests) = checked.map_err(|e| e.to_string())?;
    if integrity != "ok" {
        return Err(format!(
            "the backup at {} is damaged: {integrity}",
            path.display()
        ));
    }
    print(&digests);
    println!("backup written to {}", path.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(url: &str, path: &Path) -> Result<ExitCode, String> {
    let digests = onewindow_store::backup::restore_sqlite(path, url)
        .await
        .map_err(|e| e.to_string())?;
    print(&digests);
    println!(
        "restored {} from {}",
        onewindow_store::redact_url(url),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
