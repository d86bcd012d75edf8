//! Catalog administration: matters and their guide versions (draft, review, publish), imports
//! and exports, synonyms, life events, themes and bundles.

use super::{FormData, PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::tr;
use crate::service::catalog::{self as svc};
use crate::service::{catalog_io, scope_filter};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use onewindow_core::Lang;
use onewindow_core::Text;
use onewindow_core::access::Permission;
use onewindow_core::catalog::Guide;
use onewindow_core::catalog::bundle::{Audience, TopicInput, TopicKind};
use onewindow_core::catalog::record::NewMatter;
use onewindow_core::catalog::sheet::{self, COLUMNS};
use onewindow_core::catalog::version::{VersionAction, VersionStatus, differences};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/catalog", get(list))
        .route("/admin/catalog/new", get(new_form).post(create))
        .route("/admin/catalog/import", post(import))
        .route("/admin/catalog/synonyms", post(synonyms))
        .route("/admin/catalog/versions/{id}", get(version))
        .route("/admin/catalog/versions/{id}/action", post(action))
        .route("/admin/catalog/versions/{id}/full", get(version_full))
        .route("/admin/catalog/{code}", get(matter).post(save_draft))
        .route("/admin/catalog/{code}/active", post(active))
        .route("/admin/topics", get(topics).post(save_topic))
        .route("/admin/topics/{code}", get(topic))
}

fn field(name: &str, label: &str, kind: &str, value: impl Into<Value>, required: bool) -> Value {
    context! { name => name, label => label, kind => kind, value => value.into(), required => required, rows => 4 }
}

/// The guide's fields as form fields, in the spreadsheet's columns and formats (the code and the
/// department are the matter's, not the guide's).
fn guide_fields(cells: &[String]) -> Vec<Value> {
    COLUMNS
        .iter()
        .enumerate()
        .filter(|(i, _)| !matches!(i, 0 | 3))
        .map(|(i, c)| {
            let multi = matches!(i, 6 | 8 | 9 | 10 | 13 | 14);
            let required = matches!(i, 1 | 4 | 5 | 6 | 7 | 11 | 12 | 15 | 16 | 24);
            field(
                &format!("c{i}"),
                c,
                if multi { "textarea" } else { "text" },
                cells.get(i).cloned().unwrap_or_default(),
                required,
            )
        })
        .collect()
}

/// Reads a guide back from the form, through the spreadsheet parser: one row, the same checks.
async fn guide_from(
    state: &AppState,
    f: &FormData,
    code: &str,
    department: &str,
) -> AppResult<Guide> {
    let mut cells: Vec<String> = (0..COLUMNS.len())
        .map(|i| f.raw(&format!("c{i}")))
        .collect();
    cells[0] = code.to_string();
    cells[3] = department.to_string();
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let (rows, errors) = sheet::parse(&header, &[(2, cells)]);
    if let Some(e) = errors.first() {
        return Err(onewindow_core::FieldError::new(e.column.clone(), e.reason.clone()).into());
    }
    let row = rows.into_iter().next().ok_or_else(AppError::internal)?;
    let mut g = row.guide;
    if !row.hall.is_empty() {
        let halls = state
            .store
            .halls(&onewindow_store::ScopeFilter::all())
            .await?;
        let h = halls.iter().find(|h| h.name == row.hall).ok_or_else(|| {
            AppError::bad_request(
                "办理大厅",
                Text::new(
                    format!("未知的大厅“{}”", row.hall),
                    format!("unknown hall '{}'", row.hall),
                ),
            )
        })?;
        g.hall_id = Some(h.id);
        if !row.zone.is_empty() {
            let zones = state.store.zones(h.id).await?;
            let z = zones.iter().find(|z| z.name == row.zone).ok_or_else(|| {
                AppError::bad_request(
                    "办理分区",
                    Text::new(
                        format!("大厅中没有分区“{}”", row.zone),
                        format!("the hall has no zone '{}'", row.zone),
                    ),
                )
            })?;
            g.zone_id = Some(z.id);
        }
    }
    Ok(g)
}

