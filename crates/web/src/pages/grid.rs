//! Grid pages (网格化管理): the desk (a grid worker's phone page with what waits for them, a
//! dispatcher's or department's queue), the report form with the map and the device's location,
//! an event's page with its photos, trail and the step open to the reader, the ledger with its
//! figures, coverage and patrols, and the workbooks. The map is SVG drawn here: no tile server
//! is reachable on a government network.

use super::cases::checked_multipart;
use super::export::{Sheet, xlsx_book};
use super::{PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::ApiPath as Path;
use crate::extract::MultipartForm;
use crate::i18n::tr;
use crate::service::events::{self as ev, EventAct, EventLine, EventQuery, Reporter, StatLine};
use crate::service::grid::{self as svc, GridMap};
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use minijinja::{Value, context};
use onewindow_core::Lang;
use onewindow_core::Text;
use onewindow_core::access::Permission;
use onewindow_core::case::clock::Light;
use onewindow_core::grid::category::Answers;
use onewindow_core::grid::category::Category;
use onewindow_core::grid::event::{Action, Source, State as EventState};
use onewindow_core::grid::geometry::Shape;
use onewindow_core::grid::report::{Event, NewEvent, Point};
use onewindow_core::time::display;
use std::fmt::Write;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/grid/report", post(report))
        .route("/grid/events/{id}/photos", post(add_photos))
        .route("/grid/geojson", post(import))
        .route("/grid/landmarks", post(import_landmarks))
        .layer(DefaultBodyLimit::max(crate::service::uploads::BODY_LIMIT));
    Router::new()
        .route("/grid", get(desk))
        .route("/grid/report", get(report_form))
        .route("/grid/events/{id}", get(view).post(act))
        .route("/grid/checkin", post(check_in))
        .route("/grid/ledger", get(ledger))
        .route("/grid/ledger.xlsx", get(ledger_xlsx))
        .route("/grid/events.xlsx", get(events_xlsx))
        .merge(uploads)
}

/// Longitude and latitude to the map's pixels: Web Mercator (EPSG:3857), as the tile servers
/// draw, so that a base layer's tiles are rectangles of the map; the page's script holds the
/// inverse (`unproject` in app.js). `s` is pixels per degree of longitude; `north` is the
/// Mercator ordinate of the grids' northern edge in the same degrees.
pub struct Projection {
    west: f64,
    north: f64,
    s: f64,
    pub width: f64,
    pub height: f64,
}

/// The Mercator ordinate of a latitude, in degrees (equal to the latitude at the equator).
fn mercator_y(lat: f64) -> f64 {
    (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
        .tan()
        .ln()
        .to_degrees()
}

impl Projection {
    pub fn of(m: &GridMap, width: f64) -> Option<Projection> {
        let mut b: Option<(f64, f64, f64, f64)> = None;
        for g in &m.grids {
            if let Some((a0, b0, a1, b1)) = onewindow_core::grid::geometry::bounds(&g.shape) {
                let (x0, y0, x1, y1) = b.unwrap_or((f64::MAX, f64::MAX, f64::MIN, f64::MIN));
                b = Some((x0.min(a0), y0.min(b0), x1.max(a1), y1.max(b1)));
            }
        }
        let (x0, y0, x1, y1) = b?;
        let s = width / (x1 - x0).max(f64::EPSILON);
        let north = mercator_y(y1.min(85.0));
        Some(Projection {
            west: x0,
            north,
            s,
            width,
            height: ((north - mercator_y(y0.max(-85.0))) * s).ceil(),
        })
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon - self.west) * self.s,
            (self.north - mercator_y(lat)) * self.s,
        )
    }

    fn path(&self, shape: &Shape) -> String {
        let mut d = String::new();
        for poly in &shape.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for (i, c) in ring.0.iter().enumerate() {
                    let (x, y) = self.xy(c.x, c.y);
                    let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
        }
        d
    }
}

fn light_code(l: Option<Light>) -> &'static str {
    l.map_or("none", Light::code)
}

