//! Custom field definitions: workspace admins define typed fields on customers and contacts.

use async_graphql::{Context, Enum, InputObject, Object, Result, ID};
use chrono::{DateTime, Utc};

use crate::auth::Permission;
use crate::domain::custom_fields::{self as domain, FieldObject, NewDefinition};
use crate::domain::values;
use crate::graphql::common::{parse_id, to_id};
use crate::graphql::context::{authorize, read_tx, write_tx};

/// The record kind a custom field belongs to.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::custom_fields::FieldObject")]
pub enum CustomFieldObject {
    Customer,
    Contact,
}

/// What a custom field holds.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::custom_fields::FieldType")]
pub enum CustomFieldType {
    /// Text up to 2,000 characters.
    Text,
    /// A JSON number.
    Number,
    /// An exact decimal, given as a string (`"12.50"`).
    Decimal,
    /// A calendar date, `"YYYY-MM-DD"`.
    Date,
    Boolean,
    /// One of the options.
    SingleSelect,
    /// A list of options.
    MultiSelect,
    /// `{"amount": "12.50", "currency": "EUR"}`.
    Money,
}

/// A workspace-defined field.
pub struct CustomFieldDefinition(pub entity::custom_field_definition::Model);

#[Object]
impl CustomFieldDefinition {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }
    /// The key in `customFields`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    async fn object(&self) -> Option<CustomFieldObject> {
        FieldObject::parse(&self.0.object).map(Into::into)
    }
    #[graphql(name = "type")]
    async fn field_type(&self) -> Result<CustomFieldType> {
        Ok(domain::FieldType::parse(&self.0.field_type)?.into())
    }
    /// The choices of select fields.
    async fn options(&self) -> &[String] {
        &self.0.options
    }
    /// Whether every record must have a value.
    async fn required(&self) -> bool {
        self.0.required
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A new custom field.
#[derive(InputObject)]
pub struct DefineCustomFieldInput {
    pub object: CustomFieldObject,
    /// API name: a lower-case letter, then letters, digits and `_`.
    pub key: String,
    pub label: String,
    #[graphql(name = "type")]
    pub field_type: CustomFieldType,
    /// Choices, for select fields.
    pub options: Option<Vec<String>>,
    #[graphql(default)]
    pub required: bool,
}

/// Reading custom field definitions.
#[derive(Default)]
pub struct CustomFieldQuery;

#[Object]
impl CustomFieldQuery {
    /// The workspace's custom fields on `object`, in the order defined.
    async fn custom_field_definitions(
        &self,
        ctx: &Context<'_>,
        object: CustomFieldObject,
    ) -> Result<Vec<CustomFieldDefinition>> {
        authorize(ctx, Permission::CustomersRead)?;
        let tx = read_tx(ctx).await?;
        Ok(domain::definitions(&tx, object.into())
            .await?
            .into_iter()
            .map(CustomFieldDefinition)
            .collect())
    }
}

/// Defining and removing custom fields.
#[derive(Default)]
pub struct CustomFieldMutation;

#[Object]
impl CustomFieldMutation {
    /// Defines a custom field; values are then checked on every write.
    async fn define_custom_field(
        &self,
        ctx: &Context<'_>,
        input: DefineCustomFieldInput,
    ) -> Result<CustomFieldDefinition> {
        let principal = authorize(ctx, Permission::AdminSettings)?;
        let field_type: domain::FieldType = input.field_type.into();
        let new = NewDefinition {
            object: FieldObject::from(input.object),
            key: domain::key(&input.key)?,
            label: values::required_text("label", &input.label, 100)?,
            field_type,
            options: domain::options(field_type, &input.options.unwrap_or_default())?,
            required: input.required,
        };
        let tx = write_tx(ctx, principal).await?;
        let defined = domain::define(&tx, new).await?;
        tx.commit().await?;
        Ok(CustomFieldDefinition(defined))
    }

    /// Removes a custom field and its values from every record.
    async fn remove_custom_field(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::AdminSettings)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        domain::remove(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }
}
