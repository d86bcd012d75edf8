//! Guide versions: draft → review → published. Every published version is kept; publishing a
//! new one supersedes the old. A case records the version it was filed under.

use super::guide::{Guide, Material};
use crate::error::FieldError;
use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    /// 草稿: being written; editable.
    Draft,
    /// 待审核: submitted; waiting for a reviewer.
    Review,
    /// 已发布: the guide the public sees.
    Published,
    /// 已替代: an earlier published version, kept for the record and the cases filed under it.
    Superseded,
    /// 已退回: sent back by the reviewer, with the reason.
    Rejected,
}

impl VersionStatus {
    pub fn code(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Review => "review",
            VersionStatus::Published => "published",
            VersionStatus::Superseded => "superseded",
            VersionStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<VersionStatus> {
        [
            VersionStatus::Draft,
            VersionStatus::Review,
            VersionStatus::Published,
            VersionStatus::Superseded,
            VersionStatus::Rejected,
        ]
        .into_iter()
        .find(|v| v.code() == s)
    }

    pub fn name(self) -> Text {
        match self {
            VersionStatus::Draft => Text::fixed("草稿", "draft"),
            VersionStatus::Review => Text::fixed("待审核", "in review"),
            VersionStatus::Published => Text::fixed("已发布", "published"),
            VersionStatus::Superseded => Text::fixed("已替代", "superseded"),
            VersionStatus::Rejected => Text::fixed("已退回", "sent back"),
        }
    }

    /// A version still being worked on (at most one per matter).
    pub fn open(self) -> bool {
        matches!(self, VersionStatus::Draft | VersionStatus::Review)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VersionAction {
    Submit,
    Approve,
    Reject,
}

/// The status an action leads to, or why it cannot be taken.
pub fn transition(from: VersionStatus, action: VersionAction) -> Result<VersionStatus, FieldError> {
    use VersionAction::*;
    use VersionStatus::*;
    match (from, action) {
        (Draft, Submit) => Ok(Review),
        (Review, Approve) => Ok(Published),
        (Review, Reject) => Ok(Rejected),
        (from, action) => Err(FieldError::new(
            "action",
            Text::new(
                format!("{}状态的版本不能{}", from.name().zh, action_name(action).zh),
                format!(
                    "a {} version cannot be {}",
                    from.name().en,
                    action_name(action).en
                ),
            ),
        )),
    }
}

pub fn action_name(a: VersionAction) -> Text {
    match a {
        VersionAction::Submit => Text::fixed("提交审核", "submitted"),
        VersionAction::Approve => Text::fixed("审核发布", "approved"),
        VersionAction::Reject => Text::fixed("退回", "sent back"),
    }
}

/// One difference between two versions, in words a reviewer reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Difference {
    pub field: String,
    pub before: String,
    pub after: String,
}

fn material_line(m: &Material) -> String {
    let mut s = format!("{}（{}，{}份", m.name, m.form.name().zh, m.copies);
    if let Some(c) = &m.condition {
        s.push_str(&format!("，{c}时提供"));
    }
    if m.shared {
        s.push_str("，共享获取免提交");
    }
    s.push('）');
    s
}

/// What changed from `a` to `b`. Materials are compared one by one, by name.
pub fn differences(a: &Guide, b: &Guide) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |field: &str, before: String, after: String| {
        if before != after {
            out.push(Difference {
                field: field.into(),
                before,
                after,
            });
        }
    };
    push("名称", a.name.clone(), b.name.clone());
    push("别名", a.aliases.join("；"), b.aliases.join("；"));
    push("事项类型", a.kind.name().zh.into(), b.kind.name().zh.into());
    push("行使层级", a.level.clone(), b.level.clone());
    push("设定依据", a.legal_basis.clone(), b.legal_basis.clone());
    push(
        "申请人",
        a.applicant.name().zh.into(),
        b.applicant.name().zh.into(),
    );
    push("受理条件", a.conditions.clone(), b.conditions.clone());
    push(
        "法定时限",
        format!("{}个工作日", a.statutory_days),
        format!("{}个工作日", b.statutory_days),
    );
    push(
        "承诺时限",
        format!("{}个工作日", a.promised_days),
        format!("{}个工作日", b.promised_days),
    );
    push("到现场次数", a.visits.to_string(), b.visits.to_string());
    let modes = |g: &Guide| {
        g.modes
            .iter()
            .map(|m| m.name().zh.to_string())
            .collect::<Vec<_>>()
            .join("；")
    };
    push("办理方式", modes(a), modes(b));
    let fees = |g: &Guide| {
        if g.free() {
            "不收费".to_string()
        } else {
            g.fees
                .iter()
                .map(|f| format!("{} {}元", f.name, super::guide::yuan(f.amount_fen)))
                .collect::<Vec<_>>()
                .join("；")
        }
    };
    push("收费", fees(a), fees(b));
    let procs = |g: &Guide| {
        g.special_procedures
            .iter()
            .map(|p| format!("{}（{}个工作日）", p.name, p.days))
            .collect::<Vec<_>>()
            .join("；")
    };
    push("特别程序", procs(a), procs(b));
    let steps = |g: &Guide| {
        g.steps
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
            .join(" → ")
    };
    push("办理环节", steps(a), steps(b));
    push("办理地点", a.address.clone(), b.address.clone());
    let windows = |g: &Guide| {
        g.windows
            .iter()
            .map(|w| w.to_string())
            .collect::<Vec<_>>()
            .join("、")
    };
    push("窗口", windows(a), windows(b));
    push("办理时间", a.hours.clone(), b.hours.clone());
    push("咨询电话", a.consult_phone.clone(), b.consult_phone.clone());
    push(
        "投诉电话",
        a.complaint_phone.clone(),
        b.complaint_phone.clone(),
    );
    push(
        "进驻大厅",
        if a.stationed { "是" } else { "否" }.into(),
        if b.stationed { "是" } else { "否" }.into(),
    );
    for m in &a.materials {
        match b.materials.iter().find(|n| n.name == m.name) {
            None => out.push(Difference {
                field: "材料（删除）".into(),
                before: material_line(m),
                after: String::new(),
            }),
            Some(n) if n != m => out.push(Difference {
                field: "材料（修改）".into(),
                before: material_line(m),
                after: material_line(n),
            }),
            Some(_) => {}
        }
    }
    for n in &b.materials {
        if !a.materials.iter().any(|m| m.name == n.name) {
            out.push(Difference {
                field: "材料（新增）".into(),
                before: String::new(),
                after: material_line(n),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::guide::tests::sample;

    #[test]
    fn the_workflow_goes_one_way() {
        use VersionAction::*;
        use VersionStatus::*;
        assert_eq!(transition(Draft, Submit), Ok(Review));
        assert_eq!(transition(Review, Approve), Ok(Published));
        assert_eq!(transition(Review, Reject), Ok(Rejected));
        assert!(
            transition(Draft, Approve)
                .unwrap_err()
                .reason
                .zh
                .contains("草稿状态的版本不能审核发布")
        );
        assert!(transition(Published, Submit).is_err());
        assert!(transition(Superseded, Approve).is_err());
        assert!(Draft.open() && Review.open() && !Published.open());
    }

    #[test]
    fn differences_are_field_by_field_and_material_by_material() {
        let a = sample();
        let mut b = sample();
        assert!(differences(&a, &b).is_empty());
        b.promised_days = 1;
        b.materials.remove(2);
        b.materials[0].copies = 2;
        b.materials.push(Material {
            name: "学籍卡".into(),
            ..a.materials[0].clone()
        });
        let d = differences(&a, &b);
        let fields: Vec<&str> = d.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["承诺时限", "材料（修改）", "材料（删除）", "材料（新增）"]
        );
        assert_eq!(d[0].before, "3个工作日");
        assert!(d[2].before.contains("因病休学的时提供"));
    }
}
