//! Group commit. A durable commit costs one disk flush; actions that arrive together share one.
//! A group first runs its actions one after another in one transaction. Should one fail, that
//! transaction is rolled back and the group runs again with each action inside its own
//! savepoint, so a failing action leaves nothing behind and does not disturb the others (an
//! action is therefore written so that it can run more than once: it only writes through the
//! transaction). Savepoints cost two statements per action, and actions rarely fail, so they are
//! paid only when needed. The callers are answered only after the shared commit, so an
//! acknowledged action is on disk.
//!
//! The rows an action only appends (history lines, outbox messages, audit entries) are held in
//! `Later` and written for the whole group just before it commits, one multi-row INSERT per
//! table: the committing task is the one writer, and each statement it runs is time every
//! waiting action waits.
//!
//! Both databases use it for the case engine's writes, through one committing task per
//! instance, on a thread of its own (`Grouper::start` says why): SQLite has one writer, and on
//! PostgreSQL several committing tasks were measured to do no more (docs/BENCHMARKS.md): groups
//! share rows they hold until they commit (a department's day counter for new cases' numbers,
//! the notices' series, the rollups). Several instances on one database still commit side by
//! side: their audit entries go to different chains (`sql::audit`), the rollups and the
//! document series are written in key order at the group's end, and a group that still meets
//! another in a deadlock is run again whole, up to [`RETRIES`] times.

use crate::backend::{Arg, Backend, multi_row, sql};
use crate::error::{Result, StoreError};
use crate::sql::audit::{Pending, append_all};
use crate::sql::rollup::Tallies;
use onewindow_core::audit::{Change, Context};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most actions in one transaction; bounds the time any one caller waits.
const MAX_GROUP: usize = 128;

/// Times a group the database chose as a deadlock's victim is run again.
const RETRIES: usize = 3;

type Boxed<'a> = Pin<Box<dyn Future<Output = Result<Box<dyn Any + Send>>> + Send + 'a>>;
type Work<B> = Box<dyn for<'a> Fn(&'a mut GroupTx<B>) -> Boxed<'a> + Send + Sync>;

/// The group's transaction and what its actions append at the end.
pub(crate) struct GroupTx<B: Backend> {
    pub tx: B::Tx,
    pub later: Later,
}

/// Rows appended for the whole group at its end, in the order the actions added them. Nothing
/// in an action may read them back.
#[derive(Default)]
pub(crate) struct Later {
    rows: Vec<(&'static str, Vec<Arg>)>,
    audit: Vec<Pending>,
    /// What the actions add to the rollups, merged and written with the rest.
    pub tallies: Tallies,
    /// Notices to number from their series (文号), with the rest.
    documents: Vec<PendingDocument>,
}

/// A notice an action issues, numbered when the group writes (`sql::cases::number_documents`).
pub(crate) struct PendingDocument {
    pub case_id: i64,
    pub kind: onewindow_core::case::documents::DocKind,
    pub department_id: i64,
    pub year: i32,
    pub at: chrono::DateTime<chrono::Utc>,
    /// The index of the action's audit entry, which gets the number.
    pub audit: usize,
}

impl Later {
    /// A row for `into`, which names the table and its columns, e.g. `outbox (case_id, body)`;
    /// one argument per column.
    pub fn insert(&mut self, into: &'static str, args: Vec<Arg>) {
        self.rows.push((into, args));
    }

    pub fn audit(&mut self, ctx: &Context, change: Change) {
        self.audit.push(Pending::now(ctx, change));
    }

    /// How many audit entries the group holds so far.
    pub fn audit_len(&self) -> usize {
        self.audit.len()
    }

    pub fn document(&mut self, d: PendingDocument) {
        self.documents.push(d);
    }

    fn mark(&self) -> (usize, usize, usize, usize) {
        (
            self.rows.len(),
            self.audit.len(),
            self.tallies.len(),
            self.documents.len(),
        )
    }

    fn undo_to(&mut self, (rows, audit, tallies, documents): (usize, usize, usize, usize)) {
        self.rows.truncate(rows);
        self.audit.truncate(audit);
        self.tallies.truncate(tallies);
        self.documents.truncate(documents);
    }

