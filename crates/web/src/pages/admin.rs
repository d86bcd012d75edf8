//! Administration pages for the organisation and the accounts. Forms are shown only to those who
//! may use them; the service actions check again, so a hand-made post is refused all the same.

use super::widgets::{checkboxes, crumb, fact, form, input, row, select};
use super::{FormData, PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::i18n::tr;
use crate::service::{self, org, users};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use onewindow_core::access::Permission;
use onewindow_core::identity::{NewUser, PasswordReset, Role, User, UserUpdate};
use onewindow_core::org::*;
use onewindow_core::time::display;
use onewindow_core::{Lang, Text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/regions", get(regions).post(create_region))
        .route("/admin/regions/{id}", get(region).post(update_region))
        .route("/admin/regions/{id}/active", post(region_active))
        .route(
            "/admin/departments",
            get(departments).post(create_department),
        )
        .route(
            "/admin/departments/{id}",
            get(department).post(update_department),
        )
        .route("/admin/departments/{id}/active", post(department_active))
        .route("/admin/departments/{id}/seal-key", post(rotate_seal_key))
        .route("/admin/halls", get(halls).post(create_hall))
        .route("/admin/halls/{id}", get(hall).post(update_hall))
        .route("/admin/halls/{id}/active", post(hall_active))
        .route("/admin/halls/{id}/zones", post(create_zone))
        .route("/admin/halls/{id}/windows", post(create_window))
        .route("/admin/zones/{id}", get(zone).post(update_zone))
        .route("/admin/zones/{id}/active", post(zone_active))
        .route("/admin/windows/{id}", get(window).post(update_window))
        .route("/admin/windows/{id}/active", post(window_active))
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users.xlsx", get(users_export))
        .route("/admin/users/{id}", get(user).post(update_user))
        .route("/admin/users/{id}/active", post(user_active))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/photo", post(user_photo))
}

// ---- small builders for the generic list and edit templates ----

fn state_name(active: bool, lang: Lang) -> String {
    tr(
        if active {
            "state.active"
        } else {
            "state.inactive"
        },
        lang,
    )
}

fn activation(base: &str, active: bool, lang: Lang) -> Value {
    context! {
        action => format!("{base}/active"),
        label => tr(if active { "form.deactivate" } else { "form.activate" }, lang),
        confirm => if active { tr("form.confirm_deactivate", lang) } else { String::new() },
    }
}

fn trail_href(kind: &str, id: i64) -> String {
    format!("/audit?target_type={kind}&target_id={id}")
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// Whether the actor administers the region at `path` (the service checks again).
fn manages(auth: &Auth, path: &str) -> bool {
    auth.actor.has(Permission::OrgWrite) && auth.actor.covers_region(path)
}

async fn active_change(form: &FormData) -> AppResult<(i64, bool)> {
    Ok((form.int("version")?, form.flag("active")))
}

// ---- regions ----

async fn regions(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let all = org::regions(&state, &auth).await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|id| all.iter().find(|r| r.id == id))
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let rows: Vec<Value> = all
        .iter()
        .map(|r| {
            row(
                Some(format!("/admin/regions/{}", r.id)),
                vec![
                    r.code.clone(),
                    r.name.clone(),
                    r.level.name().get(lang).into(),
                    name_of(r.parent_id),
                    state_name(r.active, lang),
                ],
                r.active,
            )
        })
        .collect();
    let parents: Vec<(i64, String)> = all
        .iter()
        .filter(|r| r.active && manages(&auth, &r.path))
        .map(|r| (r.id, format!("{} {}", r.code, r.name)))
        .collect();
    let create = (!parents.is_empty()).then(|| {
        form(
            "region-form",
            format!("{}{}", tr("form.create", lang), tr("nav.regions", lang)),
            "/admin/regions".into(),
            tr("form.create", lang),
            vec![
                select("parent_id", tr("field.parent", lang), parents, None, true),
                input("code", tr("field.code", lang), "text", "", true),
                input("name", tr("field.name", lang), "text", "", true),
            ],
        )
    });
    let columns = [
        "field.code",
        "field.name",
        "field.level",
        "field.parent",
        "field.state",
    ]
    .map(|k| tr(k, lang));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &tr("nav.regions", lang),
        context! {
            columns => columns, rows => rows, form => create,
            intro => Text::fixed("区划代码采用 GB/T 2260 六位代码，街道、社区在其后各加三位。", "Codes are GB/T 2260 six-digit codes, extended by three digits for streets and three more for communities.").get(lang),
        },
    ))
}

