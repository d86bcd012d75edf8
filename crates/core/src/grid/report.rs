//! A community problem as reported (上报), the event record, the rules a district sets for them,
//! and the duplicate hint: an earlier event of the same category near in place and time.

use super::event::{Progress, Source};
use super::geometry::distance_m;
use super::limit::StepLimits;
use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::{mobile, text};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Longest description (Open311: 4,000 characters).
pub const MAX_DESCRIPTION: usize = 4000;

/// A point in WGS 84 degrees.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub lon: f64,
    pub lat: f64,
}

impl Point {
    /// Stored as integer micro-degrees: exact on both databases and indexable.
    pub fn e6(self) -> (i64, i64) {
        (
            (self.lon * 1e6).round() as i64,
            (self.lat * 1e6).round() as i64,
        )
    }

    pub fn from_e6(lon: i64, lat: i64) -> Point {
        Point {
            lon: lon as f64 / 1e6,
            lat: lat as f64 / 1e6,
        }
    }

    /// Checks a point given as `lon`/`lat` (or Open311's `long`/`lat`) under their field names.
    pub fn check(self, lon_field: &str, lat_field: &str) -> Result<Point, FieldError> {
        if !self.lon.is_finite() || !(-180.0..=180.0).contains(&self.lon) {
            return Err(FieldError::new(
                lon_field,
                Text::fixed(
                    "经度应在-180至180之间",
                    "longitude must be between -180 and 180",
                ),
            ));
        }
        if !self.lat.is_finite() || !(-90.0..=90.0).contains(&self.lat) {
            return Err(FieldError::new(
                lat_field,
                Text::fixed("纬度应在-90至90之间", "latitude must be between -90 and 90"),
            ));
        }
        Ok(self)
    }
}

/// What a reporter gives.
#[derive(Clone, Debug, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    pub category_id: Option<i64>,
    pub description: String,
    #[serde(default)]
    pub address: String,
    pub point: Option<Point>,
    #[serde(default)]
    pub reporter_name: String,
    #[serde(default)]
    pub reporter_phone: String,
    #[serde(default)]
    pub reporter_email: String,
}

impl NewEvent {
    /// The report cleaned: a description of at most 4,000 characters, a location (a point, or an
    /// address for a telephone report), a phone that is a phone.
    pub fn check(self, source: Source) -> Result<NewEvent, FieldError> {
        let description = text::required("description", &self.description, MAX_DESCRIPTION)?;
        let address = text::optional("address", &self.address, 200)?.unwrap_or_default();
        let point = self.point.map(|p| p.check("lon", "lat")).transpose()?;
        let needs_point = matches!(source, Source::Grid);
        if point.is_none() && (needs_point || address.is_empty()) {
            return Err(FieldError::new(
                "location",
                if needs_point {
                    Text::fixed(
                        "请在地图上选点或使用定位",
                        "pick the place on the map or use the device's location",
                    )
                } else {
                    Text::fixed(
                        "请提供位置（坐标或地址）",
                        "a location is required (a point or an address)",
                    )
                },
            ));
        }
        let reporter_phone = match self.reporter_phone.trim() {
            "" => String::new(),
            p => mobile::parse(p).map_err(|t| FieldError::new("reporter_phone", t))?,
        };
        let reporter_email = self.reporter_email.trim().to_string();
        if !reporter_email.is_empty()
            && (reporter_email.len() > 200 || !reporter_email.contains('@'))
        {
            return Err(FieldError::new(
                "reporter_email",
                Text::fixed("电子邮箱格式不对", "not an e-mail address"),
            ));
        }
        Ok(NewEvent {
            category_id: self.category_id,
            description,
            address,
            point,
            reporter_name: text::optional("reporter_name", &self.reporter_name, 50)?
                .unwrap_or_default(),
            reporter_phone,
            reporter_email,
        })
    }
}

/// An event as stored.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Event {
    pub id: i64,
    /// SJ + date + sequence.
    pub number: String,
    pub source: Source,
    pub region_id: i64,
    pub reporter_id: Option<i64>,
    pub reporter_name: String,
    pub reporter_phone: String,
    pub reporter_email: String,
    pub description: String,
    pub address: String,
    pub point: Option<Point>,
    /// Answers to the category's questions.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
    pub progress: Progress,
    pub reported_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// What a district sets for its events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GridRules {
    pub steps: StepLimits,
    /// An earlier event of the same category within this many metres…
    pub duplicate_meters: i64,
    /// …and this many hours is shown as a possible duplicate.
    pub duplicate_hours: i64,
}

impl Default for GridRules {
    fn default() -> Self {
        GridRules {
            steps: StepLimits::default(),
            duplicate_meters: 100,
            duplicate_hours: 72,
        }
    }
}

impl GridRules {
    pub fn check(self) -> Result<GridRules, FieldError> {
        for (name, l) in [
            ("steps.register", self.steps.register),
            ("steps.dispatch", self.steps.dispatch),
            ("steps.sign", self.steps.sign),
            ("steps.return_within", self.steps.return_within),
        ] {
            l.check(name)?;
        }
        let bounded = |name: &str, v: i64, max: i64| {
            if (1..=max).contains(&v) {
                Ok(())
            } else {
                Err(FieldError::new(
                    name,
                    Text::new(format!("应为1至{max}"), format!("must be 1 to {max}")),
                ))
            }
        };
        bounded(
            "steps.max_extension_days",
            self.steps.max_extension_days,
            60,
        )?;
        bounded("duplicate_meters", self.duplicate_meters, 10_000)?;
        bounded("duplicate_hours", self.duplicate_hours, 24 * 30)?;
        Ok(self)
    }

