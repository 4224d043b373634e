"""SMS segment counting, on the examples the Dashboard app's live counter is tested with too."""

import json
import random
from pathlib import Path

import pytest

from saleor_loyalty.messages import sms_segments

EXAMPLES = json.loads(
    (Path(__file__).resolve().parents[3] / "frontend/src/app/smsSegments.examples.json").read_text()
)


def text_of(example: dict) -> str:
    if "text" in example:
        return example["text"]
    parts = example.get("parts") or [example["repeat"]]
    return "".join(piece * times for piece, times in parts)


@pytest.mark.parametrize("example", EXAMPLES, ids=[str(i) for i in range(len(EXAMPLES))])
def test_segments_match_the_shared_examples(example):
    found = sms_segments.count(text_of(example))
    assert (found.encoding, found.units, found.segments) == (
        example["encoding"],
        example["units"],
        example["segments"],
    )


def test_a_hebrew_letter_makes_the_whole_text_ucs2():
    assert sms_segments.count("a" * 100).segments == 1
    assert sms_segments.count("a" * 100 + "ש").segments == 2


def test_random_texts_split_as_a_by_hand_packing_does():
    """Against an independent packing: fill segments of `multi` units in order, a character never split."""
    rng = random.Random(11)
    alphabet = ["a", "Z", " ", "€", "{", "ש", "😀", "é", "ç"]
    for _ in range(500):
        text = "".join(
            rng.choice(alphabet[: rng.randint(1, len(alphabet))]) for _ in range(rng.randint(0, 400))
        )
        found = sms_segments.count(text)
        gsm = all(ch in sms_segments.GSM_BASIC or ch in sms_segments.GSM_EXTENDED for ch in text)
        sizes = [
            (2 if ch in sms_segments.GSM_EXTENDED else 1) if gsm else len(ch.encode("utf-16-le")) // 2
            for ch in text
        ]
        single, multi = (160, 153) if gsm else (70, 67)
        segments: list[int] = []
        for size in sizes:
            if not segments or segments[-1] + size > multi:
                segments.append(0)
            segments[-1] += size
        expected = (1 if sizes else 0) if sum(sizes) <= single else len(segments)
        assert (found.encoding, found.units, found.segments) == (
            "GSM7" if gsm else "UCS2",
            sum(sizes),
            expected,
        )
