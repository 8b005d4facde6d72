import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { firstVector, repoRoot, vectors } from '../support/vectors.ts';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/pospay.mjs ARGS` from the repository root, feeding `stdin` if given. */
function pospay(
  args: string[],
  stdin = '',
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  const { POS_SALT: _salt, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/pospay.mjs', ...args], {
      cwd: repoRoot,
      env: { ...inherited, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('pospay sign', () => {
  it.each(vectors.map((v) => [`${v.api} ${v.kind}`, v] as const))(
    'reproduces the %s vector and never prints the salt',
    async (_name, vector) => {
      const result = await pospay(['sign', '--salt', vector.salt], JSON.stringify(vector.message));
      expect(result).toMatchObject({ code: 0, stdout: `${vector.sign}\n` });
      expect(result.stdout + result.stderr).not.toContain(vector.salt);
    },
  );

  it('signs with MD5 when the message says so, ignoring a stale sign', async () => {
    const vector = firstVector();
    const message = { ...vector.message, signType: 'MD5', sign: vector.sign };
    const result = await pospay(['sign', `--salt=${vector.salt}`], JSON.stringify(message));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^[0-9A-F]{32}\n$/);
    const check = await pospay(
      ['verify', '--salt', vector.salt],
      JSON.stringify({ ...message, sign: result.stdout.trim() }),
    );
    expect(check).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('refuses to run without a salt (usage error, exit 2)', async () => {
    const result = await pospay(['sign'], JSON.stringify(firstVector().message));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--salt SALT is required/);
  });

  it('does not echo a salt given without --salt', async () => {
    const vector = firstVector();
    const result = await pospay(['sign', vector.salt], JSON.stringify(vector.message));
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain(vector.salt);
  });

  it('explains input that is not JSON (exit 1)', async () => {
    const result = await pospay(['sign', '--salt', 'x'], '{"accId": ');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not valid JSON/);
  });
});

describe('pospay verify', () => {
  it('prints valid for a vector as printed in the docs', async () => {
    for (const vector of vectors) {
      const result = await pospay(
        ['verify', '--salt', vector.salt],
        JSON.stringify(vector.message),
      );
      expect(result).toMatchObject({ code: 0, stdout: 'valid\n' });
    }
  });

  it('takes the salt from POS_SALT when --salt is not given', async () => {
    const vector = firstVector();
    const result = await pospay(['verify'], JSON.stringify(vector.message), {
      POS_SALT: vector.salt,
    });
    expect(result).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('says why a tampered message is not valid (exit 1)', async () => {
    const vector = firstVector();
    const tampered = {
      ...vector.message,
      bizContent: (vector.message.bizContent ?? '').replace('"amount":"1000"', '"amount":"1"'),
    };
    expect(tampered.bizContent).not.toBe(vector.message.bizContent);
    const result = await pospay(['verify', '--salt', vector.salt], JSON.stringify(tampered));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^invalid: signature does not match/);
    expect(result.stdout).toMatch(/salt is wrong or the message was altered/);
    expect(result.stdout + result.stderr).not.toContain(vector.salt);
  });

  it('says the sign is missing (exit 1)', async () => {
    const vector = firstVector();
    const { sign: _sign, ...unsigned } = vector.message;
    const result = await pospay(['verify', '--salt', vector.salt], JSON.stringify(unsigned));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/no sign/);
  });

  it('says stdin is not JSON (exit 1), and that no salt is a usage error (exit 2)', async () => {
    const notJson = await pospay(['verify', '--salt', 'x'], 'accId=1&sign=ABC');
    expect(notJson.code).toBe(1);
    expect(notJson.stdout).toMatch(/not valid JSON/);
    const noSalt = await pospay(['verify'], JSON.stringify(firstVector().message));
    expect(noSalt.code).toBe(2);
    expect(noSalt.stderr).toMatch(/--salt/);
  });

  it('documents its exit codes in --help', async () => {
    const result = await pospay(['verify', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/exit codes: 0 valid; 1 not valid/);
    expect(result.stdout).toMatch(/2 usage error/);
  });
});

describe('pospay classify', () => {
  it('classifies a WeChat code, AIM id and all', async () => {
    const result = await pospay(['classify', ']Q1134567890123456789']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ method: 'Wechat-Offline', currency: 'CNY' });
  });

  it('classifies an Alipay code by the store region', async () => {
    const hk = await pospay(['classify', '281234567890123456', '--region', 'HK']);
    expect(hk.code).toBe(0);
    expect(JSON.parse(hk.stdout)).toEqual({ method: 'AlipayHK-Offline', currency: 'HKD' });
    const cn = await pospay(['classify', '281234567890123456']);
    expect(cn.code).toBe(0);
    expect(JSON.parse(cn.stdout)).toEqual({ method: 'AlipayCN-Offline', currency: 'CNY' });
  });

  it('prints the reason and exits 2 for a code it cannot charge', async () => {
    const unionpay = await pospay(['classify', '6212345678901234567']);
    expect(unionpay.code).toBe(2);
    expect(unionpay.stdout).toMatch(/^unionpay: This is a UnionPay/);
    const product = await pospay(['classify', '6901234567892', '--region', 'HK']);
    expect(product.code).toBe(2);
    expect(product.stdout).toMatch(/^product-barcode: .*product barcode/);
  });

  it('applies a per-sale method override and refuses the other wallet', async () => {
    const result = await pospay(['classify', '281234567890123456', '--method', 'Wechat-Offline']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^override-mismatch: /);
  });

  it('treats a missing CODE or a bad region as a usage error', async () => {
    const noCode = await pospay(['classify']);
    expect(noCode.code).toBe(2);
    expect(noCode.stderr).toMatch(/CODE is required/);
    const badRegion = await pospay(['classify', '134567890123456789', '--region', 'US']);
    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toMatch(/--region must be CN or HK/);
    expect(badRegion.stdout).toBe('');
  });
});
