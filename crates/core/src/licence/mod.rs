//! Electronic licences (电子证照): what a case's approving decision issues and its holder keeps,
//! shows and reuses instead of bringing the paper again.
//!
//! - [`kind`]: licence types (证照类型) — the issuing department, the fields with their rules,
//!   validity, the number series.
//! - [`record`]: a licence as issued (number, holder, fields, dates) and its status over time
//!   (suspended, revoked, cancelled; expired by the calendar).
//! - [`file`]: the document's two seals as a verifier reads them — the embedded signed data
//!   and the signature over the file's bytes — and the three answers about a file.
//! - [`seal`]: the department's electronic seal — SM2 signatures over SM3 digests (GB/T 32918,
//!   GB/T 32905) of the licence's canonical data and of the document's bytes; key ids; what a
//!   verification found, as three answers apart (integrity, status, issuer).

pub mod file;
pub mod kind;
pub mod record;
pub mod seal;

pub use kind::{FieldSource, FieldSpec, LicenceKind, Validity};
pub use record::{Holder, HolderKind, Licence, LicenceField, Status};
