//! Service evaluation (好差评, DESIGN.md §3): the five levels and which of them are bad, what a
//! rater gives in each channel (`rating`), the rectification of a bad rating (`rectification`),
//! and appeals (申诉复核).

pub mod complaint;
pub mod rating;
pub mod rectification;
pub mod supervisor;

use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::{DateTime, Utc};
use rating::{Given, Scores, Setting};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The five levels, 5 best. 1 and 2 are bad ratings (差评).
pub const LEVELS: [(i64, &str, &str); 5] = [
    (5, "非常满意", "very satisfied"),
    (4, "满意", "satisfied"),
    (3, "基本满意", "fairly satisfied"),
    (2, "不满意", "dissatisfied"),
    (1, "非常不满意", "very dissatisfied"),
];

pub fn level_name(level: i64) -> Option<Text> {
    LEVELS
        .iter()
        .find(|l| l.0 == level)
        .map(|l| Text::fixed(l.1, l.2))
}

pub fn is_bad(level: i64) -> bool {
    level <= 2
}

/// A rating at the window's pad, as the rater gives it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PadRating {
    pub ticket_id: i64,
    /// 1 (非常不满意) to 5 (非常满意).
    pub level: i64,
    /// The on-site sub-scores (efficiency, competence, attitude), each 1 to 5; all or none.
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub scores: Scores,
    #[serde(default)]
    pub comment: Option<String>,
    /// Why; required for a bad rating (1 or 2).
    #[serde(default)]
    pub reason: Option<String>,
}

impl PadRating {
    pub fn clean(self) -> Result<PadRating, FieldError> {
        let g = self.given().clean(Setting::OnSite)?;
        Ok(PadRating {
            ticket_id: self.ticket_id,
            level: g.level,
            scores: g.scores,
            comment: g.comment,
            reason: g.reason,
        })
    }

    pub fn given(&self) -> Given {
        Given {
            level: self.level,
            scores: self.scores.clone(),
            comment: self.comment.clone(),
            reason: self.reason.clone(),
        }
    }
}

/// A recorded rating, tied to what was rated. The rater is kept apart (`raters`) and never
/// shown to the rated clerk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rating {
    pub id: i64,
    /// `service`, `open_review` or `supervisor_check`.
    pub kind: String,
    /// Where it was given: `window_pad`, `kiosk`, `web`, `sms`, `email`.
    pub channel: String,
    pub ticket_id: Option<i64>,
    pub case_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    pub hall_id: Option<i64>,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    pub level: i64,
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub scores: Scores,
    pub comment: Option<String>,
    pub reason: Option<String>,
    /// False once an appeal against it was upheld: out of the figures, still in the trail.
    pub counted: bool,
    pub created_at: DateTime<Utc>,
    /// The rated case's number (办件编号), where a case was rated.
    #[serde(default)]
    pub case_number: Option<String>,
}

impl Rating {
    pub fn is_bad(&self) -> bool {
        is_bad(self.level)
    }
}

vocabulary!(
    /// Where an appeal (申诉复核) stands.
    AppealState {
        Pending = ("pending", "待复核", "pending"),
        /// The rating leaves the figures.
        Upheld = ("upheld", "申诉成立", "upheld"),
        Rejected = ("rejected", "申诉驳回", "rejected"),
    }
);

/// A clerk's appeal against a rating: mistaken (误评) or malicious (恶意差评).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealInput {
    pub reason: String,
}

impl AppealInput {
    pub fn clean(self) -> Result<AppealInput, FieldError> {
        Ok(AppealInput {
            reason: text::required("reason", &self.reason, 1000)?,
        })
    }
}

/// A supervisor's decision on an appeal.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealDecision {
    pub upheld: bool,
    pub note: String,
    /// The appeal's version as read.
    pub version: i64,
}

impl AppealDecision {
    pub fn clean(self) -> Result<AppealDecision, FieldError> {
        Ok(AppealDecision {
            note: text::required("note", &self.note, 1000)?,
            ..self
        })
    }
}

/// An appeal as recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Appeal {
    pub id: i64,
    pub rating_id: i64,
    pub state: AppealState,
    pub reason: String,
    pub appealed_by: Option<i64>,
    pub appealed_by_name: String,
    pub appealed_at: DateTime<Utc>,
    pub note: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// The reasons the pad offers for a low rating (the rater may also write one).
pub const LOW_REASONS: [&str; 5] = [
    "等候时间长",
    "服务态度差",
    "业务不熟练",
    "一次告知不清",
    "多次跑动",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn r(level: i64, reason: Option<&str>) -> Result<PadRating, FieldError> {
        PadRating {
            ticket_id: 1,
            level,
            scores: Scores::new(),
            comment: None,
            reason: reason.map(str::to_string),
        }
        .clean()
    }

    #[test]
    fn levels_and_the_reason_a_low_rating_needs() {
        assert_eq!(r(5, None).unwrap().reason, None);
        assert_eq!(r(3, Some("  ")).unwrap().reason, None);
        assert_eq!(r(0, None).unwrap_err().field, "level");
        assert_eq!(r(6, None).unwrap_err().field, "level");
        assert_eq!(r(2, None).unwrap_err().field, "reason");
        assert_eq!(r(1, Some(" ")).unwrap_err().field, "reason");
        assert_eq!(
            r(1, Some(" 等候时间长 ")).unwrap().reason.as_deref(),
            Some("等候时间长")
        );
        assert!(is_bad(2) && !is_bad(3));
        assert_eq!(level_name(5).unwrap().zh, "非常满意");
        assert_eq!(level_name(1).unwrap().zh, "非常不满意");
    }
}
