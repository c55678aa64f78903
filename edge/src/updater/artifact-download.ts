import { closeSync, existsSync, fsyncSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { crashPoint } from './crash-point.ts';
import { UpdateError, updateErrorCodes } from './errors.ts';

export interface DownloadTarget {
  url: string;
  /** Bytes the signed release has; the download is complete at exactly this many. */
  size: number;
  /** Final path; bytes accumulate in `<file>.part` until complete, then it is renamed (fsynced) into place. */
  file: string;
}

export interface DownloadOptions {
  /** "host:port" of the URL -> "host:port" to dial instead (the store's WAN path). */
  tunnels: Record<string, string>;
  /** ms without a byte before the attempt is abandoned (a black-holed link never errors by itself). */
  idleTimeoutMs: number;
  /** Called with the bytes on disk so far (status). */
  onProgress?: (bytes: number) => void;
}

/**
 * One download attempt that resumes from what `<file>.part` already holds with an HTTP range request
 * (presigned S3 URLs and the hub serve ranges). A cut link fails the attempt with canRetry; the caller
 * backs off and calls again, and only the missing bytes cross the WAN. A server that ends the object
 * before (or after) `size` bytes is not a cut but a bad release: TG_EDGE_UPDATE_TRUNCATED.
 */
export async function downloadAttempt(target: DownloadTarget, options: DownloadOptions): Promise<void> {
  const part = `${target.file}.part`;
  const have = existsSync(part) ? statSync(part).size : 0;
  if (have > target.size) throw truncated(target, `the partial file holds ${have} bytes`);
  if (have < target.size) await fetchRange(target, part, have, options);
  const fd = openSync(part, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(part, target.file);
}

function fetchRange(target: DownloadTarget, part: string, offset: number, options: DownloadOptions): Promise<void> {
  const url = new URL(target.url);
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const authority = `${url.hostname}:${url.port || defaultPort}`;
  const [dialHost, dialPort] = (options.tunnels[authority] ?? authority).split(':');
  const send = url.protocol === 'https:' ? httpsRequest : request;
  return new Promise<void>((resolve, reject) => {
    let written = offset;
    const fd = openSync(part, 'a');
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      closeSync(fd);
      if (error) reject(error);
      else resolve();
    };
    const req = send(
      {
        host: dialHost,
        port: Number(dialPort),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        // The original Host header: a presigned URL's signature covers it, whatever address we dial.
        headers: { host: url.host, range: `bytes=${offset}-` },
        ...(url.protocol === 'https:' ? { servername: url.hostname } : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status === 416) {
          response.resume();
          finish(truncated(target, `the server has fewer than ${offset} bytes`));
          return;
        }
        if (status !== 206 && !(status === 200 && offset === 0)) {
          response.resume();
          finish(
            new UpdateError(updateErrorCodes.downloadFailed, `GET ${url.pathname} answered ${status}`, {
              canRetry: status >= 500 || status === 429,
            }),
          );
          return;
        }
        const total = serverTotal(response.headers['content-range'], response.headers['content-length'], offset);
        if (total !== null && total !== target.size) {
          response.destroy();
          finish(truncated(target, `the server holds ${total} bytes`));
          return;
        }
        response.on('data', (chunk: Buffer) => {
          writeSync(fd, chunk);
          written += chunk.length;
          options.onProgress?.(written);
          if (written < target.size) crashPoint('download-partial');
        });
        response.on('end', () => {
          if (written === target.size) finish();
          else finish(cut(`the response ended at ${written} of ${target.size} bytes`));
        });
        response.on('close', () => finish(cut(`the link dropped at ${written} of ${target.size} bytes`)));
        response.on('error', (error) => finish(cut(`the link failed at ${written} bytes: ${error.message}`)));
      },
    );
    req.setTimeout(options.idleTimeoutMs, () => {
      req.destroy(cut(`no byte for ${options.idleTimeoutMs} ms at ${written} of ${target.size} bytes`));
    });
    req.on('error', (error) => finish(cut(`${error.message} at ${written} of ${target.size} bytes`)));
    req.end();
  });
}

function serverTotal(
  contentRange: string | undefined,
  contentLength: string | undefined,
  offset: number,
): number | null {
  const match = contentRange === undefined ? null : /\/(\d+)$/.exec(contentRange);
  if (match?.[1] !== undefined) return Number(match[1]);
  return contentLength === undefined ? null : offset + Number(contentLength);
}

const cut = (message: string) => new UpdateError(updateErrorCodes.downloadFailed, message, { canRetry: true });

const truncated = (target: DownloadTarget, why: string) =>
  new UpdateError(
    updateErrorCodes.truncated,
    `the model download is not the signed release's ${target.size} bytes: ${why}`,
  );
