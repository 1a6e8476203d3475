use std::time::Duration;

use super::svg::{BAR_AREA, Bar, bar_chart, bar_length};
use super::*;
use crate::bulletin::model::{BusinessRow, Rate, Tip, TypicalCase};
use crate::bulletin::sample::sample;

#[test]
fn every_format_is_byte_stable() {
    let (a, b) = (sample(), sample());
    assert_eq!(html(&a), html(&b));
    assert_eq!(csv(&a), csv(&b));
    assert_eq!(json(&a), json(&b));
}

#[test]
fn json_round_trips_with_a_trailing_newline() {
    let b = sample();
    let text = json(&b);
    assert!(text.ends_with("}\n"));
    let back: Bulletin = serde_json::from_str(&text).unwrap();
    assert_eq!(back, b);
}

#[test]
fn numbers_are_formatted_for_readers() {
    assert_eq!(percent(Some(0.1234)), "12.3%");
    assert_eq!(percent(Some(1.0)), "100.0%");
    assert_eq!(percent(None), "—");
    assert_eq!(percent(Some(f64::NAN)), "—");
    assert_eq!(trend(Some(0.1234)), "↑12.3%");
    assert_eq!(trend(Some(-0.04)), "↓4.0%");
    assert_eq!(trend(Some(-0.0001)), "0.0%");
    assert_eq!(trend(None), "—");
    assert_eq!(yuan(128_645_350), "1,286,453.50");
    assert_eq!(yuan(5), "0.05");
    assert_eq!(yuan(-123_456), "-1,234.56");
    assert_eq!(yuan(i64::MIN), "-92,233,720,368,547,758.08");
    let b = sample();
    let p = &b.figures.period;
    assert_eq!(period_name(&p.label, p.from, p.to), "2026年第三季度");
    assert_eq!(
        period_name("2026-07-01~2026-08-15", p.from, p.to),
        "2026年7月1日至2026年9月30日"
    );
}

#[test]
fn csv_has_the_documented_header_and_importable_rows() {
    let text = csv(&sample());
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("period,table,code,label,count,share,yoy,numerator,denominator")
    );
    let rows: Vec<&str> = lines.collect();
    for expected in [
        "2026-Q3,totals,complaints,投诉,3486,,0.1238,,",
        "2026-Q3,totals,recovered_fen,挽回经济损失（分）,128645350,,0.2308,,",
        "2026-Q3,rate,acceptance_on_time,投诉按时受理率,,0.9823,,3391,3452",
        "2026-Q3,district,440703,蓬江区,1012,0.2903,0.0835,,",
        "2026-Q3,category,goods.cosmetics.whitening_spot,美白祛斑产品,92,0.0264,,,",
        "2026-Q3,odr,median_working_days,办理用时中位数（工作日）,4.5,,,,",
        "2026-Q3,cosmetics_referral,serious,严重,4,0.093,1.0,,",
        "2026-Q3,business,,某电商平台“美妆优选旗舰店”,39,,,,",
        "2026-Q3,hot_issue,,直播带货,168,,,,",
        "2026-Q3,counterfeit_ip,ip_trademark,商标侵权,23,,,,",
        "2026-Q3,counterfeit_ip_filed,ip_trademark,商标侵权已立案,12,,,,",
        "2026-Q3,rate,counterfeit_ip_filed,假冒、侵权举报立案率,,0.4385,,57,130",
    ] {
        assert!(rows.contains(&expected), "missing {expected}\n{text}");
    }
    // Every breakdown that `odrdesk import` reads sums to the complaint total.
    for table in ["district", "category", "nature", "channel"] {
        let sum: u64 = rows
            .iter()
            .map(|r| r.split(',').collect::<Vec<_>>())
            .filter(|cells| cells[1] == table)
            .map(|cells| cells[4].parse::<u64>().unwrap())
            .sum();
        assert_eq!(sum, 3486, "{table}");
    }
}

#[test]
fn csv_quotes_cells_that_need_it() {
    let mut b = sample();
    b.figures.top_businesses = vec![BusinessRow {
        name: "甲, \"乙\"\n公司".into(),
        uscc: None,
        complaints: 3,
        response: Rate::of(0, 0),
        settlement: Rate::of(1, 2),
    }];
    let text = csv(&b);
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[1] == "business")
        .map(|r| r[3].to_owned())
        .collect();
    assert_eq!(names, ["甲, \"乙\"\n公司"]);
    assert!(text.contains("business_response,,\"甲, \"\"乙\"\"\n公司\",,,,0,0\n"));
}

