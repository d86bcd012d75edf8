//! Electronic supervision: counts and lists of running clocks by light, the rollup of running
//! clocks kept with every case write, urges with their trail, and the warning job's claims.
//!
//! A case's light on a day is two date comparisons (`yellow_on`, `red_on`, kept with the case).
//! Yellow and red cases are few, so they are counted through the light indexes, which carry the
//! slice columns; the running clocks of a slice (of which green is the rest) come from the
//! `sv_running` rollup, so no count reads every open case.

use super::case_rows::{CaseRow, case_select};
use super::marginal::Marginal;
use super::rollup::{Rollup, Tallies};
use super::{SqlStore, scope_where};
use crate::SupervisionStore;
use crate::backend::{Arg, Backend, Sql, sql};
use crate::error::{Result, StoreError};
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::Text;
use onewindow_core::audit::{Change, Context};
use onewindow_core::case::Case;
use onewindow_core::supervision::figures::Dims;
use onewindow_core::supervision::urge::{Urge, UrgeLevel, UrgeLogLine, UrgeOrigin, UrgeState};
use onewindow_core::time::local_date;
use serde_json::json;
use std::collections::BTreeMap;

/// Running clocks per slice.
pub(crate) static RUNNING: Rollup = Rollup {
    table: "sv_running",
    keys: &[
        "department_id",
        "region_id",
        "matter_id",
        "channel",
        "window_id",
        "clerk_id",
    ],
    counters: &["n"],
};

/// Running clocks per slice column and the days they turn yellow and red (the marginals of
/// `RUNNING`, with the light days): one column's counts on any day are sums over its rows, a
/// few hundred however many cases run.
pub(crate) static LIGHTS_BY: Rollup = Rollup {
    table: "sv_lights_by",
    keys: &["dim", "key", "yellow_on", "red_on"],
    counters: &["n"],
};

/// Cases with a review step over its own limit, per slice column and the day it turned late.
pub(crate) static STEP_RED_BY: Rollup = Rollup {
    table: "sv_step_red_by",
    keys: &["dim", "key", "step_red_on"],
    counters: &["n"],
};

/// Each slice column's marginal key as SQL over `cases` (`Dims::marginals` in SQL).
const MARGINAL_KEYS: [(&str, &str); 7] = [
    ("all", "'0'"),
    ("region", "CAST(region_id AS TEXT)"),
    ("department", "CAST(department_id AS TEXT)"),
    ("matter", "CAST(matter_id AS TEXT)"),
    ("channel", "channel"),
    ("window", "CAST(COALESCE(window_id, 0) AS TEXT)"),
    ("clerk", "CAST(COALESCE(clerk_id, 0) AS TEXT)"),
];

