//! Enterprise service (政务服务进企业): enterprises, their projects and the key project's team
//! (each change of steward, leader or department kept as a handover), and the work items collected
//! from them, each step under the item's version with its trail line and audit entry.

use super::{SqlStore, next_seq};
use crate::EnterpriseStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::model::{VisitPhoto, VisitRecord, WorkFilter};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::enterprise::firm::{Enterprise, NewEnterprise, Size};
use onewindow_core::enterprise::project::{Handover, NewProject, Project, Stage, Team};
use onewindow_core::enterprise::visit::{NewVisit, Visit};
use onewindow_core::enterprise::work::{
    self, Action, Item, Kind, Level, LogLine, NewItem, Progress, State,
};
use onewindow_core::time::local_date;
use onewindow_core::{DomainError, Text};
use serde_json::json;

pub(super) fn unreadable(what: &str, v: &str) -> StoreError {
    StoreError::Database(format!("unreadable {what} '{v}'"))
}

pub(super) fn stale() -> StoreError {
    StoreError::Domain(DomainError::stale("version"))
}

pub(super) async fn audit<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    action: &str,
    target: (&str, i64),
    department_id: Option<i64>,
    region_id: i64,
    after: serde_json::Value,
) -> Result<()> {
    super::audit::append::<B>(
        tx,
        ctx,
        Change {
            action: action.into(),
            target_type: target.0.into(),
            target_id: Some(target.1),
            department_id,
            region_id: Some(region_id),
            summary: json!({ "after": after }),
        },
    )
    .await?;
    Ok(())
}

const ENTERPRISE_COLS: &str =
    "id, name, uscc, industry, size, region_id, contact_name, contact_phone, address, version";

type EnterpriseRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    i64,
);

fn enterprise(r: EnterpriseRow) -> Result<Enterprise> {
    Ok(Enterprise {
        id: r.0,
        name: r.1,
        uscc: r.2,
        industry: r.3,
        size: Size::parse(&r.4).ok_or_else(|| unreadable("size", &r.4))?,
        region_id: r.5,
        contact_name: r.6,
        contact_phone: r.7,
        address: r.8,
        version: r.9,
    })
}

const PROJECT_COLS: &str = "id, enterprise_id, name, amount_fen, stage, key_project, green_channel, \
     milestones, steward_id, leader_id, department_id, members, region_id, version";

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: i64,
    enterprise_id: i64,
    name: String,
    amount_fen: i64,
    stage: String,
    key_project: bool,
    green_channel: bool,
    milestones: String,
    steward_id: Option<i64>,
    leader_id: Option<i64>,
    department_id: Option<i64>,
    members: String,
    region_id: i64,
    version: i64,
}

impl ProjectRow {
    fn into_project(self) -> Result<Project> {
        Ok(Project {
            id: self.id,
            enterprise_id: self.enterprise_id,
            name: self.name,
            amount_fen: self.amount_fen,
            stage: Stage::parse(&self.stage).ok_or_else(|| unreadable("stage", &self.stage))?,
            key_project: self.key_project,
            green_channel: self.green_channel,
            milestones: serde_json::from_str(&self.milestones)
                .map_err(|_| unreadable("milestones", &self.milestones))?,
            team: Team {
                steward_id: self.steward_id,
                leader_id: self.leader_id,
                department_id: self.department_id,
                members: serde_json::from_str(&self.members)
                    .map_err(|_| unreadable("members", &self.members))?,
            },
            region_id: self.region_id,
            version: self.version,
        })
    }
}

/// The region an enterprise's projects, visits and work items belong to; an unknown enterprise
/// is named as the field in error.
pub(super) async fn enterprise_region<B: Backend>(
    tx: &mut B::Tx,
    enterprise_id: i64,
) -> Result<i64> {
    let region: Option<(i64,)> = B::opt(
        tx,
        sql("SELECT region_id FROM enterprises WHERE id = $1").bind(enterprise_id),
    )
    .await?;
    region.map(|r| r.0).ok_or_else(|| {
        StoreError::Domain(DomainError::invalid(
            "enterprise_id",
            "没有这家企业",
            "no such enterprise",
        ))
    })
}

