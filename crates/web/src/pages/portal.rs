//! The public portal, no sign-in needed: search with suggestions, guides, one-time notices,
//! life events, themes and bundles, QR codes and printable posters, the catalog's figures.

use super::{PageCtx, render};
use crate::auth::MaybeAuth;
use crate::error::{AppError, AppResult};
use crate::i18n::tr;
use crate::service::catalog::{self as svc, CatalogView, SearchQuery};
use crate::service::guide_forms::{self, FormKind};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::{Value, context};
use onewindow_core::catalog::bundle::{Audience, TopicKind};
use onewindow_core::catalog::record::PublishedGuide;
use onewindow_core::catalog::{Guide, Material, yuan};
use onewindow_core::{Lang, Text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal", get(portal))
        .route("/search", get(search))
        .route("/guide/{code}", get(guide))
        .route("/guide/{code}/print", get(guide_print))
        .route("/guide/{code}/notice", get(notice))
        .route("/guide/{code}/qr.svg", get(guide_qr_svg))
        .route("/guide/{code}/qr.png", get(guide_qr_png))
        .route("/guide/{code}/forms/{index}/{kind}", get(guide_form))
        .route("/topic/{code}", get(topic))
        .route("/topic/{code}/qr.svg", get(topic_qr_svg))
        .route("/topic/{code}/qr.png", get(topic_qr_png))
        .route("/topic/{code}/poster", get(topic_poster))
        .route("/life-events/poster", get(wall_poster))
        .route("/catalog/stats", get(stats))
}

pub use crate::qr::public_base;

const MATTER: Text = Text::fixed("事项", "matter");

fn find<'a>(view: &'a CatalogView, code: &str) -> AppResult<&'a PublishedGuide> {
    view.guide(&code.to_ascii_uppercase())
        .ok_or_else(|| AppError::not_found(MATTER))
}

pub async fn portal_context(
    state: &AppState,
    view: &CatalogView,
    signed_in: bool,
    lang: Lang,
) -> AppResult<Value> {
    let popular = svc::popular(state, view, 8).await?;
    let topics_of = |kind: TopicKind, audience: Option<Audience>| -> Vec<Value> {
        view.topics
            .iter()
            .filter(|t| t.kind == kind && audience.is_none_or(|a| a == t.audience))
            .map(|t| context! { code => t.code.clone(), name => t.name.clone(), count => t.matters.len() })
            .collect()
    };
    let groups = vec![
        context! { id => "person", title => tr("portal.person_events", lang), topics => topics_of(TopicKind::LifeEvent, Some(Audience::Person)), poster => "/life-events/poster"},
        context! { id => "legal", title => tr("portal.enterprise_events", lang), topics => topics_of(TopicKind::LifeEvent, Some(Audience::Enterprise))},
        context! { title => tr("portal.bundles", lang), topics => topics_of(TopicKind::Bundle, None) },
        context! { title => tr("portal.themes", lang), topics => topics_of(TopicKind::Theme, None) },
    ];
    let mut departments: Vec<(i64, String, usize)> = view
        .stats
        .by_department
        .iter()
        .map(|(id, n)| (*id, view.department(*id).to_string(), *n))
        .collect();
    departments.sort_by_key(|d| std::cmp::Reverse(d.2));
    let departments: Vec<Value> = departments
        .into_iter()
        .map(|(id, name, count)| context! { id => id, name => name, count => count })
        .collect();
    Ok(context! {
        groups => groups,
        departments => departments,
        stats => Value::from(minijinja::value::Serde(view.stats.clone())),
        signed_in => signed_in,
        popular => popular.iter().map(|p| context! {
            code => p.code.clone(), name => p.name.clone(), department => p.department.clone(), applied => p.applied,
        }).collect::<Vec<_>>(),
    })
}

async fn portal(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let view = svc::view(&state).await?;
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "portal.html",
        &tr("portal.title", lang),
        portal_context(&state, &view, auth.is_some(), lang).await?,
    ))
}

