import { graphql } from '../../gql';

/** Who owns a segment or a campaign, as the console names them. */
export const OwnerNameFields = graphql(`
  fragment OwnerNameFields on User {
    id
    email
    displayName
  }
`);

/** Where a keyset-paged list goes on from. */
export const PageCursorFields = graphql(`
  fragment PageCursorFields on PageInfo {
    hasNextPage
    endCursor
  }
`);

export const SegmentRowFields = graphql(`
  fragment SegmentRowFields on Segment {
    id
    version
    name
    description
    kind
    memberCount
    ownerId
    owner {
      ...OwnerNameFields
    }
    createdAt
    updatedAt
  }
`);

/** What the segment page and the edit form read. */
export const SegmentFields = graphql(`
  fragment SegmentFields on Segment {
    ...SegmentRowFields
    filter
    refreshedAt
  }
`);

export const SegmentsDocument = graphql(`
  query Segments($first: Int, $after: String, $filter: SegmentFilter, $orderBy: [SegmentOrderBy!]) {
    segments(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        ...PageCursorFields
      }
      edges {
        cursor
        node {
          ...SegmentRowFields
        }
      }
    }
  }
`);

export const SegmentDocument = graphql(`
  query Segment($id: ID!) {
    segment(id: $id) {
      ...SegmentFields
    }
  }
`);

// Null when the reader's customer visibility is restricted: the chart is left out.
export const SegmentSizesDocument = graphql(`
  query SegmentSizes($id: ID!, $days: Int!) {
    segment(id: $id) {
      id
      sizeHistory(days: $days) {
        day
        size
      }
    }
  }
`);

export const SegmentMembersDocument = graphql(`
  query SegmentMembers($id: ID!, $first: Int, $after: String, $orderBy: [CustomerOrderBy!]) {
    segment(id: $id) {
      id
      members(first: $first, after: $after, orderBy: $orderBy) {
        totalCount
        pageInfo {
          ...PageCursorFields
        }
        edges {
          cursor
          node {
            ...CustomerRowFields
          }
        }
      }
    }
  }
`);

export const CreateSegmentDocument = graphql(`
  mutation CreateSegment($input: CreateSegmentInput!) {
    createSegment(input: $input) {
      segment {
        ...SegmentFields
      }
    }
  }
`);

export const UpdateSegmentDocument = graphql(`
  mutation UpdateSegment($input: UpdateSegmentInput!) {
    updateSegment(input: $input) {
      segment {
        ...SegmentFields
      }
    }
  }
`);

export const DeleteSegmentDocument = graphql(`
  mutation DeleteSegment($id: ID!) {
    deleteSegment(id: $id)
  }
`);

export const AddSegmentMembersDocument = graphql(`
  mutation AddSegmentMembers($input: SegmentMembersInput!) {
    addSegmentMembers(input: $input) {
      changed
      segment {
        id
        memberCount
      }
    }
  }
`);

export const RemoveSegmentMembersDocument = graphql(`
  mutation RemoveSegmentMembers($input: SegmentMembersInput!) {
    removeSegmentMembers(input: $input) {
      changed
      segment {
        id
        memberCount
      }
    }
  }
`);

export const ImportSegmentMembersDocument = graphql(`
  mutation ImportSegmentMembers($input: ImportSegmentMembersInput!) {
    importSegmentMembers(input: $input) {
      added
      alreadyMembers
      errorCount
      errors {
        row
        message
      }
      segment {
        id
        memberCount
      }
    }
  }
`);

/** The customer's segments, for its 360 page (with `marketing:read` only). */
export const CustomerSegmentsDocument = graphql(`
  query CustomerSegments($id: ID!) {
    customer(id: $id) {
      id
      segments {
        id
        name
        kind
      }
    }
  }
`);

/** How many customers a filter matches now (a dynamic segment's conditions, as they are chosen). */
export const CustomerCountDocument = graphql(`
  query CustomerCount($filter: CustomerFilter) {
    customers(first: 1, filter: $filter) {
      totalCount
    }
  }
`);

export const CampaignRowFields = graphql(`
  fragment CampaignRowFields on Campaign {
    id
    version
    code
    name
    kind
    status
    parentId
    ownerId
    owner {
      ...OwnerNameFields
    }
    startsOn
    endsOn
    budget {
      amount
      currency
    }
    createdAt
    updatedAt
  }
`);

/** What the campaign page and the edit form read. */
export const CampaignFields = graphql(`
  fragment CampaignFields on Campaign {
    ...CampaignRowFields
    objective
    parent {
      id
      name
    }
    children {
      ...CampaignRowFields
    }
    expectedRevenue {
      amount
      currency
    }
    expectedResponses
    startedAt
    completedAt
    audience {
      id
      name
      kind
      memberCount
    }
    costs {
      id
      kind
      category
      amount {
        amount
        currency
      }
      incurredOn
      note
    }
  }
`);

export const CampaignsDocument = graphql(`
  query Campaigns($first: Int, $after: String, $filter: CampaignFilter, $orderBy: [CampaignOrderBy!]) {
    campaigns(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        ...PageCursorFields
      }
      edges {
        cursor
        node {
          ...CampaignRowFields
        }
      }
    }
  }
`);

