//! An editor strikes a hot term from a bulletin draft before publishing, or restores it. The
//! strike (term, who, when) is kept in the draft's figures; every rendering and the public
//! JSON leave struck terms out, and a published bulletin can no longer change.

use chrono::{DateTime, Utc};

use super::ServiceError;
use super::bulletins::{get, not_draft, to_json};
use crate::bulletin::model::{Bulletin, Strike};
use crate::intake::FieldIssue;
use crate::store::bulletins as records;
use crate::store::{Db, write_transaction};

/// What to do with a hot term of a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HotTermEdit {
    /// Leave it out of the bulletin.
    Strike,
    /// Show it again.
    Restore,
}

/// Strikes or restores `term` in draft `id`, by `by` at `now`, in one transaction.
pub fn edit_hot_term(
    conn: &mut Db,
    id: i64,
    term: &str,
    edit: HotTermEdit,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Bulletin, ServiceError> {
    write_transaction(conn, |conn| {
        let mut b = get(conn, id, false)?;
        if b.status != "draft" {
            return Err(not_draft());
        }
        let strike = (edit == HotTermEdit::Strike).then(|| Strike {
            by: by.to_owned(),
            at: now,
        });
        if !b.figures.mark_hot_issue(term, strike) {
            return Err(ServiceError::Invalid(vec![FieldIssue {
                field: "term".into(),
                code: "not_a_hot_issue".into(),
                message: "通报中没有这个热点词".into(),
            }]));
        }
        if !records::update_figures(conn, id, &to_json(&b.figures))? {
            return Err(not_draft());
        }
        get(conn, id, false)
    })
}
