//! Regions, departments, halls, zones and windows.

use super::entity::{Entity, active_set, apply, created, current};
use super::rows::*;
use super::{SqlStore, scope_where};
use crate::OrgStore;
use crate::backend::{Backend, Record, Sql, now, sql};
use crate::error::{Result, StoreError};
use crate::model::ScopeFilter;
use async_trait::async_trait;
use onewindow_core::audit::{Change, Context, diff};
use onewindow_core::org::*;
use onewindow_core::{DomainError, FieldError, Text};
use serde::Serialize;

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// The trail entry for a change of one record, with only the changed fields.
pub(crate) fn change<T: Serialize>(
    kind: &str,
    action: &str,
    id: i64,
    owner: (Option<i64>, Option<i64>),
    before: Option<&T>,
    after: Option<&T>,
) -> Change {
    Change {
        action: format!("{kind}.{action}"),
        target_type: kind.to_string(),
        target_id: Some(id),
        department_id: owner.0,
        region_id: owner.1,
        summary: diff(before.map(json).as_ref(), after.map(json).as_ref()),
    }
}

pub(crate) fn activation(active: bool) -> &'static str {
    if active { "activate" } else { "deactivate" }
}

/// Fetches one row by id inside a transaction; `what` names it in the not-found error.
pub(crate) async fn fetch<B: Backend, R: Record>(
    tx: &mut B::Tx,
    cols: &str,
    table: &str,
    id: i64,
    what: Text,
) -> Result<R> {
    B::opt(
        tx,
        sql(format!("SELECT {cols} FROM {table} WHERE id = $1")).bind(id),
    )
    .await?
    .ok_or_else(|| DomainError::not_found(what).into())
}

/// Refuses a reference to a record that does not exist or is deactivated, naming the field.
pub(crate) async fn require_active<B: Backend>(
    tx: &mut B::Tx,
    table: &str,
    id: i64,
    field: &str,
) -> Result<()> {
    let row: Option<(bool,)> = B::opt(
        tx,
        sql(format!("SELECT active FROM {table} WHERE id = $1")).bind(id),
    )
    .await?;
    match row {
        Some((true,)) => Ok(()),
        Some((false,)) => Err(FieldError::new(
            field,
            Text::new(
                format!("编号{id}的记录已停用"),
                format!("record {id} is deactivated"),
            ),
        )
        .into()),
        None => Err(FieldError::new(
            field,
            Text::new(
                format!("编号{id}的记录不存在"),
                format!("record {id} does not exist"),
            ),
        )
        .into()),
    }
}

/// Refuses a change while `count` (a `SELECT count(*)`) finds anything still depending on the
/// record.
async fn refuse_if_any<B: Backend>(tx: &mut B::Tx, count: Sql, zh: &str, en: &str) -> Result<()> {
    let n: Option<(i64,)> = B::opt(tx, count).await?;
    if n.is_some_and(|c| c.0 > 0) {
        return Err(DomainError::conflict("active", zh, en).into());
    }
    Ok(())
}

pub(crate) async fn insert_returning_id<B: Backend>(tx: &mut B::Tx, q: Sql) -> Result<i64> {
    let row: Option<(i64,)> = B::opt(tx, q).await?;
    row.map(|r| r.0)
        .ok_or_else(|| StoreError::Database("INSERT returned no id".into()))
}

/// Checks that a zone belongs to the hall and every department exists and is active.
async fn check_window_refs<B: Backend>(
    tx: &mut B::Tx,
    hall_id: i64,
    zone_id: i64,
    department_ids: &[i64],
) -> Result<()> {
    let zone: Option<(i64, bool)> = B::opt(
        tx,
        sql("SELECT hall_id, active FROM zones WHERE id = $1").bind(zone_id),
    )
    .await?;
    match zone {
        Some((h, true)) if h == hall_id => {}
        _ => {
            return Err(FieldError::new(
                "zone_id",
                Text::new(
                    format!("分区{zone_id}不属于该大厅或已停用"),
                    format!("zone {zone_id} is not an active zone of this hall"),
                ),
            )
            .into());
        }
    }
    for d in department_ids {
        require_active::<B>(tx, "departments", *d, "department_ids").await?;
    }
    Ok(())
}

