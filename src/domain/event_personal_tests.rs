use serde_json::json;

use super::*;

/// Payloads as the services write them, with the keys some reader other than a timeline's
/// text reads (clocks, bulletins, scorecards, agreements, identity, webhooks, the audit) and
/// the personal keys that must go.
fn services_payloads() -> Vec<(
    &'static str,
    Value,
    &'static [&'static str],
    &'static [&'static str],
)> {
    vec![
        (
            // What `service::retention` logs when it anonymises a case.
            "anonymised",
            json!({"v": 1, "ground": "closed_3y", "basis": "order121_art37",
                   "removed": {"parties": 2, "documents": 1, "event_parts": 3, "blobs": 0}}),
            &["v", "ground", "basis", "removed"],
            &[],
        ),
        (
            "submitted",
            json!({"channel": "web", "received_at": "2026-05-06T02:00:00Z", "policy_version": "order121",
                   "due": "2026-05-15", "due_provisional": false}),
            &[
                "channel",
                "received_at",
                "policy_version",
                "due",
                "due_provisional",
            ],
            &[],
        ),
        (
            "submitted",
            json!({"channel": "web", "source": "mediation_lead", "complaint": "TS-2026-000001"}),
            &["source", "complaint"],
            &[],
        ),
        (
            "settle",
            json!({"v": 1, "action": "settle", "agreement": "退款给张三 13800001111", "recovered_fen": 12900,
                   "represented_consent": true, "agreement_form": "written", "performance_due": "2026-06-01"}),
            &[
                "v",
                "action",
                "recovered_fen",
                "represented_consent",
                "agreement_form",
                "performance_due",
            ],
            &["agreement"],
        ),
        (
            "not_accept",
            json!({"v": 1, "action": "not_accept", "reason": "outside_duties", "detail": "李四说"}),
            &["reason"],
            &["detail"],
        ),
        (
            "terminate",
            json!({"v": 1, "action": "terminate", "reason": "refused", "detail": "x"}),
            &["reason"],
            &["detail"],
        ),
        (
            "pause",
            json!({"v": 1, "action": "pause", "reason": "testing"}),
            &["reason"],
            &[],
        ),
        (
            "consumer_reject",
            json!({"v": 1, "action": "consumer_reject", "reason": "我不同意，王五"}),
            &[],
            &["reason"],
        ),
        (
            "message",
            json!({"v": 1, "action": "message", "to": "enterprise", "text": "请回复"}),
            &["to"],
            &["text"],
        ),
        (
            "note",
            json!({"v": 1, "action": "note", "text": "已电话联系"}),
            &[],
            &["text"],
        ),
        (
            "odr_answer",
            json!({"v": 1, "action": "odr_answer", "proposal": "退一半"}),
            &[],
            &["proposal"],
        ),
        (
            "rate",
            json!({"v": 1, "action": "rate", "score": 4, "comment": "不错"}),
            &["score"],
            &["comment"],
        ),
        (
            "assign",
            json!({"v": 1, "action": "assign", "user": "m@jm.gov.cn", "assignee_id": 7}),
            &["assignee_id"],
            &["user"],
        ),
        (
            "transfer",
            json!({"v": 1, "action": "transfer", "bureau": "440703", "outside": false, "reason": "管辖"}),
            &["bureau", "outside"],
            &["reason"],
        ),
        (
            "dispatch",
            json!({"v": 1, "action": "dispatch", "bureau": "440703"}),
            &["bureau"],
            &[],
        ),
        (
            "report_merged",
            json!({"v": 1, "case_no": "JB-2026-000002", "restarts_on": "2026-05-08"}),
            &["case_no", "restarts_on"],
            &[],
        ),
        (
            "set_representatives",
            json!({"v": 1, "action": "set_representatives", "first": "TS-2026-000001", "second": "TS-2026-000002"}),
            &["first", "second"],
            &[],
        ),
        (
            "request_identity",
            json!({"v": 1, "action": "request_identity", "due": "2026-05-20", "detail": "身份证"}),
            &["due"],
            &["detail"],
        ),
        (
            "record_notice",
            json!({"v": 1, "action": "record_notice", "party": "consumer", "means": "phone", "date": "2026-05-20", "detail": "x"}),
            &["party", "means", "date"],
            &["detail"],
        ),
        (
            "follow_up",
            json!({"v": 1, "action": "follow_up", "fulfilled": "yes", "view": "satisfied", "detail": "x"}),
            &["fulfilled", "view"],
            &["detail"],
        ),
        (
            "document_issued",
            json!({"v": 1, "document_id": 3, "kind": "acceptance", "number": "江市监受〔2026〕1号", "title": "受理通知书",
                   "audience": "complainant", "sha256": "ab", "replaces_id": 2, "replaces": "江市监受〔2026〕0号"}),
            &[
                "document_id",
                "kind",
                "number",
                "title",
                "audience",
                "sha256",
                "replaces_id",
                "replaces",
            ],
            &[],
        ),
        (
            "document_printed",
            json!({"v": 1, "document_id": 3, "number": "n", "pdf_sha256": "ab"}),
            &["document_id", "pdf_sha256"],
            &[],
        ),
        (
            "confirm_agreement",
            json!({"v": 1, "action": "confirm_agreement", "document_id": 3, "number": "n", "sha256": "ab"}),
            &["document_id", "number", "sha256"],
            &[],
        ),
        (
            "record_signed_agreement",
            json!({"v": 1, "action": "record_signed_agreement", "document_id": 3, "attachment_id": 9, "attachment_sha256": "cd"}),
            &["document_id", "attachment_id", "attachment_sha256"],
            &[],
        ),
        (
            "correct_document",
            json!({"v": 1, "action": "correct_document", "document_id": 3, "reason": "笔误", "fields": {"agreement": "退款"}}),
            &["document_id"],
            &["reason", "fields"],
        ),
        (
            "police_referral",
            json!({"v": 1, "police_unit": "江门市公安局", "referred_on": "2026-05-08", "detail": "x"}),
            &["referred_on"],
            &["police_unit", "detail"],
        ),
        (
            "clock_overdue",
            json!({"clock": "acceptance", "due": "2026-05-15"}),
            &["clock", "due"],
            &[],
        ),
        (
            "attachment_added",
            json!({"files": [{"sha256": "ab", "mime": "image/png", "size_bytes": 3}]}),
            &["files"],
            &[],
        ),
        (
            "consent_given",
            json!({"v": 1, "consent": true, "unpublished": false}),
            &["consent", "unpublished"],
            &[],
        ),
        (
            "reply_written",
            json!({"v": 1, "reply": "我们已退款"}),
            &[],
            &["reply"],
        ),
        (
            "disclosure_refused",
            json!({"v": 1, "reason": "personal_data"}),
            &["reason"],
            &[],
        ),
        (
            "disclosure_approved",
            json!({"v": 1, "reply": "我们已退款"}),
            &[],
            &["reply"],
        ),
        (
            "work_order_changed",
            json!({"v": 1, "registration_no": "R1", "previous_sha256": "a", "row_sha256": "b"}),
            &["registration_no", "previous_sha256", "row_sha256"],
            &[],
        ),
        (
            "tracking_code_reissued",
            json!({"v": 1, "proof": "sms_code"}),
            &["proof"],
            &[],
        ),
        (
            "open_lead_report",
            json!({"v": 1, "action": "open_lead_report", "detail": "x", "linked_case_no": "JB-1"}),
            &["linked_case_no"],
            &["detail"],
        ),
        (
            "refer_reporter",
            json!({"v": 1, "action": "refer_reporter", "where": "税务局", "detail": "x"}),
            &[],
            &["where", "detail"],
        ),
        (
            "join_into",
            json!({"v": 1, "action": "join_into", "case_no": "TS-1", "consent": true}),
            &["case_no", "consent"],
            &[],
        ),
    ]
}

