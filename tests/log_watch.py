"""Every log record the portal emits during the whole test run is read for a national ID.

``logging.Logger.handle`` is wrapped for the session, so each record that passes its logger's level
is seen once, whatever handlers and formatters the settings configure; the text a log line would
carry (the message and any exception with its traceback) is searched for 18-character runs that are
valid GB 11643 numbers. The test during which one was logged fails, naming the logger and the line.
The dedicated test (tests/trust/test_abuse.py::test_no_national_id_in_log_lines_or_api_urls) drives
the risky requests on purpose; this watch covers every other request, task and error of the suite.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import pytest
from stdnum.cn import ric

from registry.masking import NATIONAL_ID_IN_TEXT

_leaks: list[str] = []
_original_handle = logging.Logger.handle


def _text_of(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a malformed record is logging's problem, not a leak
        text = str(record.msg)
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info))
    elif record.exc_text:
        text += "\n" + record.exc_text
    return text


def _watching_handle(self: logging.Logger, record: logging.LogRecord) -> None:
    text = _text_of(record)
    for match in NATIONAL_ID_IN_TEXT.finditer(text):
        if ric.is_valid(match.group()):  # the line where it stands, however deep in a traceback
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            _leaks.append(f"{record.name} [{record.levelname}]: {text[line_start : line_end if line_end >= 0 else None]}")
            break
    _original_handle(self, record)


def install() -> None:
    logging.Logger.handle = _watching_handle  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def no_national_id_logged() -> Iterator[None]:
    start = len(_leaks)
    yield
    leaked = _leaks[start:]
    if leaked:
        pytest.fail("a national ID reached a log line:\n" + "\n".join(leaked), pytrace=False)
