import axios from "axios";
import type { WeiboPicture } from "./client";

/** The platform takes pictures under 5 MB. */
export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;

/** Whether the picture could be attached, and if not, why (a sentence for the log). */
export type PictureFetch = { ok: true; picture: WeiboPicture } | { ok: false; reason: string };

/** The picture's type from its first bytes: the platform takes JPEG, GIF and PNG only. */
export function pictureType(data: Buffer): WeiboPicture["contentType"] | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
    return "image/jpeg";
  }
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex"))) {
    return "image/png";
  }
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.subarray(0, 6).toString("latin1"))) {
    return "image/gif";
  }
  return undefined;
}

const EXTENSION: Record<WeiboPicture["contentType"], string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
};

/** Checks bytes as a post's picture: type by content, size under the limit. */
export function checkPicture(data: Buffer): PictureFetch {
  const type = pictureType(data);
  if (!type) return { ok: false, reason: "图片不是 JPEG、GIF 或 PNG 格式" };
  if (data.length >= MAX_PICTURE_BYTES) {
    return { ok: false, reason: `图片 ${data.length} 字节，微博要求小于 5 MB` };
  }
  return { ok: true, picture: { data, contentType: type, fileName: `picture.${EXTENSION[type]}` } };
}

/**
 * Fetches the picture at `url` and checks it; never throws (a post goes out
 * without it). Quick to give up: the apply must end within the consumer's session.
 */
export async function fetchPicture(url: string, timeoutMs = 5_000): Promise<PictureFetch> {
  try {
    const response = await axios.get<ArrayBuffer>(url, {
      responseType: "arraybuffer",
      timeout: timeoutMs,
      // One byte over the limit is enough to know it is too large.
      maxContentLength: MAX_PICTURE_BYTES + 1,
      validateStatus: () => true,
    });
    if (response.status !== 200) {
      return { ok: false, reason: `取图片 ${url} 返回 HTTP ${response.status}` };
    }
    return checkPicture(Buffer.from(response.data));
  } catch (error) {
    const message = (error as Error).message;
    if (/maxContentLength/i.test(message)) {
      return { ok: false, reason: "图片超过 5 MB，微博不接受" };
    }
    return { ok: false, reason: `取图片 ${url} 失败：${message}` };
  }
}
