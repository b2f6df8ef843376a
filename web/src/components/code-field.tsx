import { Field } from './field.js';

interface CodeFieldProps {
  value: string;
  onValue(value: string): void;
  autoFocus?: boolean;
}

/** A second-factor code for confirming a change: a TOTP code, or a recovery code instead. */
export function CodeField({ value, onValue, autoFocus }: CodeFieldProps) {
  return (
    <Field
      label="Authentication code"
      hint="The current code from your authenticator app, or a recovery code."
      autoComplete="one-time-code"
      required
      autoFocus={autoFocus}
      value={value}
      onValue={onValue}
    />
  );
}
