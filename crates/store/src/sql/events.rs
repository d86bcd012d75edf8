//! Community problems (社情问题): reported through the group commit (numbered, with photos, a
//! trail line and an audit entry), then moved step by step under their version, each step with
//! its trail line and audit entry in the same transaction; counted by grid, category and
//! department.

use super::{SqlStore, next_seq, scope_where};
use crate::backend::{Arg, Backend, Sql, sql};
use crate::error::{Result, StoreError};
use crate::model::{EventFilter, EventPhoto, EventTally, NewEventRecord, NewFile, ScopeFilter};
use chrono::{DateTime, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::calendar::Calendar;
use onewindow_core::grid::event::{self, Action, Env, Extension, LogLine, Progress, Source, State};
use onewindow_core::grid::limit::{Limit, StepLimits};
use onewindow_core::grid::report::{Event, Point};
use onewindow_core::time::local_date;
use onewindow_core::{DomainError, Text};
use serde_json::json;

const COLS: &str = "id, number, source, category_id, grid_id, department_id, region_id, \
     reporter_id, reporter_name, reporter_phone, reporter_email, description, address, lon_e6, \
     lat_e6, attributes, state, decline_reason, step_at, dispatched_at, register_due, \
     dispatch_due, sign_due, handle_due, returns, ext_days, ext_reason, ext_approved, result, \
     fed_back_at, verify_note, verify_photo, reopened, urges, satisfaction, reported_at, \
     closed_at, updated_at, version";

/// A typical 12345 limit, for an event dispatched without a category.
pub(crate) const DEFAULT_HANDLE: Limit = Limit::working_days(5);

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    number: String,
    source: String,
    category_id: Option<i64>,
    grid_id: Option<i64>,
    department_id: Option<i64>,
    region_id: i64,
    reporter_id: Option<i64>,
    reporter_name: String,
    reporter_phone: String,
    reporter_email: String,
    description: String,
    address: String,
    lon_e6: Option<i64>,
    lat_e6: Option<i64>,
    attributes: String,
    state: String,
    decline_reason: Option<String>,
    step_at: Option<DateTime<Utc>>,
    dispatched_at: Option<DateTime<Utc>>,
    register_due: Option<DateTime<Utc>>,
    dispatch_due: Option<DateTime<Utc>>,
    sign_due: Option<DateTime<Utc>>,
    handle_due: Option<DateTime<Utc>>,
    returns: i64,
    ext_days: Option<i64>,
    ext_reason: Option<String>,
    ext_approved: Option<bool>,
    result: Option<String>,
    fed_back_at: Option<DateTime<Utc>>,
    verify_note: Option<String>,
    verify_photo: Option<String>,
    reopened: i64,
    urges: i64,
    satisfaction: Option<i64>,
    reported_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    version: i64,
}

fn unreadable(what: &str, v: &str) -> StoreError {
    StoreError::Database(format!("unreadable event {what} '{v}'"))
}

