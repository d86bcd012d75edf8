//! Community problems (社情问题 / 诉求) through the 数字城管 flow: reported by grid workers from
//! their phones, by citizens on the web, by hotline operators, from standing ledgers and by
//! Open311 clients, all into one process; placed in a grid by their point; registered and
//! dispatched (automatically to the category's department, or by hand); signed for, returned,
//! extended, fed back, verified on site, closed and called back. Who may take each step is
//! checked here; the step itself is the core's.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::grid::{self, GridMap, bounds, period};
use crate::service::uploads::{self, Upload};
use crate::service::{cases, owner, scope_filter};
use crate::state::AppState;
use chrono::NaiveDate;
use onewindow_core::access::Permission;
use onewindow_core::audit::Context;
use onewindow_core::case::clock::Light;
use onewindow_core::grid::category::{Answers, check_answers};
use onewindow_core::grid::event::{self, Action, LogLine, Source, State};
use onewindow_core::grid::report::{DuplicateHint, Event, NewEvent, duplicates};
use onewindow_core::identity::Role;
use onewindow_core::{DomainError, FieldError, Text};
use onewindow_store::{EventFilter, EventPhoto, EventTally, NewEventRecord, NewFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

const EVENT: Text = Text::fixed("事件", "event");

/// Who reports: a signed-in person, or an Open311 client by its key.
pub enum Reporter<'a> {
    Person(&'a Auth),
    Client { name: String, ctx: Context },
}

/// A report and the earlier ones it may repeat.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Reported {
    pub event: Event,
    pub duplicates: Vec<DuplicateHint>,
}

/// Which sources a reporter may use: grid workers report from grids, dispatchers take the
/// hotline and the ledgers, the public reports as citizens, clients through Open311.
fn may_report(reporter: &Reporter, source: Source) -> AppResult<()> {
    let ok = match reporter {
        Reporter::Client { .. } => source == Source::Open311,
        Reporter::Person(auth) => {
            let a = &auth.actor;
            match source {
                Source::Grid => a.has(Permission::GridReport),
                Source::Hotline | Source::Ledger => a.has(Permission::GridDispatch),
                Source::Citizen => !a.is_staff(),
                Source::Open311 => false,
            }
        }
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::forbidden().into())
    }
}

/// Records a report: checked, placed in its grid, with the answers to its category's questions
/// and its photos. (Its possible duplicates are `duplicates_of`, for those who show them.)
pub async fn report(
    state: &AppState,
    reporter: Reporter<'_>,
    source: Source,
    input: NewEvent,
    answers: &Answers,
    photos: Vec<NewFile>,
    token: Option<String>,
) -> AppResult<Event> {
    may_report(&reporter, source)?;
    let m = grid::map(state).await?;
    let mut e = input.check(source)?;
    let category = match e.category_id {
        Some(id) => Some(m.category(id).filter(|c| c.active).ok_or_else(|| {
            AppError::from(FieldError::new(
                "category_id",
                Text::fixed("没有这个问题类别", "no such category"),
            ))
        })?),
        None if matches!(source, Source::Grid | Source::Open311) => {
            return Err(FieldError::new(
                "category_id",
                Text::fixed("请选择问题类别", "choose a category"),
            )
            .into());
        }
        None => None,
    };
    let attributes = match category {
        Some(c) => check_answers(&c.attributes, answers)?,
        None => serde_json::Map::new(),
    };
    let grid_id = match e.point {
        Some(p) => {
            let (p, g) = grid::place(&m, p, "lon", "lat")?;
            e.point = Some(p);
            Some(g)
        }
        None => None,
    };
    let region_id = match grid_id.and_then(|g| m.region_of(g)) {
        Some(r) => r,
        None => crate::service::org::home_region(state).await?.id,
    };
    let at = cases::now();
    let s = cases::settings(state).await?;
    let register_due = m
        .rules
        .steps
        .register
        .due(at, &s.calendar)
        .map_err(|e| AppError::bad_request("calendar", e.text()))?;
    let (ctx, reporter_id) = match &reporter {
        Reporter::Person(auth) => (auth.ctx(), Some(auth.user.id)),
        Reporter::Client { ctx, .. } => (ctx.clone(), None),
    };
    if let Reporter::Person(auth) = &reporter
        && matches!(source, Source::Citizen | Source::Grid)
    {
        if e.reporter_name.is_empty() {
            e.reporter_name = auth.user.display_name.clone();
        }
        if e.reporter_phone.is_empty() {
            e.reporter_phone = auth.user.phone.clone().unwrap_or_default();
        }
    }
    let event = state
        .store
        .report_event(
            &ctx,
            NewEventRecord {
                event: e,
                source,
                region_id,
                reporter_id,
                grid_id,
                attributes: serde_json::Value::Object(attributes),
                token,
                register_due,
                photos,
                at,
            },
        )
        .await?;
    Ok(event)
}

