//! Grid shapes (网格边界): GeoJSON polygons read and checked (closed rings, no self-intersection,
//! coordinates on the earth), the grid a point lies in among hundreds of grids, the coverage of
//! a parent grid by its children (gaps and overlaps), and distances on the ground. The geometry
//! itself is the `geo` crate's; what is ours is what a grid must be and how errors read.

use crate::error::FieldError;
use crate::i18n::Text;
use geo::{
    Area, BooleanOps, BoundingRect, Contains, Distance, Haversine, Intersects, MultiPolygon, Point,
    Polygon, Rect, Validation,
};

/// A grid's shape: one or more polygons, in longitude/latitude (WGS 84, as GeoJSON).
pub type Shape = MultiPolygon<f64>;

fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError::new(field, Text::new(zh.into(), en.into()))
}

/// Reads a GeoJSON geometry (a Polygon or a MultiPolygon) as a grid's shape and checks it.
/// `field` names it in errors (e.g. `features[3].geometry`).
pub fn parse(field: &str, v: &serde_json::Value) -> Result<Shape, FieldError> {
    let g = geojson::Geometry::from_json_value(v.clone()).map_err(|e| {
        invalid(
            field,
            format!("不是有效的GeoJSON几何对象：{e}"),
            format!("not a GeoJSON geometry: {e}"),
        )
    })?;
    let shape: Shape = match g.value {
        geojson::Value::Polygon(_) => {
            let p: Polygon<f64> = g.value.try_into().map_err(|_| {
                invalid(
                    field,
                    "多边形坐标无效",
                    "the polygon's coordinates are invalid",
                )
            })?;
            MultiPolygon(vec![p])
        }
        geojson::Value::MultiPolygon(_) => g.value.try_into().map_err(|_| {
            invalid(
                field,
                "多边形坐标无效",
                "the polygon's coordinates are invalid",
            )
        })?,
        _ => {
            return Err(invalid(
                field,
                "网格边界应为Polygon或MultiPolygon",
                "a grid's boundary is a Polygon or a MultiPolygon",
            ));
        }
    };
    check(field, &shape)?;
    Ok(shape)
}

/// Checks a shape: coordinates on the earth, rings closed with at least three corners, no
/// self-intersection, holes inside, parts not overlapping, and some area.
pub fn check(field: &str, shape: &Shape) -> Result<(), FieldError> {
    if shape.0.is_empty() {
        return Err(invalid(field, "边界为空", "the boundary is empty"));
    }
    for p in &shape.0 {
        for c in p
            .exterior()
            .coords()
            .chain(p.interiors().iter().flat_map(|r| r.coords()))
        {
            if !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y) {
                return Err(invalid(
                    field,
                    format!("坐标({}, {})超出经纬度范围", c.x, c.y),
                    format!(
                        "coordinate ({}, {}) is not a longitude and latitude",
                        c.x, c.y
                    ),
                ));
            }
        }
    }
    if let Err(e) = shape.check_validation() {
        let text = e.to_string();
        let zh = if text.contains("self-intersection") {
            "边界自相交"
        } else if text.contains("at least 3 distinct points") {
            "边界至少需要3个不同的点"
        } else if text.contains("overlap") || text.contains("touch") {
            "多个多边形相互重叠或共边"
        } else if text.contains("not contained") {
            "内环不在外环之内"
        } else {
            "边界无效"
        };
        return Err(invalid(field, format!("{zh}（{text}）"), text));
    }
    if shape.unsigned_area() <= 0.0 {
        return Err(invalid(field, "边界面积为零", "the boundary has no area"));
    }
    Ok(())
}

/// Whether a point (longitude, latitude) lies in a shape, its boundary included.
pub fn covers(shape: &Shape, lon: f64, lat: f64) -> bool {
    let p = Point::new(lon, lat);
    shape.contains(&p) || shape.intersects(&p)
}

/// The grids of one level, indexed for "which grid is this point in": a coarse lattice of cells
/// over their extent, each listing the grids whose bounding boxes reach it, then the exact test.
pub struct GridIndex {
    grids: Vec<(i64, Shape, Rect<f64>)>,
    min: (f64, f64),
    step: (f64, f64),
    cells: Vec<Vec<usize>>,
}

const CELLS: usize = 64;

