"""`salted_sha256` signs as Django's `salted_hmac` does, for random values and under a changed SECRET_KEY."""

import random

from django.utils.crypto import salted_hmac

from saleor_loyalty.core.hmacs import salted_sha256


def _values(rng: random.Random) -> list[str]:
    alphabet = "abc.019-_:/שלום😀 \n"
    return [""] + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 80))) for _ in range(300)]


def test_the_tags_equal_djangos(settings):
    rng = random.Random(7)
    for secret in ("first-secret-key-" + "x" * 40, "a second, different secret key " + "y" * 30):
        settings.SECRET_KEY = secret  # the derived key follows the secret in force
        for salt in ("saleor_loyalty.tracking", "saleor_loyalty.message-id"):
            for value in _values(rng):
                assert (
                    salted_sha256(salt, value).hexdigest()
                    == salted_hmac(salt, value, algorithm="sha256").hexdigest()
                )
