// What an SMS costs, as the server counts it (saleor_loyalty/messages/sms_segments.py; both are tested on
// smsSegments.examples.json): GSM-7 160/153 septets (€ [ ] { } ~ ^ | \ and form feed take two), else UCS-2
// 70/67 UTF-16 units (Hebrew, emoji: a pair); a two-unit character is never split across segments.

const GSM_BASIC = new Set(Array.from(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"));
const GSM_EXTENDED = new Set(Array.from("€[]{}~^|\\\f"));

export type Segments = { encoding: "GSM7" | "UCS2"; units: number; segments: number };

export function countSegments(text: string): Segments {
  const chars = Array.from(text); // code points: an emoji is one, costing two UTF-16 units
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENDED.has(c));
  const costs = chars.map((c) => (gsm ? (GSM_EXTENDED.has(c) ? 2 : 1) : c.length));
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  const units = costs.reduce((a, b) => a + b, 0);
  if (units <= single) return { encoding: gsm ? "GSM7" : "UCS2", units, segments: units ? 1 : 0 };
  let segments = 1;
  let room = multi;
  for (const cost of costs) {
    if (cost > room) { segments += 1; room = multi; }
    room -= cost;
  }
  return { encoding: gsm ? "GSM7" : "UCS2", units, segments };
}

// The text a member gets, for the live counter: the Israeli advertising label, the body with {opt_out}
// filled at a typical length (the sender's name and a short unsubscribe link) and links as short tracked
// links. The saved campaign shows the server's exact count (`smsSegments`).
const LABEL = "פרסומת: ";
const SAMPLE_LINK = "https://shop.example.com/plugins/global/saleor.loyalty/unsubscribe/xxxxxxxxxxxxxxxxxxxxxx.0000000000000000/";
const SAMPLE_CLICK = "https://shop.example.com/plugins/global/saleor.loyalty/t/s/5yc1s.7ps.255s.he.0.000000000000";
const OPT_OUT: Record<string, string> = {
  HE: `שם השולח: להסרה השיבו הסר או ${SAMPLE_LINK}`,
  EN: `Sender name: to stop reply STOP or ${SAMPLE_LINK}`,
};

export function smsPreview(body: string, language: string): string {
  const text = body.split(/\s+/).filter(Boolean).join(" ").replace(/https?:\/\/[^\s<>"'{}]+/g, SAMPLE_CLICK);
  return LABEL + text.replace("{opt_out}", OPT_OUT[language] ?? OPT_OUT.EN);
}
