//! The demo district, modelled on the seeds' 葫芦岛市龙港区: regions down to communities, its 17
//! departments, the three-storey 政务服务中心 with 68 windows in 7 zones, and one account per
//! role. Loading is idempotent: every record is looked up by its natural key (region code,
//! credit code, hall name, zone name, window number, username) and created only if missing, so
//! a second start neither duplicates nor resets anything, and an interrupted load completes on
//! the next start.

pub mod cases;
pub mod catalog;
pub mod enterprise;
pub mod evaluation;
pub mod grid;
pub mod hall_days;
mod licences;
pub mod petitions;
pub mod ratings;

use onewindow_core::DomainError;
use onewindow_core::audit::Context;
use onewindow_core::identity::{CleanNewUser, Role};
use onewindow_core::org::*;
use onewindow_core::validate::uscc;
use onewindow_store::{ScopeFilter, Store, StoreError};

#[derive(Debug, Default)]
pub struct Report {
    pub created: usize,
    pub kept: usize,
}

/// (code, name, parent code)
const REGIONS: &[(&str, &str, Option<&str>)] = &[
    ("210000", "辽宁省", None),
    ("211400", "葫芦岛市", Some("210000")),
    ("211403", "龙港区", Some("211400")),
    ("211403001", "滨海街道", Some("211403")),
    ("211403002", "望海寺街道", Some("211403")),
    ("211403003", "龙湾街道", Some("211403")),
    ("211403004", "玉皇街道", Some("211403")),
    ("211403005", "连湾街道", Some("211403")),
    ("211403006", "北港街道", Some("211403")),
    ("211403001001", "龙海社区", Some("211403001")),
    ("211403001002", "中海社区", Some("211403001")),
    ("211403002001", "百万庄社区", Some("211403002")),
    ("211403002002", "望海社区", Some("211403002")),
    ("211403003001", "龙湾社区", Some("211403003")),
    ("211403004001", "玉皇社区", Some("211403004")),
    ("211403005001", "连湾社区", Some("211403005")),
    ("211403006001", "北港社区", Some("211403006")),
];

/// Each department's short name in its document numbers (文号简称), in `DEPARTMENTS`' order.
const SHORT_NAMES: [&str; 17] = [
    "龙营商",
    "龙市监",
    "龙税",
    "龙住建",
    "龙自然资源",
    "龙公安",
    "龙交通",
    "龙人社",
    "龙民政",
    "龙卫健",
    "龙教",
    "龙医保",
    "龙退役军人",
    "龙城管",
    "龙信访",
    "龙发改",
    "龙环",
];

/// The district's 17 departments (全区17个部门), with their office phones.
const DEPARTMENTS: &[(&str, &str)] = &[
    ("龙港区营商环境建设局", "0429-3101001"),
    ("龙港区市场监督管理局", "0429-3101002"),
    ("国家税务总局葫芦岛市龙港区税务局", "0429-3101003"),
    ("龙港区住房和城乡建设局", "0429-3101004"),
    ("葫芦岛市自然资源局龙港分局", "0429-3101005"),
    ("葫芦岛市公安局龙港分局", "0429-3101006"),
    ("龙港区交通运输局", "0429-3101007"),
    ("龙港区人力资源和社会保障局", "0429-3101008"),
    ("龙港区民政局", "0429-3101009"),
    ("龙港区卫生健康局", "0429-3101010"),
    ("龙港区教育局", "0429-3101011"),
    ("龙港区医疗保障局", "0429-3101012"),
    ("龙港区退役军人事务局", "0429-3101013"),
    ("龙港区城市管理综合行政执法局", "0429-3101014"),
    ("龙港区信访局", "0429-3101015"),
    ("龙港区发展和改革局", "0429-3101016"),
    ("龙港区生态环境分局", "0429-3101017"),
];

pub const HALL: &str = "龙港区政务服务中心";

