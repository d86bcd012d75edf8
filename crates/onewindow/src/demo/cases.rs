//! `onewindow demo --cases N`: realistic cases for the demo district, spread over the last twelve
//! months and over every state — most long since delivered, some refused or withdrawn, the recent
//! ones still waiting, in review, paused for a special procedure or extended (with `--open`, only
//! cases still open, from the last weeks). Each goes through the state machine action by action,
//! at the time it would have happened, with the window clerk at a window of the hall for what a
//! window does; the finished dossiers with their history are then written in batches
//! (`CaseStore::import_cases`), counted in the rollups, without notices.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use onewindow_core::audit::Context;
use onewindow_core::calendar::Calendar;
use onewindow_core::case::apply::{Intake, Placement, new_case};
use onewindow_core::case::machine::{Action, Env, act};
use onewindow_core::case::rules::Rules;
use onewindow_core::case::workflow::Workflow;
use onewindow_core::case::*;
use onewindow_core::catalog::Applicant;
use onewindow_core::catalog::record::PublishedGuide;
use onewindow_core::time::china;
use onewindow_core::validate::{id_card, uscc};
use onewindow_store::{Store, StoreError};
use std::sync::Arc;

/// A small deterministic generator: the same N gives the same district.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "马", "朱", "胡", "郭", "何",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "桂兰", "海燕", "立新", "晓明", "丽娟", "国华", "春梅", "德胜", "玉珍",
    "子涵", "浩然", "欣怡", "宇轩",
];
const COMPANIES: &[&str] = &[
    "龙港建设有限公司",
    "渤海食品有限公司",
    "连湾物流有限公司",
    "北港商贸有限公司",
    "葫芦岛鑫源机械有限公司",
    "龙湾餐饮管理有限公司",
];

fn person_id(r: &mut Rng) -> String {
    let born = NaiveDate::from_ymd_opt(
        1940 + r.below(60) as i32,
        1 + r.below(12) as u32,
        1 + r.below(28) as u32,
    )
    .unwrap_or_default();
    let first17 = format!("211403{}{:03}", born.format("%Y%m%d"), r.below(1000));
    format!("{first17}{}", id_card::check_character(&first17))
}

fn company_code(r: &mut Rng) -> String {
    let body: String = (0..8)
        .map(|_| {
            *r.pick(&[
                '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D',
            ])
        })
        .collect();
    uscc::build('9', '1', "211403", &body).unwrap_or_default()
}

fn phone(r: &mut Rng) -> String {
    format!("13{}{:08}", 5 + r.below(5), r.below(100_000_000))
}

/// A local working-day moment: `day` at a time within office hours.
pub(super) fn at(day: NaiveDate, r: &mut Rng) -> DateTime<Utc> {
    let t = day
        .and_hms_opt(8 + r.below(8) as u32, r.below(60) as u32, 0)
        .unwrap_or_default();
    china()
        .from_local_datetime(&t)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// How far a case has got.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    Waiting,
    Supplement,
    Refused,
    Reviewing,
    Paused,
    Extended,
    Decided,
    Delivered,
    Withdrawn,
}

/// A case still open: most in review, the others waiting, asked for supplements, paused,
/// extended or decided and not yet delivered.
fn open_fate(r: &mut Rng) -> Fate {
    match r.below(100) {
        0..=11 => Fate::Waiting,
        12..=17 => Fate::Supplement,
        18..=69 => Fate::Reviewing,
        70..=75 => Fate::Paused,
        76..=81 => Fate::Extended,
        _ => Fate::Decided,
    }
}

fn fate(r: &mut Rng, age_days: i64) -> Fate {
    // Cases over a month old are finished (what was decided then was delivered since); recent
    // ones are anywhere.
    if age_days > 30 {
        return match r.below(100) {
            0..=3 => Fate::Refused,
            4..=6 => Fate::Withdrawn,
            _ => Fate::Delivered,
        };
    }
    match r.below(100) {
        0..=11 => Fate::Waiting,
        12..=17 => Fate::Supplement,
        18..=21 => Fate::Refused,
        22..=41 => Fate::Reviewing,
        42..=46 => Fate::Paused,
        47..=51 => Fate::Extended,
        52..=61 => Fate::Decided,
        62..=64 => Fate::Withdrawn,
        _ => Fate::Delivered,
    }
}

