"""Everything a file can name: worlds (YAML + zone table), measure packages, synthetic worlds,
and the validation of files with one-line errors."""
