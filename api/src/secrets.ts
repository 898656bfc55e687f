import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Encryption at rest for secrets the API must use again in clear (a judge's API key):
 * AES-256-GCM, a random nonce per value, stored as `v1:<nonce>:<tag>:<ciphertext>` (base64).
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string | Buffer) {
    // Any length of configured secret becomes one 256-bit key.
    this.key = createHash('sha256').update('spanlens-secret-box-v1').update(secret).digest();
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', nonce.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  /** Throws when the value was sealed with another key (SPANLENS_SECRET_KEY changed). */
  open(sealed: string): string {
    const [v, nonce, tag, body] = sealed.split(':');
    if (v !== 'v1' || !nonce || !tag || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('a stored secret cannot be decrypted: SPANLENS_SECRET_KEY differs from the one it was stored with');
    }
  }
}

/**
 * SPANLENS_SECRET_KEY when set (every process of a deployment must share it); otherwise a
 * key generated once into the data directory, readable by its owner only.
 */
export function loadSecretBox(configured: string | undefined, keyFile: string): SecretBox {
  if (configured) return new SecretBox(configured);
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    try {
      writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process of this data directory wrote it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return new SecretBox(readFileSync(keyFile, 'utf8').trim());
}
