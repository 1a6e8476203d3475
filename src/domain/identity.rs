//! Identity proof by a date (Order 121 Art. 10, 16(6)): staff ask the complainant to prove
//! who they are by a date (限期提供身份证明材料); the answer is recorded. Derived from the
//! event log each time, nothing stored that this cannot recompute.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// The latest identity request on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct IdentityRequest {
    #[schema(value_type = String, format = Date)]
    pub requested_on: NaiveDate,
    /// The last day to provide the proof.
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    /// When the proof was provided (China date), if it was.
    #[schema(value_type = Option<String>, format = Date)]
    pub answered_on: Option<NaiveDate>,
}

/// Event kinds of the two steps.
pub const REQUEST: &str = "request_identity";
pub const PROVIDE: &str = "provide_identity";

impl IdentityRequest {
    /// Still waiting for the proof.
    pub fn open(&self) -> bool {
        self.answered_on.is_none()
    }

    /// The date passed with no proof: not-accept ground 6 becomes available.
    pub fn expired(&self, today: NaiveDate) -> bool {
        self.open() && today > self.due
    }

    /// The line the case pages show.
    pub fn notice(&self) -> String {
        match self.answered_on {
            None => format!("请于 {} 前提供身份证明材料", self.due),
            Some(on) => format!("身份证明材料已于 {on} 提供"),
        }
    }

    /// The latest request among `steps` (kind, the request's due date, China date of the
    /// step), oldest first, with whether a later `provide_identity` answered it.
    pub fn derive<'a>(
        steps: impl IntoIterator<Item = (&'a str, Option<NaiveDate>, NaiveDate)>,
    ) -> Option<IdentityRequest> {
        let mut latest: Option<IdentityRequest> = None;
        for (kind, due, on) in steps {
            match (kind, due) {
                (REQUEST, Some(due)) => {
                    latest = Some(IdentityRequest {
                        requested_on: on,
                        due,
                        answered_on: None,
                    });
                }
                (PROVIDE, _) => {
                    if let Some(r) = latest.as_mut().filter(|r| r.open()) {
                        r.answered_on = Some(on);
                    }
                }
                _ => {}
            }
        }
        latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("a date")
    }

    #[test]
    fn a_request_is_open_until_answered_and_expires_the_day_after_its_date() {
        let asked = IdentityRequest::derive([
            ("submitted", None, d(5, 6)),
            (REQUEST, Some(d(5, 15)), d(5, 8)),
        ])
        .expect("a request");
        assert_eq!(asked.notice(), "请于 2026-05-15 前提供身份证明材料");
        assert!(asked.open());
        assert!(!asked.expired(d(5, 15)));
        assert!(asked.expired(d(5, 16)));
        let answered = IdentityRequest::derive([
            (REQUEST, Some(d(5, 15)), d(5, 8)),
            (PROVIDE, None, d(5, 12)),
        ])
        .expect("a request");
        assert_eq!(answered.answered_on, Some(d(5, 12)));
        assert!(!answered.expired(d(6, 1)));
        // A new request after an answer is open again.
        let again = IdentityRequest::derive([
            (REQUEST, Some(d(5, 15)), d(5, 8)),
            (PROVIDE, None, d(5, 12)),
            (REQUEST, Some(d(5, 29)), d(5, 20)),
        ])
        .expect("a request");
        assert!(again.open() && again.due == d(5, 29));
        assert_eq!(IdentityRequest::derive([(PROVIDE, None, d(5, 1))]), None);
    }
}