#[test]
fn csv_text_cells_never_start_a_formula_and_figures_stay_numbers() {
    let mut b = sample();
    b.figures.top_businesses[0].name = "=HYPERLINK(\"https://evil.example\",\"店\")".into();
    b.figures.hot_issues[0].term = "-2+3+cmd|' /C calc'!A0".into();
    b.figures.change.complaints.yoy = Some(-0.032);
    let text = csv(&b);
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let cell = |r: &::csv::StringRecord, i: usize| r[i].to_owned();
    let records: Vec<::csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let labels = |table: &str| -> Vec<String> {
        records
            .iter()
            .filter(|r| &r[1] == table)
            .map(|r| cell(r, 3))
            .collect()
    };
    assert_eq!(
        labels("business")[0],
        "'=HYPERLINK(\"https://evil.example\",\"店\")"
    );
    assert_eq!(labels("hot_issue")[0], "'-2+3+cmd|' /C calc'!A0");
    assert!(
        text.contains("2026-Q3,totals,complaints,投诉,3486,,-0.032,,\n"),
        "{text}"
    );

    // `odrdesk import` still reads the totals back from the file the bulletin wrote.
    let read = crate::bulletin::history::parse(
        text.as_bytes(),
        crate::domain::taxonomy::Taxonomy::builtin(),
    );
    assert_eq!(read.fatal, None);
    let totals: Vec<(&str, i64)> = read
        .rows
        .iter()
        .filter(|r| r.table == "totals")
        .map(|r| (r.code.as_str(), r.count))
        .collect();
    assert_eq!(
        totals,
        [
            ("complaints", 3486),
            ("reports", 612),
            ("recovered_fen", 128_645_350)
        ]
    );
}

