//! The service hall: business categories, the categories each window calls, tickets, calling.

use super::audit::append;
use super::org::{change, fetch, insert_returning_id, require_active};
use super::{SqlStore, hall_calls, hall_window, next_seq};
use crate::HallStore;
use crate::backend::{Backend, now, sql};
use crate::error::{Result, StoreError};
use crate::model::{NewTicket, Rated, RatingPlace, RectifyPlan, WindowAct, WindowOutcome};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::Context;
use onewindow_core::evaluation::PadRating;
use onewindow_core::hall::board::Board;
use onewindow_core::hall::category::{Category, NewCategory};
use onewindow_core::hall::queue::Waiting;
use onewindow_core::hall::stats::TicketFact;
use onewindow_core::hall::ticket::{self, Priority, Ticket, TicketSource, TicketState};
use onewindow_core::{DomainError, FieldError, Text};
use serde_json::json;

const CATEGORY_COLS: &str =
    "id, hall_id, name, prefix, zone_id, active, version, created_at, updated_at";
const CATEGORY: Text = Text::fixed("业务类别", "category");

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    hall_id: i64,
    name: String,
    prefix: String,
    zone_id: Option<i64>,
    active: bool,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl CategoryRow {
    fn with_matters(self, matter_ids: Vec<i64>) -> Category {
        Category {
            id: self.id,
            hall_id: self.hall_id,
            name: self.name,
            prefix: self.prefix,
            zone_id: self.zone_id,
            matter_ids,
            active: self.active,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

pub(super) const TICKET_COLS: &str = "id, hall_id, category_id, day, number, priority, source, id_number, phone, arrival, state, requeued, for_window, access_key, window_id, clerk_id, issued_at, called_at, first_called_at, finished_at, recalls, version";

#[derive(sqlx::FromRow)]
pub(super) struct TicketRow {
    id: i64,
    hall_id: i64,
    category_id: i64,
    day: NaiveDate,
    number: String,
    priority: String,
    source: String,
    id_number: Option<String>,
    phone: Option<String>,
    arrival: i64,
    state: String,
    requeued: bool,
    for_window: Option<i64>,
    access_key: String,
    window_id: Option<i64>,
    clerk_id: Option<i64>,
    issued_at: DateTime<Utc>,
    called_at: Option<DateTime<Utc>>,
    first_called_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    recalls: i64,
    version: i64,
}

fn unknown(what: &str, code: &str) -> StoreError {
    StoreError::Database(format!("unknown {what} '{code}' in the database"))
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;
    fn try_from(r: TicketRow) -> Result<Ticket> {
        Ok(Ticket {
            id: r.id,
            hall_id: r.hall_id,
            category_id: r.category_id,
            day: r.day,
            number: r.number,
            priority: Priority::parse(&r.priority)
                .ok_or_else(|| unknown("priority", &r.priority))?,
            source: TicketSource::parse(&r.source).ok_or_else(|| unknown("source", &r.source))?,
            id_number: r.id_number,
            phone: r.phone,
            arrival: r.arrival,
            state: TicketState::parse(&r.state).ok_or_else(|| unknown("state", &r.state))?,
            requeued: r.requeued,
            for_window: r.for_window,
            access_key: r.access_key,
            window_id: r.window_id,
            clerk_id: r.clerk_id,
            issued_at: r.issued_at,
            called_at: r.called_at,
            first_called_at: r.first_called_at,
            finished_at: r.finished_at,
            recalls: r.recalls,
            version: r.version,
        })
    }
}

async fn load_category<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<Category> {
    let row: CategoryRow =
        fetch::<B, _>(tx, CATEGORY_COLS, "hall_categories", id, CATEGORY).await?;
    let matters: Vec<(i64,)> = B::all(
        tx,
        sql("SELECT matter_id FROM category_matters WHERE category_id = $1 ORDER BY matter_id")
            .bind(id),
    )
    .await?;
    Ok(row.with_matters(matters.into_iter().map(|m| m.0).collect()))
}

/// The categories a window calls, first served first.
pub(super) const WINDOW_CATEGORIES: &str =
    "SELECT category_id FROM window_categories WHERE window_id = $1 ORDER BY rank";

/// A category referenced by `field` that must be an active one of the hall; with the hall's
/// region, which owns what is written under it.
pub(super) struct HallCategory {
    pub id: i64,
    prefix: String,
    region_id: i64,
}

pub(super) async fn hall_category<B: Backend>(
    tx: &mut B::Tx,
    id: i64,
    hall_id: i64,
    field: &str,
) -> Result<HallCategory> {
    let row: Option<(String, String, bool, i64, i64)> = B::opt(
        tx,
        sql("SELECT c.name, c.prefix, c.active, c.hall_id, h.region_id
             FROM hall_categories c JOIN halls h ON h.id = c.hall_id WHERE c.id = $1")
        .bind(id),
    )
    .await?;
    let Some((name, prefix, active, of_hall, region_id)) = row else {
        return Err(FieldError::new(
            field,
            Text::new(format!("业务类别{id}不存在"), format!("no category {id}")),
        )
        .into());
    };
    if of_hall != hall_id || !active {
        return Err(FieldError::new(
            field,
            Text::new(
                format!("业务类别“{name}”不属于该大厅或已停用"),
                format!("category '{name}' is not an active category of this hall"),
            ),
        )
        .into());
    }
    Ok(HallCategory {
        id,
        prefix,
        region_id,
    })
}

/// Numbers and records a ticket of an active category of the hall, with its trail entry, inside
/// the caller's transaction.
pub(super) async fn insert_ticket<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    new: NewTicket,
) -> Result<Ticket> {
    let cat = hall_category::<B>(tx, new.category_id, new.hall_id, "category_id").await?;
    let seq = next_seq::<B>(tx, &format!("ticket:{}", cat.id), new.day).await?;
    let number = ticket::number(&cat.prefix, seq);
    let arrival = new.at.timestamp_micros();
    let row: Option<TicketRow> = B::opt(
        tx,
        sql(format!("INSERT INTO tickets (hall_id, category_id, day, number, priority, rank, source, id_number, phone, arrival, state, issued_at, access_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING {TICKET_COLS}"))
        .bind(new.hall_id)
        .bind(cat.id)
        .bind(new.day)
        .bind(number)
        .bind(new.priority.code())
        .bind(i64::from(new.priority.rank()))
        .bind(new.source.code())
        .bind(new.id_number)
        .bind(new.phone)
        .bind(arrival)
        .bind(TicketState::Waiting.code())
        .bind(new.at)
        .bind(new.access_key),
    )
    .await?;
    let t: Ticket = row
        .ok_or_else(|| StoreError::Database("INSERT returned no ticket".into()))?
        .try_into()?;
    append::<B>(
        tx,
        ctx,
        change(
            "ticket",
            "issue",
            t.id,
            (None, Some(cat.region_id)),
            None,
            Some(&t),
        ),
    )
    .await?;
    Ok(t)
}

/// The hall's region: who may see the trail of what happens in it (categories, tickets,
/// bookings).
pub(super) async fn hall_region<B: Backend>(tx: &mut B::Tx, hall_id: i64) -> Result<i64> {
    let r: Option<(i64,)> = B::opt(
        tx,
        sql("SELECT region_id FROM halls WHERE id = $1").bind(hall_id),
    )
    .await?;
    r.map(|r| r.0)
        .ok_or_else(|| StoreError::Database(format!("hall {hall_id} has gone")))
}

/// A queue head as the calling rule sees it.
pub(super) fn head(
    category_id: i64,
    (id, priority, arrival): (i64, String, i64),
    passed: i64,
) -> Result<Waiting> {
    Ok(Waiting {
        id,
        category_id,
        priority: Priority::parse(&priority).ok_or_else(|| unknown("priority", &priority))?,
        arrival,
        passed,
    })
}

#[async_trait]
impl<B: Backend> HallStore for SqlStore<B> {
    async fn categories(&self, hall_id: i64) -> Result<Vec<Category>> {
        let rows: Vec<CategoryRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {CATEGORY_COLS} FROM hall_categories WHERE hall_id = $1 ORDER BY prefix"
                ))
                .bind(hall_id),
            )
            .await?;
        let links: Vec<(i64, i64)> = self
            .b
            .read_all(
                sql(
                    "SELECT cm.category_id, cm.matter_id FROM category_matters cm
                     JOIN hall_categories c ON c.id = cm.category_id
                     WHERE c.hall_id = $1 ORDER BY cm.matter_id",
                )
                .bind(hall_id),
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let mine = links.iter().filter(|l| l.0 == r.id).map(|l| l.1).collect();
                r.with_matters(mine)
            })
            .collect())
    }

    async fn category(&self, id: i64) -> Result<Option<Category>> {
        let row: Option<CategoryRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {CATEGORY_COLS} FROM hall_categories WHERE id = $1"
                ))
                .bind(id),
            )
            .await?;
        let Some(row) = row else { return Ok(None) };
        let matters: Vec<(i64,)> = self
            .b
            .read_all(
                sql("SELECT matter_id FROM category_matters WHERE category_id = $1 ORDER BY matter_id")
                    .bind(id),
            )
            .await?;
        Ok(Some(
            row.with_matters(matters.into_iter().map(|m| m.0).collect()),
        ))
    }

    async fn create_category(
        &self,
        ctx: &Context,
        hall_id: i64,
        new: NewCategory,
    ) -> Result<Category> {
        let mut tx = self.b.begin().await?;
        require_active::<B>(&mut tx, "halls", hall_id, "hall_id").await?;
        if let Some(z) = new.zone_id {
            let zone: Option<(i64,)> = B::opt(
                &mut tx,
                sql("SELECT hall_id FROM zones WHERE id = $1").bind(z),
            )
            .await?;
            if zone.map(|r| r.0) != Some(hall_id) {
                return Err(FieldError::new(
                    "zone_id",
                    Text::new(
                        format!("分区{z}不属于该大厅"),
                        format!("zone {z} is not in this hall"),
                    ),
                )
                .into());
            }
        }
        for m in &new.matter_ids {
            require_active::<B>(&mut tx, "matters", *m, "matter_ids").await?;
        }
        let t = now();
        let id = insert_returning_id::<B>(
            &mut tx,
            sql("INSERT INTO hall_categories (hall_id, name, prefix, zone_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
            .bind(hall_id)
            .bind(new.name)
            .bind(new.prefix)
            .bind(new.zone_id)
            .bind(t),
        )
        .await?;
        for m in &new.matter_ids {
            B::exec(
                &mut tx,
                sql("INSERT INTO category_matters (category_id, matter_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(*m),
            )
            .await?;
        }
        let c = load_category::<B>(&mut tx, id).await?;
        let owner = (None, Some(hall_region::<B>(&mut tx, hall_id).await?));
        append::<B>(
            &mut tx,
            ctx,
            change("hall_category", "create", id, owner, None, Some(&c)),
        )
        .await?;
        B::commit(tx).await?;
        Ok(c)
    }

    async fn window_categories(&self, window_id: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = self
            .b
            .read_all(sql(WINDOW_CATEGORIES).bind(window_id))
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn seat_of(&self, clerk_id: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = self
            .b
            .read_opt(
                sql("SELECT window_id FROM window_seats WHERE clerk_id = $1
                     ORDER BY updated_at DESC LIMIT 1")
                .bind(clerk_id),
            )
            .await?;
        Ok(row.map(|r| r.0))
    }

    async fn set_window_categories(
        &self,
        ctx: &Context,
        window_id: i64,
        category_ids: &[i64],
    ) -> Result<Vec<i64>> {
        let mut tx = self.b.begin().await?;
        let window: Option<(i64,)> = B::opt(
            &mut tx,
            sql("SELECT hall_id FROM windows WHERE id = $1").bind(window_id),
        )
        .await?;
        let hall_id = window
            .ok_or_else(|| DomainError::not_found(Text::fixed("窗口", "window")))?
            .0;
        let mut seen = Vec::new();
        for c in category_ids {
            hall_category::<B>(&mut tx, *c, hall_id, "category_ids").await?;
            if !seen.contains(c) {
                seen.push(*c);
            }
        }
        let before: Vec<(i64,)> = B::all(&mut tx, sql(WINDOW_CATEGORIES).bind(window_id)).await?;
        let before: Vec<i64> = before.into_iter().map(|r| r.0).collect();
        B::exec(
            &mut tx,
            sql("DELETE FROM window_categories WHERE window_id = $1").bind(window_id),
        )
        .await?;
        for (rank, c) in seen.iter().enumerate() {
            B::exec(
                &mut tx,
                sql("INSERT INTO window_categories (window_id, category_id, rank) VALUES ($1, $2, $3)")
                    .bind(window_id)
                    .bind(*c)
                    .bind(rank as i64),
            )
            .await?;
        }
        let owner = (None, Some(hall_region::<B>(&mut tx, hall_id).await?));
        append::<B>(
            &mut tx,
            ctx,
            change(
                "window",
                "categories",
                window_id,
                owner,
                Some(&json!({"categories": before})),
                Some(&json!({"categories": seen})),
            ),
        )
        .await?;
        B::commit(tx).await?;
        Ok(seen)
    }

    async fn issue_ticket(&self, ctx: &Context, new: NewTicket) -> Result<Ticket> {
        let mut tx = self.b.begin().await?;
        let t = insert_ticket::<B>(&mut tx, ctx, new).await?;
        B::commit(tx).await?;
        Ok(t)
    }

    async fn ticket(&self, id: i64) -> Result<Option<Ticket>> {
        let row: Option<TicketRow> = self
            .b
            .read_opt(sql(format!("SELECT {TICKET_COLS} FROM tickets WHERE id = $1")).bind(id))
            .await?;
        row.map(Ticket::try_from).transpose()
    }

    async fn ahead(&self, t: &Ticket) -> Result<i64> {
        let rank = i64::from(t.priority.rank());
        let (n,): (i64,) = self
            .b
            .read_opt(
                sql("SELECT count(*) FROM tickets
                     WHERE hall_id = $1 AND category_id = $2 AND state = 'waiting' AND id <> $3
                     AND (rank < $4 OR (rank = $4 AND arrival < $5))")
                .bind(t.hall_id)
                .bind(t.category_id)
                .bind(t.id)
                .bind(rank)
                .bind(t.arrival),
            )
            .await?
            .unwrap_or((0,));
        Ok(n)
    }

    async fn waiting(&self, hall_id: i64) -> Result<Vec<Waiting>> {
        let rows: Vec<(i64, i64, String, i64, i64)> = self
            .b
            .read_all(
                // An ordinary ticket's passes: the calls for its category of later arrivals.
                sql(
                    "SELECT t.id, t.category_id, t.priority, t.arrival,
                            CASE WHEN t.priority = 'ordinary' THEN (SELECT count(*) FROM category_calls cc
                                 WHERE cc.category_id = t.category_id AND cc.arrival > t.arrival)
                            ELSE 0 END AS passed
                     FROM tickets t WHERE t.hall_id = $1 AND t.state = 'waiting' ORDER BY t.arrival, t.id",
                )
                .bind(hall_id),
            )
            .await?;
        rows.into_iter()
            .map(|(id, category_id, p, arrival, passed)| {
                Ok(Waiting {
                    id,
                    category_id,
                    priority: Priority::parse(&p).ok_or_else(|| unknown("priority", &p))?,
                    arrival,
                    passed,
                })
            })
            .collect()
    }

    async fn window_act(&self, ctx: &Context, act: WindowAct) -> Result<WindowOutcome> {
        if hall_calls::batched(&act.action) {
            self.calls.call(ctx, act).await
        } else {
            hall_window::act(self.b.as_ref(), ctx, act).await
        }
    }

    async fn requeue_ticket(
        &self,
        ctx: &Context,
        ticket_id: i64,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Ticket> {
        hall_window::requeue(self.b.as_ref(), ctx, ticket_id, at, today).await
    }

    async fn close_past_days(
        &self,
        ctx: &Context,
        today: NaiveDate,
        from_arrival: i64,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        hall_window::close_past_days(self.b.as_ref(), ctx, today, from_arrival, at).await
    }

    async fn set_staff_photo(
        &self,
        ctx: &Context,
        user_id: i64,
        sha256: &str,
        content_type: &str,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let owner: Option<(Option<i64>, Option<i64>)> = B::opt(
            &mut tx,
            sql("SELECT department_id, region_id FROM users WHERE id = $1").bind(user_id),
        )
        .await?;
        let owner = owner.ok_or_else(|| DomainError::not_found(Text::fixed("账号", "account")))?;
        B::exec(
            &mut tx,
            sql("INSERT INTO staff_photos (user_id, sha256, content_type, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id) DO UPDATE SET sha256 = excluded.sha256,
                 content_type = excluded.content_type, updated_at = excluded.updated_at")
            .bind(user_id)
            .bind(sha256)
            .bind(content_type)
            .bind(now()),
        )
        .await?;
        append::<B>(
            &mut tx,
            ctx,
            change(
                "user",
                "photo",
                user_id,
                owner,
                None,
                Some(&json!({"photo": sha256})),
            ),
        )
        .await?;
        B::commit(tx).await?;
        Ok(())
    }

    async fn staff_photo(&self, user_id: i64) -> Result<Option<(String, String)>> {
        self.b
            .read_opt(
                sql("SELECT sha256, content_type FROM staff_photos WHERE user_id = $1")
                    .bind(user_id),
            )
            .await
    }

    async fn ticket_facts(
        &self,
        hall_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TicketFact>> {
        hall_window::ticket_facts(self.b.as_ref(), hall_id, from, to).await
    }

    async fn board(&self, hall_id: i64, day: NaiveDate) -> Result<Board> {
        hall_window::board(self.b.as_ref(), hall_id, day).await
    }

    async fn rate_on_site(
        &self,
        ctx: &Context,
        place: RatingPlace,
        rating: PadRating,
        plan: Option<RectifyPlan>,
        at: DateTime<Utc>,
    ) -> Result<Rated> {
        hall_window::rate_on_site(self.b.as_ref(), ctx, place, rating, plan, at).await
    }
}
