#![allow(clippy::unwrap_used)]

use super::apply::{ApplicationInput, Intake, Placement, new_case};
use super::clock::{self, Light};
use super::machine::{Action, Env, act, allowed};
use super::rules::Rules;
use super::workflow::{Stage, Workflow};
use super::*;
use crate::calendar::Calendar;
use crate::catalog::guide::{Applicant, Guide, MatterKind, ServiceMode};
use crate::error::DomainError;
use crate::supervision::lights::LightRule;
use chrono::{NaiveDate, TimeZone, Utc};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// 10:00 local time on a date.
fn at(day: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap())
}

fn guide(promised: i64) -> Guide {
    Guide {
        name: "建筑工程施工许可证核发".into(),
        aliases: vec![],
        kind: MatterKind::Licensing,
        level: "区级".into(),
        legal_basis: "《建筑法》".into(),
        applicant: Applicant::Both,
        conditions: String::new(),
        materials: vec![],
        fees: vec![],
        statutory_days: 20,
        promised_days: promised,
        special_procedures: vec![],
        steps: vec![],
        modes: vec![ServiceMode::Window, ServiceMode::Online],
        visits: 0,
        hall_id: None,
        zone_id: None,
        windows: vec![],
        address: String::new(),
        hours: String::new(),
        consult_phone: String::new(),
        complaint_phone: String::new(),
        stationed: true,
    }
}

fn applicant() -> ApplicantInfo {
    ApplicantInfo {
        kind: ApplicantKind::Person,
        name: "李女士".into(),
        id_number: "11010519491231002X".into(),
        phone: "13812345678".into(),
        email: Some("li@example.com".into()),
        address: Some("龙港区连湾街道1号".into()),
        needs_home_service: true,
    }
}

fn input(delivery: DeliveryMethod) -> ApplicationInput {
    ApplicationInput {
        matter_code: "M1".into(),
        channel: Channel::Window,
        applicant: applicant(),
        agency: None,
        materials: vec![],
        note: None,
        delivery,
        delivery_address: None,
        licences: vec![],
    }
}

fn dossier(promised: i64, received: NaiveDate) -> Dossier {
    let g = guide(promised);
    let app = input(DeliveryMethod::Window).clean(&g, received).unwrap();
    let cal = Calendar::builtin();
    let mut dd = new_case(
        app,
        &Placement {
            matter_id: 1,
            matter_code: "M1".into(),
            matter_name: g.name.clone(),
            guide_version_id: 1,
            department_id: 3,
            region_id: 1,
            statutory_days: 20,
            promised_days: promised,
        },
        &Intake {
            now: at(received),
            received_on: received,
            completeness_due: cal.add_workdays(received, 5).ok(),
            applicant_user_id: None,
            bundle_id: None,
            batch_id: None,
            delivery_days: 10,
            received_by: None,
        },
    );
    dd.case.id = 1;
    dd.case.number = "D003-20260302-00001".into();
    dd
}

struct World {
    cal: Calendar,
    rules: Rules,
    flow: Workflow,
}

impl World {
    fn new(flow: Workflow) -> World {
        World {
            cal: Calendar::builtin(),
            rules: Rules::default(),
            flow,
        }
    }

    fn env(&self, day: NaiveDate, actor: i64) -> Env<'_> {
        Env {
            now: at(day),
            today: day,
            cal: &self.cal,
            rules: &self.rules,
            workflow: &self.flow,
            actor_id: Some(actor),
            actor_name: "张三",
            window_id: None,
        }
    }

    /// Runs an action and numbers new steps like the store would.
    fn run(&self, dd: &Dossier, a: Action, day: NaiveDate) -> Result<Dossier, DomainError> {
        let mut out = act(dd, a, &self.env(day, 7))?.after;
        let mut next = out.steps.iter().map(|s| s.id).max().unwrap_or(0);
        for s in out.steps.iter_mut().filter(|s| s.id == 0) {
            next += 1;
            s.id = next;
        }
        Ok(out)
    }
}

fn parallel_flow() -> Workflow {
    Workflow {
        stages: vec![
            Stage {
                name: "初审".into(),
                days: 2,
                role: crate::identity::Role::Approver,
                departments: vec![],
            },
            Stage {
                name: "并联审查".into(),
                days: 3,
                role: crate::identity::Role::Approver,
                departments: vec![3, 4, 16],
            },
        ],
        joint: true,
    }
}