#[test]
fn html_is_a_self_contained_chinese_page_in_section_order() {
    let page = html(&sample());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<html lang=\"zh-CN\">"));
    assert!(page.contains("江门市市场监督管理局"));
    assert!(page.contains("2026年第三季度消费投诉举报情况通报"));
    assert!(page.contains("@page { size: A4;"));
    assert!(page.contains("@media print"));
    assert!(page.contains("\"Noto Sans CJK SC\""));
    for forbidden in ["<script", "<link", "http://", "https://", "@import", "url("] {
        let outside_svg_namespace = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !outside_svg_namespace.contains(forbidden),
            "page must not load {forbidden}"
        );
    }
    let headings = [
        "一、总体情况",
        "二、办理效率",
        "三、投诉渠道",
        "四、网购占比",
        "五、区域分布",
        "六、商品和服务类别",
        "七、投诉性质",
        "八、热点问题",
        "九、化妆品专题",
        "十、在线消费纠纷解决（ODR）",
        "十一、被投诉较多的经营者",
        "十二、典型案例",
        "十三、消费提示",
        "专题：打击假冒和侵犯知识产权",
        "统计说明",
        "数据指纹（SHA-256）",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| page.find(h).unwrap_or_else(|| panic!("missing {h}")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[test]
fn html_shows_figures_rates_and_missing_values() {
    let page = html(&sample());
    assert!(page.contains("3486<small>件</small>"));
    assert!(page.contains("1,286,453.50<small>元</small>"));
    assert!(page.contains("同比 ↑12.4%"), "complaints 3486 against 3102");
    assert!(page.contains("<td class=\"num\">98.2%</td><td class=\"num\">3391/3452</td>"));
    assert!(page.contains("73.4%（802/1093）"), "ODR settlement");
    // 美白祛斑产品 has no figure a year earlier.
    assert!(page.contains("<td>美白祛斑产品</td><td class=\"num\">92</td><td class=\"num\">2.6%</td><td class=\"num\">—</td>"));
    assert!(page.contains("91440703MA4UX2K15Q"));
    assert!(page.contains("数据格式版本：1"));
    assert!(!page.contains("草稿"), "a published bulletin has no banner");
}

#[test]
fn drafts_previews_and_corrections_are_marked() {
    let mut b = sample();
    b.status = "draft".into();
    b.erratum = Some("更正蓬江区投诉件数 <b>".into());
    let page = html(&b);
    assert!(page.contains("草稿"));
    assert!(page.contains("更正说明"));
    assert!(
        page.contains("更正蓬江区投诉件数 &#60;b&#62;")
            || page.contains("更正蓬江区投诉件数 &lt;b&gt;")
    );
    b.status = "preview".into();
    assert!(html(&b).contains("预览"));
}

#[test]
fn user_text_is_escaped_everywhere() {
    let attack = "<script>alert(1)</script>";
    let mut b = sample();
    b.typical_cases = vec![TypicalCase {
        title: attack.into(),
        category: attack.into(),
        summary: attack.into(),
        outcome: attack.into(),
    }];
    b.tips = vec![Tip {
        title: attack.into(),
        body: attack.into(),
    }];
    b.erratum = Some(attack.into());
    b.figures.top_businesses[0].name = attack.into();
    b.figures.hot_issues[0].term = attack.into();
    b.figures.by_district[0].label = attack.into();
    let page = html(&b);
    assert!(!page.contains("<script"), "unescaped markup in the page");
    assert!(page.contains("alert(1)"));
}

#[test]
fn bars_are_proportional_and_labelled() {
    assert_eq!(bar_length(50, 100), BAR_AREA / 2.0);
    assert_eq!(bar_length(0, 0), 0.0);
    let bars = [
        Bar {
            label: "蓬江区".into(),
            value: 200,
            note: "200件".into(),
        },
        Bar {
            label: "A&B <c>".into(),
            value: 50,
            note: "50件".into(),
        },
    ];
    let svg = bar_chart("区域 \"分布\"", &bars);
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("aria-label=\"区域 &quot;分布&quot;\""));
    assert!(svg.contains("<title>区域 &quot;分布&quot;</title>"));
    assert!(svg.contains(&format!("width=\"{:.1}\"", BAR_AREA)));
    assert!(svg.contains(&format!("width=\"{:.1}\"", BAR_AREA / 4.0)));
    assert!(svg.contains("A&amp;B &lt;c&gt;"));
    assert!(!svg.contains("<c>"));
    assert_eq!(bar_chart("空", &[]), "");
}

#[test]
fn long_labels_are_shortened_but_kept_in_the_tooltip() {
    let bars = [Bar {
        label: "江门市新会区优学教育培训中心".into(),
        value: 1,
        note: "1件".into(),
    }];
    let svg = bar_chart("经营者", &bars);
    assert!(svg.contains(">江门市新会区优…</text>"));
    assert!(svg.contains("<title>江门市新会区优学教育培训中心：1件</title>"));
}

#[test]
fn empty_figures_render_without_panicking() {
    let mut b = sample();
    let f = &mut b.figures;
    f.by_channel.clear();
    f.by_district.clear();
    f.by_category.clear();
    f.by_nature.clear();
    f.hot_issues.clear();
    f.top_businesses.clear();
    f.methodology.clear();
    f.odr.median_working_days = None;
    f.rates.online_shopping = Rate::of(0, 0);
    b.published_at = None;
    b.typical_cases.clear();
    b.tips.clear();
    let page = html(&b);
    assert!(page.contains("本期无突出的热点问题"));
    assert!(page.contains("<td class=\"num\">—</td>"));
    // No share is an empty meter, not a full one.
    assert!(
        page.contains("<span style=\"width: 0.0%\"></span>"),
        "{page}"
    );
    assert!(csv(&b).lines().count() > 1);
}

#[cfg(unix)]
fn fake_chromium(dir: &std::path::Path, script: &str) -> Chromium {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("chromium");
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    Chromium {
        binary: path,
        timeout: Duration::from_secs(5),
    }
}

#[cfg(unix)]
#[test]
fn a_hung_chromium_is_killed_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let mut chromium = fake_chromium(dir.path(), "sleep 30");
    chromium.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let err = chromium.print("<p>x</p>").unwrap_err();
    assert!(matches!(err, PdfError::Timeout(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[cfg(unix)]
#[test]
fn chromium_failures_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let failing = fake_chromium(dir.path(), "echo 'cannot open display' >&2; exit 3");
    let err = failing.print("<p>x</p>").unwrap_err();
    assert!(err.to_string().contains("cannot open display"), "{err}");

    // Exits cleanly but writes something other than a PDF where the PDF should be.
    let liar = fake_chromium(
        dir.path(),
        r#"for a in "$@"; do case "$a" in --print-to-pdf=*) echo nope > "${a#--print-to-pdf=}";; esac; done"#,
    );
    assert!(matches!(liar.print("<p>x</p>"), Err(PdfError::NotPdf)));

    let missing = Chromium {
        binary: dir.path().join("absent"),
        timeout: Duration::from_secs(1),
    };
    assert!(matches!(
        missing.print("<p>x</p>"),
        Err(PdfError::Spawn { .. })
    ));
    assert!(
        PdfError::ChromiumNotFound
            .to_string()
            .contains("apt-get install chromium fonts-noto-cjk")
    );
}

#[test]
fn hot_issues_show_per_day_and_lift_and_leave_struck_terms_out() {
    let mut b = sample();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T02:00:00Z")
        .unwrap()
        .to_utc();
    let strike = crate::bulletin::model::Strike {
        by: "ed@jm.gov.cn".into(),
        at,
    };
    assert!(b.figures.mark_hot_issue("虚假功效", Some(strike)));
    let page = html(&b);
    // 直播带货: 168 cases in 92 days against 52 in 91, the latter smoothed by one case.
    assert!(
        page.contains("直播带货<span class=\"count\">×3.1</span><span class=\"chg\">日均 1.83 件，上期日均 0.57 件</span>"),
        "{page}"
    );
    assert!(
        page.contains("美容院退卡<span class=\"count\">新出现</span>"),
        "{page}"
    );
    assert!(!page.contains("虚假功效"), "{page}");
    assert!(!csv(&b).contains("虚假功效"));
    assert!(!json(&b).contains("虚假功效"));
    // Bulletins stored before per-day figures still read as counts.
    let mut old = sample();
    old.figures.hot_issues[0].per_day = None;
    assert!(html(&old).contains("直播带货<span class=\"count\">168件</span>"));
}

#[test]
fn lift_reads_as_times_or_new() {
    assert_eq!(lift(Some(3.16)), "×3.2");
    assert_eq!(lift(None), "新出现");
    assert_eq!(per_day(1.0 / 3.0), "0.33");
}
