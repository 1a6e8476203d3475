//! How a logged step reads in Chinese: who took it, and what it decided (the agreement, the
//! amount recovered, the proposal, the reason). Timelines and the notice after a step all
//! read it from here, so a decision is worded the same on every page.

use super::action::ActionKind;
use super::case::CaseState;
use super::codes::{NotAcceptReason, PauseReason, TerminationReason};
use super::documents::DocKind;
use super::event_payload::EventPayload;
use super::ids::grouped_yuan;
use super::taxonomy::Channel;
use super::workflow::Actor;

/// The Chinese name of whoever is logged as `actor` (the event's `actor`, with its
/// `actor_role`): staff by their account, the public and token holders by how they came in.
pub fn actor_zh(actor: &str, actor_role: &str) -> String {
    match actor {
        "public" => "公众".into(),
        "tracking-token" => "查询码".into(),
        "system" => Actor::System.label_zh().into(),
        a if a.starts_with("wechat:") => "微信小程序用户".into(),
        a => match Actor::parse(actor_role) {
            Some(role) => format!("{a}（{}）", role.label_zh()),
            None => a.into(),
        },
    }
}

/// What a step decided, in words; `None` for a step with nothing to say beyond its name.
/// Notes and messages are not here: they have their own lists with their own readers.
pub fn substance(kind: &str, payload: &EventPayload) -> Option<String> {
    let text = |key| payload.str_of(key).map(str::trim).filter(|t| !t.is_empty());
    let with_detail = |reason: Option<&str>, detail: Option<&str>| {
        let parts: Vec<&str> = reason.into_iter().chain(detail).collect();
        (!parts.is_empty()).then(|| format!("原因：{}", parts.join("；")))
    };
    let code = |key| payload.str_of(key);
    if kind == super::clocks::REPORT_MERGED {
        let from = text("case_no")?;
        return Some(match text("restarts_on") {
            Some(on) => format!("并入 {from}，核查期限自 {on} 起重新计算"),
            None => format!("并入 {from}"),
        });
    }
    // `service::documents::DOCUMENT_ISSUED`: the document's title and number (staff only).
    if kind == "document_issued" {
        // The title it was issued under; events logged before titles were, the kind's name.
        let title = text("title").map(str::to_owned).or_else(|| {
            code("kind")
                .and_then(DocKind::parse)
                .map(|k| k.label_zh().to_owned())
        })?;
        return Some(match text("number") {
            Some(number) => format!("{title}（{number}）"),
            None => title,
        });
    }
    // `service::workorders::WORK_ORDER_CHANGED` (staff only): which work order to compare.
    if kind == "work_order_changed" {
        return text("registration_no").map(|n| format!("登记编号 {n}，请对照平台工单核对"));
    }
    if kind == "submitted" {
        let channel = code("channel").and_then(|c| c.parse::<Channel>().ok())?;
        return Some(format!("渠道：{}", channel.label_zh()));
    }
    match ActionKind::parse(kind)? {
        ActionKind::Settle => {
            let agreement = text("agreement").map(|a| format!("达成协议：{a}"));
            let recovered = payload
                .recovered_fen()
                .map(|f| format!("挽回经济损失 ¥{}", grouped_yuan(f)));
            let consent = (payload.bool_of("represented_consent") == Some(true))
                .then(|| "被代表的投诉人已同意".to_owned());
            let parts: Vec<String> = agreement
                .into_iter()
                .chain(recovered)
                .chain(consent)
                .collect();
            (!parts.is_empty()).then(|| parts.join("；"))
        }
        ActionKind::NotAccept => with_detail(
            code("reason")
                .and_then(NotAcceptReason::parse)
                .map(NotAcceptReason::label_zh),
            text("detail"),
        ),
        ActionKind::Terminate => with_detail(
            code("reason")
                .and_then(TerminationReason::parse)
                .map(TerminationReason::label_zh),
            text("detail"),
        ),
        ActionKind::Pause => with_detail(
            code("reason")
                .and_then(PauseReason::parse)
                .map(PauseReason::label_zh),
            None,
        ),
        ActionKind::Transfer => {
            let outside = payload.bool_of("outside") == Some(true);
            with_detail(outside.then_some("移出本市辖区"), text("reason"))
        }
        ActionKind::Reopen
        | ActionKind::ConsumerReject
        | ActionKind::NotOpen
        | ActionKind::ExtendVerification
        | ActionKind::ReturnToDispatcher => with_detail(None, text("reason")),
        ActionKind::Dispatch => text("bureau").map(|b| {
            let name = super::labels::code_label("district", b).unwrap_or_else(|| b.to_owned());
            format!("分送至{name}")
        }),
        ActionKind::OdrAnswer => text("proposal").map(|p| format!("处理方案：{p}")),
        ActionKind::MergeInto | ActionKind::JoinInto => {
            text("case_no").map(|n| format!("并入 {n}"))
        }
        ActionKind::SetRepresentatives => {
            let chosen: Vec<&str> = text("first").into_iter().chain(text("second")).collect();
            (!chosen.is_empty()).then(|| format!("代表人：{}", chosen.join("、")))
        }
        ActionKind::Rate => payload.int_of("score").map(|s| format!("{s} 分")),
        ActionKind::NotifyReporter => text("text").map(|t| format!("告知内容：{t}")),
        ActionKind::RequestIdentity => {
            let due = code("due").map(|d| format!("请于 {d} 前提供身份证明材料"));
            let parts: Vec<&str> = due.as_deref().into_iter().chain(text("detail")).collect();
            (!parts.is_empty()).then(|| parts.join("；"))
        }
        ActionKind::ProvideIdentity => text("detail").map(|d| format!("材料：{d}")),
        ActionKind::MarkRepeated => {
            let earlier = text("case_no").map(|n| format!("与此前举报 {n} 重复"));
            let parts: Vec<String> = earlier
                .into_iter()
                .chain(text("detail").map(Into::into))
                .collect();
            (!parts.is_empty()).then(|| parts.join("；"))
        }
        ActionKind::MergeReport => text("case_no").map(|n| format!("并入 {n}，其核查期限重新计算")),
        ActionKind::OpenLeadReport => {
            let report = text("linked_case_no").map(|n| format!("另立举报 {n}"));
            let parts: Vec<String> = report
                .into_iter()
                .chain(text("detail").map(|d| format!("线索：{d}")))
                .collect();
            (!parts.is_empty()).then(|| parts.join("；"))
        }
        ActionKind::ReferReporter => {
            let to = text("where").map(|w| format!("告知向{w}举报"));
            let parts: Vec<String> = to
                .into_iter()
                .chain(text("detail").map(Into::into))
                .collect();
            (!parts.is_empty()).then(|| parts.join("；"))
        }
        ActionKind::RecordNotice => super::aftercare::notice_substance(
            code("party"),
            code("means"),
            code("date"),
            text("detail"),
        ),
        ActionKind::FollowUp => {
            super::aftercare::follow_up_substance(code("fulfilled"), code("view"), text("detail"))
        }
        _ => None,
    }
}

