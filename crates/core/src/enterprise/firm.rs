//! An enterprise as the service teams know it: its credit code (checked, GB 32100), industry,
//! size, region and contact, and the matching of policy notices (惠企政策) to it.

use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::{mobile, text, uscc};
use crate::vocabulary::vocabulary;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary!(
    /// Enterprise size (大中小微, by the statistics bureau's rules).
    Size {
        Large = ("large", "大型", "large"),
        Medium = ("medium", "中型", "medium"),
        Small = ("small", "小型", "small"),
        Micro = ("micro", "微型", "micro"),
    }
);

/// An enterprise as entered.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEnterprise {
    pub name: String,
    /// 统一社会信用代码.
    pub uscc: String,
    /// The industry section of GB/T 4754 (A–T), e.g. `C` 制造业.
    pub industry: String,
    pub size: Size,
    pub region_id: i64,
    pub contact_name: String,
    pub contact_phone: String,
    #[serde(default)]
    pub address: String,
}

/// An enterprise as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Enterprise {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub industry: String,
    pub size: Size,
    pub region_id: i64,
    pub contact_name: String,
    pub contact_phone: String,
    pub address: String,
    pub version: i64,
}

/// GB/T 4754-2017's sections: A 农林牧渔 … T 国际组织.
const SECTIONS: &str = "ABCDEFGHIJKLMNOPQRST";

/// The sections' names (门类名称), in the order of `SECTIONS`.
const SECTION_NAMES: [(&str, &str); 20] = [
    (
        "农、林、牧、渔业",
        "Agriculture, forestry, animal husbandry and fishery",
    ),
    ("采矿业", "Mining"),
    ("制造业", "Manufacturing"),
    (
        "电力、热力、燃气及水生产和供应业",
        "Electricity, heat, gas and water",
    ),
    ("建筑业", "Construction"),
    ("批发和零售业", "Wholesale and retail trade"),
    ("交通运输、仓储和邮政业", "Transport, storage and post"),
    ("住宿和餐饮业", "Accommodation and catering"),
    (
        "信息传输、软件和信息技术服务业",
        "Information transmission, software and IT services",
    ),
    ("金融业", "Finance"),
    ("房地产业", "Real estate"),
    ("租赁和商务服务业", "Leasing and business services"),
    (
        "科学研究和技术服务业",
        "Scientific research and technical services",
    ),
    (
        "水利、环境和公共设施管理业",
        "Water, environment and public facilities management",
    ),
    (
        "居民服务、修理和其他服务业",
        "Resident, repair and other services",
    ),
    ("教育", "Education"),
    ("卫生和社会工作", "Health and social work"),
    ("文化、体育和娱乐业", "Culture, sports and entertainment"),
    (
        "公共管理、社会保障和社会组织",
        "Public administration, social security and social organisations",
    ),
    ("国际组织", "International organisations"),
];

/// A section by its name (`C` → 制造业); a code that is no section as it is.
pub fn section_name(code: &str) -> crate::Text {
    SECTIONS
        .find(code)
        .filter(|_| code.len() == 1)
        .map(|i| crate::Text::fixed(SECTION_NAMES[i].0, SECTION_NAMES[i].1))
        .unwrap_or_else(|| crate::Text::new(code.to_string(), code.to_string()))
}

/// Every section with its name, for a choice list.
pub fn sections() -> impl Iterator<Item = (&'static str, crate::Text)> {
    (0..SECTIONS.len()).map(|i| {
        (
            &SECTIONS[i..=i],
            crate::Text::fixed(SECTION_NAMES[i].0, SECTION_NAMES[i].1),
        )
    })
}

/// Whether `code` is one of GB/T 4754's sections (one capital letter, A to T).
pub fn is_section(code: &str) -> bool {
    code.len() == 1 && SECTIONS.contains(code)
}

impl NewEnterprise {
    /// The enterprise cleaned, or the first field in error.
    pub fn check(self) -> Result<NewEnterprise, FieldError> {
        let code = uscc::parse(&self.uscc).map_err(|t| FieldError::new("uscc", t))?;
        let industry = self.industry.trim().to_ascii_uppercase();
        if !is_section(&industry) {
            return Err(FieldError::new(
                "industry",
                Text::fixed(
                    "行业应为国民经济行业分类门类代码A至T",
                    "the industry is a GB/T 4754 section, A to T",
                ),
            ));
        }
        Ok(NewEnterprise {
            name: text::required("name", &self.name, 100)?,
            uscc: code.code,
            industry,
            size: self.size,
            region_id: self.region_id,
            contact_name: text::required("contact_name", &self.contact_name, 50)?,
            contact_phone: mobile::parse(&self.contact_phone)
                .map_err(|t| FieldError::new("contact_phone", t))?,
            address: text::optional("address", &self.address, 200)?.unwrap_or_default(),
        })
    }
}

/// Whom a policy notice is for: empty lists mean everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
#[schema(as = PolicyAudience)]
pub struct Audience {
    /// Industry sections.
    pub industries: Vec<String>,
    pub sizes: Vec<Size>,
    /// Region paths ("/1/4/"): an enterprise below one of them matches.
    pub region_paths: Vec<String>,
}

impl Audience {
    /// Whether an enterprise of this industry and size, in the region with this path, is one
    /// the notice is for (未诉先办: the platform pushes it without being asked).
    pub fn matches(&self, industry: &str, size: Size, region_path: &str) -> bool {
        (self.industries.is_empty() || self.industries.iter().any(|i| i == industry))
            && (self.sizes.is_empty() || self.sizes.contains(&size))
            && (self.region_paths.is_empty()
                || self
                    .region_paths
                    .iter()
                    .any(|p| region_path.starts_with(p.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firm() -> NewEnterprise {
        NewEnterprise {
            name: "葫芦岛宏跃铜业有限公司".into(),
            uscc: uscc::build('9', '1', "211403", "MA000001").unwrap(),
            industry: "c".into(),
            size: Size::Medium,
            region_id: 3,
            contact_name: "张经理".into(),
            contact_phone: "13904291234".into(),
            address: String::new(),
        }
    }

    #[test]
    fn enterprises_are_checked_field_by_field() {
        let f = firm().check().unwrap();
        assert_eq!(f.industry, "C");
        let mut bad = firm();
        bad.uscc = "91211403MA0000001X".into();
        assert_eq!(bad.check().unwrap_err().field, "uscc");
        let mut bad = firm();
        bad.industry = "Z".into();
        assert_eq!(bad.check().unwrap_err().field, "industry");
        let mut bad = firm();
        bad.contact_phone = "123".into();
        assert_eq!(bad.check().unwrap_err().field, "contact_phone");
    }

    #[test]
    fn policies_reach_the_enterprises_they_are_for() {
        let all = Audience::default();
        assert!(all.matches("C", Size::Micro, "/1/2/"));
        let makers = Audience {
            industries: vec!["C".into()],
            sizes: vec![Size::Small, Size::Micro],
            region_paths: vec!["/1/2/".into()],
        };
        assert!(makers.matches("C", Size::Small, "/1/2/7/"));
        assert!(
            !makers.matches("F", Size::Small, "/1/2/7/"),
            "another industry"
        );
        assert!(!makers.matches("C", Size::Large, "/1/2/7/"), "too large");
        assert!(
            !makers.matches("C", Size::Small, "/1/3/"),
            "another district"
        );
    }
}
