import { Alert, App, Breadcrumb, Button, Card, Col, Descriptions, Empty, Flex, Form, Input, Modal, Rate, Result, Row, Select, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { Loading, LoadError } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { CaseStatus } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { hasCode, problemsOf, type ApiProblem } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useSession } from '../../lib/useSession';
import { MembersDocument } from '../sales/documents';
import { memberName } from '../sales/labels';
import { mayRate, nextStatuses, PRIORITY_COLORS, STATUS_COLORS } from './cases';
import { AssignCaseDocument, CaseDocument, ChangeCaseStatusDocument, RateCaseDocument } from './documents';
import { SlaBadges } from './SlaBadges';

/** A history value in words: statuses and priorities translated, members named. */
function useEventValue() {
  const { t } = useTranslation();
  const [members] = useQuery({ query: MembersDocument });
  return (kind: string, value: string | null | undefined): string => {
    if (value === null || value === undefined) return t('cases.none');
    if (kind === 'STATUS_CHANGED') return t(`caseStatus.${value}`, { defaultValue: value });
    if (kind === 'PRIORITY_CHANGED') return t(`casePriority.${value}`, { defaultValue: value });
    if (kind === 'ASSIGNED') return memberName(members.data?.members, value, t('cases.someone'));
    return value;
  };
}

