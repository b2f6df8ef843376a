import { useState } from 'react';
import { listAgents } from '../api/data.js';
import { LoadState } from '../components/load-state.js';
import { PageHeading } from '../components/page-heading.js';
import { Pager } from '../components/pager.js';
import { formatDateTime } from '../lib/format.js';
import { useLoad } from '../lib/use-load.js';
import { Link } from '../router.js';

const PAGE_SIZE = 50;

/** The user's agents (GET /api/v1/agents). */
export function AgentsPage() {
  const [page, setPage] = useState(1);
  const [agents, reload] = useLoad(() => listAgents(PAGE_SIZE, (page - 1) * PAGE_SIZE), [page]);

  return (
    <>
      <PageHeading title="Agents">The agents of your account, newest first.</PageHeading>
      <LoadState state={agents} label="agents" onRetry={reload}>
        {(items) =>
          items.length === 0 && page === 1 ? (
            <div className="card empty">
              <p>No agents yet.</p>
              <p className="muted">
                Agents are created through the API: <code>POST /api/v1/agents</code> with a personal access token that
                has the <code>agents:write</code> scope. Create one under{' '}
                <Link to="/settings/api-keys">Settings → API keys</Link>.
              </p>
            </div>
          ) : (
            <>
              <table className="data-table">
                <caption className="visually-hidden">Agents</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Description</th>
                    <th scope="col">Created</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((agent) => (
                    <tr key={agent.id}>
                      <th scope="row" data-label="Name">
                        {agent.name}
                      </th>
                      <td data-label="Description">{agent.description || <span className="muted">None</span>}</td>
                      <td data-label="Created">{formatDateTime(agent.createdAt)}</td>
                      <td data-label="Updated">{formatDateTime(agent.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager
                label="Agent pages"
                page={page}
                hasPrevious={page > 1}
                hasNext={items.length === PAGE_SIZE}
                summary={`Page ${page}`}
                onPage={setPage}
              />
            </>
          )
        }
      </LoadState>
    </>
  );
}
