//! Service evaluation (好差评): online ratings of a case by its applicant or through a one-time
//! link, the rectification of bad ratings, and appeals. The pad's rating is in `service::hall`;
//! both open a rectification through `plan`.

use crate::auth::{Auth, Origin, random_token, token_hash};
use crate::error::{AppError, AppResult};
use crate::service::cases::{self, settings};
use crate::service::hall::public_ctx;
use crate::service::{owner, scope_filter};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use onewindow_core::access::Permission;
use onewindow_core::case::clock::Light;
use onewindow_core::case::{Case, NoticeChannel};
use onewindow_core::evaluation::rating::{Channel, Given, Kind};
use onewindow_core::evaluation::rectification::{self, Action, LogLine, Rectification, State};
use onewindow_core::evaluation::{Appeal, AppealDecision, AppealInput, Rating};
use onewindow_core::supervision::figures::{Counters, Figures, of_rating};
use onewindow_core::time::local_date;
use onewindow_core::{DomainError, FieldError, Text};
use onewindow_store::{
    AppealFilter, NewRating, NewRatingLink, Rated, Rater, RatingFilter, RatingGroup, RatingLink,
    RatingTarget, RectificationFilter, RectifyPlan,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

const RECTIFICATION: Text = Text::fixed("差评整改", "rectification");
const RATING: Text = Text::fixed("评价", "rating");

/// What the rater is told: the rating, and for a bad one that it will be rectified by when.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Receipt {
    pub rating: Rating,
    pub rectification_id: Option<i64>,
    pub rectify_by: Option<chrono::NaiveDate>,
}

impl From<Rated> for Receipt {
    fn from(r: Rated) -> Receipt {
        Receipt {
            rectification_id: r.rectification.as_ref().map(|x| x.id),
            rectify_by: r.rectification.as_ref().map(|x| x.due_on),
            rating: r.rating,
        }
    }
}

/// The deadline of a rectification opened at `at`: the rules' working days on the calendar.
pub async fn plan(state: &AppState, at: DateTime<Utc>) -> AppResult<RectifyPlan> {
    let s = settings(state).await?;
    let (due_on, lights) = rectification::deadline(
        &s.calendar,
        local_date(at),
        s.rules.evaluation.rectify_days,
        s.rules.light_rule(),
    )
    .map_err(|e| AppError::bad_request("calendar", e.text()))?;
    Ok(RectifyPlan {
        due_on,
        yellow_on: lights.yellow_from,
        red_on: lights.red_from,
    })
}

/// Whether a case may be rated online now: it has ended, not longer ago than the rules allow.
async fn ratable(state: &AppState, c: &Case, at: DateTime<Utc>) -> AppResult<()> {
    if !c.state.is_concluded() {
        return Err(AppError::from(DomainError::conflict(
            "case_id",
            "办件尚未办结，办结后才能评价",
            "the case can be rated once it has ended",
        )));
    }
    let days = settings(state).await?.rules.evaluation.rate_days;
    let ended = c.delivered_at.or(c.concluded_at).unwrap_or(c.updated_at);
    if at - ended > Duration::days(days) {
        return Err(AppError::from(DomainError::conflict(
            "case_id",
            format!("办结已超过{days}天，不能再评价"),
            format!("the case ended more than {days} days ago"),
        )));
    }
    Ok(())
}

/// The applicant rates their own case on its page (一事一评, online).
pub async fn rate_case(
    state: &AppState,
    auth: &Auth,
    case_id: i64,
    given: Given,
) -> AppResult<Rated> {
    let (rec, st) = cases::load(state, auth, case_id).await?;
    if !st.applicant {
        return Err(AppError::from(DomainError::conflict(
            "case_id",
            "只有申请人可以评价本办件",
            "only the applicant rates a case",
        )));
    }
    let given = given.clean(Channel::Web.setting())?;
    let at = cases::now();
    ratable(state, &rec.dossier.case, at).await?;
    let c = &rec.dossier.case;
    let rater = Rater {
        user_id: Some(auth.user.id),
        name: Some(c.applicant.name.clone()),
        phone: Some(c.applicant.phone.clone()),
        email: c.applicant.email.clone(),
    };
    record(
        state,
        &auth.ctx(),
        NewRating {
            kind: Kind::Service,
            channel: Channel::Web,
            given,
            target: RatingTarget::Case(case_id),
            link_hash: None,
            rater,
            plan: None,
            at,
        },
    )
    .await
}

