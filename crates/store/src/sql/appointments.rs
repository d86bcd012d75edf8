//! Appointments: each category's slot plan, the day's slots with their counters, the bookings,
//! cancelling and moving them, checking in (which issues the ticket in the same transaction),
//! and no-shows. A slot's counter is raised with `booked < capacity` in its own UPDATE, so two
//! people booking the last place at once never both get it.

use super::SqlStore;
use super::audit::{Pending, append, append_all};
use super::hall::{hall_category, hall_region, insert_ticket};
use super::org::change;
use crate::AppointmentStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::model::{NewTicket, Slot};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::Context;
use onewindow_core::hall::appointment::{
    Appointment, AppointmentState, NO_SHOW_DAYS, NO_SHOW_LIMIT, NewAppointment, PER_PERSON_ACTIVE,
    SlotPlan,
};
use onewindow_core::hall::ticket::Ticket;
use onewindow_core::{DomainError, FieldError, Text};
use serde_json::json;

const COLS: &str = "id, hall_id, category_id, day, starts, ends, name, id_number, phone, state, ticket_id, code, created_at, version";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    hall_id: i64,
    category_id: i64,
    day: NaiveDate,
    starts: String,
    ends: String,
    name: String,
    id_number: String,
    phone: Option<String>,
    state: String,
    ticket_id: Option<i64>,
    code: String,
    created_at: DateTime<Utc>,
    version: i64,
}

impl TryFrom<Row> for Appointment {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Appointment> {
        Ok(Appointment {
            id: r.id,
            hall_id: r.hall_id,
            category_id: r.category_id,
            day: r.day,
            starts: r.starts,
            ends: r.ends,
            name: r.name,
            id_number: r.id_number,
            phone: r.phone,
            state: AppointmentState::parse(&r.state).ok_or_else(|| {
                StoreError::Database(format!("unknown appointment state '{}'", r.state))
            })?,
            ticket_id: r.ticket_id,
            code: r.code,
            created_at: r.created_at,
            version: r.version,
        })
    }
}

fn conflict(field: &str, zh: String, en: String) -> StoreError {
    DomainError::conflict(field, zh, en).into()
}

/// The plan's slot starting at `starts`: its end and capacity.
async fn planned<B: Backend>(
    tx: &mut B::Tx,
    category_id: i64,
    starts: &str,
) -> Result<(String, i64)> {
    let row: Option<(String, i64)> = B::opt(
        tx,
        sql("SELECT ends, capacity FROM slot_plans WHERE category_id = $1 AND starts = $2")
            .bind(category_id)
            .bind(starts),
    )
    .await?;
    row.ok_or_else(|| {
        FieldError::new(
            "starts",
            Text::new(
                format!("该业务没有{starts}开始的预约时段"),
                format!("this category has no slot at {starts}"),
            ),
        )
        .into()
    })
}