/// The map: grids of the levels asked for, and events as dots coloured by their light, each a
/// link to its page. `pick` lets a click choose a point (the report form).
fn map(
    m: &GridMap,
    tiles: &crate::basemap::MapSettings,
    events: &[EventLine],
    levels: &[i64],
    pick: bool,
    lang: Lang,
) -> Value {
    let Some(p) = Projection::of(m, 880.0) else {
        return Value::from(());
    };
    let grids: Vec<Value> = m
        .grids
        .iter()
        .filter(|g| levels.contains(&g.level))
        .map(|g| {
            // The name sits at the middle of the grid's extent; the page shows each level's
            // names from the zoom at which they fit.
            let at = onewindow_core::grid::geometry::bounds(&g.shape)
                .map(|(x0, y0, x1, y1)| p.xy((x0 + x1) / 2.0, (y0 + y1) / 2.0));
            context! {
                id => g.id, code => g.code.clone(), name => g.name.clone(), level => g.level, d => p.path(&g.shape),
                short => short_name(&g.name, m, g),
                lx => at.map(|a| format!("{:.1}", a.0)), ly => at.map(|a| format!("{:.1}", a.1)),
            }
        })
        .collect();
    let dots: Vec<Value> = events
        .iter()
        .filter_map(|l| {
            let pt = l.event.point?;
            let (x, y) = p.xy(pt.lon, pt.lat);
            Some(context! {
                id => l.event.id,
                x => format!("{x:.1}"),
                y => format!("{y:.1}"),
                light => light_code(l.light),
                title => format!("{} {} {}", l.event.number, l.event.progress.state.name().get(lang), l.event.description.chars().take(30).collect::<String>()),
            })
        })
        .collect();
    // Landmarks within the map, named from the zoom at which there is room for them.
    let landmarks: Vec<Value> = m
        .landmarks
        .iter()
        .filter_map(|l| {
            let (x, y) = p.xy(l.point.lon, l.point.lat);
            ((0.0..=p.width).contains(&x) && (0.0..=p.height).contains(&y)).then(|| {
                context! { x => format!("{x:.1}"), y => format!("{y:.1}"), name => l.name.clone() }
            })
        })
        .collect();
    context! {
        width => p.width, height => p.height, landmarks => landmarks,
        west => p.west, north => p.north, s => p.s,
        grids => grids, dots => dots, pick => pick,
        tiles => tiles.tiles.clone(), subdomains => tiles.subdomains.clone().unwrap_or_default(),
        max_zoom => tiles.max_zoom(), attribution => tiles.attribution.clone(),
    }
}

/// A grid's name without its parent's ("滨海街道第1片区第3网格" under "滨海街道第1片区" is
/// "第3网格"): on a map the parent's name is already around it.
fn short_name(name: &str, m: &GridMap, g: &onewindow_core::grid::Grid) -> String {
    g.parent_id
        .and_then(|p| m.grid(p))
        .and_then(|p| {
            let stem = p.name.trim_end_matches("网格");
            name.strip_prefix(stem)
        })
        .filter(|rest| !rest.is_empty())
        .unwrap_or(name)
        .to_string()
}

fn line(l: &EventLine, m: &GridMap, lang: Lang) -> Value {
    let e = &l.event;
    context! {
        id => e.id,
        number => e.number.clone(),
        source => e.source.name().get(lang).to_string(),
        category => e.progress.category_id.and_then(|c| m.category(c)).map(|c| c.name.clone()).unwrap_or_default(),
        description => e.description.chars().take(40).collect::<String>(),
        grid => e.progress.grid_id.and_then(|g| m.grid(g)).map(|g| g.name.clone()).unwrap_or_default(),
        state => e.progress.state.name().get(lang).to_string(),
        state_code => e.progress.state.code(),
        light => light_code(l.light),
        light_name => l.light.map(|x| x.name().get(lang).to_string()).unwrap_or_default(),
        reported => display(e.reported_at),
    }
}

fn query(page: &PageCtx) -> AppResult<EventQuery> {
    let int = |k: &str| -> AppResult<Option<i64>> {
        match page.param(k).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                AppError::bad_request(k, Text::fixed("应为整数", "must be a whole number"))
            }),
        }
    };
    Ok(EventQuery {
        state: Some(page.param("state").unwrap_or_else(|| "open".into())),
        category_id: int("category_id")?,
        grid_id: int("grid_id")?,
        department_id: None,
        source: page.param("source").filter(|s| !s.is_empty()),
        from: None,
        to: None,
        mine: page.param("mine").is_some_and(|v| v == "1"),
        limit: Some(2000),
    })
}

