//! Petition agency (信访代理): who may see and work a case. A petitioner's name, identity number,
//! phone and address are seen only by the petition office (an agent whose scope is the district
//! or above: 信访局), by the agents of the station that took the case, and by the leader who
//! guarantees it (包保). Lists show the name masked; every read that shows the personal data (the
//! case page, the signed authorization) writes an audit entry. Others with `PetitionRead` see the
//! ledgers, which count cases and name none.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::enterprise::{names, today};
use crate::service::uploads::{self, Upload};
use crate::service::{cases, region_path};
use crate::state::AppState;
use onewindow_core::access::{Actor, Permission};
use onewindow_core::case::rules::Rules;
use onewindow_core::identity::Role;
use onewindow_core::petitions::case::{
    self, Action, Authorization, Ledger, LogLine, NewPetition, Petition, State,
};
use onewindow_core::petitions::station::{NewStation, Station};
use onewindow_core::petitions::support::{Aid, Meeting};
use onewindow_core::validate::RegionLevel;
use onewindow_core::{DomainError, Text};
use onewindow_store::PetitionFilter;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a reader comes to a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// The petition office over the station's region.
    Office,
    /// One of the agents of the station that took the case.
    Agent,
    /// The leader who guarantees it.
    Guarantor,
}

/// Whether the actor is the petition office: an agent over a district or more.
pub fn is_office(a: &Actor) -> bool {
    a.has(Permission::PetitionWork) && a.over_district()
}

async fn office_over(state: &AppState, a: &Actor, region_id: i64) -> AppResult<bool> {
    Ok(is_office(a) && a.covers_region(&region_path(state, Some(region_id)).await?))
}

async fn station_or_404(state: &AppState, id: i64) -> AppResult<Station> {
    state
        .store
        .station(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("代理站", "station")))
}

async fn petition_or_404(state: &AppState, id: i64) -> AppResult<Petition> {
    state
        .store
        .petition(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("信访件", "petition")))
}

/// How the reader stands to the case taken in at `st`, or `None`.
async fn standing(
    state: &AppState,
    auth: &Auth,
    p: &Petition,
    st: &Station,
) -> AppResult<Option<Standing>> {
    let a = &auth.actor;
    if office_over(state, a, p.region_id).await? {
        return Ok(Some(Standing::Office));
    }
    if a.has(Permission::PetitionWork) && st.agents.contains(&auth.user.id) {
        return Ok(Some(Standing::Agent));
    }
    if a.has_role(Role::Leader) && p.guarantor_id == Some(auth.user.id) {
        return Ok(Some(Standing::Guarantor));
    }
    Ok(None)
}

/// The case, the reader's standing and the case's station; refused to anyone else.
async fn load(state: &AppState, auth: &Auth, id: i64) -> AppResult<(Petition, Standing, Station)> {
    // only agents (the office among them) and leaders (as guarantors) can stand on a case
    if !(auth.actor.has(Permission::PetitionWork) || auth.actor.has_role(Role::Leader)) {
        return Err(DomainError::forbidden().into());
    }
    let p = petition_or_404(state, id).await?;
    let st = station_or_404(state, p.station_id).await?;
    match standing(state, auth, &p, &st).await? {
        Some(s) => Ok((p, s, st)),
        None => Err(DomainError::forbidden().into()),
    }
}

// ---- stations ----

/// A station with its region's and agents' names and its cases.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StationLine {
    pub station: Station,
    pub region_name: String,
    pub agent_names: Vec<String>,
    pub in_hand: i64,
    pub resolved: i64,
}

async fn may_manage(state: &AppState, a: &Actor, region_id: i64) -> AppResult<()> {
    a.require(Permission::PetitionManage)?;
    let over = a.covers_region(&region_path(state, Some(region_id)).await?);
    // An administrator sets stations up; among agents, only the office does.
    let manager = a.has_role(Role::Admin) || is_office(a);
    if over && manager {
        Ok(())
    } else {
        Err(DomainError::forbidden().into())
    }
}

