import { Space, Tag, Typography } from 'antd';
import type { ColumnsType, SorterResult, SortOrder } from 'antd/es/table/interface';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { CustomerRowFieldsFragment } from '../../gql/graphql';
import { currentLanguage } from '../../i18n';
import { formatDate } from '../../lib/format';
import { STAGE_COLORS } from './labels';
import type { OptionalColumn } from './listPrefs';
import type { SortKey } from './listState';

type Row = CustomerRowFieldsFragment;

/** The sorts of the sortable columns, ascending and descending. */
const SORT_KEYS: Record<string, [SortKey, SortKey]> = {
  name: ['name-asc', 'name-desc'],
  contact: ['contact-asc', 'contact-desc'],
  created: ['created-asc', 'created-desc'],
};

/** The sort a click on a column header asks for; null for a column without one. */
export function sortOfTable(sorter: SorterResult<Row> | SorterResult<Row>[]): SortKey | null {
  const s = Array.isArray(sorter) ? sorter[0] : sorter;
  const keys = SORT_KEYS[String(s?.columnKey)];
  if (!keys) return null;
  return s.order === 'descend' ? keys[1] : s.order === 'ascend' ? keys[0] : 'created-desc';
}

/**
 * The customer table's columns (the customer list's, and a segment's
 * members'): the name links to the 360 page; `shown` picks the optional
 * ones; with `sort`, the sortable ones show it (without, none sorts).
 */
export function useCustomerColumns({ shown, sort }: { shown: readonly OptionalColumn[]; sort?: SortKey }): {
  columns: ColumnsType<Row>;
  columnLabel: Record<OptionalColumn, string>;
} {
  const { t } = useTranslation();
  const language = currentLanguage();
  const sortable = sort !== undefined;
  const sortOrder = (key: string): SortOrder | undefined => {
    if (!sortable) return undefined;
    const [asc, desc] = SORT_KEYS[key];
    return sort === asc ? 'ascend' : sort === desc ? 'descend' : null;
  };
  const columnLabel: Record<OptionalColumn, string> = {
    stage: t('customers.stage'),
    email: t('customers.email'),
    phone: t('customers.phone'),
    country: t('customers.country'),
    tags: t('customers.tags'),
    contact: t('customers.lastInteraction'),
    created: t('customers.created'),
  };
  const columns: ColumnsType<Row> = [
    {
      title: t('customers.name'),
      dataIndex: 'name',
      key: 'name',
      sorter: sortable,
      sortOrder: sortOrder('name'),
      render: (name: string, c) => (
        <Space direction="vertical" size={0}>
          <Link to={`/customers/${c.id}`}>{name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t(`kind.${c.kind}`)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: columnLabel.stage,
      dataIndex: 'lifecycleStage',
      key: 'stage',
      render: (s: Row['lifecycleStage']) => (
        <Tag variant="solid" color={STAGE_COLORS[s]}>
          {t(`stage.${s}`)}
        </Tag>
      ),
    },
    { title: columnLabel.email, dataIndex: 'email', key: 'email', render: (v?: string | null) => v ?? '—' },
    { title: columnLabel.phone, dataIndex: 'phone', key: 'phone', render: (v?: string | null) => v ?? '—' },
    {
      title: columnLabel.country,
      key: 'country',
      render: (_, c) => [c.address?.city, c.address?.country].filter(Boolean).join(', ') || '—',
    },
    {
      title: columnLabel.tags,
      dataIndex: 'tags',
      key: 'tags',
      render: (tags: string[]) => tags.map((tag) => <Tag key={tag}>{tag}</Tag>),
    },
    {
      title: columnLabel.contact,
      dataIndex: 'lastInteractionAt',
      key: 'contact',
      sorter: sortable,
      sortOrder: sortOrder('contact'),
      render: (v?: string | null) => formatDate(v, language),
    },
    {
      title: columnLabel.created,
      dataIndex: 'createdAt',
      key: 'created',
      sorter: sortable,
      sortOrder: sortOrder('created'),
      render: (v: string) => formatDate(v, language),
    },
  ];
  return { columns: columns.filter((c) => c.key === 'name' || shown.includes(c.key as OptionalColumn)), columnLabel };
}