async fn cells_of(
    state: &AppState,
    code: &str,
    department: &str,
    g: &Guide,
) -> AppResult<Vec<String>> {
    let hall = match g.hall_id {
        Some(h) => state
            .store
            .hall(h)
            .await?
            .map(|h| h.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let zone = match g.zone_id {
        Some(z) => state
            .store
            .zone(z)
            .await?
            .map(|z| z.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(sheet::cells(code, department, &hall, &zone, g))
}

fn status_name(s: VersionStatus, lang: Lang) -> String {
    s.name().get(lang).to_string()
}

async fn list(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let matters = svc::matters(&state, &auth).await?;
    let departments: std::collections::HashMap<i64, String> = state
        .store
        .departments(&Default::default())
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let rows: Vec<Value> = matters
        .iter()
        .map(|m| {
            let status = if m.published_version_id.is_some() { tr("catalog.published", lang) } else { status_name(VersionStatus::Draft, lang) };
            context! {
                href => format!("/admin/catalog/{}", m.code),
                cells => vec![m.code.clone(), m.name.clone(), departments.get(&m.department_id).cloned().unwrap_or_default(), status],
                active => m.active,
            }
        })
        .collect();
    let publisher =
        auth.actor.has(Permission::CatalogPublish) && auth.actor.scope.department_id.is_none();
    let mut forms = Vec::new();
    if publisher {
        forms.push(context! {
            title => tr("catalog.import", lang),
            form => context! { id => "import-form", title => "", action => "/admin/catalog/import", submit => tr("catalog.import", lang), multipart => true,
                fields => vec![field("file", &tr("catalog.import_file", lang), "file", "", true), field("partial", &tr("catalog.partial", lang), "checkbox", false, false)] },
        });
        forms.push(context! {
            title => tr("catalog.synonyms", lang),
            form => context! { id => "synonyms-form", title => "", action => "/admin/catalog/synonyms", submit => tr("form.save", lang),
                fields => vec![context! { name => "synonyms", label => tr("catalog.synonyms_help", lang), kind => "textarea", value => state.store.synonyms().await?, rows => 6 }] },
        });
    }
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &tr("nav.catalog", lang),
        context! {
            hide_state => true,
            extras => {
                let mut e = vec![context! {
                    title => format!("{}（{}）", tr("portal.matters", lang), matters.len()),
                    columns => vec![tr("guide.code", lang), tr("field.name", lang), tr("field.department", lang), tr("catalog.status", lang)],
                    rows => rows,
                }];
                e.extend(forms);
                e
            },
            links => {
                let mut l = vec![
                    context! { href => "/api/v1/catalog/export?format=xlsx", label => format!("{} XLSX", tr("catalog.export", lang)) },
                    context! { href => "/api/v1/catalog/export?format=csv", label => format!("{} CSV", tr("catalog.export", lang)) },
                ];
                if auth.actor.has(Permission::CatalogWrite) {
                    l.push(context! { href => "/admin/catalog/new", label => tr("catalog.new", lang) });
                }
                l.push(context! { href => "/admin/topics", label => tr("catalog.topics", lang) });
                l
            },
        },
    ))
}

async fn department_options(state: &AppState, auth: &Auth) -> AppResult<Vec<Value>> {
    Ok(super::widgets::scoped_departments(state, auth)
        .await?
        .into_iter()
        .map(|(id, name)| context! { value => id, label => name, selected => false })
        .collect())
}

async fn new_form(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    auth.actor.require(Permission::CatalogWrite)?;
    let mut fields = vec![
        field("code", &tr("guide.code", lang), "text", "", true),
        context! { name => "department_id", label => tr("field.department", lang), kind => "select", options => department_options(&state, &auth).await?, required => true },
    ];
    let mut blank = vec![String::new(); COLUMNS.len()];
    blank[5] = "区级".into();
    blank[7] = "自然人".into();
    blank[10] = "不收费".into();
    blank[16] = "1".into();
    blank[24] = "是".into();
    fields.extend(guide_fields(&blank));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &tr("catalog.new", lang),
        context! {
            active => true,
            crumbs => vec![context! { href => "/admin/catalog", label => tr("nav.catalog", lang) }],
            form => context! { id => "matter-form", title => "", action => "/admin/catalog/new", submit => tr("form.create", lang), fields => fields, wide => true },
        },
    ))
}