/// A report with the earlier ones it may repeat, as its reporter is shown it.
pub async fn with_duplicates(state: &AppState, event: Event) -> AppResult<Reported> {
    let m = grid::map(state).await?;
    let duplicates = hints(state, &m, &event).await?;
    Ok(Reported { event, duplicates })
}

/// Earlier events of the same category near in place and time.
async fn hints(state: &AppState, m: &GridMap, e: &Event) -> AppResult<Vec<DuplicateHint>> {
    let (Some(c), Some(p)) = (e.progress.category_id, e.point) else {
        return Ok(Vec::new());
    };
    let found = state
        .store
        .events_near(
            c,
            m.rules.duplicate_since(e.reported_at),
            m.rules.duplicate_box(p),
            Some(e.id),
        )
        .await?;
    let earlier: Vec<Event> = found
        .into_iter()
        .filter(|x| x.reported_at <= e.reported_at)
        .collect();
    Ok(duplicates(&m.rules, p, &earlier))
}

async fn load(state: &AppState, id: i64) -> AppResult<Event> {
    state
        .store
        .event(id)
        .await?
        .ok_or_else(|| AppError::not_found(EVENT))
}

/// What the reader may do with an event, by role and scope.
struct Roles {
    /// The command centre in scope: register, dispatch, decide, close, call back.
    dispatch: bool,
    /// The department it is dispatched to.
    handle: bool,
    /// A grid worker in scope (verification on site).
    verify: bool,
    /// A supervisor in scope (urging).
    urge: bool,
    /// The person who reported it (a citizen, or a grid worker outside their own area).
    own: bool,
}

async fn roles(state: &AppState, auth: &Auth, e: &Event) -> AppResult<Roles> {
    let a = &auth.actor;
    let region = owner(state, None, Some(e.region_id)).await?;
    let in_region = a.covers(&region);
    let handling = owner(state, e.progress.department_id, Some(e.region_id)).await?;
    Ok(Roles {
        dispatch: a.has(Permission::GridDispatch) && in_region,
        handle: a.has(Permission::GridHandle)
            && e.progress.department_id.is_some()
            && a.covers(&handling)
            && (a.scope.department_id.is_some() || a.has_role(Role::Admin)),
        verify: a.has(Permission::GridReport) && in_region,
        urge: (a.has(Permission::Urge) || a.has(Permission::GridDispatch)) && in_region,
        own: e.reporter_id == Some(auth.user.id),
    })
}

/// Who takes an action on an event.
enum Party {
    /// The department it was dispatched to (sign, return, ask for more time, feed back).
    Handler,
    /// A grid worker checking on site.
    Verifier,
    Urger,
    /// The command centre: everything else.
    Dispatcher,
}

impl Party {
    fn of(action: &str) -> Party {
        match action {
            "sign" | "return" | "request_extension" | "feed_back" => Party::Handler,
            "verify" => Party::Verifier,
            "urge" => Party::Urger,
            _ => Party::Dispatcher,
        }
    }

    /// The permissions that can make a reader this party (`roles`, before scope).
    fn permissions(&self) -> &'static [Permission] {
        match self {
            Party::Handler => &[Permission::GridHandle],
            Party::Verifier => &[Permission::GridReport],
            Party::Urger => &[Permission::Urge, Permission::GridDispatch],
            Party::Dispatcher => &[Permission::GridDispatch],
        }
    }
}

fn allowed(r: &Roles, action: &str) -> bool {
    match Party::of(action) {
        Party::Handler => r.handle,
        Party::Verifier => r.verify,
        Party::Urger => r.urge,
        Party::Dispatcher => r.dispatch,
    }
}

