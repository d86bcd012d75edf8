//! `onewindow licence verify FILE --keys URL_OR_FILE`: a downloaded licence checked offline.

use crate::cli::LicenceWhat;
use onewindow_core::licence::file::{self, Publication};
use std::process::ExitCode;

/// The published keys and status list, from the platform or a file saved from it.
async fn publication(source: &str) -> Result<Publication, String> {
    let bytes = if source.starts_with("http://") || source.starts_with("https://") {
        let response = reqwest::get(source).await.map_err(|e| {
            format!("读不到公布的密钥 {source}：{e} (cannot read the published keys)")
        })?;
        if !response.status().is_success() {
            return Err(format!(
                "读不到公布的密钥 {source}：HTTP {} (cannot read the published keys)",
                response.status()
            ));
        }
        response
            .bytes()
            .await
            .map_err(|e| format!("读不到公布的密钥 {source}：{e}"))?
            .to_vec()
    } else {
        std::fs::read(source).map_err(|e| format!("读不到密钥文件 {source}：{e}"))?
    };
    serde_json::from_slice(&bytes).map_err(|e| {
        format!("{source} 不是公布的证照密钥（/api/v1/licence-keys）：{e} (not the published licence keys)")
    })
}

/// Prints the verdict on one line: exit 0 genuine and valid, 1 otherwise; 2 when the check
/// could not be made (no file, no keys).
pub async fn run(what: &LicenceWhat) -> Result<ExitCode, String> {
    match what {
        LicenceWhat::Verify { file: path, keys } => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("读不到文件 {}：{e}", path.display()))?;
            let published = publication(keys).await?;
            let today = onewindow_core::time::local_date(chrono::Utc::now());
            match file::check(&bytes, &published, today).verdict() {
                Ok(t) => {
                    println!("{} ({})", t.zh, t.en);
                    Ok(ExitCode::SUCCESS)
                }
                Err(t) => {
                    println!("{} ({})", t.zh, t.en);
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}
