//! Publication of complaint information (Order 121 Art. 38, "依法公示消费投诉信息"): the
//! complainant's consent, the business's public reply, the editor's review, and how a
//! published entry reads. Pure: no I/O, time passed in by the caller.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::case::CaseState;
use super::mask::mask_free_text;

/// Logged when the complainant gives consent after intake (staff only).
pub const CONSENT_GIVEN: &str = "disclosure_consent_given";
/// Logged when the complainant withdraws consent; the entry leaves the public page at once.
pub const CONSENT_WITHDRAWN: &str = "disclosure_consent_withdrawn";
/// Logged when the business writes or changes its public reply.
pub const REPLY_WRITTEN: &str = "disclosure_reply_written";
/// An editor approved the entry as shown in the queue.
pub const APPROVED: &str = "disclosure_approved";
/// An editor refused the entry, with a reason.
pub const REFUSED: &str = "disclosure_refused";

/// The longest public reply a business may write.
pub const REPLY_MAX_CHARS: usize = 500;
/// The longest reason an editor gives for a refusal.
pub const REASON_MAX_CHARS: usize = 200;
/// How many characters of title and description a published summary keeps.
pub const SUMMARY_MAX_CHARS: usize = 120;

/// Where an entry stands with the editors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// Waiting for an editor: new, re-consented, reopened, or its reply changed since approval.
    Queued,
    Approved,
    Refused,
}

impl Review {
    pub fn as_str(self) -> &'static str {
        match self {
            Review::Queued => "queued",
            Review::Approved => "approved",
            Review::Refused => "refused",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Review::Queued => "待审核",
            Review::Approved => "已同意公示",
            Review::Refused => "不予公示",
        }
    }
}

impl FromStr for Review {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Review::Queued, Review::Approved, Review::Refused]
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown review {s:?}"))
    }
}

impl fmt::Display for Review {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text was refused: its code and the message in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRefusal {
    pub code: &'static str,
    pub message: String,
}

fn bounded(raw: &str, max: usize, what: &str) -> Result<String, TextRefusal> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(TextRefusal {
            code: "required",
            message: format!("请填写{what} / {what} is required"),
        });
    }
    if text.chars().count() > max {
        return Err(TextRefusal {
            code: "too_long",
            message: format!("{what}最多 {max} 字 / at most {max} characters"),
        });
    }
    Ok(text.to_owned())
}

/// A business's public reply (公开回复): trimmed, not empty, at most `REPLY_MAX_CHARS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicReply(String);

impl PublicReply {
    pub fn parse(raw: &str) -> Result<PublicReply, TextRefusal> {
        bounded(raw, REPLY_MAX_CHARS, "公开回复").map(PublicReply)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An editor's reason for refusing an entry: trimmed, not empty, at most `REASON_MAX_CHARS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalReason(String);

impl RefusalReason {
    pub fn parse(raw: &str) -> Result<RefusalReason, TextRefusal> {
        bounded(raw, REASON_MAX_CHARS, "不予公示的理由").map(RefusalReason)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The outcomes a closed complaint may be published with: those the bureau reached on it. A
/// complaint merged into another or transferred to another bureau was decided there.
pub const PUBLISHABLE: [CaseState; 4] = [
    CaseState::Settled,
    CaseState::MediationTerminated,
    CaseState::NotAccepted,
    CaseState::Withdrawn,
];

/// Whether a closed complaint in `state` may be published (`PUBLISHABLE`).
pub fn publishable_outcome(state: CaseState) -> bool {
    PUBLISHABLE.contains(&state)
}

/// The published problem summary: title and description joined, masked through
/// `mask_free_text` with the case's personal `names` (and the addresses the parties gave),
/// then shortened. Masking comes first, so no number is cut where its shape is lost.
pub fn summary(title: &str, description: &str, names: &[String]) -> String {
    let joined = format!("{}：{}", title.trim(), description.trim());
    shorten(&mask_free_text(&joined, names), SUMMARY_MAX_CHARS)
}

/// A reply as published: masked like the summary, whole (it is bounded at writing).
pub fn published_reply(reply: &str, names: &[String]) -> String {
    mask_free_text(reply, names)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}

/// Whether consent given again may take effect: always, but it never revives an earlier
/// approval; the entry goes back to the editors' queue (`Review::Queued`).
pub fn review_after_consent(consent: bool, current: Review) -> Review {
    if consent { Review::Queued } else { current }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_bounded_and_trimmed() {
        assert_eq!(
            PublicReply::parse("  已退款 ").map(|r| r.0),
            Ok("已退款".into())
        );
        assert_eq!(
            PublicReply::parse("  ").map_err(|e| e.code),
            Err("required")
        );
        let long = "好".repeat(REPLY_MAX_CHARS + 1);
        assert_eq!(
            PublicReply::parse(&long).map_err(|e| e.code),
            Err("too_long")
        );
        assert!(PublicReply::parse(&"好".repeat(REPLY_MAX_CHARS)).is_ok());
        assert_eq!(
            RefusalReason::parse("").map_err(|e| e.code),
            Err("required")
        );
    }

    #[test]
    fn summaries_are_masked_before_they_are_shortened() {
        let names = vec!["张三".to_owned(), "江门市蓬江区建设路1号".to_owned()];
        let description = format!(
            "张三住江门市蓬江区建设路1号，电话13800138000，邮箱zhang@example.com。{}",
            "很长".repeat(100)
        );
        let s = summary("面膜过敏", &description, &names);
        for planted in ["张三", "建设路1号", "13800138000", "zhang@example.com"] {
            assert!(!s.contains(planted), "{planted} in {s}");
        }
        assert!(s.ends_with('…'));
        assert_eq!(s.chars().count(), SUMMARY_MAX_CHARS + 1);
    }

    #[test]
    fn only_outcomes_reached_here_are_published() {
        assert!(publishable_outcome(CaseState::Settled));
        assert!(!publishable_outcome(CaseState::Merged));
        assert!(!publishable_outcome(CaseState::InMediation));
    }

    #[test]
    fn review_round_trips() {
        for r in [Review::Queued, Review::Approved, Review::Refused] {
            assert_eq!(r.as_str().parse::<Review>(), Ok(r));
        }
    }
}
