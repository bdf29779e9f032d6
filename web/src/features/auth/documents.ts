import { graphql } from '../../gql';

export const AuthFields = graphql(`
  fragment AuthFields on AuthPayload {
    accessToken
    refreshToken
    expiresIn
    user {
      id
      email
      displayName
      locale
    }
    tenant {
      id
      slug
      name
      baseCurrency
    }
  }
`);

export const SignUpDocument = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      ...AuthFields
    }
  }
`);

export const SignInDocument = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      ...AuthFields
    }
  }
`);

export const RefreshSessionDocument = graphql(`
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) {
      ...AuthFields
    }
  }
`);

export const SignOutDocument = graphql(`
  mutation SignOut {
    signOut
  }
`);

export const MyTenantsDocument = graphql(`
  query MyTenants {
    myTenants {
      role
      tenant {
        id
        slug
        name
      }
    }
  }
`);

export const SwitchTenantDocument = graphql(`
  mutation SwitchTenant($tenantSlug: String!) {
    switchTenant(tenantSlug: $tenantSlug) {
      ...AuthFields
    }
  }
`);

export const UpdateMyLocaleDocument = graphql(`
  mutation UpdateMyLocale($locale: String!) {
    updateMyProfile(input: { locale: $locale }) {
      id
      locale
    }
  }
`);

/** The caller's role and permissions, to show only what they may do. */
export const MeDocument = graphql(`
  query Me {
    me {
      role
      permissions
      user {
        id
        email
        displayName
        locale
        createdAt
      }
      tenant {
        id
        slug
        name
        baseCurrency
        defaultLocale
        plan
        customerVisibility
        createdAt
      }
    }
  }
`);
