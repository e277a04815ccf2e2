"""Who a family calls (issue 12): the CAR T team's day and night numbers and the emergency
number, site settings served to the family app in the pull (the profile's `care_team`,
docs/protocol.md) so that the advice on save names a number even with no connection.

A site without them still runs, but every start of `homeward serve` and the staff home page
say so: an urgent advice with no number to call sends a parent searching at 3 a.m.
"""


def tel(number: str) -> str:
    """What goes after `tel:`: the leading + and the digits, nothing a dialler may trip on."""
    return ("+" if number.startswith("+") else "") + "".join(c for c in number if c.isdigit())


def phone(number):
    return None if number is None else {"display": number, "tel": tel(number)}


def care_team_document(config) -> dict:
    """The profile's `care_team`: each number as {display, tel} or null; with one team
    number only, it answers day and night."""
    day = config.care_team_phone_day or config.care_team_phone_night
    night = config.care_team_phone_night or config.care_team_phone_day
    start, end = config.care_team_day_hours.split("-")
    return {"day": phone(day), "night": phone(night),
            "emergency": phone(config.emergency_number),
            "day_hours": {"from": start, "to": end}}


def care_team_warnings(config) -> list[str]:
    """Sentences for operators and staff; empty when every number is set."""
    warnings = []
    if not (config.care_team_phone_day or config.care_team_phone_night):
        warnings.append("No care team phone number is set (HOMEWARD_CARE_TEAM_PHONE_DAY, "
                        "HOMEWARD_CARE_TEAM_PHONE_NIGHT): the family app's urgent advice "
                        "cannot offer a number to call.")
    if not config.emergency_number:
        warnings.append("No emergency number is set (HOMEWARD_EMERGENCY_NUMBER): the family "
                        "app's emergency screen cannot offer a number to call.")
    return warnings