#[test]
fn window_application_runs_from_acceptance_to_delivery() {
    let w = World::new(Workflow::default_for(5));
    let c = dossier(5, d(2026, 3, 2));
    assert_eq!(c.case.state, CaseState::Submitted);
    let c = w
        .run(&c, Action::Accept { note: None }, d(2026, 3, 2))
        .unwrap();
    assert_eq!(c.case.state, CaseState::Reviewing);
    assert_eq!(c.case.accepted_on, Some(d(2026, 3, 2)));
    // 5 working days, the start day not counted: Mon 2 March → Mon 9 March.
    assert_eq!(c.case.promised_due, Some(d(2026, 3, 9)));
    assert_eq!(c.case.statutory_due, Some(d(2026, 3, 30)));
    assert_eq!(c.steps.len(), 1);
    assert_eq!(c.steps[0].state, StepState::Active);
    assert_eq!(c.steps[0].due, Some(d(2026, 3, 9)));
    assert!(!allowed(&c, d(2026, 3, 3)).contains(&ActionKind::Decide));
    let c = w
        .run(&c, Action::Claim { step_id: 1 }, d(2026, 3, 3))
        .unwrap();
    assert_eq!(c.steps[0].assignee_id, Some(7));
    let c = w
        .run(
            &c,
            Action::FinishStep {
                step_id: 1,
                outcome: StepOutcome::Agree,
                opinion: None,
            },
            d(2026, 3, 4),
        )
        .unwrap();
    assert!(allowed(&c, d(2026, 3, 4)).contains(&ActionKind::Decide));
    let c = w
        .run(
            &c,
            Action::Decide {
                decision: Decision::Approve,
                reason: None,
            },
            d(2026, 3, 5),
        )
        .unwrap();
    assert_eq!(c.case.state, CaseState::Decided);
    assert_eq!(c.case.delivery_due, Some(d(2026, 3, 19)));
    let c = w.run(&c, Action::conclude(), d(2026, 3, 5)).unwrap();
    let v = clock::view(&c.case, &w.cal, d(2026, 3, 6), days(1));
    assert_eq!((v.used_days, v.on_time), (3, Some(true)));
    let c = w
        .run(
            &c,
            Action::Deliver {
                tracking_number: None,
                note: Some("本人领取".into()),
            },
            d(2026, 3, 6),
        )
        .unwrap();
    assert_eq!(c.case.state, CaseState::Delivered);
    assert!(allowed(&c, d(2026, 3, 6)).is_empty());
}

#[test]
fn every_illegal_transition_is_refused_with_the_allowed_ones() {
    let w = World::new(Workflow::default_for(5));
    let submitted = dossier(5, d(2026, 3, 2));
    let reviewing = w
        .run(&submitted, Action::Accept { note: None }, d(2026, 3, 2))
        .unwrap();
    let all = [
        Action::Accept { note: None },
        Action::Refuse { reason: "x".into() },
        Action::RequestSupplement {
            items: vec![SupplementItem {
                material: "a".into(),
                problem: "b".into(),
            }],
        },
        Action::CompleteSupplement { note: None },
        Action::DeemAccept,
        Action::ConcludeOnSpot {
            note: None,
            licence: Default::default(),
        },
        Action::Claim { step_id: 1 },
        Action::FinishStep {
            step_id: 1,
            outcome: StepOutcome::Agree,
            opinion: None,
        },
        Action::Pause {
            procedure: "专家评审".into(),
            reason: "r".into(),
            expected_days: 3,
        },
        Action::Resume { result: None },
        Action::RequestExtension {
            reason: "r".into(),
            days: None,
        },
        Action::ApproveExtension { note: None },
        Action::RejectExtension { note: "n".into() },
        Action::Decide {
            decision: Decision::Approve,
            reason: None,
        },
        Action::conclude(),
        Action::Deliver {
            tracking_number: None,
            note: None,
        },
        Action::Withdraw { reason: None },
    ];
    for case in [&submitted, &reviewing] {
        let open = allowed(case, d(2026, 3, 3));
        for a in &all {
            let kind = a.kind();
            let r = act(case, a.clone(), &w.env(d(2026, 3, 3), 7));
            if open.contains(&kind) {
                assert!(
                    !matches!(r, Err(DomainError::WrongState { .. })),
                    "{kind:?} should be open in {:?}",
                    case.case.state
                );
            } else {
                match r {
                    Err(DomainError::WrongState { allowed, .. }) => {
                        let codes: Vec<&str> = allowed.iter().map(|(c, _)| c.as_str()).collect();
                        let want: Vec<&str> = open
                            .iter()
                            .filter(|k| **k != ActionKind::DeemAccept)
                            .map(|k| k.code())
                            .collect();
                        assert_eq!(codes, want);
                    }
                    other => panic!("{kind:?} in {:?} gave {other:?}", case.case.state),
                }
            }
        }
    }
    // A final state allows nothing, and says so.
    let refused = w
        .run(
            &submitted,
            Action::Refuse {
                reason: "不属于本机关职权范围".into(),
            },
            d(2026, 3, 2),
        )
        .unwrap();
    let e = act(
        &refused,
        Action::Accept { note: None },
        &w.env(d(2026, 3, 3), 7),
    )
    .unwrap_err();
    assert!(e.message(crate::Lang::Zh).contains("不予受理"), "{e:?}");
    assert!(e.message(crate::Lang::Zh).contains("已无可执行的操作"));
}

