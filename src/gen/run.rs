//! The `odrdesk gen` command: register businesses, then receive each case through intake and
//! let it live its life up to the run's "now".

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use fastrand::Rng;
use indicatif::{ProgressBar, ProgressStyle};

use super::lifecycle::{Facts, Rules, Step, plan};
use super::playback::{Subject, play, retry};
use super::{Draft, GenArgs, Generator, date_range, plan as arrivals, refusal, staff_receipt};
use crate::clock::{Clock, china_offset};
use crate::config::Settings;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::routing::{Submission, route};
use crate::domain::workflow::Command;
use crate::intake::NewCase;
use crate::reference::Reference;
use crate::secrets::TrackingToken;
use crate::service::case_view::linked_report_of;
use crate::service::intake::{receive_batch, receive_on};
use crate::service::{Ctx, Db, ServiceError, admin};

/// Arrival times use their own stream, so a case's content does not depend on `--cases`.
pub(super) const PLAN_SALT: u64 = 0x9e37_79b9_7f4a_7c15;
/// Each case's life has its own stream, so it does not depend on the cases before it.
const LIFE_SALT: u64 = 0x2545_f491_4f6c_dd1d;
/// Cases between progress bar updates.
const BATCH: usize = 64;
/// A repeated complaint this soon after the first is merged into it.
const DUPLICATE_WINDOW_DAYS: i64 = 30;

#[derive(Debug, Default)]
struct Counts {
    complaints: usize,
    reports: usize,
    linked_reports: usize,
    steps: usize,
}

impl Counts {
    fn received(&mut self, draft: &Draft, case: &NewCase) {
        match draft {
            Draft::Complaint(_) if case.nature.as_str() == "counterfeit" => {
                self.complaints += 1;
                self.linked_reports += 1;
            }
            Draft::Complaint(_) => self.complaints += 1,
            Draft::Report(_) => self.reports += 1,
        }
    }
}

/// The last moment anything may happen: the end of `--to` (China time), and never after now.
pub fn horizon(to: NaiveDate, now: DateTime<Utc>) -> DateTime<Utc> {
    to.succ_opt()
        .and_then(|next| {
            china_offset()
                .from_local_datetime(&next.and_time(NaiveTime::MIN))
                .single()
        })
        .map(|end| end.with_timezone(&Utc) - Duration::seconds(1))
        .map_or(now, |end| end.min(now))
}

/// The rng of case number `n` (counted from 0) of a run.
pub fn life_rng(seed: u64, n: usize) -> Rng {
    Rng::with_seed((seed ^ LIFE_SALT).wrapping_add((n as u64).wrapping_mul(0x9e37_79b9)))
}

/// What the planner needs of a case intake accepted.
pub fn facts(case: &NewCase, state: CaseState, duplicate_of: Option<String>) -> Facts {
    // Intake's own routing says which referral clock an adverse reaction opens.
    let referral = case.adverse_reaction.as_ref().and_then(|a| {
        route(
            &Submission {
                kind: case.kind,
                prefer_odr: false,
                nature: case.nature.as_str(),
                adverse_severity: Some(a.severity),
                duplicates_found: false,
                similar_recent: 0,
            },
            None,
        )
        .referral
    });
    Facts {
        kind: case.kind,
        state,
        received_at: case.received_at,
        district: case.district.as_str().to_owned(),
        paid_fen: case
            .purchase
            .as_ref()
            .and_then(|p| p.amount)
            .map(|a| a.value()),
        referral,
        reporter: case.kind == CaseKind::Report && case.person.is_some(),
        counterfeit: case.nature.as_str() == "counterfeit",
        duplicate_of,
    }
}