export default function CasePage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const session = useSession();
  const language = currentLanguage();
  const [result, reload] = useQuery({ query: CaseDocument, variables: { id }, requestPolicy: 'cache-and-network' });
  const [members] = useQuery({ query: MembersDocument });
  const [, changeStatus] = useMutation(ChangeCaseStatusDocument);
  const [, rate] = useMutation(RateCaseDocument);
  const [, assign] = useMutation(AssignCaseDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [conflict, setConflict] = useState(false);
  const [asking, setAsking] = useState<CaseStatus | null>(null);
  const [busy, setBusy] = useState(false);
  const [noteForm] = Form.useForm<{ note?: string }>();
  const [rateForm] = Form.useForm<{ score: number; comment?: string }>();
  const eventValue = useEventValue();

  if (result.fetching && !result.data) return <Loading />;
  if (result.error && !result.data)
    return <LoadError problems={problemsOf(result.error)} onRetry={() => reload({ requestPolicy: 'network-only' })} />;
  const c = result.data?.case;
  if (!c)
    return (
      <Result
        status="404"
        title={t('cases.notFound')}
        extra={
          <Link to="/cases">
            <Button type="primary">{t('cases.backToQueue')}</Button>
          </Link>
        }
      />
    );

  const report = (error: Parameters<typeof problemsOf>[0]): boolean => {
    const found = problemsOf(error);
    if (found.length === 0) return true;
    if (hasCode(found, 'CONFLICT') && found.some((p) => p.field === 'version')) setConflict(true);
    else setProblems(found);
    return false;
  };
  const run = async (action: () => Promise<{ error?: Parameters<typeof problemsOf>[0] }>, done: string) => {
    setProblems([]);
    setConflict(false);
    setBusy(true);
    const r = await action();
    setBusy(false);
    const ok = report(r.error);
    if (ok) void message.success(done);
    return ok;
  };
  const toStatus = (status: CaseStatus, note?: string) =>
    run(() => changeStatus({ input: { id: c.id, version: c.version, status, note: note?.trim() || null } }), t('cases.statusChanged', { status: t(`caseStatus.${status}`) }));
  const who = (userId: string | null | undefined) => (userId ? memberName(members.data?.members, userId, t('cases.someone')) : t('cases.system'));
  const statusLabel = (s: CaseStatus) => (c.status === 'RESOLVED' && s === 'OPEN' ? t('cases.reopen') : t(`cases.to.${s}`));

  return (
    <Flex vertical gap={16}>
      <Breadcrumb items={[{ title: <Link to="/cases">{t('cases.title')}</Link> }, { title: `#${c.number}` }]} />
      <Card>
        <Flex justify="space-between" align="start" wrap gap={12}>
          <Flex vertical gap={6}>
            <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }} data-testid="case-subject">
              #{c.number} {c.subject}
            </Typography.Title>
            <Space wrap size={4}>
              <Tag variant="solid" color={STATUS_COLORS[c.status]} data-testid="case-status">
                {t(`caseStatus.${c.status}`)}
              </Tag>
              <Tag variant="solid" color={PRIORITY_COLORS[c.priority]}>{t(`casePriority.${c.priority}`)}</Tag>
              <Tag>{t(`caseKind.${c.kind}`)}</Tag>
              <Tag>{t(`caseChannel.${c.channel}`)}</Tag>
              <SlaBadges {...c} />
            </Space>
          </Flex>
          <Space wrap role="group" aria-label={t('cases.actions')}>
            {nextStatuses(c.status).map((s) => (
              <Button
                key={s}
                type={s === 'RESOLVED' ? 'primary' : 'default'}
                disabled={busy}
                onClick={() => {
                  if (s === 'RESOLVED' || s === 'PENDING' || s === 'CLOSED') {
                    noteForm.resetFields();
                    setAsking(s);
                  } else void toStatus(s);
                }}
              >
                {statusLabel(s)}
              </Button>
            ))}
          </Space>
        </Flex>
      </Card>
      {conflict && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          message={t('cases.conflict')}
          action={
            <Button
              size="small"
              onClick={() => {
                setConflict(false);
                reload({ requestPolicy: 'network-only' });
              }}
            >
              {t('common.reload')}
            </Button>
          }
        />
      )}
      <ProblemAlert problems={problems} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <Flex vertical gap={16}>
            <Card title={t('cases.description')} size="small">
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{c.description || t('cases.noDescription')}</Typography.Paragraph>
              {c.resolution && (
                <>
                  <Typography.Title level={2} style={{ fontSize: 14, marginTop: 16 }}>
                    {t('cases.resolution')}
                  </Typography.Title>
                  <Typography.Paragraph data-testid="case-resolution" style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
                    {c.resolution}
                  </Typography.Paragraph>
                </>
              )}
            </Card>
            <Card title={t('cases.history')} size="small">
              {c.history.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cases.noHistory')} />
              ) : (
                <Timeline
                  items={[...c.history].reverse().map((e) => ({
                    key: e.id,
                    children: (
                      <div data-testid="case-event">
                        <Typography.Text strong>{t(`caseEvent.${e.kind}`, { defaultValue: e.kind })}</Typography.Text>
                        {(e.from !== null || e.to !== null) && e.kind !== 'OPENED' && e.kind !== 'RATED' && (
                          <Typography.Text> {t('cases.fromTo', { from: eventValue(e.kind, e.from), to: eventValue(e.kind, e.to) })}</Typography.Text>
                        )}
                        {e.kind === 'RATED' && e.to && <Typography.Text> {t('cases.stars', { count: Number(e.to) })}</Typography.Text>}
                        {e.note && <div style={{ whiteSpace: 'pre-wrap' }}>{e.note}</div>}
                        <div>
                          <Typography.Text type="secondary">
                            {formatDateTime(e.at, language)} · {who(e.actorId)}
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
                    children: c.customer ? <Link to={`/customers/${c.customer.id}`}>{c.customer.name}</Link> : '—',
                  },
                  { key: 'contact', label: t('cases.contact'), children: c.contact ? c.contact.name : '—' },
                  {
                    key: 'owner',
                    label: t('cases.owner'),
                    children: (
                      <Select
                        aria-label={t('cases.owner')}
                        size="small"
                        style={{ minWidth: 160 }}
                        disabled={busy || c.status === 'CLOSED'}
                        value={c.ownerId ?? ''}
                        onChange={(ownerId: string) =>
                          void run(() => assign({ input: { id: c.id, version: c.version, ownerId: ownerId || null } }), t('cases.assigned'))
                        }
                        options={[
                          { value: '', label: t('cases.unassigned') },
                          ...(members.data?.members ?? []).map((m) => ({
                            value: m.user.id,
                            label: (m.user.displayName || m.user.email || t('cases.someone')) + (m.user.id === session?.user.id ? ` (${t('cases.me')})` : ''),
                          })),
                          ...(c.ownerId && !members.data?.members.some((m) => m.user.id === c.ownerId)
                            ? [{ value: c.ownerId, label: c.owner?.displayName || t('cases.someone') }]
                            : []),
                        ]}
                      />
                    ),
                  },
                  { key: 'created', label: t('customers.created'), children: formatDateTime(c.createdAt, language) },
                ]}
              />
            </Card>
            <Card title={t('cases.sla')} size="small">
              <Descriptions
                column={1}
                size="small"
                items={[
                  { key: 'frd', label: t('cases.firstResponseDue'), children: formatDateTime(c.firstResponseDueAt, language) },
                  { key: 'fr', label: t('cases.firstResponded'), children: formatDateTime(c.firstRespondedAt, language) },
                  { key: 'rd', label: t('cases.resolutionDue'), children: formatDateTime(c.resolutionDueAt, language) },
                  { key: 'r', label: t('cases.resolvedAt'), children: formatDateTime(c.resolvedAt, language) },
                  { key: 'closed', label: t('cases.closedAt'), children: formatDateTime(c.closedAt, language) },
                ]}
              />
            </Card>
            <Card title={t('cases.satisfaction')} size="small">
              {c.satisfaction ? (
                <Flex vertical gap={4} data-testid="case-rating">
                  <Rate disabled value={c.satisfaction.score} aria-label={t('cases.stars', { count: c.satisfaction.score })} />
                  {c.satisfaction.comment && <Typography.Text>{c.satisfaction.comment}</Typography.Text>}
                  <Typography.Text type="secondary">{formatDateTime(c.satisfaction.ratedAt, language)}</Typography.Text>
                </Flex>
              ) : mayRate(c.status, false) ? (
                <Form
                  form={rateForm}
                  layout="vertical"
                  onFinish={(v) =>
                    void run(() => rate({ input: { id: c.id, score: v.score, comment: v.comment?.trim() || null } }), t('cases.rated'))
                  }
                >
                  <Form.Item name="score" label={t('cases.score')} rules={[{ required: true, message: t('cases.scoreRequired') }]}>
                    <Rate />
                  </Form.Item>
                  <Form.Item name="comment" label={t('cases.comment')}>
                    <Input.TextArea rows={2} maxLength={1000} />
                  </Form.Item>
                  <Button htmlType="submit" disabled={busy}>
                    {t('cases.saveRating')}
                  </Button>
                </Form>
              ) : (
                <Typography.Text type="secondary">{t('cases.rateLater')}</Typography.Text>
              )}
            </Card>
          </Flex>
        </Col>
      </Row>
      <Modal
        open={asking !== null}
        title={asking ? statusLabel(asking) : ''}
        okText={asking ? statusLabel(asking) : ''}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onCancel={() => setAsking(null)}
        onOk={() => noteForm.submit()}
        destroyOnHidden
      >
        <Form
          form={noteForm}
          layout="vertical"
          onFinish={async ({ note }) => {
            if (asking) await toStatus(asking, note);
            setAsking(null);
          }}
        >
          <Form.Item
            name="note"
            label={asking === 'RESOLVED' ? t('cases.resolution') : t('cases.note')}
            rules={asking === 'RESOLVED' ? [{ required: true, whitespace: true, message: t('cases.resolutionRequired') }] : []}
          >
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
