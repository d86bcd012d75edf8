//! Grids (网格化管理): the map each instance keeps in memory (grids, the index that finds the grid
//! of a point, the categories), refreshed at most every 30 seconds and at once after an edit
//! made here; importing and exporting boundaries; staffing grids; categories; the district's
//! rules; patrol check-ins and the coverage report.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::cases;
use crate::state::AppState;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::access::Permission;
use onewindow_core::grid::Grid;
use onewindow_core::grid::category::{Category, NewCategory};
use onewindow_core::grid::geometry::{self, GridIndex};
use onewindow_core::grid::import::{self, GridFeature};
use onewindow_core::grid::landmark::{self, Landmark};
use onewindow_core::grid::report::{GridRules, Point};
use onewindow_core::time::{local_date, start_of};
use onewindow_core::{DomainError, FieldError, Text};
use onewindow_store::{Checkin, GridStaff, Store};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

const FRESH_FOR: Duration = Duration::from_secs(30);
pub const RULES_KEY: &str = "grid.rules";

/// What every report and every map reads, as of one moment.
pub struct GridMap {
    pub grids: Vec<Grid>,
    by_id: HashMap<i64, usize>,
    /// The grids without children: the finest, where a point is placed.
    leaves: GridIndex,
    pub categories: Vec<Category>,
    pub rules: GridRules,
    /// The places people name a spot by (地标).
    pub landmarks: Vec<Landmark>,
}

impl GridMap {
    pub fn grid(&self, id: i64) -> Option<&Grid> {
        self.by_id.get(&id).map(|&i| &self.grids[i])
    }

    /// The finest grid a point lies in.
    pub fn locate(&self, p: Point) -> Option<&Grid> {
        self.leaves
            .locate(p.lon, p.lat)
            .and_then(|id| self.grid(id))
    }

    /// A grid and its ancestors, the grid first.
    pub fn lineage(&self, id: i64) -> Vec<&Grid> {
        onewindow_core::grid::lineage(|g| self.grid(g), id)
    }

    /// The region a grid belongs to: its own, else its nearest ancestor's.
    pub fn region_of(&self, id: i64) -> Option<i64> {
        onewindow_core::grid::region_of(|g| self.grid(g), id)
    }

    pub fn category(&self, id: i64) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn category_by_code(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// A point as people name it: its grid (the finest, after its street's), and where it is
    /// from the nearest landmark ("滨海街道第1片区第3网格，滨海社区居委会东北约150米").
    pub fn place(&self, p: Point) -> Option<Text> {
        let grids: Vec<&Grid> = self
            .locate(p)
            .map(|g| self.lineage(g.id))
            .unwrap_or_default();
        let grid = match (grids.last(), grids.first()) {
            // The fine grid's own name, after its street's when it does not carry it already
            // (the map's script names a picked place the same way).
            (Some(top), Some(fine))
                if top.id != fine.id
                    && !fine.name.starts_with(top.name.trim_end_matches("网格")) =>
            {
                Some(format!("{} {}", top.name, fine.name))
            }
            (_, Some(fine)) => Some(fine.name.clone()),
            _ => None,
        };
        let near = landmark::nearest(&self.landmarks, p).map(|(l, d)| landmark::describe(l, d, p));
        match (grid, near) {
            (Some(g), Some(n)) => Some(Text::new(
                format!("{g}，{}", n.zh),
                format!("{g}, {}", n.en),
            )),
            (Some(g), None) => Some(Text::new(g.clone(), g)),
            (None, Some(n)) => Some(n),
            (None, None) => None,
        }
    }

    pub fn children(&self, id: Option<i64>) -> impl Iterator<Item = &Grid> {
        self.grids.iter().filter(move |g| g.parent_id == id)
    }
}

pub async fn load_rules(store: &dyn Store) -> AppResult<GridRules> {
    Ok(store
        .setting(RULES_KEY)
        .await?
        .and_then(|s| serde_json::from_str::<GridRules>(&s).ok())
        .unwrap_or_default())
}

async fn load(store: &dyn Store) -> AppResult<GridMap> {
    let grids = store.grids(None).await?;
    let by_id: HashMap<i64, usize> = grids.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let parents: BTreeSet<i64> = grids.iter().filter_map(|g| g.parent_id).collect();
    let leaves = GridIndex::new(
        grids
            .iter()
            .filter(|g| !parents.contains(&g.id))
            .map(|g| (g.id, g.shape.clone()))
            .collect(),
    );
    Ok(GridMap {
        grids,
        by_id,
        leaves,
        categories: store.event_categories().await?,
        rules: load_rules(store).await?,
        landmarks: store.landmarks().await?,
    })
}

#[derive(Default)]
pub struct GridCache {
    current: RwLock<Option<(Instant, Arc<GridMap>)>>,
}

impl GridCache {
    pub fn invalidate(&self) {
        if let Ok(mut c) = self.current.write() {
            *c = None;
        }
    }

