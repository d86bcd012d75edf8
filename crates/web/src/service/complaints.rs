//! Complaints (投诉): lodged by a citizen on the web or recorded by the supervision office from
//! the hotline, letters and visits; accepted (to a department) or refused by the office within
//! the rules' days; answered by the department by its deadline; closed with the complainant's
//! satisfaction. Figures per department, source and state, with the share handled on time.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::cases::{self, settings};
use crate::service::{owner, scope_filter};
use crate::state::AppState;
use chrono::NaiveDate;
use onewindow_core::access::Permission;
use onewindow_core::evaluation::complaint::{
    Action, Complaint, LogLine, NewComplaint, Source, State, open_actions,
};
use onewindow_core::time::{local_date, start_of};
use onewindow_core::{DomainError, FieldError, Text};
use onewindow_store::{ComplaintFilter, NewComplaintRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const COMPLAINT: Text = Text::fixed("投诉", "complaint");

fn calendar_error(e: onewindow_core::calendar::CalendarError) -> AppError {
    AppError::bad_request("calendar", e.text())
}

/// Lodges a complaint: a citizen or an enterprise on the web (as themselves), or the
/// supervision office from the hotline, a letter or a visit.
pub async fn lodge(state: &AppState, auth: &Auth, input: NewComplaint) -> AppResult<Complaint> {
    let a = &auth.actor;
    let c = input.clean()?;
    let staff = a.has(Permission::ReviewRatings);
    if a.is_staff() && !staff {
        return Err(DomainError::forbidden().into());
    }
    if a.is_staff() == (c.source == Source::Web) {
        return Err(AppError::from(FieldError::new(
            "source",
            Text::fixed(
                "网上投诉由投诉人本人提交，热线、来信、来访由监督部门登记",
                "complainants lodge web complaints; the office records the hotline, letters and visits",
            ),
        )));
    }
    let case_id = match &c.case_number {
        Some(n) => Some(
            state
                .store
                .case_id_by_number(&onewindow_core::case::number::normalise(n))
                .await?
                .ok_or_else(|| {
                    AppError::from(FieldError::new(
                        "case_number",
                        Text::fixed("没有这个办件编号", "no case has this number"),
                    ))
                })?,
        ),
        None => None,
    };
    // The desk it lands on: the department's region, else the case's, else the office that
    // records it, else the platform's own government (本级), never a region above it whose desk
    // no one here sits at.
    let case_region = match case_id {
        Some(id) => state
            .store
            .case_record(id)
            .await?
            .map(|r| r.dossier.case.region_id),
        None => None,
    };
    let region_id = match c.department_id {
        Some(d) => state
            .org_facts
            .department_region(state.store.as_ref(), d)
            .await?
            .ok_or_else(|| {
                AppError::from(FieldError::new(
                    "department_id",
                    Text::fixed("没有这个部门", "no such department"),
                ))
            })?,
        None => match (case_region, a.scope.region_id) {
            (Some(r), _) => r,
            (None, Some(r)) if staff => r,
            _ => crate::service::org::home_region(state).await?.id,
        },
    };
    let at = cases::now();
    let s = settings(state).await?;
    let accept_due = s
        .calendar
        .add_workdays(local_date(at), s.rules.evaluation.complaint_accept_days)
        .map_err(calendar_error)?;
    Ok(state
        .store
        .lodge_complaint(
            &auth.ctx(),
            NewComplaintRecord {
                complaint: c,
                region_id,
                case_id,
                complainant_id: (!a.is_staff()).then_some(auth.user.id),
                accept_due,
                at,
            },
        )
        .await?)
}

async fn load(state: &AppState, id: i64) -> AppResult<Complaint> {
    state
        .store
        .complaint(id)
        .await?
        .ok_or_else(|| AppError::not_found(COMPLAINT))
}

/// Whether the reader handles it as the office (region scope) or as its department.
async fn roles(state: &AppState, auth: &Auth, c: &Complaint) -> AppResult<(bool, bool)> {
    let a = &auth.actor;
    let office = a.has(Permission::ReviewRatings)
        && a.covers(&owner(state, c.department_id, Some(c.region_id)).await?);
    let department = a.has(Permission::Rectify)
        && c.department_id.is_some()
        && a.covers(&owner(state, c.department_id, Some(c.region_id)).await?);
    Ok((office, department))
}

/// A complaint with its trail, the actions the reader may take, and whether it ran late.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComplaintView {
    pub complaint: Complaint,
    pub log: Vec<LogLine>,
    pub may: Vec<String>,
    pub late: bool,
}

