//! Mail through the outbox: delivered by the server's sender to a real SMTP server on
//! loopback, never for a rolled-back transaction, retried after the server was down, written
//! as `.eml` files without SMTP, deduplicated, and flushed by `odrdesk outbox`; what a
//! party's words become in mail, and the proof an address must give before it gets any.

use crate::common;

mod delivery;
mod documents;
mod parties;
mod queue;
mod verification;

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use common::TestApp;
use diesel::result::Error;
use odrdesk::clock::Clock;
use odrdesk::notify::{Mail, Notice, enqueue};
use odrdesk::store::outbox::{self, OutboxRow};
use odrdesk::store::{self, Db, DbPool};

pub const WAIT: Duration = Duration::from_secs(15);

pub fn pool(app: &TestApp) -> DbPool {
    store::connect(&app.settings.database, 4).expect("pool")
}

/// Runs blocking database work off the async workers.
pub async fn with_db<T: Send + 'static>(
    pool: &DbPool,
    f: impl FnOnce(&mut Db) -> T + Send + 'static,
) -> T {
    let pool = pool.clone();
    tokio::task::spawn_blocking(move || f(&mut pool.get().expect("connection")))
        .await
        .expect("db task")
}

pub fn now(app: &TestApp) -> NaiveDateTime {
    app.clock.now().naive_utc()
}

pub fn mail(key: &str, to: &str, notice: Notice) -> Mail {
    Mail {
        dedupe_key: key.to_owned(),
        case_id: None,
        to: to.to_owned(),
        notice,
        document: None,
    }
}

pub fn ack(key: &str, n: u32) -> Mail {
    let case_no = format!("TS-2026-{n:06}");
    mail(
        key,
        &format!("consumer{n}@example.com"),
        Notice::Acknowledgement {
            track_url: format!("https://odr.example.cn/track/{case_no}"),
            case_no,
            kind_label: "投诉".into(),
            due: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            verify_url: None,
        },
    )
}

/// Enqueues `mails` in one committed transaction; returns what `enqueue` said for each.
pub async fn enqueue_all(pool: &DbPool, mails: Vec<Mail>, at: NaiveDateTime) -> Vec<bool> {
    with_db(pool, move |c| {
        // BEGIN IMMEDIATE, as the service does: a deferred transaction that reads first
        // cannot wait for the server's sender to release the write lock.
        store::write_transaction::<_, Error>(c, |c| {
            mails.iter().map(|m| enqueue(c, m, at)).collect()
        })
    })
    .await
    .expect("enqueue")
}

pub async fn rows(pool: &DbPool) -> Vec<OutboxRow> {
    with_db(pool, |c| outbox::list(c, false, 1000))
        .await
        .expect("list")
}

pub fn normalized(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_owned()
}

/// The verification link in an acknowledgement's body, as a path on the app.
pub fn verify_path(body: &str) -> String {
    let link = body
        .split_whitespace()
        .find(|w| w.contains("/verify?code="))
        .unwrap_or_else(|| panic!("no verification link in {body}"));
    let at = link.find("/track/").expect("a link to the site");
    link[at..].to_owned()
}

/// Opens the verification link in a browser and presses its button, as the owner would.
pub async fn confirm_address(app: &TestApp, ack_body: &str) {
    let path = verify_path(&normalized(ack_body));
    let mut web = crate::common::browser::Browser::new(app);
    let page = web.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = crate::common::browser::hidden(&page.body, "csrf");
    let code = crate::common::browser::hidden(&page.body, "code");
    let action = path.split('?').next().unwrap();
    let done = web.post(action, &[("csrf", &csrf), ("code", &code)]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("邮箱已确认"), "{}", done.body);
}
