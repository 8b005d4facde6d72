/**
 * Handlers of the receipt channels (shared/ipc/receiptChannels.ts), spread into createHandlers.
 * What they need beyond the common context is declared in ReceiptHandlerContext. Requests are
 * validated by the contract's zod schemas in dispatchInvoke before they get here.
 */
import type { InvokeResponse } from '../../shared/ipc/contract.ts';
import type { PrinterDevice } from '../../shared/ipc/receiptChannels.ts';
import { AppError } from './errors.ts';
import { requirePin, type HandlerContext, type InvokeRequestParsed } from './handlers.ts';
import type { ReceiptService } from './receipts.ts';

type ReceiptService_ = Pick<
  ReceiptService,
  'printNow' | 'decline' | 'printReport' | 'printTestPage' | 'preview' | 'state'
>;

export interface ReceiptHandlerContext {
  /** The receipt service (electron/app/receipts.ts). */
  receipts: ReceiptService_;
  /** Serial ports and HID devices a printer may be on (electron/printing/discovery.ts). */
  listPrinters(): Promise<{ devices: PrinterDevice[]; errors: string[] }>;
}

type ReceiptChannel =
  | 'receipt:print'
  | 'receipt:decline'
  | 'receipt:print-report'
  | 'receipt:test-page'
  | 'receipt:preview'
  | 'receipt:state'
  | 'printer:list';

type ReceiptHandlers = {
  [C in ReceiptChannel]: (request: InvokeRequestParsed<C>) => Promise<InvokeResponse<C>>;
};

export function createReceiptHandlers(ctx: HandlerContext): ReceiptHandlers {
  /** The sale (and refund) must exist: a receipt of nothing is the screen's mistake. */
  const target = (req: { orderId: string; refundId?: string | undefined }) => {
    const sale = ctx.engine().sale(req.orderId);
    if (!sale) throw new AppError('sale-not-found', `There is no sale ${req.orderId}.`);
    if (req.refundId !== undefined && !sale.refunds.some((r) => r.refundId === req.refundId)) {
      throw new AppError('sale-not-found', `Sale ${req.orderId} has no refund ${req.refundId}.`);
    }
    return { orderId: req.orderId, refundId: req.refundId ?? null };
  };
  return {
    'receipt:print': async (req) => {
      const { orderId, refundId } = target(req);
      return ctx.receipts.printNow(orderId, refundId);
    },
    'receipt:decline': async (req) => {
      const { orderId, refundId } = target(req);
      return ctx.receipts.decline(orderId, refundId);
    },
    'receipt:print-report': async (req) => ctx.receipts.printReport(req.day, req.training),
    'receipt:test-page': async (req) => {
      // A printer not saved yet (it could be any file: path): the supervisor's.
      if (req.printer !== undefined) await requirePin(ctx, req.pin, 'settings');
      return ctx.receipts.printTestPage({
        ...(req.printer !== undefined ? { printer: req.printer } : {}),
        ...(req.paperWidth !== undefined ? { paperWidth: req.paperWidth } : {}),
        ...(req.codepage !== undefined ? { codepage: req.codepage } : {}),
        ...(req.storeName !== undefined ? { storeName: req.storeName } : {}),
        ...(req.storeAddress !== undefined ? { storeAddress: req.storeAddress } : {}),
      });
    },
    'receipt:preview': async (req) => {
      const { orderId, refundId } = target(req);
      return ctx.receipts.preview(orderId, refundId);
    },
    'receipt:state': async (req) => ctx.receipts.state(req.orderId),
    'printer:list': async () => ctx.listPrinters(),
  };
}
