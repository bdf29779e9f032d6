import { App, Button, Descriptions, Flex, Form, Input, Modal, Radio, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import type { CustomerRowFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { problemsOf } from '../../lib/errors';
import { formatDate } from '../../lib/format';
import { usePermissions } from '../../lib/permissions';
import { MembersDocument } from '../sales/documents';
import { BulkUpdateCustomerDocument, MergeCustomersDocument } from './documents';
import { retag } from './listPrefs';

type Row = CustomerRowFieldsFragment;
type Action = 'addTag' | 'removeTag' | 'owner' | 'merge';

/**
 * What can be done to the selected customers. The API has no bulk mutation:
 * each customer is updated on its own (with the version the list read), and
 * those that fail are reported and stay selected.
 */
export function BulkActions({ selected, onDone }: { selected: Row[]; onDone: (failed: string[]) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = usePermissions();
  const [action, setAction] = useState<Action | null>(null);
  // The last action chosen: its dialog keeps its title while it closes.
  const [shown, setShown] = useState<Action>('addTag');
  const choose = (a: Action) => {
    setShown(a);
    setAction(a);
  };
  const [busy, setBusy] = useState(false);
  const [, update] = useMutation(BulkUpdateCustomerDocument);
  const [, merge] = useMutation(MergeCustomersDocument);
  const [members] = useQuery({ query: MembersDocument, pause: action !== 'owner' });
  const [form] = Form.useForm<{ tag?: string; ownerId?: string }>();
  const [survivor, setSurvivor] = useState<string | null>(null);
  const language = currentLanguage();

  const close = () => {
    setAction(null);
    form.resetFields();
    setSurvivor(null);
  };

  const apply = async (values: { tag?: string; ownerId?: string }) => {
    setBusy(true);
    const failed: string[] = [];
    const problems: string[] = [];
    for (const c of selected) {
      const input =
        action === 'owner'
          ? { id: c.id, version: c.version, ownerId: values.ownerId }
          : { id: c.id, version: c.version, tags: retag(c.tags, values.tag ?? '', action === 'addTag') };
      const r = await update({ input });
      if (r.error) {
        failed.push(c.id);
        problems.push(`${c.name}: ${problemsOf(r.error)[0]?.message ?? ''}`);
      }
    }
    setBusy(false);
    if (failed.length) problems.forEach((p) => void message.error(p));
    else void message.success(t('bulk.done', { count: selected.length }));
    close();
    onDone(failed);
  };

  const doMerge = async () => {
    const keep = selected.find((c) => c.id === survivor);
    const gone = selected.find((c) => c.id !== survivor);
    if (!keep || !gone) return;
    setBusy(true);
    const r = await merge({ input: { survivorId: keep.id, mergedId: gone.id, survivorVersion: keep.version } });
    setBusy(false);
    if (r.error) {
      problemsOf(r.error).forEach((p) => void message.error(p.message));
      return;
    }
    void message.success(t('bulk.merged', { name: keep.name }));
    close();
    onDone([]);
  };

  const canMerge = can('customers:write') && can('customers:delete') && selected.length === 2;
  const [a, b] = selected;

  return (
    <Flex align="center" gap={8} wrap role="group" aria-label={t('bulk.actions')} data-testid="bulk-actions" style={{ padding: '12px 16px' }}>
      <Typography.Text strong>{t('bulk.selected', { count: selected.length })}</Typography.Text>
      <Button onClick={() => choose('addTag')}>{t('bulk.addTag')}</Button>
      <Button onClick={() => choose('removeTag')}>{t('bulk.removeTag')}</Button>
      <Button onClick={() => choose('owner')}>{t('bulk.assignOwner')}</Button>
      {canMerge && (
        <Button onClick={() => choose('merge')}>{t('bulk.merge')}</Button>
      )}
      <Button type="link" onClick={() => onDone([])}>
        {t('bulk.clear')}
      </Button>

      <Modal
        open={action === 'addTag' || action === 'removeTag' || action === 'owner'}
        title={t(`bulk.${shown === 'owner' ? 'assignOwner' : shown === 'merge' ? 'addTag' : shown}`)}
        okText={t('bulk.apply')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        destroyOnHidden
        onOk={() => form.submit()}
        onCancel={close}
      >
        <Typography.Paragraph type="secondary">{t('bulk.appliesTo', { count: selected.length })}</Typography.Paragraph>
        <Form form={form} layout="vertical" onFinish={(v) => void apply(v)}>
          {shown === 'owner' ? (
            <Form.Item name="ownerId" label={t('customers.owner')} rules={[{ required: true, message: t('bulk.ownerRequired') }]}>
              <Select
                aria-label={t('customers.owner')}
                loading={members.fetching}
                options={(members.data?.members ?? []).map((m) => ({
                  value: m.user.id,
                  label: m.user.displayName || m.user.email,
                }))}
              />
            </Form.Item>
          ) : (
            <Form.Item name="tag" label={t('customers.tag')} rules={[{ required: true, whitespace: true, message: t('bulk.tagRequired') }, { max: 50 }]}>
              <Input autoFocus />
            </Form.Item>
          )}
        </Form>
      </Modal>

      <Modal
        open={action === 'merge'}
        title={t('bulk.mergeTitle')}
        okText={t('bulk.mergeOk')}
        okButtonProps={{ disabled: !survivor, danger: true }}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        width={760}
        destroyOnHidden
        onOk={() => void doMerge()}
        onCancel={close}
      >
        <Typography.Paragraph>{t('bulk.mergeHelp')}</Typography.Paragraph>
        {a && b && (
          <Radio.Group value={survivor} onChange={(e) => setSurvivor(e.target.value)} style={{ width: '100%' }} aria-label={t('bulk.keep')}>
            <Flex gap={12} wrap>
              {[a, b].map((c) => (
                <Space key={c.id} direction="vertical" style={{ flex: '1 1 300px' }}>
                  <Radio value={c.id}>{t('bulk.keepThis', { name: c.name })}</Radio>
                  <Descriptions
                    size="small"
                    column={1}
                    bordered
                    items={[
                      { key: 'name', label: t('customers.name'), children: c.name },
                      { key: 'email', label: t('customers.email'), children: c.email ?? '—' },
                      { key: 'phone', label: t('customers.phone'), children: c.phone ?? '—' },
                      { key: 'stage', label: t('customers.stage'), children: t(`stage.${c.lifecycleStage}`) },
                      { key: 'tags', label: t('customers.tags'), children: c.tags.length ? c.tags.map((x) => <Tag key={x}>{x}</Tag>) : '—' },
                      { key: 'created', label: t('customers.created'), children: formatDate(c.createdAt, language) },
                    ]}
                  />
                </Space>
              ))}
            </Flex>
          </Radio.Group>
        )}
      </Modal>
    </Flex>
  );
}
