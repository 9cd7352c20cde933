"""The names of the ICD-10 codes a university clinic records, and how a diagnosis is named in a report.

The names are the WHO ICD-10 titles, shortened where the code says the rest ("Asthma (J45.9)"
for "Asthma, unspecified"), of the codes a campus clinic sees most; a code not listed is named
by the text its clinician recorded. ``describe`` is the one place a
report turns a diagnosis code and its recorded text into words.
"""

NAMES = {
    "A09": "Gastroenteritis and colitis, infectious or unspecified",
    "A90": "Dengue fever",
    "A91": "Dengue haemorrhagic fever",
    "B01.9": "Varicella without complication",
    "B35.4": "Tinea corporis",
    "D64.9": "Anaemia",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "E86": "Volume depletion",
    "F32.9": "Depressive episode",
    "F41.1": "Generalized anxiety disorder",
    "F41.9": "Anxiety disorder",
    "F51.0": "Nonorganic insomnia",
    "G43.9": "Migraine",
    "G44.2": "Tension-type headache",
    "H10.9": "Conjunctivitis",
    "H61.2": "Impacted cerumen",
    "H66.9": "Otitis media",
    "I10": "Essential (primary) hypertension",
    "J00": "Acute nasopharyngitis (common cold)",
    "J01.9": "Acute sinusitis",
    "J02.9": "Acute pharyngitis",
    "J03.9": "Acute tonsillitis",
    "J06.9": "Acute upper respiratory infection",
    "J11.1": "Influenza, virus not identified",
    "J18.9": "Pneumonia",
    "J20.9": "Acute bronchitis",
    "J30.4": "Allergic rhinitis",
    "J45.9": "Asthma",
    "K21.9": "Gastro-oesophageal reflux disease without oesophagitis",
    "K29.7": "Gastritis",
    "K30": "Dyspepsia",
    "K59.0": "Constipation",
    "L02.9": "Skin abscess, furuncle or carbuncle",
    "L30.9": "Dermatitis",
    "L50.9": "Urticaria",
    "L70.0": "Acne vulgaris",
    "M54.5": "Low back pain",
    "M79.1": "Myalgia",
    "N39.0": "Urinary tract infection, site not specified",
    "N94.6": "Dysmenorrhoea",
    "R05": "Cough",
    "R07.4": "Chest pain",
    "R10.4": "Abdominal pain",
    "R11": "Nausea and vomiting",
    "R42": "Dizziness and giddiness",
    "R50.9": "Fever",
    "R51": "Headache",
    "R55": "Syncope and collapse",
    "S93.4": "Sprain and strain of ankle",
    "T14.0": "Superficial injury of unspecified body region",
    "T14.1": "Open wound of unspecified body region",
    "T78.4": "Allergy",
    "Z00.0": "General medical examination",
}


def describe(code, recorded=""):
    """A diagnosis in words: ``"Name (CODE)"``; a code not listed takes its recorded text as its name.

    ``code`` is an ICD-10 code trimmed and upper-cased ("" when there is none, and the recorded
    text is then the whole description).
    """
    if not code:
        return recorded
    name = NAMES.get(code) or recorded
    return f"{name} ({code})" if name else code
