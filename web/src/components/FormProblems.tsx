import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { isVersionConflict, type ApiProblem } from '../lib/errors';
import { ProblemAlert } from './ProblemAlert';

interface Props {
  /** What the last save reported that no field of the form shows. */
  problems: ApiProblem[];
  /** Said instead of the API's message when the record changed meanwhile. */
  conflictMessage: string;
  /** Reads the record again after a version conflict. */
  onReload?: () => void;
}

/**
 * The problems above an edit form's fields: a version conflict as the form's
 * own message with a reload button, then the other problems as they came.
 */
export function FormProblems({ problems, conflictMessage, onReload }: Props) {
  const { t } = useTranslation();
  const conflict = isVersionConflict(problems);
  return (
    <>
      {conflict ? (
        <ProblemAlert
          problems={[{ code: 'CONFLICT', message: conflictMessage }]}
          action={
            onReload && (
              <Button size="small" onClick={onReload} data-testid="reload-after-conflict">
                {t('common.reload')}
              </Button>
            )
          }
        />
      ) : (
        <ProblemAlert problems={problems} />
      )}
      {conflict && <ProblemAlert problems={problems.filter((p) => p.code !== 'CONFLICT')} />}
    </>
  );
}