/// A station in a village or community (村/社区) in the manager's region.
pub async fn create_station(state: &AppState, auth: &Auth, s: NewStation) -> AppResult<Station> {
    auth.actor.require(Permission::PetitionManage)?;
    let s = s.check()?;
    let region = state
        .store
        .region(s.region_id)
        .await?
        .ok_or_else(|| AppError::invalid("region_id", "没有这个区划", "no such region"))?;
    if region.level != RegionLevel::Community {
        return Err(AppError::invalid(
            "region_id",
            "代理站设在村（社区）",
            "a station is in a village or community",
        ));
    }
    may_manage(state, &auth.actor, s.region_id).await?;
    Ok(state
        .store
        .create_station(&auth.ctx(), s, cases::now())
        .await?)
}

/// Sets a station's agents (each an active agent's account).
pub async fn set_agents(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    agents: Vec<i64>,
) -> AppResult<Station> {
    auth.actor.require(Permission::PetitionManage)?;
    let st = station_or_404(state, id).await?;
    may_manage(state, &auth.actor, st.region_id).await?;
    Ok(state
        .store
        .set_station_agents(&auth.ctx(), id, version, agents, cases::now())
        .await?)
}

/// The stations in the reader's region, with their cases in hand and resolved.
pub async fn stations(state: &AppState, auth: &Auth) -> AppResult<Vec<StationLine>> {
    let a = &auth.actor;
    a.require(Permission::PetitionRead)?;
    let (None, Some(path)) = (a.scope.department_id, a.scope.region_path.as_deref()) else {
        return Ok(Vec::new());
    };
    let stations = state.store.stations(Some(path)).await?;
    let facts = state.store.petition_facts(today()).await?;
    let regions = state.store.regions().await?;
    let region_name = |id: i64| {
        regions
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let who = names(
        state,
        stations
            .iter()
            .flat_map(|s| s.agents.clone())
            .collect::<Vec<_>>(),
    )
    .await?;
    Ok(stations
        .into_iter()
        .map(|s| {
            let mine = facts.iter().filter(|f| f.unit == s.region_id);
            let (mut in_hand, mut resolved) = (0, 0);
            for f in mine {
                if f.resolved_on.is_some() {
                    resolved += 1;
                } else {
                    in_hand += 1;
                }
            }
            StationLine {
                region_name: region_name(s.region_id),
                agent_names: s
                    .agents
                    .iter()
                    .filter_map(|id| who.get(id).cloned())
                    .collect(),
                in_hand,
                resolved,
                station: s,
            }
        })
        .collect())
}

/// The stations the reader is an agent of.
pub async fn my_stations(state: &AppState, auth: &Auth) -> AppResult<Vec<Station>> {
    let a = &auth.actor;
    if !a.has(Permission::PetitionWork) {
        return Ok(Vec::new());
    }
    let path = a.scope.region_path.as_deref();
    Ok(state
        .store
        .stations(path)
        .await?
        .into_iter()
        .filter(|s| s.agents.contains(&auth.user.id))
        .collect())
}

// ---- the signed authorization ----

/// What an authorization may be: a scan or a photo, at most 20 MiB, checked by its content.
fn authorization_rules() -> Rules {
    Rules {
        upload_types: ["pdf", "jpg", "jpeg", "png"].map(String::from).to_vec(),
        max_upload_mib: 20,
        ..Rules::default()
    }
}

/// The stored authorization file: its content and name, to be named in a case taken in.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StoredFile {
    pub sha256: String,
    pub file_name: String,
}

/// Keeps a signed authorization (代理委托书) so that a case can name it.
pub async fn upload_authorization(
    state: &AppState,
    auth: &Auth,
    files: Vec<Upload>,
) -> AppResult<StoredFile> {
    auth.actor.require(Permission::PetitionWork)?;
    let [file] = <[Upload; 1]>::try_from(files).map_err(|_| {
        AppError::invalid(
            "authorization",
            "请上传一份签署的代理委托书",
            "upload one signed authorization",
        )
    })?;
    let stored = uploads::store(
        &state.config.uploads_dir,
        &[Upload {
            material: "authorization".into(),
            ..file
        }],
        &authorization_rules(),
    )
    .await?;
    let f = stored.into_iter().next().ok_or_else(AppError::internal)?;
    state
        .store
        .record_upload(&f.sha256, AUTHORIZATION, auth.user.id, cases::now())
        .await?;
    Ok(StoredFile {
        sha256: f.sha256,
        file_name: f.file_name,
    })
}

