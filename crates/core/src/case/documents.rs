//! The notices a case's actions issue, and their document numbers (文号): each from a series per
//! issuing department, year and kind of notice that never repeats or skips, as in
//! 龙住建受〔2026〕第00017号 (the department's short name, the kind's character, the year, the
//! number in the series).

use super::{ActionKind, Case, Decision};
use crate::vocabulary::vocabulary;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

vocabulary!(
    /// A notice an action issues.
    DocKind {
        Acceptance = ("acceptance", "受理通知书", "notice of acceptance"),
        Refusal = ("refusal", "不予受理决定书", "decision not to accept"),
        Supplement = ("supplement", "补正材料通知书", "request for supplements"),
        Approval = ("approval", "准予许可决定书", "decision to approve"),
        Denial = ("denial", "不予许可决定书", "decision to deny"),
    }
);

impl DocKind {
    /// The character(s) of the kind in its number: 受, 不受, 补, 许, 不许.
    pub fn mark(self) -> &'static str {
        match self {
            DocKind::Acceptance => "受",
            DocKind::Refusal => "不受",
            DocKind::Supplement => "补",
            DocKind::Approval => "许",
            DocKind::Denial => "不许",
        }
    }

    /// The printed notice of this kind (`/cases/{id}/print/{kind}`).
    pub fn print_kind(self) -> &'static str {
        match self {
            DocKind::Acceptance => "acceptance",
            DocKind::Refusal => "refusal",
            DocKind::Supplement => "supplement",
            DocKind::Approval | DocKind::Denial => "decision",
        }
    }
}

/// A notice as issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = CaseDocument)]
pub struct Document {
    pub kind: DocKind,
    pub number: String,
    pub issued_at: DateTime<Utc>,
}

/// The notices an action issues on the case it left behind.
pub fn issued(kind: ActionKind, after: &Case) -> Vec<DocKind> {
    let decision = |c: &Case| match c.decision {
        Some(Decision::Approve) => DocKind::Approval,
        _ => DocKind::Denial,
    };
    match kind {
        ActionKind::Accept | ActionKind::DeemAccept => vec![DocKind::Acceptance],
        ActionKind::ConcludeOnSpot => vec![DocKind::Acceptance, decision(after)],
        ActionKind::Refuse => vec![DocKind::Refusal],
        ActionKind::RequestSupplement => vec![DocKind::Supplement],
        ActionKind::Decide => vec![decision(after)],
        _ => Vec::new(),
    }
}

/// The settings key holding each department's short name for document numbers (简称, by id).
pub const PREFIXES_KEY: &str = "documents.prefixes";

/// A department's short name for its numbers: as set, else its whole name.
pub fn prefix(prefixes: &BTreeMap<String, String>, department_id: i64, name: &str) -> String {
    prefixes
        .get(&department_id.to_string())
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .unwrap_or(name)
        .to_string()
}

/// 龙住建受〔2026〕第00017号.
pub fn number(prefix: &str, kind: DocKind, year: i32, seq: i64) -> String {
    format!("{prefix}{}〔{year}〕第{seq:05}号", kind.mark())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_districts_do() {
        assert_eq!(
            number("龙住建", DocKind::Acceptance, 2026, 17),
            "龙住建受〔2026〕第00017号"
        );
        assert_eq!(
            number("龙住建", DocKind::Denial, 2026, 3),
            "龙住建不许〔2026〕第00003号"
        );
        let mut p = BTreeMap::new();
        p.insert("4".to_string(), "龙住建".to_string());
        assert_eq!(prefix(&p, 4, "龙港区住房和城乡建设局"), "龙住建");
        assert_eq!(prefix(&p, 5, "龙港区民政局"), "龙港区民政局");
        assert_eq!(DocKind::Approval.print_kind(), "decision");
    }
}
