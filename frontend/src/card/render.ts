// The card's markup as strings: pure functions of the club's answer, so every part is testable without a DOM.
// Everything the API returns is escaped; only the card's own words and numbers are trusted.
import { fill, TEXT, type Lang, type Text } from "./text";

type Money = { amount: number; currency: string };
type Tier = { name: string; nameHe: string } | null;
export type CardMember = {
  points: { available: number; pending: number; debt: number }; pointsValue: Money; tier: Tier; nextTier: Tier;
  progress: { basis: string; percent: number | null; remaining: number | null } | null;
  nextExpiring: { points: number; expiresAt: string } | null;
  referral?: { code: string; link: string | null; referrals: { totalCount: number; edges: { node: { status: string; rewardPoints: number } }[] } } | null;
  membership?: { status: string; endsAt: string; plan: { name: string } } | null;
  challenges?: { challenge: { id: string; name: string; nameHe: string }; current: number; target: number; percent: number; completed: boolean }[];
  badges?: { badge: { id: string; name: string; nameHe: string; imageUrl: string | null }; earnedAt: string }[];
};
export type Club = {
  currency: string;
  earning: { pointsPerCurrencyUnit: number };
  redeeming: { pointValue: Money };
  tiers: { name: string; he: { name: string } | null }[];
  waysToEarn: { key: string; nameEn: string; nameHe: string; points: number; caps: { perDay: number | null; perMonth: number | null; lifetime: number | null } }[];
  termsEn: string | null; termsHe: string | null;
};

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const locale = (lang: Lang) => (lang === "he" ? "he-IL" : "en-US");
const money = (x: Money, lang: Lang) => new Intl.NumberFormat(locale(lang), { style: "currency", currency: x.currency }).format(x.amount);
const day = (iso: string, lang: Lang) => new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium" }).format(new Date(iso));
const num = (n: number, lang: Lang) => new Intl.NumberFormat(locale(lang)).format(n);
const pick = (lang: Lang, en: string, he: string | null | undefined) => esc(lang === "he" && he ? he : en);
const bar = (pct: number | null | undefined, label: string) => {
  const p = Math.max(0, Math.min(100, Math.round(pct ?? 100)));
  return `<div class="p" role="progressbar" aria-label="${label}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${p}"><span style="width:${p}%"></span></div>`;
};
const part = (name: string, title: string, body: string) => `<div class="s" part="${name}" data-part="${name}"><h3>${title}</h3>${body}</div>`;

export function renderCard(m: CardMember, lang: Lang): string {
  const T = TEXT[lang];
  const name = (t: Tier) => (t ? pick(lang, t.name, t.nameHe) : "");
  const remaining = m.progress?.remaining;
  const toNext = m.nextTier && remaining != null
    ? `${m.progress!.basis === "SPEND" ? money({ amount: remaining, currency: m.pointsValue.currency }, lang) : `${remaining} ${T.points}`} ${T.to} ${name(m.nextTier)}`
    : T.top;
  const exp = m.nextExpiring
    ? `<div class="m" part="expiring">${m.nextExpiring.points} ${T.points} ${T.expiring} ${day(m.nextExpiring.expiresAt, lang)}</div>` : "";
  return `<h2>${T.title}</h2>
<div class="b" part="balance"><span data-balance>${m.points.available}</span> ${T.points}</div>
<div class="m" part="worth">${T.worth} <span data-worth>${money(m.pointsValue, lang)}</span>${m.points.pending ? ` · ${m.points.pending} ${T.pending}` : ""}</div>
<div class="t" part="tier"><span data-tier>${name(m.tier)}</span><span class="m">${toNext}</span></div>
${bar(m.nextTier ? m.progress?.percent : 100, T.progress)}${exp}`;
}

/** How the club works: earning rate, what points are worth, ways to earn, the ladder and the terms. Public. */
export function renderClub(c: Club, lang: Lang): string {
  const T = TEXT[lang];
  const unit = money({ amount: 1, currency: c.currency }, lang);
  const per = c.earning.pointsPerCurrencyUnit;
  const rate = `<li>${fill(T.earnRate, { n: num(per, lang), p: per === 1 ? T.point : T.points, m: unit })}</li>`;
  const value = c.redeeming.pointValue.amount > 0
    ? `<li>${fill(T.pointValue, { n: num(100, lang), m: money({ ...c.redeeming.pointValue, amount: c.redeeming.pointValue.amount * 100 }, lang) })}</li>` : "";
  const ways = c.waysToEarn.map((w) => `<li data-way="${esc(w.key)}"><span>${pick(lang, w.nameEn, w.nameHe)}</span> <b>+${num(w.points, lang)} ${T.points}</b>${caps(w.caps, T)}</li>`).join("");
  const tiers = c.tiers.length ? `<p class="m">${T.tiers}: ${c.tiers.map((t) => pick(lang, t.name, t.he?.name)).join(" · ")}</p>` : "";
  const terms = lang === "he" ? c.termsHe || c.termsEn : c.termsEn || c.termsHe;
  return part("club", T.how, `<ul>${rate}${value}</ul>${ways ? `<h4>${T.waysToEarn}</h4><ul>${ways}</ul>` : ""}${tiers}${terms ? `<details><summary>${T.terms}</summary><p class="m">${esc(terms)}</p></details>` : ""}`);
}

