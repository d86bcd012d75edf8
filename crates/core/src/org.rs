//! The organisation: administrative regions, departments, service halls with their zones and
//! numbered windows. Records here are never deleted, only deactivated, because cases, tickets and
//! the audit trail keep pointing at them.

use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::{RegionLevel, mobile, region_code, text, uscc};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// Deserialises a present field (even `null`) as `Some`, so that a missing field (`None`) can be
/// told apart from an explicit `null` (`Some(None)`, meaning "clear it").
pub fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Region {
    pub id: i64,
    /// GB/T 2260 code (6 digits), extended by 3 digits for streets and 3 more for communities.
    pub code: String,
    pub name: String,
    #[schema(value_type = String, example = "district")]
    pub level: RegionLevel,
    pub parent_id: Option<i64>,
    /// Ids from the root down, "/1/4/9/": a region lies under another when its path starts with
    /// the other's.
    pub path: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegion {
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
}

impl NewRegion {
    /// Checks the fields that need no database; the parent is checked against the code by
    /// [`check_region_under`].
    pub fn clean(self) -> Result<NewRegion, FieldError> {
        Ok(NewRegion {
            code: self.code.trim().to_string(),
            name: text::required("name", &self.name, 50)?,
            parent_id: self.parent_id,
        })
    }
}

/// Checks a new region's code against its parent's code and returns its level.
pub fn check_region_under(
    code: &str,
    parent_code: Option<&str>,
) -> Result<RegionLevel, FieldError> {
    region_code::check(code, parent_code).map_err(|r| FieldError::new("code", r))
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionUpdate {
    /// The version read; a stale version is refused (409).
    pub version: i64,
    pub name: Option<String>,
}

impl RegionUpdate {
    pub fn clean(self) -> Result<RegionUpdate, FieldError> {
        Ok(RegionUpdate {
            version: self.version,
            name: self
                .name
                .map(|n| text::required("name", &n, 50))
                .transpose()?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Department {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码 (GB 32100), validated.
    pub uscc: String,
    pub region_id: i64,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    pub name: String,
    pub uscc: String,
    pub region_id: i64,
    pub phone: Option<String>,
    pub address: Option<String>,
}

fn clean_uscc(v: &str) -> Result<String, FieldError> {
    uscc::parse(v)
        .map(|u| u.code)
        .map_err(|r| FieldError::new("uscc", r))
}

/// Office phones may be landlines with area codes and extensions, so only the characters and the
/// length are checked.
fn clean_phone(field: &str, v: &str) -> Result<Option<String>, FieldError> {
    let v = text::optional(field, v, 40)?;
    if let Some(p) = &v
        && !p
            .chars()
            .all(|c| c.is_ascii_digit() || " -+()转".contains(c))
    {
        return Err(FieldError::new(
            field,
            Text::fixed(
                "电话号码只能包含数字、空格、- + ( ) 和“转”",
                "a phone number has digits, spaces, - + ( ) only",
            ),
        ));
    }
    Ok(v)
}

impl NewDepartment {
    pub fn clean(self) -> Result<NewDepartment, FieldError> {
        Ok(NewDepartment {
            name: text::required("name", &self.name, 100)?,
            uscc: clean_uscc(&self.uscc)?,
            region_id: self.region_id,
            phone: self
                .phone
                .map(|p| clean_phone("phone", &p))
                .transpose()?
                .flatten(),
            address: self
                .address
                .map(|a| text::optional("address", &a, 200))
                .transpose()?
                .flatten(),
        })
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentUpdate {
    pub version: i64,
    pub name: Option<String>,
    pub uscc: Option<String>,
    /// `null` clears the phone; leaving the field out keeps it.
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub address: Option<Option<String>>,
}

impl DepartmentUpdate {
    pub fn clean(self) -> Result<DepartmentUpdate, FieldError> {
        Ok(DepartmentUpdate {
            version: self.version,
            name: self
                .name
                .map(|n| text::required("name", &n, 100))
                .transpose()?,
            uscc: self.uscc.map(|u| clean_uscc(&u)).transpose()?,
            phone: match self.phone {
                Some(Some(p)) => Some(clean_phone("phone", &p)?),
                other => other,
            },
            address: match self.address {
                Some(Some(a)) => Some(text::optional("address", &a, 200)?),
                other => other,
            },
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Hall {
    pub id: i64,
    pub name: String,
    pub region_id: i64,
    pub address: Option<String>,
    pub floors: i64,
    pub phone: Option<String>,
    /// Opening hours, "HH:MM": an application received after closing counts from the next
    /// working day.
    pub opens: String,
    pub closes: String,
    /// 午间休息, "HH:MM-HH:MM" within the opening hours; none when the hall works through.
    pub lunch_break: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Hall {
    /// The hours as people read them: "08:30–11:30、13:30–17:00", or "08:30–17:00".
    pub fn hours_text(&self) -> String {
        hours_text(&self.opens, &self.closes, self.lunch_break.as_deref())
    }

    /// The lunch break's two ends, when there is one.
    pub fn lunch(&self) -> Option<(chrono::NaiveTime, chrono::NaiveTime)> {
        self.lunch_break.as_deref().and_then(parse_span)
    }
}

/// "HH:MM-HH:MM" as its two ends.
pub fn parse_span(s: &str) -> Option<(chrono::NaiveTime, chrono::NaiveTime)> {
    let (a, b) = s.split_once(['-', '–', '～', '~'])?;
    let a = crate::calendar::parse_time(a.trim())?;
    let b = crate::calendar::parse_time(b.trim())?;
    (a < b).then_some((a, b))
}

/// Opening hours with their lunch break, as one line.
pub fn hours_text(opens: &str, closes: &str, lunch: Option<&str>) -> String {
    match lunch.and_then(parse_span) {
        Some((a, b)) => format!(
            "{opens}–{}、{}–{closes}",
            a.format("%H:%M"),
            b.format("%H:%M")
        ),
        None => format!("{opens}–{closes}"),
    }
}

/// Checks a lunch break: "HH:MM-HH:MM", its start before its end, both inside the hours.
/// Answers it normalised (or none when left empty).
pub fn check_lunch(
    opens: &str,
    closes: &str,
    lunch: Option<&str>,
) -> Result<Option<String>, FieldError> {
    let Some(l) = lunch.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        FieldError::new(
            "lunch_break",
            Text::new(
                format!("“{l}”应为 HH:MM-HH:MM，如 11:30-13:30"),
                format!("'{l}' should be HH:MM-HH:MM, e.g. 11:30-13:30"),
            ),
        )
    };
    let (a, b) = parse_span(l).ok_or_else(bad)?;
    let (o, c) = (
        crate::calendar::parse_time(opens).ok_or_else(bad)?,
        crate::calendar::parse_time(closes).ok_or_else(bad)?,
    );
    if a <= o || b >= c {
        return Err(FieldError::new(
            "lunch_break",
            Text::new(
                format!("午间休息应在办公时间{opens}至{closes}之内"),
                format!("the lunch break must lie within {opens}–{closes}"),
            ),
        ));
    }
    Ok(Some(format!("{}-{}", a.format("%H:%M"), b.format("%H:%M"))))
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHall {
    pub name: String,
    pub region_id: i64,
    pub address: Option<String>,
    pub floors: i64,
    pub phone: Option<String>,
    /// "08:30" when left out.
    #[serde(default = "default_opens")]
    pub opens: String,
    /// "17:00" when left out.
    #[serde(default = "default_closes")]
    pub closes: String,
    /// "11:30-13:30"; none when left out.
    #[serde(default)]
    pub lunch_break: Option<String>,
}

fn default_opens() -> String {
    "08:30".into()
}

fn default_closes() -> String {
    "17:00".into()
}

/// Checks opening hours: two "HH:MM" times, opening before closing.
pub fn check_hours(opens: &str, closes: &str) -> Result<(String, String), FieldError> {
    let parse = |field: &str, v: &str| {
        crate::calendar::parse_time(v).ok_or_else(|| {
            FieldError::new(
                field,
                Text::new(
                    format!("“{v}”不是 HH:MM 格式的时间"),
                    format!("'{v}' is not a time as HH:MM"),
                ),
            )
        })
    };
    let (o, c) = (parse("opens", opens)?, parse("closes", closes)?);
    if o >= c {
        return Err(FieldError::new(
            "closes",
            Text::fixed("下班时间应晚于上班时间", "closing must come after opening"),
        ));
    }
    Ok((o.format("%H:%M").to_string(), c.format("%H:%M").to_string()))
}

fn check_floors(floors: i64) -> Result<i64, FieldError> {
    if (1..=100).contains(&floors) {
        Ok(floors)
    } else {
        Err(FieldError::new(
            "floors",
            Text::fixed("楼层数应在1到100之间", "floors must be between 1 and 100"),
        ))
    }
}

impl NewHall {
    pub fn clean(self) -> Result<NewHall, FieldError> {
        Ok(NewHall {
            name: text::required("name", &self.name, 100)?,
            region_id: self.region_id,
            address: self
                .address
                .map(|a| text::optional("address", &a, 200))
                .transpose()?
                .flatten(),
            floors: check_floors(self.floors)?,
            phone: self
                .phone
                .map(|p| clean_phone("phone", &p))
                .transpose()?
                .flatten(),
            opens: check_hours(&self.opens, &self.closes)?.0,
            closes: check_hours(&self.opens, &self.closes)?.1,
            lunch_break: check_lunch(&self.opens, &self.closes, self.lunch_break.as_deref())?,
        })
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HallUpdate {
    pub version: i64,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub address: Option<Option<String>>,
    pub floors: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    pub opens: Option<String>,
    pub closes: Option<String>,
    /// Set (a span), cleared (null or empty) or left as it is (absent).
    #[serde(default, deserialize_with = "present")]
    pub lunch_break: Option<Option<String>>,
}

impl HallUpdate {
    pub fn clean(self) -> Result<HallUpdate, FieldError> {
        Ok(HallUpdate {
            version: self.version,
            name: self
                .name
                .map(|n| text::required("name", &n, 100))
                .transpose()?,
            address: match self.address {
                Some(Some(a)) => Some(text::optional("address", &a, 200)?),
                other => other,
            },
            floors: self.floors.map(check_floors).transpose()?,
            phone: match self.phone {
                Some(Some(p)) => Some(clean_phone("phone", &p)?),
                other => other,
            },
            // Each time on its own here; the pair is checked against the stored one on update.
            opens: self
                .opens
                .map(|o| check_hours(&o, "23:59").map(|h| h.0))
                .transpose()?,
            closes: self
                .closes
                .map(|c| check_hours("00:00", &c).map(|h| h.1))
                .transpose()?,
            // Checked against the hours on update; empty clears it.
            lunch_break: self.lunch_break.map(|l| l.filter(|l| !l.trim().is_empty())),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Zone {
    pub id: i64,
    pub hall_id: i64,
    pub name: String,
    pub floor: i64,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewZone {
    pub name: String,
    pub floor: i64,
}

impl NewZone {
    /// `floors` is the hall's number of floors: a zone lies on one of them.
    pub fn clean(self, floors: i64) -> Result<NewZone, FieldError> {
        Ok(NewZone {
            name: text::required("name", &self.name, 50)?,
            floor: check_floor(self.floor, floors)?,
        })
    }
}

fn check_floor(floor: i64, floors: i64) -> Result<i64, FieldError> {
    if (1..=floors).contains(&floor) {
        Ok(floor)
    } else {
        Err(FieldError::new(
            "floor",
            Text::new(
                format!("楼层应在1到{floors}之间"),
                format!("floor must be between 1 and {floors}"),
            ),
        ))
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZoneUpdate {
    pub version: i64,
    pub name: Option<String>,
    pub floor: Option<i64>,
}

impl ZoneUpdate {
    pub fn clean(self, floors: i64) -> Result<ZoneUpdate, FieldError> {
        Ok(ZoneUpdate {
            version: self.version,
            name: self
                .name
                .map(|n| text::required("name", &n, 50))
                .transpose()?,
            floor: self.floor.map(|f| check_floor(f, floors)).transpose()?,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Window {
    pub id: i64,
    pub hall_id: i64,
    pub zone_id: i64,
    /// The number over the counter, unique in its hall.
    pub number: i64,
    pub label: Option<String>,
    /// 涉密: excluded from the live window wall.
    pub confidential: bool,
    /// The departments this window serves (at least one).
    pub department_ids: Vec<i64>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWindow {
    pub zone_id: i64,
    pub number: i64,
    pub label: Option<String>,
    #[serde(default)]
    pub confidential: bool,
    pub department_ids: Vec<i64>,
}

fn check_window_number(n: i64) -> Result<i64, FieldError> {
    if (1..=9999).contains(&n) {
        Ok(n)
    } else {
        Err(FieldError::new(
            "number",
            Text::fixed(
                "窗口号应在1到9999之间",
                "a window number is between 1 and 9999",
            ),
        ))
    }
}

fn check_departments(ids: Vec<i64>) -> Result<Vec<i64>, FieldError> {
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(FieldError::new(
            "department_ids",
            Text::fixed(
                "窗口至少服务一个部门",
                "a window serves at least one department",
            ),
        ));
    }
    Ok(ids)
}

impl NewWindow {
    pub fn clean(self) -> Result<NewWindow, FieldError> {
        Ok(NewWindow {
            zone_id: self.zone_id,
            number: check_window_number(self.number)?,
            label: self
                .label
                .map(|l| text::optional("label", &l, 50))
                .transpose()?
                .flatten(),
            confidential: self.confidential,
            department_ids: check_departments(self.department_ids)?,
        })
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowUpdate {
    pub version: i64,
    pub zone_id: Option<i64>,
    pub number: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    pub label: Option<Option<String>>,
    pub confidential: Option<bool>,
    pub department_ids: Option<Vec<i64>>,
}

impl WindowUpdate {
    pub fn clean(self) -> Result<WindowUpdate, FieldError> {
        Ok(WindowUpdate {
            version: self.version,
            zone_id: self.zone_id,
            number: self.number.map(check_window_number).transpose()?,
            label: match self.label {
                Some(Some(l)) => Some(text::optional("label", &l, 50)?),
                other => other,
            },
            confidential: self.confidential,
            department_ids: self.department_ids.map(check_departments).transpose()?,
        })
    }
}

/// Checks an optional mobile number field.
pub fn clean_mobile(field: &str, v: Option<&str>) -> Result<Option<String>, FieldError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(p) => mobile::parse(p)
            .map(Some)
            .map_err(|r| FieldError::new(field, r)),
    }
}

/// Deactivating (`false`) or reactivating (`true`) a record, with the version read.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveChange {
    pub version: i64,
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn department_fields_are_cleaned_and_checked() {
        let d = NewDepartment {
            name: " 龙港区民政局 ".into(),
            uscc: "91350100m000100y43".into(),
            region_id: 1,
            phone: Some("0429-1234567".into()),
            address: Some("  ".into()),
        }
        .clean()
        .unwrap();
        assert_eq!(d.name, "龙港区民政局");
        assert_eq!(d.uscc, "91350100M000100Y43");
        assert_eq!(d.address, None);
        let e = NewDepartment {
            name: "x".into(),
            uscc: "91350100M000100Y44".into(),
            region_id: 1,
            phone: None,
            address: None,
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "uscc");
        let e = NewDepartment {
            name: "x".into(),
            uscc: "91350100M000100Y43".into(),
            region_id: 1,
            phone: Some("call me".into()),
            address: None,
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "phone");
    }

    #[test]
    fn update_tells_missing_from_null() {
        let u: DepartmentUpdate = serde_json::from_str(r#"{"version":1,"phone":null}"#).unwrap();
        assert_eq!(u.phone, Some(None));
        assert_eq!(u.address, None);
        let u: DepartmentUpdate = serde_json::from_str(r#"{"version":1}"#).unwrap();
        assert_eq!(u.phone, None);
        assert!(
            serde_json::from_str::<DepartmentUpdate>(r#"{"version":1,"colour":"red"}"#).is_err()
        );
    }

    #[test]
    fn windows_need_departments_and_a_number() {
        let w = NewWindow {
            zone_id: 1,
            number: 12,
            label: None,
            confidential: false,
            department_ids: vec![3, 2, 3],
        }
        .clean()
        .unwrap();
        assert_eq!(w.department_ids, vec![2, 3]);
        let e = NewWindow {
            zone_id: 1,
            number: 0,
            label: None,
            confidential: false,
            department_ids: vec![1],
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "number");
        let e = NewWindow {
            zone_id: 1,
            number: 5,
            label: None,
            confidential: false,
            department_ids: vec![],
        }
        .clean()
        .unwrap_err();
        assert_eq!(e.field, "department_ids");
    }

    #[test]
    fn zones_lie_on_a_floor_of_the_hall() {
        assert!(
            NewZone {
                name: "企业开办区".into(),
                floor: 3
            }
            .clean(3)
            .is_ok()
        );
        assert_eq!(
            NewZone {
                name: "企业开办区".into(),
                floor: 4
            }
            .clean(3)
            .unwrap_err()
            .field,
            "floor"
        );
    }

    #[test]
    fn region_codes_are_checked_against_the_parent() {
        assert_eq!(
            check_region_under("211403001", Some("211403")).unwrap(),
            RegionLevel::Street
        );
        assert_eq!(check_region_under("2114", None).unwrap_err().field, "code");
    }
}
