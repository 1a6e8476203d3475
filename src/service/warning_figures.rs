//! The figures behind a consumer warning, computed from the index as the analysts' alerts
//! and hot terms are (with their defaults), never typed by hand.

use chrono::{Days, NaiveDate};

use super::ServiceError;
use super::analysis::{AlertOptions, HotOptions, alert_params, hot_params};
use super::warnings::SourceInput;
use crate::domain::labels::code_label;
use crate::domain::warning::{WarningFigures, WarningSource};
use crate::search::alerts::{Alert, AlertParams};
use crate::search::hot::{HotParams, HotTerm};
use crate::search::index::Live;
use crate::search::query::{Filters, Scope};
use crate::search::{SearchIndex, alerts, hot};

/// A current alert or hot term a warning may be drafted from.
#[derive(Debug, Clone)]
pub struct Source {
    pub figures: WarningFigures,
    /// The request that computes these figures again.
    pub input: SourceInput,
}

fn no_such_source(message: &str) -> ServiceError {
    ServiceError::invalid_field("source", "no_such_source", message.into())
}

fn alert_figures(a: Alert, p: &AlertParams) -> WarningFigures {
    let weeks = u64::from(p.baseline_weeks);
    let day = |d: Option<NaiveDate>| d.unwrap_or(a.week_from);
    WarningFigures {
        source: WarningSource::Alert,
        subject: code_label("category", &a.key).unwrap_or_else(|| a.key.clone()),
        count: a.count,
        baseline: a.baseline,
        ratio: Some(a.ratio),
        from: a.week_from,
        to: day(a.week_from.checked_add_days(Days::new(6))),
        baseline_from: day(a.week_from.checked_sub_days(Days::new(7 * weeks))),
        baseline_to: day(a.week_from.checked_sub_days(Days::new(1))),
        key: a.key,
    }
}

fn hot_figures(t: HotTerm, p: &HotParams) -> WarningFigures {
    WarningFigures {
        source: WarningSource::HotTerm,
        subject: t.term.clone(),
        key: t.term,
        count: t.count,
        baseline: t.baseline_count as f64,
        ratio: t.lift,
        from: p.from,
        to: p.to,
        baseline_from: p.baseline_from,
        baseline_to: p.baseline_to,
    }
}

fn alert_params_for(
    week_of: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<AlertParams, ServiceError> {
    let options = AlertOptions {
        week_of,
        baseline_weeks: None,
        threshold: None,
        min_count: None,
    };
    alert_params(&options, today)
}

fn hot_params_for(filters: &Filters, today: NaiveDate) -> Result<HotParams, ServiceError> {
    let options = HotOptions {
        baseline_from: None,
        baseline_to: None,
        min_count: None,
        limit: None,
    };
    hot_params(filters, &options, today)
}

/// Complaints only: nothing of a report may reach a public page (Order 121 Art. 37), so every
/// filter behind public figures starts from this one.
fn complaints() -> Filters {
    Filters {
        kind: Some("complaint".to_owned()),
        ..Filters::default()
    }
}

/// Category alerts only: a respondent alert would name a business, which a public warning
/// does not do.
fn category_alerts(
    live: &Live,
    scope: &Scope,
    p: &AlertParams,
) -> Result<Vec<Alert>, ServiceError> {
    Ok(alerts::alerts(live, &complaints(), scope, p)?
        .into_iter()
        .filter(|a| a.dimension == "category")
        .collect())
}

fn compute(
    live: &Live,
    scope: &Scope,
    source: SourceInput,
    today: NaiveDate,
) -> Result<WarningFigures, ServiceError> {
    match source {
        SourceInput::Alert { category, week_of } => {
            let p = alert_params_for(week_of, today)?;
            let found = category_alerts(live, scope, &p)?
                .into_iter()
                .find(|a| a.key == category)
                .ok_or_else(|| no_such_source("该类别在这一周没有预警，请从当前预警中选择"))?;
            Ok(alert_figures(found, &p))
        }
        SourceInput::HotTerm { term, from, to } => {
            let filters = Filters {
                from,
                to,
                ..complaints()
            };
            let p = hot_params_for(&filters, today)?;
            let found = hot::hot_terms(live, &filters, scope, &p)?
                .into_iter()
                .find(|t| t.term == term)
                .ok_or_else(|| no_such_source("这一期间没有该热词，请从当前热词中选择"))?;
            Ok(hot_figures(found, &p))
        }
    }
}

/// The figures of `source` within the editor's `scope`, as of `today`.
pub async fn figures_of(
    index: &SearchIndex,
    scope: Scope,
    source: SourceInput,
    today: NaiveDate,
) -> Result<WarningFigures, ServiceError> {
    let live = index.live();
    actix_web::web::block(move || compute(&live, &scope, source, today))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// This week's category alerts and hot terms (the analysts' defaults), each with its figures.
pub async fn current_sources(
    index: &SearchIndex,
    scope: Scope,
    today: NaiveDate,
) -> Result<Vec<Source>, ServiceError> {
    let live = index.live();
    actix_web::web::block(move || {
        let ap = alert_params_for(None, today)?;
        let mut out: Vec<Source> = category_alerts(&live, &scope, &ap)?
            .into_iter()
            .map(|a| Source {
                input: SourceInput::Alert {
                    category: a.key.clone(),
                    week_of: Some(ap.week_of),
                },
                figures: alert_figures(a, &ap),
            })
            .collect();
        let filters = complaints();
        let hp = hot_params_for(&filters, today)?;
        for t in hot::hot_terms(&live, &filters, &scope, &hp)? {
            out.push(Source {
                input: SourceInput::HotTerm {
                    term: t.term.clone(),
                    from: Some(hp.from),
                    to: Some(hp.to),
                },
                figures: hot_figures(t, &hp),
            });
        }
        Ok(out)
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}
