import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { AxiosInstance } from "axios";
import type { Collection, Connection } from "mongoose";
import { PermanentChannelError } from "@herald/channel-kit";
import type { WechatClient, WechatReply } from "./client";
import { WechatRetryableError } from "./errors";
import { PLACEHOLDER_COVER_JPEG } from "./placeholder-cover";

/** A cover is permanent "thumb" material: JPEG only, at most 64 KB. */
const THUMB_MAX_BYTES = 64 * 1024;
/** A body image goes through media/uploadimg: JPEG or PNG, under 1 MB. */
const BODY_IMAGE_MAX_BYTES = 1024 * 1024;

type ImageType = "jpeg" | "png" | "gif" | "other";

function imageType(bytes: Buffer): ImageType {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return "png";
  }
  if (bytes.subarray(0, 4).toString("latin1") === "GIF8") return "gif";
  return "other";
}

interface MediaDocument {
  /** `<appId>/<kind>/<sha256>`: one upload per account and content. */
  _id: string;
  kind: "thumb" | "img";
  mediaId?: string;
  url: string;
  source: string;
  uploadedAt: Date;
}

interface AddMaterialReply extends WechatReply {
  media_id?: string;
  url?: string;
}

interface UploadImgReply extends WechatReply {
  url?: string;
}

export interface MediaUploaderOptions {
  appId: string;
  db: Connection;
  client: WechatClient;
  /** For fetching images from the portal (no access token, its own limits). */
  fetcher: AxiosInstance;
  defaultCoverFile?: string;
}

/**
 * The account's covers and body images on WeChat. Each image is fetched, hashed and
 * uploaded only if this account has not uploaded the same bytes before: an update
 * that keeps its pictures costs no upload, and neither does the shared cover.
 */
export class MediaUploader {
  private readonly media: Collection<MediaDocument>;
  private readonly uploading = new Map<string, Promise<{ mediaId?: string; url: string }>>();

  constructor(private readonly options: MediaUploaderOptions) {
    this.media = options.db.collection<MediaDocument>("wechat_media");
  }

  /**
   * The thumb_media_id of the cover: `coverUrl` (the item's own), else the
   * account's, else the built-in one. When `coverUrl` is only the article's first
   * body image (`borrowed`), one that cannot be a thumb (not a JPEG, over 64 KB)
   * gives way to the account's cover instead of refusing the item.
   */
  async cover(coverUrl: string | undefined, borrowed = false): Promise<string> {
    if (coverUrl) {
      const bytes = await this.fetchImage(
        coverUrl,
        borrowed ? BODY_IMAGE_MAX_BYTES : THUMB_MAX_BYTES,
        "封面图片",
      );
      const unfit = imageType(bytes) !== "jpeg" || bytes.length > THUMB_MAX_BYTES;
      if (!(borrowed && unfit)) return this.thumb(bytes, coverUrl);
    }
    if (this.options.defaultCoverFile) {
      return this.thumb(
        await readFile(this.options.defaultCoverFile),
        this.options.defaultCoverFile,
      );
    }
    return this.thumb(PLACEHOLDER_COVER_JPEG, "built-in placeholder");
  }

  private async thumb(bytes: Buffer, source: string): Promise<string> {
    if (imageType(bytes) !== "jpeg") {
      throw new PermanentChannelError(
        "wechat.cover_type",
        `微信公众号拒绝封面：封面必须是 JPG 图片 (${source})`,
      );
    }
    if (bytes.length > THUMB_MAX_BYTES) {
      throw new PermanentChannelError(
        "wechat.image_too_large",
        `微信公众号拒绝封面：封面图片超过 64 KB（${Math.ceil(bytes.length / 1024)} KB，${source}）`,
      );
    }
    const stored = await this.once("thumb", bytes, source, async () => {
      const form = new FormData();
      form.append("media", new Blob([bytes], { type: "image/jpeg" }), "cover.jpg");
      const reply = await this.options.client.call<AddMaterialReply>(
        "material/add_material",
        form,
        {},
        { type: "thumb" },
      );
      if (!reply.media_id) {
        throw new WechatRetryableError(
          "wechat.bad_response",
          "微信接口返回了无法识别的应答 (material/add_material: media_id missing)",
        );
      }
      return { mediaId: reply.media_id, url: reply.url ?? "" };
    });
    return stored.mediaId ?? "";
  }