/// The desk: for grid workers, what waits for their check on site, their reports and the
/// check-in; for the command centre and departments, the queue with its lights and the map.
async fn desk(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let a = &auth.actor;
    let m = svc::map(&state).await?;
    let worker = a.has(Permission::GridReport) && !a.has(Permission::GridDispatch);
    let q = query(&page)?;
    let lines = if a.is_staff() && !a.has(Permission::GridRead) {
        return Err(onewindow_core::DomainError::forbidden().into());
    } else {
        ev::list(&state, &auth, &q).await?
    };
    let to_verify = if worker {
        ev::list(
            &state,
            &auth,
            &EventQuery {
                mine: true,
                ..EventQuery::default()
            },
        )
        .await?
    } else {
        Vec::new()
    };
    let mut by_state: Vec<(String, String, usize)> = Vec::new();
    for s in EventState::ALL.iter().filter(|s| s.is_open()) {
        let n = lines
            .iter()
            .filter(|l| l.event.progress.state == *s)
            .count();
        by_state.push((s.code().into(), s.name().get(lang).to_string(), n));
    }
    let lights: Vec<(String, String, usize)> = Light::ALL
        .iter()
        .map(|l| {
            (
                l.code().to_string(),
                l.name().get(lang).to_string(),
                lines.iter().filter(|x| x.light == Some(*l)).count(),
            )
        })
        .collect();
    let mine_grids = if worker {
        state.store.grids_of(auth.user.id).await?
    } else {
        Vec::new()
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "grid_desk.html",
        &tr("gd.title", lang),
        context! {
            worker => worker,
            public => !a.is_staff(),
            dispatch => a.has(Permission::GridDispatch),
            reads => a.has(Permission::GridRead),
            // The same test as the report form's: grid workers, the command centre, the public.
            may_report => !a.is_staff() || a.has(Permission::GridReport) || a.has(Permission::GridDispatch),
            events => lines.iter().take(300).map(|l| line(l, &m, lang)).collect::<Vec<_>>(),
            total => lines.len(),
            to_verify => to_verify.iter().map(|l| line(l, &m, lang)).collect::<Vec<_>>(),
            by_state => by_state.iter().map(|(c, n, k)| context! { code => c, name => n, count => k }).collect::<Vec<_>>(),
            lights => lights.iter().map(|(c, n, k)| context! { code => c, name => n, count => k }).collect::<Vec<_>>(),
            state_filter => q.state.clone().unwrap_or_default(),
            categories => m.categories.iter().filter(|c| c.active).map(|c| context! { id => c.id, name => c.name.clone() }).collect::<Vec<_>>(),
            category_filter => q.category_id,
            sources => Source::ALL.iter().map(|s| context! { code => s.code(), name => s.name().get(lang).to_string() }).collect::<Vec<_>>(),
            source_filter => q.source.clone().unwrap_or_default(),
            map => if a.is_staff() { map(&m, &state.config.map, &lines, &[1, 2, 3], false, lang) } else { Value::from(()) },
            my_grids => mine_grids.iter().filter_map(|g| m.grid(*g)).map(|g| format!("{} {}", g.code, g.name)).collect::<Vec<_>>(),
        },
    ))
}

