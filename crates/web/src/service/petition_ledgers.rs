//! The petition ledgers (信访减存台账 and 新增台账): for a period and a region, each area below it
//! (streets under a district, communities under a street) with its backlog and new cases and
//! how many were resolved; the major backlog cases and their guarantors' meetings; the aid. The
//! counting rule is the core's (`petitions::ledger`); the ledgers name no petitioner.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::enterprise::{names, today};
use crate::service::enterprise_figures::month_bounds;
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use onewindow_core::DomainError;
use onewindow_core::access::Permission;
use onewindow_core::org::Region;
use onewindow_core::petitions::case::State;
use onewindow_core::petitions::ledger::{self, AidTotals, CaseFacts, Ledgers, Line};
use onewindow_store::PetitionFilter;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// One area's (or the total's) ledgers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LedgerRow {
    pub region_id: i64,
    pub name: String,
    pub backlog: Line,
    pub new: Line,
    /// Resolved per case, per cent, two decimals.
    pub backlog_rate: Option<f64>,
    pub new_rate: Option<f64>,
}

impl LedgerRow {
    fn new(region_id: i64, name: String, l: Ledgers) -> LedgerRow {
        LedgerRow {
            region_id,
            name,
            backlog_rate: l.backlog.rate(),
            new_rate: l.new.rate(),
            backlog: l.backlog,
            new: l.new,
        }
    }
}

/// A major backlog case under a leader's responsibility (包保), without the petitioner.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GuaranteeLine {
    pub petition_id: i64,
    pub number: String,
    pub subject: String,
    pub leader_name: String,
    pub meetings: usize,
    pub last_meeting: Option<NaiveDate>,
    pub state: State,
    pub resolved_on: Option<NaiveDate>,
}

/// The ledgers of a period in a region.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PetitionLedgers {
    pub region_id: i64,
    pub region_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<LedgerRow>,
    pub total: LedgerRow,
    pub guaranteed: Vec<GuaranteeLine>,
    pub aid: AidTotals,
    pub receptions: usize,
}

/// The region the reader asks for, which must lie in their scope (their own by default).
fn region_in_scope(auth: &Auth, regions: &[Region], region_id: Option<i64>) -> AppResult<Region> {
    let a = &auth.actor;
    a.require(Permission::PetitionRead)?;
    let id = region_id
        .or(a.scope.region_id)
        .filter(|_| a.scope.department_id.is_none())
        .ok_or_else(|| AppError::from(DomainError::forbidden()))?;
    let r = regions
        .iter()
        .find(|r| r.id == id)
        .cloned()
        .ok_or_else(|| AppError::invalid("region_id", "没有这个区划", "no such region"))?;
    if !a.covers_region(&r.path) {
        return Err(DomainError::forbidden().into());
    }
    Ok(r)
}

/// What the ledgers of any period ending on one day are counted from: the region, its areas,
/// the cases taken in by that day (each under its area), and the guaranteed cases.
struct Ground {
    region: Region,
    areas: Vec<Region>,
    /// The area (a child of the region, or the region itself) of every region below it.
    area_of: HashMap<i64, i64>,
    facts: Vec<CaseFacts>,
    guaranteed: Vec<GuaranteeLine>,
}

async fn ground(
    state: &AppState,
    auth: &Auth,
    region_id: Option<i64>,
    to: NaiveDate,
) -> AppResult<Ground> {
    let regions = state.store.regions().await?;
    let region = region_in_scope(auth, &regions, region_id)?;
    let mut areas: Vec<Region> = regions
        .iter()
        .filter(|r| r.parent_id == Some(region.id))
        .cloned()
        .collect();
    areas.sort_by(|a, b| a.code.cmp(&b.code));
    // Each case counts for the child of the region it lies under (or the region itself).
    let area_of: HashMap<i64, i64> = regions
        .iter()
        .filter(|r| r.path.starts_with(&region.path))
        .map(|r| {
            let area = areas
                .iter()
                .find(|c| r.path.starts_with(&c.path))
                .map_or(region.id, |c| c.id);
            (r.id, area)
        })
        .collect();
    let mut facts = state.store.petition_facts(to).await?;
    facts.retain_mut(|f| match area_of.get(&f.unit) {
        Some(&a) => {
            f.unit = a;
            true
        }
        None => false,
    });
    let guaranteed = guaranteed(state, &region.path).await?;
    Ok(Ground {
        region,
        areas,
        area_of,
        facts,
        guaranteed,
    })
}