async fn create_region(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let r = org::create_region(
        &state,
        auth,
        NewRegion {
            code: f.data.text("code"),
            name: f.data.text("name"),
            parent_id: f.data.opt_int("parent_id")?,
        },
    )
    .await?;
    Ok(saved(&format!("/admin/regions/{}", r.id)))
}

async fn region(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let r = org::region(&state, &auth, id).await?;
    let parent = match r.parent_id {
        Some(p) => state
            .store
            .region(p)
            .await?
            .map(|p| p.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let may = manages(&auth, &r.path);
    let base = format!("/admin/regions/{id}");
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &r.name,
        context! {
            crumbs => vec![crumb("/admin/regions", tr("nav.regions", lang))],
            active => r.active, version => r.version,
            facts => vec![fact(tr("field.code", lang), r.code.clone()), fact(tr("field.level", lang), r.level.name().get(lang)), fact(tr("field.parent", lang), parent)],
            form => may.then(|| form("edit-form", tr("form.edit", lang), base.clone(), tr("form.save", lang), vec![
                input("version", String::new(), "hidden", r.version, false),
                input("name", tr("field.name", lang), "text", r.name.clone(), true),
            ])),
            activation => may.then(|| activation(&base, r.active, lang)),
            trail_href => trail_href("region", id),
        },
    ))
}

