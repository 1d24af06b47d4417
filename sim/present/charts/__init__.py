"""Charts: functions that take tables and return matplotlib figures (never saved here, never
through pyplot). One module per topic: trajectories, ranks, maps, attribution, robust,
discovery, sensitivity, validation; ``common`` holds what they share."""
