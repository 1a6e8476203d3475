//! Diesel table definitions shared by both backends (see `migrations/`).

diesel::table! {
    case_counters (kind, year) {
        kind -> Text,
        year -> Integer,
        last_seq -> BigInt,
    }
}

diesel::table! {
    cases (id) {
        id -> BigInt,
        case_no -> Text,
        kind -> Text,
        state -> Text,
        tracking_token_hash -> Text,
        channel -> Text,
        received_at -> Timestamp,
        received_date -> Date,
        policy_version -> Text,
        due_date -> Date,
        due_provisional -> Bool,
        district -> Text,
        category -> Nullable<Text>,
        nature -> Text,
        title -> Text,
        description -> Text,
        claim -> Nullable<Text>,
        prefer_odr -> Bool,
        purchase_date -> Nullable<Date>,
        purchase_amount_fen -> Nullable<BigInt>,
        purchase_online -> Nullable<Bool>,
        purchase_platform -> Nullable<Text>,
        purchase_order_no -> Nullable<Text>,
        created_at -> Timestamp,
        assignee_id -> Nullable<BigInt>,
        consumer_openid -> Nullable<Text>,
        flags -> Text,
        closed_on -> Nullable<Date>,
        event_count -> Integer,
        last_event_hash -> Text,
        respondent_uscc -> Nullable<Text>,
        respondent_name -> Text,
    }
}

diesel::table! {
    case_links (case_id, linked_case_id, relation) {
        case_id -> BigInt,
        linked_case_id -> BigInt,
        relation -> Text,
    }
}

diesel::table! {
    case_parties (id) {
        id -> BigInt,
        case_id -> BigInt,
        role -> Text,
        name -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        id_number -> Nullable<Text>,
        uscc -> Nullable<Text>,
        district -> Nullable<Text>,
        platform -> Nullable<Text>,
        sms_notices -> Bool,
    }
}

diesel::table! {
    case_products (id) {
        id -> BigInt,
        case_id -> BigInt,
        name -> Text,
        brand -> Nullable<Text>,
        cosmetics_id -> Nullable<Text>,
        cosmetics_id_kind -> Nullable<Text>,
        batch -> Nullable<Text>,
    }
}

