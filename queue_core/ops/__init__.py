"""Running the box: serving, and the upkeep around it."""