/// What an uploaded authorization is kept as (`file_uploads.purpose`).
const AUTHORIZATION: &str = "petition.authorization";

/// The authorization a case names must be a file kept here, of an accepted type by content,
/// uploaded by the agent taking the case in or by another agent of the same station: a file is
/// bound to who uploaded it, so naming another station's petitioner's file by its hash is
/// refused as if it were not there.
async fn check_authorization(
    state: &AppState,
    auth: &Auth,
    station: &Station,
    a: &Authorization,
) -> AppResult<()> {
    let missing = || {
        AppError::invalid(
            "authorization.sha256",
            "委托书文件未上传或已失效，请重新上传",
            "the authorization's file was not uploaded; upload it again",
        )
    };
    let uploaders = state.store.uploaders(&a.sha256, AUTHORIZATION).await?;
    if !uploaders
        .iter()
        .any(|u| *u == auth.user.id || station.agents.contains(u))
    {
        return Err(missing());
    }
    let bytes = uploads::read(&state.config.uploads_dir, &a.sha256)
        .await
        .map_err(|_| missing())?;
    uploads::check(
        &Upload {
            material: "authorization".into(),
            file_name: a.file_name.clone(),
            bytes,
        },
        &authorization_rules(),
    )
    .map_err(|e| e.field("authorization.file_name"))?;
    Ok(())
}

// ---- cases ----

/// Takes a case in at the station, by one of its agents, with the signed authorization.
pub async fn take(
    state: &AppState,
    auth: &Auth,
    station_id: i64,
    p: NewPetition,
) -> AppResult<Petition> {
    auth.actor.require(Permission::PetitionWork)?;
    let st = station_or_404(state, station_id).await?;
    if !st.agents.contains(&auth.user.id) {
        return Err(DomainError::forbidden().into());
    }
    let p = p.check(today())?;
    if let Some(a) = &p.authorization {
        check_authorization(state, auth, &st, a).await?;
    }
    Ok(state
        .store
        .take_petition(&auth.ctx(), station_id, auth.user.id, p, cases::now())
        .await?)
}

/// The station desk's form: the authorization comes as a file in the same request.
pub async fn take_with_file(
    state: &AppState,
    auth: &Auth,
    station_id: i64,
    mut p: NewPetition,
    signed_on: Option<chrono::NaiveDate>,
    files: Vec<Upload>,
) -> AppResult<Petition> {
    auth.actor.require(Permission::PetitionWork)?;
    p.authorization = None;
    if let (false, Some(signed_on)) = (files.is_empty(), signed_on) {
        let f = upload_authorization(state, auth, files).await?;
        p.authorization = Some(Authorization {
            sha256: f.sha256,
            file_name: f.file_name,
            signed_on,
        });
    } else if !files.is_empty() {
        return Err(AppError::invalid(
            "authorization.signed_on",
            "请填写委托书签署日期",
            "give the day the authorization was signed",
        ));
    }
    take(state, auth, station_id, p).await
}

/// A case as a list shows it: the petitioner's name masked, no other personal data.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PetitionLine {
    pub id: i64,
    pub number: String,
    pub station_id: i64,
    pub station_name: String,
    pub ledger: Ledger,
    pub petitioner: String,
    pub subject: String,
    pub state: State,
    pub taken_on: chrono::NaiveDate,
    pub resolved_on: Option<chrono::NaiveDate>,
    pub errands: usize,
    pub late: usize,
    pub guarantor: Option<String>,
}

