import { Box, Text, ThemeProvider, useTheme } from "@saleor/macaw-ui";
import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from "react";
import { SessionContext, type Session } from "./session";
import Members from "./screens/Members";
import Recovery from "./screens/Recovery";
import Settings from "./screens/Settings";
import Tiers from "./screens/Tiers";
import { AdjustPopup, CustomerWidget, OrderWidget, SetTierPopup } from "./screens/Widgets";

const Overview = lazy(() => import("./screens/Overview")); // charts load only where they are drawn
const Engagement = lazy(() => import("./screens/Engagement"));
const Insights = lazy(() => import("./screens/Insights"));

export const TABS = ["overview", "members", "tiers", "settings", "recovery", "engagement", "insights"] as const;
type Tab = (typeof TABS)[number];

// The Dashboard opens each extension at its own path under /app/; the last segment picks the view.
export function viewOf(pathname: string): string {
  const m = pathname.match(/\/app\/?([^/]*)\/?$/);
  return m?.[1] ?? "";
}

function ThemeSync({ theme }: { theme: "light" | "dark" }) {
  const { setTheme } = useTheme();
  useEffect(() => setTheme(theme === "dark" ? "defaultDark" : "defaultLight"), [theme, setTheme]);
  return null;
}

function ChannelPicker({ session }: { session: Session }) {
  const { channels, channel, setChannel, t } = session;
  if (channels.length > 1) {
    return (
      <label className="select inline"><Text size={2}>{t("channel")}</Text>
        <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
          {channels.map((c) => <option key={c.slug} value={c.slug}>{c.name}</option>)}
        </select>
      </label>
    );
  }
  return <Text size={2} color="default2" data-testid="channel">{t("channel")}: {channel || "—"}</Text>;
}

function Shell({ session, children, view }: { session: Session; children: ReactNode; view: string }) {
  const [tab, setTab] = useState<Tab>(TABS.includes(view as Tab) ? (view as Tab) : "overview");
  const { t } = session;
  const lazyPage = (node: ReactNode) => <Suspense fallback={<Text>{t("loading")}</Text>}>{node}</Suspense>;
  const page: Record<Tab, ReactNode> = {
    overview: lazyPage(<Overview />), members: <Members />, tiers: <Tiers />, settings: <Settings />, recovery: <Recovery />,
    engagement: lazyPage(<Engagement />), insights: lazyPage(<Insights />),
  };
  return (
    <Box padding={6} display="grid" gap={5}>
      <Box display="flex" justifyContent="space-between" alignItems="center" flexWrap="wrap" gap={3}>
        <Text as="h1" size={8} fontWeight="bold">{t("club")}</Text>
        <ChannelPicker session={session} />
      </Box>
      <nav className="tabs" role="tablist" aria-label={t("club")}>
        {TABS.map((name) => (
          <button key={name} role="tab" type="button" aria-selected={tab === name} onClick={() => setTab(name)}>{t(name)}</button>
        ))}
      </nav>
      <section role="tabpanel">{children ?? page[tab]}</section>
    </Box>
  );
}

export function App({ session }: { session: Session }) {
  const view = viewOf(window.location.pathname);
  const dir = session.lang === "he" ? "rtl" : "ltr";
  useEffect(() => {
    document.documentElement.dir = dir;
    document.documentElement.lang = session.lang;
  }, [dir, session.lang]);
  let body: ReactNode;
  if (!session.token) body = <Text>{session.t("noToken")}</Text>;
  else if (view === "customer-widget") body = <CustomerWidget />;
  else if (view === "order-widget") body = <OrderWidget />;
  else if (view === "adjust-points") body = <AdjustPopup />;
  else if (view === "set-tier") body = <SetTierPopup />;
  else body = <Shell session={session} view={view}>{null}</Shell>;
  const small = ["customer-widget", "order-widget"].includes(view);
  const box = useRef<HTMLDivElement>(null);
  const { resize } = session;
  useEffect(() => {
    if (!small || !box.current || typeof ResizeObserver === "undefined") return;
    let last = 0;
    const observer = new ResizeObserver(([entry]) => {
      const height = Math.min(2000, Math.ceil(entry.contentRect.height) + 16);
      if (Math.abs(height - last) > 4) resize((last = height));
    });
    observer.observe(box.current);
    return () => observer.disconnect();
  }, [small, resize]);
  return (
    <ThemeProvider defaultTheme={session.theme === "dark" ? "defaultDark" : "defaultLight"}>
      <ThemeSync theme={session.theme} />
      <SessionContext.Provider value={session}>
        <div ref={box} dir={dir} className={`club ${small ? "widget" : ""}`} data-lang={session.lang}>{body}</div>
      </SessionContext.Provider>
    </ThemeProvider>
  );
}
