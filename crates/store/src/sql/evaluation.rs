//! Service evaluation (好差评): ratings of every kind with the rater kept apart, one-time rating
//! links, the rectification a bad rating opens and its trail, and appeals. A rating, its link,
//! its figures and its rectification are written in one transaction; so are an upheld appeal,
//! the rating leaving the figures and its rectification closing.

use super::SqlStore;
use super::figures::{RatingFacts, track_rating};
use super::rollup::Tallies;
use super::scope_where;
use crate::EvaluationStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::case::clock::Light;
use onewindow_core::evaluation::rating::{Channel, Given, Kind, Scores};
use onewindow_core::evaluation::rectification::{
    self, Action, LogLine, Outcome, Progress, Rectification, State,
};
use onewindow_core::evaluation::{Appeal, AppealDecision, AppealState, Rating};
use onewindow_core::{DomainError, Text};
use serde_json::json;

const RATING_COLS: &str = "r.id, r.kind, r.channel, r.ticket_id, r.case_id, r.matter_id, \
     r.department_id, r.region_id, r.hall_id, r.window_id, r.clerk_id, r.level, r.scores, r.comment, r.reason, \
     r.counted, r.created_at, (SELECT c.number FROM cases c WHERE c.id = r.case_id) AS case_number";

#[derive(sqlx::FromRow)]
struct RatingRow {
    id: i64,
    kind: String,
    channel: String,
    ticket_id: Option<i64>,
    case_id: Option<i64>,
    matter_id: Option<i64>,
    department_id: Option<i64>,
    region_id: Option<i64>,
    hall_id: Option<i64>,
    window_id: Option<i64>,
    clerk_id: Option<i64>,
    level: i64,
    scores: String,
    comment: Option<String>,
    reason: Option<String>,
    counted: bool,
    created_at: DateTime<Utc>,
    case_number: Option<String>,
}

impl RatingRow {
    fn into_rating(self) -> Result<Rating> {
        let scores: Scores = serde_json::from_str(&self.scores).map_err(|e| {
            StoreError::Database(format!("unreadable scores of rating {}: {e}", self.id))
        })?;
        Ok(Rating {
            id: self.id,
            kind: self.kind,
            channel: self.channel,
            ticket_id: self.ticket_id,
            case_id: self.case_id,
            matter_id: self.matter_id,
            department_id: self.department_id,
            region_id: self.region_id,
            hall_id: self.hall_id,
            window_id: self.window_id,
            clerk_id: self.clerk_id,
            level: self.level,
            scores,
            comment: self.comment,
            reason: self.reason,
            counted: self.counted,
            created_at: self.created_at,
            case_number: self.case_number,
        })
    }
}

/// What a rating is tied to, as the store found it.
#[derive(Clone, Debug, Default)]
pub(super) struct Facts {
    pub ticket_id: Option<i64>,
    pub case_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub department_id: Option<i64>,
    pub region_id: i64,
    pub hall_id: Option<i64>,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    /// The figures' channel (the case's, or `window` on site).
    pub figures_channel: String,
}

/// A rating as the pad or `rate` hands it over.
pub(super) struct Insert<'a> {
    pub kind: Kind,
    pub channel: Channel,
    pub given: &'a Given,
    pub facts: Facts,
    pub online_case: bool,
    pub rater: &'a Rater,
    pub plan: Option<RectifyPlan>,
    pub at: DateTime<Utc>,
}

fn refuse(field: &str, zh: &str, en: &str) -> StoreError {
    StoreError::Domain(DomainError::invalid(field, zh, en))
}

fn not_found(zh: &'static str, en: &'static str) -> StoreError {
    StoreError::Domain(DomainError::not_found(Text::fixed(zh, en)))
}