async fn update_region(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    org::update_region(
        &state,
        auth,
        id,
        RegionUpdate {
            version: f.data.int("version")?,
            name: f.data.opt("name"),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/regions/{id}")))
}

async fn region_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let (version, active) = active_change(&f.data).await?;
    org::set_region_active(&state, auth, id, version, active).await?;
    Ok(saved(&format!("/admin/regions/{id}")))
}

// ---- departments ----

/// Regions the actor administers, as select options.
async fn managed_regions(state: &AppState, auth: &Auth) -> AppResult<Vec<(i64, String)>> {
    Ok(state
        .store
        .regions()
        .await?
        .into_iter()
        .filter(|r| r.active && manages(auth, &r.path))
        .map(|r| (r.id, format!("{} {}", r.code, r.name)))
        .collect())
}

async fn region_names(state: &AppState) -> AppResult<std::collections::HashMap<i64, String>> {
    Ok(state
        .store
        .regions()
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

async fn departments(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let list = org::departments(&state, &auth).await?;
    let names = region_names(&state).await?;
    let rows: Vec<Value> = list
        .iter()
        .map(|d| {
            row(
                Some(format!("/admin/departments/{}", d.id)),
                vec![
                    d.name.clone(),
                    d.uscc.clone(),
                    names.get(&d.region_id).cloned().unwrap_or_default(),
                    opt(&d.phone),
                    state_name(d.active, lang),
                ],
                d.active,
            )
        })
        .collect();
    let regions = managed_regions(&state, &auth).await?;
    let create = (!regions.is_empty()).then(|| {
        form(
            "department-form",
            format!("{}{}", tr("form.create", lang), tr("nav.departments", lang)),
            "/admin/departments".into(),
            tr("form.create", lang),
            vec![
                input("name", tr("field.name", lang), "text", "", true),
                input("uscc", tr("field.uscc", lang), "text", "", true),
                select("region_id", tr("field.region", lang), regions, None, true),
                input("phone", tr("field.phone", lang), "text", "", false),
                input("address", tr("field.address", lang), "text", "", false),
            ],
        )
    });
    let columns = [
        "field.name",
        "field.uscc",
        "field.region",
        "field.phone",
        "field.state",
    ]
    .map(|k| tr(k, lang));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &tr("nav.departments", lang),
        context! { columns => columns, rows => rows, form => create },
    ))
}

async fn create_department(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = org::create_department(
        &state,
        auth,
        NewDepartment {
            name: f.data.text("name"),
            uscc: f.data.text("uscc"),
            region_id: f.data.int("region_id")?,
            phone: f.data.opt("phone"),
            address: f.data.opt("address"),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/departments/{}", d.id)))
}

async fn department(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let d = org::department(&state, &auth, id).await?;
    let region = state.store.region(d.region_id).await?;
    let path = region.as_ref().map(|r| r.path.clone()).unwrap_or_default();
    let owner = onewindow_core::access::Owner {
        department_id: Some(d.id),
        region_path: path.clone(),
    };
    let may_edit = auth.actor.may(Permission::OrgWrite, &owner).is_ok();
    let base = format!("/admin/departments/{id}");
    let keys = seal_keys(&state, id, may_edit, lang).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &d.name,
        context! {
            crumbs => vec![crumb("/admin/departments", tr("nav.departments", lang))],
            active => d.active, version => d.version,
            facts => vec![fact(tr("field.uscc", lang), d.uscc.clone()), fact(tr("field.region", lang), region.map(|r| r.name).unwrap_or_default())],
            form => may_edit.then(|| form("edit-form", tr("form.edit", lang), base.clone(), tr("form.save", lang), vec![
                input("version", String::new(), "hidden", d.version, false),
                input("name", tr("field.name", lang), "text", d.name.clone(), true),
                input("uscc", tr("field.uscc", lang), "text", d.uscc.clone(), true),
                input("phone", tr("field.phone", lang), "text", opt(&d.phone), false),
                input("address", tr("field.address", lang), "text", opt(&d.address), false),
            ])),
            activation => manages(&auth, &path).then(|| activation(&base, d.active, lang)),
            extras => vec![keys],
            trail_href => trail_href("department", id),
        },
    ))
}

/// The department's seal keys (电子印章密钥): the one signing and those rotated out (still
/// published, to verify what they signed), and for its administrators the rotation.
async fn seal_keys(state: &AppState, id: i64, may_rotate: bool, lang: Lang) -> AppResult<Value> {
    let keys: Vec<Value> = state
        .store
        .seal_keys(Some(id))
        .await?
        .into_iter()
        .map(|k| {
            let state = tr(
                if k.active {
                    "lic.key_signing"
                } else {
                    "lic.key_retired"
                },
                lang,
            );
            let replaced = k.retired_at.map(display).unwrap_or_default();
            row(
                None,
                vec![k.key_id, state, display(k.created_at), replaced],
                k.active,
            )
        })
        .collect();
    let rotate = (may_rotate && !keys.is_empty()).then(|| {
        context! {
            id => "seal-key-form",
            action => format!("/admin/departments/{id}/seal-key"),
            submit => tr("lic.key_rotate", lang),
            confirm => tr("lic.key_rotate_confirm", lang),
            // A rare act, confirmed: not the page's main button.
            tone => "secondary",
            fields => Vec::<Value>::new(),
        }
    });
    Ok(context! {
        title => tr("lic.keys", lang),
        intro => keys.is_empty().then(|| tr("lic.key_none", lang)),
        columns => ["lic.key_id", "lic.key_state", "lic.key_made", "lic.key_replaced"].map(|k| tr(k, lang)),
        rows => keys,
        form => rotate,
    })
}

async fn rotate_seal_key(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    crate::service::licences::kinds::rotate(&state, auth, id).await?;
    Ok(saved(&format!("/admin/departments/{id}")))
}

async fn update_department(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    org::update_department(
        &state,
        auth,
        id,
        DepartmentUpdate {
            version: f.data.int("version")?,
            name: f.data.opt("name"),
            uscc: f.data.opt("uscc"),
            phone: Some(f.data.opt("phone")),
            address: Some(f.data.opt("address")),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/departments/{id}")))
}

async fn department_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let (version, active) = active_change(&f.data).await?;
    org::set_department_active(&state, auth, id, version, active).await?;
    Ok(saved(&format!("/admin/departments/{id}")))
}

// ---- halls, zones, windows ----

async fn halls(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let list = org::halls(&state, &auth).await?;
    let names = region_names(&state).await?;
    let mut rows = Vec::new();
    for h in &list {
        let windows = state
            .store
            .windows(h.id)
            .await?
            .iter()
            .filter(|w| w.active)
            .count();
        rows.push(row(
            Some(format!("/admin/halls/{}", h.id)),
            vec![
                h.name.clone(),
                names.get(&h.region_id).cloned().unwrap_or_default(),
                h.floors.to_string(),
                windows.to_string(),
                state_name(h.active, lang),
            ],
            h.active,
        ));
    }
    let regions = managed_regions(&state, &auth).await?;
    let create = (!regions.is_empty()).then(|| {
        form(
            "hall-form",
            format!("{}{}", tr("form.create", lang), tr("nav.halls", lang)),
            "/admin/halls".into(),
            tr("form.create", lang),
            vec![
                input("name", tr("field.name", lang), "text", "", true),
                select("region_id", tr("field.region", lang), regions, None, true),
                input("floors", tr("field.floors", lang), "number", 1, true),
                input("address", tr("field.address", lang), "text", "", false),
                input("phone", tr("field.phone", lang), "text", "", false),
                input("opens", tr("field.opens", lang), "time", "08:30", true),
                input("closes", tr("field.closes", lang), "time", "17:00", true),
                input(
                    "lunch_break",
                    tr("field.lunch_break", lang),
                    "text",
                    "11:30-13:30",
                    false,
                ),
            ],
        )
    });
    let columns = [
        "field.name",
        "field.region",
        "field.floors",
        "field.windows",
        "field.state",
    ]
    .map(|k| tr(k, lang));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &tr("nav.halls", lang),
        context! { columns => columns, rows => rows, form => create },
    ))
}