/// Whether any event could let the reader take the action, asked before the event is read.
fn may_ever(auth: &Auth, action: &str) -> AppResult<()> {
    Ok(auth.actor.require_any(Party::of(action).permissions())?)
}

/// The reporter's contact as those who need not call back see it: the phone masked, no e-mail.
fn hide_contact(e: &mut Event) {
    e.reporter_phone = onewindow_core::validate::mobile::mask(&e.reporter_phone);
    e.reporter_email = String::new();
}

/// An event with everything its page shows.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventView {
    pub event: Event,
    pub category: Option<String>,
    pub department: Option<String>,
    /// The grid and its ancestors, finest first.
    pub grids: Vec<String>,
    pub light: Option<Light>,
    pub on_time: Option<bool>,
    pub log: Vec<LogLine>,
    pub photos: Vec<EventPhoto>,
    pub duplicates: Vec<DuplicateHint>,
    /// The actions the reader may take now.
    pub may: Vec<String>,
    /// Whether the reader may see the reporter's contact.
    pub contact: bool,
}

pub async fn view(state: &AppState, auth: &Auth, id: i64) -> AppResult<EventView> {
    let mut e = load(state, id).await?;
    let r = roles(state, auth, &e).await?;
    let sees = r.dispatch || r.handle || r.verify || r.urge || r.own;
    let reads = auth.actor.has(Permission::GridRead)
        && auth
            .actor
            .covers(&owner(state, e.progress.department_id, Some(e.region_id)).await?);
    if !sees && !reads {
        return Err(if auth.actor.is_staff() {
            DomainError::forbidden().into()
        } else {
            AppError::not_found(EVENT)
        });
    }
    let contact = r.dispatch || r.own;
    if !contact {
        hide_contact(&mut e);
    }
    let m = grid::map(state).await?;
    let may = event::open_actions(&e.progress)
        .into_iter()
        .filter(|a| allowed(&r, a))
        .map(str::to_string)
        .collect();
    let department = match e.progress.department_id {
        Some(d) => state.store.department(d).await?.map(|d| d.name),
        None => None,
    };
    Ok(EventView {
        category: e
            .progress
            .category_id
            .and_then(|c| m.category(c))
            .map(|c| c.name.clone()),
        department,
        grids: e
            .progress
            .grid_id
            .map(|g| {
                m.lineage(g)
                    .iter()
                    .map(|g| format!("{} {}", g.code, g.name))
                    .collect()
            })
            .unwrap_or_default(),
        light: event::light(&e.progress, cases::now()),
        on_time: event::on_time(&e.progress),
        log: state.store.event_log(id).await?,
        photos: state.store.event_photos(id).await?,
        duplicates: if r.dispatch {
            hints(state, &m, &e).await?
        } else {
            Vec::new()
        },
        may,
        contact,
        event: e,
    })
}

/// An action with the version it was read at.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct EventAct {
    pub version: i64,
    #[serde(flatten)]
    pub action: Action,
}

/// Takes one step. Registering an event whose category names a department dispatches it there
/// at once (automatic dispatch); the dispatcher may send it elsewhere until it is signed for.
pub async fn act(state: &AppState, auth: &Auth, id: i64, input: EventAct) -> AppResult<Event> {
    may_ever(auth, input.action.code())?;
    let e = load(state, id).await?;
    let r = roles(state, auth, &e).await?;
    if !allowed(&r, input.action.code()) {
        return Err(DomainError::forbidden().into());
    }
    let m = grid::map(state).await?;
    let mut actions = vec![input.action.clone()];
    if let Action::Register { category_id } = &input.action {
        let cat = category_id.or(e.progress.category_id);
        if let Some(c) = cat {
            let c = m.category(c).filter(|c| c.active).ok_or_else(|| {
                AppError::from(FieldError::new(
                    "category_id",
                    Text::fixed("没有这个问题类别", "no such category"),
                ))
            })?;
            if let Some(d) = c.department_id {
                actions.push(Action::Dispatch {
                    department_id: d,
                    grid_id: None,
                });
            }
        }
    }
    if let Action::Dispatch {
        grid_id: Some(g), ..
    } = &input.action
        && m.grid(*g).is_none()
    {
        return Err(FieldError::new("grid_id", Text::fixed("没有这个网格", "no such grid")).into());
    }
    let s = cases::settings(state).await?;
    Ok(state
        .store
        .act_on_event(
            &auth.ctx(),
            id,
            input.version,
            actions,
            &s.calendar,
            m.rules.steps,
            cases::now(),
        )
        .await?)
}