struct World {
    cal: Calendar,
    rules: Rules,
    /// The window clerk (李志抗) and the hall's windows, for what a window does.
    clerk: Option<i64>,
    windows: Vec<i64>,
    /// The demo's own applicants (the `citizen` and `enterprise` accounts), who apply now and
    /// then, so that their homes have cases to follow.
    own: Vec<OwnApplicant>,
    /// The matters that issue a licence: the demo accounts apply for them more often, so that
    /// their libraries (我的证照) have licences.
    licensed: std::collections::HashSet<i64>,
}

/// A demo account that applies, as the applicant it is.
struct OwnApplicant {
    user_id: i64,
    legal: bool,
    name: String,
    id_number: String,
    phone: String,
}

/// The window clerk's name in the generated history.
const CLERK: &str = "李志抗";

/// A case as its story goes: the dossier after the last action and the history so far.
struct Story {
    d: Dossier,
    events: Vec<CaseEvent>,
}

impl World {
    /// Runs an action on the story's case, in memory; `None` when it cannot happen (or would
    /// happen after now): the story ends there.
    #[allow(clippy::too_many_arguments)]
    async fn step(
        &self,
        st: &mut Story,
        d: Dossier,
        a: Action,
        day: NaiveDate,
        r: &mut Rng,
        flow: &Workflow,
        who: &str,
    ) -> Result<Option<Dossier>, StoreError> {
        // Never before what came before it: a little after it, on its day.
        let mut day = day;
        let mut now = at(day, r);
        if let Some(last) = st.events.last().map(|e| e.at)
            && now <= last
        {
            now = last + chrono::Duration::minutes(5 + r.below(55) as i64);
            day = onewindow_core::time::local_date(now);
        }
        if now > Utc::now() {
            return Ok(None);
        }
        let at_window = who == CLERK
            && matches!(
                d.case.channel,
                Channel::Window | Channel::Kiosk | Channel::Batch
            );
        let window_id = if at_window && !self.windows.is_empty() {
            Some(*r.pick(&self.windows))
        } else {
            None
        };
        let env = Env {
            now,
            today: day,
            cal: &self.cal,
            rules: &self.rules,
            workflow: flow,
            actor_id: if who == CLERK { self.clerk } else { None },
            actor_name: who,
            window_id,
        };
        let kind = a.kind();
        let Ok(out) = act(&d, a, &env) else {
            return Ok(None);
        };
        let mut after = out.after;
        // Steps get ids here (negative, forgotten on import) so that later actions can name them.
        let mut next = -1 - after.steps.len() as i64;
        for s in after.steps.iter_mut().filter(|s| s.id == 0) {
            s.id = next;
            next -= 1;
        }
        st.events.push(CaseEvent::of(
            &after.case,
            kind.code(),
            who,
            out.note.as_deref(),
        ));
        st.d = after.clone();
        Ok(Some(after))
    }

    fn later(&self, day: NaiveDate, r: &mut Rng, max: i64) -> NaiveDate {
        self.cal
            .add_workdays(day, 1 + r.below(max as u64) as i64)
            .unwrap_or(day)
    }
}

