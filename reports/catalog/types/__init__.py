"""One module per report type, each declaring its ``ReportType`` (see ``reports.catalog``)."""
