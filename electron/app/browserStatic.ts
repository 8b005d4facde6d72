/**
 * Browser mode's page: the built renderer (dist/renderer) served from its folder and never
 * outside it, client-side routes falling back to index.html, a page saying how to build it
 * when it is missing.
 */
import { createReadStream, existsSync, statSync, type Stats } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { ServerLogger } from './browserServer.ts';
import { SECURITY_HEADERS, send, sendError } from './browserResponses.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function missingRendererPage(staticDir: string): string {
  return [
    'The cashier screen has not been built yet.',
    '',
    `Expected ${path.join(staticDir, 'index.html')}.`,
    'Build it with:  npm run build   (or: npx vite build)',
    'then reload this page.',
  ].join('\n');
}

/** The file's stat, or undefined when it cannot be read (missing, or a path through a file). */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

export function serveStatic(
  staticDir: string,
  pathname: string,
  res: ServerResponse,
  log: ServerLogger,
): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    sendError(res, 400, 'bad-path', 'Bad path');
    return;
  }
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(staticDir);
  const file = path.resolve(root, relative);
  if (decoded.includes('\0') || (file !== root && !file.startsWith(root + path.sep))) {
    sendError(res, 404, 'not-found', 'Not found');
    return;
  }
  if (!existsSync(path.join(root, 'index.html'))) {
    send(res, 503, missingRendererPage(staticDir), 'text/plain; charset=utf-8');
    return;
  }
  let target = file;
  let stat = statOrUndefined(target);
  if (!stat?.isFile()) {
    // Client-side routes fall back to the app; a missing asset is a 404.
    if (path.extname(relative) !== '') {
      sendError(res, 404, 'not-found', 'Not found');
      return;
    }
    target = path.join(root, 'index.html');
    stat = statSync(target);
  }
  const type = CONTENT_TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream';
  const isHtml = target.endsWith('.html');
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': stat.size,
    'Cache-Control': isHtml ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  // pipeline: a file that vanishes mid-read (a rebuild) or a client that hangs up ends this
  // response, never the process.
  pipeline(createReadStream(target), res, (error) => {
    if (error && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      log.error(`browser mode: ${path.basename(target)} could not be sent:`, error.message);
    }
  });
}
