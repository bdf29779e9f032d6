import { MoreOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Dropdown, Empty, Flex, Form, Input, Modal, Select, Spin, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { useMutation, useQuery } from 'urql';
import { Loading, LoadError } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { DealCardFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { hasCode, problemsOf, type ApiProblem } from '../../lib/errors';
import { formatDate, formatMoney } from '../../lib/format';
import { cardsOf, CLOSED_DAYS, COLUMN_LIMIT, columnFilter, daysAgo, moveStep, targetsOf, type StageLike } from './board';
import { BoardDealsDocument, MoveDealDocument, PipelinesDocument } from './documents';

const DRAG_TYPE = 'application/x-crm-deal';

interface MoveRequest {
  deal: DealCardFieldsFragment;
  stage: StageLike;
}

function DealCard(props: {
  deal: DealCardFieldsFragment;
  stages: StageLike[];
  busy: boolean;
  onMove: (stage: StageLike) => void;
  onDragStart: () => void;
  onDragEnd: () => void;
}) {
  const { t } = useTranslation();
  const { deal } = props;
  const language = currentLanguage();
  return (
    <div
      className="deal-card"
      data-testid="deal-card"
      data-deal-id={deal.id}
      draggable={!props.busy}
      aria-busy={props.busy || undefined}
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, deal.id);
        e.dataTransfer.setData('text/plain', deal.name);
        e.dataTransfer.effectAllowed = 'move';
        props.onDragStart();
      }}
      onDragEnd={props.onDragEnd}
    >
      <Flex justify="space-between" align="start" gap={4}>
        <Link to={`/deals/${deal.id}`} draggable={false} style={{ fontWeight: 500 }}>
          {deal.name}
        </Link>
        <Dropdown
          trigger={['click']}
          menu={{
            items: targetsOf(props.stages, deal).map((s) => ({ key: s.id, label: s.name })),
            onClick: ({ key }) => {
              const stage = props.stages.find((s) => s.id === key);
              if (stage) props.onMove(stage);
            },
          }}
        >
          <Button
            size="small"
            type="text"
            icon={<MoreOutlined />}
            disabled={props.busy}
            aria-label={t('board.moveDeal', { name: deal.name })}
            title={t('board.moveTo')}
          />
        </Dropdown>
      </Flex>
      <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
        {deal.customer?.name ?? '—'}
      </Typography.Text>
      <Flex justify="space-between" wrap gap={4} style={{ marginTop: 4 }}>
        <Typography.Text strong data-testid="deal-amount">
          {formatMoney(deal.amount, language)}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {deal.status === 'OPEN'
            ? deal.expectedCloseDate
              ? t('board.closes', { date: formatDate(deal.expectedCloseDate, language) })
              : ''
            : t('board.closedOn', { date: formatDate(deal.closedAt, language) })}
        </Typography.Text>
      </Flex>
      {deal.closeReason && (
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
          {t('board.reasonShort', { reason: deal.closeReason })}
        </Typography.Text>
      )}
    </div>
  );
}

function StageColumn(props: {
  stage: StageLike;
  stages: StageLike[];
  closedSince: string;
  dragging: DealCardFieldsFragment | null;
  busyId: string | null;
  onMove: (request: MoveRequest) => void;
  setDragging: (deal: DealCardFieldsFragment | null) => void;
}) {
  const { t } = useTranslation();
  const { stage } = props;
  const [over, setOver] = useState(false);
  const variables = useMemo(
    () => ({ first: COLUMN_LIMIT, filter: columnFilter(stage, props.closedSince) }),
    [stage, props.closedSince],
  );
  const [result, reexecute] = useQuery({ query: BoardDealsDocument, variables, requestPolicy: 'cache-and-network' });
  const deals = cardsOf(stage, result.data?.deals.edges.map((e) => e.node) ?? []);
  const total = result.data?.deals.totalCount ?? 0;
  const accepts = props.dragging !== null && props.dragging.stageId !== stage.id;
  const headingId = `stage-${stage.id}`;

  return (
    <section
      className={`board-column${over && accepts ? ' board-column-over' : ''}`}
      aria-labelledby={headingId}
      data-testid="stage-column"
      data-stage={stage.name}
      onDragOver={(e) => {
        if (!accepts) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        if (!over) setOver(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        const deal = props.dragging;
        props.setDragging(null);
        if (deal && deal.id === e.dataTransfer.getData(DRAG_TYPE) && deal.stageId !== stage.id) props.onMove({ deal, stage });
      }}
    >
      <Flex justify="space-between" align="center" className="board-column-head">
        <Typography.Title level={2} id={headingId} style={{ fontSize: 15, margin: 0 }}>
          {stage.name}
        </Typography.Title>
        <Badge
          count={total}
          showZero
          overflowCount={9999}
          color={stage.kind === 'WON' ? '#237804' : stage.kind === 'LOST' ? '#a8071a' : '#1463d8'}
          aria-label={t('board.count', { count: total })}
        />
      </Flex>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {stage.kind === 'OPEN' ? t('board.probability', { value: Number(stage.probability) }) : t('board.recentClosed', { days: CLOSED_DAYS })}
      </Typography.Text>
      <Flex vertical gap={8} style={{ marginTop: 8, minHeight: 80 }}>
        {result.error && !result.data ? (
          <LoadError problems={problemsOf(result.error)} onRetry={() => reexecute({ requestPolicy: 'network-only' })} />
        ) : result.fetching && !result.data ? (
          <Spin aria-label={t('common.loading')} />
        ) : deals.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('board.emptyStage')} />
        ) : (
          deals.map((deal) => (
            <DealCard
              key={deal.id}
              deal={deal}
              stages={props.stages}
              busy={props.busyId === deal.id}
              onMove={(target) => props.onMove({ deal, stage: target })}
              onDragStart={() => props.setDragging(deal)}
              onDragEnd={() => props.setDragging(null)}
            />
          ))
        )}
        {total > deals.length && deals.length >= COLUMN_LIMIT && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('board.more', { shown: deals.length, total })}
          </Typography.Text>
        )}
      </Flex>
    </section>
  );
}

