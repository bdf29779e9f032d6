//! Checks on a parsed document that run before validation and execution:
//! fragment cycles, how many selections the document expands to, aliases
//! and depth.
//!
//! Every later walk over the document (validation rules, complexity,
//! execution) follows fragment spreads, so a small document whose fragments
//! spread each other several times each expands exponentially. Each
//! fragment is therefore measured once (memoised), cycles are refused as the
//! specification's "fragments must not form cycles" rule says, and the
//! number of selections the expanded document holds is capped before any of
//! those walks run.
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
/// Most selections (fields, fragment spreads and inline fragments) the
/// document may hold once every fragment spread is replaced by the
/// fragment's selections. GraphiQL's introspection query expands to about
/// 1,100; the largest query of the console to a few hundred.
pub const MAX_EXPANDED_SELECTIONS: u64 = 10_000;

/// Why a document was refused before execution.
pub fn check(document: &ExecutableDocument, limits: &GraphqlLimits) -> Result<(), String> {
    let aliases = count_aliases(document);
    if aliases > limits.max_aliases {
        return Err(format!(
            "the document uses {aliases} aliases; the limit is {}",
            limits.max_aliases
        ));
    }
    let mut measure = Measure {
        fragments: &document.fragments,
        done: HashMap::new(),
        open: Vec::new(),
    };
    // Every fragment is measured, used or not: validation walks them all.
    let mut selections: u64 = 0;
    let mut introspection_depth = 0;
    for name in document.fragments.keys() {
        let size = measure.fragment(name.as_str(), false)?;
        introspection_depth = introspection_depth.max(size.introspection_depth);
        selections = selections.saturating_add(size.selections);
    }
    for (_, operation) in document.operations.iter() {
        let size = measure.set(&operation.node.selection_set, false)?;
        selections = selections.saturating_add(size.selections);
        introspection_depth = introspection_depth.max(size.introspection_depth);
        if size.depth > limits.max_depth {
            return Err(format!(
                "the query is {} levels deep; the limit is {}",
                size.depth, limits.max_depth
            ));
        }
    }
    if selections > MAX_EXPANDED_SELECTIONS {
        return Err(format!(
            "the document expands to more than {MAX_EXPANDED_SELECTIONS} selections once its \
             fragments are spread; spread fewer fragments"
        ));
    }
    if introspection_depth > MAX_INTROSPECTION_DEPTH {
        return Err(format!(
            "the introspection query is {introspection_depth} levels deep; the limit is {MAX_INTROSPECTION_DEPTH}"
        ));
    }
    Ok(())
}

/// Whether any operation or fragment of the document selects `__schema` or
/// `__type` (introspection is for callers who have signed in).
pub fn uses_introspection(document: &ExecutableDocument) -> bool {
    fn in_set(set: &Positioned<SelectionSet>) -> bool {
        set.node.items.iter().any(|item| match &item.node {
            Selection::Field(field) => {
                matches!(field.node.name.node.as_str(), "__schema" | "__type")
                    || in_set(&field.node.selection_set)
            }
            Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set),
            Selection::FragmentSpread(_) => false,
        })
    }
    document
        .operations
        .iter()
        .any(|(_, op)| in_set(&op.node.selection_set))
        || document
            .fragments
            .values()
            .any(|f| in_set(&f.node.selection_set))
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

/// What a selection set amounts to once its fragments are spread.
#[derive(Clone, Copy, Default)]
struct Size {
    /// Levels of fields; introspection subtrees count one level unless the
    /// set is measured in full.
    depth: usize,
    /// Deepest introspection subtree (`__schema`, `__type`) within.
    introspection_depth: usize,
    /// Selections after spreading (saturating).
    selections: u64,
}

/// Measures selection sets, each fragment once per mode.
struct Measure<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    /// Fragments measured, by name and whether in full.
    done: HashMap<(&'a str, bool), Size>,
    /// Fragments being measured, outermost first: a spread of one of them
    /// is a cycle.
    open: Vec<&'a str>,
}

