import { graphql } from '../../gql';

export const CustomerRowFields = graphql(`
  fragment CustomerRowFields on Customer {
    id
    version
    name
    kind
    lifecycleStage
    email
    phone
    tags
    address {
      city
      country
    }
    lastInteractionAt
    createdAt
  }
`);

export const CustomersDocument = graphql(`
  query Customers($first: Int, $after: String, $filter: CustomerFilter, $orderBy: [CustomerOrderBy!]) {
    customers(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...CustomerRowFields
        }
      }
    }
  }
`);

export const SearchCustomersDocument = graphql(`
  query SearchCustomers($query: String!, $first: Int) {
    searchCustomers(query: $query, first: $first) {
      ...CustomerRowFields
    }
  }
`);

/** What the edit form reads and writes. */
export const CustomerFormFields = graphql(`
  fragment CustomerFormFields on Customer {
    id
    version
    kind
    name
    email
    phone
    website
    industry
    region
    lifecycleStage
    tags
    address {
      streetLines
      city
      stateProvince
      postalCode
      country
    }
  }
`);

export const CreateCustomerDocument = graphql(`
  mutation CreateCustomer($input: CreateCustomerInput!) {
    createCustomer(input: $input) {
      customer {
        ...CustomerRowFields
      }
    }
  }
`);

export const UpdateCustomerDocument = graphql(`
  mutation UpdateCustomer($input: UpdateCustomerInput!) {
    updateCustomer(input: $input) {
      customer {
        ...CustomerFormFields
        emails {
          value
          label
          primary
        }
        phones {
          value
          label
          primary
        }
        updatedAt
      }
    }
  }
`);

// Only fields of the server's cached 360 view, so a repeated read is
// answered from its kept response (api/src/graphql/view_queries.rs).
export const Customer360Document = graphql(`
  query Customer360($id: ID!) {
    customer(id: $id) {
      ...CustomerFormFields
      emails {
        value
        label
        primary
      }
      phones {
        value
        label
        primary
      }
      acquisitionSource
      acquisitionChannel
      externalId
      contactCount
      interactionCount
      openTaskCount
      lastInteractionAt
      orderCount
      lastOrderAt
      openDealCount
      openCaseCount
      createdAt
      updatedAt
      contacts(first: 10) {
        edges {
          node {
            id
            name
            title
            email
            phone
            language
          }
        }
      }
      interactions(first: 10) {
        edges {
          node {
            id
            kind
            direction
            subject
            body
            occurredAt
          }
        }
      }
      orders(first: 10) {
        edges {
          node {
            id
            externalId
            orderedAt
            status
            total {
              amount
              currency
            }
          }
        }
      }
      openDeals(first: 10) {
        edges {
          node {
            id
            name
            status
            expectedCloseDate
            amount {
              amount
              currency
            }
          }
        }
      }
      openCases(first: 10) {
        edges {
          node {
            id
            number
            subject
            status
            priority
            createdAt
          }
        }
      }
      value {
        tier
        rfmScore
        churnRisk
        probabilityAlive
        clv12m {
          amount
          currency
        }
        computedAt
      }
    }
  }
`);

// The 360 fields outside the cached view: owner, money totals, timeline.
export const CustomerExtrasDocument = graphql(`
  query CustomerExtras($id: ID!) {
    customer(id: $id) {
      id
      owner {
        id
        email
        displayName
      }
      orderTotal {
        amount
        currency
      }
      openDealAmount {
        amount
        currency
      }
      timeline(first: 20) {
        edges {
          node {
            id
            at
            kind
            actor {
              id
              email
              displayName
            }
            interaction {
              id
              kind
              subject
            }
            change {
              id
              field
              oldValue
              newValue
            }
            dealStage {
              stageName
            }
            order {
              id
              total {
                amount
                currency
              }
            }
            caseEvent {
              id
              kind
              note
            }
            mergedCustomerName
          }
        }
      }
    }
  }
`);

// Sent as a GraphQL multipart request (the file is a variable).
export const ImportCustomersDocument = graphql(`
  mutation ImportCustomers($input: ImportCustomersInput!) {
    importCustomers(input: $input) {
      rowsRead
      created
      updated
      unchanged
      skipped
      committed
      errorCount
      errors {
        row
        field
        message
      }
    }
  }
`);

/** One field of a customer after a bulk action (tags or owner). */
export const BulkUpdateCustomerDocument = graphql(`
  mutation BulkUpdateCustomer($input: UpdateCustomerInput!) {
    updateCustomer(input: $input) {
      customer {
        ...CustomerRowFields
      }
    }
  }
`);

export const MergeCustomersDocument = graphql(`
  mutation MergeCustomers($input: MergeCustomersInput!) {
    mergeCustomers(input: $input) {
      customer {
        ...CustomerRowFields
      }
    }
  }
`);

export const CustomerHistoryDocument = graphql(`
  query CustomerHistory($customerId: ID!, $first: Int, $after: String, $field: String) {
    customerHistory(customerId: $customerId, first: $first, after: $after, field: $field) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          changeSetId
          action
          field
          oldValue
          newValue
          version
          changedAt
          changedBy
        }
      }
    }
  }
`);
