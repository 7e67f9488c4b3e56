import type { openRendition } from "../../domain/archive/images";

type Rendition = NonNullable<Awaited<ReturnType<typeof openRendition>>>;

/** A plain-text 404 for a picture route (no page around it). */
export function renditionNotFound() {
  return new Response("未找到", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/**
 * A public image rendition, streamed, or 404 when there is none. Renditions never change for a name
 * (content-addressed), so the ETag is the content's hash and a matching If-None-Match gets a 304.
 */
export async function renditionResponse(request: Request, file: Rendition | null): Promise<Response> {
  if (!file) return renditionNotFound();
  const headers = { ETag: `"${file.sha256}"`, "Cache-Control": "public, max-age=86400" };
  if (request.headers.get("if-none-match") === headers.ETag) {
    await file.body.cancel();
    return new Response(null, { status: 304, headers });
  }
  return new Response(file.body, {
    headers: { ...headers, "Content-Type": file.contentType, "Content-Length": String(file.byteSize) },
  });
}
