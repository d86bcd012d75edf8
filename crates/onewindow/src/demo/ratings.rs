//! Ratings in the generated history (好差评, 一事一评): most ended cases are rated online soon
//! after they end, in the shares a district sees (most 非常满意, a few bad ones), and each bad
//! rating's rectification has gone as far as the time since allows: verified, rectified or
//! explained, the rater called back and rating again. Written through the store's own rating
//! and rectification calls, so the figures, the public page and the rectification desk count
//! them as they count any other.

use super::cases::{Rng, at};
use chrono::{NaiveDate, Utc};
use onewindow_core::audit::Context;
use onewindow_core::calendar::Calendar;
use onewindow_core::case::rules::Rules;
use onewindow_core::evaluation::rating::{Channel, Given, Kind};
use onewindow_core::evaluation::rectification::{self, Action};
use onewindow_store::{NewRating, Rater, RatingTarget, RectifyPlan, Store, StoreError};

/// What a generated case tells its rating: who applied and the day it ended.
pub struct Ended {
    pub case_id: i64,
    pub name: String,
    pub phone: String,
    pub ended_on: NaiveDate,
}

/// The share of ended cases rated online, in percent.
pub const RATED_PERCENT: u64 = 60;

/// A level in a district's usual shares: 非常满意 76%, 满意 15%, 基本满意 5%, 不满意 3%,
/// 非常不满意 1%.
fn level(r: &mut Rng) -> i64 {
    match r.below(100) {
        0..=75 => 5,
        76..=90 => 4,
        91..=95 => 3,
        96..=98 => 2,
        _ => 1,
    }
}

const COMMENTS: &[&str] = &[
    "窗口人员热情周到，一次办好",
    "网上申请很方便，不用跑腿",
    "办理速度快，比承诺时间提前",
    "材料清单清楚，一次性告知",
];
const REASONS: &[&str] = &[
    "等候时间太长，叫号慢",
    "材料要求反复变化，跑了两趟",
    "窗口人员态度生硬",
    "网上申请页面多次提交失败",
];

/// Rates `ended` cases (the caller has picked them), each in its own transaction; returns how
/// many ratings were written. A rating whose moment would be in the future is left out.
pub async fn rate(
    store: &dyn Store,
    cal: &Calendar,
    rules: &Rules,
    ended: Vec<Ended>,
    r: &mut Rng,
) -> Result<usize, StoreError> {
    let ctx = Context::system("demo-cases");
    let now = Utc::now();
    let mut n = 0;
    for e in ended {
        let day = cal
            .add_workdays(e.ended_on, r.below(3) as i64)
            .unwrap_or(e.ended_on);
        let when = at(day, r);
        if when > now {
            continue;
        }
        let level = level(r);
        let bad = level <= 2;
        let given = Given {
            level,
            scores: Default::default(),
            comment: (!bad && r.chance(30)).then(|| r.pick(COMMENTS).to_string()),
            reason: bad.then(|| r.pick(REASONS).to_string()),
        }
        .clean(Channel::Web.setting())
        .map_err(|e| {
            StoreError::Config(format!(
                "a generated rating: {}",
                e.message(onewindow_core::Lang::Zh)
            ))
        })?;
        let plan = if bad {
            let (due_on, lights) = rectification::deadline(
                cal,
                day,
                rules.evaluation.rectify_days,
                rules.light_rule(),
            )
            .map_err(|e| StoreError::Config(e.text().zh.into_owned()))?;
            Some(RectifyPlan {
                due_on,
                yellow_on: lights.yellow_from,
                red_on: lights.red_from,
            })
        } else {
            None
        };
        let rated = store
            .rate(
                &ctx,
                NewRating {
                    kind: Kind::Service,
                    channel: Channel::Web,
                    given,
                    target: RatingTarget::Case(e.case_id),
                    link_hash: None,
                    rater: Rater {
                        user_id: None,
                        name: Some(e.name),
                        phone: Some(e.phone),
                        email: None,
                    },
                    plan,
                    at: when,
                },
            )
            .await?;
        n += 1;
        if let Some(rec) = rated.rectification {
            rectify(store, &ctx, cal, rec.id, rec.version, day, r).await?;
        }
    }
    Ok(n)
}

/// A bad rating's rectification, as far as the days since allow: verified (founded two times in
/// three), rectified or explained, the rater called back and rating again.
async fn rectify(
    store: &dyn Store,
    ctx: &Context,
    cal: &Calendar,
    id: i64,
    mut version: i64,
    mut day: NaiveDate,
    r: &mut Rng,
) -> Result<(), StoreError> {
    let founded = r.chance(65);
    let steps = [
        Action::Verify {
            finding: if founded {
                "经调阅监控和办件记录，情况属实".into()
            } else {
                "经核实，申请材料不符合法定条件，窗口依法告知".into()
            },
            founded,
        },
        if founded {
            Action::Rectify {
                measures: "已约谈窗口负责人，优化叫号和一次性告知流程，并对相关人员批评教育".into(),
            }
        } else {
            Action::Explain {
                explanation: "已向申请人说明法定条件和补正途径".into(),
            }
        },
        Action::CallBack {
            reached: true,
            note: "电话回访，申请人认可处理结果".into(),
        },
        Action::ReEvaluate {
            level: if r.chance(80) { 5 } else { 4 },
            comment: None,
        },
    ];
    let now = Utc::now();
    for a in steps {
        day = cal.add_workdays(day, 1 + r.below(3) as i64).unwrap_or(day);
        let when = at(day, r);
        if when > now {
            break;
        }
        version = store
            .act_on_rectification(ctx, id, version, a, when)
            .await?
            .version;
    }
    Ok(())
}
