// The batchexecute wire format: form-encoded request, `)]}'`-prefixed chunked response.
import { RpcThrottledError, SiteChangedError } from '../errors.js';

export function encodeRequestBody(rpcid: string, args: unknown, atToken: string): string {
  const fReq = JSON.stringify([[[rpcid, JSON.stringify(args), null, 'generic']]]);
  return new URLSearchParams({ 'f.req': fReq, at: atToken }).toString();
}

/**
 * Finds the `["wrb.fr", rpcid, "<payload JSON>", …]` entry and parses its payload.
 * An empty body or one with no such entry is throttling (retry); a `wrb.fr` entry whose
 * payload is missing is an error answer from Google.
 */
export function decodeResponse(body: string, rpcid: string): unknown {
  const text = body.replace(/^\)\]\}'\s*/, '');
  if (text.trim() === '') throw new RpcThrottledError(`${rpcid}: empty batchexecute response`);
  for (const chunk of chunksOf(text)) {
    if (!Array.isArray(chunk)) continue;
    for (const entry of chunk) {
      if (!Array.isArray(entry) || entry[0] !== 'wrb.fr' || entry[1] !== rpcid) continue;
      if (typeof entry[2] !== 'string') {
        throw new RpcThrottledError(`${rpcid}: wrb.fr entry without payload (error ${JSON.stringify(entry[5] ?? null)})`);
      }
      try {
        return JSON.parse(entry[2]);
      } catch (cause) {
        throw new SiteChangedError(`batchexecute payload of ${rpcid} is JSON`, 'it did not parse', { cause });
      }
    }
  }
  throw new RpcThrottledError(`${rpcid}: no wrb.fr entry in the response`);
}

/** Chunks are `<length>\n<json>` pairs; lengths are unreliable across encodings, so parse by line. */
function* chunksOf(text: string): Generator<unknown> {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('[')) continue;
    try {
      yield JSON.parse(trimmed);
    } catch {
      // A chunk split over lines: fall through to the whole-text attempt below.
    }
  }
}
