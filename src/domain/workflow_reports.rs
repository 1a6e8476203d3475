//! The steps by which a report meets another case (Order 121): marked as repeating an earlier
//! one or merged into it (Art. 35), answered with where to go (Art. 34), or opened from a lead
//! found while mediating a complaint (Art. 27). Who may take them is in `allowed`; what
//! they need and where they lead is here.

use super::{Command, Refusal};
use crate::domain::case::CaseState;

/// The state the step leads to, or what is missing from it.
pub(super) fn decide_step(command: &Command) -> Result<Option<CaseState>, Refusal> {
    let missing = |field: &'static str| super::missing_field(command, field);
    match command {
        Command::MarkRepeated { case_no, .. } | Command::MergeReport { case_no }
            if case_no.trim().is_empty() =>
        {
            missing("case_no")
        }
        Command::MarkRepeated { .. } => Ok(Some(CaseState::Repeated)),
        Command::MergeReport { .. } => Ok(Some(CaseState::Merged)),
        Command::OpenLeadReport { detail } if detail.trim().is_empty() => missing("detail"),
        Command::ReferReporter { authority, .. } if authority.trim().is_empty() => missing("where"),
        Command::ReferReporter { .. } => Ok(Some(CaseState::ReferredElsewhere)),
        _ => Ok(None),
    }
}
