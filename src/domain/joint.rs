//! Joint complaints (共同投诉, Order 121 Art. 12): two or more complainants with the same
//! dispute against the same business may, with their consent, be handled as one complaint
//! with up to two representatives, whose settlement needs the consent of those represented.
//!
//! A complaint joins another (`join_into`): it is folded in like a merge (state `merged`, link
//! `joined_into`, counted once), and its complainant becomes one of the joint complaint's.

use super::workflow::Refusal;

/// The link relation from a complaint to the joint complaint it joined.
pub const JOINED_INTO: &str = "joined_into";

/// Art. 12: "可以推选一至二名代表人".
pub const MAX_REPRESENTATIVES: usize = 2;

fn refuse(field: &'static str, code: &'static str, message: &str) -> Refusal {
    Refusal::Invalid {
        field,
        code,
        message: message.to_owned(),
    }
}

/// A complaint joins a joint complaint only with its complainant's consent.
pub fn check_consent(consent: bool) -> Result<(), Refusal> {
    if consent {
        Ok(())
    } else {
        Err(refuse(
            "consent",
            "consent_required",
            "请勾选「投诉人已同意作为共同投诉处理」：共同投诉须经投诉人同意（第121号令第十二条）",
        ))
    }
}

/// A settlement reached by the representatives of a joint complaint binds those represented
/// only with their consent.
pub fn check_settlement(joint: bool, represented_consent: bool) -> Result<(), Refusal> {
    if joint && !represented_consent {
        Err(refuse(
            "represented_consent",
            "represented_consent_required",
            "这是共同投诉：代表人达成的调解协议须经被代表的投诉人同意，请确认后勾选（第121号令第十二条）",
        ))
    } else {
        Ok(())
    }
}

/// Checks the representatives named against the joint complaint's members (its own case
/// number first, then the complaints that joined it) and returns them in order, deduplicated.
pub fn representatives(
    members: &[String],
    first: &str,
    second: Option<&str>,
) -> Result<Vec<String>, Refusal> {
    if members.len() < 2 {
        return Err(refuse(
            "first",
            "not_joint",
            "本案不是共同投诉：请先将其他投诉人的投诉并入本案",
        ));
    }
    let mut chosen: Vec<String> = Vec::with_capacity(MAX_REPRESENTATIVES);
    for (field, raw) in [("first", Some(first)), ("second", second)] {
        let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
            continue;
        };
        let Some(member) = members.iter().find(|m| m.eq_ignore_ascii_case(raw)) else {
            return Err(refuse(
                field,
                "not_a_member",
                "代表人须是本共同投诉的投诉人之一（填写其投诉的案件编号）",
            ));
        };
        if !chosen.contains(member) {
            chosen.push(member.clone());
        }
    }
    if chosen.is_empty() {
        return Err(refuse(
            "first",
            "required",
            "请填写「代表人（其投诉的案件编号）」",
        ));
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<impl std::fmt::Debug, Refusal>) -> &'static str {
        match r {
            Err(Refusal::Invalid { field, .. }) => field,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn joining_needs_consent() {
        assert!(check_consent(true).is_ok());
        assert_eq!(field(check_consent(false)), "consent");
    }

    #[test]
    fn a_joint_settlement_needs_the_consent_of_those_represented() {
        assert!(check_settlement(false, false).is_ok());
        assert!(check_settlement(true, true).is_ok());
        assert_eq!(field(check_settlement(true, false)), "represented_consent");
    }

    #[test]
    fn representatives_are_one_or_two_members() {
        let members = ["TS-2026-000001", "TS-2026-000002", "TS-2026-000003"].map(String::from);
        assert_eq!(
            representatives(&members, "ts-2026-000002", Some("TS-2026-000003")).ok(),
            Some(vec!["TS-2026-000002".into(), "TS-2026-000003".into()])
        );
        assert_eq!(
            representatives(&members, "TS-2026-000001", Some("TS-2026-000001")).ok(),
            Some(vec!["TS-2026-000001".into()])
        );
        assert_eq!(
            field(representatives(
                &members,
                "TS-2026-000001",
                Some("TS-2026-000009")
            )),
            "second"
        );
        assert_eq!(field(representatives(&members, " ", None)), "first");
        assert_eq!(
            field(representatives(&members[..1], "TS-2026-000001", None)),
            "first"
        );
    }
}
