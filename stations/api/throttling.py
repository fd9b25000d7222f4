from __future__ import annotations

from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class PerTokenRateThrottle(SimpleRateThrottle):
    """Rate-limits each API token on its own (a browser session by its user).

    The budget is a window of the rate's duration opened by the token's first request: at most
    ``num_requests`` requests in it, then 429 with ``Retry-After`` until it closes. It is counted in
    Redis with one round trip a request (``SET NX EX`` opens the window, ``INCR`` counts, ``TTL`` says
    when it closes) instead of DRF's sliding log, which reads and writes the token's whole list of
    request times twice a request — up to 6,000 of them for a busy sync client. The price: a client
    may send up to twice its budget across the boundary of two windows."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        token = request.auth
        ident = f"token-{token.token_key}" if getattr(token, "token_key", None) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        backend = caches[DEFAULT_CACHE_ALIAS] if self.cache is default_cache else self.cache
        if not isinstance(backend, RedisCache):  # another cache backend: DRF's own counting
            return super().allow_request(request, view)
        key = backend.make_and_validate_key(self.key)
        client = backend._cache.get_client(key, write=True)  # Django's RedisCache: a redis-py client
        pipe = client.pipeline(transaction=False)
        pipe.set(key, 0, ex=self.duration, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _opened, count, ttl = pipe.execute()
        self.retry_after = ttl if ttl and ttl > 0 else self.duration
        return count <= self.num_requests

    def wait(self) -> float | None:
        retry_after = getattr(self, "retry_after", None)
        return float(retry_after) if retry_after is not None else super().wait()