async fn set_window_departments<B: Backend>(
    tx: &mut B::Tx,
    window_id: i64,
    department_ids: &[i64],
) -> Result<()> {
    B::exec(
        tx,
        sql("DELETE FROM window_departments WHERE window_id = $1").bind(window_id),
    )
    .await?;
    for d in department_ids {
        B::exec(
            tx,
            sql("INSERT INTO window_departments (window_id, department_id) VALUES ($1, $2)")
                .bind(window_id)
                .bind(*d),
        )
        .await?;
    }
    Ok(())
}

#[async_trait]
impl<B: Backend> OrgStore for SqlStore<B> {
    async fn regions(&self) -> Result<Vec<Region>> {
        let rows: Vec<RegionRow> = self
            .b
            .read_all(sql(format!(
                "SELECT {REGION_COLS} FROM regions ORDER BY code"
            )))
            .await?;
        Ok(rows.into_iter().map(Region::from).collect())
    }

    async fn region(&self, id: i64) -> Result<Option<Region>> {
        let row: Option<RegionRow> = self
            .b
            .read_opt(sql(format!("SELECT {REGION_COLS} FROM regions WHERE id = $1")).bind(id))
            .await?;
        Ok(row.map(Region::from))
    }

    async fn region_by_code(&self, code: &str) -> Result<Option<Region>> {
        let row: Option<RegionRow> = self
            .b
            .read_opt(sql(format!("SELECT {REGION_COLS} FROM regions WHERE code = $1")).bind(code))
            .await?;
        Ok(row.map(Region::from))
    }

    async fn create_region(&self, ctx: &Context, new: NewRegion) -> Result<Region> {
        let mut tx = self.b.begin().await?;
        let parent: Option<Region> = match new.parent_id {
            Some(pid) => {
                require_active::<B>(&mut tx, "regions", pid, "parent_id").await?;
                Some(Region::load::<B>(&mut tx, pid).await?)
            }
            None => None,
        };
        let level = check_region_under(&new.code, parent.as_ref().map(|p| p.code.as_str()))?;
        let id = insert_returning_id::<B>(
            &mut tx,
            sql(
                "INSERT INTO regions (code, name, level, parent_id, path, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, '', $5, $5) RETURNING id",
            )
            .bind(new.code.clone())
            .bind(new.name)
            .bind(level.code())
            .bind(new.parent_id)
            .bind(now()),
        )
        .await?;
        let path = format!("{}{id}/", parent.as_ref().map_or("/", |p| p.path.as_str()));
        B::exec(
            &mut tx,
            sql("UPDATE regions SET path = $1 WHERE id = $2")
                .bind(path)
                .bind(id),
        )
        .await?;
        {
            let e = created::<B, Region>(&mut tx, ctx, id).await?;
            B::commit(tx).await?;
            Ok(e)
        }
    }