/// Adds photos to an event: the department's of its work, the grid worker's from the site.
pub async fn add_photos(
    state: &AppState,
    auth: &Auth,
    id: i64,
    photos: Vec<Upload>,
) -> AppResult<Vec<EventPhoto>> {
    let e = load(state, id).await?;
    let r = roles(state, auth, &e).await?;
    let stage = if r.verify {
        "verify"
    } else if r.handle {
        "handle"
    } else if r.dispatch || r.own {
        "report"
    } else {
        return Err(DomainError::forbidden().into());
    };
    if photos.is_empty() {
        return Err(AppError::bad_request(
            "photos",
            Text::fixed("请选择照片", "choose a photo"),
        ));
    }
    let files = uploads::store_photos(state, &photos).await?;
    Ok(state
        .store
        .add_event_photos(&auth.ctx(), id, stage, files, cases::now())
        .await?)
}

/// A photo's bytes, for those who may see its event.
pub async fn photo(
    state: &AppState,
    auth: &Auth,
    id: i64,
    photo_id: i64,
) -> AppResult<(EventPhoto, Vec<u8>)> {
    let v = view(state, auth, id).await?;
    let p = v
        .photos
        .into_iter()
        .find(|p| p.id == photo_id)
        .ok_or_else(|| AppError::not_found(Text::fixed("照片", "photo")))?;
    let bytes = uploads::read(&state.config.uploads_dir, &p.sha256).await?;
    Ok((p, bytes))
}

/// Which events a list shows, as asked.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// A state code, or `open` / `closed`.
    pub state: Option<String>,
    pub category_id: Option<i64>,
    pub grid_id: Option<i64>,
    pub department_id: Option<i64>,
    pub source: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only the events of the reader's work queue (what waits for them).
    #[serde(default)]
    pub mine: bool,
    pub limit: Option<i64>,
}

/// An event as a list shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventLine {
    pub event: Event,
    pub light: Option<Light>,
}

fn states(code: &str) -> AppResult<Vec<State>> {
    Ok(match code {
        "" => Vec::new(),
        "open" => State::ALL.iter().copied().filter(|s| s.is_open()).collect(),
        "closed" => vec![State::Closed, State::Declined],
        c => vec![State::parse(c).ok_or_else(|| {
            AppError::bad_request("state", Text::fixed("没有这个状态", "no such state"))
        })?],
    })
}

/// Events the reader may see: in scope for staff, their own for the public.
pub async fn list(state: &AppState, auth: &Auth, q: &EventQuery) -> AppResult<Vec<EventLine>> {
    let a = &auth.actor;
    let mut f = EventFilter {
        states: states(q.state.as_deref().unwrap_or(""))?,
        category_ids: q.category_id.into_iter().collect(),
        grid_ids: q.grid_id.into_iter().collect(),
        department_id: q.department_id,
        source: match q.source.as_deref() {
            None | Some("") => None,
            Some(s) => Some(Source::parse(s).ok_or_else(|| {
                AppError::bad_request("source", Text::fixed("没有这个来源", "no such source"))
            })?),
        },
        limit: q.limit.unwrap_or(500).clamp(1, 5000),
        ..Default::default()
    };
    if let (Some(from), Some(to)) = (q.from, q.to) {
        let (from, to) = period(Some(from), Some(to))?;
        let (a, b) = bounds(from, to);
        (f.from, f.to) = (Some(a), Some(b));
    }
    if a.is_staff() {
        if !a.has(Permission::GridRead) {
            return Err(DomainError::forbidden().into());
        }
        f.scope = scope_filter(a);
        if q.mine {
            if a.has(Permission::GridDispatch) {
                f.states = vec![State::Reported, State::Registered, State::Verified];
            } else if a.has(Permission::GridHandle) {
                f.states = vec![State::Dispatched, State::Handling];
            } else if a.has(Permission::GridReport) {
                f.states = vec![State::Verifying];
                f.grid_ids = state.store.grids_of(auth.user.id).await?;
                if f.grid_ids.is_empty() {
                    return Ok(Vec::new());
                }
            }
        }
    } else {
        f.reporter_id = Some(auth.user.id);
    }
    let now = cases::now();
    let mut out: Vec<EventLine> = state
        .store
        .events(&f)
        .await?
        .into_iter()
        .map(|e| EventLine {
            light: event::light(&e.progress, now),
            event: e,
        })
        .collect();
    if !a.is_staff() || !a.has(Permission::GridDispatch) {
        for l in &mut out {
            hide_contact(&mut l.event);
        }
    }
    Ok(out)
}

