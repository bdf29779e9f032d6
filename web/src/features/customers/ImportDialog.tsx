import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Flex, Modal, Select, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { CustomerImportField, ImportCustomersMutation, ImportMatchBy, ImportMode } from '../../gql/graphql';
import { problemsOf, type ApiProblem } from '../../lib/errors';
import { ImportCustomersDocument } from './documents';
import { firstCsvRecord, guessField, IMPORT_FIELDS } from './importExport';

type Report = ImportCustomersMutation['importCustomers'];
const MATCH_BY: (ImportMatchBy | 'DEFAULT')[] = ['DEFAULT', 'EXTERNAL_ID', 'EMAIL', 'PHONE', 'EMAIL_OR_PHONE', 'NONE'];
const IGNORE = '__ignore';

/**
 * Customers from a CSV file: check it first (a dry run reports every bad
 * row), fix the file and check again, then import for real.
 */
export function ImportDialog({ open, onClose, onImported }: { open: boolean; onClose: () => void; onImported: () => void }) {
  const { t } = useTranslation();
  const [{ fetching }, importCustomers] = useMutation(ImportCustomersDocument);
  const [file, setFile] = useState<File | null>(null);
  const [columns, setColumns] = useState<string[]>([]);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [mode, setMode] = useState<ImportMode>('ALL_OR_NOTHING');
  const [matchBy, setMatchBy] = useState<ImportMatchBy | 'DEFAULT'>('DEFAULT');
  const [check, setCheck] = useState<Report | null>(null);
  const [done, setDone] = useState<Report | null>(null);
  const [problems, setProblems] = useState<ApiProblem[]>([]);

  const reset = () => {
    setCheck(null);
    setDone(null);
    setProblems([]);
  };

  const pick = async (f: File) => {
    reset();
    setFile(f);
    const head = firstCsvRecord(await f.slice(0, 64 * 1024).text());
    setColumns(head);
    setMapping(Object.fromEntries(head.map((c) => [c, guessField(c) ?? IGNORE])));
  };

  // A mapping only when the user changed what the API would guess.
  const changed = columns.some((c) => mapping[c] !== (guessField(c) ?? IGNORE));
  const run = async (dryRun: boolean) => {
    if (!file) return;
    setProblems([]);
    const result = await importCustomers(
      {
        input: {
          file,
          dryRun,
          mode,
          matchBy: matchBy === 'DEFAULT' ? null : matchBy,
          mapping: changed
            ? columns.filter((c) => mapping[c] !== IGNORE).map((c) => ({ column: c, field: mapping[c] as CustomerImportField }))
            : null,
        },
      },
      // The API takes uploads only with a header a plain form cannot send.
      { fetchOptions: { headers: { 'x-csrf-protection': '1' } } },
    );
    if (!result.data) {
      setProblems(problemsOf(result.error));
      return;
    }
    const report = result.data.importCustomers;
    if (dryRun) {
      setCheck(report);
      setDone(null);
    } else {
      setDone(report);
      if (report.committed) onImported();
    }
  };

  const report = done ?? check;
  const canImport = !!check && !done && (check.errorCount === 0 || mode === 'SKIP_INVALID');

  const close = () => {
    setFile(null);
    setColumns([]);
    reset();
    onClose();
  };

  return (
    <Modal
      open={open}
      title={t('import.title')}
      width={760}
      maskClosable={false}
      destroyOnHidden
      onCancel={close}
      footer={
        <Flex justify="end" gap={8}>
          <Button onClick={close}>{done ? t('common.close') : t('common.cancel')}</Button>
          {!done && (
            <Button disabled={!file} loading={fetching} onClick={() => void run(true)}>
              {check ? t('import.checkAgain') : t('import.check')}
            </Button>
          )}
          {!done && (
            <Button type="primary" disabled={!canImport} loading={fetching} onClick={() => void run(false)}>
              {t('import.run')}
            </Button>
          )}
        </Flex>
      }
    >
      <Flex vertical gap={12}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('import.hint')}
        </Typography.Paragraph>
        <Flex gap={8} wrap align="center">
          <Upload
            accept=".csv,text/csv"
            maxCount={1}
            showUploadList={false}
            beforeUpload={(f) => {
              void pick(f);
              return false;
            }}
          >
            <Button icon={<UploadOutlined />}>{file ? t('import.otherFile') : t('import.chooseFile')}</Button>
          </Upload>
          <Typography.Text data-testid="import-file">{file?.name ?? t('import.noFile')}</Typography.Text>
        </Flex>
        <Flex gap={16} wrap>
          <label>
            <Typography.Text style={{ marginRight: 8 }}>{t('import.mode')}</Typography.Text>
            <Select<ImportMode>
              aria-label={t('import.mode')}
              value={mode}
              style={{ width: 260 }}
              onChange={(m) => {
                setMode(m);
                setDone(null);
              }}
              options={(['ALL_OR_NOTHING', 'SKIP_INVALID'] as const).map((m) => ({ value: m, label: t(`import.modes.${m}`) }))}
            />
          </label>
          <label>
            <Typography.Text style={{ marginRight: 8 }}>{t('import.matchBy')}</Typography.Text>
            <Select
              aria-label={t('import.matchBy')}
              value={matchBy}
              style={{ width: 220 }}
              onChange={(m) => {
                setMatchBy(m);
                reset();
              }}
              options={MATCH_BY.map((m) => ({ value: m, label: t(`import.match.${m}`) }))}
            />
          </label>
        </Flex>
        {columns.length > 0 && !report && (
          <Table
            size="small"
            rowKey={(c) => c}
            pagination={false}
            scroll={{ y: 220 }}
            dataSource={columns}
            aria-label={t('import.columns')}
            columns={[
              { title: t('import.column'), key: 'column', render: (_, c) => c || '—' },
              {
                title: t('import.field'),
                key: 'field',
                render: (_, c) => (
                  <Select
                    size="small"
                    aria-label={t('import.fieldOf', { column: c })}
                    data-testid={`map-${c}`}
                    value={mapping[c]}
                    style={{ width: 220 }}
                    onChange={(v) => setMapping({ ...mapping, [c]: v })}
                    options={[
                      { value: IGNORE, label: t('import.ignore') },
                      ...IMPORT_FIELDS.map((f) => ({ value: f, label: t(`import.fields.${f}`) })),
                    ]}
                  />
                ),
              },
            ]}
          />
        )}
        <ProblemAlert problems={problems} />
        {report && (
          <>
            {done ? (
              <Alert
                role="status"
                type={done.committed ? 'success' : 'error'}
                showIcon
                message={done.committed ? t('import.imported') : t('import.notImported')}
              />
            ) : (
              <Alert
                role="status"
                type={report.errorCount ? 'warning' : 'success'}
                showIcon
                message={report.errorCount ? t('import.badRows', { count: report.errorCount }) : t('import.allGood')}
              />
            )}
            <Descriptions size="small" column={5} bordered data-testid="import-counts">
              <Descriptions.Item label={t('import.rowsRead')}>{report.rowsRead}</Descriptions.Item>
              <Descriptions.Item label={t('import.created')}>{report.created}</Descriptions.Item>
              <Descriptions.Item label={t('import.updated')}>{report.updated}</Descriptions.Item>
              <Descriptions.Item label={t('import.unchanged')}>{report.unchanged}</Descriptions.Item>
              <Descriptions.Item label={t('import.skipped')}>{report.skipped}</Descriptions.Item>
            </Descriptions>
            {report.errors.length > 0 && (
              <Table
                size="small"
                rowKey={(e) => `${e.row}-${e.field ?? ''}-${e.message}`}
                data-testid="import-errors"
                pagination={report.errors.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
                dataSource={report.errors}
                columns={[
                  { title: t('import.row'), dataIndex: 'row', key: 'row', width: 80 },
                  { title: t('import.field'), dataIndex: 'field', key: 'field', width: 160, render: (f?: string | null) => f ?? '—' },
                  { title: t('import.message'), dataIndex: 'message', key: 'message' },
                ]}
              />
            )}
            {!done && report.errorCount > 0 && (
              <Typography.Text type="secondary">
                {mode === 'SKIP_INVALID' ? t('import.skipHint') : t('import.fixHint')}
              </Typography.Text>
            )}
          </>
        )}
      </Flex>
    </Modal>
  );
}
