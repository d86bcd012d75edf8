//! The figures (统计分析) for a period and a slice: the totals, a trend and a ranking, with
//! names for the groups. Read from the rollups (`FiguresStore`); docs/KPIS.md defines each
//! figure.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::parse_day;
use crate::service::supervision::{SliceParams, slice};
use crate::state::AppState;
use onewindow_core::case::Channel;
use onewindow_core::supervision::figures::{Counters, Figures, Period};
use onewindow_core::{DomainError, Text};
use onewindow_store::{FiguresBy, ScopeFilter};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// A period, a slice and a grouping as a query names them.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FigureParams {
    /// First day, YYYY-MM-DD (required).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (required; at most ten years after `from`).
    pub to: Option<String>,
    pub region: Option<String>,
    pub department_id: Option<i64>,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    pub matter: Option<String>,
    pub channel: Option<String>,
    /// `month` (default), `day`, `region`, `department`, `window`, `clerk`, `matter` or
    /// `channel`.
    pub by: Option<String>,
}

impl FigureParams {
    pub fn slice_params(&self) -> SliceParams {
        SliceParams {
            region: self.region.clone(),
            department_id: self.department_id,
            window_id: self.window_id,
            clerk_id: self.clerk_id,
            matter: self.matter.clone(),
            channel: self.channel.clone(),
            ..Default::default()
        }
    }

    pub fn period(&self) -> AppResult<Period> {
        let day = |field: &str, v: &Option<String>| -> AppResult<Option<chrono::NaiveDate>> {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| parse_day(field, s))
                .transpose()
        };
        Ok(Period::new(day("from", &self.from)?, day("to", &self.to)?)
            .map_err(DomainError::Invalid)?)
    }

    pub fn by(&self) -> AppResult<FiguresBy> {
        Ok(
            match self.by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None | Some("month") => FiguresBy::Month,
                Some("day") => FiguresBy::Day,
                Some("region") => FiguresBy::Region,
                Some("department") => FiguresBy::Department,
                Some("window") => FiguresBy::Window,
                Some("clerk") => FiguresBy::Clerk,
                Some("matter") => FiguresBy::Matter,
                Some("channel") => FiguresBy::Channel,
                Some(other) => {
                    return Err(AppError::bad_request(
                        "by",
                        Text::new(
                            format!("不能按“{other}”分组"),
                            format!("cannot group by '{other}'"),
                        ),
                    ));
                }
            },
        )
    }
}

/// One group's figures, with its name.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Group {
    /// The month (`YYYY-MM`), day, id or channel code.
    pub key: String,
    pub name: String,
    pub figures: Figures,
    pub counters: Counters,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Report {
    pub period: Period,
    /// The last day counted: the period's, or today for a period that runs on (a case due
    /// tomorrow is not yet due).
    pub counted_to: chrono::NaiveDate,
    pub figures: Figures,
    pub counters: Counters,
    pub groups: Vec<Group>,
}

/// The part of a period up to today: what has happened (`None` when it lies in the future).
fn counted(period: Period) -> Option<Period> {
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    Period::new(Some(period.from), Some(period.to.min(today))).ok()
}

/// The figures of a period and slice, grouped as asked.
pub async fn report(state: &AppState, auth: &Auth, p: &FigureParams) -> AppResult<Report> {
    let s = slice(state, auth, &p.slice_params()).await?;
    let period = p.period()?;
    let by = p.by()?;
    let Some(upto) = counted(period) else {
        return Ok(Report {
            period,
            counted_to: period.from,
            figures: Counters::default().into(),
            counters: Counters::default(),
            groups: Vec::new(),
        });
    };
    let counters = state.store.figures(&s, upto).await?;
    let mut figures = Figures::from(counters);
    figures.carried = state
        .store
        .carried(&s, upto, None)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    Ok(Report {
        period,
        counted_to: upto.to,
        figures,
        counters,
        groups: grouped(state, &s, upto, by).await?,
    })
}

/// The groups alone (another grouping of a report already read).
pub async fn groups(state: &AppState, auth: &Auth, p: &FigureParams) -> AppResult<Vec<Group>> {
    let s = slice(state, auth, &p.slice_params()).await?;
    match counted(p.period()?) {
        Some(upto) => grouped(state, &s, upto, p.by()?).await,
        None => Ok(Vec::new()),
    }
}

async fn grouped(
    state: &AppState,
    s: &onewindow_store::Slice,
    period: Period,
    by: FiguresBy,
) -> AppResult<Vec<Group>> {
    let rows = state.store.figures_by(s, period, by).await?;
    let carried: HashMap<String, i64> = state
        .store
        .carried(s, period, Some(by))
        .await?
        .into_iter()
        .collect();
    let names = names(state, by).await?;
    Ok(rows
        .into_iter()
        .map(|(key, c)| {
            let mut figures = Figures::from(c);
            figures.carried = carried.get(&key).copied().unwrap_or(0);
            Group {
                name: names.get(&key).cloned().unwrap_or_else(|| match by {
                    FiguresBy::Window | FiguresBy::Clerk if key == "0" => "—".to_string(),
                    _ => key.clone(),
                }),
                key,
                figures,
                counters: c,
            }
        })
        .collect())
}

/// Names of the groups' keys.
async fn names(state: &AppState, by: FiguresBy) -> AppResult<HashMap<String, String>> {
    let all = ScopeFilter::all();
    Ok(match by {
        FiguresBy::Department => state
            .store
            .departments(&all)
            .await?
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect(),
        FiguresBy::Region => state
            .store
            .regions()
            .await?
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect(),
        FiguresBy::Clerk => state
            .store
            .users(&all)
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), u.display_name))
            .collect(),
        FiguresBy::Window => {
            let mut out = HashMap::new();
            for h in state.store.halls(&all).await? {
                for w in state.store.windows(h.id).await? {
                    out.insert(w.id.to_string(), format!("{} {}号窗口", h.name, w.number));
                }
            }
            out
        }
        FiguresBy::Matter => state
            .store
            .matters(&all)
            .await?
            .into_iter()
            .map(|m| (m.id.to_string(), m.name))
            .collect(),
        FiguresBy::Channel => Channel::ALL
            .iter()
            .map(|c| (c.code().to_string(), c.name().zh.to_string()))
            .collect(),
        FiguresBy::Month | FiguresBy::Day => HashMap::new(),
    })
}
