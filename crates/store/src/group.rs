//! Group commit. A durable commit costs one disk flush; actions that arrive together share one.
//! A group first runs its actions one after another in one transaction. Should one fail, that
//! transaction is rolled back and the group runs again with each action inside its own
//! savepoint, so a failing action leaves nothing behind and does not disturb the others (an
//! action is therefore written so that it can run more than once: it only writes through the
//! transaction). Savepoints cost two statements per action, and actions rarely fail, so they are
//! paid only when needed. The callers are answered only after the shared commit, so an
//! acknowledged action is on disk.
//!
//! Both databases use it for the case engine's writes: SQLite has one writer anyway, and on
//! PostgreSQL every audited write queues on the audit chain's head row until it commits.

use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most actions in one transaction; bounds the time any one caller waits.
const MAX_GROUP: usize = 128;

type Boxed<'a> = Pin<Box<dyn Future<Output = Result<Box<dyn Any + Send>>> + Send + 'a>>;
type Work<B> = Box<dyn for<'a> Fn(&'a mut <B as Backend>::Tx) -> Boxed<'a> + Send + Sync>;

struct Job<B: Backend> {
    work: Work<B>,
    reply: oneshot::Sender<Result<Box<dyn Any + Send>>>,
}

pub(crate) struct Grouper<B: Backend> {
    jobs: mpsc::Sender<Job<B>>,
}

impl<B: Backend> Grouper<B> {
    /// Starts the committing task; it ends when the last handle is dropped.
    pub fn start(b: Arc<B>) -> Grouper<B> {
        let (jobs, rx) = mpsc::channel(4 * MAX_GROUP);
        tokio::spawn(run(b, rx));
        Grouper { jobs }
    }

    /// Runs `work` in a shared transaction and returns its result once that has committed.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'a> Fn(&'a mut B::Tx) -> Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>
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

fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::Domain(d) => StoreError::Domain(d.clone()),
        other => StoreError::Database(other.to_string()),
    }
}

async fn commit_group<B: Backend>(b: &B, jobs: Vec<Job<B>>) {
    // Alone in its transaction, an action needs no savepoint: its failure rolls it all back.
    if let Some(jobs) = attempt_plain(b, jobs).await {
        commit_with_savepoints(b, jobs).await;
    }
}

/// Runs the group without savepoints. Gives the jobs back, untouched by what was rolled back,
/// when one of several failed; a lone job is answered with its own failure.
async fn attempt_plain<B: Backend>(b: &B, jobs: Vec<Job<B>>) -> Option<Vec<Job<B>>> {
    let mut tx = match b.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            answer_all(jobs, &e);
            return None;
        }
    };
    let mut done = Vec::with_capacity(jobs.len());
    for j in &jobs {
        match (j.work)(&mut tx).await {
            Ok(v) => done.push(Ok(v)),
            Err(e) => {
                drop(tx);
                if jobs.len() == 1 {
                    answer_all(jobs, &e);
                    return None;
                }
                return Some(jobs);
            }
        }
    }
    finish::<B>(tx, jobs.into_iter().zip(done)).await;
    None
}

async fn commit_with_savepoints<B: Backend>(b: &B, jobs: Vec<Job<B>>) {
    let mut tx = match b.begin().await {
        Ok(tx) => tx,
        Err(e) => return answer_all(jobs, &e),
    };
    let mut done = Vec::with_capacity(jobs.len());
    for j in &jobs {
        done.push(run_one::<B>(&mut tx, &j.work).await);
    }
    finish::<B>(tx, jobs.into_iter().zip(done)).await;
}

fn answer_all<B: Backend>(jobs: Vec<Job<B>>, e: &StoreError) {
    for j in jobs {
        let _ = j.reply.send(Err(copy(e)));
    }
}

/// Commits, then answers each job with its result (or with the commit's failure).
async fn finish<B: Backend>(
    tx: B::Tx,
    results: impl Iterator<Item = (Job<B>, Result<Box<dyn Any + Send>>)>,
) {
    match B::commit(tx).await {
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
async fn run_one<B: Backend>(tx: &mut B::Tx, work: &Work<B>) -> Result<Box<dyn Any + Send>> {
    B::exec(tx, sql("SAVEPOINT action")).await?;
    match work(tx).await {
        Ok(v) => {
            B::exec(tx, sql("RELEASE SAVEPOINT action")).await?;
            Ok(v)
        }
        Err(e) => {
            B::exec(tx, sql("ROLLBACK TO SAVEPOINT action")).await?;
            B::exec(tx, sql("RELEASE SAVEPOINT action")).await?;
            Err(e)
        }
    }
}
