//! The catalog in and out of spreadsheets (XLSX or CSV, the columns of `catalog::sheet`).
//! An import checks every row and resolves every name (department, hall, zone) first; with any
//! bad row it imports nothing, unless asked to import the good rows only.

use crate::error::AppError;
use onewindow_core::Text;
use onewindow_core::audit::Context;
use onewindow_core::catalog::record::{ImportReport, ImportedMatter};
use onewindow_core::catalog::sheet::{self, COLUMNS, RowError};
use onewindow_store::{ScopeFilter, Store, StoreError};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    /// From the file's own bytes, never its name: XLSX is a ZIP archive, CSV is UTF-8 text.
    pub fn detect(bytes: &[u8]) -> Result<Format, Text> {
        if bytes.starts_with(b"PK\x03\x04") {
            return Ok(Format::Xlsx);
        }
        if !bytes.is_empty() && std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
            return Ok(Format::Csv);
        }
        Err(Text::fixed(
            "文件不是 XLSX 或 UTF-8 编码的 CSV 表格",
            "the file is neither XLSX nor a UTF-8 CSV table",
        ))
    }

    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".csv") {
            Format::Csv
        } else {
            Format::Xlsx
        }
    }
}

type Table = (Vec<String>, Vec<(usize, Vec<String>)>);

fn read_csv(bytes: &[u8]) -> Result<Table, Text> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec
            .map_err(|e| Text::new(format!("CSV 格式错误：{e}"), format!("malformed CSV: {e}")))?;
        let line = rec.position().map_or(i + 1, |p| p.line() as usize);
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if i == 0 {
            header = cells;
        } else {
            rows.push((line, cells));
        }
    }
    Ok((header, rows))
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, Text> {
    use calamine::{Reader, Xlsx};
    let bad = |e: String| {
        Text::new(
            format!("无法读取 XLSX 文件：{e}"),
            format!("cannot read the XLSX file: {e}"),
        )
    };
    let mut wb: Xlsx<std::io::Cursor<Vec<u8>>> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .map_err(|e: calamine::XlsxError| bad(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| bad("no sheet".into()))?
        .map_err(|e| bad(e.to_string()))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut header = Vec::new();
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        let cells: Vec<String> = r.iter().map(|c| c.to_string()).collect();
        if i == 0 {
            header = cells;
        } else {
            rows.push((first_row + i + 1, cells));
        }
    }
    Ok((header, rows))
}

pub fn read(bytes: &[u8]) -> Result<Table, Text> {
    match Format::detect(bytes)? {
        Format::Xlsx => read_xlsx(bytes),
        Format::Csv => read_csv(bytes),
    }
}

/// What an import did, or would have done.
#[derive(Clone, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportOutcome {
    /// Whether anything was written.
    pub imported: bool,
    pub rows: usize,
    #[schema(value_type = Option<Object>)]
    pub report: Option<ImportReport>,
    /// Every bad row, with its line, column and reason.
    pub errors: Vec<ImportError>,
}

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportError {
    pub line: usize,
    pub column: String,
    pub message: String,
}

