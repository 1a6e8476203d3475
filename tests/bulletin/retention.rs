//! Retention: cases whose period is over lose every piece of personal data (every text column
//! of every table, the attachment files, the search index) while bulletins and business pages
//! keep their figures; cases not yet due are untouched; a second run changes nothing.

use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use odrdesk::store::DatabaseUrl;
use serde_json::{Value, json};

use crate::common::binary::run_on;
use crate::common::{Backend, PNG, TestApp, sample_complaint, sample_report};
use crate::fixture::{self, ADMIN, MEDIATOR, RESPONDENT_USCC, act, morning, token};

/// The person whose cases are due.
pub const DUE: Person = Person {
    name: "欧阳娜娜",
    phone: "13912345678",
    id_number: "440703199001011234",
    email: "nana.ouyang@example.cn",
    address: "紫罗兰小区8栋",
};
/// The person whose cases are not due yet.
const KEPT: Person = Person {
    name: "司马光明",
    phone: "15887654321",
    id_number: "44070519850512432X",
    email: "sima@example.com",
    address: "丁香花园3座",
};
const ANALYST: &str = "ana@jm.gov.cn";

pub struct Person {
    pub name: &'static str,
    pub phone: &'static str,
    pub id_number: &'static str,
    pub email: &'static str,
    /// An address word the index does not mask: searching for it shows whether it is there.
    pub address: &'static str,
}

impl Person {
    pub fn secrets(&self) -> [&'static str; 5] {
        [
            self.name,
            self.phone,
            self.id_number,
            self.email,
            self.address,
        ]
    }

    /// A complaint with the data in every personal field and every free text.
    pub fn complaint(&self) -> Value {
        let Person {
            name,
            phone,
            id_number,
            email,
            address,
        } = self;
        let mut body = sample_complaint();
        body["complainant"] = json!({"name": name, "phone": phone, "email": email,
            "id_number": id_number, "address": format!("江门市蓬江区{address}")});
        body["title"] = json!(format!("{name}投诉面膜过敏"));
        body["description"] = json!(format!(
            "我是{name}，电话{phone}，身份证{id_number}，邮箱{email}，住{address}。面膜使用后过敏红肿。"
        ));
        body["claim"] = json!(format!("退款给{name}，联系{phone}"));
        body
    }
}

async fn file_on(app: &TestApp, day: (i32, u32, u32), body: &Value) -> (String, String) {
    app.set_now(morning(day.0, day.1, day.2));
    let mut body = body.clone();
    let bought = (morning(day.0, day.1, day.2) - chrono::Duration::days(3)).date_naive();
    body["purchase"] = json!({"date": bought, "amount_fen": 9900, "online": false,
        "order_no": format!("JD{}", body["complainant"]["phone"].as_str().unwrap())});
    app.file(&body).await
}

