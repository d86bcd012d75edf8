//! The demo district's enterprise service as the seeds describe it: 25 industrial and 21 trade
//! enterprises, 44 key projects each with its steward, leader, department and team (the first,
//! 宏跃北方铜业's 15万吨铜配套改造项目, on the green channel); about 170 visits over the last
//! eleven months that heard about 490 problems, needs and suggestions, about 480 of them solved
//! and confirmed by their enterprise, the rest in hand (two past their deadline, one held by the
//! city, one awaiting the enterprise); consultations with follow-ups; three policy notices pushed
//! by audience; and the demo enterprise account speaking for its enterprise. Written once: a
//! second run finds the enterprises and leaves everything as it is. Each write is counted once
//! per audit entry it makes.

use super::Report;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use onewindow_core::audit::Context;
use onewindow_core::enterprise::consultation::{FollowUp, Form, NewConsultation};
use onewindow_core::enterprise::firm::{Audience, NewEnterprise, Size};
use onewindow_core::enterprise::policy::NewPolicy;
use onewindow_core::enterprise::project::{Milestone, NewProject, Stage, Team};
use onewindow_core::enterprise::visit::{NewVisit, VisitReport};
use onewindow_core::enterprise::work::{Action, Kind, Level, NewItem};
use onewindow_core::time::local_date;
use onewindow_core::validate::uscc;
use onewindow_store::{Store, StoreError, WorkFilter};
use std::collections::HashMap;

/// Visits done, and the items heard on them: the seeds' "170余次", "490余条", "480余条".
pub const VISITS: usize = 172;
pub const ITEMS: usize = 492;
/// Items still open at the end of the demo's history.
pub const OPEN: usize = 10;

const INDUSTRIAL: &[&str] = &[
    "葫芦岛宏跃北方铜业有限责任公司",
    "葫芦岛锌业股份有限公司龙港分公司",
    "渤海船舶重工配套有限公司",
    "葫芦岛龙港精密机械有限公司",
    "辽宁海晟新材料有限公司",
    "葫芦岛七星化工有限公司",
    "龙港区北港石油机械有限公司",
    "葫芦岛连湾泳装制造有限公司",
    "辽宁渤海湾食品有限公司",
    "葫芦岛望海寺电子科技有限公司",
    "葫芦岛玉皇钢结构有限公司",
    "辽西新能源装备有限公司",
    "葫芦岛兴港纸业有限公司",
    "葫芦岛龙湾光伏材料有限公司",
    "辽宁滨海阀门制造有限公司",
    "葫芦岛百万庄塑业有限公司",
    "葫芦岛海纳精工有限公司",
    "辽宁龙港汽车零部件有限公司",
    "葫芦岛中海医药有限公司",
    "葫芦岛北方锻造有限公司",
    "辽宁东滨环保设备有限公司",
    "葫芦岛龙海建材有限公司",
    "葫芦岛港城电缆有限公司",
    "辽宁锦葫轴承有限公司",
    "葫芦岛碧海水产加工有限公司",
];

const TRADE: &[&str] = &[
    "中石化洛阳石油分公司",
    "葫芦岛龙港百货大楼有限公司",
    "葫芦岛万联商贸有限公司",
    "辽宁滨海物流有限公司",
    "葫芦岛海鲜批发市场有限公司",
    "葫芦岛龙湾超市连锁有限公司",
    "葫芦岛港城汽车销售服务有限公司",
    "辽宁北港粮油贸易有限公司",
    "葫芦岛连湾建材商城有限公司",
    "葫芦岛玉皇药业连锁有限公司",
    "葫芦岛新天地商业管理有限公司",
    "辽宁渤海水产品贸易有限公司",
    "葫芦岛望海家电销售有限公司",
    "葫芦岛中海石化贸易有限公司",
    "葫芦岛兴隆农副产品有限公司",
    "葫芦岛龙港五金机电城有限公司",
    "辽宁龙腾国际贸易有限公司",
    "葫芦岛海天酒店管理有限公司",
    "葫芦岛北方煤炭经销有限公司",
    "葫芦岛滨海电商产业园有限公司",
    "葫芦岛鑫源供应链有限公司",
];

const STREETS: &[&str] = &[
    "211403001",
    "211403002",
    "211403003",
    "211403004",
    "211403005",
    "211403006",
];

