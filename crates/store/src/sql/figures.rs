//! The figures' rollups (`kpi_daily`, `kpi_monthly`): each write adds what its record
//! contributes after it minus what it contributed before (`onewindow_core::supervision::figures`),
//! and a period's figures are sums over whole months and the days around them. The rebuild
//! recounts everything from the cases, tickets and ratings and says how many rows were wrong.

use super::SqlStore;
use super::rollup::{Rollup, Tallies};
use crate::FiguresStore;
use crate::backend::{Arg, Backend, Sql, sql};
use crate::error::{Result, StoreError};
use crate::model::{FiguresBy, Slice};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::case::{Case, CaseState, Channel, DeliveryMethod};
use onewindow_core::hall::ticket::Ticket;
use onewindow_core::supervision::figures::{
    COUNTERS, CaseFacts, Counters, Dims, Period, month_of, of_call, of_case, of_rating,
};
use onewindow_core::time::local_date;
use serde_json::json;
use std::collections::BTreeMap;

const DIMS: [&str; 6] = [
    "region_id",
    "department_id",
    "matter_id",
    "channel",
    "window_id",
    "clerk_id",
];

pub(crate) static DAILY: Rollup = Rollup {
    table: "kpi_daily",
    keys: &[
        "day",
        "region_id",
        "department_id",
        "matter_id",
        "channel",
        "window_id",
        "clerk_id",
    ],
    counters: &COUNTERS,
};

pub(crate) static MONTHLY: Rollup = Rollup {
    table: "kpi_monthly",
    keys: &[
        "month",
        "region_id",
        "department_id",
        "matter_id",
        "channel",
        "window_id",
        "clerk_id",
    ],
    counters: &COUNTERS,
};

fn key(day: NaiveDate, d: &Dims) -> Vec<Arg> {
    vec![
        day.into(),
        d.region_id.into(),
        d.department_id.into(),
        d.matter_id.into(),
        d.channel.clone().into(),
        d.window_id.into(),
        d.clerk_id.into(),
    ]
}

/// Adds `sign` times `c` on `day` to both rollups.
fn add(t: &mut Tallies, day: NaiveDate, d: &Dims, c: &Counters, sign: i64) {
    let v: Vec<i64> = c.to_vec().into_iter().map(|x| x * sign).collect();
    t.add(&DAILY, key(day, d), v.clone());
    t.add(&MONTHLY, key(month_of(day), d), v);
}

/// What a case write changes in the figures.
pub(crate) fn track_case(t: &mut Tallies, before: Option<&Case>, after: Option<&Case>) {
    let facts = |c: &Case| CaseFacts::of(c);
    let was = before.map(facts);
    let now = after.map(facts);
    if was == now {
        return;
    }
    if let Some(f) = &was {
        for (day, c) in of_case(f) {
            add(t, day, &f.dims, &c, -1);
        }
    }
    if let Some(f) = &now {
        for (day, c) in of_case(f) {
            add(t, day, &f.dims, &c, 1);
        }
    }
}

/// A ticket just called: its wait counts at its first call only.
pub(crate) fn track_call(t: &mut Tallies, region_id: i64, ticket: &Ticket) {
    if let (Some(first), Some(called)) = (ticket.first_called_at, ticket.called_at)
        && first == called
    {
        add(
            t,
            ticket.day,
            &call_dims(region_id, ticket.window_id, ticket.clerk_id),
            &of_call(ticket.issued_at, first),
            1,
        );
    }
}

fn call_dims(region_id: i64, window_id: Option<i64>, clerk_id: Option<i64>) -> Dims {
    Dims {
        region_id,
        window_id: window_id.unwrap_or(0),
        clerk_id: clerk_id.unwrap_or(0),
        ..Default::default()
    }
}

/// Where a rating is counted: the case's department and matter when it rates a case.
pub(crate) struct RatingFacts {
    pub region_id: i64,
    pub department_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub channel: String,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    pub level: i64,
    pub at: DateTime<Utc>,
}

