"""The drape quality gates: one set of limits and one verdict, used by the drape report, the pipeline,
the command line, the server and the tests.

Every figure gated here is measured on the finished drape by ``garment3d.drape.quality``,
independently of the constraint that was meant to bring it about (the seam gap before the solver's
last seam projection, penetration against the body mesh rather than the solver's distance grid,
yarn strain from the rest shape, the waist edge's distance from the body, the largest motion of
any panel over a window). The stretch limits depend on the fabric: a knit may stretch further than a
woven, by its own rated stretch (``GateLimits.stretch_limits``). Each gate has a test on a crafted bad
drape that fails it (tests/test_gates.py, tests/drape/test_gate_failures.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from garment3d.types import DrapeReport

__all__ = ["GateLimits", "GateCheck", "GateVerdict", "LIMITS", "evaluate", "describe_limits"]


@dataclass(frozen=True)
class GateLimits:
    """The largest value each figure may take (a drape passes when every figure is within its limit)."""

    seam_gap_mm: float = 5.0  # largest seam correction in the last substep (see garment3d.drape.kernels)
    inside_share: float = 0.005  # share of cloth sample points inside the body mesh
    inside_patch_cm2: float = 10.0  # largest connected patch of cloth inside or through the body
    self_intersections: int = 0  # crossing pairs of cloth triangles
    max_stretch: float = 0.40  # largest warp/weft stretch of any triangle, any panel
    p99_stretch: float = 0.10  # 99th percentile warp/weft stretch (garment3d.drape.quality.tail_strain), worst panel
    # A fabric that stretches more than a woven (a knit) is judged by its own rated stretch in each yarn
    # direction (Fabric.stretch_percent, stretch_warp_percent: under a 2 kgf pull on a 10 cm strip): the 99th
    # percentile may reach this share of it, and any triangle all of it, where that allows more than the
    # limits above. Half the gauge's stretch is what a knit is worn at on purpose (a jersey neckband cut
    # 8-12 % short of its neckline, a close-fitting top's negative ease) and it still recovers; past it the
    # knit is pulled hard (the stitches open, it grins through and bags out).
    rated_stretch_p99_share: float = 0.5
    rated_stretch_max_share: float = 1.0
    max_compression: float = 0.40
    p99_compression: float = 0.10
    folded_seam_share: float = 0.02  # seam hinges where one panel is folded back over the other
    waist_distance_m: float = 0.015  # median distance of an anchored edge from the body, worst edge
    waist_drop_m: float = 0.04  # median drop of an anchored edge below where it was placed, worst edge
    rest_motion_mm: float = 1.0  # largest displacement of any panel over the settle window (if settled)
    fastener_gap_mm: float = 3.0  # largest fastener pair distance beyond the layers' distance, final positions
    # fitted garments only (a pattern with [fit] style = "fitted"; garment3d.drape.fit):
    waist_line_cm: float = 1.5  # the garment's waist line from the body's natural waist, either way
    blouson_cm: float = 1.0  # deepest fold of cloth hanging over the waist line (90th percentile of columns)

    def stretch_limits(self, rated: float) -> tuple[float, float]:
        """(largest, 99th percentile) stretch allowed along a yarn direction of rated stretch ``rated``
        (fraction; 0 for a woven or a fabric not known): the wovens' limits, or more for a stretchy fabric."""
        return (max(self.max_stretch, self.rated_stretch_max_share * rated),
                max(self.p99_stretch, self.rated_stretch_p99_share * rated))


LIMITS = GateLimits()


@dataclass(frozen=True)
class GateCheck:
    """One gate: its name, the measured value, the limit, and a sentence naming the problem if it failed."""

    name: str
    value: float
    limit: float
    passed: bool
    message: str


@dataclass(frozen=True)
class GateVerdict:
    checks: tuple[GateCheck, ...]

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> tuple[str, ...]:
        """Names of the gates that failed."""
        return tuple(check.name for check in self.checks if not check.passed)

    @property
    def problems(self) -> tuple[str, ...]:
        """One sentence per failed gate."""
        return tuple(check.message for check in self.checks if not check.passed)


def _check(name: str, value: float, limit: float, message: str, *, inclusive: bool = True) -> GateCheck:
    ok = value <= limit if inclusive else value < limit
    return GateCheck(name=name, value=float(value), limit=float(limit), passed=bool(ok), message=message)


def _yarn_stretch(report: DrapeReport, limits: GateLimits, figure: str) -> list[tuple[str, str, float, float]]:
    """(panel, yarn direction, stretch, its limit) for every panel and yarn direction; ``figure`` is "max"
    or "p99". A panel strain without per-direction figures (an older report) is judged by its larger
    figure against the stricter direction's limit."""
    which = 0 if figure == "max" else 1
    weft = limits.stretch_limits(report.fabric_stretch_weft)[which]
    warp = limits.stretch_limits(report.fabric_stretch_warp)[which]
    rows = []
    for p in report.panel_strain:
        by_yarn = (getattr(p, f"{figure}_weft_stretch"), getattr(p, f"{figure}_warp_stretch"))
        if None in by_yarn:
            rows.append((p.panel, "", getattr(p, f"{figure}_stretch"), min(weft, warp)))
        else:
            rows.append((p.panel, "weft", by_yarn[0], weft))
            rows.append((p.panel, "warp", by_yarn[1], warp))
    return rows


