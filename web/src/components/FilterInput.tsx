import { Input } from 'antd';
import { useEffect, useState } from 'react';

/** A text filter applied on Enter or when focus leaves it. */
export function FilterInput(props: {
  label: string;
  title?: string;
  value: string;
  disabled?: boolean;
  width: number;
  maxLength?: number;
  inputMode?: 'text' | 'numeric' | 'decimal';
  normalize?: (v: string) => string;
  onCommit: (v: string) => void;
}) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  const commit = () => {
    const v = (props.normalize ?? ((x: string) => x))(text.trim());
    setText(v);
    if (v !== props.value) props.onCommit(v);
  };
  return (
    <Input
      allowClear
      aria-label={props.label}
      placeholder={props.label}
      title={props.title}
      disabled={props.disabled}
      maxLength={props.maxLength}
      inputMode={props.inputMode}
      style={{ width: props.width }}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        // The clear button empties the filter at once.
        if (e.type === 'click' && props.value) props.onCommit('');
      }}
      onPressEnter={(e) => {
        // Inside a form, Enter applies the filter and does not send the form.
        e.preventDefault();
        commit();
      }}
      onBlur={commit}
    />
  );
}
