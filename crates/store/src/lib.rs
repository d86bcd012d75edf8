//! OneWindow storage. The rest of the platform sees only the traits below; behind them is one
//! implementation per database (`sqlite`, `postgres`), each with its own driver, pools and
//! migrations, sharing the SQL logic in `sql/`. Every change and its audit entry are written in
//! one transaction: a failed action leaves nothing behind.

pub mod backend;
pub mod backup;
pub mod copy;
pub mod error;
mod group;
pub mod licences;
mod migrate;
pub mod model;
pub mod postgres;
pub mod security;
mod sql;
pub mod sqlite;
pub mod testing;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::Lang;
use onewindow_core::audit::{Broken, Context, Entry};
use onewindow_core::calendar::YearArrangement;
use onewindow_core::case::machine::Outcome;
use onewindow_core::case::workflow::Workflow;
use onewindow_core::case::{Case, CaseEvent, Dossier};
use onewindow_core::catalog::Guide;
use onewindow_core::catalog::bundle::{Topic, TopicInput};
use onewindow_core::catalog::record::*;
use onewindow_core::catalog::version::VersionAction;
use onewindow_core::hall::category::{Category, NewCategory};
use onewindow_core::hall::queue::Waiting;
use onewindow_core::hall::ticket::Ticket;
use onewindow_core::identity::{CleanNewUser, CleanUserUpdate, User};
use onewindow_core::org::*;
use onewindow_core::supervision::urge::{Urge, UrgeLogLine, UrgeOrigin};
use std::sync::Arc;

pub use error::{Result, StoreError};
pub use licences::{
    LicenceFilter, LicenceShare, LicenceStore, NewLicence, NewShare, PrintCode, SealKeyRecord,
    SignLicence, Signer,
};
pub use model::{
    AppealFilter, Checkin, ComplaintFilter, EventFilter, EventPhoto, EventTally, GridStaff,
    NewComplaintRecord, NewEventRecord, NewRating, NewRatingLink, PublishedRectification, Rated,
    Rater, RatingFilter, RatingGroup, RatingLink, RatingPlace, RatingTarget, RectificationFilter,
    RectifyPlan,
};
pub use model::{
    AuditFilter, BatchRecord, BundleRecord, CaseFile, CaseFilter, CaseRecord, Created, Escalation,
    FiguresBy, Grouping, LightCounts, LightPick, LightsBy, NewFile, NewSession, NewTicket, NewUrge,
    OutboxMessage, Referral, ScopeFilter, Session, Slice, Slot, StepItem, UrgeFilter, Warning,
    WindowAct, WindowOutcome,
};
pub use model::{
    CaseProject, ItemFactRow, PetitionFilter, PetitionHistory, VisitFactRow, VisitPhoto,
    VisitRecord, WorkFilter,
};
pub use security::{NewSecurityEvent, SecurityEvent, SecurityKind, SecuritySource, SecurityStore};

#[async_trait]
pub trait OrgStore: Send + Sync {
    async fn regions(&self) -> Result<Vec<Region>>;
    async fn region(&self, id: i64) -> Result<Option<Region>>;
    async fn region_by_code(&self, code: &str) -> Result<Option<Region>>;
    async fn create_region(&self, ctx: &Context, new: NewRegion) -> Result<Region>;
    async fn update_region(&self, ctx: &Context, id: i64, upd: RegionUpdate) -> Result<Region>;
    async fn set_region_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Region>;

    async fn departments(&self, scope: &ScopeFilter) -> Result<Vec<Department>>;
    async fn department(&self, id: i64) -> Result<Option<Department>>;
    async fn department_by_uscc(&self, uscc: &str) -> Result<Option<Department>>;
    async fn create_department(&self, ctx: &Context, new: NewDepartment) -> Result<Department>;
    async fn update_department(
        &self,
        ctx: &Context,
        id: i64,
        upd: DepartmentUpdate,
    ) -> Result<Department>;
    async fn set_department_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Department>;

    async fn halls(&self, scope: &ScopeFilter) -> Result<Vec<Hall>>;
    async fn hall(&self, id: i64) -> Result<Option<Hall>>;
    async fn create_hall(&self, ctx: &Context, new: NewHall) -> Result<Hall>;
    async fn update_hall(&self, ctx: &Context, id: i64, upd: HallUpdate) -> Result<Hall>;
    async fn set_hall_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Hall>;

    async fn zones(&self, hall_id: i64) -> Result<Vec<Zone>>;
    async fn zone(&self, id: i64) -> Result<Option<Zone>>;
    async fn create_zone(&self, ctx: &Context, hall_id: i64, new: NewZone) -> Result<Zone>;
    async fn update_zone(&self, ctx: &Context, id: i64, upd: ZoneUpdate) -> Result<Zone>;
    async fn set_zone_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Zone>;

    async fn windows(&self, hall_id: i64) -> Result<Vec<Window>>;
    async fn window(&self, id: i64) -> Result<Option<Window>>;
    async fn create_window(&self, ctx: &Context, hall_id: i64, new: NewWindow) -> Result<Window>;
    async fn update_window(&self, ctx: &Context, id: i64, upd: WindowUpdate) -> Result<Window>;
    async fn set_window_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Window>;
}