/// Records a rating; a bad one gets its rectification's deadline from the calendar. The pad and
/// the kiosk share the same rule through `plan_for`.
async fn record(
    state: &AppState,
    ctx: &onewindow_core::audit::Context,
    mut new: NewRating,
) -> AppResult<Rated> {
    new.plan = plan_for(state, new.given.level, new.at).await?;
    Ok(state.store.rate(ctx, new).await?)
}

/// The rectification plan a rating of `level` needs: none unless it is bad.
pub async fn plan_for(
    state: &AppState,
    level: i64,
    at: DateTime<Utc>,
) -> AppResult<Option<RectifyPlan>> {
    if onewindow_core::evaluation::is_bad(level) {
        Ok(Some(plan(state, at).await?))
    } else {
        Ok(None)
    }
}

/// How a rating link goes out.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// `sms` (to the applicant's mobile) or `email`.
    pub channel: String,
}

/// Sends the applicant a one-time link to rate an ended case (一事一评 by SMS or e-mail). Only
/// the message carries the token; staff never see it.
pub async fn send_link(
    state: &AppState,
    auth: &Auth,
    case_id: i64,
    input: LinkInput,
) -> AppResult<RatingLink> {
    auth.actor.require(Permission::CaseIntake)?;
    let (rec, st) = cases::load(state, auth, case_id).await?;
    if !st.staff || !auth.actor.covers(&st.owner) {
        return Err(DomainError::forbidden().into());
    }
    let c = &rec.dossier.case;
    let at = cases::now();
    ratable(state, c, at).await?;
    let channel = NoticeChannel::parse(&input.channel).ok_or_else(|| {
        AppError::bad_request(
            "channel",
            Text::fixed("发送方式应为 sms 或 email", "channel must be sms or email"),
        )
    })?;
    let sent_to = match channel {
        NoticeChannel::Sms => c.applicant.phone.clone(),
        NoticeChannel::Email => c.applicant.email.clone().ok_or_else(|| {
            AppError::from(FieldError::new(
                "channel",
                Text::fixed(
                    "申请人没有留电子邮箱",
                    "the applicant left no e-mail address",
                ),
            ))
        })?,
    };
    let days = settings(state).await?.rules.evaluation.link_days;
    let token = random_token();
    let base = state.config.public_url.clone().unwrap_or_default();
    let url = format!("{}/rate/{token}", base.trim_end_matches('/'));
    let link = state
        .store
        .create_rating_link(
            &auth.ctx(),
            NewRatingLink {
                case_id,
                token_hash: token_hash(&token),
                channel,
                sent_to,
                subject: format!("请评价办件{}", c.number),
                body: format!(
                    "您办理的“{}”（办件号{}）已办结，请对本次服务作出评价：{url} （{days}天内有效，仅可使用一次）",
                    c.matter_name, c.number
                ),
                at,
                expires_at: at + Duration::days(days),
            },
        )
        .await?;
    Ok(link)
}

/// What the page behind a rating link shows.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LinkView {
    pub case_number: String,
    pub matter_name: String,
    pub channel: String,
    pub expires_at: DateTime<Utc>,
}

/// Open reviews one account may give in a day.
pub const REVIEWS_PER_DAY: usize = 5;

/// A link, checked: known, unused, unexpired. Guessing tokens from one address is throttled
/// like signing in: unknown tokens count as failures of the address.
async fn live_link(
    state: &AppState,
    origin: &Origin,
    token: &str,
) -> AppResult<(RatingLink, Case)> {
    const KEY: &str = "rating-link";
    super::session::throttle(
        state,
        None,
        &origin.addr,
        ("无效的评价链接", "invalid rating links"),
    )
    .await?;
    let invalid = || {
        AppError::from(FieldError::new(
            "token",
            Text::fixed(
                "评价链接无效、已使用或已过期",
                "the rating link is invalid, used or expired",
            ),
        ))
    };
    let token = token.trim();
    let link = if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        state.store.rating_link(&token_hash(token)).await?
    } else {
        None
    };
    let Some(link) = link else {
        state
            .store
            .record_login_attempt(KEY, &origin.addr, false)
            .await?;
        return Err(invalid());
    };
    if link.used_at.is_some() || link.expires_at <= cases::now() {
        return Err(invalid());
    }
    let rec = state
        .store
        .case_record(link.case_id)
        .await?
        .ok_or_else(invalid)?;
    Ok((link, rec.dossier.case))
}

