import { useEffect, useState } from 'react';
import { fetchMe } from '../api/auth.js';
import { useAuth } from '../auth/auth-context.js';
import { PageHeading } from '../components/page-heading.js';
import { SettingsNav } from '../components/settings-nav.js';
import { PasswordSection } from './password-section.js';
import { SessionsSection } from './sessions-section.js';
import { TwoFactorSection } from './two-factor-section.js';

/** Settings → Security: password, two-factor authentication and active sessions. */
export function SecurityPage() {
  const { state, updateUser } = useAuth();
  const enabled = state.status === 'signed-in' ? state.user.twoFactorEnabled : undefined;
  // Bumped when a password change signs sessions out: the list remounts and reads them again.
  const [sessionsVersion, setSessionsVersion] = useState(0);

  // Re-read the account: its two-factor status may have changed in another browser.
  useEffect(() => {
    let current = true;
    fetchMe().then(
      (user) => {
        if (!current) return;
        updateUser(
          user.twoFactorEnabled === undefined
            ? { email: user.email }
            : { email: user.email, twoFactorEnabled: user.twoFactorEnabled },
        );
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [updateUser]);

  return (
    <>
      <SettingsNav />
      <PageHeading title="Security">
        Your password, two-factor authentication and the places you are signed in.
      </PageHeading>
      <PasswordSection onSessionsChanged={() => setSessionsVersion((v) => v + 1)} />
      <TwoFactorSection enabled={enabled} />
      <SessionsSection key={sessionsVersion} />
    </>
  );
}
