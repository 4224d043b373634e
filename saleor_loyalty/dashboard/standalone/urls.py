"""Routes of the stand-alone server: the plugin's paths as Saleor would route them, a stand-in Saleor API
(channels, an order's customer), a stand-in Dashboard that iframes the app, a stand-in storefront."""

import json

import graphene
from django.contrib.auth import get_user_model
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.urls import re_path
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from saleor_loyalty.core.facts import ChannelFacts
from saleor_loyalty.dashboard import pages
from saleor_loyalty.dashboard.manifest import APP_PATH, PREFIX
from saleor_loyalty.dashboard.standalone import tokens
from saleor_loyalty.graphql import views
from saleor_loyalty.graphql.context import ClubContext
from saleor_loyalty.models import LedgerEntry, LoyaltyProgram

STAFF_EMAIL = "staff@example.com"
ALL_PERMISSIONS = ["MANAGE_USERS", "MANAGE_SETTINGS", "MANAGE_CHECKOUTS", "MANAGE_TRANSLATIONS"]


def _channel_facts(slug: str) -> ChannelFacts | None:
    program = LoyaltyProgram.objects.filter(channel_slug=slug).first()
    return ChannelFacts(slug, program.currency, "IL") if program else None


def _context(request) -> ClubContext:
    return ClubContext(
        requestor=tokens.requestor_from_request(request),
        channel_lookup=_channel_facts,
        client_ip=request.META.get("REMOTE_ADDR", ""),
    )


def _cors(response):
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    return response


@csrf_exempt
def plugin(request, path):
    """What Saleor's `/plugins/global/saleor.loyalty/…` does: the club endpoint, else the app's pages."""
    path = "/" + path
    if path.rstrip("/") == "/graphql":
        if request.method == "OPTIONS":  # Saleor's ASGI CORS handler answers this in production
            return _cors(HttpResponse())
        return _cors(views.handle(request, _context, graphiql_enabled=True))
    return pages.handle(request, path) or HttpResponseNotFound()


def _order(global_id: str) -> dict | None:
    """A stand-in order: its id is `Order:<number>` of an order the club recorded (the seed's numbers)."""
    try:
        _type, number = graphene.Node.from_global_id(global_id)
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    entry = LedgerEntry.objects.filter(order_number=number).select_related("account__program").first()
    if entry is None or entry.account.user_id is None:
        return None
    return {
        "number": number,
        "channel": {"slug": entry.account.program.channel_slug},
        "user": {"id": user_global_id(entry.account.user), "email": entry.account.email},
    }


@csrf_exempt
def saleor_api(request):
    """Just enough of Saleor's API for the app: `channels`, and `order(id)` (an order's customer)."""
    body = json.loads(request.body or b"{}")
    query = body.get("query", "")
    if "order(" in query:
        return JsonResponse({"data": {"order": _order(str((body.get("variables") or {}).get("id", "")))}})
    if "channels" in query:
        channels = [
            {"slug": p.channel_slug, "name": p.channel_slug, "currencyCode": p.currency}
            for p in LoyaltyProgram.objects.order_by("channel_slug")
        ]
        return JsonResponse({"data": {"channels": channels}})
    return JsonResponse({"errors": [{"message": "The stand-in Saleor API answers channels and order only."}]})


def _staff():
    user, _ = get_user_model().objects.get_or_create(
        username="staff", defaults={"email": STAFF_EMAIL, "is_staff": True}
    )
    return user


