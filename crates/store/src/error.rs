//! Storage errors. Database messages are logged, never shown: a user sees either a domain error
//! (not found, conflict, invalid reference) or "internal error".

use onewindow_core::{DomainError, FieldError, Text};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Database(String),
    #[error("configuration error: {0}")]
    Config(String),
    #[error("migration error: {0}")]
    Migration(String),
}

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        StoreError::Domain(DomainError::Invalid(e))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Domain(DomainError::Conflict(FieldError::new(
                    unique_field(db.as_ref()),
                    Text::fixed("该值已被使用", "this value is already taken"),
                )));
            }
            if db.is_foreign_key_violation() {
                return StoreError::Domain(DomainError::Invalid(FieldError::new(
                    fk_field(db.as_ref()),
                    Text::fixed("引用的记录不存在", "the referenced record does not exist"),
                )));
            }
        }
        StoreError::Database(e.to_string())
    }
}

/// The column a unique violation is about. PostgreSQL names the constraint
/// (`departments_uscc_key`, `windows_hall_id_number_key`); SQLite lists the columns
/// (`UNIQUE constraint failed: windows.hall_id, windows.number`). Either way the last column is
/// the one a person chose.
fn unique_field(db: &dyn sqlx::error::DatabaseError) -> String {
    if let Some(c) = db.constraint() {
        let c = c.strip_suffix("_key").unwrap_or(c);
        return c.rsplit('_').next().unwrap_or(c).to_string();
    }
    let msg = db.message();
    msg.rsplit(['.', ' '])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("value")
        .to_string()
}

fn fk_field(db: &dyn sqlx::error::DatabaseError) -> String {
    db.constraint()
        .and_then(|c| c.strip_suffix("_fkey"))
        .and_then(|c| c.split_once('_').map(|(_, col)| col.to_string()))
        .unwrap_or_else(|| "reference".to_string())
}

pub type Result<T> = std::result::Result<T, StoreError>;