    pub async fn get(&self, store: &dyn Store) -> AppResult<Arc<GridMap>> {
        if let Ok(c) = self.current.read()
            && let Some((at, m)) = c.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(m.clone());
        }
        let m = Arc::new(load(store).await?);
        if let Ok(mut c) = self.current.write() {
            *c = Some((Instant::now(), m.clone()));
        }
        Ok(m)
    }
}

pub async fn map(state: &AppState) -> AppResult<Arc<GridMap>> {
    state.grid_map.get(state.store.as_ref()).await
}

/// Grids, categories and rules are edited by dispatchers (the command centre) with a region
/// scope, and by administrators.
fn may_edit(auth: &Auth) -> AppResult<()> {
    let a = &auth.actor;
    if a.has(Permission::GridDispatch) && a.scope.department_id.is_none() {
        Ok(())
    } else {
        Err(DomainError::forbidden().into())
    }
}

fn may_read(auth: &Auth) -> AppResult<()> {
    Ok(auth.actor.require(Permission::GridRead)?)
}

/// What an import did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub created: usize,
    pub updated: usize,
}

/// Imports a GeoJSON FeatureCollection of grids; every problem is listed, and a file with any
/// problem imports nothing.
pub async fn import(state: &AppState, auth: &Auth, bytes: &[u8]) -> AppResult<ImportResult> {
    may_edit(auth)?;
    let doc = geojson(bytes)?;
    let known: HashMap<String, i64> = map(state)
        .await?
        .grids
        .iter()
        .map(|g| (g.code.clone(), g.level))
        .collect();
    let features = import::read(&doc, &known).map_err(problems)?;
    let (created, updated) = state
        .store
        .import_grids(&auth.ctx(), features, cases::now())
        .await?;
    super::relay::stale(state, super::relay::Cache::Grid);
    Ok(ImportResult { created, updated })
}

/// Where in a file a problem is, in words: "features[1].geometry" is the file's second feature.
fn feature_name(field: &str, lang: onewindow_core::Lang) -> String {
    let n = field
        .strip_prefix("features[")
        .and_then(|r| r.split(']').next())
        .and_then(|n| n.parse::<usize>().ok());
    match (n, lang) {
        (Some(n), onewindow_core::Lang::Zh) => format!("第{}个要素：", n + 1),
        (Some(n), onewindow_core::Lang::En) => format!("feature {}: ", n + 1),
        (None, _) => String::new(),
    }
}

/// An uploaded file read as JSON (grids or landmarks), or why not.
fn geojson(bytes: &[u8]) -> AppResult<serde_json::Value> {
    serde_json::from_slice(bytes).map_err(|e| {
        AppError::bad_request(
            "file",
            Text::new(
                format!("不是有效的GeoJSON：{e}"),
                format!("not valid GeoJSON: {e}"),
            ),
        )
    })
}

/// Every problem of a file in one error, named by the first one's field.
fn problems(errs: Vec<FieldError>) -> AppError {
    // The first twenty, then how many more.
    const SHOWN: usize = 20;
    let join = |lang: onewindow_core::Lang| {
        let mut v: Vec<String> = errs
            .iter()
            .take(SHOWN)
            .map(|e| format!("{}{}", feature_name(&e.field, lang), e.reason.get(lang)))
            .collect();
        if errs.len() > SHOWN {
            v.push(match lang {
                onewindow_core::Lang::Zh => format!("另有{}处问题", errs.len() - SHOWN),
                onewindow_core::Lang::En => format!("and {} more", errs.len() - SHOWN),
            });
        }
        v
    };
    let field = errs.first().map(|e| e.field.clone()).unwrap_or_default();
    AppError::from(FieldError::new(
        field,
        Text::new(
            join(onewindow_core::Lang::Zh).join("；"),
            join(onewindow_core::Lang::En).join("; "),
        ),
    ))
}

