//! Who is asking: password hashing, session tokens, the `Auth` extractor (cookie or bearer), and
//! CSRF protection for forms and for cookie-authenticated API calls.

use crate::error::{AppError, AppResult};
use crate::lang::cookie;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use chrono::Utc;
use onewindow_core::Text;
use onewindow_core::access::{Actor, Scope};
use onewindow_core::audit::Context;
use onewindow_core::identity::User;
use onewindow_store::Session;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "ow_session";
/// The token that protects forms posted before signing in (login, language, large text): a
/// double-submit cookie.
pub const ANON_CSRF_COOKIE: &str = "ow_anon_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// 32 random bytes as hex: session tokens, API tokens, CSRF tokens.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::fill(&mut b);
    hex(&b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Tokens are stored hashed: a copy of the sessions table opens no sessions.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Constant-time comparison, so a token cannot be guessed byte by byte from response times.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// argon2id with the crate's defaults (19 MiB, 2 passes), on a blocking thread.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| AppError::internal())?
    .map_err(|_| AppError::internal())
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A valid hash of a random password, verified against when the account does not exist so that
/// a wrong username costs the same time as a wrong password.
pub async fn dummy_verify(password: String) {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    if let Ok(h) = DUMMY
        .get_or_try_init(|| hash_password(random_token()))
        .await
    {
        let _ = verify_password(password, h.clone()).await;
    }
}

/// The client address: the socket peer, or the first `X-Forwarded-For` hop behind a trusted
/// proxy.
pub fn client_addr(
    parts_headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_proxy: bool,
) -> String {
    if trust_proxy
        && let Some(f) = parts_headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return f.trim().to_string();
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Request id set by the request-id layer.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Where a request came from, for the audit trail of anonymous actions (logins).
#[derive(Clone, Debug)]
pub struct Origin {
    pub addr: String,
    pub request_id: Option<String>,
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Origin> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(Origin {
            addr: client_addr(&parts.headers, peer, state.config.trust_proxy),
            request_id: request_id(&parts.headers),
        })
    }
}

/// A signed-in person and the session they used.
#[derive(Clone, Debug)]
pub struct Auth {
    pub user: User,
    pub actor: Actor,
    pub session: Session,
    pub bearer: bool,
    pub origin: Origin,
}

impl Auth {
    /// The audit context for changes this person makes.
    pub fn ctx(&self) -> Context {
        Context {
            actor_id: Some(self.user.id),
            actor_name: self.user.username.clone(),
            actor_role: self.actor.primary_role().code().to_string(),
            client_addr: Some(self.origin.addr.clone()),
            request_id: self.origin.request_id.clone(),
        }
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

pub async fn actor_for(state: &AppState, user: &User) -> AppResult<Actor> {
    let (region_path, region_level) = match user.region_id {
        Some(r) => state
            .org_facts
            .region(state.store.as_ref(), r)
            .await?
            .map_or((None, None), |(p, l)| (Some(p), Some(l))),
        None => (None, None),
    };
    Ok(Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        roles: user.roles.clone(),
        scope: Scope {
            department_id: user.department_id,
            region_id: user.region_id,
            region_path,
            region_level,
        },
    })
}

pub(crate) async fn authenticate(parts: &mut Parts, state: &AppState) -> AppResult<Option<Auth>> {
    if let Some(a) = parts.extensions.get::<Auth>() {
        return Ok(Some(a.clone()));
    }
    let (token, bearer) = match bearer_token(&parts.headers) {
        Some(t) => (t.to_string(), true),
        None => match cookie(&parts.headers, SESSION_COOKIE) {
            Some(t) => (t.to_string(), false),
            None => return Ok(None),
        },
    };
    let now = onewindow_store::backend::now();
    let Some((session, user)) = state.store.session(&token_hash(&token), now).await? else {
        return Ok(None);
    };
    // A browser session cookie is not an API token and the reverse: each is used only as issued.
    if bearer != (session.kind == "bearer") {
        return Ok(None);
    }
    if !bearer && (now - session.last_seen_at).num_seconds() >= 60 {
        let idle = chrono::Duration::from_std(state.config.session_idle).unwrap_or_default();
        state
            .store
            .touch_session(session.id, now, (now + idle).min(session.expires_at))
            .await?;
    }
    let origin = Origin::from_request_parts(parts, state).await?;
    let actor = actor_for(state, &user).await?;
    let auth = Auth {
        user,
        actor,
        session,
        bearer,
        origin,
    };
    parts.extensions.insert(auth.clone());
    Ok(Some(auth))
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Auth> {
        authenticate(parts, state)
            .await?
            .ok_or_else(AppError::unauthorized)
    }
}

/// For pages that anyone may see, signed in or not.
pub struct MaybeAuth(pub Option<Auth>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<MaybeAuth> {
        Ok(MaybeAuth(authenticate(parts, state).await?))
    }
}

pub fn csrf_refused() -> AppError {
    AppError::new(
        axum::http::StatusCode::FORBIDDEN,
        "csrf",
        Text::fixed(
            "页面已过期或来源不可信，请刷新页面后重试",
            "the form expired or did not come from this site; reload the page and try again",
        ),
    )
}

/// Refuses a cross-site request: when the browser says where the request came from, it must be
/// this host.
pub fn check_origin(headers: &HeaderMap) -> AppResult<()> {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|h| h.to_str().ok());
    match (origin, host) {
        (None, _) => Ok(()),
        (Some("null"), _) => Err(csrf_refused()),
        (Some(o), Some(h)) => {
            let o_host = o.split("://").nth(1).unwrap_or(o);
            if o_host == h {
                Ok(())
            } else {
                Err(csrf_refused())
            }
        }
        (Some(_), None) => Err(csrf_refused()),
    }
}

/// API calls authenticated by a browser cookie (not a bearer token) that change something must
/// carry the session's CSRF token in `X-CSRF-Token`.
pub async fn api_csrf(
    state: axum::extract::State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method
        && bearer_token(req.headers()).is_none()
        && cookie(req.headers(), SESSION_COOKIE).is_some()
    {
        let (mut parts, body) = req.into_parts();
        if let Ok(Some(auth)) = authenticate(&mut parts, &state).await {
            let given = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if check_origin(&parts.headers).is_err() || !same(given, &auth.session.csrf_token) {
                return csrf_refused().into_response();
            }
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    next.run(req).await
}

/// `Set-Cookie` value for a session or preference cookie.
pub fn cookie_header(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(a) = max_age_secs {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

pub fn now() -> chrono::DateTime<Utc> {
    onewindow_store::backend::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        let b = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
        assert!(same(&a, &a.clone()));
        assert!(!same(&a, &b));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn origin_must_be_this_host() {
        let mut h = HeaderMap::new();
        h.insert("host", "127.0.0.1:8080".parse().unwrap());
        assert!(check_origin(&h).is_ok());
        h.insert("origin", "http://127.0.0.1:8080".parse().unwrap());
        assert!(check_origin(&h).is_ok());
        h.insert("origin", "https://evil.example".parse().unwrap());
        assert!(check_origin(&h).is_err());
    }

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let h = hash_password("window-48-ok".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("window-48-ok".into(), h.clone()).await);
        assert!(!verify_password("window-48-no".into(), h).await);
        assert!(!verify_password("x".into(), "not a hash".into()).await);
    }
}
