//! Catalog records as stored: a matter (its identity and owner) and its guide versions.

use super::guide::Guide;
use super::version::VersionStatus;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A service matter: its code and owner. What it says lives in its guide versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Matter {
    pub id: i64,
    pub code: String,
    pub department_id: i64,
    /// The name of the published guide (or of the first draft, before publication).
    pub name: String,
    pub published_version_id: Option<i64>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct GuideVersion {
    pub id: i64,
    pub matter_id: i64,
    /// 1, 2, 3 … per matter.
    pub number: i64,
    #[schema(value_type = String, example = "published")]
    pub status: VersionStatus,
    pub guide: Guide,
    /// The author's note, or the reviewer's reason for sending it back.
    pub note: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// A published guide with what the portal and the index need to show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PublishedGuide {
    pub matter_id: i64,
    pub code: String,
    pub department_id: i64,
    pub version_id: i64,
    pub version_number: i64,
    pub guide: Guide,
}

/// A new matter with its first draft.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMatter {
    pub code: String,
    pub department_id: i64,
    pub guide: Guide,
}

/// A matter as an import brings it: created, or given a new published version.
#[derive(Clone, Debug)]
pub struct ImportedMatter {
    pub code: String,
    pub department_id: i64,
    pub guide: Guide,
    /// The licence type its result is: `None` leaves it as it is (a sheet without the column),
    /// `Some(None)` makes the result no licence.
    pub licence_kind: Option<Option<i64>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    /// Matters that got a new published version because their guide changed, or whose result
    /// became another licence type.
    pub updated: usize,
    /// Matters whose guide was already the same.
    pub unchanged: usize,
}
