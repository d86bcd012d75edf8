//! The hall's screens: the kiosk (and the same page on a phone, reached by the hall's QR code,
//! and at the reception desk), the ticket page that updates itself, the board on the wall, the
//! screen over each window, the evaluation pad, and the clerk's console. The displays follow the
//! hall's server-sent events (`/hall/{id}/events`); the script is `static/app.js`.

use super::portal::qr;
use super::{PageCtx, PageForm, render};
use crate::auth::{Auth, MaybeAuth, Origin};
use crate::error::{AppError, AppResult};
use crate::extract::parse_day;
use crate::i18n::tr;
use crate::service::appointments as appt;
use crate::service::hall::{self as svc, TicketRequest};
use crate::service::hall_live;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures_util::stream::{self, Stream};
use minijinja::{Value, context};
use onewindow_core::Text;
use onewindow_core::access::Permission;
use onewindow_core::evaluation::{LEVELS, LOW_REASONS};
use onewindow_core::hall::appointment::NewAppointment;
use onewindow_core::hall::ticket::TicketSource;
use onewindow_core::hall::window::WindowAction;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hall", get(index))
        .route("/hall/{hall_id}/kiosk", get(kiosk))
        .route("/hall/{hall_id}/take", get(kiosk))
        .route("/hall/{hall_id}/tickets", post(take))
        .route("/hall/{hall_id}/check-in", post(check_in))
        .route("/hall/{hall_id}/book", get(book_form).post(book))
        .route("/hall/appointments/{id}", get(appointment))
        .route("/hall/appointments/{id}/cancel", post(cancel))
        .route("/hall/appointments/{id}/reschedule", post(reschedule))
        .route("/hall/{hall_id}/qr.svg", get(hall_qr))
        .route("/hall/{hall_id}/board", get(board))
        .route("/hall/{hall_id}/events", get(events))
        .route("/hall/{hall_id}/stats", get(stats))
        .route("/hall/{hall_id}/stats.xlsx", get(stats_xlsx))
        .route("/hall/tickets/{id}", get(ticket))
        .route("/hall/tickets/{id}/qr.svg", get(ticket_qr))
        .route("/hall/windows/{id}", get(console))
        .route("/hall/windows/{id}/act", post(act))
        .route("/hall/windows/{id}/screen", get(screen))
        .route("/hall/windows/{id}/pad", get(pad))
        .route("/hall/staff/{id}/photo", get(staff_photo))
}

fn ser<T: serde::Serialize>(v: &T) -> Value {
    Value::from(minijinja::value::Serde(v))
}

/// The halls and their screens, for the hall's staff.
async fn index(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    auth.actor.require(Permission::HallServe)?;
    let lang = page.lang(Some(&auth));
    let mut halls = Vec::new();
    for h in state
        .store
        .halls(&onewindow_store::ScopeFilter::all())
        .await?
        .into_iter()
        .filter(|h| h.active)
    {
        let windows: Vec<Value> = state
            .store
            .windows(h.id)
            .await?
            .into_iter()
            .filter(|w| w.active)
            .map(|w| context! { id => w.id, number => w.number, label => w.label })
            .collect();
        halls.push(context! { id => h.id, name => h.name, windows => windows });
    }
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "hall_index.html",
        &tr("hall.title", lang),
        context! { halls => halls },
    ))
}

/// The kiosk: a big button per category. On a phone (`/take`) the same page; at the desk, the
/// staff also see the priorities only they may give.
async fn kiosk(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(hall_id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let h = svc::open_hall(&state, hall_id).await?;
    let categories = svc::public_categories(&state, h.id).await?;
    let (board, _) = hall_live::board(&state, h.id).await?;
    let cats: Vec<Value> = categories
        .iter()
        .map(|c| {
            let q = board.queues.iter().find(|q| q.category_id == c.id);
            context! {
                id => c.id, name => c.name.clone(), prefix => c.prefix.clone(),
                waiting => q.map_or(0, |q| q.waiting),
                wait => q.and_then(|q| q.wait_minutes),
            }
        })
        .collect();
    let phone = page.path.ends_with("/take");
    // Out of hours the kiosk says so before anyone chooses a service.
    let closed = svc::open_now(&state, &h)
        .await?
        .err()
        .map(|why| why.get(lang).to_string());
    let desk = auth
        .as_ref()
        .is_some_and(|a| a.actor.has(Permission::HallServe));
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "hall_kiosk.html",
        &format!("{} · {}", h.name, tr("hall.take", lang)),
        context! {
            hall => context! { id => h.id, hours => h.hours_text(), name => h.name },
            categories => cats,
            source => if desk { "desk" } else if phone { "phone" } else { "kiosk" },
            desk => desk,
            closed => closed,
            kiosk => !phone && !desk,
            // The terminal in the hall is a kiosk: no menu, no sign-in, and after a pause it
            // goes back to the start for the next person.
            display => !phone && !desk,
            idle_return => (!phone && !desk).then(|| format!("/hall/{}/kiosk", h.id)),
        },
    ))
}

