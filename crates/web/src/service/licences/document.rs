//! The licence document (PDF): the licence as a person prints or shows it — its type and number,
//! holder, fields, validity and issuer, the department's seal, and a QR code to its verify page —
//! with the signed data embedded and the whole file sealed (see `core::licence::file`).
//!
//! The Chinese text is set in STSong-Light, one of the CJK fonts every PDF reader supplies, and
//! Latin letters and digits in Times-Roman, one of the base fonts: no font travels with the file
//! (and none is shipped with the platform).

use onewindow_core::licence::Licence;
use onewindow_core::licence::file::{self, DATA_PART, SIGNATURE_PART};
use onewindow_core::licence::record::HolderKind;
use onewindow_core::licence::seal::SealKey;
use pdf_writer::types::{CidFontType, FontFlags, TextRenderingMode};
use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};
use qrcode::{Color, EcLevel, QrCode};

const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const SONG: Name<'static> = Name(b"F1");
const TIMES: Name<'static> = Name(b"F2");
const INK_BLEND: Name<'static> = Name(b"GS1");
/// Times-Roman's advance widths (thousandths of an em) of the characters from space to `~`, as
/// its font metrics give them: the layout measures Latin text with these.
const TIMES_WIDTHS: [u16; 95] = [
    250, 333, 408, 500, 500, 833, 778, 333, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611,
    556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722,
    722, 611, 333, 278, 333, 333, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500,
    278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 333,
];
const INK: (f32, f32, f32) = (0.13, 0.13, 0.13);
const FRAME: (f32, f32, f32) = (0.62, 0.42, 0.16);
const SEAL_RED: (f32, f32, f32) = (0.86, 0.08, 0.1);

/// What the document needs besides the licence.
pub struct Sheet<'a> {
    pub licence: &'a Licence,
    /// The seal's signature of the licence's canonical data, hex.
    pub data_signature: &'a str,
    /// Where the QR code leads: the public verify page.
    pub verify_url: &'a str,
    /// The key that signed the licence; it seals the file too.
    pub key: &'a SealKey,
}

/// Printable ASCII is set in Times; everything else in Song.
fn latin(c: char) -> bool {
    (' '..='~').contains(&c)
}

/// The Song text in its encoding (UniGB-UCS2-H: UCS-2, big-endian); a character outside the
/// Basic Multilingual Plane, which the encoding cannot name, becomes a full-width question mark.
fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .flat_map(|c| u16::try_from(u32::from(c)).unwrap_or(0xFF1F).to_be_bytes())
        .collect()
}

/// The text as runs of one font each.
fn runs(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    for c in text.chars() {
        match out.last_mut() {
            Some((l, run)) if *l == latin(c) => run.push(c),
            _ => out.push((latin(c), c.to_string())),
        }
    }
    out
}

/// The width of a text in ems: Latin by Times' metrics, the rest a whole em (as the file
/// declares the Song font's widths).
fn ems(text: &str) -> f32 {
    text.chars()
        .map(|c| {
            if latin(c) {
                f32::from(TIMES_WIDTHS[c as usize - 32]) / 1000.0
            } else {
                1.0
            }
        })
        .sum()
}

/// A text split into lines no wider than `width` at `size`.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = vec![String::new()];
    for c in text.chars() {
        let line = lines.last_mut().expect("lines starts with one");
        if !line.is_empty() && (ems(line) + ems(&c.to_string())) * size > width {
            lines.push(c.to_string());
        } else {
            line.push(c);
        }
    }
    lines
}

struct Page {
    c: Content,
}

