// <saleor-loyalty-card channel="…">: the shopper's club card for any storefront. No framework.
// The token comes from the `token` attribute, the `token` property or `setToken()`; the endpoint is the
// club endpoint beside this script (override with `endpoint`). Hebrew (right to left) or English by
// `lang` (else the page's). Themable with --loyalty-* custom properties.

import { renderBadges, renderCard, renderChallenges, renderClub, renderMembership, renderReferral, type CardMember, type Club } from "./render";
import { fill, TEXT, type Lang } from "./text";

const fillShare = (s: string, code: string) => fill(s, { code });

const SCRIPT_SRC = (document.currentScript as HTMLScriptElement | null)?.src ?? "";

const CLUB = `club(channel: $channel) { currency earning { pointsPerCurrencyUnit } redeeming { pointValue { amount currency } }
  tiers { name he: translation(languageCode: HE) { name } }
  waysToEarn { key nameEn nameHe points caps { perDay perMonth lifetime } }
  termsEn: terms(languageCode: EN) termsHe: terms(languageCode: HE) }`;
/** Signed out: the public club page only, never member data. */
export const CLUB_QUERY = `query Club($channel: String!) { ${CLUB} }`;
/** Signed in: the club and the member in one request. */
export const CARD_QUERY = `query Card($channel: String!) { ${CLUB} me(channel: $channel) {
  points { available pending debt } pointsValue { amount currency }
  tier { name nameHe } nextTier { name nameHe } progress { basis percent remaining }
  nextExpiring { points expiresAt }
  referral { code link referrals(first: 20) { totalCount edges { node { status rewardPoints } } } }
  membership { status endsAt plan { name } }
  challenges { challenge { id name nameHe } current target percent completed }
  badges { badge { id name nameHe imageUrl } earnedAt } } }`;
export const PREVIEW_QUERY = `query Preview($id: ID!) { checkoutPreview(checkoutId: $id) { maxRedeemablePoints maxRedeemableValue { amount currency } } }`;
export const REDEEM = `mutation Redeem($channel: String!, $id: ID!, $points: Int!, $key: String!) {
  loyaltyRedeemPoints(channel: $channel, checkoutId: $id, points: $points, requestKey: $key) {
    errors { field message code } appliedPoints value { amount currency } } }`;

export { renderBadges, renderCard, renderChallenges, renderClub, renderMembership, renderReferral } from "./render";
export type { CardMember, Club } from "./render";

const STYLE = `:host{display:block;font-family:var(--loyalty-font,inherit);color:var(--loyalty-fg,#1f2330);}
.c{background:var(--loyalty-bg,#fff);border:1px solid var(--loyalty-border,#d9dbe3);border-radius:var(--loyalty-radius,12px);padding:var(--loyalty-padding,16px);display:grid;gap:8px}
h2,h3,h4{margin:0;font-size:1em;font-weight:600;color:var(--loyalty-muted,#555b6e)}h4{font-size:.9em}
.s{display:grid;gap:6px;border-top:1px solid var(--loyalty-border,#d9dbe3);padding-top:8px}
ul{margin:0;padding:0;list-style:none;display:grid;gap:4px}.w li{display:grid;gap:4px}
.g{display:flex;flex-wrap:wrap;gap:8px}.g li{display:flex;align-items:center;gap:4px}p{margin:0}
.b{font-size:1.8em;font-weight:700;line-height:1.1}.m{color:var(--loyalty-muted,#555b6e);font-size:.9em}
.t{display:flex;justify-content:space-between;gap:8px;font-weight:600}
.p{height:8px;border-radius:4px;background:var(--loyalty-track,#e6e8ef);overflow:hidden}
.p span{display:block;height:100%;background:var(--loyalty-accent,#5b3cc8)}
.a{display:flex;flex-wrap:wrap;gap:6px;align-items:center}a{color:var(--loyalty-link,var(--loyalty-accent,#5b3cc8));overflow-wrap:anywhere}
form{display:flex;gap:8px;align-items:end;flex-wrap:wrap}label{display:grid;gap:4px;font-size:.9em}
input{font:inherit;padding:6px 8px;border:1px solid var(--loyalty-border,#d9dbe3);border-radius:6px;width:8em}
button,.btn{font:inherit;font-size:.9em;padding:6px 12px;border:0;border-radius:6px;background:var(--loyalty-accent,#5b3cc8);color:var(--loyalty-accent-fg,#fff);cursor:pointer;text-decoration:none}
button:focus-visible,input:focus-visible,a:focus-visible,summary:focus-visible{outline:2px solid var(--loyalty-focus,#1f2330);outline-offset:2px}
[role=alert]{color:var(--loyalty-error,#b42318)}`;

export class LoyaltyCard extends HTMLElement {
  static observedAttributes = ["channel", "token", "lang", "endpoint", "checkout-id"];
  #token: string | null = null;
  #root: ShadowRoot;
  #seq = 0;
  #pending: Promise<void> | null = null;
  #pendingKey = "";

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

