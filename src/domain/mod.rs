//! Domain facts of the complaint/report desk: calendars and deadlines, identifiers,
//! the classification taxonomy and personal-data masks.

/// A closed set of codes with their stored text, Chinese label and a `FromStr` that answers
/// with a `FieldError`.
macro_rules! code_enum {
    ($name:ident, $err_code:literal, $err_msg:literal, [$($variant:ident = $code:literal, $label:literal;)+]) => {
        impl $name {
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::domain::FieldError::new($err_code, $err_msg)),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A closed code set of the rules (reasons, notice means, follow-up findings): an enum with
/// its stored text (`as_str`, `parse`) and its one Chinese name (`label_zh`). Defined before
/// the modules so that each may use it.
macro_rules! reason_codes {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|c| c.as_str() == code)
            }
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }
        }
    };
}

pub mod action;
pub mod aftercare;
pub mod agreement;
pub mod calendar;
pub mod case;
pub mod clocks;
pub mod codes;
pub mod counterfeit;
pub mod csv_cell;
pub mod disclosure;
pub mod dispatch;
pub mod documents;
pub mod enterprise;
pub mod event_payload;
pub mod event_personal;
pub mod gazetteer;
pub mod grounds;
pub mod identity;
pub mod ids;
pub mod joint;
pub mod labels;
pub mod login_backoff;
pub mod mask;
pub mod phone_code;
pub mod pitr;
pub mod platforms;
pub mod policy;
pub mod reports;
pub mod retention;
pub mod routing;
pub mod scorecard;
pub mod screening;
pub mod severity;
pub mod sms_limits;
pub mod steps;
pub mod taxonomy;
pub mod tracking_code;
pub mod warning;
pub mod webhook;
pub mod workflow;
pub mod workorder;
pub mod workorder_map;

pub use calendar::{CalendarError, Due, WorkCalendar, YearCalendar};
pub use ids::{CosmeticsId, CosmeticsIdKind, Email, Fen, Phone, Uscc};
pub use mask::{mask_email, mask_free_text, mask_id_number, mask_name, mask_phone};
pub use policy::{Clock, ClockLimit, DayUnit, PolicyError, PolicyTable, PolicyVersion};
pub use taxonomy::{
    Category, CategoryCode, Channel, ChannelInfo, District, DistrictCode, Nature, NatureInfo,
    Taxonomy, TaxonomyError,
};

use std::fmt;

/// A validation failure on one input field: a stable machine code plus a Chinese message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Stable machine-readable code, e.g. `uscc_checksum`.
    #[schema(example = "uscc_checksum")]
    pub code: &'static str,
    /// Human-readable message in Simplified Chinese.
    #[schema(example = "统一社会信用代码第 18 位（校验位）与前 17 位不符，请对照营业执照重新输入")]
    pub message: String,
}

impl FieldError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}
