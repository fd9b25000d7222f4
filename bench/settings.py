"""Settings for the benchmark server: the portal's, plus a bare keyset view to compare against."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
