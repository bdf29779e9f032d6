import { graphql } from '../../gql';

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
      id
      email
      displayName
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
        hasNextPage
        endCursor
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
