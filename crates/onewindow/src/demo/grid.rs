//! The demo district's grids (网格化管理) as the seeds describe them: 6 first-level grids (one per
//! street), 58 second-level and 312 third-level ones, drawn on a 24 × 13 lattice of cells whose
//! edges wobble (so each is a real polygon); the categories of community problems with their
//! departments and limits; the demo grid worker on their grids; and a few hundred problems over
//! the last weeks, closed at about the seeds' rate (54,673 of 57,079, 95.78%), with the rest in
//! every open state. Written once: a second run finds the grids and leaves everything as it is.
//! Each write is counted once per audit entry it makes.

use super::Report;
use chrono::{DateTime, Duration, Utc};
use onewindow_core::audit::Context;
use onewindow_core::calendar::Calendar;
use onewindow_core::grid::category::{Attribute, Choice, Datatype, NewCategory};
use onewindow_core::grid::event::{Action, Source};
use onewindow_core::grid::geometry::{self, Shape};
use onewindow_core::grid::import::GridFeature;
use onewindow_core::grid::limit::{Limit, StepLimits};
use onewindow_core::grid::report::{NewEvent, Point};
use onewindow_store::{GridStaff, NewEventRecord, NewFile, Store, StoreError};
use std::collections::BTreeMap;

/// Columns and rows of the third-level lattice, and the size of a cell in degrees.
pub const COLS: i64 = 24;
pub const ROWS: i64 = 13;
const CELL: f64 = 0.01;
const WEST: f64 = 120.70;
const SOUTH: f64 = 40.60;
/// Points per cell edge: the corners of a cell are on a finer lattice, shared by neighbours.
const SUB: i64 = 5;

/// A point of the fine lattice, moved a little (except at cell corners) so that edges wobble.
/// Neighbouring cells compute their shared points from the same integers, so they match exactly.
fn node(i: i64, j: i64) -> [f64; 2] {
    let step = CELL / SUB as f64;
    let (mut x, mut y) = (WEST + i as f64 * step, SOUTH + j as f64 * step);
    if i % SUB != 0 || j % SUB != 0 {
        let k = (i * 7919 + j * 104_729) as f64;
        // Edge points move along their edge's normal only, so the cell stays simple.
        if i % SUB == 0 {
            x += k.sin() * step * 0.3;
        } else {
            y += k.cos() * step * 0.3;
        }
    }
    [x, y]
}

/// A third-level cell's boundary.
pub fn cell(col: i64, row: i64) -> Shape {
    let (i0, j0) = (col * SUB, row * SUB);
    let mut ring = Vec::new();
    for k in 0..SUB {
        ring.push(node(i0 + k, j0));
    }
    for k in 0..SUB {
        ring.push(node(i0 + SUB, j0 + k));
    }
    for k in 0..SUB {
        ring.push(node(i0 + SUB - k, j0 + SUB));
    }
    for k in 0..SUB {
        ring.push(node(i0, j0 + SUB - k));
    }
    ring.push(ring[0]);
    let v = serde_json::json!({"type": "Polygon", "coordinates": [ring]});
    geometry::parse("geometry", &v).unwrap_or_else(|_| geo_empty())
}

/// No shape (never reached: every cell of the lattice is a valid polygon).
fn geo_empty() -> Shape {
    geometry::union(&[])
}

/// A second-level group: its block, and its column and half in the block.
type Group = (usize, (i64, i64));

/// Which first-level block (0–5) and second-level group a cell belongs to: blocks of 8 columns
/// by the upper 7 or lower 6 rows; second-level groups are the blocks' columns, the first two
/// columns of blocks 0–4 split in halves (5 × 10 + 8 = 58).
fn group(col: i64, row: i64) -> Group {
    let block = (if row < 7 { 0 } else { 3 } + col / 8) as usize;
    let local = col % 8;
    let (first, rows) = if row < 7 { (0, 7) } else { (7, 6) };
    let half = if local < 2 && block < 5 {
        i64::from(row - first >= rows / 2 + rows % 2)
    } else {
        0
    };
    (block, (local, half))
}

