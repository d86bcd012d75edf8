//! The supervisor's room (电子监察): lights by slice with the cases of each light, open urges,
//! the bell on a case, and an urge's page where its answerer answers. The workbench shows the
//! urges waiting for its reader and hears of new ones as they are rung (`/urges/events`).

use super::export::xlsx;
use super::widgets::ser;
use super::{PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::i18n::tr;
use crate::service::cases::CaseLine;
use crate::service::scope_filter;
use crate::service::supervision::{self as svc, AnswerInput, SliceParams, UrgeInput};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use futures_util::stream::{self, Stream};
use minijinja::{Value, context};
use onewindow_core::access::Permission;
use onewindow_core::case::Channel;
use onewindow_core::identity::Role;
use onewindow_core::supervision::urge::{Urge, UrgeState};
use onewindow_core::time::display;
use onewindow_core::{DomainError, Lang};
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision", get(room))
        .route("/supervision.xlsx", get(room_xlsx))
        .route("/supervision/urges", get(open_urges))
        .route("/supervision/wall", get(wall))
        .route("/cases/{id}/urge", post(urge_case))
        .route("/urges/events", get(events))
        .route("/urges/{id}", get(urge_page))
        .route("/urges/{id}/answer", post(answer))
        .route("/urges/read", post(mark_read))
}

fn params(page: &PageCtx) -> AppResult<SliceParams> {
    Ok(SliceParams {
        region: page.param("region"),
        department_id: page.int_param("department_id")?,
        window_id: page.int_param("window_id")?,
        clerk_id: page.int_param("clerk_id")?,
        matter: page.param("matter"),
        channel: page.param("channel"),
        light: page.param("light"),
        limit: Some(100),
        offset: page.int_param("offset")?,
    })
}

fn case_row(l: &CaseLine, lang: Lang) -> Value {
    let c = &l.case;
    context! {
        id => c.id,
        number => c.number.clone(),
        matter => c.matter_name.clone(),
        applicant => c.applicant.name.clone(),
        state => c.state.name().get(lang).to_string(),
        channel => c.channel.name().get(lang).to_string(),
        due => l.clock.map(|r| r.due).or(c.promised_due).map(|d| d.to_string()).unwrap_or_default(),
        provisional => l.clock.is_some_and(|r| r.provisional),
        red_on => c.red_on.map(|d| d.to_string()).unwrap_or_default(),
        step_red_on => c.step_red_on.map(|d| d.to_string()).unwrap_or_default(),
        light => super::cases::light_class(l.clock.map(|r| r.light)),
        light_name => super::cases::reading_name(l.clock, lang),
        left => super::cases::left_text(l.clock, lang),
        promised_due => c.promised_due.map(|d| d.to_string()).unwrap_or_default(),
        decided_on => c.decided_on.map(|d| d.to_string()).unwrap_or_default(),
        concluded_on => c.concluded_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}

pub(super) async fn choices(state: &AppState, auth: &Auth, lang: Lang) -> AppResult<Value> {
    let scope = scope_filter(&auth.actor);
    let departments: Vec<Value> = state
        .store
        .departments(&scope)
        .await?
        .into_iter()
        .map(|d| context! { value => d.id, label => d.name })
        .collect();
    let mut windows = Vec::new();
    for h in state.store.halls(&scope).await? {
        for w in state.store.windows(h.id).await? {
            windows.push(
                context! { value => w.id, label => format!("{} {}号窗口", h.name, w.number) },
            );
        }
    }
    let clerks: Vec<Value> = state
        .store
        .users(&scope)
        .await?
        .into_iter()
        .filter(|u| u.roles.contains(&Role::Clerk) || u.roles.contains(&Role::Approver))
        .map(|u| context! { value => u.id, label => u.display_name })
        .collect();
    let regions: Vec<Value> = state
        .store
        .regions()
        .await?
        .into_iter()
        .filter(|r| auth.actor.covers_region(&r.path))
        .map(|r| context! { value => r.code, label => r.name })
        .collect();
    let channels: Vec<Value> = Channel::ALL
        .iter()
        .map(|c| context! { value => c.code(), label => c.name().get(lang).to_string() })
        .collect();
    Ok(context! { departments, windows, clerks, regions, channels })
}

async fn room(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let p = params(&page)?;
    let l = svc::lights(&state, &auth, &p).await?;
    let light = p
        .light
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "red".into());
    // The tiles link to the same slice with another light.
    let base: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(page.query.as_bytes())
                .filter(|(k, _)| k != "light" && k != "offset" && k != "flash"),
        )
        .finish();
    let link = |l: &str| {
        if base.is_empty() {
            format!("/supervision?light={l}")
        } else {
            format!("/supervision?{base}&light={l}")
        }
    };
    let tiles = vec![
        context! { light => "green", label => tr("sv.green", lang), n => l.counts.green, href => link("green"), active => light == "green" },
        context! { light => "yellow", label => tr("sv.yellow", lang), n => l.counts.yellow, href => link("yellow"), active => light == "yellow" },
        context! { light => "red", label => tr("sv.red", lang), n => l.counts.red, href => link("red"), active => light == "red" },
        context! { light => "step_red", label => tr("sv.step_red", lang), n => l.counts.step_red, href => link("step_red"), active => light == "step_red" },
        context! { light => "late", label => tr("sv.late", lang), n => l.concluded_late, href => link("late"), active => light == "late" },
    ];
    let late = light == "late";
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "supervision.html",
        &tr("nav.supervision", lang),
        context! {
            today => l.today.to_string(),
            running => l.counts.running,
            tiles => tiles,
            light => light,
            cases => l.cases.iter().map(|c| case_row(c, lang)).collect::<Vec<_>>(),
            filter => ser(&p),
            choices => choices(&state, &auth, lang).await?,
            may_urge => auth.actor.has(Permission::Urge) && !late,
            late => late,
            export => format!("/supervision.xlsx?{}", page.query),
        },
    ))
}

