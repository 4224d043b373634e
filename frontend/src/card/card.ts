// <saleor-loyalty-card channel="…">: the shopper's club card for any storefront. No framework.
// The token comes from the `token` attribute, the `token` property or `setToken()`; the endpoint is the
// club endpoint beside this script (override with `endpoint`). Hebrew (right to left) or English by
// `lang` (else the page's). Themable with --loyalty-* custom properties.

const SCRIPT_SRC = (document.currentScript as HTMLScriptElement | null)?.src ?? "";

export const CARD_QUERY = `query Card($channel: String!) { me(channel: $channel) {
  points { available pending debt } pointsValue { amount currency }
  tier { name nameHe } nextTier { name nameHe } progress { basis percent remaining }
  nextExpiring { points expiresAt } } }`;
export const PREVIEW_QUERY = `query Preview($id: ID!) { checkoutPreview(checkoutId: $id) { maxRedeemablePoints maxRedeemableValue { amount currency } } }`;
export const REDEEM = `mutation Redeem($channel: String!, $id: ID!, $points: Int!, $key: String!) {
  loyaltyRedeemPoints(channel: $channel, checkoutId: $id, points: $points, requestKey: $key) {
    errors { field message code } appliedPoints value { amount currency } } }`;

const TEXT = {
  en: { title: "Club card", points: "points", worth: "worth", to: "to", top: "Top tier", expiring: "expire on", pending: "pending", signIn: "Sign in to see your club card.", error: "The club card is unavailable right now.", redeem: "Use points", redeemLabel: "Points to use at checkout", applied: "applied", progress: "Progress to the next tier" },
  he: { title: "כרטיס מועדון", points: "נקודות", worth: "בשווי", to: "עד", top: "הדרגה העליונה", expiring: "יפוגו ב-", pending: "ממתינות", signIn: "התחברו כדי לראות את כרטיס המועדון.", error: "כרטיס המועדון אינו זמין כרגע.", redeem: "מימוש נקודות", redeemLabel: "נקודות למימוש בקופה", applied: "מומשו", progress: "התקדמות לדרגה הבאה" },
};
type Lang = keyof typeof TEXT;
type Money = { amount: number; currency: string };
type Tier = { name: string; nameHe: string } | null;
export type CardMember = {
  points: { available: number; pending: number; debt: number }; pointsValue: Money; tier: Tier; nextTier: Tier;
  progress: { basis: string; percent: number | null; remaining: number | null } | null;
  nextExpiring: { points: number; expiresAt: string } | null;
};

const STYLE = `:host{display:block;font-family:var(--loyalty-font,inherit);color:var(--loyalty-fg,#1f2330);}
.c{background:var(--loyalty-bg,#fff);border:1px solid var(--loyalty-border,#d9dbe3);border-radius:var(--loyalty-radius,12px);padding:var(--loyalty-padding,16px);display:grid;gap:8px}
h2{margin:0;font-size:1em;font-weight:600;color:var(--loyalty-muted,#555b6e)}
.b{font-size:1.8em;font-weight:700;line-height:1.1}.m{color:var(--loyalty-muted,#555b6e);font-size:.9em}
.t{display:flex;justify-content:space-between;gap:8px;font-weight:600}
.p{height:8px;border-radius:4px;background:var(--loyalty-track,#e6e8ef);overflow:hidden}
.p span{display:block;height:100%;background:var(--loyalty-accent,#5b3cc8)}
form{display:flex;gap:8px;align-items:end;flex-wrap:wrap}label{display:grid;gap:4px;font-size:.9em}
input{font:inherit;padding:6px 8px;border:1px solid var(--loyalty-border,#d9dbe3);border-radius:6px;width:8em}
button{font:inherit;padding:7px 14px;border:0;border-radius:6px;background:var(--loyalty-accent,#5b3cc8);color:var(--loyalty-accent-fg,#fff);cursor:pointer}
button:focus-visible,input:focus-visible{outline:2px solid var(--loyalty-focus,#1f2330);outline-offset:2px}
[role=alert]{color:var(--loyalty-error,#b42318)}`;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderCard(m: CardMember, lang: Lang): string {
  const T = TEXT[lang];
  const loc = lang === "he" ? "he-IL" : "en-US";
  const money = (x: Money) => new Intl.NumberFormat(loc, { style: "currency", currency: x.currency }).format(x.amount);
  const name = (t: Tier) => (t ? esc(lang === "he" && t.nameHe ? t.nameHe : t.name) : "");
  const pct = Math.max(0, Math.min(100, Math.round(m.progress?.percent ?? 100)));
  const remaining = m.progress?.remaining;
  const toNext = m.nextTier && remaining != null
    ? `${m.progress!.basis === "SPEND" ? money({ amount: remaining, currency: m.pointsValue.currency }) : `${remaining} ${T.points}`} ${T.to} ${name(m.nextTier)}`
    : T.top;
  const exp = m.nextExpiring
    ? `<div class="m" part="expiring">${m.nextExpiring.points} ${T.points} ${T.expiring} ${new Intl.DateTimeFormat(loc, { dateStyle: "medium" }).format(new Date(m.nextExpiring.expiresAt))}</div>` : "";
  return `<h2>${T.title}</h2>
<div class="b" part="balance"><span data-balance>${m.points.available}</span> ${T.points}</div>
<div class="m" part="worth">${T.worth} <span data-worth>${money(m.pointsValue)}</span>${m.points.pending ? ` · ${m.points.pending} ${T.pending}` : ""}</div>
<div class="t" part="tier"><span data-tier>${name(m.tier)}</span><span class="m">${toNext}</span></div>
<div class="p" role="progressbar" aria-label="${T.progress}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct}"><span style="width:${pct}%"></span></div>${exp}`;
}