pub const STREETS: [(&str, &str); 6] = [
    ("211403001", "滨海街道"),
    ("211403002", "望海寺街道"),
    ("211403003", "龙湾街道"),
    ("211403004", "玉皇街道"),
    ("211403005", "连湾街道"),
    ("211403006", "北港街道"),
];

/// The three levels, parents first.
pub fn lattice() -> Vec<GridFeature> {
    let mut l2: BTreeMap<Group, Vec<(i64, i64)>> = BTreeMap::new();
    for row in 0..ROWS {
        for col in 0..COLS {
            l2.entry(group(col, row)).or_default().push((col, row));
        }
    }
    let mut l1: Vec<Vec<Shape>> = vec![Vec::new(); 6];
    let mut out2 = Vec::new();
    let mut out3 = Vec::new();
    let mut seq = [0usize; 6];
    for ((block, _), cells) in &l2 {
        seq[*block] += 1;
        let code2 = format!("G{:02}-{:02}", block + 1, seq[*block]);
        let shapes: Vec<Shape> = cells.iter().map(|&(c, r)| cell(c, r)).collect();
        for (k, ((_, _), s)) in cells.iter().zip(&shapes).enumerate() {
            out3.push(GridFeature {
                code: format!("{code2}-{:02}", k + 1),
                name: format!("{}第{}片区第{}网格", STREETS[*block].1, seq[*block], k + 1),
                level: 3,
                parent: Some(code2.clone()),
                shape: s.clone(),
            });
        }
        let shape = geometry::union(&shapes);
        l1[*block].push(shape.clone());
        out2.push(GridFeature {
            code: code2,
            name: format!("{}第{}片区", STREETS[*block].1, seq[*block]),
            level: 2,
            parent: Some(format!("G{:02}", block + 1)),
            shape,
        });
    }
    let mut out: Vec<GridFeature> = l1
        .iter()
        .enumerate()
        .map(|(b, shapes)| GridFeature {
            code: format!("G{:02}", b + 1),
            name: format!("{}网格", STREETS[b].1),
            level: 1,
            parent: None,
            shape: geometry::union(shapes),
        })
        .collect();
    out.extend(out2);
    out.extend(out3);
    out
}

/// Community names of the demo district, one per second-level area (58).
const COMMUNITIES: [&str; 58] = [
    "海滨", "兴海", "望海", "渤海", "锦绣", "和平", "新华", "东港", "西港", "阳光", "幸福", "康乐",
    "文化", "建设", "胜利", "振兴", "友谊", "光明", "长青", "红星", "繁荣", "安居", "永安", "太平",
    "朝阳", "向阳", "金湾", "银湾", "港湾", "翠湖", "清风", "明月", "春晖", "秋实", "丰收", "团结",
    "民主", "育才", "书香", "园林", "滨河", "临港", "海韵", "海棠", "桃园", "梨园", "杏林", "松林",
    "柳荫", "枫林", "竹园", "荷塘", "月湾", "星海", "龙泉", "凤鸣", "鹤翔", "云峰",
];

