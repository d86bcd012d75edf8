//! Layers every response passes through: request spans for the log, security headers, and the
//! rendering of errors in the reader's language.

use crate::error::AppError;
use crate::lang::request_lang;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Every request's log lines carry its id, method and path.
pub fn span(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
}

/// The policy when no tile server is configured (and the fallback should one not make a header).
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, state.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// A response that already carries its own JSON or HTML body (readiness, the login page shown
/// again with its error) is left as it is.
fn has_own_body(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/json")
                || v.starts_with("text/html")
                // Open311's XML errors are its own.
                || v.starts_with("text/xml")
        })
}

/// Gives every error response its body: JSON for the API, a page (or the login page) for people,
/// in the reader's language. Errors raised by the router and layers (unknown path, wrong method,
/// timeout, over-size body) get the same treatment as the handlers' own.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let api = path.starts_with("/api/")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
    // The API follows Accept-Language; pages stay Chinese unless switched (see PageCtx::lang).
    let lang = if api {
        request_lang(req.headers())
    } else {
        crate::lang::cookie(req.headers(), crate::lang::LANG_COOKIE)
            .and_then(onewindow_core::Lang::parse)
            .unwrap_or_default()
    };
    let large = crate::lang::cookie(req.headers(), crate::lang::LARGE_COOKIE) == Some("1");
    // Kept only for a page, whose error page shows who is signed in (the API is the hot path).
    let asker = (!api).then(|| (req.headers().clone(), peer_of(&req)));
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let err = match res.extensions().get::<AppError>() {
        Some(e) => e.clone(),
        None if has_own_body(&res) => return res,
        None => AppError::for_status(status),
    };
    if api {
        let mut out = (err.status, axum::Json(err.body(lang))).into_response();
        copy_headers(&res, &mut out);
        return out;
    }
    if err.status == StatusCode::UNAUTHORIZED {
        let next = form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    // The page keeps its header: whoever was signed in still is, and sees so.
    let auth = match asker {
        Some((headers, peer)) => who_asked(&state, headers, peer).await,
        None => None,
    };
    let mut out = crate::pages::error_page(&state, lang, large, &err, auth.as_ref(), &path);
    copy_headers(&res, &mut out);
    out
}

fn peer_of(req: &Request) -> Option<axum::extract::ConnectInfo<std::net::SocketAddr>> {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .cloned()
}

/// Who sent a request that has already been handled, read again from its headers (through the
/// session cache): only for the few answers that need it (refusals, error pages).
async fn who_asked(
    state: &AppState,
    headers: axum::http::HeaderMap,
    peer: Option<axum::extract::ConnectInfo<std::net::SocketAddr>>,
) -> Option<crate::auth::Auth> {
    let mut probe = axum::http::Request::new(());
    *probe.headers_mut() = headers;
    if let Some(p) = peer {
        probe.extensions_mut().insert(p);
    }
    let (mut parts, ()) = probe.into_parts();
    crate::auth::authenticate(&mut parts, state)
        .await
        .ok()
        .flatten()
}

/// Keeps the headers a handler set on an error (e.g. `Set-Cookie` clearing a dead session).
fn copy_headers(from: &Response, to: &mut Response) {
    for v in from.headers().get_all(header::SET_COOKIE) {
        to.headers_mut().append(header::SET_COOKIE, v.clone());
    }
    if let Some(v) = from.headers().get(header::RETRY_AFTER) {
        to.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
}

/// Keeps the security log: a refused request for a record (403 anywhere, 404 on a path that
/// names a record, `/cases/{id}`) is written with who asked, from where and when. Unknown paths
/// (scanners' 404s) are not records and are left to the request log.
pub async fn security_log(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use axum::extract::MatchedPath;
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let (headers, peer) = (req.headers().clone(), peer_of(&req));
    let res = next.run(req).await;
    let kind = match res.status() {
        StatusCode::FORBIDDEN => onewindow_store::SecurityKind::Forbidden,
        StatusCode::NOT_FOUND if route.as_deref().is_some_and(|r| r.contains('{')) => {
            onewindow_store::SecurityKind::NotFound
        }
        _ => return res,
    };
    let addr = crate::auth::client_addr(&headers, peer.map(|c| c.0), state.config.trust_proxy);
    let auth = who_asked(&state, headers, peer).await;
    crate::service::security::record(
        &state,
        onewindow_store::NewSecurityEvent {
            at: chrono::Utc::now(),
            kind,
            user_id: auth.as_ref().map(|a| a.user.id),
            username: auth.map(|a| a.user.username),
            addr,
            method: method.to_string(),
            path,
            status: i64::from(res.status().as_u16()),
        },
    );
    res
}