async fn take(
    State(state): State<AppState>,
    origin: Origin,
    Path(hall_id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let source = TicketSource::parse(&f.data.text("source"));
    let req = TicketRequest {
        hall_id,
        category_id: f.data.int("category_id")?,
        id_number: f.data.opt("id_number"),
        phone: f.data.opt("phone"),
        source,
        disabled: f.data.flag("disabled"),
        green: f.data.flag("green"),
    };
    let at_kiosk = source == Some(TicketSource::Kiosk);
    let v = svc::issue_ticket(&state, f.auth.as_ref(), &origin, req).await?;
    let key = v.key.unwrap_or_default();
    // The slip at the kiosk stays kiosk: it goes back to the start by itself.
    Ok(super::go(&format!(
        "/hall/tickets/{}?key={key}{}",
        v.ticket.id,
        if at_kiosk { "&kiosk=1" } else { "" }
    )))
}

async fn hall_qr(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(hall_id): Path<i64>,
) -> AppResult<Response> {
    svc::open_hall(&state, hall_id).await?;
    qr(&state, &headers, &format!("/hall/{hall_id}/take"), false)
}

/// The ticket's own page: the slip to print at the kiosk and the page on the phone, updating
/// itself as the queue moves.
async fn ticket(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let key = page.param("key");
    let at_kiosk = page.param("kiosk").is_some_and(|v| v == "1");
    let v = svc::ticket_view(&state, auth.as_ref(), id, key.as_deref()).await?;
    let t = &v.ticket;
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "hall_ticket.html",
        &format!("{} {}", tr("hall.ticket", lang), t.number),
        context! {
            printable => true,
            v => ser(&v),
            state_name => t.state.name().get(lang),
            priority_name => t.priority.name().get(lang),
            issued => onewindow_core::time::local(t.issued_at).format("%Y-%m-%d %H:%M").to_string(),
            key => key.unwrap_or_default(),
            display => at_kiosk,
            idle_return => at_kiosk.then(|| format!("/hall/{}/kiosk", t.hall_id)),
        },
    ))
}

async fn ticket_qr(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let key = page.param("key").unwrap_or_default();
    // Only whoever holds the key gets the code that carries it.
    svc::ticket_view(&state, None, id, Some(&key)).await?;
    qr(
        &state,
        &headers,
        &format!("/hall/tickets/{id}?key={key}"),
        false,
    )
}

fn display(
    state: &AppState,
    page: &PageCtx,
    template: &str,
    title: &str,
    extra: Value,
) -> Response {
    render(
        state,
        page,
        None,
        template,
        title,
        context! { display => true, ..extra },
    )
}

