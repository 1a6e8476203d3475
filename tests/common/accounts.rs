//! Accounts for tests: users and businesses created through the service layer, signed in over
//! HTTP, and requests made with a bearer token.

use odrdesk::clock::Clock;
use odrdesk::service::accounts::{self, EnterpriseInput, UserInput};
use odrdesk::store::{self, PooledDb};
use serde_json::Value;

use super::{TestApp, read};

/// The password every test account gets.
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// A direct connection to the test database, for setting up data.
    pub fn db(&self) -> PooledDb {
        store::connect(&self.settings.database, 1)
            .expect("connect")
            .get()
            .expect("connection")
    }

    /// Creates an account (password [`PASSWORD`]) and signs it in; returns its bearer token.
    pub async fn add_user(
        &self,
        email: &str,
        role: &str,
        bureaus: &[&str],
        uscc: Option<&str>,
    ) -> String {
        let input = UserInput {
            email: Some(email.to_owned()),
            password: Some(PASSWORD.to_owned()),
            role: Some(role.to_owned()),
            bureaus: bureaus.iter().map(|b| b.to_string()).collect(),
            uscc: uscc.map(str::to_owned),
            name: None,
        };
        let user = accounts::parse_user(&input).expect("valid test user");
        let now = self.clock.now();
        let mut conn = self.db();
        tokio::task::block_in_place(|| accounts::add_user(&mut conn, user, now)).expect("add user");
        self.login_token(email, PASSWORD).await
    }

    /// Registers a business directly in the database.
    pub fn add_enterprise(&self, uscc: &str, name: &str, district: &str, odr: bool) {
        let input = EnterpriseInput {
            uscc: Some(uscc.to_owned()),
            name: Some(name.to_owned()),
            district: Some(district.to_owned()),
            email: Some("service@example.com".to_owned()),
            odr,
            commitments: vec![],
        };
        let enterprise = accounts::parse_enterprise(&input).expect("valid test enterprise");
        let now = self.clock.now();
        let mut conn = self.db();
        tokio::task::block_in_place(|| accounts::upsert_enterprise(&mut conn, &enterprise, now))
            .expect("add enterprise");
    }

    /// `POST /api/v1/auth/login`, the raw response (for headers).
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": email, "password": password}))
            .send()
            .await
            .expect("request")
    }

    pub async fn login_token(&self, email: &str, password: &str) -> String {
        let (status, body) = read(self.login(email, password).await).await;
        assert_eq!(status, 200, "login {email}: {body}");
        body["token"].as_str().expect("token").to_owned()
    }

    /// Waits until the index holds `expected` cases (the follower runs every 50 ms in tests).
    pub async fn wait_indexed(&self, token: &str, expected: u64) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let (s, v) = self.get_as("/api/v1/search?limit=1", token).await;
            assert_eq!(s, 200, "{v}");
            if v["total"].as_u64() == Some(expected) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "index never caught up: {v}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    pub async fn get_as(&self, path: &str, token: &str) -> (u16, Value) {
        let res = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        read(res).await
    }

    /// A GET with the bearer token whose answer is not JSON (CSV, HTML): its text.
    pub async fn get_text_as(&self, path: &str, token: &str) -> String {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body")
    }

    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let res = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request");
        read(res).await
    }
}