async fn read_project<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Project> {
    let row: ProjectRow = B::opt(
        tx,
        sql(format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1")).bind(id),
    )
    .await?
    .ok_or_else(|| StoreError::Domain(DomainError::not_found(Text::fixed("项目", "project"))))?;
    row.into_project()
}

const ITEM_COLS: &str = "id, number, enterprise_id, project_id, visit_id, kind, title, detail, state, level, \
     department_id, deadline, resolution, satisfaction, reopened, consultations, region_id, \
     created_at, closed_at, version";

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    number: String,
    enterprise_id: i64,
    project_id: Option<i64>,
    visit_id: Option<i64>,
    kind: String,
    title: String,
    detail: String,
    state: String,
    level: String,
    department_id: Option<i64>,
    deadline: Option<NaiveDate>,
    resolution: Option<String>,
    satisfaction: Option<i64>,
    reopened: i64,
    consultations: String,
    region_id: i64,
    created_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    version: i64,
}

impl ItemRow {
    fn into_item(self) -> Result<Item> {
        Ok(Item {
            id: self.id,
            number: self.number,
            enterprise_id: self.enterprise_id,
            project_id: self.project_id,
            visit_id: self.visit_id,
            kind: Kind::parse(&self.kind).ok_or_else(|| unreadable("kind", &self.kind))?,
            title: self.title,
            detail: self.detail,
            region_id: self.region_id,
            progress: Progress {
                state: State::parse(&self.state).ok_or_else(|| unreadable("state", &self.state))?,
                level: Level::parse(&self.level).ok_or_else(|| unreadable("level", &self.level))?,
                department_id: self.department_id,
                deadline: self.deadline,
                resolution: self.resolution,
                satisfaction: self.satisfaction,
                reopened: self.reopened,
                consultations: serde_json::from_str(&self.consultations)
                    .map_err(|_| unreadable("consultations", &self.consultations))?,
            },
            created_at: self.created_at,
            closed_at: self.closed_at,
            version: self.version,
        })
    }
}

pub(super) async fn read_item<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Item> {
    let row: ItemRow = B::opt(
        tx,
        sql(format!("SELECT {ITEM_COLS} FROM work_items WHERE id = $1")).bind(id),
    )
    .await?
    .ok_or_else(|| {
        StoreError::Domain(DomainError::not_found(Text::fixed("清单事项", "work item")))
    })?;
    row.into_item()
}

const VISIT_COLS: &str = "id, steward_id, enterprise_id, project_id, round, planned_on, done_at, \
     attendees, notes, region_id, version";

#[derive(sqlx::FromRow)]
struct VisitRow {
    id: i64,
    steward_id: i64,
    enterprise_id: i64,
    project_id: Option<i64>,
    round: Option<String>,
    planned_on: NaiveDate,
    done_at: Option<DateTime<Utc>>,
    attendees: String,
    notes: String,
    region_id: i64,
    version: i64,
}

impl From<VisitRow> for Visit {
    fn from(r: VisitRow) -> Visit {
        Visit {
            id: r.id,
            steward_id: r.steward_id,
            enterprise_id: r.enterprise_id,
            project_id: r.project_id,
            round: r.round,
            planned_on: r.planned_on,
            done_at: r.done_at,
            attendees: r.attendees,
            notes: r.notes,
            region_id: r.region_id,
            version: r.version,
        }
    }
}

async fn read_visit<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Visit> {
    let row: VisitRow = B::opt(
        tx,
        sql(format!("SELECT {VISIT_COLS} FROM visits WHERE id = $1")).bind(id),
    )
    .await?
    .ok_or_else(|| StoreError::Domain(DomainError::not_found(Text::fixed("走访", "visit"))))?;
    Ok(row.into())
}

