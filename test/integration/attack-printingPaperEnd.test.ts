/**
 * Attack: a defect found in printing, fixed (this test failed before): a printer that runs out
 * of paper DURING the receipt. The network printer here answers "paper OK" to the status
 * requests before the job, takes the job, and from then on answers "paper end" (0x60 bits)
 * — what a real printer does when the roll ends halfway through a receipt.
 *
 * Cause: electron/printing/printer.ts printBytes() asks DLE EOT only BEFORE writing
 * (checkStatus, then link.write, then { printed: true }); nothing is asked after the job,
 * so a receipt cut short is reported "printed" and the screen offers no "not printed: why".
 * Fix: after link.write(bytes), ask the paper (and printer) status again when
 * link.answersStatus; a paper end (or offline) then → { printed: false, reason: 'the printer
 * ran out of paper during the receipt: load paper and reprint' }.
 */
import { describe, expect, it } from 'vitest';
import { printBytes } from '../../electron/printing/printer.ts';
import { escPos, saleDocument } from '../../electron/printing/layout.ts';
import { startTcpFakePrinter } from '../support/fakePrinter.ts';
import { asReceipt, saleView } from '../support/saleViews.ts';

/** Paper OK when asked before the job; from the job on, "paper end" (0x60 bits). */
const printerThatRunsOutDuringTheJob = () => startTcpFakePrinter({ paper: 'runs-out' });

const noon = Date.UTC(2026, 11, 1, 12);
const sale = saleView({ orderId: 'T1-1201-PAPER001', createdAt: noon, updatedAt: noon });

describe('fixed: paper runs out during the receipt', () => {
  it('the receipt is not printed, with the reason, instead of "printed"', async () => {
    const printer = await printerThatRunsOutDuringTheJob();
    try {
      const bytes = escPos(
        saleDocument(asReceipt(sale), {
          storeName: 'S',
          storeAddress: 'A',
          codepage: 'gb18030',
          paperWidth: 80,
        }),
      );
      const result = await printBytes(printer.spec, bytes, { statusTimeoutMs: 1000 });
      // The job did reach the printer (this is about what happens after it)…
      for (
        let i = 0;
        i < 100 && !printer.received().includes(Buffer.from('T1-1201-PAPER001'));
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(printer.received().includes(Buffer.from('T1-1201-PAPER001'))).toBe(true);
      // …and the printer then says its paper ended: the receipt is not whole.
      expect(result.printed).toBe(false);
      expect(result.printed ? '' : result.reason).toMatch(/paper/i);
    } finally {
      await printer.close();
    }
  });
});
