//! The payload of every event kind: its fields, the JSON schema built from
//! them (`docs/events.md` lists them, and a unit test keeps the file equal
//! to what this module generates), and a check that a payload conforms,
//! which every recording runs in debug builds.
//!
//! Payloads name records by id and carry the few values a consumer needs to
//! route an event; never a secret (no key, token, password or hash). A
//! change that removes or retypes a field is a new payload version.

use serde_json::{json, Map, Value as JsonValue};

use super::domain_events::EventKind;

/// The JSON type of one payload field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// A UUID string.
    Id,
    /// Text.
    Text,
    /// A whole number.
    Integer,
    /// An exact decimal amount written as a string (`"19.99"`).
    Decimal,
    /// An RFC 3339 time in UTC.
    Time,
    /// A list of UUID strings.
    IdList,
    /// A list of texts.
    TextList,
}

/// One field: its name, type, whether it may be `null`, and what it holds.
pub type Field = (&'static str, FieldType, bool, &'static str);

use FieldType::*;

const CASE: &[Field] = &[
    ("caseId", Id, false, "the case"),
    (
        "number",
        Integer,
        false,
        "the case's number in the workspace",
    ),
    ("customerId", Id, false, "the case's customer"),
    ("subject", Text, false, "the case's subject"),
    (
        "kind",
        Text,
        false,
        "INQUIRY, COMPLAINT, SUGGESTION, REQUEST or PROBLEM",
    ),
    ("priority", Text, false, "LOW, NORMAL, HIGH or URGENT"),
    ("status", Text, false, "the case's status after the change"),
    ("ownerId", Id, true, "the member the case is assigned to"),
];

const CASE_STATUS_CHANGED: &[Field] = &[
    ("caseId", Id, false, "the case"),
    (
        "number",
        Integer,
        false,
        "the case's number in the workspace",
    ),
    ("customerId", Id, false, "the case's customer"),
    ("subject", Text, false, "the case's subject"),
    (
        "kind",
        Text,
        false,
        "INQUIRY, COMPLAINT, SUGGESTION, REQUEST or PROBLEM",
    ),
    ("priority", Text, false, "LOW, NORMAL, HIGH or URGENT"),
    ("status", Text, false, "the case's status after the change"),
    ("ownerId", Id, true, "the member the case is assigned to"),
    ("fromStatus", Text, false, "the status before the change"),
];

const DEAL_CLOSED: &[Field] = &[
    ("dealId", Id, false, "the deal"),
    ("customerId", Id, false, "the deal's customer"),
    ("stageId", Id, false, "the stage the deal closed in"),
    ("amount", Decimal, false, "the deal's amount"),
    ("currency", Text, false, "ISO 4217 code of the amount"),
    ("reason", Text, true, "why the deal was lost (or won)"),
];

