//! `contacts`: the workspace's contacts as one connection, filtered and
//! ordered like customers, workspace-defined contact fields included.

use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, Result, SimpleObject};

use super::relations::{Contact, ContactChannel, ContactEdge};
use super::types::CustomFieldFilter;
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::contact_list::{self as domain, ContactOrder};
use crate::domain::filter::EnumFilter;
use crate::error::Error;
use crate::graphql::common::{
    page_cost, page_request, DateTimeFilter, IdFilter, OrderDirection, PageInfo, StringFilter,
};
use crate::graphql::context::{authorize, read_tx};

/// Conditions on the preferred channel.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ContactChannelFilter {
    pub eq: Option<ContactChannel>,
    #[graphql(name = "in")]
    pub in_list: Option<Vec<ContactChannel>>,
}

/// Which contacts to list. Every given condition must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ContactFilter {
    pub customer_id: Option<IdFilter>,
    pub name: Option<StringFilter>,
    pub title: Option<StringFilter>,
    /// Any of the contact's emails (`ne`: none of them; `isNull`: has none).
    pub email: Option<StringFilter>,
    /// Any of the contact's phones, as written.
    pub phone: Option<StringFilter>,
    /// Language tags such as `zh-CN`.
    pub language: Option<StringFilter>,
    pub preferred_channel: Option<ContactChannelFilter>,
    pub created_at: Option<DateTimeFilter>,
    pub updated_at: Option<DateTimeFilter>,
    /// Conditions on workspace-defined contact fields
    /// (`customFieldDefinitions(object: CONTACT)`).
    pub custom_fields: Option<Vec<CustomFieldFilter>>,
    pub and: Option<Vec<ContactFilter>>,
    pub or: Option<Vec<ContactFilter>>,
    pub not: Option<Box<ContactFilter>>,
}

impl ContactFilter {
    /// The domain filter; ids are parsed here.
    pub fn into_domain(self) -> Result<domain::ContactFilter, Error> {
        let nested =
            |list: Option<Vec<ContactFilter>>| -> Result<Vec<domain::ContactFilter>, Error> {
                list.unwrap_or_default()
                    .into_iter()
                    .map(ContactFilter::into_domain)
                    .collect()
            };
        let channel = |c: ContactChannel| crate::domain::contacts::Channel::from(c).as_str();
        Ok(domain::ContactFilter {
            customer_id: self
                .customer_id
                .map(|f| f.into_ids("filter.customerId"))
                .transpose()?,
            name: self.name.map(Into::into),
            title: self.title.map(Into::into),
            email: self.email.map(Into::into),
            phone: self.phone.map(Into::into),
            language: self.language.map(Into::into),
            preferred_channel: self.preferred_channel.map(|f| EnumFilter {
                eq: f.eq.map(channel),
                ne: None,
                in_list: f.in_list.map(|v| v.into_iter().map(channel).collect()),
            }),
            created_at: self.created_at.map(Into::into),
            updated_at: self.updated_at.map(Into::into),
            custom_fields: self
                .custom_fields
                .unwrap_or_default()
                .into_iter()
                .map(CustomFieldFilter::into_domain)
                .collect(),
            and: nested(self.and)?,
            or: nested(self.or)?,
            not: self
                .not
                .map(|f| f.into_domain().map(Box::new))
                .transpose()?,
        })
    }
}

/// Fields contacts can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ContactOrderField {
    /// Case-insensitive.
    Name,
    CreatedAt,
    UpdatedAt,
    /// The contact field named in `customField`; contacts without a value come first.
    CustomField,
}

/// One sort key; ties are broken by id.
#[derive(InputObject, Clone, Debug)]
pub struct ContactOrderBy {
    pub field: ContactOrderField,
    /// With `field: CUSTOM_FIELD`: the custom field's key.
    pub custom_field: Option<String>,
    #[graphql(default_with = "OrderDirection::Asc")]
    pub direction: OrderDirection,
}

impl From<ContactOrderBy> for ContactOrder {
    fn from(o: ContactOrderBy) -> Self {
        ContactOrder {
            field: match o.field {
                ContactOrderField::Name => domain::ContactOrderField::Name,
                ContactOrderField::CreatedAt => domain::ContactOrderField::CreatedAt,
                ContactOrderField::UpdatedAt => domain::ContactOrderField::UpdatedAt,
                ContactOrderField::CustomField => domain::ContactOrderField::CustomField,
            },
            descending: o.direction == OrderDirection::Desc,
            custom_field: o.custom_field,
        }
    }
}

/// A page of the workspace's contacts.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ContactListConnection {
    pub edges: Vec<ContactEdge>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: domain::ContactFilter,
}

#[ComplexObject]
impl ContactListConnection {
    /// How many contacts match the filter, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let tx = read_tx(ctx).await?;
        Ok(domain::count(&tx, &self.filter).await? as i64)
    }
}

/// `contacts`.
#[derive(Default)]
pub struct ContactListQuery;

#[Object]
impl ContactListQuery {
    /// The contacts of every customer the caller may see, as a Relay
    /// connection, filtered and ordered (ties broken by id; oldest first by default).
    #[graphql(complexity = "page_cost(first, last, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ContactFilter>,
        order_by: Option<Vec<ContactOrderBy>>,
    ) -> Result<ContactListConnection> {
        authorize(ctx, Permission::CustomersRead)?;
        let page = page_request(
            ctx.data_unchecked::<GraphqlLimits>(),
            first,
            after,
            last,
            before,
        )?;
        let filter = filter
            .map(ContactFilter::into_domain)
            .transpose()?
            .unwrap_or_default();
        let order: Vec<ContactOrder> = order_by
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let tx = read_tx(ctx).await?;
        let page = domain::list(&tx, &filter, &order, &page).await?;
        let cursors: Vec<&str> = page.rows.iter().map(|(c, _)| c.as_str()).collect();
        let page_info = PageInfo::new(&cursors, page.has_next_page, page.has_previous_page);
        Ok(ContactListConnection {
            edges: page
                .rows
                .into_iter()
                .map(|(cursor, row)| ContactEdge {
                    cursor,
                    node: Contact(row),
                })
                .collect(),
            page_info,
            filter,
        })
    }
}
