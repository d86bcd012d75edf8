//! Case rows as the databases hold them, and the one list of columns that inserts, updates and
//! reads all share.

use crate::backend::Sql;
use crate::error::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::case::*;
use onewindow_core::identity::Role;

/// Every column of `cases` but `id` and `version`, in the order `bind_case` binds them.
pub const CASE_COLS: &[&str] = &[
    "number",
    "matter_id",
    "matter_code",
    "matter_name",
    "guide_version_id",
    "department_id",
    "region_id",
    "state",
    "channel",
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "needs_home_service",
    "applicant_user_id",
    "agency",
    "agent_user_id",
    "materials",
    "note",
    "delivery",
    "delivery_address",
    "bundle_id",
    "batch_id",
    "submitted_at",
    "received_on",
    "completeness_due",
    "accepted_at",
    "accepted_on",
    "deemed_accepted",
    "statutory_days",
    "promised_days",
    "delivery_days",
    "joint",
    "extension",
    "paused_days",
    "paused_since",
    "statutory_due",
    "promised_due",
    "decision",
    "decision_reason",
    "decided_at",
    "decided_on",
    "delivery_due",
    "used_days",
    "yellow_on",
    "red_on",
    "step_red_on",
    "clerk_id",
    "window_id",
    "concluded_at",
    "concluded_on",
    "delivered_at",
    "tracking_number",
    "delivery_note",
    "closing_reason",
    "created_at",
    "updated_at",
];

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

pub fn bind_case(q: Sql, c: &Case) -> Sql {
    q.bind(c.number.clone())
        .bind(c.matter_id)
        .bind(c.matter_code.clone())
        .bind(c.matter_name.clone())
        .bind(c.guide_version_id)
        .bind(c.department_id)
        .bind(c.region_id)
        .bind(c.state.code())
        .bind(c.channel.code())
        .bind(c.applicant.kind.code())
        .bind(c.applicant.name.clone())
        .bind(c.applicant.id_number.clone())
        .bind(c.applicant.phone.clone())
        .bind(c.applicant.email.clone())
        .bind(c.applicant.address.clone())
        .bind(c.applicant.needs_home_service)
        .bind(c.applicant_user_id)
        .bind(c.agency.as_ref().map(json))
        .bind(c.agency.as_ref().and_then(|a| a.user_id))
        .bind(json(&c.materials))
        .bind(c.note.clone())
        .bind(c.delivery.code())
        .bind(c.delivery_address.clone())
        .bind(c.bundle_id)
        .bind(c.batch_id)
        .bind(c.submitted_at)
        .bind(c.received_on)
        .bind(c.completeness_due)
        .bind(c.accepted_at)
        .bind(c.accepted_on)
        .bind(c.deemed_accepted)
        .bind(c.statutory_days)
        .bind(c.promised_days)
        .bind(c.delivery_days)
        .bind(c.joint)
        .bind(c.extension.as_ref().map(json))
        .bind(c.paused_days)
        .bind(c.paused_since)
        .bind(c.statutory_due)
        .bind(c.promised_due)
        .bind(c.decision.map(|d| d.code()))
        .bind(c.decision_reason.clone())
        .bind(c.decided_at)
        .bind(c.decided_on)
        .bind(c.delivery_due)
        .bind(c.used_days)
        .bind(c.yellow_on)
        .bind(c.red_on)
        .bind(c.step_red_on)
        .bind(c.clerk_id)
        .bind(c.window_id)
        .bind(c.concluded_at)
        .bind(c.concluded_on)
        .bind(c.delivered_at)
        .bind(c.tracking_number.clone())
        .bind(c.delivery_note.clone())
        .bind(c.closing_reason.clone())
        .bind(c.created_at)
        .bind(c.updated_at)
}

/// `id, version, <CASE_COLS>` for SELECTs, with an optional table alias.
/// The case columns as read, unqualified (built once: every dossier read uses it).
pub static CASE_SELECT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| case_select(""));

pub fn case_select(alias: &str) -> String {
    let p = if alias.is_empty() {
        String::new()
    } else {
        format!("{alias}.")
    };
    let mut cols = vec![format!("{p}id"), format!("{p}version")];
    cols.extend(CASE_COLS.iter().map(|c| format!("{p}{c}")));
    cols.join(", ")
}

/// A case with whether it has steps, pauses and supplement requests: most cases have no pauses
/// or supplements, and a case being received has no steps, so those reads are skipped.
#[derive(sqlx::FromRow)]
pub struct DossierHeadRow {
    #[sqlx(flatten)]
    pub case: CaseRow,
    pub has_steps: bool,
    pub has_pauses: bool,
    pub has_supplements: bool,
}