pub async fn link_view(state: &AppState, origin: &Origin, token: &str) -> AppResult<LinkView> {
    let (link, c) = live_link(state, origin, token).await?;
    Ok(LinkView {
        case_number: c.number,
        matter_name: c.matter_name,
        channel: link.channel,
        expires_at: link.expires_at,
    })
}

/// A rating through a link: the link is spent with it.
pub async fn rate_by_link(
    state: &AppState,
    origin: &Origin,
    token: &str,
    given: Given,
) -> AppResult<Rated> {
    let (link, c) = live_link(state, origin, token).await?;
    let channel = if link.channel == NoticeChannel::Email.code() {
        Channel::Email
    } else {
        Channel::Sms
    };
    let given = given.clean(channel.setting())?;
    let rater = Rater {
        user_id: c.applicant_user_id,
        name: Some(c.applicant.name.clone()),
        phone: Some(c.applicant.phone.clone()),
        email: c.applicant.email.clone(),
    };
    record(
        state,
        &public_ctx(origin, "rating-link"),
        NewRating {
            kind: Kind::Service,
            channel,
            given,
            target: RatingTarget::Case(c.id),
            link_hash: Some(token_hash(token.trim())),
            rater,
            plan: None,
            at: cases::now(),
        },
    )
    .await
}

/// The online rating of a case (一事一评), if it has one.
pub async fn online_rating(state: &AppState, case_id: i64) -> AppResult<Option<Rating>> {
    Ok(state
        .store
        .ratings(&RatingFilter {
            case_id: Some(case_id),
            limit: 20,
            ..Default::default()
        })
        .await?
        .into_iter()
        .find(|r| {
            r.kind == Kind::Service.code()
                && Channel::parse(&r.channel).is_some_and(|c| c.setting() == Channel::Web.setting())
        }))
}

/// Ratings a member of staff may see: a clerk their own, others those in scope. The rater is
/// never part of a rating.
pub async fn ratings(state: &AppState, auth: &Auth, bad_only: bool) -> AppResult<Vec<Rating>> {
    let a = &auth.actor;
    let mut f = RatingFilter {
        bad_only,
        limit: 500,
        ..Default::default()
    };
    if a.has(Permission::Supervise) || a.has(Permission::Rectify) {
        f.scope = scope_filter(a);
    } else if a.has(Permission::Appeal) {
        f.clerk_id = Some(a.user_id);
    } else {
        return Err(DomainError::forbidden().into());
    }
    Ok(state.store.ratings(&f).await?)
}

/// A rectification with its trail, what the asker may do, and (for those who call back) the
/// rater's contact.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RectificationView {
    pub rectification: Rectification,
    pub light: Option<String>,
    pub log: Vec<LogLine>,
    /// The action open now, if the asker may take it.
    pub may: Option<String>,
    pub rater: Option<Rater>,
}

async fn covered(state: &AppState, auth: &Auth, r: &Rectification) -> AppResult<bool> {
    let o = owner(state, r.department_id, Some(r.region_id)).await?;
    Ok(auth.actor.covers(&o))
}

pub async fn rectification(state: &AppState, auth: &Auth, id: i64) -> AppResult<RectificationView> {
    auth.actor
        .require_any(&[Permission::Rectify, Permission::Supervise])?;
    let r = state
        .store
        .rectification(id)
        .await?
        .ok_or_else(|| AppError::not_found(RECTIFICATION))?;
    let a = &auth.actor;
    let rectifies = a.has(Permission::Rectify) && covered(state, auth, &r).await?;
    let supervises = a.has(Permission::Supervise) && covered(state, auth, &r).await?;
    if !rectifies && !supervises {
        return Err(DomainError::forbidden().into());
    }
    let log = state.store.rectification_log(id).await?;
    let rater = if rectifies {
        state.store.rater(r.rating_id).await?
    } else {
        None
    };
    let today = local_date(cases::now());
    Ok(RectificationView {
        light: r.light_on(today).map(|l| l.code().to_string()),
        may: rectifies
            .then(|| rectification::open_action(r.progress.state).map(|a| a.0.to_string()))
            .flatten(),
        log,
        rater,
        rectification: r,
    })
}

