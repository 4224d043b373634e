"""The schema as a contract: the committed SDL and reference are current, nothing breaks clients
without a deprecation first, and every type, field and argument says what it is."""

import pytest

from saleor_loyalty.graphql import contract
from saleor_loyalty.graphql.schema import schema

BEFORE = '''
"""A member."""
type Member {
  """Points."""
  points: Int!
  """Old name of the points."""
  balance: Int @deprecated(reason: "Use `points`.")
  history(first: Int = 20): [String!]!
  nickname: String
}

input MemberInput {
  name: String
}

enum Kind {
  EARN
  OLD @deprecated(reason: "gone")
}
'''


def changed(old: str, new: str) -> str:
    assert old in BEFORE
    return BEFORE.replace(old, new)


class TestTheCommittedContract:
    def test_the_committed_sdl_is_the_live_schema(self):
        assert contract.SDL_PATH.read_text() == contract.live_sdl(), (
            f"The schema changed but schema.graphql did not: run `{contract.REGENERATE}`"
        )

    def test_the_committed_api_reference_is_generated_from_the_live_schema(self):
        assert contract.REFERENCE_PATH.read_text() == contract.live_reference(), (
            f"docs/api-reference.md is stale: run `{contract.REGENERATE}`"
        )

    def test_the_live_schema_breaks_nothing_the_committed_sdl_promised(self):
        problems = contract.breaking_changes(contract.SDL_PATH.read_text(), contract.live_sdl())

        assert problems == [], f"Deprecate before removing or changing; then run `{contract.REGENERATE}`"

    def test_every_type_field_and_argument_has_a_description(self):
        assert contract.missing_descriptions(schema) == []


class TestBreakingChanges:
    def test_an_unchanged_schema_breaks_nothing(self):
        assert contract.breaking_changes(BEFORE, BEFORE) == []

    def test_removing_a_field_that_was_not_deprecated_breaks(self):
        after = changed("  nickname: String\n", "")

        assert contract.breaking_changes(BEFORE, after) == [
            "Member.nickname was removed without being deprecated first"
        ]

    def test_removing_a_field_deprecated_in_the_committed_sdl_is_allowed(self):
        after = changed('  balance: Int @deprecated(reason: "Use `points`.")\n', "")

        assert contract.breaking_changes(BEFORE, after) == []

    @pytest.mark.parametrize(
        ("old", "new", "problem"),
        [
            ("  points: Int!", "  points: String!", "Member.points changed type Int! -> String!"),
            ("  nickname: String", "  nickname: [String]", "Member.nickname changed type String -> [String]"),
            (
                "history(first: Int = 20)",
                "history(first: Int = 20, kind: Kind!)",
                "Member.history(kind) is a new required argument",
            ),
            ("history(first: Int = 20)", "history", "Member.history(first) was removed"),
            ("  EARN\n", "", "Kind.EARN was removed without being deprecated first"),
            (
                "  name: String\n",
                "  name: String\n  email: String!\n",
                "MemberInput.email is a new required input field",
            ),
        ],
    )
    def test_a_change_a_client_would_notice_breaks(self, old, new, problem):
        assert contract.breaking_changes(BEFORE, changed(old, new)) == [problem]

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ("  nickname: String", "  nickname: String!"),
            ("history(first: Int = 20)", "history(first: Int = 20, kind: Kind)"),
            ("  name: String\n", "  name: String\n  email: String\n"),
            ('  OLD @deprecated(reason: "gone")\n', ""),
        ],
    )
    def test_a_change_no_client_would_notice_is_allowed(self, old, new):
        assert contract.breaking_changes(BEFORE, changed(old, new)) == []

    def test_a_removed_type_breaks(self):
        after = (
            BEFORE.split("input MemberInput")[0]
            + 'enum Kind {\n  EARN\n  OLD @deprecated(reason: "gone")\n}\n'
        )

        assert contract.breaking_changes(BEFORE, after) == ["type MemberInput was removed"]

    def test_descriptions_alone_never_break(self):
        after = BEFORE.replace('"""Points."""', '"""Spendable points, "now"."""')

        assert contract.breaking_changes(BEFORE, after) == []
