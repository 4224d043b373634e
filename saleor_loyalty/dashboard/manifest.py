"""The Saleor 3.23 App manifest for the club app, built for the URL it is served from."""

from saleor_loyalty import __version__ as _package_version

APP_ID = "saleor.loyalty.app"
APP_NAME = "Loyalty club"
PREFIX = "/plugins/global/saleor.loyalty"
APP_PATH = f"{PREFIX}/app"
MANIFEST_PATH = f"{APP_PATH}/manifest"
LOGO_PATH = f"{APP_PATH}/logo.png"
CARD_PATH = f"{PREFIX}/card.js"
REQUIRED_SALEOR_VERSION = ">=3.23.0 <3.24.0"
# What the club API asks for: members (MANAGE_USERS), program, tiers and messaging settings
# (MANAGE_SETTINGS), recovery numbers and logs (MANAGE_CHECKOUTS); the order widget reads the order's
# customer from Saleor (MANAGE_ORDERS); the tiers editor translates tier names (MANAGE_TRANSLATIONS, as
# Saleor's own translations). A widget or popup asks only for what it shows or changes.
PERMISSIONS = ["MANAGE_USERS", "MANAGE_SETTINGS", "MANAGE_CHECKOUTS", "MANAGE_ORDERS", "MANAGE_TRANSLATIONS"]

# (identifier, label, mount, target, page, permissions)
EXTENSIONS = [
    ("club", "Loyalty club", "NAVIGATION_CUSTOMERS", "APP_PAGE", "/", PERMISSIONS),
    (
        "customer-card",
        "Loyalty club",
        "CUSTOMER_DETAILS_WIDGETS",
        "WIDGET",
        "customer-widget",
        ["MANAGE_USERS"],
    ),
    (
        "order-points",
        "Loyalty points",
        "ORDER_DETAILS_WIDGETS",
        "WIDGET",
        "order-widget",
        ["MANAGE_USERS", "MANAGE_ORDERS"],
    ),
    (
        "adjust-points",
        "Adjust loyalty points",
        "CUSTOMER_DETAILS_MORE_ACTIONS",
        "POPUP",
        "adjust-points",
        ["MANAGE_USERS"],
    ),
    ("set-tier", "Set loyalty tier", "CUSTOMER_DETAILS_MORE_ACTIONS", "POPUP", "set-tier", ["MANAGE_USERS"]),
]


def build_manifest(base_url: str) -> dict:
    """`base_url` is scheme and host as the Dashboard (and Saleor's installer) reach this server.

    APP_PAGE URLs are relative to `appUrl` (the Dashboard requires a leading slash); WIDGET and POPUP
    URLs are absolute, because Saleor and the Dashboard join relative ones differently per target.
    """
    base = base_url.rstrip("/")
    app_url = f"{base}{APP_PATH}"
    extensions = []
    for identifier, label, mount, target, page, permissions in EXTENSIONS:
        url = page if target == "APP_PAGE" else f"{app_url}/{page}"
        extension = {
            "identifier": identifier,
            "label": label,
            "mount": mount,
            "target": target,
            "url": url,
            "permissions": permissions,
        }
        if target == "WIDGET":
            extension["options"] = {"widgetTarget": {"method": "GET"}}
        extensions.append(extension)
    return {
        "id": APP_ID,
        "version": _package_version,
        "name": APP_NAME,
        "about": "Points, tiers, cashback and cart recovery for your Saleor shop: members, history, "
        "adjustments, tiers and program settings, and a club card on the customer and order pages.",
        "permissions": PERMISSIONS,
        "appUrl": app_url,
        "homepageUrl": app_url,
        "supportUrl": app_url,
        "author": "saleor-loyalty",
        "requiredSaleorVersion": REQUIRED_SALEOR_VERSION,
        "brand": {"logo": {"default": f"{base}{LOGO_PATH}"}},
        "extensions": extensions,
        "webhooks": [],
    }
