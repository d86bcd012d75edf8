//! The service hall: business categories and what each window calls, tickets from the kiosk,
//! the phone and the desk, the clerk's actions at a window, the board and the pad's rating.

use super::hall_live;
use super::org::{hall, manage_hall, window};
use super::region_path;
use crate::auth::{Auth, Origin};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use onewindow_core::access::Permission;
use onewindow_core::audit::Context;
use onewindow_core::evaluation::{PadRating, Rating};
use onewindow_core::hall::board::CallLine;
use onewindow_core::hall::category::{Category, NewCategory};
use onewindow_core::hall::hours::check_open;
use onewindow_core::hall::stats::HallStats;
use onewindow_core::hall::ticket::{
    Ticket, TicketClaims, TicketSource, TicketState, announcement, priority_of,
};
use onewindow_core::hall::window::WindowAction;
use onewindow_core::org::{Hall, Window};
use onewindow_core::time::local_date;
use onewindow_core::validate::mobile;
use onewindow_core::{DomainError, FieldError, Text};
use onewindow_store::RatingPlace;
use onewindow_store::{NewTicket, WindowAct, WindowOutcome};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use utoipa::ToSchema;

/// How often an ordinary ticket may be passed over before it goes first (the fairness cap).
pub const MAX_PASSES: i64 = 3;

/// The categories of a hall, as the kiosk offers them: anyone may see the active ones of an
/// active hall.
pub async fn public_categories(state: &AppState, hall_id: i64) -> AppResult<Vec<Category>> {
    let h = open_hall(state, hall_id).await?;
    Ok(state
        .store
        .categories(h.id)
        .await?
        .into_iter()
        .filter(|c| c.active)
        .collect())
}

pub async fn create_category(
    state: &AppState,
    auth: &Auth,
    hall_id: i64,
    new: NewCategory,
) -> AppResult<Category> {
    let h = hall(state, auth, hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .create_category(&auth.ctx(), h.id, new.clean()?)
        .await?)
}

pub async fn window_categories(
    state: &AppState,
    auth: &Auth,
    window_id: i64,
) -> AppResult<Vec<i64>> {
    let w = window(state, auth, window_id).await?;
    Ok(state.store.window_categories(w.id).await?)
}

pub async fn set_window_categories(
    state: &AppState,
    auth: &Auth,
    window_id: i64,
    category_ids: &[i64],
) -> AppResult<Vec<i64>> {
    let w = window(state, auth, window_id).await?;
    let h = hall(state, auth, w.hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .set_window_categories(&auth.ctx(), w.id, category_ids)
        .await?)
}

/// What a person asks for at the kiosk, on the phone page or at the reception desk.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    pub hall_id: i64,
    pub category_id: i64,
    /// Optional; needed for the elderly's priority (65 and over) and for appointments.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Optional; for a text message when the turn comes near.
    #[serde(default)]
    pub phone: Option<String>,
    /// `kiosk` (default), `phone`, or `desk` (staff only).
    #[serde(default)]
    pub source: Option<TicketSource>,
    /// 残疾人优先: set by reception staff only.
    #[serde(default)]
    pub disabled: bool,
    /// 绿色通道: set by reception staff only.
    #[serde(default)]
    pub green: bool,
}

/// A ticket with where it stands: as the ticket page and the printed slip show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub ticket: Ticket,
    pub hall_name: String,
    pub category_name: String,
    /// People who will be called before this ticket in its category, as things stand.
    pub ahead: i64,
    /// About how many minutes until the turn comes; `None` before the day's first service.
    pub wait_minutes: Option<i64>,
    /// When called: the window to go to and the line the voice reads.
    pub window_number: Option<i64>,
    pub announcement: Option<String>,
    /// The ticket page's secret; given only to whoever took the ticket.
    pub key: Option<String>,
}

/// The window's staff: permission to serve, and the window within the actor's scope (a
/// department-scoped clerk serves windows of the department; a region-scoped one, the halls of
/// the region).
async fn serve_at(state: &AppState, auth: &Auth, w: &Window) -> AppResult<Hall> {
    let h = state
        .store
        .hall(w.hall_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("大厅", "hall")))?;
    if serves(state, auth, &h, std::slice::from_ref(w)).await? {
        Ok(h)
    } else {
        Err(AppError::forbidden())
    }
}

