import { useState, type FormEvent } from 'react';
import { Alert } from '../components/alert.js';
import { CodeField } from '../components/code-field.js';
import { Field } from '../components/field.js';
import { useAction } from '../lib/use-action.js';

interface TotpManageFormProps {
  title: string;
  submitLabel: string;
  danger?: boolean;
  /** Ask for the password too (turning two-factor off). */
  withPassword?: boolean;
  onSubmit(code: string, password: string): Promise<void>;
  onCancel(): void;
}

/** A change to two-factor that has to be confirmed with a current code (and maybe the password). */
export function TotpManageForm({ title, submitLabel, danger, withPassword, onSubmit, onCancel }: TotpManageFormProps) {
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await run(
      () => onSubmit(code.trim(), password),
      () => setCode(''),
    );
  };

  return (
    <form className="stack inset" aria-label={title} onSubmit={(event) => void submit(event)}>
      <h3>{title}</h3>
      {error ? <Alert>{error}</Alert> : null}
      <CodeField autoFocus value={code} onValue={setCode} />
      {withPassword ? (
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
      ) : null}
      <div className="actions">
        <button type="submit" className={`button ${danger ? 'button-danger' : 'button-primary'}`} disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
