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

/** One page of `items` (already filtered and ordered), and Seam's pagination object for it. */
export function paginate<T>(items: readonly T[], p: { limit?: number | undefined; page_cursor?: string | null | undefined }, defaultLimit = 500): { page: T[]; pagination: Pagination } {
  const start = cursorOffset(p.page_cursor);
  const limit = p.limit ?? defaultLimit;
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { page, pagination: { has_next_page: more, next_page_cursor: more ? encode(start + limit) : null, next_page_url: null } };
}
