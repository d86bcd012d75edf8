//! The forms a guide names (空白表格, 示范文本), made by the platform: every material whose guide
//! names a blank form or a sample can be downloaded as a workbook laid out for printing — the
//! matter, the material, the applicant's particulars, what is asked for, the signature — and
//! the sample filled in with an example, marked 示范文本. A guide names no form the platform
//! cannot give.

use crate::error::{AppError, AppResult};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

/// Which of a material's forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKind {
    Blank,
    Sample,
}

impl FormKind {
    pub fn parse(s: &str) -> Option<FormKind> {
        match s {
            "blank" => Some(FormKind::Blank),
            "sample" => Some(FormKind::Sample),
            _ => None,
        }
    }

    /// What the downloaded file is called: the material and the kind.
    pub fn file_name(self, material: &str) -> String {
        match self {
            FormKind::Blank => format!("{material}（空白表格）.xlsx"),
            FormKind::Sample => format!("{material}（示范文本）.xlsx"),
        }
    }
}

/// What a form is about.
pub struct FormOf<'a> {
    pub matter: &'a str,
    pub code: &'a str,
    pub department: &'a str,
    pub material: &'a str,
    pub applicant_is_legal: bool,
}

/// The rows of the form: (label, example for the sample).
fn rows(f: &FormOf) -> Vec<(&'static str, String)> {
    let (who, id, example_who, example_id) = if f.applicant_is_legal {
        (
            "申请单位名称",
            "统一社会信用代码",
            "葫芦岛市龙港建设有限公司",
            "91211403MA0XXXXXXX",
        )
    } else {
        ("申请人姓名", "公民身份号码", "李某某", "2114031990XXXXXXXX")
    };
    vec![
        (who, example_who.to_string()),
        (id, example_id.to_string()),
        ("联系人", "李某某".into()),
        ("联系电话", "139XXXXXXXX".into()),
        ("联系地址", "葫芦岛市龙港区某街道某号".into()),
        ("申请事项", f.matter.to_string()),
        (
            "申请事由及情况说明",
            "（按实际情况填写申请事由，写明需要说明的情况。）".into(),
        ),
        ("所附材料", "按办事指南所列材料清单提交".into()),
    ]
}

/// The workbook of a form, ready to print on A4.
pub fn workbook(f: &FormOf, kind: FormKind) -> AppResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name(if kind == FormKind::Blank {
            "空白表格"
        } else {
            "示范文本"
        })?;
        ws.set_paper_size(9); // A4
        ws.set_column_width(0, 22.0)?;
        ws.set_column_width(1, 60.0)?;
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center);
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let label = cell.clone().set_bold();
        let note = Format::new().set_font_size(9).set_text_wrap();
        ws.merge_range(0, 0, 0, 1, f.material, &title)?;
        let sub = match kind {
            FormKind::Blank => format!("{}（{}）", f.matter, f.code),
            FormKind::Sample => format!("{}（{}） · 示范文本，仅供参考", f.matter, f.code),
        };
        ws.merge_range(
            1,
            0,
            1,
            1,
            &sub,
            &Format::new().set_align(FormatAlign::Center),
        )?;
        let mut r = 3u32;
        for (l, example) in rows(f) {
            ws.write_string_with_format(r, 0, l, &label)?;
            let v = if kind == FormKind::Sample {
                example
            } else {
                String::new()
            };
            ws.write_string_with_format(r, 1, &v, &cell)?;
            ws.set_row_height(r, if l.contains("说明") { 90.0 } else { 28.0 })?;
            r += 1;
        }
        ws.write_string_with_format(r, 0, "申请人签字（盖章）", &label)?;
        ws.write_string_with_format(
            r,
            1,
            if kind == FormKind::Sample {
                "李某某（签字）            2026年  月  日"
            } else {
                "                          年    月    日"
            },
            &cell,
        )?;
        ws.set_row_height(r, 48.0)?;
        r += 2;
        ws.merge_range(
            r,
            0,
            r,
            1,
            &format!(
                "本表由一窗通依办事指南生成，受理部门：{}。申请人对所填内容的真实性负责。",
                f.department
            ),
            &note,
        )?;
        wb.save_to_buffer()
    };
    build().map_err(|e| {
        tracing::error!(error = %e, "a guide's form could not be made");
        AppError::internal()
    })
}
