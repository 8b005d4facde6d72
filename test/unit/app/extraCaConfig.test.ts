/** POS_EXTRA_CA_FILE: the PEM read into the gateway config; a bad file is a clear ConfigError. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConfigError, terminalConfigFromEnv } from '../../../electron/app/runtime.ts';
import { certWorkshop } from '../../support/tlsCerts.ts';

const workshop = certWorkshop();
let caPem: string;
beforeAll(() => {
  caPem = workshop.ca('PosPay Config CA').cert;
});
afterAll(() => workshop.remove());

const env = (extra: Record<string, string>) => ({
  POS_DATA_DIR: workshop.dir,
  POS_GATEWAY_URL: 'https://gateway.example/',
  POS_ACC_ID: '2018092714313010016291',
  POS_SALT: 'F78BC96A55548B2319EE68E0',
  ...extra,
});

it('reads the extra CA named by POS_EXTRA_CA_FILE', () => {
  const file = path.join(workshop.dir, 'inspection-ca.pem');
  writeFileSync(file, caPem);
  const config = terminalConfigFromEnv(env({ POS_EXTRA_CA_FILE: file }));
  expect(config.gateway?.extraCaPem).toBe(caPem);
  expect(terminalConfigFromEnv(env({})).gateway?.extraCaPem).toBeUndefined();
});

it('refuses a missing file or one without a certificate, naming it', () => {
  const missing = path.join(workshop.dir, 'nope.pem');
  expect(() => terminalConfigFromEnv(env({ POS_EXTRA_CA_FILE: missing }))).toThrow(ConfigError);
  expect(() => terminalConfigFromEnv(env({ POS_EXTRA_CA_FILE: missing }))).toThrow(missing);
  const garbage = path.join(workshop.dir, 'garbage.pem');
  writeFileSync(garbage, 'hello');
  expect(() => terminalConfigFromEnv(env({ POS_EXTRA_CA_FILE: garbage }))).toThrow(
    /garbage\.pem holds no PEM certificate/,
  );
});

it('the cashier app refuses to start with a missing POS_EXTRA_CA_FILE, naming it', async () => {
  const { createTerminalApp } = await import('../../../electron/app/terminalApp.ts');
  const missing = path.join(workshop.dir, 'app-nope.pem');
  await expect(
    createTerminalApp({
      env: { POS_DATA_DIR: path.join(workshop.dir, 'app'), POS_EXTRA_CA_FILE: missing },
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    }),
  ).rejects.toThrow(missing);
});