/// The fields of a kind's current payload version.
pub fn fields(kind: EventKind) -> &'static [Field] {
    match kind {
        EventKind::CustomerCreated => &[
            ("customerId", Id, false, "the new customer"),
            ("kind", Text, false, "COMPANY or PERSON"),
            ("name", Text, false, "the customer's name"),
            (
                "lifecycleStage",
                Text,
                false,
                "the customer's lifecycle stage",
            ),
            (
                "externalId",
                Text,
                true,
                "the customer's id in a partner system",
            ),
            ("ownerId", Id, true, "the member who owns the customer"),
        ],
        EventKind::CustomerUpdated => &[
            ("customerId", Id, false, "the customer"),
            (
                "version",
                Integer,
                false,
                "the customer's version after the change",
            ),
            (
                "changedFields",
                TextList,
                false,
                "the fields that changed, as the API names them",
            ),
        ],
        EventKind::CustomerDeleted => &[("customerId", Id, false, "the customer (soft-deleted)")],
        EventKind::CustomerRestored => &[("customerId", Id, false, "the customer brought back")],
        EventKind::CustomerMerged => &[
            ("customerId", Id, false, "the customer that stays"),
            (
                "mergedCustomerIds",
                IdList,
                false,
                "the customers merged into it (now deleted)",
            ),
        ],
        EventKind::ContactCreated => &[
            ("contactId", Id, false, "the new contact"),
            ("customerId", Id, false, "the contact's customer"),
            ("name", Text, false, "the contact's name"),
        ],
        EventKind::ContactUpdated => &[
            ("contactId", Id, false, "the contact"),
            ("customerId", Id, false, "the contact's customer"),
            (
                "version",
                Integer,
                false,
                "the contact's version after the change",
            ),
        ],
        EventKind::ContactDeleted => &[
            ("contactId", Id, false, "the contact (soft-deleted)"),
            ("customerId", Id, false, "the contact's customer"),
        ],
        EventKind::InteractionLogged => &[
            ("interactionId", Id, false, "the new interaction"),
            ("customerId", Id, false, "the interaction's customer"),
            (
                "kind",
                Text,
                false,
                "CALL, EMAIL, MEETING, NOTE, TASK, CHAT, FAX, VISIT or SMS",
            ),
            ("direction", Text, true, "INBOUND or OUTBOUND"),
            ("occurredAt", Time, false, "when it happened"),
            ("dealId", Id, true, "the deal it is about"),
            ("caseId", Id, true, "the case it is about"),
        ],
        EventKind::LeadCreated => &[
            ("leadId", Id, false, "the new lead"),
            ("name", Text, false, "the lead's name"),
            ("source", Text, true, "where the lead came from"),
            ("ownerId", Id, true, "the member who owns the lead"),
        ],
        EventKind::LeadConverted => &[
            ("leadId", Id, false, "the lead"),
            ("customerId", Id, false, "the customer it became or joined"),
            ("contactId", Id, false, "the contact made from it"),
            ("dealId", Id, true, "the deal made from it"),
        ],
        EventKind::DealStageChanged => &[
            ("dealId", Id, false, "the deal"),
            ("customerId", Id, false, "the deal's customer"),
            ("fromStageId", Id, false, "the stage it left"),
            ("toStageId", Id, false, "the stage it entered"),
            ("status", Text, false, "OPEN, WON or LOST after the move"),
        ],
        EventKind::DealWon | EventKind::DealLost => DEAL_CLOSED,
        EventKind::OrderCreated => &[
            ("orderId", Id, false, "the new order"),
            ("customerId", Id, false, "the order's customer"),
            (
                "externalId",
                Text,
                true,
                "the order's id in a partner system",
            ),
            ("currency", Text, false, "ISO 4217 code of the total"),
            ("total", Decimal, false, "the order's total"),
        ],
        EventKind::OrderStatusChanged => &[
            ("orderId", Id, false, "the order"),
            ("customerId", Id, false, "the order's customer"),
            ("fromStatus", Text, false, "the status before the change"),
            ("toStatus", Text, false, "the status after the change"),
        ],
        EventKind::CaseOpened => CASE,
        EventKind::CaseStatusChanged => CASE_STATUS_CHANGED,
        EventKind::CaseRated => &[
            ("caseId", Id, false, "the case"),
            (
                "number",
                Integer,
                false,
                "the case's number in the workspace",
            ),
            ("customerId", Id, false, "the case's customer"),
            (
                "score",
                Integer,
                false,
                "the customer's satisfaction, 1 to 5",
            ),
        ],
        EventKind::AnalyticsRunFinished => &[
            ("runId", Id, false, "the customer value run"),
            ("status", Text, false, "SUCCEEDED or FAILED"),
            ("finishedAt", Time, false, "when it finished"),
        ],
        EventKind::MemberAdded => &[
            ("userId", Id, false, "the new member"),
            ("role", Text, false, "the member's role"),
        ],
        EventKind::MemberRemoved => &[
            ("userId", Id, false, "the member removed"),
            ("role", Text, false, "the role the member had"),
        ],
        EventKind::ApiKeyCreated => &[
            ("apiKeyId", Id, false, "the key"),
            ("name", Text, false, "the key's name"),
            (
                "prefix",
                Text,
                false,
                "the key's visible prefix (never its secret)",
            ),
            ("scopes", TextList, false, "the permissions the key carries"),
        ],
        EventKind::ApiKeyRevoked => &[
            ("apiKeyId", Id, false, "the key"),
            ("name", Text, false, "the key's name"),
            (
                "prefix",
                Text,
                false,
                "the key's visible prefix (never its secret)",
            ),
        ],
    }
}

fn type_schema(ty: FieldType) -> JsonValue {
    match ty {
        Id => json!({ "type": "string", "format": "uuid" }),
        Text => json!({ "type": "string" }),
        Integer => json!({ "type": "integer" }),
        Decimal => json!({ "type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$" }),
        Time => json!({ "type": "string", "format": "date-time" }),
        IdList => json!({ "type": "array", "items": { "type": "string", "format": "uuid" } }),
        TextList => json!({ "type": "array", "items": { "type": "string" } }),
    }
}

/// The JSON schema (draft 2020-12) of a kind's payload (`data` in a
/// webhook body, `payload` in `domainEvents`).
pub fn schema(kind: EventKind) -> JsonValue {
    let mut properties = Map::new();
    for (name, ty, nullable, description) in fields(kind) {
        let mut field = type_schema(*ty);
        if *nullable {
            let ty = field["type"].clone();
            field["type"] = json!([ty, "null"]);
        }
        field["description"] = json!(description);
        properties.insert((*name).to_owned(), field);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:crm:event:{}:v{}", kind.as_str(), kind.payload_version()),
        "title": kind.as_str(),
        "type": "object",
        "properties": properties,
        "required": fields(kind).iter().map(|f| f.0).collect::<Vec<_>>(),
        "additionalProperties": false,
    })
}

