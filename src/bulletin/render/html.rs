//! The bulletin as one self-contained, printable HTML page (`templates/bulletin.html`).
//! Numbers are formatted here, so the template only lays them out; askama escapes every
//! value except the SVG charts, which `svg` escapes itself.

use askama::Template;

use super::svg::{Bar, bar_chart};
use super::{chinese_date, fraction, lift, per_day, percent, period_name, trend, yuan};
use crate::bulletin::model::{Bulletin, Change, HotIssue, Rate, Row};
use crate::clock::china_offset;
use crate::domain::case::CaseKind;

/// A headline figure with its comparisons.
struct Headline {
    label: &'static str,
    value: String,
    unit: &'static str,
    yoy: String,
    qoq: String,
    earlier: String,
}

/// A rate as a percentage with its numerator and denominator.
struct RateLine {
    label: &'static str,
    percent: String,
    fraction: String,
    /// The meter's CSS width: the share within 0–100 %, and 0 % without one (a meter must
    /// not read as full when nothing was counted).
    width: String,
}

impl RateLine {
    fn new(label: &'static str, rate: &Rate) -> RateLine {
        RateLine {
            label,
            percent: percent(rate.value),
            fraction: fraction(rate.numerator, rate.denominator),
            width: percent(Some(
                rate.value
                    .filter(|v| v.is_finite())
                    .unwrap_or(0.0)
                    .clamp(0.0, 1.0),
            )),
        }
    }
}

/// One line of a breakdown table.
struct TableLine {
    label: String,
    count: u64,
    share: String,
    yoy: String,
}

fn table(rows: &[Row]) -> Vec<TableLine> {
    rows.iter()
        .map(|r| TableLine {
            label: r.label.clone(),
            count: r.count,
            share: percent(r.share),
            yoy: trend(r.yoy),
        })
        .collect()
}

fn chart(title: &str, rows: &[Row]) -> String {
    let bars: Vec<Bar> = rows.iter().map(Bar::from_row).collect();
    bar_chart(title, &bars)
}

/// A hot term with its cases per day against the period before, or with its case counts in
/// bulletins made before per-day figures.
struct HotLine {
    term: String,
    count: u64,
    previous_count: u64,
    change: String,
    per_day: Option<(String, String)>,
    lift: String,
}

impl HotLine {
    fn new(h: &HotIssue) -> HotLine {
        HotLine {
            term: h.term.clone(),
            count: h.count,
            previous_count: h.previous_count,
            change: trend(crate::bulletin::model::change(
                h.count as i64,
                Some(h.previous_count as i64),
            )),
            per_day: h
                .per_day
                .map(|now| (per_day(now), per_day(h.previous_per_day.unwrap_or(0.0)))),
            lift: lift(h.lift),
        }
    }
}

struct BusinessLine {
    name: String,
    uscc: Option<String>,
    complaints: u64,
    response: RateLine,
    settlement: RateLine,
}

/// A note printed above the title for anything but a published bulletin.
struct Banner {
    class: &'static str,
    text: &'static str,
}

fn banner(status: &str) -> Option<Banner> {
    let (class, text) = match status {
        "published" => return None,
        "draft" => ("draft", "草稿 · 尚未发布，数据以正式发布版本为准"),
        "preview" => ("draft", "预览 · 未保存，仅供核对"),
        "superseded" => ("superseded", "本版本已被更正，请以最新版本为准"),
        _ => ("draft", "未发布"),
    };
    Some(Banner { class, text })
}

#[derive(Template)]
#[template(path = "bulletin.html")]
struct Page<'a> {
    b: &'a Bulletin,
    /// The site's header, way back and downloads, on the public web page only.
    site: bool,
    agency: String,
    period_name: String,
    span: String,
    as_of: String,
    published: Option<String>,
    banner: Option<Banner>,
    headlines: Vec<Headline>,
    efficiency: Vec<RateLine>,
    online: RateLine,
    channel_chart: String,
    districts: Vec<TableLine>,
    district_chart: String,
    categories: Vec<TableLine>,
    category_chart: String,
    natures: Vec<TableLine>,
    nature_chart: String,
    hot: Vec<HotLine>,
    severities: Vec<TableLine>,
    referrals_on_time: RateLine,
    cosmetics_issues: Vec<TableLine>,
    odr_settled: RateLine,
    odr_median: String,
    businesses: Vec<BusinessLine>,
}

