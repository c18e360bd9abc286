import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IGNORE_REASONS, JSON_ERROR_CODES, PROTOCOL_ERROR_CODES, TEXT_FORMATS } from '../src/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every JSON error code with the description the code carries', () => {
    for (const [code, description] of Object.entries(JSON_ERROR_CODES)) {
      expect(readme).toContain(
        `| \`${code}\` | ${description.replace('(JSON_MAX_REQUEST_BYTES)', '(`JSON_MAX_REQUEST_BYTES`)')} |`,
      );
    }
  });

  it('documents every reason a datagram gets no reply', () => {
    for (const reason of IGNORE_REASONS) expect(readme).toContain(`| \`${reason}\` |`);
  });

  it('documents every text format keyword', () => {
    for (const format of TEXT_FORMATS) expect(readme).toContain(`| \`${format}\``);
  });

  it('documents every error code with the description the code carries', () => {
    for (const [code, description] of Object.entries(PROTOCOL_ERROR_CODES)) {
      expect(readme).toContain(`| \`${code}\` | ${description} |`);
    }
  });
});
