"""The lower bound: each report's figures computed by hand-written aggregate SQL, without filters.

For every report type, the minimal set of aggregate queries a DBA would write for the
same summary and sections, run straight through the database connection (PostgreSQL).
Each function returns the summary figures it computed, so the benchmark can check that
the bound and the report agree before it compares their times.
"""

from decimal import Decimal

from reports.catalog.queries import AGE_BANDS, years_before
from reports.document import rate

TOP = 10


def _one(cursor, sql, params):
    cursor.execute(sql, params)
    names = [column.name for column in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _all(cursor, sql, params):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _params(period):
    return {"s": period.starts_at, "e": period.ends_before, "tz": str(period.zone), "end": period.end}


def _visits_union(columns="patient_id"):
    return (
        f"SELECT {columns} FROM visits_medicalvisit WHERE visit_date >= %(s)s AND visit_date < %(e)s "
        f"UNION ALL SELECT {columns} FROM visits_dentalvisit WHERE visit_date >= %(s)s AND visit_date < %(e)s"
    )


def _active_patients(cursor, p):
    """Distinct patients with a visit in the period: the patient ids of both tables' visits, counted once."""
    return _one(cursor, f"SELECT count(DISTINCT patient_id) AS n FROM ({_visits_union()}) v", p)["n"]


def patient_summary(cursor, period, sections=True, active=None):
    p = _params(period)
    bands = []
    for i, (_, low, high) in enumerate(AGE_BANDS):
        condition = [f"date_of_birth <= %(low{i})s"] if low else ["TRUE"]
        p[f"low{i}"] = years_before(period.end, low)
        if high is not None:
            condition.append(f"date_of_birth > %(high{i})s")
            p[f"high{i}"] = years_before(period.end, high + 1)
        bands.append(f"count(*) FILTER (WHERE registered_at < %(e)s AND {' AND '.join(condition)}) AS age{i}")
    figures = _one(
        cursor,
        "SELECT count(*) FILTER (WHERE registered_at < %(e)s) AS total_patients, "
        "count(*) FILTER (WHERE registered_at >= %(s)s AND registered_at < %(e)s) AS new_registrations, "
        + ", ".join(bands)
        + " FROM patients_patient",
        p,
    )
    if sections:
        _all(
            cursor,
            "SELECT sex, patient_type, count(*) FROM patients_patient WHERE registered_at < %(e)s "
            "GROUP BY GROUPING SETS ((sex), (patient_type))",
            p,
        )
    figures["active_patients"] = _active_patients(cursor, p) if active is None else active
    return {key: figures[key] for key in ("total_patients", "new_registrations", "active_patients")}


def _trend_rows(cursor, table, p):
    """Visits per (local month, hour, weekday): one hash aggregate (measured faster than GROUPING SETS)."""
    return _all(
        cursor,
        "SELECT date_trunc('month', visit_date AT TIME ZONE %(tz)s) AS m, "
        "extract(hour FROM visit_date AT TIME ZONE %(tz)s) AS h, "
        "extract(isodow FROM visit_date AT TIME ZONE %(tz)s) AS d, count(*) "
        f"FROM {table} WHERE visit_date >= %(s)s AND visit_date < %(e)s "
        "GROUP BY 1, 2, 3",
        p,
    )


def visit_trends(cursor, period, active=None):
    p = _params(period)
    medical = _trend_rows(cursor, "visits_medicalvisit", p)
    dental = _trend_rows(cursor, "visits_dentalvisit", p)
    count = {name: sum(n for _, _, _, n in rows) for name, rows in (("medical", medical), ("dental", dental))}
    return {
        "medical_visits": count["medical"],
        "dental_visits": count["dental"],
        "total_visits": count["medical"] + count["dental"],
        "unique_patients": _active_patients(cursor, p) if active is None else active,
    }


def treatment_outcomes(cursor, period, sections=True):
    p = _params(period)
    rows = _all(
        cursor,
        f"SELECT outcome, follow_up_required, count(*) FROM ({_visits_union('outcome, follow_up_required')}) v "
        "GROUP BY outcome, follow_up_required",
        p,
    )
    if sections:
        _all(
            cursor,
            "SELECT key, code, sum(cases), sum(successes), sum(with_outcome), max(description) FROM ("
            "SELECT CASE WHEN upper(trim(diagnosis_code)) = '' THEN lower(trim(diagnosis)) "
            "ELSE upper(trim(diagnosis_code)) END AS key, upper(trim(diagnosis_code)) AS code, count(*) AS cases, "
            "count(*) FILTER (WHERE outcome IN ('RESOLVED', 'IMPROVED')) AS successes, "
            "count(*) FILTER (WHERE outcome <> 'PENDING') AS with_outcome, max(trim(diagnosis)) AS description "
            "FROM visits_medicalvisit WHERE visit_date >= %(s)s AND visit_date < %(e)s GROUP BY 1, 2 "
            "UNION ALL SELECT lower(trim(diagnosis)), '', count(*), "
            "count(*) FILTER (WHERE outcome IN ('RESOLVED', 'IMPROVED')), "
            "count(*) FILTER (WHERE outcome <> 'PENDING'), "
            "max(trim(diagnosis)) FROM visits_dentalvisit WHERE visit_date >= %(s)s AND visit_date < %(e)s "
            "GROUP BY 1) d WHERE key <> '' GROUP BY key, code ORDER BY sum(cases) DESC, key, code LIMIT 10",
            p,
        )
    total = sum(n for _, _, n in rows)
    with_outcome = sum(n for outcome, _, n in rows if outcome != "PENDING")
    successes = sum(n for outcome, _, n in rows if outcome in ("RESOLVED", "IMPROVED"))
    follow_up = sum(n for _, follow, n in rows if follow)
    return {
        "total_cases": total,
        "cases_with_outcome": with_outcome,
        "success_rate": rate(successes, with_outcome),
        "follow_up_required": follow_up,
    }


def feedback_analysis(cursor, period, sections=True):
    p = _params(period)
    where = "FROM feedback_feedback WHERE submitted_at >= %(s)s AND submitted_at < %(e)s"
    figures = _one(
        cursor,
        "SELECT count(*) AS total_feedback, avg(rating) AS average_rating, "
        "count(*) FILTER (WHERE rating >= 4) AS satisfied, count(*) FILTER (WHERE responded_at IS NOT NULL) "
        "AS responded, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM responded_at - submitted_at)) "
        "AS median_seconds, "
        + ", ".join(f"count(*) FILTER (WHERE rating = {r}) AS r{r}" for r in range(1, 6))
        + f" {where}",
        p,
    )
    if sections:
        _all(
            cursor,
            f"SELECT date_trunc('month', submitted_at AT TIME ZONE %(tz)s), count(*), avg(rating) {where} GROUP BY 1",
            p,
        )
    if sections:
        _all(
            cursor,
            f"SELECT submitted_at, rating, trim(comments) {where} AND trim(comments) <> '' "
            "ORDER BY submitted_at DESC, id DESC LIMIT 10",
            p,
        )
    median = figures["median_seconds"]
    return {
        "total_feedback": figures["total_feedback"],
        "average_rating": None if figures["average_rating"] is None else round(float(figures["average_rating"]), 2),
        "satisfaction_rate": rate(figures["satisfied"], figures["total_feedback"]),
        "responded": figures["responded"],
        "median_response_hours": None if median is None else round(float(median) / 3600, 2),
    }


def medical_statistics(cursor, period, sections=True):
    p = _params(period)
    where = "FROM visits_medicalvisit WHERE visit_date >= %(s)s AND visit_date < %(e)s"
    bmi = "weight_kg::float * 10000.0 / (height_cm::float * height_cm::float)"
    figures = _one(
        cursor,
        "SELECT count(*) AS medical_visits, count(DISTINCT patient_id) AS unique_patients, "
        "count(temperature_c) AS with_temperature, count(*) FILTER (WHERE temperature_c >= 37.5) AS fever_visits, "
        f"avg(heart_rate) AS heart_rate {where}",
        p,
    )
    if sections:
        _all(
            cursor,
            "SELECT CASE WHEN systolic_bp IS NULL OR diastolic_bp IS NULL THEN '' "
            "WHEN systolic_bp > 180 OR diastolic_bp > 120 THEN 'CRISIS' "
            "WHEN systolic_bp >= 140 OR diastolic_bp >= 90 THEN 'STAGE_2' "
            "WHEN systolic_bp >= 130 OR diastolic_bp >= 80 THEN 'STAGE_1' "
            "WHEN systolic_bp >= 120 THEN 'ELEVATED' ELSE 'NORMAL' END, "
            f"CASE WHEN weight_kg IS NULL OR height_cm IS NULL THEN '' WHEN {bmi} < 18.5 THEN 'UNDERWEIGHT' "
            f"WHEN {bmi} < 25 THEN 'NORMAL' WHEN {bmi} < 30 THEN 'OVERWEIGHT' ELSE 'OBESE' END, count(*) {where} "
            "GROUP BY 1, 2",
            p,
        )
    if sections:
        _all(
            cursor,
            "SELECT CASE WHEN upper(trim(diagnosis_code)) = '' THEN lower(trim(diagnosis)) "
            "ELSE upper(trim(diagnosis_code)) END AS key, count(*), count(DISTINCT patient_id), max(trim(diagnosis)) "
            f"{where} "
            "GROUP BY 1 HAVING CASE WHEN upper(trim(diagnosis_code)) = '' THEN lower(trim(diagnosis)) "
            "ELSE upper(trim(diagnosis_code)) END <> '' ORDER BY 2 DESC, 1 LIMIT 10",
            p,
        )
    if sections:
        _all(
            cursor,
            "SELECT pt.patient_type, count(*), count(DISTINCT v.patient_id) FROM visits_medicalvisit v "
            "JOIN patients_patient pt ON pt.id = v.patient_id WHERE v.visit_date >= %(s)s AND v.visit_date < %(e)s "
            "GROUP BY 1",
            p,
        )
    if sections:
        _all(
            cursor,
            f"SELECT date_trunc('month', visit_date AT TIME ZONE %(tz)s), count(*), count(DISTINCT patient_id) {where} "
            "GROUP BY 1",
            p,
        )
    return {
        "medical_visits": figures["medical_visits"],
        "unique_patients": figures["unique_patients"],
        "fever_visits": figures["fever_visits"],
        "fever_rate": rate(figures["fever_visits"], figures["with_temperature"]),
    }


def dental_statistics(cursor, period, sections=True):
    p = _params(period)
    where = "FROM visits_dentalvisit WHERE visit_date >= %(s)s AND visit_date < %(e)s"
    preventive = "procedure IN ('CLEANING', 'PROPHYLAXIS', 'FLUORIDE', 'SEALANT')"
    figures = _one(
        cursor,
        "SELECT count(*) AS dental_visits, count(DISTINCT patient_id) AS unique_patients, "
        f"count(*) FILTER (WHERE {preventive}) AS preventive_visits, avg(pain_level) AS pain {where}",
        p,
    )
    if sections:
        _all(
            cursor,
            f"SELECT procedure, oral_hygiene, gum_condition, priority, count(*) {where} "
            "GROUP BY GROUPING SETS ((procedure), (oral_hygiene), (gum_condition), (priority))",
            p,
        )
    if sections:
        _all(
            cursor,
            "SELECT date_trunc('month', visit_date AT TIME ZONE %(tz)s), count(*), count(DISTINCT patient_id), "
            f"count(*) FILTER (WHERE {preventive}) {where} GROUP BY 1",
            p,
        )
    pain = figures["pain"]
    return {
        "dental_visits": figures["dental_visits"],
        "unique_patients": figures["unique_patients"],
        "preventive_visits": figures["preventive_visits"],
        "average_pain_level": None if pain is None else round(pain, 2),
    }


def campaign_performance(cursor, period, active=None):
    p = {**_params(period), "start": period.start, "end": period.end}
    overlapping = "c.start_date <= %(end)s AND c.end_date >= %(start)s"
    rows = _all(
        cursor,
        "SELECT c.id, c.campaign_type, c.view_count, count(cp.id), count(cp.id) FILTER (WHERE cp.attended) "
        "FROM campaigns_healthcampaign c LEFT JOIN campaigns_campaignparticipant cp ON cp.campaign_id = c.id "
        f"WHERE {overlapping} GROUP BY c.id",
        p,
    )
    unique = _one(
        cursor,
        "SELECT count(DISTINCT cp.patient_id) AS n FROM campaigns_campaignparticipant cp "
        f"JOIN campaigns_healthcampaign c ON c.id = cp.campaign_id WHERE {overlapping}",
        p,
    )["n"]
    logins = _one(
        cursor,
        "SELECT count(*) AS with_login, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM reports_userlogin l "
        "WHERE l.user_id = pt.user_id AND l.logged_in_at >= %(s)s AND l.logged_in_at < %(e)s)) AS logged_in "
        "FROM patients_patient pt WHERE pt.user_id IS NOT NULL",
        p,
    )
    participants = sum(row[3] for row in rows)
    return {
        "campaigns": len(rows),
        "total_views": sum(row[2] for row in rows),
        "total_participants": participants,
        "unique_participants": unique,
        "total_attended": sum(row[4] for row in rows),
        "active_patients": _active_patients(cursor, p) if active is None else active,
        "patients_with_login": logins["with_login"],
        "patients_logged_in": logins["logged_in"],
    }


def comprehensive_analytics(cursor, period):
    """The director's summary: the sources' headline figures it shows, efficiency, two trends and the top diagnoses.

    The active patients, a figure of three sources, are counted once.
    """
    p = _params(period)
    active = _active_patients(cursor, p)
    patients = patient_summary(cursor, period, sections=False, active=active)
    visits = visit_trends(cursor, period, active=active)
    outcomes = treatment_outcomes(cursor, period, sections=False)
    feedback = feedback_analysis(cursor, period, sections=False)
    campaigns = campaign_performance(cursor, period, active=active)
    efficiency = _one(
        cursor,
        "SELECT count(*) AS attended, count(DISTINCT attended_by_id) AS clinicians "
        f"FROM ({_visits_union('attended_by_id')}) v WHERE attended_by_id IS NOT NULL",
        p,
    )
    for table in ("visits_medicalvisit", "visits_dentalvisit"):
        _all(
            cursor,
            f"SELECT date_trunc('month', visit_date AT TIME ZONE %(tz)s), count(*) FROM {table} "
            "WHERE visit_date >= %(s)s AND visit_date < %(e)s GROUP BY 1",
            p,
        )
    _all(
        cursor,
        "SELECT date_trunc('month', submitted_at AT TIME ZONE %(tz)s), count(*), count(*) FILTER (WHERE rating >= 4) "
        "FROM feedback_feedback WHERE submitted_at >= %(s)s AND submitted_at < %(e)s GROUP BY 1",
        p,
    )
    _all(
        cursor,
        "SELECT CASE WHEN upper(trim(diagnosis_code)) = '' THEN lower(trim(diagnosis)) "
        "ELSE upper(trim(diagnosis_code)) END AS key, count(*), count(DISTINCT patient_id), max(trim(diagnosis)) "
        "FROM visits_medicalvisit WHERE visit_date >= %(s)s AND visit_date < %(e)s "
        "GROUP BY 1 HAVING CASE WHEN upper(trim(diagnosis_code)) = '' THEN lower(trim(diagnosis)) "
        "ELSE upper(trim(diagnosis_code)) END <> '' ORDER BY 2 DESC, 1 LIMIT 5",
        p,
    )
    return {
        "registered_patients": patients["total_patients"],
        "new_registrations": patients["new_registrations"],
        "patients_seen": active,
        "total_visits": visits["total_visits"],
        "medical_visits": visits["medical_visits"],
        "dental_visits": visits["dental_visits"],
        "attended_visits": efficiency["attended"],
        "attending_clinicians": efficiency["clinicians"],
        "success_rate": outcomes["success_rate"],
        "feedback_responses": feedback["total_feedback"],
        "average_rating": feedback["average_rating"],
        "satisfaction_rate": feedback["satisfaction_rate"],
        "campaigns": campaigns["campaigns"],
        "campaign_participants": campaigns["total_participants"],
    }


def clinician_workload(cursor, period):
    """Totals, clinicians and patients over both tables; per clinician; per local weekday and hour."""
    p = _params(period)
    visits = _visits_union("patient_id, attended_by_id, follow_up_required, visit_date")
    figures = _one(
        cursor,
        "SELECT count(*) AS total_visits, count(attended_by_id) AS attended_visits, "
        "count(DISTINCT attended_by_id) AS clinicians, count(DISTINCT patient_id) AS patients_seen, "
        f"count(*) FILTER (WHERE follow_up_required) AS follow_ups_requested FROM ({visits}) v",
        p,
    )
    _all(
        cursor,
        "SELECT attended_by_id, count(*), count(DISTINCT patient_id), count(*) FILTER (WHERE follow_up_required) "
        f"FROM ({visits}) v WHERE attended_by_id IS NOT NULL GROUP BY 1",
        p,
    )
    _all(
        cursor,
        "SELECT extract(isodow FROM visit_date AT TIME ZONE %(tz)s), "
        f"extract(hour FROM visit_date AT TIME ZONE %(tz)s), count(*) FROM ({visits}) v GROUP BY 1, 2",
        p,
    )
    return figures


BOUNDS = {
    "PATIENT_SUMMARY": patient_summary,
    "VISIT_TRENDS": visit_trends,
    "TREATMENT_OUTCOMES": treatment_outcomes,
    "FEEDBACK_ANALYSIS": feedback_analysis,
    "MEDICAL_STATISTICS": medical_statistics,
    "DENTAL_STATISTICS": dental_statistics,
    "CAMPAIGN_PERFORMANCE": campaign_performance,
    "COMPREHENSIVE_ANALYTICS": comprehensive_analytics,
    "CLINICIAN_WORKLOAD": clinician_workload,
}


def agree(bound, summary):
    """The figures the bound and the report both name, where they differ: ``{name: (bound, report)}``."""
    return {
        key: (value, summary[key]) for key, value in bound.items() if key in summary and not _same(value, summary[key])
    }


def _same(left, right):
    if isinstance(left, int | float | Decimal) and isinstance(right, int | float | Decimal):
        return abs(float(left) - float(right)) < 1e-9
    return left == right
