"""The codes the clinic's records use. Registries and exports depend on them: add new ones,
never change what a shipped one means."""

DIAGNOSES = {
    "sle": "Systemic lupus erythematosus",
    "jdm": "Juvenile dermatomyositis",
    "iim": "Idiopathic inflammatory myopathy (myositis)",
    "ssc": "Systemic sclerosis",
    "aav": "ANCA-associated vasculitis",
    "other": "Other (named in the text)",
}
ORGANS = {
    "kidney": "Kidney", "skin": "Skin and mucosa", "joints": "Joints", "lungs": "Lungs",
    "muscle": "Muscle", "nervous_system": "Nervous system", "blood": "Blood",
    "heart": "Heart", "gut": "Gut",
}
CAR_TARGETS = {"cd19": "CD19", "bcma": "BCMA", "cd19_bcma": "CD19 and BCMA (dual)",
               "other": "Other"}
LYMPHODEPLETION = {
    "flu_cy": "Fludarabine and cyclophosphamide",
    "cy": "Cyclophosphamide alone",
    "benda": "Bendamustine",
    "none": "None",
    "other": "Other (named in the text)",
}
SEX_AT_BIRTH = {"female": "Female", "male": "Male", "intersex": "Intersex",
                "unknown": "Not recorded"}

# Toxicity events. Each kind is graded on one system (the one registries use for it).
KINDS = {
    "crs": "Cytokine release syndrome", "icans": "ICANS (neurotoxicity)",
    "icaht": "ICAHT (low blood counts)", "licats": "LICATS (local flare)",
    "infection": "Infection", "hlh": "HLH / IEC-HS", "other": "Other",
}
GRADING = {"astct_2019": "ASTCT 2019", "eha_ebmt_icaht": "EHA/EBMT 2023 (ICAHT)",
           "ctcae_v5": "CTCAE v5"}
SYSTEM_OF_KIND = {"crs": "astct_2019", "icans": "astct_2019", "icaht": "eha_ebmt_icaht",
                  "licats": "ctcae_v5", "infection": "ctcae_v5", "hlh": "ctcae_v5",
                  "other": "ctcae_v5"}
# Inclusive grade ranges. CTCAE grade 5 is death; ASTCT and ICAHT stop at 4.
GRADE_RANGE = {"astct_2019": (1, 4), "eha_ebmt_icaht": (1, 4), "ctcae_v5": (1, 5)}
TREATMENTS = {
    "tocilizumab": "Tocilizumab", "corticosteroids": "Corticosteroids",
    "anakinra": "Anakinra", "siltuximab": "Siltuximab", "ivig": "IVIG",
    "antimicrobials": "Antimicrobials", "icu": "ICU admission",
    "other": "Other (named in the text)",
}

# What each grading system says, in our own words, for the form beside the grade box.
CRITERIA = {
    "crs": [
        (1, "Fever of 38.0 °C or more, nothing else needed."),
        (2, "Fever with low blood pressure that fluids fix, or oxygen by nasal prongs at a "
            "low flow."),
        (3, "Fever with low blood pressure needing one vasopressor, or high-flow oxygen or "
            "a face mask."),
        (4, "Fever with low blood pressure needing several vasopressors, or breathing "
            "support with positive pressure."),
    ],
    "icans": [
        (1, "ICE 7-9 (12 and over) or a positive CAPD with mild change; wakes by itself."),
        (2, "ICE 3-6, or wakes to voice."),
        (3, "ICE 0-2, wakes only to touch, any seizure that stops quickly, or swelling on "
            "imaging in one area."),
        (4, "Cannot do the check, cannot be roused, a long or repeated seizure, deep motor "
            "weakness, or brain swelling."),
    ],
    "icaht": [
        (1, "Neutrophils below 0.5 ×10⁹/L for 7-13 days (early) or low counts without "
            "infection (late)."),
        (2, "Neutrophils below 0.5 for 14-30 days (early)."),
        (3, "Neutrophils below 0.5 for more than 30 days, or late counts below 0.5."),
        (4, "Neutrophils below 0.1 for 7 days or more, or late counts below 0.1."),
    ],
    "ctcae": [
        (1, "Mild: no treatment, or watching only."),
        (2, "Moderate: simple treatment; limits some daily activities."),
        (3, "Severe: in hospital or a longer stay; limits self-care."),
        (4, "Life-threatening: urgent intervention."),
        (5, "Death related to the event."),
    ],
}


def criteria_for(kind: str) -> list[tuple[int, str]]:
    return CRITERIA.get(kind, CRITERIA["ctcae"])


def grade_problem(kind: str, system: str, grade: int) -> str | None:
    """Why this grade cannot be recorded for this kind on this system, or None."""
    expected = SYSTEM_OF_KIND[kind]
    if system != expected:
        return (f"{KINDS[kind]} is graded on {GRADING[expected]} ({expected}), "
                f"not {system}.")
    low, high = GRADE_RANGE[system]
    if not low <= grade <= high:
        return f"{GRADING[system]} grades run from {low} to {high}; {grade} is not one."
    return None
