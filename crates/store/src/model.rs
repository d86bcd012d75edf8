//! Storage-side types that are not domain entities: sessions and query filters.

use chrono::{DateTime, NaiveDate, Utc};

/// Which records a query may return: those of one department, or those under one region.
/// The empty filter returns everything and is only for the platform's own use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScopeFilter {
    pub department_id: Option<i64>,
    pub region_path: Option<String>,
    /// Accounts only: also list citizen and enterprise accounts, which have neither a department
    /// nor a region (for the region administrators who manage them).
    pub with_public_accounts: bool,
}

impl ScopeFilter {
    pub fn all() -> ScopeFilter {
        ScopeFilter::default()
    }

    pub fn department(id: i64) -> ScopeFilter {
        ScopeFilter {
            department_id: Some(id),
            ..ScopeFilter::default()
        }
    }

    pub fn region(path: impl Into<String>) -> ScopeFilter {
        ScopeFilter {
            region_path: Some(path.into()),
            ..ScopeFilter::default()
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub scope: ScopeFilter,
    /// Entries before this sequence number (for paging backwards).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    /// "cookie" for browser sessions, "bearer" for integration tokens.
    pub kind: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub idle_expires_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct NewSession {
    /// SHA-256 of the secret token; the token itself is never stored.
    pub token_hash: String,
    pub user_id: i64,
    pub kind: String,
    pub csrf_token: String,
    pub idle_expires_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub client_addr: Option<String>,
}

/// Which cases a list returns. Staff lists are limited by `scope`; an applicant's list by
/// `owner_user_id` (cases they applied for or filed as an agent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub scope: ScopeFilter,
    pub owner_user_id: Option<i64>,
    pub states: Vec<onewindow_core::case::CaseState>,
    pub matter_id: Option<i64>,
    pub bundle_id: Option<i64>,
    pub batch_id: Option<i64>,
    /// Part of the case number or of the applicant's name.
    pub q: Option<String>,
    /// Only cases with a smaller id (the list is newest first): to walk a long list page by
    /// page without an offset.
    pub id_below: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// What a new application creates besides its cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grouping {
    Single,
    /// One visit for many applicants (批量受理): a batch row, each applicant its own case.
    Batch {
        matter_id: i64,
        title: String,
    },
    /// 一件事: one form split into the member matters' cases.
    Bundle {
        topic_id: i64,
        topic_name: String,
        applicant_name: String,
        applicant_id_number: String,
    },
}

/// A file already stored on disk, to be recorded with its case (or bundle).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFile {
    pub material: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CaseFile {
    pub id: i64,
    pub case_id: Option<i64>,
    pub bundle_id: Option<i64>,
    pub material: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: DateTime<Utc>,
}

/// A ticket to issue: the service has checked the person's claims and set the priority.
#[derive(Clone, Debug)]
pub struct NewTicket {
    pub hall_id: i64,
    pub category_id: i64,
    pub day: chrono::NaiveDate,
    pub priority: onewindow_core::hall::ticket::Priority,
    pub source: onewindow_core::hall::ticket::TicketSource,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    /// The secret of the ticket's own page.
    pub access_key: String,
    pub at: DateTime<Utc>,
}

/// A window action as the store carries it out.
#[derive(Clone, Debug)]
pub struct WindowAct {
    pub window_id: i64,
    /// Who acts: the clerk at the window.
    pub clerk_id: Option<i64>,
    pub action: onewindow_core::hall::window::WindowAction,
    /// The fairness cap of the calling rule.
    pub max_passes: i64,
    pub at: DateTime<Utc>,
}

/// What a window action did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct WindowOutcome {
    pub window_id: i64,
    pub hall_id: i64,
    pub paused: bool,
    /// The ticket the action concerned, as it is now: the one called, recalled, marked absent,
    /// transferred or finished. `None` when a call found nobody waiting, or on pause and resume.
    pub ticket: Option<onewindow_core::hall::ticket::Ticket>,
    /// The ticket a call finished on the way (whoever was at the window before).
    pub finished: Option<onewindow_core::hall::ticket::Ticket>,
}

/// A case with its history and files, as one read gives them.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRecord {
    pub dossier: onewindow_core::case::Dossier,
    pub events: Vec<onewindow_core::case::CaseEvent>,
    pub files: Vec<CaseFile>,
}

