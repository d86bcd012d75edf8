//! OneWindow domain core. Everything here is pure: no clocks, no files, no network, no database.
//! The storage and HTTP layers call into it; it never calls out.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod enterprise;
pub mod error;
pub mod evaluation;
pub mod grid;
pub mod hall;
pub mod i18n;
pub mod identity;
pub mod licence;
pub mod org;
pub mod petitions;
pub mod supervision;
pub mod time;
pub mod validate;
mod vocabulary;

pub use error::{DomainError, FieldError};
pub use i18n::{Lang, Text};