impl RatingFacts {
    fn dims(&self) -> Dims {
        Dims {
            region_id: self.region_id,
            department_id: self.department_id.unwrap_or(0),
            matter_id: self.matter_id.unwrap_or(0),
            channel: self.channel.clone(),
            window_id: self.window_id.unwrap_or(0),
            clerk_id: self.clerk_id.unwrap_or(0),
        }
    }
}

pub(crate) fn track_rating(t: &mut Tallies, r: &RatingFacts) {
    add(t, local_date(r.at), &r.dims(), &of_rating(r.level), 1);
}

fn slice_where(q: Sql, s: &Slice) -> Sql {
    super::supervision::slice_where(q, s, false)
}

/// `CAST(COALESCE(SUM(received), 0) AS BIGINT) AS received, …` for every counter.
fn sums() -> String {
    COUNTERS
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The counters of a row, in `COUNTERS` order.
#[derive(sqlx::FromRow)]
struct CountersRow {
    received: i64,
    online: i64,
    no_visit: i64,
    one_visit: i64,
    accepted: i64,
    concluded: i64,
    on_spot: i64,
    on_time: i64,
    late: i64,
    used_days: i64,
    called: i64,
    wait_seconds: i64,
    ratings: i64,
    rating_sum: i64,
    satisfied: i64,
    bad: i64,
}

impl CountersRow {
    fn counters(&self) -> Counters {
        Counters::from_slice(&[
            self.received,
            self.online,
            self.no_visit,
            self.one_visit,
            self.accepted,
            self.concluded,
            self.on_spot,
            self.on_time,
            self.late,
            self.used_days,
            self.called,
            self.wait_seconds,
            self.ratings,
            self.rating_sum,
            self.satisfied,
            self.bad,
        ])
    }
}

/// A row of sums with its group key (a month, a day or an id, as text).
#[derive(sqlx::FromRow)]
struct SumRow {
    k: String,
    #[sqlx(flatten)]
    c: CountersRow,
}

/// The statements that sum a period's rows of a slice, grouped by `group` (an expression over
/// the daily rollup's columns) and `month_group` (the same over the monthly one), or not grouped
/// at all: the whole months from `kpi_monthly`, the days around them from `kpi_daily`.
fn period_queries(s: &Slice, p: Period, group: Option<(&str, &str)>, by_day: bool) -> Vec<Sql> {
    // By day, the whole months are read day by day too.
    let (months, days) = if by_day {
        (None, vec![(p.from, p.to)])
    } else {
        p.split()
    };
    let grouped = |table: &str, col: &str, expr: Option<&str>, a: NaiveDate, b: NaiveDate| {
        let k = expr.unwrap_or("'all'");
        let q = slice_where(
            sql(format!(
                "SELECT {k} AS k, {} FROM {table} WHERE {col} >= $1 AND {col} <= $2",
                sums()
            ))
            .bind(a)
            .bind(b),
            s,
        );
        match expr {
            Some(e) => sql(format!("{} GROUP BY {e}", q.text)).with_args(q.args),
            None => q,
        }
    };
    let mut out = Vec::new();
    if let Some((a, b)) = months {
        out.push(grouped("kpi_monthly", "month", group.map(|g| g.1), a, b));
    }
    for (a, b) in days {
        out.push(grouped("kpi_daily", "day", group.map(|g| g.0), a, b));
    }
    out
}

#[derive(sqlx::FromRow)]
struct FactRow {
    id: i64,
    region_id: i64,
    department_id: i64,
    matter_id: i64,
    channel: String,
    window_id: Option<i64>,
    clerk_id: Option<i64>,
    state: String,
    delivery: String,
    promised_days: i64,
    submitted_at: DateTime<Utc>,
    accepted_on: Option<NaiveDate>,
    decided_on: Option<NaiveDate>,
    promised_due: Option<NaiveDate>,
    concluded_on: Option<NaiveDate>,
    used_days: Option<i64>,
}

fn bad(what: &str, v: &str) -> StoreError {
    StoreError::Database(format!("unreadable {what} '{v}' in the cases table"))
}

impl FactRow {
    fn facts(&self) -> Result<CaseFacts> {
        let channel = Channel::parse(&self.channel).ok_or_else(|| bad("channel", &self.channel))?;
        Ok(CaseFacts {
            dims: Dims {
                region_id: self.region_id,
                department_id: self.department_id,
                matter_id: self.matter_id,
                channel: channel.code().to_string(),
                window_id: self.window_id.unwrap_or(0),
                clerk_id: self.clerk_id.unwrap_or(0),
            },
            state: CaseState::parse(&self.state).ok_or_else(|| bad("state", &self.state))?,
            channel,
            delivery: DeliveryMethod::parse(&self.delivery)
                .ok_or_else(|| bad("delivery", &self.delivery))?,
            promised_days: self.promised_days,
            submitted_at: self.submitted_at,
            accepted_on: self.accepted_on,
            decided_on: self.decided_on,
            promised_due: self.promised_due,
            concluded_on: self.concluded_on,
            used_days: self.used_days,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RollupRow {
    k: NaiveDate,
    region_id: i64,
    department_id: i64,
    matter_id: i64,
    channel: String,
    window_id: i64,
    clerk_id: i64,
    #[sqlx(flatten)]
    c: CountersRow,
}

type Table = BTreeMap<(NaiveDate, Dims), Counters>;

async fn read_table<B: Backend>(tx: &mut B::Tx, table: &str, col: &str) -> Result<Table> {
    let cols = COUNTERS.join(", ");
    let rows: Vec<RollupRow> = B::all(
        tx,
        sql(format!(
            "SELECT {col} AS k, {}, {cols} FROM {table}",
            DIMS.join(", ")
        )),
    )
    .await?;
    let mut out = Table::new();
    for r in rows {
        let c = r.c.counters();
        if c.is_zero() {
            continue;
        }
        out.insert(
            (
                r.k,
                Dims {
                    region_id: r.region_id,
                    department_id: r.department_id,
                    matter_id: r.matter_id,
                    channel: r.channel,
                    window_id: r.window_id,
                    clerk_id: r.clerk_id,
                },
            ),
            c,
        );
    }
    Ok(out)
}

fn count_into(daily: &mut Table, monthly: &mut Table, day: NaiveDate, d: &Dims, c: &Counters) {
    daily.entry((day, d.clone())).or_default().add(c);
    monthly
        .entry((month_of(day), d.clone()))
        .or_default()
        .add(c);
}

fn differ(a: &Table, b: &Table) -> i64 {
    let mut n = 0;
    for (k, v) in a {
        if b.get(k) != Some(v) {
            n += 1;
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            n += 1;
        }
    }
    n
}

#[async_trait]
impl<B: Backend> FiguresStore for SqlStore<B> {
    async fn figures(&self, slice: &Slice, period: Period) -> Result<Counters> {
        let mut total = Counters::default();
        for q in period_queries(slice, period, None, false) {
            let rows: Vec<SumRow> = self.b.read_all(q).await?;
            for r in rows {
                total.add(&r.c.counters());
            }
        }
        Ok(total)
    }

    async fn figures_by(
        &self,
        slice: &Slice,
        period: Period,
        by: FiguresBy,
    ) -> Result<Vec<(String, Counters)>> {
        let col = |c: &str| format!("CAST({c} AS TEXT)");
        let (daily, monthly) = match by {
            FiguresBy::Day => (col("day"), String::new()),
            FiguresBy::Month => (
                "SUBSTR(CAST(day AS TEXT), 1, 7)".to_string(),
                "SUBSTR(CAST(month AS TEXT), 1, 7)".to_string(),
            ),
            FiguresBy::Department => (col("department_id"), col("department_id")),
            FiguresBy::Window => (col("window_id"), col("window_id")),
            FiguresBy::Clerk => (col("clerk_id"), col("clerk_id")),
            FiguresBy::Matter => (col("matter_id"), col("matter_id")),
            FiguresBy::Region => (col("region_id"), col("region_id")),
            FiguresBy::Channel => ("channel".to_string(), "channel".to_string()),
        };
        let queries = period_queries(
            slice,
            period,
            Some((&daily, &monthly)),
            by == FiguresBy::Day,
        );
        let mut out: BTreeMap<String, Counters> = BTreeMap::new();
        for q in queries {
            let rows: Vec<SumRow> = self.b.read_all(q).await?;
            for r in rows {
                out.entry(r.k).or_default().add(&r.c.counters());
            }
        }
        Ok(out.into_iter().filter(|(_, c)| !c.is_zero()).collect())
    }

    async fn rebuild_figures(&self, ctx: &Context) -> Result<i64> {
        let mut tx = self.b.begin().await?;
        let old_daily = read_table::<B>(&mut tx, "kpi_daily", "day").await?;
        let old_monthly = read_table::<B>(&mut tx, "kpi_monthly", "month").await?;
        let (mut daily, mut monthly) = (Table::new(), Table::new());
        let mut after = 0i64;
        loop {
            let rows: Vec<FactRow> = B::all(
                &mut tx,
                sql(
                    "SELECT id, region_id, department_id, matter_id, channel, window_id, clerk_id,
                        state, delivery, promised_days, submitted_at, accepted_on, decided_on,
                        promised_due, concluded_on, used_days
                     FROM cases WHERE id > $1 ORDER BY id LIMIT 5000",
                )
                .bind(after),
            )
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for r in &rows {
                let f = r.facts()?;
                for (day, c) in of_case(&f) {
                    count_into(&mut daily, &mut monthly, day, &f.dims, &c);
                }
            }
        }
        type CallRow = (
            NaiveDate,
            i64,
            Option<i64>,
            Option<i64>,
            DateTime<Utc>,
            DateTime<Utc>,
        );
        let calls: Vec<CallRow> = B::all(
            &mut tx,
            sql("SELECT t.day, h.region_id, t.window_id, t.clerk_id, t.issued_at, t.first_called_at
                 FROM tickets t JOIN halls h ON h.id = t.hall_id WHERE t.first_called_at IS NOT NULL"),
        )
        .await?;
        for (day, region, window, clerk, issued, first) in calls {
            count_into(
                &mut daily,
                &mut monthly,
                day,
                &call_dims(region, window, clerk),
                &of_call(issued, first),
            );
        }
        type RatingRow = (
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            i64,
            DateTime<Utc>,
        );
        let ratings: Vec<RatingRow> = B::all(
            &mut tx,
            sql(
                "SELECT COALESCE(h.region_id, c.region_id, 0), c.department_id,
                        COALESCE(r.matter_id, c.matter_id), r.window_id, r.clerk_id, r.level,
                        r.created_at
                 FROM ratings r LEFT JOIN halls h ON h.id = r.hall_id
                 LEFT JOIN cases c ON c.id = r.case_id",
            ),
        )
        .await?;
        for (region, dept, matter, window, clerk, level, at) in ratings {
            let r = RatingFacts {
                region_id: region,
                department_id: dept,
                matter_id: matter,
                channel: Channel::Window.code().into(),
                window_id: window,
                clerk_id: clerk,
                level,
                at,
            };
            count_into(
                &mut daily,
                &mut monthly,
                local_date(r.at),
                &r.dims(),
                &of_rating(r.level),
            );
        }
        daily.retain(|_, c| !c.is_zero());
        monthly.retain(|_, c| !c.is_zero());
        let wrong = differ(&old_daily, &daily) + differ(&old_monthly, &monthly);
        B::exec(&mut tx, sql("DELETE FROM kpi_daily")).await?;
        B::exec(&mut tx, sql("DELETE FROM kpi_monthly")).await?;
        let mut t = Tallies::default();
        for ((day, d), c) in &daily {
            t.add(&DAILY, key(*day, d), c.to_vec());
        }
        for ((month, d), c) in &monthly {
            t.add(&MONTHLY, key(*month, d), c.to_vec());
        }
        t.write::<B>(&mut tx).await?;
        B::exec(
            &mut tx,
            sql("DELETE FROM settings WHERE key = 'figures.rebuild'"),
        )
        .await?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "supervision.rebuild".into(),
                target_type: "rollup".into(),
                target_id: None,
                department_id: None,
                region_id: None,
                summary: json!({"rollup": "kpi", "wrong_rows": wrong,
                    "daily_rows": daily.len(), "monthly_rows": monthly.len()}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(wrong)
    }
}
