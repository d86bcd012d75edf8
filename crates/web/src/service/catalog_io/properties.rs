//! Property tests: catalog spreadsheets of every shape. Any table our writers produce, as CSV
//! or as XLSX, is read back cell for cell with its line numbers; any bytes at all, and any table
//! read, go through the importer's checks to rows or to errors naming a line and a column, never
//! a panic.

use super::{read, write_csv, write_xlsx};
use onewindow_core::catalog::sheet::{self, COLUMNS};
use proptest::prelude::*;

/// What a catalog cell holds: CJK, digits, the separators the sheet uses (`|`, `；`), commas,
/// quotes, line breaks, leading and trailing spaces.
fn cell() -> impl Strategy<Value = String> {
    "[a-z0-9 ,\"|；\n\u{4e00}-\u{4e80}]{1,20}"
}

/// A rectangular table, header first (as every export is).
fn table() -> impl Strategy<Value = Vec<Vec<String>>> {
    (1usize..8, 1usize..12).prop_flat_map(|(cols, rows)| {
        prop::collection::vec(prop::collection::vec(cell(), cols), rows)
    })
}

/// A table under the catalog's own header, its cells anything: what a clerk's edited export
/// might be.
fn catalog_table() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(
        prop::collection::vec(
            prop_oneof![
                cell(),
                Just(String::new()),
                "[0-9]{1,3}",
                Just("是".to_string())
            ],
            COLUMNS.len(),
        ),
        0..6,
    )
    .prop_map(|mut rows| {
        rows.insert(0, COLUMNS.iter().map(|c| c.to_string()).collect());
        rows
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn csv_reads_back_every_cell(rows in table()) {
        let (header, body) = read(&write_csv(&rows)).map_err(|e| TestCaseError::fail(e.en.to_string()))?;
        prop_assert_eq!(header[0].trim_start_matches('\u{feff}'), rows[0][0].as_str());
        prop_assert_eq!(&header[1..], &rows[0][1..]);
        prop_assert_eq!(body.len(), rows.len() - 1);
        let mut last = 1;
        for ((line, cells), want) in body.iter().zip(&rows[1..]) {
            prop_assert_eq!(cells, want);
            // A record starts on the line after the previous one's last line.
            prop_assert!(*line > last, "line {} after {}", line, last);
            last = *line + want.iter().map(|c| c.matches('\n').count()).max().unwrap_or(0);
        }
    }

    #[test]
    fn xlsx_reads_back_every_cell(rows in table()) {
        let bytes = write_xlsx(&rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (header, body) = read(&bytes).map_err(|e| TestCaseError::fail(e.en.to_string()))?;
        prop_assert_eq!(&header, &rows[0]);
        prop_assert_eq!(body.len(), rows.len() - 1);
        for (i, ((line, cells), want)) in body.iter().zip(&rows[1..]).enumerate() {
            prop_assert_eq!(*line, i + 2);
            prop_assert_eq!(cells, want);
        }
    }

    #[test]
    fn any_bytes_are_read_or_refused_with_a_reason(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        match read(&bytes) {
            Ok((header, rows)) => {
                let (_, errors) = sheet::parse(&header, &rows);
                // Every error names the header (line 1) or a line the file has.
                for e in errors {
                    prop_assert!(e.line == 1 || rows.iter().any(|(l, _)| *l == e.line), "line {}", e.line);
                    prop_assert!(!e.reason.zh.is_empty() && !e.reason.en.is_empty());
                }
            }
            Err(e) => prop_assert!(!e.zh.is_empty() && !e.en.is_empty()),
        }
    }

    #[test]
    fn a_damaged_xlsx_is_refused_with_a_reason(rows in table(), cut in 0usize..4000, flip in any::<u8>()) {
        let mut bytes = write_xlsx(&rows).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let at = 4 + cut % (bytes.len() - 4);
        bytes[at] ^= flip | 1;
        // A flipped byte may still read (it may fall in padding); it must not panic.
        if let Ok((header, rows)) = read(&bytes) {
            let _ = sheet::parse(&header, &rows);
        }
        // Cut short, the archive has lost its central directory: refused.
        bytes.truncate(at);
        prop_assert!(read(&bytes).is_err());
    }

    #[test]
    fn every_row_of_an_edited_export_is_imported_or_named_in_an_error(rows in catalog_table()) {
        for bytes in [write_csv(&rows), write_xlsx(&rows).map_err(|e| TestCaseError::fail(e.to_string()))?] {
            let (header, body) = read(&bytes).map_err(|e| TestCaseError::fail(e.en.to_string()))?;
            let (good, errors) = sheet::parse(&header, &body);
            let lines: std::collections::BTreeSet<usize> = body.iter().map(|(l, _)| *l).collect();
            for e in &errors {
                prop_assert!(lines.contains(&e.line), "error on line {} not in the file", e.line);
                prop_assert!(!e.reason.zh.is_empty());
            }
            let bad: std::collections::BTreeSet<usize> = errors.iter().map(|e| e.line).collect();
            let blank = body.iter().filter(|(_, c)| c.iter().all(|c| c.trim().is_empty())).count();
            prop_assert_eq!(good.len() + bad.len() + blank, body.len());
        }
    }
}