/// Records a rating: the row, its rater, its figures (service ratings), its audit entry and,
/// when bad, its rectification. Shared by the pad and every other channel.
pub(super) async fn insert_rating<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    n: Insert<'_>,
) -> Result<Rated> {
    let f = &n.facts;
    let scores = serde_json::to_string(&n.given.scores)
        .map_err(|e| StoreError::Database(format!("scores: {e}")))?;
    let (id,): (i64,) = B::opt(
        tx,
        sql(
            "INSERT INTO ratings (kind, channel, ticket_id, case_id, matter_id, department_id,
                 region_id, hall_id, window_id, clerk_id, level, scores, comment, reason,
                 online_case_id, counted, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, TRUE, $16)
             RETURNING id",
        )
        .bind(n.kind.code())
        .bind(n.channel.code())
        .bind(f.ticket_id)
        .bind(f.case_id)
        .bind(f.matter_id)
        .bind(f.department_id)
        .bind(f.region_id)
        .bind(f.hall_id)
        .bind(f.window_id)
        .bind(f.clerk_id)
        .bind(n.given.level)
        .bind(scores)
        .bind(n.given.comment.clone())
        .bind(n.given.reason.clone())
        .bind(if n.online_case { f.case_id } else { None })
        .bind(n.at),
    )
    .await?
    .ok_or_else(|| StoreError::Database("INSERT returned no rating".into()))?;
    let r = n.rater;
    if r.user_id.is_some() || r.name.is_some() || r.phone.is_some() || r.email.is_some() {
        B::exec(
            tx,
            sql(
                "INSERT INTO rating_raters (rating_id, user_id, name, phone, email)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(r.user_id)
            .bind(r.name.clone())
            .bind(r.phone.clone())
            .bind(r.email.clone()),
        )
        .await?;
    }
    if n.kind == Kind::Service {
        let mut tallies = Tallies::default();
        track_rating(&mut tallies, &figures_facts(f, n.given.level, n.at), 1);
        tallies.write::<B>(tx).await?;
    }
    let rating = read_rating::<B>(tx, id).await?;
    super::audit::append::<B>(
        tx,
        ctx,
        super::org::change(
            "rating",
            "create",
            id,
            (f.department_id, Some(f.region_id)),
            None,
            Some(&rating),
        ),
    )
    .await?;
    let rectification = match n.plan {
        Some(plan) if rating.is_bad() => {
            Some(open_rectification::<B>(tx, ctx, &rating, f, plan).await?)
        }
        _ => None,
    };
    Ok(Rated {
        rating,
        rectification,
    })
}

fn figures_facts(f: &Facts, level: i64, at: DateTime<Utc>) -> RatingFacts {
    RatingFacts {
        region_id: f.region_id,
        department_id: f.department_id,
        matter_id: f.matter_id,
        channel: f.figures_channel.clone(),
        window_id: f.window_id,
        clerk_id: f.clerk_id,
        level,
        at,
    }
}

