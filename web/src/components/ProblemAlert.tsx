import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { messageWithoutField, type ApiProblem } from '../lib/errors';

/** Errors a form cannot put on one of its fields, each with its field named. */
export function ProblemAlert({ problems, action }: { problems: ApiProblem[]; action?: React.ReactNode }) {
  const { t } = useTranslation();
  if (problems.length === 0) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={{ marginBottom: 16 }}
      action={action}
      message={
        problems.length === 1 ? (
          describe(problems[0], t)
        ) : (
          <ul style={{ margin: 0, paddingInlineStart: 18 }}>
            {problems.map((p, i) => (
              <li key={i}>{describe(p, t)}</li>
            ))}
          </ul>
        )
      }
    />
  );
}

function describe(p: ApiProblem, t: (key: string, options?: Record<string, unknown>) => string): string {
  return p.field ? t('common.fieldError', { field: p.field, message: messageWithoutField(p) }) : p.message;
}
