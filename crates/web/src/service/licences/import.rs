//! Paper licences already issued (存量证照), loaded from a department's XLSX (or CSV) so that
//! reuse works from day one: each row checked — its type is the department's, its number new,
//! its holder's number a valid ID number or credit code, its dates dates, every required field
//! of the type present — and every bad row reported by its line, column and reason. With any bad
//! row nothing is loaded, unless `partial`, which loads the good ones. Loaded licences keep their
//! own numbers, are sealed with the department's key like any other, and verify and serve reuse
//! alike; each is a `licence.import` entry in the trail.

use super::{keyring_key, seal_store, verify_code};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::catalog_io::{self, ImportError};
use crate::state::AppState;
use chrono::NaiveDate;
use onewindow_core::DomainError;
use onewindow_core::access::Permission;
use onewindow_core::licence::record::{Holder, HolderKind, LicenceField};
use onewindow_core::licence::seal::hex;
use onewindow_core::validate::{id_card::IdCard, uscc};
use onewindow_store::NewLicence;
use serde::Serialize;
use std::collections::HashSet;
use utoipa::ToSchema;

const KIND: &str = "证照类型";
const NUMBER: &str = "证照编号";
const HOLDER: &str = "持证人";
const HOLDER_ID: &str = "证件号码";
const ISSUED: &str = "签发日期";
const EXPIRES: &str = "有效期至";
/// The columns every file has; a type's own fields follow under their labels.
pub const COLUMNS: [&str; 6] = [KIND, NUMBER, HOLDER, HOLDER_ID, ISSUED, EXPIRES];

/// What an import did.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct LicenceImport {
    pub rows: usize,
    /// How many licences were loaded (0 when a bad row stopped the whole file).
    pub imported: usize,
    pub errors: Vec<ImportError>,
}

/// A date as a sheet gives it: 2024-03-01, 2024/3/1, 2024年3月1日, or an Excel day number.
fn date(cell: &str) -> Option<NaiveDate> {
    let c = cell.trim();
    for f in [
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%Y年%m月%d日",
        "%Y.%m.%d",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(c, f) {
            return Some(d);
        }
    }
    // Excel counts days from 1899-12-30.
    let serial: f64 = c.parse().ok()?;
    (serial > 1.0 && serial < 200_000.0)
        .then(|| NaiveDate::from_ymd_opt(1899, 12, 30))
        .flatten()
        .and_then(|base| base.checked_add_days(chrono::Days::new(serial as u64)))
}

