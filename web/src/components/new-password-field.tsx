import { Field } from './field.js';

// The server's rule (NIST SP 800-63B), repeated here only so the browser can say so before sending.
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 128;

interface NewPasswordFieldProps {
  label: string;
  value: string;
  onValue(value: string): void;
}

/** A password being chosen (sign-up, change): the length rule, and a hint for password managers. */
export function NewPasswordField({ label, value, onValue }: NewPasswordFieldProps) {
  return (
    <Field
      label={label}
      type="password"
      autoComplete="new-password"
      required
      minLength={PASSWORD_MIN_LENGTH}
      hint={`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters; common passwords are refused. A few unrelated words make a strong one.`}
      value={value}
      onValue={onValue}
    />
  );
}
