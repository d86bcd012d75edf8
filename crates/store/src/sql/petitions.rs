//! Petition agency (信访代理): stations and their agents, cases taken in under a signed
//! authorization and worked step by step (each under the case's version, with its trail line and
//! an audit entry that names no personal data), the guarantor of a backlog case, every view of a
//! petitioner's personal data in the audit trail, the reception rota and the ledgers' facts.

use super::enterprise::{audit, stale, unreadable};
use super::org::require_active;
use super::{SqlStore, next_seq};
use crate::PetitionStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::model::{PetitionFilter, PetitionHistory};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::Context;
use onewindow_core::petitions::case::{
    self, Action, Authorization, Ledger, LogLine, NewPetition, Petition, Progress, State,
};
use onewindow_core::petitions::ledger::{AidFacts, CaseFacts};
use onewindow_core::petitions::rota::RotaDay;
use onewindow_core::petitions::station::{NewStation, Station};
use onewindow_core::petitions::support::{Aid, AidKind, Meeting, Reception};
use onewindow_core::time::local_date;
use onewindow_core::{DomainError, Text};
use serde_json::json;

fn invalid(field: &str, zh: &'static str, en: &'static str) -> StoreError {
    StoreError::Domain(DomainError::invalid(field, zh, en))
}

async fn read_station<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Station> {
    let row: Option<(i64, String, i64, String, i64)> = B::opt(
        tx,
        sql("SELECT id, name, region_id, address, version FROM petition_stations WHERE id = $1")
            .bind(id),
    )
    .await?;
    let (id, name, region_id, address, version) = row.ok_or_else(|| {
        StoreError::Domain(DomainError::not_found(Text::fixed("代理站", "station")))
    })?;
    let agents: Vec<(i64,)> = B::all(
        tx,
        sql("SELECT user_id FROM petition_agents WHERE station_id = $1 ORDER BY user_id").bind(id),
    )
    .await?;
    Ok(Station {
        id,
        name,
        region_id,
        address,
        agents: agents.into_iter().map(|a| a.0).collect(),
        version,
    })
}

const PETITION_COLS: &str = "id, number, station_id, agent_id, ledger, petitioner_name, \
     petitioner_id_number, petitioner_phone, petitioner_address, subject, detail, auth_sha256, \
     auth_file_name, auth_signed_on, guarantor_id, region_id, taken_on, state, steps, \
     petitioner_visits, outcome, resolved_on, satisfaction, feedback, version";

#[derive(sqlx::FromRow)]
struct PetitionRow {
    id: i64,
    number: String,
    station_id: i64,
    agent_id: i64,
    ledger: String,
    petitioner_name: String,
    petitioner_id_number: String,
    petitioner_phone: String,
    petitioner_address: String,
    subject: String,
    detail: String,
    auth_sha256: String,
    auth_file_name: String,
    auth_signed_on: NaiveDate,
    guarantor_id: Option<i64>,
    region_id: i64,
    taken_on: NaiveDate,
    state: String,
    steps: String,
    petitioner_visits: i64,
    outcome: Option<String>,
    resolved_on: Option<NaiveDate>,
    satisfaction: Option<i64>,
    feedback: Option<String>,
    version: i64,
}

impl PetitionRow {
    fn into_petition(self) -> Result<Petition> {
        Ok(Petition {
            id: self.id,
            number: self.number,
            station_id: self.station_id,
            agent_id: self.agent_id,
            ledger: Ledger::parse(&self.ledger)
                .ok_or_else(|| unreadable("ledger", &self.ledger))?,
            petitioner_name: self.petitioner_name,
            petitioner_id_number: self.petitioner_id_number,
            petitioner_phone: self.petitioner_phone,
            petitioner_address: self.petitioner_address,
            subject: self.subject,
            detail: self.detail,
            authorization: Authorization {
                sha256: self.auth_sha256,
                file_name: self.auth_file_name,
                signed_on: self.auth_signed_on,
            },
            guarantor_id: self.guarantor_id,
            region_id: self.region_id,
            taken_on: self.taken_on,
            progress: Progress {
                state: State::parse(&self.state).ok_or_else(|| unreadable("state", &self.state))?,
                steps: serde_json::from_str(&self.steps)
                    .map_err(|_| unreadable("steps", &self.steps))?,
                petitioner_visits: self.petitioner_visits,
                outcome: self.outcome,
                resolved_on: self.resolved_on,
                satisfaction: self.satisfaction,
                feedback: self.feedback,
            },
            version: self.version,
        })
    }
}

