"""A refused token (`o2o admin rotate-token`): the running merchant console takes the next `o2o login` of its account
by itself (tests/test_console_token_resume.py), so the words that stay on its screen (the banner, the status line)
say to run `o2o login` and that the console then resumes (README), in both languages; the toast says `o2o login`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from o2o_tui.i18n import set_language, t
from screens.alerts import Alerts
from screens.source import LinkState, LinkStatus
from screens.widgets.status_bar import link_line_parts

RESTART = {"en": "resumes", "zh": "自动恢复"}
SHORT = {"en": "resume", "zh": "自动恢复"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refused_token_says_log_in_and_the_console_resumes(lang: str) -> None:
    now = datetime.now(UTC)
    refused = LinkStatus(LinkState.UNAUTHORIZED, pending=2, last_sync_at=now, error="token refused")
    try:
        set_language(lang)
        alerts = Alerts()
        alerts.link_changed(LinkStatus(LinkState.ONLINE, last_sync_at=now), now)
        _, toast = alerts.link_changed(refused, now)
        assert toast is not None and "o2o login" in toast, toast
        assert alerts.offline_banner is not None and RESTART[lang] in alerts.offline_banner
        parts = link_line_parts(refused, None, now)
        hint = next(part for part in parts if t("ui.link.unauthorized_hint") in part.variants)
        assert RESTART[lang] in hint.variants[0] and SHORT[lang] in hint.variants[-1], hint.variants
    finally:
        set_language("en")
