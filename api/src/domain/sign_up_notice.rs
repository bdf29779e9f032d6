//! What happens when someone signs up with an email that has an account,
//! without that account's password: the answer must not tell (so that
//! sign-up cannot list who has an account), and the account's owner is
//! told by mail, through the outgoing-message queue.

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use entity::{tenant, user};

use super::identity::{self, Membership, SignUp};
use super::outbox;
use crate::auth::Role;
use crate::error::Result;
use crate::tenancy::{TenantScope, TenantTx};

/// The kind of the message to the account's owner.
pub const KIND: &str = "sign_up_attempt";

/// Queues a note to `account`'s owner in their last-used workspace (the
/// queue is per workspace). An account without any workspace has no queue
/// to write to; the attempt is then only logged, without the address.
pub async fn tell_owner(
    db: &DatabaseConnection,
    public_url: &str,
    account: &user::Model,
    attempt: &SignUp,
) -> Result<()> {
    let Some((tenant_id, _)) = identity::failure_target(db, &account.email, None).await? else {
        tracing::info!(user_id = %account.id, "sign-up with the email of an account without a workspace");
        return Ok(());
    };
    // Only the validated slug is quoted: the workspace name is free text
    // that a stranger chose, and this mail goes to someone else.
    let body = format!(
        "Someone tried to create the workspace `{slug}` on the CRM with this email address.\n\
         This address already has an account, so nothing was created and your account is unchanged.\n\n\
         If it was you: sign in with your password at {public_url}/graphql (signIn). To add a\n\
         workspace to your account, sign up again with this email and your account's password.\n\n\
         If it was not you, you can ignore this message.\n",
        slug = attempt.tenant_slug,
    );
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    outbox::enqueue(
        &tx,
        KIND,
        &account.email,
        "Someone tried to sign up with your email address",
        &body,
    )
    .await?;
    tx.commit().await
}

/// A workspace and owner that echo the request, as a created one would be
/// answered, for the answer to an email that has an account. Nothing of it
/// is stored; the ids are new and lead nowhere.
pub fn echo(attempt: &SignUp) -> Membership {
    let now = chrono::Utc::now();
    Membership {
        user: user::Model {
            id: Uuid::now_v7(),
            email: attempt.email.to_lowercase(),
            password_hash: String::new(),
            display_name: attempt.display_name.clone(),
            locale: attempt.locale.clone(),
            last_tenant_id: None,
            created_at: now,
            updated_at: now,
        },
        tenant: tenant::Model {
            id: Uuid::now_v7(),
            slug: attempt.tenant_slug.clone(),
            name: attempt.tenant_name.clone(),
            base_currency: attempt.base_currency.clone(),
            default_locale: attempt.locale.clone(),
            plan: "free".into(),
            customer_visibility: "ALL".into(),
            created_at: now,
            updated_at: now,
        },
        role: Role::Owner,
    }
}