/// One case, from its application to wherever its fate leaves it.
#[allow(clippy::too_many_arguments)]
async fn one(
    w: &World,
    r: &mut Rng,
    g: &PublishedGuide,
    region_id: i64,
    flow: &Workflow,
    submitted: NaiveDate,
    today: NaiveDate,
    open_only: bool,
) -> Result<Story, StoreError> {
    let legal = match g.guide.applicant {
        Applicant::Legal => true,
        Applicant::Person => false,
        Applicant::Both => r.chance(30),
    };
    let applicant = ApplicantInfo {
        kind: if legal {
            ApplicantKind::Legal
        } else {
            ApplicantKind::Person
        },
        name: if legal {
            format!("葫芦岛市{}", r.pick(COMPANIES))
        } else {
            format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN))
        },
        id_number: if legal { company_code(r) } else { person_id(r) },
        phone: phone(r),
        email: None,
        address: Some(format!(
            "龙港区{}街道{}号",
            r.pick(&["滨海", "连湾", "北港", "东街"]),
            1 + r.below(200)
        )),
        needs_home_service: false,
    };
    let channel = *r.pick(&[
        Channel::Online,
        Channel::Online,
        Channel::Online,
        Channel::Window,
        Channel::Window,
        Channel::Window,
        Channel::Kiosk,
        Channel::Agent,
        Channel::HomeVisit,
    ]);
    let mut applicant = applicant;
    // One case in forty is the demo account's own, where the matter is for its kind; one in
    // four of those that issue a licence.
    let odds = if w.licensed.contains(&g.matter_id) {
        4
    } else {
        40
    };
    let own = w
        .own
        .iter()
        .find(|o| o.legal == legal)
        .filter(|_| r.below(odds) == 0);
    if let Some(o) = own {
        applicant.name = o.name.clone();
        applicant.id_number = o.id_number.clone();
        applicant.phone = o.phone.clone();
    }
    let agency = (channel == Channel::Agent).then(|| Agency {
        name: "沈丙竹".into(),
        id_number: person_id(r),
        phone: "13904290007".into(),
        authorization: "授权委托书".into(),
        user_id: None,
    });
    let delivery = if channel == Channel::HomeVisit {
        applicant.needs_home_service = true;
        DeliveryMethod::Home
    } else {
        *r.pick(&[
            DeliveryMethod::Window,
            DeliveryMethod::Window,
            DeliveryMethod::Post,
        ])
    };
    let materials = g
        .guide
        .materials
        .iter()
        .map(|m| MaterialReceipt {
            name: m.name.clone(),
            provided: true,
            note: None,
            required: m.condition.is_none(),
            shared: m.shared,
            received: None,
            licence: None,
        })
        .collect();
    let at_submit = at(submitted, r);
    let app = onewindow_core::case::apply::CleanApplication {
        channel,
        delivery_address: applicant.address.clone(),
        applicant,
        agency,
        materials,
        note: None,
        delivery,
        licences: vec![],
    };
    let d = new_case(
        app,
        &Placement {
            matter_id: g.matter_id,
            matter_code: g.code.clone(),
            matter_name: g.guide.name.clone(),
            guide_version_id: g.version_id,
            department_id: g.department_id,
            region_id,
            statutory_days: g.guide.statutory_days,
            promised_days: g.guide.promised_days,
        },
        &Intake {
            now: at_submit,
            received_on: submitted,
            completeness_due: w
                .cal
                .add_workdays(submitted, w.rules.completeness_days)
                .ok(),
            applicant_user_id: own.map(|o| o.user_id),
            bundle_id: None,
            batch_id: None,
            delivery_days: w.rules.delivery_days,
            // The history's materials were all handed in at the window.
            received_by: Some((w.clerk, CLERK.to_string())),
        },
    );
    let mut st = Story {
        events: vec![CaseEvent::of(
            &d.case,
            "submit",
            &d.case.applicant.name,
            None,
        )],
        d,
    };
    play(w, &mut st, r, g, flow, submitted, today, open_only).await?;
    Ok(st)
}

