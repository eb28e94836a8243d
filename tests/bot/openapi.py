"""Check the request bodies the bot sends against Discord's own OpenAPI description.

../shared/discord-api-spec/openapi.json (MIT, Discord's discord-api-spec repository) is
loaded once; each recorded request is matched to its path template and method, and its JSON
body validated against the operation's request schema with jsonschema (OpenAPI 3.1 schemas
are JSON Schema 2020-12). Message content is also held to the developer docs' 2,000
characters, where the docs and the spec differ.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).resolve().parents[3] / "shared" / "discord-api-spec" / "openapi.json"
URN = "urn:discord-openapi"
CONTENT_LIMIT = 2000


@functools.cache
def _spec() -> tuple[dict[str, Any], list[tuple[re.Pattern[str], str]], Registry]:
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    spec["$id"] = URN
    routes = []
    for template in spec["paths"]:
        pattern = re.sub(r"\{[^}]+\}", r"[^/]+", template)
        routes.append((re.compile(f"^{pattern}$"), template))
    # longer templates first, so /channels/{id}/messages/{mid} wins over looser ones
    routes.sort(key=lambda r: -len(r[1]))
    registry = Registry().with_resource(URN, Resource.from_contents(spec, DRAFT202012))
    return spec, routes, registry


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@functools.cache
def _validator(template: str, method: str) -> Draft202012Validator | None:
    spec, _, registry = _spec()
    op = spec["paths"][template].get(method.lower())
    if op is None:
        raise AssertionError(f"{method} {template} is not an operation in Discord's API")
    content = op.get("requestBody", {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        if media in content and "schema" in content[media]:
            ref = f"{URN}#/" + _pointer(
                "paths", template, method.lower(), "requestBody", "content", media, "schema"
            )
            return Draft202012Validator({"$ref": ref}, registry=registry)
    return None


def template_for(path: str) -> str:
    _, routes, _ = _spec()
    path = path.split("?", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    for pattern, template in routes:
        if pattern.match(path):
            return template
    raise AssertionError(f"{path} matches no path in Discord's API description")


def _contents(body: Any) -> list[str]:
    out = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "content" and isinstance(value, str):
                out.append(value)
            else:
                out += _contents(value)
    elif isinstance(body, list):
        for value in body:
            out += _contents(value)
    return out


def _snowflakes_as_text(body: Any) -> Any:
    """Ids as Discord's description types them (strings). discord.py sends some as integers
    (a new attachment's ``id: 0``), which Discord accepts; the spec is stricter than the API
    here, so integer ids are compared as text rather than reported."""
    if isinstance(body, dict):
        return {k: (str(v) if (k == "id" or k.endswith("_id")) and isinstance(v, int)
                    and not isinstance(v, bool) else _snowflakes_as_text(v))
                for k, v in body.items()}  # fmt: skip
    if isinstance(body, list):
        return [_snowflakes_as_text(v) for v in body]
    return body


def check(method: str, path: str, body: Any) -> list[str]:
    """Problems with one request (empty when it conforms)."""
    problems = []
    template = template_for(path)
    for text in _contents(body):
        if len(text) > CONTENT_LIMIT:
            problems.append(f"{method} {template}: content of {len(text)} characters")
    if body is None:
        return problems
    validator = _validator(template, method)
    if validator is None:
        return problems
    for error in validator.iter_errors(_snowflakes_as_text(body)):
        where = "/".join(str(p) for p in error.absolute_path) or "(body)"
        problems.append(f"{method} {template} at {where}: {error.message[:300]}")
    return problems
