// GraphQL documents of the staff operations beyond the main screens: engagement settings, badges, grants,
// tier extras, reconciliation, flows and their settings, a segment's members, the cohort table.

// The rest of the club's staff operations (issue 12): engagement settings, badges, the grants' history,
// a tier's shipping methods and early access, reconciliation findings and their repair.
export const BADGE_FIELDS = "id name nameHe description descriptionHe imageUrl";
const REFERRAL_SETTINGS_FIELDS = `enabled referrerPoints referrerReward referrerCredit { amount currency } friendBenefit friendPercent friendAmount { amount currency } friendPoints pendingDays
  monthlyCap minOrderTotal { amount currency } linkTemplate holdAll holdOrderTotalOver { amount currency } holdSharedAddress`;
const ACTION_SETTINGS_FIELDS = "storefrontUrl termsEn termsHe anniversaryPoints anniversaryCredit { amount currency }";
export const BULK_GRANT_FIELDS = "id points reason state granted skipped byFilter actor created finished";

// The Engagement screen's second request: every challenge's summary (aliased) with the settings, the badges
// and the grants' history, so the screen still costs two requests.
export function challengeSummariesAndSettingsQuery(ids: string[]): string {
  const each = ids
    .map((id, i) => `s${i}: challengeSummary(channel: $channel, id: ${JSON.stringify(id)}) { completed pointsAwarded badgesAwarded lastCompletedAt }`)
    .join("\n  ");
  return `query ChallengeSummariesAndSettings($channel: String!) {
  ${each}
  referralSettings(channel: $channel) { ${REFERRAL_SETTINGS_FIELDS} }
  actionSettings(channel: $channel) { ${ACTION_SETTINGS_FIELDS} }
  badges(channel: $channel) { ${BADGE_FIELDS} }
  bulkGrants(channel: $channel, first: 20) { ${BULK_GRANT_FIELDS} }
}`;
}

export const REFERRAL_SETTINGS_UPDATE = `mutation ReferralSettingsUpdate($channel: String!, $input: LoyaltyReferralSettingsInput!) {
  loyaltyReferralSettingsUpdate(channel: $channel, input: $input) { errors { field message code } settings { ${REFERRAL_SETTINGS_FIELDS} } }
}`;

export const ACTION_SETTINGS_UPDATE = `mutation ActionSettingsUpdate($channel: String!, $input: LoyaltyActionSettingsInput!) {
  loyaltyActionSettingsUpdate(channel: $channel, input: $input) { errors { field message code } settings { ${ACTION_SETTINGS_FIELDS} } }
}`;

export const ACTION_DELETE = `mutation ActionDelete($channel: String!, $key: String!) {
  loyaltyActionDelete(channel: $channel, key: $key) { errors { field message code } key }
}`;

export const PLAN_DELETE = `mutation PlanDelete($channel: String!, $id: ID!) {
  loyaltyMembershipPlanDelete(channel: $channel, id: $id) { errors { field message code } }
}`;

export const BADGE_CREATE = `mutation BadgeCreate($channel: String!, $input: LoyaltyBadgeInput!) {
  loyaltyBadgeCreate(channel: $channel, input: $input) { errors { field message code } badge { ${BADGE_FIELDS} } }
}`;

export const BADGE_UPDATE = `mutation BadgeUpdate($channel: String!, $id: ID!, $input: LoyaltyBadgeInput!) {
  loyaltyBadgeUpdate(channel: $channel, id: $id, input: $input) { errors { field message code } badge { ${BADGE_FIELDS} } }
}`;

export const TIER_EXTRAS = `query TierExtras($channel: String!) {
  clubShippingMethodIds(channel: $channel)
  earlyAccess(channel: $channel) { id kind startsAt endsAt minimumTier { id name } }
}`;

export const CLUB_SHIPPING_SET = `mutation ClubShippingSet($channel: String!, $ids: [ID!]!) {
  loyaltyClubShippingMethodsSet(channel: $channel, shippingMethodIds: $ids) { errors { field message code } shippingMethodIds }
}`;