/// The ledgers of `from` to `to` on their ground.
async fn period(
    state: &AppState,
    g: &Ground,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<PetitionLedgers> {
    let tally = ledger::tally(&g.facts, from, to);
    let mut total = Ledgers::default();
    for l in tally.values() {
        total.add(l);
    }
    let mut rows: Vec<LedgerRow> = g
        .areas
        .iter()
        .map(|c| {
            LedgerRow::new(
                c.id,
                c.name.clone(),
                tally.get(&c.id).cloned().unwrap_or_default(),
            )
        })
        .collect();
    if let Some(own) = tally.get(&g.region.id) {
        rows.push(LedgerRow::new(
            g.region.id,
            g.region.name.clone(),
            own.clone(),
        ));
    }
    let aid = ledger::aid_totals(
        state
            .store
            .aid_facts(from, to)
            .await?
            .iter()
            .filter(|f| g.area_of.contains_key(&f.unit)),
    );
    let receptions = state.store.receptions(from, to).await?.len();
    Ok(PetitionLedgers {
        region_id: g.region.id,
        region_name: g.region.name.clone(),
        from,
        to,
        rows,
        total: LedgerRow::new(g.region.id, "合计".into(), total),
        guaranteed: g.guaranteed.clone(),
        aid,
        receptions,
    })
}

/// The ledgers from `from` to `to` (the year so far by default) in a region (the reader's).
pub async fn ledgers(
    state: &AppState,
    auth: &Auth,
    region_id: Option<i64>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<PetitionLedgers> {
    let to = to.unwrap_or_else(today);
    let from = from
        .or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1))
        .unwrap_or(to);
    if to < from {
        return Err(AppError::invalid(
            "to",
            "结束日期不能早于开始日期",
            "the end is before the start",
        ));
    }
    let g = ground(state, auth, region_id, to).await?;
    period(state, &g, from, to).await
}

async fn guaranteed(state: &AppState, path: &str) -> AppResult<Vec<GuaranteeLine>> {
    let mut cases = state
        .store
        .petitions(&PetitionFilter {
            region_path: Some(path.to_string()),
            guaranteed: true,
            limit: 5000,
            ..Default::default()
        })
        .await?;
    cases.sort_by(|a, b| a.number.cmp(&b.number));
    let who = names(
        state,
        cases
            .iter()
            .filter_map(|p| p.guarantor_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut out = Vec::with_capacity(cases.len());
    for p in cases {
        let meetings = state.store.meetings(p.id).await?;
        out.push(GuaranteeLine {
            petition_id: p.id,
            number: p.number,
            subject: p.subject,
            leader_name: p
                .guarantor_id
                .and_then(|g| who.get(&g).cloned())
                .unwrap_or_default(),
            meetings: meetings.len(),
            last_meeting: meetings.iter().map(|m| m.held_on).max(),
            state: p.progress.state,
            resolved_on: p.progress.resolved_on,
        });
    }
    Ok(out)
}

/// The monthly report (月报): the month itself, and the year to the month's end (减存控增).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MonthlyReport {
    /// "2026-10".
    pub month: String,
    pub month_ledgers: PetitionLedgers,
    pub year_ledgers: PetitionLedgers,
}

pub async fn monthly(
    state: &AppState,
    auth: &Auth,
    region_id: Option<i64>,
    month: Option<&str>,
) -> AppResult<MonthlyReport> {
    let today = today();
    let month = month
        .map(str::to_string)
        .unwrap_or_else(|| today.format("%Y-%m").to_string());
    let (first, last) = month_bounds(&month)?;
    let last = last.min(today.max(first));
    let year_start = NaiveDate::from_ymd_opt(first.year(), 1, 1).unwrap_or(first);
    // Both periods end on the same day: one ground for the two.
    let g = ground(state, auth, region_id, last).await?;
    Ok(MonthlyReport {
        month_ledgers: period(state, &g, first, last).await?,
        year_ledgers: period(state, &g, year_start, last).await?,
        month,
    })
}
