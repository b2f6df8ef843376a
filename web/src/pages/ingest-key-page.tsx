import { useState } from 'react';
import { fetchIngestKey, generateIngestKey, revokeIngestKey } from '../api/credentials.js';
import { Alert } from '../components/alert.js';
import { useConfirm } from '../components/confirm-dialog.js';
import { LoadState } from '../components/load-state.js';
import { PageHeading } from '../components/page-heading.js';
import { SecretBox } from '../components/secret-box.js';
import { SettingsNav } from '../components/settings-nav.js';
import { formatDateTime } from '../lib/format.js';
import { useAction } from '../lib/use-action.js';
import { useLoad } from '../lib/use-load.js';
import { CurlExample } from './curl-example.js';

/** Settings → Ingest API key: one key per user for /api/ingest/* (generate, regenerate, revoke). */
export function IngestKeyPage() {
  const [key, reload] = useLoad(fetchIngestKey, []);
  const [secret, setSecret] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();

  // Reloaded after a failure too, so the card shows the key as the server now has it.
  const change = async (action: () => Promise<void>) => {
    setNotice(null);
    await run(action);
    reload();
  };

  const generate = (replace: boolean) =>
    change(async () => {
      setSecret((await generateIngestKey(replace)).api_key);
    });

  const regenerate = async () => {
    const confirmed = await confirm({
      title: 'Regenerate the API key?',
      message: <p>The current key stops working at once. Every system using it needs the new key.</p>,
      confirmLabel: 'Regenerate key',
      danger: true,
    });
    if (confirmed) await generate(true);
  };

  const revoke = async () => {
    const confirmed = await confirm({
      title: 'Revoke the API key?',
      message: <p>Uploads with this key are refused from now on. You can generate a new key later.</p>,
      confirmLabel: 'Revoke key',
      danger: true,
    });
    if (!confirmed) return;
    await change(async () => {
      await revokeIngestKey();
      setSecret(null);
      setNotice('API key revoked.');
    });
  };

  return (
    <>
      <SettingsNav />
      <PageHeading title="Ingest API key">
        Systems that push audio send this key in an <code>X-API-Key</code> header. It only opens the Ingest API (
        <code>/api/ingest/*</code>); everything else needs a sign-in or a personal access token.
      </PageHeading>
      {secret ? <SecretBox label="Your new API key" value={secret} onDone={() => setSecret(null)} /> : null}
      {error ? <Alert>{error}</Alert> : notice ? <Alert kind="success">{notice}</Alert> : null}
      <section className="card stack" aria-labelledby="key-title">
        <h2 id="key-title">Current key</h2>
        <LoadState state={key} label="the API key" onRetry={reload}>
          {(current) =>
            current ? (
              <>
                <dl className="facts">
                  <div>
                    <dt>Key</dt>
                    <dd>
                      <code>{current.prefix}…</code>
                    </dd>
                  </div>
                  <div>
                    <dt>Created</dt>
                    <dd>{formatDateTime(current.created_at)}</dd>
                  </div>
                  <div>
                    <dt>Last used</dt>
                    <dd>{formatDateTime(current.last_used_at)}</dd>
                  </div>
                </dl>
                <div className="actions">
                  <button
                    type="button"
                    className="button button-secondary"
                    disabled={busy}
                    onClick={() => void regenerate()}
                  >
                    Regenerate
                  </button>
                  <button
                    type="button"
                    className="button button-danger-outline"
                    disabled={busy}
                    onClick={() => void revoke()}
                  >
                    Revoke
                  </button>
                </div>
              </>
            ) : (
              <>
                <p className="muted">You have no API key.</p>
                <div className="actions">
                  <button
                    type="button"
                    className="button button-primary"
                    disabled={busy}
                    onClick={() => void generate(false)}
                  >
                    Generate API key
                  </button>
                </div>
              </>
            )
          }
        </LoadState>
      </section>
      <CurlExample />
      {dialog}
    </>
  );
}
