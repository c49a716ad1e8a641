import { useId } from 'react';
import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/**
 * PasswordField is Mantine's PasswordInput with the ARIA wiring its other inputs have: the field is
 * marked invalid and described by its error and description text, so screen readers announce them.
 */
export function PasswordField(props: PasswordInputProps) {
  const generated = useId();
  const id = props.id ?? generated;
  const describedBy = [props.error ? `${id}-error` : null, props.description ? `${id}-description` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <PasswordInput
      {...props}
      id={id}
      aria-invalid={props.error ? true : undefined}
      aria-describedby={describedBy || undefined}
    />
  );
}
