"""The one parameter set the simulator's engine runs with on every regime (issue 13 item 3), and how it was chosen.

Rule: on the generated regimes' tuning seeds (10, 11, 12 of each of `regimes.REGIMES`; the measuring seeds 0-4 and
the Grubhub 240 are never used to choose), the smallest worst-regime total-avoidable ratio against B1, ties
(within 0.005) by the mean over the regimes. Run: `python -m bench.dispatch_tune --seeds 10,11,12 --variants ...`.

Chosen (2026-12-04): the engine's knobs as `DispatchParams` has them (the o50-tuned values held: none of the
single-knob changes tried lowered the worst regime), with the look-ahead on, weighing the engine's plan against
the same epoch planned without bundles and with a 10-minute horizon, on 3 scenarios of the next 10 minutes.
Worst regime 0.884 (dense), mean 0.694, against 1.395 and 0.793 without the look-ahead.
"""

from __future__ import annotations

from o2o_tui.dispatch.lookahead import LookaheadParams
from o2o_tui.dispatch.model import DispatchParams

ENGINE_PARAMS = DispatchParams()
LOOKAHEAD = LookaheadParams(horizon=10.0, alternatives=("singles", "short"))