#[test]
fn parallel_steps_fan_out_and_join() {
    let w = World::new(parallel_flow());
    let c = dossier(5, d(2026, 3, 2));
    let c = w
        .run(&c, Action::Accept { note: None }, d(2026, 3, 2))
        .unwrap();
    assert!(c.case.joint);
    assert_eq!(c.steps.len(), 4);
    let active: Vec<i64> = c
        .steps
        .iter()
        .filter(|s| s.state == StepState::Active)
        .map(|s| s.id)
        .collect();
    assert_eq!(active, vec![1]);
    let finish = |c: &Dossier, id: i64, day| {
        w.run(
            c,
            Action::FinishStep {
                step_id: id,
                outcome: StepOutcome::Agree,
                opinion: Some("符合要求".into()),
            },
            day,
        )
        .unwrap()
    };
    let c = finish(&c, 1, d(2026, 3, 3));
    let parallel: Vec<(i64, i64)> = c
        .steps
        .iter()
        .filter(|s| s.state == StepState::Active)
        .map(|s| (s.id, s.department_id))
        .collect();
    assert_eq!(parallel, vec![(2, 3), (3, 4), (4, 16)]);
    assert!(c.steps[1..].iter().all(|s| s.due == Some(d(2026, 3, 6))));
    let c = finish(&c, 3, d(2026, 3, 4));
    let c = finish(&c, 2, d(2026, 3, 4));
    assert!(
        !allowed(&c, d(2026, 3, 4)).contains(&ActionKind::Decide),
        "16 has not finished"
    );
    // A finished step cannot be finished twice.
    let again = w.run(
        &c,
        Action::FinishStep {
            step_id: 2,
            outcome: StepOutcome::Agree,
            opinion: None,
        },
        d(2026, 3, 4),
    );
    assert!(matches!(again, Err(DomainError::Conflict(_))));
    let c = finish(&c, 4, d(2026, 3, 5));
    assert!(allowed(&c, d(2026, 3, 5)).contains(&ActionKind::Decide));
    // A disagreement needs an opinion.
    let w2 = World::new(Workflow::default_for(5));
    let c2 = w2
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let e = w2
        .run(
            &c2,
            Action::FinishStep {
                step_id: 1,
                outcome: StepOutcome::Disagree,
                opinion: None,
            },
            d(2026, 3, 3),
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("opinion"));
}

#[test]
fn a_claimed_step_belongs_to_its_claimant() {
    let w = World::new(Workflow::default_for(5));
    let c = w
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let c = w
        .run(&c, Action::Claim { step_id: 1 }, d(2026, 3, 2))
        .unwrap();
    let other = act(&c, Action::Claim { step_id: 1 }, &w.env(d(2026, 3, 2), 8)).unwrap_err();
    assert!(matches!(other, DomainError::Conflict(_)));
    let e = act(
        &c,
        Action::FinishStep {
            step_id: 1,
            outcome: StepOutcome::Agree,
            opinion: None,
        },
        &w.env(d(2026, 3, 2), 8),
    )
    .unwrap_err();
    assert!(matches!(e, DomainError::Conflict(_)));
}

