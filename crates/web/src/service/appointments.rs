//! Appointments (预约) as the person and the hall see them: the slots of the next working days,
//! booking with an ID number, cancelling and moving with the booking's code, checking in at the
//! kiosk with the ID number (a ticket with the appointment's priority), and the no-show sweep.

use super::hall::{TicketView, open_hall, ticket_view_of};
use super::hall_live;
use crate::auth::{Auth, Origin};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use onewindow_core::access::Permission;
use onewindow_core::audit::Context;
use onewindow_core::calendar::parse_time;
use onewindow_core::hall::appointment::{
    self, Appointment, NewAppointment, SlotPlan, bookable_days, check_changeable, check_day,
    check_in_window, clean_plan,
};
use onewindow_core::hall::category::Category;
use onewindow_core::hall::hours::check_open;
use onewindow_core::hall::ticket::{Priority, TicketSource};
use onewindow_core::time::local;
use onewindow_core::validate::id_card::IdCard;
use onewindow_core::{DomainError, FieldError, Text};
use onewindow_store::{NewTicket, Slot};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A category of an active hall, as the booking pages use it.
async fn category(state: &AppState, id: i64) -> AppResult<Category> {
    let c = state
        .store
        .category(id)
        .await?
        .filter(|c| c.active)
        .ok_or_else(|| AppError::not_found(Text::fixed("业务类别", "category")))?;
    open_hall(state, c.hall_id).await?;
    Ok(c)
}

fn now_local(state: &AppState) -> chrono::NaiveDateTime {
    local(state.config.clock.now()).naive_local()
}

pub async fn slot_plan(state: &AppState, category_id: i64) -> AppResult<Vec<SlotPlan>> {
    let c = category(state, category_id).await?;
    Ok(state.store.slot_plan(c.id).await?)
}

/// Replaces a category's slot plan: those who manage the hall.
pub async fn set_slot_plan(
    state: &AppState,
    auth: &Auth,
    category_id: i64,
    plan: Vec<SlotPlan>,
) -> AppResult<Vec<SlotPlan>> {
    auth.actor.require(Permission::OrgWrite)?;
    let c = state
        .store
        .category(category_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("业务类别", "category")))?;
    let h = super::org::hall(state, auth, c.hall_id).await?;
    super::org::manage_hall(state, auth, &h).await?;
    let plan = clean_plan(plan)?;
    onewindow_core::hall::appointment::plan_within_hours(&plan, &h)?;
    Ok(state
        .store
        .set_slot_plan(&auth.ctx(), h.id, c.id, plan)
        .await?)
}

/// The slots of a bookable day, with the bookable days around it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DaySlots {
    pub category_id: i64,
    pub days: Vec<NaiveDate>,
    pub day: NaiveDate,
    pub slots: Vec<Slot>,
}

pub async fn slots(
    state: &AppState,
    category_id: i64,
    day: Option<NaiveDate>,
) -> AppResult<DaySlots> {
    let c = category(state, category_id).await?;
    let settings = state.calendar.get(state.store.as_ref()).await?;
    let now = now_local(state);
    let days = bookable_days(&settings.calendar, now.date());
    let day = match day {
        Some(d) => {
            check_day(&settings.calendar, now.date(), d)?;
            d
        }
        None => days.first().copied().unwrap_or(now.date()),
    };
    let mut slots = state.store.slots(c.id, day).await?;
    // Slots already over today are not offered.
    if day == now.date() {
        let time = now.time().format("%H:%M").to_string();
        slots.retain(|s| s.ends > time);
    }
    Ok(DaySlots {
        category_id: c.id,
        days,
        day,
        slots,
    })
}

/// A booking with the code that opens it; the code is given once, to the person.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Booked {
    pub appointment: Appointment,
    pub code: String,
}

fn ctx_of(auth: Option<&Auth>, origin: &Origin, what: &str) -> Context {
    match auth {
        Some(a) => a.ctx(),
        None => super::hall::public_ctx(origin, what),
    }
}

pub async fn book(
    state: &AppState,
    auth: Option<&Auth>,
    origin: &Origin,
    new: NewAppointment,
) -> AppResult<Booked> {
    let c = category(state, new.category_id).await?;
    let now = now_local(state);
    let new = new.clean(now.date())?;
    let settings = state.calendar.get(state.store.as_ref()).await?;
    check_day(&settings.calendar, now.date(), new.day)?;
    if new.day == now.date() && parse_time(&new.starts).is_some_and(|s| s <= now.time()) {
        return Err(FieldError::new(
            "starts",
            Text::new(
                format!("{}的时段已开始，请选择稍后的时段", new.starts),
                format!("the {} slot has begun; choose a later one", new.starts),
            ),
        )
        .into());
    }
    let code = crate::auth::random_token();
    let a = state
        .store
        .book(
            &ctx_of(auth, origin, "appointment"),
            c.hall_id,
            new,
            code.clone(),
            now.date(),
            state.config.clock.now(),
        )
        .await?;
    Ok(Booked {
        appointment: a,
        code,
    })
}

/// A booking, for whoever holds its code.
pub async fn appointment(state: &AppState, id: i64, code: &str) -> AppResult<Appointment> {
    let not_found = || AppError::not_found(Text::fixed("预约", "booking"));
    let a = state.store.appointment(id).await?.ok_or_else(not_found)?;
    if code.is_empty() || !crate::auth::same(code, &a.code) {
        return Err(not_found());
    }
    Ok(a)
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The booking's code, as given when booking.
    pub code: String,
    /// For a move: the new day and slot.
    #[serde(default)]
    pub day: Option<NaiveDate>,
    #[serde(default)]
    pub starts: Option<String>,
}

