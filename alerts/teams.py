"""Whom an alert is for, and whether it may wait for the working day.

A rule names its `team` (docs/rules.md): most are for the CAR T nurses, the long-term
follow-up's new lump is for a physician and a disease flare for rheumatology. The site's
notifications file may give a team a route of its own (docs/notifications.md); without one
the alert goes to its level's route as before. A rule may also say `"escalate":
"working_hours"`: nobody is paged at night for it (docs/alerts.md, alerts/working_hours.py).
"""
DEFAULT_TEAM = "car_t"
ANY_TIME, WORKING_HOURS = "any_time", "working_hours"
ESCALATE = (ANY_TIME, WORKING_HOURS)

# How a page says who an alert is for: "For rheumatology". A team not listed reads as its
# name with spaces, which is why team names are plain words.
TEAM_WORDS = {DEFAULT_TEAM: "the CAR T team", "physician": "a physician",
              "rheumatology": "rheumatology", "psychosocial": "the psychosocial team"}


def team_words(team) -> str:
    team = team or DEFAULT_TEAM
    return TEAM_WORDS.get(team, team.replace("_", " "))


def for_whom(team) -> str:
    """The line a card, a page and a message show: "For rheumatology"."""
    return f"For {team_words(team)}"


def episode_team(findings) -> str:
    """An episode is for the team of its most severe finding (the first, as the evaluator
    orders them; callers pass them most severe first)."""
    if not findings:
        return DEFAULT_TEAM
    return getattr(findings[0], "team", None) or DEFAULT_TEAM


def episode_escalation(findings, current=None) -> str:
    """`working_hours` only while every finding of the episode allows it: one finding that
    must reach someone at night makes the whole alert escalate at any time, for good."""
    if current == ANY_TIME:
        return ANY_TIME
    wishes = {getattr(finding, "escalate", ANY_TIME) or ANY_TIME for finding in findings}
    return WORKING_HOURS if wishes == {WORKING_HOURS} else ANY_TIME