impl GridIndex {
    pub fn new(grids: Vec<(i64, Shape)>) -> GridIndex {
        let grids: Vec<(i64, Shape, Rect<f64>)> = grids
            .into_iter()
            .filter_map(|(id, s)| s.bounding_rect().map(|r| (id, s, r)))
            .collect();
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (_, _, r) in &grids {
            x0 = x0.min(r.min().x);
            y0 = y0.min(r.min().y);
            x1 = x1.max(r.max().x);
            y1 = y1.max(r.max().y);
        }
        let step = (
            ((x1 - x0) / CELLS as f64).max(f64::EPSILON),
            ((y1 - y0) / CELLS as f64).max(f64::EPSILON),
        );
        let mut index = GridIndex {
            grids,
            min: (x0, y0),
            step,
            cells: vec![Vec::new(); CELLS * CELLS],
        };
        for (i, (_, _, r)) in index.grids.iter().enumerate() {
            let (cx0, cy0) = index.cell_of(r.min().x, r.min().y);
            let (cx1, cy1) = index.cell_of(r.max().x, r.max().y);
            for cy in cy0..=cy1 {
                for cx in cx0..=cx1 {
                    index.cells[cy * CELLS + cx].push(i);
                }
            }
        }
        index
    }

    fn cell_of(&self, x: f64, y: f64) -> (usize, usize) {
        let clamp = |v: f64| (v.max(0.0) as usize).min(CELLS - 1);
        (
            clamp((x - self.min.0) / self.step.0),
            clamp((y - self.min.1) / self.step.1),
        )
    }

    /// The grid the point lies in (on a shared border, the first listed), or none.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<i64> {
        if self.grids.is_empty() || !lon.is_finite() || !lat.is_finite() {
            return None;
        }
        let (cx, cy) = self.cell_of(lon, lat);
        let p = Point::new(lon, lat);
        self.cells[cy * CELLS + cx]
            .iter()
            .map(|&i| &self.grids[i])
            .find(|(_, s, r)| r.intersects(&p) && (s.contains(&p) || s.intersects(&p)))
            .map(|(id, _, _)| *id)
    }

    pub fn len(&self) -> usize {
        self.grids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grids.is_empty()
    }
}

/// How well a parent grid is covered by its children.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    /// The share of the parent's area no child covers (0 to 1).
    pub gap_share: f64,
    /// The uncovered parts, to draw.
    pub gaps: Shape,
    /// Pairs of children that overlap, with the share of the parent's area they share.
    pub overlaps: Vec<(i64, i64, f64)>,
    /// Children reaching outside the parent, with the share of their own area outside.
    pub outside: Vec<(i64, f64)>,
}

/// Areas below this share are rounding, not gaps or overlaps: polygon operations on shapes that
/// are themselves unions leave slivers of a few billionths; a millionth of a square-kilometre
/// grid is one square metre.
const NOISE: f64 = 1e-6;

pub fn coverage(parent: &Shape, children: &[(i64, Shape)]) -> Coverage {
    let total = parent.unsigned_area().max(f64::MIN_POSITIVE);
    let mut union = MultiPolygon::<f64>(Vec::new());
    for (_, c) in children {
        union = union.union(c);
    }
    let gaps = parent.difference(&union);
    let gap_share = gaps.unsigned_area() / total;
    let mut overlaps = Vec::new();
    for (i, (a, sa)) in children.iter().enumerate() {
        for (b, sb) in &children[i + 1..] {
            let (Some(ra), Some(rb)) = (sa.bounding_rect(), sb.bounding_rect()) else {
                continue;
            };
            if !ra.intersects(&rb) {
                continue;
            }
            let share = sa.intersection(sb).unsigned_area() / total;
            if share > NOISE {
                overlaps.push((*a, *b, share));
            }
        }
    }
    let outside = children
        .iter()
        .filter_map(|(id, s)| {
            let own = s.unsigned_area().max(f64::MIN_POSITIVE);
            let share = s.difference(parent).unsigned_area() / own;
            (share > NOISE).then_some((*id, share))
        })
        .collect();
    Coverage {
        gap_share: if gap_share > NOISE { gap_share } else { 0.0 },
        gaps,
        overlaps,
        outside,
    }
}

/// A shape's extent: (west, south, east, north).
pub fn bounds(shape: &Shape) -> Option<(f64, f64, f64, f64)> {
    shape
        .bounding_rect()
        .map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
}

