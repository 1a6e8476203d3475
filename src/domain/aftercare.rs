//! What follows the end of mediation: telling both parties of a termination (Order 121
//! Art. 23, last paragraph) and the sampled follow-up visits (回访, Art. 26). Pure: notices
//! become clock events, the sample is a function of the case number and the share.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::clocks::ClockEvent;

reason_codes! {
    /// A party to be told that mediation was terminated.
    NoticeParty {
        Consumer => "consumer", "消费者（投诉人）";
        Business => "business", "经营者（被投诉人）";
    }
}

reason_codes! {
    /// How a party was told, when not by the service's own mail.
    NoticeMeans {
        Phone => "phone", "电话";
        Letter => "letter", "信函";
        Sms => "sms", "短信";
        InPerson => "in_person", "当面告知";
    }
}

reason_codes! {
    /// Whether the settlement was carried out, as the follow-up visit found.
    Fulfilled {
        Yes => "yes", "已履行";
        Partly => "partly", "部分履行";
        No => "no", "未履行";
        NotApplicable => "not_applicable", "不涉及履行";
    }
}

reason_codes! {
    /// The consumer's view of the handling, asked on the follow-up visit.
    ConsumerView {
        Satisfied => "satisfied", "满意";
        Neutral => "neutral", "基本满意";
        Dissatisfied => "dissatisfied", "不满意";
    }
}

impl Fulfilled {
    /// The settlement was not (fully) carried out: the queue marks it 未履行.
    pub fn is_unfulfilled(self) -> bool {
        matches!(self, Fulfilled::No | Fulfilled::Partly)
    }
}

impl NoticeParty {
    /// The clock event saying this party was told.
    pub fn told_kind(self) -> &'static str {
        match self {
            NoticeParty::Consumer => TOLD_CONSUMER,
            NoticeParty::Business => TOLD_BUSINESS,
        }
    }

    /// Who a mail to this party is addressed to in the outbox's dedupe key.
    pub fn mail_recipient(self) -> &'static str {
        match self {
            NoticeParty::Consumer => "complainant",
            NoticeParty::Business => "enterprise",
        }
    }
}

/// Clock event kinds: the consumer or the business was told of the termination.
pub const TOLD_CONSUMER: &str = "told_consumer";
pub const TOLD_BUSINESS: &str = "told_business";

/// One party told on `on`.
pub fn told(party: NoticeParty, on: NaiveDate) -> ClockEvent {
    ClockEvent {
        kind: party.told_kind().to_owned(),
        on,
        to_state: None,
    }
}

/// The log's clock events with the notices given put in date order: each after every logged
/// event of its day or earlier. The logged events keep their order.
pub fn with_notices(mut events: Vec<ClockEvent>, notices: Vec<ClockEvent>) -> Vec<ClockEvent> {
    for n in notices {
        let at = events
            .iter()
            .position(|e| e.on > n.on)
            .unwrap_or(events.len());
        events.insert(at, n);
    }
    events
}

/// The party and date a `record_notice` step's payload states.
pub fn recorded_notice(
    party: Option<&str>,
    date: Option<&str>,
) -> Option<(NoticeParty, NaiveDate)> {
    Some((NoticeParty::parse(party?)?, date?.parse().ok()?))
}

/// How a recorded notice reads on the staff timeline: "经营者（被投诉人），电话，2026-10-09".
pub fn notice_substance(
    party: Option<&str>,
    means: Option<&str>,
    date: Option<&str>,
    detail: Option<&str>,
) -> Option<String> {
    let parts: Vec<&str> = [
        party
            .and_then(NoticeParty::parse)
            .map(NoticeParty::label_zh),
        means
            .and_then(NoticeMeans::parse)
            .map(NoticeMeans::label_zh),
        date,
        detail,
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| format!("告知{}", parts.join("，")))
}

/// How a follow-up visit reads on the staff timeline: "部分履行，消费者不满意".
pub fn follow_up_substance(
    fulfilled: Option<&str>,
    view: Option<&str>,
    detail: Option<&str>,
) -> Option<String> {
    let view = view
        .and_then(ConsumerView::parse)
        .map(|v| format!("消费者{}", v.label_zh()));
    let parts: Vec<String> = fulfilled
        .and_then(Fulfilled::parse)
        .map(|f| f.label_zh().to_owned())
        .into_iter()
        .chain(view)
        .chain(detail.map(str::to_owned))
        .collect();
    (!parts.is_empty()).then(|| parts.join("，"))
}

/// The default share of closed complaints drawn for a follow-up visit, in percent.
pub const DEFAULT_FOLLOW_UP_SHARE: u8 = 10;

/// Whether the case numbered `case_no` is in the follow-up sample at `share` percent: a
/// fixed hash (FNV-1a) of the number, so the same case is drawn every time and the sample
/// grows with the share (every case drawn at 10 % is drawn at 20 %).
pub fn sampled(case_no: &str, share: u8) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in case_no.trim().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash % 100 < u64::from(share.min(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, d).unwrap_or_default()
    }

    #[test]
    fn notices_go_after_the_logged_events_of_their_day() {
        let logged = |kind: &str, d| ClockEvent {
            kind: kind.into(),
            on: day(d),
            to_state: None,
        };
        let events = vec![logged("a", 1), logged("b", 3), logged("c", 5)];
        let merged = with_notices(
            events,
            vec![
                told(NoticeParty::Consumer, day(3)),
                told(NoticeParty::Business, day(9)),
            ],
        );
        let kinds: Vec<&str> = merged.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["a", "b", TOLD_CONSUMER, "c", TOLD_BUSINESS]);
    }

    #[test]
    fn the_sample_is_reproducible_and_grows_with_the_share() {
        let numbers: Vec<String> = (1..=1000).map(|n| format!("TS-2026-{n:06}")).collect();
        let drawn = |share| numbers.iter().filter(|n| sampled(n, share)).count();
        assert_eq!(drawn(0), 0);
        assert_eq!(drawn(100), 1000);
        let ten = drawn(10);
        assert!((50..=150).contains(&ten), "about a tenth: {ten}");
        assert_eq!(drawn(10), ten, "the same cases every time");
        assert!(
            numbers
                .iter()
                .filter(|n| sampled(n, 10))
                .all(|n| sampled(n, 20)),
            "a larger share keeps every case a smaller one drew"
        );
    }

    #[test]
    fn a_recorded_notice_reads_its_party_and_date() {
        assert_eq!(
            recorded_notice(Some("business"), Some("2026-10-09")),
            Some((NoticeParty::Business, day(9)))
        );
        assert_eq!(recorded_notice(Some("nobody"), Some("2026-10-09")), None);
        assert_eq!(recorded_notice(Some("consumer"), None), None);
    }
}