export class LoyaltyCard extends HTMLElement {
  static observedAttributes = ["channel", "token", "lang", "endpoint", "checkout-id"];
  #token: string | null = null;
  #root: ShadowRoot;
  #seq = 0;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
  }
  get token() { return this.#token ?? this.getAttribute("token"); }
  set token(value: string | null) { this.#token = value; void this.refresh(); }
  setToken(value: string | null) { this.token = value; }
  get lang(): Lang {
    const l = (this.getAttribute("lang") || document.documentElement.lang || "en").toLowerCase();
    return l.startsWith("he") ? "he" : "en";
  }
  get endpoint() {
    return this.getAttribute("endpoint") || SCRIPT_SRC.replace(/card\.js(\?.*)?$/, "graphql/") || "/plugins/global/saleor.loyalty/graphql/";
  }
  connectedCallback() { void this.refresh(); }
  attributeChangedCallback() { if (this.isConnected) void this.refresh(); }

  async #call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const res = await fetch(this.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    if (body.errors?.length) throw new Error(body.errors[0].message);
    return body.data as T;
  }

  #frame(inner: string) {
    const lang = this.lang;
    this.#root.innerHTML = `<style>${STYLE}</style><section class="c" part="card" dir="${lang === "he" ? "rtl" : "ltr"}" lang="${lang}" aria-live="polite">${inner}</section>`;
  }

  async refresh() {
    const seq = ++this.#seq;
    const T = TEXT[this.lang];
    const channel = this.getAttribute("channel");
    if (!this.token || !channel) { this.#frame(`<p class="m">${T.signIn}</p>`); return; }
    try {
      const { me } = await this.#call<{ me: CardMember }>(CARD_QUERY, { channel });
      if (seq !== this.#seq) return;
      let html = renderCard(me, this.lang);
      const checkoutId = this.getAttribute("checkout-id");
      if (checkoutId) {
        const { checkoutPreview: p } = await this.#call<{ checkoutPreview: { maxRedeemablePoints: number } }>(PREVIEW_QUERY, { id: checkoutId });
        if (seq !== this.#seq) return;
        if (p.maxRedeemablePoints > 0) {
          html += `<form part="redeem"><label>${T.redeemLabel}<input name="points" type="number" min="1" max="${p.maxRedeemablePoints}" value="${p.maxRedeemablePoints}" required></label><button type="submit">${T.redeem}</button><div role="alert"></div></form>`;
        }
      }
      this.#frame(html);
      this.#root.querySelector("form")?.addEventListener("submit", (e) => this.#redeem(e, channel, checkoutId!));
      this.dispatchEvent(new CustomEvent("loyalty-loaded", { detail: me }));
    } catch {
      if (seq === this.#seq) this.#frame(`<p role="alert">${T.error}</p>`);
    }
  }

  async #redeem(event: Event, channel: string, checkoutId: string) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const alert = form.querySelector("[role=alert]")!;
    const points = Number((form.elements.namedItem("points") as HTMLInputElement).value);
    const { loyaltyRedeemPoints: r } = await this.#call<{ loyaltyRedeemPoints: { errors: { message: string }[]; appliedPoints: number } }>(REDEEM, { channel, id: checkoutId, points, key: crypto.randomUUID() });
    if (r.errors.length) { alert.textContent = r.errors[0].message; return; }
    this.dispatchEvent(new CustomEvent("loyalty-redeemed", { detail: r, bubbles: true }));
    await this.refresh();
  }
}

if (!customElements.get("saleor-loyalty-card")) customElements.define("saleor-loyalty-card", LoyaltyCard);
