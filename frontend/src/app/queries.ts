// Every GraphQL document the Dashboard app sends, in one place (club API as on `house-move`).
// Saleor's own API is asked only for what the club does not know: the shop's channels and an order's customer.
import { TIER_LANGUAGES } from "./i18n";

export const MEMBER_FIELDS = `
  email userId channel
  points { available pending lifetime debt }
  pointsValue { amount currency }
  storeCredit { amount currency }
  nextExpiring { points expiresAt }
  tier { id name nameHe }
  nextTier { id name nameHe }
  tierFloor { id name nameHe }
  progress { basis current target remaining percent }`;

export const MEMBERS = `query Members($channel: String!, $filter: LoyaltyMemberFilterInput, $first: Int, $after: String) {
  members(channel: $channel, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { email userId points { available pending lifetime } tier { id name nameHe } } }
  }
}`;

export const MEMBER = `query Member($channel: String!, $userId: ID, $email: String, $first: Int, $after: String) {
  member(channel: $channel, userId: $userId, email: $email) {
    ${MEMBER_FIELDS}
    transactions(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id kind points reason orderNumber created availableAt expiresAt } }
    }
    tierHistory(first: 10) { cause fromTier toTier reason actor created }
  }
}`;

export const POINTS_ADJUST = `mutation Adjust($channel: String!, $userId: ID!, $points: Int!, $reason: String!, $key: String) {
  loyaltyPointsAdjust(channel: $channel, userId: $userId, points: $points, reason: $reason, idempotencyKey: $key) {
    errors { field message code }
    transaction { id }
  }
}`;

export const TIER_OVERRIDE = `mutation Override($channel: String!, $userId: ID!, $tierId: ID, $reason: String!) {
  loyaltyTierOverride(channel: $channel, userId: $userId, tierId: $tierId, reason: $reason) {
    errors { field message code }
    member { tierFloor { id name } tier { id name } }
  }
}`;

// A tier's names per language come from `translation` (nameHe is deprecated): the editor's languages, aliased.
const TIER_TRANSLATIONS = TIER_LANGUAGES.map((code) => `${code.toLowerCase()}: translation(languageCode: ${code}) { name }`).join(" ");

export const TIER_FIELDS = `id position name ${TIER_TRANSLATIONS} entryThreshold retainThreshold
  benefits { earnMultiplier discountPercent freeShipping earlyAccess birthdayPoints cashbackPercent }`;

export const PROGRAM = `query Program($channel: String!) {
  program(channel: $channel) {
    channel currency timezone isActive includeTax pendingDays expiryMonths expiryReminderDays
    maxAdjustmentPoints tierGraceDays redeemMinPoints redeemStepPoints earnRate
    pointValue { amount currency } negativeBalancePolicy cashbackPercent redeemMaxSharePercent
    tierBasis tierWindow
    tiers { ${TIER_FIELDS} }
  }
}`;

export const PROGRAM_UPDATE = `mutation ProgramUpdate($channel: String!, $input: LoyaltyProgramInput!) {
  loyaltyProgramUpdate(channel: $channel, input: $input) { errors { field message code } program { channel } }
}`;

export const TIER_CREATE = `mutation TierCreate($channel: String!, $input: LoyaltyTierInput!) {
  loyaltyTierCreate(channel: $channel, input: $input) { errors { field message code } tier { ${TIER_FIELDS} } }
}`;

export const TIER_UPDATE = `mutation TierUpdate($channel: String!, $id: ID!, $input: LoyaltyTierInput!) {
  loyaltyTierUpdate(channel: $channel, id: $id, input: $input) { errors { field message code } tier { ${TIER_FIELDS} } }
}`;

export const TIER_TRANSLATE = `mutation TierTranslate($channel: String!, $id: ID!, $languageCode: LoyaltyLanguageCode!, $name: String!) {
  loyaltyTierTranslate(channel: $channel, id: $id, languageCode: $languageCode, input: {name: $name}) {
    errors { field message code }
    tier { id }
  }
}`;

export const TIER_DELETE = `mutation TierDelete($channel: String!, $id: ID!, $moveTo: ID) {
  loyaltyTierDelete(channel: $channel, id: $id, moveMembersTo: $moveTo) { errors { field message code } movedMembers }
}`;