function caps(c: Club["waysToEarn"][number]["caps"], T: Text): string {
  const bits = [c.perDay != null && fill(T.perDay, { n: c.perDay }), c.perMonth != null && fill(T.perMonth, { n: c.perMonth }), c.lifetime === 1 && T.once].filter(Boolean);
  return bits.length ? ` <span class="m">(${bits.join(", ")})</span>` : "";
}

/** The member's code and link, share targets (WhatsApp first: it is how Israelis pass a link on) and their friends. */
export function renderReferral(r: NonNullable<CardMember["referral"]>, lang: Lang, canShare: boolean): string {
  const T = TEXT[lang];
  const text = fill(T.shareText, { code: r.code }) + (r.link ? ` ${r.link}` : "");
  const link = r.link ? `<a data-link href="${esc(r.link)}" dir="ltr">${esc(r.link)}</a>` : "";
  const counts = new Map<string, [number, number]>();
  for (const { node } of r.referrals.edges) {
    const [n, p] = counts.get(node.status) ?? [0, 0];
    counts.set(node.status, [n + 1, p + (node.status === "REWARDED" ? node.rewardPoints : 0)]);
  }
  const friends = r.referrals.totalCount
    ? `<p class="m" data-friends>${T.friends}: ${r.referrals.totalCount} · ${[...counts].map(([s, [n, p]]) => `${n} ${T.status[s] ?? esc(s.toLowerCase())}${p ? ` (+${num(p, lang)} ${T.points})` : ""}`).join(" · ")}</p>`
    : `<p class="m" data-friends>${T.noFriends}</p>`;
  return part("referral", T.referral, `<p>${T.yourCode}: <code data-code dir="ltr">${esc(r.code)}</code></p>${link}
<div class="a">${canShare ? `<button type="button" data-share>${T.share}</button>` : ""}<button type="button" data-copy="${esc(r.link || r.code)}">${T.copy}</button>
<a class="btn" data-whatsapp href="https://wa.me/?text=${encodeURIComponent(text)}" target="_blank" rel="noopener">${T.whatsapp}</a>
<a class="btn" data-email href="mailto:?subject=${encodeURIComponent(T.referral)}&amp;body=${encodeURIComponent(text)}">${T.email}</a><span class="m" role="status"></span></div>${friends}`);
}

export function renderChallenges(list: NonNullable<CardMember["challenges"]>, lang: Lang): string {
  if (!list.length) return "";
  const T = TEXT[lang];
  const items = list.map((c) => {
    const name = pick(lang, c.challenge.name, c.challenge.nameHe);
    const state = c.completed ? T.done : `${num(c.current, lang)} / ${num(c.target, lang)}`;
    return `<li data-challenge="${esc(c.challenge.id)}"><div class="t"><span>${name}</span><span class="m">${state}</span></div>${bar(c.completed ? 100 : c.percent, name)}</li>`;
  });
  return part("challenges", T.challenges, `<ul class="w">${items.join("")}</ul>`);
}

export function renderBadges(list: NonNullable<CardMember["badges"]>, lang: Lang): string {
  if (!list.length) return "";
  const T = TEXT[lang];
  const items = list.map(({ badge: b, earnedAt }) => {
    const name = pick(lang, b.name, b.nameHe);
    const img = b.imageUrl && /^https?:/.test(b.imageUrl) ? `<img src="${esc(b.imageUrl)}" alt="" width="32" height="32">` : "";
    return `<li data-badge="${esc(b.id)}" title="${T.earnedOn} ${day(earnedAt, lang)}">${img}<span>${name}</span></li>`;
  });
  return part("badges", T.badges, `<ul class="g">${items.join("")}</ul>`);
}

export function renderMembership(m: NonNullable<CardMember["membership"]>, lang: Lang): string {
  const T = TEXT[lang];
  const active = m.status === "ACTIVE";
  const d = day(m.endsAt, lang);
  return part("membership", T.membership, `<p class="t"><span data-plan>${esc(m.plan.name)}</span><span class="m" data-status="${active ? "active" : "ended"}">${fill(active ? T.active : T.ended, { d })}</span></p>`);
}
