/**
 * The members side of an open terminal (electron/app/runtime.ts Terminal): the member
 * service over the terminal's journal and gateway client, with the token cipher under the
 * terminal's data key, connected to its engine. The `pospay member|pay --member|checkout|
 * renew` commands and the app's core use it.
 */
import path from 'node:path';
import { gatewayKey } from '../app/runtime.ts';
import { createEnvDataKeyStore, type DataKeyStore } from '../app/secretStore.ts';
import type { GatewayIdentity, PaymentEngine } from '../engine/paymentEngine.ts';
import { EMBEDDED_SIMULATOR_GATEWAY } from '../engine/paymentEngine.ts';
import type { Journal } from '../journal/journal.ts';
import {
  createMemberService,
  type LinkGateway,
  type MemberService,
  type MemberTuning,
} from './memberService.ts';
import { createTokenCipher } from './tokenCipher.ts';
import type { EngineLog } from '../engine/types.ts';

/** The training-only data key file (embedded simulator: nothing real to protect). */
export const TRAINING_DATA_KEY_FILE = 'training-data-key';

export interface MembersFor {
  journal: Journal;
  client: LinkGateway;
  engine: PaymentEngine;
  trainingMode: boolean;
}

export interface OpenMembersOptions {
  dataDir: string;
  /** Where the data key comes from; default: POS_DATA_KEY, or the training file in training mode. */
  dataKeys?: DataKeyStore;
  identity?: GatewayIdentity;
  env?: Record<string, string | undefined>;
  log?: EngineLog;
  tuning?: MemberTuning;
  /** Re-check pending sign-ups at start and every few minutes (default true). */
  start?: boolean;
}

export function openMembers(terminal: MembersFor, options: OpenMembersOptions): MemberService {
  const keys =
    options.dataKeys ??
    createEnvDataKeyStore(
      options.env ?? process.env,
      terminal.trainingMode ? path.join(options.dataDir, TRAINING_DATA_KEY_FILE) : undefined,
    );
  let key: Buffer | null = null;
  try {
    key = keys.get();
  } catch (error) {
    // Never a crash: without the key tokens cannot be read, and members link again.
    options.log?.('error', 'the data key could not be read; linked wallets need linking again', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  const service = createMemberService({
    journal: terminal.journal,
    gateway: terminal.client,
    cipher: createTokenCipher(key),
    identity: options.identity ?? {
      training: terminal.trainingMode,
      gateway: terminal.trainingMode ? EMBEDDED_SIMULATOR_GATEWAY : 'configured',
    },
    ...(options.log ? { log: options.log } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
  });
  terminal.engine.useMembers(service);
  if (options.start !== false) service.start();
  return service;
}

/**
 * The members side of whatever runtime the app opened (electron/app/terminalApp.ts): a real
 * terminal (journal, gateway client with CodeGrant calls, engine) gets one; a test double
 * without them gets null (its member channels then answer "not ready").
 */
export function membersForRuntime(
  runtime: unknown,
  options: Omit<OpenMembersOptions, 'identity'> & {
    /** The live gateway's base URL (config.gateway.baseUrl); absent: the embedded simulator. */
    gatewayUrl?: string;
  },
): MemberService | null {
  const r = runtime as Partial<MembersFor> & { client?: Partial<LinkGateway> };
  if (
    !r.journal ||
    typeof (r.journal as Partial<Journal>).members !== 'object' ||
    typeof r.client?.bind !== 'function' ||
    typeof r.client.queryBind !== 'function' ||
    typeof r.client.unbind !== 'function' ||
    typeof r.engine?.useMembers !== 'function'
  ) {
    return null;
  }
  const trainingMode = r.trainingMode === true;
  return openMembers(
    {
      journal: r.journal,
      client: r.client as LinkGateway,
      engine: r.engine,
      trainingMode,
    },
    {
      ...options,
      identity: {
        training: trainingMode,
        gateway:
          options.gatewayUrl === undefined
            ? EMBEDDED_SIMULATOR_GATEWAY
            : gatewayKey(options.gatewayUrl),
      },
    },
  );
}
