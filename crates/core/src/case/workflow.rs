//! A matter's review flow (审批流程): the stages after acceptance, each with its own limit, the
//! role that acts, and the departments that take part. A stage with several departments is a
//! parallel approval (并联审批): it fans out and joins when every department has finished.

use crate::error::FieldError;
use crate::i18n::Text;
use crate::identity::Role;
use crate::validate::text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub name: String,
    /// The stage's own limit in working days.
    pub days: i64,
    /// `approver` or `leader`.
    #[serde(default = "default_role")]
    #[schema(value_type = String)]
    pub role: Role,
    /// Empty: the matter's own department.
    #[serde(default)]
    pub departments: Vec<i64>,
}

fn default_role() -> Role {
    Role::Approver
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub stages: Vec<Stage>,
    /// Joint or concentrated handling (联合办理、集中办理): the longer extension applies.
    #[serde(default)]
    pub joint: bool,
}

impl Workflow {
    /// The flow a matter has until someone configures one: one review by its own department
    /// within the promised limit; none for matters handled on the spot.
    pub fn default_for(promised_days: i64) -> Workflow {
        if promised_days == 0 {
            return Workflow {
                stages: Vec::new(),
                joint: false,
            };
        }
        Workflow {
            stages: vec![Stage {
                name: "审查".into(),
                days: promised_days.max(1),
                role: Role::Approver,
                departments: Vec::new(),
            }],
            joint: false,
        }
    }

    /// Checks the flow against the matter's promised limit and the departments that exist.
    pub fn clean(
        mut self,
        promised_days: i64,
        departments: &[i64],
    ) -> Result<Workflow, FieldError> {
        if self.stages.len() > 10 {
            return Err(FieldError::new(
                "stages",
                Text::fixed("审批环节不能超过10个", "at most 10 stages"),
            ));
        }
        let mut total = 0;
        for (i, s) in self.stages.iter_mut().enumerate() {
            s.name = text::required(&format!("stages[{i}].name"), &s.name, 50)?;
            if !(1..=365).contains(&s.days) {
                return Err(FieldError::new(
                    format!("stages[{i}].days"),
                    Text::new(
                        format!("环节时限应在1到365个工作日之间，实际为{}", s.days),
                        format!("a stage's limit is 1 to 365 working days, got {}", s.days),
                    ),
                ));
            }
            if !matches!(s.role, Role::Approver | Role::Leader) {
                return Err(FieldError::new(
                    format!("stages[{i}].role"),
                    Text::fixed(
                        "办理角色应为审批人员或领导",
                        "the role must be approver or leader",
                    ),
                ));
            }
            let mut seen = Vec::new();
            for d in &s.departments {
                if !departments.contains(d) {
                    return Err(FieldError::new(
                        format!("stages[{i}].departments"),
                        Text::new(
                            format!("部门{d}不存在"),
                            format!("department {d} does not exist"),
                        ),
                    ));
                }
                if seen.contains(d) {
                    return Err(FieldError::new(
                        format!("stages[{i}].departments"),
                        Text::new(
                            format!("部门{d}重复"),
                            format!("department {d} is listed twice"),
                        ),
                    ));
                }
                seen.push(*d);
            }
            total += s.days;
        }
        if promised_days > 0 && total > promised_days {
            return Err(FieldError::new(
                "stages",
                Text::new(
                    format!("各环节时限之和{total}超过承诺时限{promised_days}个工作日"),
                    format!(
                        "the stages take {total} working days, more than the promised {promised_days}"
                    ),
                ),
            ));
        }
        Ok(self)
    }

    /// Whether any stage runs in parallel across departments.
    pub fn is_parallel(&self) -> bool {
        self.stages.iter().any(|s| s.departments.len() > 1)
    }
}