/// Replaces the district's landmarks with a GeoJSON FeatureCollection of points (`name`, `kind`);
/// a file with any problem changes nothing.
pub async fn import_landmarks(
    state: &AppState,
    auth: &Auth,
    bytes: &[u8],
) -> AppResult<LandmarkImport> {
    may_edit(auth)?;
    let doc = geojson(bytes)?;
    let list = landmark::read(&doc).map_err(problems)?;
    let kept = state
        .store
        .replace_landmarks(&auth.ctx(), auth.actor.scope.region_id, list, cases::now())
        .await?;
    super::relay::stale(state, super::relay::Cache::Grid);
    Ok(LandmarkImport { kept })
}

/// A point's name, as the report forms show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlaceName {
    /// The grid and the nearest landmark, or either; empty outside the grids with no landmark
    /// near.
    pub place: String,
    /// The finest grid's code, when the point is in one.
    pub grid: Option<String>,
}

/// Names a point by its grid and its nearest landmark.
pub async fn name_place(
    state: &AppState,
    p: Point,
    lang: onewindow_core::Lang,
) -> AppResult<PlaceName> {
    let p = p.check("lon", "lat")?;
    let m = map(state).await?;
    Ok(PlaceName {
        place: m
            .place(p)
            .map(|t| t.get(lang).to_string())
            .unwrap_or_default(),
        grid: m.locate(p).map(|g| g.code.clone()),
    })
}

/// What a landmark import kept.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LandmarkImport {
    pub kept: usize,
}

/// The landmarks as a FeatureCollection that `import_landmarks` reads back.
pub async fn export_landmarks(state: &AppState, auth: &Auth) -> AppResult<serde_json::Value> {
    may_read(auth)?;
    Ok(landmark::write(&map(state).await?.landmarks))
}

/// Every grid as a FeatureCollection that `import` reads back.
pub async fn export(state: &AppState, auth: &Auth) -> AppResult<serde_json::Value> {
    may_read(auth)?;
    let m = map(state).await?;
    let features: Vec<GridFeature> = m
        .grids
        .iter()
        .map(|g| GridFeature {
            code: g.code.clone(),
            name: g.name.clone(),
            level: g.level,
            parent: g.parent_id.and_then(|p| m.grid(p)).map(|p| p.code.clone()),
            shape: g.shape.clone(),
        })
        .collect();
    Ok(import::write(&features))
}

/// A grid as listed: its place, region, leader and workers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GridLine {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: i64,
    pub parent_id: Option<i64>,
    pub region_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub workers: Vec<i64>,
    pub version: i64,
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
}

fn grid_line(g: &Grid, workers: Vec<i64>) -> GridLine {
    GridLine {
        id: g.id,
        code: g.code.clone(),
        name: g.name.clone(),
        level: g.level,
        parent_id: g.parent_id,
        region_id: g.region_id,
        leader_id: g.leader_id,
        workers,
        version: g.version,
        geometry: g.geometry(),
    }
}

/// Every grid with its staff; the workers of all grids in one read.
pub async fn list(state: &AppState, auth: &Auth) -> AppResult<Vec<GridLine>> {
    may_read(auth)?;
    let m = map(state).await?;
    let mut workers: HashMap<i64, Vec<i64>> = HashMap::new();
    for (g, u) in state.store.all_grid_workers().await? {
        workers.entry(g).or_default().push(u);
    }
    Ok(m.grids
        .iter()
        .map(|g| grid_line(g, workers.remove(&g.id).unwrap_or_default()))
        .collect())
}

/// One grid as listed, read from the store.
pub async fn line(state: &AppState, id: i64) -> AppResult<GridLine> {
    let g = state
        .store
        .grid(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("网格", "grid")))?;
    Ok(grid_line(&g, state.store.grid_workers(id).await?))
}