export const CampaignDocument = graphql(`
  query Campaign($id: ID!) {
    campaign(id: $id) {
      ...CampaignFields
    }
  }
`);

/** Programmes to pick as a campaign's parent: the top-level campaigns. */
export const ProgrammeOptionsDocument = graphql(`
  query ProgrammeOptions($name: String) {
    campaigns(first: 50, filter: { topLevel: true, name: { contains: $name } }, orderBy: [{ field: NAME, direction: ASC }]) {
      edges {
        node {
          id
          name
          code
        }
      }
    }
  }
`);

export const CampaignResultsDocument = graphql(`
  query CampaignResults($id: ID!, $includeChildren: Boolean!, $windowDays: Int!, $model: AttributionModel!) {
    campaign(id: $id) {
      id
      results(includeChildren: $includeChildren, windowDays: $windowDays) {
        memberCount
        membersByStatus {
          status
          count
        }
        reached
        responses
        leads
        convertedLeads
        orders
        orderRevenue {
          amount
          currency
        }
        plannedCost {
          amount
          currency
        }
        actualCost {
          amount
          currency
        }
        costsWithoutRate
        attributedRevenue(model: $model) {
          amount
          currency
        }
        attributedOrders(model: $model)
        acquisitions(model: $model)
        roi(model: $model)
        costPerLead {
          amount
          currency
        }
        costPerAcquisition(model: $model) {
          amount
          currency
        }
        firstTouch: attributedRevenue(model: FIRST_TOUCH) {
          amount
          currency
        }
        lastTouch: attributedRevenue(model: LAST_TOUCH) {
          amount
          currency
        }
        linear: attributedRevenue(model: LINEAR) {
          amount
          currency
        }
      }
    }
  }
`);

export const CampaignMembersDocument = graphql(`
  query CampaignMembers($id: ID!, $first: Int, $after: String, $status: CampaignMemberStatus) {
    campaign(id: $id) {
      id
      members(first: $first, after: $after, status: $status) {
        pageInfo {
          ...PageCursorFields
        }
        edges {
          cursor
          node {
            customerId
            customer {
              id
              name
              email
            }
            status
            sourceSegmentId
            addedAt
            statusChangedAt
            reachedAt
          }
        }
      }
    }
  }
`);

export const CreateCampaignDocument = graphql(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      campaign {
        ...CampaignFields
      }
    }
  }
`);

export const UpdateCampaignDocument = graphql(`
  mutation UpdateCampaign($input: UpdateCampaignInput!) {
    updateCampaign(input: $input) {
      campaign {
        ...CampaignFields
      }
    }
  }
`);

export const ChangeCampaignStatusDocument = graphql(`
  mutation ChangeCampaignStatus($input: ChangeCampaignStatusInput!) {
    changeCampaignStatus(input: $input) {
      campaign {
        ...CampaignFields
      }
    }
  }
`);

export const DeleteCampaignDocument = graphql(`
  mutation DeleteCampaign($id: ID!) {
    deleteCampaign(id: $id)
  }
`);

export const SetCampaignAudienceDocument = graphql(`
  mutation SetCampaignAudience($input: SetCampaignAudienceInput!) {
    setCampaignAudience(input: $input) {
      campaign {
        ...CampaignFields
      }
    }
  }
`);

export const AddCampaignMembersDocument = graphql(`
  mutation AddCampaignMembers($input: CampaignMembersInput!) {
    addCampaignMembers(input: $input) {
      changed
      campaign {
        id
      }
    }
  }
`);

export const RemoveCampaignMembersDocument = graphql(`
  mutation RemoveCampaignMembers($input: CampaignMembersInput!) {
    removeCampaignMembers(input: $input) {
      changed
      campaign {
        id
      }
    }
  }
`);

export const SetCampaignMemberStatusDocument = graphql(`
  mutation SetCampaignMemberStatus($input: SetCampaignMemberStatusInput!) {
    setCampaignMemberStatus(input: $input) {
      changed
      campaign {
        id
      }
    }
  }
`);

export const AddCampaignCostDocument = graphql(`
  mutation AddCampaignCost($input: AddCampaignCostInput!) {
    addCampaignCost(input: $input) {
      campaign {
        ...CampaignFields
      }
    }
  }
`);

export const RemoveCampaignCostDocument = graphql(`
  mutation RemoveCampaignCost($id: ID!) {
    removeCampaignCost(id: $id) {
      campaign {
        ...CampaignFields
      }
    }
  }
`);

/** Segments to pick for a campaign's audience. */
export const SegmentOptionsDocument = graphql(`
  query SegmentOptions($name: String) {
    segments(first: 50, filter: { name: { contains: $name } }) {
      edges {
        node {
          id
          name
          kind
          memberCount
        }
      }
    }
  }
`);

/** The list's campaigns with their results (last touch, 90 days, sub-campaigns included), to compare them side by side. */
export const CampaignsResultsDocument = graphql(`
  query CampaignsResults($first: Int, $after: String, $filter: CampaignFilter, $orderBy: [CampaignOrderBy!]) {
    campaigns(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      edges {
        node {
          id
          results {
            responses
            actualCost {
              amount
              currency
            }
            attributedRevenue {
              amount
              currency
            }
            roi
          }
        }
      }
    }
  }
`);