async fn create_hall(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let h = org::create_hall(
        &state,
        auth,
        NewHall {
            name: f.data.text("name"),
            region_id: f.data.int("region_id")?,
            address: f.data.opt("address"),
            floors: f.data.int("floors")?,
            phone: f.data.opt("phone"),
            opens: f.data.text("opens"),
            closes: f.data.text("closes"),
            lunch_break: f.data.opt("lunch_break"),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/halls/{}", h.id)))
}

async fn department_options(state: &AppState, auth: &Auth) -> AppResult<Vec<(String, String)>> {
    // Every active department of the administrator's region may be stationed in the hall.
    Ok(state
        .store
        .departments(&service::scope_filter(&auth.actor))
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| (d.id.to_string(), d.name))
        .collect())
}

async fn hall(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let h = org::hall(&state, &auth, id).await?;
    let zones = org::zones(&state, &auth, id).await?;
    let windows = org::windows(&state, &auth, id).await?;
    let depts: std::collections::HashMap<i64, String> = state
        .store
        .departments(&Default::default())
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let path = service::region_path(&state, Some(h.region_id)).await?;
    let may = manages(&auth, &path);
    let base = format!("/admin/halls/{id}");
    let zone_rows: Vec<Value> = zones
        .iter()
        .map(|z| {
            let n = windows
                .iter()
                .filter(|w| w.zone_id == z.id && w.active)
                .count();
            row(
                Some(format!("/admin/zones/{}", z.id)),
                vec![
                    z.name.clone(),
                    z.floor.to_string(),
                    n.to_string(),
                    state_name(z.active, lang),
                ],
                z.active,
            )
        })
        .collect();
    let zone_name = |zid: i64| {
        zones
            .iter()
            .find(|z| z.id == zid)
            .map(|z| z.name.clone())
            .unwrap_or_default()
    };
    let window_rows: Vec<Value> = windows
        .iter()
        .map(|w| {
            let served: Vec<String> = w
                .department_ids
                .iter()
                .filter_map(|d| depts.get(d).cloned())
                .collect();
            row(
                Some(format!("/admin/windows/{}", w.id)),
                vec![
                    w.number.to_string(),
                    opt(&w.label),
                    zone_name(w.zone_id),
                    served.join("、"),
                    if w.confidential {
                        "涉密".into()
                    } else {
                        String::new()
                    },
                    state_name(w.active, lang),
                ],
                w.active,
            )
        })
        .collect();
    let zone_options: Vec<(i64, String)> = zones
        .iter()
        .filter(|z| z.active)
        .map(|z| (z.id, format!("{}（{}F）", z.name, z.floor)))
        .collect();
    let next_number = windows.iter().map(|w| w.number).max().unwrap_or(0) + 1;
    let zone_form = may.then(|| {
        form(
            "zone-form",
            format!("{}{}", tr("form.create", lang), tr("field.zone", lang)),
            format!("{base}/zones"),
            tr("form.create", lang),
            vec![
                input("name", tr("field.name", lang), "text", "", true),
                input("floor", tr("field.floor", lang), "number", 1, true),
            ],
        )
    });
    let window_form = if may && !zone_options.is_empty() {
        Some(form(
            "window-form",
            format!(
                "{}{}",
                tr("form.create", lang),
                Text::fixed("窗口", "window").get(lang)
            ),
            format!("{base}/windows"),
            tr("form.create", lang),
            vec![
                select("zone_id", tr("field.zone", lang), zone_options, None, true),
                input(
                    "number",
                    tr("field.number", lang),
                    "number",
                    next_number,
                    true,
                ),
                input("label", tr("field.label", lang), "text", "", false),
                input(
                    "confidential",
                    tr("field.confidential", lang),
                    "checkbox",
                    false,
                    false,
                ),
                checkboxes(
                    "department_ids",
                    tr("field.departments", lang),
                    department_options(&state, &auth).await?,
                    &[],
                    true,
                ),
            ],
        ))
    } else {
        None
    };
    let extras = vec![
        context! {
            title => Text::fixed("分区", "Zones").get(lang),
            columns => ["field.name", "field.floor", "field.windows", "field.state"].map(|k| tr(k, lang)),
            rows => zone_rows,
            form => zone_form,
        },
        context! {
            title => Text::fixed("窗口", "Windows").get(lang),
            columns => vec![tr("field.number", lang), tr("field.label", lang), tr("field.zone", lang), tr("field.departments", lang), String::new(), tr("field.state", lang)],
            rows => window_rows,
            form => window_form,
        },
    ];
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &h.name,
        context! {
            crumbs => vec![crumb("/admin/halls", tr("nav.halls", lang))],
            active => h.active, version => h.version,
            facts => vec![fact(tr("field.floors", lang), h.floors.to_string()), fact(tr("field.address", lang), opt(&h.address)), fact(tr("field.phone", lang), opt(&h.phone)), fact(tr("field.hours", lang), h.hours_text())],
            form => may.then(|| form("edit-form", tr("form.edit", lang), base.clone(), tr("form.save", lang), vec![
                input("version", String::new(), "hidden", h.version, false),
                input("name", tr("field.name", lang), "text", h.name.clone(), true),
                input("floors", tr("field.floors", lang), "number", h.floors, true),
                input("address", tr("field.address", lang), "text", opt(&h.address), false),
                input("phone", tr("field.phone", lang), "text", opt(&h.phone), false),
                input("opens", tr("field.opens", lang), "time", h.opens.clone(), true),
                input("closes", tr("field.closes", lang), "time", h.closes.clone(), true),
                input("lunch_break", tr("field.lunch_break", lang), "text", h.lunch_break.clone().unwrap_or_default(), false),
            ])),
            extras => extras,
            activation => may.then(|| activation(&base, h.active, lang)),
            trail_href => trail_href("hall", id),
        },
    ))
}