/// The recount of a marginal table from the cases: `days` (expressions) as its date keys,
/// over the cases where `cond` holds (the migration seeds the tables with the same).
fn recount_marginals(days: &[(&str, &str)], cond: &str) -> String {
    let select: Vec<String> = days
        .iter()
        .map(|(e, name)| format!("{e} AS {name}"))
        .collect();
    let group: Vec<String> = (2..=days.len() + 2).map(|i| i.to_string()).collect();
    MARGINAL_KEYS
        .iter()
        .map(|(dim, key)| {
            format!(
                "SELECT '{dim}' AS dim, {key} AS key, {}, COUNT(*) AS n FROM cases WHERE {cond} GROUP BY {}",
                select.join(", "),
                group.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// The rows of the marginal tables a case counts in.
fn light_rows(c: &Case) -> Vec<(&'static Rollup, Vec<Arg>)> {
    let mut out = Vec::new();
    let keys = Dims::of_case(c).marginals();
    if let Some(red) = c.red_on {
        let yellow = c.yellow_on.unwrap_or(red);
        for (dim, key) in &keys {
            out.push((
                &LIGHTS_BY,
                vec![(*dim).into(), key.into(), yellow.into(), red.into()],
            ));
        }
    }
    if let Some(late) = c.step_red_on {
        for (dim, key) in &keys {
            out.push((&STEP_RED_BY, vec![(*dim).into(), key.into(), late.into()]));
        }
    }
    out
}

fn running_key(c: &Case) -> Vec<Arg> {
    vec![
        c.department_id.into(),
        c.region_id.into(),
        c.matter_id.into(),
        c.channel.code().into(),
        c.window_id.unwrap_or(0).into(),
        c.clerk_id.unwrap_or(0).into(),
    ]
}

/// What a case write changes in the running rollups: the case leaves its old slice (if its
/// clock ran) and joins its new one (if its clock runs); its marginal rows move with its slice
/// and its light days.
pub(crate) fn track_running(t: &mut Tallies, before: Option<&Case>, after: Option<&Case>) {
    track_lights(t, before, after);
    let running = |c: &&Case| c.red_on.is_some();
    let was = before.filter(running).map(running_key);
    let now = after.filter(running).map(running_key);
    if was == now {
        return;
    }
    if let Some(k) = was {
        t.add(&RUNNING, k, vec![-1]);
    }
    if let Some(k) = now {
        t.add(&RUNNING, k, vec![1]);
    }
}

/// What a case write changes in the marginal tables: the case leaves its old rows and joins
/// its new ones when its slice or one of its light days changed.
fn track_lights(t: &mut Tallies, before: Option<&Case>, after: Option<&Case>) {
    let facts = |c: &Case| {
        (
            Dims::of_case(c),
            c.red_on.map(|red| (c.yellow_on.unwrap_or(red), red)),
            c.step_red_on,
        )
    };
    if before.map(facts) == after.map(facts) {
        return;
    }
    for (c, sign) in [(before, -1), (after, 1)] {
        for (r, k) in c.map(light_rows).unwrap_or_default() {
            t.add(r, k, vec![sign]);
        }
    }
}

/// Appends a slice's conditions to a query ending in a WHERE: over `cases` or over a rollup
/// (`sv_running`, `kpi_daily`, `kpi_monthly`: the same column names). With `hide` each column
/// is written `+col` (SQLite over cases, `Backend::HIDE_SLICE_COLUMNS`), which keeps SQLite's
/// planner from reaching for an index on that one column instead of the light index that
/// carries them all: a count then reads only its part of that index.
pub(super) fn slice_where(q: Sql, s: &Slice, hide: bool) -> Sql {
    let p = if hide { "+" } else { "" };
    let col = |c: &str| format!("{p}{c}");
    let mut q = scope_where(
        q,
        &s.scope,
        Some(&col("department_id")),
        Some(&col("region_id")),
    );
    if let Some(path) = &s.region_path {
        q = q.and_under(&col("region_id"), path.clone());
    }
    for (c, v) in [
        ("department_id", s.department_id),
        ("window_id", s.window_id),
        ("clerk_id", s.clerk_id),
        ("matter_id", s.matter_id),
    ] {
        if let Some(v) = v {
            q = q.and(&format!("{} = $?", col(c)), v);
        }
    }
    if !s.window_in.is_empty() {
        // Unprefixed: a few windows are best found through the window index, one by one.
        let mut list = Vec::new();
        for w in &s.window_in {
            list.push(q.next_placeholder());
            q = q.bind(*w);
        }
        q.text = format!("{} AND window_id IN ({})", q.text, list.join(", ")).into();
    }
    if let Some(c) = s.channel {
        // Text has no unary plus: `|| ''` does the same for it.
        let cond = if hide {
            "channel || '' = $?"
        } else {
            "channel = $?"
        };
        q = q.and(cond, c.code());
    }
    q
}

/// A light's condition on `today` ($1) and the order of its list.
fn pick_sql(pick: LightPick) -> (&'static str, &'static str) {
    match pick {
        // $1 is the first day here; the partial index `cases_concluded_late` carries it.
        LightPick::ConcludedLate { .. } => (
            "concluded_on IS NOT NULL AND decided_on > promised_due AND concluded_on >= $1",
            "concluded_on DESC, id DESC",
        ),
        LightPick::Red => ("red_on IS NOT NULL AND red_on <= $1", "red_on, id"),
        LightPick::Yellow => (
            "yellow_on IS NOT NULL AND yellow_on <= $1 AND red_on > $1",
            "red_on, id",
        ),
        LightPick::Green => ("yellow_on IS NOT NULL AND yellow_on > $1", "yellow_on, id"),
        LightPick::StepRed => (
            "step_red_on IS NOT NULL AND step_red_on <= $1",
            "step_red_on, id",
        ),
    }
}

async fn count<B: Backend>(b: &B, q: Sql) -> Result<i64> {
    let (n,): (i64,) = b.read_opt(q).await?.unwrap_or((0,));
    Ok(n)
}

const URGE_SELECT: &str = "SELECT u.id, u.case_id, c.number AS case_number, c.matter_name, u.step_id, \
     s.name AS step_name, u.department_id, u.region_id, u.target_user_id, u.origin, u.level, \
     u.message, u.respond_by, u.escalate_on, u.rectification, u.referred_on, u.state, u.issued_by, \
     u.issued_by_name, u.issued_at, u.response, u.answered_by, u.answered_by_name, \
     u.answered_at, u.version \
     FROM urges u JOIN cases c ON c.id = u.case_id LEFT JOIN case_steps s ON s.id = u.step_id";

#[derive(sqlx::FromRow)]
struct UrgeRow {
    id: i64,
    case_id: i64,
    case_number: String,
    matter_name: String,
    step_id: Option<i64>,
    step_name: Option<String>,
    department_id: i64,
    region_id: i64,
    target_user_id: Option<i64>,
    origin: String,
    level: String,
    message: String,
    respond_by: Option<NaiveDate>,
    escalate_on: Option<NaiveDate>,
    rectification: Option<String>,
    referred_on: Option<NaiveDate>,
    state: String,
    issued_by: Option<i64>,
    issued_by_name: String,
    issued_at: DateTime<Utc>,
    response: Option<String>,
    answered_by: Option<i64>,
    answered_by_name: Option<String>,
    answered_at: Option<DateTime<Utc>>,
    version: i64,
}

fn parsed<T>(what: &str, v: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(v).ok_or_else(|| StoreError::Database(format!("unreadable {what} '{v}' in urges")))
}

impl UrgeRow {
    fn into_urge(self) -> Result<Urge> {
        Ok(Urge {
            id: self.id,
            case_id: self.case_id,
            case_number: self.case_number,
            matter_name: self.matter_name,
            step_id: self.step_id,
            step_name: self.step_name,
            department_id: self.department_id,
            region_id: self.region_id,
            target_user_id: self.target_user_id,
            origin: parsed("origin", &self.origin, UrgeOrigin::parse)?,
            level: parsed("level", &self.level, UrgeLevel::parse)?,
            message: self.message,
            respond_by: self.respond_by,
            escalate_on: self.escalate_on,
            rectification: self.rectification,
            referred_on: self.referred_on,
            state: parsed("state", &self.state, UrgeState::parse)?,
            issued_by: self.issued_by,
            issued_by_name: self.issued_by_name,
            issued_at: self.issued_at,
            response: self.response,
            answered_by: self.answered_by,
            answered_by_name: self.answered_by_name,
            answered_at: self.answered_at,
            version: self.version,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LogRow {
    at: DateTime<Utc>,
    action: String,
    level: String,
    actor_name: String,
    note: Option<String>,
}

async fn read_urge<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Urge> {
    let row: UrgeRow = B::opt(tx, sql(format!("{URGE_SELECT} WHERE u.id = $1")).bind(id))
        .await?
        .ok_or_else(|| {
            StoreError::Domain(onewindow_core::DomainError::not_found(Text::fixed(
                "督办", "urge",
            )))
        })?;
    row.into_urge()
}

async fn log<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    urge_id: i64,
    action: &str,
    level: UrgeLevel,
    at: DateTime<Utc>,
    note: Option<&str>,
) -> Result<()> {
    B::exec(
        tx,
        sql(
            "INSERT INTO urge_log (urge_id, at, action, level, actor_id, actor_name, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(urge_id)
        .bind(at)
        .bind(action)
        .bind(level.code())
        .bind(ctx.actor_id)
        .bind(ctx.actor_name.clone())
        .bind(note),
    )
    .await?;
    Ok(())
}

async fn audit<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    u: &Urge,
    action: &str,
    summary: serde_json::Value,
) -> Result<()> {
    super::audit::append::<B>(
        tx,
        ctx,
        Change {
            action: format!("urge.{action}"),
            target_type: "case".into(),
            target_id: Some(u.case_id),
            department_id: Some(u.department_id),
            region_id: Some(u.region_id),
            summary,
        },
    )
    .await?;
    Ok(())
}

async fn insert_urge<B: Backend>(tx: &mut B::Tx, ctx: &Context, n: &NewUrge) -> Result<Urge> {
    let (id,): (i64,) = B::opt(
        tx,
        sql(
            "INSERT INTO urges (case_id, step_id, department_id, region_id, target_user_id, origin,
                 level, message, respond_by, escalate_on, rectification, state, issued_by,
                 issued_by_name, issued_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13, $14)
             RETURNING id",
        )
        .bind(n.case_id)
        .bind(n.step_id)
        .bind(n.department_id)
        .bind(n.region_id)
        .bind(n.target_user_id)
        .bind(n.origin.code())
        .bind(n.level.code())
        .bind(n.message.clone())
        .bind(n.respond_by)
        .bind(n.escalate_on)
        .bind(n.rectification.clone())
        .bind(ctx.actor_id)
        .bind(ctx.actor_name.clone())
        .bind(n.at),
    )
    .await?
    .ok_or_else(|| StoreError::Database("insert returned no id".into()))?;
    log::<B>(tx, ctx, id, "issue", n.level, n.at, Some(&n.message)).await?;
    let u = read_urge::<B>(tx, id).await?;
    audit::<B>(
        tx,
        ctx,
        &u,
        "issue",
        json!({"after": {"urge": id, "number": u.case_number, "step": n.step_id,
            "origin": n.origin.code(), "level": n.level.code(), "message": n.message,
            "target_user_id": n.target_user_id, "respond_by": n.respond_by}}),
    )
    .await?;
    Ok(u)
}

async fn escalate<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    e: &Escalation,
) -> Result<Option<Urge>> {
    let n = B::exec(
        tx,
        sql(
            "UPDATE urges SET level = $1, respond_by = $2, escalate_on = $3,
                 rectification = COALESCE($4, rectification), message = COALESCE($7, message),
                 version = version + 1
             WHERE id = $5 AND version = $6 AND state = 'open'",
        )
        .bind(e.level.code())
        .bind(e.respond_by)
        .bind(e.escalate_on)
        .bind(e.rectification.clone())
        .bind(e.urge_id)
        .bind(e.version)
        .bind(e.message.clone()),
    )
    .await?;
    if n == 0 {
        return Ok(None);
    }
    log::<B>(tx, ctx, e.urge_id, "escalate", e.level, e.at, Some(&e.note)).await?;
    let u = read_urge::<B>(tx, e.urge_id).await?;
    audit::<B>(
        tx,
        ctx,
        &u,
        "escalate",
        json!({"after": {"urge": u.id, "number": u.case_number, "level": e.level.code(),
            "respond_by": e.respond_by, "note": e.note}}),
    )
    .await?;
    Ok(Some(u))
}

/// An open red card past its limit, referred to the supervision office (once: its version).
async fn refer<B: Backend>(tx: &mut B::Tx, ctx: &Context, r: &Referral) -> Result<Option<Urge>> {
    let n = B::exec(
        tx,
        sql(
            "UPDATE urges SET referred_on = $1, escalate_on = NULL, version = version + 1
             WHERE id = $2 AND version = $3 AND state = 'open' AND referred_on IS NULL",
        )
        .bind(local_date(r.at))
        .bind(r.urge_id)
        .bind(r.version),
    )
    .await?;
    if n == 0 {
        return Ok(None);
    }
    log::<B>(
        tx,
        ctx,
        r.urge_id,
        "refer",
        UrgeLevel::RedCard,
        r.at,
        Some(&r.note),
    )
    .await?;
    let u = read_urge::<B>(tx, r.urge_id).await?;
    audit::<B>(
        tx,
        ctx,
        &u,
        "refer",
        json!({"after": {"urge": u.id, "number": u.case_number, "referred_on": u.referred_on,
            "note": r.note}}),
    )
    .await?;
    Ok(Some(u))
}

impl<B: Backend> SqlStore<B> {
    /// Light counts from the marginal tables, one row per key when `grouped`, else one row.
    async fn marginal_lights(
        &self,
        m: Marginal,
        today: NaiveDate,
        grouped: bool,
    ) -> Result<Vec<(String, LightCounts)>> {
        let (k, group) = if grouped {
            ("key", " GROUP BY key")
        } else {
            ("'all'", "")
        };
        let lights = m.clone().and_where(
            sql(format!(
                "SELECT {k}, CAST(COALESCE(SUM(n), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN yellow_on <= $1 THEN n ELSE 0 END), 0) AS BIGINT),
                        CAST(COALESCE(SUM(CASE WHEN red_on <= $1 THEN n ELSE 0 END), 0) AS BIGINT)
                 FROM sv_lights_by WHERE 1 = 1"
            ))
            .bind(today),
        );
        let steps = m.and_where(
            sql(format!(
                "SELECT {k}, CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM sv_step_red_by
                 WHERE step_red_on <= $1"
            ))
            .bind(today),
        );
        let with_group = |q: Sql| sql(format!("{}{group}", q.text)).with_args(q.args);
        let lights: Vec<(String, i64, i64, i64)> = self.b.read_all(with_group(lights)).await?;
        let steps: Vec<(String, i64)> = self.b.read_all(with_group(steps)).await?;
        let mut out: BTreeMap<String, LightCounts> = BTreeMap::new();
        for (k, running, yellow_or_red, red) in lights {
            let c = out.entry(k).or_default();
            c.running = running;
            c.green = (running - yellow_or_red).max(0);
            c.yellow = yellow_or_red - red;
            c.red = red;
        }
        for (k, n) in steps {
            out.entry(k).or_default().step_red = n;
        }
        // A key whose cases all moved away keeps rows of zeros: not listed.
        out.retain(|_, c| *c != LightCounts::default());
        Ok(out.into_iter().collect())
    }

    /// The slice without region conditions that every case meets (a district supervisor looking
    /// at the district): a case's region is its department's, so when every department lies
    /// under the region the condition is dropped. Checking each case against the region tree
    /// costs as much as the count itself.
    pub(super) async fn without_no_ops(&self, s: &Slice) -> Result<Slice> {
        let mut s = s.clone();
        for path in [&mut s.region_path, &mut s.scope.region_path] {
            if let Some(p) = path.clone() {
                let (outside,): (i64,) = self
                    .b
                    .read_opt(
                        sql("SELECT COUNT(*) FROM departments d JOIN regions r ON r.id = d.region_id
                             WHERE r.path NOT LIKE $1 || '%'")
                        .bind(p),
                    )
                    .await?
                    .unwrap_or((1,));
                if outside == 0 {
                    *path = None;
                }
            }
        }
        Ok(s)
    }
}

#[async_trait]
impl<B: Backend> SupervisionStore for SqlStore<B> {
    async fn light_counts(&self, slice: &Slice, today: NaiveDate) -> Result<LightCounts> {
        let slice = &self.without_no_ops(slice).await?;
        if let Some(m) = Marginal::of(slice, true) {
            let counts = self.marginal_lights(m, today, false).await?;
            return Ok(counts
                .into_iter()
                .next()
                .map(|(_, c)| c)
                .unwrap_or_default());
        }
        let running = count(
            self.b.as_ref(),
            slice_where(
                sql("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM sv_running WHERE 1 = 1"),
                slice,
                false,
            ),
        )
        .await?;
        // Yellow and red in one pass over the yellow index (which carries the red day).
        let q = slice_where(
            sql(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN red_on <= $1 THEN 1 ELSE 0 END), 0)
                 FROM cases WHERE yellow_on IS NOT NULL AND yellow_on <= $1",
            )
            .bind(today),
            slice,
            B::HIDE_SLICE_COLUMNS,
        );
        let (yellow_or_red, red): (i64, i64) = self.b.read_opt(q).await?.unwrap_or((0, 0));
        let step_red = count(
            self.b.as_ref(),
            slice_where(
                sql(format!(
                    "SELECT COUNT(*) FROM cases WHERE {}",
                    pick_sql(LightPick::StepRed).0
                ))
                .bind(today),
                slice,
                B::HIDE_SLICE_COLUMNS,
            ),
        )
        .await?;
        Ok(LightCounts {
            running,
            green: (running - yellow_or_red).max(0),
            yellow: yellow_or_red - red,
            red,
            step_red,
        })
    }

    async fn light_counts_by(
        &self,
        slice: &Slice,
        by: LightsBy,
        today: NaiveDate,
    ) -> Result<Vec<(i64, LightCounts)>> {
        let slice = &self.without_no_ops(slice).await?;
        if let Some(m) = Marginal::of(slice, true).and_then(|m| m.grouped_by(by.dim())) {
            let counts = self.marginal_lights(m, today, true).await?;
            return Ok(counts
                .into_iter()
                .filter_map(|(k, c)| k.parse().ok().map(|k| (k, c)))
                .collect());
        }
        let col = by.column();
        let grouped = |q: Sql| -> Sql {
            let text = format!("{} GROUP BY {col}", q.text);
            sql(text).with_args(q.args)
        };
        let running: Vec<(i64, i64)> = self
            .b
            .read_all(grouped(slice_where(
                sql(format!(
                    "SELECT {col}, CAST(SUM(n) AS BIGINT) FROM sv_running WHERE n <> 0"
                )),
                slice,
                false,
            )))
            .await?;
        let lit: Vec<(i64, i64, i64)> = self
            .b
            .read_all(grouped(slice_where(
                sql(format!(
                    "SELECT COALESCE({col}, 0), COUNT(*),
                            COALESCE(SUM(CASE WHEN red_on <= $1 THEN 1 ELSE 0 END), 0)
                     FROM cases WHERE yellow_on IS NOT NULL AND yellow_on <= $1"
                ))
                .bind(today),
                slice,
                B::HIDE_SLICE_COLUMNS,
            )))
            .await?;
        let step_red: Vec<(i64, i64)> = self
            .b
            .read_all(grouped(slice_where(
                sql(format!(
                    "SELECT COALESCE({col}, 0), COUNT(*) FROM cases WHERE {}",
                    pick_sql(LightPick::StepRed).0
                ))
                .bind(today),
                slice,
                B::HIDE_SLICE_COLUMNS,
            )))
            .await?;
        let mut out: BTreeMap<i64, LightCounts> = BTreeMap::new();
        for (k, n) in running {
            out.entry(k).or_default().running += n;
        }
        for (k, n, red) in lit {
            let c = out.entry(k).or_default();
            c.yellow += n - red;
            c.red += red;
        }
        for (k, n) in step_red {
            out.entry(k).or_default().step_red += n;
        }
        for c in out.values_mut() {
            c.green = (c.running - c.yellow - c.red).max(0);
        }
        Ok(out.into_iter().collect())
    }

    async fn light_cases(
        &self,
        slice: &Slice,
        pick: LightPick,
        today: NaiveDate,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Case>> {
        let slice = &self.without_no_ops(slice).await?;
        let (cond, order) = pick_sql(pick);
        let day = match pick {
            LightPick::ConcludedLate { from } => from,
            _ => today,
        };
        let q = slice_where(
            sql(format!(
                "SELECT {} FROM cases WHERE {cond}",
                case_select("")
            ))
            .bind(day),
            slice,
            B::HIDE_SLICE_COLUMNS,
        );
        let q = sql(format!(
            "{} ORDER BY {order} LIMIT {} OFFSET {}",
            q.text,
            limit.clamp(1, 500),
            offset.max(0)
        ))
        .with_args(q.args);
        let rows: Vec<CaseRow> = self.b.read_all(q).await?;
        rows.into_iter().map(CaseRow::into_case).collect()
    }

    async fn rebuild_running(&self, ctx: &Context) -> Result<i64> {
        let running = "SELECT department_id, region_id, matter_id, channel, COALESCE(window_id, 0) AS window_id, \
             COALESCE(clerk_id, 0) AS clerk_id, COUNT(*) AS n FROM cases WHERE red_on IS NOT NULL \
             GROUP BY department_id, region_id, matter_id, channel, COALESCE(window_id, 0), COALESCE(clerk_id, 0)";
        let lights = recount_marginals(
            &[
                ("COALESCE(yellow_on, red_on)", "yellow_on"),
                ("red_on", "red_on"),
            ],
            "red_on IS NOT NULL",
        );
        let steps = recount_marginals(&[("step_red_on", "step_red_on")], "step_red_on IS NOT NULL");
        let tables: [(&Rollup, String); 3] = [
            (&RUNNING, running.to_string()),
            (&LIGHTS_BY, lights),
            (&STEP_RED_BY, steps),
        ];
        let mut tx = self.b.begin().await?;
        let mut wrong = 0;
        for (r, recount) in tables {
            let cols = r.keys.join(", ");
            // Rows of the rollup that the recount does not reproduce, either way.
            let kept = format!("SELECT {cols}, n FROM {} WHERE n <> 0", r.table);
            let recount = format!("SELECT {cols}, n FROM ({recount}) r WHERE n <> 0");
            let (n,): (i64,) = B::opt(
                &mut tx,
                sql(format!(
                    "SELECT (SELECT COUNT(*) FROM ({kept} EXCEPT {recount}) d1)
                          + (SELECT COUNT(*) FROM ({recount} EXCEPT {kept}) d2)"
                )),
            )
            .await?
            .unwrap_or((0,));
            wrong += n;
            B::exec(&mut tx, sql(format!("DELETE FROM {}", r.table))).await?;
            B::exec(
                &mut tx,
                sql(format!("INSERT INTO {} ({cols}, n) {recount}", r.table)),
            )
            .await?;
        }
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "supervision.rebuild".into(),
                target_type: "rollup".into(),
                target_id: None,
                department_id: None,
                region_id: None,
                summary: json!({"rollup": "sv_running", "wrong_rows": wrong}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(wrong)
    }

    async fn issue_urge(&self, ctx: &Context, new: NewUrge) -> Result<Urge> {
        let mut tx = self.b.begin().await?;
        let u = insert_urge::<B>(&mut tx, ctx, &new).await?;
        B::commit(tx).await?;
        Ok(u)
    }

    async fn urge(&self, id: i64) -> Result<Option<Urge>> {
        let row: Option<UrgeRow> = self
            .b
            .read_opt(sql(format!("{URGE_SELECT} WHERE u.id = $1")).bind(id))
            .await?;
        row.map(UrgeRow::into_urge).transpose()
    }

    async fn urges(&self, f: &UrgeFilter) -> Result<Vec<Urge>> {
        let mut q = scope_where(
            sql(format!("{URGE_SELECT} WHERE 1 = 1")),
            &f.scope,
            Some("u.department_id"),
            Some("u.region_id"),
        );
        if let Some(c) = f.case_id {
            let p = q.next_placeholder();
            q.text = format!("{} AND u.case_id = {p}", q.text).into();
            q = q.bind(c);
        }
        if f.open_only {
            q.text = format!("{} AND u.state = 'open'", q.text).into();
        }
        if let Some((user, dept)) = f.answerer {
            let p = q.next_placeholder();
            let cond = match dept {
                Some(_) => format!(
                    "(u.target_user_id = {p} OR (u.target_user_id IS NULL AND u.department_id = ${}))",
                    q.args.len() + 2
                ),
                None => format!("u.target_user_id = {p}"),
            };
            q.text = format!("{} AND {cond}", q.text).into();
            q = q.bind(user);
            if let Some(d) = dept {
                q = q.bind(d);
            }
        }
        let q = sql(format!(
            "{} ORDER BY u.id DESC LIMIT {}",
            q.text,
            f.limit.clamp(1, 1000)
        ))
        .with_args(q.args);
        let rows: Vec<UrgeRow> = self.b.read_all(q).await?;
        rows.into_iter().map(UrgeRow::into_urge).collect()
    }

    async fn urge_log(&self, urge_id: i64) -> Result<Vec<UrgeLogLine>> {
        let rows: Vec<LogRow> = self
            .b
            .read_all(
                sql("SELECT at, action, level, actor_name, note FROM urge_log
                     WHERE urge_id = $1 ORDER BY id")
                .bind(urge_id),
            )
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(UrgeLogLine {
                    at: r.at,
                    action: r.action,
                    level: parsed("level", &r.level, UrgeLevel::parse)?,
                    actor_name: r.actor_name,
                    note: r.note,
                })
            })
            .collect()
    }

    async fn answer_urge(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        response: String,
        at: DateTime<Utc>,
    ) -> Result<Urge> {
        let mut tx = self.b.begin().await?;
        let before = read_urge::<B>(&mut tx, id).await?;
        if before.state != UrgeState::Open {
            return Err(StoreError::Domain(onewindow_core::DomainError::conflict(
                "urge",
                "该督办已反馈",
                "the urge has been answered already",
            )));
        }
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE urges SET state = 'answered', response = $1, answered_by = $2,
                     answered_by_name = $3, answered_at = $4, escalate_on = NULL,
                     version = version + 1
                 WHERE id = $5 AND version = $6 AND state = 'open'",
            )
            .bind(response.clone())
            .bind(ctx.actor_id)
            .bind(ctx.actor_name.clone())
            .bind(at)
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(onewindow_core::DomainError::stale(
                "version",
            )));
        }
        log::<B>(
            &mut tx,
            ctx,
            id,
            "answer",
            before.level,
            at,
            Some(&response),
        )
        .await?;
        let u = read_urge::<B>(&mut tx, id).await?;
        audit::<B>(
            &mut tx,
            ctx,
            &u,
            "answer",
            json!({"before": {"state": "open"}, "after": {"urge": id, "number": u.case_number,
                "state": "answered", "response": response}}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(u)
    }

    async fn escalate_urge(&self, ctx: &Context, e: Escalation) -> Result<Option<Urge>> {
        let mut tx = self.b.begin().await?;
        let u = escalate::<B>(&mut tx, ctx, &e).await?;
        if u.is_some() {
            B::commit(tx).await?;
        }
        Ok(u)
    }

    async fn refer_urge(&self, ctx: &Context, r: Referral) -> Result<Option<Urge>> {
        let mut tx = self.b.begin().await?;
        let u = refer::<B>(&mut tx, ctx, &r).await?;
        B::commit(tx).await?;
        Ok(u)
    }

    async fn urges_to_escalate(&self, today: NaiveDate, limit: i64) -> Result<Vec<Urge>> {
        let rows: Vec<UrgeRow> = self
            .b
            .read_all(
                sql(format!(
                    "{URGE_SELECT} WHERE u.state = 'open' AND u.escalate_on IS NOT NULL
                     AND u.escalate_on <= $1 ORDER BY u.escalate_on, u.id LIMIT {}",
                    limit.clamp(1, 1000)
                ))
                .bind(today),
            )
            .await?;
        rows.into_iter().map(UrgeRow::into_urge).collect()
    }

    async fn cases_to_warn(
        &self,
        origin: UrgeOrigin,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<(i64, NaiveDate)>> {
        let col = match origin {
            UrgeOrigin::Yellow => "yellow_on",
            UrgeOrigin::Red => "red_on",
            UrgeOrigin::StepRed => "step_red_on",
            UrgeOrigin::Manual => return Ok(Vec::new()),
        };
        let rows: Vec<(i64, NaiveDate)> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT c.id, c.{col} FROM cases c WHERE c.{col} IS NOT NULL AND c.{col} <= $1
                     AND NOT EXISTS (SELECT 1 FROM sv_warnings w WHERE w.case_id = c.id
                                     AND w.kind = $2 AND w.light_on = c.{col})
                     ORDER BY c.{col}, c.id LIMIT {}",
                    limit.clamp(1, 1000)
                ))
                .bind(today)
                .bind(origin.code()),
            )
            .await?;
        Ok(rows)
    }

    async fn claim_warning(
        &self,
        ctx: &Context,
        case_id: i64,
        origin: UrgeOrigin,
        light_on: NaiveDate,
        warning: Warning,
    ) -> Result<Option<Urge>> {
        let at = match &warning {
            Warning::Issue(n) => n.at,
            Warning::Escalate(e) => e.at,
        };
        let mut tx = self.b.begin().await?;
        let claimed: Option<(i64,)> = B::opt(
            &mut tx,
            sql(
                "INSERT INTO sv_warnings (case_id, kind, light_on, at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING RETURNING case_id",
            )
            .bind(case_id)
            .bind(origin.code())
            .bind(light_on)
            .bind(at),
        )
        .await?;
        if claimed.is_none() {
            return Ok(None);
        }
        let u = match &warning {
            Warning::Issue(n) => insert_urge::<B>(&mut tx, ctx, n).await?,
            Warning::Escalate(e) => match escalate::<B>(&mut tx, ctx, e).await? {
                Some(u) => u,
                // Answered or raised meanwhile: leave the claim for the next round.
                None => {
                    return Err(StoreError::Domain(onewindow_core::DomainError::stale(
                        "urge",
                    )));
                }
            },
        };
        B::exec(
            &mut tx,
            sql("UPDATE sv_warnings SET urge_id = $1 WHERE case_id = $2 AND kind = $3 AND light_on = $4")
                .bind(u.id)
                .bind(case_id)
                .bind(origin.code())
                .bind(light_on),
        )
        .await?;
        B::commit(tx).await?;
        Ok(Some(u))
    }
}
