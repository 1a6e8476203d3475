//! The steps that can be taken on a case, as a field-less kind: their wire names, Chinese
//! labels and the inputs each needs. Forms, refusals and timelines all read them from here.

use serde::{Deserialize, Serialize};

use super::case::{CaseKind, CaseState};

macro_rules! action_kinds {
    ($($variant:ident => $code:literal, $label:literal, $done:literal;)*) => {
        /// The kind of a workflow step; its serde name is the `action` of the request body
        /// and the `kind` of the stored event.
        #[derive(
            Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum ActionKind { $($variant),* }

        impl ActionKind {
            pub const ALL: [ActionKind; [$($code),*].len()] = [$(ActionKind::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(ActionKind::$variant => $code),* }
            }
            /// The step as offered: a button or form title.
            pub fn label_zh(self) -> &'static str {
                match self { $(ActionKind::$variant => $label),* }
            }
            /// The step once done, as timelines show it.
            pub fn event_label_zh(self) -> &'static str {
                match self { $(ActionKind::$variant => $done),* }
            }
        }
    };
}

action_kinds! {
    Accept => "accept", "受理", "已受理";
    NotAccept => "not_accept", "不予受理", "不予受理";
    Transfer => "transfer", "转办", "已转办";
    Pause => "pause", "中止调解", "调解中止";
    Resume => "resume", "恢复调解", "恢复调解";
    Settle => "settle", "调解成功结案", "调解成功";
    Terminate => "terminate", "终止调解", "终止调解";
    Withdraw => "withdraw", "撤回", "已撤回";
    Reopen => "reopen", "重新处理", "重新处理";
    MergeInto => "merge_into", "合并到其他案件", "已合并至其他案件";
    Assign => "assign", "分派", "分派";
    Note => "note", "添加内部备注", "内部备注";
    Message => "message", "发送消息", "发送消息";
    OdrAnswer => "odr_answer", "答复并提出处理方案", "企业已答复";
    ConsumerAccept => "consumer_accept", "接受企业方案", "消费者接受企业方案";
    ConsumerReject => "consumer_reject", "不接受企业方案", "消费者不接受企业方案，转入受理";
    Rate => "rate", "评价", "已评价";
    OpenCase => "open_case", "立案", "已立案";
    NotOpen => "not_open", "不予立案", "不予立案";
    NotifyReporter => "notify_reporter", "告知举报人处理结果", "已告知举报人";
    SubmitReferral => "submit_referral", "已报送不良反应监测信息", "报送不良反应监测信息";
    OdrExpire => "odr_expire", "企业协商期满", "企业协商期满未解决，转入受理";
    ExtendVerification => "extend_verification", "延长核查期限", "核查期限已延长";
    JoinInto => "join_into", "并入共同投诉", "已并入共同投诉";
    SetRepresentatives => "set_representatives", "确定共同投诉代表人", "已确定共同投诉代表人";
    RequestIdentity => "request_identity", "限期提供身份证明材料", "要求限期提供身份证明材料";
    ProvideIdentity => "provide_identity", "已提供身份证明材料", "已提供身份证明材料";
    Dispatch => "dispatch", "分送至辖区局", "已分送";
    ReturnToDispatcher => "return_to_dispatcher", "退回统一接收机构", "已退回统一接收机构";
    MarkRepeated => "mark_repeated", "认定为重复举报", "重复举报，不再重复处理";
    MergeReport => "merge_report", "并入此前举报（有新线索）", "已并入此前举报";
    OpenLeadReport => "open_lead_report", "登记调解中发现的违法线索", "登记违法线索";
    ReferReporter => "refer_reporter", "告知向有权机关举报", "已告知向有权机关举报";
    RecordNotice => "record_notice", "记录终止调解告知", "已告知终止调解";
    FollowUp => "follow_up", "记录回访", "已回访";
    ConfirmAgreement => "confirm_agreement", "确认调解书", "已在线确认调解书";
    RecordSignedAgreement => "record_signed_agreement", "上传双方签字的纸质调解书", "已上传双方签字的纸质调解书";
    CorrectDocument => "correct_document", "更正文书", "已更正文书";
}

