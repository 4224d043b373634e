"""Who may call what, for every root field of the club API.

The matrix must name every root field: a new query or mutation fails here until someone decides who
may call it. Each field is then called by everyone who may not, and every club table is compared
before and after, so a refused call is proven to have written nothing.
"""

import graphene
import pytest
from django.apps import apps
from django.db import connection

from saleor_loyalty.core.facts import Requestor
from saleor_loyalty.graphql.schema import schema
from tests.engine.api import run

PUBLIC, CUSTOMER = "public", "customer"
USER = graphene.Node.to_global_id("User", 424242)
TIER = graphene.Node.to_global_id("LoyaltyTier", 1)
CHECKOUT = graphene.Node.to_global_id("Checkout", "7a8b4d0e-7a4c-4c0e-9e8e-2b9d7c1e0a11")
PRODUCT = graphene.Node.to_global_id("Product", 1)
FINDING = graphene.Node.to_global_id("LoyaltyReconciliationFinding", 1)
REFERRAL = graphene.Node.to_global_id("LoyaltyReferral", 1)
VARIANT = graphene.Node.to_global_id("ProductVariant", 501)
PLAN = graphene.Node.to_global_id("LoyaltyMembershipPlan", 1)
CHALLENGE = graphene.Node.to_global_id("LoyaltyChallenge", 1)
BADGE = graphene.Node.to_global_id("LoyaltyBadge", 1)
SAVED = graphene.Node.to_global_id("LoyaltySavedSegment", 1)
CAMPAIGN = graphene.Node.to_global_id("LoyaltyCampaign", 1)
ORDER = graphene.Node.to_global_id("Order", "5e3a0f6c-2d1b-4f3e-9a7c-1b2c3d4e5f60")
CAMPAIGN_INPUT = '{name: "Sale", variants: [{key: "A", contents: [{language: HE, subject: "s", body: "b"}]}]}'

