//! Cases: numbering and writing new ones, writing what an action did under the version check,
//! reading dossiers and lists, files, review flows and the outbox.

use super::case_rows::*;
use super::{SqlStore, changed_columns, next_seq, scope_where, versioned_update};
use crate::CaseStore;
use crate::backend::{Arg, Backend, Sql, multi_row, now, placeholders, sql};
use crate::error::{Result, StoreError};
use crate::group::{GroupTx, Later};
use crate::model::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::Text;
use onewindow_core::audit::{Change, Context};
use onewindow_core::case::machine::{Outcome, received_notices};
use onewindow_core::case::workflow::Workflow;
use onewindow_core::case::{
    Case, CaseEvent, CaseState, CaseStep, Dossier, Notice, Pause, Supplement, number,
};
use onewindow_core::time::local_date;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

static CASE_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO cases ({}) VALUES ({}) RETURNING id",
        CASE_COLS.join(", "),
        placeholders(1, CASE_COLS.len())
    )
});

/// `case_steps (case_id, stage, …)`: where `Later` writes new steps.
static STEP_INTO: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("case_steps (case_id, {})", STEP_WRITE_COLS.join(", ")));

/// Takes `n` numbers of each (counter, day) at once; the first of each.
async fn take_numbers<B: Backend>(
    tx: &mut B::Tx,
    wanted: &BTreeMap<(String, NaiveDate), i64>,
) -> Result<BTreeMap<(String, NaiveDate), i64>> {
    let rows = wanted
        .iter()
        .map(|((key, day), n)| vec![key.into(), (*day).into(), (*n).into()])
        .collect();
    let mut first = BTreeMap::new();
    for q in multi_row::<B>(
        "INSERT INTO counters (key, day, last)",
        "ON CONFLICT (key, day) DO UPDATE SET last = counters.last + excluded.last
         RETURNING key, day, last",
        rows,
    ) {
        let taken: Vec<(String, NaiveDate, i64)> = B::all(tx, q).await?;
        for (key, day, last) in taken {
            let n = wanted.get(&(key.clone(), day)).copied().unwrap_or(0);
            first.insert((key, day), last - n + 1);
        }
    }
    Ok(first)
}

/// Inserts new cases in multi-row statements; their ids by number.
async fn insert_cases<'a, B: Backend>(
    tx: &mut B::Tx,
    cases: impl Iterator<Item = &'a Case>,
) -> Result<HashMap<String, i64>> {
    let rows = cases.map(|c| bind_case(sql(""), c).args).collect();
    let head = format!("INSERT INTO cases ({})", CASE_COLS.join(", "));
    let mut ids = HashMap::new();
    for q in multi_row::<B>(&head, "RETURNING id, number", rows) {
        let rows: Vec<(i64, String)> = B::all(tx, q).await?;
        ids.extend(rows.into_iter().map(|(id, number)| (number, id)));
    }
    Ok(ids)
}

async fn insert_case<B: Backend>(tx: &mut B::Tx, c: &Case) -> Result<i64> {
    let q = sql(CASE_INSERT.as_str());
    let (id,): (i64,) = B::opt(tx, bind_case(q, c))
        .await?
        .ok_or_else(|| StoreError::Database("insert returned no id".into()))?;
    Ok(id)
}

/// Writes the columns the action changed, checking the version `before` was read at. Only those:
/// every index over a column named in `SET` is rewritten, changed or not, and a case row has
/// a dozen (on SQLite, where the one committing task pays for each, that was most of an
/// action's time: docs/BENCHMARKS.md).
async fn update_case<B: Backend>(tx: &mut B::Tx, after: &Case, before: &Case) -> Result<()> {
    let set = changed_columns(
        CASE_COLS,
        bind_case(sql(""), after).args,
        bind_case(sql(""), before).args,
    );
    versioned_update::<B>(
        tx,
        "cases",
        Text::fixed("办件", "case"),
        after.id,
        before.version,
        set,
    )
    .await
}

/// A new row of `into` (a table and its columns) with its arguments; its id.
async fn insert_returning_id<B: Backend>(
    tx: &mut B::Tx,
    into: &str,
    args: Vec<Arg>,
) -> Result<i64> {
    let q = sql(format!(
        "INSERT INTO {into} VALUES ({}) RETURNING id",
        placeholders(1, args.len())
    ))
    .with_args(args);
    let (id,): (i64,) = B::opt(tx, q)
        .await?
        .ok_or_else(|| StoreError::Database("insert returned no id".into()))?;
    Ok(id)
}

fn step_row(case_id: i64, s: &CaseStep) -> Vec<Arg> {
    bind_step(sql("").bind(case_id), s).args
}

const PAUSE_INTO: &str = "case_pauses (case_id, procedure, reason, expected_days, started_on, started_at, ended_on, ended_at, workdays, result)";

fn pause_row(case_id: i64, p: &Pause) -> Vec<Arg> {
    vec![
        case_id.into(),
        p.procedure.clone().into(),
        p.reason.clone().into(),
        p.expected_days.into(),
        p.started_on.into(),
        p.started_at.into(),
        p.ended_on.into(),
        p.ended_at.into(),
        p.workdays.into(),
        p.result.clone().into(),
    ]
}

const SUPPLEMENT_INTO: &str =
    "case_supplements (case_id, items, requested_at, requested_by, completed_at, completed_on)";

fn supplement_row(case_id: i64, s: &Supplement) -> Vec<Arg> {
    vec![
        case_id.into(),
        items_json(&s.items).into(),
        s.requested_at.into(),
        s.requested_by.clone().into(),
        s.completed_at.into(),
        s.completed_on.into(),
    ]
}

const LICENCE_USE_INTO: &str =
    "licence_uses (licence_id, case_id, material, department_id, used_at)";

