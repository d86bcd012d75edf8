//! What the hall's screens show (叫号大屏 / 窗口屏): the current call of every window, who waits
//! in each category and for about how long, and the latest calls with the line the voice reads.

use super::queue::estimated_wait;
use super::ticket::announcement;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// How many recent service times of a category the estimate looks at.
pub const RECENT_SERVICES: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Board {
    pub hall_id: i64,
    pub day: NaiveDate,
    pub windows: Vec<WindowScreen>,
    pub queues: Vec<CategoryQueue>,
    /// The latest calls, newest first.
    pub recent: Vec<CallLine>,
}

/// One window's top screen (窗口屏).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct WindowScreen {
    pub window_id: i64,
    pub number: i64,
    pub label: Option<String>,
    pub paused: bool,
    /// The clerk who last worked the window today.
    pub clerk_id: Option<i64>,
    pub clerk_name: Option<String>,
    /// The clerk has a photo (at `/hall/staff/{clerk_id}/photo`).
    pub clerk_photo: bool,
    pub current: Option<CallLine>,
    pub served_today: i64,
}

/// Waiting in one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategoryQueue {
    pub category_id: i64,
    pub name: String,
    pub prefix: String,
    pub waiting: i64,
    /// Windows open for the category now.
    pub windows: i64,
    /// The median of the category's latest service times (today's first, then the last two
    /// weeks'), in seconds; `None` for a category never served in that time.
    pub service_seconds: Option<i64>,
    /// About how long a ticket taken now waits, in whole minutes (rounded up); `None` without
    /// service times or with no window open.
    pub wait_minutes: Option<i64>,
}

impl CategoryQueue {
    pub fn new(
        category_id: i64,
        name: String,
        prefix: String,
        waiting: i64,
        windows: i64,
        recent: &[Duration],
    ) -> CategoryQueue {
        let recent = &recent[..recent.len().min(RECENT_SERVICES)];
        let mut q = CategoryQueue {
            category_id,
            name,
            prefix,
            waiting,
            windows,
            service_seconds: estimated_wait(1, recent, 1).map(|d| d.as_secs() as i64),
            wait_minutes: None,
        };
        q.wait_minutes = q.wait_for(waiting.max(0) as usize);
        q
    }

    /// About how long someone with `ahead` people before them waits, in whole minutes.
    pub fn wait_for(&self, ahead: usize) -> Option<i64> {
        let median = Duration::from_secs(self.service_seconds?.max(0) as u64);
        estimated_wait(ahead, &[median], self.windows.max(0) as usize)
            .map(|d| d.as_secs().div_ceil(60) as i64)
    }
}

/// A call as the board lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CallLine {
    pub ticket_id: i64,
    pub number: String,
    pub window_id: i64,
    pub window_number: i64,
    pub called_at: DateTime<Utc>,
    pub recalls: i64,
    /// "请A001号到5号窗口办理", ready for the voice.
    pub announcement: String,
}

impl CallLine {
    pub fn new(
        ticket_id: i64,
        number: String,
        window_id: i64,
        window_number: i64,
        called_at: DateTime<Utc>,
        recalls: i64,
    ) -> CallLine {
        let announcement = announcement(&number, window_number).zh.into_owned();
        CallLine {
            ticket_id,
            number,
            window_id,
            window_number,
            called_at,
            recalls,
            announcement,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(waiting: i64, windows: i64, recent: &[Duration]) -> CategoryQueue {
        CategoryQueue::new(1, "综合".into(), "A".into(), waiting, windows, recent)
    }

    #[test]
    fn the_wait_comes_from_recent_services_and_open_windows() {
        let mins = |m: u64| Duration::from_secs(m * 60);
        // Median of 4, 6, 8 minutes is 6; 5 waiting at 2 windows is 3 rounds.
        let q = queue(5, 2, &[mins(4), mins(8), mins(6)]);
        assert_eq!((q.service_seconds, q.wait_minutes), (Some(360), Some(18)));
        assert_eq!(q.wait_for(1), Some(6));
        assert_eq!(q.wait_for(0), Some(0));
        assert_eq!(queue(3, 2, &[]).wait_minutes, None, "no history yet");
        assert_eq!(queue(3, 0, &[mins(4)]).wait_minutes, None, "no window open");
        // Only the newest RECENT_SERVICES count: an old slow morning is forgotten.
        let mut recent = vec![mins(2); RECENT_SERVICES];
        recent.extend(vec![mins(30); 50]);
        assert_eq!(queue(1, 1, &recent).wait_minutes, Some(2));
        // Seconds round up to a whole minute.
        assert_eq!(
            queue(1, 1, &[Duration::from_secs(61)]).wait_minutes,
            Some(2)
        );
    }

    #[test]
    fn a_call_line_carries_its_announcement() {
        let l = CallLine::new(1, "A001".into(), 7, 5, Utc::now(), 0);
        assert_eq!(l.announcement, "请A001号到5号窗口办理");
    }
}
