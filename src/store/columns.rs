//! Domain enums in text columns. Each is written as the same text as before the columns were
//! typed, so old rows read back unchanged; text that names no value is a deserialisation
//! error, never a default. The impls live here, not in `domain/`, which knows nothing of
//! diesel.

use std::io::Write;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

use super::MultiBackend;
use crate::domain::case::{CaseKind, CaseState};
use crate::domain::routing::Flags;
use crate::domain::severity::Severity;
use crate::domain::taxonomy::Channel;

fn parse_text<T>(text: &str) -> deserialize::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    text.parse::<T>().map_err(|e| {
        let type_name = std::any::type_name::<T>().rsplit("::").next().unwrap_or("");
        format!("stored {type_name} {text:?} is not valid: {e}").into()
    })
}

/// `ToSql`/`FromSql` for SQLite, PostgreSQL and the `Db` multi-backend, through the type's
/// `Display` and `FromStr`; the proxy struct carries diesel's derives for a foreign type.
macro_rules! text_column {
    ($($ty:ty => $proxy:ident),+ $(,)?) => {$(
        #[derive(AsExpression, FromSqlRow)]
        #[diesel(foreign_derive, sql_type = Text)]
        #[allow(dead_code)]
        struct $proxy($ty);

        impl ToSql<Text, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.to_string());
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                write!(out, "{self}")?;
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Sqlite> for $ty {
            fn from_sql(value: <Sqlite as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse_text(&<String as FromSql<Text, Sqlite>>::from_sql(value)?)
            }
        }

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(value: <Pg as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse_text(&<String as FromSql<Text, Pg>>::from_sql(value)?)
            }
        }

        impl FromSql<Text, MultiBackend> for $ty {
            fn from_sql(value: <MultiBackend as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<Self, Text>()
            }
        }
    )+};
}

text_column!(
    CaseKind => CaseKindColumn,
    CaseState => CaseStateColumn,
    Channel => ChannelColumn,
    Flags => FlagsColumn,
    Severity => SeverityColumn,
);

#[cfg(test)]
#[path = "columns_tests.rs"]
mod tests;
