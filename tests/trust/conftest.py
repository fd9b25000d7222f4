"""The trust suite: health, backup and restore, abuse. Real servers where the control needs them."""

from tests import live

isolated_cache = live.isolated_cache