#[test]
fn every_key_a_figure_reader_reads_stays_and_party_text_goes() {
    for (kind, payload, read, personal) in services_payloads() {
        let split = split(kind, "med@jm.gov.cn", payload.clone());
        for key in read {
            assert!(split.kept.get(key).is_some(), "{kind}: {key} must stay");
        }
        for key in personal {
            assert!(
                split.kept.get(key).is_none(),
                "{kind}: {key} must be personal"
            );
            let part = split.personal.as_ref().expect("a personal part");
            assert!(
                part.get(key).is_some(),
                "{kind}: {key} in the personal part"
            );
        }
        if personal.is_empty() {
            assert_eq!(split.personal, None, "{kind}: nothing personal");
        }
        let (actor, joined) = join(&split.actor, split.kept, split.personal);
        assert_eq!(
            (actor.as_str(), &joined),
            ("med@jm.gov.cn", &payload),
            "{kind}"
        );
    }
}

#[test]
fn a_new_key_is_personal_until_listed() {
    let s = split("note", "system", json!({"v": 1, "whatever_new": "王五"}));
    assert_eq!(s.kept, json!({"v": 1}));
    assert_eq!(s.personal, Some(json!({"whatever_new": "王五"})));
}

#[test]
fn a_wechat_user_is_personal_and_the_prefix_stays() {
    let s = split(
        "withdraw",
        "wechat:o6_bmjrPTlm6",
        json!({"v": 1, "action": "withdraw"}),
    );
    assert_eq!(s.actor, "wechat:");
    let personal = s.personal.clone().expect("the openid");
    assert!(!personal.to_string().contains("\"v\""));
    assert_eq!(
        join(&s.actor, s.kept.clone(), Some(personal)),
        (
            "wechat:o6_bmjrPTlm6".to_owned(),
            json!({"v": 1, "action": "withdraw"})
        )
    );
    // Forgotten: the kept parts alone.
    assert_eq!(join(&s.actor, s.kept, None).0, "wechat:");
}