  /** One POST; the token only when there is one (the public club page needs none). Throws on any error. */
  async #call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const body = await this.#post(query, variables);
    if (body.errors?.length) throw new Error(body.errors[0].message);
    return body.data as T;
  }

  async #post(query: string, variables: Record<string, unknown>): Promise<{ data?: any; errors?: { message: string }[] }> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const res = await fetch(this.endpoint, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    return res.json();
  }

  #frame(inner: string) {
    const lang = this.lang;
    this.#root.innerHTML = `<style>${STYLE}</style><section class="c" part="card" dir="${lang === "he" ? "rtl" : "ltr"}" lang="${lang}" aria-live="polite">${inner}</section>`;
  }

  /** Loads and draws the card. Calls with the same inputs while a load is in flight join it: a storefront's
   *  upgrade (attribute, connect) and its `setToken()` right after cost one request, not three. */
  refresh(): Promise<void> {
    const key = JSON.stringify([this.token || null, this.getAttribute("channel"), this.lang, this.getAttribute("checkout-id"), this.endpoint]);
    if (this.#pending && key === this.#pendingKey) return this.#pending;
    this.#pendingKey = key;
    const load = this.#load().finally(() => { if (this.#pending === load) this.#pending = null; });
    this.#pending = load;
    return load;
  }

  async #load() {
    const seq = ++this.#seq;
    const lang = this.lang;
    const T = TEXT[lang];
    const channel = this.getAttribute("channel");
    const signIn = `<p class="m" data-sign-in>${T.signIn}</p>`;
    if (!channel) { this.#frame(signIn); return; }
    if (!this.token) {
      this.#frame(signIn);
      try {
        const { club } = await this.#call<{ club: Club }>(CLUB_QUERY, { channel });
        if (seq === this.#seq) this.#frame(`<h2>${T.title}</h2>${signIn}${renderClub(club, lang)}`);
      } catch { /* the prompt alone still says what to do */ }
      return;
    }
    try {
      const body = await this.#post(CARD_QUERY, { channel });
      if (seq !== this.#seq) return;
      const club: Club | undefined = body.data?.club;
      const me: CardMember | undefined = body.data?.me;
      if (body.errors?.length || !me) {
        this.#frame(`<p role="alert">${T.error}</p>${club ? renderClub(club, lang) : ""}`);
        return;
      }
      let html = renderCard(me, lang);
      const checkoutId = this.getAttribute("checkout-id");
      if (checkoutId) {
        const { checkoutPreview: p } = await this.#call<{ checkoutPreview: { maxRedeemablePoints: number } }>(PREVIEW_QUERY, { id: checkoutId });
        if (seq !== this.#seq) return;
        if (p.maxRedeemablePoints > 0) {
          html += `<form part="redeem"><label>${T.redeemLabel}<input name="points" type="number" min="1" max="${p.maxRedeemablePoints}" value="${p.maxRedeemablePoints}" required></label><button type="submit">${T.redeem}</button><div role="alert"></div></form>`;
        }
      }
      if (me.membership) html += renderMembership(me.membership, lang);
      if (me.referral) html += renderReferral(me.referral, lang, typeof navigator.share === "function");
      html += renderChallenges(me.challenges ?? [], lang) + renderBadges(me.badges ?? [], lang);
      if (club) html += renderClub(club, lang);
      this.#frame(html);
      this.#root.querySelector("form")?.addEventListener("submit", (e) => this.#redeem(e, channel, checkoutId!));
      this.#root.querySelector("[data-part=referral]")?.addEventListener("click", (e) => this.#share(e, me.referral!));
      this.dispatchEvent(new CustomEvent("loyalty-loaded", { detail: me }));
    } catch {
      if (seq === this.#seq) this.#frame(`<p role="alert">${T.error}</p>`);
    }
  }

  /** Share with the system sheet, or copy the link (else the code); the status line says it was copied. */
  async #share(event: Event, r: NonNullable<CardMember["referral"]>) {
    const button = (event.target as Element).closest("button");
    if (!button) return;
    const T = TEXT[this.lang];
    const status = this.#root.querySelector("[data-part=referral] [role=status]")!;
    try {
      if (button.hasAttribute("data-share")) {
        await navigator.share({ title: T.referral, text: fillShare(T.shareText, r.code), ...(r.link ? { url: r.link } : {}) });
      } else {
        await navigator.clipboard.writeText(button.getAttribute("data-copy")!);
        status.textContent = T.copied;
      }
      this.dispatchEvent(new CustomEvent("loyalty-shared", { detail: { code: r.code, via: button.hasAttribute("data-share") ? "share" : "copy" }, bubbles: true }));
    } catch { /* the shopper closed the sheet, or the page may not write the clipboard: nothing to undo */ }
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
