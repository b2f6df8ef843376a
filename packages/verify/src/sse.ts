/** One dispatched Server-Sent Event. */
export interface ServerSentEvent {
  event: string;
  data: string;
  /** The last event id after this event (the `id:` field, carried over from earlier events). */
  lastEventId: string | undefined;
}

// Longest line accepted: the feed writes one JSON line per event (a snapshot can be large), but a
// server that never ends a line must not grow the buffer without bound.
const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * The events of a `text/event-stream` body, parsed as the WHATWG HTML standard's event-stream
 * rules say (section 9.2.6): lines end in CR, LF or CRLF; a blank line dispatches; `:` starts a
 * comment; `data` lines join with LF; `id` sets the last event id unless it holds NUL.
 */
export async function* readEvents(
  body: AsyncIterable<Uint8Array>,
  lastEventId?: string,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id = lastEventId;
  let first = true;
  // Where the search for the next line end resumes: a long line arriving in many chunks is
  // scanned once, not once per chunk.
  let scanFrom = 0;
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    if (first && buffer.length > 0) {
      // A leading byte order mark is not part of the first line.
      if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
      first = false;
    }
    let start = 0;
    for (;;) {
      const end = nextLineEnd(buffer, Math.max(start, scanFrom));
      if (end < 0) break;
      // A CR at the very end may be the first half of a CRLF still in flight.
      if (buffer[end] === '\r' && end + 1 === buffer.length) break;
      const line = buffer.slice(start, end);
      start = end + (buffer[end] === '\r' && buffer[end + 1] === '\n' ? 2 : 1);
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), lastEventId: id };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'event') event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'id' && !value.includes('\0')) id = value;
    }
    buffer = buffer.slice(start);
    scanFrom = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    if (buffer.length > MAX_LINE_CHARS) throw new Error('event stream line too long');
  }
}

// One pass over the characters: two indexOf searches (LF, CR) would each run to the buffer's end
// for every line when the stream has no CR at all.
function nextLineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}