    /// The period before `at` in which an earlier report counts as a possible duplicate.
    pub fn duplicate_since(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        at - Duration::hours(self.duplicate_hours)
    }

    /// A box around a point wide enough to hold every point within the duplicate distance, in
    /// micro-degrees (for the index), before the exact distance is measured.
    pub fn duplicate_box(&self, p: Point) -> ((i64, i64), (i64, i64)) {
        let m = self.duplicate_meters as f64;
        let dlat = m / 111_000.0;
        let dlon = m / (111_000.0 * p.lat.to_radians().cos().max(0.01));
        let a = Point {
            lon: p.lon - dlon,
            lat: p.lat - dlat,
        }
        .e6();
        let b = Point {
            lon: p.lon + dlon,
            lat: p.lat + dlat,
        }
        .e6();
        (a, b)
    }
}

/// A possible duplicate: an earlier event and how far from the new one it was reported.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct DuplicateHint {
    pub event_id: i64,
    pub number: String,
    pub meters: i64,
    pub reported_at: DateTime<Utc>,
    pub state: super::event::State,
}

/// Of the candidates (same category, in the period and the box), those within the distance,
/// nearest first.
pub fn duplicates(rules: &GridRules, p: Point, candidates: &[Event]) -> Vec<DuplicateHint> {
    let mut out: Vec<DuplicateHint> = candidates
        .iter()
        .filter_map(|e| {
            let q = e.point?;
            let d = distance_m((p.lon, p.lat), (q.lon, q.lat));
            (d <= rules.duplicate_meters as f64).then(|| DuplicateHint {
                event_id: e.id,
                number: e.number.clone(),
                meters: d.round() as i64,
                reported_at: e.reported_at,
                state: e.progress.state,
            })
        })
        .collect();
    out.sort_by_key(|h| (h.meters, h.event_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(point: Option<Point>, address: &str) -> NewEvent {
        NewEvent {
            category_id: Some(1),
            description: "下水道堵塞，路面积水".into(),
            address: address.into(),
            point,
            reporter_name: String::new(),
            reporter_phone: String::new(),
            reporter_email: String::new(),
        }
    }

    const P: Point = Point {
        lon: 117.2,
        lat: 31.8,
    };

    #[test]
    fn a_report_needs_a_place_and_a_description_within_bounds() {
        assert!(new(Some(P), "").check(Source::Grid).is_ok());
        assert_eq!(
            new(None, "长江路1号")
                .check(Source::Grid)
                .unwrap_err()
                .field,
            "location"
        );
        assert!(new(None, "长江路1号").check(Source::Hotline).is_ok());
        assert_eq!(
            new(None, "").check(Source::Open311).unwrap_err().field,
            "location"
        );
        let mut e = new(Some(P), "");
        e.description = "堵".repeat(MAX_DESCRIPTION + 1);
        assert_eq!(e.check(Source::Citizen).unwrap_err().field, "description");
        let e = new(
            Some(Point {
                lon: 190.0,
                lat: 31.0,
            }),
            "",
        );
        assert_eq!(e.check(Source::Citizen).unwrap_err().field, "lon");
        let mut e = new(Some(P), "");
        e.reporter_phone = "12345".into();
        assert_eq!(
            e.check(Source::Citizen).unwrap_err().field,
            "reporter_phone"
        );
    }

    #[test]
    fn points_round_trip_through_micro_degrees() {
        let (x, y) = P.e6();
        assert_eq!((x, y), (117_200_000, 31_800_000));
        assert_eq!(Point::from_e6(x, y), P);
    }

    #[test]
    fn duplicates_are_the_near_ones_nearest_first() {
        let rules = GridRules::default();
        let at = DateTime::<Utc>::from_timestamp(1_772_000_000, 0).unwrap();
        let ev = |id: i64, lon: f64| Event {
            id,
            number: format!("SJ{id}"),
            source: Source::Grid,
            region_id: 1,
            reporter_id: None,
            reporter_name: String::new(),
            reporter_phone: String::new(),
            reporter_email: String::new(),
            description: "x".into(),
            address: String::new(),
            point: Some(Point { lon, lat: P.lat }),
            attributes: serde_json::json!({}),
            progress: Progress::default(),
            reported_at: at,
            closed_at: None,
            updated_at: at,
            version: 1,
        };
        // 0.0005° of longitude at 31.8° N is about 47 m; 0.002° about 189 m.
        let hints = duplicates(&rules, P, &[ev(1, P.lon + 0.002), ev(2, P.lon + 0.0005)]);
        assert_eq!(hints.len(), 1);
        assert_eq!((hints[0].event_id, hints[0].meters / 10), (2, 4));
        let ((x0, y0), (x1, y1)) = rules.duplicate_box(P);
        assert!(x0 < 117_199_000 && x1 > 117_201_000 && y0 < 31_799_200 && y1 > 31_800_800);
        assert_eq!(
            GridRules {
                duplicate_meters: 0,
                ..rules
            }
            .check()
            .unwrap_err()
            .field,
            "duplicate_meters"
        );
    }
}
