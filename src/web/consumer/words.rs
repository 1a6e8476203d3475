//! Plain Chinese for dates, deadlines, states and file sizes on the consumer pages.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::clock::china_offset;
use crate::domain::case::CaseState;
use crate::domain::clocks::{ClockView, Verdict};
use crate::domain::policy::Clock;

/// "10月15日", with the year when it is not this year's.
pub fn day(d: NaiveDate, today: NaiveDate) -> String {
    if d.year() == today.year() {
        format!("{}月{}日", d.month(), d.day())
    } else {
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }
}

/// China time, "2026年11月20日 10:00".
pub fn moment(at: DateTime<Utc>) -> String {
    at.with_timezone(&china_offset())
        .format("%Y年%-m月%-d日 %H:%M")
        .to_string()
}

/// What a deadline is called for the consumer.
fn deadline_name(clock: Clock) -> &'static str {
    match clock {
        Clock::Acceptance => "受理期限",
        Clock::Mediation => "调解期限",
        Clock::TerminationNotice => "终止调解告知期限",
        Clock::Verification => "核查期限",
        Clock::OdrNegotiation => "商家协商期限",
        Clock::Rating => "评价期限",
        other => other.label_zh(),
    }
}

/// The deadline the case's first step runs against, by the state it was filed into.
pub fn first_deadline(state: CaseState) -> Clock {
    match state {
        CaseState::OdrNegotiation => Clock::OdrNegotiation,
        CaseState::PendingVerification => Clock::Verification,
        _ => Clock::Acceptance,
    }
}

/// "受理期限：10月15日前", for a deadline at `due`.
pub fn deadline(clock: Clock, due: NaiveDate, provisional: bool, today: NaiveDate) -> String {
    let mut s = format!("{}：{}前", deadline_name(clock), day(due, today));
    if provisional {
        s.push_str("（节假日安排公布后可能调整）");
    }
    s
}

/// One clock in words: running, paused, overdue, or finished on time or late.
pub fn clock_line(c: &ClockView, today: NaiveDate) -> String {
    let name = deadline_name(c.name);
    if let Some(ended) = c.ended {
        let how = match c.verdict {
            Some(Verdict::Late) => "（超过期限）",
            _ => "",
        };
        return format!("{name}：已于{}完成{how}", day(ended, today));
    }
    let mut s = deadline(c.name, c.due, c.provisional, today);
    if c.paused {
        s.push_str("（已暂停）");
    }
    if c.overdue {
        let late = c.unit.count_zh(c.remaining_days.unsigned_abs().max(1));
        s.push_str(&format!("（已超期 {late}）"));
    }
    s
}

/// What the state means for the consumer and what happens next.
pub fn state_explained(state: CaseState) -> &'static str {
    match state {
        CaseState::OdrNegotiation => {
            "商家正在与您直接协商。商家提出方案后，您可以在本页接受或不接受；期满未解决的，转由市场监管部门处理。"
        }
        CaseState::PendingAcceptance => {
            "市场监管部门正在审查您的投诉，将在受理期限前决定是否受理。"
        }
        CaseState::NotAccepted => "您的投诉未被受理，原因见下方处理记录和通知。",
        CaseState::InMediation => "市场监管部门已受理，正在组织您与商家调解。",
        CaseState::MediationPaused => "调解暂停，等待检测、鉴定等结果，期间不计入调解期限。",
        CaseState::Settled => "调解成功，案件已办结。",
        CaseState::MediationTerminated => {
            "调解终止，案件已办结。您可以通过仲裁或向人民法院起诉等途径继续维权。"
        }
        CaseState::Withdrawn => "您已撤回，案件已办结。",
        CaseState::TransferredOut => "案件已转交其他有管辖权的部门处理。",
        CaseState::Merged => "案件已与相同事项的其他案件合并处理。",
        CaseState::PendingVerification => {
            "市场监管部门正在核查您举报的线索，将在核查期限前决定是否立案。"
        }
        CaseState::VerificationPaused => {
            "核查暂停，等待检测、鉴定或权利人辨认鉴别的结果，期间不计入核查期限。"
        }
        CaseState::CaseOpened => "市场监管部门已立案调查。",
        CaseState::NotOpened => "经核查，市场监管部门决定不予立案。",
        CaseState::AwaitingDispatch => "统一接收机构正在将案件分送至有管辖权的市场监管部门。",
        CaseState::Repeated => "该举报与您此前的举报属同一事项，市场监管部门不再重复处理。",
        CaseState::ReferredElsewhere => "本局对该举报事项无管辖权，已告知您向有权处理的机关举报。",
    }
}

/// Who a message is from, as the consumer knows them.
pub fn sender(role: &str) -> &'static str {
    match role {
        "enterprise" => "商家",
        "consumer" => "您",
        "system" => "系统",
        _ => "市场监管部门",
    }
}

/// Whom a message is for, as the consumer reads it.
pub fn addressee(to: &str) -> &'static str {
    match to {
        "enterprise" => "商家",
        "mediator" => "调解员",
        _ => "您",
    }
}

/// "12.3 KB", "1.2 MB".
pub fn size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b < 1024.0 {
        format!("{bytes} 字节")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A `data:` URL, for small image previews that need no second request (and so no token in
/// a URL).
pub fn data_url(mime: &str, bytes: &[u8]) -> String {
    let mut out = format!("data:{mime};base64,");
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_deadlines_read_plainly() {
        let today = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
        assert_eq!(
            deadline(Clock::Acceptance, due, false, today),
            "受理期限：10月15日前"
        );
        let next = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        assert_eq!(day(next, today), "2027年1月5日");
    }

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(data_url("image/png", b""), "data:image/png;base64,");
        assert_eq!(data_url("x", b"f"), "data:x;base64,Zg==");
        assert_eq!(data_url("x", b"fo"), "data:x;base64,Zm8=");
        assert_eq!(data_url("x", b"foobar"), "data:x;base64,Zm9vYmFy");
    }
}
