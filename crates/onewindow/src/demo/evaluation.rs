//! The demo district's evaluation desk: the 40 enterprise supervisors of the seeds (监督员, one
//! from each of 40 enterprises), each with a contact point, a few of their reports in every
//! state, and complaints from the hotline and the web at each step. Written once: a second run
//! finds the supervisors and leaves everything as it is. Each write is one audit entry and counts
//! once in the report.

use super::Report;
use chrono::{Duration, Utc};
use onewindow_core::audit::Context;
use onewindow_core::calendar::Calendar;
use onewindow_core::evaluation::complaint::{self, NewComplaint};
use onewindow_core::evaluation::supervisor::{NewReport, NewSupervisor, ReportAction};
use onewindow_core::time::local_date;
use onewindow_core::validate::uscc;
use onewindow_store::{NewComplaintRecord, ScopeFilter, Store, StoreError};

const TRADES: [&str; 8] = [
    "铜业", "钼业", "锌业", "船舶", "化工", "泳装", "商贸", "物流",
];
const PLACES: [&str; 5] = ["宏跃", "龙湾", "连湾", "双树", "北港"];
const SURNAMES: [&str; 10] = ["赵", "钱", "孙", "李", "周", "吴", "郑", "王", "冯", "陈"];

pub async fn seed(store: &dyn Store, ctx: &Context, report: &mut Report) -> Result<(), StoreError> {
    if !store.supervisors(&ScopeFilter::all()).await?.is_empty() {
        report.kept += 1;
        return Ok(());
    }
    let departments = store.departments(&ScopeFilter::all()).await?;
    if departments.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let today = local_date(now);
    let mut supervisors = Vec::new();
    for i in 0..40usize {
        let d = &departments[i % departments.len()];
        let s = NewSupervisor {
            name: format!("{}经理", SURNAMES[i % SURNAMES.len()]),
            phone: format!("1390429{:04}", 2000 + i),
            enterprise: format!(
                "葫芦岛{}{}有限公司",
                PLACES[i % PLACES.len()],
                TRADES[i % TRADES.len()]
            ),
            uscc: uscc::build('9', '1', "211403", &format!("MA{:06}", 2000 + i)),
            department_id: Some(d.id),
            hall_id: None,
            user_id: None,
            appointed_on: today - Duration::days(300),
            term_until: Some(today + Duration::days(430)),
        }
        .clean()?;
        supervisors.push(store.appoint_supervisor(ctx, s, d.region_id, now).await?);
        report.created += 1;
    }
    // Three reports: one answered by its department, one referred, one awaiting the office.
    let reports = [
        (
            "visit",
            "区政务服务中心一楼综合窗口",
            "午间只开一个窗口，排队二十余人",
            Some("午间错峰轮岗"),
        ),
        (
            "inspection",
            "不动产登记窗口",
            "窗口要求提供清单外的材料复印件",
            None,
        ),
        (
            "suggestion",
            "企业走访",
            "希望施工许可与规划许可并联办理再提速",
            Some("推行容缺受理"),
        ),
    ];
    for (i, (kind, place, findings, suggestions)) in reports.into_iter().enumerate() {
        let s = &supervisors[i];
        let (kind, r) = NewReport {
            kind: kind.into(),
            visited_on: today - Duration::days(20 - 5 * i as i64),
            place: place.into(),
            department_id: s.department_id,
            findings: findings.into(),
            suggestions: suggestions.map(str::to_string),
        }
        .clean(today)?;
        let r = store.file_report(ctx, s, kind, r, now).await?;
        report.created += 1;
        if i < 2 {
            let Some(dept) = s.department_id else {
                continue;
            };
            let r = store
                .act_on_report(
                    ctx,
                    r.id,
                    r.version,
                    ReportAction::Refer {
                        department_id: dept,
                    },
                    now,
                )
                .await?;
            report.created += 1;
            if i == 0 {
                store
                    .act_on_report(
                        ctx,
                        r.id,
                        r.version,
                        ReportAction::Resolve {
                            outcome: "午间实行错峰轮岗，综合窗口增至三个".into(),
                        },
                        now,
                    )
                    .await?;
                report.created += 1;
            }
        }
    }
    // Complaints at each step.
    let cal = Calendar::new(&store.calendar_years().await?);
    let due = |days: i64| cal.add_workdays(today, days).unwrap_or(today);
    let lodged = [
        ("hotline", "李女士", "办理营业执照被要求补交清单外材料"),
        ("web", "张先生", "网上预约后到现场仍需重新取号"),
        ("letter", "王先生", "窗口人员办理时接听私人电话"),
    ];
    for (i, (source, name, subject)) in lodged.into_iter().enumerate() {
        let d = &departments[i % departments.len()];
        let c = NewComplaint {
            source: source.into(),
            complainant_name: name.into(),
            complainant_phone: format!("1390429{:04}", 3000 + i),
            department_id: Some(d.id),
            case_number: None,
            subject: subject.into(),
            content: format!("{subject}，请核实处理。"),
        }
        .clean()?;
        let c = store
            .lodge_complaint(
                ctx,
                NewComplaintRecord {
                    complaint: c,
                    region_id: d.region_id,
                    case_id: None,
                    complainant_id: None,
                    accept_due: due(2),
                    at: now,
                },
            )
            .await?;
        report.created += 1;
        if i == 2 {
            continue;
        }
        let c = store
            .act_on_complaint(
                ctx,
                c.id,
                c.version,
                complaint::Action::Accept {
                    department_id: d.id,
                },
                Some(due(10)),
                now,
            )
            .await?;
        report.created += 1;
        if i == 0 {
            let c = store
                .act_on_complaint(
                    ctx,
                    c.id,
                    c.version,
                    complaint::Action::Answer {
                        reply: "经核实，窗口人员要求不当，已批评教育并一次性告知所需材料".into(),
                    },
                    None,
                    now,
                )
                .await?;
            report.created += 1;
            store
                .act_on_complaint(
                    ctx,
                    c.id,
                    c.version,
                    complaint::Action::Close {
                        satisfaction: 5,
                        note: Some("投诉人表示满意".into()),
                    },
                    None,
                    now,
                )
                .await?;
            report.created += 1;
        }
    }
    Ok(())
}