    pub async fn write<B: Backend>(self, tx: &mut B::Tx) -> Result<()> {
        // By table, in the order the tables first came.
        let mut tables: Vec<(&'static str, Vec<Vec<Arg>>)> = Vec::new();
        for (into, args) in self.rows {
            match tables.iter_mut().find(|(t, _)| *t == into) {
                Some((_, rows)) => rows.push(args),
                None => tables.push((into, vec![args])),
            }
        }
        for (into, rows) in tables {
            for q in multi_row::<B>(&format!("INSERT INTO {into}"), "", rows) {
                B::exec(tx, q).await?;
            }
        }
        let mut audit = self.audit;
        crate::sql::cases::number_documents::<B>(tx, self.documents, &mut audit).await?;
        append_all::<B>(tx, audit).await?;
        self.tallies.write::<B>(tx).await
    }
}

struct Job<B: Backend> {
    work: Work<B>,
    reply: oneshot::Sender<Result<Box<dyn Any + Send>>>,
}

pub(crate) struct Grouper<B: Backend> {
    jobs: mpsc::Sender<Job<B>>,
}

impl<B: Backend> Grouper<B> {
    /// Starts the committing task on a thread of its own; it ends when the last handle is
    /// dropped.
    ///
    /// The task is the one path every case action waits on, and it spends its time waiting for
    /// the database's answers. On the server's runtime each answer queued it behind every
    /// request ready to run, so on PostgreSQL it was busy all the time while a third of the
    /// processor stood idle; on its own thread, with its own connection, the system wakes it as
    /// soon as the answer comes (docs/BENCHMARKS.md, "the committing task on a thread of its own").
    pub fn start(b: Arc<B>) -> Grouper<B> {
        let (jobs, rx) = mpsc::channel(4 * MAX_GROUP);
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => {
                let started = std::thread::Builder::new()
                    .name("group-commit".into())
                    .spawn(move || {
                        rt.block_on(async move {
                            // Made on this runtime, so that its connection is driven here.
                            let own = Arc::new(b.committer());
                            drop(b);
                            run(own, rx).await
                        })
                    });
                if let Err(e) = started {
                    // The senders then fail each write with "the committing task has stopped".
                    tracing::error!(error = %e, "cannot start the group-commit thread");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "group commit runs on the server's runtime");
                tokio::spawn(run(b, rx));
            }
        }
        Grouper { jobs }
    }

    /// Runs `work` in a shared transaction and returns its result once that has committed.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> Fn(&'a mut GroupTx<B>) -> Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>
            + Send
            + Sync
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let work: Work<B> = Box::new(move |tx| {
            let run = work(tx);
            Box::pin(async move {
                let v = run.await?;
                Ok(Box::new(v) as Box<dyn Any + Send>)
            })
        });
        self.jobs
            .send(Job { work, reply })
            .await
            .map_err(|_| StoreError::Database("the committing task has stopped".into()))?;
        let v = answer
            .await
            .map_err(|_| StoreError::Database("the committing task dropped an action".into()))??;
        v.downcast::<T>()
            .map(|b| *b)
            .map_err(|_| StoreError::Database("unexpected result type".into()))
    }
}

async fn run<B: Backend>(b: Arc<B>, mut rx: mpsc::Receiver<Job<B>>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        commit_group(b.as_ref(), jobs).await;
    }
}

/// Whether the database gave the transaction up for another's sake (a deadlock, a
/// serialization failure): running it again is expected to succeed.
fn transient(e: &StoreError) -> bool {
    let m = e.to_string();
    m.contains("deadlock detected") || m.contains("could not serialize access")
}

fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::Domain(d) => StoreError::Domain(d.clone()),
        other => StoreError::Database(other.to_string()),
    }
}