async fn search(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let view = svc::view(&state).await?;
    let q = page.param("q").unwrap_or_default();
    let department_id = page
        .param("department_id")
        .and_then(|d| d.parse::<i64>().ok());
    let offset = page
        .param("offset")
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0);
    const PAGE: usize = 20;
    let list = svc::search(
        &view,
        &SearchQuery {
            q: Some(q.clone()),
            department_id,
            topic: None,
            limit: PAGE,
            offset,
        },
    )?;
    let link = |off: usize| {
        let mut s = format!("/search?offset={off}");
        if !q.is_empty() {
            s.push_str(&format!(
                "&q={}",
                form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            ));
        }
        if let Some(d) = department_id {
            s.push_str(&format!("&department_id={d}"));
        }
        s
    };
    let title = match department_id {
        Some(d) if q.is_empty() => view.department(d).to_string(),
        _ => tr("portal.results", lang),
    };
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "search.html",
        &title,
        context! {
            q => q.clone(),
            department_id => department_id,
            total => list.total,
            offset => offset,
            items => Value::from(minijinja::value::Serde(list.items.clone())),
            prev => (offset > 0).then(|| link(offset.saturating_sub(PAGE))),
            next => (offset + PAGE < list.total).then(|| link(offset + PAGE)),
        },
    ))
}

/// A guide's material as its page shows it; one a licence stands for says which (电子证照·免提交),
/// by the licence types' names in the catalog's view.
fn material(
    m: &Material,
    lang: Lang,
    licences: &std::collections::HashMap<String, String>,
) -> Value {
    context! {
        licence => m.licence.as_ref().and_then(|c| licences.get(c)).map(ToString::to_string),
        blank_file => m.blank_form.as_ref().map(|_| FormKind::Blank.file_name(&m.name)),
        sample_file => m.sample.as_ref().map(|_| FormKind::Sample.file_name(&m.name)),
        name => m.name.clone(),
        form => m.form.name().get(lang).to_string(),
        copies => m.copies,
        required => match &m.condition {
            None => tr("guide.must", lang),
            Some(c) => c.clone(),
        },
        shared => m.shared,
        blank_form => m.blank_form.clone(),
        sample => m.sample.clone(),
    }
}

fn fee_text(g: &Guide, lang: Lang) -> String {
    if g.free() {
        tr("guide.free", lang)
    } else {
        format!("{} 元", yuan(g.fees.iter().map(|f| f.amount_fen).sum()))
    }
}

pub async fn guide_context(
    state: &AppState,
    view: &CatalogView,
    p: &PublishedGuide,
    lang: Lang,
) -> AppResult<Value> {
    let g = &p.guide;
    let hall = match g.hall_id {
        Some(h) => state.store.hall(h).await?,
        None => None,
    };
    // Where a guide is done in a hall, its hours are the hall's (one setting, with the lunch
    // break); a guide done elsewhere keeps its own.
    let hours = match &hall {
        Some(h) => match lang {
            Lang::Zh => format!("工作日 {}（法定节假日除外）", h.hours_text()),
            Lang::En => format!("working days {} (not on public holidays)", h.hours_text()),
        },
        None => g.hours.clone(),
    };
    let hall = hall.map(|h| h.name);
    let zone = match g.zone_id {
        Some(z) => state.store.zone(z).await?.map(|z| z.name),
        None => None,
    };
    Ok(context! {
        // The result a person holds afterwards, when it is a licence (电子证照).
        result => view.licence_results.get(&p.matter_id).map(|(_, name)| name.clone()),
        code => p.code.clone(),
        g => Value::from(minijinja::value::Serde(g.clone())),
        department => view.department(p.department_id).to_string(),
        department_id => p.department_id,
        version_number => p.version_number,
        kind => g.kind.name().get(lang).to_string(),
        applicant => g.applicant.name().get(lang).to_string(),
        modes => g.modes.iter().map(|m| m.name().get(lang).to_string()).collect::<Vec<_>>(),
        materials => g.materials.iter().enumerate().map(|(i, m)| context! { index => i, ..material(m, lang, &view.licence_names) }).collect::<Vec<_>>(),
        fees => g.fees.iter().map(|f| context! { name => f.name.clone(), amount => yuan(f.amount_fen), basis => f.basis.clone() }).collect::<Vec<_>>(),
        fee => fee_text(g, lang),
        hall => hall,
        hours => hours,
        zone => zone,
        stationed => tr(if g.stationed { "guide.yes" } else { "guide.no" }, lang),
    })
}

