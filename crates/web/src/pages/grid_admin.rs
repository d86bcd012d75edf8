//! The command centre's settings page for grids (网格设置): categories with their departments
//! and limits, who works each grid, the district's step limits and duplicate rule, and Open311
//! keys. Each form calls the same service as the API.

use super::{PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::ApiPath as Path;
use crate::i18n::tr;
use crate::service::grid::{self as svc, CategoryUpdate, StaffInput};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::context;
use onewindow_core::Text;
use onewindow_core::access::Permission;
use onewindow_core::grid::category::NewCategory;
use onewindow_core::grid::limit::{Limit, Unit};
use onewindow_core::grid::report::GridRules;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/grid/admin", get(page))
        .route("/grid/admin/categories", post(create_category))
        .route("/grid/admin/categories/{id}", post(update_category))
        .route("/grid/admin/staff", post(staff))
        .route("/grid/admin/rules", post(rules))
        .route("/grid/admin/keys", post(issue_key))
}

const UNITS: [(Unit, &str); 3] = [
    (Unit::Minutes, "minutes"),
    (Unit::Hours, "hours"),
    (Unit::WorkingDays, "working_days"),
];

fn unit_code(u: Unit) -> &'static str {
    UNITS.iter().find(|(x, _)| *x == u).map_or("", |(_, c)| c)
}

fn limit(d: &super::FormData, amount: &str, unit: &str) -> AppResult<Limit> {
    let u = d.text(unit);
    let unit = UNITS
        .iter()
        .find(|(_, c)| *c == u)
        .map(|(x, _)| *x)
        .ok_or_else(|| AppError::bad_request(unit, Text::fixed("没有这个单位", "no such unit")))?;
    Ok(Limit {
        amount: d.int(amount)?,
        unit,
    })
}

async fn page(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    render_page(&state, &page, &auth, None).await
}

async fn render_page(
    state: &AppState,
    page: &PageCtx,
    auth: &Auth,
    issued: Option<svc::IssuedKey>,
) -> AppResult<Response> {
    let lang = page.lang(Some(auth));
    let a = &auth.actor;
    if !(a.has(Permission::GridDispatch) && a.scope.department_id.is_none()) {
        return Err(onewindow_core::DomainError::forbidden().into());
    }
    let m = svc::map(state).await?;
    let departments = state
        .store
        .departments(&onewindow_store::ScopeFilter::all())
        .await?;
    let r = m.rules;
    Ok(render(
        state,
        page,
        Some(auth),
        "grid_admin.html",
        &tr("gd.admin", lang),
        context! {
            categories => m.categories.iter().map(|c| context! {
                id => c.id, code => c.code.clone(), name => c.name.clone(), group => c.group.clone(),
                department_id => c.department_id, amount => c.limit.amount, unit => unit_code(c.limit.unit),
                active => c.active, version => c.version, questions => c.attributes.len(),
            }).collect::<Vec<_>>(),
            departments => departments.iter().filter(|d| d.active).map(|d| context! { id => d.id, name => d.name.clone() }).collect::<Vec<_>>(),
            units => UNITS.iter().map(|(_, c)| context! { code => *c, name => tr(&format!("gd.unit.{c}"), lang) }).collect::<Vec<_>>(),
            grids => m.grids.iter().map(|g| context! { code => g.code.clone(), name => g.name.clone() }).collect::<Vec<_>>(),
            rules => context! {
                register => r.steps.register.amount, register_unit => unit_code(r.steps.register.unit),
                dispatch => r.steps.dispatch.amount, dispatch_unit => unit_code(r.steps.dispatch.unit),
                sign => r.steps.sign.amount, sign_unit => unit_code(r.steps.sign.unit),
                return_within => r.steps.return_within.amount, return_unit => unit_code(r.steps.return_within.unit),
                max_extension_days => r.steps.max_extension_days,
                duplicate_meters => r.duplicate_meters, duplicate_hours => r.duplicate_hours,
            },
            issued => issued.map(|k| context! { name => k.name, key => k.api_key }),
        },
    ))
}

