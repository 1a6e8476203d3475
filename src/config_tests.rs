use super::*;

#[test]
fn sms_is_on_only_with_every_credential_and_reads_templates_and_limits() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "outbox_max_attempts = 3\n[sms]\nsdk_app_id = \"1400000001\"\n\
         sign_name = \"江门市市场监督管理局\"\n[sms.templates]\naccepted = \"2100003\"\n\
         [sms.limits]\nper_minute = 2\n",
    )
    .unwrap();
    let mut args = CommonArgs {
        config: Some(file.clone()),
        data_dir: Some(dir.path().to_owned()),
        sms_secret_id: Some("AKID".into()),
        ..Default::default()
    };
    let s = Settings::resolve(&args, None).unwrap();
    assert!(s.sms.is_none(), "no secret key: SMS stays off");
    assert_eq!(s.outbox_max_attempts, 3);
    args.sms_secret_key = Some("key".into());
    let sms = Settings::resolve(&args, None).unwrap().sms.unwrap();
    assert_eq!(sms.templates["accepted"], "2100003");
    assert_eq!((sms.limits.per_minute, sms.limits.per_hour), (2, 5));
    assert_eq!(sms.api_base, "https://sms.tencentcloudapi.com");
    assert!(!format!("{sms:?}").contains("key\""), "{sms:?}");
    std::fs::write(&file, "[sms]\nsecret_key = \"in-the-file\"\n").unwrap();
    assert!(
        Settings::resolve(&args, None).is_err(),
        "secrets are not read from the file"
    );
}

#[test]
fn flags_win_over_file_and_defaults_fill_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9000\"\ndata_dir = \"/srv/odr\"\npool_size = 3\n",
    )
    .unwrap();
    let args = CommonArgs {
        config: Some(file.clone()),
        data_dir: Some(PathBuf::from("/tmp/flag")),
        ..Default::default()
    };
    let s = Settings::resolve(&args, None).unwrap();
    assert_eq!(s.data_dir, PathBuf::from("/tmp/flag"));
    assert_eq!(s.listen.port(), 9000);
    assert_eq!(s.pool_size, 3);
    assert_eq!(
        s.database,
        DatabaseUrl::Sqlite("/tmp/flag/odrdesk.sqlite3".into())
    );
    let s = Settings::resolve(&args, Some("0.0.0.0:1")).unwrap();
    assert_eq!(s.listen.port(), 1);
}

#[test]
fn the_session_cookie_is_secure_by_default_behind_https() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    let resolve = |text: &str, public_url: Option<&str>| {
        std::fs::write(&file, text).unwrap();
        let args = CommonArgs {
            config: Some(file.clone()),
            public_url: public_url.map(str::to_owned),
            ..Default::default()
        };
        Settings::resolve(&args, None).unwrap().cookie_secure
    };
    assert!(!resolve("", None), "plain http on loopback");
    assert!(resolve("", Some("https://odr.jiangmen.gov.cn")));
    assert!(resolve(
        "public_url = \"https://odr.jiangmen.gov.cn/\"\n",
        None
    ));
    assert!(!resolve(
        "cookie_secure = false\n",
        Some("https://odr.jiangmen.gov.cn")
    ));
    assert!(resolve(
        "cookie_secure = true\n",
        Some("http://127.0.0.1:8080")
    ));
}

#[test]
fn bad_file_and_bad_listen_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(&file, "listen = 5\n").unwrap();
    let args = CommonArgs {
        config: Some(file),
        ..Default::default()
    };
    assert!(matches!(
        Settings::resolve(&args, None),
        Err(ConfigError::Parse { .. })
    ));
    let args = CommonArgs::default();
    assert!(matches!(
        Settings::resolve(&args, Some("nope")),
        Err(ConfigError::Listen(_))
    ));
    let args = CommonArgs {
        config: Some(dir.path().join("missing.toml")),
        ..Default::default()
    };
    assert!(matches!(
        Settings::resolve(&args, None),
        Err(ConfigError::Read { .. })
    ));
}

#[test]
fn the_scorecard_method_is_read_from_its_section_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "[scorecard]\nviolation_points = 20\ngrade_a = 85.5\n",
    )
    .unwrap();
    let args = CommonArgs {
        config: Some(file.clone()),
        data_dir: Some(dir.path().to_owned()),
        ..Default::default()
    };
    let m = Settings::resolve(&args, None).unwrap().scorecard;
    assert_eq!(
        (m.violation_points, m.grade_a, m.grade_b),
        (20.0, 85.5, 75.0)
    );
    std::fs::write(&file, "[scorecard]\ngrade_b = 95\n").unwrap();
    assert!(matches!(
        Settings::resolve(&args, None),
        Err(ConfigError::Scorecard(_))
    ));
    std::fs::write(&file, "[scorecard]\nviolations = 1\n").unwrap();
    assert!(Settings::resolve(&args, None).is_err(), "unknown keys");
}

#[test]
fn the_metrics_token_comes_from_the_environment_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    std::fs::write(
        &file,
        "[metrics]\ntoken = \"from-file\"\nmax_index_lag = 5\n",
    )
    .unwrap();
    let mut args = CommonArgs {
        config: Some(file.clone()),
        data_dir: Some(dir.path().to_owned()),
        ..Default::default()
    };
    let s = Settings::resolve(&args, None).unwrap();
    assert_eq!(s.metrics.token.as_deref(), Some("from-file"));
    assert_eq!(s.metrics.max_index_lag, 5);
    assert!(
        !format!("{s:?}").contains("from-file"),
        "the token is not logged"
    );
    assert!(s.metrics.admits(false, Some("from-file")));
    assert!(!s.metrics.admits(false, Some("from-fil")));
    assert!(!s.metrics.admits(false, None));
    args.metrics_token = Some("  from-env ".into());
    let s = Settings::resolve(&args, None).unwrap();
    assert_eq!(s.metrics.token.as_deref(), Some("from-env"));
    std::fs::write(&file, "").unwrap();
    args.metrics_token = Some("   ".into());
    let s = Settings::resolve(&args, None).unwrap();
    assert_eq!(
        (s.metrics.token.as_deref(), s.metrics.max_index_lag),
        (None, 1000)
    );
    assert!(!s.metrics.admits(false, Some("")), "no token opens nothing");
    assert!(
        !s.metrics.admits(true, None),
        "loopback callers need the token unless allowed"
    );
    std::fs::write(&file, "[metrics]\nallow_loopback = true\n").unwrap();
    let s = Settings::resolve(&args, None).unwrap();
    assert!(
        s.metrics.admits(true, None),
        "allowed loopback callers need none"
    );
    assert!(!s.metrics.admits(false, None));
}

#[test]
fn retention_periods_are_read_and_an_adverse_reaction_period_under_three_years_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("c.toml");
    let args = CommonArgs {
        config: Some(file.clone()),
        data_dir: Some(dir.path().to_owned()),
        ..Default::default()
    };
    std::fs::write(&file, "[retention]\ncomplaint_years = 4\nbatch = 10\n").unwrap();
    let p = Settings::resolve(&args, None).unwrap().retention;
    assert_eq!((p.complaint_years, p.report_years, p.batch), (4, 5, 10));
    std::fs::write(&file, "[retention]\nadverse_reaction_years = 2\n").unwrap();
    match Settings::resolve(&args, None) {
        Err(ConfigError::Retention(m)) => assert!(m.contains("adverse_reaction_years"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    std::fs::write(&file, "[retention]\nforever = true\n").unwrap();
    assert!(Settings::resolve(&args, None).is_err(), "unknown keys");
}
