import type { Readable } from 'node:stream';

/** What a request answered. `B` is a Buffer (`get`, `post`, `request`), a parsed value (`json`)
 * or a streaming Readable (`stream`). */
export interface HttpResponse<B> {
  readonly status: number;
  /** Lower-case names; repeated headers as arrays. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The URL that answered, after redirects. */
  readonly url: string;
  /** The URLs redirected from, in order (empty without redirects). */
  readonly redirects: readonly string[];
  /** True on 304: the copy named in `conditional` is still good; the body is empty. */
  readonly notModified: boolean;
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  /** The media type, without parameters, lower case. */
  readonly contentType: string | undefined;
  readonly body: B;
}

export type BufferResponse = HttpResponse<Buffer>;
export type StreamResponse = HttpResponse<Readable>;