def _stretch_check(report: DrapeReport, limits: GateLimits, figure: str) -> GateCheck:
    """The panel and yarn direction stretched furthest for its limit."""
    name = f"{figure}_stretch"
    rows = _yarn_stretch(report, limits, figure)
    floor = limits.max_stretch if figure == "max" else limits.p99_stretch
    panel, yarn, value, limit = max(rows, key=lambda r: r[2] / max(r[3], 1e-9), default=("-", "", 0.0, floor))
    rated = report.fabric_stretch_weft if yarn == "weft" else report.fabric_stretch_warp
    share = limits.rated_stretch_max_share if figure == "max" else limits.rated_stretch_p99_share
    why = f" in this fabric: {share:.0%} of its rated {rated:.0%} {yarn} stretch" if limit > floor else ""
    where = (f" along the {yarn}" if yarn else "") + (" at the 99th percentile" if figure == "p99" else "")
    return _check(name, value, limit, f"panel '{panel}' is stretched {value:.1%}{where} (limit {limit:.0%}{why})")


def _strain_checks(report: DrapeReport, limits: GateLimits) -> list[GateCheck]:
    checks = [_stretch_check(report, limits, "max"), _stretch_check(report, limits, "p99")]
    for field, label in (("max_compression", "compressed"), ("p99_compression", "compressed (99th percentile)")):
        worst = max(report.panel_strain, key=lambda p: getattr(p, field), default=None)
        value = getattr(worst, field) if worst is not None else 0.0
        panel = worst.panel if worst is not None else "-"
        checks.append(_check(field, value, getattr(limits, field),
                             f"panel '{panel}' is {label} {value:.1%} (limit {getattr(limits, field):.0%})"))
    return checks


def _waist_checks(report: DrapeReport, limits: GateLimits) -> list[GateCheck]:
    far = max(report.waist_edges, key=lambda e: e.median_distance_m, default=None)
    low = max(report.waist_edges, key=lambda e: e.drop_m, default=None)
    far_m = far.median_distance_m if far is not None else 0.0
    low_m = low.drop_m if low is not None else 0.0
    return [
        _check("waist_contact", far_m, limits.waist_distance_m,
               f"the waist edge of '{far.panel if far else '-'}' hangs a median {far_m * 100:.1f} cm from the body "
               f"(limit {limits.waist_distance_m * 100:.1f} cm): the waist is too large to grip"),
        _check("waist_drop", low_m, limits.waist_drop_m,
               f"the waist edge of '{low.panel if low else '-'}' slid {low_m * 100:.1f} cm down the body "
               f"(limit {limits.waist_drop_m * 100:.1f} cm): the garment does not stay up"),
    ]


def _moving_panels(report: DrapeReport, limits: GateLimits) -> str:
    """The panels still moving over the last settle window, most first (at most three), or the largest
    motion alone if the report does not name the panels."""
    moving = [m for m in report.panel_motion if m.motion_mm > limits.rest_motion_mm][:3]
    if not moving:
        return f"a panel still moves {report.rest_motion_mm:.1f} mm"
    if len(moving) == 1:
        return f"panel '{moving[0].panel}' still moves {moving[0].motion_mm:.1f} mm"
    return "panels " + ", ".join(f"'{m.panel}' ({m.motion_mm:.1f} mm)" for m in moving) + " still move"


def _settle_check(report: DrapeReport, limits: GateLimits) -> GateCheck:
    moving = _moving_panels(report, limits)
    reasons = {
        "time": f"not settled: the cloth did not come to rest within {report.simulated_s:.1f} s of simulated time "
                f"({moving} over the last settle window, limit {limits.rest_motion_mm:.1f} mm)",
        "fell": f"the garment fell off the body after {report.simulated_s:.1f} s",
        "untangling": f"the cloth crossed itself again each time it was untangled and left to settle "
                      f"({report.untangle_resettles} times): untangling, not the physics, ended the drape",
    }
    ok = report.settled and report.rest_motion_mm <= limits.rest_motion_mm
    message = reasons.get(report.ended_by, f"the cloth is not at rest ({moving} over the last settle window, "
                                           f"limit {limits.rest_motion_mm:.1f} mm)")
    return GateCheck(name="settled", value=report.rest_motion_mm, limit=limits.rest_motion_mm, passed=bool(ok),
                     message=message)