/// Whether the actor serves at one of `windows` of the hall `h`: the permission, and a
/// department scope among a window's departments or a region scope over the hall.
async fn serves(state: &AppState, auth: &Auth, h: &Hall, windows: &[Window]) -> AppResult<bool> {
    if !auth.actor.has(Permission::HallServe) {
        return Ok(false);
    }
    Ok(match auth.actor.scope.department_id {
        Some(d) => windows
            .iter()
            .any(|w| w.active && w.department_ids.contains(&d)),
        None => auth
            .actor
            .covers_region(&region_path(state, Some(h.region_id)).await?),
    })
}

/// Whether the actor serves at any active window of the hall (the desk, requeues, figures).
async fn serves_hall(state: &AppState, auth: &Auth, h: &Hall) -> AppResult<bool> {
    let windows = state.store.windows(h.id).await?;
    serves(state, auth, h, &windows).await
}

pub(crate) fn public_ctx(origin: &Origin, what: &str) -> Context {
    Context {
        actor_id: None,
        actor_name: what.to_string(),
        actor_role: "public".to_string(),
        client_addr: Some(origin.addr.clone()),
        request_id: origin.request_id.clone(),
    }
}

/// An active hall, as the public pages and the kiosk see it.
pub async fn open_hall(state: &AppState, hall_id: i64) -> AppResult<Hall> {
    state
        .store
        .hall(hall_id)
        .await?
        .filter(|h| h.active)
        .ok_or_else(|| AppError::not_found(Text::fixed("大厅", "hall")))
}

/// Takes a ticket: anyone at the kiosk or on the phone; the desk's staff with the priorities
/// only they may give. The hall must be open now (working day of the calendar, opening hours).
pub async fn issue_ticket(
    state: &AppState,
    auth: Option<&Auth>,
    origin: &Origin,
    req: TicketRequest,
) -> AppResult<TicketView> {
    let source = req.source.unwrap_or(TicketSource::Kiosk);
    let staff_only = req.green || req.disabled || source == TicketSource::Desk;
    if source == TicketSource::Appointment {
        return Err(DomainError::invalid(
            "source",
            "预约号请在签到时领取",
            "appointment tickets come from checking in",
        )
        .into());
    }
    let h = open_hall(state, req.hall_id).await?;
    let ctx = match auth {
        Some(a) if staff_only => {
            if !serves_hall(state, a, &h).await? {
                return Err(AppError::forbidden());
            }
            a.ctx()
        }
        None if staff_only => return Err(AppError::forbidden()),
        Some(a) => a.ctx(),
        None => public_ctx(origin, source.code()),
    };
    open_now(state, &h)
        .await?
        .map_err(|t| DomainError::Conflict(FieldError::new("hall_id", t)))?;
    let now = state.config.clock.now();
    let today = local_date(now);
    let claims = TicketClaims {
        id_number: req.id_number.clone(),
        disabled: req.disabled,
        green: req.green,
        appointment: false,
    };
    let (priority, card) =
        priority_of(&claims, today).map_err(|t| FieldError::new("id_number", t))?;
    let phone = match req.phone.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => {
            Some(mobile::parse(p).map_err(|t| FieldError::new("phone", t))?)
        }
        _ => None,
    };
    let key = crate::auth::random_token();
    let t = state
        .store
        .issue_ticket(
            &ctx,
            NewTicket {
                hall_id: h.id,
                category_id: req.category_id,
                day: today,
                priority,
                source,
                id_number: card.map(|c| c.number),
                phone,
                access_key: key.clone(),
                at: now,
            },
        )
        .await?;
    hall_live::changed(state, h.id);
    let mut v = ticket_view_of(state, &h, t).await?;
    v.key = Some(key);
    Ok(v)
}