pub fn run(settings: &Settings, args: &GenArgs, clock: &dyn Clock) -> anyhow::Result<()> {
    let started = Instant::now();
    let (from, to) = date_range(args, clock.now())?;
    let mut conn = admin::open(settings)?;
    // Still one transaction per step; skipping the fsync at every commit makes bulk loading
    // several times faster.
    admin::relax_durability(&mut conn)?;
    let reference = admin::reference(&mut conn)?;
    let horizon = horizon(to, clock.now());

    let slots = arrivals(
        &mut Rng::with_seed(args.seed ^ PLAN_SALT),
        args.cases,
        from,
        to,
        clock.now(),
    );
    let mut generator = Generator::new(args.seed);
    // Registered "before" the first case, so routing knows them from the start.
    let registered_at = horizon.min(slots.first().map_or(horizon, |s| s.at)) - Duration::days(1);
    generator.registry().register(&mut conn, registered_at)?;

    let bar = ProgressBar::new(args.cases as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} cases ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let base = Ctx {
        reference: reference.clone(),
        public_url: settings.public_url.clone(),
        now: horizon,
        screening: settings.screening,
        // Generated cases are never texted.
        notices: crate::notify::NoticeSettings::default(),
    };
    let mut life = Lives {
        reference: &reference,
        base: &base,
        horizon,
        seed: args.seed,
        complaints: HashMap::new(),
    };
    let mut counts = Counts::default();
    for (batch_no, batch) in slots.chunks(BATCH).enumerate() {
        let first = batch_no * BATCH;
        if args.received_only {
            let drafts: Vec<Draft> = batch.iter().map(|slot| generator.draft(slot)).collect();
            let keyed = batch.iter().zip(&drafts).map(|(slot, draft)| {
                let ctx = Ctx {
                    now: slot.at,
                    ..base.clone()
                };
                (ctx, draft.wire(), staff_receipt(slot.at))
            });
            // The whole chunk in one transaction: each case's own becomes a savepoint.
            let received =
                receive_batch(&mut conn, keyed).map_err(|(i, e)| not_stored(first + i, e))?;
            for (draft, (case, _)) in drafts.iter().zip(&received) {
                counts.received(draft, case);
            }
        } else {
            for (i, slot) in batch.iter().enumerate() {
                let draft = generator.draft(slot);
                let repeat_of = generator.repeat_of();
                let (case, steps) = life.live(&mut conn, first + i, &draft, slot.at, repeat_of)?;
                counts.received(&draft, &case);
                counts.steps += steps;
            }
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "generated {} case(s) received {from} to {to}: {} complaint(s), {} report(s), \
         {} linked report(s) opened for counterfeit complaints; {} workflow step(s) up to {}; \
         {} business(es) registered, {} in ODR; seed {}, {:.1} s ({:.0} cases/s)",
        args.cases,
        counts.complaints,
        counts.reports,
        counts.linked_reports,
        counts.steps,
        horizon
            .with_timezone(&china_offset())
            .format("%Y-%m-%d %H:%M"),
        generator.registry().enterprises.len(),
        generator.registry().odr_count(),
        args.seed,
        secs,
        args.cases as f64 / secs.max(1e-9),
    );
    Ok(())
}

/// Why generated case number `n` (counted from 0) was not stored.
fn not_stored(n: usize, e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(issues) => anyhow::anyhow!(
            "generated case {} was refused by intake: {}",
            n + 1,
            refusal(&issues)
        ),
        other => anyhow::Error::new(other).context("storing a generated case"),
    }
}

/// Receives cases and plays their lives, remembering complaints that a repeat may merge into.
struct Lives<'a> {
    reference: &'a Reference,
    base: &'a Ctx,
    horizon: DateTime<Utc>,
    seed: u64,
    /// Case number `n` → the complaint it stands for now (itself, or the one it was merged
    /// into).
    complaints: HashMap<usize, Remembered>,
}

/// A complaint a later repeat may be merged into.
#[derive(Debug, Clone)]
struct Remembered {
    case_no: String,
    received_at: DateTime<Utc>,
    /// The bureau that holds it after its own steps (a transfer moves it).
    district: String,
}

/// The complaint a repeat received at `at` by the bureau of `district` may be merged into:
/// one received within the duplicate window and held by the same bureau, since a mediator
/// can merge only into a case of their own bureau.
fn merge_target(earlier: Option<&Remembered>, district: &str, at: DateTime<Utc>) -> Option<String> {
    earlier
        .filter(|e| at - e.received_at <= Duration::days(DUPLICATE_WINDOW_DAYS))
        .filter(|e| e.district == district)
        .map(|e| e.case_no.clone())
}

/// Where a case is held once `steps` have been taken.
fn district_after(steps: &[Step], district: &str) -> String {
    steps
        .iter()
        .rev()
        .find_map(|s| match &s.command {
            Command::Transfer {
                bureau: Some(to), ..
            }
            | Command::Dispatch { bureau: to } => Some(to.clone()),
            _ => None,
        })
        .unwrap_or_else(|| district.to_owned())
}

