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
    Migration {
        version: 26,
        name: "audit_chains",
        sql: include_str!("../migrations/sqlite/0026_audit_chains.sql"),
    },
    Migration {
        version: 27,
        name: "hall_lunch",
        sql: include_str!("../migrations/sqlite/0027_hall_lunch.sql"),
    },
    Migration {
        version: 28,
        name: "landmarks",
        sql: include_str!("../migrations/sqlite/0028_landmarks.sql"),
    },
    Migration {
        version: 29,
        name: "licences",
        sql: include_str!("../migrations/sqlite/0029_licences.sql"),
    },
    Migration {
        version: 30,
        name: "licence_shares_uses",
        sql: include_str!("../migrations/sqlite/0030_licence_shares_uses.sql"),
    },
    Migration {
        version: 31,
        name: "licence_fields_entered",
        sql: include_str!("../migrations/sqlite/0031_licence_fields_entered.sql"),
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
    Migration {
        version: 26,
        name: "audit_chains",
        sql: include_str!("../migrations/postgres/0026_audit_chains.sql"),
    },
    Migration {
        version: 27,
        name: "hall_lunch",
        sql: include_str!("../migrations/postgres/0027_hall_lunch.sql"),
    },
    Migration {
        version: 28,
        name: "landmarks",
        sql: include_str!("../migrations/postgres/0028_landmarks.sql"),
    },
    Migration {
        version: 29,
        name: "licences",
        sql: include_str!("../migrations/postgres/0029_licences.sql"),
    },
    Migration {
        version: 30,
        name: "licence_shares_uses",
        sql: include_str!("../migrations/postgres/0030_licence_shares_uses.sql"),
    },
    Migration {
        version: 31,
        name: "licence_fields_entered",
        sql: include_str!("../migrations/postgres/0031_licence_fields_entered.sql"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::postgres_url;
    use chrono::{TimeZone, Utc};
    use onewindow_core::audit::{Change, Context, Entry, GENESIS};
    use sqlx::Connection;

    /// The one chain as the platform wrote it before migration 0026.
    fn old_trail(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    chain: 1,
                    link: seq,
                    at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap()
                        + chrono::Duration::minutes(seq),
                    actor_id: Some(1),
                    actor_name: "admin".into(),
                    actor_role: "admin".into(),
                    action: "department.update".into(),
                    target_type: "department".into(),
                    target_id: Some(seq % 5),
                    department_id: Some(seq % 5),
                    region_id: None,
                    summary: format!(r#"{{"after":{{"name":"部门{seq}"}}}}"#),
                    client_addr: None,
                    request_id: None,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    const OLD_INSERT: &str = "INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, \
         action, target_type, target_id, department_id, region_id, summary, client_addr, \
         request_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
         $13, $14, $15)";

    macro_rules! write_old {
        ($conn:expr, $entries:expr) => {
            for e in $entries {
                sqlx::query(OLD_INSERT)
                    .bind(e.seq)
                    .bind(e.at)
                    .bind(e.actor_id)
                    .bind(&e.actor_name)
                    .bind(&e.actor_role)
                    .bind(&e.action)
                    .bind(&e.target_type)
                    .bind(e.target_id)
                    .bind(e.department_id)
                    .bind(e.region_id)
                    .bind(&e.summary)
                    .bind(&e.client_addr)
                    .bind(&e.request_id)
                    .bind(&e.prev_hash)
                    .bind(&e.hash)
                    .execute(&mut $conn)
                    .await
                    .unwrap();
            }
        };
    }

    /// After the move: the old history verifies, new entries go to their chains, the old
    /// chain goes on where it stopped.
    async fn goes_on(url: &str, n: i64) {
        let store = crate::open(url).await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(store.verify_audit().await.unwrap(), Ok(n as u64));
        let ctx = Context::system("test");
        for id in 0..40 {
            store
                .append_audit(
                    &ctx,
                    Change {
                        action: "case.update".into(),
                        target_type: "case".into(),
                        target_id: Some(id),
                        department_id: None,
                        region_id: None,
                        summary: serde_json::json!({}),
                    },
                )
                .await
                .unwrap();
        }
        assert_eq!(store.verify_audit().await.unwrap(), Ok(n as u64 + 40));
        let heads = store.audit_heads().await.unwrap();
        assert_eq!(heads[0].link, n, "chain 1 holds the old history");
        assert_eq!(heads.iter().map(|h| h.link).sum::<i64>(), n + 40);
        assert!(
            heads.iter().all(|h| h.link >= 2),
            "new entries go to the shortest chains: {heads:?}"
        );
        store.take_audit_checkpoint().await.unwrap();
        assert_eq!(store.verify_audit().await.unwrap(), Ok(n as u64 + 40));
        store.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_trail_from_before_chains_verifies_after_the_move() {
        let n = 30;
        let trail = old_trail(n);
        let last = trail.last().map(|e| e.hash.clone()).unwrap_or_default();

        let path = std::env::temp_dir().join(format!("ow_test_{}_chains.db", std::process::id()));
        let url = format!("sqlite://{}", path.display());
        let b = crate::sqlite::SqliteBackend::connect(&url).await.unwrap();
        run(&b, &SQLITE[..25]).await.unwrap();
        b.close().await;
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        write_old!(conn, &trail);
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(n)
            .bind(&last)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        goes_on(&url, n).await;
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", path.display()));
        }

        let Some(admin) = postgres_url() else { return };
        let name = format!("ow_test_{}_chains", std::process::id());
        let mut a = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut a)
            .await
            .unwrap();
        let mut u = url::Url::parse(&admin).unwrap();
        u.set_path(&format!("/{name}"));
        let url = u.to_string();
        let b = crate::postgres::PgBackend::connect(&url, 2).await.unwrap();
        run(&b, &POSTGRES[..25]).await.unwrap();
        b.close().await;
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        write_old!(conn, &trail);
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(n)
            .bind(&last)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        goes_on(&url, n).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut a)
        .await
        .unwrap();
    }
}
