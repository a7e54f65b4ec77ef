import { z } from "zod";
import { invalidInput } from "./errors.js";
import { qInt } from "./params.js";

/** Seam's paging parameters, for every list the OpenAPI paginates. */
export const pageParams = {
  limit: qInt(1, 10_000).optional(),
  page_cursor: z.string().max(200).nullable().optional(),
};

export interface Pagination {
  readonly has_next_page: boolean;
  readonly next_page_cursor: string | null;
  readonly next_page_url: null;
}

const encode = (offset: number) => Buffer.from(`o:${offset}`).toString("base64url");

/** The offset a cursor stands for; a cursor the hub did not hand out is refused, never read as "start over". */
export function cursorOffset(cursor: string | null | undefined): number {
  // The SDK sends a null cursor as an empty query value.
  if (cursor === undefined || cursor === null || cursor === "") return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, "base64url").toString("latin1"));
  if (!m) throw invalidInput("page_cursor is not a cursor this hub handed out; pass pagination.next_page_cursor from the previous page", { field: "page_cursor" });
  return Number(m[1]);
}

/** The limit a list uses when the request gives none. */
export const DEFAULT_PAGE_LIMIT = 500;

/** Where a requested page starts and how long it is; a reader fetches `limit + 1` rows from `offset`. */
export interface PageWindow {
  readonly offset: number;
  readonly limit: number;
}

type PageRequest = { limit?: number | undefined; page_cursor?: string | null | undefined };

/** The window a request asks for: its cursor's offset, its limit or the default. */
export function pageWindow(p: PageRequest, defaultLimit = DEFAULT_PAGE_LIMIT): PageWindow {
  return { offset: cursorOffset(p.page_cursor), limit: p.limit ?? defaultLimit };
}

/**
 * The page of rows fetched for `window` (up to `limit + 1` of them, from its offset), and Seam's
 * pagination object: the extra row, if there, only says that another page follows.
 */
export function pageOf<T>(fetched: readonly T[], window: PageWindow): { page: T[]; pagination: Pagination } {
  const more = fetched.length > window.limit;
  return {
    page: fetched.slice(0, window.limit),
    pagination: { has_next_page: more, next_page_cursor: more ? encode(window.offset + window.limit) : null, next_page_url: null },
  };
}

/** One page of `items` (already filtered and ordered), and Seam's pagination object for it. */
export function paginate<T>(items: readonly T[], p: PageRequest, defaultLimit = DEFAULT_PAGE_LIMIT): { page: T[]; pagination: Pagination } {
  const window = pageWindow(p, defaultLimit);
  return pageOf(items.slice(window.offset, window.offset + window.limit + 1), window);
}
