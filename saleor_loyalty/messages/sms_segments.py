"""How many SMS segments a text costs: GSM-7 when every character is in the GSM 03.38 alphabet, else UCS-2.

GSM-7: 160 septets in one segment, 153 per segment once concatenated; the extension characters
(€ [ ] { } ~ ^ | \\ and form feed) take two septets and are never split across segments. UCS-2 (any Hebrew
letter, any emoji): 70 UTF-16 units alone, 67 per segment concatenated; a character outside the BMP (an
emoji) is a surrogate pair, two units, never split either. The front end's counter (`smsSegments.ts`)
follows the same table; a test holds both to the same examples.
"""

from dataclasses import dataclass

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("€[]{}~^|\\\f")
GSM7, UCS2 = "GSM7", "UCS2"


@dataclass(frozen=True)
class Segments:
    encoding: str
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def _costs(text: str) -> tuple[str, list[int]]:
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        return GSM7, [2 if ch in GSM_EXTENDED else 1 for ch in text]
    return UCS2, [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def count(text: str) -> Segments:
    encoding, costs = _costs(text)
    single, multi = (160, 153) if encoding == GSM7 else (70, 67)
    units = sum(costs)
    if units <= single:
        return Segments(encoding, units, 1 if units else 0)
    segments, room = 1, multi
    for cost in costs:  # a two-unit character that does not fit opens the next segment
        if cost > room:
            segments, room = segments + 1, multi
        room -= cost
    return Segments(encoding, units, segments)