pub async fn view(state: &AppState, auth: &Auth, id: i64) -> AppResult<ComplaintView> {
    let c = load(state, id).await?;
    let (office, department) = roles(state, auth, &c).await?;
    let own = !auth.actor.is_staff() && c.complainant_id == Some(auth.user.id);
    if !office && !department && !own {
        return Err(if auth.actor.is_staff() {
            DomainError::forbidden().into()
        } else {
            AppError::not_found(COMPLAINT)
        });
    }
    let may = open_actions(c.progress.state)
        .into_iter()
        .map(|(code, _)| code)
        .filter(|code| match *code {
            "answer" => department,
            _ => office,
        })
        .map(str::to_string)
        .collect();
    Ok(ComplaintView {
        log: state.store.complaint_log(id).await?,
        may,
        late: c.late(local_date(cases::now())),
        complaint: c,
    })
}

/// An action with the version it was read at.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ComplaintAct {
    pub version: i64,
    #[serde(flatten)]
    pub action: Action,
}

/// Accept, refuse and close are the office's; the answer is the department's.
pub async fn act(
    state: &AppState,
    auth: &Auth,
    id: i64,
    input: ComplaintAct,
) -> AppResult<Complaint> {
    // the department answers; the office does the rest
    auth.actor.require(match input.action {
        Action::Answer { .. } => Permission::Rectify,
        _ => Permission::ReviewRatings,
    })?;
    let c = load(state, id).await?;
    let (office, department) = roles(state, auth, &c).await?;
    let allowed = match input.action {
        Action::Answer { .. } => department,
        _ => office,
    };
    if !allowed {
        return Err(DomainError::forbidden().into());
    }
    let at = cases::now();
    let answer_due = match &input.action {
        Action::Accept { department_id } => {
            if state
                .org_facts
                .department_region(state.store.as_ref(), *department_id)
                .await?
                .is_none()
            {
                return Err(AppError::from(FieldError::new(
                    "department_id",
                    Text::fixed("没有这个部门", "no such department"),
                )));
            }
            let s = settings(state).await?;
            Some(
                s.calendar
                    .add_workdays(local_date(at), s.rules.evaluation.complaint_days)
                    .map_err(calendar_error)?,
            )
        }
        _ => None,
    };
    Ok(state
        .store
        .act_on_complaint(&auth.ctx(), id, input.version, input.action, answer_due, at)
        .await?)
}

/// Complaints the reader may see: in scope for staff, their own for the public.
pub async fn list(state: &AppState, auth: &Auth, open_only: bool) -> AppResult<Vec<Complaint>> {
    let a = &auth.actor;
    let mut f = ComplaintFilter {
        open_only,
        limit: 500,
        ..Default::default()
    };
    if a.is_staff() {
        if !a.has(Permission::ReviewRatings) && !a.has(Permission::Rectify) {
            return Err(DomainError::forbidden().into());
        }
        f.scope = scope_filter(a);
    } else {
        f.complainant_id = Some(auth.user.id);
    }
    Ok(state.store.complaints(&f).await?)
}

/// One line of the complaint figures.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct ComplaintLine {
    /// A department id, a source code or a state code.
    pub key: String,
    pub name: String,
    pub received: i64,
    pub accepted: i64,
    pub refused: i64,
    pub answered: i64,
    pub closed: i64,
    /// Accepted or answered after its day, or still waiting past it.
    pub late: i64,
    /// Share (percent) of the complaints on time.
    pub on_time_rate: Option<f64>,
    pub avg_satisfaction: Option<f64>,
    #[serde(skip)]
    satisfaction_sum: i64,
}