/// Who works a grid, as entered.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffInput {
    pub version: i64,
    pub region_id: Option<i64>,
    pub leader_id: Option<i64>,
    #[serde(default)]
    pub workers: Vec<i64>,
}

/// Names a grid's region, its leader (网格长) and its workers (网格员): each must be an active
/// account with the grid role.
pub async fn set_staff(
    state: &AppState,
    auth: &Auth,
    grid_id: i64,
    input: StaffInput,
) -> AppResult<Grid> {
    may_edit(auth)?;
    if let Some(r) = input.region_id {
        let path = crate::service::region_path(state, Some(r)).await?;
        if path.is_empty() {
            return Err(AppError::bad_request(
                "region_id",
                Text::fixed("没有这个行政区划", "no such region"),
            ));
        }
        if !auth.actor.covers_region(&path) {
            return Err(DomainError::forbidden().into());
        }
    }
    for (field, id) in input
        .leader_id
        .iter()
        .map(|&l| ("leader_id", l))
        .chain(input.workers.iter().map(|&w| ("workers", w)))
    {
        let ok = state.store.user(id).await?.is_some_and(|u| {
            u.active
                && u.roles
                    .contains(&onewindow_core::identity::Role::GridWorker)
        });
        if !ok {
            return Err(AppError::bad_request(
                field,
                Text::new(
                    format!("账号{id}不是在用的网格员账号"),
                    format!("account {id} is not an active grid worker"),
                ),
            ));
        }
    }
    let g = state
        .store
        .set_grid_staff(
            &auth.ctx(),
            grid_id,
            input.version,
            GridStaff {
                region_id: input.region_id,
                leader_id: input.leader_id,
                workers: input.workers,
            },
            cases::now(),
        )
        .await?;
    super::relay::stale(state, super::relay::Cache::Grid);
    Ok(g)
}

pub async fn categories(state: &AppState) -> AppResult<Vec<Category>> {
    Ok(map(state).await?.categories.clone())
}

async fn check_department(state: &AppState, c: &NewCategory) -> AppResult<()> {
    if let Some(d) = c.department_id
        && state
            .org_facts
            .department_region(state.store.as_ref(), d)
            .await?
            .is_none()
    {
        return Err(AppError::bad_request(
            "department_id",
            Text::fixed("没有这个部门", "no such department"),
        ));
    }
    Ok(())
}

pub async fn create_category(state: &AppState, auth: &Auth, c: NewCategory) -> AppResult<Category> {
    may_edit(auth)?;
    let c = c.check()?;
    check_department(state, &c).await?;
    let out = state
        .store
        .create_event_category(&auth.ctx(), c, cases::now())
        .await?;
    super::relay::stale(state, super::relay::Cache::Grid);
    Ok(out)
}

/// A category edited, with the version it was read at.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct CategoryUpdate {
    pub version: i64,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(flatten)]
    pub category: NewCategory,
}

fn yes() -> bool {
    true
}

pub async fn update_category(
    state: &AppState,
    auth: &Auth,
    id: i64,
    u: CategoryUpdate,
) -> AppResult<Category> {
    may_edit(auth)?;
    let c = u.category.check()?;
    check_department(state, &c).await?;
    let out = state
        .store
        .update_event_category(&auth.ctx(), id, u.version, c, u.active, cases::now())
        .await?;
    super::relay::stale(state, super::relay::Cache::Grid);
    Ok(out)
}

pub async fn rules(state: &AppState) -> AppResult<GridRules> {
    Ok(map(state).await?.rules)
}

pub async fn save_rules(state: &AppState, auth: &Auth, r: GridRules) -> AppResult<GridRules> {
    may_edit(auth)?;
    let r = r.check()?;
    let value = serde_json::to_string(&r).map_err(|_| AppError::internal())?;
    state
        .store
        .put_setting(&auth.ctx(), RULES_KEY, &value)
        .await?;
    super::relay::stale(state, super::relay::Cache::Grid);
    Ok(r)
}

/// An Open311 key issued to a client.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IssuedKey {
    pub name: String,
    /// Shown this once; only its SHA-256 is kept.
    pub api_key: String,
}

