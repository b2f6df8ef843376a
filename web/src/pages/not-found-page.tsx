import { PageHeading } from '../components/page-heading.js';
import { Link } from '../router.js';

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found" />
      <p>
        There is nothing at this address. Go to <Link to="/agents">Agents</Link>.
      </p>
    </>
  );
}