async fn update_hall(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    org::update_hall(
        &state,
        auth,
        id,
        HallUpdate {
            version: f.data.int("version")?,
            name: f.data.opt("name"),
            address: Some(f.data.opt("address")),
            floors: f.data.opt_int("floors")?,
            phone: Some(f.data.opt("phone")),
            opens: f.data.opt("opens"),
            closes: f.data.opt("closes"),
            lunch_break: Some(f.data.opt("lunch_break")),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/halls/{id}")))
}

async fn hall_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let (version, active) = active_change(&f.data).await?;
    org::set_hall_active(&state, auth, id, version, active).await?;
    Ok(saved(&format!("/admin/halls/{id}")))
}

async fn create_zone(
    State(state): State<AppState>,
    Path(hall_id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    org::create_zone(
        &state,
        auth,
        hall_id,
        NewZone {
            name: f.data.text("name"),
            floor: f.data.int("floor")?,
        },
    )
    .await?;
    Ok(saved(&format!("/admin/halls/{hall_id}")))
}

async fn create_window(
    State(state): State<AppState>,
    Path(hall_id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    org::create_window(
        &state,
        auth,
        hall_id,
        NewWindow {
            zone_id: f.data.int("zone_id")?,
            number: f.data.int("number")?,
            label: f.data.opt("label"),
            confidential: f.data.flag("confidential"),
            department_ids: f.data.ints("department_ids")?,
        },
    )
    .await?;
    Ok(saved(&format!("/admin/halls/{hall_id}")))
}

async fn zone(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let z = org::zone(&state, &auth, id).await?;
    let h = org::hall(&state, &auth, z.hall_id).await?;
    let may = manages(
        &auth,
        &service::region_path(&state, Some(h.region_id)).await?,
    );
    let base = format!("/admin/zones/{id}");
    let hall_href = format!("/admin/halls/{}", h.id);
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &z.name,
        context! {
            crumbs => vec![crumb("/admin/halls", tr("nav.halls", lang)), crumb(&hall_href, h.name.clone())],
            active => z.active, version => z.version,
            facts => vec![fact(tr("field.floor", lang), z.floor.to_string())],
            form => may.then(|| form("edit-form", tr("form.edit", lang), base.clone(), tr("form.save", lang), vec![
                input("version", String::new(), "hidden", z.version, false),
                input("name", tr("field.name", lang), "text", z.name.clone(), true),
                input("floor", tr("field.floor", lang), "number", z.floor, true),
            ])),
            activation => may.then(|| activation(&base, z.active, lang)),
            trail_href => trail_href("zone", id),
        },
    ))
}

async fn update_zone(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    org::update_zone(
        &state,
        auth,
        id,
        ZoneUpdate {
            version: f.data.int("version")?,
            name: f.data.opt("name"),
            floor: f.data.opt_int("floor")?,
        },
    )
    .await?;
    Ok(saved(&format!("/admin/zones/{id}")))
}

async fn zone_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let (version, active) = active_change(&f.data).await?;
    org::set_zone_active(&state, auth, id, version, active).await?;
    Ok(saved(&format!("/admin/zones/{id}")))
}

