import { checkPicture, MAX_PICTURE_BYTES, pictureType } from "./picture";

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
const JPEG = Buffer.from("ffd8ffe000104a464946", "hex");
const GIF = Buffer.from("GIF89a\x01\x00\x01\x00", "latin1");

describe("Weibo post pictures", () => {
  it("knows JPEG, PNG and GIF by their first bytes, whatever the name says", () => {
    expect(pictureType(JPEG)).toBe("image/jpeg");
    expect(pictureType(PNG)).toBe("image/png");
    expect(pictureType(GIF)).toBe("image/gif");
    expect(pictureType(Buffer.from("RIFF\x00\x00\x00\x00WEBPVP8 ", "latin1"))).toBeUndefined();
  });

  it("takes a picture under 5 MB with a file name of its type", () => {
    const checked = checkPicture(PNG);
    expect(checked).toEqual({
      ok: true,
      picture: { data: PNG, contentType: "image/png", fileName: "picture.png" },
    });
  });

  it("refuses a picture of 5 MB or more, and another format, saying why", () => {
    const big = Buffer.concat([JPEG, Buffer.alloc(MAX_PICTURE_BYTES)]);
    expect(checkPicture(big)).toEqual({ ok: false, reason: expect.stringContaining("5 MB") });
    expect(checkPicture(Buffer.from("<svg/>"))).toEqual({
      ok: false,
      reason: expect.stringContaining("JPEG、GIF 或 PNG"),
    });
  });
});