pub async fn import(
    state: &AppState,
    auth: &Auth,
    bytes: &[u8],
    partial: bool,
) -> AppResult<LicenceImport> {
    let a = &auth.actor;
    let Some(department_id) = a
        .scope
        .department_id
        .filter(|_| a.has(Permission::CaseDecide))
    else {
        return Err(DomainError::forbidden().into());
    };
    let (header, rows) = catalog_io::read(bytes)
        .map_err(|t| AppError::from(onewindow_core::FieldError::new("file", t)))?;
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let missing: Vec<&str> = COLUMNS[..5]
        .iter()
        .copied()
        .filter(|c| col(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::from(DomainError::invalid(
            "file",
            format!("缺少列：{}", missing.join("、")),
            format!("missing columns: {}", missing.join(", ")),
        )));
    }
    let kinds: Vec<_> = state
        .store
        .licence_kinds()
        .await?
        .into_iter()
        .filter(|k| k.department_id == department_id && k.active)
        .collect();
    // The file's numbers that a licence has already, of any department (one look-up).
    let numbers: Vec<String> = match col(NUMBER) {
        Some(i) => rows
            .iter()
            .filter_map(|(_, cells)| cells.get(i).map(|c| c.trim().to_string()))
            .filter(|n| !n.is_empty())
            .collect(),
        None => Vec::new(),
    };
    let mut taken: HashSet<String> = state
        .store
        .licence_numbers_taken(&numbers)
        .await?
        .into_iter()
        .collect();
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for (line, cells) in &rows {
        let cell = |name: &str| {
            col(name)
                .and_then(|i| cells.get(i))
                .map(|c| c.trim().to_string())
                .unwrap_or_default()
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let before = errors.len();
        let mut bad = |column: &str, message: String| {
            errors.push(ImportError {
                line: *line,
                column: column.to_string(),
                message,
            })
        };
        let kind_cell = cell(KIND);
        let kind = kinds
            .iter()
            .find(|k| k.name == kind_cell || k.code == kind_cell);
        if kind.is_none() {
            bad(KIND, format!("“{kind_cell}”不是本部门在用的证照类型"));
        }
        let number = cell(NUMBER);
        if number.is_empty() || number.chars().count() > 50 {
            bad(NUMBER, "证照编号不能为空，最多50个字符".into());
        } else if !taken.insert(number.clone()) {
            bad(
                NUMBER,
                format!("证照编号{number}已存在（或在本文件中重复）"),
            );
        }
        let name = cell(HOLDER);
        if name.is_empty() {
            bad(HOLDER, "持证人不能为空".into());
        }
        let id = cell(HOLDER_ID);
        let holder = if let Ok(u) = uscc::parse(&id) {
            Some((HolderKind::Enterprise, u.code))
        } else if let Ok(c) = IdCard::parse(&id, today) {
            Some((HolderKind::Person, c.number))
        } else {
            bad(
                HOLDER_ID,
                format!("“{id}”不是有效的公民身份号码或统一社会信用代码"),
            );
            None
        };
        let issued = date(&cell(ISSUED));
        if issued.is_none() {
            bad(ISSUED, format!("“{}”不是日期", cell(ISSUED)));
        }
        let expires_cell = cell(EXPIRES);
        let expires = if expires_cell.is_empty() || expires_cell == "长期" {
            None
        } else {
            match date(&expires_cell) {
                Some(d) if issued.is_some_and(|i| d < i) => {
                    bad(EXPIRES, "有效期至早于签发日期".into());
                    None
                }
                Some(d) => Some(d),
                None => {
                    bad(
                        EXPIRES,
                        format!("“{expires_cell}”不是日期（长期的请留空或写“长期”）"),
                    );
                    None
                }
            }
        };
        let mut fields = Vec::new();
        if let Some(k) = kind {
            for f in &k.fields {
                let v = cell(&f.label);
                if v.is_empty() && f.required {
                    bad(&f.label, format!("{}不能为空", f.label));
                } else if v.chars().count() > f.max_len {
                    bad(&f.label, format!("{}最多{}个字", f.label, f.max_len));
                } else {
                    fields.push(LicenceField {
                        key: f.key.clone(),
                        label: f.label.clone(),
                        value: v,
                    });
                }
            }
        }
        if errors.len() == before
            && let (Some(k), Some((kind, id_number)), Some(issued_on)) = (kind, holder, issued)
        {
            good.push(NewLicence {
                number: Some(number),
                kind_id: k.id,
                holder: Holder {
                    kind,
                    id_number,
                    name,
                },
                fields,
                issued_on,
                expires_on: expires,
                case_id: None,
                key_id: String::new(),
                verify_code: verify_code(),
            });
        }
    }
    let mut out = LicenceImport {
        rows: rows.len(),
        imported: 0,
        errors,
    };
    if good.is_empty() || (!out.errors.is_empty() && !partial) {
        return Ok(out);
    }
    let seal = seal_store(state)?;
    let key = keyring_key(state.store.as_ref(), &seal, department_id).await?;
    for l in &mut good {
        l.key_id = key.id.clone();
    }
    let sign = |l: &onewindow_core::licence::Licence| hex(&key.sign(&l.canonical()));
    out.imported = state
        .store
        .import_licences(&auth.ctx(), good, &sign, crate::service::cases::now())
        .await?
        .len();
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_come_as_sheets_write_them() {
        let d = chrono::NaiveDate::from_ymd_opt(2024, 3, 1);
        assert_eq!(super::date("2024-03-01"), d);
        assert_eq!(super::date("2024/3/1"), d);
        assert_eq!(super::date("2024年3月1日"), d);
        assert_eq!(super::date("45352"), d, "Excel's day number");
        assert_eq!(super::date("明年"), None);
    }
}