async fn read_petition<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Petition> {
    let row: PetitionRow = B::opt(
        tx,
        sql(format!(
            "SELECT {PETITION_COLS} FROM petitions WHERE id = $1"
        ))
        .bind(id),
    )
    .await?
    .ok_or_else(|| StoreError::Domain(DomainError::not_found(Text::fixed("信访件", "petition"))))?;
    row.into_petition()
}

/// The audit entry of a step: the number and what happened, never the petitioner's data.
async fn audit_petition<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    action: &str,
    p: &Petition,
    note: Option<&str>,
) -> Result<()> {
    audit::<B>(
        tx,
        ctx,
        action,
        ("petition", p.id),
        None,
        p.region_id,
        json!({"number": p.number, "state": p.progress.state.code(), "note": note}),
    )
    .await
}

/// A new case's row, numbered XF + its day + a sequence.
async fn insert_petition<B: Backend>(
    tx: &mut B::Tx,
    station: &Station,
    agent_id: i64,
    p: &NewPetition,
    auth: &Authorization,
    at: DateTime<Utc>,
) -> Result<i64> {
    let day = local_date(at);
    let seq = next_seq::<B>(tx, "petition", day).await?;
    let number = format!("XF{}{seq:04}", day.format("%Y%m%d"));
    let (id,): (i64,) = B::opt(
        tx,
        sql(
            "INSERT INTO petitions (number, station_id, agent_id, ledger, petitioner_name,
                 petitioner_id_number, petitioner_phone, petitioner_address, subject, detail,
                 auth_sha256, auth_file_name, auth_signed_on, region_id, taken_on, state,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                 'in_hand', $16, $16)
             RETURNING id",
        )
        .bind(number)
        .bind(station.id)
        .bind(agent_id)
        .bind(p.ledger.code())
        .bind(p.petitioner_name.clone())
        .bind(p.petitioner_id_number.clone())
        .bind(p.petitioner_phone.clone())
        .bind(p.petitioner_address.clone())
        .bind(p.subject.clone())
        .bind(p.detail.clone())
        .bind(auth.sha256.clone())
        .bind(auth.file_name.clone())
        .bind(auth.signed_on)
        .bind(station.region_id)
        .bind(day)
        .bind(at),
    )
    .await?
    .ok_or_else(|| StoreError::Database("INSERT returned no petition".into()))?;
    Ok(id)
}

/// The case's progress under its version; the rows changed (0: stale).
async fn write_progress<B: Backend>(
    tx: &mut B::Tx,
    id: i64,
    version: i64,
    p: &Progress,
    at: DateTime<Utc>,
) -> Result<u64> {
    B::exec(
        tx,
        sql(
            "UPDATE petitions SET state = $1, steps = $2, petitioner_visits = $3, outcome = $4,
                 resolved_on = $5, satisfaction = $6, feedback = $7, updated_at = $8,
                 version = version + 1
             WHERE id = $9 AND version = $10",
        )
        .bind(p.state.code())
        .bind(json!(p.steps).to_string())
        .bind(p.petitioner_visits)
        .bind(p.outcome.clone())
        .bind(p.resolved_on)
        .bind(p.satisfaction)
        .bind(p.feedback.clone())
        .bind(at)
        .bind(id)
        .bind(version),
    )
    .await
}

