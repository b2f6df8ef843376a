import { useState } from 'react';
import { listTokens, revokeToken, type PersonalAccessToken } from '../api/credentials.js';
import { Alert } from '../components/alert.js';
import { useConfirm } from '../components/confirm-dialog.js';
import { LoadState } from '../components/load-state.js';
import { PageHeading } from '../components/page-heading.js';
import { SecretBox } from '../components/secret-box.js';
import { SettingsNav } from '../components/settings-nav.js';
import { describeError } from '../lib/error-message.js';
import { formatDateTime } from '../lib/format.js';
import { useLoad } from '../lib/use-load.js';
import { CreateTokenForm } from './create-token-form.js';

/** Settings → API keys: personal access tokens (create, shown once; list; revoke). */
export function ApiKeysPage() {
  const [tokens, reload] = useLoad(listTokens, []);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [dialog, confirm] = useConfirm();

  const revoke = async (token: PersonalAccessToken) => {
    const confirmed = await confirm({
      title: `Revoke “${token.name}”?`,
      message: <p>Anything using this token stops working at once. This cannot be undone.</p>,
      confirmLabel: 'Revoke token',
      danger: true,
    });
    if (!confirmed) return;
    try {
      await revokeToken(token.id);
      setMessage({ kind: 'success', text: `Token “${token.name}” revoked.` });
      reload();
    } catch (caught) {
      setMessage({ kind: 'error', text: describeError(caught) });
    }
  };

  return (
    <>
      <SettingsNav />
      <PageHeading title="API keys">
        Personal access tokens let scripts and integrations call the Agents and Voice logs APIs as you, with the scopes
        you choose. Send one as <code>Authorization: Bearer &lt;token&gt;</code>.
      </PageHeading>
      {created ? (
        <SecretBox label={`Your new token “${created.name}”`} value={created.token} onDone={() => setCreated(null)} />
      ) : (
        <CreateTokenForm
          onCreated={(token) => {
            setCreated({ name: token.name, token: token.token });
            setMessage(null);
            reload();
          }}
        />
      )}
      <section aria-labelledby="tokens-title" className="section">
        <h2 id="tokens-title">Your tokens</h2>
        {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
        <LoadState state={tokens} label="tokens" onRetry={reload}>
          {(items) =>
            items.length === 0 ? (
              <p className="muted">No tokens yet.</p>
            ) : (
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((token) => (
                    <tr key={token.id}>
                      <th scope="row" data-label="Name">
                        {token.name}
                        <span className="muted token-prefix"> {token.prefix}…</span>
                      </th>
                      <td data-label="Scopes">
                        <ul className="tags">
                          {token.scopes.map((scope) => (
                            <li key={scope}>{scope}</li>
                          ))}
                        </ul>
                      </td>
                      <td data-label="Created">{formatDateTime(token.createdAt)}</td>
                      <td data-label="Last used">{formatDateTime(token.lastUsedAt)}</td>
                      <td className="cell-action">
                        <button
                          type="button"
                          className="button button-danger-outline button-small"
                          onClick={() => void revoke(token)}
                        >
                          Revoke<span className="visually-hidden"> {token.name}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </LoadState>
      </section>
      {dialog}
    </>
  );
}