impl ActionKind {
    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The step as offered on a case of `case`: pausing and resuming a report stops and
    /// restarts its verification, not a mediation.
    pub fn label_for(self, case: CaseKind) -> &'static str {
        match (self, case) {
            (ActionKind::Pause, CaseKind::Report) => "中止核查（检测、鉴定、权利人辨认鉴别）",
            (ActionKind::Resume, CaseKind::Report) => "恢复核查",
            _ => self.label_zh(),
        }
    }

    /// The step once done, worded by the state it led to (see `label_for`).
    pub fn event_label_to(self, to: Option<CaseState>) -> &'static str {
        match (self, to) {
            (ActionKind::Pause, Some(CaseState::VerificationPaused)) => "核查中止",
            (ActionKind::Resume, Some(CaseState::PendingVerification)) => "恢复核查",
            _ => self.event_label_zh(),
        }
    }

    /// How the parties' timelines (complainant, reporter, business) show the step once done.
    /// Exhaustive on purpose: a new step must decide what the parties may learn of it.
    pub fn party_line(self) -> PartyLine {
        use ActionKind as A;
        use PartyLine as P;
        match self {
            // Dispatch happens between the city's intake unit and its bureaus.
            A::Note
            | A::Assign
            | A::Message
            | A::SubmitReferral
            | A::Dispatch
            | A::ReturnToDispatcher
            // A lead is verified apart from the complaint, unknown to its parties (Art. 37).
            | A::OpenLeadReport
            // How the bureau told the parties, and its follow-up visits, are its own records.
            | A::RecordNotice
            | A::FollowUp
            // A correction's reason and fields may concern a staff-only document; the parties
            // see the corrected document itself in their list.
            | A::CorrectDocument => P::Hidden,
            // Who confirmed or signed the 调解书, not its text.
            A::ConfirmAgreement | A::RecordSignedAgreement => P::LabelOnly,
            // What they decided names other complainants' cases.
            A::JoinInto | A::SetRepresentatives => P::LabelOnly,
            A::Accept
            | A::NotAccept
            | A::Transfer
            | A::Pause
            | A::Resume
            | A::Settle
            | A::Terminate
            | A::Withdraw
            | A::Reopen
            | A::MergeInto
            | A::OdrAnswer
            | A::ConsumerAccept
            | A::ConsumerReject
            | A::Rate
            | A::OpenCase
            | A::NotOpen
            | A::NotifyReporter
            | A::OdrExpire
            | A::ExtendVerification
            | A::RequestIdentity
            | A::ProvideIdentity
            | A::MarkRepeated
            | A::MergeReport
            | A::ReferReporter => P::Full,
        }
    }

    /// Only the deadline sweep takes this step; no person is offered it.
    pub fn is_sweep_only(self) -> bool {
        self == ActionKind::OdrExpire
    }

    /// The inputs of the step, in the order a form shows them.
    pub fn fields(self) -> &'static [FieldSpec] {
        use ActionKind as A;
        match self {
            A::NotAccept => NOT_ACCEPT,
            A::Terminate => TERMINATE,
            A::Pause => PAUSE,
            A::Transfer => TRANSFER,
            A::Settle => SETTLE,
            A::Reopen => REOPEN,
            A::MergeInto => MERGE_INTO,
            A::Assign => ASSIGN,
            A::Note => NOTE,
            A::Message => MESSAGE,
            A::OdrAnswer => ODR_ANSWER,
            A::ConsumerReject => CONSUMER_REJECT,
            A::Rate => RATE,
            A::OpenCase => OPEN_CASE,
            A::NotOpen => NOT_OPEN,
            A::NotifyReporter => NOTIFY_REPORTER,
            A::ExtendVerification => EXTEND_VERIFICATION,
            A::JoinInto => JOIN_INTO,
            A::SetRepresentatives => SET_REPRESENTATIVES,
            A::RequestIdentity => REQUEST_IDENTITY,
            A::ProvideIdentity => PROVIDE_IDENTITY,
            A::Dispatch => DISPATCH,
            A::ReturnToDispatcher => RETURN_TO_DISPATCHER,
            A::MarkRepeated => MARK_REPEATED,
            A::MergeReport => MERGE_REPORT,
            A::OpenLeadReport => OPEN_LEAD_REPORT,
            A::ReferReporter => REFER_REPORTER,
            A::RecordNotice => RECORD_NOTICE,
            A::FollowUp => FOLLOW_UP,
            A::ConfirmAgreement => CONFIRM_AGREEMENT,
            A::RecordSignedAgreement => RECORD_SIGNED_AGREEMENT,
            A::CorrectDocument => CORRECT_DOCUMENT,
            A::Accept
            | A::Resume
            | A::Withdraw
            | A::ConsumerAccept
            | A::SubmitReferral
            | A::OdrExpire => &[],
        }
    }
}

