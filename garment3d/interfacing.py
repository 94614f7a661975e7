"""Fusible interfacing: a light cloth bonded to the wrong side of a piece (a waistband, a collar, a cuff).

Pattern makers interface the pieces that must hold their shape: a waistband carries the skirt's weight
round the waist without stretching, a collar stands. A pattern names it per panel
(``interfacing = "fusible"``, ``Panel.interfacing``). Bonded, the two layers stretch, shear and bend
together, so the piece is simulated as one cloth whose stiffnesses, weight and thickness are the sums
of the fabric's and the interfacing's (:func:`bonded`); the fabric's look is unchanged (the interfacing
is inside).

The one kind offered, ``fusible``, is a medium-weight woven fusible interfacing: 40 g/m2 (medium woven
and weft-insert fusibles sell at 30-60 g/m2), 0.15 mm, about as stiff in stretch as a shirting
poplin (10,000 N/m along both yarns, against poplin's 12,000 and 9,000 here), with a bending rigidity of
4 uN m (a light shirting's; KES-F B of light wovens 0.02-0.06 gf cm2/cm, 1 gf cm2/cm = 98 uN m). The
figures are estimates for the kind, not a measured product.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from garment3d.types import INTERFACING_KINDS, Fabric

__all__ = ["INTERFACINGS", "Interfacing", "bonded"]


@dataclass(frozen=True)
class Interfacing:
    """An interfacing's mechanics, in the units of :class:`Fabric`."""

    density_gsm: float
    thickness_mm: float
    stretch_n_per_m: float  # along both yarns
    shear_n_per_m: float
    bending_unm: float  # both ways


INTERFACINGS = {
    "fusible": Interfacing(density_gsm=40.0, thickness_mm=0.15, stretch_n_per_m=10_000.0, shear_n_per_m=40.0,
                           bending_unm=4.0),
}
assert tuple(INTERFACINGS) == INTERFACING_KINDS


def bonded(fabric: Fabric, kind: str) -> Fabric:
    """``fabric`` with interfacing ``kind`` (a key of ``INTERFACINGS``, or "" for none) fused to it."""
    if not kind:
        return fabric
    layer = INTERFACINGS[kind]
    return replace(
        fabric,
        density_gsm=fabric.density_gsm + layer.density_gsm,
        thickness_mm=fabric.thickness_mm + layer.thickness_mm,
        stretch_warp_n_per_m=fabric.stretch_warp_n_per_m + layer.stretch_n_per_m,
        stretch_weft_n_per_m=fabric.stretch_weft_n_per_m + layer.stretch_n_per_m,
        shear_n_per_m=fabric.shear_n_per_m + layer.shear_n_per_m,
        bending_warp_unm=fabric.bending_warp_unm + layer.bending_unm,
        bending_weft_unm=fabric.bending_weft_unm + layer.bending_unm,
    )
