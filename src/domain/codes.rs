//! Reason codes of the rules (domain.md): not accepting, terminating, pausing.

use serde::{Deserialize, Serialize};

reason_codes! {
    /// 不予受理 grounds, numbered 1–7 in domain.md.
    NotAcceptReason {
        OutsideAuthority => "outside_authority", "不属于本部门职责范围或管辖";
        HandledElsewhere => "handled_elsewhere", "法院、仲裁机构、其他行政机关、消费者协会或其他调解组织已受理或处理";
        NotConsumerDispute => "not_consumer_dispute", "不是为生活消费需要或未能证明与经营者存在消费纠纷";
        TimeBarred => "time_barred", "消费者知道或应当知道权益受损超过三年";
        MaterialsMissing => "materials_missing", "未提供必要材料或材料不实";
        IdentityUnverified => "identity_unverified", "冒用他人身份或拒绝核实身份";
        OtherLegalGround => "other_legal_ground", "法律法规规定的其他情形";
    }
}

reason_codes! {
    /// 终止调解 grounds.
    TerminationReason {
        Withdrawn => "withdrawn", "投诉人撤回投诉";
        SettledByParties => "settled_by_parties", "双方自行和解";
        NoTestingAgreement => "no_testing_agreement", "双方对检测鉴定机构或费用承担无法达成一致";
        PartyAbsent => "party_absent", "一方拒绝或无正当理由不参加调解";
        AgreementImpossible => "agreement_impossible", "一方明确表示无法达成调解协议";
        TimeLimit => "time_limit", "调解期限届满";
        NotAcceptGround => "not_accept_ground", "受理后发现存在不予受理情形";
        // Neutral wording: parties read this label; the police referral stays with staff.
        FraudulentClaim => "fraudulent_claim", "受理后发现存在第四十二条规定的情形";
        // Order 121 Art. 23: (4) fees only, (7) death or end of a party, (8) other grounds.
        TestingFeesDisputed => "testing_fees_disputed", "双方对检测、鉴定费用承担无法达成一致";
        PartyDeceased => "party_deceased", "一方当事人死亡或者终止（丧失法人资格）";
        OtherLegalGround => "other_legal_ground", "法律、法规规定的应当终止调解的其他情形";
    }
}

reason_codes! {
    /// Why mediation or a report's verification is paused; its clock stops meanwhile.
    /// `recusal`: a party asked a mediator to withdraw, and mediation waits for the bureau's
    /// decision (Order 121 Art. 21).
    PauseReason {
        Testing => "testing", "检测";
        Appraisal => "appraisal", "鉴定";
        RightsHolderIdentification => "rights_holder_identification", "权利人辨认鉴别";
        Recusal => "recusal", "申请回避";
    }
}

impl PauseReason {
    /// Whether a case of `kind` may pause for this reason: identifying a rights holder is a
    /// step of verifying a report, a recusal (Art. 21) one of mediating a complaint.
    pub fn applies_to(self, kind: super::case::CaseKind) -> bool {
        use super::case::CaseKind::{Complaint, Report};
        match self {
            PauseReason::Testing | PauseReason::Appraisal => true,
            PauseReason::RightsHolderIdentification => kind == Report,
            PauseReason::Recusal => kind == Complaint,
        }
    }
}

impl PauseReason {
    /// The reasons the desk offers a case of `kind`, in order. A counterfeit or IP report
    /// (`Nature::is_counterfeit_or_ip`) has 权利人辨认鉴别 first: the rights holder telling its
    /// genuine goods from fakes is the usual step of verifying such a report.
    pub fn offered(kind: super::case::CaseKind, counterfeit_or_ip: bool) -> Vec<PauseReason> {
        let mut out: Vec<PauseReason> = PauseReason::ALL
            .iter()
            .copied()
            .filter(|r| r.applies_to(kind))
            .collect();
        if counterfeit_or_ip {
            out.sort_by_key(|r| *r != PauseReason::RightsHolderIdentification);
        }
        out
    }
}

#[cfg(test)]
mod offered_tests {
    use super::PauseReason::{self, Appraisal, RightsHolderIdentification, Testing};
    use crate::domain::case::CaseKind;

    #[test]
    fn identification_comes_first_for_counterfeit_and_ip_reports() {
        assert_eq!(
            PauseReason::offered(CaseKind::Report, true),
            [RightsHolderIdentification, Testing, Appraisal]
        );
        assert_eq!(
            PauseReason::offered(CaseKind::Report, false),
            [Testing, Appraisal, RightsHolderIdentification]
        );
        assert!(
            !PauseReason::offered(CaseKind::Complaint, true).contains(&RightsHolderIdentification)
        );
    }
}