async fn guide_page(
    state: &AppState,
    page: &PageCtx,
    auth: Option<&crate::auth::Auth>,
    code: &str,
    printable: bool,
) -> AppResult<Response> {
    let lang = page.lang(auth);
    let view = svc::view(state).await?;
    let p = find(&view, code)?;
    let ctx = guide_context(state, &view, p, lang).await?;
    Ok(render(
        state,
        page,
        auth,
        "guide.html",
        &p.guide.name,
        context! { printable => printable, ..ctx },
    ))
}

async fn guide(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    guide_page(&state, &page, auth.as_ref(), &code, false).await
}

/// A blank form or a sample a guide names (`kind`: blank or sample), made by the platform.
async fn guide_form(
    State(state): State<AppState>,
    axum::extract::Path((code, index, kind)): axum::extract::Path<(String, usize, String)>,
) -> AppResult<Response> {
    let view = svc::view(&state).await?;
    let p = find(&view, &code)?;
    let kind = FormKind::parse(&kind).ok_or_else(|| AppError::not_found(FORM))?;
    let m = p
        .guide
        .materials
        .get(index)
        .filter(|m| match kind {
            FormKind::Blank => m.blank_form.is_some(),
            FormKind::Sample => m.sample.is_some(),
        })
        .ok_or_else(|| AppError::not_found(FORM))?;
    let bytes = guide_forms::workbook(
        &guide_forms::FormOf {
            matter: &p.guide.name,
            code: &p.code,
            department: view.department(p.department_id),
            material: &m.name,
            applicant_is_legal: p.guide.applicant == onewindow_core::catalog::Applicant::Legal,
        },
        kind,
    )?;
    let name: String =
        form_urlencoded::byte_serialize(kind.file_name(&m.name).as_bytes()).collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"form.xlsx\"; filename*=UTF-8''{name}"),
            ),
        ],
        bytes,
    )
        .into_response())
}

const FORM: Text = Text::fixed("该表格", "this form");

async fn guide_print(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    guide_page(&state, &page, auth.as_ref(), &code, true).await
}

async fn notice(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let view = svc::view(&state).await?;
    let p = find(&view, &code)?;
    let g = &p.guide;
    let hall = match g.hall_id {
        Some(h) => state
            .store
            .hall(h)
            .await?
            .map(|h| h.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let mut place = hall;
    if !g.windows.is_empty() {
        place.push_str(&format!(
            " {}号窗口",
            g.windows
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    if place.is_empty() {
        place = g.address.clone();
    }
    let today = onewindow_core::time::date_zh(onewindow_core::time::local_date(crate::auth::now()));
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "notice.html",
        &tr("notice.title", lang),
        context! {
            printable => true,
            name => g.name.clone(),
            materials => g.materials_to_bring().map(|m| material(m, lang, &view.licence_names)).collect::<Vec<_>>(),
            shared => g.materials.iter().filter(|m| m.shared).map(|m| m.name.clone()).collect::<Vec<_>>(),
            promised => g.promised_days,
            fee => fee_text(g, lang),
            place => place,
            department => view.department(p.department_id).to_string(),
            phone => g.consult_phone.clone(),
            today => today,
        },
    ))
}

/// A QR code pointing at `path` on the public address, as SVG (print) or PNG (screens).
pub(super) fn qr(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    png: bool,
) -> AppResult<Response> {
    let url = format!("{}{path}", public_base(state, headers));
    let cache = (header::CACHE_CONTROL, "public, max-age=3600");
    Ok(if png {
        (
            [(header::CONTENT_TYPE, "image/png"), cache],
            crate::qr::png(&url, 8)?,
        )
            .into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "image/svg+xml"), cache],
            crate::qr::svg(&url, 240)?,
        )
            .into_response()
    })
}

async fn guide_qr(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
    png: bool,
) -> AppResult<Response> {
    let view = svc::view(state).await?;
    let p = find(&view, code)?;
    qr(state, headers, &format!("/guide/{}", p.code), png)
}