/// Records an item in this transaction: numbered, with its trail line and audit entry. Its
/// project and visit must be its enterprise's.
async fn insert_item<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    n: NewItem,
    at: DateTime<Utc>,
) -> Result<Item> {
    let region_id = enterprise_region::<B>(tx, n.enterprise_id).await?;
    if let Some(v) = n.visit_id {
        let of: Option<(i64,)> = B::opt(
            tx,
            sql("SELECT enterprise_id FROM visits WHERE id = $1").bind(v),
        )
        .await?;
        if of.map(|r| r.0) != Some(n.enterprise_id) {
            return Err(StoreError::Domain(DomainError::invalid(
                "visit_id",
                "不是对这家企业的走访",
                "not a visit to this enterprise",
            )));
        }
    }
    if let Some(pr) = n.project_id {
        let of: Option<(i64,)> = B::opt(
            tx,
            sql("SELECT enterprise_id FROM projects WHERE id = $1").bind(pr),
        )
        .await?;
        if of.map(|r| r.0) != Some(n.enterprise_id) {
            return Err(StoreError::Domain(DomainError::invalid(
                "project_id",
                "不是这家企业的项目",
                "not a project of this enterprise",
            )));
        }
    }
    let day = local_date(at);
    let seq = next_seq::<B>(tx, "work_item", day).await?;
    let number = format!("QY{}{seq:04}", day.format("%Y%m%d"));
    let (id,): (i64,) = B::opt(
        tx,
        sql(
            "INSERT INTO work_items (number, enterprise_id, project_id, visit_id, kind, title,
                 detail, state, level, region_id, collected_by, created_at, updated_at)
             VALUES ($1, $2, $3, $10, $4, $5, $6, 'recorded', 'district', $7, $8, $9, $9)
             RETURNING id",
        )
        .bind(number)
        .bind(n.enterprise_id)
        .bind(n.project_id)
        .bind(n.kind.code())
        .bind(n.title.clone())
        .bind(n.detail.clone())
        .bind(region_id)
        .bind(ctx.actor_id)
        .bind(at)
        .bind(n.visit_id),
    )
    .await?
    .ok_or_else(|| StoreError::Database("INSERT returned no work item".into()))?;
    let out = read_item::<B>(tx, id).await?;
    super::trail::WORK_ITEM
        .write::<B>(tx, ctx, id, "record", "recorded", at, Some(&out.title))
        .await?;
    audit::<B>(
        tx,
        ctx,
        "work_item.record",
        ("work_item", id),
        None,
        region_id,
        json!({"number": out.number, "kind": out.kind.code(), "title": out.title}),
    )
    .await?;
    Ok(out)
}

/// One step on an item read in this transaction, under its version: the department checked, the
/// machine applied, the row updated, the trail line and audit entry written.
pub(super) async fn act_in<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    before: &Item,
    action: Action,
    at: DateTime<Utc>,
) -> Result<Item> {
    if let Action::Assign {
        department_id: Some(d),
        ..
    } = &action
    {
        let found: Option<(bool,)> = B::opt(
            tx,
            sql("SELECT active FROM departments WHERE id = $1").bind(*d),
        )
        .await?;
        if !matches!(found, Some((true,))) {
            return Err(StoreError::Domain(DomainError::invalid(
                "department_id",
                "没有这个部门",
                "no such department",
            )));
        }
    }
    let code = action.code();
    let (p, note) = work::act(&before.progress, action, local_date(at))?;
    let closed = p.state == State::Closed;
    let n = B::exec(
        tx,
        sql(
            "UPDATE work_items SET state = $1, level = $2, department_id = $3, deadline = $4,
                     resolution = $5, satisfaction = $6, reopened = $7, consultations = $8,
                     closed_at = CASE WHEN $9 THEN $10 ELSE closed_at END, updated_at = $10,
                     answered_at = CASE WHEN $13 THEN $10 ELSE answered_at END,
                     version = version + 1
                 WHERE id = $11 AND version = $12",
        )
        .bind(p.state.code())
        .bind(p.level.code())
        .bind(p.department_id)
        .bind(p.deadline)
        .bind(p.resolution.clone())
        .bind(p.satisfaction)
        .bind(p.reopened)
        .bind(json!(p.consultations).to_string())
        .bind(closed)
        .bind(at)
        .bind(before.id)
        .bind(before.version)
        .bind(code == "answer"),
    )
    .await?;
    if n == 0 {
        return Err(stale());
    }
    let after = read_item::<B>(tx, before.id).await?;
    let note = Some(note.as_str()).filter(|n| !n.is_empty());
    super::trail::WORK_ITEM
        .write::<B>(tx, ctx, before.id, code, p.state.code(), at, note)
        .await?;
    audit::<B>(
            tx,
            ctx,
            &format!("work_item.{code}"),
            ("work_item", before.id),
            after.progress.department_id,
            after.region_id,
            json!({"number": after.number, "state": p.state.code(), "level": p.level.code(), "note": note}),
        )
        .await?;
    Ok(after)
}

