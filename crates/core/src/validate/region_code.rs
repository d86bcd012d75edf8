//! 行政区划代码: GB/T 2260 six-digit codes for province, city and county, extended (as the
//! statistics bureau does) by three digits for a street or town and three more for a community
//! or village.

use crate::i18n::Text;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    Province,
    City,
    District,
    Street,
    Community,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 5] = [
        RegionLevel::Province,
        RegionLevel::City,
        RegionLevel::District,
        RegionLevel::Street,
        RegionLevel::Community,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::District => "district",
            RegionLevel::Street => "street",
            RegionLevel::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Option<RegionLevel> {
        RegionLevel::ALL.into_iter().find(|l| l.code() == s)
    }

    pub fn name(self) -> Text {
        match self {
            RegionLevel::Province => Text::fixed("省", "province"),
            RegionLevel::City => Text::fixed("市", "city"),
            RegionLevel::District => Text::fixed("区/县", "district"),
            RegionLevel::Street => Text::fixed("街道/乡镇", "street or town"),
            RegionLevel::Community => Text::fixed("社区/村", "community or village"),
        }
    }

    /// A district or above: where the offices sit (区信访局 …), as against streets and
    /// communities, where the stations are.
    pub fn is_district_or_above(self) -> bool {
        matches!(
            self,
            RegionLevel::Province | RegionLevel::City | RegionLevel::District
        )
    }

    /// The level implied by a code's shape.
    pub fn of_code(code: &str) -> Option<RegionLevel> {
        match code.len() {
            6 if code.ends_with("0000") => Some(RegionLevel::Province),
            6 if code.ends_with("00") => Some(RegionLevel::City),
            6 => Some(RegionLevel::District),
            9 => Some(RegionLevel::Street),
            12 => Some(RegionLevel::Community),
            _ => None,
        }
    }
}

/// Checks a code's shape and, when a parent is given, that the code lies under the parent.
pub fn check(code: &str, parent: Option<&str>) -> Result<RegionLevel, Text> {
    if !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(Text::fixed(
            "区划代码只能包含数字",
            "a region code has digits only",
        ));
    }
    let level = RegionLevel::of_code(code).ok_or_else(|| {
        Text::new(
            format!(
                "区划代码应为6位（省市区县）、9位（街道乡镇）或12位（社区村），实际为{}位",
                code.len()
            ),
            format!(
                "a region code has 6 (province to county), 9 (street) or 12 (community) digits, this one has {}",
                code.len()
            ),
        )
    })?;
    if code.starts_with("00") {
        return Err(Text::fixed(
            "省级代码不能为00",
            "the province part cannot be 00",
        ));
    }
    if let Some(parent) = parent {
        let parent_level = RegionLevel::of_code(parent)
            .ok_or_else(|| Text::fixed("上级区划代码无效", "the parent region code is invalid"))?;
        if level <= parent_level {
            return Err(Text::new(
                format!(
                    "{}级区划不能位于{}级区划之下",
                    level.name().zh,
                    parent_level.name().zh
                ),
                format!(
                    "a {} cannot lie under a {}",
                    level.name().en,
                    parent_level.name().en
                ),
            ));
        }
        let prefix = match parent_level {
            RegionLevel::Province => &parent[..2],
            RegionLevel::City => &parent[..4],
            RegionLevel::District | RegionLevel::Street | RegionLevel::Community => parent,
        };
        if !code.starts_with(prefix) {
            return Err(Text::new(
                format!("区划代码{code}不在上级区划{parent}之下（应以{prefix}开头）"),
                format!("region code {code} is not under {parent} (it should start with {prefix})"),
            ));
        }
    }
    Ok(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_shape() {
        assert_eq!(check("210000", None), Ok(RegionLevel::Province));
        assert_eq!(check("211400", Some("210000")), Ok(RegionLevel::City));
        assert_eq!(check("211403", Some("211400")), Ok(RegionLevel::District));
        assert_eq!(check("211403001", Some("211403")), Ok(RegionLevel::Street));
        assert_eq!(
            check("211403001002", Some("211403001")),
            Ok(RegionLevel::Community)
        );
        // a district directly under a province (直辖市 style) is allowed
        assert_eq!(check("110105", Some("110000")), Ok(RegionLevel::District));
    }

    #[test]
    fn rejects_codes_outside_the_parent() {
        let e = check("211503", Some("211400")).unwrap_err();
        assert!(e.zh.contains("应以2114开头"), "{}", e.zh);
        let e = check("211403001", Some("211404")).unwrap_err();
        assert!(e.zh.contains("不在上级区划"));
    }

    #[test]
    fn rejects_bad_shapes_and_inverted_levels() {
        assert!(check("21140", None).unwrap_err().zh.contains("实际为5位"));
        assert!(check("21140a", None).unwrap_err().zh.contains("数字"));
        assert!(check("001403", None).is_err());
        assert!(
            check("211400", Some("211403"))
                .unwrap_err()
                .zh
                .contains("不能位于")
        );
    }
}
