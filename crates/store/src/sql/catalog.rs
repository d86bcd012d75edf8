//! Matters, guide versions, topics, and the catalog's generation counter.

use super::audit::append;
use super::entity::{Entity, active_set, apply, current};
use super::org::{activation, fetch, require_active};
use super::{SqlStore, scope_where};
use crate::CatalogStore;
use crate::backend::{Backend, Sql, now, sql};
use crate::error::{Result, StoreError};
use crate::model::ScopeFilter;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::catalog::Guide;
use onewindow_core::catalog::bundle::{Audience, Topic, TopicInput, TopicKind};
use onewindow_core::catalog::record::*;
use onewindow_core::catalog::version::{VersionAction, VersionStatus, differences, transition};
use onewindow_core::{DomainError, FieldError, Text};
use serde_json::json;

const MATTER_COLS: &str =
    "id, code, department_id, name, published_version_id, active, version, created_at, updated_at";
const VERSION_COLS: &str = "id, matter_id, number, status, content, note, created_by, created_at, submitted_at, reviewed_by, reviewed_at";
const TOPIC_COLS: &str = "id, code, name, kind, audience, description, sort, active, version";

#[derive(sqlx::FromRow)]
struct MatterRow {
    id: i64,
    code: String,
    department_id: i64,
    name: String,
    published_version_id: Option<i64>,
    active: bool,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<MatterRow> for Matter {
    fn from(r: MatterRow) -> Matter {
        Matter {
            id: r.id,
            code: r.code,
            department_id: r.department_id,
            name: r.name,
            published_version_id: r.published_version_id,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: i64,
    matter_id: i64,
    number: i64,
    status: String,
    content: String,
    note: Option<String>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    submitted_at: Option<DateTime<Utc>>,
    reviewed_by: Option<i64>,
    reviewed_at: Option<DateTime<Utc>>,
}

fn decode_guide(content: &str) -> Result<Guide> {
    serde_json::from_str(content)
        .map_err(|e| StoreError::Database(format!("stored guide does not decode: {e}")))
}

fn encode_guide(g: &Guide) -> String {
    // A Guide is plain data; serialising it cannot fail.
    serde_json::to_string(g).unwrap_or_default()
}

impl VersionRow {
    fn into_version(self) -> Result<GuideVersion> {
        Ok(GuideVersion {
            id: self.id,
            matter_id: self.matter_id,
            number: self.number,
            status: VersionStatus::parse(&self.status).unwrap_or(VersionStatus::Draft),
            guide: decode_guide(&self.content)?,
            note: self.note,
            created_by: self.created_by,
            created_at: self.created_at,
            submitted_at: self.submitted_at,
            reviewed_by: self.reviewed_by,
            reviewed_at: self.reviewed_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TopicRow {
    id: i64,
    code: String,
    name: String,
    kind: String,
    audience: String,
    description: String,
    sort: i64,
    active: bool,
    version: i64,
}

impl TopicRow {
    fn with_matters(self, matters: Vec<String>) -> Topic {
        Topic {
            id: self.id,
            code: self.code,
            name: self.name,
            kind: TopicKind::parse(&self.kind).unwrap_or(TopicKind::Theme),
            audience: Audience::parse(&self.audience).unwrap_or(Audience::Person),
            description: self.description,
            sort: self.sort,
            matters,
            active: self.active,
            version: self.version,
        }
    }
}

const MATTER: Text = Text::fixed("事项", "matter");
const VERSION: Text = Text::fixed("指南版本", "guide version");

impl Entity for Matter {
    const TABLE: &'static str = "matters";
    const KIND: &'static str = "matter";
    const WHAT: Text = MATTER;
    fn version(&self) -> i64 {
        self.version
    }
    async fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Self> {
        Ok(
            fetch::<B, MatterRow>(tx, MATTER_COLS, Self::TABLE, id, Self::WHAT)
                .await?
                .into(),
        )
    }
    async fn owner<B: Backend>(&self, tx: &mut B::Tx) -> Result<(Option<i64>, Option<i64>)> {
        let r: Option<(i64,)> = B::opt(
            tx,
            sql("SELECT region_id FROM departments WHERE id = $1").bind(self.department_id),
        )
        .await?;
        Ok((Some(self.department_id), r.map(|r| r.0)))
    }
}

impl Entity for Topic {
    const TABLE: &'static str = "topics";
    const KIND: &'static str = "topic";
    const WHAT: Text = Text::fixed("专题", "topic");
    fn version(&self) -> i64 {
        self.version
    }
    async fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Self> {
        let row: TopicRow = fetch::<B, _>(tx, TOPIC_COLS, Self::TABLE, id, Self::WHAT).await?;
        let codes: Vec<(String,)> = B::all(
            tx,
            sql("SELECT m.code FROM topic_matters tm JOIN matters m ON m.id = tm.matter_id WHERE tm.topic_id = $1 ORDER BY tm.position").bind(id),
        )
        .await?;
        Ok(row.with_matters(codes.into_iter().map(|c| c.0).collect()))
    }
    async fn owner<B: Backend>(&self, _: &mut B::Tx) -> Result<(Option<i64>, Option<i64>)> {
        Ok((None, None))
    }
}

/// A new catalog generation: every instance's cached view of the catalog is built again.
pub(crate) async fn bump<B: Backend>(tx: &mut B::Tx) -> Result<()> {
    B::exec(
        tx,
        sql("UPDATE catalog_state SET generation = generation + 1 WHERE id = 1"),
    )
    .await?;
    Ok(())
}

async fn load_version<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<GuideVersion> {
    fetch::<B, VersionRow>(tx, VERSION_COLS, "guide_versions", id, VERSION)
        .await?
        .into_version()
}

async fn latest_version<B: Backend>(
    tx: &mut B::Tx,
    matter_id: i64,
) -> Result<Option<GuideVersion>> {
    let row: Option<VersionRow> = B::opt(
        tx,
        sql(format!("SELECT {VERSION_COLS} FROM guide_versions WHERE matter_id = $1 ORDER BY number DESC LIMIT 1")).bind(matter_id),
    )
    .await?;
    row.map(VersionRow::into_version).transpose()
}

async fn insert_version<B: Backend>(
    tx: &mut B::Tx,
    matter_id: i64,
    number: i64,
    status: VersionStatus,
    guide: &Guide,
    note: Option<String>,
    actor: Option<i64>,
) -> Result<i64> {
    let t = now();
    let published = status == VersionStatus::Published;
    let row: Option<(i64,)> = B::opt(
        tx,
        sql("INSERT INTO guide_versions (matter_id, number, status, content, note, created_by, created_at, submitted_at, reviewed_by, reviewed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8) RETURNING id")
        .bind(matter_id)
        .bind(number)
        .bind(status.code())
        .bind(encode_guide(guide))
        .bind(note)
        .bind(actor)
        .bind(t)
        .bind(published.then_some(t))
        .bind(if published { actor } else { None }),
    )
    .await?;
    row.map(|r| r.0)
        .ok_or_else(|| StoreError::Database("INSERT returned no id".into()))
}

/// Makes `version_id` the matter's published version, superseding the one before.
async fn publish<B: Backend>(
    tx: &mut B::Tx,
    matter: &Matter,
    version_id: i64,
    name: &str,
) -> Result<()> {
    B::exec(
        tx,
        sql("UPDATE guide_versions SET status = 'superseded' WHERE matter_id = $1 AND status = 'published' AND id <> $2")
            .bind(matter.id)
            .bind(version_id),
    )
    .await?;
    B::exec(
        tx,
        sql("UPDATE matters SET published_version_id = $1, name = $2, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(version_id)
            .bind(name)
            .bind(now())
            .bind(matter.id),
    )
    .await?;
    bump::<B>(tx).await
}

fn version_change(
    action: &str,
    m: &Matter,
    owner: (Option<i64>, Option<i64>),
    summary: serde_json::Value,
) -> Change {
    Change {
        action: format!("guide.{action}"),
        target_type: "matter".into(),
        target_id: Some(m.id),
        department_id: owner.0,
        region_id: owner.1,
        summary,
    }
}

fn changes_json(before: Option<&Guide>, after: &Guide) -> serde_json::Value {
    match before {
        None => json!({"after": {"name": after.name}}),
        Some(b) => {
            let d = differences(b, after);
            json!({
                "before": d.iter().map(|x| (x.field.clone(), serde_json::Value::String(x.before.clone()))).collect::<serde_json::Map<_, _>>(),
                "after": d.iter().map(|x| (x.field.clone(), serde_json::Value::String(x.after.clone()))).collect::<serde_json::Map<_, _>>(),
            })
        }
    }
}

async fn matter_ids<B: Backend>(tx: &mut B::Tx, codes: &[String]) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for c in codes {
        let row: Option<(i64,)> = B::opt(
            tx,
            sql("SELECT id FROM matters WHERE code = $1").bind(c.clone()),
        )
        .await?;
        match row {
            Some((id,)) => ids.push(id),
            None => {
                return Err(FieldError::new(
                    "matters",
                    Text::new(
                        format!("实施编码{c}的事项不存在"),
                        format!("no matter has the code {c}"),
                    ),
                )
                .into());
            }
        }
    }
    Ok(ids)
}

#[async_trait]
impl<B: Backend> CatalogStore for SqlStore<B> {
    async fn matters(&self, scope: &ScopeFilter) -> Result<Vec<Matter>> {
        // Matters belong to departments: a region scope reaches them through their department.
        let mut q = scope_where(
            sql(format!("SELECT {MATTER_COLS} FROM matters WHERE 1 = 1")),
            scope,
            Some("department_id"),
            None,
        );
        q.text = format!("{} ORDER BY code", q.text).into();
        let rows: Vec<MatterRow> = self.b.read_all(q).await?;
        Ok(rows.into_iter().map(Matter::from).collect())
    }

    async fn matter_by_code(&self, code: &str) -> Result<Option<Matter>> {
        let row: Option<MatterRow> = self
            .b
            .read_opt(sql(format!("SELECT {MATTER_COLS} FROM matters WHERE code = $1")).bind(code))
            .await?;
        Ok(row.map(Matter::from))
    }

    async fn matter(&self, id: i64) -> Result<Option<Matter>> {
        let row: Option<MatterRow> = self
            .b
            .read_opt(sql(format!("SELECT {MATTER_COLS} FROM matters WHERE id = $1")).bind(id))
            .await?;
        Ok(row.map(Matter::from))
    }

    async fn create_matter(&self, ctx: &Context, new: NewMatter) -> Result<(Matter, GuideVersion)> {
        let mut tx = self.b.begin().await?;
        require_active::<B>(&mut tx, "departments", new.department_id, "department_id").await?;
        let t = now();
        let row: Option<(i64,)> = B::opt(
            &mut tx,
            sql("INSERT INTO matters (code, department_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id")
                .bind(new.code.clone())
                .bind(new.department_id)
                .bind(new.guide.name.clone())
                .bind(t),
        )
        .await?;
        let id = row
            .map(|r| r.0)
            .ok_or_else(|| StoreError::Database("INSERT returned no id".into()))?;
        let vid = insert_version::<B>(
            &mut tx,
            id,
            1,
            VersionStatus::Draft,
            &new.guide,
            None,
            ctx.actor_id,
        )
        .await?;
        let m = Matter::load::<B>(&mut tx, id).await?;
        let owner = m.owner::<B>(&mut tx).await?;
        append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "matter.create".into(),
                target_type: "matter".into(),
                target_id: Some(id),
                department_id: owner.0,
                region_id: owner.1,
                summary: json!({"after": {"code": m.code, "name": m.name, "department_id": m.department_id}}),
            },
        )
        .await?;
        let v = load_version::<B>(&mut tx, vid).await?;
        B::commit(tx).await?;
        Ok((m, v))
    }

    async fn save_draft(
        &self,
        ctx: &Context,
        matter_id: i64,
        guide: Guide,
        note: Option<String>,
    ) -> Result<GuideVersion> {
        let mut tx = self.b.begin().await?;
        let m = Matter::load::<B>(&mut tx, matter_id).await?;
        let latest = latest_version::<B>(&mut tx, matter_id).await?;
        let published = match m.published_version_id {
            Some(p) => Some(load_version::<B>(&mut tx, p).await?.guide),
            None => None,
        };
        let id = match &latest {
            Some(v) if v.status == VersionStatus::Review => {
                return Err(DomainError::conflict(
                    "status",
                    format!("第{}版正在审核中，审核结束前不能修改", v.number),
                    format!(
                        "version {} is in review and cannot change until reviewed",
                        v.number
                    ),
                )
                .into());
            }
            Some(v) if v.status == VersionStatus::Draft => {
                B::exec(
                    &mut tx,
                    sql("UPDATE guide_versions SET content = $1, note = $2, created_by = $3 WHERE id = $4")
                        .bind(encode_guide(&guide))
                        .bind(note)
                        .bind(ctx.actor_id)
                        .bind(v.id),
                )
                .await?;
                v.id
            }
            other => {
                let number = other.as_ref().map_or(1, |v| v.number + 1);
                insert_version::<B>(
                    &mut tx,
                    matter_id,
                    number,
                    VersionStatus::Draft,
                    &guide,
                    note,
                    ctx.actor_id,
                )
                .await?
            }
        };
        let owner = m.owner::<B>(&mut tx).await?;
        let v = load_version::<B>(&mut tx, id).await?;
        let mut summary = changes_json(published.as_ref(), &guide);
        summary["version"] = json!(v.number);
        append::<B>(&mut tx, ctx, version_change("draft", &m, owner, summary)).await?;
        B::commit(tx).await?;
        Ok(v)
    }

    async fn act_on_version(
        &self,
        ctx: &Context,
        version_id: i64,
        action: VersionAction,
        note: Option<String>,
    ) -> Result<GuideVersion> {
        let mut tx = self.b.begin().await?;
        let v = load_version::<B>(&mut tx, version_id).await?;
        let next = transition(v.status, action)?;
        if action == VersionAction::Reject && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(FieldError::new(
                "note",
                Text::fixed("退回须说明理由", "sending back needs a reason"),
            )
            .into());
        }
        let m = Matter::load::<B>(&mut tx, v.matter_id).await?;
        let t = now();
        let q: Sql = match action {
            VersionAction::Submit => sql("UPDATE guide_versions SET status = $1, submitted_at = $2 WHERE id = $3")
                .bind(next.code())
                .bind(t)
                .bind(version_id),
            _ => sql("UPDATE guide_versions SET status = $1, reviewed_at = $2, reviewed_by = $3, note = COALESCE($4, note) WHERE id = $5")
                .bind(next.code())
                .bind(t)
                .bind(ctx.actor_id)
                .bind(note.clone())
                .bind(version_id),
        };
        B::exec(&mut tx, q).await?;
        if next == VersionStatus::Published {
            publish::<B>(&mut tx, &m, version_id, &v.guide.name).await?;
        }
        let owner = m.owner::<B>(&mut tx).await?;
        let verb = match action {
            VersionAction::Submit => "submit",
            VersionAction::Approve => "publish",
            VersionAction::Reject => "reject",
        };
        append::<B>(
            &mut tx,
            ctx,
            version_change(verb, &m, owner, json!({"before": {"status": v.status.code()}, "after": {"status": next.code(), "version": v.number, "note": note}})),
        )
        .await?;
        let after = load_version::<B>(&mut tx, version_id).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn versions(&self, matter_id: i64) -> Result<Vec<GuideVersion>> {
        let rows: Vec<VersionRow> = self
            .b
            .read_all(sql(format!("SELECT {VERSION_COLS} FROM guide_versions WHERE matter_id = $1 ORDER BY number DESC")).bind(matter_id))
            .await?;
        rows.into_iter().map(VersionRow::into_version).collect()
    }

    async fn guide_version(&self, id: i64) -> Result<Option<GuideVersion>> {
        let row: Option<VersionRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {VERSION_COLS} FROM guide_versions WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        row.map(VersionRow::into_version).transpose()
    }

    async fn published_guides(&self) -> Result<Vec<PublishedGuide>> {
        let rows: Vec<(i64, String, i64, i64, i64, String)> = self
            .b
            .read_all(sql(
                "SELECT m.id, m.code, m.department_id, v.id, v.number, v.content
                 FROM matters m JOIN guide_versions v ON v.id = m.published_version_id
                 WHERE m.active = TRUE ORDER BY m.code",
            ))
            .await?;
        rows.into_iter()
            .map(
                |(matter_id, code, department_id, version_id, version_number, content)| {
                    Ok(PublishedGuide {
                        matter_id,
                        code,
                        department_id,
                        version_id,
                        version_number,
                        guide: decode_guide(&content)?,
                    })
                },
            )
            .collect()
    }

    async fn set_matter_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Matter> {
        let mut tx = self.b.begin().await?;
        let before: Matter = current::<B, _>(&mut tx, id, version).await?;
        if active {
            require_active::<B>(
                &mut tx,
                "departments",
                before.department_id,
                "department_id",
            )
            .await?;
        }
        let after = apply::<B, _>(
            &mut tx,
            ctx,
            id,
            &before,
            activation(active),
            active_set(active),
        )
        .await?;
        bump::<B>(&mut tx).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn import_matters(
        &self,
        ctx: &Context,
        rows: Vec<ImportedMatter>,
    ) -> Result<ImportReport> {
        let mut tx = self.b.begin().await?;
        let mut report = ImportReport::default();
        for r in rows {
            require_active::<B>(&mut tx, "departments", r.department_id, "department_id").await?;
            let existing: Option<MatterRow> = B::opt(
                &mut tx,
                sql(format!("SELECT {MATTER_COLS} FROM matters WHERE code = $1"))
                    .bind(r.code.clone()),
            )
            .await?;
            let t = now();
            let (m, before, number) = match existing {
                Some(row) => {
                    let m = Matter::from(row);
                    let before = match m.published_version_id {
                        Some(p) => Some(load_version::<B>(&mut tx, p).await?.guide),
                        None => None,
                    };
                    if before.as_ref() == Some(&r.guide) && m.department_id == r.department_id {
                        let kind_changed = match r.licence_kind {
                            Some(k) => {
                                super::licences::set_result_kind::<B>(&mut tx, ctx, m.id, k).await?
                            }
                            None => false,
                        };
                        if kind_changed {
                            report.updated += 1;
                        } else {
                            report.unchanged += 1;
                        }
                        continue;
                    }
                    if m.department_id != r.department_id {
                        B::exec(
                            &mut tx,
                            sql("UPDATE matters SET department_id = $1 WHERE id = $2")
                                .bind(r.department_id)
                                .bind(m.id),
                        )
                        .await?;
                    }
                    let number = latest_version::<B>(&mut tx, m.id)
                        .await?
                        .map_or(1, |v| v.number + 1);
                    report.updated += 1;
                    (m, before, number)
                }
                None => {
                    let row: Option<(i64,)> = B::opt(
                        &mut tx,
                        sql("INSERT INTO matters (code, department_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id")
                            .bind(r.code.clone())
                            .bind(r.department_id)
                            .bind(r.guide.name.clone())
                            .bind(t),
                    )
                    .await?;
                    let id = row
                        .map(|r| r.0)
                        .ok_or_else(|| StoreError::Database("INSERT returned no id".into()))?;
                    report.created += 1;
                    (Matter::load::<B>(&mut tx, id).await?, None, 1)
                }
            };
            let vid = insert_version::<B>(
                &mut tx,
                m.id,
                number,
                VersionStatus::Published,
                &r.guide,
                Some("导入".into()),
                ctx.actor_id,
            )
            .await?;
            publish::<B>(&mut tx, &m, vid, &r.guide.name).await?;
            let owner = (Some(r.department_id), m.owner::<B>(&mut tx).await?.1);
            let mut summary = changes_json(before.as_ref(), &r.guide);
            summary["version"] = json!(number);
            append::<B>(&mut tx, ctx, version_change("import", &m, owner, summary)).await?;
            if let Some(k) = r.licence_kind {
                super::licences::set_result_kind::<B>(&mut tx, ctx, m.id, k).await?;
            }
        }
        B::commit(tx).await?;
        Ok(report)
    }

    async fn topics(&self) -> Result<Vec<Topic>> {
        let rows: Vec<TopicRow> = self
            .b
            .read_all(sql(format!(
                "SELECT {TOPIC_COLS} FROM topics ORDER BY kind, sort, id"
            )))
            .await?;
        let links: Vec<(i64, String)> = self
            .b
            .read_all(sql(
                "SELECT tm.topic_id, m.code FROM topic_matters tm JOIN matters m ON m.id = tm.matter_id ORDER BY tm.topic_id, tm.position",
            ))
            .await?;
        let mut by_topic: std::collections::HashMap<i64, Vec<String>> =
            std::collections::HashMap::new();
        for (t, c) in links {
            by_topic.entry(t).or_default().push(c);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let m = by_topic.remove(&r.id).unwrap_or_default();
                r.with_matters(m)
            })
            .collect())
    }

    async fn topic_by_code(&self, code: &str) -> Result<Option<Topic>> {
        let row: Option<(i64,)> = self
            .b
            .read_opt(sql("SELECT id FROM topics WHERE code = $1").bind(code))
            .await?;
        let Some((id,)) = row else { return Ok(None) };
        let mut tx = self.b.begin().await?;
        let t = Topic::load::<B>(&mut tx, id).await?;
        B::commit(tx).await?;
        Ok(Some(t))
    }

    async fn save_topic(&self, ctx: &Context, input: TopicInput) -> Result<Topic> {
        let mut tx = self.b.begin().await?;
        let ids = matter_ids::<B>(&mut tx, &input.matters).await?;
        let existing: Option<(i64,)> = B::opt(
            &mut tx,
            sql("SELECT id FROM topics WHERE code = $1").bind(input.code.clone()),
        )
        .await?;
        let topic = match existing {
            Some((id,)) => {
                let version = input.version.ok_or_else(|| {
                    DomainError::conflict("code", "该代码已被使用", "this code is already taken")
                })?;
                let before: Topic = current::<B, _>(&mut tx, id, version).await?;
                B::exec(
                    &mut tx,
                    sql("DELETE FROM topic_matters WHERE topic_id = $1").bind(id),
                )
                .await?;
                for (pos, m) in ids.iter().enumerate() {
                    B::exec(&mut tx, sql("INSERT INTO topic_matters (topic_id, matter_id, position) VALUES ($1, $2, $3)").bind(id).bind(*m).bind(pos as i64)).await?;
                }
                let set = sql("name = $1, kind = $2, audience = $3, description = $4, sort = $5, updated_at = $6")
                    .bind(input.name)
                    .bind(input.kind.code())
                    .bind(input.audience.code())
                    .bind(input.description)
                    .bind(input.sort)
                    .bind(now());
                apply::<B, _>(&mut tx, ctx, id, &before, "update", set).await?
            }
            None => {
                let row: Option<(i64,)> = B::opt(
                    &mut tx,
                    sql("INSERT INTO topics (code, name, kind, audience, description, sort, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
                        .bind(input.code)
                        .bind(input.name)
                        .bind(input.kind.code())
                        .bind(input.audience.code())
                        .bind(input.description)
                        .bind(input.sort)
                        .bind(now()),
                )
                .await?;
                let id = row
                    .map(|r| r.0)
                    .ok_or_else(|| StoreError::Database("INSERT returned no id".into()))?;
                for (pos, m) in ids.iter().enumerate() {
                    B::exec(&mut tx, sql("INSERT INTO topic_matters (topic_id, matter_id, position) VALUES ($1, $2, $3)").bind(id).bind(*m).bind(pos as i64)).await?;
                }
                super::entity::created::<B, Topic>(&mut tx, ctx, id).await?
            }
        };
        bump::<B>(&mut tx).await?;
        B::commit(tx).await?;
        Ok(topic)
    }

    async fn set_topic_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Topic> {
        let mut tx = self.b.begin().await?;
        let before: Topic = current::<B, _>(&mut tx, id, version).await?;
        let after = apply::<B, _>(
            &mut tx,
            ctx,
            id,
            &before,
            activation(active),
            active_set(active),
        )
        .await?;
        bump::<B>(&mut tx).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn synonyms(&self) -> Result<String> {
        let row: Option<(String,)> = self
            .b
            .read_opt(sql(
                "SELECT value FROM settings WHERE key = 'catalog.synonyms'",
            ))
            .await?;
        Ok(row.map(|r| r.0).unwrap_or_default())
    }

    async fn save_synonyms(&self, ctx: &Context, text: &str) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let old: Option<(String,)> = B::opt(
            &mut tx,
            sql("SELECT value FROM settings WHERE key = 'catalog.synonyms'"),
        )
        .await?;
        B::exec(
            &mut tx,
            sql("INSERT INTO settings (key, value, updated_at) VALUES ('catalog.synonyms', $1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
            .bind(text)
            .bind(now()),
        )
        .await?;
        bump::<B>(&mut tx).await?;
        append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "catalog.synonyms".into(),
                target_type: "setting".into(),
                target_id: None,
                department_id: None,
                region_id: None,
                summary: json!({"before": {"synonyms": old.map(|o| o.0)}, "after": {"synonyms": text}}),
            },
        )
        .await?;
        B::commit(tx).await
    }

    async fn catalog_generation(&self) -> Result<i64> {
        let row: Option<(i64,)> = self
            .b
            .read_opt(sql("SELECT generation FROM catalog_state WHERE id = 1"))
            .await?;
        Ok(row.map_or(0, |r| r.0))
    }
}
