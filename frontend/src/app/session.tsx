// What every screen needs: the Dashboard's token (handshake, tokenRefresh), theme, locale, the channel,
// and a fetcher that sends the current token. Tests give a Session directly, no Dashboard needed.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { AppBridge } from "@saleor/app-sdk/app-bridge";
import { clubEndpoint, makeFetcher, type Fetcher } from "./api";
import { langOf, translator, type Key, type Lang } from "./i18n";
import { SALEOR_CHANNELS } from "./queries";

export type Channel = { slug: string; name: string; currencyCode?: string };

export type Session = {
  token: string | null;
  lang: Lang;
  theme: "light" | "dark";
  params: URLSearchParams;
  club: Fetcher;
  saleor: Fetcher | null;
  channels: Channel[];
  channel: string;
  setChannel: (slug: string) => void;
  t: (key: Key) => string;
  notify: (status: "success" | "error", title: string) => void;
  closePopup: () => void;
  resize: (height: number) => void;
};

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionContext");
  return session;
}

export function BridgeSession({ bridge, children }: { bridge: AppBridge; children: (s: Session) => ReactNode }) {
  const initial = bridge.getState();
  const [token, setToken] = useState<string | null>(initial.token ?? null);
  const [locale, setLocale] = useState<string>(initial.locale ?? "en");
  const [theme, setTheme] = useState<"light" | "dark">(initial.theme === "dark" ? "dark" : "light");
  const params = useMemo(() => new URLSearchParams(window.location.search), []);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [channel, setChannel] = useState<string>(params.get("channel") ?? "");

  useEffect(() => {
    const offs = [
      bridge.subscribe("handshake", (p) => setToken(p.token)),
      bridge.subscribe("tokenRefresh", (p) => setToken(p.token)),
      bridge.subscribe("theme", (p) => setTheme(p.theme === "dark" ? "dark" : "light")),
      bridge.subscribe("localeChanged", (p) => setLocale(p.locale)),
    ];
    // The handshake may have arrived before this effect ran: catch up from the bridge's own state.
    const now = bridge.getState();
    if (now.token) setToken(now.token);
    if (now.locale) setLocale(now.locale);
    if (now.theme) setTheme(now.theme === "dark" ? "dark" : "light");
    return () => offs.forEach((off) => off());
  }, [bridge]);

  const tokenRef = useMemo(() => ({ current: token }), []);
  tokenRef.current = token;
  const club = useMemo(() => makeFetcher(clubEndpoint(), () => tokenRef.current), [tokenRef]);
  const saleorUrl = initial.saleorApiUrl;
  const saleor = useMemo(() => (saleorUrl ? makeFetcher(saleorUrl, () => tokenRef.current) : null), [saleorUrl, tokenRef]);

  useEffect(() => {
    if (!token || !saleor || channels.length) return;
    saleor<{ channels: Channel[] }>(SALEOR_CHANNELS)
      .then((data) => {
        setChannels(data.channels ?? []);
        setChannel((current) => current || data.channels?.[0]?.slug || "");
      })
      .catch(() => undefined); // no Saleor API: the channel comes from ?channel= only
  }, [token, saleor, channels.length]);

  const lang = langOf(locale);
  const session: Session = {
    token, lang, theme, params, club, saleor, channels, channel, setChannel,
    t: translator(lang),
    notify: (status, title) => void bridge.dispatch({ type: "notification", payload: { status, title, actionId: crypto.randomUUID() } } as never).catch(() => undefined),
    closePopup: () => void bridge.dispatch({ type: "popupClose", payload: { actionId: crypto.randomUUID() } } as never).catch(() => undefined),
    // Widgets ask the Dashboard (≥ 3.23.8) for the height they need; older Dashboards ignore it.
    resize: (height) => void bridge.dispatch({ type: "widgetResize", payload: { height, actionId: crypto.randomUUID() } } as never).catch(() => undefined),
  };
  return <>{children(session)}</>;
}
