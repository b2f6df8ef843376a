import { describe, expect, it } from 'vitest';
import { readEvents } from '../src/sse.js';

async function eventsOf(chunks: (string | Uint8Array)[], lastEventId?: string) {
  async function* body() {
    for (const chunk of chunks) yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
  }
  const events = [];
  for await (const event of readEvents(body(), lastEventId)) events.push(event);
  return events;
}

describe('the event-stream reader (WHATWG HTML 9.2.6)', () => {
  it('splits on LF, CR and CRLF, even when a CRLF or a character is cut between chunks', async () => {
    const euro = new TextEncoder().encode('data: €\n\n');
    const chunks = ['event: a\r', '\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata: ', '3\n\n'];
    const events = await eventsOf([...chunks, euro.slice(0, 7), euro.slice(7)]);
    expect(events.map((e) => [e.event, e.data])).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['message', '3'],
      ['message', '€'],
    ]);
  });

  it('joins data lines, skips comments and empty events, and carries the id over', async () => {
    const events = await eventsOf([': hello\n\nid: 7\nevent: x\ndata: a\ndata:b\n\nid\nevent: y\ndata\n\n'], '3');
    expect(events).toEqual([
      { event: 'x', data: 'a\nb', lastEventId: '7' },
      { event: 'y', data: '', lastEventId: '' },
    ]);
  });

  it('keeps the last event id when an id holds NUL, and drops a leading byte order mark', async () => {
    const events = await eventsOf(['\ufeffid: 5\ndata: a\n\nid: 6\0\ndata: b\n\n']);
    expect(events.map((e) => e.lastEventId)).toEqual(['5', '5']);
  });
});
