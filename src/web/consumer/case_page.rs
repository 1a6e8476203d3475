//! The consumer's case page: the masked view with clocks in words, the conversation, the
//! timeline, evidence, and the forms for the steps the consumer may take now.

use askama::Template;
use chrono::NaiveDate;

use super::{Evidence, words};
use crate::domain::workflow::{
    Actor, PARTY_MESSAGES_PER_DAY, Recipient, SUPPLEMENT_MAX_CHARS, recipient_refusal,
};
use crate::service::case_view::ConsumerCaseView;
use crate::service::disclosure::ConsentView;
use crate::web::documents::DocRow;

#[derive(Template)]
#[template(path = "consumer/track.html")]
pub struct CasePage {
    pub csrf: String,
    pub view: ConsumerCaseView,
    pub today: NaiveDate,
    pub evidence: Vec<Evidence>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The supplement typed before a refusal, shown again.
    pub supplement: String,
    /// The documents addressed to the complainant or reporter.
    pub documents: Vec<DocRow>,
    /// Consent to publication; `None` for a report.
    pub disclosure: Option<ConsentView>,
}

pub struct ClockLine {
    pub text: String,
    pub overdue: bool,
}

pub struct Step {
    pub at: String,
    pub line: String,
}

pub struct Message {
    pub at: String,
    pub from: &'static str,
    pub to: &'static str,
    pub text: String,
}

impl CasePage {
    fn supplement_max(&self) -> usize {
        SUPPLEMENT_MAX_CHARS
    }

    fn daily_messages(&self) -> u32 {
        PARTY_MESSAGES_PER_DAY
    }

    fn explained(&self) -> &'static str {
        words::state_explained(self.view.case.state)
    }

    fn received(&self) -> String {
        words::moment(self.view.case.received_at)
    }

    fn clocks(&self) -> Vec<ClockLine> {
        let mut clocks: Vec<_> = self.view.clocks.iter().collect();
        // Running clocks first: they are what the consumer is waiting for.
        clocks.sort_by_key(|c| !c.is_running());
        clocks
            .into_iter()
            .map(|c| ClockLine {
                text: words::clock_line(c, self.today),
                overdue: c.overdue && c.is_running(),
            })
            .collect()
    }

    fn timeline(&self) -> Vec<Step> {
        self.view
            .case
            .timeline
            .iter()
            .map(|e| Step {
                at: words::moment(e.at),
                line: e.line(),
            })
            .collect()
    }

    fn messages(&self) -> Vec<Message> {
        self.view
            .messages
            .iter()
            .map(|m| Message {
                at: words::moment(m.at),
                from: words::sender(&m.from),
                to: words::addressee(&m.to),
                text: m.text.clone(),
            })
            .collect()
    }

    /// Whom the consumer may write to now, as (code, label).
    fn recipients(&self) -> Vec<(&'static str, &'static str)> {
        let (kind, state) = (self.view.case.kind, self.view.case.state);
        [
            (Recipient::Mediator, "调解员"),
            (Recipient::Enterprise, "商家"),
        ]
        .into_iter()
        .filter(|(to, _)| recipient_refusal(kind, state, Actor::Consumer, *to).is_none())
        .map(|(to, label)| (to.as_str(), label))
        .collect()
    }

    /// The score given, once the consumer has rated the outcome ("4 分").
    fn rating(&self) -> Option<String> {
        let rate = self.view.case.timeline.iter().find(|e| e.event == "rate")?;
        Some(rate.detail.clone().unwrap_or_default())
    }

    /// Whether to offer a step. A rating is offered once: the workflow refuses a second.
    fn can(&self, action: &str) -> bool {
        let rated = action == "rate" && self.rating().is_some();
        !rated
            && self
                .view
                .allowed_actions
                .iter()
                .any(|a| a.as_str() == action)
    }
}
