"""Teaches the schema-driven client to send the API's non-JSON bodies: channel and payer files
(TOML text) and configuration archives (gzip bytes)."""

import schemathesis


@schemathesis.serializer("application/toml")
def toml_text(ctx, value):
    """A TOML body is sent as the UTF-8 text the schema's string holds."""
    return str(value).encode("utf-8")


@schemathesis.serializer("application/gzip")
def gzip_bytes(ctx, value):
    """An archive body is sent as the bytes generated for it."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8")