/// Rectifications in scope, open ones or in one state or light.
pub async fn rectifications(
    state: &AppState,
    auth: &Auth,
    state_code: Option<&str>,
    light: Option<&str>,
) -> AppResult<Vec<Rectification>> {
    let a = &auth.actor;
    if !a.has(Permission::Rectify) && !a.has(Permission::Supervise) {
        return Err(DomainError::forbidden().into());
    }
    let state_f = match state_code.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(State::parse(s).ok_or_else(|| {
            AppError::bad_request(
                "state",
                Text::fixed(
                    "状态应为 verifying、rectifying、explaining、calling_back、re_evaluating 或 closed",
                    "state must be verifying, rectifying, explaining, calling_back, re_evaluating or closed",
                ),
            )
        })?),
    };
    let light = match light.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(code) => Some(Light::parse(code).ok_or_else(|| {
            AppError::bad_request(
                "light",
                Text::fixed(
                    "灯色应为 green、yellow 或 red",
                    "light must be green, yellow or red",
                ),
            )
        })?),
    };
    Ok(state
        .store
        .rectifications(&RectificationFilter {
            scope: scope_filter(a),
            state: state_f,
            open_only: state_f.is_none(),
            light: light.map(|l| (l, local_date(cases::now()))),
            limit: 500,
        })
        .await?)
}

/// An action with the version it was read at (`{"version": 3, "action": "verify", …}`).
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ActInput {
    /// The version as read.
    pub version: i64,
    #[serde(flatten)]
    pub action: Action,
}

/// One step of a rectification, by the department in scope.
pub async fn act(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    action: Action,
) -> AppResult<Rectification> {
    auth.actor.require(Permission::Rectify)?;
    let r = state
        .store
        .rectification(id)
        .await?
        .ok_or_else(|| AppError::not_found(RECTIFICATION))?;
    if !covered(state, auth, &r).await? {
        return Err(DomainError::forbidden().into());
    }
    Ok(state
        .store
        .act_on_rectification(&auth.ctx(), id, version, action, cases::now())
        .await?)
}

async fn rating_of(state: &AppState, id: i64) -> AppResult<Rating> {
    state
        .store
        .rating(id)
        .await?
        .ok_or_else(|| AppError::not_found(RATING))
}

/// A clerk appeals a rating of their own service, or a department head one of the department's,
/// within the rules' working days.
pub async fn appeal(
    state: &AppState,
    auth: &Auth,
    rating_id: i64,
    input: AppealInput,
) -> AppResult<Appeal> {
    let a = &auth.actor;
    a.require(Permission::Appeal)?;
    let r = rating_of(state, rating_id).await?;
    let own = r.clerk_id == Some(a.user_id);
    let head =
        a.has(Permission::Rectify) && a.covers(&owner(state, r.department_id, r.region_id).await?);
    if !own && !head {
        return Err(DomainError::forbidden().into());
    }
    let input = input.clean()?;
    let at = cases::now();
    let s = settings(state).await?;
    let days = s.rules.evaluation.appeal_days;
    let last = s
        .calendar
        .add_workdays(local_date(r.created_at), days)
        .map_err(|e| AppError::bad_request("calendar", e.text()))?;
    if local_date(at) > last {
        return Err(AppError::from(DomainError::conflict(
            "rating_id",
            format!("已超过申诉期限（评价后{days}个工作日内）"),
            format!("appeals are taken within {days} working days of the rating"),
        )));
    }
    Ok(state
        .store
        .file_appeal(&auth.ctx(), rating_id, input.reason, at)
        .await?)
}

/// Appeals in the supervisor's scope.
pub async fn appeals(state: &AppState, auth: &Auth, pending_only: bool) -> AppResult<Vec<Appeal>> {
    auth.actor.require(Permission::ReviewRatings)?;
    Ok(state
        .store
        .appeals(&AppealFilter {
            scope: scope_filter(&auth.actor),
            pending_only,
            limit: 500,
            ..Default::default()
        })
        .await?)
}

