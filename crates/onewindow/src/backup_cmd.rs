//! `onewindow backup PATH` (while the platform serves) and `onewindow restore PATH` (with it
//! stopped), for SQLite installations; both print every table's rows and checksum, so that a
//! restored database can be compared with what was backed up. `onewindow copy --from --to`
//! moves an installation to the other kind of database and prints both sides' checksums.

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

/// Copies `from` into `to` (or, with `check`, only compares them) and prints every table on
/// both sides; exits 1 when any differs.
pub async fn copy(from: &str, to: &str, check: bool) -> Result<ExitCode, String> {
    let started = std::time::Instant::now();
    let mut progress = |table: &str, rows: i64| eprintln!("copied {table:<32} {rows:>10}");
    let tables = if check {
        onewindow_store::copy::compare(from, to).await
    } else {
        onewindow_store::copy::copy(from, to, &mut progress).await
    }
    .map_err(|e| e.to_string())?;
    let mut differ = 0;
    for t in &tables {
        let verdict = if t.matches() {
            "same"
        } else {
            differ += 1;
            "DIFFERENT"
        };
        println!(
            "{:<32} {:>10} {:>10} {} {} {verdict}",
            t.table,
            t.source_rows,
            t.copied_rows,
            &t.source_checksum[..16],
            &t.copied_checksum[..16]
        );
    }
    let rows: i64 = tables.iter().map(|t| t.copied_rows).sum();
    println!(
        "{} tables, {rows} rows {} from {} to {} in {:.1} s; {}",
        tables.len(),
        if check { "compared" } else { "copied" },
        onewindow_store::redact_url(from),
        onewindow_store::redact_url(to),
        started.elapsed().as_secs_f64(),
        if differ == 0 {
            "every table's count and checksum are the same on both sides".to_string()
        } else {
            format!("{differ} tables differ")
        }
    );
    Ok(if differ == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
