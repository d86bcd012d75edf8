//! The catalog: the public's view (search, guides, topics, statistics) served from an in-memory
//! view rebuilt when the catalog changes, and the staff's editing, reviewing and importing.

use super::{owner, region_path, scope_filter};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use onewindow_core::access::Permission;
use onewindow_core::catalog::bundle::{
    MergedMaterial, Topic, TopicInput, TopicKind, merged_materials,
};
use onewindow_core::catalog::record::*;
use onewindow_core::catalog::search::{Doc, SearchIndex};
use onewindow_core::catalog::stats::{self, CatalogStats};
use onewindow_core::catalog::version::VersionAction;
use onewindow_core::catalog::{Guide, check_code};
use onewindow_core::{DomainError, Text};
use onewindow_store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use utoipa::ToSchema;

const MATTER: Text = Text::fixed("事项", "matter");
const TOPIC: Text = Text::fixed("专题", "topic");
const VERSION: Text = Text::fixed("指南版本", "guide version");

/// The longest search text accepted; anything longer is a mistake or an attack.
pub const MAX_QUERY_BYTES: usize = 400;

/// What the public sees of the catalog, as of one generation.
pub struct CatalogView {
    pub generation: i64,
    pub guides: Vec<PublishedGuide>,
    pub by_code: HashMap<String, usize>,
    pub departments: HashMap<i64, String>,
    pub index: SearchIndex,
    /// Active topics, in their order.
    pub topics: Vec<Topic>,
    pub stats: CatalogStats,
    /// The licence types in use, by code: their names (a material a licence stands for).
    pub licence_names: HashMap<String, String>,
    /// The licence a matter's approving decision issues: (type id, name), by matter id.
    pub licence_results: HashMap<i64, (i64, String)>,
}

impl CatalogView {
    pub fn guide(&self, code: &str) -> Option<&PublishedGuide> {
        self.by_code.get(code).map(|&i| &self.guides[i])
    }

    pub fn department(&self, id: i64) -> &str {
        self.departments.get(&id).map_or("", String::as_str)
    }

    pub fn topic(&self, code: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.code == code)
    }
}

