//! Charts drawn on the server as SVG: no script, no download, printable. Colours and sizes are
//! presentation attributes (the Content-Security-Policy allows no inline style). Every text is
//! escaped.

use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Columns over a time axis, two series side by side (e.g. received and concluded per month),
/// with a legend.
pub fn columns(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[(&str, &str, Vec<f64>)],
) -> String {
    let (w, h, left, bottom, top) = (720.0, 260.0, 48.0, 36.0, 28.0);
    let max = series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let n = labels.len().max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let bar = (slot * 0.8 / series.len().max(1) as f64).max(1.0);
    let plot_h = h - bottom - top;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" role="img" aria-label="{t}" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    // Axis and the scale's top value.
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#94a3b8"/><text x="{tx}" y="{ty}" font-size="11" text-anchor="end" fill="#475569">{m}</text><text x="{tx}" y="{y0}" font-size="11" text-anchor="end" fill="#475569">0</text>"##,
        y0 = h - bottom,
        x1 = w - 4.0,
        tx = left - 4.0,
        ty = top + 4.0,
        m = num(max)
    );
    for (i, label) in labels.iter().enumerate() {
        let x0 = left + slot * i as f64 + slot * 0.1;
        for (j, (_, colour, values)) in series.iter().enumerate() {
            let v = values.get(i).copied().unwrap_or(0.0);
            let bh = plot_h * v / max;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="{colour}"><title>{l} {v}</title></rect>"#,
                x = x0 + bar * j as f64,
                y = h - bottom - bh,
                l = esc(label),
                v = num(v)
            );
        }
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{y}" font-size="11" text-anchor="middle" fill="#334155">{l}</text>"##,
            x = x0 + slot * 0.4,
            y = h - bottom + 14.0,
            l = esc(label)
        );
    }
    for (j, (name, colour, _)) in series.iter().enumerate() {
        let x = left + 130.0 * j as f64;
        let _ = write!(
            out,
            r##"<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/><text x="{tx}" y="16" font-size="12" fill="#334155">{n}</text>"##,
            tx = x + 16.0,
            n = esc(name)
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per named item, longest first as given (a ranking), values in `unit`.
pub fn ranking(id: &str, title: &str, items: &[(String, f64)], unit: &str, colour: &str) -> String {
    let row = 22.0;
    let (w, label_w, top) = (720.0, 220.0, 8.0);
    let h = top + row * items.len().max(1) as f64 + 8.0;
    let max = items.iter().map(|i| i.1).fold(0.0_f64, f64::max).max(1.0);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" role="img" aria-label="{t}" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    for (i, (name, v)) in items.iter().enumerate() {
        let y = top + row * i as f64;
        let bw = (w - label_w - 70.0) * v / max;
        let _ = write!(
            out,
            r##"<text x="{lx}" y="{ty:.1}" font-size="12" text-anchor="end" fill="#334155">{n}</text><rect x="{label_w}" y="{y:.1}" width="{bw:.1}" height="{bh}" fill="{colour}"/><text x="{vx:.1}" y="{ty:.1}" font-size="12" fill="#334155">{v}{u}</text>"##,
            lx = label_w - 6.0,
            ty = y + 14.0,
            n = esc(name),
            bh = row - 6.0,
            vx = label_w + bw + 4.0,
            v = num(*v),
            u = esc(unit)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_their_text_and_scale_to_the_largest_value() {
        let svg = columns(
            "c",
            "<趋势>",
            &["2026-01".into(), "2026-02".into()],
            &[
                ("受理", "#2563eb", vec![10.0, 20.0]),
                ("办结", "#16a34a", vec![5.0, 0.0]),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;趋势&gt;") && !svg.contains("<趋势>"));
        assert_eq!(
            svg.matches("<rect").count(),
            4 + 2,
            "four bars and two legend keys"
        );
        // The largest value fills the plot (260 − 36 − 28 = 196).
        assert!(svg.contains(r#"height="196.0""#), "{svg}");
        let r = ranking(
            "r",
            "排名",
            &[("A&B".into(), 50.0), ("C".into(), 100.0)],
            "%",
            "#16a34a",
        );
        assert!(r.contains("A&amp;B") && r.contains("100%"));
    }
}