async fn window(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let w = org::window(&state, &auth, id).await?;
    let h = org::hall(&state, &auth, w.hall_id).await?;
    let zones = state.store.zones(h.id).await?;
    let may = manages(
        &auth,
        &service::region_path(&state, Some(h.region_id)).await?,
    );
    let base = format!("/admin/windows/{id}");
    let hall_href = format!("/admin/halls/{}", h.id);
    let title = match lang {
        Lang::Zh => format!("{}号窗口", w.number),
        Lang::En => format!("Window {}", w.number),
    };
    let selected: Vec<String> = w.department_ids.iter().map(|d| d.to_string()).collect();
    let edit = if may {
        Some(form(
            "edit-form",
            tr("form.edit", lang),
            base.clone(),
            tr("form.save", lang),
            vec![
                input("version", String::new(), "hidden", w.version, false),
                select(
                    "zone_id",
                    tr("field.zone", lang),
                    zones
                        .iter()
                        .filter(|z| z.active)
                        .map(|z| (z.id, z.name.clone()))
                        .collect(),
                    Some(w.zone_id),
                    true,
                ),
                input("number", tr("field.number", lang), "number", w.number, true),
                input(
                    "label",
                    tr("field.label", lang),
                    "text",
                    opt(&w.label),
                    false,
                ),
                input(
                    "confidential",
                    tr("field.confidential", lang),
                    "checkbox",
                    w.confidential,
                    false,
                ),
                checkboxes(
                    "department_ids",
                    tr("field.departments", lang),
                    department_options(&state, &auth).await?,
                    &selected,
                    true,
                ),
            ],
        ))
    } else {
        None
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &title,
        context! {
            crumbs => vec![crumb("/admin/halls", tr("nav.halls", lang)), crumb(&hall_href, h.name.clone())],
            active => w.active, version => w.version,
            facts => vec![fact(tr("field.label", lang), opt(&w.label))],
            form => edit,
            activation => may.then(|| activation(&base, w.active, lang)),
            trail_href => trail_href("window", id),
        },
    ))
}

async fn update_window(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    org::update_window(
        &state,
        auth,
        id,
        WindowUpdate {
            version: f.data.int("version")?,
            zone_id: f.data.opt_int("zone_id")?,
            number: f.data.opt_int("number")?,
            label: Some(f.data.opt("label")),
            confidential: Some(f.data.flag("confidential")),
            department_ids: Some(f.data.ints("department_ids")?),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/windows/{id}")))
}

async fn window_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let (version, active) = active_change(&f.data).await?;
    org::set_window_active(&state, auth, id, version, active).await?;
    Ok(saved(&format!("/admin/windows/{id}")))
}

// ---- accounts ----

fn role_options(lang: Lang) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.code().to_string(), r.name().get(lang).to_string()))
        .collect()
}

async fn scope_options(
    state: &AppState,
    auth: &Auth,
) -> AppResult<(Vec<(i64, String)>, Vec<(i64, String)>)> {
    let depts: Vec<(i64, String)> = state
        .store
        .departments(&service::scope_filter(&auth.actor))
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| (d.id, d.name))
        .collect();
    Ok((depts, managed_regions(state, auth).await?))
}