/// Which cases a list asks for.
#[derive(Clone, Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PetitionQuery {
    pub station_id: Option<i64>,
    pub ledger: Option<Ledger>,
    pub state: Option<State>,
    /// Only the cases with a guarantor (包保).
    #[serde(default)]
    pub guaranteed: bool,
}

/// The cases the reader may see: the office's region, the reader's stations, or the cases the
/// reader guarantees.
pub async fn list(
    state: &AppState,
    auth: &Auth,
    q: &PetitionQuery,
) -> AppResult<Vec<PetitionLine>> {
    let a = &auth.actor;
    let base = PetitionFilter {
        station_id: q.station_id,
        ledger: q.ledger,
        state: q.state,
        guaranteed: q.guaranteed,
        limit: 2000,
        ..Default::default()
    };
    let mut found: Vec<Petition> = Vec::new();
    if is_office(a) {
        found = state
            .store
            .petitions(&PetitionFilter {
                region_path: a.scope.region_path.clone(),
                ..base.clone()
            })
            .await?;
    } else {
        for st in my_stations(state, auth).await? {
            if q.station_id.is_some_and(|s| s != st.id) {
                continue;
            }
            found.extend(
                state
                    .store
                    .petitions(&PetitionFilter {
                        station_id: Some(st.id),
                        ..base.clone()
                    })
                    .await?,
            );
        }
        if a.has_role(Role::Leader) {
            found.extend(
                state
                    .store
                    .petitions(&PetitionFilter {
                        guarantor_id: Some(auth.user.id),
                        ..base.clone()
                    })
                    .await?,
            );
        }
        if !a.has(Permission::PetitionWork) && !a.has_role(Role::Leader) {
            return Err(DomainError::forbidden().into());
        }
    }
    found.sort_by_key(|p| std::cmp::Reverse(p.id));
    found.dedup_by_key(|p| p.id);
    lines(state, found).await
}

async fn lines(state: &AppState, found: Vec<Petition>) -> AppResult<Vec<PetitionLine>> {
    let stations = state.store.stations(None).await?;
    let leaders = names(
        state,
        found
            .iter()
            .filter_map(|p| p.guarantor_id)
            .collect::<Vec<_>>(),
    )
    .await?;
    let today = today();
    Ok(found
        .into_iter()
        .map(|p| PetitionLine {
            id: p.id,
            station_name: stations
                .iter()
                .find(|s| s.id == p.station_id)
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            number: p.number,
            station_id: p.station_id,
            ledger: p.ledger,
            petitioner: cases::mask_name(&p.petitioner_name),
            subject: p.subject,
            state: p.progress.state,
            taken_on: p.taken_on,
            resolved_on: p.progress.resolved_on,
            errands: p.progress.steps.len(),
            late: case::late_steps(&p.progress, today),
            guarantor: p.guarantor_id.and_then(|g| leaders.get(&g).cloned()),
        })
        .collect())
}

/// A case's file: the petitioner, the errands with their departments, the trail, the
/// guarantor's meetings and the aid; what the reader may do next.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PetitionFile {
    pub petition: Petition,
    pub standing: Standing,
    pub station_name: String,
    pub agent_name: String,
    pub guarantor_name: Option<String>,
    /// The department of each errand, in order.
    pub step_departments: Vec<String>,
    pub late: usize,
    pub log: Vec<LogLine>,
    pub meetings: Vec<Meeting>,
    pub aid: Vec<Aid>,
    /// The actions open to the reader.
    pub actions: Vec<String>,
    pub may_guarantee: bool,
    pub may_meet: bool,
    pub may_aid: bool,
}

