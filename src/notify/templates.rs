//! Chinese subject and plain-text body of each notice.
//!
//! A message carries only what its recipient already knows or is entitled to: the case
//! number, dates and the decision. Never the tracking token, and never the other party's
//! personal data.

use chrono::{Datelike, NaiveDate};

use super::{DocumentLink, Notice};

pub const SENDER_NAME: &str = "江门市市场监督管理局";

const FOOTER: &str = "此邮件由系统自动发送，请勿直接回复。";

/// Renders a notice into `(subject, body)`. Every subject contains the case number.
pub fn render(notice: &Notice) -> (String, String) {
    render_with(notice, None)
}

/// Renders a notice that also names the document the step issued, with the link where its
/// recipient reads it as issued. Only the bureau's own words: the title and the number.
pub fn render_with(notice: &Notice, document: Option<&DocumentLink>) -> (String, String) {
    let (subject, greeting, text) = match notice {
        Notice::Acknowledgement {
            case_no,
            kind_label,
            due,
            track_url,
            verify_url,
        } => (
            format!("您的{kind_label}已收到（编号 {case_no}）"),
            "您好：",
            format!(
                "您提交的{kind_label}已收到，编号为 {case_no}。\n\
                 我局将在 {} 前依法作出处理（按工作日计算，法定节假日不计入）。\n\n\
                 您可以凭编号和提交时显示的查询码查看办理进度：\n{track_url}\n\n\
                 查询码只在提交时显示一次，请妥善保管。工作人员不会向您索要查询码。{}",
                date(*due),
                verify_url.as_deref().map_or(String::new(), |url| format!(
                    "\n\n请打开以下链接确认这是您的邮箱。确认之前，我局不会再向本邮箱发送办理情况；\
                     如果您没有提交过{kind_label}，请忽略本邮件：\n{url}"
                ))
            ),
        ),
        Notice::Accepted {
            case_no,
            mediation_due,
        } => (
            format!("您的投诉已受理（编号 {case_no}）"),
            "您好：",
            format!(
                "您的投诉（编号 {case_no}）已经受理，进入调解程序。\n\
                 调解期限至 {}；检测、鉴定所需时间不计入调解期限。\n\
                 调解人员将与您联系，请保持电话畅通。",
                date(*mediation_due)
            ),
        ),
        Notice::NotAccepted { case_no, reason } => (
            format!("您的投诉不予受理（编号 {case_no}）"),
            "您好：",
            format!(
                "经审查，您的投诉（编号 {case_no}）不予受理。\n理由：{reason}\n\n\
                 您可以通过其他合法途径解决消费纠纷，如向人民法院起诉、申请仲裁或向消费者协会求助。"
            ),
        ),
        Notice::OdrNotice {
            case_no,
            title,
            due,
        } => (
            format!("在线消费纠纷待协商处理（编号 {case_no}）"),
            "贵单位负责人：",
            format!(
                "贵单位作为在线消费纠纷解决（ODR）单位，收到一件消费者投诉。\n\
                 编号：{case_no}\n事由：{title}\n\n\
                 请于 {} 前与消费者直接协商处理，并在系统中如实记录协商的时间、过程、方式和结果。\n\
                 逾期未和解或消费者不接受处理结果的，投诉将转入市场监督管理部门受理程序。",
                date(*due)
            ),
        ),
        Notice::Reminder {
            case_no,
            clock_label,
            due,
        } => (
            format!("办理期限提醒（编号 {case_no}）"),
            "您好：",
            format!(
                "您承办的案件（编号 {case_no}）的“{clock_label}”期限将于 {} 届满，请及时处理。",
                date(*due)
            ),
        ),
        Notice::Outcome { case_no, outcome } => (
            format!("案件办理结果通知（编号 {case_no}）"),
            "您好：",
            format!("您的案件（编号 {case_no}）办理结果如下：\n{outcome}"),
        ),
        Notice::RatingInvitation {
            case_no,
            until,
            track_url,
        } => (
            format!("邀请您评价办理结果（编号 {case_no}）"),
            "您好：",
            format!(
                "您的投诉（编号 {case_no}）已办结。欢迎您在 {} 前对办理结果作出评价，\
                 您的意见将帮助我们改进工作：\n{track_url}",
                date(*until)
            ),
        ),
        Notice::ReporterNotice { case_no, outcome } => (
            format!("举报处理情况告知（编号 {case_no}）"),
            "您好：",
            format!(
                "您的举报（编号 {case_no}）处理情况如下：\n{outcome}\n\n\
                 我局依法对举报人信息予以保密。感谢您对市场监管工作的支持。"
            ),
        ),
        Notice::Message {
            case_no,
            from,
            text,
        } => (
            format!("案件留言（编号 {case_no}）"),
            "您好：",
            format!("关于案件（编号 {case_no}），{from}留言如下：\n\n{text}"),
        ),
        Notice::NewMessage { case_no, url } => (
            format!("案件有新留言（编号 {case_no}）"),
            "您好：",
            format!(
                "案件（编号 {case_no}）有新留言。为保护当事人信息，留言内容不在邮件中转述，\
                 请在以下页面查看（消费者凭案件编号和查询码查看，企业和工作人员请登录后查看）：\n{url}"
            ),
        ),
        Notice::DocumentIssued { case_no } => (
            format!("案件文书送达通知（编号 {case_no}）"),
            "贵单位负责人：",
            format!("关于贵单位被投诉的案件（编号 {case_no}），我局已出具文书。"),
        ),
        Notice::IdentityRequest { case_no, due } => (
            format!("限期提供身份证明材料通知（编号 {case_no}）"),
            "您好：",
            format!(
                "为核实投诉人身份，请于 {} 前向我局提供身份证明材料（编号 {case_no}），\
                 可在案件查询页面留言或到办理窗口出示。逾期未提供的，我局可以依法不予受理。",
                date(*due)
            ),
        ),
    };
    let served = document.map_or_else(String::new, |d| {
        format!(
            "\n\n我局已出具《{}》（{}），请在以下页面查看或打印（消费者凭案件编号和查询码查看，\
             企业请登录后查看）：\n{}",
            one_line(&d.title),
            one_line(&d.number),
            d.url
        )
    });
    let body = format!("{greeting}\n\n{text}{served}\n\n{SENDER_NAME}\n\n{FOOTER}\n");
    (format!("【{SENDER_NAME}】{}", one_line(&subject)), body)
}