fn user_fields(
    lang: Lang,
    u: Option<&User>,
    depts: Vec<(i64, String)>,
    regions: Vec<(i64, String)>,
) -> Vec<Value> {
    let roles: Vec<String> = u
        .map(|u| u.roles.iter().map(|r| r.code().to_string()).collect())
        .unwrap_or_default();
    let mut f = Vec::new();
    match u {
        Some(u) => f.push(input("version", String::new(), "hidden", u.version, false)),
        None => {
            f.push(input(
                "username",
                tr("field.username", lang),
                "text",
                "",
                true,
            ));
        }
    }
    f.push(input(
        "display_name",
        tr("field.display_name", lang),
        "text",
        u.map(|u| u.display_name.clone()).unwrap_or_default(),
        true,
    ));
    if u.is_none() {
        f.push(input(
            "password",
            tr("field.password", lang),
            "password",
            "",
            true,
        ));
    }
    f.push(checkboxes(
        "roles",
        tr("field.roles", lang),
        role_options(lang),
        &roles,
        true,
    ));
    f.push(select(
        "department_id",
        tr("field.department", lang),
        depts,
        u.and_then(|u| u.department_id),
        false,
    ));
    f.push(select(
        "region_id",
        tr("field.scope_region", lang),
        regions,
        u.and_then(|u| {
            if u.department_id.is_none() {
                u.region_id
            } else {
                None
            }
        }),
        false,
    ));
    f.push(input(
        "phone",
        tr("field.mobile", lang),
        "text",
        u.and_then(|u| u.phone.clone()).unwrap_or_default(),
        false,
    ));
    f
}

/// The accounts one may see, as rows: username, name, roles, scope, mobile (masked), last
/// sign-in, state.
async fn user_rows(
    state: &AppState,
    auth: &Auth,
    lang: Lang,
) -> AppResult<Vec<(i64, bool, Vec<String>)>> {
    let list = users::users(state, auth).await?;
    let depts: std::collections::HashMap<i64, String> = state
        .store
        .departments(&Default::default())
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    // One read of the regions: their names, and which are offices' (a district or above).
    let all = state.store.regions().await?;
    let offices: std::collections::HashSet<i64> = all
        .iter()
        .filter(|r| r.level.is_district_or_above())
        .map(|r| r.id)
        .collect();
    let regions: std::collections::HashMap<i64, String> =
        all.into_iter().map(|r| (r.id, r.name)).collect();
    Ok(list
        .iter()
        .map(|u| {
            let scope = u
                .department_id
                .and_then(|d| depts.get(&d).cloned())
                .or_else(|| u.region_id.and_then(|r| regions.get(&r).cloned()))
                .unwrap_or_default();
            let office =
                u.department_id.is_none() && u.region_id.is_some_and(|r| offices.contains(&r));
            let roles: Vec<String> = u
                .roles
                .iter()
                .map(|r| super::post_name(*r, office, lang))
                .collect();
            (
                u.id,
                u.active,
                vec![
                    u.username.clone(),
                    u.display_name.clone(),
                    roles.join("、"),
                    scope,
                    u.phone
                        .as_deref()
                        .map(onewindow_core::validate::mobile::mask)
                        .unwrap_or_default(),
                    u.last_login_at
                        .map(onewindow_core::time::display)
                        .unwrap_or_default(),
                    state_name(u.active, lang),
                ],
            )
        })
        .collect())
}

const USER_COLUMNS: [&str; 7] = [
    "field.username",
    "field.display_name",
    "field.roles",
    "home.scope",
    "field.mobile",
    "field.last_login",
    "field.state",
];

async fn users_export(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let rows: Vec<Vec<String>> = user_rows(&state, &auth, lang)
        .await?
        .into_iter()
        .map(|r| r.2)
        .collect();
    let headers: Vec<String> = USER_COLUMNS.iter().map(|k| tr(k, lang)).collect();
    let name = format!(
        "{}-{}.xlsx",
        tr("nav.users", lang),
        onewindow_core::time::local_date(crate::auth::now())
    );
    super::export::xlsx(&name, &tr("nav.users", lang), &headers, &rows)
}

async fn users_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let rows: Vec<Value> = user_rows(&state, &auth, lang)
        .await?
        .into_iter()
        .map(|(id, active, cells)| row(Some(format!("/admin/users/{id}")), cells, active))
        .collect();
    let create = if auth.actor.has(Permission::UserWrite) {
        let (d, r) = scope_options(&state, &auth).await?;
        Some(form(
            "user-form",
            format!("{}{}", tr("form.create", lang), tr("nav.users", lang)),
            "/admin/users".into(),
            tr("form.create", lang),
            user_fields(lang, None, d, r),
        ))
    } else {
        None
    };
    let columns = USER_COLUMNS.map(|k| tr(k, lang));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &tr("nav.users", lang),
        context! { columns => columns, rows => rows, form => create, export => "/admin/users.xlsx" },
    ))
}

