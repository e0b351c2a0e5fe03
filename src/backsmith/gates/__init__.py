"""Quality gates: each checks one property of the target project and says what it found."""