async fn guide_qr_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    guide_qr(&state, &headers, &code, false).await
}

async fn guide_qr_png(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    guide_qr(&state, &headers, &code, true).await
}

async fn topic(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let view = svc::view(&state).await?;
    let t = svc::topic(&view, &code)?;
    let matters: Vec<_> = t.guides.iter().map(|g| svc::item(&view, g)).collect();
    let merged: Vec<Value> = t
        .merged
        .iter()
        .map(|m| {
            context! {
                name => m.material.name.clone(),
                form => m.material.form.name().get(lang).to_string(),
                copies => m.material.copies,
                shared => m.material.shared,
                needed_by => m.for_matters.clone(),
            }
        })
        .collect();
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "topic.html",
        &t.topic.name,
        context! {
            topic => Value::from(minijinja::value::Serde(t.topic.clone())),
            kind => t.topic.kind.name().get(lang).to_string(),
            matters => Value::from(minijinja::value::Serde(matters)),
            merged => merged,
        },
    ))
}

async fn topic_qr(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
    png: bool,
) -> AppResult<Response> {
    let view = svc::view(state).await?;
    let t = svc::topic(&view, code)?;
    qr(state, headers, &format!("/topic/{}", t.topic.code), png)
}

async fn topic_qr_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    topic_qr(&state, &headers, &code, false).await
}

async fn topic_qr_png(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    topic_qr(&state, &headers, &code, true).await
}

fn poster_group(view: &CatalogView, name: &str, codes: &[String]) -> Value {
    let items: Vec<Value> = codes
        .iter()
        .filter_map(|c| view.guide(c))
        .map(|g| context! { code => g.code.clone(), name => g.guide.name.clone() })
        .collect();
    context! { name => name, items => items }
}

async fn topic_poster(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> AppResult<Response> {
    let view = svc::view(&state).await?;
    let t = svc::topic(&view, &code)?;
    let group = poster_group(&view, &t.topic.name, &t.topic.matters);
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "poster.html",
        &t.topic.name,
        context! {
            printable => true,
            count => t.guides.len(),
            groups => vec![group],
        },
    ))
}

/// The wall of the seeds' hall: every person's life event, each matter's code.
async fn wall_poster(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let view = svc::view(&state).await?;
    let events: Vec<_> = view
        .topics
        .iter()
        .filter(|t| t.kind == TopicKind::LifeEvent && t.audience == Audience::Person)
        .collect();
    let count: usize = events
        .iter()
        .map(|t| t.matters.iter().filter(|c| view.guide(c).is_some()).count())
        .sum();
    let groups: Vec<Value> = events
        .iter()
        .map(|t| poster_group(&view, &t.name, &t.matters))
        .collect();
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "poster.html",
        &tr("portal.person_events", lang),
        context! {
            printable => true,
            count => count,
            groups => groups,
        },
    ))
}

async fn stats(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let view = svc::view(&state).await?;
    let s = &view.stats;
    let row = |id: &str, key: &str, share: &onewindow_core::catalog::stats::Share| context! { id => id, label => tr(key, lang), count => share.count, percent => share.percent };
    let rows = vec![
        row("online", "stats.online", &s.online),
        row("no-visit", "stats.no_visit", &s.no_visit),
        row("once", "stats.once", &s.at_most_one_visit),
        row("immediate", "stats.immediate", &s.immediate),
        row("stationed", "stats.stationed", &s.stationed),
    ];
    let max = s.by_department.values().copied().max().unwrap_or(1).max(1);
    let mut departments: Vec<Value> = s
        .by_department
        .iter()
        .map(|(id, n)| context! { id => *id, name => view.department(*id).to_string(), count => *n, width => n * 100 / max })
        .collect();
    departments.sort_by_key(|d| {
        std::cmp::Reverse(
            d.get_attr("count")
                .ok()
                .and_then(|c| c.as_usize())
                .unwrap_or(0),
        )
    });
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "stats.html",
        &tr("stats.title", lang),
        context! {
            s => Value::from(minijinja::value::Serde(s.clone())),
            rows => rows,
            departments => departments,
        },
    ))
}
