"""Practica: run a learning organisation around communities of practice."""
