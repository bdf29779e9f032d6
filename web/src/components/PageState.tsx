import { Button, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { ApiProblem } from '../lib/errors';

export function Loading() {
  const { t } = useTranslation();
  return (
    <div style={{ padding: 48, textAlign: 'center' }} aria-busy="true">
      <Spin tip={t('common.loading')} size="large">
        <div style={{ padding: 24 }} />
      </Spin>
    </div>
  );
}

export function LoadError({ problems, onRetry }: { problems: ApiProblem[]; onRetry?: () => void }) {
  const { t } = useTranslation();
  const forbidden = problems.some((p) => p.code === 'FORBIDDEN');
  return (
    <Result
      status={forbidden ? '403' : 'error'}
      title={forbidden ? t('common.forbiddenTitle') : t('common.errorTitle')}
      subTitle={problems.map((p) => p.message).join(' ')}
      extra={onRetry ? <Button onClick={onRetry}>{t('common.retry')}</Button> : undefined}
    />
  );
}

/** A record that is not there (or not visible), with a way back to its list. */
export function NotFound({ title, backTo, backLabel }: { title: string; backTo: string; backLabel: string }) {
  return (
    <Result
      status="404"
      title={title}
      extra={
        <Link to={backTo}>
          <Button type="primary">{backLabel}</Button>
        </Link>
      }
    />
  );
}