/// The union of shapes (a parent drawn as the union of its children).
pub fn union(shapes: &[Shape]) -> Shape {
    let mut out = MultiPolygon::<f64>(Vec::new());
    for s in shapes {
        out = out.union(s);
    }
    out
}

/// Metres between two points on the ground (longitude, latitude).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    Haversine.distance(Point::new(a.0, a.1), Point::new(b.0, b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A square grid cell `size` degrees wide with its south-west corner at (x, y).
    fn square(x: f64, y: f64, size: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]})
    }

    #[test]
    fn shapes_are_read_and_bad_ones_named() {
        assert!(parse("g", &square(120.8, 40.7, 0.01)).is_ok());
        let bow_tie = json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]});
        let e = parse("features[2].geometry", &bow_tie).unwrap_err();
        assert_eq!(e.field, "features[2].geometry");
        assert!(e.reason.zh.contains("自相交"), "{}", e.reason.zh);
        let point = json!({"type": "Point", "coordinates": [120.8, 40.7]});
        assert!(
            parse("g", &point)
                .unwrap_err()
                .reason
                .zh
                .contains("Polygon")
        );
        let far = square(200.0, 40.0, 1.0);
        assert!(parse("g", &far).unwrap_err().reason.zh.contains("超出"));
        let flat =
            json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]});
        assert!(parse("g", &flat).is_err());
        assert!(parse("g", &json!({"type": "Polygon"})).is_err());
    }

    #[test]
    fn a_point_is_found_among_312_grids() {
        // 312 cells of a 24 × 13 lattice over 龙港区's neighbourhood.
        let mut grids = Vec::new();
        for i in 0..312i64 {
            let (x, y) = (
                120.7 + (i % 24) as f64 * 0.01,
                40.6 + (i / 24) as f64 * 0.01,
            );
            grids.push((i + 1, parse("g", &square(x, y, 0.01)).unwrap()));
        }
        let index = GridIndex::new(grids);
        assert_eq!(index.len(), 312);
        // The middle of cell 30 (column 5, row 1).
        assert_eq!(index.locate(120.755, 40.615), Some(30));
        assert_eq!(index.locate(119.0, 40.615), None, "outside every grid");
        assert_eq!(index.locate(f64::NAN, 40.0), None);
        // On a corner shared by four cells: one of them.
        assert!(index.locate(120.71, 40.61).is_some());
    }

    #[test]
    fn coverage_reports_gaps_overlaps_and_strays() {
        let parent = parse("p", &square(0.0, 0.0, 2.0)).unwrap();
        let whole = vec![
            (1, parse("a", &square(0.0, 0.0, 1.0)).unwrap()),
            (2, parse("b", &square(1.0, 0.0, 1.0)).unwrap()),
            (3, parse("c", &square(0.0, 1.0, 1.0)).unwrap()),
            (4, parse("d", &square(1.0, 1.0, 1.0)).unwrap()),
        ];
        let c = coverage(&parent, &whole);
        assert_eq!(
            (c.gap_share, c.overlaps.len(), c.outside.len()),
            (0.0, 0, 0)
        );
        // Without d a quarter is uncovered; a child in d's place shifted half a cell east
        // reaches outside and leaves a gap.
        let c = coverage(&parent, &whole[..3]);
        assert!((c.gap_share - 0.25).abs() < 1e-9, "{}", c.gap_share);
        let mut shifted = whole[..3].to_vec();
        shifted.push((5, parse("e", &square(1.5, 1.0, 1.0)).unwrap()));
        let c = coverage(&parent, &shifted);
        assert_eq!(c.outside.len(), 1);
        assert_eq!(c.outside[0].0, 5);
        assert!((c.outside[0].1 - 0.5).abs() < 1e-9);
        assert!(c.gap_share > 0.0);
        let mut overlapping = whole.clone();
        overlapping.push((6, parse("f", &square(0.5, 0.5, 1.0)).unwrap()));
        let c = coverage(&parent, &overlapping);
        assert_eq!(c.overlaps.len(), 4, "{:?}", c.overlaps);
    }

    #[test]
    fn distances_on_the_ground() {
        // One hundredth of a degree of latitude is about 1.1 km.
        let d = distance_m((120.8, 40.7), (120.8, 40.71));
        assert!((1100.0..1125.0).contains(&d), "{d}");
    }
}