/// The board on the hall's wall: filled and kept current by the script.
async fn board(
    State(state): State<AppState>,
    page: PageCtx,
    Path(hall_id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(None);
    let h = svc::open_hall(&state, hall_id).await?;
    let (b, _) = hall_live::board(&state, h.id).await?;
    Ok(display(
        &state,
        &page,
        "hall_board.html",
        &format!("{} · {}", h.name, tr("hall.board", lang)),
        {
            // The hall's clock (which --clock-start may move), not the screen's own.
            let (_, clock) = hall_clock(&state, &h, lang).await?;
            context! {
                hall => context! { id => h.id, hours => h.hours_text(), name => h.name },
                board => ser(b.as_ref()),
                ..clock
            }
        },
    ))
}

/// What a display on the wall shows of the hall's time: the clock (the hall's, which
/// --clock-start may move, not the screen's own), the date, and out of hours why it is closed
/// and when it opens again; the reason too, for the page to decide what else to say.
async fn hall_clock(
    state: &AppState,
    h: &onewindow_core::org::Hall,
    lang: onewindow_core::Lang,
) -> AppResult<(Option<String>, Value)> {
    let now = state.config.clock.now();
    let local = onewindow_core::time::local(now);
    let closed = svc::open_now(state, h)
        .await?
        .err()
        .map(|why| why.get(lang).to_string());
    let ctx = context! {
        // A screen on the wall all night must open with the hall: it looks again each minute
        // while the hall is closed.
        refresh_while_closed => closed.is_some(),
        closed => closed.clone(),
        now_ms => now.timestamp_millis(),
        time => local.format("%H:%M:%S").to_string(),
        date => weekday_date(local.date_naive(), lang),
    };
    Ok((closed, ctx))
}

/// "12月7日 星期一", as a board shows the day.
fn weekday_date(d: chrono::NaiveDate, lang: onewindow_core::Lang) -> String {
    use chrono::Datelike;
    match lang {
        onewindow_core::Lang::Zh => format!(
            "{}年{}月{}日 {}",
            d.year(),
            d.month(),
            d.day(),
            onewindow_core::time::weekday(d, lang, true)
        ),
        onewindow_core::Lang::En => d.format("%A %-d %B %Y").to_string(),
    }
}

async fn window_of(state: &AppState, id: i64) -> AppResult<onewindow_core::org::Window> {
    state
        .store
        .window(id)
        .await?
        .filter(|w| w.active)
        .ok_or_else(|| AppError::not_found(Text::fixed("窗口", "window")))
}

/// The screen over a window: its number, the clerk, the number being served, what the window
/// handles and the hall's time; between calls it says what to do rather than showing nothing.
async fn screen(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(None);
    let w = window_of(&state, id).await?;
    let h = svc::open_hall(&state, w.hall_id).await?;
    let (b, _) = hall_live::board(&state, w.hall_id).await?;
    let s = b.windows.iter().find(|s| s.window_id == w.id);
    let serves = serves(&state, &w).await?;
    let (closed, clock) = hall_clock(&state, &h, lang).await?;
    Ok(display(
        &state,
        &page,
        "hall_screen.html",
        &format!("{}{}", w.number, tr("hall.window_no", lang)),
        context! {
            hall_id => w.hall_id, window => context! { id => w.id, number => w.number, label => w.label },
            s => s.map(ser),
            // Out of hours the window is closed, unless someone is still being served.
            state => match (s.map_or("vacant", screen_state), &closed) {
                ("serving", _) => "serving",
                (_, Some(_)) => "closed",
                (st, None) => st,
            },
            serves => serves,
            ..clock
        },
    ))
}

/// What a window's screen and pad say between calls: serving someone, paused, no clerk, or
/// waiting for the next call (the script keeps it current by the same names).
fn screen_state(s: &onewindow_core::hall::board::WindowScreen) -> &'static str {
    if s.paused {
        "paused"
    } else if s.clerk_id.is_none() {
        "vacant"
    } else if s.current.is_some() {
        "serving"
    } else {
        "idle"
    }
}

/// What a window handles, as the screen over it says: its zone and the departments it serves.
async fn serves(state: &AppState, w: &onewindow_core::org::Window) -> AppResult<String> {
    let zone = state.store.zone(w.zone_id).await?.map(|z| z.name);
    let mut departments = Vec::new();
    for d in &w.department_ids {
        if let Some(d) = state.store.department(*d).await? {
            departments.push(d.name);
        }
    }
    Ok(match zone {
        Some(z) if !departments.is_empty() => format!("{z}（{}）", departments.join("、")),
        Some(z) => z,
        None => departments.join("、"),
    })
}

/// The evaluation pad on the counter (评价器): after each finish it asks for a rating.
async fn pad(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(None);
    let w = window_of(&state, id).await?;
    let (b, _) = hall_live::board(&state, w.hall_id).await?;
    let s = b.windows.iter().find(|s| s.window_id == w.id);
    let levels: Vec<Value> = LEVELS
        .iter()
        .map(|(n, zh, en)| context! { level => n, name => if lang == onewindow_core::Lang::Zh { *zh } else { *en } })
        .collect();
    Ok(display(
        &state,
        &page,
        "hall_pad.html",
        &format!(
            "{}{} · {}",
            w.number,
            tr("hall.window_no", lang),
            tr("hall.pad", lang)
        ),
        context! {
            hall_id => w.hall_id, window => context! { id => w.id, number => w.number },
            clerk => s.and_then(|s| s.clerk_name.clone()),
            state => s.map_or("vacant", screen_state),
            serves => serves(&state, &w).await?,
            hotline => state.config.site.hotline.clone(),
            levels => levels, reasons => LOW_REASONS,
        },
    ))
}

