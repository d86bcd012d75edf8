//! What every handler shares: the store, the templates, the settings and the metrics.

use crate::metrics::Metrics;
use onewindow_store::Store;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// A browser session ends after this long without a request…
    pub session_idle: Duration,
    /// …and after this long in any case.
    pub session_absolute: Duration,
    /// Lifetime of an integration (bearer) token.
    pub token_lifetime: Duration,
    /// Largest request body accepted (413 above).
    pub body_limit: usize,
    /// Largest catalog file accepted for import.
    pub import_limit: usize,
    pub request_timeout: Duration,
    /// Mark cookies `Secure` and send HSTS; on when the platform is served over TLS.
    pub secure_cookies: bool,
    /// Failed logins allowed per account, and per client address, within `login_window`.
    pub max_failures_per_account: i64,
    pub max_failures_per_address: i64,
    pub login_window: Duration,
    /// The security log raises an alert when one source causes this many refusals or failed
    /// sign-ins within `security_alert_window`.
    pub security_alert_threshold: i64,
    pub security_alert_window: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// The public address of the portal (e.g. `https://zwfw.example.gov.cn`), used in QR codes
    /// and printed pages; when unset, the address the request came to.
    pub public_url: Option<String>,
    /// The demo district is loaded; the login page lists the demo accounts.
    pub demo: bool,
    pub demo_password: Option<String>,
    /// Where uploaded materials are kept (outside anything served as a file).
    pub uploads_dir: std::path::PathBuf,
    /// What the hall takes as "now" (opening hours, tickets, calls).
    pub clock: crate::clock::Clock,
    /// Who the site is: its name in the banner and titles, its host, record number and hotline
    /// in the footer.
    pub site: Site,
    /// The grid map's base layer (`[map]`): tile servers, their attribution.
    pub map: crate::basemap::MapSettings,
    /// Electronic licences (`[licences]`): the key that seals the departments' signing keys.
    pub licences: crate::service::licences::LicenceSettings,
}

/// The site's identity, as the district sets it (`[site]` in the configuration file).
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// The site's name, e.g. 葫芦岛市龙港区政务服务网 (default 一窗通).
    #[serde(default)]
    pub name: Option<String>,
    /// 主办单位, e.g. 葫芦岛市龙港区人民政府.
    #[serde(default)]
    pub host: Option<String>,
    /// 承办单位, e.g. 龙港区营商环境建设局.
    #[serde(default)]
    pub operator: Option<String>,
    /// ICP 备案号.
    #[serde(default)]
    pub icp: Option<String>,
    /// 公安机关备案号.
    #[serde(default)]
    pub police_record: Option<String>,
    /// The service hotline (12345).
    #[serde(default)]
    pub hotline: Option<String>,
}

impl Site {
    /// The identity the demo district shows when the file sets none.
    pub fn demo() -> Site {
        Site {
            name: Some("葫芦岛市龙港区政务服务网".into()),
            host: Some("葫芦岛市龙港区人民政府".into()),
            operator: Some("龙港区营商环境建设局".into()),
            icp: None,
            police_record: None,
            hotline: Some("12345".into()),
        }
    }

    pub fn is_set(&self) -> bool {
        self.name.is_some() || self.host.is_some()
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            token_lifetime: Duration::from_secs(24 * 3600),
            body_limit: 1024 * 1024,
            import_limit: 32 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            secure_cookies: false,
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            login_window: Duration::from_secs(15 * 60),
            security_alert_threshold: 20,
            security_alert_window: Duration::from_secs(10 * 60),
            trust_proxy: false,
            public_url: None,
            demo: false,
            demo_password: None,
            uploads_dir: std::path::PathBuf::from("data/uploads"),
            clock: crate::clock::Clock::system(),
            site: Site::default(),
            map: Default::default(),
            licences: Default::default(),
        }
    }
}

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub templates: minijinja::Environment<'static>,
    pub config: WebConfig,
    pub metrics: Metrics,
    pub openapi_json: String,
    pub catalog: crate::service::catalog::CatalogCache,
    pub calendar: crate::service::calendar::CalendarCache,
    pub org_facts: crate::service::org_facts::OrgFacts,
    pub hall_live: crate::service::hall_live::HallLive,
    pub urge_live: crate::service::urge_live::UrgeLive,
    pub relay: crate::service::relay::Relay,
    pub grid_map: crate::service::grid::GridCache,
    pub popular: crate::service::catalog::PopularCache,
    /// Set when the server is told to stop: the live event streams end on it, so that displays
    /// and workbenches, which would otherwise stay connected for ever, do not hold the stop (they
    /// reconnect, to another instance if there is one).
    pub closing: tokio::sync::watch::Sender<bool>,
    /// The Content-Security-Policy of every response (our own origin, and the tile servers'
    /// for images).
    pub csp: axum::http::HeaderValue,
}

impl AppState {
    /// The server is stopping: open event streams end.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// A live event stream that ends when the server is told to stop.
    pub fn until_closed<S: futures_util::Stream>(
        &self,
        s: S,
    ) -> futures_util::stream::TakeUntil<S, impl std::future::Future<Output = ()> + use<S>> {
        let mut rx = self.closing.subscribe();
        futures_util::StreamExt::take_until(s, async move {
            let _ = rx.wait_for(|c| *c).await;
        })
    }
}

#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
