import { describe, expect, it } from 'vitest';
import { resetPassword } from '../src/core/sessions/password-reset.js';
import { caller, registerV1 } from './helpers/api.js';
import { useServer, uniqueEmail } from './helpers/server.js';
import { TARGETS } from './helpers/targets.js';

// One text, two encodings: precomposed (NFC, as typed on most systems) and decomposed (NFD, as
// macOS file names and some keyboards send it). NFKC folds both, and fullwidth forms, to one.
const NFC = 'Crème brûlée au four'.normalize('NFC');
const NFD = NFC.normalize('NFD');
const FULLWIDTH_OF_ASCII = 'ｓｅｃｒｅｔ ｂｉｓｃｕｉｔ ９';
const ASCII = 'secret biscuit 9';

/** Passwords are compared in NFKC on every path (NIST SP 800-63B section 5.1.1.2). */
describe.each(TARGETS)('password normalisation on $name', ({ create }) => {
  const { server } = useServer(create);

  const loginV1 = (email: string, password: string) => caller(server).post('/api/v1/auth/login', { email, password });
  const loginFlat = (email: string, password: string) => caller(server).post('/api/auth/login', { email, password });

  it('signs in with the NFD form of a password registered in NFC, on both surfaces', async () => {
    expect(NFD).not.toBe(NFC);
    const email = uniqueEmail();
    await registerV1(caller(server), email, NFC);
    expect((await loginV1(email, NFD)).status).toBe(200);
    expect((await loginFlat(email, NFD)).status).toBe(200);
    expect((await loginV1(email, 'Creme brulee au four')).status).toBe(401);
  });

  it('treats fullwidth forms as their ASCII compatibility equivalents', async () => {
    const email = uniqueEmail();
    const res = await caller(server).post('/api/auth/register', { email, password: FULLWIDTH_OF_ASCII });
    expect(res.status).toBe(201);
    expect((await loginFlat(email, ASCII)).status).toBe(200);
  });

  it('normalises the current password of a change, the new one, and the step-up password', async () => {
    const email = uniqueEmail();
    const login = await registerV1(caller(server), email, NFC);
    const changed = await caller(server).post(
      '/api/v1/auth/change-password',
      { currentPassword: NFD, newPassword: ASCII },
      login.token,
    );
    expect(changed.status).toBe(200);
    expect((await loginV1(email, FULLWIDTH_OF_ASCII)).status).toBe(200);

    const unchanged = await caller(server).post(
      '/api/v1/auth/change-password',
      { currentPassword: ASCII, newPassword: FULLWIDTH_OF_ASCII },
      changed.body.data.token,
    );
    expect(unchanged.status).toBe(400);
    expect(unchanged.body.error.code).toBe('PASSWORD_UNCHANGED');

    const stepUp = await caller(server).post(
      '/api/auth/reauthenticate',
      { password: FULLWIDTH_OF_ASCII },
      changed.body.data.token,
    );
    expect(stepUp.status).toBe(200);
  });

  it('normalises an operator reset (latchkey user set-password)', async () => {
    const email = uniqueEmail();
    const login = await registerV1(caller(server), email, ASCII);
    await resetPassword(server.core, login.user.id, NFD, { ip: 'cli', userAgent: 'test' });
    expect((await loginV1(email, NFC)).status).toBe(200);
  });

  it('accepts a hash made before normalisation, and rehashes it in the normalised form at login', async () => {
    const email = uniqueEmail();
    const login = await registerV1(caller(server), email, ASCII);
    // What an older Latchkey stored: the hash of the decomposed text exactly as typed.
    const before = (await server.core.stores.users.findById(login.user.id))!;
    const legacyHash = await server.core.passwords.hash(NFD);
    expect(
      await server.core.stores.users.upgradePasswordHash(before.id, before.passwordHash, legacyHash, Date.now()),
    ).toBe(true);
    expect((await loginV1(email, NFC)).status).toBe(401);

    expect((await loginV1(email, NFD)).status).toBe(200);
    const after = (await server.core.stores.users.findById(login.user.id))!;
    expect(after.passwordHash).not.toBe(legacyHash);
    expect(await server.core.passwords.verify(after.passwordHash, NFC)).toBe(true);
    expect((await loginV1(email, NFC)).status).toBe(200);
  });
});