/// One line of a timeline: the step's name, what it decided, and the state it led to only
/// when that adds something (a settlement does not read "调解成功 → 调解成功").
pub fn step_line(label: &str, substance: Option<&str>, to: Option<CaseState>) -> String {
    let mut line = label.to_owned();
    if let Some(s) = substance {
        line.push('，');
        line.push_str(s);
    }
    if let Some(state) = to.map(CaseState::label_zh).filter(|s| !label.contains(s)) {
        line.push_str(&format!("（{state}）"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(json: &str) -> EventPayload {
        EventPayload::parse(json).expect("an object")
    }

    #[test]
    fn a_settlement_reads_with_its_agreement_and_amount_once() {
        let p = payload(r#"{"action":"settle","agreement":"全额退款","recovered_fen":120000}"#);
        let s = substance("settle", &p);
        assert_eq!(
            s.as_deref(),
            Some("达成协议：全额退款；挽回经济损失 ¥1,200.00")
        );
        let line = step_line("调解成功", s.as_deref(), Some(CaseState::Settled));
        assert_eq!(line, "调解成功，达成协议：全额退款；挽回经济损失 ¥1,200.00");
    }

    #[test]
    fn reasons_read_as_their_chinese_labels() {
        let p = payload(r#"{"action":"terminate","reason":"party_absent","detail":"两次未到场"}"#);
        assert_eq!(
            substance("terminate", &p).as_deref(),
            Some("原因：一方拒绝或无正当理由不参加调解；两次未到场")
        );
        let p = payload(r#"{"action":"pause","reason":"testing"}"#);
        assert_eq!(substance("pause", &p).as_deref(), Some("原因：检测"));
    }

    #[test]
    fn actors_read_as_words() {
        assert_eq!(actor_zh("public", "complainant"), "公众");
        assert_eq!(actor_zh("tracking-token", "consumer"), "查询码");
        assert_eq!(
            actor_zh("m@example.gov.cn", "mediator"),
            "m@example.gov.cn（调解员）"
        );
    }
}
