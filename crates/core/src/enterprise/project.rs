//! Investment projects (招商引资项目) from signing to production: the amount, the stage, the key
//! milestones with planned and actual dates, the key-project plaque (挂牌) and the green channel
//! (绿色通道) the case engine honours; and the one steward, one leader, one responsible
//! department and one working team each key project has (一个项目、一名领导、一个责任部门、
//! 一个工作班子), handed over with a record.

use crate::error::FieldError;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary!(
    /// Where a project stands.
    #[schema(as = ProjectStage)]
    Stage {
        Signed = ("signed", "已签约", "signed"),
        Approved = ("approved", "已立项", "approved"),
        Started = ("started", "已开工", "started"),
        Building = ("building", "在建", "under construction"),
        Completed = ("completed", "已竣工", "completed"),
        Producing = ("producing", "已投产", "in production"),
    }
);

/// A key milestone (关键节点).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub name: String,
    pub planned: NaiveDate,
    #[serde(default)]
    pub actual: Option<NaiveDate>,
}

/// A project as entered.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub enterprise_id: i64,
    pub name: String,
    /// The investment, in fen (1 万元 = 1,000,000 fen).
    pub amount_fen: i64,
    pub stage: Stage,
    /// 挂牌: a key project, served one-to-one by its team.
    #[serde(default)]
    pub key_project: bool,
    /// 绿色通道: its cases go first.
    #[serde(default)]
    pub green_channel: bool,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
}

impl NewProject {
    /// The project cleaned. Milestones come in their order: planned dates do not go back, an
    /// actual date is not in the future, and a milestone is not reached before the one before
    /// it.
    pub fn check(self, today: NaiveDate) -> Result<NewProject, FieldError> {
        if self.amount_fen <= 0 {
            return Err(FieldError::text(
                "amount_fen",
                "投资额应大于零",
                "the investment must be more than zero",
            ));
        }
        let mut milestones = Vec::with_capacity(self.milestones.len());
        for (i, m) in self.milestones.into_iter().enumerate() {
            let f = |n: &str| format!("milestones[{i}].{n}");
            let name = text::required(&f("name"), &m.name, 100)?;
            if let Some(prev) = milestones.last() {
                let prev: &Milestone = prev;
                if m.planned < prev.planned {
                    return Err(FieldError::text(
                        f("planned"),
                        format!("计划日期早于上一节点“{}”", prev.name),
                        format!("planned before the milestone before it, '{}'", prev.name),
                    ));
                }
                if let Some(a) = m.actual
                    && prev.actual.is_none_or(|p| a < p)
                {
                    return Err(FieldError::text(
                        f("actual"),
                        format!("上一节点“{}”尚未完成或完成得更晚", prev.name),
                        format!(
                            "'{}', the milestone before, is not reached or later",
                            prev.name
                        ),
                    ));
                }
            }
            if m.actual.is_some_and(|a| a > today) {
                return Err(FieldError::text(
                    f("actual"),
                    "完成日期不能晚于今天",
                    "reached in the future",
                ));
            }
            milestones.push(Milestone {
                name,
                planned: m.planned,
                actual: m.actual,
            });
        }
        Ok(NewProject {
            enterprise_id: self.enterprise_id,
            name: text::required("name", &self.name, 200)?,
            amount_fen: self.amount_fen,
            stage: self.stage,
            key_project: self.key_project,
            green_channel: self.green_channel,
            milestones,
        })
    }
}

/// A project as stored, with its team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Project {
    pub id: i64,
    pub enterprise_id: i64,
    pub name: String,
    pub amount_fen: i64,
    pub stage: Stage,
    pub key_project: bool,
    pub green_channel: bool,
    pub milestones: Vec<Milestone>,
    pub team: Team,
    pub region_id: i64,
    pub version: i64,
}

/// One handover of a key project's team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Handover {
    pub role: String,
    pub from_id: Option<i64>,
    pub to_id: Option<i64>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_name: String,
}

/// Milestones past their planned date and not reached: what the steward chases.
pub fn overdue(milestones: &[Milestone], today: NaiveDate) -> Vec<&Milestone> {
    milestones
        .iter()
        .filter(|m| m.actual.is_none() && m.planned < today)
        .collect()
}

