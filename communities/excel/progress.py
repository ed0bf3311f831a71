"""How far an import has got, for the progress page: reading the rows is the
long part, then checking them against the register, then writing."""

import time
from collections.abc import Callable

# Share of the bar each phase fills: reading 0–60 %, checking 60–90 %,
# writing 90–100 %.
PHASES = {"reading": (0, 60), "checking": (60, 90), "writing": (90, 100)}
REPORT_EVERY_SECONDS = 1.0

Callback = Callable[[str, int, int], None]  # (phase, percent, rows read)


class Progress:
    """Counts rows and tells `callback` at most about once a second (and at
    every change of phase), so a 50,000-row file costs a few dozen updates."""

    def __init__(self, callback: Callback | None = None):
        self.callback = callback
        self.phase = ""
        self.done = 0
        self.total = 0
        self.rows_read = 0
        self._last_report = 0.0

    def start(self, phase: str, total: int = 0) -> None:
        self.phase, self.done, self.total = phase, 0, max(total, 0)
        self._report()

    def step(self, count: int = 1) -> None:
        self.done += count
        if self.phase == "reading":
            self.rows_read += count
        if self.callback is not None and (
            time.monotonic() - self._last_report >= REPORT_EVERY_SECONDS
        ):
            self._report()

    @property
    def percent(self) -> int:
        low, high = PHASES.get(self.phase, (0, 0))
        if not self.total:
            return low
        share = min(self.done / self.total, 1)
        return low + int((high - low) * share)

    def _report(self) -> None:
        if self.callback is None:
            return
        self.callback(self.phase, self.percent, self.rows_read)
        self._last_report = time.monotonic()
