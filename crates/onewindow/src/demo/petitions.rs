//! The demo district's petition agency as the seeds describe it: a station (信访网投工作代理工作站)
//! in every one of its 79 villages and communities with 91 agents (the `agent` account at
//! 百万庄社区 among them); over the ten months to the end of last month, 62 backlog cases of
//! which 58 were resolved and 47 new cases of which 41 were resolved (the seeds' 93.55 % and
//! 87.23 %); 15 major backlog cases each guaranteed by one of the 13 leaders, with their
//! meetings; 37 petitioners given hardship aid (陈秀芝's 15,000 yuan among it) and legal-aid
//! referrals (李淑华's presale money); the leaders' reception rota on the calendar's working days
//! with the last weeks' receptions. The cases are carried over in one transaction, as from an
//! earlier ledger. Written once: a second run finds the stations and leaves everything as it
//! is. Each write is counted once per audit entry it makes.

use super::Report;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use onewindow_core::audit::Context;
use onewindow_core::identity::{CleanNewUser, Role};
use onewindow_core::org::NewRegion;
use onewindow_core::petitions::case::{Action, Authorization, Ledger, NewPetition};
use onewindow_core::petitions::rota;
use onewindow_core::petitions::station::NewStation;
use onewindow_core::petitions::support::{Aid, AidKind, Meeting, Reception};
use onewindow_core::time::{local_date, start_of};
use onewindow_core::validate::id_card::check_character;
use onewindow_store::{PetitionHistory, Store, StoreError};
use std::collections::HashMap;

/// The seeds' ledgers: backlog and new cases, and how many of each were resolved.
pub const BACKLOG: (usize, usize) = (62, 58);
pub const NEW: (usize, usize) = (47, 41);
pub const STATIONS: usize = 79;
pub const AGENTS: usize = 91;
pub const LEADERS: usize = 13;
pub const GUARANTEED: usize = 15;
pub const HARDSHIP: usize = 37;

/// The signed authorization the demo's cases point at: a one-page PDF of our own (written to
/// the uploads folder by `serve --demo`).
pub const AUTHORIZATION: &[u8] = b"%PDF-1.4
1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj
2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj
3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>> endobj
trailer <</Root 1 0 R>>
%%EOF
";

/// The villages (村) added under each street to the communities the district already has.
const VILLAGE_PREFIXES: &[&str] = &[
    "东", "西", "南", "北", "前", "后", "新", "老", "大", "小", "上", "下",
];
const VILLAGE_SUFFIXES: &[&str] = &["营子村", "屯村", "堡村", "沟村", "台村", "家村"];
const STREETS: &[&str] = &[
    "211403001",
    "211403002",
    "211403003",
    "211403004",
    "211403005",
    "211403006",
];
/// The communities of `demo::REGIONS`; with the villages, 79.
const COMMUNITIES: &[&str] = &[
    "211403001001",
    "211403001002",
    "211403002001",
    "211403002002",
    "211403003001",
    "211403004001",
    "211403005001",
    "211403006001",
];
/// 百万庄社区, where the `agent` account works.
const BAIWANZHUANG: &str = "211403002001";

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
const GIVEN: &[&str] = &[
    "桂兰", "建华", "秀英", "志强", "玉珍", "德明", "淑芬", "海涛", "凤霞", "永利", "春生", "丽娟",
    "国庆", "金凤", "树林",
];

/// The 12 leaders besides the demo `leader` (刘立峰, head of the petition bureau).
const LEADER_NAMES: &[&str] = &[
    "王宏伟（区委书记）",
    "李建国（区长）",
    "赵志刚（区委副书记）",
    "孙丽华（常务副区长）",
    "周文斌（副区长）",
    "吴海燕（副区长）",
    "郑国栋（区委常委）",
    "冯立新（区委常委）",
    "陈晓东（区人大常委会副主任）",
    "褚凤鸣（区政协副主席）",
    "卫长青（副区长）",
    "蒋玉成（区委常委）",
];

/// Subjects and the departments (by index into `DEPARTMENTS`) the agent goes to.
const SUBJECTS: &[(&str, &[usize])] = &[
    ("单元门前下水道堵塞，污水外溢", &[13]),
    ("房产证办理遗留问题", &[3, 4]),
    ("农民工工资拖欠", &[7]),
    ("首创龙湾小区物业纠纷", &[3]),
    ("预售房款及利息追讨", &[3]),
    ("宅基地确权纠纷", &[4]),
    ("低保申请审核", &[8]),
    ("征收补偿款发放", &[3, 4]),
    ("医保报销异议", &[11]),
    ("冬季供暖温度不达标", &[3]),
    ("退役军人优抚待遇", &[12]),
    ("道路破损影响出行", &[6, 13]),
    ("子女入学安置", &[10]),
    ("养老保险待遇核定", &[7]),
    ("违法建设遮挡采光", &[13]),
];