/// The demo district's landmarks: each area's residents' committee at its middle cell, each
/// street's office, and a school, park, market, clinic, bus stop, shop or square in every cell,
/// off the cell's middle (where the demo's reports are), so that a report is some metres from
/// one.
pub fn landmarks() -> Vec<onewindow_core::grid::landmark::NewLandmark> {
    use onewindow_core::grid::landmark::NewLandmark;
    let mut areas: BTreeMap<Group, Vec<(i64, i64)>> = BTreeMap::new();
    for row in 0..ROWS {
        for col in 0..COLS {
            areas.entry(group(col, row)).or_default().push((col, row));
        }
    }
    let mut out = Vec::new();
    let at = |col: i64, row: i64, dx: f64, dy: f64| {
        let c = centre(col, row);
        Point {
            lon: c.lon + dx,
            lat: c.lat + dy,
        }
    };
    for (i, cells) in areas.values().enumerate() {
        let (col, row) = cells[cells.len() / 2];
        out.push(NewLandmark {
            name: format!("{}社区居委会", COMMUNITIES[i % COMMUNITIES.len()]),
            kind: Some("居委会".into()),
            point: at(col, row, 0.0012, 0.0009),
        });
    }
    for (b, (_, street)) in STREETS.iter().enumerate() {
        let (col, row) = (b as i64 % 3 * 8 + 4, if b < 3 { 3 } else { 10 });
        out.push(NewLandmark {
            name: format!("{street}办事处"),
            kind: Some("政府机关".into()),
            point: at(col, row, -0.0015, 0.0011),
        });
    }
    const KINDS: [(&str, &str); 8] = [
        ("小学", "学校"),
        ("公园", "公园"),
        ("农贸市场", "市场"),
        ("社区卫生服务站", "医院"),
        ("公交站", "公交站"),
        ("超市", "商店"),
        ("幼儿园", "学校"),
        ("广场", "广场"),
    ];
    // One in every cell, somewhere in it (never at its middle, where the demo's reports are).
    for row in 0..ROWS {
        for col in 0..COLS {
            let k = (row * COLS + col) as usize;
            let stem = COMMUNITIES[(col as usize * 7 + row as usize * 13) % COMMUNITIES.len()];
            let (suffix, kind) = KINDS[k % KINDS.len()];
            let dx = ((col * 37 + row * 11) % 7 - 3) as f64 * 0.0012;
            let dy = ((col * 13 + row * 29) % 7 - 3) as f64 * 0.001;
            out.push(NewLandmark {
                name: format!("{stem}{suffix}"),
                kind: Some(kind.into()),
                point: at(col, row, if dx == 0.0 { 0.0015 } else { dx }, dy),
            });
        }
    }
    out.push(NewLandmark {
        name: "龙港区政务服务中心".into(),
        kind: Some("政府机关".into()),
        point: at(12, 6, 0.0025, -0.0012),
    });
    out
}

/// The middle of a cell, for demo reports.
pub fn centre(col: i64, row: i64) -> Point {
    Point {
        lon: WEST + (col as f64 + 0.5) * CELL,
        lat: SOUTH + (row as f64 + 0.5) * CELL,
    }
}

/// (code, name, group, department index into DEPARTMENTS, limit, keywords)
type CategorySeed = (
    &'static str,
    &'static str,
    &'static str,
    Option<usize>,
    Limit,
    &'static str,
);

const CATEGORIES: &[CategorySeed] = &[
    (
        "drain",
        "下水道堵塞",
        "市政设施",
        Some(3),
        Limit::working_days(3),
        "下水道 井盖 积水",
    ),
    (
        "streetlight",
        "路灯不亮",
        "市政设施",
        Some(3),
        Limit::hours(48),
        "路灯 照明",
    ),
    (
        "road",
        "道路破损",
        "道路交通",
        Some(6),
        Limit::working_days(5),
        "坑洼 路面",
    ),
    (
        "garbage",
        "垃圾乱堆",
        "市容环境",
        Some(13),
        Limit::hours(24),
        "垃圾 清运",
    ),
    (
        "stall",
        "占道经营",
        "市容环境",
        Some(13),
        Limit::hours(2),
        "摊点 占道",
    ),
    (
        "building",
        "违章搭建",
        "城市管理",
        Some(13),
        Limit::working_days(10),
        "违建",
    ),
    (
        "noise",
        "噪声扰民",
        "生态环境",
        Some(16),
        Limit::working_days(3),
        "噪音 施工",
    ),
    (
        "help",
        "困难群众求助",
        "社情民意",
        Some(8),
        Limit::working_days(5),
        "低保 救助",
    ),
    (
        "dispute",
        "邻里纠纷",
        "社情民意",
        None,
        Limit::working_days(5),
        "调解",
    ),
    (
        "other",
        "其他问题",
        "其他",
        None,
        Limit::working_days(5),
        "",
    ),
];

