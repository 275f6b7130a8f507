"""Security headers on every response: pages, error pages, JSON, files.

The policy allows only this site's own scripts, styles, images, fonts and fetches: no inline script or
style, no eval, no framing. Pages keep their behaviour in static/*.js; the diagram viewer (bpmn-js) styles
its elements through the CSSOM, which a style-src policy does not restrict.
"""

from flask import current_app

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def add_headers(response):
    """Set the security headers a view has not set itself; HSTS too when cookies are HTTPS-only."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