#[async_trait]
impl<B: Backend> EnterpriseStore for SqlStore<B> {
    async fn plan_visits(
        &self,
        ctx: &Context,
        steward_id: i64,
        visits: Vec<NewVisit>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Visit>> {
        let mut tx = self.b.begin().await?;
        let mut out = Vec::with_capacity(visits.len());
        for v in visits {
            let region_id = enterprise_region::<B>(&mut tx, v.enterprise_id).await?;
            let (id,): (i64,) = B::opt(
                &mut tx,
                sql(
                    "INSERT INTO visits (steward_id, enterprise_id, project_id, round, planned_on,
                         region_id, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(steward_id)
                .bind(v.enterprise_id)
                .bind(v.project_id)
                .bind(v.round.clone())
                .bind(v.planned_on)
                .bind(region_id)
                .bind(at),
            )
            .await?
            .ok_or_else(|| StoreError::Database("INSERT returned no visit".into()))?;
            let visit = read_visit::<B>(&mut tx, id).await?;
            audit::<B>(
                &mut tx,
                ctx,
                "visit.plan",
                ("visit", id),
                None,
                region_id,
                json!({"enterprise_id": visit.enterprise_id, "steward_id": steward_id,
                       "planned_on": visit.planned_on, "round": visit.round}),
            )
            .await?;
            out.push(visit);
        }
        B::commit(tx).await?;
        Ok(out)
    }

    async fn report_visit(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        done: VisitRecord,
        at: DateTime<Utc>,
    ) -> Result<(Visit, Vec<Item>)> {
        let VisitRecord {
            report: r,
            items,
            photos,
        } = done;
        let mut tx = self.b.begin().await?;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE visits SET done_at = $1, attendees = $2, notes = $3, version = version + 1
                 WHERE id = $4 AND version = $5",
            )
            .bind(at)
            .bind(r.attendees.clone())
            .bind(r.notes.clone())
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            read_visit::<B>(&mut tx, id).await?;
            return Err(stale());
        }
        let out = read_visit::<B>(&mut tx, id).await?;
        for f in &photos {
            B::exec(
                &mut tx,
                sql(
                    "INSERT INTO visit_photos (visit_id, file_name, content_type, size, sha256,
                         added_by, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(f.file_name.clone())
                .bind(f.content_type.clone())
                .bind(f.size)
                .bind(f.sha256.clone())
                .bind(ctx.actor_id)
                .bind(at),
            )
            .await?;
        }
        audit::<B>(
            &mut tx,
            ctx,
            "visit.done",
            ("visit", id),
            None,
            out.region_id,
            json!({"attendees": out.attendees, "items": items.len(),
                   "photos": photos.iter().map(|f| f.file_name.as_str()).collect::<Vec<_>>()}),
        )
        .await?;
        let mut recorded = Vec::with_capacity(items.len());
        for (i, mut n) in items.into_iter().enumerate() {
            if n.enterprise_id != out.enterprise_id {
                return Err(StoreError::Domain(DomainError::invalid(
                    format!("items[{i}].enterprise_id"),
                    "走访收集的事项应属被走访企业",
                    "an item heard on a visit is the visited enterprise's",
                )));
            }
            n.visit_id = Some(id);
            recorded.push(insert_item::<B>(&mut tx, ctx, n, at).await?);
        }
        B::commit(tx).await?;
        Ok((out, recorded))
    }

    async fn visits(
        &self,
        steward_id: Option<i64>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Visit>> {
        let mut q = sql(format!(
            "SELECT {VISIT_COLS} FROM visits WHERE planned_on >= $1 AND planned_on <= $2"
        ))
        .bind(from)
        .bind(to);
        if let Some(s) = steward_id {
            q.text = format!("{} AND steward_id = $3", q.text).into();
            q = q.bind(s);
        }
        let q = sql(format!("{} ORDER BY planned_on, id LIMIT 10000", q.text)).with_args(q.args);
        let rows: Vec<VisitRow> = self.b.read_all(q).await?;
        Ok(rows.into_iter().map(Visit::from).collect())
    }

    async fn create_enterprise(
        &self,
        ctx: &Context,
        e: NewEnterprise,
        at: DateTime<Utc>,
    ) -> Result<Enterprise> {
        let mut tx = self.b.begin().await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO enterprises (name, uscc, industry, size, region_id, contact_name,
                     contact_phone, address, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(e.name.clone())
            .bind(e.uscc.clone())
            .bind(e.industry.clone())
            .bind(e.size.code())
            .bind(e.region_id)
            .bind(e.contact_name.clone())
            .bind(e.contact_phone.clone())
            .bind(e.address.clone())
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no enterprise".into()))?;
        let row: EnterpriseRow = B::opt(
            &mut tx,
            sql(format!(
                "SELECT {ENTERPRISE_COLS} FROM enterprises WHERE id = $1"
            ))
            .bind(id),
        )
        .await?
        .ok_or_else(|| StoreError::Database("enterprise vanished".into()))?;
        let out = enterprise(row)?;
        let pushed = super::enterprise_service::push_open_policies::<B>(
            &mut tx,
            id,
            &out.industry,
            out.size,
            out.region_id,
            at,
        )
        .await?;
        audit::<B>(
            &mut tx,
            ctx,
            "enterprise.create",
            ("enterprise", id),
            None,
            out.region_id,
            json!({"name": out.name, "uscc": out.uscc, "policies_pushed": pushed}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn enterprise(&self, id: i64) -> Result<Option<Enterprise>> {
        let row: Option<EnterpriseRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {ENTERPRISE_COLS} FROM enterprises WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        row.map(enterprise).transpose()
    }

    async fn create_project(
        &self,
        ctx: &Context,
        p: NewProject,
        team: Team,
        at: DateTime<Utc>,
    ) -> Result<Project> {
        let mut tx = self.b.begin().await?;
        let region_id = enterprise_region::<B>(&mut tx, p.enterprise_id).await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO projects (enterprise_id, name, amount_fen, stage, key_project,
                     green_channel, milestones, steward_id, leader_id, department_id, members,
                     region_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
            )
            .bind(p.enterprise_id)
            .bind(p.name.clone())
            .bind(p.amount_fen)
            .bind(p.stage.code())
            .bind(p.key_project)
            .bind(p.green_channel)
            .bind(json!(p.milestones).to_string())
            .bind(team.steward_id)
            .bind(team.leader_id)
            .bind(team.department_id)
            .bind(json!(team.members).to_string())
            .bind(region_id)
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no project".into()))?;
        let out = read_project::<B>(&mut tx, id).await?;
        audit::<B>(
            &mut tx,
            ctx,
            "project.create",
            ("project", id),
            team.department_id,
            region_id,
            json!({"name": out.name, "key_project": out.key_project, "team": out.team}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn project(&self, id: i64) -> Result<Option<Project>> {
        let row: Option<ProjectRow> = self
            .b
            .read_opt(sql(format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1")).bind(id))
            .await?;
        row.map(ProjectRow::into_project).transpose()
    }

    async fn set_project_team(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        team: Team,
        at: DateTime<Utc>,
    ) -> Result<Project> {
        let mut tx = self.b.begin().await?;
        let before = read_project::<B>(&mut tx, id).await?;
        if before.version != version {
            return Err(stale());
        }
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE projects SET steward_id = $1, leader_id = $2, department_id = $3,
                     members = $4, updated_at = $5, version = version + 1
                 WHERE id = $6 AND version = $7",
            )
            .bind(team.steward_id)
            .bind(team.leader_id)
            .bind(team.department_id)
            .bind(json!(team.members).to_string())
            .bind(at)
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(stale());
        }
        for (role, from, to) in team.handovers(&before.team) {
            B::exec(
                &mut tx,
                sql("INSERT INTO project_handovers (project_id, role, from_id, to_id, at, actor_name)
                     VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id)
                .bind(role)
                .bind(from)
                .bind(to)
                .bind(at)
                .bind(ctx.actor_name.clone()),
            )
            .await?;
        }
        let out = read_project::<B>(&mut tx, id).await?;
        audit::<B>(
            &mut tx,
            ctx,
            "project.team",
            ("project", id),
            out.team.department_id,
            out.region_id,
            json!({"team": out.team}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn project_handovers(&self, id: i64) -> Result<Vec<Handover>> {
        type Row = (String, Option<i64>, Option<i64>, DateTime<Utc>, String);
        let rows: Vec<Row> = self
            .b
            .read_all(
                sql(
                    "SELECT role, from_id, to_id, at, actor_name FROM project_handovers
                     WHERE project_id = $1 ORDER BY id",
                )
                .bind(id),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(role, from_id, to_id, at, actor_name)| Handover {
                role,
                from_id,
                to_id,
                at,
                actor_name,
            })
            .collect())
    }

    async fn record_work_item(&self, ctx: &Context, n: NewItem, at: DateTime<Utc>) -> Result<Item> {
        let mut tx = self.b.begin().await?;
        let out = insert_item::<B>(&mut tx, ctx, n, at).await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn work_item(&self, id: i64) -> Result<Option<Item>> {
        let row: Option<ItemRow> = self
            .b
            .read_opt(sql(format!("SELECT {ITEM_COLS} FROM work_items WHERE id = $1")).bind(id))
            .await?;
        row.map(ItemRow::into_item).transpose()
    }

    async fn work_items(&self, f: &WorkFilter) -> Result<Vec<Item>> {
        let mut q = sql(format!("SELECT {ITEM_COLS} FROM work_items WHERE 1 = 1"));
        if let Some(p) = &f.region_path {
            q = q.and_under("region_id", p.clone());
        }
        if let Some(d) = f.department_id {
            q = q.and("department_id = $?", d);
        }
        if let Some(e) = f.enterprise_id {
            q = q.and("enterprise_id = $?", e);
        }
        if let Some(p) = f.project_id {
            q = q.and("project_id = $?", p);
        }
        if let Some(v) = f.visit_id {
            q = q.and("visit_id = $?", v);
        }
        if let Some(l) = f.level {
            q = q.and("level = $?", l.code());
        }
        if !f.states.is_empty() {
            let list: Vec<String> = f.states.iter().map(|s| format!("'{}'", s.code())).collect();
            q.text = format!("{} AND state IN ({})", q.text, list.join(", ")).into();
        }
        let limit = if f.limit <= 0 {
            5000
        } else {
            f.limit.min(5000)
        };
        let q = sql(format!("{} ORDER BY id DESC LIMIT {limit}", q.text)).with_args(q.args);
        let rows: Vec<ItemRow> = self.b.read_all(q).await?;
        rows.into_iter().map(ItemRow::into_item).collect()
    }

    async fn work_log(&self, id: i64) -> Result<Vec<LogLine>> {
        super::trail::WORK_ITEM
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

    async fn act_on_work_items(
        &self,
        ctx: &Context,
        steps: Vec<(i64, Action, DateTime<Utc>)>,
    ) -> Result<Vec<Item>> {
        let mut tx = self.b.begin().await?;
        let mut out = Vec::with_capacity(steps.len());
        for (id, action, at) in steps {
            let before = read_item::<B>(&mut tx, id).await?;
            out.push(act_in::<B>(&mut tx, ctx, &before, action, at).await?);
        }
        B::commit(tx).await?;
        Ok(out)
    }

    async fn act_on_work_item(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: Action,
        at: DateTime<Utc>,
    ) -> Result<Item> {
        let mut tx = self.b.begin().await?;
        let before = read_item::<B>(&mut tx, id).await?;
        if before.version != version {
            return Err(stale());
        }
        let after = act_in::<B>(&mut tx, ctx, &before, action, at).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn enterprises(
        &self,
        region_path: Option<&str>,
        q: Option<&str>,
    ) -> Result<Vec<Enterprise>> {
        let cols = ENTERPRISE_COLS
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut s = sql(format!(
            "SELECT {cols} FROM enterprises e JOIN regions r ON r.id = e.region_id WHERE 1 = 1"
        ));
        if let Some(p) = region_path {
            s = s.and("r.path LIKE $? || '%'", p);
        }
        if let Some(text) = q.map(str::trim).filter(|t| !t.is_empty()) {
            let like = format!("%{}%", text.replace(['%', '_'], "").to_uppercase());
            s = s.and("(e.name LIKE $? OR e.uscc LIKE $?)", like);
        }
        let s = sql(format!("{} ORDER BY e.name, e.id LIMIT 5000", s.text)).with_args(s.args);
        let rows: Vec<EnterpriseRow> = self.b.read_all(s).await?;
        rows.into_iter().map(enterprise).collect()
    }

    async fn projects(
        &self,
        enterprise_id: Option<i64>,
        region_path: Option<&str>,
    ) -> Result<Vec<Project>> {
        let mut s = sql(format!("SELECT {PROJECT_COLS} FROM projects WHERE 1 = 1"));
        if let Some(e) = enterprise_id {
            s = s.and("enterprise_id = $?", e);
        }
        if let Some(p) = region_path {
            s = s.and_under("region_id", p);
        }
        let s = sql(format!("{} ORDER BY id LIMIT 5000", s.text)).with_args(s.args);
        let rows: Vec<ProjectRow> = self.b.read_all(s).await?;
        rows.into_iter().map(ProjectRow::into_project).collect()
    }

    async fn visit(&self, id: i64) -> Result<Option<Visit>> {
        let row: Option<VisitRow> = self
            .b
            .read_opt(sql(format!("SELECT {VISIT_COLS} FROM visits WHERE id = $1")).bind(id))
            .await?;
        Ok(row.map(Visit::from))
    }

    async fn visits_to(&self, enterprise_id: i64) -> Result<Vec<Visit>> {
        let rows: Vec<VisitRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {VISIT_COLS} FROM visits WHERE enterprise_id = $1
                     ORDER BY planned_on DESC, id DESC LIMIT 1000"
                ))
                .bind(enterprise_id),
            )
            .await?;
        Ok(rows.into_iter().map(Visit::from).collect())
    }

    async fn visit_photos(&self, visit_id: i64) -> Result<Vec<VisitPhoto>> {
        type Row = (i64, i64, String, String, i64, String, DateTime<Utc>);
        let rows: Vec<Row> = self
            .b
            .read_all(
                sql(
                    "SELECT id, visit_id, file_name, content_type, size, sha256, at
                     FROM visit_photos WHERE visit_id = $1 ORDER BY id",
                )
                .bind(visit_id),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, visit_id, file_name, content_type, size, sha256, added_at)| VisitPhoto {
                    id,
                    visit_id,
                    file_name,
                    content_type,
                    size,
                    sha256,
                    added_at,
                },
            )
            .collect())
    }
}