    async fn update_region(&self, ctx: &Context, id: i64, upd: RegionUpdate) -> Result<Region> {
        let mut tx = self.b.begin().await?;
        let before: Region = current::<B, _>(&mut tx, id, upd.version).await?;
        let set = sql("name = $1, updated_at = $2")
            .bind(upd.name.unwrap_or_else(|| before.name.clone()))
            .bind(now());
        let after = apply::<B, _>(&mut tx, ctx, id, &before, "update", set).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn set_region_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Region> {
        let mut tx = self.b.begin().await?;
        let before: Region = current::<B, _>(&mut tx, id, version).await?;
        if !active {
            for (count, zh, en) in [
                (
                    "SELECT count(*) FROM regions WHERE parent_id = $1 AND active = TRUE",
                    "该区划下还有启用的下级区划，请先停用下级",
                    "this region still has active sub-regions; deactivate them first",
                ),
                (
                    "SELECT count(*) FROM departments WHERE region_id = $1 AND active = TRUE",
                    "该区划下还有启用的部门，请先停用或调整部门",
                    "this region still has active departments",
                ),
                (
                    "SELECT count(*) FROM halls WHERE region_id = $1 AND active = TRUE",
                    "该区划下还有启用的大厅，请先停用大厅",
                    "this region still has active halls",
                ),
                (
                    "SELECT count(*) FROM users WHERE region_id = $1 AND department_id IS NULL AND active = TRUE",
                    "还有工作人员负责该区划，请先调整他们的工作范围",
                    "staff are still responsible for this region; change their scope first",
                ),
            ] {
                refuse_if_any::<B>(&mut tx, sql(count).bind(id), zh, en).await?;
            }
        } else if let Some(pid) = before.parent_id {
            require_active::<B>(&mut tx, "regions", pid, "parent_id").await?;
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
        B::commit(tx).await?;
        Ok(after)
    }

    async fn departments(&self, scope: &ScopeFilter) -> Result<Vec<Department>> {
        let mut q = scope_where(
            sql(format!(
                "SELECT {DEPARTMENT_COLS} FROM departments WHERE 1 = 1"
            )),
            scope,
            Some("id"),
            Some("region_id"),
        );
        q.text = format!("{} ORDER BY id", q.text).into();
        let rows: Vec<DepartmentRow> = self.b.read_all(q).await?;
        Ok(rows.into_iter().map(Department::from).collect())
    }

    async fn department(&self, id: i64) -> Result<Option<Department>> {
        let row: Option<DepartmentRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {DEPARTMENT_COLS} FROM departments WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        Ok(row.map(Department::from))
    }

    async fn department_by_uscc(&self, uscc: &str) -> Result<Option<Department>> {
        let row: Option<DepartmentRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {DEPARTMENT_COLS} FROM departments WHERE uscc = $1"
                ))
                .bind(uscc),
            )
            .await?;
        Ok(row.map(Department::from))
    }

    async fn create_department(&self, ctx: &Context, new: NewDepartment) -> Result<Department> {
        let mut tx = self.b.begin().await?;
        require_active::<B>(&mut tx, "regions", new.region_id, "region_id").await?;
        let id = insert_returning_id::<B>(
            &mut tx,
            sql("INSERT INTO departments (name, uscc, region_id, phone, address, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
            .bind(new.name)
            .bind(new.uscc)
            .bind(new.region_id)
            .bind(new.phone)
            .bind(new.address)
            .bind(now()),
        )
        .await?;
        {
            let e = created::<B, Department>(&mut tx, ctx, id).await?;
            B::commit(tx).await?;
            Ok(e)
        }
    }

    async fn update_department(
        &self,
        ctx: &Context,
        id: i64,
        upd: DepartmentUpdate,
    ) -> Result<Department> {
        let mut tx = self.b.begin().await?;
        let before: Department = current::<B, _>(&mut tx, id, upd.version).await?;
        let set = sql("name = $1, uscc = $2, phone = $3, address = $4, updated_at = $5")
            .bind(upd.name.unwrap_or_else(|| before.name.clone()))
            .bind(upd.uscc.unwrap_or_else(|| before.uscc.clone()))
            .bind(upd.phone.unwrap_or_else(|| before.phone.clone()))
            .bind(upd.address.unwrap_or_else(|| before.address.clone()))
            .bind(now());
        let after = apply::<B, _>(&mut tx, ctx, id, &before, "update", set).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn set_department_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Department> {
        let mut tx = self.b.begin().await?;
        let before: Department = current::<B, _>(&mut tx, id, version).await?;
        if active {
            require_active::<B>(&mut tx, "regions", before.region_id, "region_id").await?;
        } else {
            // Its people would keep their access and its windows would serve no one.
            refuse_if_any::<B>(
                &mut tx,
                sql("SELECT count(*) FROM users WHERE department_id = $1 AND active = TRUE")
                    .bind(id),
                "该部门还有启用的账号，请先停用或调走",
                "this department still has active accounts; deactivate or move them first",
            )
            .await?;
            refuse_if_any::<B>(
                &mut tx,
                sql("SELECT count(*) FROM window_departments wd JOIN windows w ON w.id = wd.window_id
                     WHERE wd.department_id = $1 AND w.active = TRUE")
                .bind(id),
                "还有启用的窗口服务于该部门，请先调整窗口",
                "active windows still serve this department; change them first",
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
        B::commit(tx).await?;
        Ok(after)
    }

    async fn halls(&self, scope: &ScopeFilter) -> Result<Vec<Hall>> {
        // Halls are shared by the departments stationed in them: a department-scoped reader sees
        // the halls where its department has windows.
        let mut q = if let Some(d) = scope.department_id {
            sql(format!(
                "SELECT {HALL_COLS} FROM halls WHERE id IN (
                    SELECT w.hall_id FROM windows w JOIN window_departments wd ON wd.window_id = w.id
                    WHERE wd.department_id = $1)"
            ))
            .bind(d)
        } else {
            scope_where(
                sql(format!("SELECT {HALL_COLS} FROM halls WHERE 1 = 1")),
                scope,
                None,
                Some("region_id"),
            )
        };
        q.text = format!("{} ORDER BY id", q.text).into();
        let rows: Vec<HallRow> = self.b.read_all(q).await?;
        Ok(rows.into_iter().map(Hall::from).collect())
    }

    async fn hall(&self, id: i64) -> Result<Option<Hall>> {
        let row: Option<HallRow> = self
            .b
            .read_opt(sql(format!("SELECT {HALL_COLS} FROM halls WHERE id = $1")).bind(id))
            .await?;
        Ok(row.map(Hall::from))
    }

    async fn create_hall(&self, ctx: &Context, new: NewHall) -> Result<Hall> {
        let mut tx = self.b.begin().await?;
        require_active::<B>(&mut tx, "regions", new.region_id, "region_id").await?;
        let id = insert_returning_id::<B>(
            &mut tx,
            sql("INSERT INTO halls (name, region_id, address, floors, phone, opens, closes, lunch_break, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id")
            .bind(new.name)
            .bind(new.region_id)
            .bind(new.address)
            .bind(new.floors)
            .bind(new.phone)
            .bind(new.opens)
            .bind(new.closes)
            .bind(new.lunch_break)
            .bind(now()),
        )
        .await?;
        {
            let e = created::<B, Hall>(&mut tx, ctx, id).await?;
            B::commit(tx).await?;
            Ok(e)
        }
    }

    async fn update_hall(&self, ctx: &Context, id: i64, upd: HallUpdate) -> Result<Hall> {
        let mut tx = self.b.begin().await?;
        let before: Hall = current::<B, _>(&mut tx, id, upd.version).await?;
        if let Some(f) = upd.floors {
            let above: Option<(i64,)> = B::opt(
                &mut tx,
                sql("SELECT count(*) FROM zones WHERE hall_id = $1 AND floor > $2 AND active = TRUE")
                    .bind(id)
                    .bind(f),
            )
            .await?;
            if above.is_some_and(|a| a.0 > 0) {
                return Err(DomainError::invalid(
                    "floors",
                    format!("还有启用的分区位于{f}层以上"),
                    format!("active zones lie above floor {f}"),
                )
                .into());
            }
        }
        let (opens, closes) = onewindow_core::org::check_hours(
            upd.opens.as_deref().unwrap_or(&before.opens),
            upd.closes.as_deref().unwrap_or(&before.closes),
        )?;
        // The break is checked against the hours as they will be.
        let lunch = onewindow_core::org::check_lunch(
            &opens,
            &closes,
            upd.lunch_break
                .clone()
                .unwrap_or_else(|| before.lunch_break.clone())
                .as_deref(),
        )?;
        let set = sql("name = $1, address = $2, floors = $3, phone = $4, opens = $5, closes = $6, lunch_break = $7, updated_at = $8")
            .bind(upd.name.unwrap_or_else(|| before.name.clone()))
            .bind(upd.address.unwrap_or_else(|| before.address.clone()))
            .bind(upd.floors.unwrap_or(before.floors))
            .bind(upd.phone.unwrap_or_else(|| before.phone.clone()))
            .bind(opens)
            .bind(closes)
            .bind(lunch)
            .bind(now());
        let after = apply::<B, _>(&mut tx, ctx, id, &before, "update", set).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn set_hall_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Hall> {
        let mut tx = self.b.begin().await?;
        let before: Hall = current::<B, _>(&mut tx, id, version).await?;
        if active {
            require_active::<B>(&mut tx, "regions", before.region_id, "region_id").await?;
        } else {
            refuse_if_any::<B>(
                &mut tx,
                sql("SELECT count(*) FROM zones WHERE hall_id = $1 AND active = TRUE").bind(id),
                "该大厅还有启用的分区，请先停用分区",
                "this hall still has active zones; deactivate them first",
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
        B::commit(tx).await?;
        Ok(after)
    }

    async fn zones(&self, hall_id: i64) -> Result<Vec<Zone>> {
        let rows: Vec<ZoneRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {ZONE_COLS} FROM zones WHERE hall_id = $1 ORDER BY floor, id"
                ))
                .bind(hall_id),
            )
            .await?;
        Ok(rows.into_iter().map(Zone::from).collect())
    }

    async fn zone(&self, id: i64) -> Result<Option<Zone>> {
        let row: Option<ZoneRow> = self
            .b
            .read_opt(sql(format!("SELECT {ZONE_COLS} FROM zones WHERE id = $1")).bind(id))
            .await?;
        Ok(row.map(Zone::from))
    }

    async fn create_zone(&self, ctx: &Context, hall_id: i64, new: NewZone) -> Result<Zone> {
        let mut tx = self.b.begin().await?;
        require_active::<B>(&mut tx, "halls", hall_id, "hall_id").await?;
        let id = insert_returning_id::<B>(
            &mut tx,
            sql(
                "INSERT INTO zones (hall_id, name, floor, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(hall_id)
            .bind(new.name)
            .bind(new.floor)
            .bind(now()),
        )
        .await?;
        {
            let e = created::<B, Zone>(&mut tx, ctx, id).await?;
            B::commit(tx).await?;
            Ok(e)
        }
    }

    async fn update_zone(&self, ctx: &Context, id: i64, upd: ZoneUpdate) -> Result<Zone> {
        let mut tx = self.b.begin().await?;
        let before: Zone = current::<B, _>(&mut tx, id, upd.version).await?;
        let set = sql("name = $1, floor = $2, updated_at = $3")
            .bind(upd.name.unwrap_or_else(|| before.name.clone()))
            .bind(upd.floor.unwrap_or(before.floor))
            .bind(now());
        let after = apply::<B, _>(&mut tx, ctx, id, &before, "update", set).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn set_zone_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Zone> {
        let mut tx = self.b.begin().await?;
        let before: Zone = current::<B, _>(&mut tx, id, version).await?;
        if active {
            require_active::<B>(&mut tx, "halls", before.hall_id, "hall_id").await?;
        } else {
            refuse_if_any::<B>(
                &mut tx,
                sql("SELECT count(*) FROM windows WHERE zone_id = $1 AND active = TRUE").bind(id),
                "该分区还有启用的窗口，请先停用或移走窗口",
                "this zone still has active windows; deactivate or move them first",
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
        B::commit(tx).await?;
        Ok(after)
    }

    async fn windows(&self, hall_id: i64) -> Result<Vec<Window>> {
        let rows: Vec<WindowRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {WINDOW_COLS} FROM windows WHERE hall_id = $1 ORDER BY number"
                ))
                .bind(hall_id),
            )
            .await?;
        let links: Vec<(i64, i64)> = self
            .b
            .read_all(
                sql(
                    "SELECT wd.window_id, wd.department_id FROM window_departments wd
                     JOIN windows w ON w.id = wd.window_id WHERE w.hall_id = $1
                     ORDER BY wd.window_id, wd.department_id",
                )
                .bind(hall_id),
            )
            .await?;
        let mut by_window: std::collections::HashMap<i64, Vec<i64>> =
            std::collections::HashMap::new();
        for (w, d) in links {
            by_window.entry(w).or_default().push(d);
        }
        Ok(rows
            .into_iter()
            .map(|w| {
                let depts = by_window.remove(&w.id).unwrap_or_default();
                w.with_departments(depts)
            })
            .collect())
    }

    async fn window(&self, id: i64) -> Result<Option<Window>> {
        let row: Option<WindowRow> = self
            .b
            .read_opt(sql(format!("SELECT {WINDOW_COLS} FROM windows WHERE id = $1")).bind(id))
            .await?;
        let Some(row) = row else { return Ok(None) };
        let depts: Vec<(i64,)> = self
            .b
            .read_all(
                sql("SELECT department_id FROM window_departments WHERE window_id = $1 ORDER BY department_id")
                    .bind(id),
            )
            .await?;
        Ok(Some(row.with_departments(
            depts.into_iter().map(|d| d.0).collect(),
        )))
    }

    async fn create_window(&self, ctx: &Context, hall_id: i64, new: NewWindow) -> Result<Window> {
        let mut tx = self.b.begin().await?;
        require_active::<B>(&mut tx, "halls", hall_id, "hall_id").await?;
        check_window_refs::<B>(&mut tx, hall_id, new.zone_id, &new.department_ids).await?;
        let id = insert_returning_id::<B>(
            &mut tx,
            sql("INSERT INTO windows (hall_id, zone_id, number, label, confidential, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
            .bind(hall_id)
            .bind(new.zone_id)
            .bind(new.number)
            .bind(new.label)
            .bind(new.confidential)
            .bind(now()),
        )
        .await?;
        set_window_departments::<B>(&mut tx, id, &new.department_ids).await?;
        {
            let e = created::<B, Window>(&mut tx, ctx, id).await?;
            B::commit(tx).await?;
            Ok(e)
        }
    }

    async fn update_window(&self, ctx: &Context, id: i64, upd: WindowUpdate) -> Result<Window> {
        let mut tx = self.b.begin().await?;
        let before: Window = current::<B, _>(&mut tx, id, upd.version).await?;
        let zone_id = upd.zone_id.unwrap_or(before.zone_id);
        let depts = upd
            .department_ids
            .clone()
            .unwrap_or_else(|| before.department_ids.clone());
        check_window_refs::<B>(&mut tx, before.hall_id, zone_id, &depts).await?;
        // The departments are a table of their own: set them first, so that the record read
        // back after the update (and the trail's diff) includes them.
        if upd.department_ids.is_some() {
            set_window_departments::<B>(&mut tx, id, &depts).await?;
        }
        let set = sql("zone_id = $1, number = $2, label = $3, confidential = $4, updated_at = $5")
            .bind(zone_id)
            .bind(upd.number.unwrap_or(before.number))
            .bind(upd.label.unwrap_or_else(|| before.label.clone()))
            .bind(upd.confidential.unwrap_or(before.confidential))
            .bind(now());
        let after = apply::<B, _>(&mut tx, ctx, id, &before, "update", set).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn set_window_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Window> {
        let mut tx = self.b.begin().await?;
        let before: Window = current::<B, _>(&mut tx, id, version).await?;
        if active {
            check_window_refs::<B>(
                &mut tx,
                before.hall_id,
                before.zone_id,
                &before.department_ids,
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
        B::commit(tx).await?;
        Ok(after)
    }
}