/// A supervisor decides an appeal in scope.
pub async fn decide(
    state: &AppState,
    auth: &Auth,
    id: i64,
    d: AppealDecision,
) -> AppResult<Appeal> {
    auth.actor.require(Permission::ReviewRatings)?;
    let appeal = state
        .store
        .appeal(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("申诉", "appeal")))?;
    let r = rating_of(state, appeal.rating_id).await?;
    let o = owner(state, r.department_id, r.region_id).await?;
    if !auth.actor.covers(&o) {
        return Err(DomainError::forbidden().into());
    }
    let d = d.clean()?;
    Ok(state
        .store
        .decide_appeal(&auth.ctx(), id, d, cases::now())
        .await?)
}

/// The published figures of some ratings: how many of each level and the figures of docs/KPIS.md
/// (satisfaction, bad-rating rate, average), counted as the supervision figures count them.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Summary {
    /// Ratings of level 5, 4, 3, 2, 1.
    pub by_level: [i64; 5],
    pub ratings: i64,
    pub bad: i64,
    pub satisfaction_rate: Option<f64>,
    pub bad_rate: Option<f64>,
    pub avg_rating: Option<f64>,
}

impl Summary {
    fn add(&mut self, level: i64, n: i64) {
        if let Some(slot) = usize::try_from(5 - level)
            .ok()
            .and_then(|i| self.by_level.get_mut(i))
        {
            *slot += n;
        }
    }

    fn finish(mut self) -> Summary {
        let mut c = Counters::default();
        for (i, n) in self.by_level.iter().enumerate() {
            let level = 5 - i as i64;
            let mut one = of_rating(level);
            one.ratings *= n;
            one.rating_sum *= n;
            one.satisfied *= n;
            one.bad *= n;
            c.add(&one);
        }
        let f = Figures::from(c);
        self.ratings = c.ratings;
        self.bad = c.bad;
        self.satisfaction_rate = f.satisfaction_rate;
        self.bad_rate = f.bad_rate;
        self.avg_rating = f.avg_rating;
        self
    }
}

/// Which ratings a publication shows: one hall, department or matter (or the whole district),
/// over a period (the last 365 days by default).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    pub hall_id: Option<i64>,
    pub department_id: Option<i64>,
    /// Matter code.
    pub matter: Option<String>,
    /// First day, YYYY-MM-DD.
    pub from: Option<chrono::NaiveDate>,
    /// Last day, YYYY-MM-DD.
    pub to: Option<chrono::NaiveDate>,
}

/// One line of a publication's table: a hall or a department with its figures.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicLine {
    pub id: i64,
    pub name: String,
    pub summary: Summary,
}

/// The public results (好差评公示): the figures, the halls and departments ranked, and the bad
/// ratings rectified, with nobody named.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Publication {
    pub title: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub summary: Summary,
    pub halls: Vec<PublicLine>,
    pub departments: Vec<PublicLine>,
    pub rectified: Vec<onewindow_store::PublishedRectification>,
}

