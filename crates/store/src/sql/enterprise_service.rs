//! Enterprise service around the records: joint consultations (each decided item gets its 会商
//! step in the same transaction) and their follow-ups; policy notices pushed to the enterprises
//! their audience matches, at publication and when an enterprise is registered later; a
//! project's cases; enterprise accounts; and the facts the monthly figures are computed from.

use super::SqlStore;
use super::enterprise::{act_in, audit, enterprise_region, read_item, stale, unreadable};
use crate::EnterpriseServiceStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::model::{CaseProject, ItemFactRow, VisitFactRow};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::Context;
use onewindow_core::enterprise::consultation::{self, Consultation, Form, NewConsultation};
use onewindow_core::enterprise::firm::{Audience, Size};
use onewindow_core::enterprise::policy::{NewPolicy, Policy, Push};
use onewindow_core::enterprise::work::{Action, Level};
use onewindow_core::time::{local_date, start_of};
use onewindow_core::{DomainError, Text};
use serde_json::json;

const CONSULTATION_COLS: &str = "id, form, title, held_on, level, attendees, department_ids, \
     decisions, follow_ups, item_ids, region_id, recorded_by, created_at, version";

#[derive(sqlx::FromRow)]
struct ConsultationRow {
    id: i64,
    form: String,
    title: String,
    held_on: NaiveDate,
    level: String,
    attendees: String,
    department_ids: String,
    decisions: String,
    follow_ups: String,
    item_ids: String,
    region_id: i64,
    recorded_by: String,
    created_at: DateTime<Utc>,
    version: i64,
}

impl ConsultationRow {
    fn into_consultation(self) -> Result<Consultation> {
        let parse = |what: &str, v: &str| unreadable(what, v);
        Ok(Consultation {
            id: self.id,
            form: Form::parse(&self.form).ok_or_else(|| parse("form", &self.form))?,
            title: self.title,
            held_on: self.held_on,
            level: Level::parse(&self.level).ok_or_else(|| parse("level", &self.level))?,
            attendees: self.attendees,
            department_ids: serde_json::from_str(&self.department_ids)
                .map_err(|_| parse("department_ids", &self.department_ids))?,
            decisions: self.decisions,
            follow_ups: serde_json::from_str(&self.follow_ups)
                .map_err(|_| parse("follow_ups", &self.follow_ups))?,
            item_ids: serde_json::from_str(&self.item_ids)
                .map_err(|_| parse("item_ids", &self.item_ids))?,
            region_id: self.region_id,
            recorded_by: self.recorded_by,
            created_at: self.created_at,
            version: self.version,
        })
    }
}

async fn read_consultation<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Consultation> {
    let row: ConsultationRow = B::opt(
        tx,
        sql(format!(
            "SELECT {CONSULTATION_COLS} FROM consultations WHERE id = $1"
        ))
        .bind(id),
    )
    .await?
    .ok_or_else(|| {
        StoreError::Domain(DomainError::not_found(Text::fixed("会商", "consultation")))
    })?;
    row.into_consultation()
}

async fn check_departments<B: Backend>(tx: &mut B::Tx, field: &str, ids: &[i64]) -> Result<()> {
    for (i, d) in ids.iter().enumerate() {
        let found: Option<(bool,)> = B::opt(
            tx,
            sql("SELECT active FROM departments WHERE id = $1").bind(*d),
        )
        .await?;
        if !matches!(found, Some((true,))) {
            return Err(StoreError::Domain(DomainError::invalid(
                format!("{field}[{i}]"),
                "没有这个部门",
                "no such department",
            )));
        }
    }
    Ok(())
}

const POLICY_COLS: &str = "p.id, p.title, p.body, p.department_id, p.audience, p.until, \
     p.region_id, p.published_at, \
     (SELECT COUNT(*) FROM policy_pushes x WHERE x.policy_id = p.id), \
     (SELECT COUNT(*) FROM policy_pushes x WHERE x.policy_id = p.id AND x.read_at IS NOT NULL)";

type PolicyRow = (
    i64,
    String,
    String,
    i64,
    String,
    Option<NaiveDate>,
    i64,
    DateTime<Utc>,
    i64,
    i64,
);