/// The phone page for reporting: category, text, photos, and the place from the map or the
/// device. Grid workers report from grids, the command centre takes the hotline and ledgers,
/// the public reports as citizens.
async fn report_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let a = &auth.actor;
    let sources: Vec<Source> = if !a.is_staff() {
        vec![Source::Citizen]
    } else {
        let mut v = Vec::new();
        if a.has(Permission::GridReport) {
            v.push(Source::Grid);
        }
        if a.has(Permission::GridDispatch) {
            v.extend([Source::Hotline, Source::Ledger]);
        }
        v
    };
    if sources.is_empty() {
        return Err(onewindow_core::DomainError::forbidden().into());
    }
    let m = svc::map(&state).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "grid_report.html",
        &tr("gd.report", lang),
        context! {
            sources => sources.iter().map(|s| context! { code => s.code(), name => s.name().get(lang).to_string() }).collect::<Vec<_>>(),
            categories => m.categories.iter().filter(|c| c.active).map(|c| context! {
                id => c.id, name => c.name.clone(), group => c.group.clone(),
                attributes => c.attributes.iter().map(|x| context! {
                    code => x.code.clone(), description => x.description.clone(), required => x.required,
                    list => !x.values.is_empty(),
                    values => x.values.iter().map(|v| context! { key => v.key.clone(), name => v.name.clone() }).collect::<Vec<_>>(),
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            map => map(&m, &state.config.map, &[], &[1, 2, 3], true, lang),
        },
    ))
}

fn text(form: &MultipartForm, name: &str) -> String {
    form.text(name).map(str::trim).unwrap_or("").to_string()
}

fn number(form: &MultipartForm, name: &str) -> AppResult<Option<f64>> {
    match form.text(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .map(Some)
            .map_err(|_| AppError::bad_request(name, Text::fixed("应为数字", "must be a number"))),
    }
}

async fn report(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let form = checked_multipart(&auth, &headers, mp).await?;
    let source = Source::parse(&text(&form, "source")).ok_or_else(|| {
        AppError::bad_request("source", Text::fixed("请选择来源", "choose a source"))
    })?;
    let point = match (number(&form, "lon")?, number(&form, "lat")?) {
        (Some(lon), Some(lat)) => Some(Point { lon, lat }),
        _ => None,
    };
    let mut answers = Answers::new();
    for (k, v) in &form.fields {
        if let Some(code) = k
            .strip_prefix("attribute[")
            .and_then(|k| k.strip_suffix(']'))
            && !v.trim().is_empty()
        {
            answers.entry(code.to_string()).or_default().push(v.clone());
        }
    }
    let category_id = match text(&form, "category_id").as_str() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            AppError::bad_request(
                "category_id",
                Text::fixed("应为整数", "must be a whole number"),
            )
        })?),
    };
    // Only the answers of the chosen category's questions count.
    let m = svc::map(&state).await?;
    if let Some(c) = category_id.and_then(|c| m.category(c)) {
        answers.retain(|k, _| c.attributes.iter().any(|a| &a.code == k));
    }
    let photos: Vec<_> = form
        .files
        .iter()
        .filter(|f| !f.bytes.is_empty())
        .cloned()
        .collect();
    let files = crate::service::uploads::store_photos(&state, &photos).await?;
    let r = ev::report(
        &state,
        Reporter::Person(&auth),
        source,
        NewEvent {
            category_id,
            description: text(&form, "description"),
            address: text(&form, "address"),
            point,
            reporter_name: text(&form, "reporter_name"),
            reporter_phone: text(&form, "reporter_phone"),
            reporter_email: String::new(),
        },
        &answers,
        files,
        None,
    )
    .await?;
    Ok(saved(&format!("/grid/events/{}", r.id)))
}

fn act_name(code: &str, lang: Lang) -> String {
    tr(&format!("gd.act.{code}"), lang)
}

async fn view(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let v = ev::view(&state, &auth, id).await?;
    let m = svc::map(&state).await?;
    let e: &Event = &v.event;
    let p = &e.progress;
    let departments = if v.may.iter().any(|a| a == "dispatch") {
        state
            .store
            .departments(&onewindow_store::ScopeFilter::all())
            .await?
            .into_iter()
            .filter(|d| d.active)
            .map(|d| context! { id => d.id, name => d.name, chosen => Some(d.id) == p.category_id.and_then(|c| m.category(c)).and_then(|c| c.department_id) })
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let line = EventLine {
        event: e.clone(),
        light: v.light,
    };
    let due = onewindow_core::grid::event::step_due(p).map(display);
    let who = super::who::Who::of_logins(
        &state,
        &auth,
        lang,
        v.log.iter().map(|x| x.actor_name.as_str()),
    )
    .await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "grid_event.html",
        &format!("{} {}", tr("gd.event", lang), e.number),
        context! {
            e => self::line(&line, &m, lang),
            description => e.description.clone(),
            address => e.address.clone(),
            point => e.point.map(|p| format!("{:.6}, {:.6}", p.lon, p.lat)),
            // Where it is, as people say it: the grid and the nearest landmark.
            place => e.point.and_then(|p| m.place(p)).map(|t| t.get(lang).to_string()),
            reporter => format!("{} {}", e.reporter_name, e.reporter_phone),
            category => v.category.clone(),
            department => v.department.clone(),
            grids => v.grids.clone(),
            due => due,
            handle_due => p.handle_due.map(display),
            on_time => v.on_time,
            decline_reason => p.decline_reason.clone(),
            result => p.result.clone(),
            verify_note => p.verify_note.clone(),
            extension => p.extension.as_ref().map(|x| context! { days => x.days, reason => x.reason.clone(), approved => x.approved }),
            returns => p.returns,
            reopened => p.reopened,
            urges => p.urges,
            satisfaction => p.satisfaction,
            attributes => answers_shown(&e.attributes, p.category_id.and_then(|c| m.category(c))),
            version => e.version,
            may => v.may.iter().map(|c| context! { code => c.clone(), name => act_name(c, lang) }).collect::<Vec<_>>(),
            departments => departments,
            photos => v.photos.iter().map(|ph| context! { id => ph.id, sha => ph.sha256.clone(), stage => tr(&format!("gd.stage.{}", ph.stage), lang), at => display(ph.added_at), name => ph.file_name.clone() }).collect::<Vec<_>>(),
            may_photo => !v.may.is_empty() || v.contact,
            duplicates => v.duplicates.iter().map(|d| context! { id => d.event_id, number => d.number.clone(), meters => d.meters, at => display(d.reported_at), state => d.state.name().get(lang).to_string() }).collect::<Vec<_>>(),
            log => v.log.iter().map(|l| context! {
                at => display(l.at),
                action => act_name(&l.action, lang),
                state => l.state.name().get(lang).to_string(),
                actor => who.name(&l.actor_name, None),
                note => l.note.clone(),
            }).collect::<Vec<_>>(),
            map => map(&m, &state.config.map, std::slice::from_ref(&line), &[1, 2, 3], false, lang),
        },
    ))
}

