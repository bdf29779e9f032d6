//! sea-orm entities of the CRM: one module per table, nothing else.
//!
//! Global tables (`tenants`, `users`, `memberships`, `sessions`) are read only
//! through the server's narrow identity functions; every other table is
//! tenant-owned and protected by row-level security.

pub mod api_key;
pub mod audit_event;
pub mod campaign;
pub mod campaign_cost;
pub mod campaign_member;
pub mod campaign_step;
pub mod campaign_step_text;
pub mod case;
pub mod case_event;
pub mod contact;
pub mod custom_field_definition;
pub mod customer;
pub mod customer_change;
pub mod deal;
pub mod deal_contact;
pub mod deal_line;
pub mod deal_stage_history;
pub mod domain_event;
pub mod exchange_rate;
pub mod interaction;
pub mod invitation;
pub mod lead;
pub mod membership;
pub mod order;
pub mod order_line;
pub mod outbound_message;
pub mod pipeline;
pub mod pipeline_stage;
pub mod price_list;
pub mod price_list_price;
pub mod product;
pub mod region;
pub mod rotated_refresh_token;
pub mod segment;
pub mod session;
pub mod team;
pub mod tenant;
pub mod user;
pub mod webhook_attempt;
pub mod webhook_delivery;
pub mod webhook_endpoint;
