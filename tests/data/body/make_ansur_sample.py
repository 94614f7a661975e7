"""Write ansur_sample.csv: 10 women and 10 men from ANSUR II (run once; kept for provenance).

    python tests/data/body/make_ansur_sample.py [DATA_DIR]

DATA_DIR defaults to ../shared/data/measurements next to the repository. The
subjects are the first 10 per gender, in a shuffle with seed 2012, whose
measurements lie in the accepted range (garment3d.sizes.validate_measurements),
then two heavy men whose waist (at the navel) is at least 3 cm above their hip:
the median and the largest such excess among the men in range.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidMeasurementsError
from garment3d.settings import REPO_ROOT
from garment3d.sizes import validate_measurements
from garment3d.types import Measurements

COLUMNS = (
    "SubjectId", "Gender", "stature", "chestcircumference", "waistcircumference", "buttockcircumference",
    "tenthribheight", "iliocristaleheight", "waistheightomphalion", "cervicaleheight",
    "thighcircumference", "acromionradialelength", "radialestylionlength", "crotchheight",
)
GIRTHS = 6  # COLUMNS[2:GIRTHS] are the request
FILES = {"female": "ANSUR_II_FEMALE_Public.csv", "male": "ANSUR_II_MALE_Public.csv"}
PER_GENDER, SEED = 10, 2012


def _in_range(row: dict, gender: str) -> bool:
    values = [float(row[c]) / 10 for c in COLUMNS[2:GIRTHS]]
    try:
        validate_measurements(Measurements(*values, gender=gender, waist_at="navel"))
    except InvalidMeasurementsError:
        return False
    return True


def main() -> None:
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_ROOT.parent / "shared" / "data" / "measurements"
    out = []
    for gender, name in FILES.items():
        with (data_dir / name).open(encoding="latin-1", newline="") as fh:
            rows = list(csv.DictReader(fh))
        for index in np.random.default_rng(SEED).permutation(len(rows)):
            row = rows[index]
            if not _in_range(row, gender):
                continue
            out.append([row[c] for c in COLUMNS])
            if sum(1 for r in out if r[1] == row["Gender"]) == PER_GENDER:
                break
        if gender == "male":
            heavy = [r for r in rows if _in_range(r, gender)
                     and float(r["waistcircumference"]) >= float(r["buttockcircumference"]) + 30]
            heavy.sort(key=lambda r: float(r["waistcircumference"]) - float(r["buttockcircumference"]))
            out += [[r[c] for c in COLUMNS] for r in (heavy[len(heavy) // 2], heavy[-1])]
    path = Path(__file__).with_name("ansur_sample.csv")
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(out)
    print(f"wrote {len(out)} rows to {path}")


if __name__ == "__main__":
    main()
