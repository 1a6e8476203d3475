//! The stored payload of a workflow step's event. The event log is hash-chained and never
//! rewritten, so every version ever written must stay readable.
//!
//! - Version 1 (`"v": 1`): the request body (with `action`), plus the facts the step
//!   established, such as the assignee's id.
//! - Unversioned rows, written earlier, hold the same keys without `v`; the sweep's ODR expiry
//!   stored `{}`.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::workflow::{Command, Recipient};

pub const CURRENT_VERSION: u64 = 1;

#[derive(Debug, Clone, PartialEq)]
pub struct EventPayload {
    fields: Map<String, Value>,
}

impl EventPayload {
    /// The payload of a step about to be stored.
    pub fn of_command(command: &Command) -> Result<EventPayload, serde_json::Error> {
        let mut fields = match command {
            // The sweep's own step has no request body to copy.
            Command::OdrExpire => Map::new(),
            _ => match serde_json::to_value(command)? {
                Value::Object(fields) => fields,
                other => {
                    return Err(serde::ser::Error::custom(format!(
                        "a step serialised to {other}, not an object"
                    )));
                }
            },
        };
        fields.insert("action".into(), command.kind().as_str().into());
        fields.insert("v".into(), CURRENT_VERSION.into());
        Ok(EventPayload { fields })
    }

    /// Records whom an assignment went to.
    pub fn with_assignee(mut self, user_id: i64) -> EventPayload {
        self.fields.insert("assignee_id".into(), user_id.into());
        self
    }

    /// Records the case a step opened (a lead found in mediation opens a report).
    pub fn with_linked_case(mut self, case_no: &str) -> EventPayload {
        self.fields.insert("linked_case_no".into(), case_no.into());
        self
    }

    /// Records what a step established about a document: the text a party confirmed
    /// (`sha256`, `number`) or the file of the signed paper.
    pub fn with_fact(mut self, key: &str, value: Value) -> EventPayload {
        self.fields.insert(key.into(), value);
        self
    }

    /// A stored payload of any version; `None` if it is not a JSON object.
    pub fn parse(stored: &str) -> Option<EventPayload> {
        match serde_json::from_str(stored).ok()? {
            Value::Object(fields) => Some(EventPayload { fields }),
            _ => None,
        }
    }

    pub fn into_json(self) -> Value {
        Value::Object(self.fields)
    }

    /// 0 for payloads written before versioning.
    pub fn version(&self) -> u64 {
        self.fields.get("v").and_then(Value::as_u64).unwrap_or(0)
    }

    /// A text field of the step, such as its reason code or free-text reason.
    pub fn str_of(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    pub fn int_of(&self, key: &str) -> Option<i64> {
        self.fields.get(key).and_then(Value::as_i64)
    }

    pub fn bool_of(&self, key: &str) -> Option<bool> {
        self.fields.get(key).and_then(Value::as_bool)
    }

    /// A note's or message's text.
    pub fn text(&self) -> Option<&str> {
        self.str_of("text")
    }

    /// Whom a message was for.
    pub fn recipient(&self) -> Option<Recipient> {
        self.fields
            .get("to")
            .and_then(|to| Recipient::deserialize(to).ok())
    }

    /// A business's ODR proposal.
    pub fn proposal(&self) -> Option<&str> {
        self.str_of("proposal")
    }

    /// A settlement's recovered amount.
    pub fn recovered_fen(&self) -> Option<i64> {
        self.int_of("recovered_fen")
    }

    /// A settlement's agreement text.
    pub fn agreement(&self) -> Option<&str> {
        self.str_of("agreement")
    }

    pub fn assignee_id(&self) -> Option<i64> {
        self.int_of("assignee_id")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_without_a_version_are_read() {
        let old =
            EventPayload::parse(r#"{"action":"settle","agreement":"退款","recovered_fen":12900}"#)
                .expect("an object");
        assert_eq!(old.version(), 0);
        assert_eq!(old.recovered_fen(), Some(12900));
        assert_eq!(old.agreement(), Some("退款"));
        let assigned =
            EventPayload::parse(r#"{"action":"assign","user":"m@example.gov.cn","assignee_id":7}"#)
                .expect("an object");
        assert_eq!(assigned.assignee_id(), Some(7));
        let message =
            EventPayload::parse(r#"{"action":"message","to":"enterprise","text":"请回复"}"#)
                .expect("an object");
        assert_eq!(message.recipient(), Some(Recipient::Enterprise));
        assert_eq!(message.text(), Some("请回复"));
        let expired = EventPayload::parse("{}").expect("an object");
        assert_eq!((expired.version(), expired.text()), (0, None));
        assert_eq!(EventPayload::parse("null"), None);
    }

    #[test]
    fn new_payloads_carry_the_version_and_the_request() {
        let settle = Command::Settle {
            agreement: "退款".into(),
            recovered_fen: 500,
            represented_consent: false,
            agreement_form: Default::default(),
            performance_due: None,
        };
        let stored = EventPayload::of_command(&settle)
            .expect("serialisable")
            .into_json();
        assert_eq!(
            stored,
            serde_json::json!({"v": 1, "action": "settle", "agreement": "退款", "recovered_fen": 500,
                "agreement_form": "written"})
        );
        let read = EventPayload::parse(&stored.to_string()).expect("an object");
        assert_eq!((read.version(), read.recovered_fen()), (1, Some(500)));
        let expired = EventPayload::of_command(&Command::OdrExpire).expect("serialisable");
        assert_eq!(
            expired.into_json(),
            serde_json::json!({"v": 1, "action": "odr_expire"})
        );
        let assign = Command::Assign {
            user: "m@example.gov.cn".into(),
        };
        let read = EventPayload::of_command(&assign)
            .expect("serialisable")
            .with_assignee(7);
        assert_eq!(read.assignee_id(), Some(7));
    }
}
