import { Link } from '../router.js';

/** The Settings sections, as links (each is its own page and address). */
export function SettingsNav() {
  return (
    <nav aria-label="Settings" className="subnav">
      <Link to="/settings/api-keys">API keys</Link>
      <Link to="/settings/api-key">Ingest API key</Link>
      <Link to="/settings/security">Security</Link>
    </nav>
  );
}
