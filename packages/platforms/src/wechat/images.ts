import { IMAGE_CONTENT_TYPES, IMAGE_EXTENSIONS, sha256Hex, type ImageKind } from "../ids";
import { type World } from "../world";

/** Hosts an image under `/mmbiz/<hash>.<ext>` and returns its URL (the same bytes, the same URL). */
export function hostImage(world: World, data: Buffer, kind: ImageKind): string {
  const file = `${sha256Hex(data).slice(0, 40)}.${IMAGE_EXTENSIONS[kind]}`;
  if (!world.images.has(file))
    world.images.set(file, { contentType: IMAGE_CONTENT_TYPES[kind], data });
  return `${world.baseUrl}/mmbiz/${file}`;
}

/** Whether an `<img>` source is an image the platform hosts (any other source is dropped). */
export function isHostedImage(world: World, src: string): boolean {
  const prefix = `${world.baseUrl}/mmbiz/`;
  return (
    src.startsWith(prefix) && world.images.has(src.slice(prefix.length).split(/[?#]/)[0] ?? "")
  );
}