/// Keeps the view fresh: the store's generation is checked at most once a second (other
/// instances' changes show within a second), and at once after a change made here.
#[derive(Default)]
pub struct CatalogCache {
    view: RwLock<Option<Arc<CatalogView>>>,
    checked: Mutex<Option<Instant>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl CatalogCache {
    pub fn invalidate(&self) {
        if let Ok(mut c) = self.checked.lock() {
            *c = None;
        }
    }

    fn current(&self) -> Option<Arc<CatalogView>> {
        self.view.read().ok().and_then(|v| v.clone())
    }

    fn fresh(&self) -> bool {
        self.checked
            .lock()
            .ok()
            .and_then(|c| *c)
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
    }

    pub async fn view(&self, store: &dyn Store) -> AppResult<Arc<CatalogView>> {
        if let Some(v) = self.current().filter(|_| self.fresh()) {
            return Ok(v);
        }
        let _one = self.rebuilding.lock().await;
        if let Some(v) = self.current().filter(|_| self.fresh()) {
            return Ok(v);
        }
        let generation = store.catalog_generation().await?;
        if let Ok(mut c) = self.checked.lock() {
            *c = Some(Instant::now());
        }
        if let Some(v) = self.current().filter(|v| v.generation == generation) {
            return Ok(v);
        }
        let view = Arc::new(build(store, generation).await?);
        if let Ok(mut slot) = self.view.write() {
            *slot = Some(view.clone());
        }
        Ok(view)
    }
}

/// Synonym groups from their text: one group per line, words separated by `；` `;` `，` `,` or `=`.
pub fn parse_synonyms(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| {
            l.split(['；', ';', '，', ',', '=', '＝'])
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|g| g.len() > 1)
        .collect()
}

async fn build(store: &dyn Store, generation: i64) -> AppResult<CatalogView> {
    let guides = store.published_guides().await?;
    let departments: HashMap<i64, String> = store
        .departments(&onewindow_store::ScopeFilter::all())
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let topics: Vec<Topic> = store
        .topics()
        .await?
        .into_iter()
        .filter(|t| t.active)
        .collect();
    let synonyms = parse_synonyms(&store.synonyms().await?);
    let docs: Vec<Doc> = guides
        .iter()
        .map(|p| Doc {
            code: p.code.clone(),
            name: p.guide.name.clone(),
            aliases: p.guide.aliases.clone(),
            materials: p.guide.materials.iter().map(|m| m.name.clone()).collect(),
            basis: p.guide.legal_basis.clone(),
            department: departments
                .get(&p.department_id)
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    // Building the index is CPU work; keep it off the threads that serve requests.
    let index = tokio::task::spawn_blocking(move || SearchIndex::build(&docs, &synonyms))
        .await
        .map_err(|_| AppError::internal())?;
    let stats = stats::compute(guides.iter().map(|p| (p.department_id, &p.guide)));
    let kinds: Vec<_> = store
        .licence_kinds()
        .await?
        .into_iter()
        .filter(|k| k.active)
        .collect();
    let licence_results = store
        .matter_licence_kinds()
        .await?
        .into_iter()
        .filter_map(|(matter, kind)| {
            let k = kinds.iter().find(|k| k.id == kind)?;
            Some((matter, (k.id, k.name.clone())))
        })
        .collect();
    let licence_names = kinds.into_iter().map(|k| (k.code, k.name)).collect();
    let by_code = guides
        .iter()
        .enumerate()
        .map(|(i, p)| (p.code.clone(), i))
        .collect();
    Ok(CatalogView {
        generation,
        guides,
        by_code,
        departments,
        index,
        topics,
        stats,
        licence_names,
        licence_results,
    })
}

pub async fn view(state: &AppState) -> AppResult<Arc<CatalogView>> {
    state.catalog.view(state.store.as_ref()).await
}

/// One matter in a list or a search result.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MatterItem {
    pub code: String,
    pub name: String,
    pub department: String,
    pub department_id: i64,
    pub kind: String,
    pub promised_days: i64,
    pub statutory_days: i64,
    pub visits: i64,
    pub online: bool,
    pub stationed: bool,
    /// The public guide page.
    pub url: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MatterList {
    pub items: Vec<MatterItem>,
    pub total: usize,
}

pub fn item(view: &CatalogView, p: &PublishedGuide) -> MatterItem {
    MatterItem {
        code: p.code.clone(),
        name: p.guide.name.clone(),
        department: view.department(p.department_id).to_string(),
        department_id: p.department_id,
        kind: p.guide.kind.name().zh.to_string(),
        promised_days: p.guide.promised_days,
        statutory_days: p.guide.statutory_days,
        visits: p.guide.visits,
        online: p.guide.online(),
        stationed: p.guide.stationed,
        url: format!("/guide/{}", p.code),
    }
}

#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub department_id: Option<i64>,
    pub topic: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// Search, or browse when there is no text; filtered by department or topic.
pub fn search(view: &CatalogView, q: &SearchQuery) -> AppResult<MatterList> {
    let text = q.q.as_deref().unwrap_or("").trim();
    if text.len() > MAX_QUERY_BYTES {
        return Err(AppError::bad_request(
            "q",
            Text::new(
                format!("搜索词过长（最多{MAX_QUERY_BYTES}字节）"),
                format!("the search text is too long (at most {MAX_QUERY_BYTES} bytes)"),
            ),
        ));
    }
    let topic_codes: Option<&Vec<String>> = match &q.topic {
        Some(t) => Some(
            &view
                .topic(t)
                .ok_or_else(|| AppError::not_found(TOPIC))?
                .matters,
        ),
        None => None,
    };
    let keep = |p: &PublishedGuide| {
        q.department_id.is_none_or(|d| d == p.department_id)
            && topic_codes.is_none_or(|c| c.contains(&p.code))
    };
    let limit = q.limit.clamp(1, 200);
    let (page, total): (Vec<&PublishedGuide>, usize) = if text.is_empty() {
        let all: Vec<&PublishedGuide> = match topic_codes {
            Some(codes) => codes
                .iter()
                .filter_map(|c| view.guide(c))
                .filter(|p| keep(p))
                .collect(),
            None => view.guides.iter().filter(|p| keep(p)).collect(),
        };
        let total = all.len();
        (all.into_iter().skip(q.offset).take(limit).collect(), total)
    } else {
        // Only the page asked for is ranked in full; the filter applies before counting.
        let (hits, total) = view
            .index
            .search_where(text, q.offset + limit, |d| keep(&view.guides[d]));
        (
            hits.iter()
                .skip(q.offset)
                .map(|h| &view.guides[h.doc])
                .collect(),
            total,
        )
    };
    let items = page.into_iter().map(|p| item(view, p)).collect();
    Ok(MatterList { items, total })
}

/// A topic with its guides and, for a bundle, the merged material list.
pub struct TopicView {
    pub topic: Topic,
    pub guides: Vec<PublishedGuide>,
    pub merged: Vec<MergedMaterial>,
}

pub fn topic(view: &CatalogView, code: &str) -> AppResult<TopicView> {
    let topic = view
        .topic(code)
        .ok_or_else(|| AppError::not_found(TOPIC))?
        .clone();
    let guides: Vec<PublishedGuide> = topic
        .matters
        .iter()
        .filter_map(|c| view.guide(c))
        .cloned()
        .collect();
    let merged = if topic.kind == TopicKind::Bundle {
        let pairs: Vec<(&str, &Guide)> = guides
            .iter()
            .map(|g| (g.guide.name.as_str(), &g.guide))
            .collect();
        merged_materials(&pairs)
    } else {
        Vec::new()
    };
    Ok(TopicView {
        topic,
        guides,
        merged,
    })
}

// ---- staff ----

async fn matter_owner(state: &AppState, m: &Matter) -> AppResult<onewindow_core::access::Owner> {
    let d = state.store.department(m.department_id).await?;
    owner(state, Some(m.department_id), d.map(|d| d.region_id)).await
}

/// A matter the actor may see as staff (drafts included).
pub async fn matter(state: &AppState, auth: &Auth, code: &str) -> AppResult<Matter> {
    auth.actor.require(Permission::OrgRead)?;
    let m = state
        .store
        .matter_by_code(code)
        .await?
        .ok_or_else(|| AppError::not_found(MATTER))?;
    auth.actor
        .may(Permission::OrgRead, &matter_owner(state, &m).await?)?;
    Ok(m)
}

/// The same, by id (the trail names records by id).
pub async fn matter_by_id(state: &AppState, auth: &Auth, id: i64) -> AppResult<Matter> {
    auth.actor.require(Permission::OrgRead)?;
    let m = state
        .store
        .matter(id)
        .await?
        .ok_or_else(|| AppError::not_found(MATTER))?;
    auth.actor
        .may(Permission::OrgRead, &matter_owner(state, &m).await?)?;
    Ok(m)
}

pub async fn matters(state: &AppState, auth: &Auth) -> AppResult<Vec<Matter>> {
    auth.actor.require(Permission::OrgRead)?;
    Ok(state.store.matters(&scope_filter(&auth.actor)).await?)
}

async fn may_write(state: &AppState, auth: &Auth, m: &Matter) -> AppResult<()> {
    auth.actor
        .may(Permission::CatalogWrite, &matter_owner(state, m).await?)?;
    Ok(())
}

/// Publishing is for region-scoped administrators over the matter's department's region.
async fn may_publish(state: &AppState, auth: &Auth, department_id: i64) -> AppResult<()> {
    auth.actor.require(Permission::CatalogPublish)?;
    let region = state
        .store
        .department(department_id)
        .await?
        .map(|d| d.region_id);
    if auth.actor.covers_region(&region_path(state, region).await?) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn publish_scope(auth: &Auth) -> AppResult<()> {
    auth.actor.require(Permission::CatalogPublish)?;
    if auth.actor.scope.department_id.is_none() && auth.actor.scope.region_path.is_some() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

pub async fn create_matter(
    state: &AppState,
    auth: &Auth,
    new: NewMatter,
) -> AppResult<(Matter, GuideVersion)> {
    auth.actor.require(Permission::CatalogWrite)?;
    let new = NewMatter {
        code: check_code(&new.code)?,
        department_id: new.department_id,
        guide: new.guide.clean()?,
    };
    let d = state
        .store
        .department(new.department_id)
        .await?
        .ok_or_else(|| {
            AppError::from(DomainError::invalid(
                "department_id",
                "部门不存在",
                "no such department",
            ))
        })?;
    auth.actor.may(
        Permission::CatalogWrite,
        &owner(state, Some(d.id), Some(d.region_id)).await?,
    )?;
    Ok(state.store.create_matter(&auth.ctx(), new).await?)
}

pub async fn save_draft(
    state: &AppState,
    auth: &Auth,
    code: &str,
    guide: Guide,
    note: Option<String>,
) -> AppResult<GuideVersion> {
    auth.actor.require(Permission::CatalogWrite)?;
    let m = matter(state, auth, code).await?;
    may_write(state, auth, &m).await?;
    let guide = guide.clean()?;
    let note = note
        .map(|n| onewindow_core::validate::text::optional("note", &n, 500))
        .transpose()?
        .flatten();
    Ok(state
        .store
        .save_draft(&auth.ctx(), m.id, guide, note)
        .await?)
}

pub async fn versions(
    state: &AppState,
    auth: &Auth,
    code: &str,
) -> AppResult<(Matter, Vec<GuideVersion>)> {
    let m = matter(state, auth, code).await?;
    let v = state.store.versions(m.id).await?;
    Ok((m, v))
}

pub async fn act(
    state: &AppState,
    auth: &Auth,
    version_id: i64,
    action: VersionAction,
    note: Option<String>,
) -> AppResult<GuideVersion> {
    auth.actor.require(Permission::CatalogWrite)?;
    let v = state
        .store
        .guide_version(version_id)
        .await?
        .ok_or_else(|| AppError::not_found(VERSION))?;
    let m = state
        .store
        .matter(v.matter_id)
        .await?
        .ok_or_else(|| AppError::not_found(MATTER))?;
    match action {
        VersionAction::Submit => may_write(state, auth, &m).await?,
        VersionAction::Approve | VersionAction::Reject => {
            may_publish(state, auth, m.department_id).await?
        }
    }
    let note = note
        .map(|n| onewindow_core::validate::text::optional("note", &n, 500))
        .transpose()?
        .flatten();
    let v = state
        .store
        .act_on_version(&auth.ctx(), version_id, action, note)
        .await?;
    state.catalog.invalidate();
    Ok(v)
}

pub async fn set_matter_active(
    state: &AppState,
    auth: &Auth,
    code: &str,
    version: i64,
    active: bool,
) -> AppResult<Matter> {
    auth.actor.require(Permission::CatalogWrite)?;
    let m = matter(state, auth, code).await?;
    may_publish(state, auth, m.department_id).await?;
    let m = state
        .store
        .set_matter_active(&auth.ctx(), m.id, version, active)
        .await?;
    state.catalog.invalidate();
    Ok(m)
}

pub async fn save_topic(state: &AppState, auth: &Auth, input: TopicInput) -> AppResult<Topic> {
    publish_scope(auth)?;
    let t = state.store.save_topic(&auth.ctx(), input.clean()?).await?;
    state.catalog.invalidate();
    Ok(t)
}

pub async fn set_topic_active(
    state: &AppState,
    auth: &Auth,
    code: &str,
    version: i64,
    active: bool,
) -> AppResult<Topic> {
    publish_scope(auth)?;
    let t = state
        .store
        .topic_by_code(code)
        .await?
        .ok_or_else(|| AppError::not_found(TOPIC))?;
    let t = state
        .store
        .set_topic_active(&auth.ctx(), t.id, version, active)
        .await?;
    state.catalog.invalidate();
    Ok(t)
}

pub async fn synonyms(state: &AppState, auth: &Auth) -> AppResult<String> {
    auth.actor.require(Permission::OrgRead)?;
    Ok(state.store.synonyms().await?)
}

pub async fn save_synonyms(state: &AppState, auth: &Auth, text: &str) -> AppResult<()> {
    publish_scope(auth)?;
    let text =
        onewindow_core::validate::text::optional("synonyms", text, 20_000)?.unwrap_or_default();
    let normalised: Vec<String> = parse_synonyms(&text)
        .into_iter()
        .map(|g| g.join("；"))
        .collect();
    state
        .store
        .save_synonyms(&auth.ctx(), &normalised.join("\n"))
        .await?;
    state.catalog.invalidate();
    Ok(())
}

pub fn may_import(auth: &Auth) -> AppResult<()> {
    publish_scope(auth)
}

/// A matter people apply for most (热门服务): its guide and how many applied in the last 90 days.
#[derive(Clone, Debug)]
pub struct Popular {
    pub code: String,
    pub name: String,
    pub department: String,
    pub applied: i64,
}

/// The most applied matters, from the figures' rollups, kept for ten minutes: the front page
/// asks on every visit, and which services are popular changes by the day, not the second.
#[derive(Default)]
pub struct PopularCache(std::sync::Mutex<Option<(std::time::Instant, Arc<Vec<Popular>>)>>);

const POPULAR_FOR: std::time::Duration = std::time::Duration::from_secs(600);

pub async fn popular(
    state: &AppState,
    view: &CatalogView,
    n: usize,
) -> AppResult<Arc<Vec<Popular>>> {
    if let Ok(held) = state.popular.0.lock()
        && let Some((at, list)) = held.as_ref()
        && at.elapsed() < POPULAR_FOR
    {
        return Ok(list.clone());
    }
    let today = onewindow_core::time::local_date(super::cases::now());
    let period = onewindow_core::supervision::figures::Period::new(
        Some(today - chrono::Duration::days(90)),
        Some(today),
    )
    .map_err(AppError::from)?;
    let by = state
        .store
        .figures_by(
            &onewindow_store::Slice::default(),
            period,
            onewindow_store::FiguresBy::Matter,
        )
        .await?;
    let by_matter: HashMap<i64, &PublishedGuide> =
        view.guides.iter().map(|g| (g.matter_id, g)).collect();
    let mut list: Vec<Popular> = by
        .iter()
        .filter_map(|(key, c)| {
            let g = by_matter.get(&key.parse::<i64>().ok()?)?;
            (c.received > 0).then(|| Popular {
                code: g.code.clone(),
                name: g.guide.name.clone(),
                department: view.department(g.department_id).to_string(),
                applied: c.received,
            })
        })
        .collect();
    list.sort_by(|a, b| b.applied.cmp(&a.applied).then_with(|| a.code.cmp(&b.code)));
    list.truncate(n);
    let list = Arc::new(list);
    if let Ok(mut held) = state.popular.0.lock() {
        *held = Some((std::time::Instant::now(), list.clone()));
    }
    Ok(list)
}