export const EARLY_ACCESS_MARK = `mutation EarlyAccessMark($channel: String!, $input: LoyaltyEarlyAccessInput!) {
  loyaltyEarlyAccessMark(channel: $channel, input: $input) { errors { field message code } items { id kind } }
}`;

export const EARLY_ACCESS_UNMARK = `mutation EarlyAccessUnmark($channel: String!, $products: [ID!], $collections: [ID!]) {
  loyaltyEarlyAccessUnmark(channel: $channel, products: $products, collections: $collections) { errors { field message code } unmarked }
}`;

const FINDING_FIELDS = "id check email userId expected found drift foundAt resolvedAt resolution resolvedBy";

export const RECONCILIATION_FINDINGS = `query ReconciliationFindings($channel: String!) {
  reconciliationFindings(channel: $channel) { ${FINDING_FIELDS} }
}`;

export const RECONCILIATION_REPAIR = `mutation ReconciliationRepair($channel: String!, $findingId: ID!, $reason: String!) {
  loyaltyReconciliationRepair(channel: $channel, findingId: $findingId, reason: $reason) {
    errors { field message code }
    finding { ${FINDING_FIELDS} }
    transaction { id points }
  }
}`;

// Insights' flows and settings (issue 12): one document for the four flows, their 90-day results, the
// segment and NPS settings; each form saves with one mutation.
export const FLOW_FIELDS = `kind enabled incentive incentivePoints voucherPercent voucherDays holdoutPercent attributionDays
  steps { afterDays incentive content { language subject body } }`;
const FLOW_KINDS = ["WINBACK_AT_RISK", "WINBACK_LAPSED", "BIRTHDAY", "ANNIVERSARY"];
const FLOW_STATS = FLOW_KINDS.map((kind) => `s${kind}: flowStats(channel: $channel, kind: ${kind}, since: $since, until: $until) {
    started messaged messagesSent converted revenue { amount currency } conversionRate holdout holdoutConverted holdoutRate lift }`).join("\n  ");

export const FLOWS = `query Flows($channel: String!, $since: DateTime!, $until: DateTime!) {
  flows(channel: $channel) { ${FLOW_FIELDS} }
  ${FLOW_STATS}
  segmentSettings(channel: $channel) { newDays defaultIntervalDays minIntervalDays atRiskFactor lapsedFactor loyalMinOrders }
  npsSettings(channel: $channel) { enabled daysAfterOrder }
}`;

export const FLOW_UPDATE = `mutation FlowUpdate($channel: String!, $kind: LoyaltyFlowKind!, $input: LoyaltyFlowInput!) {
  loyaltyFlowUpdate(channel: $channel, kind: $kind, input: $input) { errors { field message code } flow { ${FLOW_FIELDS} } }
}`;

export const SEGMENT_SETTINGS_UPDATE = `mutation SegmentSettingsUpdate($channel: String!, $input: LoyaltySegmentSettingsInput!) {
  loyaltySegmentSettingsUpdate(channel: $channel, input: $input) {
    errors { field message code }
    settings { newDays defaultIntervalDays minIntervalDays atRiskFactor lapsedFactor loyalMinOrders }
  }
}`;

export const NPS_SETTINGS_UPDATE = `mutation NpsSettingsUpdate($channel: String!, $enabled: Boolean, $daysAfterOrder: Int) {
  loyaltyNpsSettingsUpdate(channel: $channel, enabled: $enabled, daysAfterOrder: $daysAfterOrder) {
    errors { field message code }
    settings { enabled daysAfterOrder }
  }
}`;

export const SAVED_SEGMENT_MEMBERS = `query SavedSegmentMembers($channel: String!, $id: ID!, $first: Int, $after: String) {
  savedSegmentMembers(channel: $channel, id: $id, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { email userId points { available } tier { id name nameHe } } }
  }
}`;

// The cohort table is asked for on demand only: the overview's first paint stays at its two requests.
export const KPI_COHORTS = `query KpiCohorts($channel: String!, $kpiSince: Date!, $kpiUntil: Date!) {
  kpiCohorts(channel: $channel, since: $kpiSince, until: $kpiUntil) {
    month size memberSize ltv { amount currency }
    cells { offset month customers retention revenue { amount currency } ltv { amount currency } }
  }
}`;