/// Issues an Open311 api key to a named client (the command centre does).
pub async fn issue_key(state: &AppState, auth: &Auth, name: &str) -> AppResult<IssuedKey> {
    may_edit(auth)?;
    let name = onewindow_core::validate::text::required("name", name, 100)?;
    let key = crate::auth::random_token();
    state
        .store
        .add_open311_key(
            &auth.ctx(),
            &name,
            &crate::service::uploads::sha256_hex(key.as_bytes()),
            cases::now(),
        )
        .await?;
    Ok(IssuedKey { name, api_key: key })
}

/// The point checked and placed in a grid; a point outside every grid is refused.
pub fn place(m: &GridMap, p: Point, lon: &str, lat: &str) -> AppResult<(Point, i64)> {
    let p = p.check(lon, lat)?;
    let g = m.locate(p).ok_or_else(|| {
        AppError::from(FieldError::new(
            "location",
            Text::fixed("该位置不在任何网格内", "the place lies outside every grid"),
        ))
    })?;
    Ok((p, g.id))
}

/// A check-in on patrol (巡查打卡), where the worker stands.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinInput {
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub note: String,
}

pub async fn check_in(state: &AppState, auth: &Auth, input: CheckinInput) -> AppResult<Checkin> {
    auth.actor.require(Permission::GridReport)?;
    let m = map(state).await?;
    let (p, grid) = place(
        &m,
        Point {
            lon: input.lon,
            lat: input.lat,
        },
        "lon",
        "lat",
    )?;
    let note =
        onewindow_core::validate::text::optional("note", &input.note, 500)?.unwrap_or_default();
    Ok(state
        .store
        .patrol_check_in(&auth.ctx(), Some(grid), p, &note, cases::now())
        .await?)
}

/// One worker's patrols over a period.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct WorkerPatrol {
    pub user_id: i64,
    pub name: String,
    pub checkins: i64,
    /// Days with at least one check-in.
    pub days: i64,
    /// Distinct grids checked in.
    pub grids: i64,
    /// Of the grids the worker is assigned, those checked in.
    pub assigned: i64,
    pub assigned_visited: i64,
}

/// One grid's patrols over a period.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct GridPatrol {
    pub grid_id: i64,
    pub code: String,
    pub name: String,
    pub checkins: i64,
    pub workers: i64,
    pub days: i64,
}

/// Patrols (痕迹化管理) of a period: each worker's and each grid's, with the grids nobody
/// visited, and the day's check-ins.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PatrolReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by_worker: Vec<WorkerPatrol>,
    pub by_grid: Vec<GridPatrol>,
    /// Finest grids without a check-in in the period.
    pub unvisited: Vec<String>,
    /// Share (percent) of the finest grids visited.
    pub coverage: Option<f64>,
    pub checkins: Vec<Checkin>,
}

pub fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> AppResult<(NaiveDate, NaiveDate)> {
    let to = to.unwrap_or_else(|| local_date(cases::now()));
    let from = from.unwrap_or(to - chrono::Duration::days(29));
    if from > to {
        return Err(AppError::bad_request(
            "from",
            Text::fixed("开始日期晚于结束日期", "the period starts after it ends"),
        ));
    }
    if to - from > chrono::Duration::days(366) {
        return Err(AppError::bad_request(
            "to",
            Text::fixed("统计期间不能超过一年", "a period is at most a year"),
        ));
    }
    Ok((from, to))
}

pub fn bounds(from: NaiveDate, to: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    (start_of(from), start_of(to + chrono::Duration::days(1)))
}