/// (zone, floor, windows, departments served by index into DEPARTMENTS): 68 windows in all.
const ZONES: &[(&str, i64, i64, &[usize])] = &[
    ("企业开办区", 1, 12, &[0, 1]),
    ("税务服务区", 1, 12, &[2]),
    ("工程建设审批区", 2, 10, &[3, 15, 16]),
    ("不动产登记区", 2, 10, &[4, 2]),
    ("公安服务区", 3, 8, &[5]),
    ("交通运输区", 3, 6, &[6]),
    ("社会民生事务区", 3, 10, &[7, 8, 9, 10, 11, 12]),
];

pub struct Account {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    /// Index into DEPARTMENTS.
    pub department: Option<usize>,
    /// Region code.
    pub region: Option<&'static str>,
    pub phone: Option<&'static str>,
}

/// One account per role, as DESIGN.md §5 lists them.
pub const ACCOUNTS: &[Account] = &[
    Account {
        username: "admin",
        display_name: "系统管理员",
        role: Role::Admin,
        department: None,
        region: Some("211403"),
        phone: None,
    },
    // The comprehensive window (综合窗口) takes applications for every department of the
    // district: one window, every matter (一窗受理).
    Account {
        username: "clerk",
        display_name: "李志抗",
        role: Role::Clerk,
        department: None,
        region: Some("211403"),
        phone: Some("13904290001"),
    },
    Account {
        username: "approver",
        display_name: "弋艳艳",
        role: Role::Approver,
        department: Some(3),
        region: None,
        phone: Some("13904290002"),
    },
    Account {
        username: "supervisor",
        display_name: "尹舰",
        role: Role::Supervisor,
        department: None,
        region: Some("211403"),
        phone: Some("13904290003"),
    },
    Account {
        username: "grid",
        display_name: "王网格",
        role: Role::GridWorker,
        department: None,
        region: Some("211403001001"),
        phone: Some("13904290004"),
    },
    Account {
        username: "dispatcher",
        display_name: "赵调度",
        role: Role::Dispatcher,
        department: None,
        region: Some("211403"),
        phone: Some("13904290005"),
    },
    Account {
        username: "steward",
        display_name: "张喜锋",
        role: Role::Steward,
        department: None,
        region: Some("211403"),
        phone: Some("13904290006"),
    },
    Account {
        username: "agent",
        display_name: "沈丙竹",
        role: Role::PetitionAgent,
        department: None,
        region: Some("211403002001"),
        phone: Some("13904290007"),
    },
    Account {
        username: "leader",
        display_name: "刘立峰",
        role: Role::Leader,
        department: None,
        region: Some("211403"),
        phone: Some("13904290008"),
    },
    Account {
        username: "citizen",
        display_name: "李女士",
        role: Role::Citizen,
        department: None,
        region: None,
        phone: Some("13904290009"),
    },
    Account {
        username: "enterprise",
        display_name: "张娜（中石化洛阳石油分公司）",
        role: Role::Enterprise,
        department: None,
        region: None,
        phone: Some("13904290010"),
    },
];

