// The GraphQL client: urql with a normalised cache (graphcache), talking to
// the public endpoint with the session's bearer token.
import { Client, fetchExchange, stringifyDocument } from '@urql/core';
import { cacheExchange, type Cache } from '@urql/exchange-graphcache';
import { RefreshSessionDocument } from '../features/auth/documents';
import { currentLanguage } from '../i18n';
import { authFetch, SessionStore, type AuthPayloadLike } from './session';

export const GRAPHQL_ENDPOINT = '/graphql';

export const sessionStore = new SessionStore(typeof sessionStorage === 'undefined' ? null : sessionStorage);

/** Calls `refreshSession` directly (not through the cache). */
async function refresh(refreshToken: string): Promise<AuthPayloadLike | null> {
  const response = await fetch(GRAPHQL_ENDPOINT, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query: stringifyDocument(RefreshSessionDocument), variables: { refreshToken } }),
  });
  if (response.status >= 500) throw new Error(`refresh failed: HTTP ${response.status}`);
  const body = (await response.json()) as { data?: { refreshSession?: AuthPayloadLike } | null };
  return body.data?.refreshSession ?? null;
}

/**
 * `fetch` with the session's bearer token, renewed when needed: one for the
 * GraphQL clients and plain requests (CSV export) alike, so two renewals
 * never race with the same refresh token.
 */
export const apiFetch = authFetch({ store: sessionStore, refresh, fetch: (...a) => fetch(...a), language: currentLanguage });

/** Drops cached list fields of `Query` so lists and searches are read again. */
function invalidateQueryFields(cache: Cache, names: string[]): void {
  for (const field of cache.inspectFields('Query')) {
    if (names.includes(field.fieldName)) cache.invalidate('Query', field.fieldName, field.arguments ?? undefined);
  }
}

function invalidateEntityFields(cache: Cache, entity: { __typename: string; id: string }, names: string[]): void {
  for (const field of cache.inspectFields(entity)) {
    if (names.includes(field.fieldName)) cache.invalidate(entity, field.fieldName, field.arguments ?? undefined);
  }
}

/** After a static list's members changed: its members, sizes and (for the customers named) their segments. */
function invalidateSegmentMembers(cache: Cache, args: Record<string, unknown>): void {
  const input = (args.input ?? {}) as { segmentId?: string; customerIds?: string[] };
  if (input.segmentId) invalidateEntityFields(cache, { __typename: 'Segment', id: input.segmentId }, ['members', 'sizeHistory']);
  for (const id of input.customerIds ?? []) invalidateEntityFields(cache, { __typename: 'Customer', id }, ['segments']);
  invalidateQueryFields(cache, ['segments', 'customers']);
}

/** After a campaign's members changed: its members and results. */
function invalidateCampaignMembers(cache: Cache, args: Record<string, unknown>): void {
  const input = (args.input ?? {}) as { campaignId?: string };
  if (input.campaignId) invalidateEntityFields(cache, { __typename: 'Campaign', id: input.campaignId }, ['members', 'results']);
}

// Types without an id of their own are embedded in their parent.
const embedded = () => null;