/// The case's file. Shows the petitioner's personal data: the view is audited.
pub async fn file(state: &AppState, auth: &Auth, id: i64) -> AppResult<PetitionFile> {
    let (p, standing, station) = load(state, auth, id).await?;
    state.store.record_petition_view(&auth.ctx(), id).await?;
    let who = names(state, [p.agent_id].into_iter().chain(p.guarantor_id)).await?;
    let mut step_departments = Vec::new();
    for s in &p.progress.steps {
        step_departments
            .push(crate::service::enterprise::department_name(state, Some(s.department_id)).await?);
    }
    let works = standing != Standing::Guarantor;
    let office = standing == Standing::Office;
    Ok(PetitionFile {
        station_name: station.name,
        agent_name: who.get(&p.agent_id).cloned().unwrap_or_default(),
        guarantor_name: p.guarantor_id.and_then(|g| who.get(&g).cloned()),
        step_departments,
        late: case::late_steps(&p.progress, today()),
        log: state.store.petition_log(id).await?,
        meetings: state.store.meetings(id).await?,
        aid: state.store.aid_of(id).await?,
        actions: if works {
            case::open_actions(&p.progress)
                .into_iter()
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        },
        may_guarantee: office,
        may_meet: office || standing == Standing::Guarantor,
        may_aid: office,
        standing,
        petition: p,
    })
}

/// The signed authorization's file. Shows personal data: the view is audited.
pub async fn authorization_file(
    state: &AppState,
    auth: &Auth,
    id: i64,
) -> AppResult<(StoredFile, Vec<u8>)> {
    let (p, _, _) = load(state, auth, id).await?;
    let bytes = uploads::read(&state.config.uploads_dir, &p.authorization.sha256).await?;
    state.store.record_petition_view(&auth.ctx(), id).await?;
    Ok((
        StoredFile {
            sha256: p.authorization.sha256,
            file_name: p.authorization.file_name,
        },
        bytes,
    ))
}

/// A step of the case, by its station's agents or the office (not the guarantor).
pub async fn act(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    action: Action,
) -> AppResult<Petition> {
    auth.actor.require(Permission::PetitionWork)?;
    let (_, standing, _) = load(state, auth, id).await?;
    if standing == Standing::Guarantor {
        return Err(DomainError::forbidden().into());
    }
    Ok(state
        .store
        .act_on_petition(&auth.ctx(), id, version, action, cases::now())
        .await?)
}

/// The office names (or clears) the leader who guarantees the case.
pub async fn set_guarantor(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    leader_id: Option<i64>,
) -> AppResult<Petition> {
    auth.actor.require(Permission::PetitionWork)?;
    let (_, standing, _) = load(state, auth, id).await?;
    if standing != Standing::Office {
        return Err(DomainError::forbidden().into());
    }
    Ok(state
        .store
        .set_guarantor(&auth.ctx(), id, version, leader_id, cases::now())
        .await?)
}

/// The guarantor's meeting on the case, recorded by the guarantor or the office.
pub async fn add_meeting(state: &AppState, auth: &Auth, id: i64, m: Meeting) -> AppResult<()> {
    let (_, standing, _) = load(state, auth, id).await?;
    if standing == Standing::Agent {
        return Err(DomainError::forbidden().into());
    }
    let m = m.check(today())?;
    Ok(state
        .store
        .add_meeting(&auth.ctx(), id, m, cases::now())
        .await?)
}

/// Hardship aid or a legal-aid referral, recorded by the office.
pub async fn record_aid(state: &AppState, auth: &Auth, id: i64, a: Aid) -> AppResult<()> {
    auth.actor.require(Permission::PetitionWork)?;
    let (_, standing, _) = load(state, auth, id).await?;
    if standing != Standing::Office {
        return Err(DomainError::forbidden().into());
    }
    let a = a.check(today())?;
    Ok(state
        .store
        .record_aid(&auth.ctx(), id, a, cases::now())
        .await?)
}

/// The leaders a guarantor or a rota may name: active leaders' accounts, by name.
pub async fn leaders(state: &AppState, auth: &Auth) -> AppResult<Vec<(i64, String)>> {
    auth.actor.require(Permission::PetitionRead)?;
    let mut out: Vec<(i64, String)> = state
        .store
        .users(&onewindow_store::ScopeFilter::all())
        .await?
        .into_iter()
        .filter(|u| u.active && u.roles.contains(&Role::Leader))
        .map(|u| (u.id, u.display_name))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