const fn required(name: &'static str, label: &'static str, input: Input) -> FieldSpec {
    FieldSpec {
        name,
        label,
        input,
        required: true,
    }
}

const fn optional(name: &'static str, label: &'static str, input: Input) -> FieldSpec {
    FieldSpec {
        name,
        label,
        input,
        required: false,
    }
}

use CodeList as C;
use Input as I;

const DETAIL: FieldSpec = optional("detail", "说明", I::LongText);
const NOT_ACCEPT: &[FieldSpec] = &[
    required("reason", "不予受理理由", I::Select(C::NotAcceptReason)),
    DETAIL,
];
const TERMINATE: &[FieldSpec] = &[
    required("reason", "终止理由", I::Select(C::TerminationReason)),
    DETAIL,
    // Only with fraudulent_claim (Order 121 Art. 42); staff-only.
    optional("police_unit", "移送的公安机关（仅第四十二条情形）", I::Text),
    optional("referred_on", "移送日期（仅第四十二条情形）", I::Date),
];
const PAUSE: &[FieldSpec] = &[required("reason", "中止原因", I::Select(C::PauseReason))];
const TRANSFER: &[FieldSpec] = &[
    required("bureau", "转至", I::Select(C::Bureau)),
    required("reason", "转办原因", I::LongText),
];
const SETTLE: &[FieldSpec] = &[
    required("agreement", "调解协议内容", I::LongText),
    optional(
        "recovered_fen",
        "挽回经济损失（元）",
        I::Money {
            yuan_field: "amount",
        },
    ),
    optional(
        "represented_consent",
        "共同投诉：被代表的投诉人已同意本调解协议",
        I::Checkbox,
    ),
    optional("agreement_form", "调解书", I::Select(C::AgreementForm)),
    optional("performance_due", "履行期限", I::Date),
];
const REOPEN: &[FieldSpec] = &[optional("reason", "重新处理原因", I::LongText)];
const MERGE_INTO: &[FieldSpec] = &[required("case_no", "合并到案件编号", I::CaseNo)];
const ASSIGN: &[FieldSpec] = &[required("user", "分派给", I::User)];
const NOTE: &[FieldSpec] = &[required("text", "备注内容（仅内部可见）", I::LongText)];
const MESSAGE: &[FieldSpec] = &[
    required("to", "发送给", I::Select(C::Recipient)),
    required("text", "消息内容", I::LongText),
];
const ODR_ANSWER: &[FieldSpec] = &[required("proposal", "处理方案", I::LongText)];
const CONSUMER_REJECT: &[FieldSpec] = &[optional("reason", "不接受的理由", I::LongText)];
const RATE: &[FieldSpec] = &[
    required("score", "评分（1至5分）", I::Integer),
    optional("comment", "评价内容", I::LongText),
];
const OPEN_CASE: &[FieldSpec] = &[optional("detail", "立案说明", I::LongText)];
const NOT_OPEN: &[FieldSpec] = &[required("reason", "不予立案理由", I::LongText)];
const NOTIFY_REPORTER: &[FieldSpec] = &[optional("text", "告知内容", I::LongText)];
const EXTEND_VERIFICATION: &[FieldSpec] = &[required("reason", "延长理由", I::LongText)];
const JOIN_INTO: &[FieldSpec] = &[
    required("case_no", "共同投诉的案件编号", I::CaseNo),
    required("consent", "投诉人已同意作为共同投诉处理", I::Checkbox),
];
const SET_REPRESENTATIVES: &[FieldSpec] = &[
    required("first", "代表人（其投诉的案件编号）", I::CaseNo),
    optional("second", "第二名代表人（其投诉的案件编号）", I::CaseNo),
];