impl Row {
    fn into_event(self) -> Result<Event> {
        let extension = match (self.ext_days, self.ext_reason) {
            (Some(days), Some(reason)) => Some(Extension {
                days,
                reason,
                approved: self.ext_approved,
            }),
            _ => None,
        };
        Ok(Event {
            id: self.id,
            number: self.number,
            source: Source::parse(&self.source)
                .ok_or_else(|| unreadable("source", &self.source))?,
            region_id: self.region_id,
            reporter_id: self.reporter_id,
            reporter_name: self.reporter_name,
            reporter_phone: self.reporter_phone,
            reporter_email: self.reporter_email,
            description: self.description,
            address: self.address,
            point: match (self.lon_e6, self.lat_e6) {
                (Some(x), Some(y)) => Some(Point::from_e6(x, y)),
                _ => None,
            },
            attributes: serde_json::from_str(&self.attributes)
                .map_err(|_| unreadable("attributes", &self.attributes))?,
            progress: Progress {
                state: State::parse(&self.state).ok_or_else(|| unreadable("state", &self.state))?,
                category_id: self.category_id,
                department_id: self.department_id,
                grid_id: self.grid_id,
                decline_reason: self.decline_reason,
                dispatched_at: self.dispatched_at,
                register_due: self.register_due,
                dispatch_due: self.dispatch_due,
                sign_due: self.sign_due,
                handle_due: self.handle_due,
                returns: self.returns,
                extension,
                result: self.result,
                verify_note: self.verify_note,
                verify_photo: self.verify_photo,
                reopened: self.reopened,
                satisfaction: self.satisfaction,
                step_at: self.step_at,
                fed_back_at: self.fed_back_at,
                urges: self.urges,
            },
            reported_at: self.reported_at,
            closed_at: self.closed_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

fn rows(rows: Vec<Row>) -> Result<Vec<Event>> {
    rows.into_iter().map(Row::into_event).collect()
}

fn not_found() -> StoreError {
    StoreError::Domain(DomainError::not_found(Text::fixed("事件", "event")))
}

async fn read<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Event> {
    let row: Row = B::opt(
        tx,
        sql(format!("SELECT {COLS} FROM events WHERE id = $1")).bind(id),
    )
    .await?
    .ok_or_else(not_found)?;
    row.into_event()
}

fn change(e: &Event, action: &str, note: Option<&str>) -> Change {
    Change {
        action: format!("event.{action}"),
        target_type: "event".into(),
        target_id: Some(e.id),
        department_id: e.progress.department_id,
        region_id: Some(e.region_id),
        summary: json!({"after": {"number": e.number, "state": e.progress.state.code(),
            "department_id": e.progress.department_id, "grid_id": e.progress.grid_id,
            "note": note}}),
    }
}

fn photo_args(
    event_id: i64,
    stage: &str,
    f: &NewFile,
    by: Option<i64>,
    at: DateTime<Utc>,
) -> Vec<Arg> {
    vec![
        event_id.into(),
        stage.into(),
        f.file_name.clone().into(),
        f.content_type.clone().into(),
        f.size.into(),
        f.sha256.clone().into(),
        by.into(),
        at.into(),
    ]
}

const PHOTO_INTO: &str =
    "event_photos (event_id, stage, file_name, content_type, size, sha256, added_by, added_at)";

/// The insert of a report, in a group's transaction; what it only appends goes to `later`.
pub(super) async fn insert<B: Backend>(
    g: &mut crate::group::GroupTx<B>,
    ctx: &Context,
    n: &NewEventRecord,
) -> Result<Event> {
    let day = local_date(n.at);
    let seq = next_seq::<B>(&mut g.tx, "event", day).await?;
    let number = format!("SJ{}{seq:05}", day.format("%Y%m%d"));
    let e = &n.event;
    let (lon, lat) = match e.point.map(Point::e6) {
        Some((x, y)) => (Some(x), Some(y)),
        None => (None, None),
    };
    let (id,): (i64,) = B::opt(
        &mut g.tx,
        sql(
            "INSERT INTO events (number, source, category_id, grid_id, region_id, reporter_id,
                 reporter_name, reporter_phone, reporter_email, description, address, lon_e6,
                 lat_e6, attributes, token, state, step_at, register_due, reported_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                 'reported', $16, $17, $16, $16)
             RETURNING id",
        )
        .bind(number.clone())
        .bind(n.source.code())
        .bind(e.category_id)
        .bind(n.grid_id)
        .bind(n.region_id)
        .bind(n.reporter_id)
        .bind(e.reporter_name.clone())
        .bind(e.reporter_phone.clone())
        .bind(e.reporter_email.clone())
        .bind(e.description.clone())
        .bind(e.address.clone())
        .bind(lon)
        .bind(lat)
        .bind(n.attributes.to_string())
        .bind(n.token.clone())
        .bind(n.at)
        .bind(n.register_due),
    )
    .await?
    .ok_or_else(|| StoreError::Database("INSERT returned no event".into()))?;
    for f in &n.photos {
        g.later
            .insert(PHOTO_INTO, photo_args(id, "report", f, ctx.actor_id, n.at));
    }
    let ev = Event {
        id,
        number,
        source: n.source,
        region_id: n.region_id,
        reporter_id: n.reporter_id,
        reporter_name: e.reporter_name.clone(),
        reporter_phone: e.reporter_phone.clone(),
        reporter_email: e.reporter_email.clone(),
        description: e.description.clone(),
        address: e.address.clone(),
        point: e.point,
        attributes: n.attributes.clone(),
        progress: Progress {
            category_id: e.category_id,
            grid_id: n.grid_id,
            register_due: Some(n.register_due),
            step_at: Some(n.at),
            ..Progress::default()
        },
        reported_at: n.at,
        closed_at: None,
        updated_at: n.at,
        version: 1,
    };
    let note = n.source.name().zh.to_string();
    g.later.insert(
        "event_log (event_id, at, action, state, actor_id, actor_name, note)",
        vec![
            id.into(),
            n.at.into(),
            "report".into(),
            "reported".into(),
            ctx.actor_id.into(),
            ctx.actor_name.clone().into(),
            Some(note.clone()).into(),
        ],
    );
    g.later.audit(ctx, change(&ev, "report", Some(&note)));
    Ok(ev)
}

fn and_eq(q: Sql, cond: &str, v: Option<Arg>) -> Sql {
    match v {
        None => q,
        Some(v) => q.and(&format!("{cond} $?"), v),
    }
}

pub(super) fn filtered(f: &EventFilter, select: &str) -> Sql {
    let q = scope_where(
        sql(format!("SELECT {select} FROM events WHERE 1 = 1")),
        &f.scope,
        Some("department_id"),
        Some("region_id"),
    );
    let q = super::and_in(q, "id", f.ids.iter().map(|&i| i.into()).collect());
    let q = super::and_in(
        q,
        "state",
        f.states.iter().map(|s| s.code().into()).collect(),
    );
    let q = super::and_in(
        q,
        "category_id",
        f.category_ids.iter().map(|&i| i.into()).collect(),
    );
    let q = super::and_in(q, "grid_id", f.grid_ids.iter().map(|&i| i.into()).collect());
    let q = and_eq(q, "department_id =", f.department_id.map(Arg::from));
    let q = and_eq(q, "reporter_id =", f.reporter_id.map(Arg::from));
    let q = and_eq(q, "source =", f.source.map(|s| s.code().into()));
    let q = and_eq(q, "reported_at >=", f.from.map(Arg::from));
    and_eq(q, "reported_at <", f.to.map(Arg::from))
}

impl<B: Backend> SqlStore<B> {
    pub(super) async fn report_event_impl(
        &self,
        ctx: &Context,
        n: NewEventRecord,
    ) -> Result<Event> {
        let ctx = ctx.clone();
        self.group
            .write(move |g| {
                let (ctx, n) = (ctx.clone(), n.clone());
                Box::pin(async move { insert::<B>(g, &ctx, &n).await })
            })
            .await
    }

    pub(super) async fn event_impl(&self, id: i64) -> Result<Option<Event>> {
        let row: Option<Row> = self
            .b
            .read_opt(sql(format!("SELECT {COLS} FROM events WHERE id = $1")).bind(id))
            .await?;
        row.map(Row::into_event).transpose()
    }

    /// By a unique column: `number` or `token`.
    pub(super) async fn event_by_key_impl(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<Event>> {
        let row: Option<Row> = self
            .b
            .read_opt(sql(format!("SELECT {COLS} FROM events WHERE {column} = $1")).bind(value))
            .await?;
        row.map(Row::into_event).transpose()
    }

    pub(super) async fn events_impl(&self, f: &EventFilter) -> Result<Vec<Event>> {
        let q = filtered(f, COLS);
        let q = sql(format!(
            "{} ORDER BY id DESC LIMIT {}",
            q.text,
            f.limit.clamp(1, 10_000)
        ))
        .with_args(q.args);
        rows(self.b.read_all(q).await?)
    }

    pub(super) async fn events_near_impl(
        &self,
        category_id: i64,
        since: DateTime<Utc>,
        (lo, hi): ((i64, i64), (i64, i64)),
        except: Option<i64>,
    ) -> Result<Vec<Event>> {
        let q = sql(format!(
            "SELECT {COLS} FROM events WHERE category_id = $1 AND reported_at >= $2
                 AND lat_e6 BETWEEN $5 AND $6 AND lon_e6 BETWEEN $3 AND $4 AND id <> $7
                 AND state <> 'declined'
             ORDER BY id DESC LIMIT 50"
        ))
        .bind(category_id)
        .bind(since)
        .bind(lo.0)
        .bind(hi.0)
        .bind(lo.1)
        .bind(hi.1)
        .bind(except.unwrap_or(0));
        rows(self.b.read_all(q).await?)
    }

    pub(super) async fn event_log_impl(&self, id: i64) -> Result<Vec<LogLine>> {
        super::trail::EVENT
            .read(
                self.b.as_ref(),
                id,
                |(at, action, state, actor_name, note)| {
                    Some(LogLine {
                        at,
                        action,
                        state: State::parse(&state)?,
                        actor_name,
                        note,
                    })
                },
            )
            .await
    }

    pub(super) async fn event_photos_impl(&self, id: i64) -> Result<Vec<EventPhoto>> {
        type PhotoRow = (i64, i64, String, String, String, i64, String, DateTime<Utc>);
        let rows: Vec<PhotoRow> = self
            .b
            .read_all(
                sql(
                    "SELECT id, event_id, stage, file_name, content_type, size, sha256, added_at
                     FROM event_photos WHERE event_id = $1 ORDER BY id",
                )
                .bind(id),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, event_id, stage, file_name, content_type, size, sha256, added_at)| {
                    EventPhoto {
                        id,
                        event_id,
                        stage,
                        file_name,
                        content_type,
                        size,
                        sha256,
                        added_at,
                    }
                },
            )
            .collect())
    }

    pub(super) async fn add_event_photos_impl(
        &self,
        ctx: &Context,
        id: i64,
        stage: &str,
        photos: Vec<NewFile>,
        at: DateTime<Utc>,
    ) -> Result<Vec<EventPhoto>> {
        let mut tx = self.b.begin().await?;
        let e = read::<B>(&mut tx, id).await?;
        for f in &photos {
            let args = photo_args(id, stage, f, ctx.actor_id, at);
            let q = sql(format!(
                "INSERT INTO {PHOTO_INTO} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
            .with_args(args);
            B::exec(&mut tx, q).await?;
        }
        let names: Vec<&str> = photos.iter().map(|f| f.file_name.as_str()).collect();
        super::audit::append::<B>(
            &mut tx,
            ctx,
            change(&e, "photo", Some(&format!("{stage}: {}", names.join(", ")))),
        )
        .await?;
        B::commit(tx).await?;
        self.event_photos_impl(id).await
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn act_on_event_impl(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        actions: Vec<Action>,
        cal: &Calendar,
        steps: StepLimits,
        at: DateTime<Utc>,
    ) -> Result<Event> {
        let mut tx = self.b.begin().await?;
        let before = read::<B>(&mut tx, id).await?;
        if before.version != version {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let mut p = before.progress.clone();
        let mut lines = Vec::new();
        for action in actions {
            if let Action::Verify {
                photo: Some(sha), ..
            } = &action
            {
                let known: Option<(i64,)> = B::opt(
                    &mut tx,
                    sql("SELECT id FROM event_photos WHERE event_id = $1 AND sha256 = $2")
                        .bind(id)
                        .bind(sha.clone()),
                )
                .await?;
                if known.is_none() {
                    return Err(StoreError::Domain(DomainError::invalid(
                        "photo",
                        "照片不是本事件的",
                        "the photo is not one of this event's",
                    )));
                }
            }
            let category = match &action {
                Action::Register {
                    category_id: Some(c),
                } => Some(*c),
                _ => p.category_id,
            };
            let handle = match category {
                Some(c) => {
                    let row: Option<(i64, String, bool)> = B::opt(
                        &mut tx,
                        sql(
                            "SELECT limit_amount, limit_unit, active FROM event_categories
                             WHERE id = $1",
                        )
                        .bind(c),
                    )
                    .await?;
                    match row {
                        Some((amount, unit, true)) => Limit {
                            amount,
                            unit: serde_json::from_value(json!(unit))
                                .map_err(|_| unreadable("limit unit", &unit))?,
                        },
                        _ => {
                            return Err(StoreError::Domain(DomainError::invalid(
                                "category_id",
                                "没有这个问题类别",
                                "no such category",
                            )));
                        }
                    }
                }
                None => DEFAULT_HANDLE,
            };
            if let Action::Dispatch { department_id, .. } = &action {
                let d: Option<(bool,)> = B::opt(
                    &mut tx,
                    sql("SELECT active FROM departments WHERE id = $1").bind(*department_id),
                )
                .await?;
                if !matches!(d, Some((true,))) {
                    return Err(StoreError::Domain(DomainError::invalid(
                        "department_id",
                        "没有这个部门",
                        "no such department",
                    )));
                }
            }
            let env = Env {
                now: at,
                cal,
                steps,
                handle,
            };
            let code = action.code();
            let (next, note) = event::act(&p, action, &env)?;
            p = next;
            lines.push((code, p.state, note));
        }
        let ext = p.extension.clone();
        let closed = p.state == State::Closed && before.progress.state != State::Closed;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE events SET state = $1, category_id = $2, department_id = $3, grid_id = $4,
                     decline_reason = $5, step_at = $6, dispatched_at = $7, register_due = $8,
                     dispatch_due = $9, sign_due = $10, handle_due = $11, returns = $12,
                     ext_days = $13, ext_reason = $14, ext_approved = $15, result = $16,
                     fed_back_at = $17, on_time = $18, verify_note = $19, verify_photo = $20,
                     reopened = $21, urges = $22, satisfaction = $23,
                     closed_at = CASE WHEN $24 THEN $25 ELSE closed_at END, updated_at = $25,
                     version = version + 1
                 WHERE id = $26 AND version = $27",
            )
            .bind(p.state.code())
            .bind(p.category_id)
            .bind(p.department_id)
            .bind(p.grid_id)
            .bind(p.decline_reason.clone())
            .bind(p.step_at)
            .bind(p.dispatched_at)
            .bind(p.register_due)
            .bind(p.dispatch_due)
            .bind(p.sign_due)
            .bind(p.handle_due)
            .bind(p.returns)
            .bind(ext.as_ref().map(|e| e.days))
            .bind(ext.as_ref().map(|e| e.reason.clone()))
            .bind(ext.as_ref().and_then(|e| e.approved))
            .bind(p.result.clone())
            .bind(p.fed_back_at)
            .bind(event::on_time(&p))
            .bind(p.verify_note.clone())
            .bind(p.verify_photo.clone())
            .bind(p.reopened)
            .bind(p.urges)
            .bind(p.satisfaction)
            .bind(closed)
            .bind(at)
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let after = read::<B>(&mut tx, id).await?;
        for (code, state, note) in lines {
            let note = Some(note.as_str()).filter(|n| !n.is_empty());
            super::trail::EVENT
                .write::<B>(&mut tx, ctx, id, code, state.code(), at, note)
                .await?;
            super::audit::append::<B>(&mut tx, ctx, change(&after, code, note)).await?;
        }
        B::commit(tx).await?;
        Ok(after)
    }

    pub(super) async fn event_tallies_impl(
        &self,
        scope: &ScopeFilter,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<EventTally>> {
        let f = EventFilter {
            scope: scope.clone(),
            from: Some(from),
            to: Some(to),
            ..EventFilter::default()
        };
        let q = filtered(
            &f,
            "grid_id, category_id, department_id, COUNT(*) AS received,
             SUM(CASE WHEN state IN ('reported', 'declined') THEN 0 ELSE 1 END) AS registered,
             SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END) AS closed,
             SUM(CASE WHEN on_time IS NULL THEN 0 ELSE 1 END) AS fed_back,
             SUM(CASE WHEN on_time THEN 1 ELSE 0 END) AS on_time",
        );
        let q = sql(format!(
            "{} GROUP BY grid_id, category_id, department_id",
            q.text
        ))
        .with_args(q.args);
        self.b.read_all(q).await
    }
}