def dashboard(request):
    """A stand-in Dashboard: iframes one app view and speaks App Bridge (handshake, theme, locale, replies)."""
    view = request.GET.get("view", "")
    permissions = [p for p in request.GET.get("permissions", ",".join(ALL_PERMISSIONS)).split(",") if p]
    app_id = tokens.OTHER_APP_ID if request.GET.get("app") == "other" else tokens.CLUB_APP_ID
    token = tokens.mint_app_token(_staff(), permissions, app_id)
    origin = f"{request.scheme}://{request.get_host()}"
    params = {
        "domain": request.get_host(),
        "saleorApiUrl": f"{origin}/graphql/",
        "id": app_id,
        "theme": request.GET.get("theme", "light"),
        "channel": request.GET.get("channel", ""),
        "customerId": request.GET.get("customerId", ""),
        "orderId": request.GET.get("orderId", ""),
    }
    query = "&".join(f"{k}={escape(v)}" for k, v in params.items() if v)
    src = f"{APP_PATH}/{escape(view)}?{query}"
    locale = json.dumps(request.GET.get("locale", "en"))
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Stand-in Dashboard</title>
<style>body{{margin:0;font-family:system-ui;background:#f4f4f6}}header{{padding:8px 16px;background:#1f2330;color:#fff}}
iframe{{border:0;width:100%;height:calc(100vh - 40px);background:#fff}}</style></head><body>
<header>Stand-in Dashboard · {escape(STAFF_EMAIL)} · {escape(", ".join(permissions))}</header>
<iframe id="app" src="{src}" title="Loyalty club app"></iframe>
<script>
const frame = document.getElementById("app");
const state = {{ token: {json.dumps(token)}, locale: {locale}, theme: {json.dumps(params["theme"])}, actions: [] }};
const send = (type, payload) => frame.contentWindow.postMessage({{ type, payload }}, location.origin);
window.addEventListener("message", (event) => {{
  if (event.source !== frame.contentWindow) return;
  const {{ type, payload }} = event.data || {{}};
  state.actions.push(type);
  if (payload && payload.actionId) send("response", {{ actionId: payload.actionId, ok: true }});
  if (type === "notifyReady") {{
    send("handshake", {{ token: state.token, version: 1, saleorVersion: "3.23.28", dashboardVersion: "3.23.27" }});
    send("theme", {{ theme: state.theme }});
    send("localeChanged", {{ locale: state.locale }});
  }}
}});
window.standin = {{
  state,
  setLocale(locale) {{ state.locale = locale; send("localeChanged", {{ locale }}); }},
  setTheme(theme) {{ state.theme = theme; send("theme", {{ theme }}); }},
}};
</script></body></html>"""
    return HttpResponse(page)


def storefront(request):
    """A stand-in storefront: one script tag, one element, the shopper's token by `setToken()`."""
    email = request.GET.get("email", "")
    user = get_user_model().objects.filter(email=email).first()
    token = tokens.mint_customer_token(user) if user else ""
    lang = "he" if request.GET.get("lang") == "he" else "en"
    channel = escape(request.GET.get("channel", "il"))
    checkout = request.GET.get("checkout", "")
    checkout_attr = f' checkout-id="{escape(checkout)}"' if checkout else ""
    page = f"""<!doctype html><html lang="{lang}" dir="{"rtl" if lang == "he" else "ltr"}"><head><meta charset="utf-8">
<title>Stand-in storefront</title><style>body{{font-family:system-ui;max-width:420px;margin:32px auto}}
saleor-loyalty-card.themed{{--loyalty-accent:#0b7a53;--loyalty-radius:4px}}</style></head><body>
<h1>{"החשבון שלי" if lang == "he" else "My account"}</h1>
<saleor-loyalty-card channel="{channel}"{checkout_attr}></saleor-loyalty-card>
<script src="{PREFIX}/card.js"></script>
<script>document.querySelector("saleor-loyalty-card").setToken({json.dumps(token)});</script>
</body></html>"""
    return HttpResponse(page)


def user_global_id(user) -> str:
    return graphene.Node.to_global_id("User", user.pk)


urlpatterns = [
    re_path(r"^plugins/global/saleor\.loyalty/(?P<path>.*)$", plugin),
    re_path(r"^graphql/$", saleor_api),
    re_path(r"^dashboard/$", dashboard),
    re_path(r"^storefront/$", storefront),
]
