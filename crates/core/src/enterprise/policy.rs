//! Policy notices for enterprises (惠企政策) and their pushing (未诉先办): a notice names whom it
//! is for (industries, sizes, regions); the platform sends it to every enterprise that matches,
//! now and as new ones are registered, and keeps who has read it.

use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::firm::Audience;

/// A notice as written.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPolicy {
    pub title: String,
    /// What it gives and how to get it.
    pub body: String,
    /// The department that issued it.
    pub department_id: i64,
    #[serde(default)]
    pub audience: Audience,
    /// The last day it can be applied for, if any.
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

impl NewPolicy {
    pub fn check(self, today: NaiveDate) -> Result<NewPolicy, FieldError> {
        if self.until.is_some_and(|u| u < today) {
            return Err(FieldError::new(
                "until",
                Text::fixed("政策已过申报期限", "the notice has already expired"),
            ));
        }
        let mut audience = self.audience;
        for (i, s) in audience.industries.iter_mut().enumerate() {
            let up = s.trim().to_ascii_uppercase();
            if !super::firm::is_section(&up) {
                return Err(FieldError::new(
                    format!("audience.industries[{i}]"),
                    Text::fixed(
                        "行业应为国民经济行业分类门类代码A至T",
                        "the industry is a GB/T 4754 section, A to T",
                    ),
                ));
            }
            *s = up;
        }
        Ok(NewPolicy {
            title: text::required("title", &self.title, 200)?,
            body: text::required("body", &self.body, 8000)?,
            department_id: self.department_id,
            audience,
            until: self.until,
        })
    }
}

/// A notice as stored, with how far it reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Policy {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub department_id: i64,
    pub audience: Audience,
    pub until: Option<NaiveDate>,
    pub region_id: i64,
    pub published_at: DateTime<Utc>,
    /// Enterprises it was pushed to.
    pub pushed: i64,
    /// Of them, those that opened it.
    pub read: i64,
}

/// A notice as one enterprise received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Push {
    pub policy_id: i64,
    pub enterprise_id: i64,
    pub title: String,
    pub pushed_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enterprise::firm::Size;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn notice() -> NewPolicy {
        NewPolicy {
            title: "制造业中小企业技术改造补助".into(),
            body: "设备投入的10%给予补助，最高200万元。".into(),
            department_id: 2,
            audience: Audience {
                industries: vec![" c".into()],
                sizes: vec![Size::Small, Size::Medium],
                region_paths: vec![],
            },
            until: Some(d(12, 31)),
        }
    }

    #[test]
    fn a_notice_is_checked_and_matched() {
        let p = notice().check(d(6, 1)).unwrap();
        assert_eq!(p.audience.industries, vec!["C"]);
        assert!(p.audience.matches("C", Size::Small, "/1/4/"));
        assert!(!p.audience.matches("C", Size::Large, "/1/4/"));
        assert!(!p.audience.matches("F", Size::Small, "/1/4/"));

        assert_eq!(notice().check(d(12, 31)).map(|_| ()), Ok(()));
        let late = notice().check(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        assert_eq!(late.unwrap_err().field, "until");
        let mut bad = notice();
        bad.audience.industries = vec!["Z".into()];
        assert_eq!(
            bad.check(d(6, 1)).unwrap_err().field,
            "audience.industries[0]"
        );
        let mut blank = notice();
        blank.body = String::new();
        assert_eq!(blank.check(d(6, 1)).unwrap_err().field, "body");
    }
}