/// Where a ticket stands now.
pub async fn ticket_view_of(state: &AppState, h: &Hall, t: Ticket) -> AppResult<TicketView> {
    let (board, _) = hall_live::board(state, h.id).await?;
    let queue = board.queues.iter().find(|q| q.category_id == t.category_id);
    let (ahead, wait) = if t.state == TicketState::Waiting {
        let ahead = state.store.ahead(&t).await?;
        (ahead, queue.and_then(|q| q.wait_for(ahead.max(0) as usize)))
    } else {
        (0, None)
    };
    let screen = t
        .window_id
        .and_then(|w| board.windows.iter().find(|s| s.window_id == w));
    let called = t.state == TicketState::Called;
    Ok(TicketView {
        hall_name: h.name.clone(),
        category_name: queue.map_or_else(String::new, |q| q.name.clone()),
        ahead,
        wait_minutes: wait,
        window_number: screen.filter(|_| called).map(|s| s.number),
        announcement: screen
            .filter(|_| called)
            .map(|s| announcement(&t.number, s.number).zh.into_owned()),
        key: None,
        ticket: t,
    })
}

/// A ticket's page: for whoever holds its key, or the hall's staff.
pub async fn ticket_view(
    state: &AppState,
    auth: Option<&Auth>,
    id: i64,
    key: Option<&str>,
) -> AppResult<TicketView> {
    let not_found = || AppError::not_found(Text::fixed("号", "ticket"));
    if key.is_none() && auth.is_none() {
        return Err(AppError::unauthorized());
    }
    let t = state.store.ticket(id).await?.ok_or_else(not_found)?;
    let by_key =
        key.is_some_and(|k| !t.access_key.is_empty() && crate::auth::same(k, &t.access_key));
    if !by_key {
        let a = auth.ok_or_else(not_found)?;
        a.actor.require(Permission::HallServe)?;
    }
    let h = open_hall(state, t.hall_id).await?;
    ticket_view_of(state, &h, t).await
}

/// A clerk's action at a window; the displays hear of it at once.
pub async fn window_act(
    state: &AppState,
    auth: &Auth,
    window_id: i64,
    action: WindowAction,
) -> AppResult<WindowOutcome> {
    let w = window(state, auth, window_id).await?;
    let h = serve_at(state, auth, &w).await?;
    let out = state
        .store
        .window_act(
            &auth.ctx(),
            WindowAct {
                window_id: w.id,
                clerk_id: Some(auth.user.id),
                action: action.clone(),
                max_passes: MAX_PASSES,
                at: state.config.clock.now(),
            },
        )
        .await?;
    let calls = matches!(
        action,
        WindowAction::CallNext | WindowAction::Call { .. } | WindowAction::Recall
    );
    if calls && let Some(t) = &out.ticket {
        let at = t.called_at.unwrap_or_else(|| state.config.clock.now());
        let line = CallLine::new(t.id, t.number.clone(), w.id, w.number, at, t.recalls);
        hall_live::call(state, h.id, &line);
    }
    if let Some(f) = &out.finished {
        hall_live::finished(
            state,
            h.id,
            json!({"window_id": w.id, "ticket_id": f.id, "number": f.number,
                   "clerk_name": auth.user.display_name}),
        );
    }
    hall_live::changed(state, h.id);
    Ok(out)
}

/// Puts a no-show back in the queue, once (the hall's staff, at the person's request).
pub async fn requeue(state: &AppState, auth: &Auth, ticket_id: i64) -> AppResult<Ticket> {
    auth.actor.require(Permission::HallServe)?;
    let t = state
        .store
        .ticket(ticket_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("号", "ticket")))?;
    let h = open_hall(state, t.hall_id).await?;
    if !serves_hall(state, auth, &h).await? {
        return Err(AppError::forbidden());
    }
    let now = state.config.clock.now();
    let t = state
        .store
        .requeue_ticket(&auth.ctx(), t.id, now, local_date(now))
        .await?;
    hall_live::changed(state, t.hall_id);
    Ok(t)
}

/// The board of an active hall (public: it hangs on the hall's wall).
pub async fn board(state: &AppState, hall_id: i64) -> AppResult<Arc<str>> {
    open_hall(state, hall_id).await?;
    Ok(hall_live::board(state, hall_id).await?.1)
}