/// `onewindow demo`: the district, then `cases` generated cases; prints what it did.
pub async fn run(
    url: &str,
    password: &str,
    cases: usize,
    open: bool,
) -> Result<std::process::ExitCode, String> {
    let shown = onewindow_store::redact_url(url);
    let store = onewindow_store::open(url)
        .await
        .map_err(|e| format!("cannot open {shown}: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let report = seed(store.as_ref(), password)
        .await
        .map_err(|e| format!("demo data: {e}"))?;
    println!(
        "demo district: {} created, {} already there",
        report.created, report.kept
    );
    if cases > 0 {
        let started = std::time::Instant::now();
        let n = cases::generate(store.clone(), cases, 16, open)
            .await
            .map_err(|e| format!("demo cases: {e}"))?;
        println!(
            "{n} cases generated in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let started = std::time::Instant::now();
        let l = licences::issue_history(store.as_ref())
            .await
            .map_err(|e| format!("demo licences: {e}"))?;
        println!(
            "{l} licences issued for the approving conclusions in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        // And the hall's last days, so that its screens and figures have something to show.
        let started = std::time::Instant::now();
        let t = hall_days::play(store.as_ref(), 5, chrono::Utc::now())
            .await
            .map_err(|e| format!("demo hall: {e}"))?;
        println!(
            "{t} hall tickets over the last working days in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    store.close().await;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Accounts besides one per role: the approvers of the departments that review 建筑工程施工许可 in
/// parallel with 住建局 (the `approver` account), and the city's steward (市营商局), who assigns
/// what districts escalate.
pub const MORE_ACCOUNTS: &[Account] = &[
    Account {
        username: "approver-zrzy",
        display_name: "孙自然（自然资源分局）",
        role: Role::Approver,
        department: Some(4),
        region: None,
        phone: Some("13904290011"),
    },
    Account {
        username: "approver-sthj",
        display_name: "周生态（生态环境分局）",
        role: Role::Approver,
        department: Some(16),
        region: None,
        phone: Some("13904290012"),
    },
    Account {
        username: "petition-office",
        display_name: "王春雨（区信访局）",
        role: Role::PetitionAgent,
        department: None,
        region: Some("211403"),
        phone: Some("13904290017"),
    },
    Account {
        username: "steward-city",
        display_name: "高首席（市营商局）",
        role: Role::Steward,
        department: None,
        region: Some("211400"),
        phone: Some("13904290016"),
    },
];

/// The matter whose review runs in parallel across three departments (并联审批).
pub const PARALLEL_MATTER: &str = "建筑工程施工许可证核发";

/// The credit code of demo department `i`: a government organ (1 1) of 龙港区, with valid check
/// characters.
pub fn department_uscc(i: usize) -> String {
    uscc::build('1', '1', "211403", &format!("MB{:06}", 1000 + i)).unwrap_or_default()
}

/// One hash for all: argon2 is slow on purpose, and the demo accounts share a password.
async fn demo_hash(password: &str, hash: &mut Option<String>) -> Result<String, StoreError> {
    if let Some(h) = hash {
        return Ok(h.clone());
    }
    let h = onewindow_web::auth::hash_password(password.to_string())
        .await
        .map_err(|_| StoreError::Config("cannot hash the demo password".into()))?;
    *hash = Some(h.clone());
    Ok(h)
}

fn is_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Domain(DomainError::Conflict(_)))
}

/// The files the demo's records point at, into the uploads directory: the site photos of the
/// community problems and the signed authorization of the petition cases.
pub async fn write_files(uploads_dir: &std::path::Path) -> std::io::Result<()> {
    use onewindow_web::service::uploads::{sha256_hex, write_blob};
    for bytes in [grid::PHOTO, petitions::AUTHORIZATION] {
        write_blob(uploads_dir, &sha256_hex(bytes), bytes).await?;
    }
    Ok(())
}

pub async fn seed(store: &dyn Store, password: &str) -> Result<Report, StoreError> {
    let ctx = Context::system("demo");
    let mut report = Report::default();

    let mut region_ids = std::collections::HashMap::new();
    for (code, name, parent) in REGIONS {
        let id = match store.region_by_code(code).await? {
            Some(r) => {
                report.kept += 1;
                r.id
            }
            None => {
                let parent_id = parent.and_then(|p| region_ids.get(p).copied());
                match store
                    .create_region(
                        &ctx,
                        NewRegion {
                            code: (*code).into(),
                            name: (*name).into(),
                            parent_id,
                        },
                    )
                    .await
                {
                    Ok(r) => {
                        report.created += 1;
                        r.id
                    }
                    // Another instance got there first.
                    Err(e) if is_conflict(&e) => {
                        store.region_by_code(code).await?.map(|r| r.id).ok_or(e)?
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        region_ids.insert(*code, id);
    }
    let district = region_ids.get("211403").copied().unwrap_or_default();

    let mut dept_ids = Vec::new();
    for (i, (name, phone)) in DEPARTMENTS.iter().enumerate() {
        let code = department_uscc(i);
        let id = match store.department_by_uscc(&code).await? {
            Some(d) => {
                report.kept += 1;
                d.id
            }
            None => {
                let new = NewDepartment {
                    name: (*name).into(),
                    uscc: code.clone(),
                    region_id: district,
                    phone: Some((*phone).into()),
                    address: Some("葫芦岛市龙港区政务服务中心".into()),
                };
                match store.create_department(&ctx, new).await {
                    Ok(d) => {
                        report.created += 1;
                        d.id
                    }
                    Err(e) if is_conflict(&e) => store
                        .department_by_uscc(&code)
                        .await?
                        .map(|d| d.id)
                        .ok_or(e)?,
                    Err(e) => return Err(e),
                }
            }
        };
        dept_ids.push(id);
    }
    // The short names the departments' document numbers carry (龙住建受〔2026〕第00017号).
    let key = onewindow_core::case::documents::PREFIXES_KEY;
    if store.setting(key).await?.is_none() {
        let prefixes: std::collections::BTreeMap<String, &str> = dept_ids
            .iter()
            .zip(SHORT_NAMES)
            .map(|(id, p)| (id.to_string(), p))
            .collect();
        let json =
            serde_json::to_string(&prefixes).map_err(|e| StoreError::Config(e.to_string()))?;
        store.put_setting(&ctx, key, &json).await?;
        report.created += 1;
    } else {
        report.kept += 1;
    }

    let hall = match store
        .halls(&ScopeFilter::all())
        .await?
        .into_iter()
        .find(|h| h.name == HALL)
    {
        Some(h) => {
            report.kept += 1;
            h
        }
        None => {
            report.created += 1;
            store
                .create_hall(
                    &ctx,
                    NewHall {
                        name: HALL.into(),
                        region_id: district,
                        address: Some("辽宁省葫芦岛市龙港区".into()),
                        floors: 3,
                        phone: Some("0429-12345".into()),
                        opens: "08:30".into(),
                        closes: "17:00".into(),
                        lunch_break: Some("11:30-13:30".into()),
                    },
                )
                .await?
        }
    };

    let zones = store.zones(hall.id).await?;
    let windows = store.windows(hall.id).await?;
    let mut number = 0;
    // Where each department sits: its zone and window numbers, for the guides' "where".
    let mut placement: Vec<catalog::Placement> = vec![Vec::new(); DEPARTMENTS.len()];
    for (name, floor, count, served) in ZONES {
        let zone_id = match zones.iter().find(|z| z.name == *name) {
            Some(z) => {
                report.kept += 1;
                z.id
            }
            None => {
                report.created += 1;
                store
                    .create_zone(
                        &ctx,
                        hall.id,
                        NewZone {
                            name: (*name).into(),
                            floor: *floor,
                        },
                    )
                    .await?
                    .id
            }
        };
        for k in 0..*count {
            number += 1;
            let dept = served[(k as usize) % served.len()];
            match placement[dept].iter_mut().find(|(z, _)| *z == zone_id) {
                Some((_, list)) => list.push(number),
                None => placement[dept].push((zone_id, vec![number])),
            }
            if windows.iter().any(|w| w.number == number) {
                report.kept += 1;
                continue;
            }
            // Two windows of the police zone handle confidential matters and stay off the wall.
            let confidential = *name == "公安服务区" && k >= count - 2;
            let department_ids = vec![dept_ids[served[(k as usize) % served.len()]]];
            store
                .create_window(
                    &ctx,
                    hall.id,
                    NewWindow {
                        zone_id,
                        number,
                        label: Some(format!("{name}{}号", k + 1)),
                        confidential,
                        department_ids,
                    },
                )
                .await?;
            report.created += 1;
        }
    }

    let mut hash: Option<String> = None;
    for a in ACCOUNTS.iter().chain(MORE_ACCOUNTS) {
        if store.user_by_username(a.username).await?.is_some() {
            report.kept += 1;
            continue;
        }
        let h = demo_hash(password, &mut hash).await?;
        // Demo accounts are made directly: the demo password is a published default, exempt
        // from the password rules that real accounts follow.
        let new = CleanNewUser {
            username: a.username.into(),
            display_name: a.display_name.into(),
            password: String::new(),
            roles: vec![a.role],
            department_id: a.department.map(|i| dept_ids[i]),
            region_id: a.region.and_then(|c| region_ids.get(c).copied()),
            phone: a.phone.map(str::to_string),
        };
        match store.create_user(&ctx, new, h).await {
            Ok(_) => report.created += 1,
            Err(e) if is_conflict(&e) => report.kept += 1,
            Err(e) => return Err(e),
        }
    }
    seed_catalog(store, &ctx, &dept_ids, hall.id, &placement, &mut report).await?;
    seed_workflows(store, &ctx, &dept_ids, &mut report).await?;
    seed_hall(store, &ctx, hall.id, &dept_ids, &mut report).await?;
    evaluation::seed(store, &ctx, &mut report).await?;
    grid::seed(store, &ctx, &dept_ids, &region_ids, &mut report).await?;
    enterprise::seed(store, &ctx, &dept_ids, &region_ids, &mut report).await?;
    licences::seed(store, &ctx, &mut report).await?;
    if store.stations(None).await?.is_empty() {
        let h = demo_hash(password, &mut hash).await?;
        petitions::seed(store, &ctx, &dept_ids, &region_ids, &h, &mut report).await?;
    } else {
        report.kept += 1;
    }
    Ok(report)
}

/// One business category per zone (A 企业开办, B 税务服务 …) with the matters of the zone's
/// departments; each window calls its zone's category. 综合窗口 1 also calls every other
/// category after its own, as a comprehensive window does.
async fn seed_hall(
    store: &dyn Store,
    ctx: &Context,
    hall_id: i64,
    dept_ids: &[i64],
    report: &mut Report,
) -> Result<(), StoreError> {
    use onewindow_core::hall::category::NewCategory;
    let existing = store.categories(hall_id).await?;
    let zones = store.zones(hall_id).await?;
    let mut by_zone: Vec<(i64, i64)> = Vec::new();
    for (i, (name, _, _, served)) in ZONES.iter().enumerate() {
        let Some(zone) = zones.iter().find(|z| z.name == *name) else {
            continue;
        };
        let label = name.trim_end_matches('区');
        let id = match existing.iter().find(|c| c.name == label) {
            Some(c) => {
                report.kept += 1;
                c.id
            }
            None => {
                let mut matter_ids = Vec::new();
                for d in *served {
                    matter_ids.extend(
                        store
                            .matters(&ScopeFilter::department(dept_ids[*d]))
                            .await?
                            .into_iter()
                            .map(|m| m.id),
                    );
                }
                let new = NewCategory {
                    name: label.into(),
                    prefix: char::from(b'A' + i as u8).to_string(),
                    zone_id: Some(zone.id),
                    matter_ids,
                }
                .clean()
                .map_err(|e| StoreError::Domain(e.into()))?;
                report.created += 1;
                store.create_category(ctx, hall_id, new).await?.id
            }
        };
        by_zone.push((zone.id, id));
    }
    // Every category takes bookings in hour-long slots, ten people each, around the lunch break
    // (11:30-13:30).
    let plan: Vec<onewindow_core::hall::appointment::SlotPlan> = [
        ("09:00", "10:00"),
        ("10:00", "11:00"),
        ("11:00", "11:30"),
        ("13:30", "14:30"),
        ("14:30", "15:30"),
        ("15:30", "16:30"),
    ]
    .iter()
    .map(|(a, b)| onewindow_core::hall::appointment::SlotPlan {
        starts: (*a).into(),
        ends: (*b).into(),
        capacity: 10,
    })
    .collect();
    for (_, c) in &by_zone {
        if store.slot_plan(*c).await?.is_empty() {
            store.set_slot_plan(ctx, hall_id, *c, plan.clone()).await?;
            report.created += 1;
        } else {
            report.kept += 1;
        }
    }
    let all: Vec<i64> = by_zone.iter().map(|z| z.1).collect();
    for w in store.windows(hall_id).await? {
        if !store.window_categories(w.id).await?.is_empty() {
            report.kept += 1;
            continue;
        }
        let Some(own) = by_zone.iter().find(|z| z.0 == w.zone_id).map(|z| z.1) else {
            continue;
        };
        let mut cats = vec![own];
        if w.number == 1 {
            cats.extend(all.iter().copied().filter(|c| *c != own));
        }
        store.set_window_categories(ctx, w.id, &cats).await?;
        report.created += 1;
    }
    Ok(())
}

/// 建筑工程施工许可: 住建局 checks first, then 住建、自然资源 and 生态环境 review in parallel.
async fn seed_workflows(
    store: &dyn Store,
    ctx: &Context,
    dept_ids: &[i64],
    report: &mut Report,
) -> Result<(), StoreError> {
    use onewindow_core::case::workflow::{Stage, Workflow};
    let Some(m) = store
        .matters(&ScopeFilter::department(dept_ids[3]))
        .await?
        .into_iter()
        .find(|m| m.name == PARALLEL_MATTER)
    else {
        return Ok(());
    };
    if store.workflow(m.id).await?.is_some() {
        report.kept += 1;
        return Ok(());
    }
    let flow = Workflow {
        stages: vec![
            Stage {
                name: "受理审查".into(),
                days: 1,
                role: Role::Approver,
                departments: vec![],
            },
            Stage {
                name: "并联审查".into(),
                days: 2,
                role: Role::Approver,
                departments: vec![dept_ids[3], dept_ids[4], dept_ids[16]],
            },
        ],
        joint: true,
    };
    store.save_workflow(ctx, m.id, flow).await?;
    report.created += 1;
    Ok(())
}

/// The catalog: imported in one transaction (a second start finds every guide unchanged), then
/// the life events, themes and bundles that are not there yet.
async fn seed_catalog(
    store: &dyn Store,
    ctx: &Context,
    dept_ids: &[i64],
    hall_id: i64,
    placement: &[catalog::Placement],
    report: &mut Report,
) -> Result<(), StoreError> {
    let phones: Vec<&str> = DEPARTMENTS.iter().map(|d| d.1).collect();
    let rows = catalog::matters(
        Some(hall_id),
        "辽宁省葫芦岛市龙港区政务服务中心",
        &phones,
        placement,
    );
    let by_name: std::collections::HashMap<String, String> = rows
        .iter()
        .map(|r| (r.2.name.clone(), r.1.clone()))
        .collect();
    let imported = store
        .import_matters(ctx, catalog::imported(dept_ids, rows))
        .await?;
    report.created += imported.created + imported.updated;
    report.kept += imported.unchanged;
    for t in catalog::topics(&by_name) {
        if store.topic_by_code(&t.code).await?.is_some() {
            report.kept += 1;
            continue;
        }
        let t = t.clean()?;
        match store.save_topic(ctx, t).await {
            Ok(_) => report.created += 1,
            Err(e) if is_conflict(&e) => report.kept += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_has_the_seeds_numbers() {
        assert_eq!(DEPARTMENTS.len(), 17);
        assert_eq!(ZONES.len(), 7);
        assert_eq!(ZONES.iter().map(|z| z.2).sum::<i64>(), 68);
        assert_eq!(ACCOUNTS.len(), Role::ALL.len());
        for r in Role::ALL {
            assert!(
                ACCOUNTS
                    .iter()
                    .any(|a| a.role == r && a.username == r.code()),
                "{r:?}"
            );
        }
        for i in 0..DEPARTMENTS.len() {
            assert!(uscc::parse(&department_uscc(i)).is_ok());
        }
    }
}
