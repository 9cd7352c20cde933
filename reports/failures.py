"""What a failed report records: a message for its user, and for ADMIN the error and its log record.

The message says what failed in words its user can act on and names no error. ADMIN also sees
the error's class and a reference that the failure's server log record carries (``[ref 1a2b3c4d]``),
to find the trace. None of them holds anything of the report's data.
"""

import secrets

REFERENCE_BYTES = 4  # 8 hex digits
CLASS_CHARS = 200  # GeneratedReport.error_class
CLEARED = {"error_message": "", "error_class": "", "error_reference": ""}


def new_reference():
    """A short reference for one failure, written in its log record and on the report."""
    return secrets.token_hex(REFERENCE_BYTES)


def error_class(error):
    """The class of ``error`` as its trace names it: ``module.Class``, a built-in one by its name alone."""
    kind = type(error)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return name[:CLASS_CHARS]


def recorded(message, error=None, reference=""):
    """The report's fields that record a failure: its message, and the error's class and log reference."""
    return {
        "error_message": message,
        "error_class": "" if error is None else error_class(error),
        "error_reference": reference,
    }
