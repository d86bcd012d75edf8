//! The case (办件): one application for one matter, from receipt to delivery. The types here are
//! the whole record; `machine` decides which actions a case allows and what each one changes,
//! `clock` computes its deadlines on the working-day calendar, `apply` checks a new application.
//! Everything is pure: the caller passes the time, the calendar and the rules.

pub mod apply;
pub mod clock;
pub mod documents;
pub mod kinds;
pub mod machine;
pub mod materials;
pub mod number;
pub mod personal;
pub mod rules;
pub mod workflow;

#[cfg(test)]
mod tests;

use crate::identity::Role;
use chrono::{DateTime, NaiveDate, Utc};
pub use kinds::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who the case is for: a person (ID card) or a legal person (credit code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApplicantInfo {
    pub kind: ApplicantKind,
    pub name: String,
    /// ID card number (persons) or unified social credit code (legal persons), normalised.
    pub id_number: String,
    pub phone: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// 老年人、残疾人等: entitles the applicant to home delivery (送证上门).
    #[serde(default)]
    pub needs_home_service: bool,
}

/// 帮办代办: who filed on the applicant's behalf and on what authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Agency {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    /// The authorization: e.g. "授权委托书（2026年11月20日签署）" or a number.
    pub authorization: String,
    /// The agent's account, when the agent is a user of the platform.
    #[serde(default)]
    pub user_id: Option<i64>,
}

/// A material of the case: what the guide asks of it, what the application declared, and how
/// it reached the case (see [`materials`]): uploaded, handed in on paper at the window, or held
/// by the platform.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MaterialReceipt {
    pub name: String,
    /// Declared at application (by the applicant, or ticked by the window that took it in).
    pub provided: bool,
    #[serde(default)]
    pub note: Option<String>,
    /// The guide always asks for it (no condition).
    #[serde(default)]
    pub required: bool,
    /// The platform fetches it by data sharing (共享获取·免提交): present without being brought.
    #[serde(default)]
    pub shared: bool,
    /// Received on paper at the window (收件清单): by whom and when.
    #[serde(default)]
    pub received: Option<PaperReceipt>,
    /// Satisfied by a licence from the holder's library, checked valid when applied for
    /// (电子证照·免提交).
    #[serde(default)]
    pub licence: Option<LicenceUse>,
}

/// A licence from the applicant's library standing for a material.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LicenceUse {
    pub licence_id: i64,
    pub number: String,
    /// The licence type's name.
    pub kind: String,
    /// At the window: the clerk who looked it up with the holder's consent.
    #[serde(default)]
    pub consent_by: Option<String>,
}

/// A material handed in on paper, as the window records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaperReceipt {
    pub by_id: Option<i64>,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// One item of a supplement notice (补正): which material, and what is wrong or missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SupplementItem {
    pub material: String,
    pub problem: String,
}

/// A request for supplement, listing every problem at once (一次性告知).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Supplement {
    pub id: i64,
    pub items: Vec<SupplementItem>,
    pub requested_at: DateTime<Utc>,
    pub requested_by: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub completed_on: Option<NaiveDate>,
}

/// A special procedure (听证、检验、检测、鉴定、专家评审 …) during which the clock stops.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pause {
    pub id: i64,
    pub procedure: String,
    pub reason: String,
    /// The duration told to the applicant in writing (art. 45), in working days.
    pub expected_days: i64,
    pub started_on: NaiveDate,
    pub started_at: DateTime<Utc>,
    pub ended_on: Option<NaiveDate>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Working days the clock stood still; set when the pause ends.
    pub workdays: Option<i64>,
    pub result: Option<String>,
}

/// One department's review step. Steps with the same stage run in parallel (并联审批); the next
/// stage starts when all of them are done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseStep {
    pub id: i64,
    pub stage: i64,
    pub name: String,
    pub department_id: i64,
    #[schema(value_type = String)]
    pub role: Role,
    /// The step's own limit in working days.
    pub days: i64,
    pub state: StepState,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub finished_at: Option<DateTime<Utc>>,
    pub finished_on: Option<NaiveDate>,
    pub outcome: Option<StepOutcome>,
    pub opinion: Option<String>,
}

/// The extension (延期): asked for by the reviewer, approved by the head of the agency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Extension {
    pub days: i64,
    pub reason: String,
    pub state: ExtensionState,
    pub requested_by: String,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

