//! The platform's own CSS and JS, served from the binary (no CDN: it runs on closed networks).

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
/// The site's icon (一 on the platform's blue), for tabs and bookmarks.
const ICON: &str = include_str!("../../static/favicon.svg");
/// A fingerprint of the assets, put in their URLs so browsers fetch new ones after an upgrade.
pub fn version() -> &'static str {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        use sha2::{Digest, Sha256};
        let h = Sha256::new().chain_update(CSS).chain_update(JS).finalize();
        h.iter().take(6).map(|b| format!("{b:02x}")).collect()
    })
}

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        // Browsers ask for /favicon.ico by themselves; the SVG serves both.
        .route("/favicon.svg", get(icon))
        .route("/favicon.ico", get(icon))
}

async fn icon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON,
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        JS,
    )
}
