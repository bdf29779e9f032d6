import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { slaBadges } from './cases';

const COLORS = { responseBreached: '#a8071a', resolutionBreached: '#a8071a', dueSoon: '#ad4e00' } as const;

export function SlaBadges(props: Parameters<typeof slaBadges>[0]) {
  const { t } = useTranslation();
  return (
    <>
      {slaBadges(props).map((b) => (
        <Tag key={b} variant="solid" color={COLORS[b]} data-testid="sla-badge">
          {t(`sla.${b}`)}
        </Tag>
      ))}
    </>
  );
}
