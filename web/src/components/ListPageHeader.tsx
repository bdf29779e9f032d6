import { PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Typography } from 'antd';

interface Props {
  title: string;
  /** The text of the button that creates a record. */
  newLabel: string;
  /** Opens the create form; absent when the user may not create. */
  onNew?: () => void;
}

/** A list page's heading, with its create button on the right. */
export function ListPageHeader({ title, newLabel, onNew }: Props) {
  return (
    <Flex justify="space-between" align="center" wrap gap={8}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {title}
      </Typography.Title>
      {onNew && (
        <Button type="primary" icon={<PlusOutlined />} onClick={onNew}>
          {newLabel}
        </Button>
      )}
    </Flex>
  );
}
