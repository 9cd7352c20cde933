"""What patients come for: medical conditions (ICD-10) and dental care, with how common each is."""

from typing import NamedTuple

from visits.models import DentalProcedure


class Condition(NamedTuple):
    code: str  # ICD-10
    diagnosis: str
    concerns: tuple
    treatment: str
    weight: float
    season: str = ""  # a key of SEASON_MONTHS: more common then
    fever: float = 0.0  # share of visits with a fever
    follow_up: float = 0.08
    referral: float = 0.01
    aliases: tuple = ()  # what clinicians also write instead
    female_only: bool = False
    older: bool = False  # mostly in patients of 35 and over


HYPERTENSION = "I10"
CONDITIONS = (
    Condition("J06.9", "Acute upper respiratory infection", ("Cough and colds", "Runny nose", "Cough"),
              "Paracetamol 500 mg as needed; rest and fluids", 22, "rainy", 0.3, aliases=("URTI", "Acute URTI")),
    Condition("J02.9", "Acute pharyngitis", ("Sore throat", "Painful swallowing"),
              "Warm saline gargle; lozenges", 7, "rainy", 0.25),
    Condition("R50.9", "Fever, unspecified", ("Fever", "Chills and fever"),
              "Paracetamol 500 mg every 4 hours; monitor temperature", 6, "rainy", 1.0, 0.3),
    Condition("A90", "Dengue fever", ("High fever and body aches", "Fever with rashes"),
              "Referred for CBC and platelet count; oral rehydration", 1.2, "rainy", 1.0, 0.9, 0.45),
    Condition("A09", "Acute gastroenteritis", ("Diarrhea", "Loose bowel movement", "Vomiting and diarrhea"),
              "Oral rehydration salts; bland diet", 9, "rainy", 0.15, aliases=("AGE", "LBM", "Gastroenteritis")),
    Condition("J45.9", "Asthma", ("Difficulty of breathing", "Wheezing"),
              "Salbutamol nebulization", 4, "rainy", 0.05, 0.3, 0.05, ("Bronchial asthma",)),
    Condition("R51", "Headache", ("Headache",), "Paracetamol 500 mg; rest", 10, "exam", aliases=("Tension headache",)),
    Condition("G43.9", "Migraine", ("Severe headache", "Headache with nausea"),
              "Mefenamic acid 500 mg; dark quiet room", 3, "exam"),
    Condition("K30", "Dyspepsia", ("Stomach ache", "Epigastric pain", "Hyperacidity"),
              "Antacid after meals; regular meals", 8, "exam", aliases=("Hyperacidity", "Gastritis")),
    Condition("F41.9", "Anxiety disorder, unspecified", ("Stress", "Palpitations", "Cannot sleep"),
              "Counselling; referred to the Guidance Center", 3, "exam", 0, 0.4, 0.3, ("Anxiety",)),
    Condition("R42", "Dizziness", ("Dizziness", "Lightheadedness"), "Rest; fluids; check blood pressure", 5),
    Condition("M54.5", "Low back pain", ("Back pain", "Lower back pain"),
              "Mefenamic acid; posture advice", 5, aliases=("LBP", "Lumbago"), older=True),
    Condition(HYPERTENSION, "Essential hypertension", ("Blood pressure check", "Nape pain", "Dizziness"),
              "Amlodipine 5 mg daily; low-salt diet", 5, follow_up=0.6, referral=0.08, aliases=("HPN", "Hypertension"),
              older=True),
    Condition("L30.9", "Dermatitis", ("Skin rash", "Itchy skin"),
              "Hydrocortisone cream; avoid irritants", 5, aliases=("Contact dermatitis", "Allergic dermatitis")),
    Condition("H10.9", "Conjunctivitis", ("Sore eyes", "Red eyes"), "Antibiotic eye drops; avoid touching eyes", 3,
              "rainy", aliases=("Sore eyes",)),
    Condition("N39.0", "Urinary tract infection", ("Painful urination",),
              "Increase fluid intake; urinalysis requested", 3, follow_up=0.3, aliases=("UTI",)),
    Condition("N94.6", "Dysmenorrhea", ("Menstrual cramps",), "Mefenamic acid 500 mg; warm compress", 6,
              female_only=True),
    Condition("T14.0", "Superficial injury", ("Minor cut", "Wound dressing", "Abrasion from sports"),
              "Wound cleaning and dressing", 6, follow_up=0.2, aliases=("Abrasion", "Wound")),
    Condition("Z00.0", "General medical examination", ("Annual physical exam", "Medical certificate"),
              "Physical examination done; fit to attend classes", 8, "enrolment", aliases=("PE", "Medical clearance")),
)  # fmt: skip

CONDITION_BY_CODE = {condition.code: condition for condition in CONDITIONS}


class DentalCare(NamedTuple):
    procedure: str
    weight: float
    diagnoses: tuple
    treatment: str
    pain: tuple  # lowest and highest pain level
    teeth: int  # how many teeth it usually touches (0: the whole mouth)
    follow_up: float = 0.05
    referral: float = 0.0


DENTAL_CARE = (
    DentalCare(DentalProcedure.CONSULTATION, 18, ("Toothache", "Dental check-up"), "Oral examination", (0, 6), 1),
    DentalCare(DentalProcedure.CLEANING, 16, ("Calculus deposits", "Dental plaque"), "Scaling", (0, 2), 0),
    DentalCare(DentalProcedure.PROPHYLAXIS, 10, ("Dental plaque", "Gingivitis"), "Oral prophylaxis", (0, 2), 0),
    DentalCare(DentalProcedure.FLUORIDE, 4, ("Caries prevention",), "Topical fluoride varnish", (0, 0), 0),
    DentalCare(DentalProcedure.SEALANT, 3, ("Deep pits and fissures",), "Pit and fissure sealant", (0, 1), 2),
    DentalCare(DentalProcedure.FILLING, 16, ("Dental caries",), "Composite restoration", (1, 6), 2),
    DentalCare(DentalProcedure.EXTRACTION, 10, ("Non-restorable tooth", "Impacted third molar"),
               "Tooth extraction under local anesthesia", (4, 9), 1, 0.3),
    DentalCare(DentalProcedure.ROOT_CANAL, 3, ("Irreversible pulpitis",), "Root canal therapy", (5, 10), 1, 0.8, 0.3),
    DentalCare(DentalProcedure.CROWN, 2, ("Fractured tooth",), "Crown preparation", (1, 4), 1, 0.7, 0.4),
    DentalCare(DentalProcedure.ORTHODONTIC, 3, ("Malocclusion",), "Orthodontic assessment", (0, 3), 0, 0.6, 0.6),
    DentalCare(DentalProcedure.PERIODONTAL, 4, ("Periodontitis",), "Deep scaling and root planing", (2, 6), 0, 0.5),
    DentalCare(DentalProcedure.XRAY, 6, ("Suspected caries", "Impacted third molar"), "Periapical X-ray", (0, 5), 1),
    DentalCare(DentalProcedure.OTHER, 2, ("Sensitive teeth", "Mouth ulcer"), "Desensitizing paste advised", (0, 4), 0),
)  # fmt: skip