/// The case's story from its submission: wherever its fate leaves it.
#[allow(clippy::too_many_arguments)]
async fn play(
    w: &World,
    st: &mut Story,
    r: &mut Rng,
    g: &PublishedGuide,
    flow: &Workflow,
    submitted: NaiveDate,
    today: NaiveDate,
    open_only: bool,
) -> Result<(), StoreError> {
    let mut d = st.d.clone();
    let age = (today - submitted).num_days();
    let f = if open_only {
        open_fate(r)
    } else {
        fate(r, age)
    };
    let mut day = submitted;
    if f == Fate::Waiting {
        return Ok(());
    }
    if f == Fate::Supplement || r.chance(8) {
        let items = vec![SupplementItem {
            material: g
                .guide
                .materials
                .first()
                .map_or("申请表".into(), |m| m.name.clone()),
            problem: "缺少签字".into(),
        }];
        let Some(n) = w
            .step(
                st,
                d,
                Action::RequestSupplement { items },
                day,
                r,
                flow,
                CLERK,
            )
            .await?
        else {
            return Ok(());
        };
        d = n;
        if f == Fate::Supplement {
            return Ok(());
        }
        day = w.later(day, r, 4);
        let Some(n) = w
            .step(
                st,
                d,
                Action::CompleteSupplement { note: None },
                day,
                r,
                flow,
                CLERK,
            )
            .await?
        else {
            return Ok(());
        };
        d = n;
    }
    match f {
        Fate::Refused => {
            w.step(
                st,
                d,
                Action::Refuse {
                    reason: "申请事项不属于本机关职权范围".into(),
                },
                day,
                r,
                flow,
                CLERK,
            )
            .await?;
            return Ok(());
        }
        Fate::Withdrawn => {
            w.step(
                st,
                d,
                Action::Withdraw {
                    reason: Some("申请人申请撤回".into()),
                },
                day,
                r,
                flow,
                CLERK,
            )
            .await?;
            return Ok(());
        }
        _ => {}
    }
    if d.case.promised_days == 0 {
        let Some(n) = w
            .step(
                st,
                d,
                Action::ConcludeOnSpot {
                    note: None,
                    licence: Default::default(),
                },
                day,
                r,
                flow,
                CLERK,
            )
            .await?
        else {
            return Ok(());
        };
        if f == Fate::Delivered {
            // Handed over at the window, or posted (with its tracking number) the next days.
            let post = n.case.delivery == DeliveryMethod::Post;
            let (day, tracking_number, note) = if post {
                (
                    w.later(day, r, 2),
                    Some(format!("EMS{}", 1_000_000_000 + r.below(9_000_000_000))),
                    None,
                )
            } else {
                (day, None, Some("当场领取".into()))
            };
            w.step(
                st,
                n,
                Action::Deliver {
                    tracking_number,
                    note,
                },
                day,
                r,
                flow,
                CLERK,
            )
            .await?;
        }
        return Ok(());
    }
    let Some(n) = w
        .step(st, d, Action::Accept { note: None }, day, r, flow, CLERK)
        .await?
    else {
        return Ok(());
    };
    d = n;
    if f == Fate::Paused {
        day = w.later(day, r, 2);
        w.step(
            st,
            d,
            Action::Pause {
                procedure: "专家评审".into(),
                reason: "技术方案需专家论证".into(),
                expected_days: 5,
            },
            day,
            r,
            flow,
            "弋艳艳",
        )
        .await?;
        return Ok(());
    }
    if f == Fate::Extended {
        day = w.later(day, r, 2);
        let Some(n) = w
            .step(
                st,
                d,
                Action::RequestExtension {
                    reason: "需现场核查".into(),
                    days: None,
                },
                day,
                r,
                flow,
                "弋艳艳",
            )
            .await?
        else {
            return Ok(());
        };
        w.step(
            st,
            n,
            Action::ApproveExtension { note: None },
            day,
            r,
            flow,
            "刘立峰",
        )
        .await?;
        return Ok(());
    }
    // Review, step by step; a reviewing case stops half-way.
    let mut budget = if f == Fate::Reviewing {
        1 + r.below(2)
    } else {
        u64::MAX
    };
    while let Some(s) = d
        .steps
        .iter()
        .find(|s| s.state == StepState::Active)
        .cloned()
    {
        if budget == 0 {
            return Ok(());
        }
        budget -= 1;
        day = w.later(day, r, s.days.clamp(1, 3));
        let Some(n) = w
            .step(
                st,
                d,
                Action::FinishStep {
                    step_id: s.id,
                    outcome: StepOutcome::Agree,
                    opinion: Some("符合要求".into()),
                },
                day,
                r,
                flow,
                "弋艳艳",
            )
            .await?
        else {
            return Ok(());
        };
        d = n;
    }
    if f == Fate::Reviewing {
        return Ok(());
    }
    let deny = r.chance(5);
    let decision = Action::Decide {
        decision: if deny {
            Decision::Deny
        } else {
            Decision::Approve
        },
        reason: deny.then(|| "不符合法定条件".into()),
    };
    let Some(n) = w.step(st, d, decision, day, r, flow, "弋艳艳").await? else {
        return Ok(());
    };
    d = n;
    if f == Fate::Decided {
        return Ok(());
    }
    day = w.later(day, r, 2);
    let Some(n) = w
        .step(st, d, Action::conclude(), day, r, flow, CLERK)
        .await?
    else {
        return Ok(());
    };
    day = w.later(day, r, 3);
    let tracking = (n.case.delivery == DeliveryMethod::Post)
        .then(|| format!("EMS{}", 1_000_000_000 + r.below(9_000_000_000)));
    w.step(
        st,
        n,
        Action::Deliver {
            tracking_number: tracking,
            note: None,
        },
        day,
        r,
        flow,
        CLERK,
    )
    .await?;
    Ok(())
}

