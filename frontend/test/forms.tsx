// Shared by the form tests: a session around a fake club endpoint, and the few DOM steps every form test takes.
import { fireEvent, render } from "@testing-library/react";
import { vi } from "vitest";
import type { Fetcher } from "../src/app/api";
import { translator, type Lang } from "../src/app/i18n";
import { SessionContext, type Session } from "../src/app/session";

export function session(club: Fetcher, lang: Lang = "en"): Session {
  return {
    token: "token", lang, theme: "light", params: new URLSearchParams(), club, saleor: null,
    channels: [], channel: "il", setChannel: () => undefined, t: translator(lang),
    notify: () => undefined, closePopup: () => undefined, resize: () => undefined,
  };
}
export const withSession = (club: Fetcher, ui: React.ReactNode, lang: Lang = "en") =>
  render(<SessionContext.Provider value={session(club, lang)}>{ui}</SessionContext.Provider>);
export const answering = (body: unknown) => vi.fn(async () => body) as unknown as Fetcher;
export const calls = (club: Fetcher) => (club as unknown as ReturnType<typeof vi.fn>).mock.calls;
export const type = (c: HTMLElement, name: string, value: string) =>
  fireEvent.change(c.querySelector(`[name="${name}"]`)!, { target: { value } });
export const fieldError = (c: HTMLElement, name: string) => c.querySelector(`[data-field-error="${name}"]`)?.textContent;
export const error = (field: string | null, message: string) => ({ errors: [{ field, message, code: "INVALID" }] });
export const submit = (c: HTMLElement) => fireEvent.click(c.querySelector("button[type=submit]")!);