/// The clerk's console at a window: the person being served and the buttons.
async fn console(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    auth.actor.require(Permission::HallServe)?;
    let lang = page.lang(Some(&auth));
    let w = window_of(&state, id).await?;
    let (b, _) = hall_live::board(&state, w.hall_id).await?;
    let s = b.windows.iter().find(|s| s.window_id == w.id);
    let serving = s.and_then(|s| s.current.as_ref());
    let mine = state.store.window_categories(w.id).await?;
    let categories = svc::public_categories(&state, w.hall_id).await?;
    let queues: Vec<Value> = b
        .queues
        .iter()
        .map(|q| context! { id => q.category_id, name => q.name.clone(), prefix => q.prefix.clone(), waiting => q.waiting, mine => mine.contains(&q.category_id) })
        .collect();
    let others: Vec<Value> = b
        .windows
        .iter()
        .filter(|o| o.window_id != w.id)
        .map(|o| context! { id => o.window_id, number => o.number })
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "hall_console.html",
        &format!("{}{}", w.number, tr("hall.window_no", lang)),
        context! {
            hall_id => w.hall_id,
            window => context! { id => w.id, number => w.number, label => w.label },
            paused => s.is_some_and(|s| s.paused),
            serving => serving.map(ser),
            served_today => s.map_or(0, |s| s.served_today),
            queues => queues,
            categories => categories.iter().map(|c| context! { id => c.id, name => c.name.clone() }).collect::<Vec<_>>(),
            others => others,
        },
    ))
}

async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let action = match f.data.text("action").as_str() {
        "call_next" => WindowAction::CallNext,
        "recall" => WindowAction::Recall,
        "no_show" => WindowAction::NoShow,
        "pause" => WindowAction::Pause,
        "resume" => WindowAction::Resume,
        "finish" => WindowAction::Finish {
            case_numbers: f
                .data
                .text("case_numbers")
                .split([',', '，', ' ', '\n'])
                .map(str::to_string)
                .collect(),
        },
        "transfer" => WindowAction::Transfer {
            category_id: f.data.opt_int("category_id")?,
            window_id: f.data.opt_int("window_id")?,
        },
        "call" => WindowAction::Call {
            ticket_id: f.data.int("ticket_id")?,
        },
        other => {
            return Err(AppError::bad_request(
                "action",
                Text::new(
                    format!("未知的操作“{other}”"),
                    format!("unknown action '{other}'"),
                ),
            ));
        }
    };
    svc::window_act(&state, auth, id, action).await?;
    Ok(super::go(&format!("/hall/windows/{id}")))
}