#[async_trait]
pub trait IdentityStore: Send + Sync {
    async fn users(&self, scope: &ScopeFilter) -> Result<Vec<User>>;
    async fn user(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    /// The stored argon2 hash; only the login and password-change paths read it.
    async fn password_hash(&self, user_id: i64) -> Result<Option<String>>;
    async fn create_user(
        &self,
        ctx: &Context,
        new: CleanNewUser,
        password_hash: String,
    ) -> Result<User>;
    /// Several accounts sharing one password hash (a roster brought in at once), in one
    /// transaction: all or none.
    async fn create_users(
        &self,
        ctx: &Context,
        new: Vec<CleanNewUser>,
        password_hash: String,
    ) -> Result<Vec<User>>;
    async fn update_user(&self, ctx: &Context, id: i64, upd: CleanUserUpdate) -> Result<User>;
    /// Deactivating an account also ends all its sessions.
    async fn set_user_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<User>;
    /// Stores a new hash and ends every session of the account except `keep_session`.
    async fn set_password(
        &self,
        ctx: &Context,
        id: i64,
        password_hash: String,
        keep_session: Option<i64>,
    ) -> Result<()>;
    async fn set_preferences(
        &self,
        ctx: &Context,
        id: i64,
        large_text: Option<bool>,
        lang: Option<Lang>,
    ) -> Result<User>;

    /// Opens a session (a login) and records it in the trail.
    async fn create_session(&self, ctx: &Context, new: NewSession) -> Result<Session>;
    /// A live session and its active account; expired sessions and deactivated accounts give
    /// `None`.
    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>>;
    async fn touch_session(
        &self,
        id: i64,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<()>;
    /// Ends a session (a logout) and records it; `false` if there was none.
    async fn end_session(&self, ctx: &Context, token_hash: &str) -> Result<bool>;

    async fn record_login_attempt(
        &self,
        username: &str,
        client_addr: &str,
        success: bool,
    ) -> Result<()>;
    /// Failed logins since `since`: for the account (counting only after its last success) and
    /// for the address.
    async fn failed_logins(
        &self,
        username: &str,
        client_addr: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64)>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<Entry>>;
    /// Checks every chain in order from its genesis to its head, that no entry is outside the
    /// chains, and every checkpoint kept; `Ok(count)` or the first thing broken.
    async fn verify_audit(&self) -> Result<std::result::Result<u64, Broken>>;
    /// Every chain's head as committed now, in chain order.
    async fn audit_heads(&self) -> Result<Vec<onewindow_core::audit::Head>>;
    /// Binds every chain's head now into a checkpoint, and keeps it.
    async fn take_audit_checkpoint(&self) -> Result<onewindow_core::audit::Checkpoint>;
    /// The checkpoints kept, newest first.
    async fn audit_checkpoints(&self, limit: i64)
    -> Result<Vec<onewindow_core::audit::Checkpoint>>;
    /// Whether the trail still holds what `checkpoint` recorded (a published one, say).
    async fn check_audit_checkpoint(
        &self,
        checkpoint: &onewindow_core::audit::Checkpoint,
    ) -> Result<std::result::Result<(), Broken>>;
    /// Appends an entry that is not tied to a record change (e.g. a verification run).
    async fn append_audit(
        &self,
        ctx: &Context,
        change: onewindow_core::audit::Change,
    ) -> Result<i64>;
}

#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Matters of the departments in scope (staff lists), drafts included.
    async fn matters(&self, scope: &ScopeFilter) -> Result<Vec<Matter>>;
    async fn matter_by_code(&self, code: &str) -> Result<Option<Matter>>;
    async fn matter(&self, id: i64) -> Result<Option<Matter>>;
    /// A new matter with its guide as version 1, a draft.
    async fn create_matter(&self, ctx: &Context, new: NewMatter) -> Result<(Matter, GuideVersion)>;
    /// Saves a guide as the matter's draft: the open draft is updated, or a new draft is started
    /// from it. A version in review cannot be changed.
    async fn save_draft(
        &self,
        ctx: &Context,
        matter_id: i64,
        guide: Guide,
        note: Option<String>,
    ) -> Result<GuideVersion>;
    /// Submit, approve (publish) or send back a version.
    async fn act_on_version(
        &self,
        ctx: &Context,
        version_id: i64,
        action: VersionAction,
        note: Option<String>,
    ) -> Result<GuideVersion>;
    async fn versions(&self, matter_id: i64) -> Result<Vec<GuideVersion>>;
    async fn guide_version(&self, id: i64) -> Result<Option<GuideVersion>>;
    /// The published guide of every active matter, by code.
    async fn published_guides(&self) -> Result<Vec<PublishedGuide>>;
    async fn set_matter_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Matter>;
    /// Creates or updates many matters in one transaction, publishing their guides directly.
    async fn import_matters(
        &self,
        ctx: &Context,
        rows: Vec<ImportedMatter>,
    ) -> Result<ImportReport>;
    async fn topics(&self) -> Result<Vec<Topic>>;
    async fn topic_by_code(&self, code: &str) -> Result<Option<Topic>>;
    /// Creates the topic, or updates the one with this code (then `version` must be the one read).
    async fn save_topic(&self, ctx: &Context, input: TopicInput) -> Result<Topic>;
    async fn set_topic_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<Topic>;
    /// Changes with every change the public catalog shows.
    async fn catalog_generation(&self) -> Result<i64>;
    /// The search synonyms: one group per line, words separated by `；`.
    async fn synonyms(&self) -> Result<String>;
    async fn save_synonyms(&self, ctx: &Context, text: &str) -> Result<()>;
}

#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// Every year with an arrangement, built-in and entered.
    async fn calendar_years(&self) -> Result<Vec<YearArrangement>>;
    /// Enters (or replaces) one year's arrangement; checked first.
    async fn save_calendar_year(&self, ctx: &Context, year: YearArrangement) -> Result<()>;
}

