//! Concurrent writes: every mutation of the schema, sent three times at once
//! on the same target, answers success or a typed error (`CONFLICT`,
//! `NOT_FOUND`, `VALIDATION`), never `INTERNAL` or a 5xx.
//!
//! The mutations come from introspection, so a new mutation fails this test
//! until it gets an argument builder in [`builders`] (or a reasoned entry in
//! [`SKIPPED`]). The targets are made once per test database, and each
//! mutation gets targets of its own where one call would spoil another's
//! (a deleted customer cannot be updated).

use std::collections::{HashMap, HashSet};

use crm_tests::{TestApp, TestTenant};
use futures_util::future::join_all;
use serde_json::{json, Value};

/// Mutations that cannot meaningfully be sent three times at once.
const SKIPPED: &[(&str, &str)] = &[
    // Ends the session the other calls of the test run on; a second call
    // with the revoked session is UNAUTHENTICATED by design.
    ("signOut", "revokes the caller's own session"),
    // A rotated refresh token presented again is token reuse: by design it
    // revokes the whole session and answers UNAUTHENTICATED.
    (
        "refreshSession",
        "reusing a refresh token is theft by design",
    ),
];

/// Error codes a concurrent write may answer besides success.
const ACCEPTED: &[&str] = &["CONFLICT", "NOT_FOUND", "VALIDATION"];

/// How many copies of each call are sent at once.
const COPIES: usize = 3;

/// One request of a mutation: its document and variables, sent as the
/// workspace owner unless `anonymous`; `upload` sends a CSV file as the
/// `input.file` of a multipart request.
struct Call {
    document: &'static str,
    variables: Value,
    anonymous: bool,
    upload: Option<&'static str>,
}

impl Call {
    fn new(document: &'static str, variables: Value) -> Call {
        Call {
            document,
            variables,
            anonymous: false,
            upload: None,
        }
    }

    fn anonymous(mut self) -> Call {
        self.anonymous = true;
        self
    }
}

