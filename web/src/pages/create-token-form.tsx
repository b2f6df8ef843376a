import { useState, type FormEvent } from 'react';
import { createToken, type PersonalAccessToken, type Scope } from '../api/credentials.js';
import { Alert } from '../components/alert.js';
import { Field } from '../components/field.js';
import { useAction } from '../lib/use-action.js';

// Keyed by the server's scopes (the generated contract): a scope added there fails the type
// check here until it has a description, and the list shows every one.
const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'agents:read': 'List and read agents',
  'agents:write': 'Create, change and delete agents',
  'voicelogs:read': 'List and read voice logs',
};
const SCOPES = Object.keys(SCOPE_DESCRIPTIONS) as Scope[];

/** Name and scopes of a new personal access token. */
export function CreateTokenForm({ onCreated }: { onCreated(token: PersonalAccessToken & { token: string }): void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['agents:read']);
  const { busy, error, setError, run } = useAction();

  const toggle = (scope: Scope, checked: boolean) =>
    setScopes((current) =>
      checked ? SCOPES.filter((s) => s === scope || current.includes(s)) : current.filter((s) => s !== scope),
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (scopes.length === 0) {
      setError('Choose at least one scope.');
      return;
    }
    await run(async () => {
      onCreated(await createToken(name.trim(), scopes));
      setName('');
    });
  };

  return (
    <form className="card stack" aria-labelledby="create-token-title" onSubmit={(event) => void submit(event)}>
      <h2 id="create-token-title">Create a token</h2>
      {error ? <Alert>{error}</Alert> : null}
      <Field
        label="Name"
        hint="What uses it, e.g. “CRM sync”."
        required
        maxLength={100}
        value={name}
        onValue={setName}
      />
      <fieldset className="scopes">
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope} className="checkbox">
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(event) => toggle(scope, event.target.checked)}
            />
            <span className="checkbox-text">
              <code>{scope}</code>
              <span className="muted">{SCOPE_DESCRIPTIONS[scope]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}
