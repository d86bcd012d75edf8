//! Server-rendered pages in Simplified Chinese (English on request), usable on a phone, with a
//! large-text high-contrast mode. Forms post back here, are checked against CSRF, call the same
//! service actions as the API, and redirect (post/redirect/get).

mod admin;
mod assets;
mod audit;
mod auth;
mod calendar_admin;
mod cases;
mod catalog_admin;
mod charts;
mod complaints;
mod enterprise;
mod evaluation;
mod export;
mod figures;
mod grid;
mod grid_admin;
mod hall;
mod home;
mod licence_kinds;
mod licences;
mod petitions;
mod portal;
mod supervision;
mod supervisors;
mod who;
mod widgets;

use crate::auth::{
    ANON_CSRF_COOKIE, Auth, authenticate, check_origin, cookie_header, csrf_refused, random_token,
    same,
};
use crate::error::{AppError, AppResult};
use crate::extract::body_bytes;
use crate::i18n::tr;
use crate::lang::{LANG_COOKIE, LARGE_COOKIE, cookie};
use crate::state::AppState;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use onewindow_core::access::Permission;
use onewindow_core::{Lang, Text};
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(assets::router())
        .merge(auth::router())
        .merge(home::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(portal::router())
        .merge(catalog_admin::router())
        .merge(cases::router())
        .merge(calendar_admin::router())
        .merge(hall::router())
        .merge(supervision::router())
        .merge(figures::router())
        .merge(evaluation::router())
        .merge(complaints::router())
        .merge(supervisors::router())
        .merge(grid::router())
        .merge(enterprise::router())
        .merge(petitions::router())
        .merge(grid_admin::router())
        .merge(licences::router())
        .merge(licence_kinds::router())
}

/// What a page needs to know about the request before rendering.
pub struct PageCtx {
    pub path: String,
    pub query: String,
    lang_cookie: Option<Lang>,
    large_cookie: Option<bool>,
    anon_csrf: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> AppResult<PageCtx> {
        let h = &parts.headers;
        Ok(PageCtx {
            path: parts.uri.path().to_string(),
            query: parts.uri.query().unwrap_or("").to_string(),
            lang_cookie: cookie(h, LANG_COOKIE).and_then(Lang::parse),
            large_cookie: cookie(h, LARGE_COOKIE).map(|v| v == "1"),
            anon_csrf: cookie(h, ANON_CSRF_COOKIE).map(str::to_string),
        })
    }
}

impl PageCtx {
    /// Pages are in Chinese unless the person switched to English (the cookie, or the account's
    /// preference); the browser's own language is not enough to leave Chinese.
    pub fn lang(&self, auth: Option<&Auth>) -> Lang {
        self.lang_cookie
            .or(auth.map(|a| a.user.lang))
            .unwrap_or_default()
    }

    pub fn large(&self, auth: Option<&Auth>) -> bool {
        self.large_cookie
            .unwrap_or_else(|| auth.is_some_and(|a| a.user.large_text))
    }

    /// A query parameter of the page's own URL.
    pub fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// A whole-number query parameter, if given; a wrong one names itself.
    pub fn int_param(&self, name: &str) -> AppResult<Option<i64>> {
        self.param(name)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    AppError::bad_request(name, Text::fixed("应为整数", "must be a whole number"))
                })
            })
            .transpose()
    }
}

#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    label: String,
    active: bool,
}

/// One entry of the main menu: a context (办事、监督评价、企业服务 …) with its pages. The
/// entry opens the first page; the others are its submenu (and, on its pages, the row under
/// the header). Kept to at most eight, so the menu is one row on a laptop.
#[derive(Serialize)]
struct NavGroup {
    href: &'static str,
    label: String,
    active: bool,
    items: Vec<NavItem>,
}