fn at(d: NaiveDate, hour: i64) -> DateTime<Utc> {
    start_of(d) + Duration::hours(hour)
}

/// A valid 居民身份证号码 of the district, born in `year`.
fn id_number(i: usize, year: i32) -> String {
    let first17 = format!(
        "211403{year:04}{:02}{:02}{:03}",
        i % 12 + 1,
        i % 28 + 1,
        i % 997 + 1
    );
    let c = check_character(&first17);
    format!("{first17}{c}")
}

fn person(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i / SURNAMES.len() + i) % GIVEN.len()]
    )
}

/// Creates the accounts not there yet, in one transaction; every username's id.
async fn accounts(
    store: &dyn Store,
    ctx: &Context,
    hash: &str,
    wanted: Vec<CleanNewUser>,
    report: &mut Report,
) -> Result<HashMap<String, i64>, StoreError> {
    let mut ids = HashMap::new();
    let mut missing = Vec::new();
    for u in wanted {
        match store.user_by_username(&u.username).await? {
            Some(found) => {
                report.kept += 1;
                ids.insert(u.username, found.id);
            }
            None => missing.push(u),
        }
    }
    for u in store.create_users(ctx, missing, hash.to_string()).await? {
        report.created += 1;
        ids.insert(u.username, u.id);
    }
    Ok(ids)
}

fn account(
    username: String,
    display_name: String,
    role: Role,
    region_id: i64,
    phone: String,
) -> CleanNewUser {
    CleanNewUser {
        username,
        display_name,
        password: String::new(),
        roles: vec![role],
        department_id: None,
        region_id: Some(region_id),
        phone: Some(phone),
    }
}

