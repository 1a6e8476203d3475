//! The bulletin as one long-format CSV table. The rows of tables `totals`, `district`,
//! `category`, `nature` and `channel` can be loaded back with `odrdesk import`, which reads
//! the columns `period,table,code,count` and ignores the rest.

use crate::bulletin::model::{Bulletin, Rate, Row};
use crate::domain::case::CaseKind;
use crate::domain::csv_cell::text_cell;

pub const CSV_HEADER: [&str; 9] = [
    "period",
    "table",
    "code",
    "label",
    "count",
    "share",
    "yoy",
    "numerator",
    "denominator",
];

/// One CSV line before formatting; `None` is an empty cell.
#[derive(Default)]
struct Line {
    table: &'static str,
    code: String,
    label: String,
    count: Option<String>,
    share: Option<f64>,
    yoy: Option<f64>,
    numerator: Option<u64>,
    denominator: Option<u64>,
}

impl Line {
    fn figure(table: &'static str, code: &str, label: &str, count: impl ToString) -> Line {
        Line {
            table,
            code: code.to_owned(),
            label: label.to_owned(),
            count: Some(count.to_string()),
            ..Line::default()
        }
    }

    fn rate(table: &'static str, code: &str, label: &str, rate: &Rate) -> Line {
        Line {
            table,
            code: code.to_owned(),
            label: label.to_owned(),
            share: rate.value,
            numerator: Some(rate.numerator),
            denominator: Some(rate.denominator),
            ..Line::default()
        }
    }

    fn row(table: &'static str, row: &Row) -> Line {
        Line {
            table,
            code: row.code.clone(),
            label: row.label.clone(),
            count: Some(row.count.to_string()),
            share: row.share,
            yoy: row.yoy,
            ..Line::default()
        }
    }
}

/// A float as serde_json prints it (`0.25`, `1.0`); empty when absent or not finite.
fn number(value: Option<f64>) -> String {
    value
        .and_then(serde_json::Number::from_f64)
        .map(|n| n.to_string())
        .unwrap_or_default()
}

