//! Languages: the labels of enum values in the caller's language, and the
//! signed-in user's own language setting.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use crate::domain::{identity, values};
use crate::error::Error;
use crate::graphql::context::{caller, services};
use crate::graphql::identity::types::User;
use crate::i18n;

/// One value of an enum with its label.
#[derive(SimpleObject)]
pub struct EnumLabel {
    /// The value as the API spells it, such as `LEAD`.
    pub value: String,
    /// The label to show, in the caller's language.
    pub label: String,
}

/// `enumLabels`.
#[derive(Default)]
pub struct LanguageQuery;

#[Object]
impl LanguageQuery {
    /// Every value of the enum named `enum` (such as `LifecycleStage`) with
    /// its label in the caller's language: the user's setting, else
    /// `Accept-Language`, else English. An unknown enum is a `VALIDATION`
    /// error.
    async fn enum_labels(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "enum")] enum_name: String,
    ) -> Result<Vec<EnumLabel>> {
        let locale = crate::graphql::context::locale(ctx).await;
        let labels = i18n::enum_labels(&enum_name, locale);
        if labels.is_empty() {
            return Err(Error::validation("enum", "is not an enum of this API").into());
        }
        Ok(labels
            .into_iter()
            .map(|(value, label)| EnumLabel {
                value: value.to_owned(),
                label: label.to_owned(),
            })
            .collect())
    }
}

/// Changes to the signed-in user's own profile.
#[derive(InputObject)]
pub struct UpdateMyProfileInput {
    /// The language to read the product in: `en` or `zh-CN`.
    pub locale: Option<String>,
}

/// `updateMyProfile`.
#[derive(Default)]
pub struct LanguageMutation;

#[Object]
impl LanguageMutation {
    /// Changes the signed-in user's own settings (API keys cannot): the
    /// language (`locale`) errors and labels are given in from then on.
    async fn update_my_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateMyProfileInput,
    ) -> Result<User> {
        let principal = caller(ctx)?;
        let user_id = principal.require_user()?;
        let Some(locale) = input.locale else {
            return Err(Error::validation("input", "give at least one field to change").into());
        };
        let locale = values::locale("locale", &locale)?;
        let user = identity::set_user_locale(&services(ctx).db, user_id, locale).await?;
        Ok(User(user))
    }
}
