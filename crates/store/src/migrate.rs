//! Schema migrations, one list per database, embedded in the binary. All pending migrations run
//! in one transaction (both databases have transactional DDL), under a lock, so instances that
//! start together apply each migration once. An applied migration whose text has since changed is
//! refused: the schema would no longer be what the code expects.

use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use sha2::{Digest, Sha256};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/sqlite/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "catalog",
        sql: include_str!("../migrations/sqlite/0002_catalog.sql"),
    },
    Migration {
        version: 3,
        name: "calendar",
        sql: include_str!("../migrations/sqlite/0003_calendar.sql"),
    },
    Migration {
        version: 4,
        name: "cases",
        sql: include_str!("../migrations/sqlite/0004_cases.sql"),
    },
    Migration {
        version: 5,
        name: "audit_head_follows",
        sql: include_str!("../migrations/sqlite/0005_audit_head_follows.sql"),
    },
    Migration {
        version: 6,
        name: "hall",
        sql: include_str!("../migrations/sqlite/0006_hall.sql"),
    },
    Migration {
        version: 7,
        name: "hall_service",
        sql: include_str!("../migrations/sqlite/0007_hall_service.sql"),
    },
    Migration {
        version: 8,
        name: "case_lights",
        sql: include_str!("../migrations/sqlite/0008_case_lights.sql"),
    },
    Migration {
        version: 9,
        name: "supervision",
        sql: include_str!("../migrations/sqlite/0009_supervision.sql"),
    },
    Migration {
        version: 10,
        name: "figures",
        sql: include_str!("../migrations/sqlite/0010_figures.sql"),
    },
    Migration {
        version: 11,
        name: "figures_marginals",
        sql: include_str!("../migrations/sqlite/0011_figures_marginals.sql"),
    },
    Migration {
        version: 12,
        name: "light_marginals",
        sql: include_str!("../migrations/sqlite/0012_light_marginals.sql"),
    },
    Migration {
        version: 13,
        name: "urge_referral",
        sql: include_str!("../migrations/sqlite/0013_urge_referral.sql"),
    },
    Migration {
        version: 14,
        name: "evaluation",
        sql: include_str!("../migrations/sqlite/0014_evaluation.sql"),
    },
    Migration {
        version: 15,
        name: "grid",
        sql: include_str!("../migrations/sqlite/0015_grid.sql"),
    },
    Migration {
        version: 16,
        name: "grid_events",
        sql: include_str!("../migrations/sqlite/0016_grid_events.sql"),
    },
    Migration {
        version: 17,
        name: "enterprise",
        sql: include_str!("../migrations/sqlite/0017_enterprise.sql"),
    },
    Migration {
        version: 18,
        name: "enterprise_service",
        sql: include_str!("../migrations/sqlite/0018_enterprise_service.sql"),
    },
    Migration {
        version: 19,
        name: "petitions",
        sql: include_str!("../migrations/sqlite/0019_petitions.sql"),
    },
    Migration {
        version: 20,
        name: "petition_support",
        sql: include_str!("../migrations/sqlite/0020_petition_support.sql"),
    },
    Migration {
        version: 21,
        name: "job_leases",
        sql: include_str!("../migrations/sqlite/0021_job_leases.sql"),
    },
    Migration {
        version: 22,
        name: "security",
        sql: include_str!("../migrations/sqlite/0022_security.sql"),
    },
    Migration {
        version: 23,
        name: "clocks",
        sql: include_str!("../migrations/sqlite/0023_clocks.sql"),
    },
    Migration {
        version: 24,
        name: "figures_due",
        sql: include_str!("../migrations/sqlite/0024_figures_due.sql"),
    },
    Migration {
        version: 25,
        name: "documents",
        sql: include_str!("../migrations/sqlite/0025_documents.sql"),
    },
];

pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "catalog",
        sql: include_str!("../migrations/postgres/0002_catalog.sql"),
    },
    Migration {
        version: 3,
        name: "calendar",
        sql: include_str!("../migrations/postgres/0003_calendar.sql"),
    },
    Migration {
        version: 4,
        name: "cases",
        sql: include_str!("../migrations/postgres/0004_cases.sql"),
    },
    Migration {
        version: 5,
        name: "audit_head_follows",
        sql: include_str!("../migrations/postgres/0005_audit_head_follows.sql"),
    },
    Migration {
        version: 6,
        name: "hall",
        sql: include_str!("../migrations/postgres/0006_hall.sql"),
    },
    Migration {
        version: 7,
        name: "hall_service",
        sql: include_str!("../migrations/postgres/0007_hall_service.sql"),
    },
    Migration {
        version: 8,
        name: "case_lights",
        sql: include_str!("../migrations/postgres/0008_case_lights.sql"),
    },
    Migration {
        version: 9,
        name: "supervision",
        sql: include_str!("../migrations/postgres/0009_supervision.sql"),
    },
    Migration {
        version: 10,
        name: "figures",
        sql: include_str!("../migrations/postgres/0010_figures.sql"),
    },
    Migration {
        version: 11,
        name: "figures_marginals",
        sql: include_str!("../migrations/postgres/0011_figures_marginals.sql"),
    },
    Migration {
        version: 12,
        name: "light_marginals",
        sql: include_str!("../migrations/postgres/0012_light_marginals.sql"),
    },
    Migration {
        version: 13,
        name: "urge_referral",
        sql: include_str!("../migrations/postgres/0013_urge_referral.sql"),
    },
    Migration {
        version: 14,
        name: "evaluation",
        sql: include_str!("../migrations/postgres/0014_evaluation.sql"),
    },
    Migration {
        version: 15,
        name: "grid",
        sql: include_str!("../migrations/postgres/0015_grid.sql"),
    },
    Migration {
        version: 16,
        name: "grid_events",
        sql: include_str!("../migrations/postgres/0016_grid_events.sql"),
    },
    Migration {
        version: 17,
        name: "enterprise",
        sql: include_str!("../migrations/postgres/0017_enterprise.sql"),
    },
    Migration {
        version: 18,
        name: "enterprise_service",
        sql: include_str!("../migrations/postgres/0018_enterprise_service.sql"),
    },
    Migration {
        version: 19,
        name: "petitions",
        sql: include_str!("../migrations/postgres/0019_petitions.sql"),
    },
    Migration {
        version: 20,
        name: "petition_support",
        sql: include_str!("../migrations/postgres/0020_petition_support.sql"),
    },
    Migration {
        version: 21,
        name: "job_leases",
        sql: include_str!("../migrations/postgres/0021_job_leases.sql"),
    },
    Migration {
        version: 22,
        name: "security",
        sql: include_str!("../migrations/postgres/0022_security.sql"),
    },
    Migration {
        version: 23,
        name: "clocks",
        sql: include_str!("../migrations/postgres/0023_clocks.sql"),
    },
    Migration {
        version: 24,
        name: "figures_due",
        sql: include_str!("../migrations/postgres/0024_figures_due.sql"),
    },
    Migration {
        version: 25,
        name: "documents",
        sql: include_str!("../migrations/postgres/0025_documents.sql"),
    },
];

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Applies what is pending and returns the versions applied now.
pub async fn run<B: Backend>(b: &B, list: &'static [Migration]) -> Result<Vec<i64>> {
    let mut tx = b.begin().await?;
    B::lock_migrations(&mut tx).await?;
    B::script(
        &mut tx,
        "CREATE TABLE IF NOT EXISTS ow_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )
    .await?;
    let applied: Vec<(i64, String)> = B::all(
        &mut tx,
        sql("SELECT version, checksum FROM ow_migrations ORDER BY version"),
    )
    .await?;
    let mut done = Vec::new();
    for m in list {
        match applied.iter().find(|(v, _)| *v == m.version) {
            Some((_, sum)) if *sum == checksum(m.sql) => {}
            Some(_) => {
                return Err(StoreError::Migration(format!(
                    "migration {} ({}) was changed after it was applied",
                    m.version, m.name
                )));
            }
            None => {
                B::script(&mut tx, m.sql).await?;
                B::exec(
                    &mut tx,
                    sql("INSERT INTO ow_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
                        .bind(m.version)
                        .bind(m.name)
                        .bind(checksum(m.sql))
                        .bind(crate::backend::now().to_rfc3339()),
                )
                .await?;
                done.push(m.version);
            }
        }
    }
    if let Some((v, _)) = applied
        .iter()
        .find(|(v, _)| !list.iter().any(|m| m.version == *v))
    {
        return Err(StoreError::Migration(format!(
            "the database has migration {v}, which this binary does not know: it is older than the database"
        )));
    }
    B::commit(tx).await?;
    Ok(done)
}
