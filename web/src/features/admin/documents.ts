import { graphql } from '../../gql';

export const AdminMembersDocument = graphql(`
  query AdminMembers {
    members {
      user {
        id
        email
        displayName
      }
      role
      teamId
      regionId
      joinedAt
    }
    teams {
      id
      name
      parentId
      createdAt
    }
    regions {
      id
      name
      createdAt
    }
  }
`);

export const ChangeMemberRoleDocument = graphql(`
  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) {
    changeMemberRole(input: $input) {
      user {
        id
      }
      role
    }
  }
`);

export const RemoveMemberDocument = graphql(`
  mutation RemoveMember($userId: ID!) {
    removeMember(userId: $userId)
  }
`);

export const AssignMemberDocument = graphql(`
  mutation AssignMember($input: AssignMemberInput!) {
    assignMember(input: $input) {
      user {
        id
      }
      teamId
      regionId
    }
  }
`);

export const InvitationFields = graphql(`
  fragment InvitationFields on Invitation {
    id
    email
    role
    teamId
    status
    createdAt
    expiresAt
    acceptedAt
  }
`);

export const InvitationsDocument = graphql(`
  query Invitations {
    invitations {
      ...InvitationFields
    }
  }
`);

export const InviteMemberDocument = graphql(`
  mutation InviteMember($input: InviteMemberInput!) {
    inviteMember(input: $input) {
      invitation {
        ...InvitationFields
      }
    }
  }
`);

export const RevokeInvitationDocument = graphql(`
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) {
      ...InvitationFields
    }
  }
`);

export const CreateTeamDocument = graphql(`
  mutation CreateTeam($input: CreateTeamInput!) {
    createTeam(input: $input) {
      id
      name
      parentId
      createdAt
    }
  }
`);

export const DeleteTeamDocument = graphql(`
  mutation DeleteTeam($id: ID!) {
    deleteTeam(id: $id)
  }
`);

export const CreateRegionDocument = graphql(`
  mutation CreateRegion($input: CreateRegionInput!) {
    createRegion(input: $input) {
      id
      name
      createdAt
    }
  }
`);

export const DeleteRegionDocument = graphql(`
  mutation DeleteRegion($id: ID!) {
    deleteRegion(id: $id)
  }
`);

export const ApiKeyFields = graphql(`
  fragment ApiKeyFields on ApiKey {
    id
    name
    prefix
    scopes
    createdBy
    createdAt
    expiresAt
    revokedAt
    lastUsedAt
    active
  }
`);

export const ApiKeysDocument = graphql(`
  query ApiKeys {
    apiKeys {
      ...ApiKeyFields
    }
  }
`);

export const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      apiKey {
        ...ApiKeyFields
      }
      secret
    }
  }
`);

export const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id)
  }
`);

export const UpdateTenantSettingsDocument = graphql(`
  mutation UpdateTenantSettings($input: UpdateTenantSettingsInput!) {
    updateTenantSettings(input: $input) {
      id
      customerVisibility
    }
  }
`);

export const AuditLogDocument = graphql(`
  query AuditLog($first: Int, $after: String, $filter: AuditEventFilter) {
    auditLog(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          occurredAt
          action
          actorUserId
          actorApiKeyId
          targetType
          targetId
          ip
        }
      }
    }
  }
`);

export const CustomerValueSettingsDocument = graphql(`
  query CustomerValueSettings {
    customerValueSettings {
      tierAShare
      tierBShare
      horizonMonths
      annualDiscountRate
      scheduleEnabled
      scheduleIntervalHours
      version
    }
  }
`);

export const UpdateCustomerValueSettingsDocument = graphql(`
  mutation UpdateCustomerValueSettings($input: UpdateCustomerValueSettingsInput!) {
    updateCustomerValueSettings(input: $input) {
      settings {
        tierAShare
        tierBShare
        horizonMonths
        annualDiscountRate
        scheduleEnabled
        scheduleIntervalHours
        version
      }
    }
  }
`);
