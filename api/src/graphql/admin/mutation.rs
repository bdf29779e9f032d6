//! Administration mutations. Each is audited; changes to who may do what
//! reach every server node at once through the request gate's cache.

use async_graphql::{Context, MaybeUndefined, Object, Result, ID};

use super::types::{
    ApiKey, AssignMemberInput, ChangeMemberRoleInput, CreateApiKeyInput, CreateApiKeyPayload,
    CreateRegionInput, CreateTeamInput, Invitation, InvitationPayload, InviteMemberInput, Member,
    Region, Team, UpdateTeamInput,
};
use crate::auth::{sessions, Permission, Role};
use crate::domain::api_keys::{self, NewApiKey};
use crate::domain::audit::{self, Action, Event};
use crate::domain::invitations::{self, NewInvitation};
use crate::domain::{identity, members, org_units};
use crate::graphql::common::parse_id;
use crate::graphql::context::{audit_actor, authorize, services, write_tx};

/// The administration mutations.
#[derive(Default)]
pub struct AdminMutation;

fn optional_id(
    field: &str,
    value: MaybeUndefined<ID>,
) -> crate::error::Result<Option<Option<uuid::Uuid>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(id) => Ok(Some(Some(parse_id(field, &id)?))),
    }
}

#[Object]
impl AdminMutation {
    /// Invites someone by email with a role (and team); the invitation
    /// message is sent by the delivery worker.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        input: InviteMemberInput,
    ) -> Result<InvitationPayload> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let new = NewInvitation {
            email: invitations::email(&input.email)?,
            role: Role::from(input.role),
            team_id: input
                .team_id
                .map(|id| parse_id("teamId", &id))
                .transpose()?,
        };
        let services = services(ctx);
        let tenant = identity::tenant(&services.db, principal.tenant_id).await?;
        let tx = write_tx(ctx, principal).await?;
        let invitation = invitations::invite(
            &tx,
            principal,
            &tenant,
            new,
            services.config.invitation_ttl,
            &services.config.public_url,
        )
        .await?;
        audit::record(
            &tx,
            Event::new(Action::MemberInvited, audit_actor(ctx))
                .target("invitation", invitation.id)
                .details(serde_json::json!({ "email": invitation.email, "role": invitation.role })),
        )
        .await?;
        tx.commit().await?;
        Ok(InvitationPayload {
            invitation: Invitation(invitation),
        })
    }

    /// Ends a pending invitation.
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> Result<Invitation> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        let invitation = invitations::revoke(&tx, id).await?;
        audit::record(
            &tx,
            Event::new(Action::InvitationRevoked, audit_actor(ctx)).target("invitation", id),
        )
        .await?;
        tx.commit().await?;
        Ok(Invitation(invitation))
    }

    /// Gives a member another role; it applies to their next request.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        input: ChangeMemberRoleInput,
    ) -> Result<Member> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let user_id = parse_id("userId", &input.user_id)?;
        let services = services(ctx);
        let before = members::find(&services.db, principal.tenant_id, user_id).await?;
        let member =
            members::change_role(&services.db, principal, user_id, input.role.into()).await?;
        for session in sessions::live_of_member(&services.db, principal.tenant_id, user_id).await? {
            services
                .gate
                .session_changed(principal.tenant_id, session, false)
                .await;
        }
        for key in api_keys::list(&services.db, principal.tenant_id).await? {
            if key.created_by == user_id {
                services
                    .gate
                    .api_key_changed(principal.tenant_id, &key.prefix, false)
                    .await;
            }
        }
        audit::record_alone(
            &services.db,
            principal.tenant_id,
            Event::new(Action::MemberRoleChanged, audit_actor(ctx))
                .target("user", user_id)
                .details(serde_json::json!({ "from": before.membership.role, "to": member.membership.role })),
        )
        .await?;
        Ok(Member(member))
    }

    /// Removes a member: their sessions end and their API keys stop working at once.
    async fn remove_member(&self, ctx: &Context<'_>, user_id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let user_id = parse_id("userId", &user_id)?;
        let services = services(ctx);
        let revoked = members::remove(&services.db, principal, user_id).await?;
        crate::domain::customer_view::invalidate(
            &services.cache,
            principal.tenant_id,
            &revoked.customers_shown,
        )
        .await;
        for session in &revoked.sessions {
            services
                .gate
                .session_changed(principal.tenant_id, *session, true)
                .await;
        }
        for prefix in &revoked.api_key_prefixes {
            services
                .gate
                .api_key_changed(principal.tenant_id, prefix, true)
                .await;
        }
        audit::record_alone(
            &services.db,
            principal.tenant_id,
            Event::new(Action::MemberRemoved, audit_actor(ctx))
                .target("user", user_id)
                .details(serde_json::json!({
                    "sessionsRevoked": revoked.sessions.len(),
                    "apiKeysRevoked": revoked.api_key_prefixes.len(),
                })),
        )
        .await?;
        Ok(true)
    }

    /// Places a member in a team and a region.
    async fn assign_member(&self, ctx: &Context<'_>, input: AssignMemberInput) -> Result<Member> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let user_id = parse_id("userId", &input.user_id)?;
        let team = optional_id("teamId", input.team_id)?;
        let region = optional_id("regionId", input.region_id)?;
        let member = members::assign(
            &services(ctx).db,
            principal.tenant_id,
            user_id,
            team,
            region,
        )
        .await?;
        Ok(Member(member))
    }

    /// Creates a team, optionally inside another.
    async fn create_team(&self, ctx: &Context<'_>, input: CreateTeamInput) -> Result<Team> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let name = org_units::name("name", &input.name)?;
        let parent = input
            .parent_id
            .map(|id| parse_id("parentId", &id))
            .transpose()?;
        let tx = write_tx(ctx, principal).await?;
        let team = org_units::create_team(&tx, name, parent).await?;
        tx.commit().await?;
        Ok(Team(team))
    }

    /// Renames or moves a team.
    async fn update_team(&self, ctx: &Context<'_>, input: UpdateTeamInput) -> Result<Team> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let id = parse_id("id", &input.id)?;
        let name = input
            .name
            .map(|n| org_units::name("name", &n))
            .transpose()?;
        let parent = optional_id("parentId", input.parent_id)?;
        let tx = write_tx(ctx, principal).await?;
        let team = org_units::update_team(&tx, id, name, parent).await?;
        tx.commit().await?;
        Ok(Team(team))
    }

    /// Deletes a team that has no sub-teams.
    async fn delete_team(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        org_units::delete_team(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Creates a region.
    async fn create_region(&self, ctx: &Context<'_>, input: CreateRegionInput) -> Result<Region> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let name = org_units::name("name", &input.name)?;
        let tx = write_tx(ctx, principal).await?;
        let region = org_units::create_region(&tx, name).await?;
        tx.commit().await?;
        Ok(Region(region))
    }

    /// Deletes a region.
    async fn delete_region(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::AdminMembers)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        org_units::delete_region(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Changes workspace settings; they apply from the next request.
    async fn update_tenant_settings(
        &self,
        ctx: &Context<'_>,
        input: super::types::UpdateTenantSettingsInput,
    ) -> Result<crate::graphql::identity::types::Tenant> {
        let principal = authorize(ctx, Permission::AdminSettings)?;
        let db = &services(ctx).db;
        if let Some(visibility) = input.customer_visibility {
            crate::domain::visibility::set(db, principal.tenant_id, visibility.into()).await?;
        }
        Ok(crate::graphql::identity::types::Tenant(
            identity::tenant(db, principal.tenant_id).await?,
        ))
    }

    /// Creates an API key limited to the given scopes; the secret is in the
    /// payload and never shown again.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let principal = authorize(ctx, Permission::AdminApiKeys)?;
        principal.require_user()?;
        let new = NewApiKey {
            name: api_keys::name(&input.name)?,
            scopes: api_keys::scopes(principal, &input.scopes)?,
            expires_at: input.expires_at,
        };
        let services = services(ctx);
        let (key, secret) = api_keys::create(&services.db, principal, new).await?;
        audit::record_alone(
            &services.db,
            principal.tenant_id,
            Event::new(Action::ApiKeyCreated, audit_actor(ctx))
                .target("api_key", key.id)
                .details(serde_json::json!({ "name": key.name, "scopes": key.scopes })),
        )
        .await?;
        Ok(CreateApiKeyPayload {
            api_key: ApiKey(key),
            secret,
        })
    }

    /// Revokes an API key; it stops working at once, on every server node.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::AdminApiKeys)?;
        let id = parse_id("id", &id)?;
        let services = services(ctx);
        let key = api_keys::revoke(
            &services.db,
            principal.tenant_id,
            Some(principal.user_id()),
            id,
        )
        .await?;
        services
            .gate
            .api_key_changed(principal.tenant_id, &key.prefix, true)
            .await;
        audit::record_alone(
            &services.db,
            principal.tenant_id,
            Event::new(Action::ApiKeyRevoked, audit_actor(ctx)).target("api_key", id),
        )
        .await?;
        Ok(true)
    }
}