/// What a party's timeline shows of a step: nothing (internal work), its name only, or its
/// name with what it decided.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PartyLine {
    Hidden,
    LabelOnly,
    Full,
}
const REQUEST_IDENTITY: &[FieldSpec] = &[required("due", "提供期限", I::Date), DETAIL];
const PROVIDE_IDENTITY: &[FieldSpec] = &[optional("detail", "所提供的材料", I::LongText)];
const DISPATCH: &[FieldSpec] = &[required("bureau", "分送至", I::Select(C::CityBureau))];
const RETURN_TO_DISPATCHER: &[FieldSpec] = &[required(
    "reason",
    "退回理由（本局无管辖权的依据）",
    I::LongText,
)];
const MARK_REPEATED: &[FieldSpec] = &[required("case_no", "此前举报编号", I::CaseNo), DETAIL];
const MERGE_REPORT: &[FieldSpec] = &[required("case_no", "并入的此前举报编号", I::CaseNo)];
const OPEN_LEAD_REPORT: &[FieldSpec] = &[required(
    "detail",
    "线索内容（仅内部可见，另立举报核查）",
    I::LongText,
)];
const REFER_REPORTER: &[FieldSpec] = &[required("where", "有权处理的机关", I::Text), DETAIL];
const RECORD_NOTICE: &[FieldSpec] = &[
    required("party", "告知对象", I::Select(C::NoticeParty)),
    required("means", "告知方式", I::Select(C::NoticeMeans)),
    required("date", "告知日期（如 2026-10-09）", I::Text),
    DETAIL,
];
const FOLLOW_UP: &[FieldSpec] = &[
    required("fulfilled", "调解协议履行情况", I::Select(C::Fulfilled)),
    required("view", "消费者评价", I::Select(C::ConsumerView)),
    DETAIL,
];

const CONFIRM_AGREEMENT: &[FieldSpec] =
    &[required("document_id", "调解书（文书编号 id）", I::Integer)];
const RECORD_SIGNED_AGREEMENT: &[FieldSpec] = &[
    required("document_id", "调解书（文书编号 id）", I::Integer),
    required("attachment_id", "双方签字的纸质调解书扫描件", I::Integer),
];
/// The kind's own fields to change go in `fields` (API only); the form re-issues the text.
const CORRECT_DOCUMENT: &[FieldSpec] = &[
    required("document_id", "被更正的文书", I::Select(C::Document)),
    required("reason", "更正理由", I::LongText),
];

/// One input of a step.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FieldSpec {
    /// The key in the JSON request body.
    pub name: &'static str,
    /// What the input is called, on its label and in messages; whether it is needed is
    /// drawn from `required`.
    pub label: &'static str,
    pub input: Input,
    /// A required select must be chosen; a required text is sent even when empty, so that the
    /// workflow says what is missing. An optional input left empty is not sent.
    pub required: bool,
}

impl FieldSpec {
    /// The name the input posts under in a form.
    pub fn form_name(&self) -> &'static str {
        match self.input {
            Input::Money { yuan_field } => yuan_field,
            _ => self.name,
        }
    }

    /// What to say when the input was left empty, naming it: "请填写「调解协议内容」".
    pub fn missing_message(&self) -> String {
        let verb = match self.input {
            Input::Select(_) | Input::User => "请选择",
            Input::Checkbox => "请勾选",
            _ => "请填写",
        };
        format!("{verb}「{}」", self.label)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Input {
    Text,
    LongText,
    Select(CodeList),
    /// Typed in yuan under its own form name, sent as integer fen.
    Money {
        yuan_field: &'static str,
    },
    Integer,
    /// A date, `YYYY-MM-DD`.
    Date,
    Checkbox,
    /// Another case's number.
    CaseNo,
    /// A staff user, by e-mail.
    User,
}

/// The values a select offers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CodeList {
    NotAcceptReason,
    TerminationReason,
    PauseReason,
    /// `workflow::Recipient`; which ones depend on who writes.
    Recipient,
    /// A district code of the city, or [`OUTSIDE_BUREAU`] for out of jurisdiction.
    Bureau,
    /// A district code of the city (dispatch by the unified intake unit).
    CityBureau,
    /// `aftercare::NoticeParty`.
    NoticeParty,
    /// `aftercare::NoticeMeans`.
    NoticeMeans,
    /// `aftercare::Fulfilled`.
    Fulfilled,
    /// `aftercare::ConsumerView`.
    ConsumerView,
    /// `documents::AgreementForm`.
    AgreementForm,
    /// One of the case's issued documents, by id (sent as an integer).
    Document,
}

/// The bureau choice for "outside the city", sent as `outside: true` instead of a `bureau`.
pub const OUTSIDE_BUREAU: &str = "outside";

#[cfg(test)]
#[path = "action_tests.rs"]
pub(crate) mod tests;