fn category(c: &CategorySeed, dept_ids: &[i64]) -> NewCategory {
    let attributes = match c.0 {
        "drain" => vec![Attribute {
            code: "depth".into(),
            description: "积水深度（厘米）".into(),
            datatype: Datatype::Number,
            required: false,
            values: vec![],
        }],
        "garbage" => vec![Attribute {
            code: "kind".into(),
            description: "垃圾类型".into(),
            datatype: Datatype::Singlevaluelist,
            required: true,
            values: [
                ("household", "生活垃圾"),
                ("construction", "建筑垃圾"),
                ("bulky", "大件垃圾"),
            ]
            .iter()
            .map(|(k, n)| Choice {
                key: (*k).into(),
                name: (*n).into(),
            })
            .collect(),
        }],
        _ => vec![],
    };
    NewCategory {
        code: c.0.into(),
        name: c.1.into(),
        group: c.2.into(),
        description: format!("{}：请描述具体位置和情况", c.1),
        keywords: c.5.into(),
        department_id: c.3.and_then(|i| dept_ids.get(i).copied()),
        limit: c.4,
        attributes,
    }
}

/// A one-pixel picture: what the demo's site photos point at (written to the uploads folder by
/// `serve --demo`).
pub const PHOTO: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x4a, 0x90, 0x4a,
    0xff, 0xff, 0xff, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44,
    0x01, 0x00, 0x3b,
];

pub fn photo() -> NewFile {
    NewFile {
        material: "photo".into(),
        file_name: "现场照片.gif".into(),
        content_type: "image/gif".into(),
        size: PHOTO.len() as i64,
        sha256: onewindow_web::service::uploads::sha256_hex(PHOTO),
    }
}

const PROBLEMS: [&str; 10] = [
    "井盖缺失，下水道堵塞，雨后路面积水",
    "路灯连续三晚不亮，行人夜间出行不便",
    "路面出现大坑，车辆通行颠簸",
    "小区门口垃圾堆放多日无人清运",
    "早市摊点占用人行道",
    "楼顶私自搭建彩钢房",
    "夜间施工噪声扰民",
    "独居老人生活困难，请求救助",
    "楼上漏水引发邻里纠纷",
    "公共座椅损坏",
];

/// Where a demo event stands at the end: how far along its way it went.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    Reported,
    Declined,
    Registered,
    Dispatched,
    Handling,
    Extension,
    Verifying,
    Verified,
    Closed,
}

const EVENTS: usize = 240;

fn stage(i: usize) -> Stage {
    match i {
        0 => Stage::Reported,
        1 => Stage::Declined,
        2 => Stage::Registered,
        3 => Stage::Dispatched,
        4 | 5 => Stage::Handling,
        6 => Stage::Extension,
        7 => Stage::Verifying,
        8 => Stage::Verified,
        9 => Stage::Reported,
        _ => Stage::Closed,
    }
}

