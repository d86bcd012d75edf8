//! Grid governance (网格化管理, issue 8): grids and their shapes. Events, dispatch and Open311
//! build on these.

pub mod category;
pub mod event;
pub mod geometry;
pub mod import;
pub mod landmark;
pub mod limit;
pub mod report;

use serde::Serialize;

/// A grid as stored: its place in the hierarchy and its shape.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grid {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent_id: Option<i64>,
    /// The region (街道 / 社区) the grid belongs to, once named.
    pub region_id: Option<i64>,
    /// The grid leader (网格长), if named.
    pub leader_id: Option<i64>,
    #[serde(skip)]
    pub shape: geometry::Shape,
    pub version: i64,
}

impl Grid {
    /// The grid's boundary as a GeoJSON geometry.
    pub fn geometry(&self) -> serde_json::Value {
        serde_json::to_value(geojson::Geometry::new(geojson::Value::from(&self.shape)))
            .unwrap_or(serde_json::Value::Null)
    }
}

/// A grid and its ancestors, the grid first, through `find` (bounded, should a parent loop).
pub fn lineage<'a>(find: impl Fn(i64) -> Option<&'a Grid>, id: i64) -> Vec<&'a Grid> {
    let mut out = Vec::new();
    let mut next = find(id);
    while let Some(g) = next {
        if out.len() > 10 {
            break;
        }
        out.push(g);
        next = g.parent_id.and_then(&find);
    }
    out
}

/// The region a grid belongs to: its own, else its nearest ancestor's.
pub fn region_of<'a>(find: impl Fn(i64) -> Option<&'a Grid>, id: i64) -> Option<i64> {
    lineage(find, id).iter().find_map(|g| g.region_id)
}