#[test]
fn a_special_procedure_stops_the_clock_and_moves_every_deadline() {
    let w = World::new(Workflow::default_for(5));
    let c = w
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let c = w
        .run(
            &c,
            Action::Pause {
                procedure: "专家评审".into(),
                reason: "技术方案需专家论证".into(),
                expected_days: 5,
            },
            d(2026, 3, 4),
        )
        .unwrap();
    assert_eq!(
        allowed(&c, d(2026, 3, 5)),
        vec![ActionKind::Resume, ActionKind::Withdraw]
    );
    // While paused the clock view counts the pause so far and shows no light.
    let v = clock::view(&c.case, &w.cal, d(2026, 3, 9), days(1));
    assert!(v.paused && v.light.is_none());
    assert_eq!(v.paused_days, 3);
    assert_eq!(v.used_days, 2);
    let c = w
        .run(
            &c,
            Action::Resume {
                result: Some("论证通过".into()),
            },
            d(2026, 3, 11),
        )
        .unwrap();
    assert_eq!(c.pauses[0].workdays, Some(5));
    assert_eq!(c.case.paused_days, 5);
    // 5 + 5 working days from 2 March.
    assert_eq!(c.case.promised_due, Some(d(2026, 3, 16)));
    assert_eq!(c.steps[0].due, Some(d(2026, 3, 16)));
    let v = clock::view(&c.case, &w.cal, d(2026, 3, 12), days(1));
    assert_eq!((v.used_days, v.promised_left), (3, Some(2)));
    assert_eq!(v.light, Some(Light::Green));
    // Bad durations are refused.
    let e = w
        .run(
            &c,
            Action::Pause {
                procedure: "检测".into(),
                reason: "r".into(),
                expected_days: 0,
            },
            d(2026, 3, 12),
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("expected_days"));
}

#[test]
fn one_extension_with_approval_and_reason() {
    let mut w = World::new(Workflow::default_for(5));
    let c = w
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let e = w
        .run(
            &c,
            Action::RequestExtension {
                reason: "r".into(),
                days: Some(11),
            },
            d(2026, 3, 3),
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("days"));
    let e = w
        .run(
            &c,
            Action::RequestExtension {
                reason: " ".into(),
                days: None,
            },
            d(2026, 3, 3),
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("reason"));
    let c = w
        .run(
            &c,
            Action::RequestExtension {
                reason: "需现场核查".into(),
                days: None,
            },
            d(2026, 3, 3),
        )
        .unwrap();
    assert_eq!(c.case.extension.as_ref().unwrap().days, 10);
    assert_eq!(
        c.case.promised_due,
        Some(d(2026, 3, 9)),
        "not until approved"
    );
    let c = w
        .run(&c, Action::ApproveExtension { note: None }, d(2026, 3, 4))
        .unwrap();
    assert_eq!(c.case.promised_due, Some(d(2026, 3, 23)));
    assert_eq!(c.case.statutory_due, Some(d(2026, 4, 14)));
    assert!(!allowed(&c, d(2026, 3, 5)).contains(&ActionKind::RequestExtension));
    // Joint handling takes the longer extension, as a setting.
    w.flow = parallel_flow();
    w.rules.joint_extension_days = 15;
    let j = w
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let j = w
        .run(
            &j,
            Action::RequestExtension {
                reason: "联合踏勘".into(),
                days: None,
            },
            d(2026, 3, 3),
        )
        .unwrap();
    assert_eq!(j.case.extension.as_ref().unwrap().days, 15);
}

#[test]
fn supplement_stops_the_clock_and_silence_means_acceptance() {
    let w = World::new(Workflow::default_for(5));
    let c = dossier(5, d(2026, 3, 2));
    let e = w
        .run(
            &c,
            Action::RequestSupplement { items: vec![] },
            d(2026, 3, 2),
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("items"));
    let c = w
        .run(
            &c,
            Action::RequestSupplement {
                items: vec![
                    SupplementItem {
                        material: "身份证复印件".into(),
                        problem: "未提供".into(),
                    },
                    SupplementItem {
                        material: "申请表".into(),
                        problem: "缺少签字".into(),
                    },
                ],
            },
            d(2026, 3, 3),
        )
        .unwrap();
    assert_eq!(c.case.state, CaseState::Supplement);
    assert_eq!(
        c.case.completeness_due, None,
        "the applicant's time does not count"
    );
    assert_eq!(c.supplements[0].items.len(), 2);
    let c = w
        .run(
            &c,
            Action::CompleteSupplement { note: None },
            d(2026, 3, 20),
        )
        .unwrap();
    assert_eq!(c.case.received_on, d(2026, 3, 20));
    assert_eq!(c.case.completeness_due, Some(d(2026, 3, 27)));
    assert!(
        !allowed(&c, d(2026, 3, 23)).contains(&ActionKind::RequestSupplement),
        "all at once"
    );
    assert!(!allowed(&c, d(2026, 3, 27)).contains(&ActionKind::DeemAccept));
    assert!(allowed(&c, d(2026, 3, 30)).contains(&ActionKind::DeemAccept));
    let c = w.run(&c, Action::DeemAccept, d(2026, 3, 30)).unwrap();
    assert!(c.case.deemed_accepted);
    assert_eq!(
        c.case.accepted_on,
        Some(d(2026, 3, 20)),
        "accepted on receipt"
    );
    assert_eq!(c.case.promised_due, Some(d(2026, 3, 27)));
    let v = clock::view(&c.case, &w.cal, d(2026, 3, 30), days(1));
    assert_eq!(v.light, Some(Light::Red));
}

