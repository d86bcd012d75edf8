//! Uploaded application materials: checked for size and type (by extension and by content, so a
//! renamed executable is refused), stored outside the web root under their SHA-256 so the same
//! file is kept once, and read back only through the case's access check.

use crate::error::{AppError, AppResult};
use axum::http::StatusCode;
use onewindow_core::Text;
use onewindow_core::case::rules::Rules;
use onewindow_store::NewFile;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The largest request body the upload routes accept; each file is then held to the case
/// rules' own limit (at most 200 MiB).
pub const BODY_LIMIT: usize = 210 * 1024 * 1024;

/// One file as it came in a form.
#[derive(Clone, Debug)]
pub struct Upload {
    pub material: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Known types: extension, MIME type, and how the content must begin.
const TYPES: &[(&str, &str, &[&[u8]])] = &[
    ("pdf", "application/pdf", &[b"%PDF-"]),
    ("png", "image/png", &[b"\x89PNG\r\n\x1a\n"]),
    ("jpg", "image/jpeg", &[b"\xFF\xD8\xFF"]),
    ("jpeg", "image/jpeg", &[b"\xFF\xD8\xFF"]),
    ("gif", "image/gif", &[b"GIF87a", b"GIF89a"]),
    ("tif", "image/tiff", &[b"II*\0", b"MM\0*"]),
    ("tiff", "image/tiff", &[b"II*\0", b"MM\0*"]),
    ("ofd", "application/ofd", &[b"PK\x03\x04"]),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &[b"PK\x03\x04"],
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &[b"PK\x03\x04"],
    ),
    ("doc", "application/msword", &[b"\xD0\xCF\x11\xE0"]),
    ("xls", "application/vnd.ms-excel", &[b"\xD0\xCF\x11\xE0"]),
];

fn refused(field: &str, zh: String, en: String) -> AppError {
    AppError::from(onewindow_core::FieldError::new(field, Text::new(zh, en)))
}

/// The name as shown, without any path and at most 100 characters.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let base: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if base.is_empty() { "file".into() } else { base }
}

/// Checks one upload against the rules; returns its MIME type.
pub fn check(u: &Upload, rules: &Rules) -> AppResult<&'static str> {
    let field = format!("files[{}]", u.material);
    if u.bytes.is_empty() {
        return Err(refused(
            &field,
            format!("文件“{}”是空的", u.file_name),
            format!("'{}' is empty", u.file_name),
        ));
    }
    if u.bytes.len() > rules.max_upload_bytes() {
        let mut e = refused(
            &field,
            format!("文件“{}”超过{}MB的上限", u.file_name, rules.max_upload_mib),
            format!(
                "'{}' is larger than the {} MiB limit",
                u.file_name, rules.max_upload_mib
            ),
        );
        e.status = StatusCode::PAYLOAD_TOO_LARGE;
        e.code = "payload_too_large";
        return Err(e);
    }
    let ext = u
        .file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let allowed = rules.upload_types.join("、");
    if !rules.upload_types.contains(&ext) {
        return Err(refused(
            &field,
            format!("不接受“{}”类型的文件，允许：{allowed}", ext),
            format!("files of type '{ext}' are not accepted; allowed: {allowed}"),
        ));
    }
    match TYPES.iter().find(|(e, _, _)| *e == ext) {
        Some((_, mime, magic)) => {
            if magic.iter().any(|m| u.bytes.starts_with(m)) {
                Ok(mime)
            } else {
                Err(refused(
                    &field,
                    format!("文件“{}”的内容不是{}文件", u.file_name, ext.to_uppercase()),
                    format!(
                        "the content of '{}' is not a {} file",
                        u.file_name,
                        ext.to_uppercase()
                    ),
                ))
            }
        }
        None => Ok("application/octet-stream"),
    }
}

