import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import { IngestError } from '../errors.ts';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** Decompresses a request body, enforcing the limit on the decompressed size (gzip bombs). */
export async function decodeBody(raw: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') {
    if (raw.length > maxBytes) throw tooLarge(maxBytes);
    return raw;
  }
  if (enc !== 'gzip' && enc !== 'deflate') {
    throw new IngestError('unsupported_media_type', `unsupported Content-Encoding '${enc}': use gzip or none`);
  }
  try {
    return await (enc === 'gzip' ? gunzipAsync : inflateAsync)(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new IngestError('invalid_body', `body is not valid ${enc}: ${(err as Error).message}`);
  }
}

function tooLarge(maxBytes: number): IngestError {
  return new IngestError('payload_too_large', `request body exceeds ${maxBytes} bytes after decompression`);
}