/// A grid worker sees their own patrols; those who read grids see everyone's.
pub async fn patrols(
    state: &AppState,
    auth: &Auth,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<PatrolReport> {
    may_read(auth)?;
    let (from, to) = period(from, to)?;
    let (a, b) = bounds(from, to);
    let only = (!auth.actor.has(Permission::GridDispatch)
        && !auth.actor.has(Permission::Supervise))
    .then_some(auth.user.id);
    let checkins = state.store.patrol_checkins(only, a, b, 100_000).await?;
    let m = map(state).await?;
    let mut workers: BTreeMap<i64, (WorkerPatrol, BTreeSet<NaiveDate>, BTreeSet<i64>)> =
        BTreeMap::new();
    let mut grids: BTreeMap<i64, (GridPatrol, BTreeSet<NaiveDate>, BTreeSet<i64>)> =
        BTreeMap::new();
    for c in &checkins {
        let day = local_date(c.at);
        let w = workers.entry(c.user_id).or_default();
        w.0.user_id = c.user_id;
        w.0.name = c.user_name.clone();
        w.0.checkins += 1;
        w.1.insert(day);
        if let Some(g) = c.grid_id {
            w.2.insert(g);
            let e = grids.entry(g).or_default();
            e.0.checkins += 1;
            e.1.insert(day);
            e.2.insert(c.user_id);
        }
    }
    let mut by_worker = Vec::new();
    for (id, (mut w, days, visited)) in workers {
        w.days = days.len() as i64;
        w.grids = visited.len() as i64;
        let assigned = state.store.grids_of(id).await?;
        w.assigned = assigned.len() as i64;
        w.assigned_visited = assigned.iter().filter(|g| visited.contains(g)).count() as i64;
        by_worker.push(w);
    }
    let by_grid: Vec<GridPatrol> = grids
        .into_iter()
        .map(|(id, (mut g, days, who))| {
            g.grid_id = id;
            if let Some(x) = m.grid(id) {
                g.code = x.code.clone();
                g.name = x.name.clone();
            }
            g.days = days.len() as i64;
            g.workers = who.len() as i64;
            g
        })
        .collect();
    let parents: BTreeSet<i64> = m.grids.iter().filter_map(|g| g.parent_id).collect();
    let leaves: Vec<&Grid> = m
        .grids
        .iter()
        .filter(|g| !parents.contains(&g.id))
        .collect();
    let visited: BTreeSet<i64> = by_grid.iter().map(|g| g.grid_id).collect();
    let unvisited: Vec<String> = leaves
        .iter()
        .filter(|g| !visited.contains(&g.id))
        .map(|g| format!("{} {}", g.code, g.name))
        .collect();
    let coverage = (!leaves.is_empty()).then(|| {
        let v = leaves.len() - unvisited.len();
        (v as f64 * 1000.0 / leaves.len() as f64).round() / 10.0
    });
    Ok(PatrolReport {
        from,
        to,
        by_worker,
        by_grid,
        unvisited,
        coverage,
        checkins,
    })
}

/// How well one grid is covered by its children.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CoverageLine {
    pub grid_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub children: usize,
    /// Share (percent) of the grid's area no child covers.
    pub gap_percent: f64,
    /// Overlapping children, by code, with the share (percent) of the parent they share.
    pub overlaps: Vec<(String, String, f64)>,
    /// Children reaching outside, with the share (percent) of their own area outside.
    pub outside: Vec<(String, f64)>,
}

/// The coverage check (覆盖检查): for each grid with children, its gaps, its children's overlaps
/// and the children reaching outside it; for the first level, overlaps among themselves.
pub async fn coverage(state: &AppState, auth: &Auth) -> AppResult<Vec<CoverageLine>> {
    may_read(auth)?;
    let m = map(state).await?;
    let code = |id: i64| m.grid(id).map(|g| g.code.clone()).unwrap_or_default();
    let pct = |x: f64| (x * 10_000.0).round() / 100.0;
    let mut out = Vec::new();
    for parent in &m.grids {
        let kids: Vec<(i64, geometry::Shape)> = m
            .children(Some(parent.id))
            .map(|g| (g.id, g.shape.clone()))
            .collect();
        if kids.is_empty() {
            continue;
        }
        let c = geometry::coverage(&parent.shape, &kids);
        out.push(CoverageLine {
            grid_id: Some(parent.id),
            code: parent.code.clone(),
            name: parent.name.clone(),
            children: kids.len(),
            gap_percent: pct(c.gap_share),
            overlaps: c
                .overlaps
                .iter()
                .map(|(a, b, s)| (code(*a), code(*b), pct(*s)))
                .collect(),
            outside: c.outside.iter().map(|(a, s)| (code(*a), pct(*s))).collect(),
        });
    }
    Ok(out)
}