/// The pad's rating of the service just finished at the window.
pub async fn rate_at_pad(
    state: &AppState,
    origin: &Origin,
    window_id: i64,
    rating: PadRating,
) -> AppResult<Rating> {
    let w = state
        .store
        .window(window_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("窗口", "window")))?;
    rate_on_site(
        state,
        origin,
        RatingPlace::Window(w.id),
        rating,
        "window-pad",
    )
    .await
}

/// A kiosk's rating of a service finished in its hall today (一次一评 at the kiosk).
pub async fn rate_at_kiosk(
    state: &AppState,
    origin: &Origin,
    hall_id: i64,
    rating: PadRating,
) -> AppResult<Rating> {
    let hall = open_hall(state, hall_id).await?;
    rate_on_site(state, origin, RatingPlace::Kiosk(hall.id), rating, "kiosk").await
}

async fn rate_on_site(
    state: &AppState,
    origin: &Origin,
    place: RatingPlace,
    rating: PadRating,
    who: &str,
) -> AppResult<Rating> {
    let rating = rating.clean()?;
    let at = state.config.clock.now();
    let plan = super::evaluation::plan_for(state, rating.level, at).await?;
    Ok(state
        .store
        .rate_on_site(&public_ctx(origin, who), place, rating, plan, at)
        .await?
        .rating)
}

/// The hall's figures for a period (at most a year): for whoever oversees the hall's region,
/// and for the hall's own staff.
pub async fn stats(
    state: &AppState,
    auth: &Auth,
    hall_id: i64,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> AppResult<HallStats> {
    let h = hall(state, auth, hall_id).await?;
    let covers = auth
        .actor
        .covers_region(&region_path(state, Some(h.region_id)).await?);
    if !covers && !serves_hall(state, auth, &h).await? {
        return Err(AppError::forbidden());
    }
    let today = local_date(state.config.clock.now());
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to);
    if from > to {
        return Err(DomainError::invalid(
            "from",
            "开始日期不能晚于结束日期",
            "the first day comes after the last",
        )
        .into());
    }
    if (to - from).num_days() > 366 {
        return Err(DomainError::invalid(
            "from",
            "统计期间最长一年",
            "the period is at most a year",
        )
        .into());
    }
    let facts = state.store.ticket_facts(h.id, from, to).await?;
    let categories = state.store.categories(h.id).await?;
    let windows = state.store.windows(h.id).await?;
    let mut clerks: Vec<(i64, String)> = Vec::new();
    for id in facts.iter().filter_map(|f| f.clerk_id) {
        if !clerks.iter().any(|c| c.0 == id) {
            let name = state
                .store
                .user(id)
                .await?
                .map_or_else(|| id.to_string(), |u| u.display_name);
            clerks.push((id, name));
        }
    }
    Ok(onewindow_core::hall::stats::compute(
        h.id,
        from,
        to,
        &facts,
        |c| {
            categories
                .iter()
                .find(|x| x.id == c)
                .map_or_else(|| c.to_string(), |x| format!("{} {}", x.prefix, x.name))
        },
        |w| {
            windows
                .iter()
                .find(|x| x.id == w)
                .map_or_else(|| w.to_string(), |x| format!("{}号窗口", x.number))
        },
        |u| {
            clerks
                .iter()
                .find(|x| x.0 == u)
                .map_or_else(|| u.to_string(), |x| x.1.clone())
        },
    ))
}

/// The end of the hall's days: tickets left from earlier days are closed, and the fairness
/// rule's old records dropped (run by the background jobs).
pub async fn close_past_days(state: &AppState) -> AppResult<i64> {
    let now = state.config.clock.now();
    let today = local_date(now);
    let midnight = onewindow_core::time::start_of(today);
    Ok(state
        .store
        .close_past_days(
            &Context::system("hall-day-close"),
            today,
            midnight.timestamp_micros(),
            now,
        )
        .await?)
}

/// Whether the hall takes people now, by the hall's clock, its hours with the lunch break and the
/// calendar; why not, in words for the person at the kiosk (the ticket, the kiosk and the board
/// all ask this).
pub async fn open_now(state: &AppState, h: &Hall) -> AppResult<Result<(), Text>> {
    let local = onewindow_core::time::local(state.config.clock.now()).naive_local();
    let settings = state.calendar.get(state.store.as_ref()).await?;
    Ok(check_open(h, &settings.calendar, local))
}
