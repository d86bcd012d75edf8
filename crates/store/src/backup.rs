//! Restoring a SQLite installation from a backup written by `Store::backup` (`VACUUM INTO`).
//! PostgreSQL installations are backed up and restored with its own tools (pg_dump,
//! pg_restore); see docs/OPERATIONS.md.

use crate::backend::TableDigest;
use crate::error::{Result, StoreError};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What to do on PostgreSQL, where the platform leaves backups to the database's own tools.
pub const POSTGRES_GUIDANCE: &str = "on PostgreSQL back up with pg_dump --format=custom (one \
     consistent snapshot while the platform serves) and restore with pg_restore; see \
     docs/OPERATIONS.md";

/// The database file a `sqlite:` URL names.
pub fn sqlite_file(url: &str) -> Result<PathBuf> {
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Config(format!("invalid SQLite URL: {e}")))?;
    Ok(opts.get_filename().to_path_buf())
}

fn io(what: &str, p: &Path, e: std::io::Error) -> StoreError {
    StoreError::Config(format!("{what} {}: {e}", p.display()))
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Puts the backup at `backup` in place of the installation at `url` (which must not be
/// serving): the backup is copied beside the database, checked (SQLite's integrity check, the
/// platform's migrations present), then renamed over it. Returns the restored tables' digests.
pub async fn restore_sqlite(backup: &Path, url: &str) -> Result<Vec<TableDigest>> {
    if !url.starts_with("sqlite:") {
        return Err(StoreError::Config(POSTGRES_GUIDANCE.into()));
    }
    if !backup.is_file() {
        return Err(StoreError::Config(format!(
            "no backup at {}",
            backup.display()
        )));
    }
    let target = sqlite_file(url)?;
    let staging = with_suffix(&target, ".restoring");
    for p in [
        &staging,
        &with_suffix(&staging, "-wal"),
        &with_suffix(&staging, "-shm"),
    ] {
        let _ = std::fs::remove_file(p);
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
    }
    std::fs::copy(backup, &staging).map_err(|e| io("cannot copy the backup to", &staging, e))?;
    let staged_url = format!("sqlite://{}", staging.display());
    let checked = async {
        let store = crate::open(&staged_url).await?;
        let integrity = store.integrity().await?;
        let digests = store.table_digests().await?;
        store.close().await;
        if integrity != "ok" {
            return Err(StoreError::Config(format!(
                "the backup is damaged: {integrity}"
            )));
        }
        if !digests.iter().any(|d| d.table == "ow_migrations") {
            return Err(StoreError::Config(
                "the file is not a OneWindow database".into(),
            ));
        }
        Ok(digests)
    }
    .await;
    let digests = match checked {
        Ok(d) => d,
        Err(e) => {
            let _ = std::fs::remove_file(&staging);
            return Err(e);
        }
    };
    // The old database's log belongs to the old content: it goes before the new file comes.
    for p in [with_suffix(&target, "-wal"), with_suffix(&target, "-shm")] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("cannot remove", &p, e)),
        }
    }
    std::fs::File::open(&staging)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("cannot sync", &staging, e))?;
    std::fs::rename(&staging, &target).map_err(|e| io("cannot move the backup to", &target, e))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(digests)
}