pub async fn cancel(
    state: &AppState,
    origin: &Origin,
    id: i64,
    code: &str,
) -> AppResult<Appointment> {
    let a = appointment(state, id, code).await?;
    check_changeable(&a, now_local(state))?;
    Ok(state
        .store
        .cancel_appointment(
            &super::hall::public_ctx(origin, "appointment"),
            a.id,
            state.config.clock.now(),
        )
        .await?)
}

pub async fn reschedule(
    state: &AppState,
    origin: &Origin,
    id: i64,
    change: Change,
) -> AppResult<Appointment> {
    let a = appointment(state, id, &change.code).await?;
    let now = now_local(state);
    check_changeable(&a, now)?;
    let day = change.day.ok_or_else(|| {
        FieldError::new("day", Text::fixed("请选择新的日期", "choose the new day"))
    })?;
    let starts = change
        .starts
        .as_deref()
        .and_then(parse_time)
        .ok_or_else(|| {
            FieldError::new(
                "starts",
                Text::fixed("请选择新的时段", "choose the new slot"),
            )
        })?;
    let settings = state.calendar.get(state.store.as_ref()).await?;
    check_day(&settings.calendar, now.date(), day)?;
    if day == now.date() && starts <= now.time() {
        return Err(
            FieldError::new("starts", Text::fixed("该时段已开始", "that slot has begun")).into(),
        );
    }
    Ok(state
        .store
        .reschedule(
            &super::hall::public_ctx(origin, "appointment"),
            a.id,
            day,
            &starts.format("%H:%M").to_string(),
            state.config.clock.now(),
        )
        .await?)
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    pub hall_id: i64,
    /// The ID number the booking was made with.
    pub id_number: String,
}

/// Checking in at the kiosk with the ID number: today's booking whose check-in is open becomes
/// a ticket with the appointment's priority.
pub async fn check_in(
    state: &AppState,
    auth: Option<&Auth>,
    origin: &Origin,
    req: CheckIn,
) -> AppResult<TicketView> {
    let now = now_local(state);
    let card = IdCard::parse(req.id_number.trim(), now.date())
        .map_err(|t| FieldError::new("id_number", t))?;
    let h = open_hall(state, req.hall_id).await?;
    let settings = state.calendar.get(state.store.as_ref()).await?;
    check_open(&h, &settings.calendar, now)
        .map_err(|t| DomainError::Conflict(FieldError::new("hall_id", t)))?;
    let booked = state
        .store
        .booked_on(h.id, &card.number, now.date())
        .await?;
    if booked.is_empty() {
        return Err(DomainError::conflict(
            "id_number",
            "今天没有该身份证号码的预约，请直接取号",
            "no booking today under this ID number; take an ordinary ticket",
        )
        .into());
    }
    // The first booking whose check-in is open; else why the first one is not.
    let mut chosen = None;
    let mut why = None;
    for a in &booked {
        match check_in_window(a, now) {
            Ok(()) => {
                chosen = Some(a.clone());
                break;
            }
            Err(e) => why = why.or(Some(e)),
        }
    }
    let Some(a) = chosen else {
        return Err(why
            .unwrap_or_else(|| {
                DomainError::conflict("id_number", "没有可签到的预约", "no booking to check in")
            })
            .into());
    };
    let key = crate::auth::random_token();
    let (_, t) = state
        .store
        .check_in(
            &ctx_of(auth, origin, "kiosk"),
            a.id,
            NewTicket {
                hall_id: h.id,
                category_id: a.category_id,
                day: now.date(),
                priority: Priority::Appointment,
                source: TicketSource::Appointment,
                id_number: Some(card.number),
                phone: a.phone.clone(),
                access_key: key.clone(),
                at: state.config.clock.now(),
            },
        )
        .await?;
    hall_live::changed(state, h.id);
    let mut v = ticket_view_of(state, &h, t).await?;
    v.key = Some(key);
    Ok(v)
}

/// Bookings whose slot is over without a check-in become no-shows (run by the background jobs).
pub async fn sweep_no_shows(state: &AppState) -> AppResult<usize> {
    let now = now_local(state);
    let missed = state
        .store
        .mark_no_shows(
            &Context::system("appointment-no-shows"),
            now.date(),
            &now.time().format("%H:%M").to_string(),
        )
        .await?;
    Ok(missed.len())
}

/// How far ahead, and how many at once: shown on the booking page.
pub fn rules_text() -> Text {
    Text::new(
        format!(
            "可预约{}个工作日内的时段；每人最多同时持有{}个预约；{}天内爽约{}次将暂停预约；请于预约时段开始前{}分钟内到取号机签到。",
            appointment::BOOK_AHEAD_WORKDAYS,
            appointment::PER_PERSON_ACTIVE,
            appointment::NO_SHOW_DAYS,
            appointment::NO_SHOW_LIMIT,
            appointment::CHECK_IN_EARLY_MINUTES
        ),
        format!(
            "Slots can be booked up to {} working days ahead; one person holds at most {} bookings; {} no-shows in {} days close booking for a while; check in at the kiosk from {} minutes before the slot.",
            appointment::BOOK_AHEAD_WORKDAYS,
            appointment::PER_PERSON_ACTIVE,
            appointment::NO_SHOW_LIMIT,
            appointment::NO_SHOW_DAYS,
            appointment::CHECK_IN_EARLY_MINUTES
        ),
    )
}
