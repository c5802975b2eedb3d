"""The TLS context a platform client verifies with, made once per process: loading the CA bundle costs ~40 ms of CPU,
and httpx loaded it again for every client it made (a console makes one per sync engine and per action worker, the
test suite thousands). Trust comes from where httpx reads it (SSL_CERT_FILE, SSL_CERT_DIR, else certifi's bundle),
looked up again if those change. A plain-http platform gets a context that trusts no certificate: its clients send
relative paths and follow no redirect, so it never makes a TLS connection, and one attempted anyway fails closed
(hostname checked, certificate required, nothing trusted), never unverified."""

from __future__ import annotations

import os
import ssl
from functools import cache
from urllib.parse import urlsplit


def tls_context(base_url: str) -> ssl.SSLContext:
    """The context for a client of `base_url` (shared: an `SSLContext` may serve many connections and threads)."""
    if urlsplit(base_url).scheme.lower() == "https":
        return _verifying(os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None)
    return _trusting_nothing()


@cache
def _verifying(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    if cafile:
        return ssl.create_default_context(cafile=cafile)
    if capath:
        return ssl.create_default_context(capath=capath)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


@cache
def _trusting_nothing() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies hostnames and requires a certificate by default