/// Named records the calls act on, made once per test database.
struct Targets(HashMap<&'static str, Value>);

impl Targets {
    fn get(&self, name: &str) -> Value {
        self.0
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no target `{name}`"))
    }

    fn id(&self, name: &str) -> Value {
        self.get(name)["id"].clone()
    }

    fn version(&self, name: &str) -> Value {
        self.get(name)["version"].clone()
    }
}

/// Builds copy `copy` (0, 1, 2) of a mutation's call on the targets.
type Builder = fn(&Targets, usize) -> Call;

/// The argument builders, keyed by mutation name, in the order they run.
fn builders() -> Vec<(&'static str, Builder)> {
    vec![
        ("signUp", |t, _| {
            Call::new(
                "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }",
                json!({ "input": { "tenantName": "Racing", "tenantSlug": t.get("signUp.slug"),
                    "email": "racer@racing.example.com", "password": "a long passphrase for racers" } }),
            )
            .anonymous()
        }),
        ("signIn", |t, _| {
            let owner = t.get("owner");
            Call::new(
                "mutation($input: SignInInput!) { signIn(input: $input) { accessToken } }",
                json!({ "input": { "email": owner["email"], "password": owner["password"],
                    "tenantSlug": owner["slug"] } }),
            )
            .anonymous()
        }),
        ("switchTenant", |t, _| {
            Call::new(
                "mutation($slug: String!) { switchTenant(tenantSlug: $slug) { accessToken } }",
                json!({ "slug": t.get("owner")["slug"] }),
            )
        }),
        ("acceptInvitation", |t, _| {
            Call::new(
                "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken } }",
                json!({ "input": { "token": t.get("invitation.accept"),
                    "password": "an invited member's passphrase" } }),
            )
            .anonymous()
        }),
        ("createCustomer", |_, _| {
            Call::new(
                "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }",
                json!({ "input": { "kind": "COMPANY", "name": "Racing Ltd", "externalId": "RACE-1" } }),
            )
        }),
        ("updateCustomer", |t, _| {
            Call::new(
                "mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } } }",
                json!({ "input": { "id": t.id("customer.update"),
                    "version": t.version("customer.update"), "name": "Renamed Ltd" } }),
            )
        }),
        ("reassignCustomers", |t, _| {
            Call::new(
                "mutation($input: ReassignCustomersInput!) { reassignCustomers(input: $input) }",
                json!({ "input": { "customerIds": [t.id("customer.reassign")],
                    "ownerId": t.get("member")["userId"] } }),
            )
        }),
        ("createContact", |t, _| {
            Call::new(
                "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }",
                json!({ "input": { "customerId": t.id("customer"), "name": "Rita Racer",
                    "email": "rita@racing.example.com" } }),
            )
        }),
        ("updateContact", |t, _| {
            Call::new(
                "mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { id } } }",
                json!({ "input": { "id": t.id("contact.update"),
                    "version": t.version("contact.update"), "title": "Buyer" } }),
            )
        }),
        ("deleteContact", |t, _| {
            Call::new(
                "mutation($id: ID!) { deleteContact(id: $id) }",
                json!({ "id": t.id("contact.delete") }),
            )
        }),
        ("logInteraction", |t, _| {
            Call::new(
                "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
                json!({ "input": { "customerId": t.id("customer"), "kind": "NOTE",
                    "subject": "Raced" } }),
            )
        }),
        ("completeTask", |t, _| {
            Call::new(
                "mutation($id: ID!) { completeTask(id: $id) { interaction { id } } }",
                json!({ "id": t.id("task") }),
            )
        }),
        ("deleteCustomer", |t, _| {
            Call::new(
                "mutation($id: ID!) { deleteCustomer(id: $id) }",
                json!({ "id": t.id("customer.delete") }),
            )
        }),
        ("restoreCustomer", |t, _| {
            Call::new(
                "mutation($id: ID!) { restoreCustomer(id: $id) { customer { id } } }",
                json!({ "id": t.id("customer.restore") }),
            )
        }),
        ("importCustomers", |_, _| {
            Call {
            document: "mutation($input: ImportCustomersInput!) { importCustomers(input: $input) { created } }",
            variables: json!({ "input": { "matchBy": "EXTERNAL_ID" } }),
            anonymous: false,
            upload: Some("externalId,name\r\nIMP-1,Imported One\r\nIMP-2,Imported Two\r\n"),
        }
        }),
        ("mergeCustomers", |t, _| {
            Call::new(
                "mutation($input: MergeCustomersInput!) { mergeCustomers(input: $input) { customer { id } } }",
                json!({ "input": { "survivorId": t.id("customer.survivor"),
                    "mergedId": t.id("customer.merged") } }),
            )
        }),
        ("inviteMember", |_, _| {
            Call::new(
                "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } } }",
                json!({ "input": { "email": "invitee@racing.example.com", "role": "VIEWER" } }),
            )
        }),
        ("revokeInvitation", |t, _| {
            Call::new(
                "mutation($id: ID!) { revokeInvitation(id: $id) { id } }",
                json!({ "id": t.id("invitation.revoke") }),
            )
        }),
        ("changeMemberRole", |t, _| {
            Call::new(
                "mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { role } }",
                json!({ "input": { "userId": t.get("member")["userId"], "role": "MANAGER" } }),
            )
        }),
        ("assignMember", |t, _| {
            Call::new(
                "mutation($input: AssignMemberInput!) { assignMember(input: $input) { teamId } }",
                json!({ "input": { "userId": t.get("member")["userId"], "teamId": t.id("team") } }),
            )
        }),
        ("removeMember", |t, _| {
            Call::new(
                "mutation($id: ID!) { removeMember(userId: $id) }",
                json!({ "id": t.get("member.remove")["userId"] }),
            )
        }),
        ("createTeam", |_, _| {
            Call::new(
                "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
                json!({ "input": { "name": "Racing team" } }),
            )
        }),
        ("updateTeam", |t, _| {
            Call::new(
                "mutation($input: UpdateTeamInput!) { updateTeam(input: $input) { id } }",
                json!({ "input": { "id": t.id("team.update"), "name": "Renamed team" } }),
            )
        }),
        ("deleteTeam", |t, _| {
            Call::new(
                "mutation($id: ID!) { deleteTeam(id: $id) }",
                json!({ "id": t.id("team.delete") }),
            )
        }),
        ("createRegion", |_, _| {
            Call::new(
                "mutation($input: CreateRegionInput!) { createRegion(input: $input) { id } }",
                json!({ "input": { "name": "Racing region" } }),
            )
        }),
        ("deleteRegion", |t, _| {
            Call::new(
                "mutation($id: ID!) { deleteRegion(id: $id) }",
                json!({ "id": t.id("region.delete") }),
            )
        }),
        ("updateTenantSettings", |_, _| {
            Call::new(
                "mutation($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { id } }",
                json!({ "input": { "customerVisibility": "ALL" } }),
            )
        }),
        ("createApiKey", |_, _| {
            Call::new(
                "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
                json!({ "input": { "name": "racing key", "scopes": ["customers:read"] } }),
            )
        }),
        ("revokeApiKey", |t, _| {
            Call::new(
                "mutation($id: ID!) { revokeApiKey(id: $id) }",
                json!({ "id": t.id("apiKey.revoke") }),
            )
        }),
        ("defineCustomField", |_, _| {
            Call::new(
                "mutation($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { id } }",
                json!({ "input": { "object": "CUSTOMER", "key": "race_field", "label": "Race",
                    "type": "TEXT" } }),
            )
        }),
        ("removeCustomField", |t, _| {
            Call::new(
                "mutation($id: ID!) { removeCustomField(id: $id) }",
                json!({ "id": t.id("customField.remove") }),
            )
        }),
        ("createProduct", |_, _| {
            Call::new(
                "mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } } }",
                json!({ "input": { "sku": "RACE-SKU", "name": "Racing product" } }),
            )
        }),
        ("updateProduct", |t, _| {
            Call::new(
                "mutation($input: UpdateProductInput!) { updateProduct(input: $input) { product { id } } }",
                json!({ "input": { "id": t.id("product.update"),
                    "version": t.version("product.update"), "name": "Renamed product" } }),
            )
        }),
        ("deleteProduct", |t, _| {
            Call::new(
                "mutation($id: ID!) { deleteProduct(id: $id) }",
                json!({ "id": t.id("product.delete") }),
            )
        }),
        ("createPriceList", |_, _| {
            Call::new(
                "mutation($input: CreatePriceListInput!) { createPriceList(input: $input) { priceList { id } } }",
                json!({ "input": { "name": "Racing list", "currency": "CHF" } }),
            )
        }),
        ("updatePriceList", |t, _| {
            Call::new(
                "mutation($input: UpdatePriceListInput!) { updatePriceList(input: $input) { priceList { id } } }",
                json!({ "input": { "id": t.id("priceList.update"),
                    "version": t.version("priceList.update"), "name": "Renamed list" } }),
            )
        }),
        ("deletePriceList", |t, _| {
            Call::new(
                "mutation($id: ID!) { deletePriceList(id: $id) }",
                json!({ "id": t.id("priceList.delete") }),
            )
        }),
        ("setPrices", |t, _| {
            Call::new(
                "mutation($input: SetPricesInput!) { setPrices(input: $input) { priceList { id } } }",
                json!({ "input": { "priceListId": t.id("priceList.set"),
                    "prices": [{ "productId": t.id("product"), "unitPrice": "9.5" }] } }),
            )
        }),
        ("removePrices", |t, _| {
            Call::new(
                "mutation($input: RemovePricesInput!) { removePrices(input: $input) { priceList { id } } }",
                json!({ "input": { "priceListId": t.id("priceList.remove"),
                    "productIds": [t.id("product")] } }),
            )
        }),
        ("createOrder", |t, _| {
            Call::new(
                "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id } } }",
                json!({ "input": { "customerId": t.id("customer"), "currency": "USD",
                    "externalId": "RACE-ORDER-1",
                    "lines": [{ "productId": t.id("product"), "quantity": "1", "unitPrice": "10" }] } }),
            )
        }),
        ("changeOrderStatus", |t, _| {
            Call::new(
                "mutation($input: ChangeOrderStatusInput!) { changeOrderStatus(input: $input) { order { id } } }",
                json!({ "input": { "id": t.id("order"), "version": t.version("order"),
                    "status": "PAID" } }),
            )
        }),
        ("importOrders", |_, _| {
            Call::new(
                "mutation($input: ImportOrdersInput!) { importOrders(input: $input) { ordersCreated } }",
                json!({ "input": { "rows": [{ "externalOrderId": "RACE-IMPORT-1",
                    "customerExternalId": "MAIN-1", "orderedAt": "2026-01-05T10:00:00Z",
                    "currency": "USD", "sku": "MAIN-SKU", "quantity": "2", "unitPrice": "10" }] } }),
            )
        }),
        ("setExchangeRate", |_, _| {
            Call::new(
                "mutation($input: SetExchangeRateInput!) { setExchangeRate(input: $input) { exchangeRate { rate } } }",
                json!({ "input": { "currency": "EUR", "rate": "1.1", "validFrom": "2026-01-01" } }),
            )
        }),
        ("createPipeline", |_, _| {
            Call::new(
                "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id } } }",
                json!({ "input": { "name": "Racing pipeline",
                    "stages": [{ "name": "Start", "probability": "10", "kind": "OPEN" }] } }),
            )
        }),
        ("updatePipeline", |t, _| {
            Call::new(
                "mutation($input: UpdatePipelineInput!) { updatePipeline(input: $input) { pipeline { id } } }",
                json!({ "input": { "id": t.id("pipeline.update"),
                    "version": t.version("pipeline.update"), "name": "Renamed pipeline" } }),
            )
        }),
        // Different names at the same position: the calls race for the
        // positions, not for the name.
        ("addPipelineStage", |t, copy| {
            Call::new(
                "mutation($input: AddPipelineStageInput!) { addPipelineStage(input: $input) { pipeline { id } } }",
                json!({ "input": { "pipelineId": t.id("pipeline.add"), "position": 1,
                    "stage": { "name": format!("Added {copy}"), "probability": "20", "kind": "OPEN" } } }),
            )
        }),
        ("updatePipelineStage", |t, _| {
            Call::new(
                "mutation($input: UpdatePipelineStageInput!) { updatePipelineStage(input: $input) { pipeline { id } } }",
                json!({ "input": { "id": t.get("pipeline.stages")["stages"][0]["id"],
                    "probability": "15" } }),
            )
        }),
        ("reorderPipelineStages", |t, _| {
            let mut ids: Vec<Value> = t.get("pipeline.reorder")["stages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].clone())
                .collect();
            ids.reverse();
            Call::new(
                "mutation($input: ReorderPipelineStagesInput!) { reorderPipelineStages(input: $input) { pipeline { id } } }",
                json!({ "input": { "pipelineId": t.id("pipeline.reorder"), "stageIds": ids } }),
            )
        }),
        ("deletePipelineStage", |t, _| {
            Call::new(
                "mutation($input: DeletePipelineStageInput!) { deletePipelineStage(input: $input) { pipeline { id } } }",
                json!({ "input": { "id": t.get("pipeline.delete")["stages"][0]["id"] } }),
            )
        }),
        ("createDeal", |t, _| {
            Call::new(
                "mutation($input: CreateDealInput!) { createDeal(input: $input) { deal { id } } }",
                json!({ "input": { "name": "Racing deal", "customerId": t.id("customer"),
                    "currency": "USD", "amount": "100" } }),
            )
        }),
        ("updateDeal", |t, _| {
            Call::new(
                "mutation($input: UpdateDealInput!) { updateDeal(input: $input) { deal { id } } }",
                json!({ "input": { "id": t.id("deal.update"), "version": t.version("deal.update"),
                    "amount": "250" } }),
            )
        }),
        ("moveDeal", |t, _| {
            Call::new(
                "mutation($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }",
                json!({ "input": { "id": t.id("deal.move"), "version": t.version("deal.move"),
                    "stageId": t.get("stage.next")["id"] } }),
            )
        }),
        ("createLead", |_, _| {
            Call::new(
                "mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id } } }",
                json!({ "input": { "name": "Rex Racer", "email": "rex@racing.example.com" } }),
            )
        }),
        ("updateLead", |t, _| {
            Call::new(
                "mutation($input: UpdateLeadInput!) { updateLead(input: $input) { lead { id } } }",
                json!({ "input": { "id": t.id("lead.update"), "version": t.version("lead.update"),
                    "company": "Racing Inc" } }),
            )
        }),
        ("qualifyLead", |t, _| {
            Call::new(
                "mutation($input: QualifyLeadInput!) { qualifyLead(input: $input) { lead { id } } }",
                json!({ "input": { "id": t.id("lead.qualify") } }),
            )
        }),
        ("disqualifyLead", |t, _| {
            Call::new(
                "mutation($input: QualifyLeadInput!) { disqualifyLead(input: $input) { lead { id } } }",
                json!({ "input": { "id": t.id("lead.disqualify"), "reason": "no budget" } }),
            )
        }),
        ("convertLead", |t, _| {
            Call::new(
                "mutation($input: ConvertLeadInput!) { convertLead(input: $input) { customer { id } } }",
                json!({ "input": { "leadId": t.id("lead.convert") } }),
            )
        }),
        ("recomputeCustomerValue", |_, _| {
            Call::new("mutation { recomputeCustomerValue { id } }", json!({}))
        }),
        ("updateCustomerValueSettings", |_, _| {
            Call::new(
                "mutation($input: UpdateCustomerValueSettingsInput!) { updateCustomerValueSettings(input: $input) { settings { horizonMonths } } }",
                json!({ "input": { "horizonMonths": 24 } }),
            )
        }),
        ("createCase", |t, _| {
            Call::new(
                "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id } } }",
                json!({ "input": { "customerId": t.id("customer"), "subject": "Racing case",
                    "kind": "INQUIRY", "channel": "EMAIL" } }),
            )
        }),
        ("updateCase", |t, _| {
            Call::new(
                "mutation($input: UpdateCaseInput!) { updateCase(input: $input) { case { id } } }",
                json!({ "input": { "id": t.id("case.update"), "version": t.version("case.update"),
                    "subject": "Renamed case" } }),
            )
        }),
        ("changeCaseStatus", |t, _| {
            Call::new(
                "mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { case { id } } }",
                json!({ "input": { "id": t.id("case.status"), "status": "RESOLVED" } }),
            )
        }),
        ("rateCase", |t, _| {
            Call::new(
                "mutation($input: RateCaseInput!) { rateCase(input: $input) { case { id } } }",
                json!({ "input": { "id": t.id("case.rate"), "score": 5 } }),
            )
        }),
        ("setCaseServiceLevel", |_, _| {
            Call::new(
                "mutation($input: SetCaseServiceLevelInput!) { setCaseServiceLevel(input: $input) { priority } }",
                json!({ "input": { "priority": "HIGH", "firstResponseMinutes": 60,
                    "resolutionMinutes": 480 } }),
            )
        }),
        ("updateMyProfile", |_, _| {
            Call::new(
                "mutation($input: UpdateMyProfileInput!) { updateMyProfile(input: $input) { id } }",
                json!({ "input": { "locale": "en" } }),
            )
        }),
        ("createSegment", |_, _| {
            Call::new(
                "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id } } }",
                json!({ "input": { "name": "Racing segment", "kind": "DYNAMIC",
                    "filter": { "name": { "startsWith": "Main" } } } }),
            )
        }),
        ("updateSegment", |t, _| {
            Call::new(
                "mutation($input: UpdateSegmentInput!) { updateSegment(input: $input) { segment { id } } }",
                json!({ "input": { "id": t.id("segment.update"), "version": t.version("segment.update"),
                    "filter": { "name": { "startsWith": "To" } } } }),
            )
        }),
        ("deleteSegment", |t, _| {
            Call::new(
                "mutation($id: ID!) { deleteSegment(id: $id) }",
                json!({ "id": t.id("segment.delete") }),
            )
        }),
        ("addSegmentMembers", |t, _| {
            Call::new(
                "mutation($input: SegmentMembersInput!) { addSegmentMembers(input: $input) { changed } }",
                json!({ "input": { "segmentId": t.id("segment.list"), "customerIds": [t.id("customer")] } }),
            )
        }),
        ("importSegmentMembers", |t, _| {
            Call::new(
                "mutation($input: ImportSegmentMembersInput!) { importSegmentMembers(input: $input) { added } }",
                json!({ "input": { "segmentId": t.id("segment.list"),
                    "csv": "externalId\nMAIN-1\n" } }),
            )
        }),
        ("removeSegmentMembers", |t, _| {
            Call::new(
                "mutation($input: SegmentMembersInput!) { removeSegmentMembers(input: $input) { changed } }",
                json!({ "input": { "segmentId": t.id("segment.list"), "customerIds": [t.id("customer")] } }),
            )
        }),
        ("createCampaign", |_, _| {
            Call::new(
                "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }",
                json!({ "input": { "code": "RACE", "plan": { "name": "Racing campaign" } } }),
            )
        }),
        ("updateCampaign", |t, _| {
            Call::new(
                "mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) { campaign { id } } }",
                json!({ "input": { "id": t.id("campaign.update"), "version": t.version("campaign.update"),
                    "plan": { "name": "Renamed campaign" } } }),
            )
        }),
        ("changeCampaignStatus", |t, _| {
            Call::new(
                "mutation($input: ChangeCampaignStatusInput!) { changeCampaignStatus(input: $input) { campaign { id } } }",
                json!({ "input": { "id": t.id("campaign.status"), "version": t.version("campaign.status"),
                    "status": "ACTIVE" } }),
            )
        }),
        ("deleteCampaign", |t, _| {
            Call::new(
                "mutation($id: ID!) { deleteCampaign(id: $id) }",
                json!({ "id": t.id("campaign.delete") }),
            )
        }),
        ("setCampaignAudience", |t, _| {
            Call::new(
                "mutation($input: SetCampaignAudienceInput!) { setCampaignAudience(input: $input) { campaign { id } } }",
                json!({ "input": { "campaignId": t.id("campaign"), "segmentIds": [t.id("segment.list")] } }),
            )
        }),
        ("addCampaignMembers", |t, _| {
            Call::new(
                "mutation($input: CampaignMembersInput!) { addCampaignMembers(input: $input) { changed } }",
                json!({ "input": { "campaignId": t.id("campaign"), "customerIds": [t.id("customer")] } }),
            )
        }),
        ("setCampaignMemberStatus", |t, _| {
            Call::new(
                "mutation($input: SetCampaignMemberStatusInput!) { setCampaignMemberStatus(input: $input) { changed } }",
                json!({ "input": { "campaignId": t.id("campaign"), "customerIds": [t.id("customer")],
                    "status": "RESPONDED" } }),
            )
        }),
        ("removeCampaignMembers", |t, _| {
            Call::new(
                "mutation($input: CampaignMembersInput!) { removeCampaignMembers(input: $input) { changed } }",
                json!({ "input": { "campaignId": t.id("campaign"), "customerIds": [t.id("customer")] } }),
            )
        }),
        ("addCampaignCost", |t, _| {
            Call::new(
                "mutation($input: AddCampaignCostInput!) { addCampaignCost(input: $input) { campaign { id } } }",
                json!({ "input": { "campaignId": t.id("campaign"), "kind": "ACTUAL", "category": "Media",
                    "amount": { "amount": "10", "currency": "USD" }, "incurredOn": "2026-12-01" } }),
            )
        }),
        ("removeCampaignCost", |t, _| {
            Call::new(
                "mutation($id: ID!) { removeCampaignCost(id: $id) { campaign { id } } }",
                json!({ "id": t.id("campaignCost") }),
            )
        }),
        ("createWebhookEndpoint", |_, copy| {
            Call::new(
                "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }",
                json!({ "input": { "url": format!("https://localhost/race/{copy}"),
                    "eventTypes": ["CUSTOMER_CREATED"] } }),
            )
        }),
        ("updateWebhookEndpoint", |t, _| {
            Call::new(
                "mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { endpoint { version } } }",
                json!({ "input": { "id": t.id("webhook.update"), "version": t.version("webhook.update"),
                    "enabled": false } }),
            )
        }),
        ("rotateWebhookSecret", |t, _| {
            Call::new(
                "mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { secret } }",
                json!({ "input": { "id": t.id("webhook"), "overlapSeconds": 60 } }),
            )
        }),
        ("deleteWebhookEndpoint", |t, _| {
            Call::new(
                "mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { deletedId } }",
                json!({ "input": { "id": t.id("webhook.delete") } }),
            )
        }),
        ("redeliverWebhookEvent", |t, _| {
            Call::new(
                "mutation($input: RedeliverWebhookEventInput!) { redeliverWebhookEvent(input: $input) { delivery { status } } }",
                json!({ "input": { "endpointId": t.id("webhook"), "eventId": t.id("event") } }),
            )
        }),
        ("replayWebhookEvents", |t, _| {
            Call::new(
                "mutation($input: ReplayWebhookEventsInput!) { replayWebhookEvents(input: $input) { queued } }",
                json!({ "input": { "endpointId": t.id("webhook"), "since": "2020-01-01T00:00:00Z" } }),
            )
        }),
        ("addCampaignStep", |t, _| {
            Call::new(
                "mutation($input: AddCampaignStepInput!) { addCampaignStep(input: $input) { step { id } } }",
                json!({ "input": { "campaignId": t.id("campaign"), "kind": "CALL_LIST",
                    "scheduledAt": "2099-01-01T00:00:00Z" } }),
            )
        }),
        ("updateCampaignStep", |t, _| {
            Call::new(
                "mutation($input: UpdateCampaignStepInput!) { updateCampaignStep(input: $input) { step { id } } }",
                json!({ "input": { "id": t.id("campaignStep.update"), "version": t.version("campaignStep.update"),
                    "scheduledAt": "2099-02-01T00:00:00Z",
                    "texts": [{ "language": "EN", "subject": "Hi", "body": "Hello {{contact.name}}" }] } }),
            )
        }),
        ("cancelCampaignStep", |t, _| {
            Call::new(
                "mutation($input: CancelCampaignStepInput!) { cancelCampaignStep(input: $input) { step { id } } }",
                json!({ "input": { "id": t.id("campaignStep.cancel"), "version": t.version("campaignStep.cancel") } }),
            )
        }),
    ]
}

/// Runs `document` as `tenant` and returns the value at `path` of its data
/// (failing the test on any error).
async fn made(
    app: &TestApp,
    tenant: &TestTenant,
    document: &str,
    variables: Value,
    path: &[&str],
) -> Value {
    let body = app.gql_as(tenant, document, variables).await;
    let mut value = &body["data"];
    for key in path {
        value = &value[key];
    }
    assert!(
        body["errors"].is_null() && !value.is_null(),
        "preparing targets: {document}: {body}"
    );
    value.clone()
}

/// Makes the targets, one or more per mutation.
async fn prepare(app: &TestApp, owner: &TestTenant) -> Targets {
    let mut t: HashMap<&'static str, Value> = HashMap::new();
    t.insert(
        "owner",
        json!({ "email": owner.email, "password": owner.password, "slug": owner.slug,
                "userId": owner.user_id }),
    );
    t.insert("signUp.slug", json!(crm_tests::unique_slug("racing")));
    let customer = |name: &str, external: Option<&str>| json!({ "kind": "COMPANY", "name": name, "externalId": external });
    t.insert(
        "customer",
        app.create_customer(owner, customer("Main customer", Some("MAIN-1")))
            .await,
    );
    for (name, label) in [
        ("customer.update", "To update"),
        ("customer.reassign", "To reassign"),
        ("customer.delete", "To delete"),
        ("customer.restore", "To restore"),
        ("customer.survivor", "Survivor"),
        ("customer.merged", "Merged away"),
    ] {
        t.insert(
            name,
            app.create_customer(owner, customer(label, None)).await,
        );
    }
    made(
        app,
        owner,
        "mutation($id: ID!) { deleteCustomer(id: $id) }",
        json!({ "id": t["customer.restore"]["id"] }),
        &["deleteCustomer"],
    )
    .await;
    let customer_id = t["customer"]["id"].clone();
    for name in ["contact.update", "contact.delete"] {
        let contact = made(
            app,
            owner,
            "mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id version } } }",
            json!({ "input": { "customerId": customer_id, "name": name } }),
            &["createContact", "contact"],
        )
        .await;
        t.insert(name, contact);
    }
    let task = made(
        app,
        owner,
        "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
        json!({ "input": { "customerId": customer_id, "kind": "TASK", "subject": "Call back",
            "dueAt": "2030-01-01T09:00:00Z" } }),
        &["logInteraction", "interaction"],
    )
    .await;
    t.insert("task", task);

    let product = "mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id version } } }";
    for (name, sku) in [
        ("product", "MAIN-SKU"),
        ("product.update", "UPDATE-SKU"),
        ("product.delete", "DELETE-SKU"),
    ] {
        let record = made(
            app,
            owner,
            product,
            json!({ "input": { "sku": sku, "name": name } }),
            &["createProduct", "product"],
        )
        .await;
        t.insert(name, record);
    }
    let list = "mutation($input: CreatePriceListInput!) { createPriceList(input: $input) { priceList { id version } } }";
    // One price list per currency.
    for (name, currency) in [
        ("priceList.update", "USD"),
        ("priceList.delete", "EUR"),
        ("priceList.set", "GBP"),
        ("priceList.remove", "JPY"),
    ] {
        let record = made(
            app,
            owner,
            list,
            json!({ "input": { "name": name, "currency": currency } }),
            &["createPriceList", "priceList"],
        )
        .await;
        t.insert(name, record);
    }
    made(
        app,
        owner,
        "mutation($input: SetPricesInput!) { setPrices(input: $input) { priceList { id } } }",
        json!({ "input": { "priceListId": t["priceList.remove"]["id"],
            "prices": [{ "productId": t["product"]["id"], "unitPrice": "12" }] } }),
        &["setPrices"],
    )
    .await;
    let order = made(
        app,
        owner,
        "mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id version } } }",
        json!({ "input": { "customerId": customer_id, "currency": "USD",
            "lines": [{ "productId": t["product"]["id"], "quantity": "1", "unitPrice": "10" }] } }),
        &["createOrder", "order"],
    )
    .await;
    t.insert("order", order);

    let pipeline = "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) {
        pipeline { id version stages { id } } } }";
    for name in [
        "pipeline.update",
        "pipeline.add",
        "pipeline.stages",
        "pipeline.reorder",
        "pipeline.delete",
    ] {
        let stages: Vec<Value> = ["First", "Second", "Third"]
            .iter()
            .map(|s| json!({ "name": s, "probability": "10", "kind": "OPEN" }))
            .chain([json!({ "name": "Won", "probability": "100", "kind": "WON" })])
            .collect();
        let record = made(
            app,
            owner,
            pipeline,
            json!({ "input": { "name": name, "stages": stages } }),
            &["createPipeline", "pipeline"],
        )
        .await;
        t.insert(name, record);
    }
    let deal = "mutation($input: CreateDealInput!) { createDeal(input: $input) {
        deal { id version stage { id } } } }";
    for name in ["deal.update", "deal.move"] {
        let record = made(
            app,
            owner,
            deal,
            json!({ "input": { "name": name, "customerId": customer_id, "currency": "USD",
                "amount": "100" } }),
            &["createDeal", "deal"],
        )
        .await;
        t.insert(name, record);
    }
    let stages = made(
        app,
        owner,
        "{ pipelines { isDefault stages { id } } }",
        json!({}),
        &["pipelines"],
    )
    .await;
    let default = stages
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["isDefault"] == true)
        .expect("a default pipeline");
    t.insert("stage.next", default["stages"][1].clone());

    let lead =
        "mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id version } } }";
    for name in [
        "lead.update",
        "lead.qualify",
        "lead.disqualify",
        "lead.convert",
    ] {
        let record = made(
            app,
            owner,
            lead,
            json!({ "input": { "name": name, "company": format!("{name} Inc") } }),
            &["createLead", "lead"],
        )
        .await;
        t.insert(name, record);
    }
    let case =
        "mutation($input: CreateCaseInput!) { createCase(input: $input) { case { id version } } }";
    for name in ["case.update", "case.status", "case.rate"] {
        let record = made(
            app,
            owner,
            case,
            json!({ "input": { "customerId": customer_id, "subject": name, "kind": "PROBLEM",
                "channel": "PHONE" } }),
            &["createCase", "case"],
        )
        .await;
        t.insert(name, record);
    }
    made(
        app,
        owner,
        "mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { case { id } } }",
        json!({ "input": { "id": t["case.rate"]["id"], "status": "RESOLVED" } }),
        &["changeCaseStatus"],
    )
    .await;

    let team = "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }";
    for name in ["team", "team.update", "team.delete"] {
        let record = made(
            app,
            owner,
            team,
            json!({ "input": { "name": name } }),
            &["createTeam"],
        )
        .await;
        t.insert(name, record);
    }
    let region = made(
        app,
        owner,
        "mutation($input: CreateRegionInput!) { createRegion(input: $input) { id } }",
        json!({ "input": { "name": "region.delete" } }),
        &["createRegion"],
    )
    .await;
    t.insert("region.delete", region);
    for (name, email) in [
        ("member", "member@racing.example.com"),
        ("member.remove", "leaver@racing.example.com"),
    ] {
        let (_, user_id) = app.invite_member(owner, email, "SALES", None).await;
        t.insert(name, json!({ "userId": user_id }));
    }
    let invite = "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } } }";
    let revoked = made(
        app,
        owner,
        invite,
        json!({ "input": { "email": "revoked@racing.example.com", "role": "VIEWER" } }),
        &["inviteMember", "invitation"],
    )
    .await;
    t.insert("invitation.revoke", revoked);
    made(
        app,
        owner,
        invite,
        json!({ "input": { "email": "accepter@racing.example.com", "role": "VIEWER" } }),
        &["inviteMember", "invitation"],
    )
    .await;
    t.insert(
        "invitation.accept",
        json!(app.invitation_token("accepter@racing.example.com").await),
    );
    let key = made(
        app,
        owner,
        "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }",
        json!({ "input": { "name": "to revoke", "scopes": ["customers:read"] } }),
        &["createApiKey", "apiKey"],
    )
    .await;
    t.insert("apiKey.revoke", key);
    let field = made(
        app,
        owner,
        "mutation($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { id } }",
        json!({ "input": { "object": "CONTACT", "key": "to_remove", "label": "To remove",
            "type": "TEXT" } }),
        &["defineCustomField"],
    )
    .await;
    t.insert("customField.remove", field);
    let segment = "mutation($input: CreateSegmentInput!) { createSegment(input: $input) { segment { id version } } }";
    for (name, kind) in [
        ("segment.update", "DYNAMIC"),
        ("segment.delete", "STATIC"),
        ("segment.list", "STATIC"),
    ] {
        let mut input = json!({ "name": name, "kind": kind });
        if kind == "DYNAMIC" {
            input["filter"] = json!({ "region": { "eq": "EU" } });
        }
        let record = made(
            app,
            owner,
            segment,
            json!({ "input": input }),
            &["createSegment", "segment"],
        )
        .await;
        t.insert(name, record);
    }
    let campaign = "mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
        campaign { id version } } }";
    for name in [
        "campaign",
        "campaign.update",
        "campaign.status",
        "campaign.delete",
    ] {
        let record = made(
            app,
            owner,
            campaign,
            json!({ "input": { "code": name, "plan": { "name": name } } }),
            &["createCampaign", "campaign"],
        )
        .await;
        t.insert(name, record);
    }
    let cost = made(
        app,
        owner,
        "mutation($input: AddCampaignCostInput!) { addCampaignCost(input: $input) { campaign { costs { id } } } }",
        json!({ "input": { "campaignId": t["campaign"]["id"], "kind": "PLANNED", "category": "Venue",
            "amount": { "amount": "100", "currency": "USD" }, "incurredOn": "2026-12-01" } }),
        &["addCampaignCost", "campaign", "costs"],
    )
    .await;
    t.insert("campaignCost", cost[0].clone());
    // Endpoints at a name that resolves to loopback: the address guard
    // refuses their deliveries, so nothing leaves this machine.
    for name in ["webhook", "webhook.update", "webhook.delete"] {
        let record = made(
            app,
            owner,
            "mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id version } } }",
            json!({ "input": { "url": format!("https://localhost/{name}"), "eventTypes": ["CUSTOMER_CREATED"] } }),
            &["createWebhookEndpoint", "endpoint"],
        )
        .await;
        t.insert(name, record);
    }
    let events = made(
        app,
        owner,
        "{ domainEvents(first: 1, types: [CUSTOMER_CREATED]) { edges { node { id } } } }",
        json!({}),
        &["domainEvents", "edges"],
    )
    .await;
    t.insert("event", events[0]["node"].clone());
    for name in ["campaignStep.update", "campaignStep.cancel"] {
        let step = made(
            app,
            owner,
            "mutation($input: AddCampaignStepInput!) { addCampaignStep(input: $input) { step { id version } } }",
            json!({ "input": { "campaignId": t["campaign"]["id"], "kind": "EMAIL",
                "scheduledAt": "2099-01-01T00:00:00Z",
                "texts": [{ "language": "EN", "subject": "Hi", "body": "Hello" }] } }),
            &["addCampaignStep", "step"],
        )
        .await;
        t.insert(name, step);
    }
    Targets(t)
}

