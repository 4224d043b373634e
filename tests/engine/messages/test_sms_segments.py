"""SMS segment counting, on the examples the Dashboard app's live counter is tested with too."""

import json
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
