//! The figures' rollups (`kpi_daily`, `kpi_monthly`): each write adds what its record
//! contributes after it minus what it contributed before (`onewindow_core::supervision::figures`),
//! and a period's figures are sums over whole months and the days around them. The rebuild
//! recounts everything from the cases, tickets and ratings and says how many rows were wrong.

use super::SqlStore;
use super::marginal::Marginal;
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
    COUNTERS, CaseFacts, Counters, Dims, Period, carried_of, month_of, of_call, of_case, of_rating,
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

/// Late conclusions by (day concluded, deadline) and every slice column: what a period counts
/// as carried over (结转办结).
pub(crate) static CARRIED: Rollup = Rollup {
    table: "kpi_carried",
    keys: &[
        "concluded_on",
        "due_on",
        "region_id",
        "department_id",
        "matter_id",
        "channel",
        "window_id",
        "clerk_id",
    ],
    counters: &["n"],
};

/// The rows of `CARRIED` per single slice column.
pub(crate) static CARRIED_BY: Rollup = Rollup {
    table: "kpi_carried_by",
    keys: &["dim", "key", "concluded_on", "due_on"],
    counters: &["n"],
};

/// The carried-over rows a late conclusion counts in.
fn carried_rows(on: NaiveDate, due: NaiveDate, d: &Dims) -> Vec<(&'static Rollup, Vec<Arg>)> {
    let mut full = vec![on.into(), due.into()];
    full.extend(key(on, d).into_iter().skip(1));
    let mut out = vec![(&CARRIED, full)];
    for (dim, k) in d.marginals() {
        out.push((
            &CARRIED_BY,
            vec![dim.into(), k.into(), on.into(), due.into()],
        ));
    }
    out
}

/// The rows of `DAILY` per single slice column (`marginal`).
pub(crate) static DAILY_BY: Rollup = Rollup {
    table: "kpi_daily_by",
    keys: &["day", "dim", "key"],
    counters: &COUNTERS,
};

