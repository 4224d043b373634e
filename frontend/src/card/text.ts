// The card's words, English and Hebrew. Hebrew uses the plural imperative storefronts in Israel address shoppers with.

export const TEXT = {
  en: {
    title: "Club card", points: "points", worth: "worth", to: "to", top: "Top tier", expiring: "expire on", pending: "pending",
    signIn: "Sign in to see your club card.", error: "The club card is unavailable right now.", redeem: "Use points",
    redeemLabel: "Points to use at checkout", applied: "applied", progress: "Progress to the next tier",
    how: "How the club works", earnRate: "{n} {p} for every {m} spent", point: "point", pointValue: "{n} points are worth {m}",
    waysToEarn: "Ways to earn", tiers: "Tiers", terms: "Club terms", perDay: "up to {n} a day", perMonth: "up to {n} a month",
    once: "once",
    referral: "Bring a friend", yourCode: "Your code", share: "Share", copy: "Copy", copied: "Copied",
    whatsapp: "WhatsApp", email: "Email", shareText: "Join the club with my code {code}", friends: "Friends",
    noFriends: "No friends invited yet.",
    status: { INVITED: "invited", ORDERED: "ordered", HELD: "under review", REWARDED: "rewarded", REJECTED: "not counted", REVERSED: "reversed" } as Record<string, string>,
    challenges: "Challenges", done: "Completed", badges: "Badges", earnedOn: "earned on",
    membership: "Membership", active: "Active until {d}", ended: "Ended on {d}",
  },
  he: {
    title: "כרטיס מועדון", points: "נקודות", worth: "בשווי", to: "עד", top: "הדרגה העליונה", expiring: "יפוגו ב-", pending: "ממתינות",
    signIn: "התחברו כדי לראות את כרטיס המועדון.", error: "כרטיס המועדון אינו זמין כרגע.", redeem: "מימוש נקודות",
    redeemLabel: "נקודות למימוש בקופה", applied: "מומשו", progress: "התקדמות לדרגה הבאה",
    how: "איך המועדון עובד", earnRate: "{n} {p} על כל {m}", point: "נקודה", pointValue: "{n} נקודות שוות {m}",
    waysToEarn: "דרכים לצבור נקודות", tiers: "דרגות", terms: "תקנון המועדון", perDay: "עד {n} ביום", perMonth: "עד {n} בחודש",
    once: "פעם אחת",
    referral: "חבר מביא חבר", yourCode: "הקוד שלך", share: "שיתוף", copy: "העתקה", copied: "הועתק",
    whatsapp: "וואטסאפ", email: "אימייל", shareText: "הצטרפו למועדון עם הקוד שלי {code}", friends: "חברים",
    noFriends: "עדיין לא הזמנתם חברים.",
    status: { INVITED: "הוזמנו", ORDERED: "הזמינו", HELD: "בבדיקה", REWARDED: "זוכו", REJECTED: "לא נספרו", REVERSED: "בוטלו" } as Record<string, string>,
    challenges: "אתגרים", done: "הושלם", badges: "תגים", earnedOn: "הושג ב-",
    membership: "מנוי", active: "בתוקף עד {d}", ended: "הסתיים ב-{d}",
  },
};
export type Lang = keyof typeof TEXT;
export type Text = (typeof TEXT)["en"];

/** Fills `{name}` holes; values are already escaped or formatted by the caller. */
export const fill = (s: string, v: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k) => String(v[k] ?? ""));