const BOUNDARY: &str = "----crm-concurrency-boundary";

/// A GraphQL multipart request whose `input.file` is `csv`.
fn multipart(document: &str, variables: &Value, csv: &str) -> Vec<u8> {
    let mut variables = variables.clone();
    variables["input"]["file"] = Value::Null;
    let operations = json!({ "query": document, "variables": variables });
    let map = json!({ "0": ["variables.input.file"] });
    let mut body = String::new();
    for (name, value) in [("operations", operations), ("map", map)] {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"race.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
    ));
    body.into_bytes()
}

/// Sends one call; returns the HTTP status and the body.
async fn send(app: &TestApp, owner: &TestTenant, call: &Call) -> (u16, Value) {
    let mut request = app.client.post(app.graphql_url());
    if !call.anonymous {
        request = request.bearer_auth(&owner.token);
    }
    request = match call.upload {
        Some(csv) => request
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .header("x-csrf-protection", "1")
            .body(multipart(call.document, &call.variables, csv)),
        None => request.json(&json!({ "query": call.document, "variables": call.variables })),
    };
    let response = request.send().await.expect("send the mutation");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// The mutation names of the served schema (introspection needs a signed-in caller).
async fn mutations(app: &TestApp, caller: &TestTenant) -> Vec<String> {
    let body = app
        .gql_as(
            caller,
            "{ __schema { mutationType { fields { name } } } }",
            json!({}),
        )
        .await;
    body["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("introspection failed: {body}"))
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_mutation_sent_three_times_at_once_answers_success_or_a_typed_error() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up(&crm_tests::unique_slug("race")).await;
    let builders = builders();
    let named: HashSet<&str> = builders.iter().map(|(name, _)| *name).collect();
    let skipped: HashSet<&str> = SKIPPED.iter().map(|(name, _)| *name).collect();
    let served = mutations(&app, &owner).await;
    let missing: Vec<&String> = served
        .iter()
        .filter(|m| !named.contains(m.as_str()) && !skipped.contains(m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "mutations without an argument builder (add one to builders(), or a reasoned entry to SKIPPED): {missing:?}"
    );
    let stale: Vec<&&str> = named
        .union(&skipped)
        .filter(|name| !served.iter().any(|m| m == *name))
        .collect();
    assert!(
        stale.is_empty(),
        "builders of mutations the schema no longer has: {stale:?}"
    );

    let targets = prepare(&app, &owner).await;
    let mut failures = Vec::new();
    for (name, build) in &builders {
        let calls: Vec<Call> = (0..COPIES).map(|copy| build(&targets, copy)).collect();
        let answers = join_all(calls.iter().map(|call| send(&app, &owner, call))).await;
        let mut succeeded = false;
        for (status, body) in &answers {
            let code = body["errors"][0]["extensions"]["code"].as_str();
            match code {
                _ if *status >= 500 => failures.push(format!("{name}: HTTP {status}: {body}")),
                None if body["errors"].is_null() && !body["data"].is_null() => succeeded = true,
                Some(code) if ACCEPTED.contains(&code) => {}
                _ => failures.push(format!("{name}: {body}")),
            }
        }
        if !succeeded {
            failures.push(format!(
                "{name}: no call succeeded, so the builder does not test the race: {answers:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn deleting_different_stages_of_one_pipeline_at_once_keeps_positions_gapless() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up(&crm_tests::unique_slug("race")).await;
    let stages: Vec<Value> = ["One", "Two", "Three", "Four", "Five"]
        .iter()
        .map(|s| json!({ "name": s, "probability": "10", "kind": "OPEN" }))
        .collect();
    let pipeline = made(
        &app,
        &owner,
        "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) {
            pipeline { id stages { id } } } }",
        json!({ "input": { "name": "Deletions", "stages": stages } }),
        &["createPipeline", "pipeline"],
    )
    .await;
    let delete = "mutation($input: DeletePipelineStageInput!) { deletePipelineStage(input: $input) { pipeline { id } } }";
    let answers = join_all([1, 3].map(|i| {
        app.gql_as(
            &owner,
            delete,
            json!({ "input": { "id": pipeline["stages"][i]["id"] } }),
        )
    }))
    .await;
    for body in &answers {
        assert!(
            body["errors"].is_null() || crm_tests::error_code(body) == Some("CONFLICT"),
            "{body}"
        );
    }
    let body = app
        .gql_as(
            &owner,
            "query($id: ID!) { pipeline(id: $id) { stages { name position } } }",
            json!({ "id": pipeline["id"] }),
        )
        .await;
    let stages = body["data"]["pipeline"]["stages"].as_array().unwrap();
    let positions: Vec<i64> = stages
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(
        positions,
        (1..=stages.len() as i64).collect::<Vec<_>>(),
        "{body}"
    );
}

/// Makes every insert into `interactions` fail as the database fails a
/// write that lost a race: with SQLSTATE `code`, naming `constraint`.
async fn fail_interaction_inserts(app: &TestApp, code: &str, constraint: &str) {
    use sea_orm::{ConnectionTrait, Statement};
    let owner = app.db.connect_as_owner().await;
    for sql in [
        format!(
            "CREATE OR REPLACE FUNCTION lose_race() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'lost a race' USING ERRCODE = '{code}', CONSTRAINT = '{constraint}'; END $$"
        ),
        "DROP TRIGGER IF EXISTS lose_race ON interactions".to_owned(),
        "CREATE TRIGGER lose_race BEFORE INSERT ON interactions FOR EACH ROW EXECUTE FUNCTION lose_race()"
            .to_owned(),
    ] {
        owner
            .execute(Statement::from_string(owner.get_database_backend(), sql))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn writes_that_lose_a_race_in_the_database_answer_conflict() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up(&crm_tests::unique_slug("race")).await;
    let customer = app
        .create_customer(&owner, json!({ "kind": "PERSON", "name": "Raced" }))
        .await;
    for (code, constraint, field) in [
        // deadlock_detected, serialization_failure: try again, no field.
        ("40P01", "", None),
        ("40001", "", None),
        // unique_violation of a known key names its field.
        ("23505", "customers_external_id_key", Some("externalId")),
        ("23505", "some_other_key", None),
        // foreign_key_violation: what it refers to went away meanwhile.
        ("23503", "", None),
    ] {
        fail_interaction_inserts(&app, code, constraint).await;
        let body = app
            .gql_as(
                &owner,
                "mutation($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
                json!({ "input": { "customerId": customer["id"], "kind": "NOTE", "subject": "Race" } }),
            )
            .await;
        assert_eq!(
            crm_tests::error_code(&body),
            Some("CONFLICT"),
            "{code}: {body}"
        );
        assert_eq!(crm_tests::error_field(&body), field, "{code}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("try again"), "{code}: {body}");
        assert!(!message.contains("lost a race"), "{code}: {body}");
    }
}