/// The main menu of who reads it: only what they may open (the test
/// `every_menu_entry_opens_for_the_role_it_is_offered_to` walks it for every role).
fn nav(auth: Option<&Auth>, lang: Lang, path: &str) -> Vec<NavGroup> {
    use onewindow_core::identity::Role;
    type Group = (&'static str, Vec<(&'static str, &'static str)>);
    let mut groups: Vec<Group> = vec![("nav.home", vec![("/", "nav.home")])];
    match auth {
        None => {
            groups.push(("nav.portal", vec![("/portal", "nav.portal")]));
            groups.push(("nav.progress", vec![("/progress", "nav.progress")]));
            groups.push(("nav.ratings", vec![("/ratings", "nav.ratings")]));
        }
        Some(a) if !a.actor.is_staff() => {
            groups.push(("nav.portal", vec![("/portal", "nav.portal")]));
            groups.push((
                "nav.my_cases",
                vec![("/cases", "nav.my_cases"), ("/licences", "nav.my_licences")],
            ));
            if a.actor.has_role(Role::Enterprise) {
                groups.push((
                    "nav.enterprise",
                    vec![("/enterprise", "nav.enterprise_mine")],
                ));
            }
            groups.push(("nav.grid_public", vec![("/grid", "nav.grid_public")]));
            groups.push((
                "nav.complaints",
                vec![
                    ("/complaints", "nav.complaints"),
                    ("/ratings", "nav.ratings"),
                ],
            ));
        }
        Some(a) => {
            let has = |p: Permission| a.actor.has(p);
            let region_level = a.actor.scope.department_id.is_none();
            let mut service = Vec::new();
            if has(Permission::CaseRead) {
                service.push(("/workbench", "nav.workbench"));
                service.push(("/cases", "nav.cases"));
            }
            if has(Permission::HallServe) {
                service.push(("/hall", "nav.hall"));
            }
            if has(Permission::CaseRead) {
                service.push(("/licences", "nav.licences"));
            }
            service.push(("/portal", "nav.portal"));
            groups.push(("nav.g.service", service));
            let mut watch = Vec::new();
            if has(Permission::Supervise) {
                watch.push(("/supervision", "nav.supervision"));
            }
            if has(Permission::Appeal) || has(Permission::Rectify) || has(Permission::Supervise) {
                watch.push(("/evaluation", "nav.evaluation"));
            }
            if has(Permission::ReviewRatings) || has(Permission::Rectify) {
                watch.push(("/complaints", "nav.complaints"));
                // An appointed supervisor outside the staff reaches the page from their home.
                watch.push(("/supervisors", "nav.supervisors"));
            }
            watch.push(("/ratings", "nav.ratings"));
            groups.push(("nav.g.watch", watch));
            let mut local = Vec::new();
            if has(Permission::GridRead) {
                local.push(("/grid", "nav.grid"));
                if has(Permission::GridReport) || has(Permission::GridDispatch) {
                    local.push(("/grid/report", "nav.grid_report"));
                }
                local.push(("/grid/ledger", "nav.grid_ledger"));
                if has(Permission::GridDispatch) && region_level {
                    local.push(("/grid/admin", "nav.grid_admin"));
                }
            }
            if has(Permission::PetitionRead) {
                local.push(("/petitions", "nav.petitions"));
                local.push(("/petitions/stations", "pet.stations"));
                local.push(("/petitions/rota", "pet.rota"));
                local.push(("/petitions/ledgers", "pet.ledgers"));
                local.push(("/petitions/report", "pet.report"));
            }
            if !local.is_empty() {
                groups.push(("nav.g.local", local));
            }
            if has(Permission::EnterpriseRead) {
                let mut ent = vec![("/enterprise", "nav.enterprise_desk")];
                if region_level {
                    ent.push(("/enterprise/firms", "ent.firms"));
                    ent.push(("/enterprise/projects", "ent.projects"));
                }
                ent.push(("/enterprise/consultations", "ent.consultations"));
                ent.push(("/enterprise/policies", "ent.policies"));
                if region_level {
                    ent.push(("/enterprise/figures", "ent.figures"));
                }
                groups.push(("nav.enterprise", ent));
            }
            let mut admin = vec![("/admin/catalog", "nav.catalog")];
            if has(Permission::CatalogWrite) {
                admin.push(("/admin/licence-kinds", "nav.licence_kinds"));
            }
            if has(Permission::CalendarWrite) {
                admin.push(("/admin/calendar", "nav.calendar"));
            }
            if has(Permission::OrgWrite) && region_level {
                admin.push(("/admin/regions", "nav.regions"));
            }
            admin.push(("/admin/departments", "nav.departments"));
            admin.push(("/admin/halls", "nav.halls"));
            if has(Permission::UserRead) {
                admin.push(("/admin/users", "nav.users"));
            }
            admin.push(("/audit", "nav.audit"));
            groups.push(("nav.g.admin", admin));
        }
    }
    if auth.is_some() {
        groups.push(("nav.account", vec![("/account", "nav.account")]));
    }
    let on = |href: &str| {
        if href == "/" {
            path == "/"
        } else {
            path == href || path.starts_with(&format!("{href}/"))
        }
    };
    groups
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(label, items)| {
            let items: Vec<NavItem> = items
                .into_iter()
                .map(|(href, key)| NavItem {
                    href,
                    label: tr(key, lang),
                    active: on(href),
                })
                .collect();
            // The longest match wins, so /grid/report lights 上报 and not also 网格.
            let best = items
                .iter()
                .filter(|i| i.active)
                .map(|i| i.href.len())
                .max();
            let items: Vec<NavItem> = items
                .into_iter()
                .map(|i| NavItem {
                    active: i.active && Some(i.href.len()) == best,
                    ..i
                })
                .collect();
            NavGroup {
                href: items[0].href,
                label: tr(label, lang),
                active: best.is_some(),
                items: if items.len() > 1 { items } else { Vec::new() },
            }
        })
        .collect()
}

