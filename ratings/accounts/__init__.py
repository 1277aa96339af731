"""Sign-in, the second factor, sessions, API tokens and the guards at the edge (middleware):
entry points that parse input and call one service in ratings.services.accounts."""