export default function PipelineBoardPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const [pipelines, reloadPipelines] = useQuery({ query: PipelinesDocument, requestPolicy: 'cache-and-network' });
  const [, moveDeal] = useMutation(MoveDealDocument);
  const [closedSince] = useState(() => daysAgo(CLOSED_DAYS));
  const [dragging, setDragging] = useState<DealCardFieldsFragment | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [asking, setAsking] = useState<MoveRequest | null>(null);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [conflict, setConflict] = useState<string | null>(null);
  // Columns are mounted afresh (and read again) after a conflict.
  const [generation, setGeneration] = useState(0);
  const [form] = Form.useForm<{ reason: string }>();

  if (pipelines.fetching && !pipelines.data) return <Loading />;
  if (pipelines.error && !pipelines.data)
    return <LoadError problems={problemsOf(pipelines.error)} onRetry={() => reloadPipelines({ requestPolicy: 'network-only' })} />;
  const all = pipelines.data?.pipelines ?? [];
  const pipeline = all.find((p) => p.id === params.get('pipeline')) ?? all.find((p) => p.isDefault) ?? all[0];

  const move = async ({ deal, stage }: MoveRequest, reason?: string): Promise<boolean> => {
    setProblems([]);
    setConflict(null);
    setBusyId(deal.id);
    const result = await moveDeal({ input: { id: deal.id, stageId: stage.id, version: deal.version, reason: reason || null } });
    setBusyId(null);
    const found = problemsOf(result.error);
    if (found.length === 0) {
      void message.success(t('board.moved', { name: deal.name, stage: stage.name }));
      return true;
    }
    if (hasCode(found, 'CONFLICT')) setConflict(deal.name);
    else setProblems(found);
    return false;
  };
  const request = (r: MoveRequest) => {
    if (moveStep(r.stage).ask === 'reason') {
      form.resetFields();
      setAsking(r);
    } else void move(r);
  };
  const reload = () => {
    setConflict(null);
    setProblems([]);
    setGeneration((g) => g + 1);
  };

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('board.title')}
        </Typography.Title>
        {all.length > 1 && pipeline && (
          <Select
            aria-label={t('board.pipeline')}
            value={pipeline.id}
            style={{ minWidth: 200 }}
            onChange={(id) => setParams({ pipeline: id }, { replace: true })}
            options={all.map((p) => ({ value: p.id, label: p.name }))}
          />
        )}
      </Flex>
      <Typography.Text type="secondary">{t('board.hint')}</Typography.Text>
      {conflict && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          message={t('board.conflict', { name: conflict })}
          action={
            <Button size="small" onClick={reload} data-testid="reload-board">
              {t('common.reload')}
            </Button>
          }
        />
      )}
      <ProblemAlert problems={problems} />
      {!pipeline ? (
        <Empty description={t('board.noPipeline')} />
      ) : (
        <div className="board" key={`${pipeline.id}/${generation}`}>
          {pipeline.stages.map((stage) => (
            <StageColumn
              key={stage.id}
              stage={stage}
              stages={pipeline.stages}
              closedSince={closedSince}
              dragging={dragging}
              busyId={busyId}
              setDragging={setDragging}
              onMove={request}
            />
          ))}
        </div>
      )}
      <Modal
        open={asking !== null}
        title={t('board.lostTitle', { name: asking?.deal.name ?? '' })}
        okText={t('board.markLost')}
        cancelText={t('common.cancel')}
        onCancel={() => setAsking(null)}
        onOk={() => form.submit()}
        confirmLoading={busyId !== null}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={async ({ reason }) => {
            if (asking && (await move(asking, reason.trim()))) setAsking(null);
            else setAsking(null);
          }}
        >
          <Form.Item
            name="reason"
            label={t('board.lostReason')}
            rules={[{ required: true, whitespace: true, message: t('board.lostReasonRequired') }]}
          >
            <Input.TextArea rows={3} maxLength={500} autoFocus />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
