//! Regions, departments, halls, zones and windows.
//!
//! Reading: regions, halls, zones and windows are the public layout of the government and are
//! readable by all staff; a department is readable by those whose scope covers it.
//! Writing: a region-scoped administrator manages everything under the region; a
//! department-scoped administrator may edit only the department's own record. Every write asks
//! for the role (`OrgWrite`) before it reads its input or the record, so a caller without it
//! learns nothing of either; the scope is checked once the record is known.

use super::{owner, region_path, scope_filter};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use onewindow_core::access::Permission;
use onewindow_core::org::*;
use onewindow_core::{DomainError, Text};

const REGION: Text = Text::fixed("区划", "region");
const DEPARTMENT: Text = Text::fixed("部门", "department");
const HALL: Text = Text::fixed("大厅", "hall");
const ZONE: Text = Text::fixed("分区", "zone");
const WINDOW: Text = Text::fixed("窗口", "window");

/// Region-level administration: the permission and a region scope that covers `path`.
fn manage_region(auth: &Auth, path: &str) -> AppResult<()> {
    auth.actor.require(Permission::OrgWrite)?;
    if auth.actor.covers_region(path) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// The platform's top region (the district or city it serves): the region with the shortest
/// path. Records with no better place belong to it, and it is Open311's jurisdiction.
pub async fn top_region(state: &AppState) -> AppResult<Region> {
    state
        .store
        .regions()
        .await?
        .into_iter()
        .min_by_key(|r| (r.path.len(), r.id))
        .ok_or_else(|| AppError::not_found(onewindow_core::Text::fixed("行政区划", "region")))
}

/// The government that runs the platform (本级): the deepest region under which every
/// department lies, in the demo the district (the province and the city above it are there only
/// as its parents). What is addressed to no department lands on its desks. The top region when
/// there are no departments yet.
pub async fn home_region(state: &AppState) -> AppResult<Region> {
    let regions = state.store.regions().await?;
    let departments = state
        .store
        .departments(&onewindow_store::ScopeFilter::all())
        .await?;
    let path_of = |id: i64| regions.iter().find(|r| r.id == id).map(|r| r.path.as_str());
    let paths: Vec<&str> = departments
        .iter()
        .filter_map(|d| path_of(d.region_id))
        .collect();
    let home = regions
        .iter()
        .filter(|r| !paths.is_empty() && paths.iter().all(|p| p.starts_with(&r.path)))
        .max_by_key(|r| r.path.len());
    match home {
        Some(r) => Ok(r.clone()),
        None => top_region(state).await,
    }
}

pub async fn regions(state: &AppState, auth: &Auth) -> AppResult<Vec<Region>> {
    auth.actor.require(Permission::OrgRead)?;
    Ok(state.store.regions().await?)
}

pub async fn region(state: &AppState, auth: &Auth, id: i64) -> AppResult<Region> {
    auth.actor.require(Permission::OrgRead)?;
    state
        .store
        .region(id)
        .await?
        .ok_or_else(|| AppError::not_found(REGION))
}

pub async fn create_region(state: &AppState, auth: &Auth, new: NewRegion) -> AppResult<Region> {
    auth.actor.require(Permission::OrgWrite)?;
    let new = new.clean()?;
    // Top-level regions are laid down when the platform is installed, not from the API.
    let parent_id = new.parent_id.ok_or_else(|| {
        AppError::from(DomainError::invalid(
            "parent_id",
            "须指定上级区划",
            "a parent region is required",
        ))
    })?;
    let parent = state.store.region(parent_id).await?.ok_or_else(|| {
        AppError::from(DomainError::invalid(
            "parent_id",
            format!("编号{parent_id}的区划不存在"),
            format!("region {parent_id} does not exist"),
        ))
    })?;
    manage_region(auth, &parent.path)?;
    Ok(state.store.create_region(&auth.ctx(), new).await?)
}

pub async fn update_region(
    state: &AppState,
    auth: &Auth,
    id: i64,
    upd: RegionUpdate,
) -> AppResult<Region> {
    auth.actor.require(Permission::OrgWrite)?;
    let r = region(state, auth, id).await?;
    manage_region(auth, &r.path)?;
    Ok(state
        .store
        .update_region(&auth.ctx(), id, upd.clean()?)
        .await?)
}

pub async fn set_region_active(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<Region> {
    auth.actor.require(Permission::OrgWrite)?;
    let r = region(state, auth, id).await?;
    manage_region(auth, &r.path)?;
    if auth.actor.scope.region_id == Some(id) {
        return Err(DomainError::conflict(
            "active",
            "不能停用自己负责的区划",
            "you cannot deactivate your own region",
        )
        .into());
    }
    Ok(state
        .store
        .set_region_active(&auth.ctx(), id, version, active)
        .await?)
}

pub async fn departments(state: &AppState, auth: &Auth) -> AppResult<Vec<Department>> {
    auth.actor.require(Permission::OrgRead)?;
    Ok(state.store.departments(&scope_filter(&auth.actor)).await?)
}

pub async fn department(state: &AppState, auth: &Auth, id: i64) -> AppResult<Department> {
    let d = state
        .store
        .department(id)
        .await?
        .ok_or_else(|| AppError::not_found(DEPARTMENT))?;
    auth.actor.may(
        Permission::OrgRead,
        &owner(state, Some(d.id), Some(d.region_id)).await?,
    )?;
    Ok(d)
}

pub async fn create_department(
    state: &AppState,
    auth: &Auth,
    new: NewDepartment,
) -> AppResult<Department> {
    auth.actor.require(Permission::OrgWrite)?;
    let new = new.clean()?;
    let path = region_path(state, Some(new.region_id)).await?;
    if path.is_empty() {
        return Err(DomainError::invalid(
            "region_id",
            format!("编号{}的区划不存在", new.region_id),
            format!("region {} does not exist", new.region_id),
        )
        .into());
    }
    manage_region(auth, &path)?;
    Ok(state.store.create_department(&auth.ctx(), new).await?)
}

pub async fn update_department(
    state: &AppState,
    auth: &Auth,
    id: i64,
    upd: DepartmentUpdate,
) -> AppResult<Department> {
    auth.actor.require(Permission::OrgWrite)?;
    let d = department(state, auth, id).await?;
    auth.actor.may(
        Permission::OrgWrite,
        &owner(state, Some(d.id), Some(d.region_id)).await?,
    )?;
    Ok(state
        .store
        .update_department(&auth.ctx(), id, upd.clean()?)
        .await?)
}

pub async fn set_department_active(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<Department> {
    auth.actor.require(Permission::OrgWrite)?;
    let d = department(state, auth, id).await?;
    manage_region(auth, &region_path(state, Some(d.region_id)).await?)?;
    Ok(state
        .store
        .set_department_active(&auth.ctx(), id, version, active)
        .await?)
}

pub async fn halls(state: &AppState, auth: &Auth) -> AppResult<Vec<Hall>> {
    auth.actor.require(Permission::OrgRead)?;
    Ok(state.store.halls(&scope_filter(&auth.actor)).await?)
}

pub async fn hall(state: &AppState, auth: &Auth, id: i64) -> AppResult<Hall> {
    auth.actor.require(Permission::OrgRead)?;
    state
        .store
        .hall(id)
        .await?
        .ok_or_else(|| AppError::not_found(HALL))
}

pub(crate) async fn manage_hall(state: &AppState, auth: &Auth, hall: &Hall) -> AppResult<()> {
    manage_region(auth, &region_path(state, Some(hall.region_id)).await?)
}

pub async fn create_hall(state: &AppState, auth: &Auth, new: NewHall) -> AppResult<Hall> {
    auth.actor.require(Permission::OrgWrite)?;
    let new = new.clean()?;
    let path = region_path(state, Some(new.region_id)).await?;
    if path.is_empty() {
        return Err(DomainError::invalid(
            "region_id",
            format!("编号{}的区划不存在", new.region_id),
            format!("region {} does not exist", new.region_id),
        )
        .into());
    }
    manage_region(auth, &path)?;
    Ok(state.store.create_hall(&auth.ctx(), new).await?)
}

pub async fn update_hall(
    state: &AppState,
    auth: &Auth,
    id: i64,
    upd: HallUpdate,
) -> AppResult<Hall> {
    auth.actor.require(Permission::OrgWrite)?;
    let h = hall(state, auth, id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .update_hall(&auth.ctx(), id, upd.clean()?)
        .await?)
}

pub async fn set_hall_active(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<Hall> {
    auth.actor.require(Permission::OrgWrite)?;
    let h = hall(state, auth, id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .set_hall_active(&auth.ctx(), id, version, active)
        .await?)
}

pub async fn zones(state: &AppState, auth: &Auth, hall_id: i64) -> AppResult<Vec<Zone>> {
    hall(state, auth, hall_id).await?;
    Ok(state.store.zones(hall_id).await?)
}

pub async fn zone(state: &AppState, auth: &Auth, id: i64) -> AppResult<Zone> {
    auth.actor.require(Permission::OrgRead)?;
    state
        .store
        .zone(id)
        .await?
        .ok_or_else(|| AppError::not_found(ZONE))
}

pub async fn create_zone(
    state: &AppState,
    auth: &Auth,
    hall_id: i64,
    new: NewZone,
) -> AppResult<Zone> {
    auth.actor.require(Permission::OrgWrite)?;
    let h = hall(state, auth, hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .create_zone(&auth.ctx(), hall_id, new.clean(h.floors)?)
        .await?)
}

pub async fn update_zone(
    state: &AppState,
    auth: &Auth,
    id: i64,
    upd: ZoneUpdate,
) -> AppResult<Zone> {
    auth.actor.require(Permission::OrgWrite)?;
    let z = zone(state, auth, id).await?;
    let h = hall(state, auth, z.hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .update_zone(&auth.ctx(), id, upd.clean(h.floors)?)
        .await?)
}

pub async fn set_zone_active(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<Zone> {
    auth.actor.require(Permission::OrgWrite)?;
    let z = zone(state, auth, id).await?;
    let h = hall(state, auth, z.hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .set_zone_active(&auth.ctx(), id, version, active)
        .await?)
}

pub async fn windows(state: &AppState, auth: &Auth, hall_id: i64) -> AppResult<Vec<Window>> {
    hall(state, auth, hall_id).await?;
    Ok(state.store.windows(hall_id).await?)
}

pub async fn window(state: &AppState, auth: &Auth, id: i64) -> AppResult<Window> {
    auth.actor.require(Permission::OrgRead)?;
    state
        .store
        .window(id)
        .await?
        .ok_or_else(|| AppError::not_found(WINDOW))
}

pub async fn create_window(
    state: &AppState,
    auth: &Auth,
    hall_id: i64,
    new: NewWindow,
) -> AppResult<Window> {
    auth.actor.require(Permission::OrgWrite)?;
    let h = hall(state, auth, hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .create_window(&auth.ctx(), hall_id, new.clean()?)
        .await?)
}

pub async fn update_window(
    state: &AppState,
    auth: &Auth,
    id: i64,
    upd: WindowUpdate,
) -> AppResult<Window> {
    auth.actor.require(Permission::OrgWrite)?;
    let w = window(state, auth, id).await?;
    let h = hall(state, auth, w.hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .update_window(&auth.ctx(), id, upd.clean()?)
        .await?)
}

pub async fn set_window_active(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<Window> {
    auth.actor.require(Permission::OrgWrite)?;
    let w = window(state, auth, id).await?;
    let h = hall(state, auth, w.hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .set_window_active(&auth.ctx(), id, version, active)
        .await?)
}