/// The licences standing for a new case's materials (电子证照·免提交): a row each for the figures,
/// and an entry in each licence's trail naming the case.
fn record_licence_uses(later: &mut Later, ctx: &Context, c: &Case) {
    for m in &c.materials {
        let Some(u) = &m.licence else { continue };
        later.insert(
            LICENCE_USE_INTO,
            vec![
                u.licence_id.into(),
                c.id.into(),
                m.name.clone().into(),
                c.department_id.into(),
                c.submitted_at.into(),
            ],
        );
        later.audit(
            ctx,
            Change {
                action: "licence.use".into(),
                target_type: "licence".into(),
                target_id: Some(u.licence_id),
                department_id: Some(c.department_id),
                region_id: Some(c.region_id),
                summary: json!({"after": {"number": u.number, "case": c.number,
                    "material": m.name, "consent_by": u.consent_by}}),
            },
        );
    }
}

const EVENT_INTO: &str =
    "case_events (case_id, at, action, actor_id, actor_name, state_after, note)";

fn event_row(case_id: i64, e: CaseEvent, actor_id: Option<i64>) -> Vec<Arg> {
    vec![
        case_id.into(),
        e.at.into(),
        e.action.into(),
        e.actor_id.or(actor_id).into(),
        e.actor_name.into(),
        e.state_after.code().into(),
        e.note.into(),
    ]
}

async fn write_steps<B: Backend>(
    tx: &mut B::Tx,
    case_id: i64,
    before: &Dossier,
    after: &mut Dossier,
) -> Result<()> {
    for s in after.steps.iter_mut() {
        if s.id == 0 {
            s.id = insert_returning_id::<B>(tx, &STEP_INTO, step_row(case_id, s)).await?;
        } else if let Some(b) = before.step(s.id)
            && b != s
        {
            // Only what changed, as for the case (`update_case`).
            let set = changed_columns(
                STEP_WRITE_COLS,
                bind_step(sql(""), s).args,
                bind_step(sql(""), b).args,
            );
            if set.args.is_empty() {
                continue;
            }
            let n = set.args.len();
            let mut q = set.bind(s.id).bind(case_id);
            q.text = format!(
                "UPDATE case_steps SET {} WHERE id = ${} AND case_id = ${}",
                q.text,
                n + 1,
                n + 2
            )
            .into();
            B::exec(tx, q).await?;
        }
    }
    Ok(())
}

async fn write_pauses<B: Backend>(
    tx: &mut B::Tx,
    case_id: i64,
    before: &Dossier,
    after: &mut Dossier,
) -> Result<()> {
    for p in after.pauses.iter_mut() {
        if p.id == 0 {
            p.id = insert_returning_id::<B>(tx, PAUSE_INTO, pause_row(case_id, p)).await?;
        } else if before.pauses.iter().find(|b| b.id == p.id) != Some(p) {
            B::exec(
                tx,
                sql("UPDATE case_pauses SET ended_on = $1, ended_at = $2, workdays = $3, result = $4 WHERE id = $5 AND case_id = $6")
                    .bind(p.ended_on)
                    .bind(p.ended_at)
                    .bind(p.workdays)
                    .bind(p.result.clone())
                    .bind(p.id)
                    .bind(case_id),
            )
            .await?;
        }
    }
    Ok(())
}

async fn write_supplements<B: Backend>(
    tx: &mut B::Tx,
    case_id: i64,
    before: &Dossier,
    after: &mut Dossier,
) -> Result<()> {
    for s in after.supplements.iter_mut() {
        if s.id == 0 {
            s.id =
                insert_returning_id::<B>(tx, SUPPLEMENT_INTO, supplement_row(case_id, s)).await?;
        } else if before.supplements.iter().find(|b| b.id == s.id) != Some(s) {
            B::exec(
                tx,
                sql("UPDATE case_supplements SET completed_at = $1, completed_on = $2 WHERE id = $3 AND case_id = $4")
                    .bind(s.completed_at)
                    .bind(s.completed_on)
                    .bind(s.id)
                    .bind(case_id),
            )
            .await?;
        }
    }
    Ok(())
}

/// The history line of an action, written with the group (nothing reads it back meanwhile).
fn insert_event(later: &mut Later, ctx: &Context, c: &Case, action: &str, note: Option<&str>) {
    let e = CaseEvent::of(c, action, &ctx.actor_name, note);
    later.insert(EVENT_INTO, event_row(c.id, e, ctx.actor_id));
}

/// The notices of an action, queued in the outbox with the group.
fn insert_notices(later: &mut Later, case_id: i64, notices: &[Notice]) {
    let at = now();
    for n in notices {
        later.insert(
            "outbox (case_id, channel, recipient, subject, body, status, attempts, next_at, created_at)",
            vec![
                case_id.into(),
                n.kind.code().into(),
                n.recipient.clone().into(),
                n.subject.clone().into(),
                n.body.clone().into(),
                "pending".into(),
                0i64.into(),
                at.into(),
                at.into(),
            ],
        );
    }
}

fn case_change(c: &Case, action: &str, summary: serde_json::Value) -> Change {
    Change {
        action: format!("case.{action}"),
        target_type: "case".into(),
        target_id: Some(c.id),
        department_id: Some(c.department_id),
        region_id: Some(c.region_id),
        summary,
    }
}

/// Records a bundle as concluded once every member case is.
async fn conclude_bundle<B: Backend>(
    tx: &mut B::Tx,
    bundle_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    let states: Vec<(String,)> = B::all(
        tx,
        sql("SELECT state FROM cases WHERE bundle_id = $1").bind(bundle_id),
    )
    .await?;
    let all_done = states
        .iter()
        .all(|(s,)| CaseState::parse(s).is_some_and(CaseState::is_concluded));
    if all_done {
        B::exec(
            tx,
            sql("UPDATE case_bundles SET concluded_at = $1 WHERE id = $2 AND concluded_at IS NULL")
                .bind(at)
                .bind(bundle_id),
        )
        .await?;
    }
    Ok(())
}

/// The notices an action issues, to be numbered from their series (文号) when the group writes
/// (`number_documents`): the audit entry at `audit` gets their numbers.
fn plan_documents(
    later: &mut crate::group::Later,
    after: &Case,
    kind: onewindow_core::case::ActionKind,
    audit: usize,
) {
    use onewindow_core::case::documents;
    let kinds = documents::issued(kind, after);
    let at = after.updated_at;
    let year = chrono::Datelike::year(&local_date(at));
    for k in kinds {
        later.document(crate::group::PendingDocument {
            case_id: after.id,
            kind: k,
            department_id: after.department_id,
            year,
            at,
            audit,
        });
    }
}

