//! Login, logout, one's own account, and the language and large-text switches.

use super::{PageCtx, PageForm, render, safe_next, set_cookies};
use crate::auth::{Auth, MaybeAuth, Origin, SESSION_COOKIE, cookie_header, token_hash};
use crate::error::AppResult;
use crate::i18n::tr;
use crate::lang::{LANG_COOKIE, LARGE_COOKIE, cookie};
use crate::service::{session, users};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::context;
use onewindow_core::Lang;
use onewindow_core::identity::{PasswordChange, Role};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/prefs", post(prefs))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
}

fn login_view(
    state: &AppState,
    page: &PageCtx,
    username: &str,
    next: &str,
    error: Option<String>,
) -> Response {
    let lang = page.lang(None);
    let demo_accounts: Vec<_> = if state.config.demo {
        Role::ALL
            .iter()
            .map(|r| context! { username => r.code(), role => r.name().get(lang).to_string() })
            .collect()
    } else {
        Vec::new()
    };
    render(
        state,
        page,
        None,
        "login.html",
        &tr("login.title", lang),
        context! {
            username => username,
            next => next,
            error => error,
            demo_accounts => demo_accounts,
            demo_password => state.config.demo_password.clone(),
        },
    )
}

async fn login_page(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
) -> Response {
    if auth.is_some() {
        return Redirect::to("/").into_response();
    }
    let next = page.param("next").unwrap_or_else(|| "/".into());
    login_view(&state, &page, "", safe_next(&next), None)
}

async fn login(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    headers: HeaderMap,
    form: PageForm,
) -> AppResult<Response> {
    let username = form.data.text("username");
    let next = form.data.text("next");
    let next = safe_next(&next).to_string();
    match session::sign_in(
        &state,
        &origin,
        &username,
        &form.data.raw("password"),
        "cookie",
    )
    .await
    {
        Ok(s) => {
            // A new session every time: a cookie planted before login never becomes a session.
            if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                let _ = state
                    .store
                    .end_session(
                        &onewindow_core::audit::Context::system("login"),
                        &token_hash(old),
                    )
                    .await;
            }
            let secure = state.config.secure_cookies;
            let max_age = state.config.session_absolute.as_secs() as i64;
            let mut cookies = vec![cookie_header(
                SESSION_COOKIE,
                &s.token,
                Some(max_age),
                secure,
            )];
            if page.large_cookie.is_none() && s.user.large_text {
                cookies.push(cookie_header(LARGE_COOKIE, "1", Some(365 * 86400), secure));
            }
            let mut res = super::go(&next);
            set_cookies(&mut res, &cookies);
            Ok(res)
        }
        Err(e) if e.status.is_client_error() => {
            let lang = page.lang(None);
            let mut res = login_view(
                &state,
                &page,
                &username,
                &next,
                Some(e.message.get(lang).to_string()),
            );
            *res.status_mut() = e.status;
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: PageForm,
) -> AppResult<Response> {
    let auth = form.signed_in()?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state
            .store
            .end_session(&auth.ctx(), &token_hash(token))
            .await?;
    }
    let mut res = Redirect::to("/login").into_response();
    set_cookies(
        &mut res,
        &[cookie_header(
            SESSION_COOKIE,
            "",
            Some(0),
            state.config.secure_cookies,
        )],
    );
    Ok(res)
}

/// The language and large-text switches: a cookie for everyone (it persists in the browser), and
/// the account's preference for signed-in people (it follows them to other devices).
async fn prefs(State(state): State<AppState>, form: PageForm) -> AppResult<Response> {
    let secure = state.config.secure_cookies;
    let year = Some(365 * 86400);
    let mut cookies = Vec::new();
    let large = form.data.opt("large_text").map(|v| v == "1");
    let lang = form.data.opt("lang").and_then(|l| Lang::parse(&l));
    if let Some(l) = large {
        cookies.push(cookie_header(
            LARGE_COOKIE,
            if l { "1" } else { "0" },
            year,
            secure,
        ));
    }
    if let Some(l) = lang {
        cookies.push(cookie_header(LANG_COOKIE, l.code(), year, secure));
    }
    if let Some(auth) = &form.auth
        && (large.is_some() || lang.is_some())
    {
        users::set_preferences(&state, auth, large, lang).await?;
    }
    let back = form.data.text("back");
    let mut res = super::go(safe_next(&back));
    set_cookies(&mut res, &cookies);
    Ok(res)
}

async fn account(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let u = &auth.user;
    let mut facts = vec![
        context! { label => tr("field.username", lang), value => u.username.clone() },
        context! { label => tr("field.display_name", lang), value => u.display_name.clone() },
        context! { label => tr("field.roles", lang), value => super::role_names(&auth, lang) },
    ];
    if let Some(d) = u.department_id
        && let Some(d) = state.store.department(d).await?
    {
        facts.push(context! { label => tr("field.department", lang), value => d.name });
    }
    if let Some(r) = u.region_id
        && let Some(r) = state.store.region(r).await?
    {
        facts.push(context! { label => tr("field.scope_region", lang), value => r.name });
    }
    if let Some(p) = &u.phone {
        facts.push(context! { label => tr("field.mobile", lang), value => onewindow_core::validate::mobile::mask(p) });
    }
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "account.html",
        &tr("account.title", lang),
        context! { facts => facts },
    ))
}

async fn change_password(State(state): State<AppState>, form: PageForm) -> AppResult<Response> {
    let auth = form.signed_in()?;
    users::change_password(
        &state,
        auth,
        PasswordChange {
            old_password: form.data.raw("old_password"),
            new_password: form.data.raw("new_password"),
        },
    )
    .await?;
    Ok(Redirect::to("/account?flash=account.password_changed").into_response())
}
