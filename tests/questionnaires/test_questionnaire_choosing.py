from datetime import date, datetime, timezone

import pytest

from questionnaires import NoVariantError, UnknownQuestionnaireError, language_chain, pick_language

UTC = timezone.utc
BORN = date(2014, 3, 20)  # twelfth birthday 2026-03-20, eighteenth 2032-03-20


def chosen(catalog, questionnaire, at, respondent="caregiver", born=BORN, tz="Europe/Madrid", language="en"):
    choice = catalog.choose(questionnaire, date_of_birth=born, timezone=tz, at=at,
                            respondent=respondent, language=language)
    return choice.definition.variant


@pytest.mark.parametrize("age, respondent, expected", [
    (0, "caregiver", "caregiver"), (4, "caregiver", "caregiver"), (17, "caregiver", "caregiver"),
    (5, "patient", "pictures"), (7, "patient", "pictures"), (8, "patient", "self-report"),
    (12, "patient", "self-report"), (30, "patient", "self-report"),
])
def test_it_picks_the_symptom_diary_for_age_and_respondent(catalog, age, respondent, expected):
    assert chosen(catalog, "symptom-diary", date(2010 + age, 6, 1), respondent, born=date(2010, 1, 1)) == expected


@pytest.mark.parametrize("age, respondent, expected", [
    (2, "caregiver", "caregiver-2-4"), (4, "caregiver", "caregiver-2-4"), (5, "caregiver", "caregiver-5-7"),
    (8, "caregiver", "caregiver-8-12"), (12, "caregiver", "caregiver-8-12"), (13, "caregiver", "caregiver-13-17"),
    (17, "caregiver", "caregiver-13-17"), (5, "patient", "self-5-7"), (8, "patient", "self-8-12"),
    (13, "patient", "self-13-17"), (18, "patient", "self-18-plus"), (25, "patient", "self-18-plus"),
])
def test_it_picks_the_quality_of_life_form_for_age_and_respondent(catalog, age, respondent, expected):
    assert chosen(catalog, "quality-of-life", date(2010 + age, 6, 1), respondent, born=date(2010, 1, 1)) == expected


@pytest.mark.parametrize("age, respondent", [(1, "caregiver"), (18, "caregiver"), (4, "patient")])
def test_it_says_clearly_when_no_quality_of_life_form_fits(catalog, age, respondent):
    with pytest.raises(NoVariantError, match=f"for a {respondent} respondent when the patient is {age}"):
        chosen(catalog, "quality-of-life", date(2010 + age, 6, 1), respondent, born=date(2010, 1, 1))


def test_it_switches_the_neuro_check_to_ice_style_on_the_twelfth_birthday(catalog):
    assert chosen(catalog, "neuro-check", date(2026, 3, 19)) == "capd-style"
    assert chosen(catalog, "neuro-check", date(2026, 3, 20)) == "ice-style"


def test_it_takes_the_birthday_in_the_patients_timezone(catalog):
    # 03:30 UTC on 20 March is still the 19th in New York but already the 20th in Madrid.
    instant = datetime(2026, 3, 20, 3, 30, tzinfo=UTC)
    assert chosen(catalog, "neuro-check", instant, tz="America/New_York") == "capd-style"
    assert chosen(catalog, "neuro-check", instant, tz="Europe/Madrid") == "ice-style"
    # Sydney is ahead: 14:00 UTC on the 19th is already the 20th there.
    assert chosen(catalog, "neuro-check", datetime(2026, 3, 19, 14, 0, tzinfo=UTC), tz="Australia/Sydney") == "ice-style"


def test_it_moves_to_the_adult_quality_of_life_form_on_the_eighteenth_birthday(catalog):
    day_before = datetime(2032, 3, 20, 3, 0, tzinfo=UTC)  # 19 March, 23:00 in New York
    assert chosen(catalog, "quality-of-life", day_before, "patient", tz="America/New_York") == "self-13-17"
    assert chosen(catalog, "quality-of-life", day_before, "patient", tz="Europe/Madrid") == "self-18-plus"
    with pytest.raises(NoVariantError):
        chosen(catalog, "quality-of-life", day_before, "caregiver", tz="Europe/Madrid")


def test_it_falls_back_from_a_regional_language_to_the_base_one_then_english(catalog):
    def language(asked):
        return catalog.choose("symptom-diary", date_of_birth=BORN, timezone="Europe/Madrid",
                              at=date(2026, 5, 1), respondent="caregiver", language=asked).language
    assert language("es-MX") == "es"
    assert language("ES_us") == "es"
    assert language("fr-CA") == "en"
    assert language(None) == "en"
    assert language_chain("es-MX") == ["es-mx", "es", "en"]
    assert pick_language(["fr"], "es") == "fr"


def test_it_refuses_naive_times_and_unknown_timezones(catalog):
    with pytest.raises(ValueError, match="timezone-aware"):
        chosen(catalog, "neuro-check", datetime(2026, 3, 20, 8, 0))
    with pytest.raises(ValueError, match="unknown timezone"):
        chosen(catalog, "neuro-check", datetime(2026, 3, 20, 8, 0, tzinfo=UTC), tz="Mars/Olympus")


def test_it_says_when_the_questionnaire_does_not_exist(catalog):
    with pytest.raises(NoVariantError, match="no questionnaire 'sleep-diary'"):
        chosen(catalog, "sleep-diary", date(2026, 1, 1))


def test_it_finds_the_exact_version_and_variant_an_entry_names(catalog):
    assert catalog.get("neuro-check", "1.0.0", "ice-style").variant == "ice-style"
    with pytest.raises(UnknownQuestionnaireError, match="several variants"):
        catalog.get("neuro-check", "1.0.0")
    with pytest.raises(UnknownQuestionnaireError, match="no questionnaire neuro-check version 9.9.9"):
        catalog.get("neuro-check", "9.9.9")


def test_it_finds_the_variant_of_an_entry_that_does_not_name_one(catalog):
    def variant(recorded_at, respondent="caregiver", questionnaire="neuro-check"):
        return catalog.for_entry(questionnaire, "1.0.0", respondent=respondent, date_of_birth=BORN,
                                 timezone="America/New_York", recorded_at=recorded_at).variant
    assert variant(datetime(2026, 3, 20, 3, 30, tzinfo=UTC)) == "capd-style"
    assert variant(datetime(2026, 3, 20, 5, 0, tzinfo=UTC)) == "ice-style"
    assert variant(datetime(2026, 3, 20, 5, 0, tzinfo=UTC), "patient", "symptom-diary") == "self-report"
    # An adult whose app still has the teenage form: the nearest younger variant.
    assert variant(datetime(2033, 1, 1, tzinfo=UTC), "caregiver", "quality-of-life") == "caregiver-13-17"


def test_it_says_no_variant_for_an_entry_recorded_before_the_patient_was_born(catalog):
    with pytest.raises(NoVariantError, match="before the date of birth"):
        catalog.for_entry("neuro-check", "1.0.0", respondent="caregiver", date_of_birth=BORN,
                          timezone="Europe/Madrid", recorded_at=datetime(2001, 1, 1, tzinfo=UTC))