async fn room_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let mut p = params(&page)?;
    p.limit = Some(500);
    let l = svc::lights(&state, &auth, &p).await?;
    let headers: Vec<String> = [
        "case.number",
        "case.matter",
        "case.applicant",
        "field.state",
        "case.channel",
        "case.due",
        "sv.left",
        "sv.red_on",
        "sv.step_red_on",
        "case.light",
        "case.decided_on",
        "case.concluded_on",
    ]
    .iter()
    .map(|k| tr(k, lang))
    .collect();
    let rows: Vec<Vec<String>> = l
        .cases
        .iter()
        .map(|x| {
            let c = &x.case;
            vec![
                c.number.clone(),
                c.matter_name.clone(),
                c.applicant.name.clone(),
                c.state.name().get(lang).to_string(),
                c.channel.name().get(lang).to_string(),
                x.clock
                    .map(|r| r.due)
                    .or(c.promised_due)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                super::cases::left_text(x.clock, lang),
                c.red_on.map(|d| d.to_string()).unwrap_or_default(),
                c.step_red_on.map(|d| d.to_string()).unwrap_or_default(),
                super::cases::reading_name(x.clock, lang),
                c.decided_on.map(|d| d.to_string()).unwrap_or_default(),
                c.concluded_on.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    xlsx(
        "supervision.xlsx",
        &tr("nav.supervision", lang),
        &headers,
        &rows,
    )
}

async fn wall(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let w = svc::wall(&state, &auth, page.int_param("hall_id")?).await?;
    let halls: Vec<Value> = w
        .halls
        .iter()
        .map(|(id, name)| context! { id => id, name => name, active => *id == w.hall_id })
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "wall.html",
        &format!("{} · {}", tr("sv.wall", lang), w.hall_name),
        context! { wall => ser(&w), halls => halls },
    ))
}

