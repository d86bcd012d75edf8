//! Key-value settings that localities change at run time.

use super::SqlStore;
use super::audit::append;
use crate::SettingsStore;
use crate::backend::{Backend, now, sql};
use crate::error::Result;
use async_trait::async_trait;
use onewindow_core::audit::{Change, Context, diff};
use serde_json::json;

#[async_trait]
impl<B: Backend> SettingsStore for SqlStore<B> {
    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = self
            .b
            .read_opt(sql("SELECT value FROM settings WHERE key = $1").bind(key))
            .await?;
        Ok(row.map(|r| r.0))
    }

    async fn put_setting(&self, ctx: &Context, key: &str, value: &str) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let old: Option<(String,)> = B::opt(
            &mut tx,
            sql("SELECT value FROM settings WHERE key = $1").bind(key),
        )
        .await?;
        B::exec(
            &mut tx,
            sql("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
                .bind(key)
                .bind(value)
                .bind(now()),
        )
        .await?;
        append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "setting.put".into(),
                target_type: "setting".into(),
                target_id: None,
                department_id: None,
                region_id: None,
                summary: diff(
                    old.map(|o| json!({ key: o.0 })).as_ref(),
                    Some(&json!({ key: value })),
                ),
            },
        )
        .await?;
        B::commit(tx).await
    }
}
