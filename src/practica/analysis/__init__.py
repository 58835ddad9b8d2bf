"""Pure analysis functions (no Django): calibration, loops and archetypes, networks, health."""
