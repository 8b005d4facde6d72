/**
 * Attack (fixed defect): a phone number kept in clear as a member id or a member's name.
 *
 * A member found by phone gets an opaque keyed-hash id; "the number itself is never stored"
 * (electron/members/memberService.ts memberIdFor) and a phone number is never a member id or
 * a name in clear (shared/members.ts memberIdProblem, looksLikePhone). looksLikePhone only
 * knows ASCII digits with spaces, brackets, + and -: a number written with dots (allowed in
 * member ids) or typed in full-width digits (a Chinese input method's default) passes, and is
 * written to the journal as it is.
 *
 * Expected: refused ("give it as a phone number (it is hashed)"), nothing journaled.
 * Fixed: looksLikePhone folds full-width forms (NFKC) and takes dots as separators.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOURNAL_FILE } from '../../electron/journal/journal.ts';
import { useOfflineMembers } from '../support/offlineMembers.ts';

const offlineMembers = useOfflineMembers();

function service() {
  const { s, dir } = offlineMembers();
  const bytes = () => {
    let text = '';
    for (const name of [JOURNAL_FILE, `${JOURNAL_FILE}-wal`]) {
      try {
        text += readFileSync(path.join(dir, name)).toString('utf8');
      } catch {
        // absent
      }
    }
    return text;
  };
  return { s, bytes };
}

describe('phone numbers never in clear', () => {
  it('a member id written as a phone number with dots (852.9123.4567) is refused', () => {
    const { s, bytes } = service();
    expect(() => s.findOrCreate({ memberId: '852.9123.4567' })).toThrow(/phone/i);
    expect(bytes()).not.toContain('9123.4567');
  });

  it('a name that is a phone number in full-width digits (９１２３ ４５６７) is refused', () => {
    const { s, bytes } = service();
    expect(() => s.findOrCreate({ memberId: 'M-FW-1', label: '９１２３ ４５６７' })).toThrow(
      /phone/i,
    );
    expect(bytes()).not.toContain('９１２３');
  });
});