pub async fn seed(
    store: &dyn Store,
    ctx: &Context,
    dept_ids: &[i64],
    region_ids: &HashMap<&str, i64>,
    hash: &str,
    report: &mut Report,
) -> Result<(), StoreError> {
    if !store.stations(None).await?.is_empty() {
        report.kept += 1;
        return Ok(());
    }
    let (Some(agent), Some(leader), Some(&district)) = (
        store.user_by_username("agent").await?,
        store.user_by_username("leader").await?,
        region_ids.get("211403"),
    ) else {
        return Ok(());
    };
    let now = onewindow_store::backend::now();
    let today = local_date(now);
    // The ledgers' period: the ten months to the end of last month.
    let anchor = NaiveDate::from_ymd_opt(today.year(), today.month(), 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(today);
    let start = anchor - Duration::days(299);

    // The villages and communities, 79 in all.
    let mut places: Vec<(i64, String, String)> = Vec::new();
    let regions = store.regions().await?;
    let name_of = |id: i64| {
        regions
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    for code in COMMUNITIES {
        if let Some(&id) = region_ids.get(code) {
            places.push((id, (*code).to_string(), name_of(id)));
        }
    }
    let mut n = 0;
    'streets: for round in 0.. {
        for (s, street) in STREETS.iter().enumerate() {
            if places.len() >= STATIONS {
                break 'streets;
            }
            let Some(&parent) = region_ids.get(street) else {
                continue;
            };
            let code = format!("{street}{:03}", 200 + round + 1);
            let name = format!(
                "{}{}",
                VILLAGE_PREFIXES[n % VILLAGE_PREFIXES.len()],
                VILLAGE_SUFFIXES[(n / VILLAGE_PREFIXES.len() + s) % VILLAGE_SUFFIXES.len()]
            );
            n += 1;
            let id = match store.region_by_code(&code).await? {
                Some(r) => r.id,
                None => {
                    report.created += 1;
                    store
                        .create_region(
                            ctx,
                            NewRegion {
                                code: code.clone(),
                                name: name.clone(),
                                parent_id: Some(parent),
                            },
                        )
                        .await?
                        .id
                }
            };
            places.push((id, code, name));
        }
    }

    // The agents: one per station, two at the first twelve; the `agent` account at 百万庄社区.
    let bwz = places.iter().position(|p| p.1 == BAIWANZHUANG).unwrap_or(0);
    let mut wanted = Vec::new();
    let mut plan: Vec<Vec<String>> = Vec::new();
    let mut made = 1; // the `agent` account
    for (i, (region_id, _, name)) in places.iter().enumerate() {
        let mut names = Vec::new();
        let wanted_here = if i < AGENTS - STATIONS { 2 } else { 1 };
        if i == bwz {
            names.push("agent".to_string());
        }
        while names.len() < wanted_here {
            made += 1;
            let username = format!("agent-{made:03}");
            wanted.push(account(
                username.clone(),
                format!("{}（{name}代理员）", person(made + 40)),
                Role::PetitionAgent,
                *region_id,
                format!("1390429{:04}", 2000 + made),
            ));
            names.push(username);
        }
        plan.push(names);
    }
    // The thirteen leaders who take turns.
    for (i, name) in LEADER_NAMES.iter().enumerate() {
        wanted.push(account(
            format!("leader-{:02}", i + 1),
            (*name).to_string(),
            Role::Leader,
            district,
            format!("1390429{:04}", 1100 + i),
        ));
    }
    let mut ids = accounts(store, ctx, hash, wanted, report).await?;
    ids.insert("agent".into(), agent.id);
    let leaders: Vec<i64> = std::iter::once(leader.id)
        .chain((1..=LEADER_NAMES.len()).filter_map(|i| ids.get(&format!("leader-{i:02}")).copied()))
        .collect();
    let opened: Vec<(NewStation, Vec<i64>)> = places
        .iter()
        .zip(&plan)
        .map(|((region_id, _, name), agents)| {
            (
                NewStation {
                    name: format!("{name}信访网投工作代理工作站"),
                    region_id: *region_id,
                    address: format!("{name}党群服务中心"),
                },
                agents.iter().filter_map(|a| ids.get(a).copied()).collect(),
            )
        })
        .collect();
    let stations = store.create_stations(ctx, opened, at(start, 1)).await?;
    report.created += stations.len();

    // The cases, carried over in one transaction.
    let dept = |i: usize| dept_ids.get(i).copied().unwrap_or_default();
    let mut cases = Vec::new();
    let mut aid_given = 0;
    let (backlog, backlog_resolved) = BACKLOG;
    let (new, new_resolved) = NEW;
    for i in 0..backlog + new {
        let is_backlog = i < backlog;
        let k = if is_backlog { i } else { i - backlog };
        let resolved = if is_backlog {
            k < backlog_resolved
        } else {
            k < new_resolved
        };
        // The first new case is 云龙's blocked drain at 百万庄社区.
        let spread_over = (i * 7) % stations.len();
        let (si, subject_at, name) = if !is_backlog && k == 0 {
            (bwz, 0, "云龙".to_string())
        } else if is_backlog && k == 4 {
            (spread_over, 4, "李淑华".to_string())
        } else if is_backlog && k == 6 {
            (spread_over, 6, "陈秀芝".to_string())
        } else if i % 19 == 3 {
            (bwz, i % SUBJECTS.len(), person(i))
        } else {
            (spread_over, i % SUBJECTS.len(), person(i))
        };
        let station = &stations[si];
        let (subject, depts) = SUBJECTS[subject_at];
        let taken = if is_backlog {
            start + Duration::days((k % 20) as i64)
        } else {
            start + Duration::days(25 + (k as i64 * 240) / new as i64)
        };
        let mut steps = Vec::new();
        if i % 3 == 1 {
            steps.push((at(taken, 3), Action::Visit));
        }
        // Errands: each to a department, answered within days; the last open on a case in hand.
        let mut d = taken + Duration::days(1);
        for (j, &di) in depts.iter().enumerate() {
            let last_open = !resolved && j + 1 == depts.len();
            // Half the cases in hand wait on an errand past its deadline.
            let deadline = if last_open && i % 2 == 0 {
                today + Duration::days(10)
            } else {
                d + Duration::days(15)
            };
            steps.push((
                at(d, 2),
                Action::Errand {
                    department_id: dept(di),
                    task: format!("代信访人到部门协调：{subject}"),
                    deadline,
                },
            ));
            let answered = d + Duration::days(3 + (i % 9) as i64);
            if !last_open && answered <= anchor {
                steps.push((
                    at(answered, 6),
                    Action::Outcome {
                        step: j,
                        outcome: "部门已出具处理意见".into(),
                    },
                ));
            }
            d = answered + Duration::days(1);
        }
        if resolved {
            let spread = if is_backlog {
                30 + (k * 41) % 230
            } else {
                5 + k % 20
            };
            let on = (d + Duration::days(spread as i64)).min(anchor);
            steps.push((
                at(on, 7),
                Action::Resolve {
                    outcome: "经代理员协调，问题已解决，信访人认可".into(),
                },
            ));
            if i % 5 != 0 {
                steps.push((
                    at(on, 8),
                    Action::Feedback {
                        satisfaction: if i % 7 == 0 { 4 } else { 5 },
                        note: None,
                    },
                ));
            }
        }
        let resolved_on = steps
            .iter()
            .find(|(_, a)| matches!(a, Action::Resolve { .. }))
            .map(|(t, _)| local_date(*t));
        let guarantor_id = (is_backlog && k < GUARANTEED).then(|| leaders[k % leaders.len()]);
        let meetings = if guarantor_id.is_some() {
            let last = resolved_on.unwrap_or(anchor);
            vec![
                Meeting {
                    held_on: taken + Duration::days(10),
                    attendees: "包保领导、区信访局、相关部门".into(),
                    notes: format!("研究“{subject}”化解方案，明确责任部门和时限"),
                },
                Meeting {
                    held_on: last.max(taken + Duration::days(11)).min(anchor),
                    attendees: "包保领导、信访人、相关部门".into(),
                    notes: "听取办理进展，与信访人面对面沟通".into(),
                },
            ]
        } else {
            Vec::new()
        };
        let mut aid = Vec::new();
        if k == 6 && is_backlog {
            aid.push(Aid {
                kind: AidKind::Hardship,
                amount_fen: 1_500_000,
                decided_on: taken + Duration::days(20),
                outcome: "无子女，丈夫患病，发放困难救助1.5万元".into(),
            });
            aid_given += 1;
        } else if aid_given < HARDSHIP && i % 3 == 0 {
            aid.push(Aid {
                kind: AidKind::Hardship,
                amount_fen: 2_000_000 + (i as i64 % 7) * 500_000,
                decided_on: taken + Duration::days(20),
                outcome: "经审核符合条件，已发放救助资金".into(),
            });
            aid_given += 1;
        }
        if subject_at == 4 && i % 2 == 0 {
            aid.push(Aid {
                kind: AidKind::Legal,
                amount_fen: 0,
                decided_on: taken + Duration::days(5),
                outcome: "属法律解决范畴，帮助申请法律援助，全程跟踪审理".into(),
            });
        }
        let petition = NewPetition {
            ledger: if is_backlog {
                Ledger::Backlog
            } else {
                Ledger::New
            },
            petitioner_name: name,
            petitioner_id_number: id_number(i, 1940 + (i % 50) as i32),
            petitioner_phone: format!("1380429{:04}", 3000 + i),
            petitioner_address: places[si].2.clone(),
            subject: subject.to_string(),
            detail: String::new(),
            authorization: Some(Authorization {
                sha256: onewindow_web::service::uploads::sha256_hex(AUTHORIZATION),
                file_name: "代理委托书.pdf".into(),
                signed_on: taken,
            }),
        }
        .check(today)
        .map_err(|e| StoreError::Domain(e.into()))?;
        cases.push(PetitionHistory {
            station_id: station.id,
            agent_id: station.agents[0],
            petition,
            taken_at: at(taken, 1),
            steps,
            guarantor_id,
            meetings,
            aid,
        });
    }
    report.created += store.import_petitions(ctx, cases).await?;

    // The rota: last month to the end of next, the leaders in turn; the receptions of the last
    // weeks, by the day's leader.
    let years = store.calendar_years().await?;
    let cal = onewindow_core::calendar::Calendar::new(&years);
    let from = NaiveDate::from_ymd_opt(anchor.year(), anchor.month(), 1).unwrap_or(anchor);
    // Not past the last year the calendar knows.
    let known_to = cal
        .years()
        .last()
        .and_then(|y| NaiveDate::from_ymd_opt(*y, 12, 31))
        .unwrap_or(today);
    let days = rota::in_turn(
        &leaders,
        from,
        (today + Duration::days(45)).min(known_to),
        &cal,
    )
    .map_err(|e| StoreError::Domain(e.into()))?;
    let past: Vec<_> = days.iter().filter(|d| d.day < today).cloned().collect();
    if !days.is_empty() {
        store.set_rota(ctx, days).await?;
        report.created += 1;
    }
    for (i, d) in past.iter().rev().take(20).enumerate() {
        store
            .record_reception(
                ctx,
                Reception {
                    day: d.day,
                    leader_id: d.leader_id,
                    visitor: person(i + 200),
                    matter: SUBJECTS[i % SUBJECTS.len()].0.to_string(),
                    petition_id: None,
                    notes: "当面听取诉求，责成相关部门限期答复".into(),
                },
                at(d.day, 3),
            )
            .await?;
        report.created += 1;
    }
    Ok(())
}