def _fit_checks(report: DrapeReport, limits: GateLimits) -> list[GateCheck]:
    """A fitted garment keeps its waist line at the body's natural waist and does not blouse over it."""
    if report.fit_style != "fitted":
        return []
    waist = report.fit_line("waist")
    offset = abs(waist.offset_cm) if waist is not None else float("inf")
    where = (f"{abs(waist.offset_cm):.1f} cm {'above' if waist.offset_cm > 0 else 'below'}"
             if waist is not None else "nowhere (the drape has no waist line)")
    return [
        _check("waist_line", offset, limits.waist_line_cm,
               f"the garment's waist line sits {where} the body's natural waist "
               f"(limit {limits.waist_line_cm:g} cm)"),
        _check("blouson", report.blouson_cm, limits.blouson_cm,
               f"the bodice blouses: cloth hangs {report.blouson_cm:.1f} cm over a fold at the waist "
               f"(limit {limits.blouson_cm:g} cm)"),
    ]


def evaluate(report: DrapeReport, limits: GateLimits = LIMITS) -> GateVerdict:
    """Every gate of ``report`` against ``limits``."""
    checks = [
        _check("seam_gap", report.max_seam_gap_mm, limits.seam_gap_mm,
               f"largest seam gap {report.max_seam_gap_mm:.1f} mm (limit {limits.seam_gap_mm:g} mm)",
               inclusive=False),
        _check("inside_body", report.inside_share, limits.inside_share,
               f"{report.inside_share:.1%} of the cloth is inside the body (limit {limits.inside_share:.1%})",
               inclusive=False),
        _check("inside_patch", report.largest_inside_patch_cm2, limits.inside_patch_cm2,
               f"a patch of {report.largest_inside_patch_cm2:.1f} cm2 of cloth lies inside or through the body "
               f"(limit {limits.inside_patch_cm2:g} cm2)"),
        _check("crossings", report.self_intersections, limits.self_intersections,
               f"{report.self_intersections} pairs of cloth triangles pass through each other "
               f"(limit {limits.self_intersections})"),
        *_strain_checks(report, limits),
        _check("folded_seams", report.folded_seam_share, limits.folded_seam_share,
               f"{report.folded_seam_share:.2%} of the seams have one panel folded back over the other "
               f"(limit {limits.folded_seam_share:.0%})"),
        *_waist_checks(report, limits),
        _settle_check(report, limits),
        _check("fastener_gap", report.max_fastener_gap_mm, limits.fastener_gap_mm,
               f"a fastener stands {report.max_fastener_gap_mm:.1f} mm open (limit {limits.fastener_gap_mm:g} mm): "
               f"the opening it closes gapes", inclusive=False),
        *_fit_checks(report, limits),
    ]
    return GateVerdict(checks=tuple(checks))


def describe_limits(limits: GateLimits = LIMITS) -> list[str]:
    """One line per gate, for the README and ``garment3d gates``."""
    from garment3d.drape.quality import TAIL_MIN_CM2, TAIL_SHARE  # the drape imports the limits: import late

    return [
        f"seam gap before the solver's last seam projection < {limits.seam_gap_mm:g} mm",
        f"cloth sample points (vertices, edge midpoints, triangle centroids) inside the body mesh "
        f"< {limits.inside_share:.1%}",
        f"largest connected patch of cloth inside or through the body <= {limits.inside_patch_cm2:g} cm2",
        f"crossing pairs of cloth triangles <= {limits.self_intersections}",
        f"warp/weft stretch per panel: largest <= {limits.max_stretch:.0%}, 99th percentile <= "
        f"{limits.p99_stretch:.0%} (the stretch reached by the worst {TAIL_SHARE:.0%} of the panel's cloth, and "
        f"never by less than {TAIL_MIN_CM2:g} cm2 of it, so that no single triangle of a small panel decides); "
        f"a stretchier fabric (a knit) by its own rated stretch along each yarn (under a 2 kgf pull on a "
        f"10 cm strip), if that allows more: 99th percentile <= {limits.rated_stretch_p99_share:.0%} of it, "
        f"largest <= {limits.rated_stretch_max_share:.0%} of it (jersey, rated 40% across and 22% lengthwise: "
        f"99th percentile <= {limits.stretch_limits(0.40)[1]:.0%} and {limits.stretch_limits(0.22)[1]:.0%})",
        f"warp/weft compression per panel: largest <= {limits.max_compression:.0%}, 99th percentile <= "
        f"{limits.p99_compression:.0%}",
        f"seam hinges folded back (one panel over the other) <= {limits.folded_seam_share:.0%}",
        f"each anchored (waist) edge: median distance from the body <= {limits.waist_distance_m * 100:g} cm, "
        f"median drop below where it was placed <= {limits.waist_drop_m * 100:g} cm",
        f"settled: at rest by the physics (no panel moves more than {limits.rest_motion_mm:g} mm over the "
        f"settle window), not ended by untangling or by the time limit (the report names the panels still "
        f"moving)",
        f"each fastener (button, stud, frog, hook, tie) closed: its two layers at most "
        f"{limits.fastener_gap_mm:g} mm further apart than the layers' own distance (< {limits.fastener_gap_mm:g} mm)",
        f"fitted garments: the waist line within {limits.waist_line_cm:g} cm of the body's natural waist, and "
        f"no blouson (cloth hanging over a fold at the waist) deeper than {limits.blouson_cm:g} cm",
    ]
