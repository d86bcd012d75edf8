//! The service teams' monthly figures (月度统计), live: for each district in the reader's scope
//! and for the whole (the city), the month's and the year's visits, clues, solved, open,
//! overdue and escalated, and each steward's visits. The rules are the core's
//! (`enterprise::figures`); this finds the records' districts and the names.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::enterprise::{names, today};
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use onewindow_core::access::Permission;
use onewindow_core::enterprise::figures::{ItemFacts, Tally, VisitFacts, tally};
use onewindow_core::validate::RegionLevel;
use onewindow_core::{DomainError, org::Region};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// One district's (or the total's) figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FigureRow {
    pub region_id: i64,
    pub name: String,
    pub month: Tally,
    pub year: Tally,
    /// Solved per clue in the month, per cent.
    pub month_rate: Option<f64>,
    pub year_rate: Option<f64>,
}

/// A steward's visits in the month.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StewardRow {
    pub user_id: i64,
    pub name: String,
    pub planned: i64,
    pub done: i64,
}

/// The month's figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = EnterpriseFigures)]
pub struct Figures {
    /// "2026-11".
    pub month: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day they were computed for (a running month ends today).
    pub as_of: NaiveDate,
    pub rows: Vec<FigureRow>,
    pub total: FigureRow,
    pub stewards: Vec<StewardRow>,
}

/// The first and last day of "YYYY-MM".
pub fn month_bounds(month: &str) -> AppResult<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("month", "月份格式应为YYYY-MM", "the month is YYYY-MM"))?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next
        .and_then(|n| n.pred_opt())
        .ok_or_else(|| AppError::invalid("month", "月份超出范围", "the month is out of range"))?;
    Ok((first, last))
}

/// The district a region lies in (itself when it lies above any district).
fn district_of(r: &Region, by_id: &HashMap<i64, &Region>) -> i64 {
    r.path
        .split('/')
        .filter_map(|s| s.parse::<i64>().ok())
        .find(|id| {
            by_id
                .get(id)
                .is_some_and(|x| x.level == RegionLevel::District)
        })
        .unwrap_or(r.id)
}

pub async fn figures(state: &AppState, auth: &Auth, month: Option<&str>) -> AppResult<Figures> {
    let a = &auth.actor;
    a.require(Permission::EnterpriseRead)?;
    // The figures are the region's: a department works its items, not the region's tallies.
    let (None, Some(scope)) = (a.scope.department_id, a.scope.region_path.clone()) else {
        return Err(DomainError::forbidden().into());
    };
    let as_of = today();
    let month = month
        .map(str::to_string)
        .unwrap_or_else(|| as_of.format("%Y-%m").to_string());
    let (from, to) = month_bounds(&month)?;
    let year_from = NaiveDate::from_ymd_opt(from.year(), 1, 1).unwrap_or(from);
    let regions = state.store.regions().await?;
    let by_id: HashMap<i64, &Region> = regions.iter().map(|r| (r.id, r)).collect();
    // Each record's unit: its district, if the record lies in the reader's scope.
    let unit = |region_id: i64| -> Option<i64> {
        let r = by_id.get(&region_id)?;
        r.path
            .starts_with(scope.as_str())
            .then(|| district_of(r, &by_id))
    };
    let (item_rows, visit_rows) = state.store.service_facts(year_from, to).await?;
    let items: Vec<ItemFacts> = item_rows
        .iter()
        .filter_map(|i| {
            Some(ItemFacts {
                unit: unit(i.region_id)?,
                level: i.level,
                created_at: i.created_at,
                answered_at: i.answered_at,
                closed_at: i.closed_at,
                deadline: i.deadline,
            })
        })
        .collect();
    let visits: Vec<VisitFacts> = visit_rows
        .iter()
        .filter_map(|v| {
            Some(VisitFacts {
                unit: unit(v.region_id)?,
                planned_on: v.planned_on,
                done_at: v.done_at,
            })
        })
        .collect();
    let month_t = tally(&items, &visits, from, to, as_of);
    let year_t = tally(&items, &visits, year_from, to, as_of);
    // Every district in scope has its row, even an empty one.
    let mut units: BTreeMap<i64, String> = regions
        .iter()
        .filter(|r| r.level == RegionLevel::District && r.path.starts_with(scope.as_str()))
        .map(|r| (r.id, r.name.clone()))
        .collect();
    for id in month_t.keys().chain(year_t.keys()) {
        units
            .entry(*id)
            .or_insert_with(|| by_id.get(id).map(|r| r.name.clone()).unwrap_or_default());
    }
    let row = |id: i64, name: String| {
        let m = month_t.get(&id).cloned().unwrap_or_default();
        let y = year_t.get(&id).cloned().unwrap_or_default();
        FigureRow {
            region_id: id,
            name,
            month_rate: m.solved_rate(),
            year_rate: y.solved_rate(),
            month: m,
            year: y,
        }
    };
    let rows: Vec<FigureRow> = units.into_iter().map(|(id, n)| row(id, n)).collect();
    let mut month_total = Tally::default();
    let mut year_total = Tally::default();
    for r in &rows {
        month_total.add(&r.month);
        year_total.add(&r.year);
    }
    let scope_region = a.scope.region_id.and_then(|id| by_id.get(&id).copied());
    let total = FigureRow {
        region_id: scope_region.map(|r| r.id).unwrap_or_default(),
        name: format!(
            "{}合计",
            scope_region.map(|r| r.name.as_str()).unwrap_or_default()
        ),
        month_rate: month_total.solved_rate(),
        year_rate: year_total.solved_rate(),
        month: month_total,
        year: year_total,
    };
    // Stewards' visits in the month.
    let within = |d: NaiveDate| d >= from && d <= to;
    let mut per: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for v in visit_rows.iter().filter(|v| unit(v.region_id).is_some()) {
        let e = per.entry(v.steward_id).or_default();
        if within(v.planned_on) {
            e.0 += 1;
        }
        if v.done_at
            .is_some_and(|d| within(onewindow_core::time::local_date(d)))
        {
            e.1 += 1;
        }
    }
    per.retain(|_, (p, d)| *p > 0 || *d > 0);
    let n = names(state, per.keys().copied()).await?;
    let stewards = per
        .into_iter()
        .map(|(id, (planned, done))| StewardRow {
            user_id: id,
            name: n.get(&id).cloned().unwrap_or_default(),
            planned,
            done,
        })
        .collect();
    Ok(Figures {
        month,
        from,
        to,
        as_of,
        rows,
        total,
        stewards,
    })
}