/// Numbers the group's notices, each from its series per department, year and kind, and records
/// them, just before the group commits: the series are taken in key order (two groups never wait
/// on each other in a circle) and each once for all of its notices, and held only to the commit.
/// A rolled-back group gives its numbers back, so a series never skips. Each number goes into
/// its action's audit entry (`after.documents`).
pub(crate) async fn number_documents<B: Backend>(
    tx: &mut B::Tx,
    docs: Vec<crate::group::PendingDocument>,
    audit: &mut [crate::sql::audit::Pending],
) -> Result<()> {
    use onewindow_core::case::documents;
    let mut series: std::collections::BTreeMap<(i64, i32, &'static str), Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        series
            .entry((d.department_id, d.year, d.kind.code()))
            .or_default()
            .push(i);
    }
    if docs.is_empty() {
        return Ok(());
    }
    // The departments' short names (e.g. 龙住建), read once for the group.
    let prefixes: std::collections::BTreeMap<String, String> = B::opt::<(String,)>(
        tx,
        sql("SELECT value FROM settings WHERE key = $1").bind(documents::PREFIXES_KEY),
    )
    .await?
    .and_then(|(v,)| serde_json::from_str(&v).ok())
    .unwrap_or_default();
    let mut prefix_of = std::collections::HashMap::new();
    let mut numbers: Vec<Option<(i64, String)>> = vec![None; docs.len()];
    for ((department_id, year, code), members) in series {
        let prefix = match prefix_of.get(&department_id) {
            Some(p) => String::clone(p),
            None => {
                let name: Option<(String,)> = B::opt(
                    tx,
                    sql("SELECT name FROM departments WHERE id = $1").bind(department_id),
                )
                .await?;
                let p = documents::prefix(
                    &prefixes,
                    department_id,
                    &name.map(|n| n.0).unwrap_or_default(),
                );
                prefix_of.insert(department_id, p.clone());
                p
            }
        };
        let n = members.len() as i64;
        let last: Option<(i64,)> = B::opt(
            tx,
            sql("INSERT INTO document_series (department_id, year, kind, last) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (department_id, year, kind) DO UPDATE SET last = document_series.last + $4
                 RETURNING last")
            .bind(department_id)
            .bind(i64::from(year))
            .bind(code)
            .bind(n),
        )
        .await?;
        let (last,) = last.ok_or_else(|| StoreError::Database("no document number".into()))?;
        for (j, i) in members.into_iter().enumerate() {
            let seq = last - n + 1 + j as i64;
            let d = &docs[i];
            numbers[i] = Some((seq, documents::number(&prefix, d.kind, d.year, seq)));
        }
    }
    let mut rows = Vec::with_capacity(docs.len());
    for (d, numbered) in docs.iter().zip(numbers) {
        let Some((seq, number)) = numbered else {
            continue;
        };
        if let Some(after) = audit
            .get_mut(d.audit)
            .and_then(|p| p.change.summary.get_mut("after"))
            .and_then(|a| a.as_object_mut())
        {
            let list = after
                .entry("documents")
                .or_insert_with(|| serde_json::Value::Array(Vec::new()));
            if let Some(list) = list.as_array_mut() {
                list.push(number.clone().into());
            }
        }
        rows.push(vec![
            Arg::from(d.case_id),
            Arg::from(d.kind.code()),
            Arg::from(number),
            Arg::from(d.department_id),
            Arg::from(i64::from(d.year)),
            Arg::from(seq),
            Arg::from(d.at),
        ]);
    }
    for q in multi_row::<B>(
        "INSERT INTO case_documents (case_id, kind, number, department_id, year, seq, issued_at)",
        "",
        rows,
    ) {
        B::exec(tx, q).await?;
    }
    Ok(())
}

/// Everything one action writes, inside the caller's transaction.
pub(crate) async fn write_outcome<B: Backend>(
    g: &mut GroupTx<B>,
    ctx: &Context,
    before: &Dossier,
    outcome: &Outcome,
) -> Result<Dossier> {
    let tx = &mut g.tx;
    let mut after = outcome.after.clone();
    let id = before.case.id;
    super::supervision::track_running(&mut g.later.tallies, Some(&before.case), Some(&after.case));
    super::figures::track_case(&mut g.later.tallies, Some(&before.case), Some(&after.case));
    update_case::<B>(tx, &after.case, &before.case).await?;
    after.case.version = before.case.version + 1;
    write_steps::<B>(tx, id, before, &mut after).await?;
    write_pauses::<B>(tx, id, before, &mut after).await?;
    write_supplements::<B>(tx, id, before, &mut after).await?;
    let code = outcome.kind.code();
    insert_event(
        &mut g.later,
        ctx,
        &after.case,
        code,
        outcome.note.as_deref(),
    );
    insert_notices(&mut g.later, id, &outcome.notices);
    g.later.audit(
        ctx,
        case_change(
            &after.case,
            code,
            json!({
                "number": after.case.number,
                "before": {"state": before.case.state.code()},
                "after": {"state": after.case.state.code(), "note": outcome.note,
                          "documents": []},
            }),
        ),
    );
    let entry = g.later.audit_len() - 1;
    plan_documents(&mut g.later, &after.case, outcome.kind, entry);
    if let Some(b) = after.case.bundle_id
        && after.case.state.is_concluded()
        && !before.case.state.is_concluded()
    {
        conclude_bundle::<B>(&mut g.tx, b, after.case.updated_at).await?;
    }
    Ok(after)
}

async fn insert_file<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    case_id: Option<i64>,
    bundle_id: Option<i64>,
    f: &NewFile,
) -> Result<CaseFile> {
    let at = now();
    let (id,): (i64,) = B::opt(
        tx,
        sql("INSERT INTO case_files (case_id, bundle_id, material, file_name, content_type, size, sha256, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(case_id)
        .bind(bundle_id)
        .bind(f.material.clone())
        .bind(f.file_name.clone())
        .bind(f.content_type.clone())
        .bind(f.size)
        .bind(f.sha256.clone())
        .bind(ctx.actor_id)
        .bind(at),
    )
    .await?
    .ok_or_else(|| StoreError::Database("insert returned no id".into()))?;
    Ok(CaseFile {
        id,
        case_id,
        bundle_id,
        material: f.material.clone(),
        file_name: f.file_name.clone(),
        content_type: f.content_type.clone(),
        size: f.size,
        sha256: f.sha256.clone(),
        uploaded_by: ctx.actor_id,
        uploaded_at: at,
    })
}

async fn create<B: Backend>(
    g: &mut GroupTx<B>,
    ctx: &Context,
    grouping: Grouping,
    cases: Vec<Dossier>,
    files: Vec<NewFile>,
) -> Result<Created> {
    let GroupTx { tx, later } = g;
    let first_at = cases.first().map_or_else(now, |d| d.case.submitted_at);
    let day = local_date(first_at);
    let mut created = Created {
        case_ids: Vec::new(),
        numbers: Vec::new(),
        group_id: None,
        group_number: None,
    };
    let (mut batch_id, mut bundle_id) = (None, None);
    match &grouping {
        Grouping::Single => {}
        Grouping::Batch { matter_id, title } => {
            let n = number::batch_number(day, next_seq::<B>(tx, "batch", day).await?);
            let (id,): (i64,) = B::opt(
                tx,
                sql("INSERT INTO case_batches (number, matter_id, title, size, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .bind(n.clone())
                .bind(*matter_id)
                .bind(title.clone())
                .bind(cases.len() as i64)
                .bind(ctx.actor_id)
                .bind(first_at),
            )
            .await?
            .ok_or_else(|| StoreError::Database("insert returned no id".into()))?;
            batch_id = Some(id);
            created.group_id = Some(id);
            created.group_number = Some(n);
        }
        Grouping::Bundle {
            topic_id,
            topic_name,
            applicant_name,
            applicant_id_number,
        } => {
            let n = number::bundle_number(day, next_seq::<B>(tx, "bundle", day).await?);
            let (id,): (i64,) = B::opt(
                tx,
                sql("INSERT INTO case_bundles (number, topic_id, topic_name, applicant_name, applicant_id_number, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(n.clone())
                .bind(*topic_id)
                .bind(topic_name.clone())
                .bind(applicant_name.clone())
                .bind(applicant_id_number.clone())
                .bind(ctx.actor_id)
                .bind(first_at),
            )
            .await?
            .ok_or_else(|| StoreError::Database("insert returned no id".into()))?;
            bundle_id = Some(id);
            created.group_id = Some(id);
            created.group_number = Some(n);
        }
    }
    for mut d in cases {
        let c = &mut d.case;
        let day = local_date(c.submitted_at);
        let key = number::counter_key("case", Some(c.department_id));
        c.number = number::case_number(c.department_id, day, next_seq::<B>(tx, &key, day).await?);
        c.batch_id = batch_id.or(c.batch_id);
        c.bundle_id = bundle_id.or(c.bundle_id);
        c.version = 1;
        c.id = insert_case::<B>(tx, c).await?;
        super::supervision::track_running(&mut later.tallies, None, Some(c));
        super::figures::track_case(&mut later.tallies, None, Some(c));
        let before = Dossier {
            case: d.case.clone(),
            steps: Vec::new(),
            pauses: Vec::new(),
            supplements: Vec::new(),
        };
        let id = d.case.id;
        write_steps::<B>(tx, id, &before, &mut d).await?;
        record_licence_uses(later, ctx, &d.case);
        insert_event(later, ctx, &d.case, "submit", d.case.note.as_deref());
        insert_notices(later, id, &received_notices(&d));
        later.audit(
            ctx,
            case_change(
                &d.case,
                "submit",
                json!({"after": {
                    "number": d.case.number,
                    "matter": d.case.matter_code,
                    "channel": d.case.channel.code(),
                    "applicant": d.case.applicant.name,
                    "agency": d.case.agency.as_ref().map(|a| json!({"name": a.name, "authorization": a.authorization})),
                }}),
            ),
        );
        if bundle_id.is_none() {
            for f in &files {
                insert_file::<B>(tx, ctx, Some(id), None, f).await?;
            }
        }
        created.case_ids.push(id);
        created.numbers.push(d.case.number.clone());
    }
    if let Some(b) = bundle_id {
        for f in &files {
            insert_file::<B>(tx, ctx, None, Some(b), f).await?;
        }
    }
    Ok(created)
}

const FILE_COLS: &str = "id, case_id, bundle_id, material, file_name, content_type, size, sha256, uploaded_by, uploaded_at";

const EVENT_COLS: &str = "at, action, actor_name, actor_id, state_after, note";

/// The case row with its flags, steps, history and files (as JSON arrays) in one statement.
/// Built once per store (`SqlStore::case_record_sql`): every case page and action reads it.
pub(super) fn record_select<B: Backend>() -> String {
    let fields: Vec<&str> = EVENT_COLS.split(", ").collect();
    let events = B::json_rows(&fields, "case_events WHERE case_id = cases.id", "id");
    let fields: Vec<&str> = FILE_COLS.split(", ").collect();
    let files = B::json_rows(
        &fields,
        "case_files WHERE case_id = cases.id OR bundle_id = cases.bundle_id",
        "id",
    );
    let fields: Vec<&str> = STEP_COLS.split(", ").collect();
    let steps = B::json_rows(&fields, "case_steps WHERE case_id = cases.id", "stage, id");
    format!(
        "SELECT {}, {DOSSIER_FLAGS}, {events} AS events, {files} AS files, {steps} AS steps
         FROM cases WHERE id = $1",
        CASE_SELECT.as_str()
    )
}

#[derive(sqlx::FromRow)]
struct RecordHeadRow {
    #[sqlx(flatten)]
    head: DossierHeadRow,
    events: String,
    files: String,
    steps: String,
}

/// A history line as stored, read as a row or from the record's JSON.
#[derive(sqlx::FromRow, serde::Deserialize)]
struct EventRow {
    at: DateTime<Utc>,
    action: String,
    actor_name: String,
    actor_id: Option<i64>,
    state_after: String,
    note: Option<String>,
}

/// A JSON array the record query built (`Backend::json_rows`).
fn json_list<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<Vec<T>> {
    serde_json::from_str(text).map_err(|e| StoreError::Database(format!("case {what}: {e}")))
}

impl EventRow {
    fn into_event(self) -> CaseEvent {
        CaseEvent {
            at: self.at,
            action: self.action,
            actor_name: self.actor_name,
            actor_id: self.actor_id,
            state_after: CaseState::parse(&self.state_after).unwrap_or(CaseState::Submitted),
            note: self.note,
        }
    }
}

#[derive(sqlx::FromRow, serde::Deserialize)]
struct FileRow {
    id: i64,
    case_id: Option<i64>,
    bundle_id: Option<i64>,
    material: String,
    file_name: String,
    content_type: String,
    size: i64,
    sha256: String,
    uploaded_by: Option<i64>,
    uploaded_at: DateTime<Utc>,
}

impl From<FileRow> for CaseFile {
    fn from(r: FileRow) -> CaseFile {
        CaseFile {
            id: r.id,
            case_id: r.case_id,
            bundle_id: r.bundle_id,
            material: r.material,
            file_name: r.file_name,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            uploaded_by: r.uploaded_by,
            uploaded_at: r.uploaded_at,
        }
    }
}

const OUTBOX_COLS: &str = "id, case_id, channel, recipient, subject, body, status, attempts, next_at, last_error, created_at, sent_at";

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    case_id: Option<i64>,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    status: String,
    attempts: i64,
    next_at: DateTime<Utc>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl From<OutboxRow> for OutboxMessage {
    fn from(r: OutboxRow) -> OutboxMessage {
        OutboxMessage {
            id: r.id,
            case_id: r.case_id,
            channel: r.channel,
            recipient: r.recipient,
            subject: r.subject,
            body: r.body,
            status: r.status,
            attempts: r.attempts,
            next_at: r.next_at,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}

/// The WHERE clause (after `WHERE 1 = 1`) of a case list.
fn case_where(filter: &CaseFilter, q: Sql) -> Sql {
    let mut q = scope_where(q, &filter.scope, Some("department_id"), Some("region_id"));
    if let Some(u) = filter.owner_user_id {
        let q2 = Sql::and(q, "(applicant_user_id = $? OR agent_user_id = $?)", u);
        q = q2;
    }
    if !filter.states.is_empty() {
        let list = filter
            .states
            .iter()
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(", ");
        q.text = format!("{} AND state IN ({list})", q.text).into();
    }
    if let Some(m) = filter.matter_id {
        q = Sql::and(q, "matter_id = $?", m);
    }
    if let Some(b) = filter.bundle_id {
        q = Sql::and(q, "bundle_id = $?", b);
    }
    if let Some(b) = filter.batch_id {
        q = Sql::and(q, "batch_id = $?", b);
    }
    if let Some(id) = filter.id_below {
        q = Sql::and(q, "id < $?", id);
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let like = format!("%{}%", text.replace(['%', '_'], ""));
        q = Sql::and(q, "(number LIKE $? OR applicant_name LIKE $?)", like);
    }
    q
}

impl<B: Backend> SqlStore<B> {
    async fn steps_of(
        &self,
        case_ids: &[i64],
    ) -> Result<Vec<(i64, onewindow_core::case::CaseStep)>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = case_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<StepRow> = self
            .b
            .read_all(sql(format!(
                "SELECT {STEP_COLS} FROM case_steps WHERE case_id IN ({ids}) ORDER BY stage, id"
            )))
            .await?;
        rows.into_iter()
            .map(|r| {
                let case_id = r.case_id;
                r.into_step().map(|s| (case_id, s))
            })
            .collect()
    }
}

impl<B: Backend> SqlStore<B> {
    /// The rest of a dossier after its case row: only the child lists the case has.
    /// `steps`, when given, were read with the case.
    async fn dossier_of(
        &self,
        id: i64,
        row: DossierHeadRow,
        steps: Option<Vec<onewindow_core::case::CaseStep>>,
    ) -> Result<Dossier> {
        let case = row.case.into_case()?;
        let steps = if let Some(steps) = steps {
            steps
        } else if row.has_steps {
            self.steps_of(&[id])
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect()
        } else {
            Vec::new()
        };
        let pauses: Vec<PauseRow> = if row.has_pauses {
            self.b
                .read_all(
                    sql(format!(
                        "SELECT {PAUSE_COLS} FROM case_pauses WHERE case_id = $1 ORDER BY id"
                    ))
                    .bind(id),
                )
                .await?
        } else {
            Vec::new()
        };
        let supplements: Vec<SupplementRow> = if row.has_supplements {
            self.b
                .read_all(
                    sql(format!(
                        "SELECT {SUPPLEMENT_COLS} FROM case_supplements WHERE case_id = $1 ORDER BY id"
                    ))
                    .bind(id),
                )
                .await?
        } else {
            Vec::new()
        };
        Ok(Dossier {
            case,
            steps,
            pauses: pauses.into_iter().map(Into::into).collect(),
            supplements: supplements
                .into_iter()
                .map(SupplementRow::into_supplement)
                .collect::<Result<_>>()?,
        })
    }
}

#[async_trait]
impl<B: Backend> CaseStore for SqlStore<B> {
    async fn workflow(&self, matter_id: i64) -> Result<Option<Workflow>> {
        let row: Option<(String,)> = self
            .b
            .read_opt(
                sql("SELECT workflow FROM matter_workflows WHERE matter_id = $1").bind(matter_id),
            )
            .await?;
        row.map(|(w,)| {
            serde_json::from_str(&w).map_err(|_| {
                StoreError::Database(format!("unreadable workflow of matter {matter_id}"))
            })
        })
        .transpose()
    }

    async fn save_workflow(&self, ctx: &Context, matter_id: i64, workflow: Workflow) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let owner: Option<(i64, i64)> = B::opt(
            &mut tx,
            sql("SELECT m.department_id, d.region_id FROM matters m JOIN departments d ON d.id = m.department_id WHERE m.id = $1")
                .bind(matter_id),
        )
        .await?;
        let (dept, region) = owner
            .ok_or_else(|| onewindow_core::DomainError::not_found(Text::fixed("事项", "matter")))?;
        let before: Option<(String,)> = B::opt(
            &mut tx,
            sql("SELECT workflow FROM matter_workflows WHERE matter_id = $1").bind(matter_id),
        )
        .await?;
        let text = serde_json::to_string(&workflow).unwrap_or_default();
        B::exec(
            &mut tx,
            sql("INSERT INTO matter_workflows (matter_id, workflow, version, updated_at) VALUES ($1, $2, 1, $3)
                 ON CONFLICT (matter_id) DO UPDATE SET workflow = excluded.workflow,
                 version = matter_workflows.version + 1, updated_at = excluded.updated_at")
            .bind(matter_id)
            .bind(text.clone())
            .bind(now()),
        )
        .await?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "matter.workflow".into(),
                target_type: "matter".into(),
                target_id: Some(matter_id),
                department_id: Some(dept),
                region_id: Some(region),
                summary: json!({"before": before.map(|(b,)| b), "after": text}),
            },
        )
        .await?;
        B::commit(tx).await
    }

    async fn create_cases(
        &self,
        ctx: &Context,
        grouping: Grouping,
        cases: Vec<Dossier>,
        files: Vec<NewFile>,
    ) -> Result<Created> {
        let ctx = ctx.clone();
        self.group
            .write(move |tx| {
                let (ctx, grouping, cases, files) =
                    (ctx.clone(), grouping.clone(), cases.clone(), files.clone());
                Box::pin(async move { create::<B>(tx, &ctx, grouping, cases, files).await })
            })
            .await
    }

    async fn import_cases(
        &self,
        ctx: &Context,
        cases: Vec<(Dossier, Vec<CaseEvent>)>,
    ) -> Result<Vec<i64>> {
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        // Numbered in department and day order, so that transactions on several instances
        // take the counters' rows in one order; each day's numbers taken at once.
        let mut order: Vec<usize> = (0..cases.len()).collect();
        order.sort_by_key(|i| {
            let c = &cases[*i].0.case;
            (c.department_id, local_date(c.submitted_at))
        });
        let counter = |c: &Case| {
            (
                number::counter_key("case", Some(c.department_id)),
                local_date(c.submitted_at),
            )
        };
        let mut wanted: BTreeMap<(String, NaiveDate), i64> = BTreeMap::new();
        for c in &cases {
            *wanted.entry(counter(&c.0.case)).or_default() += 1;
        }
        let mut tx = self.b.begin().await?;
        let mut next = take_numbers::<B>(&mut tx, &wanted).await?;
        let mut slots: Vec<Option<(Dossier, Vec<CaseEvent>)>> =
            cases.into_iter().map(Some).collect();
        let mut numbered = Vec::with_capacity(slots.len());
        for i in order {
            let Some((mut d, events)) = slots[i].take() else {
                continue;
            };
            let (key, day) = counter(&d.case);
            let seq = next
                .get_mut(&(key, day))
                .ok_or_else(|| StoreError::Database("a day's numbers were not taken".into()))?;
            d.case.number = number::case_number(d.case.department_id, day, *seq);
            *seq += 1;
            d.case.version = 1;
            numbered.push((i, d, events));
        }
        let ids_by_number = insert_cases::<B>(&mut tx, numbered.iter().map(|n| &n.1.case)).await?;
        let mut ids = vec![0; numbered.len()];
        let mut later = Later::default();
        for (i, mut d, events) in numbered {
            let id = *ids_by_number
                .get(&d.case.number)
                .ok_or_else(|| StoreError::Database("an imported case got no id".into()))?;
            d.case.id = id;
            for st in &d.steps {
                later.insert(STEP_INTO.as_str(), step_row(id, st));
            }
            for p in &d.pauses {
                later.insert(PAUSE_INTO, pause_row(id, p));
            }
            for sp in &d.supplements {
                later.insert(SUPPLEMENT_INTO, supplement_row(id, sp));
            }
            for e in events {
                later.insert(EVENT_INTO, event_row(id, e, None));
            }
            super::supervision::track_running(&mut later.tallies, None, Some(&d.case));
            super::figures::track_case(&mut later.tallies, None, Some(&d.case));
            ids[i] = id;
        }
        later.audit(
            ctx,
            Change {
                action: "case.import".into(),
                target_type: "case".into(),
                target_id: None,
                department_id: None,
                region_id: None,
                summary: json!({"cases": ids.len(), "first_id": ids.iter().min(), "last_id": ids.iter().max()}),
            },
        );
        later.write::<B>(&mut tx).await?;
        B::commit(tx).await?;
        Ok(ids)
    }

    async fn dossier(&self, id: i64) -> Result<Option<Dossier>> {
        let row: Option<DossierHeadRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {}, {DOSSIER_FLAGS} FROM cases WHERE id = $1",
                    CASE_SELECT.as_str()
                ))
                .bind(id),
            )
            .await?;
        match row {
            Some(row) => Ok(Some(self.dossier_of(id, row, None).await?)),
            None => Ok(None),
        }
    }

    async fn case_record(&self, id: i64) -> Result<Option<CaseRecord>> {
        let row: Option<RecordHeadRow> = self
            .b
            .read_opt(sql(self.case_record_sql.clone()).bind(id))
            .await?;
        let Some(row) = row else { return Ok(None) };
        let events: Vec<EventRow> = json_list(&row.events, "history")?;
        let files: Vec<FileRow> = json_list(&row.files, "files")?;
        let steps = json_list::<StepRow>(&row.steps, "steps")?
            .into_iter()
            .map(StepRow::into_step)
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(CaseRecord {
            dossier: self.dossier_of(id, row.head, Some(steps)).await?,
            events: events.into_iter().map(EventRow::into_event).collect(),
            files: files.into_iter().map(Into::into).collect(),
        }))
    }

    async fn case_id_by_number(&self, number: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> = self
            .b
            .read_opt(sql("SELECT id FROM cases WHERE number = $1").bind(number))
            .await?;
        Ok(row.map(|r| r.0))
    }

    async fn commit_action(
        &self,
        ctx: &Context,
        before: Dossier,
        outcome: Outcome,
    ) -> Result<Dossier> {
        let item = Arc::new((ctx.clone(), before, outcome));
        self.group
            .write(move |tx| {
                let item = item.clone();
                Box::pin(async move {
                    let (ctx, before, outcome) = item.as_ref();
                    write_outcome::<B>(tx, ctx, before, outcome).await
                })
            })
            .await
    }

    async fn commit_actions(
        &self,
        ctx: &Context,
        items: Vec<(Dossier, Outcome)>,
    ) -> Result<Vec<Dossier>> {
        let all = Arc::new((ctx.clone(), items));
        self.group
            .write(move |tx| {
                let all = all.clone();
                Box::pin(async move {
                    let (ctx, items) = all.as_ref();
                    let mut out = Vec::with_capacity(items.len());
                    for (before, outcome) in items {
                        out.push(write_outcome::<B>(tx, ctx, before, outcome).await?);
                    }
                    Ok(out)
                })
            })
            .await
    }

    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>> {
        let q = case_where(
            filter,
            sql(format!(
                "SELECT {} FROM cases WHERE 1 = 1",
                CASE_SELECT.as_str()
            )),
        );
        let limit = if filter.limit <= 0 {
            100
        } else {
            filter.limit.min(5000)
        };
        // Newest application first: the order people read a list in. Cases are numbered as
        // they are written, which an import of history (or a copy between platforms) need not
        // do in the order they were made.
        let q = sql(format!(
            "{} ORDER BY submitted_at DESC, id DESC LIMIT {limit} OFFSET {}",
            q.text,
            filter.offset.max(0)
        ))
        .with_args(q.args);
        let rows: Vec<CaseRow> = self.b.read_all(q).await?;
        rows.into_iter().map(CaseRow::into_case).collect()
    }

    async fn count_cases(&self, filter: &CaseFilter) -> Result<i64> {
        let q = case_where(filter, sql("SELECT COUNT(*) FROM cases WHERE 1 = 1"));
        let (n,): (i64,) = self.b.read_opt(q).await?.unwrap_or((0,));
        Ok(n)
    }

    async fn set_clocks(&self, ctx: &Context, cases: &[(Case, Case)]) -> Result<usize> {
        if cases.is_empty() {
            return Ok(0);
        }
        let days = cases;
        let mut tx = self.b.begin().await?;
        let mut tallies = super::rollup::Tallies::default();
        for (before, after) in cases {
            B::exec(
                &mut tx,
                sql(
                    "UPDATE cases SET yellow_on = $1, red_on = $2, statutory_due = $3,
                         promised_due = $4, delivery_due = $5 WHERE id = $6",
                )
                .bind(after.yellow_on)
                .bind(after.red_on)
                .bind(after.statutory_due)
                .bind(after.promised_due)
                .bind(after.delivery_due)
                .bind(before.id),
            )
            .await?;
            super::supervision::track_running(&mut tallies, Some(before), Some(after));
            super::figures::track_case(&mut tallies, Some(before), Some(after));
        }
        tallies.write::<B>(&mut tx).await?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            onewindow_core::audit::Change {
                action: "case.relight".into(),
                target_type: "case".into(),
                target_id: None,
                department_id: None,
                region_id: None,
                summary: serde_json::json!({"cases": days.len()}),
            },
        )
        .await?;
        B::commit(tx).await?;
        Ok(days.len())
    }

    async fn case_documents(
        &self,
        case_id: i64,
    ) -> Result<Vec<onewindow_core::case::documents::Document>> {
        use onewindow_core::case::documents::{DocKind, Document};
        let rows: Vec<(String, String, DateTime<Utc>)> = self
            .b
            .read_all(
                sql(
                    "SELECT kind, number, issued_at FROM case_documents WHERE case_id = $1
                     ORDER BY issued_at, seq",
                )
                .bind(case_id),
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(k, number, issued_at)| {
                Some(Document {
                    kind: DocKind::parse(&k)?,
                    number,
                    issued_at,
                })
            })
            .collect())
    }

    async fn case_events(&self, case_id: i64) -> Result<Vec<CaseEvent>> {
        let rows: Vec<EventRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {EVENT_COLS} FROM case_events WHERE case_id = $1 ORDER BY id"
                ))
                .bind(case_id),
            )
            .await?;
        Ok(rows.into_iter().map(EventRow::into_event).collect())
    }

    async fn open_steps(
        &self,
        department_id: Option<i64>,
        assignee_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<StepItem>> {
        let mut q = sql("SELECT case_id FROM case_steps WHERE state = 'active'");
        if let Some(d) = department_id {
            q.text = format!("{} AND department_id = {}", q.text, q.next_placeholder()).into();
            q = q.bind(d);
        }
        if let Some(a) = assignee_id {
            q.text = format!("{} AND assignee_id = {}", q.text, q.next_placeholder()).into();
            q = q.bind(a);
        }
        q.text = format!("{} ORDER BY due, id LIMIT {}", q.text, limit.clamp(1, 1000)).into();
        let ids: Vec<(i64,)> = self.b.read_all(q).await?;
        let mut case_ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
        case_ids.dedup();
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = case_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<CaseRow> = self
            .b
            .read_all(sql(format!(
                "SELECT {} FROM cases WHERE id IN ({list})",
                case_select("")
            )))
            .await?;
        let cases: Vec<Case> = rows
            .into_iter()
            .map(CaseRow::into_case)
            .collect::<Result<_>>()?;
        let mut out = Vec::new();
        for (case_id, step) in self.steps_of(&case_ids).await? {
            let wanted = step.state == onewindow_core::case::StepState::Active
                && department_id.is_none_or(|d| step.department_id == d)
                && assignee_id.is_none_or(|a| step.assignee_id == Some(a));
            if let Some(case) = cases.iter().find(|c| c.id == case_id)
                && wanted
            {
                out.push(StepItem {
                    step,
                    case: case.clone(),
                });
            }
        }
        out.sort_by_key(|i| (i.step.due, i.step.id));
        Ok(out)
    }

    async fn add_files(
        &self,
        ctx: &Context,
        case_id: i64,
        files: Vec<NewFile>,
    ) -> Result<Vec<CaseFile>> {
        let upload = Arc::new((ctx.clone(), files));
        self.group
            .write(move |g| {
                let upload = upload.clone();
                Box::pin(async move {
                    let (ctx, files) = upload.as_ref();
                    let owner: Option<(i64, i64, String)> = B::opt(
                        &mut g.tx,
                        sql("SELECT department_id, region_id, number FROM cases WHERE id = $1").bind(case_id),
                    )
                    .await?;
                    let (dept, region, number) = owner
                        .ok_or_else(|| onewindow_core::DomainError::not_found(Text::fixed("办件", "case")))?;
                    let mut out = Vec::new();
                    for f in files {
                        out.push(insert_file::<B>(&mut g.tx, ctx, Some(case_id), None, f).await?);
                    }
                    g.later.audit(
                        ctx,
                        Change {
                            action: "case.upload".into(),
                            target_type: "case".into(),
                            target_id: Some(case_id),
                            department_id: Some(dept),
                            region_id: Some(region),
                            summary: json!({"number": number, "after": files.iter().map(|f| json!({"material": f.material, "file": f.file_name, "sha256": f.sha256, "size": f.size})).collect::<Vec<_>>()}),
                        },
                    );
                    Ok(out)
                })
            })
            .await
    }

    async fn files(&self, case_id: i64) -> Result<Vec<CaseFile>> {
        let rows: Vec<FileRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {FILE_COLS} FROM case_files WHERE case_id = $1
                     OR bundle_id = (SELECT bundle_id FROM cases WHERE id = $1) ORDER BY id"
                ))
                .bind(case_id),
            )
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn file(&self, id: i64) -> Result<Option<CaseFile>> {
        let row: Option<FileRow> = self
            .b
            .read_opt(sql(format!("SELECT {FILE_COLS} FROM case_files WHERE id = $1")).bind(id))
            .await?;
        Ok(row.map(Into::into))
    }

    async fn bundle(&self, id: i64) -> Result<Option<BundleRecord>> {
        let row: Option<(i64, String, i64, String, String, String, DateTime<Utc>, Option<DateTime<Utc>>)> = self
            .b
            .read_opt(
                sql("SELECT id, number, topic_id, topic_name, applicant_name, applicant_id_number, created_at, concluded_at
                     FROM case_bundles WHERE id = $1")
                .bind(id),
            )
            .await?;
        Ok(row.map(|r| BundleRecord {
            id: r.0,
            number: r.1,
            topic_id: r.2,
            topic_name: r.3,
            applicant_name: r.4,
            applicant_id_number: r.5,
            created_at: r.6,
            concluded_at: r.7,
        }))
    }

    async fn batch(&self, id: i64) -> Result<Option<BatchRecord>> {
        let row: Option<(i64, String, i64, String, i64, DateTime<Utc>)> = self
            .b
            .read_opt(
                sql("SELECT id, number, matter_id, title, size, created_at FROM case_batches WHERE id = $1").bind(id),
            )
            .await?;
        Ok(row.map(|r| BatchRecord {
            id: r.0,
            number: r.1,
            matter_id: r.2,
            title: r.3,
            size: r.4,
            created_at: r.5,
        }))
    }

    async fn cases_past_completeness(&self, today: NaiveDate, limit: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT id FROM cases WHERE state = 'submitted' AND completeness_due < $1 ORDER BY id LIMIT {}",
                    limit.clamp(1, 10_000)
                ))
                .bind(today),
            )
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn outbox_due(&self, at: DateTime<Utc>, limit: i64) -> Result<Vec<OutboxMessage>> {
        let rows: Vec<OutboxRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {OUTBOX_COLS} FROM outbox WHERE status = 'pending' AND next_at <= $1 ORDER BY id LIMIT {}",
                    limit.clamp(1, 1000)
                ))
                .bind(at),
            )
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn outbox_claim(
        &self,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let mut tx = self.b.begin().await?;
        let rows: Vec<OutboxRow> = B::all(
            &mut tx,
            sql(format!(
                "SELECT {OUTBOX_COLS} FROM outbox WHERE status = 'pending' AND next_at <= $1
                 ORDER BY id LIMIT {}{}",
                limit.clamp(1, 1000),
                B::SKIP_LOCKED
            ))
            .bind(at),
        )
        .await?;
        if !rows.is_empty() {
            let mut args = vec![Arg::from(until)];
            args.extend(rows.iter().map(|r| Arg::from(r.id)));
            B::exec(
                &mut tx,
                sql(format!(
                    "UPDATE outbox SET next_at = $1 WHERE id IN ({})",
                    placeholders(2, rows.len())
                ))
                .with_args(args),
            )
            .await?;
        }
        B::commit(tx).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn outbox_attempted(
        &self,
        id: i64,
        outcome: std::result::Result<(), String>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let at = now();
        let q = match outcome {
            Ok(()) => sql("UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = NULL WHERE id = $2")
                .bind(at)
                .bind(id),
            Err(e) => sql("UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, next_at = $3 WHERE id = $4")
                .bind(if retry_at.is_some() { "pending" } else { "failed" })
                .bind(e.chars().take(500).collect::<String>())
                .bind(retry_at.unwrap_or(at))
                .bind(id),
        };
        let mut tx = self.b.begin().await?;
        B::exec(&mut tx, q).await?;
        B::commit(tx).await
    }

    async fn outbox(&self, case_id: Option<i64>, limit: i64) -> Result<Vec<OutboxMessage>> {
        let mut q = sql(format!("SELECT {OUTBOX_COLS} FROM outbox WHERE 1 = 1"));
        if let Some(c) = case_id {
            q.text = format!("{} AND case_id = {}", q.text, q.next_placeholder()).into();
            q = q.bind(c);
        }
        q.text = format!("{} ORDER BY id DESC LIMIT {}", q.text, limit.clamp(1, 1000)).into();
        let rows: Vec<OutboxRow> = self.b.read_all(q).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn discard_notices(&self, case_id: i64) -> Result<u64> {
        let mut tx = self.b.begin().await?;
        let n = B::exec(
            &mut tx,
            sql("UPDATE outbox SET status = 'discarded' WHERE case_id = $1 AND status = 'pending'")
                .bind(case_id),
        )
        .await?;
        B::commit(tx).await?;
        Ok(n)
    }
}