pub async fn seed(
    store: &dyn Store,
    ctx: &Context,
    dept_ids: &[i64],
    region_ids: &std::collections::HashMap<&str, i64>,
    report: &mut Report,
) -> Result<(), StoreError> {
    // Landmarks came after the grids: a district seeded before them gets them now.
    if store.landmarks().await?.is_empty() {
        let district = region_ids.get("211403").copied();
        store
            .replace_landmarks(ctx, district, landmarks(), Utc::now())
            .await?;
        report.created += 1;
    }
    if !store.grids(Some(1)).await?.is_empty() {
        report.kept += 1;
        return Ok(());
    }
    let now = Utc::now();
    let features = lattice();
    let n = features.len();
    store.import_grids(ctx, features, now).await?;
    report.created += n;
    let grids = store.grids(None).await?;
    let id_of = |code: &str| {
        grids
            .iter()
            .find(|g| g.code == code)
            .map(|g| (g.id, g.version))
    };
    // Each street's grid in its street; the first two areas of 滨海街道 in its communities.
    let mut regions: Vec<(String, i64)> = STREETS
        .iter()
        .enumerate()
        .filter_map(|(b, (code, _))| Some((format!("G{:02}", b + 1), *region_ids.get(code)?)))
        .collect();
    for (code, community) in [("G01-01", "211403001001"), ("G01-02", "211403001002")] {
        if let Some(r) = region_ids.get(community) {
            regions.push((code.to_string(), *r));
        }
    }
    let worker = store.user_by_username("grid").await?;
    for (code, region) in regions {
        let Some((id, version)) = id_of(&code) else {
            continue;
        };
        let mut staff = GridStaff {
            region_id: Some(region),
            ..GridStaff::default()
        };
        if code == "G01-01"
            && let Some(w) = &worker
        {
            staff.leader_id = Some(w.id);
        }
        store.set_grid_staff(ctx, id, version, staff, now).await?;
        report.created += 1;
    }
    // The demo grid worker works the third-level grids of 滨海街道第1片区.
    if let Some(w) = &worker {
        for g in grids.iter().filter(|g| g.code.starts_with("G01-01-")) {
            store
                .set_grid_staff(
                    ctx,
                    g.id,
                    g.version,
                    GridStaff {
                        workers: vec![w.id],
                        ..GridStaff::default()
                    },
                    now,
                )
                .await?;
            report.created += 1;
        }
    }
    let mut cats = Vec::new();
    for c in CATEGORIES {
        cats.push(
            store
                .create_event_category(ctx, category(c, dept_ids).check()?, now)
                .await?,
        );
        report.created += 1;
    }
    let grids = store.grids(None).await?;
    seed_events(store, ctx, &cats, &grids, region_ids, now, report).await
}

/// A grid's region: its own, else its nearest ancestor's.
fn region_of(grids: &[onewindow_core::grid::Grid], id: i64) -> Option<i64> {
    onewindow_core::grid::region_of(|x| grids.iter().find(|g| g.id == x), id)
}

