import { ELLIPSIS, charCount, cutToFit, firstChars } from "./text-cut";

describe("charCount", () => {
  it.each([
    ["", 0],
    ["海关", 2],
    ["abc", 3],
    ["海关 abc", 6],
    ["👍海关", 3],
  ])("counts %j as %i characters", (text, n) => {
    expect(charCount(text)).toBe(n);
  });
});

describe("cutToFit", () => {
  it("returns text that fits unchanged, without an ellipsis", () => {
    const text = "一".repeat(128);
    expect(cutToFit(text, 128, charCount)).toBe(text);
  });

  it("cuts one character over the limit to fit, ending with an ellipsis", () => {
    const text = "一".repeat(129);
    const cut = cutToFit(text, 128, charCount);
    expect(charCount(cut)).toBe(128);
    expect(cut.endsWith(ELLIPSIS)).toBe(true);
  });

  it("cuts at the last sentence end in reach and drops the full stop before the ellipsis", () => {
    const first = "海关总署发布关于进一步优化跨境贸易营商环境的公告。";
    const second = "本公告自发布之日起施行，请各有关单位遵照执行并及时反馈执行中遇到的问题";
    const cut = cutToFit(first + second, 40, charCount);
    expect(cut).toBe(`${first.slice(0, -1)}${ELLIPSIS}`);
  });

  it("cuts at a clause end when no sentence end is near", () => {
    const text = `${"甲".repeat(30)}，${"乙".repeat(30)}`;
    expect(cutToFit(text, 35, charCount)).toBe(`${"甲".repeat(30)}${ELLIPSIS}`);
  });

  it("cuts hard when the only boundary is too early, keeping as much as fits", () => {
    const text = `甲。${"乙".repeat(60)}`;
    const cut = cutToFit(text, 20, charCount);
    expect(cut).toBe(`甲。${"乙".repeat(17)}${ELLIPSIS}`);
  });

  it("moves a cut that would split an English word back to the space before it", () => {
    const text = "Customs announcement regarding cross-border e-commerce";
    const cut = cutToFit(text, 28, charCount);
    expect(cut).toBe(`Customs announcement${ELLIPSIS}`);
  });

  it("honours a weighing function other than characters", () => {
    const halves = (s: string) =>
      Array.from(s).reduce((n, c) => n + ((c.codePointAt(0) ?? 0) <= 0xff ? 1 : 2), 0);
    const cut = cutToFit("一二三四五六七八九十", 9, halves);
    expect(halves(cut)).toBeLessThanOrEqual(9);
    expect(cut).toBe(`一二三${ELLIPSIS}`);
  });
});

describe("firstChars", () => {
  it("takes the first n characters without an ellipsis", () => {
    expect(firstChars("一二三四五", 3)).toBe("一二三");
    expect(firstChars("一二", 3)).toBe("一二");
  });
});
