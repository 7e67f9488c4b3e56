import { z } from "@hono/zod-openapi";
import { jsonBody } from "./request-bodies";

// Request fields shared by the write routes of several resources.

/** A calendar day, `YYYY-MM-DD`. */
export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD");

/** Why a record is corrected or withdrawn: public with the version. */
export const Reason = z.string().trim().min(2, "请写明原因（至少 2 个字）").max(500);

/** The body of a withdrawal: only its reason. */
export const withdrawalBody = jsonBody(z.object({ reason: Reason }));

/** The answer to a correction or withdrawal that returns the record's id and its new version. */
export const IdAndVersion = z.object({ id: z.number().int(), version: z.number().int() });

/** The answer to a create that returns only the new record's id. */
export const NewId = z.object({ id: z.number().int() });

/** A JSON object whose shape the API reference leaves open. */
export const Loose = z.record(z.string(), z.unknown());