async fn open_rectification<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    rating: &Rating,
    f: &Facts,
    plan: RectifyPlan,
) -> Result<Rectification> {
    let (id,): (i64,) = B::opt(
        tx,
        sql(
            "INSERT INTO rectifications (rating_id, department_id, region_id, clerk_id, matter_id,
                 state, opened_at, due_on, yellow_on, red_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(rating.id)
        .bind(f.department_id)
        .bind(f.region_id)
        .bind(f.clerk_id)
        .bind(f.matter_id)
        .bind(State::Verifying.code())
        .bind(rating.created_at)
        .bind(plan.due_on)
        .bind(plan.yellow_on)
        .bind(plan.red_on),
    )
    .await?
    .ok_or_else(|| StoreError::Database("INSERT returned no rectification".into()))?;
    log::<B>(
        tx,
        ctx,
        id,
        "open",
        State::Verifying,
        rating.created_at,
        rating.reason.as_deref(),
    )
    .await?;
    let r = read_rectification::<B>(tx, id).await?;
    audit::<B>(
        tx,
        ctx,
        &r,
        "open",
        json!({"after": {"rating": rating.id, "due_on": plan.due_on}}),
    )
    .await?;
    Ok(r)
}

/// Where a rating of `target` is counted and whom it concerns.
async fn facts_of<B: Backend>(tx: &mut B::Tx, target: &RatingTarget) -> Result<Facts> {
    match *target {
        RatingTarget::Case(id) => {
            type C = (i64, i64, i64, String, Option<i64>, Option<i64>, Option<i64>);
            let c: Option<C> = B::opt(
                tx,
                sql(
                    "SELECT c.matter_id, c.department_id, c.region_id, c.channel, c.window_id,
                            c.clerk_id, w.hall_id
                     FROM cases c LEFT JOIN windows w ON w.id = c.window_id WHERE c.id = $1",
                )
                .bind(id),
            )
            .await?;
            let (matter, dept, region, channel, window, clerk, hall) =
                c.ok_or_else(|| not_found("办件", "case"))?;
            Ok(Facts {
                case_id: Some(id),
                matter_id: Some(matter),
                department_id: Some(dept),
                region_id: region,
                hall_id: hall,
                window_id: window,
                clerk_id: clerk,
                figures_channel: channel,
                ..Facts::default()
            })
        }
        RatingTarget::Department(id) => {
            let d: Option<(i64,)> = B::opt(
                tx,
                sql("SELECT region_id FROM departments WHERE id = $1 AND active").bind(id),
            )
            .await?;
            let (region,) = d.ok_or_else(|| not_found("部门", "department"))?;
            Ok(Facts {
                department_id: Some(id),
                region_id: region,
                figures_channel: "window".into(),
                ..Facts::default()
            })
        }
        RatingTarget::Hall(id) => {
            let h: Option<(i64,)> = B::opt(
                tx,
                sql("SELECT region_id FROM halls WHERE id = $1 AND active").bind(id),
            )
            .await?;
            let (region,) = h.ok_or_else(|| not_found("大厅", "hall"))?;
            Ok(Facts {
                hall_id: Some(id),
                region_id: region,
                figures_channel: "window".into(),
                ..Facts::default()
            })
        }
        RatingTarget::Window(id) => {
            type W = (i64, i64, Option<i64>, Option<i64>);
            let w: Option<W> = B::opt(
                tx,
                sql("SELECT w.hall_id, h.region_id, ws.clerk_id,
                            (SELECT MIN(wd.department_id) FROM window_departments wd
                              WHERE wd.window_id = w.id)
                     FROM windows w JOIN halls h ON h.id = w.hall_id
                     LEFT JOIN window_seats ws ON ws.window_id = w.id
                     WHERE w.id = $1")
                .bind(id),
            )
            .await?;
            let (hall, region, clerk, dept) = w.ok_or_else(|| not_found("窗口", "window"))?;
            Ok(Facts {
                hall_id: Some(hall),
                window_id: Some(id),
                clerk_id: clerk,
                department_id: dept,
                region_id: region,
                figures_channel: "window".into(),
                ..Facts::default()
            })
        }
    }
}

async fn read_rating<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Rating> {
    let row: RatingRow = B::opt(
        tx,
        sql(format!(
            "SELECT {RATING_COLS} FROM ratings r WHERE r.id = $1"
        ))
        .bind(id),
    )
    .await?
    .ok_or_else(|| not_found("评价", "rating"))?;
    row.into_rating()
}

const RECT_SELECT: &str = "SELECT x.id, x.rating_id, r.kind AS rating_kind, r.channel AS rating_channel, \
     r.level AS rating_level, r.reason AS rating_reason, r.comment AS rating_comment, r.case_id, \
     c.number AS case_number, x.department_id, x.region_id, x.clerk_id, r.window_id, x.matter_id, \
     x.state, x.founded, x.finding, x.measures, x.explanation, x.callback_attempts, \
     x.callback_note, x.re_level, x.re_comment, x.outcome, x.opened_at, x.due_on, x.yellow_on, \
     x.red_on, x.closed_at, x.urge_count, x.warned, x.version \
     FROM rectifications x JOIN ratings r ON r.id = x.rating_id LEFT JOIN cases c ON c.id = r.case_id";

#[derive(sqlx::FromRow)]
struct RectRow {
    id: i64,
    rating_id: i64,
    rating_kind: String,
    rating_channel: String,
    rating_level: i64,
    rating_reason: Option<String>,
    rating_comment: Option<String>,
    case_id: Option<i64>,
    case_number: Option<String>,
    department_id: Option<i64>,
    region_id: i64,
    clerk_id: Option<i64>,
    window_id: Option<i64>,
    matter_id: Option<i64>,
    state: String,
    founded: Option<bool>,
    finding: Option<String>,
    measures: Option<String>,
    explanation: Option<String>,
    callback_attempts: i64,
    callback_note: Option<String>,
    re_level: Option<i64>,
    re_comment: Option<String>,
    outcome: Option<String>,
    opened_at: DateTime<Utc>,
    due_on: NaiveDate,
    yellow_on: NaiveDate,
    red_on: NaiveDate,
    closed_at: Option<DateTime<Utc>>,
    urge_count: i64,
    warned: i64,
    version: i64,
}

fn parsed<T>(what: &str, v: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(v).ok_or_else(|| StoreError::Database(format!("unreadable {what} '{v}'")))
}

impl RectRow {
    fn into_rectification(self) -> Result<Rectification> {
        Ok(Rectification {
            id: self.id,
            rating_id: self.rating_id,
            rating_kind: self.rating_kind,
            rating_channel: self.rating_channel,
            rating_level: self.rating_level,
            rating_reason: self.rating_reason,
            rating_comment: self.rating_comment,
            case_id: self.case_id,
            case_number: self.case_number,
            department_id: self.department_id,
            region_id: self.region_id,
            clerk_id: self.clerk_id,
            window_id: self.window_id,
            matter_id: self.matter_id,
            progress: Progress {
                state: parsed("rectification state", &self.state, State::parse)?,
                founded: self.founded,
                finding: self.finding,
                measures: self.measures,
                explanation: self.explanation,
                callback_attempts: self.callback_attempts,
                callback_note: self.callback_note,
                re_level: self.re_level,
                re_comment: self.re_comment,
                outcome: self
                    .outcome
                    .as_deref()
                    .map(|o| parsed("rectification outcome", o, Outcome::parse))
                    .transpose()?,
            },
            opened_at: self.opened_at,
            due_on: self.due_on,
            yellow_on: self.yellow_on,
            red_on: self.red_on,
            closed_at: self.closed_at,
            urge_count: self.urge_count,
            warned: self.warned,
            version: self.version,
        })
    }
}

async fn read_rectification<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Rectification> {
    let row: RectRow = B::opt(tx, sql(format!("{RECT_SELECT} WHERE x.id = $1")).bind(id))
        .await?
        .ok_or_else(|| not_found("差评整改", "rectification"))?;
    row.into_rectification()
}

async fn log<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    id: i64,
    action: &str,
    state: State,
    at: DateTime<Utc>,
    note: Option<&str>,
) -> Result<()> {
    super::trail::RECTIFICATION
        .write::<B>(tx, ctx, id, action, state.code(), at, note)
        .await
}

async fn audit<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    r: &Rectification,
    action: &str,
    summary: serde_json::Value,
) -> Result<()> {
    super::audit::append::<B>(
        tx,
        ctx,
        Change {
            action: format!("rectification.{action}"),
            target_type: "rectification".into(),
            target_id: Some(r.id),
            department_id: r.department_id,
            region_id: Some(r.region_id),
            summary,
        },
    )
    .await?;
    Ok(())
}