fn policy(r: PolicyRow) -> Result<Policy> {
    Ok(Policy {
        id: r.0,
        title: r.1,
        body: r.2,
        department_id: r.3,
        audience: serde_json::from_str(&r.4).map_err(|_| unreadable("audience", &r.4))?,
        until: r.5,
        region_id: r.6,
        published_at: r.7,
        pushed: r.8,
        read: r.9,
    })
}

async fn region_path<B: Backend>(tx: &mut B::Tx, region_id: i64) -> Result<String> {
    let row: Option<(String,)> = B::opt(
        tx,
        sql("SELECT path FROM regions WHERE id = $1").bind(region_id),
    )
    .await?;
    row.map(|r| r.0).ok_or_else(|| {
        StoreError::Domain(DomainError::invalid(
            "region_id",
            "没有这个区划",
            "no such region",
        ))
    })
}

/// Pushes the notices still open on `at` to a newly registered enterprise, where they match
/// (未诉先办 also for those who come later). Returns how many.
pub(super) async fn push_open_policies<B: Backend>(
    tx: &mut B::Tx,
    enterprise_id: i64,
    industry: &str,
    size: Size,
    region_id: i64,
    at: DateTime<Utc>,
) -> Result<usize> {
    let path = region_path::<B>(tx, region_id).await?;
    let open: Vec<(i64, String)> = B::all(
        tx,
        sql(
            "SELECT p.id, p.audience FROM policies p JOIN regions r ON r.id = p.region_id
             WHERE (p.until IS NULL OR p.until >= $1) AND $2 LIKE r.path || '%'",
        )
        .bind(local_date(at))
        .bind(path.clone()),
    )
    .await?;
    let mut n = 0;
    for (id, audience) in open {
        let a: Audience =
            serde_json::from_str(&audience).map_err(|_| unreadable("audience", &audience))?;
        if a.matches(industry, size, &path) {
            B::exec(
                tx,
                sql(
                    "INSERT INTO policy_pushes (policy_id, enterprise_id, pushed_at)
                     VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(enterprise_id)
                .bind(at),
            )
            .await?;
            n += 1;
        }
    }
    Ok(n)
}

#[async_trait]
impl<B: Backend> EnterpriseServiceStore for SqlStore<B> {
    async fn record_consultation(
        &self,
        ctx: &Context,
        c: NewConsultation,
        region_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Consultation> {
        let mut tx = self.b.begin().await?;
        region_path::<B>(&mut tx, region_id).await?;
        check_departments::<B>(&mut tx, "department_ids", &c.department_ids).await?;
        let follow: Vec<i64> = c.follow_ups.iter().map(|f| f.department_id).collect();
        check_departments::<B>(&mut tx, "follow_ups.department_id", &follow).await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO consultations (form, title, held_on, level, attendees,
                     department_ids, decisions, follow_ups, item_ids, region_id, recorded_by,
                     created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(c.form.code())
            .bind(c.title.clone())
            .bind(c.held_on)
            .bind(c.level.code())
            .bind(c.attendees.clone())
            .bind(json!(c.department_ids).to_string())
            .bind(c.decisions.clone())
            .bind(json!(c.follow_ups).to_string())
            .bind(json!(c.item_ids).to_string())
            .bind(region_id)
            .bind(ctx.actor_name.clone())
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no consultation".into()))?;
        for (i, item) in c.item_ids.iter().enumerate() {
            let before = read_item::<B>(&mut tx, *item).await.map_err(|e| match e {
                StoreError::Domain(DomainError::NotFound(_)) => {
                    StoreError::Domain(DomainError::invalid(
                        format!("item_ids[{i}]"),
                        "没有这个清单事项",
                        "no such work item",
                    ))
                }
                e => e,
            })?;
            let decision = Action::Consult {
                consultation_id: id,
                decision: format!("{}：{}", c.title, c.decisions),
            };
            act_in::<B>(&mut tx, ctx, &before, decision, at)
                .await
                .map_err(|e| match e {
                    StoreError::Domain(DomainError::WrongState { .. }) => {
                        StoreError::Domain(DomainError::invalid(
                            format!("item_ids[{i}]"),
                            format!("{}已办结或待企业确认，不再会商", before.number),
                            format!("{} is answered or closed", before.number),
                        ))
                    }
                    e => e,
                })?;
        }
        let out = read_consultation::<B>(&mut tx, id).await?;
        audit::<B>(
            &mut tx,
            ctx,
            "consultation.record",
            ("consultation", id),
            None,
            region_id,
            json!({"title": out.title, "form": out.form.code(), "items": out.item_ids}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn consultation(&self, id: i64) -> Result<Option<Consultation>> {
        let row: Option<ConsultationRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {CONSULTATION_COLS} FROM consultations WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        row.map(ConsultationRow::into_consultation).transpose()
    }

    async fn consultations(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Consultation>> {
        let rows: Vec<ConsultationRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {CONSULTATION_COLS} FROM consultations
                     WHERE held_on >= $1 AND held_on <= $2 ORDER BY held_on DESC, id DESC
                     LIMIT 2000"
                ))
                .bind(from)
                .bind(to),
            )
            .await?;
        rows.into_iter()
            .map(ConsultationRow::into_consultation)
            .collect()
    }

    async fn finish_follow_up(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        index: usize,
        at: DateTime<Utc>,
    ) -> Result<Consultation> {
        let mut tx = self.b.begin().await?;
        let before = read_consultation::<B>(&mut tx, id).await?;
        if before.version != version {
            return Err(stale());
        }
        let after = consultation::finish(&before.follow_ups, index, local_date(at))
            .map_err(|f| StoreError::Domain(DomainError::Invalid(f)))?;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE consultations SET follow_ups = $1, version = version + 1
                 WHERE id = $2 AND version = $3",
            )
            .bind(json!(after).to_string())
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(stale());
        }
        let out = read_consultation::<B>(&mut tx, id).await?;
        audit::<B>(
            &mut tx,
            ctx,
            "consultation.follow_up",
            ("consultation", id),
            out.follow_ups.get(index).map(|f| f.department_id),
            out.region_id,
            json!({"index": index, "task": out.follow_ups.get(index).map(|f| f.task.clone())}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn publish_policy(
        &self,
        ctx: &Context,
        p: NewPolicy,
        region_id: i64,
        at: DateTime<Utc>,
    ) -> Result<Policy> {
        let mut tx = self.b.begin().await?;
        let path = region_path::<B>(&mut tx, region_id).await?;
        check_departments::<B>(&mut tx, "department_id", &[p.department_id])
            .await
            .map_err(|_| {
                StoreError::Domain(DomainError::invalid(
                    "department_id",
                    "没有这个部门",
                    "no such department",
                ))
            })?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO policies (title, body, department_id, audience, until, region_id,
                     published_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(p.title.clone())
            .bind(p.body.clone())
            .bind(p.department_id)
            .bind(json!(p.audience).to_string())
            .bind(p.until)
            .bind(region_id)
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no policy".into()))?;
        type Candidate = (i64, String, String, String);
        let candidates: Vec<Candidate> = B::all(
            &mut tx,
            sql("SELECT e.id, e.industry, e.size, r.path FROM enterprises e
                 JOIN regions r ON r.id = e.region_id WHERE r.path LIKE $1 || '%'")
            .bind(path),
        )
        .await?;
        let mut pushed = 0usize;
        for (eid, industry, size, epath) in candidates {
            let size = Size::parse(&size).ok_or_else(|| unreadable("size", &size))?;
            if p.audience.matches(&industry, size, &epath) {
                B::exec(
                    &mut tx,
                    sql(
                        "INSERT INTO policy_pushes (policy_id, enterprise_id, pushed_at)
                         VALUES ($1, $2, $3)",
                    )
                    .bind(id)
                    .bind(eid)
                    .bind(at),
                )
                .await?;
                pushed += 1;
            }
        }
        audit::<B>(
            &mut tx,
            ctx,
            "policy.publish",
            ("policy", id),
            Some(p.department_id),
            region_id,
            json!({"title": p.title, "audience": p.audience, "pushed": pushed}),
        )
        .await?;
        let row: PolicyRow = B::opt(
            &mut tx,
            sql(format!(
                "SELECT {POLICY_COLS} FROM policies p WHERE p.id = $1"
            ))
            .bind(id),
        )
        .await?
        .ok_or_else(|| StoreError::Database("policy vanished".into()))?;
        B::commit(tx).await?;
        policy(row)
    }

    async fn policies(&self, region_path: Option<&str>) -> Result<Vec<Policy>> {
        let mut s = sql(format!(
            "SELECT {POLICY_COLS} FROM policies p JOIN regions r ON r.id = p.region_id WHERE 1 = 1"
        ));
        if let Some(path) = region_path {
            s = s.and("r.path LIKE $? || '%'", path);
        }
        let s = sql(format!("{} ORDER BY p.id DESC LIMIT 1000", s.text)).with_args(s.args);
        let rows: Vec<PolicyRow> = self.b.read_all(s).await?;
        rows.into_iter().map(policy).collect()
    }

    async fn policy(&self, id: i64) -> Result<Option<Policy>> {
        let row: Option<PolicyRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {POLICY_COLS} FROM policies p WHERE p.id = $1"
                ))
                .bind(id),
            )
            .await?;
        row.map(policy).transpose()
    }

    async fn pushes_to(&self, enterprise_id: i64) -> Result<Vec<Push>> {
        type Row = (i64, i64, String, DateTime<Utc>, Option<DateTime<Utc>>);
        let rows: Vec<Row> = self
            .b
            .read_all(
                sql(
                    "SELECT x.policy_id, x.enterprise_id, p.title, x.pushed_at, x.read_at
                     FROM policy_pushes x JOIN policies p ON p.id = x.policy_id
                     WHERE x.enterprise_id = $1 ORDER BY x.policy_id DESC",
                )
                .bind(enterprise_id),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(policy_id, enterprise_id, title, pushed_at, read_at)| Push {
                    policy_id,
                    enterprise_id,
                    title,
                    pushed_at,
                    read_at,
                },
            )
            .collect())
    }

    async fn mark_policy_read(
        &self,
        enterprise_id: i64,
        policy_id: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        B::exec(
            &mut tx,
            sql("UPDATE policy_pushes SET read_at = $1
                 WHERE policy_id = $2 AND enterprise_id = $3 AND read_at IS NULL")
            .bind(at)
            .bind(policy_id)
            .bind(enterprise_id),
        )
        .await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn link_case(
        &self,
        ctx: &Context,
        project_id: i64,
        case_id: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let project: Option<(i64, String)> = B::opt(
            &mut tx,
            sql("SELECT region_id, name FROM projects WHERE id = $1").bind(project_id),
        )
        .await?;
        let (region_id, name) = project.ok_or_else(|| {
            StoreError::Domain(DomainError::not_found(Text::fixed("项目", "project")))
        })?;
        let case: Option<(String,)> = B::opt(
            &mut tx,
            sql("SELECT number FROM cases WHERE id = $1").bind(case_id),
        )
        .await?;
        let (number,) = case.ok_or_else(|| {
            StoreError::Domain(DomainError::invalid("case", "没有这个办件", "no such case"))
        })?;
        let taken: Option<(i64,)> = B::opt(
            &mut tx,
            sql("SELECT project_id FROM project_cases WHERE case_id = $1").bind(case_id),
        )
        .await?;
        if let Some((other,)) = taken {
            return Err(StoreError::Domain(DomainError::invalid(
                "case",
                if other == project_id {
                    "该办件已关联本项目".to_string()
                } else {
                    "该办件已关联其他项目".to_string()
                },
                if other == project_id {
                    "the case is already linked to this project".to_string()
                } else {
                    "the case is linked to another project".to_string()
                },
            )));
        }
        B::exec(
            &mut tx,
            sql(
                "INSERT INTO project_cases (case_id, project_id, linked_at, actor_name)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(case_id)
            .bind(project_id)
            .bind(at)
            .bind(ctx.actor_name.clone()),
        )
        .await?;
        audit::<B>(
            &mut tx,
            ctx,
            "project.link_case",
            ("project", project_id),
            None,
            region_id,
            json!({"project": name, "case": number}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn project_cases(&self, project_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = self
            .b
            .read_all(
                sql("SELECT case_id FROM project_cases WHERE project_id = $1
                     ORDER BY linked_at, case_id")
                .bind(project_id),
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn case_projects(&self, case_ids: &[i64]) -> Result<Vec<CaseProject>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut s = sql(
            "SELECT c.case_id, p.id, p.name, p.green_channel FROM project_cases c
             JOIN projects p ON p.id = c.project_id WHERE c.case_id IN (",
        );
        let mut marks = Vec::with_capacity(case_ids.len());
        for id in case_ids.iter().take(5000) {
            marks.push(s.next_placeholder());
            s = s.bind(*id);
        }
        s.text = format!("{}{})", s.text, marks.join(", ")).into();
        let rows: Vec<(i64, i64, String, bool)> = self.b.read_all(s).await?;
        Ok(rows
            .into_iter()
            .map(
                |(case_id, project_id, project_name, green_channel)| CaseProject {
                    case_id,
                    project_id,
                    project_name,
                    green_channel,
                },
            )
            .collect())
    }

    async fn set_enterprise_account(
        &self,
        ctx: &Context,
        user_id: i64,
        enterprise_id: i64,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let region_id = enterprise_region::<B>(&mut tx, enterprise_id).await?;
        if !super::has_active_role::<B>(&mut tx, user_id, "enterprise").await? {
            return Err(StoreError::Domain(DomainError::invalid(
                "user_id",
                "该账号不是企业用户",
                "the account is not an enterprise account",
            )));
        }
        B::exec(
            &mut tx,
            sql("DELETE FROM enterprise_accounts WHERE user_id = $1").bind(user_id),
        )
        .await?;
        B::exec(
            &mut tx,
            sql("INSERT INTO enterprise_accounts (user_id, enterprise_id) VALUES ($1, $2)")
                .bind(user_id)
                .bind(enterprise_id),
        )
        .await?;
        audit::<B>(
            &mut tx,
            ctx,
            "enterprise.account",
            ("enterprise", enterprise_id),
            None,
            region_id,
            json!({"user_id": user_id}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn enterprise_of_account(&self, user_id: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = self
            .b
            .read_opt(
                sql("SELECT enterprise_id FROM enterprise_accounts WHERE user_id = $1")
                    .bind(user_id),
            )
            .await?;
        Ok(row.map(|r| r.0))
    }

    async fn service_facts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(Vec<ItemFactRow>, Vec<VisitFactRow>)> {
        let start = start_of(from);
        let end = start_of(to.succ_opt().unwrap_or(to));
        type IRow = (
            i64,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
            Option<NaiveDate>,
        );
        let rows: Vec<IRow> = self
            .b
            .read_all(
                sql(
                    "SELECT region_id, level, created_at, answered_at, closed_at, deadline
                     FROM work_items
                     WHERE created_at < $1 AND (closed_at IS NULL OR closed_at >= $2)",
                )
                .bind(end)
                .bind(start),
            )
            .await?;
        let items = rows
            .into_iter()
            .map(
                |(region_id, level, created_at, answered_at, closed_at, deadline)| {
                    Ok(ItemFactRow {
                        region_id,
                        level: Level::parse(&level).ok_or_else(|| unreadable("level", &level))?,
                        created_at,
                        answered_at,
                        closed_at,
                        deadline,
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        type VRow = (i64, i64, NaiveDate, Option<DateTime<Utc>>);
        let rows: Vec<VRow> = self
            .b
            .read_all(
                sql(
                    "SELECT region_id, steward_id, planned_on, done_at FROM visits
                     WHERE (planned_on >= $1 AND planned_on <= $2)
                        OR (done_at >= $3 AND done_at < $4)",
                )
                .bind(from)
                .bind(to)
                .bind(start)
                .bind(end),
            )
            .await?;
        let visits = rows
            .into_iter()
            .map(
                |(region_id, steward_id, planned_on, done_at)| VisitFactRow {
                    region_id,
                    steward_id,
                    planned_on,
                    done_at,
                },
            )
            .collect();
        Ok((items, visits))
    }
}
