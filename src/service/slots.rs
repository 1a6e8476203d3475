//! Heavy index work running at once on this node (exports, hot terms, alerts), bounded per
//! user and in all. Beyond a bound the request is refused (429) rather than queued.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Limit, ServiceError};

/// Seconds a refused caller is told to wait: an export or a question takes seconds.
const RETRY_AFTER_SECS: u64 = 10;

#[derive(Clone)]
pub struct JobSlots {
    running: Arc<Mutex<Running>>,
    per_user: usize,
    total: usize,
}

#[derive(Default)]
struct Running {
    total: usize,
    by_user: HashMap<i64, usize>,
}

/// A running job's place; released when dropped.
pub struct JobSlot {
    slots: JobSlots,
    user: i64,
}

impl JobSlots {
    pub fn new(per_user: usize, total: usize) -> JobSlots {
        JobSlots {
            running: Arc::default(),
            per_user,
            total,
        }
    }

    fn running(&self) -> MutexGuard<'_, Running> {
        // The counts stay consistent even if a holder panicked: each change is one statement.
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for one more job of `user`, or which bound refuses it.
    pub fn take(&self, user: i64) -> Result<JobSlot, ServiceError> {
        let mut running = self.running();
        let mine = running.by_user.get(&user).copied().unwrap_or(0);
        let refused = |code, message| ServiceError::Limit {
            limit: Limit::Busy {
                retry_after_secs: RETRY_AFTER_SECS,
            },
            code,
            message,
        };
        if mine >= self.per_user {
            return Err(refused(
                "jobs_per_user",
                format!(
                    "您已有{}个导出或分析任务在进行，请等其完成后再试",
                    self.per_user
                ),
            ));
        }
        if running.total >= self.total {
            return Err(refused(
                "jobs_total",
                format!(
                    "系统同时进行的导出或分析任务已满（{}个），请稍后再试",
                    self.total
                ),
            ));
        }
        running.total += 1;
        running.by_user.insert(user, mine + 1);
        Ok(JobSlot {
            slots: self.clone(),
            user,
        })
    }
}

impl Drop for JobSlot {
    fn drop(&mut self) {
        let mut running = self.slots.running();
        running.total = running.total.saturating_sub(1);
        if let Some(n) = running.by_user.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                running.by_user.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_hold_per_user_and_in_all_and_free_on_drop() {
        let slots = JobSlots::new(1, 2);
        let a = slots.take(1).unwrap();
        let code = |r: Result<JobSlot, ServiceError>| match r {
            Err(ServiceError::Limit { code, .. }) => code,
            _ => "taken",
        };
        assert_eq!(code(slots.take(1)), "jobs_per_user");
        let b = slots.take(2).unwrap();
        assert_eq!(code(slots.take(3)), "jobs_total");
        drop(a);
        assert_eq!(code(slots.take(1)), "taken");
        drop(b);
        assert!(slots.running().by_user.is_empty());
    }
}
