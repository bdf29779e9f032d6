//! Which queries are answered from customer 360 views alone.
//!
//! A query qualifies when its only root fields are `customer(id)` and every
//! field it selects below is in [`FIELDS`]: fields whose resolvers read
//! nothing but their parent record or the request's views, and do not
//! depend on the clock. Its response is then a function of the caller, the
//! request and the views' versions, and may be kept and served again while
//! those versions stand (`responses.rs`). Anything else, including any field
//! this table does not know, disqualifies the query: the table fails closed.

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::Value;
use serde_json::{Map, Value as Json};

use crate::config::GraphqlLimits;
use crate::domain::customer_view::{
    CONTACTS_IN_VIEW, INTERACTIONS_IN_VIEW, OPEN_CASES_IN_VIEW, OPEN_DEALS_IN_VIEW, ORDERS_IN_VIEW,
};

/// What a field selects.
#[derive(Clone, Copy)]
enum Kind {
    /// A scalar, an enum or a list of them: no selection, no arguments.
    Leaf,
    /// An object (or list of objects) of this type, without arguments.
    Object(&'static str),
    /// The first page of a connection held in the view, when it asks for at
    /// most this many rows (`first`, no `after`).
    ViewPage(&'static str, u64),
}

use Kind::{Leaf, Object, ViewPage};

/// The fields a view-only query may select, by type. Time-dependent fields
/// (`firstResponseBreached`) and fields read through loaders (`owner`,
/// `orderTotal`, `stage`, `totalCount`) are deliberately absent.
const FIELDS: &[(&str, &[(&str, Kind)])] = &[
    (
        "Customer",
        &[
            ("id", Leaf),
            ("version", Leaf),
            ("kind", Leaf),
            ("name", Leaf),
            ("email", Leaf),
            ("phone", Leaf),
            ("emails", Object("ContactPoint")),
            ("phones", Object("ContactPoint")),
            ("website", Leaf),
            ("address", Object("PostalAddress")),
            ("acquisitionSource", Leaf),
            ("acquisitionChannel", Leaf),
            ("teamId", Leaf),
            ("industry", Leaf),
            ("region", Leaf),
            ("externalId", Leaf),
            ("lifecycleStage", Leaf),
            ("tags", Leaf),
            ("customFields", Leaf),
            ("contacts", ViewPage("ContactConnection", CONTACTS_IN_VIEW)),
            (
                "interactions",
                ViewPage("InteractionConnection", INTERACTIONS_IN_VIEW),
            ),
            ("contactCount", Leaf),
            ("interactionCount", Leaf),
            ("openTaskCount", Leaf),
            ("lastInteractionAt", Leaf),
            ("orderCount", Leaf),
            ("lastOrderAt", Leaf),
            ("orders", ViewPage("OrderConnection", ORDERS_IN_VIEW)),
            ("openDeals", ViewPage("DealConnection", OPEN_DEALS_IN_VIEW)),
            ("openDealCount", Leaf),
            ("openCases", ViewPage("CaseConnection", OPEN_CASES_IN_VIEW)),
            ("openCaseCount", Leaf),
            ("value", Object("CustomerValue")),
            ("createdAt", Leaf),
            ("updatedAt", Leaf),
        ],
    ),
    (
        "ContactPoint",
        &[("value", Leaf), ("label", Leaf), ("primary", Leaf)],
    ),
    (
        "PostalAddress",
        &[
            ("streetLines", Leaf),
            ("city", Leaf),
            ("stateProvince", Leaf),
            ("postalCode", Leaf),
            ("country", Leaf),
        ],
    ),
    (
        "PageInfo",
        &[
            ("hasNextPage", Leaf),
            ("hasPreviousPage", Leaf),
            ("startCursor", Leaf),
            ("endCursor", Leaf),
        ],
    ),
    ("Money", &[("amount", Leaf), ("currency", Leaf)]),
    (
        "ContactConnection",
        &[
            ("edges", Object("ContactEdge")),
            ("pageInfo", Object("PageInfo")),
        ],
    ),
    (
        "ContactEdge",
        &[("cursor", Leaf), ("node", Object("Contact"))],
    ),
    (
        "Contact",
        &[
            ("id", Leaf),
            ("version", Leaf),
            ("customerId", Leaf),
            ("name", Leaf),
            ("title", Leaf),
            ("email", Leaf),
            ("phone", Leaf),
            ("emails", Object("ContactPoint")),
            ("phones", Object("ContactPoint")),
            ("customFields", Leaf),
            ("preferredChannel", Leaf),
            ("language", Leaf),
            ("createdAt", Leaf),
            ("updatedAt", Leaf),
        ],
    ),
    (
        "InteractionConnection",
        &[
            ("edges", Object("InteractionEdge")),
            ("pageInfo", Object("PageInfo")),
        ],
    ),
    (
        "InteractionEdge",
        &[("cursor", Leaf), ("node", Object("Interaction"))],
    ),
    (
        "Interaction",
        &[
            ("id", Leaf),
            ("customerId", Leaf),
            ("dealId", Leaf),
            ("caseId", Leaf),
            ("contactId", Leaf),
            ("kind", Leaf),
            ("direction", Leaf),
            ("channel", Leaf),
            ("subject", Leaf),
            ("body", Leaf),
            ("occurredAt", Leaf),
            ("durationSeconds", Leaf),
            ("dueAt", Leaf),
            ("completedAt", Leaf),
            ("loggedBy", Leaf),
        ],
    ),
    (
        "OrderConnection",
        &[
            ("edges", Object("OrderEdge")),
            ("pageInfo", Object("PageInfo")),
        ],
    ),
    ("OrderEdge", &[("cursor", Leaf), ("node", Object("Order"))]),
    (
        "Order",
        &[
            ("id", Leaf),
            ("version", Leaf),
            ("externalId", Leaf),
            ("customerId", Leaf),
            ("orderedAt", Leaf),
            ("dealId", Leaf),
            ("campaign", Leaf),
            ("campaignId", Leaf),
            ("currency", Leaf),
            ("channel", Leaf),
            ("status", Leaf),
            ("total", Object("Money")),
            ("createdAt", Leaf),
            ("updatedAt", Leaf),
        ],
    ),
    (
        "DealConnection",
        &[
            ("edges", Object("DealEdge")),
            ("pageInfo", Object("PageInfo")),
        ],
    ),
    ("DealEdge", &[("cursor", Leaf), ("node", Object("Deal"))]),
    (
        "Deal",
        &[
            ("id", Leaf),
            ("version", Leaf),
            ("name", Leaf),
            ("customerId", Leaf),
            ("pipelineId", Leaf),
            ("stageId", Leaf),
            ("status", Leaf),
            ("ownerId", Leaf),
            ("amount", Object("Money")),
            ("expectedCloseDate", Leaf),
            ("closeReason", Leaf),
            ("closedAt", Leaf),
            ("stageEnteredAt", Leaf),
            ("createdAt", Leaf),
            ("updatedAt", Leaf),
        ],
    ),
    (
        "CaseConnection",
        &[
            ("edges", Object("CaseEdge")),
            ("pageInfo", Object("PageInfo")),
        ],
    ),
    ("CaseEdge", &[("cursor", Leaf), ("node", Object("Case"))]),
    (
        "Case",
        &[
            ("id", Leaf),
            ("number", Leaf),
            ("version", Leaf),
            ("subject", Leaf),
            ("description", Leaf),
            ("kind", Leaf),
            ("status", Leaf),
            ("priority", Leaf),
            ("channel", Leaf),
            ("isOpen", Leaf),
            ("customerId", Leaf),
            ("contactId", Leaf),
            ("ownerId", Leaf),
            ("firstResponseDueAt", Leaf),
            ("resolutionDueAt", Leaf),
            ("firstRespondedAt", Leaf),
            ("resolvedAt", Leaf),
            ("resolution", Leaf),
            ("closedAt", Leaf),
            ("satisfaction", Object("CaseSatisfaction")),
            ("createdById", Leaf),
            ("createdAt", Leaf),
            ("updatedAt", Leaf),
        ],
    ),
    (
        "CaseSatisfaction",
        &[("score", Leaf), ("comment", Leaf), ("ratedAt", Leaf)],
    ),
    (
        "CustomerValue",
        &[
            ("recency", Leaf),
            ("frequency", Leaf),
            ("orderCount", Leaf),
            ("monetary", Object("Money")),
            ("monetaryTotal", Object("Money")),
            ("firstPurchaseAt", Leaf),
            ("lastPurchaseAt", Leaf),
            ("tenureDays", Leaf),
            ("recencyScore", Leaf),
            ("frequencyScore", Leaf),
            ("monetaryScore", Leaf),
            ("rfmScore", Leaf),
            ("segment", Leaf),
            ("tier", Leaf),
            ("purchaseIntervalDays", Leaf),
            ("probabilityAlive", Leaf),
            ("expectedPurchases12m", Leaf),
            ("expectedPurchases", Leaf),
            ("clv12m", Object("Money")),
            ("clv", Object("Money")),
            ("potentialValue", Object("Money")),
            ("churnRisk", Leaf),
            ("computedAt", Leaf),
            ("runId", Leaf),
        ],
    ),
];

fn field_kind(ty: &str, field: &str) -> Option<Kind> {
    let (_, fields) = FIELDS.iter().find(|(name, _)| *name == ty)?;
    fields
        .iter()
        .find(|(name, _)| *name == field)
        .map(|(_, kind)| *kind)
}

/// Whether the operation `operation_name` of `document`, run with
/// `variables`, reads nothing but customer 360 views.
pub fn answered_by_views(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Map<String, Json>,
    limits: &GraphqlLimits,
) -> bool {
    let Some(operation) = super::documents::operation(document, operation_name) else {
        return false;
    };
    if operation.ty != OperationType::Query || !operation.directives.is_empty() {
        return false;
    }
    let walk = Walk {
        document,
        operation,
        variables,
        limits,
        depth: 0,
    };
    walk.root(&operation.selection_set.node)
}

/// A walk over one operation's selections.
#[derive(Clone, Copy)]
struct Walk<'a> {
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Map<String, Json>,
    limits: &'a GraphqlLimits,
    /// Fragment spreads followed so far (a bound against cycles, which
    /// validation refuses anyway).
    depth: usize,
}

impl Walk<'_> {
    /// The root: only `customer(id)` fields (and `__typename`).
    fn root(self, set: &SelectionSet) -> bool {
        let mut any = false;
        let ok = self.each(set, "Query", &mut |walk, field| {
            let name = field.name.node.as_str();
            if name == "__typename" {
                return field.arguments.is_empty();
            }
            any = true;
            name == "customer"
                && field
                    .arguments
                    .iter()
                    .all(|(arg, _)| arg.node.as_str() == "id")
                && walk.object(&field.selection_set.node, "Customer")
        });
        ok && any
    }