diesel::table! {
    adverse_reactions (case_id) {
        case_id -> BigInt,
        onset_date -> Date,
        symptoms -> Text,
        body_site -> Text,
        severity -> Text,
        started_use -> Nullable<Date>,
        stopped_use -> Nullable<Date>,
        treatment -> Nullable<Text>,
        allergy_history -> Nullable<Text>,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        case_id -> BigInt,
        sha256 -> Text,
        mime -> Text,
        size_bytes -> BigInt,
        original_name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_events (id) {
        id -> BigInt,
        case_id -> BigInt,
        case_seq -> Integer,
        kind -> Text,
        actor -> Text,
        actor_role -> Text,
        at -> Timestamp,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        reason -> Nullable<Text>,
        payload -> Text,
        prev_hash -> Text,
        hash -> Text,
        personal_digest -> Nullable<Text>,
        chain_format -> Integer,
    }
}

diesel::table! {
    /// The personal part of an event (`domain::event_personal`), deleted when forgotten.
    event_personal (event_id) {
        event_id -> BigInt,
        salt -> Text,
        content -> Text,
    }
}

diesel::joinable!(event_personal -> case_events (event_id));
diesel::allow_tables_to_appear_in_same_query!(event_personal, case_events);

diesel::table! {
    idempotency_keys (scope, key_hash) {
        scope -> Text,
        key_hash -> Text,
        request_hash -> Text,
        case_id -> BigInt,
        sealed_token -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(case_parties -> cases (case_id));
diesel::joinable!(case_products -> cases (case_id));
diesel::joinable!(adverse_reactions -> cases (case_id));
diesel::joinable!(attachments -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    case_counters,
    cases,
    case_links,
    case_parties,
    case_products,
    adverse_reactions,
    attachments,
    case_events,
    idempotency_keys,
);

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        uscc -> Nullable<Text>,
        display_name -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_bureaus (user_id, district) {
        user_id -> BigInt,
        district -> Text,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Nullable<BigInt>,
        consumer_openid -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked -> Bool,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        key_hash -> Text,
        label -> Text,
        created_at -> Timestamp,
        revoked -> Bool,
    }
}

diesel::table! {
    enterprises (uscc) {
        uscc -> Text,
        name -> Text,
        district -> Text,
        email -> Nullable<Text>,
        odr -> Bool,
        commitments -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        odr_since -> Nullable<Date>,
    }
}

diesel::table! {
    referrals (case_id) {
        case_id -> BigInt,
        severity -> Text,
        opened_on -> Date,
        due_date -> Date,
        submitted_on -> Nullable<Date>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        dedupe_key -> Text,
        case_id -> Nullable<BigInt>,
        to_addr -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        channel -> Text,
        payload -> Nullable<Text>,
        dead_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    wechat_grants (id) {
        id -> BigInt,
        openid -> Text,
        template_id -> Text,
        granted_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Integer,
        definition -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    policy_tables (id) {
        id -> BigInt,
        definition -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    email_verifications (case_id) {
        case_id -> BigInt,
        code_hash -> Nullable<Text>,
        verified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Text,
        lease_until -> Timestamp,
    }
}

diesel::joinable!(user_bureaus -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(referrals -> cases (case_id));
diesel::joinable!(outbox -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    user_bureaus,
    sessions,
    cases,
    referrals,
    outbox,
    enterprises,
);

diesel::table! {
    exports (id) {
        id -> BigInt,
        requested_by -> BigInt,
        params -> Text,
        status -> Text,
        row_count -> Nullable<BigInt>,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        expired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    bulletins (id) {
        id -> BigInt,
        period -> Text,
        from_date -> Date,
        to_date -> Date,
        as_of -> Date,
        version -> Integer,
        status -> Text,
        figures -> Text,
        inputs_hash -> Text,
        typical_cases -> Text,
        tips -> Text,
        erratum -> Nullable<Text>,
        supersedes -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    history_aggregates (period, tbl, code) {
        period -> Text,
        tbl -> Text,
        code -> Text,
        count -> BigInt,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    work_orders (id) {
        id -> BigInt,
        registration_no -> Text,
        case_id -> BigInt,
        row_sha256 -> Text,
        imported_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    work_order_imports (id) {
        id -> BigInt,
        imported_by -> Text,
        file_name -> Text,
        file_sha256 -> Text,
        rows_read -> BigInt,
        created -> BigInt,
        left_for_dispatch -> BigInt,
        unchanged -> BigInt,
        changed -> BigInt,
        refused -> BigInt,
        imported_at -> Timestamp,
    }
}

diesel::joinable!(work_orders -> cases (case_id));
diesel::allow_tables_to_appear_in_same_query!(work_orders, cases);
diesel::allow_tables_to_appear_in_same_query!(work_orders, case_events);

diesel::table! {
    enterprise_api_keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        key_hash -> Text,
        label -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        uscc -> Text,
        url -> Text,
        secret_sealed -> Text,
        enabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        event_id -> Text,
        uscc -> Text,
        case_id -> BigInt,
        case_no -> Text,
        event_type -> Text,
        body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        dead_at -> Nullable<Timestamp>,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
    }
}

diesel::joinable!(enterprise_api_keys -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(enterprise_api_keys, users);

diesel::table! {
    phone_codes (id) {
        id -> BigInt,
        phone -> Text,
        code_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        attempts -> Integer,
        consumed -> Bool,
    }
}

diesel::table! {
    phone_sessions (token_hash) {
        token_hash -> Text,
        phone -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    case_disclosures (case_id) {
        case_id -> BigInt,
        consent -> Bool,
        consent_changed_at -> Timestamp,
        reply -> Nullable<Text>,
        reply_at -> Nullable<Timestamp>,
        review -> Text,
        refusal_reason -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        published_reply -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(case_disclosures -> cases (case_id));
diesel::allow_tables_to_appear_in_same_query!(case_disclosures, cases);

diesel::table! {
    warnings (id) {
        id -> BigInt,
        version -> Integer,
        status -> Text,
        title -> Text,
        body -> Text,
        category -> Nullable<Text>,
        figures -> Text,
        erratum -> Nullable<Text>,
        supersedes -> Nullable<BigInt>,
        created_by -> Text,
        created_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    case_rights_holders (case_id) {
        case_id -> BigInt,
        uscc -> Text,
        name -> Text,
        contact_name -> Text,
        contact_phone -> Text,
    }
}

diesel::table! {
    case_anonymisations (case_id) {
        case_id -> BigInt,
        ground -> Text,
        anonymised_at -> Timestamp,
    }
}

diesel::joinable!(case_anonymisations -> cases (case_id));
diesel::allow_tables_to_appear_in_same_query!(case_anonymisations, cases);
diesel::allow_tables_to_appear_in_same_query!(case_anonymisations, adverse_reactions);
