//! Ephemera past their period go in chunks of `batch`, one transaction each, until none is
//! left: a backlog larger than a batch is cleared by one pass, unused WeChat grants included,
//! and so are old mail files.

use crate::common::{Backend, TestApp};
use crate::retention::{Conn, plant_stale_mail, retention_run};

async fn a_backlog_larger_than_a_batch_goes_in_one_pass(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let mut conn = Conn::open(&app);
    for i in 0..5 {
        let used = if i % 2 == 0 {
            "NULL"
        } else {
            "'2025-01-02 08:00:00'"
        };
        conn.execute(&format!(
            "INSERT INTO wechat_grants (openid, template_id, granted_at, used_at) \
             VALUES ('oGrant{i}', 'tpl', '2025-01-01 08:00:00', {used})"
        ));
    }
    // Granted yesterday, unused: kept.
    conn.execute(
        "INSERT INTO wechat_grants (openid, template_id, granted_at, used_at) \
         VALUES ('oFresh', 'tpl', '2027-01-31 08:00:00', NULL)",
    );
    let stale: Vec<_> = (0..3)
        .map(|i| plant_stale_mail(&app, &format!("{}.eml", 900_000 + i)))
        .collect();
    let config = app.data_dir().join("small-batch.toml");
    std::fs::write(&config, "[retention]\nbatch = 2\n").unwrap();

    let out = retention_run(&app, &["--config", config.to_str().unwrap()]);
    assert!(out.contains("5 WeChat grant(s), 3 mail file(s)"), "{out}");
    assert_eq!(
        conn.count("SELECT COUNT(*) AS n FROM wechat_grants"),
        1,
        "the fresh grant stays"
    );
    assert!(stale.iter().all(|f| !f.exists()), "{stale:?}");
    assert!(!out.contains("more is due"), "{out}");
}

crate::on_both_backends!(a_backlog_larger_than_a_batch_goes_in_one_pass);
