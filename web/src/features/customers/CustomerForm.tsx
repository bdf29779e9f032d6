import { Button, Col, Flex, Form, Input, Radio, Row, Select } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { FormProblems } from '../../components/FormProblems';
import type { CustomerFormFieldsFragment } from '../../gql/graphql';
import { problemsOf, splitByField, type ApiProblem } from '../../lib/errors';
import { createInput, FORM_FIELDS, updateInput, valuesOf, type CustomerFormValues } from './customerInput';
import { CreateCustomerDocument, UpdateCustomerDocument } from './documents';
import { KINDS, STAGES } from './labels';

interface Props {
  /** The customer being edited; absent to create one. */
  customer?: CustomerFormFieldsFragment;
  onSaved: (id: string) => void;
  onCancel: () => void;
  /** Reads the customer again after a version conflict. */
  onReload?: () => void;
}

const NEW: CustomerFormValues = { kind: 'COMPANY', name: '', lifecycleStage: 'LEAD', tags: [] };

/**
 * Creates or edits a customer. The API checks the values: its validation
 * errors appear on their fields, a stale version as a conflict to reload.
 */
export function CustomerForm({ customer, onSaved, onCancel, onReload }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<CustomerFormValues>();
  const [created, create] = useMutation(CreateCustomerDocument);
  const [updated, update] = useMutation(UpdateCustomerDocument);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const saving = created.fetching || updated.fetching;

  const submit = async (values: CustomerFormValues) => {
    setProblems([]);
    const result = customer
      ? await update({ input: updateInput(customer, values) })
      : await create({ input: createInput(values) });
    const id = result.data && ('updateCustomer' in result.data ? result.data.updateCustomer : result.data.createCustomer).customer.id;
    if (id) return onSaved(id);
    const { fields, general } = splitByField(problemsOf(result.error), FORM_FIELDS);
    form.setFields(Object.entries(fields).map(([name, errors]) => ({ name: name as keyof CustomerFormValues, errors })));
    setProblems(general);
  };

  const required = [{ required: true, whitespace: true, message: t('auth.required') }];

  return (
    <Form<CustomerFormValues>
      form={form}
      layout="vertical"
      name={customer ? 'edit-customer' : 'new-customer'}
      initialValues={customer ? valuesOf(customer) : NEW}
      onFinish={submit}
      // A server error on a field goes once the field changes.
      onValuesChange={(changed: Partial<CustomerFormValues>) =>
        form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof CustomerFormValues, errors: [] })))
      }
      requiredMark
    >
      <FormProblems problems={problems} conflictMessage={t('customers.conflict')} onReload={onReload} />
      <Form.Item name="kind" label={t('customers.kind')}>
        <Radio.Group optionType="button" options={KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
      </Form.Item>
      <Form.Item name="name" label={t('customers.name')} rules={required}>
        <Input autoFocus maxLength={300} />
      </Form.Item>
      <Row gutter={16}>
        <Col xs={24} sm={12}>
          <Form.Item name="email" label={t('customers.email')}>
            <Input type="text" inputMode="email" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="phone" label={t('customers.phone')}>
            <Input inputMode="tel" autoComplete="off" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="lifecycleStage" label={t('customers.stage')}>
            <Select options={STAGES.map((s) => ({ value: s, label: t(`stage.${s}`) }))} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="tags" label={t('customers.tags')}>
            <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="industry" label={t('customers.industry')}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="website" label={t('customers.website')}>
            <Input inputMode="url" />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="city" label={t('customers.city')}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="country" label={t('customers.country')} tooltip={t('customers.countryHint')}>
            <Input maxLength={2} style={{ textTransform: 'uppercase' }} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={8}>
          <Form.Item name="region" label={t('customers.region')}>
            <Input />
          </Form.Item>
        </Col>
      </Row>
      <Flex justify="end" gap={8}>
        <Button onClick={onCancel}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
