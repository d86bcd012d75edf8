//! Excel exports of what a page lists (the people in the seeds keep their ledgers in Excel).

use crate::error::{AppError, AppResult};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

/// One sheet of a workbook.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: &'a [String],
    pub rows: &'a [Vec<String>],
}

/// One sheet with a bold, frozen header row; served as a download named `filename`.
pub fn xlsx(
    filename: &str,
    sheet: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> AppResult<Response> {
    xlsx_book(
        filename,
        &[Sheet {
            name: sheet,
            headers,
            rows,
        }],
    )
}

/// Several sheets, each with a bold, frozen header row.
pub fn xlsx_book(filename: &str, sheets: &[Sheet]) -> AppResult<Response> {
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        for sheet in sheets {
            let (headers, rows) = (sheet.headers, sheet.rows);
            let ws = wb.add_worksheet();
            ws.set_name(sheet.name)?;
            for (c, h) in headers.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                ws.write_string_with_format(0, col, h, &bold)?;
                let widest = rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|v| v.chars().count())
                    .chain(std::iter::once(h.chars().count()))
                    .max()
                    .unwrap_or(8)
                    .min(60);
                // CJK characters are about two columns wide.
                ws.set_column_width(col, (widest as f64 * 1.8).max(8.0))?;
            }
            for (r, row) in rows.iter().enumerate() {
                let rown = u32::try_from(r + 1).unwrap_or(u32::MAX);
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(rown, u16::try_from(c).unwrap_or(u16::MAX), v)?;
                }
            }
            ws.set_freeze_panes(1, 0)?;
        }
        wb.save_to_buffer()
    };
    let bytes = build().map_err(|e| {
        tracing::error!(error = %e, "xlsx export failed");
        AppError::internal()
    })?;
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes()).collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response())
}
