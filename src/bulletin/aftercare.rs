//! The work after mediation in the bulletin: whether both parties were told of a
//! termination within its limit (Order 121 Art. 23), and what follow-up visits of settled
//! complaints found (Art. 26). Counted for the period's complaints, like the other rates.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::Rate;
use super::outcome::clock_events_of;
use crate::clock::china_date;
use crate::domain::aftercare::{Fulfilled, NoticeParty, recorded_notice, told, with_notices};
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::clocks::{ClockCase, Verdict, clocks_for};
use crate::domain::event_payload::EventPayload;
use crate::domain::policy::Clock;
use crate::reference::Reference;
use crate::store::aftercare as source;
use crate::store::bulletin::{CohortCase, CohortEvent};
use crate::store::{Db, StoreError};

/// 统计说明 of the section: key, label, numerator, denominator.
pub const DEFINITIONS: [(&str, &str, &str, &str); 3] = [
    (
        "aftercare.notice_on_time",
        "终止调解按时告知率",
        "本期投诉中终止调解后，在告知期限内（决定次日起7个工作日）双方均已获告知的件数；告知以本系统发出的告知邮件已投递或承办人记录的电话、信函、短信、当面告知为准，以最后一方获告知之日计",
        "本期投诉中双方均已获告知或截至统计日已超期的终止调解件数（仍在期限内尚未告知双方的另计为“尚在期限内”）",
    ),
    (
        "aftercare.fulfilled",
        "回访调解协议履行率",
        "本期调解成功的投诉中，最近一次回访记录调解协议“已履行”的件数；回访对象按市局设定的比例（默认10%）以案件编号固定抽取",
        "本期调解成功且已回访的投诉中履行情况为已履行、部分履行或未履行的件数（不涉及履行的不计入）",
    ),
    (
        "aftercare.unfulfilled",
        "回访未履行件数",
        "本期调解成功且已回访的投诉中，最近一次回访记录调解协议“未履行”或“部分履行”的件数",
        "—",
    ),
];

/// A party told of a termination: by delivered mail or a notice staff recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeFact {
    pub case_id: i64,
    pub party: NoticeParty,
    pub on: NaiveDate,
}

/// What the latest follow-up visit of a case found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpFact {
    pub case_id: i64,
    pub fulfilled: Fulfilled,
}

/// 终止调解告知 and 回访 figures.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AftercareSection {
    /// Terminations whose parties were both told within the limit.
    pub notices_on_time: u64,
    /// Told late, or still untold past the limit on the bulletin date.
    pub notices_late: u64,
    /// Still within the limit with a party untold on the bulletin date.
    pub notices_pending: u64,
    /// On time / (on time + late).
    pub notice_on_time: Rate,
    /// Settled complaints of the period with a follow-up visit.
    pub follow_ups: u64,
    /// Visits finding the settlement carried out / visits where it applies.
    pub fulfilled: Rate,
    /// Visits finding the settlement not, or only partly, carried out.
    pub unfulfilled: u64,
}

/// The notices and follow-up visits of the cases received from `from` to `to`.
pub fn gather(
    conn: &mut Db,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<NoticeFact>, Vec<FollowUpFact>), StoreError> {
    let terminations: HashSet<(i64, i32)> = source::terminations_of_received(conn, from, to)?
        .into_iter()
        .collect();
    let mut notices = Vec::new();
    for (case_id, key, at) in source::delivered_of_received(conn, from, to)? {
        // `{case_no}/event-{seq}/{recipient}`, the key of a step's mail.
        let mut parts = key.rsplitn(3, '/');
        let who = parts.next();
        let seq = parts
            .next()
            .and_then(|s| s.strip_prefix("event-"))
            .and_then(|n| n.parse::<i32>().ok());
        let party = NoticeParty::ALL
            .iter()
            .find(|p| Some(p.mail_recipient()) == who);
        if let (Some(party), Some(seq)) = (party, seq)
            && terminations.contains(&(case_id, seq))
        {
            notices.push(NoticeFact {
                case_id,
                party: *party,
                on: china_date(at.and_utc()),
            });
        }
    }
    let mut latest: BTreeMap<i64, Fulfilled> = BTreeMap::new();
    for (case_id, kind, payload) in source::steps_of_received(conn, from, to)? {
        let Some(p) = EventPayload::parse(&payload) else {
            continue;
        };
        if kind == "record_notice" {
            if let Some((party, on)) = recorded_notice(p.str_of("party"), p.str_of("date")) {
                notices.push(NoticeFact { case_id, party, on });
            }
        } else if let Some(f) = p.str_of("fulfilled").and_then(Fulfilled::parse) {
            latest.insert(case_id, f);
        }
    }
    let follow_ups = latest
        .into_iter()
        .map(|(case_id, fulfilled)| FollowUpFact { case_id, fulfilled })
        .collect();
    Ok((notices, follow_ups))
}

/// The section for the period's counted `cases`, judged as of `as_of`.
pub fn section(
    cases: &[&CohortCase],
    events: &HashMap<i64, &[CohortEvent]>,
    notices: &[NoticeFact],
    follow_ups: &[FollowUpFact],
    reference: &Reference,
    as_of: NaiveDate,
) -> AftercareSection {
    let mut s = AftercareSection::default();
    let terminated = cases.iter().filter(|c| {
        c.kind == CaseKind::Complaint
            && events
                .get(&c.id)
                .is_some_and(|evs| evs.iter().any(|e| e.kind == "terminate"))
    });
    for case in terminated {
        let evs = events.get(&case.id).copied().unwrap_or(&[]);
        let told_of: Vec<_> = notices
            .iter()
            .filter(|n| n.case_id == case.id)
            .map(|n| told(n.party, n.on))
            .collect();
        let log = with_notices(clock_events_of(case, evs), told_of);
        let subject = ClockCase {
            kind: case.kind,
            received_date: case.received_date,
            policy_version: &case.policy_version,
            referral_severity: None,
        };
        let clocks = clocks_for(
            &subject,
            &log,
            &reference.policy,
            &reference.calendar,
            as_of,
        )
        .unwrap_or_default();
        for c in clocks.iter().filter(|c| c.name == Clock::TerminationNotice) {
            match (c.verdict, c.overdue) {
                (Some(Verdict::Timely), _) => s.notices_on_time += 1,
                (Some(Verdict::Late), _) | (None, true) => s.notices_late += 1,
                (None, false) => s.notices_pending += 1,
            }
        }
    }
    s.notice_on_time = Rate::of(s.notices_on_time, s.notices_on_time + s.notices_late);
    let settled: HashSet<i64> = cases
        .iter()
        .filter(|c| c.kind == CaseKind::Complaint && c.state == CaseState::Settled)
        .map(|c| c.id)
        .collect();
    let visits: Vec<Fulfilled> = follow_ups
        .iter()
        .filter(|f| settled.contains(&f.case_id))
        .map(|f| f.fulfilled)
        .collect();
    s.follow_ups = visits.len() as u64;
    s.unfulfilled = visits.iter().filter(|f| f.is_unfulfilled()).count() as u64;
    let applies = visits
        .iter()
        .filter(|f| **f != Fulfilled::NotApplicable)
        .count() as u64;
    let done = visits.iter().filter(|f| **f == Fulfilled::Yes).count() as u64;
    s.fulfilled = Rate::of(done, applies);
    s
}
