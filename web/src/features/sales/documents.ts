import { graphql } from '../../gql';

export const PipelinesDocument = graphql(`
  query Pipelines {
    pipelines {
      id
      version
      name
      isDefault
      stages {
        id
        pipelineId
        name
        position
        probability
        kind
      }
    }
  }
`);

export const DealCardFields = graphql(`
  fragment DealCardFields on Deal {
    id
    version
    name
    customerId
    customer {
      id
      name
    }
    pipelineId
    stageId
    status
    amount {
      amount
      currency
    }
    expectedCloseDate
    closeReason
    closedAt
    stageEnteredAt
  }
`);

export const BoardDealsDocument = graphql(`
  query BoardDeals($first: Int, $filter: DealFilter) {
    deals(first: $first, filter: $filter, orderBy: [{ field: CREATED_AT, direction: DESC }]) {
      totalCount
      edges {
        node {
          ...DealCardFields
        }
      }
    }
  }
`);

export const MoveDealDocument = graphql(`
  mutation MoveDeal($input: MoveDealInput!) {
    moveDeal(input: $input) {
      deal {
        ...DealCardFields
        updatedAt
        stageHistory {
          stageId
          stageName
          fromStageId
          enteredAt
          leftAt
          durationSeconds
          movedBy
        }
      }
    }
  }
`);

export const DealDocument = graphql(`
  query Deal($id: ID!) {
    deal(id: $id) {
      ...DealCardFields
      ownerId
      amountInBaseCurrency {
        amount
        currency
      }
      stage {
        id
        name
        kind
        probability
      }
      contacts {
        contactId
        role
        contact {
          id
          name
          email
        }
      }
      lines {
        lineNo
        productId
        product {
          id
          name
        }
        quantity
        unitPrice {
          amount
          currency
        }
        discountPercent
        total {
          amount
          currency
        }
      }
      stageHistory {
        stageId
        stageName
        fromStageId
        enteredAt
        leftAt
        durationSeconds
        movedBy
      }
      createdAt
      updatedAt
    }
  }
`);

export const MembersDocument = graphql(`
  query Members {
    members {
      user {
        id
        displayName
        email
      }
      role
    }
  }
`);

export const LeadFields = graphql(`
  fragment LeadFields on Lead {
    id
    version
    name
    company
    email
    phone
    source
    channel
    campaign
    status
    statusReason
    ownerId
    customerId
    contactId
    dealId
    convertedAt
    createdAt
    updatedAt
  }
`);

export const LeadsDocument = graphql(`
  query Leads($first: Int, $after: String, $filter: LeadFilter) {
    leads(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...LeadFields
        }
      }
    }
  }
`);

export const CreateLeadDocument = graphql(`
  mutation CreateLead($input: CreateLeadInput!) {
    createLead(input: $input) {
      lead {
        ...LeadFields
      }
    }
  }
`);

export const QualifyLeadDocument = graphql(`
  mutation QualifyLead($input: QualifyLeadInput!) {
    qualifyLead(input: $input) {
      lead {
        ...LeadFields
      }
    }
  }
`);

export const DisqualifyLeadDocument = graphql(`
  mutation DisqualifyLead($input: QualifyLeadInput!) {
    disqualifyLead(input: $input) {
      lead {
        ...LeadFields
      }
    }
  }
`);

export const ConvertLeadDocument = graphql(`
  mutation ConvertLead($input: ConvertLeadInput!) {
    convertLead(input: $input) {
      lead {
        ...LeadFields
      }
      customer {
        id
        name
      }
      contact {
        id
        name
      }
      deal {
        ...DealCardFields
      }
      matchedExistingCustomer
    }
  }
`);