/// `2026年12月1日`.
pub fn date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A header value must stay on one line whatever the caller put into it.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn all() -> Vec<Notice> {
        let case_no = "TS-2026-000001".to_owned();
        let url = "https://odr.example.cn/track/TS-2026-000001".to_owned();
        vec![
            Notice::Acknowledgement {
                case_no: case_no.clone(),
                kind_label: crate::domain::case::CaseKind::Complaint.label_zh().into(),
                due: day(2026, 12, 1),
                track_url: url.clone(),
                verify_url: Some(format!("{url}/verify?code=0123")),
            },
            Notice::Accepted {
                case_no: case_no.clone(),
                mediation_due: day(2027, 2, 3),
            },
            Notice::NotAccepted {
                case_no: case_no.clone(),
                reason: "不属于本局职责范围".into(),
            },
            Notice::IdentityRequest {
                case_no: case_no.clone(),
                due: day(2026, 5, 15),
            },
            Notice::OdrNotice {
                case_no: case_no.clone(),
                title: "面膜使用后皮肤过敏红肿".into(),
                due: day(2026, 12, 4),
            },
            Notice::Reminder {
                case_no: case_no.clone(),
                clock_label: "受理决定".into(),
                due: day(2026, 12, 1),
            },
            Notice::Outcome {
                case_no: case_no.clone(),
                outcome: "调解成功，双方达成协议".into(),
            },
            Notice::RatingInvitation {
                case_no: case_no.clone(),
                until: day(2026, 12, 21),
                track_url: url,
            },
            Notice::ReporterNotice {
                case_no: "JB-2026-000001".into(),
                outcome: "已立案调查".into(),
            },
            Notice::Message {
                case_no: case_no.clone(),
                from: "调解员".into(),
                text: "请补充购物凭证。".into(),
            },
            Notice::DocumentIssued {
                case_no: case_no.clone(),
            },
            Notice::NewMessage {
                url: format!("https://odr.example.cn/track/{case_no}"),
                case_no,
            },
        ]
    }

    #[test]
    fn every_subject_names_the_case_and_every_body_is_signed() {
        for notice in all() {
            let (subject, body) = render(&notice);
            assert!(
                subject.contains("TS-2026-000001") || subject.contains("JB-2026-000001"),
                "{subject}"
            );
            assert!(subject.starts_with("【江门市市场监督管理局】"), "{subject}");
            assert!(body.contains("\n江门市市场监督管理局\n"), "{body}");
            assert!(!subject.contains('\n'));
        }
    }

    #[test]
    fn dates_are_written_the_chinese_way_and_tokens_never_appear() {
        let (_, body) = render(&all()[0]);
        assert!(body.contains("2026年12月1日"), "{body}");
        assert!(body.contains("https://odr.example.cn/track/TS-2026-000001"));
        assert!(
            body.contains("/track/TS-2026-000001/verify?code=0123"),
            "{body}"
        );
        let (_, body) = render(&all()[1]);
        assert!(body.contains("2027年2月3日"), "{body}");
    }

    #[test]
    fn a_document_is_named_with_its_link_above_the_signature() {
        let link = DocumentLink {
            title: "投诉受理决定书".into(),
            number: "江蓬市监投受〔2026〕第1号".into(),
            url: "https://odr.example.cn/track/TS-2026-000001/documents/7".into(),
        };
        let (_, plain) = render(&all()[1]);
        let (_, body) = render_with(&all()[1], Some(&link));
        assert!(!plain.contains("documents/7"), "{plain}");
        let named = body.find("《投诉受理决定书》（江蓬市监投受〔2026〕第1号）");
        let linked = body.find("/track/TS-2026-000001/documents/7");
        let signed = body.find("\n江门市市场监督管理局\n");
        assert!(
            named < linked && linked < signed && named.is_some(),
            "{body}"
        );
    }

    #[test]
    fn line_breaks_cannot_reach_the_subject() {
        let (subject, _) = render(&Notice::Outcome {
            case_no: "TS-2026-000001\r\nBcc: x@example.com".into(),
            outcome: "已撤回".into(),
        });
        assert!(
            !subject.contains('\r') && !subject.contains('\n'),
            "{subject}"
        );
    }
}
