import { graphql } from '../../gql';

export const CaseRowFields = graphql(`
  fragment CaseRowFields on Case {
    id
    number
    version
    subject
    kind
    status
    priority
    channel
    isOpen
    customerId
    customer {
      id
      name
    }
    ownerId
    owner {
      id
      displayName
      email
    }
    firstResponseDueAt
    resolutionDueAt
    firstRespondedAt
    firstResponseBreached
    resolutionBreached
    resolvedAt
    closedAt
    createdAt
    updatedAt
  }
`);

export const CasesDocument = graphql(`
  query Cases($first: Int, $after: String, $filter: CaseFilter, $orderBy: [CaseOrderBy!]) {
    cases(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...CaseRowFields
        }
      }
    }
  }
`);

export const CaseDocument = graphql(`
  query Case($id: ID!) {
    case(id: $id) {
      ...CaseRowFields
      description
      contactId
      contact {
        id
        name
        email
      }
      resolution
      satisfaction {
        score
        comment
        ratedAt
      }
      history {
        id
        kind
        from
        to
        note
        actorId
        at
      }
    }
  }
`);


export const ChangeCaseStatusDocument = graphql(`
  mutation ChangeCaseStatus($input: ChangeCaseStatusInput!) {
    changeCaseStatus(input: $input) {
      case {
        ...CaseRowFields
        resolution
        history {
          id
          kind
          from
          to
          note
          actorId
          at
        }
      }
    }
  }
`);

export const RateCaseDocument = graphql(`
  mutation RateCase($input: RateCaseInput!) {
    rateCase(input: $input) {
      case {
        id
        version
        updatedAt
        satisfaction {
          score
          comment
          ratedAt
        }
        history {
          id
          kind
          from
          to
          note
          actorId
          at
        }
      }
    }
  }
`);

export const AssignCaseDocument = graphql(`
  mutation AssignCase($input: UpdateCaseInput!) {
    updateCase(input: $input) {
      case {
        ...CaseRowFields
        history {
          id
          kind
          from
          to
          note
          actorId
          at
        }
      }
    }
  }
`);

export const ServiceSummaryFields = graphql(`
  fragment ServiceSummaryFields on ServiceSummary {
    from
    to
    opened
    openNow
    overdueNow
    resolved
    firstResponseMetShare
    resolutionMetShare
    averageFirstResponseMinutes
    averageResolutionMinutes
    rated
    averageSatisfaction
    satisfiedShare
  }
`);

/** The service figures of a period and of the period before it. */
export const ServiceSummaryDocument = graphql(`
  query ServiceSummary($from: DateTime!, $to: DateTime!, $previousFrom: DateTime!) {
    current: serviceSummary(from: $from, to: $to) {
      ...ServiceSummaryFields
    }
    previous: serviceSummary(from: $previousFrom, to: $from) {
      ...ServiceSummaryFields
    }
    caseServiceLevels {
      priority
      firstResponseMinutes
      resolutionMinutes
      isDefault
    }
  }
`);

export const SetCaseServiceLevelDocument = graphql(`
  mutation SetCaseServiceLevel($input: SetCaseServiceLevelInput!) {
    setCaseServiceLevel(input: $input) {
      priority
      firstResponseMinutes
      resolutionMinutes
      isDefault
    }
  }
`);

export const CaseServiceLevelsDocument = graphql(`
  query CaseServiceLevels {
    caseServiceLevels {
      priority
      firstResponseMinutes
      resolutionMinutes
      isDefault
    }
  }
`);