/// (list, what was heard, the department it went to, by index into the demo's departments).
const HEARD: &[(Kind, &str, usize)] = &[
    (Kind::Problem, "技改项目备案需加快办理", 15),
    (Kind::Problem, "厂区用电增容报装进度慢", 0),
    (Kind::Need, "申请稳岗补贴政策辅导", 7),
    (Kind::Problem, "厂区周边道路破损影响运输", 6),
    (Kind::Need, "招聘技术工人需对接人才市场", 7),
    (Kind::Problem, "环评批复前置手续咨询", 16),
    (Kind::Suggestion, "建议增设企业开办综合窗口", 0),
    (Kind::Problem, "不动产登记证书办理", 4),
    (Kind::Need, "增值税留抵退税政策辅导", 2),
    (Kind::Problem, "施工许可办理材料多", 3),
    (Kind::Need, "食品经营许可延续办理", 1),
    (Kind::Suggestion, "建议延长大厅周末服务时间", 0),
];

fn day(now: DateTime<Utc>, days_ago: i64) -> DateTime<Utc> {
    now - Duration::days(days_ago)
}

fn firm(name: &str, i: usize, industrial: bool, region_id: i64) -> Option<NewEnterprise> {
    let code = uscc::build('9', '1', "211403", &format!("MA{:06}", 3000 + i))?;
    NewEnterprise {
        name: name.into(),
        uscc: code,
        industry: if industrial { "C" } else { "F" }.into(),
        size: match i % 4 {
            0 => Size::Large,
            1 => Size::Medium,
            2 => Size::Small,
            _ => Size::Micro,
        },
        region_id,
        contact_name: format!("{}经理", ["张", "王", "李", "赵", "刘", "陈"][i % 6]),
        contact_phone: format!("139042{:05}", 10_000 + i),
        address: String::new(),
    }
    .check()
    .ok()
}