fn category_from(
    d: &super::FormData,
    attributes: Vec<onewindow_core::grid::category::Attribute>,
) -> AppResult<NewCategory> {
    Ok(NewCategory {
        code: d.text("code"),
        name: d.text("name"),
        group: d.text("group"),
        description: d.text("description"),
        keywords: d.text("keywords"),
        department_id: d.opt_int("department_id")?,
        limit: limit(d, "amount", "unit")?,
        attributes,
    })
}

async fn create_category(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::create_category(&state, auth, category_from(&f.data, Vec::new())?).await?;
    Ok(saved("/grid/admin"))
}

/// The page edits what it shows; a category's questions stay as they are (the API edits them).
async fn update_category(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let m = svc::map(&state).await?;
    let old = m
        .category(id)
        .ok_or_else(|| AppError::not_found(Text::fixed("问题类别", "category")))?;
    let mut c = category_from(&f.data, old.attributes.clone())?;
    c.code = old.code.clone();
    c.description = old.description.clone();
    c.keywords = old.keywords.clone();
    svc::update_category(
        &state,
        auth,
        id,
        CategoryUpdate {
            version: f.data.int("version")?,
            active: f.data.flag("active"),
            category: c,
        },
    )
    .await?;
    Ok(saved("/grid/admin"))
}

async fn user_id(state: &AppState, field: &str, username: &str) -> AppResult<i64> {
    state
        .store
        .user_by_username(username)
        .await?
        .map(|u| u.id)
        .ok_or_else(|| {
            AppError::bad_request(
                field,
                Text::new(
                    format!("没有账号{username}"),
                    format!("no account {username}"),
                ),
            )
        })
}

async fn staff(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let m = svc::map(&state).await?;
    let code = d.text("grid");
    let g = m.grids.iter().find(|g| g.code == code).ok_or_else(|| {
        AppError::bad_request("grid", Text::fixed("没有这个网格", "no such grid"))
    })?;
    let leader_id = match d.opt("leader") {
        Some(u) => Some(user_id(&state, "leader", &u).await?),
        None => None,
    };
    let mut workers = Vec::new();
    for u in d
        .text("workers")
        .split([',', '，', '、', ' '])
        .filter(|s| !s.is_empty())
    {
        workers.push(user_id(&state, "workers", u).await?);
    }
    let region_id = match d.opt("region_code") {
        Some(c) => Some(
            state
                .store
                .region_by_code(&c)
                .await?
                .ok_or_else(|| {
                    AppError::bad_request(
                        "region_code",
                        Text::fixed("没有这个行政区划", "no such region"),
                    )
                })?
                .id,
        ),
        None => g.region_id,
    };
    svc::set_staff(
        &state,
        auth,
        g.id,
        StaffInput {
            version: g.version,
            region_id,
            leader_id,
            workers,
        },
    )
    .await?;
    Ok(saved("/grid/admin"))
}

async fn rules(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let r = GridRules {
        steps: onewindow_core::grid::limit::StepLimits {
            register: limit(d, "register", "register_unit")?,
            dispatch: limit(d, "dispatch", "dispatch_unit")?,
            sign: limit(d, "sign", "sign_unit")?,
            return_within: limit(d, "return_within", "return_unit")?,
            max_extension_days: d.int("max_extension_days")?,
        },
        duplicate_meters: d.int("duplicate_meters")?,
        duplicate_hours: d.int("duplicate_hours")?,
    };
    svc::save_rules(&state, auth, r).await?;
    Ok(saved("/grid/admin"))
}

/// Issues a key and shows it on the page, this once.
async fn issue_key(
    State(state): State<AppState>,
    page: PageCtx,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let k = svc::issue_key(&state, auth, &f.data.text("name")).await?;
    render_page(&state, &page, auth, Some(k)).await
}