#[allow(clippy::too_many_arguments)]
async fn seed_events(
    store: &dyn Store,
    ctx: &Context,
    cats: &[onewindow_core::grid::category::Category],
    grids: &[onewindow_core::grid::Grid],
    region_ids: &std::collections::HashMap<&str, i64>,
    now: DateTime<Utc>,
    report: &mut Report,
) -> Result<(), StoreError> {
    let cal = Calendar::builtin();
    let steps = StepLimits::default();
    let district = region_ids.get("211403").copied().unwrap_or_default();
    let fallback = cats.iter().find_map(|c| c.department_id);
    let leaves: Vec<&onewindow_core::grid::Grid> = grids.iter().filter(|g| g.level == 3).collect();
    for i in 0..EVENTS {
        let s = stage(i);
        let cat = &cats[i % cats.len()];
        // Open ones are recent (today), closed ones spread over the last 8 weeks.
        let reported = if s == Stage::Closed {
            now - Duration::hours(72 + (i as i64 * 37) % (54 * 24))
        } else {
            now - Duration::minutes(20 + i as i64 * 2)
        };
        // The demo worker's own grids get the first events, so their phone page has work.
        let (col, row) = if i < 12 {
            (0, (i % 3) as i64)
        } else {
            ((i as i64 * 7) % 24, (i as i64 * 5) % 13)
        };
        let p = centre(col, row);
        let grid = leaves
            .iter()
            .find(|g| geometry::covers(&g.shape, p.lon, p.lat))
            .map(|g| g.id);
        let source = match i % 20 {
            0..=11 => Source::Grid,
            12..=15 => Source::Hotline,
            16 | 17 => Source::Citizen,
            18 => Source::Open311,
            _ => Source::Ledger,
        };
        let e = store
            .report_event(
                ctx,
                NewEventRecord {
                    event: NewEvent {
                        category_id: Some(cat.id),
                        description: PROBLEMS[i % PROBLEMS.len()].into(),
                        address: format!("龙港区{}附近", STREETS[(i / 3) % 6].1),
                        point: Some(p),
                        reporter_name: if source == Source::Grid {
                            "王网格".into()
                        } else {
                            "市民".into()
                        },
                        reporter_phone: format!("1390429{:04}", 5000 + i),
                        reporter_email: String::new(),
                    },
                    source,
                    region_id: grid.and_then(|g| region_of(grids, g)).unwrap_or(district),
                    reporter_id: None,
                    grid_id: grid,
                    attributes: match cat.code.as_str() {
                        "garbage" => serde_json::json!({"kind": "household"}),
                        _ => serde_json::json!({}),
                    },
                    token: None,
                    register_due: steps.register.due(reported, &cal).unwrap_or(reported),
                    photos: vec![photo()],
                    at: reported,
                },
            )
            .await?;
        report.created += 1;
        let mut e = e;
        let step = |actions: Vec<Action>, minutes: i64| {
            let at = (reported + Duration::minutes(minutes)).min(now);
            let n = actions.len();
            (actions, at, n)
        };
        let mut plan: Vec<(Vec<Action>, DateTime<Utc>, usize)> = Vec::new();
        if s == Stage::Reported {
            continue;
        }
        if s == Stage::Declined {
            plan.push(step(
                vec![Action::Decline {
                    reason: "重复上报，已并入前一事件".into(),
                }],
                10,
            ));
        } else {
            let dept = cat.department_id.or(fallback);
            let mut first = vec![Action::Register { category_id: None }];
            if s != Stage::Registered
                && let Some(d) = dept
            {
                first.push(Action::Dispatch {
                    department_id: d,
                    grid_id: None,
                });
            }
            plan.push(step(first, 10));
            if !matches!(s, Stage::Registered | Stage::Dispatched) {
                plan.push(step(vec![Action::Sign], 40));
            }
            if s == Stage::Extension {
                plan.push(step(
                    vec![Action::RequestExtension {
                        days: 3,
                        reason: "需协调产权单位".into(),
                    }],
                    60,
                ));
            }
            if matches!(s, Stage::Verifying | Stage::Verified | Stage::Closed) {
                // One in 13 is fed back after its limit.
                let late = i % 13 == 0;
                let minutes = if late {
                    60 * 24 * 12
                } else {
                    60 * (4 + (i as i64 % 20))
                };
                plan.push(step(
                    vec![Action::FeedBack {
                        result: "已现场处置完毕".into(),
                    }],
                    minutes,
                ));
                if s != Stage::Verifying {
                    let photo = Some(photo().sha256);
                    let mut last = vec![Action::Verify {
                        passed: true,
                        note: "现场核查已整改".into(),
                        photo,
                    }];
                    if s == Stage::Closed {
                        last.push(Action::Close);
                        last.push(Action::Callback {
                            satisfaction: if i % 17 == 0 { 3 } else { 5 },
                            note: None,
                        });
                    }
                    plan.push(step(last, minutes + 120));
                }
            }
        }
        for (actions, at, n) in plan {
            e = store
                .act_on_event(ctx, e.id, e.version, actions, &cal, steps, at)
                .await?;
            report.created += n;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lattice_has_the_seeds_levels_and_covers_without_gaps_or_overlaps() {
        let all = lattice();
        let count = |l: i64| all.iter().filter(|g| g.level == l).count();
        assert_eq!((count(1), count(2), count(3)), (6, 58, 312));
        // Every boundary is what the import accepts, and it reads back from GeoJSON as it was.
        let doc = onewindow_core::grid::import::write(&all);
        let back = onewindow_core::grid::import::read(&doc, &Default::default()).unwrap();
        assert_eq!(back.len(), all.len());
        for parent in all.iter().filter(|g| g.level < 3) {
            let kids: Vec<(i64, Shape)> = all
                .iter()
                .enumerate()
                .filter(|(_, g)| g.parent.as_deref() == Some(parent.code.as_str()))
                .map(|(i, g)| (i as i64, g.shape.clone()))
                .collect();
            let c = geometry::coverage(&parent.shape, &kids);
            assert_eq!(c.gap_share, 0.0, "{} has gaps", parent.code);
            assert!(c.overlaps.is_empty(), "{} has overlaps", parent.code);
            assert!(
                c.outside.is_empty(),
                "{} has strays {:?}",
                parent.code,
                c.outside
            );
        }
        let p = centre(3, 4);
        assert!(geometry::covers(&cell(3, 4), p.lon, p.lat));
    }
}
