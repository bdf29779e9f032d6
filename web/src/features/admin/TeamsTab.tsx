import { App, Button, Card, Col, Flex, Input, List, Popconfirm, Row, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery } from 'urql';
import { LoadError } from '../../components/PageState';
import { problemsOf } from '../../lib/errors';
import { AdminMembersDocument, CreateRegionDocument, CreateTeamDocument, DeleteRegionDocument, DeleteTeamDocument } from './documents';
import { useReportProblems } from './MembersTab';

/** Teams (nested) and regions: create and delete; members are placed in them on the members tab. */
export function TeamsTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const report = useReportProblems();
  const [result, reexecute] = useQuery({ query: AdminMembersDocument, requestPolicy: 'cache-and-network' });
  const [{ fetching: creatingTeam }, createTeam] = useMutation(CreateTeamDocument);
  const [{ fetching: creatingRegion }, createRegion] = useMutation(CreateRegionDocument);
  const [, deleteTeam] = useMutation(DeleteTeamDocument);
  const [, deleteRegion] = useMutation(DeleteRegionDocument);
  const [teamName, setTeamName] = useState('');
  const [parentId, setParentId] = useState<string | undefined>();
  const [regionName, setRegionName] = useState('');
  const reload = () => reexecute({ requestPolicy: 'network-only' });
  if (result.error && !result.data) return <LoadError problems={problemsOf(result.error)} onRetry={reload} />;
  const teams = result.data?.teams ?? [];
  const regions = result.data?.regions ?? [];
  const teamName_ = (id?: string | null) => teams.find((x) => x.id === id)?.name;

  const after = (ok: boolean, error: Parameters<typeof problemsOf>[0], text: string) => {
    if (ok) {
      void message.success(text);
      reload();
    } else report(problemsOf(error));
    return ok;
  };

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={12}>
        <Card title={t('admin.teams')}>
          <Flex gap={8} wrap style={{ marginBottom: 12 }}>
            <Input aria-label={t('admin.teamName')} placeholder={t('admin.teamName')} value={teamName} onChange={(e) => setTeamName(e.target.value)} style={{ width: 180 }} />
            <Select allowClear aria-label={t('admin.parentTeam')} placeholder={t('admin.parentTeam')} value={parentId} onChange={setParentId} style={{ width: 160 }} options={teams.map((x) => ({ value: x.id, label: x.name }))} />
            <Button
              type="primary"
              loading={creatingTeam}
              disabled={!teamName.trim()}
              onClick={async () => {
                const r = await createTeam({ input: { name: teamName.trim(), parentId: parentId ?? null } });
                if (after(!!r.data, r.error, t('admin.teamCreated'))) setTeamName('');
              }}
            >
              {t('admin.addTeam')}
            </Button>
          </Flex>
          <List
            loading={result.fetching && !result.data}
            dataSource={teams}
            locale={{ emptyText: t('admin.noTeams') }}
            renderItem={(team) => (
              <List.Item
                actions={[
                  <Popconfirm
                    key="delete"
                    title={t('admin.deleteConfirm', { name: team.name })}
                    okText={t('admin.delete')}
                    cancelText={t('common.cancel')}
                    onConfirm={async () => {
                      const r = await deleteTeam({ id: team.id });
                      after(!!r.data?.deleteTeam, r.error, t('admin.deleted'));
                    }}
                  >
                    <Button size="small" danger>
                      {t('admin.delete')}
                    </Button>
                  </Popconfirm>,
                ]}
              >
                <Typography.Text>{team.name}</Typography.Text>
                {team.parentId && <Typography.Text type="secondary"> — {t('admin.inTeam', { name: teamName_(team.parentId) })}</Typography.Text>}
              </List.Item>
            )}
          />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card title={t('admin.regions')}>
          <Flex gap={8} wrap style={{ marginBottom: 12 }}>
            <Input aria-label={t('admin.regionName')} placeholder={t('admin.regionName')} value={regionName} onChange={(e) => setRegionName(e.target.value)} style={{ width: 200 }} />
            <Button
              type="primary"
              loading={creatingRegion}
              disabled={!regionName.trim()}
              onClick={async () => {
                const r = await createRegion({ input: { name: regionName.trim() } });
                if (after(!!r.data, r.error, t('admin.regionCreated'))) setRegionName('');
              }}
            >
              {t('admin.addRegion')}
            </Button>
          </Flex>
          <List
            loading={result.fetching && !result.data}
            dataSource={regions}
            locale={{ emptyText: t('admin.noRegions') }}
            renderItem={(region) => (
              <List.Item
                actions={[
                  <Popconfirm
                    key="delete"
                    title={t('admin.deleteConfirm', { name: region.name })}
                    okText={t('admin.delete')}
                    cancelText={t('common.cancel')}
                    onConfirm={async () => {
                      const r = await deleteRegion({ id: region.id });
                      after(!!r.data?.deleteRegion, r.error, t('admin.deleted'));
                    }}
                  >
                    <Button size="small" danger>
                      {t('admin.delete')}
                    </Button>
                  </Popconfirm>,
                ]}
              >
                {region.name}
              </List.Item>
            )}
          />
        </Card>
      </Col>
    </Row>
  );
}
