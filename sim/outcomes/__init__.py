"""Every outcome the model records, declared once (name, unit, meaning, region rule), and the
yearly recorder."""
