//! The licence document's two seals as a verifier reads them, online or offline.
//!
//! The platform's PDF carries the licence's signed data as an embedded file (`licence.json`,
//! the exact bytes the department's seal signed) with that signature beside it
//! (`licence.sig`), and ends with one more line after `%%EOF`: `%OW-SIG:{key id}:{signature}`,
//! the same seal's signature of every byte before it. So a licence whose data was re-typed
//! fails the first, and a file whose visible text was edited while its embedded data was kept
//! fails the second (a PDF editor rewrites the file or appends an update after the line).
//!
//! [`check`] gives the three answers apart: integrity (the content is as signed), status
//! (valid, expired, or suspended/revoked/cancelled per the status list the verifier last read),
//! and issuer (which department's published key signed it).

use super::record::{SignedData, Standing, Status};
use super::seal::{self, PublishedKey, hex, unhex};
use crate::i18n::Text;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The custom key in the embedded files' stream dictionaries by which a verifier finds them.
pub const DATA_PART: &[u8] = b"/OWPart /Data";
pub const SIGNATURE_PART: &[u8] = b"/OWPart /Signature";
/// The file signature's line, the last of the file.
pub const FILE_SIGNATURE: &[u8] = b"%OW-SIG:";

/// Appends the file signature: the seal's signature of every byte so far, on its own line.
pub fn seal_file(pdf: &mut Vec<u8>, key_id: &str, sign: impl FnOnce(&[u8]) -> Vec<u8>) {
    if !pdf.ends_with(b"\n") {
        pdf.push(b'\n');
    }
    let signature = hex(&sign(pdf));
    pdf.extend_from_slice(FILE_SIGNATURE);
    pdf.extend_from_slice(format!("{key_id}:{signature}\n").as_bytes());
}

/// The signed part, key id and signature of a file's last line, if it is a file signature.
pub fn file_signature(file: &[u8]) -> Option<(&[u8], String, Vec<u8>)> {
    let body = file.strip_suffix(b"\n")?;
    let start = body.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let line = std::str::from_utf8(body[start..].strip_prefix(FILE_SIGNATURE)?).ok()?;
    let (key_id, signature) = line.split_once(':')?;
    Some((&file[..start], key_id.to_string(), unhex(signature)?))
}

/// The bytes of the stream whose dictionary carries `part` (an uncompressed stream of ours).
fn stream_after(file: &[u8], part: &[u8]) -> Option<Vec<u8>> {
    let at = find(file, part)? + part.len();
    let rest = &file[at..];
    let open = find(rest, b"stream\n")? + b"stream\n".len();
    let close = find(&rest[open..], b"\nendstream")?;
    Some(rest[open..open + close].to_vec())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The embedded signed data and its signature (hex), if the file carries them.
pub fn embedded(file: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let data = stream_after(file, DATA_PART)?;
    let signature = unhex(std::str::from_utf8(&stream_after(file, SIGNATURE_PART)?).ok()?)?;
    Some((data, signature))
}

/// A licence whose department changed its status, as the public status list says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusEntry {
    pub number: String,
    /// The licence type's name: numbers are unique within a type.
    pub kind: String,
    pub status: Status,
    pub reason: Option<String>,
}

/// What `/api/v1/licence-keys` publishes: every department's keys and the licences not valid
/// by their department's act (suspended, revoked, cancelled), as of a moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = LicencePublication)]
pub struct Publication {
    pub as_of: DateTime<Utc>,
    pub keys: Vec<PublishedKey>,
    pub statuses: Vec<StatusEntry>,
}

/// Whether the content is as the department signed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Integrity {
    Intact,
    /// The data is as signed but the file around it is not (edited, or re-saved).
    FileAltered,
    DataAltered,
    /// No key among the published ones made the signature.
    UnknownKey,
    /// Not a licence document of this platform at all.
    NotALicence,
}

/// The three answers about a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub integrity: Integrity,
    /// The signed facts, when they could be read.
    pub data: Option<SignedData>,
    /// The department whose published key signed the data.
    pub issuer: Option<String>,
    pub standing: Option<Standing>,
    pub status_reason: Option<String>,
}

/// Checks a licence file against the published keys and status list, as of `today`.
pub fn check(file: &[u8], published: &Publication, today: NaiveDate) -> Report {
    let mut report = Report {
        integrity: Integrity::NotALicence,
        data: None,
        issuer: None,
        standing: None,
        status_reason: None,
    };
    let Some((bytes, data_signature)) = embedded(file) else {
        return report;
    };
    let Some(data) = SignedData::from_bytes(&bytes) else {
        report.integrity = Integrity::DataAltered;
        return report;
    };
    let key = published.keys.iter().find(|k| k.key_id == data.key_id);
    let public = key.and_then(|k| unhex(&k.public_key));
    report.integrity = match &public {
        None => Integrity::UnknownKey,
        Some(p) if !seal::verify(p, &bytes, &data_signature).unwrap_or(false) => {
            Integrity::DataAltered
        }
        Some(p) => match file_signature(file) {
            Some((signed, key_id, signature))
                if key_id == data.key_id
                    && seal::verify(p, signed, &signature).unwrap_or(false) =>
            {
                Integrity::Intact
            }
            _ => Integrity::FileAltered,
        },
    };
    report.issuer = key
        .filter(|k| k.department == data.issuer)
        .map(|k| k.department.clone());
    let listed = published
        .statuses
        .iter()
        .find(|s| s.number == data.number && s.kind == data.kind);
    report.standing = Some(match listed.map(|s| s.status) {
        Some(Status::Suspended) => Standing::Suspended,
        Some(Status::Revoked) => Standing::Revoked,
        Some(Status::Cancelled) => Standing::Cancelled,
        _ if data.expires_on.is_some_and(|e| today > e) => Standing::Expired,
        _ => Standing::Valid,
    });
    report.status_reason = listed.and_then(|s| s.reason.clone());
    report.data = Some(data);
    report
}

