import { Button, Flex, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * The footer of a list read in keyset pages: the total, the page size, and
 * the previous and next pages (`cursors` holds the `after` of each page up
 * to the current one, `null` for the first).
 */
export function KeysetPager(props: {
  total: number;
  pageSize: number;
  pageSizes?: number[];
  onPageSize?: (size: number) => void;
  cursors: (string | null)[];
  onCursors: (cursors: (string | null)[]) => void;
  hasNextPage: boolean;
  endCursor: string | null | undefined;
  testId?: string;
}) {
  const { t } = useTranslation();
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  return (
    <Flex justify="space-between" align="center" style={{ padding: 16 }} wrap gap={8}>
      <Typography.Text type="secondary" data-testid={props.testId}>
        {t('common.total', { count: props.total })}
      </Typography.Text>
      <Space>
        {props.pageSizes && props.onPageSize && (
          <Select
            aria-label={t('common.perPage', { count: props.pageSize })}
            value={props.pageSize}
            onChange={props.onPageSize}
            options={props.pageSizes.map((n) => ({ value: n, label: t('common.perPage', { count: n }) }))}
          />
        )}
        <Button disabled={props.cursors.length <= 1} onClick={() => props.onCursors(props.cursors.slice(0, -1))}>
          {t('common.previous')}
        </Button>
        <Typography.Text>{t('common.pageOf', { page: props.cursors.length, pages })}</Typography.Text>
        <Button disabled={!props.hasNextPage} onClick={() => props.onCursors([...props.cursors, props.endCursor ?? null])}>
          {t('common.next')}
        </Button>
      </Space>
    </Flex>
  );
}
