"""Training commands (``sensorium train ...``): models we build ourselves from shared data."""