impl ImportError {
    fn from(e: &RowError, lang: onewindow_core::Lang) -> ImportError {
        ImportError {
            line: e.line,
            column: e.column.clone(),
            message: e.message(lang),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("{}", .0.en)]
    File(Text),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<IoError> for AppError {
    fn from(e: IoError) -> AppError {
        match e {
            IoError::File(t) => AppError::bad_request("file", t),
            IoError::Store(s) => s.into(),
        }
    }
}

/// Checks a file and imports it. `departments` limits which departments the rows may name (the
/// importer's scope).
pub async fn import(
    store: &dyn Store,
    ctx: &Context,
    bytes: &[u8],
    scope: &ScopeFilter,
    partial: bool,
    lang: onewindow_core::Lang,
) -> Result<ImportOutcome, IoError> {
    let (header, rows) = read(bytes).map_err(IoError::File)?;
    let (parsed, mut errors) = sheet::parse(&header, &rows);
    let departments: HashMap<String, i64> = store
        .departments(scope)
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| (d.name, d.id))
        .collect();
    let halls = store.halls(&ScopeFilter::all()).await?;
    let mut zones: HashMap<i64, Vec<onewindow_core::org::Zone>> = HashMap::new();
    for h in &halls {
        zones.insert(h.id, store.zones(h.id).await?);
    }
    // A result names an active licence type by its code.
    let kinds: HashMap<String, i64> = store
        .licence_kinds()
        .await?
        .into_iter()
        .filter(|k| k.active)
        .map(|k| (k.code, k.id))
        .collect();
    let mut good = Vec::new();
    for mut r in parsed {
        let licence_kind = match r.licence_kind.as_deref() {
            None => None,
            Some("") => Some(None),
            Some(code) => match kinds.get(code) {
                Some(&id) => Some(Some(id)),
                None => {
                    errors.push(RowError::new(
                        r.line,
                        sheet::RESULT_COLUMN,
                        Text::new(
                            format!("没有在用的证照类型“{code}”（填写证照类型代码，或留空）"),
                            format!("no licence type in use has the code '{code}' (write a type's code, or leave it empty)"),
                        ),
                    ));
                    continue;
                }
            },
        };
        let Some(&department_id) = departments.get(&r.department) else {
            errors.push(RowError::new(
                r.line,
                "实施部门",
                Text::new(
                    format!("未知的实施部门“{}”", r.department),
                    format!("unknown department '{}'", r.department),
                ),
            ));
            continue;
        };
        if !r.hall.is_empty() {
            match halls.iter().find(|h| h.name == r.hall) {
                Some(h) => {
                    r.guide.hall_id = Some(h.id);
                    if !r.zone.is_empty() {
                        match zones
                            .get(&h.id)
                            .and_then(|z| z.iter().find(|z| z.name == r.zone))
                        {
                            Some(z) => r.guide.zone_id = Some(z.id),
                            None => {
                                errors.push(RowError::new(
                                    r.line,
                                    "办理分区",
                                    Text::new(
                                        format!("大厅中没有分区“{}”", r.zone),
                                        format!("the hall has no zone '{}'", r.zone),
                                    ),
                                ));
                                continue;
                            }
                        }
                    }
                }
                None => {
                    errors.push(RowError::new(
                        r.line,
                        "办理大厅",
                        Text::new(
                            format!("未知的大厅“{}”", r.hall),
                            format!("unknown hall '{}'", r.hall),
                        ),
                    ));
                    continue;
                }
            }
        }
        good.push(ImportedMatter {
            code: r.code,
            department_id,
            guide: r.guide,
            licence_kind,
        });
    }
    errors.sort_by_key(|e| e.line);
    let mut outcome = ImportOutcome {
        imported: false,
        rows: good.len() + errors.len(),
        report: None,
        errors: errors.iter().map(|e| ImportError::from(e, lang)).collect(),
    };
    if (!errors.is_empty() && !partial) || good.is_empty() {
        return Ok(outcome);
    }
    outcome.report = Some(store.import_matters(ctx, good).await?);
    outcome.imported = true;
    Ok(outcome)
}

/// The published catalog as rows of cells, header first.
pub async fn rows(store: &dyn Store) -> Result<Vec<Vec<String>>, StoreError> {
    let guides = store.published_guides().await?;
    let departments: HashMap<i64, String> = store
        .departments(&ScopeFilter::all())
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let halls: HashMap<i64, String> = store
        .halls(&ScopeFilter::all())
        .await?
        .into_iter()
        .map(|h| (h.id, h.name))
        .collect();
    let mut zone_names: HashMap<i64, String> = HashMap::new();
    for h in halls.keys() {
        for z in store.zones(*h).await? {
            zone_names.insert(z.id, z.name);
        }
    }
    let codes: HashMap<i64, String> = store
        .licence_kinds()
        .await?
        .into_iter()
        .map(|k| (k.id, k.code))
        .collect();
    let results: HashMap<i64, String> = store
        .matter_licence_kinds()
        .await?
        .into_iter()
        .filter_map(|(m, k)| Some((m, codes.get(&k)?.clone())))
        .collect();
    let mut out = vec![sheet::header()];
    for p in guides {
        let hall = p
            .guide
            .hall_id
            .and_then(|h| halls.get(&h).cloned())
            .unwrap_or_default();
        let zone = p
            .guide
            .zone_id
            .and_then(|z| zone_names.get(&z).cloned())
            .unwrap_or_default();
        let dept = departments
            .get(&p.department_id)
            .cloned()
            .unwrap_or_default();
        let mut row = sheet::cells(&p.code, &dept, &hall, &zone, &p.guide);
        row.push(results.get(&p.matter_id).cloned().unwrap_or_default());
        out.push(row);
    }
    Ok(out)
}

pub fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    // A byte-order mark, so that Excel opens the UTF-8 text as Chinese rather than mojibake.
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        for r in rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}

pub fn write_xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as Fmt, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("事项目录")?;
    let bold = Fmt::new().set_bold();
    let wrap = Fmt::new().set_text_wrap();
    for (r, row) in rows.iter().enumerate() {
        let rn = u32::try_from(r).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            let cn = u16::try_from(c).unwrap_or(u16::MAX);
            if r == 0 {
                ws.write_string_with_format(rn, cn, v, &bold)?;
            } else if v.contains('\n') {
                ws.write_string_with_format(rn, cn, v, &wrap)?;
            } else {
                ws.write_string(rn, cn, v)?;
            }
        }
    }
    for c in 0..COLUMNS.len() {
        ws.set_column_width(
            u16::try_from(c).unwrap_or(0),
            if matches!(c, 1 | 6 | 9) { 40.0 } else { 14.0 },
        )?;
    }
    ws.set_freeze_panes(1, 2)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_apart_by_content() {
        assert_eq!(Format::detect(b"PK\x03\x04rest"), Ok(Format::Xlsx));
        assert_eq!(
            Format::detect("实施编码,事项名称\n".as_bytes()),
            Ok(Format::Csv)
        );
        assert!(Format::detect(b"\x89PNG\r\n\x1a\n\0\0").is_err());
        assert!(Format::detect(&[0xff, 0xfe, 0x00]).is_err());
        assert!(Format::detect(b"").is_err());
    }

    #[test]
    fn csv_round_trips_multi_line_cells() {
        let rows = vec![
            vec!["实施编码".to_string(), "申请材料".to_string()],
            vec!["A1".into(), "甲|原件\n乙|复印件".into()],
        ];
        let bytes = write_csv(&rows);
        let (h, r) = read(&bytes).unwrap();
        assert_eq!(h[0].trim_start_matches('\u{feff}'), "实施编码");
        assert_eq!(r[0].1[1], "甲|原件\n乙|复印件");
        assert_eq!(r[0].0, 2);
    }

    #[test]
    fn xlsx_round_trips() {
        let rows = vec![
            vec!["实施编码".to_string(), "法定时限".to_string()],
            vec!["A1".into(), "20".into()],
        ];
        let bytes = write_xlsx(&rows).unwrap();
        let (h, r) = read(&bytes).unwrap();
        assert_eq!(h, rows[0]);
        assert_eq!(r[0], (2, rows[1].clone()));
    }
}