async fn create_user(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let u = users::create_user(
        &state,
        auth,
        NewUser {
            username: f.data.text("username"),
            display_name: f.data.text("display_name"),
            password: f.data.raw("password"),
            roles: f.data.all("roles"),
            department_id: f.data.opt_int("department_id")?,
            region_id: f.data.opt_int("region_id")?,
            phone: f.data.opt("phone"),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/users/{}", u.id)))
}

async fn user(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let u = users::user(&state, &auth, id).await?;
    let may = auth.actor.has(Permission::UserWrite) && u.id != auth.user.id;
    let base = format!("/admin/users/{id}");
    let mut extras = Vec::new();
    let edit = if may {
        let (d, r) = scope_options(&state, &auth).await?;
        let photo = form(
            "photo-form",
            String::new(),
            format!("{base}/photo"),
            tr("form.save", lang),
            vec![context! {
                name => "photo", kind => "file", required => true, accept => "image/png,image/jpeg",
                label => Text::fixed("照片（PNG或JPEG，不超过1MB）", "Photo (PNG or JPEG, at most 1 MB)").get(lang),
            }],
        );
        let photo = context! { multipart => true, ..photo };
        extras.push(context! {
            title => Text::fixed("窗口屏照片", "Photo for the window screens").get(lang),
            form => photo,
        });
        extras.push(context! {
            title => Text::fixed("重置密码", "Reset password").get(lang),
            form => form("password-form", String::new(), format!("{base}/password"), tr("form.save", lang), vec![
                input("version", String::new(), "hidden", u.version, false),
                input("new_password", tr("field.new_password", lang), "password", "", true),
            ]),
        });
        Some(form(
            "edit-form",
            tr("form.edit", lang),
            base.clone(),
            tr("form.save", lang),
            user_fields(lang, Some(&u), d, r),
        ))
    } else {
        None
    };
    let office = match (u.department_id, u.region_id) {
        (None, Some(r)) => state
            .store
            .region(r)
            .await?
            .is_some_and(|r| r.level.is_district_or_above()),
        _ => false,
    };
    let roles: Vec<String> = u
        .roles
        .iter()
        .map(|r| super::post_name(*r, office, lang))
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &u.display_name,
        context! {
            crumbs => vec![crumb("/admin/users", tr("nav.users", lang))],
            active => u.active, version => u.version,
            facts => vec![
                fact(tr("field.username", lang), u.username.clone()),
                fact(tr("field.roles", lang), roles.join("、")),
                fact(tr("field.mobile", lang), u.phone.as_deref().map(onewindow_core::validate::mobile::mask).unwrap_or_default()),
                fact(tr("field.last_login", lang), u.last_login_at.map(onewindow_core::time::display).unwrap_or_default()),
            ],
            form => edit,
            extras => extras,
            activation => may.then(|| activation(&base, u.active, lang)),
            trail_href => trail_href("user", id),
        },
    ))
}

async fn update_user(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let department_id = f.data.opt_int("department_id")?;
    users::update_user(
        &state,
        auth,
        id,
        UserUpdate {
            version: f.data.int("version")?,
            display_name: f.data.opt("display_name"),
            roles: Some(f.data.all("roles")),
            department_id: Some(department_id),
            // A department account's region follows its department.
            region_id: Some(if department_id.is_some() {
                None
            } else {
                f.data.opt_int("region_id")?
            }),
            phone: Some(f.data.opt("phone")),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/users/{id}")))
}

async fn user_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let (version, active) = active_change(&f.data).await?;
    users::set_user_active(&state, auth, id, version, active).await?;
    Ok(saved(&format!("/admin/users/{id}")))
}

async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    users::reset_password(
        &state,
        auth,
        id,
        PasswordReset {
            version: f.data.int("version")?,
            new_password: f.data.raw("new_password"),
        },
    )
    .await?;
    Ok(saved(&format!("/admin/users/{id}")))
}

async fn user_photo(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let form = super::cases::checked_multipart(&auth, &headers, mp).await?;
    let file = form.files.first().ok_or_else(|| {
        crate::error::AppError::bad_request("photo", Text::fixed("请选择照片", "choose a photo"))
    })?;
    users::set_photo(&state, &auth, id, &file.bytes).await?;
    Ok(saved(&format!("/admin/users/{id}")))
}
