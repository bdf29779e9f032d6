import { Alert, Button, Flex, Form, Input, Radio, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { FormProblems } from '../../components/FormProblems';
import type { SegmentFieldsFragment } from '../../gql/graphql';
import { problemsOf, splitByField, type ApiProblem } from '../../lib/errors';
import { useSession } from '../../lib/useSession';
import { CustomerFilters } from '../customers/CustomerFilters';
import { filterOf, NO_FILTERS, type CustomerFilterState } from '../customers/listState';
import { MembersDocument } from '../sales/documents';
import { CreateSegmentDocument, CustomerCountDocument, UpdateSegmentDocument } from './documents';
import { createSegmentInput, noConditions, SEGMENT_KINDS, segmentValuesOf, updateSegmentInput, type SegmentFormValues } from './segments';

const FORM_FIELDS = ['name', 'description', 'kind', 'ownerId', 'filter'] as const;

/**
 * A dynamic segment's conditions: the customer list's filter controls, all
 * of them. A filter they cannot show (set through the API) is kept as it is
 * unless the user replaces it.
 */
function ConditionsField({ value, onChange }: { value?: CustomerFilterState | null; onChange?: (v: CustomerFilterState) => void }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance<SegmentFormValues>();
  const filter = value ? filterOf(value) : null;
  const [count] = useQuery({
    query: CustomerCountDocument,
    variables: { filter },
    pause: !filter,
    requestPolicy: 'cache-and-network',
  });
  if (value === null || value === undefined)
    return (
      <Alert
        type="info"
        showIcon
        message={t('segments.customFilter')}
        action={
          <Button size="small" onClick={() => onChange?.({ ...NO_FILTERS })}>
            {t('segments.replaceFilter')}
          </Button>
        }
      />
    );
  return (
    <Flex vertical gap={8}>
      <Typography.Text type="secondary">{t('segments.conditionsHint')}</Typography.Text>
      <Flex wrap gap={8} role="group" aria-label={t('segments.conditions')}>
        <CustomerFilters
          more
          value={value}
          // The patch applies to the conditions as they are when it is made (two quick ones both stay).
          onChange={(patch) => onChange?.({ ...(form.getFieldValue('filter') as CustomerFilterState), ...patch })}
        />
      </Flex>
      {filter && count.data && (
        <Typography.Text data-testid="segment-matching">{t('segments.matching', { count: count.data.customers.totalCount })}</Typography.Text>
      )}
    </Flex>
  );
}

interface Props {
  /** The segment being edited; absent to create one. */
  segment?: SegmentFieldsFragment;
  /** A new segment's conditions (the customer list's filters). */
  initialFilter?: CustomerFilterState;
  onSaved: (segment: SegmentFieldsFragment) => void;
  onCancel: () => void;
  /** Reads the segment again after a version conflict. */
  onReload?: () => void;
}

/**
 * Creates or edits a segment. The API checks the values: its validation
 * errors (and a name already taken) appear on their fields, a stale version
 * as a conflict to reload.
 */
export function SegmentForm({ segment, initialFilter, onSaved, onCancel, onReload }: Props) {
  const { t } = useTranslation();
  const session = useSession();
  const [form] = Form.useForm<SegmentFormValues>();
  const [members] = useQuery({ query: MembersDocument });
  const [created, create] = useMutation(CreateSegmentDocument);
  const [updated, update] = useMutation(UpdateSegmentDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const saving = created.fetching || updated.fetching;

  const initialValues: SegmentFormValues = segment
    ? segmentValuesOf(segment)
    : { name: '', description: '', kind: 'DYNAMIC', ownerId: session?.user.id ?? null, filter: initialFilter ?? { ...NO_FILTERS } };

  // Undefined until the form has rendered once.
  const kind = Form.useWatch('kind', form) ?? initialValues.kind;

  const submit = async () => {
    setProblems([]);
    // Every value, those of fields not shown (a static list's conditions) included.
    const values = { ...initialValues, ...(form.getFieldsValue(true) as SegmentFormValues) };
    // An update cannot take "no filter" (it means "unchanged"): the form says so itself.
    if (segment && noConditions(values)) {
      form.setFields([{ name: 'filter', errors: [t('segments.filterRequired')] }]);
      return;
    }
    const result = segment
      ? await update({ input: updateSegmentInput(segment, values) })
      : await create({ input: createSegmentInput(values) });
    const saved = result.data && ('updateSegment' in result.data ? result.data.updateSegment : result.data.createSegment).segment;
    if (saved) return onSaved(saved);
    const { fields, general } = splitByField(problemsOf(result.error), FORM_FIELDS);
    form.setFields(Object.entries(fields).map(([name, errors]) => ({ name: name as keyof SegmentFormValues, errors })));
    setProblems(general);
  };

  const ownerOptions = (members.data?.members ?? []).map((m) => ({ value: m.user.id, label: m.user.displayName || m.user.email }));

  return (
    <Form<SegmentFormValues>
      form={form}
      layout="vertical"
      name={segment ? 'edit-segment' : 'new-segment'}
      initialValues={initialValues}
      onFinish={() => void submit()}
      // A server error on a field goes once the field changes.
      onValuesChange={(changed: Partial<SegmentFormValues>) =>
        form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof SegmentFormValues, errors: [] })))
      }
      requiredMark
    >
      <FormProblems problems={problems} conflictMessage={t('segments.conflict')} onReload={onReload} />
      <Form.Item name="name" label={t('segments.name')} rules={[{ required: true, whitespace: true, message: t('auth.required') }]}>
        <Input autoFocus maxLength={200} />
      </Form.Item>
      <Form.Item name="description" label={t('segments.description')}>
        <Input.TextArea rows={2} maxLength={2000} />
      </Form.Item>
      <Flex gap={16} wrap>
        <Form.Item name="kind" label={t('segments.kind')}>
          <Radio.Group
            optionType="button"
            // A segment keeps its kind (the API changes everything else).
            disabled={!!segment}
            options={SEGMENT_KINDS.map((k) => ({ value: k, label: t(`segmentKind.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="ownerId" label={t('segments.owner')} style={{ minWidth: 240 }}>
          <Select allowClear loading={members.fetching} options={ownerOptions} />
        </Form.Item>
      </Flex>
      {kind === 'STATIC' ? (
        <Typography.Paragraph type="secondary">{t('segments.staticHint')}</Typography.Paragraph>
      ) : (
        <Form.Item name="filter" label={t('segments.conditions')}>
          <ConditionsField />
        </Form.Item>
      )}
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
