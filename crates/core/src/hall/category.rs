//! Business categories (业务类别) of a hall: what a person picks at the kiosk, each with its ticket
//! prefix, the matters it covers and the zone it is served in.

use super::ticket::check_prefix;
use crate::error::FieldError;
use crate::validate::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Category {
    pub id: i64,
    pub hall_id: i64,
    pub name: String,
    /// Ticket numbers of the category start with it (A001 …).
    pub prefix: String,
    pub zone_id: Option<i64>,
    /// The matters served under this category.
    pub matter_ids: Vec<i64>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategory {
    pub name: String,
    pub prefix: String,
    #[serde(default)]
    pub zone_id: Option<i64>,
    #[serde(default)]
    pub matter_ids: Vec<i64>,
}

impl NewCategory {
    pub fn clean(self) -> Result<NewCategory, FieldError> {
        let mut matter_ids = self.matter_ids;
        matter_ids.sort_unstable();
        matter_ids.dedup();
        Ok(NewCategory {
            name: text::required("name", &self.name, 50)?,
            prefix: check_prefix(&self.prefix).map_err(|t| FieldError::new("prefix", t))?,
            zone_id: self.zone_id,
            matter_ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_needs_a_name_and_a_letter_prefix() {
        let ok = NewCategory {
            name: " 社保医保 ".into(),
            prefix: "b".into(),
            zone_id: None,
            matter_ids: vec![3, 1, 3],
        }
        .clean()
        .unwrap();
        assert_eq!((ok.name.as_str(), ok.prefix.as_str()), ("社保医保", "B"));
        assert_eq!(ok.matter_ids, vec![1, 3]);
        let bad = NewCategory {
            name: "x".into(),
            prefix: "1".into(),
            zone_id: None,
            matter_ids: vec![],
        }
        .clean()
        .unwrap_err();
        assert_eq!(bad.field, "prefix");
        let unnamed = NewCategory {
            name: " ".into(),
            prefix: "A".into(),
            zone_id: None,
            matter_ids: vec![],
        }
        .clean()
        .unwrap_err();
        assert_eq!(unnamed.field, "name");
    }
}
