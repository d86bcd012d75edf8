//! Grids (网格): imported from GeoJSON in one transaction (new codes added, known ones updated,
//! parents resolved level by level), read back with their shapes.

use super::SqlStore;
use crate::GridStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::grid::Grid;
use onewindow_core::grid::geometry;
use onewindow_core::grid::import::GridFeature;
use serde_json::json;
use std::collections::HashMap;

const COLS: &str = "id, code, name, level, parent_id, leader_id, geometry, version";

type Row = (
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    String,
    i64,
);

fn grid((id, code, name, level, parent_id, leader_id, geom, version): Row) -> Result<Grid> {
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
}

fn f_geometry(f: &GridFeature) -> String {
    Grid {
        id: 0,
        code: String::new(),
        name: String::new(),
        level: f.level,
        parent_id: None,
        leader_id: None,
        shape: f.shape.clone(),
        version: 0,
    }
    .geometry()
    .to_string()
}
