"""Services: what changes reports (selectors, in ``reports.selectors``, only read).

- ``requesting``: request a report, retry, export or delete one;
- ``generating``: the run's state machine, PENDING → GENERATING → COMPLETED (or FAILED);
- ``downloading``: open a report's file from the first tier that has it, or its stored document;
- ``maintenance``: recover interrupted runs, expire reports and delete their files.
"""
