import { findPersonalData, maskPersonalData, type PersonalDataKind } from "./personal-data";

// Independent implementations, so the tests do not just repeat the module's arithmetic.

/** ISO 7064 MOD 11-2 by the iterative (Horner) method rather than a weight table. */
function withIdCheck(first17: string): string {
  let p = 0;
  for (const char of first17) p = ((p + Number(char)) * 2) % 11;
  const check = (12 - p) % 11;
  return first17 + (check === 10 ? "X" : String(check));
}

/** Appends the Luhn digit, found by trying all ten against a left-to-right check. */
function withLuhn(body: string): string {
  const valid = (digits: string) =>
    [...digits]
      .map((char, i) => Number(char) * ((digits.length - i) % 2 === 0 ? 2 : 1))
      .reduce((sum, n) => sum + Math.floor(n / 10) + (n % 10), 0) %
      10 ===
    0;
  for (let d = 0; d <= 9; d += 1) if (valid(body + String(d))) return body + String(d);
  throw new Error("unreachable");
}

/** A wrong final digit for a number that ends in a check digit. */
function spoilt(number: string): string {
  const last = number.at(-1) === "X" ? 0 : (Number(number.at(-1)) + 1) % 10;
  return number.slice(0, -1) + String(last);
}

function kinds(text: string): Array<[PersonalDataKind, string]> {
  return findPersonalData(text).map((m) => [m.kind, m.text]);
}

describe("findPersonalData: ID numbers", () => {
  it("finds the published sample and numbers with computed check characters", () => {
    expect(withIdCheck("11010519491231002")).toBe("11010519491231002X");
    const others = [withIdCheck("44030619900307231"), withIdCheck("65010220000229004")];
    for (const id of ["11010519491231002X", "11010519491231002x", ...others]) {
      expect(kinds(`身份证号：${id}。`)).toEqual([["id-number", id]]);
    }
  });

  it("ignores an 18-digit number whose check digit is wrong", () => {
    expect(findPersonalData("110105194912310021")).toEqual([]);
    // Even when the wrong number happens to pass Luhn with a card prefix (62 = Gansu).
    const luhnValid = withLuhn("62010219900101123");
    expect(withIdCheck("62010219900101123")).not.toBe(luhnValid);
    expect(findPersonalData(luhnValid)).toEqual([]);
  });

  it("ignores impossible or future birth dates and unknown regions", () => {
    for (const first17 of [
      "11010519490230002", // 30 February
      "11010518991231002", // before 1900
      "11010520991231002", // in the future
      "11010519491301002", // month 13
      "11010519490000002", // day 0
      "99010519491231002", // no such province
    ]) {
      expect(findPersonalData(withIdCheck(first17))).toEqual([]);
    }
    expect(kinds(withIdCheck("11010520000229002"))).toHaveLength(1); // 2000 was a leap year
  });

  it("ignores numbers inside longer runs of digits or letters", () => {
    for (const text of ["A11010519491231002X", "11010519491231002X5", "011010519491231002X"]) {
      expect(findPersonalData(text)).toEqual([]);
    }
  });
});

describe("findPersonalData: mobile numbers", () => {
  it("finds mobiles with and without prefix and grouping", () => {
    for (const mobile of [
      "13812345678",
      "19912345678",
      "138 1234 5678",
      "138-1234-5678",
      "+86 138 1234 5678",
      "+86-138-1234-5678",
      "+8613812345678",
      "8613812345678",
      "0086 13812345678",
    ]) {
      expect(kinds(`联系电话${mobile}。`)).toEqual([["mobile", mobile]]);
    }
  });

  it("ignores numbers that are not mainland mobiles", () => {
    for (const text of [
      "12812345678",
      "10012345678",
      "1381234567",
      "138123456789",
      "2013812345678",
    ]) {
      expect(findPersonalData(text)).toEqual([]);
    }
    expect(findPersonalData("电话010-12345678")).toEqual([]);
  });

  it("works out which numbers in a sentence are personal data", () => {
    const text = "当事人张三(身份证号110105194912310021,电话13812345678)";
    const start = text.indexOf("138");
    expect(findPersonalData(text)).toEqual([
      { kind: "mobile", start, end: start + 11, text: "13812345678" },
    ]);
  });
});

describe("findPersonalData: bank cards", () => {
  const unionPay16 = withLuhn("622202123456789");
  const unionPay19 = withLuhn("621700123456789012");

  it("finds Luhn-valid numbers with a known issuer prefix, plain or grouped", () => {
    expect(unionPay16).not.toBe("6222021234567890");
    for (const card of [
      unionPay16,
      unionPay19,
      "4111111111111111",
      "5555555555554444",
      withLuhn("222100000000000"),
      "3530111333300000",
      "6011111111111117",
      withLuhn("305693090259040"),
    ]) {
      expect(kinds(`卡号${card}`)).toEqual([["bank-card", card]]);
    }
    const grouped16 = unionPay16.replace(/(\d{4})(?=\d)/g, "$1 ");
    const grouped19 = unionPay19.replace(/(\d{4})(?=\d)/g, "$1-");
    expect(kinds(`卡号 ${grouped16}，另 ${grouped19}`)).toEqual([
      ["bank-card", grouped16],
      ["bank-card", grouped19],
    ]);
  });

  it("ignores Luhn-invalid numbers and long numbers without an issuer prefix", () => {
    expect(findPersonalData(spoilt(unionPay16))).toEqual([]);
    expect(findPersonalData(spoilt("4111111111111111"))).toEqual([]);
    for (const serial of [
      withLuhn("202412010001234567"), // a document serial
      withLuhn("110105194912310021"), // Luhn-valid, but no issuer starts with 11
      withLuhn("53162024100012345"), // an 18-digit customs declaration number
      withLuhn("41012024100012345"),
    ]) {
      expect(findPersonalData(`编号${serial}`)).toEqual([]);
    }
    expect(findPersonalData(`${unionPay16}0`)).toEqual([]);
    expect(findPersonalData("6222 0212 3456 7890 1234 5678")).toEqual([]);
  });
});

describe("maskPersonalData", () => {
  it("masks each kind and records the replacement", () => {
    const card = withLuhn("621700123456789012");
    const grouped = card.replace(/(\d{4})(?=\d)/g, "$1 ");
    const text = `<p>李四，身份证11010519491231002X，手机+86 138-1234-5678，卡号${grouped}。</p>`;
    const result = maskPersonalData(text);
    expect(result.text).toBe(
      `<p>李四，身份证110105********002X，手机+86 138-****-5678，卡号6217 00** **** ***${card.at(-4)} ${card.slice(-3)}。</p>`,
    );
    expect(result.masked.map((m) => [m.kind, m.replacement])).toEqual([
      ["id-number", "110105********002X"],
      ["mobile", "+86 138-****-5678"],
      ["bank-card", `6217 00** **** ***${card.at(-4)} ${card.slice(-3)}`],
    ]);
    for (const m of result.masked) {
      expect(text.slice(m.start, m.end)).toBe(m.text);
      expect(result.text.slice(m.start, m.end)).toBe(m.replacement);
    }
  });

  it("masks mobiles in the 138****5678 style and leaves other text alone", () => {
    expect(maskPersonalData("电话13812345678、8613912345678").text).toBe(
      "电话138****5678、86139****5678",
    );
    expect(maskPersonalData('<td class="x">110105194912310021</td>')).toEqual({
      text: '<td class="x">110105194912310021</td>',
      masked: [],
    });
  });
});
