import { createHash, randomBytes } from "node:crypto";

/** A random URL-safe identifier, shaped like the opaque ids the platforms hand out. */
export function opaqueId(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

/** A request id like the `rid` WeChat appends to its error messages. */
export function requestId(): string {
  return `${randomBytes(4).toString("hex")}-${randomBytes(4).toString("hex")}`;
}

export function sha256Hex(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Kinds of image recognised by their first bytes (never by file name or declared type). */
export type ImageKind = "jpeg" | "png" | "gif" | "bmp";

export function sniffImage(data: Buffer): ImageKind | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "jpeg";
  if (
    data.length >= 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return "png";
  if (
    data.length >= 6 &&
    (data.subarray(0, 6).toString("latin1") === "GIF87a" ||
      data.subarray(0, 6).toString("latin1") === "GIF89a")
  )
    return "gif";
  if (data.length >= 2 && data[0] === 0x42 && data[1] === 0x4d) return "bmp";
  return undefined;
}

export const IMAGE_CONTENT_TYPES: Record<ImageKind, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  bmp: "image/bmp",
};

export const IMAGE_EXTENSIONS: Record<ImageKind, string> = {
  jpeg: "jpg",
  png: "png",
  gif: "gif",
  bmp: "bmp",
};
