//! Parsed GraphQL documents, kept per server process.
//!
//! Clients send the same few documents again and again, with different
//! variables. Parsing one is the largest single cost of answering a query
//! served from the cache (a seventh of the server's CPU for a customer 360
//! read), so a document that parsed and passed the limits is kept and the
//! next request with the same text executes a copy of it. Documents that
//! fail are not kept: they are answered with their error every time.
//! Validation still runs for every request, with that request's variables.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};

use crate::config::GraphqlLimits;

/// Documents kept at most; past that, one kept document makes room for each new one.
const CAPACITY: usize = 512;

/// Why a document cannot be executed, in English (the caller translates).
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The text is not a GraphQL document.
    Syntax(String),
    /// Over a limit (aliases, depth).
    Limit(String),
}

/// Documents that parsed and passed the limits, by their text.
#[derive(Default)]
pub struct Documents {
    parsed: Mutex<HashMap<Arc<str>, Arc<ExecutableDocument>>>,
}

impl Documents {
    /// The parsed `text`, checked against `limits`: a copy of the kept parse
    /// when this text was seen before.
    pub fn parse(&self, text: &str, limits: &GraphqlLimits) -> Result<ExecutableDocument, Refused> {
        if let Some(kept) = self.parsed.lock().ok().and_then(|m| m.get(text).cloned()) {
            return Ok((*kept).clone());
        }
        let document = async_graphql::parser::parse_query(text)
            .map_err(|err| Refused::Syntax(format!("syntax error: {err}")))?;
        super::limits::check(&document, limits).map_err(Refused::Limit)?;
        if let Ok(mut parsed) = self.parsed.lock() {
            if parsed.len() >= CAPACITY {
                if let Some(evicted) = parsed.keys().next().cloned() {
                    parsed.remove(&evicted);
                }
            }
            parsed.insert(Arc::from(text), Arc::new(document.clone()));
        }
        Ok(document)
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        self.parsed.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The operation of `document` that a request naming `name` runs: the named
/// one, or the document's only operation when no name is given; `None`
/// when there is no such operation (execution then reports it).
pub fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, op)| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> GraphqlLimits {
        GraphqlLimits {
            max_aliases: 2,
            ..crate::config::GraphqlLimits::default()
        }
    }

    #[test]
    fn a_document_is_parsed_once_and_copies_are_returned() {
        let documents = Documents::default();
        let text = "query($id: ID!) { customer(id: $id) { id name } }";
        let first = documents.parse(text, &limits()).unwrap();
        let again = documents.parse(text, &limits()).unwrap();
        assert_eq!(documents.len(), 1);
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
    }

    #[test]
    fn refused_documents_are_not_kept_and_fail_every_time() {
        let documents = Documents::default();
        for _ in 0..2 {
            assert!(matches!(
                documents.parse("{ customer(id: ", &limits()),
                Err(Refused::Syntax(_))
            ));
            assert!(matches!(
                documents.parse("{ a: me { id } b: me { id } c: me { id } }", &limits()),
                Err(Refused::Limit(_))
            ));
        }
        assert!(documents.is_empty());
    }

    #[test]
    fn the_number_kept_is_bounded() {
        let documents = Documents::default();
        for i in 0..CAPACITY + 10 {
            documents
                .parse(&format!("{{ f{i}: me {{ id }} }}"), &limits())
                .unwrap();
        }
        assert_eq!(documents.len(), CAPACITY);
    }
}