fn lines(b: &Bulletin) -> Vec<Line> {
    let f = &b.figures;
    let mut out = vec![
        Line {
            yoy: f.change.complaints.yoy,
            ..Line::figure(
                "totals",
                "complaints",
                CaseKind::Complaint.label_zh(),
                f.totals.complaints,
            )
        },
        Line {
            yoy: f.change.reports.yoy,
            ..Line::figure(
                "totals",
                "reports",
                CaseKind::Report.label_zh(),
                f.totals.reports,
            )
        },
        Line {
            yoy: f.change.recovered_fen.yoy,
            ..Line::figure(
                "totals",
                "recovered_fen",
                "挽回经济损失（分）",
                f.totals.recovered_fen,
            )
        },
    ];
    let rates = [
        (
            "acceptance_on_time",
            "投诉按时受理率",
            &f.rates.acceptance_on_time,
        ),
        (
            "closure_on_time",
            "调解按时办结率",
            &f.rates.closure_on_time,
        ),
        (
            "verification_on_time",
            "举报按时核查率",
            &f.rates.verification_on_time,
        ),
        (
            "mediation_success",
            "调解成功率",
            &f.rates.mediation_success,
        ),
        ("online_shopping", "网购投诉占比", &f.rates.online_shopping),
        ("odr_settled", "在线纠纷和解率", &f.odr.settled),
        (
            "cosmetics_referrals_on_time",
            "化妆品不良反应按时转报率",
            &f.cosmetics.referrals_on_time,
        ),
        (
            "termination_notice_on_time",
            "终止调解按时告知率",
            &f.aftercare.notice_on_time,
        ),
        (
            "follow_up_fulfilled",
            "回访调解协议履行率",
            &f.aftercare.fulfilled,
        ),
    ];
    out.extend(
        rates
            .iter()
            .map(|(code, label, rate)| Line::rate("rate", code, label, rate)),
    );
    let tables = [
        ("channel", &f.by_channel),
        ("district", &f.by_district),
        ("category", &f.by_category),
        ("nature", &f.by_nature),
    ];
    for (table, rows) in tables {
        out.extend(rows.iter().map(|r| Line::row(table, r)));
    }
    let a = &f.aftercare;
    let aftercare = [
        (
            "notices_on_time",
            "终止调解按时告知双方件数",
            a.notices_on_time,
        ),
        ("notices_late", "终止调解超期告知件数", a.notices_late),
        (
            "notices_pending",
            "终止调解尚在告知期限内件数",
            a.notices_pending,
        ),
        ("follow_ups", "回访件数", a.follow_ups),
        ("unfulfilled", "回访未履行或部分履行件数", a.unfulfilled),
    ];
    out.extend(
        aftercare
            .iter()
            .map(|(code, label, n)| Line::figure("aftercare", code, label, n)),
    );
    // Only bulletins with the section have these lines (older ones read as they did).
    if let Some(ci) = &f.counterfeit_ip {
        for r in &ci.rows {
            out.push(Line::figure("counterfeit_ip", &r.code, &r.label, r.reports));
            out.push(Line::figure(
                "counterfeit_ip_filed",
                &r.code,
                &format!("{}已立案", r.label),
                r.filed,
            ));
        }
        out.push(Line::rate(
            "rate",
            "counterfeit_ip_filed",
            "假冒、侵权举报立案率",
            &ci.filed,
        ));
    }
    out.push(Line::figure(
        "odr",
        "enterprises_enrolled",
        "加入在线纠纷解决机制的经营者",
        f.odr.enterprises_enrolled,
    ));
    out.push(Line::figure(
        "odr",
        "cases",
        "在线纠纷解决件数",
        f.odr.cases,
    ));
    out.push(Line {
        count: f
            .odr
            .median_working_days
            .and_then(serde_json::Number::from_f64)
            .map(|n| n.to_string()),
        ..Line::figure("odr", "median_working_days", "办理用时中位数（工作日）", "")
    });
    let c = &f.cosmetics;
    out.push(Line::figure(
        "cosmetics",
        "complaints",
        "化妆品投诉",
        c.complaints,
    ));
    out.push(Line::figure(
        "cosmetics",
        "reports",
        "化妆品举报",
        c.reports,
    ));
    out.push(Line::figure(
        "cosmetics",
        "commitment_unit_complaints",
        "承诺单位被投诉",
        c.commitment_unit_complaints,
    ));
    out.extend(
        c.referrals_by_severity
            .iter()
            .map(|r| Line::row("cosmetics_referral", r)),
    );
    out.extend(c.top_issues.iter().map(|r| Line::row("cosmetics_issue", r)));
    for business in &f.top_businesses {
        let uscc = business.uscc.as_deref().unwrap_or("");
        out.push(Line::figure(
            "business",
            uscc,
            &business.name,
            business.complaints,
        ));
        out.push(Line::rate(
            "business_response",
            uscc,
            &business.name,
            &business.response,
        ));
        out.push(Line::rate(
            "business_settlement",
            uscc,
            &business.name,
            &business.settlement,
        ));
    }
    out.extend(
        f.hot_issues
            .iter()
            .filter(|h| h.shown())
            .map(|h| Line::figure("hot_issue", "", &h.term, h.count)),
    );
    out
}

/// The long-format table with header [`CSV_HEADER`], UTF-8, `\n` line ends. Text cells
/// (period, code, label) are guarded against formulas; figures are written as they are.
pub fn csv(b: &Bulletin) -> String {
    let period = b.figures.period.label.as_str();
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let records =
        std::iter::once(CSV_HEADER.map(str::to_owned)).chain(lines(b).into_iter().map(|line| {
            [
                text_cell(period).into_owned(),
                line.table.to_owned(),
                text_cell(&line.code).into_owned(),
                text_cell(&line.label).into_owned(),
                line.count.unwrap_or_default(),
                number(line.share),
                number(line.yoy),
                line.numerator.map(|n| n.to_string()).unwrap_or_default(),
                line.denominator.map(|n| n.to_string()).unwrap_or_default(),
            ]
        }));
    for record in records {
        // Writing into a Vec only fails on inconsistent field counts, which fixed arrays rule out.
        if writer.write_record(&record).is_err() {
            break;
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
