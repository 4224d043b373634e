import "@saleor/macaw-ui/style";
import "./app.css";
import { AppBridge } from "@saleor/app-sdk/app-bridge";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { BridgeSession } from "./session";

const bridge = new AppBridge({ autoNotifyReady: true });
createRoot(document.getElementById("root")!).render(
  <BridgeSession bridge={bridge}>{(session) => <App session={session} />}</BridgeSession>,
);
