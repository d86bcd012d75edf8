//! Enterprise supervisors (监督员) and their reports, each followed to what came of it.

use super::{SqlStore, scope_where};
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::{ScopeFilter, SupervisorStore};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::evaluation::supervisor::{
    self, NewReport, NewSupervisor, Report, ReportAction, ReportKind, ReportState, Supervisor,
};
use onewindow_core::{DomainError, Text};
use serde_json::json;

const SUP_COLS: &str = "id, name, phone, enterprise, uscc, department_id, hall_id, region_id, \
     user_id, appointed_on, term_until, active, version";

#[derive(sqlx::FromRow)]
struct SupRow {
    id: i64,
    name: String,
    phone: String,
    enterprise: String,
    uscc: Option<String>,
    department_id: Option<i64>,
    hall_id: Option<i64>,
    region_id: i64,
    user_id: Option<i64>,
    appointed_on: NaiveDate,
    term_until: Option<NaiveDate>,
    active: bool,
    version: i64,
}

impl From<SupRow> for Supervisor {
    fn from(r: SupRow) -> Supervisor {
        Supervisor {
            id: r.id,
            name: r.name,
            phone: r.phone,
            enterprise: r.enterprise,
            uscc: r.uscc,
            department_id: r.department_id,
            hall_id: r.hall_id,
            region_id: r.region_id,
            user_id: r.user_id,
            appointed_on: r.appointed_on,
            term_until: r.term_until,
            active: r.active,
            version: r.version,
        }
    }
}

const REPORT_SELECT: &str = "SELECT r.id, r.supervisor_id, s.name AS supervisor_name, r.region_id, r.kind, \
     r.visited_on, r.place, r.department_id, r.findings, r.suggestions, r.state, r.referred_to, \
     r.outcome, r.recorded_at, r.closed_at, r.version \
     FROM supervisor_reports r JOIN supervisors s ON s.id = r.supervisor_id";

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    supervisor_id: i64,
    supervisor_name: String,
    region_id: i64,
    kind: String,
    visited_on: NaiveDate,
    place: String,
    department_id: Option<i64>,
    findings: String,
    suggestions: Option<String>,
    state: String,
    referred_to: Option<i64>,
    outcome: Option<String>,
    recorded_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    version: i64,
}

impl ReportRow {
    fn into_report(self) -> Result<Report> {
        let bad = |w: &str, v: &str| StoreError::Database(format!("unreadable report {w} '{v}'"));
        Ok(Report {
            id: self.id,
            supervisor_id: self.supervisor_id,
            supervisor_name: self.supervisor_name,
            region_id: self.region_id,
            kind: ReportKind::parse(&self.kind).ok_or_else(|| bad("kind", &self.kind))?,
            visited_on: self.visited_on,
            place: self.place,
            department_id: self.department_id,
            findings: self.findings,
            suggestions: self.suggestions,
            state: ReportState::parse(&self.state).ok_or_else(|| bad("state", &self.state))?,
            referred_to: self.referred_to,
            outcome: self.outcome,
            recorded_at: self.recorded_at,
            closed_at: self.closed_at,
            version: self.version,
        })
    }
}

async fn read_report<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Report> {
    let row: ReportRow = B::opt(tx, sql(format!("{REPORT_SELECT} WHERE r.id = $1")).bind(id))
        .await?
        .ok_or_else(|| {
            StoreError::Domain(DomainError::not_found(Text::fixed("监督报告", "report")))
        })?;
    row.into_report()
}

fn change(
    kind: &str,
    action: &str,
    id: i64,
    dept: Option<i64>,
    region: i64,
    summary: serde_json::Value,
) -> Change {
    Change {
        action: format!("{kind}.{action}"),
        target_type: kind.into(),
        target_id: Some(id),
        department_id: dept,
        region_id: Some(region),
        summary,
    }
}

