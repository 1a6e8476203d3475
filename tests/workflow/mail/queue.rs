//! Files without SMTP, deduplication, the `odrdesk outbox` commands, and the sender's life.

use std::time::Duration;

use chrono::NaiveDate;
use diesel::Connection;
use diesel::result::Error;
use odrdesk::clock::Clock;
use odrdesk::notify::enqueue;
use odrdesk::notify::templates::render;
use odrdesk::store::outbox;

use super::{WAIT, ack, enqueue_all, now, pool, rows, with_db};
use crate::common::binary::run_on;
use crate::common::smtp::SmtpServer;
use crate::common::{Backend, TestApp};

async fn without_smtp_mail_is_written_as_eml_files(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.mail_poll_ms = 50).await;
    let pool = pool(&app);
    enqueue_all(&pool, vec![ack("a", 1), ack("b", 2)], now(&app)).await;
    let dir = app.data_dir().join("outbox");
    let deadline = tokio::time::Instant::now() + WAIT;
    let files = loop {
        let files: Vec<_> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        if files.len() >= 2 || tokio::time::Instant::now() > deadline {
            break files;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(files.len(), 2, "{files:?}");
    let mut subjects: Vec<String> = files
        .iter()
        .map(|f| {
            let raw = std::fs::read(f).unwrap();
            let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
            msg.subject().unwrap().to_owned()
        })
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        vec![render(&ack("a", 1).notice).0, render(&ack("b", 2).notice).0]
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(with_db(&pool, outbox::pending_count).await.unwrap(), 0);
}

async fn dedupe_key_makes_a_second_enqueue_a_no_op(backend: Backend) {
    let (app, smtp) = TestApp::spawn_with_smtp(&backend).await;
    let pool = pool(&app);
    let at = now(&app);
    assert_eq!(enqueue_all(&pool, vec![ack("k1", 1)], at).await, vec![true]);
    // Same key, other content, later transaction: ignored.
    assert_eq!(
        enqueue_all(&pool, vec![ack("k1", 9)], at).await,
        vec![false]
    );
    // Same key twice in one transaction, which stays usable afterwards.
    assert_eq!(
        enqueue_all(&pool, vec![ack("k2", 2), ack("k2", 2), ack("k3", 3)], at).await,
        vec![true, false, true]
    );

    if matches!(backend, Backend::Postgres(_)) {
        // A concurrent transaction commits the key between our check and our insert: the
        // unique violation only rolls back the savepoint, and our transaction commits.
        let (first, second) = (pool.clone(), pool.clone());
        let (inserted_tx, inserted_rx) = std::sync::mpsc::channel::<()>();
        let a = std::thread::spawn(move || {
            first.get().unwrap().transaction::<_, Error, _>(|c| {
                assert!(enqueue(c, &ack("k4", 4), at)?);
                inserted_tx.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(500));
                Ok(())
            })
        });
        inserted_rx.recv().unwrap();
        let b = std::thread::spawn(move || {
            second.get().unwrap().transaction::<_, Error, _>(|c| {
                let again = enqueue(c, &ack("k4", 4), at)?;
                let other = enqueue(c, &ack("k5", 5), at)?;
                Ok((again, other))
            })
        });
        a.join().unwrap().expect("first transaction");
        assert_eq!(
            b.join().unwrap().expect("second transaction"),
            (false, true)
        );
    }

    let expected = if matches!(backend, Backend::Postgres(_)) {
        5
    } else {
        3
    };
    let got = smtp.wait_for(expected, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(got.len(), expected);
    assert_eq!(smtp.messages().len(), expected);
    let k1 = got
        .iter()
        .find(|r| r.to == vec!["consumer1@example.com".to_owned()])
        .expect("k1 delivered");
    assert!(k1.subject().contains("TS-2026-000001"));
    assert!(
        !got.iter()
            .any(|r| r.to == vec!["consumer9@example.com".to_owned()])
    );
    assert_eq!(rows(&pool).await.len(), expected);
}

async fn outbox_cli_reports_and_sends(backend: Backend) {
    // A huge poll interval keeps the server's own sender out of the way.
    let app = TestApp::spawn_with(&backend, |s| s.mail_poll_ms = 3_600_000).await;
    let pool = pool(&app);
    let past = NaiveDate::from_ymd_opt(2020, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    enqueue_all(&pool, vec![ack("cli", 1)], past).await;
    let run = |action: &str| {
        let out = run_on(&app, &["outbox", action]);
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let status = run("status");
    assert!(
        status.contains("邮件（email）：待发送 1，已发送 0，死信 0，最早待发送的已等待"),
        "{status}"
    );
    assert!(status.contains("cli"), "{status}");
    let sent = run("send");
    assert!(sent.contains("已发送 1 条"), "{sent}");
    assert!(run("status").contains("邮件（email）：待发送 0，已发送 1，死信 0\n"));
    let files = std::fs::read_dir(app.data_dir().join("outbox"))
        .unwrap()
        .count();
    assert_eq!(files, 1);
}

/// The sender belongs to the server: once the server has stopped, nothing more is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_stops_with_the_server() {
    let smtp = SmtpServer::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = odrdesk::config::Settings::for_data_dir(dir.path(), None);
    settings.smtp_url = Some(smtp.url());
    settings.mail_poll_ms = 50;
    let clock = std::sync::Arc::new(odrdesk::clock::FixedClock::new(
        crate::common::china_morning(2026, 11, 20),
    ));
    let state = odrdesk::app::AppState::open(settings, clock.clone()).expect("state");
    let pool = state.pool.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let server = odrdesk::app::serve(listener, state).expect("serve");
    let handle = server.handle();
    let running = tokio::spawn(server.into_future());
    let at = clock.now().naive_utc();
    enqueue_all(&pool, vec![ack("before", 1)], at).await;
    assert_eq!(smtp.wait_for(1, WAIT).await.len(), 1);

    handle.stop(true).await;
    running.await.expect("server task").expect("server");
    enqueue_all(&pool, vec![ack("after", 2)], at).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(with_db(&pool, outbox::pending_count).await.unwrap(), 1);
}

crate::on_both_backends!(
    without_smtp_mail_is_written_as_eml_files,
    dedupe_key_makes_a_second_enqueue_a_no_op,
    outbox_cli_reports_and_sends,
);
