// English and Hebrew. The Dashboard's locale event picks one; Hebrew lays the app out right to left.

const en = {
  club: "Loyalty club", overview: "Overview", members: "Members", tiers: "Tiers", settings: "Program",
  recovery: "Recovery & messages", channel: "Channel", loading: "Loading…", noToken: "Waiting for the Dashboard…",
  membersCount: "Members", tierMix: "Tier mix", funnel: "Cart recovery (30 days)", abandoned: "Abandoned",
  reminded: "Reminded", recovered: "Recovered", recoveredRevenue: "Recovered revenue", unsubscribes: "Unsubscribes",
  search: "Email contains", tier: "Tier", anyTier: "Any tier", balanceMin: "Balance at least", balanceMax: "Balance at most",
  apply: "Apply", email: "Email", available: "Available", pending: "Pending", lifetime: "Lifetime", debt: "Debt",
  next: "Next page", first: "First page", open: "Open", back: "Back to members", worth: "Worth", storeCredit: "Store credit",
  nextTier: "Next tier", toNext: "to", top: "Top tier", expiring: "Expiring", history: "History", when: "When",
  kind: "Kind", points: "Points", reason: "Reason", order: "Order", more: "More", adjust: "Adjust points",
  adjustHelp: "Positive adds, negative deducts.", save: "Save", saved: "Saved", override: "Tier override",
  noOverride: "No override (earned tier)", tierHistory: "Tier changes", name: "Name", nameHe: "Hebrew name",
  entryThreshold: "Entry threshold", retainThreshold: "Retain threshold", earnMultiplier: "Earn multiplier",
  discountPercent: "Discount %", freeShipping: "Free shipping", earlyAccess: "Early access", birthdayPoints: "Birthday points",
  cashbackPercent: "Cashback %", addTier: "Add tier", deleteTier: "Delete", isActive: "Club active", includeTax: "Earn on tax",
  earnRate: "Points per currency unit", pointValue: "Value of one point", pendingDays: "Pending days",
  expiryMonths: "Expiry (months, 0 = never)", expiryReminderDays: "Expiry reminder (days before)",
  maxAdjustmentPoints: "Largest manual adjustment", tierGraceDays: "Tier grace days", redeemMinPoints: "Redeem at least",
  redeemStepPoints: "Redeem in steps of", redeemMaxSharePercent: "Redeem at most (% of order)", timezone: "Time zone",
  negativeBalancePolicy: "Refund of spent points", tierBasis: "Tiers by", tierWindow: "Tier window",
  recoveryEnabled: "Cart recovery on", clubMessagesEnabled: "Club messages on", senderName: "Sender name",
  senderEmail: "Sender email", contactAddress: "Contact address (§30A)", replyTo: "Reply-to", restoreUrlTemplate: "Restore link template",
  abandonAfterMinutes: "Abandoned after (minutes)", lostAfterDays: "Lost after (days)", holdoutPercent: "Holdout %",
  lastStepDiscountPercent: "Last reminder discount %", incentiveHours: "Incentive valid (hours)", attributionDays: "Attribution days",
  defaultLanguage: "Default language", observeShabbat: "Quiet on Shabbat", messageLog: "Recent messages", status: "Status",
  customerNotMember: "Not a member in this channel yet.", orderGap: "The club API has no order view yet: these are the member's movements for this order.",
  noMovements: "No club movements for this order.", guest: "Guest order: no member.", close: "Close", error: "Something went wrong",
  recoveryRate: "Recovery rate", since: "Last 30 days",
  kpisTitle: "Club KPIs (12 months)", pointsIssued: "Points issued", pointsRedeemed: "Points redeemed", pointsExpired: "Points expired",
  redemptionRate: "Redemption rate", membersNew: "New members", membersActive: "Active members", repeatRate: "Repeat-purchase rate",
  aovMembers: "Average order, members", aovGuests: "Average order, guests", liabilityTitle: "Points liability by expiry month",
  liabilityTotal: "Owed to members", outstandingPoints: "Outstanding points", byExpiryMonth: "Value expiring", noExpiry: "No expiry",
  engagement: "Engagement", insights: "Insights", actions: "Ways to earn", enabled: "On", builtin: "Built in", challenges: "Challenges",
  completed: "Completed", pointsAwarded: "Points given", badgesAwarded: "Badges given", badge: "Badge", target: "Target",
  active: "Active", plans: "Paid membership plans", term: "Term", monthlyGiftPoints: "Monthly points", monthlyGiftCredit: "Monthly credit",
  referrals: "Referrals", referrer: "Referrer", friend: "Friend", approve: "Approve", reject: "Reject", rejectReason: "Reason to reject",
  signals: "Signals", noneYet: "None yet.", segments: "Segments", segment: "Segment", size: "Members", savedSegments: "Saved segments",
  updated: "Updated", campaigns: "Campaigns", variant: "Variant", recipients: "Recipients", sent: "Sent", converted: "Converted",
  conversionRate: "Conversion", winner: "Winner", complaints: "Complaints", bounces: "Bounces",
  campaignMedium: "Sent as", mediumEMAIL: "Email", mediumSMS: "SMS", smsText: "SMS text", segmentsCount: "segments",
  smsOptOutHelp: "Every SMS needs {opt_out} once: it becomes the sender's name and how to refuse (§30A). The label פרסומת opens the text.",
  smsOnlyVerified: "Sent only to members who confirmed their own number by code (verified SMS consent), in SMS hours, never on Shabbat.", holdout: "Holdout", npsReport: "NPS (90 days)", responses: "Answers",
  promoters: "Promoters", passives: "Passives", detractors: "Detractors", score: "Score", comment: "Comment",
  backtest: "Try new rules on past orders", months: "Months to replay", run: "Run", current: "Current program", proposed: "Proposed",
  ordersCount: "Orders", netPoints: "Net points", cashback: "Cashback", cost: "Expected cost", liabilityChange: "Liability change",
  pointsValueShort: "Points value", allStatuses: "All", lastNight: "Last night",
  segNEW: "New", segONE_TIME: "One-time buyers", segREPEAT: "Repeat buyers", segLOYAL: "Loyal", segAT_RISK: "At risk", segLAPSED: "Lapsed",
  translations: "Names in other languages", langHE: "Hebrew", langEN: "English", langAR: "Arabic", langRU: "Russian",
  reminderSteps: "Reminder steps", afterMinutes: "After (minutes)", medium: "Sent by", addStep: "Add step", removeStep: "Remove step",
  preview: "Preview of each reminder (saved settings)", gateOk: "§30A check: passes", gateBlocked: "§30A check: blocked", subject: "Subject",
  abandonedCheckouts: "Abandoned checkouts", state: "State", total: "Total", remindersSent: "Reminders", nextReminder: "Next reminder",
  category: "Category", recipient: "Recipient", pageOf: "Page", previous: "Previous page", incentive: "Last reminder's incentive",
  edit: "Edit", create: "Create", cancel: "Cancel", remove: "Remove", delete: "Delete", any: "Any", yes: "Yes", no: "No",
  addAction: "Add a custom action", actionKey: "Key (a-z, 0-9, - or _)", nameEn: "English name", capPerDay: "Cap per day",
  capPerMonth: "Cap per month", capLifetime: "Lifetime cap", oncePerObject: "Once per object", capHelp: "Empty: no cap",
  addChallenge: "New challenge", description: "Description", descriptionHe: "Hebrew description", metric: "Counts",
  metricPAID_ORDERS: "Paid orders", metricSPEND: "Spend", metricNEW_CATEGORY: "New categories", metricMONTHLY_STREAK: "Months in a row",
  metricACTIONS: "Actions done", targetAmount: "Target amount", actionKind: "Action", window: "Window", windowFIXED: "Fixed dates",
  windowROLLING: "Rolling days", startsOn: "Starts on", endsOn: "Ends on", windowDays: "Window (days)", rewardPoints: "Reward points",
  noBadge: "No badge", archive: "Archive", archived: "Archived",
  addPlan: "New membership plan", variantId: "Product variant ID (Saleor)", reminderDays: "Renewal reminder (days before)",
  termMONTHLY: "Monthly", termYEARLY: "Yearly",
  bulkGrant: "Give points to many members", grantTo: "Give to", grantList: "A list of members", grantFilter: "Members matching a filter",
  userIds: "Member emails or IDs, one a line", grant: "Grant", granted: "Granted", skipped: "Skipped",
  newCampaign: "New campaign", audience: "Audience", audALL: "All members", audTIERS: "Tiers", audSEGMENT: "Segment",
  body: "Message", mergeHelp: "Merge fields", weight: "Weight", incentivePoints: "Bonus points for an order",
  addVariant: "Add variant", winnerMetric: "Winner by", schedule: "Schedule", sendAt: "Send at", sendNow: "Send now",
  cancelCampaign: "Cancel campaign", scheduledAt: "Scheduled",
  newSegment: "New saved segment", spendMin: "Spend at least", spendMax: "Spend at most", ordersMin: "Orders at least",
  ordersMax: "Orders at most", emailConsent: "Agreed to email", namedSegments: "Named segments", filters: "Filters",
  consentTitle: "Consent evidence", address: "Email or phone", format: "Format", exportEvidence: "Export",
  importConsents: "Import consents (CSV)", csvFile: "CSV file", importRun: "Import", imported: "Imported",
  alreadyImported: "Already there", row: "Row", field: "Field",
  notMembers: "Not members of this club", referredAFriend: "Referred a friend", wasReferred: "Was referred", lastOrderFrom: "Last order from", lastOrderTo: "Last order until",
  paidMembership: "Paid membership", membershipACTIVE: "Active", membershipENDED: "Ended", membershipNONE: "Never",
  variantIdHelp: "The ID at the end of the variant's page address in the Dashboard", userIdsHelp: "The ID at the end of each customer's page address in the Dashboard",
  referralSettings: "Referral rules", referrerPoints: "Points for the referrer", friendBenefit: "Friend's welcome",
  referrerReward: "Referrer's reward", rewardPOINTS: "Points", rewardSTORE_CREDIT: "Store credit on the club card",
  referrerCredit: "Store credit for the referrer",
  benefitNONE: "Nothing", benefitVOUCHER_PERCENT: "Voucher, % off", benefitVOUCHER_FIXED: "Voucher, fixed amount", benefitPOINTS: "Points",
  friendValue: "Voucher value (% or amount)", friendPoints: "Friend's points", monthlyCap: "Rewards per referrer a month",
  minOrderTotal: "Friend's order at least", linkTemplate: "Link template ({code})", holdAll: "Hold every referral for review",
  holdOrderTotalOver: "Hold orders above (empty: none)", holdSharedAddress: "Hold when addresses match",
  actionSettings: "Club page and anniversary gift", storefrontUrl: "Storefront address", termsEn: "Club terms (English)",
  termsHe: "Club terms (Hebrew)", anniversaryPoints: "Anniversary points", anniversaryCredit: "Anniversary credit",
  badges: "Badges", addBadge: "New badge", imageUrl: "Image address", confirmDelete: "Really delete?",
  bulkGrants: "Bulk grants history", byFilter: "By filter", byList: "By list", actor: "By",
  finished: "Finished", clubShipping: "Free-shipping methods (free-shipping tiers only)",
  shippingIds: "Shipping method IDs, one a line", shippingIdsHelp: "Saleor IDs, from the end of a shipping method's address in Configuration › Shipping; priced 0 in this channel. Empty clears the list.",
  earlyAccessItems: "Early access", productIds: "Product IDs, one a line", collectionIds: "Collection IDs, one a line",
  earlyAccessIdsHelp: "Saleor IDs, from the end of a product's or collection's address in the Dashboard.",
  startsAt: "Opens to tiers from", endsAt: "Launches to everyone at", minimumTier: "Lowest tier let in", mark: "Mark",
  unmark: "Release", reconciliation: "Nightly reconciliation: open findings", check: "Check", expected: "Rows say",
  found: "Balance shown", drift: "Drift", repair: "Repair", confirmRepair: "Confirm repair", repairHelp: "One correction row makes the ledger explain the balance the member was shown.",
  repaired: "Repaired", noFindings: "No open findings.",
  flows: "Win-back and greeting flows", flow: "Flow", flowWINBACK_AT_RISK: "Win-back: at risk",
  flowWINBACK_LAPSED: "Win-back: lapsed", flowBIRTHDAY: "Birthday", flowANNIVERSARY: "Club anniversary", flowEnabled: "Flow on",
  flowIncentive: "Incentive", incentiveNONE: "None", incentivePOINTS: "Bonus points", incentiveVOUCHER: "Voucher",
  incentivePointsFlow: "Bonus points", voucherPercent: "Voucher discount %", voucherDays: "Voucher valid (days)", flowStep: "Step",
  afterDays: "After (days)", stepIncentive: "This step carries the incentive", flowStarted: "Entered", flowMessaged: "Messaged",
  lift: "Lift vs holdout", daysShort: "d", off: "Off", segmentSettings: "Segment settings", npsSettings: "NPS survey settings",
  newDays: "New for (days after a first order)", defaultIntervalDays: "Usual interval of a one-order member (days)",
  minIntervalDays: "Shortest interval (days)", loyalMinOrders: "Orders that make a member loyal",
  atRiskFactor: "At risk after (× usual interval)", lapsedFactor: "Lapsed after (× usual interval)",
  segmentSettingsHelp: "Changes apply from the next nightly run.", npsEnabled: "Send surveys",
  daysAfterOrder: "Days after payment", segmentMembers: "Members",
  cohortsTitle: "Cohorts: retention and LTV by first-order month", showCohorts: "Show the cohort table",
  cohortMonth: "First order", buyers: "Buyers", ltv: "LTV",
};
export type Key = keyof typeof en;

