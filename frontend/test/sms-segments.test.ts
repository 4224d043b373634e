import { describe, expect, test } from "vitest";
import examples from "../src/app/smsSegments.examples.json";
import { countSegments, smsPreview } from "../src/app/smsSegments";

type Example = { text?: string; repeat?: [string, number]; parts?: [string, number][]; encoding: string; units: number; segments: number };
const textOf = (e: Example) => e.text ?? (e.parts ?? [e.repeat!]).map(([piece, times]) => piece.repeat(times)).join("");

describe("SMS segments (the server's examples: tests/engine/messages/test_sms_segments.py)", () => {
  test.each((examples as Example[]).map((e, i) => [i, e] as const))("example %i", (_, example) => {
    expect(countSegments(textOf(example))).toEqual({ encoding: example.encoding, units: example.units, segments: example.segments });
  });

  test("the preview opens with the label and fills the opt-out part and links", () => {
    const text = smsPreview("Sale  https://shop.example.com/a {opt_out}", "EN");
    expect(text.startsWith("פרסומת: Sale https://")).toBe(true);
    expect(text).toContain("to stop reply STOP or https://");
    expect(text).not.toContain("{opt_out}");
  });
});
