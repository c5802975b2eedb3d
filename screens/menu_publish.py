"""`P` in the editor: publish the draft. Shows what would change and asks; then sends, and says what became of it.

`MenuPublishScreen(draft)` dismisses with one of `PublishResult`: "published" (the platform has it), "queued"
(offline: in the outbox, sent when the link is back), "conflict" (412: someone published meanwhile; the editor
rebases with `MenuRebaseScreen`), "cancelled" (the user said no, nothing to publish, or the platform refused it for
another reason, which the dialog shows first). A draft whose menu breaks a rule of `menu_rules` is not sent: the
problems are listed instead.

The sending goes through a `MenuPublisher` (below): given as `publisher=`, else the first screen down the stack
(or the app) with a `menu_publisher` attribute; `ServicePublisher` is the real one, on `o2o_tui.menu_service`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from o2o_tui.domain.menu_rules import (
    MenuWarning,
    Problem,
    added_warnings,
    menu_problems,
    problem_text,
    warning_text,
)
from o2o_tui.i18n import current_language, t
from o2o_tui.menu_draft import diff
from o2o_tui.menu_edits import find, placeholder_names
from o2o_tui.safe_text import safe_text
from screens.keys import localize_bindings
from screens.menu_diff import CSS_PATH, DiffView, shown_names
from screens.widgets.folded_text import FoldedText
from screens.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from o2o_tui.domain.menu import Menu
    from o2o_tui.menu_draft import MenuDraft

PublishResult = Literal["published", "queued", "conflict", "cancelled"]
Outcome = Literal["published", "queued", "conflict", "refused"]
MAX_PROBLEMS_SHOWN = 8


@dataclass(frozen=True, slots=True)
class PublishAnswer:
    outcome: Outcome
    version: int | None = None  # published: the new version; conflict: the platform's current one, when known
    message: str | None = None  # translated and display-safe: why it is queued or refused
    not_storing: bool = False  # queued because the platform answers but cannot store changes now: it is retried


class MenuPublisher(Protocol):
    async def publish(self, draft: MenuDraft) -> PublishAnswer:
        """Queue the draft's menu (conditional on `draft.base.version`), push it, say what became of it."""
        ...


def problem_lines(problems: list[Problem]) -> Content:
    lines = [
        Content.assemble((safe_text(p.field, one_line=True), "bold"), ": ", problem_text(p)) for p in problems
    ]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines = lines[:MAX_PROBLEMS_SHOWN] + [
            Content(t("menu_publish.more_problems", count=len(problems) - MAX_PROBLEMS_SHOWN))
        ]
    return Content("\n").join(lines)


def new_warnings(draft: MenuDraft) -> list[MenuWarning]:
    """The warnings the draft adds to the published menu (`menu_rules.added_warnings`)."""
    return added_warnings(draft.base, draft.menu, placeholder_names())


def warned_lines(warnings: list[MenuWarning]) -> dict[tuple[str, str], list[MenuWarning]]:
    """The warnings by line (kind, id), in menu order: one line may have several."""
    lines: dict[tuple[str, str], list[MenuWarning]] = {}
    for warning in warnings:
        lines.setdefault((warning.kind, warning.entity_id), []).append(warning)
    return lines


def warning_lines(warnings: list[MenuWarning], menu: Menu) -> Content:
    by_line = list(warned_lines(warnings).items())
    lines = []
    for (kind, entity_id), said in by_line[:MAX_PROBLEMS_SHOWN]:
        line = find(menu, "item" if kind == "item" else "option", entity_id)
        name = (line.names.get(current_language()) or line.name) if line is not None else entity_id
        texts = " ".join(warning_text(warning) for warning in said)
        lines.append(Content.assemble((safe_text(name, one_line=True), "bold"), ": ", texts))
    if len(by_line) > MAX_PROBLEMS_SHOWN:
        lines.append(Content(t("menu_publish.more_problems", count=len(by_line) - MAX_PROBLEMS_SHOWN)))
    return Content("\n").join(lines)


def find_publisher(screen: Screen[Any]) -> MenuPublisher | None:
    """The `menu_publisher` of the nearest screen below `screen` that has one, else the app's."""
    for below in reversed(screen.app.screen_stack):
        found = getattr(below, "menu_publisher", None) if below is not screen else None
        if found is not None:
            return cast(MenuPublisher, found)
    return cast("MenuPublisher | None", getattr(screen.app, "menu_publisher", None))


