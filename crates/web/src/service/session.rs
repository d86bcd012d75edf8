//! Signing in and out. Failed attempts are counted per account and per address; past the limit
//! the account (or address) waits out the window, whatever password it tries.

use crate::auth::{Origin, dummy_verify, random_token, token_hash, verify_password};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::http::StatusCode;
use onewindow_core::Text;
use onewindow_core::audit::Context;
use onewindow_core::identity::User;
use onewindow_store::{NewSession, Session};

pub struct SignedIn {
    pub user: User,
    pub session: Session,
    /// The secret to hand to the client; only its hash is stored.
    pub token: String,
}

fn bad_credentials() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        "bad_credentials",
        Text::fixed("用户名或密码错误", "wrong username or password"),
    )
}

/// Refuses with 429 once `key` (an account, a case number, …) or the client address has failed
/// too often within the login window; with no key (failures spread over many keys, like guessed
/// tokens), the address alone counts. `what` names the failures ("登录失败", "failed sign-ins").
/// Sign-in, the progress look-up and rating links share it; each records its failures with
/// `record_login_attempt` under its own key.
pub async fn throttle(
    state: &AppState,
    key: Option<&str>,
    addr: &str,
    what: (&str, &str),
) -> AppResult<()> {
    let cfg = &state.config;
    let since =
        crate::auth::now() - chrono::Duration::from_std(cfg.login_window).unwrap_or_default();
    let (by_key, by_addr) = state
        .store
        .failed_logins(key.unwrap_or(""), addr, since)
        .await?;
    if (key.is_some() && by_key >= cfg.max_failures_per_account)
        || by_addr >= cfg.max_failures_per_address
    {
        tracing::warn!(key = ?key, addr = %addr, "throttled");
        let minutes = cfg.login_window.as_secs().div_ceil(60);
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            Text::new(
                format!("{}次数过多，请{minutes}分钟后再试", what.0),
                format!("too many {}; try again in {minutes} minutes", what.1),
            ),
        ));
    }
    Ok(())
}

/// Checks the password and opens a session of `kind` ("cookie" or "bearer").
pub async fn sign_in(
    state: &AppState,
    origin: &Origin,
    username: &str,
    password: &str,
    kind: &str,
) -> AppResult<SignedIn> {
    let username = username.trim().to_ascii_lowercase();
    let cfg = &state.config;
    throttle(
        state,
        Some(&username),
        &origin.addr,
        ("登录失败", "failed sign-ins"),
    )
    .await?;
    let user = state.store.user_by_username(&username).await?;
    let ok = match &user {
        Some(u) if u.active => {
            let hash = state.store.password_hash(u.id).await?.unwrap_or_default();
            verify_password(password.to_string(), hash).await
        }
        _ => {
            dummy_verify(password.to_string()).await;
            false
        }
    };
    state
        .store
        .record_login_attempt(&username, &origin.addr, ok)
        .await?;
    let Some(user) = user.filter(|_| ok) else {
        super::security::record(
            state,
            onewindow_store::NewSecurityEvent {
                at: chrono::Utc::now(),
                kind: onewindow_store::SecurityKind::SignInFailed,
                user_id: None,
                username: Some(username.chars().take(64).collect()),
                addr: origin.addr.clone(),
                method: "POST".into(),
                path: if kind == "bearer" {
                    "/api/v1/auth/token"
                } else {
                    "/login"
                }
                .into(),
                status: 401,
            },
        );
        return Err(bad_credentials());
    };
    let now = crate::auth::now();
    let (idle, absolute) = if kind == "bearer" {
        (cfg.token_lifetime, cfg.token_lifetime)
    } else {
        (cfg.session_idle, cfg.session_absolute)
    };
    let token = random_token();
    let session = state
        .store
        .create_session(
            &Context {
                actor_id: Some(user.id),
                actor_name: user.username.clone(),
                actor_role: user.roles.first().map_or("", |r| r.code()).to_string(),
                client_addr: Some(origin.addr.clone()),
                request_id: origin.request_id.clone(),
            },
            NewSession {
                token_hash: token_hash(&token),
                user_id: user.id,
                kind: kind.to_string(),
                csrf_token: random_token(),
                idle_expires_at: now + chrono::Duration::from_std(idle).unwrap_or_default(),
                expires_at: now + chrono::Duration::from_std(absolute).unwrap_or_default(),
                client_addr: Some(origin.addr.clone()),
            },
        )
        .await?;
    Ok(SignedIn {
        user,
        session,
        token,
    })
}
