import { DeleteOutlined } from '@ant-design/icons';
import { Button, Popconfirm } from 'antd';
import { useTranslation } from 'react-i18next';

interface Props {
  /** The question asked before deleting, naming what goes. */
  confirm: string;
  /** The button's text and the confirming answer. */
  label: string;
  onConfirm: () => void;
}

/** A danger button that deletes a record once the user confirms. */
export function ConfirmDeleteButton({ confirm, label, onConfirm }: Props) {
  const { t } = useTranslation();
  return (
    <Popconfirm title={confirm} okText={label} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={onConfirm}>
      <Button danger icon={<DeleteOutlined />}>
        {label}
      </Button>
    </Popconfirm>
  );
}