const he: Record<Key, string> = {
  club: "מועדון לקוחות", overview: "סקירה", members: "חברים", tiers: "דרגות", settings: "תוכנית",
  recovery: "שחזור עגלות והודעות", channel: "ערוץ", loading: "טוען…", noToken: "ממתין ללוח הבקרה…",
  membersCount: "חברים", tierMix: "התפלגות דרגות", funnel: "שחזור עגלות (30 יום)", abandoned: "ננטשו",
  reminded: "קיבלו תזכורת", recovered: "שוחזרו", recoveredRevenue: "הכנסה משוחזרת", unsubscribes: "הסרות מרשימה",
  search: "האימייל מכיל", tier: "דרגה", anyTier: "כל הדרגות", balanceMin: "יתרה לפחות", balanceMax: "יתרה לכל היותר",
  apply: "סנן", email: "אימייל", available: "זמינות", pending: "ממתינות", lifetime: "מצטבר", debt: "חוב",
  next: "הדף הבא", first: "הדף הראשון", open: "פתח", back: "חזרה לחברים", worth: "שווי", storeCredit: "זיכוי בחנות",
  nextTier: "הדרגה הבאה", toNext: "עד", top: "הדרגה העליונה", expiring: "יפוגו", history: "היסטוריה", when: "מתי",
  kind: "סוג", points: "נקודות", reason: "סיבה", order: "הזמנה", more: "עוד", adjust: "עדכון נקודות",
  adjustHelp: "חיובי מוסיף, שלילי מפחית.", save: "שמירה", saved: "נשמר", override: "קביעת דרגה",
  noOverride: "ללא קביעה (הדרגה שהושגה)", tierHistory: "שינויי דרגה", name: "שם", nameHe: "שם בעברית",
  entryThreshold: "סף כניסה", retainThreshold: "סף שימור", earnMultiplier: "מכפיל צבירה",
  discountPercent: "הנחה %", freeShipping: "משלוח חינם", earlyAccess: "גישה מוקדמת", birthdayPoints: "נקודות יום הולדת",
  cashbackPercent: "קאשבק %", addTier: "הוספת דרגה", deleteTier: "מחיקה", isActive: "המועדון פעיל", includeTax: "צבירה כולל מע״מ",
  earnRate: "נקודות ליחידת מטבע", pointValue: "שווי נקודה", pendingDays: "ימי המתנה",
  expiryMonths: "תוקף (חודשים, 0 = ללא)", expiryReminderDays: "תזכורת פקיעה (ימים לפני)",
  maxAdjustmentPoints: "עדכון ידני מרבי", tierGraceDays: "ימי חסד לדרגה", redeemMinPoints: "מימוש מינימלי",
  redeemStepPoints: "מימוש בקפיצות של", redeemMaxSharePercent: "מימוש מרבי (% מההזמנה)", timezone: "אזור זמן",
  negativeBalancePolicy: "החזר על נקודות שמומשו", tierBasis: "דרגות לפי", tierWindow: "חלון דרגה",
  recoveryEnabled: "שחזור עגלות פעיל", clubMessagesEnabled: "הודעות מועדון פעילות", senderName: "שם השולח",
  senderEmail: "אימייל השולח", contactAddress: "כתובת ליצירת קשר (סעיף 30א)", replyTo: "כתובת למענה", restoreUrlTemplate: "תבנית קישור שחזור",
  abandonAfterMinutes: "נטושה אחרי (דקות)", lostAfterDays: "אבודה אחרי (ימים)", holdoutPercent: "קבוצת ביקורת %",
  lastStepDiscountPercent: "הנחה בתזכורת האחרונה %", incentiveHours: "תוקף התמריץ (שעות)", attributionDays: "ימי ייחוס",
  defaultLanguage: "שפת ברירת מחדל", observeShabbat: "שקט בשבת", messageLog: "הודעות אחרונות", status: "סטטוס",
  customerNotMember: "עדיין לא חבר/ה בערוץ הזה.", orderGap: "ל-API של המועדון אין עדיין תצוגת הזמנה: אלה תנועות החבר/ה להזמנה זו.",
  noMovements: "אין תנועות מועדון להזמנה זו.", guest: "הזמנת אורח: אין חבר/ה.", close: "סגירה", error: "משהו השתבש",
  recoveryRate: "שיעור שחזור", since: "30 הימים האחרונים",
  kpisTitle: "מדדי המועדון (12 חודשים)", pointsIssued: "נקודות שהונפקו", pointsRedeemed: "נקודות שמומשו", pointsExpired: "נקודות שפגו",
  redemptionRate: "שיעור מימוש", membersNew: "חברים חדשים", membersActive: "חברים פעילים", repeatRate: "שיעור רכישה חוזרת",
  aovMembers: "הזמנה ממוצעת, חברים", aovGuests: "הזמנה ממוצעת, אורחים", liabilityTitle: "התחייבות נקודות לפי חודש פקיעה",
  liabilityTotal: "חוב לחברים", outstandingPoints: "נקודות פתוחות", byExpiryMonth: "שווי שפג", noExpiry: "ללא פקיעה",
  engagement: "מעורבות", insights: "תובנות", actions: "דרכים לצבור", enabled: "פעיל", builtin: "מובנה", challenges: "אתגרים",
  completed: "השלימו", pointsAwarded: "נקודות שניתנו", badgesAwarded: "תגים שניתנו", badge: "תג", target: "יעד",
  active: "פעיל", plans: "מסלולי חברות בתשלום", term: "תקופה", monthlyGiftPoints: "נקודות חודשיות", monthlyGiftCredit: "זיכוי חודשי",
  referrals: "הפניות", referrer: "ממליץ/ה", friend: "חבר/ה", approve: "אישור", reject: "דחייה", rejectReason: "סיבת הדחייה",
  signals: "סימנים", noneYet: "אין עדיין.", segments: "פלחים", segment: "פלח", size: "חברים", savedSegments: "פלחים שמורים",
  updated: "עודכן", campaigns: "קמפיינים", variant: "גרסה", recipients: "נמענים", sent: "נשלחו", converted: "המירו",
  conversionRate: "המרה", winner: "מנצחת", complaints: "תלונות", bounces: "החזרות",
  campaignMedium: "נשלח כ", mediumEMAIL: "דוא״ל", mediumSMS: "SMS", smsText: "נוסח ה-SMS", segmentsCount: "מקטעים",
  smsOptOutHelp: "בכל SMS חייב להופיע {opt_out} פעם אחת: שם השולח ודרך ההסרה (סעיף 30א). המילה פרסומת נוספת בתחילת ההודעה.",
  smsOnlyVerified: "נשלח רק לחברים שאישרו את המספר שלהם בקוד (הסכמה מאומתת ל-SMS), בשעות המותרות, ולא בשבת.", holdout: "קבוצת ביקורת", npsReport: "NPS (90 יום)", responses: "תשובות",
  promoters: "ממליצים", passives: "פסיביים", detractors: "מלעיזים", score: "ציון", comment: "הערה",
  backtest: "ניסוי כללים חדשים על הזמנות עבר", months: "חודשים לשחזור", run: "הרצה", current: "התוכנית הנוכחית", proposed: "מוצע",
  ordersCount: "הזמנות", netPoints: "נקודות נטו", cashback: "קאשבק", cost: "עלות צפויה", liabilityChange: "שינוי בהתחייבות",
  pointsValueShort: "שווי נקודות", allStatuses: "הכול", lastNight: "אמש",
  segNEW: "חדשים", segONE_TIME: "קנו פעם אחת", segREPEAT: "קונים חוזרים", segLOYAL: "נאמנים", segAT_RISK: "בסיכון", segLAPSED: "נטשו",
  translations: "שמות בשפות אחרות", langHE: "עברית", langEN: "אנגלית", langAR: "ערבית", langRU: "רוסית",
  reminderSteps: "שלבי תזכורת", afterMinutes: "אחרי (דקות)", medium: "נשלח ב", addStep: "הוספת שלב", removeStep: "הסרת שלב",
  preview: "תצוגה מקדימה של כל תזכורת (ההגדרות השמורות)", gateOk: "בדיקת סעיף 30א: עוברת", gateBlocked: "בדיקת סעיף 30א: נחסמת", subject: "נושא",
  abandonedCheckouts: "עגלות נטושות", state: "מצב", total: "סה\"כ", remindersSent: "תזכורות", nextReminder: "התזכורת הבאה",
  category: "סוג", recipient: "נמען", pageOf: "עמוד", previous: "העמוד הקודם", incentive: "תמריץ בתזכורת האחרונה",
  edit: "עריכה", create: "יצירה", cancel: "ביטול", remove: "הסרה", delete: "מחיקה", any: "הכול", yes: "כן", no: "לא",
  addAction: "הוספת פעולה מותאמת", actionKey: "מפתח (a-z, 0-9, - או _)", nameEn: "שם באנגלית", capPerDay: "תקרה ליום",
  capPerMonth: "תקרה לחודש", capLifetime: "תקרה כוללת", oncePerObject: "פעם אחת לכל פריט", capHelp: "ריק: ללא תקרה",
  addChallenge: "אתגר חדש", description: "תיאור", descriptionHe: "תיאור בעברית", metric: "סופרים",
  metricPAID_ORDERS: "הזמנות ששולמו", metricSPEND: "סכום קנייה", metricNEW_CATEGORY: "קטגוריות חדשות", metricMONTHLY_STREAK: "חודשים ברצף",
  metricACTIONS: "פעולות שבוצעו", targetAmount: "סכום יעד", actionKind: "פעולה", window: "חלון", windowFIXED: "תאריכים קבועים",
  windowROLLING: "ימים מתגלגלים", startsOn: "מתחיל ב", endsOn: "מסתיים ב", windowDays: "חלון (ימים)", rewardPoints: "נקודות פרס",
  noBadge: "ללא תג", archive: "העברה לארכיון", archived: "בארכיון",
  addPlan: "מסלול חברות חדש", variantId: "מזהה וריאנט מוצר (Saleor)", reminderDays: "תזכורת חידוש (ימים לפני)",
  termMONTHLY: "חודשי", termYEARLY: "שנתי",
  bulkGrant: "הענקת נקודות לחברים רבים", grantTo: "למי", grantList: "רשימת חברים", grantFilter: "חברים לפי סינון",
  userIds: "אימיילים או מזהים של חברים, אחד בכל שורה", grant: "הענקה", granted: "הוענקו", skipped: "דולגו",
  newCampaign: "קמפיין חדש", audience: "קהל", audALL: "כל החברים", audTIERS: "דרגות", audSEGMENT: "פלח",
  body: "תוכן ההודעה", mergeHelp: "שדות מיזוג", weight: "משקל", incentivePoints: "נקודות בונוס על הזמנה",
  addVariant: "הוספת גרסה", winnerMetric: "מנצחת לפי", schedule: "תזמון", sendAt: "שליחה ב", sendNow: "שליחה עכשיו",
  cancelCampaign: "ביטול הקמפיין", scheduledAt: "מתוזמן",
  newSegment: "פלח שמור חדש", spendMin: "קנו לפחות", spendMax: "קנו לכל היותר", ordersMin: "הזמנות לפחות",
  ordersMax: "הזמנות לכל היותר", emailConsent: "הסכימו לדיוור", namedSegments: "פלחים מוגדרים", filters: "סינונים",
  consentTitle: "ראיות הסכמה", address: "אימייל או טלפון", format: "פורמט", exportEvidence: "ייצוא",
  importConsents: "ייבוא הסכמות (CSV)", csvFile: "קובץ CSV", importRun: "ייבוא", imported: "יובאו",
  alreadyImported: "כבר קיימים", row: "שורה", field: "שדה",
  notMembers: "לא חברים במועדון הזה", referredAFriend: "הפנו חבר/ה", wasReferred: "הגיעו בהפניה", lastOrderFrom: "הזמנה אחרונה מ", lastOrderTo: "הזמנה אחרונה עד",
  paidMembership: "חברות בתשלום", membershipACTIVE: "פעילה", membershipENDED: "הסתיימה", membershipNONE: "אף פעם",
  variantIdHelp: "המזהה שבסוף כתובת עמוד הווריאנט בלוח הבקרה", userIdsHelp: "המזהה שבסוף כתובת עמוד הלקוח בלוח הבקרה",
  referralSettings: "כללי הפניה", referrerPoints: "נקודות למפנה", friendBenefit: "הטבת הצטרפות לחבר/ה",
  referrerReward: "התגמול למפנה", rewardPOINTS: "נקודות", rewardSTORE_CREDIT: "זיכוי בכרטיס המועדון",
  referrerCredit: "זיכוי למפנה",
  benefitNONE: "ללא", benefitVOUCHER_PERCENT: "שובר, % הנחה", benefitVOUCHER_FIXED: "שובר, סכום קבוע", benefitPOINTS: "נקודות",
  friendValue: "ערך השובר (% או סכום)", friendPoints: "נקודות לחבר/ה", monthlyCap: "תגמולים למפנה בחודש",
  minOrderTotal: "הזמנת החבר/ה לפחות", linkTemplate: "תבנית קישור ({code})", holdAll: "לעכב כל הפניה לבדיקה",
  holdOrderTotalOver: "לעכב הזמנות מעל (ריק: ללא)", holdSharedAddress: "לעכב כשהכתובות זהות",
  actionSettings: "עמוד המועדון ומתנת יום השנה", storefrontUrl: "כתובת החנות", termsEn: "תקנון המועדון (אנגלית)",
  termsHe: "תקנון המועדון (עברית)", anniversaryPoints: "נקודות ליום השנה", anniversaryCredit: "זיכוי ליום השנה",
  badges: "תגים", addBadge: "תג חדש", imageUrl: "כתובת תמונה", confirmDelete: "למחוק באמת?",
  bulkGrants: "היסטוריית הענקות מרוכזות", byFilter: "לפי סינון", byList: "לפי רשימה", actor: "על ידי",
  finished: "הסתיים", clubShipping: "משלוחים חינם (לדרגות עם משלוח חינם בלבד)",
  shippingIds: "מזהי שיטות משלוח, אחד בשורה", shippingIdsHelp: "מזהי Saleor, מסוף כתובת שיטת המשלוח בהגדרות › משלוחים; במחיר 0 בערוץ הזה. ריק מנקה את הרשימה.",
  earlyAccessItems: "גישה מוקדמת", productIds: "מזהי מוצרים, אחד בשורה", collectionIds: "מזהי קולקציות, אחד בשורה",
  earlyAccessIdsHelp: "מזהי Saleor, מסוף כתובת המוצר או הקולקציה בלוח הבקרה.",
  startsAt: "פתוח לדרגות מ", endsAt: "פתוח לכולם ב", minimumTier: "הדרגה הנמוכה שנכנסת", mark: "סימון",
  unmark: "שחרור", reconciliation: "התאמה לילית: ממצאים פתוחים", check: "בדיקה", expected: "לפי השורות",
  found: "היתרה שהוצגה", drift: "פער", repair: "תיקון", confirmRepair: "אישור התיקון", repairHelp: "שורת תיקון אחת מסבירה בספר את היתרה שהחבר/ה ראו.",
  repaired: "תוקן", noFindings: "אין ממצאים פתוחים.",
  flows: "תהליכי החזרה וברכות", flow: "תהליך", flowWINBACK_AT_RISK: "החזרה: בסיכון", flowWINBACK_LAPSED: "החזרה: נטשו",
  flowBIRTHDAY: "יום הולדת", flowANNIVERSARY: "יום השנה במועדון", flowEnabled: "התהליך פעיל", flowIncentive: "תמריץ",
  incentiveNONE: "ללא", incentivePOINTS: "נקודות בונוס", incentiveVOUCHER: "שובר", incentivePointsFlow: "נקודות בונוס",
  voucherPercent: "הנחת השובר %", voucherDays: "תוקף השובר (ימים)", flowStep: "שלב", afterDays: "אחרי (ימים)",
  stepIncentive: "בשלב הזה התמריץ", flowStarted: "נכנסו", flowMessaged: "קיבלו הודעה", lift: "שיפור מול קבוצת הביקורת",
  daysShort: "י׳", off: "כבוי", segmentSettings: "הגדרות פלחים", npsSettings: "הגדרות סקר NPS",
  newDays: "חדשים (ימים אחרי הזמנה ראשונה)", defaultIntervalDays: "מרווח רגיל לחבר/ה עם הזמנה אחת (ימים)",
  minIntervalDays: "המרווח הקצר ביותר (ימים)", loyalMinOrders: "הזמנות שהופכות חבר/ה לנאמנים",
  atRiskFactor: "בסיכון אחרי (× מרווח רגיל)", lapsedFactor: "נטשו אחרי (× מרווח רגיל)",
  segmentSettingsHelp: "השינויים חלים מהריצה הלילית הבאה.", npsEnabled: "שליחת סקרים",
  daysAfterOrder: "ימים אחרי התשלום", segmentMembers: "חברים",
  cohortsTitle: "קוהורטות: שימור ו-LTV לפי חודש ההזמנה הראשונה", showCohorts: "הצגת טבלת הקוהורטות", cohortMonth: "הזמנה ראשונה",
  buyers: "קונים", ltv: "LTV",
};