pub const DOSSIER_FLAGS: &str = "EXISTS (SELECT 1 FROM case_steps WHERE case_id = cases.id) AS has_steps, \
     EXISTS (SELECT 1 FROM case_pauses WHERE case_id = cases.id) AS has_pauses, \
     EXISTS (SELECT 1 FROM case_supplements WHERE case_id = cases.id) AS has_supplements";

#[derive(sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub version: i64,
    pub number: String,
    pub matter_id: i64,
    pub matter_code: String,
    pub matter_name: String,
    pub guide_version_id: i64,
    pub department_id: i64,
    pub region_id: i64,
    pub state: String,
    pub channel: String,
    pub applicant_kind: String,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub applicant_phone: String,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub needs_home_service: bool,
    pub applicant_user_id: Option<i64>,
    pub agency: Option<String>,
    pub materials: String,
    pub note: Option<String>,
    pub delivery: String,
    pub delivery_address: Option<String>,
    pub bundle_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub submitted_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    pub completeness_due: Option<NaiveDate>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_on: Option<NaiveDate>,
    pub deemed_accepted: bool,
    pub statutory_days: i64,
    pub promised_days: i64,
    pub delivery_days: i64,
    pub joint: bool,
    pub extension: Option<String>,
    pub paused_days: i64,
    pub paused_since: Option<NaiveDate>,
    pub statutory_due: Option<NaiveDate>,
    pub promised_due: Option<NaiveDate>,
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_on: Option<NaiveDate>,
    pub delivery_due: Option<NaiveDate>,
    pub used_days: Option<i64>,
    pub yellow_on: Option<NaiveDate>,
    pub red_on: Option<NaiveDate>,
    pub step_red_on: Option<NaiveDate>,
    pub clerk_id: Option<i64>,
    pub window_id: Option<i64>,
    pub concluded_at: Option<DateTime<Utc>>,
    pub concluded_on: Option<NaiveDate>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub tracking_number: Option<String>,
    pub delivery_note: Option<String>,
    pub closing_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn bad(what: &str, v: &str) -> StoreError {
    StoreError::Database(format!("unreadable {what} '{v}' in the cases table"))
}

fn code<T>(what: &str, v: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(v).ok_or_else(|| bad(what, v))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, v: &str) -> Result<T> {
    serde_json::from_str(v).map_err(|_| bad(what, v))
}

