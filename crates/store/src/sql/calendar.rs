//! The calendar's years and special days.

use super::SqlStore;
use super::audit::append;
use crate::CalendarStore;
use crate::backend::{Backend, now, sql};
use crate::error::Result;
use async_trait::async_trait;
use chrono::NaiveDate;
use onewindow_core::FieldError;
use onewindow_core::audit::{Change, Context};
use onewindow_core::calendar::{Holiday, YearArrangement};
use serde_json::json;
use std::collections::BTreeMap;

async fn write_year<B: Backend>(tx: &mut B::Tx, y: &YearArrangement, source: &str) -> Result<()> {
    B::exec(
        tx,
        sql("DELETE FROM calendar_days WHERE year = $1").bind(i64::from(y.year)),
    )
    .await?;
    B::exec(
        tx,
        sql("INSERT INTO calendar_years (year, source, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (year) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at")
        .bind(i64::from(y.year))
        .bind(source)
        .bind(now()),
    )
    .await?;
    for h in &y.holidays {
        B::exec(
            tx,
            sql("INSERT INTO calendar_days (date, year, kind, name) VALUES ($1, $2, 'off', $3)")
                .bind(h.date)
                .bind(i64::from(y.year))
                .bind(h.name.clone()),
        )
        .await?;
    }
    for w in &y.workdays {
        B::exec(
            tx,
            sql("INSERT INTO calendar_days (date, year, kind, name) VALUES ($1, $2, 'on', NULL)")
                .bind(*w)
                .bind(i64::from(y.year)),
        )
        .await?;
    }
    Ok(())
}

/// Loads the built-in years that the database does not have yet (run with the migrations).
pub(crate) async fn ensure_builtin<B: Backend>(b: &B) -> Result<()> {
    let mut tx = b.begin().await?;
    let have: Vec<(i64,)> = B::all(&mut tx, sql("SELECT year FROM calendar_years")).await?;
    for y in onewindow_core::calendar::builtin() {
        if !have.iter().any(|h| h.0 == i64::from(y.year)) {
            write_year::<B>(&mut tx, &y, "builtin").await?;
        }
    }
    B::commit(tx).await
}

#[async_trait]
impl<B: Backend> CalendarStore for SqlStore<B> {
    async fn calendar_years(&self) -> Result<Vec<YearArrangement>> {
        let years: Vec<(i64,)> = self
            .b
            .read_all(sql("SELECT year FROM calendar_years ORDER BY year"))
            .await?;
        let days: Vec<(NaiveDate, i64, String, Option<String>)> = self
            .b
            .read_all(sql(
                "SELECT date, year, kind, name FROM calendar_days ORDER BY date",
            ))
            .await?;
        let mut by_year: BTreeMap<i64, YearArrangement> = years
            .into_iter()
            .map(|(y,)| {
                (
                    y,
                    YearArrangement {
                        year: y as i32,
                        holidays: Vec::new(),
                        workdays: Vec::new(),
                    },
                )
            })
            .collect();
        for (date, year, kind, name) in days {
            if let Some(y) = by_year.get_mut(&year) {
                if kind == "on" {
                    y.workdays.push(date);
                } else {
                    y.holidays.push(Holiday {
                        date,
                        name: name.unwrap_or_default(),
                    });
                }
            }
        }
        Ok(by_year.into_values().collect())
    }

    async fn save_calendar_year(&self, ctx: &Context, year: YearArrangement) -> Result<()> {
        year.check().map_err(|t| FieldError::new("year", t))?;
        let mut tx = self.b.begin().await?;
        write_year::<B>(&mut tx, &year, "admin").await?;
        append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "calendar.year".into(),
                target_type: "calendar".into(),
                target_id: Some(i64::from(year.year)),
                department_id: None,
                region_id: None,
                summary: json!({"after": {
                    "year": year.year,
                    "holidays": year.holidays.iter().map(|h| format!("{} {}", h.date, h.name)).collect::<Vec<_>>(),
                    "workdays": year.workdays.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                }}),
            },
        )
        .await?;
        B::commit(tx).await
    }
}