/// Writes a rectification's progress under the version read.
async fn write_progress<B: Backend>(
    tx: &mut B::Tx,
    id: i64,
    version: i64,
    p: &Progress,
    at: DateTime<Utc>,
) -> Result<()> {
    let closed_at = (!p.state.is_open()).then_some(at);
    let n = B::exec(
        tx,
        sql(
            "UPDATE rectifications SET state = $1, founded = $2, finding = $3, measures = $4,
                 explanation = $5, callback_attempts = $6, callback_note = $7, re_level = $8,
                 re_comment = $9, outcome = $10, closed_at = $11, version = version + 1
             WHERE id = $12 AND version = $13",
        )
        .bind(p.state.code())
        .bind(p.founded)
        .bind(p.finding.clone())
        .bind(p.measures.clone())
        .bind(p.explanation.clone())
        .bind(p.callback_attempts)
        .bind(p.callback_note.clone())
        .bind(p.re_level)
        .bind(p.re_comment.clone())
        .bind(p.outcome.map(|o| o.code()))
        .bind(closed_at)
        .bind(id)
        .bind(version),
    )
    .await?;
    if n == 0 {
        return Err(StoreError::Domain(DomainError::stale("version")));
    }
    Ok(())
}

const APPEAL_COLS: &str = "id, rating_id, state, reason, appealed_by, appealed_by_name, \
     appealed_at, note, decided_by_name, decided_at, version";

#[derive(sqlx::FromRow)]
struct AppealRow {
    id: i64,
    rating_id: i64,
    state: String,
    reason: String,
    appealed_by: Option<i64>,
    appealed_by_name: String,
    appealed_at: DateTime<Utc>,
    note: Option<String>,
    decided_by_name: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    version: i64,
}

impl AppealRow {
    fn into_appeal(self) -> Result<Appeal> {
        Ok(Appeal {
            id: self.id,
            rating_id: self.rating_id,
            state: parsed("appeal state", &self.state, AppealState::parse)?,
            reason: self.reason,
            appealed_by: self.appealed_by,
            appealed_by_name: self.appealed_by_name,
            appealed_at: self.appealed_at,
            note: self.note,
            decided_by_name: self.decided_by_name,
            decided_at: self.decided_at,
            version: self.version,
        })
    }
}

async fn read_appeal<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Appeal> {
    let row: AppealRow = B::opt(
        tx,
        sql(format!(
            "SELECT {APPEAL_COLS} FROM rating_appeals WHERE id = $1"
        ))
        .bind(id),
    )
    .await?
    .ok_or_else(|| not_found("申诉", "appeal"))?;
    row.into_appeal()
}

fn appeal_change(a: &Appeal, owner: (Option<i64>, i64), action: &str) -> Change {
    Change {
        action: format!("appeal.{action}"),
        target_type: "rating".into(),
        target_id: Some(a.rating_id),
        department_id: owner.0,
        region_id: Some(owner.1),
        summary: json!({"after": {"appeal": a.id, "state": a.state.code(),
            "reason": a.reason, "note": a.note}}),
    }
}