export type Lang = "en" | "he";

// The languages the tiers editor offers tier names in (Saleor's LanguageCodeEnum values).
export const TIER_LANGUAGES = ["HE", "EN", "AR", "RU"] as const;
export type TierLanguage = (typeof TIER_LANGUAGES)[number];
export const dictionaries: Record<Lang, Record<Key, string>> = { en, he };

export function langOf(locale: string | null | undefined): Lang {
  return (locale ?? "").toLowerCase().startsWith("he") ? "he" : "en";
}

export function translator(lang: Lang) {
  return (key: Key) => dictionaries[lang][key] ?? en[key];
}

// `he`: the tier's Hebrew translation (`translation(languageCode: HE)`); `nameHe`: the deprecated field.
export function tierName(tier: { name: string; nameHe?: string; he?: { name: string } | null } | null | undefined, lang: Lang): string {
  if (!tier) return "—";
  const hebrew = tier.he?.name || tier.nameHe;
  return lang === "he" && hebrew ? hebrew : tier.name;
}

export function formatMoney(amount: number, currency: string, lang: Lang): string {
  return new Intl.NumberFormat(lang === "he" ? "he-IL" : "en-US", { style: "currency", currency }).format(amount);
}

export function formatDate(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(lang === "he" ? "he-IL" : "en-GB", { dateStyle: "medium" }).format(new Date(iso));
}

export function monthWindow(now = new Date()) {
  const until = now.toISOString();
  const since = new Date(now.getTime() - 30 * 86400_000).toISOString();
  return { since, until };
}

// The KPIs' period: the last twelve local months, this one included (the API takes any day of a month).
export function yearWindow(now = new Date()) {
  const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return { kpiSince: iso(new Date(now.getFullYear(), now.getMonth() - 11, 1)), kpiUntil: iso(now) };
}

export function formatPercent(rate: number | null | undefined): string {
  return rate == null ? "—" : `${(rate * 100).toFixed(1)}%`;
}
