// Official ImageNet weights, downloaded once into a cache folder and reused. A download goes to a temporary file
// beside its destination and is renamed into place only once it is complete and its SHA-256 matches the prefix
// torchvision puts in its file names (`resnet18-f37072fd.pth`: the hash starts with f37072fd), so the cache
// never holds a partial or altered checkpoint, and two runs fetching at once each finish with a whole file.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ImagenetWeights } from '../registry';

/** Where downloaded weights live unless an experiment names a folder: $RADLAB_WEIGHTS_CACHE, else ~/.cache/radlab/weights. */
export function defaultWeightsCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.RADLAB_WEIGHTS_CACHE || join(homedir(), '.cache', 'radlab', 'weights');
}

/** The SHA-256 prefix a torchvision file name carries (its `-<hex>.` part, as torch.hub reads it), if any. */
export function sha256PrefixOf(fileName: string): string | undefined {
  return /-([a-f0-9]+)\./.exec(fileName)?.[1];
}

export interface FetchOptions {
  cacheDir: string;
  /** A base URL serving the same file names, used instead of the official address (a local mirror). */
  mirror?: string;
  /** Give up when no data arrives for this long; a slow but moving download is never cut off. */
  idleTimeoutMs?: number;
  onProgress?: (receivedBytes: number, totalBytes: number | undefined) => void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** A download that failed; the message says where the file comes from and where to put it by hand. */
export class WeightsDownloadError extends Error {}

/** Set when the idle timer cut the connection, so the error says so rather than "connection closed". */
interface IdleCut {
  error?: Error;
}

function request(url: string, idleTimeoutMs: number, redirectsLeft: number, cut: IdleCut): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, (response) => {
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status) && response.headers.location) {
        response.resume();
        if (redirectsLeft === 0) {
          reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
          return;
        }
        request(new URL(response.headers.location, url).href, idleTimeoutMs, redirectsLeft - 1, cut).then(
          resolve,
          reject,
        );
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(
          new Error(`the server answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`),
        );
        return;
      }
      resolve(response);
    });
    // The socket's idle timer covers connecting, waiting for the answer and every pause in the body.
    req.setTimeout(idleTimeoutMs, () => {
      cut.error = new Error(`no data for ${idleTimeoutMs / 1000} s`);
      req.destroy(cut.error);
    });
    req.on('error', (error) => reject(cut.error ?? error));
  });
}

/** Streams the body into `file`, hashing it on the way; fails when it ends before its announced length. */
function download(response: IncomingMessage, file: string, options: FetchOptions, cut: IdleCut): Promise<string> {
  const announced = Number(response.headers['content-length']);
  const total = Number.isFinite(announced) && announced > 0 ? announced : undefined;
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  let received = 0;
  return new Promise((resolve, reject) => {
    let ended = false;
    const fail = (error: Error) => {
      response.destroy();
      out.destroy();
      reject(cut.error ?? error);
    };
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      hash.update(chunk);
      options.onProgress?.(received, total);
      if (!out.write(chunk)) response.pause();
    });
    out.on('drain', () => response.resume());
    response.on('error', fail);
    response.on('close', () => {
      if (!ended) fail(new Error(`the connection closed after ${received} bytes`));
    });
    out.on('error', fail);
    response.on('end', () => {
      ended = true;
      if (total !== undefined && received !== total) {
        fail(new Error(`the download stopped after ${received} of ${total} bytes`));
        return;
      }
      out.end(() => resolve(hash.digest('hex')));
    });
  });
}

/**
 * The cached copy of a backbone's official weights, downloading it first when the cache lacks it. Returns the
 * file's path; throws WeightsDownloadError naming the URL and the exact path to place the file at by hand.
 */
export async function fetchPretrained(
  backbone: string,
  source: ImagenetWeights,
  options: FetchOptions,
): Promise<string> {
  const target = join(options.cacheDir, source.file);
  if (existsSync(target)) return target;
  const url = options.mirror
    ? new URL(source.file, options.mirror.endsWith('/') ? options.mirror : `${options.mirror}/`).href
    : source.url;
  const partial = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  try {
    mkdirSync(options.cacheDir, { recursive: true });
    const cut: IdleCut = {};
    const response = await request(url, options.idleTimeoutMs ?? 60_000, MAX_REDIRECTS, cut);
    const digest = await download(response, partial, options, cut);
    const expected = sha256PrefixOf(source.file);
    if (expected !== undefined && !digest.startsWith(expected)) {
      throw new Error(`its SHA-256 is ${digest}, but the file name promises one starting with ${expected}`);
    }
    renameSync(partial, target);
    return target;
  } catch (error) {
    rmSync(partial, { force: true });
    throw new WeightsDownloadError(
      `Could not download the ImageNet weights of ${backbone} from ${url}: ${(error as Error).message}. ` +
        `Without internet here, download that file on another machine and place it at ${target} ` +
        '(or set model.pretrained to a weights file or folder).',
    );
  }
}
