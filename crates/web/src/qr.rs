//! QR codes for guides, life events, bundles and licences: SVG for print, PNG for screens and
//! chat apps; and the public address they point at.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::http::{HeaderMap, header};
use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

/// The address printed codes point at: the configured public address, or this request's host.
pub fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn code(url: &str) -> AppResult<QrCode> {
    // Level M survives a scuffed poster on the hall wall.
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).map_err(|e| {
        tracing::error!(error = %e, "QR encoding failed");
        AppError::internal()
    })
}

pub fn svg(url: &str, size: u32) -> AppResult<String> {
    Ok(code(url)?
        .render::<svg::Color<'_>>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .build())
}

/// A greyscale PNG, `scale` pixels per module, with the standard four-module quiet zone.
pub fn png(url: &str, scale: usize) -> AppResult<Vec<u8>> {
    let c = code(url)?;
    let w = c.width();
    let quiet = 4;
    let side = (w + 2 * quiet) * scale;
    let colors = c.to_colors();
    let mut pixels = vec![255u8; side * side];
    for y in 0..w {
        for x in 0..w {
            if colors[y * w + x] == Color::Dark {
                for dy in 0..scale {
                    let row = (y + quiet) * scale + dy;
                    let start = row * side + (x + quiet) * scale;
                    pixels[start..start + scale].fill(0);
                }
            }
        }
    }
    let side32 = u32::try_from(side).map_err(|_| AppError::internal())?;
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, side32, side32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|_| AppError::internal())?;
        writer
            .write_image_data(&pixels)
            .map_err(|_| AppError::internal())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_renderings_are_made() {
        let s = super::svg("http://127.0.0.1:8080/guide/2114031100010000", 200).unwrap();
        assert!(s.starts_with("<?xml") && s.contains("<svg"));
        let p = super::png("http://127.0.0.1:8080/guide/2114031100010000", 4).unwrap();
        assert_eq!(&p[1..4], b"PNG");
    }
}