async fn insert_meeting<B: Backend>(
    tx: &mut B::Tx,
    petition_id: i64,
    m: &Meeting,
    at: DateTime<Utc>,
) -> Result<()> {
    B::exec(
        tx,
        sql(
            "INSERT INTO petition_meetings (petition_id, held_on, attendees, notes, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(petition_id)
        .bind(m.held_on)
        .bind(m.attendees.clone())
        .bind(m.notes.clone())
        .bind(at),
    )
    .await?;
    Ok(())
}

async fn insert_aid<B: Backend>(
    tx: &mut B::Tx,
    petition_id: i64,
    a: &Aid,
    at: DateTime<Utc>,
) -> Result<()> {
    B::exec(
        tx,
        sql(
            "INSERT INTO petition_aid (petition_id, kind, amount_fen, decided_on, outcome,
                 created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(petition_id)
        .bind(a.kind.code())
        .bind(a.amount_fen)
        .bind(a.decided_on)
        .bind(a.outcome.clone())
        .bind(at),
    )
    .await?;
    Ok(())
}

/// A station's agents, replacing what it had; each an active agent's account.
async fn write_agents<B: Backend>(tx: &mut B::Tx, id: i64, agents: Vec<i64>) -> Result<()> {
    let mut agents = agents;
    agents.sort_unstable();
    agents.dedup();
    for (i, a) in agents.iter().enumerate() {
        if !super::has_active_role::<B>(tx, *a, "agent").await? {
            return Err(StoreError::Domain(DomainError::invalid(
                format!("agents[{i}]"),
                "代理员应为有效的代理员账号",
                "an agent is an active agent's account",
            )));
        }
    }
    B::exec(
        tx,
        sql("DELETE FROM petition_agents WHERE station_id = $1").bind(id),
    )
    .await?;
    for a in &agents {
        B::exec(
            tx,
            sql("INSERT INTO petition_agents (station_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*a),
        )
        .await?;
    }
    Ok(())
}

#[async_trait]
impl<B: Backend> PetitionStore for SqlStore<B> {
    async fn create_station(
        &self,
        ctx: &Context,
        s: NewStation,
        at: DateTime<Utc>,
    ) -> Result<Station> {
        self.create_stations(ctx, vec![(s, Vec::new())], at)
            .await?
            .pop()
            .ok_or_else(|| StoreError::Database("no station written".into()))
    }

    async fn create_stations(
        &self,
        ctx: &Context,
        stations: Vec<(NewStation, Vec<i64>)>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Station>> {
        let mut tx = self.b.begin().await?;
        let mut out = Vec::with_capacity(stations.len());
        for (s, agents) in stations {
            require_active::<B>(&mut tx, "regions", s.region_id, "region_id").await?;
            let (id,): (i64,) = B::opt(
                &mut tx,
                sql(
                    "INSERT INTO petition_stations (name, region_id, address, created_at)
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(s.name.clone())
                .bind(s.region_id)
                .bind(s.address.clone())
                .bind(at),
            )
            .await?
            .ok_or_else(|| StoreError::Database("INSERT returned no station".into()))?;
            write_agents::<B>(&mut tx, id, agents).await?;
            let st = read_station::<B>(&mut tx, id).await?;
            audit::<B>(
                &mut tx,
                ctx,
                "station.create",
                ("petition_station", id),
                None,
                st.region_id,
                json!({"name": st.name, "agents": st.agents}),
            )
            .await?;
            out.push(st);
        }
        B::commit(tx).await?;
        Ok(out)
    }

    async fn station(&self, id: i64) -> Result<Option<Station>> {
        let mut tx = self.b.begin().await?;
        let out = match read_station::<B>(&mut tx, id).await {
            Ok(s) => Some(s),
            Err(StoreError::Domain(DomainError::NotFound(_))) => None,
            Err(e) => return Err(e),
        };
        B::commit(tx).await?;
        Ok(out)
    }

    async fn stations(&self, region_path: Option<&str>) -> Result<Vec<Station>> {
        let mut q = sql(
            "SELECT s.id FROM petition_stations s JOIN regions r ON r.id = s.region_id WHERE 1 = 1",
        );
        if let Some(p) = region_path {
            q = q.and("r.path LIKE $? || '%'", p);
        }
        let q = sql(format!("{} ORDER BY s.name, s.id LIMIT 2000", q.text)).with_args(q.args);
        let ids: Vec<(i64,)> = self.b.read_all(q).await?;
        let mut tx = self.b.begin().await?;
        let mut out = Vec::with_capacity(ids.len());
        for (id,) in ids {
            out.push(read_station::<B>(&mut tx, id).await?);
        }
        B::commit(tx).await?;
        Ok(out)
    }

    async fn set_station_agents(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        agents: Vec<i64>,
        at: DateTime<Utc>,
    ) -> Result<Station> {
        let mut tx = self.b.begin().await?;
        let before = read_station::<B>(&mut tx, id).await?;
        if before.version != version {
            return Err(stale());
        }
        write_agents::<B>(&mut tx, id, agents).await?;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE petition_stations SET version = version + 1 WHERE id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(stale());
        }
        let out = read_station::<B>(&mut tx, id).await?;
        audit::<B>(
            &mut tx,
            ctx,
            "station.agents",
            ("petition_station", id),
            None,
            out.region_id,
            json!({"agents": out.agents, "at": at}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn take_petition(
        &self,
        ctx: &Context,
        station_id: i64,
        agent_id: i64,
        p: NewPetition,
        at: DateTime<Utc>,
    ) -> Result<Petition> {
        let auth = p.authorization.clone().ok_or_else(|| {
            invalid(
                "authorization",
                "须上传信访人签署的代理委托书",
                "the petitioner's signed authorization is required",
            )
        })?;
        let mut tx = self.b.begin().await?;
        let station = read_station::<B>(&mut tx, station_id).await?;
        if !station.agents.contains(&agent_id) {
            return Err(invalid(
                "agent_id",
                "代理员不属于该代理站",
                "the agent is not one of the station's",
            ));
        }
        let id = insert_petition::<B>(&mut tx, &station, agent_id, &p, &auth, at).await?;
        let out = read_petition::<B>(&mut tx, id).await?;
        super::trail::PETITION
            .write::<B>(&mut tx, ctx, id, "take", "in_hand", at, Some(&out.subject))
            .await?;
        audit_petition::<B>(&mut tx, ctx, "petition.take", &out, None).await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn petition(&self, id: i64) -> Result<Option<Petition>> {
        let row: Option<PetitionRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {PETITION_COLS} FROM petitions WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        row.map(PetitionRow::into_petition).transpose()
    }

    async fn petitions(&self, f: &PetitionFilter) -> Result<Vec<Petition>> {
        let mut q = sql(format!("SELECT {PETITION_COLS} FROM petitions WHERE 1 = 1"));
        if let Some(p) = &f.region_path {
            q = q.and_under("region_id", p.clone());
        }
        if let Some(s) = f.station_id {
            q = q.and("station_id = $?", s);
        }
        if let Some(a) = f.agent_id {
            q = q.and("agent_id = $?", a);
        }
        if let Some(g) = f.guarantor_id {
            q = q.and("guarantor_id = $?", g);
        }
        if f.guaranteed {
            q.text = format!("{} AND guarantor_id IS NOT NULL", q.text).into();
        }
        if let Some(n) = &f.number {
            q = q.and("number = $?", n.trim().to_string());
        }
        if let Some(l) = f.ledger {
            q = q.and("ledger = $?", l.code());
        }
        if let Some(s) = f.state {
            q = q.and("state = $?", s.code());
        }
        let limit = if f.limit <= 0 {
            5000
        } else {
            f.limit.min(5000)
        };
        let q = sql(format!("{} ORDER BY id DESC LIMIT {limit}", q.text)).with_args(q.args);
        let rows: Vec<PetitionRow> = self.b.read_all(q).await?;
        rows.into_iter().map(PetitionRow::into_petition).collect()
    }

    async fn act_on_petition(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: Action,
        at: DateTime<Utc>,
    ) -> Result<Petition> {
        let mut tx = self.b.begin().await?;
        let before = read_petition::<B>(&mut tx, id).await?;
        if before.version != version {
            return Err(stale());
        }
        if let Action::Errand { department_id, .. } = &action {
            require_active::<B>(&mut tx, "departments", *department_id, "department_id").await?;
        }
        let code = action.code();
        let (p, note) = case::act(&before.progress, action, local_date(at))?;
        let n = write_progress::<B>(&mut tx, id, version, &p, at).await?;
        if n == 0 {
            return Err(stale());
        }
        let after = read_petition::<B>(&mut tx, id).await?;
        let note = Some(note.as_str()).filter(|n| !n.is_empty());
        super::trail::PETITION
            .write::<B>(&mut tx, ctx, id, code, p.state.code(), at, note)
            .await?;
        audit_petition::<B>(&mut tx, ctx, &format!("petition.{code}"), &after, note).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn petition_log(&self, id: i64) -> Result<Vec<LogLine>> {
        super::trail::PETITION
            .read(
                self.b.as_ref(),
                id,
                |(at, action, state, actor_name, note)| {
                    Some(LogLine {
                        at,
                        action,
                        state: State::parse(&state)?,
                        actor_name,
                        note,
                    })
                },
            )
            .await
    }

    async fn record_petition_view(&self, ctx: &Context, id: i64) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let p = read_petition::<B>(&mut tx, id).await?;
        audit_petition::<B>(&mut tx, ctx, "petition.view", &p, None).await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn set_guarantor(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        leader_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<Petition> {
        let mut tx = self.b.begin().await?;
        if let Some(l) = leader_id
            && !super::has_active_role::<B>(&mut tx, l, "leader").await?
        {
            return Err(invalid(
                "leader_id",
                "包保领导应为有效的领导账号",
                "the guarantor is an active leader's account",
            ));
        }
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE petitions SET guarantor_id = $1, updated_at = $2, version = version + 1
                 WHERE id = $3 AND version = $4",
            )
            .bind(leader_id)
            .bind(at)
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            read_petition::<B>(&mut tx, id).await?;
            return Err(stale());
        }
        let out = read_petition::<B>(&mut tx, id).await?;
        audit::<B>(
            &mut tx,
            ctx,
            "petition.guarantor",
            ("petition", id),
            None,
            out.region_id,
            json!({"number": out.number, "guarantor_id": leader_id}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(out)
    }

    async fn set_rota(&self, ctx: &Context, days: Vec<RotaDay>) -> Result<()> {
        let mut tx = self.b.begin().await?;
        for (i, d) in days.iter().enumerate() {
            if !super::has_active_role::<B>(&mut tx, d.leader_id, "leader").await? {
                return Err(StoreError::Domain(DomainError::invalid(
                    format!("days[{i}].leader_id"),
                    "接访领导应为有效的领导账号",
                    "the receiving leader is an active leader's account",
                )));
            }
            B::exec(
                &mut tx,
                sql("DELETE FROM reception_rota WHERE day = $1").bind(d.day),
            )
            .await?;
            B::exec(
                &mut tx,
                sql("INSERT INTO reception_rota (day, leader_id) VALUES ($1, $2)")
                    .bind(d.day)
                    .bind(d.leader_id),
            )
            .await?;
        }
        let region: Option<(i64,)> = B::opt(
            &mut tx,
            sql("SELECT id FROM regions ORDER BY LENGTH(path), id LIMIT 1"),
        )
        .await?;
        if let (Some((region_id,)), Some(first), Some(last)) = (region, days.first(), days.last()) {
            audit::<B>(
                &mut tx,
                ctx,
                "rota.set",
                ("reception_rota", 0),
                None,
                region_id,
                json!({"from": first.day, "to": last.day, "days": days.len()}),
            )
            .await?;
        }
        B::commit(tx).await?;
        Ok(())
    }

    async fn rota(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<RotaDay>> {
        let rows: Vec<(NaiveDate, i64)> = self
            .b
            .read_all(
                sql(
                    "SELECT day, leader_id FROM reception_rota WHERE day >= $1 AND day <= $2
                     ORDER BY day",
                )
                .bind(from)
                .bind(to),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(day, leader_id)| RotaDay { day, leader_id })
            .collect())
    }

    async fn add_meeting(
        &self,
        ctx: &Context,
        petition_id: i64,
        m: Meeting,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let p = read_petition::<B>(&mut tx, petition_id).await?;
        insert_meeting::<B>(&mut tx, petition_id, &m, at).await?;
        audit::<B>(
            &mut tx,
            ctx,
            "petition.meeting",
            ("petition", petition_id),
            None,
            p.region_id,
            json!({"number": p.number, "held_on": m.held_on}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn meetings(&self, petition_id: i64) -> Result<Vec<Meeting>> {
        let rows: Vec<(NaiveDate, String, String)> = self
            .b
            .read_all(
                sql("SELECT held_on, attendees, notes FROM petition_meetings
                     WHERE petition_id = $1 ORDER BY held_on, id")
                .bind(petition_id),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(held_on, attendees, notes)| Meeting {
                held_on,
                attendees,
                notes,
            })
            .collect())
    }

    async fn record_reception(&self, ctx: &Context, r: Reception, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let on_rota: Option<(i64,)> = B::opt(
            &mut tx,
            sql("SELECT leader_id FROM reception_rota WHERE day = $1").bind(r.day),
        )
        .await?;
        match on_rota {
            Some((l,)) if l == r.leader_id => {}
            Some(_) => {
                return Err(invalid(
                    "leader_id",
                    "当日轮值接访的不是这位领导",
                    "another leader is on the rota that day",
                ));
            }
            None => {
                return Err(invalid(
                    "day",
                    "当日没有安排领导接访",
                    "no reception on the rota that day",
                ));
            }
        }
        let region_id = match r.petition_id {
            Some(id) => {
                read_petition::<B>(&mut tx, id)
                    .await
                    .map_err(|e| match e {
                        StoreError::Domain(DomainError::NotFound(_)) => {
                            invalid("petition_id", "没有这个信访件", "no such petition")
                        }
                        e => e,
                    })?
                    .region_id
            }
            None => {
                let top: Option<(i64,)> = B::opt(
                    &mut tx,
                    sql("SELECT id FROM regions ORDER BY LENGTH(path), id LIMIT 1"),
                )
                .await?;
                top.map(|t| t.0).unwrap_or_default()
            }
        };
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO receptions (day, leader_id, visitor, matter, petition_id, notes,
                     created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(r.day)
            .bind(r.leader_id)
            .bind(r.visitor.clone())
            .bind(r.matter.clone())
            .bind(r.petition_id)
            .bind(r.notes.clone())
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no reception".into()))?;
        audit::<B>(
            &mut tx,
            ctx,
            "reception.record",
            ("reception", id),
            None,
            region_id,
            json!({"day": r.day, "leader_id": r.leader_id, "petition_id": r.petition_id}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn receptions(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<Reception>> {
        type Row = (NaiveDate, i64, String, String, Option<i64>, String);
        let rows: Vec<Row> = self
            .b
            .read_all(
                sql(
                    "SELECT day, leader_id, visitor, matter, petition_id, notes FROM receptions
                     WHERE day >= $1 AND day <= $2 ORDER BY day, id",
                )
                .bind(from)
                .bind(to),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(day, leader_id, visitor, matter, petition_id, notes)| Reception {
                    day,
                    leader_id,
                    visitor,
                    matter,
                    petition_id,
                    notes,
                },
            )
            .collect())
    }

    async fn record_aid(
        &self,
        ctx: &Context,
        petition_id: i64,
        a: Aid,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let p = read_petition::<B>(&mut tx, petition_id).await?;
        insert_aid::<B>(&mut tx, petition_id, &a, at).await?;
        audit::<B>(
            &mut tx,
            ctx,
            "petition.aid",
            ("petition", petition_id),
            None,
            p.region_id,
            json!({"number": p.number, "kind": a.kind.code(), "amount_fen": a.amount_fen}),
        )
        .await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn aid_of(&self, petition_id: i64) -> Result<Vec<Aid>> {
        let rows: Vec<(String, i64, NaiveDate, String)> = self
            .b
            .read_all(
                sql(
                    "SELECT kind, amount_fen, decided_on, outcome FROM petition_aid
                     WHERE petition_id = $1 ORDER BY id",
                )
                .bind(petition_id),
            )
            .await?;
        rows.into_iter()
            .map(|(kind, amount_fen, decided_on, outcome)| {
                Ok(Aid {
                    kind: AidKind::parse(&kind).ok_or_else(|| unreadable("kind", &kind))?,
                    amount_fen,
                    decided_on,
                    outcome,
                })
            })
            .collect()
    }

    async fn petition_facts(&self, to: NaiveDate) -> Result<Vec<CaseFacts>> {
        let rows: Vec<(i64, String, NaiveDate, Option<NaiveDate>)> = self
            .b
            .read_all(
                sql(
                    "SELECT region_id, ledger, taken_on, resolved_on FROM petitions
                     WHERE taken_on <= $1",
                )
                .bind(to),
            )
            .await?;
        rows.into_iter()
            .map(|(unit, ledger, taken_on, resolved_on)| {
                Ok(CaseFacts {
                    unit,
                    ledger: Ledger::parse(&ledger).ok_or_else(|| unreadable("ledger", &ledger))?,
                    taken_on,
                    resolved_on,
                })
            })
            .collect()
    }

    async fn aid_facts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<AidFacts>> {
        let rows: Vec<(i64, i64, String, i64)> = self
            .b
            .read_all(
                sql("SELECT p.region_id, a.petition_id, a.kind, a.amount_fen
                     FROM petition_aid a JOIN petitions p ON p.id = a.petition_id
                     WHERE a.decided_on >= $1 AND a.decided_on <= $2")
                .bind(from)
                .bind(to),
            )
            .await?;
        rows.into_iter()
            .map(|(unit, petition_id, kind, amount_fen)| {
                Ok(AidFacts {
                    unit,
                    petition_id,
                    kind: AidKind::parse(&kind).ok_or_else(|| unreadable("kind", &kind))?,
                    amount_fen,
                })
            })
            .collect()
    }

    async fn import_petitions(&self, ctx: &Context, cases: Vec<PetitionHistory>) -> Result<usize> {
        let mut tx = self.b.begin().await?;
        let mut stations: std::collections::HashMap<i64, Station> = Default::default();
        let n = cases.len();
        for (i, h) in cases.into_iter().enumerate() {
            let at_case = |e: StoreError| match e {
                StoreError::Domain(DomainError::Invalid(mut f)) => {
                    f.field = format!("cases[{i}].{}", f.field);
                    StoreError::Domain(DomainError::Invalid(f))
                }
                e => e,
            };
            let station = match stations.get(&h.station_id) {
                Some(s) => s.clone(),
                None => {
                    let s = read_station::<B>(&mut tx, h.station_id).await?;
                    stations.insert(s.id, s.clone());
                    s
                }
            };
            if !station.agents.contains(&h.agent_id) {
                return Err(at_case(invalid(
                    "agent_id",
                    "代理员不属于该代理站",
                    "the agent is not one of the station's",
                )));
            }
            let auth = h.petition.authorization.clone().ok_or_else(|| {
                at_case(invalid(
                    "authorization",
                    "须上传信访人签署的代理委托书",
                    "the petitioner's signed authorization is required",
                ))
            })?;
            let id = insert_petition::<B>(
                &mut tx,
                &station,
                h.agent_id,
                &h.petition,
                &auth,
                h.taken_at,
            )
            .await?;
            let mut p = Progress::default();
            let mut written = h.taken_at;
            super::trail::PETITION
                .write::<B>(
                    &mut tx,
                    ctx,
                    id,
                    "take",
                    "in_hand",
                    h.taken_at,
                    Some(&h.petition.subject),
                )
                .await?;
            for (at, action) in h.steps {
                let code = action.code();
                let (next, note) =
                    case::act(&p, action, local_date(at)).map_err(|e| at_case(e.into()))?;
                p = next;
                written = written.max(at);
                let note = Some(note.as_str()).filter(|n| !n.is_empty());
                super::trail::PETITION
                    .write::<B>(&mut tx, ctx, id, code, p.state.code(), at, note)
                    .await?;
            }
            for s in &p.steps {
                let found: Option<(bool,)> = B::opt(
                    &mut tx,
                    sql("SELECT active FROM departments WHERE id = $1").bind(s.department_id),
                )
                .await?;
                if found.is_none() {
                    return Err(at_case(invalid(
                        "department_id",
                        "没有这个部门",
                        "no such department",
                    )));
                }
            }
            write_progress::<B>(&mut tx, id, 1, &p, written).await?;
            if let Some(l) = h.guarantor_id {
                if !super::has_active_role::<B>(&mut tx, l, "leader").await? {
                    return Err(at_case(invalid(
                        "guarantor_id",
                        "包保领导应为有效的领导账号",
                        "the guarantor is an active leader's account",
                    )));
                }
                B::exec(
                    &mut tx,
                    sql("UPDATE petitions SET guarantor_id = $1 WHERE id = $2")
                        .bind(l)
                        .bind(id),
                )
                .await?;
            }
            for m in &h.meetings {
                insert_meeting::<B>(&mut tx, id, m, written).await?;
            }
            for a in &h.aid {
                insert_aid::<B>(&mut tx, id, a, written).await?;
            }
            let out = read_petition::<B>(&mut tx, id).await?;
            audit_petition::<B>(&mut tx, ctx, "petition.import", &out, None).await?;
        }
        B::commit(tx).await?;
        Ok(n)
    }
}