/// A role as the reader's post: an agent at the petition office is its staff, not a station's
/// agent.
pub fn post_name(role: onewindow_core::identity::Role, office: bool, lang: Lang) -> String {
    if role == onewindow_core::identity::Role::PetitionAgent && office {
        return tr("role.petition_office", lang);
    }
    role.name().get(lang).to_string()
}

pub fn role_names(auth: &Auth, lang: Lang) -> String {
    // An agent over the district is the petition office (区信访局 and above), not a station's.
    let office = auth.actor.over_district();
    auth.user
        .roles
        .iter()
        .map(|r| post_name(*r, office, lang))
        .collect::<Vec<_>>()
        .join(if lang == Lang::Zh { "、" } else { ", " })
}

/// The site's identity for the banner, the titles and the footer; the platform's name when the
/// district has set none.
fn site_context(site: &crate::state::Site, lang: Lang) -> Value {
    context! {
        name => site.name.clone().filter(|_| lang == Lang::Zh).unwrap_or_else(|| tr("app.name", lang)),
        host => site.host.clone(),
        operator => site.operator.clone(),
        icp => site.icp.clone(),
        police_record => site.police_record.clone(),
        hotline => site.hotline.clone(),
    }
}

const FLASHES: &[&str] = &["form.saved", "account.password_changed"];

/// Renders a page inside the layout. Visitors without a session get the double-submit CSRF
/// cookie here, so that the forms on the page can be posted.
pub fn render(
    state: &AppState,
    page: &PageCtx,
    auth: Option<&Auth>,
    template: &str,
    title: &str,
    extra: Value,
) -> Response {
    let lang = page.lang(auth);
    let mut set_cookie = None;
    let csrf = match (auth, &page.anon_csrf) {
        (Some(a), _) => a.session.csrf_token.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => {
            let t = random_token();
            set_cookie = Some(cookie_header(
                ANON_CSRF_COOKIE,
                &t,
                None,
                state.config.secure_cookies,
            ));
            t
        }
    };
    let flash = page
        .param("flash")
        .filter(|f| FLASHES.contains(&f.as_str()))
        .map(|f| tr(&f, lang));
    let user = auth.map(|a| {
        context! { display_name => a.user.display_name.clone(), role_names => role_names(a, lang), username => a.user.username.clone() }
    });
    // From 1 November, those who keep the calendar are reminded of next year's notice.
    let calendar_banner = auth
        .filter(|a| {
            a.actor
                .has(onewindow_core::access::Permission::CalendarWrite)
                && a.actor.scope.department_id.is_none()
        })
        .and_then(|_| state.calendar.peek())
        .and_then(|s| {
            crate::service::calendar::notice_due(
                &s.calendar,
                onewindow_core::time::local_date(crate::service::cases::now()),
            )
        })
        .map(|year| format!("{year}{}", tr("cal.banner", lang)));
    let base = context! {
        lang => lang.code(),
        large => page.large(auth),
        title => title,
        nav => Value::from(minijinja::value::Serde(nav(auth, lang, &page.path))),
        user => user,
        csrf => csrf,
        path => page.path.clone(),
        flash => flash,
        calendar_banner => calendar_banner,
        page_id => template.trim_end_matches(".html"),
        asset_version => assets::version(),
        site => site_context(&state.config.site, lang),
    };
    let ctx = context! { ..extra, ..base };
    let body = state
        .templates
        .get_template(template)
        .and_then(|t| t.render(ctx));
    let mut res = match body {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, template, "template failed");
            return AppError::internal().into_response();
        }
    };
    if let Some(c) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// The HTML page for an error, used by the error middleware.
/// The page for an error: with the site's header as the reader knows it (signed in, their
/// menu), the reason in words (never a field's path) and the ways on: back to what they were
/// doing, or home.
pub fn error_page(
    state: &AppState,
    lang: Lang,
    large: bool,
    err: &AppError,
    auth: Option<&Auth>,
    path: &str,
) -> Response {
    let page = PageCtx {
        path: path.to_string(),
        query: String::new(),
        lang_cookie: Some(lang),
        large_cookie: Some(large),
        anon_csrf: Some(String::new()),
    };
    let heading = tr("error.title", lang);
    let mut res = render(
        state,
        &page,
        auth,
        "error.html",
        &heading,
        context! { heading => heading.clone(), message => err.page_message(lang) },
    );
    *res.status_mut() = err.status;
    res
}