impl Page<'_> {
    /// The filed share of the counterfeit and IP section, when the bulletin has one.
    fn counterfeit_filed(&self) -> Option<RateLine> {
        let section = self.b.figures.counterfeit_ip.as_ref()?;
        Some(RateLine::new("假冒、侵权举报立案率", &section.filed))
    }

    /// `1` → `一`, up to `十`; larger numbers in digits.
    fn ordinal(&self, n: &usize) -> String {
        let n = *n;
        const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        n.checked_sub(1)
            .and_then(|i| NUMERALS.get(i))
            .map(|s| (*s).to_owned())
            .unwrap_or_else(|| n.to_string())
    }
}

fn headline(
    label: &'static str,
    value: String,
    unit: &'static str,
    change: &Change,
    show: impl Fn(i64) -> String,
) -> Headline {
    let earlier = [
        ("上年同期", change.previous_year),
        ("上期", change.previous_period),
    ]
    .iter()
    .filter_map(|(name, v)| v.map(|v| format!("{name} {}{unit}", show(v))))
    .collect::<Vec<_>>()
    .join("；");
    Headline {
        label,
        value,
        unit,
        yoy: trend(change.yoy),
        qoq: trend(change.qoq),
        earlier,
    }
}

fn page(b: &Bulletin, site: bool) -> Page<'_> {
    let f = &b.figures;
    let p = &f.period;
    Page {
        b,
        site,
        agency: format!("{}市场监督管理局", f.region),
        period_name: period_name(&p.label, p.from, p.to),
        span: format!("{}至{}", chinese_date(p.from), chinese_date(p.to)),
        as_of: chinese_date(p.as_of),
        published: b
            .published_at
            .map(|t| chinese_date(t.with_timezone(&china_offset()).date_naive())),
        banner: banner(&b.status),
        headlines: vec![
            headline(
                CaseKind::Complaint.label_zh(),
                f.totals.complaints.to_string(),
                "件",
                &f.change.complaints,
                |v| v.to_string(),
            ),
            headline(
                CaseKind::Report.label_zh(),
                f.totals.reports.to_string(),
                "件",
                &f.change.reports,
                |v| v.to_string(),
            ),
            headline(
                "挽回经济损失",
                yuan(f.totals.recovered_fen),
                "元",
                &f.change.recovered_fen,
                yuan,
            ),
        ],
        efficiency: vec![
            RateLine::new("投诉按时受理率", &f.rates.acceptance_on_time),
            RateLine::new("调解按时办结率", &f.rates.closure_on_time),
            RateLine::new("举报按时核查率", &f.rates.verification_on_time),
            RateLine::new("调解成功率", &f.rates.mediation_success),
            RateLine::new("终止调解按时告知率", &f.aftercare.notice_on_time),
            RateLine::new("回访调解协议履行率", &f.aftercare.fulfilled),
        ],
        online: RateLine::new("网购投诉占比", &f.rates.online_shopping),
        channel_chart: chart("投诉渠道分布", &f.by_channel),
        districts: table(&f.by_district),
        district_chart: chart("投诉区域分布", &f.by_district),
        categories: table(&f.by_category),
        category_chart: chart("投诉商品和服务类别分布", &f.by_category),
        natures: table(&f.by_nature),
        nature_chart: chart("投诉性质分布", &f.by_nature),
        hot: f
            .hot_issues
            .iter()
            .filter(|h| h.shown())
            .map(HotLine::new)
            .collect(),
        severities: table(&f.cosmetics.referrals_by_severity),
        referrals_on_time: RateLine::new("不良反应按时转报率", &f.cosmetics.referrals_on_time),
        cosmetics_issues: table(&f.cosmetics.top_issues),
        odr_settled: RateLine::new("在线纠纷和解率", &f.odr.settled),
        odr_median: f
            .odr
            .median_working_days
            .filter(|d| d.is_finite())
            .map(|d| format!("{d:.1} 个工作日"))
            .unwrap_or_else(|| "—".to_owned()),
        businesses: f
            .top_businesses
            .iter()
            .map(|x| BusinessLine {
                name: x.name.clone(),
                uscc: x.uscc.clone().filter(|u| !u.is_empty()),
                complaints: x.complaints,
                response: RateLine::new("响应率", &x.response),
                settlement: RateLine::new("和解率", &x.settlement),
            })
            .collect(),
    }
}

/// The complete page, as printed to PDF and previewed.
pub fn html(b: &Bulletin) -> String {
    rendered(page(b, false))
}

/// The page as the public site serves it: the same, under the site's header with a way back
/// to the list and the downloads.
pub fn public_page(b: &Bulletin) -> String {
    rendered(page(b, true))
}

/// Rendering plain strings and numbers cannot fail; if askama ever did, the page says so
/// instead of panicking.
fn rendered(page: Page<'_>) -> String {
    page.render().unwrap_or_else(|err| {
        format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>通报</title>\
             <p>通报页面生成失败：{}</p></html>\n",
            super::svg::escape(&err.to_string())
        )
    })
}
