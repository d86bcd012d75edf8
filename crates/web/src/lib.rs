//! OneWindow's HTTP layer: it parses requests, checks who is asking, calls the service actions
//! (which call the core and the store), and renders JSON or HTML. Nothing here decides a rule.

mod api;
pub mod auth;
pub mod basemap;
pub mod clock;
pub mod error;
pub mod extract;
mod i18n;
pub mod jobs;
pub mod lang;
mod metrics;
mod middleware;
pub mod open311;
mod pages;
mod qr;
pub mod service;
pub mod state;
mod templates;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use onewindow_store::Store;
pub use state::AppState;
use state::Inner;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use state::WebConfig;

/// The whole application as one router, ready to serve.
pub fn app(store: Arc<dyn Store>, config: WebConfig) -> Router {
    build(store, config).0
}

/// The router and the state it serves (for the background jobs).
pub fn build(store: Arc<dyn Store>, config: WebConfig) -> (Router, AppState) {
    let (api, openapi) = api::router();
    let openapi_json = openapi.to_json().unwrap_or_else(|_| "{}".into());
    let state = AppState(Arc::new(Inner {
        store,
        templates: templates::environment(),
        metrics: metrics::Metrics::default(),
        openapi_json,
        catalog: Default::default(),
        calendar: Default::default(),
        org_facts: Default::default(),
        hall_live: Default::default(),
        urge_live: Default::default(),
        relay: Default::default(),
        grid_map: Default::default(),
        popular: Default::default(),
        closing: tokio::sync::watch::channel(false).0,
        csp: axum::http::HeaderValue::from_str(&config.map.content_security_policy())
            .unwrap_or_else(|_| axum::http::HeaderValue::from_static(middleware::CSP)),
        config: config.clone(),
    }));
    let api = api.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::api_csrf,
    ));
    let router = Router::new()
        .merge(api)
        .merge(pages::router())
        .merge(open311::router())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::render_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_log,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state.clone());
    (router, state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