    /// Every field selected on an object of type `ty`.
    fn object(self, set: &SelectionSet, ty: &str) -> bool {
        !set.items.is_empty()
            && self.each(set, ty, &mut |walk, field| {
                let name = field.name.node.as_str();
                let selection = &field.selection_set.node;
                if name == "__typename" {
                    return field.arguments.is_empty();
                }
                match field_kind(ty, name) {
                    Some(Leaf) => field.arguments.is_empty() && selection.items.is_empty(),
                    Some(Object(child)) => {
                        field.arguments.is_empty() && walk.object(selection, child)
                    }
                    Some(ViewPage(child, held)) => {
                        walk.within_view(field, held) && walk.object(selection, child)
                    }
                    None => false,
                }
            })
    }

    /// Visits each field of `set`, following fragments, with only
    /// `@include` and `@skip` allowed as directives.
    fn each(
        self,
        set: &SelectionSet,
        ty: &str,
        visit: &mut dyn FnMut(Walk<'_>, &Field) -> bool,
    ) -> bool {
        set.items.iter().all(|item| match &item.node {
            Selection::Field(field) => {
                plain_directives(&field.node.directives) && visit(self, &field.node)
            }
            Selection::InlineFragment(fragment) => {
                let fragment = &fragment.node;
                plain_directives(&fragment.directives)
                    && fragment
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| c.node.on.node.as_str() == ty)
                    && self.each(&fragment.selection_set.node, ty, visit)
            }
            Selection::FragmentSpread(spread) => {
                let Some(definition) = self.document.fragments.get(&spread.node.fragment_name.node)
                else {
                    return false;
                };
                let definition = &definition.node;
                self.depth < 16
                    && plain_directives(&spread.node.directives)
                    && plain_directives(&definition.directives)
                    && definition.type_condition.node.on.node.as_str() == ty
                    && Walk {
                        depth: self.depth + 1,
                        ..self
                    }
                    .each(&definition.selection_set.node, ty, visit)
            }
        })
    }