impl CaseRow {
    pub fn into_case(self) -> Result<Case> {
        Ok(Case {
            id: self.id,
            number: self.number,
            matter_id: self.matter_id,
            matter_code: self.matter_code,
            matter_name: self.matter_name,
            guide_version_id: self.guide_version_id,
            department_id: self.department_id,
            region_id: self.region_id,
            state: code("state", &self.state, CaseState::parse)?,
            channel: code("channel", &self.channel, Channel::parse)?,
            applicant: ApplicantInfo {
                kind: code("applicant_kind", &self.applicant_kind, ApplicantKind::parse)?,
                name: self.applicant_name,
                id_number: self.applicant_id_number,
                phone: self.applicant_phone,
                email: self.applicant_email,
                address: self.applicant_address,
                needs_home_service: self.needs_home_service,
            },
            applicant_user_id: self.applicant_user_id,
            agency: self
                .agency
                .as_deref()
                .map(|a| from_json("agency", a))
                .transpose()?,
            materials: from_json("materials", &self.materials)?,
            note: self.note,
            delivery: code("delivery", &self.delivery, DeliveryMethod::parse)?,
            delivery_address: self.delivery_address,
            bundle_id: self.bundle_id,
            batch_id: self.batch_id,
            submitted_at: self.submitted_at,
            received_on: self.received_on,
            completeness_due: self.completeness_due,
            accepted_at: self.accepted_at,
            accepted_on: self.accepted_on,
            deemed_accepted: self.deemed_accepted,
            statutory_days: self.statutory_days,
            promised_days: self.promised_days,
            delivery_days: self.delivery_days,
            joint: self.joint,
            extension: self
                .extension
                .as_deref()
                .map(|e| from_json("extension", e))
                .transpose()?,
            paused_days: self.paused_days,
            paused_since: self.paused_since,
            statutory_due: self.statutory_due,
            promised_due: self.promised_due,
            decision: self
                .decision
                .as_deref()
                .map(|d| code("decision", d, Decision::parse))
                .transpose()?,
            decision_reason: self.decision_reason,
            decided_at: self.decided_at,
            decided_on: self.decided_on,
            delivery_due: self.delivery_due,
            used_days: self.used_days,
            yellow_on: self.yellow_on,
            red_on: self.red_on,
            step_red_on: self.step_red_on,
            clerk_id: self.clerk_id,
            window_id: self.window_id,
            concluded_at: self.concluded_at,
            concluded_on: self.concluded_on,
            delivered_at: self.delivered_at,
            tracking_number: self.tracking_number,
            delivery_note: self.delivery_note,
            closing_reason: self.closing_reason,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub const STEP_COLS: &str = "id, case_id, stage, name, department_id, role, days, state, assignee_id, assignee_name, started_on, due, finished_at, finished_on, outcome, opinion";

#[derive(sqlx::FromRow, serde::Deserialize)]
pub struct StepRow {
    pub id: i64,
    pub case_id: i64,
    pub stage: i64,
    pub name: String,
    pub department_id: i64,
    pub role: String,
    pub days: i64,
    pub state: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub finished_at: Option<DateTime<Utc>>,
    pub finished_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub opinion: Option<String>,
}

impl StepRow {
    pub fn into_step(self) -> Result<CaseStep> {
        Ok(CaseStep {
            id: self.id,
            stage: self.stage,
            name: self.name,
            department_id: self.department_id,
            role: code("role", &self.role, Role::parse)?,
            days: self.days,
            state: code("step state", &self.state, StepState::parse)?,
            assignee_id: self.assignee_id,
            assignee_name: self.assignee_name,
            started_on: self.started_on,
            due: self.due,
            finished_at: self.finished_at,
            finished_on: self.finished_on,
            outcome: self
                .outcome
                .as_deref()
                .map(|o| code("outcome", o, StepOutcome::parse))
                .transpose()?,
            opinion: self.opinion,
        })
    }
}

pub fn bind_step(q: Sql, s: &CaseStep) -> Sql {
    q.bind(s.stage)
        .bind(s.name.clone())
        .bind(s.department_id)
        .bind(s.role.code())
        .bind(s.days)
        .bind(s.state.code())
        .bind(s.assignee_id)
        .bind(s.assignee_name.clone())
        .bind(s.started_on)
        .bind(s.due)
        .bind(s.finished_at)
        .bind(s.finished_on)
        .bind(s.outcome.map(|o| o.code()))
        .bind(s.opinion.clone())
}

/// Columns `bind_step` binds, in order.
pub const STEP_WRITE_COLS: &[&str] = &[
    "stage",
    "name",
    "department_id",
    "role",
    "days",
    "state",
    "assignee_id",
    "assignee_name",
    "started_on",
    "due",
    "finished_at",
    "finished_on",
    "outcome",
    "opinion",
];

pub const PAUSE_COLS: &str = "id, case_id, procedure, reason, expected_days, started_on, started_at, ended_on, ended_at, workdays, result";

#[derive(sqlx::FromRow)]
pub struct PauseRow {
    pub id: i64,
    pub procedure: String,
    pub reason: String,
    pub expected_days: i64,
    pub started_on: NaiveDate,
    pub started_at: DateTime<Utc>,
    pub ended_on: Option<NaiveDate>,
    pub ended_at: Option<DateTime<Utc>>,
    pub workdays: Option<i64>,
    pub result: Option<String>,
}

impl From<PauseRow> for Pause {
    fn from(r: PauseRow) -> Pause {
        Pause {
            id: r.id,
            procedure: r.procedure,
            reason: r.reason,
            expected_days: r.expected_days,
            started_on: r.started_on,
            started_at: r.started_at,
            ended_on: r.ended_on,
            ended_at: r.ended_at,
            workdays: r.workdays,
            result: r.result,
        }
    }
}

pub const SUPPLEMENT_COLS: &str =
    "id, case_id, items, requested_at, requested_by, completed_at, completed_on";

#[derive(sqlx::FromRow)]
pub struct SupplementRow {
    pub id: i64,
    pub items: String,
    pub requested_at: DateTime<Utc>,
    pub requested_by: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_on: Option<NaiveDate>,
}

impl SupplementRow {
    pub fn into_supplement(self) -> Result<Supplement> {
        Ok(Supplement {
            id: self.id,
            items: from_json("supplement items", &self.items)?,
            requested_at: self.requested_at,
            requested_by: self.requested_by,
            completed_at: self.completed_at,
            completed_on: self.completed_on,
        })
    }
}

pub fn items_json(items: &[SupplementItem]) -> String {
    json(&items)
}