# field: (who may call it, a complete call)
MATRIX = {
    "recoverySettings": ("MANAGE_SETTINGS", 'query { recoverySettings(channel: "il") { channel } }'),
    "recoveryPreview": ("MANAGE_SETTINGS", 'query { recoveryPreview(channel: "il") { allowed } }'),
    "restoreCheckout": (PUBLIC, 'query { restoreCheckout(token: "abc") { channel } }'),
    "abandonedCheckouts": ("MANAGE_CHECKOUTS", 'query { abandonedCheckouts(channel: "il") { totalCount } }'),
    "messageLog": ("MANAGE_CHECKOUTS", 'query { messageLog(channel: "il") { totalCount } }'),
    "recoveryStats": (
        "MANAGE_CHECKOUTS",
        'query { recoveryStats(channel: "il", since: "2026-01-01T00:00:00+00:00", '
        'until: "2026-02-01T00:00:00+00:00") { abandonedCount } }',
    ),
    "myConsent": (CUSTOMER, 'query { myConsent(channel: "il") { granted } }'),
    "earlyAccess": (PUBLIC, 'query { earlyAccess(channel: "il") { locked } }'),
    "checkoutPreview": (CUSTOMER, f'query {{ checkoutPreview(checkoutId: "{CHECKOUT}") {{ points }} }}'),
    "program": ("MANAGE_SETTINGS", 'query { program(channel: "il") { currency } }'),
    "clubShippingMethodIds": (PUBLIC, 'query { clubShippingMethodIds(channel: "il") }'),
    "me": (CUSTOMER, 'query { me(channel: "il") { email } }'),
    "member": ("MANAGE_USERS", f'query {{ member(channel: "il", userId: "{USER}") {{ email }} }}'),
    "members": ("MANAGE_USERS", 'query { members(channel: "il") { totalCount } }'),
    "loyaltyConsentSet": (
        CUSTOMER,
        'mutation { loyaltyConsentSet(channel: "il", medium: EMAIL, granted: false, source: ACCOUNT_PAGE) '
        "{ errors { code } } }",
    ),
    "loyaltyConsentSmsStart": (
        PUBLIC,
        'mutation { loyaltyConsentSmsStart(channel: "il", phone: "12", wording: "SMS from us") '
        "{ errors { code } } }",
    ),
    "loyaltyConsentSmsConfirm": (
        PUBLIC,
        'mutation { loyaltyConsentSmsConfirm(channel: "il", phone: "+972501234567", code: "000000") '
        "{ errors { code } } }",
    ),
    "loyaltyRecoverySettingsUpdate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyRecoverySettingsUpdate(channel: "il", input: {abandonAfterMinutes: 30}) '
        "{ errors { code } } }",
    ),
    "loyaltyPointsAdjust": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyPointsAdjust(channel: "il", userId: "{USER}", points: 5, reason: "x") '
        "{ errors { code } } }",
    ),
    "loyaltyProgramUpdate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyProgramUpdate(channel: "il", input: {pendingDays: 3}) { errors { code } } }',
    ),
    "loyaltyTierCreate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyTierCreate(channel: "il", input: {name: "Silver", entryThreshold: "100", '
        'retainThreshold: "50"}) { errors { code } } }',
    ),
    "loyaltyTierUpdate": (
        "MANAGE_SETTINGS",
        f'mutation {{ loyaltyTierUpdate(channel: "il", id: "{TIER}", input: {{name: "X"}}) {{ errors {{ code }} }} }}',
    ),
    "loyaltyTierDelete": (
        "MANAGE_SETTINGS",
        f'mutation {{ loyaltyTierDelete(channel: "il", id: "{TIER}") {{ errors {{ code }} }} }}',
    ),
    "loyaltyTierOverride": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyTierOverride(channel: "il", userId: "{USER}", tierId: "{TIER}", reason: "x") '
        "{ errors { code } } }",
    ),
    "loyaltyTierTranslate": (
        "MANAGE_TRANSLATIONS",
        f'mutation {{ loyaltyTierTranslate(channel: "il", id: "{TIER}", languageCode: AR, input: {{name: "x"}}) '
        "{ errors { code } } }",
    ),
    "loyaltyBirthdaySet": (
        CUSTOMER,
        'mutation { loyaltyBirthdaySet(channel: "il", month: 5, day: 4) { errors { code } } }',
    ),
    "loyaltyRedeemPoints": (
        CUSTOMER,
        f'mutation {{ loyaltyRedeemPoints(channel: "il", checkoutId: "{CHECKOUT}", points: 100, requestKey: "k") '
        "{ errors { code } } }",
    ),
    "loyaltyClubShippingMethodsSet": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyClubShippingMethodsSet(channel: "il", shippingMethodIds: []) { errors { code } } }',
    ),
    "loyaltyEarlyAccessMark": (
        "MANAGE_PRODUCTS",
        f'mutation {{ loyaltyEarlyAccessMark(channel: "il", input: {{products: ["{PRODUCT}"]}}) '
        "{ errors { code } } }",
    ),
    "reconciliationFindings": ("MANAGE_USERS", 'query { reconciliationFindings(channel: "il") { id } }'),
    "loyaltyReconciliationRepair": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyReconciliationRepair(channel: "il", findingId: "{FINDING}", reason: "x") '
        "{ errors { code } } }",
    ),
    "referrals": ("MANAGE_USERS", 'query { referrals(channel: "il") { totalCount } }'),
    "referralSettings": ("MANAGE_SETTINGS", 'query { referralSettings(channel: "il") { enabled } }'),
    # Whoever holds a guest checkout's token, as in Saleor; the engine checks a customer's checkout is theirs.
    "loyaltyReferralApply": (
        PUBLIC,
        f'mutation {{ loyaltyReferralApply(channel: "il", checkoutId: "{CHECKOUT}", code: "ABCD2345") '
        "{ errors { code } } }",
    ),
    "loyaltyReferralReview": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyReferralReview(channel: "il", id: "{REFERRAL}", approve: true) {{ errors {{ code }} }} }}',
    ),
    "loyaltyReferralSettingsUpdate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyReferralSettingsUpdate(channel: "il", input: {enabled: true}) { errors { code } } }',
    ),
    "segmentSettings": ("MANAGE_SETTINGS", 'query { segmentSettings(channel: "il") { newDays } }'),
    "segmentSizes": (
        "MANAGE_USERS",
        'query { segmentSizes(channel: "il", since: "2026-01-01", until: "2026-02-01") { size } }',
    ),
    "savedSegments": ("MANAGE_USERS", 'query { savedSegments(channel: "il") { id } }'),
    "savedSegmentMembers": (
        "MANAGE_USERS",
        f'query {{ savedSegmentMembers(channel: "il", id: "{SAVED}") {{ totalCount }} }}',
    ),
    "flows": ("MANAGE_USERS", 'query { flows(channel: "il") { kind } }'),
    "flowStats": (
        "MANAGE_USERS",
        'query { flowStats(channel: "il", kind: WINBACK_AT_RISK, since: "2026-01-01T00:00:00+00:00", '
        'until: "2026-02-01T00:00:00+00:00") { started } }',
    ),
    "loyaltySegmentSettingsUpdate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltySegmentSettingsUpdate(channel: "il", input: {newDays: 10}) { errors { code } } }',
    ),
    "loyaltySavedSegmentCreate": (
        "MANAGE_USERS",
        'mutation { loyaltySavedSegmentCreate(channel: "il", input: {name: "VIP", filters: {ordersMin: 3}}) '
        "{ errors { code } } }",
    ),
    "loyaltySavedSegmentUpdate": (
        "MANAGE_USERS",
        f'mutation {{ loyaltySavedSegmentUpdate(channel: "il", id: "{SAVED}", input: {{name: "x"}}) '
        "{ errors { code } } }",
    ),
    "loyaltySavedSegmentDelete": (
        "MANAGE_USERS",
        f'mutation {{ loyaltySavedSegmentDelete(channel: "il", id: "{SAVED}") {{ errors {{ code }} }} }}',
    ),
    "loyaltyFlowUpdate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyFlowUpdate(channel: "il", kind: BIRTHDAY, input: {holdoutPercent: 5}) '
        "{ errors { code } } }",
    ),
    # Federation: the SDL is public like introspection; `_entities` only echoes keys, and the fields it
    # reaches (`User.loyalty`, `Order.loyalty`) authorize as `me`/`member` do (test_federation.py).
    "_service": (PUBLIC, "query { _service { sdl } }"),
    "_entities": (
        PUBLIC,
        f'query {{ _entities(representations: [{{__typename: "User", id: "{USER}"}}]) {{ __typename }} }}',
    ),
    "membershipPlans": ("MANAGE_SETTINGS", 'query { membershipPlans(channel: "il") { name } }'),
    "loyaltyMembershipPlanSet": (
        "MANAGE_SETTINGS",
        f'mutation {{ loyaltyMembershipPlanSet(channel: "il", variantId: "{VARIANT}", '
        f'input: {{name: "Club", term: MONTHLY, tier: "{TIER}"}}) {{ errors {{ code }} }} }}',
    ),
    "loyaltyMembershipPlanDelete": (
        "MANAGE_SETTINGS",
        f'mutation {{ loyaltyMembershipPlanDelete(channel: "il", id: "{PLAN}") {{ errors {{ code }} }} }}',
    ),
    "challenges": ("MANAGE_SETTINGS", 'query { challenges(channel: "il") { id } }'),
    "badges": ("MANAGE_SETTINGS", 'query { badges(channel: "il") { id } }'),
    "challengeSummary": (
        "MANAGE_SETTINGS",
        f'query {{ challengeSummary(channel: "il", id: "{CHALLENGE}") {{ completed }} }}',
    ),
    "loyaltyChallengeCreate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyChallengeCreate(channel: "il", input: {name: "x", metric: PAID_ORDERS, target: 2, '
        "rewardPoints: 5}) { errors { code } } }",
    ),
    "loyaltyChallengeUpdate": (
        "MANAGE_SETTINGS",
        f'mutation {{ loyaltyChallengeUpdate(channel: "il", id: "{CHALLENGE}", input: {{name: "y"}}) '
        "{ errors { code } } }",
    ),
    "loyaltyChallengeDelete": (
        "MANAGE_SETTINGS",
        f'mutation {{ loyaltyChallengeDelete(channel: "il", id: "{CHALLENGE}") {{ errors {{ code }} }} }}',
    ),
    "loyaltyBadgeCreate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyBadgeCreate(channel: "il", input: {name: "x"}) { errors { code } } }',
    ),
    "loyaltyBadgeUpdate": (
        "MANAGE_SETTINGS",
        f'mutation {{ loyaltyBadgeUpdate(channel: "il", id: "{BADGE}", input: {{name: "y"}}) {{ errors {{ code }} }} }}',
    ),
    "campaigns": ("MANAGE_USERS", 'query { campaigns(channel: "il") { totalCount } }'),
    "campaign": ("MANAGE_USERS", f'query {{ campaign(channel: "il", id: "{CAMPAIGN}") {{ name }} }}'),
    "npsReport": (
        "MANAGE_USERS",
        'query { npsReport(channel: "il", since: "2026-01-01T00:00:00+00:00", '
        'until: "2026-02-01T00:00:00+00:00") { overall { nps } } }',
    ),
    "npsDetractors": ("MANAGE_USERS", 'query { npsDetractors(channel: "il") { totalCount } }'),
    "loyaltyCampaignCreate": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyCampaignCreate(channel: "il", input: {CAMPAIGN_INPUT}) {{ errors {{ code }} }} }}',
    ),
    "loyaltyCampaignUpdate": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyCampaignUpdate(channel: "il", id: "{CAMPAIGN}", input: {{name: "x"}}) '
        "{ errors { code } } }",
    ),
    "loyaltyCampaignSchedule": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyCampaignSchedule(channel: "il", id: "{CAMPAIGN}") {{ errors {{ code }} }} }}',
    ),
    "loyaltyCampaignCancel": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyCampaignCancel(channel: "il", id: "{CAMPAIGN}") {{ errors {{ code }} }} }}',
    ),
    "loyaltyNpsSettingsUpdate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyNpsSettingsUpdate(channel: "il", enabled: true) { errors { code } } }',
    ),
    "loyaltyNpsAnswer": (
        CUSTOMER,
        f'mutation {{ loyaltyNpsAnswer(channel: "il", orderId: "{ORDER}", score: 5) {{ errors {{ code }} }} }}',
    ),
    "kpis": (
        "MANAGE_USERS",
        'query { kpis(channel: "il", since: "2026-01-01", until: "2026-03-01") { currency } }',
    ),
    "kpiCohorts": (
        "MANAGE_USERS",
        'query { kpiCohorts(channel: "il", since: "2026-01-01", until: "2026-03-01") { size } }',
    ),
    "liability": ("MANAGE_USERS", 'query { liability(channel: "il") { outstandingPoints } }'),
    "ruleBacktest": (
        "MANAGE_SETTINGS",
        'query { ruleBacktest(channel: "il", months: 6, input: {earnRate: "2"}) { currency } }',
    ),
    "loyaltyConsentEvidenceExport": (
        "MANAGE_USERS",
        'mutation { loyaltyConsentEvidenceExport(channel: "il", medium: EMAIL, address: "dana@example.co.il", '
        "format: JSON) { errors { code } } }",
    ),
    "loyaltyConsentImport": (
        "MANAGE_USERS",
        'mutation { loyaltyConsentImport(channel: "il", csvLines: ["medium,address,action,occurred_at,wording,'
        'locale,origin,evidence", "email,a@b.co,withdraw,2024-01-01T00:00:00+00:00,,he,x,y"]) '
        "{ errors { code } } }",
    ),
    "loyaltyEarlyAccessUnmark": (
        "MANAGE_PRODUCTS",
        f'mutation {{ loyaltyEarlyAccessUnmark(channel: "il", products: ["{PRODUCT}"]) {{ errors {{ code }} }} }}',
    ),
    "club": (PUBLIC, 'query { club(channel: "il") { currency } }'),
    "actions": ("MANAGE_SETTINGS", 'query { actions(channel: "il") { key } }'),
    "actionSettings": ("MANAGE_SETTINGS", 'query { actionSettings(channel: "il") { termsEn } }'),
    "bulkGrants": ("MANAGE_USERS", 'query { bulkGrants(channel: "il") { id } }'),
    "loyaltyActionCreate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyActionCreate(channel: "il", key: "quiz", input: {nameEn: "Quiz", points: 5}) '
        "{ errors { code } } }",
    ),
    "loyaltyActionUpdate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyActionUpdate(channel: "il", key: "product_review", input: {isEnabled: true}) '
        "{ errors { code } } }",
    ),
    "loyaltyActionDelete": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyActionDelete(channel: "il", key: "quiz") { errors { code } } }',
    ),
    "loyaltyActionSettingsUpdate": (
        "MANAGE_SETTINGS",
        'mutation { loyaltyActionSettingsUpdate(channel: "il", input: {termsEn: "x"}) { errors { code } } }',
    ),
    "loyaltyActionRecord": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyActionRecord(channel: "il", action: "product_review", userId: "{USER}", '
        'objectId: "p1", idempotencyKey: "k") { errors { code } } }',
    ),
    "loyaltyShareLinkCreate": (
        CUSTOMER,
        'mutation { loyaltyShareLinkCreate(channel: "il", target: "/p/") { errors { code } } }',
    ),
    "loyaltyBulkGrantCreate": (
        "MANAGE_USERS",
        f'mutation {{ loyaltyBulkGrantCreate(channel: "il", points: 5, reason: "x", idempotencyKey: "k", '
        f'userIds: ["{USER}"]) {{ errors {{ code }} }} }}',
    ),
    "npsSettings": ("MANAGE_SETTINGS", 'query { npsSettings(channel: "il") { enabled daysAfterOrder } }'),
}
ALL_PERMISSIONS = frozenset(
    {
        "MANAGE_USERS",
        "MANAGE_SETTINGS",
        "MANAGE_CHECKOUTS",
        "MANAGE_PRODUCTS",
        "MANAGE_TRANSLATIONS",
        "MANAGE_ORDERS",
    }
)
ANONYMOUS = Requestor()
CUSTOMER_CALLER = Requestor(user_id=7, email="dana@example.co.il")
DENIED = {"PERMISSION_DENIED", "UNAUTHENTICATED", "permission_denied", "unauthenticated"}


