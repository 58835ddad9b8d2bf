"""Pure simulation models (no Django): the organisational learning simulator."""