/// Cases (办件) and what hangs off them. Every write is one transaction with its history line,
/// its notices in the outbox and its audit entry; writes go through group commit.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// The matter's review flow, if one has been configured.
    async fn workflow(&self, matter_id: i64) -> Result<Option<Workflow>>;
    async fn save_workflow(&self, ctx: &Context, matter_id: i64, workflow: Workflow) -> Result<()>;
    /// Numbers and writes new cases (each with its first history line and its "received"
    /// notices), the batch or bundle they form, and the files that came with them.
    async fn create_cases(
        &self,
        ctx: &Context,
        grouping: Grouping,
        cases: Vec<Dossier>,
        files: Vec<NewFile>,
    ) -> Result<Created>;
    /// Writes cases that happened elsewhere or earlier (generated demo data, history moved from
    /// another system): each dossier as its actions left it (steps, pauses and supplements
    /// without ids), with its history lines, numbered on its submission day, without notices,
    /// counted in the rollups; one transaction and one trail entry for them all. Returns the
    /// new ids in the order given.
    async fn import_cases(
        &self,
        ctx: &Context,
        cases: Vec<(Dossier, Vec<CaseEvent>)>,
    ) -> Result<Vec<i64>>;
    async fn dossier(&self, id: i64) -> Result<Option<Dossier>>;
    /// The dossier with the case's history and files (its own and its bundle's), read at once.
    async fn case_record(&self, id: i64) -> Result<Option<CaseRecord>>;
    async fn case_id_by_number(&self, number: &str) -> Result<Option<i64>>;
    /// Writes what an action did, provided the case is still at the version `before` was read
    /// at (otherwise a conflict: someone else acted first). Returns the case as it now is.
    async fn commit_action(
        &self,
        ctx: &Context,
        before: Dossier,
        outcome: Outcome,
    ) -> Result<Dossier>;
    /// Several actions in one transaction (acting on a whole batch): all or nothing.
    async fn commit_actions(
        &self,
        ctx: &Context,
        items: Vec<(Dossier, Outcome)>,
    ) -> Result<Vec<Dossier>>;
    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>>;
    async fn count_cases(&self, filter: &CaseFilter) -> Result<i64>;
    /// Rewrites what cases' clocks derive from the calendar and the light rule (their
    /// statutory, promised and delivery deadlines and the days their lights change): each case
    /// as read and as recomputed. One trail entry for all; not an edit (no version).
    async fn set_clocks(&self, ctx: &Context, cases: &[(Case, Case)]) -> Result<usize>;
    async fn case_events(&self, case_id: i64) -> Result<Vec<CaseEvent>>;
    /// The notices a case was issued, with their numbers (文号), in the order issued.
    async fn case_documents(
        &self,
        case_id: i64,
    ) -> Result<Vec<onewindow_core::case::documents::Document>>;
    /// Open review steps of a department, or assigned to a person, oldest first.
    async fn open_steps(
        &self,
        department_id: Option<i64>,
        assignee_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StepItem>>;
    async fn add_files(
        &self,
        ctx: &Context,
        case_id: i64,
        files: Vec<NewFile>,
    ) -> Result<Vec<CaseFile>>;
    /// The case's files and those of its bundle.
    async fn files(&self, case_id: i64) -> Result<Vec<CaseFile>>;
    async fn file(&self, id: i64) -> Result<Option<CaseFile>>;
    async fn bundle(&self, id: i64) -> Result<Option<BundleRecord>>;
    async fn batch(&self, id: i64) -> Result<Option<BatchRecord>>;
    /// Cases still awaiting a completeness decision after `today`'s deadline (art. 32).
    async fn cases_past_completeness(&self, today: NaiveDate, limit: i64) -> Result<Vec<i64>>;
    /// Pending messages due by `now`.
    async fn outbox_due(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<OutboxMessage>>;
    /// Pending messages due by `now`, taken for sending: none of them is due again before
    /// `until` (by then it has been sent, or the sender stopped and another may try), so
    /// instances sending at once never send one message twice.
    async fn outbox_claim(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>>;
    /// Records a sending attempt: sent, or failed with the error and the next try (none: give
    /// up).
    async fn outbox_attempted(
        &self,
        id: i64,
        outcome: std::result::Result<(), String>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    async fn outbox(&self, case_id: Option<i64>, limit: i64) -> Result<Vec<OutboxMessage>>;
    /// Marks a case's unsent notices `discarded` (cases entered after the fact: generated demo
    /// data, migrated history), so that nobody is told today of what happened months ago.
    async fn discard_notices(&self, case_id: i64) -> Result<u64>;
}

/// Electronic supervision (电子监察): counts and lists by light, urging and its escalation,
/// the warning job's claims, and the rollup of running clocks.
#[async_trait]
pub trait SupervisionStore: Send + Sync {
    /// Running clocks of a slice by light on `today`, from the rollup and the light indexes.
    async fn light_counts(&self, slice: &Slice, today: NaiveDate) -> Result<LightCounts>;
    /// The same counts per department, window, clerk or matter of the slice (those with a
    /// running clock), by key.
    async fn light_counts_by(
        &self,
        slice: &Slice,
        by: LightsBy,
        today: NaiveDate,
    ) -> Result<Vec<(i64, LightCounts)>>;
    /// A page of a slice's cases of one light on `today`, the longest in it first.
    async fn light_cases(
        &self,
        slice: &Slice,
        pick: LightPick,
        today: NaiveDate,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Case>>;
    /// Recounts the rollup of running clocks from the cases and rewrites it. Returns how many
    /// of its rows were wrong (0 when the rollup was kept right).
    async fn rebuild_running(&self, ctx: &Context) -> Result<i64>;
    async fn issue_urge(&self, ctx: &Context, new: NewUrge) -> Result<Urge>;
    async fn urge(&self, id: i64) -> Result<Option<Urge>>;
    async fn urges(&self, filter: &UrgeFilter) -> Result<Vec<Urge>>;
    async fn urge_log(&self, urge_id: i64) -> Result<Vec<UrgeLogLine>>;
    /// Answers an open urge read at `version`.
    async fn answer_urge(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        response: String,
        at: DateTime<Utc>,
    ) -> Result<Urge>;
    /// Raises an urge; `None` when it was answered or raised meanwhile.
    async fn escalate_urge(&self, ctx: &Context, e: Escalation) -> Result<Option<Urge>>;
    /// Open urges whose escalation day has come.
    /// Refers an open red card past its limit to the supervision office, under its version;
    /// `None` when it was answered, referred or changed meanwhile.
    async fn refer_urge(&self, ctx: &Context, r: Referral) -> Result<Option<Urge>>;
    async fn urges_to_escalate(&self, today: NaiveDate, limit: i64) -> Result<Vec<Urge>>;
    /// Cases whose `origin` light (yellow, red or step_red) is on by `today` and has not been
    /// warned of yet, with the day it came on.
    async fn cases_to_warn(
        &self,
        origin: UrgeOrigin,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<(i64, NaiveDate)>>;
    /// Claims the warning of (case, origin, day) and does what it says, in one transaction;
    /// `None` when it had been claimed already (by another instance or an earlier run).
    async fn claim_warning(
        &self,
        ctx: &Context,
        case_id: i64,
        origin: UrgeOrigin,
        light_on: NaiveDate,
        warning: Warning,
    ) -> Result<Option<Urge>>;
}

/// The figures (统计分析): sums of what happened for any period and slice, read from the
/// rollups kept with every write.
#[async_trait]
pub trait FiguresStore: Send + Sync {
    async fn figures(
        &self,
        slice: &Slice,
        period: onewindow_core::supervision::figures::Period,
    ) -> Result<onewindow_core::supervision::figures::Counters>;
    /// The same grouped: by day or month (`YYYY-MM-DD`, `YYYY-MM`) or by id (as text) or
    /// channel code; groups with nothing left out.
    async fn figures_by(
        &self,
        slice: &Slice,
        period: onewindow_core::supervision::figures::Period,
        by: FiguresBy,
    ) -> Result<Vec<(String, onewindow_core::supervision::figures::Counters)>>;
    /// Cases concluded in the period that were due before it began (结转办结), in total (key
    /// `all`) or by a slice column (by day or month: none).
    async fn carried(
        &self,
        slice: &Slice,
        period: onewindow_core::supervision::figures::Period,
        by: Option<FiguresBy>,
    ) -> Result<Vec<(String, i64)>>;
    /// Recounts the figures from the cases, tickets and ratings and rewrites the rollups.
    /// Returns how many of their rows were wrong (0 when they were kept right).
    async fn rebuild_figures(&self, ctx: &Context) -> Result<i64>;
}

/// Service evaluation (好差评): ratings, rating links, rectifications and appeals.
#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// Records a rating (any but those on site, which `HallStore::rate_on_site` records), spends
    /// its link, counts it in the figures (service ratings), and opens a rectification when the
    /// level is bad: one transaction.
    async fn rate(&self, ctx: &Context, new: NewRating) -> Result<Rated>;
    /// Stores a rating link and queues the message that carries it.
    async fn create_rating_link(&self, ctx: &Context, link: NewRatingLink) -> Result<RatingLink>;
    async fn rating_link(&self, token_hash: &str) -> Result<Option<RatingLink>>;
    async fn rating(&self, id: i64) -> Result<Option<onewindow_core::evaluation::Rating>>;
    async fn ratings(&self, f: &RatingFilter) -> Result<Vec<onewindow_core::evaluation::Rating>>;
    /// How many ratings of each level the filter finds, per group (key 0 without a group), as
    /// (key, level, count).
    async fn rating_levels(
        &self,
        f: &RatingFilter,
        by: Option<RatingGroup>,
    ) -> Result<Vec<(i64, i64, i64)>>;
    /// Bad ratings of the filter whose rectification closed rectified or explained, newest first
    /// (the public's view: nobody named).
    async fn published_rectifications(
        &self,
        f: &RatingFilter,
    ) -> Result<Vec<PublishedRectification>>;
    /// Who gave a rating (for the call-back; never for the rated clerk).
    async fn rater(&self, rating_id: i64) -> Result<Option<Rater>>;
    async fn rectification(
        &self,
        id: i64,
    ) -> Result<Option<onewindow_core::evaluation::rectification::Rectification>>;
    async fn rectifications(
        &self,
        f: &RectificationFilter,
    ) -> Result<Vec<onewindow_core::evaluation::rectification::Rectification>>;
    async fn rectification_log(
        &self,
        id: i64,
    ) -> Result<Vec<onewindow_core::evaluation::rectification::LogLine>>;
    /// Applies one action under the version read.
    async fn act_on_rectification(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: onewindow_core::evaluation::rectification::Action,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::evaluation::rectification::Rectification>;
    /// A supervisor urges a rectification (督办): a trail line and the count on the record.
    async fn urge_rectification(
        &self,
        ctx: &Context,
        id: i64,
        message: String,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::evaluation::rectification::Rectification>;
    /// Open rectifications the warning job has not yet warned at this level (1 yellow, 2 red)
    /// on `today`.
    async fn rectifications_to_warn(
        &self,
        level: i64,
        today: NaiveDate,
        limit: i64,
    ) -> Result<Vec<i64>>;
    /// Claims the warning of `level` on a rectification: true for exactly one caller.
    async fn claim_rectification_warning(
        &self,
        ctx: &Context,
        id: i64,
        level: i64,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// A clerk's appeal against a rating: one per rating.
    async fn file_appeal(
        &self,
        ctx: &Context,
        rating_id: i64,
        reason: String,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::evaluation::Appeal>;
    async fn appeal(&self, id: i64) -> Result<Option<onewindow_core::evaluation::Appeal>>;
    async fn appeals(&self, f: &AppealFilter) -> Result<Vec<onewindow_core::evaluation::Appeal>>;
    /// Decides an appeal; an upheld one takes the rating out of the figures and closes its
    /// rectification as voided.
    async fn decide_appeal(
        &self,
        ctx: &Context,
        id: i64,
        decision: onewindow_core::evaluation::AppealDecision,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::evaluation::Appeal>;
}

/// Complaints (投诉): lodged, accepted or refused, answered, closed.
#[async_trait]
pub trait ComplaintStore: Send + Sync {
    async fn lodge_complaint(
        &self,
        ctx: &Context,
        c: NewComplaintRecord,
    ) -> Result<onewindow_core::evaluation::complaint::Complaint>;
    async fn complaint(
        &self,
        id: i64,
    ) -> Result<Option<onewindow_core::evaluation::complaint::Complaint>>;
    async fn complaints(
        &self,
        f: &ComplaintFilter,
    ) -> Result<Vec<onewindow_core::evaluation::complaint::Complaint>>;
    async fn complaint_log(
        &self,
        id: i64,
    ) -> Result<Vec<onewindow_core::evaluation::complaint::LogLine>>;
    /// Applies one action under the version read; `answer_due` is the deadline an acceptance
    /// sets.
    async fn act_on_complaint(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: onewindow_core::evaluation::complaint::Action,
        answer_due: Option<NaiveDate>,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::evaluation::complaint::Complaint>;
}

/// Enterprise supervisors (监督员) and their reports.
#[async_trait]
pub trait SupervisorStore: Send + Sync {
    async fn appoint_supervisor(
        &self,
        ctx: &Context,
        s: onewindow_core::evaluation::supervisor::NewSupervisor,
        region_id: i64,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::evaluation::supervisor::Supervisor>;
    async fn supervisor(
        &self,
        id: i64,
    ) -> Result<Option<onewindow_core::evaluation::supervisor::Supervisor>>;
    async fn supervisor_of_user(
        &self,
        user_id: i64,
    ) -> Result<Option<onewindow_core::evaluation::supervisor::Supervisor>>;
    async fn supervisors(
        &self,
        scope: &ScopeFilter,
    ) -> Result<Vec<onewindow_core::evaluation::supervisor::Supervisor>>;
    async fn file_report(
        &self,
        ctx: &Context,
        supervisor: &onewindow_core::evaluation::supervisor::Supervisor,
        kind: onewindow_core::evaluation::supervisor::ReportKind,
        r: onewindow_core::evaluation::supervisor::NewReport,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::evaluation::supervisor::Report>;
    async fn report(
        &self,
        id: i64,
    ) -> Result<Option<onewindow_core::evaluation::supervisor::Report>>;
    /// Reports in scope, or of one supervisor.
    async fn reports(
        &self,
        scope: &ScopeFilter,
        supervisor_id: Option<i64>,
    ) -> Result<Vec<onewindow_core::evaluation::supervisor::Report>>;
    async fn act_on_report(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: onewindow_core::evaluation::supervisor::ReportAction,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::evaluation::supervisor::Report>;
}

/// Grids (网格化管理).
#[async_trait]
pub trait GridStore: Send + Sync {
    /// Writes the grids of a checked file in one transaction: new codes added, known ones
    /// updated, parents resolved level by level. Returns (created, updated).
    async fn import_grids(
        &self,
        ctx: &Context,
        features: Vec<onewindow_core::grid::import::GridFeature>,
        at: DateTime<Utc>,
    ) -> Result<(usize, usize)>;
    /// Active grids, of one level or all, by level and code.
    async fn grids(&self, level: Option<i64>) -> Result<Vec<onewindow_core::grid::Grid>>;
    async fn grid(&self, id: i64) -> Result<Option<onewindow_core::grid::Grid>>;
    /// Names a grid's region, leader and workers (网格长、网格员), under its version.
    async fn set_grid_staff(
        &self,
        ctx: &Context,
        grid_id: i64,
        version: i64,
        staff: GridStaff,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::grid::Grid>;
    /// The workers of a grid.
    async fn grid_workers(&self, grid_id: i64) -> Result<Vec<i64>>;
    /// Every grid's workers, as (grid, worker) pairs: one read for a whole list.
    async fn all_grid_workers(&self) -> Result<Vec<(i64, i64)>>;
    /// The grids a worker works (as worker or leader).
    async fn grids_of(&self, user_id: i64) -> Result<Vec<i64>>;
    /// Replaces the district's landmarks with a checked file's, in one transaction with one
    /// audit entry (under `region_id`, the district whose they are). Returns how many are kept.
    async fn replace_landmarks(
        &self,
        ctx: &Context,
        region_id: Option<i64>,
        landmarks: Vec<onewindow_core::grid::landmark::NewLandmark>,
        at: DateTime<Utc>,
    ) -> Result<usize>;
    /// Every landmark, by name.
    async fn landmarks(&self) -> Result<Vec<onewindow_core::grid::landmark::Landmark>>;

    async fn create_event_category(
        &self,
        ctx: &Context,
        c: onewindow_core::grid::category::NewCategory,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::grid::category::Category>;
    async fn update_event_category(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        c: onewindow_core::grid::category::NewCategory,
        active: bool,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::grid::category::Category>;
    /// Every category, active ones first, by group and code.
    async fn event_categories(&self) -> Result<Vec<onewindow_core::grid::category::Category>>;

    /// Numbers and records a report with its photos, trail line and audit entry (group commit).
    async fn report_event(
        &self,
        ctx: &Context,
        e: NewEventRecord,
    ) -> Result<onewindow_core::grid::report::Event>;
    async fn event(&self, id: i64) -> Result<Option<onewindow_core::grid::report::Event>>;
    async fn event_by_number(
        &self,
        number: &str,
    ) -> Result<Option<onewindow_core::grid::report::Event>>;
    async fn event_by_token(
        &self,
        token: &str,
    ) -> Result<Option<onewindow_core::grid::report::Event>>;
    /// Events by the filter, newest first.
    async fn events(&self, f: &EventFilter) -> Result<Vec<onewindow_core::grid::report::Event>>;
    /// Events of a category reported since `since` within a box of micro-degrees, other than
    /// `except`: the candidates for duplicate hints.
    async fn events_near(
        &self,
        category_id: i64,
        since: DateTime<Utc>,
        (lo, hi): ((i64, i64), (i64, i64)),
        except: Option<i64>,
    ) -> Result<Vec<onewindow_core::grid::report::Event>>;
    async fn event_log(&self, id: i64) -> Result<Vec<onewindow_core::grid::event::LogLine>>;
    async fn event_photos(&self, id: i64) -> Result<Vec<EventPhoto>>;
    async fn add_event_photos(
        &self,
        ctx: &Context,
        id: i64,
        stage: &str,
        photos: Vec<NewFile>,
        at: DateTime<Utc>,
    ) -> Result<Vec<EventPhoto>>;
    /// Applies actions in order, under the version read, in one transaction; each gets its trail
    /// line and audit entry. The handling limit is the event's category's (after any
    /// re-categorising), else `default_handle`.
    #[allow(clippy::too_many_arguments)]
    async fn act_on_event(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        actions: Vec<onewindow_core::grid::event::Action>,
        cal: &onewindow_core::calendar::Calendar,
        steps: onewindow_core::grid::limit::StepLimits,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::grid::report::Event>;
    /// Counts of the events reported in the period, in scope, by grid, category and department.
    async fn event_tallies(
        &self,
        scope: &ScopeFilter,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<EventTally>>;

    async fn patrol_check_in(
        &self,
        ctx: &Context,
        grid_id: Option<i64>,
        point: onewindow_core::grid::report::Point,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<Checkin>;
    /// Check-ins in the period, of one worker or all, oldest first.
    async fn patrol_checkins(
        &self,
        user_id: Option<i64>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Checkin>>;

    /// Issues an Open311 api key (kept as its SHA-256).
    async fn add_open311_key(
        &self,
        ctx: &Context,
        name: &str,
        key_sha256: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The name of the client an active key was issued to.
    async fn open311_client(&self, key_sha256: &str) -> Result<Option<String>>;
}

/// Enterprise service (政务服务进企业): enterprises, projects and their teams, work items.
#[async_trait]
pub trait EnterpriseStore: Send + Sync {
    async fn create_enterprise(
        &self,
        ctx: &Context,
        e: onewindow_core::enterprise::firm::NewEnterprise,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::enterprise::firm::Enterprise>;
    async fn enterprise(
        &self,
        id: i64,
    ) -> Result<Option<onewindow_core::enterprise::firm::Enterprise>>;
    /// A checked project with its checked team, in its enterprise's region.
    async fn create_project(
        &self,
        ctx: &Context,
        p: onewindow_core::enterprise::project::NewProject,
        team: onewindow_core::enterprise::project::Team,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::enterprise::project::Project>;
    async fn project(
        &self,
        id: i64,
    ) -> Result<Option<onewindow_core::enterprise::project::Project>>;
    /// A new team under the project's version; each change of steward, leader or department is
    /// kept as a handover.
    async fn set_project_team(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        team: onewindow_core::enterprise::project::Team,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::enterprise::project::Project>;
    async fn project_handovers(
        &self,
        id: i64,
    ) -> Result<Vec<onewindow_core::enterprise::project::Handover>>;
    async fn record_work_item(
        &self,
        ctx: &Context,
        n: onewindow_core::enterprise::work::NewItem,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::enterprise::work::Item>;
    async fn work_item(&self, id: i64) -> Result<Option<onewindow_core::enterprise::work::Item>>;
    /// Work items by the filter, newest first (at most 5,000).
    async fn work_items(
        &self,
        filter: &WorkFilter,
    ) -> Result<Vec<onewindow_core::enterprise::work::Item>>;
    async fn work_log(&self, id: i64) -> Result<Vec<onewindow_core::enterprise::work::LogLine>>;
    /// Plans visits by a steward (one, or a mobile team's round of many), each in its
    /// enterprise's region, in one transaction.
    async fn plan_visits(
        &self,
        ctx: &Context,
        steward_id: i64,
        v: Vec<onewindow_core::enterprise::visit::NewVisit>,
        at: DateTime<Utc>,
    ) -> Result<Vec<onewindow_core::enterprise::visit::Visit>>;
    /// Records a planned visit as done, under its version, with the problems, needs and
    /// suggestions heard (recorded as work items of the visit) and its photos, in one
    /// transaction.
    async fn report_visit(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        done: VisitRecord,
        at: DateTime<Utc>,
    ) -> Result<(
        onewindow_core::enterprise::visit::Visit,
        Vec<onewindow_core::enterprise::work::Item>,
    )>;
    /// Visits planned from `from` to `to` (inclusive), of one steward or all, by day.
    async fn visits(
        &self,
        steward_id: Option<i64>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<onewindow_core::enterprise::visit::Visit>>;
    /// Enterprises in a region or below (all without one), by name, at most 5,000; `q` matches
    /// part of the name or the credit code.
    async fn enterprises(
        &self,
        region_path: Option<&str>,
        q: Option<&str>,
    ) -> Result<Vec<onewindow_core::enterprise::firm::Enterprise>>;
    /// Projects of one enterprise, or of every enterprise in a region or below.
    async fn projects(
        &self,
        enterprise_id: Option<i64>,
        region_path: Option<&str>,
    ) -> Result<Vec<onewindow_core::enterprise::project::Project>>;
    async fn visit(&self, id: i64) -> Result<Option<onewindow_core::enterprise::visit::Visit>>;
    /// Visits to one enterprise, newest first.
    async fn visits_to(
        &self,
        enterprise_id: i64,
    ) -> Result<Vec<onewindow_core::enterprise::visit::Visit>>;
    async fn visit_photos(&self, visit_id: i64) -> Result<Vec<VisitPhoto>>;
    /// Several steps in one transaction (批量交办), in order, each on its item as it stands
    /// then, each with its trail line and audit entry; one refused step refuses them all.
    async fn act_on_work_items(
        &self,
        ctx: &Context,
        steps: Vec<(i64, onewindow_core::enterprise::work::Action, DateTime<Utc>)>,
    ) -> Result<Vec<onewindow_core::enterprise::work::Item>>;
    /// One step under the item's version, with its trail line and audit entry.
    async fn act_on_work_item(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: onewindow_core::enterprise::work::Action,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::enterprise::work::Item>;
}

/// Enterprise service, the work around the records: joint consultations and their follow-ups,
/// policy notices and their pushing (未诉先办), a project's cases (帮办代办), enterprise accounts and
/// the figures' facts.
#[async_trait]
pub trait EnterpriseServiceStore: Send + Sync {
    /// Records a held consultation in `region_id`; each item it decided on gets its 会商 step
    /// with the decisions, in the same transaction.
    async fn record_consultation(
        &self,
        ctx: &Context,
        c: onewindow_core::enterprise::consultation::NewConsultation,
        region_id: i64,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::enterprise::consultation::Consultation>;
    async fn consultation(
        &self,
        id: i64,
    ) -> Result<Option<onewindow_core::enterprise::consultation::Consultation>>;
    /// Consultations held from `from` to `to`, newest first.
    async fn consultations(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<onewindow_core::enterprise::consultation::Consultation>>;
    /// Reports one follow-up done, under the consultation's version.
    async fn finish_follow_up(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        index: usize,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::enterprise::consultation::Consultation>;
    /// Publishes a notice for the enterprises under `region_id` and pushes it, in the same
    /// transaction, to every one its audience matches.
    async fn publish_policy(
        &self,
        ctx: &Context,
        p: onewindow_core::enterprise::policy::NewPolicy,
        region_id: i64,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::enterprise::policy::Policy>;
    /// Notices published for a region or below (all without one), newest first.
    async fn policies(
        &self,
        region_path: Option<&str>,
    ) -> Result<Vec<onewindow_core::enterprise::policy::Policy>>;
    async fn policy(&self, id: i64) -> Result<Option<onewindow_core::enterprise::policy::Policy>>;
    /// The notices pushed to one enterprise, newest first.
    async fn pushes_to(
        &self,
        enterprise_id: i64,
    ) -> Result<Vec<onewindow_core::enterprise::policy::Push>>;
    /// The enterprise opened a notice (the first time counts).
    async fn mark_policy_read(
        &self,
        enterprise_id: i64,
        policy_id: i64,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Puts a case under a project (帮办代办); a case belongs to one project at most.
    async fn link_case(
        &self,
        ctx: &Context,
        project_id: i64,
        case_id: i64,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The ids of a project's cases, in the order they were linked.
    async fn project_cases(&self, project_id: i64) -> Result<Vec<i64>>;
    /// Of these cases, those served under a project, with the project.
    async fn case_projects(&self, case_ids: &[i64]) -> Result<Vec<CaseProject>>;
    /// Lets an enterprise account speak for its enterprise.
    async fn set_enterprise_account(
        &self,
        ctx: &Context,
        user_id: i64,
        enterprise_id: i64,
    ) -> Result<()>;
    /// The enterprise an account speaks for.
    async fn enterprise_of_account(&self, user_id: i64) -> Result<Option<i64>>;
    /// The facts of the figures from `from` to `to`: the items collected by `to` and not
    /// closed before `from`, and the visits planned or done in the period.
    async fn service_facts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(Vec<ItemFactRow>, Vec<VisitFactRow>)>;
}

/// Petition agency (信访代理): stations and their agents, cases under agency with their trail,
/// guarantors, the reception rota and the ledgers' facts.
#[async_trait]
pub trait PetitionStore: Send + Sync {
    async fn create_station(
        &self,
        ctx: &Context,
        s: onewindow_core::petitions::station::NewStation,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::petitions::station::Station>;
    /// Stations opened with their agents, all in one transaction.
    async fn create_stations(
        &self,
        ctx: &Context,
        stations: Vec<(onewindow_core::petitions::station::NewStation, Vec<i64>)>,
        at: DateTime<Utc>,
    ) -> Result<Vec<onewindow_core::petitions::station::Station>>;
    async fn station(&self, id: i64)
    -> Result<Option<onewindow_core::petitions::station::Station>>;
    /// Stations in a region or below (all without one), by name.
    async fn stations(
        &self,
        region_path: Option<&str>,
    ) -> Result<Vec<onewindow_core::petitions::station::Station>>;
    /// The station's agents, under its version; each must be an agent's account.
    async fn set_station_agents(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        agents: Vec<i64>,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::petitions::station::Station>;
    /// Takes a checked case in at a station by one of its agents: numbered, with its trail line
    /// and an audit entry that names no personal data.
    async fn take_petition(
        &self,
        ctx: &Context,
        station_id: i64,
        agent_id: i64,
        p: onewindow_core::petitions::case::NewPetition,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::petitions::case::Petition>;
    async fn petition(&self, id: i64) -> Result<Option<onewindow_core::petitions::case::Petition>>;
    async fn petitions(
        &self,
        f: &PetitionFilter,
    ) -> Result<Vec<onewindow_core::petitions::case::Petition>>;
    /// One step under the case's version, with its trail line and audit entry.
    async fn act_on_petition(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        action: onewindow_core::petitions::case::Action,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::petitions::case::Petition>;
    async fn petition_log(&self, id: i64) -> Result<Vec<onewindow_core::petitions::case::LogLine>>;
    /// Someone saw the petitioner's personal data: an audit entry.
    async fn record_petition_view(&self, ctx: &Context, id: i64) -> Result<()>;
    /// The leader who guarantees the case (包保), under its version; a leader's account.
    async fn set_guarantor(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        leader_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<onewindow_core::petitions::case::Petition>;
    /// Sets the checked days of the reception rota (each replaces what the day had).
    async fn set_rota(
        &self,
        ctx: &Context,
        days: Vec<onewindow_core::petitions::rota::RotaDay>,
    ) -> Result<()>;
    async fn rota(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<onewindow_core::petitions::rota::RotaDay>>;
    /// A guarantor's meeting on a case.
    async fn add_meeting(
        &self,
        ctx: &Context,
        petition_id: i64,
        m: onewindow_core::petitions::support::Meeting,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn meetings(
        &self,
        petition_id: i64,
    ) -> Result<Vec<onewindow_core::petitions::support::Meeting>>;
    /// A reception by the leader the rota names for its day, tied to a case if given.
    async fn record_reception(
        &self,
        ctx: &Context,
        r: onewindow_core::petitions::support::Reception,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Receptions from `from` to `to`, by day.
    async fn receptions(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<onewindow_core::petitions::support::Reception>>;
    /// Hardship aid given or a legal-aid referral made on a case.
    async fn record_aid(
        &self,
        ctx: &Context,
        petition_id: i64,
        a: onewindow_core::petitions::support::Aid,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn aid_of(
        &self,
        petition_id: i64,
    ) -> Result<Vec<onewindow_core::petitions::support::Aid>>;
    /// The ledgers' facts of the cases taken in by `to`, each under its station's region.
    async fn petition_facts(
        &self,
        to: NaiveDate,
    ) -> Result<Vec<onewindow_core::petitions::ledger::CaseFacts>>;
    /// Carries cases over from an earlier ledger, all in one transaction; how many.
    async fn import_petitions(&self, ctx: &Context, cases: Vec<PetitionHistory>) -> Result<usize>;
    /// Aid decided from `from` to `to`, each under its case's region.
    async fn aid_facts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<onewindow_core::petitions::ledger::AidFacts>>;
}

#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn setting(&self, key: &str) -> Result<Option<String>>;
    async fn put_setting(&self, ctx: &Context, key: &str, value: &str) -> Result<()>;
}

/// Everything the platform stores.
#[async_trait]
pub trait Store:
    OrgStore
    + IdentityStore
    + AuditStore
    + SettingsStore
    + CatalogStore
    + CalendarStore
    + CaseStore
    + HallStore
    + AppointmentStore
    + SupervisionStore
    + FiguresStore
    + EvaluationStore
    + ComplaintStore
    + SupervisorStore
    + GridStore
    + EnterpriseStore
    + EnterpriseServiceStore
    + PetitionStore
    + SecurityStore
    + LicenceStore
{
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> Result<()>;
    /// Applies pending migrations; returns the versions applied now.
    async fn migrate(&self) -> Result<Vec<i64>>;
    async fn close(&self);
    /// Writes a consistent copy of the whole database to `path` while it serves (SQLite); on
    /// PostgreSQL, the pg_dump guidance as an error.
    async fn backup(&self, path: &std::path::Path) -> Result<()>;
    /// Every table's row count and checksum, in name order.
    async fn table_digests(&self) -> Result<Vec<backend::TableDigest>>;
    /// The database's consistency check: `ok`, or what it found.
    async fn integrity(&self) -> Result<String>;
    /// Takes or renews background job `job`'s lease for `holder` (an instance) for `span`:
    /// true when `holder` now holds it, false while another instance's lease runs.
    async fn lease_job(&self, job: &str, holder: &str, span: std::time::Duration) -> Result<bool>;
    /// Sends `payload` to the instances listening on `channel`; nothing on SQLite.
    async fn notify(&self, channel: &str, payload: &str) -> Result<()>;
    /// What other instances send on `channel` from now on; `None` on SQLite (one instance).
    async fn listen(&self, channel: &str) -> Result<Option<backend::Listening>>;
}

/// The service hall: business categories, what each window calls, tickets and calling.
#[async_trait]
pub trait HallStore: Send + Sync {
    async fn categories(&self, hall_id: i64) -> Result<Vec<Category>>;
    async fn category(&self, id: i64) -> Result<Option<Category>>;
    async fn create_category(
        &self,
        ctx: &Context,
        hall_id: i64,
        new: NewCategory,
    ) -> Result<Category>;
    /// The categories a window calls, in its order.
    async fn window_categories(&self, window_id: i64) -> Result<Vec<i64>>;
    /// The window a clerk sits at (the one they last took), if any.
    async fn seat_of(&self, clerk_id: i64) -> Result<Option<i64>>;
    async fn set_window_categories(
        &self,
        ctx: &Context,
        window_id: i64,
        category_ids: &[i64],
    ) -> Result<Vec<i64>>;
    /// Numbers and records a ticket of an active category of the hall.
    async fn issue_ticket(&self, ctx: &Context, new: NewTicket) -> Result<Ticket>;
    async fn ticket(&self, id: i64) -> Result<Option<Ticket>>;
    /// How many waiting tickets of its category go before a waiting ticket
    /// (`onewindow_core::hall::queue::ahead`), counted through the queue index.
    async fn ahead(&self, ticket: &Ticket) -> Result<i64>;
    /// The hall's waiting tickets as the calling rule sees them.
    async fn waiting(&self, hall_id: i64) -> Result<Vec<Waiting>>;
    /// A clerk's action at a window (`onewindow_core::hall::window`), in one transaction.
    /// Calls follow the calling rule (`onewindow_core::hall::queue`), and each ticket is called
    /// by exactly one window, however many call at once, on one instance or several.
    async fn window_act(&self, ctx: &Context, act: WindowAct) -> Result<WindowOutcome>;
    /// Finishes the window's current ticket, if any, and calls the next one.
    async fn call_next(
        &self,
        ctx: &Context,
        window_id: i64,
        clerk_id: Option<i64>,
        max_passes: i64,
    ) -> Result<Option<Ticket>> {
        let out = self
            .window_act(
                ctx,
                WindowAct {
                    window_id,
                    clerk_id,
                    action: onewindow_core::hall::window::WindowAction::CallNext,
                    max_passes,
                    at: backend::now(),
                },
            )
            .await?;
        Ok(out.ticket)
    }
    /// Puts a no-show back at the end of its queue, once, on its own day.
    async fn requeue_ticket(
        &self,
        ctx: &Context,
        ticket_id: i64,
        at: chrono::DateTime<chrono::Utc>,
        today: chrono::NaiveDate,
    ) -> Result<Ticket>;
    /// Closes the days before `today`: leftover tickets are cancelled and the fairness rule's
    /// records before `from_arrival` dropped. Returns the tickets closed.
    async fn close_past_days(
        &self,
        ctx: &Context,
        today: chrono::NaiveDate,
        from_arrival: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64>;
    /// A staff member's photo for the window screens: the stored file's SHA-256 and type.
    async fn set_staff_photo(
        &self,
        ctx: &Context,
        user_id: i64,
        sha256: &str,
        content_type: &str,
    ) -> Result<()>;
    async fn staff_photo(&self, user_id: i64) -> Result<Option<(String, String)>>;
    /// The tickets of a hall taken between two days (inclusive), for its figures.
    async fn ticket_facts(
        &self,
        hall_id: i64,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<onewindow_core::hall::stats::TicketFact>>;
    /// What the hall's screens show on a day.
    async fn board(
        &self,
        hall_id: i64,
        day: chrono::NaiveDate,
    ) -> Result<onewindow_core::hall::board::Board>;
    /// The on-site rating of a ticket (一次一评): at the pad of the window that finished it a
    /// moment ago, or at a kiosk of its hall the same day. A bad one opens its rectification
    /// with `plan`.
    async fn rate_on_site(
        &self,
        ctx: &Context,
        place: RatingPlace,
        rating: onewindow_core::evaluation::PadRating,
        plan: Option<RectifyPlan>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Rated>;
}

/// Appointments (预约): slot plans, bookings, check-in and no-shows.
#[async_trait]
pub trait AppointmentStore: Send + Sync {
    async fn slot_plan(
        &self,
        category_id: i64,
    ) -> Result<Vec<onewindow_core::hall::appointment::SlotPlan>>;
    /// Replaces a category's slot plan (cleaned by the caller).
    async fn set_slot_plan(
        &self,
        ctx: &Context,
        hall_id: i64,
        category_id: i64,
        plan: Vec<onewindow_core::hall::appointment::SlotPlan>,
    ) -> Result<Vec<onewindow_core::hall::appointment::SlotPlan>>;
    /// The category's slots on a day with the places taken.
    async fn slots(&self, category_id: i64, day: chrono::NaiveDate) -> Result<Vec<Slot>>;
    /// Books a place (the booking cleaned and its day checked by the caller): the slot must be
    /// in the plan and not full, and the person within the limits.
    async fn book(
        &self,
        ctx: &Context,
        hall_id: i64,
        new: onewindow_core::hall::appointment::NewAppointment,
        code: String,
        today: chrono::NaiveDate,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<onewindow_core::hall::appointment::Appointment>;
    async fn appointment(
        &self,
        id: i64,
    ) -> Result<Option<onewindow_core::hall::appointment::Appointment>>;
    /// A person's open bookings in a hall on a day (for checking in by ID number).
    async fn booked_on(
        &self,
        hall_id: i64,
        id_number: &str,
        day: chrono::NaiveDate,
    ) -> Result<Vec<onewindow_core::hall::appointment::Appointment>>;
    async fn cancel_appointment(
        &self,
        ctx: &Context,
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<onewindow_core::hall::appointment::Appointment>;
    /// Moves a booking to another slot (the day checked by the caller).
    async fn reschedule(
        &self,
        ctx: &Context,
        id: i64,
        day: chrono::NaiveDate,
        starts: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<onewindow_core::hall::appointment::Appointment>;
    /// Checks a booking in and issues its ticket, in one transaction.
    async fn check_in(
        &self,
        ctx: &Context,
        id: i64,
        ticket: NewTicket,
    ) -> Result<(onewindow_core::hall::appointment::Appointment, Ticket)>;
    /// Bookings whose slot ended before `now_hhmm` on `today` (or earlier days) without a
    /// check-in become no-shows; returns them.
    async fn mark_no_shows(
        &self,
        ctx: &Context,
        today: chrono::NaiveDate,
        now_hhmm: &str,
    ) -> Result<Vec<onewindow_core::hall::appointment::Appointment>>;
}

/// Opens the database a URL names: `sqlite://path` (created if missing) or `postgres://…`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DbKind {
    Sqlite,
    Postgres,
}

/// Which database a URL names.
pub(crate) fn db_kind(url: &str) -> Result<DbKind> {
    if url.starts_with("sqlite:") {
        Ok(DbKind::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(DbKind::Postgres)
    } else {
        Err(StoreError::Config(
            "database URL must start with sqlite:// or postgres://".into(),
        ))
    }
}

pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    Ok(match db_kind(url)? {
        DbKind::Sqlite => Arc::new(sql::SqlStore::new(
            sqlite::SqliteBackend::connect(url).await?,
        )),
        DbKind::Postgres => Arc::new(sql::SqlStore::new(
            postgres::PgBackend::connect(url, 16).await?,
        )),
    })
}

/// The URL with any password replaced by `***`, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_leave_in_urls() {
        assert_eq!(
            super::redact_url("postgres://ow:s3cret@db.example:5432/ow"),
            "postgres://ow:***@db.example:5432/ow"
        );
        assert_eq!(
            super::redact_url("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            super::redact_url("sqlite://data/onewindow.db"),
            "sqlite://data/onewindow.db"
        );
    }
}
