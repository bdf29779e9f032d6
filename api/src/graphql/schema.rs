//! Assembles the schema from the per-area query and mutation objects.

use async_graphql::{EmptySubscription, MergedObject, Schema};

use super::{
    admin, analytics, customers, deals, identity, languages, marketing, sales, service, webhooks,
};
use crate::config::GraphqlLimits;

/// Every query field of the API.
#[derive(MergedObject, Default)]
pub struct Query(
    identity::query::IdentityQuery,
    customers::query::CustomerQuery,
    customers::search::CustomerSearchQuery,
    admin::query::AdminQuery,
    customers::custom_fields::CustomFieldQuery,
    customers::contact_list::ContactListQuery,
    sales::query::SalesQuery,
    deals::query::DealQuery,
    deals::leads::LeadQuery,
    deals::reports::SalesReportQuery,
    analytics::query::AnalyticsQuery,
    service::query::ServiceQuery,
    marketing::query::MarketingQuery,
    marketing::campaign_query::CampaignQuery,
    webhooks::query::WebhookQuery,
    languages::LanguageQuery,
);

/// Every mutation field of the API.
#[derive(MergedObject, Default)]
pub struct Mutation(
    identity::mutation::IdentityMutation,
    customers::mutation::CustomerMutation,
    customers::import::CustomerImportMutation,
    customers::search::CustomerMergeMutation,
    admin::mutation::AdminMutation,
    customers::custom_fields::CustomFieldMutation,
    sales::mutation::SalesMutation,
    deals::mutation::DealMutation,
    deals::leads::LeadMutation,
    analytics::mutation::AnalyticsMutation,
    service::mutation::ServiceMutation,
    marketing::mutation::MarketingMutation,
    marketing::campaign_mutation::CampaignMutation,
    webhooks::mutation::WebhookMutation,
    marketing::campaign_step_mutation::CampaignStepMutation,
    languages::LanguageMutation,
);

/// The executable schema.
pub type CrmSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with the configured complexity limit. Depth and
/// aliases are checked on the parsed document before execution
/// (`graphql::limits`).
pub fn build_schema(limits: &GraphqlLimits) -> CrmSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_complexity(limits.max_complexity)
        // Field suggestions would spell out the schema to callers who may not introspect it.
        .disable_suggestions()
        .data(limits.clone())
        .finish()
}
