import { randomBytes } from 'node:crypto';

/** A valid RIFF/WAVE file: 44-byte header, then 16-bit mono PCM at 8 kHz (a 440 Hz tone). */
export function wav(samples: number): Buffer {
  const dataBytes = samples * 2;
  const file = Buffer.alloc(44 + dataBytes);
  file.write('RIFF', 0, 'ascii');
  file.writeUInt32LE(36 + dataBytes, 4);
  file.write('WAVE', 8, 'ascii');
  file.write('fmt ', 12, 'ascii');
  file.writeUInt32LE(16, 16); // fmt chunk size
  file.writeUInt16LE(1, 20); // PCM
  file.writeUInt16LE(1, 22); // channels
  file.writeUInt32LE(8000, 24); // sample rate
  file.writeUInt32LE(16000, 28); // byte rate
  file.writeUInt16LE(2, 32); // block align
  file.writeUInt16LE(16, 34); // bits per sample
  file.write('data', 36, 'ascii');
  file.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples; i++)
    file.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / 8000) * 12000), 44 + i * 2);
  return file;
}

export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; contentType?: string; data: Buffer };

/** A multipart/form-data body built by hand, as a client library would send it. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----latchkey${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\n`;
    if ('value' in part) {
      head += `Content-Disposition: form-data; name="${part.name}"\r\n\r\n`;
      chunks.push(Buffer.from(head), Buffer.from(part.value), Buffer.from('\r\n'));
    } else {
      head += `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n`;
      if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
      chunks.push(Buffer.from(`${head}\r\n`), part.data, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function audioPart(data: Buffer, filename = 'call.wav', contentType = 'audio/wav'): Part {
  return { name: 'file', filename, contentType, data };
}

/** Waits until `check` holds, polling every 20 ms, failing after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