class MenuPublishScreen(Screen[PublishResult]):
    CSS_PATH = CSS_PATH
    BINDINGS = [
        Binding("enter,y", "confirm", "menu_publish.key.publish", id="menu_publish.confirm"),
        Binding("y", "confirm_anyway", "menu_editor.publish.key.anyway", id="menu_publish.anyway"),
        Binding("escape,n", "close", "menu_publish.key.cancel", id="menu_publish.cancel"),
        Binding("enter", "finish", "menu_publish.key.close", id="menu_publish.close"),
        # done: Esc (or n) still closes, but the footer offers only "Close" (nothing is left to cancel)
        Binding("escape,n", "finish", "menu_publish.key.close", id="menu_publish.close_escape", show=False),
    ]

    def __init__(self, draft: MenuDraft, *, publisher: MenuPublisher | None = None) -> None:
        super().__init__()
        localize_bindings(self)
        self.draft = draft
        self.publisher = publisher
        self.changes = diff(draft.base, draft.menu)
        self.problems = menu_problems(draft.menu, draft.menu.currency)
        self.warnings = [] if self.problems else new_warnings(draft)  # asked about: `y` publishes anyway
        self.state: Literal["confirm", "sending", "done"] = "confirm"
        self.result: PublishResult = "cancelled"

    def compose(self) -> ComposeResult:
        yield Static(Content(t("menu_publish.title", version=self.draft.base.version)), classes="menu-title")
        with Vertical(id="publish-head"):
            yield Static("", id="publish-problems", classes="error")
            yield Static("", id="publish-status")
        yield DiffView(self.changes, names=shown_names(self.draft.menu, self.draft.base), id="publish-diff")
        yield KeyFooter()

    def on_mount(self) -> None:
        problems = self.query_one("#publish-problems", Static)
        status = self.query_one("#publish-status", Static)
        if self.problems:
            problems.update(
                Content(t("menu_publish.fix_first", count=len(self.problems)))
                + "\n"
                + problem_lines(self.problems)
            )
        elif self.warnings and self.changes:
            head = Content(t("menu_editor.publish.warnings", count=len(warned_lines(self.warnings))))
            warned = (head + "\n" + warning_lines(self.warnings, self.draft.menu)).stylize("$text-warning")
            problems.update(FoldedText(warned))  # lines broken as Chinese reads
        else:
            problems.display = False
        if not self.changes:
            status.update(Content(t("menu_publish.nothing")))
        elif self.warnings:
            status.update(FoldedText(t("menu_editor.publish.ask_anyway")))
        elif not self.problems:
            status.update(Content(t("menu_publish.ask")))
        self.query_one(DiffView).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.state == "confirm" and bool(self.changes) and not self.problems and not self.warnings
        if action == "confirm_anyway":
            return self.state == "confirm" and bool(self.changes) and bool(self.warnings)
        if action == "close":
            return self.state == "confirm"
        if action == "finish":
            return self.state == "done"
        return True

    def _say(self, text: str, style: str = "") -> None:
        self.query_one("#publish-status", Static).update(Content.styled(text, style))

    def action_confirm_anyway(self) -> None:
        """Publish with its warnings (a free item can be meant): the person read them and pressed `y`."""
        if self.warnings:
            self._send_now()

    def action_confirm(self) -> None:
        if not self.warnings:
            self._send_now()

    def _send_now(self) -> None:
        if self.state != "confirm" or not self.changes or self.problems:
            return
        publisher = self.publisher or find_publisher(self)
        if publisher is None:
            self._say(t("menu_publish.no_publisher"), "$text-error")
            return
        self.state = "sending"
        self._say(t("menu_publish.sending", count=len(self.changes)))
        self.refresh_bindings()
        self._send(publisher)

    @work(exclusive=True, group="menu-publish")
    async def _send(self, publisher: MenuPublisher) -> None:
        try:
            answer = await publisher.publish(self.draft)
        except Exception as error:  # the worker would die silently: say it, then re-raise for the log
            self._finish(PublishAnswer("refused", message=safe_text(str(error), one_line=True)))
            raise
        self._finish(answer)

    def _finish(self, answer: PublishAnswer) -> None:
        self.state = "done"
        style, text = self._outcome_text(answer)
        self.result = {"published": "published", "queued": "queued", "conflict": "conflict"}.get(
            answer.outcome, "cancelled"
        )  # type: ignore[assignment]
        self._say(text + "\n" + t("menu_publish.enter_close"), style)
        self.refresh_bindings()

    def _outcome_text(self, answer: PublishAnswer) -> tuple[str, str]:
        why = safe_text(answer.message, one_line=True) if answer.message else ""
        texts: dict[str, Callable[[], tuple[str, str]]] = {
            "published": lambda: (
                "$text-success",
                t("menu_publish.published", version=answer.version or "?"),
            ),
            "queued": lambda: ("$text-warning", self._queued_text(answer, why)),
            "conflict": lambda: (
                "$text-error",
                t("menu_publish.conflict", version=answer.version)
                if answer.version is not None
                else t("menu_publish.conflict_unknown"),
            ),
        }
        made = texts.get(answer.outcome)
        return made() if made else ("$text-error", t("menu_publish.refused", reason=why or "?"))

    @staticmethod
    def _queued_text(answer: PublishAnswer, why: str) -> str:
        """Queued offline (published when the link is back), or queued while the platform answers but cannot store
        changes (retried after its Retry-After; the engine's reason would only say that again)."""
        if answer.not_storing:
            return t("menu_publish.queued_not_storing")
        return t("menu_publish.queued") + (f" ({why})" if why else "")

    def action_finish(self) -> None:
        if self.state == "done":
            self.dismiss(self.result)

    def action_close(self) -> None:
        if self.state == "sending":
            return
        self.dismiss(self.result if self.state == "done" else "cancelled")
