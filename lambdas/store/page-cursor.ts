/**
 * Opaque pagination cursors: `base64url(JSON) "." base64url(HMAC-SHA256)`. The payload names the
 * list and a digest of its filters, so a cursor is accepted only by the query that issued it; a
 * changed byte fails the HMAC. Both store implementations use this one codec (the position inside
 * is theirs: a keyset for SQLite, a LastEvaluatedKey for DynamoDB).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError, InvalidQueryError } from './errors.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

interface CursorPayload {
  /** the list */
  readonly l: string;
  /** digest of the filters */
  readonly f: string;
  /** where the next page starts */
  readonly p: unknown;
}

/** The page size of a request: 1–100, @default 50. @throws InvalidQueryError */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new InvalidQueryError(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${String(limit)}`);
  return limit;
}

/** Signs and checks the cursors of one store. */
export class PageCursorCodec {
  readonly #key: Buffer;

  constructor(secret: string | Uint8Array) {
    this.#key = Buffer.from(secret);
    if (this.#key.length < 16) throw new InvalidQueryError('the cursor secret must be at least 16 bytes');
  }

  /** The cursor for `position` of list `list` under `filters`. */
  encode(list: string, filters: Readonly<Record<string, unknown>>, position: unknown): string {
    const payload: CursorPayload = { l: list, f: filtersDigest(filters), p: position };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.#sign(body).toString('base64url')}`;
  }

  /**
   * The position inside `cursor`, or undefined for no cursor (the first page).
   *
   * @throws InvalidCursorError when the cursor was not issued by this store for this list and filters
   */
  decode(
    list: string,
    filters: Readonly<Record<string, unknown>>,
    cursor: string | null | undefined,
  ): unknown {
    if (cursor === undefined || cursor === null) return undefined;
    const [body, signature, ...rest] = cursor.split('.');
    if (body === undefined || signature === undefined || rest.length > 0)
      throw new InvalidCursorError('the cursor is malformed');
    const expected = this.#sign(body);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new InvalidCursorError('the cursor is not one this store issued');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload;
    if (payload.l !== list || payload.f !== filtersDigest(filters))
      throw new InvalidCursorError('the cursor belongs to another list or other filters');
    return payload.p;
  }

  #sign(body: string): Buffer {
    return createHmac('sha256', this.#key).update(body).digest();
  }
}

/** Filters without undefined values, keys sorted: the same query gives the same digest. */
function filtersDigest(filters: Readonly<Record<string, unknown>>): string {
  const canonical = Object.keys(filters)
    .filter((k) => filters[k] !== undefined)
    .sort()
    .map((k) => [k, filters[k]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
}