export const RECOVERY_SETTINGS = `query Recovery($channel: String!, $since: DateTime!, $until: DateTime!) {
  recoverySettings(channel: $channel) {
    recoveryEnabled clubMessagesEnabled senderName senderEmail contactAddress replyTo restoreUrlTemplate
    abandonAfterMinutes lostAfterDays holdoutPercent lastStepDiscountPercent incentiveHours attributionDays
    country timezone defaultLanguage observeShabbat steps { afterMinutes medium }
  }
  recoveryStats(channel: $channel, since: $since, until: $until) {
    abandonedCount remindedCount recoveredCount recoveredRevenue { amount currency } recoveryRate unsubscribes
  }
}`;

// Each reminder step as it would go out (saved settings, sample cart), Hebrew and English, with the §30A verdict.
export const RECOVERY_PREVIEW = `query RecoveryPreview($channel: String!) {
  recoveryPreview(channel: $channel) { step medium language subject text allowed problems }
}`;

// The recovery screen's two lists, a cursor page at a time (newest first).
export const ABANDONED_CHECKOUTS = `query AbandonedCheckouts($channel: String!, $first: Int, $after: String) {
  abandonedCheckouts(channel: $channel, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { checkoutId email state stateReason total { amount currency } abandonedAt nextActionAt remindersSent } }
  }
}`;

export const MESSAGE_LOG = `query MessageLog($channel: String!, $first: Int, $after: String) {
  messageLog(channel: $channel, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id category medium recipient status reason subject createdAt } }
  }
}`;

export const RECOVERY_UPDATE = `mutation RecoveryUpdate($channel: String!, $input: LoyaltyRecoverySettingsInput!) {
  loyaltyRecoverySettingsUpdate(channel: $channel, input: $input) { errors { field message code } settings { channel } }
}`;

// The overview: one document with one member count per tier (aliases), the KPIs and the liability, so it
// costs two requests in all.
export function overviewQuery(tierIds: string[]): string {
  const perTier = tierIds
    .map((id, i) => `t${i}: members(channel: $channel, first: 1, filter: {tierId: ${JSON.stringify(id)}}) { totalCount }`)
    .join("\n  ");
  return `query Overview($channel: String!, $since: DateTime!, $until: DateTime!, $kpiSince: Date!, $kpiUntil: Date!) {
  all: members(channel: $channel, first: 1) { totalCount }
  ${perTier}
  kpis(channel: $channel, since: $kpiSince, until: $kpiUntil) {
    currency membersCount membersNew membersActive orders repeatPurchaseRate
    memberAov { amount currency } guestAov { amount currency }
    points { issued reversed redeemed expired redemptionRate }
  }
  liability(channel: $channel) {
    outstandingPoints total { amount currency } pointsValue { amount currency }
    buckets { month points value { amount currency } }
  }
  recoveryStats(channel: $channel, since: $since, until: $until) {
    abandonedCount abandonedValue { amount currency } remindedCount remindersSent recoveredCount
    recoveredRevenue { amount currency } recoveryRate unsubscribes
  }
}`;
}

export const OVERVIEW_TIERS = `query OverviewTiers($channel: String!) {
  program(channel: $channel) { currency tiers { id name nameHe } }
}`;

// Saleor's own API (the Dashboard's token is valid there too).
export const SALEOR_CHANNELS = `query { channels { slug name currencyCode } }`;
export const SALEOR_ORDER = `query Order($id: ID!) { order(id: $id) { number channel { slug } user { id email } } }`;

// Engagement: one document for the lists, then one aliased document for every challenge's summary (with the settings, below).
export const CHALLENGE_FIELDS = `id name nameHe description descriptionHe metric target targetAmount { amount currency } actionKind window
  startsOn endsOn windowDays rewardPoints isActive archivedAt badge { id name nameHe }`;

export const PLAN_FIELDS = `id name variantId term isActive monthlyGiftPoints monthlyGiftCredit { amount currency } reminderDays tier { id name nameHe }`;

