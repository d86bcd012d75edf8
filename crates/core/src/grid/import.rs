//! Grids from a GeoJSON FeatureCollection (网格边界导入), and back. Each feature is one grid:
//! its geometry, and in `properties` its `code`, `name`, `level` (1, 2, 3 …) and the `parent`
//! code (none at level 1). Every problem is reported with the feature it is in, and a file with
//! any problem imports nothing.

use super::geometry::{self, Shape};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use std::collections::HashMap;

/// A grid as a file describes it, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct GridFeature {
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent: Option<String>,
    pub shape: Shape,
}

fn problem(field: String, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError::new(field, Text::new(zh.into(), en.into()))
}

/// Reads and checks a FeatureCollection. Codes are unique; a grid's parent is in the file or in
/// `known` (code → level of grids already stored) and one level up.
pub fn read(
    doc: &serde_json::Value,
    known: &HashMap<String, i64>,
) -> Result<Vec<GridFeature>, Vec<FieldError>> {
    if doc.get("type").and_then(|t| t.as_str()) != Some("FeatureCollection") {
        return Err(vec![problem(
            "type".into(),
            "文件应为GeoJSON FeatureCollection",
            "the file must be a GeoJSON FeatureCollection",
        )]);
    }
    let Some(features) = doc.get("features").and_then(|f| f.as_array()) else {
        return Err(vec![problem(
            "features".into(),
            "缺少features数组",
            "features is missing",
        )]);
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in features.iter().enumerate() {
        match feature(i, f) {
            Ok(g) => out.push((i, g)),
            Err(e) => errors.push(e),
        }
    }
    // A code may be one already stored (the import updates it), but only once in the file.
    let mut levels: HashMap<String, i64> = known.clone();
    let mut seen = std::collections::HashSet::new();
    for (i, g) in &out {
        levels.insert(g.code.clone(), g.level);
        if !seen.insert(g.code.clone()) {
            errors.push(problem(
                format!("features[{i}].properties.code"),
                format!("网格编码{}重复", g.code),
                format!("grid code {} appears twice", g.code),
            ));
        }
    }
    for (i, g) in &out {
        let field = format!("features[{i}].properties.parent");
        match (&g.parent, g.level) {
            (None, 1) => {}
            (None, _) => errors.push(problem(
                field,
                "二级及以下网格应指定上级网格",
                "a grid below level 1 names its parent",
            )),
            (Some(_), 1) => errors.push(problem(
                field,
                "一级网格没有上级网格",
                "a level-1 grid has no parent",
            )),
            (Some(p), level) => match levels.get(p) {
                Some(pl) if *pl == level - 1 => {}
                Some(pl) => errors.push(problem(
                    field,
                    format!("上级网格{p}是{pl}级，应为{}级", level - 1),
                    format!("parent {p} is at level {pl}, not {}", level - 1),
                )),
                None => errors.push(problem(
                    field,
                    format!("上级网格{p}不存在"),
                    format!("no grid {p}"),
                )),
            },
        }
    }
    if errors.is_empty() {
        Ok(out.into_iter().map(|(_, g)| g).collect())
    } else {
        Err(errors)
    }
}

fn feature(i: usize, f: &serde_json::Value) -> Result<GridFeature, FieldError> {
    let at = |k: &str| format!("features[{i}].{k}");
    let props = f
        .get("properties")
        .and_then(|p| p.as_object())
        .ok_or_else(|| problem(at("properties"), "缺少属性", "properties are missing"))?;
    let s = |k: &str| props.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let code = text::required(&at("properties.code"), s("code"), 40)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(problem(
            at("properties.code"),
            "网格编码只能包含字母、数字、-和_",
            "a grid code has letters, digits, - and _ only",
        ));
    }
    let name = text::required(&at("properties.name"), s("name"), 60)?;
    let level = props
        .get("level")
        .and_then(|v| v.as_i64())
        .filter(|l| (1..=5).contains(l))
        .ok_or_else(|| {
            problem(
                at("properties.level"),
                "网格层级应为1至5",
                "the level must be 1 to 5",
            )
        })?;
    let parent = text::optional(&at("properties.parent"), s("parent"), 40)?;
    let geometry = f
        .get("geometry")
        .ok_or_else(|| problem(at("geometry"), "缺少边界", "the geometry is missing"))?;
    let shape = geometry::parse(&at("geometry"), geometry)?;
    Ok(GridFeature {
        code,
        name,
        level,
        parent,
        shape,
    })
}

