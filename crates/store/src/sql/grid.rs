//! Grids (网格): imported from GeoJSON in one transaction (new codes added, known ones updated,
//! parents resolved level by level), read back with their shapes.

use super::SqlStore;
use crate::GridStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::model::{
    Checkin, EventFilter, EventPhoto, EventTally, GridStaff, NewEventRecord, NewFile, ScopeFilter,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::calendar::Calendar;
use onewindow_core::grid::Grid;
use onewindow_core::grid::category::{Category, NewCategory};
use onewindow_core::grid::event::{Action, LogLine};
use onewindow_core::grid::geometry;
use onewindow_core::grid::import::GridFeature;
use onewindow_core::grid::landmark::{Landmark, NewLandmark};
use onewindow_core::grid::limit::{Limit, StepLimits};
use onewindow_core::grid::report::{Event, Point};
use serde_json::json;
use std::collections::HashMap;

const COLS: &str = "id, code, name, level, parent_id, region_id, leader_id, geometry, version";

type Row = (
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    i64,
);

fn grid(
    (id, code, name, level, parent_id, region_id, leader_id, geom, version): Row,
) -> Result<Grid> {
    let v: serde_json::Value = serde_json::from_str(&geom)
        .map_err(|e| StoreError::Database(format!("unreadable boundary of grid {code}: {e}")))?;
    let shape = geometry::parse("geometry", &v).map_err(|e| {
        StoreError::Database(format!("stored boundary of grid {code}: {}", e.reason.en))
    })?;
    Ok(Grid {
        id,
        code,
        name,
        level,
        parent_id,
        region_id,
        leader_id,
        shape,
        version,
    })
}

#[async_trait]
impl<B: Backend> GridStore for SqlStore<B> {
    async fn import_grids(
        &self,
        ctx: &Context,
        features: Vec<GridFeature>,
        at: DateTime<Utc>,
    ) -> Result<(usize, usize)> {
        let mut tx = self.b.begin().await?;
        let known: Vec<(i64, String)> = B::all(&mut tx, sql("SELECT id, code FROM grids")).await?;
        let mut ids: HashMap<String, i64> = known.into_iter().map(|(id, c)| (c, id)).collect();
        let mut features = features;
        features.sort_by_key(|f| f.level);
        let (mut created, mut updated) = (0usize, 0usize);
        for f in features {
            let parent_id = match &f.parent {
                Some(p) => Some(*ids.get(p).ok_or_else(|| {
                    StoreError::Domain(onewindow_core::DomainError::invalid(
                        "parent",
                        format!("上级网格{p}不存在"),
                        format!("no grid {p}"),
                    ))
                })?),
                None => None,
            };
            let geom = f_geometry(&f);
            let (id, action) =
                match ids.get(&f.code) {
                    Some(&id) => {
                        B::exec(
                        &mut tx,
                        sql("UPDATE grids SET name = $1, level = $2, parent_id = $3, geometry = $4,
                                 updated_at = $5, version = version + 1 WHERE id = $6")
                        .bind(f.name.clone())
                        .bind(f.level)
                        .bind(parent_id)
                        .bind(geom)
                        .bind(at)
                        .bind(id),
                    )
                    .await?;
                        updated += 1;
                        (id, "update")
                    }
                    None => {
                        let (id,): (i64,) = B::opt(
                        &mut tx,
                        sql("INSERT INTO grids (code, name, level, parent_id, geometry, created_at,
                                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
                        .bind(f.code.clone())
                        .bind(f.name.clone())
                        .bind(f.level)
                        .bind(parent_id)
                        .bind(geom)
                        .bind(at),
                    )
                    .await?
                    .ok_or_else(|| StoreError::Database("INSERT returned no grid".into()))?;
                        ids.insert(f.code.clone(), id);
                        created += 1;
                        (id, "create")
                    }
                };
            super::audit::append::<B>(
                &mut tx,
                ctx,
                Change {
                    action: format!("grid.{action}"),
                    target_type: "grid".into(),
                    target_id: Some(id),
                    department_id: None,
                    region_id: None,
                    summary: json!({"after": {"code": f.code, "name": f.name, "level": f.level,
                        "parent": f.parent}}),
                },
            )
            .await?;
        }
        B::commit(tx).await?;
        Ok((created, updated))
    }

    async fn grids(&self, level: Option<i64>) -> Result<Vec<Grid>> {
        let q = match level {
            Some(l) => sql(format!(
                "SELECT {COLS} FROM grids WHERE active AND level = $1 ORDER BY code"
            ))
            .bind(l),
            None => sql(format!(
                "SELECT {COLS} FROM grids WHERE active ORDER BY level, code"
            )),
        };
        let rows: Vec<Row> = self.b.read_all(q).await?;
        rows.into_iter().map(grid).collect()
    }

    async fn grid(&self, id: i64) -> Result<Option<Grid>> {
        let row: Option<Row> = self
            .b
            .read_opt(sql(format!("SELECT {COLS} FROM grids WHERE id = $1")).bind(id))
            .await?;
        row.map(grid).transpose()
    }

    async fn set_grid_staff(
        &self,
        ctx: &Context,
        grid_id: i64,
        version: i64,
        staff: GridStaff,
        at: DateTime<Utc>,
    ) -> Result<Grid> {
        let mut tx = self.b.begin().await?;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE grids SET region_id = $1, leader_id = $2, updated_at = $3,
                     version = version + 1 WHERE id = $4 AND version = $5",
            )
            .bind(staff.region_id)
            .bind(staff.leader_id)
            .bind(at)
            .bind(grid_id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(onewindow_core::DomainError::stale(
                "version",
            )));
        }
        B::exec(
            &mut tx,
            sql("DELETE FROM grid_members WHERE grid_id = $1").bind(grid_id),
        )
        .await?;
        let mut workers = staff.workers.clone();
        workers.sort_unstable();
        workers.dedup();
        for w in &workers {
            B::exec(
                &mut tx,
                sql("INSERT INTO grid_members (grid_id, user_id) VALUES ($1, $2)")
                    .bind(grid_id)
                    .bind(*w),
            )
            .await?;
        }
        let row: Row = B::opt(
            &mut tx,
            sql(format!("SELECT {COLS} FROM grids WHERE id = $1")).bind(grid_id),
        )
        .await?
        .ok_or_else(|| StoreError::Database("grid vanished".into()))?;
        let g = grid(row)?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "grid.staff".into(),
                target_type: "grid".into(),
                target_id: Some(grid_id),
                department_id: None,
                region_id: staff.region_id,
                summary: json!({"after": {"code": g.code, "region_id": staff.region_id,
                    "leader_id": staff.leader_id, "workers": workers}}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(g)
    }

    async fn grid_workers(&self, grid_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = self
            .b
            .read_all(
                sql("SELECT user_id FROM grid_members WHERE grid_id = $1 ORDER BY user_id")
                    .bind(grid_id),
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn all_grid_workers(&self) -> Result<Vec<(i64, i64)>> {
        self.b
            .read_all(sql(
                "SELECT grid_id, user_id FROM grid_members ORDER BY grid_id, user_id",
            ))
            .await
    }

    async fn grids_of(&self, user_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = self
            .b
            .read_all(
                sql("SELECT grid_id FROM grid_members WHERE user_id = $1
                     UNION SELECT id FROM grids WHERE leader_id = $1 AND active
                     ORDER BY 1")
                .bind(user_id),
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn replace_landmarks(
        &self,
        ctx: &Context,
        region_id: Option<i64>,
        landmarks: Vec<NewLandmark>,
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let mut tx = self.b.begin().await?;
        let (before,): (i64,) = B::opt(&mut tx, sql("SELECT COUNT(*) FROM landmarks"))
            .await?
            .unwrap_or((0,));
        B::exec(&mut tx, sql("DELETE FROM landmarks")).await?;
        for l in &landmarks {
            let (lon, lat) = l.point.e6();
            B::exec(
                &mut tx,
                sql(
                    "INSERT INTO landmarks (name, kind, lon_e6, lat_e6, created_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(l.name.clone())
                .bind(l.kind.clone())
                .bind(lon)
                .bind(lat)
                .bind(at),
            )
            .await?;
        }
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "landmark.replace".into(),
                target_type: "landmark".into(),
                target_id: None,
                department_id: None,
                region_id,
                summary: json!({"before": {"count": before}, "after": {"count": landmarks.len()}}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(landmarks.len())
    }

    async fn landmarks(&self) -> Result<Vec<Landmark>> {
        let rows: Vec<(i64, String, Option<String>, i64, i64)> = self
            .b
            .read_all(sql(
                "SELECT id, name, kind, lon_e6, lat_e6 FROM landmarks ORDER BY name, id",
            ))
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, kind, lon, lat)| Landmark {
                id,
                name,
                kind,
                point: Point::from_e6(lon, lat),
            })
            .collect())
    }

    async fn create_event_category(
        &self,
        ctx: &Context,
        c: NewCategory,
        at: DateTime<Utc>,
    ) -> Result<Category> {
        let mut tx = self.b.begin().await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO event_categories (code, name, group_name, description, keywords,
                     department_id, limit_amount, limit_unit, attributes, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(c.code.clone())
            .bind(c.name.clone())
            .bind(c.group.clone())
            .bind(c.description.clone())
            .bind(c.keywords.clone())
            .bind(c.department_id)
            .bind(c.limit.amount)
            .bind(unit_code(c.limit))
            .bind(attributes_json(&c))
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no category".into()))?;
        let after = read_category::<B>(&mut tx, id).await?;
        category_audit::<B>(&mut tx, ctx, &after, "create").await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn update_event_category(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        c: NewCategory,
        active: bool,
        at: DateTime<Utc>,
    ) -> Result<Category> {
        let mut tx = self.b.begin().await?;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE event_categories SET code = $1, name = $2, group_name = $3,
                     description = $4, keywords = $5, department_id = $6, limit_amount = $7,
                     limit_unit = $8, attributes = $9, active = $10, updated_at = $11,
                     version = version + 1
                 WHERE id = $12 AND version = $13",
            )
            .bind(c.code.clone())
            .bind(c.name.clone())
            .bind(c.group.clone())
            .bind(c.description.clone())
            .bind(c.keywords.clone())
            .bind(c.department_id)
            .bind(c.limit.amount)
            .bind(unit_code(c.limit))
            .bind(attributes_json(&c))
            .bind(active)
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
        let after = read_category::<B>(&mut tx, id).await?;
        category_audit::<B>(&mut tx, ctx, &after, "update").await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn event_categories(&self) -> Result<Vec<Category>> {
        let rows: Vec<CategoryRow> = self
            .b
            .read_all(sql(format!(
                "SELECT {CATEGORY_COLS} FROM event_categories
                 ORDER BY active DESC, group_name, code"
            )))
            .await?;
        rows.into_iter().map(category).collect()
    }

    async fn report_event(&self, ctx: &Context, e: NewEventRecord) -> Result<Event> {
        self.report_event_impl(ctx, e).await
    }

    async fn event(&self, id: i64) -> Result<Option<Event>> {
        self.event_impl(id).await
    }

    async fn event_by_number(&self, number: &str) -> Result<Option<Event>> {
        self.event_by_key_impl("number", number).await
    }

    async fn event_by_token(&self, token: &str) -> Result<Option<Event>> {
        self.event_by_key_impl("token", token).await
    }

    async fn events(&self, f: &EventFilter) -> Result<Vec<Event>> {
        self.events_impl(f).await
    }

    async fn events_near(
        &self,
        category_id: i64,
        since: DateTime<Utc>,
        bbox: ((i64, i64), (i64, i64)),
        except: Option<i64>,
    ) -> Result<Vec<Event>> {
        self.events_near_impl(category_id, since, bbox, except)
            .await
    }

    async fn event_log(&self, id: i64) -> Result<Vec<LogLine>> {
        self.event_log_impl(id).await
    }

    async fn event_photos(&self, id: i64) -> Result<Vec<EventPhoto>> {
        self.event_photos_impl(id).await
    }

    async fn add_event_photos(
        &self,
        ctx: &Context,
        id: i64,
        stage: &str,
        photos: Vec<NewFile>,
        at: DateTime<Utc>,
    ) -> Result<Vec<EventPhoto>> {
        self.add_event_photos_impl(ctx, id, stage, photos, at).await
    }

    async fn act_on_event(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        actions: Vec<Action>,
        cal: &Calendar,
        steps: StepLimits,
        at: DateTime<Utc>,
    ) -> Result<Event> {
        self.act_on_event_impl(ctx, id, version, actions, cal, steps, at)
            .await
    }

    async fn event_tallies(
        &self,
        scope: &ScopeFilter,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<EventTally>> {
        self.event_tallies_impl(scope, from, to).await
    }

    async fn patrol_check_in(
        &self,
        ctx: &Context,
        grid_id: Option<i64>,
        point: Point,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<Checkin> {
        let user_id = ctx
            .actor_id
            .ok_or_else(|| StoreError::Database("a check-in needs a person".into()))?;
        let (lon, lat) = point.e6();
        let mut tx = self.b.begin().await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO patrol_checkins (user_id, grid_id, lon_e6, lat_e6, note, at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(user_id)
            .bind(grid_id)
            .bind(lon)
            .bind(lat)
            .bind(note)
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no check-in".into()))?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "patrol.check_in".into(),
                target_type: "patrol".into(),
                target_id: Some(id),
                department_id: None,
                region_id: None,
                summary: json!({"after": {"grid_id": grid_id, "lon": point.lon, "lat": point.lat}}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(Checkin {
            id,
            user_id,
            user_name: ctx.actor_name.clone(),
            grid_id,
            point,
            note: note.to_string(),
            at,
        })
    }

    async fn patrol_checkins(
        &self,
        user_id: Option<i64>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Checkin>> {
        type CheckinRow = (
            i64,
            i64,
            String,
            Option<i64>,
            i64,
            i64,
            String,
            DateTime<Utc>,
        );
        let mut q = sql(
            "SELECT c.id, c.user_id, u.display_name, c.grid_id, c.lon_e6, c.lat_e6, c.note, c.at
             FROM patrol_checkins c JOIN users u ON u.id = c.user_id
             WHERE c.at >= $1 AND c.at < $2",
        )
        .bind(from)
        .bind(to);
        if let Some(u) = user_id {
            q.text = format!("{} AND c.user_id = $3", q.text).into();
            q = q.bind(u);
        }
        let q = sql(format!(
            "{} ORDER BY c.at, c.id LIMIT {}",
            q.text,
            limit.clamp(1, 100_000)
        ))
        .with_args(q.args);
        let rows: Vec<CheckinRow> = self.b.read_all(q).await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, user_id, user_name, grid_id, lon, lat, note, at)| Checkin {
                    id,
                    user_id,
                    user_name,
                    grid_id,
                    point: Point::from_e6(lon, lat),
                    note,
                    at,
                },
            )
            .collect())
    }

    async fn add_open311_key(
        &self,
        ctx: &Context,
        name: &str,
        key_sha256: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO open311_keys (key_sha256, name, created_at) VALUES ($1, $2, $3)
                 RETURNING id",
            )
            .bind(key_sha256)
            .bind(name)
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no key".into()))?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "open311.key".into(),
                target_type: "open311_key".into(),
                target_id: Some(id),
                department_id: None,
                region_id: None,
                summary: json!({"after": {"name": name}}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn open311_client(&self, key_sha256: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = self
            .b
            .read_opt(
                sql("SELECT name FROM open311_keys WHERE key_sha256 = $1 AND active")
                    .bind(key_sha256),
            )
            .await?;
        Ok(row.map(|r| r.0))
    }
}

const CATEGORY_COLS: &str = "id, code, name, group_name, description, keywords, department_id, \
     limit_amount, limit_unit, attributes, active, version";

type CategoryRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    i64,
    String,
    String,
    bool,
    i64,
);

fn category(
    (
        id,
        code,
        name,
        group,
        description,
        keywords,
        department_id,
        amount,
        unit,
        attrs,
        active,
        version,
    ): CategoryRow,
) -> Result<Category> {
    let unit = serde_json::from_value(serde_json::Value::String(unit.clone()))
        .map_err(|_| StoreError::Database(format!("unreadable limit unit '{unit}'")))?;
    let attributes = serde_json::from_str(&attrs)
        .map_err(|e| StoreError::Database(format!("unreadable attributes of {code}: {e}")))?;
    Ok(Category {
        id,
        code,
        name,
        group,
        description,
        keywords,
        department_id,
        limit: Limit { amount, unit },
        attributes,
        active,
        version,
    })
}

fn unit_code(l: Limit) -> String {
    match serde_json::to_value(l.unit) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn attributes_json(c: &NewCategory) -> String {
    serde_json::to_string(&c.attributes).unwrap_or_else(|_| "[]".into())
}

async fn read_category<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Category> {
    let row: CategoryRow = B::opt(
        tx,
        sql(format!(
            "SELECT {CATEGORY_COLS} FROM event_categories WHERE id = $1"
        ))
        .bind(id),
    )
    .await?
    .ok_or_else(|| StoreError::Database("category vanished".into()))?;
    category(row)
}

async fn category_audit<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    c: &Category,
    action: &str,
) -> Result<()> {
    super::audit::append::<B>(
        tx,
        ctx,
        Change {
            action: format!("event_category.{action}"),
            target_type: "event_category".into(),
            target_id: Some(c.id),
            department_id: c.department_id,
            region_id: None,
            summary: json!({"after": c}),
        },
    )
    .await?;
    Ok(())
}

fn f_geometry(f: &GridFeature) -> String {
    Grid {
        id: 0,
        code: String::new(),
        name: String::new(),
        level: f.level,
        parent_id: None,
        region_id: None,
        leader_id: None,
        shape: f.shape.clone(),
        version: 0,
    }
    .geometry()
    .to_string()
}