impl Page {
    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.placed([1.0, 0.0, 0.0, 1.0, x, y], size, text);
    }

    /// A text at a text matrix (position and turn), each run in its font.
    fn placed(&mut self, matrix: [f32; 6], size: f32, text: &str) {
        self.c.begin_text();
        self.c.set_text_matrix(matrix);
        for (is_latin, run) in runs(text) {
            if is_latin {
                self.c.set_font(TIMES, size);
                self.c.show(Str(run.as_bytes()));
            } else {
                self.c.set_font(SONG, size);
                self.c.show(Str(&encode(&run)));
            }
        }
        self.c.end_text();
    }

    fn centred(&mut self, y: f32, size: f32, text: &str) {
        self.text((WIDTH - ems(text) * size) / 2.0, y, size, text);
    }

    /// Bold as a seal's or a title's characters are: filled and outlined.
    fn bold(&mut self, on: bool, width: f32) {
        self.c.set_text_rendering_mode(if on {
            TextRenderingMode::FillStroke
        } else {
            TextRenderingMode::Fill
        });
        self.c.set_line_width(width);
    }

    fn colour(&mut self, (r, g, b): (f32, f32, f32)) {
        self.c.set_fill_rgb(r, g, b);
        self.c.set_stroke_rgb(r, g, b);
    }

    fn circle(&mut self, cx: f32, cy: f32, r: f32) {
        // Four Bézier quarters (k: the standard approximation's handle length).
        let k = 0.552_284_8 * r;
        self.c.move_to(cx + r, cy);
        self.c.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
        self.c.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
        self.c.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
        self.c.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
        self.c.close_path();
    }

    /// The department's seal: a red ring, its name along the top, a star, and the seal's use.
    fn seal(&mut self, cx: f32, cy: f32, department: &str) {
        let r = 62.0;
        self.c.save_state();
        // Like ink: what it is stamped over shows through.
        self.c.set_parameters(INK_BLEND);
        self.colour(SEAL_RED);
        self.c.set_line_width(3.2);
        self.circle(cx, cy, r);
        self.c.stroke();
        // The star: five points, upright.
        let (outer, inner) = (17.0_f32, 6.8_f32);
        for i in 0..10 {
            let radius = if i % 2 == 0 { outer } else { inner };
            let a = std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
            let (x, y) = (cx + radius * a.cos(), cy + radius * a.sin());
            if i == 0 {
                self.c.move_to(x, y);
            } else {
                self.c.line_to(x, y);
            }
        }
        self.c.close_path();
        self.c.fill_nonzero();
        // The name along the arc, each character upright towards the rim, clockwise from the
        // left: a long name takes smaller characters to stay within 250°.
        let chars: Vec<char> = department.chars().collect();
        let n = chars.len().max(1) as f32;
        let mut size = 14.0_f32;
        let baseline = |size: f32| r - 5.0 - size * 0.88;
        while size > 8.0 && n * size * 1.08 / baseline(size) > 250_f32.to_radians() {
            size -= 0.5;
        }
        let rb = baseline(size);
        let step = size * 1.08 / rb;
        let first = std::f32::consts::FRAC_PI_2 + step * (n - 1.0) / 2.0;
        self.bold(true, 0.3);
        for (i, ch) in chars.iter().enumerate() {
            let a = first - step * i as f32;
            let (ux, uy) = (a.cos(), a.sin());
            let (bx, by) = (uy, -ux);
            let x = cx + rb * ux - size / 2.0 * bx;
            let y = cy + rb * uy - size / 2.0 * by;
            self.placed([bx, by, ux, uy, x, y], size, &ch.to_string());
        }
        let use_ = "电子证照专用章";
        let size = 9.5;
        self.text(cx - ems(use_) * size / 2.0, cy - 34.0, size, use_);
        self.bold(false, 1.0);
        self.c.restore_state();
    }

    fn qr(&mut self, x: f32, y: f32, side: f32, url: &str) {
        let Ok(code) = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) else {
            return;
        };
        let w = code.width();
        let module = side / w as f32;
        let colors = code.to_colors();
        self.c.save_state();
        self.colour((0.0, 0.0, 0.0));
        for row in 0..w {
            for col in 0..w {
                if colors[row * w + col] == Color::Dark {
                    // A hair larger than the module, so neighbours join without seams.
                    self.c.rect(
                        x + col as f32 * module,
                        y + side - (row + 1) as f32 * module,
                        module + 0.05,
                        module + 0.05,
                    );
                }
            }
        }
        self.c.fill_nonzero();
        self.c.restore_state();
    }
}

fn date(d: chrono::NaiveDate) -> String {
    onewindow_core::time::date_zh(d)
}