/// Whether `payload` has exactly the fields of `kind`, each of its type;
/// else what is wrong.
pub fn conforms(kind: EventKind, payload: &JsonValue) -> Result<(), String> {
    let object = payload
        .as_object()
        .ok_or_else(|| "not an object".to_owned())?;
    let fields = fields(kind);
    if let Some(extra) = object.keys().find(|k| !fields.iter().any(|f| f.0 == *k)) {
        return Err(format!("unknown field `{extra}`"));
    }
    for (name, ty, nullable, _) in fields {
        let value = object
            .get(*name)
            .ok_or_else(|| format!("missing `{name}`"))?;
        let fits = match (value, ty) {
            (JsonValue::Null, _) => *nullable,
            (JsonValue::String(s), Id) => uuid::Uuid::parse_str(s).is_ok(),
            (JsonValue::String(_), Text) => true,
            (JsonValue::Number(n), Integer) => n.is_i64(),
            (JsonValue::String(s), Decimal) => s.parse::<rust_decimal::Decimal>().is_ok(),
            (JsonValue::String(s), Time) => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            (JsonValue::Array(items), IdList) => items
                .iter()
                .all(|i| i.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok())),
            (JsonValue::Array(items), TextList) => items.iter().all(JsonValue::is_string),
            _ => false,
        };
        if !fits {
            return Err(format!("`{name}` is not a {ty:?}: {value}"));
        }
    }
    Ok(())
}

/// The reference page of every event kind and the webhook body around it
/// (`docs/events.md`).
pub fn reference() -> String {
    let mut out = String::from(
        "# Events\n\n\
         Generated from `api/src/domain/event_schemas.rs` (a unit test fails when this file \
         differs; `UPDATE_EVENT_DOCS=1 cargo test -p crm-api event_docs` rewrites it).\n\n\
         Every change below is recorded in the transaction that makes it. Pull consumers read \
         them with `domainEvents(order: FEED, after:, types:)`; webhook endpoints receive them \
         as a POST whose JSON body is\n\n\
         ```json\n\
         {\"id\": \"<event id, also the webhook-id header>\", \"type\": \"CUSTOMER_CREATED\", \
         \"version\": 1, \"timestamp\": \"<RFC 3339, when it happened>\", \
         \"aggregateType\": \"CUSTOMER\", \"aggregateId\": \"<id>\", \"actor\": \"<member id or null>\", \
         \"data\": { <the payload below> }}\n\
         ```\n\n\
         signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`, \
         `webhook-signature`). A payload never carries a secret. A change that removes or \
         retypes a field is a new `version`; fields may be added to a version.\n\n\
         | type | about | version |\n| --- | --- | --- |\n",
    );
    for kind in EventKind::ALL {
        out.push_str(&format!(
            "| [`{0}`](#{1}) | {2} | {3} |\n",
            kind.as_str(),
            kind.as_str().to_lowercase(),
            kind.aggregate_type(),
            kind.payload_version()
        ));
    }
    for kind in EventKind::ALL {
        out.push_str(&format!(
            "\n## {}\n\n| field | type | null | meaning |\n| --- | --- | --- | --- |\n",
            kind.as_str()
        ));
        for (name, ty, nullable, description) in fields(kind) {
            out.push_str(&format!(
                "| `{name}` | {ty:?} | {} | {description} |\n",
                if *nullable { "yes" } else { "no" }
            ));
        }
        out.push_str(&format!(
            "\n```json\n{}\n```\n",
            serde_json::to_string_pretty(&schema(kind)).expect("a schema is JSON")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_docs_match_the_schemas() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/events.md");
        let generated = reference();
        if std::env::var_os("UPDATE_EVENT_DOCS").is_some() {
            std::fs::write(path, &generated).expect("write docs/events.md");
        }
        let written = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            written == generated,
            "docs/events.md differs from the event schemas; run UPDATE_EVENT_DOCS=1 cargo test -p crm-api event_docs"
        );
    }

    #[test]
    fn conformance_refuses_missing_extra_and_mistyped_fields() {
        let id = uuid::Uuid::now_v7().to_string();
        let good = json!({ "customerId": id, "mergedCustomerIds": [id] });
        assert_eq!(conforms(EventKind::CustomerMerged, &good), Ok(()));
        assert!(conforms(EventKind::CustomerMerged, &json!({ "customerId": id })).is_err());
        let mut extra = good.clone();
        extra["secret"] = json!("x");
        assert!(conforms(EventKind::CustomerMerged, &extra).is_err());
        assert!(conforms(
            EventKind::CustomerMerged,
            &json!({ "customerId": "nope", "mergedCustomerIds": [] })
        )
        .is_err());
        assert!(conforms(EventKind::CustomerDeleted, &json!({ "customerId": null })).is_err());
    }

    #[test]
    fn no_payload_field_names_a_secret() {
        for kind in EventKind::ALL {
            for (name, ..) in fields(kind) {
                let lower = name.to_lowercase();
                for word in ["secret", "token", "password", "hash"] {
                    assert!(!lower.contains(word), "{} carries `{name}`", kind.as_str());
                }
            }
        }
    }
}