async fn create(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let department_id = f.data.int("department_id")?;
    let dept = state
        .store
        .department(department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let code = onewindow_core::catalog::check_code(&f.data.text("code"))?;
    let guide = guide_from(&state, &f.data, &code, &dept).await?;
    let (m, _) = svc::create_matter(
        &state,
        auth,
        NewMatter {
            code,
            department_id,
            guide,
        },
    )
    .await?;
    Ok(saved(&format!("/admin/catalog/{}", m.code)))
}

async fn matter(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (m, versions) = svc::versions(&state, &auth, &code.to_ascii_uppercase()).await?;
    let dept = state
        .store
        .department(m.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let owner = onewindow_core::access::Owner {
        department_id: Some(m.department_id),
        region_path: crate::service::region_path(
            &state,
            state
                .store
                .department(m.department_id)
                .await?
                .map(|d| d.region_id),
        )
        .await?,
    };
    let writer = auth.actor.may(Permission::CatalogWrite, &owner).is_ok();
    let publisher =
        auth.actor.has(Permission::CatalogPublish) && auth.actor.covers_region(&owner.region_path);
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(onewindow_core::time::display).unwrap_or_default()
    };
    let rows: Vec<Value> = versions
        .iter()
        .map(|v| context! {
            id => v.id, number => v.number, status => v.status.code(), status_name => status_name(v.status, lang),
            created => when(Some(v.created_at)), submitted => when(v.submitted_at), reviewed => when(v.reviewed_at), note => v.note.clone(),
        })
        .collect();
    let latest = versions.first();
    let mut actions = Vec::new();
    if let Some(v) = latest {
        if v.status == VersionStatus::Draft && writer {
            actions.push(context! { version => v.id, action => "submit", label => tr("catalog.submit", lang), class => "primary", note => false });
        }
        if v.status == VersionStatus::Review && publisher {
            actions.push(context! { version => v.id, action => "approve", label => tr("catalog.approve", lang), class => "primary", note => false });
            actions.push(context! { version => v.id, action => "reject", label => tr("catalog.reject", lang), class => "danger", note => true });
        }
    }
    let editable = writer && latest.is_none_or(|v| v.status != VersionStatus::Review);
    let form = if editable {
        let base = latest.map(|v| v.guide.clone());
        let cells = match &base {
            Some(g) => cells_of(&state, &m.code, &dept, g).await?,
            None => vec![String::new(); COLUMNS.len()],
        };
        let mut fields = guide_fields(&cells);
        fields.push(field("note", &tr("guide.notes", lang), "text", "", false));
        Some(
            context! { id => "draft-form", title => tr("catalog.edit_draft", lang), action => format!("/admin/catalog/{}", m.code), submit => tr("form.save", lang), fields => fields, wide => true },
        )
    } else {
        None
    };
    let published = versions
        .iter()
        .find(|v| v.status == VersionStatus::Published)
        .map(|v| v.number);
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "matter_admin.html",
        &m.name,
        context! {
            matter => Value::from(minijinja::value::Serde(m.clone())),
            department => dept,
            published => published,
            versions => rows,
            actions => actions,
            form => form,
            activation => publisher.then(|| context! {
                action => format!("/admin/catalog/{}/active", m.code),
                label => tr(if m.active { "form.deactivate" } else { "form.activate" }, lang),
                confirm => if m.active { tr("form.confirm_deactivate", lang) } else { String::new() },
            }),
        },
    ))
}

