//! The catalog as a spreadsheet: one row per matter, one column per field, lists inside a cell
//! one item per line with `|` between an item's parts. The same columns serve XLSX and CSV.
//! docs/CATALOG_IMPORT.md describes the format for the people who fill it in.

use super::guide::*;
use crate::error::FieldError;
use crate::i18n::Text;

/// The columns, in order, with their header text.
pub const COLUMNS: [&str; 25] = [
    "实施编码",
    "事项名称",
    "别名",
    "实施部门",
    "事项类型",
    "行使层级",
    "设定依据",
    "服务对象",
    "受理条件",
    "申请材料",
    "收费",
    "法定时限",
    "承诺时限",
    "特别程序",
    "办理环节",
    "办理方式",
    "到现场次数",
    "办理大厅",
    "办理分区",
    "办理窗口",
    "办理地点",
    "办理时间",
    "咨询电话",
    "投诉电话",
    "是否进驻",
];

/// The column naming the licence type a matter's result is (its code; empty for none). Optional:
/// a sheet without it leaves every matter's result as it is, so files made before it still load.
pub const RESULT_COLUMN: &str = "办理结果证照";

/// The header a sheet is written with: every column, the result's last.
pub fn header() -> Vec<String> {
    COLUMNS
        .iter()
        .copied()
        .chain([RESULT_COLUMN])
        .map(str::to_string)
        .collect()
}

/// One matter as read from a row, before its names (department, hall, zone) are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub code: String,
    pub department: String,
    pub hall: String,
    pub zone: String,
    pub guide: Guide,
    /// The result's licence type code as written (empty for none); `None` without the column.
    pub licence_kind: Option<String>,
}

/// What is wrong with one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub reason: Text,
}

impl RowError {
    pub fn new(line: usize, column: &str, reason: Text) -> RowError {
        RowError {
            line,
            column: column.into(),
            reason,
        }
    }

    pub fn message(&self, lang: crate::Lang) -> String {
        match lang {
            crate::Lang::Zh => format!("第{}行“{}”：{}", self.line, self.column, self.reason.zh),
            crate::Lang::En => format!(
                "line {}, column '{}': {}",
                self.line, self.column, self.reason.en
            ),
        }
    }
}

fn lines(cell: &str) -> impl Iterator<Item = &str> {
    cell.split('\n')
        .map(|l| l.trim_end_matches('\r').trim())
        .filter(|l| !l.is_empty())
}

