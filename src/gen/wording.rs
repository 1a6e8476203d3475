//! What staff, businesses and consumers write when a case moves on: agreements, proposals,
//! reasons and ratings, with reason codes in the shares a county bureau sees.

use fastrand::Rng;

use super::case::yuan_text;
use super::{pick, weighted};
use crate::domain::codes::{NotAcceptReason, TerminationReason};
use crate::domain::policy::PolicyVersion;

const NOT_ACCEPT_REASONS: &[(NotAcceptReason, u32)] = &[
    (NotAcceptReason::NotConsumerDispute, 30),
    (NotAcceptReason::MaterialsMissing, 28),
    (NotAcceptReason::OutsideAuthority, 14),
    (NotAcceptReason::HandledElsewhere, 16),
    (NotAcceptReason::TimeBarred, 3),
    (NotAcceptReason::IdentityUnverified, 5),
    (NotAcceptReason::OtherLegalGround, 4),
];

/// Why a complaint is not accepted, sometimes with a note.
pub fn not_accept(rng: &mut Rng) -> (NotAcceptReason, Option<String>) {
    let reason = weighted(rng, NOT_ACCEPT_REASONS);
    let note = match reason {
        NotAcceptReason::MaterialsMissing => "经联系投诉人补正，逾期未提供购买凭证及联系方式",
        NotAcceptReason::NotConsumerDispute => "所购商品用于经营，不属于生活消费需要",
        NotAcceptReason::HandledElsewhere => "该纠纷已由消费者委员会受理调解",
        NotAcceptReason::OutsideAuthority => {
            "不属于市场监督管理部门职责范围，已告知投诉人向有关部门反映"
        }
        _ => "",
    };
    let detail = (!note.is_empty() && rng.u32(0..100) < 60).then(|| note.to_owned());
    (reason, detail)
}

const TERMINATIONS: &[(TerminationReason, u32)] = &[
    (TerminationReason::AgreementImpossible, 42),
    (TerminationReason::PartyAbsent, 28),
    (TerminationReason::TimeLimit, 8),
    (TerminationReason::NoTestingAgreement, 6),
    (TerminationReason::SettledByParties, 10),
    (TerminationReason::NotAcceptGround, 5),
    (TerminationReason::FraudulentClaim, 1),
];

/// A ground the case's policy version allows: identity_unverified needs an identity request
/// the generator does not make, so it reads as missing materials; a ground the version lacks
/// becomes its nearest one there.
pub fn fit_not_accept(reason: NotAcceptReason, policy: &PolicyVersion) -> NotAcceptReason {
    let allowed = |r| policy.not_accept_grounds.iter().any(|g| g.code == r);
    match reason {
        NotAcceptReason::IdentityUnverified => NotAcceptReason::MaterialsMissing,
        r if allowed(r) => r,
        _ => NotAcceptReason::OtherLegalGround,
    }
}

pub fn fit_termination(reason: TerminationReason, policy: &PolicyVersion) -> TerminationReason {
    use TerminationReason as T;
    let allowed = |r| policy.termination_grounds.iter().any(|g| g.code == r);
    let near = match reason {
        T::NoTestingAgreement => T::TestingFeesDisputed,
        T::TestingFeesDisputed => T::NoTestingAgreement,
        _ => T::OtherLegalGround,
    };
    [reason, near, T::OtherLegalGround, T::AgreementImpossible]
        .into_iter()
        .find(|r| allowed(*r))
        .unwrap_or(reason)
}

pub fn termination(rng: &mut Rng) -> TerminationReason {
    weighted(rng, TERMINATIONS)
}