/// The reporter's answers as the questions were asked: each by its question and, for a list,
/// by the choice's name (an answer to a question the category no longer asks keeps its code).
fn answers_shown(answers: &serde_json::Value, category: Option<&Category>) -> Vec<Value> {
    let Some(o) = answers.as_object() else {
        return Vec::new();
    };
    o.iter()
        .map(|(code, v)| {
            let q = category.and_then(|c| c.attributes.iter().find(|a| &a.code == code));
            let one = |v: &serde_json::Value| {
                let raw = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => {
                        // 20.0 is 20 to a reader
                        let f = n.as_f64().unwrap_or_default();
                        if f.fract() == 0.0 { format!("{f:.0}") } else { n.to_string() }
                    }
                    other => other.to_string(),
                };
                q.and_then(|q| q.values.iter().find(|c| c.key == raw))
                    .map(|c| c.name.clone())
                    .unwrap_or(raw)
            };
            let value = match v {
                serde_json::Value::Array(items) => {
                    items.iter().map(one).collect::<Vec<_>>().join("、")
                }
                other => one(other),
            };
            context! { label => q.map_or_else(|| code.clone(), |q| q.description.clone()), value => value }
        })
        .collect()
}

async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let action = match d.text("action").as_str() {
        "register" => Action::Register {
            category_id: d.opt_int("category_id")?,
        },
        "decline" => Action::Decline {
            reason: d.text("reason"),
        },
        "dispatch" => Action::Dispatch {
            department_id: d.int("department_id")?,
            grid_id: None,
        },
        "sign" => Action::Sign,
        "return" => Action::Return {
            reason: d.text("reason"),
        },
        "request_extension" => Action::RequestExtension {
            days: d.int("days")?,
            reason: d.text("reason"),
        },
        "decide_extension" => Action::DecideExtension {
            approve: d.text("approve") == "1",
            note: d.text("note"),
        },
        "feed_back" => Action::FeedBack {
            result: d.text("result"),
        },
        "verify" => Action::Verify {
            passed: d.text("passed") == "1",
            note: d.text("note"),
            photo: d.opt("photo"),
        },
        "close" => Action::Close,
        "urge" => Action::Urge {
            note: d.text("note"),
        },
        "callback" => Action::Callback {
            satisfaction: d.int("satisfaction")?,
            note: d.opt("note"),
        },
        _ => {
            return Err(super::widgets::unknown_action());
        }
    };
    ev::act(
        &state,
        auth,
        id,
        EventAct {
            version: d.int("version")?,
            action,
        },
    )
    .await?;
    Ok(saved(&format!("/grid/events/{id}")))
}

async fn add_photos(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let form = checked_multipart(&auth, &headers, mp).await?;
    let files: Vec<_> = form
        .files
        .into_iter()
        .filter(|f| !f.bytes.is_empty())
        .collect();
    ev::add_photos(&state, &auth, id, files).await?;
    Ok(saved(&format!("/grid/events/{id}")))
}

