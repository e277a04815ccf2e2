"""The home page: what waits, in counts, for the roles that handle alerts. Nurses and
physicians land on the inbox after sign-in; this is where the brand link leads, and where
the psychosocial team and administrators land."""
from flask import g

from alerts.episodes import LEVELS

from ..records.alerting import PSYCHOSOCIAL_CONCERNS, alerts_where
from ..auth import require_staff
from ..records.care_team import care_team_warnings
from ..web.context import get_config, get_db
from . import blueprint, present
from .common import CARE_TEAM, WELLBEING_TEAM, render


@blueprint.get("/")
@require_staff()
def home():
    return render("home.html", counts=home_counts(get_db(), g.staff.role),
                  care_team_warnings=care_team_warnings(get_config()))


def home_counts(db, role) -> dict | None:
    """What is waiting, for the roles that handle alerts: a count per level, and how many
    patients are followed. Clear columns only, so no patient key is opened."""
    if role not in WELLBEING_TEAM:
        return None
    where, params = alerts_where(role, ("open", "acknowledged"))
    counts = {"open": {}, "acknowledged": 0, "wellbeing": 0}
    for level, status, concern, count in db.execute(
            f"SELECT level, status, concern, COUNT(*) FROM alerts WHERE {' AND '.join(where)} "
            "GROUP BY level, status, concern", params):
        if concern in PSYCHOSOCIAL_CONCERNS and role in CARE_TEAM:
            counts["wellbeing"] += count
        elif status == "open":
            counts["open"][level] = counts["open"].get(level, 0) + count
        else:
            counts["acknowledged"] += count
    counts["levels"] = [(level, present.LEVEL_LABELS[level], counts["open"][level])
                        for level in reversed(LEVELS) if counts["open"].get(level)]
    counts["waiting"] = sum(counts["open"].values())
    counts["patients"] = db.execute("SELECT COUNT(*) FROM patients WHERE status = 'active'"
                                    ).fetchone()[0]
    return counts