pub async fn publication(
    state: &AppState,
    q: &PublicQuery,
    lang: onewindow_core::Lang,
) -> AppResult<Publication> {
    let today = local_date(cases::now());
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to - Duration::days(364));
    if from > to {
        return Err(AppError::bad_request(
            "from",
            Text::fixed("开始日期晚于结束日期", "the period starts after it ends"),
        ));
    }
    let mut title = Text::fixed("全区", "The district").get(lang).to_string();
    let mut f = RatingFilter {
        kind: Some(Kind::Service),
        counted_only: true,
        from: Some(onewindow_core::time::start_of(from)),
        to: Some(onewindow_core::time::start_of(to + Duration::days(1))),
        limit: 50,
        ..Default::default()
    };
    if let Some(h) = q.hall_id {
        let hall = state
            .store
            .hall(h)
            .await?
            .ok_or_else(|| AppError::not_found(Text::fixed("大厅", "hall")))?;
        title = hall.name;
        f.hall_id = Some(h);
    }
    if let Some(d) = q.department_id {
        let dept = state
            .store
            .department(d)
            .await?
            .ok_or_else(|| AppError::not_found(Text::fixed("部门", "department")))?;
        title = dept.name;
        f.department_id = Some(d);
    }
    if let Some(code) = q.matter.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        let view = super::catalog::view(state).await?;
        let g = view
            .guide(&code.to_ascii_uppercase())
            .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?;
        title = g.guide.name.clone();
        f.matter_id = Some(g.matter_id);
    }
    let mut summary = Summary::default();
    for (_, level, n) in state.store.rating_levels(&f, None).await? {
        summary.add(level, n);
    }
    let lines = |rows: Vec<(i64, i64, i64)>| {
        let mut out: Vec<(i64, Summary)> = Vec::new();
        for (key, level, n) in rows.into_iter().filter(|r| r.0 != 0) {
            match out.last_mut() {
                Some((k, s)) if *k == key => s.add(level, n),
                _ => {
                    let mut s = Summary::default();
                    s.add(level, n);
                    out.push((key, s));
                }
            }
        }
        out
    };
    let hall_names: HashMap<i64, String> = state
        .store
        .halls(&onewindow_store::ScopeFilter::all())
        .await?
        .into_iter()
        .map(|h| (h.id, h.name))
        .collect();
    let dept_names: HashMap<i64, String> = state
        .store
        .departments(&onewindow_store::ScopeFilter::all())
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let named = |rows: Vec<(i64, Summary)>, names: &HashMap<i64, String>| -> Vec<PublicLine> {
        rows.into_iter()
            .map(|(id, s)| PublicLine {
                id,
                name: names.get(&id).cloned().unwrap_or_default(),
                summary: s.finish(),
            })
            .collect()
    };
    let mut halls = named(
        lines(
            state
                .store
                .rating_levels(&f, Some(RatingGroup::Hall))
                .await?,
        ),
        &hall_names,
    );
    let mut departments = named(
        lines(
            state
                .store
                .rating_levels(&f, Some(RatingGroup::Department))
                .await?,
        ),
        &dept_names,
    );
    for list in [&mut halls, &mut departments] {
        list.sort_by(|a, b| {
            b.summary
                .satisfaction_rate
                .partial_cmp(&a.summary.satisfaction_rate)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.summary.ratings.cmp(&a.summary.ratings))
        });
    }
    let rectified = state
        .store
        .published_rectifications(&RatingFilter {
            counted_only: false,
            ..f.clone()
        })
        .await?;
    Ok(Publication {
        title,
        from,
        to,
        summary: summary.finish(),
        halls,
        departments,
        rectified,
    })
}

/// What an open review (综合点评) or a supervisor's check (监督查评) rates.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// A hall or a department (open reviews); a window (supervisors' checks).
    pub hall_id: Option<i64>,
    pub department_id: Option<i64>,
    pub window_id: Option<i64>,
    /// 1 to 5.
    pub level: i64,
    /// The sub-scores: online ones for an open review, on-site ones for a check.
    #[serde(default)]
    #[schema(value_type = std::collections::BTreeMap<String, i64>)]
    pub scores: onewindow_core::evaluation::rating::Scores,
    #[serde(default)]
    pub comment: Option<String>,
    /// Why; required for 1 or 2.
    #[serde(default)]
    pub reason: Option<String>,
}

impl ReviewInput {
    fn given(&self) -> Given {
        Given {
            level: self.level,
            scores: self.scores.clone(),
            comment: self.comment.clone(),
            reason: self.reason.clone(),
        }
    }
}

