import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Empty, Flex, Form, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { KeysetPager } from '../../components/KeysetPager';
import { LoadError } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { CampaignFieldsFragment, CampaignMemberStatus, CampaignMembersQuery } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf, type ApiProblem } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { PAGE_SIZES } from '../customers/listState';
import { AddCustomersModal } from './AddCustomersModal';
import { MEMBER_STATUSES } from './campaigns';
import {
  AddCampaignMembersDocument,
  CampaignMembersDocument,
  RemoveCampaignMembersDocument,
  SegmentOptionsDocument,
  SetCampaignAudienceDocument,
  SetCampaignMemberStatusDocument,
} from './documents';

type Member = NonNullable<CampaignMembersQuery['campaign']>['members']['edges'][number]['node'];

interface Props {
  campaign: CampaignFieldsFragment;
  writable: boolean;
  status: CampaignMemberStatus | '';
  pageSize: number;
  onState: (patch: { status?: CampaignMemberStatus | ''; pageSize?: number }) => void;
  /** Members per status, from the results; null when they cannot be read. */
  counts: Map<CampaignMemberStatus, number> | null;
  /** The campaign's members or audience changed. */
  onChanged: () => void;
}

/** The segments a campaign targets, its members with their statuses, and moving members along. */
export function CampaignAudience({ campaign, writable, status, pageSize, onState, counts, onChanged }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const language = currentLanguage();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [selected, setSelected] = useState<string[]>([]);
  const [moveTo, setMoveTo] = useState<CampaignMemberStatus | undefined>();
  const [dialog, setDialog] = useState<'segments' | 'customers' | null>(null);
  // A new status filter or page size starts at the first page.
  useEffect(() => {
    setCursors([null]);
    setSelected([]);
  }, [status, pageSize]);
  const variables = useMemo(
    () => ({ id: campaign.id, first: pageSize, after: cursors[cursors.length - 1], status: status || null }),
    [campaign.id, pageSize, cursors, status],
  );
  const [members, reloadMembers] = useQuery({ query: CampaignMembersDocument, variables, requestPolicy: 'cache-and-network' });
  const [{ fetching: moving }, setStatus] = useMutation(SetCampaignMemberStatusDocument);
  const [{ fetching: removing }, remove] = useMutation(RemoveCampaignMembersDocument);
  const rows: Member[] = members.data?.campaign?.members.edges.map((e) => e.node) ?? [];
  const connection = members.data?.campaign?.members;
  const segmentNames = new Map(campaign.audience.map((s) => [s.id, s.name]));
  const total = counts ? (status ? (counts.get(status) ?? 0) : [...counts.values()].reduce((a, b) => a + b, 0)) : rows.length;
  const open = campaign.status === 'PLANNED' || campaign.status === 'ACTIVE';

  const changed = () => {
    setSelected([]);
    reloadMembers({ requestPolicy: 'network-only' });
    onChanged();
  };
  const move = async () => {
    if (!moveTo) return;
    const r = await setStatus({ input: { campaignId: campaign.id, customerIds: selected, status: moveTo } });
    if (!r.data) return problemsOf(r.error).forEach((p) => void message.error(p.message));
    void message.success(t('campaigns.moved', { count: r.data.setCampaignMemberStatus.changed, status: t(`memberStatus.${moveTo}`) }));
    changed();
  };
  const removeSelected = async () => {
    const r = await remove({ input: { campaignId: campaign.id, customerIds: selected } });
    if (!r.data) return problemsOf(r.error).forEach((p) => void message.error(p.message));
    void message.success(t('campaigns.membersRemoved', { count: r.data.removeCampaignMembers.changed }));
    changed();
  };

  return (
    <Flex vertical gap={16}>
      <Card
        size="small"
        title={t('campaigns.audience')}
        extra={
          writable &&
          open && (
            <Space wrap>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('segments')}>
                {t('campaigns.chooseSegments')}
              </Button>
              <Button icon={<PlusOutlined />} onClick={() => setDialog('customers')}>
                {t('campaigns.addCustomers')}
              </Button>
            </Space>
          )
        }
      >
        {campaign.audience.length ? (
          <Flex wrap gap={8} data-testid="campaign-audience">
            {campaign.audience.map((s) => (
              <Tag key={s.id}>
                <Link to={`/segments/${s.id}`}>{s.name}</Link> · {t('campaigns.segmentSize', { count: s.memberCount })}
              </Tag>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">{t('campaigns.noAudience')}</Typography.Text>
        )}
        {campaign.status === 'PLANNED' && campaign.audience.length > 0 && (
          <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
            {t('campaigns.audienceOnStart')}
          </Typography.Paragraph>
        )}
      </Card>

      <Card
        size="small"
        title={t('campaigns.members')}
        styles={{ body: { padding: 0 } }}
        extra={
          <Select
            allowClear
            aria-label={t('campaigns.memberStatus')}
            data-testid="filter-member-status"
            placeholder={t('campaigns.anyMemberStatus')}
            style={{ minWidth: 180 }}
            value={status || undefined}
            onChange={(s) => onState({ status: s ?? '' })}
            options={MEMBER_STATUSES.map((s) => ({ value: s, label: t(`memberStatus.${s}`) }))}
          />
        }
      >
        {writable && selected.length > 0 && (
          <Flex align="center" gap={8} wrap role="group" aria-label={t('segments.memberActions')} style={{ padding: '12px 16px' }}>
            <Typography.Text strong>{t('segments.selected', { count: selected.length })}</Typography.Text>
            <Select
              aria-label={t('campaigns.moveTo')}
              data-testid="move-to-status"
              placeholder={t('campaigns.moveTo')}
              style={{ minWidth: 180 }}
              value={moveTo}
              onChange={setMoveTo}
              options={MEMBER_STATUSES.map((s) => ({ value: s, label: t(`memberStatus.${s}`) }))}
            />
            <Button type="primary" disabled={!moveTo} loading={moving} onClick={() => void move()}>
              {t('campaigns.setStatus')}
            </Button>
            <Button danger loading={removing} onClick={() => void removeSelected()}>
              {t('campaigns.removeMembers')}
            </Button>
            <Button type="link" onClick={() => setSelected([])}>
              {t('bulk.clear')}
            </Button>
          </Flex>
        )}
        {members.error && !members.data ? (
          <LoadError problems={problemsOf(members.error)} onRetry={() => reloadMembers({ requestPolicy: 'network-only' })} />
        ) : (
          <Table<Member>
            rowKey="customerId"
            dataSource={rows}
            loading={members.fetching && !members.data}
            pagination={false}
            scroll={{ x: 800 }}
            data-testid="campaign-members"
            rowSelection={
              writable
                ? {
                    selectedRowKeys: selected,
                    preserveSelectedRowKeys: true,
                    hideSelectAll: true,
                    onChange: (keys) => setSelected(keys as string[]),
                    getCheckboxProps: (m) => ({ 'aria-label': t('bulk.select', { name: m.customer?.name ?? m.customerId }) }),
                  }
                : undefined
            }
            columns={[
              {
                title: t('campaigns.customer'),
                key: 'customer',
                render: (_, m) => (m.customer ? <Link to={`/customers/${m.customerId}`}>{m.customer.name}</Link> : '—'),
              },
              {
                title: t('campaigns.memberStatus'),
                key: 'status',
                render: (_, m) => <span data-testid="member-status">{t(`memberStatus.${m.status}`)}</span>,
              },
              {
                title: t('campaigns.source'),
                key: 'source',
                render: (_, m) =>
                  m.sourceSegmentId ? (segmentNames.get(m.sourceSegmentId) ?? t('campaigns.fromSegment')) : t('campaigns.byHand'),
              },
              { title: t('campaigns.added'), key: 'added', render: (_, m) => formatDateTime(m.addedAt, language) },
              { title: t('campaigns.reached'), key: 'reached', render: (_, m) => formatDateTime(m.reachedAt, language) },
            ]}
            locale={{
              emptyText: (
                <Empty
                  description={campaign.status === 'PLANNED' && !status ? t('campaigns.noMembersYet') : t('campaigns.noMembers')}
                  image={Empty.PRESENTED_IMAGE_SIMPLE}
                />
              ),
            }}
          />
        )}
        {connection && (total > 0 || cursors.length > 1) && (
          <KeysetPager
            testId="campaign-member-total"
            total={total}
            pageSize={pageSize}
            pageSizes={PAGE_SIZES}
            onPageSize={(size) => onState({ pageSize: size })}
            cursors={cursors}
            onCursors={setCursors}
            hasNextPage={connection.pageInfo.hasNextPage}
            endCursor={connection.pageInfo.endCursor}
          />
        )}
      </Card>

      {writable && (
        <>
          <AudienceDialog open={dialog === 'segments'} campaign={campaign} onClose={() => setDialog(null)} onChanged={changed} />
          <AddCustomersDialog open={dialog === 'customers'} campaign={campaign} onClose={() => setDialog(null)} onChanged={changed} />
        </>
      )}
    </Flex>
  );
}

interface DialogProps {
  open: boolean;
  campaign: CampaignFieldsFragment;
  onClose: () => void;
  onChanged: () => void;
}

/** The segments a campaign targets, chosen as a whole (the API replaces the list). */
function AudienceDialog({ open, campaign, onClose, onChanged }: DialogProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>(campaign.audience.map((s) => s.id));
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [options] = useQuery({ query: SegmentOptionsDocument, variables: { name: name || null }, pause: !open });
  const [{ fetching }, save] = useMutation(SetCampaignAudienceDocument);
  useEffect(() => {
    if (open) {
      setChosen(campaign.audience.map((s) => s.id));
      setProblems([]);
    }
  }, [open, campaign.audience]);
  const known = new Map(campaign.audience.map((s) => [s.id, s.name]));
  for (const e of options.data?.segments.edges ?? []) known.set(e.node.id, e.node.name);

  const submit = async () => {
    setProblems([]);
    const r = await save({ input: { campaignId: campaign.id, segmentIds: chosen } });
    if (!r.data) return setProblems(problemsOf(r.error));
    void message.success(t('campaigns.audienceSaved'));
    onChanged();
    onClose();
  };

  return (
    <Modal
      open={open}
      title={t('campaigns.audienceTitle', { name: campaign.name })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={fetching}
      destroyOnHidden
      onOk={() => void submit()}
      onCancel={onClose}
    >
      <ProblemAlert problems={problems} />
      <Form layout="vertical">
        <Form.Item label={t('campaigns.audienceSegments')} htmlFor="campaign-audience-segments" extra={t('campaigns.audienceHint')}>
          <Select<string[]>
            id="campaign-audience-segments"
            mode="multiple"
            showSearch
            filterOption={false}
            data-testid="pick-segments"
            onSearch={setName}
            value={chosen}
            onChange={(v) => {
              setChosen(v);
              setName('');
            }}
            loading={options.fetching}
            options={[...known].map(([value, label]) => ({ value, label }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Single customers found as they are typed, added `TARGETED`. */
function AddCustomersDialog({ open, campaign, onClose, onChanged }: DialogProps) {
  const { t } = useTranslation();
  const [{ fetching }, add] = useMutation(AddCampaignMembersDocument);
  return (
    <AddCustomersModal
      open={open}
      title={t('campaigns.addTitle', { name: campaign.name })}
      pickerId="campaign-pick-customers"
      adding={fetching}
      add={async (customerIds) => {
        const r = await add({ input: { campaignId: campaign.id, customerIds } });
        return r.data ? { changed: r.data.addCampaignMembers.changed } : { problems: problemsOf(r.error) };
      }}
      onClose={onClose}
      onChanged={onChanged}
    />
  );
}