/// The working day `n` working days before `day` (`day` itself, or the one before, for 0).
fn workdays_back(cal: &Calendar, day: NaiveDate, n: i64) -> NaiveDate {
    let mut d = day;
    while !cal.is_workday(d).unwrap_or(true) {
        d = d.pred_opt().unwrap_or(d);
    }
    let mut left = n;
    while left > 0 {
        d = d.pred_opt().unwrap_or(d);
        if cal.is_workday(d).unwrap_or(true) {
            left -= 1;
        }
    }
    d
}

/// Cases written per transaction.
const BATCH: usize = 2000;

/// Ratings written in one run at most (each is its own transaction, so a run of a million cases
/// rates some thousands of them rather than slowing to a crawl).
const MAX_RATED: usize = 6000;

/// Generates `n` cases (with `open_only`, only cases still open, submitted in the last weeks);
/// returns how many were written.
pub async fn generate(
    store: Arc<dyn Store>,
    n: usize,
    workers: usize,
    open_only: bool,
) -> Result<usize, StoreError> {
    let years = store.calendar_years().await?;
    let cal = Calendar::new(&years);
    let guides: Vec<PublishedGuide> = store.published_guides().await?;
    if guides.is_empty() {
        return Err(StoreError::Config(
            "the catalog is empty: load the demo district first".into(),
        ));
    }
    let departments = store
        .departments(&onewindow_store::ScopeFilter::all())
        .await?;
    let mut flows = std::collections::HashMap::new();
    for g in &guides {
        let f = store
            .workflow(g.matter_id)
            .await?
            .unwrap_or_else(|| Workflow::default_for(g.guide.promised_days));
        flows.insert(g.matter_id, f);
    }
    let clerk = store.user_by_username("clerk").await?.map(|u| u.id);
    let mut windows = Vec::new();
    for h in store.halls(&onewindow_store::ScopeFilter::all()).await? {
        for w in store.windows(h.id).await? {
            if w.active && !w.confidential {
                windows.push(w.id);
            }
        }
    }
    let mut own = Vec::new();
    if let Some(u) = store.user_by_username("citizen").await? {
        own.push(OwnApplicant {
            user_id: u.id,
            legal: false,
            name: u.display_name.clone(),
            id_number: person_id(&mut Rng(9)),
            phone: u.phone.clone().unwrap_or_default(),
        });
    }
    if let Some(u) = store.user_by_username("enterprise").await?
        && let Some(firm) = store.enterprise_of_account(u.id).await?
        && let Some(e) = store.enterprise(firm).await?
    {
        own.push(OwnApplicant {
            user_id: u.id,
            legal: true,
            name: e.name,
            id_number: e.uscc,
            phone: e.contact_phone,
        });
    }
    let world = Arc::new(World {
        cal,
        rules: Rules::default(),
        clerk,
        windows,
        own,
        licensed: super::licences::licensed_matters(store.as_ref())
            .await?
            .into_iter()
            .map(|(m, _)| m)
            .collect(),
    });
    let guides = Arc::new(guides);
    let departments = Arc::new(departments);
    let flows = Arc::new(flows);
    let today = onewindow_core::time::local_date(Utc::now());
    let mut tasks = Vec::new();
    let workers = workers.clamp(1, 64);
    // Workers queue for the database here rather than for a pooled connection, whose wait
    // times out (a batch takes a second or two, and SQLite writes one at a time).
    let gate = Arc::new(tokio::sync::Semaphore::new(2));
    for wk in 0..workers {
        let (world, guides, departments, flows, store, gate) = (
            world.clone(),
            guides.clone(),
            departments.clone(),
            flows.clone(),
            store.clone(),
            gate.clone(),
        );
        let count = n / workers + usize::from(wk < n % workers);
        tasks.push(tokio::spawn(async move {
            let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ ((wk as u64 + 1) * 0x1000_0001));
            let ctx = Context::system("demo-cases");
            let mut written = 0;
            let mut batch = Vec::with_capacity(BATCH);
            // Beside each case of the batch: whether it ended and is to be rated.
            let mut ended: Vec<Option<super::ratings::Ended>> = Vec::with_capacity(BATCH);
            let mut to_rate: Vec<super::ratings::Ended> = Vec::new();
            let import =
                async |batch,
                       ended: Vec<Option<super::ratings::Ended>>,
                       to_rate: &mut Vec<super::ratings::Ended>| {
                    let _turn = gate
                        .acquire()
                        .await
                        .map_err(|e| StoreError::Config(e.to_string()))?;
                    let ids = store.import_cases(&ctx, batch).await?;
                    to_rate.extend(ids.iter().zip(ended).filter_map(|(id, e)| {
                        e.map(|e| super::ratings::Ended { case_id: *id, ..e })
                    }));
                    Ok::<usize, StoreError>(ids.len())
                };
            for _ in 0..count {
                let g = r.pick(&guides);
                // A working day in the last twelve months (the calendar knows them all). An
                // open case is mostly within its promised limit; some 7% are past it.
                let day = if open_only {
                    let limit = g.guide.promised_days.max(1) as u64;
                    let age = if r.chance(93) {
                        r.below(limit + 1)
                    } else {
                        limit + 1 + r.below(15)
                    };
                    workdays_back(&world.cal, today, age as i64)
                } else {
                    workdays_back(
                        &world.cal,
                        today - chrono::Duration::days(r.below(365) as i64),
                        0,
                    )
                };
                if day.year() < 2004 {
                    continue;
                }
                let region = departments
                    .iter()
                    .find(|d| d.id == g.department_id)
                    .map_or(0, |d| d.region_id);
                let flow = flows
                    .get(&g.matter_id)
                    .cloned()
                    .unwrap_or_else(|| Workflow::default_for(g.guide.promised_days));
                let mut st = one(&world, &mut r, g, region, &flow, day, today, open_only).await?;
                for s in &mut st.d.steps {
                    s.id = 0;
                }
                let c = &st.d.case;
                ended.push(
                    (matches!(c.state, CaseState::Concluded | CaseState::Delivered)
                        && r.chance(super::ratings::RATED_PERCENT))
                    .then(|| super::ratings::Ended {
                        case_id: 0,
                        name: c.applicant.name.clone(),
                        phone: c.applicant.phone.clone(),
                        ended_on: c.concluded_on.unwrap_or(day),
                    }),
                );
                batch.push((st.d, st.events));
                if batch.len() == BATCH {
                    written += import(
                        std::mem::take(&mut batch),
                        std::mem::take(&mut ended),
                        &mut to_rate,
                    )
                    .await?;
                }
            }
            written += import(batch, ended, &mut to_rate).await?;
            Ok::<(usize, Vec<super::ratings::Ended>), StoreError>((written, to_rate))
        }));
    }
    let mut total = 0;
    let mut to_rate = Vec::new();
    for t in tasks {
        let (n, ended) = t.await.map_err(|e| StoreError::Config(e.to_string()))??;
        total += n;
        to_rate.extend(ended);
    }
    // Rated once every case is written, one after another: a rating counts in the same rollup
    // rows as the cases of its day, which concurrent imports would lock in another order.
    to_rate.truncate(MAX_RATED);
    let mut r = Rng(0x5851_F42D_4C95_7F2D ^ n as u64);
    super::ratings::rate(store.as_ref(), &world.cal, &world.rules, to_rate, &mut r).await?;
    Ok(total)
}