impl Report {
    /// Genuine and valid: the one line to say so, or the reason it is not.
    pub fn verdict(&self) -> Result<Text, Text> {
        let Some(d) = &self.data else {
            return Err(match self.integrity {
                Integrity::NotALicence => Text::fixed(
                    "不是本平台签发的电子证照文件：文件中没有签名的证照数据",
                    "not a licence document of this platform: it carries no signed licence data",
                ),
                _ => Text::fixed(
                    "证照数据已被改动：内嵌的证照数据无法读取",
                    "the licence data was altered: the embedded data cannot be read",
                ),
            });
        };
        match self.integrity {
            Integrity::Intact => {}
            Integrity::UnknownKey => {
                return Err(Text::new(
                    format!("签名密钥{}不在公布的密钥中：来源不明", d.key_id),
                    format!(
                        "the signing key {} is not among the published keys",
                        d.key_id
                    ),
                ));
            }
            Integrity::DataAltered => {
                return Err(Text::fixed(
                    "证照数据已被改动：数据签名不符",
                    "the licence data was altered: its signature does not match",
                ));
            }
            Integrity::FileAltered => {
                return Err(Text::fixed(
                    "文件已被改动：文件签名不符（内嵌的证照数据仍与签发时一致，请以核验页面所示为准）",
                    "the file was altered: its signature does not match (the embedded data is still as issued; trust what the verify page shows)",
                ));
            }
            Integrity::NotALicence => {}
        }
        if self.issuer.is_none() {
            return Err(Text::new(
                format!("签发机关不符：证照写明“{}”，签名密钥不属于该部门", d.issuer),
                format!(
                    "the issuer does not match: the licence names {}, the key is not its",
                    d.issuer
                ),
            ));
        }
        let reason = self
            .status_reason
            .as_deref()
            .map(|r| (format!("：{r}"), format!(": {r}")))
            .unwrap_or_default();
        match self.standing {
            Some(Standing::Valid) | None => Ok(Text::new(
                format!(
                    "真实有效：{}（{}），持证人{}，{}签发{}",
                    d.kind,
                    d.number,
                    d.holder_name,
                    d.issuer,
                    d.expires_on
                        .map(|e| format!("，有效期至{e}"))
                        .unwrap_or_else(|| "，长期有效".into())
                ),
                format!(
                    "genuine and valid: {} ({}), held by {}, issued by {}{}",
                    d.kind,
                    d.number,
                    d.holder_name,
                    d.issuer,
                    d.expires_on
                        .map(|e| format!(", valid until {e}"))
                        .unwrap_or_default()
                ),
            )),
            Some(Standing::Expired) => Err(Text::new(
                format!(
                    "证照已过期：有效期至{}",
                    d.expires_on.map(|e| e.to_string()).unwrap_or_default()
                ),
                format!(
                    "the licence expired on {}",
                    d.expires_on.map(|e| e.to_string()).unwrap_or_default()
                ),
            )),
            Some(s) => Err(Text::new(
                format!("证照{}{}", s.name().zh, reason.0),
                format!("the licence is {}{}", s.name().en, reason.1),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::licence::seal::SealKey;

    fn key() -> SealKey {
        let mut secret = [5u8; 32];
        secret[0] = 1;
        SealKey::from_secret(&secret).unwrap()
    }

    fn data(k: &SealKey) -> SignedData {
        SignedData {
            v: 1,
            number: "JZSG2114032026000001".into(),
            kind: "建筑工程施工许可证".into(),
            issuer: "住房和城乡建设局".into(),
            holder_kind: "enterprise".into(),
            holder_id: "91350100M000100Y43".into(),
            holder_name: "福州某建设有限公司".into(),
            fields: vec![["address".into(), "建设地址".into(), "望海路1号".into()]],
            issued_on: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            expires_on: NaiveDate::from_ymd_opt(2029, 12, 6),
            verify_code: "ABCDEFGHJKLMNPQRSTUV".into(),
            key_id: k.id.clone(),
        }
    }

    /// A stand-in for the platform's PDF with the two embedded streams where the real one has
    /// them.
    fn file(k: &SealKey, d: &SignedData) -> Vec<u8> {
        let bytes = d.to_bytes();
        let mut f =
            b"%PDF-1.7\n1 0 obj\n<</Length 10 /Type /EmbeddedFile /OWPart /Data>>\nstream\n"
                .to_vec();
        f.extend_from_slice(&bytes);
        f.extend_from_slice(b"\nendstream\nendobj\n2 0 obj\n<</OWPart /Signature>>\nstream\n");
        f.extend_from_slice(hex(&k.sign(&bytes)).as_bytes());
        f.extend_from_slice(b"\nendstream\nendobj\n(visible text)\n%%EOF\n");
        seal_file(&mut f, &k.id, |b| k.sign(b));
        f
    }

    fn published(k: &SealKey, statuses: Vec<StatusEntry>) -> Publication {
        Publication {
            as_of: Utc::now(),
            keys: vec![PublishedKey {
                key_id: k.id.clone(),
                department_id: 3,
                department: "住房和城乡建设局".into(),
                public_key: hex(&k.public),
                active: true,
            }],
            statuses,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
    }

    #[test]
    fn a_sealed_file_is_genuine_and_any_altered_byte_is_caught_by_one_seal() {
        let k = key();
        let d = data(&k);
        let f = file(&k, &d);
        let p = published(&k, vec![]);
        let r = check(&f, &p, today());
        assert_eq!(r.integrity, Integrity::Intact);
        assert_eq!(r.issuer.as_deref(), Some("住房和城乡建设局"));
        assert_eq!(r.data.as_ref(), Some(&d));
        let ok = r.verdict().unwrap();
        assert!(
            ok.zh.contains("真实有效") && ok.zh.contains("2029-12-06"),
            "{ok:?}"
        );

        // The visible text edited, the embedded data kept: the file seal fails.
        let edited = String::from_utf8(f.clone())
            .unwrap()
            .replace("visible", "VISIBLE");
        let r = check(edited.as_bytes(), &p, today());
        assert_eq!(r.integrity, Integrity::FileAltered);
        assert!(r.verdict().unwrap_err().zh.contains("文件已被改动"));
        // Every single byte flipped is caught (by one seal or the other).
        for i in 0..f.len() {
            let mut g = f.clone();
            g[i] ^= 0x01;
            let r = check(&g, &p, today());
            assert!(r.verdict().is_err(), "byte {i} ({:?})", f[i] as char);
        }
        // Re-saved with an update appended after the file signature.
        let mut appended = f.clone();
        appended.extend_from_slice(b"3 0 obj\n(more)\nendobj\n%%EOF\n");
        assert_eq!(
            check(&appended, &p, today()).integrity,
            Integrity::FileAltered
        );
        // The data re-typed (and re-embedded) without the seal.
        let mut forged = data(&k);
        forged.holder_name = "别人".into();
        let mut g = file(&k, &d);
        let at = find(&g, &d.to_bytes()).unwrap();
        g.splice(at..at + d.to_bytes().len(), forged.to_bytes());
        assert_eq!(check(&g, &p, today()).integrity, Integrity::DataAltered);
        // Not ours at all.
        let r = check(b"%PDF-1.4\n%%EOF\n", &p, today());
        assert_eq!(r.integrity, Integrity::NotALicence);
        assert!(r.verdict().unwrap_err().zh.contains("不是本平台"));
    }

    #[test]
    fn an_unknown_key_a_listed_status_and_expiry_each_refuse_with_their_reason() {
        let k = key();
        let d = data(&k);
        let f = file(&k, &d);
        let mut other = [9u8; 32];
        other[0] = 1;
        let stranger = SealKey::from_secret(&other).unwrap();
        let r = check(&f, &published(&stranger, vec![]), today());
        assert_eq!(r.integrity, Integrity::UnknownKey);
        assert!(r.verdict().unwrap_err().zh.contains("不在公布的密钥中"));

        let revoked = published(
            &k,
            vec![StatusEntry {
                number: d.number.clone(),
                kind: d.kind.clone(),
                status: Status::Revoked,
                reason: Some("以欺骗手段取得".into()),
            }],
        );
        let r = check(&f, &revoked, today());
        assert_eq!(
            r.integrity,
            Integrity::Intact,
            "integrity is its own answer"
        );
        assert_eq!(r.standing, Some(Standing::Revoked));
        assert_eq!(r.verdict().unwrap_err().zh, "证照已吊销：以欺骗手段取得");

        let later = NaiveDate::from_ymd_opt(2029, 12, 7).unwrap();
        let r = check(&f, &published(&k, vec![]), later);
        assert_eq!(r.standing, Some(Standing::Expired));
        assert_eq!(
            r.verdict().unwrap_err().zh,
            "证照已过期：有效期至2029-12-06"
        );

        // A key of another department than the one the licence names.
        let mut p = published(&k, vec![]);
        p.keys[0].department = "市场监督管理局".into();
        let r = check(&f, &p, today());
        assert_eq!(r.issuer, None);
        assert!(r.verdict().unwrap_err().zh.contains("签发机关不符"));
    }
}