impl Lives<'_> {
    /// Receives case `n` (one transaction), then takes its steps; returns the case as intake
    /// parsed it and how many steps were taken.
    fn live(
        &mut self,
        conn: &mut Db,
        n: usize,
        draft: &Draft,
        received_at: DateTime<Utc>,
        repeat_of: Option<usize>,
    ) -> anyhow::Result<(NewCase, usize)> {
        let ctx = Ctx {
            now: received_at,
            ..self.base.clone()
        };
        let input = draft.wire();
        let (case, stored) = retry(conn, |conn| {
            receive_on(conn, &ctx, &input, staff_receipt(received_at))
        })
        .map_err(|e| not_stored(n, e))?;
        let earlier = repeat_of.and_then(|r| self.complaints.get(&r)).cloned();
        let target = merge_target(earlier.as_ref(), case.district.as_str(), case.received_at);
        let token = TrackingToken::parse(&stored.tracking_token);
        let subject = Subject {
            case_no: &stored.case_no,
            district: case.district.as_str(),
            token: token.as_ref(),
            respondent_uscc: case.respondent.uscc.as_ref().map(|u| u.as_str()),
        };
        let mut rng = life_rng(self.seed, n);
        let facts = facts(&case, stored.state, target);
        let steps = self.plan_life(&mut rng, &case, &facts);
        play(conn, self.base, &subject, &steps)?;
        let merged = steps
            .iter()
            .any(|s| matches!(s.command, Command::MergeInto { .. }));
        if case.kind == CaseKind::Complaint {
            let me = match earlier {
                Some(target) if merged => target,
                _ => Remembered {
                    case_no: stored.case_no.clone(),
                    received_at: case.received_at,
                    district: district_after(&steps, case.district.as_str()),
                },
            };
            self.complaints.insert(n, me);
        }
        let mut taken = steps.len();
        if facts.kind == CaseKind::Complaint && facts.counterfeit {
            taken += self.live_linked_report(conn, &mut rng, &case, &subject)?;
        }
        Ok((case, taken))
    }

    fn plan_life(&self, rng: &mut Rng, case: &NewCase, facts: &Facts) -> Vec<Step> {
        match self.reference.policy.get(&case.policy_version) {
            Some(policy) => plan(
                rng,
                facts,
                Rules {
                    calendar: &self.reference.calendar,
                    policy,
                },
                self.horizon,
            ),
            None => Vec::new(),
        }
    }

    /// The enforcement lead a counterfeit complaint opened is verified like any report.
    fn live_linked_report(
        &self,
        conn: &mut Db,
        rng: &mut Rng,
        complaint: &NewCase,
        of: &Subject,
    ) -> anyhow::Result<usize> {
        let Some(report_no) = retry(conn, |conn| linked_report_of(conn, of.case_no))? else {
            return Ok(0);
        };
        let mut facts = facts(complaint, CaseState::PendingVerification, None);
        facts.kind = CaseKind::Report;
        facts.referral = None;
        let steps = self.plan_life(rng, complaint, &facts);
        let subject = Subject {
            case_no: &report_no,
            token: None,
            ..*of
        };
        play(conn, self.base, &subject, &steps)?;
        Ok(steps.len())
    }
}

#[cfg(test)]
mod merge_tests {
    use super::*;

    fn remembered(district: &str, received_at: DateTime<Utc>) -> Remembered {
        Remembered {
            case_no: "TS-2026-000001".into(),
            received_at,
            district: district.into(),
        }
    }

    #[test]
    fn a_repeat_merges_only_into_a_recent_complaint_of_its_own_bureau() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let recent = remembered("440703", at - Duration::days(3));
        assert_eq!(
            merge_target(Some(&recent), "440703", at).as_deref(),
            Some("TS-2026-000001")
        );
        // Transferred away: the repeat's mediator cannot see it, so no merge is planned.
        assert_eq!(merge_target(Some(&recent), "440705", at), None);
        let old = remembered("440703", at - Duration::days(DUPLICATE_WINDOW_DAYS + 1));
        assert_eq!(merge_target(Some(&old), "440703", at), None);
        assert_eq!(merge_target(None, "440703", at), None);
    }

    #[test]
    fn a_transfer_moves_the_remembered_bureau() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let transfer = Step {
            at,
            by: super::super::lifecycle::By::Staff,
            command: Command::Transfer {
                bureau: Some("440705".into()),
                outside: None,
                reason: "移送".into(),
            },
        };
        assert_eq!(district_after(&[transfer], "440703"), "440705");
        assert_eq!(district_after(&[], "440703"), "440703");
    }
}