/// What was created: the cases with their numbers, and the batch or bundle.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub case_ids: Vec<i64>,
    pub numbers: Vec<String>,
    pub group_id: Option<i64>,
    pub group_number: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct BundleRecord {
    pub id: i64,
    pub number: String,
    pub topic_id: i64,
    pub topic_name: String,
    pub applicant_name: String,
    #[serde(skip)]
    pub applicant_id_number: String,
    pub created_at: DateTime<Utc>,
    pub concluded_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct BatchRecord {
    pub id: i64,
    pub number: String,
    pub matter_id: i64,
    pub title: String,
    pub size: i64,
    pub created_at: DateTime<Utc>,
}

/// An open review step with the case it belongs to (the workbench queues).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepItem {
    pub step: onewindow_core::case::CaseStep,
    pub case: onewindow_core::case::Case,
}

/// A message waiting in (or sent from) the outbox.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    pub case_id: Option<i64>,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent` or `failed` (gave up after the last retry).
    pub status: String,
    pub attempts: i64,
    pub next_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A slot of a category's day as a booking page shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Slot {
    pub starts: String,
    pub ends: String,
    pub capacity: i64,
    pub booked: i64,
}

/// A slice of the cases for supervision (电子监察): any combination of region (with the regions
/// under it), department, window, clerk, matter and channel, inside the asker's scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Slice {
    pub scope: ScopeFilter,
    pub region_path: Option<String>,
    pub department_id: Option<i64>,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    pub matter_id: Option<i64>,
    pub channel: Option<onewindow_core::case::Channel>,
    /// Any of these windows (a hall's, for the window wall); empty: no such condition.
    pub window_in: Vec<i64>,
}

/// Running clocks of a slice by light on one day; `step_red` counts cases with a review step
/// over its own limit (whatever the case's light).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LightCounts {
    pub running: i64,
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
    pub step_red: i64,
}

/// What light counts are grouped by (rankings, the window wall).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LightsBy {
    Department,
    Window,
    Clerk,
    Matter,
}

impl LightsBy {
    pub fn column(self) -> &'static str {
        match self {
            LightsBy::Department => "department_id",
            LightsBy::Window => "window_id",
            LightsBy::Clerk => "clerk_id",
            LightsBy::Matter => "matter_id",
        }
    }

    /// The column's name in the marginal rollups (`Dims::marginals`).
    pub fn dim(self) -> &'static str {
        match self {
            LightsBy::Department => "department",
            LightsBy::Window => "window",
            LightsBy::Clerk => "clerk",
            LightsBy::Matter => "matter",
        }
    }
}

/// What figures are grouped by: trends (by day or month) and rankings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FiguresBy {
    Day,
    Month,
    Region,
    Department,
    Window,
    Clerk,
    Matter,
    Channel,
}

/// Which cases of a slice a light list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LightPick {
    Green,
    Yellow,
    Red,
    /// A review step over its own limit.
    StepRed,
    /// Concluded from the day given (the month's first) until today, decided after the
    /// promised deadline (超期办结): what the figures count as `late`, newest first. Not a
    /// running clock: nothing to urge.
    ConcludedLate {
        from: NaiveDate,
    },
}

/// An urge to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUrge {
    pub case_id: i64,
    pub step_id: Option<i64>,
    pub department_id: i64,
    pub region_id: i64,
    pub target_user_id: Option<i64>,
    pub origin: onewindow_core::supervision::urge::UrgeOrigin,
    pub level: onewindow_core::supervision::urge::UrgeLevel,
    pub message: String,
    pub respond_by: Option<NaiveDate>,
    pub escalate_on: Option<NaiveDate>,
    pub rectification: Option<String>,
    pub at: DateTime<Utc>,
}

/// An open urge raised to its next level, provided it is still at `version` and open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escalation {
    pub urge_id: i64,
    pub version: i64,
    pub level: onewindow_core::supervision::urge::UrgeLevel,
    pub respond_by: Option<NaiveDate>,
    pub escalate_on: Option<NaiveDate>,
    pub rectification: Option<String>,
    /// Why, for the urge's trail.
    pub note: String,
    /// The urge's message from now on, when what it said is no longer true (a warning that the
    /// case is near its deadline, raised when the case is overdue).
    pub message: Option<String>,
    pub at: DateTime<Utc>,
}

/// An open red card past its limit, referred to the supervision office, provided it is still
/// at `version`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Referral {
    pub urge_id: i64,
    pub version: i64,
    /// Why, for the urge's trail.
    pub note: String,
    pub at: DateTime<Utc>,
}

/// What a warning does once claimed: ring a new urge or raise an open one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Warning {
    Issue(NewUrge),
    Escalate(Escalation),
}

