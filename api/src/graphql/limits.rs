//! Checks on a parsed document that run before execution: aliases and depth.
//!
//! Depth is measured here rather than by the executor so that introspection
//! (which GraphQL IDEs send on load, about 12 levels deep) gets its own
//! limit while the API's own fields keep the strict one.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::parser::Positioned;
use async_graphql::Name;

use crate::config::GraphqlLimits;

/// Deepest introspection selection accepted (`__schema`, `__type`).
pub const MAX_INTROSPECTION_DEPTH: usize = 15;
/// Fragment spreads followed before giving up (cycles are reported later by validation).
const MAX_SPREAD_NESTING: usize = 32;

/// Why a document was refused before execution.
pub fn check(document: &ExecutableDocument, limits: &GraphqlLimits) -> Result<(), String> {
    let aliases = count_aliases(document);
    if aliases > limits.max_aliases {
        return Err(format!(
            "the document uses {aliases} aliases; the limit is {}",
            limits.max_aliases
        ));
    }
    let mut walker = DepthWalker {
        fragments: &document.fragments,
        introspection_depth: 0,
        spreads: 0,
    };
    for (_, operation) in document.operations.iter() {
        let depth = walker.depth(&operation.node.selection_set);
        if depth > limits.max_depth {
            return Err(format!(
                "the query is {depth} levels deep; the limit is {}",
                limits.max_depth
            ));
        }
    }
    if walker.introspection_depth > MAX_INTROSPECTION_DEPTH {
        return Err(format!(
            "the introspection query is {} levels deep; the limit is {MAX_INTROSPECTION_DEPTH}",
            walker.introspection_depth
        ));
    }
    Ok(())
}

/// Aliased fields in the document's operations and fragments.
fn count_aliases(document: &ExecutableDocument) -> usize {
    fn in_set(set: &Positioned<SelectionSet>) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + in_set(&field.node.selection_set)
                }
                Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| in_set(&op.node.selection_set))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| in_set(&f.node.selection_set))
        .sum();
    operations + fragments
}

struct DepthWalker<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    introspection_depth: usize,
    spreads: usize,
}

impl DepthWalker<'_> {
    /// Depth of a selection set, not counting introspection subtrees (which
    /// are measured into `introspection_depth`).
    fn depth(&mut self, set: &Positioned<SelectionSet>) -> usize {
        let mut deepest = 0;
        for item in &set.node.items {
            let depth = match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if name == "__schema" || name == "__type" {
                        let inner = 1 + self.full_depth(&field.node.selection_set);
                        self.introspection_depth = self.introspection_depth.max(inner);
                        1
                    } else {
                        1 + self.depth(&field.node.selection_set)
                    }
                }
                Selection::InlineFragment(fragment) => self.depth(&fragment.node.selection_set),
                Selection::FragmentSpread(spread) => {
                    self.spread(spread.node.fragment_name.node.as_str(), false)
                }
            };
            deepest = deepest.max(depth);
        }
        deepest
    }

    /// Depth of a selection set counting every field.
    fn full_depth(&mut self, set: &Positioned<SelectionSet>) -> usize {
        let mut deepest = 0;
        for item in &set.node.items {
            let depth = match &item.node {
                Selection::Field(field) => 1 + self.full_depth(&field.node.selection_set),
                Selection::InlineFragment(fragment) => {
                    self.full_depth(&fragment.node.selection_set)
                }
                Selection::FragmentSpread(spread) => {
                    self.spread(spread.node.fragment_name.node.as_str(), true)
                }
            };
            deepest = deepest.max(depth);
        }
        deepest
    }

    fn spread(&mut self, name: &str, full: bool) -> usize {
        let Some(fragment) = self.fragments.get(name) else {
            return 0;
        };
        if self.spreads >= MAX_SPREAD_NESTING {
            return 0;
        }
        self.spreads += 1;
        let set = &fragment.node.selection_set;
        let depth = if full {
            self.full_depth(set)
        } else {
            self.depth(set)
        };
        self.spreads -= 1;
        depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn limits() -> GraphqlLimits {
        GraphqlLimits {
            max_depth: 3,
            max_aliases: 2,
            ..GraphqlLimits::default()
        }
    }

    fn checked(query: &str) -> Result<(), String> {
        check(&parse_query(query).unwrap(), &limits())
    }

    #[test]
    fn depth_follows_fragments() {
        assert!(checked("{ a { b { c } } }").is_ok());
        assert!(checked("{ a { b { c { d } } } }").is_err());
        assert!(checked("{ a { ...F } } fragment F on T { b { c { d } } }").is_err());
        assert!(checked("{ a { ... on T { b { c { d } } } } }").is_err());
    }

    #[test]
    fn introspection_has_its_own_limit() {
        assert!(checked("{ __schema { types { fields { type { ofType { name } } } } } }").is_ok());
        let deep = format!(
            "{{ __schema {{ types {{ {}name{} }} }} }}",
            "ofType { ".repeat(15),
            " }".repeat(15)
        );
        assert!(checked(&deep).unwrap_err().contains("introspection"));
    }

    #[test]
    fn aliases_are_counted_everywhere() {
        assert!(checked("{ x: a y: b }").is_ok());
        assert!(checked("{ x: a y: b z: c }").is_err());
        assert!(checked("{ x: a ...F } fragment F on T { y: b z: c }").is_err());
    }

    #[test]
    fn cyclic_fragments_do_not_hang() {
        assert!(
            checked("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }").is_ok()
        );
    }
}