async fn check_in(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let num = |k: &str| -> AppResult<f64> {
        d.text(k).parse::<f64>().map_err(|_| {
            AppError::bad_request(
                k,
                Text::fixed(
                    "请先定位或在地图上选点",
                    "locate yourself or pick the place first",
                ),
            )
        })
    };
    svc::check_in(
        &state,
        auth,
        svc::CheckinInput {
            lon: num("lon")?,
            lat: num("lat")?,
            note: d.text("note"),
        },
    )
    .await?;
    Ok(saved("/grid"))
}

/// The GeoJSON file of an upload form (boundaries or landmarks), its form checked.
async fn geojson_upload(
    auth: &Auth,
    headers: &axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Vec<u8>> {
    let form = checked_multipart(auth, headers, mp).await?;
    form.files
        .into_iter()
        .next()
        .map(|f| f.bytes.to_vec())
        .ok_or_else(|| {
            AppError::bad_request(
                "file",
                Text::fixed("请选择GeoJSON文件", "choose a GeoJSON file"),
            )
        })
}

async fn import(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let bytes = geojson_upload(&auth, &headers, mp).await?;
    svc::import(&state, &auth, &bytes).await?;
    Ok(saved("/grid/ledger"))
}

async fn import_landmarks(
    State(state): State<AppState>,
    auth: Auth,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let bytes = geojson_upload(&auth, &headers, mp).await?;
    svc::import_landmarks(&state, &auth, &bytes).await?;
    Ok(saved("/grid/ledger"))
}

fn period(page: &PageCtx) -> AppResult<(Option<NaiveDate>, Option<NaiveDate>)> {
    let day = |k: &str| -> AppResult<Option<NaiveDate>> {
        match page.param(k).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    AppError::bad_request(
                        k,
                        Text::fixed("日期格式应为YYYY-MM-DD", "dates are YYYY-MM-DD"),
                    )
                }),
        }
    };
    Ok((day("from")?, day("to")?))
}

fn stat(l: &StatLine) -> Value {
    context! {
        key => l.key.clone(), name => l.name.clone(), level => l.level,
        received => l.received, registered => l.registered, closed => l.closed,
        closure_rate => l.closure_rate.map(|v| format!("{v:.2}%")).unwrap_or_default(),
        on_time_rate => l.on_time_rate.map(|v| format!("{v:.2}%")).unwrap_or_default(),
    }
}

/// The ledger (台账): figures of a period by level, grid, category and department; coverage;
/// patrols; boundaries in and out.
async fn ledger(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (from, to) = period(&page)?;
    let s = ev::stats(&state, &auth, from, to).await?;
    let level: i64 = page
        .param("level")
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let coverage = svc::coverage(&state, &auth).await?;
    let patrols = svc::patrols(&state, &auth, Some(s.from), Some(s.to)).await?;
    let m = svc::map(&state).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "grid_ledger.html",
        &tr("gd.ledger", lang),
        context! {
            from => s.from.to_string(), to => s.to.to_string(), level => level,
            total => stat(&s.total),
            by_level => s.by_level.iter().map(stat).collect::<Vec<_>>(),
            by_grid => s.by_grid.iter().filter(|l| l.level == Some(level)).map(stat).collect::<Vec<_>>(),
            by_category => s.by_category.iter().map(stat).collect::<Vec<_>>(),
            by_department => s.by_department.iter().map(stat).collect::<Vec<_>>(),
            coverage => coverage.iter().filter(|c| c.gap_percent > 0.0 || !c.overlaps.is_empty() || !c.outside.is_empty()).map(|c| context! {
                code => c.code.clone(), name => c.name.clone(), gap => c.gap_percent,
                overlaps => c.overlaps.iter().map(|(a, b, s)| format!("{a}/{b} {s}%")).collect::<Vec<_>>().join("；"),
                outside => c.outside.iter().map(|(a, s)| format!("{a} {s}%")).collect::<Vec<_>>().join("；"),
            }).collect::<Vec<_>>(),
            checked => coverage.len(),
            patrol_coverage => patrols.coverage,
            unvisited => patrols.unvisited.len(),
            workers => patrols.by_worker.iter().map(|w| context! { name => w.name.clone(), checkins => w.checkins, days => w.days, grids => w.grids, assigned => w.assigned, assigned_visited => w.assigned_visited }).collect::<Vec<_>>(),
            patrol_grids => patrols.by_grid.iter().map(|g| context! { code => g.code.clone(), name => g.name.clone(), checkins => g.checkins, workers => g.workers, days => g.days }).collect::<Vec<_>>(),
            // The day-by-day record (痕迹): the latest 200 check-ins of the period.
            checkins => patrols.checkins.iter().rev().take(200).map(|c| context! {
                at => display(c.at), name => c.user_name.clone(),
                grid => c.grid_id.and_then(|g| m.grid(g)).map(|g| format!("{} {}", g.code, g.name)).unwrap_or_default(),
                place => m.place(c.point).map_or_else(|| format!("{:.5}, {:.5}", c.point.lon, c.point.lat), |t| t.get(lang).to_string()), note => c.note.clone(),
            }).collect::<Vec<_>>(),
            dispatch => auth.actor.has(Permission::GridDispatch),
            landmarks => m.landmarks.len(),
        },
    ))
}