/// The rows of `MONTHLY` per single slice column.
pub(crate) static MONTHLY_BY: Rollup = Rollup {
    table: "kpi_monthly_by",
    keys: &["month", "dim", "key"],
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

/// The rows a contribution on `day` to the slice `d` counts in: the day's and the month's, by
/// every column and per single column.
fn rows(day: NaiveDate, d: &Dims) -> Vec<(&'static Rollup, Vec<Arg>)> {
    let month = month_of(day);
    let mut out = vec![(&DAILY, key(day, d)), (&MONTHLY, key(month, d))];
    for (dim, k) in d.marginals() {
        out.push((&DAILY_BY, vec![day.into(), dim.into(), k.clone().into()]));
        out.push((&MONTHLY_BY, vec![month.into(), dim.into(), k.into()]));
    }
    out
}

/// Adds `sign` times `c` on `day` to the rollups.
fn add(t: &mut Tallies, day: NaiveDate, d: &Dims, c: &Counters, sign: i64) {
    let v: Vec<i64> = c.to_vec().into_iter().map(|x| x * sign).collect();
    for (r, k) in rows(day, d) {
        t.add(r, k, v.clone());
    }
}

/// What a case write changes in the figures.
pub(crate) fn track_case(t: &mut Tallies, before: Option<&Case>, after: Option<&Case>) {
    let facts = |c: &Case| CaseFacts::of(c);
    let was = before.map(facts);
    let now = after.map(facts);
    if was == now {
        return;
    }
    for (f, sign) in [(&was, -1), (&now, 1)] {
        let Some(f) = f else { continue };
        for (day, c) in of_case(f) {
            add(t, day, &f.dims, &c, sign);
        }
        if let Some((on, due)) = carried_of(f) {
            for (r, k) in carried_rows(on, due, &f.dims) {
                t.add(r, k, vec![sign]);
            }
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

/// A rating counted (`sign` 1) or taken out of the figures by an upheld appeal (-1).
pub(crate) fn track_rating(t: &mut Tallies, r: &RatingFacts, sign: i64) {
    add(t, local_date(r.at), &r.dims(), &of_rating(r.level), sign);
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
    due: i64,
    due_concluded: i64,
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
            self.due,
            self.due_concluded,
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

/// What a period's sums are grouped by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Total,
    Day,
    Month,
    /// A slice column: its name in the rollups and its `dim` in the marginal rows.
    Column(&'static str, &'static str),
}

impl Group {
    fn of(by: FiguresBy) -> Group {
        match by {
            FiguresBy::Day => Group::Day,
            FiguresBy::Month => Group::Month,
            FiguresBy::Region => Group::Column("region_id", "region"),
            FiguresBy::Department => Group::Column("department_id", "department"),
            FiguresBy::Window => Group::Column("window_id", "window"),
            FiguresBy::Clerk => Group::Column("clerk_id", "clerk"),
            FiguresBy::Matter => Group::Column("matter_id", "matter"),
            FiguresBy::Channel => Group::Column("channel", "channel"),
        }
    }

    /// The group's key as text, over a table whose date column is `date`; `marginal` when the
    /// table holds marginal rows.
    fn key(self, date: &str, marginal: bool) -> String {
        match self {
            Group::Total => "'all'".into(),
            Group::Day => format!("CAST({date} AS TEXT)"),
            Group::Month => format!("SUBSTR(CAST({date} AS TEXT), 1, 7)"),
            Group::Column(..) if marginal => "key".into(),
            Group::Column("channel", _) => "channel".into(),
            Group::Column(col, _) => format!("CAST({col} AS TEXT)"),
        }
    }
}

/// The statements that sum a period's rows of a slice, by `group`: the whole months from the
/// monthly rollup, the days around them from the daily one (by day, every day from the daily
/// one). Each reads the marginal rows when the slice and the group name at most one column
/// between them, else the rows by every column.
fn period_queries(s: &Slice, p: Period, group: Group) -> Vec<Sql> {
    let (months, days) = if group == Group::Day {
        (None, vec![(p.from, p.to)])
    } else {
        p.split()
    };
    let marginal = || {
        let m = Marginal::of(s, false)?;
        match group {
            Group::Column(_, dim) => m.grouped_by(dim),
            _ => Some(m),
        }
    };
    let query = |table: &str, date: &str, a: NaiveDate, b: NaiveDate| -> Sql {
        let select = |from: &str, k: &str| {
            sql(format!(
                "SELECT {k} AS k, {} FROM {from} WHERE {date} >= $1 AND {date} <= $2",
                sums()
            ))
            .bind(a)
            .bind(b)
        };
        let q = match marginal() {
            Some(m) => m.and_where(select(&format!("{table}_by"), &group.key(date, true))),
            None => slice_where(select(table, &group.key(date, false)), s),
        };
        match group {
            Group::Total => q,
            _ => sql(format!("{} GROUP BY 1", q.text)).with_args(q.args),
        }
    };
    let mut out = Vec::new();
    if let Some((a, b)) = months {
        out.push(query("kpi_monthly", "month", a, b));
    }
    for (a, b) in days {
        out.push(query("kpi_daily", "day", a, b));
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

#[derive(sqlx::FromRow)]
struct MarginalRow {
    k: NaiveDate,
    dim: String,
    key: String,
    #[sqlx(flatten)]
    c: CountersRow,
}

/// The rows of all four rollups, by table and key: as kept, or as recounted.
#[derive(Default)]
struct Rows(BTreeMap<(&'static str, Vec<Arg>), (&'static Rollup, Counters)>);

impl Rows {
    fn count(&mut self, day: NaiveDate, d: &Dims, c: &Counters) {
        for (r, k) in rows(day, d) {
            self.0
                .entry((r.table, k))
                .or_insert_with(|| (r, Counters::default()))
                .1
                .add(c);
        }
    }

    fn put(&mut self, r: &'static Rollup, key: Vec<Arg>, c: Counters) {
        if !c.is_zero() {
            self.0.insert((r.table, key), (r, c));
        }
    }

    /// The rows as the tables keep them (rows of zeros left out).
    async fn kept<B: Backend>(tx: &mut B::Tx) -> Result<Rows> {
        let cols = COUNTERS.join(", ");
        let mut out = Rows::default();
        for (r, col) in [(&DAILY, "day"), (&MONTHLY, "month")] {
            let q = format!(
                "SELECT {col} AS k, {}, {cols} FROM {}",
                DIMS.join(", "),
                r.table
            );
            for row in B::all::<RollupRow>(tx, sql(q)).await? {
                let d = Dims {
                    region_id: row.region_id,
                    department_id: row.department_id,
                    matter_id: row.matter_id,
                    channel: row.channel,
                    window_id: row.window_id,
                    clerk_id: row.clerk_id,
                };
                out.put(r, key(row.k, &d), row.c.counters());
            }
        }
        for (r, col) in [(&DAILY_BY, "day"), (&MONTHLY_BY, "month")] {
            let q = format!("SELECT {col} AS k, dim, key, {cols} FROM {}", r.table);
            for row in B::all::<MarginalRow>(tx, sql(q)).await? {
                let k = vec![row.k.into(), row.dim.into(), row.key.into()];
                out.put(r, k, row.c.counters());
            }
        }
        Ok(out)
    }

    /// How many rows of `self` are missing from `other` or differ there, and the other way.
    fn differ(&self, other: &Rows) -> i64 {
        let mut n = 0;
        for (k, v) in &self.0 {
            if other.0.get(k).map(|o| o.1) != Some(v.1) {
                n += 1;
            }
        }
        for k in other.0.keys() {
            if !self.0.contains_key(k) {
                n += 1;
            }
        }
        n
    }

    fn len(&self, r: &Rollup) -> usize {
        self.0.keys().filter(|k| k.0 == r.table).count()
    }
}

/// The carried-over rows as kept (rows of zero left out).
async fn carried_kept<B: Backend>(
    tx: &mut B::Tx,
) -> Result<BTreeMap<(&'static str, Vec<Arg>), i64>> {
    let mut out = BTreeMap::new();
    type Full = (NaiveDate, NaiveDate, i64, i64, i64, String, i64, i64, i64);
    let rows: Vec<Full> = B::all(
        tx,
        sql(
            "SELECT concluded_on, due_on, region_id, department_id, matter_id, channel,
                    window_id, clerk_id, n FROM kpi_carried WHERE n <> 0",
        ),
    )
    .await?;
    for (on, due, region, dept, matter, channel, window, clerk, n) in rows {
        let k: Vec<Arg> = vec![
            on.into(),
            due.into(),
            region.into(),
            dept.into(),
            matter.into(),
            channel.into(),
            window.into(),
            clerk.into(),
        ];
        out.insert((CARRIED.table, k), n);
    }
    let rows: Vec<(String, String, NaiveDate, NaiveDate, i64)> = B::all(
        tx,
        sql("SELECT dim, key, concluded_on, due_on, n FROM kpi_carried_by WHERE n <> 0"),
    )
    .await?;
    for (dim, key, on, due, n) in rows {
        let k: Vec<Arg> = vec![dim.into(), key.into(), on.into(), due.into()];
        out.insert((CARRIED_BY.table, k), n);
    }
    Ok(out)
}

#[async_trait]
impl<B: Backend> FiguresStore for SqlStore<B> {
    async fn carried(
        &self,
        slice: &Slice,
        period: Period,
        by: Option<FiguresBy>,
    ) -> Result<Vec<(String, i64)>> {
        let slice = &self.without_no_ops(slice).await?;
        let group = by.map_or(Group::Total, Group::of);
        if matches!(group, Group::Day | Group::Month) {
            return Ok(Vec::new());
        }
        let marginal = Marginal::of(slice, false).and_then(|m| match group {
            Group::Column(_, dim) => m.grouped_by(dim),
            _ => Some(m),
        });
        let select = |from: &str, k: &str| {
            sql(format!(
                "SELECT {k} AS k, CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM {from}
                 WHERE concluded_on >= $1 AND concluded_on <= $2 AND due_on < $1"
            ))
            .bind(period.from)
            .bind(period.to)
        };
        let q = match marginal {
            Some(m) => m.and_where(select("kpi_carried_by", &group.key("concluded_on", true))),
            None => slice_where(
                select("kpi_carried", &group.key("concluded_on", false)),
                slice,
            ),
        };
        let q = match group {
            Group::Total => q,
            _ => sql(format!("{} GROUP BY 1", q.text)).with_args(q.args),
        };
        let rows: Vec<(String, i64)> = self.b.read_all(q).await?;
        Ok(rows.into_iter().filter(|(_, n)| *n != 0).collect())
    }

    async fn figures(&self, slice: &Slice, period: Period) -> Result<Counters> {
        let slice = &self.without_no_ops(slice).await?;
        let mut total = Counters::default();
        for q in period_queries(slice, period, Group::Total) {
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
        let slice = &self.without_no_ops(slice).await?;
        let mut out: BTreeMap<String, Counters> = BTreeMap::new();
        for q in period_queries(slice, period, Group::of(by)) {
            let rows: Vec<SumRow> = self.b.read_all(q).await?;
            for r in rows {
                out.entry(r.k).or_default().add(&r.c.counters());
            }
        }
        Ok(out.into_iter().filter(|(_, c)| !c.is_zero()).collect())
    }

    async fn rebuild_figures(&self, ctx: &Context) -> Result<i64> {
        let mut tx = self.b.begin().await?;
        let kept = Rows::kept::<B>(&mut tx).await?;
        let kept_carried = carried_kept::<B>(&mut tx).await?;
        let mut carried: BTreeMap<(&'static str, Vec<Arg>), i64> = BTreeMap::new();
        let mut fresh = Rows::default();
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
                    fresh.count(day, &f.dims, &c);
                }
                if let Some((on, due)) = carried_of(&f) {
                    for (r, k) in carried_rows(on, due, &f.dims) {
                        *carried.entry((r.table, k)).or_insert(0) += 1;
                    }
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
            fresh.count(
                day,
                &call_dims(region, window, clerk),
                &of_call(issued, first),
            );
        }
        type RatingRow = (
            i64,
            Option<i64>,
            Option<i64>,
            String,
            Option<i64>,
            Option<i64>,
            i64,
            DateTime<Utc>,
        );
        // Service ratings still counted; on site they count under the window channel, online
        // under the channel of the case they rate (as `evaluation::insert_rating` counts them).
        let ratings: Vec<RatingRow> = B::all(
            &mut tx,
            sql(format!(
                "SELECT COALESCE(r.region_id, h.region_id, c.region_id, 0),
                        COALESCE(r.department_id, c.department_id),
                        COALESCE(r.matter_id, c.matter_id),
                        CASE WHEN r.channel IN ('window_pad', 'kiosk') OR c.channel IS NULL
                             THEN '{window}' ELSE c.channel END,
                        r.window_id, r.clerk_id, r.level, r.created_at
                 FROM ratings r LEFT JOIN halls h ON h.id = r.hall_id
                 LEFT JOIN cases c ON c.id = r.case_id
                 WHERE r.kind = 'service' AND r.counted",
                window = Channel::Window.code()
            )),
        )
        .await?;
        for (region, dept, matter, channel, window, clerk, level, at) in ratings {
            let r = RatingFacts {
                region_id: region,
                department_id: dept,
                matter_id: matter,
                channel,
                window_id: window,
                clerk_id: clerk,
                level,
                at,
            };
            fresh.count(local_date(r.at), &r.dims(), &of_rating(r.level));
        }
        fresh.0.retain(|_, v| !v.1.is_zero());
        let mut wrong = kept.differ(&fresh);
        wrong += kept_carried
            .iter()
            .filter(|(k, n)| carried.get(*k) != Some(n))
            .count() as i64
            + carried
                .keys()
                .filter(|k| !kept_carried.contains_key(*k))
                .count() as i64;
        for r in [
            &DAILY,
            &MONTHLY,
            &DAILY_BY,
            &MONTHLY_BY,
            &CARRIED,
            &CARRIED_BY,
        ] {
            B::exec(&mut tx, sql(format!("DELETE FROM {}", r.table))).await?;
        }
        let mut t = Tallies::default();
        for ((_, k), (r, c)) in &fresh.0 {
            t.add(r, k.clone(), c.to_vec());
        }
        for ((table, k), n) in &carried {
            let r = if *table == CARRIED.table {
                &CARRIED
            } else {
                &CARRIED_BY
            };
            t.add(r, k.clone(), vec![*n]);
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
                    "daily_rows": fresh.len(&DAILY), "monthly_rows": fresh.len(&MONTHLY),
                    "marginal_rows": fresh.len(&DAILY_BY) + fresh.len(&MONTHLY_BY)}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(wrong)
    }
}
