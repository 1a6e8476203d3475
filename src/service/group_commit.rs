//! Group commit for intake. One writer thread takes every submission that is waiting, stores
//! them all in one transaction (each in its own savepoint, so one refusal spoils nothing else),
//! commits once, and only then answers each of them. With SQLite at `synchronous=FULL` every
//! commit is an fsync; sharing one between many cases is what lets intake outrun the disk.
//! Under light load a batch is a single case, so nothing waits for company.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};

use tokio::sync::oneshot;

use super::submit::{Idempotency, Submitted, submit};
use super::{Ctx, ServiceError};
use crate::intake::NewCase;
use crate::store::{Db, DbPool, StoreError, write_transaction};

/// One case to receive, as `service::submit::submit` takes it.
pub struct Submission {
    pub ctx: Ctx,
    pub case: NewCase,
    pub idem: Option<Idempotency>,
    pub consumer_openid: Option<String>,
}

type Answer = Result<Submitted, ServiceError>;

struct Job {
    work: Submission,
    reply: oneshot::Sender<Answer>,
}

/// The way into the writer thread. Cloned into every worker; the thread ends when the last
/// clone is dropped.
#[derive(Clone)]
pub struct Committer {
    jobs: SyncSender<Job>,
}

/// Submissions waiting beyond this are refused with 503 rather than queued without limit.
const QUEUE: usize = 4096;

impl Committer {
    /// Starts the writer thread; `max_batch` bounds how long it holds the write lock.
    /// Each batch's size is observed in `batch_sizes`.
    pub fn start(
        pool: DbPool,
        max_batch: usize,
        batch_sizes: prometheus::Histogram,
    ) -> std::io::Result<Committer> {
        let (jobs, waiting) = sync_channel(QUEUE);
        let max_batch = max_batch.max(1);
        std::thread::Builder::new()
            .name("intake-writer".into())
            .spawn(move || write_batches(&pool, &waiting, max_batch, &batch_sizes))?;
        Ok(Committer { jobs })
    }

    /// Stores one case; returns once the transaction holding it has committed.
    pub async fn submit(&self, work: Submission) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .try_send(Job { work, reply })
            .map_err(|e| match e {
                TrySendError::Full(_) => unavailable("intake queue is full"),
                TrySendError::Disconnected(_) => unavailable("intake writer has stopped"),
            })?;
        answer
            .await
            .map_err(|_| unavailable("intake writer has stopped"))?
    }
}

fn unavailable(why: &str) -> ServiceError {
    ServiceError::Store(StoreError::Unavailable(why.into()))
}

fn write_batches(
    pool: &DbPool,
    waiting: &Receiver<Job>,
    max_batch: usize,
    batch_sizes: &prometheus::Histogram,
) {
    while let Ok(first) = waiting.recv() {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match waiting.try_recv() {
                Ok(job) => batch.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        batch_sizes.observe(batch.len() as f64);
        let (works, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|job| (job.work, job.reply)).unzip();
        let answers = match catch_unwind(AssertUnwindSafe(|| store_batch(pool, &works))) {
            Ok(Ok(answers)) => answers,
            Ok(Err(BatchFailure(failed))) => works
                .iter()
                .map(|_| Err(ServiceError::Store(failed.clone())))
                .collect(),
            Err(_) => works
                .iter()
                .map(|_| {
                    Err(ServiceError::Store(StoreError::Other(
                        "intake writer failed".into(),
                    )))
                })
                .collect(),
        };
        for (reply, answer) in replies.into_iter().zip(answers) {
            // The client may have gone; its case is stored all the same.
            if reply.send(answer).is_err() {
                tracing::debug!("a submitter stopped waiting before its answer");
            }
        }
    }
}

/// Receives every case of a batch in one transaction. `Err` means the whole batch failed
/// (no connection, or the commit itself), so no case of it was stored.
fn store_batch(pool: &DbPool, works: &[Submission]) -> Result<Vec<Answer>, BatchFailure> {
    let mut conn = pool.get().map_err(|e| BatchFailure(StoreError::from(e)))?;
    write_transaction(&mut conn, |conn: &mut Db| {
        // `submit` stores each case in a savepoint of its own (its nested transaction), so a
        // refused case rolls back alone and gives its case number back.
        Ok(works
            .iter()
            .map(|w| {
                submit(
                    conn,
                    &w.ctx,
                    w.case.clone(),
                    w.idem.clone(),
                    w.consumer_openid.clone(),
                )
            })
            .collect())
    })
}

/// Why a whole batch was not stored; every case in it gets the same answer.
struct BatchFailure(StoreError);

impl From<diesel::result::Error> for BatchFailure {
    fn from(e: diesel::result::Error) -> Self {
        BatchFailure(e.into())
    }
}