/// After testing or appraisal: the parties could not agree.
pub fn termination_after_testing(rng: &mut Rng) -> TerminationReason {
    pick(
        rng,
        &[
            TerminationReason::NoTestingAgreement,
            TerminationReason::AgreementImpossible,
        ],
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Remedy {
    Refund,
    PartRefund,
    Exchange,
    Apology,
}

const REMEDIES: &[(Remedy, u32)] = &[
    (Remedy::Refund, 40),
    (Remedy::PartRefund, 32),
    (Remedy::Exchange, 18),
    (Remedy::Apology, 10),
];

/// A mediation agreement and the money it recovered for the consumer, never more than was
/// paid. Without a known price, a modest sum or an apology.
pub fn settlement(rng: &mut Rng, paid_fen: Option<i64>) -> (String, i64) {
    let paid = paid_fen.unwrap_or_else(|| rng.i64(30..800) * 100);
    let remedy = match paid_fen {
        Some(_) => weighted(rng, REMEDIES),
        None if rng.bool() => Remedy::Apology,
        None => Remedy::PartRefund,
    };
    let recovered = match remedy {
        Remedy::Refund | Remedy::Exchange => paid,
        Remedy::PartRefund => paid * rng.i64(30..91) / 100,
        Remedy::Apology => 0,
    };
    let yuan = yuan_text(recovered);
    let agreement = match remedy {
        Remedy::Refund => {
            format!("经调解，双方自愿达成协议：投诉人退回商品，被投诉人一次性退还货款{yuan}元。")
        }
        Remedy::PartRefund => format!(
            "经调解，双方自愿达成协议：被投诉人补偿投诉人{yuan}元，投诉人不再就此事主张其他权利。"
        ),
        Remedy::Exchange => format!(
            "经调解，被投诉人同意为投诉人免费更换同款商品（价值{yuan}元），双方无其他争议。"
        ),
        Remedy::Apology => {
            "经调解，被投诉人向投诉人赔礼道歉并承诺改进服务，投诉人表示接受。".to_owned()
        }
    };
    (agreement, recovered)
}

/// The business's answer through ODR.
pub fn proposal(rng: &mut Rng, paid_fen: Option<i64>) -> String {
    let refund = paid_fen.map(yuan_text);
    match (rng.u32(0..4), refund) {
        (0, Some(yuan)) => {
            format!("同意全额退款{yuan}元，请将商品寄回，收到后3个工作日内原路退回。")
        }
        (1, Some(yuan)) => format!("商品已拆封使用，可按{yuan}元的七成退款，或免费换货。"),
        (2, _) => "已核实情况，同意为消费者办理换货，运费由我方承担。".to_owned(),
        _ => "非常抱歉给您带来不便，已安排专人联系您协商退换货事宜。".to_owned(),
    }
}

pub fn odr_reject(rng: &mut Rng) -> Option<String> {
    let reasons = [
        "商家方案只同意部分退款，不接受",
        "商家答复与事实不符，要求市场监管部门调解",
        "换货不能解决问题，要求退款",
    ];
    (rng.u32(0..100) < 70).then(|| pick(rng, &reasons).to_owned())
}

pub fn transfer_reason(district_name: &str) -> String {
    format!("经核查，被投诉（举报）对象经营地址位于{district_name}，移交属地市场监督管理局处理")
}

pub fn case_opened(rng: &mut Rng) -> Option<String> {
    let details = [
        "经现场检查，发现涉嫌违法线索，已依法立案调查",
        "经核查，当事人涉嫌销售不符合标准的商品，予以立案",
        "抽样送检结果不合格，已立案查处",
    ];
    (rng.u32(0..100) < 75).then(|| pick(rng, &details).to_owned())
}

pub fn not_opened(rng: &mut Rng) -> String {
    pick(
        rng,
        &[
            "经现场核查，举报反映的问题不属实",
            "现有证据不足以证明存在违法行为",
            "违法行为轻微并及时改正，没有造成危害后果，依法不予立案",
            "举报事项不属于本局管辖，已告知举报人",
            "经核查，当事人已停止相关行为，未发现其他违法事实",
        ],
    )
    .to_owned()
}

const SCORES_SETTLED: &[(u8, u32)] = &[(5, 52), (4, 28), (3, 12), (2, 5), (1, 3)];
const SCORES_OTHER: &[(u8, u32)] = &[(5, 12), (4, 16), (3, 27), (2, 22), (1, 23)];

/// The complainant's 1–5 rating, and now and then a comment.
pub fn rating(rng: &mut Rng, settled: bool) -> (u8, Option<String>) {
    let score = weighted(
        rng,
        if settled {
            SCORES_SETTLED
        } else {
            SCORES_OTHER
        },
    );
    let comment = match score {
        5 => "处理及时，工作人员很耐心，谢谢！",
        4 => "问题解决了，就是等的时间有点长",
        3 => "一般",
        _ => "问题没有得到解决，不满意",
    };
    (score, (rng.u32(0..100) < 35).then(|| comment.to_owned()))
}
