//! Complaints (投诉): lodged with a number and the day by which to accept them, then accepted
//! or refused, answered and closed, each step under the record's version with its trail line
//! and audit entry in the same transaction.

use super::{SqlStore, next_seq, scope_where};
use crate::ComplaintStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::model::{ComplaintFilter, NewComplaintRecord};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::evaluation::complaint::{
    self, Action, Complaint, LogLine, Progress, Source, State,
};
use onewindow_core::time::local_date;
use onewindow_core::{DomainError, Text};
use serde_json::json;

const COLS: &str = "id, number, source, complainant_name, complainant_phone, complainant_id, department_id, \
     region_id, case_id, subject, content, state, refusal, reply, satisfaction, close_note, \
     received_at, accept_due, accepted_at, answer_due, answered_at, closed_at, version";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    number: String,
    source: String,
    complainant_name: String,
    complainant_phone: String,
    complainant_id: Option<i64>,
    department_id: Option<i64>,
    region_id: i64,
    case_id: Option<i64>,
    subject: String,
    content: String,
    state: String,
    refusal: Option<String>,
    reply: Option<String>,
    satisfaction: Option<i64>,
    close_note: Option<String>,
    received_at: DateTime<Utc>,
    accept_due: NaiveDate,
    accepted_at: Option<DateTime<Utc>>,
    answer_due: Option<NaiveDate>,
    answered_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    version: i64,
}

fn unreadable(what: &str, v: &str) -> StoreError {
    StoreError::Database(format!("unreadable complaint {what} '{v}'"))
}

impl Row {
    fn into_complaint(self) -> Result<Complaint> {
        Ok(Complaint {
            id: self.id,
            number: self.number,
            source: Source::parse(&self.source)
                .ok_or_else(|| unreadable("source", &self.source))?,
            complainant_name: self.complainant_name,
            complainant_phone: self.complainant_phone,
            complainant_id: self.complainant_id,
            department_id: self.department_id,
            region_id: self.region_id,
            case_id: self.case_id,
            subject: self.subject,
            content: self.content,
            progress: Progress {
                state: State::parse(&self.state).ok_or_else(|| unreadable("state", &self.state))?,
                department_id: self.department_id,
                refusal: self.refusal,
                reply: self.reply,
                satisfaction: self.satisfaction,
                close_note: self.close_note,
            },
            received_at: self.received_at,
            accept_due: self.accept_due,
            accepted_at: self.accepted_at,
            answer_due: self.answer_due,
            answered_at: self.answered_at,
            closed_at: self.closed_at,
            version: self.version,
        })
    }
}

async fn read<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Complaint> {
    let row: Row = B::opt(
        tx,
        sql(format!("SELECT {COLS} FROM complaints WHERE id = $1")).bind(id),
    )
    .await?
    .ok_or_else(|| StoreError::Domain(DomainError::not_found(Text::fixed("投诉", "complaint"))))?;
    row.into_complaint()
}

async fn log<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    c: &Complaint,
    action: &str,
    at: DateTime<Utc>,
    note: Option<&str>,
) -> Result<()> {
    super::trail::COMPLAINT
        .write::<B>(tx, ctx, c.id, action, c.progress.state.code(), at, note)
        .await?;
    super::audit::append::<B>(
        tx,
        ctx,
        Change {
            action: format!("complaint.{action}"),
            target_type: "complaint".into(),
            target_id: Some(c.id),
            department_id: c.department_id,
            region_id: Some(c.region_id),
            summary: json!({"after": {"number": c.number, "state": c.progress.state.code(), "note": note}}),
        },
    )
    .await?;
    Ok(())
}