export const ENGAGEMENT = `query Engagement($channel: String!, $status: LoyaltyReferralStatus) {
  actions(channel: $channel) { id key nameEn nameHe points isBuiltin isEnabled pendingDays caps { perDay perMonth lifetime oncePerObject } }
  challenges(channel: $channel, includeArchived: true) { ${CHALLENGE_FIELDS} }
  membershipPlans(channel: $channel) { ${PLAN_FIELDS} }
  badges(channel: $channel) { id name nameHe }
  program(channel: $channel) { currency tiers { id name nameHe } }
  referrals(channel: $channel, first: 50, filter: {status: $status}) {
    totalCount
    edges { node { id status reasonCode reason rewardPoints created referrerEmail friendEmail orderNumber orderTotal { amount currency } signals reviewedBy } }
  }
}`;

export const ACTION_UPDATE = `mutation ActionUpdate($channel: String!, $key: String!, $input: LoyaltyActionInput!) {
  loyaltyActionUpdate(channel: $channel, key: $key, input: $input) {
    errors { field message code }
    action { id key nameEn nameHe points isBuiltin isEnabled pendingDays caps { perDay perMonth lifetime oncePerObject } }
  }
}`;

export const REFERRAL_REVIEW = `mutation ReferralReview($channel: String!, $id: ID!, $approve: Boolean!, $reason: String) {
  loyaltyReferralReview(channel: $channel, id: $id, approve: $approve, reason: $reason) {
    errors { field message code }
    referral { id status reasonCode reason rewardPoints created referrerEmail friendEmail orderNumber orderTotal { amount currency } signals reviewedBy }
  }
}`;

export const CAMPAIGN_FIELDS = `id name status medium startedAt finishedAt holdoutPercent scheduledAt audienceKind audienceTierIds audienceSegment
      audienceSavedSegmentId defaultLanguage attributionDays winnerMetric
      variants { key weight incentivePoints contents { language subject body smsSegments { encoding units segments } } }`;

// Insights: one document for segments, campaigns and NPS; the backtest runs on demand.
export const INSIGHTS = `query Insights($channel: String!, $day0: Date!, $day1: Date!, $since: DateTime!, $until: DateTime!) {
  segmentSizes(channel: $channel, since: $day0, until: $day1) { day segment size }
  savedSegments(channel: $channel) { id name filters updatedAt }
  program(channel: $channel) { currency tiers { id name nameHe } }
  campaigns(channel: $channel, first: 20) {
    totalCount
    edges { node { ${CAMPAIGN_FIELDS}
      results { metric winner winnerP lift
        holdout { key recipients sent converted ordered complaints bounces revenue { amount currency } orderedRate { rate } conversionRate { rate } }
        variants { key recipients sent opened clicked converted ordered complaints bounces revenue { amount currency } conversionRate { rate } orderedRate { rate } }
      } } }
  }
  npsReport(channel: $channel, since: $since, until: $until) {
    overall { key responses promoters passives detractors nps }
    byTier { key responses promoters passives detractors nps }
  }
  npsDetractors(channel: $channel, first: 10) { totalCount edges { node { id orderNumber email score comment tier answeredAt } } }
}`;

const SCENARIO = `orders pointsIssued pointsReversed netPoints pointsValue { amount currency } cashback { amount currency }
    liabilityChange { amount currency } expectedCost { amount currency }`;

export const RULE_BACKTEST = `query RuleBacktest($channel: String!, $months: Int, $input: LoyaltyBacktestInput!) {
  ruleBacktest(channel: $channel, months: $months, input: $input) {
    currency since until breakageRate recordedPoints
    current { ${SCENARIO} }
    proposed { ${SCENARIO} }
  }
}`;

// The Engagement and Insights forms: one mutation per save, each answering typed errors.
const ACTION_RESULT = "action { id key nameEn nameHe points isBuiltin isEnabled pendingDays caps { perDay perMonth lifetime oncePerObject } }";

export const ACTION_CREATE = `mutation ActionCreate($channel: String!, $key: String!, $input: LoyaltyActionInput!) {
  loyaltyActionCreate(channel: $channel, key: $key, input: $input) { errors { field message code } ${ACTION_RESULT} }
}`;

export const CHALLENGE_CREATE = `mutation ChallengeCreate($channel: String!, $input: LoyaltyChallengeInput!) {
  loyaltyChallengeCreate(channel: $channel, input: $input) { errors { field message code } challenge { ${CHALLENGE_FIELDS} } }
}`;

