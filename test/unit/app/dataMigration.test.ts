/**
 * The data folder a till uses (%ProgramData%\PosPay) and the one-time move of an earlier
 * version's (%APPDATA%\PosPay): the decision (pure), then the copy on real folders with a real
 * journal left as after a power cut (its last sales only in the -wal file), opened afterwards
 * by the journal itself.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  inspectFolder,
  MIGRATED_FILES,
  migrateDataFolder,
  MIGRATED_MARKER,
  MOVED_NOTE,
  planDataMigration,
  sqliteJournalCheck,
  type FolderState,
} from '../../../electron/app/dataMigration.ts';
import { defaultDataDir, legacyDataDirs } from '../../../electron/app/paths.ts';
import { SIMULATOR_STATE_FILE } from '../../../electron/app/runtime.ts';
import { SETTINGS_FILE } from '../../../electron/app/settings.ts';
import { JOURNAL_FILE, newSaleRecord, openJournal } from '../../../electron/journal/journal.ts';
import { removeDir, tempDataDir } from '../../support/engineProcess.ts';

describe('where a till keeps its data', () => {
  const win = { platform: 'win32' as const, home: 'C:\\Users\\cashier' };

  it('is %ProgramData%\\PosPay on Windows, not the roaming profile', () => {
    expect(defaultDataDir({ ...win, env: { ProgramData: 'D:\\ProgramData' } })).toBe(
      'D:\\ProgramData\\PosPay',
    );
    expect(defaultDataDir({ ...win, env: { ALLUSERSPROFILE: 'E:\\ProgramData' } })).toBe(
      'E:\\ProgramData\\PosPay',
    );
    expect(defaultDataDir({ ...win, env: {} })).toBe('C:\\ProgramData\\PosPay');
    expect(
      defaultDataDir({ ...win, env: { APPDATA: 'C:\\Users\\cashier\\AppData\\Roaming' } }),
    ).not.toContain('Roaming');
  });

  it('migrates from %APPDATA%\\PosPay on Windows only, and never when POS_DATA_DIR chooses', () => {
    expect(legacyDataDirs({ ...win, env: { APPDATA: 'C:\\Users\\c\\AppData\\Roaming' } })).toEqual([
      'C:\\Users\\c\\AppData\\Roaming\\PosPay',
    ]);
    expect(legacyDataDirs({ ...win, env: {} })).toEqual([
      'C:\\Users\\cashier\\AppData\\Roaming\\PosPay',
    ]);
    expect(legacyDataDirs({ ...win, env: { POS_DATA_DIR: 'D:\\till' } })).toEqual([]);
    expect(legacyDataDirs({ platform: 'linux', home: '/home/till', env: {} })).toEqual([]);
  });
});

describe('what moves', () => {
  it("is PosPay's own files, under the names the app writes them, the journal last", () => {
    expect(MIGRATED_FILES).toEqual([
      SETTINGS_FILE,
      'salt.enc',
      SIMULATOR_STATE_FILE,
      `${JOURNAL_FILE}-wal`,
      JOURNAL_FILE,
    ]);
  });
});

describe('planDataMigration', () => {
  const target = 'C:\\ProgramData\\PosPay';
  const old = 'C:\\Users\\c\\AppData\\Roaming\\PosPay';
  const empty: FolderState = { exists: false, journal: false, movedTo: null, migratedFrom: null };
  const plan = (states: Record<string, Partial<FolderState>>, legacy = [old]) =>
    planDataMigration({ target, legacy, state: (dir) => ({ ...empty, ...states[dir] }) });

  it('copies an old journal into a new folder that has none (the installer made it empty)', () => {
    expect(plan({ [old]: { exists: true, journal: true }, [target]: { exists: true } })).toEqual({
      action: 'copy',
      from: old,
      to: target,
    });
  });

  it('does nothing without an old folder or an old journal', () => {
    expect(plan({})).toEqual({ action: 'none', reason: 'no-legacy-folder' });
    expect(plan({}, [])).toEqual({ action: 'none', reason: 'no-legacy-folder' });
    expect(plan({ [old]: { exists: true } })).toEqual({
      action: 'none',
      reason: 'no-legacy-journal',
    });
  });

  it('happens once: MOVED.txt in the old folder or the marker in the new one says so', () => {
    const moved = plan({ [old]: { exists: true, journal: true, movedTo: target } });
    expect(moved).toEqual({ action: 'none', reason: 'already-migrated' });
    // Even when the new journal is gone since: the old copy is stale, never copied again.
    const marked = plan({
      [old]: { exists: true, journal: true },
      [target]: { exists: true, journal: true, migratedFrom: old.toUpperCase() },
    });
    expect(marked).toEqual({ action: 'none', reason: 'already-migrated' });
  });

  it('never writes over a journal: with one in both folders, both stay and IT is warned', () => {
    const result = plan({
      [old]: { exists: true, journal: true },
      [target]: { exists: true, journal: true },
    });
    expect(result.action).toBe('keep-both');
    expect(result.action === 'keep-both' && result.warning).toContain(old);
  });

  it('does nothing when the old folder is the new one (POS_DATA_DIR pointing at it)', () => {
    expect(plan({ [old]: { exists: true, journal: true } }, [target.toLowerCase()])).toEqual({
      action: 'none',
      reason: 'same-folder',
    });
  });
});

describe('migrateDataFolder on real folders', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = tempDataDir();
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    while (dirs.length) removeDir(dirs.pop() as string);
  });

  const sale = (orderId: string) =>
    newSaleRecord({
      orderId,
      terminalId: 'T',
      status: 'submitting',
      amountMinor: 1250,
      currency: 'CNY',
      method: 'Wechat-Offline',
      maskedCode: '134567********1234',
      source: 'wedge',
      attempt: 1,
      requestId: `${orderId}-A1`,
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
      day: '2024-05-01',
      training: false,
      gateway: 'https://gw.example',
      accId: '2018092714313010016291',
    });

  /** An old folder as a power cut leaves it: journal + its -wal (the sales only there). */
  function crashedOldFolder(): { old: string; orderIds: string[] } {
    const live = dir();
    const journal = openJournal({ dir: live });
    const orderIds = ['T-1', 'T-2', 'T-3'];
    for (const id of orderIds) {
      const s = sale(id);
      journal.saveSale(s, { kind: 'submitted', detail: { attempt: 1 } });
      journal.saveSale(
        { ...s, status: 'paid', settled: true, updatedAt: 1_700_000_000_009 },
        {
          kind: 'resolved',
        },
      );
    }
    const old = dir();
    copyFileSync(path.join(live, JOURNAL_FILE), path.join(old, JOURNAL_FILE));
    copyFileSync(path.join(live, `${JOURNAL_FILE}-wal`), path.join(old, `${JOURNAL_FILE}-wal`));
    journal.close();
    writeFileSync(path.join(old, 'settings.json'), '{"region":"HK"}\n');
    writeFileSync(path.join(old, 'salt.enc'), Buffer.from([1, 2, 3, 4]));
    mkdirSync(path.join(old, 'logs'));
    writeFileSync(path.join(old, 'logs', 'main.log'), 'old log\n');
    writeFileSync(path.join(old, `${JOURNAL_FILE}-shm`), 'stale shared memory');
    mkdirSync(path.join(old, 'Cache'));
    writeFileSync(path.join(old, 'Cache', 'data_0'), 'not PosPay data');
    writeFileSync(path.join(old, 'Local State'), '{}');
    return { old, orderIds };
  }

  it('copies, checks and places the journal with every sale, then the new journal opens', async () => {
    const { old, orderIds } = crashedOldFolder();
    const oldBytes = readFileSync(path.join(old, JOURNAL_FILE));
    const oldWal = readFileSync(path.join(old, `${JOURNAL_FILE}-wal`));
    expect(oldWal.length).toBeGreaterThan(0);
    // Without its -wal the old journal has none of those sales: a copy must carry both.
    const alone = dir();
    copyFileSync(path.join(old, JOURNAL_FILE), path.join(alone, JOURNAL_FILE));
    expect(await sqliteJournalCheck()(path.join(alone, JOURNAL_FILE), false)).toBe(0);
    const target = dir();

    const result = await migrateDataFolder({
      target,
      legacy: [old],
      verifyJournal: sqliteJournalCheck(),
      now: () => new Date('2025-01-02T03:04:05Z'),
    });
    expect(result.plan.action).toBe('copy');
    expect(result.copied.at(-1)).toBe(JOURNAL_FILE);
    expect(result.events).toBeGreaterThanOrEqual(6);
    expect(readFileSync(path.join(target, 'settings.json'), 'utf8')).toBe('{"region":"HK"}\n');
    expect([...readFileSync(path.join(target, 'salt.enc'))]).toEqual([1, 2, 3, 4]);
    expect(existsSync(path.join(target, 'logs'))).toBe(false);
    expect(existsSync(path.join(target, 'Cache'))).toBe(false);
    expect(existsSync(path.join(target, 'Local State'))).toBe(false);
    expect(existsSync(path.join(target, `${JOURNAL_FILE}-shm`))).toBe(false);
    expect(existsSync(path.join(target, '.migrating'))).toBe(false);

    const journal = openJournal({ dir: target });
    try {
      for (const id of orderIds) expect(journal.sale(id)?.status).toBe('paid');
    } finally {
      journal.close();
    }

    // The old folder: as it was, plus the note.
    expect(readFileSync(path.join(old, JOURNAL_FILE)).equals(oldBytes)).toBe(true);
    expect(readFileSync(path.join(old, `${JOURNAL_FILE}-wal`)).equals(oldWal)).toBe(true);
    expect(readFileSync(path.join(old, MOVED_NOTE), 'utf8')).toContain(`to: ${target}`);
    const marker = JSON.parse(readFileSync(path.join(target, MIGRATED_MARKER), 'utf8'));
    expect(marker).toMatchObject({ from: old, at: '2025-01-02T03:04:05.000Z' });
    expect(inspectFolder(old).movedTo).toBe(target);

    // Once: a second start changes nothing.
    const again = await migrateDataFolder({
      target,
      legacy: [old],
      verifyJournal: sqliteJournalCheck(),
    });
    expect(again).toEqual({ plan: { action: 'none', reason: 'already-migrated' }, copied: [] });
  });

  it('leaves the new folder without a journal and the old one untouched when the check fails', async () => {
    const { old } = crashedOldFolder();
    const target = dir();
    await expect(
      migrateDataFolder({
        target,
        legacy: [old],
        verifyJournal: (_file, readOnly) => {
          if (!readOnly) throw new Error('database disk image is malformed');
          return 6;
        },
      }),
    ).rejects.toThrow(/could not be moved to .*malformed.*Nothing was deleted/);
    expect(existsSync(path.join(target, JOURNAL_FILE))).toBe(false);
    expect(existsSync(path.join(target, '.migrating'))).toBe(false);
    expect(existsSync(path.join(old, MOVED_NOTE))).toBe(false);
    // The next start tries again, and succeeds.
    const retry = await migrateDataFolder({
      target,
      legacy: [old],
      verifyJournal: sqliteJournalCheck(),
    });
    expect(retry.plan.action).toBe('copy');
    expect(existsSync(path.join(target, JOURNAL_FILE))).toBe(true);
  });

  it('refuses a copy whose journal holds fewer events than the original', async () => {
    const { old } = crashedOldFolder();
    const target = dir();
    await expect(
      migrateDataFolder({
        target,
        legacy: [old],
        verifyJournal: (_file, readOnly) => (readOnly ? 6 : 5),
      }),
    ).rejects.toThrow(/5 events, the original 6/);
    expect(existsSync(path.join(target, JOURNAL_FILE))).toBe(false);
  });

  it('writes nothing when both folders hold a journal', async () => {
    const { old } = crashedOldFolder();
    const target = dir();
    writeFileSync(path.join(target, JOURNAL_FILE), 'the new journal');
    const result = await migrateDataFolder({ target, legacy: [old] });
    expect(result.plan.action).toBe('keep-both');
    expect(readFileSync(path.join(target, JOURNAL_FILE), 'utf8')).toBe('the new journal');
    expect(existsSync(path.join(target, 'settings.json'))).toBe(false);
    expect(existsSync(path.join(old, MOVED_NOTE))).toBe(false);
  });
});