/// The case record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Case {
    pub id: i64,
    pub number: String,
    pub matter_id: i64,
    pub matter_code: String,
    pub matter_name: String,
    /// The guide version in force when the application came in.
    pub guide_version_id: i64,
    pub department_id: i64,
    pub region_id: i64,
    pub state: CaseState,
    pub channel: Channel,
    pub applicant: ApplicantInfo,
    pub applicant_user_id: Option<i64>,
    pub agency: Option<Agency>,
    pub materials: Vec<MaterialReceipt>,
    pub note: Option<String>,
    pub delivery: DeliveryMethod,
    pub delivery_address: Option<String>,
    pub bundle_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub submitted_at: DateTime<Utc>,
    /// The working day the application counts as received (after closing: the next one).
    pub received_on: NaiveDate,
    /// When no decision on completeness is made by this day, the case is deemed accepted.
    pub completeness_due: Option<NaiveDate>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_on: Option<NaiveDate>,
    /// Accepted by law (art. 32) because completeness was not decided in time.
    pub deemed_accepted: bool,
    pub statutory_days: i64,
    pub promised_days: i64,
    pub delivery_days: i64,
    /// Joint or concentrated handling (联合办理): 45 + 15 days by default.
    pub joint: bool,
    pub extension: Option<Extension>,
    /// Working days of ended pauses.
    pub paused_days: i64,
    pub paused_since: Option<NaiveDate>,
    pub statutory_due: Option<NaiveDate>,
    pub promised_due: Option<NaiveDate>,
    pub decision: Option<Decision>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_on: Option<NaiveDate>,
    pub delivery_due: Option<NaiveDate>,
    /// Working days the decision took, pauses excluded (for the figures); set when decided.
    pub used_days: Option<i64>,
    /// The first day the running clock is yellow and the first day it is red (电子监察), from
    /// its deadline and the light rule; `None` while no clock runs (before acceptance, paused,
    /// ended). Kept with the case so that lists and counts by light compare dates.
    pub yellow_on: Option<NaiveDate>,
    pub red_on: Option<NaiveDate>,
    /// The first day one of its active review steps is over its own limit (a step can be late
    /// while the whole case is on time); `None` while no step is active.
    pub step_red_on: Option<NaiveDate>,
    /// The window clerk who took the case in (accepted, refused, asked for supplements or
    /// concluded it on the spot) and the window where they sat: for lists and figures by clerk
    /// and window. `None` for a case deemed accepted by law before anyone decided.
    pub clerk_id: Option<i64>,
    pub window_id: Option<i64>,
    pub concluded_at: Option<DateTime<Utc>>,
    pub concluded_on: Option<NaiveDate>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub tracking_number: Option<String>,
    pub delivery_note: Option<String>,
    /// 不予受理 or withdrawal reason.
    pub closing_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A case with everything that hangs off it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Dossier {
    pub case: Case,
    pub steps: Vec<CaseStep>,
    pub pauses: Vec<Pause>,
    pub supplements: Vec<Supplement>,
}

impl Dossier {
    pub fn open_pause(&self) -> Option<&Pause> {
        self.pauses.iter().find(|p| p.ended_on.is_none())
    }

    pub fn open_supplement(&self) -> Option<&Supplement> {
        self.supplements.iter().find(|s| s.completed_at.is_none())
    }

    /// Review steps not yet finished.
    pub fn steps_open(&self) -> impl Iterator<Item = &CaseStep> {
        self.steps.iter().filter(|s| s.state != StepState::Done)
    }

    pub fn step(&self, id: i64) -> Option<&CaseStep> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// One line of a case's history as the applicant and staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CaseEvent {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor_name: String,
    /// The account that acted, where one did (the page names it by what the reader may see).
    #[serde(default)]
    pub actor_id: Option<i64>,
    pub state_after: CaseState,
    pub note: Option<String>,
}

impl CaseEvent {
    /// The history line an action leaves on the case it left behind.
    pub fn of(after: &Case, action: &str, actor_name: &str, note: Option<&str>) -> CaseEvent {
        CaseEvent {
            at: after.updated_at,
            action: action.to_string(),
            actor_name: actor_name.to_string(),
            actor_id: None,
            state_after: after.state,
            note: note.map(str::to_string),
        }
    }
}

/// A message to send because something happened to a case (受理、补正、办结 …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: NoticeChannel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
}