export const CHALLENGE_UPDATE = `mutation ChallengeUpdate($channel: String!, $id: ID!, $input: LoyaltyChallengeInput!) {
  loyaltyChallengeUpdate(channel: $channel, id: $id, input: $input) { errors { field message code } challenge { ${CHALLENGE_FIELDS} } }
}`;

export const CHALLENGE_DELETE = `mutation ChallengeDelete($channel: String!, $id: ID!) {
  loyaltyChallengeDelete(channel: $channel, id: $id) { errors { field message code } archived }
}`;

export const PLAN_SET = `mutation PlanSet($channel: String!, $variantId: ID!, $input: LoyaltyMembershipPlanInput!) {
  loyaltyMembershipPlanSet(channel: $channel, variantId: $variantId, input: $input) { errors { field message code } plan { ${PLAN_FIELDS} } }
}`;

export const BULK_GRANT = `mutation BulkGrant($channel: String!, $points: Int!, $reason: String!, $key: String!, $userIds: [ID!], $filter: LoyaltyMemberFilterInput) {
  loyaltyBulkGrantCreate(channel: $channel, points: $points, reason: $reason, idempotencyKey: $key, userIds: $userIds, filter: $filter) {
    errors { field message code }
    grant { id points reason state granted skipped byFilter }
  }
}`;

export const CAMPAIGN_CREATE = `mutation CampaignCreate($channel: String!, $input: LoyaltyCampaignInput!) {
  loyaltyCampaignCreate(channel: $channel, input: $input) { errors { field message code } campaign { id } }
}`;

export const CAMPAIGN_UPDATE = `mutation CampaignUpdate($channel: String!, $id: ID!, $input: LoyaltyCampaignInput!) {
  loyaltyCampaignUpdate(channel: $channel, id: $id, input: $input) { errors { field message code } campaign { id } }
}`;

export const CAMPAIGN_SCHEDULE = `mutation CampaignSchedule($channel: String!, $id: ID!, $sendAt: DateTime) {
  loyaltyCampaignSchedule(channel: $channel, id: $id, sendAt: $sendAt) { errors { field message code } campaign { id status scheduledAt } }
}`;

export const CAMPAIGN_CANCEL = `mutation CampaignCancel($channel: String!, $id: ID!) {
  loyaltyCampaignCancel(channel: $channel, id: $id) { errors { field message code } campaign { id status } }
}`;

export const SAVED_SEGMENT_CREATE = `mutation SavedSegmentCreate($channel: String!, $input: LoyaltySavedSegmentInput!) {
  loyaltySavedSegmentCreate(channel: $channel, input: $input) { errors { field message code } savedSegment { id name filters updatedAt } }
}`;

export const SAVED_SEGMENT_UPDATE = `mutation SavedSegmentUpdate($channel: String!, $id: ID!, $input: LoyaltySavedSegmentInput!) {
  loyaltySavedSegmentUpdate(channel: $channel, id: $id, input: $input) { errors { field message code } savedSegment { id name filters updatedAt } }
}`;

export const SAVED_SEGMENT_DELETE = `mutation SavedSegmentDelete($channel: String!, $id: ID!) {
  loyaltySavedSegmentDelete(channel: $channel, id: $id) { errors { field message code } }
}`;

export const CONSENT_EXPORT = `mutation ConsentExport($channel: String!, $address: String!, $medium: LoyaltyConsentMedium!, $format: LoyaltyEvidenceFormat!) {
  loyaltyConsentEvidenceExport(channel: $channel, address: $address, medium: $medium, format: $format) { errors { field message code } content filename }
}`;

export const CONSENT_IMPORT = `mutation ConsentImport($channel: String!, $csvLines: [String!]!) {
  loyaltyConsentImport(channel: $channel, csvLines: $csvLines) {
    errors { field message code }
    rows created alreadyImported
    rowErrors { row field message code }
  }
}`;

// A bulk grant's list may name members by email: one aliased document finds their Saleor IDs.
export function memberIdsQuery(emails: string[]): string {
  const vars = emails.map((_, i) => `, $e${i}: String`).join("");
  const each = emails.map((_, i) => `m${i}: member(channel: $channel, email: $e${i}) { userId }`).join("\n  ");
  return `query MemberIds($channel: String!${vars}) {\n  ${each}\n}`;
}