#[test]
fn a_payload_that_is_not_an_object_survives_the_round_trip() {
    for payload in [json!("text"), json!([1, 2]), json!(null)] {
        let s = split("odd", "system", payload.clone());
        let expected = if payload.is_null() {
            json!({})
        } else {
            payload
        };
        assert_eq!(join(&s.actor, s.kept, s.personal).1, expected);
    }
}

#[test]
fn a_forgotten_text_reads_as_anonymised_and_figures_stay() {
    let s = split(
        "settle",
        "med@jm.gov.cn",
        json!({"v": 1, "agreement": "退款给张三", "recovered_fen": 500}),
    );
    assert_eq!(
        forgotten("settle", s.kept.clone()),
        json!({"v": 1, "agreement": ANONYMISED_ZH, "recovered_fen": 500})
    );
    assert_eq!(forgotten("rate", json!({"score": 5})), json!({"score": 5}));
}

#[test]
fn the_personal_part_never_overrides_a_kept_figure() {
    let (_, joined) = join(
        "system",
        json!({"recovered_fen": 500}),
        Some(json!({"recovered_fen": 999_999, "agreement": "x"})),
    );
    assert_eq!(joined, json!({"recovered_fen": 500, "agreement": "x"}));
}

#[test]
fn a_free_text_reason_moves_to_the_personal_part_and_comes_back() {
    for kind in [
        "transfer",
        "not_open",
        "extend_verification",
        "return_to_dispatcher",
        "refer_reporter",
        "a_kind_added_later",
    ] {
        let s = split(kind, "med@jm.gov.cn", json!({"v": 1}));
        let (column, part) = split_reason(kind, Some("张三丰说商家已关门".into()), s.personal);
        assert_eq!(
            column, None,
            "{kind}: nothing of the text stays in the column"
        );
        let part = part.expect("a personal part");
        assert!(part.to_string().contains("张三丰"), "{kind}");
        assert_eq!(
            joined_reason(None, Some(&part)).as_deref(),
            Some("张三丰说商家已关门"),
            "{kind}"
        );
        let (_, payload) = join(&s.actor, s.kept, Some(part));
        assert_eq!(
            payload,
            json!({"v": 1}),
            "{kind}: the reason is not a payload key"
        );
        assert_eq!(joined_reason(None, None), None, "{kind}: forgotten");
    }
}

#[test]
fn a_reason_that_is_a_code_or_the_merge_date_stays_in_the_column() {
    for (kind, reason) in [
        ("not_accept", "outside_jurisdiction"),
        ("terminate", "fraudulent_claim"),
        ("pause", "awaiting_test"),
        ("disclosure_refused", "trade_secret"),
        ("document_issued", "not_accept_notice"),
        ("document_printed", "not_accept_notice"),
        ("police_referral", "fraudulent_claim"),
        ("anonymised", "closed_3y"),
        ("report_merged", "2026-05-07"),
    ] {
        let (column, part) = split_reason(kind, Some(reason.into()), None);
        assert_eq!((column.as_deref(), part), (Some(reason), None), "{kind}");
    }
    // An object with a personal part already keeps it beside the moved text.
    let (_, part) = split_reason("transfer", Some("x".into()), Some(json!({"text": "y"})));
    assert_eq!(part, Some(json!({"text": "y", "@reason": "x"})));
}
