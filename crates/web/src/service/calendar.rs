//! The working-day calendar and the case rules as the case engine uses them: read from the store,
//! kept in memory, refreshed at most every 30 seconds (another instance's edits show within that)
//! and at once after an edit made here. Administrators enter later years and change the rules.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use onewindow_core::access::Permission;
use onewindow_core::calendar::{Calendar, YearArrangement};
use onewindow_core::case::Case;
use onewindow_core::case::clock::{self, ClockView};
use onewindow_core::case::rules::{self, Rules};
use onewindow_core::{DomainError, Text};
use onewindow_store::Store;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

const FRESH_FOR: Duration = Duration::from_secs(30);

/// What every case action reads: the calendar and the rules, as of one moment.
pub struct CaseSettings {
    pub calendar: Calendar,
    pub years: Vec<YearArrangement>,
    pub rules: Rules,
}

impl CaseSettings {
    /// A case's clock today, under its matter's yellow rule.
    pub fn clock(&self, c: &Case, today: NaiveDate) -> ClockView {
        clock::view(
            c,
            &self.calendar,
            today,
            self.rules.light_rule_for(&c.matter_code),
        )
    }
}

#[derive(Default)]
pub struct CalendarCache {
    current: RwLock<Option<(Instant, Arc<CaseSettings>)>>,
}

/// The rules as stored, or the law's defaults.
pub async fn load_rules(store: &dyn Store) -> AppResult<Rules> {
    Ok(store
        .setting(rules::SETTING_KEY)
        .await?
        .and_then(|s| serde_json::from_str::<Rules>(&s).ok())
        .unwrap_or_default())
}

pub async fn load(store: &dyn Store) -> AppResult<CaseSettings> {
    let years = store.calendar_years().await?;
    Ok(CaseSettings {
        calendar: Calendar::new(&years),
        years,
        rules: load_rules(store).await?,
    })
}

impl CalendarCache {
    /// What is held now, however old, without reading the store (for what a page shows beside
    /// its work, which must not wait on the database).
    pub fn peek(&self) -> Option<Arc<CaseSettings>> {
        self.current.read().ok()?.as_ref().map(|(_, s)| s.clone())
    }

    pub fn invalidate(&self) {
        if let Ok(mut c) = self.current.write() {
            *c = None;
        }
    }

    pub async fn get(&self, store: &dyn Store) -> AppResult<Arc<CaseSettings>> {
        if let Ok(c) = self.current.read()
            && let Some((at, s)) = c.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(s.clone());
        }
        let s = Arc::new(load(store).await?);
        if let Ok(mut c) = self.current.write() {
            *c = Some((Instant::now(), s.clone()));
        }
        Ok(s)
    }
}

fn may_edit(auth: &Auth) -> AppResult<()> {
    // The calendar is the whole platform's: only administrators without a department edit it.
    if auth.actor.has(Permission::CalendarWrite) && auth.actor.scope.department_id.is_none() {
        Ok(())
    } else {
        Err(DomainError::forbidden().into())
    }
}

/// Enters or replaces `year`'s arrangement; the body must name the same year.
pub async fn save_year(
    state: &AppState,
    auth: &Auth,
    year: i32,
    y: YearArrangement,
) -> AppResult<()> {
    may_edit(auth)?;
    if y.year != year {
        return Err(AppError::bad_request(
            "year",
            Text::fixed(
                "正文的年份与地址中的不一致",
                "the body's year differs from the path's",
            ),
        ));
    }
    state.store.save_calendar_year(&auth.ctx(), y).await?;
    super::relay::stale(state, super::relay::Cache::Calendar);
    relight_later(state);
    Ok(())
}

pub async fn save_rules(state: &AppState, auth: &Auth, r: Rules) -> AppResult<Rules> {
    may_edit(auth)?;
    let r = r.clean()?;
    state
        .store
        .put_setting(
            &auth.ctx(),
            rules::SETTING_KEY,
            &serde_json::to_string(&r).unwrap_or_default(),
        )
        .await?;
    super::relay::stale(state, super::relay::Cache::Calendar);
    relight_later(state);
    Ok(r)
}

/// The days cases' lights change follow the calendar and the rules: recomputed in the
/// background after either changes.
fn relight_later(state: &AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        match crate::service::cases::relight(&state).await {
            Ok(n) => tracing::info!(cases = n, "light days recomputed"),
            Err(e) => tracing::error!(error = ?e.message, "recomputing light days failed"),
        }
    });
}

/// The year whose holiday notice an administrator should enter now: from 1 November, next
/// year's while it is not entered (its dates are provisional until then).
pub fn notice_due(cal: &Calendar, today: NaiveDate) -> Option<i32> {
    use chrono::Datelike;
    let next = today.year() + 1;
    (today.month() >= 11 && !cal.years().contains(&next)).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn next_years_notice_is_asked_for_from_november() {
        let cal = Calendar::builtin();
        assert_eq!(notice_due(&cal, d(2026, 10, 31)), None);
        assert_eq!(notice_due(&cal, d(2026, 11, 1)), Some(2027));
        assert_eq!(notice_due(&cal, d(2026, 12, 31)), Some(2027));
        assert_eq!(
            notice_due(&cal, d(2025, 11, 20)),
            None,
            "2026's is built in"
        );
        let mut years = onewindow_core::calendar::builtin();
        years.push(onewindow_core::calendar::provisional::arrangement(2027));
        assert_eq!(notice_due(&Calendar::new(&years), d(2026, 12, 1)), None);
    }
}
