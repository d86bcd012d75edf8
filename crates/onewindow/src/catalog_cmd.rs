//! `onewindow catalog import FILE` and `onewindow catalog export FILE`.

use crate::cli::{CatalogWhat, Db};
use onewindow_core::Lang;
use onewindow_core::audit::Context;
use onewindow_store::ScopeFilter;
use onewindow_web::service::catalog_io::{self, Format};
use std::process::ExitCode;

pub async fn run(what: &CatalogWhat, url_of: impl Fn(&Db) -> String) -> Result<ExitCode, String> {
    match what {
        CatalogWhat::Import { file, partial, db } => {
            let bytes =
                std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let store = onewindow_store::open(&url_of(db))
                .await
                .map_err(|e| e.to_string())?;
            store.migrate().await.map_err(|e| e.to_string())?;
            let outcome = catalog_io::import(
                store.as_ref(),
                &Context::system("catalog import"),
                &bytes,
                &ScopeFilter::all(),
                *partial,
                Lang::Zh,
            )
            .await;
            store.close().await;
            let outcome = outcome.map_err(|e| e.to_string())?;
            for e in &outcome.errors {
                println!("{}", e.message);
            }
            match &outcome.report {
                Some(r) if outcome.imported => {
                    println!(
                        "imported {} rows: {} created, {} updated, {} unchanged; {} bad rows skipped",
                        r.created + r.updated + r.unchanged,
                        r.created,
                        r.updated,
                        r.unchanged,
                        outcome.errors.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                _ if outcome.errors.is_empty() => {
                    println!("the file has no rows");
                    Ok(ExitCode::SUCCESS)
                }
                _ => {
                    println!(
                        "{} bad rows; nothing was imported (use --partial to import the good rows)",
                        outcome.errors.len()
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
        CatalogWhat::Export { file, db } => {
            let store = onewindow_store::open(&url_of(db))
                .await
                .map_err(|e| e.to_string())?;
            let rows = catalog_io::rows(store.as_ref()).await;
            store.close().await;
            let rows = rows.map_err(|e| e.to_string())?;
            let bytes = match Format::from_path(&file.to_string_lossy()) {
                Format::Csv => catalog_io::write_csv(&rows),
                Format::Xlsx => catalog_io::write_xlsx(&rows).map_err(|e| e.to_string())?,
            };
            std::fs::write(file, bytes)
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            println!("exported {} matters to {}", rows.len() - 1, file.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
