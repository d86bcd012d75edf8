//! The shape every edit of a record shares — read it, check the version the caller read, update
//! it, read it again, and record the change in the trail — written once for every kind of record.

use super::audit::append;
use super::org::{change, fetch};
use super::rows::*;
use super::{check_version, versioned_update};
use crate::backend::{Backend, Sql};
use crate::error::Result;
use onewindow_core::Text;
use onewindow_core::audit::Context;
use onewindow_core::identity::User;
use onewindow_core::org::{Department, Hall, Region, Window, Zone};
use serde::Serialize;
use std::future::Future;

pub(crate) trait Entity: Serialize + Send + Sync + Sized {
    const TABLE: &'static str;
    /// The record type's name in the trail ("department").
    const KIND: &'static str;
    /// The record type's name in messages ("部门").
    const WHAT: Text;
    fn version(&self) -> i64;
    fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> impl Future<Output = Result<Self>> + Send;
    /// The department and region that own the record: who may see its trail.
    fn owner<B: Backend>(
        &self,
        tx: &mut B::Tx,
    ) -> impl Future<Output = Result<(Option<i64>, Option<i64>)>> + Send;
    /// The record as its trail entries show it: everyone who reads the owner's trail reads
    /// this, so personal data is left out or masked.
    fn for_trail(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// Loads a record for an edit and checks that it is still at the version the caller read.
pub(crate) async fn current<B: Backend, E: Entity>(
    tx: &mut B::Tx,
    id: i64,
    version: i64,
) -> Result<E> {
    let e = E::load::<B>(tx, id).await?;
    check_version(e.version(), version)?;
    Ok(e)
}

/// Applies `set` ("col = $1, …") to the record `before` was read from, and records the change
/// under `action`. Returns the record as it now is.
pub(crate) async fn apply<B: Backend, E: Entity>(
    tx: &mut B::Tx,
    ctx: &Context,
    id: i64,
    before: &E,
    action: &str,
    set: Sql,
) -> Result<E> {
    versioned_update::<B>(tx, E::TABLE, E::WHAT, id, before.version(), set).await?;
    let after = E::load::<B>(tx, id).await?;
    let owner = after.owner::<B>(tx).await?;
    append::<B>(
        tx,
        ctx,
        change(
            E::KIND,
            action,
            id,
            owner,
            Some(&before.for_trail()),
            Some(&after.for_trail()),
        ),
    )
    .await?;
    Ok(after)
}

/// Reads a record just inserted and records its creation.
pub(crate) async fn created<B: Backend, E: Entity>(
    tx: &mut B::Tx,
    ctx: &Context,
    id: i64,
) -> Result<E> {
    let e = E::load::<B>(tx, id).await?;
    let owner = e.owner::<B>(tx).await?;
    append::<B>(
        tx,
        ctx,
        change(E::KIND, "create", id, owner, None, Some(&e.for_trail())),
    )
    .await?;
    Ok(e)
}

/// The update that deactivates or reactivates a record.
pub(crate) fn active_set(active: bool) -> Sql {
    crate::backend::sql("active = $1, updated_at = $2")
        .bind(active)
        .bind(crate::backend::now())
}

async fn hall_region<B: Backend>(tx: &mut B::Tx, hall_id: i64) -> Result<Option<i64>> {
    let h: HallRow = fetch::<B, _>(tx, HALL_COLS, "halls", hall_id, Hall::WHAT).await?;
    Ok(Some(h.region_id))
}

impl Entity for Region {
    const TABLE: &'static str = "regions";
    const KIND: &'static str = "region";
    const WHAT: Text = Text::fixed("区划", "region");
    fn version(&self) -> i64 {
        self.version
    }
    async fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Self> {
        Ok(
            fetch::<B, RegionRow>(tx, REGION_COLS, Self::TABLE, id, Self::WHAT)
                .await?
                .into(),
        )
    }
    async fn owner<B: Backend>(&self, _: &mut B::Tx) -> Result<(Option<i64>, Option<i64>)> {
        Ok((None, Some(self.id)))
    }
}

impl Entity for Department {
    const TABLE: &'static str = "departments";
    const KIND: &'static str = "department";
    const WHAT: Text = Text::fixed("部门", "department");
    fn version(&self) -> i64 {
        self.version
    }
    async fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Self> {
        Ok(
            fetch::<B, DepartmentRow>(tx, DEPARTMENT_COLS, Self::TABLE, id, Self::WHAT)
                .await?
                .into(),
        )
    }
    async fn owner<B: Backend>(&self, _: &mut B::Tx) -> Result<(Option<i64>, Option<i64>)> {
        Ok((Some(self.id), Some(self.region_id)))
    }
}

impl Entity for Hall {
    const TABLE: &'static str = "halls";
    const KIND: &'static str = "hall";
    const WHAT: Text = Text::fixed("大厅", "hall");
    fn version(&self) -> i64 {
        self.version
    }
    async fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Self> {
        Ok(
            fetch::<B, HallRow>(tx, HALL_COLS, Self::TABLE, id, Self::WHAT)
                .await?
                .into(),
        )
    }
    async fn owner<B: Backend>(&self, _: &mut B::Tx) -> Result<(Option<i64>, Option<i64>)> {
        Ok((None, Some(self.region_id)))
    }
}

impl Entity for Zone {
    const TABLE: &'static str = "zones";
    const KIND: &'static str = "zone";
    const WHAT: Text = Text::fixed("分区", "zone");
    fn version(&self) -> i64 {
        self.version
    }
    async fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Self> {
        Ok(
            fetch::<B, ZoneRow>(tx, ZONE_COLS, Self::TABLE, id, Self::WHAT)
                .await?
                .into(),
        )
    }
    async fn owner<B: Backend>(&self, tx: &mut B::Tx) -> Result<(Option<i64>, Option<i64>)> {
        Ok((None, hall_region::<B>(tx, self.hall_id).await?))
    }
}

impl Entity for Window {
    const TABLE: &'static str = "windows";
    const KIND: &'static str = "window";
    const WHAT: Text = Text::fixed("窗口", "window");
    fn version(&self) -> i64 {
        self.version
    }
    async fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Self> {
        let row: WindowRow = fetch::<B, _>(tx, WINDOW_COLS, Self::TABLE, id, Self::WHAT).await?;
        let depts: Vec<(i64,)> = B::all(
            tx,
            crate::backend::sql(
                "SELECT department_id FROM window_departments WHERE window_id = $1 ORDER BY department_id",
            )
            .bind(id),
        )
        .await?;
        Ok(row.with_departments(depts.into_iter().map(|d| d.0).collect()))
    }
    async fn owner<B: Backend>(&self, tx: &mut B::Tx) -> Result<(Option<i64>, Option<i64>)> {
        Ok((None, hall_region::<B>(tx, self.hall_id).await?))
    }
}

impl Entity for User {
    const TABLE: &'static str = "users";
    const KIND: &'static str = "user";
    const WHAT: Text = Text::fixed("账号", "account");
    fn version(&self) -> i64 {
        self.version
    }
    async fn load<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Self> {
        let row: UserRow = fetch::<B, _>(tx, USER_COLS, Self::TABLE, id, Self::WHAT).await?;
        let roles: Vec<(String,)> = B::all(
            tx,
            crate::backend::sql("SELECT role FROM user_roles WHERE user_id = $1").bind(id),
        )
        .await?;
        let roles: Vec<String> = roles.into_iter().map(|r| r.0).collect();
        Ok(row.with_roles(&roles))
    }
    async fn owner<B: Backend>(&self, _: &mut B::Tx) -> Result<(Option<i64>, Option<i64>)> {
        Ok((self.department_id, self.region_id))
    }
    /// A staff member's phone is masked: the district's staff read accounts' trails.
    fn for_trail(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(p) = self.phone.as_deref() {
            v["phone"] = serde_json::Value::String(onewindow_core::validate::mobile::mask(p));
        }
        v
    }
}