    /// Whether a connection field's arguments ask for a first page of at
    /// most `held` rows, which the view holds.
    fn within_view(self, field: &Field, held: u64) -> bool {
        let mut first = None;
        for (name, value) in &field.arguments {
            let Ok(value) = value
                .node
                .clone()
                .into_const_with(|variable| Ok::<_, ()>(self.variable(&variable)))
            else {
                return false;
            };
            match (name.node.as_str(), value) {
                ("after", Value::Null) => {}
                ("first", value) => first = Some(value),
                _ => return false,
            }
        }
        let size = match first {
            None | Some(Value::Null) => Some(self.limits.default_page_size),
            Some(Value::Number(n)) => n.as_u64(),
            Some(_) => None,
        };
        size.is_some_and(|n| n <= held)
    }

    /// A variable's value in this request (or its default).
    fn variable(self, name: &str) -> Value {
        match self.variables.get(name) {
            Some(value) => Value::from_json(value.clone()).unwrap_or(Value::Null),
            None => self
                .operation
                .variable_definitions
                .iter()
                .find(|d| d.node.name.node.as_str() == name)
                .and_then(|d| d.node.default_value.as_ref())
                .map(|v| v.node.clone())
                .unwrap_or(Value::Null),
        }
    }
}

/// Whether the directives are only `@include` and `@skip`, whose effect is
/// fixed by the request's variables.
fn plain_directives(
    directives: &[async_graphql::Positioned<async_graphql::parser::types::Directive>],
) -> bool {
    directives
        .iter()
        .all(|d| matches!(d.node.name.node.as_str(), "include" | "skip"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answered(query: &str, variables: Json) -> bool {
        let document = async_graphql::parser::parse_query(query).unwrap();
        let Json::Object(variables) = variables else {
            panic!("variables are an object")
        };
        answered_by_views(&document, None, &variables, &GraphqlLimits::default())
    }

    const VIEW: &str = "query($id: ID!, $n: Int) { customer(id: $id) { id name tags
        address { city } emails { value primary }
        contacts(first: $n) { edges { cursor node { id name } } pageInfo { hasNextPage } }
        interactions(first: 10, after: null) { edges { node { subject } } }
        orders(first: 5) { edges { node { total { amount currency } } } }
        openCases(first: 5) { edges { node { number satisfaction { score } } } }
        value { tier clv12m { amount } } __typename } }";

    #[test]
    fn a_customer_360_query_is_answered_by_views() {
        assert!(answered(VIEW, json!({ "id": "x", "n": 10 })));
        assert!(answered(
            "query V($id: ID!) { a: customer(id: $id) { ...F } b: customer(id: $id) { ... on Customer { id } } }
             fragment F on Customer { name openDeals(first: 3) { edges { node { amount { amount } } } } }",
            json!({ "id": "x" })
        ));
        assert!(answered(
            "query($id: ID!, $full: Boolean!) { customer(id: $id) { id name @include(if: $full) } }",
            json!({ "id": "x", "full": true })
        ));
    }

    #[test]
    fn pages_beyond_the_view_are_not() {
        // More rows than the view holds, a later page, or the default size.
        assert!(!answered(VIEW, json!({ "id": "x", "n": 11 })));
        assert!(!answered(
            "query($id: ID!) { customer(id: $id) { contacts(first: 5, after: \"abc\") { edges { cursor } } } }",
            json!({ "id": "x" })
        ));
        assert!(!answered(
            "query($id: ID!) { customer(id: $id) { contacts { edges { cursor } } } }",
            json!({ "id": "x" })
        ));
    }

    #[test]
    fn fields_outside_the_view_or_depending_on_the_clock_are_not() {
        for field in [
            "owner { id }",
            "orderTotal { amount }",
            "timeline(first: 5) { edges { cursor } }",
            "deals(first: 5) { edges { cursor } }",
            "orders(first: 5) { totalCount }",
            "openCases(first: 5) { edges { node { resolutionBreached } } }",
            "openDeals(first: 5) { edges { node { stage { id } } } }",
            "contacts(first: 5) { edges { node { unknownField } } }",
        ] {
            let query = format!("query($id: ID!) {{ customer(id: $id) {{ id {field} }} }}");
            assert!(!answered(&query, json!({ "id": "x" })), "{field}");
        }
    }

    #[test]
    fn other_roots_mutations_and_directives_are_not() {
        for query in [
            "{ me { id } }",
            "query($id: ID!) { customer(id: $id) { id } me { id } }",
            "mutation($id: ID!) { deleteCustomer(id: $id) }",
            "query($id: ID!) { customer(id: $id) { id @deprecated } }",
            "query($id: ID!) { __typename }",
            "query($id: ID!) { customer(id: $id) { ... on Deal { id } } }",
        ] {
            assert!(!answered(query, json!({ "id": "x" })), "{query}");
        }
    }
}