/// The sealed PDF.
pub fn render(s: &Sheet<'_>) -> Vec<u8> {
    let l = s.licence;
    let mut page = Page { c: Content::new() };
    page.colour(FRAME);
    // The frame: a heavy outer rule and a fine inner one, as a certificate has.
    page.c.set_line_width(3.0);
    page.c
        .rect(28.0, 28.0, WIDTH - 56.0, HEIGHT - 56.0)
        .stroke();
    page.c.set_line_width(0.8);
    page.c
        .rect(36.0, 36.0, WIDTH - 72.0, HEIGHT - 72.0)
        .stroke();
    page.colour(INK);

    let mut y = HEIGHT - 118.0;
    page.bold(true, 0.6);
    let title_size = if ems(&l.kind_name) > 14.0 { 22.0 } else { 28.0 };
    page.centred(y, title_size, &l.kind_name);
    page.bold(false, 1.0);
    y -= 26.0;
    page.centred(y, 11.0, "（电子证照）");
    y -= 30.0;
    let number = format!("编号：{}", l.number);
    page.text(WIDTH - MARGIN - 8.0 - ems(&number) * 11.0, y, 11.0, &number);
    y -= 22.0;

    // The body: label and value, each value wrapped within its column.
    let (label_x, value_x) = (MARGIN + 24.0, MARGIN + 150.0);
    let value_width = WIDTH - MARGIN - 24.0 - value_x;
    let holder_label = match l.holder.kind {
        HolderKind::Person => ("持证人", "公民身份号码"),
        HolderKind::Enterprise => ("持证单位", "统一社会信用代码"),
    };
    let mut rows: Vec<(String, String)> = vec![
        (holder_label.0.into(), l.holder.name.clone()),
        (holder_label.1.into(), l.holder.id_number.clone()),
    ];
    rows.extend(
        l.fields
            .iter()
            .filter(|f| f.value != l.holder.name && f.value != l.holder.id_number)
            .map(|f| (f.label.clone(), f.value.clone())),
    );
    rows.push((
        "有效期".into(),
        match l.expires_on {
            Some(e) => format!("{}至{}", date(l.issued_on), date(e)),
            None => "长期".into(),
        },
    ));
    let size = 13.0;
    page.c.set_line_width(0.4);
    for (label, value) in &rows {
        y -= 30.0;
        page.text(label_x, y, size, label);
        let lines = wrap(value, size, value_width);
        for (i, line) in lines.iter().enumerate() {
            page.text(value_x, y - i as f32 * 19.0, size, line);
        }
        y -= (lines.len().saturating_sub(1)) as f32 * 19.0;
        page.colour((0.75, 0.75, 0.75));
        page.c.move_to(label_x, y - 9.0);
        page.c.line_to(WIDTH - MARGIN - 24.0, y - 9.0);
        page.c.stroke();
        page.colour(INK);
    }

    // The issuer and date above the seal, the QR code to the left.
    let seal_x = WIDTH - MARGIN - 110.0;
    let seal_y = 220.0;
    let issuer = format!("发证机关：{}", l.department_name);
    page.text(
        seal_x - ems(&issuer) * 12.0 / 2.0,
        seal_y + 12.0,
        12.0,
        &issuer,
    );
    let issued = format!("发证日期：{}", date(l.issued_on));
    page.text(
        seal_x - ems(&issued) * 12.0 / 2.0,
        seal_y - 12.0,
        12.0,
        &issued,
    );
    page.seal(seal_x, seal_y, &l.department_name);

    let qr_side = 104.0;
    let (qr_x, qr_y) = (MARGIN + 24.0, seal_y - 70.0);
    page.qr(qr_x, qr_y, qr_side, s.verify_url);
    page.text(qr_x + 6.0, qr_y - 16.0, 10.0, "扫码核验真伪与状态");

    // The small print: how to check it, and with what key.
    let notes = [
        format!(
            "本电子证照由{}以电子印章（SM2/SM3）签发，可扫描二维码或访问以下地址核验：",
            l.department_name
        ),
        s.verify_url.to_string(),
        format!(
            "离线核验：onewindow licence verify 本文件；签名密钥 {}。",
            s.key.id
        ),
    ];
    let mut ny = 84.0;
    for note in &notes {
        for line in wrap(note, 8.5, WIDTH - 2.0 * MARGIN - 20.0) {
            page.text(MARGIN + 10.0, ny, 8.5, &line);
            ny -= 12.0;
        }
    }

    sealed(s, page.c.finish().to_vec())
}