impl<'a> Measure<'a> {
    fn set(&mut self, set: &'a Positioned<SelectionSet>, full: bool) -> Result<Size, String> {
        let mut total = Size::default();
        for item in &set.node.items {
            let (depth, inner) = match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if !full && (name == "__schema" || name == "__type") {
                        let inner = self.set(&field.node.selection_set, true)?;
                        total.introspection_depth = total.introspection_depth.max(1 + inner.depth);
                        (1, inner)
                    } else {
                        let inner = self.set(&field.node.selection_set, full)?;
                        (1 + inner.depth, inner)
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let inner = self.set(&fragment.node.selection_set, full)?;
                    (inner.depth, inner)
                }
                Selection::FragmentSpread(spread) => {
                    let inner = self.fragment(spread.node.fragment_name.node.as_str(), full)?;
                    (inner.depth, inner)
                }
            };
            total.depth = total.depth.max(depth);
            total.introspection_depth = total.introspection_depth.max(inner.introspection_depth);
            total.selections = total
                .selections
                .saturating_add(1)
                .saturating_add(inner.selections);
        }
        Ok(total)
    }

    /// The size of fragment `name`; unknown fragments are empty here (validation reports them).
    fn fragment(&mut self, name: &str, full: bool) -> Result<Size, String> {
        let Some((key, fragment)) = self.fragments.get_key_value(name) else {
            return Ok(Size::default());
        };
        let key = key.as_str();
        if let Some(size) = self.done.get(&(key, full)) {
            return Ok(*size);
        }
        if let Some(start) = self.open.iter().position(|open| *open == key) {
            let mut path: Vec<&str> = self.open[start..].to_vec();
            path.push(key);
            return Err(format!(
                "fragments must not form cycles: {}",
                path.join(" → ")
            ));
        }
        self.open.push(key);
        let size = self.set(&fragment.node.selection_set, full);
        self.open.pop();
        let size = size?;
        self.done.insert((key, full), size);
        Ok(size)
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
    fn introspection_is_found_in_operations_and_fragments() {
        let uses = |q: &str| uses_introspection(&parse_query(q).unwrap());
        assert!(uses("{ __schema { types { name } } }"));
        assert!(uses("{ a { ... on T { __type(name: \"X\") { name } } } }"));
        assert!(uses(
            "{ ...F } fragment F on Query { __schema { queryType { name } } }"
        ));
        assert!(!uses("{ __typename a { b } }"));
    }

    #[test]
    fn aliases_are_counted_everywhere() {
        assert!(checked("{ x: a y: b }").is_ok());
        assert!(checked("{ x: a y: b z: c }").is_err());
        assert!(checked("{ x: a ...F } fragment F on T { y: b z: c }").is_err());
    }

    #[test]
    fn cyclic_fragments_are_refused() {
        let err = checked("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
            .unwrap_err();
        assert!(err.contains("cycles"), "{err}");
        let err = checked("{ ...A } fragment A on Query { a ...A }").unwrap_err();
        assert!(err.contains("A → A"), "{err}");
        // A cycle among fragments no operation uses is refused too.
        assert!(
            checked("{ a } fragment A on Query { ...B } fragment B on Query { ...A }").is_err()
        );
    }

    /// `depth` fragments, each spreading the next `fanout` times.
    fn fan_out(depth: usize, fanout: usize) -> String {
        let mut doc = String::from("{ ...F0 }");
        for level in 0..depth {
            let next = format!(" ...F{}", level + 1);
            doc.push_str(&format!(
                " fragment F{level} on Query {{{} }}",
                next.repeat(fanout)
            ));
        }
        doc.push_str(&format!(" fragment F{depth} on Query {{ a }}"));
        doc
    }

    #[test]
    fn exponential_fragment_spreads_are_refused_at_once() {
        let limits = GraphqlLimits::default();
        // 4^12 spreads if walked naively; 4^20 would never finish.
        for depth in [12, 20] {
            let document = parse_query(fan_out(depth, 4)).unwrap();
            let started = std::time::Instant::now();
            let err = check(&document, &limits).unwrap_err();
            assert!(err.contains("expands to more than"), "{err}");
            assert!(started.elapsed() < std::time::Duration::from_millis(100));
        }
        // A modest fan-out stays within the limits.
        assert!(check(&parse_query(fan_out(3, 4)).unwrap(), &limits).is_ok());
    }

    #[test]
    fn a_fragment_spread_many_times_counts_each_time() {
        let limits = GraphqlLimits::default();
        let fields: String = (0..200).map(|i| format!(" f{i}")).collect();
        let spreads = " ...F".repeat(60);
        let doc = format!("{{{spreads} }} fragment F on Query {{{fields} }}");
        let err = check(&parse_query(doc).unwrap(), &limits).unwrap_err();
        assert!(err.contains("expands"), "{err}");
    }
}