/// The team of a key project.
#[derive(Clone, Default, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// 项目管家 / 首席服务官.
    pub steward_id: Option<i64>,
    /// 包保领导.
    pub leader_id: Option<i64>,
    /// 责任部门.
    pub department_id: Option<i64>,
    /// 工作班子.
    #[serde(default)]
    pub members: Vec<i64>,
}

impl Team {
    /// A key project has all four: a steward, a leader, a department and a team of at least one
    /// besides them.
    pub fn check(self, key_project: bool) -> Result<Team, FieldError> {
        if key_project {
            for (name, v) in [
                ("steward_id", self.steward_id),
                ("leader_id", self.leader_id),
                ("department_id", self.department_id),
            ] {
                if v.is_none() {
                    return Err(FieldError::text(
                        name,
                        "重点项目须有一名管家、一名领导、一个责任部门",
                        "a key project has a steward, a leader and a department",
                    ));
                }
            }
            if self.members.is_empty() {
                return Err(FieldError::text(
                    "members",
                    "重点项目须有工作班子",
                    "a key project has a working team",
                ));
            }
        }
        let mut members = self.members;
        members.sort_unstable();
        members.dedup();
        Ok(Team { members, ..self })
    }

    /// What changed from `before`, for the handover record: (role, from, to).
    pub fn handovers(&self, before: &Team) -> Vec<(&'static str, Option<i64>, Option<i64>)> {
        [
            ("steward", before.steward_id, self.steward_id),
            ("leader", before.leader_id, self.leader_id),
            ("department", before.department_id, self.department_id),
        ]
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn project(milestones: Vec<Milestone>) -> NewProject {
        NewProject {
            enterprise_id: 1,
            name: "年产5万吨精密铜带项目".into(),
            amount_fen: 12_000 * 1_000_000,
            stage: Stage::Started,
            key_project: true,
            green_channel: true,
            milestones,
        }
    }

    fn ms(name: &str, planned: NaiveDate, actual: Option<NaiveDate>) -> Milestone {
        Milestone {
            name: name.into(),
            planned,
            actual,
        }
    }

    #[test]
    fn milestones_come_in_order() {
        let today = d(6, 1);
        let ok = project(vec![
            ms("签约", d(1, 10), Some(d(1, 10))),
            ms("立项", d(2, 20), Some(d(3, 1))),
            ms("开工", d(5, 1), None),
            ms("投产", d(12, 1), None),
        ])
        .check(today)
        .unwrap();
        assert_eq!(overdue(&ok.milestones, today).len(), 1, "开工 is late");
        let e = project(vec![ms("立项", d(3, 1), None), ms("签约", d(1, 1), None)])
            .check(today)
            .unwrap_err();
        assert_eq!(e.field, "milestones[1].planned");
        let e = project(vec![
            ms("签约", d(1, 1), None),
            ms("立项", d(2, 1), Some(d(2, 1))),
        ])
        .check(today)
        .unwrap_err();
        assert_eq!(
            e.field, "milestones[1].actual",
            "reached before the one before it"
        );
        let e = project(vec![ms("签约", d(1, 1), Some(d(7, 1)))])
            .check(today)
            .unwrap_err();
        assert_eq!(e.field, "milestones[0].actual");
        let mut p = project(vec![]);
        p.amount_fen = 0;
        assert_eq!(p.check(today).unwrap_err().field, "amount_fen");
    }

    #[test]
    fn a_key_project_has_its_four_and_handovers_are_recorded() {
        let team = Team {
            steward_id: Some(5),
            leader_id: Some(6),
            department_id: Some(7),
            members: vec![9, 8, 9],
        };
        let t = team.clone().check(true).unwrap();
        assert_eq!(t.members, vec![8, 9]);
        let e = Team {
            leader_id: None,
            ..team.clone()
        }
        .check(true)
        .unwrap_err();
        assert_eq!(e.field, "leader_id");
        assert!(
            Team {
                leader_id: None,
                members: vec![],
                ..team.clone()
            }
            .check(false)
            .is_ok(),
            "an ordinary project may have fewer"
        );
        let next = Team {
            steward_id: Some(11),
            ..t.clone()
        };
        assert_eq!(next.handovers(&t), vec![("steward", Some(5), Some(11))]);
    }
}