impl ComplaintLine {
    fn count(&mut self, c: &Complaint, today: NaiveDate) {
        self.received += 1;
        if c.accepted_at.is_some() {
            self.accepted += 1;
        }
        match c.progress.state {
            State::Refused => self.refused += 1,
            State::Closed => self.closed += 1,
            _ => {}
        }
        if c.answered_at.is_some() {
            self.answered += 1;
        }
        if c.late(today) {
            self.late += 1;
        }
        if let Some(s) = c.progress.satisfaction {
            self.satisfaction_sum += s;
        }
    }

    fn finish(mut self) -> ComplaintLine {
        self.on_time_rate = (self.received > 0).then(|| {
            ((self.received - self.late) as f64 * 1000.0 / self.received as f64).round() / 10.0
        });
        self.avg_satisfaction = (self.closed > 0)
            .then(|| (self.satisfaction_sum as f64 * 100.0 / self.closed as f64).round() / 100.0);
        self
    }
}

/// The complaint figures of a period: in total, by department, by source and by state.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ComplaintStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub total: ComplaintLine,
    pub by_department: Vec<ComplaintLine>,
    pub by_source: Vec<ComplaintLine>,
    pub by_state: Vec<ComplaintLine>,
}

pub async fn stats(
    state: &AppState,
    auth: &Auth,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<ComplaintStats> {
    let a = &auth.actor;
    if !a.has(Permission::ReviewRatings) && !a.has(Permission::Supervise) {
        return Err(DomainError::forbidden().into());
    }
    let today = local_date(cases::now());
    let to = to.unwrap_or(today);
    let from = from.unwrap_or(to - chrono::Duration::days(364));
    if from > to {
        return Err(AppError::bad_request(
            "from",
            Text::fixed("开始日期晚于结束日期", "the period starts after it ends"),
        ));
    }
    if to - from > chrono::Duration::days(366) {
        return Err(AppError::bad_request(
            "to",
            Text::fixed("统计期间不能超过一年", "a period is at most a year"),
        ));
    }
    let all = state
        .store
        .complaints(&ComplaintFilter {
            scope: scope_filter(a),
            from: Some(start_of(from)),
            to: Some(start_of(to + chrono::Duration::days(1))),
            limit: 10_000,
            ..Default::default()
        })
        .await?;
    let mut total = ComplaintLine::default();
    let mut by: [std::collections::BTreeMap<String, ComplaintLine>; 3] = Default::default();
    for c in &all {
        total.count(c, today);
        let keys = [
            c.department_id
                .map_or_else(|| "0".to_string(), |d| d.to_string()),
            c.source.code().to_string(),
            c.progress.state.code().to_string(),
        ];
        for (map, key) in by.iter_mut().zip(keys) {
            map.entry(key).or_default().count(c, today);
        }
    }
    let mut lines = Vec::new();
    for (i, map) in by.into_iter().enumerate() {
        let mut out = Vec::new();
        for (key, mut l) in map {
            l.name = match i {
                0 => match key.parse::<i64>().ok().filter(|d| *d != 0) {
                    Some(d) => state
                        .store
                        .department(d)
                        .await?
                        .map(|d| d.name)
                        .unwrap_or_default(),
                    None => "未指定部门".to_string(),
                },
                1 => Source::parse(&key)
                    .map(|s| s.name().zh.into_owned())
                    .unwrap_or_default(),
                _ => State::parse(&key)
                    .map(|s| s.name().zh.into_owned())
                    .unwrap_or_default(),
            };
            l.key = key;
            out.push(l.finish());
        }
        lines.push(out);
    }
    let by_state = lines.pop().unwrap_or_default();
    let by_source = lines.pop().unwrap_or_default();
    let by_department = lines.pop().unwrap_or_default();
    Ok(ComplaintStats {
        from,
        to,
        total: total.finish(),
        by_department,
        by_source,
        by_state,
    })
}