/// The file around the page: the font, the embedded signed data, the document's title; then
/// the file's own signature.
fn sealed(s: &Sheet<'_>, content: Vec<u8>) -> Vec<u8> {
    let l = s.licence;
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let font = Ref::new(4);
    let cid_font = Ref::new(5);
    let descriptor = Ref::new(6);
    let contents = Ref::new(7);
    let data_spec = Ref::new(8);
    let data_file = Ref::new(9);
    let sig_spec = Ref::new(10);
    let sig_file = Ref::new(11);
    let info = Ref::new(12);
    let times = Ref::new(13);
    let ink = Ref::new(14);

    {
        let mut c = pdf.catalog(catalog);
        c.pages(pages);
        let mut names = c.names();
        let mut files = names.embedded_files();
        let mut entries = files.names();
        entries.insert(Str(b"licence.json"), data_spec);
        entries.insert(Str(b"licence.sig"), sig_spec);
    }
    pdf.pages(pages).kids([page]).count(1);
    {
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        p.parent(pages);
        p.contents(contents);
        let mut resources = p.resources();
        resources.fonts().pair(SONG, font).pair(TIMES, times);
        resources.ext_g_states().pair(INK_BLEND, ink);
    }
    pdf.type1_font(times)
        .base_font(Name(b"Times-Roman"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.ext_graphics(ink)
        .blend_mode(pdf_writer::types::BlendMode::Multiply)
        .non_stroking_alpha(0.92)
        .stroking_alpha(0.92);
    pdf.type0_font(font)
        .base_font(Name(b"STSong-Light"))
        .encoding_predefined(Name(b"UniGB-UCS2-H"))
        .descendant_font(cid_font);
    {
        let mut f = pdf.cid_font(cid_font);
        f.subtype(CidFontType::Type0)
            .base_font(Name(b"STSong-Light"))
            .system_info(pdf_writer::types::SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"GB1"),
                supplement: 4,
            })
            .font_descriptor(descriptor)
            .default_width(1000.0);
    }
    pdf.font_descriptor(descriptor)
        .name(Name(b"STSong-Light"))
        .flags(FontFlags::SYMBOLIC | FontFlags::SERIF)
        .bbox(Rect::new(-25.0, -254.0, 1000.0, 880.0))
        .italic_angle(0.0)
        .ascent(880.0)
        .descent(-120.0)
        .cap_height(880.0)
        .stem_v(93.0);
    pdf.stream(contents, &content);

    let data = l.canonical();
    pdf.file_spec(data_spec)
        .path(Str(b"licence.json"))
        .unic_file(TextStr("licence.json"))
        .description(TextStr("证照数据（电子印章签名的内容）"))
        .embedded_file_with_unicode(data_file);
    pdf.embedded_file(data_file, &data)
        .subtype(Name(b"application#2Fjson"))
        .pair(Name(b"OWPart"), Name(&DATA_PART[b"/OWPart /".len()..]));
    pdf.file_spec(sig_spec)
        .path(Str(b"licence.sig"))
        .unic_file(TextStr("licence.sig"))
        .description(TextStr("证照数据的SM2签名（十六进制）"))
        .embedded_file_with_unicode(sig_file);
    pdf.embedded_file(sig_file, s.data_signature.as_bytes())
        .subtype(Name(b"text#2Fplain"))
        .pair(Name(b"OWPart"), Name(&SIGNATURE_PART[b"/OWPart /".len()..]));
    pdf.document_info(info)
        .title(TextStr(&format!("{}（{}）", l.kind_name, l.number)))
        .author(TextStr(&l.department_name))
        .producer(TextStr("OneWindow 一窗通"));

    let mut bytes = pdf.finish();
    file::seal_file(&mut bytes, &s.key.id, |b| s.key.sign(b));
    bytes
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_measured_and_wrapped_as_the_file_declares_it() {
        assert_eq!(super::ems("许可证AA1"), 3.0 + 0.722 * 2.0 + 0.5);
        assert_eq!(
            super::runs("龙港区104号"),
            vec![
                (false, "龙港区".to_string()),
                (true, "104".to_string()),
                (false, "号".to_string())
            ]
        );
        let lines = super::wrap("福州市龙港区望海路一号综合楼A座", 10.0, 60.0);
        assert_eq!(lines[0], "福州市龙港区");
        assert!(lines.iter().all(|l| super::ems(l) * 10.0 <= 60.0));
        assert_eq!(lines.concat(), "福州市龙港区望海路一号综合楼A座");
        assert_eq!(super::encode("证A"), vec![0x8b, 0xc1, 0x00, 0x41]);
        assert_eq!(super::encode("𠀀"), vec![0xff, 0x1f]);
    }
}
