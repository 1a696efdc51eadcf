import { everyField } from "./every-field";
import { ENUM_FIELDS, TEXT_FIELDS, textValues } from "./text-fields";

/** Every path to a string in `value`, list indices written as `*`. */
function stringPaths(value: unknown, prefix = ""): string[] {
  if (typeof value === "string") return [prefix];
  if (typeof value !== "object" || value === null || value instanceof Date) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    stringPaths(child, prefix ? `${prefix}.${Array.isArray(value) ? "*" : key}` : key),
  );
}

describe("the text-field registry", () => {
  it("lists every string field of the item model, text or enum, once", () => {
    const paths = stringPaths(everyField((path) => `value of ${path}`));
    const registered = TEXT_FIELDS.map((f) => f.path);
    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered, ...ENUM_FIELDS].sort()).toEqual([...new Set(paths)].sort());
  });

  it("finds each field's value at its concrete path and replaces it in place", () => {
    const fields = everyField((path) => `value of ${path}`);
    const values = textValues(fields);
    expect(values).toHaveLength(TEXT_FIELDS.length);
    for (const value of values) {
      expect(value.value).toBe(`value of ${value.field.path}`);
      expect(value.path).toBe(value.field.path.replaceAll("*", "0"));
      value.set(`new ${value.path}`);
    }
    expect(textValues(fields).map((v) => v.value)).toEqual(values.map((v) => `new ${v.path}`));
    expect(fields.attachments[0]!.name).toBe("new attachments.0.name");
    expect(fields.penalty!.party.identifier).toBe("new penalty.party.identifier");
  });

  it("names only addresses, identifiers and hashes as never masked", () => {
    expect(
      TEXT_FIELDS.filter((f) => f.personalData !== "mask")
        .map((f) => f.path)
        .sort(),
    ).toEqual([
      "attachments.*.mediaType",
      "attachments.*.sha256",
      "attachments.*.url",
      "overrides.*.channel",
      "overrides.*.coverImageUrl",
      "related.*.itemId",
      "targeting.channels.*",
      "targeting.noticeboardSites.*",
    ]);
  });
});