def snapshot() -> dict:
    """A fingerprint of every club table's rows: equal before and after means nothing was written."""
    prints = {}
    with connection.cursor() as cursor:
        for model in apps.get_app_config("saleor_loyalty").get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {table} t"
            )
            prints[model._meta.db_table] = cursor.fetchone()
    return prints


def refusal_codes(result, field) -> set[str]:
    codes = {error.extensions["exception"]["code"] for error in result.errors or () if error.extensions}
    payload = (result.data or {}).get(field) or {}
    codes |= {error["code"] for error in payload.get("errors") or ()} if isinstance(payload, dict) else set()
    return codes


def callers_without(right: str):
    if right == CUSTOMER:
        yield "anonymous", ANONYMOUS
        yield "app", Requestor(app_id=3, app_name="some app", permissions=ALL_PERMISSIONS)
        return
    yield "anonymous", ANONYMOUS
    yield "customer", CUSTOMER_CALLER
    yield (
        "staff without it",
        Requestor(user_id=9, email="s@shop.co.il", is_staff=True, permissions=ALL_PERMISSIONS - {right}),
    )
    yield "app without it", Requestor(app_id=3, app_name="some app", permissions=ALL_PERMISSIONS - {right})


def test_the_matrix_names_every_root_field():
    fields = set(schema.get_query_type().fields) | set(schema.get_mutation_type().fields)
    assert fields == set(MATRIX)


@pytest.mark.parametrize("field", sorted(name for name, (right, _) in MATRIX.items() if right != PUBLIC))
def test_everyone_without_the_right_is_refused_and_nothing_is_written(club, field):
    right, query = MATRIX[field]
    for label, caller in callers_without(right):
        before = snapshot()
        result = run(query, caller)
        assert refusal_codes(result, field) & DENIED, (field, label, result.errors, result.data)
        assert snapshot() == before, (field, label)


@pytest.mark.parametrize("field", sorted(name for name, (right, _) in MATRIX.items() if right == PUBLIC))
def test_public_fields_answer_anonymous_callers(club, field):
    result = run(MATRIX[field][1], ANONYMOUS)
    assert not refusal_codes(result, field) & DENIED
