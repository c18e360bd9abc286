import { afterEach, describe, expect, it, vi } from 'vitest';
import { findProgram, needProgram } from '../src/index.ts';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('findProgram', () => {
  it('finds an installed program by name, as an absolute path', () => {
    expect(findProgram('sh')).toMatch(/^\/.*\/sh$/);
  });

  it('finds nothing for a name that is not installed', () => {
    expect(findProgram('tock-no-such-program')).toBeUndefined();
  });
});

describe('needProgram', () => {
  it('returns the path of an installed program', () => {
    expect(needProgram('sh', 'Debian package dash')).toEqual({ path: findProgram('sh') });
  });

  it('outside CI, a missing program is a reason to skip', () => {
    vi.stubEnv('CI', '');
    expect(needProgram('tock-no-such-program', 'Debian package none')).toEqual({
      skip: expect.stringMatching(/^tock-no-such-program is not installed \(Debian package none\)$/),
    });
  });

  it('under CI, a missing program is a failure', () => {
    vi.stubEnv('CI', 'true');
    expect(() => needProgram('tock-no-such-program', 'Debian package none')).toThrow(/CI is set/);
  });

  it('with a test context, returns the path or skips that test with the reason', () => {
    vi.stubEnv('CI', '');
    const skip = vi.fn((note?: string): never => {
      throw new Error(`skipped: ${note}`);
    });
    expect(needProgram('sh', 'Debian package dash', { skip })).toBe(findProgram('sh'));
    expect(() => needProgram('tock-no-such-program', 'Debian package none', { skip })).toThrow(
      /^skipped: tock-no-such-program is not installed/,
    );
    expect(skip).toHaveBeenCalledOnce();
  });
});
