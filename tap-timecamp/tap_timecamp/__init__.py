"""Singer tap for TimeCamp, built with the Meltano Singer SDK."""
