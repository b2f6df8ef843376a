import { useEffect } from 'react';
import { fetchMe } from '../api/auth.js';
import { useAuth } from '../auth/auth-context.js';
import { PageHeading } from '../components/page-heading.js';
import { SettingsNav } from '../components/settings-nav.js';
import { SessionsSection } from './sessions-section.js';
import { TwoFactorSection } from './two-factor-section.js';

/** Settings → Security: two-factor authentication and active sessions. */
export function SecurityPage() {
  const { state, updateUser } = useAuth();
  const enabled = state.status === 'signed-in' ? state.user.twoFactorEnabled : undefined;

  // Re-read the account: its two-factor status may have changed in another browser.
  useEffect(() => {
    let current = true;
    fetchMe().then(
      (user) => {
        if (!current) return;
        updateUser(user.twoFactorEnabled === undefined ? { email: user.email } : { email: user.email, twoFactorEnabled: user.twoFactorEnabled });
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
      <PageHeading title="Security">Two-factor authentication and the places you are signed in.</PageHeading>
      <TwoFactorSection enabled={enabled} />
      <SessionsSection />
    </>
  );
}
