import { useState } from 'react';
import { listSessions, revokeAllSessions, revokeSession, type Session } from '../api/security.js';
import { useAuth } from '../auth/auth-context.js';
import { Alert } from '../components/alert.js';
import { useConfirm } from '../components/confirm-dialog.js';
import { LoadState } from '../components/load-state.js';
import { describeError } from '../lib/error-message.js';
import { formatDateTime } from '../lib/format.js';
import { useLoad } from '../lib/use-load.js';
import { describeUserAgent } from '../lib/user-agent.js';

/** Where the account is signed in; revoke one session, or all of them. */
export function SessionsSection() {
  const { endSession } = useAuth();
  const [sessions, reload] = useLoad(listSessions, []);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [dialog, confirm] = useConfirm();

  const revoke = async (session: Session) => {
    const device = describeUserAgent(session.userAgent);
    const confirmed = await confirm({
      title: 'Sign out this session?',
      message: (
        <p>
          {device}
          {session.ip ? ` at ${session.ip}` : ''} will have to sign in again.
        </p>
      ),
      confirmLabel: 'Sign it out',
      danger: true,
    });
    if (!confirmed) return;
    try {
      await revokeSession(session.id);
      setMessage({ kind: 'success', text: `Signed out ${device}.` });
      reload();
    } catch (caught) {
      setMessage({ kind: 'error', text: describeError(caught) });
    }
  };

  const revokeAll = async () => {
    const confirmed = await confirm({
      title: 'Sign out everywhere?',
      message: (
        <p>Every session of your account ends, this one included. You will have to sign in again on each device.</p>
      ),
      confirmLabel: 'Sign out everywhere',
      danger: true,
    });
    if (!confirmed) return;
    try {
      await revokeAllSessions();
      endSession('You have signed out everywhere.');
    } catch (caught) {
      setMessage({ kind: 'error', text: describeError(caught) });
    }
  };

  return (
    <section className="card stack" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Active sessions</h2>
      <p className="muted">Browsers and apps signed in to your account.</p>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      <LoadState state={sessions} label="sessions" onRetry={reload}>
        {(items) => (
          <ul className="session-list">
            {items.map((session) => (
              <li key={session.id} className={session.current ? 'session session-current' : 'session'}>
                <div className="session-main">
                  <p className="session-device">
                    {describeUserAgent(session.userAgent)}
                    {session.current ? <span className="badge badge-on">This session</span> : null}
                  </p>
                  <p className="session-agent muted">{session.userAgent ?? 'No user agent sent'}</p>
                  <dl className="facts">
                    <div>
                      <dt>IP address</dt>
                      <dd>{session.ip ?? 'Unknown'}</dd>
                    </div>
                    <div>
                      <dt>Signed in</dt>
                      <dd>{formatDateTime(session.createdAt)}</dd>
                    </div>
                    <div>
                      <dt>Last active</dt>
                      <dd>{formatDateTime(session.lastUsedAt, 'Not yet')}</dd>
                    </div>
                  </dl>
                </div>
                {session.current ? null : (
                  <button
                    type="button"
                    className="button button-danger-outline button-small"
                    onClick={() => void revoke(session)}
                  >
                    Sign out<span className="visually-hidden"> {describeUserAgent(session.userAgent)} session</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </LoadState>
      <div className="actions">
        <button type="button" className="button button-danger" onClick={() => void revokeAll()}>
          Sign out everywhere
        </button>
      </div>
      {dialog}
    </section>
  );
}
