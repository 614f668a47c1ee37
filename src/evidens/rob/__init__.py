"""Risk-of-bias instruments (RoB 2, ROBINS-I) declared as data and run by one engine, with plots."""
