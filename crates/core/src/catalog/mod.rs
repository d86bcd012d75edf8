//! The service catalog (事项目录) and its guides (办事指南): what a matter needs, where and how it
//! is done, how long it may take; versions of a guide and what changed between them; life events,
//! themes and "一件事" bundles; search as a person types it; the catalog's statistics; and the
//! spreadsheet format governments keep their matter lists in.

pub mod bundle;
pub mod guide;
pub mod record;
pub mod search;
pub mod sheet;
pub mod stats;
pub mod version;

pub use guide::*;