async fn save_draft(
    State(state): State<AppState>,
    Path(code): Path<String>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let code = code.to_ascii_uppercase();
    let m = svc::matter(&state, auth, &code).await?;
    let dept = state
        .store
        .department(m.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let guide = guide_from(&state, &f.data, &code, &dept).await?;
    svc::save_draft(&state, auth, &code, guide, f.data.opt("note")).await?;
    Ok(saved(&format!("/admin/catalog/{code}")))
}

async fn action(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let action = match f.data.text("action").as_str() {
        "submit" => VersionAction::Submit,
        "approve" => VersionAction::Approve,
        "reject" => VersionAction::Reject,
        _ => {
            return Err(super::widgets::unknown_action());
        }
    };
    let v = svc::act(&state, auth, id, action, f.data.opt("note")).await?;
    let m = state
        .store
        .matter(v.matter_id)
        .await?
        .ok_or_else(AppError::internal)?;
    Ok(saved(&format!("/admin/catalog/{}", m.code)))
}

async fn active(
    State(state): State<AppState>,
    Path(code): Path<String>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let code = code.to_ascii_uppercase();
    svc::set_matter_active(
        &state,
        auth,
        &code,
        f.data.int("version")?,
        f.data.flag("active"),
    )
    .await?;
    Ok(saved(&format!("/admin/catalog/{code}")))
}

async fn version(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (v, base) = crate::api::catalog::version_and_base(&state, &auth, id).await?;
    let m = state
        .store
        .matter(v.matter_id)
        .await?
        .ok_or_else(AppError::internal)?;
    let diffs = base
        .as_ref()
        .map(|b| differences(&b.guide, &v.guide))
        .unwrap_or_default();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "version_admin.html",
        &format!(
            "{} · {}{}",
            v.guide.name,
            tr("guide.version_n", lang),
            v.number
        ),
        context! {
            code => m.code,
            number => v.number,
            against => base.map(|b| b.number),
            differences => Value::from(minijinja::value::Serde(diffs)),
        },
    ))
}

/// Any version, as the public saw (or will see) it, in the guide's own layout.
async fn version_full(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (v, _) = crate::api::catalog::version_and_base(&state, &auth, id).await?;
    let m = state
        .store
        .matter(v.matter_id)
        .await?
        .ok_or_else(AppError::internal)?;
    let view = svc::view(&state).await?;
    let p = onewindow_core::catalog::record::PublishedGuide {
        matter_id: m.id,
        code: m.code,
        department_id: m.department_id,
        version_id: v.id,
        version_number: v.number,
        guide: v.guide,
    };
    let ctx = super::portal::guide_context(&state, &view, &p, lang).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "guide.html",
        &p.guide.name,
        ctx,
    ))
}

async fn synonyms(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::save_synonyms(&state, auth, &f.data.raw("synonyms")).await?;
    Ok(saved("/admin/catalog"))
}

/// The import form posts a file: multipart, with the CSRF token as a field of its own.
async fn import(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    svc::may_import(&auth)?;
    let (file, partial) = super::widgets::import_upload(&state, &auth, &headers, mp).await?;
    let outcome = catalog_io::import(
        state.store.as_ref(),
        &auth.ctx(),
        &file,
        &scope_filter(&auth.actor),
        partial,
        lang,
    )
    .await?;
    state.catalog.invalidate();
    let status = if outcome.imported || outcome.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = render(
        &state,
        &page,
        Some(&auth),
        "import_result.html",
        &tr("catalog.import", lang),
        context! {
            outcome => Value::from(minijinja::value::Serde(outcome)),
        },
    );
    *res.status_mut() = status;
    Ok(res)
}

