//! The grid map's base layer: tiles from a server the district names (`[map]` in the
//! configuration), e.g. 天地图's vector and annotation layers or the city's own XYZ/WMTS service
//! in Web Mercator (EPSG:3857) on CGCS2000/WGS 84, the datum of the grids. Nothing is fetched by
//! the platform: the reader's browser asks the tile server, which is why the server's origin is
//! added to the pages' Content-Security-Policy and nothing else is.

use serde::{Deserialize, Serialize};

/// `[map]`: the base layer. Left out, the map is drawn from the grids alone.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MapSettings {
    /// Tile address templates, drawn in order (a base layer, then an annotation layer), each
    /// with `{z}`, `{x}` and `{y}`, and `{s}` for one of `subdomains`.
    #[serde(default)]
    pub tiles: Vec<String>,
    /// What `{s}` stands for, one character each (天地图: "01234567").
    #[serde(default)]
    pub subdomains: Option<String>,
    /// The map's source and its 审图号, shown under the map as the law asks of a published map.
    #[serde(default)]
    pub attribution: Option<String>,
    /// The deepest zoom level the server has (default 18).
    #[serde(default)]
    pub max_zoom: Option<u8>,
}

pub const DEFAULT_MAX_ZOOM: u8 = 18;

impl MapSettings {
    /// Each template is an http(s) address with its three placeholders; `{s}` needs its
    /// subdomains. The message names the template, for whoever edits the file.
    pub fn check(&self) -> Result<(), String> {
        for (i, t) in self.tiles.iter().enumerate() {
            let at = format!("[map] tiles[{i}]");
            if origin_of(t).is_none() {
                return Err(format!("{at}: not an http(s) address: {t}"));
            }
            for p in ["{z}", "{x}", "{y}"] {
                if !t.contains(p) {
                    return Err(format!("{at}: {p} is missing: {t}"));
                }
            }
            if t.contains("{s}") && self.subdomains.as_deref().unwrap_or("").is_empty() {
                return Err(format!("{at}: {{s}} needs [map] subdomains"));
            }
            if t.contains(['"', '\'', ' ', ';']) {
                return Err(format!("{at}: quotes, spaces and ';' are not allowed: {t}"));
            }
        }
        if self.max_zoom.is_some_and(|z| !(1..=22).contains(&z)) {
            return Err("[map] max_zoom: between 1 and 22".into());
        }
        Ok(())
    }

    pub fn max_zoom(&self) -> u8 {
        self.max_zoom.unwrap_or(DEFAULT_MAX_ZOOM)
    }

    /// The origins the browser fetches tiles from: each template's, with `{s}` expanded.
    pub fn origins(&self) -> Vec<String> {
        let subs: Vec<String> = self
            .subdomains
            .as_deref()
            .unwrap_or("")
            .chars()
            .map(String::from)
            .collect();
        let mut out: Vec<String> = Vec::new();
        for t in &self.tiles {
            let variants: Vec<String> = if t.contains("{s}") {
                subs.iter().map(|s| t.replace("{s}", s)).collect()
            } else {
                vec![t.clone()]
            };
            for v in variants {
                if let Some(o) = origin_of(&v)
                    && !out.contains(&o)
                {
                    out.push(o);
                }
            }
        }
        out
    }

    /// The pages' Content-Security-Policy: our own resources only, and images from the tile
    /// servers.
    pub fn content_security_policy(&self) -> String {
        let mut img = String::from("'self' data:");
        for o in self.origins() {
            img.push(' ');
            img.push_str(&o);
        }
        format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src {img}; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        )
    }
}

/// `scheme://host[:port]` of an http(s) address, or nothing for anything else.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    if host.is_empty() || host.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tianditu() -> MapSettings {
        MapSettings {
            tiles: vec![
                "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY".into(),
                "https://t{s}.tianditu.gov.cn/cva_w/wmts?LAYER=cva&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY".into(),
            ],
            subdomains: Some("01".into()),
            attribution: Some("审图号：GS(2024)0568号".into()),
            max_zoom: None,
        }
    }

    #[test]
    fn the_tile_servers_origins_and_only_they_join_the_image_sources() {
        let m = tianditu();
        assert!(m.check().is_ok());
        assert_eq!(
            m.origins(),
            ["https://t0.tianditu.gov.cn", "https://t1.tianditu.gov.cn"]
        );
        let csp = m.content_security_policy();
        assert!(
            csp.contains(
                "img-src 'self' data: https://t0.tianditu.gov.cn https://t1.tianditu.gov.cn;"
            ),
            "{csp}"
        );
        assert!(csp.contains("script-src 'self';"));
        let none = MapSettings::default();
        assert!(
            none.content_security_policy()
                .contains("img-src 'self' data:;")
        );
    }

    #[test]
    fn a_template_without_its_placeholders_or_subdomains_is_refused_by_name() {
        let mut m = tianditu();
        m.subdomains = None;
        assert!(m.check().unwrap_err().contains("subdomains"));
        let m = MapSettings {
            tiles: vec!["http://tiles.example/{z}/{x}.png".into()],
            ..MapSettings::default()
        };
        assert!(m.check().unwrap_err().contains("{y} is missing"));
        let m = MapSettings {
            tiles: vec!["javascript:{z}{x}{y}".into()],
            ..MapSettings::default()
        };
        assert!(m.check().unwrap_err().contains("not an http(s) address"));
        let m = MapSettings {
            tiles: vec!["http://a.example/{z}/{x}/{y}.png; script-src *".into()],
            ..MapSettings::default()
        };
        assert!(m.check().is_err());
    }
}