/// Which urges a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrgeFilter {
    pub scope: ScopeFilter,
    pub case_id: Option<i64>,
    pub open_only: bool,
    /// Those a person answers: addressed to them, or to their department with nobody named.
    pub answerer: Option<(i64, Option<i64>)>,
    pub limit: i64,
}

/// What a rating rates. The store reads the rest (department, region, matter, window, clerk)
/// from the record named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RatingTarget {
    /// A case rated online (一事一评), once per case.
    Case(i64),
    /// A department, reviewed as a whole (综合点评).
    Department(i64),
    /// A hall, reviewed as a whole (综合点评).
    Hall(i64),
    /// A window, checked by a supervisor (监督查评).
    Window(i64),
}

/// Who rated, kept apart from the rating for the call-back.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Rater {
    pub user_id: Option<i64>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The deadline and light days of the rectification a bad rating opens (computed on the
/// working-day calendar by the caller).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RectifyPlan {
    pub due_on: NaiveDate,
    pub yellow_on: NaiveDate,
    pub red_on: NaiveDate,
}

/// A rating to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRating {
    pub kind: onewindow_core::evaluation::rating::Kind,
    pub channel: onewindow_core::evaluation::rating::Channel,
    /// Checked (`Given::clean`) for the channel's setting.
    pub given: onewindow_core::evaluation::rating::Given,
    pub target: RatingTarget,
    /// The SHA-256 of the link's token when the rating came through one; spent with the rating.
    pub link_hash: Option<String>,
    pub rater: Rater,
    /// Opens a rectification when the level is bad.
    pub plan: Option<RectifyPlan>,
    pub at: DateTime<Utc>,
}

/// A rating as recorded, with the rectification it opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rated {
    pub rating: onewindow_core::evaluation::Rating,
    pub rectification: Option<onewindow_core::evaluation::rectification::Rectification>,
}

/// A rating link to send (its token's hash) with the message that carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRatingLink {
    pub case_id: i64,
    pub token_hash: String,
    pub channel: onewindow_core::case::NoticeChannel,
    pub sent_to: String,
    pub subject: String,
    pub body: String,
    pub at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A rating link as stored (never its token).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct RatingLink {
    pub id: i64,
    pub case_id: i64,
    pub channel: String,
    pub sent_to: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// Which ratings a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RatingFilter {
    pub scope: ScopeFilter,
    pub case_id: Option<i64>,
    pub clerk_id: Option<i64>,
    pub department_id: Option<i64>,
    pub hall_id: Option<i64>,
    pub matter_id: Option<i64>,
    /// Only bad ones (1 or 2).
    pub bad_only: bool,
    /// Only those still in the figures (no upheld appeal).
    pub counted_only: bool,
    pub kind: Option<onewindow_core::evaluation::rating::Kind>,
    /// Given by this account (for limits on the rater; never shown).
    pub rater_user_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// Which rectifications a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RectificationFilter {
    pub scope: ScopeFilter,
    pub state: Option<onewindow_core::evaluation::rectification::State>,
    pub open_only: bool,
    /// Open ones whose light on the day is this one: (light, day).
    pub light: Option<(onewindow_core::case::clock::Light, NaiveDate)>,
    pub limit: i64,
}

/// Which appeals a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppealFilter {
    pub scope: ScopeFilter,
    pub pending_only: bool,
    pub rating_id: Option<i64>,
    pub limit: i64,
}

/// What the ratings of a publication are counted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatingGroup {
    Hall,
    Department,
    Matter,
}

/// A closed rectification as the public see it: no rater, no clerk.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PublishedRectification {
    pub rated_at: DateTime<Utc>,
    pub closed_at: DateTime<Utc>,
    pub level: i64,
    pub reason: Option<String>,
    pub matter_name: Option<String>,
    pub department_name: Option<String>,
    pub outcome: String,
    pub measures: Option<String>,
    pub explanation: Option<String>,
}

/// A complaint to record, checked, with where it belongs and its first deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewComplaintRecord {
    pub complaint: onewindow_core::evaluation::complaint::CleanComplaint,
    pub region_id: i64,
    pub case_id: Option<i64>,
    pub complainant_id: Option<i64>,
    pub accept_due: NaiveDate,
    pub at: DateTime<Utc>,
}

/// Which complaints a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComplaintFilter {
    pub scope: ScopeFilter,
    pub complainant_id: Option<i64>,
    pub open_only: bool,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// Where a service is rated on site (一次一评).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatingPlace {
    /// The pad of the window that served it, within minutes of the finish.
    Window(i64),
    /// A kiosk of the hall that served it, on the same day.
    Kiosk(i64),
}

