//! Business rules, one module per area, working on a tenant transaction.
//!
//! Nothing here knows about GraphQL: resolvers parse input into the types
//! defined here, call these functions and map the results.

pub mod analytics;
pub mod api_keys;
pub mod audit;
pub mod cases;
pub mod contact_list;
pub mod contact_points;
pub mod contacts;
pub mod currencies;
pub mod custom_fields;
pub mod customer_bulk;
pub mod customer_history;
pub mod customer_import;
pub mod customer_view;
pub mod customers;
pub mod deals;
pub mod domain_events;
pub mod event_schemas;
pub mod filter;
pub mod finder;
pub mod forecast;
pub mod identity;
pub mod interactions;
pub mod invitations;
pub mod leads;
pub mod marketing;
pub mod members;
pub mod merge;
pub mod orders;
pub mod org_units;
pub mod outbox;
pub mod pagination;
pub mod pipelines;
pub mod postal_address;
pub mod products;
pub mod sales_activity;
pub mod search;
pub mod service_levels;
pub mod sign_up_notice;
pub mod sql;
pub mod stored;
pub mod timeline;
pub mod values;
pub mod visibility;
pub mod webhooks;
