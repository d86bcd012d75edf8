//! Validators for the identifiers people type: each returns the parsed value or the reason, in
//! both languages, why the input is not valid.

pub mod id_card;
pub mod mobile;
pub mod region_code;
pub mod text;
pub mod uscc;

#[cfg(test)]
mod properties;

pub use id_card::IdCard;
pub use region_code::RegionLevel;