/// One line of the ledger's figures.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct StatLine {
    pub key: String,
    pub name: String,
    pub level: Option<i64>,
    pub received: i64,
    pub registered: i64,
    pub closed: i64,
    pub fed_back: i64,
    pub on_time: i64,
    /// Closed of registered, percent.
    pub closure_rate: Option<f64>,
    /// Fed back on time of fed back, percent.
    pub on_time_rate: Option<f64>,
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() / 100.0)
}

impl StatLine {
    fn add(&mut self, t: &EventTally) {
        self.received += t.received;
        self.registered += t.registered;
        self.closed += t.closed;
        self.fed_back += t.fed_back;
        self.on_time += t.on_time;
    }

    fn finish(mut self) -> StatLine {
        self.closure_rate = rate(self.closed, self.registered);
        self.on_time_rate = rate(self.on_time, self.fed_back);
        self
    }
}

/// The ledger's figures (台账统计) over a period: in total, by grid (each grid counting its
/// children's events), by level, category and department.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: StatLine,
    pub by_grid: Vec<StatLine>,
    pub by_level: Vec<StatLine>,
    pub by_category: Vec<StatLine>,
    pub by_department: Vec<StatLine>,
}

pub async fn stats(
    state: &AppState,
    auth: &Auth,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<EventStats> {
    auth.actor.require(Permission::GridRead)?;
    let (from, to) = period(from, to)?;
    let (a, b) = bounds(from, to);
    let tallies = state
        .store
        .event_tallies(&scope_filter(&auth.actor), a, b)
        .await?;
    let m = grid::map(state).await?;
    let mut total = StatLine::default();
    let mut by_grid: BTreeMap<i64, StatLine> = BTreeMap::new();
    let mut by_level: BTreeMap<i64, StatLine> = BTreeMap::new();
    let mut by_category: BTreeMap<i64, StatLine> = BTreeMap::new();
    let mut by_department: BTreeMap<i64, StatLine> = BTreeMap::new();
    for t in &tallies {
        total.add(t);
        if let Some(g) = t.grid_id {
            for x in m.lineage(g) {
                by_grid.entry(x.id).or_default().add(t);
                by_level.entry(x.level).or_default().add(t);
            }
        }
        by_category
            .entry(t.category_id.unwrap_or(0))
            .or_default()
            .add(t);
        by_department
            .entry(t.department_id.unwrap_or(0))
            .or_default()
            .add(t);
    }
    let mut grids: Vec<StatLine> = by_grid
        .into_iter()
        .map(|(id, mut l)| {
            if let Some(g) = m.grid(id) {
                l.key = g.code.clone();
                l.name = g.name.clone();
                l.level = Some(g.level);
            }
            l.finish()
        })
        .collect();
    grids.sort_by(|a, b| (a.level, &a.key).cmp(&(b.level, &b.key)));
    let by_level = by_level
        .into_iter()
        .map(|(level, mut l)| {
            l.key = level.to_string();
            l.name = format!("{level}级网格");
            l.level = Some(level);
            l.finish()
        })
        .collect();
    let by_category = by_category
        .into_iter()
        .map(|(id, mut l)| {
            l.key = id.to_string();
            l.name = m
                .category(id)
                .map_or_else(|| "未分类".to_string(), |c| c.name.clone());
            l.finish()
        })
        .collect();
    let mut departments = Vec::new();
    for (id, mut l) in by_department {
        l.key = id.to_string();
        l.name = if id == 0 {
            "未派遣".to_string()
        } else {
            state
                .store
                .department(id)
                .await?
                .map(|d| d.name)
                .unwrap_or_default()
        };
        departments.push(l.finish());
    }
    Ok(EventStats {
        from,
        to,
        total: total.finish(),
        by_grid: grids,
        by_level,
        by_category,
        by_department: departments,
    })
}