export function createClient(): Client {
  return new Client({
    url: GRAPHQL_ENDPOINT,
    preferGetMethod: false,
    fetch: apiFetch,
    exchanges: [
      cacheExchange({
        keys: {
          AuthPayload: embedded,
          Viewer: embedded,
          TenantMembership: (t) => (t.tenant as { id?: string } | undefined)?.id ?? null,
          CustomerPayload: embedded,
          Money: embedded,
          ContactPoint: embedded,
          PostalAddress: embedded,
          CustomerValue: embedded,
          PageInfo: embedded,
          DealStageVisit: embedded,
          CustomerConnection: embedded,
          CustomerEdge: embedded,
          ContactConnection: embedded,
          ContactEdge: embedded,
          InteractionConnection: embedded,
          InteractionEdge: embedded,
          TimelineConnection: embedded,
          TimelineEdge: embedded,
          DealConnection: embedded,
          DealEdge: embedded,
          OrderConnection: embedded,
          OrderEdge: embedded,
          CaseConnection: embedded,
          CaseEdge: embedded,
          LeadConnection: embedded,
          LeadEdge: embedded,
          LeadPayload: embedded,
          ConvertLeadPayload: embedded,
          DealPayload: embedded,
          DealLine: embedded,
          DealContact: embedded,
          CasePayload: embedded,
          CaseSatisfaction: embedded,
          Member: embedded,
          CustomerImportReport: embedded,
          ImportRowError: embedded,
          CustomerValueSummary: embedded,
          TierSummary: embedded,
          SegmentSummary: embedded,
          ParetoSummary: embedded,
          ParetoPoint: embedded,
          CustomerValueModels: embedded,
          AnalyticsRunConnection: embedded,
          AnalyticsRunEdge: embedded,
          AnalysisResult: embedded,
          AnalysisRow: embedded,
          AnalysisKey: embedded,
          InvitationPayload: embedded,
          CreateApiKeyPayload: embedded,
          AuditEventConnection: embedded,
          AuditEventEdge: embedded,
          SegmentConnection: embedded,
          SegmentEdge: embedded,
          SegmentPayload: embedded,
          SegmentMembersPayload: embedded,
          SegmentImportReport: embedded,
          SegmentImportError: embedded,
          SegmentSize: embedded,
          CampaignConnection: embedded,
          CampaignEdge: embedded,
          CampaignPayload: embedded,
          CampaignMembersPayload: embedded,
          CampaignMemberConnection: embedded,
          CampaignMemberEdge: embedded,
          CampaignMember: embedded,
          CampaignResults: embedded,
          CampaignMemberStatusCount: embedded,
          CustomerGrowth: embedded,
          WiderGrowth: embedded,
          LongerGrowth: embedded,
          DeeperGrowth: embedded,
          GrowthMetric: embedded,
          GrowthMoneyMetric: embedded,
          CrossSellRecommendation: embedded,
          ServiceSummary: embedded,
          CaseServiceLevel: (l) => (typeof l.priority === 'string' ? l.priority : null),
          CustomerValueSettings: embedded,
          CustomerValueSettingsPayload: embedded,
        },
        updates: {
          Mutation: {
            createCustomer(_result, _args, cache) {
              invalidateQueryFields(cache, ['customers', 'searchCustomers']);
            },
            createLead(_result, _args, cache) {
              invalidateQueryFields(cache, ['leads']);
            },
            qualifyLead(_result, _args, cache) {
              invalidateQueryFields(cache, ['leads']);
            },
            disqualifyLead(_result, _args, cache) {
              invalidateQueryFields(cache, ['leads']);
            },
            convertLead(_result, _args, cache) {
              invalidateQueryFields(cache, ['leads', 'customers', 'searchCustomers', 'deals']);
            },
            // The board's columns are lists by stage: both the old and the new one change.
            moveDeal(_result, _args, cache) {
              invalidateQueryFields(cache, ['deals']);
            },
            changeCaseStatus(_result, _args, cache) {
              invalidateQueryFields(cache, ['cases']);
            },
            updateCase(_result, _args, cache) {
              invalidateQueryFields(cache, ['cases']);
            },
            importCustomers(_result, _args, cache) {
              invalidateQueryFields(cache, ['customers', 'searchCustomers']);
            },
            inviteMember(_result, _args, cache) {
              invalidateQueryFields(cache, ['invitations', 'auditLog']);
            },
            createApiKey(_result, _args, cache) {
              invalidateQueryFields(cache, ['apiKeys', 'auditLog']);
            },
            revokeApiKey(_result, _args, cache) {
              invalidateQueryFields(cache, ['apiKeys', 'auditLog']);
            },
            changeMemberRole(_result, _args, cache) {
              invalidateQueryFields(cache, ['members', 'auditLog']);
            },
            removeMember(_result, _args, cache) {
              invalidateQueryFields(cache, ['members', 'auditLog']);
            },
            assignMember(_result, _args, cache) {
              invalidateQueryFields(cache, ['members']);
            },
            createTeam(_result, _args, cache) {
              invalidateQueryFields(cache, ['teams']);
            },
            deleteTeam(_result, _args, cache) {
              invalidateQueryFields(cache, ['teams']);
            },
            createRegion(_result, _args, cache) {
              invalidateQueryFields(cache, ['regions']);
            },
            deleteRegion(_result, _args, cache) {
              invalidateQueryFields(cache, ['regions']);
            },
            createSegment(_result, _args, cache) {
              invalidateQueryFields(cache, ['segments']);
            },
            // A new filter refills a dynamic segment: its members, sizes and customers' segments change.
            updateSegment(result, _args, cache) {
              invalidateQueryFields(cache, ['segments', 'customers']);
              const id = (result.updateSegment as { segment?: { id?: string } } | null)?.segment?.id;
              if (id) invalidateEntityFields(cache, { __typename: 'Segment', id }, ['members', 'sizeHistory']);
            },
            deleteSegment(_result, args, cache) {
              cache.invalidate({ __typename: 'Segment', id: args.id as string });
              invalidateQueryFields(cache, ['segments', 'customers']);
            },
            addSegmentMembers(_result, args, cache) {
              invalidateSegmentMembers(cache, args);
            },
            removeSegmentMembers(_result, args, cache) {
              invalidateSegmentMembers(cache, args);
            },
            importSegmentMembers(_result, args, cache) {
              invalidateSegmentMembers(cache, args);
            },
            createCampaign(_result, _args, cache) {
              invalidateQueryFields(cache, ['campaigns']);
            },
            // A new programme or name moves the campaign in (or out of) the lists and its old programme's children.
            updateCampaign(_result, _args, cache) {
              invalidateQueryFields(cache, ['campaigns']);
              for (const field of cache.inspectFields('Query')) {
                if (field.fieldName === 'campaign') cache.invalidate('Query', 'campaign', field.arguments ?? undefined);
              }
            },
            changeCampaignStatus(_result, args, cache) {
              invalidateQueryFields(cache, ['campaigns']);
              const id = (args.input as { id?: string } | undefined)?.id;
              if (id) invalidateEntityFields(cache, { __typename: 'Campaign', id }, ['members', 'results']);
            },
            deleteCampaign(_result, args, cache) {
              cache.invalidate({ __typename: 'Campaign', id: args.id as string });
              invalidateQueryFields(cache, ['campaigns']);
            },
            setCampaignAudience(_result, args, cache) {
              invalidateCampaignMembers(cache, args);
            },
            addCampaignMembers(_result, args, cache) {
              invalidateCampaignMembers(cache, args);
            },
            removeCampaignMembers(_result, args, cache) {
              invalidateCampaignMembers(cache, args);
            },
            setCampaignMemberStatus(_result, args, cache) {
              invalidateCampaignMembers(cache, args);
            },
            addCampaignCost(_result, args, cache) {
              const id = (args.input as { campaignId?: string } | undefined)?.campaignId;
              if (id) invalidateEntityFields(cache, { __typename: 'Campaign', id }, ['results']);
            },
            removeCampaignCost(result, _args, cache) {
              const id = (result.removeCampaignCost as { campaign?: { id?: string } } | null)?.campaign?.id;
              if (id) invalidateEntityFields(cache, { __typename: 'Campaign', id }, ['results']);
            },
            setCaseServiceLevel(_result, _args, cache) {
              invalidateQueryFields(cache, ['caseServiceLevels']);
            },
            updateCustomer(result, _args, cache) {
              invalidateQueryFields(cache, ['customers', 'searchCustomers']);
              const id = (result.updateCustomer as { customer?: { id?: string } } | null)?.customer?.id;
              if (id) invalidateEntityFields(cache, { __typename: 'Customer', id }, ['timeline']);
            },
          },
        },
      }),
      fetchExchange,
    ],
  });
}