/// Takes one place in a slot, or says it is full.
async fn take_place<B: Backend>(
    tx: &mut B::Tx,
    category_id: i64,
    day: NaiveDate,
    starts: &str,
    capacity: i64,
) -> Result<()> {
    B::exec(
        tx,
        sql("INSERT INTO slots (category_id, day, starts, capacity, booked) VALUES ($1, $2, $3, $4, 0)
             ON CONFLICT (category_id, day, starts) DO UPDATE SET capacity = excluded.capacity")
        .bind(category_id)
        .bind(day)
        .bind(starts)
        .bind(capacity),
    )
    .await?;
    let taken: Option<(i64,)> = B::opt(
        tx,
        sql("UPDATE slots SET booked = booked + 1
             WHERE category_id = $1 AND day = $2 AND starts = $3 AND booked < capacity
             RETURNING booked")
        .bind(category_id)
        .bind(day)
        .bind(starts),
    )
    .await?;
    match taken {
        Some(_) => Ok(()),
        None => Err(conflict(
            "starts",
            format!("{day} {starts}的时段已约满，请选择其他时段"),
            format!("the slot at {day} {starts} is full; choose another"),
        )),
    }
}

async fn give_back<B: Backend>(tx: &mut B::Tx, a: &Appointment) -> Result<()> {
    B::exec(
        tx,
        sql("UPDATE slots SET booked = booked - 1
             WHERE category_id = $1 AND day = $2 AND starts = $3 AND booked > 0")
        .bind(a.category_id)
        .bind(a.day)
        .bind(a.starts.as_str()),
    )
    .await?;
    Ok(())
}

/// Moves a booked appointment to another state, or says why it cannot.
async fn leave_booked<B: Backend>(
    tx: &mut B::Tx,
    id: i64,
    state: AppointmentState,
    ticket_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<Appointment> {
    let row: Option<Row> = B::opt(
        tx,
        sql(format!(
            "UPDATE appointments SET state = $1, ticket_id = COALESCE($2, ticket_id), updated_at = $3,
             version = version + 1 WHERE id = $4 AND state = 'booked' RETURNING {COLS}"
        ))
        .bind(state.code())
        .bind(ticket_id)
        .bind(at)
        .bind(id),
    )
    .await?;
    match row {
        Some(r) => r.try_into(),
        None => Err(conflict(
            "appointment",
            "该预约已不在预约状态".into(),
            "this booking is no longer open".into(),
        )),
    }
}

fn entry(kind: &str, a: &Appointment, region_id: i64) -> onewindow_core::audit::Change {
    change(
        "appointment",
        kind,
        a.id,
        (None, Some(region_id)),
        None,
        Some(
            &json!({"day": a.day, "starts": a.starts, "state": a.state.code(),
                     "category_id": a.category_id, "ticket_id": a.ticket_id}),
        ),
    )
}

#[async_trait]
impl<B: Backend> AppointmentStore for SqlStore<B> {
    async fn slot_plan(&self, category_id: i64) -> Result<Vec<SlotPlan>> {
        let rows: Vec<(String, String, i64)> = self
            .b
            .read_all(
                sql("SELECT starts, ends, capacity FROM slot_plans WHERE category_id = $1 ORDER BY starts")
                    .bind(category_id),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(starts, ends, capacity)| SlotPlan {
                starts,
                ends,
                capacity,
            })
            .collect())
    }

    async fn set_slot_plan(
        &self,
        ctx: &Context,
        hall_id: i64,
        category_id: i64,
        plan: Vec<SlotPlan>,
    ) -> Result<Vec<SlotPlan>> {
        let mut tx = self.b.begin().await?;
        hall_category::<B>(&mut tx, category_id, hall_id, "category_id").await?;
        B::exec(
            &mut tx,
            sql("DELETE FROM slot_plans WHERE category_id = $1").bind(category_id),
        )
        .await?;
        for p in &plan {
            B::exec(
                &mut tx,
                sql("INSERT INTO slot_plans (category_id, starts, ends, capacity) VALUES ($1, $2, $3, $4)")
                    .bind(category_id)
                    .bind(p.starts.as_str())
                    .bind(p.ends.as_str())
                    .bind(p.capacity),
            )
            .await?;
        }
        let region = hall_region::<B>(&mut tx, hall_id).await?;
        append::<B>(
            &mut tx,
            ctx,
            change(
                "hall_category",
                "slot_plan",
                category_id,
                (None, Some(region)),
                None,
                Some(&json!({"slots": plan})),
            ),
        )
        .await?;
        B::commit(tx).await?;
        Ok(plan)
    }

    async fn slots(&self, category_id: i64, day: NaiveDate) -> Result<Vec<Slot>> {
        let rows: Vec<(String, String, i64, Option<i64>)> = self
            .b
            .read_all(
                sql("SELECT p.starts, p.ends, p.capacity, s.booked FROM slot_plans p
                     LEFT JOIN slots s ON s.category_id = p.category_id AND s.day = $2 AND s.starts = p.starts
                     WHERE p.category_id = $1 ORDER BY p.starts")
                .bind(category_id)
                .bind(day),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(starts, ends, capacity, booked)| Slot {
                starts,
                ends,
                capacity,
                booked: booked.unwrap_or(0),
            })
            .collect())
    }

    async fn book(
        &self,
        ctx: &Context,
        hall_id: i64,
        new: NewAppointment,
        code: String,
        today: NaiveDate,
        at: DateTime<Utc>,
    ) -> Result<Appointment> {
        let mut tx = self.b.begin().await?;
        hall_category::<B>(&mut tx, new.category_id, hall_id, "category_id").await?;
        let (ends, capacity) = planned::<B>(&mut tx, new.category_id, &new.starts).await?;
        let (active,): (i64,) = B::opt(
            &mut tx,
            sql("SELECT count(*) FROM appointments WHERE id_number = $1 AND state = 'booked' AND day >= $2")
                .bind(new.id_number.as_str())
                .bind(today),
        )
        .await?
        .unwrap_or((0,));
        if active >= PER_PERSON_ACTIVE {
            return Err(conflict(
                "id_number",
                format!("每人最多同时持有{PER_PERSON_ACTIVE}个预约"),
                format!("one person holds at most {PER_PERSON_ACTIVE} bookings at a time"),
            ));
        }
        let (same,): (i64,) = B::opt(
            &mut tx,
            sql(
                "SELECT count(*) FROM appointments WHERE id_number = $1 AND state = 'booked'
                 AND day = $2 AND category_id = $3",
            )
            .bind(new.id_number.as_str())
            .bind(new.day)
            .bind(new.category_id),
        )
        .await?
        .unwrap_or((0,));
        if same > 0 {
            return Err(conflict(
                "day",
                format!("您已预约{}的该项业务", new.day),
                format!("you already hold a booking for this on {}", new.day),
            ));
        }
        let since = today - chrono::Duration::days(NO_SHOW_DAYS);
        let (missed,): (i64,) = B::opt(
            &mut tx,
            sql("SELECT count(*) FROM appointments WHERE id_number = $1 AND state = 'no_show' AND day >= $2")
                .bind(new.id_number.as_str())
                .bind(since),
        )
        .await?
        .unwrap_or((0,));
        if missed >= NO_SHOW_LIMIT {
            return Err(conflict(
                "id_number",
                format!("{NO_SHOW_DAYS}天内爽约{missed}次，暂不能预约，请现场取号"),
                format!(
                    "{missed} missed bookings in {NO_SHOW_DAYS} days: booking is closed for now"
                ),
            ));
        }
        take_place::<B>(&mut tx, new.category_id, new.day, &new.starts, capacity).await?;
        let row: Option<Row> = B::opt(
            &mut tx,
            sql(format!(
                "INSERT INTO appointments (hall_id, category_id, day, starts, ends, name, id_number, phone,
                 state, code, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10, $10)
                 RETURNING {COLS}"
            ))
            .bind(hall_id)
            .bind(new.category_id)
            .bind(new.day)
            .bind(new.starts.as_str())
            .bind(ends)
            .bind(new.name)
            .bind(new.id_number)
            .bind(new.phone)
            .bind(code)
            .bind(at),
        )
        .await?;
        let a: Appointment = row
            .ok_or_else(|| StoreError::Database("INSERT returned no appointment".into()))?
            .try_into()?;
        let region = hall_region::<B>(&mut tx, hall_id).await?;
        append::<B>(&mut tx, ctx, entry("book", &a, region)).await?;
        B::commit(tx).await?;
        Ok(a)
    }

    async fn appointment(&self, id: i64) -> Result<Option<Appointment>> {
        let row: Option<Row> = self
            .b
            .read_opt(sql(format!("SELECT {COLS} FROM appointments WHERE id = $1")).bind(id))
            .await?;
        row.map(Appointment::try_from).transpose()
    }

    async fn booked_on(
        &self,
        hall_id: i64,
        id_number: &str,
        day: NaiveDate,
    ) -> Result<Vec<Appointment>> {
        let rows: Vec<Row> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {COLS} FROM appointments WHERE hall_id = $1 AND id_number = $2 AND day = $3
                     AND state = 'booked' ORDER BY starts"
                ))
                .bind(hall_id)
                .bind(id_number)
                .bind(day),
            )
            .await?;
        rows.into_iter().map(Appointment::try_from).collect()
    }

    async fn cancel_appointment(
        &self,
        ctx: &Context,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<Appointment> {
        let mut tx = self.b.begin().await?;
        let a = leave_booked::<B>(&mut tx, id, AppointmentState::Cancelled, None, at).await?;
        give_back::<B>(&mut tx, &a).await?;
        let region = hall_region::<B>(&mut tx, a.hall_id).await?;
        append::<B>(&mut tx, ctx, entry("cancel", &a, region)).await?;
        B::commit(tx).await?;
        Ok(a)
    }

    async fn reschedule(
        &self,
        ctx: &Context,
        id: i64,
        day: NaiveDate,
        starts: &str,
        at: DateTime<Utc>,
    ) -> Result<Appointment> {
        let mut tx = self.b.begin().await?;
        let row: Option<Row> = B::opt(
            &mut tx,
            sql(format!(
                "SELECT {COLS} FROM appointments WHERE id = $1 AND state = 'booked'"
            ))
            .bind(id),
        )
        .await?;
        let before: Appointment = row
            .ok_or_else(|| {
                conflict(
                    "appointment",
                    "该预约已不在预约状态".into(),
                    "this booking is no longer open".into(),
                )
            })?
            .try_into()?;
        let (ends, capacity) = planned::<B>(&mut tx, before.category_id, starts).await?;
        give_back::<B>(&mut tx, &before).await?;
        take_place::<B>(&mut tx, before.category_id, day, starts, capacity).await?;
        let row: Option<Row> = B::opt(
            &mut tx,
            sql(format!(
                "UPDATE appointments SET day = $1, starts = $2, ends = $3, updated_at = $4,
                 version = version + 1 WHERE id = $5 AND state = 'booked' RETURNING {COLS}"
            ))
            .bind(day)
            .bind(starts)
            .bind(ends)
            .bind(at)
            .bind(id),
        )
        .await?;
        let a: Appointment = row
            .ok_or_else(|| StoreError::Database("the booking went missing".into()))?
            .try_into()?;
        let region = hall_region::<B>(&mut tx, a.hall_id).await?;
        append::<B>(&mut tx, ctx, entry("reschedule", &a, region)).await?;
        B::commit(tx).await?;
        Ok(a)
    }

    async fn check_in(
        &self,
        ctx: &Context,
        id: i64,
        ticket: NewTicket,
    ) -> Result<(Appointment, Ticket)> {
        let mut tx = self.b.begin().await?;
        let t = insert_ticket::<B>(&mut tx, ctx, ticket).await?;
        let a = leave_booked::<B>(
            &mut tx,
            id,
            AppointmentState::CheckedIn,
            Some(t.id),
            t.issued_at,
        )
        .await?;
        let region = hall_region::<B>(&mut tx, a.hall_id).await?;
        append::<B>(&mut tx, ctx, entry("check_in", &a, region)).await?;
        B::commit(tx).await?;
        Ok((a, t))
    }

    async fn mark_no_shows(
        &self,
        ctx: &Context,
        today: NaiveDate,
        now_hhmm: &str,
    ) -> Result<Vec<Appointment>> {
        let mut tx = self.b.begin().await?;
        let rows: Vec<Row> = B::all(
            &mut tx,
            sql(format!(
                "UPDATE appointments SET state = 'no_show', version = version + 1
                 WHERE state = 'booked' AND (day < $1 OR (day = $1 AND ends <= $2)) RETURNING {COLS}"
            ))
            .bind(today)
            .bind(now_hhmm),
        )
        .await?;
        let missed: Vec<Appointment> = rows
            .into_iter()
            .map(Appointment::try_from)
            .collect::<Result<_>>()?;
        let mut pending = Vec::new();
        let mut regions: std::collections::HashMap<i64, i64> = Default::default();
        for a in &missed {
            let region = match regions.get(&a.hall_id) {
                Some(r) => *r,
                None => {
                    let r = hall_region::<B>(&mut tx, a.hall_id).await?;
                    regions.insert(a.hall_id, r);
                    r
                }
            };
            pending.push(Pending::now(ctx, entry("no_show", a, region)));
        }
        append_all::<B>(&mut tx, pending).await?;
        B::commit(tx).await?;
        Ok(missed)
    }
}
