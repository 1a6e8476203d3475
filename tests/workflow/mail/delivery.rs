//! Delivery to a real SMTP server: content, exactly once, rollback, and an outage.

use std::collections::HashSet;
use std::time::Duration;

use diesel::Connection;
use diesel::result::Error;
use odrdesk::clock::Clock;
use odrdesk::notify::templates::render;
use odrdesk::notify::{Channels, Notice, deliver_due, enqueue};
use odrdesk::store::outbox;

use super::{WAIT, ack, enqueue_all, mail, normalized, now, pool, rows, with_db};
use crate::common::binary::free_port;
use crate::common::smtp::SmtpServer;
use crate::common::{Backend, TestApp};

async fn smtp_delivers_chinese_mail_exactly_once(backend: Backend) {
    let (app, smtp) = TestApp::spawn_with_smtp(&backend).await;
    let pool = pool(&app);
    let mails = vec![
        ack("ack:TS-2026-000001", 1),
        mail(
            "not_accepted:TS-2026-000002",
            "consumer2@example.com",
            Notice::NotAccepted {
                case_no: "TS-2026-000002".into(),
                reason: "超过三年：自知道权益受到侵害之日起已超过三年".into(),
            },
        ),
        mail(
            "message:TS-2026-000003:1",
            "shop@example.com",
            Notice::Message {
                case_no: "TS-2026-000003".into(),
                from: "调解员".into(),
                text: "请补充购物凭证。\n.这一行以句点开头\n\n谢谢配合！".into(),
            },
        ),
    ];
    assert_eq!(
        enqueue_all(&pool, mails.clone(), now(&app)).await,
        vec![true; 3]
    );

    let got = smtp.wait_for(3, WAIT).await;
    assert_eq!(got.len(), 3, "{got:?}");
    // A few more passes of the sender: nothing is sent again.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(smtp.messages().len(), 3);

    let stored = rows(&pool).await;
    for m in &mails {
        let (subject, body) = render(&m.notice);
        let received = got
            .iter()
            .find(|r| r.to == vec![m.to.clone()])
            .unwrap_or_else(|| panic!("nothing for {}", m.to));
        assert_eq!(received.from, "odrdesk@localhost");
        assert_eq!(received.subject(), subject);
        assert_eq!(normalized(&received.body_text()), normalized(&body));
        assert!(received.subject().contains("【江门市市场监督管理局】"));
        let row = stored
            .iter()
            .find(|r| r.dedupe_key == m.dedupe_key)
            .unwrap();
        assert!(
            row.sent_at.is_some() && row.lease_until.is_none(),
            "{row:?}"
        );
        assert_eq!(row.attempts, 1);
        // The Message-ID is derived from the row, so a repeated delivery could be dropped.
        let expected = odrdesk::notify::sender::message_id(row, "localhost");
        assert_eq!(format!("<{}>", received.message_id()), expected);
    }
    let ids: HashSet<String> = got.iter().map(|r| r.message_id()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(with_db(&pool, outbox::pending_count).await.unwrap(), 0);
}

async fn rolled_back_transaction_sends_nothing(backend: Backend) {
    let (app, smtp) = TestApp::spawn_with_smtp(&backend).await;
    let pool = pool(&app);
    let at = now(&app);
    let result = with_db(&pool, move |c| {
        c.transaction::<(), Error, _>(|c| {
            assert!(enqueue(c, &ack("ack:TS-2026-000001", 1), at)?);
            Err(Error::RollbackTransaction)
        })
    })
    .await;
    assert!(matches!(result, Err(Error::RollbackTransaction)));
    // A committed message afterwards proves the sender ran past the point of the rollback.
    enqueue_all(&pool, vec![ack("ack:TS-2026-000002", 2)], at).await;
    let got = smtp.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_after = smtp.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got_after.len(), 1);
    assert_eq!(got_after[0].to, vec!["consumer2@example.com".to_owned()]);
    let stored = rows(&pool).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].dedupe_key, "ack:TS-2026-000002");
}

async fn mail_waits_while_smtp_is_down_and_is_sent_once_after(backend: Backend) {
    let port = free_port();
    let app = TestApp::spawn_with(&backend, |s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail_poll_ms = 50;
    })
    .await;
    let pool = pool(&app);
    let t0 = now(&app);
    let keys: Vec<String> = (1..=4).map(|n| format!("ack:TS-2026-{n:06}")).collect();
    let mails = keys.iter().zip(1..).map(|(k, n)| ack(k, n)).collect();
    enqueue_all(&pool, mails, t0).await;

    // The sender tries, fails and backs off; the case data is untouched by the failure.
    let deadline = tokio::time::Instant::now() + WAIT;
    let failed = loop {
        let stored = rows(&pool).await;
        if stored.iter().all(|r| r.attempts > 0) || tokio::time::Instant::now() > deadline {
            break stored;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for row in &failed {
        assert_eq!(row.attempts, 1, "{row:?}");
        assert!(
            row.sent_at.is_none() && row.lease_until.is_none(),
            "{row:?}"
        );
        assert!(
            row.last_error.as_deref().is_some_and(|e| !e.is_empty()),
            "{row:?}"
        );
        assert_eq!(row.next_attempt_at, t0 + chrono::Duration::seconds(30));
    }
    assert_eq!(with_db(&pool, outbox::pending_count).await.unwrap(), 4);

    // The server comes back; before the back-off has passed nothing is retried.
    let smtp = SmtpServer::start_on(port).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(smtp.messages().is_empty());

    // A minute later: the background sender and two more senders race for the same rows.
    let later = app.clock.now() + chrono::Duration::minutes(1);
    let transport = Channels::from_settings(&app.settings).expect("transport");
    app.set_now(later);
    let (a, b) = tokio::join!(
        deliver_due(&pool, &transport, later, 10),
        deliver_due(&pool, &transport, later, 10)
    );
    let (a, b) = (a.expect("first sender"), b.expect("second sender"));
    assert!(a.sent + b.sent <= 4, "{a:?} {b:?}");
    assert_eq!(a.failed + b.failed, 0);

    let got = smtp.wait_for(4, WAIT).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let got = smtp.messages().len().max(got.len());
    assert_eq!(got, 4, "each message exactly once");
    let ids: HashSet<String> = smtp.messages().iter().map(|r| r.message_id()).collect();
    assert_eq!(ids.len(), 4);
    let stored = rows(&pool).await;
    assert!(
        stored
            .iter()
            .all(|r| r.sent_at.is_some() && r.attempts == 2),
        "{stored:?}"
    );
    assert_eq!(with_db(&pool, outbox::pending_count).await.unwrap(), 0);
}

crate::on_both_backends!(
    smtp_delivers_chinese_mail_exactly_once,
    rolled_back_transaction_sends_nothing,
    mail_waits_while_smtp_is_down_and_is_sent_once_after,
);
