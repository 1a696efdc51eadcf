import { type Request } from "express";

/** The raw body as received (every platform route reads the body itself). */
export function rawBody(req: Request): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** A multipart or form-encoded body, parsed by the platform's rules (WHATWG FormData). */
export async function formBody(req: Request): Promise<FormData | undefined> {
  const type = req.headers["content-type"];
  if (type === undefined) return undefined;
  try {
    return await new Response(rawBody(req), { headers: { "content-type": type } }).formData();
  } catch {
    return undefined;
  }
}

/** The uploaded file of a multipart field, as bytes. */
export async function fileField(
  form: FormData | undefined,
  name: string,
): Promise<Buffer | undefined> {
  const value = form?.get(name);
  if (value === null || value === undefined || typeof value === "string") return undefined;
  return Buffer.from(await value.arrayBuffer());
}

export function queryString(req: Request, name: string): string | undefined {
  const value: unknown = (req.query as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
