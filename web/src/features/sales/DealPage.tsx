import { Breadcrumb, Button, Card, Col, Descriptions, Empty, Flex, Result, Row, Table, Tag, Timeline, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from 'urql';
import { Loading, LoadError } from '../../components/PageState';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDate, formatDateTime, formatMoney, formatNumber } from '../../lib/format';
import { DealDocument, MembersDocument } from './documents';
import { formatDuration, memberName } from './labels';

// Dark enough for white text (WCAG AA contrast), like the lifecycle stages.
export const STATUS_COLORS = { OPEN: '#0958d9', WON: '#237804', LOST: '#a8071a' } as const;

export default function DealPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const language = currentLanguage();
  const [result, reload] = useQuery({ query: DealDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const [members] = useQuery({ query: MembersDocument });

  if (result.fetching && !result.data) return <Loading />;
  if (result.error && !result.data)
    return <LoadError problems={problemsOf(result.error)} onRetry={() => reload({ requestPolicy: 'network-only' })} />;
  const deal = result.data?.deal;
  if (!deal)
    return (
      <Result
        status="404"
        title={t('deal.notFound')}
        extra={
          <Link to="/pipeline">
            <Button type="primary">{t('deal.backToBoard')}</Button>
          </Link>
        }
      />
    );
  const who = (userId: string | null | undefined) => memberName(members.data?.members, userId, t('deal.someone'));
  const empty = (key: string) => <Empty description={t(key)} image={Empty.PRESENTED_IMAGE_SIMPLE} />;

  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/pipeline">{t('board.title')}</Link> }, { title: deal.name }]} />
      <Card>
        <Flex justify="space-between" align="start" wrap gap={12}>
          <Flex vertical gap={4}>
            <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }} data-testid="deal-name">
              {deal.name}
            </Typography.Title>
            <Flex gap={4} wrap>
              <Tag variant="solid" color={STATUS_COLORS[deal.status]} data-testid="deal-status">
                {t(`dealStatus.${deal.status}`)}
              </Tag>
              <Tag data-testid="deal-stage">{deal.stage?.name ?? '—'}</Tag>
            </Flex>
          </Flex>
          <Typography.Text strong style={{ fontSize: 22 }} data-testid="deal-amount">
            {formatMoney(deal.amount, language)}
          </Typography.Text>
        </Flex>
      </Card>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Flex vertical gap={16}>
            <Card title={t('deal.lines')} size="small">
              <Table
                rowKey="lineNo"
                size="small"
                pagination={false}
                dataSource={deal.lines}
                locale={{ emptyText: empty('deal.noLines') }}
                scroll={{ x: 600 }}
                columns={[
                  { title: t('deal.product'), key: 'product', render: (_, l) => l.product?.name ?? l.productId },
                  { title: t('deal.quantity'), dataIndex: 'quantity', align: 'right', render: (q: string) => formatNumber(Number(q), language, 4) },
                  { title: t('deal.unitPrice'), dataIndex: 'unitPrice', align: 'right', render: (m) => formatMoney(m, language) },
                  { title: t('deal.discount'), dataIndex: 'discountPercent', align: 'right', render: (d: string) => `${formatNumber(Number(d), language, 2)} %` },
                  { title: t('deal.lineTotal'), dataIndex: 'total', align: 'right', render: (m) => formatMoney(m, language) },
                ]}
              />
            </Card>
            <Card title={t('deal.history')} size="small">
              {deal.stageHistory.length === 0 ? (
                empty('deal.noHistory')
              ) : (
                <Timeline
                  items={[...deal.stageHistory].reverse().map((v, i) => ({
                    key: `${v.stageId}-${v.enteredAt}-${i}`,
                    color: v.leftAt ? 'gray' : 'blue',
                    children: (
                      <div data-testid="stage-visit">
                        <Typography.Text strong>{v.stageName}</Typography.Text>
                        <div>
                          <Typography.Text type="secondary">
                            {t('deal.entered', { when: formatDateTime(v.enteredAt, language), who: who(v.movedBy) })}
                          </Typography.Text>
                        </div>
                        <div>
                          <Typography.Text type="secondary">
                            {v.leftAt
                              ? t('deal.stayed', { duration: formatDuration(v.durationSeconds, t) })
                              : t('deal.stillThere', { duration: formatDuration(v.durationSeconds, t) })}
                          </Typography.Text>
                        </div>
                      </div>
                    ),
                  }))}
                />
              )}
            </Card>
          </Flex>
        </Col>
        <Col xs={24} xl={8}>
          <Flex vertical gap={16}>
            <Card title={t('c360.details')} size="small">
              <Descriptions
                column={1}
                size="small"
                items={[
                  {
                    key: 'customer',
                    label: t('deal.customer'),
                    children: deal.customer ? <Link to={`/customers/${deal.customer.id}`}>{deal.customer.name}</Link> : '—',
                  },
                  { key: 'owner', label: t('customers.owner'), children: deal.ownerId ? who(deal.ownerId) : '—' },
                  { key: 'base', label: t('deal.baseAmount'), children: formatMoney(deal.amountInBaseCurrency, language) },
                  {
                    key: 'probability',
                    label: t('deal.probability'),
                    children: deal.stage ? `${formatNumber(Number(deal.stage.probability), language)} %` : '—',
                  },
                  { key: 'close', label: t('c360.closeDate'), children: formatDate(deal.expectedCloseDate, language) },
                  { key: 'closed', label: t('deal.closedAt'), children: formatDateTime(deal.closedAt, language) },
                  { key: 'reason', label: t('deal.closeReason'), children: deal.closeReason ?? '—' },
                  { key: 'created', label: t('customers.created'), children: formatDateTime(deal.createdAt, language) },
                  { key: 'updated', label: t('customers.updated'), children: formatDateTime(deal.updatedAt, language) },
                ]}
              />
            </Card>
            <Card title={t('c360.contacts')} size="small">
              {deal.contacts.length === 0
                ? empty('c360.noContacts')
                : deal.contacts.map((c) => (
                    <div key={c.contactId}>
                      <Typography.Text>{c.contact?.name ?? c.contactId}</Typography.Text>
                      {c.role && <Typography.Text type="secondary"> · {c.role}</Typography.Text>}
                    </div>
                  ))}
            </Card>
          </Flex>
        </Col>
      </Row>
    </Flex>
  );
}