fn stat_rows(lines: &[StatLine]) -> Vec<Vec<String>> {
    lines
        .iter()
        .map(|l| {
            vec![
                l.key.clone(),
                l.name.clone(),
                l.received.to_string(),
                l.registered.to_string(),
                l.closed.to_string(),
                l.closure_rate
                    .map(|v| format!("{v:.2}%"))
                    .unwrap_or_default(),
                l.fed_back.to_string(),
                l.on_time_rate
                    .map(|v| format!("{v:.2}%"))
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

/// The ledger's figures as a workbook: totals, levels, grids, categories, departments.
async fn ledger_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (from, to) = period(&page)?;
    let s = ev::stats(&state, &auth, from, to).await?;
    let headers: Vec<String> = [
        "gd.col.key",
        "gd.col.name",
        "gd.col.received",
        "gd.col.registered",
        "gd.col.closed",
        "gd.col.closure_rate",
        "gd.col.fed_back",
        "gd.col.on_time_rate",
    ]
    .iter()
    .map(|k| tr(k, lang))
    .collect();
    let total = stat_rows(std::slice::from_ref(&s.total));
    let (lv, gr, ca, de) = (
        stat_rows(&s.by_level),
        stat_rows(&s.by_grid),
        stat_rows(&s.by_category),
        stat_rows(&s.by_department),
    );
    let names = [
        tr("gd.total", lang),
        tr("gd.by_level", lang),
        tr("gd.by_grid", lang),
        tr("gd.by_category", lang),
        tr("gd.by_department", lang),
    ];
    let sheets: Vec<Sheet> = names
        .iter()
        .zip([&total, &lv, &gr, &ca, &de])
        .map(|(n, rows)| Sheet {
            name: n,
            headers: &headers,
            rows,
        })
        .collect();
    xlsx_book(&format!("grid-ledger-{}-{}.xlsx", s.from, s.to), &sheets)
}

/// The events as listed on the desk (same filters), as a workbook.
async fn events_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let mut q = query(&page)?;
    q.limit = Some(5000);
    let lines = ev::list(&state, &auth, &q).await?;
    let m = svc::map(&state).await?;
    let headers: Vec<String> = [
        "gd.number",
        "gd.source",
        "gd.category",
        "gd.description",
        "gd.grid",
        "field.state",
        "gd.light",
        "gd.reported",
    ]
    .iter()
    .map(|k| tr(k, lang))
    .collect();
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|l| {
            let e = &l.event;
            vec![
                e.number.clone(),
                e.source.name().get(lang).to_string(),
                e.progress
                    .category_id
                    .and_then(|c| m.category(c))
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                e.description.clone(),
                e.progress
                    .grid_id
                    .and_then(|g| m.grid(g))
                    .map(|g| format!("{} {}", g.code, g.name))
                    .unwrap_or_default(),
                e.progress.state.name().get(lang).to_string(),
                l.light
                    .map(|x| x.name().get(lang).to_string())
                    .unwrap_or_default(),
                display(e.reported_at),
            ]
        })
        .collect();
    let name = tr("gd.events", lang);
    xlsx_book(
        "grid-events.xlsx",
        &[Sheet {
            name: &name,
            headers: &headers,
            rows: &rows,
        }],
    )
}
