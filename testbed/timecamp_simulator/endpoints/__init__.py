"""The TimeCamp endpoint families, one module each; `timecamp_simulator.api` registers them."""
