"""HTTP for the app, the card and GraphiQL's assets: the manifest, the app's pages and the built files, nothing else.

Only files listed in `static/` when the process starts can be served (a name is looked up, never
joined onto a path), so no request reaches outside the built assets.
"""

from pathlib import Path

from django.http import HttpResponse, JsonResponse

from saleor_loyalty.dashboard.manifest import build_manifest

STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
# The app's own pages, one per Dashboard mount; all are the same single-page app.
APP_PAGES = {"", "members", "tiers", "settings", "recovery", "customer-widget", "order-widget"}
APP_PAGES |= {"adjust-points", "set-tier", "engagement", "insights"}


def _files() -> dict[str, Path]:
    if not STATIC.is_dir():
        return {}
    return {
        path.relative_to(STATIC).as_posix(): path
        for path in STATIC.rglob("*")
        if path.is_file() and path.suffix in CONTENT_TYPES
    }


FILES = _files()


def _file(name: str, cache_seconds: int = 300) -> HttpResponse | None:
    path = FILES.get(name)
    if path is None:
        return None
    response = HttpResponse(path.read_bytes(), content_type=CONTENT_TYPES[path.suffix])
    response["Cache-Control"] = f"public, max-age={cache_seconds}"
    response["X-Content-Type-Options"] = "nosniff"
    if name == "card.js":
        # A storefront on another origin loads the card (and may load it as a module).
        response["Access-Control-Allow-Origin"] = "*"
    return response


def base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def handle(request, path: str) -> HttpResponse | None:
    """`path` follows `/plugins/global/saleor.loyalty`; None when it is not ours."""
    if request.method not in ("GET", "HEAD"):
        return None
    if path == "/card.js":
        return _file("card.js")
    if path in ("/graphiql/graphiql.js", "/graphiql/graphiql.css"):
        return _file(path.lstrip("/"), cache_seconds=3600)
    if not (path == "/app" or path.startswith("/app/")):
        return None
    rest = path[len("/app") :].strip("/")
    if rest == "manifest":
        response = JsonResponse(build_manifest(base_url(request)), json_dumps_params={"indent": 2})
        response["Access-Control-Allow-Origin"] = "*"  # the Dashboard's "install from manifest" reads it
        return response
    if rest == "logo.png":
        return _file("logo.png", cache_seconds=86400)
    if rest.startswith("assets/"):
        return _file(f"app/{rest}")
    if rest in APP_PAGES:
        response = _file("app/index.html", cache_seconds=0)
        if response is not None:
            response["Cache-Control"] = "no-cache"
        return response
    return None
