import { CopyButton } from '../components/copy-button.js';

/** How an integration uploads audio with the ingest key. */
export function CurlExample() {
  const command = [
    `curl -X POST ${window.location.origin}/api/ingest/upload \\`,
    '  -H "X-API-Key: $LATCHKEY_API_KEY" \\',
    '  -F "file=@call.wav;type=audio/wav" \\',
    '  -F "caller=+15550100"',
  ].join('\n');
  return (
    <section className="card stack" aria-labelledby="curl-title">
      <h2 id="curl-title">Upload with curl</h2>
      <p className="muted">
        Put your key in <code>LATCHKEY_API_KEY</code>, then send one audio file as the <code>file</code> part. Extra
        text fields are kept as the voice log&apos;s metadata.
      </p>
      <pre className="code-block" id="curl-example">
        <code>{command}</code>
      </pre>
      <div className="actions">
        <CopyButton value={command} label="Copy command" targetId="curl-example" />
      </div>
    </section>
  );
}