/// The MIME type a stored file is served with, by its name (its content was checked on upload).
pub fn mime_of(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    TYPES
        .iter()
        .find(|(e, _, _)| *e == ext)
        .map(|(_, m, _)| *m)
        .unwrap_or("application/octet-stream")
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn blob_path(dir: &Path, sha: &str) -> PathBuf {
    dir.join(&sha[..2]).join(sha)
}

/// Checks every upload, then writes each to disk (once per content) and returns what to record.
/// A file on disk without a record is harmless: it is content-addressed and never served.
pub async fn store(dir: &Path, uploads: &[Upload], rules: &Rules) -> AppResult<Vec<NewFile>> {
    let mut checked = Vec::new();
    for u in uploads {
        checked.push((u, check(u, rules)?));
    }
    let mut out = Vec::new();
    for (u, mime) in checked {
        let sha = sha256_hex(&u.bytes);
        write_blob(dir, &sha, &u.bytes).await.map_err(|e| {
            tracing::error!(error = %e, dir = %dir.display(), "cannot store an upload");
            AppError::internal()
        })?;
        out.push(NewFile {
            material: u.material.clone(),
            file_name: clean_name(&u.file_name),
            content_type: mime.to_string(),
            size: u.bytes.len() as i64,
            sha256: sha,
        });
    }
    Ok(out)
}

pub async fn write_blob(dir: &Path, sha: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = blob_path(dir, sha);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(());
    }
    let parent = path.parent().unwrap_or(dir);
    tokio::fs::create_dir_all(parent).await?;
    // A name of its own per write: the same file may be written at once by several requests.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = parent.join(format!("{sha}.{}.{n}.part", std::process::id()));
    let file = tokio::fs::File::create(&tmp).await?;
    {
        use tokio::io::AsyncWriteExt;
        let mut file = file;
        file.write_all(bytes).await?;
        // The record is committed after this returns: the bytes must be on disk by then.
        file.sync_all().await?;
    }
    match tokio::fs::rename(&tmp, &path).await {
        // Someone else stored the same bytes meanwhile: it is there.
        Err(_) if tokio::fs::try_exists(&path).await.unwrap_or(false) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            Ok(())
        }
        other => other,
    }
}

/// Reads a stored file back, checking it still has the content it was recorded with.
pub async fn read(dir: &Path, sha: &str) -> AppResult<Vec<u8>> {
    if sha.len() != 64 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(AppError::internal());
    }
    let bytes = tokio::fs::read(blob_path(dir, sha)).await.map_err(|e| {
        tracing::error!(error = %e, sha, "stored file missing");
        AppError::not_found(Text::fixed("文件", "file"))
    })?;
    if sha256_hex(&bytes) != sha {
        tracing::error!(sha, "stored file changed on disk");
        return Err(AppError::internal());
    }
    Ok(bytes)
}

/// Photos (of an event, a visit): pictures only, at most 10 MiB each, checked by their content.
fn photo_rules() -> Rules {
    Rules {
        upload_types: ["jpg", "jpeg", "png", "gif"].map(String::from).to_vec(),
        max_upload_mib: 10,
        ..Rules::default()
    }
}

pub async fn store_photos(
    state: &crate::state::AppState,
    photos: &[Upload],
) -> AppResult<Vec<NewFile>> {
    if photos.len() > 9 {
        return Err(AppError::bad_request(
            "photos",
            Text::fixed("最多9张照片", "at most 9 photos"),
        ));
    }
    store(&state.config.uploads_dir, photos, &photo_rules()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(name: &str, bytes: &[u8]) -> Upload {
        Upload {
            material: "身份证".into(),
            file_name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn type_is_checked_by_name_and_content() {
        let r = Rules::default();
        assert_eq!(
            check(&up("a.pdf", b"%PDF-1.7 ..."), &r).ok(),
            Some("application/pdf")
        );
        assert_eq!(
            check(&up("A.JPG", b"\xFF\xD8\xFF\xE0"), &r).ok(),
            Some("image/jpeg")
        );
        let e = check(&up("virus.pdf", b"MZ\x90\0"), &r).unwrap_err();
        assert!(e.message.zh.contains("不是PDF"), "{:?}", e.message);
        let e = check(&up("run.exe", b"MZ"), &r).unwrap_err();
        assert!(e.message.zh.contains("不接受"));
        let e = check(&up("empty.pdf", b""), &r).unwrap_err();
        assert!(e.message.zh.contains("空"));
        let big = vec![b'%'; r.max_upload_bytes() + 1];
        let e = check(&up("big.pdf", &big), &r).unwrap_err();
        assert_eq!(e.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("C:\\Users\\li\\身份证.pdf"), "身份证.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name(""), "file");
    }
}