#[test]
fn lights_turn_yellow_then_red_and_a_late_step_is_flagged() {
    let w = World::new(Workflow {
        stages: vec![Stage {
            name: "审查".into(),
            days: 1,
            role: crate::identity::Role::Approver,
            departments: vec![],
        }],
        joint: false,
    });
    let c = w
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let light = |day| clock::view(&c.case, &w.cal, day, days(1)).light;
    assert_eq!(light(d(2026, 3, 5)), Some(Light::Green));
    assert_eq!(light(d(2026, 3, 6)), Some(Light::Yellow));
    assert_eq!(light(d(2026, 3, 9)), Some(Light::Yellow));
    assert_eq!(light(d(2026, 3, 10)), Some(Light::Red));
    assert_eq!(
        clock::step_light(&c.steps[0], &w.cal, d(2026, 3, 3), days(0)),
        Some(Light::Yellow)
    );
    assert_eq!(
        clock::step_light(&c.steps[0], &w.cal, d(2026, 3, 4), days(1)),
        Some(Light::Red)
    );
}

// The default rule: yellow with 1 working day or 20% of the limit left, whichever is more. A
// promised limit of 15 working days (accepted Monday 2 March, due Monday 23 March) turns yellow
// with 3 days left, on Wednesday 18 March.
#[test]
fn a_long_limit_turns_yellow_by_its_share() {
    let w = World::new(Workflow::default_for(15));
    let c = w
        .run(
            &dossier(15, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let rule = crate::case::rules::Rules::default().light_rule();
    let light = |day| clock::view(&c.case, &w.cal, day, rule).light;
    assert_eq!(c.case.promised_due, Some(d(2026, 3, 23)));
    assert_eq!(light(d(2026, 3, 17)), Some(Light::Green));
    assert_eq!(light(d(2026, 3, 18)), Some(Light::Yellow));
    assert_eq!(light(d(2026, 3, 24)), Some(Light::Red));
    // By days alone it would still be green.
    assert_eq!(
        clock::view(&c.case, &w.cal, d(2026, 3, 18), days(1)).light,
        Some(Light::Green)
    );
}

// A matter may have a yellow rule of its own: the same 15-day case of matter M1 warned a
// week ahead (Monday 16 March, 5 working days left) while other matters keep the default.
#[test]
fn a_matter_can_have_its_own_yellow_rule() {
    use crate::case::rules::MatterLight;
    let mut w = World::new(Workflow::default_for(15));
    w.rules.matter_lights = vec![MatterLight {
        matter_code: " m1 ".into(),
        yellow_days: 5,
        yellow_percent: 0,
    }];
    w.rules = w.rules.clone().clean().unwrap();
    assert_eq!(
        w.rules.matter_lights[0].matter_code, "M1",
        "codes are cleaned"
    );
    assert_eq!(w.rules.light_rule_for("M1"), days(5));
    assert_eq!(w.rules.light_rule_for("M2"), w.rules.light_rule());
    let c = w
        .run(
            &dossier(15, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    assert_eq!(
        c.case.yellow_on,
        Some(d(2026, 3, 16)),
        "the state machine uses it"
    );
    assert_eq!(c.case.red_on, Some(d(2026, 3, 24)));

    let bad = |lights: Vec<(&str, i64, i64)>| {
        let r = Rules {
            matter_lights: lights
                .into_iter()
                .map(|(c, d, p)| MatterLight {
                    matter_code: c.into(),
                    yellow_days: d,
                    yellow_percent: p,
                })
                .collect(),
            ..Rules::default()
        };
        r.clean().unwrap_err().field
    };
    assert_eq!(bad(vec![("M1", 1, 60)]), "matter_lights[1].yellow_percent");
    assert_eq!(bad(vec![("M1", 1, 20), ("m1", 2, 20)]), "matter_lights[2]");
    assert_eq!(bad(vec![(" ", 1, 20)]), "matter_lights[1]");
}

// The light days kept with a case give, on every day, the light its clock shows; a pause
// stops them and a resume sets them again.
#[test]
fn a_case_keeps_the_days_its_light_changes() {
    use crate::supervision::lights::{LightDates, light_on};
    let w = World::new(Workflow::default_for(15));
    let rule = w.rules.light_rule();
    let check = |c: &Dossier, from: NaiveDate, days: i64| {
        let dates = LightDates {
            yellow_from: c.case.yellow_on.unwrap(),
            red_from: c.case.red_on.unwrap(),
        };
        for i in 0..days {
            let day = from + chrono::Duration::days(i);
            let v = clock::view(&c.case, &w.cal, day, rule);
            assert_eq!(Some(light_on(dates, day)), v.light, "{day}");
            // the light and the days left shown beside it are one reading of one clock
            let r = v.current().unwrap();
            assert_eq!(Some(r.light), v.light, "{day}");
            assert_eq!(r.kind, clock::ClockKind::Handling);
            assert_eq!(
                r.left,
                clock::days_left(&w.cal, day, r.due).unwrap(),
                "{day}"
            );
            assert_eq!(r.light == Light::Red, r.left < 0, "{day}");
        }
    };
    let c = w
        .run(
            &dossier(15, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    check(&c, d(2026, 3, 2), 40);
    let paused = w
        .run(
            &c,
            Action::Pause {
                procedure: "专家评审".into(),
                reason: "r".into(),
                expected_days: 3,
            },
            d(2026, 3, 4),
        )
        .unwrap();
    assert_eq!((paused.case.yellow_on, paused.case.red_on), (None, None));
    let resumed = w
        .run(&paused, Action::Resume { result: None }, d(2026, 3, 10))
        .unwrap();
    assert!(
        resumed.case.red_on > c.case.red_on,
        "the pause moved the deadline"
    );
    check(&resumed, d(2026, 3, 10), 40);
}

#[test]
fn decisions_need_reasons_where_the_law_wants_them() {
    let w = World::new(Workflow::default_for(5));
    let c = w
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let c = w
        .run(
            &c,
            Action::FinishStep {
                step_id: 1,
                outcome: StepOutcome::Disagree,
                opinion: Some("不符合规划条件".into()),
            },
            d(2026, 3, 3),
        )
        .unwrap();
    let e = w
        .run(
            &c,
            Action::Decide {
                decision: Decision::Deny,
                reason: None,
            },
            d(2026, 3, 3),
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("reason"));
    let e = w
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Refuse { reason: "".into() },
            d(2026, 3, 2),
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("reason"));
    let c = w
        .run(
            &c,
            Action::Decide {
                decision: Decision::Deny,
                reason: Some("不符合规划条件".into()),
            },
            d(2026, 3, 3),
        )
        .unwrap();
    let c = w.run(&c, Action::conclude(), d(2026, 3, 3)).unwrap();
    let mut post = c.clone();
    post.case.delivery = DeliveryMethod::Post;
    let e = w
        .run(
            &post,
            Action::Deliver {
                tracking_number: None,
                note: None,
            },
            d(2026, 3, 4),
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("tracking_number"));
    let done = w
        .run(
            &post,
            Action::Deliver {
                tracking_number: Some("EMS1234567890".into()),
                note: None,
            },
            d(2026, 3, 4),
        )
        .unwrap();
    assert_eq!(done.case.tracking_number.as_deref(), Some("EMS1234567890"));
}

#[test]
fn immediate_matters_conclude_on_the_spot_and_withdrawal_ends_a_pause() {
    let w = World::new(Workflow::default_for(0));
    let c = dossier(0, d(2026, 3, 2));
    assert!(allowed(&c, d(2026, 3, 2)).contains(&ActionKind::ConcludeOnSpot));
    let out = act(
        &c,
        Action::ConcludeOnSpot {
            note: None,
            licence: Default::default(),
        },
        &w.env(d(2026, 3, 2), 7),
    )
    .unwrap();
    assert_eq!(out.after.case.state, CaseState::Concluded);
    assert_eq!(out.after.case.decision, Some(Decision::Approve));
    assert!(
        out.notices
            .iter()
            .any(|n| n.kind == NoticeChannel::Sms && n.body.contains("已办结"))
    );
    assert!(out.notices.iter().any(|n| n.kind == NoticeChannel::Email));
    // 5-day matters have no on-the-spot conclusion.
    assert!(
        !allowed(&dossier(5, d(2026, 3, 2)), d(2026, 3, 2)).contains(&ActionKind::ConcludeOnSpot)
    );

    let w = World::new(Workflow::default_for(5));
    let c = w
        .run(
            &dossier(5, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let c = w
        .run(
            &c,
            Action::Pause {
                procedure: "听证".into(),
                reason: "涉及重大利益".into(),
                expected_days: 10,
            },
            d(2026, 3, 3),
        )
        .unwrap();
    let c = w
        .run(
            &c,
            Action::Withdraw {
                reason: Some("不再需要".into()),
            },
            d(2026, 3, 5),
        )
        .unwrap();
    assert_eq!(c.case.state, CaseState::Withdrawn);
    assert!(c.case.paused_since.is_none());
    assert_eq!(c.pauses[0].workdays, Some(2));
}

#[test]
fn applications_are_checked_against_the_guide() {
    let today = d(2026, 3, 2);
    let mut g = guide(5);
    let mut bad = input(DeliveryMethod::Window);
    bad.applicant.id_number = "110105194912310021".into();
    assert_eq!(
        bad.clean(&g, today).unwrap_err().field,
        "applicant.id_number"
    );
    let mut bad = input(DeliveryMethod::Window);
    bad.applicant.phone = "12345".into();
    assert_eq!(bad.clean(&g, today).unwrap_err().field, "applicant.phone");
    let mut bad = input(DeliveryMethod::Window);
    bad.channel = Channel::Agent;
    assert_eq!(bad.clean(&g, today).unwrap_err().field, "agency");
    let mut bad = input(DeliveryMethod::Home);
    bad.applicant.needs_home_service = false;
    assert_eq!(bad.clean(&g, today).unwrap_err().field, "delivery");
    let mut bad = input(DeliveryMethod::Post);
    bad.applicant.address = None;
    assert_eq!(bad.clean(&g, today).unwrap_err().field, "delivery_address");
    let mut legal = input(DeliveryMethod::Window);
    legal.applicant.kind = ApplicantKind::Legal;
    legal.applicant.id_number = "91350100M000100Y43".into();
    g.applicant = Applicant::Person;
    assert_eq!(
        legal.clone().clean(&g, today).unwrap_err().field,
        "applicant.kind"
    );
    g.applicant = Applicant::Both;
    assert_eq!(
        legal.clean(&g, today).unwrap().applicant.id_number,
        "91350100M000100Y43"
    );
    g.modes = vec![ServiceMode::Window];
    let mut online = input(DeliveryMethod::Window);
    online.channel = Channel::Online;
    assert_eq!(online.clean(&g, today).unwrap_err().field, "channel");
    let mut agent = input(DeliveryMethod::Home);
    agent.channel = Channel::Agent;
    agent.agency = Some(Agency {
        name: "沈丙竹".into(),
        id_number: "11010519491231002X".into(),
        phone: "13904290007".into(),
        authorization: "授权委托书".into(),
        user_id: None,
    });
    let ok = agent.clean(&g, today).unwrap();
    assert_eq!(ok.delivery_address.as_deref(), Some("龙港区连湾街道1号"));
}

#[test]
fn case_numbers_read_as_department_date_and_sequence() {
    assert_eq!(
        number::case_number(3, d(2026, 11, 23), 17),
        "D003-20261123-00017"
    );
    assert_eq!(
        number::normalise(" ｄ００３－20261123-00017 "),
        "D003-20261123-00017"
    );
    assert_eq!(number::bundle_number(d(2026, 1, 5), 2), "YS-20260105-00002");
}

#[test]
fn a_deadline_in_next_year_is_provisional_until_its_notice() {
    let w = World::new(Workflow::default_for(20));
    let c = dossier(20, d(2026, 12, 14));
    let c = w
        .run(&c, Action::Accept { note: None }, d(2026, 12, 14))
        .unwrap();
    // 20 working days from 14 December 2026, 元旦 2027 off by law: 12 January 2027, 暂定
    assert_eq!(c.case.promised_due, Some(d(2027, 1, 12)));
    let v = clock::view(&c.case, &w.cal, d(2026, 12, 15), days(1));
    assert_eq!(v.problem, None);
    assert_eq!(v.provisional, Some(2027));
    assert!(v.handling.unwrap().provisional);
    assert_eq!(v.light, Some(Light::Green));
    // once the notice is entered (元旦 1–3 January, 4 January… worked), the same case reads it
    let mut years = crate::calendar::builtin();
    years.push(crate::calendar::YearArrangement {
        year: 2027,
        holidays: vec![crate::calendar::Holiday {
            date: d(2027, 1, 1),
            name: "元旦".into(),
        }],
        workdays: vec![d(2027, 1, 2)],
    });
    let cal = Calendar::new(&years);
    let v = clock::view(&c.case, &cal, d(2026, 12, 15), days(1));
    assert_eq!(v.provisional, None);
    assert_eq!(v.promised_due, Some(d(2027, 1, 11)), "a Saturday worked");
    // further than the law is read ahead, the deadline stays open and says why
    let far = dossier(20, d(2028, 12, 14));
    let far = w
        .run(&far, Action::Accept { note: None }, d(2028, 12, 14))
        .unwrap();
    assert_eq!(far.case.promised_due, None);
    let v = clock::view(&far.case, &w.cal, d(2028, 12, 15), days(1));
    assert!(v.problem.unwrap().contains("2029"));
}

#[test]
fn workflows_are_checked() {
    let depts = [3, 4, 16];
    assert!(parallel_flow().clean(5, &depts).is_ok());
    let mut f = parallel_flow();
    f.stages[1].departments = vec![3, 99];
    assert_eq!(
        f.clean(5, &depts).unwrap_err().field,
        "stages[1].departments"
    );
    let mut f = parallel_flow();
    f.stages[0].days = 4;
    assert_eq!(f.clean(5, &depts).unwrap_err().field, "stages");
    let mut f = parallel_flow();
    f.stages[0].role = crate::identity::Role::Citizen;
    assert_eq!(f.clean(5, &depts).unwrap_err().field, "stages[0].role");
}

/// A yellow rule by working days only (the tests above were written for it).
fn days(n: i64) -> LightRule {
    LightRule {
        yellow_days: n,
        yellow_percent: 0,
    }
}

// Once decided a case leaves supervision's lights (nothing to hurry on its decision, and a late
// one is counted as concluded late); its delivery clock runs on its own, read the same way.
#[test]
fn a_decided_case_leaves_the_lights_and_runs_its_delivery_clock() {
    let w = World::new(Workflow::default_for(3));
    let c = w
        .run(
            &dossier(3, d(2026, 3, 2)),
            Action::Accept { note: None },
            d(2026, 3, 2),
        )
        .unwrap();
    let c = w
        .run(
            &c,
            Action::FinishStep {
                step_id: 1,
                outcome: StepOutcome::Agree,
                opinion: None,
            },
            d(2026, 3, 10),
        )
        .unwrap();
    let late = w
        .run(
            &c,
            Action::Decide {
                decision: Decision::Approve,
                reason: None,
            },
            d(2026, 3, 10),
        )
        .unwrap();
    assert_eq!((late.case.yellow_on, late.case.red_on), (None, None));
    let rule = w.rules.light_rule();
    let v = clock::view(&late.case, &w.cal, d(2026, 3, 11), rule);
    assert_eq!(v.light, None, "no handling light once decided");
    assert_eq!(v.handling, None);
    assert_eq!(v.on_time, Some(false), "decided after its promised day");
    let r = v.delivery.unwrap();
    assert_eq!(r.kind, clock::ClockKind::Delivery);
    assert_eq!(Some(r.due), late.case.delivery_due);
    assert_eq!(
        r.left,
        clock::days_left(&w.cal, d(2026, 3, 11), r.due).unwrap()
    );
    assert_eq!(v.current(), Some(r));
    // a paused case shows its frozen handling clock without a light
    let paused = w
        .run(
            &c,
            Action::Pause {
                procedure: "专家评审".into(),
                reason: "r".into(),
                expected_days: 3,
            },
            d(2026, 3, 4),
        )
        .unwrap();
    let v = clock::view(&paused.case, &w.cal, d(2026, 3, 5), rule);
    assert!(v.handling.is_some() && v.light.is_none() && v.current().is_none());
}