  /** The WeChat URL of each body image, by its URL in the rendered article. */
  async bodyImages(urls: readonly string[]): Promise<Map<string, string>> {
    const hosted = new Map<string, string>();
    for (const url of new Set(urls)) {
      const bytes = await this.fetchImage(url, BODY_IMAGE_MAX_BYTES, "正文图片");
      const type = imageType(bytes);
      if (type !== "jpeg" && type !== "png") {
        throw new PermanentChannelError(
          "wechat.image_type",
          `微信公众号拒绝正文图片：只接受 JPG 或 PNG 图片 (${url})`,
        );
      }
      const stored = await this.once("img", bytes, url, async () => {
        const form = new FormData();
        const name = type === "png" ? "image.png" : "image.jpg";
        form.append("media", new Blob([bytes], { type: `image/${type}` }), name);
        const reply = await this.options.client.call<UploadImgReply>("media/uploadimg", form);
        if (!reply.url) {
          throw new WechatRetryableError(
            "wechat.bad_response",
            "微信接口返回了无法识别的应答 (media/uploadimg: url missing)",
          );
        }
        return { url: reply.url };
      });
      hosted.set(url, stored.url);
    }
    return hosted;
  }

  /**
   * The stored upload of these bytes, or a new one. Items applied side by side
   * often share a cover: they wait for one upload instead of each making theirs.
   */
  private once(
    kind: "thumb" | "img",
    bytes: Buffer,
    source: string,
    upload: () => Promise<{ mediaId?: string; url: string }>,
  ): Promise<{ mediaId?: string; url: string }> {
    const sha = createHash("sha256").update(bytes).digest("hex");
    const id = `${this.options.appId}/${kind}/${sha}`;
    let pending = this.uploading.get(id);
    if (!pending) {
      pending = (async () => {
        const doc = await this.media.findOne({ _id: id });
        if (doc && (kind === "img" || doc.mediaId)) {
          return { ...(doc.mediaId ? { mediaId: doc.mediaId } : {}), url: doc.url };
        }
        const uploaded = await upload();
        await this.media.replaceOne(
          { _id: id },
          { kind, ...uploaded, source, uploadedAt: new Date() },
          { upsert: true },
        );
        return uploaded;
      })().finally(() => this.uploading.delete(id));
      this.uploading.set(id, pending);
    }
    return pending;
  }

  /** Fetches an image, refusing one larger than `maxBytes` without reading it all. */
  private async fetchImage(url: string, maxBytes: number, what: string): Promise<Buffer> {
    const response = await this.options.fetcher
      .get<ArrayBuffer>(url, {
        responseType: "arraybuffer",
        // One byte over the limit is enough to know the image is too large.
        maxContentLength: maxBytes + 1,
        validateStatus: () => true,
      })
      .catch((error: unknown) => {
        const message = (error as Error).message;
        if (/maxContentLength/.test(message)) return "too large" as const;
        throw new WechatRetryableError(
          "wechat.image_fetch",
          `无法获取${what}：${url} (${message})`,
        );
      });
    if (response === "too large") throw this.tooLarge(what, url, maxBytes);
    if (response.status !== 200) {
      throw new WechatRetryableError(
        "wechat.image_fetch",
        `无法获取${what}：${url} (HTTP ${response.status})`,
      );
    }
    const bytes = Buffer.from(response.data);
    if (bytes.length > maxBytes) throw this.tooLarge(what, url, maxBytes);
    return bytes;
  }

  private tooLarge(what: string, url: string, maxBytes: number): PermanentChannelError {
    const limit =
      maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MB` : `${maxBytes / 1024} KB`;
    return new PermanentChannelError(
      "wechat.image_too_large",
      `微信公众号拒绝${what}：图片超过 ${limit} (${url})`,
    );
  }
}