/// Grids as a FeatureCollection, to be read back by `read`.
pub fn write(grids: &[GridFeature]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = grids
        .iter()
        .map(|g| {
            serde_json::json!({
                "type": "Feature",
                "properties": {"code": g.code, "name": g.name, "level": g.level, "parent": g.parent},
                "geometry": serde_json::to_value(geojson::Geometry::new(geojson::Value::from(&g.shape)))
                    .unwrap_or(serde_json::Value::Null),
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn square(x: f64, y: f64, s: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]})
    }

    fn feature(
        code: &str,
        level: i64,
        parent: Option<&str>,
        g: serde_json::Value,
    ) -> serde_json::Value {
        json!({"type": "Feature", "properties": {"code": code, "name": format!("{code}网格"), "level": level, "parent": parent}, "geometry": g})
    }

    #[test]
    fn a_three_level_file_is_read_and_written_back() {
        let doc = json!({"type": "FeatureCollection", "features": [
            feature("L1", 1, None, square(0.0, 0.0, 2.0)),
            feature("L2-A", 2, Some("L1"), square(0.0, 0.0, 1.0)),
            feature("L3-A1", 3, Some("L2-A"), square(0.0, 0.0, 0.5)),
        ]});
        let grids = read(&doc, &HashMap::new()).unwrap();
        assert_eq!(grids.len(), 3);
        assert_eq!(grids[2].parent.as_deref(), Some("L2-A"));
        let again = read(&write(&grids), &HashMap::new()).unwrap();
        assert_eq!(again, grids, "what is written reads back the same");
        // A parent already stored counts.
        let known = HashMap::from([("L2-B".to_string(), 2)]);
        let more = json!({"type": "FeatureCollection", "features": [feature("L3-B1", 3, Some("L2-B"), square(1.0, 1.0, 0.5))]});
        assert!(read(&more, &known).is_ok());
    }

    #[test]
    fn every_problem_is_named_by_its_feature() {
        let bow_tie = json!({"type": "Polygon", "coordinates": [[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]]});
        let doc = json!({"type": "FeatureCollection", "features": [
            feature("L1", 1, None, square(0.0, 0.0, 2.0)),
            feature("L1", 1, None, square(3.0, 0.0, 1.0)),
            feature("X", 2, Some("L9"), square(0.0, 0.0, 1.0)),
            feature("Y", 3, Some("L1"), square(0.0, 0.0, 1.0)),
            feature("Z", 2, None, bow_tie),
            feature("bad code!", 2, Some("L1"), square(0.0, 0.0, 1.0)),
        ]});
        let errors = read(&doc, &HashMap::new()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"features[1].properties.code"),
            "{fields:?}"
        );
        assert!(fields.contains(&"features[4].geometry"), "{fields:?}");
        assert!(
            fields.contains(&"features[5].properties.code"),
            "{fields:?}"
        );
        let parent = |i: usize| {
            errors
                .iter()
                .find(|e| e.field == format!("features[{i}].properties.parent"))
                .map(|e| e.reason.zh.to_string())
                .unwrap_or_default()
        };
        assert!(parent(2).contains("L9不存在"), "{errors:?}");
        assert!(parent(3).contains("应为2级"), "{errors:?}");
        assert!(read(&json!({"type": "Feature"}), &HashMap::new()).is_err());
    }
}
