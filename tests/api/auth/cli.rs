//! The real binary: `enterprise add`, `user add` with the password on standard input, and
//! `apikey issue`, on the data of a running server.

use std::io::Write;
use std::process::{Output, Stdio};

use super::USCC;
use crate::common::binary::odrdesk_on;
use crate::common::{Backend, TestApp};
use crate::on_both_backends;

/// Runs `odrdesk ARGS` on the app's data, feeding `stdin`.
fn odrdesk(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut cmd = odrdesk_on(app);
    let mut child = cmd
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run odrdesk");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn cli_adds_enterprises_users_and_keys(backend: Backend) {
    let app = TestApp::spawn(&backend).await;
    let enterprise = [
        "enterprise",
        "add",
        "--uscc",
        USCC,
        "--name",
        "江门市美颜化妆品有限公司",
        "--district",
        "440703",
        "--odr",
        "--commitment",
        "worry_free",
    ];
    let out = odrdesk(&app, &enterprise, "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("已登记企业"), "{}", text(&out));
    let out = odrdesk(&app, &enterprise, "");
    assert!(text(&out).contains("已更新企业"), "{}", text(&out));

    let shop = [
        "user",
        "add",
        "--email",
        "shop@example.com",
        "--role",
        "enterprise",
        "--uscc",
        USCC,
    ];
    let out = odrdesk(&app, &shop, "a long password\nignored second line\n");
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("a long password"));
    let token = app.login_token("shop@example.com", "a long password").await;
    let (status, me) = app.get_as("/api/v1/auth/me", &token).await;
    assert_eq!(status, 200);
    assert_eq!(me["uscc"], USCC);

    let out = odrdesk(&app, &shop, "another password\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("已被使用"), "{}", text(&out));

    let mediator = [
        "user",
        "add",
        "--email",
        "med@example.gov.cn",
        "--role",
        "mediator",
    ];
    let out = odrdesk(&app, &mediator, "short\n");
    assert_eq!(out.status.code(), Some(1));
    let msg = text(&out);
    assert!(
        msg.contains("至少需要10个字符") && msg.contains("bureaus"),
        "{msg}"
    );
    let with_bureau = [&mediator[..], &["--bureau", "440705", "--bureau", "440703"]].concat();
    let out = odrdesk(&app, &with_bureau, "mediator password\n");
    assert!(out.status.success(), "{}", text(&out));
    let token = app
        .login_token("med@example.gov.cn", "mediator password")
        .await;
    let (_, me) = app.get_as("/api/v1/auth/me", &token).await;
    assert_eq!(me["bureaus"], serde_json::json!(["440703", "440705"]));

    let out = odrdesk(&app, &["apikey", "issue", "--label", "小程序后端"], "");
    assert!(out.status.success(), "{}", text(&out));
    let key = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()),
        "{key}"
    );
}

on_both_backends!(cli_adds_enterprises_users_and_keys);
