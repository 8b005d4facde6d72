import { describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en.ts';
import { zhCN } from '../../../renderer/src/i18n/zhCN.ts';
import { zhHK } from '../../../renderer/src/i18n/zhHK.ts';
import { SaleStatusSchema } from '../../../shared/ipc/contract.ts';
import { SALE_METHODS } from '../../../shared/paymentMethods.ts';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  const english = leaves(en as unknown as Tree);
  for (const [name, resource] of [
    ['zh-HK', zhHK],
    ['zh-CN', zhCN],
  ] as const) {
    it(`${name} says everything English says, with the same placeholders`, () => {
      const other = leaves(resource as unknown as Tree);
      expect([...other.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [key, text] of english) {
        expect(placeholders(other.get(key) ?? ''), key).toEqual(placeholders(text));
        expect(other.get(key), key).not.toBe('');
      }
    });
  }

  it('names every sale status the terminal can report', () => {
    for (const status of SaleStatusSchema.options) {
      expect(english.get(`status.${status}`), status).toBeTruthy();
    }
  });

  it('names every way a sale can be paid (scanned code, linked wallet, on the phone)', () => {
    for (const method of SALE_METHODS) {
      expect(english.get(`method.${method}`), method).toBeTruthy();
    }
    expect(zhCN.method.Alipay).toContain('支付宝');
    expect(zhHK.method.Card).not.toBe(en.method.Card);
  });

  it('tells the cashier about training mode in every language', () => {
    expect(en.app.training).toMatch(/Training mode/);
    expect(zhHK.app.training).toMatch(/培訓/);
    expect(zhCN.app.training).toMatch(/培训/);
  });
});