/// The hall's live events: `board` (the whole board, first on connecting and after changes),
/// `call` (a call or a call again, with its voice line) and `finish` (for the pads).
async fn events(
    State(state): State<AppState>,
    Path(hall_id): Path<i64>,
) -> AppResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    svc::open_hall(&state, hall_id).await?;
    let rx = state.hall_live.subscribe(hall_id);
    let (_, first) = hall_live::board(&state, hall_id).await?;
    let first = Some(Event::default().event("board").data(&*first));
    let s = stream::unfold(
        (state.clone(), rx, first),
        move |(state, mut rx, first)| async move {
            if let Some(e) = first {
                return Some((Ok(e), (state, rx, None)));
            }
            loop {
                match rx.recv().await {
                    Ok(ev) => {
                        let e = Event::default().event(ev.name).data(&*ev.data);
                        return Some((Ok(e), (state, rx, None)));
                    }
                    // A display that fell behind gets the board as it is now.
                    Err(RecvError::Lagged(_)) => {
                        if let Ok((_, j)) = hall_live::board(&state, hall_id).await {
                            let e = Event::default().event("board").data(&*j);
                            return Some((Ok(e), (state, rx, None)));
                        }
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    Ok(Sse::new(state.until_closed(s)).keep_alive(KeepAlive::default()))
}

/// A date parameter of the page's URL, if given; a wrong one names itself.
fn period_param(page: &PageCtx, name: &str) -> AppResult<Option<chrono::NaiveDate>> {
    page.param(name)
        .filter(|v| !v.trim().is_empty())
        .map(|v| parse_day(name, &v))
        .transpose()
}

fn period(page: &PageCtx) -> AppResult<(Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)> {
    Ok((period_param(page, "from")?, period_param(page, "to")?))
}

/// Minutes with one decimal, or a dash.
fn minutes(s: Option<i64>) -> String {
    s.map_or_else(|| "—".into(), |s| format!("{:.1}", s as f64 / 60.0))
}

fn stat_headers(lang: onewindow_core::Lang, first: &str) -> Vec<String> {
    [
        first,
        "hall.st_issued",
        "hall.st_served",
        "hall.st_no_show",
        "hall.st_transferred",
        "hall.st_wait_avg",
        "hall.st_wait_p90",
        "hall.st_service_avg",
        "hall.st_service_p90",
    ]
    .iter()
    .map(|k| tr(k, lang))
    .collect()
}

fn stat_rows(list: &[onewindow_core::hall::stats::Figures]) -> Vec<Vec<String>> {
    list.iter()
        .map(|f| {
            vec![
                f.name.clone(),
                f.issued.to_string(),
                f.served.to_string(),
                f.no_show.to_string(),
                f.transferred.to_string(),
                minutes(f.wait_avg),
                minutes(f.wait_p90),
                minutes(f.service_avg),
                minutes(f.service_p90),
            ]
        })
        .collect()
}

/// The sections of the figures: (sheet id, title key, first column key, rows).
type Sections = Vec<(&'static str, &'static str, &'static str, Vec<Vec<String>>)>;

fn sections(s: &onewindow_core::hall::stats::HallStats, lang: onewindow_core::Lang) -> Sections {
    let mut total = s.total.clone();
    total.name = tr("hall.st_total", lang);
    vec![
        (
            "total",
            "hall.st_total",
            "hall.st_slice",
            stat_rows(&[total]),
        ),
        (
            "category",
            "hall.st_by_category",
            "hall.category",
            stat_rows(&s.by_category),
        ),
        (
            "window",
            "hall.st_by_window",
            "hall.window_no",
            stat_rows(&s.by_window),
        ),
        (
            "clerk",
            "hall.st_by_clerk",
            "hall.clerk",
            stat_rows(&s.by_clerk),
        ),
        (
            "hour",
            "hall.st_by_hour",
            "hall.st_hour",
            stat_rows(&s.by_hour),
        ),
    ]
}

/// The hall's figures for a period, with the export.
async fn stats(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(hall_id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (from, to) = period(&page)?;
    let s = svc::stats(&state, &auth, hall_id, from, to).await?;
    let h = svc::open_hall(&state, hall_id).await?;
    let tables: Vec<Value> = sections(&s, lang)
        .into_iter()
        .map(|(id, title, first, rows)| {
            context! { id => id, title => tr(title, lang), headers => stat_headers(lang, first), rows => rows }
        })
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "hall_stats.html",
        &format!("{} · {}", h.name, tr("hall.stats", lang)),
        context! {
            hall_id => hall_id, from => s.from.to_string(), to => s.to.to_string(), tables => tables,
            peaks => s.peak_hours.iter().map(|h| format!("{h:02}:00–{:02}:00", h + 1)).collect::<Vec<_>>(),
        },
    ))
}

async fn stats_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(hall_id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (from, to) = period(&page)?;
    let s = svc::stats(&state, &auth, hall_id, from, to).await?;
    let secs = sections(&s, lang);
    let titles: Vec<String> = secs.iter().map(|x| tr(x.1, lang)).collect();
    let headers: Vec<Vec<String>> = secs.iter().map(|x| stat_headers(lang, x.2)).collect();
    let sheets: Vec<super::export::Sheet> = secs
        .iter()
        .enumerate()
        .map(|(i, x)| super::export::Sheet {
            name: &titles[i],
            headers: &headers[i],
            rows: &x.3,
        })
        .collect();
    super::export::xlsx_book(
        &format!("{}_{}_{}.xlsx", tr("hall.stats", lang), s.from, s.to),
        &sheets,
    )
}

async fn check_in(
    State(state): State<AppState>,
    origin: Origin,
    Path(hall_id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let req = appt::CheckIn {
        hall_id,
        id_number: f.data.text("id_number"),
    };
    let v = appt::check_in(&state, f.auth.as_ref(), &origin, req).await?;
    let key = v.key.unwrap_or_default();
    Ok(super::go(&format!(
        "/hall/tickets/{}?key={key}",
        v.ticket.id
    )))
}

fn slot_rows(slots: &[onewindow_store::Slot]) -> Vec<Value> {
    slots
        .iter()
        .map(|s| {
            context! {
                starts => s.starts.clone(), ends => s.ends.clone(), capacity => s.capacity,
                free => (s.capacity - s.booked).max(0),
            }
        })
        .collect()
}

/// Booking (网上预约): pick the business, the day and the slot, then give name and ID number.
async fn book_form(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(hall_id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let h = svc::open_hall(&state, hall_id).await?;
    let categories = svc::public_categories(&state, h.id).await?;
    let chosen = match page.param("category").and_then(|c| c.parse::<i64>().ok()) {
        Some(c) => categories.iter().find(|x| x.id == c),
        None => categories.first(),
    };
    let day = period_param(&page, "day")?;
    let slots = match chosen {
        Some(c) => Some(appt::slots(&state, c.id, day).await?),
        None => None,
    };
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "hall_book.html",
        &format!("{} · {}", h.name, tr("hall.book", lang)),
        context! {
            hall => context! { id => h.id, name => h.name },
            categories => categories.iter().map(|c| context! { id => c.id, name => c.name.clone(), prefix => c.prefix.clone() }).collect::<Vec<_>>(),
            category => chosen.map(|c| context! { id => c.id, name => c.name.clone() }),
            rules => appt::rules_text().get(lang).to_string(),
            days => slots.as_ref().map(|d| d.days.iter().map(|x| x.to_string()).collect::<Vec<_>>()),
            day => slots.as_ref().map(|d| d.day.to_string()),
            slots => slots.as_ref().map(|d| slot_rows(&d.slots)),
        },
    ))
}

async fn book(
    State(state): State<AppState>,
    origin: Origin,
    Path(hall_id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    svc::open_hall(&state, hall_id).await?;
    let new = NewAppointment {
        category_id: f.data.int("category_id")?,
        day: parse_day("day", &f.data.text("day"))?,
        starts: f.data.text("starts"),
        name: f.data.text("name"),
        id_number: f.data.text("id_number"),
        phone: f.data.opt("phone"),
    };
    let b = appt::book(&state, f.auth.as_ref(), &origin, new).await?;
    Ok(Redirect::to(&format!(
        "/hall/appointments/{}?code={}",
        b.appointment.id, b.code
    ))
    .into_response())
}

/// A booking's page: print it, cancel it or move it.
async fn appointment(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let code = page.param("code").unwrap_or_default();
    let a = appt::appointment(&state, id, &code).await?;
    let h = svc::open_hall(&state, a.hall_id).await?;
    let category = state
        .store
        .category(a.category_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let booked = a.state == onewindow_core::hall::appointment::AppointmentState::Booked;
    let moving = if booked {
        Some(appt::slots(&state, a.category_id, period_param(&page, "day")?).await?)
    } else {
        None
    };
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "hall_appointment.html",
        &tr("hall.appointment", lang),
        context! {
            printable => true,
            a => ser(&a),
            code => code,
            hall => h.name,
            category => category,
            state_name => a.state.name().get(lang),
            booked => booked,
            rules => appt::rules_text().get(lang).to_string(),
            days => moving.as_ref().map(|d| d.days.iter().map(|x| x.to_string()).collect::<Vec<_>>()),
            move_day => moving.as_ref().map(|d| d.day.to_string()),
            slots => moving.as_ref().map(|d| slot_rows(&d.slots)),
        },
    ))
}

async fn cancel(
    State(state): State<AppState>,
    origin: Origin,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let code = f.data.text("code");
    appt::cancel(&state, &origin, id, &code).await?;
    Ok(super::go(&format!("/hall/appointments/{id}?code={code}")))
}

async fn reschedule(
    State(state): State<AppState>,
    origin: Origin,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let code = f.data.text("code");
    let change = appt::Change {
        code: code.clone(),
        day: f
            .data
            .opt("day")
            .map(|d| parse_day("day", &d))
            .transpose()?,
        starts: f.data.opt("starts"),
    };
    appt::reschedule(&state, &origin, id, change).await?;
    Ok(super::go(&format!("/hall/appointments/{id}?code={code}")))
}

/// A staff member's photo, as the screen over their window shows it.
async fn staff_photo(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    let (bytes, mime) = crate::service::users::photo(&state, id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, mime),
            (
                axum::http::header::CACHE_CONTROL,
                "public, max-age=300".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