async fn commit_group<B: Backend>(b: &B, mut jobs: Vec<Job<B>>) {
    // Alone in its transaction, an action needs no savepoint: its failure rolls it all back.
    for attempt in 0.. {
        match attempt_plain(b, jobs, attempt < RETRIES).await {
            Plain::Done => return,
            Plain::Again(j) => jobs = j,
            Plain::Split(j) => return commit_with_savepoints(b, j).await,
        }
    }
}

/// What became of a group run without savepoints.
enum Plain<B: Backend> {
    /// Committed, or failed, and every job answered.
    Done,
    /// Given up for another transaction's sake: to run again whole.
    Again(Vec<Job<B>>),
    /// One of several actions failed: to run again, each in its savepoint.
    Split(Vec<Job<B>>),
}

/// Runs the group without savepoints. Gives the jobs back, untouched by what was rolled back,
/// when one of several failed or (while `may_retry`) the database gave the group up; a lone job
/// is answered with its own failure.
async fn attempt_plain<B: Backend>(b: &B, jobs: Vec<Job<B>>, may_retry: bool) -> Plain<B> {
    let mut g = match b.begin().await {
        Ok(tx) => GroupTx {
            tx,
            later: Later::default(),
        },
        Err(e) => {
            answer_all(jobs, &e);
            return Plain::Done;
        }
    };
    let mut done = Vec::with_capacity(jobs.len());
    for j in &jobs {
        match (j.work)(&mut g).await {
            Ok(v) => done.push(Ok(v)),
            Err(e) => {
                drop(g);
                if may_retry && transient(&e) {
                    return Plain::Again(jobs);
                }
                if jobs.len() == 1 {
                    answer_all(jobs, &e);
                    return Plain::Done;
                }
                return Plain::Split(jobs);
            }
        }
    }
    match commit(g).await {
        Err(e) if may_retry && transient(&e) => Plain::Again(jobs),
        written => {
            answer(written, jobs.into_iter().zip(done));
            Plain::Done
        }
    }
}

async fn commit_with_savepoints<B: Backend>(b: &B, jobs: Vec<Job<B>>) {
    let mut g = match b.begin().await {
        Ok(tx) => GroupTx {
            tx,
            later: Later::default(),
        },
        Err(e) => return answer_all(jobs, &e),
    };
    let mut done = Vec::with_capacity(jobs.len());
    for j in &jobs {
        done.push(run_one::<B>(&mut g, &j.work).await);
    }
    let written = commit(g).await;
    answer(written, jobs.into_iter().zip(done));
}

fn answer_all<B: Backend>(jobs: Vec<Job<B>>, e: &StoreError) {
    for j in jobs {
        let _ = j.reply.send(Err(copy(e)));
    }
}

/// Writes what the actions left for later and commits.
async fn commit<B: Backend>(g: GroupTx<B>) -> Result<()> {
    let GroupTx { mut tx, later } = g;
    later.write::<B>(&mut tx).await?;
    B::commit(tx).await
}

/// Answers each job with its result, or with the failure that stopped the commit.
fn answer<B: Backend>(
    written: Result<()>,
    results: impl Iterator<Item = (Job<B>, Result<Box<dyn Any + Send>>)>,
) {
    match written {
        Ok(()) => {
            for (j, r) in results {
                let _ = j.reply.send(r);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "group commit failed");
            for (j, r) in results {
                let _ = j.reply.send(r.and(Err(copy(&e))));
            }
        }
    }
}

/// One action inside its savepoint: kept when it succeeds, undone when it fails.
async fn run_one<B: Backend>(g: &mut GroupTx<B>, work: &Work<B>) -> Result<Box<dyn Any + Send>> {
    B::exec(&mut g.tx, sql("SAVEPOINT action")).await?;
    let mark = g.later.mark();
    match work(g).await {
        Ok(v) => {
            B::exec(&mut g.tx, sql("RELEASE SAVEPOINT action")).await?;
            Ok(v)
        }
        Err(e) => {
            g.later.undo_to(mark);
            B::exec(&mut g.tx, sql("ROLLBACK TO SAVEPOINT action")).await?;
            B::exec(&mut g.tx, sql("RELEASE SAVEPOINT action")).await?;
            Err(e)
        }
    }
}
