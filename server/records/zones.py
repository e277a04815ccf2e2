"""Which time zones a family can live in: IANA names of places, such as America/New_York.

A family's zone decides their day 0, their local dates and the times nurses read, through
daylight-saving changes. The tz database also holds names that are not places: fixed offsets
and legacy abbreviations (`EST` is UTC-5 all year, so a New York family would be an hour off
all summer), POSIX rules (`EST5EDT`), country aliases (`US/Eastern`, `Cuba`) and `UTC`/`Etc/*`.
None is where a family lives, so only names under a region are accepted; the deprecated
aliases among those (e.g. Asia/Calcutta) still follow the place's rules and are allowed.
"""
from functools import cache
from zoneinfo import available_timezones

REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
           "Europe", "Indian", "Pacific")
EXAMPLE = "America/New_York"


@cache
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())  # a walk of the tz database: once per process


@cache
def family_zones() -> frozenset[str]:
    return frozenset(name for name in known_zones()
                     if "/" in name and name.split("/", 1)[0] in REGIONS)


def zone_problem(name) -> str | None:
    """What is wrong with `name` as a family's time zone, in a sentence; None if nothing."""
    if isinstance(name, str) and name in family_zones():
        return None
    if isinstance(name, str) and name in known_zones():
        return (f"{name} is not a place: choose the zone of where the family lives, such as "
                f"{EXAMPLE}, so daylight-saving changes are followed.")
    return (f"Use the time zone of where the family lives, an IANA name such as {EXAMPLE}.")


def zones_by_region() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(region, [(name, label)])] for a picker: "America/Argentina/Buenos_Aires" is
    labelled "Argentina / Buenos Aires" under America."""
    grouped = {region: [] for region in REGIONS}
    for name in sorted(family_zones()):
        region, place = name.split("/", 1)
        grouped[region].append((name, place.replace("_", " ").replace("/", " / ")))
    return [(region, zones) for region, zones in grouped.items() if zones]
