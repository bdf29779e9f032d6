import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Flex, Modal, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from 'urql';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { ImportSegmentMembersMutation } from '../../gql/graphql';
import { problemsOf, type ApiProblem } from '../../lib/errors';
import { AddCustomersModal } from './AddCustomersModal';
import { AddSegmentMembersDocument, ImportSegmentMembersDocument } from './documents';

interface DialogProps {
  open: boolean;
  segmentId: string;
  /** The list's name, in the title. */
  name: string;
  onClose: () => void;
  /** The list's members changed. */
  onChanged: () => void;
}

/** Customers found by `searchCustomers` as they are typed, put in a static list at once. */
export function AddMembersDialog(props: DialogProps) {
  const { open, segmentId, name, onClose, onChanged } = props;
  const { t } = useTranslation();
  const [{ fetching: adding }, add] = useMutation(AddSegmentMembersDocument);
  return (
    <AddCustomersModal
      open={open}
      title={t('segments.addTitle', { name })}
      pickerId="segment-pick-customers"
      adding={adding}
      add={async (customerIds) => {
        const r = await add({ input: { segmentId, customerIds } });
        return r.data ? { changed: r.data.addSegmentMembers.changed } : { problems: problemsOf(r.error) };
      }}
      onClose={onClose}
      onChanged={onChanged}
    />
  );
}

type Report = ImportSegmentMembersMutation['importSegmentMembers'];

/** A static list filled from a CSV file naming customers by id, external id or email, with the API's report. */
export function ImportMembersDialog(props: DialogProps) {
  const { open, segmentId, name, onClose, onChanged } = props;
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [{ fetching }, importMembers] = useMutation(ImportSegmentMembersDocument);

  const close = () => {
    setFile(null);
    setReport(null);
    setProblems([]);
    onClose();
  };
  const run = async () => {
    if (!file) return;
    setProblems([]);
    const r = await importMembers({ input: { segmentId, csv: await file.text() } });
    if (!r.data) {
      setProblems(problemsOf(r.error));
      return;
    }
    setReport(r.data.importSegmentMembers);
    onChanged();
  };

  return (
    <Modal
      open={open}
      title={t('segments.importTitle', { name })}
      width={640}
      maskClosable={false}
      destroyOnHidden
      onCancel={close}
      footer={
        <Flex justify="end" gap={8}>
          <Button onClick={close}>{report ? t('common.close') : t('common.cancel')}</Button>
          {!report && (
            <Button type="primary" disabled={!file} loading={fetching} onClick={() => void run()}>
              {t('import.run')}
            </Button>
          )}
        </Flex>
      }
    >
      <Flex vertical gap={12}>
        <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
          {t('segments.importHint')}
        </Typography.Paragraph>
        {!report && (
          <Flex gap={8} wrap align="center">
            <Upload
              accept=".csv,text/csv"
              maxCount={1}
              showUploadList={false}
              beforeUpload={(f) => {
                setFile(f);
                setProblems([]);
                return false;
              }}
            >
              <Button icon={<UploadOutlined />}>{file ? t('import.otherFile') : t('import.chooseFile')}</Button>
            </Upload>
            <Typography.Text data-testid="import-file">{file?.name ?? t('import.noFile')}</Typography.Text>
          </Flex>
        )}
        <ProblemAlert problems={problems} />
        {report && (
          <>
            <Alert
              role="status"
              type={report.errorCount ? 'warning' : 'success'}
              showIcon
              message={report.errorCount ? t('import.badRows', { count: report.errorCount }) : t('segments.imported')}
            />
            <Descriptions size="small" column={3} bordered data-testid="import-counts">
              <Descriptions.Item label={t('segments.addedCount')}>{report.added}</Descriptions.Item>
              <Descriptions.Item label={t('segments.alreadyMembers')}>{report.alreadyMembers}</Descriptions.Item>
              <Descriptions.Item label={t('segments.errorCount')}>{report.errorCount}</Descriptions.Item>
            </Descriptions>
            {report.errors.length > 0 && (
              <Table
                size="small"
                rowKey={(e) => `${e.row}-${e.message}`}
                data-testid="import-errors"
                pagination={report.errors.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
                dataSource={report.errors}
                columns={[
                  { title: t('import.row'), dataIndex: 'row', key: 'row', width: 80 },
                  { title: t('import.message'), dataIndex: 'message', key: 'message' },
                ]}
              />
            )}
          </>
        )}
      </Flex>
    </Modal>
  );
}