fn list(cell: &str) -> Vec<String> {
    cell.split(['；', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parts(line: &str) -> Vec<&str> {
    line.split(['|', '｜']).map(str::trim).collect()
}

fn opt(s: Option<&&str>) -> Option<String> {
    s.map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn bad(what: &str, line: &str) -> Text {
    Text::new(
        format!("{what}“{line}”格式不对"),
        format!("{what} '{line}' is not in the expected format"),
    )
}

fn days(cell: &str) -> Result<i64, Text> {
    let s = cell
        .trim()
        .trim_end_matches("个工作日")
        .trim_end_matches("工作日")
        .trim_end_matches('天');
    s.parse::<i64>().map_err(|_| {
        Text::new(
            format!("“{cell}”不是整数"),
            format!("'{cell}' is not a whole number"),
        )
    })
}

fn materials(cell: &str) -> Result<Vec<Material>, Text> {
    lines(cell)
        .map(|l| {
            let p = parts(l);
            let form = match p.get(1) {
                Some(f) if !f.is_empty() => {
                    MaterialForm::parse(f).ok_or_else(|| bad("材料形式", f))?
                }
                _ => MaterialForm::Original,
            };
            let copies = match p.get(2) {
                Some(c) if !c.is_empty() => c
                    .trim_end_matches('份')
                    .parse::<i64>()
                    .map_err(|_| bad("份数", c))?,
                _ => 1,
            };
            let condition = match p.get(3).map(|s| s.trim()) {
                None | Some("") | Some("必需") | Some("必要") => None,
                Some(c) => Some(
                    c.trim_start_matches("条件:")
                        .trim_start_matches("条件：")
                        .to_string(),
                ),
            };
            Ok(Material {
                name: p[0].to_string(),
                form,
                copies,
                condition,
                shared: matches!(p.get(4).map(|s| s.trim()), Some("共享") | Some("是")),
                blank_form: opt(p.get(5)),
                sample: opt(p.get(6)),
                licence: p
                    .get(7)
                    .map(|c| {
                        c.trim()
                            .trim_start_matches("证照:")
                            .trim_start_matches("证照：")
                    })
                    .filter(|c| !c.is_empty())
                    .map(str::to_string),
            })
        })
        .collect()
}

fn fees(cell: &str) -> Result<Vec<Fee>, Text> {
    if matches!(cell.trim(), "" | "不收费" | "免费") {
        return Ok(Vec::new());
    }
    lines(cell)
        .map(|l| {
            let p = parts(l);
            let amount = p
                .get(1)
                .and_then(|a| parse_yuan(a))
                .ok_or_else(|| bad("收费项目", l))?;
            Ok(Fee {
                name: p[0].to_string(),
                amount_fen: amount,
                basis: p.get(2).map(|s| s.to_string()).unwrap_or_default(),
            })
        })
        .collect()
}

fn procedures(cell: &str) -> Result<Vec<SpecialProcedure>, Text> {
    lines(cell)
        .map(|l| {
            let p = parts(l);
            let d = p
                .get(1)
                .ok_or_else(|| bad("特别程序", l))
                .and_then(|d| days(d))?;
            Ok(SpecialProcedure {
                name: p[0].to_string(),
                days: d,
                note: opt(p.get(2)),
            })
        })
        .collect()
}

fn steps(cell: &str) -> Vec<Step> {
    lines(cell)
        .map(|l| {
            let p = parts(l);
            Step {
                name: p[0].to_string(),
                note: opt(p.get(1)),
            }
        })
        .collect()
}

/// The column a guide field's error belongs to.
fn column_of(field: &str) -> &'static str {
    let head = field.split(['[', '.']).next().unwrap_or(field);
    match head {
        "name" => "事项名称",
        "aliases" => "别名",
        "level" => "行使层级",
        "legal_basis" => "设定依据",
        "conditions" => "受理条件",
        "materials" => "申请材料",
        "fees" => "收费",
        "statutory_days" => "法定时限",
        "promised_days" => "承诺时限",
        "special_procedures" => "特别程序",
        "steps" => "办理环节",
        "modes" => "办理方式",
        "visits" => "到现场次数",
        "address" => "办理地点",
        "hours" => "办理时间",
        "consult_phone" => "咨询电话",
        "complaint_phone" => "投诉电话",
        _ => "事项名称",
    }
}

/// Reads the rows of a sheet. `header` is line 1; `rows` are the lines after it (empty lines are
/// skipped). Every bad line is reported, not just the first.
pub fn parse(header: &[String], rows: &[(usize, Vec<String>)]) -> (Vec<Row>, Vec<RowError>) {
    let mut errors = Vec::new();
    // A header cell as Excel may save it: spaced, or the first with a byte-order mark.
    let position = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
    };
    let index: Vec<Option<usize>> = COLUMNS.iter().map(|c| position(c)).collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(&index)
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| *c)
        .collect();
    if !missing.is_empty() {
        errors.push(RowError::new(
            1,
            &missing.join("、"),
            Text::new(
                format!("缺少列：{}", missing.join("、")),
                format!("missing columns: {}", missing.join(", ")),
            ),
        ));
        return (Vec::new(), errors);
    }
    let result = position(RESULT_COLUMN);
    let mut out: Vec<Row> = Vec::new();
    for (line, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |col: usize| -> &str {
            index[col]
                .and_then(|i| cells.get(i))
                .map(|s| s.as_str())
                .unwrap_or("")
        };
        let mut err =
            |col: usize, reason: Text| errors.push(RowError::new(*line, COLUMNS[col], reason));
        let code = match check_code(get(0)) {
            Ok(c) => c,
            Err(e) => {
                err(0, e.reason);
                continue;
            }
        };
        if let Some(first) = out.iter().find(|r| r.code == code) {
            err(
                0,
                Text::new(
                    format!("实施编码{code}与第{}行重复", first.line),
                    format!("code {code} repeats line {}", first.line),
                ),
            );
            continue;
        }
        let kind = MatterKind::parse(get(4));
        let applicant = Applicant::parse(get(7));
        let (mats, fs, procs) = (materials(get(9)), fees(get(10)), procedures(get(13)));
        let (stat, prom, visits) = (days(get(11)), days(get(12)), days(get(16)));
        let modes: Result<Vec<ServiceMode>, Text> = list(get(15))
            .iter()
            .map(|m| {
                ServiceMode::parse(m).ok_or_else(|| {
                    Text::new(
                        format!("未知的办理方式“{m}”"),
                        format!("unknown way of handling '{m}'"),
                    )
                })
            })
            .collect();
        let windows: Result<Vec<i64>, Text> = get(19)
            .split([',', '，', '、', ';', '；', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                s.trim().parse::<i64>().map_err(|_| {
                    Text::new(
                        format!("窗口号“{s}”不是整数"),
                        format!("window '{s}' is not a number"),
                    )
                })
            })
            .collect();
        let stationed = match get(24).trim() {
            "是" | "进驻" | "Y" | "y" | "1" => Some(true),
            "否" | "未进驻" | "N" | "n" | "0" | "" => Some(false),
            _ => None,
        };
        let before = errors.len();
        let mut err =
            |col: usize, reason: Text| errors.push(RowError::new(*line, COLUMNS[col], reason));
        if kind.is_none() {
            err(
                4,
                Text::new(
                    format!("未知的事项类型“{}”", get(4)),
                    format!("unknown kind '{}'", get(4)),
                ),
            );
        }
        if applicant.is_none() {
            err(
                7,
                Text::new(
                    format!("未知的服务对象“{}”", get(7)),
                    format!("unknown applicant '{}'", get(7)),
                ),
            );
        }
        if stationed.is_none() {
            err(24, Text::fixed("应填“是”或“否”", "should be 是 or 否"));
        }
        for (col, r) in [
            (9, mats.as_ref().err()),
            (10, fs.as_ref().err()),
            (13, procs.as_ref().err()),
        ] {
            if let Some(t) = r {
                err(col, t.clone());
            }
        }
        for (col, r) in [
            (11, stat.as_ref().err()),
            (12, prom.as_ref().err()),
            (16, visits.as_ref().err()),
        ] {
            if let Some(t) = r {
                err(col, t.clone());
            }
        }
        if let Err(t) = &modes {
            err(15, t.clone());
        }
        if let Err(t) = &windows {
            err(19, t.clone());
        }
        if get(3).trim().is_empty() {
            err(3, Text::fixed("不能为空", "must not be empty"));
        }
        if errors.len() > before {
            continue;
        }
        let (
            Some(kind),
            Some(applicant),
            Some(stationed),
            Ok(mats),
            Ok(fs),
            Ok(procs),
            Ok(stat),
            Ok(prom),
            Ok(visits),
            Ok(modes),
            Ok(windows),
        ) = (
            kind, applicant, stationed, mats, fs, procs, stat, prom, visits, modes, windows,
        )
        else {
            continue;
        };
        let guide = Guide {
            name: get(1).to_string(),
            aliases: list(get(2)),
            kind,
            level: get(5).to_string(),
            legal_basis: get(6).to_string(),
            applicant,
            conditions: get(8).to_string(),
            materials: mats,
            fees: fs,
            statutory_days: stat,
            promised_days: prom,
            special_procedures: procs,
            steps: steps(get(14)),
            modes,
            visits,
            hall_id: None,
            zone_id: None,
            windows,
            address: get(20).to_string(),
            hours: get(21).to_string(),
            consult_phone: get(22).to_string(),
            complaint_phone: get(23).to_string(),
            stationed,
        };
        match guide.clean() {
            Ok(guide) => out.push(Row {
                line: *line,
                code,
                department: get(3).trim().to_string(),
                hall: get(17).trim().to_string(),
                zone: get(18).trim().to_string(),
                guide,
                licence_kind: result.map(|i| cells.get(i).map_or("", |c| c.trim()).to_string()),
            }),
            Err(FieldError { field, reason }) => {
                errors.push(RowError::new(*line, column_of(&field), reason))
            }
        }
    }
    (out, errors)
}

/// A matter as a row of cells, in `COLUMNS` order: what `parse` reads back into the same guide.
pub fn cells(code: &str, department: &str, hall: &str, zone: &str, g: &Guide) -> Vec<String> {
    let materials = g
        .materials
        .iter()
        .map(|m| {
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{}",
                m.name,
                m.form.name().zh,
                m.copies,
                m.condition
                    .clone()
                    .map(|c| format!("条件:{c}"))
                    .unwrap_or_else(|| "必需".into()),
                if m.shared { "共享" } else { "" },
                m.blank_form.clone().unwrap_or_default(),
                m.sample.clone().unwrap_or_default(),
                m.licence
                    .as_ref()
                    .map(|c| format!("证照:{c}"))
                    .unwrap_or_default()
            )
            .trim_end_matches('|')
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let fees = if g.fees.is_empty() {
        "不收费".to_string()
    } else {
        g.fees
            .iter()
            .map(|f| format!("{}|{}|{}", f.name, yuan(f.amount_fen), f.basis))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let procs = g
        .special_procedures
        .iter()
        .map(|p| {
            format!(
                "{}|{}|{}",
                p.name,
                p.days,
                p.note.clone().unwrap_or_default()
            )
            .trim_end_matches('|')
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    let steps = g
        .steps
        .iter()
        .map(|s| {
            format!("{}|{}", s.name, s.note.clone().unwrap_or_default())
                .trim_end_matches('|')
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    vec![
        code.to_string(),
        g.name.clone(),
        g.aliases.join("；"),
        department.to_string(),
        g.kind.name().zh.to_string(),
        g.level.clone(),
        g.legal_basis.clone(),
        g.applicant.name().zh.to_string(),
        g.conditions.clone(),
        materials,
        fees,
        g.statutory_days.to_string(),
        g.promised_days.to_string(),
        procs,
        steps,
        g.modes
            .iter()
            .map(|m| m.name().zh.to_string())
            .collect::<Vec<_>>()
            .join("；"),
        g.visits.to_string(),
        hall.to_string(),
        zone.to_string(),
        g.windows
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join(","),
        g.address.clone(),
        g.hours.clone(),
        g.consult_phone.clone(),
        g.complaint_phone.clone(),
        if g.stationed { "是" } else { "否" }.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::guide::tests::sample;

    fn header() -> Vec<String> {
        COLUMNS.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_row_reads_back_into_the_same_guide() {
        let mut g = sample().clean().unwrap();
        g.fees.push(Fee {
            name: "工本费".into(),
            amount_fen: 2050,
            basis: "财政部文件".into(),
        });
        g.special_procedures.push(SpecialProcedure {
            name: "专家评审".into(),
            days: 15,
            note: Some("书面告知".into()),
        });
        g.windows = vec![3, 12];
        // A material a licence stands for keeps its type's code (the eighth part, 证照:code).
        g.materials[0].licence = Some("xxzm".into());
        let row = cells(
            "000101001000",
            "龙港区教育局",
            "龙港区政务服务中心",
            "社会民生事务区",
            &g,
        );
        let (rows, errors) = parse(&header(), &[(2, row.clone())]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].guide, g);
        assert_eq!(rows[0].department, "龙港区教育局");
        assert_eq!(rows[0].zone, "社会民生事务区");
        assert_eq!(
            rows[0].licence_kind, None,
            "no result column: left as it is"
        );
        // With the result column (the export's header), its cell is read, empty or a code.
        let mut with = row.clone();
        with.push(" xxzm ".into());
        let mut short = row;
        short[0] = "000101002000".into();
        let (rows, errors) = parse(&super::header(), &[(2, with), (3, short)]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows[0].licence_kind.as_deref(), Some("xxzm"));
        assert_eq!(
            rows[1].licence_kind.as_deref(),
            Some(""),
            "a short row: none"
        );
    }

    #[test]
    fn every_bad_line_is_reported_with_its_column() {
        let g = sample().clean().unwrap();
        let good = cells("000101001000", "教育局", "", "", &g);
        let mut dup = good.clone();
        dup[1] = "另一个".into();
        let mut negative = cells("000101002000", "教育局", "", "", &g);
        negative[11] = "-5".into();
        let mut promised = cells("000101003000", "教育局", "", "", &g);
        promised[12] = "30".into();
        let mut kind = cells("000101004000", "教育局", "", "", &g);
        kind[4] = "行政命令".into();
        let mut fee = cells("000101005000", "教育局", "", "", &g);
        fee[10] = "工本费|十元|依据".into();
        let (rows, errors) = parse(
            &header(),
            &[
                (2, good),
                (3, dup),
                (4, negative),
                (5, promised),
                (6, kind),
                (7, fee),
            ],
        );
        assert_eq!(rows.len(), 1);
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.column.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (3, "实施编码"),
                (4, "法定时限"),
                (5, "承诺时限"),
                (6, "事项类型"),
                (7, "收费")
            ]
        );
        assert!(errors[0].message(crate::Lang::Zh).contains("与第2行重复"));
        assert!(errors[2].reason.zh.contains("不能超过法定时限"));
    }

    #[test]
    fn missing_columns_are_named() {
        let mut h = header();
        h.retain(|c| c != "承诺时限" && c != "申请材料");
        let (_, errors) = parse(&h, &[(2, vec![String::new(); 23])]);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].reason.zh.contains("申请材料、承诺时限"),
            "{}",
            errors[0].reason.zh
        );
    }
}