/// A posted form, checked against CSRF: the session's token for signed-in people, the
/// double-submit cookie for visitors.
pub struct PageForm {
    pub auth: Option<Auth>,
    pub data: FormData,
}

impl FromRequest<AppState> for PageForm {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &AppState) -> AppResult<PageForm> {
        let (mut parts, body) = req.into_parts();
        let auth = authenticate(&mut parts, state).await?;
        check_origin(&parts.headers)?;
        let anon = cookie(&parts.headers, ANON_CSRF_COOKIE).map(str::to_string);
        let bytes = body_bytes(Request::from_parts(parts, body), state).await?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
        let given = pairs
            .iter()
            .find(|(k, _)| k == crate::auth::CSRF_FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let expected = match &auth {
            Some(a) => a.session.csrf_token.clone(),
            None => anon.unwrap_or_default(),
        };
        if expected.is_empty() || !same(given, &expected) {
            return Err(csrf_refused());
        }
        Ok(PageForm {
            auth,
            data: FormData(pairs),
        })
    }
}

impl PageForm {
    pub fn signed_in(&self) -> AppResult<&Auth> {
        self.auth.as_ref().ok_or_else(AppError::unauthorized)
    }
}

/// Form fields as posted. Numbers are parsed here so that a bad one names its field.
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// The value exactly as typed: passwords are not trimmed.
    pub fn raw(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    /// The fields named `{prefix}{key}`, by key, as typed (trimmed; the empty ones left out).
    pub fn prefixed(&self, prefix: &str) -> std::collections::BTreeMap<String, String> {
        self.0
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.text(name).as_str(), "1" | "on" | "true")
    }

    pub fn opt_int(&self, name: &str) -> AppResult<Option<i64>> {
        match self.opt(name) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                AppError::bad_request(
                    name,
                    Text::new(
                        format!("“{v}”不是整数"),
                        format!("'{v}' is not a whole number"),
                    ),
                )
            }),
        }
    }

    pub fn int(&self, name: &str) -> AppResult<i64> {
        self.opt_int(name)?.ok_or_else(|| {
            AppError::bad_request(name, Text::fixed("缺少必填字段", "this field is required"))
        })
    }

    pub fn ints(&self, name: &str) -> AppResult<Vec<i64>> {
        self.all(name)
            .iter()
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    AppError::bad_request(
                        name,
                        Text::new(
                            format!("“{v}”不是整数"),
                            format!("'{v}' is not a whole number"),
                        ),
                    )
                })
            })
            .collect()
    }
}

/// Redirects after a successful post, with a flash message key.
pub fn saved(to: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    go(&format!("{to}{sep}flash=form.saved"))
}

/// A redirect (303) to a path of this site made from request parts (a code from the path, a
/// search): bytes a header cannot carry are percent-encoded, so a strange path never makes a 500.
pub fn go(to: &str) -> Response {
    let mut out = String::with_capacity(to.len());
    for &b in to.as_bytes() {
        if (0x21..=0x7e).contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Redirect::to(&out).into_response()
}

/// Only local paths are followed after login, never another site: a path of this site is `/`
/// followed by visible ASCII. Browsers drop tabs and newlines from a location and read `\` as
/// `/`, so `/\t/evil.example` would lead to `//evil.example`; a control character would not even
/// make a header. Anything else goes home.
pub fn safe_next(next: &str) -> &str {
    let b = next.as_bytes();
    let local = b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/'))
        && b.iter().all(|&c| (0x21..=0x7e).contains(&c) && c != b'\\');
    if local { next } else { "/" }
}

pub fn set_cookies(res: &mut Response, cookies: &[String]) {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_always_local() {
        assert_eq!(safe_next("/admin/users"), "/admin/users");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        // browsers drop tabs and newlines: these would lead to //evil.example
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/\n/evil.example"), "/");
        assert_eq!(safe_next("/\r/x"), "/");
        assert_eq!(safe_next("/a\\b"), "/");
        assert_eq!(safe_next("/ /x"), "/");
        assert_eq!(safe_next("/办事"), "/", "not a header's characters");
        assert_eq!(safe_next(""), "/");
        assert_eq!(
            safe_next("/cases?state=reviewing&q=%E5%8A%9E"),
            "/cases?state=reviewing&q=%E5%8A%9E"
        );
    }

    #[test]
    fn form_numbers_name_their_field() {
        let f = FormData(vec![
            ("floors".into(), "三".into()),
            ("ids".into(), "1".into()),
            ("ids".into(), "2".into()),
        ]);
        assert_eq!(
            f.int("floors").unwrap_err().field.as_deref(),
            Some("floors")
        );
        assert_eq!(f.ints("ids").unwrap(), vec![1, 2]);
        assert_eq!(
            f.int("missing").unwrap_err().field.as_deref(),
            Some("missing")
        );
    }
}
