/**
 * Attack: hostile member ids and searches. SQL, HTML, control characters, ids too long,
 * non-ASCII letters and phone numbers are refused with a reason and nothing is journaled; a
 * search made of SQL wildcards or quotes finds only what it says.
 */
import { describe, expect, it } from 'vitest';
import { useOfflineMembers } from '../support/offlineMembers.ts';

const offlineMembers = useOfflineMembers();
const service = () => offlineMembers().s;

describe('hostile member ids', () => {
  it.each([
    ["x'; DROP TABLE sales; --"],
    ['<img src=x onerror=alert(1)>'],
    ['a\u0000b'],
    ['a\u202eb'],
    ['M\r\nSet-Cookie: x'],
    ['x'.repeat(65)],
    ['会员一号'],
    ['+852 9123 4567'],
    [''],
  ])('%j is refused with a reason, nothing kept', (id) => {
    const s = service();
    expect(() => s.findOrCreate({ memberId: id })).toThrow(/member id|phone/i);
    expect(s.list()).toEqual([]);
  });

  it('a search of SQL wildcards or quotes finds only what it says', () => {
    const s = service();
    s.findOrCreate({ memberId: 'ALICE-1' });
    s.findOrCreate({ memberId: 'BOB_2' });
    expect(s.list('%')).toEqual([]);
    expect(s.list("'")).toEqual([]);
    expect(s.list('_').map((m) => m.memberId)).toEqual(['BOB_2']);
    expect(s.list('ALICE').map((m) => m.memberId)).toEqual(['ALICE-1']);
  });
});