/// The old cases: due (a settled complaint with an attachment, a complaint not accepted) and
/// not yet due (an adverse reaction, a report) as of 2027-02-01.
async fn plant_old_cases(app: &TestApp) -> Vec<String> {
    let (settled, code) = file_on(app, (2024, 1, 8), &DUE.complaint()).await;
    let mut evidence = PNG.to_vec();
    evidence.extend_from_slice(format!("{}{}", DUE.name, DUE.phone).as_bytes());
    let file_name = format!("{}.png", DUE.name);
    let (s, v) = app
        .upload_evidence(&settled, &code, vec![(file_name.as_str(), evidence)])
        .await;
    assert_eq!(s, 201, "{v}");
    act(
        app,
        morning(2024, 1, 9),
        MEDIATOR,
        &settled,
        json!({"action": "accept"}),
    )
    .await;
    let agreement = format!("退款给{}", DUE.name);
    act(
        app,
        morning(2024, 1, 20),
        MEDIATOR,
        &settled,
        json!({"action": "settle", "agreement": agreement, "recovered_fen": 9900}),
    )
    .await;

    let (refused, _) = file_on(app, (2024, 3, 4), &DUE.complaint()).await;
    let detail = format!("{}的诉求不属本局职责", DUE.name);
    act(
        app,
        morning(2024, 3, 6),
        MEDIATOR,
        &refused,
        json!({"action": "not_accept", "reason": "outside_authority", "detail": detail}),
    )
    .await;

    let mut adverse = KEPT.complaint();
    adverse["adverse_reaction"] = json!({"onset_date": "2024-02-01",
        "symptoms": format!("{}面部红肿", KEPT.name), "body_site": "面部", "severity": "general",
        "treatment": "口服抗过敏药"});
    let (kept, _) = file_on(app, (2024, 2, 5), &adverse).await;
    act(
        app,
        morning(2024, 2, 6),
        MEDIATOR,
        &kept,
        json!({"action": "accept"}),
    )
    .await;
    act(
        app,
        morning(2024, 2, 20),
        MEDIATOR,
        &kept,
        json!({"action": "settle", "agreement": "退款", "recovered_fen": 9900}),
    )
    .await;

    app.set_now(morning(2024, 4, 8));
    let mut report = sample_report();
    report["reporter"] = json!({"name": KEPT.name, "phone": KEPT.phone});
    let (s, v) = app.post_json("/api/v1/reports", &report).await;
    assert_eq!(s, 201, "{v}");
    let r = v["case_no"].as_str().unwrap().to_owned();
    act(
        app,
        morning(2024, 4, 10),
        MEDIATOR,
        &r,
        json!({"action": "not_open", "reason": "证据不足"}),
    )
    .await;
    vec![settled, refused, kept, r]
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    t: String,
    #[diesel(sql_type = Text)]
    c: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
    JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
    AND (upper(p.type) LIKE '%TEXT%' OR upper(p.type) LIKE '%CHAR%')";
const PG_COLUMNS: &str = "SELECT table_name::text AS t, column_name::text AS c \
    FROM information_schema.columns WHERE table_schema = 'public' \
    AND data_type IN ('text', 'character varying')";

pub enum Conn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

impl Conn {
    pub fn open(app: &TestApp) -> Conn {
        match &app.settings.database {
            DatabaseUrl::Sqlite(path) => Conn::Sqlite(SqliteConnection::establish(path).unwrap()),
            DatabaseUrl::Postgres(url) => Conn::Pg(PgConnection::establish(url).unwrap()),
        }
    }

    /// Every text column of every table.
    fn text_columns(&mut self) -> Vec<Column> {
        match self {
            Conn::Sqlite(c) => diesel::sql_query(SQLITE_COLUMNS).load(c).unwrap(),
            Conn::Pg(c) => diesel::sql_query(PG_COLUMNS).load(c).unwrap(),
        }
    }

    pub fn execute(&mut self, sql: &str) {
        match self {
            Conn::Sqlite(c) => diesel::sql_query(sql).execute(c).unwrap(),
            Conn::Pg(c) => diesel::sql_query(sql).execute(c).unwrap(),
        };
    }

    pub fn count(&mut self, sql: &str) -> i64 {
        let n: Count = match self {
            Conn::Sqlite(c) => diesel::sql_query(sql).get_result(c).unwrap(),
            Conn::Pg(c) => diesel::sql_query(sql).get_result(c).unwrap(),
        };
        n.n
    }
}

/// `(table, column, rows)` of every text column of every table holding `needle`.
pub fn scan_database(app: &TestApp, needle: &str) -> Vec<(String, String, i64)> {
    let mut conn = Conn::open(app);
    let mut hits = Vec::new();
    for col in conn.text_columns() {
        let sql = format!(
            "SELECT COUNT(*) AS n FROM \"{}\" WHERE \"{}\" LIKE '%{needle}%'",
            col.t, col.c
        );
        let n = conn.count(&sql);
        if n > 0 {
            hits.push((col.t, col.c, n));
        }
    }
    hits
}

/// Every file under `dir` (but the search index, which drops deleted entries when it merges
/// its segments), recursively.
fn every_file(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "search" {
                every_file(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

/// The files under the data directory holding `needle`: attachments, mail written as `.eml`
/// files, and on SQLite the database file and its write-ahead log.
pub fn files_holding(app: &TestApp, needle: &str) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    every_file(app.data_dir(), &mut files);
    files
        .into_iter()
        .filter(|f| {
            std::fs::read(f).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        })
        .collect()
}

/// Waits until the server's sender has written the planted person's mail as files.
async fn wait_mail(app: &TestApp, to: &str) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !files_holding(app, to)
        .iter()
        .any(|f| f.extension().is_some_and(|x| x == "eml"))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no mail to {to} written"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A mail file written long ago (for no case the database knows): retention deletes it.
pub fn plant_stale_mail(app: &TestApp, name: &str) -> std::path::PathBuf {
    let dir = app.settings.outbox_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, "Subject: old\r\n\r\nold mail\r\n").unwrap();
    let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old)
        .unwrap();
    path
}

async fn search_total(app: &TestApp, t: &str, q: &str) -> u64 {
    let path = format!("/api/v1/search?q={}", urlencoding(q));
    let (s, v) = app.get_as(&path, t).await;
    assert_eq!(s, 200, "{v}");
    v["total"].as_u64().unwrap()
}

fn urlencoding(q: &str) -> String {
    q.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Figures a retention run must not change: the stored bulletin of a past quarter as served,
/// that quarter's bulletin computed afresh by the CLI, and the business page.
async fn figures(app: &TestApp, bulletin: i64, dir: &std::path::Path) -> (Vec<u8>, Vec<u8>, Value) {
    let res = app
        .client
        .get(app.url(&format!("/bulletins/{bulletin}.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let stored = res.bytes().await.unwrap().to_vec();
    let args = [
        "bulletin",
        "2024-Q1",
        "--as-of",
        "2024-12-31",
        "--format",
        "json",
        "--out",
    ];
    let o = run_on(app, &[&args[..], &[dir.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let fresh = std::fs::read(dir.join("bulletin-2024-Q1.json")).unwrap();
    let (_, page) = app
        .get(&format!("/api/v1/businesses/{RESPONDENT_USCC}"))
        .await;
    (stored, fresh, page)
}

async fn wait_search(app: &TestApp, t: &str, q: &str, done: impl Fn(u64) -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let total = search_total(app, t, q).await;
        if done(total) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{q}: the index shows {total} case(s)"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The keys (two levels deep) whose values differ between two JSON documents.
fn changed(a: &[u8], b: &[u8]) -> Vec<String> {
    let a: Value = serde_json::from_slice(a).unwrap();
    let b: Value = serde_json::from_slice(b).unwrap();
    let mut out = Vec::new();
    for (k, v) in a.as_object().unwrap() {
        if b[k] == *v {
            continue;
        }
        match v.as_object() {
            Some(inner) => out.extend(
                inner
                    .iter()
                    .filter(|(k2, v2)| b[k][k2.as_str()] != **v2)
                    .map(|(k2, _)| format!("{k}.{k2}")),
            ),
            None => out.push(k.clone()),
        }
    }
    out
}

/// The run as of 2027-02-01: ahead of the machine's clock when written, so it says so.
const RUN_AS_OF: &[&str] = &[
    "retention",
    "run",
    "--as-of",
    "2027-02-01",
    "--allow-future-as-of",
];

pub fn retention_run(app: &TestApp, extra: &[&str]) -> String {
    let o = run_on(app, &[RUN_AS_OF, extra].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn retention_removes_personal_data_and_keeps_figures(backend: Backend) {
    let app = TestApp::spawn_with(&backend, |s| s.mail_poll_ms = 50).await;
    fixture::build(&app).await;
    let old = plant_old_cases(&app).await;
    wait_mail(&app, DUE.email).await;
    let stale = plant_stale_mail(&app, "stale.eml");
    app.set_now(morning(2027, 2, 1));
    let analyst = app.add_user(ANALYST, "analyst", &[], None).await;
    let admin = token(&app, ADMIN).await;
    let b = crate::draft(&app, json!({"period": "2024-Q1", "as_of": "2024-12-31"})).await;
    let id = b["id"].as_i64().unwrap();
    let (s, v) = app
        .post_as(
            &format!("/api/v1/admin/bulletins/{id}/publish"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    wait_search(&app, &analyst, "紫罗兰", |n| n == 2).await;
    wait_search(&app, &analyst, "丁香花园", |n| n == 1).await;
    let dir = tempfile::tempdir().unwrap();
    let before = figures(&app, id, &dir.path().join("before")).await;
    assert!(!scan_database(&app, DUE.name).is_empty() && !files_holding(&app, DUE.name).is_empty());

    let dry = retention_run(&app, &["--dry-run"]);
    assert!(dry.contains("would anonymise 2 case(s)"), "{dry}");
    assert!(
        !scan_database(&app, DUE.name).is_empty(),
        "a dry run changes nothing"
    );

    // A date ahead of today is refused without the flag, and nothing changes.
    let ahead = run_on(&app, &["retention", "run", "--as-of", "2099-01-01"]);
    let said = String::from_utf8_lossy(&ahead.stderr);
    assert_eq!(ahead.status.code(), Some(1), "{said}");
    assert!(said.contains("lies ahead of today"), "{said}");
    for secret in [DUE.name, KEPT.name] {
        assert!(
            !scan_database(&app, secret).is_empty(),
            "{secret}: a refused run changes nothing"
        );
    }

    let out = retention_run(&app, &[]);
    assert!(out.contains("anonymised 2 case(s)"), "{out}");
    assert!(
        out.contains("complaint: 1") && out.contains("never_accepted: 1"),
        "{out}"
    );

    for secret in DUE.secrets() {
        let hits = scan_database(&app, secret);
        assert!(hits.is_empty(), "{secret} still in {hits:?}");
        assert_eq!(
            files_holding(&app, secret),
            Vec::<std::path::PathBuf>::new(),
            "{secret} in a file"
        );
    }
    assert!(!stale.exists(), "a mail file past the outbox period stays");
    for secret in KEPT.secrets() {
        assert!(
            !scan_database(&app, secret).is_empty(),
            "{secret}: cases not yet due are untouched"
        );
    }
    wait_search(&app, &analyst, "紫罗兰", |n| n == 0).await;
    assert_eq!(search_total(&app, &analyst, "丁香花园").await, 1);
    let after = figures(&app, id, &dir.path().join("after")).await;
    assert!(before.0 == after.0, "the stored bulletin changed");
    // Every count and rate of the quarter computed afresh stays; only its hot terms, which are
    // words of the consumers' own text, go with that text (the published bulletin keeps them).
    assert_eq!(
        changed(&before.1, &after.1),
        vec!["hot_issues".to_owned(), "inputs_hash".to_owned()],
        "the quarter's figures changed"
    );
    assert_eq!(before.2, after.2, "the business page changed");

    let (s, v) = app
        .get_as(&format!("/api/v1/cases/{}", old[0]), &admin)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "settled", "{v}");
    assert_eq!(v["attachments"], json!([]), "{v}");

    let verify = run_on(&app, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let again = retention_run(&app, &[]);
    assert!(
        again.contains("anonymised 0 case(s)"),
        "a second run is a no-op: {again}"
    );
}

crate::on_both_backends!(retention_removes_personal_data_and_keeps_figures);