pub async fn seed(
    store: &dyn Store,
    ctx: &Context,
    dept_ids: &[i64],
    region_ids: &HashMap<&str, i64>,
    report: &mut Report,
) -> Result<(), StoreError> {
    if !store
        .enterprises(None, Some("宏跃北方铜业"))
        .await?
        .is_empty()
    {
        report.kept += 1;
        return Ok(());
    }
    let now = onewindow_store::backend::now();
    let today = local_date(now);
    let dept = |i: usize| dept_ids.get(i).copied();
    let steward = store.user_by_username("steward").await?;
    let leader = store.user_by_username("leader").await?;
    let city = store.user_by_username("steward-city").await?;
    let (Some(steward), Some(leader)) = (steward, leader) else {
        return Ok(());
    };
    let start = day(now, 340);

    // The register.
    let mut firms = Vec::new();
    let names = INDUSTRIAL
        .iter()
        .map(|n| (*n, true))
        .chain(TRADE.iter().map(|n| (*n, false)));
    for (i, (name, industrial)) in names.enumerate() {
        let Some(region) = region_ids.get(STREETS[i % STREETS.len()]).copied() else {
            continue;
        };
        let Some(new) = firm(name, i, industrial, region) else {
            continue;
        };
        firms.push(store.create_enterprise(ctx, new, start).await?);
        report.created += 1;
    }

    // Three policy notices, pushed by audience; the first before most enterprises existed
    // would still reach them (pushed at registration), here all exist already.
    let notices = [
        (
            "制造业中小企业技术改造补助",
            "对设备投入给予10%补助，单个项目最高200万元。",
            15,
            vec!["C".to_string()],
            vec![Size::Medium, Size::Small, Size::Micro],
        ),
        (
            "商贸流通企业稳岗补贴",
            "不裁员或少裁员的企业按上年度失业保险费的60%返还。",
            7,
            vec!["F".to_string()],
            vec![],
        ),
        (
            "增值税留抵退税政策",
            "符合条件的小微企业可申请一次性退还存量留抵税额。",
            2,
            vec![],
            vec![Size::Small, Size::Micro],
        ),
    ];
    let district = region_ids.get("211403").copied().unwrap_or_default();
    for (title, body, d, industries, sizes) in notices {
        let Some(department_id) = dept(d) else {
            continue;
        };
        store
            .publish_policy(
                ctx,
                NewPolicy {
                    title: title.into(),
                    body: body.into(),
                    department_id,
                    audience: Audience {
                        industries,
                        sizes,
                        region_paths: vec![],
                    },
                    until: None,
                },
                district,
                start + Duration::days(1),
            )
            .await?;
        report.created += 1;
    }

    // The 44 key projects, each with its four.
    let mut projects = Vec::new();
    for (i, f) in firms.iter().take(44).enumerate() {
        let planned = |months: i64| local_date(start) + Duration::days(months * 30);
        let (name, green) = if i == 0 {
            ("15万吨铜配套改造项目".to_string(), true)
        } else {
            (
                format!(
                    "{}扩建项目",
                    f.name
                        .trim_end_matches("有限公司")
                        .trim_end_matches("有限责任公司")
                ),
                i % 5 == 0,
            )
        };
        let milestones = vec![
            Milestone {
                name: "签约".into(),
                planned: planned(0),
                actual: Some(planned(0)),
            },
            Milestone {
                name: "立项".into(),
                planned: planned(2),
                actual: Some(planned(2)),
            },
            Milestone {
                name: "开工".into(),
                planned: planned(5),
                actual: (i % 3 != 0).then(|| planned(5)),
            },
            Milestone {
                name: "投产".into(),
                planned: planned(14),
                actual: None,
            },
        ];
        let p = store
            .create_project(
                ctx,
                NewProject {
                    enterprise_id: f.id,
                    name,
                    amount_fen: (2_000 + (i as i64 * 1_370) % 48_000) * 1_000_000,
                    stage: if i % 3 == 0 {
                        Stage::Approved
                    } else {
                        Stage::Building
                    },
                    key_project: true,
                    green_channel: green,
                    milestones,
                },
                Team {
                    steward_id: Some(steward.id),
                    leader_id: Some(leader.id),
                    department_id: dept([15, 0, 3, 4, 16][i % 5]),
                    members: vec![steward.id],
                },
                start,
            )
            .await?;
        report.created += 1;
        projects.push(p);
    }
    // The green channel's first case: the demo's first case goes under the copper project.
    if let Some(p) = projects.first() {
        let first = store
            .cases(&onewindow_store::CaseFilter {
                limit: 1,
                ..Default::default()
            })
            .await?;
        if let Some(c) = first.first() {
            store.link_case(ctx, p.id, c.id, now).await?;
            report.created += 1;
        }
    }

    // Visits and what they heard: items spread over the visits, oldest first.
    let per_visit = ITEMS.div_ceil(VISITS);
    let mut heard = 0usize;
    let mut items = Vec::new();
    let when = |v: usize| day(now, 330 - (v as i64 * 325) / VISITS as i64);
    let firm_of = |v: usize| &firms[(v * 7) % firms.len()];
    let planned: Vec<NewVisit> = (0..VISITS)
        .map(|v| NewVisit {
            enterprise_id: firm_of(v).id,
            project_id: projects
                .iter()
                .find(|p| p.enterprise_id == firm_of(v).id)
                .map(|p| p.id),
            planned_on: local_date(when(v)),
            round: (v % 4 == 0).then(|| format!("服务专班第{}批", v / 4 + 1)),
        })
        .collect();
    let visits = store.plan_visits(ctx, steward.id, planned, start).await?;
    report.created += visits.len();
    for (v, visit) in visits.into_iter().enumerate() {
        let (f, at) = (firm_of(v), when(v));
        let n = per_visit.min(ITEMS - heard);
        let new_items: Vec<NewItem> = (0..n)
            .map(|k| {
                let (kind, title, _) = HEARD[(heard + k) % HEARD.len()];
                NewItem {
                    enterprise_id: f.id,
                    project_id: visit.project_id,
                    kind,
                    title: title.into(),
                    detail: String::new(),
                    visit_id: None,
                }
            })
            .collect();
        let (_, got) = store
            .report_visit(
                ctx,
                visit.id,
                visit.version,
                onewindow_store::VisitRecord {
                    report: VisitReport {
                        attendees: format!("{}、{}", f.contact_name, steward.display_name),
                        notes: "走访了解企业生产经营情况，收集问题诉求。".into(),
                    },
                    items: new_items,
                    photos: Vec::new(),
                },
                at,
            )
            .await?;
        report.created += 1 + got.len();
        for (k, it) in got.into_iter().enumerate() {
            items.push((heard + k, it, at));
        }
        heard += n;
    }

    // Each item through its steps: all but the last OPEN solved within two weeks, written in
    // batches (批量交办) as a desk clearing its list would.
    let solved = items.len().saturating_sub(OPEN);
    // Nothing is dated in the future.
    let latest = now - Duration::hours(1);
    let mut steps = Vec::new();
    for (n, item, at) in &items {
        let (n, at) = (*n, *at);
        let d = dept(HEARD[n % HEARD.len()].2);
        let assign = |deadline: NaiveDate| Action::Assign {
            department_id: d,
            deadline: Some(deadline),
        };
        let mut push = |a: Action, t: DateTime<Utc>| steps.push((item.id, a, t.min(latest)));
        if n < solved {
            push(
                assign(local_date(at) + Duration::days(10)),
                at + Duration::hours(2),
            );
            push(
                Action::Answer {
                    resolution: "已协调办理完毕。".into(),
                },
                at + Duration::days(3 + (n % 6) as i64),
            );
            push(
                Action::Confirm {
                    satisfied: true,
                    satisfaction: Some(if n % 9 == 0 { 4 } else { 5 }),
                    note: None,
                },
                at + Duration::days(5 + (n % 6) as i64),
            );
            continue;
        }
        // The open ones, recent: in hand (two overdue), one at the city, one answered, one
        // still to assign.
        let k = n - solved;
        let recent = at + Duration::hours(1 + k as i64);
        match k {
            0 | 1 => push(assign(local_date(recent) + Duration::days(5)), recent),
            2 => push(
                Action::Escalate {
                    reason: "涉及市级审批权限，区级无法解决。".into(),
                },
                recent,
            ),
            3 => {
                push(assign(today + Duration::days(10)), recent);
                push(
                    Action::Answer {
                        resolution: "已协调供电公司制定增容方案，待企业确认。".into(),
                    },
                    now - Duration::days(1),
                );
            }
            4 => {}
            _ => push(assign(today + Duration::days(15)), recent),
        }
    }
    for batch in steps.chunks(300) {
        store.act_on_work_items(ctx, batch.to_vec()).await?;
        report.created += batch.len();
    }

    // Consultations: a district one deciding on two open items, a city liaison meeting with a
    // follow-up still to do.
    let open = store
        .work_items(&WorkFilter {
            states: vec![onewindow_core::enterprise::work::State::Assigned],
            ..Default::default()
        })
        .await?;
    let two: Vec<i64> = open.iter().take(2).map(|i| i.id).collect();
    if let (Some(a), Some(b)) = (dept(0), dept(15)) {
        store
            .record_consultation(
                ctx,
                NewConsultation {
                    form: Form::Joint,
                    title: "重点项目要素保障集中会商".into(),
                    held_on: today - Duration::days(3),
                    level: Level::District,
                    attendees: "区营商局、区发改局、供电公司、相关企业".into(),
                    department_ids: vec![a, b],
                    decisions: "营商局牵头，发改局配合，一周内完成协调。".into(),
                    follow_ups: vec![FollowUp {
                        task: "完成用电增容方案审查".into(),
                        department_id: b,
                        due: today + Duration::days(4),
                        done_on: None,
                    }],
                    item_ids: two.clone(),
                },
                district,
                now - Duration::days(3),
            )
            .await?;
        report.created += 1 + two.len();
        if let (Some(_), Some(region)) = (&city, region_ids.get("211400").copied()) {
            store
                .record_consultation(
                    ctx,
                    NewConsultation {
                        form: Form::Liaison,
                        title: "全市政务服务进企业联席会议".into(),
                        held_on: today - Duration::days(20),
                        level: Level::City,
                        attendees: "市营商局、各县（市）区营商局".into(),
                        department_ids: vec![a, b],
                        decisions: "建立问题清单周调度机制，跨层级问题由市级统筹。".into(),
                        follow_ups: vec![FollowUp {
                            task: "报送本月问题清单办理情况".into(),
                            department_id: a,
                            due: today - Duration::days(2),
                            done_on: None,
                        }],
                        item_ids: vec![],
                    },
                    region,
                    now - Duration::days(20),
                )
                .await?;
            report.created += 1;
        }
    }

    // The demo enterprise account speaks for its enterprise.
    if let (Some(u), Some(f)) = (
        store.user_by_username("enterprise").await?,
        firms.iter().find(|f| f.name == "中石化洛阳石油分公司"),
    ) {
        store.set_enterprise_account(ctx, u.id, f.id).await?;
        report.created += 1;
    }
    Ok(())
}
