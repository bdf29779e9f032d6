import { App, Form, Modal, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from 'urql';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { ApiProblem } from '../../lib/errors';
import { SearchCustomersDocument } from '../customers/documents';

interface Picked {
  value: string;
  label: React.ReactNode;
}

/** What adding the picked customers came to: how many were added, or what went wrong. */
export type AddOutcome = { changed: number } | { problems: ApiProblem[] };

interface Props {
  open: boolean;
  title: string;
  /** The customer picker's id, which its label points at. */
  pickerId: string;
  /** The add is under way. */
  adding: boolean;
  add: (customerIds: string[]) => Promise<AddOutcome>;
  onClose: () => void;
  /** Customers were added. */
  onChanged: () => void;
}

/** Customers found by `searchCustomers` as they are typed, added to a segment or a campaign at once. */
export function AddCustomersModal({ open, title, pickerId, adding, add, onClose, onChanged }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<Picked[]>([]);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  // Searched once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  const [found] = useQuery({ query: SearchCustomersDocument, variables: { query, first: 20 }, pause: !query });

  const close = () => {
    setTyped('');
    setQuery('');
    setPicked([]);
    setProblems([]);
    onClose();
  };
  const submit = async () => {
    setProblems([]);
    const outcome = await add(picked.map((p) => p.value));
    if ('problems' in outcome) return setProblems(outcome.problems);
    void message.success(t('segments.added', { count: outcome.changed }));
    onChanged();
    close();
  };

  return (
    <Modal
      open={open}
      title={title}
      okText={t('segments.add')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: picked.length === 0 }}
      confirmLoading={adding}
      destroyOnHidden
      onOk={() => void submit()}
      onCancel={close}
    >
      <ProblemAlert problems={problems} />
      <Form layout="vertical">
        <Form.Item label={t('segments.pickCustomers')} htmlFor={pickerId}>
          <Select<Picked[]>
            id={pickerId}
            mode="multiple"
            labelInValue
            showSearch
            filterOption={false}
            data-testid="pick-customers"
            placeholder={t('segments.pickHint')}
            searchValue={typed}
            onSearch={setTyped}
            value={picked}
            onChange={(v) => {
              setPicked(v);
              setTyped('');
            }}
            loading={found.fetching}
            notFoundContent={null}
            options={(query ? (found.data?.searchCustomers ?? []) : []).map((c) => ({
              value: c.id,
              label: [c.name, c.email].filter(Boolean).join(' · '),
            }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