/// A checked report, with what the platform found out about it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEventRecord {
    pub event: onewindow_core::grid::report::NewEvent,
    pub source: onewindow_core::grid::event::Source,
    pub region_id: i64,
    pub reporter_id: Option<i64>,
    /// The grid its point lies in.
    pub grid_id: Option<i64>,
    /// Checked answers to the category's questions.
    pub attributes: serde_json::Value,
    /// Open311's token, when one is handed out.
    pub token: Option<String>,
    pub register_due: DateTime<Utc>,
    pub photos: Vec<NewFile>,
    pub at: DateTime<Utc>,
}

/// Which events a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub scope: ScopeFilter,
    pub ids: Vec<i64>,
    /// Only these states (all when empty).
    pub states: Vec<onewindow_core::grid::event::State>,
    pub category_ids: Vec<i64>,
    pub grid_ids: Vec<i64>,
    pub department_id: Option<i64>,
    pub reporter_id: Option<i64>,
    pub source: Option<onewindow_core::grid::event::Source>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// A photo of an event.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct EventPhoto {
    pub id: i64,
    pub event_id: i64,
    /// report, handle or verify.
    pub stage: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub added_at: DateTime<Utc>,
}

/// Events counted by grid, category and department over a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct EventTally {
    pub grid_id: Option<i64>,
    pub category_id: Option<i64>,
    pub department_id: Option<i64>,
    pub received: i64,
    pub registered: i64,
    pub closed: i64,
    pub fed_back: i64,
    pub on_time: i64,
}

/// A patrol check-in (巡查打卡).
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Checkin {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub grid_id: Option<i64>,
    pub point: onewindow_core::grid::report::Point,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// Who works a grid and which region it belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GridStaff {
    pub region_id: Option<i64>,
    pub leader_id: Option<i64>,
    pub workers: Vec<i64>,
}

/// A photo taken on a visit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct VisitPhoto {
    pub id: i64,
    pub visit_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub added_at: DateTime<Utc>,
}

/// Which work items to list; empty fields do not filter. Newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkFilter {
    /// Items of enterprises in this region or below ("/1/4/").
    pub region_path: Option<String>,
    pub department_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub project_id: Option<i64>,
    pub visit_id: Option<i64>,
    pub states: Vec<onewindow_core::enterprise::work::State>,
    pub level: Option<onewindow_core::enterprise::work::Level>,
    pub limit: i64,
}

/// A work item's facts for the figures, with the region of its enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemFactRow {
    pub region_id: i64,
    pub level: onewindow_core::enterprise::work::Level,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub deadline: Option<NaiveDate>,
}

/// A visit's facts for the figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitFactRow {
    pub region_id: i64,
    pub steward_id: i64,
    pub planned_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
}

/// The project a case is served under (全流程帮办代办).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CaseProject {
    pub case_id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub green_channel: bool,
}

/// What a done visit records: the report, the items heard (recorded as its work items) and its
/// photos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitRecord {
    pub report: onewindow_core::enterprise::visit::VisitReport,
    pub items: Vec<onewindow_core::enterprise::work::NewItem>,
    pub photos: Vec<NewFile>,
}

/// Which petition cases to list; empty fields do not filter. Newest first.
/// A case as an earlier ledger holds it (the backlog carried over when a station opens), written
/// in one transaction with the others: taken in on a day by one of the station's agents, then its
/// steps as they happened (each checked by the core's rules on its own day), its guarantor, the
/// guarantor's meetings and the aid. One audit entry per case.
#[derive(Clone, Debug)]
pub struct PetitionHistory {
    pub station_id: i64,
    pub agent_id: i64,
    /// Checked (`NewPetition::check`), with its authorization.
    pub petition: onewindow_core::petitions::case::NewPetition,
    pub taken_at: DateTime<Utc>,
    pub steps: Vec<(DateTime<Utc>, onewindow_core::petitions::case::Action)>,
    pub guarantor_id: Option<i64>,
    pub meetings: Vec<onewindow_core::petitions::support::Meeting>,
    pub aid: Vec<onewindow_core::petitions::support::Aid>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PetitionFilter {
    /// Cases of stations in this region or below.
    pub region_path: Option<String>,
    pub station_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub guarantor_id: Option<i64>,
    /// The case's number (XF…).
    pub number: Option<String>,
    /// Only the cases with a guarantor (包保).
    pub guaranteed: bool,
    pub ledger: Option<onewindow_core::petitions::case::Ledger>,
    pub state: Option<onewindow_core::petitions::case::State>,
    pub limit: i64,
}
