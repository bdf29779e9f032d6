//! SQL statements written as text, for the queries the query builder cannot
//! express (analytics, search): fixed fragments, inputs always bound.

use sea_orm::{DbBackend, Statement, Value};

/// A SQL statement assembled from fixed fragments, with every input bound
/// as a parameter (never spliced into the text).
#[derive(Debug, Default)]
pub struct SqlBuilder {
    pub text: String,
    values: Vec<Value>,
}

impl SqlBuilder {
    /// Binds `value` and returns its placeholder (`$n`).
    pub fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// Appends fixed SQL text.
    pub fn push(&mut self, sql: &str) {
        self.text.push_str(sql);
    }

    /// The finished statement.
    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(DbBackend::Postgres, self.text, self.values)
    }
}
