"""Follow-ups: what HR decided for the people a period flagged (promotion candidates, warnings,
every other flag of a plan), the history of those decisions, and the employee's acknowledgement
of a formal warning."""