#[async_trait]
impl<B: Backend> SupervisorStore for SqlStore<B> {
    async fn appoint_supervisor(
        &self,
        ctx: &Context,
        s: NewSupervisor,
        region_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Supervisor> {
        let mut tx = self.b.begin().await?;
        let row: SupRow = B::opt(
            &mut tx,
            sql(format!(
                "INSERT INTO supervisors (name, phone, enterprise, uscc, department_id, hall_id,
                     region_id, user_id, appointed_on, term_until, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {SUP_COLS}"
            ))
            .bind(s.name.clone())
            .bind(s.phone.clone())
            .bind(s.enterprise.clone())
            .bind(s.uscc.clone())
            .bind(s.department_id)
            .bind(s.hall_id)
            .bind(region_id)
            .bind(s.user_id)
            .bind(s.appointed_on)
            .bind(s.term_until)
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no supervisor".into()))?;
        let sup = Supervisor::from(row);
        super::audit::append::<B>(
            &mut tx,
            ctx,
            change(
                "supervisor",
                "appoint",
                sup.id,
                sup.department_id,
                region_id,
                json!({"after": {"name": sup.name, "enterprise": sup.enterprise}}),
            ),
        )
        .await?;
        B::commit(tx).await?;
        Ok(sup)
    }

    async fn supervisor(&self, id: i64) -> Result<Option<Supervisor>> {
        supervisor_where(self.b.as_ref(), "id", id).await
    }

    async fn supervisor_of_user(&self, user_id: i64) -> Result<Option<Supervisor>> {
        supervisor_where(self.b.as_ref(), "user_id", user_id).await
    }

    async fn supervisors(&self, scope: &ScopeFilter) -> Result<Vec<Supervisor>> {
        let q = scope_where(
            sql(format!("SELECT {SUP_COLS} FROM supervisors WHERE 1 = 1")),
            scope,
            Some("department_id"),
            Some("region_id"),
        );
        let q = sql(format!("{} ORDER BY id", q.text)).with_args(q.args);
        let rows: Vec<SupRow> = self.b.read_all(q).await?;
        Ok(rows.into_iter().map(Supervisor::from).collect())
    }

    async fn file_report(
        &self,
        ctx: &Context,
        s: &Supervisor,
        kind: ReportKind,
        r: NewReport,
        at: DateTime<Utc>,
    ) -> Result<Report> {
        let mut tx = self.b.begin().await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO supervisor_reports (supervisor_id, region_id, kind, visited_on, place,
                     department_id, findings, suggestions, state, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10) RETURNING id",
            )
            .bind(s.id)
            .bind(s.region_id)
            .bind(kind.code())
            .bind(r.visited_on)
            .bind(r.place.clone())
            .bind(r.department_id)
            .bind(r.findings.clone())
            .bind(r.suggestions.clone())
            .bind(ctx.actor_id)
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no report".into()))?;
        let rep = read_report::<B>(&mut tx, id).await?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            change(
                "supervisor_report",
                "file",
                id,
                rep.department_id,
                s.region_id,
                json!({"after": {"supervisor": s.id, "kind": kind.code(), "place": rep.place}}),
            ),
        )
        .await?;
        B::commit(tx).await?;
        Ok(rep)
    }

    async fn report(&self, id: i64) -> Result<Option<Report>> {
        let row: Option<ReportRow> = self
            .b
            .read_opt(sql(format!("{REPORT_SELECT} WHERE r.id = $1")).bind(id))
            .await?;
        row.map(ReportRow::into_report).transpose()
    }

    async fn reports(
        &self,
        scope: &ScopeFilter,
        supervisor_id: Option<i64>,
    ) -> Result<Vec<Report>> {
        let mut q = scope_where(
            sql(format!("{REPORT_SELECT} WHERE 1 = 1")),
            scope,
            Some("COALESCE(r.referred_to, r.department_id)"),
            Some("r.region_id"),
        );
        if let Some(s) = supervisor_id {
            let p = q.next_placeholder();
            q.text = format!("{} AND r.supervisor_id = {p}", q.text).into();
            q = q.bind(s);
        }
        let q = sql(format!("{} ORDER BY r.id DESC LIMIT 1000", q.text)).with_args(q.args);
        let rows: Vec<ReportRow> = self.b.read_all(q).await?;
        rows.into_iter().map(ReportRow::into_report).collect()
    }

    async fn act_on_report(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: ReportAction,
        at: DateTime<Utc>,
    ) -> Result<Report> {
        let mut tx = self.b.begin().await?;
        let before = read_report::<B>(&mut tx, id).await?;
        let (state, outcome) = supervisor::act(before.state, &action)?;
        let referred = match action {
            ReportAction::Refer { department_id } => Some(department_id),
            _ => before.referred_to,
        };
        let closed = matches!(state, ReportState::Resolved | ReportState::Noted);
        let n = B::exec(
            &mut tx,
            sql("UPDATE supervisor_reports SET state = $1, referred_to = $2,
                     outcome = COALESCE($3, outcome), closed_at = CASE WHEN $4 THEN $5 ELSE closed_at END,
                     version = version + 1
                 WHERE id = $6 AND version = $7")
            .bind(state.code())
            .bind(referred)
            .bind(outcome)
            .bind(closed)
            .bind(at)
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let after = read_report::<B>(&mut tx, id).await?;
        let region = after.region_id;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            change("supervisor_report", action.code(), id, after.referred_to.or(after.department_id), region,
                json!({"before": {"state": before.state.code()}, "after": {"state": after.state.code(),
                    "referred_to": after.referred_to, "outcome": after.outcome}})),
        )
        .await?;
        B::commit(tx).await?;
        Ok(after)
    }
}

async fn supervisor_where<B: Backend>(b: &B, col: &str, v: i64) -> Result<Option<Supervisor>> {
    let row: Option<SupRow> = b
        .read_opt(
            sql(format!(
                "SELECT {SUP_COLS} FROM supervisors WHERE {col} = $1"
            ))
            .bind(v),
        )
        .await?;
    Ok(row.map(Supervisor::from))
}
