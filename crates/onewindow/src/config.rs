//! Configuration from, in order of precedence: command-line flags, `ONEWINDOW_*` environment
//! variables (both through clap), an optional TOML file (`--config` / `ONEWINDOW_CONFIG`), and
//! the defaults.

use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/onewindow.db";
pub const DEFAULT_DEMO_PASSWORD: &str = "demo-password";

/// The optional file. Every key may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub addr: Option<String>,
    pub database_url: Option<String>,
    pub demo: Option<bool>,
    pub demo_password: Option<String>,
    pub session_idle_minutes: Option<u64>,
    pub session_hours: Option<u64>,
    pub token_hours: Option<u64>,
    pub body_limit_bytes: Option<usize>,
    pub request_timeout_seconds: Option<u64>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy: Option<bool>,
    pub max_failed_logins_per_account: Option<i64>,
    pub max_failed_logins_per_address: Option<i64>,
    pub login_window_minutes: Option<u64>,
    pub security_alert_threshold: Option<i64>,
    pub security_alert_window_minutes: Option<u64>,
    pub log_format: Option<String>,
    pub public_url: Option<String>,
    /// Where uploaded application materials are stored (default `data/uploads`).
    pub uploads_dir: Option<String>,
    /// Where case notices go (`[notify]`): SMTP relay, SMS webhook; the log when left out.
    pub notify: Option<onewindow_web::service::notify::NotifyConfig>,
    /// Who the site is (`[site]`): name, 主办单位, 承办单位, 备案号, hotline.
    pub site: Option<onewindow_web::state::Site>,
    /// The grid map's base layer (`[map]`): tile servers (天地图, the city's own), attribution.
    pub map: Option<onewindow_web::basemap::MapSettings>,
    /// Electronic licences (`[licences]`): the key sealing the departments' signing keys.
    pub licences: Option<onewindow_web::service::licences::LicenceSettings>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<FileConfig, String> {
        let Some(path) = path else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
        let file: FileConfig =
            toml::from_str(&text).map_err(|e| format!("config file {}: {e}", path.display()))?;
        if let Some(m) = &file.map {
            m.check()
                .map_err(|e| format!("config file {}: {e}", path.display()))?;
        }
        Ok(file)
    }

    /// The web settings, with the file's values over the defaults.
    pub fn web(&self) -> onewindow_web::WebConfig {
        let d = onewindow_web::WebConfig::default();
        let mins = |m: Option<u64>, dflt: Duration| m.map_or(dflt, |m| Duration::from_secs(m * 60));
        let hours =
            |h: Option<u64>, dflt: Duration| h.map_or(dflt, |h| Duration::from_secs(h * 3600));
        onewindow_web::WebConfig {
            session_idle: mins(self.session_idle_minutes, d.session_idle),
            session_absolute: hours(self.session_hours, d.session_absolute),
            token_lifetime: hours(self.token_hours, d.token_lifetime),
            body_limit: self.body_limit_bytes.unwrap_or(d.body_limit),
            import_limit: d.import_limit,
            request_timeout: self
                .request_timeout_seconds
                .map_or(d.request_timeout, Duration::from_secs),
            secure_cookies: self.secure_cookies.unwrap_or(d.secure_cookies),
            trust_proxy: self.trust_proxy.unwrap_or(d.trust_proxy),
            max_failures_per_account: self
                .max_failed_logins_per_account
                .unwrap_or(d.max_failures_per_account),
            max_failures_per_address: self
                .max_failed_logins_per_address
                .unwrap_or(d.max_failures_per_address),
            login_window: mins(self.login_window_minutes, d.login_window),
            security_alert_threshold: self
                .security_alert_threshold
                .unwrap_or(d.security_alert_threshold),
            security_alert_window: mins(
                self.security_alert_window_minutes,
                d.security_alert_window,
            ),
            public_url: self.public_url.clone(),
            site: self.site.clone().unwrap_or_default(),
            map: self.map.clone().unwrap_or_default(),
            licences: self.licences.clone().unwrap_or_default(),
            demo: false,
            demo_password: None,
            uploads_dir: self
                .uploads_dir
                .as_ref()
                .map_or(d.uploads_dir.clone(), std::path::PathBuf::from),
            clock: d.clock,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_override_defaults_and_unknown_keys_are_refused() {
        let f: FileConfig =
            toml::from_str("session_idle_minutes = 10\nsecure_cookies = true").unwrap();
        let w = f.web();
        assert_eq!(w.session_idle, Duration::from_secs(600));
        assert!(w.secure_cookies);
        assert_eq!(w.max_failures_per_account, 5);
        assert!(toml::from_str::<FileConfig>("colour = 1").is_err());
    }

    #[test]
    fn the_map_table_names_the_tile_servers_and_a_bad_template_stops_the_start() {
        let dir = std::env::temp_dir().join(format!("ow_map_cfg_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(
            &good,
            "[map]\ntiles = [\"https://tiles.example.gov.cn/{z}/{x}/{y}.png\"]\nattribution = \"审图号：辽S(2024)001号\"",
        )
        .unwrap();
        let w = FileConfig::load(Some(&good)).unwrap().web();
        assert_eq!(w.map.origins(), ["https://tiles.example.gov.cn"]);
        let bad = dir.join("bad.toml");
        std::fs::write(
            &bad,
            "[map]\ntiles = [\"https://tiles.example.gov.cn/{z}/{x}.png\"]",
        )
        .unwrap();
        let e = FileConfig::load(Some(&bad)).unwrap_err();
        assert!(e.contains("[map] tiles[0]: {y} is missing"), "{e}");
        assert!(FileConfig::default().web().map.tiles.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_site_table_names_the_site() {
        let f: FileConfig = toml::from_str(
            "[site]\nname = \"葫芦岛市龙港区政务服务网\"\nicp = \"辽ICP备12345678号\"\nhotline = \"12345\"",
        )
        .unwrap();
        let w = f.web();
        assert_eq!(w.site.name.as_deref(), Some("葫芦岛市龙港区政务服务网"));
        assert_eq!(w.site.icp.as_deref(), Some("辽ICP备12345678号"));
        assert!(w.site.host.is_none());
        assert!(toml::from_str::<FileConfig>("[site]\nslogan = \"x\"").is_err());
        assert!(FileConfig::default().web().site.name.is_none());
    }
}