fn topic_fields(lang: Lang, t: Option<&onewindow_core::catalog::bundle::Topic>) -> Vec<Value> {
    let kinds = [TopicKind::LifeEvent, TopicKind::Theme, TopicKind::Bundle];
    let auds = [Audience::Person, Audience::Enterprise];
    let mut f = vec![];
    match t {
        Some(t) => {
            f.push(field("version", "", "hidden", t.version, false));
            f.push(field("code", "", "hidden", t.code.clone(), false));
        }
        None => f.push(field("code", &tr("field.code", lang), "text", "", true)),
    }
    f.push(field(
        "name",
        &tr("field.name", lang),
        "text",
        t.map(|t| t.name.clone()).unwrap_or_default(),
        true,
    ));
    f.push(context! { name => "kind", label => tr("catalog.kind", lang), kind => "select", required => true,
        options => kinds.iter().map(|k| context! { value => k.code(), label => k.name().get(lang).to_string(), selected => t.is_some_and(|t| t.kind == *k) }).collect::<Vec<_>>() });
    f.push(context! { name => "audience", label => tr("catalog.audience", lang), kind => "select", required => true,
        options => auds.iter().map(|a| context! { value => a.code(), label => a.name().get(lang).to_string(), selected => t.is_some_and(|t| t.audience == *a) }).collect::<Vec<_>>() });
    f.push(field(
        "description",
        &tr("catalog.description", lang),
        "text",
        t.map(|t| t.description.clone()).unwrap_or_default(),
        false,
    ));
    f.push(field(
        "sort",
        &tr("catalog.sort", lang),
        "number",
        t.map_or(0, |t| t.sort),
        false,
    ));
    f.push(context! { name => "matters", label => tr("catalog.topic_matters", lang), kind => "textarea", rows => 8, required => true, value => t.map(|t| t.matters.join("\n")).unwrap_or_default() });
    f
}

async fn topics(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    auth.actor.require(Permission::OrgRead)?;
    let all = state.store.topics().await?;
    let publisher =
        auth.actor.has(Permission::CatalogPublish) && auth.actor.scope.department_id.is_none();
    // The code names the topic's public link: those who publish topics set it; others read names.
    let rows: Vec<Value> = all
        .iter()
        .map(|t| {
            let mut cells = vec![t.name.clone(), t.kind.name().get(lang).to_string(), t.audience.name().get(lang).to_string(), t.matters.len().to_string()];
            if publisher {
                cells.insert(0, t.code.clone());
            }
            context! { href => format!("/admin/topics/{}", t.code), cells => cells, active => t.active }
        })
        .collect();
    let mut columns = vec![
        tr("field.name", lang),
        tr("catalog.kind", lang),
        tr("catalog.audience", lang),
        tr("portal.matters", lang),
    ];
    if publisher {
        columns.insert(0, tr("field.code", lang));
    }
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &tr("catalog.topics", lang),
        context! {
            columns => columns,
            rows => rows,
            form => publisher.then(|| context! { id => "topic-form", title => tr("form.create", lang), action => "/admin/topics", submit => tr("form.save", lang), fields => topic_fields(lang, None) }),
        },
    ))
}

async fn topic(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    auth.actor.require(Permission::OrgRead)?;
    let t = state
        .store
        .topic_by_code(&code)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("专题", "topic")))?;
    let publisher =
        auth.actor.has(Permission::CatalogPublish) && auth.actor.scope.department_id.is_none();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &t.name,
        context! {
            active => t.active,
            version => t.version,
            crumbs => vec![context! { href => "/admin/topics", label => tr("catalog.topics", lang) }],
            facts => if publisher { vec![context! { label => tr("field.code", lang), value => t.code.clone() }] } else { vec![context! { label => tr("portal.matters", lang), value => t.matters.len() }] },
            form => publisher.then(|| context! { id => "topic-form", title => tr("form.edit", lang), action => "/admin/topics", submit => tr("form.save", lang), fields => topic_fields(lang, Some(&t)) }),
        },
    ))
}

async fn save_topic(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let kind = TopicKind::parse(&f.data.text("kind"))
        .ok_or_else(|| AppError::bad_request("kind", Text::fixed("未知的类别", "unknown kind")))?;
    let audience = Audience::parse(&f.data.text("audience")).ok_or_else(|| {
        AppError::bad_request("audience", Text::fixed("未知的面向", "unknown audience"))
    })?;
    let input = TopicInput {
        code: f.data.text("code"),
        name: f.data.text("name"),
        kind,
        audience,
        description: f.data.text("description"),
        sort: f.data.opt_int("sort")?.unwrap_or(0),
        matters: f
            .data
            .raw("matters")
            .split(['\n', ',', '，', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        version: f.data.opt_int("version")?,
    };
    let t = svc::save_topic(&state, auth, input).await?;
    Ok(saved(&format!("/admin/topics/{}", t.code)))
}
