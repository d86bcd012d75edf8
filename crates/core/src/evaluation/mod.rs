//! Service evaluation (好差评, DESIGN.md §3): the five levels, which of them are bad, and the
//! rating given at a window's pad (一次一评). Rectification, appeals and publication build on
//! these records (issue 7).

use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use chrono::{DateTime, Utc};
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
    /// Why; required for a bad rating (1 or 2).
    #[serde(default)]
    pub reason: Option<String>,
}

impl PadRating {
    pub fn clean(self) -> Result<PadRating, FieldError> {
        if level_name(self.level).is_none() {
            return Err(FieldError::new(
                "level",
                Text::new(
                    format!("评价等级{}无效，应为1至5", self.level),
                    format!("rating level {} must be 1 to 5", self.level),
                ),
            ));
        }
        let reason = text::optional("reason", self.reason.as_deref().unwrap_or(""), 200)?;
        if is_bad(self.level) && reason.is_none() {
            return Err(FieldError::new(
                "reason",
                Text::fixed(
                    "请选择或填写不满意的原因",
                    "please give the reason for a low rating",
                ),
            ));
        }
        Ok(PadRating { reason, ..self })
    }
}

/// A recorded rating, tied to what was rated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Rating {
    pub id: i64,
    /// Where it was given: `window_pad` (评价器) for now.
    pub channel: String,
    pub ticket_id: Option<i64>,
    pub case_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub hall_id: Option<i64>,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    pub level: i64,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
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