pub(super) fn urge_row(u: &Urge, lang: Lang) -> Value {
    context! {
        id => u.id,
        case_id => u.case_id,
        number => u.case_number.clone(),
        matter => u.matter_name.clone(),
        step => u.step_name.clone(),
        level => u.level.code(),
        level_name => u.level.name().get(lang).to_string(),
        origin => u.origin.name().get(lang).to_string(),
        // the number stands beside it: "办件D004-…已超过办理时限" reads "已超过办理时限"
        message => u
            .message
            .strip_prefix(&format!("办件{}", u.case_number))
            .map(|m| m.trim_start_matches('的').to_string())
            .unwrap_or_else(|| u.message.clone()),
        rectification => u.rectification.clone(),
        respond_by => u.respond_by.map(|d| d.to_string()).unwrap_or_default(),
        referred_on => u.referred_on.map(|d| d.to_string()),
        issued => display(u.issued_at),
        issued_by => onewindow_core::supervision::urge::issuer(u).to_string(),
        origin_code => u.origin.code(),
        open => u.state == UrgeState::Open,
        state => u.state.name().get(lang).to_string(),
        response => u.response.clone(),
        answered_by => u.answered_by_name.clone(),
    }
}

async fn open_urges(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let all = page.param("all").is_some_and(|v| v == "1");
    let list = svc::list(&state, &auth, None, !all).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "urges.html",
        &tr("sv.urges", lang),
        context! { urges => list.iter().map(|u| urge_row(u, lang)).collect::<Vec<_>>(), all => all },
    ))
}

async fn urge_case(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let input = UrgeInput {
        step_id: f.data.opt_int("step_id")?,
        level: f.data.opt("level"),
        message: f.data.text("message"),
    };
    svc::urge(&state, auth, id, input).await?;
    Ok(saved(&format!("/cases/{id}")))
}

async fn urge_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let v = svc::view(&state, &auth, id).await?;
    let who = super::who::Who::of_logins(
        &state,
        &auth,
        lang,
        v.log.iter().map(|x| x.actor_name.as_str()),
    )
    .await?;
    let log: Vec<Value> = v
        .log
        .iter()
        .map(|l| {
            context! {
                at => display(l.at),
                action => tr(&format!("sv.log.{}", l.action), lang),
                level => l.level.name().get(lang).to_string(),
                actor => who.name(&l.actor_name, None),
                note => l.note.clone(),
            }
        })
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "urge.html",
        &format!("{} · {}", tr("sv.urge", lang), v.urge.case_number),
        context! {
            u => urge_row(&v.urge, lang),
            version => v.urge.version,
            log => log,
            may_answer => v.may_answer,
        },
    ))
}

async fn answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let input = AnswerInput {
        version: f.data.int("version")?,
        response: f.data.text("response"),
    };
    svc::answer(&state, auth, id, input).await?;
    Ok(saved("/workbench"))
}

/// Marks the system's warnings read: the one named (`id`), or all of the reader's.
async fn mark_read(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let ids = match f.data.opt("id") {
        Some(_) => Some(vec![f.data.int("id")?]),
        None => None,
    };
    svc::mark_read(&state, auth, ids).await?;
    Ok(saved("/workbench"))
}

/// Urges for the reader as they are rung, raised or answered: `urge` events with the urge as
/// JSON and whether it is still open.
async fn events(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    if !auth.actor.is_staff() {
        return Err(DomainError::forbidden().into());
    }
    let lang = page.lang(Some(&auth));
    let rx = state.urge_live.subscribe();
    let s = stream::unfold((rx, auth), move |(mut rx, auth)| async move {
        loop {
            match rx.recv().await {
                Ok(u) if svc::answers(&auth, &u) => {
                    let data = serde_json::json!({
                        "id": u.id,
                        "case_id": u.case_id,
                        "number": u.case_number,
                        "level": u.level.code(),
                        "level_name": u.level.name().get(lang),
                        "message": u.message,
                        "respond_by": u.respond_by,
                        "open": u.state == UrgeState::Open,
                    });
                    let e = Event::default().event("urge").data(data.to_string());
                    return Some((Ok(e), (rx, auth)));
                }
                Ok(_) | Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(state.until_closed(s)).keep_alive(KeepAlive::default()))
}
