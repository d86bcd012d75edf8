//! Landmarks (地标): the places people name a spot by — a residents' committee, a school, a
//! market, a bus stop. A reported point is named by its grid and the nearest landmark
//! ("滨海社区居委会东北约150米"), as a caller to 12345 would say it. A district keeps them as a
//! GeoJSON FeatureCollection of points, replaced whole on each import.

use super::geometry::distance_m;
use super::report::Point;
use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use serde::{Deserialize, Serialize};

/// The most landmarks a district keeps (a file of this many is read in well under a second).
pub const MAX_LANDMARKS: usize = 20_000;
/// Farther than this, a landmark does not name a place.
pub const NEAR_ENOUGH_M: f64 = 1_000.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewLandmark {
    pub name: String,
    /// 居委会, 学校, 医院, 公园, 公交站 … as the district writes it.
    pub kind: Option<String>,
    pub point: Point,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Landmark {
    pub id: i64,
    pub name: String,
    pub kind: Option<String>,
    pub point: Point,
}

fn problem(field: String, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, Text::new(zh.to_string(), en.to_string()))
}

/// Reads a FeatureCollection of points, each with `properties.name` (and `kind`). Every bad
/// feature is reported by its place in the file; a name given twice at one place is one.
pub fn read(doc: &serde_json::Value) -> Result<Vec<NewLandmark>, Vec<FieldError>> {
    let Some(features) = doc
        .get("features")
        .and_then(|f| f.as_array())
        .filter(|_| doc.get("type").and_then(|t| t.as_str()) == Some("FeatureCollection"))
    else {
        return Err(vec![problem(
            "features".into(),
            "应为包含地标点的GeoJSON要素集合（FeatureCollection）",
            "must be a GeoJSON FeatureCollection of points",
        )]);
    };
    if features.len() > MAX_LANDMARKS {
        return Err(vec![problem(
            "features".into(),
            "地标过多（最多20000个）",
            "too many landmarks (at most 20,000)",
        )]);
    }
    let mut out: Vec<NewLandmark> = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in features.iter().enumerate() {
        match feature(i, f) {
            Ok(l) => {
                if !out.iter().any(|o| o.name == l.name && o.point == l.point) {
                    out.push(l);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn feature(i: usize, f: &serde_json::Value) -> Result<NewLandmark, FieldError> {
    let at = |k: &str| format!("features[{i}].{k}");
    let props = f.get("properties").and_then(|p| p.as_object());
    let s = |k: &str| {
        props
            .and_then(|p| p.get(k))
            .and_then(|v| v.as_str())
            .unwrap_or("")
    };
    let name = text::required(&at("properties.name"), s("name"), 40)?;
    let kind = text::optional(&at("properties.kind"), s("kind"), 12)?;
    let g = f.get("geometry");
    if g.and_then(|g| g.get("type")).and_then(|t| t.as_str()) != Some("Point") {
        return Err(problem(
            at("geometry"),
            "地标应为点（Point）",
            "a landmark is a Point",
        ));
    }
    let c = g
        .and_then(|g| g.get("coordinates"))
        .and_then(|c| c.as_array())
        .filter(|c| c.len() >= 2)
        .and_then(|c| Some((c[0].as_f64()?, c[1].as_f64()?)))
        .ok_or_else(|| {
            problem(
                at("geometry.coordinates"),
                "坐标应为[经度, 纬度]",
                "coordinates must be [longitude, latitude]",
            )
        })?;
    let point = Point { lon: c.0, lat: c.1 }.check(
        &at("geometry.coordinates[0]"),
        &at("geometry.coordinates[1]"),
    )?;
    Ok(NewLandmark { name, kind, point })
}

/// Landmarks as a FeatureCollection, to be read back by `read`.
pub fn write(landmarks: &[Landmark]) -> serde_json::Value {
    serde_json::json!({
        "type": "FeatureCollection",
        "features": landmarks.iter().map(|l| serde_json::json!({
            "type": "Feature",
            "properties": {"name": l.name, "kind": l.kind},
            "geometry": {"type": "Point", "coordinates": [l.point.lon, l.point.lat]},
        })).collect::<Vec<_>>(),
    })
}

/// The nearest landmark within `NEAR_ENOUGH_M`, with its distance in metres.
pub fn nearest(landmarks: &[Landmark], p: Point) -> Option<(&Landmark, f64)> {
    landmarks
        .iter()
        .map(|l| (l, distance_m((p.lon, p.lat), (l.point.lon, l.point.lat))))
        .filter(|(_, d)| *d <= NEAR_ENOUGH_M)
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Where a point is from a landmark, as people say it: "滨海社区居委会旁" within 30 m, else the
/// direction of the point from the landmark and a round distance ("东北约150米").
pub fn describe(l: &Landmark, distance: f64, p: Point) -> Text {
    if distance < 30.0 {
        return Text::new(format!("{}旁", l.name), format!("by {}", l.name));
    }
    // The direction on a local flat map: east scaled by the cosine of the latitude.
    let dx = (p.lon - l.point.lon) * l.point.lat.to_radians().cos();
    let dy = p.lat - l.point.lat;
    let sector = ((dy.atan2(dx).to_degrees() + 360.0 + 22.5) % 360.0 / 45.0) as usize % 8;
    const ZH: [&str; 8] = ["东", "东北", "北", "西北", "西", "西南", "南", "东南"];
    const EN: [&str; 8] = [
        "east",
        "northeast",
        "north",
        "northwest",
        "west",
        "southwest",
        "south",
        "southeast",
    ];
    let step = if distance < 200.0 { 10.0 } else { 50.0 };
    let m = (distance / step).round() * step;
    Text::new(
        format!("{}{}约{m:.0}米", l.name, ZH[sector]),
        format!("about {m:.0} m {} of {}", EN[sector], l.name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(name: &str, lon: f64, lat: f64) -> Landmark {
        Landmark {
            id: 1,
            name: name.into(),
            kind: None,
            point: Point { lon, lat },
        }
    }

    #[test]
    fn a_point_is_named_by_the_nearest_landmark_with_direction_and_a_round_distance() {
        let ls = vec![
            at("滨海社区居委会", 120.800, 40.650),
            at("龙港区实验小学", 120.810, 40.650),
        ];
        // About 111 m north-east of the committee (0.001° of latitude is 111 m).
        let p = Point {
            lon: 120.800 + 0.0007 / 40.65f64.to_radians().cos(),
            lat: 40.6507,
        };
        let (l, d) = nearest(&ls, p).unwrap();
        assert_eq!(l.name, "滨海社区居委会");
        assert!((105.0..115.0).contains(&d), "{d}");
        assert_eq!(describe(l, d, p).zh, "滨海社区居委会东北约110米");
        let south = Point {
            lon: 120.810,
            lat: 40.6455,
        };
        let (l, d) = nearest(&ls, south).unwrap();
        assert_eq!(describe(l, d, south).zh, "龙港区实验小学南约500米");
        assert_eq!(
            describe(l, 12.0, l.point).zh,
            "龙港区实验小学旁",
            "a step away is beside it"
        );
        assert!(
            nearest(
                &ls,
                Point {
                    lon: 121.0,
                    lat: 40.65
                }
            )
            .is_none(),
            "17 km away names nothing"
        );
    }

    #[test]
    fn a_file_of_points_is_read_back_and_bad_features_are_named_by_their_place() {
        let ls = vec![at("滨海公园", 120.8, 40.65)];
        let doc = write(&ls);
        let back = read(&doc).unwrap();
        assert_eq!(back[0].name, "滨海公园");
        assert_eq!(back[0].point, ls[0].point);
        let bad = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "A"}, "geometry": {"type": "Point", "coordinates": [120.8, 40.6]}},
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [120.8, 40.6]}},
            {"type": "Feature", "properties": {"name": "B"}, "geometry": {"type": "Polygon", "coordinates": []}},
            {"type": "Feature", "properties": {"name": "C"}, "geometry": {"type": "Point", "coordinates": [220.0, 40.6]}},
        ]});
        let fields: Vec<String> = read(&bad)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "features[1].properties.name",
                "features[2].geometry",
                "features[3].geometry.coordinates[0]"
            ]
        );
        assert_eq!(
            read(&serde_json::json!({"type": "Feature"})).unwrap_err()[0].field,
            "features"
        );
    }
}
