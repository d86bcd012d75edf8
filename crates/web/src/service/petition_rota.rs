//! The leaders' reception rota (领导接访): one leader on each working day of the calendar, set by
//! the petition office, by hand or in turn; the day's leader records the visitors received
//! (the office may record for them), each tied to a case if there is one.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::enterprise::{names, today};
use crate::service::petitions::{is_office, leaders};
use crate::state::AppState;
use chrono::NaiveDate;
use onewindow_core::DomainError;
use onewindow_core::access::Permission;
use onewindow_core::identity::Role;
use onewindow_core::petitions::rota::{self, RotaDay};
use onewindow_core::petitions::support::Reception;
use serde::Serialize;
use utoipa::ToSchema;

/// A rota day with its leader's name.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RotaLine {
    pub day: NaiveDate,
    pub leader_id: i64,
    pub leader_name: String,
    pub is_today: bool,
}

fn span(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if to < from {
        return Err(AppError::invalid(
            "to",
            "结束日期不能早于开始日期",
            "the end is before the start",
        ));
    }
    if (to - from).num_days() > 366 {
        return Err(AppError::invalid(
            "to",
            "一次最多排一年",
            "at most a year at a time",
        ));
    }
    Ok(())
}

/// The rota from `from` to `to`, for anyone who reads the petition ledgers.
pub async fn rota(
    state: &AppState,
    auth: &Auth,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<RotaLine>> {
    auth.actor.require(Permission::PetitionRead)?;
    span(from, to)?;
    let days = state.store.rota(from, to).await?;
    let who = names(state, days.iter().map(|d| d.leader_id).collect::<Vec<_>>()).await?;
    let today = today();
    Ok(days
        .into_iter()
        .map(|d| RotaLine {
            leader_name: who.get(&d.leader_id).cloned().unwrap_or_default(),
            is_today: d.day == today,
            day: d.day,
            leader_id: d.leader_id,
        })
        .collect())
}

fn office(auth: &Auth) -> AppResult<()> {
    if is_office(&auth.actor) {
        Ok(())
    } else {
        Err(DomainError::forbidden().into())
    }
}

/// Sets rota days by hand: working days only, one leader a day.
pub async fn set_days(state: &AppState, auth: &Auth, days: Vec<RotaDay>) -> AppResult<usize> {
    office(auth)?;
    if days.is_empty() {
        return Err(AppError::invalid(
            "days",
            "请至少排一天",
            "give at least one day",
        ));
    }
    let settings = state.calendar.get(state.store.as_ref()).await?;
    let days = rota::check(days, &settings.calendar)?;
    let n = days.len();
    state.store.set_rota(&auth.ctx(), days).await?;
    Ok(n)
}

/// Fills the working days from `from` to `to` with the leaders in turn.
pub async fn fill(
    state: &AppState,
    auth: &Auth,
    leader_ids: Vec<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<usize> {
    office(auth)?;
    span(from, to)?;
    let known = leaders(state, auth).await?;
    for (i, id) in leader_ids.iter().enumerate() {
        if !known.iter().any(|(k, _)| k == id) {
            return Err(onewindow_core::FieldError::new(
                format!("leaders[{i}]"),
                onewindow_core::Text::fixed("应为在职领导的账号", "not an active leader's account"),
            )
            .into());
        }
    }
    let settings = state.calendar.get(state.store.as_ref()).await?;
    let days = rota::in_turn(&leader_ids, from, to, &settings.calendar)?;
    let n = days.len();
    if n == 0 {
        return Err(AppError::invalid(
            "to",
            "所选期间没有工作日",
            "no working day in the period",
        ));
    }
    state.store.set_rota(&auth.ctx(), days).await?;
    Ok(n)
}

/// A reception with its leader's name.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReceptionLine {
    pub reception: Reception,
    pub leader_name: String,
    pub petition_number: Option<String>,
}

/// The case a reception names by its number (XF…).
pub async fn case_by_number(state: &AppState, number: &str) -> AppResult<i64> {
    let found = state
        .store
        .petitions(&onewindow_store::PetitionFilter {
            number: Some(number.trim().to_string()),
            limit: 1,
            ..Default::default()
        })
        .await?;
    found.first().map(|p| p.id).ok_or_else(|| {
        AppError::invalid(
            "petition_number",
            "没有这个信访件编号",
            "no case has this number",
        )
    })
}

/// Records a visitor received by the day's leader: the leader themself, or the office.
pub async fn record(state: &AppState, auth: &Auth, r: Reception) -> AppResult<()> {
    let a = &auth.actor;
    let own = a.has_role(Role::Leader) && r.leader_id == auth.user.id;
    if !own && !is_office(a) {
        return Err(DomainError::forbidden().into());
    }
    let r = r.check(today())?;
    Ok(state
        .store
        .record_reception(&auth.ctx(), r, crate::service::cases::now())
        .await?)
}

/// Receptions in the period. Visitors are named: the office sees all, a leader their own.
pub async fn receptions(
    state: &AppState,
    auth: &Auth,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<ReceptionLine>> {
    let a = &auth.actor;
    span(from, to)?;
    let office = is_office(a);
    if !office && !a.has_role(Role::Leader) {
        return Err(DomainError::forbidden().into());
    }
    let mut all = state.store.receptions(from, to).await?;
    if !office {
        all.retain(|r| r.leader_id == auth.user.id);
    }
    let who = names(state, all.iter().map(|r| r.leader_id).collect::<Vec<_>>()).await?;
    let mut out = Vec::with_capacity(all.len());
    for r in all {
        let number = match r.petition_id {
            Some(id) => state.store.petition(id).await?.map(|p| p.number),
            None => None,
        };
        out.push(ReceptionLine {
            leader_name: who.get(&r.leader_id).cloned().unwrap_or_default(),
            petition_number: number,
            reception: r,
        });
    }
    Ok(out)
}
