import { useState } from 'react';
import { listVoiceLogs, type VoiceLog } from '../api/data.js';
import { LoadState } from '../components/load-state.js';
import { PageHeading } from '../components/page-heading.js';
import { Pager } from '../components/pager.js';
import { formatBytes, formatDateTime } from '../lib/format.js';
import { useLoad } from '../lib/use-load.js';
import { Link } from '../router.js';

const PAGE_SIZE = 20;

function Metadata({ log }: { log: VoiceLog }) {
  const entries = Object.entries(log.metadata);
  if (entries.length === 0) return <span className="muted">None</span>;
  return (
    <dl className="metadata">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The user's uploads (GET /api/voicelogs), which arrive through the ingest API. */
export function VoiceLogsPage() {
  const [page, setPage] = useState(1);
  const [logs, reload] = useLoad(() => listVoiceLogs(page, PAGE_SIZE), [page]);

  return (
    <>
      <PageHeading title="Voice logs">Audio uploaded with your ingest API key, newest first.</PageHeading>
      <LoadState state={logs} label="voice logs" onRetry={reload}>
        {({ items, total }) =>
          total === 0 ? (
            <div className="card empty">
              <p>No voice logs yet.</p>
              <p className="muted">
                Upload audio to <code>POST /api/ingest/upload</code> with your key. Generate one under{' '}
                <Link to="/settings/api-key">Settings → Ingest API key</Link>.
              </p>
            </div>
          ) : (
            <>
              <table className="data-table">
                <caption className="visually-hidden">Voice logs</caption>
                <thead>
                  <tr>
                    <th scope="col">File</th>
                    <th scope="col">Type</th>
                    <th scope="col">Size</th>
                    <th scope="col">Uploaded</th>
                    <th scope="col">Metadata</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((log) => (
                    <tr key={log.id}>
                      <th scope="row" data-label="File" className="break">
                        {log.filename}
                      </th>
                      <td data-label="Type">{log.content_type}</td>
                      <td data-label="Size">{formatBytes(log.size_bytes)}</td>
                      <td data-label="Uploaded">{formatDateTime(log.created_at)}</td>
                      <td data-label="Metadata">
                        <Metadata log={log} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager
                label="Voice log pages"
                page={page}
                hasPrevious={page > 1}
                hasNext={page * PAGE_SIZE < total}
                summary={`${total} voice log${total === 1 ? '' : 's'} · page ${page} of ${Math.max(1, Math.ceil(total / PAGE_SIZE))}`}
                onPage={setPage}
              />
            </>
          )
        }
      </LoadState>
    </>
  );
}
