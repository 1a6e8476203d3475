//! Reads a bulletin's inputs from the database in one consistent snapshot.

use std::collections::{BTreeMap, HashSet};

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::Connection;

use super::inputs::{Earlier, Inputs, ReferralFact};
use super::model::HotIssue;
use super::period::Period;
use super::tally::Tally;
use crate::domain::event_payload::EventPayload;
use crate::store::{Db, StoreError, bulletin as source, history};

/// The UTC instant a China date begins.
pub fn china_midnight_utc(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap_or_default() - chrono::Duration::hours(8)
}

/// `[start, end)` in UTC of a period of China dates.
fn utc_bounds(p: &Period) -> (NaiveDateTime, NaiveDateTime) {
    let end = p.to.checked_add_days(Days::new(1)).unwrap_or(p.to);
    (china_midnight_utc(p.from), china_midnight_utc(end))
}

/// Sum of `recovered_fen` in settlements recorded during the period.
fn recovered(conn: &mut Db, p: &Period) -> Result<i64, StoreError> {
    let (from, until) = utc_bounds(p);
    let payloads = source::settlement_payloads(conn, from, until)?;
    Ok(payloads
        .iter()
        .filter_map(|p| EventPayload::parse(p)?.recovered_fen())
        .filter(|f| *f > 0)
        .sum())
}

fn earlier(conn: &mut Db, p: &Period, earliest: Option<NaiveDate>) -> Result<Earlier, StoreError> {
    if p.is_quarter() {
        let rows = history::load_period(conn, &p.label)?;
        if !rows.is_empty() {
            let tally = Tally::of_history(
                rows.iter()
                    .map(|r| (r.table.as_str(), r.code.as_str(), r.count)),
            );
            return Ok(Earlier::History { tally });
        }
    }
    match earliest {
        Some(first) if first <= p.from => {
            let groups = source::counted_groups(conn, p.from, p.to)?;
            let tally = Tally::of_groups(&groups, recovered(conn, p)?);
            Ok(Earlier::Cases { tally })
        }
        _ => Ok(Earlier::Unknown),
    }
}

/// Hot terms may not carry personal data: no digits or mail addresses, and no name of a
/// complainant, reporter or agent of the period (a consumer may write their name in the text).
fn publishable_hot(hot: Vec<HotIssue>, names: &HashSet<String>) -> Vec<HotIssue> {
    hot.into_iter()
        .filter(|h| !h.term.chars().any(|c| c.is_ascii_digit() || c == '@'))
        .filter(|h| {
            !names
                .iter()
                .any(|n| n.contains(&h.term) || h.term.contains(n))
        })
        .collect()
}

pub fn gather(
    conn: &mut Db,
    region: &str,
    period: &Period,
    as_of: NaiveDate,
    hot: Vec<HotIssue>,
) -> Result<Inputs, StoreError> {
    conn.transaction(|conn| {
        let earliest = source::earliest_received(conn)?;
        let previous_year = period.previous_year();
        let previous_period = period.previous();
        let names: HashSet<String> =
            source::personal_names_of_received(conn, period.from, period.to)?
                .into_iter()
                .filter(|n| n.chars().count() >= 2)
                .collect();
        let (_, until) = utc_bounds(period);
        let (notices, follow_ups) = super::aftercare::gather(conn, period.from, period.to)?;
        Ok(Inputs {
            region: region.to_owned(),
            period: period.clone(),
            as_of,
            cases: source::cases_received(conn, period.from, period.to)?,
            events: source::events_of_received(conn, period.from, period.to)?,
            respondents: source::respondents_of_received(conn, period.from, period.to)?,
            referrals: source::referrals_opened(conn, period.from, period.to)?
                .into_iter()
                .map(|r| ReferralFact {
                    case_id: r.case_id,
                    severity: r.severity,
                    due_date: r.due_date,
                    submitted_on: r.submitted_on,
                })
                .collect(),
            recovered_fen: recovered(conn, period)?,
            previous_year: (
                previous_year.clone(),
                earlier(conn, &previous_year, earliest)?,
            ),
            previous_period: (
                previous_period.clone(),
                earlier(conn, &previous_period, earliest)?,
            ),
            odr_enterprises: source::odr_enterprises_before(conn, until)?.max(0) as u64,
            enterprise_names: source::enterprise_names(conn)?
                .into_iter()
                .collect::<BTreeMap<_, _>>(),
            hot: publishable_hot(hot, &names),
            notices,
            follow_ups,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_days_begin_at_16_utc_the_day_before() {
        let d: NaiveDate = "2026-10-01".parse().unwrap();
        assert_eq!(china_midnight_utc(d).to_string(), "2026-09-30 16:00:00");
    }

    #[test]
    fn hot_terms_with_personal_data_are_dropped() {
        let hot = ["过敏", "13800138000", "张三丰", "a@b.cn", "红肿"]
            .map(|t| HotIssue {
                term: t.into(),
                count: 3,
                ..HotIssue::default()
            })
            .to_vec();
        let names = HashSet::from(["张三丰".to_owned()]);
        let kept: Vec<String> = publishable_hot(hot, &names)
            .into_iter()
            .map(|h| h.term)
            .collect();
        assert_eq!(kept, ["过敏", "红肿"]);
    }
}