#[async_trait]
impl<B: Backend> EvaluationStore for SqlStore<B> {
    async fn rate(&self, ctx: &Context, new: NewRating) -> Result<Rated> {
        let mut tx = self.b.begin().await?;
        let facts = facts_of::<B>(&mut tx, &new.target).await?;
        let online_case = new.kind == Kind::Service && matches!(new.target, RatingTarget::Case(_));
        if let Some(hash) = &new.link_hash {
            let n = B::exec(
                &mut tx,
                sql("UPDATE rating_links SET used_at = $1
                     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 AND case_id = $3")
                .bind(new.at)
                .bind(hash.clone())
                .bind(facts.case_id),
            )
            .await?;
            if n == 0 {
                return Err(refuse(
                    "token",
                    "评价链接无效、已使用或已过期",
                    "the rating link is invalid, used or expired",
                ));
            }
        }
        let rated = insert_rating::<B>(
            &mut tx,
            ctx,
            Insert {
                kind: new.kind,
                channel: new.channel,
                given: &new.given,
                facts,
                online_case,
                rater: &new.rater,
                plan: new.plan,
                at: new.at,
            },
        )
        .await
        .map_err(|e| match e {
            // A case rated online already, or two ratings of it at once: the unique index on
            // `online_case_id` decides.
            StoreError::Domain(DomainError::Conflict(_)) if online_case => {
                StoreError::Domain(DomainError::conflict(
                    "case_id",
                    "该办件已评价，每件只能评价一次",
                    "this case has been rated already",
                ))
            }
            e => e,
        })?;
        B::commit(tx).await?;
        Ok(rated)
    }

    async fn create_rating_link(&self, ctx: &Context, l: NewRatingLink) -> Result<RatingLink> {
        let mut tx = self.b.begin().await?;
        let owner: Option<(i64, i64)> = B::opt(
            &mut tx,
            sql("SELECT department_id, region_id FROM cases WHERE id = $1").bind(l.case_id),
        )
        .await?;
        let (dept, region) = owner.ok_or_else(|| not_found("办件", "case"))?;
        let link: RatingLink = B::opt(
            &mut tx,
            sql(
                "INSERT INTO rating_links (token_hash, case_id, channel, sent_to, created_at,
                     expires_at) VALUES ($1, $2, $3, $4, $5, $6)
                 RETURNING id, case_id, channel, sent_to, created_at, expires_at, used_at",
            )
            .bind(l.token_hash.clone())
            .bind(l.case_id)
            .bind(l.channel.code())
            .bind(l.sent_to.clone())
            .bind(l.at)
            .bind(l.expires_at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no link".into()))?;
        B::exec(
            &mut tx,
            sql(
                "INSERT INTO outbox (case_id, channel, recipient, subject, body, status, attempts,
                     next_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)",
            )
            .bind(l.case_id)
            .bind(l.channel.code())
            .bind(l.sent_to.clone())
            .bind(l.subject.clone())
            .bind(l.body.clone())
            .bind(l.at),
        )
        .await?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "case.rating_link".into(),
                target_type: "case".into(),
                target_id: Some(l.case_id),
                department_id: Some(dept),
                region_id: Some(region),
                summary: json!({"after": {"link": link.id, "channel": link.channel,
                    "expires_at": link.expires_at}}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(link)
    }

    async fn rating_link(&self, token_hash: &str) -> Result<Option<RatingLink>> {
        self.b
            .read_opt(
                sql(
                    "SELECT id, case_id, channel, sent_to, created_at, expires_at, used_at
                     FROM rating_links WHERE token_hash = $1",
                )
                .bind(token_hash.to_string()),
            )
            .await
    }

    async fn rating(&self, id: i64) -> Result<Option<Rating>> {
        let row: Option<RatingRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {RATING_COLS} FROM ratings r WHERE r.id = $1"
                ))
                .bind(id),
            )
            .await?;
        row.map(RatingRow::into_rating).transpose()
    }

    async fn ratings(&self, f: &RatingFilter) -> Result<Vec<Rating>> {
        let q = rating_where(
            sql(format!("SELECT {RATING_COLS} FROM ratings r WHERE 1 = 1")),
            f,
        );
        let q = sql(format!(
            "{} ORDER BY r.id DESC LIMIT {}",
            q.text,
            f.limit.clamp(1, 1000)
        ))
        .with_args(q.args);
        let rows: Vec<RatingRow> = self.b.read_all(q).await?;
        rows.into_iter().map(RatingRow::into_rating).collect()
    }

    async fn rating_levels(
        &self,
        f: &RatingFilter,
        by: Option<RatingGroup>,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let key = match by {
            None => "0",
            Some(RatingGroup::Hall) => "COALESCE(r.hall_id, 0)",
            Some(RatingGroup::Department) => "COALESCE(r.department_id, 0)",
            Some(RatingGroup::Matter) => "COALESCE(r.matter_id, 0)",
        };
        let q = rating_where(
            sql(format!(
                "SELECT CAST({key} AS BIGINT), r.level, CAST(COUNT(*) AS BIGINT) FROM ratings r WHERE 1 = 1"
            )),
            f,
        );
        let group = if by.is_some() {
            format!("{key}, r.level")
        } else {
            "r.level".to_string()
        };
        let q = sql(format!("{} GROUP BY {group} ORDER BY 1, 2", q.text)).with_args(q.args);
        self.b.read_all(q).await
    }

    async fn published_rectifications(
        &self,
        f: &RatingFilter,
    ) -> Result<Vec<PublishedRectification>> {
        let q = rating_where(
            sql(
                "SELECT r.created_at AS rated_at, x.closed_at, r.level, r.reason,
                        m.name AS matter_name, d.name AS department_name, x.outcome, x.measures,
                        x.explanation
                 FROM rectifications x JOIN ratings r ON r.id = x.rating_id
                 LEFT JOIN matters m ON m.id = r.matter_id
                 LEFT JOIN departments d ON d.id = r.department_id
                 WHERE x.state = 'closed' AND x.outcome IN ('rectified', 'explained')",
            ),
            f,
        );
        let q = sql(format!(
            "{} ORDER BY x.closed_at DESC LIMIT {}",
            q.text,
            f.limit.clamp(1, 1000)
        ))
        .with_args(q.args);
        self.b.read_all(q).await
    }

    async fn rater(&self, rating_id: i64) -> Result<Option<Rater>> {
        type R = (Option<i64>, Option<String>, Option<String>, Option<String>);
        let r: Option<R> = self
            .b
            .read_opt(
                sql("SELECT user_id, name, phone, email FROM rating_raters WHERE rating_id = $1")
                    .bind(rating_id),
            )
            .await?;
        Ok(r.map(|(user_id, name, phone, email)| Rater {
            user_id,
            name,
            phone,
            email,
        }))
    }

    async fn rectification(&self, id: i64) -> Result<Option<Rectification>> {
        let row: Option<RectRow> = self
            .b
            .read_opt(sql(format!("{RECT_SELECT} WHERE x.id = $1")).bind(id))
            .await?;
        row.map(RectRow::into_rectification).transpose()
    }

    async fn rectifications(&self, f: &RectificationFilter) -> Result<Vec<Rectification>> {
        let mut q = scope_where(
            sql(format!("{RECT_SELECT} WHERE 1 = 1")),
            &f.scope,
            Some("x.department_id"),
            Some("x.region_id"),
        );
        if let Some(s) = f.state {
            let p = q.next_placeholder();
            q.text = format!("{} AND x.state = {p}", q.text).into();
            q = q.bind(s.code());
        }
        if f.open_only || f.light.is_some() {
            q.text = format!("{} AND x.state <> 'closed'", q.text).into();
        }
        if let Some((light, day)) = f.light {
            let p = q.next_placeholder();
            let cond = match light {
                Light::Red => format!("x.red_on <= {p}"),
                Light::Yellow => format!("x.yellow_on <= {p} AND x.red_on > {p}"),
                Light::Green => format!("x.yellow_on > {p}"),
            };
            q.text = format!("{} AND {cond}", q.text).into();
            q = q.bind(day);
        }
        let q = sql(format!(
            "{} ORDER BY x.id DESC LIMIT {}",
            q.text,
            f.limit.clamp(1, 1000)
        ))
        .with_args(q.args);
        let rows: Vec<RectRow> = self.b.read_all(q).await?;
        rows.into_iter().map(RectRow::into_rectification).collect()
    }

    async fn rectification_log(&self, id: i64) -> Result<Vec<LogLine>> {
        super::trail::RECTIFICATION
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

    async fn act_on_rectification(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: Action,
        at: DateTime<Utc>,
    ) -> Result<Rectification> {
        let mut tx = self.b.begin().await?;
        let before = read_rectification::<B>(&mut tx, id).await?;
        if before.version != version {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let code = action.code();
        let (after, note) = rectification::act(&before.progress, action)?;
        write_progress::<B>(&mut tx, id, version, &after, at).await?;
        log::<B>(&mut tx, ctx, id, code, after.state, at, Some(&note)).await?;
        let r = read_rectification::<B>(&mut tx, id).await?;
        audit::<B>(
            &mut tx,
            ctx,
            &r,
            code,
            json!({"before": {"state": before.progress.state.code()},
                   "after": {"state": after.state.code(), "note": note,
                             "outcome": after.outcome.map(|o| o.code())}}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(r)
    }

    async fn file_appeal(
        &self,
        ctx: &Context,
        rating_id: i64,
        reason: String,
        at: DateTime<Utc>,
    ) -> Result<Appeal> {
        let mut tx = self.b.begin().await?;
        let rating = read_rating::<B>(&mut tx, rating_id).await?;
        let region = rating
            .region_id
            .ok_or_else(|| StoreError::Database(format!("rating {rating_id} has no region")))?;
        let taken: Option<(i64,)> = B::opt(
            &mut tx,
            sql("SELECT id FROM rating_appeals WHERE rating_id = $1").bind(rating_id),
        )
        .await?;
        if taken.is_some() {
            return Err(StoreError::Domain(DomainError::conflict(
                "rating_id",
                "该评价已申诉，每条评价只能申诉一次",
                "this rating has been appealed already",
            )));
        }
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO rating_appeals (rating_id, department_id, region_id, state, reason,
                     appealed_by, appealed_by_name, appealed_at)
                 VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7) RETURNING id",
            )
            .bind(rating_id)
            .bind(rating.department_id)
            .bind(region)
            .bind(reason)
            .bind(ctx.actor_id)
            .bind(ctx.actor_name.clone())
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no appeal".into()))?;
        let a = read_appeal::<B>(&mut tx, id).await?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            appeal_change(&a, (rating.department_id, region), "file"),
        )
        .await?;
        B::commit(tx).await?;
        Ok(a)
    }

    async fn urge_rectification(
        &self,
        ctx: &Context,
        id: i64,
        message: String,
        at: DateTime<Utc>,
    ) -> Result<Rectification> {
        let mut tx = self.b.begin().await?;
        let n = B::exec(
            &mut tx,
            sql("UPDATE rectifications SET urge_count = urge_count + 1
                 WHERE id = $1 AND state <> 'closed'")
            .bind(id),
        )
        .await?;
        if n == 0 {
            read_rectification::<B>(&mut tx, id).await?;
            return Err(StoreError::Domain(DomainError::conflict(
                "rectification",
                "整改已办结，无需督办",
                "the rectification is closed",
            )));
        }
        let r = read_rectification::<B>(&mut tx, id).await?;
        log::<B>(
            &mut tx,
            ctx,
            id,
            "urge",
            r.progress.state,
            at,
            Some(&message),
        )
        .await?;
        audit::<B>(
            &mut tx,
            ctx,
            &r,
            "urge",
            json!({"after": {"message": message, "urge_count": r.urge_count}}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(r)
    }

    async fn rectifications_to_warn(
        &self,
        level: i64,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<i64>> {
        let day = if level >= 2 { "red_on" } else { "yellow_on" };
        let rows: Vec<(i64,)> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT id FROM rectifications
                     WHERE state <> 'closed' AND warned < $1 AND {day} <= $2
                     ORDER BY id LIMIT {}",
                    limit.clamp(1, 1000)
                ))
                .bind(level)
                .bind(today),
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn claim_rectification_warning(
        &self,
        ctx: &Context,
        id: i64,
        level: i64,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.b.begin().await?;
        let n = B::exec(
            &mut tx,
            sql("UPDATE rectifications SET warned = $1 WHERE id = $2 AND warned < $1 AND state <> 'closed'")
                .bind(level)
                .bind(id),
        )
        .await?;
        if n == 0 {
            return Ok(false);
        }
        let r = read_rectification::<B>(&mut tx, id).await?;
        let (action, note) = if level >= 2 {
            (
                "overdue",
                format!("整改已超期（期限{}），请立即办理", r.due_on),
            )
        } else {
            (
                "remind",
                format!("整改临近期限（{}），请抓紧办理", r.due_on),
            )
        };
        log::<B>(&mut tx, ctx, id, action, r.progress.state, at, Some(&note)).await?;
        audit::<B>(
            &mut tx,
            ctx,
            &r,
            action,
            json!({"after": {"warned": level}}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(true)
    }

    async fn appeal(&self, id: i64) -> Result<Option<Appeal>> {
        let row: Option<AppealRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {APPEAL_COLS} FROM rating_appeals WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        row.map(AppealRow::into_appeal).transpose()
    }

    async fn appeals(&self, f: &AppealFilter) -> Result<Vec<Appeal>> {
        let mut q = scope_where(
            sql(format!(
                "SELECT {APPEAL_COLS} FROM rating_appeals WHERE 1 = 1"
            )),
            &f.scope,
            Some("department_id"),
            Some("region_id"),
        );
        if let Some(r) = f.rating_id {
            let p = q.next_placeholder();
            q.text = format!("{} AND rating_id = {p}", q.text).into();
            q = q.bind(r);
        }
        if f.pending_only {
            q.text = format!("{} AND state = 'pending'", q.text).into();
        }
        let q = sql(format!(
            "{} ORDER BY id DESC LIMIT {}",
            q.text,
            f.limit.clamp(1, 1000)
        ))
        .with_args(q.args);
        let rows: Vec<AppealRow> = self.b.read_all(q).await?;
        rows.into_iter().map(AppealRow::into_appeal).collect()
    }

    async fn decide_appeal(
        &self,
        ctx: &Context,
        id: i64,
        d: AppealDecision,
        at: DateTime<Utc>,
    ) -> Result<Appeal> {
        let mut tx = self.b.begin().await?;
        let before = read_appeal::<B>(&mut tx, id).await?;
        if before.state != AppealState::Pending {
            return Err(StoreError::Domain(DomainError::conflict(
                "appeal",
                "该申诉已复核",
                "the appeal has been decided already",
            )));
        }
        let state = if d.upheld {
            AppealState::Upheld
        } else {
            AppealState::Rejected
        };
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE rating_appeals SET state = $1, note = $2, decided_by = $3,
                     decided_by_name = $4, decided_at = $5, version = version + 1
                 WHERE id = $6 AND version = $7 AND state = 'pending'",
            )
            .bind(state.code())
            .bind(d.note.clone())
            .bind(ctx.actor_id)
            .bind(ctx.actor_name.clone())
            .bind(at)
            .bind(id)
            .bind(d.version),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let rating = read_rating::<B>(&mut tx, before.rating_id).await?;
        let region = rating
            .region_id
            .ok_or_else(|| StoreError::Database(format!("rating {} has no region", rating.id)))?;
        let dept = rating.department_id;
        if d.upheld && rating.counted {
            B::exec(
                &mut tx,
                sql("UPDATE ratings SET counted = FALSE WHERE id = $1").bind(before.rating_id),
            )
            .await?;
            if rating.kind == Kind::Service.code() {
                let facts = rating_facts::<B>(&mut tx, &rating, region).await?;
                let mut tallies = Tallies::default();
                track_rating(&mut tallies, &facts, -1);
                tallies.write::<B>(&mut tx).await?;
            }
            let open: Option<(i64,)> = B::opt(
                &mut tx,
                sql("SELECT id FROM rectifications WHERE rating_id = $1 AND state <> 'closed'")
                    .bind(before.rating_id),
            )
            .await?;
            if let Some((rid,)) = open {
                let r = read_rectification::<B>(&mut tx, rid).await?;
                if let Some(p) = rectification::void(&r.progress) {
                    write_progress::<B>(&mut tx, rid, r.version, &p, at).await?;
                    log::<B>(&mut tx, ctx, rid, "void", p.state, at, Some(&d.note)).await?;
                    let after = read_rectification::<B>(&mut tx, rid).await?;
                    audit::<B>(
                        &mut tx,
                        ctx,
                        &after,
                        "void",
                        json!({"after": {"appeal": id}}),
                    )
                    .await?;
                }
            }
        }
        let a = read_appeal::<B>(&mut tx, id).await?;
        super::audit::append::<B>(&mut tx, ctx, appeal_change(&a, (dept, region), "decide"))
            .await?;
        B::commit(tx).await?;
        Ok(a)
    }
}

/// The conditions of a rating filter over `ratings r`.
fn rating_where(q: crate::backend::Sql, f: &RatingFilter) -> crate::backend::Sql {
    let mut q = scope_where(q, &f.scope, Some("r.department_id"), Some("r.region_id"));
    for (col, v) in [
        ("r.case_id", f.case_id),
        ("r.clerk_id", f.clerk_id),
        ("r.department_id", f.department_id),
        ("r.hall_id", f.hall_id),
        ("r.matter_id", f.matter_id),
    ] {
        if let Some(v) = v {
            let p = q.next_placeholder();
            q.text = format!("{} AND {col} = {p}", q.text).into();
            q = q.bind(v);
        }
    }
    for (cond, v) in [("r.created_at >= ", f.from), ("r.created_at < ", f.to)] {
        if let Some(v) = v {
            let p = q.next_placeholder();
            q.text = format!("{} AND {cond}{p}", q.text).into();
            q = q.bind(v);
        }
    }
    if let Some(u) = f.rater_user_id {
        let p = q.next_placeholder();
        q.text = format!(
            "{} AND r.id IN (SELECT rating_id FROM rating_raters WHERE user_id = {p})",
            q.text
        )
        .into();
        q = q.bind(u);
    }
    if let Some(k) = f.kind {
        let p = q.next_placeholder();
        q.text = format!("{} AND r.kind = {p}", q.text).into();
        q = q.bind(k.code());
    }
    if f.bad_only {
        q.text = format!("{} AND r.level <= 2", q.text).into();
    }
    if f.counted_only {
        q.text = format!("{} AND r.counted", q.text).into();
    }
    q
}

/// Where a recorded rating was counted in the figures.
async fn rating_facts<B: Backend>(
    tx: &mut B::Tx,
    r: &Rating,
    region_id: i64,
) -> Result<RatingFacts> {
    let on_site = Channel::parse(&r.channel)
        .is_none_or(|c| c.setting() == onewindow_core::evaluation::rating::Setting::OnSite);
    let channel = match (on_site, r.case_id) {
        (false, Some(case)) => {
            let c: Option<(String,)> = B::opt(
                tx,
                sql("SELECT channel FROM cases WHERE id = $1").bind(case),
            )
            .await?;
            c.map(|c| c.0).unwrap_or_else(|| "window".into())
        }
        _ => "window".into(),
    };
    Ok(RatingFacts {
        region_id,
        department_id: r.department_id,
        matter_id: r.matter_id,
        channel,
        window_id: r.window_id,
        clerk_id: r.clerk_id,
        level: r.level,
        at: r.created_at,
    })
}