#[async_trait]
impl<B: Backend> ComplaintStore for SqlStore<B> {
    async fn lodge_complaint(&self, ctx: &Context, n: NewComplaintRecord) -> Result<Complaint> {
        let mut tx = self.b.begin().await?;
        let day = local_date(n.at);
        let seq = next_seq::<B>(&mut tx, "complaint", day).await?;
        let number = format!("TS{}{seq:04}", day.format("%Y%m%d"));
        let c = &n.complaint;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO complaints (number, source, complainant_name, complainant_phone,
                     complainant_id, department_id, region_id, case_id, subject, content, state,
                     received_at, accept_due)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'received', $11, $12)
                 RETURNING id",
            )
            .bind(number)
            .bind(c.source.code())
            .bind(c.complainant_name.clone())
            .bind(c.complainant_phone.clone())
            .bind(n.complainant_id)
            .bind(c.department_id)
            .bind(n.region_id)
            .bind(n.case_id)
            .bind(c.subject.clone())
            .bind(c.content.clone())
            .bind(n.at)
            .bind(n.accept_due),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no complaint".into()))?;
        let rec = read::<B>(&mut tx, id).await?;
        log::<B>(&mut tx, ctx, &rec, "lodge", n.at, Some(&rec.subject)).await?;
        B::commit(tx).await?;
        Ok(rec)
    }

    async fn complaint(&self, id: i64) -> Result<Option<Complaint>> {
        let row: Option<Row> = self
            .b
            .read_opt(sql(format!("SELECT {COLS} FROM complaints WHERE id = $1")).bind(id))
            .await?;
        row.map(Row::into_complaint).transpose()
    }

    async fn complaints(&self, f: &ComplaintFilter) -> Result<Vec<Complaint>> {
        let mut q = scope_where(
            sql(format!("SELECT {COLS} FROM complaints WHERE 1 = 1")),
            &f.scope,
            Some("department_id"),
            Some("region_id"),
        );
        if let Some(u) = f.complainant_id {
            let p = q.next_placeholder();
            q.text = format!("{} AND complainant_id = {p}", q.text).into();
            q = q.bind(u);
        }
        for (cond, v) in [("received_at >= ", f.from), ("received_at < ", f.to)] {
            if let Some(v) = v {
                let p = q.next_placeholder();
                q.text = format!("{} AND {cond}{p}", q.text).into();
                q = q.bind(v);
            }
        }
        if f.open_only {
            q.text = format!(
                "{} AND state IN ('received', 'handling', 'answered')",
                q.text
            )
            .into();
        }
        let q = sql(format!(
            "{} ORDER BY id DESC LIMIT {}",
            q.text,
            f.limit.clamp(1, 10_000)
        ))
        .with_args(q.args);
        let rows: Vec<Row> = self.b.read_all(q).await?;
        rows.into_iter().map(Row::into_complaint).collect()
    }

    async fn complaint_log(&self, id: i64) -> Result<Vec<LogLine>> {
        super::trail::COMPLAINT
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

    async fn act_on_complaint(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: Action,
        answer_due: Option<NaiveDate>,
        at: DateTime<Utc>,
    ) -> Result<Complaint> {
        let mut tx = self.b.begin().await?;
        let before = read::<B>(&mut tx, id).await?;
        if before.version != version {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let code = action.code();
        let (p, note) = complaint::act(&before.progress, action)?;
        let accepted = p.state == State::Handling && before.progress.state == State::Received;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE complaints SET state = $1, department_id = $2, refusal = $3, reply = $4,
                     satisfaction = $5, close_note = $6,
                     accepted_at = CASE WHEN $7 THEN $8 ELSE accepted_at END,
                     answer_due = CASE WHEN $7 THEN $9 ELSE answer_due END,
                     answered_at = CASE WHEN $10 THEN $8 ELSE answered_at END,
                     closed_at = CASE WHEN $11 THEN $8 ELSE closed_at END,
                     version = version + 1
                 WHERE id = $12 AND version = $13",
            )
            .bind(p.state.code())
            .bind(p.department_id)
            .bind(p.refusal.clone())
            .bind(p.reply.clone())
            .bind(p.satisfaction)
            .bind(p.close_note.clone())
            .bind(accepted)
            .bind(at)
            .bind(answer_due)
            .bind(p.state == State::Answered)
            .bind(matches!(p.state, State::Closed | State::Refused))
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let after = read::<B>(&mut tx, id).await?;
        log::<B>(
            &mut tx,
            ctx,
            &after,
            code,
            at,
            Some(&note).filter(|n| !n.is_empty()).map(|s| s.as_str()),
        )
        .await?;
        B::commit(tx).await?;
        Ok(after)
    }
}