fn one_target(r: &ReviewInput, allowed: &[&str]) -> AppResult<RatingTarget> {
    let named: Vec<(&str, i64)> = [
        ("hall_id", r.hall_id),
        ("department_id", r.department_id),
        ("window_id", r.window_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect();
    match named.as_slice() {
        [(k, v)] if allowed.contains(k) => Ok(match *k {
            "hall_id" => RatingTarget::Hall(*v),
            "department_id" => RatingTarget::Department(*v),
            _ => RatingTarget::Window(*v),
        }),
        _ => Err(AppError::from(FieldError::new(
            allowed[0],
            Text::new(
                format!("请指定一项评价对象：{}", allowed.join("、")),
                format!("name exactly one of {}", allowed.join(", ")),
            ),
        ))),
    }
}

/// A citizen's or an enterprise's open review of a hall or a department (综合点评).
pub async fn open_review(state: &AppState, auth: &Auth, r: ReviewInput) -> AppResult<Rated> {
    if auth.actor.is_staff() {
        return Err(DomainError::forbidden().into());
    }
    let target = one_target(&r, &["hall_id", "department_id"])?;
    let given = r.given().clean(Channel::Web.setting())?;
    let today = onewindow_core::time::start_of(local_date(cases::now()));
    let given_today = state
        .store
        .ratings(&RatingFilter {
            kind: Some(Kind::OpenReview),
            rater_user_id: Some(auth.user.id),
            from: Some(today),
            limit: REVIEWS_PER_DAY as i64 + 1,
            ..Default::default()
        })
        .await?;
    if given_today.len() >= REVIEWS_PER_DAY {
        return Err(AppError::new(
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            Text::new(
                format!("每天最多提交{REVIEWS_PER_DAY}条综合点评"),
                format!("at most {REVIEWS_PER_DAY} open reviews a day"),
            ),
        ));
    }
    let rater = Rater {
        user_id: Some(auth.user.id),
        name: Some(auth.user.display_name.clone()),
        ..Rater::default()
    };
    record(
        state,
        &auth.ctx(),
        NewRating {
            kind: Kind::OpenReview,
            channel: Channel::Web,
            given,
            target,
            link_hash: None,
            rater,
            plan: None,
            at: cases::now(),
        },
    )
    .await
}

/// A supervisor's check of a window in scope (监督查评): on site, with the on-site items.
pub async fn supervisor_check(state: &AppState, auth: &Auth, r: ReviewInput) -> AppResult<Rated> {
    auth.actor.require(Permission::ReviewRatings)?;
    let target = one_target(&r, &["window_id"])?;
    if let RatingTarget::Window(w) = target {
        let w = state
            .store
            .window(w)
            .await?
            .ok_or_else(|| AppError::not_found(Text::fixed("窗口", "window")))?;
        let hall = state
            .store
            .hall(w.hall_id)
            .await?
            .ok_or_else(|| AppError::not_found(Text::fixed("大厅", "hall")))?;
        if !auth
            .actor
            .covers(&owner(state, None, Some(hall.region_id)).await?)
        {
            return Err(DomainError::forbidden().into());
        }
    }
    let given = r.given().clean(Channel::WindowPad.setting())?;
    let rater = Rater {
        user_id: Some(auth.user.id),
        name: Some(auth.user.display_name.clone()),
        ..Rater::default()
    };
    record(
        state,
        &auth.ctx(),
        NewRating {
            kind: Kind::SupervisorCheck,
            channel: Channel::WindowPad,
            given,
            target,
            link_hash: None,
            rater,
            plan: None,
            at: cases::now(),
        },
    )
    .await
}

/// The bell on a rectification (督办): a supervisor in scope, with a message; it goes into the
/// record's trail, its count, and the audit.
pub async fn urge(
    state: &AppState,
    auth: &Auth,
    id: i64,
    message: &str,
) -> AppResult<Rectification> {
    auth.actor.require(Permission::Urge)?;
    let r = state
        .store
        .rectification(id)
        .await?
        .ok_or_else(|| AppError::not_found(RECTIFICATION))?;
    if !covered(state, auth, &r).await? {
        return Err(DomainError::forbidden().into());
    }
    let message = onewindow_core::validate::text::required("message", message, 500)?;
    Ok(state
        .store
        .urge_rectification(&auth.ctx(), id, message, cases::now())
        .await?)
}

/// The warning job's part for rectifications: a reminder when one turns yellow and a warning
/// when it turns red, each once (claimed in the store), whatever the number of instances.
pub async fn warn(state: &AppState, at: DateTime<Utc>) -> AppResult<(usize, usize)> {
    let today = local_date(at);
    let ctx = onewindow_core::audit::Context::system("evaluation-warnings");
    let mut done = [0usize; 2];
    // Red first: a record already red is warned once, at red.
    for level in [2i64, 1] {
        for id in state
            .store
            .rectifications_to_warn(level, today, 500)
            .await?
        {
            if state
                .store
                .claim_rectification_warning(&ctx, id, level, at)
                .await?
            {
                done[usize::try_from(level - 1).unwrap_or(0)] += 1;
            }
        }
    }
    Ok((done[0], done[1]))
}
