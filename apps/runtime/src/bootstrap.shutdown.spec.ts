import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test/test-app.js';

describe('graceful shutdown', () => {
  it('lets an in-flight request finish (with its database work) before the pool closes', async () => {
    const t = await createTestApp();
    let closed = false;
    try {
      await t.signUpOwner({ email: 'late@example.com', password: 'late-password' });
      await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
      const { port } = t.server.address() as AddressInfo;
      // Sign-in spends tens of milliseconds in argon2, then writes a session row.
      const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'late@example.com', password: 'late-password' }),
      });
      await new Promise((resolve) => setTimeout(resolve, 15));
      const closing = t.braid.close().then(() => (closed = true));
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { user: { email: string } }).user.email).toBe('late@example.com');
      await closing;
      expect(closed).toBe(true);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      await t.close();
    }
  });
});
